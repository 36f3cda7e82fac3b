#!/usr/bin/env python3
"""Render one report page in headless Chromium and check it, printing TAP lines (unnumbered, no
plan: --count tells the caller how many there will be).

Drives Debian's chromium through chromedriver's W3C WebDriver protocol (plain HTTP and JSON,
Python's standard library only). Checks that the page loads with nothing logged at error level
(a blocked script or a failed request would be), fetches nothing, runs no script, that every
chart is drawn with the number of marks the views say, that planted texts are shown as text, and
saves a screenshot of the whole page.

Usage: check_page.py --driver http://127.0.0.1:PORT --page FILE --name NAME --marks JSON
                     --planted JSON --screenshot PNG
  --marks    {"chart name": expected number of marks (elements of class mark), ...}
  --planted  ["text that must appear as text in the page", ...]
"""
import argparse
import base64
import json
import os
import urllib.error
import urllib.request

def tap(passed, description, diagnostics=None):
    print(("ok" if passed else "not ok") + f" - {description}")
    if not passed and diagnostics:
        for line in str(diagnostics).splitlines():
            print(f"# {line}")


def call(driver, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(driver + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}").get("value")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from None


def script(driver, session, source):
    return call(driver, "POST", f"/session/{session}/execute/sync", {"script": source, "args": []})


# What the page shows, read in the page: marks per chart, scripts, fetched resources, sizes.
INSPECT = """
const charts = {};
for (const figure of document.querySelectorAll('figure.chart')) {
  const name = figure.dataset.chart;
  const svg = figure.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const entry = charts[name] || (charts[name] = {figures: 0, marks: 0, drawn: 0});
  entry.figures += 1;
  for (const mark of figure.querySelectorAll('.mark')) {
    entry.marks += 1;
    const r = mark.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) entry.drawn += 1;
  }
  entry.visible = (entry.visible === undefined ? true : entry.visible) && box.width > 0 && box.height > 0;
}
return {
  charts: charts,
  scripts: document.scripts.length,
  handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
  images: document.images.length,
  resources: performance.getEntriesByType('resource').map(r => r.name),
  title: document.title,
  text: document.body ? document.body.innerText : '',
  height: Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0),
  ready: document.readyState
};
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--marks", required=True)
    parser.add_argument("--planted", default="[]")
    parser.add_argument("--title", default=None)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--count", action="store_true", help="print how many checks there are, and stop")
    args = parser.parse_args()
    expected = json.loads(args.marks)
    planted = json.loads(args.planted)
    if args.count:
        print(5 + len(expected) + len(planted) + (args.title is not None))
        return

    capabilities = {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": "/usr/bin/chromium",
                               "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                                        "--disable-dev-shm-usage", "--window-size=1280,900",
                                        "--hide-scrollbars", "--no-first-run"]},
        "goog:loggingPrefs": {"browser": "ALL"}}}}
    session = call(args.driver, "POST", "/session", capabilities)["sessionId"]
    try:
        call(args.driver, "POST", f"/session/{session}/url",
             {"url": "file://" + os.path.abspath(args.page)})
        page = script(args.driver, session, INSPECT)
        logs = call(args.driver, "POST", f"/session/{session}/se/log", {"type": "browser"}) or []
        errors = [entry.get("message") for entry in logs if entry.get("level") in ("SEVERE", "ERROR")]

        tap(page["ready"] == "complete" and not errors,
            f"{args.name}: the page loads without errors", "\n".join(errors) or page["ready"])
        tap(not page["resources"], f"{args.name}: the page fetches nothing (self-contained)",
            "\n".join(page["resources"]))
        tap(page["scripts"] == 0 and page["handlers"] == 0 and page["images"] == 0,
            f"{args.name}: no script, event handler or image element in the page",
            f"scripts {page['scripts']}, handlers {page['handlers']}, images {page['images']}")
        if args.title is not None:
            tap(page["title"] == args.title, f"{args.name}: the title is the report's", page["title"])
        for chart, count in sorted(expected.items()):
            seen = page["charts"].get(chart, {"figures": 0, "marks": 0, "drawn": 0, "visible": False})
            tap(seen["marks"] == count and seen["drawn"] == count and seen.get("visible", False),
                f"{args.name}: chart {chart} draws {count} marks, as the views say",
                f"{seen}")
        extra = sorted(set(page["charts"]) - set(expected))
        tap(not extra, f"{args.name}: no chart that the test does not count", ", ".join(extra))
        for text in planted:
            tap(text in page["text"], f"{args.name}: planted text is shown as text: {text!r}",
                "not found in the page's text")

        # the whole page: a window as tall as the document
        call(args.driver, "POST", f"/session/{session}/window/rect",
             {"width": 1280, "height": min(int(page["height"]) + 40, 16000)})
        png = base64.b64decode(call(args.driver, "GET", f"/session/{session}/screenshot"))
        with open(args.screenshot, "wb") as out:
            out.write(png)
        tap(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000,
            f"{args.name}: screenshot saved to {args.screenshot} ({len(png)} bytes)")
    finally:
        call(args.driver, "DELETE", f"/session/{session}")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Install what healthscore needs from Debian's packages, and nothing when it is all there already.
# Works as root and as a user with sudo. Called by "make test", "make demo" and "make bench".
set -euo pipefail

packages=(
	make gcc libc6-dev               # the build
	postgresql-15                    # server, pg_virtualenv (postgresql-common)
	postgresql-server-dev-15         # headers and PGXS
	postgresql-15-pgtap              # pgTAP suites
	libtap-parser-sourcehandler-pgtap-perl  # pg_prove
	postgresql-15-cron               # healthscore.schedule() and its tests
	sqlsmith                         # test/sqlsmith.sh: random queries, no crash
	build-essential debhelper postgresql-server-dev-all  # test/package.sh: dpkg-buildpackage with pg_buildext
	chromium chromium-driver python3 # test/browser.sh: the reports in headless Chromium over WebDriver
)

missing=()
for p in "${packages[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "bootstrap: missing packages (${missing[*]}) and neither root nor sudo" >&2
	exit 1
fi

echo "bootstrap: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

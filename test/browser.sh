#!/usr/bin/env bash
# The reports in a real browser, as TAP: run inside the throwaway cluster of test/run_suites.sh.
# Loads the sample dataset and make demo's script, plants markup and quotes in an account's name,
# an override's reason and an assessment's note, then produces the portfolio report of group "cs"
# and the review page of the account at the top of its risk list, as README.md says: with
# psql -At, and with COPY ... TO a file on the server (what a pg_cron job does), which must give
# the same bytes. Each page is opened in headless Chromium (Debian's chromium, driven through
# chromedriver by test/browser/check_page.py): it loads without errors, fetches nothing, runs no
# script, every chart draws as many marks as the views have values, the planted texts read as
# text. Screenshots go to results/browser/.
#
# Usage: test/browser.sh (from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
server=$(mktemp -d)	# written by the server, which runs as another user
chmod 1777 "$server"
db=hs_browser
shots=results/browser
driver_pid=
driver_port=
cleanup() {
	[ -n "$driver_pid" ] && kill "$driver_pid" 2>/dev/null
	dropdb --if-exists "$db" >/dev/null 2>&1
	rm -rf "$work" "$server"
}
trap cleanup EXIT
. test/tap.sh
. test/lib.sh
export PGTZ=UTC
mkdir -p "$shots"

# what the pages are asked for: the demo's group as of its runs, churn known until 2026-10-28
portfolio_sql="SELECT healthscore.portfolio_report('cs', known_until => '2026-10-28', account_names => 'sample.account_names')"
planted_name=$'<script>document.title=\'pwned\'</script> O\'Brien & "Sons"'
planted_reason='</td><b>champion</b> left "suddenly" & it'\''s <i>bad</i>'
planted_note='<img src=x onerror="document.title=1"> rated "2" & falling'

page_checks() { python3 test/browser/check_page.py --driver "http://127.0.0.1:$driver_port" "$@"; }
# check_page.py's TAP lines, numbered and counted here
relay() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) not_ok "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done
}

dropdb --if-exists "$db" >/dev/null 2>&1
if createdb "$db" && psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/generators/sample_data.sql >"$work/load.log" 2>&1 &&
	psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/demo/health_scores.sql >"$work/demo.log" 2>&1; then
	loaded=yes
else
	loaded=no
	tail -n 30 "$work/load.log" "$work/demo.log" | diag
fi

# the account the review page is about: the top of the risk list, an enterprise account (it has
# assessments); markup in its name, in an override's reason and an assessment's note
account=$(q "$db" "SELECT account_key FROM healthscore.risk_list WHERE model = 'enterprise' ORDER BY priority LIMIT 1")
q "$db" "
	UPDATE sample.accounts SET name = \$planted\$${planted_name}\$planted\$ WHERE account_id = ${account:-0};
	SELECT healthscore.set_override('enterprise', '${account}', 'red', \$planted\$${planted_reason}\$planted\$,
	                                expires_at => '2026-09-30', set_at => '2026-06-29');
	SELECT healthscore.assess('${account}', 'executive relationship', rating => 2, note => \$planted\$${planted_note}\$planted\$,
	                          assessed_at => '2026-06-29');" >/dev/null
account_sql="SELECT healthscore.account_report('enterprise', '${account}', account_names => 'sample.account_names')"

# the marks each chart must have, counted from the views
marks_portfolio=$(q "$db" "
	WITH latest AS (SELECT DISTINCT ON (r.model, r.as_of) r.run_id FROM healthscore.runs AS r
	                JOIN healthscore.models AS m ON m.name = r.model WHERE m.model_group = 'cs'
	                ORDER BY r.model, r.as_of, r.run_id DESC),
	     by_tier AS (SELECT tier, sum(value_at_risk) AS var, sum(expected_loss) AS el FROM healthscore.risk_list
	                 WHERE model IN (SELECT name FROM healthscore.models WHERE model_group = 'cs') GROUP BY tier),
	     by_owner AS (SELECT owner, sum(value_at_risk) AS var, sum(expected_loss) AS el FROM healthscore.risk_list
	                  WHERE model IN (SELECT name FROM healthscore.models WHERE model_group = 'cs')
	                  GROUP BY owner ORDER BY 2 DESC NULLS LAST, 1 LIMIT 12)
	SELECT json_build_object(
	  'tier_distribution', (SELECT count(DISTINCT (t.as_of, t.tier)) FROM healthscore.tier_summary AS t
	                        WHERE t.run_id IN (SELECT run_id FROM latest)),
	  'value_by_tier', (SELECT count(var) + count(el) FROM by_tier),
	  'value_by_owner', (SELECT count(var) + count(el) FROM by_owner),
	  'top_movers', (SELECT least(10, count(*)) FROM healthscore.current_scores
	                 WHERE model_group = 'cs' AND change <> 0),
	  'auc', (SELECT count(auc) FROM healthscore.evaluate('default', '120 days', '2026-10-28')),
	  'churn_by_tier', (SELECT count(*) FROM healthscore.evaluate_tiers('default', '120 days', '2026-10-28')),
	  'calibration', (SELECT count(*) FROM healthscore.calibration('default', '120 days', '2026-10-28')))")
marks_account=$(q "$db" "
	SELECT json_build_object(
	  'health', (SELECT count(score) FROM healthscore.account_story('enterprise', '${account}')),
	  'signal', (SELECT count(points) FROM healthscore.components WHERE model = 'enterprise' AND account_key = '${account}'))")
echo "marks from the views: portfolio $marks_portfolio; account $account: $marks_account" | diag
planted_json=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$planted_name" "$planted_reason" "$planted_note")
planted_portfolio=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$planted_name")

count_portfolio=$(page_checks --count --page x --name x --screenshot x --marks "${marks_portfolio:-{\}}" --planted "$planted_portfolio" --title x)
count_account=$(page_checks --count --page x --name x --screenshot x --marks "${marks_account:-{\}}" --planted "$planted_json")
tap_plan $((5 + count_portfolio + count_account))

if [ "$loaded" = yes ] && [ -n "$account" ]; then
	ok "the demo ran on the sample data; markup planted in account $account"
else
	not_ok "the demo ran on the sample data; markup planted"
fi

# the pages as a client writes them (psql -At), and as the server writes them (COPY ... TO a file:
# the file is the server's, written as the postgres user)
psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$portfolio_sql" >"$work/portfolio_report.html" 2>"$work/p.err" &&
	psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$account_sql" >"$work/account_report.html" 2>>"$work/p.err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$work/portfolio_report.html" ] && [ -s "$work/account_report.html" ]; then
	ok "both reports produced with psql -At ($(wc -c <"$work/portfolio_report.html") and $(wc -c <"$work/account_report.html") bytes)"
else
	not_ok "both reports produced with psql -At"
	diag <"$work/p.err"
fi
if q "$db" "COPY ($portfolio_sql) TO '$server/portfolio_report.html'" >/dev/null &&
	cmp -s "$server/portfolio_report.html" "$work/portfolio_report.html"; then
	ok "COPY (SELECT healthscore.portfolio_report(...)) TO a file writes the same bytes as psql -At"
else
	not_ok "COPY (SELECT healthscore.portfolio_report(...)) TO a file writes the same bytes as psql -At"
	cmp "$server/portfolio_report.html" "$work/portfolio_report.html" 2>&1 | diag
fi
if LC_ALL=C grep -q '[^ -~]' "$work/portfolio_report.html" "$work/account_report.html" 2>/dev/null &&
	[ "$(wc -l <"$work/portfolio_report.html")" = 1 ]; then
	not_ok "the pages are one line of printable ASCII"
else
	ok "the pages are one line of printable ASCII"
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
driver_port=
for p in $(seq 9515 9600); do port_free "$p" && { driver_port=$p; break; }; done
chromedriver --port="$driver_port" >"$work/chromedriver.log" 2>&1 &
driver_pid=$!
ready=no
for _ in $(seq 1 50); do
	python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$driver_port/status', timeout=1)" 2>/dev/null &&
		{ ready=yes; break; }
	sleep 0.2
done
if [ "$ready" = yes ]; then
	ok "chromedriver $(chromedriver --version | awk '{print $2}') with $(chromium --version 2>/dev/null | awk '{print $1, $2}') is ready"
else
	not_ok "chromedriver is ready"
	diag <"$work/chromedriver.log"
fi

page_checks --page "$work/portfolio_report.html" --name "portfolio report" --marks "${marks_portfolio:-{\}}" \
	--planted "$planted_portfolio" --title "Portfolio health: cs" --screenshot "$shots/portfolio_report.png" \
	> "$work/portfolio.tap" 2>&1
relay <"$work/portfolio.tap"
page_checks --page "$work/account_report.html" --name "account review page" --marks "${marks_account:-{\}}" \
	--planted "$planted_json" --screenshot "$shots/account_report.png" >"$work/account.tap" 2>&1
relay <"$work/account.tap"
tap_done

#!/usr/bin/env bash
# Runs inside a throwaway cluster (pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD):
# pg_regress and isolation suites through PGXS "installcheck", then the pgTAP suites through pg_prove.
# Prints what failed (regression.diffs, failing TAP lines) and writes "PASSED FAILED" to the file
# named by HS_COUNTS, so that run_all.sh prints the closing line after the cluster is gone.
set -uo pipefail
cd "$(dirname "$0")/.."
pg_config=$1
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { grep -cE "$1" "$log" || true; }

# pg_regress and pg_isolation_regress: one line per test, "... ok" or "... FAILED".
echo "== pg_regress and isolation suites"
rm -f regression.diffs
make -s PG_CONFIG="$pg_config" installcheck >"$log" 2>&1
rc=$?
cat "$log"
ok=$(count '\.\.\. ok')
bad=$(count '\.\.\. (FAILED|failed)')
passed=$((passed + ok))
failed=$((failed + bad))
if [ $rc -ne 0 ]; then
	[ -f regression.diffs ] && { echo "== regression.diffs"; cat regression.diffs; }
	[ -f output_iso/regression.diffs ] && { echo "== output_iso/regression.diffs"; cat output_iso/regression.diffs; }
	[ "$bad" -eq 0 ] && failed=$((failed + 1))   # the runner itself failed
fi

# pgTAP: every assertion counts.
echo "== pgTAP suites"
tapdb=healthscore_tap
dropdb --if-exists "$tapdb" >/dev/null 2>&1
createdb "$tapdb"
pg_prove --verbose --failures -d "$tapdb" test/pgtap/*.sql >"$log" 2>&1
rc=$?
grep -vE '^\s*ok ' "$log"
ok=$(count '^\s*ok ')
bad=$(count '^\s*not ok ')
passed=$((passed + ok))
failed=$((failed + bad))
[ $rc -ne 0 ] && [ "$bad" -eq 0 ] && failed=$((failed + 1))
dropdb "$tapdb"

echo "$passed $failed" >"$HS_COUNTS"
[ "$failed" -eq 0 ]

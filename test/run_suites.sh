#!/usr/bin/env bash
# Runs inside a throwaway cluster (pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD):
# the pg_regress suites and the isolation suites through PGXS "installcheck", the pgTAP suites
# through pg_prove, then the shell suites (TAP: dump and restore, upgrade, the Debian package ...).
# Prints what failed (regression.diffs, failing TAP lines) and writes "PASSED FAILED" to the file
# named by HS_COUNTS, so that run_all.sh prints the closing line after the cluster is gone.
set -uo pipefail
cd "$(dirname "$0")/.."
pg_config=$1
passed=0
failed=0
todo=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { grep -cE "$1" "$log" || true; }

# installcheck NAME DIFFS VARIABLE=...: one PGXS installcheck run (pg_regress or pg_isolation_regress),
# one line per test, "... ok" or "... FAILED"; the diffs file is printed when something failed.
# The two runs are separate so that a failure in one does not keep the other from running.
installcheck() {
	local name=$1 diffs=$2 rc ok bad
	shift 2
	echo "== $name"
	rm -f "$diffs"
	make -s PG_CONFIG="$pg_config" installcheck "$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	ok=$(count '\.\.\. ok')
	bad=$(count '\.\.\. (FAILED|failed)')
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ $rc -ne 0 ]; then
		[ -f "$diffs" ] && { echo "== $diffs"; cat "$diffs"; }
		[ "$bad" -eq 0 ] && failed=$((failed + 1))   # the runner itself failed
	fi
}

# tap RC: count the TAP lines in $log, every assertion. "ok" passes and "not ok" fails, except with
# a "# TODO" directive: a known failure, shown but counted neither way. Assertions planned ("1..N")
# but never reported count as failed, and a runner that exited non-zero without any of that as one
# failure, so a crash is never a pass. Prints everything but the passing lines.
tap() {
	local rc=$1 ok bad todos planned ran
	awk '!/^[ \t]*ok / || /#[ \t]*TODO/' "$log"
	ok=$(awk '/^[ \t]*ok / && !/#[ \t]*TODO/ { n++ } END { print n + 0 }' "$log")
	bad=$(awk '/^[ \t]*not ok / && !/#[ \t]*TODO/ { n++ } END { print n + 0 }' "$log")
	todos=$(awk '/^[ \t]*(not )?ok / && /#[ \t]*TODO/ { n++ } END { print n + 0 }' "$log")
	planned=$(awk '/^[ \t]*1\.\.[0-9]+/ { sub(/^[ \t]*1\.\./, ""); n += $0 + 0 } END { print n + 0 }' "$log")
	ran=$((ok + bad + todos))
	passed=$((passed + ok))
	failed=$((failed + bad))
	todo=$((todo + todos))
	if [ "$ran" -lt "$planned" ]; then
		echo "planned $planned, ran $ran: $((planned - ran)) counted as failed"
		failed=$((failed + planned - ran))
	elif [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "exited with status $rc: counted as failed"
		failed=$((failed + 1))
	fi
}

# The install script's parts, layered by dependency (TAP; no server needed).
echo "== SQL layers"
./test/sql_layers.sh >"$log" 2>&1
tap $?

installcheck "pg_regress suites" regression.diffs ISOLATION=
installcheck "isolation suites" output_iso/regression.diffs REGRESS=

# Every pg_regress suite alone, in a cluster without pg_cron (TAP).
echo "== pg_regress suites alone"
./test/standalone.sh "$pg_config" >"$log" 2>&1
tap $?

# pgTAP: every assertion counts.
echo "== pgTAP suites"
tapdb=healthscore_tap
dropdb --if-exists "$tapdb" >/dev/null 2>&1
createdb "$tapdb"
# the functions README.md documents: the first cells of its tables, paragraphs that start with a
# signature, and healthscore.name( anywhere, outside the Performance section (its baselines)
documented=$(perl -ne '
	if (/^## Performance/) { $skip = 1; next } if (/^## /) { $skip = 0 } next if $skip;
	if (/^\| (.*?) \|/) { my $cell = $1; $n{$2} = 1 while $cell =~ /`(healthscore\.)?([a-z_0-9]+)\(/g }
	$n{$1} = 1 if /^`([a-z_0-9]+)\(/;
	$n{$1} = 1 while /healthscore\.([a-z_0-9]+)\(/g;
	END { print join(",", sort keys %n) }' README.md)
pg_prove --verbose --failures -d "$tapdb" --set documented="$documented" test/pgtap/*.sql >"$log" 2>&1
tap $?
dropdb "$tapdb"

# pg_dump and pg_restore of a database with models and runs (TAP).
echo "== dump and restore"
./test/dump_restore.sh "$pg_config" >"$log" 2>&1
tap $?

# Upgrades from every released version, compared with a fresh install (TAP).
echo "== upgrade"
./test/upgrade/run.sh >"$log" 2>&1
tap $?

# postgres_fdw: shards as databases of the cluster, the refresh's aggregates pushed to them (TAP).
echo "== postgres_fdw"
./test/fdw.sh >"$log" 2>&1
tap $?

# CREATE EXTENSION against a schema an attacker prepared (TAP).
echo "== hostile install"
./test/hostile_install.sh >"$log" 2>&1
tap $?

# pg_cron end to end in clusters of its own, configured as README.md says (TAP).
echo "== pg_cron"
./test/cron.sh >"$log" 2>&1
tap $?

# The Debian package built with dpkg-buildpackage, installed into a copy of PostgreSQL 15 in a
# throwaway root with a cluster of its own; META.json (TAP).
echo "== package"
./test/package.sh "$pg_config" >"$log" 2>&1
tap $?

# What the demo promises, on its data: trends that tell the truth, hysteresis in bounds (TAP).
echo "== demo checks"
./test/demo_checks.sh >"$log" 2>&1
tap $?

# The reports of the demo in headless Chromium: no errors, the marks the views say, escaping (TAP).
echo "== browser"
./test/browser.sh >"$log" 2>&1
tap $?

# Random queries as a reader: no backend may crash (TAP).
echo "== sqlsmith"
./test/sqlsmith.sh >"$log" 2>&1
tap $?

[ "$todo" -gt 0 ] && echo "== $todo known failures (TODO), not counted"
echo "$passed $failed" >"$HS_COUNTS"
[ "$failed" -eq 0 ]

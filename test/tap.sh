# TAP for the shell suites (test/dump_restore.sh, test/hostile_install.sh, test/sqlsmith.sh,
# test/package.sh, test/upgrade/run.sh), which test/run_suites.sh counts. Sourced, not run, after the script has
# made its scratch directory $work.
#
#   tap_plan N       print the plan
#   ok / not_ok DESC one check passed or failed
#   diag             stdin as TAP diagnostics ("# " lines)
#   q DB SQL         one query, unaligned tuples only; its errors go to stderr as diagnostics
#   tap_done         the script's exit status: 1 when a check failed or the count is not the plan

tap_plan() {
	planned=$1
	n=0
	failures=0
	echo "1..$planned"
}

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	failures=$((failures + 1))
}

diag() { sed 's/^/# /'; }

q() {
	local out rc
	out=$(psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>"$work/q.err")
	rc=$?
	diag <"$work/q.err" >&2
	printf '%s\n' "$out"
	return $rc
}

tap_done() {
	if [ "$n" -ne "$planned" ]; then
		echo "# planned $planned checks, ran $n"
		return 1
	fi
	[ "$failures" -eq 0 ]
}

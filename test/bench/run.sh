#!/usr/bin/env bash
# make bench: healthscore against plain-SQL baselines, in a throwaway PostgreSQL 15 cluster.
#
#   test/bench/run.sh PG_CONFIG [SCALE] [SUITE...]
#   make bench                  SCALE=10: 10 million events, 100,000 accounts
#   make bench SCALE=1          quick run: 1 million events, 10,000 accounts
#
# SCALE is the number of events in millions (a decimal such as 0.1 works too); accounts are
# events / 100. Every suite reports RATIOS of our query to a baseline timed in the same session
# (test/bench/timing.sql), never absolute times as pass/fail: the machines are noisy 2-core boxes.
#
# Suites: a suite is a file test/bench/<name>.sql, run by psql after timing.sql in the database
# "bench" of the throwaway cluster, with the variables :scale :events :accounts :reps. Without
# SUITE arguments every test/bench/*.sql runs except the shared files timing.sql and setup*.sql
# (put a new suite's data builder in setup_<name>.sql and \ir it from the suite). Suites share
# one database, so a data set built by one suite (bench.events) is reused by the next.
#
# Exit status: non-zero when a comparison's two queries disagree (MISMATCH) or fail (ERROR), or
# when the cluster or a script fails. Targets missed are reported ("met? NO"), not failed on,
# unless BENCH_STRICT=1.
#
# Environment:
#   BENCH_SKIP_BUILD=1      do not build and install first (use what is installed)
#   BENCH_REPS=N            timed repetitions per side (default: 5 up to SCALE 2, 3 up to 20, else 1)
#   BENCH_SETTINGS='k=v ..' extra postgresql.conf settings for the cluster (pg_virtualenv -o),
#                           e.g. 'work_mem=64MB jit=off'; restart-only ones like shared_buffers work too
#   BENCH_STRICT=1          also exit non-zero when a target is missed
#
# The cluster gets autovacuum=off on top of test/lib.sh's settings: the benchmark data is
# VACUUM ANALYZEd once after loading and never changes, and a background vacuum of the catalogs
# (temporary tables come and go) would only add noise. Everything else is PostgreSQL's default,
# as users run it: work_mem 4MB, 2 parallel workers per gather, JIT on.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh

usage="usage: test/bench/run.sh PG_CONFIG [SCALE] [SUITE...]"
pg_config=${1:?$usage}
scale=${2:-}
[ -n "$scale" ] || scale=10
shift $(($# < 2 ? $# : 2))

if ! [[ $scale =~ ^[0-9]+([.][0-9]+)?$ ]]; then
	echo "bench: SCALE must be a number of millions of events, not '$scale'" >&2
	exit 2
fi
events=$(awk -v s="$scale" 'BEGIN { printf "%d", s * 1000000 + 0.5 }')
if [ "$events" -lt 100 ]; then
	echo "bench: SCALE $scale is too small (at least 100 events)" >&2
	exit 2
fi
accounts=$((events / 100))

if [ -n "${BENCH_REPS:-}" ]; then
	reps=$BENCH_REPS
elif awk -v s="$scale" 'BEGIN { exit !(s <= 2) }'; then
	reps=5
elif awk -v s="$scale" 'BEGIN { exit !(s <= 20) }'; then
	reps=3
else
	reps=1
fi
if ! [[ $reps =~ ^[1-9][0-9]*$ ]]; then
	echo "bench: BENCH_REPS must be a positive integer, not '$reps'" >&2
	exit 2
fi

if [ $# -gt 0 ]; then
	suites="$*"
else
	suites=$(for f in test/bench/*.sql; do
		name=$(basename "$f" .sql)
		case $name in timing | setup | setup_*) continue ;; esac
		echo "$name"
	done | tr '\n' ' ')
fi
for suite in $suites; do
	if [ ! -f "test/bench/$suite.sql" ]; then
		echo "bench: no suite test/bench/$suite.sql" >&2
		exit 2
	fi
done

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	build_and_install "$pg_config"
fi

cluster_opts=(-o 'autovacuum=off')
for setting in ${BENCH_SETTINGS:-}; do
	cluster_opts+=(-o "$setting")
done

export BENCH_SCALE=$scale BENCH_EVENTS=$events BENCH_ACCOUNTS=$accounts BENCH_REPS=$reps
export BENCH_SUITES=$suites BENCH_STRICT=${BENCH_STRICT:-0}
started=$SECONDS
rc=0
in_throwaway_cluster "${cluster_opts[@]}" ./test/bench/run_suites.sh || rc=$?
echo "bench: $((SECONDS - started)) s in all (SCALE $scale, suites: ${suites% })"
exit $rc

#!/usr/bin/env bash
# Runs inside the throwaway cluster of test/bench/run.sh (pg_virtualenv sets PGHOST, PGPORT,
# PGUSER, PGPASSWORD), which exports BENCH_SCALE, BENCH_EVENTS, BENCH_ACCOUNTS, BENCH_REPS,
# BENCH_SUITES and BENCH_STRICT. Creates database "bench" with the extension, prints the
# environment the ratios were measured in, runs each suite after test/bench/timing.sql, and
# exits non-zero when a comparison has a MISMATCH or an ERROR (or, with BENCH_STRICT=1, a missed
# target).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=bench

# psql prefixes the NOTICEs of a script (the progress lines of bench.compare) with
# "psql:FILE:LINE: NOTICE:"; only the message is of interest.
tidy() { sed -u -E 's/^psql:[^:]+:[0-9]+: NOTICE:  /  /'; }

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION healthscore'

echo "== environment"
psql -X -q -d "$db" -v ON_ERROR_STOP=1 -P expanded=on -P footer=off \
	-v scale="$BENCH_SCALE" -v events="$BENCH_EVENTS" -v accounts="$BENCH_ACCOUNTS" \
	-v reps="$BENCH_REPS" -v nproc="$(nproc)" <<'SQL'
SELECT :'scale' AS "scale (millions of events)",
	   :events AS events,
	   :accounts AS accounts,
	   :reps AS "repetitions per side",
	   pg_catalog.version() AS postgresql,
	   (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'healthscore') AS healthscore,
	   :nproc AS nproc,
	   pg_catalog.current_setting('work_mem') AS work_mem,
	   pg_catalog.current_setting('hash_mem_multiplier') AS hash_mem_multiplier,
	   pg_catalog.current_setting('shared_buffers') AS shared_buffers,
	   pg_catalog.current_setting('max_parallel_workers_per_gather') AS max_parallel_workers_per_gather,
	   pg_catalog.current_setting('jit') AS jit;
SQL

for suite in $BENCH_SUITES; do
	PGOPTIONS="-c bench.suite=$suite" psql -X -q -d "$db" -v ON_ERROR_STOP=1 \
		-v scale="$BENCH_SCALE" -v events="$BENCH_EVENTS" -v accounts="$BENCH_ACCOUNTS" \
		-v reps="$BENCH_REPS" \
		-f test/bench/timing.sql -f "test/bench/$suite.sql" 2>&1 | tidy
done

read -r compared skipped mismatches errors met targets < <(psql -X -At -F ' ' -d "$db" -c "
	SELECT pg_catalog.count(*) FILTER (WHERE ours_ms IS NOT NULL),
		   pg_catalog.count(*) FILTER (WHERE status LIKE 'skipped%'),
		   pg_catalog.count(*) FILTER (WHERE status LIKE 'MISMATCH%'),
		   pg_catalog.count(*) FILTER (WHERE status LIKE 'ERROR%'),
		   pg_catalog.count(*) FILTER (WHERE met),
		   pg_catalog.count(met)
	FROM bench.results")
echo
echo "bench: $compared compared, $skipped skipped, $mismatches mismatches, $errors errors;" \
	"targets met: $met of $targets"
[ "$mismatches" -eq 0 ] && [ "$errors" -eq 0 ] || exit 1
[ "$BENCH_STRICT" != 1 ] || [ "$met" -eq "$targets" ] || exit 1

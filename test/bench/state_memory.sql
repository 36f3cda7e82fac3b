-- test/bench/state_memory.sql: benchmark suite "state_memory". What the exact-set state costs a
-- query grouped by account: memory per group, and what a hash aggregate spills to disk when the
-- groups do not fit in work_mem, for healthscore 0.2.0 (exact_set: small sets flat and sorted,
-- large ones hash sets) against 0.1.0's internal hash sets, measured in the same run. The same
-- shared library serves both (it keeps 0.1.0's interface for installations not yet updated), so
-- the comparison is of the two state representations and nothing else.
--
-- Data: :accounts accounts of 40 events each by about 22 distinct users (users drawn from 30),
-- the "100,000 groups of a few dozen keys" of issue 18 at SCALE 10. The query is
-- distinct_count(user_id) grouped by account, as the refresh runs it (parallel as PostgreSQL
-- chooses), at work_mem 4MB (the default; hash_mem_multiplier 2) and 256MB. Reported per version
-- and setting: execution time, batches, and the peak memory and disk use of every hash aggregate
-- of the plan summed (the partial ones of the leader and each worker, and the finalizing one,
-- which holds every account again); then 0.2.0 / 0.1.0.
--
-- What to expect: at 256MB everything fits and the smaller states show as less memory and time.
-- At 4MB, 100,000 groups do not fit in either form (the keys alone are ~180 bytes a group), and a
-- hash aggregate that is full spills its input rows, not its states, so the disk use hardly
-- changes; the time falls a little, as more groups fit before the first spill.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
\echo
\echo == suite state_memory: :accounts accounts x 40 events, distinct_count(user_id) GROUP BY account

DROP DATABASE IF EXISTS bench_state_010;
CREATE DATABASE bench_state_010;

-- the measurement, defined in both databases: EXPLAIN ANALYZE's own counters of the query
\set measure_sql 'CREATE OR REPLACE FUNCTION pg_temp.measure(work_mem text, OUT ms float8, OUT batches bigint, OUT peak_kb bigint, OUT disk_kb bigint) LANGUAGE plpgsql AS $m$ DECLARE plan jsonb; BEGIN PERFORM pg_catalog.set_config(''work_mem'', work_mem, true); EXECUTE ''EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) SELECT e.account_id, healthscore.distinct_count(e.user_id) FROM state_events AS e GROUP BY e.account_id'' INTO plan; ms := (plan->0->>''Execution Time'')::float8; SELECT pg_catalog.max((a->>''HashAgg Batches'')::bigint), pg_catalog.sum((a->>''Peak Memory Usage'')::bigint), pg_catalog.sum((a->>''Disk Usage'')::bigint) INTO batches, peak_kb, disk_kb FROM pg_catalog.jsonb_path_query(plan, ''strict $.** ? (exists (@."HashAgg Batches"))'') AS a; SELECT batches + 0, peak_kb + COALESCE(pg_catalog.sum((w->>''Peak Memory Usage'')::bigint), 0), disk_kb + COALESCE(pg_catalog.sum((w->>''Disk Usage'')::bigint), 0) INTO batches, peak_kb, disk_kb FROM pg_catalog.jsonb_path_query(plan, ''strict $.** ? (exists (@."HashAgg Batches")).Workers[*]'') AS w; END $m$'
\set data_sql 'CREATE TABLE state_events AS SELECT 1 + i / 40 AS account_id, (pg_catalog.hashint4(i) & 1048575) % 30 + 1000 * (i / 40)::bigint AS user_id FROM pg_catalog.generate_series(0, ' :accounts ' * 40 - 1) AS i; VACUUM ANALYZE state_events'

\c bench_state_010
CREATE EXTENSION healthscore VERSION '0.1.0';
SET client_min_messages = warning;
:data_sql;
:measure_sql;
SELECT ms AS v010_4mb_ms, batches AS v010_4mb_batches, peak_kb AS v010_4mb_peak, disk_kb AS v010_4mb_disk
FROM pg_temp.measure('4MB') \gset
SELECT ms AS v010_256mb_ms, batches AS v010_256mb_batches, peak_kb AS v010_256mb_peak, disk_kb AS v010_256mb_disk
FROM pg_temp.measure('256MB') \gset

\c bench
SET client_min_messages = warning;
DROP TABLE IF EXISTS state_events;
:data_sql;
:measure_sql;
SELECT ms AS v020_4mb_ms, batches AS v020_4mb_batches, peak_kb AS v020_4mb_peak, disk_kb AS v020_4mb_disk
FROM pg_temp.measure('4MB') \gset
SELECT ms AS v020_256mb_ms, batches AS v020_256mb_batches, peak_kb AS v020_256mb_peak, disk_kb AS v020_256mb_disk
FROM pg_temp.measure('256MB') \gset
DROP TABLE state_events;
DROP DATABASE bench_state_010;

SELECT s.setting AS work_mem, s.version, s.ms::numeric(10, 0) AS ms, s.batches, s.peak_kb, s.disk_kb,
       (s.peak_kb * 1024.0 / :accounts)::numeric(10, 0) AS peak_bytes_per_account_all_aggregates
FROM (VALUES ('4MB', '0.1.0 internal', :v010_4mb_ms, :v010_4mb_batches, :v010_4mb_peak, :v010_4mb_disk),
             ('4MB', '0.2.0 exact_set', :v020_4mb_ms, :v020_4mb_batches, :v020_4mb_peak, :v020_4mb_disk),
             ('256MB', '0.1.0 internal', :v010_256mb_ms, :v010_256mb_batches, :v010_256mb_peak, :v010_256mb_disk),
             ('256MB', '0.2.0 exact_set', :v020_256mb_ms, :v020_256mb_batches, :v020_256mb_peak, :v020_256mb_disk))
     AS s(setting, version, ms, batches, peak_kb, disk_kb);
SELECT '4MB' AS work_mem,
       (:v020_4mb_ms / :v010_4mb_ms)::numeric(6, 2) AS time_ratio,
       (:v020_4mb_disk::float8 / NULLIF(:v010_4mb_disk, 0))::numeric(6, 2) AS spill_ratio,
       (:v020_4mb_peak::float8 / :v010_4mb_peak)::numeric(6, 2) AS peak_ratio
UNION ALL
SELECT '256MB', (:v020_256mb_ms / :v010_256mb_ms)::numeric(6, 2),
       (:v020_256mb_disk::float8 / NULLIF(:v010_256mb_disk, 0))::numeric(6, 2),
       (:v020_256mb_peak::float8 / :v010_256mb_peak)::numeric(6, 2);

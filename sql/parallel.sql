-- Parallel aggregation: a forced parallel plan must use the combine function (Partial Aggregate)
-- and give exactly the serial result, also when a worker sees no rows.
\ir sql/include/setup.sql
CREATE TABLE parallel_data AS
SELECT i AS id, i % 50 AS account_id, (i * 37 % 101)::float8 AS points, (1 + i % 9)::float8 AS weight
FROM generate_series(1, 200000) AS i;
ANALYZE parallel_data;

-- serial results first
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_total AS
SELECT healthscore.weighted_score(points, weight) AS score FROM parallel_data;
CREATE TEMP TABLE serial_grouped AS
SELECT account_id, healthscore.weighted_score(points, weight) AS score FROM parallel_data GROUP BY account_id;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT healthscore.weighted_score(points, weight) FROM parallel_data;
-- whole numbers: every partial sum is exact, so the parallel result must be identical
SELECT p.score = s.score AS parallel_equals_serial, p.score
FROM (SELECT healthscore.weighted_score(points, weight) AS score FROM parallel_data) AS p, serial_total AS s;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT account_id, healthscore.weighted_score(points, weight) FROM parallel_data GROUP BY account_id;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.score = s.score) AS groups_equal
FROM (SELECT account_id, healthscore.weighted_score(points, weight) AS score
      FROM parallel_data GROUP BY account_id) AS p
JOIN serial_grouped AS s USING (account_id);
RESET enable_hashagg;

-- a worker with no rows: only ids 1-100 qualify and they all sit in the table's first block.
-- With the leader not participating, one worker scans that block and the other finds nothing,
-- so its partial aggregate is the initial state and the combine function merges an empty side.
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT healthscore.weighted_score(points, weight) FROM parallel_data WHERE id <= 100;
SELECT healthscore.weighted_score(points, weight) AS score,
       healthscore.weighted_score(points, weight) = sum(weight * points) / sum(weight) AS equals_formula
FROM parallel_data WHERE id <= 100;
-- and when no row qualifies anywhere, NULL as in the serial case
EXPLAIN (COSTS OFF) SELECT healthscore.weighted_score(points, weight) FROM parallel_data WHERE id < 0;
SELECT healthscore.weighted_score(points, weight) IS NULL AS empty_is_null FROM parallel_data WHERE id < 0;
RESET ALL;
DROP TABLE parallel_data;

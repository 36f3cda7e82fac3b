-- auc(score, churned): exact ROC AUC against a rank-based reference (Mann-Whitney U with average
-- ranks for ties): many ties, exact small cases, infinities, NULLs, empty classes, parallel plans.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
\ir sql/include/mann_whitney.sql

-- 37 distinct scores over 5,000 rows: many ties; low scores churn more often
CREATE TABLE auc_data AS
SELECT i, (i * 7919 % 37)::float8 AS score,
       (i * 104729 % 100) < CASE WHEN i * 7919 % 37 < 12 THEN 45 ELSE 20 END AS churned
FROM generate_series(1, 5000) AS i;
SELECT round(healthscore.auc(score, churned)::numeric, 12) AS auc,
       abs(healthscore.auc(score, churned) - mann_whitney_auc('SELECT score, churned FROM auc_data')) < 1e-12
         AS equals_reference
FROM auc_data;
SELECT count(*) AS groups, count(*) FILTER (WHERE abs(a - mann_whitney_auc(
         format('SELECT score, churned FROM auc_data WHERE i %% 4 = %s', g))) < 1e-12) AS equal_to_reference
FROM (SELECT i % 4 AS g, healthscore.auc(score, churned) AS a FROM auc_data GROUP BY 1) AS per_group;
-- exact small cases: perfect, reversed, all tied, ties counting one half
SELECT healthscore.auc(s, c) AS perfect FROM (VALUES (1, true), (2, true), (3, false), (4, false)) AS x(s, c);
SELECT healthscore.auc(s, c) AS reversed FROM (VALUES (1, false), (2, false), (3, true), (4, true)) AS x(s, c);
SELECT healthscore.auc(s, c) AS all_tied FROM (VALUES (5, false), (5, true), (5, true)) AS x(s, c);
SELECT healthscore.auc(s, c) AS seven_eighths FROM (VALUES (1, true), (2, false), (2, true), (3, false)) AS x(s, c);
-- infinities order like numbers; NULL rows are skipped; one class empty or no rows: NULL
SELECT healthscore.auc(s, c) AS with_infinity FROM (VALUES ('-infinity'::float8, true), ('infinity', false)) AS x(s, c);
SELECT healthscore.auc(s, c) AS nulls_skipped FROM (VALUES (1, true), (NULL, false), (2, NULL), (3, false)) AS x(s, c);
SELECT healthscore.auc(s, c) IS NULL AS only_churned FROM (VALUES (1, true), (2, true)) AS x(s, c);
SELECT healthscore.auc(s, c) IS NULL AS only_retained FROM (VALUES (1, false)) AS x(s, c);
SELECT healthscore.auc(score, churned) IS NULL AS no_rows FROM auc_data WHERE false;
SELECT * FROM error_of($$SELECT healthscore.auc('nan', true)$$);
-- a forced parallel plan (serialize, deserialize, combine) gives the same exact value
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE auc_big AS SELECT i, (i::bigint * 7919 % 1009)::float8 / 10 AS score, (i::bigint * 104729 % 7) = 0 AS churned
FROM generate_series(1, 200000) AS i;
ANALYZE auc_big;
EXPLAIN (COSTS OFF) SELECT healthscore.auc(score, churned) FROM auc_big;
SELECT healthscore.auc(score, churned) = mann_whitney_auc('SELECT score, churned FROM auc_big') AS parallel_equals_reference
FROM auc_big;
SET parallel_leader_participation = off;
SELECT healthscore.auc(score, churned) = mann_whitney_auc('SELECT score, churned FROM auc_big WHERE i <= 150')
       AS worker_without_rows_ok
FROM auc_big WHERE i <= 150;
RESET ALL;
SET TimeZone = 'UTC';
DROP TABLE auc_big;
DROP TABLE auc_data;
DROP FUNCTION mann_whitney_auc(text);

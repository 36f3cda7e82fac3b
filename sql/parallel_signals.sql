-- The signal aggregates in forced parallel plans: Partial Aggregate (combine, and for the
-- internal-state ones serialize/deserialize between processes), equal to the serial result,
-- also when a worker sees no rows.
\ir sql/include/setup.sql
CREATE TABLE signal_events AS
SELECT i AS id, i % 40 AS account_id, (i % 40) * 1000 + (i * 7919 % 97) AS user_id,
       'u' || (i * 7919 % 97) AS user_name, md5((i * 7919 % 97)::text)::uuid AS user_uuid,
       timestamptz '2026-01-01 00:00+00' + (i * interval '7 minutes') AS at,
       (i % 40) * 0.5 + (i * 31 % 17) AS value,
       CASE WHEN i % 7 = 0 THEN i * 13 % 11 END AS rating,
       (i % 40 + 1) * 100.0 AS start_arr, CASE WHEN i % 9 <> 0 THEN (i * 37 % 300)::numeric END AS end_arr
FROM generate_series(1, 200000) AS i;
ANALYZE signal_events;

CREATE VIEW signals_by_account AS
SELECT account_id,
       healthscore.trend(value, at) AS trend,
       healthscore.relative_trend(value, at) AS relative_trend,
       healthscore.nps(rating) AS nps,
       healthscore.distinct_count(user_id) AS users,
       healthscore.distinct_count(user_name) AS user_names,
       healthscore.distinct_count(user_uuid) AS user_uuids,
       healthscore.stickiness(user_id, at) AS stickiness,
       healthscore.net_retention(start_arr, end_arr) AS net_retention,
       healthscore.gross_retention(start_arr, end_arr) AS gross_retention
FROM signal_events GROUP BY account_id;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_result AS SELECT * FROM signals_by_account;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT * FROM signals_by_account;
-- counts and numeric sums are exact; float slopes depend on the order of combination in their
-- last digits (seen: up to 1.4e-12 relative here), so they are held to the 1e-9 relative that
-- trend() promises against regr_slope()
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE abs(p.trend - s.trend) <= 1e-9 * abs(s.trend)
                          AND abs(p.relative_trend - s.relative_trend) <= 1e-9 * abs(s.relative_trend)
                          AND p.nps = s.nps
                          AND p.users = s.users AND p.user_names = s.user_names AND p.user_uuids = s.user_uuids
                          AND p.stickiness = s.stickiness
                          AND p.net_retention = s.net_retention
                          AND p.gross_retention = s.gross_retention) AS parallel_equals_serial
FROM signals_by_account AS p JOIN serial_result AS s USING (account_id);
RESET enable_hashagg;

-- ungrouped, with a worker that sees no rows: only ids 1-100 (the first block) qualify and the
-- leader does not participate, so one worker returns empty states for the combine step
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT healthscore.distinct_count(user_id), healthscore.stickiness(user_id, at) FROM signal_events WHERE id <= 100;
SELECT healthscore.distinct_count(user_id) = count(DISTINCT user_id) AS distinct_ok,
       healthscore.distinct_count(user_name) = count(DISTINCT user_name) AS text_ok,
       healthscore.distinct_count(user_uuid) = count(DISTINCT user_uuid) AS uuid_ok,
       healthscore.nps(rating) AS nps,
       abs(healthscore.trend(value, at) / regr_slope(value, extract(epoch FROM at) / 86400) - 1) < 1e-9 AS trend_ok,
       healthscore.stickiness(user_id, at) AS stickiness
FROM signal_events WHERE id <= 100;
-- no qualifying row anywhere: the aggregates' empty results
SELECT healthscore.distinct_count(user_id) AS distinct_count, healthscore.stickiness(user_id, at) IS NULL AS stickiness_null,
       healthscore.nps(rating) IS NULL AS nps_null, healthscore.trend(value, at) IS NULL AS trend_null,
       healthscore.net_retention(start_arr, end_arr) IS NULL AS retention_null
FROM signal_events WHERE id < 0;
RESET ALL;
DROP VIEW signals_by_account;
DROP TABLE signal_events;

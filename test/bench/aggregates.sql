-- test/bench/aggregates.sql: benchmark suite "aggregates". healthscore's aggregates against the
-- plain SQL a user would write instead, grouped by account over bench.events (setup.sql).
--
-- Run by test/bench/run.sh (make bench), which loads timing.sql first and passes
--   :events :accounts  size of bench.events       :reps  timed repetitions per side
--
-- Each row of the report is one bench.compare(): both queries return (account_id, value), their
-- results must agree (tolerance for floats), and the ratio ours / baseline is checked against
-- the target of the issue:
--   trend, nps          within 1.1x of the plain-SQL equivalent (ratio <= 1.1)
--   distinct_count,     at least 3x faster than count(DISTINCT ...) and the SQL formula
--   stickiness          (speedup = baseline / ours >= 3)
--   weighted_score      no target; it exists already and keeps the harness honest end to end
-- A comparison whose healthscore function does not exist yet is reported as skipped.
-- Everything runs with the cluster's settings: parallel query as PostgreSQL chooses; the plan
-- columns say what it chose for each side.

\set ON_ERROR_STOP 1
\ir setup.sql
SET client_min_messages = notice;

\echo
\echo == suite aggregates: :events events, :accounts accounts, :reps repetitions per side

SELECT label, status FROM bench.compare(
	'weighted_score(points, weight)',
	$$SELECT account_id,
			 healthscore.weighted_score(GREATEST(0.0, LEAST(100.0, value)), (1 + user_id % 5)::float8)
	  FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id,
			 pg_catalog.sum((1 + user_id % 5)::float8 * GREATEST(0.0, LEAST(100.0, value)))
			 / NULLIF(pg_catalog.sum((1 + user_id % 5)::float8), 0)
	  FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, tolerance => 1e-9,
	requires => 'healthscore.weighted_score') \gset

SELECT label, status FROM bench.compare(
	'trend(value, ts)',
	$$SELECT account_id, healthscore.trend(value, ts) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id, pg_catalog.regr_slope(value, extract(epoch FROM ts) / 86400)
	  FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, tolerance => 1e-9, max_ratio => 1.1,
	requires => 'healthscore.trend') \gset

SELECT label, status FROM bench.compare(
	'nps(rating)',
	$$SELECT account_id, healthscore.nps(rating) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id,
			 100.0 * (pg_catalog.count(*) FILTER (WHERE rating >= 9) - pg_catalog.count(*) FILTER (WHERE rating <= 6))
			 / NULLIF(pg_catalog.count(rating), 0)
	  FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, tolerance => 1e-9, max_ratio => 1.1,
	requires => 'healthscore.nps') \gset

-- The floor: the same grouped scan with count(*) instead of a distinct count. No aggregate can
-- run faster than this, so its speedup over count(DISTINCT) bounds what distinct_count can reach
-- (the results differ by design; tolerance 'infinity' records the time without comparing).
SELECT label, status FROM bench.compare(
	'floor: count(*) GROUP BY (bound)',
	$$SELECT account_id, pg_catalog.count(*) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id, pg_catalog.count(DISTINCT user_id) FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, tolerance => 'infinity') \gset

SELECT label, status FROM bench.compare(
	'distinct_count(user_id bigint)',
	$$SELECT account_id, healthscore.distinct_count(user_id) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id, pg_catalog.count(DISTINCT user_id) FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, min_speedup => 3,
	requires => 'healthscore.distinct_count') \gset

SELECT label, status FROM bench.compare(
	'distinct_count(user_name text)',
	$$SELECT account_id, healthscore.distinct_count(user_name) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id, pg_catalog.count(DISTINCT user_name) FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, min_speedup => 3,
	requires => 'healthscore.distinct_count') \gset

SELECT label, status FROM bench.compare(
	'distinct_count(user_uuid uuid)',
	$$SELECT account_id, healthscore.distinct_count(user_uuid) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id, pg_catalog.count(DISTINCT user_uuid) FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, min_speedup => 3,
	requires => 'healthscore.distinct_count') \gset

-- stickiness = average daily active users / distinct users, over the UTC days from the first to
-- the last event inclusive (days without events count as 0 DAU).
SELECT label, status FROM bench.compare(
	'stickiness(user_id, ts)',
	$$SELECT account_id, healthscore.stickiness(user_id, ts) FROM bench.events GROUP BY account_id$$,
	$$SELECT account_id,
			 pg_catalog.count(DISTINCT (user_id, (ts AT TIME ZONE 'UTC')::date))::float8
			 / (((pg_catalog.max(ts AT TIME ZONE 'UTC'))::date - (pg_catalog.min(ts AT TIME ZONE 'UTC'))::date + 1)
				* pg_catalog.count(DISTINCT user_id))
	  FROM bench.events GROUP BY account_id$$,
	repetitions => :reps, tolerance => 1e-9, min_speedup => 3,
	requires => 'healthscore.stickiness') \gset

\echo
SELECT label, "ours ms", "baseline ms", ratio, speedup, target, "met?", result, "ours plan", "baseline plan"
FROM bench.report
WHERE suite = pg_catalog.current_setting('bench.suite', true);

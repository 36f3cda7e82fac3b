-- test/bench/validation.sql: benchmark suite "validation". auc() and logistic_fit() at scale.
--
--   auc over every event (:events rows), against the rank-based Mann-Whitney formula in plain SQL
--   (a window rank over all rows); both must agree to 1e-12.
--   logistic_fit over 100,000 rows x 10 features (the issue: "in about a second"), against one
--   plain pass over the same rows (sum of the features), so the ratio says how many passes' worth
--   of time the Newton iterations cost. Its time is also printed on its own.

\set ON_ERROR_STOP 1
\ir setup.sql
SET client_min_messages = notice;

\echo
\echo == suite validation: auc over :events rows, logistic_fit over 100000 rows x 10 features

SELECT label, status FROM bench.compare(
	'auc(score, churned) exact',
	$$SELECT 1, healthscore.auc(value, user_id % 7 = 0) FROM bench.events$$,
	$$WITH ranked AS (SELECT user_id % 7 = 0 AS churned,
	                         pg_catalog.rank() OVER w + (pg_catalog.count(*) OVER p - 1) / 2.0 AS mid_rank
	                  FROM bench.events WINDOW w AS (ORDER BY value), p AS (PARTITION BY value))
	  SELECT 1, ((pg_catalog.sum(mid_rank) FILTER (WHERE NOT churned)
	              - pg_catalog.count(*) FILTER (WHERE NOT churned) * (pg_catalog.count(*) FILTER (WHERE NOT churned) + 1) / 2.0)
	             / (pg_catalog.count(*) FILTER (WHERE NOT churned) * pg_catalog.count(*) FILTER (WHERE churned)))::float8
	  FROM ranked$$,
	repetitions => greatest(1, :reps - 2), tolerance => 1e-12,
	requires => 'healthscore.auc') \gset

DROP TABLE IF EXISTS bench.fit_rows;
CREATE UNLOGGED TABLE bench.fit_rows AS
SELECT i, ARRAY(SELECT ((pg_catalog.hashint8extended(i * 16 + j, 21) & 1048575) / 524288.0 - 1)::float8
                FROM pg_catalog.generate_series(1, 10) AS j) AS features
FROM pg_catalog.generate_series(1, 100000) AS i;
ALTER TABLE bench.fit_rows ADD COLUMN outcome boolean;
UPDATE bench.fit_rows SET outcome = (pg_catalog.hashint8extended(i, 22) & 1048575) / 1048576.0
	< 1 / (1 + exp(-(-1 + features[1] - 0.8 * features[2] + 0.5 * features[3] - 0.3 * features[4])));
VACUUM ANALYZE bench.fit_rows;

SELECT label, status FROM bench.compare(
	'logistic_fit 100k rows x 10 features',
	$$SELECT 1, (healthscore.logistic_fit(outcome, features)).log_likelihood FROM bench.fit_rows$$,
	$$SELECT 1, pg_catalog.sum(features[1] + features[2] + features[3] + features[4] + features[5]
	                          + features[6] + features[7] + features[8] + features[9] + features[10]) FROM bench.fit_rows$$,
	repetitions => :reps, tolerance => 'infinity',
	requires => 'healthscore.logistic_fit') \gset

\echo
SELECT label, "ours ms", "baseline ms", ratio, speedup, target, "met?", result, "ours plan", "baseline plan"
FROM bench.report
WHERE suite = pg_catalog.current_setting('bench.suite', true);

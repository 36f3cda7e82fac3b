-- weighted_score(points, weight): weighted mean, rows with NULL points or weight skipped.
\ir sql/include/setup.sql
SELECT healthscore.weighted_score(p, w) AS mean FROM (VALUES (100, 1), (0, 3)) AS t(p, w);
-- a missing signal's weight is redistributed to the others
SELECT healthscore.weighted_score(p, w) AS missing_skipped
FROM (VALUES (100, 1), (0, 3), (NULL, 5), (50, NULL)) AS t(p, w);
-- no positive weight, no rows, only NULLs: NULL
SELECT healthscore.weighted_score(p, w) IS NULL AS zero_weights FROM (VALUES (80, 0), (20, 0)) AS t(p, w);
SELECT healthscore.weighted_score(p, w) IS NULL AS no_rows FROM (VALUES (80, 1)) AS t(p, w) WHERE false;
SELECT healthscore.weighted_score(NULL, NULL) IS NULL AS only_nulls;
-- a zero weight counts nothing; exact boundaries of the points scale
SELECT healthscore.weighted_score(p, w) AS zero_weight_ignored FROM (VALUES (80, 0), (20, 2)) AS t(p, w);
SELECT healthscore.weighted_score(p, 1) AS all_100 FROM (VALUES (100), (100), (100)) AS t(p);
SELECT healthscore.weighted_score(p, 1) AS all_0 FROM (VALUES (0), (0)) AS t(p);
-- grouped, against the formula written by hand on deterministic data
CREATE TABLE ws_data AS
SELECT i % 7 AS account_id, (i * 37 % 101)::float8 AS points, (1 + i * 13 % 9)::float8 / 4 AS weight
FROM generate_series(1, 5000) AS i;
SELECT account_id, healthscore.weighted_score(points, weight) AS score,
       healthscore.weighted_score(points, weight) = sum(weight * points) / sum(weight) AS equals_formula
FROM ws_data GROUP BY account_id ORDER BY account_id;
-- compensated sums: one huge weight beside many small ones loses nothing; the plain float8
-- formula drops every +1 next to 1e16 and is visibly off
SELECT healthscore.weighted_score(p, w) AS compensated,
       healthscore.weighted_score(p, w) = (100.0 * 10000 / (1e16 + 10000))::float8 AS equals_exact,
       sum(w * p) / sum(w) AS plain_formula
FROM (SELECT 0::float8 AS p, 1e16::float8 AS w UNION ALL
      SELECT 100, 1 FROM generate_series(1, 10000)) AS t;
-- bad input
SELECT * FROM error_of($$SELECT healthscore.weighted_score(50, -1)$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score(50, 'nan')$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score(50, 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score('nan', 1)$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score(101, 1)$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score(-0.5, 1)$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score('infinity', 1)$$);
SELECT * FROM error_of($$SELECT healthscore.weighted_score(50, w) FROM (VALUES (1e308), (1e308)) AS t(w)$$);
-- the support functions called directly: states are checked for shape, combine with an empty side
SELECT healthscore_internal.weighted_score_final(
	healthscore_internal.weighted_score_combine(healthscore_internal.weighted_score_accum('{0,0,0,0}', 80, 2), '{0,0,0,0}')) AS combine_empty_right,
       healthscore_internal.weighted_score_final(
	healthscore_internal.weighted_score_combine('{0,0,0,0}', healthscore_internal.weighted_score_accum('{0,0,0,0}', 80, 2))) AS combine_empty_left;
SELECT healthscore_internal.weighted_score_accum('{0,0,0,0}', 80, 2) AS state_after_one_row;
SELECT * FROM error_of($$SELECT healthscore_internal.weighted_score_final('{1,2}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.weighted_score_final('{1,0,NULL,0}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.weighted_score_final('{{1,0},{2,0}}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.weighted_score_final('{1,0,nan,0}')$$);
-- states no transition makes: negative weighted points, points above 100 per unit of weight, a
-- negative weight (0.1.0 returned 0, 100 and NULL for these)
SELECT * FROM error_detail_of($$SELECT healthscore_internal.weighted_score_final('{1,0,-500,0}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.weighted_score_final('{1,0,500,0}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.weighted_score_final('{-1,0,0,0}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.weighted_score_combine('{1,0,50,0}', '{1,0,-50,0}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.weighted_score_combine('{1,0,2,0}', '{1,0,2}')$$);
DROP TABLE ws_data;

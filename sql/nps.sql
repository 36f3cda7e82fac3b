-- nps(rating): % promoters (9-10) minus % detractors (0-6)
\ir sql/include/setup.sql
SELECT healthscore.nps(r) AS all_ratings FROM generate_series(0, 10) AS r;
SELECT healthscore.nps(r) AS all_promoters FROM (VALUES (9), (10)) AS x(r);
SELECT healthscore.nps(r) AS all_detractors FROM (VALUES (0), (6)) AS x(r);
SELECT healthscore.nps(r) AS passives_only FROM (VALUES (7), (8)) AS x(r);
SELECT healthscore.nps(r) AS nulls_skipped FROM (VALUES (10), (NULL), (0), (8)) AS x(r);
SELECT healthscore.nps(r) IS NULL AS no_rows FROM (VALUES (10)) AS x(r) WHERE false;
SELECT healthscore.nps(NULL) IS NULL AS only_null;
-- grouped, against the count(*) FILTER formula
CREATE TABLE nps_responses AS
SELECT i % 13 AS account_id, (i * 7 % 11) AS rating FROM generate_series(1, 5000) AS i;
SELECT account_id, healthscore.nps(rating) AS nps,
       healthscore.nps(rating) = 100.0 * (count(*) FILTER (WHERE rating >= 9) - count(*) FILTER (WHERE rating <= 6))
                                 / count(rating) AS equals_formula
FROM nps_responses GROUP BY account_id ORDER BY account_id;
-- a rating outside 0..10 is an error naming the value
SELECT * FROM error_of($$SELECT healthscore.nps(11)$$);
SELECT * FROM error_of($$SELECT healthscore.nps(-1)$$);
-- support functions
SELECT healthscore_internal.nps_final(healthscore_internal.nps_combine(healthscore_internal.nps_accum('{0,0,0}', 10), '{0,0,0}')) AS combine_empty_right,
       healthscore_internal.nps_final(healthscore_internal.nps_combine('{0,0,0}', healthscore_internal.nps_accum('{0,0,0}', 3))) AS combine_empty_left;
SELECT * FROM error_of($$SELECT healthscore_internal.nps_final('{1,2}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.nps_final('{1,2,3}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.nps_combine('{1,1,0}', '{1,-1,0}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.nps_final('{1,9223372036854775807,1}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.nps_combine('{-1,0,0}', '{1,1,0}')$$);
-- counting past the largest bigint is an error, not a wrap to negative counts
SELECT * FROM error_of($$SELECT healthscore_internal.nps_accum('{9223372036854775807,0,0}', 5)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.nps_combine('{9223372036854775807,0,0}', '{1,0,0}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.nps_accum('{1,2,0}', 5)$$);
DROP TABLE nps_responses;

-- net_retention, gross_retention (percent over a cohort) and lifetime_value
\ir sql/include/setup.sql
CREATE TABLE cohort (account_id int, start_arr numeric, end_arr numeric);
INSERT INTO cohort VALUES
  (1, 1000, 1200),   -- expansion
  (2, 1000, 800),    -- contraction
  (3, 500, NULL),    -- churned: NULL end counts as 0
  (4, 500, 0),       -- churned
  (5, NULL, 300),    -- not in the starting cohort (new)
  (6, 0, 300),       -- not in the starting cohort
  (7, 2000, 2000);   -- flat
SELECT healthscore.net_retention(start_arr, end_arr) AS net,
       healthscore.gross_retention(start_arr, end_arr) AS gross,
       healthscore.net_retention(start_arr, end_arr) = 100 * (1200 + 800 + 0 + 0 + 2000) / 5000.0 AS net_ok,
       healthscore.gross_retention(start_arr, end_arr) = 100 * (1000 + 800 + 0 + 0 + 2000) / 5000.0 AS gross_ok
FROM cohort;
-- gross never above 100, net can be
SELECT healthscore.net_retention(s, e) AS net, healthscore.gross_retention(s, e) AS gross
FROM (VALUES (100::numeric, 150::numeric), (100, 130)) AS x(s, e);
-- an empty cohort has no retention
SELECT healthscore.net_retention(s, e) IS NULL AS empty_net, healthscore.gross_retention(s, e) IS NULL AS empty_gross
FROM (VALUES (NULL::numeric, 10::numeric), (-5, 10)) AS x(s, e);
SELECT healthscore.net_retention(start_arr, end_arr) IS NULL AS no_rows FROM cohort WHERE false;
SELECT * FROM error_of($$SELECT healthscore.net_retention(100, -1)$$);
SELECT * FROM error_of($$SELECT healthscore.gross_retention('NaN', 1)$$);
SELECT * FROM error_of($$SELECT healthscore.net_retention(100, 'Infinity')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.net_retention_final('{1,2}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.net_retention_final('{1,NaN,2}')$$);
-- kept revenue above the start (0.1.0 returned 50000 percent), negative sums
SELECT * FROM error_detail_of($$SELECT healthscore_internal.gross_retention_final('{1,0,500}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.net_retention_final('{-1,0,0}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.retention_combine('{1,1,1}', '{1,0,2}')$$);
-- the transition function is not strict (a NULL end counts): a NULL state is an error, not a crash
SELECT * FROM error_of($$SELECT healthscore_internal.retention_accum(NULL, 1, 1)$$);
SELECT healthscore_internal.net_retention_final(healthscore_internal.retention_combine(
         healthscore_internal.retention_accum('{0,0,0}', 100, 90), '{0,0,0}')) AS combine_empty_right;

-- lifetime_value(arpa, churn_rate, gross_margin DEFAULT 1)
SELECT healthscore.lifetime_value(1000, 0.05) AS ltv, healthscore.lifetime_value(1000, 0.05, 0.8) AS ltv_margin,
       healthscore.lifetime_value(1000, 0) IS NULL AS no_churn_no_value, healthscore.lifetime_value(1000, 1, 0) AS zero_margin;
SELECT * FROM error_of($$SELECT healthscore.lifetime_value(1000, 1.5)$$);
SELECT * FROM error_of($$SELECT healthscore.lifetime_value(1000, -0.1)$$);
SELECT * FROM error_of($$SELECT healthscore.lifetime_value(1000, 'nan')$$);
SELECT * FROM error_of($$SELECT healthscore.lifetime_value(1000, 0.1, 2)$$);
SELECT * FROM error_of($$SELECT healthscore.lifetime_value('NaN', 0.1)$$);
DROP TABLE cohort;

-- logistic_fit(outcome, features): logistic regression by Newton's method against R's
-- glm(binomial) on committed data, in parallel, and every case that makes a fit meaningless.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';

-- logistic_fit against R's glm(binomial) on the committed dataset (test/generators/logistic_*)
CREATE TABLE logistic_data (y integer, x1 float8, x2 float8, x3 float8);
\copy logistic_data FROM 'test/data/logistic_data.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE logistic_reference (term text, coefficient float8, std_error float8);
\copy logistic_reference FROM 'test/data/logistic_reference.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE fit AS
SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1, x2, x3])).* FROM logistic_data;
SELECT rows, iterations, converged, round(log_likelihood::numeric, 6) AS log_likelihood FROM fit;
SELECT r.term, round(f.coefficient::numeric, 6) AS coefficient, round(f.std_error::numeric, 6) AS std_error,
       abs(f.coefficient / r.coefficient - 1) < 1e-6 AS coefficient_matches_r,
       abs(f.std_error / r.std_error - 1) < 1e-6 AS std_error_matches_r
FROM logistic_reference AS r
JOIN (SELECT u.term, c.coefficient, s.std_error
      FROM fit, unnest(ARRAY['intercept', 'x1', 'x2', 'x3']) WITH ORDINALITY AS u(term, n)
      CROSS JOIN LATERAL (SELECT fit.coefficients[u.n] AS coefficient) AS c
      CROSS JOIN LATERAL (SELECT fit.std_errors[u.n] AS std_error) AS s) AS f USING (term)
ORDER BY r.term;
SELECT abs(f.log_likelihood / r.coefficient - 1) < 1e-9 AS log_likelihood_matches_r
FROM fit AS f, logistic_reference AS r WHERE r.term = 'loglik';
-- parallel fit equals serial to the last digits that matter
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT abs(p.coefficients[2] / f.coefficients[2] - 1) < 1e-9 AS parallel_equals_serial
FROM fit AS f, (SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1, x2, x3])).* FROM logistic_data) AS p;
RESET ALL;
SET TimeZone = 'UTC';
-- intercept only: the log-odds of the outcome
SELECT round(coefficients[1]::numeric, 9) = round(ln(avg(y) / (1 - avg(y)))::numeric, 9) AS intercept_is_log_odds
FROM (SELECT (healthscore.logistic_fit(y = 1, '{}')).* FROM logistic_data) AS f, logistic_data GROUP BY coefficients;
-- what makes a fit meaningless is an error
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(x1 > 0, ARRAY[x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, ARRAY[x1, 2 * x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, ARRAY[x1, 3.0]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY[x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, CASE WHEN y = 1 THEN ARRAY[x1] ELSE ARRAY[x1, x2] END) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY[NULL::float8])$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY['nan'::float8])$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, '{{1},{2}}'::float8[])$$);
SELECT healthscore.logistic_fit(y = 1, ARRAY[x1]) IS NULL AS no_rows FROM logistic_data WHERE false;
-- quasi-separation (x = 0, 1, 1, 2 with y = 0, 0, 1, 1) is separation too, not collinearity
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y, ARRAY[x]) FROM (VALUES (false, 0.0::float8), (false, 1), (true, 1), (true, 2)) AS t(y, x)$$);
-- one legitimately extreme row is no separation: the fit converges, with a warning as R gives
SELECT round(coefficients[2]::numeric, 3) AS slope, converged
FROM (SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1])).*
      FROM (SELECT y, x1 FROM logistic_data UNION ALL SELECT 1, 60) AS with_extreme) AS f;
DROP TABLE logistic_data, logistic_reference;

-- test/generators/logistic_data.sql: the deterministic dataset behind the logistic_fit reference
-- values (test/data/logistic_data.csv). Run once with psql; the CSV and R's fit of it
-- (test/generators/logistic_reference.R -> test/data/logistic_reference.csv) are committed, so
-- make test needs neither R nor this script.
--   psql -XAtq -f test/generators/logistic_data.sql > test/data/logistic_data.csv
-- 2,000 rows; true model: logit P(y) = -1 + 0.8 x1 - 1.5 x2 + 0.5 x3 with x1 standard normal,
-- x2 uniform on [0, 2), x3 a 0/1 indicator. Uniforms come from hashes, not random().
\pset footer off
WITH u AS (
	SELECT i,
		   (pg_catalog.hashint8extended(i, 11) & 9007199254740991)::float8 / 9007199254740992.0 AS u1,
		   (pg_catalog.hashint8extended(i, 12) & 9007199254740991)::float8 / 9007199254740992.0 AS u2,
		   (pg_catalog.hashint8extended(i, 13) & 9007199254740991)::float8 / 9007199254740992.0 AS u3,
		   (pg_catalog.hashint8extended(i, 14) & 9007199254740991)::float8 / 9007199254740992.0 AS u4,
		   (pg_catalog.hashint8extended(i, 15) & 9007199254740991)::float8 / 9007199254740992.0 AS u5
	FROM pg_catalog.generate_series(1, 2000) AS i
), x AS (
	SELECT i,
		   round((sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2))::numeric, 6)::float8 AS x1,
		   round((2 * u3)::numeric, 6)::float8 AS x2,
		   (u4 < 0.4)::integer::float8 AS x3,
		   u5
	FROM u
)
SELECT 'y,x1,x2,x3'
UNION ALL
SELECT concat_ws(',', (u5 < 1 / (1 + exp(-(-1 + 0.8 * x1 - 1.5 * x2 + 0.5 * x3))))::integer, x1, x2, x3)
FROM (SELECT * FROM x ORDER BY i) AS ordered;

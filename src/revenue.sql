-- Revenue signals (revenue.c): cohort retention aggregates and customer lifetime value.
-- net_retention and gross_retention share a numeric[3] state: sums of start, end, least(end, start).

CREATE FUNCTION healthscore_internal.retention_accum(state numeric[], start_value numeric, end_value numeric)
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.retention_accum(numeric[], numeric, numeric) IS
'transition function of net_retention() and gross_retention(): skips accounts outside the starting cohort, counts a NULL end as 0';

CREATE FUNCTION healthscore_internal.retention_combine(state numeric[], other numeric[])
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.retention_combine(numeric[], numeric[]) IS
'combine function of net_retention() and gross_retention(): adds two partial sums';

CREATE FUNCTION healthscore_internal.net_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_net_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.net_retention_final(numeric[]) IS
'final function of net_retention(): 100 * sum(end) / sum(start), NULL for an empty cohort';

CREATE FUNCTION healthscore_internal.gross_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_gross_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.gross_retention_final(numeric[]) IS
'final function of gross_retention(): 100 * sum(least(end, start)) / sum(start), NULL for an empty cohort';

CREATE AGGREGATE healthscore.net_retention(start_value numeric, end_value numeric) (
	SFUNC = healthscore_internal.retention_accum,
	STYPE = numeric[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore_internal.retention_combine,
	FINALFUNC = healthscore_internal.net_retention_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.net_retention(numeric, numeric) IS
'net revenue retention in percent over a cohort: 100 * sum(end) / sum(start); start NULL or not positive: not in the cohort; end NULL: churned (0)';

CREATE AGGREGATE healthscore.gross_retention(start_value numeric, end_value numeric) (
	SFUNC = healthscore_internal.retention_accum,
	STYPE = numeric[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore_internal.retention_combine,
	FINALFUNC = healthscore_internal.gross_retention_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.gross_retention(numeric, numeric) IS
'gross revenue retention in percent over a cohort: 100 * sum(least(end, start)) / sum(start), never above 100; expansion does not count';

CREATE FUNCTION healthscore.lifetime_value(arpa numeric, churn_rate float8, gross_margin float8 DEFAULT 1)
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_lifetime_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.lifetime_value(numeric, float8, float8) IS
'customer lifetime value arpa * gross_margin / churn_rate; NULL when churn_rate is 0; rates must be between 0 and 1';

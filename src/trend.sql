-- Aggregates trend and relative_trend (trend.c): slope of a signal over time.
-- Both share one float8[7] state (Youngs-Cramer sums plus the time range).

CREATE FUNCTION healthscore_internal.trend_accum(state float8[], value float8, at timestamptz)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.trend_accum(float8[], float8, timestamptz) IS
'transition function of trend() and relative_trend(): Youngs-Cramer accumulation of (days, value)';

CREATE FUNCTION healthscore_internal.trend_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.trend_combine(float8[], float8[]) IS
'combine function of trend() and relative_trend(): merges two partial states';

CREATE FUNCTION healthscore_internal.trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.trend_final(float8[]) IS
'final function of trend(): least-squares slope in value units per day';

CREATE FUNCTION healthscore_internal.relative_trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_relative_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.relative_trend_final(float8[]) IS
'final function of relative_trend(): slope as percent of the mean value per 30 days';

CREATE AGGREGATE healthscore.trend(value float8, at timestamptz) (
	SFUNC = healthscore_internal.trend_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0,0,0,0}',
	COMBINEFUNC = healthscore_internal.trend_combine,
	FINALFUNC = healthscore_internal.trend_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.trend(float8, timestamptz) IS
'least-squares slope of value over time in value units per day; NULL rows skipped, NULL with fewer than two distinct times';

CREATE AGGREGATE healthscore.relative_trend(value float8, at timestamptz) (
	SFUNC = healthscore_internal.trend_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0,0,0,0}',
	COMBINEFUNC = healthscore_internal.trend_combine,
	FINALFUNC = healthscore_internal.relative_trend_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.relative_trend(float8, timestamptz) IS
'slope as percent of the absolute mean value per 30 days (-25 = falling by a quarter a month); NULL when the mean is 0 or the slope undefined';

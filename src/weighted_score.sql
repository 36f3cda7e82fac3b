-- Aggregate weighted_score (weighted_score.c): points and weights -> one health score.
-- The state is a float8[4] (not internal) so parallel workers and Citus can combine it.

CREATE FUNCTION healthscore_internal.weighted_score_accum(state float8[], points float8, weight float8)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.weighted_score_accum(float8[], float8, float8) IS
'transition function of weighted_score(): adds weight and weight * points to compensated sums';

CREATE FUNCTION healthscore_internal.weighted_score_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.weighted_score_combine(float8[], float8[]) IS
'combine function of weighted_score(): merges two partial states (parallel query, distributed engines)';

CREATE FUNCTION healthscore_internal.weighted_score_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.weighted_score_final(float8[]) IS
'final function of weighted_score(): sum(weight * points) / sum(weight), NULL without a positive weight';

CREATE AGGREGATE healthscore.weighted_score(points float8, weight float8) (
	SFUNC = healthscore_internal.weighted_score_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0}',
	COMBINEFUNC = healthscore_internal.weighted_score_combine,
	FINALFUNC = healthscore_internal.weighted_score_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.weighted_score(float8, float8) IS
'weighted mean of points over rows whose points and weight are not NULL (a missing signal''s weight is redistributed); NULL when no row has a positive weight';

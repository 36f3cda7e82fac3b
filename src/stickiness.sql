-- Aggregate stickiness (stickiness.c): average daily active users / distinct users. The state is
-- the exact_set of distinct (user, UTC day) pairs, shared machinery with distinct_count.

CREATE FUNCTION healthscore_internal.stickiness_accum(state healthscore.exact_set, user_id bigint, at timestamptz)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_stickiness_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.stickiness_accum(healthscore.exact_set, bigint, timestamptz) IS
'transition function of stickiness(): adds the (user, UTC day) pair of an event';

CREATE FUNCTION healthscore_internal.stickiness_final(state healthscore.exact_set)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_stickiness_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.stickiness_final(healthscore.exact_set) IS
'final function of stickiness(): (user, day) pairs / (days in span * distinct users)';

CREATE AGGREGATE healthscore.stickiness(user_id bigint, at timestamptz) (
	SFUNC = healthscore_internal.stickiness_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	FINALFUNC = healthscore_internal.stickiness_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.stickiness(bigint, timestamptz) IS
'average daily active users / distinct users over the first to last event''s UTC day inclusive, 0 to 1; NULL without events';

-- Aggregate stickiness (stickiness.c): average daily active users / distinct users. The state is
-- the internal set of distinct (user, UTC day) pairs, shared machinery with distinct_count.

CREATE FUNCTION healthscore_internal.stickiness_accum(state internal, user_id bigint, at timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_stickiness_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.stickiness_accum(internal, bigint, timestamptz) IS
'transition function of stickiness(): adds the (user, UTC day) pair of an event';

CREATE FUNCTION healthscore_internal.stickiness_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_stickiness_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.stickiness_deserialize(bytea, internal) IS
'deserialize function of stickiness(): rebuilds the set of (user, day) pairs, rejecting malformed bytes';

CREATE FUNCTION healthscore_internal.stickiness_final(state internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_stickiness_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.stickiness_final(internal) IS
'final function of stickiness(): (user, day) pairs / (days in span * distinct users)';

CREATE AGGREGATE healthscore.stickiness(user_id bigint, at timestamptz) (
	SFUNC = healthscore_internal.stickiness_accum,
	STYPE = internal,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.distinct_set_combine,
	SERIALFUNC = healthscore_internal.distinct_set_serialize,
	DESERIALFUNC = healthscore_internal.stickiness_deserialize,
	FINALFUNC = healthscore_internal.stickiness_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.stickiness(bigint, timestamptz) IS
'average daily active users / distinct users over the first to last event''s UTC day inclusive, 0 to 1; NULL without events';

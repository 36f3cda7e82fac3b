-- Aggregate distinct_count (distinct_count.c, exact_set.c, distinct_set.c): exact count of
-- distinct non-NULL values, for bigint, text and uuid. The state is an exact_set, which parallel
-- workers and distributed engines ship as it is.

CREATE FUNCTION healthscore_internal.exact_set_combine(state healthscore.exact_set, other healthscore.exact_set)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set) IS
'combine function of distinct_count() and stickiness(): union of two sets';

CREATE FUNCTION healthscore_internal.distinct_count_final(state healthscore.exact_set)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_final(healthscore.exact_set) IS
'final function of distinct_count(): the number of values in the set, 0 for no rows';

CREATE FUNCTION healthscore_internal.distinct_count_int8_accum(state healthscore.exact_set, value bigint)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_int8_accum(healthscore.exact_set, bigint) IS
'transition function of distinct_count(bigint): adds a non-NULL value to the set';

CREATE AGGREGATE healthscore.distinct_count(value bigint) (
	SFUNC = healthscore_internal.distinct_count_int8_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	FINALFUNC = healthscore_internal.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(bigint) IS
'exact number of distinct non-NULL bigint values, like count(DISTINCT value) but hashed and parallel-safe';

CREATE FUNCTION healthscore_internal.distinct_count_text_accum(state healthscore.exact_set, value text)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_text_accum(healthscore.exact_set, text) IS
'transition function of distinct_count(text): adds a non-NULL value to the set';

CREATE AGGREGATE healthscore.distinct_count(value text) (
	SFUNC = healthscore_internal.distinct_count_text_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	FINALFUNC = healthscore_internal.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(text) IS
'exact number of distinct non-NULL text values, like count(DISTINCT value) but hashed and parallel-safe; compares bytes, so a nondeterministic collation is an error';

CREATE FUNCTION healthscore_internal.distinct_count_uuid_accum(state healthscore.exact_set, value uuid)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_uuid_accum(healthscore.exact_set, uuid) IS
'transition function of distinct_count(uuid): adds a non-NULL value to the set';

CREATE AGGREGATE healthscore.distinct_count(value uuid) (
	SFUNC = healthscore_internal.distinct_count_uuid_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	FINALFUNC = healthscore_internal.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(uuid) IS
'exact number of distinct non-NULL uuid values, like count(DISTINCT value) but hashed and parallel-safe';

CREATE FUNCTION healthscore.distinct_state_count(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_state_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_state_count(bytea) IS
'number of values in the binary form of an exact_set (the state of distinct_count() and stickiness(), as exact_set_send writes it), validating every byte as its input and receive functions do';

CREATE FUNCTION healthscore_internal.distinct_set_probes(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_probes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_set_probes(bytea) IS
'slots looked at beyond the first while rebuilding the binary form of an exact_set as a hash set: about its number of values unless the keys collide (a deterministic test of the keyed hash)';

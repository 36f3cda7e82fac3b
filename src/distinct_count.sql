-- Aggregate distinct_count (distinct_count.c, distinct_set.c): exact count of distinct non-NULL
-- values, for bigint, text and uuid. The state is an internal hash set; serialize/deserialize let
-- parallel workers (and distributed engines) ship it, and the deserializers validate every byte.

CREATE FUNCTION healthscore_internal.distinct_set_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_set_combine(internal, internal) IS
'combine function of distinct_count() and stickiness(): union of two sets';

CREATE FUNCTION healthscore_internal.distinct_set_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_set_serialize(internal) IS
'serialize function of distinct_count() and stickiness(): the set as bytes in network byte order';

CREATE FUNCTION healthscore_internal.distinct_count_final(state internal)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_final(internal) IS
'final function of distinct_count(): the number of values in the set, 0 for no rows';

CREATE FUNCTION healthscore_internal.distinct_count_int8_accum(state internal, value bigint)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_int8_accum(internal, bigint) IS
'transition function of distinct_count(bigint): adds a non-NULL value to the set';

CREATE FUNCTION healthscore_internal.distinct_count_int8_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_int8_deserialize(bytea, internal) IS
'deserialize function of distinct_count(bigint): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value bigint) (
	SFUNC = healthscore_internal.distinct_count_int8_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.distinct_set_combine,
	SERIALFUNC = healthscore_internal.distinct_set_serialize,
	DESERIALFUNC = healthscore_internal.distinct_count_int8_deserialize,
	FINALFUNC = healthscore_internal.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(bigint) IS
'exact number of distinct non-NULL bigint values, like count(DISTINCT value) but hashed and parallel-safe';

CREATE FUNCTION healthscore_internal.distinct_count_text_accum(state internal, value text)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_text_accum(internal, text) IS
'transition function of distinct_count(text): adds a non-NULL value to the set';

CREATE FUNCTION healthscore_internal.distinct_count_text_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_text_deserialize(bytea, internal) IS
'deserialize function of distinct_count(text): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value text) (
	SFUNC = healthscore_internal.distinct_count_text_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.distinct_set_combine,
	SERIALFUNC = healthscore_internal.distinct_set_serialize,
	DESERIALFUNC = healthscore_internal.distinct_count_text_deserialize,
	FINALFUNC = healthscore_internal.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(text) IS
'exact number of distinct non-NULL text values, like count(DISTINCT value) but hashed and parallel-safe; compares bytes, so a nondeterministic collation is an error';

CREATE FUNCTION healthscore_internal.distinct_count_uuid_accum(state internal, value uuid)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_uuid_accum(internal, uuid) IS
'transition function of distinct_count(uuid): adds a non-NULL value to the set';

CREATE FUNCTION healthscore_internal.distinct_count_uuid_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_count_uuid_deserialize(bytea, internal) IS
'deserialize function of distinct_count(uuid): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value uuid) (
	SFUNC = healthscore_internal.distinct_count_uuid_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.distinct_set_combine,
	SERIALFUNC = healthscore_internal.distinct_set_serialize,
	DESERIALFUNC = healthscore_internal.distinct_count_uuid_deserialize,
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
'number of values in a serialized distinct_count() or stickiness() state, validating every byte as the deserialize functions do';

CREATE FUNCTION healthscore_internal.distinct_set_probes(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_probes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.distinct_set_probes(bytea) IS
'slots looked at beyond the first while rebuilding a serialized distinct_count() or stickiness() state: about its number of values unless the keys collide (a deterministic test of the keyed hash)';

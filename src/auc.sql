-- Aggregate auc (auc.c): exact ROC AUC of a score against a boolean outcome (churned).

CREATE FUNCTION healthscore_internal.auc_accum(state internal, score float8, churned boolean)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_accum(internal, float8, boolean) IS
'transition function of auc(): keeps the score in the list of its class';

CREATE FUNCTION healthscore_internal.auc_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_combine(internal, internal) IS
'combine function of auc(): concatenates the score lists';

CREATE FUNCTION healthscore_internal.auc_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_auc_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_serialize(internal) IS
'serialize function of auc(): counts and scores in network byte order';

CREATE FUNCTION healthscore_internal.auc_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_deserialize(bytea, internal) IS
'deserialize function of auc(): rebuilds the score lists, rejecting malformed bytes';

CREATE FUNCTION healthscore_internal.auc_final(state internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_auc_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_final(internal) IS
'final function of auc(): sorts both classes (interruptibly) and counts the pairs exactly';

CREATE AGGREGATE healthscore.auc(score float8, churned boolean) (
	SFUNC = healthscore_internal.auc_accum,
	STYPE = internal,
	SSPACE = 8192,
	COMBINEFUNC = healthscore_internal.auc_combine,
	SERIALFUNC = healthscore_internal.auc_serialize,
	DESERIALFUNC = healthscore_internal.auc_deserialize,
	FINALFUNC = healthscore_internal.auc_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.auc(float8, boolean) IS
'exact ROC AUC: probability that a retained account (churned = false) scores higher than a churned one, ties counting one half; NULL rows skipped; NULL when a class is empty';

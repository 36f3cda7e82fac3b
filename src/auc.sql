-- Aggregate auc (auc.c): exact ROC AUC of a score against a boolean outcome (churned).

CREATE FUNCTION healthscore_internal.auc_accum(state healthscore.auc_state, score float8, churned boolean)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_accum(healthscore.auc_state, float8, boolean) IS
'transition function of auc(): keeps the score in the list of its class';

CREATE FUNCTION healthscore_internal.auc_combine(state healthscore.auc_state, other healthscore.auc_state)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_combine(healthscore.auc_state, healthscore.auc_state) IS
'combine function of auc(): concatenates the score lists';

CREATE FUNCTION healthscore_internal.auc_final(state healthscore.auc_state)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_auc_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_final(healthscore.auc_state) IS
'final function of auc(): sorts both classes (interruptibly) and counts the pairs exactly';

CREATE AGGREGATE healthscore.auc(score float8, churned boolean) (
	SFUNC = healthscore_internal.auc_accum,
	STYPE = healthscore.auc_state,
	SSPACE = 8192,
	COMBINEFUNC = healthscore_internal.auc_combine,
	FINALFUNC = healthscore_internal.auc_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.auc(float8, boolean) IS
'exact ROC AUC: probability that a retained account (churned = false) scores higher than a churned one, ties counting one half; NULL rows skipped; NULL when a class is empty';

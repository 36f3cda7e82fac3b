-- Aggregate logistic_fit (logistic.c): logistic regression of a boolean outcome on features.

CREATE TYPE healthscore.logistic_fit_result AS (
	coefficients float8[],
	std_errors float8[],
	log_likelihood float8,
	iterations integer,
	converged boolean,
	rows bigint
);

COMMENT ON TYPE healthscore.logistic_fit_result IS
'result of logistic_fit(): coefficients and standard errors (intercept first, then the features in order), log-likelihood, Newton iterations, convergence, rows used';

CREATE FUNCTION healthscore_internal.logistic_accum(state healthscore.logistic_state, outcome boolean, features float8[])
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_accum(healthscore.logistic_state, boolean, float8[]) IS
'transition function of logistic_fit(): keeps the row';

CREATE FUNCTION healthscore_internal.logistic_combine(state healthscore.logistic_state, other healthscore.logistic_state)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_combine(healthscore.logistic_state, healthscore.logistic_state) IS
'combine function of logistic_fit(): concatenates the rows';

CREATE FUNCTION healthscore_internal.logistic_final(state healthscore.logistic_state)
RETURNS healthscore.logistic_fit_result
AS 'MODULE_PATHNAME', 'healthscore_logistic_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_final(healthscore.logistic_state) IS
'final function of logistic_fit(): Newton iterations to convergence, standard errors from the inverse Hessian';

CREATE AGGREGATE healthscore.logistic_fit(outcome boolean, features float8[]) (
	SFUNC = healthscore_internal.logistic_accum,
	STYPE = healthscore.logistic_state,
	SSPACE = 65536,
	COMBINEFUNC = healthscore_internal.logistic_combine,
	FINALFUNC = healthscore_internal.logistic_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.logistic_fit(boolean, float8[]) IS
'logistic regression of outcome on features by Newton''s method (as R glm binomial); errors on one-class outcomes, collinear or constant features and perfect separation';

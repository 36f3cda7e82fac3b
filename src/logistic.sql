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

CREATE FUNCTION healthscore_internal.logistic_accum(state internal, outcome boolean, features float8[])
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_accum(internal, boolean, float8[]) IS
'transition function of logistic_fit(): keeps the row';

CREATE FUNCTION healthscore_internal.logistic_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_combine(internal, internal) IS
'combine function of logistic_fit(): concatenates the rows';

CREATE FUNCTION healthscore_internal.logistic_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_logistic_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_serialize(internal) IS
'serialize function of logistic_fit(): the rows in network byte order';

CREATE FUNCTION healthscore_internal.logistic_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_deserialize(bytea, internal) IS
'deserialize function of logistic_fit(): rebuilds the rows, rejecting malformed bytes';

CREATE FUNCTION healthscore_internal.logistic_final(state internal)
RETURNS healthscore.logistic_fit_result
AS 'MODULE_PATHNAME', 'healthscore_logistic_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_final(internal) IS
'final function of logistic_fit(): Newton iterations to convergence, standard errors from the inverse Hessian';

CREATE AGGREGATE healthscore.logistic_fit(outcome boolean, features float8[]) (
	SFUNC = healthscore_internal.logistic_accum,
	STYPE = internal,
	SSPACE = 65536,
	COMBINEFUNC = healthscore_internal.logistic_combine,
	SERIALFUNC = healthscore_internal.logistic_serialize,
	DESERIALFUNC = healthscore_internal.logistic_deserialize,
	FINALFUNC = healthscore_internal.logistic_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.logistic_fit(boolean, float8[]) IS
'logistic regression of outcome on features by Newton''s method (as R glm binomial); errors on one-class outcomes, collinear or constant features and perfect separation';

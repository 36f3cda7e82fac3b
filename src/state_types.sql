-- The state types of the aggregates that keep lists and sets (aggregate_support.c): real types,
-- not internal, so that engines such as Citus ship them between nodes through their input and
-- output functions, and parallel workers need no serialize functions. The text form is the
-- binary form in hex; input and receive validate every byte, so a value of these types is
-- always one that the aggregate could have made.

CREATE TYPE healthscore.exact_set;

CREATE FUNCTION healthscore_internal.exact_set_in(cstring)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_in(cstring) IS
'input function of exact_set: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_exact_set_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set) IS
'output function of exact_set: the binary form in hex';

CREATE FUNCTION healthscore_internal.exact_set_recv(internal)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_recv(internal) IS
'receive function of exact_set: validates every byte';

CREATE FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_exact_set_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set) IS
'send function of exact_set: header, count and keys in network byte order';

CREATE TYPE healthscore.exact_set (
	INPUT = healthscore_internal.exact_set_in,
	OUTPUT = healthscore_internal.exact_set_out,
	RECEIVE = healthscore_internal.exact_set_recv,
	SEND = healthscore_internal.exact_set_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.exact_set IS
'state of distinct_count() and stickiness(): an exact set of keys (bigint, uuid, text, or (user, day) pairs); small sets sorted, large ones hashed with a per-set key';

CREATE TYPE healthscore.auc_state;

CREATE FUNCTION healthscore_internal.auc_state_in(cstring)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_in(cstring) IS
'input function of auc_state: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_auc_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state) IS
'output function of auc_state: the binary form in hex';

CREATE FUNCTION healthscore_internal.auc_state_recv(internal)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_recv(internal) IS
'receive function of auc_state: validates every byte';

CREATE FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_auc_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state) IS
'send function of auc_state: header, counts and scores in network byte order';

CREATE TYPE healthscore.auc_state (
	INPUT = healthscore_internal.auc_state_in,
	OUTPUT = healthscore_internal.auc_state_out,
	RECEIVE = healthscore_internal.auc_state_recv,
	SEND = healthscore_internal.auc_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.auc_state IS
'state of auc(): the scores of retained and of churned rows';

CREATE TYPE healthscore.logistic_state;

CREATE FUNCTION healthscore_internal.logistic_state_in(cstring)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_in(cstring) IS
'input function of logistic_state: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state) IS
'output function of logistic_state: the binary form in hex';

CREATE FUNCTION healthscore_internal.logistic_state_recv(internal)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_recv(internal) IS
'receive function of logistic_state: validates every byte';

CREATE FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state) IS
'send function of logistic_state: header, width, rows in network byte order';

CREATE TYPE healthscore.logistic_state (
	INPUT = healthscore_internal.logistic_state_in,
	OUTPUT = healthscore_internal.logistic_state_out,
	RECEIVE = healthscore_internal.logistic_state_recv,
	SEND = healthscore_internal.logistic_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.logistic_state IS
'state of logistic_fit(): every row kept (outcome, then the features)';

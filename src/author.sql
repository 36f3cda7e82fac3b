-- Model text runs as its author (author.c): the scoring query of a refresh, and the compilation of
-- a signal when it is defined. The author is decided by model_author() and signal_author() from
-- the defined_by columns; these functions take no role from their caller.

CREATE FUNCTION healthscore_internal.score_as_author(model text, as_of timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_score_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.score_as_author(text, timestamptz) IS
'runs a model''s scoring query (refresh_sql) as its author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_refresh_scored; returns its rows';

CREATE FUNCTION healthscore_internal.source_freshness(model text, as_of timestamptz, every_signal boolean)
RETURNS TABLE (signal text, newest timestamptz, rows_in_window boolean)
AS 'MODULE_PATHNAME', 'healthscore_source_freshness'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.source_freshness(text, timestamptz, boolean) IS
'per signal with a time column (with a max_age unless every_signal): its source''s newest row at the as-of time, and whether its window has rows, read as the model''s author';

CREATE FUNCTION healthscore_internal.rollup_as_author(rollup integer, since timestamptz, until timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_rollup_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.rollup_as_author(integer, timestamptz, timestamptz) IS
'runs the query of a rollup''s day states from since to until (rollup_bucket_query) as the model''s author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_rollup_rolled; returns its rows';

CREATE FUNCTION healthscore_internal.outcomes_as_author(model text)
RETURNS TABLE (account_key text, churned_at text)
AS 'MODULE_PATHNAME', 'healthscore_outcomes_as_author'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.outcomes_as_author(text) IS
'the earliest churn time (as text) of each account in a model''s outcome relation, read as the model''s author, of the accounts the caller may see';

CREATE FUNCTION healthscore_internal.accounts_as_author(model_group text)
RETURNS TABLE (account_key text)
AS 'MODULE_PATHNAME', 'healthscore_accounts_as_author'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.accounts_as_author(text) IS
'the keys of a model group''s account relation, read as the group''s author, that the caller may see';

CREATE FUNCTION healthscore_internal.explain_as_author(signal healthscore.signals, func text,
													   OUT plan text, OUT value_type regtype)
AS 'MODULE_PATHNAME', 'healthscore_explain_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.explain_as_author(healthscore.signals, text) IS
'EXPLAIN (FORMAT JSON) of the grouped query of a signal being defined, and the type its expression yields, run as the signal''s author (signal_author), in a security-restricted operation';

CREATE FUNCTION healthscore.explain_refresh(model text, as_of timestamptz DEFAULT pg_catalog.now(),
											verbose boolean DEFAULT false)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'healthscore_explain_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore.explain_refresh(text, timestamptz, boolean) IS
'the plan of a model''s scoring query, EXPLAINed as the model''s author (running refresh_sql()''s text yourself runs the authors'' SQL with your privileges); verbose: EXPLAIN VERBOSE, with the remote SQL of foreign scans';

-- Model text runs as its author (author.c): the scoring query of a refresh, and the compilation of
-- a signal when it is defined. The author is decided by model_author() and signal_author() from
-- the defined_by columns; these functions take no role from their caller.

-- The grouped query computing one signal, as a refresh would run it for the signal's source and
-- window, as of a fixed time (what add_signal() and alter_signal() compile).
CREATE FUNCTION healthscore_internal.signal_query(signal healthscore.signals)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
	SELECT healthscore.source_query(m, signal.source, signal.source_key, signal.time_column, signal.lookback,
									ARRAY[signal], '2000-01-01 00:00:00+00'::timestamptz)
	FROM healthscore.model_row(signal.model) AS m
$$;

COMMENT ON FUNCTION healthscore_internal.signal_query(healthscore.signals) IS
'the grouped query that computes one signal as a refresh would, as of a fixed time: what defining a signal compiles';

CREATE FUNCTION healthscore_internal.score_as_author(model text, as_of timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_score_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.score_as_author(text, timestamptz) IS
'runs a model''s scoring query (refresh_sql) as its author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_refresh_scored; returns its rows';

CREATE FUNCTION healthscore_internal.explain_as_author(signal healthscore.signals, func text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_explain_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.explain_as_author(healthscore.signals, text) IS
'EXPLAIN (FORMAT JSON) of the grouped query of a signal being defined, run as the signal''s author (signal_author), in a security-restricted operation';

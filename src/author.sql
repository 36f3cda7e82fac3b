-- Model text runs as its author (author.c): the scoring query of a refresh, and the compilation of
-- a signal when it is defined. The author is decided by model_author() and signal_author() from
-- the defined_by columns; these functions take no role from their caller.

-- The grouped query computing one signal, as a refresh would run it for the signal's source and
-- window, as of a fixed time (what add_signal() and alter_signal() compile); typed: cast as the
-- refresh casts it, else in the expression's own type.
CREATE FUNCTION healthscore_internal.signal_query(signal healthscore.signals, typed boolean)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
	SELECT healthscore_internal.source_query(m, signal.source, signal.source_key, signal.time_column, signal.lookback,
											 ARRAY[signal], '2000-01-01 00:00:00+00'::timestamptz, typed)
	FROM healthscore.model_row(signal.model) AS m
$$;

COMMENT ON FUNCTION healthscore_internal.signal_query(healthscore.signals, boolean) IS
'the grouped query that computes one signal as a refresh would, as of a fixed time: what defining a signal compiles; typed: cast as the refresh casts it';

CREATE FUNCTION healthscore_internal.score_as_author(model text, as_of timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_score_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.score_as_author(text, timestamptz) IS
'runs a model''s scoring query (refresh_sql) as its author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_refresh_scored; returns its rows';

-- The relations readers' views need, read as the role that named them (a view may call any
-- function, and would call it as the reader): the query, and the author to run it as.
CREATE FUNCTION healthscore_internal.outcomes_query(model text, OUT author oid, OUT model_name text, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(outcomes_query.model);
BEGIN
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION 'model "%" has no outcome relation', found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	author := healthscore_internal.model_author(found_model.name, 'evaluate');
	model_name := found_model.name;
	query := format('SELECT o.%1$I::pg_catalog.text, pg_catalog.min(o.%2$I)::pg_catalog.timestamptz::pg_catalog.text'
					' FROM %3$s AS o WHERE o.%1$I IS NOT NULL AND o.%2$I IS NOT NULL GROUP BY 1',
					found_model.outcome_key, found_model.outcome_date, found_model.outcomes::regclass);
END
$$;

COMMENT ON FUNCTION healthscore_internal.outcomes_query(text) IS
'the query reading a model''s outcome relation (account key, earliest churn as text), and the author it runs as';

CREATE FUNCTION healthscore_internal.accounts_query(model_group text, OUT author oid, OUT model_name text, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	member healthscore.models;
BEGIN
	SELECT m.* INTO member FROM healthscore.models AS m WHERE m.model_group = accounts_query.model_group
	ORDER BY m.priority DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unscored_accounts(): no model belongs to group "%"', model_group
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name, model_group FROM healthscore.models.';
	END IF;
	-- every model of the group names the account relation
	author := healthscore_internal.author_role(
		ARRAY(SELECT m.defined_by FROM healthscore.models AS m WHERE m.model_group = accounts_query.model_group),
		'unscored_accounts', member.name);
	model_name := member.name;
	query := format('SELECT a.%1$I::pg_catalog.text FROM %2$s AS a WHERE a.%1$I IS NOT NULL',
					member.key_column, member.accounts::regclass);
END
$$;

COMMENT ON FUNCTION healthscore_internal.accounts_query(text) IS
'the query reading the keys of a model group''s account relation, and the author it runs as';

-- The query reading, for each signal with a time column (with a max_age, unless every_signal), the
-- newest row of its source at the as-of time and whether its window has rows. Both read the time
-- column only, by conditions an index on it serves. Windows are in the model's time zone (set with
-- set_config, which makes it PARALLEL UNSAFE).
CREATE FUNCTION healthscore_internal.freshness_query(model text, as_of timestamptz, every_signal boolean,
													 OUT author oid, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(freshness_query.model);
BEGIN
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	author := healthscore_internal.model_author(found_model.name, 'refresh');
	SELECT string_agg(format('SELECT %1$L::pg_catalog.text,'
							 ' (SELECT pg_catalog.max(s.%2$I)::pg_catalog.timestamptz FROM %3$s AS s'
							 '  WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz),'
							 ' EXISTS (SELECT FROM %3$s AS s WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz%5$s)',
							 s.name, s.time_column, s.source::regclass, freshness_query.as_of,
							 CASE WHEN s.lookback IS NOT NULL
								  THEN format(' AND s.%I OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz',
											  s.time_column, freshness_query.as_of - s.lookback)
								  ELSE '' END),
					  ' UNION ALL ' ORDER BY s.position)
	INTO query
	FROM healthscore.signals AS s
	WHERE s.model = found_model.name AND s.time_column IS NOT NULL AND s.scoring <> 'assessment'
	  AND (every_signal OR s.max_age IS NOT NULL);
END
$$;

COMMENT ON FUNCTION healthscore_internal.freshness_query(text, timestamptz, boolean) IS
'the query reading the newest row at the as-of time and whether the window has rows, per signal of a model with a time column (with a max_age unless every_signal), and the author it runs as';

CREATE FUNCTION healthscore_internal.source_freshness(model text, as_of timestamptz, every_signal boolean)
RETURNS TABLE (signal text, newest timestamptz, rows_in_window boolean)
AS 'MODULE_PATHNAME', 'healthscore_source_freshness'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.source_freshness(text, timestamptz, boolean) IS
'per signal with a time column (with a max_age unless every_signal): its source''s newest row at the as-of time, and whether its window has rows, read as the model''s author';

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

CREATE FUNCTION healthscore.explain_refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'healthscore_explain_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore.explain_refresh(text, timestamptz) IS
'the plan of a model''s scoring query, EXPLAINed as the model''s author (running refresh_sql()''s text yourself runs the authors'' SQL with your privileges)';

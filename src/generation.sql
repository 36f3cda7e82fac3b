-- SQL generation: the text of the queries a refresh runs, built from the model's definition:
-- one grouped query per source relation and time window (never one scan per signal), joined to
-- the account relation so every account gets a row, scored with the C functions. Model text in it
-- is checked to be one expression (one_expression); everything else is qualified, and literals are
-- written so that they read back the same under any session settings. Also the model's
-- fingerprint and the queries that read outcomes, account lists and source freshness.

-- The grouped query of one source relation and time window, computing every given signal as a
-- column c<position>, cast to float8 (timestamptz for decay) unless typed is false (then its own
-- type shows: what defining a signal checks). Expressions may use account.<column>; the source is
-- then joined to the account relation and grouped by its key, so PostgreSQL accepts the account's
-- columns beside the aggregates. Every expression is checked to be one expression
-- (one_expression) and wrapped; everything else in the text is qualified, and literals are written
-- so that they read back the same under any session settings.
CREATE FUNCTION healthscore_internal.source_query(model healthscore.models, source text, source_key text,
												  time_column text, lookback interval,
												  signals healthscore.signals[], as_of timestamptz,
												  typed boolean)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET extra_float_digits = 3
AS $$
DECLARE
	signal healthscore.signals;
	columns text := '';
	uses_account boolean := false;
	conditions text[] := '{}';
	grouping text;
	source_relation regclass := source::regclass;
BEGIN
	FOREACH signal IN ARRAY signals LOOP
		IF signal.scoring = 'assessment' THEN
			-- the latest rating of the factor that has not expired at the as-of time
			columns := columns || format(', (pg_catalog.array_agg(s.points ORDER BY s.assessed_at DESC, s.assessment_id DESC)'
										 ' FILTER (WHERE s.factor OPERATOR(pg_catalog.=) %L'
										 ' AND (s.assessed_at OPERATOR(pg_catalog.+) s.valid_for) OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz))[1] AS c%s',
										 signal.factor, as_of, signal.position);
			CONTINUE;
		END IF;
		uses_account := uses_account OR signal.expression ~* '\maccount\s*\.';
		columns := columns || format(', %s%s AS c%s',
									 healthscore_internal.one_expression(signal.expression, 'refresh', model.name, signal.name, 'expression'),
									 -- a per_account expression reads the value in its own type, and is cast instead
									 CASE WHEN NOT typed OR signal.per_account IS NOT NULL THEN ''
										  WHEN signal.scoring = 'decay' THEN '::pg_catalog.timestamptz'
										  ELSE '::pg_catalog.float8' END,
									 signal.position);
	END LOOP;
	-- the window's start is computed here, as a constant: timestamptz - interval is only
	-- stable, so written into the query it would be computed again for every row
	IF time_column IS NOT NULL THEN
		conditions := conditions || format('s.%I OPERATOR(pg_catalog.<=) %L::pg_catalog.timestamptz', time_column, as_of);
		IF lookback IS NOT NULL THEN
			conditions := conditions || format('s.%I OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz', time_column, as_of - lookback);
		END IF;
	END IF;
	grouping := CASE WHEN uses_account THEN format('account.%I', model.key_column)
					 ELSE format('s.%I', source_key) END;
	RETURN format('SELECT %s AS account_key%s FROM %s AS s%s%s GROUP BY %s',
				  grouping, columns, source_relation,
				  CASE WHEN uses_account
					   THEN format(' JOIN %s AS account ON account.%I %s s.%I',
								   model.accounts::regclass, model.key_column,
								   healthscore_internal.equality(
									   healthscore_internal.column_type(model.accounts::regclass, model.key_column),
									   healthscore_internal.column_type(source_relation, source_key)),
								   source_key)
					   ELSE '' END,
				  CASE WHEN cardinality(conditions) > 0
					   THEN ' WHERE ' || array_to_string(conditions, ' AND ') ELSE '' END,
				  grouping);
END
$$;

COMMENT ON FUNCTION healthscore_internal.source_query(healthscore.models, text, text, text, interval, healthscore.signals[], timestamptz, boolean) IS
'the grouped query computing the given signals of one source relation and time window (used by refresh_sql); typed: values cast to float8 (timestamptz for decay)';
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
	SELECT CASE WHEN signal.per_account IS NULL THEN q.grouped
				-- the grouped value, then per_account over it and the account row, as refresh_sql joins them
				ELSE format('SELECT g.account_key, (SELECT (%s)%s FROM (SELECT g.c%s AS value) AS per_account) AS c%s'
							' FROM (%s) AS g JOIN %s AS account ON account.%I %s g.account_key',
							healthscore_internal.one_expression(signal.per_account, 'signal_query', m.name, signal.name,
																'per_account'),
							CASE WHEN typed THEN '::pg_catalog.float8' ELSE '' END, signal.position, signal.position,
							q.grouped, m.accounts::regclass, m.key_column,
							healthscore_internal.equality(
								healthscore_internal.column_type(m.accounts::regclass, m.key_column),
								healthscore_internal.column_type(signal.source::regclass, signal.source_key)))
		   END
	FROM healthscore_internal.model_row(signal.model) AS m,
		 LATERAL (SELECT healthscore_internal.source_query(m, signal.source, signal.source_key, signal.time_column,
														   signal.lookback, ARRAY[signal],
														   '2000-01-01 00:00:00+00'::timestamptz, typed) AS grouped) AS q
$$;

COMMENT ON FUNCTION healthscore_internal.signal_query(healthscore.signals, boolean) IS
'the grouped query that computes one signal as a refresh would, as of a fixed time: what defining a signal compiles; typed: cast as the refresh casts it';

-- The accounts a model scores, as a condition over the account row: its own segment filter, and
-- none of the filters of the models of its group with a higher priority.
CREATE FUNCTION healthscore_internal.segment_condition(model healthscore.models)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT concat_ws(' AND ', healthscore_internal.filter_condition(model.name, model.segment_filter, 'refresh'),
					 (SELECT string_agg(format('NOT %s', healthscore_internal.filter_condition(h.name, h.segment_filter, 'refresh')),
										' AND ' ORDER BY h.priority DESC)
					  FROM healthscore.models AS h
					  WHERE h.model_group = model.model_group AND h.priority > model.priority))
$$;

COMMENT ON FUNCTION healthscore_internal.segment_condition(healthscore.models) IS
'the SQL condition over the account row selecting the accounts a model scores: its filter, and no filter of a higher-priority model of its group';

-- Whether a signal over a foreign source (a foreign table, or a partitioned table with foreign
-- partitions) is aggregated on this server: its grouped query, planned as the refresh plans it and
-- as its author, has an Aggregate node, so postgres_fdw fetches every row of its window (a function
-- the server does not ship, now(), a COLLATE, the account row joined first). refresh_sql() gives
-- such signals a grouped query of their own, so that the others are still aggregated on the shards.
CREATE FUNCTION healthscore_internal.aggregated_here(signal healthscore.signals, func text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF signal.scoring = 'assessment'
	   OR NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c
					  WHERE c.relkind = 'f'
						AND (c.oid = signal.source::regclass
							 OR c.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(signal.source::regclass) AS t))) THEN
		RETURN false;
	END IF;
	RETURN (healthscore_internal.explain_as_author(signal, func)).plan LIKE '%"Node Type": "Aggregate"%';
END
$$;

COMMENT ON FUNCTION healthscore_internal.aggregated_here(healthscore.signals, text) IS
'true when a signal''s source has foreign tables and its grouped query, planned as its author, aggregates on this server instead of on the foreign server';

-- The whole scoring query of a model as of a time: one row per account the model scores, with
-- the account's attributes and, in signal order (position), the signals' raw values and their
-- points after the missing-data policy. Windows are computed in the model's time zone; the text
-- reads the same under any session settings (qualified names, literals with explicit types and
-- offsets, floats in their shortest exact form).
-- PARALLEL UNSAFE: it sets the time zone, which no parallel operation may.
CREATE FUNCTION healthscore.refresh_sql(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	source_group record;
	signal healthscore.signals;
	joins text := '';
	raw_by_position text[] := '{}';
	points_by_position text[] := '{}';
	group_alias text;
	group_number integer := 0;
	value_ref text;
	checked text;
	raw_value text;
	points text;
	missing_points text;
	ranked_value text;
	peers text;
	key_type regtype;
	group_key_type regtype;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh_sql(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);	-- until this function returns
	key_type := healthscore_internal.column_type(found_model.accounts::regclass, found_model.key_column);
	FOR source_group IN
		SELECT s.source, s.source_key, s.time_column, s.lookback,
			   array_agg(s ORDER BY s.position) AS signals, min(s.position) AS first,
			   bool_or(s.expression ~* '\maccount\s*\.' AND s.scoring <> 'assessment') AS uses_account
		FROM healthscore.signals AS s
		-- over foreign sources, what the foreign server cannot aggregate is grouped apart
		CROSS JOIN LATERAL (SELECT healthscore_internal.aggregated_here(s, 'refresh') AS here) AS shipping
		WHERE s.model = found_model.name
		GROUP BY s.source, s.source_key, s.time_column, s.lookback, shipping.here
		ORDER BY first
	LOOP
		group_number := group_number + 1;
		group_alias := 'g' || group_number;
		-- the group's key is the account's when it joins the account row; assessments key by text
		group_key_type := CASE WHEN source_group.uses_account THEN key_type
							   ELSE healthscore_internal.column_type(source_group.source::regclass, source_group.source_key) END;
		joins := joins || format(E'\nLEFT JOIN (%s) AS %I ON %I.account_key %s account.%I%s',
								 healthscore_internal.source_query(found_model, source_group.source, source_group.source_key,
																   source_group.time_column, source_group.lookback,
																   source_group.signals, as_of, true),
								 group_alias, group_alias,
								 CASE WHEN source_group.source = 'healthscore.assessments' THEN 'OPERATOR(pg_catalog.=)'
									  ELSE healthscore_internal.equality(group_key_type, key_type) END,
								 found_model.key_column,
								 CASE WHEN source_group.source = 'healthscore.assessments' THEN '::pg_catalog.text' ELSE '' END);
		FOREACH signal IN ARRAY source_group.signals LOOP
			value_ref := format('%I.c%s', group_alias, signal.position);
			-- per_account: applied to the grouped value beside the account row, after grouping
			IF signal.per_account IS NOT NULL THEN
				joins := joins || format(E'\nCROSS JOIN LATERAL (SELECT (%s)::pg_catalog.float8 AS value FROM (SELECT %s AS value) AS per_account) AS %I',
										 healthscore_internal.one_expression(signal.per_account, 'refresh', found_model.name,
																			 signal.name, 'per_account'),
										 value_ref, 'p' || signal.position);
				value_ref := format('%I.value', 'p' || signal.position);
			END IF;
			checked := format('healthscore_internal.signal_value(%s, %L, %L, %L)', value_ref, found_model.name,
							  signal.name, signal.scoring);
			raw_value := CASE signal.scoring
				WHEN 'decay' THEN format('healthscore_internal.age_days(%s, %L::pg_catalog.timestamptz)', value_ref, as_of)
				ELSE checked END;
			missing_points := CASE signal.missing WHEN 'zero' THEN '0::pg_catalog.float8'
							  WHEN 'value' THEN format('%L::pg_catalog.float8', signal.missing_value)
							  ELSE 'NULL::pg_catalog.float8' END;
			points := CASE signal.scoring
				WHEN 'linear' THEN format('healthscore.linear(%s, %L::pg_catalog.float8, %L::pg_catalog.float8)',
										  checked, signal.worst, signal.best)
				WHEN 'logarithmic' THEN format('healthscore.logarithmic(%s, %L::pg_catalog.float8, %L::pg_catalog.float8)',
											   checked, signal.worst, signal.best)
				WHEN 'bands' THEN format('healthscore.bands(%s, %L::pg_catalog.float8[], %L::pg_catalog.float8[])',
										 checked, signal.breaks, signal.points)
				WHEN 'decay' THEN format('healthscore.decay(%s, %L::pg_catalog.interval, %L::pg_catalog.timestamptz)',
										 value_ref, signal.half_life, as_of)
				ELSE checked END;	-- points, assessment: the value is the points
			IF signal.scoring = 'percentile' THEN
				-- mid-rank percentile among the accounts that have a value: the share of the others
				-- below it, counting ties as half below (all equal: 50; a single account: 50)
				ranked_value := CASE WHEN signal.lower_is_better THEN format('(OPERATOR(pg_catalog.-) %s)', raw_value)
									 ELSE raw_value END;
				peers := format('PARTITION BY (%s) IS NULL', ranked_value);
				points := format('CASE WHEN (%1$s) IS NULL THEN %2$s'
								 ' WHEN pg_catalog.count(*) OVER (%3$s) OPERATOR(pg_catalog.=) 1 THEN 50'
								 ' ELSE (100 OPERATOR(pg_catalog.*) (((pg_catalog.rank() OVER (%3$s ORDER BY %1$s)'
								 ' OPERATOR(pg_catalog.+) pg_catalog.count(*) OVER (%3$s ORDER BY %1$s)) OPERATOR(pg_catalog./) 2.0)'
								 ' OPERATOR(pg_catalog.-) 1)) OPERATOR(pg_catalog./) (pg_catalog.count(*) OVER (%3$s) OPERATOR(pg_catalog.-) 1) END',
								 ranked_value, missing_points, peers);
			ELSE
				points := format('coalesce(%s, %s)', points, missing_points);
			END IF;
			raw_by_position[signal.position] := format('%s::pg_catalog.float8', raw_value);
			points_by_position[signal.position] := format('(%s)::pg_catalog.float8', points);
		END LOOP;
	END LOOP;
	IF group_number = 0 THEN
		RAISE EXCEPTION 'model "%" has no signals', found_model.name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add one with healthscore.add_signal().';
	END IF;

	-- array_to_string skips the NULL gaps that dropped signals leave between positions
	RETURN format($q$SELECT account.%I::pg_catalog.text AS account_key, %s AS segment, %s AS value, %s AS owner, %s AS renewal_date,
       %s AS parent_key,
       ARRAY[%s] AS raw_values,
       ARRAY[%s] AS points
FROM %s AS account%s
WHERE %s$q$,
		found_model.key_column,
		CASE WHEN found_model.segment_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.segment_column) END,
		CASE WHEN found_model.value_column IS NULL THEN 'NULL::pg_catalog.numeric' ELSE format('account.%I::pg_catalog.numeric', found_model.value_column) END,
		CASE WHEN found_model.owner_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.owner_column) END,
		CASE WHEN found_model.renewal_column IS NULL THEN 'NULL::pg_catalog.date' ELSE format('account.%I::pg_catalog.date', found_model.renewal_column) END,
		CASE WHEN found_model.parent_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.parent_column) END,
		array_to_string(raw_by_position, E',\n         '),
		array_to_string(points_by_position, E',\n         '),
		found_model.accounts::regclass, joins,
		healthscore_internal.segment_condition(found_model));
END
$$;

COMMENT ON FUNCTION healthscore.refresh_sql(text, timestamptz) IS
'the scoring query a refresh runs for a model: one row per account with its attributes, and its signals'' raw values and points as arrays in signal order; for EXPLAIN and for checking a model by hand';

-- The settings are pinned to PostgreSQL's defaults, under which 0.1.0 computed the fingerprints
-- stored with its runs: the text of floats and intervals would otherwise follow the session. A
-- setting added later enters only when it differs from its default, so that fingerprints of
-- models that do not use it stay what they were.
CREATE FUNCTION healthscore.fingerprint(model text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
AS $$
	SELECT md5(concat_ws('|',
		(SELECT concat_ws(';', m.accounts, m.key_column, m.segment_column, m.value_column, m.renewal_column,
						  m.owner_column, m.tier_cutoffs::text, m.tier_labels::text, m.trend_threshold,
						  CASE WHEN m.time_zone <> 'UTC' THEN 'time_zone=' || m.time_zone END,
						  CASE WHEN m.trend_window <> interval '28 days' THEN 'trend_window=' || m.trend_window END,
						  CASE WHEN m.tier_hysteresis <> 0 THEN 'tier_hysteresis=' || m.tier_hysteresis END,
						  CASE WHEN m.group_weights <> '{}' THEN 'group_weights=' || m.group_weights::text END)
		 FROM healthscore_internal.model_row(fingerprint.model) AS m),
		(SELECT string_agg(concat_ws(';', s.name, s.source, s.source_key, s.expression, s.time_column, s.lookback,
									 s.scoring, s.worst, s.best, s.breaks::text, s.points::text, s.half_life,
									 s.lower_is_better, s.weight, s.missing, s.missing_value,
									 CASE WHEN s.max_age IS NOT NULL THEN 'max_age=' || s.max_age END,
									 CASE WHEN s.per_account IS NOT NULL THEN 'per_account=' || s.per_account END,
									 -- a category groups signals only once the model has group weights
									 CASE WHEN m.group_weights <> '{}' THEN 'category=' || s.category END),
						   '|' ORDER BY s.name)
		 FROM healthscore.signals AS s
		 JOIN healthscore.models AS m ON m.name = s.model
		 WHERE s.model = fingerprint.model)))
$$;

COMMENT ON FUNCTION healthscore.fingerprint(text) IS
'md5 of everything in a model that changes its scores (not descriptions or actions)';

-- The relations readers' views need, read as the role that named them (a view may call any
-- function, and would call it as the reader): the query, and the author to run it as.
CREATE FUNCTION healthscore_internal.outcomes_query(model text, OUT author oid, OUT model_name text, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(outcomes_query.model);
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
	found_model healthscore.models := healthscore_internal.model_row(freshness_query.model);
BEGIN
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	author := healthscore_internal.model_author(found_model.name, 'refresh');
	SELECT string_agg(format('SELECT %1$L::pg_catalog.text,'
							 ' (SELECT pg_catalog.max(s.%2$I)::pg_catalog.timestamptz FROM %3$s AS s'
							 '  WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz),'
							 -- SELECT 1, not SELECT: Citus cannot plan a zero-column subquery over a
							 -- distributed table (citusdata/citus#5094)
							 ' EXISTS (SELECT 1 FROM %3$s AS s WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz%5$s)',
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

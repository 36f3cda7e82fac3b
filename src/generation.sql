-- SQL generation: the text of the queries a refresh runs, built from the model's definition:
-- one grouped query per source relation and time window (never one scan per signal), joined to
-- the account relation so every account gets a row, scored with the C functions. Model text in it
-- is checked to be one expression (one_expression); everything else is qualified, and literals are
-- written so that they read back the same under any session settings. Also the model's
-- fingerprint and the queries that read outcomes, account lists and source freshness.

-- The cast the refresh gives a signal's grouped value: float8 (timestamptz for decay); none when
-- not typed (its own type shows), or for per_account, which reads the value in its own type.
CREATE FUNCTION healthscore_internal.signal_cast(signal healthscore.signals, typed boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN NOT typed OR signal.per_account IS NOT NULL THEN ''
				WHEN signal.scoring = 'decay' THEN '::pg_catalog.timestamptz'
				ELSE '::pg_catalog.float8' END
$$;

COMMENT ON FUNCTION healthscore_internal.signal_cast(healthscore.signals, boolean) IS
'the cast of a signal''s grouped value in the refresh''s queries: ::float8, ::timestamptz for decay, none when not typed or for per_account';

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
									 healthscore_internal.signal_cast(signal, typed), signal.position);
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

-- Rollups (rollups.sql): the SQL that builds a rollup's day states from its source, and the
-- grouped query that computes a window's signals from the states of the whole days inside it
-- and the events of the part days at its edges. A bucket is named by the midnight it starts
-- after (in the model's time zone) and holds the events after that midnight up to and including
-- the next: (midnight, next midnight], as windows are (as_of - lookback, as_of], so that a
-- window from midnight to midnight is whole buckets and reads no event. Weeks start after
-- Monday's midnight and 4-week spans after Mondays counted from 2000-01-03, so that 4-week spans
-- are made of whole weeks.

-- The last midnight (of every days days) at or before at, as SQL text over the SQL text at.
CREATE FUNCTION healthscore_internal.bucket_sql(at text, days integer, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('pg_catalog.timezone(%1$L, pg_catalog.date_bin(%2$L::pg_catalog.interval, pg_catalog.timezone(%1$L, %3$s),'
				  ' ''2000-01-03 00:00:00''::pg_catalog.timestamp))',
				  time_zone, days || ' days', at)
$$;

COMMENT ON FUNCTION healthscore_internal.bucket_sql(text, integer, time_zone text) IS
'SQL text computing the midnight in time_zone at or before the timestamptz expression at, of buckets of days days (1, 7, 28): 7 and 28 days from Mondays counted from 2000-01-03';

-- The same, computed (infinite times are their own buckets).
CREATE FUNCTION healthscore_internal.bucket_start(at timestamptz, days integer, time_zone text)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz;
BEGIN
	IF at IS NULL OR NOT isfinite(at) THEN
		RETURN at;
	END IF;
	EXECUTE format('SELECT %s', healthscore_internal.bucket_sql('$1', days, time_zone)) INTO started USING at;
	RETURN started;
END
$$;

COMMENT ON FUNCTION healthscore_internal.bucket_start(timestamptz, integer, text) IS
'the start of the bucket of days days (1, 7, 28) that at falls in, in time_zone (bucket_sql computed); infinite times are returned as they are';

CREATE FUNCTION healthscore_internal.bucket_after(bucket timestamptz, days integer, time_zone text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN NOT isfinite(bucket) THEN bucket
				ELSE timezone(time_zone, timezone(time_zone, bucket) + make_interval(days => days)) END
$$;

COMMENT ON FUNCTION healthscore_internal.bucket_after(timestamptz, integer, text) IS
'the start of the bucket after the one starting at bucket: days later in time_zone''s calendar';

-- Which signals of a model over a source a rollup holds, and how. The rollup is keyed and
-- bucketed by the source key and time column of the source's first signal; a signal with
-- others, without a time column, reading the account row, or with an aggregate call the rollup
-- cannot hold (rollup_expression) is skipped, with the reason. definition fingerprints what
-- the states hold: the calls, key, time column, time zone, grain, and the author they were read as.
CREATE FUNCTION healthscore_internal.rollup_plan(model text, source text,
												 OUT source_key text, OUT time_column text, OUT numbers text[],
												 OUT ops text[], OUT sets text[], OUT signals text[], OUT combined text[],
												 OUT signal_windows integer[], OUT windows interval[],
												 OUT skipped text[], OUT reasons text[], OUT definition text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(rollup_plan.model);
	signal healthscore.signals;
	rolled record;
	reason text;
	key_type regtype;
BEGIN
	numbers := '{}'; ops := '{}'; sets := '{}'; signals := '{}'; combined := '{}'; skipped := '{}'; reasons := '{}';
	signal_windows := '{}';
	SELECT s.source_key, s.time_column INTO rollup_plan.source_key, rollup_plan.time_column
	FROM healthscore.signals AS s
	WHERE s.model = found_model.name AND s.source = rollup_plan.source AND s.time_column IS NOT NULL
	  AND s.scoring <> 'assessment'
	ORDER BY s.position LIMIT 1;
	IF rollup_plan.source_key IS NOT NULL THEN
		key_type := healthscore_internal.column_type(rollup_plan.source::regclass, rollup_plan.source_key);
	END IF;
	-- the windows of the signals over the rollup's time column, all time last: a rolled row's
	-- column w<n> says whether it belongs to window n (rolled_query)
	windows := ARRAY(SELECT DISTINCT s.lookback FROM healthscore.signals AS s
					 WHERE s.model = found_model.name AND s.source = rollup_plan.source
					   AND s.time_column = rollup_plan.time_column AND s.scoring <> 'assessment'
					 ORDER BY s.lookback NULLS LAST);
	FOR signal IN SELECT s.* FROM healthscore.signals AS s
				  WHERE s.model = found_model.name AND s.source = rollup_plan.source AND s.scoring <> 'assessment'
				  ORDER BY s.position LOOP
		reason := CASE
			WHEN signal.time_column IS NULL THEN 'it has no time column, and a rollup keeps days'
			WHEN signal.time_column <> rollup_plan.time_column
				THEN format('its time column is %s, the rollup''s (from the source''s first signal) %s', signal.time_column, rollup_plan.time_column)
			WHEN signal.source_key <> rollup_plan.source_key
				THEN format('its key is %s, the rollup''s (from the source''s first signal) %s', signal.source_key, rollup_plan.source_key)
			WHEN healthscore_internal.column_type(rollup_plan.source::regclass, signal.time_column) <> 'timestamptz'::regtype
				THEN format('its time column %s is of type %s; a rollup needs timestamptz, whose days are the same under any time zone setting',
							signal.time_column, healthscore_internal.column_type(rollup_plan.source::regclass, signal.time_column))
			WHEN key_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'text'::regtype,
								  'character varying'::regtype, 'uuid'::regtype)
				THEN format('its key %s is of type %s; a rollup keeps integer, text and uuid keys', signal.source_key, key_type)
			WHEN signal.expression ~* '\maccount\s*\.'
				THEN 'it reads the account row (account.<column>), which may change after a day is rolled up: move that into per_account'
			END;
		IF reason IS NULL THEN
			rolled := healthscore_internal.rollup_expression(found_model.name, rollup_plan.source::regclass, signal.source_key,
															 signal.name, signal.expression,
															 'w' || array_position(windows, signal.lookback), numbers, ops, sets);
			reason := rolled.problem;
		END IF;
		IF reason IS NULL THEN
			numbers := rolled.all_numbers; ops := rolled.all_ops; sets := rolled.all_sets;
			signals := signals || signal.name;
			combined := combined || rolled.combined;
			signal_windows := signal_windows || array_position(windows, signal.lookback);
		ELSE
			skipped := skipped || signal.name;
			reasons := reasons || reason;
		END IF;
	END LOOP;
	IF cardinality(signals) > 0 THEN
		-- the author too: states hold what the author could read, which another author may not
		definition := md5(concat_ws(E'\n', rollup_plan.source, rollup_plan.source_key, rollup_plan.time_column,
									found_model.time_zone, '1 day', array_to_string(numbers, E'\n'),
									array_to_string(ops, ','), array_to_string(sets, E'\n'),
									'author=' || healthscore_internal.model_author(found_model.name, 'refresh')::oid));
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_plan(text, text) IS
'which signals of a model over a source a rollup holds: its key and time column, the bucket calls (numbers with their combining ops, sets), each rolled signal''s expression over the rolled rows and its window (an index into windows, the distinct lookbacks), the skipped signals with the reason, and the fingerprint of the states (definition)';

-- The slots of a rollup's numbers or sets (kind) that combined expressions read, from their
-- references r.numbers[n] and r.sets[n] (one in a string literal of the author's text costs a call
-- more, nothing else).
CREATE FUNCTION healthscore_internal.rollup_slots_read(combined text[], kind text)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT ARRAY(SELECT DISTINCT m[1]::integer FROM unnest(combined) AS e,
				 regexp_matches(e, format('r\.%s\[(\d+)\]', kind), 'g') AS m)
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_slots_read(text[], text) IS
'the slots of a rollup''s numbers or sets (kind) that the given combined expressions read';

-- A rollup's bucket calls as the elements of an ARRAY[...]: each checked to be one expression,
-- NULL where its slot is not read (read NULL: all are).
CREATE FUNCTION healthscore_internal.rollup_call_list(calls text[], read integer[], model text, source text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT string_agg(CASE WHEN read IS NULL OR c.n = ANY (read)
						   THEN healthscore_internal.one_expression(c.call, 'refresh', model, 'rollup of ' || source, 'expression')
						   ELSE 'NULL' END, ', ' ORDER BY c.n)
	FROM unnest(calls) WITH ORDINALITY AS c(call, n)
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_call_list(text[], integer[], text, text) IS
'a rollup''s bucket calls as ARRAY elements, each checked to be one expression, NULL where its slot is not read (read NULL: all are)';

-- The query of a rollup's day states from since to until (midnights; since may be -infinity):
-- per day and account key, the events after since up to and including until, and every bucket
-- call. Run as the author by
-- rollup_as_author(); rows without a key are left out, as the join to the accounts would.
CREATE FUNCTION healthscore_internal.rollup_bucket_query(rollup integer, since timestamptz, until timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
DECLARE
	found healthscore.rollups;
	found_model healthscore.models;
	plan record;
BEGIN
	SELECT u.* INTO found FROM healthscore.rollups AS u WHERE u.rollup_id = rollup_bucket_query.rollup;
	found_model := healthscore_internal.model_row(found.model);
	plan := healthscore_internal.rollup_plan(found.model, found.source);
	RETURN format('SELECT %1$s AS bucket, s.%2$I::pg_catalog.text AS account_key, pg_catalog.count(*) AS events,'
				  ' ARRAY[%3$s]::pg_catalog.float8[] AS numbers, ARRAY[%4$s]::healthscore.exact_set[] AS sets'
				  ' FROM %5$s AS s WHERE s.%6$I OPERATOR(pg_catalog.>) %7$L::pg_catalog.timestamptz'
				  ' AND s.%6$I OPERATOR(pg_catalog.<=) %8$L::pg_catalog.timestamptz AND s.%2$I IS NOT NULL'
				  ' GROUP BY 1, 2',
				  -- (midnight, next midnight]: the midnight an instant before it
				  healthscore_internal.bucket_sql(format('(s.%I OPERATOR(pg_catalog.-) ''1 microsecond''::pg_catalog.interval)',
														 plan.time_column), 1, found_model.time_zone),
				  plan.source_key,
				  healthscore_internal.rollup_call_list(plan.numbers, NULL, found.model, found.source),
				  healthscore_internal.rollup_call_list(plan.sets, NULL, found.model, found.source),
				  found.source::regclass, plan.time_column, since, until);
END
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_bucket_query(integer, timestamptz, timestamptz) IS
'the query of a rollup''s day states from since to until: per day (named by the midnight in the model''s time zone it starts after) and account key, the source rows and every bucket call of the rolled signals';

-- [lo, hi) (midnights) as buckets of 28, 7 and 1 days: the 4-week spans inside it, then the
-- weeks inside what is left at either end, then days. 89 days are at most about 12 buckets.
CREATE FUNCTION healthscore_internal.rollup_spans(lo timestamptz, hi timestamptz, time_zone text, largest integer DEFAULT 28)
RETURNS TABLE (days integer, span_start timestamptz, span_end timestamptz)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	smaller integer := CASE largest WHEN 28 THEN 7 WHEN 7 THEN 1 END;
	first_whole timestamptz;
	last_whole timestamptz;
BEGIN
	IF lo >= hi THEN
		RETURN;
	END IF;
	IF largest = 1 THEN
		RETURN QUERY SELECT 1, lo, hi;
		RETURN;
	END IF;
	-- before a rollup's first day there are no states: from -infinity, every span is whole
	first_whole := healthscore_internal.bucket_start(lo, largest, time_zone);
	IF first_whole < lo THEN
		first_whole := healthscore_internal.bucket_after(first_whole, largest, time_zone);
	END IF;
	last_whole := healthscore_internal.bucket_start(hi, largest, time_zone);
	IF first_whole >= last_whole THEN
		RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(lo, hi, time_zone, smaller);
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(lo, first_whole, time_zone, smaller);
	RETURN QUERY SELECT largest, first_whole, last_whole;
	RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(last_whole, hi, time_zone, smaller);
END
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_spans(timestamptz, timestamptz, text, integer) IS
'the range [lo, hi) of whole days as ranges of buckets of 28, 7 and 1 days (largest first inside, smaller at the ends), for reading the fewest rollup states';

-- The grouped query of a rollup's signals, in the shape of source_query() (account key as text,
-- then c<position> per signal), all windows at once: the states of the whole rolled-up days
-- inside each window (as the fewest buckets of 28, 7 and 1 days, rollup_spans), united with the
-- same calls over the windows' other events (the part days at their edges, the days not rolled
-- up yet). Each row says which windows it belongs to (w<n>); each signal combines the rows of
-- its window (rollup_expression's FILTER), and is NULL for an account without any, as an
-- account without events in a window has no row in source_query().
CREATE FUNCTION healthscore_internal.rolled_query(model healthscore.models, rollup healthscore.rollups,
												  source_key text, time_column text, numbers text[], sets text[],
												  windows interval[], signals healthscore.signals[], combined text[],
												  signal_windows integer[], as_of timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
DECLARE
	rolled_to timestamptz := least(healthscore_internal.bucket_start(as_of, 1, model.time_zone), rollup.rolled_until);
	window_start timestamptz;
	rolled_from timestamptz;
	spans record;
	in_events text[] := '{}';
	states text[] := '{}';
	columns text := '';
	numbers_read integer[];
	sets_read integer[];
	state_columns text;
	span_windows integer[] := '{}';
	span_days integer[] := '{}';
	span_starts timestamptz[] := '{}';
	span_ends timestamptz[] := '{}';
	all_time integer;
	all_time_combined text[];
BEGIN
	-- each window's buckets (rollup_spans) and the events it still reads: the part days at its
	-- edges, the days not rolled up yet
	FOR n IN 1 .. cardinality(windows) LOOP
		window_start := CASE WHEN windows[n] IS NULL THEN '-infinity' ELSE as_of - windows[n] END;
		-- the whole days inside (window_start, as_of]: from the first midnight at or after its start
		rolled_from := CASE WHEN isfinite(window_start)
							THEN healthscore_internal.bucket_after(healthscore_internal.bucket_start(window_start - interval '1 microsecond', 1,
																									model.time_zone), 1, model.time_zone)
							ELSE window_start END;
		IF rolled_from < rolled_to THEN
			SELECT span_windows || array_agg(n), span_days || array_agg(p.days), span_starts || array_agg(p.span_start),
				   span_ends || array_agg(p.span_end)
			INTO span_windows, span_days, span_starts, span_ends
			FROM healthscore_internal.rollup_spans(rolled_from, rolled_to, model.time_zone) AS p;
			in_events := in_events || format('(s.%1$I OPERATOR(pg_catalog.>) %2$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %3$L::pg_catalog.timestamptz'
											 ' OR s.%1$I OPERATOR(pg_catalog.>) %4$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %5$L::pg_catalog.timestamptz)',
											 time_column, window_start, rolled_from, rolled_to, as_of);
		ELSE
			in_events := in_events || format('(s.%1$I OPERATOR(pg_catalog.>) %2$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %3$L::pg_catalog.timestamptz)',
											 time_column, window_start, as_of);
		END IF;
	END LOOP;
	FOR i IN 1 .. cardinality(signals) LOOP
		columns := columns || format(', CASE WHEN pg_catalog.bool_or(r.w%s) THEN %s%s END AS c%s', signal_windows[i],
									 healthscore_internal.one_expression(combined[i], 'refresh', model.name, signals[i].name, 'expression'),
									 healthscore_internal.signal_cast(signals[i], true), signals[i].position);
	END LOOP;
	-- the calls these signals read; the others are NULL over events, and the arrays not read at
	-- all are not read from the states (a week's sets are large)
	numbers_read := healthscore_internal.rollup_slots_read(combined, 'numbers');
	sets_read := healthscore_internal.rollup_slots_read(combined, 'sets');
	state_columns := format('t.account_key, %s, %s',
							CASE WHEN cardinality(numbers_read) > 0 THEN 't.numbers' ELSE 'NULL::pg_catalog.float8[]' END,
							CASE WHEN cardinality(sets_read) > 0 THEN 't.sets' ELSE 'NULL::healthscore.exact_set[]' END);
	-- the windows' buckets cut where any of them starts or ends, at each bucket size: every state
	-- is read once, by a range of the primary key, with the windows it belongs to
	FOR spans IN
		WITH spans AS (SELECT * FROM unnest(span_windows, span_days, span_starts, span_ends) AS p(n, days, span_start, span_end)),
			 cuts AS (SELECT DISTINCT p.days, c.at FROM spans AS p, LATERAL (VALUES (p.span_start), (p.span_end)) AS c(at)),
			 pieces AS (SELECT c.days, c.at AS piece_start, lead(c.at) OVER (PARTITION BY c.days ORDER BY c.at) AS piece_end
						FROM cuts AS c)
		SELECT x.days, x.piece_start, x.piece_end,
			   ARRAY(SELECT EXISTS (SELECT FROM spans AS p
									WHERE p.n = w AND p.days = x.days AND p.span_start <= x.piece_start AND p.span_end >= x.piece_end)
					 FROM generate_series(1, cardinality(windows)) AS w ORDER BY w) AS flags
		FROM pieces AS x WHERE x.piece_end IS NOT NULL
		ORDER BY x.days DESC, x.piece_start
	LOOP
		CONTINUE WHEN NOT true = ANY (spans.flags);
		states := states || format('SELECT %s, %s FROM healthscore.rollup_states AS t'
								   ' WHERE t.rollup_id OPERATOR(pg_catalog.=) %s AND t.days OPERATOR(pg_catalog.=) %s'
								   ' AND t.bucket OPERATOR(pg_catalog.>=) %L::pg_catalog.timestamptz'
								   ' AND t.bucket OPERATOR(pg_catalog.<) %L::pg_catalog.timestamptz',
								   state_columns,
								   (SELECT string_agg(format('%s AS w%s', CASE WHEN f THEN 'true' ELSE 'false' END, n), ', ' ORDER BY n)
									FROM unnest(spans.flags) WITH ORDINALITY AS x(f, n)),
								   rollup.rollup_id, spans.days, spans.piece_start, spans.piece_end);
	END LOOP;
	-- rows at -infinity are in the all-time window only, and in no day: read from the source, with
	-- the calls of the all-time signals only (stickiness() refuses them, in other windows too)
	all_time := array_position(windows, NULL);
	IF all_time IS NOT NULL THEN
		all_time_combined := ARRAY(SELECT e.c FROM unnest(combined, signal_windows) AS e(c, w) WHERE e.w = all_time);
		states := states || format('SELECT s.%1$I::pg_catalog.text, ARRAY[%2$s]::pg_catalog.float8[], ARRAY[%3$s]::healthscore.exact_set[], %4$s'
								   ' FROM %5$s AS s WHERE s.%6$I OPERATOR(pg_catalog.=) ''-infinity''::pg_catalog.timestamptz'
								   ' AND s.%1$I IS NOT NULL GROUP BY s.%1$I',
								   source_key,
								   healthscore_internal.rollup_call_list(numbers, healthscore_internal.rollup_slots_read(all_time_combined, 'numbers'),
																		 model.name, rollup.source),
								   healthscore_internal.rollup_call_list(sets, healthscore_internal.rollup_slots_read(all_time_combined, 'sets'),
																		 model.name, rollup.source),
								   (SELECT string_agg(format('%s AS w%s', CASE WHEN w = all_time THEN 'true' ELSE 'false' END, w), ', ' ORDER BY w)
									FROM generate_series(1, cardinality(windows)) AS w),
								   rollup.source::regclass, time_column);
	END IF;
	RETURN format('SELECT r.account_key%1$s FROM (%2$s'
				  'SELECT s.%3$I::pg_catalog.text, ARRAY[%4$s]::pg_catalog.float8[], ARRAY[%5$s]::healthscore.exact_set[], %6$s'
				  ' FROM %7$s AS s WHERE (%8$s) AND s.%3$I IS NOT NULL GROUP BY s.%3$I, %9$s'
				  ') AS r GROUP BY r.account_key',
				  columns,
				  (SELECT string_agg(b || ' UNION ALL ', '') FROM unnest(states) AS b),
				  source_key,
				  healthscore_internal.rollup_call_list(numbers, numbers_read, model.name, rollup.source),
				  healthscore_internal.rollup_call_list(sets, sets_read, model.name, rollup.source),
				  (SELECT string_agg(c, ', ' ORDER BY n) FROM unnest(in_events) WITH ORDINALITY AS x(c, n)),
				  rollup.source::regclass,
				  array_to_string(in_events, ' OR '),
				  -- the window flags, after the key and the two arrays
				  (SELECT string_agg((n + 3)::text, ', ' ORDER BY n) FROM generate_series(1, cardinality(windows)) AS n));
END
$$;

COMMENT ON FUNCTION healthscore_internal.rolled_query(healthscore.models, healthscore.rollups, text, text, text[], text[], interval[], healthscore.signals[], text[], integer[], timestamptz) IS
'the grouped query of a rollup''s signals over all their windows (as source_query, keyed by text): rollup states of the whole rolled-up days inside each window and the same calls over its other events, each row flagged with the windows it belongs to, combined per account and window';

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
	rollup healthscore.rollups;
	rolled record;
	rolled_names text[] := '{}';
	rolled_expressions text[] := '{}';
	rolled_by integer[] := '{}';
	rolled_windows integer[] := '{}';
	rolled_plans jsonb[] := '{}';
	plan_rollups integer[] := '{}';
	plan jsonb;
	grouped text;
	keyed_by_text boolean;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh_sql(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);	-- until this function returns
	key_type := healthscore_internal.column_type(found_model.accounts::regclass, found_model.key_column);
	-- the signals that rollups in use hold (rollups.sql), while they hold what the model defines
	FOR rollup IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name AND u.in_use
				  ORDER BY u.rollup_id LOOP
		rolled := healthscore_internal.rollup_plan(found_model.name, rollup.source);
		IF rolled.definition = rollup.definition THEN
			rolled_names := rolled_names || rolled.signals;
			rolled_expressions := rolled_expressions || rolled.combined;
			rolled_windows := rolled_windows || rolled.signal_windows;
			rolled_by := rolled_by || array_fill(rollup.rollup_id, ARRAY[cardinality(rolled.signals)]);
			plan_rollups := plan_rollups || rollup.rollup_id;
			rolled_plans := rolled_plans || jsonb_build_object('source_key', rolled.source_key, 'time_column', rolled.time_column,
															   'numbers', rolled.numbers, 'sets', rolled.sets,
															   'windows', rolled.windows);
		END IF;
	END LOOP;
	FOR source_group IN
		SELECT s.source, s.source_key, s.time_column, g.lookback,
			   array_agg(s ORDER BY s.position) AS signals, min(s.position) AS first,
			   bool_or(s.expression ~* '\maccount\s*\.' AND s.scoring <> 'assessment') AS uses_account,
			   r.rollup_id
		FROM healthscore.signals AS s
		-- over foreign sources, what the foreign server cannot aggregate is grouped apart
		CROSS JOIN LATERAL (SELECT healthscore_internal.aggregated_here(s, 'refresh') AS here) AS shipping
		-- a rollup's signals are one group, whatever their windows
		CROSS JOIN LATERAL (SELECT coalesce(rolled_by[array_position(rolled_names, s.name)], 0) AS rollup_id) AS r
		CROSS JOIN LATERAL (SELECT CASE WHEN r.rollup_id = 0 THEN s.lookback END AS lookback,
								   CASE WHEN r.rollup_id = 0 THEN shipping.here END AS here) AS g
		WHERE s.model = found_model.name
		GROUP BY s.source, s.source_key, s.time_column, g.lookback, g.here, r.rollup_id
		ORDER BY first
	LOOP
		group_number := group_number + 1;
		group_alias := 'g' || group_number;
		grouped := NULL;
		IF source_group.rollup_id <> 0 THEN
			SELECT u.* INTO rollup FROM healthscore.rollups AS u WHERE u.rollup_id = source_group.rollup_id;
			plan := rolled_plans[array_position(plan_rollups, source_group.rollup_id)];
			grouped := healthscore_internal.rolled_query(found_model, rollup, plan ->> 'source_key', plan ->> 'time_column',
				ARRAY(SELECT jsonb_array_elements_text(plan -> 'numbers')),
				ARRAY(SELECT jsonb_array_elements_text(plan -> 'sets')),
				ARRAY(SELECT w::interval FROM jsonb_array_elements_text(plan -> 'windows') WITH ORDINALITY AS x(w, n) ORDER BY n),
				source_group.signals,
				ARRAY(SELECT rolled_expressions[array_position(rolled_names, g.name)]
					  FROM unnest(source_group.signals) WITH ORDINALITY AS g ORDER BY g.ordinality),
				ARRAY(SELECT rolled_windows[array_position(rolled_names, g.name)]
					  FROM unnest(source_group.signals) WITH ORDINALITY AS g ORDER BY g.ordinality),
				as_of);
		END IF;
		-- the group's key is the account's when it joins the account row; assessments and rolled
		-- signals key by text
		keyed_by_text := grouped IS NOT NULL OR source_group.source = 'healthscore.assessments';
		group_key_type := CASE WHEN source_group.uses_account THEN key_type
							   ELSE healthscore_internal.column_type(source_group.source::regclass, source_group.source_key) END;
		joins := joins || format(E'\nLEFT JOIN (%s) AS %I ON %I.account_key %s account.%I%s',
								 coalesce(grouped,
										  healthscore_internal.source_query(found_model, source_group.source, source_group.source_key,
																			source_group.time_column, source_group.lookback,
																			source_group.signals, as_of, true)),
								 group_alias, group_alias,
								 CASE WHEN keyed_by_text THEN 'OPERATOR(pg_catalog.=)'
									  ELSE healthscore_internal.equality(group_key_type, key_type) END,
								 found_model.key_column,
								 CASE WHEN keyed_by_text THEN '::pg_catalog.text' ELSE '' END);
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

-- Rollups: a refresh whose cost follows the new events, not the length of its windows. For one
-- source of a model, enable_rollup() keeps per account and day (after midnight up to and
-- including the next midnight, in the model's time zone) the partial results of the source's signals' aggregate calls
-- (rollup_calls.c), and per week and 4 weeks their combination, in healthscore.rollup_states.
-- A refresh then combines the few states of the whole days inside each window, and reads events
-- only for the part days at the window's edges and the days not rolled up yet (rolled_query).
--
-- Late and changed data: each refresh as of the current day rolls up again the days that ended
-- within the rollup's late_window (2 days unless set), so rows that arrive that late are counted;
-- rows inserted, updated or deleted further back are counted after refresh_rollup() over their
-- days. The states are built again, from the whole source, when the rolled signals change.
-- A rollup whose days hold fewer than min_events_per_row events per account is not used (reading
-- events is as cheap); enable_rollup() measures that.

-- Roll up the days from since to until (midnights) again, from the source as the model's author,
-- then the weeks and 4-week spans they are in (weeks from days, 4 weeks from weeks, by the
-- combining op of each number and the union of each set): those with a day whose state changed,
-- and those that became whole because the rollup now reaches rolled_until instead of
-- previously_until. A day rolled up again as it was (no late rows) rebuilds nothing. Returns the
-- day states written.
CREATE FUNCTION healthscore_internal.roll_up(rollup integer, since timestamptz, until timestamptz,
											 previously_until timestamptz, rolled_until timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	existing healthscore.rollups;
	time_zone text;
	written bigint;
	numbers text;
	sets text;
	changed timestamptz[];
	span integer;
	starts timestamptz[];
	plan record;
BEGIN
	SELECT u.* INTO existing FROM healthscore.rollups AS u WHERE u.rollup_id = roll_up.rollup;
	time_zone := (healthscore_internal.model_row(existing.model)).time_zone;
	-- how the numbers combine, from the model's signals (as the states were built), never from
	-- the table's text, which administrators may write
	plan := healthscore_internal.rollup_plan(existing.model, existing.source);
	PERFORM healthscore_internal.rollup_as_author(existing.rollup_id, since, until);
	-- the days whose states differ from those they replace
	SELECT array_agg(DISTINCT coalesce(d.bucket, t.bucket)) INTO changed
	FROM (SELECT * FROM healthscore.rollup_states AS t
		  WHERE t.rollup_id = existing.rollup_id AND t.days = 1 AND t.bucket >= since AND t.bucket < until) AS t
	FULL JOIN pg_temp.healthscore_rollup_rolled AS d ON d.bucket = t.bucket AND d.account_key = t.account_key
	WHERE d.bucket IS NULL OR t.bucket IS NULL OR (d.events, d.numbers) IS DISTINCT FROM (t.events, t.numbers)
	   OR NOT healthscore_internal.exact_sets_same(d.sets, t.sets);
	DELETE FROM healthscore.rollup_states AS t
	WHERE t.rollup_id = existing.rollup_id AND t.days = 1 AND t.bucket >= since AND t.bucket < until;
	INSERT INTO healthscore.rollup_states (rollup_id, days, bucket, account_key, events, numbers, sets)
	SELECT existing.rollup_id, 1, d.bucket, d.account_key, d.events, d.numbers, d.sets
	FROM pg_temp.healthscore_rollup_rolled AS d;
	GET DIAGNOSTICS written = ROW_COUNT;
	DROP TABLE pg_temp.healthscore_rollup_rolled;

	SELECT string_agg(format('pg_catalog.%s(t.numbers[%s])',
							 CASE o.op WHEN 'sum' THEN 'sum' WHEN 'min' THEN 'min' WHEN 'max' THEN 'max' END, o.i),
					  ', ' ORDER BY o.i) INTO numbers
	FROM unnest(plan.ops) WITH ORDINALITY AS o(op, i);
	SELECT string_agg(format('healthscore_internal.exact_set_union(t.sets[%s])', i), ', ' ORDER BY i) INTO sets
	FROM generate_series(1, cardinality(plan.sets)) AS i;
	FOREACH span IN ARRAY ARRAY[7, 28] LOOP
		-- the spans of the changed days, and those that end after previously_until, that are
		-- whole by rolled_until
		SELECT array_agg(DISTINCT p.start) INTO starts
		FROM (SELECT healthscore_internal.bucket_start(c, span, time_zone) AS start FROM unnest(changed) AS c
			  UNION
			  SELECT healthscore_internal.bucket_start(previously_until, span, time_zone)
			  WHERE previously_until < rolled_until
			  UNION
			  SELECT g FROM generate_series(healthscore_internal.bucket_after(healthscore_internal.bucket_start(previously_until, span, time_zone), span, time_zone),
											rolled_until, make_interval(days => span)) AS g
			  WHERE previously_until < rolled_until AND isfinite(previously_until)) AS p
		WHERE isfinite(p.start)
		  AND healthscore_internal.bucket_after(p.start, span, time_zone) <= healthscore_internal.bucket_start(rolled_until, span, time_zone);
		CONTINUE WHEN starts IS NULL;
		DELETE FROM healthscore.rollup_states AS t
		WHERE t.rollup_id = existing.rollup_id AND t.days = span AND t.bucket = ANY (starts);
		EXECUTE format('INSERT INTO healthscore.rollup_states (rollup_id, days, bucket, account_key, events, numbers, sets)'
					   ' SELECT $1, %1$s, %2$s, t.account_key, pg_catalog.sum(t.events)::pg_catalog.int8,'
					   ' ARRAY[%3$s]::pg_catalog.float8[], ARRAY[%4$s]::healthscore.exact_set[]'
					   ' FROM healthscore.rollup_states AS t WHERE t.rollup_id OPERATOR(pg_catalog.=) $1'
					   ' AND t.days OPERATOR(pg_catalog.=) %5$s AND t.bucket OPERATOR(pg_catalog.>=) $2'
					   ' AND t.bucket OPERATOR(pg_catalog.<) $3 AND %2$s OPERATOR(pg_catalog.=) ANY ($4) GROUP BY 3, 4',
					   span, healthscore_internal.bucket_sql('t.bucket', span, time_zone), numbers, sets,
					   CASE span WHEN 7 THEN 1 ELSE 7 END)
			USING existing.rollup_id, (SELECT min(x) FROM unnest(starts) AS x),
				  healthscore_internal.bucket_after((SELECT max(x) FROM unnest(starts) AS x), span, time_zone), starts;
	END LOOP;
	RETURN written;
END
$$;

COMMENT ON FUNCTION healthscore_internal.roll_up(integer, timestamptz, timestamptz, timestamptz, timestamptz) IS
'rolls up the days from since to until again from the source (as the model''s author), then the weeks and 4-week spans of the days that changed or that became whole between previously_until and rolled_until; returns the day states written';

-- Build a rollup's states from the whole source, up to until (a midnight), and measure whether
-- they pay: with fewer events than min_events_per_row per day state, in the 28 days up to the
-- source's newest row (when they have at least 1,000 day states: then the whole source is not
-- read) or in all of them, no state is kept and refreshes read events.
CREATE FUNCTION healthscore_internal.build_rollup(rollup integer, until timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
	plan record;
	day_states bigint;
	day_events bigint;
	time_zone text;
	probe_until timestamptz;
BEGIN
	SELECT u.* INTO existing FROM healthscore.rollups AS u WHERE u.rollup_id = build_rollup.rollup;
	plan := healthscore_internal.rollup_plan(existing.model, existing.source);
	-- a midnight in the model's time zone, which may have changed since the rollup was built
	time_zone := (healthscore_internal.model_row(existing.model)).time_zone;
	until := healthscore_internal.bucket_start(until, 1, time_zone);
	DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	UPDATE healthscore.rollups AS u
	SET definition = plan.definition, number_ops = plan.ops, set_count = cardinality(plan.sets),
		rolled_until = CASE WHEN plan.definition IS NOT NULL THEN build_rollup.until END,
		state_rows = 0, events = 0, in_use = false, built_at = now(), maintained_in = pg_current_xact_id()
	WHERE u.rollup_id = existing.rollup_id;
	IF plan.definition IS NULL THEN
		RETURN;		-- no signal it could hold
	END IF;
	-- the density of the 28 days up to the source's newest row first: when they have enough
	-- states to tell that it does not pay, the whole source is not read
	SELECT least(until, healthscore_internal.bucket_after(healthscore_internal.bucket_start(max(f.newest), 1, time_zone), 1, time_zone))
	INTO probe_until
	FROM healthscore_internal.source_freshness(existing.model, now(), true) AS f
	JOIN healthscore.signals AS s ON s.model = existing.model AND s.name = f.signal
	WHERE s.source = existing.source AND s.time_column = plan.time_column;
	probe_until := coalesce(probe_until, until);
	PERFORM healthscore_internal.rollup_as_author(existing.rollup_id, probe_until - interval '28 days', probe_until);
	SELECT count(*), coalesce(sum(d.events), 0) INTO day_states, day_events FROM pg_temp.healthscore_rollup_rolled AS d;
	DROP TABLE pg_temp.healthscore_rollup_rolled;
	IF day_states >= 1000 AND day_events < existing.min_events_per_row * day_states THEN
		UPDATE healthscore.rollups AS u SET state_rows = day_states, events = day_events
		WHERE u.rollup_id = existing.rollup_id;
		RETURN;
	END IF;
	PERFORM healthscore_internal.roll_up(existing.rollup_id, '-infinity', until, '-infinity', until);
	SELECT count(*), coalesce(sum(t.events), 0) INTO day_states, day_events
	FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id AND t.days = 1;
	UPDATE healthscore.rollups AS u
	SET state_rows = day_states, events = day_events,
		in_use = day_states > 0 AND day_events >= u.min_events_per_row * day_states
	WHERE u.rollup_id = existing.rollup_id
	RETURNING u.* INTO existing;
	IF NOT existing.in_use THEN
		DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	END IF;
	-- refreshes plan their reading of the states with the table's statistics: gathered now by
	-- the table's owner, else by autovacuum (ANALYZE would only warn)
	IF pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = 'healthscore.rollup_states'::regclass),
				   'MEMBER') THEN
		ANALYZE healthscore.rollup_states;
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.build_rollup(integer, timestamptz) IS
'builds a rollup''s states from its whole source up to until, records what they hold, and uses them only when they hold at least min_events_per_row events per day state (measured first over the 28 days up to the source''s newest row)';

-- Before a refresh as of as_of: rollups whose signals changed are built again; the others roll up
-- the days since they were last rolled up, and again those that ended within their late_window,
-- unless this transaction did already (the refreshes of a backfill) or the refresh is of a time
-- well before them. Days are never rolled up beyond today, whose events are still arriving.
CREATE FUNCTION healthscore_internal.maintain_rollups(model text, as_of timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(maintain_rollups.model);
	existing healthscore.rollups;
	plan record;
	today timestamptz := healthscore_internal.bucket_start(now(), 1, found_model.time_zone);
	as_of_day timestamptz := healthscore_internal.bucket_start(as_of, 1, found_model.time_zone);
	new_until timestamptz;
	since timestamptz;
BEGIN
	FOR existing IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name AND u.in_use
				 ORDER BY u.rollup_id FOR UPDATE LOOP
		plan := healthscore_internal.rollup_plan(found_model.name, existing.source);
		IF plan.definition IS DISTINCT FROM existing.definition THEN
			RAISE NOTICE 'refresh(): what the rollup of model "%" over % holds changed since it was built (its signals, their key or time column, the model''s time zone or author): building it again',
				found_model.name, existing.source
				USING DETAIL = 'The whole source is read once; refreshes after this one read the new rollup.';
			PERFORM healthscore_internal.build_rollup(existing.rollup_id, greatest(least(as_of_day, today), existing.rolled_until));
			IF NOT (SELECT u.in_use FROM healthscore.rollups AS u WHERE u.rollup_id = existing.rollup_id) THEN
				RAISE NOTICE 'refresh(): the rollup of model "%" over % is not used any more', found_model.name, existing.source
					USING DETAIL = 'Its days hold fewer events per account than its min_events_per_row, or none of its signals can be rolled up.',
						  HINT = 'healthscore.check_model() says which; healthscore.enable_rollup() measures again.';
			END IF;
			CONTINUE;
		END IF;
		CONTINUE WHEN existing.maintained_in = pg_current_xact_id() OR as_of_day < existing.rolled_until - existing.late_window;
		new_until := greatest(existing.rolled_until, least(as_of_day, today));
		since := least(existing.rolled_until, healthscore_internal.bucket_start(new_until - existing.late_window, 1, found_model.time_zone));
		PERFORM healthscore_internal.roll_up(existing.rollup_id, since, new_until, existing.rolled_until, new_until);
		UPDATE healthscore.rollups AS u SET rolled_until = new_until, maintained_in = pg_current_xact_id()
		WHERE u.rollup_id = existing.rollup_id;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore_internal.maintain_rollups(text, timestamptz) IS
'before a refresh: builds again the rollups of a model whose signals changed, and rolls up the new days of the others and again those within their late_window (once per transaction, never beyond today)';

-- The rollup of a model's source, or an error saying how to enable it.
CREATE FUNCTION healthscore_internal.rollup_row(func text, model text, source regclass)
RETURNS healthscore.rollups
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION '%(): source must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the relation whose signals are rolled up.';
	END IF;
	SELECT u.* INTO existing FROM healthscore.rollups AS u
	WHERE u.model = (healthscore_internal.model_row(rollup_row.model)).name AND u.source = rollup_row.source::text;
	IF NOT FOUND THEN
		RAISE EXCEPTION '%(): model "%" has no rollup of source %', func, model, source
			USING ERRCODE = 'undefined_object',
				  HINT = format('Enable one with healthscore.enable_rollup(%L, %L); SELECT model, source FROM healthscore.rollups lists them.',
								model, source::text);
	END IF;
	RETURN existing;
END
$$;

COMMENT ON FUNCTION healthscore_internal.rollup_row(text, text, regclass) IS
'the rollup of a model''s source, or an error naming the function, model and source';

CREATE FUNCTION healthscore.enable_rollup(model text, source regclass, grain interval DEFAULT '1 day',
										  late_window interval DEFAULT '2 days', min_events_per_row float8 DEFAULT 4,
										  OUT rolled_signals text[], OUT skipped_signals text[], OUT skipped_reasons text[],
										  OUT day_states bigint, OUT events bigint, OUT in_use boolean)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models;
	plan record;
	rollup integer;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	IF source IS NULL THEN
		RAISE EXCEPTION 'enable_rollup(): source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the relation whose signals are rolled up, e.g. ''app.events''.';
	END IF;
	IF NOT EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.source = enable_rollup.source::text) THEN
		RAISE EXCEPTION 'enable_rollup(): model "%" has no signal over source %', found_model.name, source
			USING ERRCODE = 'undefined_object',
				  HINT = coalesce('Its sources: ' || (SELECT string_agg(DISTINCT s.source, ', ') FROM healthscore.signals AS s
													  WHERE s.model = found_model.name) || '.',
								  'It has no signals yet: add them with healthscore.add_signal() first.');
	END IF;
	IF grain IS DISTINCT FROM interval '1 day' THEN
		RAISE EXCEPTION 'enable_rollup(): grain of the rollup of model "%" over % must be 1 day, not %', found_model.name, source,
			coalesce(grain::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Days run from midnight in the model''s time zone; weeks and 4-week spans are combined from them.';
	END IF;
	IF late_window IS NULL OR late_window < interval '0' OR late_window > interval '366 days' THEN
		RAISE EXCEPTION 'enable_rollup(): late_window of the rollup of model "%" over % must be from 0 to 366 days, not %',
			found_model.name, source, coalesce(late_window::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'How late rows may arrive: each refresh rolls up again the days that ended within it, e.g. ''2 days''.';
	END IF;
	IF min_events_per_row IS NULL OR NOT (min_events_per_row >= 0 AND min_events_per_row < 'infinity') THEN
		RAISE EXCEPTION 'enable_rollup(): min_events_per_row of the rollup of model "%" over % must be a finite number >= 0, not %',
			found_model.name, source, coalesce(min_events_per_row::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Rollups are used only when their days hold this many events per account; 0 uses them always.';
	END IF;
	plan := healthscore_internal.rollup_plan(found_model.name, source::text);
	IF plan.definition IS NULL THEN
		RAISE EXCEPTION 'enable_rollup(): no signal of model "%" over % can be rolled up', found_model.name, source
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = (SELECT string_agg(format('signal "%s": %s', n, r), E'\n')
							FROM unnest(plan.skipped, plan.reasons) AS x(n, r)),
				  HINT = 'Rollups hold count, sum, avg, min, max, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness and healthscore.nps over a timestamptz time column.';
	END IF;
	INSERT INTO healthscore.rollups AS u (model, source, grain, late_window, min_events_per_row)
	VALUES (found_model.name, source::text, grain, late_window, min_events_per_row)
	ON CONFLICT ON CONSTRAINT rollups_model_source_key DO UPDATE
		SET late_window = excluded.late_window, min_events_per_row = excluded.min_events_per_row,
			enabled_by = CURRENT_USER, enabled_at = now()
	RETURNING u.rollup_id INTO rollup;
	PERFORM healthscore_internal.build_rollup(rollup, healthscore_internal.bucket_start(now(), 1, found_model.time_zone));
	rolled_signals := plan.signals;
	skipped_signals := plan.skipped;
	skipped_reasons := plan.reasons;
	SELECT u.state_rows, u.events, u.in_use INTO day_states, enable_rollup.events, enable_rollup.in_use
	FROM healthscore.rollups AS u WHERE u.rollup_id = rollup;
END
$$;

COMMENT ON FUNCTION healthscore.enable_rollup(text, regclass, interval, interval, float8) IS
'keeps per account and day the partial results of a model''s signals over a source (built now from the whole source), so that refreshes combine days instead of scanning events; returns the signals it holds and skips (with why), its day states and events, and whether refreshes use it (events per day state >= min_events_per_row); enabling again re-measures';

CREATE FUNCTION healthscore.disable_rollup(model text, source regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	existing := healthscore_internal.rollup_row('disable_rollup', model, source);
	DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	DELETE FROM healthscore.rollups AS u WHERE u.rollup_id = existing.rollup_id;
END
$$;

COMMENT ON FUNCTION healthscore.disable_rollup(text, regclass) IS
'drops the rollup of a model''s source and its states; refreshes read the source''s events again';

CREATE FUNCTION healthscore.refresh_rollup(model text, source regclass, since timestamptz,
										   until timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	existing healthscore.rollups;
	time_zone text;
	first_day timestamptz;
	last_day timestamptz;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	existing := healthscore_internal.rollup_row('refresh_rollup', model, source);
	time_zone := (healthscore_internal.model_row(model)).time_zone;
	PERFORM set_config('TimeZone', time_zone, true);
	IF since IS NULL OR until IS NULL OR NOT isfinite(since) OR NOT isfinite(until) OR since > until THEN
		RAISE EXCEPTION 'refresh_rollup(): since and until of the rollup of model "%" over % must be finite with since <= until',
			existing.model, existing.source
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the times of the first and the last row that were inserted, updated or deleted (until: a time, not a date: ''2026-01-31'' is its first instant).';
	END IF;
	IF NOT existing.in_use THEN
		RAISE EXCEPTION 'refresh_rollup(): the rollup of model "%" over % is not in use, and keeps no states', existing.model, existing.source
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'healthscore.enable_rollup() measures again whether it pays; refreshes read the events meanwhile.';
	END IF;
	-- the days that hold since and until, (midnight, next midnight]
	first_day := healthscore_internal.bucket_start(since - interval '1 microsecond', 1, time_zone);
	last_day := healthscore_internal.bucket_after(healthscore_internal.bucket_start(until - interval '1 microsecond', 1, time_zone), 1, time_zone);
	last_day := least(last_day, existing.rolled_until);
	IF first_day >= last_day THEN
		RETURN 0;	-- those days are not rolled up yet: refreshes read their events
	END IF;
	RETURN healthscore_internal.roll_up(existing.rollup_id, first_day, last_day, existing.rolled_until, existing.rolled_until);
END
$$;

COMMENT ON FUNCTION healthscore.refresh_rollup(text, regclass, timestamptz, timestamptz) IS
'rolls up again the days from since to until of a model''s source (after rows older than its late_window were inserted, updated or deleted there); returns the day states written';

-- A model's health check: what would make its refresh fail (model_checks.sql) and what makes its
-- scores less than they seem, read from the sources, the current run and the schedule.

-- A model's health check: what would make its refresh fail (errors, which refresh() raises too),
-- and what makes its scores less than they seem (warnings): sources with no rows in their window
-- or stale, signals missing for every account, accounts with no signal at all, a segment filter
-- matching no account, accounts no model of the group scores, a schedule that is overdue or
-- failing. It reads the sources (newest row, rows in the window) as the model's author.
CREATE FUNCTION healthscore.check_model(model text)
RETURNS TABLE (severity text, object text, problem text, hint text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(check_model.model);
	checked_at timestamptz := now();
	current_run healthscore.runs;
	found record;
	failing record;
	has_errors boolean := false;
	foreign_signal healthscore.signals;
	rolled record;
	failed_message text;
BEGIN
	FOR found IN SELECT * FROM healthscore_internal.model_errors(found_model.name, 'check_model') LOOP
		has_errors := true;
		RETURN QUERY SELECT 'error', found.object, found.problem, found.hint;
	END LOOP;
	IF has_errors THEN
		RETURN;		-- the rest would fail on the same problems
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	FOR found IN
		SELECT s.name, s.source, s.time_column, s.lookback, s.max_age, f.newest, f.rows_in_window
		FROM healthscore_internal.source_freshness(found_model.name, checked_at, true) AS f
		JOIN healthscore.signals AS s ON s.model = found_model.name AND s.name = f.signal
		ORDER BY s.position
	LOOP
		IF NOT found.rows_in_window THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', found.name),
				CASE WHEN found.lookback IS NULL
					 THEN format('%s has no rows up to now (by %s): the signal is missing for every account', found.source, found.time_column)
					 ELSE format('%s has no rows in the %s before now (by %s): the signal is missing for every account',
								 found.source, found.lookback, found.time_column) END,
				format('Check what loads %s%s.', found.source,
					   CASE WHEN found.newest IS NOT NULL THEN format(' (its newest row is from %s)', found.newest) ELSE '' END);
		ELSIF found.max_age IS NOT NULL AND found.newest < checked_at - found.max_age THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', found.name),
				format('%s is stale: its newest row (by %s) is from %s, more than max_age %s ago',
					   found.source, found.time_column, found.newest, found.max_age),
				format('Check what loads %s; until it is fresh again the signal counts as missing.', found.source);
		END IF;
	END LOOP;
	-- signals over foreign tables (or partitions of them) that the foreign server cannot aggregate:
	-- the refresh groups them apart, but fetches every row of their window
	FOR foreign_signal IN SELECT s.* FROM healthscore.signals AS s WHERE s.model = found_model.name ORDER BY s.position LOOP
		IF healthscore_internal.aggregated_here(foreign_signal, 'check_model') THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', foreign_signal.name),
				format('%s is a foreign table (or has foreign partitions), and this signal is aggregated on this server: every row of its window is fetched (the refresh groups it apart from the signals the foreign server can aggregate)',
					   foreign_signal.source),
				CASE WHEN foreign_signal.expression ~* '\maccount\s*\.'
					 THEN 'It joins the account row before grouping: move account.<column> into per_account (e.g. expression => ''healthscore.distinct_count(s.user_id)::float8'', per_account => ''value / account.seats'').'
					 ELSE 'postgres_fdw ships only immutable built-in functions and those of extensions the server lists: ALTER SERVER ... OPTIONS (ADD extensions ''healthscore''), with healthscore installed on the server; avoid COLLATE and functions such as now().' END;
		END IF;
	END LOOP;
	SELECT r.* INTO current_run FROM healthscore.runs AS r WHERE r.model = found_model.name
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	IF current_run.run_id IS NULL THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name), 'the model has never been refreshed'::text,
			format('SELECT healthscore.refresh(%L); or schedule it: SELECT healthscore.schedule(%L, ''0 3 * * *'').',
				   found_model.name, found_model.name);
	ELSE
		-- signals with no value for any account in the current run
		RETURN QUERY
		SELECT 'warning', format('signal "%s"', current_run.signals[i]),
			   format('no account had a value in the current run (as of %s)', current_run.as_of),
			   'Check the expression and its source; refresh_sql() shows the query.'::text
		FROM generate_subscripts(current_run.signals, 1) AS i
		WHERE EXISTS (SELECT FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id)
		  AND NOT EXISTS (SELECT FROM healthscore.scores AS s
						  WHERE s.run_id = current_run.run_id AND s.raw_values[i] IS NOT NULL);
		RETURN QUERY
		SELECT 'warning', format('model "%s"', found_model.name),
			   format('%s accounts had every signal missing in the current run: their score is NULL, their tier unknown', count(*)),
			   'The weights left after missing data sum to zero: give a signal missing => ''zero'' or ''value'', or check the sources.'::text
		FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id AND s.score IS NULL
		HAVING count(*) > 0;
		IF found_model.segment_filter IS NOT NULL
		   AND NOT EXISTS (SELECT FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id) THEN
			RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
				'its segment filter matched no account in the current run'::text,
				'Check segment_filter against the account relation, and the priorities of its group.'::text;
		END IF;
	END IF;
	IF found_model.model_group IS NOT NULL THEN
		RETURN QUERY
		SELECT 'warning', format('model group "%s"', found_model.model_group),
			   format('%s accounts are scored by no model of the group', count(*)),
			   'Add a default model (no segment_filter) to the group, or refresh: SELECT * FROM healthscore.unscored_accounts lists them.'::text
		FROM healthscore.unscored_accounts(found_model.model_group)
		HAVING count(*) > 0;
	END IF;
	IF healthscore_internal.overdue(found_model.expected_every, current_run.as_of) THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
			format('the model is overdue: it is expected every %s, and its current run is %s',
				   found_model.expected_every, coalesce('as of ' || current_run.as_of::text, 'missing')),
			'See healthscore.model_status and cron.job_run_details for what went wrong.'::text;
	END IF;
	SELECT a.attempt_id, a.finished_at, healthscore_internal.attempt_error(a.status, a.attempt_id, a.backend_pid) AS error
	INTO failing
	FROM healthscore.attempts AS a
	WHERE a.model = found_model.name
	ORDER BY a.started_at DESC, a.attempt_id DESC LIMIT 1;
	IF failing.error IS NOT NULL
	   AND NOT EXISTS (SELECT FROM healthscore.runs AS r WHERE r.model = found_model.name AND r.finished_at > failing.finished_at) THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
			format('its latest run (attempt %s) failed: %s', failing.attempt_id, failing.error),
			'Fix the cause, then CALL healthscore.run(...) or wait for the schedule.'::text;
	END IF;
	-- hierarchy links the rollups skip: a parent that is no account of the current runs, a cycle
	RETURN QUERY
	SELECT 'warning', format('model "%s"', found_model.name),
		   format('%s a parent link with a %s (e.g. account %s): parent_scores skips them',
				  CASE WHEN count(*) = 1 THEN '1 account has' ELSE count(*) || ' accounts have' END,
				  l.problem, (array_agg(l.account_key || ' -> ' || l.parent_key ORDER BY l.account_key))[1]),
		   CASE l.problem WHEN 'cycle' THEN 'Fix the parent column so that following parents never leads back to the account.'
				ELSE format('Give the parent an account row in %s, or clear the child''s %I.', found_model.accounts,
							found_model.parent_column) END
	FROM healthscore_internal.hierarchy_links() AS l
	WHERE l.model = found_model.name AND l.problem IS NOT NULL
	GROUP BY l.problem ORDER BY l.problem;
	-- rollups: what they do not hold, and what makes them cost more than they save
	FOR found IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name ORDER BY u.rollup_id LOOP
		BEGIN
			rolled := healthscore_internal.rollup_plan(found_model.name, found.source);
		EXCEPTION WHEN OTHERS THEN
			-- a signal's text no longer reads (a column dropped): refresh() fails on it too
			GET STACKED DIAGNOSTICS failed_message = MESSAGE_TEXT;
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				format('the rollup cannot read the signals over its source: %s', failed_message),
				'Fix the signal (healthscore.alter_signal) or disable the rollup (healthscore.disable_rollup).'::text;
			CONTINUE;
		END;
		IF NOT found.in_use THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				CASE WHEN found.definition IS NULL THEN 'the rollup holds no signal: refreshes read the events'
					 ELSE format('the rollup is not used: its days held %s events per account and day when it was built, fewer than its min_events_per_row %s, so refreshes read the events',
								 round((found.events::numeric / nullif(found.state_rows, 0)), 1), found.min_events_per_row) END,
				format('Reading events is as cheap at that density; SELECT * FROM healthscore.enable_rollup(%L, %L) measures again, or healthscore.disable_rollup() drops it.',
					   found_model.name, found.source);
			CONTINUE;
		END IF;
		IF rolled.definition IS DISTINCT FROM found.definition THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				'the signals over this source changed since the rollup was built: until the next refresh builds it again (reading the whole source once), refreshes read the events'::text,
				'Refresh the model at a quiet time, or run healthscore.enable_rollup() again now.'::text;
		END IF;
		RETURN QUERY SELECT 'warning', format('signal "%s"', x.signal),
			format('its rollup of %s does not hold it, so every refresh reads its events: %s', found.source, x.reason),
			'Rollups hold count, sum, avg, min and max of integers, float8 and times, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness and healthscore.nps, with immutable arguments and FILTER, over the source''s time column (timestamptz).'::text
		FROM unnest(rolled.skipped, rolled.reasons) AS x(signal, reason);
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_index AS i
					   JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
					   WHERE i.indrelid = found.source::regclass AND a.attname = rolled.time_column)
		   AND EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = found.source::regclass AND c.relkind IN ('r', 'm')) THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				format('%s has no index that starts with its time column %s: the days at a window''s edges and the new days are read by scanning the whole source',
					   found.source, rolled.time_column),
				format('CREATE INDEX ON %s (%I);', found.source, rolled.time_column);
		END IF;
	END LOOP;
	-- a group weight whose category no signal has any more weighs nothing, silently
	RETURN QUERY
	SELECT 'warning', format('group "%s"', g.category),
		   'the model has a group weight for this category, but no signal of it'::text,
		   format('Remove it with healthscore.set_group_weight(%L, %L, NULL), or give a signal this category.',
				  found_model.name, g.category)
	FROM jsonb_object_keys(found_model.group_weights) AS g(category)
	WHERE NOT EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.category = g.category)
	ORDER BY g.category;
END
$$;

COMMENT ON FUNCTION healthscore.check_model(text) IS
'a model''s health check, one row per problem (severity error or warning, object, problem, hint): what would make its refresh fail, and what makes its scores less than they seem (empty or stale sources, signals missing for everyone, filters matching no account, unscored accounts, an overdue or failing schedule, group weights of categories without signals, hierarchy links to missing parents or on cycles, signals over foreign tables that the foreign server cannot aggregate, signals a rollup does not hold and why, rollups not used or out of date, rolled-up sources without an index on their time column)';

-- Running a refresh: one run of a model writes a run record and a score row per account (the
-- scoring query of generation.sql, run as the model's author); each score row keeps its signals'
-- raw values and points as arrays in signal order, one row per account rather than one per
-- account and signal, which is what makes writing history cheap. Backfills and model groups.

-- jit is off for the refresh: its generated queries are large and cost enough to trigger
-- inlining and optimization, which take longer than they save (measured by make bench). The
-- settings that change how values are written and read are pinned, so that scores never depend
-- on the session; the time zone is then the model's (set below, undone when the function ends).
CREATE FUNCTION healthscore.refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
SET TimeZone = 'UTC'
SET lc_numeric = 'C'
SET lc_time = 'C'
SET lc_monetary = 'C'
AS $$
DECLARE
	found_model healthscore.models;
	run bigint;
	started timestamptz := clock_timestamp();
	signal_names text[];
	signal_weights float8[];
	signal_categories text[];
	signal_group_weights float8[];
	previous_categories text[];
	previous_group_weights float8[];
	accounts_total integer;
	accounts_with_score integer;
	tier_changes integer;
	bad_keys bigint;
	previous_run bigint;
	signal_stale boolean[];
	signal_newest timestamptz[];
	stale_signal record;
	window_run bigint;
	window_start timestamptz;
	previous_signals text[];
	previous_weights float8[];
	previous_fingerprint text;
	this_fingerprint text;
	calibration healthscore.calibrations;
	probability_note text;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	-- one refresh of a model at a time; a second waits here, then reads the model as committed
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	this_fingerprint := healthscore.fingerprint(found_model.name);
	-- churn probabilities only from a calibration of the model as it is now
	SELECT c.* INTO calibration FROM healthscore.calibrations AS c WHERE c.model = found_model.name;
	IF calibration.model IS NULL THEN
		probability_note := 'not calibrated: run healthscore.calibrate()';
	ELSIF calibration.fingerprint <> this_fingerprint THEN
		probability_note := 'the model changed since it was calibrated: run healthscore.calibrate() again';
		calibration := NULL;
	END IF;
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, signal_weights
	FROM healthscore.signals AS s WHERE s.model = found_model.name;
	SELECT g.categories, g.group_weights INTO signal_categories, signal_group_weights
	FROM healthscore_internal.signal_groups(found_model.name) AS g;

	PERFORM set_config('TimeZone', found_model.time_zone, true);
	-- what would make the scoring query fail, said plainly: relations, columns, the author's grants
	PERFORM healthscore_internal.raise_model_errors(found_model.name, 'refresh');
	-- rollups: the days not rolled up yet, and again those within their late window
	PERFORM healthscore_internal.maintain_rollups(found_model.name, as_of);

	-- A signal whose source's newest row is older than its max_age is stale: a broken pipeline,
	-- not unhealthy accounts. It counts as missing for every account, and the run says so.
	SELECT array_agg(s.max_age IS NOT NULL AND (f.newest IS NULL OR f.newest < refresh.as_of - s.max_age)
					 ORDER BY s.position),
		   array_agg(f.newest ORDER BY s.position)
	INTO signal_stale, signal_newest
	FROM healthscore.signals AS s
	LEFT JOIN healthscore_internal.source_freshness(found_model.name, refresh.as_of, false) AS f ON f.signal = s.name
	WHERE s.model = found_model.name;

	-- The scoring query runs as the model's author (score_as_author), into a temporary table of
	-- one row per account (a new one: one left over from an earlier refresh of this transaction, a
	-- backfill, is dropped); its plan may be parallel.
	PERFORM healthscore_internal.score_as_author(found_model.name, as_of);
	FOR stale_signal IN
		SELECT o.i, s.name, s.source, s.time_column, s.max_age, s.missing, s.missing_value
		FROM unnest(signal_names) WITH ORDINALITY AS o(name, i)
		JOIN healthscore.signals AS s ON s.model = found_model.name AND s.name = o.name
		WHERE signal_stale[o.i]
	LOOP
		UPDATE pg_temp.healthscore_refresh_scored
		SET raw_values[stale_signal.i] = NULL,
			points[stale_signal.i] = CASE stale_signal.missing WHEN 'zero' THEN 0
										  WHEN 'value' THEN stale_signal.missing_value END;
		RAISE WARNING '%', CASE WHEN signal_newest[stale_signal.i] IS NULL
			THEN format('refresh(): signal "%s" of model "%s" is stale: %s has no rows up to %s (by %s)',
						stale_signal.name, found_model.name, stale_signal.source, as_of, stale_signal.time_column)
			ELSE format('refresh(): signal "%s" of model "%s" is stale: the newest row of %s (by %s) is from %s, more than max_age %s before %s',
						stale_signal.name, found_model.name, stale_signal.source, stale_signal.time_column,
						signal_newest[stale_signal.i], stale_signal.max_age, as_of) END
			USING DETAIL = 'It counts as missing for every account (its missing policy applies), and the run marks it stale.',
				  HINT = format('Check what loads %s; healthscore.model_status lists stale sources.', stale_signal.source);
	END LOOP;

	INSERT INTO healthscore.runs (model, as_of, started_at, finished_at, accounts, accounts_scored, fingerprint,
								  signals, weights, stale, newest_rows, categories, group_weights, probability_horizon,
								  probability_min_score, probability_max_score, probability_note)
	VALUES (found_model.name, as_of, started, started, 0, 0, this_fingerprint,
			signal_names, signal_weights, signal_stale, signal_newest, signal_categories, signal_group_weights,
			calibration.horizon, calibration.min_score, calibration.max_score, probability_note)
	RETURNING run_id INTO run;

	-- the run before this one: its scores give the change, the tier change and the sparkline,
	-- written here once rather than computed by every query of the views
	SELECT r.run_id INTO previous_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND (r.as_of, r.run_id) < (refresh.as_of, run)
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	SELECT r.signals, r.weights, r.fingerprint, r.categories, r.group_weights
	INTO previous_signals, previous_weights, previous_fingerprint, previous_categories, previous_group_weights
	FROM healthscore.runs AS r WHERE r.run_id = previous_run;
	-- the trend's baseline: the latest run at or before the start of the trend window (in the
	-- model's time zone, which is the session's here)
	BEGIN
		window_start := as_of - found_model.trend_window;
	EXCEPTION WHEN datetime_field_overflow THEN
		window_start := NULL;	-- before the first timestamp: no run can be that old
	END;
	SELECT r.run_id INTO window_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND r.as_of <= window_start
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	-- the risk indicators each account raises, beside the score
	PERFORM healthscore_internal.evaluate_indicators(found_model.name, run, signal_names, previous_run, as_of);

	-- One statement writes every score with its explanation. The tier in force is the latest
	-- active override's (set_at <= as_of < expires_at), unless the model allows only lowering and
	-- that override would raise the computed tier: then the next one applies, if any. The computed
	-- tier stays beside it; it keeps the account's tier of the run before unless the score passes a
	-- cutoff by more than the model's tier_hysteresis (the tier by the cutoffs alone is kept too).
	-- What changed since the run before is blamed on signals only when the model is the same. A
	-- NULL or repeated account key fails the primary key or NOT NULL of
	-- scores; the handler turns that into an error that says what to fix.
	BEGIN
		WITH written AS (
			INSERT INTO healthscore.scores (run_id, model, account_key, score, tier, computed_tier, override_id,
											previous_score, previous_tier, sparkline, reasons, worst_signal,
											segment, value, owner, renewal_date, raw_values, points,
											window_start_score, tier_without_hysteresis, why_changed, weakest_group,
											indicators, indicators_since, indicator_reasons, parent_key, churn_probability,
											expected_loss)
			SELECT run, found_model.name, a.account_key, a.score,
				   coalesce(a.override_tiers[a.chosen], a.computed_tier), a.computed_tier, a.override_ids[a.chosen],
				   a.previous_score, a.previous_tier,
				   right(coalesce(a.previous_sparkline, '') || healthscore_internal.spark_code(a.score), 12),
				   healthscore.score_reasons(signal_names, a.raw_values, a.points, a.weights_now, 3),
				   healthscore.worst_signal(signal_names, a.points, a.weights_now),
				   a.segment, a.value, a.owner, a.renewal_date, a.raw_values, a.points,
				   a.window_start_score, a.plain_tier,
				   CASE WHEN a.previous_points IS NOT NULL AND previous_fingerprint IS DISTINCT FROM this_fingerprint
						THEN 'the model''s definition changed since the run before'
						ELSE healthscore_internal.change_reasons(signal_names, a.raw_values, a.points, signal_weights,
																 signal_categories, signal_group_weights, previous_signals,
																 a.previous_raw_values, a.previous_points, previous_weights,
																 previous_categories, previous_group_weights, 3) END,
				   healthscore.weakest_group(a.points, signal_weights, signal_categories),
				   a.indicator_names, a.indicator_since, a.indicator_reasons, a.parent_key,
				   a.churn_probability,
				   -- value is numeric: converted only where there is a probability
				   CASE WHEN a.churn_probability IS NOT NULL THEN a.churn_probability * a.value::float8 END
			FROM (SELECT t.*,
						 healthscore.churn_probability(t.score, calibration.intercept, calibration.slope)
							 AS churn_probability,
						 CASE WHEN t.override_ids IS NOT NULL THEN
							 (SELECT min(i) FROM generate_subscripts(t.override_ids, 1) AS i
							  WHERE NOT (found_model.overrides_lower_only AND t.computed_tier <> 'unknown'
										 AND array_position(found_model.tier_labels, t.override_tiers[i])
											 > array_position(found_model.tier_labels, t.computed_tier)))
						 END AS chosen
				  FROM (SELECT p.*,
							   coalesce(healthscore_internal.tier_with_hysteresis(p.score, previous.computed_tier,
									found_model.tier_hysteresis, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS computed_tier,
							   coalesce(healthscore.tier(p.score, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS plain_tier,
							   previous.score AS previous_score, previous.tier AS previous_tier,
							   previous.sparkline AS previous_sparkline, previous.raw_values AS previous_raw_values,
							   previous.points AS previous_points, start.score AS window_start_score,
							   active.override_ids, active.override_tiers,
							   raised.names AS indicator_names, raised.since AS indicator_since,
							   raised.reasons AS indicator_reasons
						FROM (SELECT w.*, healthscore.score_from_points(w.points, w.weights_now) AS score
							  FROM (SELECT scored.*,
										   -- the signals' own weights unless the model has group weights
										   healthscore.effective_weights(scored.points, signal_weights, signal_categories,
																		 signal_group_weights) AS weights_now
									FROM pg_temp.healthscore_refresh_scored AS scored
									OFFSET 0) AS w
							  OFFSET 0) AS p	-- fences: each account's weights and score computed once
						LEFT JOIN healthscore.scores AS previous
							ON previous.run_id = previous_run AND previous.account_key = p.account_key
						LEFT JOIN healthscore.scores AS start
							ON start.run_id = window_run AND start.account_key = p.account_key
						LEFT JOIN pg_temp.healthscore_refresh_indicators AS raised ON raised.account_key = p.account_key
						LEFT JOIN (SELECT ov.account_key,
										  array_agg(ov.override_id ORDER BY ov.set_at DESC, ov.override_id DESC)
											AS override_ids,
										  array_agg(ov.tier ORDER BY ov.set_at DESC, ov.override_id DESC) AS override_tiers
								   FROM healthscore.overrides AS ov
								   WHERE ov.model = found_model.name
									 AND ov.set_at <= refresh.as_of AND ov.expires_at > refresh.as_of
								   GROUP BY ov.account_key) AS active ON active.account_key = p.account_key) AS t) AS a
			RETURNING score, tier, previous_tier)
		SELECT count(*), count(w.score), count(*) FILTER (WHERE w.previous_tier <> w.tier)
		INTO accounts_total, accounts_with_score, tier_changes
		FROM written AS w;
	EXCEPTION WHEN unique_violation OR not_null_violation THEN
		SELECT count(*) - count(DISTINCT scored.account_key) + count(*) FILTER (WHERE scored.account_key IS NULL)
		INTO bad_keys FROM pg_temp.healthscore_refresh_scored AS scored;
		IF bad_keys = 0 THEN
			RAISE;
		END IF;
		RAISE EXCEPTION 'refresh(): key column "%" of % (model "%") is NULL or repeated in % rows',
			found_model.key_column, found_model.accounts, found_model.name, bad_keys
			USING ERRCODE = 'unique_violation',
				  HINT = 'Every account needs one row with a unique, non-NULL key; use a view over the accounts if needed.';
	WHEN program_limit_exceeded THEN
		RAISE EXCEPTION 'refresh(): key column "%" of % (model "%") holds a key of % bytes, too long to index',
			found_model.key_column, found_model.accounts, found_model.name,
			(SELECT max(octet_length(scored.account_key)) FROM pg_temp.healthscore_refresh_scored AS scored)
			USING ERRCODE = 'program_limit_exceeded',
				  HINT = 'Account keys are at most about 2,000 bytes; key the accounts by an id.';
	END;

	UPDATE healthscore.runs
	SET finished_at = clock_timestamp(), accounts = accounts_total, accounts_scored = accounts_with_score
	WHERE run_id = run;
	DROP TABLE pg_temp.healthscore_refresh_scored;
	DROP TABLE pg_temp.healthscore_refresh_indicators;

	-- tell listeners (scheduled jobs, alerting) when the run commits: which run, no more (any role
	-- may LISTEN, so totals are not in it; model_runs and tier_changes give them, with the
	-- listener's privileges). Its time in UTC whatever the model's time zone.
	PERFORM set_config('TimeZone', 'UTC', true);
	PERFORM pg_notify('healthscore', json_build_object(
		'model', found_model.name, 'status', 'succeeded', 'run_id', run, 'as_of', refresh.as_of)::text);
	RETURN run;
END
$$;

COMMENT ON FUNCTION healthscore.refresh(text, timestamptz) IS
'scores every account of a model as of a time (default now) and writes the run and its scores (with raw values and points per signal) in one transaction; returns the run id';

-- Steps are taken in the model's time zone ('1 day' is a calendar day there).
CREATE FUNCTION healthscore.backfill(model text, since timestamptz, until timestamptz, step interval)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	as_of timestamptz := since;
	run bigint;
	steps integer := 0;
BEGIN
	PERFORM set_config('TimeZone', (healthscore_internal.model_row(model)).time_zone, true);
	IF since IS NULL OR until IS NULL OR NOT isfinite(since) OR NOT isfinite(until) OR since > until THEN
		RAISE EXCEPTION 'backfill(): since and until must be finite with since <= until'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. since => now() - interval ''12 weeks'', until => now().';
	END IF;
	IF step IS NULL OR NOT since + step > since THEN
		RAISE EXCEPTION 'backfill(): step must be a positive interval, not %', coalesce(step::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. step => ''1 week''.';
	END IF;
	-- counted before any refresh, so that too long a range fails at once
	WHILE as_of <= until LOOP
		steps := steps + 1;
		IF steps > 10000 THEN
			RAISE EXCEPTION 'backfill(): more than 10000 steps from % to % by %', since, until, step
				USING ERRCODE = 'program_limit_exceeded', HINT = 'Use a larger step or a shorter range.';
		END IF;
		as_of := as_of + step;
	END LOOP;
	-- rollups are brought up to until once; the refreshes below, in this transaction, use them
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.maintain_rollups(model, until);
	as_of := since;
	WHILE as_of <= until LOOP
		run := healthscore.refresh(model, as_of);
		RAISE NOTICE 'backfill: model "%" as of % is run %', model, as_of, run;
		RETURN NEXT run;
		as_of := as_of + step;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore.backfill(text, timestamptz, timestamptz, interval) IS
'refreshes a model as of each time from since to until by step (lookback windows end at each time), so history exists from day one; returns the run ids';

CREATE FUNCTION healthscore.refresh_group(model_group text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	member text;
	found boolean := false;
BEGIN
	FOR member IN SELECT m.name FROM healthscore.models AS m WHERE m.model_group = refresh_group.model_group
				  ORDER BY m.priority DESC LOOP
		found := true;
		RETURN NEXT healthscore.refresh(member, as_of);
	END LOOP;
	IF NOT found THEN
		RAISE EXCEPTION 'refresh_group(): no model belongs to group "%"', model_group
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name, model_group FROM healthscore.models.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore.refresh_group(text, timestamptz) IS
'refreshes every model of a group as of one time, in one transaction (each account scored by the model its segment belongs to); returns the run ids';

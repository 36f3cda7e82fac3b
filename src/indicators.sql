-- Risk indicators: named flags on a signal's raw value (a drop against the period before, a value
-- above or below a threshold, an event in the signal's window, a low rating), raised or cleared at
-- each refresh and kept with the score row, beside the score, not in it.

CREATE FUNCTION healthscore.add_indicator(model text, name text, kind text, signal text,
										  threshold float8 DEFAULT NULL, period interval DEFAULT NULL,
										  description text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models;
	found_signal healthscore.signals;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	PERFORM healthscore_internal.check_name('add_indicator', 'indicator name', name);
	IF kind IS NULL OR NOT kind = ANY (ARRAY['drop', 'above', 'below', 'event', 'rating_below']) THEN
		RAISE EXCEPTION 'add_indicator(): kind of indicator "%" of model "%" must be drop, above, below, event or rating_below, not %',
			name, found_model.name, coalesce(kind, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'drop: the raw value fell by more than threshold (a fraction) against the run a period before; above, below: against threshold; event: a count above 0; rating_below: an assessment below threshold.';
	END IF;
	SELECT * INTO found_signal FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.name = add_indicator.signal;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'add_indicator(): model "%" has no signal "%" for indicator "%"', found_model.name,
			coalesce(signal, 'NULL'), name
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', (SELECT string_agg(s.name, ', ' ORDER BY s.position)
													 FROM healthscore.signals AS s WHERE s.model = found_model.name));
	END IF;
	IF kind = 'event' AND threshold IS NOT NULL THEN
		RAISE EXCEPTION 'add_indicator(): event indicator "%" of model "%" takes no threshold', name, found_model.name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'It is raised while the signal''s raw value (a count over its lookback) is above 0; use kind above for another bound.';
	ELSIF kind <> 'event' AND (threshold IS NULL OR NOT (threshold > '-infinity' AND threshold < 'infinity')) THEN
		RAISE EXCEPTION 'add_indicator(): % indicator "%" of model "%" needs a finite threshold, not %', kind, name,
			found_model.name, coalesce(threshold::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE kind WHEN 'drop' THEN 'A fraction between 0 and 1, e.g. 0.2 for down more than 20%.'
								   WHEN 'rating_below' THEN 'A rating, e.g. 3: raised while the latest rating is below it.'
								   ELSE 'A raw value of the signal, e.g. 3.' END;
	END IF;
	IF kind = 'drop' AND NOT (threshold > 0 AND threshold < 1) THEN
		RAISE EXCEPTION 'add_indicator(): threshold of drop indicator "%" of model "%" must be between 0 and 1, not %',
			name, found_model.name, threshold
			USING ERRCODE = 'invalid_parameter_value', HINT = 'A fraction, e.g. 0.2 for down more than 20%.';
	END IF;
	IF (kind = 'drop') <> (period IS NOT NULL) OR NOT coalesce(period > interval '0', true) THEN
		RAISE EXCEPTION 'add_indicator(): % indicator "%" of model "%" %', kind, name, found_model.name,
			CASE WHEN kind = 'drop' THEN format('needs a positive period, not %s', coalesce(period::text, 'NULL'))
				 ELSE 'takes no period' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A drop compares with the latest run at or before as_of - period, e.g. ''7 days'' for the week before.';
	END IF;
	IF kind = 'rating_below' AND NOT (threshold > 1 AND threshold <= 5) THEN
		RAISE EXCEPTION 'add_indicator(): threshold of rating_below indicator "%" of model "%" must be a rating above 1 and at most 5, not %',
			name, found_model.name, threshold
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Ratings are 1 to 5; e.g. 3 raises it while the latest rating is 1 or 2.';
	END IF;
	IF kind = 'rating_below' AND found_signal.scoring <> 'assessment' THEN
		RAISE EXCEPTION 'add_indicator(): rating_below indicator "%" of model "%" needs an assessment signal; "%" is scored %',
			name, found_model.name, signal, found_signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use kind below for other signals.';
	END IF;
	INSERT INTO healthscore.indicators (model, name, kind, signal, threshold, period, description, position)
	VALUES (found_model.name, name, kind, signal, threshold, period, description,
			(SELECT coalesce(max(i.position), 0) + 1 FROM healthscore.indicators AS i WHERE i.model = found_model.name))
	ON CONFLICT ON CONSTRAINT indicators_pkey DO UPDATE
	SET kind = excluded.kind, signal = excluded.signal, threshold = excluded.threshold, period = excluded.period,
		description = excluded.description;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.add_indicator(text, text, text, text, float8, interval, text) IS
'defines (or redefines) a risk indicator: a named flag on a signal''s raw value, raised or cleared at each refresh and kept beside the score: drop (fell by more than threshold, a fraction, against the latest run at or before as_of - period), above or below threshold, event (a count above 0), rating_below (an assessment below threshold)';

CREATE FUNCTION healthscore.drop_indicator(model text, name text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	DELETE FROM healthscore.indicators AS i WHERE i.model = drop_indicator.model AND i.name = drop_indicator.name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'drop_indicator(): model "%" has no indicator "%"', model, name
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM healthscore.indicators WHERE model = ...';
	END IF;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.drop_indicator(text, text) IS
'removes a risk indicator; the runs that raised it keep it';

-- A raw value as indicator reasons print it: rounded to 2 decimals, trailing zeros cut.
CREATE FUNCTION healthscore_internal.indicator_number(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT trim_scale(round(value::numeric, 2))::text
$$;

COMMENT ON FUNCTION healthscore_internal.indicator_number(float8) IS
'a number as indicator reasons print it: rounded to 2 decimals, trailing zeros cut';

-- The indicators a run raises, per account: refresh() writes them with the score rows. Reads the
-- accounts' raw values from the scoring query's temporary table, a drop's baseline from the
-- latest run at or before as_of - period, and the streak's start from the run before. A raw value
-- that is missing counts as 0 when the signal's missing policy is zero (no rows: nothing
-- happened), else raises nothing. Runs as refresh() does, in the model's time zone.
CREATE FUNCTION healthscore_internal.evaluate_indicators(model text, run bigint, signals text[], previous_run bigint,
														 as_of timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_temp.healthscore_refresh_indicators') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_indicators;
	END IF;
	IF NOT EXISTS (SELECT FROM healthscore.indicators AS i WHERE i.model = evaluate_indicators.model) THEN
		CREATE TEMP TABLE healthscore_refresh_indicators (account_key text, names text[], since timestamptz[],
														  reasons text[]) ON COMMIT DROP;
		RETURN;
	END IF;
	CREATE TEMP TABLE healthscore_refresh_indicators ON COMMIT DROP AS
	WITH definitions AS (
		SELECT i.name, i.kind, i.signal, i.threshold, i.position, sig.missing,
			   array_position(evaluate_indicators.signals, i.signal) AS idx, base.run_id AS base_run,
			   array_position(base.signals, i.signal) AS base_idx
		FROM healthscore.indicators AS i
		JOIN healthscore.signals AS sig ON sig.model = i.model AND sig.name = i.signal
		LEFT JOIN LATERAL (SELECT r.run_id, r.signals FROM healthscore.runs AS r
						   WHERE i.kind = 'drop' AND r.model = i.model AND r.run_id <> evaluate_indicators.run
							 AND r.as_of <= evaluate_indicators.as_of - i.period
						   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS base ON true
		WHERE i.model = evaluate_indicators.model
	)
	SELECT sc.account_key::text AS account_key,
		   array_agg(d.name ORDER BY d.position) AS names,
		   array_agg(coalesce(p.indicators_since[array_position(p.indicators, d.name)], evaluate_indicators.as_of)
					 ORDER BY d.position) AS since,
		   array_agg(c.reason ORDER BY d.position) AS reasons
	FROM pg_temp.healthscore_refresh_scored AS sc
	CROSS JOIN definitions AS d
	LEFT JOIN healthscore.scores AS b ON b.run_id = d.base_run AND b.account_key = sc.account_key::text
	LEFT JOIN healthscore.scores AS p ON p.run_id = evaluate_indicators.previous_run AND p.account_key = sc.account_key::text
	CROSS JOIN LATERAL (
		SELECT CASE WHEN sc.raw_values[d.idx] IS NULL AND d.missing = 'zero' AND d.idx IS NOT NULL THEN 0
					ELSE sc.raw_values[d.idx] END AS value,
			   CASE WHEN b.raw_values[d.base_idx] IS NULL AND d.missing = 'zero' AND b.account_key IS NOT NULL
						 AND d.base_idx IS NOT NULL THEN 0
					ELSE b.raw_values[d.base_idx] END AS base) AS v
	CROSS JOIN LATERAL (
		SELECT CASE d.kind
				   WHEN 'drop' THEN CASE WHEN v.base > 0 AND v.value < v.base * (1 - d.threshold) THEN
						format('%s %s -> %s (%s%%)', d.signal, healthscore_internal.indicator_number(v.base),
							   healthscore_internal.indicator_number(v.value),
							   round((100 * (v.value - v.base) / v.base)::numeric)) END
				   WHEN 'above' THEN CASE WHEN v.value > d.threshold THEN
						format('%s %s (above %s)', d.signal, healthscore_internal.indicator_number(v.value),
							   healthscore_internal.indicator_number(d.threshold)) END
				   WHEN 'below' THEN CASE WHEN v.value < d.threshold THEN
						format('%s %s (below %s)', d.signal, healthscore_internal.indicator_number(v.value),
							   healthscore_internal.indicator_number(d.threshold)) END
				   WHEN 'event' THEN CASE WHEN v.value > 0 THEN
						format('%s %s', d.signal, healthscore_internal.indicator_number(v.value)) END
				   -- an assessment's raw value is its points: ratings 1-5 are 0, 25, 50, 75, 100
				   WHEN 'rating_below' THEN CASE WHEN v.value / 25 + 1 < d.threshold THEN
						format('%s rated %s (below %s)', d.signal, healthscore_internal.indicator_number(v.value / 25 + 1),
							   healthscore_internal.indicator_number(d.threshold)) END
			   END AS reason) AS c
	WHERE c.reason IS NOT NULL
	GROUP BY sc.account_key;
END
$$;

COMMENT ON FUNCTION healthscore_internal.evaluate_indicators(text, bigint, text[], bigint, timestamptz) IS
'refresh(): the model''s risk indicators each account raises at the run, since when (the run before''s start of the streak, else as_of) and why, into the temporary table pg_temp.healthscore_refresh_indicators';

-- risk_list's action for an account with raised indicators: the playbook of the first raised
-- indicator that has one, for the account's tier before one for any tier. Reads the score row as
-- the caller (row-level security applies).
CREATE FUNCTION healthscore_internal.indicator_playbook(model text, tier text, run_id bigint, account_key text)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE COST 1
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[pb.action, pb.owner_role]
	FROM healthscore.scores AS sx
	CROSS JOIN LATERAL unnest(sx.indicators) WITH ORDINALITY AS raised(name, n)
	JOIN healthscore.playbooks AS pb
		ON pb.model = indicator_playbook.model AND pb.indicator = raised.name
		   AND (pb.tier IS NULL OR pb.tier = indicator_playbook.tier)
	WHERE sx.run_id = indicator_playbook.run_id AND sx.account_key = indicator_playbook.account_key
	ORDER BY raised.n, pb.tier IS NULL
	LIMIT 1
$$;

COMMENT ON FUNCTION healthscore_internal.indicator_playbook(text, text, bigint, text) IS
'risk_list: {action, owner role} of the playbook for the first raised indicator of an account''s score row that has one (the tier''s before any tier''s); NULL without one';

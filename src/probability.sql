-- Churn probability: a model's calibration (churn within a horizon as a logistic function of its
-- score), fitted on its earlier evaluable runs and measured on the later ones, as suggest_weights
-- splits them. The score, not the signals' points, is the one feature: the probability then never
-- contradicts the ranking and the tiers people act on, one coefficient is estimable from a few
-- dozen churners, and a second scorecard hidden in the probability is what suggest_weights and
-- compare_models are for.

-- The rows a calibration is fitted and measured on: evaluate()'s rows (run_outcomes) of the runs
-- made with the model's current definition (fingerprint), numbered by run in time order.
CREATE FUNCTION healthscore_internal.calibration_rows(model text, horizon interval, known_until timestamptz)
RETURNS TABLE (run_id bigint, as_of timestamptz, account_key text, score float8, tier text, churned boolean,
			   run_number bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE	-- run_outcomes sets the time zone
ROWS 100000	-- runs times accounts: a planner that expects 1000 rows joins two of them by nested loops
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.run_id, o.as_of, o.account_key, o.score, o.tier, o.churned,
		   dense_rank() OVER (ORDER BY o.as_of, o.run_id)
	FROM healthscore_internal.run_outcomes(calibration_rows.model, calibration_rows.horizon,
										   calibration_rows.known_until) AS o
	JOIN healthscore.runs AS r ON r.run_id = o.run_id
	WHERE r.fingerprint = (SELECT healthscore.fingerprint(calibration_rows.model))	-- once, not per row
$$;

COMMENT ON FUNCTION healthscore_internal.calibration_rows(text, interval, timestamptz) IS
'run_outcomes() of the runs with the model''s current fingerprint, each numbered by its run''s place in time (1 = earliest)';

-- The fit calibrate() stores, computed without storing it: the earlier two thirds of the runs (at
-- least one, leaving at least one to measure on), at least 30 churned and 30 retained rows.
CREATE FUNCTION healthscore_internal.fit_calibration(func text, model text, horizon interval,
													 known_until timestamptz)
RETURNS healthscore.calibrations
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	result healthscore.calibrations;
	total_runs bigint;
	retained bigint;
	fit healthscore.logistic_fit_result;
	failure text;
BEGIN
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION '%(): model "%" has no outcome relation', func, found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	result.model := found_model.name;
	result.horizon := horizon;
	result.fingerprint := healthscore.fingerprint(found_model.name);
	result.known_until := known_until;
	SELECT max(r.run_number) INTO total_runs FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r;
	IF coalesce(total_runs, 0) < 2 THEN
		RAISE EXCEPTION '%(): model "%" has % runs with its current definition and a full % of outcomes after them; a calibration needs at least 2',
			func, found_model.name, coalesce(total_runs, 0), horizon
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The earlier runs are fitted, the later ones held out to measure the fit; runs made before the model last changed do not count.',
				  HINT = 'Backfill runs further in the past (healthscore.backfill), or pass a shorter horizon.';
	END IF;
	result.fit_runs := greatest(1, least(total_runs - 1, ceil(total_runs * 2.0 / 3)::integer));
	SELECT count(*), count(*) FILTER (WHERE r.churned), count(*) FILTER (WHERE NOT r.churned),
		   min(r.score), max(r.score), min(r.as_of), max(r.as_of), max(r.run_id) FILTER (WHERE r.run_number = result.fit_runs)
	INTO result.fit_rows, result.fit_churned, retained, result.min_score, result.max_score, result.fit_from,
		 result.fit_until, result.fit_last_run
	FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r
	WHERE r.run_number <= result.fit_runs;
	IF result.fit_churned < 30 OR retained < 30 THEN
		RAISE EXCEPTION '%(): model "%" has % churned and % retained rows in its % fitted runs; a calibration needs at least 30 of each',
			func, found_model.name, result.fit_churned, retained, result.fit_runs
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Rows are (run, account) pairs of runs before %s with churn counted within %s.',
								  result.fit_until, horizon),
				  HINT = 'Backfill more runs, or pass a longer horizon: a probability fitted on fewer churners is noise.';
	END IF;
	BEGIN
		fit := (SELECT healthscore.logistic_fit(r.churned, ARRAY[r.score / 100])
				FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r
				WHERE r.run_number <= result.fit_runs);
	EXCEPTION WHEN invalid_parameter_value THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT;
		RAISE EXCEPTION '%(): churn of model "%" cannot be fitted on its score: %', func, found_model.name,
			regexp_replace(failure, '^logistic_fit\(\): ', '')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A score that is the same for every account, or that separates churners perfectly, has no calibration.';
	END;
	IF NOT fit.converged THEN
		RAISE EXCEPTION '%(): the fit of churn on the score of model "%" did not converge', func, found_model.name
			USING ERRCODE = 'data_exception', HINT = 'Check the outcome relation; separation of churners by the score stops the fit.';
	END IF;
	result.intercept := fit.coefficients[1];
	result.slope := fit.coefficients[2];
	result.calibrated_at := now();
	result.calibrated_by := current_user;
	RETURN result;
END
$$;

COMMENT ON FUNCTION healthscore_internal.fit_calibration(text, text, interval, timestamptz) IS
'the calibration calibrate() would store now: logistic fit of churn within the horizon on score / 100 over the earlier two thirds of the runs with the current fingerprint; errors name func';

CREATE FUNCTION healthscore.calibrate(model text, horizon interval DEFAULT '90 days',
									  known_until timestamptz DEFAULT pg_catalog.now())
RETURNS healthscore.calibrations
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fitted healthscore.calibrations;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	fitted := healthscore_internal.fit_calibration('calibrate', model, horizon, known_until);
	IF NOT fitted.slope < 0 THEN
		RAISE WARNING 'calibrate(): churn of model "%" rises with its score (slope %)', fitted.model, fitted.slope
			USING DETAIL = 'The probabilities follow the data, but the score ranks accounts the wrong way round.',
				  HINT = 'Check the signals'' scoring directions with healthscore.suggest_weights().';
	END IF;
	DELETE FROM healthscore.calibrations AS c WHERE c.model = fitted.model;
	INSERT INTO healthscore.calibrations SELECT fitted.*;
	RETURN fitted;
END
$$;

COMMENT ON FUNCTION healthscore.calibrate(text, interval, timestamptz) IS
'fits and stores a model''s calibration: churn within the horizon as a logistic function of the score, on the earlier two thirds of its evaluable runs with its current definition (at least 30 churned and 30 retained rows); later refreshes write churn_probability while the model keeps that definition';

-- The calibration measured: the stored one when it is for this horizon and the model's current
-- definition, else the one calibrate() would store now; rows of the runs after its fitted ones.
CREATE FUNCTION healthscore_internal.calibration_measured(func text, model text, horizon interval,
														  known_until timestamptz, bins integer, strict boolean)
RETURNS TABLE (bin integer, rows bigint, churned bigint, mean_predicted float8, observed_rate float8,
			   min_predicted float8, max_predicted float8, brier float8, brier_skill float8, log_loss float8,
			   base_rate float8, test_runs integer, test_rows bigint, test_from timestamptz, test_until timestamptz,
			   fit_runs integer, fit_rows bigint, horizon_used interval, intercept float8, slope float8, stored boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	used healthscore.calibrations;
	is_stored boolean := false;
BEGIN
	IF bins IS NULL OR bins < 2 OR bins > 100 THEN
		RAISE EXCEPTION '%(): bins must be between 2 and 100, not %', func, coalesce(bins::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Deciles: bins => 10.';
	END IF;
	SELECT c.* INTO used FROM healthscore.calibrations AS c WHERE c.model = found_model.name;
	IF horizon IS NULL AND used.model IS NULL THEN
		RAISE EXCEPTION '%(): model "%" has no calibration, and no horizon was given', func, found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Run healthscore.calibrate(model, horizon), or pass horizon => ''90 days''.';
	END IF;
	horizon := coalesce(horizon, used.horizon);
	IF used.model IS NOT NULL AND used.horizon = horizon AND used.fingerprint = healthscore.fingerprint(found_model.name) THEN
		is_stored := true;
	ELSE
		used := healthscore_internal.fit_calibration(func, found_model.name, horizon, known_until);
	END IF;
	RETURN QUERY
	WITH held_out AS MATERIALIZED (
		SELECT x.run_id, x.churned, x.p, ntile(bins) OVER (ORDER BY x.p, x.run_id, x.account_key COLLATE "C") AS bin,
			   x.as_of
		FROM (SELECT r.run_id, r.account_key, r.churned, r.as_of,
					 healthscore.churn_probability(r.score, used.intercept, used.slope) AS p
			  FROM healthscore_internal.calibration_rows(found_model.name, horizon, known_until) AS r
			  WHERE (r.as_of, r.run_id) > (used.fit_until, used.fit_last_run)) AS x
	), overall AS (
		SELECT avg((h.p - h.churned::integer) ^ 2) AS brier, avg(h.churned::integer)::float8 AS base_rate,
			   -- probabilities clamped away from 0 and 1 so that one confident miss costs 34.5, not infinity
			   -avg(CASE WHEN h.churned THEN ln(greatest(h.p, 1e-15)) ELSE ln(greatest(1 - h.p, 1e-15)) END) AS log_loss,
			   count(DISTINCT h.run_id)::integer AS runs, count(*) AS rows, min(h.as_of) AS test_from,
			   max(h.as_of) AS test_until
		FROM held_out AS h
	)
	SELECT h.bin::integer, count(*), count(*) FILTER (WHERE h.churned), avg(h.p),
		   avg(h.churned::integer)::float8, min(h.p), max(h.p), o.brier,
		   -- skill against always predicting the held-out rows' own churn rate, whose Brier score is
		   -- base_rate * (1 - base_rate): 0 = no better than the base rate, 1 = perfect
		   1 - o.brier / nullif(o.base_rate * (1 - o.base_rate), 0), o.log_loss, o.base_rate, o.runs, o.rows,
		   o.test_from, o.test_until, used.fit_runs, used.fit_rows, horizon, used.intercept, used.slope, is_stored
	FROM held_out AS h, overall AS o
	GROUP BY h.bin, o.brier, o.base_rate, o.log_loss, o.runs, o.rows, o.test_from, o.test_until
	ORDER BY h.bin;
	IF NOT FOUND AND strict THEN
		RAISE EXCEPTION '%(): model "%" has no evaluable run after the % runs its calibration was fitted on', func,
			found_model.name, used.fit_runs
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Measured on later runs only: refresh, and wait for a full horizon of outcomes after them.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.calibration_measured(text, text, interval, timestamptz, integer, boolean) IS
'calibration() and model_calibration: per bin of predicted probability on the held-out runs, with Brier score, skill and log loss; strict raises an error when no run is held out, else returns no rows';

CREATE FUNCTION healthscore.calibration(model text, horizon interval DEFAULT NULL,
										known_until timestamptz DEFAULT pg_catalog.now(), bins integer DEFAULT 10)
RETURNS TABLE (bin integer, rows bigint, churned bigint, mean_predicted float8, observed_rate float8,
			   min_predicted float8, max_predicted float8, brier float8, brier_skill float8, log_loss float8,
			   base_rate float8, test_runs integer, test_rows bigint, test_from timestamptz, test_until timestamptz,
			   fit_runs integer, fit_rows bigint, horizon_used interval, intercept float8, slope float8, stored boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.bin, c.rows, c.churned, c.mean_predicted, c.observed_rate, c.min_predicted, c.max_predicted, c.brier,
		   c.brier_skill, c.log_loss, c.base_rate, c.test_runs, c.test_rows, c.test_from, c.test_until, c.fit_runs,
		   c.fit_rows, c.horizon_used, c.intercept, c.slope, c.stored
	FROM healthscore_internal.calibration_measured('calibration', model, horizon, known_until, bins, true) AS c
$$;

COMMENT ON FUNCTION healthscore.calibration(text, interval, timestamptz, integer) IS
'how well a model''s churn probabilities match observed churn on held-out later runs: per bin (decile) of predicted probability, rows, mean predicted and observed churn rate, with the Brier score, its skill against the base rate, and log loss; the stored calibration when it is for this horizon (default: its own) and the model''s current definition, else the one calibrate() would store now';

CREATE VIEW healthscore.model_calibration WITH (security_invoker = true) AS
SELECT c.model, c.horizon, m.bin, m.rows, m.churned, m.mean_predicted, m.observed_rate, m.min_predicted,
	   m.max_predicted, m.brier, m.brier_skill, m.log_loss, m.base_rate, m.test_runs, m.test_rows, m.test_from,
	   m.test_until, m.fit_runs, m.fit_rows, c.intercept, c.slope, c.calibrated_at
FROM healthscore.calibrations AS c
CROSS JOIN LATERAL healthscore_internal.calibration_measured('model_calibration', c.model, c.horizon,
															  pg_catalog.now(), 10, false) AS m
WHERE c.fingerprint OPERATOR(pg_catalog.=) healthscore.fingerprint(c.model);

COMMENT ON VIEW healthscore.model_calibration IS 'the reliability diagram of every calibrated model (its own horizon, outcomes known until now): per decile of predicted churn probability on the runs held out from the fit, mean predicted against observed churn, with Brier skill and log loss';
COMMENT ON COLUMN healthscore.model_calibration.model IS 'model';
COMMENT ON COLUMN healthscore.model_calibration.horizon IS 'churn counted within this interval after each run';
COMMENT ON COLUMN healthscore.model_calibration.bin IS 'decile of predicted probability, 1 = lowest';
COMMENT ON COLUMN healthscore.model_calibration.rows IS 'held-out rows (run, account) in the decile';
COMMENT ON COLUMN healthscore.model_calibration.churned IS 'of them, churned within the horizon';
COMMENT ON COLUMN healthscore.model_calibration.mean_predicted IS 'mean predicted churn probability (the x of a reliability diagram)';
COMMENT ON COLUMN healthscore.model_calibration.observed_rate IS 'observed churn rate, churned / rows (the y: on the diagonal when calibrated)';
COMMENT ON COLUMN healthscore.model_calibration.min_predicted IS 'lowest predicted probability in the decile';
COMMENT ON COLUMN healthscore.model_calibration.max_predicted IS 'highest predicted probability in the decile';
COMMENT ON COLUMN healthscore.model_calibration.brier IS 'Brier score over all held-out rows: mean squared difference of probability and outcome (0 = perfect)';
COMMENT ON COLUMN healthscore.model_calibration.brier_skill IS '1 - brier / (base_rate * (1 - base_rate)): above 0, better than always predicting the base rate';
COMMENT ON COLUMN healthscore.model_calibration.log_loss IS 'mean negative log-likelihood of the outcomes (probabilities clamped to 1e-15 .. 1 - 1e-15)';
COMMENT ON COLUMN healthscore.model_calibration.base_rate IS 'churn rate over all held-out rows';
COMMENT ON COLUMN healthscore.model_calibration.test_runs IS 'held-out runs measured on';
COMMENT ON COLUMN healthscore.model_calibration.test_rows IS 'held-out rows measured on';
COMMENT ON COLUMN healthscore.model_calibration.test_from IS 'as-of time of the first held-out run';
COMMENT ON COLUMN healthscore.model_calibration.test_until IS 'as-of time of the last held-out run';
COMMENT ON COLUMN healthscore.model_calibration.fit_runs IS 'runs the calibration was fitted on';
COMMENT ON COLUMN healthscore.model_calibration.fit_rows IS 'rows it was fitted on';
COMMENT ON COLUMN healthscore.model_calibration.intercept IS 'the calibration''s intercept';
COMMENT ON COLUMN healthscore.model_calibration.slope IS 'the calibration''s slope (per 100 score points)';
COMMENT ON COLUMN healthscore.model_calibration.calibrated_at IS 'when calibrate() ran';

-- Validation against real outcomes: where churn is recorded, how well each run's scores predicted
-- it (AUC, churn by tier, lift), and which weights the data suggests.

CREATE FUNCTION healthscore.set_outcomes(model text, outcomes regclass, key text, churned_on text,
										 reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	date_type regtype;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	IF outcomes IS NULL THEN
		RAISE EXCEPTION 'set_outcomes(): outcomes must name the relation where churn is recorded'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. outcomes => ''app.churned_accounts''.';
	END IF;
	PERFORM healthscore_internal.check_column('set_outcomes', 'key', outcomes, key);
	PERFORM healthscore_internal.check_column('set_outcomes', 'churned_on', outcomes, churned_on);
	IF reason IS NOT NULL THEN
		PERFORM healthscore_internal.check_column('set_outcomes', 'reason', outcomes, reason);
	END IF;
	SELECT atttypid::regtype INTO date_type FROM pg_attribute WHERE attrelid = outcomes AND attname = churned_on;
	IF date_type NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'set_outcomes(): churned_on column "%" must be a date or timestamp, not %', churned_on, date_type
			USING ERRCODE = 'datatype_mismatch', HINT = 'Name the column holding when the account churned.';
	END IF;
	UPDATE healthscore.models AS m
	SET outcomes = set_outcomes.outcomes::text, outcome_key = key, outcome_date = churned_on, outcome_reason = reason
	WHERE m.name = set_outcomes.model;
	RETURN model;
END
$$;

COMMENT ON FUNCTION healthscore.set_outcomes(text, regclass, text, text, text) IS
'names the relation where a model''s churned accounts are recorded: account key, churn date, optional reason';

-- The scored population of every run that has a full horizon of known outcomes after it: one row
-- per run and account with a score, not churned by the run's as-of time, and whether it churned
-- within the horizon. The shared ground of evaluate(), evaluate_tiers() and suggest_weights().
-- PARALLEL UNSAFE, as everything that calls it: it sets the time zone, which no parallel operation may.
CREATE FUNCTION healthscore_internal.run_outcomes(model text, horizon interval, known_until timestamptz)
RETURNS TABLE (run_id bigint, as_of timestamptz, account_key text, score float8, tier text, churned boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
BEGIN
	-- horizons and churn dates in the model's time zone, until this function returns
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION 'run_outcomes(): model "%" has no outcome relation', found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	IF horizon IS NULL OR NOT horizon > interval '0' THEN
		RAISE EXCEPTION 'run_outcomes(): horizon of model "%" must be a positive interval, not %', found_model.name,
			coalesce(horizon::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. ''90 days''.';
	END IF;
	IF known_until IS NULL OR NOT isfinite(known_until) THEN
		RAISE EXCEPTION 'run_outcomes(): known_until of model "%" must be a finite timestamp, not %', found_model.name,
			coalesce(known_until::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time up to which churn is recorded, e.g. now().';
	END IF;
	BEGIN
		PERFORM known_until - horizon, known_until + horizon;
	EXCEPTION WHEN datetime_field_overflow THEN
		RAISE EXCEPTION 'run_outcomes(): horizon % of model "%" reaches beyond the range of timestamps', horizon, found_model.name
			USING ERRCODE = 'datetime_field_overflow', HINT = 'Churn horizons are weeks or months, e.g. ''90 days''.';
	END;
	-- the outcome relation is read as the model's author (outcomes_as_author): it is a relation
	-- the author named, and could be a view that calls anything
	RETURN QUERY
	SELECT s.run_id, r.as_of, s.account_key, s.score, s.tier,
		   coalesce(o.churned_at <= r.as_of + horizon, false) AS churned
	FROM healthscore.runs AS r
	JOIN healthscore.scores AS s ON s.run_id = r.run_id
	LEFT JOIN (SELECT x.account_key, x.churned_at::timestamptz AS churned_at
			   FROM healthscore_internal.outcomes_as_author(found_model.name) AS x) AS o
		ON o.account_key = s.account_key
	WHERE r.model = found_model.name AND r.as_of + horizon <= known_until
	  AND s.score IS NOT NULL
	  AND (o.churned_at IS NULL OR o.churned_at > r.as_of);
END
$$;

COMMENT ON FUNCTION healthscore_internal.run_outcomes(text, interval, timestamptz) IS
'per evaluable run (as_of + horizon <= known_until) and scored account still a customer at as_of: whether it churned within the horizon';

CREATE FUNCTION healthscore.evaluate_tiers(model text, horizon interval DEFAULT '90 days',
										   known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, tier text, tier_rank integer,
			   accounts bigint, churned bigint, churn_rate float8)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.run_id, o.as_of, o.tier, array_position(m.tier_labels, o.tier),
		   count(*), count(*) FILTER (WHERE o.churned), avg(o.churned::integer)::float8
	FROM healthscore.models AS m,
		 healthscore_internal.run_outcomes(evaluate_tiers.model, horizon, known_until) AS o
	WHERE m.name = evaluate_tiers.model
	GROUP BY m.tier_labels, o.run_id, o.as_of, o.tier
$$;

COMMENT ON FUNCTION healthscore.evaluate_tiers(text, interval, timestamptz) IS
'churn within the horizon per evaluable run and tier (tier_rank 1 = worst tier): accounts, churned, churn rate';

CREATE FUNCTION healthscore.evaluate(model text, horizon interval DEFAULT '90 days',
									 known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, horizon interval, accounts bigint, churned bigint,
			   churn_rate float8, auc float8, worst_tier text, worst_tier_churn_rate float8, best_tier text,
			   best_tier_churn_rate float8, lift_worst_tier float8, churn_falls_by_tier boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH runs AS (
		SELECT o.run_id, o.as_of, count(*) AS accounts, count(*) FILTER (WHERE o.churned) AS churned,
			   avg(o.churned::integer)::float8 AS churn_rate, healthscore.auc(o.score, o.churned) AS auc
		FROM healthscore_internal.run_outcomes(evaluate.model, evaluate.horizon, known_until) AS o
		GROUP BY o.run_id, o.as_of
	), tiers AS (
		SELECT t.*, lead(t.churn_rate) OVER (PARTITION BY t.run_id ORDER BY t.tier_rank) AS next_rate,
			   row_number() OVER (PARTITION BY t.run_id ORDER BY t.tier_rank) AS from_worst,
			   row_number() OVER (PARTITION BY t.run_id ORDER BY t.tier_rank DESC) AS from_best
		FROM healthscore.evaluate_tiers(evaluate.model, evaluate.horizon, known_until) AS t
		WHERE t.tier <> 'unknown'
	)
	SELECT r.run_id, r.as_of, evaluate.horizon, r.accounts, r.churned, r.churn_rate, r.auc,
		   worst.tier, worst.churn_rate, best.tier, best.churn_rate,
		   worst.churn_rate / nullif(r.churn_rate, 0),
		   NOT EXISTS (SELECT FROM tiers AS t WHERE t.run_id = r.run_id AND t.next_rate > t.churn_rate)
	FROM runs AS r
	LEFT JOIN tiers AS worst ON worst.run_id = r.run_id AND worst.from_worst = 1
	LEFT JOIN tiers AS best ON best.run_id = r.run_id AND best.from_best = 1
	ORDER BY r.as_of, r.run_id
$$;

COMMENT ON FUNCTION healthscore.evaluate(text, interval, timestamptz) IS
'per run with a full horizon of outcomes: AUC of the score against churn within the horizon, churn rate, worst and best tier churn rates, lift of the worst tier, whether churn falls from the worst to the best tier';

CREATE VIEW healthscore.model_accuracy WITH (security_invoker = true) AS
SELECT m.name AS model, e.run_id, e.as_of, e.horizon, e.accounts, e.churned, e.churn_rate, e.auc, e.worst_tier,
	   e.worst_tier_churn_rate, e.best_tier, e.best_tier_churn_rate, e.lift_worst_tier, e.churn_falls_by_tier
FROM healthscore.models AS m
CROSS JOIN LATERAL healthscore.evaluate(m.name) AS e
WHERE m.outcomes IS NOT NULL;

COMMENT ON VIEW healthscore.model_accuracy IS 'evaluate() of every model with outcomes, 90-day horizon, outcomes known until now';
COMMENT ON COLUMN healthscore.model_accuracy.model IS 'model';
COMMENT ON COLUMN healthscore.model_accuracy.run_id IS 'run evaluated';
COMMENT ON COLUMN healthscore.model_accuracy.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.model_accuracy.horizon IS 'churn counted within this interval after as_of';
COMMENT ON COLUMN healthscore.model_accuracy.accounts IS 'scored accounts still customers at as_of';
COMMENT ON COLUMN healthscore.model_accuracy.churned IS 'of them, churned within the horizon';
COMMENT ON COLUMN healthscore.model_accuracy.churn_rate IS 'churned / accounts';
COMMENT ON COLUMN healthscore.model_accuracy.auc IS 'ROC AUC: probability that a retained account scored higher than a churned one (0.5 = no better than chance)';
COMMENT ON COLUMN healthscore.model_accuracy.worst_tier IS 'lowest tier with accounts';
COMMENT ON COLUMN healthscore.model_accuracy.worst_tier_churn_rate IS 'churn rate in the worst tier';
COMMENT ON COLUMN healthscore.model_accuracy.best_tier IS 'highest tier with accounts';
COMMENT ON COLUMN healthscore.model_accuracy.best_tier_churn_rate IS 'churn rate in the best tier';
COMMENT ON COLUMN healthscore.model_accuracy.lift_worst_tier IS 'worst tier churn rate / overall churn rate';
COMMENT ON COLUMN healthscore.model_accuracy.churn_falls_by_tier IS 'true when churn never rises from a tier to the next better one';

-- Weights from data: logistic regression of churn on the signals' points (0-1) over the earlier
-- evaluable runs; AUCs measured on the later ones (a time-based split, so the test is honest).
-- A signal missing for an account takes the account's score, which is what redistributing its
-- weight means. Signals in exclude are left out of the fit and keep their weight (the others
-- share the rest): a signal whose points do not vary over the fitted rows (a rarely rated
-- assessment) cannot be estimated, and the error says so by name.
CREATE FUNCTION healthscore.suggest_weights(model text, horizon interval DEFAULT '90 days',
											known_until timestamptz DEFAULT pg_catalog.now(),
											exclude text[] DEFAULT NULL)
RETURNS TABLE (signal text, current_weight float8, suggested_weight float8, coefficient float8,
			   std_error float8, wrong_direction boolean, note text, signal_auc float8, model_auc_current float8,
			   model_auc_suggested float8, fit_runs integer, test_runs integer, fit_rows bigint, test_rows bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE	-- a temporary table holds the rows it fits and tests
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal_names text[];
	weights float8[];
	fitted_names text[];
	fitted_weights float8[];
	unknown text;
	stuck text;
	failure text;
	runs bigint[];
	fit_run_count integer;
	fit healthscore.logistic_fit_result;
	importance float8[];
	suggested float8[];
	total_importance float8;
	auc_current float8;
	auc_suggested float8;
	fit_row_count bigint;
	test_row_count bigint;
BEGIN
	PERFORM healthscore_internal.model_row(model);
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, weights FROM healthscore.signals AS s WHERE s.model = suggest_weights.model;
	IF signal_names IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): model "%" has no signals', model
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add signals and refresh first.';
	END IF;
	-- with group weights, the weights compared and suggested are the signals' effective weights
	-- when their whole group is present (apply_weights maps them back)
	weights := healthscore_internal.full_group_weights(model, weights);
	IF (healthscore_internal.model_row(model)).outcomes IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): model "%" has no outcome relation', model
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	SELECT e INTO unknown FROM unnest(exclude) AS e WHERE e IS NULL OR NOT e = ANY (signal_names) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'suggest_weights(): exclude names "%", which is not a signal of model "%"', unknown, model
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', array_to_string(signal_names, ', '));
	END IF;
	SELECT array_agg(n ORDER BY i), array_agg(weights[i] ORDER BY i) INTO fitted_names, fitted_weights
	FROM unnest(signal_names) WITH ORDINALITY AS u(n, i) WHERE NOT n = ANY (coalesce(exclude, '{}'));
	IF fitted_names IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): exclude leaves no signal of model "%" to fit', model
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave at least one signal in.';
	END IF;

	CREATE TEMP TABLE healthscore_suggest_rows ON COMMIT DROP AS
	SELECT o.run_id, o.as_of, o.account_key, o.score, o.churned,
		   array_agg(coalesce(c.points, o.score) / 100 ORDER BY array_position(fitted_names, c.signal)) AS features,
		   count(c.signal) AS signals
	FROM healthscore_internal.run_outcomes(model, horizon, known_until) AS o
	JOIN healthscore.components AS c ON c.run_id = o.run_id AND c.account_key = o.account_key
	WHERE c.signal = ANY (fitted_names)
	GROUP BY o.run_id, o.as_of, o.account_key, o.score, o.churned;
	-- runs made before a signal was added lack it: they cannot be fitted on the current signals
	DELETE FROM healthscore_suggest_rows WHERE signals <> cardinality(fitted_names);

	SELECT array_agg(r ORDER BY r) INTO runs FROM (SELECT DISTINCT run_id AS r FROM healthscore_suggest_rows) AS d;
	IF coalesce(cardinality(runs), 0) < 2 THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): model "%" needs at least 2 runs with the current signals and a full % of outcomes after them',
			model, horizon
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Backfill runs further in the past (healthscore.backfill), or pass a shorter horizon.';
	END IF;
	-- earliest two thirds (at least one) for fitting, the rest for testing
	fit_run_count := greatest(1, least(cardinality(runs) - 1, ceil(cardinality(runs) * 2.0 / 3)::integer));

	-- a signal with the same points in every fitted row has no coefficient to estimate
	SELECT fitted_names[i] INTO stuck
	FROM generate_subscripts(fitted_names, 1) AS i
	WHERE (SELECT min(r.features[i]) = max(r.features[i]) FROM healthscore_suggest_rows AS r
		   WHERE r.run_id <= runs[fit_run_count])
	ORDER BY i LIMIT 1;
	BEGIN
		IF stuck IS NULL THEN
			fit := (SELECT healthscore.logistic_fit(r.churned, r.features)
					FROM healthscore_suggest_rows AS r WHERE r.run_id <= runs[fit_run_count]);
		END IF;
	EXCEPTION WHEN invalid_parameter_value THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT;
		-- logistic_fit() counts features from 1, as the array does
		stuck := fitted_names[substring(failure FROM 'feature ([0-9]+) is constant')::integer];
		IF stuck IS NULL THEN
			RAISE;
		END IF;
	END;
	IF stuck IS NOT NULL THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): the weight of signal "%" of model "%" cannot be estimated: its points are the same in every fitted row, or follow from the other signals''', stuck, model
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Leave it out (it keeps its weight): SELECT * FROM healthscore.suggest_weights(%L, %L, %L, exclude => %L).',
								model, horizon, known_until, array_append(coalesce(exclude, '{}'), stuck)::text);
	END IF;
	fit_row_count := fit.rows;

	-- more points should mean less churn: a negative coefficient is the signal's importance
	SELECT array_agg(greatest(0, -c) ORDER BY i) INTO importance
	FROM unnest(fit.coefficients[2:]) WITH ORDINALITY AS u(c, i);
	SELECT sum(i) INTO total_importance FROM unnest(importance) AS i;
	IF NOT total_importance > 0 THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): no signal of model "%" predicts churn in the expected direction', model
			USING ERRCODE = 'data_exception',
				  HINT = 'Check the outcome relation and the signals'' scoring directions.';
	END IF;
	SELECT array_agg(i / total_importance * (SELECT sum(w) FROM unnest(fitted_weights) AS w) ORDER BY n) INTO suggested
	FROM unnest(importance) WITH ORDINALITY AS u(i, n);

	-- an excluded signal keeps its weight; its points enter as the account's score stands for them
	SELECT healthscore.auc(r.score, r.churned),
		   healthscore.auc((SELECT sum(f * s) FROM unnest(r.features, suggested) AS x(f, s))
						   + (SELECT coalesce(sum(w), 0) FROM unnest(weights, signal_names) AS x(w, n)
							  WHERE n = ANY (coalesce(exclude, '{}'))) * r.score / 100, r.churned),
		   count(*)
	INTO auc_current, auc_suggested, test_row_count
	FROM healthscore_suggest_rows AS r WHERE r.run_id > runs[fit_run_count];

	RETURN QUERY
	SELECT fitted_names[i], fitted_weights[i], suggested[i], fit.coefficients[i + 1],
		   fit.std_errors[i + 1], fit.coefficients[i + 1] > 0,
		   -- a positive coefficient is conditional on the other signals: alone, the signal may still
		   -- predict the right way (it then adds nothing beyond them), or it predicts the wrong way
		   CASE WHEN fit.coefficients[i + 1] <= 0 THEN NULL
				WHEN own_auc.auc < 0.5 THEN 'predicts the wrong way'
				ELSE 'adds nothing beyond the other signals' END,
		   own_auc.auc, auc_current, auc_suggested, fit_run_count, cardinality(runs) - fit_run_count,
		   fit_row_count, test_row_count
	FROM generate_subscripts(fitted_names, 1) AS i
	CROSS JOIN LATERAL (SELECT healthscore.auc(r.features[i], r.churned) AS auc FROM healthscore_suggest_rows AS r
						WHERE r.run_id > runs[fit_run_count]) AS own_auc
	UNION ALL
	SELECT n, w, w, NULL, NULL, NULL, 'excluded: keeps its weight', NULL, auc_current, auc_suggested, fit_run_count,
		   cardinality(runs) - fit_run_count, fit_row_count, test_row_count
	FROM unnest(signal_names, weights) AS x(n, w) WHERE n = ANY (coalesce(exclude, '{}'))
	ORDER BY 3 DESC, 1;
	DROP TABLE healthscore_suggest_rows;
END
$$;

COMMENT ON FUNCTION healthscore.suggest_weights(text, interval, timestamptz, text[]) IS
'weights suggested by a logistic regression of churn on the signals'' points (earlier runs), with each signal''s AUC and the model''s AUC with current and suggested weights on later runs; signals in exclude are not fitted and keep their weights; with group weights, current and suggested weights are effective weights (a signal''s weight when its whole group is present)';

CREATE FUNCTION healthscore.apply_weights(model text, horizon interval DEFAULT '90 days',
										  known_until timestamptz DEFAULT pg_catalog.now(),
										  min_share float8 DEFAULT 0.01, exclude text[] DEFAULT NULL)
RETURNS TABLE (signal text, old_weight float8, new_weight float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	suggestion record;
	total float8;
	grouped boolean;
BEGIN
	IF min_share IS NULL OR NOT (min_share > 0 AND min_share < 1) THEN
		RAISE EXCEPTION 'apply_weights(): min_share must be between 0 and 1, not %', min_share
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 0.01, gives 1% of the total weight.';
	END IF;
	grouped := (healthscore_internal.model_row(model)).group_weights <> '{}';
	CREATE TEMP TABLE healthscore_apply_suggestions ON COMMIT DROP AS
	SELECT * FROM healthscore.suggest_weights(model, horizon, known_until, exclude);
	SELECT sum(g.current_weight) INTO total FROM pg_temp.healthscore_apply_suggestions AS g;
	-- weights must stay positive: a signal suggested at 0 keeps min_share of the total
	-- excluded signals keep their weights
	FOR suggestion IN SELECT * FROM pg_temp.healthscore_apply_suggestions AS g
					  WHERE NOT g.signal = ANY (coalesce(exclude, '{}')) LOOP
		signal := suggestion.signal;
		old_weight := suggestion.current_weight;
		new_weight := greatest(suggestion.suggested_weight, min_share * total);
		PERFORM healthscore.set_weight(model, signal, new_weight);
		RETURN NEXT;
	END LOOP;
	IF grouped THEN
		-- the suggestions are effective weights: an excluded signal keeps its effective weight,
		-- and each group weighs the sum of its signals' weights, so that with the whole group
		-- present every signal's effective weight is its new weight
		PERFORM healthscore.set_weight(apply_weights.model, g.signal, g.current_weight)
		FROM pg_temp.healthscore_apply_suggestions AS g WHERE g.signal = ANY (coalesce(exclude, '{}'));
		PERFORM healthscore.set_group_weight(apply_weights.model, s.category, sum(s.weight))
		FROM healthscore.signals AS s WHERE s.model = apply_weights.model GROUP BY s.category;
	END IF;
	DROP TABLE pg_temp.healthscore_apply_suggestions;
END
$$;

COMMENT ON FUNCTION healthscore.apply_weights(text, interval, timestamptz, float8, text[]) IS
'sets a model''s weights to suggest_weights(); a signal suggested at 0 gets min_share of the total (weights stay positive); signals in exclude keep theirs; with group weights, each group then weighs the sum of its signals'' new weights, so that the suggestions become the effective weights; later runs get a new fingerprint';

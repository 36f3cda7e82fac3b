-- Comparing scorecards before switching: two models on the runs both have (compare_models,
-- tier_agreement), and one model with other weights or cutoffs before they are published
-- (preview, preview_accounts), without writing history or changing the model.

-- AUC and lift of the worst tier over rows of several runs, as evaluate() computes them per run,
-- averaged over the runs: the one definition compare_models and preview share.
CREATE FUNCTION healthscore_internal.run_measures(runs bigint[], scores float8[], tier_ranks integer[],
												  churned boolean[])
RETURNS TABLE (auc float8, lift_worst_tier float8, runs integer, rows bigint, churned bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		SELECT * FROM unnest(run_measures.runs, run_measures.scores, run_measures.tier_ranks, run_measures.churned)
			AS u(run, score, tier_rank, churned)
	), per_run AS (
		SELECT r.run, healthscore.auc(r.score, r.churned) AS auc, avg(r.churned::integer)::float8 AS churn_rate
		FROM r GROUP BY r.run
	), worst AS (
		SELECT DISTINCT ON (r.run) r.run, avg(r.churned::integer)::float8 AS churn_rate
		FROM r WHERE r.tier_rank IS NOT NULL
		GROUP BY r.run, r.tier_rank ORDER BY r.run, r.tier_rank
	)
	SELECT avg(p.auc), avg(w.churn_rate / nullif(p.churn_rate, 0)), count(*)::integer,
		   (SELECT count(*) FROM r), (SELECT count(*) FILTER (WHERE r.churned) FROM r)
	FROM per_run AS p LEFT JOIN worst AS w ON w.run = p.run
$$;

COMMENT ON FUNCTION healthscore_internal.run_measures(bigint[], float8[], integer[], boolean[]) IS
'mean over runs of each run''s AUC and lift of the worst tier (lowest tier_rank with rows: its churn rate / the run''s), as evaluate() computes them, with the runs, rows and churned rows';

-- Two models to compare must be two.
CREATE FUNCTION healthscore_internal.check_two_models(func text, model_a text, model_b text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF model_a = model_b THEN
		RAISE EXCEPTION '%(): model_a and model_b are both "%"', func, model_a
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Compare two different models, e.g. a copy with other weights.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_two_models(text, text, text) IS
'raises an error naming func when the two models to compare are one';

-- The rows two models share: for each as-of time both have runs with their current definitions
-- (the latest run of each at that time), the accounts both scored, with each model's outcome.
CREATE FUNCTION healthscore_internal.paired_rows(model_a text, model_b text, horizon interval, known_until timestamptz)
RETURNS TABLE (as_of timestamptz, account_key text, run_number bigint, account_number bigint, score_a float8,
			   score_b float8, tier_rank_a integer, tier_rank_b integer, tier_a text, tier_b text, churned_a boolean,
			   churned_b boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off	-- its inlining costs more than the query (measured on the demo)
AS $$
	-- the latest run of each model at each time, from runs (a handful of rows), joined to the
	-- rows by run: the planner then hashes the two large inputs on both keys
	WITH latest AS (
		SELECT max(r.run_id) AS run_id
		FROM healthscore.runs AS r
		WHERE (r.model = model_a AND r.fingerprint = (SELECT healthscore.fingerprint(model_a)))
		   OR (r.model = model_b AND r.fingerprint = (SELECT healthscore.fingerprint(model_b)))
		GROUP BY r.model, r.as_of
	)
	SELECT ra.as_of, ra.account_key, dense_rank() OVER (ORDER BY ra.as_of),
		   dense_rank() OVER (ORDER BY ra.account_key COLLATE "C"), ra.score, rb.score,
		   array_position(ma.tier_labels, ra.tier), array_position(mb.tier_labels, rb.tier), ra.tier, rb.tier,
		   ra.churned, rb.churned
	FROM healthscore_internal.calibration_rows(model_a, horizon, known_until) AS ra
	JOIN healthscore_internal.calibration_rows(model_b, horizon, known_until) AS rb
		ON rb.as_of = ra.as_of AND rb.account_key = ra.account_key
	JOIN healthscore.models AS ma ON ma.name = model_a
	JOIN healthscore.models AS mb ON mb.name = model_b
	WHERE ra.run_id IN (SELECT l.run_id FROM latest AS l) AND rb.run_id IN (SELECT l.run_id FROM latest AS l)
$$;

COMMENT ON FUNCTION healthscore_internal.paired_rows(text, text, interval, timestamptz) IS
'the (as-of time, account) rows two models both scored in evaluable runs with their current definitions, with both scores, tiers and outcomes; runs and accounts numbered from 1';

CREATE FUNCTION healthscore_internal.models_compared(func text, model_a text, model_b text, horizon interval,
													 known_until timestamptz, samples integer, seed bigint,
													 strict boolean)
RETURNS TABLE (measure text, tier_rank integer, tier_a text, tier_b text, value_a float8, value_b float8,
			   difference float8, ci_low float8, ci_high float8, runs integer, rows_a bigint, rows_b bigint,
			   churned_a bigint, churned_b bigint, accounts bigint)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	paired_runs bigint[];
	paired_accounts bigint[];
	as_ofs timestamptz[];
	scores_a float8[];
	scores_b float8[];
	ranks_a integer[];
	ranks_b integer[];
	labels_a text[];
	labels_b text[];
	outcomes boolean[];
	measured_a record;
	measured_b record;
	bootstrap float8[];
	calibration_a healthscore.calibrations;
	calibration_b healthscore.calibrations;
	scored_since timestamptz;
	account_count bigint;
	disagreeing bigint;
	a healthscore.models := healthscore_internal.model_row(model_a);
	b healthscore.models := healthscore_internal.model_row(model_b);
BEGIN
	PERFORM healthscore_internal.check_two_models(func, a.name, b.name);
	IF samples IS NULL OR samples < 100 OR samples > 100000 THEN
		RAISE EXCEPTION '%(): samples must be between 100 and 100000, not %', func, coalesce(samples::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = '1000 resamples give a stable 95% interval.';
	END IF;
	IF seed IS NULL THEN
		RAISE EXCEPTION '%(): seed must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Any number; the same seed gives the same interval.';
	END IF;
	SELECT array_agg(p.run_number ORDER BY p.run_number, p.account_number),
		   array_agg(p.account_number ORDER BY p.run_number, p.account_number),
		   array_agg(p.as_of ORDER BY p.run_number, p.account_number),
		   array_agg(p.score_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.score_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_rank_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_rank_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.churned_a ORDER BY p.run_number, p.account_number),
		   max(p.account_number), count(*) FILTER (WHERE p.churned_a <> p.churned_b)
	INTO paired_runs, paired_accounts, as_ofs, scores_a, scores_b, ranks_a, ranks_b, labels_a, labels_b, outcomes,
		 account_count, disagreeing
	FROM healthscore_internal.paired_rows(a.name, b.name, horizon, known_until) AS p;
	-- outcomes come from each model's own outcome relation: they must agree to be compared
	IF disagreeing > 0 THEN
		RAISE EXCEPTION '%(): models "%" and "%" record different churn for % of the rows both score', func, a.name,
			b.name, disagreeing
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Compare models over the same outcome relation (healthscore.set_outcomes).';
	END IF;
	IF paired_runs IS NULL THEN
		IF NOT strict THEN
			RETURN;
		END IF;
		RAISE EXCEPTION '%(): models "%" and "%" have no evaluable run at the same as-of time with their current definitions',
			func, a.name, b.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Backfill both over the same times (healthscore.backfill with the same since, until and step), with a full horizon of outcomes after them.';
	END IF;
	SELECT * INTO measured_a FROM healthscore_internal.run_measures(paired_runs, scores_a, ranks_a, outcomes);
	SELECT * INTO measured_b FROM healthscore_internal.run_measures(paired_runs, scores_b, ranks_b, outcomes);
	bootstrap := healthscore_internal.paired_auc_bootstrap(paired_runs::integer[], paired_accounts::integer[], scores_a,
														   scores_b, outcomes, samples, seed);
	measure := 'auc';
	value_a := measured_a.auc;
	value_b := measured_b.auc;
	difference := bootstrap[1];
	ci_low := bootstrap[2];
	ci_high := bootstrap[3];
	runs := measured_a.runs;
	rows_a := measured_a.rows;
	rows_b := measured_b.rows;
	churned_a := measured_a.churned;
	churned_b := measured_b.churned;
	accounts := account_count;
	RETURN NEXT;
	measure := 'lift_worst_tier';
	value_a := measured_a.lift_worst_tier;
	value_b := measured_b.lift_worst_tier;
	difference := value_a - value_b;
	ci_low := NULL;
	ci_high := NULL;
	RETURN NEXT;

	-- Brier skill of each model's stored calibration (for this horizon and its current
	-- definition), on the rows after the runs either calibration was fitted on
	SELECT c.* INTO calibration_a FROM healthscore.calibrations AS c
	WHERE c.model = a.name AND c.horizon = models_compared.horizon AND c.fingerprint = healthscore.fingerprint(c.model);
	SELECT c.* INTO calibration_b FROM healthscore.calibrations AS c
	WHERE c.model = b.name AND c.horizon = models_compared.horizon AND c.fingerprint = healthscore.fingerprint(c.model);
	scored_since := greatest(calibration_a.fit_until, calibration_b.fit_until);
	measure := 'brier_skill';
	SELECT 1 - avg((healthscore.churn_probability(u.a, calibration_a.intercept, calibration_a.slope) - u.y::integer) ^ 2)
			   / nullif(avg(u.y::integer) * (1 - avg(u.y::integer)), 0),
		   1 - avg((healthscore.churn_probability(u.b, calibration_b.intercept, calibration_b.slope) - u.y::integer) ^ 2)
			   / nullif(avg(u.y::integer) * (1 - avg(u.y::integer)), 0),
		   count(DISTINCT u.t)::integer, count(*), count(*) FILTER (WHERE u.y), count(DISTINCT u.k)
	INTO value_a, value_b, runs, rows_a, churned_a, accounts
	FROM unnest(as_ofs, scores_a, scores_b, outcomes, paired_accounts) AS u(t, a, b, y, k)
	WHERE scored_since IS NOT NULL AND u.t > scored_since;
	rows_b := rows_a;
	churned_b := churned_a;
	difference := value_a - value_b;
	RETURN NEXT;

	-- churn by tier, over all rows; tiers matched by their place (1 = worst)
	RETURN QUERY
	WITH by_a AS (
		SELECT u.r AS tier_rank, min(u.l) AS label, count(*) AS rows, count(*) FILTER (WHERE u.y) AS churned
		FROM unnest(ranks_a, labels_a, outcomes) AS u(r, l, y) WHERE u.r IS NOT NULL GROUP BY u.r
	), by_b AS (
		SELECT u.r AS tier_rank, min(u.l) AS label, count(*) AS rows, count(*) FILTER (WHERE u.y) AS churned
		FROM unnest(ranks_b, labels_b, outcomes) AS u(r, l, y) WHERE u.r IS NOT NULL GROUP BY u.r
	)
	SELECT 'churn_rate', coalesce(x.tier_rank, y.tier_rank), x.label, y.label, x.churned::float8 / x.rows,
		   y.churned::float8 / y.rows, x.churned::float8 / x.rows - y.churned::float8 / y.rows, NULL::float8,
		   NULL::float8, measured_a.runs, coalesce(x.rows, 0), coalesce(y.rows, 0), coalesce(x.churned, 0),
		   coalesce(y.churned, 0), NULL::bigint
	FROM by_a AS x FULL JOIN by_b AS y ON y.tier_rank = x.tier_rank
	ORDER BY 2;
END
$$;

COMMENT ON FUNCTION healthscore_internal.models_compared(text, text, text, interval, timestamptz, integer, bigint, boolean) IS
'compare_models() and model_comparisons: AUC (with a paired bootstrap interval of the difference), lift of the worst tier, Brier skill and churn by tier of two models on the rows both have; strict raises an error when they share no row, else returns no rows';

CREATE FUNCTION healthscore.compare_models(model_a text, model_b text, horizon interval DEFAULT '90 days',
										   known_until timestamptz DEFAULT pg_catalog.now(),
										   samples integer DEFAULT 1000, seed bigint DEFAULT 0)
RETURNS TABLE (measure text, tier_rank integer, tier_a text, tier_b text, value_a float8, value_b float8,
			   difference float8, ci_low float8, ci_high float8, runs integer, rows_a bigint, rows_b bigint,
			   churned_a bigint, churned_b bigint, accounts bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.measure, c.tier_rank, c.tier_a, c.tier_b, c.value_a, c.value_b, c.difference, c.ci_low, c.ci_high,
		   c.runs, c.rows_a, c.rows_b, c.churned_a, c.churned_b, c.accounts
	FROM healthscore_internal.models_compared('compare_models', model_a, model_b, horizon, known_until, samples, seed,
											  true) AS c
$$;

COMMENT ON FUNCTION healthscore.compare_models(text, text, interval, timestamptz, integer, bigint) IS
'two models on the evaluable runs both have at the same as-of times (current definitions) and the accounts both score: auc (mean over runs, with a 95% interval for the difference from a paired bootstrap of accounts), lift_worst_tier, brier_skill of their calibrations, churn_rate per tier; value_a - value_b in difference';

-- The tiers two models give the same accounts at one as-of time (the latest both have by default).
CREATE FUNCTION healthscore_internal.tiers_compared(func text, model_a text, model_b text, as_of timestamptz,
													strict boolean)
RETURNS TABLE (scored_at timestamptz, tier_rank_a integer, tier_a text, tier_rank_b integer, tier_b text,
			   accounts bigint, value numeric, moves boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	a healthscore.models := healthscore_internal.model_row(model_a);
	b healthscore.models := healthscore_internal.model_row(model_b);
	run_a bigint;
	run_b bigint;
BEGIN
	PERFORM healthscore_internal.check_two_models(func, a.name, b.name);
	scored_at := coalesce(as_of, (SELECT max(ra.as_of) FROM healthscore.runs AS ra
								  JOIN healthscore.runs AS rb ON rb.model = b.name AND rb.as_of = ra.as_of
								  WHERE ra.model = a.name));
	SELECT max(r.run_id) INTO run_a FROM healthscore.runs AS r WHERE r.model = a.name AND r.as_of = scored_at;
	SELECT max(r.run_id) INTO run_b FROM healthscore.runs AS r WHERE r.model = b.name AND r.as_of = scored_at;
	IF run_a IS NULL OR run_b IS NULL THEN
		IF NOT strict THEN
			RETURN;
		END IF;
		RAISE EXCEPTION '%(): models "%" and "%" have no runs at %', func, a.name, b.name,
			coalesce(as_of::text, 'the same as-of time')
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Refresh both as of the same time: healthscore.refresh(model, as_of) with one as_of.';
	END IF;
	RETURN QUERY
	SELECT scored_at, array_position(a.tier_labels, sa.tier), sa.tier, array_position(b.tier_labels, sb.tier), sb.tier,
		   count(*), sum(sa.value),
		   array_position(a.tier_labels, sa.tier) IS DISTINCT FROM array_position(b.tier_labels, sb.tier)
	FROM healthscore.scores AS sa
	JOIN healthscore.scores AS sb ON sb.run_id = run_b AND sb.account_key = sa.account_key
	WHERE sa.run_id = run_a
	GROUP BY sa.tier, sb.tier
	ORDER BY 2 NULLS LAST, 4 NULLS LAST, 3, 5;
END
$$;

COMMENT ON FUNCTION healthscore_internal.tiers_compared(text, text, text, timestamptz, boolean) IS
'tier_agreement() and model_tier_agreement: accounts and value per pair of tiers two models give at one as-of time; strict raises an error without runs of both at that time, else returns no rows';

CREATE FUNCTION healthscore.tier_agreement(model_a text, model_b text, as_of timestamptz DEFAULT NULL)
RETURNS TABLE (scored_at timestamptz, tier_rank_a integer, tier_a text, tier_rank_b integer, tier_b text,
			   accounts bigint, value numeric, moves boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.scored_at, t.tier_rank_a, t.tier_a, t.tier_rank_b, t.tier_b, t.accounts, t.value, t.moves
	FROM healthscore_internal.tiers_compared('tier_agreement', model_a, model_b, as_of, true) AS t
$$;

COMMENT ON FUNCTION healthscore.tier_agreement(text, text, timestamptz) IS
'the tier agreement matrix of two models at one as-of time (default: the latest both have): accounts and value (model_a''s) per pair of tiers; moves is true where the tiers'' places differ, the accounts switching models would move';

-- One refresh of a model, with other settings when changed, inside a subtransaction that is
-- rolled back: what it wrote is read first, then the run, its scores and the changed settings are
-- undone. The real refresh is what makes a preview equal a refresh with the same settings, bit for
-- bit. A sequence value for the run id is used up (sequences are not transactional).
CREATE FUNCTION healthscore_internal.preview_run(func text, model text, weights jsonb, group_weights jsonb,
												 tier_cutoffs float8[], as_of timestamptz, min_share float8,
												 changed boolean,
												 OUT account_keys text[], OUT scores float8[], OUT tiers text[],
												 OUT tier_ranks integer[], OUT account_values numeric[],
												 OUT run_signals text[], OUT run_weights float8[],
												 OUT run_categories text[], OUT run_group_weights float8[],
												 OUT cutoffs float8[], OUT labels text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	setting record;
	run bigint;
	weight float8;
	least_weight float8;
BEGIN
	IF changed AND (min_share IS NULL OR NOT (min_share > 0 AND min_share < 1)) THEN
		RAISE EXCEPTION '%(): min_share of model "%" must be between 0 and 1, not %', func, found_model.name,
			coalesce(min_share::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 0.01, gives 1% of the total weight, as apply_weights() does.';
	END IF;
	-- as apply_weights() sets them: weights stay positive, at least min_share of the total
	SELECT min_share * sum(s.weight) INTO least_weight FROM healthscore.signals AS s WHERE s.model = found_model.name;
	IF changed AND jsonb_typeof(weights) IS DISTINCT FROM 'object' AND weights IS NOT NULL THEN
		RAISE EXCEPTION '%(): weights of model "%" must be a JSON object of signal names and weights, not %', func,
			found_model.name, weights
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. weights => ''{"logins": 2, "tickets": 1}''.';
	END IF;
	IF changed AND jsonb_typeof(group_weights) IS DISTINCT FROM 'object' AND group_weights IS NOT NULL THEN
		RAISE EXCEPTION '%(): group_weights of model "%" must be a JSON object of categories and weights, not %', func,
			found_model.name, group_weights
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. group_weights => ''{"usage": 2, "support": 1}''; null removes one.';
	END IF;
	BEGIN
		IF changed THEN
			FOR setting IN SELECT e.key, e.value FROM jsonb_each(weights) AS e LOOP
				IF jsonb_typeof(setting.value) <> 'number' THEN
					RAISE EXCEPTION '%(): weights of model "%" gives signal "%" the weight %, not a number', func,
						found_model.name, setting.key, setting.value
						USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are positive numbers, e.g. {"logins": 2}.';
				END IF;
				weight := (setting.value #>> '{}')::float8;
				IF weight >= 0 AND weight < least_weight THEN
					weight := least_weight;
				END IF;
				PERFORM healthscore.set_weight(found_model.name, setting.key, weight);
			END LOOP;
			FOR setting IN SELECT e.key, e.value FROM jsonb_each(group_weights) AS e LOOP
				IF jsonb_typeof(setting.value) NOT IN ('number', 'null') THEN
					RAISE EXCEPTION '%(): group_weights of model "%" gives category "%" the weight %, not a number', func,
						found_model.name, setting.key, setting.value
						USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are positive numbers; null removes a group''s weight.';
				END IF;
				PERFORM healthscore.set_group_weight(found_model.name, setting.key, (setting.value #>> '{}')::float8);
			END LOOP;
			IF tier_cutoffs IS NOT NULL THEN
				PERFORM healthscore.alter_model(found_model.name, tier_cutoffs => tier_cutoffs);
			END IF;
		END IF;
		run := healthscore.refresh(found_model.name, as_of);
		SELECT array_agg(s.account_key), array_agg(s.score), array_agg(s.tier),
			   array_agg(array_position(m.tier_labels, s.tier)), array_agg(s.value)
		INTO account_keys, scores, tiers, tier_ranks, account_values
		FROM healthscore.scores AS s JOIN healthscore.models AS m ON m.name = s.model
		WHERE s.run_id = run;
		SELECT r.signals, r.weights, r.categories, r.group_weights INTO run_signals, run_weights, run_categories,
			   run_group_weights
		FROM healthscore.runs AS r WHERE r.run_id = run;
		SELECT m.tier_cutoffs, m.tier_labels INTO cutoffs, labels FROM healthscore.models AS m WHERE m.name = found_model.name;
		RAISE EXCEPTION USING ERRCODE = 'HSP01', MESSAGE = 'preview: undo the run';
	EXCEPTION WHEN SQLSTATE 'HSP01' THEN
		NULL;	-- the run, its scores and the changed settings are undone; what was read stays
	END;
END
$$;

COMMENT ON FUNCTION healthscore_internal.preview_run(text, text, jsonb, jsonb, float8[], timestamptz, float8, boolean) IS
'a refresh of the model (with the given weights, raised to at least min_share of the total as apply_weights does, group weights and cutoffs when changed) that is rolled back after its scores, tiers and settings are read';

-- A model's evaluable history rescored with a run's weights and cutoffs, from the points each run
-- stored (runs with the same signals only; tiers by the cutoffs alone, no hysteresis, no override),
-- measured as compare_models measures: AUC and lift of the worst tier, averaged over the runs.
CREATE FUNCTION healthscore_internal.history_measures(model text, horizon interval, known_until timestamptz,
													  signals text[], weights float8[], categories text[],
													  group_weights float8[], cutoffs float8[], labels text[])
RETURNS TABLE (auc float8, lift_worst_tier float8, runs integer, rows bigint, churned bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT m.*
	FROM (SELECT array_agg(o.run_id) AS runs, array_agg(x.score) AS scores,
				 array_agg(array_position(history_measures.labels,
										  healthscore.tier(x.score, history_measures.cutoffs, history_measures.labels)))
					 AS ranks,
				 array_agg(o.churned) AS churned
		  FROM healthscore_internal.run_outcomes(history_measures.model, history_measures.horizon,
												 history_measures.known_until) AS o
		  JOIN healthscore.runs AS r ON r.run_id = o.run_id AND r.signals = history_measures.signals
		  JOIN healthscore.scores AS s ON s.run_id = o.run_id AND s.account_key = o.account_key
		  CROSS JOIN LATERAL (SELECT healthscore.score_from_points(s.points,
										 healthscore.effective_weights(s.points, history_measures.weights,
																	   history_measures.categories,
																	   history_measures.group_weights)) AS score
							  OFFSET 0) AS x) AS h
	CROSS JOIN LATERAL healthscore_internal.run_measures(h.runs, h.scores, h.ranks, h.churned) AS m
$$;

COMMENT ON FUNCTION healthscore_internal.history_measures(text, interval, timestamptz, text[], float8[], text[], float8[], float8[], text[]) IS
'the evaluable rows of a model''s runs with the given signals, rescored from their stored points with the given weights and cutoffs (tiers by the cutoffs alone), measured by run_measures: mean AUC and lift of the worst tier over the runs';

CREATE FUNCTION healthscore.preview_accounts(model text, weights jsonb DEFAULT NULL, group_weights jsonb DEFAULT NULL,
											 tier_cutoffs float8[] DEFAULT NULL,
											 as_of timestamptz DEFAULT pg_catalog.now(),
											 min_share float8 DEFAULT 0.01)
RETURNS TABLE (account_key text, value numeric, current_score float8, current_tier text, current_tier_rank integer,
			   preview_score float8, preview_tier text, preview_tier_rank integer, score_change float8,
			   tier_changes boolean, scored_at timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_run record;
	new_run record;
BEGIN
	now_run := healthscore_internal.preview_run('preview_accounts', model, NULL, NULL, NULL, as_of, min_share, false);
	new_run := healthscore_internal.preview_run('preview_accounts', model, weights, group_weights, tier_cutoffs, as_of,
												min_share, true);
	RETURN QUERY
	SELECT coalesce(n.k, c.k), coalesce(n.v, c.v), c.score, c.tier, c.r, n.score, n.tier, n.r, n.score - c.score,
		   c.r IS DISTINCT FROM n.r OR c.tier IS DISTINCT FROM n.tier, as_of
	FROM unnest(now_run.account_keys, now_run.scores, now_run.tiers, now_run.tier_ranks, now_run.account_values)
		 AS c(k, score, tier, r, v)
	FULL JOIN unnest(new_run.account_keys, new_run.scores, new_run.tiers, new_run.tier_ranks, new_run.account_values)
		 AS n(k, score, tier, r, v) ON n.k = c.k;
END
$$;

COMMENT ON FUNCTION healthscore.preview_accounts(text, jsonb, jsonb, float8[], timestamptz, float8) IS
'every account''s score and tier as of a time with the model as it is and with other weights (jsonb {"signal": weight}; unnamed signals keep theirs; below min_share of the total raised to it, as apply_weights does), group weights and tier cutoffs: two refreshes that are rolled back, so nothing is written and the model is unchanged';

CREATE FUNCTION healthscore.preview(model text, weights jsonb DEFAULT NULL, group_weights jsonb DEFAULT NULL,
									tier_cutoffs float8[] DEFAULT NULL, as_of timestamptz DEFAULT pg_catalog.now(),
									horizon interval DEFAULT '90 days',
									known_until timestamptz DEFAULT pg_catalog.now(), min_share float8 DEFAULT 0.01)
RETURNS TABLE (tier_rank integer, tier text, accounts_current bigint, accounts_preview bigint, value_current numeric,
			   value_preview numeric, moving_in bigint, moving_out bigint, auc_current float8, auc_preview float8,
			   lift_current float8, lift_preview float8, history_runs integer, history_rows bigint,
			   history_churned bigint, scored_at timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	now_run record;
	new_run record;
	history_now record;
	history_new record;
BEGIN
	now_run := healthscore_internal.preview_run('preview', found_model.name, NULL, NULL, NULL, as_of, min_share, false);
	new_run := healthscore_internal.preview_run('preview', found_model.name, weights, group_weights, tier_cutoffs, as_of,
												min_share, true);
	-- with outcomes: the evaluable history rescored both ways from its stored points
	IF found_model.outcomes IS NOT NULL THEN
		SELECT h.* INTO history_now
		FROM healthscore_internal.history_measures(found_model.name, horizon, known_until, now_run.run_signals,
				now_run.run_weights, now_run.run_categories, now_run.run_group_weights, now_run.cutoffs,
				now_run.labels) AS h;
		SELECT h.* INTO history_new
		FROM healthscore_internal.history_measures(found_model.name, horizon, known_until, new_run.run_signals,
				new_run.run_weights, new_run.run_categories, new_run.run_group_weights, new_run.cutoffs,
				new_run.labels) AS h;
	END IF;
	RETURN QUERY
	WITH c AS (
		SELECT * FROM unnest(now_run.account_keys, now_run.tiers, now_run.tier_ranks, now_run.account_values)
			AS u(k, tier, r, v)
	), n AS (
		SELECT * FROM unnest(new_run.account_keys, new_run.tiers, new_run.tier_ranks, new_run.account_values)
			AS u(k, tier, r, v)
	), both_runs AS (
		SELECT c.tier AS tier_c, n.tier AS tier_n, c.v AS value_c, n.v AS value_n
		FROM c FULL JOIN n ON n.k = c.k
	), tiers AS (
		SELECT DISTINCT x.r, x.tier FROM (SELECT c.r, c.tier FROM c UNION ALL SELECT n.r, n.tier FROM n) AS x
	)
	SELECT t.r, t.tier, count(*) FILTER (WHERE b.tier_c = t.tier), count(*) FILTER (WHERE b.tier_n = t.tier),
		   coalesce(sum(b.value_c) FILTER (WHERE b.tier_c = t.tier), 0),
		   coalesce(sum(b.value_n) FILTER (WHERE b.tier_n = t.tier), 0),
		   count(*) FILTER (WHERE b.tier_n = t.tier AND b.tier_c IS DISTINCT FROM t.tier),
		   count(*) FILTER (WHERE b.tier_c = t.tier AND b.tier_n IS DISTINCT FROM t.tier),
		   history_now.auc, history_new.auc, history_now.lift_worst_tier, history_new.lift_worst_tier,
		   history_new.runs, history_new.rows, history_new.churned, as_of
	FROM tiers AS t CROSS JOIN both_runs AS b
	GROUP BY t.r, t.tier
	ORDER BY t.r NULLS LAST, t.tier;
END
$$;

COMMENT ON FUNCTION healthscore.preview(text, jsonb, jsonb, float8[], timestamptz, interval, timestamptz, float8) IS
'what other weights (jsonb {"signal": weight}; unnamed signals keep theirs; below min_share of the total raised to it, as apply_weights does, so that suggest_weights'' output can be passed as it is), group weights and tier cutoffs would do, before publishing: per tier, accounts and value now and with the change as of a time (two refreshes that are rolled back), accounts moving in and out, and with outcomes the AUC and lift of the worst tier over the evaluable history rescored from its stored points both ways';

-- For BI: every pair of models over the same accounts and outcomes (90-day horizon, outcomes
-- known until now), and the tiers of every pair over the same accounts at their latest common time.
CREATE VIEW healthscore.model_comparisons WITH (security_invoker = true) AS
SELECT a.name AS model_a, b.name AS model_b, c.measure, c.tier_rank, c.tier_a, c.tier_b, c.value_a, c.value_b,
	   c.difference, c.ci_low, c.ci_high, c.runs, c.rows_a, c.rows_b, c.churned_a, c.churned_b, c.accounts
FROM healthscore.models AS a
JOIN healthscore.models AS b
	ON b.accounts OPERATOR(pg_catalog.=) a.accounts AND b.outcomes OPERATOR(pg_catalog.=) a.outcomes
	   AND b.outcome_key OPERATOR(pg_catalog.=) a.outcome_key AND b.outcome_date OPERATOR(pg_catalog.=) a.outcome_date
	   AND a.name OPERATOR(pg_catalog.<) b.name COLLATE "C"
CROSS JOIN LATERAL healthscore_internal.models_compared('model_comparisons', a.name, b.name, '90 days',
														 pg_catalog.now(), 1000, 0, false) AS c;

COMMENT ON VIEW healthscore.model_comparisons IS 'compare_models() of every pair of models over the same accounts and outcomes (model_a before model_b by name), 90-day horizon, outcomes known until now, 1000 resamples';
COMMENT ON COLUMN healthscore.model_comparisons.model_a IS 'first model';
COMMENT ON COLUMN healthscore.model_comparisons.model_b IS 'second model';
COMMENT ON COLUMN healthscore.model_comparisons.measure IS 'auc (mean over runs of each run''s AUC), lift_worst_tier (mean over runs), brier_skill (of each model''s calibration, on rows after both were fitted), churn_rate (per tier, over all rows)';
COMMENT ON COLUMN healthscore.model_comparisons.tier_rank IS 'for churn_rate: the tier''s place, 1 = worst';
COMMENT ON COLUMN healthscore.model_comparisons.tier_a IS 'for churn_rate: model_a''s tier at that place';
COMMENT ON COLUMN healthscore.model_comparisons.tier_b IS 'for churn_rate: model_b''s tier at that place';
COMMENT ON COLUMN healthscore.model_comparisons.value_a IS 'the measure for model_a';
COMMENT ON COLUMN healthscore.model_comparisons.value_b IS 'the measure for model_b';
COMMENT ON COLUMN healthscore.model_comparisons.difference IS 'value_a - value_b';
COMMENT ON COLUMN healthscore.model_comparisons.ci_low IS 'for auc: 2.5th percentile of the difference over bootstrap resamples of accounts';
COMMENT ON COLUMN healthscore.model_comparisons.ci_high IS 'for auc: 97.5th percentile; an interval above 0 says model_a ranks churners better';
COMMENT ON COLUMN healthscore.model_comparisons.runs IS 'runs measured on (as-of times both models have)';
COMMENT ON COLUMN healthscore.model_comparisons.rows_a IS 'rows (run, account) measured on for model_a (for churn_rate: in its tier)';
COMMENT ON COLUMN healthscore.model_comparisons.rows_b IS 'rows measured on for model_b';
COMMENT ON COLUMN healthscore.model_comparisons.churned_a IS 'of rows_a, churned within the horizon';
COMMENT ON COLUMN healthscore.model_comparisons.churned_b IS 'of rows_b, churned within the horizon';
COMMENT ON COLUMN healthscore.model_comparisons.accounts IS 'distinct accounts measured on';

CREATE VIEW healthscore.model_tier_agreement WITH (security_invoker = true) AS
SELECT a.name AS model_a, b.name AS model_b, t.scored_at, t.tier_rank_a, t.tier_a, t.tier_rank_b, t.tier_b, t.accounts,
	   t.value, t.moves
FROM healthscore.models AS a
JOIN healthscore.models AS b
	ON b.accounts OPERATOR(pg_catalog.=) a.accounts AND a.name OPERATOR(pg_catalog.<) b.name COLLATE "C"
CROSS JOIN LATERAL healthscore_internal.tiers_compared('model_tier_agreement', a.name, b.name, NULL, false) AS t;

COMMENT ON VIEW healthscore.model_tier_agreement IS 'tier_agreement() of every pair of models over the same accounts at the latest as-of time both have';
COMMENT ON COLUMN healthscore.model_tier_agreement.model_a IS 'first model';
COMMENT ON COLUMN healthscore.model_tier_agreement.model_b IS 'second model';
COMMENT ON COLUMN healthscore.model_tier_agreement.scored_at IS 'the as-of time compared';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_rank_a IS 'model_a''s tier place, 1 = worst';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_a IS 'model_a''s tier';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_rank_b IS 'model_b''s tier place';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_b IS 'model_b''s tier';
COMMENT ON COLUMN healthscore.model_tier_agreement.accounts IS 'accounts with these two tiers';
COMMENT ON COLUMN healthscore.model_tier_agreement.value IS 'their value (ARR, as model_a''s run has it)';
COMMENT ON COLUMN healthscore.model_tier_agreement.moves IS 'true when the tiers'' places differ: accounts switching from model_a to model_b would move';

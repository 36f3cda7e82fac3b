-- Views for analysts and BI tools. All are security_invoker, so the reader's own privileges and
-- row-level security apply; columns are scalar (no arrays or json), named for reports. Functions
-- and operators are named with their schema (views bind them when they are created).

-- The components of every run, one row per run, account and signal, unfolded from the arrays
-- of the score rows. Row-level security of scores applies (security_invoker).
CREATE VIEW healthscore.components WITH (security_invoker = true) AS
SELECT s.run_id, s.model, s.account_key, c.signal, c.raw_value, c.points, c.weight, share.weight_share,
	   c.points OPERATOR(pg_catalog.*) share.weight_share AS contribution,
	   coalesce((100 OPERATOR(pg_catalog.-) c.points) OPERATOR(pg_catalog.*) share.weight_share, 0) AS points_lost,
	   coalesce(c.stale, false) AS stale,
	   r.as_of
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
-- the weights in this account's score: the signals' own, or re-spread within groups
CROSS JOIN LATERAL (SELECT healthscore.effective_weights(s.points, r.weights, r.categories, r.group_weights)
					OFFSET 0) AS effective(weights)
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight)
					FROM ROWS FROM (pg_catalog.unnest(s.points), pg_catalog.unnest(effective.weights)) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.signals), pg_catalog.unnest(s.raw_values), pg_catalog.unnest(s.points),
							  pg_catalog.unnest(r.weights), pg_catalog.unnest(r.stale), pg_catalog.unnest(effective.weights))
	AS c(signal, raw_value, points, weight, stale, effective_weight)
CROSS JOIN LATERAL (SELECT CASE WHEN c.points IS NULL THEN 0 ELSE c.effective_weight OPERATOR(pg_catalog./) present.weight END)
	AS share(weight_share);

COMMENT ON VIEW healthscore.components IS 'one row per run, account and signal: how the score came about (unfolded from scores.raw_values and scores.points)';
COMMENT ON COLUMN healthscore.components.run_id IS 'the run';
COMMENT ON COLUMN healthscore.components.model IS 'the model';
COMMENT ON COLUMN healthscore.components.account_key IS 'the account key as text';
COMMENT ON COLUMN healthscore.components.signal IS 'the signal';
COMMENT ON COLUMN healthscore.components.raw_value IS 'the signal''s raw value (for decay signals: age in days); NULL when missing';
COMMENT ON COLUMN healthscore.components.points IS 'points 0-100 after the missing-data policy; NULL when skipped';
COMMENT ON COLUMN healthscore.components.weight IS 'the signal''s weight';
COMMENT ON COLUMN healthscore.components.weight_share IS 'the signal''s share of the account''s score: weight / sum of the weights of the account''s present signals (0 when skipped); with group weights, group weight share x share within the group''s present signals';
COMMENT ON COLUMN healthscore.components.contribution IS 'points * weight_share: the components of an account add up to its score';
COMMENT ON COLUMN healthscore.components.points_lost IS '(100 - points) * weight_share: what the signal cost the account';
COMMENT ON COLUMN healthscore.components.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.components.stale IS 'true when the signal''s source was stale at the run (its newest row older than max_age): it counted as missing';

-- Runs of each model, newest as-of time first (recency 1 = the current run), and the attempts of
-- run() that did not write one (running, failed): those never become current. The totals count
-- the run's scores the reader may see: readers may not read runs.accounts (grant_reader), which
-- counts every account, also those row-level security hides from them.
CREATE VIEW healthscore.model_runs WITH (security_invoker = true) AS
SELECT r.model, r.run_id, r.as_of, r.started_at, r.finished_at,
	   (SELECT pg_catalog.count(*)::pg_catalog.int4 FROM healthscore.scores AS s
		WHERE s.run_id OPERATOR(pg_catalog.=) r.run_id) AS accounts,
	   (SELECT pg_catalog.count(s.score)::pg_catalog.int4 FROM healthscore.scores AS s
		WHERE s.run_id OPERATOR(pg_catalog.=) r.run_id) AS accounts_scored,
	   r.fingerprint,
	   pg_catalog.row_number() OVER (PARTITION BY r.model ORDER BY r.as_of DESC, r.run_id DESC) AS recency,
	   'succeeded'::pg_catalog.text AS status,
	   NULL::pg_catalog.text AS error,
	   (SELECT pg_catalog.min(a.attempt_id) FROM healthscore.attempts AS a
		WHERE a.run_id OPERATOR(pg_catalog.=) r.run_id) AS attempt_id,
	   (SELECT pg_catalog.count(*)::pg_catalog.int4 FROM pg_catalog.unnest(r.stale) AS x(stale) WHERE x.stale)
		   AS stale_signals,
	   r.probability_horizon,
	   r.probability_min_score,
	   r.probability_max_score,
	   r.probability_note
FROM healthscore.runs AS r
UNION ALL
SELECT a.model, NULL, a.as_of, a.started_at, a.finished_at, NULL, NULL, NULL, NULL,
	   healthscore_internal.attempt_status(a.status, a.attempt_id, a.backend_pid),
	   healthscore_internal.attempt_error(a.status, a.attempt_id, a.backend_pid),
	   a.attempt_id, NULL, NULL, NULL, NULL, NULL
FROM healthscore.attempts AS a
WHERE a.status OPERATOR(pg_catalog.<>) 'succeeded';

COMMENT ON VIEW healthscore.model_runs IS 'every run of every model, with its recency (1 = current run, 2 = the one before, ...), and the attempts of healthscore.run() that are running or failed';
COMMENT ON COLUMN healthscore.model_runs.model IS 'model';
COMMENT ON COLUMN healthscore.model_runs.run_id IS 'run identifier';
COMMENT ON COLUMN healthscore.model_runs.as_of IS 'the time the run describes';
COMMENT ON COLUMN healthscore.model_runs.started_at IS 'when the run started';
COMMENT ON COLUMN healthscore.model_runs.finished_at IS 'when the run finished';
COMMENT ON COLUMN healthscore.model_runs.accounts IS 'accounts the run scored that the reader may see (row-level security of the account relation)';
COMMENT ON COLUMN healthscore.model_runs.accounts_scored IS 'of them, accounts with a score';
COMMENT ON COLUMN healthscore.model_runs.fingerprint IS 'md5 of the model definition the run used';
COMMENT ON COLUMN healthscore.model_runs.recency IS '1 for the latest as-of time, 2 for the one before, ...; NULL for attempts that wrote no run';
COMMENT ON COLUMN healthscore.model_runs.status IS 'succeeded (a run), running, or failed (an attempt of healthscore.run(); a running one whose session ended reads as failed)';
COMMENT ON COLUMN healthscore.model_runs.error IS 'why an attempt failed: the error''s message, detail, hint and SQLSTATE for administrators, only the SQLSTATE for readers';
COMMENT ON COLUMN healthscore.model_runs.attempt_id IS 'the attempt of healthscore.run(), NULL for a run written by a plain refresh()';
COMMENT ON COLUMN healthscore.model_runs.probability_horizon IS 'the horizon of the churn probabilities the run wrote; NULL when it wrote none';
COMMENT ON COLUMN healthscore.model_runs.probability_min_score IS 'the lowest score its calibration was fitted on';
COMMENT ON COLUMN healthscore.model_runs.probability_max_score IS 'the highest score its calibration was fitted on';
COMMENT ON COLUMN healthscore.model_runs.probability_note IS 'why the run wrote no churn probabilities (not calibrated, or changed since)';
COMMENT ON COLUMN healthscore.model_runs.stale_signals IS 'how many signals of the run were stale (their source''s newest row older than max_age)';

CREATE VIEW healthscore.current_scores WITH (security_invoker = true) AS
SELECT s.model,
	   m.model_group,
	   s.account_key,
	   s.score,
	   s.tier,
	   s.computed_tier,
	   s.override_id IS NOT NULL AS overridden,
	   ov.reason AS override_reason,
	   ov.set_by AS override_by,
	   ov.expires_at AS override_expires_at,
	   s.previous_score,
	   s.score OPERATOR(pg_catalog.-) s.previous_score AS change,
	   -- over the trend window, not since the run before: a score falling 3 points a week reads down
	   healthscore_internal.trend_over_window(s.score, s.window_start_score, m.trend_threshold) AS trend,
	   s.segment,
	   s.value,
	   s.owner,
	   s.renewal_date,
	   s.renewal_date OPERATOR(pg_catalog.-) (r.as_of AT TIME ZONE m.time_zone)::pg_catalog.date AS days_to_renewal,
	   r.as_of AS scored_at,
	   healthscore.sparkline(s.sparkline) AS sparkline,
	   s.reasons,
	   s.worst_signal,
	   s.run_id,
	   healthscore.sparkline_ascii(s.sparkline) AS sparkline_ascii,
	   run_state.overdue AS stale,
	   r.stale_signals,
	   s.window_start_score,
	   s.score OPERATOR(pg_catalog.-) s.window_start_score AS window_change,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank,
	   s.tier_without_hysteresis,
	   s.why_changed,
	   s.weakest_group,
	   coalesce(pg_catalog.cardinality(s.indicators), 0) AS active_indicators,
	   pg_catalog.array_to_string(s.indicators, '; ') AS indicators,
	   s.parent_key,
	   s.churn_probability,
	   r.probability_horizon,
	   coalesce(r.probability_note,
				CASE WHEN s.score OPERATOR(pg_catalog.<) r.probability_min_score
						  OR s.score OPERATOR(pg_catalog.>) r.probability_max_score
					 THEN 'extrapolated: the score is outside the scores the calibration was fitted on' END)
		   AS probability_note,
	   s.expected_loss
FROM healthscore.model_runs AS r
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) r.model
-- once per run, not per account
CROSS JOIN LATERAL (SELECT healthscore_internal.overdue(m.expected_every, r.as_of) AS overdue OFFSET 0) AS run_state
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
LEFT JOIN healthscore.overrides AS ov ON ov.override_id OPERATOR(pg_catalog.=) s.override_id
WHERE r.recency OPERATOR(pg_catalog.=) 1;

COMMENT ON VIEW healthscore.current_scores IS 'the latest score of every account of every model, with the change since the run before and a sparkline of the last 12 runs';
COMMENT ON COLUMN healthscore.current_scores.model IS 'model that scored the account';
COMMENT ON COLUMN healthscore.current_scores.model_group IS 'group of the model (its segment wins this account), NULL for a model on its own';
COMMENT ON COLUMN healthscore.current_scores.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.current_scores.score IS 'health score 0-100 (NULL when every signal was missing)';
COMMENT ON COLUMN healthscore.current_scores.tier IS 'tier in force: an active override''s tier, else the computed tier';
COMMENT ON COLUMN healthscore.current_scores.computed_tier IS 'tier computed from the score (unknown when the score is NULL)';
COMMENT ON COLUMN healthscore.current_scores.overridden IS 'true when an override set the tier';
COMMENT ON COLUMN healthscore.current_scores.override_reason IS 'why the tier was overridden';
COMMENT ON COLUMN healthscore.current_scores.override_by IS 'who overrode it';
COMMENT ON COLUMN healthscore.current_scores.override_expires_at IS 'when the override expires';
COMMENT ON COLUMN healthscore.current_scores.previous_score IS 'score in the run before (by as-of time, as it was when this run was written)';
COMMENT ON COLUMN healthscore.current_scores.change IS 'score - previous_score';
COMMENT ON COLUMN healthscore.current_scores.trend IS 'up, down or flat over the model''s trend_window: up or down once window_change reaches trend_threshold; new without a run at or before the window''s start';
COMMENT ON COLUMN healthscore.current_scores.segment IS 'account segment';
COMMENT ON COLUMN healthscore.current_scores.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.current_scores.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.current_scores.renewal_date IS 'renewal date';
COMMENT ON COLUMN healthscore.current_scores.days_to_renewal IS 'days from the run''s as-of date (in the model''s time zone) to the renewal date';
COMMENT ON COLUMN healthscore.current_scores.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.current_scores.sparkline IS 'the last 12 scores, oldest first, as of when the run was written: bars U+2581 (0) to U+2588 (100) for UTF-8 clients, else as sparkline_ascii';
COMMENT ON COLUMN healthscore.current_scores.reasons IS 'the three signals that cost the most points: signal raw value (-points lost)';
COMMENT ON COLUMN healthscore.current_scores.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.current_scores.run_id IS 'the run the score comes from';
COMMENT ON COLUMN healthscore.current_scores.stale IS 'true when the model is overdue: no run within its expected_every (plus a grace), so these scores are older than they should be';
COMMENT ON COLUMN healthscore.current_scores.stale_signals IS 'how many of the account''s signals were stale at the run (their source''s newest row older than max_age) and counted as missing';
COMMENT ON COLUMN healthscore.current_scores.window_start_score IS 'the score at the start of the trend window: in the model''s latest run at or before scored_at - trend_window';
COMMENT ON COLUMN healthscore.current_scores.window_change IS 'score - window_start_score: the change the trend reads';
COMMENT ON COLUMN healthscore.current_scores.tier_rank IS 'the tier''s place, 1 = worst: sort by it, not by the label (NULL for unknown)';
COMMENT ON COLUMN healthscore.current_scores.tier_without_hysteresis IS 'the tier by the cutoffs alone; computed_tier keeps the tier of the run before until a cutoff is passed by more than the model''s tier_hysteresis';
COMMENT ON COLUMN healthscore.current_scores.why_changed IS 'the signals that moved the score most since the run before: "signal before -> now (+-points)"';
COMMENT ON COLUMN healthscore.current_scores.weakest_group IS 'the category (signal group) with the lowest group score, the weighted mean of its present signals'' points (group_scores lists them all)';
COMMENT ON COLUMN healthscore.current_scores.parent_key IS 'the account''s parent account (the model''s parent column, see set_parent); parent_scores rolls children up';
COMMENT ON COLUMN healthscore.current_scores.active_indicators IS 'how many of the model''s risk indicators are raised for the account (risk_indicators lists them)';
COMMENT ON COLUMN healthscore.current_scores.indicators IS 'the raised risk indicators'' names, separated by "; " (NULL: none)';
COMMENT ON COLUMN healthscore.current_scores.churn_probability IS 'probability that the account churns within probability_horizon, from the model''s calibration of churn on the score (calibrate()); NULL when the run had no current calibration';
COMMENT ON COLUMN healthscore.current_scores.probability_horizon IS 'the horizon of churn_probability';
COMMENT ON COLUMN healthscore.current_scores.probability_note IS 'why churn_probability is NULL (not calibrated, or the model changed since), or that it is extrapolated beyond the scores fitted on; NULL: fitted';
COMMENT ON COLUMN healthscore.current_scores.expected_loss IS 'churn_probability * value: the value expected to be lost within the horizon';
COMMENT ON COLUMN healthscore.current_scores.sparkline_ascii IS 'the sparkline in ASCII for any client: _ . : - = + * # from low to high, a space for no score';

CREATE VIEW healthscore.score_components WITH (security_invoker = true) AS
SELECT c.model, c.account_key, c.signal, sig.category, c.raw_value, c.points, c.weight, c.weight_share,
	   c.contribution, c.points_lost, sig.action, r.as_of AS scored_at, c.run_id, c.stale
FROM healthscore.model_runs AS r
JOIN healthscore.components AS c ON c.run_id OPERATOR(pg_catalog.=) r.run_id
LEFT JOIN healthscore.signals AS sig ON sig.model OPERATOR(pg_catalog.=) c.model AND sig.name OPERATOR(pg_catalog.=) c.signal
WHERE r.recency OPERATOR(pg_catalog.=) 1
ORDER BY c.model, c.account_key, c.points_lost DESC, c.signal;

COMMENT ON VIEW healthscore.score_components IS 'the latest run''s components: one row per account and signal, the costliest signals first';
COMMENT ON COLUMN healthscore.score_components.model IS 'model';
COMMENT ON COLUMN healthscore.score_components.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_components.signal IS 'signal';
COMMENT ON COLUMN healthscore.score_components.category IS 'signal category';
COMMENT ON COLUMN healthscore.score_components.raw_value IS 'raw value (decay signals: age in days); NULL when missing';
COMMENT ON COLUMN healthscore.score_components.points IS 'points 0-100 after the missing-data policy; NULL when skipped';
COMMENT ON COLUMN healthscore.score_components.weight IS 'signal weight';
COMMENT ON COLUMN healthscore.score_components.weight_share IS 'share of the account''s present weight';
COMMENT ON COLUMN healthscore.score_components.contribution IS 'points * weight_share; an account''s contributions add up to its score';
COMMENT ON COLUMN healthscore.score_components.points_lost IS '(100 - points) * weight_share: what the signal cost the score';
COMMENT ON COLUMN healthscore.score_components.action IS 'the signal''s playbook action';
COMMENT ON COLUMN healthscore.score_components.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.score_components.run_id IS 'the run';
COMMENT ON COLUMN healthscore.score_components.stale IS 'true when the signal''s source was stale at the run (newest row older than its max_age): the signal counted as missing';

-- Each account's group scores in the current run: a group is the signals of one category. The
-- contributions add up to the score, with or without group weights.
CREATE VIEW healthscore.group_scores WITH (security_invoker = true) AS
SELECT s.model, s.account_key, g.category, g.group_score, g.group_weight, g.weight_share,
	   coalesce(g.group_score OPERATOR(pg_catalog.*) g.weight_share, 0) AS contribution,
	   g.signals, g.present_signals, r.as_of AS scored_at, s.run_id
FROM healthscore.model_runs AS current_run
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) current_run.run_id
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL (SELECT healthscore.effective_weights(s.points, r.weights, r.categories, r.group_weights)
					OFFSET 0) AS effective(weights)
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight)
					FROM ROWS FROM (pg_catalog.unnest(s.points), pg_catalog.unnest(effective.weights)) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL (
	SELECT u.category,
		   pg_catalog.sum(u.weight OPERATOR(pg_catalog.*) u.points)
			   OPERATOR(pg_catalog./) pg_catalog.sum(u.weight) FILTER (WHERE u.points IS NOT NULL) AS group_score,
		   coalesce(pg_catalog.max(u.group_weight), pg_catalog.sum(u.weight)) AS group_weight,
		   coalesce(pg_catalog.sum(u.effective_weight) FILTER (WHERE u.points IS NOT NULL), 0)
			   OPERATOR(pg_catalog./) present.weight AS weight_share,
		   pg_catalog.count(*) AS signals, pg_catalog.count(u.points) AS present_signals
	FROM ROWS FROM (pg_catalog.unnest(r.categories), pg_catalog.unnest(s.points), pg_catalog.unnest(r.weights),
					pg_catalog.unnest(effective.weights), pg_catalog.unnest(r.group_weights))
		AS u(category, points, weight, effective_weight, group_weight)
	GROUP BY u.category) AS g
WHERE current_run.recency OPERATOR(pg_catalog.=) 1 AND r.categories IS NOT NULL;

COMMENT ON VIEW healthscore.group_scores IS 'the current run''s group scores: one row per account and signal group (category); the contributions of an account add up to its score';
COMMENT ON COLUMN healthscore.group_scores.model IS 'model';
COMMENT ON COLUMN healthscore.group_scores.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.group_scores.category IS 'the group: the signals of this category';
COMMENT ON COLUMN healthscore.group_scores.group_score IS 'weighted mean of the points of the group''s present signals (by the signals'' weights); NULL when none is present';
COMMENT ON COLUMN healthscore.group_scores.group_weight IS 'the group''s weight: set by set_group_weight, else the summed weights of its signals';
COMMENT ON COLUMN healthscore.group_scores.weight_share IS 'the group''s share of the account''s score: 0 when none of its signals is present (its weight went to the other groups)';
COMMENT ON COLUMN healthscore.group_scores.contribution IS 'group_score * weight_share: an account''s contributions add up to its score';
COMMENT ON COLUMN healthscore.group_scores.signals IS 'signals in the group';
COMMENT ON COLUMN healthscore.group_scores.present_signals IS 'of them, signals with points for this account';
COMMENT ON COLUMN healthscore.group_scores.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.group_scores.run_id IS 'the run';

-- The risk indicators raised for the accounts of every model's current run, since when and why.
CREATE VIEW healthscore.risk_indicators WITH (security_invoker = true) AS
SELECT s.model, s.account_key, raised.indicator, def.kind, def.signal, raised.since,
	   raised.since OPERATOR(pg_catalog.=) r.as_of AS newly_raised, raised.reason, def.description,
	   s.score, s.tier, s.value, s.owner, r.as_of AS scored_at, s.run_id
FROM healthscore.model_runs AS r
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(s.indicators), pg_catalog.unnest(s.indicators_since),
							  pg_catalog.unnest(s.indicator_reasons)) AS raised(indicator, since, reason)
LEFT JOIN healthscore.indicators AS def
	ON def.model OPERATOR(pg_catalog.=) s.model AND def.name OPERATOR(pg_catalog.=) raised.indicator
WHERE r.recency OPERATOR(pg_catalog.=) 1 AND s.indicators IS NOT NULL;

COMMENT ON VIEW healthscore.risk_indicators IS 'the risk indicators raised in every model''s current run: one row per account and raised indicator, since when and why';
COMMENT ON COLUMN healthscore.risk_indicators.model IS 'model';
COMMENT ON COLUMN healthscore.risk_indicators.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.risk_indicators.indicator IS 'indicator name';
COMMENT ON COLUMN healthscore.risk_indicators.kind IS 'drop, above, below, event or rating_below (NULL when the indicator was dropped since)';
COMMENT ON COLUMN healthscore.risk_indicators.signal IS 'the signal it reads';
COMMENT ON COLUMN healthscore.risk_indicators.since IS 'as-of time of the first run of the streak in which it has been raised in every run';
COMMENT ON COLUMN healthscore.risk_indicators.newly_raised IS 'true when the current run raised it (it was not raised in the run before)';
COMMENT ON COLUMN healthscore.risk_indicators.reason IS 'why: the raw values it compared, e.g. "logins_7d 40 -> 12 (-70%)"';
COMMENT ON COLUMN healthscore.risk_indicators.description IS 'what the indicator means';
COMMENT ON COLUMN healthscore.risk_indicators.score IS 'the account''s score (indicators are beside it, not in it)';
COMMENT ON COLUMN healthscore.risk_indicators.tier IS 'tier in force';
COMMENT ON COLUMN healthscore.risk_indicators.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.risk_indicators.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.risk_indicators.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.risk_indicators.run_id IS 'the run';

-- Parents rolled up from their children's current scores (whichever model of the group scored
-- each), over the children the reader may see; links to a missing parent or on a cycle are skipped.
CREATE VIEW healthscore.parent_scores WITH (security_invoker = true) AS
SELECT g.scope AS hierarchy, g.parent_key, g.rollup, g.score,
	   healthscore.tier(g.score, g.tier_cutoffs, g.tier_labels) AS tier,
	   pg_catalog.array_position(g.tier_labels, healthscore.tier(g.score, g.tier_cutoffs, g.tier_labels)) AS tier_rank,
	   g.children, g.children_scored, g.total_value, g.weakest_child, g.weakest_child_score
FROM (SELECT l.scope, l.parent_key, pg_catalog.min(l.rollup) AS rollup,
			 CASE WHEN pg_catalog.min(l.rollup) OPERATOR(pg_catalog.=) 'minimum' THEN pg_catalog.min(l.score)
				  -- by value; children without a positive value only when no child has one
				  ELSE coalesce(pg_catalog.sum(l.value::pg_catalog.float8 OPERATOR(pg_catalog.*) l.score)
									FILTER (WHERE l.value OPERATOR(pg_catalog.>) 0 AND l.score IS NOT NULL)
								OPERATOR(pg_catalog./)
								pg_catalog.sum(l.value::pg_catalog.float8)
									FILTER (WHERE l.value OPERATOR(pg_catalog.>) 0 AND l.score IS NOT NULL),
								pg_catalog.avg(l.score)) END AS score,
			 pg_catalog.min(l.tier_cutoffs) AS tier_cutoffs, pg_catalog.min(l.tier_labels) AS tier_labels,
			 pg_catalog.count(*) AS children, pg_catalog.count(l.score) AS children_scored,
			 pg_catalog.sum(l.value) AS total_value,
			 (pg_catalog.array_agg(l.account_key ORDER BY l.score NULLS LAST, l.account_key))[1] AS weakest_child,
			 pg_catalog.min(l.score) AS weakest_child_score
	  FROM healthscore_internal.hierarchy_links() AS l
	  WHERE l.parent_key IS NOT NULL AND l.problem IS NULL
	  GROUP BY l.scope, l.parent_key) AS g;

COMMENT ON VIEW healthscore.parent_scores IS 'per hierarchy (model group, or model on its own) and parent account: the rollup of its children''s current scores, over the children the reader may see; links to a parent that is no account, or on a cycle, are skipped (check_model reports them)';
COMMENT ON COLUMN healthscore.parent_scores.hierarchy IS 'the model group, or the model on its own, whose accounts these are';
COMMENT ON COLUMN healthscore.parent_scores.parent_key IS 'the parent account key';
COMMENT ON COLUMN healthscore.parent_scores.rollup IS 'value_weighted or minimum (set_parent)';
COMMENT ON COLUMN healthscore.parent_scores.score IS 'value_weighted: the children''s scores weighted by their value (ARR; a plain mean when no child has a positive value); minimum: the weakest child''s score';
COMMENT ON COLUMN healthscore.parent_scores.tier IS 'tier of the rollup score, by the models'' cutoffs';
COMMENT ON COLUMN healthscore.parent_scores.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON COLUMN healthscore.parent_scores.children IS 'children the reader may see';
COMMENT ON COLUMN healthscore.parent_scores.children_scored IS 'of them, children with a score';
COMMENT ON COLUMN healthscore.parent_scores.total_value IS 'the children''s summed value (ARR)';
COMMENT ON COLUMN healthscore.parent_scores.weakest_child IS 'the child with the lowest score';
COMMENT ON COLUMN healthscore.parent_scores.weakest_child_score IS 'its score';

CREATE VIEW healthscore.risk_list WITH (security_invoker = true) AS
SELECT cs.model,
	   pg_catalog.row_number() OVER (PARTITION BY cs.model
									 ORDER BY cs.value OPERATOR(pg_catalog.*) (100 OPERATOR(pg_catalog.-) coalesce(cs.score, 0))
											  OPERATOR(pg_catalog./) 100 DESC NULLS LAST,
											  cs.score ASC NULLS FIRST, cs.account_key) AS priority,
	   cs.account_key,
	   cs.score,
	   cs.tier,
	   cs.trend,
	   cs.change,
	   cs.value,
	   cs.value OPERATOR(pg_catalog.*) (100 OPERATOR(pg_catalog.-) coalesce(cs.score, 0)) OPERATOR(pg_catalog./) 100
		   AS value_at_risk,
	   cs.reasons,
	   cs.worst_signal,
	   coalesce(indicator_play.action, play.action) AS action,
	   CASE WHEN indicator_play.action IS NOT NULL THEN indicator_play.owner_role ELSE play.owner_role END
		   AS action_owner,
	   cs.owner,
	   cs.days_to_renewal,
	   cs.renewal_date,
	   cs.segment,
	   cs.overridden,
	   cs.computed_tier,
	   cs.override_reason,
	   cs.sparkline,
	   cs.scored_at,
	   cs.sparkline_ascii,
	   cs.stale,
	   cs.stale_signals,
	   cs.why_changed,
	   cs.window_change,
	   cs.tier_rank,
	   cs.active_indicators,
	   cs.indicators,
	   cs.parent_key,
	   cs.churn_probability,
	   cs.probability_horizon,
	   cs.probability_note,
	   cs.expected_loss
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
-- a raised risk indicator's playbook wins; looked up only for accounts with raised indicators (the
-- CASE), by a function of tiny estimated cost, so that the plan's cost, and JIT, stay what they were
CROSS JOIN LATERAL (SELECT play_row.p[1] AS action, play_row.p[2] AS owner_role
					FROM (SELECT CASE WHEN cs.active_indicators OPERATOR(pg_catalog.>) 0 THEN
								 healthscore_internal.indicator_playbook(cs.model, cs.tier, cs.run_id, cs.account_key) END
								 AS p
						  OFFSET 0) AS play_row) AS indicator_play
-- the most specific playbook for every tier and costliest signal of a model, resolved once per
-- combination (few) rather than per account: tier and signal, that signal in any tier, the signal's
-- own action, the tier's playbook, the model's tier action
LEFT JOIN (
	SELECT DISTINCT ON (combination.model, combination.tier, combination.signal)
		   combination.model, combination.tier, combination.signal, candidate.action, candidate.owner_role
	FROM (SELECT mm.name AS model, t.tier, sig.name AS signal, mm.tier_labels, mm.tier_actions
		  FROM healthscore.models AS mm
		  CROSS JOIN LATERAL pg_catalog.unnest(mm.tier_labels OPERATOR(pg_catalog.||) '{unknown}'::pg_catalog.text[]) AS t(tier)
		  -- every signal, and none (an account that lost no points still gets its tier's playbook)
		  CROSS JOIN LATERAL (SELECT s.name FROM healthscore.signals AS s WHERE s.model OPERATOR(pg_catalog.=) mm.name
							  UNION ALL SELECT NULL) AS sig) AS combination
	CROSS JOIN LATERAL (
		SELECT 1 AS specificity, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier OPERATOR(pg_catalog.=) combination.tier
		  AND pb.signal OPERATOR(pg_catalog.=) combination.signal AND pb.indicator IS NULL
		UNION ALL
		SELECT 2, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier IS NULL
		  AND pb.signal OPERATOR(pg_catalog.=) combination.signal AND pb.indicator IS NULL
		UNION ALL
		SELECT 3, sig.action, NULL FROM healthscore.signals AS sig
		WHERE sig.model OPERATOR(pg_catalog.=) combination.model AND sig.name OPERATOR(pg_catalog.=) combination.signal
		  AND sig.action IS NOT NULL
		UNION ALL
		SELECT 4, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier OPERATOR(pg_catalog.=) combination.tier
		  AND pb.signal IS NULL AND pb.indicator IS NULL
		UNION ALL
		SELECT 5, combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)], NULL
		WHERE combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)] IS NOT NULL
	) AS candidate
	ORDER BY combination.model, combination.tier, combination.signal, candidate.specificity
) AS play ON play.model OPERATOR(pg_catalog.=) cs.model AND play.tier OPERATOR(pg_catalog.=) cs.tier
		 -- IS NOT DISTINCT FROM, written with a qualified operator
		 AND (play.signal OPERATOR(pg_catalog.=) cs.worst_signal OR (play.signal IS NULL AND cs.worst_signal IS NULL))
WHERE cs.tier OPERATOR(pg_catalog.<>) m.tier_labels[pg_catalog.cardinality(m.tier_labels)];

COMMENT ON VIEW healthscore.risk_list IS 'accounts below the top tier, most value at risk first, with the three signals that cost the most points and the action to take';
COMMENT ON COLUMN healthscore.risk_list.model IS 'model';
COMMENT ON COLUMN healthscore.risk_list.parent_key IS 'the account''s parent account, NULL without one';
COMMENT ON COLUMN healthscore.risk_list.churn_probability IS 'probability of churn within probability_horizon, from the model''s calibration (calibrate()); NULL without a current calibration';
COMMENT ON COLUMN healthscore.risk_list.probability_horizon IS 'the horizon of churn_probability';
COMMENT ON COLUMN healthscore.risk_list.probability_note IS 'why churn_probability is NULL, or that it is extrapolated; NULL: fitted';
COMMENT ON COLUMN healthscore.risk_list.expected_loss IS 'churn_probability * value: value expected to be lost within the horizon (value_at_risk instead weighs value by the points the score lacks, with no calibration)';
COMMENT ON COLUMN healthscore.risk_list.active_indicators IS 'how many risk indicators are raised for the account';
COMMENT ON COLUMN healthscore.risk_list.indicators IS 'the raised risk indicators'' names, separated by "; "';
COMMENT ON COLUMN healthscore.risk_list.priority IS '1 = act first: most value at risk (value x points missing), then lowest score';
COMMENT ON COLUMN healthscore.risk_list.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.risk_list.score IS 'health score 0-100';
COMMENT ON COLUMN healthscore.risk_list.tier IS 'tier label';
COMMENT ON COLUMN healthscore.risk_list.trend IS 'up, down or flat over the model''s trend window (new: no run that long ago)';
COMMENT ON COLUMN healthscore.risk_list.change IS 'score change since the run before';
COMMENT ON COLUMN healthscore.risk_list.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.risk_list.value_at_risk IS 'value x (100 - score) / 100';
COMMENT ON COLUMN healthscore.risk_list.reasons IS 'the three signals that cost the most points: signal raw value (-points lost); no data when the source had no rows';
COMMENT ON COLUMN healthscore.risk_list.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.risk_list.action IS 'the most specific playbook action: for this tier and worst signal, for the worst signal, the signal''s own action, for the tier, the model''s tier action';
COMMENT ON COLUMN healthscore.risk_list.action_owner IS 'the role that acts, from the playbook';
COMMENT ON COLUMN healthscore.risk_list.overridden IS 'true when an override set the tier';
COMMENT ON COLUMN healthscore.risk_list.computed_tier IS 'tier computed from the score';
COMMENT ON COLUMN healthscore.risk_list.override_reason IS 'why the tier was overridden';
COMMENT ON COLUMN healthscore.risk_list.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.risk_list.days_to_renewal IS 'days to the renewal date';
COMMENT ON COLUMN healthscore.risk_list.renewal_date IS 'renewal date';
COMMENT ON COLUMN healthscore.risk_list.segment IS 'account segment';
COMMENT ON COLUMN healthscore.risk_list.sparkline IS 'the last 12 scores as bars (ASCII for clients that are not UTF-8)';
COMMENT ON COLUMN healthscore.risk_list.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.risk_list.sparkline_ascii IS 'the sparkline in ASCII for any client';
COMMENT ON COLUMN healthscore.risk_list.stale IS 'true when the model is overdue: these scores are older than its schedule promises';
COMMENT ON COLUMN healthscore.risk_list.stale_signals IS 'how many of the account''s signals were stale at the run and counted as missing';
COMMENT ON COLUMN healthscore.risk_list.why_changed IS 'the signals that moved the score most since the run before';
COMMENT ON COLUMN healthscore.risk_list.window_change IS 'score change over the trend window';
COMMENT ON COLUMN healthscore.risk_list.tier_rank IS 'the tier''s place, 1 = worst';

CREATE VIEW healthscore.score_history WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.account_key, s.score, s.tier, s.segment, s.value, s.owner, s.renewal_date,
	   r.fingerprint, pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) s.model;

COMMENT ON VIEW healthscore.score_history IS 'every score of every run, one row per run and account (long format)';
COMMENT ON COLUMN healthscore.score_history.model IS 'model';
COMMENT ON COLUMN healthscore.score_history.run_id IS 'run';
COMMENT ON COLUMN healthscore.score_history.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.score_history.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_history.score IS 'health score 0-100';
COMMENT ON COLUMN healthscore.score_history.tier IS 'tier label';
COMMENT ON COLUMN healthscore.score_history.segment IS 'account segment at the run';
COMMENT ON COLUMN healthscore.score_history.value IS 'account value at the run';
COMMENT ON COLUMN healthscore.score_history.owner IS 'account owner at the run';
COMMENT ON COLUMN healthscore.score_history.renewal_date IS 'renewal date at the run';
COMMENT ON COLUMN healthscore.score_history.fingerprint IS 'model definition the run used';
COMMENT ON COLUMN healthscore.score_history.tier_rank IS 'the tier''s place, 1 = worst';

CREATE VIEW healthscore.tier_changes WITH (security_invoker = true) AS
-- From what each run wrote about the run before it (its previous tier and score), so that a filter
-- on changed_at reads only the runs it selects, not the whole history.
SELECT s.model, s.account_key, s.previous_tier AS from_tier, s.tier AS to_tier, r.as_of AS changed_at,
	   s.previous_score AS from_score, s.score AS to_score, before.run_id AS from_run_id, s.run_id AS to_run_id,
	   pg_catalog.array_position(m.tier_labels, s.previous_tier) AS from_tier_rank,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS to_tier_rank
FROM healthscore.runs AS r
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) r.model
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL (SELECT x.run_id FROM healthscore.runs AS x
					WHERE x.model OPERATOR(pg_catalog.=) r.model
					  AND (x.as_of OPERATOR(pg_catalog.<) r.as_of
						   OR (x.as_of OPERATOR(pg_catalog.=) r.as_of AND x.run_id OPERATOR(pg_catalog.<) r.run_id))
					ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS before
WHERE s.previous_tier OPERATOR(pg_catalog.<>) s.tier;

COMMENT ON VIEW healthscore.tier_changes IS 'every change of an account''s tier between consecutive runs of a model';
COMMENT ON COLUMN healthscore.tier_changes.model IS 'model';
COMMENT ON COLUMN healthscore.tier_changes.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.tier_changes.from_tier IS 'tier in the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_tier IS 'tier in this run';
COMMENT ON COLUMN healthscore.tier_changes.changed_at IS 'as-of time of the run that changed the tier';
COMMENT ON COLUMN healthscore.tier_changes.from_score IS 'score in the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_score IS 'score in this run';
COMMENT ON COLUMN healthscore.tier_changes.from_run_id IS 'the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_run_id IS 'this run';
COMMENT ON COLUMN healthscore.tier_changes.from_tier_rank IS 'place of from_tier, 1 = worst';
COMMENT ON COLUMN healthscore.tier_changes.to_tier_rank IS 'place of to_tier, 1 = worst';

CREATE VIEW healthscore.tier_summary WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.tier, pg_catalog.count(*) AS accounts, pg_catalog.sum(s.value) AS total_value,
	   -- in numeric, exact: a float average depends on the order the rows arrive in
	   pg_catalog.avg(s.score::pg_catalog.numeric)::pg_catalog.float8 AS average_score,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) s.model
GROUP BY s.model, s.run_id, r.as_of, s.tier, m.tier_labels;

COMMENT ON VIEW healthscore.tier_summary IS 'per model, run and tier: how many accounts and how much value';
COMMENT ON COLUMN healthscore.tier_summary.model IS 'model';
COMMENT ON COLUMN healthscore.tier_summary.run_id IS 'run';
COMMENT ON COLUMN healthscore.tier_summary.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.tier_summary.tier IS 'tier label';
COMMENT ON COLUMN healthscore.tier_summary.accounts IS 'accounts in the tier';
COMMENT ON COLUMN healthscore.tier_summary.total_value IS 'sum of the accounts'' value (ARR)';
COMMENT ON COLUMN healthscore.tier_summary.average_score IS 'average score in the tier';
COMMENT ON COLUMN healthscore.tier_summary.tier_rank IS 'the tier''s place, 1 = worst';

CREATE VIEW healthscore.score_drops WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, cs.score, cs.tier, high.score AS previous_high,
	   high.score OPERATOR(pg_catalog.-) cs.score AS drop,
	   high.as_of AS high_at, cs.scored_at, cs.value, cs.owner, cs.segment, cs.tier_rank
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
-- the runs of the window, found once per model (the same for all its accounts), then the
-- account's score in each by primary key: the cost is the window's, not the history's
CROSS JOIN LATERAL (
	SELECT pg_catalog.array_agg(r.run_id) AS run_ids, pg_catalog.array_agg(r.as_of) AS as_ofs
	FROM healthscore.runs AS r
	WHERE r.model OPERATOR(pg_catalog.=) cs.model
	  -- the window in the model's time zone ('30 days' are calendar days there)
	  AND r.as_of OPERATOR(pg_catalog.>=)
		  ((cs.scored_at AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.-) m.drop_window) AT TIME ZONE m.time_zone
	  AND r.as_of OPERATOR(pg_catalog.<) cs.scored_at) AS window_runs
CROSS JOIN LATERAL (
	SELECT h.score, w.as_of
	FROM ROWS FROM (pg_catalog.unnest(window_runs.run_ids), pg_catalog.unnest(window_runs.as_ofs)) AS w(run_id, as_of)
	JOIN healthscore.scores AS h ON h.run_id OPERATOR(pg_catalog.=) w.run_id
								AND h.account_key OPERATOR(pg_catalog.=) cs.account_key
	WHERE h.score IS NOT NULL
	ORDER BY h.score DESC, w.as_of DESC
	LIMIT 1) AS high
WHERE (high.score OPERATOR(pg_catalog.-) cs.score) OPERATOR(pg_catalog.>=) m.drop_points;

COMMENT ON VIEW healthscore.score_drops IS 'accounts whose current score is at least the model''s drop_points below their highest score within its drop_window before the current run';
COMMENT ON COLUMN healthscore.score_drops.model IS 'model';
COMMENT ON COLUMN healthscore.score_drops.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_drops.score IS 'current score';
COMMENT ON COLUMN healthscore.score_drops.tier IS 'current tier';
COMMENT ON COLUMN healthscore.score_drops.previous_high IS 'highest score within the window before';
COMMENT ON COLUMN healthscore.score_drops.drop IS 'previous_high - score';
COMMENT ON COLUMN healthscore.score_drops.high_at IS 'as-of time of the previous high';
COMMENT ON COLUMN healthscore.score_drops.scored_at IS 'as-of time of the current run';
COMMENT ON COLUMN healthscore.score_drops.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.score_drops.owner IS 'account owner';
COMMENT ON COLUMN healthscore.score_drops.segment IS 'account segment';
COMMENT ON COLUMN healthscore.score_drops.tier_rank IS 'the tier''s place, 1 = worst';

-- Manual inputs that need a person: for every account a model with assessment signals scores,
-- each factor whose latest rating is missing, expired, or expires within 14 days.
CREATE VIEW healthscore.stale_assessments WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, sig.factor, latest.assessed_at AS last_assessed_at,
	   latest.expires_at, latest.assessed_by AS last_assessed_by,
	   CASE WHEN latest.assessed_at IS NULL THEN 'missing'
			WHEN latest.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN 'expired'
			ELSE 'expiring' END AS status,
	   cs.owner, cs.value
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
JOIN healthscore.signals AS sig ON sig.model OPERATOR(pg_catalog.=) cs.model AND sig.scoring OPERATOR(pg_catalog.=) 'assessment'
-- validity counts calendar days in the model's time zone, as in a refresh
LEFT JOIN LATERAL (
	SELECT a.assessed_at, a.assessed_by,
		   ((a.assessed_at AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.+) a.valid_for) AT TIME ZONE m.time_zone AS expires_at
	FROM healthscore.assessments AS a
	WHERE a.account_key OPERATOR(pg_catalog.=) cs.account_key AND a.factor OPERATOR(pg_catalog.=) sig.factor
	ORDER BY a.assessed_at DESC, a.assessment_id DESC
	LIMIT 1) AS latest ON true
WHERE latest.assessed_at IS NULL
   OR latest.expires_at OPERATOR(pg_catalog.<=)
	  ((pg_catalog.now() AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.+) interval '14 days') AT TIME ZONE m.time_zone;

COMMENT ON VIEW healthscore.stale_assessments IS 'success factors that need a new rating: missing, expired, or expiring within 14 days, for the accounts of models that use them';
COMMENT ON COLUMN healthscore.stale_assessments.model IS 'model whose assessment signal uses the factor';
COMMENT ON COLUMN healthscore.stale_assessments.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.stale_assessments.factor IS 'success factor';
COMMENT ON COLUMN healthscore.stale_assessments.last_assessed_at IS 'when it was last rated (NULL: never)';
COMMENT ON COLUMN healthscore.stale_assessments.expires_at IS 'when that rating expires';
COMMENT ON COLUMN healthscore.stale_assessments.last_assessed_by IS 'who rated it last';
COMMENT ON COLUMN healthscore.stale_assessments.status IS 'missing, expired or expiring (within 14 days)';
COMMENT ON COLUMN healthscore.stale_assessments.owner IS 'account owner, who should rate it';
COMMENT ON COLUMN healthscore.stale_assessments.value IS 'account value (ARR)';

-- What moved each account's score, signal by signal: the current run against the run before it
-- and against the start of the trend window. contribution_changes() splits a score change into
-- parts that add up to it exactly: a signal whose points did not move has no part, even when
-- another one appearing or going missing changed its share of the weight; that one has the part.
CREATE VIEW healthscore.score_changes WITH (security_invoker = true) AS
SELECT m.name AS model, s.account_key, sig.signal,
	   s.raw_values[idx.now_i] AS raw_value, s.points[idx.now_i] AS points,
	   part.now_contributions[sig.n::pg_catalog.int4] AS contribution,
	   before_s.raw_values[idx.before_i] AS previous_raw_value, before_s.points[idx.before_i] AS previous_points,
	   part.before_contributions[sig.n::pg_catalog.int4] AS previous_contribution,
	   part.changes[sig.n::pg_catalog.int4] AS contribution_change,
	   start_s.raw_values[idx.start_i] AS window_raw_value, start_s.points[idx.start_i] AS window_points,
	   part.start_contributions[sig.n::pg_catalog.int4] AS window_contribution,
	   part.window_changes[sig.n::pg_catalog.int4] AS window_contribution_change,
	   before_run.fingerprint OPERATOR(pg_catalog.<>) cur.fingerprint AS configuration_changed,
	   cur.as_of AS scored_at, before_run.as_of AS previous_as_of, start_run.as_of AS window_start_as_of
FROM healthscore.models AS m
CROSS JOIN LATERAL (SELECT r.run_id, r.as_of, r.fingerprint, r.signals, r.weights, r.categories, r.group_weights
					FROM healthscore.runs AS r
					WHERE r.model OPERATOR(pg_catalog.=) m.name
					ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS cur
LEFT JOIN LATERAL (SELECT r.run_id, r.as_of, r.fingerprint, r.signals, r.weights, r.categories, r.group_weights
				   FROM healthscore.runs AS r
				   WHERE r.model OPERATOR(pg_catalog.=) m.name
					 AND (r.as_of OPERATOR(pg_catalog.<) cur.as_of
						  OR (r.as_of OPERATOR(pg_catalog.=) cur.as_of AND r.run_id OPERATOR(pg_catalog.<) cur.run_id))
				   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS before_run ON true
-- the window in the model's time zone, as refresh() takes it
LEFT JOIN LATERAL (SELECT r.run_id, r.as_of, r.signals, r.weights, r.categories, r.group_weights
				   FROM healthscore.runs AS r
				   WHERE r.model OPERATOR(pg_catalog.=) m.name AND r.run_id OPERATOR(pg_catalog.<>) cur.run_id
					 AND r.as_of OPERATOR(pg_catalog.<=)
						 ((cur.as_of AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.-) m.trend_window) AT TIME ZONE m.time_zone
				   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS start_run ON true
-- the signals of the three runs, the current run's order first
CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(u.signal ORDER BY u.n) AS signals
					FROM (SELECT v.signal, pg_catalog.min(v.n) AS n
						  FROM pg_catalog.unnest(cur.signals OPERATOR(pg_catalog.||) coalesce(before_run.signals, '{}')
												 OPERATOR(pg_catalog.||) coalesce(start_run.signals, '{}'))
							   WITH ORDINALITY AS v(signal, n)
						  GROUP BY v.signal) AS u) AS all_signals
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) cur.run_id
-- the account's rows of the two earlier runs, by primary key (OFFSET 0 keeps each a lookup per
-- account: joined, the planner may scan and sort the whole history for them)
LEFT JOIN LATERAL (SELECT x.raw_values, x.points FROM healthscore.scores AS x
				   WHERE x.run_id OPERATOR(pg_catalog.=) before_run.run_id
					 AND x.account_key OPERATOR(pg_catalog.=) s.account_key OFFSET 0) AS before_s ON true
LEFT JOIN LATERAL (SELECT x.raw_values, x.points FROM healthscore.scores AS x
				   WHERE x.run_id OPERATOR(pg_catalog.=) start_run.run_id
					 AND x.account_key OPERATOR(pg_catalog.=) s.account_key OFFSET 0) AS start_s ON true
-- each run's weights in the account's score (re-spread within groups when the run had group weights)
CROSS JOIN LATERAL (
	SELECT healthscore.effective_weights(s.points, cur.weights, cur.categories, cur.group_weights) AS now_w,
		   healthscore.effective_weights(before_s.points, before_run.weights, before_run.categories,
										 before_run.group_weights) AS before_w,
		   healthscore.effective_weights(start_s.points, start_run.weights, start_run.categories,
										 start_run.group_weights) AS start_w
	OFFSET 0) AS w
CROSS JOIN LATERAL (
	SELECT healthscore_internal.contributions(all_signals.signals, cur.signals, s.points, w.now_w) AS now_contributions,
		   healthscore_internal.contributions(all_signals.signals, before_run.signals, before_s.points, w.before_w)
			   AS before_contributions,
		   healthscore_internal.contributions(all_signals.signals, start_run.signals, start_s.points, w.start_w)
			   AS start_contributions,
		   healthscore_internal.contribution_changes(all_signals.signals, cur.signals, s.points, cur.weights,
													 cur.categories, cur.group_weights, before_run.signals,
													 before_s.points, before_run.weights, before_run.categories,
													 before_run.group_weights) AS changes,
		   healthscore_internal.contribution_changes(all_signals.signals, cur.signals, s.points, cur.weights,
													 cur.categories, cur.group_weights, start_run.signals,
													 start_s.points, start_run.weights, start_run.categories,
													 start_run.group_weights) AS window_changes
	OFFSET 0) AS part	-- once per account, not once per signal (a pulled-up subquery would be)
CROSS JOIN LATERAL pg_catalog.unnest(all_signals.signals) WITH ORDINALITY AS sig(signal, n)
CROSS JOIN LATERAL (SELECT pg_catalog.array_position(cur.signals, sig.signal) AS now_i,
						   pg_catalog.array_position(before_run.signals, sig.signal) AS before_i,
						   pg_catalog.array_position(start_run.signals, sig.signal) AS start_i) AS idx;

COMMENT ON VIEW healthscore.score_changes IS 'per account of every model''s current run and signal: raw value, points and contribution now, in the run before and at the start of the trend window, and how much the contribution changed (the changes add up to the score change)';
COMMENT ON COLUMN healthscore.score_changes.model IS 'model';
COMMENT ON COLUMN healthscore.score_changes.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_changes.signal IS 'signal (of the current run, or of the earlier runs only)';
COMMENT ON COLUMN healthscore.score_changes.raw_value IS 'raw value in the current run';
COMMENT ON COLUMN healthscore.score_changes.points IS 'points in the current run';
COMMENT ON COLUMN healthscore.score_changes.contribution IS 'points * weight share in the current run';
COMMENT ON COLUMN healthscore.score_changes.previous_raw_value IS 'raw value in the run before';
COMMENT ON COLUMN healthscore.score_changes.previous_points IS 'points in the run before';
COMMENT ON COLUMN healthscore.score_changes.previous_contribution IS 'contribution in the run before';
COMMENT ON COLUMN healthscore.score_changes.contribution_change IS 'the signal''s part of the score change since the run before: its points change at its weight share, or, when it appeared or went missing, the effect of its joining or leaving; these add up to the score change (NULL when either run has no score for the account)';
COMMENT ON COLUMN healthscore.score_changes.window_raw_value IS 'raw value at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_points IS 'points at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_contribution IS 'contribution at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_contribution_change IS 'the signal''s part of the change since the start of the trend window, split as contribution_change: these add up to window_change';
COMMENT ON COLUMN healthscore.score_changes.configuration_changed IS 'true when the model''s definition (fingerprint) differs between the run before and now: the change is not the signals'' alone';
COMMENT ON COLUMN healthscore.score_changes.scored_at IS 'as-of time of the current run';
COMMENT ON COLUMN healthscore.score_changes.previous_as_of IS 'as-of time of the run before';
COMMENT ON COLUMN healthscore.score_changes.window_start_as_of IS 'as-of time of the run at the start of the trend window';

-- One account's story for an account page: every run of the model with its score, tier, trend
-- over the window, the signals that cost the most, and what changed since the run before.
CREATE FUNCTION healthscore.account_story(model text, account_key text)
RETURNS TABLE (run_id bigint, as_of timestamptz, score float8, tier text, tier_rank integer, computed_tier text,
			   overridden boolean, change float8, window_change float8, trend text, reasons text, why_changed text,
			   sparkline text, model_changed boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.run_id, r.as_of, s.score, s.tier, array_position(m.tier_labels, s.tier), s.computed_tier,
		   s.override_id IS NOT NULL, s.score - s.previous_score, s.score - s.window_start_score,
		   healthscore_internal.trend_over_window(s.score, s.window_start_score, m.trend_threshold),
		   s.reasons, s.why_changed, healthscore.sparkline(s.sparkline),
		   r.fingerprint <> lag(r.fingerprint) OVER (ORDER BY r.as_of, r.run_id)
	FROM healthscore.scores AS s
	JOIN healthscore.runs AS r ON r.run_id = s.run_id
	JOIN healthscore.models AS m ON m.name = s.model
	WHERE s.model = account_story.model AND s.account_key = account_story.account_key
	ORDER BY r.as_of, r.run_id
$$;

COMMENT ON FUNCTION healthscore.account_story(text, text) IS
'one account''s runs of a model over time: score, tier (and its rank, 1 = worst), change since the run before and over the trend window, trend, the costliest signals, what changed, sparkline, and whether the model''s definition changed at that run';

-- Accounts of a model group that no model of the group scored in its latest run (their filters
-- all miss and the group has no default model, or they are new since). Runs no model text: the
-- account relation is read as the group's author (accounts_as_author), and of it the reader gets
-- the accounts it may see.
CREATE FUNCTION healthscore.unscored_accounts(model_group text)
RETURNS TABLE (account_key text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.key
	FROM healthscore_internal.accounts_as_author(unscored_accounts.model_group) AS a(key)
	WHERE NOT EXISTS (
		SELECT FROM healthscore.models AS m
		CROSS JOIN LATERAL (SELECT x.run_id FROM healthscore.runs AS x WHERE x.model = m.name
							ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS latest
		JOIN healthscore.scores AS s ON s.run_id = latest.run_id AND s.account_key = a.key
		WHERE m.model_group = unscored_accounts.model_group)
$$;

COMMENT ON FUNCTION healthscore.unscored_accounts(text) IS
'the accounts of a model group that no model of it scored in its latest run (no filter matches and there is no default model, or new since), as the reader sees the account relation';

CREATE VIEW healthscore.unscored_accounts WITH (security_invoker = true) AS
SELECT g.model_group, u.account_key
FROM (SELECT DISTINCT m.model_group FROM healthscore.models AS m WHERE m.model_group IS NOT NULL) AS g
CROSS JOIN LATERAL healthscore.unscored_accounts(g.model_group) AS u;

COMMENT ON VIEW healthscore.unscored_accounts IS 'per model group, the accounts no model of the group scored in its latest run';
COMMENT ON COLUMN healthscore.unscored_accounts.model_group IS 'model group';
COMMENT ON COLUMN healthscore.unscored_accounts.account_key IS 'account key as text';

-- One row per model: is it up to date, did its last run fail, which sources are stale. Readers
-- see that a run failed and its SQLSTATE; administrators also see the error.
CREATE VIEW healthscore.model_status WITH (security_invoker = true) AS
SELECT m.name AS model,
	   m.model_group,
	   m.expected_every,
	   healthscore_internal.overdue(m.expected_every, cur.as_of) AS overdue,
	   (SELECT pg_catalog.max(r.finished_at) FROM healthscore.runs AS r WHERE r.model OPERATOR(pg_catalog.=) m.name)
		   AS last_success_at,
	   cur.as_of AS last_success_as_of,
	   fail.finished_at AS last_failure_at,
	   fail.error AS last_error,
	   latest.status AS last_status,
	   cur.run_id AS current_run_id,
	   cur.accounts,
	   cur.accounts_scored,
	   cur.stale_signals,
	   (SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s, newest row %s)', s.name, s.source,
													   coalesce(x.newest::pg_catalog.text, 'none')),
								  '; ' ORDER BY x.i)
		FROM healthscore.runs AS r
		CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.signals), pg_catalog.unnest(r.stale), pg_catalog.unnest(r.newest_rows))
			WITH ORDINALITY AS x(signal, stale, newest, i)
		JOIN healthscore.signals AS s ON s.model OPERATOR(pg_catalog.=) r.model AND s.name OPERATOR(pg_catalog.=) x.signal
		WHERE r.run_id OPERATOR(pg_catalog.=) cur.run_id AND x.stale) AS stale_sources
FROM healthscore.models AS m
LEFT JOIN healthscore.model_runs AS cur ON cur.model OPERATOR(pg_catalog.=) m.name AND cur.recency OPERATOR(pg_catalog.=) 1
LEFT JOIN LATERAL (SELECT f.finished_at, f.error FROM healthscore.model_runs AS f
				   WHERE f.model OPERATOR(pg_catalog.=) m.name AND f.status OPERATOR(pg_catalog.=) 'failed'
				   ORDER BY f.started_at DESC, f.attempt_id DESC LIMIT 1) AS fail ON true
LEFT JOIN LATERAL (SELECT l.status FROM healthscore.model_runs AS l
				   WHERE l.model OPERATOR(pg_catalog.=) m.name
				   ORDER BY l.started_at DESC, l.attempt_id DESC NULLS LAST LIMIT 1) AS latest ON true;

COMMENT ON VIEW healthscore.model_status IS 'one row per model: whether it is overdue, its last success and last failure (with the error for administrators), and the sources that were stale in its current run';
COMMENT ON COLUMN healthscore.model_status.model IS 'model';
COMMENT ON COLUMN healthscore.model_status.model_group IS 'its model group, if any';
COMMENT ON COLUMN healthscore.model_status.expected_every IS 'how often it is expected to be refreshed (schedule() or set_expected_every() set it); NULL: no expectation';
COMMENT ON COLUMN healthscore.model_status.overdue IS 'true when no run is as recent as expected_every plus a grace (the period, at most an hour): its scores are stale';
COMMENT ON COLUMN healthscore.model_status.last_success_at IS 'when its last successful run finished (wall clock)';
COMMENT ON COLUMN healthscore.model_status.last_success_as_of IS 'the as-of time of its current run';
COMMENT ON COLUMN healthscore.model_status.last_failure_at IS 'when its last failed attempt (healthscore.run()) ended';
COMMENT ON COLUMN healthscore.model_status.last_error IS 'the error of the last failed attempt: full text for administrators, the SQLSTATE for readers';
COMMENT ON COLUMN healthscore.model_status.last_status IS 'how the latest run or attempt stands: succeeded, running or failed';
COMMENT ON COLUMN healthscore.model_status.current_run_id IS 'the current run';
COMMENT ON COLUMN healthscore.model_status.accounts IS 'accounts of the current run the reader may see';
COMMENT ON COLUMN healthscore.model_status.accounts_scored IS 'of them, accounts with a score';
COMMENT ON COLUMN healthscore.model_status.stale_signals IS 'how many signals were stale in the current run';
COMMENT ON COLUMN healthscore.model_status.stale_sources IS 'the stale signals of the current run: signal (source, newest row)';

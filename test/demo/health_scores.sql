-- make demo: define a health model over the sample data, backfill 12 weekly runs, and print
-- what a customer-success team reads: the risk list (why, what to do, which way it is moving)
-- and the tier summary. Everything is as of the sample data's reference date (2026-06-30), so
-- the output is the same on every machine. Churn outcomes lie after that date: they are used
-- only at the end, to show that the red tier is where the churners were.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE EXTENSION healthscore;
\pset footer off

-- Three models split the accounts (group "cs"): new accounts in onboarding first, then enterprise
-- accounts, and the default model for everyone else.
SELECT healthscore.create_model('default', accounts => 'sample.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm',
       description => 'SMB and mid-market accounts past onboarding', model_group => 'cs', priority => 0) \gset
SELECT healthscore.create_model('enterprise', accounts => 'sample.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm',
       description => 'enterprise accounts: usage plus what their CSM knows', model_group => 'cs', priority => 20,
       segment_filter => $$account.segment = 'enterprise'$$, overrides_lower_only => true) \gset
SELECT healthscore.create_model('onboarding', accounts => 'sample.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm',
       description => 'accounts in their first 120 days: is adoption taking off?', model_group => 'cs',
       priority => 30, segment_filter => $$account.contract_start > date '2026-06-30' - 120$$) \gset

-- the eight usage, adoption, support, sentiment and financial signals of the default and enterprise models
CREATE FUNCTION pg_temp.add_standard_signals(model text, usage_weight float8) RETURNS void LANGUAGE sql AS $f$
SELECT healthscore.add_signal(model, 'logins_30d', source => 'sample.usage_events', key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.feature = 'login')$$, time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 15, weight => usage_weight, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal(model, 'stickiness_30d', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 0.25, weight => 10, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal(model, 'days_since_last_use', source => 'sample.usage_events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '14 days',
       weight => 10, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal(model, 'seat_utilization', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8', per_account => 'value / account.seats', time_column => 'ts',
       lookback => '30 days', scoring => 'linear', worst => 0, best => 0.6, weight => 20, category => 'adoption',
       missing => 'zero');
SELECT healthscore.add_signal(model, 'features_used', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 1, best => 6, weight => 10, category => 'adoption', missing => 'zero');
SELECT healthscore.add_signal(model, 'urgent_open_tickets', source => 'sample.tickets', key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.priority = 'urgent' AND s.is_open)$$, time_column => 'opened_at',
       lookback => '90 days', scoring => 'bands', breaks => '{1,3}', points => '{100,50,0}', weight => 15,
       category => 'support', missing => 'value', missing_value => 100);
SELECT healthscore.add_signal(model, 'nps', source => 'sample.nps_responses', key => 'account_id',
       expression => 'healthscore.nps(s.rating)', time_column => 'responded_at', lookback => '180 days',
       scoring => 'linear', worst => -100, best => 100, weight => 15, category => 'sentiment',
       max_age => '7 days');	-- surveys arrive daily: a week without any means the sync broke
SELECT healthscore.add_signal(model, 'late_invoices_180d', source => 'sample.invoices', key => 'account_id',
       expression => 'count(*) FILTER (WHERE s.paid_on IS NULL OR s.paid_on > s.due_on + 15)',
       time_column => 'due_on', lookback => '180 days', scoring => 'bands', breaks => '{1,3}',
       points => '{100,50,0}', weight => 10, category => 'financial', missing => 'value', missing_value => 100);
$f$;
SELECT pg_temp.add_standard_signals('default', 15) \gset
SELECT pg_temp.add_standard_signals('enterprise', 10) \gset
-- enterprise: two success factors their CSMs rate (an expired rating counts as missing)
SELECT healthscore.add_signal('enterprise', 'executive_relationship', scoring => 'assessment',
       factor => 'executive relationship', weight => 15, category => 'relationship') \gset
SELECT healthscore.add_signal('enterprise', 'business_value', scoring => 'assessment',
       factor => 'business value', weight => 10, category => 'relationship') \gset
-- onboarding: is the product being adopted at all?
SELECT healthscore.add_signal('onboarding', 'seat_utilization', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8', per_account => 'value / account.seats', time_column => 'ts',
       lookback => '30 days', scoring => 'linear', worst => 0, best => 0.4, weight => 30, category => 'adoption',
       missing => 'zero') \gset
SELECT healthscore.add_signal('onboarding', 'features_used', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 1, best => 4, weight => 20, category => 'adoption', missing => 'zero') \gset
SELECT healthscore.add_signal('onboarding', 'days_since_last_use', source => 'sample.usage_events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days',
       weight => 20, category => 'usage', missing => 'zero') \gset
SELECT healthscore.add_signal('onboarding', 'urgent_open_tickets', source => 'sample.tickets', key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.priority = 'urgent' AND s.is_open)$$, time_column => 'opened_at',
       scoring => 'bands', breaks => '{1,2}', points => '{100,40,0}', weight => 20, category => 'support',
       missing => 'value', missing_value => 100) \gset

-- CSM ratings of the enterprise accounts, every 60 days and valid for 90; they reflect what the CSM
-- sees (the hidden health of the sample) with some noise
SELECT count(*) AS ratings FROM (
	SELECT healthscore.assess(a.account_id::text, f.factor,
	           rating => least(5, greatest(1, round(1 + 4 * (0.7 * t.latent_health + 0.3 * sample.uniform(a.account_id * 10 + f.n, 701 + r.k)))::integer)),
	           note => 'quarterly account review', valid_for => '90 days',
	           assessed_at => date '2026-06-30' - 60 * r.k - (sample.uniform(a.account_id, 700 + f.n) * 30)::integer)
	FROM sample.accounts AS a
	JOIN sample.truth AS t USING (account_id)
	CROSS JOIN (VALUES (1, 'executive relationship'), (2, 'business value')) AS f(n, factor)
	CROSS JOIN generate_series(0, 2) AS r(k)
	WHERE a.segment = 'enterprise' AND sample.uniform(a.account_id, 709) < 0.85   -- some are never rated
) AS rated \gset

-- playbooks: what to do and who does it, per tier and per failing signal
SELECT count(*) AS playbooks FROM (
	SELECT healthscore.add_playbook(p.model, p.action, tier => p.tier, signal => p.signal, owner_role => p.owner)
	FROM (VALUES
		('default', 'red', NULL, 'Executive business review within 2 weeks', 'CS manager'),
		('default', 'yellow', NULL, 'CSM check-in this month', 'CSM'),
		('default', NULL, 'seat_utilization', 'Adoption workshop with the admin', 'CSM'),
		('default', NULL, 'logins_30d', 'Re-onboard the users who stopped logging in', 'CSM'),
		('default', NULL, 'urgent_open_tickets', 'Escalate the open urgent tickets', 'support lead'),
		('default', NULL, 'late_invoices_180d', 'Call the billing contact', 'finance'),
		('default', NULL, 'nps', 'Follow up on the detractors'' feedback', 'CSM'),
		('enterprise', 'red', NULL, 'Executive sponsor meeting within 2 weeks', 'account executive'),
		('enterprise', 'yellow', NULL, 'Success plan review', 'CSM'),
		('enterprise', NULL, 'seat_utilization', 'Adoption program with their admin team', 'CSM'),
		('enterprise', 'red', 'executive_relationship', 'Find a new executive sponsor', 'account executive'),
		('enterprise', NULL, 'business_value', 'Value review with ROI figures', 'CSM'),
		('onboarding', 'red', NULL, 'Restart onboarding with a kickoff call', 'onboarding lead'),
		('onboarding', 'yellow', NULL, 'Onboarding check-in', 'onboarding lead')
	) AS p(model, tier, signal, action, owner)
) AS added \gset

-- the default model scores by signal groups (categories), each with its weight: a missing signal's
-- weight stays in its group first; here the group weights are the sums of the signals' weights,
-- so only the re-spreading changes (of its signals only nps can be missing, alone in its group)
SELECT count(*) AS groups FROM (
	SELECT healthscore.set_group_weight('default', g.category, g.weight)
	FROM (VALUES ('usage', 35), ('adoption', 30), ('support', 15), ('sentiment', 15), ('financial', 10)) AS g(category, weight)
) AS weighted \gset

-- a small hierarchy: the five largest enterprise accounts are the parents of three smaller accounts each
ALTER TABLE sample.accounts ADD COLUMN parent_account_id integer;
UPDATE sample.accounts AS a SET parent_account_id = p.account_id
FROM (SELECT account_id, row_number() OVER (ORDER BY arr DESC, account_id) AS n FROM sample.accounts
      WHERE segment = 'enterprise') AS p,
     (SELECT account_id, row_number() OVER (ORDER BY arr DESC, account_id) AS n FROM sample.accounts
      WHERE segment <> 'enterprise') AS c
WHERE a.account_id = c.account_id AND c.n BETWEEN 10 * p.n + 1 AND 10 * p.n + 3 AND p.n <= 5;
SELECT healthscore.set_parent('cs', 'parent_account_id') AS models \gset

-- risk indicators beside the score: usage falling fast, invoices paid late again and again, an
-- enterprise champion rated low; a usage drop has its own playbook
SELECT count(*) AS indicators FROM (
	SELECT healthscore.add_indicator(m, 'usage_drop', 'drop', 'logins_30d', threshold => 0.5, period => '28 days',
	       description => 'logins in the last 30 days down by more than half against four weeks before')
	FROM unnest('{default,enterprise}'::text[]) AS m
	UNION ALL
	SELECT healthscore.add_indicator(m, 'late_payer', 'above', 'late_invoices_180d', threshold => 2,
	       description => 'three or more invoices paid late (or not at all) in 180 days')
	FROM unnest('{default,enterprise}'::text[]) AS m
	UNION ALL
	SELECT healthscore.add_indicator('enterprise', 'champion_at_risk', 'rating_below', 'executive_relationship',
	       threshold => 3, description => 'the executive relationship is rated 1 or 2')
) AS added \gset
SELECT count(*) AS playbooks FROM (
	SELECT healthscore.add_playbook(m, 'Call the champion about the usage drop this week', indicator => 'usage_drop',
	       owner_role => 'CSM')
	FROM unnest('{default,enterprise}'::text[]) AS m
) AS added \gset

\echo
\echo 'Models of group "cs": each account is scored by the first model whose segment it is in'
SELECT m.name AS model, m.priority, coalesce(m.segment_filter, '(everyone else)') AS segment,
       count(s.name) AS signals, string_agg(DISTINCT s.category, ', ') AS categories
FROM healthscore.models AS m JOIN healthscore.signals AS s ON s.model = m.name
GROUP BY m.name, m.priority, m.segment_filter ORDER BY m.priority DESC;

\echo 'Backfilling 11 weekly runs of every model (2026-04-14 to 2026-06-23) ...'
SET client_min_messages = warning;
SELECT count(*) AS runs FROM (SELECT healthscore.backfill(m, since => '2026-04-14', until => '2026-06-23', step => '1 week')
                              FROM unnest('{onboarding,enterprise,default}'::text[]) AS m) AS b \gset
\echo :runs runs written.

-- a CSM knows something the data does not show yet: the champion of the largest enterprise account
-- left; the tier is lowered (enterprise overrides may only lower) until the end of August
SELECT healthscore.set_override('enterprise', (SELECT account_key FROM healthscore.current_scores
                                               WHERE model = 'enterprise' AND tier = 'green'
                                               ORDER BY value DESC, account_key LIMIT 1),
       'red', 'champion left the company', expires_at => '2026-08-31', set_at => '2026-06-28') \gset
-- the survey tool's sync broke on 2026-06-12: no responses arrived after it
DELETE FROM sample.nps_responses WHERE responded_at > '2026-06-12';
\echo 'The nightly job (what healthscore.schedule(''cs'', ''0 3 * * *'') runs): one call refreshes every model'
\echo 'of the group as of 2026-06-30, the 12th run. The survey sync broke on 2026-06-12, so NPS is stale:'
\echo 'it counts as missing (its weight goes to the other signals) instead of painting accounts red.'
CALL healthscore.run('cs', '2026-06-30');

\echo
\echo 'Model status: is each model up to date, did its last run fail, which sources are stale?'
SELECT model, to_char(last_success_as_of, 'YYYY-MM-DD') AS current_run, last_status, accounts_scored AS scored,
       coalesce(stale_sources, '-') AS stale_sources
FROM healthscore.model_status ORDER BY model;

\echo
\echo 'Risk list as of 2026-06-30, all models: accounts below green, most ARR at risk first'
SELECT row_number() OVER (ORDER BY r.value_at_risk DESC, r.account_key) AS "#", a.name AS account, r.model,
       round(r.score::numeric, 1) AS score, r.tier || CASE WHEN r.overridden THEN ' (override)' ELSE '' END AS tier,
       r.trend, r.sparkline AS "12 weeks", to_char(r.value, 'FM999,999,990') AS arr,
       r.reasons AS "why (raw value, points lost)", r.action, r.action_owner AS "who", r.owner AS csm,
       r.days_to_renewal AS renews_in, coalesce(r.indicators, '-') AS indicators
FROM healthscore.risk_list AS r
JOIN sample.accounts AS a ON a.account_id = r.account_key::integer
ORDER BY r.value_at_risk DESC, r.account_key
LIMIT 15;

\echo 'What moved the scores of the top 10 since the run before (signal: raw value before -> now, points of the score)'
SELECT row_number() OVER (ORDER BY r.value_at_risk DESC, r.account_key) AS "#", a.name AS account,
       round(r.change::numeric, 1) AS change, round(r.window_change::numeric, 1) AS "28 days",
       coalesce(r.why_changed, '-') AS why_changed
FROM healthscore.risk_list AS r
JOIN sample.accounts AS a ON a.account_id = r.account_key::integer
ORDER BY r.value_at_risk DESC, r.account_key
LIMIT 10;

\echo 'The story of the account at the top of the risk list, run by run (healthscore.account_story)'
SELECT to_char(st.as_of, 'YYYY-MM-DD') AS as_of, round(st.score::numeric, 1) AS score, st.tier,
       st.computed_tier AS computed, round(st.change::numeric, 1) AS change, coalesce(st.trend, 'new') AS trend,
       coalesce(st.why_changed, '-') AS why_changed
FROM (SELECT r.model, r.account_key FROM healthscore.risk_list AS r
      ORDER BY r.value_at_risk DESC, r.account_key LIMIT 1) AS top
CROSS JOIN LATERAL healthscore.account_story(top.model, top.account_key) AS st
ORDER BY st.as_of;

\echo 'Risk indicators raised in the current runs (beside the score, not in it; healthscore.risk_indicators)'
SELECT i.model, i.indicator, count(*) AS accounts, count(*) FILTER (WHERE i.newly_raised) AS new_this_week,
       to_char(sum(i.value), 'FM999,999,990') AS arr,
       (array_agg(a.name || ': ' || i.reason ORDER BY i.value DESC, i.account_key))[1] AS "largest account: why"
FROM healthscore.risk_indicators AS i JOIN sample.accounts AS a ON a.account_id = i.account_key::integer
GROUP BY i.model, i.indicator ORDER BY i.model, i.indicator;

\echo 'Parent accounts rolled up from their children (value-weighted, whichever model scored each child; healthscore.parent_scores)'
SELECT a.name AS parent, round(p.score::numeric, 1) AS rollup, p.tier, p.children,
       to_char(p.total_value, 'FM999,999,990') AS children_arr, c.name AS weakest_child,
       round(p.weakest_child_score::numeric, 1) AS its_score
FROM healthscore.parent_scores AS p
JOIN sample.accounts AS a ON a.account_id = p.parent_key::integer
JOIN sample.accounts AS c ON c.account_id = p.weakest_child::integer
ORDER BY p.score, p.parent_key;

\echo 'The group scores of the account at the top of the risk list (healthscore.group_scores)'
SELECT g.category AS "group", round(g.group_score::numeric, 1) AS group_score, g.group_weight AS weight,
       round(100 * g.weight_share::numeric, 1) AS "share %", round(g.contribution::numeric, 1) AS contribution,
       g.present_signals || ' of ' || g.signals AS signals
FROM (SELECT r.model, r.account_key FROM healthscore.risk_list AS r
      ORDER BY r.value_at_risk DESC, r.account_key LIMIT 1) AS top
JOIN healthscore.group_scores AS g USING (model, account_key)
ORDER BY g.contribution DESC, g.category;

\echo 'Overrides in force'
SELECT a.name AS account, s.model, s.tier, s.computed_tier, s.override_reason, s.override_by IS NOT NULL AS has_author,
       to_char(s.override_expires_at, 'YYYY-MM-DD') AS expires
FROM healthscore.current_scores AS s JOIN sample.accounts AS a ON a.account_id = s.account_key::integer
WHERE s.overridden;

\echo 'Tiers of the current runs (all models), with the share of accounts that churned in the 120 days after'
SELECT s.tier, count(*) AS accounts, to_char(sum(s.value), 'FM999,999,999,990') AS arr,
       round(avg(s.score)::numeric, 1) AS avg_score, round(100.0 * count(c.account_id) / count(*), 1) AS "churned %"
FROM healthscore.current_scores AS s
LEFT JOIN sample.churn_outcomes AS c ON c.account_id = s.account_key::integer
WHERE s.model_group = 'cs'
GROUP BY s.tier ORDER BY min(s.score);

\echo 'Accounts per model'
SELECT model, count(*) AS accounts, count(*) FILTER (WHERE tier = 'red') AS red FROM healthscore.current_scores
WHERE model_group = 'cs' GROUP BY model ORDER BY model;

\echo 'Tier changes in the last week'
SELECT from_tier || ' -> ' || to_tier AS change, count(*) AS accounts
FROM healthscore.tier_changes
WHERE changed_at = '2026-06-30'
GROUP BY 1 ORDER BY 2 DESC, 1;

-- Validation: churn was recorded in the 120 days after the reference date (until 2026-10-28).
SELECT healthscore.set_outcomes('default', 'sample.churn_outcomes', key => 'account_id', churned_on => 'churned_on',
                                reason => 'reason') \gset
\echo 'Accuracy of the current run against churn in the 120 days after it (AUC 0.5 = chance, 1 = perfect)'
SELECT to_char(as_of, 'YYYY-MM-DD') AS run_as_of, accounts, churned, round(100 * churn_rate::numeric, 1) AS "churn %",
       round(auc::numeric, 3) AS auc, worst_tier, round(100 * worst_tier_churn_rate::numeric, 1) AS "worst tier churn %",
       best_tier, round(100 * best_tier_churn_rate::numeric, 1) AS "best tier churn %",
       round(lift_worst_tier::numeric, 2) AS lift, churn_falls_by_tier
FROM healthscore.evaluate('default', horizon => '120 days', known_until => '2026-10-28')
WHERE as_of = '2026-06-30';

\echo 'Weights suggested by the data: fitted on the 8 earlier runs, AUC measured on the 4 later ones'
SELECT signal, current_weight AS current, round(suggested_weight::numeric, 1) AS suggested,
       coalesce(note, '') AS note,
       round(signal_auc::numeric, 3) AS signal_auc,
       round(model_auc_current::numeric, 3) AS "model AUC now", round(model_auc_suggested::numeric, 3) AS "model AUC suggested"
FROM healthscore.suggest_weights('default', horizon => '120 days', known_until => '2026-10-28');
\echo 'A person decides: SELECT * FROM healthscore.apply_weights(''default'', ''120 days'', ''2026-10-28'') applies them.'

-- From score to decision, with churn known until 2026-10-28: churn probability, expected loss,
-- and the suggested weights tried on a variant of the default model before anyone switches.
\echo
\echo 'Churn probability: the default model calibrated on its 8 earlier runs (churn within 120 days, a logistic fit on the score)'
SELECT fit_runs, fit_rows, fit_churned, round(intercept::numeric, 3) AS intercept, round(slope::numeric, 3) AS slope,
       round(min_score::numeric, 1) || ' - ' || round(max_score::numeric, 1) AS fitted_scores
FROM healthscore.calibrate('default', '120 days', known_until => '2026-10-28');
\echo 'Calibration on the 4 held-out runs, by decile of predicted churn (a reliability diagram: predicted against observed)'
SELECT bin AS decile, rows, churned, round(100 * mean_predicted::numeric, 1) AS "predicted %",
       round(100 * observed_rate::numeric, 1) AS "observed %", round(brier::numeric, 4) AS brier,
       round(brier_skill::numeric, 3) AS brier_skill, round(log_loss::numeric, 3) AS log_loss, test_runs
FROM healthscore.calibration('default', known_until => '2026-10-28');
\echo 'The nightly run of 2026-06-30 again, now that the model is calibrated: the default model''s risk list with'
\echo 'the probability of churn within 120 days and the ARR expected to be lost (value at risk weighs ARR by the points missing)'
SET client_min_messages = error;	-- the stale NPS again, as above
SELECT healthscore.refresh('default', '2026-06-30') AS rerun \gset
SET client_min_messages = warning;
SELECT r.priority AS "#", a.name AS account, round(r.score::numeric, 1) AS score, r.tier,
       to_char(r.value, 'FM999,999,990') AS arr, to_char(r.value_at_risk, 'FM999,999,990') AS value_at_risk,
       round(100 * r.churn_probability::numeric, 1) AS "churn %", to_char(r.expected_loss, 'FM999,999,990') AS expected_loss,
       coalesce(r.probability_note, '-') AS note
FROM healthscore.risk_list AS r JOIN sample.accounts AS a ON a.account_id = r.account_key::integer
WHERE r.model = 'default'
ORDER BY r.priority
LIMIT 10;
SELECT to_char(sum(expected_loss), 'FM999,999,990') AS expected_loss_all, to_char(sum(value_at_risk), 'FM999,999,990') AS value_at_risk_all
FROM healthscore.risk_list WHERE model = 'default';

-- a variant of the default model over the same accounts, with the weights suggest_weights gave
-- (as apply_weights would set them: at least 1% of the total), backfilled over the same 12 weeks
SELECT healthscore.create_model('default_suggested', accounts => 'sample.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm',
       description => 'the default model with the weights the data suggests', model_group => 'trial',
       segment_filter => $$account.segment <> 'enterprise' AND account.contract_start <= date '2026-06-30' - 120$$) \gset
SELECT pg_temp.add_standard_signals('default_suggested', 15) \gset
SELECT count(*) AS weights FROM (
	SELECT healthscore.set_weight('default_suggested', w.signal,
	                              greatest(w.suggested_weight, 0.01 * sum(w.current_weight) OVER ()))
	FROM healthscore.suggest_weights('default', horizon => '120 days', known_until => '2026-10-28') AS w
) AS set \gset
SELECT healthscore.set_outcomes('default_suggested', 'sample.churn_outcomes', key => 'account_id',
                                churned_on => 'churned_on') \gset
SET client_min_messages = error;	-- the stale NPS of its last two weeks, as above
SELECT count(*) AS runs FROM healthscore.backfill('default_suggested', since => '2026-04-14', until => '2026-06-30',
                                                  step => '1 week') \gset
SET client_min_messages = warning;
\echo 'The default model against the variant with the suggested weights, on the 12 runs both have (churn within 120 days;'
\echo 'the AUC difference with a 95% interval from resampling accounts, 1000 times)'
SELECT measure, coalesce(tier_a, '') AS tier, round(value_a::numeric, 3) AS "default", round(value_b::numeric, 3) AS suggested,
       round(difference::numeric, 3) AS difference,
       coalesce(round(ci_low::numeric, 3) || ' .. ' || round(ci_high::numeric, 3), '') AS "95% interval",
       runs, rows_a AS rows
FROM healthscore.compare_models('default', 'default_suggested', '120 days', known_until => '2026-10-28')
ORDER BY measure = 'churn_rate', tier_rank, measure;
\echo 'Accounts each tier of the default model would send to each tier of the variant (2026-06-30)'
SELECT tier_a AS "default", sum(accounts) FILTER (WHERE tier_b = 'red') AS red,
       sum(accounts) FILTER (WHERE tier_b = 'yellow') AS yellow, sum(accounts) FILTER (WHERE tier_b = 'green') AS green,
       sum(accounts) FILTER (WHERE moves) AS would_move
FROM healthscore.tier_agreement('default', 'default_suggested')
GROUP BY tier_rank_a, tier_a ORDER BY tier_rank_a;

-- The reports read names of accounts from a relation the reader may read: here the sample's names.
CREATE VIEW sample.account_names AS SELECT account_id AS account_key, name FROM sample.accounts;

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

SELECT healthscore.create_model('default', accounts => 'sample.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm',
       description => 'one model for every account of the sample dataset',
       tier_actions => '{"Executive business review within 2 weeks","CSM check-in this month","Expansion conversation"}')
       \gset
-- usage
SELECT healthscore.add_signal('default', 'logins_30d', source => 'sample.usage_events', key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.feature = 'login')$$, time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 15, weight => 15, category => 'usage', missing => 'zero',
       action => 'Re-onboard the users who stopped logging in') \gset
SELECT healthscore.add_signal('default', 'stickiness_30d', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 0.25, weight => 10, category => 'usage', missing => 'zero',
       action => 'Build a weekly habit: a usage review with the team lead') \gset
SELECT healthscore.add_signal('default', 'days_since_last_use', source => 'sample.usage_events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '14 days',
       weight => 10, category => 'usage', missing => 'zero', action => 'Call the champion this week') \gset
-- adoption
SELECT healthscore.add_signal('default', 'seat_utilization', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats', time_column => 'ts',
       lookback => '30 days', scoring => 'linear', worst => 0, best => 0.6, weight => 20, category => 'adoption',
       missing => 'zero', action => 'Run an adoption workshop with the admin') \gset
SELECT healthscore.add_signal('default', 'features_used', source => 'sample.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 1, best => 6, weight => 10, category => 'adoption', missing => 'zero',
       action => 'Show the features they do not use yet') \gset
-- support
SELECT healthscore.add_signal('default', 'urgent_open_tickets', source => 'sample.tickets', key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.priority = 'urgent' AND s.is_open)$$, time_column => 'opened_at',
       lookback => '90 days', scoring => 'bands', breaks => '{1,3}', points => '{100,50,0}', weight => 15,
       category => 'support', missing => 'value', missing_value => 100,
       action => 'Escalate the open urgent tickets to the support lead') \gset
-- sentiment
SELECT healthscore.add_signal('default', 'nps', source => 'sample.nps_responses', key => 'account_id',
       expression => 'healthscore.nps(s.rating)', time_column => 'responded_at', lookback => '180 days',
       scoring => 'linear', worst => -100, best => 100, weight => 15, category => 'sentiment',
       action => 'Follow up on the detractors'' feedback') \gset
-- financial
SELECT healthscore.add_signal('default', 'late_invoices_180d', source => 'sample.invoices', key => 'account_id',
       expression => 'count(*) FILTER (WHERE s.paid_on IS NULL OR s.paid_on > s.due_on + 15)',
       time_column => 'due_on', lookback => '180 days', scoring => 'bands', breaks => '{1,3}',
       points => '{100,50,0}', weight => 10, category => 'financial', missing => 'value', missing_value => 100,
       action => 'Finance to call the billing contact') \gset

\echo
\echo 'Model "default": 8 signals over 4 source tables (NPS missing for an account: its weight is redistributed)'
SELECT name AS signal, category, scoring, weight, coalesce(lookback::text, 'all') AS window, missing
FROM healthscore.signals WHERE model = 'default' ORDER BY position;

\echo 'Backfilling 12 weekly runs (2026-04-14 to 2026-06-30) ...'
SELECT count(*) AS runs FROM healthscore.backfill('default', since => '2026-04-14', until => '2026-06-30',
                                                   step => '1 week') \gset
\echo :runs runs written.

\echo
\echo 'Risk list as of 2026-06-30: accounts below green, most ARR at risk first'
SELECT r.priority AS "#", a.name AS account, r.segment, round(r.score::numeric, 1) AS score, r.tier,
       r.trend, r.sparkline AS "12 weeks", to_char(r.value, 'FM999,999,990') AS arr,
       r.reasons AS "why (raw value, points lost)", r.action, r.owner, r.days_to_renewal AS renews_in
FROM healthscore.risk_list AS r
JOIN sample.accounts AS a ON a.account_id = r.account_key::integer
WHERE r.model = 'default'
ORDER BY r.priority
LIMIT 15;

\echo 'Tier summary of the current run, with the share of accounts that churned in the 120 days after'
SELECT t.tier, t.accounts, to_char(t.total_value, 'FM999,999,999,990') AS arr, round(t.average_score::numeric, 1) AS avg_score,
       round(100.0 * count(c.account_id) / t.accounts, 1) AS "churned %"
FROM healthscore.tier_summary AS t
JOIN healthscore.current_scores AS s ON s.run_id = t.run_id AND s.tier = t.tier
LEFT JOIN sample.churn_outcomes AS c ON c.account_id = s.account_key::integer
WHERE t.model = 'default'
GROUP BY t.tier, t.accounts, t.total_value, t.average_score
ORDER BY min(s.score);

\echo 'Tier changes in the last week'
SELECT from_tier || ' -> ' || to_tier AS change, count(*) AS accounts
FROM healthscore.tier_changes
WHERE model = 'default' AND changed_at = '2026-06-30'
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

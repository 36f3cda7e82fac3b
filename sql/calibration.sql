-- From score to decision: calibrate and calibration against an independent SQL computation,
-- churn probabilities and expected loss in the views, compare_models on planted data where one
-- model is strictly better (AUCs equal evaluate()'s), tier_agreement, and preview against a real
-- refresh with the same settings, bit for bit.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';

-- usage and tickets drive churn; noise does not
CREATE SCHEMA cal;
CREATE TABLE cal.accounts (account_id integer PRIMARY KEY, arr numeric);
CREATE TABLE cal.metrics (account_id integer, usage float8, tickets float8, noise float8);
CREATE TABLE cal.churn (account_id integer PRIMARY KEY, churned_on date);
INSERT INTO cal.accounts SELECT a, 1000 + a FROM generate_series(1, 600) AS a;
WITH latent AS (SELECT a, (pg_catalog.hashint8extended(a, 11) & 1048575) / 1048576.0 AS h,
                       (pg_catalog.hashint8extended(a, 12) & 1048575) / 1048576.0 AS u1,
                       (pg_catalog.hashint8extended(a, 13) & 1048575) / 1048576.0 AS u2,
                       (pg_catalog.hashint8extended(a, 14) & 1048575) / 1048576.0 AS u3
                FROM generate_series(1, 600) AS a)
INSERT INTO cal.metrics SELECT a, 90 * (0.6 * h + 0.4 * u1) + 5, 10 * (0.6 * (1 - h) + 0.4 * u2), 100 * u3 FROM latent;
INSERT INTO cal.churn
SELECT a, date '2026-03-01' + (10 + (pg_catalog.hashint8extended(a, 17) & 127))::integer
FROM (SELECT a, (pg_catalog.hashint8extended(a, 11) & 1048575) / 1048576.0 AS h,
             (pg_catalog.hashint8extended(a, 18) & 1048575) / 1048576.0 AS u
      FROM generate_series(1, 600) AS a) AS x
WHERE u < 0.7 * (1 - h) ^ 2;
SELECT count(*) AS churned_accounts FROM cal.churn;

-- model a reads the drivers, model b only noise: a is strictly better
SELECT healthscore.create_model('cal_a', accounts => 'cal.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('cal_a', s, source => 'cal.metrics', key => 'account_id', expression => 'max(s.' || s || ')',
                              scoring => 'linear', worst => w, best => b, weight => 25)
FROM (VALUES ('usage', 0, 100), ('tickets', 10, 0)) AS v(s, w, b);
SELECT healthscore.create_model('cal_b', accounts => 'cal.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('cal_b', 'noise', source => 'cal.metrics', key => 'account_id', expression => 'max(s.noise)',
                              scoring => 'linear', worst => 0, best => 100, weight => 25);
-- errors before there is anything to fit
SELECT * FROM error_of($$SELECT healthscore.calibrate('cal_a', '60 days', '2026-09-01')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.calibration('cal_a')$$);
SELECT healthscore.set_outcomes(m, 'cal.churn', key => 'account_id', churned_on => 'churned_on') FROM (VALUES ('cal_a'), ('cal_b')) AS v(m);
SELECT * FROM error_of($$SELECT healthscore.calibrate('cal_a', '60 days', '2026-09-01')$$);
SET client_min_messages = warning;
SELECT count(*) AS runs
FROM (VALUES ('cal_a'), ('cal_b')) AS v(m),
     LATERAL healthscore.backfill(v.m, since => '2026-03-01', until => '2026-04-26', step => '1 week');
RESET client_min_messages;
-- too few churners within a day; bad arguments
SELECT * FROM error_of($$SELECT healthscore.calibrate('cal_a', '1 day', '2026-09-01')$$);
SELECT * FROM error_of($$SELECT healthscore.calibrate('cal_a', '-1 day', '2026-09-01')$$);
SELECT * FROM error_of($$SELECT healthscore.calibrate('nope', '60 days', '2026-09-01')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.calibration('cal_a', '60 days', '2026-09-01', bins => 1)$$);

-- the calibration: the earlier two thirds of the 9 runs fitted
SELECT horizon, fit_runs, fit_rows, fit_churned, fit_from, fit_until, known_until, round(intercept::numeric, 4) AS intercept,
       round(slope::numeric, 4) AS slope, round(min_score::numeric, 2) AS min_score, round(max_score::numeric, 2) AS max_score,
       fingerprint = healthscore.fingerprint('cal_a') AS current
FROM healthscore.calibrate('cal_a', '60 days', '2026-09-01');
-- it equals logistic_fit over the rows computed independently from the scores and the outcomes
CREATE TEMP TABLE cal_rows AS
SELECT r.run_id, r.as_of, s.account_key, s.score, c.churned_on IS NOT NULL AND c.churned_on <= r.as_of + interval '60 days' AS churned,
       dense_rank() OVER (ORDER BY r.as_of, r.run_id) AS run_number
FROM healthscore.runs AS r
JOIN healthscore.scores AS s ON s.run_id = r.run_id
LEFT JOIN cal.churn AS c ON c.account_id::text = s.account_key
WHERE r.model = 'cal_a' AND s.score IS NOT NULL AND (c.churned_on IS NULL OR c.churned_on > r.as_of)
  AND r.as_of + interval '60 days' <= '2026-09-01';
SELECT abs(f.coefficients[1] - c.intercept) < 1e-9 AS intercept_matches, abs(f.coefficients[2] - c.slope) < 1e-9 AS slope_matches,
       f.rows = c.fit_rows AS rows_match
FROM (SELECT healthscore.logistic_fit(churned, ARRAY[score / 100]) AS f FROM cal_rows WHERE run_number <= 6) AS x,
     healthscore.calibrations AS c, LATERAL (SELECT (x.f).*) AS f
WHERE c.model = 'cal_a';

-- calibration by decile on the 3 held-out runs, against the same numbers computed here
SELECT bin, rows, churned, round(mean_predicted::numeric, 4) AS mean_predicted, round(observed_rate::numeric, 4) AS observed_rate,
       test_runs, test_rows, fit_runs, stored
FROM healthscore.calibration('cal_a', known_until => '2026-09-01');
CREATE TEMP TABLE cal_held_out AS
SELECT r.*, 1 / (1 + exp(-(c.intercept + c.slope * r.score / 100))) AS p,
       ntile(10) OVER (ORDER BY 1 / (1 + exp(-(c.intercept + c.slope * r.score / 100))), r.run_id, r.account_key COLLATE "C") AS bin
FROM cal_rows AS r, healthscore.calibrations AS c WHERE c.model = 'cal_a' AND r.run_number > 6;
WITH mine AS (
    SELECT bin, count(*) AS rows, count(*) FILTER (WHERE churned) AS churned, avg(p) AS mean_predicted,
           avg(churned::integer) AS observed_rate FROM cal_held_out GROUP BY bin
), overall AS (
    SELECT avg((p - churned::integer) ^ 2) AS brier, avg(churned::integer) AS base,
           -avg(CASE WHEN churned THEN ln(p) ELSE ln(1 - p) END) AS log_loss FROM cal_held_out
)
SELECT count(*) AS bins,
       bool_and(m.rows = c.rows AND m.churned = c.churned) AS counts_match,
       max(abs(m.mean_predicted - c.mean_predicted)) < 1e-12 AS predicted_matches,
       max(abs(m.observed_rate - c.observed_rate)) < 1e-12 AS observed_matches,
       max(abs(o.brier - c.brier)) < 1e-12 AS brier_matches,
       max(abs((1 - o.brier / (o.base * (1 - o.base))) - c.brier_skill)) < 1e-12 AS skill_matches,
       max(abs(o.log_loss - c.log_loss)) < 1e-12 AS log_loss_matches,
       round(max(c.brier_skill)::numeric, 4) AS brier_skill, round(max(c.log_loss)::numeric, 4) AS log_loss
FROM mine AS m JOIN healthscore.calibration('cal_a', '60 days', '2026-09-01') AS c USING (bin), overall AS o;
-- another horizon is fitted now and not stored
SELECT DISTINCT stored, horizon_used, fit_runs FROM healthscore.calibration('cal_a', '45 days', '2026-09-01');

-- a refresh now writes churn probabilities; expected loss is probability x value; a score
-- outside the fitted scores is flagged
INSERT INTO cal.accounts VALUES (601, 5000);
INSERT INTO cal.metrics VALUES (601, 100, 0, 50);
SELECT healthscore.refresh('cal_a', '2026-08-01') IS NOT NULL AS refreshed;
SELECT count(*) AS accounts, count(churn_probability) AS with_probability,
       bool_and(probability_horizon = '60 days') AS horizon,
       max(abs(churn_probability - 1 / (1 + exp(-(c.intercept + c.slope * score / 100))))) < 1e-15 AS probability_matches,
       bool_and(expected_loss = churn_probability * value::float8) AS expected_loss_matches,
       count(*) FILTER (WHERE probability_note IS NOT NULL) AS flagged,
       min(account_key) FILTER (WHERE probability_note IS NOT NULL) AS flagged_account,
       min(probability_note) AS note
FROM healthscore.current_scores AS s, healthscore.calibrations AS c WHERE s.model = 'cal_a' AND c.model = 'cal_a';
SELECT priority, account_key, round(score::numeric, 1) AS score, tier, round(value_at_risk::numeric) AS value_at_risk,
       round(churn_probability::numeric, 3) AS churn_probability, round(expected_loss::numeric) AS expected_loss
FROM healthscore.risk_list WHERE model = 'cal_a' ORDER BY priority LIMIT 3;
-- a change of the model makes the calibration stale: no probability, a note, until calibrate again
SELECT healthscore.set_weight('cal_a', 'usage', 30);
SELECT healthscore.refresh('cal_a', '2026-08-02') IS NOT NULL AS refreshed;
SELECT count(churn_probability) AS with_probability, min(probability_note) AS note
FROM healthscore.current_scores WHERE model = 'cal_a';
SELECT * FROM error_of($$SELECT * FROM healthscore.calibration('cal_a', known_until => '2026-09-01')$$);
SELECT count(*) AS stale_calibrations_in_view FROM healthscore.model_calibration WHERE model = 'cal_a';
-- back to the calibrated definition: probabilities again
SELECT healthscore.set_weight('cal_a', 'usage', 25);
SELECT healthscore.refresh('cal_a', '2026-08-03') IS NOT NULL AS refreshed;
SELECT count(churn_probability) AS with_probability FROM healthscore.current_scores WHERE model = 'cal_a';
SELECT count(*) AS deciles, bool_and(test_runs > 0) AS measured FROM healthscore.model_calibration WHERE model = 'cal_a';
DELETE FROM cal.metrics WHERE account_id = 601;
DELETE FROM cal.accounts WHERE account_id = 601;

-- compare_models on the 9 runs both have: each AUC equals the mean of evaluate()'s, a is strictly
-- better (the interval is above 0), the interval is seeded
SELECT measure, tier_rank, tier_a, tier_b, round(value_a::numeric, 4) AS value_a, round(value_b::numeric, 4) AS value_b,
       round(difference::numeric, 4) AS difference, round(ci_low::numeric, 3) AS ci_low, round(ci_high::numeric, 3) AS ci_high, runs, rows_a, rows_b, churned_a, churned_b, accounts
FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01');
SELECT abs(c.value_a - (SELECT avg(auc) FROM healthscore.evaluate('cal_a', '60 days', '2026-09-01'))) < 1e-12 AS auc_a_is_evaluate,
       abs(c.value_b - (SELECT avg(auc) FROM healthscore.evaluate('cal_b', '60 days', '2026-09-01'))) < 1e-12 AS auc_b_is_evaluate,
       abs(c.difference - (c.value_a - c.value_b)) < 1e-12 AS difference_is_a_minus_b,
       c.ci_low < c.difference AND c.difference < c.ci_high AS interval_around_difference,
       (SELECT ci_low FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01', seed => 7) WHERE measure = 'auc')
           <> c.ci_low AS seed_matters,
       (SELECT ci_low FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01') WHERE measure = 'auc')
           = c.ci_low AS seed_repeats
FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01') AS c WHERE c.measure = 'auc';
SELECT abs(c.value_a - (SELECT avg(lift_worst_tier) FROM healthscore.evaluate('cal_a', '60 days', '2026-09-01'))) < 1e-12
           AS lift_a_is_evaluate
FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01') AS c WHERE c.measure = 'lift_worst_tier';
-- churn by tier equals evaluate_tiers summed over the runs
SELECT bool_and(c.rows_a = t.accounts AND c.churned_a = t.churned) AS churn_by_tier_is_evaluate_tiers
FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01') AS c
JOIN (SELECT tier_rank, sum(accounts) AS accounts, sum(churned) AS churned
      FROM healthscore.evaluate_tiers('cal_a', '60 days', '2026-09-01') GROUP BY tier_rank) AS t USING (tier_rank)
WHERE c.measure = 'churn_rate';
-- a model against a copy of itself: no difference, an interval of width 0
SELECT healthscore.create_model('cal_copy', accounts => 'cal.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('cal_copy', s, source => 'cal.metrics', key => 'account_id', expression => 'max(s.' || s || ')',
                              scoring => 'linear', worst => w, best => b, weight => 25)
FROM (VALUES ('usage', 0, 100), ('tickets', 10, 0)) AS v(s, w, b);
SELECT healthscore.set_outcomes('cal_copy', 'cal.churn', key => 'account_id', churned_on => 'churned_on');
SET client_min_messages = warning;
SELECT count(*) AS runs FROM healthscore.backfill('cal_copy', since => '2026-03-01', until => '2026-04-26', step => '1 week');
RESET client_min_messages;
SELECT difference, ci_low, ci_high FROM healthscore.compare_models('cal_a', 'cal_copy', '60 days', '2026-09-01') WHERE measure = 'auc';
-- the bootstrap's own checks
SELECT * FROM error_of($$SELECT healthscore_internal.paired_auc_bootstrap('{1,2}', '{1}', '{1,2}', '{1,2}', '{t,f}', 100, 0)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.paired_auc_bootstrap('{0,1}', '{1,2}', '{1,2}', '{1,2}', '{t,f}', 100, 0)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.paired_auc_bootstrap('{1,1}', '{1,2}', '{1,NULL}', '{1,2}', '{t,f}', 100, 0)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.paired_auc_bootstrap('{1,1}', '{1,2}', '{1,NaN}', '{1,2}', '{t,f}', 100, 0)$$);
-- three accounts, one run, a ranks them right and b wrong: the difference is 1 in every resample
-- that has a churned and a retained account (the others are left out)
SELECT healthscore_internal.paired_auc_bootstrap('{1,1,1}', '{1,2,3}', '{10,90,80}', '{90,10,20}', '{t,f,f}', 1000, 0)
    AS three_accounts;
SELECT * FROM error_of($$SELECT * FROM healthscore.compare_models('cal_a', 'cal_a')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.compare_models('cal_a', 'cal_b', samples => 5)$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-03-02')$$);
-- views for BI: the same numbers for every pair (90 days, known until now)
SELECT model_a, model_b, count(*) AS measures FROM healthscore.model_comparisons
WHERE model_a LIKE 'cal%' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT bool_and(v.value_a IS NOT DISTINCT FROM c.value_a AND v.ci_low IS NOT DISTINCT FROM c.ci_low) AS view_is_function
FROM healthscore.model_comparisons AS v
JOIN healthscore.compare_models('cal_a', 'cal_b') AS c ON c.measure = v.measure AND c.tier_rank IS NOT DISTINCT FROM v.tier_rank
WHERE v.model_a = 'cal_a' AND v.model_b = 'cal_b';

-- the tier agreement matrix at the latest time both have: it adds up to the accounts scored
SELECT scored_at, tier_a, tier_b, accounts, moves FROM healthscore.tier_agreement('cal_a', 'cal_b') ORDER BY tier_rank_a, tier_rank_b;
SELECT sum(accounts) = (SELECT count(*) FROM healthscore.scores AS s JOIN healthscore.runs AS r USING (run_id)
                        WHERE r.model = 'cal_a' AND r.as_of = '2026-04-26') AS adds_up
FROM healthscore.tier_agreement('cal_a', 'cal_b');
SELECT * FROM error_of($$SELECT * FROM healthscore.tier_agreement('cal_a', 'cal_b', '2026-01-01')$$);
SELECT count(*) > 0 AS in_view FROM healthscore.model_tier_agreement WHERE model_a = 'cal_a' AND model_b = 'cal_b';

-- preview: other weights and cutoffs, without writing history or changing the model
SELECT healthscore.fingerprint('cal_a') AS fingerprint_before, (SELECT count(*) FROM healthscore.runs) AS runs_before \gset
CREATE TEMP TABLE cal_preview AS
SELECT * FROM healthscore.preview_accounts('cal_a', weights => '{"usage": 75}', tier_cutoffs => '{45,75}', as_of => '2026-05-03');
SELECT healthscore.fingerprint('cal_a') = :'fingerprint_before' AS model_unchanged,
       (SELECT count(*) FROM healthscore.runs) = :runs_before AS no_run_written,
       count(*) AS accounts, count(*) FILTER (WHERE tier_changes) AS changing_tier
FROM cal_preview;
-- the same settings for real, in a transaction rolled back: equal scores and tiers, bit for bit
BEGIN;
SELECT healthscore.refresh('cal_a', '2026-05-03') AS current_run \gset
SELECT healthscore.set_weight('cal_a', 'usage', 75);
SELECT healthscore.alter_model('cal_a', tier_cutoffs => '{45,75}');
SELECT healthscore.refresh('cal_a', '2026-05-03') AS preview_run \gset
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE p.current_score IS DISTINCT FROM now_run.score OR p.current_tier IS DISTINCT FROM now_run.tier)
           AS current_differs,
       count(*) FILTER (WHERE p.preview_score IS DISTINCT FROM new_run.score OR p.preview_tier IS DISTINCT FROM new_run.tier)
           AS preview_differs
FROM cal_preview AS p
JOIN healthscore.scores AS now_run ON now_run.run_id = :current_run AND now_run.account_key = p.account_key
JOIN healthscore.scores AS new_run ON new_run.run_id = :preview_run AND new_run.account_key = p.account_key;
ROLLBACK;
-- a weight of 0 (what suggest_weights gives a signal that predicts the wrong way) is raised to
-- min_share of the total, as apply_weights does: here 1% of 50
BEGIN;
CREATE TEMP TABLE cal_zero AS SELECT * FROM healthscore.preview_accounts('cal_a', weights => '{"tickets": 0}', as_of => '2026-05-03');
SELECT healthscore.set_weight('cal_a', 'tickets', 0.5);
SELECT healthscore.refresh('cal_a', '2026-05-03') AS zero_run \gset
SELECT count(*) AS accounts, count(*) FILTER (WHERE z.preview_score IS DISTINCT FROM s.score) AS differs
FROM cal_zero AS z JOIN healthscore.scores AS s ON s.run_id = :zero_run AND s.account_key = z.account_key;
ROLLBACK;
SELECT * FROM error_of($$SELECT * FROM healthscore.preview('cal_a', weights => '{"usage": 1}', min_share => 1)$$);
-- the summary per tier, and the history rescored: the current AUC is evaluate()'s, the preview's
-- equals the AUC of scores recomputed here from the stored points
SELECT tier_rank, tier, accounts_current, accounts_preview, moving_in, moving_out, history_runs, history_rows
FROM healthscore.preview('cal_a', weights => '{"usage": 75}', tier_cutoffs => '{45,75}', as_of => '2026-05-03',
                         horizon => '60 days', known_until => '2026-09-01');
SELECT bool_and(p.accounts_preview = x.accounts) AS tiers_match_accounts,
       bool_and(abs(p.auc_current - (SELECT avg(auc) FROM healthscore.evaluate('cal_a', '60 days', '2026-09-01'))) < 1e-12)
           AS auc_current_is_evaluate,
       bool_and(abs(p.auc_preview - (
           SELECT avg(a) FROM (SELECT healthscore.auc((75 * s.points[1] + 25 * s.points[2]) / 100, r.churned) AS a
                               FROM cal_rows AS r JOIN healthscore.scores AS s USING (run_id, account_key)
                               GROUP BY r.run_id) AS per_run)) < 1e-12) AS auc_preview_recomputed,
       round(min(p.auc_current)::numeric, 4) AS auc_current, round(min(p.auc_preview)::numeric, 4) AS auc_preview,
       round(min(p.lift_current)::numeric, 3) AS lift_current, round(min(p.lift_preview)::numeric, 3) AS lift_preview
FROM healthscore.preview('cal_a', weights => '{"usage": 75}', tier_cutoffs => '{45,75}', as_of => '2026-05-03',
                         horizon => '60 days', known_until => '2026-09-01') AS p
JOIN (SELECT preview_tier, count(*) AS accounts FROM cal_preview GROUP BY 1) AS x ON x.preview_tier = p.tier;
-- suggest_weights' output fed straight in
SELECT count(*) AS tiers FROM healthscore.preview('cal_a', weights => (
    SELECT jsonb_object_agg(signal, suggested_weight) FROM healthscore.suggest_weights('cal_a', '60 days', '2026-09-01')),
    as_of => '2026-05-03');
SELECT * FROM error_of($$SELECT * FROM healthscore.preview('cal_a', weights => '[1]')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.preview('cal_a', weights => '{"usage": "heavy"}')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.preview('cal_a', weights => '{"nope": 1}')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.preview('cal_a', tier_cutoffs => '{80,20}')$$);
SELECT healthscore.fingerprint('cal_a') = :'fingerprint_before' AS still_unchanged;

-- readers see only their accounts: the comparison counts the visible ones
CREATE ROLE cal_reader;
SELECT healthscore.grant_reader('cal_reader');
GRANT USAGE ON SCHEMA cal TO cal_reader;
GRANT SELECT ON cal.accounts, cal.churn TO cal_reader;
ALTER TABLE cal.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY half ON cal.accounts FOR SELECT TO cal_reader USING (account_id <= 300);
SELECT count(*) AS visible_held_out FROM cal_rows WHERE run_number > 6 AND account_key::integer <= 300 \gset
SET ROLE cal_reader;
SELECT accounts FROM healthscore.compare_models('cal_a', 'cal_b', '60 days', '2026-09-01') WHERE measure = 'auc';
SELECT sum(accounts) AS agreement_accounts FROM healthscore.tier_agreement('cal_a', 'cal_b');
SELECT sum(rows) = :visible_held_out AS calibration_rows_visible
FROM healthscore.calibration('cal_a', known_until => '2026-09-01');
SELECT * FROM error_of($$SELECT healthscore.calibrate('cal_a')$$);
RESET ROLE;
DROP POLICY half ON cal.accounts;
ALTER TABLE cal.accounts DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON SCHEMA cal FROM cal_reader;
REVOKE ALL ON cal.accounts, cal.churn FROM cal_reader;

-- dropping a model drops its calibration
SELECT healthscore.drop_model(m) FROM (VALUES ('cal_a'), ('cal_b'), ('cal_copy')) AS v(m);
SELECT count(*) AS calibrations_left FROM healthscore.calibrations;
DROP OWNED BY cal_reader;
DROP ROLE cal_reader;
DROP SCHEMA cal CASCADE;

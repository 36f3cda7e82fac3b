-- Validation: evaluate, suggest_weights and apply_weights end to end on a small dataset with planted
-- churn drivers; outcomes read as the model's author; forced parallel mode.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
\ir sql/include/mann_whitney.sql

-- evaluate, suggest_weights and apply_weights on accounts with planted churn drivers:
-- usage and tickets drive churn, noise does not, contrarian points the wrong way
CREATE SCHEMA val;
CREATE TABLE val.accounts (account_id integer PRIMARY KEY, arr numeric);
CREATE TABLE val.metrics (account_id integer, usage float8, tickets float8, noise float8, contrarian float8);
CREATE TABLE val.churn (account_id integer PRIMARY KEY, churned_on date, reason text);
INSERT INTO val.accounts SELECT a, 1000 + a FROM generate_series(1, 600) AS a;
WITH latent AS (SELECT a, (pg_catalog.hashint8extended(a, 1) & 1048575) / 1048576.0 AS h,
                       (pg_catalog.hashint8extended(a, 2) & 1048575) / 1048576.0 AS u1,
                       (pg_catalog.hashint8extended(a, 3) & 1048575) / 1048576.0 AS u2,
                       (pg_catalog.hashint8extended(a, 4) & 1048575) / 1048576.0 AS u3,
                       (pg_catalog.hashint8extended(a, 5) & 1048575) / 1048576.0 AS u4,
                       (pg_catalog.hashint8extended(a, 6) & 1048575) / 1048576.0 AS u5
                FROM generate_series(1, 600) AS a)
INSERT INTO val.metrics SELECT a, 100 * (0.6 * h + 0.4 * u1), 10 * (0.6 * (1 - h) + 0.4 * u2), 100 * u3,
                               100 * (0.5 * (1 - h) + 0.5 * u4)
FROM latent;
INSERT INTO val.churn
SELECT a, date '2026-03-01' + (10 + (pg_catalog.hashint8extended(a, 7) & 127))::integer, 'low usage'
FROM (SELECT a, (pg_catalog.hashint8extended(a, 1) & 1048575) / 1048576.0 AS h,
             (pg_catalog.hashint8extended(a, 8) & 1048575) / 1048576.0 AS u
      FROM generate_series(1, 600) AS a) AS x
WHERE u < 0.7 * (1 - h) ^ 2;
SELECT healthscore.create_model('val', accounts => 'val.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('val', s, source => 'val.metrics', key => 'account_id', expression => 'max(s.' || s || ')',
                              scoring => 'linear', worst => w, best => b, weight => 25)
FROM (VALUES ('usage', 0, 100), ('tickets', 10, 0), ('noise', 0, 100), ('contrarian', 0, 100)) AS v(s, w, b);
SELECT * FROM error_of($$SELECT * FROM healthscore.evaluate('val')$$);
SELECT healthscore.set_outcomes('val', 'val.churn', key => 'account_id', churned_on => 'churned_on', reason => 'reason');
SET client_min_messages = warning;	-- the NOTICE per step names run ids that depend on earlier suites
SELECT count(*) AS runs FROM healthscore.backfill('val', since => '2026-03-01', until => '2026-04-26', step => '1 week');
RESET client_min_messages;
SELECT run_id - min(run_id) OVER () + 1 AS run, as_of, horizon, accounts, churned, round(churn_rate::numeric, 4) AS churn_rate,
       round(auc::numeric, 4) AS auc, worst_tier, round(worst_tier_churn_rate::numeric, 4) AS worst_rate, best_tier,
       round(best_tier_churn_rate::numeric, 4) AS best_rate, round(lift_worst_tier::numeric, 2) AS lift, churn_falls_by_tier
FROM healthscore.evaluate('val', horizon => '60 days', known_until => '2026-09-01');
-- the AUC equals the reference computed from the scores and outcomes directly (first run)
SELECT abs(e.auc - mann_whitney_auc(format(
         $q$SELECT s.score, c.churned_on IS NOT NULL AND c.churned_on <= date '%s' + 60
            FROM healthscore.scores AS s LEFT JOIN val.churn AS c ON c.account_id::text = s.account_key
            WHERE s.run_id = %s AND (c.churned_on IS NULL OR c.churned_on > date '%s')$q$,
         e.as_of::date, e.run_id, e.as_of::date))) < 1e-12 AS auc_matches_reference
FROM healthscore.evaluate('val', '60 days', '2026-09-01') AS e ORDER BY e.run_id LIMIT 1;
SELECT tier_rank, tier, sum(accounts) AS accounts, sum(churned) AS churned
FROM healthscore.evaluate_tiers('val', '60 days', '2026-09-01') GROUP BY tier_rank, tier ORDER BY tier_rank;
-- runs without a full horizon of known outcomes are not evaluated
SELECT count(*) AS evaluable_runs FROM healthscore.evaluate('val', '60 days', '2026-05-15');
SELECT signal, current_weight, round(suggested_weight::numeric, 1) AS suggested_weight, wrong_direction, note,
       round(signal_auc::numeric, 3) AS signal_auc, round(model_auc_current::numeric, 3) AS auc_current,
       round(model_auc_suggested::numeric, 3) AS auc_suggested, fit_runs, test_runs
FROM healthscore.suggest_weights('val', '60 days', '2026-09-01');
-- the planted drivers come first, the wrong-way signal gets nothing, and the suggestion beats the current weights
SELECT (array_agg(signal ORDER BY suggested_weight DESC))[1:2] @> ARRAY['usage', 'tickets'] AS drivers_first,
       bool_and(suggested_weight = 0) FILTER (WHERE signal = 'contrarian') AS contrarian_zero,
       min(model_auc_suggested) > min(model_auc_current) AS suggestion_better
FROM healthscore.suggest_weights('val', '60 days', '2026-09-01');
SELECT healthscore.fingerprint('val') AS before_apply \gset
SELECT signal, old_weight, round(new_weight::numeric, 1) AS new_weight
FROM healthscore.apply_weights('val', '60 days', '2026-09-01') ORDER BY signal;
SELECT healthscore.fingerprint('val') <> :'before_apply' AS fingerprint_changed;
-- a signal whose points never vary over the fitted rows (an assessment nobody rated, here a
-- constant) cannot be weighed: the error names it and says how to leave it out, which then works
-- and keeps its weight
SELECT healthscore.create_model('val_rare', accounts => 'val.accounts', key => 'account_id');
SELECT healthscore.add_signal('val_rare', s, source => 'val.metrics', key => 'account_id', expression => e,
                              scoring => 'linear', worst => 0, best => 100, weight => 25)
FROM (VALUES ('usage', 'max(s.usage)'), ('rated', 'max(50)'), ('noise', 'max(s.noise)')) AS v(s, e);
SELECT healthscore.set_outcomes('val_rare', 'val.churn', key => 'account_id', churned_on => 'churned_on');
SET client_min_messages = warning;
SELECT count(*) AS runs FROM healthscore.backfill('val_rare', since => '2026-03-01', until => '2026-04-26', step => '1 week');
RESET client_min_messages;
SELECT * FROM error_of($$SELECT * FROM healthscore.suggest_weights('val_rare', '60 days', '2026-09-01')$$);
SELECT signal, current_weight, round(suggested_weight::numeric, 1) AS suggested_weight, note
FROM healthscore.suggest_weights('val_rare', '60 days', '2026-09-01', exclude => '{rated}');
SELECT signal, old_weight, round(new_weight::numeric, 1) AS new_weight
FROM healthscore.apply_weights('val_rare', '60 days', '2026-09-01', exclude => '{rated}') ORDER BY signal;
SELECT name, weight FROM healthscore.signals WHERE model = 'val_rare' AND name = 'rated';
SELECT * FROM error_of($$SELECT * FROM healthscore.suggest_weights('val_rare', '60 days', '2026-09-01', exclude => '{nope}')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.suggest_weights('val_rare', '60 days', '2026-09-01', exclude => '{usage,rated,noise}')$$);
SELECT healthscore.drop_model('val_rare');
-- with group weights, suggestions are effective weights (a signal's weight when its whole group
-- is present: group weight x weight / group's summed weight), and apply_weights maps them back:
-- signals get their suggestions, groups the sum of their signals' new weights (an excluded signal
-- keeps its effective weight), so that the effective weights become the suggestions
SELECT healthscore.create_model('val_grouped', accounts => 'val.accounts', key => 'account_id');
SELECT healthscore.add_signal('val_grouped', s, source => 'val.metrics', key => 'account_id', expression => 'max(s.' || s || ')',
                              scoring => 'linear', worst => w, best => b, weight => 25, category => c)
FROM (VALUES ('usage', 0, 100, 'usage'), ('tickets', 10, 0, 'support'), ('noise', 0, 100, 'usage'),
             ('contrarian', 0, 100, 'support')) AS v(s, w, b, c);
SELECT healthscore.set_group_weight('val_grouped', 'usage', 3), healthscore.set_group_weight('val_grouped', 'support', 1);
SELECT healthscore.set_outcomes('val_grouped', 'val.churn', key => 'account_id', churned_on => 'churned_on');
SET client_min_messages = warning;
SELECT count(*) AS runs FROM healthscore.backfill('val_grouped', since => '2026-03-01', until => '2026-04-26', step => '1 week');
RESET client_min_messages;
SELECT signal, current_weight, round(suggested_weight::numeric, 3) AS suggested_weight, note
FROM healthscore.suggest_weights('val_grouped', '60 days', '2026-09-01', exclude => '{noise}') ORDER BY signal;
CREATE TEMP TABLE val_applied AS
SELECT * FROM healthscore.apply_weights('val_grouped', '60 days', '2026-09-01', exclude => '{noise}');
SELECT signal, old_weight, round(new_weight::numeric, 3) AS new_weight FROM val_applied ORDER BY signal;
SELECT group_weights FROM healthscore.models WHERE name = 'val_grouped' \gset
SELECT round((:'group_weights'::jsonb ->> 'usage')::numeric, 3) AS usage_group,
       round((:'group_weights'::jsonb ->> 'support')::numeric, 3) AS support_group;
-- with every signal present, each effective weight is now the suggestion (the excluded one's is 1.5)
SELECT s.name, round(e.weight::numeric, 3) AS effective_weight,
       abs(e.weight - coalesce(a.new_weight, 1.5)) < 1e-12 AS as_suggested
FROM unnest(healthscore_internal.full_group_weights('val_grouped',
              (SELECT array_agg(x.weight ORDER BY x.position) FROM healthscore.signals AS x WHERE x.model = 'val_grouped')))
       WITH ORDINALITY AS e(weight, n)
JOIN healthscore.signals AS s ON s.model = 'val_grouped' AND s.position = e.n
LEFT JOIN val_applied AS a ON a.signal = s.name
ORDER BY s.name;
DROP TABLE val_applied;
SELECT healthscore.drop_model('val_grouped');
SELECT * FROM error_of($$SELECT * FROM healthscore.suggest_weights('val', '60 days', '2026-03-02')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.evaluate('val', '-1 day')$$);
SELECT * FROM error_of($$SELECT healthscore.set_outcomes('val', 'val.churn', key => 'account_id', churned_on => 'reason')$$);
SELECT reason, owners FROM healthscore.churn_reasons ORDER BY reason;
SELECT count(*) AS accuracy_rows FROM healthscore.model_accuracy WHERE model = 'val';
-- in parallel mode too: the functions that read outcomes pin the model's time zone with
-- set_config(), which a parallel operation refuses, so they are PARALLEL UNSAFE (found by sqlsmith)
SET force_parallel_mode = on;
SELECT count(*) AS accuracy_rows_forced_parallel FROM healthscore.model_accuracy WHERE model = 'val';
SELECT count(*) > 0 AS evaluated_forced_parallel FROM healthscore.evaluate('val', '90 days', '2030-01-01');
RESET force_parallel_mode;
SELECT healthscore.drop_model('val');
DROP SCHEMA val CASCADE;
DROP FUNCTION mann_whitney_auc(text);

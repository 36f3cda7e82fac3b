-- Validation: auc and logistic_fit against references, and evaluate / suggest_weights /
-- apply_weights end to end on a small dataset with planted churn drivers.
SET TimeZone = 'UTC';

-- auc against a rank-based reference: Mann-Whitney U with average ranks for ties
CREATE FUNCTION mann_whitney_auc(score_query text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE result float8;
BEGIN
	EXECUTE format($q$
		WITH ranked AS (SELECT churned, rank() OVER w + (count(*) OVER p - 1) / 2.0 AS mid_rank
		                FROM (%s) AS q(score, churned) WHERE score IS NOT NULL AND churned IS NOT NULL
		                WINDOW w AS (ORDER BY score), p AS (PARTITION BY score))
		SELECT (sum(mid_rank) FILTER (WHERE NOT churned)
		        - count(*) FILTER (WHERE NOT churned) * (count(*) FILTER (WHERE NOT churned) + 1) / 2.0)
		       / (count(*) FILTER (WHERE NOT churned) * count(*) FILTER (WHERE churned))
		FROM ranked$q$, score_query) INTO result;
	RETURN result;
END $$;
-- 37 distinct scores over 5,000 rows: many ties; low scores churn more often
CREATE TABLE auc_data AS
SELECT i, (i * 7919 % 37)::float8 AS score,
       (i * 104729 % 100) < CASE WHEN i * 7919 % 37 < 12 THEN 45 ELSE 20 END AS churned
FROM generate_series(1, 5000) AS i;
SELECT round(healthscore.auc(score, churned)::numeric, 12) AS auc,
       abs(healthscore.auc(score, churned) - mann_whitney_auc('SELECT score, churned FROM auc_data')) < 1e-12
         AS equals_reference
FROM auc_data;
SELECT count(*) AS groups, count(*) FILTER (WHERE abs(a - mann_whitney_auc(
         format('SELECT score, churned FROM auc_data WHERE i %% 4 = %s', g))) < 1e-12) AS equal_to_reference
FROM (SELECT i % 4 AS g, healthscore.auc(score, churned) AS a FROM auc_data GROUP BY 1) AS per_group;
-- exact small cases: perfect, reversed, all tied, ties counting one half
SELECT healthscore.auc(s, c) AS perfect FROM (VALUES (1, true), (2, true), (3, false), (4, false)) AS x(s, c);
SELECT healthscore.auc(s, c) AS reversed FROM (VALUES (1, false), (2, false), (3, true), (4, true)) AS x(s, c);
SELECT healthscore.auc(s, c) AS all_tied FROM (VALUES (5, false), (5, true), (5, true)) AS x(s, c);
SELECT healthscore.auc(s, c) AS seven_eighths FROM (VALUES (1, true), (2, false), (2, true), (3, false)) AS x(s, c);
-- infinities order like numbers; NULL rows are skipped; one class empty or no rows: NULL
SELECT healthscore.auc(s, c) AS with_infinity FROM (VALUES ('-infinity'::float8, true), ('infinity', false)) AS x(s, c);
SELECT healthscore.auc(s, c) AS nulls_skipped FROM (VALUES (1, true), (NULL, false), (2, NULL), (3, false)) AS x(s, c);
SELECT healthscore.auc(s, c) IS NULL AS only_churned FROM (VALUES (1, true), (2, true)) AS x(s, c);
SELECT healthscore.auc(s, c) IS NULL AS only_retained FROM (VALUES (1, false)) AS x(s, c);
SELECT healthscore.auc(score, churned) IS NULL AS no_rows FROM auc_data WHERE false;
SELECT * FROM error_of($$SELECT healthscore.auc('nan', true)$$);
-- a forced parallel plan (serialize, deserialize, combine) gives the same exact value
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE auc_big AS SELECT i, (i::bigint * 7919 % 1009)::float8 / 10 AS score, (i::bigint * 104729 % 7) = 0 AS churned
FROM generate_series(1, 200000) AS i;
ANALYZE auc_big;
EXPLAIN (COSTS OFF) SELECT healthscore.auc(score, churned) FROM auc_big;
SELECT healthscore.auc(score, churned) = mann_whitney_auc('SELECT score, churned FROM auc_big') AS parallel_equals_reference
FROM auc_big;
SET parallel_leader_participation = off;
SELECT healthscore.auc(score, churned) = mann_whitney_auc('SELECT score, churned FROM auc_big WHERE i <= 150')
       AS worker_without_rows_ok
FROM auc_big WHERE i <= 150;
RESET ALL;
SET TimeZone = 'UTC';
DROP TABLE auc_big;

-- logistic_fit against R's glm(binomial) on the committed dataset (test/generators/logistic_*)
CREATE TABLE logistic_data (y integer, x1 float8, x2 float8, x3 float8);
\copy logistic_data FROM 'test/data/logistic_data.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE logistic_reference (term text, coefficient float8, std_error float8);
\copy logistic_reference FROM 'test/data/logistic_reference.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE fit AS
SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1, x2, x3])).* FROM logistic_data;
SELECT rows, iterations, converged, round(log_likelihood::numeric, 6) AS log_likelihood FROM fit;
SELECT r.term, round(f.coefficient::numeric, 6) AS coefficient, round(f.std_error::numeric, 6) AS std_error,
       abs(f.coefficient / r.coefficient - 1) < 1e-6 AS coefficient_matches_r,
       abs(f.std_error / r.std_error - 1) < 1e-6 AS std_error_matches_r
FROM logistic_reference AS r
JOIN (SELECT u.term, c.coefficient, s.std_error
      FROM fit, unnest(ARRAY['intercept', 'x1', 'x2', 'x3']) WITH ORDINALITY AS u(term, n)
      CROSS JOIN LATERAL (SELECT fit.coefficients[u.n] AS coefficient) AS c
      CROSS JOIN LATERAL (SELECT fit.std_errors[u.n] AS std_error) AS s) AS f USING (term)
ORDER BY r.term;
SELECT abs(f.log_likelihood / r.coefficient - 1) < 1e-9 AS log_likelihood_matches_r
FROM fit AS f, logistic_reference AS r WHERE r.term = 'loglik';
-- parallel fit equals serial to the last digits that matter
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT abs(p.coefficients[2] / f.coefficients[2] - 1) < 1e-9 AS parallel_equals_serial
FROM fit AS f, (SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1, x2, x3])).* FROM logistic_data) AS p;
RESET ALL;
SET TimeZone = 'UTC';
-- intercept only: the log-odds of the outcome
SELECT round(coefficients[1]::numeric, 9) = round(ln(avg(y) / (1 - avg(y)))::numeric, 9) AS intercept_is_log_odds
FROM (SELECT (healthscore.logistic_fit(y = 1, '{}')).* FROM logistic_data) AS f, logistic_data GROUP BY coefficients;
-- what makes a fit meaningless is an error
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(x1 > 0, ARRAY[x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, ARRAY[x1, 2 * x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, ARRAY[x1, 3.0]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY[x1]) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y = 1, CASE WHEN y = 1 THEN ARRAY[x1] ELSE ARRAY[x1, x2] END) FROM logistic_data$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY[NULL::float8])$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, ARRAY['nan'::float8])$$);
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(true, '{{1},{2}}'::float8[])$$);
SELECT healthscore.logistic_fit(y = 1, ARRAY[x1]) IS NULL AS no_rows FROM logistic_data WHERE false;
-- quasi-separation (x = 0, 1, 1, 2 with y = 0, 0, 1, 1) is separation too, not collinearity
SELECT * FROM error_of($$SELECT healthscore.logistic_fit(y, ARRAY[x]) FROM (VALUES (false, 0.0::float8), (false, 1), (true, 1), (true, 2)) AS t(y, x)$$);
-- one legitimately extreme row is no separation: the fit converges, with a warning as R gives
SELECT round(coefficients[2]::numeric, 3) AS slope, converged
FROM (SELECT (healthscore.logistic_fit(y = 1, ARRAY[x1])).*
      FROM (SELECT y, x1 FROM logistic_data UNION ALL SELECT 1, 60) AS with_extreme) AS f;

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
DROP TABLE auc_data, logistic_data, logistic_reference;

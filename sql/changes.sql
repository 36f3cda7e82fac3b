-- Scores that move for a reason: the trend over a window, tiers with hysteresis, what changed per
-- signal (score_changes, why_changed), one account's story, alter_model, tier ranks. The scores
-- are set by hand: a points signal reads each account's points of the day.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA chg;
CREATE TABLE chg.accounts (account_id integer PRIMARY KEY);
INSERT INTO chg.accounts SELECT generate_series(1, 4);
-- day d (1..12 of July 2026): account 1 falls 2 points a day from 60; account 2 wavers around the
-- cutoff 40 (41, 39, 42, 38, ...); account 3 holds 80; account 4 has usage (90) only on the last day
CREATE TABLE chg.daily (account_id integer, day date, points float8, usage float8);
INSERT INTO chg.daily
SELECT a, date '2026-07-01' + d - 1,
       CASE a WHEN 1 THEN 60 - 2 * (d - 1) WHEN 2 THEN 40 + CASE WHEN d % 2 = 1 THEN 1 + d % 3 ELSE -1 - d % 3 END
              WHEN 3 THEN 80 ELSE 50 END,
       CASE WHEN a <> 4 THEN 60 WHEN d = 12 THEN 90 END
FROM generate_series(1, 4) AS a, generate_series(1, 12) AS d;

SELECT healthscore.create_model('chg', accounts => 'chg.accounts', key => 'account_id',
       trend_window => '7 days', trend_threshold => 5, tier_hysteresis => 5);
SELECT healthscore.add_signal('chg', 'points', source => 'chg.daily', key => 'account_id', expression => 'max(s.points)',
       time_column => 'day', lookback => '1 day', scoring => 'points', weight => 3);
SELECT healthscore.add_signal('chg', 'usage', source => 'chg.daily', key => 'account_id', expression => 'max(s.usage)',
       time_column => 'day', lookback => '1 day', scoring => 'linear', worst => 0, best => 120, weight => 1);
-- a copy without hysteresis, to compare tiers with
SELECT healthscore.create_model('chg_plain', accounts => 'chg.accounts', key => 'account_id',
       trend_window => '7 days', trend_threshold => 5, tier_hysteresis => 0);
SELECT healthscore.add_signal('chg_plain', 'points', source => 'chg.daily', key => 'account_id', expression => 'max(s.points)',
       time_column => 'day', lookback => '1 day', scoring => 'points', weight => 3);
SET client_min_messages = warning;
SELECT count(*) AS runs FROM unnest('{chg,chg_plain}'::text[]) AS m,
       healthscore.backfill(m, '2026-07-01 12:00', '2026-07-12 12:00', '1 day');
RESET client_min_messages;

-- 1. The trend over the window: account 1 loses 2 points a day (1.5 of the score), so the day-to-day
-- change never reaches the threshold of 5, but the change over 7 days does
SELECT account_key, round(score::numeric, 2) AS score, round(change::numeric, 2) AS change,
       round(window_start_score::numeric, 2) AS window_start_score, round(window_change::numeric, 2) AS window_change,
       trend, tier, tier_rank
FROM healthscore.current_scores WHERE model = 'chg' ORDER BY account_key;
-- never flat while the score moved by the threshold over the window, checked against score_history
-- (the latest run at or before as_of - trend_window, found independently)
SELECT count(*) AS accounts, count(*) FILTER (WHERE c.trend = 'flat' AND abs(c.score - h.score) >= 5) AS flat_but_moved,
       count(*) FILTER (WHERE c.trend <> 'new' AND abs(c.window_start_score - h.score) > 1e-9) AS wrong_baseline
FROM healthscore.current_scores AS c
JOIN LATERAL (SELECT x.score FROM healthscore.score_history AS x
              WHERE x.model = c.model AND x.account_key = c.account_key AND x.as_of <= c.scored_at - interval '7 days'
              ORDER BY x.as_of DESC LIMIT 1) AS h ON true
WHERE c.model = 'chg';
-- within the first 7 days there is no run that old: new
SELECT trend, count(*) FROM healthscore.account_story('chg', '1') GROUP BY trend ORDER BY trend;

-- 2. Hysteresis: account 2 wavers around 40 and keeps its tier, unless it passes the cutoff by more
-- than 3 points; the same account without hysteresis flips every day
SELECT h.as_of::date AS day, round(h.score::numeric, 2) AS score, h.tier AS with_hysteresis, p.tier AS without
FROM healthscore.score_history AS h
JOIN healthscore.score_history AS p ON p.model = 'chg_plain' AND p.account_key = h.account_key AND p.as_of = h.as_of
WHERE h.model = 'chg' AND h.account_key = '2' ORDER BY h.as_of;
SELECT model, count(*) AS tier_changes FROM healthscore.tier_changes WHERE model LIKE 'chg%' GROUP BY model ORDER BY model;
SELECT account_key, computed_tier, tier_without_hysteresis FROM healthscore.current_scores
WHERE model = 'chg' ORDER BY account_key;
-- the function itself: up only past cutoff + hysteresis, down only past cutoff - hysteresis
SELECT s AS score, healthscore_internal.tier_with_hysteresis(s, 'red', 3, '{40,70}', '{red,yellow,green}') AS from_red,
       healthscore_internal.tier_with_hysteresis(s, 'yellow', 3, '{40,70}', '{red,yellow,green}') AS from_yellow,
       healthscore_internal.tier_with_hysteresis(s, 'green', 3, '{40,70}', '{red,yellow,green}') AS from_green,
       healthscore_internal.tier_with_hysteresis(s, 'unknown', 3, '{40,70}', '{red,yellow,green}') AS from_unknown
FROM unnest('{36.9,37,39,40,43,43.1,66.9,67,73,73.1,90}'::float8[]) AS s;
SELECT * FROM error_of($$SELECT healthscore_internal.tier_with_hysteresis(50, 'red', -1, '{40,70}', '{red,yellow,green}')$$);
-- a backfill into the past writes its own tiers from the run before it; runs written later keep
-- theirs (a refresh never rewrites history), and the next run continues from the latest one
SELECT tier AS tier_before FROM healthscore.score_history WHERE model = 'chg' AND account_key = '2' AND as_of = '2026-07-12 12:00';
DELETE FROM healthscore.runs WHERE model = 'chg' AND as_of = '2026-07-06 12:00';
SELECT healthscore.refresh('chg', '2026-07-06 12:00') > 0 AS backfilled;
SELECT tier AS tier_after FROM healthscore.score_history WHERE model = 'chg' AND account_key = '2' AND as_of = '2026-07-12 12:00';

-- 3. What changed: per signal, now and before, the contribution changes add up to the score change
SELECT account_key, signal, raw_value, previous_raw_value, round(contribution_change::numeric, 3) AS contribution_change,
       round(window_contribution_change::numeric, 3) AS window_change, configuration_changed
FROM healthscore.score_changes WHERE model = 'chg' ORDER BY account_key, signal;
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE abs(c.total - (s.score - s.previous_score)) < 1e-9) AS changes_add_up,
       count(*) FILTER (WHERE abs(c.window_total - s.window_change) < 1e-9) AS window_changes_add_up
FROM (SELECT model, account_key, sum(contribution_change) AS total, sum(window_contribution_change) AS window_total
      FROM healthscore.score_changes GROUP BY model, account_key) AS c
JOIN healthscore.current_scores AS s USING (model, account_key)
WHERE s.previous_score IS NOT NULL AND s.window_start_score IS NOT NULL;
-- account 4's usage appears in the current run while its points hold at 50: the whole change is
-- the usage signal's (its points against the score without it), none is blamed on the points
-- signal, whose share of the weight fell; so also over the window
SELECT signal, round(contribution_change::numeric, 3) AS contribution_change,
       round(window_contribution_change::numeric, 3) AS window_contribution_change
FROM healthscore.score_changes WHERE model = 'chg' AND account_key = '4' ORDER BY signal;
-- the split itself, against hand computations: (a) nps (20 points, weight 1) goes missing from a
-- score of (20 + 3 * 60) / 4 = 50: it had pulled the score down by 30 * 1/3 = 10, logins did not
-- move; (b) weights change 1:1 -> 3:1 (old points 20, 60; step-1 score 40) and logins move 60 -> 80:
-- new score (20 + 240) / 4 = 65 from 40: nps (1/4 - 1/2) * (20 - 40) = 5, logins
-- (3/4 - 1/2) * (60 - 40) + 3/4 * 20 = 20; (c) nothing carries over: the old score leaves, the new
-- arrives; (d) a run without a score
SELECT healthscore_internal.contribution_changes('{nps,logins,other}', '{nps,logins}', '{NULL,60}', '{1,3}', NULL, NULL,
                                                 '{nps,logins}', '{20,60}', '{1,3}', NULL, NULL) AS a,
       healthscore_internal.contribution_changes('{nps,logins}', '{nps,logins}', '{20,80}', '{1,3}', NULL, NULL,
                                                 '{nps,logins}', '{20,60}', '{1,1}', NULL, NULL) AS b,
       healthscore_internal.contribution_changes('{nps,logins}', '{logins}', '{80}', '{3}', NULL, NULL,
                                                 '{nps}', '{20}', '{1}', NULL, NULL) AS c,
       healthscore_internal.contribution_changes('{nps}', '{nps}', '{NULL}', '{1}', NULL, NULL,
                                                 '{nps}', '{20}', '{1}', NULL, NULL) AS d;
SELECT * FROM error_of($$SELECT healthscore_internal.contribution_changes('{a}', '{a,b}', '{1}', '{1,1}', NULL, NULL, '{a}', '{1}', '{1}', NULL, NULL)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.contribution_changes('{a}', '{a}', '{1}', '{-1}', NULL, NULL, '{a}', '{1}', '{1}', NULL, NULL)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.contribution_changes('{NULL}', '{a}', '{1}', '{1}', NULL, NULL, '{a}', '{1}', '{1}', NULL, NULL)$$);
SELECT account_key, why_changed FROM healthscore.current_scores WHERE model = 'chg' ORDER BY account_key;
SELECT account_key, why_changed FROM healthscore.risk_list WHERE model = 'chg' ORDER BY account_key;
-- a new weight is a new model: the change is flagged, not blamed on signals
SELECT healthscore.set_weight('chg', 'usage', 2);
SELECT healthscore.refresh('chg', '2026-07-12 18:00') > 0 AS refreshed;
SELECT DISTINCT why_changed FROM healthscore.current_scores WHERE model = 'chg';
SELECT DISTINCT configuration_changed FROM healthscore.score_changes WHERE model = 'chg';
-- and the parts still add up, the weight's change included
SELECT count(*) AS accounts, count(*) FILTER (WHERE abs(c.total - (s.score - s.previous_score)) < 1e-9) AS changes_add_up
FROM (SELECT model, account_key, sum(contribution_change) AS total FROM healthscore.score_changes GROUP BY model, account_key) AS c
JOIN healthscore.current_scores AS s USING (model, account_key)
WHERE s.model = 'chg';

-- 4. One account's story, for an account page
SELECT as_of::date AS day, round(score::numeric, 2) AS score, tier, tier_rank, round(change::numeric, 2) AS change,
       trend, why_changed, model_changed
FROM healthscore.account_story('chg', '1');
SELECT count(*) AS rows_with_as_of FROM healthscore.components WHERE model = 'chg' AND as_of IS NOT NULL;

-- 5. alter_model: settings change, checked as create_model checks them, with a new fingerprint
SELECT healthscore.fingerprint('chg') AS before \gset
SELECT healthscore.alter_model('chg', tier_cutoffs => '{30,60,80}', tier_labels => '{red,orange,yellow,green}',
       tier_hysteresis => 0, trend_window => '14 days');
SELECT tier_cutoffs, tier_labels, tier_hysteresis, trend_window, healthscore.fingerprint('chg') <> :'before' AS new_fingerprint
FROM healthscore.models WHERE name = 'chg';
SELECT * FROM error_of($$SELECT healthscore.alter_model('chg', tier_labels => '{a,b}')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_model('chg', trend_window => '0 days')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_model('chg', tier_hysteresis => -1)$$);
SELECT * FROM error_of($$SELECT healthscore.alter_model('chg', tier_cutoffs => '{60,30,80}')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_model('nope', trend_threshold => 3)$$);
SELECT healthscore.alter_model('chg', tier_actions => '{call,watch,keep,enjoy}');
SELECT * FROM error_of($$SELECT healthscore.alter_model('chg', tier_cutoffs => '{40,70}', tier_labels => '{red,yellow,green}')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'chg.accounts', key => 'account_id', tier_hysteresis => 100)$$);

-- 6. Tier ranks sort tiers worst first in every view that has a tier
SELECT DISTINCT tier, tier_rank FROM healthscore.score_history WHERE model = 'chg_plain' ORDER BY tier_rank;
SELECT tier, tier_rank FROM healthscore.tier_summary WHERE model = 'chg_plain' GROUP BY tier, tier_rank ORDER BY tier_rank;
SELECT DISTINCT from_tier, from_tier_rank, to_tier, to_tier_rank FROM healthscore.tier_changes
WHERE model = 'chg_plain' ORDER BY from_tier_rank, to_tier_rank;

SELECT healthscore.drop_model(m) FROM unnest('{chg,chg_plain}'::text[]) AS m;
DROP SCHEMA chg CASCADE;

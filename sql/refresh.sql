-- Refresh: the model of app_model.sql refreshed and checked against an independent hand-written
-- computation; one scan per source and window; NULL scores; fingerprints of changed models; refreshes
-- that fail and write nothing.
\ir sql/include/setup.sql
\ir sql/include/app_model.sql

-- one scan per source and time window: usage_events appears twice (30 and 90 days; all rows for recency)
SELECT count(*) AS grouped_queries
FROM regexp_matches(healthscore.refresh_sql('default', '2026-06-30 12:00'), 'GROUP BY', 'g');
-- its plan, as the model's author: as a set of lines in FROM and in the select list (it failed
-- with "return type must be a row type"), and with the remote SQL of foreign scans when verbose
SELECT count(*) > 3 AS plan_lines, bool_or(line ~ 'Hash Left Join|Merge Left Join|Nested Loop Left Join') AS joins_accounts
FROM healthscore.explain_refresh('default', '2026-06-30 12:00') AS line;
SELECT count(*) > 3 AS plan_lines FROM (SELECT healthscore.explain_refresh('default', '2026-06-30 12:00')) AS x;
SELECT bool_or(line ~ '^\s+Output: ') AS verbose_outputs
FROM healthscore.explain_refresh('default', '2026-06-30 12:00', verbose => true) AS line;

SELECT run_id, model, as_of, accounts, accounts_scored, fingerprint = healthscore.fingerprint('default') AS same_model
FROM healthscore.runs ORDER BY run_id;

-- the refresh against an independent hand-written computation of the same model
CREATE TEMP TABLE by_hand AS
WITH as_of AS (SELECT timestamptz '2026-06-30 12:00' AS t),
u30 AS (SELECT e.account_id, count(*) FILTER (WHERE feature = 'login') AS logins,
               count(DISTINCT user_id) AS users, count(DISTINCT feature) AS features
        FROM app.usage_events AS e, as_of WHERE e.ts > as_of.t - interval '30 days' AND e.ts <= as_of.t
        GROUP BY e.account_id),
u90 AS (SELECT e.account_id, count(*) AS events FROM app.usage_events AS e, as_of
        WHERE e.ts > as_of.t - interval '90 days' AND e.ts <= as_of.t GROUP BY e.account_id),
uall AS (SELECT e.account_id, max(ts) AS last_seen FROM app.usage_events AS e, as_of WHERE e.ts <= as_of.t GROUP BY e.account_id),
t AS (SELECT account_id, count(*) FILTER (WHERE priority = 'urgent' AND is_open) AS urgent FROM app.tickets GROUP BY account_id),
n AS (SELECT account_id, 100.0 * (count(*) FILTER (WHERE rating >= 9) - count(*) FILTER (WHERE rating <= 6)) / count(*) AS nps
      FROM app.nps GROUP BY account_id),
points AS (
  SELECT a.account_id,
         CASE WHEN u30.logins IS NULL THEN NULL ELSE LEAST(100, GREATEST(0, 100.0 * u30.logins / 60)) END AS p_logins,
         CASE WHEN t.urgent IS NULL THEN 100 WHEN t.urgent < 1 THEN 100 WHEN t.urgent < 3 THEN 50 ELSE 0 END AS p_tickets,
         -- LEAST/GREATEST ignore NULLs (LEAST(100, NULL) = 100), so missing values are handled first
         CASE WHEN u30.users IS NULL THEN 0 ELSE LEAST(100, GREATEST(0, 100.0 * u30.users / a.seats)) END AS p_util,
         COALESCE(100 * power(0.5, extract(epoch FROM (SELECT t FROM as_of) - uall.last_seen) / 86400 / 7), 0) AS p_recency,
         CASE WHEN u90.events IS NULL THEN 0 ELSE LEAST(100, 100 * ln(1 + u90.events) / ln(101)) END AS p_events,
         u30.features AS breadth,
         (n.nps + 100) / 2 AS p_nps
  FROM app.accounts AS a LEFT JOIN u30 USING (account_id) LEFT JOIN u90 USING (account_id)
  LEFT JOIN uall USING (account_id) LEFT JOIN t USING (account_id) LEFT JOIN n USING (account_id)),
ranked AS (
  SELECT p.*, CASE WHEN breadth IS NULL THEN NULL
                   ELSE 100 * ((rank() OVER w + count(*) OVER (w RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) / 2.0 - 1)
                        / (count(*) OVER (PARTITION BY breadth IS NULL) - 1) END AS p_breadth
  FROM points AS p WINDOW w AS (PARTITION BY breadth IS NULL ORDER BY breadth))
SELECT account_id::text AS account_key,
       (25 * COALESCE(p_logins, 0) + 15 * p_tickets + 20 * p_util + 10 * p_recency + 10 * p_events
        + 5 * COALESCE(p_breadth, 0) + 15 * COALESCE(p_nps, 0))
       / (25 * (p_logins IS NOT NULL)::int + 15 + 20 + 10 + 10 + 5 * (p_breadth IS NOT NULL)::int
          + 15 * (p_nps IS NOT NULL)::int) AS score
FROM ranked;
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE abs(s.score - h.score) < 1e-9) AS equal_to_hand_written
FROM healthscore.current_scores AS s JOIN by_hand AS h USING (account_key)
WHERE s.model = 'default';

-- an account with no data at all in any source with skip policies only: NULL score, tier unknown
SELECT healthscore.create_model('skips_only', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('skips_only', 'logins', source => 'app.usage_events', key => 'account_id',
       expression => 'count(*)', scoring => 'linear', worst => 0, best => 50);
SELECT healthscore.refresh('skips_only', '2026-06-30 12:00') AS run;
SELECT account_key, score, tier FROM healthscore.current_scores WHERE model = 'skips_only' AND account_key = '10';
SELECT healthscore.drop_model('skips_only');

-- alter_signal and set_weight change the fingerprint of later runs
SELECT healthscore.set_weight('weekly', 'logins_7d', 3);
SELECT healthscore.alter_signal('weekly', 'logins_7d', scoring => 'bands', breaks => '{1,3}', points => '{0,50,100}');
SELECT name, scoring, worst, best, breaks, points, weight FROM healthscore.signals WHERE model = 'weekly';
SELECT healthscore.refresh('weekly', '2026-06-30 12:00') IS NOT NULL AS refreshed;
SELECT count(DISTINCT fingerprint) AS fingerprints FROM healthscore.runs WHERE model = 'weekly';
SELECT healthscore.drop_signal('weekly', 'logins_7d');
SELECT * FROM error_of($$SELECT healthscore.refresh('weekly')$$);
SELECT healthscore.drop_model('weekly');
SELECT count(*) AS runs_left_of_weekly FROM healthscore.runs WHERE model = 'weekly';

-- a points signal out of range, and duplicate account keys, fail the refresh and write nothing
SELECT healthscore.create_model('broken', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('broken', 'p', source => 'app.tickets', key => 'account_id', expression => 'count(*) * 100', scoring => 'points');
SELECT * FROM error_of($$SELECT healthscore.refresh('broken')$$);
SELECT healthscore.drop_model('broken');
SELECT healthscore.create_model('duplicates', accounts => 'app.tickets', key => 'account_id');
SELECT healthscore.add_signal('duplicates', 'p', source => 'app.tickets', key => 'account_id', expression => 'count(*)', scoring => 'points');
SELECT * FROM error_of($$SELECT healthscore.refresh('duplicates')$$);
SELECT healthscore.drop_model('duplicates');
-- a decay expression may yield an infinite time: never seen scores 0, seen at infinity 100, as
-- decay() documents (0.1.0 failed the whole refresh with 22008)
SELECT healthscore.create_model('infinite', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('infinite', 'seen', source => 'app.usage_events', key => 'account_id',
       expression => $$CASE min(s.account_id) WHEN 1 THEN '-infinity'::timestamptz WHEN 2 THEN 'infinity' ELSE max(s.ts) END$$,
       scoring => 'decay', half_life => '7 days');
SELECT healthscore.refresh('infinite', '2026-06-30') > 0 AS refreshed;
SELECT c.account_key, c.raw_value, c.points FROM healthscore.components AS c
WHERE c.model = 'infinite' AND c.account_key IN ('1', '2') ORDER BY c.account_key;
SELECT healthscore.drop_model('infinite');
-- NaN has no rank: a percentile signal yielding NaN fails the refresh, naming the signal (0.1.0
-- ranked it above every number and gave it 100 points)
SELECT healthscore.create_model('not_a_number', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('not_a_number', 'ranked', source => 'app.usage_events', key => 'account_id',
       expression => $$CASE min(s.account_id) WHEN 1 THEN 'NaN'::float8 ELSE count(*) END$$, scoring => 'percentile');
SELECT * FROM error_of($$SELECT healthscore.refresh('not_a_number', '2026-06-30')$$);
SELECT healthscore.drop_model('not_a_number');
-- group first, join after: a signal whose per-account part (per_account) is applied after
-- grouping gives the same values, bit for bit, as the expression that joins the account row
-- before grouping; its grouped query groups the source by its own key
SELECT healthscore.create_model('joined', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('joined', 'seat_use', source => 'app.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats', time_column => 'ts',
       lookback => '90 days', scoring => 'linear', worst => 0, best => 1);
SELECT healthscore.create_model('grouped', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('grouped', 'seat_use', source => 'app.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8', per_account => 'value / account.seats',
       time_column => 'ts', lookback => '90 days', scoring => 'linear', worst => 0, best => 1);
SELECT healthscore.refresh(m, '2026-06-30 12:00') > 0 AS refreshed FROM (VALUES ('joined'), ('grouped')) AS v(m);
SELECT count(*) AS accounts, count(*) FILTER (WHERE j.raw_values = g.raw_values AND j.points = g.points
                                                AND j.score IS NOT DISTINCT FROM g.score) AS identical,
       count(g.raw_values[1]) AS with_value
FROM healthscore.current_scores AS jc JOIN healthscore.scores AS j USING (run_id, account_key)
JOIN healthscore.current_scores AS gc ON gc.model = 'grouped' AND gc.account_key = jc.account_key
JOIN healthscore.scores AS g ON g.run_id = gc.run_id AND g.account_key = gc.account_key
WHERE jc.model = 'joined';
SELECT healthscore.refresh_sql('grouped', '2026-06-30 12:00') ~ 'FROM app.usage_events AS s WHERE .* GROUP BY s.account_id' AS groups_by_source_key,
       healthscore.refresh_sql('joined', '2026-06-30 12:00') ~ 'GROUP BY account.account_id' AS joined_groups_by_account;
-- per_account is model text like the expression: one expression, its author recorded; it
-- enters the fingerprint, and can be changed and cleared
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => 'value / account.seats) FROM pg_class; --')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => 'value / s.user_id')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => 'value / account.nope')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => 'account.name')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => '')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('grouped', 'seen', source => 'app.usage_events', key => 'account_id',
       expression => 'max(s.ts)', scoring => 'decay', half_life => '7 days', per_account => 'value')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('grouped', 'both', source => 'app.usage_events', key => 'account_id',
       expression => 'count(*) / account.seats', per_account => 'value * 2', scoring => 'linear', worst => 0, best => 10)$$);
SELECT healthscore.fingerprint('grouped') AS before_change \gset
SELECT healthscore.alter_signal('grouped', 'seat_use', per_account => 'value / (account.seats + 1)');
SELECT healthscore.fingerprint('grouped') <> :'before_change' AS fingerprint_changed, s.per_account, s.defined_by = current_user AS author
FROM healthscore.signals AS s WHERE s.model = 'grouped';
SELECT healthscore.alter_signal('grouped', 'seat_use', clear => '{per_account}');
SELECT s.per_account IS NULL AS cleared FROM healthscore.signals AS s WHERE s.model = 'grouped';
SELECT healthscore.drop_model(m) FROM (VALUES ('joined'), ('grouped')) AS v(m);
\ir sql/include/app_drop.sql

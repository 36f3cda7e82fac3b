-- Health models end to end on a small deterministic dataset: the contract as written, the views,
-- definition errors, account key types, and the refresh against a hand-written computation.
SET TimeZone = 'UTC';
CREATE SCHEMA app;
CREATE TABLE app.accounts (account_id integer PRIMARY KEY, name text, segment text, arr numeric,
                           seats integer, renewal_date date, csm text);
INSERT INTO app.accounts
SELECT i, 'Account ' || i, CASE WHEN i % 3 = 0 THEN 'enterprise' ELSE 'smb' END, 1000 * i,
       4 + i % 5, date '2026-07-01' + 10 * i, 'csm_' || (i % 2)
FROM generate_series(1, 10) AS i;
CREATE TABLE app.usage_events (account_id integer, user_id bigint, feature text, ts timestamptz);
-- account i logs about 9 * i events over 90 days with up to i users; account 10 has none at all
INSERT INTO app.usage_events
SELECT a, a * 100 + (e % a), CASE WHEN e % 3 = 0 THEN 'login' WHEN e % 3 = 1 THEN 'report' ELSE 'export' END,
       timestamptz '2026-06-30 12:00' - ((e * 7 + a) % (90 - 5 * a)) * interval '1 day'
FROM generate_series(1, 9) AS a, generate_series(1, 9 * a) AS e;
CREATE TABLE app.tickets (ticket_id serial, account_id integer, priority text, is_open boolean);
INSERT INTO app.tickets (account_id, priority, is_open) VALUES
  (1, 'urgent', true), (1, 'urgent', true), (1, 'urgent', true), (2, 'urgent', true),
  (2, 'low', true), (3, 'urgent', false), (4, 'high', true);
CREATE TABLE app.nps (account_id integer, rating integer);
INSERT INTO app.nps VALUES (1, 2), (1, 5), (2, 9), (3, 10), (3, 8), (5, 0), (6, 9), (8, 7), (9, 10);

-- the contract from the issue, as written
SELECT healthscore.create_model('default', accounts => 'app.accounts', key => 'account_id',
       value => 'arr', segment => 'segment', renewal => 'renewal_date', owner => 'csm');
SELECT healthscore.add_signal('default', 'logins_30d', source => 'app.usage_events', key => 'account_id',
       expression => $$count(*) FILTER (WHERE feature = 'login')$$, time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 60, weight => 25, category => 'usage');
SELECT healthscore.add_signal('default', 'critical_tickets', source => 'app.tickets', key => 'account_id',
       expression => $$count(*) FILTER (WHERE priority = 'urgent' AND is_open)$$,
       scoring => 'bands', breaks => '{1,3}', points => '{100,50,0}', weight => 15, category => 'support',
       missing => 'value', missing_value => 100);          -- no tickets at all is healthy
-- more signals: account columns, decay of a timestamp, logarithmic, percentile, points, zero policy
SELECT healthscore.add_signal('default', 'utilization', source => 'app.usage_events', key => 'account_id',
       expression => $$healthscore.distinct_count(s.user_id)::float8 / account.seats$$,
       time_column => 'ts', lookback => '30 days', scoring => 'linear', worst => 0, best => 1,
       weight => 20, category => 'adoption', missing => 'zero', action => 'Run an adoption workshop');
SELECT healthscore.add_signal('default', 'recency', source => 'app.usage_events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days',
       weight => 10, category => 'usage', missing => 'zero', action => 'Call the champion');
SELECT healthscore.add_signal('default', 'events_90d', source => 'app.usage_events', key => 'account_id',
       expression => 'count(*)', time_column => 'ts', lookback => '90 days', scoring => 'logarithmic',
       worst => 0, best => 100, weight => 10, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal('default', 'breadth', source => 'app.usage_events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '30 days',
       scoring => 'percentile', weight => 5, category => 'adoption');
SELECT healthscore.add_signal('default', 'nps', source => 'app.nps', key => 'account_id',
       expression => '(healthscore.nps(s.rating) + 100) / 2', scoring => 'points', weight => 15,
       category => 'sentiment', action => 'Review the detractor feedback');
SELECT model, name, category, scoring, weight, missing, position FROM healthscore.signals ORDER BY position;

-- one scan per source and time window: usage_events appears twice (30 and 90 days; all rows for recency)
SELECT count(*) AS grouped_queries
FROM regexp_matches(healthscore.refresh_sql('default', '2026-06-30 12:00'), 'GROUP BY', 'g');

SELECT healthscore.refresh('default', '2026-06-23 12:00') AS first_run;
SELECT healthscore.refresh('default', '2026-06-30 12:00') AS second_run;
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

-- the views
SELECT account_key, round(score::numeric, 2) AS score, tier, round(change::numeric, 2) AS change, trend,
       segment, value, owner, renewal_date, days_to_renewal, scored_at, sparkline
FROM healthscore.current_scores WHERE model = 'default' ORDER BY account_key::int;
SELECT model, priority, account_key, round(score::numeric, 1) AS score, tier, round(value_at_risk) AS value_at_risk,
       reasons, action, owner, days_to_renewal
FROM healthscore.risk_list WHERE model = 'default' ORDER BY priority LIMIT 20;
SELECT signal, category, round(raw_value::numeric, 3) AS raw_value, round(points::numeric, 2) AS points, weight,
       round(weight_share::numeric, 4) AS share, round(contribution::numeric, 2) AS contribution,
       round(points_lost::numeric, 2) AS points_lost, action
FROM healthscore.score_components WHERE model = 'default' AND account_key = '1';
-- contributions add up to the score, for every account
SELECT count(*) AS accounts_checked
FROM (SELECT c.account_key, sum(c.contribution) AS total, s.score
      FROM healthscore.score_components AS c JOIN healthscore.current_scores AS s USING (model, account_key)
      GROUP BY c.account_key, s.score HAVING abs(sum(c.contribution) - s.score) < 1e-9) AS ok;
SELECT model, run_id, tier, accounts, total_value, round(average_score::numeric, 2) AS average_score
FROM healthscore.tier_summary ORDER BY run_id, tier;
SELECT model, account_key, from_tier, to_tier, changed_at FROM healthscore.tier_changes ORDER BY account_key::int, changed_at;
SELECT count(*) AS history_rows, count(DISTINCT run_id) AS runs FROM healthscore.score_history;

-- an account with no data at all in any source with skip policies only: NULL score, tier unknown
SELECT healthscore.create_model('skips_only', accounts => 'app.accounts', key => 'account_id');
SELECT healthscore.add_signal('skips_only', 'logins', source => 'app.usage_events', key => 'account_id',
       expression => 'count(*)', scoring => 'linear', worst => 0, best => 50);
SELECT healthscore.refresh('skips_only', '2026-06-30 12:00') AS run;
SELECT account_key, score, tier FROM healthscore.current_scores WHERE model = 'skips_only' AND account_key = '10';
SELECT healthscore.drop_model('skips_only');

-- backfill: weekly runs with a NOTICE per step
SELECT healthscore.create_model('weekly', accounts => 'app.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('weekly', 'logins_7d', source => 'app.usage_events', key => 'account_id',
       expression => $$count(*) FILTER (WHERE feature = 'login')$$, time_column => 'ts', lookback => '7 days',
       scoring => 'linear', worst => 0, best => 5, missing => 'zero');
SELECT * FROM healthscore.backfill('weekly', since => '2026-06-09 12:00', until => '2026-06-30 12:00', step => '1 week');
SELECT account_key, sparkline FROM healthscore.current_scores WHERE model = 'weekly' ORDER BY account_key::int LIMIT 4;
-- alerts: scores at least 10 points (the default) below their high of the last 30 days
SELECT account_key, round(score::numeric, 1) AS score, round(previous_high::numeric, 1) AS previous_high,
       round(drop::numeric, 1) AS drop, high_at, scored_at
FROM healthscore.score_drops WHERE model = 'weekly' ORDER BY drop DESC, account_key::int;
SELECT h.account_key, string_agg(round(h.score)::text, ' ' ORDER BY h.as_of) AS weekly_scores
FROM healthscore.score_history AS h WHERE h.model = 'weekly' AND h.account_key IN ('1', '2', '9')
GROUP BY h.account_key ORDER BY h.account_key::int;

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

-- account keys of type bigint, text and uuid
CREATE TABLE app.accounts_bigint AS SELECT account_id::bigint * 10000000000 AS id, seats FROM app.accounts;
CREATE TABLE app.events_bigint AS SELECT account_id::bigint * 10000000000 AS id, user_id, ts FROM app.usage_events;
CREATE TABLE app.accounts_text AS SELECT 'acct-' || account_id AS id, seats FROM app.accounts;
CREATE TABLE app.events_text AS SELECT 'acct-' || account_id AS id, user_id, ts FROM app.usage_events;
CREATE TABLE app.accounts_uuid AS SELECT md5(account_id::text)::uuid AS id, seats FROM app.accounts;
CREATE TABLE app.events_uuid AS SELECT md5(account_id::text)::uuid AS id, user_id, ts FROM app.usage_events;
ALTER TABLE app.accounts_bigint ADD PRIMARY KEY (id);
ALTER TABLE app.accounts_text ADD PRIMARY KEY (id);
-- uuid accounts without a primary key: account.<column> cannot be used, and the error says why
SELECT * FROM error_of($$SELECT healthscore.create_model('key_uuid', accounts => 'app.accounts_uuid', key => 'id'),
       healthscore.add_signal('key_uuid', 'users', source => 'app.events_uuid', key => 'id',
                              expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats')$$);
ALTER TABLE app.accounts_uuid ADD PRIMARY KEY (id);
SELECT healthscore.create_model('key_' || t, accounts => ('app.accounts_' || t)::regclass, key => 'id'),
       healthscore.add_signal('key_' || t, 'users', source => ('app.events_' || t)::regclass, key => 'id',
                              expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats',
                              scoring => 'linear', worst => 0, best => 1, missing => 'zero'),
       healthscore.refresh('key_' || t, '2026-06-30 12:00') IS NOT NULL AS refreshed
FROM unnest('{bigint,text,uuid}'::text[]) AS t;
SELECT model, count(*) AS accounts, round(avg(score)::numeric, 6) AS average_score, min(account_key) AS first_key
FROM healthscore.current_scores WHERE model LIKE 'key_%' GROUP BY model ORDER BY model;
SELECT healthscore.drop_model('key_' || t) FROM unnest('{bigint,text,uuid}'::text[]) AS t;

-- definition errors: each names the problem, and nothing half-defined is left behind
SELECT * FROM error_of($$SELECT healthscore.create_model('default', accounts => 'app.accounts', key => 'account_id')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.nope', key => 'account_id')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.accounts', key => 'nope')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.accounts', key => 'account_id', value => 'name')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.accounts', key => 'account_id', renewal => 'seats')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.accounts', key => 'account_id', tier_cutoffs => '{70,40}')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('', accounts => 'app.accounts', key => 'account_id')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'app.accounts', key => 'account_id', drop_points => 0)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('nope', 's', 'app.tickets', 'account_id', 'count(*)')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 'logins_30d', 'app.tickets', 'account_id', 'count(*)')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.nope', 'account_id', 'count(*)')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'nope', 'count(*)')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*', scoring => 'points')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'priority', scoring => 'points')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'max(s.nope)')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'linear')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'linear', worst => 5, best => 5)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'bands', breaks => '{3,1}', points => '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'decay')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'linear', worst => 0, best => 9, breaks => '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', scoring => 'zigzag')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', weight => 0)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', weight => -2)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', missing => 'value')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', missing => 'value', missing_value => 150)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', category => 'vibes')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', lookback => '30 days')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', time_column => 'priority')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.usage_events', 'account_id', 'count(*)', scoring => 'decay', half_life => '7 days')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('default', 'nope', weight => 2)$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('default', 'nps', weight => 0)$$);
SELECT * FROM error_of($$SELECT healthscore.drop_signal('default', 'nope')$$);
SELECT * FROM error_of($$SELECT healthscore.drop_model('nope')$$);
SELECT * FROM error_of($$SELECT healthscore.refresh('default', 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.backfill('default', '2026-06-30', '2026-06-01', '1 week')$$);
SELECT * FROM error_of($$SELECT healthscore.backfill('default', '2026-06-01', '2026-06-30', '0 days')$$);
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
SELECT count(*) AS signals, count(DISTINCT model) AS models, (SELECT count(*) FROM healthscore.runs) AS runs
FROM healthscore.signals;
-- scheduling without pg_cron in this database: a clear error
SELECT * FROM error_of($$SELECT healthscore.schedule('default', '0 3 * * *')$$);

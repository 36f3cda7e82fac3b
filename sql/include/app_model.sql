-- Included by the suites on the model over app.* (models, refresh, views, access): the tables,
-- the model 'default' from the issue as written, two runs of it, and a weekly model backfilled.
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
SELECT healthscore.refresh('default', '2026-06-23 12:00') AS first_run;
SELECT healthscore.refresh('default', '2026-06-30 12:00') AS second_run;

-- backfill: weekly runs with a NOTICE per step
SELECT healthscore.create_model('weekly', accounts => 'app.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('weekly', 'logins_7d', source => 'app.usage_events', key => 'account_id',
       expression => $$count(*) FILTER (WHERE feature = 'login')$$, time_column => 'ts', lookback => '7 days',
       scoring => 'linear', worst => 0, best => 5, missing => 'zero');
SELECT * FROM healthscore.backfill('weekly', since => '2026-06-09 12:00', until => '2026-06-30 12:00', step => '1 week');

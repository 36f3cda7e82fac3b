-- Risk indicators: flags on signals' raw values, raised and cleared at the right runs, kept beside
-- the score (which they do not change), with since when and why; playbooks that target them.
-- Planted: account 1's weekly logins fall from 42 to 12 from July 8 and stay there; account 2
-- has a failed payment on July 10; account 3's champion is rated 2 on July 9; account 4 opens 6
-- tickets on July 2; account 5 is steady.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
CREATE SCHEMA ind;
CREATE TABLE ind.accounts (account_id integer PRIMARY KEY, arr numeric, csm text);
INSERT INTO ind.accounts SELECT a, 1000 * a, 'csm' || a FROM generate_series(1, 5) AS a;
CREATE TABLE ind.logins (account_id integer, ts timestamptz);
-- weeks from June 17: 40 logins a week each, but account 1 has 12 a week from July 8
INSERT INTO ind.logins
SELECT a, timestamptz '2026-06-17 00:00' + (w * 7 + d) * interval '1 day' + k * interval '1 minute'
FROM generate_series(1, 5) AS a, generate_series(0, 5) AS w, generate_series(0, 6) AS d,
	 generate_series(1, CASE WHEN a = 1 AND w >= 3 THEN 2 ELSE 6 END) AS k
WHERE NOT (a = 1 AND w >= 3 AND d >= 6);	-- 12 = 6 days x 2 for account 1
CREATE TABLE ind.payments (account_id integer, day date, failed boolean);
INSERT INTO ind.payments VALUES (2, '2026-07-10', true), (3, '2026-07-01', false);
CREATE TABLE ind.tickets (account_id integer, opened_at timestamptz);
INSERT INTO ind.tickets SELECT 4, timestamptz '2026-07-02 10:00' + i * interval '1 hour' FROM generate_series(1, 6) AS i;

SELECT healthscore.create_model('ind', accounts => 'ind.accounts', key => 'account_id', value => 'arr', owner => 'csm');
SELECT healthscore.add_signal('ind', 'logins_7d', source => 'ind.logins', key => 'account_id', expression => 'count(*)',
       time_column => 'ts', lookback => '7 days', scoring => 'linear', worst => 0, best => 40, missing => 'zero', weight => 3);
SELECT healthscore.add_signal('ind', 'failed_payments_30d', source => 'ind.payments', key => 'account_id',
       expression => 'count(*) FILTER (WHERE s.failed)', time_column => 'day', lookback => '30 days',
       scoring => 'bands', breaks => '{1}', points => '{100,0}', missing => 'value', missing_value => 100, weight => 1);
SELECT healthscore.add_signal('ind', 'tickets_7d', source => 'ind.tickets', key => 'account_id', expression => 'count(*)',
       time_column => 'opened_at', lookback => '7 days', scoring => 'linear', worst => 10, best => 0, missing => 'zero',
       weight => 1);
SELECT healthscore.add_signal('ind', 'champion', scoring => 'assessment', factor => 'executive relationship', weight => 1);
SELECT healthscore.assess('3', 'executive relationship', rating => 4, assessed_at => '2026-06-01', valid_for => '180 days');
SELECT healthscore.assess('3', 'executive relationship', rating => 2, assessed_at => '2026-07-09', valid_for => '180 days');
SELECT healthscore.assess('5', 'executive relationship', rating => 5, assessed_at => '2026-06-01', valid_for => '180 days');

SELECT healthscore.add_indicator('ind', 'usage_drop', 'drop', 'logins_7d', threshold => 0.2, period => '7 days',
       description => 'logins in the last 7 days down more than 20% against the 7 days before');
SELECT healthscore.add_indicator('ind', 'failed_payment', 'event', 'failed_payments_30d',
       description => 'a failed payment in the last 30 days');
SELECT healthscore.add_indicator('ind', 'champion_at_risk', 'rating_below', 'champion', threshold => 3);
SELECT healthscore.add_indicator('ind', 'ticket_storm', 'above', 'tickets_7d', threshold => 4);
SELECT name, kind, signal, threshold, period FROM healthscore.indicators WHERE model = 'ind' ORDER BY position;
SELECT healthscore.add_playbook('ind', 'Call about the failed payment', indicator => 'failed_payment', owner_role => 'finance');

-- a model without the indicators, to show they change no score
SELECT healthscore.create_model('ind_plain', accounts => 'ind.accounts', key => 'account_id', value => 'arr');
SELECT healthscore.add_signal('ind_plain', s.name, source => s.source::regclass, key => s.source_key,
       expression => s.expression, time_column => s.time_column, lookback => s.lookback, scoring => s.scoring,
       worst => s.worst, best => s.best, breaks => s.breaks, points => s.points, missing => s.missing,
       missing_value => s.missing_value, weight => s.weight)
FROM (SELECT * FROM healthscore.signals WHERE model = 'ind' AND scoring <> 'assessment' ORDER BY position) AS s;
SELECT healthscore.add_signal('ind_plain', 'champion', scoring => 'assessment', factor => 'executive relationship', weight => 1);
SET client_min_messages = warning;
SELECT count(*) AS runs FROM unnest('{ind,ind_plain}'::text[]) AS m,
       healthscore.backfill(m, '2026-07-01 12:00', '2026-07-22 12:00', '7 days');
RESET client_min_messages;

-- Raised and cleared at the right runs, every run and account, as planted: usage_drop on July 15
-- for account 1 (its last 7 days 38 -> 12 against the run of July 8), and only then (12 -> 12 is
-- no drop); failed_payment on July 15 and 22 for account 2 (the payment of July 10 is within 30
-- days); champion_at_risk from July 15 for account 3 (rated 2 on July 9); ticket_storm on July 8
-- for account 4 (6 tickets on July 2), cleared on July 15
SELECT h.as_of::date AS day, h.account_key, s.indicators, s.indicators_since::date[] AS since, s.indicator_reasons
FROM healthscore.score_history AS h JOIN healthscore.scores AS s USING (run_id, account_key)
WHERE h.model = 'ind' AND s.indicators IS NOT NULL ORDER BY h.as_of, h.account_key;
-- the score is the same with and without indicators
SELECT count(*) AS scores, count(*) FILTER (WHERE a.score IS DISTINCT FROM b.score) AS differing
FROM healthscore.score_history AS a
JOIN healthscore.score_history AS b ON b.model = 'ind_plain' AND b.account_key = a.account_key AND b.as_of = a.as_of
WHERE a.model = 'ind';

-- the current run's indicators, for BI: since when and why, newly raised or not
SELECT account_key, indicator, kind, signal, since::date AS since, newly_raised, reason, owner
FROM healthscore.risk_indicators WHERE model = 'ind' ORDER BY account_key, indicator;
SELECT account_key, active_indicators, indicators FROM healthscore.current_scores WHERE model = 'ind' ORDER BY account_key;
-- the indicator's playbook wins in the risk list
SELECT account_key, active_indicators, indicators, action, action_owner FROM healthscore.risk_list
WHERE model = 'ind' ORDER BY account_key;

-- a streak keeps its start: raised again in a later run, since stays; cleared, then raised
-- again, since starts over
INSERT INTO ind.payments VALUES (2, '2026-07-25', true);
SELECT healthscore.refresh('ind', '2026-07-29 12:00') > 0 AS refreshed;
SELECT account_key, indicator, since::date AS since, newly_raised FROM healthscore.risk_indicators
WHERE model = 'ind' AND indicator = 'failed_payment';
SELECT healthscore.refresh('ind', '2026-09-01 12:00') > 0 AS refreshed;
SELECT count(*) AS failed_payment_raised FROM healthscore.risk_indicators WHERE model = 'ind' AND indicator = 'failed_payment';
INSERT INTO ind.payments VALUES (2, '2026-09-02', true);
SELECT healthscore.refresh('ind', '2026-09-03 12:00') > 0 AS refreshed;
SELECT account_key, since::date AS since, newly_raised FROM healthscore.risk_indicators
WHERE model = 'ind' AND indicator = 'failed_payment';

-- a reader sees only the indicators of the accounts row-level security lets it see
CREATE ROLE ind_reader;
SELECT healthscore.grant_reader('ind_reader');
GRANT USAGE ON SCHEMA ind TO ind_reader;
GRANT SELECT ON ind.accounts TO ind_reader;
ALTER TABLE ind.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_two ON ind.accounts FOR SELECT USING (account_id = 2);
SET ROLE ind_reader;
SELECT account_key, indicator FROM healthscore.risk_indicators WHERE model = 'ind' ORDER BY 1, 2;
RESET ROLE;
ALTER TABLE ind.accounts DISABLE ROW LEVEL SECURITY;

-- Bad input
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'vibes', 'logins_7d', 1)$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'drop', 'nope', 0.2, '7 days')$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'drop', 'logins_7d', 1.5, '7 days')$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'drop', 'logins_7d', 0.2)$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'above', 'logins_7d', 1, '7 days')$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'above', 'logins_7d')$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'event', 'logins_7d', 1)$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'rating_below', 'logins_7d', 3)$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', 'x', 'rating_below', 'champion', 7)$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('ind', '', 'event', 'logins_7d')$$);
SELECT * FROM error_of($$SELECT healthscore.add_indicator('nope', 'x', 'event', 'logins_7d')$$);
SELECT * FROM error_of($$SELECT healthscore.drop_indicator('ind', 'nope')$$);
SELECT * FROM error_of($$SELECT healthscore.add_playbook('ind', 'x', indicator => 'nope')$$);
SELECT * FROM error_of($$SELECT healthscore.add_playbook('ind', 'x', signal => 'logins_7d', indicator => 'failed_payment')$$);
SELECT healthscore.drop_indicator('ind', 'ticket_storm');

DROP OWNED BY ind_reader;
DROP ROLE ind_reader;
SELECT healthscore.drop_model(m) FROM unnest('{ind,ind_plain}'::text[]) AS m;
SELECT count(*) AS indicators_left FROM healthscore.indicators;
-- ratings belong to accounts, not models: the suite removes its own
DELETE FROM healthscore.assessments WHERE account_key IN ('3', '5') AND factor = 'executive relationship';
DROP SCHEMA ind CASCADE;

-- Health models as data on a small deterministic dataset: the contract as written (app_model.sql),
-- account key types, and every definition error.
\ir sql/include/setup.sql
\ir sql/include/app_model.sql

SELECT model, name, category, scoring, weight, missing, position FROM healthscore.signals ORDER BY position;

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
SELECT * FROM error_of($$SELECT healthscore.add_signal('default', 's', 'app.tickets', 'account_id', 'count(*)', category => '')$$);
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
SELECT count(*) AS signals, count(DISTINCT model) AS models, (SELECT count(*) FROM healthscore.runs) AS runs
FROM healthscore.signals;
\ir sql/include/app_drop.sql

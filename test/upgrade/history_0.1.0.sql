-- A database as users of healthscore 0.1.0 left it: models of every kind with history, a segment
-- group, assessments, overrides, playbooks, outcomes, and a reader restricted by row-level
-- security on the accounts. Written against the 0.1.0 API only, and run with the current shared
-- library, which must still serve every C function that 0.1.0's SQL names.
-- Run by test/upgrade/run.sh with psql variables reader and admin (role names).
\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';
CREATE EXTENSION healthscore VERSION '0.1.0';

CREATE SCHEMA app;
CREATE TABLE app.accounts (account_id integer PRIMARY KEY, name text, segment text, arr numeric,
						   seats integer, renewal_date date, csm text, started_on date);
INSERT INTO app.accounts
SELECT i, 'Account ' || i, CASE WHEN i % 4 = 0 THEN 'enterprise' ELSE 'smb' END, 1000 * i + 0.5,
	   3 + i % 5, date '2026-07-01' + 11 * i, CASE WHEN i % 3 = 0 THEN :'reader' ELSE 'someone_else' END,
	   date '2026-06-20' - 40 * i
FROM generate_series(1, 24) AS i;
CREATE TABLE app.usage_events (account_id integer, user_id bigint, feature text, ts timestamptz);
INSERT INTO app.usage_events
SELECT a, a * 100 + e % (1 + a % 6), (ARRAY['login', 'report', 'export'])[1 + e % 3],
	   timestamptz '2026-06-30 12:00' - ((e * 7 + a) % (40 + a)) * interval '1 day' - e * interval '37 minutes'
FROM generate_series(1, 22) AS a, generate_series(1, 5 * a) AS e;
CREATE TABLE app.tickets (ticket_id serial, account_id integer, priority text, is_open boolean);
INSERT INTO app.tickets (account_id, priority, is_open)
SELECT 1 + i % 13, (ARRAY['urgent', 'low', 'high'])[1 + i % 3], i % 4 <> 0 FROM generate_series(1, 30) AS i;
CREATE TABLE app.nps (account_id integer, rating integer);
INSERT INTO app.nps SELECT 1 + i % 17, i % 11 FROM generate_series(1, 60) AS i;
CREATE TABLE app.churned (account_id integer, churned_on date, reason text);
INSERT INTO app.churned VALUES (2, '2026-05-20', 'low usage'), (5, '2026-06-10', 'ROI and value'),
	(7, '2026-06-25', 'failed launch');

-- a model with every scoring method
SELECT healthscore.create_model('default', accounts => 'app.accounts', key => 'account_id', value => 'arr',
	   segment => 'segment', renewal => 'renewal_date', owner => 'csm', description => 'all scoring methods',
	   tier_actions => '{"Executive review","Check in","Ask for a referral"}', drop_points => 5);
SELECT healthscore.add_signal('default', 'logins_30d', source => 'app.usage_events', key => 'account_id',
	   expression => $$count(*) FILTER (WHERE feature = 'login')$$, time_column => 'ts', lookback => '30 days',
	   scoring => 'linear', worst => 0, best => 12.5, weight => 25, category => 'usage');
SELECT healthscore.add_signal('default', 'critical_tickets', source => 'app.tickets', key => 'account_id',
	   expression => $$count(*) FILTER (WHERE priority = 'urgent' AND is_open)$$,
	   scoring => 'bands', breaks => '{1,3}', points => '{100,50,0}', weight => 15, category => 'support',
	   missing => 'value', missing_value => 100);
SELECT healthscore.add_signal('default', 'utilization', source => 'app.usage_events', key => 'account_id',
	   expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats', time_column => 'ts',
	   lookback => '30 days', scoring => 'linear', worst => 0, best => 0.8, weight => 20, category => 'adoption',
	   missing => 'zero', action => 'Run an adoption workshop');
SELECT healthscore.add_signal('default', 'recency', source => 'app.usage_events', key => 'account_id',
	   expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days',
	   weight => 10, category => 'usage', missing => 'zero', action => 'Call the champion');
SELECT healthscore.add_signal('default', 'events_90d', source => 'app.usage_events', key => 'account_id',
	   expression => 'count(*)', time_column => 'ts', lookback => '90 days', scoring => 'logarithmic',
	   worst => 0, best => 100, weight => 10, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal('default', 'breadth', source => 'app.usage_events', key => 'account_id',
	   expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '30 days',
	   scoring => 'percentile', weight => 5, category => 'adoption');
SELECT healthscore.add_signal('default', 'stickiness', source => 'app.usage_events', key => 'account_id',
	   expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '30 days',
	   scoring => 'linear', worst => 0, best => 0.5, weight => 5, category => 'usage');
SELECT healthscore.add_signal('default', 'nps', source => 'app.nps', key => 'account_id',
	   expression => '(healthscore.nps(s.rating) + 100) / 2', scoring => 'points', weight => 15,
	   category => 'sentiment', action => 'Review the detractor feedback');
SELECT healthscore.set_outcomes('default', 'app.churned', key => 'account_id', churned_on => 'churned_on',
	   reason => 'reason');
SELECT healthscore.add_playbook('default', 'Executive business review within 2 weeks', tier => 'red',
	   owner_role => 'CS manager');
SELECT healthscore.add_playbook('default', 'Adoption workshop', signal => 'utilization', owner_role => 'CSM');
SELECT count(*) AS default_runs
FROM healthscore.backfill('default', '2026-05-05 12:00', '2026-06-30 12:00', '1 week');
SELECT healthscore.set_override('default', '4', 'red', 'champion left', expires_at => '2026-12-31',
	   set_at => '2026-06-01');
SELECT healthscore.refresh('default', '2026-07-01 12:00') > 0 AS refreshed_with_override;
-- a signal dropped after some runs: old runs keep its components
SELECT healthscore.add_signal('default', 'tickets_total', source => 'app.tickets', key => 'account_id',
	   expression => 'count(*)', scoring => 'linear', worst => 10, best => 0, weight => 3, category => 'support');
SELECT healthscore.refresh('default', '2026-07-02 12:00') > 0 AS refreshed;
SELECT healthscore.drop_signal('default', 'tickets_total');
SELECT healthscore.set_weight('default', 'nps', 12);
-- the model as it now stands, run once: the update must score it the same, bit for bit
SELECT healthscore.refresh('default', '2026-07-03 12:00') > 0 AS refreshed;

-- a segment group: onboarding by filter, enterprise with an assessment, a default model
SELECT healthscore.create_model('onboarding', accounts => 'app.accounts', key => 'account_id', value => 'arr',
	   model_group => 'cs', priority => 30, segment_filter => $$account.started_on > date '2026-05-01'$$);
SELECT healthscore.create_model('enterprise', accounts => 'app.accounts', key => 'account_id', value => 'arr',
	   owner => 'csm', model_group => 'cs', priority => 20, segment_filter => $$account.segment = 'enterprise'$$,
	   overrides_lower_only => true, tier_cutoffs => '{35,65,85}', tier_labels => '{red,orange,yellow,green}');
SELECT healthscore.create_model('cs_default', accounts => 'app.accounts', key => 'account_id', value => 'arr',
	   model_group => 'cs', priority => 0);
SELECT healthscore.add_signal(m, 'events_14d', source => 'app.usage_events', key => 'account_id',
	   expression => 'count(*)', time_column => 'ts', lookback => '14 days', scoring => 'linear',
	   worst => 0, best => 20, missing => 'zero')
FROM unnest(ARRAY['onboarding', 'enterprise', 'cs_default']) AS m;
SELECT healthscore.add_signal('enterprise', 'exec_relationship', scoring => 'assessment',
	   factor => 'executive relationship', weight => 2, category => 'relationship');
SELECT healthscore.assess('4', 'executive relationship', rating => 4, note => 'CFO joined the QBR',
	   valid_for => '90 days', assessed_at => '2026-06-01') > 0 AS rated;
SELECT healthscore.assess('8', 'executive relationship', points => 35, note => 'sponsor on leave',
	   valid_for => '30 days', assessed_at => '2026-06-10') > 0 AS rated;
SELECT healthscore.assess('12', 'business value', rating => 2, assessed_at => '2026-06-15') > 0 AS rated;
SELECT count(*) AS group_runs FROM healthscore.refresh_group('cs', '2026-06-23 12:00');
SELECT healthscore.set_override('enterprise', '8', 'red', 'budget freeze', expires_at => '2026-07-15',
	   set_at => '2026-06-24');
SELECT count(*) AS group_runs FROM healthscore.refresh_group('cs', '2026-06-30 12:00');
SELECT healthscore.clear_override('enterprise', '8', at => '2026-07-01') AS cleared;
INSERT INTO healthscore.success_factors (factor, description) VALUES ('data quality', 'the customer''s data is clean');
INSERT INTO healthscore.churn_reasons (reason, owners) VALUES ('acquired', 'executive sponsor');
-- a model with no history yet
SELECT healthscore.create_model('empty', accounts => 'app.accounts', key => 'account_id');

-- a reader who sees the accounts it is the CSM of, and an administrator
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON app.accounts FOR SELECT USING (csm = current_user);
GRANT USAGE ON SCHEMA app TO :"reader", :"admin";
GRANT SELECT ON ALL TABLES IN SCHEMA app TO :"reader", :"admin";
SELECT healthscore.grant_reader(:'reader');
SELECT healthscore.grant_admin(:'admin');

-- A user's own view over the aggregates whose state types 0.2.0 changes (internal to real
-- types): the update must keep it working, with the same results.
CREATE VIEW app.usage_summary AS
SELECT e.account_id,
       healthscore.distinct_count(e.user_id) AS users,
       healthscore.distinct_count(e.feature) AS features,
       healthscore.distinct_count(md5(e.feature)::uuid) AS feature_ids,
       healthscore.stickiness(e.user_id, e.ts) AS stickiness,
       healthscore.auc(e.user_id::float8, e.feature = 'login') AS auc,
       (SELECT (f.fit).rows::text || ' rows, slope ' || round(((f.fit).coefficients[2])::numeric, 6)
        FROM (SELECT healthscore.logistic_fit(u.feature = 'login', ARRAY[(u.user_id % 7)::float8]) AS fit
              FROM app.usage_events AS u) AS f) AS fit
FROM app.usage_events AS e GROUP BY e.account_id;

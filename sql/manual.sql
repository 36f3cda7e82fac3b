-- Manual input on a segment group: segment models (filters, priorities, a default), assessments of
-- success factors at their exact expiry, overrides (reason, expiry, lowering only) and playbooks.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA seg;
CREATE TABLE seg.accounts (account_id integer PRIMARY KEY, segment text, arr numeric, started date, csm text);
INSERT INTO seg.accounts VALUES
  (1, 'enterprise', 90000, '2024-01-01', 'ana'),
  (2, 'enterprise', 80000, '2026-06-01', 'ana'),   -- enterprise and onboarding: priority decides
  (3, 'smb', 5000, '2025-01-01', 'bo'),
  (4, 'smb', 4000, '2026-06-10', 'bo'),            -- onboarding
  (5, 'partner', 7000, '2023-01-01', 'bo'),        -- matches no filter
  (6, 'enterprise', 60000, '2024-03-01', 'ana'),
  (7, 'enterprise', 50000, '2024-05-01', 'ana');
CREATE TABLE seg.events (account_id integer, ts timestamptz);
INSERT INTO seg.events SELECT a, timestamptz '2026-06-30' - d * interval '1 day'
FROM generate_series(1, 7) AS a, generate_series(1, 3 * a) AS d;

-- three models share the accounts: onboarding (priority 20) beats enterprise (10); no default yet
SELECT healthscore.create_model('onboarding', accounts => 'seg.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', model_group => 'cs', priority => 20,
       segment_filter => $$account.started > date '2026-06-30' - 90$$);
SELECT healthscore.create_model('enterprise', accounts => 'seg.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', model_group => 'cs', priority => 10, segment_filter => $$account.segment = 'enterprise'$$,
       overrides_lower_only => true);
SELECT healthscore.create_model('smb', accounts => 'seg.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', model_group => 'cs', priority => 5, segment_filter => $$account.segment = 'smb'$$);
SELECT healthscore.add_signal(m, 'events_14d', source => 'seg.events', key => 'account_id', expression => 'count(*)',
       time_column => 'ts', lookback => '14 days', scoring => 'linear', worst => 0, best => 14, missing => 'zero',
       weight => 2)
FROM unnest('{onboarding,enterprise,smb}'::text[]) AS m;
-- enterprise accounts are also rated by their CSM (executive relationship)
SELECT healthscore.add_signal('enterprise', 'exec_relationship', scoring => 'assessment',
       factor => 'executive relationship', weight => 1, category => 'relationship');
SELECT name, model_group, priority, segment_filter FROM healthscore.models ORDER BY priority DESC;

-- ratings: one current, one that expires exactly at the refresh (treated as missing), one later
SELECT healthscore.assess('1', 'executive relationship', rating => 5, note => 'CFO sponsor', valid_for => '90 days',
                          assessed_at => '2026-06-01') > 0 AS rated;
SELECT healthscore.assess('1', 'executive relationship', rating => 1, note => 'after the refresh',
                          assessed_at => '2026-07-01') > 0 AS rated_later;
SELECT healthscore.assess('6', 'executive relationship', points => 80, valid_for => '30 days',
                          assessed_at => '2026-05-31') > 0 AS rated_expiring;
SELECT account_key, factor, rating, points, note, assessed_at, valid_for FROM healthscore.assessments ORDER BY assessment_id;

SELECT count(*) AS runs FROM healthscore.refresh_group('cs', '2026-06-30');
-- every account scored by exactly one model, the highest-priority match; the partner account by none
SELECT account_key, model, model_group, round(score::numeric, 1) AS score, tier
FROM healthscore.current_scores WHERE model_group = 'cs' ORDER BY account_key::int;
SELECT * FROM healthscore.unscored_accounts;
-- account 1: the rating of June 1 counts (5 = 100 points), the one of July 1 is after the refresh;
-- account 6: rated May 31 for 30 days, expired at June 30 00:00 exactly: missing, weight redistributed;
-- account 7: never rated
SELECT account_key, signal, raw_value, points, round(weight_share::numeric, 3) AS share
FROM healthscore.score_components WHERE model = 'enterprise' ORDER BY account_key::int, signal;

-- what needs a new rating, as of now: account 1 rated recently, 6 expiring within 14 days, 7 expired
-- (ratings relative to now(), as the view is; only the status is shown)
DELETE FROM healthscore.assessments;
SELECT healthscore.assess('1', 'executive relationship', rating => 4, valid_for => '90 days', assessed_at => now() - interval '10 days') > 0 AS fresh,
       healthscore.assess('6', 'executive relationship', rating => 4, valid_for => '90 days', assessed_at => now() - interval '80 days') > 0 AS expiring,
       healthscore.assess('7', 'executive relationship', rating => 4, valid_for => '90 days', assessed_at => now() - interval '91 days') > 0 AS expired;
SELECT model, account_key, factor, status, owner FROM healthscore.stale_assessments ORDER BY account_key::int;
DELETE FROM healthscore.assessments WHERE account_key = '7';
SELECT account_key, status FROM healthscore.stale_assessments ORDER BY account_key::int;

-- a default model (no filter, lowest priority) picks up what the segments leave
SELECT healthscore.create_model('cs_default', accounts => 'seg.accounts', key => 'account_id', model_group => 'cs',
       priority => 0);
SELECT healthscore.add_signal('cs_default', 'events_14d', source => 'seg.events', key => 'account_id', expression => 'count(*)',
       time_column => 'ts', lookback => '14 days', scoring => 'linear', worst => 0, best => 14, missing => 'zero');
SELECT count(*) AS runs FROM healthscore.refresh_group('cs', '2026-06-30');
SELECT account_key, model FROM healthscore.current_scores WHERE model_group = 'cs' ORDER BY account_key::int;
SELECT count(*) AS unscored FROM healthscore.unscored_accounts;

-- overrides: reason and expiry are mandatory; enterprise allows only lowering
SELECT * FROM error_of($$SELECT healthscore.set_override('smb', '3', 'green', '', '2026-08-01', '2026-06-15')$$);
SELECT * FROM error_of($$SELECT healthscore.set_override('smb', '3', 'green', 'champion promoted', NULL, '2026-06-15')$$);
SELECT * FROM error_of($$SELECT healthscore.set_override('smb', '3', 'purple', 'x', '2026-08-01', '2026-06-15')$$);
SELECT * FROM error_of($$SELECT healthscore.set_override('enterprise', '1', 'green', 'looks fine to me', '2026-08-01', '2026-06-15')$$);
SELECT healthscore.set_override('enterprise', '1', 'red', 'budget freeze announced', '2026-07-15', '2026-06-15') > 0 AS lowered;
-- an override that ends exactly at the next refresh no longer applies there
SELECT healthscore.set_override('smb', '3', 'green', 'champion promoted', '2026-07-07', '2026-06-15') > 0 AS raised;
SELECT count(*) AS runs FROM healthscore.refresh_group('cs', '2026-06-30');
SELECT account_key, model, tier, computed_tier, overridden, override_reason, override_expires_at
FROM healthscore.current_scores WHERE model_group = 'cs' AND overridden ORDER BY account_key::int;
SELECT count(*) AS runs FROM healthscore.refresh_group('cs', '2026-07-07');
SELECT account_key, tier, computed_tier, overridden FROM healthscore.current_scores
WHERE model_group = 'cs' AND account_key IN ('1', '3') ORDER BY account_key::int;
SELECT healthscore.clear_override('enterprise', '1', '2026-07-08') AS cleared;
SELECT healthscore.clear_override('enterprise', '1', '2026-07-08') AS cleared_again;

-- playbooks: the most specific action wins, with its owner role (account 3 is yellow, events_14d worst)
SELECT healthscore.add_playbook('smb', 'Digital nurture campaign', tier => 'yellow', owner_role => 'marketing') > 0 AS p1;
SELECT healthscore.add_playbook('smb', 'Usage review call', signal => 'events_14d', owner_role => 'CSM') > 0 AS p2;
SELECT healthscore.add_playbook('smb', 'Escalate to the account executive', tier => 'yellow', signal => 'events_14d',
                                owner_role => 'account executive') > 0 AS p3;
SELECT account_key, tier, worst_signal, action, action_owner FROM healthscore.risk_list WHERE model = 'smb';
DELETE FROM healthscore.playbooks WHERE model = 'smb' AND tier IS NOT NULL AND signal IS NOT NULL;
SELECT account_key, action, action_owner FROM healthscore.risk_list WHERE model = 'smb';
DELETE FROM healthscore.playbooks WHERE model = 'smb' AND signal IS NOT NULL;
SELECT account_key, action, action_owner FROM healthscore.risk_list WHERE model = 'smb';
-- adding again replaces the action of the same tier and signal
SELECT healthscore.add_playbook('smb', 'Quarterly business review', tier => 'yellow', owner_role => 'CSM') > 0 AS replaced;
SELECT account_key, action, action_owner FROM healthscore.risk_list WHERE model = 'smb';
SELECT * FROM error_of($$SELECT healthscore.add_playbook('smb', 'x')$$);
SELECT * FROM error_of($$SELECT healthscore.add_playbook('smb', 'x', signal => 'nope')$$);

-- definition errors of segments and assessments
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'seg.accounts', key => 'account_id', segment_filter => 'true')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'seg.accounts', key => 'account_id', model_group => 'cs', priority => 10)$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'seg.accounts', key => 'account_id', model_group => 'cs', priority => 7, segment_filter => 'account.nope = 1')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'seg.accounts', key => 'account_id', model_group => 'cs', priority => 7, segment_filter => 'account.segment')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'seg.events', key => 'account_id', model_group => 'cs', priority => 7)$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('smb', 'x', scoring => 'assessment', factor => 'vibes')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('smb', 'x', 'seg.events', 'account_id', 'count(*)', scoring => 'assessment', factor => 'business value')$$);
SELECT * FROM error_of($$SELECT healthscore.assess('1', 'vibes', rating => 3)$$);
SELECT * FROM error_of($$SELECT healthscore.assess('1', 'business value', rating => 6)$$);
SELECT * FROM error_of($$SELECT healthscore.assess('1', 'business value', rating => 3, points => 50)$$);
SELECT * FROM error_of($$SELECT healthscore.assess('1', 'business value', points => 120)$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.refresh_group('nope')$$);
SELECT * FROM error_of($$UPDATE healthscore.models SET name = 'renamed' WHERE name = 'smb'$$);
SELECT factor FROM healthscore.success_factors ORDER BY factor;

-- dropping a model takes its overrides and playbooks along
SELECT healthscore.drop_model(m) FROM unnest('{onboarding,enterprise,smb,cs_default}'::text[]) AS m;
SELECT (SELECT count(*) FROM healthscore.overrides) AS overrides, (SELECT count(*) FROM healthscore.playbooks) AS playbooks;
DELETE FROM healthscore.assessments;
DROP SCHEMA seg CASCADE;

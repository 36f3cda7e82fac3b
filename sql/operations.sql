-- Operations: run() records attempts (running, succeeded, failed with the error) that model_runs and
-- model_status show; how often a model is expected and whether it is overdue; stale sources
-- (max_age) count as missing and are flagged; check_model() lists what is wrong with a model.
-- Stands alone: its own schema, tables and roles, all removed at the end. (pg_cron end to end:
-- test/cron.sh.)
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA ops;
CREATE TABLE ops.accounts (account_id integer PRIMARY KEY, segment text, csm text);
INSERT INTO ops.accounts SELECT i, CASE WHEN i <= 3 THEN 'enterprise' ELSE 'smb' END, 'csm_' || (i % 2)
FROM generate_series(1, 6) AS i;
-- account i has i events on the days before 2026-06-30 (account 6 none); the newest is 2026-06-29
CREATE TABLE ops.events (account_id integer, ts timestamptz);
INSERT INTO ops.events SELECT a, timestamptz '2026-06-30' - d * interval '1 day'
FROM generate_series(1, 5) AS a, generate_series(1, a) AS d;
CREATE TABLE ops.tickets (account_id integer, opened_on date);
INSERT INTO ops.tickets VALUES (1, '2026-05-01'), (2, '2026-05-02');

CREATE ROLE hs_ops_admin;
CREATE ROLE hs_ops_reader;
SELECT healthscore.grant_admin('hs_ops_admin');
SELECT healthscore.grant_reader('hs_ops_reader');
GRANT USAGE ON SCHEMA ops TO hs_ops_admin, hs_ops_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO hs_ops_admin, hs_ops_reader;

SET ROLE hs_ops_admin;
SELECT healthscore.create_model('ops', accounts => 'ops.accounts', key => 'account_id', segment => 'segment');
SELECT healthscore.add_signal('ops', 'events_30d', source => 'ops.events', key => 'account_id', expression => 'count(*)',
       time_column => 'ts', lookback => '30 days', scoring => 'linear', worst => 0, best => 5, max_age => '3 days');
SELECT healthscore.add_signal('ops', 'tickets', source => 'ops.tickets', key => 'account_id', expression => 'count(*)',
       time_column => 'opened_on', scoring => 'bands', breaks => '{1}', points => '{100,0}', missing => 'value',
       missing_value => 100);

-- 1. run() records an attempt and the run it wrote
CALL healthscore.run('ops', '2026-06-30 06:00+00');
SELECT model, run_id IS NOT NULL AS has_run, as_of, status, error, attempt_id, recency, stale_signals FROM healthscore.model_runs ORDER BY started_at;
SELECT a.attempt_id, a.model, a.status, a.run_id = r.run_id AS its_run, a.error_sqlstate
FROM healthscore.attempts AS a LEFT JOIN healthscore.runs AS r ON r.model = a.model AND r.as_of = a.as_of;

-- 2. A failed run: the refresh rolls back, the failed attempt stays with the error, which is
-- raised again for the caller (pg_cron's job_run_details); the run before stays current
RESET ROLE;
ALTER TABLE ops.tickets RENAME TO tickets_moved;
SET ROLE hs_ops_admin;
CALL healthscore.run('ops', '2026-07-01 06:00+00');
SELECT model, run_id IS NOT NULL AS has_run, as_of, status, error, attempt_id, recency FROM healthscore.model_runs ORDER BY started_at;
SELECT DISTINCT c.scored_at AS current_as_of FROM healthscore.current_scores AS c WHERE c.model = 'ops';
-- a reader sees that it failed and the SQLSTATE, not the text (errors may quote row values)
RESET ROLE;
SET ROLE hs_ops_reader;
SELECT model, status, error FROM healthscore.model_runs WHERE status = 'failed';
SELECT * FROM error_of($$SELECT error_message FROM healthscore.attempts$$);
RESET ROLE;
SET ROLE hs_ops_admin;
-- a plain refresh() keeps all or nothing for its caller: the same failure leaves no attempt
SELECT count(*) AS attempts_before FROM healthscore.attempts;
SELECT * FROM error_of($$SELECT healthscore.refresh('ops', '2026-07-01 06:00+00')$$);
SELECT count(*) AS attempts_after FROM healthscore.attempts;
RESET ROLE;
ALTER TABLE ops.tickets_moved RENAME TO tickets;
SET ROLE hs_ops_admin;
-- run() commits, so it cannot run inside a transaction block
BEGIN;
CALL healthscore.run('ops', '2026-07-01 06:00+00');
ROLLBACK;
SELECT * FROM error_of($$CALL healthscore.run('nope')$$);
SELECT * FROM error_of($$CALL healthscore.run(NULL)$$);
SELECT * FROM error_of($$CALL healthscore.run('ops', 'infinity')$$);

-- 3. An attempt whose session ended while it ran (crash, kill, restart) reads as failed; one that
-- still runs holds its lock, and reads as running
RESET ROLE;
INSERT INTO healthscore.attempts (model, as_of, started_at, backend_pid)
VALUES ('ops', '2026-07-02 06:00+00', '2026-07-02 06:00+00', 0), ('ops', '2026-07-03 06:00+00', '2026-07-03 06:00+00', pg_backend_pid());
SELECT pg_advisory_lock(k.class, k.id) IS NULL AS locked
FROM healthscore.attempts AS a, healthscore_internal.attempt_lock(a.attempt_id) AS k WHERE a.as_of = '2026-07-03 06:00+00';
SELECT as_of, status, error FROM healthscore.model_runs WHERE run_id IS NULL ORDER BY started_at;
SELECT pg_advisory_unlock_all();
SELECT as_of, status FROM healthscore.model_runs WHERE as_of = '2026-07-03 06:00+00';
DELETE FROM healthscore.attempts WHERE as_of >= '2026-07-02';
SET ROLE hs_ops_admin;

-- 4. Stale sources: the newest event is from 2026-06-29; as of 2026-07-05 that is more than
-- max_age (3 days) ago, so events_30d is missing for every account (skip: its weight goes to
-- tickets), with a warning, and the run, the components and the views say so
CALL healthscore.run('ops', '2026-07-05 06:00+00');
SELECT account_key, score, stale_signals FROM healthscore.current_scores WHERE model = 'ops' ORDER BY account_key;
SELECT account_key, signal, raw_value, points, stale FROM healthscore.score_components
WHERE model = 'ops' AND account_key IN ('1', '6') ORDER BY account_key, signal;
SELECT model, stale_signals, stale_sources, last_status FROM healthscore.model_status;
-- under missing => 'zero' a stale signal counts 0 points, still flagged
SELECT healthscore.alter_signal('ops', 'events_30d', missing => 'zero');
SELECT healthscore.refresh('ops', '2026-07-05 06:00+00') > 0 AS refreshed;
SELECT account_key, raw_value, points, stale FROM healthscore.score_components
WHERE model = 'ops' AND signal = 'events_30d' ORDER BY account_key;
-- a source with no rows at all up to the as-of time is stale too
SELECT healthscore.refresh('ops', '2026-06-01 06:00+00') > 0 AS refreshed;
SELECT r.as_of, r.stale, r.newest_rows FROM healthscore.runs AS r WHERE r.model = 'ops' ORDER BY r.as_of;
-- max_age is cleared with clear => '{max_age}' (a NULL argument keeps it); the fingerprint
-- changes with it (runs with and without it are not comparable), and is back when it is back
SELECT healthscore.fingerprint('ops') AS with_max_age \gset
SELECT healthscore.alter_signal('ops', 'events_30d', missing => 'skip', clear => '{max_age}');
SELECT name, max_age FROM healthscore.signals WHERE model = 'ops' ORDER BY position;
SELECT healthscore.fingerprint('ops') <> :'with_max_age' AS fingerprint_changed;
SELECT healthscore.alter_signal('ops', 'events_30d', max_age => '3 days');
SELECT healthscore.fingerprint('ops') = :'with_max_age' AS fingerprint_back;
SELECT * FROM error_of($$SELECT healthscore.alter_signal('ops', 'events_30d', clear => '{weight}')$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('ops', 'events_30d', max_age => '-1 day')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('ops', 'x', source => 'ops.events', key => 'account_id', expression => 'count(*)', max_age => '1 day')$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('ops', 'x', scoring => 'assessment', factor => 'business value', max_age => '1 day')$$);

-- 5. Expected every: overdue when the current run is older than expected_every plus a grace
SELECT healthscore.set_expected_every('ops', '1 day');
SELECT model, expected_every, overdue, last_success_as_of FROM healthscore.model_status;
SELECT DISTINCT stale FROM healthscore.current_scores WHERE model = 'ops';
SET client_min_messages = error;	-- the stale-source warning names the time
CALL healthscore.run('ops');	-- as of now
RESET client_min_messages;
SELECT model, overdue FROM healthscore.model_status;
SELECT DISTINCT stale FROM healthscore.risk_list WHERE model = 'ops';
RESET ROLE;
DELETE FROM healthscore.runs WHERE model = 'ops' AND as_of > '2026-08-01';	-- the run as of now
SET ROLE hs_ops_admin;
SELECT healthscore.set_expected_every('ops', NULL);
SELECT * FROM error_of($$SELECT healthscore.set_expected_every('ops', '0 days')$$);
SELECT * FROM error_of($$SELECT healthscore.set_expected_every('nope', '1 day')$$);
-- the period of the common cron forms
SELECT c AS cron, healthscore_internal.cron_interval(c) AS every
FROM unnest(ARRAY['* * * * *', '*/15 * * * *', '5 * * * *', '0 */6 * * *', '0 3 * * *', '0 3 * * 1', '0 3 * * sun',
                  '0 3 1 * *', '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '0 3 * * 1-5', '0 3,15 * * *',
                  '0 3 * 1 *', 'not a schedule']) AS c;

-- 6. check_model(): as of now the events are months old (warnings), then errors
SELECT * FROM healthscore.check_model('ops');
-- a column that is gone is an error, and refresh() fails with the same message first
RESET ROLE;
ALTER TABLE ops.tickets RENAME COLUMN opened_on TO opened_at;
SET ROLE hs_ops_admin;
SELECT * FROM healthscore.check_model('ops');
SELECT * FROM error_of($$SELECT healthscore.refresh('ops', '2026-07-05 06:00+00')$$);
RESET ROLE;
ALTER TABLE ops.tickets RENAME COLUMN opened_at TO opened_on;
-- privileges its author lacks: errors naming the author and the grant to make
REVOKE SELECT ON ops.tickets FROM hs_ops_admin;
SELECT * FROM healthscore.check_model('ops');
SELECT * FROM error_of($$SELECT healthscore.refresh('ops', '2026-07-05 06:00+00')$$);
GRANT SELECT ON ops.tickets TO hs_ops_admin;
REVOKE USAGE ON SCHEMA ops FROM hs_ops_admin;
SELECT severity, object, problem, hint FROM healthscore.check_model('ops');
GRANT USAGE ON SCHEMA ops TO hs_ops_admin;
-- a segment group: a filter matching nobody, and accounts no model scores
SET ROLE hs_ops_admin;
SELECT healthscore.create_model('ops_big', accounts => 'ops.accounts', key => 'account_id', model_group => 'ops_group',
       priority => 2, segment_filter => $$account.segment = 'huge'$$);
SELECT healthscore.add_signal('ops_big', 'tickets', source => 'ops.tickets', key => 'account_id', expression => 'count(*)');
SELECT healthscore.create_model('ops_smb', accounts => 'ops.accounts', key => 'account_id', model_group => 'ops_group',
       priority => 1, segment_filter => $$account.segment = 'smb'$$);
SELECT healthscore.add_signal('ops_smb', 'tickets', source => 'ops.tickets', key => 'account_id', expression => 'count(*)');
CALL healthscore.run('ops_group', '2026-07-05 06:00+00');
SELECT model, run_id IS NOT NULL AS has_run, status FROM healthscore.model_runs WHERE model LIKE 'ops\_%' ORDER BY model;
SELECT severity, object, problem FROM healthscore.check_model('ops_big');
-- a model and a group never share a name (run() takes either)
SELECT * FROM error_of($$SELECT healthscore.create_model('ops_group', accounts => 'ops.accounts', key => 'account_id')$$);
SELECT * FROM error_of($$SELECT healthscore.create_model('x', accounts => 'ops.accounts', key => 'account_id', model_group => 'ops', priority => 9)$$);
SELECT healthscore.drop_model(m) FROM unnest('{ops_big,ops_smb}'::text[]) AS m;

-- 7. A reader without USAGE on the account relation's schema sees no scores, and no error
RESET ROLE;
REVOKE USAGE ON SCHEMA ops FROM hs_ops_reader;
SET ROLE hs_ops_reader;
SELECT count(*) AS visible_scores FROM healthscore.current_scores WHERE model = 'ops';
SELECT model, accounts, accounts_scored FROM healthscore.model_status;
RESET ROLE;

SELECT healthscore.drop_model('ops');
SELECT count(*) AS attempts_left FROM healthscore.attempts;
DROP SCHEMA ops CASCADE;
DROP OWNED BY hs_ops_admin, hs_ops_reader;
DROP ROLE hs_ops_admin, hs_ops_reader;

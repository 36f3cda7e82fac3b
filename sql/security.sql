-- Security: model text runs as exactly one expression, with the privileges of the role that wrote
-- it, never of whoever refreshes; readers see only what row-level security of the account relation
-- lets them see; C code asks the catalog with qualified names only.
-- Stands alone: its own schema, tables and roles, all removed at the end.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA sec;
CREATE TABLE sec.accounts (account_id integer PRIMARY KEY, segment text, arr numeric, csm text, seats integer);
INSERT INTO sec.accounts
SELECT i, CASE WHEN i % 2 = 0 THEN 'enterprise' ELSE 'smb' END, 1000 * i, 'csm_' || (i % 3), 1 + i % 4
FROM generate_series(1, 9) AS i;
CREATE TABLE sec.events (account_id integer, user_id bigint, ts timestamptz);
INSERT INTO sec.events SELECT a, a * 10 + e % 3, timestamptz '2026-06-30' - e * interval '1 day'
FROM generate_series(1, 9) AS a, generate_series(1, 2 * a) AS e;
-- statements that injected text would run leave a row here
CREATE TABLE sec.pwned (how text);
GRANT INSERT ON sec.pwned TO PUBLIC;

CREATE ROLE hs_sec_admin;
CREATE ROLE hs_sec_admin2;
CREATE ROLE hs_sec_reader;
SELECT healthscore.grant_admin('hs_sec_admin');
SELECT healthscore.grant_admin('hs_sec_admin2');
SELECT healthscore.grant_reader('hs_sec_reader');
GRANT USAGE ON SCHEMA sec TO hs_sec_admin, hs_sec_admin2, hs_sec_reader;
GRANT SELECT ON sec.accounts, sec.events TO hs_sec_admin, hs_sec_admin2, hs_sec_reader;

-- 1. Statement injection through model text: a segment filter or an expression that closes its
-- parentheses and appends a statement is refused as not one expression, before anything runs.
SELECT * FROM error_of($$SELECT healthscore.create_model('inj', accounts => 'sec.accounts', key => 'account_id',
       model_group => 'g_inj', priority => 1,
       segment_filter => 'true)) IS TRUE; INSERT INTO sec.pwned VALUES (''create_model''); SELECT ((true')$$);
SELECT healthscore.create_model('sec_m', accounts => 'sec.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', model_group => 'g_sec', priority => 1, segment_filter => $$account.segment = 'smb'$$);
SELECT * FROM error_of($$SELECT healthscore.add_signal('sec_m', 'inj', source => 'sec.events', key => 'account_id',
       expression => 'count(*))::float8 AS x FROM sec.events AS s GROUP BY 1; INSERT INTO sec.pwned VALUES (''add_signal''); SELECT (count(*)',
       scoring => 'linear', worst => 0, best => 10)$$);
-- every way of writing more than one expression is refused, with the part that is not allowed named
SELECT e AS expression, r.state, d.detail
FROM unnest(ARRAY['count(*); SELECT 1', 'count(*), max(s.ts)', 'count(*) AS c', 'count(*) FROM sec.events',
                  'count(*) WHERE true', 'count(*) UNION SELECT 1', 'count(*) ORDER BY 1', 'count(*) LIMIT 1',
                  '*', 's.*', 'count(*) INTO sec.x', 'count(*) GROUP BY 1', 'count(*) HAVING true',
                  'count(*) FOR UPDATE', '', 'count(*) /* unterminated', 'count(*) /* nested /* */']) AS e,
     LATERAL (SELECT format($$SELECT healthscore.add_signal('sec_m', 'x', source => 'sec.events', key => 'account_id',
                                expression => %L, scoring => 'points')$$, e) AS call) AS c,
     LATERAL error_of(c.call) AS r, LATERAL error_detail_of(c.call) AS d;
-- the message and hint of one of them
SELECT * FROM error_of($$SELECT healthscore.add_signal('sec_m', 'x', source => 'sec.events', key => 'account_id',
                         expression => 'count(*), max(s.ts)', scoring => 'points')$$);
-- a comment at the end is fine: the text is wrapped on lines of its own
SELECT healthscore.add_signal('sec_m', 'events', source => 'sec.events', key => 'account_id',
       expression => 'count(*) -- all events', time_column => 'ts', scoring => 'linear', worst => 0, best => 10);
SELECT * FROM sec.pwned;

-- 2. Direct writes to the tables go through the same check (grant_admin can write them), and
-- they make the writer the author of the text.
SET ROLE hs_sec_admin;
SELECT * FROM error_of($$UPDATE healthscore.signals SET expression = 'count(*)); INSERT INTO sec.pwned VALUES (''update''); SELECT ((1'
                         WHERE model = 'sec_m' AND name = 'events'$$);
SELECT * FROM error_of($$UPDATE healthscore.models SET segment_filter = 'true; INSERT INTO sec.pwned VALUES (''filter'')'
                         WHERE name = 'sec_m'$$);
RESET ROLE;
SELECT * FROM sec.pwned;
-- text stored before 0.2.0 (simulated: the check switched off) is checked again when it would run
ALTER TABLE healthscore.models DISABLE TRIGGER USER;
UPDATE healthscore.models SET segment_filter = 'true)) IS TRUE; INSERT INTO sec.pwned VALUES (''refresh''); SELECT ((true'
WHERE name = 'sec_m';
ALTER TABLE healthscore.models ENABLE TRIGGER USER;
SELECT * FROM error_of($$SELECT healthscore.refresh('sec_m', '2026-06-30')$$);
SELECT * FROM error_of($$SELECT * FROM healthscore.unscored_accounts$$);
SELECT * FROM sec.pwned;
UPDATE healthscore.models SET segment_filter = $$account.segment = 'smb'$$ WHERE name = 'sec_m';

-- 3. Who wrote the text is recorded; a refresh runs it with that role's privileges, whoever
-- refreshes. The expression reports the role it runs as (the length of its name) as its raw value.
SELECT name, defined_by FROM healthscore.models WHERE name = 'sec_m';
SET ROLE hs_sec_admin;
SELECT healthscore.create_model('sec_admin', accounts => 'sec.accounts', key => 'account_id', owner => 'csm');
SELECT healthscore.add_signal('sec_admin', 'whoami', source => 'sec.events', key => 'account_id',
       expression => 'max(pg_catalog.length(current_user))', scoring => 'linear', worst => 0, best => 100);
RESET ROLE;
SELECT model, name, defined_by FROM healthscore.signals WHERE model = 'sec_admin';
-- the superuser refreshes: the expression runs as hs_sec_admin (12 characters)
SELECT healthscore.refresh('sec_admin', '2026-06-30') > 0 AS refreshed_by_superuser;
SELECT DISTINCT raw_value AS length_of_role FROM healthscore.components WHERE model = 'sec_admin';
-- an expression that reads what its author may not read fails, even when a superuser refreshes
SET ROLE hs_sec_admin;
UPDATE healthscore.signals SET expression = 'count(*) + (SELECT pg_catalog.count(*) FROM pg_catalog.pg_authid)'
WHERE model = 'sec_admin' AND name = 'whoami';
RESET ROLE;
SELECT * FROM error_of($$SELECT healthscore.refresh('sec_admin', '2026-06-30')$$);
-- model text cannot change the role it runs as
SET ROLE hs_sec_admin;
UPDATE healthscore.signals SET expression = $$count(*) + pg_catalog.length(pg_catalog.set_config('role', 'postgres', true))$$
WHERE model = 'sec_admin' AND name = 'whoami';
RESET ROLE;
SELECT * FROM error_of($$SELECT healthscore.refresh('sec_admin', '2026-06-30')$$);
-- changing only a weight does not make the superuser the author of the expression
SET ROLE hs_sec_admin;
UPDATE healthscore.signals SET expression = 'max(pg_catalog.length(current_user))'
WHERE model = 'sec_admin' AND name = 'whoami';
RESET ROLE;
SELECT healthscore.set_weight('sec_admin', 'whoami', 3);
SELECT name, defined_by, weight FROM healthscore.signals WHERE model = 'sec_admin';
-- a defined_by written by hand is ignored: the writer is recorded
SET ROLE hs_sec_admin2;
UPDATE healthscore.signals SET defined_by = 'postgres', description = 'forged' WHERE model = 'sec_admin';
UPDATE healthscore.signals SET defined_by = 'postgres', expression = 'max(pg_catalog.length(current_user)) + 0'
WHERE model = 'sec_admin';
RESET ROLE;
SELECT name, defined_by FROM healthscore.signals WHERE model = 'sec_admin';
-- two authors neither of whom has the other's privileges: the refresh refuses and says what to do
SELECT * FROM error_of($$SELECT healthscore.refresh('sec_admin', '2026-06-30')$$);
-- the superuser's own text beside an admin's runs as the admin (the superuser has its privileges)
SET ROLE hs_sec_admin;
SELECT healthscore.adopt_model('sec_admin');
RESET ROLE;
SELECT healthscore.add_signal('sec_admin', 'seats', source => 'sec.events', key => 'account_id',
       expression => 'max(account.seats)', scoring => 'linear', worst => 0, best => 4);
SELECT name, defined_by FROM healthscore.signals WHERE model = 'sec_admin' ORDER BY position;
SELECT healthscore.refresh('sec_admin', '2026-06-30') > 0 AS refreshed;
SELECT DISTINCT raw_value AS length_of_role FROM healthscore.components AS c
JOIN healthscore.model_runs AS r ON r.run_id = c.run_id AND r.recency = 1
WHERE c.model = 'sec_admin' AND c.signal = 'whoami';
-- a model whose author no longer exists cannot run
CREATE ROLE hs_sec_gone;
SELECT healthscore.grant_admin('hs_sec_gone');
GRANT USAGE ON SCHEMA sec TO hs_sec_gone;
GRANT SELECT ON sec.accounts, sec.events TO hs_sec_gone;
SET ROLE hs_sec_gone;
SELECT healthscore.create_model('sec_gone', accounts => 'sec.accounts', key => 'account_id');
SELECT healthscore.add_signal('sec_gone', 'n', source => 'sec.events', key => 'account_id', expression => 'count(*)',
       scoring => 'linear', worst => 0, best => 10);
RESET ROLE;
DROP OWNED BY hs_sec_gone;
DROP ROLE hs_sec_gone;
SELECT * FROM error_of($$SELECT healthscore.refresh('sec_gone', '2026-06-30')$$);
SELECT healthscore.drop_model('sec_gone');

-- 5. The catalog queries of account_visible() resolve nothing through the reader's search_path: a
-- planted = (text, text) ahead of pg_catalog is never called.
CREATE SCHEMA sec_planted;
CREATE FUNCTION sec_planted.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO sec.pwned VALUES ('planted = called by ' || current_user);
	RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR sec_planted.= (FUNCTION = sec_planted.text_eq, LEFTARG = text, RIGHTARG = text);
GRANT USAGE ON SCHEMA sec_planted TO hs_sec_reader;
ALTER TABLE sec.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON sec.accounts FOR SELECT USING (csm = 'csm_' || pg_catalog.right(current_user, 1));
ALTER ROLE hs_sec_reader RENAME TO hs_sec_reader_1;
SELECT healthscore.refresh('sec_m', '2026-06-30') > 0 AS refreshed;
SET ROLE hs_sec_reader_1;
SET search_path = sec_planted, pg_catalog;
SELECT pg_catalog.count(*) AS visible_scores FROM healthscore.current_scores
WHERE model OPERATOR(pg_catalog.=) 'sec_m';
RESET search_path;
RESET ROLE;
SELECT * FROM sec.pwned;

-- 6. Readers see overrides and assessments only of the accounts they may see, and run totals only
-- of those accounts.
SELECT healthscore.add_signal('sec_m', 'exec', scoring => 'assessment', factor => 'executive relationship');
SELECT healthscore.set_override('sec_m', k::text, 'red', 'note about account ' || k, '2026-12-31', '2026-06-01') > 0
FROM generate_series(1, 9, 2) AS k;
SELECT healthscore.assess(k::text, 'executive relationship', rating => 3, note => 'private note on ' || k,
                          assessed_at => '2026-06-15') > 0
FROM generate_series(1, 9) AS k;
SELECT healthscore.refresh('sec_m', '2026-06-30') > 0 AS refreshed;
SET ROLE hs_sec_reader_1;
SELECT string_agg(account_key, ',' ORDER BY account_key) AS visible_accounts FROM healthscore.current_scores
WHERE model = 'sec_m';
SELECT string_agg(account_key || ': ' || reason, '; ' ORDER BY account_key) AS visible_overrides FROM healthscore.overrides;
SELECT string_agg(account_key || ': ' || note, '; ' ORDER BY account_key) AS visible_notes FROM healthscore.assessments;
SELECT accounts, accounts_scored FROM healthscore.model_runs WHERE model = 'sec_m' AND recency = 1;
SELECT * FROM error_of($$SELECT accounts FROM healthscore.runs$$);
RESET ROLE;
SELECT accounts, accounts_scored FROM healthscore.model_runs WHERE model = 'sec_m' AND recency = 1;

-- 7. Relations a model names are code too (a view can call any function, as whoever reads it):
-- the refresh reads them as the author, and so do the views that serve readers; a reader reads an
-- account relation as itself only when its owner is trusted. A view records who runs it.
CREATE TABLE sec.callers (role text, what text);
GRANT INSERT ON sec.callers TO PUBLIC;
CREATE FUNCTION sec.record_caller(what text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	INSERT INTO sec.callers VALUES (current_user, what);
	RETURN true;
END $$;
CREATE TABLE sec.plain (account_id integer PRIMARY KEY);
INSERT INTO sec.plain SELECT generate_series(1, 6);
GRANT SELECT ON sec.plain TO hs_sec_admin;
GRANT CREATE ON SCHEMA sec TO hs_sec_admin;
SET ROLE hs_sec_admin;
CREATE VIEW sec.admin_accounts AS SELECT * FROM sec.plain WHERE sec.record_caller('accounts');
CREATE VIEW sec.admin_churn AS SELECT account_id, date '2026-02-20' AS churned_on FROM sec.plain
	WHERE account_id = 3 AND sec.record_caller('outcomes');
GRANT SELECT ON sec.admin_accounts, sec.admin_churn TO hs_sec_reader_1;
SELECT healthscore.create_model('sec_views', accounts => 'sec.admin_accounts', key => 'account_id',
       model_group => 'g_views', priority => 1, segment_filter => 'account.account_id < 5');
SELECT healthscore.add_signal('sec_views', 'events', source => 'sec.events', key => 'account_id',
       expression => 'count(*)', scoring => 'linear', worst => 0, best => 10);
SELECT healthscore.set_outcomes('sec_views', 'sec.admin_churn', key => 'account_id', churned_on => 'churned_on');
RESET ROLE;
-- the superuser refreshes, evaluates and lists unscored accounts: the views run as their author
SELECT healthscore.refresh('sec_views', '2026-01-01') > 0 AS refreshed;
SELECT count(*) AS evaluated_runs FROM healthscore.evaluate('sec_views', known_until => '2026-06-30');
SELECT count(*) AS unscored FROM healthscore.unscored_accounts WHERE model_group = 'g_views';
SELECT what, role, count(*) > 0 AS ran FROM sec.callers GROUP BY what, role ORDER BY what, role;
DELETE FROM sec.callers;
-- a reader: hs_sec_admin does not own a trusted relation, so the reader sees none of its accounts
-- (and runs none of its code); once a superuser trusts the owner, it sees its own accounts
SET ROLE hs_sec_reader_1;
SELECT count(*) AS visible_scores FROM healthscore.current_scores WHERE model = 'sec_views';
RESET ROLE;
SELECT count(*) AS calls_by_reader FROM sec.callers WHERE role = 'hs_sec_reader_1';
INSERT INTO healthscore.trusted_owners (owner, note) VALUES ('hs_sec_admin', 'test');
SET ROLE hs_sec_reader_1;
SELECT string_agg(account_key, ',' ORDER BY account_key) AS visible_accounts
FROM healthscore.current_scores WHERE model = 'sec_views';
SELECT * FROM error_of($$INSERT INTO healthscore.trusted_owners (owner) VALUES ('hs_sec_reader_1')$$);
RESET ROLE;
SET ROLE hs_sec_admin;
SELECT * FROM error_of($$INSERT INTO healthscore.trusted_owners (owner) VALUES ('hs_sec_admin2')$$);
RESET ROLE;
DELETE FROM healthscore.trusted_owners;

-- 8. pg_cron is found as the extension it is: a schema cron that someone made in a database
-- without pg_cron is never called (here its job view records the caller)
CREATE SCHEMA cron;
CREATE VIEW cron.job AS SELECT 'healthscore refresh sec_views'::text AS jobname WHERE sec.record_caller('cron');
CREATE FUNCTION cron.unschedule(job text) RETURNS boolean LANGUAGE sql AS 'SELECT sec.record_caller(''cron'')';
SELECT healthscore.drop_model('sec_views');
SELECT state FROM error_of($$SELECT healthscore.schedule('sec_m', '0 3 * * *')$$);	-- 0A000, as pg_cron is set up or not
SELECT count(*) AS cron_calls FROM sec.callers WHERE what = 'cron';
DROP SCHEMA cron CASCADE;

-- 9. A signal whose author is unknown stays unknown when it is moved to another model, so that
-- compiling it (set_weight) is refused rather than done as the caller
SET ROLE hs_sec_admin;
SELECT healthscore.add_signal('sec_admin', 'legacy', source => 'sec.events', key => 'account_id',
       expression => 'count(*)', scoring => 'linear', worst => 0, best => 10);
RESET ROLE;
ALTER TABLE healthscore.signals DISABLE TRIGGER USER;
UPDATE healthscore.signals SET defined_by = NULL WHERE model = 'sec_admin' AND name = 'legacy';
ALTER TABLE healthscore.signals ENABLE TRIGGER USER;
SELECT * FROM error_of($$SELECT healthscore.set_weight('sec_admin', 'legacy', 2)$$);
SET ROLE hs_sec_admin;
UPDATE healthscore.signals SET model = 'sec_m', position = 99 WHERE model = 'sec_admin' AND name = 'legacy';
RESET ROLE;
SELECT model, name, defined_by FROM healthscore.signals WHERE name = 'legacy';
DELETE FROM healthscore.signals WHERE name = 'legacy';

-- 10. Assessments are not keyed by a model: one is visible when its account is a row the reader
-- sees of a model that rates the factor, not whenever some such model's relation is visible whole
CREATE TABLE sec.partners (partner_id integer PRIMARY KEY);
INSERT INTO sec.partners VALUES (100), (101);
GRANT SELECT ON sec.partners TO hs_sec_reader_1;
SELECT healthscore.create_model('sec_partners', accounts => 'sec.partners', key => 'partner_id');
SELECT healthscore.add_signal('sec_partners', 'exec', scoring => 'assessment', factor => 'executive relationship');
SELECT healthscore.assess('100', 'executive relationship', rating => 4, note => 'partner note') > 0 AS rated;
SET ROLE hs_sec_reader_1;
SELECT string_agg(account_key, ',' ORDER BY account_key) AS visible_assessments FROM healthscore.assessments;
RESET ROLE;
SELECT healthscore.drop_model('sec_partners');

-- 11. What stands as the target of SELECT but not in parentheses is refused too
SELECT e AS expression, r.state, d.detail
FROM unnest(ARRAY['count(*);', 'ALL count(*)']) AS e,
     LATERAL (SELECT format($$SELECT healthscore.add_signal('sec_m', 'x', source => 'sec.events', key => 'account_id',
                                expression => %L, scoring => 'points')$$, e) AS call) AS c,
     LATERAL error_of(c.call) AS r, LATERAL error_detail_of(c.call) AS d;

DROP POLICY own_accounts ON sec.accounts;
ALTER TABLE sec.accounts DISABLE ROW LEVEL SECURITY;
SELECT healthscore.drop_model(m) FROM unnest('{sec_m,sec_admin}'::text[]) AS m;
DELETE FROM healthscore.assessments;
DROP SCHEMA sec CASCADE;
DROP SCHEMA sec_planted CASCADE;
DROP OWNED BY hs_sec_admin, hs_sec_admin2, hs_sec_reader_1;
DROP ROLE hs_sec_admin, hs_sec_admin2, hs_sec_reader_1;

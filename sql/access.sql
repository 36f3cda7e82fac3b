-- Privileges and row-level security through the views, on the model of app_model.sql.
\ir sql/include/setup.sql
\ir sql/include/app_model.sql

-- PUBLIC cannot define or refresh models; grant_admin and grant_reader hand out exactly that
CREATE ROLE hs_admin;
CREATE ROLE hs_csm_0;
CREATE ROLE hs_csm_1;
CREATE ROLE hs_nobody;
SELECT healthscore.grant_admin('hs_admin');
SELECT healthscore.grant_reader('hs_csm_0');
SELECT healthscore.grant_reader('hs_csm_1');
GRANT USAGE ON SCHEMA app TO hs_admin, hs_csm_0, hs_csm_1;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO hs_admin, hs_csm_0, hs_csm_1;
SELECT r.rolname, f.fname, has_function_privilege(r.rolname, f.sig, 'EXECUTE') AS can_execute
FROM (VALUES ('hs_nobody'), ('hs_csm_0'), ('hs_admin')) AS r(rolname),
     (VALUES ('refresh', 'healthscore.refresh(text, timestamptz)'),
             ('add_signal', 'healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text, interval, text)'),
             ('grant_reader', 'healthscore.grant_reader(regrole)'),
             ('linear', 'healthscore.linear(float8, float8, float8)')) AS f(fname, sig)
ORDER BY 1, 2;

-- an admin refreshes with its own privileges (not SECURITY DEFINER)
SET ROLE hs_admin;
SELECT healthscore.refresh('default', '2026-07-07 12:00') IS NOT NULL AS admin_refreshed;
RESET ROLE;
SET ROLE hs_csm_0;
SELECT * FROM error_of($$SELECT healthscore.refresh('default')$$);
SELECT * FROM error_of($$DELETE FROM healthscore.runs$$);
-- the scoring query's text is for admins: a reader is refused it plainly, not half way through
-- (it failed on an internal function readers may not call; found by sqlsmith)
SELECT * FROM error_of($$SELECT healthscore.refresh_sql('default')$$);
RESET ROLE;

-- row-level security on the user's account table carries through to every view
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON app.accounts FOR SELECT USING (csm = replace(current_user, 'hs_', ''));
SET ROLE hs_csm_0;
SELECT count(*) AS accounts_in_app, (SELECT count(*) FROM healthscore.current_scores WHERE model = 'default') AS current_scores,
       (SELECT count(*) FROM healthscore.risk_list WHERE model = 'default') AS risk_list,
       (SELECT count(DISTINCT account_key) FROM healthscore.score_components WHERE model = 'default') AS components,
       (SELECT count(DISTINCT account_key) FROM healthscore.score_history WHERE model = 'default') AS history
FROM app.accounts;
SELECT string_agg(account_key, ',' ORDER BY account_key::int) AS visible_keys
FROM healthscore.current_scores WHERE model = 'default';
-- every column of every view: a view that calls an internal function the reader may not run fails
-- only when the column that calls it is read (score_changes' contribution_change did)
CREATE FUNCTION pg_temp.unreadable_views() RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	v regclass;
	failed text[] := '{}';
BEGIN
	FOR v IN SELECT c.oid FROM pg_class AS c WHERE c.relnamespace = 'healthscore'::regnamespace AND c.relkind = 'v'
			 ORDER BY c.relname LOOP
		BEGIN
			EXECUTE format('SELECT * FROM %s', v);
		EXCEPTION WHEN OTHERS THEN
			failed := failed || format('%s: %s', v, SQLERRM);
		END;
	END LOOP;
	RETURN coalesce(nullif(array_to_string(failed, '; '), ''), 'none');
END
$f$;
SELECT pg_temp.unreadable_views() AS views_a_reader_cannot_read;
RESET ROLE;
SET ROLE hs_csm_1;
SELECT string_agg(account_key, ',' ORDER BY account_key::int) AS visible_keys
FROM healthscore.current_scores WHERE model = 'default';
RESET ROLE;
-- a model over a view of the accounts: a view has no row-level security flag of its own, so the
-- visibility of its rows is asked of the view itself (here security_invoker over the RLS table)
CREATE VIEW app.accounts_view WITH (security_invoker = true) AS SELECT * FROM app.accounts;
GRANT SELECT ON app.accounts_view TO hs_csm_0;
SELECT healthscore.create_model('over_view', accounts => 'app.accounts_view', key => 'account_id');
SELECT healthscore.add_signal('over_view', 'events', source => 'app.usage_events', key => 'account_id',
       expression => 'count(*)', scoring => 'linear', worst => 0, best => 50, missing => 'zero');
SELECT healthscore.refresh('over_view', '2026-06-30 12:00') IS NOT NULL AS refreshed;
SET ROLE hs_csm_0;
SELECT string_agg(account_key, ',' ORDER BY account_key::int) AS visible_through_view
FROM healthscore.current_scores WHERE model = 'over_view';
RESET ROLE;
-- an admin maintains the history: it sees every score (and its cascades delete them all)
SET ROLE hs_admin;
SELECT count(*) AS visible_to_admin FROM healthscore.current_scores WHERE model = 'over_view';
SELECT healthscore.drop_model('over_view');
RESET ROLE;
SELECT count(*) AS scores_left_of_dropped_model FROM healthscore.scores AS s
WHERE NOT EXISTS (SELECT FROM healthscore.runs AS r WHERE r.run_id = s.run_id);
DROP VIEW app.accounts_view;
-- without SELECT on the account relation, no account is visible
REVOKE SELECT ON app.accounts FROM hs_csm_1;
SET ROLE hs_csm_1;
SELECT count(*) AS visible_without_access FROM healthscore.scores;
RESET ROLE;
-- the owner sees everything
SELECT count(DISTINCT account_key) AS visible_to_owner FROM healthscore.current_scores WHERE model = 'default';
ALTER TABLE app.accounts DISABLE ROW LEVEL SECURITY;
DROP POLICY own_accounts ON app.accounts;
REVOKE ALL ON ALL TABLES IN SCHEMA app FROM hs_admin, hs_csm_0, hs_csm_1;
REVOKE ALL ON SCHEMA app FROM hs_admin, hs_csm_0, hs_csm_1;
DROP OWNED BY hs_admin, hs_csm_0, hs_csm_1;
DROP ROLE hs_admin, hs_csm_0, hs_csm_1, hs_nobody;
\ir sql/include/app_drop.sql

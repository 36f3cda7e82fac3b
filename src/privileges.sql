-- Privileges. Defining models, refreshing and scheduling write shared tables and run the model
-- author's SQL expressions with the caller's privileges, so PUBLIC may not call them: an
-- administrator grants them with grant_admin(). Reading goes through grant_reader().

-- The one list of what an administrator may call and PUBLIC may not.
CREATE FUNCTION healthscore.admin_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean)',
		'healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text)',
		'healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text)',
		'healthscore.set_weight(text, text, float8)',
		'healthscore.drop_signal(text, text)',
		'healthscore.drop_model(text)',
		'healthscore.check_signal(healthscore.signals, text)',
		'healthscore.refresh(text, timestamptz)',
		'healthscore.backfill(text, timestamptz, timestamptz, interval)',
		'healthscore.schedule(text, text)',
		'healthscore.unschedule(text, boolean)',
		'healthscore.set_outcomes(text, regclass, text, text, text)',
		'healthscore.apply_weights(text, interval, timestamptz, float8)',
		'healthscore.refresh_group(text, timestamptz)',
		'healthscore.set_override(text, text, text, text, timestamptz, timestamptz)',
		'healthscore.clear_override(text, text, timestamptz)',
		'healthscore.add_playbook(text, text, text, text, text)',
		'healthscore.assess(text, text, integer, float8, text, interval, timestamptz)'
	]::regprocedure[]
$$;

COMMENT ON FUNCTION healthscore.admin_functions() IS
'the functions that define, refresh and schedule models: revoked from PUBLIC, granted by grant_admin()';

DO $$
DECLARE
	admin_function regprocedure;
BEGIN
	FOREACH admin_function IN ARRAY healthscore.admin_functions() LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', admin_function);
	END LOOP;
END
$$;

-- The views are security_invoker: a reader needs SELECT on the tables behind them too (and
-- row-level security on those tables limits what they see to the accounts they may see).
CREATE FUNCTION healthscore.grant_reader(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.current_scores, healthscore.score_components, healthscore.risk_list,
		healthscore.score_history, healthscore.tier_changes, healthscore.tier_summary, healthscore.model_runs,
		healthscore.model_accuracy, healthscore.score_drops, healthscore.models, healthscore.signals, healthscore.runs,
		healthscore.scores, healthscore.components, healthscore.churn_reasons, healthscore.success_factors,
		healthscore.playbooks, healthscore.overrides, healthscore.assessments, healthscore.stale_assessments,
		healthscore.unscored_accounts TO %s', role);
END
$$;

COMMENT ON FUNCTION healthscore.grant_reader(regrole) IS
'lets a role read the views (and the tables behind them, which security_invoker views need); row-level security still limits the accounts it sees';

CREATE FUNCTION healthscore.grant_admin(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore.grant_reader(role);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON healthscore.models, healthscore.signals,
		healthscore.runs, healthscore.scores, healthscore.churn_reasons,
		healthscore.success_factors, healthscore.assessments, healthscore.overrides, healthscore.playbooks TO %s', role);
	EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE healthscore.runs_run_id_seq, healthscore.assessments_assessment_id_seq,
		healthscore.overrides_override_id_seq, healthscore.playbooks_playbook_id_seq TO %s', role);
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore.admin_functions()) AS f), role);
END
$$;

COMMENT ON FUNCTION healthscore.grant_admin(regrole) IS
'lets a role define models, refresh and schedule them (it also needs SELECT on the account and source relations)';

-- Granting is for those who own the extension's objects.
REVOKE ALL ON FUNCTION healthscore.grant_reader(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthscore.grant_admin(regrole) FROM PUBLIC;

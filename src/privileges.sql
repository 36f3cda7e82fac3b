-- Privileges. Defining models, refreshing and scheduling write shared tables and run model text
-- (as its authors), so PUBLIC may not call them: an administrator grants them with grant_admin().
-- Reading goes through grant_reader(). Nothing in healthscore_internal is for PUBLIC.

-- The one list of what an administrator may call and PUBLIC may not.
CREATE FUNCTION healthscore_internal.admin_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean, text, interval, float8)',
		'healthscore.alter_model(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, boolean, text)',
		'healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text, interval, text)',
		'healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text, interval, text[], text)',
		'healthscore.set_weight(text, text, float8)',
		'healthscore.set_group_weight(text, text, float8)',
		'healthscore.drop_signal(text, text)',
		'healthscore.drop_model(text)',
		'healthscore.refresh(text, timestamptz)',
		'healthscore.refresh_sql(text, timestamptz)',
		'healthscore.backfill(text, timestamptz, timestamptz, interval)',
		'healthscore.schedule(text, text)',
		'healthscore.unschedule(text, boolean)',
		'healthscore.set_outcomes(text, regclass, text, text, text)',
		'healthscore.apply_weights(text, interval, timestamptz, float8, text[])',
		'healthscore.refresh_group(text, timestamptz)',
		'healthscore.set_override(text, text, text, text, timestamptz, timestamptz)',
		'healthscore.clear_override(text, text, timestamptz)',
		'healthscore.add_playbook(text, text, text, text, text, text)',
		'healthscore.add_indicator(text, text, text, text, float8, interval, text)',
		'healthscore.drop_indicator(text, text)',
		'healthscore.set_parent(text, text, text)',
		'healthscore.assess(text, text, integer, float8, text, interval, timestamptz)',
		'healthscore.adopt_model(text)',
		'healthscore.explain_refresh(text, timestamptz, boolean)',
		'healthscore.run(text, timestamptz)',
		'healthscore.set_expected_every(text, interval)',
		'healthscore.check_model(text)',
		'healthscore.calibrate(text, interval, timestamptz)',
		'healthscore.preview(text, jsonb, jsonb, float8[], timestamptz, interval, timestamptz, float8)',
		'healthscore.preview_accounts(text, jsonb, jsonb, float8[], timestamptz, float8)',
		'healthscore.enable_rollup(text, regclass, interval, interval, float8)',
		'healthscore.disable_rollup(text, regclass)',
		'healthscore.refresh_rollup(text, regclass, timestamptz, timestamptz)'
	]::regprocedure[]
$$;

-- The internal functions that readers' views and row-level security policies run as the reader:
-- the visibility of accounts, reading outcomes and accounts as their author (they return only the
-- rows the reader may see), the status of runs.
CREATE FUNCTION healthscore_internal.reader_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore_internal.outcomes_as_author(text)',
		'healthscore_internal.accounts_as_author(text)',
		'healthscore_internal.outcomes_query(text)',
		'healthscore_internal.accounts_query(text)',
		'healthscore_internal.model_author(text, text)',
		'healthscore_internal.author_role(text[], text, text)',
		'healthscore_internal.attempt_lock(bigint)',
		'healthscore_internal.attempt_status(text, bigint, integer)',
		'healthscore_internal.attempt_error(text, bigint, integer)',
		'healthscore_internal.overdue(interval, timestamptz)',
		'healthscore_internal.account_visible(text, text)',
		'healthscore_internal.account_listed(text, text)',
		'healthscore_internal.run_outcomes(text, interval, timestamptz)',
		'healthscore_internal.trend_over_window(float8, float8, float8)',
		'healthscore_internal.hierarchy_links()',
		'healthscore_internal.indicator_playbook(text, text, bigint, text)',
		'healthscore_internal.model_row(text)',
		'healthscore_internal.calibration_rows(text, interval, timestamptz)',
		'healthscore_internal.fit_calibration(text, text, interval, timestamptz)',
		'healthscore_internal.calibration_measured(text, text, interval, timestamptz, integer, boolean)',
		'healthscore_internal.run_measures(bigint[], float8[], integer[], boolean[])',
		'healthscore_internal.check_two_models(text, text, text)',
		'healthscore_internal.paired_rows(text, text, interval, timestamptz)',
		'healthscore_internal.models_compared(text, text, text, interval, timestamptz, integer, bigint, boolean)',
		'healthscore_internal.paired_auc_bootstrap(integer[], integer[], float8[], float8[], boolean[], integer, bigint)',
		'healthscore_internal.tiers_compared(text, text, text, timestamptz, boolean)',
		-- score_changes: what moved each score, signal by signal
		'healthscore_internal.contributions(text[], text[], float8[], float8[])',
		'healthscore_internal.contribution_changes(text[], text[], float8[], float8[], text[], float8[], text[], float8[], float8[], text[], float8[])',
		-- the reports (reports.sql): pages built from the views as the reader
		'healthscore_internal.run_members(text, text)',
		'healthscore_internal.html_escape(text)',
		'healthscore_internal.html_number(float8, integer)',
		'healthscore_internal.html_money(numeric)',
		'healthscore_internal.html_percent(float8)',
		'healthscore_internal.html_date(timestamptz, text)',
		'healthscore_internal.svg_number(float8)',
		'healthscore_internal.tier_color(integer, integer)',
		'healthscore_internal.axis_top(float8)',
		'healthscore_internal.chart_legend(text[], text[])',
		'healthscore_internal.mark_data(text, text, text, text)',
		'healthscore_internal.svg_gridline(float8, float8, float8, text)',
		'healthscore_internal.chart_figure(text, text, text, float8, float8, text, text)',
		'healthscore_internal.chart_stacked_bars(text, text, text[], text[], text[], integer[], integer[], float8[], text)',
		'healthscore_internal.chart_bars(text, text, text[], text[], text[], integer[], integer[], float8[], boolean)',
		'healthscore_internal.chart_lines(text, text, float8, float8, float8[], text[], float8, float8, float8[], text[], text[], text[], integer[], float8[], float8[], text[], float8[], float8[], text[], text[], float8, float8, text, boolean, boolean)',
		'healthscore_internal.time_ticks(timestamptz[], text, integer)',
		'healthscore_internal.html_page(text, text)',
		'healthscore_internal.html_row(text[], integer[])',
		'healthscore_internal.html_head(text[])',
		'healthscore_internal.html_tier(text, integer, integer)',
		'healthscore_internal.html_sparkline(text)',
		'healthscore_internal.report_names(text, regclass, text[])',
		'healthscore_internal.html_account(jsonb, text)',
		'healthscore_internal.account_label(jsonb, text)',
		'healthscore_internal.report_day(timestamptz, text)',
		'healthscore_internal.check_report_arguments(text, interval, timestamptz, integer)',
		'healthscore_internal.report_validation(text, interval, timestamptz)',
		'healthscore_internal.model_tiers(text)',
		'healthscore_internal.report_signal_charts(text, text, text, float8, float8, float8[], text[])'
	]::regprocedure[]
$$;

COMMENT ON FUNCTION healthscore_internal.reader_functions() IS
'the internal functions that readers'' views call as the reader; granted by grant_reader()';

COMMENT ON FUNCTION healthscore_internal.admin_functions() IS
'the functions and procedures that define, refresh and schedule models: revoked from PUBLIC, granted by grant_admin()';

-- The views are security_invoker: a reader needs SELECT on the tables behind them too, and every
-- table with rows about accounts (scores, overrides, assessments) has row-level security that
-- limits them to the accounts the reader may see in the account relation. Of runs a reader gets
-- the columns that say nothing about accounts: its totals count every account, including those
-- hidden from the reader (model_runs counts the visible ones instead).
CREATE FUNCTION healthscore_internal.check_role(func text, role regrole)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION '%(): role must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name an existing role, e.g. ''tableau''.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_role(text, regrole) IS
'raises an error naming the function when the role to grant to is NULL';

CREATE FUNCTION healthscore.grant_reader(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.check_role('grant_reader', role);
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.current_scores, healthscore.score_components, healthscore.risk_list,
		healthscore.score_history, healthscore.tier_changes, healthscore.tier_summary, healthscore.model_runs,
		healthscore.model_accuracy, healthscore.score_drops, healthscore.models, healthscore.signals,
		healthscore.scores, healthscore.components, healthscore.churn_reasons, healthscore.success_factors,
		healthscore.playbooks, healthscore.overrides, healthscore.assessments, healthscore.stale_assessments,
		healthscore.unscored_accounts, healthscore.score_changes, healthscore.group_scores, healthscore.indicators,
		healthscore.risk_indicators, healthscore.parent_scores, healthscore.calibrations,
		healthscore.model_calibration, healthscore.model_comparisons, healthscore.model_tier_agreement TO %s', role);
	EXECUTE format('GRANT SELECT (run_id, model, as_of, started_at, finished_at, fingerprint, signals, weights, stale,
		newest_rows, categories, group_weights, probability_horizon, probability_min_score, probability_max_score,
		probability_note) ON healthscore.runs TO %s', role);
	-- attempts without their error texts, which may quote values of rows
	EXECUTE format('GRANT SELECT (attempt_id, model, as_of, started_at, finished_at, status, run_id, backend_pid,
		error_sqlstate) ON healthscore.attempts TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.model_status TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.trusted_owners TO %s', role);
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore_internal.reader_functions()) AS f), role);
END
$$;

COMMENT ON FUNCTION healthscore.grant_reader(regrole) IS
'lets a role read the views (and the tables behind them, which security_invoker views need); row-level security limits the scores, overrides and assessments it sees to its accounts';

CREATE FUNCTION healthscore.grant_admin(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.check_role('grant_admin', role);
	PERFORM healthscore.grant_reader(role);
	-- the extension's own SQL that admin functions call, and the refresh runs as model authors
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON healthscore.models, healthscore.signals, healthscore.indicators,
		healthscore.runs, healthscore.attempts, healthscore.scores, healthscore.churn_reasons,
		healthscore.success_factors, healthscore.assessments, healthscore.overrides, healthscore.playbooks,
		healthscore.calibrations, healthscore.rollups, healthscore.rollup_states TO %s', role);
	EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE healthscore.runs_run_id_seq, healthscore.rollups_rollup_id_seq, healthscore.attempts_attempt_id_seq,
		healthscore.assessments_assessment_id_seq,
		healthscore.overrides_override_id_seq, healthscore.playbooks_playbook_id_seq TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore_internal.admin_functions()) AS f), role);
	-- schedule() calls pg_cron, whose schema is closed to other roles; its jobs run as the role
	-- that scheduled them
	IF healthscore_internal.cron_installed() THEN
		EXECUTE format('GRANT USAGE ON SCHEMA cron TO %s', role);
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore.grant_admin(regrole) IS
'lets a role define models, refresh and schedule them (with pg_cron installed, USAGE on schema cron too); it also needs SELECT on the account and source relations, with which the text it writes runs';

-- Granting is for those who own the extension's objects.
REVOKE ALL ON FUNCTION healthscore.grant_reader(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthscore.grant_admin(regrole) FROM PUBLIC;

-- Revoked at the end, once everything exists: the functions of the list, because they define
-- models or run their text, and every internal function, which only the extension's own SQL calls
-- (grant_admin grants them).
DO $$
DECLARE
	revoked regprocedure;
BEGIN
	FOREACH revoked IN ARRAY healthscore_internal.admin_functions() LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', revoked);
	END LOOP;
	FOR revoked IN SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc AS p
				   WHERE p.pronamespace OPERATOR(pg_catalog.=) 'healthscore_internal'::pg_catalog.regnamespace LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', revoked);
	END LOOP;
END
$$;

-- Reports people look at: a portfolio report of a model or model group, and an account review page,
-- each one self-contained HTML document with inline SVG charts. They are functions, not a program
-- beside the database: they run as the caller and read only the views (and the tables behind them),
-- so a reader sees in a report exactly what row-level security lets it see in the views, every
-- number is the views' own, and any client, BI tool or pg_cron job can produce one (psql -At, or
-- COPY ... TO a file). The pages are ASCII, contain no character COPY's text format escapes, and
-- under SET clauses their text is the same whatever the caller's DateStyle, IntervalStyle,
-- extra_float_digits, TimeZone (timestamps the views give as text read in UTC) or
-- timezone_abbreviations (a model's zone named EST or CET is read through them).

-- Names of accounts for a report, from a relation the caller names (columns account_key and name),
-- read as the caller: keys it may not see there stay keys.
CREATE FUNCTION healthscore_internal.report_names(func text, account_names regclass, keys text[])
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names jsonb;
	names_hint constant text := 'Name a table or view with the columns account_key and name, e.g. CREATE VIEW account_names AS SELECT id AS account_key, name FROM accounts.';
BEGIN
	IF account_names IS NULL THEN
		RETURN '{}'::jsonb;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = account_names) THEN
		RAISE EXCEPTION '%(): account_names names no relation (OID %)', func, account_names::oid
			USING ERRCODE = 'undefined_table',
				  HINT = names_hint;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = account_names AND c.relkind IN ('r', 'v', 'm', 'f', 'p')) THEN
		RAISE EXCEPTION '%(): account_names "%" is not a table or view', func, account_names
			USING ERRCODE = 'wrong_object_type',
				  HINT = names_hint;
	END IF;
	BEGIN
		EXECUTE format('SELECT pg_catalog.jsonb_object_agg(n.account_key::pg_catalog.text, n.name::pg_catalog.text)
						FROM %s AS n
						WHERE n.account_key::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($1) AND n.name IS NOT NULL',
					   account_names)
		INTO names USING keys;
	EXCEPTION WHEN undefined_column THEN
		RAISE EXCEPTION '%(): account_names "%" has no column account_key or name', func, account_names
			USING ERRCODE = 'undefined_column',
				  HINT = names_hint;
	END;
	RETURN coalesce(names, '{}'::jsonb);
END
$$;

COMMENT ON FUNCTION healthscore_internal.report_names(text, regclass, text[]) IS
'the names of the given accounts from the caller''s relation (columns account_key, name), read as the caller, as a json object key -> name; an error naming the function when the columns are missing';

-- An account in a report: its name (when known) and key, escaped.
CREATE FUNCTION healthscore_internal.html_account(names jsonb, account_key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN names ->> account_key IS NULL THEN healthscore_internal.html_escape(account_key)
				ELSE healthscore_internal.html_escape(names ->> account_key) || ' <small>'
					 || healthscore_internal.html_escape(account_key) || '</small>' END
$$;

COMMENT ON FUNCTION healthscore_internal.html_account(jsonb, text) IS
'an account in a report page: its escaped name and key, or its key alone';

-- The plain-text label of an account in a chart (the chart escapes it).
CREATE FUNCTION healthscore_internal.account_label(names jsonb, account_key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(names ->> account_key, account_key)
$$;

COMMENT ON FUNCTION healthscore_internal.account_label(jsonb, text) IS
'an account''s label in a chart: its name when known, else its key (plain text: charts escape it)';

-- A date in a chart label (plain text).
CREATE FUNCTION healthscore_internal.report_day(value timestamptz, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD')
$$;

COMMENT ON FUNCTION healthscore_internal.report_day(timestamptz, text) IS
'the date of a time in the time zone, YYYY-MM-DD, for chart labels';

-- The arguments every report checks.
CREATE FUNCTION healthscore_internal.check_report_arguments(func text, horizon interval, known_until timestamptz,
															 risk_rows integer)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF horizon IS NOT NULL AND horizon <= interval '0' THEN
		RAISE EXCEPTION '%(): horizon must be positive, not %', func, horizon
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the interval churn is counted in after each run, e.g. ''90 days'', or NULL for the calibration''s own (else 90 days).';
	END IF;
	IF known_until IS NULL THEN
		RAISE EXCEPTION '%(): known_until must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the time churn is recorded until, e.g. now().';
	END IF;
	IF NOT isfinite(known_until) THEN
		RAISE EXCEPTION '%(): known_until must be a finite time, not %', func, known_until
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time churn is recorded until, e.g. now().';
	END IF;
	IF horizon IS NOT NULL THEN
		BEGIN
			PERFORM known_until - horizon, known_until + horizon;
		EXCEPTION WHEN datetime_field_overflow THEN
			RAISE EXCEPTION '%(): horizon % reaches beyond the range of timestamps', func, horizon
				USING ERRCODE = 'datetime_field_overflow', HINT = 'Pass the interval churn is counted in after each run, e.g. ''90 days''.';
		END;
	END IF;
	IF risk_rows IS NULL OR risk_rows < 0 THEN
		RAISE EXCEPTION '%(): risk_rows must be 0 or more, not %', func, coalesce(risk_rows::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how many accounts of the risk list to show, e.g. 100.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_report_arguments(text, interval, timestamptz, integer) IS
'raises an error naming the report function for a horizon that is not positive or too long for timestamps, a NULL or infinite known_until, or a negative risk_rows';

-- How many tiers a model has: a tier's colour is by its rank among its own model's tiers (the
-- models of a group may have different tiers).
CREATE FUNCTION healthscore_internal.model_tiers(model text)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT cardinality(m.tier_labels) FROM healthscore.models AS m WHERE m.name = model_tiers.model
$$;

COMMENT ON FUNCTION healthscore_internal.model_tiers(text) IS
'the number of tiers of a model (NULL for none), for the colour of a tier in a report';

-- Validation of one model on the portfolio report: AUC and churn by tier over the evaluable runs
-- (evaluate, evaluate_tiers), and the reliability diagram of its calibration.
CREATE FUNCTION healthscore_internal.report_validation(model text, horizon interval, known_until timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m healthscore.models := healthscore_internal.model_row(model);
	used interval := coalesce(horizon, (SELECT c.horizon FROM healthscore.calibrations AS c WHERE c.model = m.name),
							  interval '90 days');
	tiers integer := cardinality(m.tier_labels);
	runs record;
	ticks record;
	x_low float8;
	x_high float8;
	latest record;
	html text;
	piece text;
	calibrated record;
	failure text;
	failure_state text;
BEGIN
	html := format('<h3 data-model="%s">Model %s: churn within %s after each run, known until %s</h3>',
				  healthscore_internal.html_escape(m.name), healthscore_internal.html_escape(m.name),
				  healthscore_internal.html_escape(used::text), healthscore_internal.html_date(known_until, m.time_zone));

	SELECT array_agg(e.as_of ORDER BY e.as_of, e.run_id) AS as_ofs, array_agg(e.auc ORDER BY e.as_of, e.run_id) AS aucs,
		   (array_agg(e ORDER BY e.as_of DESC, e.run_id DESC))[1] AS latest
	INTO runs FROM healthscore.evaluate(m.name, used, known_until) AS e;
	IF runs.as_ofs IS NULL THEN
		RETURN html || '<p class="note">No run is evaluable yet: a run counts once its horizon has passed (as of + horizon before known_until) and its accounts'' outcomes are known.</p>';
	END IF;
	ticks := healthscore_internal.time_ticks(runs.as_ofs, m.time_zone, 6);
	x_low := extract(epoch FROM runs.as_ofs[1]);
	x_high := extract(epoch FROM runs.as_ofs[cardinality(runs.as_ofs)]);

	html := html || healthscore_internal.chart_lines(
		'auc', 'AUC of the score against churn, per evaluable run (0.5 = chance, 1 = perfect)', x_low, x_high,
		ticks.ticks, ticks.labels, 0, 1, '{0,0.25,0.5,0.75,1}', '{0,0.25,0.5,0.75,1}', ARRAY['AUC'], ARRAY['#3d6fd1'],
		array_fill(1, ARRAY[cardinality(runs.as_ofs)]),
		ARRAY(SELECT extract(epoch FROM t)::float8 FROM unnest(runs.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		runs.aucs,
		ARRAY(SELECT healthscore_internal.report_day(t, m.time_zone) FROM unnest(runs.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, false);

	-- churn by tier: a line per tier, worst first
	WITH rates AS MATERIALIZED (
		SELECT t.run_id, t.as_of, t.tier, t.tier_rank, t.churn_rate,
			   dense_rank() OVER (ORDER BY t.tier_rank NULLS LAST, t.tier)::integer AS series
		FROM healthscore.evaluate_tiers(m.name, used, known_until) AS t
	), series AS (
		SELECT DISTINCT r.series, r.tier, r.tier_rank FROM rates AS r
	)
	SELECT html || healthscore_internal.chart_lines(
		'churn_by_tier', 'Churn rate by tier, per evaluable run', x_low, x_high, ticks.ticks, ticks.labels, 0, top.y,
		ARRAY[0, top.y / 4, top.y / 2, 3 * top.y / 4, top.y],
		ARRAY(SELECT round(100 * (top.y * k / 4)::numeric, 1)::text || '%' FROM generate_series(0, 4) AS k ORDER BY k),
		(SELECT array_agg(s.tier ORDER BY s.series) FROM series AS s),
		(SELECT array_agg(healthscore_internal.tier_color(s.tier_rank, tiers) ORDER BY s.series) FROM series AS s),
		array_agg(r.series ORDER BY r.series, r.as_of, r.run_id),
		array_agg(extract(epoch FROM r.as_of)::float8 ORDER BY r.series, r.as_of, r.run_id),
		array_agg(r.churn_rate ORDER BY r.series, r.as_of, r.run_id),
		array_agg(healthscore_internal.report_day(r.as_of, m.time_zone) ORDER BY r.series, r.as_of, r.run_id),
		'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, false)
	INTO html
	FROM rates AS r, (SELECT healthscore_internal.axis_top(max(x.churn_rate)) AS y FROM rates AS x) AS top
	GROUP BY top.y;

	latest := runs.latest;
	html := html || '<table data-table="accuracy">' || healthscore_internal.html_head(ARRAY['latest evaluable run', 'accounts', 'churned', 'churn rate', 'AUC', 'worst tier', 'its churn', 'best tier', 'its churn', 'lift of the worst tier', 'churn falls tier by tier'])
		   || healthscore_internal.html_row(ARRAY[healthscore_internal.html_date(latest.as_of, m.time_zone), latest.accounts::text,
												  latest.churned::text, healthscore_internal.html_percent(latest.churn_rate),
												  healthscore_internal.html_number(latest.auc, 3),
												  healthscore_internal.html_escape(latest.worst_tier),
												  healthscore_internal.html_percent(latest.worst_tier_churn_rate),
												  healthscore_internal.html_escape(latest.best_tier),
												  healthscore_internal.html_percent(latest.best_tier_churn_rate),
												  healthscore_internal.html_number(latest.lift_worst_tier, 2),
												  CASE WHEN latest.churn_falls_by_tier THEN '<span class="ok">yes</span>'
													   ELSE '<span class="bad">no</span>' END],
										   '{2,3,4,5,7,9,10}')
		   || '</table>';

	-- the reliability diagram: the stored calibration when it is for this horizon and the current
	-- definition, else the one calibrate() would store now (as calibration() does)
	-- (fitting one may fail: too few runs since the definition changed, too few churned accounts)
	BEGIN
	SELECT count(*) AS bins, min(c.brier) AS brier, min(c.brier_skill) AS brier_skill, min(c.test_runs) AS test_runs,
		   min(c.test_rows) AS test_rows, bool_and(c.stored) AS stored,
		   healthscore_internal.chart_lines(
			   'calibration', 'Calibration: predicted churn probability against observed churn rate, per decile of the held-out runs',
			   0, 1, '{0,0.25,0.5,0.75,1}', '{0%,25%,50%,75%,100%}', 0, 1, '{0,0.25,0.5,0.75,1}', '{0%,25%,50%,75%,100%}',
			   ARRAY['observed churn rate'], ARRAY['#9b2226'], array_agg(1 ORDER BY c.bin), array_agg(c.mean_predicted ORDER BY c.bin),
			   array_agg(c.observed_rate ORDER BY c.bin), array_agg('decile ' || c.bin ORDER BY c.bin),
			   '{}', '{}', '{}', '{}', NULL, NULL, NULL, true, false) AS chart
	INTO calibrated
	FROM healthscore_internal.calibration_measured('portfolio_report', m.name, used, known_until, 10, false) AS c;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
		RETURN html || format('<p class="note">No calibration diagram: %s (SQLSTATE %s).</p>',
							  healthscore_internal.html_escape(failure), failure_state);
	END;
	IF calibrated.bins = 0 THEN
		piece := '<p class="note">No calibration diagram: too few runs to hold some out of a calibration fit (calibrate() needs evaluable runs before and after).</p>';
	ELSE
		piece := calibrated.chart || format('<p class="note">%s, measured on %s held-out runs (%s rows): Brier score %s, skill %s against always predicting the base rate.</p>',
											CASE WHEN calibrated.stored THEN 'The stored calibration'
												 ELSE 'Not calibrated for this horizon and definition: the calibration calibrate() would store now' END,
											calibrated.test_runs, calibrated.test_rows,
											healthscore_internal.html_number(calibrated.brier, 4),
											healthscore_internal.html_number(calibrated.brier_skill, 3));
	END IF;
	RETURN html || piece;
END
$$;

COMMENT ON FUNCTION healthscore_internal.report_validation(text, interval, timestamptz) IS
'the validation part of a portfolio report for one model with outcomes: AUC and churn rate by tier over the evaluable runs, the latest one''s numbers, and the reliability diagram';

CREATE FUNCTION healthscore.portfolio_report(model text, horizon interval DEFAULT NULL,
											 known_until timestamptz DEFAULT pg_catalog.now(),
											 account_names regclass DEFAULT NULL, risk_rows integer DEFAULT 100)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
SET timezone_abbreviations = 'Default'
AS $$
DECLARE
	members text[];
	first_model healthscore.models;
	tz text;
	current_as_of timestamptz;
	names jsonb;
	body text;
	piece text;
	totals record;
	risk record;
	member text;
	failure text;
	failure_state text;
	history_times integer := 52;
BEGIN
	PERFORM healthscore_internal.check_report_arguments('portfolio_report', horizon, known_until, risk_rows);
	members := healthscore_internal.run_members(model, 'portfolio_report');
	SELECT m.* INTO first_model FROM healthscore.models AS m WHERE m.name = members[1];
	tz := first_model.time_zone;

	SELECT max(s.last_success_as_of) INTO current_as_of FROM healthscore.model_status AS s WHERE s.model = ANY (members);
	IF current_as_of IS NULL THEN
		RAISE EXCEPTION 'portfolio_report(): model "%" has no run yet', model
			USING ERRCODE = 'no_data_found', HINT = format('Refresh it first: CALL healthscore.run(%L).', model);
	END IF;
	names := healthscore_internal.report_names('portfolio_report', account_names,
		ARRAY(SELECT c.account_key FROM healthscore.current_scores AS c WHERE c.model = ANY (members)));

	-- the header and the headline numbers (current_scores, risk_list)
	SELECT count(*) AS accounts, count(c.score) AS scored, sum(c.value) AS total_value,
		   count(*) FILTER (WHERE c.tier_rank = 1) AS worst_tier
	INTO totals FROM healthscore.current_scores AS c WHERE c.model = ANY (members);
	SELECT count(*) AS accounts, sum(r.value_at_risk) AS value_at_risk, sum(r.expected_loss) AS expected_loss,
		   count(r.expected_loss) AS with_probability
	INTO risk FROM healthscore.risk_list AS r WHERE r.model = ANY (members);
	body := format('<h1>Portfolio health: %s</h1><p class="sub">As of %s &#183; %s %s &#183; %s accounts (%s scored)</p>',
				   healthscore_internal.html_escape(model), healthscore_internal.html_date(current_as_of, tz),
				   CASE WHEN cardinality(members) > 1 THEN 'models' ELSE 'model' END,
				   healthscore_internal.html_escape(array_to_string(members, ', ')), totals.accounts, totals.scored)
			|| (SELECT coalesce(string_agg(format('<p class="note"><b>%s</b>: %s</p>', healthscore_internal.html_escape(m.name),
												   healthscore_internal.html_escape(m.description)), '' ORDER BY m.priority DESC, m.name), '')
				FROM healthscore.models AS m WHERE m.name = ANY (members) AND m.description IS NOT NULL)
			|| '<div class="kpis" data-kpis="">'
			|| format('<div class="kpi" data-kpi="accounts"><b>%s</b><span>accounts scored</span></div>', totals.scored)
			|| format('<div class="kpi" data-kpi="total_value"><b>%s</b><span>total value (ARR)</span></div>', healthscore_internal.html_money(totals.total_value))
			|| format('<div class="kpi" data-kpi="worst_tier"><b>%s</b><span>accounts in %s</span></div>', totals.worst_tier,
					  CASE WHEN (SELECT count(DISTINCT m.tier_labels[1]) FROM healthscore.models AS m WHERE m.name = ANY (members)) = 1
						   THEN healthscore_internal.html_escape(first_model.tier_labels[1]) ELSE 'their model&#39;s worst tier' END)
			|| format('<div class="kpi" data-kpi="value_at_risk"><b>%s</b><span>value at risk</span></div>', healthscore_internal.html_money(risk.value_at_risk::numeric))
			|| format('<div class="kpi" data-kpi="expected_loss"><b>%s</b><span>expected loss%s</span></div>', healthscore_internal.html_money(risk.expected_loss::numeric),
					  CASE WHEN risk.with_probability < risk.accounts THEN ' (calibrated accounts only)' ELSE '' END)
			|| '</div>';

	-- scheduled runs: stale sources, failures (model_status, model_runs)
	body := body || '<h2>Runs and sources</h2><table data-table="status">'
			|| healthscore_internal.html_head(ARRAY['model', 'current run', 'last status', 'overdue', 'last failure', 'its error', 'stale sources'])
			|| (SELECT string_agg(healthscore_internal.html_row(ARRAY[
					healthscore_internal.html_escape(s.model), healthscore_internal.html_date(s.last_success_as_of, tz),
					CASE WHEN s.last_status = 'failed' THEN '<span class="bad">failed</span>' ELSE healthscore_internal.html_escape(s.last_status) END,
					CASE WHEN s.overdue THEN '<span class="bad">overdue</span>' ELSE 'no' END,
					healthscore_internal.html_date(s.last_failure_at, tz), healthscore_internal.html_escape(s.last_error),
					CASE WHEN s.stale_sources IS NULL THEN 'none' ELSE '<span class="bad">' || healthscore_internal.html_escape(s.stale_sources) || '</span>' END]),
					'' ORDER BY array_position(members, s.model))
				FROM healthscore.model_status AS s WHERE s.model = ANY (members))
			|| '</table>'
			|| coalesce((SELECT '<h3>Failed runs</h3><table data-table="failed_runs">'
								|| healthscore_internal.html_head(ARRAY['model', 'as of', 'started', 'ended', 'error'])
								|| string_agg(healthscore_internal.html_row(ARRAY[
									   healthscore_internal.html_escape(f.model), healthscore_internal.html_date(f.as_of, tz),
									   healthscore_internal.html_date(f.started_at, tz), healthscore_internal.html_date(f.finished_at, tz),
									   healthscore_internal.html_escape(f.error)]), '' ORDER BY f.started_at DESC, f.attempt_id DESC)
								|| '</table>'
						 FROM (SELECT r.* FROM healthscore.model_runs AS r
							   WHERE r.model = ANY (members) AND r.status = 'failed'
							   ORDER BY r.started_at DESC, r.attempt_id DESC LIMIT 10) AS f
						 HAVING count(*) > 0), '<p class="note">No failed runs.</p>');

	-- the tier distribution over the history: tier_summary of the latest run at each of the last
	-- as-of times, summed over the models of the group (each account is in one model's run)
	WITH chosen AS (
		SELECT DISTINCT r.as_of FROM healthscore.runs AS r WHERE r.model = ANY (members)
		ORDER BY r.as_of DESC LIMIT history_times
	), latest AS (
		SELECT DISTINCT ON (r.model, r.as_of) r.run_id FROM healthscore.runs AS r
		WHERE r.model = ANY (members) AND r.as_of IN (SELECT ch.as_of FROM chosen AS ch)
		ORDER BY r.model, r.as_of, r.run_id DESC
	), cells AS (
		SELECT t.as_of, t.tier, min(t.tier_rank) AS tier_rank, sum(t.accounts)::float8 AS accounts,
			   min(healthscore_internal.model_tiers(t.model)) AS tiers
		FROM healthscore.tier_summary AS t WHERE t.run_id IN (SELECT l.run_id FROM latest AS l)
		GROUP BY t.as_of, t.tier
	), xs AS (
		SELECT d.as_of, row_number() OVER (ORDER BY d.as_of)::integer AS x FROM (SELECT DISTINCT c.as_of FROM cells AS c) AS d
	), series AS (
		SELECT q.tier, q.tier_rank, q.tiers, row_number() OVER (ORDER BY q.tier_rank NULLS LAST, q.tier)::integer AS n
		FROM (SELECT c.tier, min(c.tier_rank) AS tier_rank, min(c.tiers) AS tiers FROM cells AS c GROUP BY c.tier) AS q
	), marks AS (
		SELECT array_agg(xs.x ORDER BY xs.x, s.n) AS x, array_agg(s.n ORDER BY xs.x, s.n) AS series,
			   array_agg(c.accounts ORDER BY xs.x, s.n) AS accounts
		FROM cells AS c JOIN xs ON xs.as_of = c.as_of JOIN series AS s ON s.tier = c.tier
	)
	SELECT healthscore_internal.chart_stacked_bars(
			   'tier_distribution', format('Accounts per tier at each run (%s as-of times)', (SELECT count(*) FROM xs)),
			   (SELECT array_agg(healthscore_internal.report_day(xs.as_of, tz) ORDER BY xs.x) FROM xs),
			   (SELECT array_agg(s.tier ORDER BY s.n) FROM series AS s),
			   (SELECT array_agg(healthscore_internal.tier_color(s.tier_rank, s.tiers) ORDER BY s.n) FROM series AS s),
			   marks.x, marks.series, marks.accounts, 'accounts')
	INTO piece FROM marks WHERE marks.x IS NOT NULL;
	body := body || '<h2>Tiers over time</h2>' || coalesce(piece, '<p class="note">No scores.</p>');

	-- value at risk and expected loss by tier and by owner (risk_list)
	body := body || '<h2>Where the value at risk is</h2>';
	IF risk.accounts = 0 THEN
		body := body || '<p class="note">No account is below the top tier.</p>';
	ELSE
		WITH groups AS (
			SELECT r.tier AS label, min(r.tier_rank) AS tier_rank, sum(r.value_at_risk)::float8 AS value_at_risk,
				   sum(r.expected_loss)::float8 AS expected_loss
			FROM healthscore.risk_list AS r WHERE r.model = ANY (members) GROUP BY r.tier
		), numbered AS (
			SELECT g.*, row_number() OVER (ORDER BY g.tier_rank NULLS LAST, g.label)::integer AS n FROM groups AS g
		)
		SELECT healthscore_internal.chart_bars('value_by_tier', 'Value at risk and expected loss by tier',
				   array_agg(q.label ORDER BY q.n), ARRAY['value at risk', 'expected loss'], ARRAY['#e07b39', '#9b2226'],
				   array_agg(q.n ORDER BY q.n) || array_agg(q.n ORDER BY q.n),
				   array_fill(1, ARRAY[count(*)::integer]) || array_fill(2, ARRAY[count(*)::integer]),
				   array_agg(q.value_at_risk ORDER BY q.n) || array_agg(q.expected_loss ORDER BY q.n), true)
		INTO piece FROM numbered AS q;
		body := body || piece;

		WITH groups AS (
			SELECT coalesce(r.owner, '(no owner)') AS label, sum(r.value_at_risk)::float8 AS value_at_risk,
				   sum(r.expected_loss)::float8 AS expected_loss
			FROM healthscore.risk_list AS r WHERE r.model = ANY (members) GROUP BY coalesce(r.owner, '(no owner)')
		), numbered AS (
			SELECT g.*, row_number() OVER (ORDER BY g.value_at_risk DESC NULLS LAST, g.label)::integer AS n,
				   count(*) OVER () AS owners
			FROM groups AS g
		)
		SELECT healthscore_internal.chart_bars('value_by_owner',
				   CASE WHEN max(q.owners) > 12 THEN format('Value at risk and expected loss by owner (the 12 of %s owners with the most)', max(q.owners))
						ELSE 'Value at risk and expected loss by owner' END,
				   array_agg(q.label ORDER BY q.n), ARRAY['value at risk', 'expected loss'], ARRAY['#e07b39', '#9b2226'],
				   array_agg(q.n ORDER BY q.n) || array_agg(q.n ORDER BY q.n),
				   array_fill(1, ARRAY[count(*)::integer]) || array_fill(2, ARRAY[count(*)::integer]),
				   array_agg(q.value_at_risk ORDER BY q.n) || array_agg(q.expected_loss ORDER BY q.n), true)
		INTO piece FROM numbered AS q WHERE q.n <= 12;
		body := body || piece;
		IF risk.with_probability = 0 THEN
			body := body || '<p class="note">No expected loss: no model here has churn probabilities (calibrate() fits them once outcomes are known).</p>';
		END IF;
	END IF;

	-- top movers since the run before, with what moved them (current_scores, score_changes)
	body := body || '<h2>Top movers since the run before</h2>';
	WITH movers AS (
		SELECT c.model, c.account_key, c.score, c.previous_score, c.change, c.tier, c.tier_rank, c.value,
			   row_number() OVER (ORDER BY abs(c.change) DESC, c.account_key, c.model)::integer AS n
		FROM healthscore.current_scores AS c
		WHERE c.model = ANY (members) AND c.change <> 0
		ORDER BY abs(c.change) DESC, c.account_key, c.model LIMIT 10
	), drivers AS (
		SELECT mv.n, string_agg(format('%s %s%s', d.signal, CASE WHEN d.contribution_change > 0 THEN '+' ELSE '' END,
									   round(d.contribution_change::numeric, 1)), ', '
								ORDER BY abs(d.contribution_change) DESC, d.signal) AS moved_by
		FROM movers AS mv
		CROSS JOIN LATERAL (SELECT sc.signal, sc.contribution_change FROM healthscore.score_changes AS sc
							WHERE sc.model = mv.model AND sc.account_key = mv.account_key AND sc.contribution_change <> 0
							ORDER BY abs(sc.contribution_change) DESC, sc.signal LIMIT 3) AS d
		GROUP BY mv.n
	)
	SELECT healthscore_internal.chart_bars('top_movers', 'The largest score changes since the run before (points)',
			   array_agg(healthscore_internal.account_label(names, mv.account_key) ORDER BY mv.n),
			   ARRAY['score up', 'score down'], ARRAY['hsl(130,62%,40%)', 'hsl(0,62%,48%)'],
			   array_agg(mv.n ORDER BY mv.n), array_agg(CASE WHEN mv.change > 0 THEN 1 ELSE 2 END ORDER BY mv.n),
			   array_agg(mv.change ORDER BY mv.n), false)
		   || '<table data-table="top_movers">'
		   || healthscore_internal.html_head(ARRAY['account', 'model', 'score before', 'score now', 'change', 'tier', 'moved by (signal: points of the score, from score_changes)'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_account(names, mv.account_key), healthscore_internal.html_escape(mv.model),
				  healthscore_internal.html_number(mv.previous_score, 1), healthscore_internal.html_number(mv.score, 1),
				  healthscore_internal.html_number(mv.change, 1), healthscore_internal.html_tier(mv.tier, mv.tier_rank, healthscore_internal.model_tiers(mv.model)),
				  healthscore_internal.html_escape(d.moved_by)], '{3,4,5}'), '' ORDER BY mv.n)
		   || '</table>'
	INTO piece
	FROM movers AS mv LEFT JOIN drivers AS d ON d.n = mv.n;
	body := body || coalesce(piece, '<p class="note">No score changed since the run before.</p>');

	-- validation against churn, per model with outcomes
	body := body || '<h2>Is the score right? Churn against the score</h2>';
	piece := NULL;
	FOR member IN SELECT m.name FROM healthscore.models AS m
				  WHERE m.name = ANY (members) AND m.outcomes IS NOT NULL ORDER BY array_position(members, m.name) LOOP
		-- one model's outcomes that cannot be read (its relation dropped, say) cost its section only
		BEGIN
			piece := coalesce(piece, '') || healthscore_internal.report_validation(member, horizon, known_until);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
			piece := coalesce(piece, '') || format('<h3>Model %s</h3><p class="bad">Could not evaluate it against churn: %s (SQLSTATE %s).</p>',
												   healthscore_internal.html_escape(member), healthscore_internal.html_escape(failure),
												   failure_state);
		END;
	END LOOP;
	body := body || coalesce(piece, '<p class="note">No churn outcomes are set for these models: healthscore.set_outcomes() names the relation that records churn, and this section then shows AUC, churn by tier and calibration.</p>');

	-- the risk list (risk_list), most value at risk first
	body := body || format('<h2>Risk list</h2><p class="note">Accounts below the top tier, most value at risk first: %s of %s.</p>',
						   least(risk_rows, risk.accounts), risk.accounts);
	SELECT '<table class="wide" data-table="risk_list">'
		   || healthscore_internal.html_head(ARRAY['#', 'account', 'model', 'score', 'tier', 'trend', 'last 12 runs', 'value', 'value at risk',
												   'churn probability', 'expected loss', 'why (raw value, points lost)', 'action (who)',
												   'owner', 'renews in (days)', 'indicators'])
		   || coalesce(string_agg(healthscore_internal.html_row(ARRAY[
				  r.n::text, '<span class="acct">' || healthscore_internal.html_account(names, r.account_key) || '</span>',
				  healthscore_internal.html_escape(r.model),
				  healthscore_internal.html_number(r.score, 1),
				  healthscore_internal.html_tier(r.tier, r.tier_rank, healthscore_internal.model_tiers(r.model)) || CASE WHEN r.overridden THEN ' <small>override: '
					  || healthscore_internal.html_escape(r.override_reason) || '</small>' ELSE '' END,
				  healthscore_internal.html_escape(r.trend), healthscore_internal.html_sparkline(r.sparkline_ascii),
				  healthscore_internal.html_money(r.value), healthscore_internal.html_money(r.value_at_risk::numeric),
				  healthscore_internal.html_percent(r.churn_probability), healthscore_internal.html_money(r.expected_loss::numeric),
				  '<span class="why">' || healthscore_internal.html_escape(replace(r.reasons, '; ', chr(10))) || '</span>',
				  '<span class="act">' || coalesce(healthscore_internal.html_escape(r.action), '&#8211;')
					  || coalesce(' <small>(' || healthscore_internal.html_escape(r.action_owner) || ')</small>', '') || '</span>',
				  healthscore_internal.html_escape(r.owner), r.days_to_renewal::text,
				  healthscore_internal.html_escape(r.indicators)], '{1,4,8,9,10,11,15}'),
				  '' ORDER BY r.n), '')
		   || '</table>'
	INTO piece
	FROM (SELECT x.*, row_number() OVER (ORDER BY x.value_at_risk DESC NULLS LAST, x.score NULLS FIRST, x.account_key, x.model) AS n
		  FROM healthscore.risk_list AS x WHERE x.model = ANY (members)
		  ORDER BY x.value_at_risk DESC NULLS LAST, x.score NULLS FIRST, x.account_key, x.model LIMIT risk_rows) AS r;
	body := body || piece;

	RETURN healthscore_internal.html_page(format('Portfolio health: %s', model), body);
END
$$;

COMMENT ON FUNCTION healthscore.portfolio_report(text, interval, timestamptz, regclass, integer) IS
'a self-contained HTML report of a model or model group as of its current run, from the views as the caller sees them: tiers over time, value at risk and expected loss by tier and owner, top movers, runs and stale sources, churn against the score (AUC, churn by tier, calibration) when outcomes are set, and the risk list';

-- The signals of one account over time, a small chart each (components: points per run).
CREATE FUNCTION healthscore_internal.report_signal_charts(model text, account_key text, time_zone text,
														  x_low float8, x_high float8, ticks float8[], tick_labels text[])
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT string_agg(
		replace(healthscore_internal.chart_lines(
			'signal', format('%s (points)', c.signal), x_low, x_high, ticks, tick_labels, 0, 100, '{0,50,100}', '{0,50,100}',
			ARRAY[c.signal], ARRAY['#3d6fd1'], array_fill(1, ARRAY[cardinality(c.points)]), c.xs, c.points, c.labels,
			'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, true),
			'data-chart="signal"', format('data-chart="signal" data-signal="%s"', healthscore_internal.html_escape(c.signal))),
		'' ORDER BY c.first_seen, c.signal)
	FROM (SELECT x.signal, min(x.run_order) AS first_seen,
				 array_agg(extract(epoch FROM x.as_of)::float8 ORDER BY x.as_of, x.run_id) AS xs,
				 array_agg(x.points ORDER BY x.as_of, x.run_id) AS points,
				 array_agg(healthscore_internal.report_day(x.as_of, time_zone) ORDER BY x.as_of, x.run_id) AS labels
		  FROM (SELECT cp.*, dense_rank() OVER (ORDER BY cp.as_of DESC, cp.run_id DESC) * 1000 AS run_order
				FROM healthscore.components AS cp
				WHERE cp.model = report_signal_charts.model AND cp.account_key = report_signal_charts.account_key) AS x
		  GROUP BY x.signal) AS c
$$;

COMMENT ON FUNCTION healthscore_internal.report_signal_charts(text, text, text, float8, float8, float8[], text[]) IS
'the account review page''s small charts: one per signal of the account''s runs, its points (0-100) per run, from components';

CREATE FUNCTION healthscore.account_report(model text, account_key text, account_names regclass DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
SET timezone_abbreviations = 'Default'
AS $$
DECLARE
	m healthscore.models;
	tiers integer;
	names jsonb;
	story record;
	cur record;
	small_ticks record;
	ticks record;
	x_low float8;
	x_high float8;
	body text;
	piece text;
BEGIN
	IF model IS NULL THEN
		RAISE EXCEPTION 'account_report(): model must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a model: see SELECT name FROM healthscore.models.';
	END IF;
	IF account_key IS NULL THEN
		RAISE EXCEPTION 'account_report(): account_key must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the key of an account the model scores, as text.';
	END IF;
	m := healthscore_internal.model_row(model);
	tiers := cardinality(m.tier_labels);
	SELECT array_agg(st.as_of ORDER BY st.as_of, st.run_id) AS as_ofs, array_agg(st.score ORDER BY st.as_of, st.run_id) AS scores,
		   max(st.as_of) AS latest
	INTO story FROM healthscore.account_story(m.name, account_key) AS st;
	IF story.as_ofs IS NULL THEN
		RAISE EXCEPTION 'account_report(): model "%" has no score of account "%"', m.name, account_key
			USING ERRCODE = 'no_data_found',
				  HINT = format('See SELECT account_key FROM healthscore.current_scores WHERE model = %L (only the accounts you may see are there).', m.name);
	END IF;
	names := healthscore_internal.report_names('account_report', account_names, ARRAY[account_key]);
	SELECT c.* INTO cur FROM healthscore.current_scores AS c
	WHERE c.model = m.name AND c.account_key = account_report.account_key;

	body := format('<h1>%s</h1><p class="sub">Account review &#183; model %s &#183; as of %s</p>',
				   healthscore_internal.html_account(names, account_key), healthscore_internal.html_escape(m.name),
				   healthscore_internal.html_date(story.latest, m.time_zone));
	IF cur.account_key IS NULL THEN
		body := body || '<p class="note bad">The account is not in the model''s current run: what follows is its history.</p>';
	ELSE
		body := body || '<div class="kpis">'
				|| format('<div class="kpi" data-kpi="score"><b>%s</b><span>health score</span></div>', healthscore_internal.html_number(cur.score, 1))
				|| format('<div class="kpi" data-kpi="tier"><b>%s</b><span>tier%s</span></div>', healthscore_internal.html_tier(cur.tier, cur.tier_rank, tiers),
						  CASE WHEN cur.overridden THEN ' (override; computed: ' || healthscore_internal.html_escape(cur.computed_tier) || ')' ELSE '' END)
				|| format('<div class="kpi" data-kpi="trend"><b>%s</b><span>trend over %s (%s points)</span></div>', healthscore_internal.html_escape(coalesce(cur.trend, 'new')),
						  healthscore_internal.html_escape(m.trend_window::text), healthscore_internal.html_number(cur.window_change, 1))
				|| format('<div class="kpi" data-kpi="value"><b>%s</b><span>value (ARR)</span></div>', healthscore_internal.html_money(cur.value))
				|| format('<div class="kpi" data-kpi="owner"><b>%s</b><span>owner</span></div>', healthscore_internal.html_escape(coalesce(cur.owner, '-')))
				|| format('<div class="kpi" data-kpi="renewal"><b>%s</b><span>renewal (%s days)</span></div>',
						  CASE WHEN cur.renewal_date IS NULL THEN '&#8211;' ELSE to_char(cur.renewal_date, 'YYYY-MM-DD') END,
						  coalesce(cur.days_to_renewal::text, '&#8211;'))
				|| format('<div class="kpi" data-kpi="churn_probability"><b>%s</b><span>churn probability%s</span></div>',
						  healthscore_internal.html_percent(cur.churn_probability),
						  CASE WHEN cur.probability_horizon IS NULL THEN '' ELSE ' within ' || healthscore_internal.html_escape(cur.probability_horizon::text) END)
				|| '</div>'
				|| format('<p><b>Costliest signals:</b> %s</p>', healthscore_internal.html_escape(coalesce(cur.reasons, 'none')));
	END IF;

	-- the health line over the tier bands, with the trend window shaded (account_story)
	ticks := healthscore_internal.time_ticks(story.as_ofs, m.time_zone, 6);
	small_ticks := healthscore_internal.time_ticks(story.as_ofs, m.time_zone, 3);
	x_low := extract(epoch FROM story.as_ofs[1]);
	x_high := extract(epoch FROM story.as_ofs[cardinality(story.as_ofs)]);
	body := body || '<h2>Health over time</h2>' || healthscore_internal.chart_lines(
		'health', 'Health score per run, over the tier bands; shaded: the trend window', x_low, x_high, ticks.ticks, ticks.labels,
		0, 100, '{0,25,50,75,100}', '{0,25,50,75,100}', ARRAY['score'], ARRAY['#1d2430'],
		array_fill(1, ARRAY[cardinality(story.scores)]),
		ARRAY(SELECT extract(epoch FROM t)::float8 FROM unnest(story.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		story.scores,
		ARRAY(SELECT healthscore_internal.report_day(t, m.time_zone) FROM unnest(story.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		ARRAY(SELECT coalesce(m.tier_cutoffs[k - 1], 0) FROM generate_series(1, tiers) AS k ORDER BY k),
		ARRAY(SELECT coalesce(m.tier_cutoffs[k], 100) FROM generate_series(1, tiers) AS k ORDER BY k),
		ARRAY(SELECT healthscore_internal.tier_color(k, tiers) FROM generate_series(1, tiers) AS k ORDER BY k),
		m.tier_labels,
		extract(epoch FROM ((story.latest AT TIME ZONE m.time_zone) - m.trend_window) AT TIME ZONE m.time_zone),
		extract(epoch FROM story.latest), format('trend window: %s', m.trend_window), false, false);

	body := body || '<h2>Signals over time</h2><div class="signals">'
			|| coalesce(healthscore_internal.report_signal_charts(m.name, account_key, m.time_zone, x_low, x_high, small_ticks.ticks, small_ticks.labels), '')
			|| '</div>';

	-- what changed at each run (account_story), newest first
	SELECT '<h2>What changed at each run</h2><table data-table="story">'
		   || healthscore_internal.html_head(ARRAY['as of', 'score', 'change', 'tier', 'computed tier', 'trend', 'what changed (signal: before -> now, points of the score)', 'costliest signals', 'model definition changed'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_date(st.as_of, m.time_zone), healthscore_internal.html_number(st.score, 1),
				  healthscore_internal.html_number(st.change, 1), healthscore_internal.html_tier(st.tier, st.tier_rank, tiers)
					  || CASE WHEN st.overridden THEN ' <small>override</small>' ELSE '' END,
				  healthscore_internal.html_escape(st.computed_tier), healthscore_internal.html_escape(coalesce(st.trend, 'new')),
				  healthscore_internal.html_escape(st.why_changed), healthscore_internal.html_escape(st.reasons),
				  CASE WHEN st.model_changed THEN '<span class="bad">yes</span>' ELSE '' END], '{2,3}'),
				  '' ORDER BY st.as_of DESC, st.run_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.account_story(m.name, account_key) AS st;
	body := body || piece;

	-- the current run's change, signal by signal (score_changes)
	SELECT '<h3>Since the run before and over the trend window, signal by signal</h3><table data-table="score_changes">'
		   || healthscore_internal.html_head(ARRAY['signal', 'raw value before', 'raw value now', 'points before', 'points now', 'change of the score', 'change over the trend window'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(sc.signal), healthscore_internal.html_number(sc.previous_raw_value, 2),
				  healthscore_internal.html_number(sc.raw_value, 2), healthscore_internal.html_number(sc.previous_points, 1),
				  healthscore_internal.html_number(sc.points, 1), healthscore_internal.html_number(sc.contribution_change, 2),
				  healthscore_internal.html_number(sc.window_contribution_change, 2)], '{2,3,4,5,6,7}'),
				  '' ORDER BY abs(sc.contribution_change) DESC NULLS LAST, sc.signal)
		   || '</table>'
	INTO piece FROM healthscore.score_changes AS sc
	WHERE sc.model = m.name AND sc.account_key = account_report.account_key;
	body := body || coalesce(piece, '');

	-- risk indicators raised now (risk_indicators)
	SELECT '<h2>Risk indicators</h2><table data-table="indicators">'
		   || healthscore_internal.html_head(ARRAY['indicator', 'raised since', 'why', 'what it means'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(i.indicator), healthscore_internal.html_date(i.since, m.time_zone),
				  healthscore_internal.html_escape(i.reason), healthscore_internal.html_escape(i.description)]), '' ORDER BY i.indicator)
		   || '</table>'
	INTO piece FROM healthscore.risk_indicators AS i
	WHERE i.model = m.name AND i.account_key = account_report.account_key;
	body := body || coalesce(piece, '<h2>Risk indicators</h2><p class="note">None raised.</p>');

	-- overrides of the tier and assessments, with who entered them and until when
	SELECT '<h2>Overrides</h2><table data-table="overrides">'
		   || healthscore_internal.html_head(ARRAY['tier', 'reason', 'set by', 'set at', 'expires'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(o.tier), healthscore_internal.html_escape(o.reason),
				  healthscore_internal.html_escape(o.set_by), healthscore_internal.html_date(o.set_at, m.time_zone),
				  healthscore_internal.html_date(o.expires_at, m.time_zone)]), '' ORDER BY o.set_at DESC, o.override_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.overrides AS o
	WHERE o.model = m.name AND o.account_key = account_report.account_key;
	body := body || coalesce(piece, '<h2>Overrides</h2><p class="note">None.</p>');

	SELECT '<h2>Assessments</h2><table data-table="assessments">'
		   || healthscore_internal.html_head(ARRAY['factor', 'rating', 'points', 'note', 'assessed by', 'assessed at', 'expires'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(a.factor), a.rating::text, healthscore_internal.html_number(a.points, 0),
				  healthscore_internal.html_escape(a.note), healthscore_internal.html_escape(a.assessed_by),
				  healthscore_internal.html_date(a.assessed_at, m.time_zone),
				  healthscore_internal.html_date(((a.assessed_at AT TIME ZONE m.time_zone) + a.valid_for) AT TIME ZONE m.time_zone, m.time_zone)],
				  '{2,3}'), '' ORDER BY a.assessed_at DESC, a.assessment_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.assessments AS a
	WHERE a.account_key = account_report.account_key
	  AND a.factor IN (SELECT s.factor FROM healthscore.signals AS s WHERE s.model = m.name AND s.scoring = 'assessment');
	body := body || coalesce(piece, '');

	RETURN healthscore_internal.html_page(format('Account review: %s', coalesce(names ->> account_key, account_key)), body);
END
$$;

COMMENT ON FUNCTION healthscore.account_report(text, text, regclass) IS
'a self-contained HTML review page of one account of a model (for a QBR), from account_story and the views as the caller sees them: the health line over the tier bands with the trend window, its signals over time, what changed at each run, risk indicators, overrides and assessments with their authors and expiry';

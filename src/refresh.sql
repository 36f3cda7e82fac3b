-- Refresh: one run of a model writes a run record and a score row per account. The SQL is
-- generated from the model's definition: one grouped query per source relation and time window
-- (never one scan per signal), joined to the account relation so every account gets a row,
-- scored with the C functions and combined with weighted_score(). Each score row keeps its
-- signals' raw values and points as arrays in signal order (the names and weights are kept once
-- per run): one row per account rather than one per account and signal is what makes writing
-- history cheap. The components view unfolds them.

CREATE TABLE healthscore.runs (
	run_id bigserial PRIMARY KEY,
	model text NOT NULL,
	as_of timestamptz NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	accounts integer NOT NULL,
	accounts_scored integer NOT NULL,
	fingerprint text NOT NULL,
	signals text[] NOT NULL,
	weights float8[] NOT NULL,
	stale boolean[],
	newest_rows timestamptz[]
);
CREATE INDEX runs_model_run_idx ON healthscore.runs (model, run_id);
CREATE INDEX runs_model_as_of_idx ON healthscore.runs (model, as_of);

COMMENT ON TABLE healthscore.runs IS 'one row per refresh of a model; its scores and components are written in the same transaction';
COMMENT ON COLUMN healthscore.runs.run_id IS 'run identifier, increasing in the order runs of a model committed';
COMMENT ON COLUMN healthscore.runs.model IS 'the model refreshed';
COMMENT ON COLUMN healthscore.runs.as_of IS 'the time the scores describe; lookback windows end here';
COMMENT ON COLUMN healthscore.runs.started_at IS 'when the refresh started (wall clock)';
COMMENT ON COLUMN healthscore.runs.finished_at IS 'when the refresh finished writing (wall clock)';
COMMENT ON COLUMN healthscore.runs.accounts IS 'accounts in the account relation at the run';
COMMENT ON COLUMN healthscore.runs.accounts_scored IS 'accounts that got a score (the others had every signal missing)';
COMMENT ON COLUMN healthscore.runs.fingerprint IS 'md5 of the model and signal definitions the run used: runs with equal fingerprints are comparable';
COMMENT ON COLUMN healthscore.runs.signals IS 'the model''s signals at the run, in signal order: element i of scores.raw_values and scores.points belongs to signals[i]';
COMMENT ON COLUMN healthscore.runs.weights IS 'the signals'' weights at the run, in the order of signals';
COMMENT ON COLUMN healthscore.runs.stale IS 'per signal, in the order of signals: true when its source''s newest row was older than the signal''s max_age, so that it counted as missing for every account; NULL for runs before 0.2.0';
COMMENT ON COLUMN healthscore.runs.newest_rows IS 'per signal, in the order of signals: the time of its source''s newest row at the as-of time, for signals with a max_age (NULL otherwise, or when the source had no rows)';

-- Attempts of healthscore.run(), the procedure schedules call: it commits a running attempt
-- before it refreshes and a failed one when the refresh fails, so that a failure leaves a trace
-- although the refresh's own transaction rolls back (PostgreSQL has no autonomous transactions).
-- A plain refresh() records no attempt: its caller gets all or nothing, and the error.
CREATE TABLE healthscore.attempts (
	attempt_id bigserial PRIMARY KEY,
	model text NOT NULL,
	as_of timestamptz NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz,
	status text NOT NULL DEFAULT 'running'
		CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['running', 'succeeded', 'failed'])),
	run_id bigint,
	backend_pid integer NOT NULL,
	error_sqlstate text,
	error_message text,
	error_detail text,
	error_hint text,
	error_context text,
	CHECK ((status OPERATOR(pg_catalog.=) 'succeeded') OPERATOR(pg_catalog.=) (run_id IS NOT NULL)),
	CHECK ((status OPERATOR(pg_catalog.=) 'failed') OPERATOR(pg_catalog.=) (error_sqlstate IS NOT NULL))
);
CREATE INDEX attempts_model_started_idx ON healthscore.attempts (model, started_at);
CREATE INDEX attempts_run_idx ON healthscore.attempts (run_id);

COMMENT ON TABLE healthscore.attempts IS 'one row per model and call of healthscore.run() (what schedules call): running, succeeded (with its run) or failed (with the error)';
COMMENT ON COLUMN healthscore.attempts.attempt_id IS 'attempt identifier';
COMMENT ON COLUMN healthscore.attempts.model IS 'the model refreshed';
COMMENT ON COLUMN healthscore.attempts.as_of IS 'the time the scores were to describe';
COMMENT ON COLUMN healthscore.attempts.started_at IS 'when the attempt started (wall clock)';
COMMENT ON COLUMN healthscore.attempts.finished_at IS 'when it succeeded or failed; NULL while running';
COMMENT ON COLUMN healthscore.attempts.status IS 'running, succeeded or failed (a running attempt whose backend is gone reads as failed in model_runs)';
COMMENT ON COLUMN healthscore.attempts.run_id IS 'the run it wrote, when it succeeded';
COMMENT ON COLUMN healthscore.attempts.backend_pid IS 'the process running it, which holds an advisory lock on the attempt while it runs';
COMMENT ON COLUMN healthscore.attempts.error_sqlstate IS 'the SQLSTATE of the error, when it failed';
COMMENT ON COLUMN healthscore.attempts.error_message IS 'the error message (administrators only: it may quote values of rows)';
COMMENT ON COLUMN healthscore.attempts.error_detail IS 'the error''s detail (administrators only)';
COMMENT ON COLUMN healthscore.attempts.error_hint IS 'the error''s hint: what to do (administrators only)';
COMMENT ON COLUMN healthscore.attempts.error_context IS 'where the error was raised (administrators only)';

-- While run() works on an attempt, its backend holds a session-level advisory lock on it (which
-- outlives the commits in between and ends with the backend): a running attempt whose lock is not
-- held in pg_locks was cut short (terminated, crashed, the server restarted) and reads as failed.
CREATE FUNCTION healthscore_internal.attempt_lock(attempt_id bigint, OUT class integer, OUT id integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT hashtext('healthscore.attempt'), (attempt_id % 2147483647)::integer $$;

COMMENT ON FUNCTION healthscore_internal.attempt_lock(bigint) IS
'the two keys of the advisory lock run() holds on an attempt while it runs';

CREATE FUNCTION healthscore_internal.attempt_status(status text, attempt_id bigint, backend_pid integer)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN status <> 'running' THEN status
				WHEN EXISTS (SELECT FROM pg_locks AS l, healthscore_internal.attempt_lock(attempt_id) AS k
							 WHERE l.locktype = 'advisory' AND l.classid = k.class::oid AND l.objid = k.id::oid
							   AND l.objsubid = 2 AND l.pid = backend_pid AND l.granted
							   AND l.database = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database()))
				THEN 'running'
				ELSE 'failed' END
$$;

COMMENT ON FUNCTION healthscore_internal.attempt_status(text, bigint, integer) IS
'an attempt''s status as it stands: running only while its backend still holds the attempt''s lock, else failed';

-- The error of a failed attempt: its text for those who may read it (administrators; a message
-- may quote values of rows), else only its SQLSTATE.
CREATE FUNCTION healthscore_internal.attempt_error(status text, attempt_id bigint, backend_pid integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	failure record;
BEGIN
	IF healthscore_internal.attempt_status(status, attempt_id, backend_pid) <> 'failed' THEN
		RETURN NULL;
	ELSIF status = 'running' THEN
		RETURN 'the session running it ended before it finished (terminated, crashed, or the server restarted)';
	ELSIF NOT has_column_privilege('healthscore.attempts', 'error_message', 'SELECT') THEN
		RETURN format('failed with SQLSTATE %s (administrators see the error in healthscore.model_runs)',
					  (SELECT a.error_sqlstate FROM healthscore.attempts AS a WHERE a.attempt_id = attempt_error.attempt_id));
	END IF;
	SELECT a.error_sqlstate, a.error_message, a.error_detail, a.error_hint INTO failure
	FROM healthscore.attempts AS a WHERE a.attempt_id = attempt_error.attempt_id;
	RETURN concat_ws(E'\n', failure.error_message, 'DETAIL: ' || nullif(failure.error_detail, ''),
					 'HINT: ' || nullif(failure.error_hint, ''), 'SQLSTATE: ' || failure.error_sqlstate);
END
$$;

COMMENT ON FUNCTION healthscore_internal.attempt_error(text, bigint, integer) IS
'the error of a failed attempt: message, detail, hint and SQLSTATE for those who may read attempts.error_message, else only the SQLSTATE';

CREATE TABLE healthscore.scores (
	run_id bigint NOT NULL,
	model text NOT NULL,
	account_key text NOT NULL,
	score float8,
	tier text NOT NULL,
	computed_tier text NOT NULL,
	override_id bigint,
	previous_score float8,
	previous_tier text,
	sparkline text,
	reasons text,
	worst_signal text,
	segment text,
	value numeric,
	owner text,
	renewal_date date,
	raw_values float8[] NOT NULL,
	points float8[] NOT NULL,
	PRIMARY KEY (run_id, account_key)
);
CREATE INDEX scores_model_account_idx ON healthscore.scores (model, account_key, run_id);

COMMENT ON TABLE healthscore.scores IS 'one row per run and account: the score, the tier and the account''s attributes at the run';
COMMENT ON COLUMN healthscore.scores.run_id IS 'the run';
COMMENT ON COLUMN healthscore.scores.model IS 'the model (denormalized from runs for row-level security and indexes)';
COMMENT ON COLUMN healthscore.scores.account_key IS 'the account key as text';
COMMENT ON COLUMN healthscore.scores.score IS 'weighted score 0-100; NULL when every signal was missing';
COMMENT ON COLUMN healthscore.scores.tier IS 'tier in force: the override''s tier when one applied, else computed_tier';
COMMENT ON COLUMN healthscore.scores.computed_tier IS 'tier computed from the score, or unknown when the score is NULL';
COMMENT ON COLUMN healthscore.scores.override_id IS 'the override that set the tier, if any (healthscore.overrides)';
COMMENT ON COLUMN healthscore.scores.previous_score IS 'the account''s score in the model''s run before this one (by as-of time) when this run was written';
COMMENT ON COLUMN healthscore.scores.previous_tier IS 'the account''s tier in that run';
COMMENT ON COLUMN healthscore.scores.reasons IS 'the three signals that cost the most points: signal raw value (-points lost); no data when the source had no rows';
COMMENT ON COLUMN healthscore.scores.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.scores.sparkline IS 'this score and up to 11 before it, oldest first (the previous run''s sparkline plus this score), one code per score: its band 0 (below 12.5) to 7 (87.5 or more) as a digit, a space for no score (runs written by 0.1.0 hold the bars U+2581 to U+2588 instead); healthscore.sparkline() draws both';
COMMENT ON COLUMN healthscore.scores.segment IS 'the account''s segment at the run';
COMMENT ON COLUMN healthscore.scores.value IS 'the account''s value (ARR) at the run';
COMMENT ON COLUMN healthscore.scores.owner IS 'the account''s owner at the run';
COMMENT ON COLUMN healthscore.scores.renewal_date IS 'the account''s renewal date at the run';
COMMENT ON COLUMN healthscore.scores.raw_values IS 'each signal''s raw value (decay signals: age in days; NULL when missing), in the order of runs.signals';
COMMENT ON COLUMN healthscore.scores.points IS 'each signal''s points 0-100 after the missing-data policy (NULL when skipped), in the order of runs.signals';

-- The components of every run, one row per run, account and signal, unfolded from the arrays
-- of the score rows. Row-level security of scores applies (security_invoker).
CREATE VIEW healthscore.components WITH (security_invoker = true) AS
SELECT s.run_id, s.model, s.account_key, c.signal, c.raw_value, c.points, c.weight, share.weight_share,
	   c.points OPERATOR(pg_catalog.*) share.weight_share AS contribution,
	   coalesce((100 OPERATOR(pg_catalog.-) c.points) OPERATOR(pg_catalog.*) share.weight_share, 0) AS points_lost,
	   coalesce(c.stale, false) AS stale
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight)
					FROM ROWS FROM (pg_catalog.unnest(s.points), pg_catalog.unnest(r.weights)) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.signals), pg_catalog.unnest(s.raw_values), pg_catalog.unnest(s.points),
							  pg_catalog.unnest(r.weights), pg_catalog.unnest(r.stale)) AS c(signal, raw_value, points, weight, stale)
CROSS JOIN LATERAL (SELECT CASE WHEN c.points IS NULL THEN 0 ELSE c.weight OPERATOR(pg_catalog./) present.weight END)
	AS share(weight_share);

COMMENT ON VIEW healthscore.components IS 'one row per run, account and signal: how the score came about (unfolded from scores.raw_values and scores.points)';
COMMENT ON COLUMN healthscore.components.run_id IS 'the run';
COMMENT ON COLUMN healthscore.components.model IS 'the model';
COMMENT ON COLUMN healthscore.components.account_key IS 'the account key as text';
COMMENT ON COLUMN healthscore.components.signal IS 'the signal';
COMMENT ON COLUMN healthscore.components.raw_value IS 'the signal''s raw value (for decay signals: age in days); NULL when missing';
COMMENT ON COLUMN healthscore.components.points IS 'points 0-100 after the missing-data policy; NULL when skipped';
COMMENT ON COLUMN healthscore.components.weight IS 'the signal''s weight';
COMMENT ON COLUMN healthscore.components.weight_share IS 'weight / sum of the weights of the account''s present signals (0 when skipped)';
COMMENT ON COLUMN healthscore.components.contribution IS 'points * weight_share: the components of an account add up to its score';
COMMENT ON COLUMN healthscore.components.points_lost IS '(100 - points) * weight_share: what the signal cost the account';
COMMENT ON COLUMN healthscore.components.stale IS 'true when the signal''s source was stale at the run (its newest row older than max_age): it counted as missing';

-- Cascades. The model, signal and history tables are linked by triggers, not foreign keys:
-- pg_restore -j loads the rows of extension config tables in parallel, in no particular order,
-- and a foreign key would make that restore fail. refresh() and the definition functions write
-- parents before children; these triggers remove the children of deleted models and runs, once
-- per statement. Models are not renamed (history refers to them by name).
CREATE FUNCTION healthscore.cascade_model_deletes()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM healthscore.signals AS s USING old_models AS o WHERE s.model = o.name;
	DELETE FROM healthscore.runs AS r USING old_models AS o WHERE r.model = o.name;
	DELETE FROM healthscore.attempts AS a USING old_models AS o WHERE a.model = o.name;
	DELETE FROM healthscore.overrides AS v USING old_models AS o WHERE v.model = o.name;
	DELETE FROM healthscore.playbooks AS p USING old_models AS o WHERE p.model = o.name;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore.cascade_model_deletes() IS
'trigger: removes the signals, runs, attempts, overrides and playbooks of deleted models';

CREATE TRIGGER cascade_deleted_models AFTER DELETE ON healthscore.models
	REFERENCING OLD TABLE AS old_models
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore.cascade_model_deletes();

CREATE FUNCTION healthscore.forbid_model_rename()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'models cannot be renamed: model "%" has history under its name', OLD.name
		USING ERRCODE = 'feature_not_supported',
			  HINT = 'Create a model with the new name, or keep the old one.';
END
$$;

COMMENT ON FUNCTION healthscore.forbid_model_rename() IS
'trigger: rejects renaming a model, whose signals and history refer to it by name';

CREATE TRIGGER forbid_model_rename BEFORE UPDATE OF name ON healthscore.models
	FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
	EXECUTE FUNCTION healthscore.forbid_model_rename();

CREATE FUNCTION healthscore.cascade_run_deletes()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM healthscore.scores AS s USING old_runs AS o WHERE s.run_id = o.run_id;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore.cascade_run_deletes() IS
'trigger: removes the scores of deleted runs';

CREATE TRIGGER cascade_deleted_runs AFTER DELETE ON healthscore.runs
	REFERENCING OLD TABLE AS old_runs
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore.cascade_run_deletes();

SELECT pg_catalog.pg_extension_config_dump('healthscore.runs', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.runs_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.scores', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts_attempt_id_seq', '');

-- The equality operator between two key types, qualified with its schema, for the joins of
-- generated SQL (keys of any type: integer, bigint, text, uuid, or a type from another schema).
CREATE FUNCTION healthscore_internal.equality(left_type regtype, right_type regtype)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(
		(SELECT format('OPERATOR(%I.=)', n.nspname)
		 FROM pg_operator AS o JOIN pg_namespace AS n ON n.oid = o.oprnamespace
		 WHERE o.oprname = '=' AND o.oprleft = left_type AND o.oprright = right_type
		 ORDER BY n.nspname <> 'pg_catalog', n.nspname LIMIT 1),
		'OPERATOR(pg_catalog.=)')
$$;

COMMENT ON FUNCTION healthscore_internal.equality(regtype, regtype) IS
'the = operator between two types as OPERATOR(schema.=), for joins in generated SQL (pg_catalog''s when no exact one exists)';

CREATE FUNCTION healthscore_internal.column_type(relation regclass, column_name text)
RETURNS regtype
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.atttypid::regtype FROM pg_attribute AS a
	WHERE a.attrelid = relation AND a.attname = column_name AND a.attnum > 0 AND NOT a.attisdropped
$$;

COMMENT ON FUNCTION healthscore_internal.column_type(regclass, text) IS
'the type of a column of a relation';

-- The grouped query of one source relation and time window, computing every given signal as a
-- column c<position>, cast to float8 (timestamptz for decay) unless typed is false (then its own
-- type shows: what defining a signal checks). Expressions may use account.<column>; the source is
-- then joined to the account relation and grouped by its key, so PostgreSQL accepts the account's
-- columns beside the aggregates. Every expression is checked to be one expression
-- (one_expression) and wrapped; everything else in the text is qualified, and literals are written
-- so that they read back the same under any session settings.
CREATE FUNCTION healthscore_internal.source_query(model healthscore.models, source text, source_key text,
												  time_column text, lookback interval,
												  signals healthscore.signals[], as_of timestamptz,
												  typed boolean)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET extra_float_digits = 3
AS $$
DECLARE
	signal healthscore.signals;
	columns text := '';
	uses_account boolean := false;
	conditions text[] := '{}';
	grouping text;
	source_relation regclass := source::regclass;
BEGIN
	FOREACH signal IN ARRAY signals LOOP
		IF signal.scoring = 'assessment' THEN
			-- the latest rating of the factor that has not expired at the as-of time
			columns := columns || format(', (pg_catalog.array_agg(s.points ORDER BY s.assessed_at DESC, s.assessment_id DESC)'
										 ' FILTER (WHERE s.factor OPERATOR(pg_catalog.=) %L'
										 ' AND (s.assessed_at OPERATOR(pg_catalog.+) s.valid_for) OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz))[1] AS c%s',
										 signal.factor, as_of, signal.position);
			CONTINUE;
		END IF;
		uses_account := uses_account OR signal.expression ~* '\maccount\s*\.';
		columns := columns || format(', %s%s AS c%s',
									 healthscore_internal.one_expression(signal.expression, 'refresh', model.name, signal.name, 'expression'),
									 CASE WHEN NOT typed THEN ''
										  WHEN signal.scoring = 'decay' THEN '::pg_catalog.timestamptz'
										  ELSE '::pg_catalog.float8' END,
									 signal.position);
	END LOOP;
	-- the window's start is computed here, as a constant: timestamptz - interval is only
	-- stable, so written into the query it would be computed again for every row
	IF time_column IS NOT NULL THEN
		conditions := conditions || format('s.%I OPERATOR(pg_catalog.<=) %L::pg_catalog.timestamptz', time_column, as_of);
		IF lookback IS NOT NULL THEN
			conditions := conditions || format('s.%I OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz', time_column, as_of - lookback);
		END IF;
	END IF;
	grouping := CASE WHEN uses_account THEN format('account.%I', model.key_column)
					 ELSE format('s.%I', source_key) END;
	RETURN format('SELECT %s AS account_key%s FROM %s AS s%s%s GROUP BY %s',
				  grouping, columns, source_relation,
				  CASE WHEN uses_account
					   THEN format(' JOIN %s AS account ON account.%I %s s.%I',
								   model.accounts::regclass, model.key_column,
								   healthscore_internal.equality(
									   healthscore_internal.column_type(model.accounts::regclass, model.key_column),
									   healthscore_internal.column_type(source_relation, source_key)),
								   source_key)
					   ELSE '' END,
				  CASE WHEN cardinality(conditions) > 0
					   THEN ' WHERE ' || array_to_string(conditions, ' AND ') ELSE '' END,
				  grouping);
END
$$;

COMMENT ON FUNCTION healthscore_internal.source_query(healthscore.models, text, text, text, interval, healthscore.signals[], timestamptz, boolean) IS
'the grouped query computing the given signals of one source relation and time window (used by refresh_sql); typed: values cast to float8 (timestamptz for decay)';

-- The accounts a model scores, as a condition over the account row: its own segment filter, and
-- none of the filters of the models of its group with a higher priority.
CREATE FUNCTION healthscore.segment_condition(model healthscore.models)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT concat_ws(' AND ', healthscore_internal.filter_condition(model.name, model.segment_filter, 'refresh'),
					 (SELECT string_agg(format('NOT %s', healthscore_internal.filter_condition(h.name, h.segment_filter, 'refresh')),
										' AND ' ORDER BY h.priority DESC)
					  FROM healthscore.models AS h
					  WHERE h.model_group = model.model_group AND h.priority > model.priority))
$$;

COMMENT ON FUNCTION healthscore.segment_condition(healthscore.models) IS
'the SQL condition over the account row selecting the accounts a model scores: its filter, and no filter of a higher-priority model of its group';

-- The whole scoring query of a model as of a time: one row per account the model scores, with
-- the account's attributes and, in signal order (position), the signals' raw values and their
-- points after the missing-data policy. Windows are computed in the model's time zone; the text
-- reads the same under any session settings (qualified names, literals with explicit types and
-- offsets, floats in their shortest exact form).
-- PARALLEL UNSAFE: it sets the time zone, which no parallel operation may.
CREATE FUNCTION healthscore.refresh_sql(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(model);
	source_group record;
	signal healthscore.signals;
	joins text := '';
	raw_by_position text[] := '{}';
	points_by_position text[] := '{}';
	group_alias text;
	group_number integer := 0;
	value_ref text;
	checked text;
	raw_value text;
	points text;
	missing_points text;
	ranked_value text;
	peers text;
	key_type regtype;
	group_key_type regtype;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh_sql(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);	-- until this function returns
	key_type := healthscore_internal.column_type(found_model.accounts::regclass, found_model.key_column);
	FOR source_group IN
		SELECT s.source, s.source_key, s.time_column, s.lookback,
			   array_agg(s ORDER BY s.position) AS signals, min(s.position) AS first,
			   bool_or(s.expression ~* '\maccount\s*\.' AND s.scoring <> 'assessment') AS uses_account
		FROM healthscore.signals AS s
		WHERE s.model = found_model.name
		GROUP BY s.source, s.source_key, s.time_column, s.lookback
		ORDER BY first
	LOOP
		group_number := group_number + 1;
		group_alias := 'g' || group_number;
		-- the group's key is the account's when it joins the account row; assessments key by text
		group_key_type := CASE WHEN source_group.uses_account THEN key_type
							   ELSE healthscore_internal.column_type(source_group.source::regclass, source_group.source_key) END;
		joins := joins || format(E'\nLEFT JOIN (%s) AS %I ON %I.account_key %s account.%I%s',
								 healthscore_internal.source_query(found_model, source_group.source, source_group.source_key,
																   source_group.time_column, source_group.lookback,
																   source_group.signals, as_of, true),
								 group_alias, group_alias,
								 CASE WHEN source_group.source = 'healthscore.assessments' THEN 'OPERATOR(pg_catalog.=)'
									  ELSE healthscore_internal.equality(group_key_type, key_type) END,
								 found_model.key_column,
								 CASE WHEN source_group.source = 'healthscore.assessments' THEN '::pg_catalog.text' ELSE '' END);
		FOREACH signal IN ARRAY source_group.signals LOOP
			value_ref := format('%I.c%s', group_alias, signal.position);
			checked := format('healthscore_internal.signal_value(%s, %L, %L, %L)', value_ref, found_model.name,
							  signal.name, signal.scoring);
			raw_value := CASE signal.scoring
				WHEN 'decay' THEN format('healthscore_internal.age_days(%s, %L::pg_catalog.timestamptz)', value_ref, as_of)
				ELSE checked END;
			missing_points := CASE signal.missing WHEN 'zero' THEN '0::pg_catalog.float8'
							  WHEN 'value' THEN format('%L::pg_catalog.float8', signal.missing_value)
							  ELSE 'NULL::pg_catalog.float8' END;
			points := CASE signal.scoring
				WHEN 'linear' THEN format('healthscore.linear(%s, %L::pg_catalog.float8, %L::pg_catalog.float8)',
										  checked, signal.worst, signal.best)
				WHEN 'logarithmic' THEN format('healthscore.logarithmic(%s, %L::pg_catalog.float8, %L::pg_catalog.float8)',
											   checked, signal.worst, signal.best)
				WHEN 'bands' THEN format('healthscore.bands(%s, %L::pg_catalog.float8[], %L::pg_catalog.float8[])',
										 checked, signal.breaks, signal.points)
				WHEN 'decay' THEN format('healthscore.decay(%s, %L::pg_catalog.interval, %L::pg_catalog.timestamptz)',
										 value_ref, signal.half_life, as_of)
				ELSE checked END;	-- points, assessment: the value is the points
			IF signal.scoring = 'percentile' THEN
				-- mid-rank percentile among the accounts that have a value: the share of the others
				-- below it, counting ties as half below (all equal: 50; a single account: 50)
				ranked_value := CASE WHEN signal.lower_is_better THEN format('(OPERATOR(pg_catalog.-) %s)', raw_value)
									 ELSE raw_value END;
				peers := format('PARTITION BY (%s) IS NULL', ranked_value);
				points := format('CASE WHEN (%1$s) IS NULL THEN %2$s'
								 ' WHEN pg_catalog.count(*) OVER (%3$s) OPERATOR(pg_catalog.=) 1 THEN 50'
								 ' ELSE (100 OPERATOR(pg_catalog.*) (((pg_catalog.rank() OVER (%3$s ORDER BY %1$s)'
								 ' OPERATOR(pg_catalog.+) pg_catalog.count(*) OVER (%3$s ORDER BY %1$s)) OPERATOR(pg_catalog./) 2.0)'
								 ' OPERATOR(pg_catalog.-) 1)) OPERATOR(pg_catalog./) (pg_catalog.count(*) OVER (%3$s) OPERATOR(pg_catalog.-) 1) END',
								 ranked_value, missing_points, peers);
			ELSE
				points := format('coalesce(%s, %s)', points, missing_points);
			END IF;
			raw_by_position[signal.position] := format('%s::pg_catalog.float8', raw_value);
			points_by_position[signal.position] := format('(%s)::pg_catalog.float8', points);
		END LOOP;
	END LOOP;
	IF group_number = 0 THEN
		RAISE EXCEPTION 'model "%" has no signals', found_model.name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add one with healthscore.add_signal().';
	END IF;

	-- array_to_string skips the NULL gaps that dropped signals leave between positions
	RETURN format($q$SELECT account.%I::pg_catalog.text AS account_key, %s AS segment, %s AS value, %s AS owner, %s AS renewal_date,
       ARRAY[%s] AS raw_values,
       ARRAY[%s] AS points
FROM %s AS account%s
WHERE %s$q$,
		found_model.key_column,
		CASE WHEN found_model.segment_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.segment_column) END,
		CASE WHEN found_model.value_column IS NULL THEN 'NULL::pg_catalog.numeric' ELSE format('account.%I::pg_catalog.numeric', found_model.value_column) END,
		CASE WHEN found_model.owner_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.owner_column) END,
		CASE WHEN found_model.renewal_column IS NULL THEN 'NULL::pg_catalog.date' ELSE format('account.%I::pg_catalog.date', found_model.renewal_column) END,
		array_to_string(raw_by_position, E',\n         '),
		array_to_string(points_by_position, E',\n         '),
		found_model.accounts::regclass, joins,
		healthscore.segment_condition(found_model));
END
$$;

COMMENT ON FUNCTION healthscore.refresh_sql(text, timestamptz) IS
'the scoring query a refresh runs for a model: one row per account with its attributes, and its signals'' raw values and points as arrays in signal order; for EXPLAIN and for checking a model by hand';

-- The settings are pinned to PostgreSQL's defaults, under which 0.1.0 computed the fingerprints
-- stored with its runs: the text of floats and intervals would otherwise follow the session. A
-- setting added later enters only when it differs from its default, so that fingerprints of
-- models that do not use it stay what they were.
CREATE FUNCTION healthscore.fingerprint(model text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
AS $$
	SELECT md5(concat_ws('|',
		(SELECT concat_ws(';', m.accounts, m.key_column, m.segment_column, m.value_column, m.renewal_column,
						  m.owner_column, m.tier_cutoffs::text, m.tier_labels::text, m.trend_threshold,
						  CASE WHEN m.time_zone <> 'UTC' THEN 'time_zone=' || m.time_zone END)
		 FROM healthscore.model_row(fingerprint.model) AS m),
		(SELECT string_agg(concat_ws(';', s.name, s.source, s.source_key, s.expression, s.time_column, s.lookback,
									 s.scoring, s.worst, s.best, s.breaks::text, s.points::text, s.half_life,
									 s.lower_is_better, s.weight, s.missing, s.missing_value,
									 CASE WHEN s.max_age IS NOT NULL THEN 'max_age=' || s.max_age END),
						   '|' ORDER BY s.name)
		 FROM healthscore.signals AS s WHERE s.model = fingerprint.model)))
$$;

COMMENT ON FUNCTION healthscore.fingerprint(text) IS
'md5 of everything in a model that changes its scores (not descriptions or actions)';

-- jit is off for the refresh: its generated queries are large and cost enough to trigger
-- inlining and optimization, which take longer than they save (measured by make bench). The
-- settings that change how values are written and read are pinned, so that scores never depend
-- on the session; the time zone is then the model's (set below, undone when the function ends).
CREATE FUNCTION healthscore.refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
SET TimeZone = 'UTC'
SET lc_numeric = 'C'
SET lc_time = 'C'
SET lc_monetary = 'C'
AS $$
DECLARE
	found_model healthscore.models;
	run bigint;
	started timestamptz := clock_timestamp();
	signal_names text[];
	signal_weights float8[];
	accounts_total integer;
	accounts_with_score integer;
	tier_changes integer;
	bad_keys bigint;
	previous_run bigint;
	signal_stale boolean[];
	signal_newest timestamptz[];
	stale_signal record;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	-- one refresh of a model at a time; a second waits here, then reads the model as committed
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore.model_row(model);
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, signal_weights
	FROM healthscore.signals AS s WHERE s.model = found_model.name;

	PERFORM set_config('TimeZone', found_model.time_zone, true);
	-- what would make the scoring query fail, said plainly: relations, columns, the author's grants
	PERFORM healthscore_internal.raise_model_errors(found_model.name, 'refresh');

	-- A signal whose source's newest row is older than its max_age is stale: a broken pipeline,
	-- not unhealthy accounts. It counts as missing for every account, and the run says so.
	SELECT array_agg(s.max_age IS NOT NULL AND (f.newest IS NULL OR f.newest < refresh.as_of - s.max_age)
					 ORDER BY s.position),
		   array_agg(f.newest ORDER BY s.position)
	INTO signal_stale, signal_newest
	FROM healthscore.signals AS s
	LEFT JOIN healthscore_internal.source_freshness(found_model.name, refresh.as_of, false) AS f ON f.signal = s.name
	WHERE s.model = found_model.name;

	-- The scoring query runs as the model's author (score_as_author), into a temporary table of
	-- one row per account; its plan may be parallel. Left over from an earlier refresh in this
	-- transaction (backfill) the table is dropped; checked, not DROP IF EXISTS, which would print
	-- notices into a scheduled job's log.
	IF to_regclass('pg_temp.healthscore_refresh_scored') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_scored;
	END IF;
	PERFORM healthscore_internal.score_as_author(found_model.name, as_of);
	FOR stale_signal IN
		SELECT o.i, s.name, s.source, s.time_column, s.max_age, s.missing, s.missing_value
		FROM unnest(signal_names) WITH ORDINALITY AS o(name, i)
		JOIN healthscore.signals AS s ON s.model = found_model.name AND s.name = o.name
		WHERE signal_stale[o.i]
	LOOP
		UPDATE pg_temp.healthscore_refresh_scored
		SET raw_values[stale_signal.i] = NULL,
			points[stale_signal.i] = CASE stale_signal.missing WHEN 'zero' THEN 0
										  WHEN 'value' THEN stale_signal.missing_value END;
		RAISE WARNING '%', CASE WHEN signal_newest[stale_signal.i] IS NULL
			THEN format('refresh(): signal "%s" of model "%s" is stale: %s has no rows up to %s (by %s)',
						stale_signal.name, found_model.name, stale_signal.source, as_of, stale_signal.time_column)
			ELSE format('refresh(): signal "%s" of model "%s" is stale: the newest row of %s (by %s) is from %s, more than max_age %s before %s',
						stale_signal.name, found_model.name, stale_signal.source, stale_signal.time_column,
						signal_newest[stale_signal.i], stale_signal.max_age, as_of) END
			USING DETAIL = 'It counts as missing for every account (its missing policy applies), and the run marks it stale.',
				  HINT = format('Check what loads %s; healthscore.model_status lists stale sources.', stale_signal.source);
	END LOOP;

	INSERT INTO healthscore.runs (model, as_of, started_at, finished_at, accounts, accounts_scored, fingerprint,
								  signals, weights, stale, newest_rows)
	VALUES (found_model.name, as_of, started, started, 0, 0, healthscore.fingerprint(found_model.name),
			signal_names, signal_weights, signal_stale, signal_newest)
	RETURNING run_id INTO run;

	-- the run before this one: its scores give the change, the tier change and the sparkline,
	-- written here once rather than computed by every query of the views
	SELECT r.run_id INTO previous_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND (r.as_of, r.run_id) < (refresh.as_of, run)
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;

	-- One statement writes every score with its explanation. The tier in force is the latest
	-- active override's (set_at <= as_of < expires_at), unless the model allows only lowering and
	-- that override would raise the computed tier: then the next one applies, if any. The computed
	-- tier stays beside it. A NULL or repeated account key fails the primary key or NOT NULL of
	-- scores; the handler turns that into an error that says what to fix.
	BEGIN
		WITH written AS (
			INSERT INTO healthscore.scores (run_id, model, account_key, score, tier, computed_tier, override_id,
											previous_score, previous_tier, sparkline, reasons, worst_signal,
											segment, value, owner, renewal_date, raw_values, points)
			SELECT run, found_model.name, a.account_key, a.score,
				   coalesce(a.override_tiers[a.chosen], a.computed_tier), a.computed_tier, a.override_ids[a.chosen],
				   previous.score, previous.tier, right(coalesce(previous.sparkline, '') || healthscore_internal.spark_code(a.score), 12),
				   healthscore.score_reasons(signal_names, a.raw_values, a.points, signal_weights, 3),
				   healthscore.worst_signal(signal_names, a.points, signal_weights),
				   a.segment, a.value, a.owner, a.renewal_date, a.raw_values, a.points
			FROM (SELECT t.*,
						 CASE WHEN t.override_ids IS NOT NULL THEN
							 (SELECT min(i) FROM generate_subscripts(t.override_ids, 1) AS i
							  WHERE NOT (found_model.overrides_lower_only AND t.computed_tier <> 'unknown'
										 AND array_position(found_model.tier_labels, t.override_tiers[i])
											 > array_position(found_model.tier_labels, t.computed_tier)))
						 END AS chosen
				  FROM (SELECT p.*,
							   coalesce(healthscore.tier(p.score, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS computed_tier,
							   active.override_ids, active.override_tiers
						FROM (SELECT scored.*, healthscore.score_from_points(scored.points, signal_weights) AS score
							  FROM pg_temp.healthscore_refresh_scored AS scored
							  OFFSET 0) AS p	-- a fence: each score computed once
						LEFT JOIN (SELECT ov.account_key,
										  array_agg(ov.override_id ORDER BY ov.set_at DESC, ov.override_id DESC)
											AS override_ids,
										  array_agg(ov.tier ORDER BY ov.set_at DESC, ov.override_id DESC) AS override_tiers
								   FROM healthscore.overrides AS ov
								   WHERE ov.model = found_model.name
									 AND ov.set_at <= refresh.as_of AND ov.expires_at > refresh.as_of
								   GROUP BY ov.account_key) AS active ON active.account_key = p.account_key) AS t) AS a
			LEFT JOIN healthscore.scores AS previous
				ON previous.run_id = previous_run AND previous.account_key = a.account_key
			RETURNING score, tier, previous_tier)
		SELECT count(*), count(w.score), count(*) FILTER (WHERE w.previous_tier <> w.tier)
		INTO accounts_total, accounts_with_score, tier_changes
		FROM written AS w;
	EXCEPTION WHEN unique_violation OR not_null_violation THEN
		SELECT count(*) - count(DISTINCT scored.account_key) + count(*) FILTER (WHERE scored.account_key IS NULL)
		INTO bad_keys FROM pg_temp.healthscore_refresh_scored AS scored;
		IF bad_keys = 0 THEN
			RAISE;
		END IF;
		RAISE EXCEPTION 'refresh(): key column "%" of % (model "%") is NULL or repeated in % rows',
			found_model.key_column, found_model.accounts, found_model.name, bad_keys
			USING ERRCODE = 'unique_violation',
				  HINT = 'Every account needs one row with a unique, non-NULL key; use a view over the accounts if needed.';
	WHEN program_limit_exceeded THEN
		RAISE EXCEPTION 'refresh(): key column "%" of % (model "%") holds a key of % bytes, too long to index',
			found_model.key_column, found_model.accounts, found_model.name,
			(SELECT max(octet_length(scored.account_key)) FROM pg_temp.healthscore_refresh_scored AS scored)
			USING ERRCODE = 'program_limit_exceeded',
				  HINT = 'Account keys are at most about 2,000 bytes; key the accounts by an id.';
	END;

	UPDATE healthscore.runs
	SET finished_at = clock_timestamp(), accounts = accounts_total, accounts_scored = accounts_with_score
	WHERE run_id = run;
	DROP TABLE pg_temp.healthscore_refresh_scored;

	-- tell listeners (scheduled jobs, alerting) when the run commits: which run, no more (any role
	-- may LISTEN, so totals are not in it; model_runs and tier_changes give them, with the
	-- listener's privileges). Its time in UTC whatever the model's time zone.
	PERFORM set_config('TimeZone', 'UTC', true);
	PERFORM pg_notify('healthscore', json_build_object(
		'model', found_model.name, 'status', 'succeeded', 'run_id', run, 'as_of', refresh.as_of)::text);
	RETURN run;
END
$$;

COMMENT ON FUNCTION healthscore.refresh(text, timestamptz) IS
'scores every account of a model as of a time (default now) and writes the run and its scores (with raw values and points per signal) in one transaction; returns the run id';

-- Steps are taken in the model's time zone ('1 day' is a calendar day there).
CREATE FUNCTION healthscore.backfill(model text, since timestamptz, until timestamptz, step interval)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	as_of timestamptz := since;
	run bigint;
	steps integer := 0;
BEGIN
	PERFORM set_config('TimeZone', (healthscore.model_row(model)).time_zone, true);
	IF since IS NULL OR until IS NULL OR NOT isfinite(since) OR NOT isfinite(until) OR since > until THEN
		RAISE EXCEPTION 'backfill(): since and until must be finite with since <= until'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. since => now() - interval ''12 weeks'', until => now().';
	END IF;
	IF step IS NULL OR NOT since + step > since THEN
		RAISE EXCEPTION 'backfill(): step must be a positive interval, not %', coalesce(step::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. step => ''1 week''.';
	END IF;
	-- counted before any refresh, so that too long a range fails at once
	WHILE as_of <= until LOOP
		steps := steps + 1;
		IF steps > 10000 THEN
			RAISE EXCEPTION 'backfill(): more than 10000 steps from % to % by %', since, until, step
				USING ERRCODE = 'program_limit_exceeded', HINT = 'Use a larger step or a shorter range.';
		END IF;
		as_of := as_of + step;
	END LOOP;
	as_of := since;
	WHILE as_of <= until LOOP
		run := healthscore.refresh(model, as_of);
		RAISE NOTICE 'backfill: model "%" as of % is run %', model, as_of, run;
		RETURN NEXT run;
		as_of := as_of + step;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore.backfill(text, timestamptz, timestamptz, interval) IS
'refreshes a model as of each time from since to until by step (lookback windows end at each time), so history exists from day one; returns the run ids';

CREATE FUNCTION healthscore.refresh_group(model_group text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	member text;
	found boolean := false;
BEGIN
	FOR member IN SELECT m.name FROM healthscore.models AS m WHERE m.model_group = refresh_group.model_group
				  ORDER BY m.priority DESC LOOP
		found := true;
		RETURN NEXT healthscore.refresh(member, as_of);
	END LOOP;
	IF NOT found THEN
		RAISE EXCEPTION 'refresh_group(): no model belongs to group "%"', model_group
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name, model_group FROM healthscore.models.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore.refresh_group(text, timestamptz) IS
'refreshes every model of a group as of one time, in one transaction (each account scored by the model its segment belongs to); returns the run ids';

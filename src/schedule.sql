-- Scheduling: runs that leave a trace when they fail (run() and its attempts), pg_cron schedules
-- that work on a stock server, how often a model is expected to be refreshed, and dropping a model
-- with its schedule.

-- A name given to run() and schedule(): a model, or a model group (its models by priority).
CREATE FUNCTION healthscore_internal.run_members(name text, func text)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	is_model boolean := EXISTS (SELECT FROM healthscore.models AS m WHERE m.name = run_members.name);
	group_members text[] := ARRAY(SELECT m.name FROM healthscore.models AS m WHERE m.model_group = run_members.name
								  ORDER BY m.priority DESC);
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION '%(): name must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a model or a model group.';
	ELSIF is_model AND cardinality(group_members) > 0 THEN
		RAISE EXCEPTION '%(): "%" is both a model and a model group', func, name
			USING ERRCODE = 'ambiguous_alias',
				  HINT = format('Rename the group: UPDATE healthscore.models SET model_group = ''...'' WHERE model_group = %L.', name);
	ELSIF is_model THEN
		RETURN ARRAY[name];
	ELSIF cardinality(group_members) > 0 THEN
		RETURN group_members;
	END IF;
	RAISE EXCEPTION '%(): no model or model group is named "%"', func, name
		USING ERRCODE = 'undefined_object',
			  HINT = 'See SELECT name, model_group FROM healthscore.models.';
END
$$;

COMMENT ON FUNCTION healthscore_internal.run_members(text, text) IS
'the models a name given to run() or schedule() stands for: the model of that name, or the models of that group by priority; an error naming the function otherwise';

-- pg_cron's objects, only when the extension pg_cron is installed here: by name, schema cron is
-- anyone's to create in a database without pg_cron, with functions and views that the caller
-- would run.
CREATE FUNCTION healthscore_internal.cron_installed()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT FROM pg_extension AS e
				   JOIN pg_depend AS d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
										AND d.deptype = 'e' AND d.classid = 'pg_namespace'::regclass
				   JOIN pg_namespace AS n ON n.oid = d.objid
				   WHERE e.extname = 'pg_cron' AND n.nspname = 'cron')
$$;

COMMENT ON FUNCTION healthscore_internal.cron_installed() IS
'whether the extension pg_cron is installed in this database with its schema cron (not a schema of that name someone made)';

-- Whether pg_cron's library is loaded (it defines its settings when it is preloaded; a setting
-- only written in postgresql.conf is a placeholder of type string).
CREATE FUNCTION healthscore_internal.cron_loaded()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT FROM pg_settings AS s WHERE s.name = 'cron.use_background_workers' AND s.vartype = 'bool')
$$;

COMMENT ON FUNCTION healthscore_internal.cron_loaded() IS
'whether pg_cron''s library is loaded in this server (shared_preload_libraries)';

CREATE FUNCTION healthscore_internal.cron_job_name(model text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'healthscore refresh ' || model $$;

COMMENT ON FUNCTION healthscore_internal.cron_job_name(text) IS
'the pg_cron job name under which schedule() registers the runs of a model or a model group';

-- How often a cron schedule runs, for the common forms (every minute, every n minutes, hourly,
-- every n hours, daily, weekly on one day, monthly on one day, and pg_cron's @ names); NULL for
-- others, whose period is not one interval (lists, ranges of days).
CREATE FUNCTION healthscore_internal.cron_interval(cron text)
RETURNS interval
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	field text[] := regexp_split_to_array(btrim(lower(cron)), '\s+');
	number CONSTANT text := '^[0-9]+$';
	every CONSTANT text := '^\*/[0-9]+$';
BEGIN
	IF cron IS NULL THEN
		RETURN NULL;
	ELSIF btrim(lower(cron)) = '@hourly' THEN
		RETURN interval '1 hour';
	ELSIF btrim(lower(cron)) IN ('@daily', '@midnight') THEN
		RETURN interval '1 day';
	ELSIF btrim(lower(cron)) = '@weekly' THEN
		RETURN interval '7 days';
	ELSIF btrim(lower(cron)) = '@monthly' THEN
		RETURN interval '1 month';
	ELSIF btrim(lower(cron)) IN ('@yearly', '@annually') THEN
		RETURN interval '1 year';
	ELSIF cardinality(field) <> 5 OR field[4] <> '*' THEN
		RETURN NULL;
	ELSIF field[1] = '*' AND field[2] = '*' AND field[3] = '*' AND field[5] = '*' THEN
		RETURN interval '1 minute';
	ELSIF field[1] ~ every AND field[2] = '*' AND field[3] = '*' AND field[5] = '*' THEN
		RETURN make_interval(mins => substr(field[1], 3)::integer);
	ELSIF field[1] !~ number THEN
		RETURN NULL;
	ELSIF field[2] = '*' AND field[3] = '*' AND field[5] = '*' THEN
		RETURN interval '1 hour';
	ELSIF field[2] ~ every AND field[3] = '*' AND field[5] = '*' THEN
		RETURN make_interval(hours => substr(field[2], 3)::integer);
	ELSIF field[2] !~ number THEN
		RETURN NULL;
	ELSIF field[3] = '*' AND field[5] = '*' THEN
		RETURN interval '1 day';
	ELSIF field[3] = '*' AND (field[5] ~ '^[0-7]$' OR field[5] IN ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')) THEN
		RETURN interval '7 days';
	ELSIF field[3] ~ number AND field[5] = '*' THEN
		RETURN interval '1 month';
	END IF;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore_internal.cron_interval(text) IS
'the period of a cron schedule of a common form (every minute or n minutes, hourly, every n hours, daily, weekly on one day, monthly on one day, @hourly ... @yearly); NULL for others';

-- What would keep a scheduled job from running, as far as the caller may see the settings
-- (pg_cron's are for superusers and pg_read_all_settings only): errors for what certainly fails,
-- a warning for a connection that probably does.
CREATE FUNCTION healthscore_internal.check_cron(func text, name text, cron text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	sees_settings boolean := pg_has_role('pg_read_all_settings', 'USAGE')
							 OR (SELECT r.rolsuper FROM pg_roles AS r WHERE r.rolname = current_user);
	cron_database text;
	command text := format('CALL healthscore.run(%L)', name);
	elsewhere text := format('SELECT cron.schedule_in_database(%L, %L, %L, %L)', healthscore_internal.cron_job_name(name), cron,
							 command, current_database());
	expect text := format('SELECT healthscore.set_expected_every(%L, %L)', name,
						  coalesce(healthscore_internal.cron_interval(cron)::text, '1 day'));
BEGIN
	IF sees_settings AND NOT healthscore_internal.cron_loaded() THEN
		RAISE EXCEPTION '%(): pg_cron is not loaded in this server', func
			USING ERRCODE = 'feature_not_supported',
				  HINT = format('Install postgresql-15-cron; in postgresql.conf set shared_preload_libraries = ''pg_cron'', cron.database_name = %L, cron.use_background_workers = on and max_worker_processes = 20; restart PostgreSQL; then CREATE EXTENSION pg_cron in database %s.',
								current_database(), current_database());
	END IF;
	IF sees_settings THEN
		cron_database := current_setting('cron.database_name');
	END IF;
	IF cron_database IS DISTINCT FROM current_database() AND sees_settings THEN
		RAISE EXCEPTION '%(): pg_cron runs jobs from database "%", not from this one ("%")', func, cron_database, current_database()
			USING ERRCODE = 'feature_not_supported',
				  HINT = format('In database %s, as a superuser (or a role granted EXECUTE on cron.schedule_in_database), run %s; then here: %s.',
								cron_database, elsewhere, expect);
	ELSIF NOT healthscore_internal.cron_installed() THEN
		RAISE EXCEPTION '%(): pg_cron is not installed in this database', func
			USING ERRCODE = 'feature_not_supported',
				  HINT = CASE WHEN sees_settings THEN 'As a superuser: CREATE EXTENSION pg_cron;'
							  ELSE format('pg_cron must be installed in the database named by cron.database_name; if that is another one, run %s there, then here: %s.',
										  elsewhere, expect) END;
	ELSIF NOT (SELECT r.rolcanlogin FROM pg_roles AS r WHERE r.rolname = current_user) THEN
		RAISE EXCEPTION '%(): role % cannot log in, and pg_cron runs a job as the role that scheduled it', func, current_user
			USING ERRCODE = 'insufficient_privilege',
				  HINT = format('Schedule as a role that can log in, or as a superuser: ALTER ROLE %s LOGIN;', quote_ident(current_user));
	ELSIF NOT has_schema_privilege('cron', 'USAGE') THEN
		RAISE EXCEPTION '%(): role % may not use pg_cron (no USAGE on schema cron)', func, current_user
			USING ERRCODE = 'insufficient_privilege',
				  HINT = format('As a superuser: SELECT healthscore.grant_admin(%L); (it grants USAGE ON SCHEMA cron), or GRANT USAGE ON SCHEMA cron TO %s;',
								current_user, quote_ident(current_user));
	END IF;
	-- Without background workers, pg_cron connects to cron.host with libpq as the job's role:
	-- over TCP Debian's pg_hba.conf asks for a password, which the job does not have; over the
	-- socket peer authentication admits only the role named like the server's system user.
	IF sees_settings AND current_setting('cron.use_background_workers') <> 'on'
	   AND NOT (left(current_setting('cron.host'), 1) = '/' AND current_user = 'postgres') THEN
		RAISE WARNING '%(): pg_cron will connect to % as role % to run "%" (cron.use_background_workers is off); with Debian''s pg_hba.conf that connection needs a password the job does not have',
			func, current_setting('cron.host'), current_user, name
			USING HINT = 'In postgresql.conf set cron.use_background_workers = on and max_worker_processes = 20, and restart; or store the role''s password for pg_cron in ~postgres/.pgpass. SELECT status, return_message FROM cron.job_run_details shows how runs went.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_cron(text, text, text) IS
'raises an error when a job scheduled here could not run (pg_cron not loaded, another cron.database_name, not installed, a role that cannot log in, no USAGE on schema cron), a warning when its connection would probably fail; pg_cron''s settings are checked when the caller may read them';

CREATE FUNCTION healthscore.set_expected_every(name text, expected_every interval)
RETURNS text[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members text[] := healthscore_internal.run_members(name, 'set_expected_every');
BEGIN
	IF expected_every IS NOT NULL AND NOT expected_every > interval '0' THEN
		RAISE EXCEPTION 'set_expected_every(): expected_every of "%" must be positive, not %', name, expected_every
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how often it is refreshed, e.g. ''1 day''; NULL: no expectation.';
	END IF;
	PERFORM healthscore_internal.lock_model(m) FROM unnest(members) AS m;
	UPDATE healthscore.models AS m SET expected_every = set_expected_every.expected_every WHERE m.name = ANY (members);
	RETURN members;
END
$$;

COMMENT ON FUNCTION healthscore.set_expected_every(text, interval) IS
'sets how often a model, or every model of a group, is expected to be refreshed (NULL: no expectation); schedule() sets it for common cron forms; returns the models';

CREATE FUNCTION healthscore.schedule(model text, cron text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members text[] := healthscore_internal.run_members(model, 'schedule');
	job_name text := healthscore_internal.cron_job_name(model);
	every interval := healthscore_internal.cron_interval(cron);
	job bigint;
BEGIN
	IF cron IS NULL THEN
		RAISE EXCEPTION 'schedule(): cron of "%" must not be NULL', model
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a cron schedule, e.g. ''0 3 * * *'' for 03:00 every day.';
	END IF;
	PERFORM healthscore_internal.check_cron('schedule', model, cron);
	-- a new job rather than pg_cron's update of one of the same name, which keeps the host and
	-- port the old one was scheduled with
	IF EXISTS (SELECT FROM cron.job AS j WHERE j.jobname = job_name AND j.username = current_user) THEN
		EXECUTE 'SELECT cron.unschedule($1)' USING job_name;
	END IF;
	EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING job_name, cron, format('CALL healthscore.run(%L)', model);
	PERFORM healthscore.set_expected_every(model, every);
	IF every IS NULL THEN
		RAISE NOTICE 'schedule(): how often "%" runs cannot be told from "%"', model, cron
			USING HINT = format('Say it, so that model_status can show when runs are overdue: SELECT healthscore.set_expected_every(%L, ''1 day'').', model);
	END IF;
	RETURN job;
END
$$;

COMMENT ON FUNCTION healthscore.schedule(text, text) IS
'registers the runs of a model or model group with pg_cron (e.g. ''0 3 * * *'' for 03:00 daily) as CALL healthscore.run(name), and sets how often they are expected; returns the job id';

CREATE FUNCTION healthscore.unschedule(model text, if_exists boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	removed boolean := false;
BEGIN
	IF NOT healthscore_internal.cron_installed() THEN
		IF if_exists THEN
			RETURN false;
		END IF;
		RAISE EXCEPTION 'unschedule(): pg_cron is not installed in this database'
			USING ERRCODE = 'feature_not_supported', HINT = 'Nothing can be scheduled without pg_cron.';
	END IF;
	IF EXISTS (SELECT FROM cron.job AS j WHERE j.jobname = healthscore_internal.cron_job_name(model) AND j.username = current_user) THEN
		EXECUTE 'SELECT cron.unschedule($1)' INTO removed USING healthscore_internal.cron_job_name(model);
		UPDATE healthscore.models AS m SET expected_every = NULL
		WHERE m.name = unschedule.model OR m.model_group = unschedule.model;
	ELSIF NOT if_exists THEN
		RAISE EXCEPTION 'unschedule(): "%" has no scheduled runs of role %', model, current_user
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT jobname, username FROM cron.job.';
	END IF;
	RETURN removed;
END
$$;

COMMENT ON FUNCTION healthscore.unschedule(text, boolean) IS
'removes the caller''s pg_cron job running a model or group, and its expected_every; with if_exists, no error when there is none';

CREATE FUNCTION healthscore.drop_model(model text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	IF healthscore_internal.cron_installed() THEN
		PERFORM healthscore.unschedule(model, if_exists => true);
	END IF;
	DELETE FROM healthscore.models AS m WHERE m.name = drop_model.model;	-- signals and runs cascade
	RETURN model;
END
$$;

COMMENT ON FUNCTION healthscore.drop_model(text) IS
'removes a model with its signals, its history and its pg_cron schedule';

-- run(name): the steps of the procedure, each a function (which pins its settings; a procedure
-- that commits cannot have SET clauses).

-- Records a running attempt for each model the name stands for, and takes the session-level
-- lock that says it is still running; committed by run() before anything is refreshed.
CREATE FUNCTION healthscore_internal.begin_attempts(name text, as_of timestamptz)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members text[] := healthscore_internal.run_members(name, 'run');
	ids bigint[];
BEGIN
	IF as_of IS NOT NULL AND NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'run(): as_of must be a finite timestamp, not %', as_of
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave it out for now(), or pass the time the scores describe.';
	END IF;
	WITH started AS (
		INSERT INTO healthscore.attempts (model, as_of, started_at, backend_pid)
		SELECT m.name, coalesce(begin_attempts.as_of, now()), clock_timestamp(), pg_backend_pid()
		FROM unnest(members) WITH ORDINALITY AS m(name, i)
		ORDER BY m.i
		RETURNING attempt_id)
	SELECT array_agg(s.attempt_id ORDER BY s.attempt_id) INTO ids FROM started AS s;
	PERFORM pg_advisory_lock(k.class, k.id) FROM unnest(ids) AS a(id), healthscore_internal.attempt_lock(a.id) AS k;
	RETURN ids;
END
$$;

COMMENT ON FUNCTION healthscore_internal.begin_attempts(text, timestamptz) IS
'run(), first step: a running attempt per model the name stands for, with the lock that marks it running; returns their ids';

-- Refreshes the attempts' models in order (a group's by priority) in one transaction, as
-- refresh_group() does, and marks them succeeded with their runs.
CREATE FUNCTION healthscore_internal.refresh_attempts(ids bigint[])
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	attempt record;
BEGIN
	FOR attempt IN SELECT a.attempt_id, a.model, a.as_of FROM healthscore.attempts AS a
				   WHERE a.attempt_id = ANY (ids) ORDER BY a.attempt_id LOOP
		UPDATE healthscore.attempts AS a
		SET run_id = healthscore.refresh(attempt.model, attempt.as_of), status = 'succeeded', finished_at = clock_timestamp()
		WHERE a.attempt_id = attempt.attempt_id;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore_internal.refresh_attempts(bigint[]) IS
'run(), second step: refreshes the attempts'' models in order, in one transaction, and marks them succeeded';

-- After a failed refresh (rolled back): the attempts failed with the error, and listeners learn
-- that they did (the error stays out of the payload: any role may LISTEN).
CREATE FUNCTION healthscore_internal.fail_attempts(ids bigint[], error_sqlstate text, error_message text,
												   error_detail text, error_hint text, error_context text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	failed record;
BEGIN
	FOR failed IN
		UPDATE healthscore.attempts AS a
		SET status = 'failed', finished_at = clock_timestamp(), error_sqlstate = fail_attempts.error_sqlstate,
			error_message = fail_attempts.error_message, error_detail = nullif(fail_attempts.error_detail, ''),
			error_hint = nullif(fail_attempts.error_hint, ''), error_context = nullif(fail_attempts.error_context, '')
		WHERE a.attempt_id = ANY (ids)
		RETURNING a.attempt_id, a.model, a.as_of
	LOOP
		PERFORM pg_notify('healthscore', json_build_object(
			'model', failed.model, 'status', 'failed', 'attempt_id', failed.attempt_id, 'as_of', failed.as_of)::text);
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore_internal.fail_attempts(bigint[], text, text, text, text, text) IS
'run(), after a failed refresh: marks the attempts failed with the error and notifies listeners (model, status, attempt, as-of time)';

CREATE FUNCTION healthscore_internal.end_attempts(ids bigint[])
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT FROM (SELECT pg_advisory_unlock(k.class, k.id)
				 FROM unnest(ids) AS a(id), healthscore_internal.attempt_lock(a.id) AS k) AS unlocked
$$;

COMMENT ON FUNCTION healthscore_internal.end_attempts(bigint[]) IS
'run(), last step: releases the locks that marked the attempts running (after their outcome is committed)';

-- The refresh's error again, after its failure was committed, so that the caller (pg_cron's
-- job_run_details) sees it.
CREATE FUNCTION healthscore_internal.raise_failure(error_sqlstate text, error_message text, error_detail text,
												   error_hint text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- RAISE takes no NULL option: one branch per combination
	IF coalesce(error_detail, '') <> '' AND coalesce(error_hint, '') <> '' THEN
		RAISE EXCEPTION USING ERRCODE = error_sqlstate, MESSAGE = error_message, DETAIL = error_detail, HINT = error_hint;
	ELSIF coalesce(error_detail, '') <> '' THEN
		RAISE EXCEPTION USING ERRCODE = error_sqlstate, MESSAGE = error_message, DETAIL = error_detail;
	ELSIF coalesce(error_hint, '') <> '' THEN
		RAISE EXCEPTION USING ERRCODE = error_sqlstate, MESSAGE = error_message, HINT = error_hint;
	END IF;
	RAISE EXCEPTION USING ERRCODE = error_sqlstate, MESSAGE = error_message;
END
$$;

COMMENT ON FUNCTION healthscore_internal.raise_failure(text, text, text, text) IS
'raises an error again from its parts (run() re-raises a refresh''s error after committing the failed attempt)';

-- CALL healthscore.run(name): what schedules run. It commits a running attempt, refreshes (a
-- model, or a group's models in one transaction), and commits the outcome: succeeded with the
-- run, or failed with the error, which it then raises again so that the caller sees it. It
-- commits, so it must be called outside a transaction block. PL/pgSQL resolves the names in the
-- body through the caller's search_path and a procedure that commits may not pin it: every name
-- here is qualified.
CREATE PROCEDURE healthscore.run(name text, as_of timestamptz DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	ids pg_catalog.int8[];
	failed pg_catalog.bool := false;
	error_sqlstate pg_catalog.text;
	error_message pg_catalog.text;
	error_detail pg_catalog.text;
	error_hint pg_catalog.text;
	error_context pg_catalog.text;
BEGIN
	ids := healthscore_internal.begin_attempts(name, as_of);
	COMMIT;
	BEGIN
		PERFORM healthscore_internal.refresh_attempts(ids);
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		failed := true;
		GET STACKED DIAGNOSTICS error_sqlstate = RETURNED_SQLSTATE, error_message = MESSAGE_TEXT,
								error_detail = PG_EXCEPTION_DETAIL, error_hint = PG_EXCEPTION_HINT,
								error_context = PG_EXCEPTION_CONTEXT;
	END;
	IF failed THEN
		PERFORM healthscore_internal.fail_attempts(ids, error_sqlstate, error_message, error_detail, error_hint,
												   error_context);
	END IF;
	COMMIT;
	PERFORM healthscore_internal.end_attempts(ids);
	IF failed THEN
		PERFORM healthscore_internal.raise_failure(error_sqlstate, error_message, error_detail, error_hint);
	END IF;
END
$$;

COMMENT ON PROCEDURE healthscore.run(text, timestamptz) IS
'refreshes a model or a model group (as of now, or as_of) recording the attempt: running, then succeeded or failed with the error, which stays in model_runs and model_status; raises the error again; call outside a transaction block (CALL healthscore.run(''m''))';

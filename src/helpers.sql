-- Internal helpers (schema healthscore_internal, not for PUBLIC): looking up a model, the checks
-- of names, columns, time zones and account keys, the author a model's text runs as, the
-- equality operator between key types, and how an attempt of run() stands.

-- Errors for unknown names, in one place.
CREATE FUNCTION healthscore_internal.model_row(model text)
RETURNS healthscore.models
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models;
BEGIN
	SELECT * INTO found_model FROM healthscore.models AS m WHERE m.name = model_row.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', model
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create it with healthscore.create_model(); see SELECT name FROM healthscore.models.';
	END IF;
	RETURN found_model;
END
$$;

COMMENT ON FUNCTION healthscore_internal.model_row(text) IS
'the models row of a model, or an error naming the unknown model';

-- Definitions of a model wait for a refresh of it, and a refresh for them: a run reads the
-- model's signals in several statements, which must see one definition.
CREATE FUNCTION healthscore_internal.lock_model(model text)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_advisory_xact_lock(hashtext('healthscore.refresh'), hashtext(model)) $$;

COMMENT ON FUNCTION healthscore_internal.lock_model(text) IS
'the lock a refresh of a model holds until it commits; definition functions take it too';

-- A column of a relation must exist; the error names both.
CREATE FUNCTION healthscore_internal.check_column(func text, argument text, relation regclass, column_name text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF column_name IS NULL OR NOT EXISTS (
		SELECT FROM pg_attribute
		WHERE attrelid = relation AND attname = column_name AND attnum > 0 AND NOT attisdropped)
	THEN
		RAISE EXCEPTION '%(): % column "%" does not exist in %', func, argument, column_name, relation
			USING ERRCODE = 'undefined_column',
				  HINT = format('Columns of %s: %s.', relation,
								(SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
								 FROM pg_attribute
								 WHERE attrelid = relation AND attnum > 0 AND NOT attisdropped));
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_column(text, text, regclass, text) IS
'raises undefined_column naming the function, argument and relation when a column does not exist';

-- Names of models, signals, groups and tiers: not empty, and at most 63 bytes like PostgreSQL's
-- identifiers (longer ones would be truncated where they become identifiers, and would not fit in
-- the indexes that hold them).
CREATE FUNCTION healthscore_internal.check_name(func text, what text, name text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR name = '' THEN
		RAISE EXCEPTION '%(): % must not be empty', func, what
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a name of 1 to 63 bytes.';
	END IF;
	IF octet_length(name) > 63 THEN
		RAISE EXCEPTION '%(): % "%..." is % bytes long', func, what, left(name, 20), octet_length(name)
			USING ERRCODE = 'name_too_long', HINT = 'Names are at most 63 bytes, like PostgreSQL identifiers.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_name(text, text, text) IS
'raises an error naming the function when a name is empty or longer than 63 bytes';

-- A model's time zone must be a zone PostgreSQL knows by name (not an abbreviation or a POSIX
-- offset, whose sign is the opposite of ISO 8601's).
CREATE FUNCTION healthscore_internal.check_time_zone(func text, model text, time_zone text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF time_zone IS NULL OR NOT EXISTS (SELECT FROM pg_timezone_names AS z WHERE z.name = time_zone) THEN
		RAISE EXCEPTION '%(): time_zone "%" of model "%" is not a time zone name', func, time_zone, model
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use a name from pg_timezone_names, e.g. ''UTC'' or ''Europe/Berlin''.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_time_zone(text, text, text) IS
'raises an error naming the function and model unless a time zone is a name in pg_timezone_names';

-- A segment filter as a condition: parsed as exactly one expression (one_expression), wrapped so
-- that an OR inside cannot escape it, and checked to be boolean by being compared with true.
CREATE FUNCTION healthscore_internal.filter_condition(model text, segment_filter text, func text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN segment_filter IS NULL THEN 'true'
				ELSE format('(%s IS TRUE)', healthscore_internal.one_expression(segment_filter, func, model, NULL, 'filter')) END
$$;

COMMENT ON FUNCTION healthscore_internal.filter_condition(text, text, text) IS
'a segment filter as a SQL condition over the account row (true for NULL; NULL results count as no match), checked to be one expression';

-- The role a model's text runs as. One query runs as one role, so of the roles that wrote text it
-- runs (the model's, its signals', and the segment filters of the higher-priority models of its
-- group) it is the one whose privileges every other author has: then no text runs with more than
-- its author's privileges. A superuser has every role's privileges, so a superuser's text beside
-- an administrator's runs as the administrator. Authors unknown (from before 0.2.0), dropped, or
-- with no such role among them: an error that says what to do.
CREATE FUNCTION healthscore_internal.author_role(authors text[], func text, model text)
RETURNS oid
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone text;
	chosen oid;
BEGIN
	IF array_position(authors, NULL) IS NOT NULL THEN
		RAISE EXCEPTION '%(): model "%" has SQL text from before healthscore 0.2.0, whose author is unknown', func, model
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Model text runs with the privileges of the role that wrote it; 0.1.0 did not record it.',
				  HINT = format('Review the model''s segment filter and signal expressions, then run SELECT healthscore.adopt_model(%L) as the role whose privileges they should run with.', model);
	END IF;
	SELECT a INTO gone FROM unnest(authors) AS a WHERE NOT EXISTS (SELECT FROM pg_roles AS r WHERE r.rolname = a) LIMIT 1;
	IF gone IS NOT NULL THEN
		RAISE EXCEPTION '%(): role "%", which wrote SQL text of model "%", does not exist', func, gone, model
			USING ERRCODE = 'undefined_object',
				  HINT = format('Review the model, then run SELECT healthscore.adopt_model(%L) as the role whose privileges it should run with.', model);
	END IF;
	SELECT r.oid INTO chosen
	FROM pg_roles AS r
	WHERE r.rolname = ANY (authors)
	  AND NOT EXISTS (SELECT FROM unnest(authors) AS other WHERE NOT pg_has_role(other::name, r.oid, 'USAGE'))
	ORDER BY r.rolsuper, r.rolname
	LIMIT 1;
	IF chosen IS NULL THEN
		RAISE EXCEPTION '%(): the SQL text of model "%" was written by roles %, and none of them has the privileges of all the others',
			func, model, (SELECT string_agg(DISTINCT quote_ident(a), ', ') FROM unnest(authors) AS a)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Each text runs with its author''s privileges, and a model''s query runs as one role.',
				  HINT = format('Have one of them review the whole model and take it over: SELECT healthscore.adopt_model(%L).', model);
	END IF;
	RETURN chosen;
END
$$;

COMMENT ON FUNCTION healthscore_internal.author_role(text[], text, text) IS
'of the roles that wrote a model''s text, the one whose privileges all the others have; an error naming the model when there is none';

CREATE FUNCTION healthscore_internal.model_author(model text, func text DEFAULT 'refresh')
RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT healthscore_internal.author_role(
		ARRAY[m.defined_by]
		|| ARRAY(SELECT h.defined_by FROM healthscore.models AS h
				 WHERE h.model_group = m.model_group AND h.priority > m.priority AND h.segment_filter IS NOT NULL)
		|| ARRAY(SELECT s.defined_by FROM healthscore.signals AS s WHERE s.model = m.name),
		func, m.name)
	FROM healthscore_internal.model_row(model_author.model) AS m
$$;

COMMENT ON FUNCTION healthscore_internal.model_author(text, text) IS
'the role a model''s scoring query runs as (author_role of the model, its signals and the filters of higher-priority models of its group)';

-- The role a signal being defined is compiled as: its stored author when its SQL text is
-- unchanged (a new weight or scoring method; an unknown author from before 0.2.0 stays unknown,
-- and author_role() refuses it), else the caller, who is about to become its author; together
-- with the model's author, by the rule of author_role().
CREATE FUNCTION healthscore_internal.signal_author(signal healthscore.signals, func text)
RETURNS oid
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT healthscore_internal.author_role(ARRAY[m.defined_by,
		CASE WHEN stored.found THEN stored.defined_by ELSE current_user::text END], func, m.name)
	FROM healthscore_internal.model_row(signal.model) AS m
	LEFT JOIN LATERAL (SELECT true AS found, s.defined_by FROM healthscore.signals AS s
					   WHERE s.model = signal.model AND s.name = signal.name
						 AND (s.source, s.source_key, s.expression, s.time_column)
							 IS NOT DISTINCT FROM (signal.source, signal.source_key, signal.expression, signal.time_column))
		AS stored ON true
$$;

COMMENT ON FUNCTION healthscore_internal.signal_author(healthscore.signals, text) IS
'the role a signal being defined is compiled as: its stored author when its SQL text is unchanged, else the caller (with the model''s author)';

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

-- Account keys people type in: not empty, and short enough for the indexes that hold them.
CREATE FUNCTION healthscore_internal.check_account_key(func text, account_key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF account_key IS NULL OR account_key = '' THEN
		RAISE EXCEPTION '%(): account_key must not be empty', func
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the account key as text, e.g. ''42''.';
	END IF;
	IF octet_length(account_key) > 1000 THEN
		RAISE EXCEPTION '%(): account_key "%..." is % bytes long', func, left(account_key, 20), octet_length(account_key)
			USING ERRCODE = 'program_limit_exceeded', HINT = 'Account keys are at most 1,000 bytes; key the accounts by an id.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_account_key(text, text) IS
'raises an error naming the function when an account key is empty or longer than 1,000 bytes';

-- The rank of a tier in a model (1 = worst), or an error naming the valid tiers.
CREATE FUNCTION healthscore_internal.tier_rank(model healthscore.models, tier text)
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rank integer := array_position(model.tier_labels, tier);
BEGIN
	IF rank IS NULL THEN
		RAISE EXCEPTION 'model "%" has no tier "%"', model.name, tier
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Its tiers, worst first: %s.', array_to_string(model.tier_labels, ', '));
	END IF;
	RETURN rank;
END
$$;

COMMENT ON FUNCTION healthscore_internal.tier_rank(healthscore.models, text) IS
'position of a tier among a model''s tier labels (1 = worst), or an error naming the valid tiers';

-- Whether a model is overdue: it is expected every expected_every (schedule() sets it), and its
-- current run is older than that plus a grace (the period, at most an hour) for the refresh's
-- own time and the scheduler's delay. A model never run is overdue once expected.
CREATE FUNCTION healthscore_internal.overdue(expected_every interval, current_as_of timestamptz)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT expected_every IS NOT NULL
		   AND (current_as_of IS NULL OR current_as_of + expected_every + least(expected_every, interval '1 hour') < now())
$$;

COMMENT ON FUNCTION healthscore_internal.overdue(interval, timestamptz) IS
'true when a model expected every expected_every has no run that recent, plus a grace of the period (at most an hour)';

-- A model's signal groups in signal order, as a run keeps them: each signal's category and the
-- weight of its group (the set group weight, else the summed weights of the category's signals);
-- group_weights is NULL when the model has no group weights, which scores exactly as before groups.
CREATE FUNCTION healthscore_internal.signal_groups(model text, OUT categories text[], OUT group_weights float8[])
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT array_agg(g.category ORDER BY g.position),
		   CASE WHEN bool_or(g.grouped) THEN array_agg(g.group_weight ORDER BY g.position) END
	FROM (SELECT s.position, s.category, m.group_weights <> '{}' AS grouped,
				 coalesce((m.group_weights ->> s.category)::float8,
						  sum(s.weight) OVER (PARTITION BY s.category)) AS group_weight
		  FROM healthscore.models AS m
		  JOIN healthscore.signals AS s ON s.model = m.name
		  WHERE m.name = signal_groups.model) AS g
$$;

COMMENT ON FUNCTION healthscore_internal.signal_groups(text) IS
'a model''s signals'' categories and, when the model has group weights, the weight of each signal''s group, in signal order (what runs.categories and runs.group_weights keep)';

-- With group weights, each signal's effective weight when its whole group is present (group
-- weight x weight / summed weight of the group); without, the weights as they are.
CREATE FUNCTION healthscore_internal.full_group_weights(model text, weights float8[])
RETURNS float8[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT healthscore.effective_weights(array_fill(100::float8, ARRAY[cardinality(weights)]), weights,
										 g.categories, g.group_weights)
	FROM healthscore_internal.signal_groups(model) AS g
$$;

COMMENT ON FUNCTION healthscore_internal.full_group_weights(text, float8[]) IS
'the signals'' effective weights when every signal is present (group weight x weight / summed weight of its group), or the weights themselves for a model without group weights';

-- What would make a model's refresh fail, found in the catalog before anything runs: relations
-- and columns that are gone or renamed since the model was defined, and privileges its author
-- lacks. refresh() raises the first of them (raise_model_errors); check_model() lists them all,
-- with the problems that do not stop a refresh.

-- One problem per row: the object it is about, the SQLSTATE (error_code) a refresh fails with, the message
-- (naming func, the model and the signal) and what to do.
CREATE FUNCTION healthscore_internal.model_errors(model text, func text)
RETURNS TABLE (object text, error_code text, problem text, hint text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE	-- it catches errors: a subtransaction, which parallel mode refuses
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model_errors.model);
	author oid;
	relation regclass;
	needed record;
BEGIN
	BEGIN
		author := healthscore_internal.model_author(found_model.name, func);
	EXCEPTION WHEN insufficient_privilege OR undefined_object THEN
		object := format('model "%s"', found_model.name);
		GET STACKED DIAGNOSTICS error_code = RETURNED_SQLSTATE, problem = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
		RETURN NEXT;
		RETURN;
	END;
	-- every relation and column the model and its signals name, with what names it
	FOR needed IN
		SELECT format('model "%s"', found_model.name) AS object, 'account relation' AS what, found_model.accounts AS relation,
			   ARRAY[['key', found_model.key_column], ['segment', found_model.segment_column],
					 ['value', found_model.value_column], ['renewal', found_model.renewal_column],
					 ['owner', found_model.owner_column]] AS columns, 0 AS position
		UNION ALL
		SELECT format('signal "%s" of model "%s"', s.name, found_model.name), 'source', s.source,
			   ARRAY[['key', s.source_key], ['time_column', s.time_column]], s.position
		FROM healthscore.signals AS s
		WHERE s.model = found_model.name AND s.scoring <> 'assessment'
		ORDER BY position
	LOOP
		relation := to_regclass(needed.relation);
		object := needed.object;
		IF relation IS NULL THEN
			error_code := '42P01';
			problem := format('%s(): %s %s of %s does not exist (dropped or renamed since it was defined)',
							  func, needed.what, needed.relation, needed.object);
			hint := CASE WHEN needed.position = 0
						 THEN 'Create the relation again under that name, or create the model again over the new one.'
						 ELSE format('Create the relation again under that name, or drop the signal: SELECT healthscore.drop_signal(%L, %L).',
									 found_model.name, (SELECT s.name FROM healthscore.signals AS s
														WHERE s.model = found_model.name AND s.position = needed.position)) END;
			RETURN NEXT;
			CONTINUE;
		END IF;
		IF NOT has_schema_privilege(author, (SELECT c.relnamespace FROM pg_class AS c WHERE c.oid = relation), 'USAGE') THEN
			error_code := '42501';
			problem := format('%s(): role %s, whose privileges %s runs with, has no USAGE on the schema of %s',
							  func, author::regrole, needed.object, relation);
			hint := format('GRANT USAGE ON SCHEMA %s TO %s;',
						   (SELECT quote_ident(n.nspname) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
							WHERE c.oid = relation), author::regrole);
			RETURN NEXT;
			CONTINUE;
		END IF;
		FOR i IN 1 .. array_length(needed.columns, 1) LOOP
			CONTINUE WHEN needed.columns[i][2] IS NULL;
			IF NOT EXISTS (SELECT FROM pg_attribute AS a
						   WHERE a.attrelid = relation AND a.attname = needed.columns[i][2] AND a.attnum > 0
							 AND NOT a.attisdropped) THEN
				error_code := '42703';
				problem := format('%s(): %s column "%s" of %s does not exist in %s (dropped or renamed since it was defined)',
								  func, needed.columns[i][1], needed.columns[i][2], needed.object, relation);
				hint := format('Columns of %s: %s.', relation,
							   (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute AS a
								WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped));
				RETURN NEXT;
			ELSIF NOT has_column_privilege(author, relation, needed.columns[i][2], 'SELECT') THEN
				error_code := '42501';
				problem := format('%s(): role %s, whose privileges %s runs with, may not read column "%s" of %s',
								  func, author::regrole, needed.object, needed.columns[i][2], relation);
				hint := format('GRANT SELECT ON %s TO %s;', relation, author::regrole);
				RETURN NEXT;
			END IF;
		END LOOP;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore_internal.model_errors(text, text) IS
'what would make a model''s refresh fail, from the catalog: an unknown author, relations and columns dropped or renamed, privileges the author lacks; one row per problem';

CREATE FUNCTION healthscore_internal.raise_model_errors(model text, func text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	first record;
BEGIN
	SELECT * INTO first FROM healthscore_internal.model_errors(model, func) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION '%', first.problem USING ERRCODE = first.error_code, HINT = coalesce(first.hint, '');
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.raise_model_errors(text, text) IS
'raises the first problem model_errors() finds, as refresh() does before it runs anything';

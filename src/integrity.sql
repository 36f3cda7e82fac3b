-- Triggers that keep the tables consistent: who wrote a model's or signal's SQL text (its
-- author), the cascades from models to signals, runs and what people entered, and from runs to
-- scores (triggers, not foreign keys: pg_restore -j loads extension tables in any order).

-- Who wrote a model's text. Each model and signal row records the role that last wrote its SQL
-- text (defined_by); the extension runs that text with its author's privileges. A trigger keeps
-- the column, so that direct writes to the tables (grant_admin allows them) cannot forge it: a
-- role may record itself as the author (adopt_model), and only a superuser may record another
-- role (pg_restore does, bringing the authors back). Writes that change no SQL text (a weight,
-- a description) leave the author as it was.
CREATE FUNCTION healthscore_internal.author_after_write(writes_text boolean, is_insert boolean,
														 old_author text, new_author text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	superuser boolean := coalesce((SELECT r.rolsuper FROM pg_roles AS r WHERE r.rolname = current_user), false);
	claims_self boolean := coalesce(new_author = current_user, false);
BEGIN
	IF is_insert THEN
		RETURN CASE WHEN new_author IS NOT NULL AND (superuser OR claims_self) THEN new_author ELSE current_user END;
	END IF;
	IF writes_text THEN
		RETURN CASE WHEN superuser AND new_author IS NOT NULL AND new_author IS DISTINCT FROM old_author
					THEN new_author ELSE current_user END;
	END IF;
	IF new_author IS DISTINCT FROM old_author AND NOT (superuser OR claims_self) THEN
		RETURN old_author;
	END IF;
	RETURN new_author;
END
$$;

COMMENT ON FUNCTION healthscore_internal.author_after_write(boolean, boolean, text, text) IS
'the author to record after a write: the writer when it writes SQL text; a role may name itself, a superuser anyone; otherwise unchanged';

CREATE FUNCTION healthscore_internal.record_model_author()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	-- the relations and columns the model's queries read are code as much as its filter
	writes_text boolean := TG_OP = 'INSERT' OR
		(NEW.accounts, NEW.key_column, NEW.segment_column, NEW.value_column, NEW.renewal_column, NEW.owner_column,
		 NEW.segment_filter, NEW.outcomes, NEW.outcome_key, NEW.outcome_date, NEW.outcome_reason)
		IS DISTINCT FROM
		(OLD.accounts, OLD.key_column, OLD.segment_column, OLD.value_column, OLD.renewal_column, OLD.owner_column,
		 OLD.segment_filter, OLD.outcomes, OLD.outcome_key, OLD.outcome_date, OLD.outcome_reason);
BEGIN
	IF writes_text THEN
		-- stored schema-qualified, so that no reader's search_path decides which relation it is
		NEW.accounts := NEW.accounts::regclass::text;
		IF NEW.segment_filter IS NOT NULL THEN
			PERFORM healthscore_internal.one_expression(NEW.segment_filter, 'record_model_author', NEW.name, NULL, 'filter');
		END IF;
	END IF;
	IF TG_OP = 'INSERT' OR NEW.time_zone IS DISTINCT FROM OLD.time_zone THEN
		PERFORM healthscore_internal.check_time_zone('record_model_author', NEW.name, NEW.time_zone);
	END IF;
	NEW.defined_by := healthscore_internal.author_after_write(writes_text, TG_OP = 'INSERT',
		CASE WHEN TG_OP = 'UPDATE' THEN OLD.defined_by END, NEW.defined_by);
	RETURN NEW;
END
$$;

COMMENT ON FUNCTION healthscore_internal.record_model_author() IS
'trigger: checks a model''s segment filter and time zone on every write and records who wrote its SQL text';

CREATE TRIGGER record_author BEFORE INSERT OR UPDATE ON healthscore.models
	FOR EACH ROW EXECUTE FUNCTION healthscore_internal.record_model_author();

CREATE FUNCTION healthscore_internal.record_signal_author()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	-- moving a signal to another model (or renaming it) puts its text there: a write of text too
	writes_text boolean := TG_OP = 'INSERT' OR
		(NEW.model, NEW.name, NEW.source, NEW.source_key, NEW.expression, NEW.time_column, NEW.per_account)
		IS DISTINCT FROM (OLD.model, OLD.name, OLD.source, OLD.source_key, OLD.expression, OLD.time_column,
						  OLD.per_account);
BEGIN
	IF writes_text THEN
		NEW.source := NEW.source::regclass::text;	-- schema-qualified, as accounts of a model
	END IF;
	-- an assessment signal's expression is a description; the refresh reads the factor instead
	IF NEW.scoring <> 'assessment' AND (writes_text OR NEW.scoring IS DISTINCT FROM OLD.scoring) THEN
		PERFORM healthscore_internal.one_expression(NEW.expression, 'record_signal_author', NEW.model, NEW.name, 'expression');
	END IF;
	IF NEW.per_account IS NOT NULL AND (writes_text OR NEW.scoring IS DISTINCT FROM OLD.scoring) THEN
		PERFORM healthscore_internal.one_expression(NEW.per_account, 'record_signal_author', NEW.model, NEW.name, 'per_account');
	END IF;
	NEW.defined_by := healthscore_internal.author_after_write(writes_text, TG_OP = 'INSERT',
		CASE WHEN TG_OP = 'UPDATE' THEN OLD.defined_by END, NEW.defined_by);
	RETURN NEW;
END
$$;

COMMENT ON FUNCTION healthscore_internal.record_signal_author() IS
'trigger: checks a signal''s expression on every write and records who wrote its SQL text';

CREATE TRIGGER record_author BEFORE INSERT OR UPDATE ON healthscore.signals
	FOR EACH ROW EXECUTE FUNCTION healthscore_internal.record_signal_author();

-- Cascades. The model, signal and history tables are linked by triggers, not foreign keys:
-- pg_restore -j loads the rows of extension config tables in parallel, in no particular order,
-- and a foreign key would make that restore fail. refresh() and the definition functions write
-- parents before children; these triggers remove the children of deleted models and runs, once
-- per statement. Models are not renamed (history refers to them by name).
CREATE FUNCTION healthscore_internal.cascade_model_deletes()
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
	DELETE FROM healthscore.indicators AS i USING old_models AS o WHERE i.model = o.name;
	DELETE FROM healthscore.calibrations AS c USING old_models AS o WHERE c.model = o.name;
	DELETE FROM healthscore.rollup_states AS t USING healthscore.rollups AS u, old_models AS o
	WHERE t.rollup_id = u.rollup_id AND u.model = o.name;
	DELETE FROM healthscore.rollups AS u USING old_models AS o WHERE u.model = o.name;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore_internal.cascade_model_deletes() IS
'trigger: removes the signals, runs, attempts, overrides, playbooks, indicators, calibrations and rollups of deleted models';

CREATE TRIGGER cascade_deleted_models AFTER DELETE ON healthscore.models
	REFERENCING OLD TABLE AS old_models
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore_internal.cascade_model_deletes();

CREATE FUNCTION healthscore_internal.forbid_model_rename()
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

COMMENT ON FUNCTION healthscore_internal.forbid_model_rename() IS
'trigger: rejects renaming a model, whose signals and history refer to it by name';

CREATE TRIGGER forbid_model_rename BEFORE UPDATE OF name ON healthscore.models
	FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
	EXECUTE FUNCTION healthscore_internal.forbid_model_rename();

CREATE FUNCTION healthscore_internal.cascade_run_deletes()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM healthscore.scores AS s USING old_runs AS o WHERE s.run_id = o.run_id;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore_internal.cascade_run_deletes() IS
'trigger: removes the scores of deleted runs';

CREATE TRIGGER cascade_deleted_runs AFTER DELETE ON healthscore.runs
	REFERENCING OLD TABLE AS old_runs
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore_internal.cascade_run_deletes();

-- What people know: manual assessments of success factors, tier overrides, and playbooks.
-- Manual inputs go stale, so every one of them is dated and expires; expired inputs are ignored,
-- never silently kept.

CREATE FUNCTION healthscore.assess(account_key text, factor text, rating integer DEFAULT NULL,
								   points float8 DEFAULT NULL, note text DEFAULT NULL,
								   valid_for interval DEFAULT '90 days',
								   assessed_at timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	PERFORM healthscore_internal.check_account_key('assess', account_key);
	IF NOT EXISTS (SELECT FROM healthscore.success_factors AS f WHERE f.factor = assess.factor) THEN
		RAISE EXCEPTION 'assess(): unknown success factor "%"', factor
			USING ERRCODE = 'undefined_object',
				  HINT = format('Known factors: %s.', (SELECT string_agg(quote_literal(f.factor), ', ' ORDER BY f.factor)
													  FROM healthscore.success_factors AS f));
	END IF;
	IF (rating IS NULL) = (points IS NULL) THEN
		RAISE EXCEPTION 'assess(): give either rating or points'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'rating => 1 to 5, or points => 0 to 100.';
	END IF;
	IF rating IS NOT NULL AND rating NOT BETWEEN 1 AND 5 THEN
		RAISE EXCEPTION 'assess(): rating must be between 1 and 5, not %', rating
			USING ERRCODE = 'numeric_value_out_of_range', HINT = '1 is worst, 5 is best.';
	END IF;
	IF points IS NOT NULL AND NOT (points >= 0 AND points <= 100) THEN
		RAISE EXCEPTION 'assess(): points must be between 0 and 100, not %', points
			USING ERRCODE = 'numeric_value_out_of_range', HINT = 'Points are on a 0-100 scale.';
	END IF;
	IF valid_for IS NULL OR NOT valid_for > interval '0' THEN
		RAISE EXCEPTION 'assess(): valid_for must be a positive interval, not %', coalesce(valid_for::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. ''90 days''.';
	END IF;
	IF assessed_at IS NULL OR NOT isfinite(assessed_at) THEN
		RAISE EXCEPTION 'assess(): assessed_at must be a finite timestamp'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is now().';
	END IF;
	INSERT INTO healthscore.assessments (account_key, factor, rating, points, note, valid_for, assessed_at)
	VALUES (account_key, factor, rating, coalesce(points, (rating - 1) * 25.0), note, valid_for, assessed_at)
	RETURNING assessment_id INTO id;
	RETURN id;
END
$$;

COMMENT ON FUNCTION healthscore.assess(text, text, integer, float8, text, interval, timestamptz) IS
'records a person''s rating of a success factor for an account: rating 1-5 (0, 25, 50, 75, 100 points) or points 0-100, valid for a while (default 90 days)';

CREATE FUNCTION healthscore.set_override(model text, account_key text, tier text, reason text,
										 expires_at timestamptz, set_at timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	current_tier text;
	id bigint;
BEGIN
	PERFORM healthscore_internal.check_account_key('set_override', account_key);
	PERFORM healthscore_internal.tier_rank(found_model, tier);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'set_override(): reason is mandatory'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Say why the computed tier is wrong for this account.';
	END IF;
	IF set_at IS NULL OR NOT isfinite(set_at) THEN
		RAISE EXCEPTION 'set_override(): set_at must be a finite time, not %', coalesce(set_at::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is now(): from when the override applies.';
	END IF;
	IF expires_at IS NULL OR NOT isfinite(expires_at) OR NOT expires_at > set_at THEN
		RAISE EXCEPTION 'set_override(): expires_at must be a finite time after set_at'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Overrides must expire, e.g. expires_at => now() + interval ''30 days''.';
	END IF;
	IF found_model.overrides_lower_only THEN
		-- the account's computed tier in the model's current run (latest as-of time)
		SELECT s.computed_tier INTO current_tier
		FROM (SELECT r.run_id FROM healthscore.runs AS r WHERE r.model = found_model.name
			  ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS latest
		JOIN healthscore.scores AS s ON s.run_id = latest.run_id AND s.account_key = set_override.account_key;
		IF current_tier IS NULL OR current_tier = 'unknown' THEN
			RAISE EXCEPTION 'set_override(): model "%" only allows lowering a tier, and account "%" has no computed tier yet',
				found_model.name, account_key
				USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Refresh the model first.';
		END IF;
		IF healthscore_internal.tier_rank(found_model, tier) > healthscore_internal.tier_rank(found_model, current_tier) THEN
			RAISE EXCEPTION 'set_override(): model "%" only allows lowering a tier: "%" is above the computed "%"',
				found_model.name, tier, current_tier
				USING ERRCODE = 'insufficient_privilege',
					  HINT = 'Overrides of this model may set a worse tier, never a better one.';
		END IF;
	END IF;
	INSERT INTO healthscore.overrides (model, account_key, tier, reason, expires_at, set_at)
	VALUES (found_model.name, account_key, tier, reason, expires_at, set_at)
	RETURNING override_id INTO id;
	RETURN id;
END
$$;

COMMENT ON FUNCTION healthscore.set_override(text, text, text, text, timestamptz, timestamptz) IS
'sets an account''s tier for a model until expires_at, with a mandatory reason; refreshes while it is active use it and keep the computed tier beside it';

CREATE FUNCTION healthscore.clear_override(model text, account_key text, at timestamptz DEFAULT pg_catalog.now())
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cleared integer;
BEGIN
	PERFORM healthscore_internal.model_row(model);
	PERFORM healthscore_internal.check_account_key('clear_override', account_key);
	IF at IS NULL OR NOT isfinite(at) THEN
		RAISE EXCEPTION 'clear_override(): at must be a finite time, not %', coalesce(at::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is now(): when the override ends.';
	END IF;
	-- ends active overrides now; history keeps them
	UPDATE healthscore.overrides AS o SET expires_at = greatest(at, o.set_at + interval '1 microsecond')
	WHERE o.model = clear_override.model AND o.account_key = clear_override.account_key AND o.expires_at > at;
	GET DIAGNOSTICS cleared = ROW_COUNT;
	RETURN cleared;
END
$$;

COMMENT ON FUNCTION healthscore.clear_override(text, text, timestamptz) IS
'ends an account''s active overrides of a model now (they stay in history); returns how many';

CREATE FUNCTION healthscore.add_playbook(model text, action text, tier text DEFAULT NULL, signal text DEFAULT NULL,
										 owner_role text DEFAULT NULL, indicator text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	id bigint;
BEGIN
	IF tier IS NULL AND signal IS NULL AND indicator IS NULL THEN
		RAISE EXCEPTION 'add_playbook(): name a tier, a signal, an indicator, or a tier with one of those'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. tier => ''red'', signal => ''nps'', or indicator => ''usage_drop''.';
	END IF;
	IF signal IS NOT NULL AND indicator IS NOT NULL THEN
		RAISE EXCEPTION 'add_playbook(): name a signal or an indicator, not both'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'An indicator''s playbook applies while it is raised, whatever the costliest signal.';
	END IF;
	IF indicator IS NOT NULL AND NOT EXISTS (SELECT FROM healthscore.indicators AS i
											 WHERE i.model = found_model.name AND i.name = add_playbook.indicator) THEN
		RAISE EXCEPTION 'add_playbook(): model "%" has no indicator "%"', found_model.name, indicator
			USING ERRCODE = 'undefined_object', HINT = 'Define it first with healthscore.add_indicator().';
	END IF;
	IF tier IS NOT NULL THEN
		PERFORM healthscore_internal.tier_rank(found_model, tier);
	END IF;
	IF signal IS NOT NULL AND NOT EXISTS (SELECT FROM healthscore.signals AS s
										  WHERE s.model = found_model.name AND s.name = add_playbook.signal) THEN
		RAISE EXCEPTION 'add_playbook(): model "%" has no signal "%"', found_model.name, signal
			USING ERRCODE = 'undefined_object', HINT = 'Add the signal first.';
	END IF;
	IF action IS NULL OR btrim(action) = '' THEN
		RAISE EXCEPTION 'add_playbook(): action must not be empty'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Say what to do, e.g. ''Executive business review''.';
	END IF;
	INSERT INTO healthscore.playbooks (model, tier, signal, action, owner_role, indicator)
	VALUES (found_model.name, tier, signal, action, owner_role, indicator)
	ON CONFLICT ON CONSTRAINT playbooks_model_tier_signal_indicator_key
	DO UPDATE SET action = excluded.action, owner_role = excluded.owner_role
	RETURNING playbook_id INTO id;
	RETURN id;
END
$$;

COMMENT ON FUNCTION healthscore.add_playbook(text, text, text, text, text, text) IS
'sets the action (and owner role) for a model''s tier, failing signal, or both, or for a raised risk indicator (in a tier or any); risk_list shows the most specific one, a raised indicator''s first';

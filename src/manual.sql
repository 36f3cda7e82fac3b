-- What people know: manual assessments of success factors, tier overrides, and playbooks.
-- Manual inputs go stale, so every one of them is dated and expires; expired inputs are ignored,
-- never silently kept.

-- Success factors a customer-success manager rates per account. The shipped rows come with the
-- extension; rows users add are theirs and are kept by pg_dump.
CREATE TABLE healthscore.success_factors (
	factor text PRIMARY KEY CHECK (factor OPERATOR(pg_catalog.<>) ''),
	description text,
	shipped boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE healthscore.success_factors IS 'success factors that people rate per account (assessments)';
COMMENT ON COLUMN healthscore.success_factors.factor IS 'factor name';
COMMENT ON COLUMN healthscore.success_factors.description IS 'what a high rating means';
COMMENT ON COLUMN healthscore.success_factors.shipped IS 'true for the rows the extension ships (not dumped: CREATE EXTENSION makes them)';

INSERT INTO healthscore.success_factors (factor, description, shipped) VALUES
	('partner not vendor', 'the customer treats us as a partner, not a vendor', true),
	('executive relationship', 'we have a working relationship with an executive sponsor', true),
	('business value', 'the customer has realized business value and can say which', true),
	('resources and skills', 'the customer has the people and skills to succeed with the product', true),
	('technical debt', 'there is a path past the customer''s technical debt', true),
	('right product and capability', 'the product and its capabilities fit the customer''s need', true);

SELECT pg_catalog.pg_extension_config_dump('healthscore.success_factors', 'WHERE NOT shipped');

CREATE TABLE healthscore.assessments (
	assessment_id bigserial PRIMARY KEY,
	account_key text NOT NULL,
	factor text NOT NULL,
	rating integer CHECK (rating OPERATOR(pg_catalog.>=) 1 AND rating OPERATOR(pg_catalog.<=) 5),
	points float8 NOT NULL CHECK (points OPERATOR(pg_catalog.>=) 0 AND points OPERATOR(pg_catalog.<=) 100),
	note text,
	assessed_by text NOT NULL DEFAULT CURRENT_USER,
	assessed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_for interval NOT NULL DEFAULT '90 days' CHECK (valid_for OPERATOR(pg_catalog.>) interval '0')
);
CREATE INDEX assessments_account_factor_idx ON healthscore.assessments (account_key, factor, assessed_at);

COMMENT ON TABLE healthscore.assessments IS 'ratings of success factors per account by people, dated and valid for a while';
COMMENT ON COLUMN healthscore.assessments.assessment_id IS 'assessment identifier';
COMMENT ON COLUMN healthscore.assessments.account_key IS 'account key as text (as in the views)';
COMMENT ON COLUMN healthscore.assessments.factor IS 'the success factor rated';
COMMENT ON COLUMN healthscore.assessments.rating IS 'rating 1-5 (1 = 0 points, 5 = 100), or NULL when points were given directly';
COMMENT ON COLUMN healthscore.assessments.points IS 'points 0-100';
COMMENT ON COLUMN healthscore.assessments.note IS 'why';
COMMENT ON COLUMN healthscore.assessments.assessed_by IS 'who rated';
COMMENT ON COLUMN healthscore.assessments.assessed_at IS 'when';
COMMENT ON COLUMN healthscore.assessments.valid_for IS 'how long the rating counts; after assessed_at + valid_for it is expired and treated as missing';

SELECT pg_catalog.pg_extension_config_dump('healthscore.assessments', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.assessments_assessment_id_seq', '');

-- Row-level security: notes are about accounts, so a reader sees an assessment when it may see its
-- account in the account relation of a model that rates its factor (account_visible, as for the
-- scores); roles that maintain the history (grant_admin) see them all. Writers need no filter.
ALTER TABLE healthscore.assessments ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_accounts ON healthscore.assessments FOR SELECT
	USING (pg_catalog.has_table_privilege('healthscore.scores'::pg_catalog.regclass, 'DELETE')
		   OR EXISTS (SELECT FROM healthscore.signals AS s
					  WHERE s.scoring OPERATOR(pg_catalog.=) 'assessment'
						AND s.factor OPERATOR(pg_catalog.=) assessments.factor
						AND healthscore.account_listed(s.model, assessments.account_key)));
CREATE POLICY writers ON healthscore.assessments FOR INSERT WITH CHECK (true);
CREATE POLICY updaters ON healthscore.assessments FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY removers ON healthscore.assessments FOR DELETE USING (true);

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

-- Tier overrides: a person sets an account's tier for a model, with a reason and an expiry.
CREATE TABLE healthscore.overrides (
	override_id bigserial PRIMARY KEY,
	model text NOT NULL,
	account_key text NOT NULL,
	tier text NOT NULL,
	reason text NOT NULL CHECK (reason OPERATOR(pg_catalog.<>) ''),
	set_by text NOT NULL DEFAULT CURRENT_USER,
	set_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at OPERATOR(pg_catalog.>) set_at)
);
CREATE INDEX overrides_model_account_idx ON healthscore.overrides (model, account_key, set_at);

COMMENT ON TABLE healthscore.overrides IS 'tiers set by people for an account and model, each with a reason and an expiry';
COMMENT ON COLUMN healthscore.overrides.override_id IS 'override identifier';
COMMENT ON COLUMN healthscore.overrides.model IS 'model';
COMMENT ON COLUMN healthscore.overrides.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.overrides.tier IS 'the tier in force while the override is active';
COMMENT ON COLUMN healthscore.overrides.reason IS 'why (mandatory)';
COMMENT ON COLUMN healthscore.overrides.set_by IS 'who set it';
COMMENT ON COLUMN healthscore.overrides.set_at IS 'from when it applies';
COMMENT ON COLUMN healthscore.overrides.expires_at IS 'from when it no longer applies (mandatory: overrides must not go stale)';

SELECT pg_catalog.pg_extension_config_dump('healthscore.overrides', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.overrides_override_id_seq', '');

-- Row-level security: a reader sees an override (and its reason) when it may see its account in
-- the model's account relation, exactly as for the scores.
ALTER TABLE healthscore.overrides ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_accounts ON healthscore.overrides FOR SELECT
	USING (healthscore.account_visible(model, account_key));
CREATE POLICY writers ON healthscore.overrides FOR INSERT WITH CHECK (true);
CREATE POLICY updaters ON healthscore.overrides FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY removers ON healthscore.overrides FOR DELETE USING (true);

-- The rank of a tier in a model (1 = worst), or an error naming the valid tiers.
CREATE FUNCTION healthscore.tier_rank(model healthscore.models, tier text)
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

COMMENT ON FUNCTION healthscore.tier_rank(healthscore.models, text) IS
'position of a tier among a model''s tier labels (1 = worst), or an error naming the valid tiers';

CREATE FUNCTION healthscore.set_override(model text, account_key text, tier text, reason text,
										 expires_at timestamptz, set_at timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(model);
	current_tier text;
	id bigint;
BEGIN
	PERFORM healthscore_internal.check_account_key('set_override', account_key);
	PERFORM healthscore.tier_rank(found_model, tier);
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
		SELECT s.computed_tier INTO current_tier FROM healthscore.current_scores AS s
		WHERE s.model = found_model.name AND s.account_key = set_override.account_key;
		IF current_tier IS NULL OR current_tier = 'unknown' THEN
			RAISE EXCEPTION 'set_override(): model "%" only allows lowering a tier, and account "%" has no computed tier yet',
				found_model.name, account_key
				USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Refresh the model first.';
		END IF;
		IF healthscore.tier_rank(found_model, tier) > healthscore.tier_rank(found_model, current_tier) THEN
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
	PERFORM healthscore.model_row(model);
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

-- Playbooks: what to do, and who does it, per model and tier and/or failing signal.
CREATE TABLE healthscore.playbooks (
	playbook_id bigserial PRIMARY KEY,
	model text NOT NULL,
	tier text,
	signal text,
	action text NOT NULL CHECK (action OPERATOR(pg_catalog.<>) ''),
	owner_role text,
	CHECK (tier IS NOT NULL OR signal IS NOT NULL),
	UNIQUE NULLS NOT DISTINCT (model, tier, signal)
);

COMMENT ON TABLE healthscore.playbooks IS 'actions per model and tier, per failing signal, or per both, with the role that acts';
COMMENT ON COLUMN healthscore.playbooks.playbook_id IS 'playbook identifier';
COMMENT ON COLUMN healthscore.playbooks.model IS 'model';
COMMENT ON COLUMN healthscore.playbooks.tier IS 'tier it applies to; NULL: any tier';
COMMENT ON COLUMN healthscore.playbooks.signal IS 'failing signal (the account''s costliest) it applies to; NULL: any signal';
COMMENT ON COLUMN healthscore.playbooks.action IS 'what to do';
COMMENT ON COLUMN healthscore.playbooks.owner_role IS 'who does it, e.g. CSM, support lead, account executive';

SELECT pg_catalog.pg_extension_config_dump('healthscore.playbooks', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.playbooks_playbook_id_seq', '');

CREATE FUNCTION healthscore.add_playbook(model text, action text, tier text DEFAULT NULL, signal text DEFAULT NULL,
										 owner_role text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(model);
	id bigint;
BEGIN
	IF tier IS NULL AND signal IS NULL THEN
		RAISE EXCEPTION 'add_playbook(): name a tier, a signal, or both'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. tier => ''red'', or signal => ''nps''.';
	END IF;
	IF tier IS NOT NULL THEN
		PERFORM healthscore.tier_rank(found_model, tier);
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
	INSERT INTO healthscore.playbooks (model, tier, signal, action, owner_role)
	VALUES (found_model.name, tier, signal, action, owner_role)
	ON CONFLICT ON CONSTRAINT playbooks_model_tier_signal_key
	DO UPDATE SET action = excluded.action, owner_role = excluded.owner_role
	RETURNING playbook_id INTO id;
	RETURN id;
END
$$;

COMMENT ON FUNCTION healthscore.add_playbook(text, text, text, text, text) IS
'sets the action (and owner role) for a model''s tier, failing signal, or both; risk_list shows the most specific one';

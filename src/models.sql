-- The model API: define models and signals (validated and compiled at once, as their author),
-- change and drop them, and take a model's text over (adopt_model).

-- A setting in points: 0 <= value < 100 where 0 is allowed (it turns the setting off), else 0 < value <= 100.
CREATE FUNCTION healthscore_internal.check_points_setting(func text, model text, setting text, value float8,
														  zero_allowed boolean, hint text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF value IS NULL OR (zero_allowed AND NOT (value >= 0 AND value < 100))
	   OR (NOT zero_allowed AND NOT (value > 0 AND value <= 100)) THEN
		RAISE EXCEPTION '%(): % of model "%" must be between 0 and 100 points, not %', func, setting, model,
			coalesce(value::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = hint;
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_points_setting(text, text, text, float8, boolean, text) IS
'raises an error naming the function, model and setting when a setting in points is NULL or outside 0..100';

-- A setting that is a length of time: a positive interval.
CREATE FUNCTION healthscore_internal.check_interval_setting(func text, model text, setting text, value interval,
															hint text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET IntervalStyle = 'postgres'
AS $$
BEGIN
	IF value IS NULL OR NOT value > interval '0' THEN
		RAISE EXCEPTION '%(): % of model "%" must be a positive interval, not %', func, setting, model,
			coalesce(value::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = hint;
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_interval_setting(text, text, text, interval, text) IS
'raises an error naming the function, model and setting when a length-of-time setting is NULL or not positive';

-- The settings of a model that create_model() and alter_model() both take, checked alike.
CREATE FUNCTION healthscore_internal.check_model_settings(func text, model text, tier_cutoffs float8[],
														  tier_labels text[], tier_actions text[],
														  trend_threshold float8, trend_window interval,
														  tier_hysteresis float8, drop_points float8,
														  drop_window interval, time_zone text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	label text;
BEGIN
	-- tier() checks cutoffs and labels with its own errors
	IF tier_cutoffs IS NULL OR tier_labels IS NULL THEN
		RAISE EXCEPTION '%(): tier_cutoffs and tier_labels of model "%" must not be NULL', func, model
			USING ERRCODE = 'null_value_not_allowed', HINT = 'The defaults are ''{40,70}'' and ''{red,yellow,green}''.';
	END IF;
	PERFORM healthscore.tier(0, tier_cutoffs, tier_labels);
	FOREACH label IN ARRAY tier_labels LOOP
		PERFORM healthscore_internal.check_name(func, 'tier label', label);
	END LOOP;
	IF (SELECT count(DISTINCT l) FROM unnest(tier_labels) AS l) <> cardinality(tier_labels) THEN
		RAISE EXCEPTION '%(): tier_labels of model "%" must differ from each other: %', func, model, tier_labels
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name every tier once, worst first, e.g. ''{red,yellow,green}''.';
	END IF;
	IF tier_actions IS NOT NULL AND cardinality(tier_actions) <> cardinality(tier_labels) THEN
		RAISE EXCEPTION '%(): tier_actions of model "%" must have one element per tier label', func, model
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('There are %s tier labels.', cardinality(tier_labels));
	END IF;
	PERFORM healthscore_internal.check_points_setting(func, model, 'trend_threshold', trend_threshold, true,
													  'The default is 5 points.');
	PERFORM healthscore_internal.check_interval_setting(func, model, 'trend_window', trend_window,
														'The default is ''28 days'': the trend compares with the score four weeks before.');
	PERFORM healthscore_internal.check_points_setting(func, model, 'tier_hysteresis', tier_hysteresis, true,
													  'The default is 5 points; 0 turns it off.');
	PERFORM healthscore_internal.check_points_setting(func, model, 'drop_points', drop_points, false,
													  'The default, 10, lists accounts that lost 10 points or more.');
	PERFORM healthscore_internal.check_interval_setting(func, model, 'drop_window', drop_window,
														'The default is ''30 days''.');
	PERFORM healthscore_internal.check_time_zone(func, model, time_zone);
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_model_settings(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, text) IS
'raises an error naming the function and model when a model setting is not valid: tiers, trend threshold and window, hysteresis, drop settings, time zone';

CREATE FUNCTION healthscore.create_model(
	name text,
	accounts regclass,
	key text,
	value text DEFAULT NULL,
	segment text DEFAULT NULL,
	renewal text DEFAULT NULL,
	owner text DEFAULT NULL,
	description text DEFAULT NULL,
	tier_cutoffs float8[] DEFAULT '{40,70}',
	tier_labels text[] DEFAULT '{red,yellow,green}',
	tier_actions text[] DEFAULT NULL,
	trend_threshold float8 DEFAULT 5,
	drop_points float8 DEFAULT 10,
	drop_window interval DEFAULT '30 days',
	model_group text DEFAULT NULL,
	segment_filter text DEFAULT NULL,
	priority integer DEFAULT 0,
	overrides_lower_only boolean DEFAULT false,
	time_zone text DEFAULT 'UTC',
	trend_window interval DEFAULT '28 days',
	tier_hysteresis float8 DEFAULT 5)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
BEGIN
	PERFORM healthscore_internal.check_name('create_model', 'name', name);
	IF EXISTS (SELECT FROM healthscore.models AS m WHERE m.name = create_model.name) THEN
		RAISE EXCEPTION 'create_model(): model "%" already exists', name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Pick another name, or drop it first with healthscore.drop_model().';
	END IF;
	-- run() and schedule() take a model's name or a group's: one name, one meaning
	IF EXISTS (SELECT FROM healthscore.models AS m WHERE m.model_group = create_model.name) THEN
		RAISE EXCEPTION 'create_model(): "%" already names a model group', name
			USING ERRCODE = 'duplicate_object', HINT = 'Models and model groups share names (run() takes either): pick another.';
	END IF;
	IF model_group IS NOT NULL AND EXISTS (SELECT FROM healthscore.models AS m WHERE m.name = create_model.model_group) THEN
		RAISE EXCEPTION 'create_model(): model_group "%" of model "%" is the name of a model', model_group, name
			USING ERRCODE = 'duplicate_object', HINT = 'Models and model groups share names (run() takes either): pick another.';
	END IF;
	IF accounts IS NULL THEN
		RAISE EXCEPTION 'create_model(): accounts must name the account relation'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. accounts => ''app.accounts''.';
	END IF;
	PERFORM healthscore_internal.check_column('create_model', 'key', accounts, key);
	IF value IS NOT NULL THEN PERFORM healthscore_internal.check_column('create_model', 'value', accounts, value); END IF;
	IF segment IS NOT NULL THEN PERFORM healthscore_internal.check_column('create_model', 'segment', accounts, segment); END IF;
	IF renewal IS NOT NULL THEN PERFORM healthscore_internal.check_column('create_model', 'renewal', accounts, renewal); END IF;
	IF owner IS NOT NULL THEN PERFORM healthscore_internal.check_column('create_model', 'owner', accounts, owner); END IF;
	PERFORM healthscore_internal.check_model_settings('create_model', name, tier_cutoffs, tier_labels, tier_actions,
													   trend_threshold, trend_window, tier_hysteresis, drop_points,
													   drop_window, time_zone);
	-- a group shares one account relation and key; a filter is a condition over the account row
	IF model_group IS NOT NULL THEN
		PERFORM healthscore_internal.check_name('create_model', 'model_group', model_group);
		IF EXISTS (SELECT FROM healthscore.models AS m WHERE m.model_group = create_model.model_group
				   AND (m.accounts <> create_model.accounts::text OR m.key_column <> create_model.key)) THEN
			RAISE EXCEPTION 'create_model(): the models of group "%" score another account relation or key', model_group
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Models of one group split one account relation between them; use the same accounts and key.';
		END IF;
		IF EXISTS (SELECT FROM healthscore.models AS m WHERE m.model_group = create_model.model_group
				   AND m.priority = coalesce(create_model.priority, 0)) THEN
			RAISE EXCEPTION 'create_model(): group "%" already has a model with priority %', model_group, priority
				USING ERRCODE = 'unique_violation',
					  HINT = 'Give every model of a group its own priority; the highest wins where filters overlap.';
		END IF;
	ELSIF segment_filter IS NOT NULL THEN
		RAISE EXCEPTION 'create_model(): segment_filter needs a model_group'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the group the model shares the accounts with, e.g. model_group => ''cs''.';
	END IF;
	IF segment_filter IS NOT NULL THEN
		-- one expression first (nothing of it runs otherwise), then compiled as its author, the caller
		BEGIN
			EXECUTE format('EXPLAIN SELECT FROM %s AS account WHERE %s', accounts,
						   healthscore_internal.filter_condition(name, segment_filter, 'create_model'));
		EXCEPTION WHEN undefined_column OR undefined_function OR datatype_mismatch
				  OR undefined_table OR ambiguous_column THEN
			RAISE EXCEPTION 'create_model(): segment_filter does not work: %', SQLERRM
				USING ERRCODE = SQLSTATE,
					  HINT = 'A condition over the account row, e.g. account.segment = ''enterprise''.';
		END;
	END IF;

	-- value feeds sums and priorities, renewal date arithmetic: check their types, not just their names
	IF value IS NOT NULL AND (SELECT t.typcategory FROM pg_attribute AS a JOIN pg_type AS t ON t.oid = a.atttypid
							 WHERE a.attrelid = accounts AND a.attname = value) <> 'N' THEN
		RAISE EXCEPTION 'create_model(): value column "%" must be numeric, not %', value,
			(SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = accounts AND attname = value)
			USING ERRCODE = 'datatype_mismatch', HINT = 'Name the column holding the account''s ARR or revenue.';
	END IF;
	IF renewal IS NOT NULL AND (SELECT atttypid FROM pg_attribute WHERE attrelid = accounts AND attname = renewal)
		NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'create_model(): renewal column "%" must be a date or timestamp, not %', renewal,
			(SELECT atttypid::regtype FROM pg_attribute WHERE attrelid = accounts AND attname = renewal)
			USING ERRCODE = 'datatype_mismatch', HINT = 'Name the column holding the next renewal date.';
	END IF;

	INSERT INTO healthscore.models (name, description, accounts, key_column, segment_column, value_column,
									renewal_column, owner_column, tier_cutoffs, tier_labels, tier_actions,
									trend_threshold, drop_points, drop_window, model_group, segment_filter,
									priority, overrides_lower_only, time_zone, trend_window, tier_hysteresis)
	VALUES (name, description, accounts::text, key, segment, value, renewal, owner, tier_cutoffs,
			tier_labels, tier_actions, trend_threshold, drop_points, drop_window, model_group, segment_filter,
			coalesce(priority, 0), coalesce(overrides_lower_only, false), time_zone, trend_window, tier_hysteresis);
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean, text, interval, float8) IS
'defines a health model over an account relation (every row, or in a group the rows its segment_filter wins); checks every column and the filter at once; the caller becomes the author of its SQL text';

-- Changing a model's settings (not its SQL text: relations and filters are created with the model);
-- arguments left NULL stay as they are, and everything is checked as create_model() checks it.
-- Tiers, trend and hysteresis enter the fingerprint, so later runs show that the model changed.
CREATE FUNCTION healthscore.alter_model(
	model text,
	description text DEFAULT NULL,
	tier_cutoffs float8[] DEFAULT NULL,
	tier_labels text[] DEFAULT NULL,
	tier_actions text[] DEFAULT NULL,
	trend_threshold float8 DEFAULT NULL,
	trend_window interval DEFAULT NULL,
	tier_hysteresis float8 DEFAULT NULL,
	drop_points float8 DEFAULT NULL,
	drop_window interval DEFAULT NULL,
	overrides_lower_only boolean DEFAULT NULL,
	time_zone text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	-- new labels without new actions would leave actions for other tiers: they must come together
	IF tier_labels IS NOT NULL AND tier_actions IS NULL AND found_model.tier_actions IS NOT NULL
	   AND cardinality(tier_labels) <> cardinality(found_model.tier_actions) THEN
		RAISE EXCEPTION 'alter_model(): model "%" has % tier actions, and the new tier_labels % tiers', model,
			cardinality(found_model.tier_actions), cardinality(tier_labels)
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass tier_actions with one action per new tier label.';
	END IF;
	found_model.description := coalesce(description, found_model.description);
	found_model.tier_cutoffs := coalesce(tier_cutoffs, found_model.tier_cutoffs);
	found_model.tier_labels := coalesce(tier_labels, found_model.tier_labels);
	found_model.tier_actions := coalesce(tier_actions, found_model.tier_actions);
	found_model.trend_threshold := coalesce(trend_threshold, found_model.trend_threshold);
	found_model.trend_window := coalesce(trend_window, found_model.trend_window);
	found_model.tier_hysteresis := coalesce(tier_hysteresis, found_model.tier_hysteresis);
	found_model.drop_points := coalesce(drop_points, found_model.drop_points);
	found_model.drop_window := coalesce(drop_window, found_model.drop_window);
	found_model.overrides_lower_only := coalesce(overrides_lower_only, found_model.overrides_lower_only);
	found_model.time_zone := coalesce(time_zone, found_model.time_zone);
	PERFORM healthscore_internal.check_model_settings('alter_model', found_model.name, found_model.tier_cutoffs,
													   found_model.tier_labels, found_model.tier_actions,
													   found_model.trend_threshold, found_model.trend_window,
													   found_model.tier_hysteresis, found_model.drop_points,
													   found_model.drop_window, found_model.time_zone);
	UPDATE healthscore.models AS m
	SET (description, tier_cutoffs, tier_labels, tier_actions, trend_threshold, trend_window, tier_hysteresis,
		 drop_points, drop_window, overrides_lower_only, time_zone)
		= (found_model.description, found_model.tier_cutoffs, found_model.tier_labels, found_model.tier_actions,
		   found_model.trend_threshold, found_model.trend_window, found_model.tier_hysteresis, found_model.drop_points,
		   found_model.drop_window, found_model.overrides_lower_only, found_model.time_zone)
	WHERE m.name = found_model.name;
	RETURN found_model.name;
END
$$;

COMMENT ON FUNCTION healthscore.alter_model(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, boolean, text) IS
'changes a model''s settings (tiers and their actions, trend threshold and window, tier hysteresis, drop settings, lower-only overrides, time zone): arguments left NULL stay as they are; checked as create_model() checks them';

-- Check one signal as it would run, and fail with an error that names the problem.
CREATE FUNCTION healthscore_internal.check_signal(signal healthscore.signals, func text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
SET extra_float_digits = 3
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(signal.model);
	source_relation regclass := signal.source::regclass;
	time_type regtype;
	compiled record;
BEGIN
	PERFORM healthscore_internal.check_name(func, 'signal name', signal.name);
	PERFORM healthscore_internal.check_column(func, 'key', source_relation, signal.source_key);
	IF signal.time_column IS NOT NULL THEN
		PERFORM healthscore_internal.check_column(func, 'time_column', source_relation, signal.time_column);
		SELECT atttypid::regtype INTO time_type FROM pg_attribute
		WHERE attrelid = source_relation AND attname = signal.time_column;
		IF time_type NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
			RAISE EXCEPTION '%(): time_column "%" must be a timestamptz, timestamp or date, not %',
				func, signal.time_column, time_type
				USING ERRCODE = 'datatype_mismatch', HINT = 'Name the column holding when the row happened.';
		END IF;
	ELSIF signal.lookback IS NOT NULL THEN
		RAISE EXCEPTION '%(): lookback needs a time_column', func
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name the source column the window applies to.';
	END IF;
	IF signal.lookback IS NOT NULL AND NOT signal.lookback > interval '0' THEN
		RAISE EXCEPTION '%(): lookback must be positive, not %', func, signal.lookback
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a window such as ''30 days''.';
	END IF;
	IF signal.max_age IS NOT NULL THEN
		IF signal.scoring = 'assessment' THEN
			RAISE EXCEPTION '%(): assessment signal "%" of model "%" takes no max_age', func, signal.name, signal.model
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A rating goes stale by itself: assess(..., valid_for => ...) says for how long it counts.';
		ELSIF signal.time_column IS NULL THEN
			RAISE EXCEPTION '%(): max_age of signal "%" of model "%" needs a time_column', func, signal.name, signal.model
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Name the source column holding when each row happened.';
		ELSIF NOT signal.max_age > interval '0' THEN
			RAISE EXCEPTION '%(): max_age of signal "%" of model "%" must be positive, not %', func, signal.name, signal.model, signal.max_age
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how old the newest row may be, e.g. ''2 days''.';
		END IF;
	END IF;
	-- a free name: the signal's group (usage, adoption, support, sentiment, financial, relationship
	-- and other are the suggestions)
	PERFORM healthscore_internal.check_name(func, format('category of signal "%s" of model "%s"', signal.name, signal.model),
											signal.category);
	IF signal.weight IS NULL OR NOT (signal.weight > 0 AND signal.weight < 'infinity') THEN
		RAISE EXCEPTION '%(): weight must be positive and finite, not %', func, signal.weight
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are relative, e.g. 10 or 25.';
	END IF;
	-- a score sums weight x points (up to 100) over the model's signals: that must stay finite
	IF NOT (100 * (signal.weight::numeric + coalesce((SELECT sum(s.weight::numeric) FROM healthscore.signals AS s
													  WHERE s.model = signal.model AND s.name <> signal.name), 0))
			<= 1.7976931348623157e308) THEN	-- the largest float8
		RAISE EXCEPTION '%(): weight % makes the weights of model "%" sum out of range', func, signal.weight, signal.model
			USING ERRCODE = 'numeric_value_out_of_range', HINT = 'Weights are relative: use ordinary sizes, e.g. 10 or 25.';
	END IF;
	IF signal.missing IS NULL OR signal.missing NOT IN ('skip', 'zero', 'value') THEN
		RAISE EXCEPTION '%(): unknown missing-data policy "%"', func, signal.missing
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use skip (redistribute the weight), zero, or value with missing_value.';
	END IF;
	IF (signal.missing = 'value') <> (signal.missing_value IS NOT NULL) THEN
		RAISE EXCEPTION '%(): missing_value goes with missing => ''value'', and only with it', func
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass both, e.g. missing => ''value'', missing_value => 100.';
	END IF;
	IF signal.missing_value IS NOT NULL AND NOT (signal.missing_value >= 0 AND signal.missing_value <= 100) THEN
		RAISE EXCEPTION '%(): missing_value must be between 0 and 100 points, not %', func, signal.missing_value
			USING ERRCODE = 'invalid_parameter_value', HINT = 'missing_value is in points, not a raw value.';
	END IF;

	-- the parameters of the scoring method, checked by the scoring functions themselves
	CASE signal.scoring
		WHEN 'linear', 'logarithmic' THEN
			IF signal.worst IS NULL OR signal.best IS NULL THEN
				RAISE EXCEPTION '%(): % scoring needs worst and best', func, signal.scoring
					USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. worst => 0, best => 60.';
			END IF;
			IF signal.scoring = 'linear' THEN
				PERFORM healthscore.linear(signal.worst, signal.worst, signal.best);
			ELSE
				PERFORM healthscore.logarithmic(signal.worst, signal.worst, signal.best);
			END IF;
		WHEN 'bands' THEN
			IF signal.breaks IS NULL OR signal.points IS NULL THEN
				RAISE EXCEPTION '%(): bands scoring needs breaks and points', func
					USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. breaks => ''{1,3}'', points => ''{100,50,0}''.';
			END IF;
			PERFORM healthscore.bands(0, signal.breaks, signal.points);
		WHEN 'decay' THEN
			IF signal.half_life IS NULL THEN
				RAISE EXCEPTION '%(): decay scoring needs half_life', func
					USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. half_life => ''14 days''.';
			END IF;
			PERFORM healthscore.decay(timestamptz '2000-01-01', signal.half_life, timestamptz '2000-01-01');
		WHEN 'percentile', 'points' THEN
			NULL;
		WHEN 'assessment' THEN
			IF NOT EXISTS (SELECT FROM healthscore.success_factors AS f WHERE f.factor = signal.factor) THEN
				RAISE EXCEPTION '%(): unknown success factor "%"', func, signal.factor
					USING ERRCODE = 'undefined_object',
						  HINT = format('Known factors: %s.', (SELECT string_agg(quote_literal(f.factor), ', ' ORDER BY f.factor)
															  FROM healthscore.success_factors AS f));
			END IF;
		ELSE
			RAISE EXCEPTION '%(): unknown scoring method "%"', func, signal.scoring
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Use linear, logarithmic, bands, decay, percentile, points or assessment.';
	END CASE;
	IF signal.scoring NOT IN ('linear', 'logarithmic') AND (signal.worst IS NOT NULL OR signal.best IS NOT NULL) THEN
		RAISE EXCEPTION '%(): worst and best apply to linear and logarithmic scoring, not %', func, signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave them out, or change the scoring method.';
	END IF;
	IF signal.scoring <> 'bands' AND (signal.breaks IS NOT NULL OR signal.points IS NOT NULL) THEN
		RAISE EXCEPTION '%(): breaks and points apply to bands scoring, not %', func, signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave them out, or change the scoring method.';
	END IF;
	IF signal.scoring <> 'decay' AND signal.half_life IS NOT NULL THEN
		RAISE EXCEPTION '%(): half_life applies to decay scoring, not %', func, signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave it out, or change the scoring method.';
	END IF;
	IF signal.scoring <> 'assessment' AND signal.factor IS NOT NULL THEN
		RAISE EXCEPTION '%(): factor applies to assessment scoring, not %', func, signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave it out, or use scoring => ''assessment''.';
	END IF;
	IF signal.scoring <> 'percentile' AND signal.lower_is_better THEN
		RAISE EXCEPTION '%(): lower_is_better applies to percentile scoring, not %', func, signal.scoring
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For linear and logarithmic scoring put worst above best instead.';
	END IF;

	-- the expression: one expression (nothing of it runs otherwise), then compiled exactly as the
	-- refresh will run it, as its author, and not executed
	IF signal.scoring <> 'assessment' THEN
		PERFORM healthscore_internal.one_expression(signal.expression, func, signal.model, signal.name, 'expression');
	END IF;
	IF signal.per_account IS NOT NULL THEN
		IF signal.scoring IN ('decay', 'assessment') THEN
			RAISE EXCEPTION '%(): per_account of signal "%" applies to a number, not to a % signal', func, signal.name,
				signal.scoring
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Use it with linear, logarithmic, bands, percentile or points scoring, e.g. per_account => ''value / account.seats''.';
		END IF;
		IF signal.expression ~* '\maccount\s*\.' THEN
			RAISE EXCEPTION '%(): expression of signal "%" uses the account row, and has a per_account expression', func,
				signal.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'With per_account the expression groups the source alone: move account.<column> into per_account, e.g. per_account => ''value / account.seats''.';
		END IF;
		PERFORM healthscore_internal.one_expression(signal.per_account, func, signal.model, signal.name, 'per_account');
	END IF;
	BEGIN
		SELECT * INTO compiled FROM healthscore_internal.explain_as_author(signal, func);
	EXCEPTION
		WHEN grouping_error THEN
			IF SQLERRM LIKE '%"account.%' THEN
				RAISE EXCEPTION '%(): expression of signal "%" uses the account row, but % has no primary key on %',
					func, signal.name, found_model.accounts, found_model.key_column
					USING ERRCODE = 'grouping_error',
						  HINT = format('account.<column> works when the key is the primary key: ALTER TABLE %s ADD PRIMARY KEY (%I).',
										found_model.accounts, found_model.key_column);
			END IF;
			RAISE EXCEPTION '%(): expression of signal "%" is not an aggregate: %', func, signal.name, SQLERRM
				USING ERRCODE = 'grouping_error',
					  HINT = 'The expression sums up one account''s rows, e.g. count(*) or max(s.ts); use account.<column> for the account row.';
		WHEN syntax_error OR undefined_column OR undefined_function OR undefined_table
			 OR datatype_mismatch OR cannot_coerce OR ambiguous_column OR wrong_object_type THEN
			RAISE EXCEPTION '%(): % of signal "%" does not work: %', func,
				CASE WHEN signal.per_account IS NULL THEN 'expression' ELSE 'expression or per_account' END, signal.name, SQLERRM
				USING ERRCODE = SQLSTATE,
					  HINT = CASE signal.scoring WHEN 'decay'
								THEN 'A decay signal''s expression yields a timestamp, e.g. max(s.ts); the source is s, the account row account.'
								ELSE 'The expression yields a number per account, e.g. count(*); the source is s, the account row account.' END;
	END;
	-- a value the refresh can read: a number, or a time for decay (text would cast, and fail later)
	IF signal.scoring <> 'assessment' AND NOT (CASE signal.scoring
			WHEN 'decay' THEN compiled.value_type IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
			ELSE (SELECT t.typcategory = 'N' FROM pg_type AS t WHERE t.oid = compiled.value_type) END) THEN
		RAISE EXCEPTION '%(): % of signal "%" yields %, not %', func,
			CASE WHEN signal.per_account IS NULL THEN 'expression' ELSE 'per_account' END, signal.name, compiled.value_type,
			CASE signal.scoring WHEN 'decay' THEN 'a time' ELSE 'a number' END
			USING ERRCODE = 'datatype_mismatch',
				  HINT = CASE signal.scoring WHEN 'decay'
							THEN 'A decay signal''s expression yields a timestamp, e.g. max(s.ts).'
							ELSE 'The expression yields a number per account, e.g. count(*) or avg(s.duration).' END;
	END IF;
	-- a set-returning function would give an account several rows (a ProjectSet in the plan)
	IF compiled.plan LIKE '%"Node Type": "ProjectSet"%' THEN
		RAISE EXCEPTION '%(): expression of signal "%" returns a set of rows, not one value per account', func, signal.name
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Aggregate the set instead, e.g. max(x) over the rows rather than unnest(...).';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_signal(healthscore.signals, text) IS
'validates a signal definition and compiles its expression as the refresh will run it; errors name the problem';

CREATE FUNCTION healthscore.add_signal(
	model text,
	name text,
	source regclass DEFAULT NULL,
	key text DEFAULT NULL,
	expression text DEFAULT NULL,
	scoring text DEFAULT 'points',
	weight float8 DEFAULT 1,
	time_column text DEFAULT NULL,
	lookback interval DEFAULT NULL,
	worst float8 DEFAULT NULL,
	best float8 DEFAULT NULL,
	breaks float8[] DEFAULT NULL,
	points float8[] DEFAULT NULL,
	half_life interval DEFAULT NULL,
	lower_is_better boolean DEFAULT false,
	category text DEFAULT 'other',
	missing text DEFAULT 'skip',
	missing_value float8 DEFAULT NULL,
	description text DEFAULT NULL,
	action text DEFAULT NULL,
	factor text DEFAULT NULL,
	max_age interval DEFAULT NULL,
	per_account text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal healthscore.signals;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	IF EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = add_signal.model AND s.name = add_signal.name) THEN
		RAISE EXCEPTION 'add_signal(): model "%" already has a signal "%"', model, name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Change it with healthscore.alter_signal(), or pick another name.';
	END IF;
	-- an assessment signal reads the assessments table: the latest unexpired rating of its factor
	IF scoring = 'assessment' THEN
		IF source IS NOT NULL OR key IS NOT NULL OR expression IS NOT NULL OR time_column IS NOT NULL THEN
			RAISE EXCEPTION 'add_signal(): an assessment signal takes a factor, not a source, key, expression or time column'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'E.g. scoring => ''assessment'', factor => ''executive relationship''.';
		END IF;
		source := 'healthscore.assessments'::regclass;
		key := 'account_key';
		expression := format('latest unexpired rating of %L', factor);
		time_column := 'assessed_at';
	END IF;
	IF source IS NULL OR expression IS NULL OR key IS NULL THEN
		RAISE EXCEPTION 'add_signal(): source, key and expression are required'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass e.g. source => ''app.usage_events'', key => ''account_id'', expression => ''count(*)''.';
	END IF;
	-- by field, not by position: columns added by an update come last in an updated table
	signal.model := model; signal.name := name; signal.category := category; signal.description := description;
	signal.source := source::text; signal.source_key := key; signal.expression := expression;
	signal.time_column := time_column; signal.lookback := lookback; signal.scoring := scoring;
	signal.worst := worst; signal.best := best; signal.breaks := breaks; signal.points := points;
	signal.half_life := half_life; signal.lower_is_better := coalesce(lower_is_better, false);
	signal.factor := factor; signal.weight := weight; signal.missing := missing;
	signal.missing_value := missing_value; signal.action := action; signal.max_age := max_age;
	signal.per_account := per_account;
	signal.position := (SELECT coalesce(max(s.position), 0) + 1 FROM healthscore.signals AS s WHERE s.model = add_signal.model);
	PERFORM healthscore_internal.check_signal(signal, 'add_signal');
	INSERT INTO healthscore.signals SELECT signal.*;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text, interval, text) IS
'adds a signal to a model: an aggregate expression over a source relation, its scoring method and weight; validated and compiled at once; the caller becomes the author of its SQL text; max_age: how old the source''s newest row may be before the signal is stale; per_account: an expression over value and account.<column> applied after grouping';

CREATE FUNCTION healthscore.alter_signal(
	model text,
	name text,
	weight float8 DEFAULT NULL,
	expression text DEFAULT NULL,
	scoring text DEFAULT NULL,
	worst float8 DEFAULT NULL,
	best float8 DEFAULT NULL,
	breaks float8[] DEFAULT NULL,
	points float8[] DEFAULT NULL,
	half_life interval DEFAULT NULL,
	lookback interval DEFAULT NULL,
	category text DEFAULT NULL,
	missing text DEFAULT NULL,
	missing_value float8 DEFAULT NULL,
	description text DEFAULT NULL,
	action text DEFAULT NULL,
	max_age interval DEFAULT NULL,
	clear text[] DEFAULT NULL,
	per_account text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal healthscore.signals;
	clearable CONSTANT text[] := '{max_age,lookback,description,action,per_account}';
	unknown text;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	SELECT * INTO signal FROM healthscore.signals AS s WHERE s.model = alter_signal.model AND s.name = alter_signal.name
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'alter_signal(): model "%" has no signal "%"', model, name
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', (SELECT string_agg(quote_literal(s.name), ', ' ORDER BY s.position)
												   FROM healthscore.signals AS s WHERE s.model = alter_signal.model));
	END IF;
	-- NULL arguments keep what is set; clear names the optional settings to unset
	SELECT c INTO unknown FROM unnest(clear) AS c WHERE c IS NULL OR NOT c = ANY (clearable) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'alter_signal(): clear of signal "%" of model "%" names "%", which cannot be cleared', name, model, unknown
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Settings that can be cleared: max_age, lookback, description, action, per_account.';
	END IF;
	IF 'max_age' = ANY (clear) THEN signal.max_age := NULL; END IF;
	IF 'lookback' = ANY (clear) THEN signal.lookback := NULL; END IF;
	IF 'description' = ANY (clear) THEN signal.description := NULL; END IF;
	IF 'action' = ANY (clear) THEN signal.action := NULL; END IF;
	IF 'per_account' = ANY (clear) THEN signal.per_account := NULL; END IF;
	-- a new scoring method drops the old method's parameters, so they need not be cleared by hand
	IF scoring IS NOT NULL AND scoring IS DISTINCT FROM signal.scoring THEN
		signal.worst := NULL; signal.best := NULL; signal.breaks := NULL; signal.points := NULL;
		signal.half_life := NULL; signal.lower_is_better := false;
		signal.scoring := scoring;
	END IF;
	IF missing IS NOT NULL AND missing <> 'value' THEN
		signal.missing_value := NULL;
	END IF;
	signal.weight := coalesce(weight, signal.weight);
	signal.expression := coalesce(expression, signal.expression);
	signal.worst := coalesce(worst, signal.worst);
	signal.best := coalesce(best, signal.best);
	signal.breaks := coalesce(breaks, signal.breaks);
	signal.points := coalesce(points, signal.points);
	signal.half_life := coalesce(half_life, signal.half_life);
	signal.lookback := coalesce(lookback, signal.lookback);
	signal.category := coalesce(category, signal.category);
	signal.missing := coalesce(missing, signal.missing);
	signal.missing_value := coalesce(missing_value, signal.missing_value);
	signal.description := coalesce(description, signal.description);
	signal.action := coalesce(action, signal.action);
	signal.max_age := coalesce(max_age, signal.max_age);
	signal.per_account := coalesce(per_account, signal.per_account);
	PERFORM healthscore_internal.check_signal(signal, 'alter_signal');
	UPDATE healthscore.signals AS s SET (category, description, expression, lookback, scoring, worst, best, breaks,
										 points, half_life, lower_is_better, weight, missing, missing_value, action,
										 max_age, per_account)
		= (signal.category, signal.description, signal.expression, signal.lookback, signal.scoring, signal.worst,
		   signal.best, signal.breaks, signal.points, signal.half_life, signal.lower_is_better, signal.weight,
		   signal.missing, signal.missing_value, signal.action, signal.max_age, signal.per_account)
	WHERE s.model = alter_signal.model AND s.name = alter_signal.name;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text, interval, text[], text) IS
'changes a signal: arguments left NULL stay as they are, clear lists settings to unset (max_age, lookback, description, action, per_account); a new scoring method drops the old one''s parameters; validated like add_signal()';

CREATE FUNCTION healthscore.set_weight(model text, signal text, weight float8)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- alter_signal() keeps what is NULL; here a weight is the point of the call
	IF weight IS NULL THEN
		RAISE EXCEPTION 'set_weight(): weight of signal "%" of model "%" must not be NULL', signal, model
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Weights are positive numbers, e.g. 10 or 25.';
	END IF;
	RETURN healthscore.alter_signal(model, signal, weight => weight);
END
$$;

COMMENT ON FUNCTION healthscore.set_weight(text, text, float8) IS
'changes the weight of one signal (shorthand for alter_signal(model, signal, weight => ...))';

-- A group weight per category: the score becomes the weighted mean of the group scores (see
-- signal_groups.c). Numbers are kept in jsonb as float8 writes them shortest and exact.
CREATE FUNCTION healthscore.set_group_weight(model text, category text, weight float8)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET extra_float_digits = 1
AS $$
DECLARE
	found_model healthscore.models;
	categories text[];
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	SELECT array_agg(DISTINCT s.category ORDER BY s.category) INTO categories
	FROM healthscore.signals AS s WHERE s.model = found_model.name;
	-- a weight left behind by signals that moved to other categories can still be removed
	IF category IS NULL OR NOT (category = ANY (coalesce(categories, '{}'))
								OR (weight IS NULL AND found_model.group_weights ? category)) THEN
		RAISE EXCEPTION 'set_group_weight(): model "%" has no signal of category "%"', found_model.name,
			coalesce(category, 'NULL')
			USING ERRCODE = 'undefined_object',
				  HINT = CASE WHEN categories IS NULL THEN 'Add signals first: a group is the signals of one category.'
							  ELSE format('Its categories: %s.', array_to_string(categories, ', ')) END;
	END IF;
	IF weight IS NOT NULL AND NOT (weight > 0 AND weight < 'infinity') THEN
		RAISE EXCEPTION 'set_group_weight(): weight of group "%" of model "%" must be positive and finite, not %',
			category, found_model.name, weight
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Group weights are relative, e.g. 2 for usage and 1 for support; NULL removes the group''s weight.';
	END IF;
	UPDATE healthscore.models AS m
	SET group_weights = CASE WHEN weight IS NULL THEN m.group_weights - category
							 ELSE m.group_weights || jsonb_build_object(category, weight) END
	WHERE m.name = found_model.name;
	RETURN category;
END
$$;

COMMENT ON FUNCTION healthscore.set_group_weight(text, text, float8) IS
'sets the weight of a signal group (the signals of one category; NULL removes it): once a model has a group weight, its score is the weighted mean of its group scores, a missing signal''s weight is re-spread within its group first, and a group with no present signal drops out; a category without a weight weighs the sum of its signals'' weights';

CREATE FUNCTION healthscore.drop_signal(model text, name text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	DELETE FROM healthscore.signals AS s WHERE s.model = drop_signal.model AND s.name = drop_signal.name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'drop_signal(): model "%" has no signal "%"', model, name
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM healthscore.signals WHERE model = ...';
	END IF;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.drop_signal(text, text) IS
'removes a signal from a model; past runs keep their components';

-- Taking a model over: the caller becomes the author of all of its SQL text (the model's and every
-- signal's), which from then on runs with the caller's privileges. For models from before 0.2.0,
-- whose authors are unknown, and for models whose text different roles wrote.
CREATE FUNCTION healthscore.adopt_model(model text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	-- a role may record itself as the author (record_model_author, record_signal_author)
	UPDATE healthscore.models AS m SET defined_by = current_user WHERE m.name = adopt_model.model;
	UPDATE healthscore.signals AS s SET defined_by = current_user WHERE s.model = adopt_model.model;
	RETURN model;
END
$$;

COMMENT ON FUNCTION healthscore.adopt_model(text) IS
'makes the caller the author of a model''s SQL text and of all its signals'' (they then run with the caller''s privileges); for models from before 0.2.0 and models written by several roles';

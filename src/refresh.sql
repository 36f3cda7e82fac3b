-- Refresh: one run of a model writes a run record, a score per account and a component per
-- account and signal. The SQL is generated from the model's definition: one grouped query per
-- source relation and time window (never one scan per signal), joined to the account relation
-- so every account gets a row, scored with the C functions and combined with weighted_score().

CREATE TABLE healthscore.runs (
	run_id bigserial PRIMARY KEY,
	model text NOT NULL,
	as_of timestamptz NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	accounts integer NOT NULL,
	accounts_scored integer NOT NULL,
	fingerprint text NOT NULL
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

CREATE TABLE healthscore.scores (
	run_id bigint NOT NULL,
	model text NOT NULL,
	account_key text NOT NULL,
	score float8,
	tier text NOT NULL,
	computed_tier text NOT NULL,
	override_id bigint,
	previous_score float8,
	sparkline text,
	reasons text,
	worst_signal text,
	segment text,
	value numeric,
	owner text,
	renewal_date date,
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
COMMENT ON COLUMN healthscore.scores.reasons IS 'the three signals that cost the most points: signal raw value (-points lost); no data when the source had no rows';
COMMENT ON COLUMN healthscore.scores.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.scores.sparkline IS 'this score and up to 11 before it as bars, oldest first: the previous run''s sparkline plus this score';
COMMENT ON COLUMN healthscore.scores.segment IS 'the account''s segment at the run';
COMMENT ON COLUMN healthscore.scores.value IS 'the account''s value (ARR) at the run';
COMMENT ON COLUMN healthscore.scores.owner IS 'the account''s owner at the run';
COMMENT ON COLUMN healthscore.scores.renewal_date IS 'the account''s renewal date at the run';

CREATE TABLE healthscore.components (
	run_id bigint NOT NULL,
	model text NOT NULL,
	account_key text NOT NULL,
	signal text NOT NULL,
	raw_value float8,
	points float8,
	weight float8 NOT NULL,
	weight_share float8 NOT NULL,
	contribution float8,
	points_lost float8 NOT NULL,
	PRIMARY KEY (run_id, account_key, signal)
);

COMMENT ON TABLE healthscore.components IS 'one row per run, account and signal: how the score came about';
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
	DELETE FROM healthscore.overrides AS v USING old_models AS o WHERE v.model = o.name;
	DELETE FROM healthscore.playbooks AS p USING old_models AS o WHERE p.model = o.name;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore.cascade_model_deletes() IS
'trigger: removes the signals, runs, overrides and playbooks of deleted models';

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
	DELETE FROM healthscore.components AS c USING old_runs AS o WHERE c.run_id = o.run_id;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore.cascade_run_deletes() IS
'trigger: removes the scores and components of deleted runs';

CREATE TRIGGER cascade_deleted_runs AFTER DELETE ON healthscore.runs
	REFERENCING OLD TABLE AS old_runs
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore.cascade_run_deletes();

SELECT pg_catalog.pg_extension_config_dump('healthscore.runs', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.runs_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.scores', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.components', '');

-- The grouped query of one source relation and time window, computing every given signal.
-- Expressions may use account.<column>; the source is then joined to the account relation and
-- grouped by its key, so PostgreSQL accepts the account's columns beside the aggregates.
CREATE FUNCTION healthscore.source_query(model healthscore.models, source text, source_key text,
										 time_column text, lookback interval,
										 signals healthscore.signals[], as_of timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal healthscore.signals;
	columns text := '';
	uses_account boolean := false;
	conditions text[] := '{}';
	grouping text;
BEGIN
	FOREACH signal IN ARRAY signals LOOP
		IF signal.scoring = 'assessment' THEN
			-- the latest rating of the factor that has not expired at the as-of time
			columns := columns || format(', (array_agg(s.points ORDER BY s.assessed_at DESC, s.assessment_id DESC)'
										 ' FILTER (WHERE s.factor = %L AND s.assessed_at + s.valid_for > %L::timestamptz))[1] AS %I',
										 signal.factor, as_of, signal.name);
			CONTINUE;
		END IF;
		uses_account := uses_account OR signal.expression ~* '\maccount\s*\.';
		columns := columns || format(', (%s)::%s AS %I', signal.expression,
									 CASE signal.scoring WHEN 'decay' THEN 'timestamptz' ELSE 'float8' END,
									 signal.name);
	END LOOP;
	IF time_column IS NOT NULL THEN
		conditions := conditions || format('s.%I <= %L::timestamptz', time_column, as_of);
		IF lookback IS NOT NULL THEN
			conditions := conditions || format('s.%I > %L::timestamptz - %L::interval', time_column, as_of, lookback);
		END IF;
	END IF;
	grouping := CASE WHEN uses_account THEN format('account.%I', model.key_column)
					 ELSE format('s.%I', source_key) END;
	RETURN format('SELECT %s AS account_key%s FROM %s AS s%s%s GROUP BY %s',
				  grouping, columns, source::regclass,
				  CASE WHEN uses_account
					   THEN format(' JOIN %s AS account ON account.%I = s.%I',
								   model.accounts::regclass, model.key_column, source_key)
					   ELSE '' END,
				  CASE WHEN cardinality(conditions) > 0
					   THEN ' WHERE ' || array_to_string(conditions, ' AND ') ELSE '' END,
				  grouping);
END
$$;

COMMENT ON FUNCTION healthscore.source_query(healthscore.models, text, text, text, interval, healthscore.signals[], timestamptz) IS
'the grouped query computing the given signals of one source relation and time window (used by refresh_sql)';

CREATE FUNCTION healthscore.points_out_of_range(signal text, points float8)
RETURNS float8
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'refresh(): signal "%" yielded %, outside 0-100 points', signal, points
		USING ERRCODE = 'numeric_value_out_of_range',
			  HINT = 'A signal scored as points must yield 0-100; use linear or bands scoring for raw values.';
END
$$;

COMMENT ON FUNCTION healthscore.points_out_of_range(text, float8) IS
'raises the error for a points-scored signal whose value is outside 0-100';

-- The accounts a model scores, as a condition over the account row: its own segment filter, and
-- none of the filters of the models of its group with a higher priority.
CREATE FUNCTION healthscore.segment_condition(model healthscore.models)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT concat_ws(' AND ', healthscore.filter_condition(model.segment_filter),
					 (SELECT string_agg(format('NOT %s', healthscore.filter_condition(h.segment_filter)), ' AND '
										ORDER BY h.priority DESC)
					  FROM healthscore.models AS h
					  WHERE h.model_group = model.model_group AND h.priority > model.priority))
$$;

COMMENT ON FUNCTION healthscore.segment_condition(healthscore.models) IS
'the SQL condition over the account row selecting the accounts a model scores: its filter, and no filter of a higher-priority model of its group';

-- The whole scoring query of a model as of a time: one row per account and signal with the
-- raw value, its points after the missing-data policy, and the weight.
CREATE FUNCTION healthscore.refresh_sql(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(model);
	source_group record;
	signal healthscore.signals;
	joins text := '';
	rows_of_signals text[] := '{}';
	group_alias text;
	group_number integer := 0;
	value_ref text;
	raw_value text;
	points text;
	missing_points text;
BEGIN
	FOR source_group IN
		SELECT s.source, s.source_key, s.time_column, s.lookback,
			   array_agg(s ORDER BY s.position) AS signals, min(s.position) AS first
		FROM healthscore.signals AS s
		WHERE s.model = found_model.name
		GROUP BY s.source, s.source_key, s.time_column, s.lookback
		ORDER BY first
	LOOP
		group_number := group_number + 1;
		group_alias := 'g' || group_number;
		-- assessments key accounts by text, like the views
		joins := joins || format(E'\nLEFT JOIN (%s) AS %I ON %I.account_key = account.%I%s',
								 healthscore.source_query(found_model, source_group.source, source_group.source_key,
														  source_group.time_column, source_group.lookback,
														  source_group.signals, as_of),
								 group_alias, group_alias, found_model.key_column,
								 CASE WHEN source_group.source = 'healthscore.assessments' THEN '::text' ELSE '' END);
		FOREACH signal IN ARRAY source_group.signals LOOP
			value_ref := format('%I.%I', group_alias, signal.name);
			raw_value := CASE signal.scoring
				WHEN 'decay' THEN format('extract(epoch FROM %L::timestamptz - %s)::float8 / 86400', as_of, value_ref)
				ELSE value_ref END;
			points := CASE signal.scoring
				WHEN 'linear' THEN format('healthscore.linear(%s, %s, %s)', value_ref, signal.worst, signal.best)
				WHEN 'logarithmic' THEN format('healthscore.logarithmic(%s, %s, %s)', value_ref, signal.worst, signal.best)
				WHEN 'bands' THEN format('healthscore.bands(%s, %L::float8[], %L::float8[])', value_ref, signal.breaks, signal.points)
				WHEN 'decay' THEN format('healthscore.decay(%s, %L::interval, %L::timestamptz)', value_ref, signal.half_life, as_of)
				WHEN 'points' THEN format('CASE WHEN %1$s < 0 OR %1$s > 100 THEN healthscore.points_out_of_range(%2$L, %1$s) ELSE %1$s END',
										  value_ref, signal.name)
				WHEN 'assessment' THEN value_ref
				WHEN 'percentile' THEN 'NULL::float8' END;
			missing_points := CASE signal.missing WHEN 'zero' THEN '0' WHEN 'value' THEN signal.missing_value::text ELSE 'NULL' END;
			rows_of_signals := rows_of_signals || format('(%L, %s, %s::float8, %s::float8, %s::float8, %s::float8, %s::float8)',
				signal.name, signal.position, raw_value,
				CASE WHEN signal.scoring = 'percentile' THEN 'NULL' ELSE format('coalesce(%s, %s)', points, missing_points) END,
				signal.weight,
				CASE WHEN signal.scoring = 'percentile'
					 THEN CASE WHEN signal.lower_is_better THEN format('-(%s)', raw_value) ELSE raw_value END
					 ELSE 'NULL' END,
				missing_points);
		END LOOP;
	END LOOP;
	IF group_number = 0 THEN
		RAISE EXCEPTION 'model "%" has no signals', found_model.name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add one with healthscore.add_signal().';
	END IF;

	-- percentile = mid-rank percentile among the accounts that have a value: the share of the
	-- others below it, counting ties as half below (all equal: 50; a single account: 50). Accounts
	-- without a value follow the missing policy. Without percentile signals the windows (a sort of
	-- every row) are left out.
	RETURN format($q$SELECT account_key, signal, position, raw_value, %s AS points, weight
FROM (SELECT account.%I::text AS account_key, sig.*, sig.signal IN (%s) AS is_percentile
      FROM %s AS account%s
      CROSS JOIN LATERAL (VALUES
        %s
      ) AS sig(signal, position, raw_value, points, weight, percentile_order, missing_points)
      WHERE %s
) AS per_signal%s$q$,
		CASE WHEN EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.scoring = 'percentile')
			 THEN $w$CASE WHEN percentile_order IS NULL AND NOT is_percentile THEN points
            WHEN percentile_order IS NULL THEN missing_points
            WHEN count(*) OVER peers_all = 1 THEN 50
            ELSE 100 * ((rank() OVER ranked + count(*) OVER ranked) / 2.0 - 1) / (count(*) OVER peers_all - 1)
       END$w$
			 ELSE 'points' END,
		found_model.key_column,
		coalesce((SELECT string_agg(quote_literal(s.name), ', ') FROM healthscore.signals AS s
				  WHERE s.model = found_model.name AND s.scoring = 'percentile'), 'NULL'),
		found_model.accounts::regclass, joins,
		array_to_string(rows_of_signals, E',\n        '),
		healthscore.segment_condition(found_model),
		CASE WHEN EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.scoring = 'percentile')
			 THEN E'\nWINDOW peers_all AS (PARTITION BY signal, percentile_order IS NULL),\n       ranked AS (peers_all ORDER BY percentile_order)'
			 ELSE '' END);
END
$$;

COMMENT ON FUNCTION healthscore.refresh_sql(text, timestamptz) IS
'the query a refresh runs for a model: one row per account and signal (raw value, points, weight); for EXPLAIN and for checking a model by hand';

CREATE FUNCTION healthscore.fingerprint(model text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT md5(concat_ws('|',
		(SELECT concat_ws(';', m.accounts, m.key_column, m.segment_column, m.value_column, m.renewal_column,
						  m.owner_column, m.tier_cutoffs::text, m.tier_labels::text, m.trend_threshold)
		 FROM healthscore.models AS m WHERE m.name = fingerprint.model),
		(SELECT string_agg(concat_ws(';', s.name, s.source, s.source_key, s.expression, s.time_column, s.lookback,
									 s.scoring, s.worst, s.best, s.breaks::text, s.points::text, s.half_life,
									 s.lower_is_better, s.weight, s.missing, s.missing_value),
						   '|' ORDER BY s.name)
		 FROM healthscore.signals AS s WHERE s.model = fingerprint.model)))
$$;

COMMENT ON FUNCTION healthscore.fingerprint(text) IS
'md5 of everything in a model that changes its scores (not descriptions or actions)';

CREATE FUNCTION healthscore.refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models;
	run bigint;
	started timestamptz := clock_timestamp();
	accounts_total integer;
	accounts_with_score integer;
	bad_keys bigint;
	previous_run bigint;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	-- one refresh of a model at a time; a second waits here, then reads the model as committed
	PERFORM pg_advisory_xact_lock(hashtext('healthscore.refresh'), hashtext(model));
	found_model := healthscore.model_row(model);

	-- left over from an earlier refresh in this transaction (backfill); checked, not DROP IF EXISTS,
	-- which would print notices into a scheduled job's log
	IF to_regclass('pg_temp.healthscore_refresh_accounts') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_accounts;
	END IF;
	IF to_regclass('pg_temp.healthscore_refresh_points') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_points;
	END IF;
	IF to_regclass('pg_temp.healthscore_refresh_components') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_components, pg_temp.healthscore_refresh_reasons;
	END IF;
	EXECUTE format('CREATE TEMP TABLE healthscore_refresh_accounts ON COMMIT DROP AS
		SELECT account.%I AS key_value, account.%I::text AS account_key, %s AS segment, %s AS value,
		       %s AS owner, %s AS renewal_date
		FROM %s AS account',
		found_model.key_column, found_model.key_column,
		CASE WHEN found_model.segment_column IS NULL THEN 'NULL::text' ELSE format('account.%I::text', found_model.segment_column) END,
		CASE WHEN found_model.value_column IS NULL THEN 'NULL::numeric' ELSE format('account.%I::numeric', found_model.value_column) END,
		CASE WHEN found_model.owner_column IS NULL THEN 'NULL::text' ELSE format('account.%I::text', found_model.owner_column) END,
		CASE WHEN found_model.renewal_column IS NULL THEN 'NULL::date' ELSE format('account.%I::date', found_model.renewal_column) END,
		found_model.accounts::regclass) || ' WHERE ' || healthscore.segment_condition(found_model);
	SELECT count(*), count(*) - count(DISTINCT account_key) + count(*) FILTER (WHERE account_key IS NULL)
	INTO accounts_total, bad_keys FROM pg_temp.healthscore_refresh_accounts;
	IF bad_keys > 0 THEN
		RAISE EXCEPTION 'refresh(): key column "%" of % is NULL or repeated in % rows',
			found_model.key_column, found_model.accounts, bad_keys
			USING ERRCODE = 'unique_violation',
				  HINT = 'Every account needs one row with a unique, non-NULL key; use a view over the accounts if needed.';
	END IF;

	EXECUTE 'CREATE TEMP TABLE healthscore_refresh_points ON COMMIT DROP AS '
		|| healthscore.refresh_sql(found_model.name, as_of);

	INSERT INTO healthscore.runs (model, as_of, started_at, finished_at, accounts, accounts_scored, fingerprint)
	VALUES (found_model.name, as_of, started, started, accounts_total, 0, healthscore.fingerprint(found_model.name))
	RETURNING run_id INTO run;
	-- each signal's share of the account's present weight, and what it cost: the components, and from
	-- them the three reasons the views show, computed once here rather than by every query
	CREATE TEMP TABLE healthscore_refresh_components ON COMMIT DROP AS
	SELECT account_key, signal, raw_value, points, weight, share, points * share AS contribution,
		   coalesce((100 - points) * share, 0) AS points_lost
	FROM (SELECT p.*, CASE WHEN p.points IS NULL THEN 0
						   ELSE p.weight / sum(p.weight) FILTER (WHERE p.points IS NOT NULL)
											  OVER (PARTITION BY p.account_key) END AS share
		  FROM pg_temp.healthscore_refresh_points AS p) AS shared;
	CREATE TEMP TABLE healthscore_refresh_reasons ON COMMIT DROP AS
	SELECT account_key,
		   string_agg(format('%s %s (-%s)', signal,
							 coalesce(trim_scale(round(raw_value::numeric, 2))::text, 'no data'),
							 round(points_lost::numeric, 1)),
					  '; ' ORDER BY points_lost DESC, signal) AS reasons,
		   min(signal) FILTER (WHERE costliest = 1) AS worst_signal
	FROM (SELECT c.*, row_number() OVER (PARTITION BY c.account_key ORDER BY c.points_lost DESC, c.signal) AS costliest
		  FROM pg_temp.healthscore_refresh_components AS c WHERE c.points_lost > 0) AS ranked
	WHERE costliest <= 3
	GROUP BY account_key;

	-- the run before this one: its scores give the change, the trend and the sparkline, computed here
	-- once rather than by every query of the views
	SELECT r.run_id INTO previous_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND (r.as_of, r.run_id) < (refresh.as_of, run)
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;

	-- the tier in force is an active override's (set_at <= as_of < expires_at, the latest set), unless the
	-- model allows only lowering and the override would raise the computed tier; the computed tier stays
	INSERT INTO healthscore.scores (run_id, model, account_key, score, tier, computed_tier, override_id,
									previous_score, sparkline, reasons, worst_signal, segment, value, owner,
									renewal_date)
	SELECT run, found_model.name, scored.account_key, scored.score,
		   CASE WHEN o.override_id IS NOT NULL THEN o.tier ELSE scored.computed_tier END,
		   scored.computed_tier, o.override_id,
		   previous.score, right(coalesce(previous.sparkline, '') || healthscore.spark(scored.score), 12),
		   why.reasons, why.worst_signal, scored.segment, scored.value, scored.owner, scored.renewal_date
	FROM (SELECT a.*, p.score,
				 coalesce(healthscore.tier(p.score, found_model.tier_cutoffs, found_model.tier_labels), 'unknown')
				   AS computed_tier
		  FROM pg_temp.healthscore_refresh_accounts AS a
		  JOIN (SELECT account_key, healthscore.weighted_score(points, weight) AS score
				FROM pg_temp.healthscore_refresh_points GROUP BY account_key) AS p USING (account_key)) AS scored
	LEFT JOIN LATERAL (
		SELECT ov.override_id, ov.tier
		FROM healthscore.overrides AS ov
		WHERE ov.model = found_model.name AND ov.account_key = scored.account_key
		  AND ov.set_at <= refresh.as_of AND ov.expires_at > refresh.as_of
		  AND NOT (found_model.overrides_lower_only AND scored.computed_tier <> 'unknown'
				   AND array_position(found_model.tier_labels, ov.tier)
					   > array_position(found_model.tier_labels, scored.computed_tier))
		ORDER BY ov.set_at DESC, ov.override_id DESC
		LIMIT 1) AS o ON true
	LEFT JOIN healthscore.scores AS previous
		ON previous.run_id = previous_run AND previous.account_key = scored.account_key
	LEFT JOIN pg_temp.healthscore_refresh_reasons AS why ON why.account_key = scored.account_key;
	GET DIAGNOSTICS accounts_with_score = ROW_COUNT;

	INSERT INTO healthscore.components (run_id, model, account_key, signal, raw_value, points, weight, weight_share,
										contribution, points_lost)
	SELECT run, found_model.name, account_key, signal, raw_value, points, weight, share, contribution, points_lost
	FROM pg_temp.healthscore_refresh_components;

	UPDATE healthscore.runs SET finished_at = clock_timestamp(),
		accounts_scored = (SELECT count(*) FROM healthscore.scores AS s WHERE s.run_id = run AND s.score IS NOT NULL)
	WHERE run_id = run;
	DROP TABLE pg_temp.healthscore_refresh_accounts, pg_temp.healthscore_refresh_points,
		pg_temp.healthscore_refresh_components, pg_temp.healthscore_refresh_reasons;

	-- tell listeners (scheduled jobs, alerting) when the run commits: a small JSON payload
	PERFORM pg_notify('healthscore', json_build_object(
		'model', found_model.name, 'run_id', run, 'as_of', refresh.as_of,
		'accounts', accounts_total, 'scored', accounts_with_score,
		'tier_changes', (SELECT count(*) FROM healthscore.scores AS s
						 JOIN healthscore.scores AS p ON p.run_id = previous_run AND p.account_key = s.account_key
						 WHERE s.run_id = run AND p.tier <> s.tier))::text);
	RETURN run;
END
$$;

COMMENT ON FUNCTION healthscore.refresh(text, timestamptz) IS
'scores every account of a model as of a time (default now) and writes the run, scores and components in one transaction; returns the run id';

CREATE FUNCTION healthscore.backfill(model text, since timestamptz, until timestamptz, step interval)
RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	as_of timestamptz := since;
	run bigint;
	steps integer := 0;
BEGIN
	PERFORM healthscore.model_row(model);
	IF since IS NULL OR until IS NULL OR NOT isfinite(since) OR NOT isfinite(until) OR since > until THEN
		RAISE EXCEPTION 'backfill(): since and until must be finite with since <= until'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. since => now() - interval ''12 weeks'', until => now().';
	END IF;
	IF step IS NULL OR NOT since + step > since THEN
		RAISE EXCEPTION 'backfill(): step must be a positive interval, not %', coalesce(step::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. step => ''1 week''.';
	END IF;
	WHILE as_of <= until LOOP
		steps := steps + 1;
		IF steps > 10000 THEN
			RAISE EXCEPTION 'backfill(): more than 10000 steps'
				USING ERRCODE = 'program_limit_exceeded', HINT = 'Use a larger step or a shorter range.';
		END IF;
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

CREATE FUNCTION healthscore.drop_model(model text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore.model_row(model);
	IF to_regclass('cron.job') IS NOT NULL THEN
		PERFORM healthscore.unschedule(model, if_exists => true);
	END IF;
	DELETE FROM healthscore.models AS m WHERE m.name = drop_model.model;	-- signals and runs cascade
	RETURN model;
END
$$;

-- unschedule is defined below; the body is resolved when drop_model runs
COMMENT ON FUNCTION healthscore.drop_model(text) IS
'removes a model with its signals, its history and its pg_cron schedule';

CREATE FUNCTION healthscore.cron_job_name(model text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'healthscore refresh ' || model $$;

COMMENT ON FUNCTION healthscore.cron_job_name(text) IS
'the pg_cron job name under which schedule() registers a model''s refresh';

CREATE FUNCTION healthscore.schedule(model text, cron text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job bigint;
BEGIN
	PERFORM healthscore.model_row(model);
	IF to_regclass('cron.job') IS NULL THEN
		RAISE EXCEPTION 'schedule(): pg_cron is not installed in this database'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Install postgresql-15-cron, add pg_cron to shared_preload_libraries, and CREATE EXTENSION pg_cron.';
	END IF;
	-- cron.schedule with a job name replaces an existing job of that name
	EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
		USING healthscore.cron_job_name(model), cron, format('SELECT healthscore.refresh(%L)', model);
	RETURN job;
END
$$;

COMMENT ON FUNCTION healthscore.schedule(text, text) IS
'registers the refresh of a model with pg_cron (e.g. ''0 3 * * *'' for 03:00 daily); returns the job id';

CREATE FUNCTION healthscore.unschedule(model text, if_exists boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	removed boolean := false;
BEGIN
	IF to_regclass('cron.job') IS NULL THEN
		IF if_exists THEN
			RETURN false;
		END IF;
		RAISE EXCEPTION 'unschedule(): pg_cron is not installed in this database'
			USING ERRCODE = 'feature_not_supported', HINT = 'Nothing can be scheduled without pg_cron.';
	END IF;
	IF EXISTS (SELECT FROM cron.job WHERE jobname = healthscore.cron_job_name(model)) THEN
		EXECUTE 'SELECT cron.unschedule($1)' INTO removed USING healthscore.cron_job_name(model);
	ELSIF NOT if_exists THEN
		RAISE EXCEPTION 'unschedule(): model "%" has no scheduled refresh', model
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT * FROM cron.job.';
	END IF;
	RETURN removed;
END
$$;

COMMENT ON FUNCTION healthscore.unschedule(text, boolean) IS
'removes the pg_cron job of a model''s refresh; with if_exists, no error when there is none';

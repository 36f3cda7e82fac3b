-- The tables, all of them, before anything that uses them: definitions (models, signals), history
-- (runs, attempts of scheduled runs, scores), what people enter (success factors and assessments,
-- overrides, playbooks), outcomes (churn reasons), and the roles readers' visibility may trust.
-- Every table with rows about accounts has row-level security that asks the model's account
-- relation which accounts the reader may see (account_visible, visibility.sql); pg_dump keeps
-- every row users put in them (pg_extension_config_dump).
--
-- Relations are stored as schema-qualified text, not regclass: a regclass column in a table
-- would make pg_upgrade refuse the cluster. The definition functions take regclass arguments,
-- so names are resolved (and checked) when a model is defined, and pg_dump keeps them readable.

CREATE TABLE healthscore.models (
	name text PRIMARY KEY CHECK (name OPERATOR(pg_catalog.<>) ''),
	description text,
	accounts text NOT NULL,
	key_column text NOT NULL,
	segment_column text,
	value_column text,
	renewal_column text,
	owner_column text,
	tier_cutoffs float8[] NOT NULL DEFAULT '{40,70}',
	tier_labels text[] NOT NULL DEFAULT '{red,yellow,green}',
	tier_actions text[],
	trend_threshold float8 NOT NULL DEFAULT 5
		CHECK (trend_threshold OPERATOR(pg_catalog.>=) 0 AND trend_threshold OPERATOR(pg_catalog.<) 100),
	drop_points float8 NOT NULL DEFAULT 10
		CHECK (drop_points OPERATOR(pg_catalog.>) 0 AND drop_points OPERATOR(pg_catalog.<=) 100),
	drop_window interval NOT NULL DEFAULT '30 days' CHECK (drop_window OPERATOR(pg_catalog.>) interval '0'),
	model_group text,
	segment_filter text,
	priority integer NOT NULL DEFAULT 0,
	overrides_lower_only boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	outcomes text,
	outcome_key text,
	outcome_date text,
	outcome_reason text,
	defined_by text,
	time_zone text NOT NULL DEFAULT 'UTC',
	expected_every interval CHECK (expected_every OPERATOR(pg_catalog.>) interval '0'),
	trend_window interval NOT NULL DEFAULT '28 days' CHECK (trend_window OPERATOR(pg_catalog.>) interval '0'),
	tier_hysteresis float8 NOT NULL DEFAULT 5
		CHECK (tier_hysteresis OPERATOR(pg_catalog.>=) 0 AND tier_hysteresis OPERATOR(pg_catalog.<) 100),
	group_weights jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(group_weights) OPERATOR(pg_catalog.=) 'object'),
	parent_column text,
	rollup text NOT NULL DEFAULT 'value_weighted'
		CHECK (rollup OPERATOR(pg_catalog.=) ANY (ARRAY['value_weighted', 'minimum'])),
	UNIQUE (model_group, priority),
	CHECK (pg_catalog.cardinality(tier_labels) OPERATOR(pg_catalog.=) (pg_catalog.cardinality(tier_cutoffs) OPERATOR(pg_catalog.+) 1)),
	CHECK (tier_actions IS NULL OR pg_catalog.cardinality(tier_actions) OPERATOR(pg_catalog.=) pg_catalog.cardinality(tier_labels))
);

COMMENT ON TABLE healthscore.models IS 'health models: which accounts are scored, how tiers are cut, and the trend threshold';
COMMENT ON COLUMN healthscore.models.name IS 'model name, used by every function and view';
COMMENT ON COLUMN healthscore.models.description IS 'what the model is for';
COMMENT ON COLUMN healthscore.models.accounts IS 'the account relation, schema-qualified; every row is scored';
COMMENT ON COLUMN healthscore.models.key_column IS 'the account relation''s key column (integer, bigint, text, uuid, ...)';
COMMENT ON COLUMN healthscore.models.segment_column IS 'optional column holding the account''s segment';
COMMENT ON COLUMN healthscore.models.value_column IS 'optional column holding the account''s value (ARR), used for priority';
COMMENT ON COLUMN healthscore.models.renewal_column IS 'optional column holding the account''s renewal date';
COMMENT ON COLUMN healthscore.models.owner_column IS 'optional column holding the account''s owner (CSM)';
COMMENT ON COLUMN healthscore.models.tier_cutoffs IS 'strictly ascending score cutoffs; a score on a cutoff goes to the upper tier';
COMMENT ON COLUMN healthscore.models.tier_labels IS 'tier labels, worst first, one more than cutoffs';
COMMENT ON COLUMN healthscore.models.tier_actions IS 'default playbook action per tier (same order as tier_labels), used when no failing signal has one';
COMMENT ON COLUMN healthscore.models.trend_threshold IS 'points a score must move between runs before the trend reads up or down';
COMMENT ON COLUMN healthscore.models.drop_points IS 'score_drops lists accounts whose score fell at least this many points ...';
COMMENT ON COLUMN healthscore.models.drop_window IS '... below their highest score within this window before the current run';
COMMENT ON COLUMN healthscore.models.model_group IS 'models of one group split the accounts between them: each account is scored by the highest-priority model whose segment_filter matches';
COMMENT ON COLUMN healthscore.models.segment_filter IS 'SQL condition over the account row (alias account) choosing the accounts this model scores; NULL: every account (the default model)';
COMMENT ON COLUMN healthscore.models.priority IS 'within a group, the higher priority wins when filters overlap; unique within a group';
COMMENT ON COLUMN healthscore.models.overrides_lower_only IS 'overrides may only lower an account''s tier, never raise it';
COMMENT ON COLUMN healthscore.models.created_at IS 'when the model was created';
COMMENT ON COLUMN healthscore.models.outcomes IS 'relation recording churn (one row per churned account), schema-qualified; NULL: not set';
COMMENT ON COLUMN healthscore.models.outcome_key IS 'the outcome relation''s account key column';
COMMENT ON COLUMN healthscore.models.outcome_date IS 'the outcome relation''s churn date column';
COMMENT ON COLUMN healthscore.models.outcome_reason IS 'the outcome relation''s reason column (optional)';
COMMENT ON COLUMN healthscore.models.defined_by IS 'the role that last wrote the model''s SQL text (relation, columns, segment filter); its queries run with the privileges of its authors (see README, Security); set by a trigger, NULL for models from before 0.2.0 until adopted';
COMMENT ON COLUMN healthscore.models.trend_window IS 'the trend compares a score with the score at the start of this window: the model''s latest run at or before as_of - trend_window';
COMMENT ON COLUMN healthscore.models.group_weights IS 'weights of signal groups (categories), {"usage": 2, "support": 1} (set_group_weight); empty: no groups, the score is the weighted mean of the present signals. A category without a weight here weighs the sum of its signals'' weights';
COMMENT ON COLUMN healthscore.models.parent_column IS 'the account relation''s column holding each account''s parent account key (set_parent); NULL: no hierarchy';
COMMENT ON COLUMN healthscore.models.rollup IS 'how a parent''s score rolls up from its children''s: value_weighted (by value, ARR) or minimum';
COMMENT ON COLUMN healthscore.models.tier_hysteresis IS 'points a score must pass a cutoff by before an account leaves its tier (0: none), so that noise near a cutoff does not flip tiers';
COMMENT ON COLUMN healthscore.models.expected_every IS 'how often the model is refreshed (schedule() sets it); model_status reads it as overdue when no run is that recent, plus a grace; NULL: no expectation';
COMMENT ON COLUMN healthscore.models.time_zone IS 'the time zone of the model''s day boundaries: time columns of type date or timestamp, lookback windows, expiry of assessments, renewal days (default UTC)';

-- pg_dump keeps the rows users put in these tables (the extension itself ships none).
SELECT pg_catalog.pg_extension_config_dump('healthscore.models', '');

CREATE TABLE healthscore.signals (
	model text NOT NULL,
	name text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
	category text NOT NULL DEFAULT 'other' CHECK (category OPERATOR(pg_catalog.<>) ''),
	description text,
	source text NOT NULL,
	source_key text NOT NULL,
	expression text NOT NULL,
	time_column text,
	lookback interval CHECK (lookback OPERATOR(pg_catalog.>) interval '0'),
	scoring text NOT NULL
		CHECK (scoring OPERATOR(pg_catalog.=) ANY (ARRAY['linear', 'logarithmic', 'bands', 'decay', 'percentile', 'points', 'assessment'])),
	worst float8,
	best float8,
	breaks float8[],
	points float8[],
	half_life interval,
	lower_is_better boolean NOT NULL DEFAULT false,
	factor text,
	weight float8 NOT NULL CHECK (weight OPERATOR(pg_catalog.>) 0 AND weight OPERATOR(pg_catalog.<) 'infinity'),
	missing text NOT NULL DEFAULT 'skip' CHECK (missing OPERATOR(pg_catalog.=) ANY (ARRAY['skip', 'zero', 'value'])),
	missing_value float8 CHECK (missing_value OPERATOR(pg_catalog.>=) 0 AND missing_value OPERATOR(pg_catalog.<=) 100),
	action text,
	position integer NOT NULL,
	defined_by text,
	max_age interval CHECK (max_age OPERATOR(pg_catalog.>) interval '0'),
	per_account text CHECK (per_account OPERATOR(pg_catalog.<>) ''),
	PRIMARY KEY (model, name),
	CHECK ((missing OPERATOR(pg_catalog.=) 'value') OPERATOR(pg_catalog.=) (missing_value IS NOT NULL)),
	CHECK (lookback IS NULL OR time_column IS NOT NULL),
	CHECK ((scoring OPERATOR(pg_catalog.=) 'assessment') OPERATOR(pg_catalog.=) (factor IS NOT NULL)),
	CHECK (max_age IS NULL OR time_column IS NOT NULL)
);

COMMENT ON TABLE healthscore.signals IS 'signals of a model: how one raw value per account is computed, scored and weighted';
COMMENT ON COLUMN healthscore.signals.model IS 'the model this signal belongs to';
COMMENT ON COLUMN healthscore.signals.name IS 'signal name, unique within the model';
COMMENT ON COLUMN healthscore.signals.category IS 'the signal''s group, a free name (suggested: usage, adoption, support, sentiment, financial, relationship, other); with group weights (models.group_weights) a missing signal''s weight is re-spread within its group first';
COMMENT ON COLUMN healthscore.signals.description IS 'what the signal measures';
COMMENT ON COLUMN healthscore.signals.source IS 'relation the signal aggregates, schema-qualified';
COMMENT ON COLUMN healthscore.signals.source_key IS 'the source''s column holding the account key';
COMMENT ON COLUMN healthscore.signals.expression IS 'aggregate over the source''s rows of one account (alias s), may use account.<column> (then the source is joined to the accounts before grouping; per_account groups first)';
COMMENT ON COLUMN healthscore.signals.per_account IS 'an expression over value (the expression''s result) and account.<column>, applied after grouping, e.g. value / account.seats: the source is then grouped by its own key, which postgres_fdw and partitionwise aggregation can push down; NULL: none';
COMMENT ON COLUMN healthscore.signals.time_column IS 'source column compared with the run''s as-of time (rows after it are ignored)';
COMMENT ON COLUMN healthscore.signals.lookback IS 'window before the as-of time whose rows count; NULL: all rows up to it';
COMMENT ON COLUMN healthscore.signals.scoring IS 'linear, logarithmic, bands, decay, percentile, points (the expression yields 0-100) or assessment (a person''s latest unexpired rating)';
COMMENT ON COLUMN healthscore.signals.worst IS 'linear and logarithmic: the value worth 0 points';
COMMENT ON COLUMN healthscore.signals.best IS 'linear and logarithmic: the value worth 100 points';
COMMENT ON COLUMN healthscore.signals.breaks IS 'bands: strictly ascending breaks';
COMMENT ON COLUMN healthscore.signals.points IS 'bands: points per band, one more than breaks';
COMMENT ON COLUMN healthscore.signals.half_life IS 'decay: age at which the signal is worth 50 points';
COMMENT ON COLUMN healthscore.signals.lower_is_better IS 'percentile: rank lower values higher';
COMMENT ON COLUMN healthscore.signals.factor IS 'assessment: the success factor whose latest unexpired rating is the signal';
COMMENT ON COLUMN healthscore.signals.weight IS 'weight in the score (> 0); missing signals'' weight is redistributed under missing = skip';
COMMENT ON COLUMN healthscore.signals.missing IS 'when an account has no value: skip (redistribute the weight), zero, or value (missing_value points)';
COMMENT ON COLUMN healthscore.signals.missing_value IS 'points given under missing = value';
COMMENT ON COLUMN healthscore.signals.action IS 'playbook action when this signal is an account''s weakest';
COMMENT ON COLUMN healthscore.signals.position IS 'order of definition, for stable output';
COMMENT ON COLUMN healthscore.signals.max_age IS 'when the source''s newest row (by time_column, at the run''s as-of time) is older than this, the signal is stale: missing for every account, and flagged; NULL: no limit';
COMMENT ON COLUMN healthscore.signals.defined_by IS 'the role that last wrote the signal''s SQL text (source, key, expression, per_account, time column): it runs with the privileges of its authors (see README, Security); set by a trigger, NULL for signals from before 0.2.0 until adopted';
SELECT pg_catalog.pg_extension_config_dump('healthscore.signals', '');
-- Risk indicators: named flags on a signal's raw value, evaluated at each refresh and kept beside
-- the score, not in it.
CREATE TABLE healthscore.indicators (
	model text NOT NULL,
	name text NOT NULL CHECK (name OPERATOR(pg_catalog.<>) ''),
	kind text NOT NULL
		CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['drop', 'above', 'below', 'event', 'rating_below'])),
	signal text NOT NULL,
	threshold float8 CHECK (threshold OPERATOR(pg_catalog.>) '-infinity' AND threshold OPERATOR(pg_catalog.<) 'infinity'),
	period interval CHECK (period OPERATOR(pg_catalog.>) interval '0'),
	description text,
	position integer NOT NULL,
	PRIMARY KEY (model, name),
	CHECK ((kind OPERATOR(pg_catalog.=) 'event') OPERATOR(pg_catalog.=) (threshold IS NULL)),
	CHECK ((kind OPERATOR(pg_catalog.=) 'drop') OPERATOR(pg_catalog.=) (period IS NOT NULL))
);

COMMENT ON TABLE healthscore.indicators IS 'risk indicators of a model: flags on a signal''s raw value, raised or cleared at each refresh, kept beside the score (add_indicator)';
COMMENT ON COLUMN healthscore.indicators.model IS 'the model';
COMMENT ON COLUMN healthscore.indicators.name IS 'indicator name, unique within the model';
COMMENT ON COLUMN healthscore.indicators.kind IS 'drop (the raw value fell by more than threshold, a fraction, against the run a period before), above or below (the raw value is above or below threshold), event (the raw value, a count over the signal''s lookback, is above 0), rating_below (an assessment signal''s rating is below threshold)';
COMMENT ON COLUMN healthscore.indicators.signal IS 'the signal whose raw value it reads';
COMMENT ON COLUMN healthscore.indicators.threshold IS 'drop: the fraction, e.g. 0.2 for down more than 20%; above, below: the raw value; rating_below: a rating 1-5; event: NULL';
COMMENT ON COLUMN healthscore.indicators.period IS 'drop: compare with the latest run at or before as_of - period (e.g. 7 days: the week before)';
COMMENT ON COLUMN healthscore.indicators.description IS 'what it means, for the people who act on it';
COMMENT ON COLUMN healthscore.indicators.position IS 'order of definition, for stable output';
SELECT pg_catalog.pg_extension_config_dump('healthscore.indicators', '');

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
	newest_rows timestamptz[],
	categories text[],
	group_weights float8[],
	probability_horizon interval,
	probability_min_score float8,
	probability_max_score float8,
	probability_note text
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
COMMENT ON COLUMN healthscore.runs.categories IS 'per signal, in the order of signals: its category (group) at the run; NULL for runs before 0.2.0';
COMMENT ON COLUMN healthscore.runs.group_weights IS 'per signal, in the order of signals: the weight of its group at the run; NULL when the model had no group weights (the score is the weighted mean of the present signals)';
COMMENT ON COLUMN healthscore.runs.probability_horizon IS 'the horizon of the churn probabilities the run wrote (the model''s calibration, see calibrate()); NULL when it wrote none';
COMMENT ON COLUMN healthscore.runs.probability_min_score IS 'the lowest score the calibration was fitted on: a probability for a lower score is extrapolated';
COMMENT ON COLUMN healthscore.runs.probability_max_score IS 'the highest score the calibration was fitted on: a probability for a higher score is extrapolated';
COMMENT ON COLUMN healthscore.runs.probability_note IS 'why the run wrote no churn probabilities: the model was not calibrated, or changed since it was (NULL when it wrote them)';
COMMENT ON COLUMN healthscore.runs.newest_rows IS 'per signal, in the order of signals: the time of its source''s newest row at the as-of time, for signals with a max_age (NULL otherwise, or when the source had no rows)';

SELECT pg_catalog.pg_extension_config_dump('healthscore.runs', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.runs_run_id_seq', '');

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
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts_attempt_id_seq', '');

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
	window_start_score float8,
	tier_without_hysteresis text,
	why_changed text,
	weakest_group text,
	indicators text[],
	indicators_since timestamptz[],
	indicator_reasons text[],
	parent_key text,
	churn_probability float8,
	expected_loss float8,
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
COMMENT ON COLUMN healthscore.scores.window_start_score IS 'the account''s score in the model''s latest run at or before as_of - trend_window when this run was written (the trend''s baseline); NULL when there was none';
COMMENT ON COLUMN healthscore.scores.tier_without_hysteresis IS 'the tier the score falls in by the cutoffs alone; computed_tier is that with the model''s tier_hysteresis applied to the run before';
COMMENT ON COLUMN healthscore.scores.indicators IS 'the model''s risk indicators raised for the account at the run, in their order; NULL: none';
COMMENT ON COLUMN healthscore.scores.indicators_since IS 'per raised indicator: the as-of time of the first run of its current streak (raised in every run since)';
COMMENT ON COLUMN healthscore.scores.indicator_reasons IS 'per raised indicator: why, e.g. "logins_7d 40 -> 12 (-70%)"';
COMMENT ON COLUMN healthscore.scores.parent_key IS 'the account''s parent account key at the run (the model''s parent_column), NULL without one';
COMMENT ON COLUMN healthscore.scores.weakest_group IS 'the category (signal group) with the lowest group score: the weighted mean of its present signals'' points';
COMMENT ON COLUMN healthscore.scores.why_changed IS 'the signals whose contribution moved the score most since the run before: "signal before -> now (+-points)"; a note instead when the model''s definition changed';
COMMENT ON COLUMN healthscore.scores.churn_probability IS 'probability that the account churns within the calibration''s horizon (runs.probability_horizon), from the model''s calibration of churn on the score; NULL when the run had no current calibration';
COMMENT ON COLUMN healthscore.scores.expected_loss IS 'churn_probability * value, written with the run (computed once: converting value from numeric on every read of the views costs about 0.8 us per row)';
SELECT pg_catalog.pg_extension_config_dump('healthscore.scores', '');
-- Row-level security: a user sees the scores of the accounts they can see in the model's
-- account relation (account_visible asks that relation once per query). Writers (refresh) need
-- no filter, so inserts and deletes are allowed to whoever has the table privileges.
ALTER TABLE healthscore.scores ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_accounts ON healthscore.scores FOR SELECT
	USING (healthscore_internal.account_visible(model, account_key));
CREATE POLICY writers ON healthscore.scores FOR INSERT WITH CHECK (true);
CREATE POLICY removers ON healthscore.scores FOR DELETE USING (true);
-- A model's calibration (calibrate()): churn within a horizon as a logistic function of the score,
-- fitted on the model's earlier evaluable runs with its current definition. The fingerprint ties it
-- to that definition: a refresh writes probabilities only while the model's fingerprint equals it.
-- Model-level numbers, like runs' totals: they name no account.
CREATE TABLE healthscore.calibrations (
	model text PRIMARY KEY,
	horizon interval NOT NULL CHECK (horizon OPERATOR(pg_catalog.>) interval '0'),
	fingerprint text NOT NULL,
	intercept float8 NOT NULL,
	slope float8 NOT NULL,
	min_score float8 NOT NULL,
	max_score float8 NOT NULL,
	fit_runs integer NOT NULL,
	fit_rows bigint NOT NULL,
	fit_churned bigint NOT NULL,
	fit_from timestamptz NOT NULL,
	fit_until timestamptz NOT NULL,
	fit_last_run bigint NOT NULL,
	known_until timestamptz NOT NULL,
	calibrated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	calibrated_by text NOT NULL DEFAULT CURRENT_USER
);

COMMENT ON TABLE healthscore.calibrations IS 'per model, its calibration (calibrate()): churn probability within a horizon = 1 / (1 + exp(-(intercept + slope * score / 100)))';
COMMENT ON COLUMN healthscore.calibrations.model IS 'the model';
COMMENT ON COLUMN healthscore.calibrations.horizon IS 'churn counted within this interval after a run''s as-of time';
COMMENT ON COLUMN healthscore.calibrations.fingerprint IS 'the model''s fingerprint when calibrated: refreshes write probabilities only while the model still has it';
COMMENT ON COLUMN healthscore.calibrations.intercept IS 'log-odds of churn at score 0';
COMMENT ON COLUMN healthscore.calibrations.slope IS 'change of the log-odds from score 0 to score 100 (negative: a higher score, less churn)';
COMMENT ON COLUMN healthscore.calibrations.min_score IS 'the lowest score in the fitted rows';
COMMENT ON COLUMN healthscore.calibrations.max_score IS 'the highest score in the fitted rows';
COMMENT ON COLUMN healthscore.calibrations.fit_runs IS 'runs fitted on (the earlier two thirds of the evaluable runs)';
COMMENT ON COLUMN healthscore.calibrations.fit_rows IS 'rows fitted on: one per fitted run and account still a customer at its as-of time';
COMMENT ON COLUMN healthscore.calibrations.fit_churned IS 'of them, rows whose account churned within the horizon';
COMMENT ON COLUMN healthscore.calibrations.fit_from IS 'as-of time of the first fitted run';
COMMENT ON COLUMN healthscore.calibrations.fit_until IS 'as-of time of the last fitted run: later evaluable runs are held out (calibration() measures on them)';
COMMENT ON COLUMN healthscore.calibrations.fit_last_run IS 'the last fitted run';
COMMENT ON COLUMN healthscore.calibrations.known_until IS 'the time up to which churn was taken as recorded';
COMMENT ON COLUMN healthscore.calibrations.calibrated_at IS 'when calibrate() ran';
COMMENT ON COLUMN healthscore.calibrations.calibrated_by IS 'the role that ran it';

SELECT pg_catalog.pg_extension_config_dump('healthscore.calibrations', '');

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
						AND healthscore_internal.account_listed(s.model, assessments.account_key)));
CREATE POLICY writers ON healthscore.assessments FOR INSERT WITH CHECK (true);
CREATE POLICY updaters ON healthscore.assessments FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY removers ON healthscore.assessments FOR DELETE USING (true);

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
	USING (healthscore_internal.account_visible(model, account_key));
CREATE POLICY writers ON healthscore.overrides FOR INSERT WITH CHECK (true);
CREATE POLICY updaters ON healthscore.overrides FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY removers ON healthscore.overrides FOR DELETE USING (true);

-- Playbooks: what to do, and who does it, per model and tier and/or failing signal.
CREATE TABLE healthscore.playbooks (
	playbook_id bigserial PRIMARY KEY,
	model text NOT NULL,
	tier text,
	signal text,
	action text NOT NULL CHECK (action OPERATOR(pg_catalog.<>) ''),
	owner_role text,
	indicator text,
	CHECK (tier IS NOT NULL OR signal IS NOT NULL OR indicator IS NOT NULL),
	UNIQUE NULLS NOT DISTINCT (model, tier, signal, indicator)
);

COMMENT ON TABLE healthscore.playbooks IS 'actions per model and tier, per failing signal, per raised risk indicator, or per tier and one of those, with the role that acts';
COMMENT ON COLUMN healthscore.playbooks.playbook_id IS 'playbook identifier';
COMMENT ON COLUMN healthscore.playbooks.model IS 'model';
COMMENT ON COLUMN healthscore.playbooks.tier IS 'tier it applies to; NULL: any tier';
COMMENT ON COLUMN healthscore.playbooks.signal IS 'failing signal (the account''s costliest) it applies to; NULL: any signal';
COMMENT ON COLUMN healthscore.playbooks.action IS 'what to do';
COMMENT ON COLUMN healthscore.playbooks.indicator IS 'risk indicator it applies to, while raised for the account (it wins over tier and signal playbooks); NULL: none';
COMMENT ON COLUMN healthscore.playbooks.owner_role IS 'who does it, e.g. CSM, support lead, account executive';

SELECT pg_catalog.pg_extension_config_dump('healthscore.playbooks', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.playbooks_playbook_id_seq', '');
-- Churn reasons and who usually mitigates them. The shipped rows come with the extension; rows
-- users add are theirs and are kept by pg_dump.
CREATE TABLE healthscore.churn_reasons (
	reason text PRIMARY KEY,
	owners text NOT NULL,
	description text,
	shipped boolean NOT NULL DEFAULT false
);

COMMENT ON TABLE healthscore.churn_reasons IS 'churn reason categories and the teams that usually mitigate them';
COMMENT ON COLUMN healthscore.churn_reasons.reason IS 'reason category';
COMMENT ON COLUMN healthscore.churn_reasons.owners IS 'teams that usually mitigate it';
COMMENT ON COLUMN healthscore.churn_reasons.description IS 'what the reason covers';
COMMENT ON COLUMN healthscore.churn_reasons.shipped IS 'true for the rows the extension ships (not dumped: CREATE EXTENSION makes them)';

INSERT INTO healthscore.churn_reasons (reason, owners, description, shipped) VALUES
	('wrong use case', 'marketing and sales', 'the product was bought for a job it does not do', true),
	('failed launch', 'sales and onboarding', 'the customer never got live', true),
	('features and functionality', 'product and support', 'missing or broken capabilities', true),
	('low usage', 'support and onboarding', 'users did not adopt the product', true),
	('ROI and value', 'customer success metrics and relationship management', 'value not seen or not shown', true),
	('client or organisation change', 'support and relationship management', 'champion left, merger, budget or strategy change', true);

SELECT pg_catalog.pg_extension_config_dump('healthscore.churn_reasons', 'WHERE NOT shipped');
-- Reading a relation runs its owner's code (a view's functions, a policy's expressions) as the
-- reader, and the relation was named by a model's author, not chosen by the reader: account
-- relations that are views or have row-level security are read only when their owner is a
-- superuser, the reader, or a role listed here by a superuser (grant_admin does not grant writing
-- this table).
CREATE TABLE healthscore.trusted_owners (
	owner text PRIMARY KEY CHECK (owner OPERATOR(pg_catalog.<>) ''),
	note text,
	trusted_by text NOT NULL DEFAULT CURRENT_USER,
	trusted_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE healthscore.trusted_owners IS 'roles whose account relations (views, tables with row-level security) readers may be made to read: their code runs as the reader; superusers only';
COMMENT ON COLUMN healthscore.trusted_owners.owner IS 'role name of the owner of account relations';
COMMENT ON COLUMN healthscore.trusted_owners.note IS 'why it is trusted';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_by IS 'who added it';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_at IS 'when';

SELECT pg_catalog.pg_extension_config_dump('healthscore.trusted_owners', '');

-- Rollups (rollups.sql): per model and source, the partial results of its signals' aggregate
-- calls per account and day, and per week and 4 weeks combined from them, so that a refresh
-- combines a few rows per account instead of scanning every event of its windows. Dumped with
-- their states: a restored database does not have to scan its history again.
CREATE TABLE healthscore.rollups (
	rollup_id serial PRIMARY KEY,
	model text NOT NULL,
	source text NOT NULL,
	grain interval NOT NULL DEFAULT '1 day' CHECK (grain OPERATOR(pg_catalog.=) interval '1 day'),
	late_window interval NOT NULL DEFAULT '2 days' CHECK (late_window OPERATOR(pg_catalog.>=) interval '0'),
	min_events_per_row float8 NOT NULL DEFAULT 4
		CHECK (min_events_per_row OPERATOR(pg_catalog.>=) 0 AND min_events_per_row OPERATOR(pg_catalog.<) 'infinity'),
	definition text,
	number_ops text[],
	set_count integer,
	rolled_until timestamptz,
	maintained_in xid8,
	state_rows bigint,
	events bigint,
	in_use boolean NOT NULL DEFAULT false,
	enabled_by text NOT NULL DEFAULT CURRENT_USER,
	enabled_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	built_at timestamptz,
	UNIQUE (model, source)
);

COMMENT ON TABLE healthscore.rollups IS 'rolled-up sources of models (enable_rollup): what their states hold, how far they reach, whether refreshes use them';
COMMENT ON COLUMN healthscore.rollups.rollup_id IS 'rollup identifier, the key of its states';
COMMENT ON COLUMN healthscore.rollups.model IS 'the model';
COMMENT ON COLUMN healthscore.rollups.source IS 'the source relation whose signals are rolled up';
COMMENT ON COLUMN healthscore.rollups.grain IS 'bucket size: 1 day, after a midnight in the model''s time zone up to and including the next (weeks from Monday and 4-week spans are combined from days)';
COMMENT ON COLUMN healthscore.rollups.late_window IS 'how late events may arrive: each refresh rolls up again the days that ended within this interval before its as-of day';
COMMENT ON COLUMN healthscore.rollups.min_events_per_row IS 'refreshes use the rollup only when its days hold at least this many events per account and day (else reading the events is as cheap)';
COMMENT ON COLUMN healthscore.rollups.definition IS 'md5 of the calls, key, time column, time zone, grain and author the states were built for; when the model no longer matches it the next refresh builds them again';
COMMENT ON COLUMN healthscore.rollups.number_ops IS 'how each number of a state combines across days: sum, min or max';
COMMENT ON COLUMN healthscore.rollups.set_count IS 'exact sets per state';
COMMENT ON COLUMN healthscore.rollups.rolled_until IS 'every event up to this time (a midnight) is rolled up; later events are read from the source';
COMMENT ON COLUMN healthscore.rollups.maintained_in IS 'the transaction that last rolled up new days (the refreshes of one backfill roll up once)';
COMMENT ON COLUMN healthscore.rollups.state_rows IS 'day states at the last build (of the last 7 days when they showed that the rollup does not pay)';
COMMENT ON COLUMN healthscore.rollups.events IS 'source rows those day states hold';
COMMENT ON COLUMN healthscore.rollups.in_use IS 'whether refreshes read the rollup: built, up to its definition, and dense enough (events / state_rows >= min_events_per_row)';
COMMENT ON COLUMN healthscore.rollups.enabled_by IS 'who enabled it';
COMMENT ON COLUMN healthscore.rollups.enabled_at IS 'when';
COMMENT ON COLUMN healthscore.rollups.built_at IS 'when its states were last built from the whole source';
SELECT pg_catalog.pg_extension_config_dump('healthscore.rollups', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.rollups_rollup_id_seq', '');

CREATE TABLE healthscore.rollup_states (
	rollup_id integer NOT NULL,
	days smallint NOT NULL CHECK (days OPERATOR(pg_catalog.=) ANY (ARRAY[1, 7, 28]::smallint[])),
	bucket timestamptz NOT NULL,
	account_key text NOT NULL,
	events bigint NOT NULL CHECK (events OPERATOR(pg_catalog.>) 0),
	numbers float8[] NOT NULL,
	sets healthscore.exact_set[] COMPRESSION lz4 NOT NULL,
	PRIMARY KEY (rollup_id, days, bucket, account_key)
);

COMMENT ON TABLE healthscore.rollup_states IS 'per rollup, account and bucket (a day, a week from Monday, 4 weeks), the partial results of the rolled-up signals'' aggregate calls; administrators only';
COMMENT ON COLUMN healthscore.rollup_states.rollup_id IS 'the rollup';
COMMENT ON COLUMN healthscore.rollup_states.days IS 'the bucket''s length: 1, 7 or 28 days';
COMMENT ON COLUMN healthscore.rollup_states.bucket IS 'the midnight in the model''s time zone the bucket starts after: it holds the events after it, up to and including the bucket''s end';
COMMENT ON COLUMN healthscore.rollup_states.account_key IS 'the source''s account key, as text';
COMMENT ON COLUMN healthscore.rollup_states.events IS 'source rows in the bucket';
COMMENT ON COLUMN healthscore.rollup_states.numbers IS 'counts, sums, minima and maxima, in the order of rollups.number_ops';
COMMENT ON COLUMN healthscore.rollup_states.sets IS 'exact sets of distinct_count() and stickiness()';
SELECT pg_catalog.pg_extension_config_dump('healthscore.rollup_states', '');

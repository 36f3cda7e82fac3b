-- healthscore 0.1.0 -> 0.2.0 (in development).
--
-- ALTER EXTENSION healthscore UPDATE runs this script on a database that has 0.1.0 installed. It
-- must leave exactly what a fresh CREATE EXTENSION of 0.2.0 creates (test/upgrade checks that,
-- member by member), and keep every row of every table: models, signals, runs, scores,
-- assessments, overrides, playbooks, outcome settings, the run sequence, and the grants that
-- grant_reader() and grant_admin() made. Every change to an SQL object in src/ goes here too.
-- Functions that are already members may be replaced with CREATE OR REPLACE (that keeps their
-- grants); install scripts never do that.

\echo Use "ALTER EXTENSION healthscore UPDATE TO '0.2.0'" to load this file. \quit

-- Refuse to update when a schema healthscore_internal exists already: someone else made it (see
-- the check at the start of the install script).
DO $$
BEGIN
	IF pg_catalog.to_regnamespace('healthscore_internal') IS NOT NULL THEN
		RAISE EXCEPTION 'healthscore 0.2.0: schema "healthscore_internal" exists already'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'The extension creates that schema for its internal functions.',
				  HINT = 'Drop it (after checking what is in it), then update the extension.';
	END IF;
END
$$;

-- What users do not call: helpers of the extension's own SQL. No USAGE for PUBLIC; grant_admin()
-- grants what the roles that define and refresh models need.
CREATE SCHEMA healthscore_internal;
COMMENT ON SCHEMA healthscore_internal IS 'healthscore: internal functions, not for direct use';

-- Internal objects that 0.1.0 kept in schema healthscore move to healthscore_internal (their
-- OIDs stay: aggregates, triggers and policies keep using them).
ALTER FUNCTION healthscore.weighted_score_accum(float8[], float8, float8) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.weighted_score_combine(float8[], float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.weighted_score_final(float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.trend_accum(float8[], float8, timestamptz) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.trend_combine(float8[], float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.trend_final(float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.relative_trend_final(float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.nps_accum(int8[], integer) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.nps_combine(int8[], int8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.nps_final(int8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_set_combine(internal, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_set_serialize(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_final(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_int8_accum(internal, bigint) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_int8_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_text_accum(internal, text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_text_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_uuid_accum(internal, uuid) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.distinct_count_uuid_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.stickiness_accum(internal, bigint, timestamptz) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.stickiness_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.stickiness_final(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.retention_accum(numeric[], numeric, numeric) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.retention_combine(numeric[], numeric[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.net_retention_final(numeric[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.gross_retention_final(numeric[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.model_row(text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.check_column(text, text, regclass, text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.check_signal(healthscore.signals, text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.cascade_model_deletes() SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.forbid_model_rename() SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.cascade_run_deletes() SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.segment_condition(healthscore.models) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.cron_job_name(text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.tier_rank(healthscore.models, text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.account_visible(text, text) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.auc_accum(internal, float8, boolean) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.auc_combine(internal, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.auc_serialize(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.auc_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.auc_final(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.logistic_accum(internal, boolean, float8[]) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.logistic_combine(internal, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.logistic_serialize(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.logistic_deserialize(bytea, internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.logistic_final(internal) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.run_outcomes(text, interval, timestamptz) SET SCHEMA healthscore_internal;
ALTER FUNCTION healthscore.admin_functions() SET SCHEMA healthscore_internal;

-- Replaced by healthscore_internal.signal_value(), filter_condition() and source_query().
DROP FUNCTION healthscore.points_out_of_range(text, float8);
DROP FUNCTION healthscore.filter_condition(text);
DROP FUNCTION healthscore.source_query(healthscore.models, text, text, text, interval, healthscore.signals[], timestamptz);

-- add_signal() gained max_age, alter_signal() max_age and clear: new signatures, so the old
-- functions go (grant_admin's grants are given again below, to the same roles).
DROP FUNCTION healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text);
DROP FUNCTION healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text);
-- add_playbook() gained indicator (a playbook may target a risk indicator).
DROP FUNCTION healthscore.add_playbook(text, text, text, text, text);

-- suggest_weights() and apply_weights() gained exclude: new signatures.
DROP FUNCTION healthscore.apply_weights(text, interval, timestamptz, float8);
DROP FUNCTION healthscore.suggest_weights(text, interval, timestamptz);

-- create_model() takes the model's time zone: a new signature, granted anew below.
DROP FUNCTION healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[],
									   float8, float8, interval, text, text, integer, boolean);

-- Who wrote each model's and signal's SQL text (NULL for what 0.1.0 stored: unknown until adopted),
-- and each model's time zone. Appended, as in the install script, so that both have the same
-- column order.
ALTER TABLE healthscore.models ADD COLUMN defined_by text;
ALTER TABLE healthscore.models ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
ALTER TABLE healthscore.signals ADD COLUMN defined_by text;

-- How often a model is expected to be refreshed, how old a signal's newest source row may be, and
-- per run which signals were stale and how new their sources were. Appended, as in the install
-- script; the unnamed check gets the name the install script's gets (signals_check3).
ALTER TABLE healthscore.models ADD COLUMN expected_every interval CHECK (expected_every OPERATOR(pg_catalog.>) interval '0');
ALTER TABLE healthscore.signals ADD COLUMN max_age interval CHECK (max_age OPERATOR(pg_catalog.>) interval '0');
ALTER TABLE healthscore.signals ADD CHECK (max_age IS NULL OR time_column IS NOT NULL);
ALTER TABLE healthscore.runs ADD COLUMN stale boolean[], ADD COLUMN newest_rows timestamptz[];

-- The trend's window and the tiers' hysteresis per model; per score the trend's baseline, the tier
-- by the cutoffs alone, and what changed. Models from 0.1.0 keep tiers without hysteresis (0), so
-- that updating changes no tier; alter_model(model, tier_hysteresis => 5) turns it on.
ALTER TABLE healthscore.models
	ADD COLUMN trend_window interval NOT NULL DEFAULT '28 days' CHECK (trend_window OPERATOR(pg_catalog.>) interval '0'),
	ADD COLUMN tier_hysteresis float8 NOT NULL DEFAULT 5
		CHECK (tier_hysteresis OPERATOR(pg_catalog.>=) 0 AND tier_hysteresis OPERATOR(pg_catalog.<) 100);
UPDATE healthscore.models SET tier_hysteresis = 0;
ALTER TABLE healthscore.scores ADD COLUMN window_start_score float8, ADD COLUMN tier_without_hysteresis text,
	ADD COLUMN why_changed text;

-- Signal groups: categories become free names and may get group weights (empty: no groups, the
-- scores of every existing model stay as they are); runs keep the categories and group weights
-- they used, scores their weakest group.
ALTER TABLE healthscore.signals DROP CONSTRAINT signals_category_check;
ALTER TABLE healthscore.signals ADD CHECK (category OPERATOR(pg_catalog.<>) '');
ALTER TABLE healthscore.models
	ADD COLUMN group_weights jsonb NOT NULL DEFAULT '{}'
		CHECK (pg_catalog.jsonb_typeof(group_weights) OPERATOR(pg_catalog.=) 'object');
ALTER TABLE healthscore.runs ADD COLUMN categories text[], ADD COLUMN group_weights float8[];
ALTER TABLE healthscore.scores ADD COLUMN weakest_group text;

-- Risk indicators: their definitions, and per score the indicators raised, since when and why;
-- playbooks may target an indicator.
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
SELECT pg_catalog.pg_extension_config_dump('healthscore.indicators', '');
ALTER TABLE healthscore.scores ADD COLUMN indicators text[], ADD COLUMN indicators_since timestamptz[],
	ADD COLUMN indicator_reasons text[];
ALTER TABLE healthscore.playbooks ADD COLUMN indicator text;
ALTER TABLE healthscore.playbooks DROP CONSTRAINT playbooks_check, DROP CONSTRAINT playbooks_model_tier_signal_key;
ALTER TABLE healthscore.playbooks ADD CHECK (tier IS NOT NULL OR signal IS NOT NULL OR indicator IS NOT NULL),
	ADD UNIQUE NULLS NOT DISTINCT (model, tier, signal, indicator);

-- Account hierarchies: a model's parent column and rollup, and each score's parent.
ALTER TABLE healthscore.models ADD COLUMN parent_column text,
	ADD COLUMN rollup text NOT NULL DEFAULT 'value_weighted'
		CHECK (rollup OPERATOR(pg_catalog.=) ANY (ARRAY['value_weighted', 'minimum']));
ALTER TABLE healthscore.scores ADD COLUMN parent_key text;

-- Churn probability: a model's calibration, and what each run and score wrote with it.
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
SELECT pg_catalog.pg_extension_config_dump('healthscore.calibrations', '');
ALTER TABLE healthscore.runs ADD COLUMN probability_horizon interval, ADD COLUMN probability_min_score float8,
	ADD COLUMN probability_max_score float8, ADD COLUMN probability_note text;
ALTER TABLE healthscore.scores ADD COLUMN churn_probability float8, ADD COLUMN expected_loss float8;

-- Group first, join after: a signal's per_account expression, applied after grouping.
ALTER TABLE healthscore.signals ADD COLUMN per_account text CHECK (per_account OPERATOR(pg_catalog.<>) '');

-- The state types of the aggregates that keep lists and sets (aggregate_support.c): real types,
-- not internal, so that engines such as Citus ship them between nodes through their input and
-- output functions, and parallel workers need no serialize functions. The text form is the
-- binary form in hex; input and receive validate every byte, so a value of these types is
-- always one that the aggregate could have made.

CREATE TYPE healthscore.exact_set;

CREATE FUNCTION healthscore_internal.exact_set_in(cstring)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_in(cstring) IS
'input function of exact_set: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_exact_set_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set) IS
'output function of exact_set: the binary form in hex';

CREATE FUNCTION healthscore_internal.exact_set_recv(internal)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_recv(internal) IS
'receive function of exact_set: validates every byte';

CREATE FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_exact_set_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set) IS
'send function of exact_set: header, count and keys in network byte order';

CREATE TYPE healthscore.exact_set (
	INPUT = healthscore_internal.exact_set_in,
	OUTPUT = healthscore_internal.exact_set_out,
	RECEIVE = healthscore_internal.exact_set_recv,
	SEND = healthscore_internal.exact_set_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.exact_set IS
'state of distinct_count() and stickiness(): an exact set of keys (bigint, uuid, text, or (user, day) pairs); small sets sorted, large ones hashed with a per-set key';

CREATE TYPE healthscore.auc_state;

CREATE FUNCTION healthscore_internal.auc_state_in(cstring)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_in(cstring) IS
'input function of auc_state: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_auc_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state) IS
'output function of auc_state: the binary form in hex';

CREATE FUNCTION healthscore_internal.auc_state_recv(internal)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_recv(internal) IS
'receive function of auc_state: validates every byte';

CREATE FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_auc_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state) IS
'send function of auc_state: header, counts and scores in network byte order';

CREATE TYPE healthscore.auc_state (
	INPUT = healthscore_internal.auc_state_in,
	OUTPUT = healthscore_internal.auc_state_out,
	RECEIVE = healthscore_internal.auc_state_recv,
	SEND = healthscore_internal.auc_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.auc_state IS
'state of auc(): the scores of retained and of churned rows';

CREATE TYPE healthscore.logistic_state;

CREATE FUNCTION healthscore_internal.logistic_state_in(cstring)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_in(cstring) IS
'input function of logistic_state: the binary form in hex (as bytea writes it), validated byte for byte';

CREATE FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state) IS
'output function of logistic_state: the binary form in hex';

CREATE FUNCTION healthscore_internal.logistic_state_recv(internal)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_recv(internal) IS
'receive function of logistic_state: validates every byte';

CREATE FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state) IS
'send function of logistic_state: header, width, rows in network byte order';

CREATE TYPE healthscore.logistic_state (
	INPUT = healthscore_internal.logistic_state_in,
	OUTPUT = healthscore_internal.logistic_state_out,
	RECEIVE = healthscore_internal.logistic_state_recv,
	SEND = healthscore_internal.logistic_state_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended
);

COMMENT ON TYPE healthscore.logistic_state IS
'state of logistic_fit(): every row kept (outcome, then the features)';

-- Tables, indexes and pg_dump registrations new in 0.2.0.
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
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.attempts_attempt_id_seq', '');
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
SELECT pg_catalog.pg_extension_config_dump('healthscore.rollup_states', '');

-- Every function and procedure of 0.2.0, in the install script's order: new ones are created,
-- members are replaced (keeping their grants).
-- Model text is code (model_text.c): a signal's expression and a segment filter must each be
-- exactly one SQL expression, checked by PostgreSQL's parser before it is stored and again before
-- it is run.

CREATE OR REPLACE FUNCTION healthscore_internal.one_expression(written text, func text, model text, signal text, kind text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_one_expression'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- Scoring functions (scoring.c): one raw signal value -> points on the 0-100 scale.

CREATE OR REPLACE FUNCTION healthscore.linear(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_linear'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.logarithmic(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_logarithmic'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.bands(value float8, breaks float8[], points float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_bands'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.decay(age_days float8, half_life_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.decay(last_seen timestamptz, half_life interval, as_of timestamptz)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Tiers (tier.c): a score -> the segment that tells the team where to spend its time.

CREATE OR REPLACE FUNCTION healthscore.tier(score float8,
								 cutoffs float8[] DEFAULT '{40,70}',
								 labels text[] DEFAULT '{red,yellow,green}')
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.tier_with_hysteresis(score float8, previous_tier text, hysteresis float8,
														  cutoffs float8[], labels text[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier_with_hysteresis'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- Aggregate weighted_score (weighted_score.c): points and weights -> one health score.
-- The state is a float8[4] (not internal) so parallel workers and Citus can combine it.

CREATE OR REPLACE FUNCTION healthscore_internal.weighted_score_accum(state float8[], points float8, weight float8)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.weighted_score_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.weighted_score_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- A score and its explanation from one account's run kept as arrays in signal order
-- (score_breakdown.c): how refresh() computes and stores scores, and how the components view
-- and analysts take a stored row apart.

CREATE OR REPLACE FUNCTION healthscore.score_from_points(points float8[], weights float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_score_from_points'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.score_reasons(signals text[], raw_values float8[], points float8[], weights float8[],
										  how_many integer DEFAULT 3)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_score_reasons'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.worst_signal(signals text[], points float8[], weights float8[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_worst_signal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Signal groups with group weights (signal_groups.c): the weight each signal has in one
-- account's score once missing signals' weights are re-spread within their group first.

CREATE OR REPLACE FUNCTION healthscore.effective_weights(points float8[], weights float8[], categories text[],
											  group_weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_effective_weights'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.weakest_group(points float8[], weights float8[], categories text[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_weakest_group'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- What moved a score between two runs (score_changes.c): refresh() writes the largest movers of
-- each account, the score_changes view lists every signal.

CREATE OR REPLACE FUNCTION healthscore_internal.contributions(out_signals text[], signals text[], points float8[],
												   weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_contributions'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.contribution_changes(out_signals text[], signals text[], points float8[],
														  weights float8[], categories text[], group_weights float8[],
														  previous_signals text[], previous_points float8[],
														  previous_weights float8[], previous_categories text[],
														  previous_group_weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_contribution_changes'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.change_reasons(signals text[], raw_values float8[], points float8[],
													weights float8[], categories text[], group_weights float8[],
													previous_signals text[], previous_raw_values float8[],
													previous_points float8[], previous_weights float8[],
													previous_categories text[], previous_group_weights float8[],
													how_many integer)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_change_reasons'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.trend_over_window(score float8, window_start_score float8, threshold float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_trend_over_window'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- Sparklines (sparkline.c): refresh() stores each account's last 12 scores as digits, one per
-- score's band, which mean the same in every encoding; the views draw them for the client.

CREATE OR REPLACE FUNCTION healthscore_internal.spark_code(score float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_spark_code'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.sparkline(codes text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_sparkline'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.sparkline_ascii(codes text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_sparkline_ascii'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.spark(score float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_spark'
LANGUAGE C STABLE PARALLEL SAFE;
-- Aggregates trend and relative_trend (trend.c): slope of a signal over time.
-- Both share one float8[7] state (Youngs-Cramer sums plus the time range).

CREATE OR REPLACE FUNCTION healthscore_internal.trend_accum(state float8[], value float8, at timestamptz)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.trend_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.relative_trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_relative_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Aggregate nps (nps.c): Net Promoter Score from 0-10 ratings. State int8[3] (responses, promoters, detractors).

CREATE OR REPLACE FUNCTION healthscore_internal.nps_accum(state int8[], rating integer)
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.nps_combine(state int8[], other int8[])
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.nps_final(state int8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_nps_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_in(cstring)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_exact_set_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_recv(internal)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_exact_set_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_state_in(cstring)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_auc_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_state_recv(internal)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_auc_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_state_in(cstring)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state)
RETURNS cstring
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_state_recv(internal)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_logistic_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Aggregate distinct_count (distinct_count.c, exact_set.c, distinct_set.c): exact count of
-- distinct non-NULL values, for bigint, text and uuid. The state is an exact_set, which parallel
-- workers and distributed engines ship as it is.

CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_combine(state healthscore.exact_set, other healthscore.exact_set)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_exact_set_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.distinct_count_final(state healthscore.exact_set)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.distinct_count_int8_accum(state healthscore.exact_set, value bigint)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.distinct_count_text_accum(state healthscore.exact_set, value text)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.distinct_count_uuid_accum(state healthscore.exact_set, value uuid)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.distinct_state_count(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_state_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.distinct_set_probes(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_probes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Aggregate stickiness (stickiness.c): average daily active users / distinct users. The state is
-- the exact_set of distinct (user, UTC day) pairs, shared machinery with distinct_count.

CREATE OR REPLACE FUNCTION healthscore_internal.stickiness_accum(state healthscore.exact_set, user_id bigint, at timestamptz)
RETURNS healthscore.exact_set
AS 'MODULE_PATHNAME', 'healthscore_stickiness_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.stickiness_final(state healthscore.exact_set)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_stickiness_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- Revenue signals (revenue.c): cohort retention aggregates and customer lifetime value.
-- net_retention and gross_retention share a numeric[3] state: sums of start, end, least(end, start).

CREATE OR REPLACE FUNCTION healthscore_internal.retention_accum(state numeric[], start_value numeric, end_value numeric)
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.retention_combine(state numeric[], other numeric[])
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.net_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_net_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.gross_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_gross_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore.lifetime_value(arpa numeric, churn_rate float8, gross_margin float8 DEFAULT 1)
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_lifetime_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Aggregate auc (auc.c): exact ROC AUC of a score against a boolean outcome (churned).

CREATE OR REPLACE FUNCTION healthscore_internal.auc_accum(state healthscore.auc_state, score float8, churned boolean)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_combine(state healthscore.auc_state, other healthscore.auc_state)
RETURNS healthscore.auc_state
AS 'MODULE_PATHNAME', 'healthscore_auc_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.auc_final(state healthscore.auc_state)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_auc_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_accum(state healthscore.logistic_state, outcome boolean, features float8[])
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_combine(state healthscore.logistic_state, other healthscore.logistic_state)
RETURNS healthscore.logistic_state
AS 'MODULE_PATHNAME', 'healthscore_logistic_merge'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.logistic_final(state healthscore.logistic_state)
RETURNS healthscore.logistic_fit_result
AS 'MODULE_PATHNAME', 'healthscore_logistic_result'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
-- What rollups keep (rollup_calls.c, rollup_values.c): the aggregate calls of a signal that a
-- rollup holds, one float8 per call and day for counts, sums, minima and maxima, one exact set
-- for distinct_count() and stickiness(); and the way back to the values the signal's expression
-- expects. The tables are in tables.sql, the queries over them in generation.sql, their upkeep
-- in rollups.sql.

CREATE OR REPLACE FUNCTION healthscore_internal.rollup_expression(model text, source regclass, source_key text, signal text,
													   expression text, window_flag text, numbers text[], ops text[], sets text[],
													   OUT all_numbers text[], OUT all_ops text[], OUT all_sets text[],
													   OUT combined text, OUT problem text)
AS 'MODULE_PATHNAME', 'healthscore_rollup_expression'
LANGUAGE C STABLE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_number(value anyelement, model text, signal text)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_rollup_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_restore(number float8, type anyelement, model text, signal text)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'healthscore_rollup_restore'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_average(sum float8, count float8, type anyelement, model text, signal text)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'healthscore_rollup_average'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_set_same(a healthscore.exact_set, b healthscore.exact_set)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_exact_set_same'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.exact_sets_same(a healthscore.exact_set[], b healthscore.exact_set[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_exact_sets_same'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Function churn_probability (calibration.c): a calibration's probability for a score.

CREATE OR REPLACE FUNCTION healthscore.churn_probability(score float8, intercept float8, slope float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_churn_probability'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Function paired_auc_bootstrap (model_comparison.c): the AUC difference of two models on the
-- same rows, with a bootstrap interval that resamples accounts.

CREATE OR REPLACE FUNCTION healthscore_internal.paired_auc_bootstrap(runs integer[], accounts integer[], score_a float8[],
														  score_b float8[], churned boolean[], samples integer,
														  seed bigint)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_paired_auc_bootstrap'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- A signal's raw value as the refresh reads it (signal_values.c): checked, with errors naming the
-- model and the signal. Called by the generated scoring query, as the model's author.

CREATE OR REPLACE FUNCTION healthscore_internal.signal_value(value float8, model text, signal text, scoring text)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_signal_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.age_days(last_seen timestamptz, as_of timestamptz)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_age_days'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Row-level security of the account relation, carried to every table with rows about accounts
-- (visibility.c): scores, overrides and assessments have policies (tables.sql) that call
-- account_visible(), which asks the model's account relation, as the reader, once per query.

CREATE OR REPLACE FUNCTION healthscore_internal.account_visible(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
CREATE OR REPLACE FUNCTION healthscore_internal.account_listed(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_listed'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
-- Internal helpers (schema healthscore_internal, not for PUBLIC): looking up a model, the checks
-- of names, columns, time zones and account keys, the author a model's text runs as, the
-- equality operator between key types, and how an attempt of run() stands.

-- Errors for unknown names, in one place.
CREATE OR REPLACE FUNCTION healthscore_internal.model_row(model text)
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
-- Definitions of a model wait for a refresh of it, and a refresh for them: a run reads the
-- model's signals in several statements, which must see one definition.
CREATE OR REPLACE FUNCTION healthscore_internal.lock_model(model text)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_advisory_xact_lock(hashtext('healthscore.refresh'), hashtext(model)) $$;
-- A column of a relation must exist; the error names both.
CREATE OR REPLACE FUNCTION healthscore_internal.check_column(func text, argument text, relation regclass, column_name text)
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
-- Names of models, signals, groups and tiers: not empty, and at most 63 bytes like PostgreSQL's
-- identifiers (longer ones would be truncated where they become identifiers, and would not fit in
-- the indexes that hold them).
CREATE OR REPLACE FUNCTION healthscore_internal.check_name(func text, what text, name text)
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
-- A model's time zone must be a zone PostgreSQL knows by name (not an abbreviation or a POSIX
-- offset, whose sign is the opposite of ISO 8601's).
CREATE OR REPLACE FUNCTION healthscore_internal.check_time_zone(func text, model text, time_zone text)
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
-- A segment filter as a condition: parsed as exactly one expression (one_expression), wrapped so
-- that an OR inside cannot escape it, and checked to be boolean by being compared with true.
CREATE OR REPLACE FUNCTION healthscore_internal.filter_condition(model text, segment_filter text, func text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN segment_filter IS NULL THEN 'true'
				ELSE format('(%s IS TRUE)', healthscore_internal.one_expression(segment_filter, func, model, NULL, 'filter')) END
$$;
-- The role a model's text runs as. One query runs as one role, so of the roles that wrote text it
-- runs (the model's, its signals', and the segment filters of the higher-priority models of its
-- group) it is the one whose privileges every other author has: then no text runs with more than
-- its author's privileges. A superuser has every role's privileges, so a superuser's text beside
-- an administrator's runs as the administrator. Authors unknown (from before 0.2.0), dropped, or
-- with no such role among them: an error that says what to do.
CREATE OR REPLACE FUNCTION healthscore_internal.author_role(authors text[], func text, model text)
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
CREATE OR REPLACE FUNCTION healthscore_internal.model_author(model text, func text DEFAULT 'refresh')
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
-- The role a signal being defined is compiled as: its stored author when its SQL text is
-- unchanged (a new weight or scoring method; an unknown author from before 0.2.0 stays unknown,
-- and author_role() refuses it), else the caller, who is about to become its author; together
-- with the model's author, by the rule of author_role().
CREATE OR REPLACE FUNCTION healthscore_internal.signal_author(signal healthscore.signals, func text)
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
-- While run() works on an attempt, its backend holds a session-level advisory lock on it (which
-- outlives the commits in between and ends with the backend): a running attempt whose lock is not
-- held in pg_locks was cut short (terminated, crashed, the server restarted) and reads as failed.
CREATE OR REPLACE FUNCTION healthscore_internal.attempt_lock(attempt_id bigint, OUT class integer, OUT id integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT hashtext('healthscore.attempt'), (attempt_id % 2147483647)::integer $$;
CREATE OR REPLACE FUNCTION healthscore_internal.attempt_status(status text, attempt_id bigint, backend_pid integer)
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
-- The error of a failed attempt: its text for those who may read it (administrators; a message
-- may quote values of rows), else only its SQLSTATE.
CREATE OR REPLACE FUNCTION healthscore_internal.attempt_error(status text, attempt_id bigint, backend_pid integer)
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
-- The equality operator between two key types, qualified with its schema, for the joins of
-- generated SQL (keys of any type: integer, bigint, text, uuid, or a type from another schema).
CREATE OR REPLACE FUNCTION healthscore_internal.equality(left_type regtype, right_type regtype)
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
CREATE OR REPLACE FUNCTION healthscore_internal.column_type(relation regclass, column_name text)
RETURNS regtype
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.atttypid::regtype FROM pg_attribute AS a
	WHERE a.attrelid = relation AND a.attname = column_name AND a.attnum > 0 AND NOT a.attisdropped
$$;
-- Account keys people type in: not empty, and short enough for the indexes that hold them.
CREATE OR REPLACE FUNCTION healthscore_internal.check_account_key(func text, account_key text)
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
-- The rank of a tier in a model (1 = worst), or an error naming the valid tiers.
CREATE OR REPLACE FUNCTION healthscore_internal.tier_rank(model healthscore.models, tier text)
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
-- Whether a model is overdue: it is expected every expected_every (schedule() sets it), and its
-- current run is older than that plus a grace (the period, at most an hour) for the refresh's
-- own time and the scheduler's delay. A model never run is overdue once expected.
CREATE OR REPLACE FUNCTION healthscore_internal.overdue(expected_every interval, current_as_of timestamptz)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT expected_every IS NOT NULL
		   AND (current_as_of IS NULL OR current_as_of + expected_every + least(expected_every, interval '1 hour') < now())
$$;
-- A model's signal groups in signal order, as a run keeps them: each signal's category and the
-- weight of its group (the set group weight, else the summed weights of the category's signals);
-- group_weights is NULL when the model has no group weights, which scores exactly as before groups.
CREATE OR REPLACE FUNCTION healthscore_internal.signal_groups(model text, OUT categories text[], OUT group_weights float8[])
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
-- With group weights, each signal's effective weight when its whole group is present (group
-- weight x weight / summed weight of the group); without, the weights as they are.
CREATE OR REPLACE FUNCTION healthscore_internal.full_group_weights(model text, weights float8[])
RETURNS float8[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT healthscore.effective_weights(array_fill(100::float8, ARRAY[cardinality(weights)]), weights,
										 g.categories, g.group_weights)
	FROM healthscore_internal.signal_groups(model) AS g
$$;
-- Triggers that keep the tables consistent: who wrote a model's or signal's SQL text (its
-- author), the cascades from models to signals, runs and what people entered, and from runs to
-- scores (triggers, not foreign keys: pg_restore -j loads extension tables in any order).

-- Who wrote a model's text. Each model and signal row records the role that last wrote its SQL
-- text (defined_by); the extension runs that text with its author's privileges. A trigger keeps
-- the column, so that direct writes to the tables (grant_admin allows them) cannot forge it: a
-- role may record itself as the author (adopt_model), and only a superuser may record another
-- role (pg_restore does, bringing the authors back). Writes that change no SQL text (a weight,
-- a description) leave the author as it was.
CREATE OR REPLACE FUNCTION healthscore_internal.author_after_write(writes_text boolean, is_insert boolean,
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
CREATE OR REPLACE FUNCTION healthscore_internal.record_model_author()
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
CREATE OR REPLACE FUNCTION healthscore_internal.record_signal_author()
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
-- Cascades. The model, signal and history tables are linked by triggers, not foreign keys:
-- pg_restore -j loads the rows of extension config tables in parallel, in no particular order,
-- and a foreign key would make that restore fail. refresh() and the definition functions write
-- parents before children; these triggers remove the children of deleted models and runs, once
-- per statement. Models are not renamed (history refers to them by name).
CREATE OR REPLACE FUNCTION healthscore_internal.cascade_model_deletes()
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
CREATE OR REPLACE FUNCTION healthscore_internal.forbid_model_rename()
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
CREATE OR REPLACE FUNCTION healthscore_internal.cascade_run_deletes()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM healthscore.scores AS s USING old_runs AS o WHERE s.run_id = o.run_id;
	RETURN NULL;
END
$$;
-- Model text runs as its author (author.c): the scoring query of a refresh, and the compilation of
-- a signal when it is defined. The author is decided by model_author() and signal_author() from
-- the defined_by columns; these functions take no role from their caller.

CREATE OR REPLACE FUNCTION healthscore_internal.score_as_author(model text, as_of timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_score_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.source_freshness(model text, as_of timestamptz, every_signal boolean)
RETURNS TABLE (signal text, newest timestamptz, rows_in_window boolean)
AS 'MODULE_PATHNAME', 'healthscore_source_freshness'
LANGUAGE C STABLE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_as_author(rollup integer, since timestamptz, until timestamptz)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_rollup_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.outcomes_as_author(model text)
RETURNS TABLE (account_key text, churned_at text)
AS 'MODULE_PATHNAME', 'healthscore_outcomes_as_author'
LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.accounts_as_author(model_group text)
RETURNS TABLE (account_key text)
AS 'MODULE_PATHNAME', 'healthscore_accounts_as_author'
LANGUAGE C STABLE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore_internal.explain_as_author(signal healthscore.signals, func text,
													   OUT plan text, OUT value_type regtype)
AS 'MODULE_PATHNAME', 'healthscore_explain_as_author'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE OR REPLACE FUNCTION healthscore.explain_refresh(model text, as_of timestamptz DEFAULT pg_catalog.now(),
											verbose boolean DEFAULT false)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'healthscore_explain_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
-- SQL generation: the text of the queries a refresh runs, built from the model's definition:
-- one grouped query per source relation and time window (never one scan per signal), joined to
-- the account relation so every account gets a row, scored with the C functions. Model text in it
-- is checked to be one expression (one_expression); everything else is qualified, and literals are
-- written so that they read back the same under any session settings. Also the model's
-- fingerprint and the queries that read outcomes, account lists and source freshness.

-- The cast the refresh gives a signal's grouped value: float8 (timestamptz for decay); none when
-- not typed (its own type shows), or for per_account, which reads the value in its own type.
CREATE OR REPLACE FUNCTION healthscore_internal.signal_cast(signal healthscore.signals, typed boolean)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN NOT typed OR signal.per_account IS NOT NULL THEN ''
				WHEN signal.scoring = 'decay' THEN '::pg_catalog.timestamptz'
				ELSE '::pg_catalog.float8' END
$$;
-- The grouped query of one source relation and time window, computing every given signal as a
-- column c<position>, cast to float8 (timestamptz for decay) unless typed is false (then its own
-- type shows: what defining a signal checks). Expressions may use account.<column>; the source is
-- then joined to the account relation and grouped by its key, so PostgreSQL accepts the account's
-- columns beside the aggregates. Every expression is checked to be one expression
-- (one_expression) and wrapped; everything else in the text is qualified, and literals are written
-- so that they read back the same under any session settings.
CREATE OR REPLACE FUNCTION healthscore_internal.source_query(model healthscore.models, source text, source_key text,
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
									 healthscore_internal.signal_cast(signal, typed), signal.position);
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
-- The grouped query computing one signal, as a refresh would run it for the signal's source and
-- window, as of a fixed time (what add_signal() and alter_signal() compile); typed: cast as the
-- refresh casts it, else in the expression's own type.
CREATE OR REPLACE FUNCTION healthscore_internal.signal_query(signal healthscore.signals, typed boolean)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
	SELECT CASE WHEN signal.per_account IS NULL THEN q.grouped
				-- the grouped value, then per_account over it and the account row, as refresh_sql joins them
				ELSE format('SELECT g.account_key, (SELECT (%s)%s FROM (SELECT g.c%s AS value) AS per_account) AS c%s'
							' FROM (%s) AS g JOIN %s AS account ON account.%I %s g.account_key',
							healthscore_internal.one_expression(signal.per_account, 'signal_query', m.name, signal.name,
																'per_account'),
							CASE WHEN typed THEN '::pg_catalog.float8' ELSE '' END, signal.position, signal.position,
							q.grouped, m.accounts::regclass, m.key_column,
							healthscore_internal.equality(
								healthscore_internal.column_type(m.accounts::regclass, m.key_column),
								healthscore_internal.column_type(signal.source::regclass, signal.source_key)))
		   END
	FROM healthscore_internal.model_row(signal.model) AS m,
		 LATERAL (SELECT healthscore_internal.source_query(m, signal.source, signal.source_key, signal.time_column,
														   signal.lookback, ARRAY[signal],
														   '2000-01-01 00:00:00+00'::timestamptz, typed) AS grouped) AS q
$$;
-- The accounts a model scores, as a condition over the account row: its own segment filter, and
-- none of the filters of the models of its group with a higher priority.
CREATE OR REPLACE FUNCTION healthscore_internal.segment_condition(model healthscore.models)
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
-- Whether a signal over a foreign source (a foreign table, or a partitioned table with foreign
-- partitions) is aggregated on this server: its grouped query, planned as the refresh plans it and
-- as its author, has an Aggregate node, so postgres_fdw fetches every row of its window (a function
-- the server does not ship, now(), a COLLATE, the account row joined first). refresh_sql() gives
-- such signals a grouped query of their own, so that the others are still aggregated on the shards.
CREATE OR REPLACE FUNCTION healthscore_internal.aggregated_here(signal healthscore.signals, func text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF signal.scoring = 'assessment'
	   OR NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c
					  WHERE c.relkind = 'f'
						AND (c.oid = signal.source::regclass
							 OR c.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(signal.source::regclass) AS t))) THEN
		RETURN false;
	END IF;
	RETURN (healthscore_internal.explain_as_author(signal, func)).plan LIKE '%"Node Type": "Aggregate"%';
END
$$;
-- Rollups (rollups.sql): the SQL that builds a rollup's day states from its source, and the
-- grouped query that computes a window's signals from the states of the whole days inside it
-- and the events of the part days at its edges. A bucket is named by the midnight it starts
-- after (in the model's time zone) and holds the events after that midnight up to and including
-- the next: (midnight, next midnight], as windows are (as_of - lookback, as_of], so that a
-- window from midnight to midnight is whole buckets and reads no event. Weeks start after
-- Monday's midnight and 4-week spans after Mondays counted from 2000-01-03, so that 4-week spans
-- are made of whole weeks.

-- The last midnight (of every days days) at or before at, as SQL text over the SQL text at.
CREATE OR REPLACE FUNCTION healthscore_internal.bucket_sql(at text, days integer, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('pg_catalog.timezone(%1$L, pg_catalog.date_bin(%2$L::pg_catalog.interval, pg_catalog.timezone(%1$L, %3$s),'
				  ' ''2000-01-03 00:00:00''::pg_catalog.timestamp))',
				  time_zone, days || ' days', at)
$$;
-- The same, computed (infinite times are their own buckets).
CREATE OR REPLACE FUNCTION healthscore_internal.bucket_start(at timestamptz, days integer, time_zone text)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz;
BEGIN
	IF at IS NULL OR NOT isfinite(at) THEN
		RETURN at;
	END IF;
	EXECUTE format('SELECT %s', healthscore_internal.bucket_sql('$1', days, time_zone)) INTO started USING at;
	RETURN started;
END
$$;
CREATE OR REPLACE FUNCTION healthscore_internal.bucket_after(bucket timestamptz, days integer, time_zone text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN NOT isfinite(bucket) THEN bucket
				ELSE timezone(time_zone, timezone(time_zone, bucket) + make_interval(days => days)) END
$$;
-- Which signals of a model over a source a rollup holds, and how. The rollup is keyed and
-- bucketed by the source key and time column of the source's first signal; a signal with
-- others, without a time column, reading the account row, or with an aggregate call the rollup
-- cannot hold (rollup_expression) is skipped, with the reason. definition fingerprints what
-- the states hold: the calls, key, time column, time zone, grain, and the author they were read as.
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_plan(model text, source text,
												 OUT source_key text, OUT time_column text, OUT numbers text[],
												 OUT ops text[], OUT sets text[], OUT signals text[], OUT combined text[],
												 OUT signal_windows integer[], OUT windows interval[],
												 OUT skipped text[], OUT reasons text[], OUT definition text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(rollup_plan.model);
	signal healthscore.signals;
	rolled record;
	reason text;
	key_type regtype;
BEGIN
	numbers := '{}'; ops := '{}'; sets := '{}'; signals := '{}'; combined := '{}'; skipped := '{}'; reasons := '{}';
	signal_windows := '{}';
	SELECT s.source_key, s.time_column INTO rollup_plan.source_key, rollup_plan.time_column
	FROM healthscore.signals AS s
	WHERE s.model = found_model.name AND s.source = rollup_plan.source AND s.time_column IS NOT NULL
	  AND s.scoring <> 'assessment'
	ORDER BY s.position LIMIT 1;
	IF rollup_plan.source_key IS NOT NULL THEN
		key_type := healthscore_internal.column_type(rollup_plan.source::regclass, rollup_plan.source_key);
	END IF;
	-- the windows of the signals over the rollup's time column, all time last: a rolled row's
	-- column w<n> says whether it belongs to window n (rolled_query)
	windows := ARRAY(SELECT DISTINCT s.lookback FROM healthscore.signals AS s
					 WHERE s.model = found_model.name AND s.source = rollup_plan.source
					   AND s.time_column = rollup_plan.time_column AND s.scoring <> 'assessment'
					 ORDER BY s.lookback NULLS LAST);
	FOR signal IN SELECT s.* FROM healthscore.signals AS s
				  WHERE s.model = found_model.name AND s.source = rollup_plan.source AND s.scoring <> 'assessment'
				  ORDER BY s.position LOOP
		reason := CASE
			WHEN signal.time_column IS NULL THEN 'it has no time column, and a rollup keeps days'
			WHEN signal.time_column <> rollup_plan.time_column
				THEN format('its time column is %s, the rollup''s (from the source''s first signal) %s', signal.time_column, rollup_plan.time_column)
			WHEN signal.source_key <> rollup_plan.source_key
				THEN format('its key is %s, the rollup''s (from the source''s first signal) %s', signal.source_key, rollup_plan.source_key)
			WHEN healthscore_internal.column_type(rollup_plan.source::regclass, signal.time_column) <> 'timestamptz'::regtype
				THEN format('its time column %s is of type %s; a rollup needs timestamptz, whose days are the same under any time zone setting',
							signal.time_column, healthscore_internal.column_type(rollup_plan.source::regclass, signal.time_column))
			WHEN key_type NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'text'::regtype,
								  'character varying'::regtype, 'uuid'::regtype)
				THEN format('its key %s is of type %s; a rollup keeps integer, text and uuid keys', signal.source_key, key_type)
			WHEN signal.expression ~* '\maccount\s*\.'
				THEN 'it reads the account row (account.<column>), which may change after a day is rolled up: move that into per_account'
			END;
		IF reason IS NULL THEN
			rolled := healthscore_internal.rollup_expression(found_model.name, rollup_plan.source::regclass, signal.source_key,
															 signal.name, signal.expression,
															 'w' || array_position(windows, signal.lookback), numbers, ops, sets);
			reason := rolled.problem;
		END IF;
		IF reason IS NULL THEN
			numbers := rolled.all_numbers; ops := rolled.all_ops; sets := rolled.all_sets;
			signals := signals || signal.name;
			combined := combined || rolled.combined;
			signal_windows := signal_windows || array_position(windows, signal.lookback);
		ELSE
			skipped := skipped || signal.name;
			reasons := reasons || reason;
		END IF;
	END LOOP;
	IF cardinality(signals) > 0 THEN
		-- the author too: states hold what the author could read, which another author may not
		definition := md5(concat_ws(E'\n', rollup_plan.source, rollup_plan.source_key, rollup_plan.time_column,
									found_model.time_zone, '1 day', array_to_string(numbers, E'\n'),
									array_to_string(ops, ','), array_to_string(sets, E'\n'),
									'author=' || healthscore_internal.model_author(found_model.name, 'refresh')::oid));
	END IF;
END
$$;
-- The slots of a rollup's numbers or sets (kind) that combined expressions read, from their
-- references r.numbers[n] and r.sets[n] (one in a string literal of the author's text costs a call
-- more, nothing else).
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_slots_read(combined text[], kind text)
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
	SELECT ARRAY(SELECT DISTINCT m[1]::integer FROM unnest(combined) AS e,
				 regexp_matches(e, format('r\.%s\[(\d+)\]', kind), 'g') AS m)
$$;
-- A rollup's bucket calls as the elements of an ARRAY[...]: each checked to be one expression,
-- NULL where its slot is not read (read NULL: all are).
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_call_list(calls text[], read integer[], model text, source text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT string_agg(CASE WHEN read IS NULL OR c.n = ANY (read)
						   THEN healthscore_internal.one_expression(c.call, 'refresh', model, 'rollup of ' || source, 'expression')
						   ELSE 'NULL' END, ', ' ORDER BY c.n)
	FROM unnest(calls) WITH ORDINALITY AS c(call, n)
$$;
-- The query of a rollup's day states from since to until (midnights; since may be -infinity):
-- per day and account key, the events after since up to and including until, and every bucket
-- call. Run as the author by
-- rollup_as_author(); rows without a key are left out, as the join to the accounts would.
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_bucket_query(rollup integer, since timestamptz, until timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
DECLARE
	found healthscore.rollups;
	found_model healthscore.models;
	plan record;
BEGIN
	SELECT u.* INTO found FROM healthscore.rollups AS u WHERE u.rollup_id = rollup_bucket_query.rollup;
	found_model := healthscore_internal.model_row(found.model);
	plan := healthscore_internal.rollup_plan(found.model, found.source);
	RETURN format('SELECT %1$s AS bucket, s.%2$I::pg_catalog.text AS account_key, pg_catalog.count(*) AS events,'
				  ' ARRAY[%3$s]::pg_catalog.float8[] AS numbers, ARRAY[%4$s]::healthscore.exact_set[] AS sets'
				  ' FROM %5$s AS s WHERE s.%6$I OPERATOR(pg_catalog.>) %7$L::pg_catalog.timestamptz'
				  ' AND s.%6$I OPERATOR(pg_catalog.<=) %8$L::pg_catalog.timestamptz AND s.%2$I IS NOT NULL'
				  ' GROUP BY 1, 2',
				  -- (midnight, next midnight]: the midnight an instant before it
				  healthscore_internal.bucket_sql(format('(s.%I OPERATOR(pg_catalog.-) ''1 microsecond''::pg_catalog.interval)',
														 plan.time_column), 1, found_model.time_zone),
				  plan.source_key,
				  healthscore_internal.rollup_call_list(plan.numbers, NULL, found.model, found.source),
				  healthscore_internal.rollup_call_list(plan.sets, NULL, found.model, found.source),
				  found.source::regclass, plan.time_column, since, until);
END
$$;
-- [lo, hi) (midnights) as buckets of 28, 7 and 1 days: the 4-week spans inside it, then the
-- weeks inside what is left at either end, then days. 89 days are at most about 12 buckets.
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_spans(lo timestamptz, hi timestamptz, time_zone text, largest integer DEFAULT 28)
RETURNS TABLE (days integer, span_start timestamptz, span_end timestamptz)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	smaller integer := CASE largest WHEN 28 THEN 7 WHEN 7 THEN 1 END;
	first_whole timestamptz;
	last_whole timestamptz;
BEGIN
	IF lo >= hi THEN
		RETURN;
	END IF;
	IF largest = 1 THEN
		RETURN QUERY SELECT 1, lo, hi;
		RETURN;
	END IF;
	-- before a rollup's first day there are no states: from -infinity, every span is whole
	first_whole := healthscore_internal.bucket_start(lo, largest, time_zone);
	IF first_whole < lo THEN
		first_whole := healthscore_internal.bucket_after(first_whole, largest, time_zone);
	END IF;
	last_whole := healthscore_internal.bucket_start(hi, largest, time_zone);
	IF first_whole >= last_whole THEN
		RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(lo, hi, time_zone, smaller);
		RETURN;
	END IF;
	RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(lo, first_whole, time_zone, smaller);
	RETURN QUERY SELECT largest, first_whole, last_whole;
	RETURN QUERY SELECT * FROM healthscore_internal.rollup_spans(last_whole, hi, time_zone, smaller);
END
$$;
-- The grouped query of a rollup's signals, in the shape of source_query() (account key as text,
-- then c<position> per signal), all windows at once: the states of the whole rolled-up days
-- inside each window (as the fewest buckets of 28, 7 and 1 days, rollup_spans), united with the
-- same calls over the windows' other events (the part days at their edges, the days not rolled
-- up yet). Each row says which windows it belongs to (w<n>); each signal combines the rows of
-- its window (rollup_expression's FILTER), and is NULL for an account without any, as an
-- account without events in a window has no row in source_query().
CREATE OR REPLACE FUNCTION healthscore_internal.rolled_query(model healthscore.models, rollup healthscore.rollups,
												  source_key text, time_column text, numbers text[], sets text[],
												  windows interval[], signals healthscore.signals[], combined text[],
												  signal_windows integer[], as_of timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
AS $$
DECLARE
	rolled_to timestamptz := least(healthscore_internal.bucket_start(as_of, 1, model.time_zone), rollup.rolled_until);
	window_start timestamptz;
	rolled_from timestamptz;
	spans record;
	in_events text[] := '{}';
	states text[] := '{}';
	columns text := '';
	numbers_read integer[];
	sets_read integer[];
	state_columns text;
	span_windows integer[] := '{}';
	span_days integer[] := '{}';
	span_starts timestamptz[] := '{}';
	span_ends timestamptz[] := '{}';
	all_time integer;
	all_time_combined text[];
BEGIN
	-- each window's buckets (rollup_spans) and the events it still reads: the part days at its
	-- edges, the days not rolled up yet
	FOR n IN 1 .. cardinality(windows) LOOP
		window_start := CASE WHEN windows[n] IS NULL THEN '-infinity' ELSE as_of - windows[n] END;
		-- the whole days inside (window_start, as_of]: from the first midnight at or after its start
		rolled_from := CASE WHEN isfinite(window_start)
							THEN healthscore_internal.bucket_after(healthscore_internal.bucket_start(window_start - interval '1 microsecond', 1,
																									model.time_zone), 1, model.time_zone)
							ELSE window_start END;
		IF rolled_from < rolled_to THEN
			SELECT span_windows || array_agg(n), span_days || array_agg(p.days), span_starts || array_agg(p.span_start),
				   span_ends || array_agg(p.span_end)
			INTO span_windows, span_days, span_starts, span_ends
			FROM healthscore_internal.rollup_spans(rolled_from, rolled_to, model.time_zone) AS p;
			in_events := in_events || format('(s.%1$I OPERATOR(pg_catalog.>) %2$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %3$L::pg_catalog.timestamptz'
											 ' OR s.%1$I OPERATOR(pg_catalog.>) %4$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %5$L::pg_catalog.timestamptz)',
											 time_column, window_start, rolled_from, rolled_to, as_of);
		ELSE
			in_events := in_events || format('(s.%1$I OPERATOR(pg_catalog.>) %2$L::pg_catalog.timestamptz AND s.%1$I OPERATOR(pg_catalog.<=) %3$L::pg_catalog.timestamptz)',
											 time_column, window_start, as_of);
		END IF;
	END LOOP;
	FOR i IN 1 .. cardinality(signals) LOOP
		columns := columns || format(', CASE WHEN pg_catalog.bool_or(r.w%s) THEN %s%s END AS c%s', signal_windows[i],
									 healthscore_internal.one_expression(combined[i], 'refresh', model.name, signals[i].name, 'expression'),
									 healthscore_internal.signal_cast(signals[i], true), signals[i].position);
	END LOOP;
	-- the calls these signals read; the others are NULL over events, and the arrays not read at
	-- all are not read from the states (a week's sets are large)
	numbers_read := healthscore_internal.rollup_slots_read(combined, 'numbers');
	sets_read := healthscore_internal.rollup_slots_read(combined, 'sets');
	state_columns := format('t.account_key, %s, %s',
							CASE WHEN cardinality(numbers_read) > 0 THEN 't.numbers' ELSE 'NULL::pg_catalog.float8[]' END,
							CASE WHEN cardinality(sets_read) > 0 THEN 't.sets' ELSE 'NULL::healthscore.exact_set[]' END);
	-- the windows' buckets cut where any of them starts or ends, at each bucket size: every state
	-- is read once, by a range of the primary key, with the windows it belongs to
	FOR spans IN
		WITH spans AS (SELECT * FROM unnest(span_windows, span_days, span_starts, span_ends) AS p(n, days, span_start, span_end)),
			 cuts AS (SELECT DISTINCT p.days, c.at FROM spans AS p, LATERAL (VALUES (p.span_start), (p.span_end)) AS c(at)),
			 pieces AS (SELECT c.days, c.at AS piece_start, lead(c.at) OVER (PARTITION BY c.days ORDER BY c.at) AS piece_end
						FROM cuts AS c)
		SELECT x.days, x.piece_start, x.piece_end,
			   ARRAY(SELECT EXISTS (SELECT FROM spans AS p
									WHERE p.n = w AND p.days = x.days AND p.span_start <= x.piece_start AND p.span_end >= x.piece_end)
					 FROM generate_series(1, cardinality(windows)) AS w ORDER BY w) AS flags
		FROM pieces AS x WHERE x.piece_end IS NOT NULL
		ORDER BY x.days DESC, x.piece_start
	LOOP
		CONTINUE WHEN NOT true = ANY (spans.flags);
		states := states || format('SELECT %s, %s FROM healthscore.rollup_states AS t'
								   ' WHERE t.rollup_id OPERATOR(pg_catalog.=) %s AND t.days OPERATOR(pg_catalog.=) %s'
								   ' AND t.bucket OPERATOR(pg_catalog.>=) %L::pg_catalog.timestamptz'
								   ' AND t.bucket OPERATOR(pg_catalog.<) %L::pg_catalog.timestamptz',
								   state_columns,
								   (SELECT string_agg(format('%s AS w%s', CASE WHEN f THEN 'true' ELSE 'false' END, n), ', ' ORDER BY n)
									FROM unnest(spans.flags) WITH ORDINALITY AS x(f, n)),
								   rollup.rollup_id, spans.days, spans.piece_start, spans.piece_end);
	END LOOP;
	-- rows at -infinity are in the all-time window only, and in no day: read from the source, with
	-- the calls of the all-time signals only (stickiness() refuses them, in other windows too)
	all_time := array_position(windows, NULL);
	IF all_time IS NOT NULL THEN
		all_time_combined := ARRAY(SELECT e.c FROM unnest(combined, signal_windows) AS e(c, w) WHERE e.w = all_time);
		states := states || format('SELECT s.%1$I::pg_catalog.text, ARRAY[%2$s]::pg_catalog.float8[], ARRAY[%3$s]::healthscore.exact_set[], %4$s'
								   ' FROM %5$s AS s WHERE s.%6$I OPERATOR(pg_catalog.=) ''-infinity''::pg_catalog.timestamptz'
								   ' AND s.%1$I IS NOT NULL GROUP BY s.%1$I',
								   source_key,
								   healthscore_internal.rollup_call_list(numbers, healthscore_internal.rollup_slots_read(all_time_combined, 'numbers'),
																		 model.name, rollup.source),
								   healthscore_internal.rollup_call_list(sets, healthscore_internal.rollup_slots_read(all_time_combined, 'sets'),
																		 model.name, rollup.source),
								   (SELECT string_agg(format('%s AS w%s', CASE WHEN w = all_time THEN 'true' ELSE 'false' END, w), ', ' ORDER BY w)
									FROM generate_series(1, cardinality(windows)) AS w),
								   rollup.source::regclass, time_column);
	END IF;
	RETURN format('SELECT r.account_key%1$s FROM (%2$s'
				  'SELECT s.%3$I::pg_catalog.text, ARRAY[%4$s]::pg_catalog.float8[], ARRAY[%5$s]::healthscore.exact_set[], %6$s'
				  ' FROM %7$s AS s WHERE (%8$s) AND s.%3$I IS NOT NULL GROUP BY s.%3$I, %9$s'
				  ') AS r GROUP BY r.account_key',
				  columns,
				  (SELECT string_agg(b || ' UNION ALL ', '') FROM unnest(states) AS b),
				  source_key,
				  healthscore_internal.rollup_call_list(numbers, numbers_read, model.name, rollup.source),
				  healthscore_internal.rollup_call_list(sets, sets_read, model.name, rollup.source),
				  (SELECT string_agg(c, ', ' ORDER BY n) FROM unnest(in_events) WITH ORDINALITY AS x(c, n)),
				  rollup.source::regclass,
				  array_to_string(in_events, ' OR '),
				  -- the window flags, after the key and the two arrays
				  (SELECT string_agg((n + 3)::text, ', ' ORDER BY n) FROM generate_series(1, cardinality(windows)) AS n));
END
$$;
-- The whole scoring query of a model as of a time: one row per account the model scores, with
-- the account's attributes and, in signal order (position), the signals' raw values and their
-- points after the missing-data policy. Windows are computed in the model's time zone; the text
-- reads the same under any session settings (qualified names, literals with explicit types and
-- offsets, floats in their shortest exact form).
-- PARALLEL UNSAFE: it sets the time zone, which no parallel operation may.
CREATE OR REPLACE FUNCTION healthscore.refresh_sql(model text, as_of timestamptz DEFAULT pg_catalog.now())
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
	found_model healthscore.models := healthscore_internal.model_row(model);
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
	rollup healthscore.rollups;
	rolled record;
	rolled_names text[] := '{}';
	rolled_expressions text[] := '{}';
	rolled_by integer[] := '{}';
	rolled_windows integer[] := '{}';
	rolled_plans jsonb[] := '{}';
	plan_rollups integer[] := '{}';
	plan jsonb;
	grouped text;
	keyed_by_text boolean;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh_sql(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);	-- until this function returns
	key_type := healthscore_internal.column_type(found_model.accounts::regclass, found_model.key_column);
	-- the signals that rollups in use hold (rollups.sql), while they hold what the model defines
	FOR rollup IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name AND u.in_use
				  ORDER BY u.rollup_id LOOP
		rolled := healthscore_internal.rollup_plan(found_model.name, rollup.source);
		IF rolled.definition = rollup.definition THEN
			rolled_names := rolled_names || rolled.signals;
			rolled_expressions := rolled_expressions || rolled.combined;
			rolled_windows := rolled_windows || rolled.signal_windows;
			rolled_by := rolled_by || array_fill(rollup.rollup_id, ARRAY[cardinality(rolled.signals)]);
			plan_rollups := plan_rollups || rollup.rollup_id;
			rolled_plans := rolled_plans || jsonb_build_object('source_key', rolled.source_key, 'time_column', rolled.time_column,
															   'numbers', rolled.numbers, 'sets', rolled.sets,
															   'windows', rolled.windows);
		END IF;
	END LOOP;
	FOR source_group IN
		SELECT s.source, s.source_key, s.time_column, g.lookback,
			   array_agg(s ORDER BY s.position) AS signals, min(s.position) AS first,
			   bool_or(s.expression ~* '\maccount\s*\.' AND s.scoring <> 'assessment') AS uses_account,
			   r.rollup_id
		FROM healthscore.signals AS s
		-- over foreign sources, what the foreign server cannot aggregate is grouped apart
		CROSS JOIN LATERAL (SELECT healthscore_internal.aggregated_here(s, 'refresh') AS here) AS shipping
		-- a rollup's signals are one group, whatever their windows
		CROSS JOIN LATERAL (SELECT coalesce(rolled_by[array_position(rolled_names, s.name)], 0) AS rollup_id) AS r
		CROSS JOIN LATERAL (SELECT CASE WHEN r.rollup_id = 0 THEN s.lookback END AS lookback,
								   CASE WHEN r.rollup_id = 0 THEN shipping.here END AS here) AS g
		WHERE s.model = found_model.name
		GROUP BY s.source, s.source_key, s.time_column, g.lookback, g.here, r.rollup_id
		ORDER BY first
	LOOP
		group_number := group_number + 1;
		group_alias := 'g' || group_number;
		grouped := NULL;
		IF source_group.rollup_id <> 0 THEN
			SELECT u.* INTO rollup FROM healthscore.rollups AS u WHERE u.rollup_id = source_group.rollup_id;
			plan := rolled_plans[array_position(plan_rollups, source_group.rollup_id)];
			grouped := healthscore_internal.rolled_query(found_model, rollup, plan ->> 'source_key', plan ->> 'time_column',
				ARRAY(SELECT jsonb_array_elements_text(plan -> 'numbers')),
				ARRAY(SELECT jsonb_array_elements_text(plan -> 'sets')),
				ARRAY(SELECT w::interval FROM jsonb_array_elements_text(plan -> 'windows') WITH ORDINALITY AS x(w, n) ORDER BY n),
				source_group.signals,
				ARRAY(SELECT rolled_expressions[array_position(rolled_names, g.name)]
					  FROM unnest(source_group.signals) WITH ORDINALITY AS g ORDER BY g.ordinality),
				ARRAY(SELECT rolled_windows[array_position(rolled_names, g.name)]
					  FROM unnest(source_group.signals) WITH ORDINALITY AS g ORDER BY g.ordinality),
				as_of);
		END IF;
		-- the group's key is the account's when it joins the account row; assessments and rolled
		-- signals key by text
		keyed_by_text := grouped IS NOT NULL OR source_group.source = 'healthscore.assessments';
		group_key_type := CASE WHEN source_group.uses_account THEN key_type
							   ELSE healthscore_internal.column_type(source_group.source::regclass, source_group.source_key) END;
		joins := joins || format(E'\nLEFT JOIN (%s) AS %I ON %I.account_key %s account.%I%s',
								 coalesce(grouped,
										  healthscore_internal.source_query(found_model, source_group.source, source_group.source_key,
																			source_group.time_column, source_group.lookback,
																			source_group.signals, as_of, true)),
								 group_alias, group_alias,
								 CASE WHEN keyed_by_text THEN 'OPERATOR(pg_catalog.=)'
									  ELSE healthscore_internal.equality(group_key_type, key_type) END,
								 found_model.key_column,
								 CASE WHEN keyed_by_text THEN '::pg_catalog.text' ELSE '' END);
		FOREACH signal IN ARRAY source_group.signals LOOP
			value_ref := format('%I.c%s', group_alias, signal.position);
			-- per_account: applied to the grouped value beside the account row, after grouping
			IF signal.per_account IS NOT NULL THEN
				joins := joins || format(E'\nCROSS JOIN LATERAL (SELECT (%s)::pg_catalog.float8 AS value FROM (SELECT %s AS value) AS per_account) AS %I',
										 healthscore_internal.one_expression(signal.per_account, 'refresh', found_model.name,
																			 signal.name, 'per_account'),
										 value_ref, 'p' || signal.position);
				value_ref := format('%I.value', 'p' || signal.position);
			END IF;
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
       %s AS parent_key,
       ARRAY[%s] AS raw_values,
       ARRAY[%s] AS points
FROM %s AS account%s
WHERE %s$q$,
		found_model.key_column,
		CASE WHEN found_model.segment_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.segment_column) END,
		CASE WHEN found_model.value_column IS NULL THEN 'NULL::pg_catalog.numeric' ELSE format('account.%I::pg_catalog.numeric', found_model.value_column) END,
		CASE WHEN found_model.owner_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.owner_column) END,
		CASE WHEN found_model.renewal_column IS NULL THEN 'NULL::pg_catalog.date' ELSE format('account.%I::pg_catalog.date', found_model.renewal_column) END,
		CASE WHEN found_model.parent_column IS NULL THEN 'NULL::pg_catalog.text' ELSE format('account.%I::pg_catalog.text', found_model.parent_column) END,
		array_to_string(raw_by_position, E',\n         '),
		array_to_string(points_by_position, E',\n         '),
		found_model.accounts::regclass, joins,
		healthscore_internal.segment_condition(found_model));
END
$$;
-- The settings are pinned to PostgreSQL's defaults, under which 0.1.0 computed the fingerprints
-- stored with its runs: the text of floats and intervals would otherwise follow the session. A
-- setting added later enters only when it differs from its default, so that fingerprints of
-- models that do not use it stay what they were.
CREATE OR REPLACE FUNCTION healthscore.fingerprint(model text)
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
						  CASE WHEN m.time_zone <> 'UTC' THEN 'time_zone=' || m.time_zone END,
						  CASE WHEN m.trend_window <> interval '28 days' THEN 'trend_window=' || m.trend_window END,
						  CASE WHEN m.tier_hysteresis <> 0 THEN 'tier_hysteresis=' || m.tier_hysteresis END,
						  CASE WHEN m.group_weights <> '{}' THEN 'group_weights=' || m.group_weights::text END)
		 FROM healthscore_internal.model_row(fingerprint.model) AS m),
		(SELECT string_agg(concat_ws(';', s.name, s.source, s.source_key, s.expression, s.time_column, s.lookback,
									 s.scoring, s.worst, s.best, s.breaks::text, s.points::text, s.half_life,
									 s.lower_is_better, s.weight, s.missing, s.missing_value,
									 CASE WHEN s.max_age IS NOT NULL THEN 'max_age=' || s.max_age END,
									 CASE WHEN s.per_account IS NOT NULL THEN 'per_account=' || s.per_account END,
									 -- a category groups signals only once the model has group weights
									 CASE WHEN m.group_weights <> '{}' THEN 'category=' || s.category END),
						   '|' ORDER BY s.name)
		 FROM healthscore.signals AS s
		 JOIN healthscore.models AS m ON m.name = s.model
		 WHERE s.model = fingerprint.model)))
$$;
-- The relations readers' views need, read as the role that named them (a view may call any
-- function, and would call it as the reader): the query, and the author to run it as.
CREATE OR REPLACE FUNCTION healthscore_internal.outcomes_query(model text, OUT author oid, OUT model_name text, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(outcomes_query.model);
BEGIN
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION 'model "%" has no outcome relation', found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	author := healthscore_internal.model_author(found_model.name, 'evaluate');
	model_name := found_model.name;
	query := format('SELECT o.%1$I::pg_catalog.text, pg_catalog.min(o.%2$I)::pg_catalog.timestamptz::pg_catalog.text'
					' FROM %3$s AS o WHERE o.%1$I IS NOT NULL AND o.%2$I IS NOT NULL GROUP BY 1',
					found_model.outcome_key, found_model.outcome_date, found_model.outcomes::regclass);
END
$$;
CREATE OR REPLACE FUNCTION healthscore_internal.accounts_query(model_group text, OUT author oid, OUT model_name text, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	member healthscore.models;
BEGIN
	SELECT m.* INTO member FROM healthscore.models AS m WHERE m.model_group = accounts_query.model_group
	ORDER BY m.priority DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unscored_accounts(): no model belongs to group "%"', model_group
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name, model_group FROM healthscore.models.';
	END IF;
	-- every model of the group names the account relation
	author := healthscore_internal.author_role(
		ARRAY(SELECT m.defined_by FROM healthscore.models AS m WHERE m.model_group = accounts_query.model_group),
		'unscored_accounts', member.name);
	model_name := member.name;
	query := format('SELECT a.%1$I::pg_catalog.text FROM %2$s AS a WHERE a.%1$I IS NOT NULL',
					member.key_column, member.accounts::regclass);
END
$$;
-- The query reading, for each signal with a time column (with a max_age, unless every_signal), the
-- newest row of its source at the as-of time and whether its window has rows. Both read the time
-- column only, by conditions an index on it serves. Windows are in the model's time zone (set with
-- set_config, which makes it PARALLEL UNSAFE).
CREATE OR REPLACE FUNCTION healthscore_internal.freshness_query(model text, as_of timestamptz, every_signal boolean,
													 OUT author oid, OUT query text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(freshness_query.model);
BEGIN
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	author := healthscore_internal.model_author(found_model.name, 'refresh');
	SELECT string_agg(format('SELECT %1$L::pg_catalog.text,'
							 ' (SELECT pg_catalog.max(s.%2$I)::pg_catalog.timestamptz FROM %3$s AS s'
							 '  WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz),'
							 -- SELECT 1, not SELECT: Citus cannot plan a zero-column subquery over a
							 -- distributed table (citusdata/citus#5094)
							 ' EXISTS (SELECT 1 FROM %3$s AS s WHERE s.%2$I OPERATOR(pg_catalog.<=) %4$L::pg_catalog.timestamptz%5$s)',
							 s.name, s.time_column, s.source::regclass, freshness_query.as_of,
							 CASE WHEN s.lookback IS NOT NULL
								  THEN format(' AND s.%I OPERATOR(pg_catalog.>) %L::pg_catalog.timestamptz',
											  s.time_column, freshness_query.as_of - s.lookback)
								  ELSE '' END),
					  ' UNION ALL ' ORDER BY s.position)
	INTO query
	FROM healthscore.signals AS s
	WHERE s.model = found_model.name AND s.time_column IS NOT NULL AND s.scoring <> 'assessment'
	  AND (every_signal OR s.max_age IS NOT NULL);
END
$$;
-- What would make a model's refresh fail, found in the catalog before anything runs: relations
-- and columns that are gone or renamed since the model was defined, and privileges its author
-- lacks. refresh() raises the first of them (raise_model_errors); check_model() lists them all,
-- with the problems that do not stop a refresh.

-- One problem per row: the object it is about, the SQLSTATE (error_code) a refresh fails with, the message
-- (naming func, the model and the signal) and what to do.
CREATE OR REPLACE FUNCTION healthscore_internal.model_errors(model text, func text)
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
CREATE OR REPLACE FUNCTION healthscore_internal.raise_model_errors(model text, func text)
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
-- The model API: define models and signals (validated and compiled at once, as their author),
-- change and drop them, and take a model's text over (adopt_model).

-- A setting in points: 0 <= value < 100 where 0 is allowed (it turns the setting off), else 0 < value <= 100.
CREATE OR REPLACE FUNCTION healthscore_internal.check_points_setting(func text, model text, setting text, value float8,
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
-- A setting that is a length of time: a positive interval.
CREATE OR REPLACE FUNCTION healthscore_internal.check_interval_setting(func text, model text, setting text, value interval,
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
-- The settings of a model that create_model() and alter_model() both take, checked alike.
CREATE OR REPLACE FUNCTION healthscore_internal.check_model_settings(func text, model text, tier_cutoffs float8[],
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
CREATE OR REPLACE FUNCTION healthscore.create_model(
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
-- Changing a model's settings (not its SQL text: relations and filters are created with the model);
-- arguments left NULL stay as they are, and everything is checked as create_model() checks it.
-- Tiers, trend and hysteresis enter the fingerprint, so later runs show that the model changed.
CREATE OR REPLACE FUNCTION healthscore.alter_model(
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
-- Check one signal as it would run, and fail with an error that names the problem.
CREATE OR REPLACE FUNCTION healthscore_internal.check_signal(signal healthscore.signals, func text)
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
CREATE OR REPLACE FUNCTION healthscore.add_signal(
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
CREATE OR REPLACE FUNCTION healthscore.alter_signal(
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
CREATE OR REPLACE FUNCTION healthscore.set_weight(model text, signal text, weight float8)
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
-- A group weight per category: the score becomes the weighted mean of the group scores (see
-- signal_groups.c). Numbers are kept in jsonb as float8 writes them shortest and exact.
CREATE OR REPLACE FUNCTION healthscore.set_group_weight(model text, category text, weight float8)
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
CREATE OR REPLACE FUNCTION healthscore.drop_signal(model text, name text)
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
-- Taking a model over: the caller becomes the author of all of its SQL text (the model's and every
-- signal's), which from then on runs with the caller's privileges. For models from before 0.2.0,
-- whose authors are unknown, and for models whose text different roles wrote.
CREATE OR REPLACE FUNCTION healthscore.adopt_model(model text)
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
-- What people know: manual assessments of success factors, tier overrides, and playbooks.
-- Manual inputs go stale, so every one of them is dated and expires; expired inputs are ignored,
-- never silently kept.

CREATE OR REPLACE FUNCTION healthscore.assess(account_key text, factor text, rating integer DEFAULT NULL,
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
CREATE OR REPLACE FUNCTION healthscore.set_override(model text, account_key text, tier text, reason text,
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
CREATE OR REPLACE FUNCTION healthscore.clear_override(model text, account_key text, at timestamptz DEFAULT pg_catalog.now())
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
CREATE OR REPLACE FUNCTION healthscore.add_playbook(model text, action text, tier text DEFAULT NULL, signal text DEFAULT NULL,
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
-- Risk indicators: named flags on a signal's raw value (a drop against the period before, a value
-- above or below a threshold, an event in the signal's window, a low rating), raised or cleared at
-- each refresh and kept with the score row, beside the score, not in it.

CREATE OR REPLACE FUNCTION healthscore.add_indicator(model text, name text, kind text, signal text,
										  threshold float8 DEFAULT NULL, period interval DEFAULT NULL,
										  description text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models;
	found_signal healthscore.signals;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	PERFORM healthscore_internal.check_name('add_indicator', 'indicator name', name);
	IF kind IS NULL OR NOT kind = ANY (ARRAY['drop', 'above', 'below', 'event', 'rating_below']) THEN
		RAISE EXCEPTION 'add_indicator(): kind of indicator "%" of model "%" must be drop, above, below, event or rating_below, not %',
			name, found_model.name, coalesce(kind, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'drop: the raw value fell by more than threshold (a fraction) against the run a period before; above, below: against threshold; event: a count above 0; rating_below: an assessment below threshold.';
	END IF;
	SELECT * INTO found_signal FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.name = add_indicator.signal;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'add_indicator(): model "%" has no signal "%" for indicator "%"', found_model.name,
			coalesce(signal, 'NULL'), name
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', (SELECT string_agg(s.name, ', ' ORDER BY s.position)
													 FROM healthscore.signals AS s WHERE s.model = found_model.name));
	END IF;
	IF kind = 'event' AND threshold IS NOT NULL THEN
		RAISE EXCEPTION 'add_indicator(): event indicator "%" of model "%" takes no threshold', name, found_model.name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'It is raised while the signal''s raw value (a count over its lookback) is above 0; use kind above for another bound.';
	ELSIF kind <> 'event' AND (threshold IS NULL OR NOT (threshold > '-infinity' AND threshold < 'infinity')) THEN
		RAISE EXCEPTION 'add_indicator(): % indicator "%" of model "%" needs a finite threshold, not %', kind, name,
			found_model.name, coalesce(threshold::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE kind WHEN 'drop' THEN 'A fraction between 0 and 1, e.g. 0.2 for down more than 20%.'
								   WHEN 'rating_below' THEN 'A rating, e.g. 3: raised while the latest rating is below it.'
								   ELSE 'A raw value of the signal, e.g. 3.' END;
	END IF;
	IF kind = 'drop' AND NOT (threshold > 0 AND threshold < 1) THEN
		RAISE EXCEPTION 'add_indicator(): threshold of drop indicator "%" of model "%" must be between 0 and 1, not %',
			name, found_model.name, threshold
			USING ERRCODE = 'invalid_parameter_value', HINT = 'A fraction, e.g. 0.2 for down more than 20%.';
	END IF;
	IF (kind = 'drop') <> (period IS NOT NULL) OR NOT coalesce(period > interval '0', true) THEN
		RAISE EXCEPTION 'add_indicator(): % indicator "%" of model "%" %', kind, name, found_model.name,
			CASE WHEN kind = 'drop' THEN format('needs a positive period, not %s', coalesce(period::text, 'NULL'))
				 ELSE 'takes no period' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A drop compares with the latest run at or before as_of - period, e.g. ''7 days'' for the week before.';
	END IF;
	IF kind = 'rating_below' AND NOT (threshold > 1 AND threshold <= 5) THEN
		RAISE EXCEPTION 'add_indicator(): threshold of rating_below indicator "%" of model "%" must be a rating above 1 and at most 5, not %',
			name, found_model.name, threshold
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Ratings are 1 to 5; e.g. 3 raises it while the latest rating is 1 or 2.';
	END IF;
	IF kind = 'rating_below' AND found_signal.scoring <> 'assessment' THEN
		RAISE EXCEPTION 'add_indicator(): rating_below indicator "%" of model "%" needs an assessment signal; "%" is scored %',
			name, found_model.name, signal, found_signal.scoring
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use kind below for other signals.';
	END IF;
	INSERT INTO healthscore.indicators (model, name, kind, signal, threshold, period, description, position)
	VALUES (found_model.name, name, kind, signal, threshold, period, description,
			(SELECT coalesce(max(i.position), 0) + 1 FROM healthscore.indicators AS i WHERE i.model = found_model.name))
	ON CONFLICT ON CONSTRAINT indicators_pkey DO UPDATE
	SET kind = excluded.kind, signal = excluded.signal, threshold = excluded.threshold, period = excluded.period,
		description = excluded.description;
	RETURN name;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.drop_indicator(model text, name text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	DELETE FROM healthscore.indicators AS i WHERE i.model = drop_indicator.model AND i.name = drop_indicator.name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'drop_indicator(): model "%" has no indicator "%"', model, name
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM healthscore.indicators WHERE model = ...';
	END IF;
	RETURN name;
END
$$;
-- A raw value as indicator reasons print it: rounded to 2 decimals, trailing zeros cut.
CREATE OR REPLACE FUNCTION healthscore_internal.indicator_number(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT trim_scale(round(value::numeric, 2))::text
$$;
-- The indicators a run raises, per account: refresh() writes them with the score rows. Reads the
-- accounts' raw values from the scoring query's temporary table, a drop's baseline from the
-- latest run at or before as_of - period, and the streak's start from the run before. A raw value
-- that is missing counts as 0 when the signal's missing policy is zero (no rows: nothing
-- happened), else raises nothing. Runs as refresh() does, in the model's time zone.
CREATE OR REPLACE FUNCTION healthscore_internal.evaluate_indicators(model text, run bigint, signals text[], previous_run bigint,
														 as_of timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_temp.healthscore_refresh_indicators') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_indicators;
	END IF;
	IF NOT EXISTS (SELECT FROM healthscore.indicators AS i WHERE i.model = evaluate_indicators.model) THEN
		CREATE TEMP TABLE healthscore_refresh_indicators (account_key text, names text[], since timestamptz[],
														  reasons text[]) ON COMMIT DROP;
		RETURN;
	END IF;
	CREATE TEMP TABLE healthscore_refresh_indicators ON COMMIT DROP AS
	WITH definitions AS (
		SELECT i.name, i.kind, i.signal, i.threshold, i.position, sig.missing,
			   array_position(evaluate_indicators.signals, i.signal) AS idx, base.run_id AS base_run,
			   array_position(base.signals, i.signal) AS base_idx
		FROM healthscore.indicators AS i
		JOIN healthscore.signals AS sig ON sig.model = i.model AND sig.name = i.signal
		LEFT JOIN LATERAL (SELECT r.run_id, r.signals FROM healthscore.runs AS r
						   WHERE i.kind = 'drop' AND r.model = i.model AND r.run_id <> evaluate_indicators.run
							 AND r.as_of <= evaluate_indicators.as_of - i.period
						   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS base ON true
		WHERE i.model = evaluate_indicators.model
	)
	SELECT sc.account_key::text AS account_key,
		   array_agg(d.name ORDER BY d.position) AS names,
		   array_agg(coalesce(p.indicators_since[array_position(p.indicators, d.name)], evaluate_indicators.as_of)
					 ORDER BY d.position) AS since,
		   array_agg(c.reason ORDER BY d.position) AS reasons
	FROM pg_temp.healthscore_refresh_scored AS sc
	CROSS JOIN definitions AS d
	LEFT JOIN healthscore.scores AS b ON b.run_id = d.base_run AND b.account_key = sc.account_key::text
	LEFT JOIN healthscore.scores AS p ON p.run_id = evaluate_indicators.previous_run AND p.account_key = sc.account_key::text
	CROSS JOIN LATERAL (
		SELECT CASE WHEN sc.raw_values[d.idx] IS NULL AND d.missing = 'zero' AND d.idx IS NOT NULL THEN 0
					ELSE sc.raw_values[d.idx] END AS value,
			   CASE WHEN b.raw_values[d.base_idx] IS NULL AND d.missing = 'zero' AND b.account_key IS NOT NULL
						 AND d.base_idx IS NOT NULL THEN 0
					ELSE b.raw_values[d.base_idx] END AS base) AS v
	CROSS JOIN LATERAL (
		SELECT CASE d.kind
				   WHEN 'drop' THEN CASE WHEN v.base > 0 AND v.value < v.base * (1 - d.threshold) THEN
						format('%s %s -> %s (%s%%)', d.signal, healthscore_internal.indicator_number(v.base),
							   healthscore_internal.indicator_number(v.value),
							   round((100 * (v.value - v.base) / v.base)::numeric)) END
				   WHEN 'above' THEN CASE WHEN v.value > d.threshold THEN
						format('%s %s (above %s)', d.signal, healthscore_internal.indicator_number(v.value),
							   healthscore_internal.indicator_number(d.threshold)) END
				   WHEN 'below' THEN CASE WHEN v.value < d.threshold THEN
						format('%s %s (below %s)', d.signal, healthscore_internal.indicator_number(v.value),
							   healthscore_internal.indicator_number(d.threshold)) END
				   WHEN 'event' THEN CASE WHEN v.value > 0 THEN
						format('%s %s', d.signal, healthscore_internal.indicator_number(v.value)) END
				   -- an assessment's raw value is its points: ratings 1-5 are 0, 25, 50, 75, 100
				   WHEN 'rating_below' THEN CASE WHEN v.value / 25 + 1 < d.threshold THEN
						format('%s rated %s (below %s)', d.signal, healthscore_internal.indicator_number(v.value / 25 + 1),
							   healthscore_internal.indicator_number(d.threshold)) END
			   END AS reason) AS c
	WHERE c.reason IS NOT NULL
	GROUP BY sc.account_key;
END
$$;
-- risk_list's action for an account with raised indicators: the playbook of the first raised
-- indicator that has one, for the account's tier before one for any tier. Reads the score row as
-- the caller (row-level security applies).
CREATE OR REPLACE FUNCTION healthscore_internal.indicator_playbook(model text, tier text, run_id bigint, account_key text)
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE COST 1
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[pb.action, pb.owner_role]
	FROM healthscore.scores AS sx
	CROSS JOIN LATERAL unnest(sx.indicators) WITH ORDINALITY AS raised(name, n)
	JOIN healthscore.playbooks AS pb
		ON pb.model = indicator_playbook.model AND pb.indicator = raised.name
		   AND (pb.tier IS NULL OR pb.tier = indicator_playbook.tier)
	WHERE sx.run_id = indicator_playbook.run_id AND sx.account_key = indicator_playbook.account_key
	ORDER BY raised.n, pb.tier IS NULL
	LIMIT 1
$$;
-- Rollups: a refresh whose cost follows the new events, not the length of its windows. For one
-- source of a model, enable_rollup() keeps per account and day (after midnight up to and
-- including the next midnight, in the model's time zone) the partial results of the source's signals' aggregate calls
-- (rollup_calls.c), and per week and 4 weeks their combination, in healthscore.rollup_states.
-- A refresh then combines the few states of the whole days inside each window, and reads events
-- only for the part days at the window's edges and the days not rolled up yet (rolled_query).
--
-- Late and changed data: each refresh as of the current day rolls up again the days that ended
-- within the rollup's late_window (2 days unless set), so rows that arrive that late are counted;
-- rows inserted, updated or deleted further back are counted after refresh_rollup() over their
-- days. The states are built again, from the whole source, when the rolled signals change.
-- A rollup whose days hold fewer than min_events_per_row events per account is not used (reading
-- events is as cheap); enable_rollup() measures that.

-- Roll up the days from since to until (midnights) again, from the source as the model's author,
-- then the weeks and 4-week spans they are in (weeks from days, 4 weeks from weeks, by the
-- combining op of each number and the union of each set): those with a day whose state changed,
-- and those that became whole because the rollup now reaches rolled_until instead of
-- previously_until. A day rolled up again as it was (no late rows) rebuilds nothing. Returns the
-- day states written.
CREATE OR REPLACE FUNCTION healthscore_internal.roll_up(rollup integer, since timestamptz, until timestamptz,
											 previously_until timestamptz, rolled_until timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET standard_conforming_strings = on
AS $$
DECLARE
	existing healthscore.rollups;
	time_zone text;
	written bigint;
	numbers text;
	sets text;
	changed timestamptz[];
	span integer;
	starts timestamptz[];
	plan record;
BEGIN
	SELECT u.* INTO existing FROM healthscore.rollups AS u WHERE u.rollup_id = roll_up.rollup;
	time_zone := (healthscore_internal.model_row(existing.model)).time_zone;
	-- how the numbers combine, from the model's signals (as the states were built), never from
	-- the table's text, which administrators may write
	plan := healthscore_internal.rollup_plan(existing.model, existing.source);
	PERFORM healthscore_internal.rollup_as_author(existing.rollup_id, since, until);
	-- the days whose states differ from those they replace
	SELECT array_agg(DISTINCT coalesce(d.bucket, t.bucket)) INTO changed
	FROM (SELECT * FROM healthscore.rollup_states AS t
		  WHERE t.rollup_id = existing.rollup_id AND t.days = 1 AND t.bucket >= since AND t.bucket < until) AS t
	FULL JOIN pg_temp.healthscore_rollup_rolled AS d ON d.bucket = t.bucket AND d.account_key = t.account_key
	WHERE d.bucket IS NULL OR t.bucket IS NULL OR (d.events, d.numbers) IS DISTINCT FROM (t.events, t.numbers)
	   OR NOT healthscore_internal.exact_sets_same(d.sets, t.sets);
	DELETE FROM healthscore.rollup_states AS t
	WHERE t.rollup_id = existing.rollup_id AND t.days = 1 AND t.bucket >= since AND t.bucket < until;
	INSERT INTO healthscore.rollup_states (rollup_id, days, bucket, account_key, events, numbers, sets)
	SELECT existing.rollup_id, 1, d.bucket, d.account_key, d.events, d.numbers, d.sets
	FROM pg_temp.healthscore_rollup_rolled AS d;
	GET DIAGNOSTICS written = ROW_COUNT;
	DROP TABLE pg_temp.healthscore_rollup_rolled;

	SELECT string_agg(format('pg_catalog.%s(t.numbers[%s])',
							 CASE o.op WHEN 'sum' THEN 'sum' WHEN 'min' THEN 'min' WHEN 'max' THEN 'max' END, o.i),
					  ', ' ORDER BY o.i) INTO numbers
	FROM unnest(plan.ops) WITH ORDINALITY AS o(op, i);
	SELECT string_agg(format('healthscore_internal.exact_set_union(t.sets[%s])', i), ', ' ORDER BY i) INTO sets
	FROM generate_series(1, cardinality(plan.sets)) AS i;
	FOREACH span IN ARRAY ARRAY[7, 28] LOOP
		-- the spans of the changed days, and those that end after previously_until, that are
		-- whole by rolled_until
		SELECT array_agg(DISTINCT p.start) INTO starts
		FROM (SELECT healthscore_internal.bucket_start(c, span, time_zone) AS start FROM unnest(changed) AS c
			  UNION
			  SELECT healthscore_internal.bucket_start(previously_until, span, time_zone)
			  WHERE previously_until < rolled_until
			  UNION
			  SELECT g FROM generate_series(healthscore_internal.bucket_after(healthscore_internal.bucket_start(previously_until, span, time_zone), span, time_zone),
											rolled_until, make_interval(days => span)) AS g
			  WHERE previously_until < rolled_until AND isfinite(previously_until)) AS p
		WHERE isfinite(p.start)
		  AND healthscore_internal.bucket_after(p.start, span, time_zone) <= healthscore_internal.bucket_start(rolled_until, span, time_zone);
		CONTINUE WHEN starts IS NULL;
		DELETE FROM healthscore.rollup_states AS t
		WHERE t.rollup_id = existing.rollup_id AND t.days = span AND t.bucket = ANY (starts);
		EXECUTE format('INSERT INTO healthscore.rollup_states (rollup_id, days, bucket, account_key, events, numbers, sets)'
					   ' SELECT $1, %1$s, %2$s, t.account_key, pg_catalog.sum(t.events)::pg_catalog.int8,'
					   ' ARRAY[%3$s]::pg_catalog.float8[], ARRAY[%4$s]::healthscore.exact_set[]'
					   ' FROM healthscore.rollup_states AS t WHERE t.rollup_id OPERATOR(pg_catalog.=) $1'
					   ' AND t.days OPERATOR(pg_catalog.=) %5$s AND t.bucket OPERATOR(pg_catalog.>=) $2'
					   ' AND t.bucket OPERATOR(pg_catalog.<) $3 AND %2$s OPERATOR(pg_catalog.=) ANY ($4) GROUP BY 3, 4',
					   span, healthscore_internal.bucket_sql('t.bucket', span, time_zone), numbers, sets,
					   CASE span WHEN 7 THEN 1 ELSE 7 END)
			USING existing.rollup_id, (SELECT min(x) FROM unnest(starts) AS x),
				  healthscore_internal.bucket_after((SELECT max(x) FROM unnest(starts) AS x), span, time_zone), starts;
	END LOOP;
	RETURN written;
END
$$;
-- Build a rollup's states from the whole source, up to until (a midnight), and measure whether
-- they pay: with fewer events than min_events_per_row per day state, in the 28 days up to the
-- source's newest row (when they have at least 1,000 day states: then the whole source is not
-- read) or in all of them, no state is kept and refreshes read events.
CREATE OR REPLACE FUNCTION healthscore_internal.build_rollup(rollup integer, until timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
	plan record;
	day_states bigint;
	day_events bigint;
	time_zone text;
	probe_until timestamptz;
BEGIN
	SELECT u.* INTO existing FROM healthscore.rollups AS u WHERE u.rollup_id = build_rollup.rollup;
	plan := healthscore_internal.rollup_plan(existing.model, existing.source);
	-- a midnight in the model's time zone, which may have changed since the rollup was built
	time_zone := (healthscore_internal.model_row(existing.model)).time_zone;
	until := healthscore_internal.bucket_start(until, 1, time_zone);
	DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	UPDATE healthscore.rollups AS u
	SET definition = plan.definition, number_ops = plan.ops, set_count = cardinality(plan.sets),
		rolled_until = CASE WHEN plan.definition IS NOT NULL THEN build_rollup.until END,
		state_rows = 0, events = 0, in_use = false, built_at = now(), maintained_in = pg_current_xact_id()
	WHERE u.rollup_id = existing.rollup_id;
	IF plan.definition IS NULL THEN
		RETURN;		-- no signal it could hold
	END IF;
	-- the density of the 28 days up to the source's newest row first: when they have enough
	-- states to tell that it does not pay, the whole source is not read
	SELECT least(until, healthscore_internal.bucket_after(healthscore_internal.bucket_start(max(f.newest), 1, time_zone), 1, time_zone))
	INTO probe_until
	FROM healthscore_internal.source_freshness(existing.model, now(), true) AS f
	JOIN healthscore.signals AS s ON s.model = existing.model AND s.name = f.signal
	WHERE s.source = existing.source AND s.time_column = plan.time_column;
	probe_until := coalesce(probe_until, until);
	PERFORM healthscore_internal.rollup_as_author(existing.rollup_id, probe_until - interval '28 days', probe_until);
	SELECT count(*), coalesce(sum(d.events), 0) INTO day_states, day_events FROM pg_temp.healthscore_rollup_rolled AS d;
	DROP TABLE pg_temp.healthscore_rollup_rolled;
	IF day_states >= 1000 AND day_events < existing.min_events_per_row * day_states THEN
		UPDATE healthscore.rollups AS u SET state_rows = day_states, events = day_events
		WHERE u.rollup_id = existing.rollup_id;
		RETURN;
	END IF;
	PERFORM healthscore_internal.roll_up(existing.rollup_id, '-infinity', until, '-infinity', until);
	SELECT count(*), coalesce(sum(t.events), 0) INTO day_states, day_events
	FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id AND t.days = 1;
	UPDATE healthscore.rollups AS u
	SET state_rows = day_states, events = day_events,
		in_use = day_states > 0 AND day_events >= u.min_events_per_row * day_states
	WHERE u.rollup_id = existing.rollup_id
	RETURNING u.* INTO existing;
	IF NOT existing.in_use THEN
		DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	END IF;
	-- refreshes plan their reading of the states with the table's statistics: gathered now by
	-- the table's owner, else by autovacuum (ANALYZE would only warn)
	IF pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = 'healthscore.rollup_states'::regclass),
				   'MEMBER') THEN
		ANALYZE healthscore.rollup_states;
	END IF;
END
$$;
-- Before a refresh as of as_of: rollups whose signals changed are built again; the others roll up
-- the days since they were last rolled up, and again those that ended within their late_window,
-- unless this transaction did already (the refreshes of a backfill) or the refresh is of a time
-- well before them. Days are never rolled up beyond today, whose events are still arriving.
CREATE OR REPLACE FUNCTION healthscore_internal.maintain_rollups(model text, as_of timestamptz)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(maintain_rollups.model);
	existing healthscore.rollups;
	plan record;
	today timestamptz := healthscore_internal.bucket_start(now(), 1, found_model.time_zone);
	as_of_day timestamptz := healthscore_internal.bucket_start(as_of, 1, found_model.time_zone);
	new_until timestamptz;
	since timestamptz;
BEGIN
	FOR existing IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name AND u.in_use
				 ORDER BY u.rollup_id FOR UPDATE LOOP
		plan := healthscore_internal.rollup_plan(found_model.name, existing.source);
		IF plan.definition IS DISTINCT FROM existing.definition THEN
			RAISE NOTICE 'refresh(): what the rollup of model "%" over % holds changed since it was built (its signals, their key or time column, the model''s time zone or author): building it again',
				found_model.name, existing.source
				USING DETAIL = 'The whole source is read once; refreshes after this one read the new rollup.';
			PERFORM healthscore_internal.build_rollup(existing.rollup_id, greatest(least(as_of_day, today), existing.rolled_until));
			IF NOT (SELECT u.in_use FROM healthscore.rollups AS u WHERE u.rollup_id = existing.rollup_id) THEN
				RAISE NOTICE 'refresh(): the rollup of model "%" over % is not used any more', found_model.name, existing.source
					USING DETAIL = 'Its days hold fewer events per account than its min_events_per_row, or none of its signals can be rolled up.',
						  HINT = 'healthscore.check_model() says which; healthscore.enable_rollup() measures again.';
			END IF;
			CONTINUE;
		END IF;
		CONTINUE WHEN existing.maintained_in = pg_current_xact_id() OR as_of_day < existing.rolled_until - existing.late_window;
		new_until := greatest(existing.rolled_until, least(as_of_day, today));
		since := least(existing.rolled_until, healthscore_internal.bucket_start(new_until - existing.late_window, 1, found_model.time_zone));
		PERFORM healthscore_internal.roll_up(existing.rollup_id, since, new_until, existing.rolled_until, new_until);
		UPDATE healthscore.rollups AS u SET rolled_until = new_until, maintained_in = pg_current_xact_id()
		WHERE u.rollup_id = existing.rollup_id;
	END LOOP;
END
$$;
-- The rollup of a model's source, or an error saying how to enable it.
CREATE OR REPLACE FUNCTION healthscore_internal.rollup_row(func text, model text, source regclass)
RETURNS healthscore.rollups
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION '%(): source must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the relation whose signals are rolled up.';
	END IF;
	SELECT u.* INTO existing FROM healthscore.rollups AS u
	WHERE u.model = (healthscore_internal.model_row(rollup_row.model)).name AND u.source = rollup_row.source::text;
	IF NOT FOUND THEN
		RAISE EXCEPTION '%(): model "%" has no rollup of source %', func, model, source
			USING ERRCODE = 'undefined_object',
				  HINT = format('Enable one with healthscore.enable_rollup(%L, %L); SELECT model, source FROM healthscore.rollups lists them.',
								model, source::text);
	END IF;
	RETURN existing;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.enable_rollup(model text, source regclass, grain interval DEFAULT '1 day',
										  late_window interval DEFAULT '2 days', min_events_per_row float8 DEFAULT 4,
										  OUT rolled_signals text[], OUT skipped_signals text[], OUT skipped_reasons text[],
										  OUT day_states bigint, OUT events bigint, OUT in_use boolean)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models;
	plan record;
	rollup integer;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	IF source IS NULL THEN
		RAISE EXCEPTION 'enable_rollup(): source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name the relation whose signals are rolled up, e.g. ''app.events''.';
	END IF;
	IF NOT EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.source = enable_rollup.source::text) THEN
		RAISE EXCEPTION 'enable_rollup(): model "%" has no signal over source %', found_model.name, source
			USING ERRCODE = 'undefined_object',
				  HINT = coalesce('Its sources: ' || (SELECT string_agg(DISTINCT s.source, ', ') FROM healthscore.signals AS s
													  WHERE s.model = found_model.name) || '.',
								  'It has no signals yet: add them with healthscore.add_signal() first.');
	END IF;
	IF grain IS DISTINCT FROM interval '1 day' THEN
		RAISE EXCEPTION 'enable_rollup(): grain of the rollup of model "%" over % must be 1 day, not %', found_model.name, source,
			coalesce(grain::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Days run from midnight in the model''s time zone; weeks and 4-week spans are combined from them.';
	END IF;
	IF late_window IS NULL OR late_window < interval '0' OR late_window > interval '366 days' THEN
		RAISE EXCEPTION 'enable_rollup(): late_window of the rollup of model "%" over % must be from 0 to 366 days, not %',
			found_model.name, source, coalesce(late_window::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'How late rows may arrive: each refresh rolls up again the days that ended within it, e.g. ''2 days''.';
	END IF;
	IF min_events_per_row IS NULL OR NOT (min_events_per_row >= 0 AND min_events_per_row < 'infinity') THEN
		RAISE EXCEPTION 'enable_rollup(): min_events_per_row of the rollup of model "%" over % must be a finite number >= 0, not %',
			found_model.name, source, coalesce(min_events_per_row::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Rollups are used only when their days hold this many events per account; 0 uses them always.';
	END IF;
	plan := healthscore_internal.rollup_plan(found_model.name, source::text);
	IF plan.definition IS NULL THEN
		RAISE EXCEPTION 'enable_rollup(): no signal of model "%" over % can be rolled up', found_model.name, source
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = (SELECT string_agg(format('signal "%s": %s', n, r), E'\n')
							FROM unnest(plan.skipped, plan.reasons) AS x(n, r)),
				  HINT = 'Rollups hold count, sum, avg, min, max, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness and healthscore.nps over a timestamptz time column.';
	END IF;
	INSERT INTO healthscore.rollups AS u (model, source, grain, late_window, min_events_per_row)
	VALUES (found_model.name, source::text, grain, late_window, min_events_per_row)
	ON CONFLICT ON CONSTRAINT rollups_model_source_key DO UPDATE
		SET late_window = excluded.late_window, min_events_per_row = excluded.min_events_per_row,
			enabled_by = CURRENT_USER, enabled_at = now()
	RETURNING u.rollup_id INTO rollup;
	PERFORM healthscore_internal.build_rollup(rollup, healthscore_internal.bucket_start(now(), 1, found_model.time_zone));
	rolled_signals := plan.signals;
	skipped_signals := plan.skipped;
	skipped_reasons := plan.reasons;
	SELECT u.state_rows, u.events, u.in_use INTO day_states, enable_rollup.events, enable_rollup.in_use
	FROM healthscore.rollups AS u WHERE u.rollup_id = rollup;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.disable_rollup(model text, source regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	existing healthscore.rollups;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	existing := healthscore_internal.rollup_row('disable_rollup', model, source);
	DELETE FROM healthscore.rollup_states AS t WHERE t.rollup_id = existing.rollup_id;
	DELETE FROM healthscore.rollups AS u WHERE u.rollup_id = existing.rollup_id;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.refresh_rollup(model text, source regclass, since timestamptz,
										   until timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	existing healthscore.rollups;
	time_zone text;
	first_day timestamptz;
	last_day timestamptz;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	existing := healthscore_internal.rollup_row('refresh_rollup', model, source);
	time_zone := (healthscore_internal.model_row(model)).time_zone;
	PERFORM set_config('TimeZone', time_zone, true);
	IF since IS NULL OR until IS NULL OR NOT isfinite(since) OR NOT isfinite(until) OR since > until THEN
		RAISE EXCEPTION 'refresh_rollup(): since and until of the rollup of model "%" over % must be finite with since <= until',
			existing.model, existing.source
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the times of the first and the last row that were inserted, updated or deleted (until: a time, not a date: ''2026-01-31'' is its first instant).';
	END IF;
	IF NOT existing.in_use THEN
		RAISE EXCEPTION 'refresh_rollup(): the rollup of model "%" over % is not in use, and keeps no states', existing.model, existing.source
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'healthscore.enable_rollup() measures again whether it pays; refreshes read the events meanwhile.';
	END IF;
	-- the days that hold since and until, (midnight, next midnight]
	first_day := healthscore_internal.bucket_start(since - interval '1 microsecond', 1, time_zone);
	last_day := healthscore_internal.bucket_after(healthscore_internal.bucket_start(until - interval '1 microsecond', 1, time_zone), 1, time_zone);
	last_day := least(last_day, existing.rolled_until);
	IF first_day >= last_day THEN
		RETURN 0;	-- those days are not rolled up yet: refreshes read their events
	END IF;
	RETURN healthscore_internal.roll_up(existing.rollup_id, first_day, last_day, existing.rolled_until, existing.rolled_until);
END
$$;
-- Running a refresh: one run of a model writes a run record and a score row per account (the
-- scoring query of generation.sql, run as the model's author); each score row keeps its signals'
-- raw values and points as arrays in signal order, one row per account rather than one per
-- account and signal, which is what makes writing history cheap. Backfills and model groups.

-- jit is off for the refresh: its generated queries are large and cost enough to trigger
-- inlining and optimization, which take longer than they save (measured by make bench). The
-- settings that change how values are written and read are pinned, so that scores never depend
-- on the session; the time zone is then the model's (set below, undone when the function ends).
CREATE OR REPLACE FUNCTION healthscore.refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
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
	signal_categories text[];
	signal_group_weights float8[];
	previous_categories text[];
	previous_group_weights float8[];
	accounts_total integer;
	accounts_with_score integer;
	tier_changes integer;
	bad_keys bigint;
	previous_run bigint;
	signal_stale boolean[];
	signal_newest timestamptz[];
	stale_signal record;
	window_run bigint;
	window_start timestamptz;
	previous_signals text[];
	previous_weights float8[];
	previous_fingerprint text;
	this_fingerprint text;
	calibration healthscore.calibrations;
	probability_note text;
BEGIN
	IF as_of IS NULL OR NOT isfinite(as_of) THEN
		RAISE EXCEPTION 'refresh(): as_of must be a finite timestamp, not %', coalesce(as_of::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time the scores describe, e.g. now().';
	END IF;
	-- one refresh of a model at a time; a second waits here, then reads the model as committed
	PERFORM healthscore_internal.lock_model(model);
	found_model := healthscore_internal.model_row(model);
	this_fingerprint := healthscore.fingerprint(found_model.name);
	-- churn probabilities only from a calibration of the model as it is now
	SELECT c.* INTO calibration FROM healthscore.calibrations AS c WHERE c.model = found_model.name;
	IF calibration.model IS NULL THEN
		probability_note := 'not calibrated: run healthscore.calibrate()';
	ELSIF calibration.fingerprint <> this_fingerprint THEN
		probability_note := 'the model changed since it was calibrated: run healthscore.calibrate() again';
		calibration := NULL;
	END IF;
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, signal_weights
	FROM healthscore.signals AS s WHERE s.model = found_model.name;
	SELECT g.categories, g.group_weights INTO signal_categories, signal_group_weights
	FROM healthscore_internal.signal_groups(found_model.name) AS g;

	PERFORM set_config('TimeZone', found_model.time_zone, true);
	-- what would make the scoring query fail, said plainly: relations, columns, the author's grants
	PERFORM healthscore_internal.raise_model_errors(found_model.name, 'refresh');
	-- rollups: the days not rolled up yet, and again those within their late window
	PERFORM healthscore_internal.maintain_rollups(found_model.name, as_of);

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
	-- one row per account (a new one: one left over from an earlier refresh of this transaction, a
	-- backfill, is dropped); its plan may be parallel.
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
								  signals, weights, stale, newest_rows, categories, group_weights, probability_horizon,
								  probability_min_score, probability_max_score, probability_note)
	VALUES (found_model.name, as_of, started, started, 0, 0, this_fingerprint,
			signal_names, signal_weights, signal_stale, signal_newest, signal_categories, signal_group_weights,
			calibration.horizon, calibration.min_score, calibration.max_score, probability_note)
	RETURNING run_id INTO run;

	-- the run before this one: its scores give the change, the tier change and the sparkline,
	-- written here once rather than computed by every query of the views
	SELECT r.run_id INTO previous_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND (r.as_of, r.run_id) < (refresh.as_of, run)
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	SELECT r.signals, r.weights, r.fingerprint, r.categories, r.group_weights
	INTO previous_signals, previous_weights, previous_fingerprint, previous_categories, previous_group_weights
	FROM healthscore.runs AS r WHERE r.run_id = previous_run;
	-- the trend's baseline: the latest run at or before the start of the trend window (in the
	-- model's time zone, which is the session's here)
	BEGIN
		window_start := as_of - found_model.trend_window;
	EXCEPTION WHEN datetime_field_overflow THEN
		window_start := NULL;	-- before the first timestamp: no run can be that old
	END;
	SELECT r.run_id INTO window_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND r.as_of <= window_start
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	-- the risk indicators each account raises, beside the score
	PERFORM healthscore_internal.evaluate_indicators(found_model.name, run, signal_names, previous_run, as_of);

	-- One statement writes every score with its explanation. The tier in force is the latest
	-- active override's (set_at <= as_of < expires_at), unless the model allows only lowering and
	-- that override would raise the computed tier: then the next one applies, if any. The computed
	-- tier stays beside it; it keeps the account's tier of the run before unless the score passes a
	-- cutoff by more than the model's tier_hysteresis (the tier by the cutoffs alone is kept too).
	-- What changed since the run before is blamed on signals only when the model is the same. A
	-- NULL or repeated account key fails the primary key or NOT NULL of
	-- scores; the handler turns that into an error that says what to fix.
	BEGIN
		WITH written AS (
			INSERT INTO healthscore.scores (run_id, model, account_key, score, tier, computed_tier, override_id,
											previous_score, previous_tier, sparkline, reasons, worst_signal,
											segment, value, owner, renewal_date, raw_values, points,
											window_start_score, tier_without_hysteresis, why_changed, weakest_group,
											indicators, indicators_since, indicator_reasons, parent_key, churn_probability,
											expected_loss)
			SELECT run, found_model.name, a.account_key, a.score,
				   coalesce(a.override_tiers[a.chosen], a.computed_tier), a.computed_tier, a.override_ids[a.chosen],
				   a.previous_score, a.previous_tier,
				   right(coalesce(a.previous_sparkline, '') || healthscore_internal.spark_code(a.score), 12),
				   healthscore.score_reasons(signal_names, a.raw_values, a.points, a.weights_now, 3),
				   healthscore.worst_signal(signal_names, a.points, a.weights_now),
				   a.segment, a.value, a.owner, a.renewal_date, a.raw_values, a.points,
				   a.window_start_score, a.plain_tier,
				   CASE WHEN a.previous_points IS NOT NULL AND previous_fingerprint IS DISTINCT FROM this_fingerprint
						THEN 'the model''s definition changed since the run before'
						ELSE healthscore_internal.change_reasons(signal_names, a.raw_values, a.points, signal_weights,
																 signal_categories, signal_group_weights, previous_signals,
																 a.previous_raw_values, a.previous_points, previous_weights,
																 previous_categories, previous_group_weights, 3) END,
				   healthscore.weakest_group(a.points, signal_weights, signal_categories),
				   a.indicator_names, a.indicator_since, a.indicator_reasons, a.parent_key,
				   a.churn_probability,
				   -- value is numeric: converted only where there is a probability
				   CASE WHEN a.churn_probability IS NOT NULL THEN a.churn_probability * a.value::float8 END
			FROM (SELECT t.*,
						 healthscore.churn_probability(t.score, calibration.intercept, calibration.slope)
							 AS churn_probability,
						 CASE WHEN t.override_ids IS NOT NULL THEN
							 (SELECT min(i) FROM generate_subscripts(t.override_ids, 1) AS i
							  WHERE NOT (found_model.overrides_lower_only AND t.computed_tier <> 'unknown'
										 AND array_position(found_model.tier_labels, t.override_tiers[i])
											 > array_position(found_model.tier_labels, t.computed_tier)))
						 END AS chosen
				  FROM (SELECT p.*,
							   coalesce(healthscore_internal.tier_with_hysteresis(p.score, previous.computed_tier,
									found_model.tier_hysteresis, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS computed_tier,
							   coalesce(healthscore.tier(p.score, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS plain_tier,
							   previous.score AS previous_score, previous.tier AS previous_tier,
							   previous.sparkline AS previous_sparkline, previous.raw_values AS previous_raw_values,
							   previous.points AS previous_points, start.score AS window_start_score,
							   active.override_ids, active.override_tiers,
							   raised.names AS indicator_names, raised.since AS indicator_since,
							   raised.reasons AS indicator_reasons
						FROM (SELECT w.*, healthscore.score_from_points(w.points, w.weights_now) AS score
							  FROM (SELECT scored.*,
										   -- the signals' own weights unless the model has group weights
										   healthscore.effective_weights(scored.points, signal_weights, signal_categories,
																		 signal_group_weights) AS weights_now
									FROM pg_temp.healthscore_refresh_scored AS scored
									OFFSET 0) AS w
							  OFFSET 0) AS p	-- fences: each account's weights and score computed once
						LEFT JOIN healthscore.scores AS previous
							ON previous.run_id = previous_run AND previous.account_key = p.account_key
						LEFT JOIN healthscore.scores AS start
							ON start.run_id = window_run AND start.account_key = p.account_key
						LEFT JOIN pg_temp.healthscore_refresh_indicators AS raised ON raised.account_key = p.account_key
						LEFT JOIN (SELECT ov.account_key,
										  array_agg(ov.override_id ORDER BY ov.set_at DESC, ov.override_id DESC)
											AS override_ids,
										  array_agg(ov.tier ORDER BY ov.set_at DESC, ov.override_id DESC) AS override_tiers
								   FROM healthscore.overrides AS ov
								   WHERE ov.model = found_model.name
									 AND ov.set_at <= refresh.as_of AND ov.expires_at > refresh.as_of
								   GROUP BY ov.account_key) AS active ON active.account_key = p.account_key) AS t) AS a
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
	DROP TABLE pg_temp.healthscore_refresh_indicators;

	-- tell listeners (scheduled jobs, alerting) when the run commits: which run, no more (any role
	-- may LISTEN, so totals are not in it; model_runs and tier_changes give them, with the
	-- listener's privileges). Its time in UTC whatever the model's time zone.
	PERFORM set_config('TimeZone', 'UTC', true);
	PERFORM pg_notify('healthscore', json_build_object(
		'model', found_model.name, 'status', 'succeeded', 'run_id', run, 'as_of', refresh.as_of)::text);
	RETURN run;
END
$$;
-- Steps are taken in the model's time zone ('1 day' is a calendar day there).
CREATE OR REPLACE FUNCTION healthscore.backfill(model text, since timestamptz, until timestamptz, step interval)
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
	PERFORM set_config('TimeZone', (healthscore_internal.model_row(model)).time_zone, true);
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
	-- rollups are brought up to until once; the refreshes below, in this transaction, use them
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.maintain_rollups(model, until);
	as_of := since;
	WHILE as_of <= until LOOP
		run := healthscore.refresh(model, as_of);
		RAISE NOTICE 'backfill: model "%" as of % is run %', model, as_of, run;
		RETURN NEXT run;
		as_of := as_of + step;
	END LOOP;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.refresh_group(model_group text, as_of timestamptz DEFAULT pg_catalog.now())
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
-- Scheduling: runs that leave a trace when they fail (run() and its attempts), pg_cron schedules
-- that work on a stock server, how often a model is expected to be refreshed, and dropping a model
-- with its schedule.

-- A name given to run() and schedule(): a model, or a model group (its models by priority).
CREATE OR REPLACE FUNCTION healthscore_internal.run_members(name text, func text)
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
-- pg_cron's objects, only when the extension pg_cron is installed here: by name, schema cron is
-- anyone's to create in a database without pg_cron, with functions and views that the caller
-- would run.
CREATE OR REPLACE FUNCTION healthscore_internal.cron_installed()
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
-- Whether pg_cron's library is loaded (it defines its settings when it is preloaded; a setting
-- only written in postgresql.conf is a placeholder of type string).
CREATE OR REPLACE FUNCTION healthscore_internal.cron_loaded()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT FROM pg_settings AS s WHERE s.name = 'cron.use_background_workers' AND s.vartype = 'bool')
$$;
CREATE OR REPLACE FUNCTION healthscore_internal.cron_job_name(model text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'healthscore refresh ' || model $$;
-- How often a cron schedule runs, for the common forms (every minute, every n minutes, hourly,
-- every n hours, daily, weekly on one day, monthly on one day, and pg_cron's @ names); NULL for
-- others, whose period is not one interval (lists, ranges of days).
CREATE OR REPLACE FUNCTION healthscore_internal.cron_interval(cron text)
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
-- What would keep a scheduled job from running, as far as the caller may see the settings
-- (pg_cron's are for superusers and pg_read_all_settings only): errors for what certainly fails,
-- a warning for a connection that probably does.
CREATE OR REPLACE FUNCTION healthscore_internal.check_cron(func text, name text, cron text)
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
CREATE OR REPLACE FUNCTION healthscore.set_expected_every(name text, expected_every interval)
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
CREATE OR REPLACE FUNCTION healthscore.schedule(model text, cron text)
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
CREATE OR REPLACE FUNCTION healthscore.unschedule(model text, if_exists boolean DEFAULT false)
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
CREATE OR REPLACE FUNCTION healthscore.drop_model(model text)
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
-- run(name): the steps of the procedure, each a function (which pins its settings; a procedure
-- that commits cannot have SET clauses).

-- Records a running attempt for each model the name stands for, and takes the session-level
-- lock that says it is still running; committed by run() before anything is refreshed.
CREATE OR REPLACE FUNCTION healthscore_internal.begin_attempts(name text, as_of timestamptz)
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
-- Refreshes the attempts' models in order (a group's by priority) in one transaction, as
-- refresh_group() does, and marks them succeeded with their runs.
CREATE OR REPLACE FUNCTION healthscore_internal.refresh_attempts(ids bigint[])
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
-- After a failed refresh (rolled back): the attempts failed with the error, and listeners learn
-- that they did (the error stays out of the payload: any role may LISTEN).
CREATE OR REPLACE FUNCTION healthscore_internal.fail_attempts(ids bigint[], error_sqlstate text, error_message text,
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
CREATE OR REPLACE FUNCTION healthscore_internal.end_attempts(ids bigint[])
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT FROM (SELECT pg_advisory_unlock(k.class, k.id)
				 FROM unnest(ids) AS a(id), healthscore_internal.attempt_lock(a.id) AS k) AS unlocked
$$;
-- The refresh's error again, after its failure was committed, so that the caller (pg_cron's
-- job_run_details) sees it.
CREATE OR REPLACE FUNCTION healthscore_internal.raise_failure(error_sqlstate text, error_message text, error_detail text,
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
-- CALL healthscore.run(name): what schedules run. It commits a running attempt, refreshes (a
-- model, or a group's models in one transaction), and commits the outcome: succeeded with the
-- run, or failed with the error, which it then raises again so that the caller sees it. It
-- commits, so it must be called outside a transaction block. PL/pgSQL resolves the names in the
-- body through the caller's search_path and a procedure that commits may not pin it: every name
-- here is qualified.
CREATE OR REPLACE PROCEDURE healthscore.run(name text, as_of timestamptz DEFAULT NULL)
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
-- Account hierarchies: a model (or every model of a group) names the account relation's column
-- holding each account's parent account; a parent's rollup is computed from its children's
-- current scores (view parent_scores). Links to a parent that is not an account, and links on a
-- cycle, are skipped and reported by check_model; they never fail a refresh.

CREATE OR REPLACE FUNCTION healthscore.set_parent(name text, parent_column text, rollup text DEFAULT 'value_weighted')
RETURNS text[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members text[] := healthscore_internal.run_members(name, 'set_parent');
	member healthscore.models;
BEGIN
	IF rollup IS NULL OR NOT rollup = ANY (ARRAY['value_weighted', 'minimum']) THEN
		RAISE EXCEPTION 'set_parent(): rollup of "%" must be value_weighted or minimum, not %', name, coalesce(rollup, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'value_weighted: the children''s scores weighted by their value (ARR); minimum: the weakest child''s score.';
	END IF;
	PERFORM healthscore_internal.lock_model(m) FROM unnest(members) AS m;
	FOR member IN SELECT * FROM healthscore.models AS m WHERE m.name = ANY (members) ORDER BY m.name LOOP
		IF parent_column IS NOT NULL THEN
			PERFORM healthscore_internal.check_column('set_parent', 'parent', member.accounts::regclass, parent_column);
		END IF;
	END LOOP;
	-- one tier scale for a parent, whichever model scored each child
	IF (SELECT count(DISTINCT (m.tier_cutoffs, m.tier_labels)) FROM healthscore.models AS m WHERE m.name = ANY (members)) > 1 THEN
		RAISE EXCEPTION 'set_parent(): the models of group "%" have different tier cutoffs or labels', name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A parent''s tier needs one scale: give the models the same tier_cutoffs and tier_labels (alter_model).';
	END IF;
	UPDATE healthscore.models AS m SET parent_column = set_parent.parent_column, rollup = set_parent.rollup
	WHERE m.name = ANY (members);
	RETURN members;
END
$$;
-- The parent links of the current runs that the caller may see (row-level security of the scores
-- applies: it runs as the caller), by scope (the model group, or the model on its own), each with
-- its problem: NULL, 'missing parent' (the parent is no account of the scope's current runs) or
-- 'cycle' (following parents leads back to the account, within 32 steps).
CREATE OR REPLACE FUNCTION healthscore_internal.hierarchy_links()
RETURNS TABLE (scope text, model text, account_key text, parent_key text, score float8, value numeric,
			   tier_cutoffs float8[], tier_labels text[], rollup text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE linked AS (
		SELECT coalesce(m.model_group, m.name) AS scope, m.name AS model, s.account_key, s.parent_key, s.score,
			   s.value, m.tier_cutoffs, m.tier_labels, m.rollup
		FROM healthscore.models AS m
		CROSS JOIN LATERAL (SELECT r.run_id FROM healthscore.runs AS r WHERE r.model = m.name
							ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS current_run
		JOIN healthscore.scores AS s ON s.run_id = current_run.run_id
		WHERE m.parent_column IS NOT NULL
	), walk AS (
		SELECT l.scope, l.account_key AS start, l.parent_key AS node, 1 AS depth
		FROM linked AS l WHERE l.parent_key IS NOT NULL AND l.parent_key <> l.account_key
		UNION ALL
		SELECT w.scope, w.start, p.parent_key, w.depth + 1
		FROM walk AS w JOIN linked AS p ON p.scope = w.scope AND p.account_key = w.node
		WHERE w.node <> w.start AND w.depth < 32 AND p.parent_key IS NOT NULL
	)
	SELECT l.scope, l.model, l.account_key, l.parent_key, l.score, l.value, l.tier_cutoffs, l.tier_labels, l.rollup,
		   CASE WHEN l.parent_key IS NULL THEN NULL
				WHEN l.parent_key = l.account_key
					 OR EXISTS (SELECT FROM walk AS w WHERE w.scope = l.scope AND w.start = l.account_key
								AND w.node = l.account_key) THEN 'cycle'
				WHEN NOT EXISTS (SELECT FROM linked AS p WHERE p.scope = l.scope AND p.account_key = l.parent_key)
					THEN 'missing parent' END
	FROM linked AS l
$$;
-- One account's story for an account page: every run of the model with its score, tier, trend
-- over the window, the signals that cost the most, and what changed since the run before.
CREATE OR REPLACE FUNCTION healthscore.account_story(model text, account_key text)
RETURNS TABLE (run_id bigint, as_of timestamptz, score float8, tier text, tier_rank integer, computed_tier text,
			   overridden boolean, change float8, window_change float8, trend text, reasons text, why_changed text,
			   sparkline text, model_changed boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.run_id, r.as_of, s.score, s.tier, array_position(m.tier_labels, s.tier), s.computed_tier,
		   s.override_id IS NOT NULL, s.score - s.previous_score, s.score - s.window_start_score,
		   healthscore_internal.trend_over_window(s.score, s.window_start_score, m.trend_threshold),
		   s.reasons, s.why_changed, healthscore.sparkline(s.sparkline),
		   r.fingerprint <> lag(r.fingerprint) OVER (ORDER BY r.as_of, r.run_id)
	FROM healthscore.scores AS s
	JOIN healthscore.runs AS r ON r.run_id = s.run_id
	JOIN healthscore.models AS m ON m.name = s.model
	WHERE s.model = account_story.model AND s.account_key = account_story.account_key
	ORDER BY r.as_of, r.run_id
$$;
-- Accounts of a model group that no model of the group scored in its latest run (their filters
-- all miss and the group has no default model, or they are new since). Runs no model text: the
-- account relation is read as the group's author (accounts_as_author), and of it the reader gets
-- the accounts it may see.
CREATE OR REPLACE FUNCTION healthscore.unscored_accounts(model_group text)
RETURNS TABLE (account_key text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.key
	FROM healthscore_internal.accounts_as_author(unscored_accounts.model_group) AS a(key)
	WHERE NOT EXISTS (
		SELECT FROM healthscore.models AS m
		CROSS JOIN LATERAL (SELECT x.run_id FROM healthscore.runs AS x WHERE x.model = m.name
							ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS latest
		JOIN healthscore.scores AS s ON s.run_id = latest.run_id AND s.account_key = a.key
		WHERE m.model_group = unscored_accounts.model_group)
$$;
-- Validation against real outcomes: where churn is recorded, how well each run's scores predicted
-- it (AUC, churn by tier, lift), and which weights the data suggests.

CREATE OR REPLACE FUNCTION healthscore.set_outcomes(model text, outcomes regclass, key text, churned_on text,
										 reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	date_type regtype;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	PERFORM healthscore_internal.model_row(model);
	IF outcomes IS NULL THEN
		RAISE EXCEPTION 'set_outcomes(): outcomes must name the relation where churn is recorded'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. outcomes => ''app.churned_accounts''.';
	END IF;
	PERFORM healthscore_internal.check_column('set_outcomes', 'key', outcomes, key);
	PERFORM healthscore_internal.check_column('set_outcomes', 'churned_on', outcomes, churned_on);
	IF reason IS NOT NULL THEN
		PERFORM healthscore_internal.check_column('set_outcomes', 'reason', outcomes, reason);
	END IF;
	SELECT atttypid::regtype INTO date_type FROM pg_attribute WHERE attrelid = outcomes AND attname = churned_on;
	IF date_type NOT IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'set_outcomes(): churned_on column "%" must be a date or timestamp, not %', churned_on, date_type
			USING ERRCODE = 'datatype_mismatch', HINT = 'Name the column holding when the account churned.';
	END IF;
	UPDATE healthscore.models AS m
	SET outcomes = set_outcomes.outcomes::text, outcome_key = key, outcome_date = churned_on, outcome_reason = reason
	WHERE m.name = set_outcomes.model;
	RETURN model;
END
$$;
-- The scored population of every run that has a full horizon of known outcomes after it: one row
-- per run and account with a score, not churned by the run's as-of time, and whether it churned
-- within the horizon. The shared ground of evaluate(), evaluate_tiers() and suggest_weights().
-- PARALLEL UNSAFE, as everything that calls it: it sets the time zone, which no parallel operation may.
CREATE OR REPLACE FUNCTION healthscore_internal.run_outcomes(model text, horizon interval, known_until timestamptz)
RETURNS TABLE (run_id bigint, as_of timestamptz, account_key text, score float8, tier text, churned boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
BEGIN
	-- horizons and churn dates in the model's time zone, until this function returns
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION 'run_outcomes(): model "%" has no outcome relation', found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	IF horizon IS NULL OR NOT horizon > interval '0' THEN
		RAISE EXCEPTION 'run_outcomes(): horizon of model "%" must be a positive interval, not %', found_model.name,
			coalesce(horizon::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. ''90 days''.';
	END IF;
	IF known_until IS NULL OR NOT isfinite(known_until) THEN
		RAISE EXCEPTION 'run_outcomes(): known_until of model "%" must be a finite timestamp, not %', found_model.name,
			coalesce(known_until::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time up to which churn is recorded, e.g. now().';
	END IF;
	BEGIN
		PERFORM known_until - horizon, known_until + horizon;
	EXCEPTION WHEN datetime_field_overflow THEN
		RAISE EXCEPTION 'run_outcomes(): horizon % of model "%" reaches beyond the range of timestamps', horizon, found_model.name
			USING ERRCODE = 'datetime_field_overflow', HINT = 'Churn horizons are weeks or months, e.g. ''90 days''.';
	END;
	-- the outcome relation is read as the model's author (outcomes_as_author): it is a relation
	-- the author named, and could be a view that calls anything
	RETURN QUERY
	SELECT s.run_id, r.as_of, s.account_key, s.score, s.tier,
		   coalesce(o.churned_at <= r.as_of + horizon, false) AS churned
	FROM healthscore.runs AS r
	JOIN healthscore.scores AS s ON s.run_id = r.run_id
	LEFT JOIN (SELECT x.account_key, x.churned_at::timestamptz AS churned_at
			   FROM healthscore_internal.outcomes_as_author(found_model.name) AS x) AS o
		ON o.account_key = s.account_key
	WHERE r.model = found_model.name AND r.as_of + horizon <= known_until
	  AND s.score IS NOT NULL
	  AND (o.churned_at IS NULL OR o.churned_at > r.as_of);
END
$$;
CREATE OR REPLACE FUNCTION healthscore.evaluate_tiers(model text, horizon interval DEFAULT '90 days',
										   known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, tier text, tier_rank integer,
			   accounts bigint, churned bigint, churn_rate float8)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.run_id, o.as_of, o.tier, array_position(m.tier_labels, o.tier),
		   count(*), count(*) FILTER (WHERE o.churned), avg(o.churned::integer)::float8
	FROM healthscore.models AS m,
		 healthscore_internal.run_outcomes(evaluate_tiers.model, horizon, known_until) AS o
	WHERE m.name = evaluate_tiers.model
	GROUP BY m.tier_labels, o.run_id, o.as_of, o.tier
$$;
CREATE OR REPLACE FUNCTION healthscore.evaluate(model text, horizon interval DEFAULT '90 days',
									 known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, horizon interval, accounts bigint, churned bigint,
			   churn_rate float8, auc float8, worst_tier text, worst_tier_churn_rate float8, best_tier text,
			   best_tier_churn_rate float8, lift_worst_tier float8, churn_falls_by_tier boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH runs AS (
		SELECT o.run_id, o.as_of, count(*) AS accounts, count(*) FILTER (WHERE o.churned) AS churned,
			   avg(o.churned::integer)::float8 AS churn_rate, healthscore.auc(o.score, o.churned) AS auc
		FROM healthscore_internal.run_outcomes(evaluate.model, evaluate.horizon, known_until) AS o
		GROUP BY o.run_id, o.as_of
	), tiers AS (
		SELECT t.*, lead(t.churn_rate) OVER (PARTITION BY t.run_id ORDER BY t.tier_rank) AS next_rate,
			   row_number() OVER (PARTITION BY t.run_id ORDER BY t.tier_rank) AS from_worst,
			   row_number() OVER (PARTITION BY t.run_id ORDER BY t.tier_rank DESC) AS from_best
		FROM healthscore.evaluate_tiers(evaluate.model, evaluate.horizon, known_until) AS t
		WHERE t.tier <> 'unknown'
	)
	SELECT r.run_id, r.as_of, evaluate.horizon, r.accounts, r.churned, r.churn_rate, r.auc,
		   worst.tier, worst.churn_rate, best.tier, best.churn_rate,
		   worst.churn_rate / nullif(r.churn_rate, 0),
		   NOT EXISTS (SELECT FROM tiers AS t WHERE t.run_id = r.run_id AND t.next_rate > t.churn_rate)
	FROM runs AS r
	LEFT JOIN tiers AS worst ON worst.run_id = r.run_id AND worst.from_worst = 1
	LEFT JOIN tiers AS best ON best.run_id = r.run_id AND best.from_best = 1
	ORDER BY r.as_of, r.run_id
$$;
-- Weights from data: logistic regression of churn on the signals' points (0-1) over the earlier
-- evaluable runs; AUCs measured on the later ones (a time-based split, so the test is honest).
-- A signal missing for an account takes the account's score, which is what redistributing its
-- weight means. Signals in exclude are left out of the fit and keep their weight (the others
-- share the rest): a signal whose points do not vary over the fitted rows (a rarely rated
-- assessment) cannot be estimated, and the error says so by name.
CREATE OR REPLACE FUNCTION healthscore.suggest_weights(model text, horizon interval DEFAULT '90 days',
											known_until timestamptz DEFAULT pg_catalog.now(),
											exclude text[] DEFAULT NULL)
RETURNS TABLE (signal text, current_weight float8, suggested_weight float8, coefficient float8,
			   std_error float8, wrong_direction boolean, note text, signal_auc float8, model_auc_current float8,
			   model_auc_suggested float8, fit_runs integer, test_runs integer, fit_rows bigint, test_rows bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE	-- a temporary table holds the rows it fits and tests
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal_names text[];
	weights float8[];
	fitted_names text[];
	fitted_weights float8[];
	unknown text;
	stuck text;
	failure text;
	runs bigint[];
	fit_run_count integer;
	fit healthscore.logistic_fit_result;
	importance float8[];
	suggested float8[];
	total_importance float8;
	auc_current float8;
	auc_suggested float8;
	fit_row_count bigint;
	test_row_count bigint;
BEGIN
	PERFORM healthscore_internal.model_row(model);
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, weights FROM healthscore.signals AS s WHERE s.model = suggest_weights.model;
	IF signal_names IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): model "%" has no signals', model
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add signals and refresh first.';
	END IF;
	-- with group weights, the weights compared and suggested are the signals' effective weights
	-- when their whole group is present (apply_weights maps them back)
	weights := healthscore_internal.full_group_weights(model, weights);
	IF (healthscore_internal.model_row(model)).outcomes IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): model "%" has no outcome relation', model
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	SELECT e INTO unknown FROM unnest(exclude) AS e WHERE e IS NULL OR NOT e = ANY (signal_names) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'suggest_weights(): exclude names "%", which is not a signal of model "%"', unknown, model
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', array_to_string(signal_names, ', '));
	END IF;
	SELECT array_agg(n ORDER BY i), array_agg(weights[i] ORDER BY i) INTO fitted_names, fitted_weights
	FROM unnest(signal_names) WITH ORDINALITY AS u(n, i) WHERE NOT n = ANY (coalesce(exclude, '{}'));
	IF fitted_names IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): exclude leaves no signal of model "%" to fit', model
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave at least one signal in.';
	END IF;

	CREATE TEMP TABLE healthscore_suggest_rows ON COMMIT DROP AS
	SELECT o.run_id, o.as_of, o.account_key, o.score, o.churned,
		   array_agg(coalesce(c.points, o.score) / 100 ORDER BY array_position(fitted_names, c.signal)) AS features,
		   count(c.signal) AS signals
	FROM healthscore_internal.run_outcomes(model, horizon, known_until) AS o
	JOIN healthscore.components AS c ON c.run_id = o.run_id AND c.account_key = o.account_key
	WHERE c.signal = ANY (fitted_names)
	GROUP BY o.run_id, o.as_of, o.account_key, o.score, o.churned;
	-- runs made before a signal was added lack it: they cannot be fitted on the current signals
	DELETE FROM healthscore_suggest_rows WHERE signals <> cardinality(fitted_names);

	SELECT array_agg(r ORDER BY r) INTO runs FROM (SELECT DISTINCT run_id AS r FROM healthscore_suggest_rows) AS d;
	IF coalesce(cardinality(runs), 0) < 2 THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): model "%" needs at least 2 runs with the current signals and a full % of outcomes after them',
			model, horizon
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Backfill runs further in the past (healthscore.backfill), or pass a shorter horizon.';
	END IF;
	-- earliest two thirds (at least one) for fitting, the rest for testing
	fit_run_count := greatest(1, least(cardinality(runs) - 1, ceil(cardinality(runs) * 2.0 / 3)::integer));

	-- a signal with the same points in every fitted row has no coefficient to estimate
	SELECT fitted_names[i] INTO stuck
	FROM generate_subscripts(fitted_names, 1) AS i
	WHERE (SELECT min(r.features[i]) = max(r.features[i]) FROM healthscore_suggest_rows AS r
		   WHERE r.run_id <= runs[fit_run_count])
	ORDER BY i LIMIT 1;
	BEGIN
		IF stuck IS NULL THEN
			fit := (SELECT healthscore.logistic_fit(r.churned, r.features)
					FROM healthscore_suggest_rows AS r WHERE r.run_id <= runs[fit_run_count]);
		END IF;
	EXCEPTION WHEN invalid_parameter_value THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT;
		-- logistic_fit() counts features from 1, as the array does
		stuck := fitted_names[substring(failure FROM 'feature ([0-9]+) is constant')::integer];
		IF stuck IS NULL THEN
			RAISE;
		END IF;
	END;
	IF stuck IS NOT NULL THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): the weight of signal "%" of model "%" cannot be estimated: its points are the same in every fitted row, or follow from the other signals''', stuck, model
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Leave it out (it keeps its weight): SELECT * FROM healthscore.suggest_weights(%L, %L, %L, exclude => %L).',
								model, horizon, known_until, array_append(coalesce(exclude, '{}'), stuck)::text);
	END IF;
	fit_row_count := fit.rows;

	-- more points should mean less churn: a negative coefficient is the signal's importance
	SELECT array_agg(greatest(0, -c) ORDER BY i) INTO importance
	FROM unnest(fit.coefficients[2:]) WITH ORDINALITY AS u(c, i);
	SELECT sum(i) INTO total_importance FROM unnest(importance) AS i;
	IF NOT total_importance > 0 THEN
		DROP TABLE healthscore_suggest_rows;
		RAISE EXCEPTION 'suggest_weights(): no signal of model "%" predicts churn in the expected direction', model
			USING ERRCODE = 'data_exception',
				  HINT = 'Check the outcome relation and the signals'' scoring directions.';
	END IF;
	SELECT array_agg(i / total_importance * (SELECT sum(w) FROM unnest(fitted_weights) AS w) ORDER BY n) INTO suggested
	FROM unnest(importance) WITH ORDINALITY AS u(i, n);

	-- an excluded signal keeps its weight; its points enter as the account's score stands for them
	SELECT healthscore.auc(r.score, r.churned),
		   healthscore.auc((SELECT sum(f * s) FROM unnest(r.features, suggested) AS x(f, s))
						   + (SELECT coalesce(sum(w), 0) FROM unnest(weights, signal_names) AS x(w, n)
							  WHERE n = ANY (coalesce(exclude, '{}'))) * r.score / 100, r.churned),
		   count(*)
	INTO auc_current, auc_suggested, test_row_count
	FROM healthscore_suggest_rows AS r WHERE r.run_id > runs[fit_run_count];

	RETURN QUERY
	SELECT fitted_names[i], fitted_weights[i], suggested[i], fit.coefficients[i + 1],
		   fit.std_errors[i + 1], fit.coefficients[i + 1] > 0,
		   -- a positive coefficient is conditional on the other signals: alone, the signal may still
		   -- predict the right way (it then adds nothing beyond them), or it predicts the wrong way
		   CASE WHEN fit.coefficients[i + 1] <= 0 THEN NULL
				WHEN own_auc.auc < 0.5 THEN 'predicts the wrong way'
				ELSE 'adds nothing beyond the other signals' END,
		   own_auc.auc, auc_current, auc_suggested, fit_run_count, cardinality(runs) - fit_run_count,
		   fit_row_count, test_row_count
	FROM generate_subscripts(fitted_names, 1) AS i
	CROSS JOIN LATERAL (SELECT healthscore.auc(r.features[i], r.churned) AS auc FROM healthscore_suggest_rows AS r
						WHERE r.run_id > runs[fit_run_count]) AS own_auc
	UNION ALL
	SELECT n, w, w, NULL, NULL, NULL, 'excluded: keeps its weight', NULL, auc_current, auc_suggested, fit_run_count,
		   cardinality(runs) - fit_run_count, fit_row_count, test_row_count
	FROM unnest(signal_names, weights) AS x(n, w) WHERE n = ANY (coalesce(exclude, '{}'))
	ORDER BY 3 DESC, 1;
	DROP TABLE healthscore_suggest_rows;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.apply_weights(model text, horizon interval DEFAULT '90 days',
										  known_until timestamptz DEFAULT pg_catalog.now(),
										  min_share float8 DEFAULT 0.01, exclude text[] DEFAULT NULL)
RETURNS TABLE (signal text, old_weight float8, new_weight float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	suggestion record;
	total float8;
	grouped boolean;
BEGIN
	IF min_share IS NULL OR NOT (min_share > 0 AND min_share < 1) THEN
		RAISE EXCEPTION 'apply_weights(): min_share must be between 0 and 1, not %', min_share
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 0.01, gives 1% of the total weight.';
	END IF;
	grouped := (healthscore_internal.model_row(model)).group_weights <> '{}';
	CREATE TEMP TABLE healthscore_apply_suggestions ON COMMIT DROP AS
	SELECT * FROM healthscore.suggest_weights(model, horizon, known_until, exclude);
	SELECT sum(g.current_weight) INTO total FROM pg_temp.healthscore_apply_suggestions AS g;
	-- weights must stay positive: a signal suggested at 0 keeps min_share of the total
	-- excluded signals keep their weights
	FOR suggestion IN SELECT * FROM pg_temp.healthscore_apply_suggestions AS g
					  WHERE NOT g.signal = ANY (coalesce(exclude, '{}')) LOOP
		signal := suggestion.signal;
		old_weight := suggestion.current_weight;
		new_weight := greatest(suggestion.suggested_weight, min_share * total);
		PERFORM healthscore.set_weight(model, signal, new_weight);
		RETURN NEXT;
	END LOOP;
	IF grouped THEN
		-- the suggestions are effective weights: an excluded signal keeps its effective weight,
		-- and each group weighs the sum of its signals' weights, so that with the whole group
		-- present every signal's effective weight is its new weight
		PERFORM healthscore.set_weight(apply_weights.model, g.signal, g.current_weight)
		FROM pg_temp.healthscore_apply_suggestions AS g WHERE g.signal = ANY (coalesce(exclude, '{}'));
		PERFORM healthscore.set_group_weight(apply_weights.model, s.category, sum(s.weight))
		FROM healthscore.signals AS s WHERE s.model = apply_weights.model GROUP BY s.category;
	END IF;
	DROP TABLE pg_temp.healthscore_apply_suggestions;
END
$$;
-- Churn probability: a model's calibration (churn within a horizon as a logistic function of its
-- score), fitted on its earlier evaluable runs and measured on the later ones, as suggest_weights
-- splits them. The score, not the signals' points, is the one feature: the probability then never
-- contradicts the ranking and the tiers people act on, one coefficient is estimable from a few
-- dozen churners, and a second scorecard hidden in the probability is what suggest_weights and
-- compare_models are for.

-- The rows a calibration is fitted and measured on: evaluate()'s rows (run_outcomes) of the runs
-- made with the model's current definition (fingerprint), numbered by run in time order.
CREATE OR REPLACE FUNCTION healthscore_internal.calibration_rows(model text, horizon interval, known_until timestamptz)
RETURNS TABLE (run_id bigint, as_of timestamptz, account_key text, score float8, tier text, churned boolean,
			   run_number bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE	-- run_outcomes sets the time zone
ROWS 100000	-- runs times accounts: a planner that expects 1000 rows joins two of them by nested loops
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.run_id, o.as_of, o.account_key, o.score, o.tier, o.churned,
		   dense_rank() OVER (ORDER BY o.as_of, o.run_id)
	FROM healthscore_internal.run_outcomes(calibration_rows.model, calibration_rows.horizon,
										   calibration_rows.known_until) AS o
	JOIN healthscore.runs AS r ON r.run_id = o.run_id
	WHERE r.fingerprint = (SELECT healthscore.fingerprint(calibration_rows.model))	-- once, not per row
$$;
-- The fit calibrate() stores, computed without storing it: the earlier two thirds of the runs (at
-- least one, leaving at least one to measure on), at least 30 churned and 30 retained rows.
CREATE OR REPLACE FUNCTION healthscore_internal.fit_calibration(func text, model text, horizon interval,
													 known_until timestamptz)
RETURNS healthscore.calibrations
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	result healthscore.calibrations;
	total_runs bigint;
	retained bigint;
	fit healthscore.logistic_fit_result;
	failure text;
BEGIN
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION '%(): model "%" has no outcome relation', func, found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	result.model := found_model.name;
	result.horizon := horizon;
	result.fingerprint := healthscore.fingerprint(found_model.name);
	result.known_until := known_until;
	SELECT max(r.run_number) INTO total_runs FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r;
	IF coalesce(total_runs, 0) < 2 THEN
		RAISE EXCEPTION '%(): model "%" has % runs with its current definition and a full % of outcomes after them; a calibration needs at least 2',
			func, found_model.name, coalesce(total_runs, 0), horizon
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'The earlier runs are fitted, the later ones held out to measure the fit; runs made before the model last changed do not count.',
				  HINT = 'Backfill runs further in the past (healthscore.backfill), or pass a shorter horizon.';
	END IF;
	result.fit_runs := greatest(1, least(total_runs - 1, ceil(total_runs * 2.0 / 3)::integer));
	SELECT count(*), count(*) FILTER (WHERE r.churned), count(*) FILTER (WHERE NOT r.churned),
		   min(r.score), max(r.score), min(r.as_of), max(r.as_of), max(r.run_id) FILTER (WHERE r.run_number = result.fit_runs)
	INTO result.fit_rows, result.fit_churned, retained, result.min_score, result.max_score, result.fit_from,
		 result.fit_until, result.fit_last_run
	FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r
	WHERE r.run_number <= result.fit_runs;
	IF result.fit_churned < 30 OR retained < 30 THEN
		RAISE EXCEPTION '%(): model "%" has % churned and % retained rows in its % fitted runs; a calibration needs at least 30 of each',
			func, found_model.name, result.fit_churned, retained, result.fit_runs
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Rows are (run, account) pairs of runs before %s with churn counted within %s.',
								  result.fit_until, horizon),
				  HINT = 'Backfill more runs, or pass a longer horizon: a probability fitted on fewer churners is noise.';
	END IF;
	BEGIN
		fit := (SELECT healthscore.logistic_fit(r.churned, ARRAY[r.score / 100])
				FROM healthscore_internal.calibration_rows(model, horizon, known_until) AS r
				WHERE r.run_number <= result.fit_runs);
	EXCEPTION WHEN invalid_parameter_value THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT;
		RAISE EXCEPTION '%(): churn of model "%" cannot be fitted on its score: %', func, found_model.name,
			regexp_replace(failure, '^logistic_fit\(\): ', '')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A score that is the same for every account, or that separates churners perfectly, has no calibration.';
	END;
	IF NOT fit.converged THEN
		RAISE EXCEPTION '%(): the fit of churn on the score of model "%" did not converge', func, found_model.name
			USING ERRCODE = 'data_exception', HINT = 'Check the outcome relation; separation of churners by the score stops the fit.';
	END IF;
	result.intercept := fit.coefficients[1];
	result.slope := fit.coefficients[2];
	result.calibrated_at := now();
	result.calibrated_by := current_user;
	RETURN result;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.calibrate(model text, horizon interval DEFAULT '90 days',
									  known_until timestamptz DEFAULT pg_catalog.now())
RETURNS healthscore.calibrations
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fitted healthscore.calibrations;
BEGIN
	PERFORM healthscore_internal.lock_model(model);
	fitted := healthscore_internal.fit_calibration('calibrate', model, horizon, known_until);
	IF NOT fitted.slope < 0 THEN
		RAISE WARNING 'calibrate(): churn of model "%" rises with its score (slope %)', fitted.model, fitted.slope
			USING DETAIL = 'The probabilities follow the data, but the score ranks accounts the wrong way round.',
				  HINT = 'Check the signals'' scoring directions with healthscore.suggest_weights().';
	END IF;
	DELETE FROM healthscore.calibrations AS c WHERE c.model = fitted.model;
	INSERT INTO healthscore.calibrations SELECT fitted.*;
	RETURN fitted;
END
$$;
-- The calibration measured: the stored one when it is for this horizon and the model's current
-- definition, else the one calibrate() would store now; rows of the runs after its fitted ones.
CREATE OR REPLACE FUNCTION healthscore_internal.calibration_measured(func text, model text, horizon interval,
														  known_until timestamptz, bins integer, strict boolean)
RETURNS TABLE (bin integer, rows bigint, churned bigint, mean_predicted float8, observed_rate float8,
			   min_predicted float8, max_predicted float8, brier float8, brier_skill float8, log_loss float8,
			   base_rate float8, test_runs integer, test_rows bigint, test_from timestamptz, test_until timestamptz,
			   fit_runs integer, fit_rows bigint, horizon_used interval, intercept float8, slope float8, stored boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	used healthscore.calibrations;
	is_stored boolean := false;
BEGIN
	IF bins IS NULL OR bins < 2 OR bins > 100 THEN
		RAISE EXCEPTION '%(): bins must be between 2 and 100, not %', func, coalesce(bins::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Deciles: bins => 10.';
	END IF;
	SELECT c.* INTO used FROM healthscore.calibrations AS c WHERE c.model = found_model.name;
	IF horizon IS NULL AND used.model IS NULL THEN
		RAISE EXCEPTION '%(): model "%" has no calibration, and no horizon was given', func, found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Run healthscore.calibrate(model, horizon), or pass horizon => ''90 days''.';
	END IF;
	horizon := coalesce(horizon, used.horizon);
	IF used.model IS NOT NULL AND used.horizon = horizon AND used.fingerprint = healthscore.fingerprint(found_model.name) THEN
		is_stored := true;
	ELSE
		used := healthscore_internal.fit_calibration(func, found_model.name, horizon, known_until);
	END IF;
	RETURN QUERY
	WITH held_out AS MATERIALIZED (
		SELECT x.run_id, x.churned, x.p, ntile(bins) OVER (ORDER BY x.p, x.run_id, x.account_key COLLATE "C") AS bin,
			   x.as_of
		FROM (SELECT r.run_id, r.account_key, r.churned, r.as_of,
					 healthscore.churn_probability(r.score, used.intercept, used.slope) AS p
			  FROM healthscore_internal.calibration_rows(found_model.name, horizon, known_until) AS r
			  WHERE (r.as_of, r.run_id) > (used.fit_until, used.fit_last_run)) AS x
	), overall AS (
		SELECT avg((h.p - h.churned::integer) ^ 2) AS brier, avg(h.churned::integer)::float8 AS base_rate,
			   -- probabilities clamped away from 0 and 1 so that one confident miss costs 34.5, not infinity
			   -avg(CASE WHEN h.churned THEN ln(greatest(h.p, 1e-15)) ELSE ln(greatest(1 - h.p, 1e-15)) END) AS log_loss,
			   count(DISTINCT h.run_id)::integer AS runs, count(*) AS rows, min(h.as_of) AS test_from,
			   max(h.as_of) AS test_until
		FROM held_out AS h
	)
	SELECT h.bin::integer, count(*), count(*) FILTER (WHERE h.churned), avg(h.p),
		   avg(h.churned::integer)::float8, min(h.p), max(h.p), o.brier,
		   -- skill against always predicting the held-out rows' own churn rate, whose Brier score is
		   -- base_rate * (1 - base_rate): 0 = no better than the base rate, 1 = perfect
		   1 - o.brier / nullif(o.base_rate * (1 - o.base_rate), 0), o.log_loss, o.base_rate, o.runs, o.rows,
		   o.test_from, o.test_until, used.fit_runs, used.fit_rows, horizon, used.intercept, used.slope, is_stored
	FROM held_out AS h, overall AS o
	GROUP BY h.bin, o.brier, o.base_rate, o.log_loss, o.runs, o.rows, o.test_from, o.test_until
	ORDER BY h.bin;
	IF NOT FOUND AND strict THEN
		RAISE EXCEPTION '%(): model "%" has no evaluable run after the % runs its calibration was fitted on', func,
			found_model.name, used.fit_runs
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Measured on later runs only: refresh, and wait for a full horizon of outcomes after them.';
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.calibration(model text, horizon interval DEFAULT NULL,
										known_until timestamptz DEFAULT pg_catalog.now(), bins integer DEFAULT 10)
RETURNS TABLE (bin integer, rows bigint, churned bigint, mean_predicted float8, observed_rate float8,
			   min_predicted float8, max_predicted float8, brier float8, brier_skill float8, log_loss float8,
			   base_rate float8, test_runs integer, test_rows bigint, test_from timestamptz, test_until timestamptz,
			   fit_runs integer, fit_rows bigint, horizon_used interval, intercept float8, slope float8, stored boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.bin, c.rows, c.churned, c.mean_predicted, c.observed_rate, c.min_predicted, c.max_predicted, c.brier,
		   c.brier_skill, c.log_loss, c.base_rate, c.test_runs, c.test_rows, c.test_from, c.test_until, c.fit_runs,
		   c.fit_rows, c.horizon_used, c.intercept, c.slope, c.stored
	FROM healthscore_internal.calibration_measured('calibration', model, horizon, known_until, bins, true) AS c
$$;
-- Comparing scorecards before switching: two models on the runs both have (compare_models,
-- tier_agreement), and one model with other weights or cutoffs before they are published
-- (preview, preview_accounts), without writing history or changing the model.

-- AUC and lift of the worst tier over rows of several runs, as evaluate() computes them per run,
-- averaged over the runs: the one definition compare_models and preview share.
CREATE OR REPLACE FUNCTION healthscore_internal.run_measures(runs bigint[], scores float8[], tier_ranks integer[],
												  churned boolean[])
RETURNS TABLE (auc float8, lift_worst_tier float8, runs integer, rows bigint, churned bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		SELECT * FROM unnest(run_measures.runs, run_measures.scores, run_measures.tier_ranks, run_measures.churned)
			AS u(run, score, tier_rank, churned)
	), per_run AS (
		SELECT r.run, healthscore.auc(r.score, r.churned) AS auc, avg(r.churned::integer)::float8 AS churn_rate
		FROM r GROUP BY r.run
	), worst AS (
		SELECT DISTINCT ON (r.run) r.run, avg(r.churned::integer)::float8 AS churn_rate
		FROM r WHERE r.tier_rank IS NOT NULL
		GROUP BY r.run, r.tier_rank ORDER BY r.run, r.tier_rank
	)
	SELECT avg(p.auc), avg(w.churn_rate / nullif(p.churn_rate, 0)), count(*)::integer,
		   (SELECT count(*) FROM r), (SELECT count(*) FILTER (WHERE r.churned) FROM r)
	FROM per_run AS p LEFT JOIN worst AS w ON w.run = p.run
$$;
-- Two models to compare must be two.
CREATE OR REPLACE FUNCTION healthscore_internal.check_two_models(func text, model_a text, model_b text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF model_a = model_b THEN
		RAISE EXCEPTION '%(): model_a and model_b are both "%"', func, model_a
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Compare two different models, e.g. a copy with other weights.';
	END IF;
END
$$;
-- The rows two models share: for each as-of time both have runs with their current definitions
-- (the latest run of each at that time), the accounts both scored, with each model's outcome.
CREATE OR REPLACE FUNCTION healthscore_internal.paired_rows(model_a text, model_b text, horizon interval, known_until timestamptz)
RETURNS TABLE (as_of timestamptz, account_key text, run_number bigint, account_number bigint, score_a float8,
			   score_b float8, tier_rank_a integer, tier_rank_b integer, tier_a text, tier_b text, churned_a boolean,
			   churned_b boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off	-- its inlining costs more than the query (measured on the demo)
AS $$
	-- the latest run of each model at each time, from runs (a handful of rows), joined to the
	-- rows by run: the planner then hashes the two large inputs on both keys
	WITH latest AS (
		SELECT max(r.run_id) AS run_id
		FROM healthscore.runs AS r
		WHERE (r.model = model_a AND r.fingerprint = (SELECT healthscore.fingerprint(model_a)))
		   OR (r.model = model_b AND r.fingerprint = (SELECT healthscore.fingerprint(model_b)))
		GROUP BY r.model, r.as_of
	)
	SELECT ra.as_of, ra.account_key, dense_rank() OVER (ORDER BY ra.as_of),
		   dense_rank() OVER (ORDER BY ra.account_key COLLATE "C"), ra.score, rb.score,
		   array_position(ma.tier_labels, ra.tier), array_position(mb.tier_labels, rb.tier), ra.tier, rb.tier,
		   ra.churned, rb.churned
	FROM healthscore_internal.calibration_rows(model_a, horizon, known_until) AS ra
	JOIN healthscore_internal.calibration_rows(model_b, horizon, known_until) AS rb
		ON rb.as_of = ra.as_of AND rb.account_key = ra.account_key
	JOIN healthscore.models AS ma ON ma.name = model_a
	JOIN healthscore.models AS mb ON mb.name = model_b
	WHERE ra.run_id IN (SELECT l.run_id FROM latest AS l) AND rb.run_id IN (SELECT l.run_id FROM latest AS l)
$$;
CREATE OR REPLACE FUNCTION healthscore_internal.models_compared(func text, model_a text, model_b text, horizon interval,
													 known_until timestamptz, samples integer, seed bigint,
													 strict boolean)
RETURNS TABLE (measure text, tier_rank integer, tier_a text, tier_b text, value_a float8, value_b float8,
			   difference float8, ci_low float8, ci_high float8, runs integer, rows_a bigint, rows_b bigint,
			   churned_a bigint, churned_b bigint, accounts bigint)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	paired_runs bigint[];
	paired_accounts bigint[];
	as_ofs timestamptz[];
	scores_a float8[];
	scores_b float8[];
	ranks_a integer[];
	ranks_b integer[];
	labels_a text[];
	labels_b text[];
	outcomes boolean[];
	measured_a record;
	measured_b record;
	bootstrap float8[];
	calibration_a healthscore.calibrations;
	calibration_b healthscore.calibrations;
	scored_since timestamptz;
	account_count bigint;
	disagreeing bigint;
	a healthscore.models := healthscore_internal.model_row(model_a);
	b healthscore.models := healthscore_internal.model_row(model_b);
BEGIN
	PERFORM healthscore_internal.check_two_models(func, a.name, b.name);
	IF samples IS NULL OR samples < 100 OR samples > 100000 THEN
		RAISE EXCEPTION '%(): samples must be between 100 and 100000, not %', func, coalesce(samples::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = '1000 resamples give a stable 95% interval.';
	END IF;
	IF seed IS NULL THEN
		RAISE EXCEPTION '%(): seed must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Any number; the same seed gives the same interval.';
	END IF;
	SELECT array_agg(p.run_number ORDER BY p.run_number, p.account_number),
		   array_agg(p.account_number ORDER BY p.run_number, p.account_number),
		   array_agg(p.as_of ORDER BY p.run_number, p.account_number),
		   array_agg(p.score_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.score_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_rank_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_rank_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_a ORDER BY p.run_number, p.account_number),
		   array_agg(p.tier_b ORDER BY p.run_number, p.account_number),
		   array_agg(p.churned_a ORDER BY p.run_number, p.account_number),
		   max(p.account_number), count(*) FILTER (WHERE p.churned_a <> p.churned_b)
	INTO paired_runs, paired_accounts, as_ofs, scores_a, scores_b, ranks_a, ranks_b, labels_a, labels_b, outcomes,
		 account_count, disagreeing
	FROM healthscore_internal.paired_rows(a.name, b.name, horizon, known_until) AS p;
	-- outcomes come from each model's own outcome relation: they must agree to be compared
	IF disagreeing > 0 THEN
		RAISE EXCEPTION '%(): models "%" and "%" record different churn for % of the rows both score', func, a.name,
			b.name, disagreeing
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Compare models over the same outcome relation (healthscore.set_outcomes).';
	END IF;
	IF paired_runs IS NULL THEN
		IF NOT strict THEN
			RETURN;
		END IF;
		RAISE EXCEPTION '%(): models "%" and "%" have no evaluable run at the same as-of time with their current definitions',
			func, a.name, b.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Backfill both over the same times (healthscore.backfill with the same since, until and step), with a full horizon of outcomes after them.';
	END IF;
	SELECT * INTO measured_a FROM healthscore_internal.run_measures(paired_runs, scores_a, ranks_a, outcomes);
	SELECT * INTO measured_b FROM healthscore_internal.run_measures(paired_runs, scores_b, ranks_b, outcomes);
	bootstrap := healthscore_internal.paired_auc_bootstrap(paired_runs::integer[], paired_accounts::integer[], scores_a,
														   scores_b, outcomes, samples, seed);
	measure := 'auc';
	value_a := measured_a.auc;
	value_b := measured_b.auc;
	difference := bootstrap[1];
	ci_low := bootstrap[2];
	ci_high := bootstrap[3];
	runs := measured_a.runs;
	rows_a := measured_a.rows;
	rows_b := measured_b.rows;
	churned_a := measured_a.churned;
	churned_b := measured_b.churned;
	accounts := account_count;
	RETURN NEXT;
	measure := 'lift_worst_tier';
	value_a := measured_a.lift_worst_tier;
	value_b := measured_b.lift_worst_tier;
	difference := value_a - value_b;
	ci_low := NULL;
	ci_high := NULL;
	RETURN NEXT;

	-- Brier skill of each model's stored calibration (for this horizon and its current
	-- definition), on the rows after the runs either calibration was fitted on
	SELECT c.* INTO calibration_a FROM healthscore.calibrations AS c
	WHERE c.model = a.name AND c.horizon = models_compared.horizon AND c.fingerprint = healthscore.fingerprint(c.model);
	SELECT c.* INTO calibration_b FROM healthscore.calibrations AS c
	WHERE c.model = b.name AND c.horizon = models_compared.horizon AND c.fingerprint = healthscore.fingerprint(c.model);
	scored_since := greatest(calibration_a.fit_until, calibration_b.fit_until);
	measure := 'brier_skill';
	SELECT 1 - avg((healthscore.churn_probability(u.a, calibration_a.intercept, calibration_a.slope) - u.y::integer) ^ 2)
			   / nullif(avg(u.y::integer) * (1 - avg(u.y::integer)), 0),
		   1 - avg((healthscore.churn_probability(u.b, calibration_b.intercept, calibration_b.slope) - u.y::integer) ^ 2)
			   / nullif(avg(u.y::integer) * (1 - avg(u.y::integer)), 0),
		   count(DISTINCT u.t)::integer, count(*), count(*) FILTER (WHERE u.y), count(DISTINCT u.k)
	INTO value_a, value_b, runs, rows_a, churned_a, accounts
	FROM unnest(as_ofs, scores_a, scores_b, outcomes, paired_accounts) AS u(t, a, b, y, k)
	WHERE scored_since IS NOT NULL AND u.t > scored_since;
	rows_b := rows_a;
	churned_b := churned_a;
	difference := value_a - value_b;
	RETURN NEXT;

	-- churn by tier, over all rows; tiers matched by their place (1 = worst)
	RETURN QUERY
	WITH by_a AS (
		SELECT u.r AS tier_rank, min(u.l) AS label, count(*) AS rows, count(*) FILTER (WHERE u.y) AS churned
		FROM unnest(ranks_a, labels_a, outcomes) AS u(r, l, y) WHERE u.r IS NOT NULL GROUP BY u.r
	), by_b AS (
		SELECT u.r AS tier_rank, min(u.l) AS label, count(*) AS rows, count(*) FILTER (WHERE u.y) AS churned
		FROM unnest(ranks_b, labels_b, outcomes) AS u(r, l, y) WHERE u.r IS NOT NULL GROUP BY u.r
	)
	SELECT 'churn_rate', coalesce(x.tier_rank, y.tier_rank), x.label, y.label, x.churned::float8 / x.rows,
		   y.churned::float8 / y.rows, x.churned::float8 / x.rows - y.churned::float8 / y.rows, NULL::float8,
		   NULL::float8, measured_a.runs, coalesce(x.rows, 0), coalesce(y.rows, 0), coalesce(x.churned, 0),
		   coalesce(y.churned, 0), NULL::bigint
	FROM by_a AS x FULL JOIN by_b AS y ON y.tier_rank = x.tier_rank
	ORDER BY 2;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.compare_models(model_a text, model_b text, horizon interval DEFAULT '90 days',
										   known_until timestamptz DEFAULT pg_catalog.now(),
										   samples integer DEFAULT 1000, seed bigint DEFAULT 0)
RETURNS TABLE (measure text, tier_rank integer, tier_a text, tier_b text, value_a float8, value_b float8,
			   difference float8, ci_low float8, ci_high float8, runs integer, rows_a bigint, rows_b bigint,
			   churned_a bigint, churned_b bigint, accounts bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.measure, c.tier_rank, c.tier_a, c.tier_b, c.value_a, c.value_b, c.difference, c.ci_low, c.ci_high,
		   c.runs, c.rows_a, c.rows_b, c.churned_a, c.churned_b, c.accounts
	FROM healthscore_internal.models_compared('compare_models', model_a, model_b, horizon, known_until, samples, seed,
											  true) AS c
$$;
-- The tiers two models give the same accounts at one as-of time (the latest both have by default).
CREATE OR REPLACE FUNCTION healthscore_internal.tiers_compared(func text, model_a text, model_b text, as_of timestamptz,
													strict boolean)
RETURNS TABLE (scored_at timestamptz, tier_rank_a integer, tier_a text, tier_rank_b integer, tier_b text,
			   accounts bigint, value numeric, moves boolean)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
AS $$
DECLARE
	a healthscore.models := healthscore_internal.model_row(model_a);
	b healthscore.models := healthscore_internal.model_row(model_b);
	run_a bigint;
	run_b bigint;
BEGIN
	PERFORM healthscore_internal.check_two_models(func, a.name, b.name);
	scored_at := coalesce(as_of, (SELECT max(ra.as_of) FROM healthscore.runs AS ra
								  JOIN healthscore.runs AS rb ON rb.model = b.name AND rb.as_of = ra.as_of
								  WHERE ra.model = a.name));
	SELECT max(r.run_id) INTO run_a FROM healthscore.runs AS r WHERE r.model = a.name AND r.as_of = scored_at;
	SELECT max(r.run_id) INTO run_b FROM healthscore.runs AS r WHERE r.model = b.name AND r.as_of = scored_at;
	IF run_a IS NULL OR run_b IS NULL THEN
		IF NOT strict THEN
			RETURN;
		END IF;
		RAISE EXCEPTION '%(): models "%" and "%" have no runs at %', func, a.name, b.name,
			coalesce(as_of::text, 'the same as-of time')
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Refresh both as of the same time: healthscore.refresh(model, as_of) with one as_of.';
	END IF;
	RETURN QUERY
	SELECT scored_at, array_position(a.tier_labels, sa.tier), sa.tier, array_position(b.tier_labels, sb.tier), sb.tier,
		   count(*), sum(sa.value),
		   array_position(a.tier_labels, sa.tier) IS DISTINCT FROM array_position(b.tier_labels, sb.tier)
	FROM healthscore.scores AS sa
	JOIN healthscore.scores AS sb ON sb.run_id = run_b AND sb.account_key = sa.account_key
	WHERE sa.run_id = run_a
	GROUP BY sa.tier, sb.tier
	ORDER BY 2 NULLS LAST, 4 NULLS LAST, 3, 5;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.tier_agreement(model_a text, model_b text, as_of timestamptz DEFAULT NULL)
RETURNS TABLE (scored_at timestamptz, tier_rank_a integer, tier_a text, tier_rank_b integer, tier_b text,
			   accounts bigint, value numeric, moves boolean)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.scored_at, t.tier_rank_a, t.tier_a, t.tier_rank_b, t.tier_b, t.accounts, t.value, t.moves
	FROM healthscore_internal.tiers_compared('tier_agreement', model_a, model_b, as_of, true) AS t
$$;
-- One refresh of a model, with other settings when changed, inside a subtransaction that is
-- rolled back: what it wrote is read first, then the run, its scores and the changed settings are
-- undone. The real refresh is what makes a preview equal a refresh with the same settings, bit for
-- bit. A sequence value for the run id is used up (sequences are not transactional).
CREATE OR REPLACE FUNCTION healthscore_internal.preview_run(func text, model text, weights jsonb, group_weights jsonb,
												 tier_cutoffs float8[], as_of timestamptz, min_share float8,
												 changed boolean,
												 OUT account_keys text[], OUT scores float8[], OUT tiers text[],
												 OUT tier_ranks integer[], OUT account_values numeric[],
												 OUT run_signals text[], OUT run_weights float8[],
												 OUT run_categories text[], OUT run_group_weights float8[],
												 OUT cutoffs float8[], OUT labels text[])
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	setting record;
	run bigint;
	weight float8;
	least_weight float8;
BEGIN
	IF changed AND (min_share IS NULL OR NOT (min_share > 0 AND min_share < 1)) THEN
		RAISE EXCEPTION '%(): min_share of model "%" must be between 0 and 1, not %', func, found_model.name,
			coalesce(min_share::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 0.01, gives 1% of the total weight, as apply_weights() does.';
	END IF;
	-- as apply_weights() sets them: weights stay positive, at least min_share of the total
	SELECT min_share * sum(s.weight) INTO least_weight FROM healthscore.signals AS s WHERE s.model = found_model.name;
	IF changed AND jsonb_typeof(weights) IS DISTINCT FROM 'object' AND weights IS NOT NULL THEN
		RAISE EXCEPTION '%(): weights of model "%" must be a JSON object of signal names and weights, not %', func,
			found_model.name, weights
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. weights => ''{"logins": 2, "tickets": 1}''.';
	END IF;
	IF changed AND jsonb_typeof(group_weights) IS DISTINCT FROM 'object' AND group_weights IS NOT NULL THEN
		RAISE EXCEPTION '%(): group_weights of model "%" must be a JSON object of categories and weights, not %', func,
			found_model.name, group_weights
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. group_weights => ''{"usage": 2, "support": 1}''; null removes one.';
	END IF;
	BEGIN
		IF changed THEN
			FOR setting IN SELECT e.key, e.value FROM jsonb_each(weights) AS e LOOP
				IF jsonb_typeof(setting.value) <> 'number' THEN
					RAISE EXCEPTION '%(): weights of model "%" gives signal "%" the weight %, not a number', func,
						found_model.name, setting.key, setting.value
						USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are positive numbers, e.g. {"logins": 2}.';
				END IF;
				weight := (setting.value #>> '{}')::float8;
				IF weight >= 0 AND weight < least_weight THEN
					weight := least_weight;
				END IF;
				PERFORM healthscore.set_weight(found_model.name, setting.key, weight);
			END LOOP;
			FOR setting IN SELECT e.key, e.value FROM jsonb_each(group_weights) AS e LOOP
				IF jsonb_typeof(setting.value) NOT IN ('number', 'null') THEN
					RAISE EXCEPTION '%(): group_weights of model "%" gives category "%" the weight %, not a number', func,
						found_model.name, setting.key, setting.value
						USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are positive numbers; null removes a group''s weight.';
				END IF;
				PERFORM healthscore.set_group_weight(found_model.name, setting.key, (setting.value #>> '{}')::float8);
			END LOOP;
			IF tier_cutoffs IS NOT NULL THEN
				PERFORM healthscore.alter_model(found_model.name, tier_cutoffs => tier_cutoffs);
			END IF;
		END IF;
		run := healthscore.refresh(found_model.name, as_of);
		SELECT array_agg(s.account_key), array_agg(s.score), array_agg(s.tier),
			   array_agg(array_position(m.tier_labels, s.tier)), array_agg(s.value)
		INTO account_keys, scores, tiers, tier_ranks, account_values
		FROM healthscore.scores AS s JOIN healthscore.models AS m ON m.name = s.model
		WHERE s.run_id = run;
		SELECT r.signals, r.weights, r.categories, r.group_weights INTO run_signals, run_weights, run_categories,
			   run_group_weights
		FROM healthscore.runs AS r WHERE r.run_id = run;
		SELECT m.tier_cutoffs, m.tier_labels INTO cutoffs, labels FROM healthscore.models AS m WHERE m.name = found_model.name;
		RAISE EXCEPTION USING ERRCODE = 'HSP01', MESSAGE = 'preview: undo the run';
	EXCEPTION WHEN SQLSTATE 'HSP01' THEN
		NULL;	-- the run, its scores and the changed settings are undone; what was read stays
	END;
END
$$;
-- A model's evaluable history rescored with a run's weights and cutoffs, from the points each run
-- stored (runs with the same signals only; tiers by the cutoffs alone, no hysteresis, no override),
-- measured as compare_models measures: AUC and lift of the worst tier, averaged over the runs.
CREATE OR REPLACE FUNCTION healthscore_internal.history_measures(model text, horizon interval, known_until timestamptz,
													  signals text[], weights float8[], categories text[],
													  group_weights float8[], cutoffs float8[], labels text[])
RETURNS TABLE (auc float8, lift_worst_tier float8, runs integer, rows bigint, churned bigint)
LANGUAGE sql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT m.*
	FROM (SELECT array_agg(o.run_id) AS runs, array_agg(x.score) AS scores,
				 array_agg(array_position(history_measures.labels,
										  healthscore.tier(x.score, history_measures.cutoffs, history_measures.labels)))
					 AS ranks,
				 array_agg(o.churned) AS churned
		  FROM healthscore_internal.run_outcomes(history_measures.model, history_measures.horizon,
												 history_measures.known_until) AS o
		  JOIN healthscore.runs AS r ON r.run_id = o.run_id AND r.signals = history_measures.signals
		  JOIN healthscore.scores AS s ON s.run_id = o.run_id AND s.account_key = o.account_key
		  CROSS JOIN LATERAL (SELECT healthscore.score_from_points(s.points,
										 healthscore.effective_weights(s.points, history_measures.weights,
																	   history_measures.categories,
																	   history_measures.group_weights)) AS score
							  OFFSET 0) AS x) AS h
	CROSS JOIN LATERAL healthscore_internal.run_measures(h.runs, h.scores, h.ranks, h.churned) AS m
$$;
CREATE OR REPLACE FUNCTION healthscore.preview_accounts(model text, weights jsonb DEFAULT NULL, group_weights jsonb DEFAULT NULL,
											 tier_cutoffs float8[] DEFAULT NULL,
											 as_of timestamptz DEFAULT pg_catalog.now(),
											 min_share float8 DEFAULT 0.01)
RETURNS TABLE (account_key text, value numeric, current_score float8, current_tier text, current_tier_rank integer,
			   preview_score float8, preview_tier text, preview_tier_rank integer, score_change float8,
			   tier_changes boolean, scored_at timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_run record;
	new_run record;
BEGIN
	now_run := healthscore_internal.preview_run('preview_accounts', model, NULL, NULL, NULL, as_of, min_share, false);
	new_run := healthscore_internal.preview_run('preview_accounts', model, weights, group_weights, tier_cutoffs, as_of,
												min_share, true);
	RETURN QUERY
	SELECT coalesce(n.k, c.k), coalesce(n.v, c.v), c.score, c.tier, c.r, n.score, n.tier, n.r, n.score - c.score,
		   c.r IS DISTINCT FROM n.r OR c.tier IS DISTINCT FROM n.tier, as_of
	FROM unnest(now_run.account_keys, now_run.scores, now_run.tiers, now_run.tier_ranks, now_run.account_values)
		 AS c(k, score, tier, r, v)
	FULL JOIN unnest(new_run.account_keys, new_run.scores, new_run.tiers, new_run.tier_ranks, new_run.account_values)
		 AS n(k, score, tier, r, v) ON n.k = c.k;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.preview(model text, weights jsonb DEFAULT NULL, group_weights jsonb DEFAULT NULL,
									tier_cutoffs float8[] DEFAULT NULL, as_of timestamptz DEFAULT pg_catalog.now(),
									horizon interval DEFAULT '90 days',
									known_until timestamptz DEFAULT pg_catalog.now(), min_share float8 DEFAULT 0.01)
RETURNS TABLE (tier_rank integer, tier text, accounts_current bigint, accounts_preview bigint, value_current numeric,
			   value_preview numeric, moving_in bigint, moving_out bigint, auc_current float8, auc_preview float8,
			   lift_current float8, lift_preview float8, history_runs integer, history_rows bigint,
			   history_churned bigint, scored_at timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(model);
	now_run record;
	new_run record;
	history_now record;
	history_new record;
BEGIN
	now_run := healthscore_internal.preview_run('preview', found_model.name, NULL, NULL, NULL, as_of, min_share, false);
	new_run := healthscore_internal.preview_run('preview', found_model.name, weights, group_weights, tier_cutoffs, as_of,
												min_share, true);
	-- with outcomes: the evaluable history rescored both ways from its stored points
	IF found_model.outcomes IS NOT NULL THEN
		SELECT h.* INTO history_now
		FROM healthscore_internal.history_measures(found_model.name, horizon, known_until, now_run.run_signals,
				now_run.run_weights, now_run.run_categories, now_run.run_group_weights, now_run.cutoffs,
				now_run.labels) AS h;
		SELECT h.* INTO history_new
		FROM healthscore_internal.history_measures(found_model.name, horizon, known_until, new_run.run_signals,
				new_run.run_weights, new_run.run_categories, new_run.run_group_weights, new_run.cutoffs,
				new_run.labels) AS h;
	END IF;
	RETURN QUERY
	WITH c AS (
		SELECT * FROM unnest(now_run.account_keys, now_run.tiers, now_run.tier_ranks, now_run.account_values)
			AS u(k, tier, r, v)
	), n AS (
		SELECT * FROM unnest(new_run.account_keys, new_run.tiers, new_run.tier_ranks, new_run.account_values)
			AS u(k, tier, r, v)
	), both_runs AS (
		SELECT c.tier AS tier_c, n.tier AS tier_n, c.v AS value_c, n.v AS value_n
		FROM c FULL JOIN n ON n.k = c.k
	), tiers AS (
		SELECT DISTINCT x.r, x.tier FROM (SELECT c.r, c.tier FROM c UNION ALL SELECT n.r, n.tier FROM n) AS x
	)
	SELECT t.r, t.tier, count(*) FILTER (WHERE b.tier_c = t.tier), count(*) FILTER (WHERE b.tier_n = t.tier),
		   coalesce(sum(b.value_c) FILTER (WHERE b.tier_c = t.tier), 0),
		   coalesce(sum(b.value_n) FILTER (WHERE b.tier_n = t.tier), 0),
		   count(*) FILTER (WHERE b.tier_n = t.tier AND b.tier_c IS DISTINCT FROM t.tier),
		   count(*) FILTER (WHERE b.tier_c = t.tier AND b.tier_n IS DISTINCT FROM t.tier),
		   history_now.auc, history_new.auc, history_now.lift_worst_tier, history_new.lift_worst_tier,
		   history_new.runs, history_new.rows, history_new.churned, as_of
	FROM tiers AS t CROSS JOIN both_runs AS b
	GROUP BY t.r, t.tier
	ORDER BY t.r NULLS LAST, t.tier;
END
$$;
-- A model's health check: what would make its refresh fail (model_checks.sql) and what makes its
-- scores less than they seem, read from the sources, the current run and the schedule.

-- A model's health check: what would make its refresh fail (errors, which refresh() raises too),
-- and what makes its scores less than they seem (warnings): sources with no rows in their window
-- or stale, signals missing for every account, accounts with no signal at all, a segment filter
-- matching no account, accounts no model of the group scores, a schedule that is overdue or
-- failing. It reads the sources (newest row, rows in the window) as the model's author.
CREATE OR REPLACE FUNCTION healthscore.check_model(model text)
RETURNS TABLE (severity text, object text, problem text, hint text)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET TimeZone = 'UTC'
AS $$
DECLARE
	found_model healthscore.models := healthscore_internal.model_row(check_model.model);
	checked_at timestamptz := now();
	current_run healthscore.runs;
	found record;
	failing record;
	has_errors boolean := false;
	foreign_signal healthscore.signals;
	rolled record;
	failed_message text;
BEGIN
	FOR found IN SELECT * FROM healthscore_internal.model_errors(found_model.name, 'check_model') LOOP
		has_errors := true;
		RETURN QUERY SELECT 'error', found.object, found.problem, found.hint;
	END LOOP;
	IF has_errors THEN
		RETURN;		-- the rest would fail on the same problems
	END IF;
	PERFORM set_config('TimeZone', found_model.time_zone, true);
	FOR found IN
		SELECT s.name, s.source, s.time_column, s.lookback, s.max_age, f.newest, f.rows_in_window
		FROM healthscore_internal.source_freshness(found_model.name, checked_at, true) AS f
		JOIN healthscore.signals AS s ON s.model = found_model.name AND s.name = f.signal
		ORDER BY s.position
	LOOP
		IF NOT found.rows_in_window THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', found.name),
				CASE WHEN found.lookback IS NULL
					 THEN format('%s has no rows up to now (by %s): the signal is missing for every account', found.source, found.time_column)
					 ELSE format('%s has no rows in the %s before now (by %s): the signal is missing for every account',
								 found.source, found.lookback, found.time_column) END,
				format('Check what loads %s%s.', found.source,
					   CASE WHEN found.newest IS NOT NULL THEN format(' (its newest row is from %s)', found.newest) ELSE '' END);
		ELSIF found.max_age IS NOT NULL AND found.newest < checked_at - found.max_age THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', found.name),
				format('%s is stale: its newest row (by %s) is from %s, more than max_age %s ago',
					   found.source, found.time_column, found.newest, found.max_age),
				format('Check what loads %s; until it is fresh again the signal counts as missing.', found.source);
		END IF;
	END LOOP;
	-- signals over foreign tables (or partitions of them) that the foreign server cannot aggregate:
	-- the refresh groups them apart, but fetches every row of their window
	FOR foreign_signal IN SELECT s.* FROM healthscore.signals AS s WHERE s.model = found_model.name ORDER BY s.position LOOP
		IF healthscore_internal.aggregated_here(foreign_signal, 'check_model') THEN
			RETURN QUERY SELECT 'warning', format('signal "%s"', foreign_signal.name),
				format('%s is a foreign table (or has foreign partitions), and this signal is aggregated on this server: every row of its window is fetched (the refresh groups it apart from the signals the foreign server can aggregate)',
					   foreign_signal.source),
				CASE WHEN foreign_signal.expression ~* '\maccount\s*\.'
					 THEN 'It joins the account row before grouping: move account.<column> into per_account (e.g. expression => ''healthscore.distinct_count(s.user_id)::float8'', per_account => ''value / account.seats'').'
					 ELSE 'postgres_fdw ships only immutable built-in functions and those of extensions the server lists: ALTER SERVER ... OPTIONS (ADD extensions ''healthscore''), with healthscore installed on the server; avoid COLLATE and functions such as now().' END;
		END IF;
	END LOOP;
	SELECT r.* INTO current_run FROM healthscore.runs AS r WHERE r.model = found_model.name
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;
	IF current_run.run_id IS NULL THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name), 'the model has never been refreshed'::text,
			format('SELECT healthscore.refresh(%L); or schedule it: SELECT healthscore.schedule(%L, ''0 3 * * *'').',
				   found_model.name, found_model.name);
	ELSE
		-- signals with no value for any account in the current run
		RETURN QUERY
		SELECT 'warning', format('signal "%s"', current_run.signals[i]),
			   format('no account had a value in the current run (as of %s)', current_run.as_of),
			   'Check the expression and its source; refresh_sql() shows the query.'::text
		FROM generate_subscripts(current_run.signals, 1) AS i
		WHERE EXISTS (SELECT FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id)
		  AND NOT EXISTS (SELECT FROM healthscore.scores AS s
						  WHERE s.run_id = current_run.run_id AND s.raw_values[i] IS NOT NULL);
		RETURN QUERY
		SELECT 'warning', format('model "%s"', found_model.name),
			   format('%s accounts had every signal missing in the current run: their score is NULL, their tier unknown', count(*)),
			   'The weights left after missing data sum to zero: give a signal missing => ''zero'' or ''value'', or check the sources.'::text
		FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id AND s.score IS NULL
		HAVING count(*) > 0;
		IF found_model.segment_filter IS NOT NULL
		   AND NOT EXISTS (SELECT FROM healthscore.scores AS s WHERE s.run_id = current_run.run_id) THEN
			RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
				'its segment filter matched no account in the current run'::text,
				'Check segment_filter against the account relation, and the priorities of its group.'::text;
		END IF;
	END IF;
	IF found_model.model_group IS NOT NULL THEN
		RETURN QUERY
		SELECT 'warning', format('model group "%s"', found_model.model_group),
			   format('%s accounts are scored by no model of the group', count(*)),
			   'Add a default model (no segment_filter) to the group, or refresh: SELECT * FROM healthscore.unscored_accounts lists them.'::text
		FROM healthscore.unscored_accounts(found_model.model_group)
		HAVING count(*) > 0;
	END IF;
	IF healthscore_internal.overdue(found_model.expected_every, current_run.as_of) THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
			format('the model is overdue: it is expected every %s, and its current run is %s',
				   found_model.expected_every, coalesce('as of ' || current_run.as_of::text, 'missing')),
			'See healthscore.model_status and cron.job_run_details for what went wrong.'::text;
	END IF;
	SELECT a.attempt_id, a.finished_at, healthscore_internal.attempt_error(a.status, a.attempt_id, a.backend_pid) AS error
	INTO failing
	FROM healthscore.attempts AS a
	WHERE a.model = found_model.name
	ORDER BY a.started_at DESC, a.attempt_id DESC LIMIT 1;
	IF failing.error IS NOT NULL
	   AND NOT EXISTS (SELECT FROM healthscore.runs AS r WHERE r.model = found_model.name AND r.finished_at > failing.finished_at) THEN
		RETURN QUERY SELECT 'warning', format('model "%s"', found_model.name),
			format('its latest run (attempt %s) failed: %s', failing.attempt_id, failing.error),
			'Fix the cause, then CALL healthscore.run(...) or wait for the schedule.'::text;
	END IF;
	-- hierarchy links the rollups skip: a parent that is no account of the current runs, a cycle
	RETURN QUERY
	SELECT 'warning', format('model "%s"', found_model.name),
		   format('%s a parent link with a %s (e.g. account %s): parent_scores skips them',
				  CASE WHEN count(*) = 1 THEN '1 account has' ELSE count(*) || ' accounts have' END,
				  l.problem, (array_agg(l.account_key || ' -> ' || l.parent_key ORDER BY l.account_key))[1]),
		   CASE l.problem WHEN 'cycle' THEN 'Fix the parent column so that following parents never leads back to the account.'
				ELSE format('Give the parent an account row in %s, or clear the child''s %I.', found_model.accounts,
							found_model.parent_column) END
	FROM healthscore_internal.hierarchy_links() AS l
	WHERE l.model = found_model.name AND l.problem IS NOT NULL
	GROUP BY l.problem ORDER BY l.problem;
	-- rollups: what they do not hold, and what makes them cost more than they save
	FOR found IN SELECT u.* FROM healthscore.rollups AS u WHERE u.model = found_model.name ORDER BY u.rollup_id LOOP
		BEGIN
			rolled := healthscore_internal.rollup_plan(found_model.name, found.source);
		EXCEPTION WHEN OTHERS THEN
			-- a signal's text no longer reads (a column dropped): refresh() fails on it too
			GET STACKED DIAGNOSTICS failed_message = MESSAGE_TEXT;
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				format('the rollup cannot read the signals over its source: %s', failed_message),
				'Fix the signal (healthscore.alter_signal) or disable the rollup (healthscore.disable_rollup).'::text;
			CONTINUE;
		END;
		IF NOT found.in_use THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				CASE WHEN found.definition IS NULL THEN 'the rollup holds no signal: refreshes read the events'
					 ELSE format('the rollup is not used: its days held %s events per account and day when it was built, fewer than its min_events_per_row %s, so refreshes read the events',
								 round((found.events::numeric / nullif(found.state_rows, 0)), 1), found.min_events_per_row) END,
				format('Reading events is as cheap at that density; SELECT * FROM healthscore.enable_rollup(%L, %L) measures again, or healthscore.disable_rollup() drops it.',
					   found_model.name, found.source);
			CONTINUE;
		END IF;
		IF rolled.definition IS DISTINCT FROM found.definition THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				'the signals over this source changed since the rollup was built: until the next refresh builds it again (reading the whole source once), refreshes read the events'::text,
				'Refresh the model at a quiet time, or run healthscore.enable_rollup() again now.'::text;
		END IF;
		RETURN QUERY SELECT 'warning', format('signal "%s"', x.signal),
			format('its rollup of %s does not hold it, so every refresh reads its events: %s', found.source, x.reason),
			'Rollups hold count, sum, avg, min and max of integers, float8 and times, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness and healthscore.nps, with immutable arguments and FILTER, over the source''s time column (timestamptz).'::text
		FROM unnest(rolled.skipped, rolled.reasons) AS x(signal, reason);
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_index AS i
					   JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
					   WHERE i.indrelid = found.source::regclass AND a.attname = rolled.time_column)
		   AND EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = found.source::regclass AND c.relkind IN ('r', 'm')) THEN
			RETURN QUERY SELECT 'warning', format('rollup of %s', found.source),
				format('%s has no index that starts with its time column %s: the days at a window''s edges and the new days are read by scanning the whole source',
					   found.source, rolled.time_column),
				format('CREATE INDEX ON %s (%I);', found.source, rolled.time_column);
		END IF;
	END LOOP;
	-- a group weight whose category no signal has any more weighs nothing, silently
	RETURN QUERY
	SELECT 'warning', format('group "%s"', g.category),
		   'the model has a group weight for this category, but no signal of it'::text,
		   format('Remove it with healthscore.set_group_weight(%L, %L, NULL), or give a signal this category.',
				  found_model.name, g.category)
	FROM jsonb_object_keys(found_model.group_weights) AS g(category)
	WHERE NOT EXISTS (SELECT FROM healthscore.signals AS s WHERE s.model = found_model.name AND s.category = g.category)
	ORDER BY g.category;
END
$$;
-- Privileges. Defining models, refreshing and scheduling write shared tables and run model text
-- (as its authors), so PUBLIC may not call them: an administrator grants them with grant_admin().
-- Reading goes through grant_reader(). Nothing in healthscore_internal is for PUBLIC.

-- The one list of what an administrator may call and PUBLIC may not.
CREATE OR REPLACE FUNCTION healthscore_internal.admin_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean, text, interval, float8)',
		'healthscore.alter_model(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, boolean, text)',
		'healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text, interval, text)',
		'healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text, interval, text[], text)',
		'healthscore.set_weight(text, text, float8)',
		'healthscore.set_group_weight(text, text, float8)',
		'healthscore.drop_signal(text, text)',
		'healthscore.drop_model(text)',
		'healthscore.refresh(text, timestamptz)',
		'healthscore.refresh_sql(text, timestamptz)',
		'healthscore.backfill(text, timestamptz, timestamptz, interval)',
		'healthscore.schedule(text, text)',
		'healthscore.unschedule(text, boolean)',
		'healthscore.set_outcomes(text, regclass, text, text, text)',
		'healthscore.apply_weights(text, interval, timestamptz, float8, text[])',
		'healthscore.refresh_group(text, timestamptz)',
		'healthscore.set_override(text, text, text, text, timestamptz, timestamptz)',
		'healthscore.clear_override(text, text, timestamptz)',
		'healthscore.add_playbook(text, text, text, text, text, text)',
		'healthscore.add_indicator(text, text, text, text, float8, interval, text)',
		'healthscore.drop_indicator(text, text)',
		'healthscore.set_parent(text, text, text)',
		'healthscore.assess(text, text, integer, float8, text, interval, timestamptz)',
		'healthscore.adopt_model(text)',
		'healthscore.explain_refresh(text, timestamptz, boolean)',
		'healthscore.run(text, timestamptz)',
		'healthscore.set_expected_every(text, interval)',
		'healthscore.check_model(text)',
		'healthscore.calibrate(text, interval, timestamptz)',
		'healthscore.preview(text, jsonb, jsonb, float8[], timestamptz, interval, timestamptz, float8)',
		'healthscore.preview_accounts(text, jsonb, jsonb, float8[], timestamptz, float8)',
		'healthscore.enable_rollup(text, regclass, interval, interval, float8)',
		'healthscore.disable_rollup(text, regclass)',
		'healthscore.refresh_rollup(text, regclass, timestamptz, timestamptz)'
	]::regprocedure[]
$$;
-- The internal functions that readers' views and row-level security policies run as the reader:
-- the visibility of accounts, reading outcomes and accounts as their author (they return only the
-- rows the reader may see), the status of runs.
CREATE OR REPLACE FUNCTION healthscore_internal.reader_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore_internal.outcomes_as_author(text)',
		'healthscore_internal.accounts_as_author(text)',
		'healthscore_internal.outcomes_query(text)',
		'healthscore_internal.accounts_query(text)',
		'healthscore_internal.model_author(text, text)',
		'healthscore_internal.author_role(text[], text, text)',
		'healthscore_internal.attempt_lock(bigint)',
		'healthscore_internal.attempt_status(text, bigint, integer)',
		'healthscore_internal.attempt_error(text, bigint, integer)',
		'healthscore_internal.overdue(interval, timestamptz)',
		'healthscore_internal.account_visible(text, text)',
		'healthscore_internal.account_listed(text, text)',
		'healthscore_internal.run_outcomes(text, interval, timestamptz)',
		'healthscore_internal.trend_over_window(float8, float8, float8)',
		'healthscore_internal.hierarchy_links()',
		'healthscore_internal.indicator_playbook(text, text, bigint, text)',
		'healthscore_internal.model_row(text)',
		'healthscore_internal.calibration_rows(text, interval, timestamptz)',
		'healthscore_internal.fit_calibration(text, text, interval, timestamptz)',
		'healthscore_internal.calibration_measured(text, text, interval, timestamptz, integer, boolean)',
		'healthscore_internal.run_measures(bigint[], float8[], integer[], boolean[])',
		'healthscore_internal.check_two_models(text, text, text)',
		'healthscore_internal.paired_rows(text, text, interval, timestamptz)',
		'healthscore_internal.models_compared(text, text, text, interval, timestamptz, integer, bigint, boolean)',
		'healthscore_internal.paired_auc_bootstrap(integer[], integer[], float8[], float8[], boolean[], integer, bigint)',
		'healthscore_internal.tiers_compared(text, text, text, timestamptz, boolean)',
		-- score_changes: what moved each score, signal by signal
		'healthscore_internal.contributions(text[], text[], float8[], float8[])',
		'healthscore_internal.contribution_changes(text[], text[], float8[], float8[], text[], float8[], text[], float8[], float8[], text[], float8[])',
		-- the reports (reports.sql): pages built from the views as the reader
		'healthscore_internal.run_members(text, text)',
		'healthscore_internal.html_escape(text)',
		'healthscore_internal.html_number(float8, integer)',
		'healthscore_internal.html_money(numeric)',
		'healthscore_internal.html_percent(float8)',
		'healthscore_internal.html_date(timestamptz, text)',
		'healthscore_internal.svg_number(float8)',
		'healthscore_internal.tier_color(integer, integer)',
		'healthscore_internal.axis_top(float8)',
		'healthscore_internal.chart_legend(text[], text[])',
		'healthscore_internal.mark_data(text, text, text, text)',
		'healthscore_internal.svg_gridline(float8, float8, float8, text)',
		'healthscore_internal.chart_figure(text, text, text, float8, float8, text, text)',
		'healthscore_internal.chart_stacked_bars(text, text, text[], text[], text[], integer[], integer[], float8[], text)',
		'healthscore_internal.chart_bars(text, text, text[], text[], text[], integer[], integer[], float8[], boolean)',
		'healthscore_internal.chart_lines(text, text, float8, float8, float8[], text[], float8, float8, float8[], text[], text[], text[], integer[], float8[], float8[], text[], float8[], float8[], text[], text[], float8, float8, text, boolean, boolean)',
		'healthscore_internal.time_ticks(timestamptz[], text, integer)',
		'healthscore_internal.html_page(text, text)',
		'healthscore_internal.html_row(text[], integer[])',
		'healthscore_internal.html_head(text[])',
		'healthscore_internal.html_tier(text, integer, integer)',
		'healthscore_internal.html_sparkline(text)',
		'healthscore_internal.report_names(text, regclass, text[])',
		'healthscore_internal.html_account(jsonb, text)',
		'healthscore_internal.account_label(jsonb, text)',
		'healthscore_internal.report_day(timestamptz, text)',
		'healthscore_internal.check_report_arguments(text, interval, timestamptz, integer)',
		'healthscore_internal.report_validation(text, interval, timestamptz)',
		'healthscore_internal.model_tiers(text)',
		'healthscore_internal.report_signal_charts(text, text, text, float8, float8, float8[], text[])'
	]::regprocedure[]
$$;
-- The views are security_invoker: a reader needs SELECT on the tables behind them too, and every
-- table with rows about accounts (scores, overrides, assessments) has row-level security that
-- limits them to the accounts the reader may see in the account relation. Of runs a reader gets
-- the columns that say nothing about accounts: its totals count every account, including those
-- hidden from the reader (model_runs counts the visible ones instead).
CREATE OR REPLACE FUNCTION healthscore_internal.check_role(func text, role regrole)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role IS NULL THEN
		RAISE EXCEPTION '%(): role must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name an existing role, e.g. ''tableau''.';
	END IF;
END
$$;
CREATE OR REPLACE FUNCTION healthscore.grant_reader(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.check_role('grant_reader', role);
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.current_scores, healthscore.score_components, healthscore.risk_list,
		healthscore.score_history, healthscore.tier_changes, healthscore.tier_summary, healthscore.model_runs,
		healthscore.model_accuracy, healthscore.score_drops, healthscore.models, healthscore.signals,
		healthscore.scores, healthscore.components, healthscore.churn_reasons, healthscore.success_factors,
		healthscore.playbooks, healthscore.overrides, healthscore.assessments, healthscore.stale_assessments,
		healthscore.unscored_accounts, healthscore.score_changes, healthscore.group_scores, healthscore.indicators,
		healthscore.risk_indicators, healthscore.parent_scores, healthscore.calibrations,
		healthscore.model_calibration, healthscore.model_comparisons, healthscore.model_tier_agreement TO %s', role);
	EXECUTE format('GRANT SELECT (run_id, model, as_of, started_at, finished_at, fingerprint, signals, weights, stale,
		newest_rows, categories, group_weights, probability_horizon, probability_min_score, probability_max_score,
		probability_note) ON healthscore.runs TO %s', role);
	-- attempts without their error texts, which may quote values of rows
	EXECUTE format('GRANT SELECT (attempt_id, model, as_of, started_at, finished_at, status, run_id, backend_pid,
		error_sqlstate) ON healthscore.attempts TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.model_status TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.trusted_owners TO %s', role);
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore_internal.reader_functions()) AS f), role);
END
$$;
CREATE OR REPLACE FUNCTION healthscore.grant_admin(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore_internal.check_role('grant_admin', role);
	PERFORM healthscore.grant_reader(role);
	-- the extension's own SQL that admin functions call, and the refresh runs as model authors
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA healthscore_internal TO %s', role);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON healthscore.models, healthscore.signals, healthscore.indicators,
		healthscore.runs, healthscore.attempts, healthscore.scores, healthscore.churn_reasons,
		healthscore.success_factors, healthscore.assessments, healthscore.overrides, healthscore.playbooks,
		healthscore.calibrations, healthscore.rollups, healthscore.rollup_states TO %s', role);
	EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE healthscore.runs_run_id_seq, healthscore.rollups_rollup_id_seq, healthscore.attempts_attempt_id_seq,
		healthscore.assessments_assessment_id_seq,
		healthscore.overrides_override_id_seq, healthscore.playbooks_playbook_id_seq TO %s', role);
	EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore_internal.admin_functions()) AS f), role);
	-- schedule() calls pg_cron, whose schema is closed to other roles; its jobs run as the role
	-- that scheduled them
	IF healthscore_internal.cron_installed() THEN
		EXECUTE format('GRANT USAGE ON SCHEMA cron TO %s', role);
	END IF;
END
$$;

-- Aggregates new in 0.2.0 (over the functions above).
-- A day's exact set, for distinct_count() and stickiness() rolled up: their transition
-- functions without their final functions. Sets of days are united by exact_set_union().
CREATE AGGREGATE healthscore_internal.distinct_count_state(value bigint) (
	SFUNC = healthscore_internal.distinct_count_int8_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);
CREATE AGGREGATE healthscore_internal.distinct_count_state(value text) (
	SFUNC = healthscore_internal.distinct_count_text_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);
CREATE AGGREGATE healthscore_internal.distinct_count_state(value uuid) (
	SFUNC = healthscore_internal.distinct_count_uuid_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);
CREATE AGGREGATE healthscore_internal.stickiness_state(user_id bigint, at timestamptz) (
	SFUNC = healthscore_internal.stickiness_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);
-- A day's nps() counts (responses, promoters, detractors) without the score.
CREATE AGGREGATE healthscore_internal.nps_state(rating integer) (
	SFUNC = healthscore_internal.nps_accum,
	STYPE = int8[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore_internal.nps_combine,
	PARALLEL = SAFE
);
CREATE AGGREGATE healthscore_internal.exact_set_union(set healthscore.exact_set) (
	SFUNC = healthscore_internal.exact_set_combine,
	STYPE = healthscore.exact_set,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

-- 0.2.0 gives the aggregates that keep lists and sets real state types (exact_set, auc_state,
-- logistic_state) instead of internal, so that engines such as Citus can ship their states.
-- Dropping and re-creating the aggregates would fail on every view of a user that calls one
-- (or, with CASCADE, drop those views), so each aggregate keeps its OID and is pointed at its
-- new support functions in the catalog, with its dependencies moved along, as PostGIS's
-- updates do for the same reason. The old support functions are dropped after.
DO $repoint$
DECLARE
	target record;
	old pg_catalog.pg_aggregate;
BEGIN
	FOR target IN
		SELECT v.aggregate::pg_catalog.regprocedure AS aggregate, v.transfn::pg_catalog.regprocedure AS transfn,
		       v.combinefn::pg_catalog.regprocedure AS combinefn, v.finalfn::pg_catalog.regprocedure AS finalfn,
		       v.transtype::pg_catalog.regtype AS transtype
		FROM (VALUES
			('healthscore.distinct_count(bigint)', 'healthscore_internal.distinct_count_int8_accum(healthscore.exact_set, bigint)',
			 'healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set)',
			 'healthscore_internal.distinct_count_final(healthscore.exact_set)', 'healthscore.exact_set'),
			('healthscore.distinct_count(text)', 'healthscore_internal.distinct_count_text_accum(healthscore.exact_set, text)',
			 'healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set)',
			 'healthscore_internal.distinct_count_final(healthscore.exact_set)', 'healthscore.exact_set'),
			('healthscore.distinct_count(uuid)', 'healthscore_internal.distinct_count_uuid_accum(healthscore.exact_set, uuid)',
			 'healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set)',
			 'healthscore_internal.distinct_count_final(healthscore.exact_set)', 'healthscore.exact_set'),
			('healthscore.stickiness(bigint, timestamptz)',
			 'healthscore_internal.stickiness_accum(healthscore.exact_set, bigint, timestamptz)',
			 'healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set)',
			 'healthscore_internal.stickiness_final(healthscore.exact_set)', 'healthscore.exact_set'),
			('healthscore.auc(float8, boolean)', 'healthscore_internal.auc_accum(healthscore.auc_state, float8, boolean)',
			 'healthscore_internal.auc_combine(healthscore.auc_state, healthscore.auc_state)',
			 'healthscore_internal.auc_final(healthscore.auc_state)', 'healthscore.auc_state'),
			('healthscore.logistic_fit(boolean, float8[])',
			 'healthscore_internal.logistic_accum(healthscore.logistic_state, boolean, float8[])',
			 'healthscore_internal.logistic_combine(healthscore.logistic_state, healthscore.logistic_state)',
			 'healthscore_internal.logistic_final(healthscore.logistic_state)', 'healthscore.logistic_state')
		) AS v(aggregate, transfn, combinefn, finalfn, transtype)
	LOOP
		SELECT * INTO STRICT old FROM pg_catalog.pg_aggregate AS a
		WHERE a.aggfnoid OPERATOR(pg_catalog.=) target.aggregate;
		UPDATE pg_catalog.pg_aggregate AS a
		SET aggtransfn = target.transfn::pg_catalog.oid::pg_catalog.regproc,
		    aggcombinefn = target.combinefn::pg_catalog.oid::pg_catalog.regproc,
		    aggfinalfn = target.finalfn::pg_catalog.oid::pg_catalog.regproc,
		    aggserialfn = 0, aggdeserialfn = 0,
		    aggtranstype = target.transtype
		WHERE a.aggfnoid OPERATOR(pg_catalog.=) target.aggregate;
		UPDATE pg_catalog.pg_depend AS d
		SET refobjid = CASE
			WHEN d.refobjid OPERATOR(pg_catalog.=) old.aggtransfn THEN target.transfn::pg_catalog.oid
			WHEN d.refobjid OPERATOR(pg_catalog.=) old.aggcombinefn THEN target.combinefn::pg_catalog.oid
			ELSE target.finalfn::pg_catalog.oid END
		WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		  AND d.objid OPERATOR(pg_catalog.=) target.aggregate
		  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		  AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY[old.aggtransfn, old.aggcombinefn, old.aggfinalfn]::pg_catalog.oid[]);
		DELETE FROM pg_catalog.pg_depend AS d
		WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		  AND d.objid OPERATOR(pg_catalog.=) target.aggregate
		  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		  AND d.refobjid OPERATOR(pg_catalog.=) ANY (ARRAY[old.aggserialfn, old.aggdeserialfn]::pg_catalog.oid[]);
	END LOOP;
END
$repoint$;

DROP FUNCTION healthscore_internal.distinct_set_combine(internal, internal);
DROP FUNCTION healthscore_internal.distinct_set_serialize(internal);
DROP FUNCTION healthscore_internal.distinct_count_final(internal);
DROP FUNCTION healthscore_internal.distinct_count_int8_accum(internal, bigint);
DROP FUNCTION healthscore_internal.distinct_count_int8_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.distinct_count_text_accum(internal, text);
DROP FUNCTION healthscore_internal.distinct_count_text_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.distinct_count_uuid_accum(internal, uuid);
DROP FUNCTION healthscore_internal.distinct_count_uuid_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.stickiness_accum(internal, bigint, timestamptz);
DROP FUNCTION healthscore_internal.stickiness_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.stickiness_final(internal);
DROP FUNCTION healthscore_internal.auc_accum(internal, float8, boolean);
DROP FUNCTION healthscore_internal.auc_combine(internal, internal);
DROP FUNCTION healthscore_internal.auc_serialize(internal);
DROP FUNCTION healthscore_internal.auc_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.auc_final(internal);
DROP FUNCTION healthscore_internal.logistic_accum(internal, boolean, float8[]);
DROP FUNCTION healthscore_internal.logistic_combine(internal, internal);
DROP FUNCTION healthscore_internal.logistic_serialize(internal);
DROP FUNCTION healthscore_internal.logistic_deserialize(bytea, internal);
DROP FUNCTION healthscore_internal.logistic_final(internal);

-- Text that 0.1.0 stored is code, and 0.2.0 never runs text that is not exactly one expression:
-- stop here, naming it, rather than keep something that would run other statements.
DO $$
DECLARE
	model_text record;
BEGIN
	FOR model_text IN
		SELECT m.name AS model, NULL::text AS signal, m.segment_filter AS written, 'filter' AS kind
		FROM healthscore.models AS m WHERE m.segment_filter IS NOT NULL
		UNION ALL
		SELECT s.model, s.name, s.expression, 'expression' FROM healthscore.signals AS s
		WHERE s.scoring OPERATOR(pg_catalog.<>) 'assessment'
	LOOP
		BEGIN
			PERFORM healthscore_internal.one_expression(model_text.written, 'update', model_text.model,
														model_text.signal, model_text.kind);
		EXCEPTION WHEN syntax_error THEN
			RAISE EXCEPTION 'healthscore 0.2.0: % of model "%" is not exactly one SQL expression',
				CASE WHEN model_text.signal IS NULL THEN 'the segment filter'
					 ELSE pg_catalog.format('the expression of signal "%s"', model_text.signal) END, model_text.model
				USING ERRCODE = 'syntax_error', DETAIL = SQLERRM,
					  HINT = 'Correct it in healthscore.models or healthscore.signals, then run ALTER EXTENSION healthscore UPDATE again.';
		END;
	END LOOP;
END
$$;

-- Triggers and row-level security new in 0.2.0.
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
-- Row-level security: a reader sees an override (and its reason) when it may see its account in
-- the model's account relation, exactly as for the scores.
ALTER TABLE healthscore.overrides ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_accounts ON healthscore.overrides FOR SELECT
	USING (healthscore_internal.account_visible(model, account_key));
CREATE POLICY writers ON healthscore.overrides FOR INSERT WITH CHECK (true);
CREATE POLICY updaters ON healthscore.overrides FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY removers ON healthscore.overrides FOR DELETE USING (true);
CREATE TRIGGER record_author BEFORE INSERT OR UPDATE ON healthscore.models
	FOR EACH ROW EXECUTE FUNCTION healthscore_internal.record_model_author();
CREATE TRIGGER record_author BEFORE INSERT OR UPDATE ON healthscore.signals
	FOR EACH ROW EXECUTE FUNCTION healthscore_internal.record_signal_author();

-- Every view, in order.
-- Views for analysts and BI tools. All are security_invoker, so the reader's own privileges and
-- row-level security apply; columns are scalar (no arrays or json), named for reports. Functions
-- and operators are named with their schema (views bind them when they are created).

-- The components of every run, one row per run, account and signal, unfolded from the arrays
-- of the score rows. Row-level security of scores applies (security_invoker).
CREATE OR REPLACE VIEW healthscore.components WITH (security_invoker = true) AS
SELECT s.run_id, s.model, s.account_key, c.signal, c.raw_value, c.points, c.weight, share.weight_share,
	   c.points OPERATOR(pg_catalog.*) share.weight_share AS contribution,
	   coalesce((100 OPERATOR(pg_catalog.-) c.points) OPERATOR(pg_catalog.*) share.weight_share, 0) AS points_lost,
	   coalesce(c.stale, false) AS stale,
	   r.as_of
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
-- the weights in this account's score: the signals' own, or re-spread within groups
CROSS JOIN LATERAL (SELECT healthscore.effective_weights(s.points, r.weights, r.categories, r.group_weights)
					OFFSET 0) AS effective(weights)
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight)
					FROM ROWS FROM (pg_catalog.unnest(s.points), pg_catalog.unnest(effective.weights)) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.signals), pg_catalog.unnest(s.raw_values), pg_catalog.unnest(s.points),
							  pg_catalog.unnest(r.weights), pg_catalog.unnest(r.stale), pg_catalog.unnest(effective.weights))
	AS c(signal, raw_value, points, weight, stale, effective_weight)
CROSS JOIN LATERAL (SELECT CASE WHEN c.points IS NULL THEN 0 ELSE c.effective_weight OPERATOR(pg_catalog./) present.weight END)
	AS share(weight_share);
-- Runs of each model, newest as-of time first (recency 1 = the current run), and the attempts of
-- run() that did not write one (running, failed): those never become current. The totals count
-- the run's scores the reader may see: readers may not read runs.accounts (grant_reader), which
-- counts every account, also those row-level security hides from them.
CREATE OR REPLACE VIEW healthscore.model_runs WITH (security_invoker = true) AS
SELECT r.model, r.run_id, r.as_of, r.started_at, r.finished_at,
	   (SELECT pg_catalog.count(*)::pg_catalog.int4 FROM healthscore.scores AS s
		WHERE s.run_id OPERATOR(pg_catalog.=) r.run_id) AS accounts,
	   (SELECT pg_catalog.count(s.score)::pg_catalog.int4 FROM healthscore.scores AS s
		WHERE s.run_id OPERATOR(pg_catalog.=) r.run_id) AS accounts_scored,
	   r.fingerprint,
	   pg_catalog.row_number() OVER (PARTITION BY r.model ORDER BY r.as_of DESC, r.run_id DESC) AS recency,
	   'succeeded'::pg_catalog.text AS status,
	   NULL::pg_catalog.text AS error,
	   (SELECT pg_catalog.min(a.attempt_id) FROM healthscore.attempts AS a
		WHERE a.run_id OPERATOR(pg_catalog.=) r.run_id) AS attempt_id,
	   (SELECT pg_catalog.count(*)::pg_catalog.int4 FROM pg_catalog.unnest(r.stale) AS x(stale) WHERE x.stale)
		   AS stale_signals,
	   r.probability_horizon,
	   r.probability_min_score,
	   r.probability_max_score,
	   r.probability_note
FROM healthscore.runs AS r
UNION ALL
SELECT a.model, NULL, a.as_of, a.started_at, a.finished_at, NULL, NULL, NULL, NULL,
	   healthscore_internal.attempt_status(a.status, a.attempt_id, a.backend_pid),
	   healthscore_internal.attempt_error(a.status, a.attempt_id, a.backend_pid),
	   a.attempt_id, NULL, NULL, NULL, NULL, NULL
FROM healthscore.attempts AS a
WHERE a.status OPERATOR(pg_catalog.<>) 'succeeded';
CREATE OR REPLACE VIEW healthscore.current_scores WITH (security_invoker = true) AS
SELECT s.model,
	   m.model_group,
	   s.account_key,
	   s.score,
	   s.tier,
	   s.computed_tier,
	   s.override_id IS NOT NULL AS overridden,
	   ov.reason AS override_reason,
	   ov.set_by AS override_by,
	   ov.expires_at AS override_expires_at,
	   s.previous_score,
	   s.score OPERATOR(pg_catalog.-) s.previous_score AS change,
	   -- over the trend window, not since the run before: a score falling 3 points a week reads down
	   healthscore_internal.trend_over_window(s.score, s.window_start_score, m.trend_threshold) AS trend,
	   s.segment,
	   s.value,
	   s.owner,
	   s.renewal_date,
	   s.renewal_date OPERATOR(pg_catalog.-) (r.as_of AT TIME ZONE m.time_zone)::pg_catalog.date AS days_to_renewal,
	   r.as_of AS scored_at,
	   healthscore.sparkline(s.sparkline) AS sparkline,
	   s.reasons,
	   s.worst_signal,
	   s.run_id,
	   healthscore.sparkline_ascii(s.sparkline) AS sparkline_ascii,
	   run_state.overdue AS stale,
	   r.stale_signals,
	   s.window_start_score,
	   s.score OPERATOR(pg_catalog.-) s.window_start_score AS window_change,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank,
	   s.tier_without_hysteresis,
	   s.why_changed,
	   s.weakest_group,
	   coalesce(pg_catalog.cardinality(s.indicators), 0) AS active_indicators,
	   pg_catalog.array_to_string(s.indicators, '; ') AS indicators,
	   s.parent_key,
	   s.churn_probability,
	   r.probability_horizon,
	   coalesce(r.probability_note,
				CASE WHEN s.score OPERATOR(pg_catalog.<) r.probability_min_score
						  OR s.score OPERATOR(pg_catalog.>) r.probability_max_score
					 THEN 'extrapolated: the score is outside the scores the calibration was fitted on' END)
		   AS probability_note,
	   s.expected_loss
FROM healthscore.model_runs AS r
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) r.model
-- once per run, not per account
CROSS JOIN LATERAL (SELECT healthscore_internal.overdue(m.expected_every, r.as_of) AS overdue OFFSET 0) AS run_state
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
LEFT JOIN healthscore.overrides AS ov ON ov.override_id OPERATOR(pg_catalog.=) s.override_id
WHERE r.recency OPERATOR(pg_catalog.=) 1;
CREATE OR REPLACE VIEW healthscore.score_components WITH (security_invoker = true) AS
SELECT c.model, c.account_key, c.signal, sig.category, c.raw_value, c.points, c.weight, c.weight_share,
	   c.contribution, c.points_lost, sig.action, r.as_of AS scored_at, c.run_id, c.stale
FROM healthscore.model_runs AS r
JOIN healthscore.components AS c ON c.run_id OPERATOR(pg_catalog.=) r.run_id
LEFT JOIN healthscore.signals AS sig ON sig.model OPERATOR(pg_catalog.=) c.model AND sig.name OPERATOR(pg_catalog.=) c.signal
WHERE r.recency OPERATOR(pg_catalog.=) 1
ORDER BY c.model, c.account_key, c.points_lost DESC, c.signal;
-- Each account's group scores in the current run: a group is the signals of one category. The
-- contributions add up to the score, with or without group weights.
CREATE OR REPLACE VIEW healthscore.group_scores WITH (security_invoker = true) AS
SELECT s.model, s.account_key, g.category, g.group_score, g.group_weight, g.weight_share,
	   coalesce(g.group_score OPERATOR(pg_catalog.*) g.weight_share, 0) AS contribution,
	   g.signals, g.present_signals, r.as_of AS scored_at, s.run_id
FROM healthscore.model_runs AS current_run
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) current_run.run_id
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL (SELECT healthscore.effective_weights(s.points, r.weights, r.categories, r.group_weights)
					OFFSET 0) AS effective(weights)
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight)
					FROM ROWS FROM (pg_catalog.unnest(s.points), pg_catalog.unnest(effective.weights)) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL (
	SELECT u.category,
		   pg_catalog.sum(u.weight OPERATOR(pg_catalog.*) u.points)
			   OPERATOR(pg_catalog./) pg_catalog.sum(u.weight) FILTER (WHERE u.points IS NOT NULL) AS group_score,
		   coalesce(pg_catalog.max(u.group_weight), pg_catalog.sum(u.weight)) AS group_weight,
		   coalesce(pg_catalog.sum(u.effective_weight) FILTER (WHERE u.points IS NOT NULL), 0)
			   OPERATOR(pg_catalog./) present.weight AS weight_share,
		   pg_catalog.count(*) AS signals, pg_catalog.count(u.points) AS present_signals
	FROM ROWS FROM (pg_catalog.unnest(r.categories), pg_catalog.unnest(s.points), pg_catalog.unnest(r.weights),
					pg_catalog.unnest(effective.weights), pg_catalog.unnest(r.group_weights))
		AS u(category, points, weight, effective_weight, group_weight)
	GROUP BY u.category) AS g
WHERE current_run.recency OPERATOR(pg_catalog.=) 1 AND r.categories IS NOT NULL;
-- The risk indicators raised for the accounts of every model's current run, since when and why.
CREATE OR REPLACE VIEW healthscore.risk_indicators WITH (security_invoker = true) AS
SELECT s.model, s.account_key, raised.indicator, def.kind, def.signal, raised.since,
	   raised.since OPERATOR(pg_catalog.=) r.as_of AS newly_raised, raised.reason, def.description,
	   s.score, s.tier, s.value, s.owner, r.as_of AS scored_at, s.run_id
FROM healthscore.model_runs AS r
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(s.indicators), pg_catalog.unnest(s.indicators_since),
							  pg_catalog.unnest(s.indicator_reasons)) AS raised(indicator, since, reason)
LEFT JOIN healthscore.indicators AS def
	ON def.model OPERATOR(pg_catalog.=) s.model AND def.name OPERATOR(pg_catalog.=) raised.indicator
WHERE r.recency OPERATOR(pg_catalog.=) 1 AND s.indicators IS NOT NULL;
-- Parents rolled up from their children's current scores (whichever model of the group scored
-- each), over the children the reader may see; links to a missing parent or on a cycle are skipped.
CREATE OR REPLACE VIEW healthscore.parent_scores WITH (security_invoker = true) AS
SELECT g.scope AS hierarchy, g.parent_key, g.rollup, g.score,
	   healthscore.tier(g.score, g.tier_cutoffs, g.tier_labels) AS tier,
	   pg_catalog.array_position(g.tier_labels, healthscore.tier(g.score, g.tier_cutoffs, g.tier_labels)) AS tier_rank,
	   g.children, g.children_scored, g.total_value, g.weakest_child, g.weakest_child_score
FROM (SELECT l.scope, l.parent_key, pg_catalog.min(l.rollup) AS rollup,
			 CASE WHEN pg_catalog.min(l.rollup) OPERATOR(pg_catalog.=) 'minimum' THEN pg_catalog.min(l.score)
				  -- by value; children without a positive value only when no child has one
				  ELSE coalesce(pg_catalog.sum(l.value::pg_catalog.float8 OPERATOR(pg_catalog.*) l.score)
									FILTER (WHERE l.value OPERATOR(pg_catalog.>) 0 AND l.score IS NOT NULL)
								OPERATOR(pg_catalog./)
								pg_catalog.sum(l.value::pg_catalog.float8)
									FILTER (WHERE l.value OPERATOR(pg_catalog.>) 0 AND l.score IS NOT NULL),
								pg_catalog.avg(l.score)) END AS score,
			 pg_catalog.min(l.tier_cutoffs) AS tier_cutoffs, pg_catalog.min(l.tier_labels) AS tier_labels,
			 pg_catalog.count(*) AS children, pg_catalog.count(l.score) AS children_scored,
			 pg_catalog.sum(l.value) AS total_value,
			 (pg_catalog.array_agg(l.account_key ORDER BY l.score NULLS LAST, l.account_key))[1] AS weakest_child,
			 pg_catalog.min(l.score) AS weakest_child_score
	  FROM healthscore_internal.hierarchy_links() AS l
	  WHERE l.parent_key IS NOT NULL AND l.problem IS NULL
	  GROUP BY l.scope, l.parent_key) AS g;
CREATE OR REPLACE VIEW healthscore.risk_list WITH (security_invoker = true) AS
SELECT cs.model,
	   pg_catalog.row_number() OVER (PARTITION BY cs.model
									 ORDER BY cs.value OPERATOR(pg_catalog.*) (100 OPERATOR(pg_catalog.-) coalesce(cs.score, 0))
											  OPERATOR(pg_catalog./) 100 DESC NULLS LAST,
											  cs.score ASC NULLS FIRST, cs.account_key) AS priority,
	   cs.account_key,
	   cs.score,
	   cs.tier,
	   cs.trend,
	   cs.change,
	   cs.value,
	   cs.value OPERATOR(pg_catalog.*) (100 OPERATOR(pg_catalog.-) coalesce(cs.score, 0)) OPERATOR(pg_catalog./) 100
		   AS value_at_risk,
	   cs.reasons,
	   cs.worst_signal,
	   coalesce(indicator_play.action, play.action) AS action,
	   CASE WHEN indicator_play.action IS NOT NULL THEN indicator_play.owner_role ELSE play.owner_role END
		   AS action_owner,
	   cs.owner,
	   cs.days_to_renewal,
	   cs.renewal_date,
	   cs.segment,
	   cs.overridden,
	   cs.computed_tier,
	   cs.override_reason,
	   cs.sparkline,
	   cs.scored_at,
	   cs.sparkline_ascii,
	   cs.stale,
	   cs.stale_signals,
	   cs.why_changed,
	   cs.window_change,
	   cs.tier_rank,
	   cs.active_indicators,
	   cs.indicators,
	   cs.parent_key,
	   cs.churn_probability,
	   cs.probability_horizon,
	   cs.probability_note,
	   cs.expected_loss
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
-- a raised risk indicator's playbook wins; looked up only for accounts with raised indicators (the
-- CASE), by a function of tiny estimated cost, so that the plan's cost, and JIT, stay what they were
CROSS JOIN LATERAL (SELECT play_row.p[1] AS action, play_row.p[2] AS owner_role
					FROM (SELECT CASE WHEN cs.active_indicators OPERATOR(pg_catalog.>) 0 THEN
								 healthscore_internal.indicator_playbook(cs.model, cs.tier, cs.run_id, cs.account_key) END
								 AS p
						  OFFSET 0) AS play_row) AS indicator_play
-- the most specific playbook for every tier and costliest signal of a model, resolved once per
-- combination (few) rather than per account: tier and signal, that signal in any tier, the signal's
-- own action, the tier's playbook, the model's tier action
LEFT JOIN (
	SELECT DISTINCT ON (combination.model, combination.tier, combination.signal)
		   combination.model, combination.tier, combination.signal, candidate.action, candidate.owner_role
	FROM (SELECT mm.name AS model, t.tier, sig.name AS signal, mm.tier_labels, mm.tier_actions
		  FROM healthscore.models AS mm
		  CROSS JOIN LATERAL pg_catalog.unnest(mm.tier_labels OPERATOR(pg_catalog.||) '{unknown}'::pg_catalog.text[]) AS t(tier)
		  -- every signal, and none (an account that lost no points still gets its tier's playbook)
		  CROSS JOIN LATERAL (SELECT s.name FROM healthscore.signals AS s WHERE s.model OPERATOR(pg_catalog.=) mm.name
							  UNION ALL SELECT NULL) AS sig) AS combination
	CROSS JOIN LATERAL (
		SELECT 1 AS specificity, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier OPERATOR(pg_catalog.=) combination.tier
		  AND pb.signal OPERATOR(pg_catalog.=) combination.signal AND pb.indicator IS NULL
		UNION ALL
		SELECT 2, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier IS NULL
		  AND pb.signal OPERATOR(pg_catalog.=) combination.signal AND pb.indicator IS NULL
		UNION ALL
		SELECT 3, sig.action, NULL FROM healthscore.signals AS sig
		WHERE sig.model OPERATOR(pg_catalog.=) combination.model AND sig.name OPERATOR(pg_catalog.=) combination.signal
		  AND sig.action IS NOT NULL
		UNION ALL
		SELECT 4, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model OPERATOR(pg_catalog.=) combination.model AND pb.tier OPERATOR(pg_catalog.=) combination.tier
		  AND pb.signal IS NULL AND pb.indicator IS NULL
		UNION ALL
		SELECT 5, combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)], NULL
		WHERE combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)] IS NOT NULL
	) AS candidate
	ORDER BY combination.model, combination.tier, combination.signal, candidate.specificity
) AS play ON play.model OPERATOR(pg_catalog.=) cs.model AND play.tier OPERATOR(pg_catalog.=) cs.tier
		 -- IS NOT DISTINCT FROM, written with a qualified operator
		 AND (play.signal OPERATOR(pg_catalog.=) cs.worst_signal OR (play.signal IS NULL AND cs.worst_signal IS NULL))
WHERE cs.tier OPERATOR(pg_catalog.<>) m.tier_labels[pg_catalog.cardinality(m.tier_labels)];
CREATE OR REPLACE VIEW healthscore.score_history WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.account_key, s.score, s.tier, s.segment, s.value, s.owner, s.renewal_date,
	   r.fingerprint, pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) s.model;
CREATE OR REPLACE VIEW healthscore.tier_changes WITH (security_invoker = true) AS
-- From what each run wrote about the run before it (its previous tier and score), so that a filter
-- on changed_at reads only the runs it selects, not the whole history.
SELECT s.model, s.account_key, s.previous_tier AS from_tier, s.tier AS to_tier, r.as_of AS changed_at,
	   s.previous_score AS from_score, s.score AS to_score, before.run_id AS from_run_id, s.run_id AS to_run_id,
	   pg_catalog.array_position(m.tier_labels, s.previous_tier) AS from_tier_rank,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS to_tier_rank
FROM healthscore.runs AS r
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) r.model
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) r.run_id
CROSS JOIN LATERAL (SELECT x.run_id FROM healthscore.runs AS x
					WHERE x.model OPERATOR(pg_catalog.=) r.model
					  AND (x.as_of OPERATOR(pg_catalog.<) r.as_of
						   OR (x.as_of OPERATOR(pg_catalog.=) r.as_of AND x.run_id OPERATOR(pg_catalog.<) r.run_id))
					ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS before
WHERE s.previous_tier OPERATOR(pg_catalog.<>) s.tier;
CREATE OR REPLACE VIEW healthscore.tier_summary WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.tier, pg_catalog.count(*) AS accounts, pg_catalog.sum(s.value) AS total_value,
	   -- in numeric, exact: a float average depends on the order the rows arrive in
	   pg_catalog.avg(s.score::pg_catalog.numeric)::pg_catalog.float8 AS average_score,
	   pg_catalog.array_position(m.tier_labels, s.tier) AS tier_rank
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id OPERATOR(pg_catalog.=) s.run_id
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) s.model
GROUP BY s.model, s.run_id, r.as_of, s.tier, m.tier_labels;
CREATE OR REPLACE VIEW healthscore.score_drops WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, cs.score, cs.tier, high.score AS previous_high,
	   high.score OPERATOR(pg_catalog.-) cs.score AS drop,
	   high.as_of AS high_at, cs.scored_at, cs.value, cs.owner, cs.segment, cs.tier_rank
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
-- the runs of the window, found once per model (the same for all its accounts), then the
-- account's score in each by primary key: the cost is the window's, not the history's
CROSS JOIN LATERAL (
	SELECT pg_catalog.array_agg(r.run_id) AS run_ids, pg_catalog.array_agg(r.as_of) AS as_ofs
	FROM healthscore.runs AS r
	WHERE r.model OPERATOR(pg_catalog.=) cs.model
	  -- the window in the model's time zone ('30 days' are calendar days there)
	  AND r.as_of OPERATOR(pg_catalog.>=)
		  ((cs.scored_at AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.-) m.drop_window) AT TIME ZONE m.time_zone
	  AND r.as_of OPERATOR(pg_catalog.<) cs.scored_at) AS window_runs
CROSS JOIN LATERAL (
	SELECT h.score, w.as_of
	FROM ROWS FROM (pg_catalog.unnest(window_runs.run_ids), pg_catalog.unnest(window_runs.as_ofs)) AS w(run_id, as_of)
	JOIN healthscore.scores AS h ON h.run_id OPERATOR(pg_catalog.=) w.run_id
								AND h.account_key OPERATOR(pg_catalog.=) cs.account_key
	WHERE h.score IS NOT NULL
	ORDER BY h.score DESC, w.as_of DESC
	LIMIT 1) AS high
WHERE (high.score OPERATOR(pg_catalog.-) cs.score) OPERATOR(pg_catalog.>=) m.drop_points;
-- Manual inputs that need a person: for every account a model with assessment signals scores,
-- each factor whose latest rating is missing, expired, or expires within 14 days.
CREATE OR REPLACE VIEW healthscore.stale_assessments WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, sig.factor, latest.assessed_at AS last_assessed_at,
	   latest.expires_at, latest.assessed_by AS last_assessed_by,
	   CASE WHEN latest.assessed_at IS NULL THEN 'missing'
			WHEN latest.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN 'expired'
			ELSE 'expiring' END AS status,
	   cs.owner, cs.value
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) cs.model
JOIN healthscore.signals AS sig ON sig.model OPERATOR(pg_catalog.=) cs.model AND sig.scoring OPERATOR(pg_catalog.=) 'assessment'
-- validity counts calendar days in the model's time zone, as in a refresh
LEFT JOIN LATERAL (
	SELECT a.assessed_at, a.assessed_by,
		   ((a.assessed_at AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.+) a.valid_for) AT TIME ZONE m.time_zone AS expires_at
	FROM healthscore.assessments AS a
	WHERE a.account_key OPERATOR(pg_catalog.=) cs.account_key AND a.factor OPERATOR(pg_catalog.=) sig.factor
	ORDER BY a.assessed_at DESC, a.assessment_id DESC
	LIMIT 1) AS latest ON true
WHERE latest.assessed_at IS NULL
   OR latest.expires_at OPERATOR(pg_catalog.<=)
	  ((pg_catalog.now() AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.+) interval '14 days') AT TIME ZONE m.time_zone;
-- What moved each account's score, signal by signal: the current run against the run before it
-- and against the start of the trend window. contribution_changes() splits a score change into
-- parts that add up to it exactly: a signal whose points did not move has no part, even when
-- another one appearing or going missing changed its share of the weight; that one has the part.
CREATE OR REPLACE VIEW healthscore.score_changes WITH (security_invoker = true) AS
SELECT m.name AS model, s.account_key, sig.signal,
	   s.raw_values[idx.now_i] AS raw_value, s.points[idx.now_i] AS points,
	   part.now_contributions[sig.n::pg_catalog.int4] AS contribution,
	   before_s.raw_values[idx.before_i] AS previous_raw_value, before_s.points[idx.before_i] AS previous_points,
	   part.before_contributions[sig.n::pg_catalog.int4] AS previous_contribution,
	   part.changes[sig.n::pg_catalog.int4] AS contribution_change,
	   start_s.raw_values[idx.start_i] AS window_raw_value, start_s.points[idx.start_i] AS window_points,
	   part.start_contributions[sig.n::pg_catalog.int4] AS window_contribution,
	   part.window_changes[sig.n::pg_catalog.int4] AS window_contribution_change,
	   before_run.fingerprint OPERATOR(pg_catalog.<>) cur.fingerprint AS configuration_changed,
	   cur.as_of AS scored_at, before_run.as_of AS previous_as_of, start_run.as_of AS window_start_as_of
FROM healthscore.models AS m
CROSS JOIN LATERAL (SELECT r.run_id, r.as_of, r.fingerprint, r.signals, r.weights, r.categories, r.group_weights
					FROM healthscore.runs AS r
					WHERE r.model OPERATOR(pg_catalog.=) m.name
					ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS cur
LEFT JOIN LATERAL (SELECT r.run_id, r.as_of, r.fingerprint, r.signals, r.weights, r.categories, r.group_weights
				   FROM healthscore.runs AS r
				   WHERE r.model OPERATOR(pg_catalog.=) m.name
					 AND (r.as_of OPERATOR(pg_catalog.<) cur.as_of
						  OR (r.as_of OPERATOR(pg_catalog.=) cur.as_of AND r.run_id OPERATOR(pg_catalog.<) cur.run_id))
				   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS before_run ON true
-- the window in the model's time zone, as refresh() takes it
LEFT JOIN LATERAL (SELECT r.run_id, r.as_of, r.signals, r.weights, r.categories, r.group_weights
				   FROM healthscore.runs AS r
				   WHERE r.model OPERATOR(pg_catalog.=) m.name AND r.run_id OPERATOR(pg_catalog.<>) cur.run_id
					 AND r.as_of OPERATOR(pg_catalog.<=)
						 ((cur.as_of AT TIME ZONE m.time_zone) OPERATOR(pg_catalog.-) m.trend_window) AT TIME ZONE m.time_zone
				   ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS start_run ON true
-- the signals of the three runs, the current run's order first
CROSS JOIN LATERAL (SELECT pg_catalog.array_agg(u.signal ORDER BY u.n) AS signals
					FROM (SELECT v.signal, pg_catalog.min(v.n) AS n
						  FROM pg_catalog.unnest(cur.signals OPERATOR(pg_catalog.||) coalesce(before_run.signals, '{}')
												 OPERATOR(pg_catalog.||) coalesce(start_run.signals, '{}'))
							   WITH ORDINALITY AS v(signal, n)
						  GROUP BY v.signal) AS u) AS all_signals
JOIN healthscore.scores AS s ON s.run_id OPERATOR(pg_catalog.=) cur.run_id
-- the account's rows of the two earlier runs, by primary key (OFFSET 0 keeps each a lookup per
-- account: joined, the planner may scan and sort the whole history for them)
LEFT JOIN LATERAL (SELECT x.raw_values, x.points FROM healthscore.scores AS x
				   WHERE x.run_id OPERATOR(pg_catalog.=) before_run.run_id
					 AND x.account_key OPERATOR(pg_catalog.=) s.account_key OFFSET 0) AS before_s ON true
LEFT JOIN LATERAL (SELECT x.raw_values, x.points FROM healthscore.scores AS x
				   WHERE x.run_id OPERATOR(pg_catalog.=) start_run.run_id
					 AND x.account_key OPERATOR(pg_catalog.=) s.account_key OFFSET 0) AS start_s ON true
-- each run's weights in the account's score (re-spread within groups when the run had group weights)
CROSS JOIN LATERAL (
	SELECT healthscore.effective_weights(s.points, cur.weights, cur.categories, cur.group_weights) AS now_w,
		   healthscore.effective_weights(before_s.points, before_run.weights, before_run.categories,
										 before_run.group_weights) AS before_w,
		   healthscore.effective_weights(start_s.points, start_run.weights, start_run.categories,
										 start_run.group_weights) AS start_w
	OFFSET 0) AS w
CROSS JOIN LATERAL (
	SELECT healthscore_internal.contributions(all_signals.signals, cur.signals, s.points, w.now_w) AS now_contributions,
		   healthscore_internal.contributions(all_signals.signals, before_run.signals, before_s.points, w.before_w)
			   AS before_contributions,
		   healthscore_internal.contributions(all_signals.signals, start_run.signals, start_s.points, w.start_w)
			   AS start_contributions,
		   healthscore_internal.contribution_changes(all_signals.signals, cur.signals, s.points, cur.weights,
													 cur.categories, cur.group_weights, before_run.signals,
													 before_s.points, before_run.weights, before_run.categories,
													 before_run.group_weights) AS changes,
		   healthscore_internal.contribution_changes(all_signals.signals, cur.signals, s.points, cur.weights,
													 cur.categories, cur.group_weights, start_run.signals,
													 start_s.points, start_run.weights, start_run.categories,
													 start_run.group_weights) AS window_changes
	OFFSET 0) AS part	-- once per account, not once per signal (a pulled-up subquery would be)
CROSS JOIN LATERAL pg_catalog.unnest(all_signals.signals) WITH ORDINALITY AS sig(signal, n)
CROSS JOIN LATERAL (SELECT pg_catalog.array_position(cur.signals, sig.signal) AS now_i,
						   pg_catalog.array_position(before_run.signals, sig.signal) AS before_i,
						   pg_catalog.array_position(start_run.signals, sig.signal) AS start_i) AS idx;
CREATE OR REPLACE VIEW healthscore.unscored_accounts WITH (security_invoker = true) AS
SELECT g.model_group, u.account_key
FROM (SELECT DISTINCT m.model_group FROM healthscore.models AS m WHERE m.model_group IS NOT NULL) AS g
CROSS JOIN LATERAL healthscore.unscored_accounts(g.model_group) AS u;
-- One row per model: is it up to date, did its last run fail, which sources are stale. Readers
-- see that a run failed and its SQLSTATE; administrators also see the error.
CREATE OR REPLACE VIEW healthscore.model_status WITH (security_invoker = true) AS
SELECT m.name AS model,
	   m.model_group,
	   m.expected_every,
	   healthscore_internal.overdue(m.expected_every, cur.as_of) AS overdue,
	   (SELECT pg_catalog.max(r.finished_at) FROM healthscore.runs AS r WHERE r.model OPERATOR(pg_catalog.=) m.name)
		   AS last_success_at,
	   cur.as_of AS last_success_as_of,
	   fail.finished_at AS last_failure_at,
	   fail.error AS last_error,
	   latest.status AS last_status,
	   cur.run_id AS current_run_id,
	   cur.accounts,
	   cur.accounts_scored,
	   cur.stale_signals,
	   (SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s, newest row %s)', s.name, s.source,
													   coalesce(x.newest::pg_catalog.text, 'none')),
								  '; ' ORDER BY x.i)
		FROM healthscore.runs AS r
		CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(r.signals), pg_catalog.unnest(r.stale), pg_catalog.unnest(r.newest_rows))
			WITH ORDINALITY AS x(signal, stale, newest, i)
		JOIN healthscore.signals AS s ON s.model OPERATOR(pg_catalog.=) r.model AND s.name OPERATOR(pg_catalog.=) x.signal
		WHERE r.run_id OPERATOR(pg_catalog.=) cur.run_id AND x.stale) AS stale_sources
FROM healthscore.models AS m
LEFT JOIN healthscore.model_runs AS cur ON cur.model OPERATOR(pg_catalog.=) m.name AND cur.recency OPERATOR(pg_catalog.=) 1
LEFT JOIN LATERAL (SELECT f.finished_at, f.error FROM healthscore.model_runs AS f
				   WHERE f.model OPERATOR(pg_catalog.=) m.name AND f.status OPERATOR(pg_catalog.=) 'failed'
				   ORDER BY f.started_at DESC, f.attempt_id DESC LIMIT 1) AS fail ON true
LEFT JOIN LATERAL (SELECT l.status FROM healthscore.model_runs AS l
				   WHERE l.model OPERATOR(pg_catalog.=) m.name
				   ORDER BY l.started_at DESC, l.attempt_id DESC NULLS LAST LIMIT 1) AS latest ON true;
CREATE OR REPLACE VIEW healthscore.model_accuracy WITH (security_invoker = true) AS
SELECT m.name AS model, e.run_id, e.as_of, e.horizon, e.accounts, e.churned, e.churn_rate, e.auc, e.worst_tier,
	   e.worst_tier_churn_rate, e.best_tier, e.best_tier_churn_rate, e.lift_worst_tier, e.churn_falls_by_tier
FROM healthscore.models AS m
CROSS JOIN LATERAL healthscore.evaluate(m.name) AS e
WHERE m.outcomes IS NOT NULL;
CREATE OR REPLACE VIEW healthscore.model_calibration WITH (security_invoker = true) AS
SELECT c.model, c.horizon, m.bin, m.rows, m.churned, m.mean_predicted, m.observed_rate, m.min_predicted,
	   m.max_predicted, m.brier, m.brier_skill, m.log_loss, m.base_rate, m.test_runs, m.test_rows, m.test_from,
	   m.test_until, m.fit_runs, m.fit_rows, c.intercept, c.slope, c.calibrated_at
FROM healthscore.calibrations AS c
CROSS JOIN LATERAL healthscore_internal.calibration_measured('model_calibration', c.model, c.horizon,
															  pg_catalog.now(), 10, false) AS m
WHERE c.fingerprint OPERATOR(pg_catalog.=) healthscore.fingerprint(c.model);
-- For BI: every pair of models over the same accounts and outcomes (90-day horizon, outcomes
-- known until now), and the tiers of every pair over the same accounts at their latest common time.
CREATE OR REPLACE VIEW healthscore.model_comparisons WITH (security_invoker = true) AS
SELECT a.name AS model_a, b.name AS model_b, c.measure, c.tier_rank, c.tier_a, c.tier_b, c.value_a, c.value_b,
	   c.difference, c.ci_low, c.ci_high, c.runs, c.rows_a, c.rows_b, c.churned_a, c.churned_b, c.accounts
FROM healthscore.models AS a
JOIN healthscore.models AS b
	ON b.accounts OPERATOR(pg_catalog.=) a.accounts AND b.outcomes OPERATOR(pg_catalog.=) a.outcomes
	   AND b.outcome_key OPERATOR(pg_catalog.=) a.outcome_key AND b.outcome_date OPERATOR(pg_catalog.=) a.outcome_date
	   AND a.name OPERATOR(pg_catalog.<) b.name COLLATE "C"
CROSS JOIN LATERAL healthscore_internal.models_compared('model_comparisons', a.name, b.name, '90 days',
														 pg_catalog.now(), 1000, 0, false) AS c;
CREATE OR REPLACE VIEW healthscore.model_tier_agreement WITH (security_invoker = true) AS
SELECT a.name AS model_a, b.name AS model_b, t.scored_at, t.tier_rank_a, t.tier_a, t.tier_rank_b, t.tier_b, t.accounts,
	   t.value, t.moves
FROM healthscore.models AS a
JOIN healthscore.models AS b
	ON b.accounts OPERATOR(pg_catalog.=) a.accounts AND a.name OPERATOR(pg_catalog.<) b.name COLLATE "C"
CROSS JOIN LATERAL healthscore_internal.tiers_compared('model_tier_agreement', a.name, b.name, NULL, false) AS t;

-- The reports, new in 0.2.0 (after the views they read; SQL functions are checked against them).
-- The pieces of the HTML reports (reports.sql builds the pages): text escaped as HTML, numbers and
-- dates written the same under every session setting, and inline SVG charts. Every chart is a
-- <figure class="chart" data-chart="..."> whose data marks (bars, points) have class "mark" and
-- carry their series, their x and their value, so that a test can count and read them.

CREATE FUNCTION healthscore_internal.html_escape(value text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_html_escape'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.html_escape(text) IS
'text as ASCII HTML: & < > " '' and the backslash as entities, every other character beyond printable ASCII as a numeric reference to its code point (control characters but tab, newline and carriage return as U+FFFD)';

-- Numbers in numeric, never in float8 (its output follows extra_float_digits) nor with to_char's
-- locale patterns: a page is the same under every session setting. A dash for NULL.
CREATE FUNCTION healthscore_internal.html_number(value float8, digits integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;' ELSE round(value::numeric, digits)::text END
$$;

COMMENT ON FUNCTION healthscore_internal.html_number(float8, integer) IS
'a number rounded to digits decimals for a report page (numeric text, independent of session settings), an en dash for NULL';

-- Money (ARR) in whole units with thousands separators, a dash for NULL: numeric, so that large
-- amounts keep every digit (float8 text turns to exponents from 10^15).
CREATE FUNCTION healthscore_internal.html_money(value numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- no backslash in a plain literal: the body is parsed under the caller's standard_conforming_strings
	SELECT CASE WHEN value IS NULL THEN '&#8211;'
				ELSE regexp_replace(round(value)::text, '([0-9])(?=([0-9]{3})+$)', E'\\1,', 'g') END
$$;

COMMENT ON FUNCTION healthscore_internal.html_money(numeric) IS
'an amount rounded to whole units with "," between thousands for a report page, an en dash for NULL';

-- A share 0-1 as a percentage with one decimal.
CREATE FUNCTION healthscore_internal.html_percent(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;' ELSE round(100 * value::numeric, 1)::text || '%' END
$$;

COMMENT ON FUNCTION healthscore_internal.html_percent(float8) IS
'a share 0-1 as a percentage with one decimal for a report page, an en dash for NULL';

-- Dates and times in the model's time zone, by explicit patterns: not DateStyle nor TimeZone.
CREATE FUNCTION healthscore_internal.html_date(value timestamptz, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;'
				WHEN NOT isfinite(value) THEN CASE WHEN value > 'epoch' THEN 'never' ELSE 'always' END
				WHEN (value AT TIME ZONE time_zone)::time = '00:00' THEN to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD')
				ELSE to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD HH24:MI') END
$$;

COMMENT ON FUNCTION healthscore_internal.html_date(timestamptz, text) IS
'a time in the given time zone for a report page: the date alone at midnight, else date and minutes; never and always for infinity and -infinity, an en dash for NULL';

-- SVG coordinates with one decimal.
CREATE FUNCTION healthscore_internal.svg_number(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT round(value::numeric, 1)::text
$$;

COMMENT ON FUNCTION healthscore_internal.svg_number(float8) IS
'an SVG coordinate: rounded to one decimal, as numeric text';

-- The colour of a tier by its rank, 1 = worst: red to green over the model's tiers, grey for a tier
-- without a rank (unknown).
CREATE FUNCTION healthscore_internal.tier_color(tier_rank integer, tiers integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- hue 0 (red) to 130 (green), bent so that a middle tier reads amber, not olive
	SELECT CASE WHEN tier_rank IS NULL OR tiers IS NULL OR tiers < 1 THEN '#9e9e9e'
				WHEN tiers = 1 THEN 'hsl(130,45%,40%)'
				ELSE format('hsl(%s,70%%,%s%%)', round(130.0 * power((tier_rank - 1)::float8 / (tiers - 1), 1.6)),
							CASE WHEN tier_rank = tiers THEN 38 ELSE 48 END) END
$$;

COMMENT ON FUNCTION healthscore_internal.tier_color(integer, integer) IS
'the colour a report draws a tier in: from red (rank 1, the worst) to green (the best), grey without a rank';

-- A round upper end for an axis: 1, 2, 2.5 or 5 times a power of ten, at least value.
CREATE FUNCTION healthscore_internal.axis_top(value float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL OR value <= 0 OR value = 'Infinity' OR value = 'NaN' THEN 1
				WHEN value > 1e300 THEN value	-- ten times it would overflow
				ELSE (SELECT min(s.step * p.power)
					  FROM (SELECT 10 ^ floor(log(value))) AS p(power),
						   unnest('{1,2,2.5,5,10}'::float8[]) AS s(step)
					  WHERE s.step * p.power >= value) END
$$;

COMMENT ON FUNCTION healthscore_internal.axis_top(float8) IS
'the top of a chart axis: the least of 1, 2, 2.5, 5 or 10 times a power of ten that is at least value (1 for none)';

-- The legend of a chart: a swatch and a label per series.
CREATE FUNCTION healthscore_internal.chart_legend(labels text[], colors text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<div class="legend">'
		   || coalesce(string_agg(format('<span><i style="background:%s"></i>%s</span>', l.color,
										 healthscore_internal.html_escape(l.label)), '' ORDER BY l.n), '')
		   || '</div>'
	FROM ROWS FROM (unnest(labels), unnest(colors)) WITH ORDINALITY AS l(label, color, n)
$$;

COMMENT ON FUNCTION healthscore_internal.chart_legend(text[], text[]) IS
'the legend of a report chart: a coloured swatch and the escaped label of each series';

-- A data mark's attributes: its series, x and value (escaped), and a tooltip.
CREATE FUNCTION healthscore_internal.mark_data(series text, x text, value text, tooltip text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format(' data-series="%s" data-x="%s" data-value="%s"><title>%s</title>',
				  healthscore_internal.html_escape(series), healthscore_internal.html_escape(x), value,
				  healthscore_internal.html_escape(tooltip))
$$;

COMMENT ON FUNCTION healthscore_internal.mark_data(text, text, text, text) IS
'the attributes of a chart''s data mark (data-series, data-x, data-value) and its tooltip, escaped';

-- A horizontal grid line of a chart across the plot at y, with its label (HTML) left of it.
CREATE FUNCTION healthscore_internal.svg_gridline(left_edge float8, plot_width float8, y float8, label text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<line class="grid" x1="%s" x2="%s" y1="%3$s" y2="%3$s"/><text class="axis" x="%s" y="%s" text-anchor="end">%s</text>',
				  left_edge, left_edge + plot_width, healthscore_internal.svg_number(y), left_edge - 6,
				  healthscore_internal.svg_number(y + 4), label)
$$;

COMMENT ON FUNCTION healthscore_internal.svg_gridline(float8, float8, float8, text) IS
'a chart''s horizontal grid line at y across the plot, with its label (HTML) at the left';

-- The figure around a chart's SVG body: its name (data-chart), escaped caption, size and legend.
CREATE FUNCTION healthscore_internal.chart_figure(chart text, css_class text, title text, width float8, height float8,
												  body text, legend text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<figure class="%s" data-chart="%s"><figcaption>%s</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%4$s" height="%5$s" role="img">%s</svg>%s</figure>',
				  css_class, chart, healthscore_internal.html_escape(title), width, height, body, legend)
$$;

COMMENT ON FUNCTION healthscore_internal.chart_figure(text, text, text, float8, float8, text, text) IS
'the HTML figure of a report chart: class, data-chart name, escaped caption, the SVG of the given size and body, and the legend';

-- Stacked vertical bars: one bar per x label, one segment per series with a value (NULL and 0
-- draw nothing). Used for the tier distribution over the history.
CREATE FUNCTION healthscore_internal.chart_stacked_bars(chart text, title text, x_labels text[], series_labels text[],
														series_colors text[], mark_x integer[], mark_series integer[],
														mark_value float8[], unit text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width constant float8 := 760;
	height constant float8 := 280;
	left_edge constant float8 := 56;
	top_edge constant float8 := 14;
	plot_width constant float8 := width - left_edge - 14;
	plot_height constant float8 := height - top_edge - 44;
	slots integer := greatest(coalesce(cardinality(x_labels), 0), 1);
	slot float8 := plot_width / slots;
	y_top float8;
	label_every integer := greatest(1, ceil(coalesce(cardinality(x_labels), 0) / 10.0)::integer);
	body text;
BEGIN
	SELECT healthscore_internal.axis_top(max(t.total)) INTO y_top
	FROM (SELECT sum(m.value) AS total
		  FROM ROWS FROM (unnest(mark_x), unnest(mark_value)) AS m(x, value) GROUP BY m.x) AS t;

	SELECT string_agg(healthscore_internal.svg_gridline(left_edge, plot_width, top_edge + plot_height * (1 - k / 4.0),
														healthscore_internal.html_number(y_top * k / 4.0, CASE WHEN y_top >= 10 THEN 0 ELSE 2 END)),
					  '' ORDER BY k)
	INTO body FROM generate_series(0, 4) AS k;

	SELECT body || coalesce(string_agg(format('<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>',
											  healthscore_internal.svg_number(left_edge + (l.n - 0.5) * slot),
											  top_edge + plot_height + 18, healthscore_internal.html_escape(l.label)),
									   '' ORDER BY l.n) FILTER (WHERE (l.n - 1) % label_every = 0), '')
	INTO body FROM unnest(x_labels) WITH ORDINALITY AS l(label, n);

	SELECT body || coalesce(string_agg(
		format('<rect class="mark" x="%s" y="%s" width="%s" height="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (s.x - 1) * slot + slot * 0.125),
			   healthscore_internal.svg_number(top_edge + plot_height * (1 - s.cumulative / y_top)),
			   healthscore_internal.svg_number(slot * 0.75),
			   healthscore_internal.svg_number(plot_height * s.value / y_top), series_colors[s.series])
		|| healthscore_internal.mark_data(series_labels[s.series], x_labels[s.x], healthscore_internal.html_number(s.value, 6),
										  format('%s, %s: %s %s', x_labels[s.x], series_labels[s.series],
												 round(s.value::numeric, 1), unit))
		|| '</rect>', '' ORDER BY s.x, s.series), '')
	INTO body
	FROM (SELECT m.x, m.series, m.value,
				 sum(m.value) OVER (PARTITION BY m.x ORDER BY m.series) AS cumulative
		  FROM ROWS FROM (unnest(mark_x), unnest(mark_series), unnest(mark_value)) AS m(x, series, value)
		  WHERE m.value IS NOT NULL AND m.value <> 0) AS s;

	RETURN healthscore_internal.chart_figure(chart, 'chart', title, width, height, body,
											 healthscore_internal.chart_legend(series_labels, series_colors));
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_stacked_bars(text, text, text[], text[], text[], integer[], integer[], float8[], text) IS
'an inline SVG chart of stacked bars: a bar per x label, a segment (class mark) per series value that is neither NULL nor 0';

-- Horizontal bars, a row per label and a bar per series value in it, negative values to the left
-- of zero. Used for value at risk and expected loss by tier and owner, and for top movers.
CREATE FUNCTION healthscore_internal.chart_bars(chart text, title text, row_labels text[], series_labels text[],
												series_colors text[], mark_row integer[], mark_series integer[],
												mark_value float8[], money boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width constant float8 := 760;
	left_edge constant float8 := 200;
	right_margin constant float8 := 90;
	plot_width constant float8 := width - left_edge - right_margin;
	bar_height constant float8 := 12;
	row_count integer := greatest(coalesce(cardinality(row_labels), 0), 1);
	series_count integer := greatest(coalesce(cardinality(series_labels), 0), 1);
	row_height float8 := 8 + bar_height * series_count;
	height float8 := 10 + row_count * row_height + 10;
	low float8;
	high float8;
	body text;
BEGIN
	SELECT least(0, min(v)), greatest(0, max(v)) INTO low, high
	FROM unnest(mark_value) AS v WHERE v IS NOT NULL AND v NOT IN ('Infinity', '-Infinity', 'NaN');
	IF high = low THEN
		high := low + 1;
	END IF;

	SELECT format('<line class="axis-line" x1="%1$s" x2="%1$s" y1="6" y2="%2$s"/>',
				  healthscore_internal.svg_number(left_edge + (0 - low) / (high - low) * plot_width),
				  healthscore_internal.svg_number(height - 6))
		   || coalesce(string_agg(format('<text class="label" x="%s" y="%s" text-anchor="end">%s</text>',
										 left_edge - 8, healthscore_internal.svg_number(10 + (l.n - 1) * row_height + row_height / 2 + 4),
										 healthscore_internal.html_escape(
											 CASE WHEN length(l.label) > 30 THEN left(l.label, 28) || '...' ELSE l.label END)),
								   '' ORDER BY l.n), '')
	INTO body FROM unnest(row_labels) WITH ORDINALITY AS l(label, n);

	SELECT body || coalesce(string_agg(
		format('<rect class="mark" x="%s" y="%s" width="%s" height="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (least(m.value, 0) - low) / (high - low) * plot_width),
			   healthscore_internal.svg_number(10 + (m.row - 1) * row_height + 4 + (m.series - 1) * bar_height),
			   healthscore_internal.svg_number(greatest(abs(m.value) / (high - low) * plot_width, 0.5)),
			   bar_height - 2, series_colors[m.series])
		|| healthscore_internal.mark_data(series_labels[m.series], row_labels[m.row], healthscore_internal.html_number(m.value, 6),
										  format('%s, %s: %s', row_labels[m.row], series_labels[m.series],
												 CASE WHEN money THEN healthscore_internal.html_money(m.value::numeric)
													  ELSE round(m.value::numeric, 1)::text END))
		|| '</rect>'
		|| format('<text class="value" x="%s" y="%s" text-anchor="%s">%s</text>',
				  -- right of the bar; for a negative one right of zero, clear of the row labels
				  healthscore_internal.svg_number(left_edge + (greatest(m.value, 0) - low) / (high - low) * plot_width + 4),
				  healthscore_internal.svg_number(10 + (m.row - 1) * row_height + 4 + (m.series - 1) * bar_height + bar_height - 3),
				  'start',
				  CASE WHEN money THEN healthscore_internal.html_money(m.value::numeric)
					   ELSE healthscore_internal.html_number(m.value, 1) END),
		'' ORDER BY m.row, m.series), '')
	INTO body
	FROM ROWS FROM (unnest(mark_row), unnest(mark_series), unnest(mark_value)) AS m(row, series, value)
	WHERE m.value IS NOT NULL AND m.value NOT IN ('Infinity', '-Infinity', 'NaN');

	RETURN healthscore_internal.chart_figure(chart, 'chart', title, width, height, body,
											 healthscore_internal.chart_legend(series_labels, series_colors));
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_bars(text, text, text[], text[], text[], integer[], integer[], float8[], boolean) IS
'an inline SVG chart of horizontal bars: a row per label, a bar (class mark) per finite series value, negative values left of zero';

-- Lines over x (a time as epoch seconds, or a probability): a point (class mark) per value, joined
-- per series; optional horizontal bands (tiers), a shaded x range (the trend window) and the
-- diagonal (a reliability diagram).
CREATE FUNCTION healthscore_internal.chart_lines(chart text, title text, x_low float8, x_high float8,
												 x_ticks float8[], x_tick_labels text[], y_low float8, y_high float8,
												 y_ticks float8[], y_tick_labels text[], series_labels text[],
												 series_colors text[], mark_series integer[], mark_x float8[],
												 mark_y float8[], mark_x_labels text[], band_low float8[],
												 band_high float8[], band_colors text[], band_labels text[],
												 shade_low float8, shade_high float8, shade_label text, diagonal boolean,
												 small boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width float8 := CASE WHEN small THEN 360 ELSE 760 END;
	height float8 := CASE WHEN small THEN 150 ELSE 280 END;
	left_edge constant float8 := 48;
	top_edge constant float8 := 12;
	plot_width float8 := width - left_edge - 40;
	plot_height float8 := height - top_edge - 34;
	x_span float8 := CASE WHEN x_high > x_low THEN x_high - x_low ELSE 1 END;
	y_span float8 := CASE WHEN y_high > y_low THEN y_high - y_low ELSE 1 END;
	body text := '';
	legend text := '';
BEGIN
	-- bands first, under everything else
	SELECT coalesce(string_agg(format('<rect class="band" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect><text class="band-label" x="%s" y="%s">%s</text>',
									  left_edge, healthscore_internal.svg_number(top_edge + plot_height * (1 - (least(b.high, y_high) - y_low) / y_span)),
									  plot_width,
									  healthscore_internal.svg_number(plot_height * (least(b.high, y_high) - greatest(b.low, y_low)) / y_span),
									  b.color, healthscore_internal.html_escape(b.label), left_edge + plot_width - 4,
									  healthscore_internal.svg_number(top_edge + plot_height * (1 - (least(b.high, y_high) - y_low) / y_span) + 12),
									  healthscore_internal.html_escape(b.label)), '' ORDER BY b.n), '')
	INTO body
	FROM ROWS FROM (unnest(band_low), unnest(band_high), unnest(band_colors), unnest(band_labels)) WITH ORDINALITY
		AS b(low, high, color, label, n)
	WHERE b.high > y_low AND b.low < y_high;

	IF shade_low IS NOT NULL AND shade_high IS NOT NULL THEN
		body := body || format('<rect class="shade" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>',
							   healthscore_internal.svg_number(left_edge + (greatest(shade_low, x_low) - x_low) / x_span * plot_width),
							   top_edge,
							   healthscore_internal.svg_number(greatest(least(shade_high, x_high) - greatest(shade_low, x_low), 0) / x_span * plot_width),
							   plot_height, healthscore_internal.html_escape(shade_label));
	END IF;

	SELECT body || coalesce(string_agg(healthscore_internal.svg_gridline(left_edge, plot_width,
																		 top_edge + plot_height * (1 - (t.y - y_low) / y_span),
																		 healthscore_internal.html_escape(t.label)), '' ORDER BY t.n), '')
	INTO body FROM ROWS FROM (unnest(y_ticks), unnest(y_tick_labels)) WITH ORDINALITY AS t(y, label, n);

	SELECT body || coalesce(string_agg(format('<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>',
											  healthscore_internal.svg_number(left_edge + (t.x - x_low) / x_span * plot_width),
											  top_edge + plot_height + 16, healthscore_internal.html_escape(t.label)), '' ORDER BY t.n), '')
	INTO body FROM ROWS FROM (unnest(x_ticks), unnest(x_tick_labels)) WITH ORDINALITY AS t(x, label, n);

	IF diagonal THEN
		body := body || format('<line class="diagonal" x1="%s" y1="%s" x2="%s" y2="%s"/>', left_edge, top_edge + plot_height,
							   left_edge + plot_width, top_edge);
	END IF;

	-- a line per series through its points in x order, then the points
	SELECT body || coalesce(string_agg(format('<polyline class="line" fill="none" stroke="%s" points="%s"/>',
											  series_colors[p.series], p.points), '' ORDER BY p.series), '')
	INTO body
	FROM (SELECT m.series,
				 string_agg(healthscore_internal.svg_number(left_edge + (m.x - x_low) / x_span * plot_width) || ','
							|| healthscore_internal.svg_number(top_edge + plot_height * (1 - (m.y - y_low) / y_span)),
							' ' ORDER BY m.x, m.n) AS points
		  FROM ROWS FROM (unnest(mark_series), unnest(mark_x), unnest(mark_y)) WITH ORDINALITY AS m(series, x, y, n)
		  WHERE m.y IS NOT NULL
		  GROUP BY m.series HAVING count(*) > 1) AS p;

	SELECT body || coalesce(string_agg(
		format('<circle class="mark" cx="%s" cy="%s" r="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (m.x - x_low) / x_span * plot_width),
			   healthscore_internal.svg_number(top_edge + plot_height * (1 - (m.y - y_low) / y_span)),
			   CASE WHEN small THEN 2.5 ELSE 3.5 END, series_colors[m.series])
		|| healthscore_internal.mark_data(series_labels[m.series], m.label, healthscore_internal.html_number(m.y, 6),
										  format('%s, %s: %s', m.label, series_labels[m.series], round(m.y::numeric, 3)))
		|| '</circle>', '' ORDER BY m.series, m.x, m.n), '')
	INTO body
	FROM ROWS FROM (unnest(mark_series), unnest(mark_x), unnest(mark_y), unnest(mark_x_labels)) WITH ORDINALITY
		AS m(series, x, y, label, n)
	WHERE m.y IS NOT NULL;

	IF cardinality(series_labels) > 1 THEN
		legend := healthscore_internal.chart_legend(series_labels, series_colors);
	END IF;
	RETURN healthscore_internal.chart_figure(chart, CASE WHEN small THEN 'chart small' ELSE 'chart' END, title, width, height,
											 body, legend);
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_lines(text, text, float8, float8, float8[], text[], float8, float8, float8[], text[], text[], text[], integer[], float8[], float8[], text[], float8[], float8[], text[], text[], float8, float8, text, boolean, boolean) IS
'an inline SVG line chart: a point (class mark) per non-NULL y, joined per series in x order, over optional horizontal bands, a shaded x range and the diagonal';

-- Ticks for a time axis: about most of the times, evenly picked, labelled with their dates.
CREATE FUNCTION healthscore_internal.time_ticks(times timestamptz[], time_zone text, most integer,
												OUT ticks float8[], OUT labels text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH distinct_times AS (
		SELECT t, row_number() OVER (ORDER BY t) AS n, count(*) OVER () AS total
		FROM (SELECT DISTINCT t FROM unnest(times) AS t WHERE t IS NOT NULL) AS d
	)
	SELECT array_agg(extract(epoch FROM t)::float8 ORDER BY t),
		   array_agg(to_char(t AT TIME ZONE time_zone, 'YYYY-MM-DD') ORDER BY t)
	FROM distinct_times
	WHERE total <= most OR n = 1 OR n = total OR (n - 1) % ceil((total - 1) / (most - 1.0))::integer = 0
$$;

COMMENT ON FUNCTION healthscore_internal.time_ticks(timestamptz[], text, integer) IS
'the ticks of a time axis in a report chart: about most of the distinct times, evenly picked (first and last among them), as epoch seconds, with their dates in the time zone';

-- The page around a report: self-contained (styles inline, nothing fetched: the content security
-- policy forbids it, and scripts altogether), ASCII only.
CREATE FUNCTION healthscore_internal.html_page(title text, body text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
		   || '<meta http-equiv="Content-Security-Policy" content="default-src ''none''; style-src ''unsafe-inline''; img-src data:">'
		   || '<meta name="viewport" content="width=device-width, initial-scale=1">'
		   || '<meta name="generator" content="healthscore">'
		   || '<title>' || healthscore_internal.html_escape(title) || '</title><style>'
		   || 'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2430;margin:0;background:#f5f6f8}'
		   || 'main{max-width:1240px;margin:0 auto;padding:24px}'
		   || 'h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}'
		   || 'h3{font-size:15px;margin:18px 0 6px}.sub{color:#5a6473;margin:0 0 12px}'
		   || '.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.kpi{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:10px 14px;min-width:130px}'
		   || '.kpi>b{display:block;font-size:20px}.kpi>span{color:#5a6473;font-size:12px}'
		   || 'figure.chart{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:12px 0;padding:10px;display:inline-block;vertical-align:top;max-width:100%}'
		   || 'figure.chart svg{max-width:100%;height:auto;display:block}figcaption{font-weight:600;margin-bottom:6px}'
		   || 'figure.small{width:370px;margin-right:10px}'
		   || '.grid{stroke:#e3e6eb}.axis-line{stroke:#7a8391}.axis,.label,.value,.band-label{font-size:11px;fill:#5a6473}.band-label{text-anchor:end}'
		   || '.band{opacity:.16}.shade{fill:#3d6fd1;opacity:.09}.line{stroke-width:2}.diagonal{stroke:#9aa3af;stroke-dasharray:4 4}'
		   || '.legend{font-size:12px;color:#3a4250;margin-top:6px}.legend span{margin-right:14px;white-space:nowrap}'
		   || '.legend i{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:-1px}'
		   || 'table{border-collapse:collapse;background:#fff;width:100%;font-size:13px;margin:8px 0}'
		   || 'th,td{border:1px solid #e0e3e8;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef0f4;font-weight:600}'
		   || 'td.n{text-align:right;white-space:nowrap}table.wide{font-size:12px}.why{white-space:pre-line;display:inline-block;min-width:230px}.acct{display:inline-block;min-width:120px}.act{display:inline-block;min-width:170px}.spark{white-space:nowrap}.tier{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-weight:600;font-size:12px}'
		   || '.note{color:#5a6473;font-size:13px}.bad{color:#b3261e;font-weight:600}.ok{color:#2e7d32}.spark{font-family:monospace;letter-spacing:-1px;color:#3d6fd1}'
		   || 'small{color:#5a6473}footer{color:#8a93a0;font-size:12px;margin-top:30px}'
		   || '</style></head><body><main>' || body
		   || '<footer>Produced by healthscore from its views; every number here is a number of those views, as the reader who produced the page sees them.</footer>'
		   || '</main></body></html>'
$$;

COMMENT ON FUNCTION healthscore_internal.html_page(text, text) IS
'the HTML document around a report''s body: inline styles, a content security policy that allows no scripts and fetches nothing';

-- A table row of cells that are HTML already (escape the data first); numbers right-aligned.
CREATE FUNCTION healthscore_internal.html_row(cells text[], numeric_cells integer[] DEFAULT '{}')
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<tr>' || string_agg(CASE WHEN c.n::integer = ANY (numeric_cells) THEN '<td class="n">' ELSE '<td>' END
								|| coalesce(c.cell, '&#8211;') || '</td>', '' ORDER BY c.n) || '</tr>'
	FROM unnest(cells) WITH ORDINALITY AS c(cell, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_row(text[], integer[]) IS
'a table row of cells that are HTML already (an en dash for NULL), those listed in numeric_cells right-aligned';

-- A table head.
CREATE FUNCTION healthscore_internal.html_head(headers text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<tr>' || string_agg('<th>' || healthscore_internal.html_escape(h.header) || '</th>', '' ORDER BY h.n) || '</tr>'
	FROM unnest(headers) WITH ORDINALITY AS h(header, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_head(text[]) IS
'a table head row of escaped headers';

-- A tier as a coloured label.
CREATE FUNCTION healthscore_internal.html_tier(tier text, tier_rank integer, tiers integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN tier IS NULL THEN '&#8211;'
				ELSE format('<span class="tier" style="background:%s">%s</span>',
							healthscore_internal.tier_color(tier_rank, tiers), healthscore_internal.html_escape(tier)) END
$$;

COMMENT ON FUNCTION healthscore_internal.html_tier(text, integer, integer) IS
'a tier label in its colour (by rank) for a report page';

-- A sparkline from its ASCII form (sparkline_ascii): the bars U+2581..U+2588 as character
-- references, whatever the client's encoding.
CREATE FUNCTION healthscore_internal.html_sparkline(ascii text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<span class="spark">'
		   || coalesce(string_agg(CASE WHEN strpos('_.:-=+*#', c) > 0 THEN '&#' || (9600 + strpos('_.:-=+*#', c)) || ';'
									   ELSE '&#160;' END, '' ORDER BY n), '')
		   || '</span>'
	FROM regexp_split_to_table(ascii, '') WITH ORDINALITY AS s(c, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_sparkline(text) IS
'a sparkline for a report page: the ASCII codes of sparkline_ascii() drawn as the bars U+2581 to U+2588 (character references), a space for no score';

-- Reports people look at: a portfolio report of a model or model group, and an account review page,
-- each one self-contained HTML document with inline SVG charts. They are functions, not a program
-- beside the database: they run as the caller and read only the views (and the tables behind them),
-- so a reader sees in a report exactly what row-level security lets it see in the views, every
-- number is the views' own, and any client, BI tool or pg_cron job can produce one (psql -At, or
-- COPY ... TO a file). The pages are ASCII, contain no character COPY's text format escapes, and
-- under SET clauses their text is the same whatever the caller's DateStyle, IntervalStyle,
-- extra_float_digits, TimeZone (timestamps the views give as text read in UTC) or
-- timezone_abbreviations (a model's zone named EST or CET is read through them).

-- Names of accounts for a report, from a relation the caller names (columns account_key and name),
-- read as the caller: keys it may not see there stay keys.
CREATE FUNCTION healthscore_internal.report_names(func text, account_names regclass, keys text[])
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	names jsonb;
	names_hint constant text := 'Name a table or view with the columns account_key and name, e.g. CREATE VIEW account_names AS SELECT id AS account_key, name FROM accounts.';
BEGIN
	IF account_names IS NULL THEN
		RETURN '{}'::jsonb;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = account_names) THEN
		RAISE EXCEPTION '%(): account_names names no relation (OID %)', func, account_names::oid
			USING ERRCODE = 'undefined_table',
				  HINT = names_hint;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c WHERE c.oid = account_names AND c.relkind IN ('r', 'v', 'm', 'f', 'p')) THEN
		RAISE EXCEPTION '%(): account_names "%" is not a table or view', func, account_names
			USING ERRCODE = 'wrong_object_type',
				  HINT = names_hint;
	END IF;
	BEGIN
		EXECUTE format('SELECT pg_catalog.jsonb_object_agg(n.account_key::pg_catalog.text, n.name::pg_catalog.text)
						FROM %s AS n
						WHERE n.account_key::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($1) AND n.name IS NOT NULL',
					   account_names)
		INTO names USING keys;
	EXCEPTION WHEN undefined_column THEN
		RAISE EXCEPTION '%(): account_names "%" has no column account_key or name', func, account_names
			USING ERRCODE = 'undefined_column',
				  HINT = names_hint;
	END;
	RETURN coalesce(names, '{}'::jsonb);
END
$$;

COMMENT ON FUNCTION healthscore_internal.report_names(text, regclass, text[]) IS
'the names of the given accounts from the caller''s relation (columns account_key, name), read as the caller, as a json object key -> name; an error naming the function when the columns are missing';

-- An account in a report: its name (when known) and key, escaped.
CREATE FUNCTION healthscore_internal.html_account(names jsonb, account_key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN names ->> account_key IS NULL THEN healthscore_internal.html_escape(account_key)
				ELSE healthscore_internal.html_escape(names ->> account_key) || ' <small>'
					 || healthscore_internal.html_escape(account_key) || '</small>' END
$$;

COMMENT ON FUNCTION healthscore_internal.html_account(jsonb, text) IS
'an account in a report page: its escaped name and key, or its key alone';

-- The plain-text label of an account in a chart (the chart escapes it).
CREATE FUNCTION healthscore_internal.account_label(names jsonb, account_key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(names ->> account_key, account_key)
$$;

COMMENT ON FUNCTION healthscore_internal.account_label(jsonb, text) IS
'an account''s label in a chart: its name when known, else its key (plain text: charts escape it)';

-- A date in a chart label (plain text).
CREATE FUNCTION healthscore_internal.report_day(value timestamptz, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD')
$$;

COMMENT ON FUNCTION healthscore_internal.report_day(timestamptz, text) IS
'the date of a time in the time zone, YYYY-MM-DD, for chart labels';

-- The arguments every report checks.
CREATE FUNCTION healthscore_internal.check_report_arguments(func text, horizon interval, known_until timestamptz,
															 risk_rows integer)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF horizon IS NOT NULL AND horizon <= interval '0' THEN
		RAISE EXCEPTION '%(): horizon must be positive, not %', func, horizon
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the interval churn is counted in after each run, e.g. ''90 days'', or NULL for the calibration''s own (else 90 days).';
	END IF;
	IF known_until IS NULL THEN
		RAISE EXCEPTION '%(): known_until must not be NULL', func
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the time churn is recorded until, e.g. now().';
	END IF;
	IF NOT isfinite(known_until) THEN
		RAISE EXCEPTION '%(): known_until must be a finite time, not %', func, known_until
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time churn is recorded until, e.g. now().';
	END IF;
	IF horizon IS NOT NULL THEN
		BEGIN
			PERFORM known_until - horizon, known_until + horizon;
		EXCEPTION WHEN datetime_field_overflow THEN
			RAISE EXCEPTION '%(): horizon % reaches beyond the range of timestamps', func, horizon
				USING ERRCODE = 'datetime_field_overflow', HINT = 'Pass the interval churn is counted in after each run, e.g. ''90 days''.';
		END;
	END IF;
	IF risk_rows IS NULL OR risk_rows < 0 THEN
		RAISE EXCEPTION '%(): risk_rows must be 0 or more, not %', func, coalesce(risk_rows::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass how many accounts of the risk list to show, e.g. 100.';
	END IF;
END
$$;

COMMENT ON FUNCTION healthscore_internal.check_report_arguments(text, interval, timestamptz, integer) IS
'raises an error naming the report function for a horizon that is not positive or too long for timestamps, a NULL or infinite known_until, or a negative risk_rows';

-- How many tiers a model has: a tier's colour is by its rank among its own model's tiers (the
-- models of a group may have different tiers).
CREATE FUNCTION healthscore_internal.model_tiers(model text)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT cardinality(m.tier_labels) FROM healthscore.models AS m WHERE m.name = model_tiers.model
$$;

COMMENT ON FUNCTION healthscore_internal.model_tiers(text) IS
'the number of tiers of a model (NULL for none), for the colour of a tier in a report';

-- Validation of one model on the portfolio report: AUC and churn by tier over the evaluable runs
-- (evaluate, evaluate_tiers), and the reliability diagram of its calibration.
CREATE FUNCTION healthscore_internal.report_validation(model text, horizon interval, known_until timestamptz)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m healthscore.models := healthscore_internal.model_row(model);
	used interval := coalesce(horizon, (SELECT c.horizon FROM healthscore.calibrations AS c WHERE c.model = m.name),
							  interval '90 days');
	tiers integer := cardinality(m.tier_labels);
	runs record;
	ticks record;
	x_low float8;
	x_high float8;
	latest record;
	html text;
	piece text;
	calibrated record;
	failure text;
	failure_state text;
BEGIN
	html := format('<h3 data-model="%s">Model %s: churn within %s after each run, known until %s</h3>',
				  healthscore_internal.html_escape(m.name), healthscore_internal.html_escape(m.name),
				  healthscore_internal.html_escape(used::text), healthscore_internal.html_date(known_until, m.time_zone));

	SELECT array_agg(e.as_of ORDER BY e.as_of, e.run_id) AS as_ofs, array_agg(e.auc ORDER BY e.as_of, e.run_id) AS aucs,
		   (array_agg(e ORDER BY e.as_of DESC, e.run_id DESC))[1] AS latest
	INTO runs FROM healthscore.evaluate(m.name, used, known_until) AS e;
	IF runs.as_ofs IS NULL THEN
		RETURN html || '<p class="note">No run is evaluable yet: a run counts once its horizon has passed (as of + horizon before known_until) and its accounts'' outcomes are known.</p>';
	END IF;
	ticks := healthscore_internal.time_ticks(runs.as_ofs, m.time_zone, 6);
	x_low := extract(epoch FROM runs.as_ofs[1]);
	x_high := extract(epoch FROM runs.as_ofs[cardinality(runs.as_ofs)]);

	html := html || healthscore_internal.chart_lines(
		'auc', 'AUC of the score against churn, per evaluable run (0.5 = chance, 1 = perfect)', x_low, x_high,
		ticks.ticks, ticks.labels, 0, 1, '{0,0.25,0.5,0.75,1}', '{0,0.25,0.5,0.75,1}', ARRAY['AUC'], ARRAY['#3d6fd1'],
		array_fill(1, ARRAY[cardinality(runs.as_ofs)]),
		ARRAY(SELECT extract(epoch FROM t)::float8 FROM unnest(runs.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		runs.aucs,
		ARRAY(SELECT healthscore_internal.report_day(t, m.time_zone) FROM unnest(runs.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, false);

	-- churn by tier: a line per tier, worst first
	WITH rates AS MATERIALIZED (
		SELECT t.run_id, t.as_of, t.tier, t.tier_rank, t.churn_rate,
			   dense_rank() OVER (ORDER BY t.tier_rank NULLS LAST, t.tier)::integer AS series
		FROM healthscore.evaluate_tiers(m.name, used, known_until) AS t
	), series AS (
		SELECT DISTINCT r.series, r.tier, r.tier_rank FROM rates AS r
	)
	SELECT html || healthscore_internal.chart_lines(
		'churn_by_tier', 'Churn rate by tier, per evaluable run', x_low, x_high, ticks.ticks, ticks.labels, 0, top.y,
		ARRAY[0, top.y / 4, top.y / 2, 3 * top.y / 4, top.y],
		ARRAY(SELECT round(100 * (top.y * k / 4)::numeric, 1)::text || '%' FROM generate_series(0, 4) AS k ORDER BY k),
		(SELECT array_agg(s.tier ORDER BY s.series) FROM series AS s),
		(SELECT array_agg(healthscore_internal.tier_color(s.tier_rank, tiers) ORDER BY s.series) FROM series AS s),
		array_agg(r.series ORDER BY r.series, r.as_of, r.run_id),
		array_agg(extract(epoch FROM r.as_of)::float8 ORDER BY r.series, r.as_of, r.run_id),
		array_agg(r.churn_rate ORDER BY r.series, r.as_of, r.run_id),
		array_agg(healthscore_internal.report_day(r.as_of, m.time_zone) ORDER BY r.series, r.as_of, r.run_id),
		'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, false)
	INTO html
	FROM rates AS r, (SELECT healthscore_internal.axis_top(max(x.churn_rate)) AS y FROM rates AS x) AS top
	GROUP BY top.y;

	latest := runs.latest;
	html := html || '<table data-table="accuracy">' || healthscore_internal.html_head(ARRAY['latest evaluable run', 'accounts', 'churned', 'churn rate', 'AUC', 'worst tier', 'its churn', 'best tier', 'its churn', 'lift of the worst tier', 'churn falls tier by tier'])
		   || healthscore_internal.html_row(ARRAY[healthscore_internal.html_date(latest.as_of, m.time_zone), latest.accounts::text,
												  latest.churned::text, healthscore_internal.html_percent(latest.churn_rate),
												  healthscore_internal.html_number(latest.auc, 3),
												  healthscore_internal.html_escape(latest.worst_tier),
												  healthscore_internal.html_percent(latest.worst_tier_churn_rate),
												  healthscore_internal.html_escape(latest.best_tier),
												  healthscore_internal.html_percent(latest.best_tier_churn_rate),
												  healthscore_internal.html_number(latest.lift_worst_tier, 2),
												  CASE WHEN latest.churn_falls_by_tier THEN '<span class="ok">yes</span>'
													   ELSE '<span class="bad">no</span>' END],
										   '{2,3,4,5,7,9,10}')
		   || '</table>';

	-- the reliability diagram: the stored calibration when it is for this horizon and the current
	-- definition, else the one calibrate() would store now (as calibration() does)
	-- (fitting one may fail: too few runs since the definition changed, too few churned accounts)
	BEGIN
	SELECT count(*) AS bins, min(c.brier) AS brier, min(c.brier_skill) AS brier_skill, min(c.test_runs) AS test_runs,
		   min(c.test_rows) AS test_rows, bool_and(c.stored) AS stored,
		   healthscore_internal.chart_lines(
			   'calibration', 'Calibration: predicted churn probability against observed churn rate, per decile of the held-out runs',
			   0, 1, '{0,0.25,0.5,0.75,1}', '{0%,25%,50%,75%,100%}', 0, 1, '{0,0.25,0.5,0.75,1}', '{0%,25%,50%,75%,100%}',
			   ARRAY['observed churn rate'], ARRAY['#9b2226'], array_agg(1 ORDER BY c.bin), array_agg(c.mean_predicted ORDER BY c.bin),
			   array_agg(c.observed_rate ORDER BY c.bin), array_agg('decile ' || c.bin ORDER BY c.bin),
			   '{}', '{}', '{}', '{}', NULL, NULL, NULL, true, false) AS chart
	INTO calibrated
	FROM healthscore_internal.calibration_measured('portfolio_report', m.name, used, known_until, 10, false) AS c;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
		RETURN html || format('<p class="note">No calibration diagram: %s (SQLSTATE %s).</p>',
							  healthscore_internal.html_escape(failure), failure_state);
	END;
	IF calibrated.bins = 0 THEN
		piece := '<p class="note">No calibration diagram: too few runs to hold some out of a calibration fit (calibrate() needs evaluable runs before and after).</p>';
	ELSE
		piece := calibrated.chart || format('<p class="note">%s, measured on %s held-out runs (%s rows): Brier score %s, skill %s against always predicting the base rate.</p>',
											CASE WHEN calibrated.stored THEN 'The stored calibration'
												 ELSE 'Not calibrated for this horizon and definition: the calibration calibrate() would store now' END,
											calibrated.test_runs, calibrated.test_rows,
											healthscore_internal.html_number(calibrated.brier, 4),
											healthscore_internal.html_number(calibrated.brier_skill, 3));
	END IF;
	RETURN html || piece;
END
$$;

COMMENT ON FUNCTION healthscore_internal.report_validation(text, interval, timestamptz) IS
'the validation part of a portfolio report for one model with outcomes: AUC and churn rate by tier over the evaluable runs, the latest one''s numbers, and the reliability diagram';

CREATE FUNCTION healthscore.portfolio_report(model text, horizon interval DEFAULT NULL,
											 known_until timestamptz DEFAULT pg_catalog.now(),
											 account_names regclass DEFAULT NULL, risk_rows integer DEFAULT 100)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
SET timezone_abbreviations = 'Default'
AS $$
DECLARE
	members text[];
	first_model healthscore.models;
	tz text;
	current_as_of timestamptz;
	names jsonb;
	body text;
	piece text;
	totals record;
	risk record;
	member text;
	failure text;
	failure_state text;
	history_times integer := 52;
BEGIN
	PERFORM healthscore_internal.check_report_arguments('portfolio_report', horizon, known_until, risk_rows);
	members := healthscore_internal.run_members(model, 'portfolio_report');
	SELECT m.* INTO first_model FROM healthscore.models AS m WHERE m.name = members[1];
	tz := first_model.time_zone;

	SELECT max(s.last_success_as_of) INTO current_as_of FROM healthscore.model_status AS s WHERE s.model = ANY (members);
	IF current_as_of IS NULL THEN
		RAISE EXCEPTION 'portfolio_report(): model "%" has no run yet', model
			USING ERRCODE = 'no_data_found', HINT = format('Refresh it first: CALL healthscore.run(%L).', model);
	END IF;
	names := healthscore_internal.report_names('portfolio_report', account_names,
		ARRAY(SELECT c.account_key FROM healthscore.current_scores AS c WHERE c.model = ANY (members)));

	-- the header and the headline numbers (current_scores, risk_list)
	SELECT count(*) AS accounts, count(c.score) AS scored, sum(c.value) AS total_value,
		   count(*) FILTER (WHERE c.tier_rank = 1) AS worst_tier
	INTO totals FROM healthscore.current_scores AS c WHERE c.model = ANY (members);
	SELECT count(*) AS accounts, sum(r.value_at_risk) AS value_at_risk, sum(r.expected_loss) AS expected_loss,
		   count(r.expected_loss) AS with_probability
	INTO risk FROM healthscore.risk_list AS r WHERE r.model = ANY (members);
	body := format('<h1>Portfolio health: %s</h1><p class="sub">As of %s &#183; %s %s &#183; %s accounts (%s scored)</p>',
				   healthscore_internal.html_escape(model), healthscore_internal.html_date(current_as_of, tz),
				   CASE WHEN cardinality(members) > 1 THEN 'models' ELSE 'model' END,
				   healthscore_internal.html_escape(array_to_string(members, ', ')), totals.accounts, totals.scored)
			|| (SELECT coalesce(string_agg(format('<p class="note"><b>%s</b>: %s</p>', healthscore_internal.html_escape(m.name),
												   healthscore_internal.html_escape(m.description)), '' ORDER BY m.priority DESC, m.name), '')
				FROM healthscore.models AS m WHERE m.name = ANY (members) AND m.description IS NOT NULL)
			|| '<div class="kpis" data-kpis="">'
			|| format('<div class="kpi" data-kpi="accounts"><b>%s</b><span>accounts scored</span></div>', totals.scored)
			|| format('<div class="kpi" data-kpi="total_value"><b>%s</b><span>total value (ARR)</span></div>', healthscore_internal.html_money(totals.total_value))
			|| format('<div class="kpi" data-kpi="worst_tier"><b>%s</b><span>accounts in %s</span></div>', totals.worst_tier,
					  CASE WHEN (SELECT count(DISTINCT m.tier_labels[1]) FROM healthscore.models AS m WHERE m.name = ANY (members)) = 1
						   THEN healthscore_internal.html_escape(first_model.tier_labels[1]) ELSE 'their model&#39;s worst tier' END)
			|| format('<div class="kpi" data-kpi="value_at_risk"><b>%s</b><span>value at risk</span></div>', healthscore_internal.html_money(risk.value_at_risk::numeric))
			|| format('<div class="kpi" data-kpi="expected_loss"><b>%s</b><span>expected loss%s</span></div>', healthscore_internal.html_money(risk.expected_loss::numeric),
					  CASE WHEN risk.with_probability < risk.accounts THEN ' (calibrated accounts only)' ELSE '' END)
			|| '</div>';

	-- scheduled runs: stale sources, failures (model_status, model_runs)
	body := body || '<h2>Runs and sources</h2><table data-table="status">'
			|| healthscore_internal.html_head(ARRAY['model', 'current run', 'last status', 'overdue', 'last failure', 'its error', 'stale sources'])
			|| (SELECT string_agg(healthscore_internal.html_row(ARRAY[
					healthscore_internal.html_escape(s.model), healthscore_internal.html_date(s.last_success_as_of, tz),
					CASE WHEN s.last_status = 'failed' THEN '<span class="bad">failed</span>' ELSE healthscore_internal.html_escape(s.last_status) END,
					CASE WHEN s.overdue THEN '<span class="bad">overdue</span>' ELSE 'no' END,
					healthscore_internal.html_date(s.last_failure_at, tz), healthscore_internal.html_escape(s.last_error),
					CASE WHEN s.stale_sources IS NULL THEN 'none' ELSE '<span class="bad">' || healthscore_internal.html_escape(s.stale_sources) || '</span>' END]),
					'' ORDER BY array_position(members, s.model))
				FROM healthscore.model_status AS s WHERE s.model = ANY (members))
			|| '</table>'
			|| coalesce((SELECT '<h3>Failed runs</h3><table data-table="failed_runs">'
								|| healthscore_internal.html_head(ARRAY['model', 'as of', 'started', 'ended', 'error'])
								|| string_agg(healthscore_internal.html_row(ARRAY[
									   healthscore_internal.html_escape(f.model), healthscore_internal.html_date(f.as_of, tz),
									   healthscore_internal.html_date(f.started_at, tz), healthscore_internal.html_date(f.finished_at, tz),
									   healthscore_internal.html_escape(f.error)]), '' ORDER BY f.started_at DESC, f.attempt_id DESC)
								|| '</table>'
						 FROM (SELECT r.* FROM healthscore.model_runs AS r
							   WHERE r.model = ANY (members) AND r.status = 'failed'
							   ORDER BY r.started_at DESC, r.attempt_id DESC LIMIT 10) AS f
						 HAVING count(*) > 0), '<p class="note">No failed runs.</p>');

	-- the tier distribution over the history: tier_summary of the latest run at each of the last
	-- as-of times, summed over the models of the group (each account is in one model's run)
	WITH chosen AS (
		SELECT DISTINCT r.as_of FROM healthscore.runs AS r WHERE r.model = ANY (members)
		ORDER BY r.as_of DESC LIMIT history_times
	), latest AS (
		SELECT DISTINCT ON (r.model, r.as_of) r.run_id FROM healthscore.runs AS r
		WHERE r.model = ANY (members) AND r.as_of IN (SELECT ch.as_of FROM chosen AS ch)
		ORDER BY r.model, r.as_of, r.run_id DESC
	), cells AS (
		SELECT t.as_of, t.tier, min(t.tier_rank) AS tier_rank, sum(t.accounts)::float8 AS accounts,
			   min(healthscore_internal.model_tiers(t.model)) AS tiers
		FROM healthscore.tier_summary AS t WHERE t.run_id IN (SELECT l.run_id FROM latest AS l)
		GROUP BY t.as_of, t.tier
	), xs AS (
		SELECT d.as_of, row_number() OVER (ORDER BY d.as_of)::integer AS x FROM (SELECT DISTINCT c.as_of FROM cells AS c) AS d
	), series AS (
		SELECT q.tier, q.tier_rank, q.tiers, row_number() OVER (ORDER BY q.tier_rank NULLS LAST, q.tier)::integer AS n
		FROM (SELECT c.tier, min(c.tier_rank) AS tier_rank, min(c.tiers) AS tiers FROM cells AS c GROUP BY c.tier) AS q
	), marks AS (
		SELECT array_agg(xs.x ORDER BY xs.x, s.n) AS x, array_agg(s.n ORDER BY xs.x, s.n) AS series,
			   array_agg(c.accounts ORDER BY xs.x, s.n) AS accounts
		FROM cells AS c JOIN xs ON xs.as_of = c.as_of JOIN series AS s ON s.tier = c.tier
	)
	SELECT healthscore_internal.chart_stacked_bars(
			   'tier_distribution', format('Accounts per tier at each run (%s as-of times)', (SELECT count(*) FROM xs)),
			   (SELECT array_agg(healthscore_internal.report_day(xs.as_of, tz) ORDER BY xs.x) FROM xs),
			   (SELECT array_agg(s.tier ORDER BY s.n) FROM series AS s),
			   (SELECT array_agg(healthscore_internal.tier_color(s.tier_rank, s.tiers) ORDER BY s.n) FROM series AS s),
			   marks.x, marks.series, marks.accounts, 'accounts')
	INTO piece FROM marks WHERE marks.x IS NOT NULL;
	body := body || '<h2>Tiers over time</h2>' || coalesce(piece, '<p class="note">No scores.</p>');

	-- value at risk and expected loss by tier and by owner (risk_list)
	body := body || '<h2>Where the value at risk is</h2>';
	IF risk.accounts = 0 THEN
		body := body || '<p class="note">No account is below the top tier.</p>';
	ELSE
		WITH groups AS (
			SELECT r.tier AS label, min(r.tier_rank) AS tier_rank, sum(r.value_at_risk)::float8 AS value_at_risk,
				   sum(r.expected_loss)::float8 AS expected_loss
			FROM healthscore.risk_list AS r WHERE r.model = ANY (members) GROUP BY r.tier
		), numbered AS (
			SELECT g.*, row_number() OVER (ORDER BY g.tier_rank NULLS LAST, g.label)::integer AS n FROM groups AS g
		)
		SELECT healthscore_internal.chart_bars('value_by_tier', 'Value at risk and expected loss by tier',
				   array_agg(q.label ORDER BY q.n), ARRAY['value at risk', 'expected loss'], ARRAY['#e07b39', '#9b2226'],
				   array_agg(q.n ORDER BY q.n) || array_agg(q.n ORDER BY q.n),
				   array_fill(1, ARRAY[count(*)::integer]) || array_fill(2, ARRAY[count(*)::integer]),
				   array_agg(q.value_at_risk ORDER BY q.n) || array_agg(q.expected_loss ORDER BY q.n), true)
		INTO piece FROM numbered AS q;
		body := body || piece;

		WITH groups AS (
			SELECT coalesce(r.owner, '(no owner)') AS label, sum(r.value_at_risk)::float8 AS value_at_risk,
				   sum(r.expected_loss)::float8 AS expected_loss
			FROM healthscore.risk_list AS r WHERE r.model = ANY (members) GROUP BY coalesce(r.owner, '(no owner)')
		), numbered AS (
			SELECT g.*, row_number() OVER (ORDER BY g.value_at_risk DESC NULLS LAST, g.label)::integer AS n,
				   count(*) OVER () AS owners
			FROM groups AS g
		)
		SELECT healthscore_internal.chart_bars('value_by_owner',
				   CASE WHEN max(q.owners) > 12 THEN format('Value at risk and expected loss by owner (the 12 of %s owners with the most)', max(q.owners))
						ELSE 'Value at risk and expected loss by owner' END,
				   array_agg(q.label ORDER BY q.n), ARRAY['value at risk', 'expected loss'], ARRAY['#e07b39', '#9b2226'],
				   array_agg(q.n ORDER BY q.n) || array_agg(q.n ORDER BY q.n),
				   array_fill(1, ARRAY[count(*)::integer]) || array_fill(2, ARRAY[count(*)::integer]),
				   array_agg(q.value_at_risk ORDER BY q.n) || array_agg(q.expected_loss ORDER BY q.n), true)
		INTO piece FROM numbered AS q WHERE q.n <= 12;
		body := body || piece;
		IF risk.with_probability = 0 THEN
			body := body || '<p class="note">No expected loss: no model here has churn probabilities (calibrate() fits them once outcomes are known).</p>';
		END IF;
	END IF;

	-- top movers since the run before, with what moved them (current_scores, score_changes)
	body := body || '<h2>Top movers since the run before</h2>';
	WITH movers AS (
		SELECT c.model, c.account_key, c.score, c.previous_score, c.change, c.tier, c.tier_rank, c.value,
			   row_number() OVER (ORDER BY abs(c.change) DESC, c.account_key, c.model)::integer AS n
		FROM healthscore.current_scores AS c
		WHERE c.model = ANY (members) AND c.change <> 0
		ORDER BY abs(c.change) DESC, c.account_key, c.model LIMIT 10
	), drivers AS (
		SELECT mv.n, string_agg(format('%s %s%s', d.signal, CASE WHEN d.contribution_change > 0 THEN '+' ELSE '' END,
									   round(d.contribution_change::numeric, 1)), ', '
								ORDER BY abs(d.contribution_change) DESC, d.signal) AS moved_by
		FROM movers AS mv
		CROSS JOIN LATERAL (SELECT sc.signal, sc.contribution_change FROM healthscore.score_changes AS sc
							WHERE sc.model = mv.model AND sc.account_key = mv.account_key AND sc.contribution_change <> 0
							ORDER BY abs(sc.contribution_change) DESC, sc.signal LIMIT 3) AS d
		GROUP BY mv.n
	)
	SELECT healthscore_internal.chart_bars('top_movers', 'The largest score changes since the run before (points)',
			   array_agg(healthscore_internal.account_label(names, mv.account_key) ORDER BY mv.n),
			   ARRAY['score up', 'score down'], ARRAY['hsl(130,62%,40%)', 'hsl(0,62%,48%)'],
			   array_agg(mv.n ORDER BY mv.n), array_agg(CASE WHEN mv.change > 0 THEN 1 ELSE 2 END ORDER BY mv.n),
			   array_agg(mv.change ORDER BY mv.n), false)
		   || '<table data-table="top_movers">'
		   || healthscore_internal.html_head(ARRAY['account', 'model', 'score before', 'score now', 'change', 'tier', 'moved by (signal: points of the score, from score_changes)'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_account(names, mv.account_key), healthscore_internal.html_escape(mv.model),
				  healthscore_internal.html_number(mv.previous_score, 1), healthscore_internal.html_number(mv.score, 1),
				  healthscore_internal.html_number(mv.change, 1), healthscore_internal.html_tier(mv.tier, mv.tier_rank, healthscore_internal.model_tiers(mv.model)),
				  healthscore_internal.html_escape(d.moved_by)], '{3,4,5}'), '' ORDER BY mv.n)
		   || '</table>'
	INTO piece
	FROM movers AS mv LEFT JOIN drivers AS d ON d.n = mv.n;
	body := body || coalesce(piece, '<p class="note">No score changed since the run before.</p>');

	-- validation against churn, per model with outcomes
	body := body || '<h2>Is the score right? Churn against the score</h2>';
	piece := NULL;
	FOR member IN SELECT m.name FROM healthscore.models AS m
				  WHERE m.name = ANY (members) AND m.outcomes IS NOT NULL ORDER BY array_position(members, m.name) LOOP
		-- one model's outcomes that cannot be read (its relation dropped, say) cost its section only
		BEGIN
			piece := coalesce(piece, '') || healthscore_internal.report_validation(member, horizon, known_until);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
			piece := coalesce(piece, '') || format('<h3>Model %s</h3><p class="bad">Could not evaluate it against churn: %s (SQLSTATE %s).</p>',
												   healthscore_internal.html_escape(member), healthscore_internal.html_escape(failure),
												   failure_state);
		END;
	END LOOP;
	body := body || coalesce(piece, '<p class="note">No churn outcomes are set for these models: healthscore.set_outcomes() names the relation that records churn, and this section then shows AUC, churn by tier and calibration.</p>');

	-- the risk list (risk_list), most value at risk first
	body := body || format('<h2>Risk list</h2><p class="note">Accounts below the top tier, most value at risk first: %s of %s.</p>',
						   least(risk_rows, risk.accounts), risk.accounts);
	SELECT '<table class="wide" data-table="risk_list">'
		   || healthscore_internal.html_head(ARRAY['#', 'account', 'model', 'score', 'tier', 'trend', 'last 12 runs', 'value', 'value at risk',
												   'churn probability', 'expected loss', 'why (raw value, points lost)', 'action (who)',
												   'owner', 'renews in (days)', 'indicators'])
		   || coalesce(string_agg(healthscore_internal.html_row(ARRAY[
				  r.n::text, '<span class="acct">' || healthscore_internal.html_account(names, r.account_key) || '</span>',
				  healthscore_internal.html_escape(r.model),
				  healthscore_internal.html_number(r.score, 1),
				  healthscore_internal.html_tier(r.tier, r.tier_rank, healthscore_internal.model_tiers(r.model)) || CASE WHEN r.overridden THEN ' <small>override: '
					  || healthscore_internal.html_escape(r.override_reason) || '</small>' ELSE '' END,
				  healthscore_internal.html_escape(r.trend), healthscore_internal.html_sparkline(r.sparkline_ascii),
				  healthscore_internal.html_money(r.value), healthscore_internal.html_money(r.value_at_risk::numeric),
				  healthscore_internal.html_percent(r.churn_probability), healthscore_internal.html_money(r.expected_loss::numeric),
				  '<span class="why">' || healthscore_internal.html_escape(replace(r.reasons, '; ', chr(10))) || '</span>',
				  '<span class="act">' || coalesce(healthscore_internal.html_escape(r.action), '&#8211;')
					  || coalesce(' <small>(' || healthscore_internal.html_escape(r.action_owner) || ')</small>', '') || '</span>',
				  healthscore_internal.html_escape(r.owner), r.days_to_renewal::text,
				  healthscore_internal.html_escape(r.indicators)], '{1,4,8,9,10,11,15}'),
				  '' ORDER BY r.n), '')
		   || '</table>'
	INTO piece
	FROM (SELECT x.*, row_number() OVER (ORDER BY x.value_at_risk DESC NULLS LAST, x.score NULLS FIRST, x.account_key, x.model) AS n
		  FROM healthscore.risk_list AS x WHERE x.model = ANY (members)
		  ORDER BY x.value_at_risk DESC NULLS LAST, x.score NULLS FIRST, x.account_key, x.model LIMIT risk_rows) AS r;
	body := body || piece;

	RETURN healthscore_internal.html_page(format('Portfolio health: %s', model), body);
END
$$;

COMMENT ON FUNCTION healthscore.portfolio_report(text, interval, timestamptz, regclass, integer) IS
'a self-contained HTML report of a model or model group as of its current run, from the views as the caller sees them: tiers over time, value at risk and expected loss by tier and owner, top movers, runs and stale sources, churn against the score (AUC, churn by tier, calibration) when outcomes are set, and the risk list';

-- The signals of one account over time, a small chart each (components: points per run).
CREATE FUNCTION healthscore_internal.report_signal_charts(model text, account_key text, time_zone text,
														  x_low float8, x_high float8, ticks float8[], tick_labels text[])
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT string_agg(
		replace(healthscore_internal.chart_lines(
			'signal', format('%s (points)', c.signal), x_low, x_high, ticks, tick_labels, 0, 100, '{0,50,100}', '{0,50,100}',
			ARRAY[c.signal], ARRAY['#3d6fd1'], array_fill(1, ARRAY[cardinality(c.points)]), c.xs, c.points, c.labels,
			'{}', '{}', '{}', '{}', NULL, NULL, NULL, false, true),
			'data-chart="signal"', format('data-chart="signal" data-signal="%s"', healthscore_internal.html_escape(c.signal))),
		'' ORDER BY c.first_seen, c.signal)
	FROM (SELECT x.signal, min(x.run_order) AS first_seen,
				 array_agg(extract(epoch FROM x.as_of)::float8 ORDER BY x.as_of, x.run_id) AS xs,
				 array_agg(x.points ORDER BY x.as_of, x.run_id) AS points,
				 array_agg(healthscore_internal.report_day(x.as_of, time_zone) ORDER BY x.as_of, x.run_id) AS labels
		  FROM (SELECT cp.*, dense_rank() OVER (ORDER BY cp.as_of DESC, cp.run_id DESC) * 1000 AS run_order
				FROM healthscore.components AS cp
				WHERE cp.model = report_signal_charts.model AND cp.account_key = report_signal_charts.account_key) AS x
		  GROUP BY x.signal) AS c
$$;

COMMENT ON FUNCTION healthscore_internal.report_signal_charts(text, text, text, float8, float8, float8[], text[]) IS
'the account review page''s small charts: one per signal of the account''s runs, its points (0-100) per run, from components';

CREATE FUNCTION healthscore.account_report(model text, account_key text, account_names regclass DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET TimeZone = 'UTC'
SET timezone_abbreviations = 'Default'
AS $$
DECLARE
	m healthscore.models;
	tiers integer;
	names jsonb;
	story record;
	cur record;
	small_ticks record;
	ticks record;
	x_low float8;
	x_high float8;
	body text;
	piece text;
BEGIN
	IF model IS NULL THEN
		RAISE EXCEPTION 'account_report(): model must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a model: see SELECT name FROM healthscore.models.';
	END IF;
	IF account_key IS NULL THEN
		RAISE EXCEPTION 'account_report(): account_key must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the key of an account the model scores, as text.';
	END IF;
	m := healthscore_internal.model_row(model);
	tiers := cardinality(m.tier_labels);
	SELECT array_agg(st.as_of ORDER BY st.as_of, st.run_id) AS as_ofs, array_agg(st.score ORDER BY st.as_of, st.run_id) AS scores,
		   max(st.as_of) AS latest
	INTO story FROM healthscore.account_story(m.name, account_key) AS st;
	IF story.as_ofs IS NULL THEN
		RAISE EXCEPTION 'account_report(): model "%" has no score of account "%"', m.name, account_key
			USING ERRCODE = 'no_data_found',
				  HINT = format('See SELECT account_key FROM healthscore.current_scores WHERE model = %L (only the accounts you may see are there).', m.name);
	END IF;
	names := healthscore_internal.report_names('account_report', account_names, ARRAY[account_key]);
	SELECT c.* INTO cur FROM healthscore.current_scores AS c
	WHERE c.model = m.name AND c.account_key = account_report.account_key;

	body := format('<h1>%s</h1><p class="sub">Account review &#183; model %s &#183; as of %s</p>',
				   healthscore_internal.html_account(names, account_key), healthscore_internal.html_escape(m.name),
				   healthscore_internal.html_date(story.latest, m.time_zone));
	IF cur.account_key IS NULL THEN
		body := body || '<p class="note bad">The account is not in the model''s current run: what follows is its history.</p>';
	ELSE
		body := body || '<div class="kpis">'
				|| format('<div class="kpi" data-kpi="score"><b>%s</b><span>health score</span></div>', healthscore_internal.html_number(cur.score, 1))
				|| format('<div class="kpi" data-kpi="tier"><b>%s</b><span>tier%s</span></div>', healthscore_internal.html_tier(cur.tier, cur.tier_rank, tiers),
						  CASE WHEN cur.overridden THEN ' (override; computed: ' || healthscore_internal.html_escape(cur.computed_tier) || ')' ELSE '' END)
				|| format('<div class="kpi" data-kpi="trend"><b>%s</b><span>trend over %s (%s points)</span></div>', healthscore_internal.html_escape(coalesce(cur.trend, 'new')),
						  healthscore_internal.html_escape(m.trend_window::text), healthscore_internal.html_number(cur.window_change, 1))
				|| format('<div class="kpi" data-kpi="value"><b>%s</b><span>value (ARR)</span></div>', healthscore_internal.html_money(cur.value))
				|| format('<div class="kpi" data-kpi="owner"><b>%s</b><span>owner</span></div>', healthscore_internal.html_escape(coalesce(cur.owner, '-')))
				|| format('<div class="kpi" data-kpi="renewal"><b>%s</b><span>renewal (%s days)</span></div>',
						  CASE WHEN cur.renewal_date IS NULL THEN '&#8211;' ELSE to_char(cur.renewal_date, 'YYYY-MM-DD') END,
						  coalesce(cur.days_to_renewal::text, '&#8211;'))
				|| format('<div class="kpi" data-kpi="churn_probability"><b>%s</b><span>churn probability%s</span></div>',
						  healthscore_internal.html_percent(cur.churn_probability),
						  CASE WHEN cur.probability_horizon IS NULL THEN '' ELSE ' within ' || healthscore_internal.html_escape(cur.probability_horizon::text) END)
				|| '</div>'
				|| format('<p><b>Costliest signals:</b> %s</p>', healthscore_internal.html_escape(coalesce(cur.reasons, 'none')));
	END IF;

	-- the health line over the tier bands, with the trend window shaded (account_story)
	ticks := healthscore_internal.time_ticks(story.as_ofs, m.time_zone, 6);
	small_ticks := healthscore_internal.time_ticks(story.as_ofs, m.time_zone, 3);
	x_low := extract(epoch FROM story.as_ofs[1]);
	x_high := extract(epoch FROM story.as_ofs[cardinality(story.as_ofs)]);
	body := body || '<h2>Health over time</h2>' || healthscore_internal.chart_lines(
		'health', 'Health score per run, over the tier bands; shaded: the trend window', x_low, x_high, ticks.ticks, ticks.labels,
		0, 100, '{0,25,50,75,100}', '{0,25,50,75,100}', ARRAY['score'], ARRAY['#1d2430'],
		array_fill(1, ARRAY[cardinality(story.scores)]),
		ARRAY(SELECT extract(epoch FROM t)::float8 FROM unnest(story.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		story.scores,
		ARRAY(SELECT healthscore_internal.report_day(t, m.time_zone) FROM unnest(story.as_ofs) WITH ORDINALITY AS u(t, n) ORDER BY u.n),
		ARRAY(SELECT coalesce(m.tier_cutoffs[k - 1], 0) FROM generate_series(1, tiers) AS k ORDER BY k),
		ARRAY(SELECT coalesce(m.tier_cutoffs[k], 100) FROM generate_series(1, tiers) AS k ORDER BY k),
		ARRAY(SELECT healthscore_internal.tier_color(k, tiers) FROM generate_series(1, tiers) AS k ORDER BY k),
		m.tier_labels,
		extract(epoch FROM ((story.latest AT TIME ZONE m.time_zone) - m.trend_window) AT TIME ZONE m.time_zone),
		extract(epoch FROM story.latest), format('trend window: %s', m.trend_window), false, false);

	body := body || '<h2>Signals over time</h2><div class="signals">'
			|| coalesce(healthscore_internal.report_signal_charts(m.name, account_key, m.time_zone, x_low, x_high, small_ticks.ticks, small_ticks.labels), '')
			|| '</div>';

	-- what changed at each run (account_story), newest first
	SELECT '<h2>What changed at each run</h2><table data-table="story">'
		   || healthscore_internal.html_head(ARRAY['as of', 'score', 'change', 'tier', 'computed tier', 'trend', 'what changed (signal: before -> now, points of the score)', 'costliest signals', 'model definition changed'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_date(st.as_of, m.time_zone), healthscore_internal.html_number(st.score, 1),
				  healthscore_internal.html_number(st.change, 1), healthscore_internal.html_tier(st.tier, st.tier_rank, tiers)
					  || CASE WHEN st.overridden THEN ' <small>override</small>' ELSE '' END,
				  healthscore_internal.html_escape(st.computed_tier), healthscore_internal.html_escape(coalesce(st.trend, 'new')),
				  healthscore_internal.html_escape(st.why_changed), healthscore_internal.html_escape(st.reasons),
				  CASE WHEN st.model_changed THEN '<span class="bad">yes</span>' ELSE '' END], '{2,3}'),
				  '' ORDER BY st.as_of DESC, st.run_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.account_story(m.name, account_key) AS st;
	body := body || piece;

	-- the current run's change, signal by signal (score_changes)
	SELECT '<h3>Since the run before and over the trend window, signal by signal</h3><table data-table="score_changes">'
		   || healthscore_internal.html_head(ARRAY['signal', 'raw value before', 'raw value now', 'points before', 'points now', 'change of the score', 'change over the trend window'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(sc.signal), healthscore_internal.html_number(sc.previous_raw_value, 2),
				  healthscore_internal.html_number(sc.raw_value, 2), healthscore_internal.html_number(sc.previous_points, 1),
				  healthscore_internal.html_number(sc.points, 1), healthscore_internal.html_number(sc.contribution_change, 2),
				  healthscore_internal.html_number(sc.window_contribution_change, 2)], '{2,3,4,5,6,7}'),
				  '' ORDER BY abs(sc.contribution_change) DESC NULLS LAST, sc.signal)
		   || '</table>'
	INTO piece FROM healthscore.score_changes AS sc
	WHERE sc.model = m.name AND sc.account_key = account_report.account_key;
	body := body || coalesce(piece, '');

	-- risk indicators raised now (risk_indicators)
	SELECT '<h2>Risk indicators</h2><table data-table="indicators">'
		   || healthscore_internal.html_head(ARRAY['indicator', 'raised since', 'why', 'what it means'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(i.indicator), healthscore_internal.html_date(i.since, m.time_zone),
				  healthscore_internal.html_escape(i.reason), healthscore_internal.html_escape(i.description)]), '' ORDER BY i.indicator)
		   || '</table>'
	INTO piece FROM healthscore.risk_indicators AS i
	WHERE i.model = m.name AND i.account_key = account_report.account_key;
	body := body || coalesce(piece, '<h2>Risk indicators</h2><p class="note">None raised.</p>');

	-- overrides of the tier and assessments, with who entered them and until when
	SELECT '<h2>Overrides</h2><table data-table="overrides">'
		   || healthscore_internal.html_head(ARRAY['tier', 'reason', 'set by', 'set at', 'expires'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(o.tier), healthscore_internal.html_escape(o.reason),
				  healthscore_internal.html_escape(o.set_by), healthscore_internal.html_date(o.set_at, m.time_zone),
				  healthscore_internal.html_date(o.expires_at, m.time_zone)]), '' ORDER BY o.set_at DESC, o.override_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.overrides AS o
	WHERE o.model = m.name AND o.account_key = account_report.account_key;
	body := body || coalesce(piece, '<h2>Overrides</h2><p class="note">None.</p>');

	SELECT '<h2>Assessments</h2><table data-table="assessments">'
		   || healthscore_internal.html_head(ARRAY['factor', 'rating', 'points', 'note', 'assessed by', 'assessed at', 'expires'])
		   || string_agg(healthscore_internal.html_row(ARRAY[
				  healthscore_internal.html_escape(a.factor), a.rating::text, healthscore_internal.html_number(a.points, 0),
				  healthscore_internal.html_escape(a.note), healthscore_internal.html_escape(a.assessed_by),
				  healthscore_internal.html_date(a.assessed_at, m.time_zone),
				  healthscore_internal.html_date(((a.assessed_at AT TIME ZONE m.time_zone) + a.valid_for) AT TIME ZONE m.time_zone, m.time_zone)],
				  '{2,3}'), '' ORDER BY a.assessed_at DESC, a.assessment_id DESC)
		   || '</table>'
	INTO piece FROM healthscore.assessments AS a
	WHERE a.account_key = account_report.account_key
	  AND a.factor IN (SELECT s.factor FROM healthscore.signals AS s WHERE s.model = m.name AND s.scoring = 'assessment');
	body := body || coalesce(piece, '');

	RETURN healthscore_internal.html_page(format('Account review: %s', coalesce(names ->> account_key, account_key)), body);
END
$$;

COMMENT ON FUNCTION healthscore.account_report(text, text, regclass) IS
'a self-contained HTML review page of one account of a model (for a QBR), from account_story and the views as the caller sees them: the health line over the tier bands with the trend window, its signals over time, what changed at each run, risk indicators, overrides and assessments with their authors and expiry';

-- Every comment, as the install script has it.
COMMENT ON SCHEMA healthscore IS 'healthscore: customer health scores computed inside PostgreSQL';
COMMENT ON SCHEMA healthscore_internal IS 'healthscore: internal functions, not for direct use';
COMMENT ON FUNCTION healthscore_internal.one_expression(text, text, text, text, text) IS
'the text wrapped as "(\n<text>\n)" when it parses as exactly one SQL expression, else an error naming the function, model and signal; kind is expression (a signal''s) or filter (a model''s segment filter)';
COMMENT ON FUNCTION healthscore.linear(float8, float8, float8) IS
'points 0-100 on a straight line: 0 at or beyond worst, 100 at or beyond best; worst > best means lower is better';
COMMENT ON FUNCTION healthscore.logarithmic(float8, float8, float8) IS
'points 0-100 like linear() but on a ln(1 + x) scale, for heavy-tailed counts; value and bounds must not be negative';
COMMENT ON FUNCTION healthscore.bands(float8, float8[], float8[]) IS
'step points: breaks strictly ascending, one more points than breaks; a value equal to a break goes to the upper band';
COMMENT ON FUNCTION healthscore.decay(float8, float8) IS
'recency points 100 * 0.5 ^ (age_days / half_life_days); a negative age counts as 0 days';
COMMENT ON FUNCTION healthscore.decay(timestamptz, interval, timestamptz) IS
'recency points of last_seen as of as_of: 100 * 0.5 ^ (age / half_life); -infinity scores 0';
COMMENT ON FUNCTION healthscore.tier(float8, float8[], text[]) IS
'tier label of a score: cutoffs strictly ascending, one more label than cutoffs; a score equal to a cutoff goes to the upper tier';
COMMENT ON FUNCTION healthscore_internal.tier_with_hysteresis(float8, text, float8, float8[], text[]) IS
'the tier of a score for an account that was in previous_tier: it leaves that tier only when the score passes a cutoff by more than hysteresis points; without a previous tier, tier(score)';
COMMENT ON FUNCTION healthscore_internal.weighted_score_accum(float8[], float8, float8) IS
'transition function of weighted_score(): adds weight and weight * points to compensated sums';
COMMENT ON FUNCTION healthscore_internal.weighted_score_combine(float8[], float8[]) IS
'combine function of weighted_score(): merges two partial states (parallel query, distributed engines)';
COMMENT ON FUNCTION healthscore_internal.weighted_score_final(float8[]) IS
'final function of weighted_score(): sum(weight * points) / sum(weight), NULL without a positive weight';
COMMENT ON AGGREGATE healthscore.weighted_score(float8, float8) IS
'weighted mean of points over rows whose points and weight are not NULL (a missing signal''s weight is redistributed); NULL when no row has a positive weight';
COMMENT ON FUNCTION healthscore.score_from_points(float8[], float8[]) IS
'weighted mean of the points whose element is not NULL (a skipped signal''s weight is redistributed), the same as the weighted_score aggregate over the pairs; NULL without a positive present weight';
COMMENT ON FUNCTION healthscore.score_reasons(text[], float8[], float8[], float8[], integer) IS
'the how_many signals that cost the most points, costliest first: "signal raw value (-points lost); ..." (raw value rounded to 2 decimals, no data when missing); NULL when none cost anything';
COMMENT ON FUNCTION healthscore.worst_signal(text[], float8[], float8[]) IS
'the signal that cost the most points ((100 - points) x its share of the present weight; ties by name); NULL when none cost anything';
COMMENT ON FUNCTION healthscore.effective_weights(float8[], float8[], text[], float8[]) IS
'each signal''s weight in one account''s score with group weights: group weight x signal weight / summed weight of the group''s present signals (a missing signal: of the whole group); the weights unchanged when group_weights is NULL (a model without group weights)';
COMMENT ON FUNCTION healthscore.weakest_group(float8[], float8[], text[]) IS
'the category whose present signals have the lowest group score (weighted mean of their points); ties by name; NULL when no signal is present';
COMMENT ON FUNCTION healthscore_internal.contributions(text[], text[], float8[], float8[]) IS
'each of out_signals'' points * weight share in one run, as the components view has them (they add up to the score), NULL for a signal the run skipped or does not have';
COMMENT ON FUNCTION healthscore_internal.contribution_changes(text[], text[], float8[], float8[], text[], float8[], text[], float8[], float8[], text[], float8[]) IS
'each of out_signals'' part of the score change between two runs (they add up to it; a signal whose points and weight did not move has none, one that appeared or went missing has the effect of its joining or leaving; with group weights, over the groups and then within them), 0 for a signal of neither run, NULL when either run has no score';
COMMENT ON FUNCTION healthscore_internal.change_reasons(text[], float8[], float8[], float8[], text[], float8[], text[], float8[], float8[], float8[], text[], float8[], integer) IS
'the how_many signals with the largest parts of the score change between two runs (as contribution_changes() splits it): "signal before -> now (+-points)", NULL when none has 0.05 points or more, or without a run before';
COMMENT ON FUNCTION healthscore_internal.trend_over_window(float8, float8, float8) IS
'up, down or flat: the score against the score at the start of the trend window and the trend threshold; new without a start';
COMMENT ON FUNCTION healthscore_internal.spark_code(float8) IS
'the sparkline code of a score: its band floor(score / 12.5) clamped to 0-7 as a digit, a space for NULL (what refresh() stores)';
COMMENT ON FUNCTION healthscore.sparkline(text) IS
'draws stored sparkline codes (digits 0-7, spaces) as the bars U+2581 to U+2588 when the database and the client use UTF-8, else as sparkline_ascii() does';
COMMENT ON FUNCTION healthscore.sparkline_ascii(text) IS
'draws stored sparkline codes in ASCII, lowest to highest _ . : - = + * #, a space for no score';
COMMENT ON FUNCTION healthscore.spark(float8) IS
'one score 0-100 drawn as sparkline() draws it (a bar, or ASCII for clients that are not UTF-8); a space for NULL';
COMMENT ON FUNCTION healthscore_internal.trend_accum(float8[], float8, timestamptz) IS
'transition function of trend() and relative_trend(): Youngs-Cramer accumulation of (days, value)';
COMMENT ON FUNCTION healthscore_internal.trend_combine(float8[], float8[]) IS
'combine function of trend() and relative_trend(): merges two partial states';
COMMENT ON FUNCTION healthscore_internal.trend_final(float8[]) IS
'final function of trend(): least-squares slope in value units per day';
COMMENT ON FUNCTION healthscore_internal.relative_trend_final(float8[]) IS
'final function of relative_trend(): slope as percent of the mean value per 30 days';
COMMENT ON AGGREGATE healthscore.trend(float8, timestamptz) IS
'least-squares slope of value over time in value units per day; NULL rows skipped, NULL with fewer than two distinct times';
COMMENT ON AGGREGATE healthscore.relative_trend(float8, timestamptz) IS
'slope as percent of the absolute mean value per 30 days (-25 = falling by a quarter a month); NULL when the mean is 0 or the slope undefined';
COMMENT ON FUNCTION healthscore_internal.nps_accum(int8[], integer) IS
'transition function of nps(): counts responses, promoters (9-10) and detractors (0-6)';
COMMENT ON FUNCTION healthscore_internal.nps_combine(int8[], int8[]) IS
'combine function of nps(): adds two partial counts';
COMMENT ON FUNCTION healthscore_internal.nps_final(int8[]) IS
'final function of nps(): % promoters - % detractors, NULL without responses';
COMMENT ON AGGREGATE healthscore.nps(integer) IS
'Net Promoter Score: % promoters (9-10) minus % detractors (0-6), from -100 to 100; NULL rows skipped; a rating outside 0..10 is an error';
COMMENT ON FUNCTION healthscore_internal.exact_set_in(cstring) IS
'input function of exact_set: the binary form in hex (as bytea writes it), validated byte for byte';
COMMENT ON FUNCTION healthscore_internal.exact_set_out(healthscore.exact_set) IS
'output function of exact_set: the binary form in hex';
COMMENT ON FUNCTION healthscore_internal.exact_set_recv(internal) IS
'receive function of exact_set: validates every byte';
COMMENT ON FUNCTION healthscore_internal.exact_set_send(healthscore.exact_set) IS
'send function of exact_set: header, count and keys in network byte order';
COMMENT ON TYPE healthscore.exact_set IS
'state of distinct_count() and stickiness(): an exact set of keys (bigint, uuid, text, or (user, day) pairs); small sets sorted, large ones hashed with a per-set key';
COMMENT ON FUNCTION healthscore_internal.auc_state_in(cstring) IS
'input function of auc_state: the binary form in hex (as bytea writes it), validated byte for byte';
COMMENT ON FUNCTION healthscore_internal.auc_state_out(healthscore.auc_state) IS
'output function of auc_state: the binary form in hex';
COMMENT ON FUNCTION healthscore_internal.auc_state_recv(internal) IS
'receive function of auc_state: validates every byte';
COMMENT ON FUNCTION healthscore_internal.auc_state_send(healthscore.auc_state) IS
'send function of auc_state: header, counts and scores in network byte order';
COMMENT ON TYPE healthscore.auc_state IS
'state of auc(): the scores of retained and of churned rows';
COMMENT ON FUNCTION healthscore_internal.logistic_state_in(cstring) IS
'input function of logistic_state: the binary form in hex (as bytea writes it), validated byte for byte';
COMMENT ON FUNCTION healthscore_internal.logistic_state_out(healthscore.logistic_state) IS
'output function of logistic_state: the binary form in hex';
COMMENT ON FUNCTION healthscore_internal.logistic_state_recv(internal) IS
'receive function of logistic_state: validates every byte';
COMMENT ON FUNCTION healthscore_internal.logistic_state_send(healthscore.logistic_state) IS
'send function of logistic_state: header, width, rows in network byte order';
COMMENT ON TYPE healthscore.logistic_state IS
'state of logistic_fit(): every row kept (outcome, then the features)';
COMMENT ON FUNCTION healthscore_internal.exact_set_combine(healthscore.exact_set, healthscore.exact_set) IS
'combine function of distinct_count() and stickiness(): union of two sets';
COMMENT ON FUNCTION healthscore_internal.distinct_count_final(healthscore.exact_set) IS
'final function of distinct_count(): the number of values in the set, 0 for no rows';
COMMENT ON FUNCTION healthscore_internal.distinct_count_int8_accum(healthscore.exact_set, bigint) IS
'transition function of distinct_count(bigint): adds a non-NULL value to the set';
COMMENT ON AGGREGATE healthscore.distinct_count(bigint) IS
'exact number of distinct non-NULL bigint values, like count(DISTINCT value) but hashed and parallel-safe';
COMMENT ON FUNCTION healthscore_internal.distinct_count_text_accum(healthscore.exact_set, text) IS
'transition function of distinct_count(text): adds a non-NULL value to the set';
COMMENT ON AGGREGATE healthscore.distinct_count(text) IS
'exact number of distinct non-NULL text values, like count(DISTINCT value) but hashed and parallel-safe; compares bytes, so a nondeterministic collation is an error';
COMMENT ON FUNCTION healthscore_internal.distinct_count_uuid_accum(healthscore.exact_set, uuid) IS
'transition function of distinct_count(uuid): adds a non-NULL value to the set';
COMMENT ON AGGREGATE healthscore.distinct_count(uuid) IS
'exact number of distinct non-NULL uuid values, like count(DISTINCT value) but hashed and parallel-safe';
COMMENT ON FUNCTION healthscore.distinct_state_count(bytea) IS
'number of values in the binary form of an exact_set (the state of distinct_count() and stickiness(), as exact_set_send writes it), validating every byte as its input and receive functions do';
COMMENT ON FUNCTION healthscore_internal.distinct_set_probes(bytea) IS
'slots looked at beyond the first while rebuilding the binary form of an exact_set as a hash set: about its number of values unless the keys collide (a deterministic test of the keyed hash)';
COMMENT ON FUNCTION healthscore_internal.stickiness_accum(healthscore.exact_set, bigint, timestamptz) IS
'transition function of stickiness(): adds the (user, UTC day) pair of an event';
COMMENT ON FUNCTION healthscore_internal.stickiness_final(healthscore.exact_set) IS
'final function of stickiness(): (user, day) pairs / (days in span * distinct users)';
COMMENT ON AGGREGATE healthscore.stickiness(bigint, timestamptz) IS
'average daily active users / distinct users over the first to last event''s UTC day inclusive, 0 to 1; NULL without events';
COMMENT ON FUNCTION healthscore_internal.retention_accum(numeric[], numeric, numeric) IS
'transition function of net_retention() and gross_retention(): skips accounts outside the starting cohort, counts a NULL end as 0';
COMMENT ON FUNCTION healthscore_internal.retention_combine(numeric[], numeric[]) IS
'combine function of net_retention() and gross_retention(): adds two partial sums';
COMMENT ON FUNCTION healthscore_internal.net_retention_final(numeric[]) IS
'final function of net_retention(): 100 * sum(end) / sum(start), NULL for an empty cohort';
COMMENT ON FUNCTION healthscore_internal.gross_retention_final(numeric[]) IS
'final function of gross_retention(): 100 * sum(least(end, start)) / sum(start), NULL for an empty cohort';
COMMENT ON AGGREGATE healthscore.net_retention(numeric, numeric) IS
'net revenue retention in percent over a cohort: 100 * sum(end) / sum(start); start NULL or not positive: not in the cohort; end NULL: churned (0)';
COMMENT ON AGGREGATE healthscore.gross_retention(numeric, numeric) IS
'gross revenue retention in percent over a cohort: 100 * sum(least(end, start)) / sum(start), never above 100; expansion does not count';
COMMENT ON FUNCTION healthscore.lifetime_value(numeric, float8, float8) IS
'customer lifetime value arpa * gross_margin / churn_rate; NULL when churn_rate is 0; rates must be between 0 and 1';
COMMENT ON FUNCTION healthscore_internal.auc_accum(healthscore.auc_state, float8, boolean) IS
'transition function of auc(): keeps the score in the list of its class';
COMMENT ON FUNCTION healthscore_internal.auc_combine(healthscore.auc_state, healthscore.auc_state) IS
'combine function of auc(): concatenates the score lists';
COMMENT ON FUNCTION healthscore_internal.auc_final(healthscore.auc_state) IS
'final function of auc(): sorts both classes (interruptibly) and counts the pairs exactly';
COMMENT ON AGGREGATE healthscore.auc(float8, boolean) IS
'exact ROC AUC: probability that a retained account (churned = false) scores higher than a churned one, ties counting one half; NULL rows skipped; NULL when a class is empty';
COMMENT ON TYPE healthscore.logistic_fit_result IS
'result of logistic_fit(): coefficients and standard errors (intercept first, then the features in order), log-likelihood, Newton iterations, convergence, rows used';
COMMENT ON FUNCTION healthscore_internal.logistic_accum(healthscore.logistic_state, boolean, float8[]) IS
'transition function of logistic_fit(): keeps the row';
COMMENT ON FUNCTION healthscore_internal.logistic_combine(healthscore.logistic_state, healthscore.logistic_state) IS
'combine function of logistic_fit(): concatenates the rows';
COMMENT ON FUNCTION healthscore_internal.logistic_final(healthscore.logistic_state) IS
'final function of logistic_fit(): Newton iterations to convergence, standard errors from the inverse Hessian';
COMMENT ON AGGREGATE healthscore.logistic_fit(boolean, float8[]) IS
'logistic regression of outcome on features by Newton''s method (as R glm binomial); errors on one-class outcomes, collinear or constant features and perfect separation';
COMMENT ON FUNCTION healthscore_internal.rollup_expression(text, regclass, text, text, text, text, text[], text[], text[]) IS
'analyses a signal''s expression as the model''s author: the bucket calls of the rollup so far (numbers with their combining op, sets) with this expression''s added, the expression over the rolled-up rows r whose column window_flag is true (combined), or why it cannot be rolled up (problem)';
COMMENT ON FUNCTION healthscore_internal.rollup_number(anyelement, text, text) IS
'a day''s count, sum, min or max as the float8 a rollup keeps: integers up to 2^53, reals, booleans, dates and timestamps exactly, anything else an error naming the model and signal';
COMMENT ON FUNCTION healthscore_internal.rollup_restore(float8, anyelement, text, text) IS
'a combined rollup number as a value of the type of type (its value is not read): the type the aggregate call it replaces returns';
COMMENT ON FUNCTION healthscore_internal.rollup_average(float8, float8, anyelement, text, text) IS
'avg() from a rolled-up sum and count, as avg() computes it: float8 or numeric (the type of type), NULL when the count is 0';
COMMENT ON FUNCTION healthscore_internal.exact_set_same(healthscore.exact_set, healthscore.exact_set) IS
'whether two exact sets hold the same keys (their bytes differ: a large set is hashed with a key of its own); sets of two kinds are an error';
COMMENT ON FUNCTION healthscore_internal.exact_sets_same(healthscore.exact_set[], healthscore.exact_set[]) IS
'whether two arrays of exact sets hold the same sets, element by element (a NULL element matches only a NULL one): the sets of two rollup states';
COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(bigint) IS
'the exact set of distinct_count(bigint) without its count: what a rollup keeps per day';
COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(text) IS
'the exact set of distinct_count(text) without its count: what a rollup keeps per day';
COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(uuid) IS
'the exact set of distinct_count(uuid) without its count: what a rollup keeps per day';
COMMENT ON AGGREGATE healthscore_internal.stickiness_state(bigint, timestamptz) IS
'the exact set of (user, day) pairs of stickiness() without its ratio: what a rollup keeps per day';
COMMENT ON AGGREGATE healthscore_internal.nps_state(integer) IS
'the counts of nps() (responses, promoters, detractors) without the score: what a rollup keeps per day';
COMMENT ON AGGREGATE healthscore_internal.exact_set_union(healthscore.exact_set) IS
'the union of exact sets of one kind (days of a rollup into a window); NULL sets are skipped';
COMMENT ON FUNCTION healthscore.churn_probability(float8, float8, float8) IS
'1 / (1 + exp(-(intercept + slope * score / 100))): the churn probability a calibration (healthscore.calibrations) gives a score';
COMMENT ON FUNCTION healthscore_internal.paired_auc_bootstrap(integer[], integer[], float8[], float8[], boolean[], integer, bigint) IS
'{difference, low, high}: mean per-run AUC of score_a minus that of score_b, and its 95% percentile interval from a paired bootstrap of accounts (samples resamples, seeded); NULL without a run holding churned and retained rows';
COMMENT ON FUNCTION healthscore_internal.signal_value(float8, text, text, text) IS
'a signal''s raw value, or an error naming the model and signal when it cannot be scored (NaN; negative for logarithmic; outside 0-100 for points)';
COMMENT ON FUNCTION healthscore_internal.age_days(timestamptz, timestamptz) IS
'a decay signal''s age in days as of as_of; never seen (-infinity) is Infinity days, +infinity is -Infinity';
COMMENT ON FUNCTION healthscore_internal.account_visible(text, text) IS
'whether the current user can see the account in the model''s account relation (privileges and row-level security); the row-level security policy of the score tables';
COMMENT ON FUNCTION healthscore_internal.account_listed(text, text) IS
'whether the account is a row of the model''s account relation that the current user can see: account_visible() for rows not keyed by a model (assessments)';
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
COMMENT ON TABLE healthscore.indicators IS 'risk indicators of a model: flags on a signal''s raw value, raised or cleared at each refresh, kept beside the score (add_indicator)';
COMMENT ON COLUMN healthscore.indicators.model IS 'the model';
COMMENT ON COLUMN healthscore.indicators.name IS 'indicator name, unique within the model';
COMMENT ON COLUMN healthscore.indicators.kind IS 'drop (the raw value fell by more than threshold, a fraction, against the run a period before), above or below (the raw value is above or below threshold), event (the raw value, a count over the signal''s lookback, is above 0), rating_below (an assessment signal''s rating is below threshold)';
COMMENT ON COLUMN healthscore.indicators.signal IS 'the signal whose raw value it reads';
COMMENT ON COLUMN healthscore.indicators.threshold IS 'drop: the fraction, e.g. 0.2 for down more than 20%; above, below: the raw value; rating_below: a rating 1-5; event: NULL';
COMMENT ON COLUMN healthscore.indicators.period IS 'drop: compare with the latest run at or before as_of - period (e.g. 7 days: the week before)';
COMMENT ON COLUMN healthscore.indicators.description IS 'what it means, for the people who act on it';
COMMENT ON COLUMN healthscore.indicators.position IS 'order of definition, for stable output';
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
COMMENT ON TABLE healthscore.success_factors IS 'success factors that people rate per account (assessments)';
COMMENT ON COLUMN healthscore.success_factors.factor IS 'factor name';
COMMENT ON COLUMN healthscore.success_factors.description IS 'what a high rating means';
COMMENT ON COLUMN healthscore.success_factors.shipped IS 'true for the rows the extension ships (not dumped: CREATE EXTENSION makes them)';
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
COMMENT ON TABLE healthscore.overrides IS 'tiers set by people for an account and model, each with a reason and an expiry';
COMMENT ON COLUMN healthscore.overrides.override_id IS 'override identifier';
COMMENT ON COLUMN healthscore.overrides.model IS 'model';
COMMENT ON COLUMN healthscore.overrides.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.overrides.tier IS 'the tier in force while the override is active';
COMMENT ON COLUMN healthscore.overrides.reason IS 'why (mandatory)';
COMMENT ON COLUMN healthscore.overrides.set_by IS 'who set it';
COMMENT ON COLUMN healthscore.overrides.set_at IS 'from when it applies';
COMMENT ON COLUMN healthscore.overrides.expires_at IS 'from when it no longer applies (mandatory: overrides must not go stale)';
COMMENT ON TABLE healthscore.playbooks IS 'actions per model and tier, per failing signal, per raised risk indicator, or per tier and one of those, with the role that acts';
COMMENT ON COLUMN healthscore.playbooks.playbook_id IS 'playbook identifier';
COMMENT ON COLUMN healthscore.playbooks.model IS 'model';
COMMENT ON COLUMN healthscore.playbooks.tier IS 'tier it applies to; NULL: any tier';
COMMENT ON COLUMN healthscore.playbooks.signal IS 'failing signal (the account''s costliest) it applies to; NULL: any signal';
COMMENT ON COLUMN healthscore.playbooks.action IS 'what to do';
COMMENT ON COLUMN healthscore.playbooks.indicator IS 'risk indicator it applies to, while raised for the account (it wins over tier and signal playbooks); NULL: none';
COMMENT ON COLUMN healthscore.playbooks.owner_role IS 'who does it, e.g. CSM, support lead, account executive';
COMMENT ON TABLE healthscore.churn_reasons IS 'churn reason categories and the teams that usually mitigate them';
COMMENT ON COLUMN healthscore.churn_reasons.reason IS 'reason category';
COMMENT ON COLUMN healthscore.churn_reasons.owners IS 'teams that usually mitigate it';
COMMENT ON COLUMN healthscore.churn_reasons.description IS 'what the reason covers';
COMMENT ON COLUMN healthscore.churn_reasons.shipped IS 'true for the rows the extension ships (not dumped: CREATE EXTENSION makes them)';
COMMENT ON TABLE healthscore.trusted_owners IS 'roles whose account relations (views, tables with row-level security) readers may be made to read: their code runs as the reader; superusers only';
COMMENT ON COLUMN healthscore.trusted_owners.owner IS 'role name of the owner of account relations';
COMMENT ON COLUMN healthscore.trusted_owners.note IS 'why it is trusted';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_by IS 'who added it';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_at IS 'when';
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
COMMENT ON TABLE healthscore.rollup_states IS 'per rollup, account and bucket (a day, a week from Monday, 4 weeks), the partial results of the rolled-up signals'' aggregate calls; administrators only';
COMMENT ON COLUMN healthscore.rollup_states.rollup_id IS 'the rollup';
COMMENT ON COLUMN healthscore.rollup_states.days IS 'the bucket''s length: 1, 7 or 28 days';
COMMENT ON COLUMN healthscore.rollup_states.bucket IS 'the midnight in the model''s time zone the bucket starts after: it holds the events after it, up to and including the bucket''s end';
COMMENT ON COLUMN healthscore.rollup_states.account_key IS 'the source''s account key, as text';
COMMENT ON COLUMN healthscore.rollup_states.events IS 'source rows in the bucket';
COMMENT ON COLUMN healthscore.rollup_states.numbers IS 'counts, sums, minima and maxima, in the order of rollups.number_ops';
COMMENT ON COLUMN healthscore.rollup_states.sets IS 'exact sets of distinct_count() and stickiness()';
COMMENT ON FUNCTION healthscore_internal.model_row(text) IS
'the models row of a model, or an error naming the unknown model';
COMMENT ON FUNCTION healthscore_internal.lock_model(text) IS
'the lock a refresh of a model holds until it commits; definition functions take it too';
COMMENT ON FUNCTION healthscore_internal.check_column(text, text, regclass, text) IS
'raises undefined_column naming the function, argument and relation when a column does not exist';
COMMENT ON FUNCTION healthscore_internal.check_name(text, text, text) IS
'raises an error naming the function when a name is empty or longer than 63 bytes';
COMMENT ON FUNCTION healthscore_internal.check_time_zone(text, text, text) IS
'raises an error naming the function and model unless a time zone is a name in pg_timezone_names';
COMMENT ON FUNCTION healthscore_internal.filter_condition(text, text, text) IS
'a segment filter as a SQL condition over the account row (true for NULL; NULL results count as no match), checked to be one expression';
COMMENT ON FUNCTION healthscore_internal.author_role(text[], text, text) IS
'of the roles that wrote a model''s text, the one whose privileges all the others have; an error naming the model when there is none';
COMMENT ON FUNCTION healthscore_internal.model_author(text, text) IS
'the role a model''s scoring query runs as (author_role of the model, its signals and the filters of higher-priority models of its group)';
COMMENT ON FUNCTION healthscore_internal.signal_author(healthscore.signals, text) IS
'the role a signal being defined is compiled as: its stored author when its SQL text is unchanged, else the caller (with the model''s author)';
COMMENT ON FUNCTION healthscore_internal.attempt_lock(bigint) IS
'the two keys of the advisory lock run() holds on an attempt while it runs';
COMMENT ON FUNCTION healthscore_internal.attempt_status(text, bigint, integer) IS
'an attempt''s status as it stands: running only while its backend still holds the attempt''s lock, else failed';
COMMENT ON FUNCTION healthscore_internal.attempt_error(text, bigint, integer) IS
'the error of a failed attempt: message, detail, hint and SQLSTATE for those who may read attempts.error_message, else only the SQLSTATE';
COMMENT ON FUNCTION healthscore_internal.equality(regtype, regtype) IS
'the = operator between two types as OPERATOR(schema.=), for joins in generated SQL (pg_catalog''s when no exact one exists)';
COMMENT ON FUNCTION healthscore_internal.column_type(regclass, text) IS
'the type of a column of a relation';
COMMENT ON FUNCTION healthscore_internal.check_account_key(text, text) IS
'raises an error naming the function when an account key is empty or longer than 1,000 bytes';
COMMENT ON FUNCTION healthscore_internal.tier_rank(healthscore.models, text) IS
'position of a tier among a model''s tier labels (1 = worst), or an error naming the valid tiers';
COMMENT ON FUNCTION healthscore_internal.overdue(interval, timestamptz) IS
'true when a model expected every expected_every has no run that recent, plus a grace of the period (at most an hour)';
COMMENT ON FUNCTION healthscore_internal.signal_groups(text) IS
'a model''s signals'' categories and, when the model has group weights, the weight of each signal''s group, in signal order (what runs.categories and runs.group_weights keep)';
COMMENT ON FUNCTION healthscore_internal.full_group_weights(text, float8[]) IS
'the signals'' effective weights when every signal is present (group weight x weight / summed weight of its group), or the weights themselves for a model without group weights';
COMMENT ON FUNCTION healthscore_internal.author_after_write(boolean, boolean, text, text) IS
'the author to record after a write: the writer when it writes SQL text; a role may name itself, a superuser anyone; otherwise unchanged';
COMMENT ON FUNCTION healthscore_internal.record_model_author() IS
'trigger: checks a model''s segment filter and time zone on every write and records who wrote its SQL text';
COMMENT ON FUNCTION healthscore_internal.record_signal_author() IS
'trigger: checks a signal''s expression on every write and records who wrote its SQL text';
COMMENT ON FUNCTION healthscore_internal.cascade_model_deletes() IS
'trigger: removes the signals, runs, attempts, overrides, playbooks, indicators, calibrations and rollups of deleted models';
COMMENT ON FUNCTION healthscore_internal.forbid_model_rename() IS
'trigger: rejects renaming a model, whose signals and history refer to it by name';
COMMENT ON FUNCTION healthscore_internal.cascade_run_deletes() IS
'trigger: removes the scores of deleted runs';
COMMENT ON FUNCTION healthscore_internal.score_as_author(text, timestamptz) IS
'runs a model''s scoring query (refresh_sql) as its author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_refresh_scored; returns its rows';
COMMENT ON FUNCTION healthscore_internal.source_freshness(text, timestamptz, boolean) IS
'per signal with a time column (with a max_age unless every_signal): its source''s newest row at the as-of time, and whether its window has rows, read as the model''s author';
COMMENT ON FUNCTION healthscore_internal.rollup_as_author(integer, timestamptz, timestamptz) IS
'runs the query of a rollup''s day states from since to until (rollup_bucket_query) as the model''s author, in a security-restricted operation, into a new temporary table pg_temp.healthscore_rollup_rolled; returns its rows';
COMMENT ON FUNCTION healthscore_internal.outcomes_as_author(text) IS
'the earliest churn time (as text) of each account in a model''s outcome relation, read as the model''s author, of the accounts the caller may see';
COMMENT ON FUNCTION healthscore_internal.accounts_as_author(text) IS
'the keys of a model group''s account relation, read as the group''s author, that the caller may see';
COMMENT ON FUNCTION healthscore_internal.explain_as_author(healthscore.signals, text) IS
'EXPLAIN (FORMAT JSON) of the grouped query of a signal being defined, and the type its expression yields, run as the signal''s author (signal_author), in a security-restricted operation';
COMMENT ON FUNCTION healthscore.explain_refresh(text, timestamptz, boolean) IS
'the plan of a model''s scoring query, EXPLAINed as the model''s author (running refresh_sql()''s text yourself runs the authors'' SQL with your privileges); verbose: EXPLAIN VERBOSE, with the remote SQL of foreign scans';
COMMENT ON FUNCTION healthscore_internal.signal_cast(healthscore.signals, boolean) IS
'the cast of a signal''s grouped value in the refresh''s queries: ::float8, ::timestamptz for decay, none when not typed or for per_account';
COMMENT ON FUNCTION healthscore_internal.source_query(healthscore.models, text, text, text, interval, healthscore.signals[], timestamptz, boolean) IS
'the grouped query computing the given signals of one source relation and time window (used by refresh_sql); typed: values cast to float8 (timestamptz for decay)';
COMMENT ON FUNCTION healthscore_internal.signal_query(healthscore.signals, boolean) IS
'the grouped query that computes one signal as a refresh would, as of a fixed time: what defining a signal compiles; typed: cast as the refresh casts it';
COMMENT ON FUNCTION healthscore_internal.segment_condition(healthscore.models) IS
'the SQL condition over the account row selecting the accounts a model scores: its filter, and no filter of a higher-priority model of its group';
COMMENT ON FUNCTION healthscore_internal.aggregated_here(healthscore.signals, text) IS
'true when a signal''s source has foreign tables and its grouped query, planned as its author, aggregates on this server instead of on the foreign server';
COMMENT ON FUNCTION healthscore_internal.bucket_sql(text, integer, time_zone text) IS
'SQL text computing the midnight in time_zone at or before the timestamptz expression at, of buckets of days days (1, 7, 28): 7 and 28 days from Mondays counted from 2000-01-03';
COMMENT ON FUNCTION healthscore_internal.bucket_start(timestamptz, integer, text) IS
'the start of the bucket of days days (1, 7, 28) that at falls in, in time_zone (bucket_sql computed); infinite times are returned as they are';
COMMENT ON FUNCTION healthscore_internal.bucket_after(timestamptz, integer, text) IS
'the start of the bucket after the one starting at bucket: days later in time_zone''s calendar';
COMMENT ON FUNCTION healthscore_internal.rollup_plan(text, text) IS
'which signals of a model over a source a rollup holds: its key and time column, the bucket calls (numbers with their combining ops, sets), each rolled signal''s expression over the rolled rows and its window (an index into windows, the distinct lookbacks), the skipped signals with the reason, and the fingerprint of the states (definition)';
COMMENT ON FUNCTION healthscore_internal.rollup_slots_read(text[], text) IS
'the slots of a rollup''s numbers or sets (kind) that the given combined expressions read';
COMMENT ON FUNCTION healthscore_internal.rollup_call_list(text[], integer[], text, text) IS
'a rollup''s bucket calls as ARRAY elements, each checked to be one expression, NULL where its slot is not read (read NULL: all are)';
COMMENT ON FUNCTION healthscore_internal.rollup_bucket_query(integer, timestamptz, timestamptz) IS
'the query of a rollup''s day states from since to until: per day (named by the midnight in the model''s time zone it starts after) and account key, the source rows and every bucket call of the rolled signals';
COMMENT ON FUNCTION healthscore_internal.rollup_spans(timestamptz, timestamptz, text, integer) IS
'the range [lo, hi) of whole days as ranges of buckets of 28, 7 and 1 days (largest first inside, smaller at the ends), for reading the fewest rollup states';
COMMENT ON FUNCTION healthscore_internal.rolled_query(healthscore.models, healthscore.rollups, text, text, text[], text[], interval[], healthscore.signals[], text[], integer[], timestamptz) IS
'the grouped query of a rollup''s signals over all their windows (as source_query, keyed by text): rollup states of the whole rolled-up days inside each window and the same calls over its other events, each row flagged with the windows it belongs to, combined per account and window';
COMMENT ON FUNCTION healthscore.refresh_sql(text, timestamptz) IS
'the scoring query a refresh runs for a model: one row per account with its attributes, and its signals'' raw values and points as arrays in signal order; for EXPLAIN and for checking a model by hand';
COMMENT ON FUNCTION healthscore.fingerprint(text) IS
'md5 of everything in a model that changes its scores (not descriptions or actions)';
COMMENT ON FUNCTION healthscore_internal.outcomes_query(text) IS
'the query reading a model''s outcome relation (account key, earliest churn as text), and the author it runs as';
COMMENT ON FUNCTION healthscore_internal.accounts_query(text) IS
'the query reading the keys of a model group''s account relation, and the author it runs as';
COMMENT ON FUNCTION healthscore_internal.freshness_query(text, timestamptz, boolean) IS
'the query reading the newest row at the as-of time and whether the window has rows, per signal of a model with a time column (with a max_age unless every_signal), and the author it runs as';
COMMENT ON FUNCTION healthscore_internal.model_errors(text, text) IS
'what would make a model''s refresh fail, from the catalog: an unknown author, relations and columns dropped or renamed, privileges the author lacks; one row per problem';
COMMENT ON FUNCTION healthscore_internal.raise_model_errors(text, text) IS
'raises the first problem model_errors() finds, as refresh() does before it runs anything';
COMMENT ON FUNCTION healthscore_internal.check_points_setting(text, text, text, float8, boolean, text) IS
'raises an error naming the function, model and setting when a setting in points is NULL or outside 0..100';
COMMENT ON FUNCTION healthscore_internal.check_interval_setting(text, text, text, interval, text) IS
'raises an error naming the function, model and setting when a length-of-time setting is NULL or not positive';
COMMENT ON FUNCTION healthscore_internal.check_model_settings(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, text) IS
'raises an error naming the function and model when a model setting is not valid: tiers, trend threshold and window, hysteresis, drop settings, time zone';
COMMENT ON FUNCTION healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean, text, interval, float8) IS
'defines a health model over an account relation (every row, or in a group the rows its segment_filter wins); checks every column and the filter at once; the caller becomes the author of its SQL text';
COMMENT ON FUNCTION healthscore.alter_model(text, text, float8[], text[], text[], float8, interval, float8, float8, interval, boolean, text) IS
'changes a model''s settings (tiers and their actions, trend threshold and window, tier hysteresis, drop settings, lower-only overrides, time zone): arguments left NULL stay as they are; checked as create_model() checks them';
COMMENT ON FUNCTION healthscore_internal.check_signal(healthscore.signals, text) IS
'validates a signal definition and compiles its expression as the refresh will run it; errors name the problem';
COMMENT ON FUNCTION healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text, interval, text) IS
'adds a signal to a model: an aggregate expression over a source relation, its scoring method and weight; validated and compiled at once; the caller becomes the author of its SQL text; max_age: how old the source''s newest row may be before the signal is stale; per_account: an expression over value and account.<column> applied after grouping';
COMMENT ON FUNCTION healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text, interval, text[], text) IS
'changes a signal: arguments left NULL stay as they are, clear lists settings to unset (max_age, lookback, description, action, per_account); a new scoring method drops the old one''s parameters; validated like add_signal()';
COMMENT ON FUNCTION healthscore.set_weight(text, text, float8) IS
'changes the weight of one signal (shorthand for alter_signal(model, signal, weight => ...))';
COMMENT ON FUNCTION healthscore.set_group_weight(text, text, float8) IS
'sets the weight of a signal group (the signals of one category; NULL removes it): once a model has a group weight, its score is the weighted mean of its group scores, a missing signal''s weight is re-spread within its group first, and a group with no present signal drops out; a category without a weight weighs the sum of its signals'' weights';
COMMENT ON FUNCTION healthscore.drop_signal(text, text) IS
'removes a signal from a model; past runs keep their components';
COMMENT ON FUNCTION healthscore.adopt_model(text) IS
'makes the caller the author of a model''s SQL text and of all its signals'' (they then run with the caller''s privileges); for models from before 0.2.0 and models written by several roles';
COMMENT ON FUNCTION healthscore.assess(text, text, integer, float8, text, interval, timestamptz) IS
'records a person''s rating of a success factor for an account: rating 1-5 (0, 25, 50, 75, 100 points) or points 0-100, valid for a while (default 90 days)';
COMMENT ON FUNCTION healthscore.set_override(text, text, text, text, timestamptz, timestamptz) IS
'sets an account''s tier for a model until expires_at, with a mandatory reason; refreshes while it is active use it and keep the computed tier beside it';
COMMENT ON FUNCTION healthscore.clear_override(text, text, timestamptz) IS
'ends an account''s active overrides of a model now (they stay in history); returns how many';
COMMENT ON FUNCTION healthscore.add_playbook(text, text, text, text, text, text) IS
'sets the action (and owner role) for a model''s tier, failing signal, or both, or for a raised risk indicator (in a tier or any); risk_list shows the most specific one, a raised indicator''s first';
COMMENT ON FUNCTION healthscore.add_indicator(text, text, text, text, float8, interval, text) IS
'defines (or redefines) a risk indicator: a named flag on a signal''s raw value, raised or cleared at each refresh and kept beside the score: drop (fell by more than threshold, a fraction, against the latest run at or before as_of - period), above or below threshold, event (a count above 0), rating_below (an assessment below threshold)';
COMMENT ON FUNCTION healthscore.drop_indicator(text, text) IS
'removes a risk indicator; the runs that raised it keep it';
COMMENT ON FUNCTION healthscore_internal.indicator_number(float8) IS
'a number as indicator reasons print it: rounded to 2 decimals, trailing zeros cut';
COMMENT ON FUNCTION healthscore_internal.evaluate_indicators(text, bigint, text[], bigint, timestamptz) IS
'refresh(): the model''s risk indicators each account raises at the run, since when (the run before''s start of the streak, else as_of) and why, into the temporary table pg_temp.healthscore_refresh_indicators';
COMMENT ON FUNCTION healthscore_internal.indicator_playbook(text, text, bigint, text) IS
'risk_list: {action, owner role} of the playbook for the first raised indicator of an account''s score row that has one (the tier''s before any tier''s); NULL without one';
COMMENT ON FUNCTION healthscore_internal.roll_up(integer, timestamptz, timestamptz, timestamptz, timestamptz) IS
'rolls up the days from since to until again from the source (as the model''s author), then the weeks and 4-week spans of the days that changed or that became whole between previously_until and rolled_until; returns the day states written';
COMMENT ON FUNCTION healthscore_internal.build_rollup(integer, timestamptz) IS
'builds a rollup''s states from its whole source up to until, records what they hold, and uses them only when they hold at least min_events_per_row events per day state (measured first over the 28 days up to the source''s newest row)';
COMMENT ON FUNCTION healthscore_internal.maintain_rollups(text, timestamptz) IS
'before a refresh: builds again the rollups of a model whose signals changed, and rolls up the new days of the others and again those within their late_window (once per transaction, never beyond today)';
COMMENT ON FUNCTION healthscore_internal.rollup_row(text, text, regclass) IS
'the rollup of a model''s source, or an error naming the function, model and source';
COMMENT ON FUNCTION healthscore.enable_rollup(text, regclass, interval, interval, float8) IS
'keeps per account and day the partial results of a model''s signals over a source (built now from the whole source), so that refreshes combine days instead of scanning events; returns the signals it holds and skips (with why), its day states and events, and whether refreshes use it (events per day state >= min_events_per_row); enabling again re-measures';
COMMENT ON FUNCTION healthscore.disable_rollup(text, regclass) IS
'drops the rollup of a model''s source and its states; refreshes read the source''s events again';
COMMENT ON FUNCTION healthscore.refresh_rollup(text, regclass, timestamptz, timestamptz) IS
'rolls up again the days from since to until of a model''s source (after rows older than its late_window were inserted, updated or deleted there); returns the day states written';
COMMENT ON FUNCTION healthscore.refresh(text, timestamptz) IS
'scores every account of a model as of a time (default now) and writes the run and its scores (with raw values and points per signal) in one transaction; returns the run id';
COMMENT ON FUNCTION healthscore.backfill(text, timestamptz, timestamptz, interval) IS
'refreshes a model as of each time from since to until by step (lookback windows end at each time), so history exists from day one; returns the run ids';
COMMENT ON FUNCTION healthscore.refresh_group(text, timestamptz) IS
'refreshes every model of a group as of one time, in one transaction (each account scored by the model its segment belongs to); returns the run ids';
COMMENT ON FUNCTION healthscore_internal.run_members(text, text) IS
'the models a name given to run() or schedule() stands for: the model of that name, or the models of that group by priority; an error naming the function otherwise';
COMMENT ON FUNCTION healthscore_internal.cron_installed() IS
'whether the extension pg_cron is installed in this database with its schema cron (not a schema of that name someone made)';
COMMENT ON FUNCTION healthscore_internal.cron_loaded() IS
'whether pg_cron''s library is loaded in this server (shared_preload_libraries)';
COMMENT ON FUNCTION healthscore_internal.cron_job_name(text) IS
'the pg_cron job name under which schedule() registers the runs of a model or a model group';
COMMENT ON FUNCTION healthscore_internal.cron_interval(text) IS
'the period of a cron schedule of a common form (every minute or n minutes, hourly, every n hours, daily, weekly on one day, monthly on one day, @hourly ... @yearly); NULL for others';
COMMENT ON FUNCTION healthscore_internal.check_cron(text, text, text) IS
'raises an error when a job scheduled here could not run (pg_cron not loaded, another cron.database_name, not installed, a role that cannot log in, no USAGE on schema cron), a warning when its connection would probably fail; pg_cron''s settings are checked when the caller may read them';
COMMENT ON FUNCTION healthscore.set_expected_every(text, interval) IS
'sets how often a model, or every model of a group, is expected to be refreshed (NULL: no expectation); schedule() sets it for common cron forms; returns the models';
COMMENT ON FUNCTION healthscore.schedule(text, text) IS
'registers the runs of a model or model group with pg_cron (e.g. ''0 3 * * *'' for 03:00 daily) as CALL healthscore.run(name), and sets how often they are expected; returns the job id';
COMMENT ON FUNCTION healthscore.unschedule(text, boolean) IS
'removes the caller''s pg_cron job running a model or group, and its expected_every; with if_exists, no error when there is none';
COMMENT ON FUNCTION healthscore.drop_model(text) IS
'removes a model with its signals, its history and its pg_cron schedule';
COMMENT ON FUNCTION healthscore_internal.begin_attempts(text, timestamptz) IS
'run(), first step: a running attempt per model the name stands for, with the lock that marks it running; returns their ids';
COMMENT ON FUNCTION healthscore_internal.refresh_attempts(bigint[]) IS
'run(), second step: refreshes the attempts'' models in order, in one transaction, and marks them succeeded';
COMMENT ON FUNCTION healthscore_internal.fail_attempts(bigint[], text, text, text, text, text) IS
'run(), after a failed refresh: marks the attempts failed with the error and notifies listeners (model, status, attempt, as-of time)';
COMMENT ON FUNCTION healthscore_internal.end_attempts(bigint[]) IS
'run(), last step: releases the locks that marked the attempts running (after their outcome is committed)';
COMMENT ON FUNCTION healthscore_internal.raise_failure(text, text, text, text) IS
'raises an error again from its parts (run() re-raises a refresh''s error after committing the failed attempt)';
COMMENT ON PROCEDURE healthscore.run(text, timestamptz) IS
'refreshes a model or a model group (as of now, or as_of) recording the attempt: running, then succeeded or failed with the error, which stays in model_runs and model_status; raises the error again; call outside a transaction block (CALL healthscore.run(''m''))';
COMMENT ON FUNCTION healthscore.set_parent(text, text, text) IS
'names the account relation''s column holding each account''s parent account, for a model or every model of a group (NULL removes it), and how parents roll up: value_weighted (by ARR) or minimum; the next refresh records each account''s parent; returns the models';
COMMENT ON FUNCTION healthscore_internal.hierarchy_links() IS
'the parent links of every hierarchy''s current runs that the caller may see, with their problem (NULL, missing parent, cycle)';
COMMENT ON VIEW healthscore.components IS 'one row per run, account and signal: how the score came about (unfolded from scores.raw_values and scores.points)';
COMMENT ON COLUMN healthscore.components.run_id IS 'the run';
COMMENT ON COLUMN healthscore.components.model IS 'the model';
COMMENT ON COLUMN healthscore.components.account_key IS 'the account key as text';
COMMENT ON COLUMN healthscore.components.signal IS 'the signal';
COMMENT ON COLUMN healthscore.components.raw_value IS 'the signal''s raw value (for decay signals: age in days); NULL when missing';
COMMENT ON COLUMN healthscore.components.points IS 'points 0-100 after the missing-data policy; NULL when skipped';
COMMENT ON COLUMN healthscore.components.weight IS 'the signal''s weight';
COMMENT ON COLUMN healthscore.components.weight_share IS 'the signal''s share of the account''s score: weight / sum of the weights of the account''s present signals (0 when skipped); with group weights, group weight share x share within the group''s present signals';
COMMENT ON COLUMN healthscore.components.contribution IS 'points * weight_share: the components of an account add up to its score';
COMMENT ON COLUMN healthscore.components.points_lost IS '(100 - points) * weight_share: what the signal cost the account';
COMMENT ON COLUMN healthscore.components.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.components.stale IS 'true when the signal''s source was stale at the run (its newest row older than max_age): it counted as missing';
COMMENT ON VIEW healthscore.model_runs IS 'every run of every model, with its recency (1 = current run, 2 = the one before, ...), and the attempts of healthscore.run() that are running or failed';
COMMENT ON COLUMN healthscore.model_runs.model IS 'model';
COMMENT ON COLUMN healthscore.model_runs.run_id IS 'run identifier';
COMMENT ON COLUMN healthscore.model_runs.as_of IS 'the time the run describes';
COMMENT ON COLUMN healthscore.model_runs.started_at IS 'when the run started';
COMMENT ON COLUMN healthscore.model_runs.finished_at IS 'when the run finished';
COMMENT ON COLUMN healthscore.model_runs.accounts IS 'accounts the run scored that the reader may see (row-level security of the account relation)';
COMMENT ON COLUMN healthscore.model_runs.accounts_scored IS 'of them, accounts with a score';
COMMENT ON COLUMN healthscore.model_runs.fingerprint IS 'md5 of the model definition the run used';
COMMENT ON COLUMN healthscore.model_runs.recency IS '1 for the latest as-of time, 2 for the one before, ...; NULL for attempts that wrote no run';
COMMENT ON COLUMN healthscore.model_runs.status IS 'succeeded (a run), running, or failed (an attempt of healthscore.run(); a running one whose session ended reads as failed)';
COMMENT ON COLUMN healthscore.model_runs.error IS 'why an attempt failed: the error''s message, detail, hint and SQLSTATE for administrators, only the SQLSTATE for readers';
COMMENT ON COLUMN healthscore.model_runs.attempt_id IS 'the attempt of healthscore.run(), NULL for a run written by a plain refresh()';
COMMENT ON COLUMN healthscore.model_runs.probability_horizon IS 'the horizon of the churn probabilities the run wrote; NULL when it wrote none';
COMMENT ON COLUMN healthscore.model_runs.probability_min_score IS 'the lowest score its calibration was fitted on';
COMMENT ON COLUMN healthscore.model_runs.probability_max_score IS 'the highest score its calibration was fitted on';
COMMENT ON COLUMN healthscore.model_runs.probability_note IS 'why the run wrote no churn probabilities (not calibrated, or changed since)';
COMMENT ON COLUMN healthscore.model_runs.stale_signals IS 'how many signals of the run were stale (their source''s newest row older than max_age)';
COMMENT ON VIEW healthscore.current_scores IS 'the latest score of every account of every model, with the change since the run before and a sparkline of the last 12 runs';
COMMENT ON COLUMN healthscore.current_scores.model IS 'model that scored the account';
COMMENT ON COLUMN healthscore.current_scores.model_group IS 'group of the model (its segment wins this account), NULL for a model on its own';
COMMENT ON COLUMN healthscore.current_scores.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.current_scores.score IS 'health score 0-100 (NULL when every signal was missing)';
COMMENT ON COLUMN healthscore.current_scores.tier IS 'tier in force: an active override''s tier, else the computed tier';
COMMENT ON COLUMN healthscore.current_scores.computed_tier IS 'tier computed from the score (unknown when the score is NULL)';
COMMENT ON COLUMN healthscore.current_scores.overridden IS 'true when an override set the tier';
COMMENT ON COLUMN healthscore.current_scores.override_reason IS 'why the tier was overridden';
COMMENT ON COLUMN healthscore.current_scores.override_by IS 'who overrode it';
COMMENT ON COLUMN healthscore.current_scores.override_expires_at IS 'when the override expires';
COMMENT ON COLUMN healthscore.current_scores.previous_score IS 'score in the run before (by as-of time, as it was when this run was written)';
COMMENT ON COLUMN healthscore.current_scores.change IS 'score - previous_score';
COMMENT ON COLUMN healthscore.current_scores.trend IS 'up, down or flat over the model''s trend_window: up or down once window_change reaches trend_threshold; new without a run at or before the window''s start';
COMMENT ON COLUMN healthscore.current_scores.segment IS 'account segment';
COMMENT ON COLUMN healthscore.current_scores.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.current_scores.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.current_scores.renewal_date IS 'renewal date';
COMMENT ON COLUMN healthscore.current_scores.days_to_renewal IS 'days from the run''s as-of date (in the model''s time zone) to the renewal date';
COMMENT ON COLUMN healthscore.current_scores.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.current_scores.sparkline IS 'the last 12 scores, oldest first, as of when the run was written: bars U+2581 (0) to U+2588 (100) for UTF-8 clients, else as sparkline_ascii';
COMMENT ON COLUMN healthscore.current_scores.reasons IS 'the three signals that cost the most points: signal raw value (-points lost)';
COMMENT ON COLUMN healthscore.current_scores.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.current_scores.run_id IS 'the run the score comes from';
COMMENT ON COLUMN healthscore.current_scores.stale IS 'true when the model is overdue: no run within its expected_every (plus a grace), so these scores are older than they should be';
COMMENT ON COLUMN healthscore.current_scores.stale_signals IS 'how many of the account''s signals were stale at the run (their source''s newest row older than max_age) and counted as missing';
COMMENT ON COLUMN healthscore.current_scores.window_start_score IS 'the score at the start of the trend window: in the model''s latest run at or before scored_at - trend_window';
COMMENT ON COLUMN healthscore.current_scores.window_change IS 'score - window_start_score: the change the trend reads';
COMMENT ON COLUMN healthscore.current_scores.tier_rank IS 'the tier''s place, 1 = worst: sort by it, not by the label (NULL for unknown)';
COMMENT ON COLUMN healthscore.current_scores.tier_without_hysteresis IS 'the tier by the cutoffs alone; computed_tier keeps the tier of the run before until a cutoff is passed by more than the model''s tier_hysteresis';
COMMENT ON COLUMN healthscore.current_scores.why_changed IS 'the signals that moved the score most since the run before: "signal before -> now (+-points)"';
COMMENT ON COLUMN healthscore.current_scores.weakest_group IS 'the category (signal group) with the lowest group score, the weighted mean of its present signals'' points (group_scores lists them all)';
COMMENT ON COLUMN healthscore.current_scores.parent_key IS 'the account''s parent account (the model''s parent column, see set_parent); parent_scores rolls children up';
COMMENT ON COLUMN healthscore.current_scores.active_indicators IS 'how many of the model''s risk indicators are raised for the account (risk_indicators lists them)';
COMMENT ON COLUMN healthscore.current_scores.indicators IS 'the raised risk indicators'' names, separated by "; " (NULL: none)';
COMMENT ON COLUMN healthscore.current_scores.churn_probability IS 'probability that the account churns within probability_horizon, from the model''s calibration of churn on the score (calibrate()); NULL when the run had no current calibration';
COMMENT ON COLUMN healthscore.current_scores.probability_horizon IS 'the horizon of churn_probability';
COMMENT ON COLUMN healthscore.current_scores.probability_note IS 'why churn_probability is NULL (not calibrated, or the model changed since), or that it is extrapolated beyond the scores fitted on; NULL: fitted';
COMMENT ON COLUMN healthscore.current_scores.expected_loss IS 'churn_probability * value: the value expected to be lost within the horizon';
COMMENT ON COLUMN healthscore.current_scores.sparkline_ascii IS 'the sparkline in ASCII for any client: _ . : - = + * # from low to high, a space for no score';
COMMENT ON VIEW healthscore.score_components IS 'the latest run''s components: one row per account and signal, the costliest signals first';
COMMENT ON COLUMN healthscore.score_components.model IS 'model';
COMMENT ON COLUMN healthscore.score_components.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_components.signal IS 'signal';
COMMENT ON COLUMN healthscore.score_components.category IS 'signal category';
COMMENT ON COLUMN healthscore.score_components.raw_value IS 'raw value (decay signals: age in days); NULL when missing';
COMMENT ON COLUMN healthscore.score_components.points IS 'points 0-100 after the missing-data policy; NULL when skipped';
COMMENT ON COLUMN healthscore.score_components.weight IS 'signal weight';
COMMENT ON COLUMN healthscore.score_components.weight_share IS 'share of the account''s present weight';
COMMENT ON COLUMN healthscore.score_components.contribution IS 'points * weight_share; an account''s contributions add up to its score';
COMMENT ON COLUMN healthscore.score_components.points_lost IS '(100 - points) * weight_share: what the signal cost the score';
COMMENT ON COLUMN healthscore.score_components.action IS 'the signal''s playbook action';
COMMENT ON COLUMN healthscore.score_components.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.score_components.run_id IS 'the run';
COMMENT ON COLUMN healthscore.score_components.stale IS 'true when the signal''s source was stale at the run (newest row older than its max_age): the signal counted as missing';
COMMENT ON VIEW healthscore.group_scores IS 'the current run''s group scores: one row per account and signal group (category); the contributions of an account add up to its score';
COMMENT ON COLUMN healthscore.group_scores.model IS 'model';
COMMENT ON COLUMN healthscore.group_scores.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.group_scores.category IS 'the group: the signals of this category';
COMMENT ON COLUMN healthscore.group_scores.group_score IS 'weighted mean of the points of the group''s present signals (by the signals'' weights); NULL when none is present';
COMMENT ON COLUMN healthscore.group_scores.group_weight IS 'the group''s weight: set by set_group_weight, else the summed weights of its signals';
COMMENT ON COLUMN healthscore.group_scores.weight_share IS 'the group''s share of the account''s score: 0 when none of its signals is present (its weight went to the other groups)';
COMMENT ON COLUMN healthscore.group_scores.contribution IS 'group_score * weight_share: an account''s contributions add up to its score';
COMMENT ON COLUMN healthscore.group_scores.signals IS 'signals in the group';
COMMENT ON COLUMN healthscore.group_scores.present_signals IS 'of them, signals with points for this account';
COMMENT ON COLUMN healthscore.group_scores.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.group_scores.run_id IS 'the run';
COMMENT ON VIEW healthscore.risk_indicators IS 'the risk indicators raised in every model''s current run: one row per account and raised indicator, since when and why';
COMMENT ON COLUMN healthscore.risk_indicators.model IS 'model';
COMMENT ON COLUMN healthscore.risk_indicators.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.risk_indicators.indicator IS 'indicator name';
COMMENT ON COLUMN healthscore.risk_indicators.kind IS 'drop, above, below, event or rating_below (NULL when the indicator was dropped since)';
COMMENT ON COLUMN healthscore.risk_indicators.signal IS 'the signal it reads';
COMMENT ON COLUMN healthscore.risk_indicators.since IS 'as-of time of the first run of the streak in which it has been raised in every run';
COMMENT ON COLUMN healthscore.risk_indicators.newly_raised IS 'true when the current run raised it (it was not raised in the run before)';
COMMENT ON COLUMN healthscore.risk_indicators.reason IS 'why: the raw values it compared, e.g. "logins_7d 40 -> 12 (-70%)"';
COMMENT ON COLUMN healthscore.risk_indicators.description IS 'what the indicator means';
COMMENT ON COLUMN healthscore.risk_indicators.score IS 'the account''s score (indicators are beside it, not in it)';
COMMENT ON COLUMN healthscore.risk_indicators.tier IS 'tier in force';
COMMENT ON COLUMN healthscore.risk_indicators.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.risk_indicators.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.risk_indicators.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.risk_indicators.run_id IS 'the run';
COMMENT ON VIEW healthscore.parent_scores IS 'per hierarchy (model group, or model on its own) and parent account: the rollup of its children''s current scores, over the children the reader may see; links to a parent that is no account, or on a cycle, are skipped (check_model reports them)';
COMMENT ON COLUMN healthscore.parent_scores.hierarchy IS 'the model group, or the model on its own, whose accounts these are';
COMMENT ON COLUMN healthscore.parent_scores.parent_key IS 'the parent account key';
COMMENT ON COLUMN healthscore.parent_scores.rollup IS 'value_weighted or minimum (set_parent)';
COMMENT ON COLUMN healthscore.parent_scores.score IS 'value_weighted: the children''s scores weighted by their value (ARR; a plain mean when no child has a positive value); minimum: the weakest child''s score';
COMMENT ON COLUMN healthscore.parent_scores.tier IS 'tier of the rollup score, by the models'' cutoffs';
COMMENT ON COLUMN healthscore.parent_scores.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON COLUMN healthscore.parent_scores.children IS 'children the reader may see';
COMMENT ON COLUMN healthscore.parent_scores.children_scored IS 'of them, children with a score';
COMMENT ON COLUMN healthscore.parent_scores.total_value IS 'the children''s summed value (ARR)';
COMMENT ON COLUMN healthscore.parent_scores.weakest_child IS 'the child with the lowest score';
COMMENT ON COLUMN healthscore.parent_scores.weakest_child_score IS 'its score';
COMMENT ON VIEW healthscore.risk_list IS 'accounts below the top tier, most value at risk first, with the three signals that cost the most points and the action to take';
COMMENT ON COLUMN healthscore.risk_list.model IS 'model';
COMMENT ON COLUMN healthscore.risk_list.parent_key IS 'the account''s parent account, NULL without one';
COMMENT ON COLUMN healthscore.risk_list.churn_probability IS 'probability of churn within probability_horizon, from the model''s calibration (calibrate()); NULL without a current calibration';
COMMENT ON COLUMN healthscore.risk_list.probability_horizon IS 'the horizon of churn_probability';
COMMENT ON COLUMN healthscore.risk_list.probability_note IS 'why churn_probability is NULL, or that it is extrapolated; NULL: fitted';
COMMENT ON COLUMN healthscore.risk_list.expected_loss IS 'churn_probability * value: value expected to be lost within the horizon (value_at_risk instead weighs value by the points the score lacks, with no calibration)';
COMMENT ON COLUMN healthscore.risk_list.active_indicators IS 'how many risk indicators are raised for the account';
COMMENT ON COLUMN healthscore.risk_list.indicators IS 'the raised risk indicators'' names, separated by "; "';
COMMENT ON COLUMN healthscore.risk_list.priority IS '1 = act first: most value at risk (value x points missing), then lowest score';
COMMENT ON COLUMN healthscore.risk_list.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.risk_list.score IS 'health score 0-100';
COMMENT ON COLUMN healthscore.risk_list.tier IS 'tier label';
COMMENT ON COLUMN healthscore.risk_list.trend IS 'up, down or flat over the model''s trend window (new: no run that long ago)';
COMMENT ON COLUMN healthscore.risk_list.change IS 'score change since the run before';
COMMENT ON COLUMN healthscore.risk_list.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.risk_list.value_at_risk IS 'value x (100 - score) / 100';
COMMENT ON COLUMN healthscore.risk_list.reasons IS 'the three signals that cost the most points: signal raw value (-points lost); no data when the source had no rows';
COMMENT ON COLUMN healthscore.risk_list.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.risk_list.action IS 'the most specific playbook action: for this tier and worst signal, for the worst signal, the signal''s own action, for the tier, the model''s tier action';
COMMENT ON COLUMN healthscore.risk_list.action_owner IS 'the role that acts, from the playbook';
COMMENT ON COLUMN healthscore.risk_list.overridden IS 'true when an override set the tier';
COMMENT ON COLUMN healthscore.risk_list.computed_tier IS 'tier computed from the score';
COMMENT ON COLUMN healthscore.risk_list.override_reason IS 'why the tier was overridden';
COMMENT ON COLUMN healthscore.risk_list.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.risk_list.days_to_renewal IS 'days to the renewal date';
COMMENT ON COLUMN healthscore.risk_list.renewal_date IS 'renewal date';
COMMENT ON COLUMN healthscore.risk_list.segment IS 'account segment';
COMMENT ON COLUMN healthscore.risk_list.sparkline IS 'the last 12 scores as bars (ASCII for clients that are not UTF-8)';
COMMENT ON COLUMN healthscore.risk_list.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.risk_list.sparkline_ascii IS 'the sparkline in ASCII for any client';
COMMENT ON COLUMN healthscore.risk_list.stale IS 'true when the model is overdue: these scores are older than its schedule promises';
COMMENT ON COLUMN healthscore.risk_list.stale_signals IS 'how many of the account''s signals were stale at the run and counted as missing';
COMMENT ON COLUMN healthscore.risk_list.why_changed IS 'the signals that moved the score most since the run before';
COMMENT ON COLUMN healthscore.risk_list.window_change IS 'score change over the trend window';
COMMENT ON COLUMN healthscore.risk_list.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON VIEW healthscore.score_history IS 'every score of every run, one row per run and account (long format)';
COMMENT ON COLUMN healthscore.score_history.model IS 'model';
COMMENT ON COLUMN healthscore.score_history.run_id IS 'run';
COMMENT ON COLUMN healthscore.score_history.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.score_history.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_history.score IS 'health score 0-100';
COMMENT ON COLUMN healthscore.score_history.tier IS 'tier label';
COMMENT ON COLUMN healthscore.score_history.segment IS 'account segment at the run';
COMMENT ON COLUMN healthscore.score_history.value IS 'account value at the run';
COMMENT ON COLUMN healthscore.score_history.owner IS 'account owner at the run';
COMMENT ON COLUMN healthscore.score_history.renewal_date IS 'renewal date at the run';
COMMENT ON COLUMN healthscore.score_history.fingerprint IS 'model definition the run used';
COMMENT ON COLUMN healthscore.score_history.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON VIEW healthscore.tier_changes IS 'every change of an account''s tier between consecutive runs of a model';
COMMENT ON COLUMN healthscore.tier_changes.model IS 'model';
COMMENT ON COLUMN healthscore.tier_changes.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.tier_changes.from_tier IS 'tier in the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_tier IS 'tier in this run';
COMMENT ON COLUMN healthscore.tier_changes.changed_at IS 'as-of time of the run that changed the tier';
COMMENT ON COLUMN healthscore.tier_changes.from_score IS 'score in the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_score IS 'score in this run';
COMMENT ON COLUMN healthscore.tier_changes.from_run_id IS 'the run before';
COMMENT ON COLUMN healthscore.tier_changes.to_run_id IS 'this run';
COMMENT ON COLUMN healthscore.tier_changes.from_tier_rank IS 'place of from_tier, 1 = worst';
COMMENT ON COLUMN healthscore.tier_changes.to_tier_rank IS 'place of to_tier, 1 = worst';
COMMENT ON VIEW healthscore.tier_summary IS 'per model, run and tier: how many accounts and how much value';
COMMENT ON COLUMN healthscore.tier_summary.model IS 'model';
COMMENT ON COLUMN healthscore.tier_summary.run_id IS 'run';
COMMENT ON COLUMN healthscore.tier_summary.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.tier_summary.tier IS 'tier label';
COMMENT ON COLUMN healthscore.tier_summary.accounts IS 'accounts in the tier';
COMMENT ON COLUMN healthscore.tier_summary.total_value IS 'sum of the accounts'' value (ARR)';
COMMENT ON COLUMN healthscore.tier_summary.average_score IS 'average score in the tier';
COMMENT ON COLUMN healthscore.tier_summary.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON VIEW healthscore.score_drops IS 'accounts whose current score is at least the model''s drop_points below their highest score within its drop_window before the current run';
COMMENT ON COLUMN healthscore.score_drops.model IS 'model';
COMMENT ON COLUMN healthscore.score_drops.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_drops.score IS 'current score';
COMMENT ON COLUMN healthscore.score_drops.tier IS 'current tier';
COMMENT ON COLUMN healthscore.score_drops.previous_high IS 'highest score within the window before';
COMMENT ON COLUMN healthscore.score_drops.drop IS 'previous_high - score';
COMMENT ON COLUMN healthscore.score_drops.high_at IS 'as-of time of the previous high';
COMMENT ON COLUMN healthscore.score_drops.scored_at IS 'as-of time of the current run';
COMMENT ON COLUMN healthscore.score_drops.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.score_drops.owner IS 'account owner';
COMMENT ON COLUMN healthscore.score_drops.segment IS 'account segment';
COMMENT ON COLUMN healthscore.score_drops.tier_rank IS 'the tier''s place, 1 = worst';
COMMENT ON VIEW healthscore.stale_assessments IS 'success factors that need a new rating: missing, expired, or expiring within 14 days, for the accounts of models that use them';
COMMENT ON COLUMN healthscore.stale_assessments.model IS 'model whose assessment signal uses the factor';
COMMENT ON COLUMN healthscore.stale_assessments.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.stale_assessments.factor IS 'success factor';
COMMENT ON COLUMN healthscore.stale_assessments.last_assessed_at IS 'when it was last rated (NULL: never)';
COMMENT ON COLUMN healthscore.stale_assessments.expires_at IS 'when that rating expires';
COMMENT ON COLUMN healthscore.stale_assessments.last_assessed_by IS 'who rated it last';
COMMENT ON COLUMN healthscore.stale_assessments.status IS 'missing, expired or expiring (within 14 days)';
COMMENT ON COLUMN healthscore.stale_assessments.owner IS 'account owner, who should rate it';
COMMENT ON COLUMN healthscore.stale_assessments.value IS 'account value (ARR)';
COMMENT ON VIEW healthscore.score_changes IS 'per account of every model''s current run and signal: raw value, points and contribution now, in the run before and at the start of the trend window, and how much the contribution changed (the changes add up to the score change)';
COMMENT ON COLUMN healthscore.score_changes.model IS 'model';
COMMENT ON COLUMN healthscore.score_changes.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.score_changes.signal IS 'signal (of the current run, or of the earlier runs only)';
COMMENT ON COLUMN healthscore.score_changes.raw_value IS 'raw value in the current run';
COMMENT ON COLUMN healthscore.score_changes.points IS 'points in the current run';
COMMENT ON COLUMN healthscore.score_changes.contribution IS 'points * weight share in the current run';
COMMENT ON COLUMN healthscore.score_changes.previous_raw_value IS 'raw value in the run before';
COMMENT ON COLUMN healthscore.score_changes.previous_points IS 'points in the run before';
COMMENT ON COLUMN healthscore.score_changes.previous_contribution IS 'contribution in the run before';
COMMENT ON COLUMN healthscore.score_changes.contribution_change IS 'the signal''s part of the score change since the run before: its points change at its weight share, or, when it appeared or went missing, the effect of its joining or leaving; these add up to the score change (NULL when either run has no score for the account)';
COMMENT ON COLUMN healthscore.score_changes.window_raw_value IS 'raw value at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_points IS 'points at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_contribution IS 'contribution at the start of the trend window';
COMMENT ON COLUMN healthscore.score_changes.window_contribution_change IS 'the signal''s part of the change since the start of the trend window, split as contribution_change: these add up to window_change';
COMMENT ON COLUMN healthscore.score_changes.configuration_changed IS 'true when the model''s definition (fingerprint) differs between the run before and now: the change is not the signals'' alone';
COMMENT ON COLUMN healthscore.score_changes.scored_at IS 'as-of time of the current run';
COMMENT ON COLUMN healthscore.score_changes.previous_as_of IS 'as-of time of the run before';
COMMENT ON COLUMN healthscore.score_changes.window_start_as_of IS 'as-of time of the run at the start of the trend window';
COMMENT ON FUNCTION healthscore.account_story(text, text) IS
'one account''s runs of a model over time: score, tier (and its rank, 1 = worst), change since the run before and over the trend window, trend, the costliest signals, what changed, sparkline, and whether the model''s definition changed at that run';
COMMENT ON FUNCTION healthscore.unscored_accounts(text) IS
'the accounts of a model group that no model of it scored in its latest run (no filter matches and there is no default model, or new since), as the reader sees the account relation';
COMMENT ON VIEW healthscore.unscored_accounts IS 'per model group, the accounts no model of the group scored in its latest run';
COMMENT ON COLUMN healthscore.unscored_accounts.model_group IS 'model group';
COMMENT ON COLUMN healthscore.unscored_accounts.account_key IS 'account key as text';
COMMENT ON VIEW healthscore.model_status IS 'one row per model: whether it is overdue, its last success and last failure (with the error for administrators), and the sources that were stale in its current run';
COMMENT ON COLUMN healthscore.model_status.model IS 'model';
COMMENT ON COLUMN healthscore.model_status.model_group IS 'its model group, if any';
COMMENT ON COLUMN healthscore.model_status.expected_every IS 'how often it is expected to be refreshed (schedule() or set_expected_every() set it); NULL: no expectation';
COMMENT ON COLUMN healthscore.model_status.overdue IS 'true when no run is as recent as expected_every plus a grace (the period, at most an hour): its scores are stale';
COMMENT ON COLUMN healthscore.model_status.last_success_at IS 'when its last successful run finished (wall clock)';
COMMENT ON COLUMN healthscore.model_status.last_success_as_of IS 'the as-of time of its current run';
COMMENT ON COLUMN healthscore.model_status.last_failure_at IS 'when its last failed attempt (healthscore.run()) ended';
COMMENT ON COLUMN healthscore.model_status.last_error IS 'the error of the last failed attempt: full text for administrators, the SQLSTATE for readers';
COMMENT ON COLUMN healthscore.model_status.last_status IS 'how the latest run or attempt stands: succeeded, running or failed';
COMMENT ON COLUMN healthscore.model_status.current_run_id IS 'the current run';
COMMENT ON COLUMN healthscore.model_status.accounts IS 'accounts of the current run the reader may see';
COMMENT ON COLUMN healthscore.model_status.accounts_scored IS 'of them, accounts with a score';
COMMENT ON COLUMN healthscore.model_status.stale_signals IS 'how many signals were stale in the current run';
COMMENT ON COLUMN healthscore.model_status.stale_sources IS 'the stale signals of the current run: signal (source, newest row)';
COMMENT ON FUNCTION healthscore.set_outcomes(text, regclass, text, text, text) IS
'names the relation where a model''s churned accounts are recorded: account key, churn date, optional reason';
COMMENT ON FUNCTION healthscore_internal.run_outcomes(text, interval, timestamptz) IS
'per evaluable run (as_of + horizon <= known_until) and scored account still a customer at as_of: whether it churned within the horizon';
COMMENT ON FUNCTION healthscore.evaluate_tiers(text, interval, timestamptz) IS
'churn within the horizon per evaluable run and tier (tier_rank 1 = worst tier): accounts, churned, churn rate';
COMMENT ON FUNCTION healthscore.evaluate(text, interval, timestamptz) IS
'per run with a full horizon of outcomes: AUC of the score against churn within the horizon, churn rate, worst and best tier churn rates, lift of the worst tier, whether churn falls from the worst to the best tier';
COMMENT ON VIEW healthscore.model_accuracy IS 'evaluate() of every model with outcomes, 90-day horizon, outcomes known until now';
COMMENT ON COLUMN healthscore.model_accuracy.model IS 'model';
COMMENT ON COLUMN healthscore.model_accuracy.run_id IS 'run evaluated';
COMMENT ON COLUMN healthscore.model_accuracy.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.model_accuracy.horizon IS 'churn counted within this interval after as_of';
COMMENT ON COLUMN healthscore.model_accuracy.accounts IS 'scored accounts still customers at as_of';
COMMENT ON COLUMN healthscore.model_accuracy.churned IS 'of them, churned within the horizon';
COMMENT ON COLUMN healthscore.model_accuracy.churn_rate IS 'churned / accounts';
COMMENT ON COLUMN healthscore.model_accuracy.auc IS 'ROC AUC: probability that a retained account scored higher than a churned one (0.5 = no better than chance)';
COMMENT ON COLUMN healthscore.model_accuracy.worst_tier IS 'lowest tier with accounts';
COMMENT ON COLUMN healthscore.model_accuracy.worst_tier_churn_rate IS 'churn rate in the worst tier';
COMMENT ON COLUMN healthscore.model_accuracy.best_tier IS 'highest tier with accounts';
COMMENT ON COLUMN healthscore.model_accuracy.best_tier_churn_rate IS 'churn rate in the best tier';
COMMENT ON COLUMN healthscore.model_accuracy.lift_worst_tier IS 'worst tier churn rate / overall churn rate';
COMMENT ON COLUMN healthscore.model_accuracy.churn_falls_by_tier IS 'true when churn never rises from a tier to the next better one';
COMMENT ON FUNCTION healthscore.suggest_weights(text, interval, timestamptz, text[]) IS
'weights suggested by a logistic regression of churn on the signals'' points (earlier runs), with each signal''s AUC and the model''s AUC with current and suggested weights on later runs; signals in exclude are not fitted and keep their weights; with group weights, current and suggested weights are effective weights (a signal''s weight when its whole group is present)';
COMMENT ON FUNCTION healthscore.apply_weights(text, interval, timestamptz, float8, text[]) IS
'sets a model''s weights to suggest_weights(); a signal suggested at 0 gets min_share of the total (weights stay positive); signals in exclude keep theirs; with group weights, each group then weighs the sum of its signals'' new weights, so that the suggestions become the effective weights; later runs get a new fingerprint';
COMMENT ON FUNCTION healthscore_internal.calibration_rows(text, interval, timestamptz) IS
'run_outcomes() of the runs with the model''s current fingerprint, each numbered by its run''s place in time (1 = earliest)';
COMMENT ON FUNCTION healthscore_internal.fit_calibration(text, text, interval, timestamptz) IS
'the calibration calibrate() would store now: logistic fit of churn within the horizon on score / 100 over the earlier two thirds of the runs with the current fingerprint; errors name func';
COMMENT ON FUNCTION healthscore.calibrate(text, interval, timestamptz) IS
'fits and stores a model''s calibration: churn within the horizon as a logistic function of the score, on the earlier two thirds of its evaluable runs with its current definition (at least 30 churned and 30 retained rows); later refreshes write churn_probability while the model keeps that definition';
COMMENT ON FUNCTION healthscore_internal.calibration_measured(text, text, interval, timestamptz, integer, boolean) IS
'calibration() and model_calibration: per bin of predicted probability on the held-out runs, with Brier score, skill and log loss; strict raises an error when no run is held out, else returns no rows';
COMMENT ON FUNCTION healthscore.calibration(text, interval, timestamptz, integer) IS
'how well a model''s churn probabilities match observed churn on held-out later runs: per bin (decile) of predicted probability, rows, mean predicted and observed churn rate, with the Brier score, its skill against the base rate, and log loss; the stored calibration when it is for this horizon (default: its own) and the model''s current definition, else the one calibrate() would store now';
COMMENT ON VIEW healthscore.model_calibration IS 'the reliability diagram of every calibrated model (its own horizon, outcomes known until now): per decile of predicted churn probability on the runs held out from the fit, mean predicted against observed churn, with Brier skill and log loss';
COMMENT ON COLUMN healthscore.model_calibration.model IS 'model';
COMMENT ON COLUMN healthscore.model_calibration.horizon IS 'churn counted within this interval after each run';
COMMENT ON COLUMN healthscore.model_calibration.bin IS 'decile of predicted probability, 1 = lowest';
COMMENT ON COLUMN healthscore.model_calibration.rows IS 'held-out rows (run, account) in the decile';
COMMENT ON COLUMN healthscore.model_calibration.churned IS 'of them, churned within the horizon';
COMMENT ON COLUMN healthscore.model_calibration.mean_predicted IS 'mean predicted churn probability (the x of a reliability diagram)';
COMMENT ON COLUMN healthscore.model_calibration.observed_rate IS 'observed churn rate, churned / rows (the y: on the diagonal when calibrated)';
COMMENT ON COLUMN healthscore.model_calibration.min_predicted IS 'lowest predicted probability in the decile';
COMMENT ON COLUMN healthscore.model_calibration.max_predicted IS 'highest predicted probability in the decile';
COMMENT ON COLUMN healthscore.model_calibration.brier IS 'Brier score over all held-out rows: mean squared difference of probability and outcome (0 = perfect)';
COMMENT ON COLUMN healthscore.model_calibration.brier_skill IS '1 - brier / (base_rate * (1 - base_rate)): above 0, better than always predicting the base rate';
COMMENT ON COLUMN healthscore.model_calibration.log_loss IS 'mean negative log-likelihood of the outcomes (probabilities clamped to 1e-15 .. 1 - 1e-15)';
COMMENT ON COLUMN healthscore.model_calibration.base_rate IS 'churn rate over all held-out rows';
COMMENT ON COLUMN healthscore.model_calibration.test_runs IS 'held-out runs measured on';
COMMENT ON COLUMN healthscore.model_calibration.test_rows IS 'held-out rows measured on';
COMMENT ON COLUMN healthscore.model_calibration.test_from IS 'as-of time of the first held-out run';
COMMENT ON COLUMN healthscore.model_calibration.test_until IS 'as-of time of the last held-out run';
COMMENT ON COLUMN healthscore.model_calibration.fit_runs IS 'runs the calibration was fitted on';
COMMENT ON COLUMN healthscore.model_calibration.fit_rows IS 'rows it was fitted on';
COMMENT ON COLUMN healthscore.model_calibration.intercept IS 'the calibration''s intercept';
COMMENT ON COLUMN healthscore.model_calibration.slope IS 'the calibration''s slope (per 100 score points)';
COMMENT ON COLUMN healthscore.model_calibration.calibrated_at IS 'when calibrate() ran';
COMMENT ON FUNCTION healthscore_internal.run_measures(bigint[], float8[], integer[], boolean[]) IS
'mean over runs of each run''s AUC and lift of the worst tier (lowest tier_rank with rows: its churn rate / the run''s), as evaluate() computes them, with the runs, rows and churned rows';
COMMENT ON FUNCTION healthscore_internal.check_two_models(text, text, text) IS
'raises an error naming func when the two models to compare are one';
COMMENT ON FUNCTION healthscore_internal.paired_rows(text, text, interval, timestamptz) IS
'the (as-of time, account) rows two models both scored in evaluable runs with their current definitions, with both scores, tiers and outcomes; runs and accounts numbered from 1';
COMMENT ON FUNCTION healthscore_internal.models_compared(text, text, text, interval, timestamptz, integer, bigint, boolean) IS
'compare_models() and model_comparisons: AUC (with a paired bootstrap interval of the difference), lift of the worst tier, Brier skill and churn by tier of two models on the rows both have; strict raises an error when they share no row, else returns no rows';
COMMENT ON FUNCTION healthscore.compare_models(text, text, interval, timestamptz, integer, bigint) IS
'two models on the evaluable runs both have at the same as-of times (current definitions) and the accounts both score: auc (mean over runs, with a 95% interval for the difference from a paired bootstrap of accounts), lift_worst_tier, brier_skill of their calibrations, churn_rate per tier; value_a - value_b in difference';
COMMENT ON FUNCTION healthscore_internal.tiers_compared(text, text, text, timestamptz, boolean) IS
'tier_agreement() and model_tier_agreement: accounts and value per pair of tiers two models give at one as-of time; strict raises an error without runs of both at that time, else returns no rows';
COMMENT ON FUNCTION healthscore.tier_agreement(text, text, timestamptz) IS
'the tier agreement matrix of two models at one as-of time (default: the latest both have): accounts and value (model_a''s) per pair of tiers; moves is true where the tiers'' places differ, the accounts switching models would move';
COMMENT ON FUNCTION healthscore_internal.preview_run(text, text, jsonb, jsonb, float8[], timestamptz, float8, boolean) IS
'a refresh of the model (with the given weights, raised to at least min_share of the total as apply_weights does, group weights and cutoffs when changed) that is rolled back after its scores, tiers and settings are read';
COMMENT ON FUNCTION healthscore_internal.history_measures(text, interval, timestamptz, text[], float8[], text[], float8[], float8[], text[]) IS
'the evaluable rows of a model''s runs with the given signals, rescored from their stored points with the given weights and cutoffs (tiers by the cutoffs alone), measured by run_measures: mean AUC and lift of the worst tier over the runs';
COMMENT ON FUNCTION healthscore.preview_accounts(text, jsonb, jsonb, float8[], timestamptz, float8) IS
'every account''s score and tier as of a time with the model as it is and with other weights (jsonb {"signal": weight}; unnamed signals keep theirs; below min_share of the total raised to it, as apply_weights does), group weights and tier cutoffs: two refreshes that are rolled back, so nothing is written and the model is unchanged';
COMMENT ON FUNCTION healthscore.preview(text, jsonb, jsonb, float8[], timestamptz, interval, timestamptz, float8) IS
'what other weights (jsonb {"signal": weight}; unnamed signals keep theirs; below min_share of the total raised to it, as apply_weights does, so that suggest_weights'' output can be passed as it is), group weights and tier cutoffs would do, before publishing: per tier, accounts and value now and with the change as of a time (two refreshes that are rolled back), accounts moving in and out, and with outcomes the AUC and lift of the worst tier over the evaluable history rescored from its stored points both ways';
COMMENT ON VIEW healthscore.model_comparisons IS 'compare_models() of every pair of models over the same accounts and outcomes (model_a before model_b by name), 90-day horizon, outcomes known until now, 1000 resamples';
COMMENT ON COLUMN healthscore.model_comparisons.model_a IS 'first model';
COMMENT ON COLUMN healthscore.model_comparisons.model_b IS 'second model';
COMMENT ON COLUMN healthscore.model_comparisons.measure IS 'auc (mean over runs of each run''s AUC), lift_worst_tier (mean over runs), brier_skill (of each model''s calibration, on rows after both were fitted), churn_rate (per tier, over all rows)';
COMMENT ON COLUMN healthscore.model_comparisons.tier_rank IS 'for churn_rate: the tier''s place, 1 = worst';
COMMENT ON COLUMN healthscore.model_comparisons.tier_a IS 'for churn_rate: model_a''s tier at that place';
COMMENT ON COLUMN healthscore.model_comparisons.tier_b IS 'for churn_rate: model_b''s tier at that place';
COMMENT ON COLUMN healthscore.model_comparisons.value_a IS 'the measure for model_a';
COMMENT ON COLUMN healthscore.model_comparisons.value_b IS 'the measure for model_b';
COMMENT ON COLUMN healthscore.model_comparisons.difference IS 'value_a - value_b';
COMMENT ON COLUMN healthscore.model_comparisons.ci_low IS 'for auc: 2.5th percentile of the difference over bootstrap resamples of accounts';
COMMENT ON COLUMN healthscore.model_comparisons.ci_high IS 'for auc: 97.5th percentile; an interval above 0 says model_a ranks churners better';
COMMENT ON COLUMN healthscore.model_comparisons.runs IS 'runs measured on (as-of times both models have)';
COMMENT ON COLUMN healthscore.model_comparisons.rows_a IS 'rows (run, account) measured on for model_a (for churn_rate: in its tier)';
COMMENT ON COLUMN healthscore.model_comparisons.rows_b IS 'rows measured on for model_b';
COMMENT ON COLUMN healthscore.model_comparisons.churned_a IS 'of rows_a, churned within the horizon';
COMMENT ON COLUMN healthscore.model_comparisons.churned_b IS 'of rows_b, churned within the horizon';
COMMENT ON COLUMN healthscore.model_comparisons.accounts IS 'distinct accounts measured on';
COMMENT ON VIEW healthscore.model_tier_agreement IS 'tier_agreement() of every pair of models over the same accounts at the latest as-of time both have';
COMMENT ON COLUMN healthscore.model_tier_agreement.model_a IS 'first model';
COMMENT ON COLUMN healthscore.model_tier_agreement.model_b IS 'second model';
COMMENT ON COLUMN healthscore.model_tier_agreement.scored_at IS 'the as-of time compared';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_rank_a IS 'model_a''s tier place, 1 = worst';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_a IS 'model_a''s tier';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_rank_b IS 'model_b''s tier place';
COMMENT ON COLUMN healthscore.model_tier_agreement.tier_b IS 'model_b''s tier';
COMMENT ON COLUMN healthscore.model_tier_agreement.accounts IS 'accounts with these two tiers';
COMMENT ON COLUMN healthscore.model_tier_agreement.value IS 'their value (ARR, as model_a''s run has it)';
COMMENT ON COLUMN healthscore.model_tier_agreement.moves IS 'true when the tiers'' places differ: accounts switching from model_a to model_b would move';
COMMENT ON FUNCTION healthscore.check_model(text) IS
'a model''s health check, one row per problem (severity error or warning, object, problem, hint): what would make its refresh fail, and what makes its scores less than they seem (empty or stale sources, signals missing for everyone, filters matching no account, unscored accounts, an overdue or failing schedule, group weights of categories without signals, hierarchy links to missing parents or on cycles, signals over foreign tables that the foreign server cannot aggregate, signals a rollup does not hold and why, rollups not used or out of date, rolled-up sources without an index on their time column)';
COMMENT ON FUNCTION healthscore_internal.reader_functions() IS
'the internal functions that readers'' views call as the reader; granted by grant_reader()';
COMMENT ON FUNCTION healthscore_internal.admin_functions() IS
'the functions and procedures that define, refresh and schedule models: revoked from PUBLIC, granted by grant_admin()';
COMMENT ON FUNCTION healthscore_internal.check_role(text, regrole) IS
'raises an error naming the function when the role to grant to is NULL';
COMMENT ON FUNCTION healthscore.grant_reader(regrole) IS
'lets a role read the views (and the tables behind them, which security_invoker views need); row-level security limits the scores, overrides and assessments it sees to its accounts';
COMMENT ON FUNCTION healthscore.grant_admin(regrole) IS
'lets a role define models, refresh and schedule them (with pg_cron installed, USAGE on schema cron too); it also needs SELECT on the account and source relations, with which the text it writes runs';

-- Under 0.1.0 readers read every model's account relation as themselves, trusting its owner without
-- being asked. Those owners are trusted here so that readers keep seeing what they saw; review the
-- list (the NOTICE names them): only owners whose code may run as your readers belong in it.
DO $$
DECLARE
	owners text;
BEGIN
	INSERT INTO healthscore.trusted_owners (owner, note)
	SELECT DISTINCT r.rolname, 'owns an account relation of a model when healthscore was updated from 0.1.0'
	FROM healthscore.models AS m
	JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(m.accounts)
	JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) c.relowner
	WHERE NOT r.rolsuper;
	SELECT pg_catalog.string_agg(t.owner, ', ' ORDER BY t.owner) INTO owners FROM healthscore.trusted_owners AS t;
	IF owners IS NOT NULL THEN
		RAISE NOTICE 'healthscore 0.2.0: readers trust the owners of account relations: %', owners
			USING HINT = 'Their views and row-level security policies run as your readers; remove any you do not trust from healthscore.trusted_owners.';
	END IF;
END
$$;

-- The current run of every model gets its trend's baseline, so that the trend reads over the window
-- at once rather than "new" until the next refresh (older runs keep none: only the views of the
-- current run read it).
DO $$
DECLARE
	current_run record;
BEGIN
	FOR current_run IN
		SELECT DISTINCT ON (r.model) r.model, r.run_id, r.as_of, m.trend_window, m.time_zone
		FROM healthscore.runs AS r JOIN healthscore.models AS m ON m.name OPERATOR(pg_catalog.=) r.model
		ORDER BY r.model, r.as_of DESC, r.run_id DESC
	LOOP
		UPDATE healthscore.scores AS s SET window_start_score = start.score
		FROM healthscore.scores AS start
		WHERE s.run_id OPERATOR(pg_catalog.=) current_run.run_id
		  AND start.account_key OPERATOR(pg_catalog.=) s.account_key
		  AND start.run_id OPERATOR(pg_catalog.=) (
			  SELECT r.run_id FROM healthscore.runs AS r
			  WHERE r.model OPERATOR(pg_catalog.=) current_run.model AND r.run_id OPERATOR(pg_catalog.<>) current_run.run_id
				AND r.as_of OPERATOR(pg_catalog.<=) ((current_run.as_of AT TIME ZONE current_run.time_zone)
													 OPERATOR(pg_catalog.-) current_run.trend_window) AT TIME ZONE current_run.time_zone
			  ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1);
	END LOOP;
END
$$;

-- Privileges. What the install script revokes from PUBLIC: the new admin functions and every
-- internal function.
DO $$
DECLARE
	revoked regprocedure;
BEGIN
	FOREACH revoked IN ARRAY healthscore_internal.admin_functions() LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', revoked);
	END LOOP;
	FOR revoked IN SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc AS p
				   WHERE p.pronamespace OPERATOR(pg_catalog.=) 'healthscore_internal'::pg_catalog.regnamespace LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', revoked);
	END LOOP;
END
$$;

-- What grant_reader() and grant_admin() give in 0.2.0, to the roles they were given to under 0.1.0
-- (readers can read current_scores; admins can run refresh): readers may read only the columns of
-- runs that say nothing about accounts, and run the internal functions their views call; admins
-- also use every internal function and the new admin functions. An extension script records the privileges it grants as the extension's initial
-- privileges, which pg_dump leaves out; these belong to the roles, as when grant_reader() and
-- grant_admin() give them, so they are taken out of pg_init_privs again, and pg_dump keeps them.
DO $$
DECLARE
	owner oid := (SELECT c.relowner FROM pg_catalog.pg_class AS c
				  WHERE c.oid OPERATOR(pg_catalog.=) 'healthscore.runs'::pg_catalog.regclass);
	grantees oid[];
	grantee regrole;
	recorded text[] := ARRAY(SELECT pg_catalog.concat_ws(',', i.classoid, i.objoid, i.objsubid)
							 FROM pg_catalog.pg_init_privs AS i);
BEGIN
	SELECT pg_catalog.array_agg(DISTINCT a.grantee) INTO grantees
	FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
	WHERE c.oid OPERATOR(pg_catalog.=) 'healthscore.current_scores'::pg_catalog.regclass
	  AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'
	  AND a.grantee OPERATOR(pg_catalog.<>) owner AND a.grantee OPERATOR(pg_catalog.<>) 0;
	FOR grantee IN SELECT pg_catalog.unnest(grantees)::pg_catalog.regrole LOOP
		IF NOT pg_catalog.has_table_privilege(grantee::pg_catalog.oid, 'healthscore.runs'::pg_catalog.regclass, 'DELETE') THEN
			EXECUTE pg_catalog.format('REVOKE SELECT ON healthscore.runs FROM %s', grantee);
		END IF;
		EXECUTE pg_catalog.format('GRANT SELECT (run_id, model, as_of, started_at, finished_at, fingerprint, signals, weights,
			stale, newest_rows, categories, group_weights, probability_horizon, probability_min_score, probability_max_score,
			probability_note) ON healthscore.runs TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT SELECT (attempt_id, model, as_of, started_at, finished_at, status, run_id, backend_pid,
			error_sqlstate) ON healthscore.attempts TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT SELECT ON healthscore.model_status, healthscore.score_changes, healthscore.group_scores,
			healthscore.indicators, healthscore.risk_indicators, healthscore.parent_scores, healthscore.calibrations,
			healthscore.model_calibration, healthscore.model_comparisons, healthscore.model_tier_agreement TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT SELECT ON healthscore.trusted_owners TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %s',
			(SELECT pg_catalog.string_agg(f::pg_catalog.text, ', ')
			 FROM pg_catalog.unnest(healthscore_internal.reader_functions()) AS f), grantee);
	END LOOP;
	FOR grantee IN
		SELECT a.grantee::pg_catalog.regrole FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
		WHERE p.oid OPERATOR(pg_catalog.=) 'healthscore.refresh(text, timestamptz)'::pg_catalog.regprocedure
		  AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
		  AND a.grantee OPERATOR(pg_catalog.<>) p.proowner AND a.grantee OPERATOR(pg_catalog.<>) 0
	LOOP
		grantees := grantees OPERATOR(pg_catalog.||) grantee::pg_catalog.oid;
		EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA healthscore_internal TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA healthscore_internal TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON ROUTINE %s TO %s',
			(SELECT pg_catalog.string_agg(f::pg_catalog.text, ', ') FROM pg_catalog.unnest(healthscore_internal.admin_functions()) AS f),
			grantee);
		EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON healthscore.attempts, healthscore.indicators,
			healthscore.calibrations, healthscore.rollups, healthscore.rollup_states TO %s', grantee);
		EXECUTE pg_catalog.format('GRANT USAGE, SELECT ON SEQUENCE healthscore.attempts_attempt_id_seq,
			healthscore.rollups_rollup_id_seq TO %s', grantee);
		IF healthscore_internal.cron_installed() THEN
			EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA cron TO %s', grantee);
		END IF;
	END LOOP;
	-- entries these grants made are dropped; entries they changed lose these roles again
	DELETE FROM pg_catalog.pg_init_privs AS i
	WHERE i.privtype OPERATOR(pg_catalog.=) 'e'
	  AND NOT pg_catalog.concat_ws(',', i.classoid, i.objoid, i.objsubid) OPERATOR(pg_catalog.=) ANY (recorded)
	  AND EXISTS (SELECT FROM pg_catalog.aclexplode(i.initprivs) AS a WHERE a.grantee OPERATOR(pg_catalog.=) ANY (grantees));
	UPDATE pg_catalog.pg_init_privs AS i
	SET initprivs = ARRAY(SELECT x.item FROM pg_catalog.unnest(i.initprivs) WITH ORDINALITY AS x(item, n)
						  WHERE NOT EXISTS (SELECT FROM pg_catalog.aclexplode(ARRAY[x.item]) AS a
											WHERE a.grantee OPERATOR(pg_catalog.=) ANY (grantees))
						  ORDER BY x.n)
	WHERE i.privtype OPERATOR(pg_catalog.=) 'e'
	  AND EXISTS (SELECT FROM pg_catalog.aclexplode(i.initprivs) AS a WHERE a.grantee OPERATOR(pg_catalog.=) ANY (grantees));
END
$$;

-- Refreshes that 0.1.0's schedule() registered (SELECT healthscore.refresh('m')) become runs of
-- the procedure, which records failures, and the models learn how often to expect them.
DO $$
DECLARE
	job record;
BEGIN
	IF NOT healthscore_internal.cron_installed() THEN
		RETURN;
	END IF;
	FOR job IN
		SELECT j.jobid, j.schedule, m.name
		FROM cron.job AS j JOIN healthscore.models AS m
			ON j.jobname OPERATOR(pg_catalog.=) healthscore_internal.cron_job_name(m.name)
		   AND j.command OPERATOR(pg_catalog.=) pg_catalog.format('SELECT healthscore.refresh(%L)', m.name)
		   AND j.database OPERATOR(pg_catalog.=) pg_catalog.current_database()
	LOOP
		PERFORM cron.alter_job(job.jobid, command => pg_catalog.format('CALL healthscore.run(%L)', job.name));
		UPDATE healthscore.models AS m SET expected_every = healthscore_internal.cron_interval(job.schedule)
		WHERE m.name OPERATOR(pg_catalog.=) job.name;
		RAISE NOTICE 'healthscore 0.2.0: the pg_cron job % of model "%" now runs CALL healthscore.run(%)',
			job.jobid, job.name, pg_catalog.quote_literal(job.name);
	END LOOP;
END
$$;

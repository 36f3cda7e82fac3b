-- healthscore: customer health scoring inside PostgreSQL.
-- This install script is built by concatenating src/<concern>.sql in the order the Makefile lists.
-- Objects live in schema healthscore (created by CREATE EXTENSION, see healthscore.control).

\echo Use "CREATE EXTENSION healthscore" to load this file. \quit

COMMENT ON SCHEMA healthscore IS 'healthscore: customer health scores computed inside PostgreSQL';
-- Scoring functions (scoring.c): one raw signal value -> points on the 0-100 scale.

CREATE FUNCTION healthscore.linear(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_linear'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.linear(float8, float8, float8) IS
'points 0-100 on a straight line: 0 at or beyond worst, 100 at or beyond best; worst > best means lower is better';

CREATE FUNCTION healthscore.logarithmic(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_logarithmic'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logarithmic(float8, float8, float8) IS
'points 0-100 like linear() but on a ln(1 + x) scale, for heavy-tailed counts; value and bounds must not be negative';

CREATE FUNCTION healthscore.bands(value float8, breaks float8[], points float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_bands'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.bands(float8, float8[], float8[]) IS
'step points: breaks strictly ascending, one more points than breaks; a value equal to a break goes to the upper band';

CREATE FUNCTION healthscore.decay(age_days float8, half_life_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.decay(float8, float8) IS
'recency points 100 * 0.5 ^ (age_days / half_life_days); a negative age counts as 0 days';

CREATE FUNCTION healthscore.decay(last_seen timestamptz, half_life interval, as_of timestamptz)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.decay(timestamptz, interval, timestamptz) IS
'recency points of last_seen as of as_of: 100 * 0.5 ^ (age / half_life); -infinity scores 0';
-- Tiers (tier.c): a score -> the segment that tells the team where to spend its time.

CREATE FUNCTION healthscore.tier(score float8,
								 cutoffs float8[] DEFAULT '{40,70}',
								 labels text[] DEFAULT '{red,yellow,green}')
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.tier(float8, float8[], text[]) IS
'tier label of a score: cutoffs strictly ascending, one more label than cutoffs; a score equal to a cutoff goes to the upper tier';
-- Aggregate weighted_score (weighted_score.c): points and weights -> one health score.
-- The state is a float8[4] (not internal) so parallel workers and Citus can combine it.

CREATE FUNCTION healthscore.weighted_score_accum(state float8[], points float8, weight float8)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.weighted_score_accum(float8[], float8, float8) IS
'transition function of weighted_score(): adds weight and weight * points to compensated sums';

CREATE FUNCTION healthscore.weighted_score_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.weighted_score_combine(float8[], float8[]) IS
'combine function of weighted_score(): merges two partial states (parallel query, distributed engines)';

CREATE FUNCTION healthscore.weighted_score_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_weighted_score_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.weighted_score_final(float8[]) IS
'final function of weighted_score(): sum(weight * points) / sum(weight), NULL without a positive weight';

CREATE AGGREGATE healthscore.weighted_score(points float8, weight float8) (
	SFUNC = healthscore.weighted_score_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0}',
	COMBINEFUNC = healthscore.weighted_score_combine,
	FINALFUNC = healthscore.weighted_score_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.weighted_score(float8, float8) IS
'weighted mean of points over rows whose points and weight are not NULL (a missing signal''s weight is redistributed); NULL when no row has a positive weight';
-- A score and its explanation from one account's run kept as arrays in signal order
-- (score_breakdown.c): how refresh() computes and stores scores, and how the components view
-- and analysts take a stored row apart.

CREATE FUNCTION healthscore.score_from_points(points float8[], weights float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_score_from_points'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.score_from_points(float8[], float8[]) IS
'weighted mean of the points whose element is not NULL (a skipped signal''s weight is redistributed), the same as the weighted_score aggregate over the pairs; NULL without a positive present weight';

CREATE FUNCTION healthscore.score_reasons(signals text[], raw_values float8[], points float8[], weights float8[],
										  how_many integer DEFAULT 3)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_score_reasons'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.score_reasons(text[], float8[], float8[], float8[], integer) IS
'the how_many signals that cost the most points, costliest first: "signal raw value (-points lost); ..." (raw value rounded to 2 decimals, no data when missing); NULL when none cost anything';

CREATE FUNCTION healthscore.worst_signal(signals text[], points float8[], weights float8[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_worst_signal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.worst_signal(text[], float8[], float8[]) IS
'the signal that cost the most points ((100 - points) x its share of the present weight; ties by name); NULL when none cost anything';
-- Aggregates trend and relative_trend (trend.c): slope of a signal over time.
-- Both share one float8[7] state (Youngs-Cramer sums plus the time range).

CREATE FUNCTION healthscore.trend_accum(state float8[], value float8, at timestamptz)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.trend_accum(float8[], float8, timestamptz) IS
'transition function of trend() and relative_trend(): Youngs-Cramer accumulation of (days, value)';

CREATE FUNCTION healthscore.trend_combine(state float8[], other float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_trend_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.trend_combine(float8[], float8[]) IS
'combine function of trend() and relative_trend(): merges two partial states';

CREATE FUNCTION healthscore.trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.trend_final(float8[]) IS
'final function of trend(): least-squares slope in value units per day';

CREATE FUNCTION healthscore.relative_trend_final(state float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_relative_trend_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.relative_trend_final(float8[]) IS
'final function of relative_trend(): slope as percent of the mean value per 30 days';

CREATE AGGREGATE healthscore.trend(value float8, at timestamptz) (
	SFUNC = healthscore.trend_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0,0,0,0}',
	COMBINEFUNC = healthscore.trend_combine,
	FINALFUNC = healthscore.trend_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.trend(float8, timestamptz) IS
'least-squares slope of value over time in value units per day; NULL rows skipped, NULL with fewer than two distinct times';

CREATE AGGREGATE healthscore.relative_trend(value float8, at timestamptz) (
	SFUNC = healthscore.trend_accum,
	STYPE = float8[],
	INITCOND = '{0,0,0,0,0,0,0}',
	COMBINEFUNC = healthscore.trend_combine,
	FINALFUNC = healthscore.relative_trend_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.relative_trend(float8, timestamptz) IS
'slope as percent of the absolute mean value per 30 days (-25 = falling by a quarter a month); NULL when the mean is 0 or the slope undefined';
-- Aggregate nps (nps.c): Net Promoter Score from 0-10 ratings. State int8[3] (responses, promoters, detractors).

CREATE FUNCTION healthscore.nps_accum(state int8[], rating integer)
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.nps_accum(int8[], integer) IS
'transition function of nps(): counts responses, promoters (9-10) and detractors (0-6)';

CREATE FUNCTION healthscore.nps_combine(state int8[], other int8[])
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.nps_combine(int8[], int8[]) IS
'combine function of nps(): adds two partial counts';

CREATE FUNCTION healthscore.nps_final(state int8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_nps_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.nps_final(int8[]) IS
'final function of nps(): % promoters - % detractors, NULL without responses';

CREATE AGGREGATE healthscore.nps(rating integer) (
	SFUNC = healthscore.nps_accum,
	STYPE = int8[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore.nps_combine,
	FINALFUNC = healthscore.nps_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.nps(integer) IS
'Net Promoter Score: % promoters (9-10) minus % detractors (0-6), from -100 to 100; NULL rows skipped; a rating outside 0..10 is an error';
-- Aggregate distinct_count (distinct_count.c, distinct_set.c): exact count of distinct non-NULL
-- values, for bigint, text and uuid. The state is an internal hash set; serialize/deserialize let
-- parallel workers (and distributed engines) ship it, and the deserializers validate every byte.

CREATE FUNCTION healthscore.distinct_set_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_set_combine(internal, internal) IS
'combine function of distinct_count() and stickiness(): union of two sets';

CREATE FUNCTION healthscore.distinct_set_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_distinct_set_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_set_serialize(internal) IS
'serialize function of distinct_count() and stickiness(): the set as bytes in network byte order';

CREATE FUNCTION healthscore.distinct_count_final(state internal)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_final(internal) IS
'final function of distinct_count(): the number of values in the set, 0 for no rows';

CREATE FUNCTION healthscore.distinct_count_int8_accum(state internal, value bigint)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_int8_accum(internal, bigint) IS
'transition function of distinct_count(bigint): adds a non-NULL value to the set';

CREATE FUNCTION healthscore.distinct_count_int8_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_int8_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_int8_deserialize(bytea, internal) IS
'deserialize function of distinct_count(bigint): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value bigint) (
	SFUNC = healthscore.distinct_count_int8_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore.distinct_set_combine,
	SERIALFUNC = healthscore.distinct_set_serialize,
	DESERIALFUNC = healthscore.distinct_count_int8_deserialize,
	FINALFUNC = healthscore.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(bigint) IS
'exact number of distinct non-NULL bigint values, like count(DISTINCT value) but hashed and parallel-safe';

CREATE FUNCTION healthscore.distinct_count_text_accum(state internal, value text)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_text_accum(internal, text) IS
'transition function of distinct_count(text): adds a non-NULL value to the set';

CREATE FUNCTION healthscore.distinct_count_text_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_text_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_text_deserialize(bytea, internal) IS
'deserialize function of distinct_count(text): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value text) (
	SFUNC = healthscore.distinct_count_text_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore.distinct_set_combine,
	SERIALFUNC = healthscore.distinct_set_serialize,
	DESERIALFUNC = healthscore.distinct_count_text_deserialize,
	FINALFUNC = healthscore.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(text) IS
'exact number of distinct non-NULL text values, like count(DISTINCT value) but hashed and parallel-safe; compares bytes, so a nondeterministic collation is an error';

CREATE FUNCTION healthscore.distinct_count_uuid_accum(state internal, value uuid)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_uuid_accum(internal, uuid) IS
'transition function of distinct_count(uuid): adds a non-NULL value to the set';

CREATE FUNCTION healthscore.distinct_count_uuid_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_distinct_count_uuid_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_count_uuid_deserialize(bytea, internal) IS
'deserialize function of distinct_count(uuid): rebuilds the set, rejecting malformed bytes';

CREATE AGGREGATE healthscore.distinct_count(value uuid) (
	SFUNC = healthscore.distinct_count_uuid_accum,
	STYPE = internal,
	SSPACE = 512,
	COMBINEFUNC = healthscore.distinct_set_combine,
	SERIALFUNC = healthscore.distinct_set_serialize,
	DESERIALFUNC = healthscore.distinct_count_uuid_deserialize,
	FINALFUNC = healthscore.distinct_count_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.distinct_count(uuid) IS
'exact number of distinct non-NULL uuid values, like count(DISTINCT value) but hashed and parallel-safe';

CREATE FUNCTION healthscore.distinct_state_count(state bytea)
RETURNS bigint
AS 'MODULE_PATHNAME', 'healthscore_distinct_state_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.distinct_state_count(bytea) IS
'number of values in a serialized distinct_count() or stickiness() state, validating every byte as the deserialize functions do';
-- Aggregate stickiness (stickiness.c): average daily active users / distinct users. The state is
-- the internal set of distinct (user, UTC day) pairs, shared machinery with distinct_count.

CREATE FUNCTION healthscore.stickiness_accum(state internal, user_id bigint, at timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_stickiness_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.stickiness_accum(internal, bigint, timestamptz) IS
'transition function of stickiness(): adds the (user, UTC day) pair of an event';

CREATE FUNCTION healthscore.stickiness_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_stickiness_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.stickiness_deserialize(bytea, internal) IS
'deserialize function of stickiness(): rebuilds the set of (user, day) pairs, rejecting malformed bytes';

CREATE FUNCTION healthscore.stickiness_final(state internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_stickiness_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.stickiness_final(internal) IS
'final function of stickiness(): (user, day) pairs / (days in span * distinct users)';

CREATE AGGREGATE healthscore.stickiness(user_id bigint, at timestamptz) (
	SFUNC = healthscore.stickiness_accum,
	STYPE = internal,
	SSPACE = 1024,
	COMBINEFUNC = healthscore.distinct_set_combine,
	SERIALFUNC = healthscore.distinct_set_serialize,
	DESERIALFUNC = healthscore.stickiness_deserialize,
	FINALFUNC = healthscore.stickiness_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.stickiness(bigint, timestamptz) IS
'average daily active users / distinct users over the first to last event''s UTC day inclusive, 0 to 1; NULL without events';
-- Revenue signals (revenue.c): cohort retention aggregates and customer lifetime value.
-- net_retention and gross_retention share a numeric[3] state: sums of start, end, least(end, start).

CREATE FUNCTION healthscore.retention_accum(state numeric[], start_value numeric, end_value numeric)
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.retention_accum(numeric[], numeric, numeric) IS
'transition function of net_retention() and gross_retention(): skips accounts outside the starting cohort, counts a NULL end as 0';

CREATE FUNCTION healthscore.retention_combine(state numeric[], other numeric[])
RETURNS numeric[]
AS 'MODULE_PATHNAME', 'healthscore_retention_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.retention_combine(numeric[], numeric[]) IS
'combine function of net_retention() and gross_retention(): adds two partial sums';

CREATE FUNCTION healthscore.net_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_net_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.net_retention_final(numeric[]) IS
'final function of net_retention(): 100 * sum(end) / sum(start), NULL for an empty cohort';

CREATE FUNCTION healthscore.gross_retention_final(state numeric[])
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_gross_retention_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.gross_retention_final(numeric[]) IS
'final function of gross_retention(): 100 * sum(least(end, start)) / sum(start), NULL for an empty cohort';

CREATE AGGREGATE healthscore.net_retention(start_value numeric, end_value numeric) (
	SFUNC = healthscore.retention_accum,
	STYPE = numeric[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore.retention_combine,
	FINALFUNC = healthscore.net_retention_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.net_retention(numeric, numeric) IS
'net revenue retention in percent over a cohort: 100 * sum(end) / sum(start); start NULL or not positive: not in the cohort; end NULL: churned (0)';

CREATE AGGREGATE healthscore.gross_retention(start_value numeric, end_value numeric) (
	SFUNC = healthscore.retention_accum,
	STYPE = numeric[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore.retention_combine,
	FINALFUNC = healthscore.gross_retention_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.gross_retention(numeric, numeric) IS
'gross revenue retention in percent over a cohort: 100 * sum(least(end, start)) / sum(start), never above 100; expansion does not count';

CREATE FUNCTION healthscore.lifetime_value(arpa numeric, churn_rate float8, gross_margin float8 DEFAULT 1)
RETURNS numeric
AS 'MODULE_PATHNAME', 'healthscore_lifetime_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.lifetime_value(numeric, float8, float8) IS
'customer lifetime value arpa * gross_margin / churn_rate; NULL when churn_rate is 0; rates must be between 0 and 1';
-- Health models as data: models, their signals, and the functions that define them.
--
-- Relations are stored as schema-qualified text, not regclass: a regclass column in a table
-- would make pg_upgrade refuse the cluster. The definition functions take regclass arguments,
-- so names are resolved (and checked) when a model is defined, and pg_dump keeps them readable.

CREATE TABLE healthscore.models (
	name text PRIMARY KEY CHECK (name <> ''),
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
	trend_threshold float8 NOT NULL DEFAULT 5 CHECK (trend_threshold >= 0 AND trend_threshold < 100),
	drop_points float8 NOT NULL DEFAULT 10 CHECK (drop_points > 0 AND drop_points <= 100),
	drop_window interval NOT NULL DEFAULT '30 days' CHECK (drop_window > interval '0'),
	model_group text,
	segment_filter text,
	priority integer NOT NULL DEFAULT 0,
	overrides_lower_only boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	outcomes text,
	outcome_key text,
	outcome_date text,
	outcome_reason text,
	UNIQUE (model_group, priority),
	CHECK (pg_catalog.cardinality(tier_labels) = pg_catalog.cardinality(tier_cutoffs) + 1),
	CHECK (tier_actions IS NULL OR pg_catalog.cardinality(tier_actions) = pg_catalog.cardinality(tier_labels))
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

CREATE TABLE healthscore.signals (
	model text NOT NULL,
	name text NOT NULL CHECK (name <> ''),
	category text NOT NULL DEFAULT 'other'
		CHECK (category IN ('usage', 'adoption', 'support', 'sentiment', 'financial', 'relationship', 'other')),
	description text,
	source text NOT NULL,
	source_key text NOT NULL,
	expression text NOT NULL,
	time_column text,
	lookback interval CHECK (lookback > interval '0'),
	scoring text NOT NULL
		CHECK (scoring IN ('linear', 'logarithmic', 'bands', 'decay', 'percentile', 'points', 'assessment')),
	worst float8,
	best float8,
	breaks float8[],
	points float8[],
	half_life interval,
	lower_is_better boolean NOT NULL DEFAULT false,
	factor text,
	weight float8 NOT NULL CHECK (weight > 0 AND weight < 'infinity'),
	missing text NOT NULL DEFAULT 'skip' CHECK (missing IN ('skip', 'zero', 'value')),
	missing_value float8 CHECK (missing_value >= 0 AND missing_value <= 100),
	action text,
	position integer NOT NULL,
	PRIMARY KEY (model, name),
	CHECK ((missing = 'value') = (missing_value IS NOT NULL)),
	CHECK (lookback IS NULL OR time_column IS NOT NULL),
	CHECK ((scoring = 'assessment') = (factor IS NOT NULL))
);

COMMENT ON TABLE healthscore.signals IS 'signals of a model: how one raw value per account is computed, scored and weighted';
COMMENT ON COLUMN healthscore.signals.model IS 'the model this signal belongs to';
COMMENT ON COLUMN healthscore.signals.name IS 'signal name, unique within the model';
COMMENT ON COLUMN healthscore.signals.category IS 'usage, adoption, support, sentiment, financial, relationship or other';
COMMENT ON COLUMN healthscore.signals.description IS 'what the signal measures';
COMMENT ON COLUMN healthscore.signals.source IS 'relation the signal aggregates, schema-qualified';
COMMENT ON COLUMN healthscore.signals.source_key IS 'the source''s column holding the account key';
COMMENT ON COLUMN healthscore.signals.expression IS 'aggregate over the source''s rows of one account (alias s), may use account.<column>';
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

-- pg_dump keeps the rows users put in these tables (the extension itself ships none).
SELECT pg_catalog.pg_extension_config_dump('healthscore.models', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.signals', '');

-- Errors for unknown names, in one place.
CREATE FUNCTION healthscore.model_row(model text)
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

COMMENT ON FUNCTION healthscore.model_row(text) IS
'the models row of a model, or an error naming the unknown model';

-- A column of a relation must exist; the error names both.
CREATE FUNCTION healthscore.check_column(func text, argument text, relation regclass, column_name text)
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

COMMENT ON FUNCTION healthscore.check_column(text, text, regclass, text) IS
'raises undefined_column naming the function, argument and relation when a column does not exist';

-- A segment filter as a condition: parenthesized so that an OR inside cannot escape it, and
-- checked to be boolean by being compared with true.
CREATE FUNCTION healthscore.filter_condition(segment_filter text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT CASE WHEN segment_filter IS NULL THEN 'true' ELSE format('((%s) IS TRUE)', segment_filter) END $$;

COMMENT ON FUNCTION healthscore.filter_condition(text) IS
'a segment filter as a SQL condition over the account row (true for NULL; NULL results count as no match)';

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
	overrides_lower_only boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF name IS NULL OR name = '' THEN
		RAISE EXCEPTION 'create_model(): name must not be empty'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name the model, e.g. ''default''.';
	END IF;
	IF EXISTS (SELECT FROM healthscore.models AS m WHERE m.name = create_model.name) THEN
		RAISE EXCEPTION 'create_model(): model "%" already exists', name
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Pick another name, or drop it first with healthscore.drop_model().';
	END IF;
	IF accounts IS NULL THEN
		RAISE EXCEPTION 'create_model(): accounts must name the account relation'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass e.g. accounts => ''app.accounts''.';
	END IF;
	PERFORM healthscore.check_column('create_model', 'key', accounts, key);
	IF value IS NOT NULL THEN PERFORM healthscore.check_column('create_model', 'value', accounts, value); END IF;
	IF segment IS NOT NULL THEN PERFORM healthscore.check_column('create_model', 'segment', accounts, segment); END IF;
	IF renewal IS NOT NULL THEN PERFORM healthscore.check_column('create_model', 'renewal', accounts, renewal); END IF;
	IF owner IS NOT NULL THEN PERFORM healthscore.check_column('create_model', 'owner', accounts, owner); END IF;
	-- tier() checks cutoffs and labels with its own errors
	PERFORM healthscore.tier(0, tier_cutoffs, tier_labels);
	IF tier_actions IS NOT NULL AND cardinality(tier_actions) <> cardinality(tier_labels) THEN
		RAISE EXCEPTION 'create_model(): tier_actions must have one element per tier label'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('There are %s tier labels.', cardinality(tier_labels));
	END IF;
	IF trend_threshold IS NULL OR NOT (trend_threshold >= 0 AND trend_threshold < 100) THEN
		RAISE EXCEPTION 'create_model(): trend_threshold must be between 0 and 100 points, not %', trend_threshold
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is 5 points.';
	END IF;
	IF drop_points IS NULL OR NOT (drop_points > 0 AND drop_points <= 100) THEN
		RAISE EXCEPTION 'create_model(): drop_points must be between 0 and 100 points, not %', drop_points
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 10, lists accounts that lost 10 points or more.';
	END IF;
	IF drop_window IS NULL OR NOT drop_window > interval '0' THEN
		RAISE EXCEPTION 'create_model(): drop_window must be a positive interval, not %', coalesce(drop_window::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is ''30 days''.';
	END IF;
	-- a group shares one account relation and key; a filter is a condition over the account row
	IF model_group IS NOT NULL THEN
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
		BEGIN
			EXECUTE format('EXPLAIN SELECT FROM %s AS account WHERE %s', accounts,
						   healthscore.filter_condition(segment_filter));
		EXCEPTION WHEN syntax_error OR undefined_column OR undefined_function OR datatype_mismatch
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
									priority, overrides_lower_only)
	VALUES (name, description, accounts::text, key, segment, value, renewal, owner, tier_cutoffs,
			tier_labels, tier_actions, trend_threshold, drop_points, drop_window, model_group, segment_filter,
			coalesce(priority, 0), coalesce(overrides_lower_only, false));
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean) IS
'defines a health model over an account relation (every row, or in a group the rows its segment_filter wins); checks every column and the filter at once';

-- Check one signal as it would run, and fail with an error that names the problem.
CREATE FUNCTION healthscore.check_signal(signal healthscore.signals, func text)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(signal.model);
	source_relation regclass := signal.source::regclass;
	time_type regtype;
	probe text;
BEGIN
	IF signal.name IS NULL OR signal.name = '' THEN
		RAISE EXCEPTION '%(): signal name must not be empty', func
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name the signal, e.g. ''logins_30d''.';
	END IF;
	PERFORM healthscore.check_column(func, 'key', source_relation, signal.source_key);
	IF signal.time_column IS NOT NULL THEN
		PERFORM healthscore.check_column(func, 'time_column', source_relation, signal.time_column);
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
	IF signal.category IS NULL OR signal.category NOT IN ('usage', 'adoption', 'support', 'sentiment', 'financial', 'relationship', 'other') THEN
		RAISE EXCEPTION '%(): unknown category "%"', func, signal.category
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use usage, adoption, support, sentiment, financial, relationship or other.';
	END IF;
	IF signal.weight IS NULL OR NOT (signal.weight > 0 AND signal.weight < 'infinity') THEN
		RAISE EXCEPTION '%(): weight must be positive and finite, not %', func, signal.weight
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Weights are relative, e.g. 10 or 25.';
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

	-- the expression, compiled exactly as the refresh will run it (and not executed)
	probe := healthscore.source_query(found_model, signal.source, signal.source_key, signal.time_column,
									  signal.lookback, ARRAY[signal], '2000-01-01'::timestamptz);
	BEGIN
		EXECUTE 'EXPLAIN ' || probe;
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
			RAISE EXCEPTION '%(): expression of signal "%" does not work: %', func, signal.name, SQLERRM
				USING ERRCODE = SQLSTATE,
					  HINT = CASE signal.scoring WHEN 'decay'
								THEN 'A decay signal''s expression yields a timestamp, e.g. max(s.ts); the source is s, the account row account.'
								ELSE 'The expression yields a number per account, e.g. count(*); the source is s, the account row account.' END;
	END;
END
$$;

COMMENT ON FUNCTION healthscore.check_signal(healthscore.signals, text) IS
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
	factor text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal healthscore.signals;
BEGIN
	PERFORM healthscore.model_row(model);
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
	signal := ROW(model, name, category, description, source::text, key, expression, time_column, lookback,
				  scoring, worst, best, breaks, points, half_life, coalesce(lower_is_better, false), factor, weight,
				  missing, missing_value, action,
				  (SELECT coalesce(max(s.position), 0) + 1 FROM healthscore.signals AS s WHERE s.model = add_signal.model));
	PERFORM healthscore.check_signal(signal, 'add_signal');
	INSERT INTO healthscore.signals SELECT signal.*;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text) IS
'adds a signal to a model: an aggregate expression over a source relation, its scoring method and weight; validated and compiled at once';

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
	action text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal healthscore.signals;
BEGIN
	PERFORM healthscore.model_row(model);
	SELECT * INTO signal FROM healthscore.signals AS s WHERE s.model = alter_signal.model AND s.name = alter_signal.name
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'alter_signal(): model "%" has no signal "%"', model, name
			USING ERRCODE = 'undefined_object',
				  HINT = format('Its signals: %s.', (SELECT string_agg(quote_literal(s.name), ', ' ORDER BY s.position)
												   FROM healthscore.signals AS s WHERE s.model = alter_signal.model));
	END IF;
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
	PERFORM healthscore.check_signal(signal, 'alter_signal');
	UPDATE healthscore.signals AS s SET (category, description, expression, lookback, scoring, worst, best, breaks,
										 points, half_life, lower_is_better, weight, missing, missing_value, action)
		= (signal.category, signal.description, signal.expression, signal.lookback, signal.scoring, signal.worst,
		   signal.best, signal.breaks, signal.points, signal.half_life, signal.lower_is_better, signal.weight,
		   signal.missing, signal.missing_value, signal.action)
	WHERE s.model = alter_signal.model AND s.name = alter_signal.name;
	RETURN name;
END
$$;

COMMENT ON FUNCTION healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text) IS
'changes a signal: arguments left NULL stay as they are; a new scoring method drops the old one''s parameters; validated like add_signal()';

CREATE FUNCTION healthscore.set_weight(model text, signal text, weight float8)
RETURNS text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT healthscore.alter_signal(model, signal, weight => weight) $$;

COMMENT ON FUNCTION healthscore.set_weight(text, text, float8) IS
'changes the weight of one signal (shorthand for alter_signal(model, signal, weight => ...))';

CREATE FUNCTION healthscore.drop_signal(model text, name text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore.model_row(model);
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
-- Refresh: one run of a model writes a run record and a score row per account. The SQL is
-- generated from the model's definition: one grouped query per source relation and time window
-- (never one scan per signal), joined to the account relation so every account gets a row,
-- scored with the C functions and combined with weighted_score(). Each score row keeps its
-- signals' raw values and points as arrays in signal order (the names and weights are kept once
-- per run): one row per account rather than one per account and signal is what makes writing
-- history cheap. The components view unfolds them.

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
	weights float8[] NOT NULL
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
COMMENT ON COLUMN healthscore.scores.sparkline IS 'this score and up to 11 before it as bars, oldest first: the previous run''s sparkline plus this score';
COMMENT ON COLUMN healthscore.scores.segment IS 'the account''s segment at the run';
COMMENT ON COLUMN healthscore.scores.value IS 'the account''s value (ARR) at the run';
COMMENT ON COLUMN healthscore.scores.owner IS 'the account''s owner at the run';
COMMENT ON COLUMN healthscore.scores.renewal_date IS 'the account''s renewal date at the run';
COMMENT ON COLUMN healthscore.scores.raw_values IS 'each signal''s raw value (decay signals: age in days; NULL when missing), in the order of runs.signals';
COMMENT ON COLUMN healthscore.scores.points IS 'each signal''s points 0-100 after the missing-data policy (NULL when skipped), in the order of runs.signals';

-- The components of every run, one row per run, account and signal, unfolded from the arrays
-- of the score rows. Row-level security of scores applies (security_invoker).
CREATE VIEW healthscore.components WITH (security_invoker = true) AS
SELECT s.run_id, s.model, s.account_key, c.signal, c.raw_value, c.points, c.weight, share.weight_share,
	   c.points * share.weight_share AS contribution,
	   coalesce((100 - c.points) * share.weight_share, 0) AS points_lost
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id = s.run_id
CROSS JOIN LATERAL (SELECT pg_catalog.sum(u.weight) FROM unnest(s.points, r.weights) AS u(points, weight)
					WHERE u.points IS NOT NULL) AS present(weight)
CROSS JOIN LATERAL unnest(r.signals, s.raw_values, s.points, r.weights) AS c(signal, raw_value, points, weight)
CROSS JOIN LATERAL (SELECT CASE WHEN c.points IS NULL THEN 0 ELSE c.weight / present.weight END) AS share(weight_share);

COMMENT ON VIEW healthscore.components IS 'one row per run, account and signal: how the score came about (unfolded from scores.raw_values and scores.points)';
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
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION healthscore.cascade_run_deletes() IS
'trigger: removes the scores of deleted runs';

CREATE TRIGGER cascade_deleted_runs AFTER DELETE ON healthscore.runs
	REFERENCING OLD TABLE AS old_runs
	FOR EACH STATEMENT EXECUTE FUNCTION healthscore.cascade_run_deletes();

SELECT pg_catalog.pg_extension_config_dump('healthscore.runs', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.runs_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('healthscore.scores', '');

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
	-- the window's start is computed here, as a constant: timestamptz - interval is only
	-- stable, so written into the query it would be computed again for every row
	IF time_column IS NOT NULL THEN
		conditions := conditions || format('s.%I <= %L::timestamptz', time_column, as_of);
		IF lookback IS NOT NULL THEN
			conditions := conditions || format('s.%I > %L::timestamptz', time_column, as_of - lookback);
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

-- The whole scoring query of a model as of a time: one row per account the model scores, with
-- the account's attributes and, in signal order (position), the signals' raw values and their
-- points after the missing-data policy.
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
	raw_by_position text[] := '{}';
	points_by_position text[] := '{}';
	group_alias text;
	group_number integer := 0;
	value_ref text;
	raw_value text;
	points text;
	missing_points text;
	ranked_value text;
	peers text;
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
			missing_points := CASE signal.missing WHEN 'zero' THEN '0' WHEN 'value' THEN signal.missing_value::text ELSE 'NULL' END;
			points := CASE signal.scoring
				WHEN 'linear' THEN format('healthscore.linear(%s, %s, %s)', value_ref, signal.worst, signal.best)
				WHEN 'logarithmic' THEN format('healthscore.logarithmic(%s, %s, %s)', value_ref, signal.worst, signal.best)
				WHEN 'bands' THEN format('healthscore.bands(%s, %L::float8[], %L::float8[])', value_ref, signal.breaks, signal.points)
				WHEN 'decay' THEN format('healthscore.decay(%s, %L::interval, %L::timestamptz)', value_ref, signal.half_life, as_of)
				WHEN 'points' THEN format('CASE WHEN %1$s < 0 OR %1$s > 100 THEN healthscore.points_out_of_range(%2$L, %1$s) ELSE %1$s END',
										  value_ref, signal.name)
				WHEN 'assessment' THEN value_ref
				ELSE NULL END;
			IF signal.scoring = 'percentile' THEN
				-- mid-rank percentile among the accounts that have a value: the share of the others
				-- below it, counting ties as half below (all equal: 50; a single account: 50)
				ranked_value := CASE WHEN signal.lower_is_better THEN format('-(%s)', raw_value) ELSE raw_value END;
				peers := format('PARTITION BY (%s) IS NULL', ranked_value);
				points := format('CASE WHEN (%1$s) IS NULL THEN %2$s'
								 ' WHEN count(*) OVER (%3$s) = 1 THEN 50'
								 ' ELSE 100 * ((rank() OVER (%3$s ORDER BY %1$s) + count(*) OVER (%3$s ORDER BY %1$s)) / 2.0 - 1)'
								 ' / (count(*) OVER (%3$s) - 1) END',
								 ranked_value, missing_points, peers);
			ELSE
				points := format('coalesce(%s, %s)', points, missing_points);
			END IF;
			raw_by_position[signal.position] := format('%s::float8', raw_value);
			points_by_position[signal.position] := format('(%s)::float8', points);
		END LOOP;
	END LOOP;
	IF group_number = 0 THEN
		RAISE EXCEPTION 'model "%" has no signals', found_model.name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add one with healthscore.add_signal().';
	END IF;

	-- array_to_string skips the NULL gaps that dropped signals leave between positions
	RETURN format($q$SELECT account.%I::text AS account_key, %s AS segment, %s AS value, %s AS owner, %s AS renewal_date,
       ARRAY[%s] AS raw_values,
       ARRAY[%s] AS points
FROM %s AS account%s
WHERE %s$q$,
		found_model.key_column,
		CASE WHEN found_model.segment_column IS NULL THEN 'NULL::text' ELSE format('account.%I::text', found_model.segment_column) END,
		CASE WHEN found_model.value_column IS NULL THEN 'NULL::numeric' ELSE format('account.%I::numeric', found_model.value_column) END,
		CASE WHEN found_model.owner_column IS NULL THEN 'NULL::text' ELSE format('account.%I::text', found_model.owner_column) END,
		CASE WHEN found_model.renewal_column IS NULL THEN 'NULL::date' ELSE format('account.%I::date', found_model.renewal_column) END,
		array_to_string(raw_by_position, E',\n         '),
		array_to_string(points_by_position, E',\n         '),
		found_model.accounts::regclass, joins,
		healthscore.segment_condition(found_model));
END
$$;

COMMENT ON FUNCTION healthscore.refresh_sql(text, timestamptz) IS
'the scoring query a refresh runs for a model: one row per account with its attributes, and its signals'' raw values and points as arrays in signal order; for EXPLAIN and for checking a model by hand';

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

-- jit is off for the refresh: its generated queries are large and cost enough to trigger
-- inlining and optimization, which take longer than they save (measured by make bench).
CREATE FUNCTION healthscore.refresh(model text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	found_model healthscore.models;
	run bigint;
	started timestamptz := clock_timestamp();
	signal_names text[];
	signal_weights float8[];
	accounts_total integer;
	accounts_with_score integer;
	tier_changes integer;
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
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, signal_weights
	FROM healthscore.signals AS s WHERE s.model = found_model.name;

	-- the scoring query runs as CREATE TABLE AS, which (unlike INSERT ... SELECT) may use parallel
	-- workers; the table holds one row per account. Left over from an earlier refresh in this
	-- transaction (backfill) it is dropped; checked, not DROP IF EXISTS, which would print notices
	-- into a scheduled job's log.
	IF to_regclass('pg_temp.healthscore_refresh_scored') IS NOT NULL THEN
		DROP TABLE pg_temp.healthscore_refresh_scored;
	END IF;
	EXECUTE 'CREATE TEMP TABLE healthscore_refresh_scored ON COMMIT DROP AS '
		|| healthscore.refresh_sql(found_model.name, as_of);

	INSERT INTO healthscore.runs (model, as_of, started_at, finished_at, accounts, accounts_scored, fingerprint,
								  signals, weights)
	VALUES (found_model.name, as_of, started, started, 0, 0, healthscore.fingerprint(found_model.name),
			signal_names, signal_weights)
	RETURNING run_id INTO run;

	-- the run before this one: its scores give the change, the tier change and the sparkline,
	-- written here once rather than computed by every query of the views
	SELECT r.run_id INTO previous_run FROM healthscore.runs AS r
	WHERE r.model = found_model.name AND r.run_id <> run AND (r.as_of, r.run_id) < (refresh.as_of, run)
	ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1;

	-- One statement writes every score with its explanation. The tier in force is the latest
	-- active override's (set_at <= as_of < expires_at), unless the model allows only lowering and
	-- that override would raise the computed tier: then the next one applies, if any. The computed
	-- tier stays beside it. A NULL or repeated account key fails the primary key or NOT NULL of
	-- scores; the handler turns that into an error that says what to fix.
	BEGIN
		WITH written AS (
			INSERT INTO healthscore.scores (run_id, model, account_key, score, tier, computed_tier, override_id,
											previous_score, previous_tier, sparkline, reasons, worst_signal,
											segment, value, owner, renewal_date, raw_values, points)
			SELECT run, found_model.name, a.account_key, a.score,
				   coalesce(a.override_tiers[a.chosen], a.computed_tier), a.computed_tier, a.override_ids[a.chosen],
				   previous.score, previous.tier, right(coalesce(previous.sparkline, '') || healthscore.spark(a.score), 12),
				   healthscore.score_reasons(signal_names, a.raw_values, a.points, signal_weights, 3),
				   healthscore.worst_signal(signal_names, a.points, signal_weights),
				   a.segment, a.value, a.owner, a.renewal_date, a.raw_values, a.points
			FROM (SELECT t.*,
						 CASE WHEN t.override_ids IS NOT NULL THEN
							 (SELECT min(i) FROM generate_subscripts(t.override_ids, 1) AS i
							  WHERE NOT (found_model.overrides_lower_only AND t.computed_tier <> 'unknown'
										 AND array_position(found_model.tier_labels, t.override_tiers[i])
											 > array_position(found_model.tier_labels, t.computed_tier)))
						 END AS chosen
				  FROM (SELECT p.*,
							   coalesce(healthscore.tier(p.score, found_model.tier_cutoffs, found_model.tier_labels),
										'unknown') AS computed_tier,
							   active.override_ids, active.override_tiers
						FROM (SELECT scored.*, healthscore.score_from_points(scored.points, signal_weights) AS score
							  FROM pg_temp.healthscore_refresh_scored AS scored
							  OFFSET 0) AS p	-- a fence: each score computed once
						LEFT JOIN (SELECT ov.account_key,
										  array_agg(ov.override_id ORDER BY ov.set_at DESC, ov.override_id DESC)
											AS override_ids,
										  array_agg(ov.tier ORDER BY ov.set_at DESC, ov.override_id DESC) AS override_tiers
								   FROM healthscore.overrides AS ov
								   WHERE ov.model = found_model.name
									 AND ov.set_at <= refresh.as_of AND ov.expires_at > refresh.as_of
								   GROUP BY ov.account_key) AS active ON active.account_key = p.account_key) AS t) AS a
			LEFT JOIN healthscore.scores AS previous
				ON previous.run_id = previous_run AND previous.account_key = a.account_key
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
		RAISE EXCEPTION 'refresh(): key column "%" of % is NULL or repeated in % rows',
			found_model.key_column, found_model.accounts, bad_keys
			USING ERRCODE = 'unique_violation',
				  HINT = 'Every account needs one row with a unique, non-NULL key; use a view over the accounts if needed.';
	END;

	UPDATE healthscore.runs
	SET finished_at = clock_timestamp(), accounts = accounts_total, accounts_scored = accounts_with_score
	WHERE run_id = run;
	DROP TABLE pg_temp.healthscore_refresh_scored;

	-- tell listeners (scheduled jobs, alerting) when the run commits: a small JSON payload
	PERFORM pg_notify('healthscore', json_build_object(
		'model', found_model.name, 'run_id', run, 'as_of', refresh.as_of,
		'accounts', accounts_total, 'scored', accounts_with_score, 'tier_changes', tier_changes)::text);
	RETURN run;
END
$$;

COMMENT ON FUNCTION healthscore.refresh(text, timestamptz) IS
'scores every account of a model as of a time (default now) and writes the run and its scores (with raw values and points per signal) in one transaction; returns the run id';

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
-- What people know: manual assessments of success factors, tier overrides, and playbooks.
-- Manual inputs go stale, so every one of them is dated and expires; expired inputs are ignored,
-- never silently kept.

-- Success factors a customer-success manager rates per account. The shipped rows come with the
-- extension; rows users add are theirs and are kept by pg_dump.
CREATE TABLE healthscore.success_factors (
	factor text PRIMARY KEY CHECK (factor <> ''),
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
	rating integer CHECK (rating BETWEEN 1 AND 5),
	points float8 NOT NULL CHECK (points >= 0 AND points <= 100),
	note text,
	assessed_by text NOT NULL DEFAULT CURRENT_USER,
	assessed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_for interval NOT NULL DEFAULT '90 days' CHECK (valid_for > interval '0')
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
	IF account_key IS NULL OR account_key = '' THEN
		RAISE EXCEPTION 'assess(): account_key must not be empty'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the account key as text, e.g. ''42''.';
	END IF;
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
	reason text NOT NULL CHECK (reason <> ''),
	set_by text NOT NULL DEFAULT CURRENT_USER,
	set_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at > set_at)
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
	PERFORM healthscore.tier_rank(found_model, tier);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'set_override(): reason is mandatory'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Say why the computed tier is wrong for this account.';
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
	action text NOT NULL CHECK (action <> ''),
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
-- Views for analysts and BI tools. All are security_invoker, so the reader's own privileges and
-- row-level security apply; columns are scalar (no arrays or json), named for reports.

-- Row-level security: a user sees the scores of the accounts they can see in the model's
-- account relation (account_visible asks that relation once per query). Writers (refresh) need
-- no filter, so inserts and deletes are allowed to whoever has the table privileges.
CREATE FUNCTION healthscore.account_visible(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION healthscore.account_visible(text, text) IS
'whether the current user can see the account in the model''s account relation (privileges and row-level security); the row-level security policy of the score tables';

ALTER TABLE healthscore.scores ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_accounts ON healthscore.scores FOR SELECT
	USING (healthscore.account_visible(model, account_key));
CREATE POLICY writers ON healthscore.scores FOR INSERT WITH CHECK (true);
CREATE POLICY removers ON healthscore.scores FOR DELETE USING (true);

-- Runs of each model, newest as-of time first (recency 1 = the current run).
CREATE VIEW healthscore.model_runs WITH (security_invoker = true) AS
SELECT r.model, r.run_id, r.as_of, r.started_at, r.finished_at, r.accounts, r.accounts_scored, r.fingerprint,
	   pg_catalog.row_number() OVER (PARTITION BY r.model ORDER BY r.as_of DESC, r.run_id DESC) AS recency
FROM healthscore.runs AS r;

COMMENT ON VIEW healthscore.model_runs IS 'every run of every model, with its recency (1 = current run, 2 = the one before, ...)';
COMMENT ON COLUMN healthscore.model_runs.model IS 'model';
COMMENT ON COLUMN healthscore.model_runs.run_id IS 'run identifier';
COMMENT ON COLUMN healthscore.model_runs.as_of IS 'the time the run describes';
COMMENT ON COLUMN healthscore.model_runs.started_at IS 'when the run started';
COMMENT ON COLUMN healthscore.model_runs.finished_at IS 'when the run finished';
COMMENT ON COLUMN healthscore.model_runs.accounts IS 'accounts in the account relation';
COMMENT ON COLUMN healthscore.model_runs.accounts_scored IS 'accounts with a score';
COMMENT ON COLUMN healthscore.model_runs.fingerprint IS 'md5 of the model definition the run used';
COMMENT ON COLUMN healthscore.model_runs.recency IS '1 for the latest as-of time, 2 for the one before, ...';

-- A bar character per score for text sparklines; a missing score is a space. In C
-- (score_breakdown.c): refresh() calls it once per account and run.
CREATE FUNCTION healthscore.spark(score float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_spark'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.spark(float8) IS
'one sparkline bar (▁ to █) for a score 0-100, a space for NULL';

CREATE VIEW healthscore.current_scores WITH (security_invoker = true) AS
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
	   s.score - s.previous_score AS change,
	   CASE WHEN s.score IS NULL OR s.previous_score IS NULL THEN NULL
			WHEN s.score - s.previous_score >= m.trend_threshold AND s.score > s.previous_score THEN 'up'
			WHEN s.previous_score - s.score >= m.trend_threshold AND s.score < s.previous_score THEN 'down'
			ELSE 'flat' END AS trend,
	   s.segment,
	   s.value,
	   s.owner,
	   s.renewal_date,
	   s.renewal_date - (r.as_of AT TIME ZONE 'UTC')::date AS days_to_renewal,
	   r.as_of AS scored_at,
	   s.sparkline,
	   s.reasons,
	   s.worst_signal,
	   s.run_id
FROM healthscore.model_runs AS r
JOIN healthscore.models AS m ON m.name = r.model
JOIN healthscore.scores AS s ON s.run_id = r.run_id
LEFT JOIN healthscore.overrides AS ov ON ov.override_id = s.override_id
WHERE r.recency = 1;

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
COMMENT ON COLUMN healthscore.current_scores.trend IS 'up, down or flat: up or down once the change reaches the model''s trend_threshold';
COMMENT ON COLUMN healthscore.current_scores.segment IS 'account segment';
COMMENT ON COLUMN healthscore.current_scores.value IS 'account value (ARR)';
COMMENT ON COLUMN healthscore.current_scores.owner IS 'account owner (CSM)';
COMMENT ON COLUMN healthscore.current_scores.renewal_date IS 'renewal date';
COMMENT ON COLUMN healthscore.current_scores.days_to_renewal IS 'days from the run''s as-of date (UTC) to the renewal date';
COMMENT ON COLUMN healthscore.current_scores.scored_at IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.current_scores.sparkline IS 'the last 12 scores, oldest first, as bars ▁ (0) to █ (100), as of when the run was written';
COMMENT ON COLUMN healthscore.current_scores.reasons IS 'the three signals that cost the most points: signal raw value (-points lost)';
COMMENT ON COLUMN healthscore.current_scores.worst_signal IS 'the signal that cost the most points';
COMMENT ON COLUMN healthscore.current_scores.run_id IS 'the run the score comes from';

CREATE VIEW healthscore.score_components WITH (security_invoker = true) AS
SELECT c.model, c.account_key, c.signal, sig.category, c.raw_value, c.points, c.weight, c.weight_share,
	   c.contribution, c.points_lost, sig.action, r.as_of AS scored_at, c.run_id
FROM healthscore.model_runs AS r
JOIN healthscore.components AS c ON c.run_id = r.run_id
LEFT JOIN healthscore.signals AS sig ON sig.model = c.model AND sig.name = c.signal
WHERE r.recency = 1
ORDER BY c.model, c.account_key, c.points_lost DESC, c.signal;

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

CREATE VIEW healthscore.risk_list WITH (security_invoker = true) AS
SELECT cs.model,
	   pg_catalog.row_number() OVER (PARTITION BY cs.model
									 ORDER BY cs.value * (100 - coalesce(cs.score, 0)) / 100 DESC NULLS LAST,
											  cs.score ASC NULLS FIRST, cs.account_key) AS priority,
	   cs.account_key,
	   cs.score,
	   cs.tier,
	   cs.trend,
	   cs.change,
	   cs.value,
	   cs.value * (100 - coalesce(cs.score, 0)) / 100 AS value_at_risk,
	   cs.reasons,
	   cs.worst_signal,
	   play.action,
	   play.owner_role AS action_owner,
	   cs.owner,
	   cs.days_to_renewal,
	   cs.renewal_date,
	   cs.segment,
	   cs.overridden,
	   cs.computed_tier,
	   cs.override_reason,
	   cs.sparkline,
	   cs.scored_at
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name = cs.model
-- the most specific playbook for every tier and costliest signal of a model, resolved once per
-- combination (few) rather than per account: tier and signal, that signal in any tier, the signal's
-- own action, the tier's playbook, the model's tier action
LEFT JOIN (
	SELECT DISTINCT ON (combination.model, combination.tier, combination.signal)
		   combination.model, combination.tier, combination.signal, candidate.action, candidate.owner_role
	FROM (SELECT mm.name AS model, t.tier, sig.name AS signal, mm.tier_labels, mm.tier_actions
		  FROM healthscore.models AS mm
		  CROSS JOIN LATERAL unnest(mm.tier_labels || '{unknown}'::text[]) AS t(tier)
		  -- every signal, and none (an account that lost no points still gets its tier's playbook)
		  CROSS JOIN LATERAL (SELECT s.name FROM healthscore.signals AS s WHERE s.model = mm.name
							  UNION ALL SELECT NULL) AS sig) AS combination
	CROSS JOIN LATERAL (
		SELECT 1 AS specificity, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model = combination.model AND pb.tier = combination.tier AND pb.signal = combination.signal
		UNION ALL
		SELECT 2, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model = combination.model AND pb.tier IS NULL AND pb.signal = combination.signal
		UNION ALL
		SELECT 3, sig.action, NULL FROM healthscore.signals AS sig
		WHERE sig.model = combination.model AND sig.name = combination.signal AND sig.action IS NOT NULL
		UNION ALL
		SELECT 4, pb.action, pb.owner_role FROM healthscore.playbooks AS pb
		WHERE pb.model = combination.model AND pb.tier = combination.tier AND pb.signal IS NULL
		UNION ALL
		SELECT 5, combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)], NULL
		WHERE combination.tier_actions[pg_catalog.array_position(combination.tier_labels, combination.tier)] IS NOT NULL
	) AS candidate
	ORDER BY combination.model, combination.tier, combination.signal, candidate.specificity
) AS play ON play.model = cs.model AND play.tier = cs.tier AND play.signal IS NOT DISTINCT FROM cs.worst_signal
WHERE cs.tier <> m.tier_labels[pg_catalog.cardinality(m.tier_labels)];

COMMENT ON VIEW healthscore.risk_list IS 'accounts below the top tier, most value at risk first, with the three signals that cost the most points and the action to take';
COMMENT ON COLUMN healthscore.risk_list.model IS 'model';
COMMENT ON COLUMN healthscore.risk_list.priority IS '1 = act first: most value at risk (value x points missing), then lowest score';
COMMENT ON COLUMN healthscore.risk_list.account_key IS 'account key as text';
COMMENT ON COLUMN healthscore.risk_list.score IS 'health score 0-100';
COMMENT ON COLUMN healthscore.risk_list.tier IS 'tier label';
COMMENT ON COLUMN healthscore.risk_list.trend IS 'up, down or flat since the run before';
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
COMMENT ON COLUMN healthscore.risk_list.sparkline IS 'the last 12 scores as bars';
COMMENT ON COLUMN healthscore.risk_list.scored_at IS 'as-of time of the run';

CREATE VIEW healthscore.score_history WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.account_key, s.score, s.tier, s.segment, s.value, s.owner, s.renewal_date,
	   r.fingerprint
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id = s.run_id;

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

CREATE VIEW healthscore.tier_changes WITH (security_invoker = true) AS
SELECT model, account_key, from_tier, tier AS to_tier, as_of AS changed_at, from_score, score AS to_score,
	   from_run_id, run_id AS to_run_id
FROM (SELECT h.*,
			 pg_catalog.lag(h.tier) OVER w AS from_tier,
			 pg_catalog.lag(h.score) OVER w AS from_score,
			 pg_catalog.lag(h.run_id) OVER w AS from_run_id
	  FROM healthscore.score_history AS h
	  WINDOW w AS (PARTITION BY h.model, h.account_key ORDER BY h.as_of, h.run_id)) AS changes
WHERE from_tier IS DISTINCT FROM tier AND from_run_id IS NOT NULL;

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

CREATE VIEW healthscore.tier_summary WITH (security_invoker = true) AS
SELECT s.model, s.run_id, r.as_of, s.tier, pg_catalog.count(*) AS accounts, pg_catalog.sum(s.value) AS total_value,
	   pg_catalog.avg(s.score) AS average_score
FROM healthscore.scores AS s
JOIN healthscore.runs AS r ON r.run_id = s.run_id
GROUP BY s.model, s.run_id, r.as_of, s.tier;

COMMENT ON VIEW healthscore.tier_summary IS 'per model, run and tier: how many accounts and how much value';
COMMENT ON COLUMN healthscore.tier_summary.model IS 'model';
COMMENT ON COLUMN healthscore.tier_summary.run_id IS 'run';
COMMENT ON COLUMN healthscore.tier_summary.as_of IS 'as-of time of the run';
COMMENT ON COLUMN healthscore.tier_summary.tier IS 'tier label';
COMMENT ON COLUMN healthscore.tier_summary.accounts IS 'accounts in the tier';
COMMENT ON COLUMN healthscore.tier_summary.total_value IS 'sum of the accounts'' value (ARR)';
COMMENT ON COLUMN healthscore.tier_summary.average_score IS 'average score in the tier';

CREATE VIEW healthscore.score_drops WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, cs.score, cs.tier, high.score AS previous_high, high.score - cs.score AS drop,
	   high.as_of AS high_at, cs.scored_at, cs.value, cs.owner, cs.segment
FROM healthscore.current_scores AS cs
JOIN healthscore.models AS m ON m.name = cs.model
CROSS JOIN LATERAL (
	SELECT h.score, h.as_of
	FROM healthscore.score_history AS h
	WHERE h.model = cs.model AND h.account_key = cs.account_key AND h.score IS NOT NULL
	  AND h.as_of >= cs.scored_at - m.drop_window AND h.as_of < cs.scored_at
	ORDER BY h.score DESC, h.as_of DESC
	LIMIT 1) AS high
WHERE high.score - cs.score >= m.drop_points;

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

-- Manual inputs that need a person: for every account a model with assessment signals scores,
-- each factor whose latest rating is missing, expired, or expires within 14 days.
CREATE VIEW healthscore.stale_assessments WITH (security_invoker = true) AS
SELECT cs.model, cs.account_key, sig.factor, latest.assessed_at AS last_assessed_at,
	   latest.assessed_at + latest.valid_for AS expires_at, latest.assessed_by AS last_assessed_by,
	   CASE WHEN latest.assessed_at IS NULL THEN 'missing'
			WHEN latest.assessed_at + latest.valid_for <= pg_catalog.now() THEN 'expired'
			ELSE 'expiring' END AS status,
	   cs.owner, cs.value
FROM healthscore.current_scores AS cs
JOIN healthscore.signals AS sig ON sig.model = cs.model AND sig.scoring = 'assessment'
LEFT JOIN LATERAL (
	SELECT a.assessed_at, a.valid_for, a.assessed_by
	FROM healthscore.assessments AS a
	WHERE a.account_key = cs.account_key AND a.factor = sig.factor
	ORDER BY a.assessed_at DESC, a.assessment_id DESC
	LIMIT 1) AS latest ON true
WHERE latest.assessed_at IS NULL OR latest.assessed_at + latest.valid_for <= pg_catalog.now() + interval '14 days';

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

-- Accounts of a model group that no model of the group scores (their filters all miss and the
-- group has no default model). Asks each group's account relation as the reader.
CREATE FUNCTION healthscore.unscored_accounts(model_group text)
RETURNS TABLE (account_key text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members healthscore.models[];
BEGIN
	SELECT array_agg(m ORDER BY m.priority DESC) INTO members
	FROM healthscore.models AS m WHERE m.model_group = unscored_accounts.model_group;
	IF members IS NULL THEN
		RAISE EXCEPTION 'unscored_accounts(): no model belongs to group "%"', model_group
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name, model_group FROM healthscore.models.';
	END IF;
	RETURN QUERY EXECUTE format('SELECT account.%I::text FROM %s AS account WHERE %s',
		members[1].key_column, members[1].accounts::regclass,
		(SELECT string_agg(format('NOT %s', healthscore.filter_condition(m.segment_filter)), ' AND ')
		 FROM unnest(members) AS m));
END
$$;

COMMENT ON FUNCTION healthscore.unscored_accounts(text) IS
'the accounts of a model group that no model of it scores (no filter matches and there is no default model)';

CREATE VIEW healthscore.unscored_accounts WITH (security_invoker = true) AS
SELECT g.model_group, u.account_key
FROM (SELECT DISTINCT m.model_group FROM healthscore.models AS m WHERE m.model_group IS NOT NULL) AS g
CROSS JOIN LATERAL healthscore.unscored_accounts(g.model_group) AS u;

COMMENT ON VIEW healthscore.unscored_accounts IS 'per model group, the accounts no model of the group scores';
COMMENT ON COLUMN healthscore.unscored_accounts.model_group IS 'model group';
COMMENT ON COLUMN healthscore.unscored_accounts.account_key IS 'account key as text';
-- Aggregate auc (auc.c): exact ROC AUC of a score against a boolean outcome (churned).

CREATE FUNCTION healthscore.auc_accum(state internal, score float8, churned boolean)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.auc_accum(internal, float8, boolean) IS
'transition function of auc(): keeps the score in the list of its class';

CREATE FUNCTION healthscore.auc_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.auc_combine(internal, internal) IS
'combine function of auc(): concatenates the score lists';

CREATE FUNCTION healthscore.auc_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_auc_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.auc_serialize(internal) IS
'serialize function of auc(): counts and scores in network byte order';

CREATE FUNCTION healthscore.auc_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_auc_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.auc_deserialize(bytea, internal) IS
'deserialize function of auc(): rebuilds the score lists, rejecting malformed bytes';

CREATE FUNCTION healthscore.auc_final(state internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_auc_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.auc_final(internal) IS
'final function of auc(): sorts both classes (interruptibly) and counts the pairs exactly';

CREATE AGGREGATE healthscore.auc(score float8, churned boolean) (
	SFUNC = healthscore.auc_accum,
	STYPE = internal,
	SSPACE = 8192,
	COMBINEFUNC = healthscore.auc_combine,
	SERIALFUNC = healthscore.auc_serialize,
	DESERIALFUNC = healthscore.auc_deserialize,
	FINALFUNC = healthscore.auc_final,
	FINALFUNC_MODIFY = READ_WRITE,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.auc(float8, boolean) IS
'exact ROC AUC: probability that a retained account (churned = false) scores higher than a churned one, ties counting one half; NULL rows skipped; NULL when a class is empty';
-- Aggregate logistic_fit (logistic.c): logistic regression of a boolean outcome on features.

CREATE TYPE healthscore.logistic_fit_result AS (
	coefficients float8[],
	std_errors float8[],
	log_likelihood float8,
	iterations integer,
	converged boolean,
	rows bigint
);

COMMENT ON TYPE healthscore.logistic_fit_result IS
'result of logistic_fit(): coefficients and standard errors (intercept first, then the features in order), log-likelihood, Newton iterations, convergence, rows used';

CREATE FUNCTION healthscore.logistic_accum(state internal, outcome boolean, features float8[])
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_accum'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logistic_accum(internal, boolean, float8[]) IS
'transition function of logistic_fit(): keeps the row';

CREATE FUNCTION healthscore.logistic_combine(state internal, other internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logistic_combine(internal, internal) IS
'combine function of logistic_fit(): concatenates the rows';

CREATE FUNCTION healthscore.logistic_serialize(state internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'healthscore_logistic_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logistic_serialize(internal) IS
'serialize function of logistic_fit(): the rows in network byte order';

CREATE FUNCTION healthscore.logistic_deserialize(bytes bytea, unused internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'healthscore_logistic_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logistic_deserialize(bytea, internal) IS
'deserialize function of logistic_fit(): rebuilds the rows, rejecting malformed bytes';

CREATE FUNCTION healthscore.logistic_final(state internal)
RETURNS healthscore.logistic_fit_result
AS 'MODULE_PATHNAME', 'healthscore_logistic_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logistic_final(internal) IS
'final function of logistic_fit(): Newton iterations to convergence, standard errors from the inverse Hessian';

CREATE AGGREGATE healthscore.logistic_fit(outcome boolean, features float8[]) (
	SFUNC = healthscore.logistic_accum,
	STYPE = internal,
	SSPACE = 65536,
	COMBINEFUNC = healthscore.logistic_combine,
	SERIALFUNC = healthscore.logistic_serialize,
	DESERIALFUNC = healthscore.logistic_deserialize,
	FINALFUNC = healthscore.logistic_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.logistic_fit(boolean, float8[]) IS
'logistic regression of outcome on features by Newton''s method (as R glm binomial); errors on one-class outcomes, collinear or constant features and perfect separation';
-- Validation against real outcomes: where churn is recorded, how well each run's scores predicted
-- it (AUC, churn by tier, lift), and which weights the data suggests.

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

CREATE FUNCTION healthscore.set_outcomes(model text, outcomes regclass, key text, churned_on text,
										 reason text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	date_type regtype;
BEGIN
	PERFORM healthscore.model_row(model);
	PERFORM healthscore.check_column('set_outcomes', 'key', outcomes, key);
	PERFORM healthscore.check_column('set_outcomes', 'churned_on', outcomes, churned_on);
	IF reason IS NOT NULL THEN
		PERFORM healthscore.check_column('set_outcomes', 'reason', outcomes, reason);
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

COMMENT ON FUNCTION healthscore.set_outcomes(text, regclass, text, text, text) IS
'names the relation where a model''s churned accounts are recorded: account key, churn date, optional reason';

-- The scored population of every run that has a full horizon of known outcomes after it: one row
-- per run and account with a score, not churned by the run's as-of time, and whether it churned
-- within the horizon. The shared ground of evaluate(), evaluate_tiers() and suggest_weights().
CREATE FUNCTION healthscore.run_outcomes(model text, horizon interval, known_until timestamptz)
RETURNS TABLE (run_id bigint, as_of timestamptz, account_key text, score float8, tier text, churned boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_model healthscore.models := healthscore.model_row(model);
BEGIN
	IF found_model.outcomes IS NULL THEN
		RAISE EXCEPTION 'model "%" has no outcome relation', found_model.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Name it with healthscore.set_outcomes(model, outcomes, key, churned_on).';
	END IF;
	IF horizon IS NULL OR NOT horizon > interval '0' THEN
		RAISE EXCEPTION 'horizon must be a positive interval, not %', coalesce(horizon::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. ''90 days''.';
	END IF;
	IF known_until IS NULL OR NOT isfinite(known_until) THEN
		RAISE EXCEPTION 'known_until must be a finite timestamp'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the time up to which churn is recorded, e.g. now().';
	END IF;
	RETURN QUERY EXECUTE format(
		'SELECT s.run_id, r.as_of, s.account_key, s.score, s.tier,
		        coalesce(o.churned_at <= r.as_of + $2, false) AS churned
		 FROM healthscore.runs AS r
		 JOIN healthscore.scores AS s ON s.run_id = r.run_id
		 LEFT JOIN (SELECT %I::text AS account_key, min(%I)::timestamptz AS churned_at
		            FROM %s GROUP BY 1) AS o ON o.account_key = s.account_key
		 WHERE r.model = $1 AND r.as_of + $2 <= $3 AND s.score IS NOT NULL
		   AND (o.churned_at IS NULL OR o.churned_at > r.as_of)',
		found_model.outcome_key, found_model.outcome_date, found_model.outcomes::regclass)
	USING found_model.name, horizon, known_until;
END
$$;

COMMENT ON FUNCTION healthscore.run_outcomes(text, interval, timestamptz) IS
'per evaluable run (as_of + horizon <= known_until) and scored account still a customer at as_of: whether it churned within the horizon';

CREATE FUNCTION healthscore.evaluate_tiers(model text, horizon interval DEFAULT '90 days',
										   known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, tier text, tier_rank integer,
			   accounts bigint, churned bigint, churn_rate float8)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT o.run_id, o.as_of, o.tier, array_position(m.tier_labels, o.tier),
		   count(*), count(*) FILTER (WHERE o.churned), avg(o.churned::integer)::float8
	FROM healthscore.models AS m,
		 healthscore.run_outcomes(evaluate_tiers.model, horizon, known_until) AS o
	WHERE m.name = evaluate_tiers.model
	GROUP BY m.tier_labels, o.run_id, o.as_of, o.tier
$$;

COMMENT ON FUNCTION healthscore.evaluate_tiers(text, interval, timestamptz) IS
'churn within the horizon per evaluable run and tier (tier_rank 1 = worst tier): accounts, churned, churn rate';

CREATE FUNCTION healthscore.evaluate(model text, horizon interval DEFAULT '90 days',
									 known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (run_id bigint, as_of timestamptz, horizon interval, accounts bigint, churned bigint,
			   churn_rate float8, auc float8, worst_tier text, worst_tier_churn_rate float8, best_tier text,
			   best_tier_churn_rate float8, lift_worst_tier float8, churn_falls_by_tier boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH runs AS (
		SELECT o.run_id, o.as_of, count(*) AS accounts, count(*) FILTER (WHERE o.churned) AS churned,
			   avg(o.churned::integer)::float8 AS churn_rate, healthscore.auc(o.score, o.churned) AS auc
		FROM healthscore.run_outcomes(evaluate.model, evaluate.horizon, known_until) AS o
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

COMMENT ON FUNCTION healthscore.evaluate(text, interval, timestamptz) IS
'per run with a full horizon of outcomes: AUC of the score against churn within the horizon, churn rate, worst and best tier churn rates, lift of the worst tier, whether churn falls from the worst to the best tier';

CREATE VIEW healthscore.model_accuracy WITH (security_invoker = true) AS
SELECT m.name AS model, e.run_id, e.as_of, e.horizon, e.accounts, e.churned, e.churn_rate, e.auc, e.worst_tier,
	   e.worst_tier_churn_rate, e.best_tier, e.best_tier_churn_rate, e.lift_worst_tier, e.churn_falls_by_tier
FROM healthscore.models AS m
CROSS JOIN LATERAL healthscore.evaluate(m.name) AS e
WHERE m.outcomes IS NOT NULL;

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

-- Weights from data: logistic regression of churn on the signals' points (0-1) over the earlier
-- evaluable runs; AUCs measured on the later ones (a time-based split, so the test is honest).
-- A signal missing for an account takes the account's score, which is what redistributing its
-- weight means.
CREATE FUNCTION healthscore.suggest_weights(model text, horizon interval DEFAULT '90 days',
											known_until timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (signal text, current_weight float8, suggested_weight float8, coefficient float8,
			   std_error float8, wrong_direction boolean, note text, signal_auc float8, model_auc_current float8,
			   model_auc_suggested float8, fit_runs integer, test_runs integer, fit_rows bigint, test_rows bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE	-- a temporary table holds the rows it fits and tests
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	signal_names text[];
	weights float8[];
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
	SELECT array_agg(s.name ORDER BY s.position), array_agg(s.weight ORDER BY s.position)
	INTO signal_names, weights FROM healthscore.signals AS s WHERE s.model = suggest_weights.model;
	IF signal_names IS NULL THEN
		RAISE EXCEPTION 'suggest_weights(): model "%" has no signals', model
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Add signals and refresh first.';
	END IF;

	CREATE TEMP TABLE healthscore_suggest_rows ON COMMIT DROP AS
	SELECT o.run_id, o.as_of, o.account_key, o.score, o.churned,
		   array_agg(coalesce(c.points, o.score) / 100 ORDER BY array_position(signal_names, c.signal)) AS features,
		   count(c.signal) AS signals
	FROM healthscore.run_outcomes(model, horizon, known_until) AS o
	JOIN healthscore.components AS c ON c.run_id = o.run_id AND c.account_key = o.account_key
	WHERE c.signal = ANY (signal_names)
	GROUP BY o.run_id, o.as_of, o.account_key, o.score, o.churned;
	-- runs made before a signal was added lack it: they cannot be fitted on the current signals
	DELETE FROM healthscore_suggest_rows WHERE signals <> cardinality(signal_names);

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

	fit := (SELECT healthscore.logistic_fit(r.churned, r.features)
			FROM healthscore_suggest_rows AS r WHERE r.run_id <= runs[fit_run_count]);
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
	SELECT array_agg(i / total_importance * (SELECT sum(w) FROM unnest(weights) AS w) ORDER BY n) INTO suggested
	FROM unnest(importance) WITH ORDINALITY AS u(i, n);

	SELECT healthscore.auc(r.score, r.churned),
		   healthscore.auc((SELECT sum(f * s) FROM unnest(r.features, suggested) AS x(f, s)), r.churned),
		   count(*)
	INTO auc_current, auc_suggested, test_row_count
	FROM healthscore_suggest_rows AS r WHERE r.run_id > runs[fit_run_count];

	RETURN QUERY
	SELECT signal_names[i], weights[i], suggested[i], fit.coefficients[i + 1],
		   fit.std_errors[i + 1], fit.coefficients[i + 1] > 0,
		   -- a positive coefficient is conditional on the other signals: alone, the signal may still
		   -- predict the right way (it then adds nothing beyond them), or it predicts the wrong way
		   CASE WHEN fit.coefficients[i + 1] <= 0 THEN NULL
				WHEN own_auc.auc < 0.5 THEN 'predicts the wrong way'
				ELSE 'adds nothing beyond the other signals' END,
		   own_auc.auc, auc_current, auc_suggested, fit_run_count, cardinality(runs) - fit_run_count,
		   fit_row_count, test_row_count
	FROM generate_subscripts(signal_names, 1) AS i
	CROSS JOIN LATERAL (SELECT healthscore.auc(r.features[i], r.churned) AS auc FROM healthscore_suggest_rows AS r
						WHERE r.run_id > runs[fit_run_count]) AS own_auc
	ORDER BY suggested[i] DESC, signal_names[i];
	DROP TABLE healthscore_suggest_rows;
END
$$;

COMMENT ON FUNCTION healthscore.suggest_weights(text, interval, timestamptz) IS
'weights suggested by a logistic regression of churn on the signals'' points (earlier runs), with each signal''s AUC and the model''s AUC with current and suggested weights on later runs';

CREATE FUNCTION healthscore.apply_weights(model text, horizon interval DEFAULT '90 days',
										  known_until timestamptz DEFAULT pg_catalog.now(),
										  min_share float8 DEFAULT 0.01)
RETURNS TABLE (signal text, old_weight float8, new_weight float8)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	suggestion record;
	total float8;
BEGIN
	IF min_share IS NULL OR NOT (min_share > 0 AND min_share < 1) THEN
		RAISE EXCEPTION 'apply_weights(): min_share must be between 0 and 1, not %', min_share
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The default, 0.01, gives 1% of the total weight.';
	END IF;
	SELECT sum(s.weight) INTO total FROM healthscore.signals AS s WHERE s.model = apply_weights.model;
	-- weights must stay positive: a signal suggested at 0 keeps min_share of the total
	FOR suggestion IN SELECT * FROM healthscore.suggest_weights(model, horizon, known_until) LOOP
		signal := suggestion.signal;
		old_weight := suggestion.current_weight;
		new_weight := greatest(suggestion.suggested_weight, min_share * total);
		PERFORM healthscore.set_weight(model, signal, new_weight);
		RETURN NEXT;
	END LOOP;
END
$$;

COMMENT ON FUNCTION healthscore.apply_weights(text, interval, timestamptz, float8) IS
'sets a model''s weights to suggest_weights(); a signal suggested at 0 gets min_share of the total (weights stay positive); later runs get a new fingerprint';
-- Privileges. Defining models, refreshing and scheduling write shared tables and run the model
-- author's SQL expressions with the caller's privileges, so PUBLIC may not call them: an
-- administrator grants them with grant_admin(). Reading goes through grant_reader().

-- The one list of what an administrator may call and PUBLIC may not.
CREATE FUNCTION healthscore.admin_functions()
RETURNS regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY[
		'healthscore.create_model(text, regclass, text, text, text, text, text, text, float8[], text[], text[], float8, float8, interval, text, text, integer, boolean)',
		'healthscore.add_signal(text, text, regclass, text, text, text, float8, text, interval, float8, float8, float8[], float8[], interval, boolean, text, text, float8, text, text, text)',
		'healthscore.alter_signal(text, text, float8, text, text, float8, float8, float8[], float8[], interval, interval, text, text, float8, text, text)',
		'healthscore.set_weight(text, text, float8)',
		'healthscore.drop_signal(text, text)',
		'healthscore.drop_model(text)',
		'healthscore.check_signal(healthscore.signals, text)',
		'healthscore.refresh(text, timestamptz)',
		'healthscore.backfill(text, timestamptz, timestamptz, interval)',
		'healthscore.schedule(text, text)',
		'healthscore.unschedule(text, boolean)',
		'healthscore.set_outcomes(text, regclass, text, text, text)',
		'healthscore.apply_weights(text, interval, timestamptz, float8)',
		'healthscore.refresh_group(text, timestamptz)',
		'healthscore.set_override(text, text, text, text, timestamptz, timestamptz)',
		'healthscore.clear_override(text, text, timestamptz)',
		'healthscore.add_playbook(text, text, text, text, text)',
		'healthscore.assess(text, text, integer, float8, text, interval, timestamptz)'
	]::regprocedure[]
$$;

COMMENT ON FUNCTION healthscore.admin_functions() IS
'the functions that define, refresh and schedule models: revoked from PUBLIC, granted by grant_admin()';

DO $$
DECLARE
	admin_function regprocedure;
BEGIN
	FOREACH admin_function IN ARRAY healthscore.admin_functions() LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', admin_function);
	END LOOP;
END
$$;

-- The views are security_invoker: a reader needs SELECT on the tables behind them too (and
-- row-level security on those tables limits what they see to the accounts they may see).
CREATE FUNCTION healthscore.grant_reader(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	EXECUTE format('GRANT USAGE ON SCHEMA healthscore TO %s', role);
	EXECUTE format('GRANT SELECT ON healthscore.current_scores, healthscore.score_components, healthscore.risk_list,
		healthscore.score_history, healthscore.tier_changes, healthscore.tier_summary, healthscore.model_runs,
		healthscore.model_accuracy, healthscore.score_drops, healthscore.models, healthscore.signals, healthscore.runs,
		healthscore.scores, healthscore.components, healthscore.churn_reasons, healthscore.success_factors,
		healthscore.playbooks, healthscore.overrides, healthscore.assessments, healthscore.stale_assessments,
		healthscore.unscored_accounts TO %s', role);
END
$$;

COMMENT ON FUNCTION healthscore.grant_reader(regrole) IS
'lets a role read the views (and the tables behind them, which security_invoker views need); row-level security still limits the accounts it sees';

CREATE FUNCTION healthscore.grant_admin(role regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM healthscore.grant_reader(role);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON healthscore.models, healthscore.signals,
		healthscore.runs, healthscore.scores, healthscore.churn_reasons,
		healthscore.success_factors, healthscore.assessments, healthscore.overrides, healthscore.playbooks TO %s', role);
	EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE healthscore.runs_run_id_seq, healthscore.assessments_assessment_id_seq,
		healthscore.overrides_override_id_seq, healthscore.playbooks_playbook_id_seq TO %s', role);
	EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s',
				   (SELECT string_agg(f::text, ', ') FROM unnest(healthscore.admin_functions()) AS f), role);
END
$$;

COMMENT ON FUNCTION healthscore.grant_admin(regrole) IS
'lets a role define models, refresh and schedule them (it also needs SELECT on the account and source relations)';

-- Granting is for those who own the extension's objects.
REVOKE ALL ON FUNCTION healthscore.grant_reader(regrole) FROM PUBLIC;
REVOKE ALL ON FUNCTION healthscore.grant_admin(regrole) FROM PUBLIC;

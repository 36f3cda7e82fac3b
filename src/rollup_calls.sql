-- What rollups keep (rollup_calls.c, rollup_values.c): the aggregate calls of a signal that a
-- rollup holds, one float8 per call and day for counts, sums, minima and maxima, one exact set
-- for distinct_count() and stickiness(); and the way back to the values the signal's expression
-- expects. The tables are in tables.sql, the queries over them in generation.sql, their upkeep
-- in rollups.sql.

CREATE FUNCTION healthscore_internal.rollup_expression(model text, source regclass, source_key text, signal text,
													   expression text, window_flag text, numbers text[], ops text[], sets text[],
													   OUT all_numbers text[], OUT all_ops text[], OUT all_sets text[],
													   OUT combined text, OUT problem text)
AS 'MODULE_PATHNAME', 'healthscore_rollup_expression'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION healthscore_internal.rollup_expression(text, regclass, text, text, text, text, text[], text[], text[]) IS
'analyses a signal''s expression as the model''s author: the bucket calls of the rollup so far (numbers with their combining op, sets) with this expression''s added, the expression over the rolled-up rows r whose column window_flag is true (combined), or why it cannot be rolled up (problem)';

CREATE FUNCTION healthscore_internal.rollup_number(value anyelement, model text, signal text)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_rollup_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.rollup_number(anyelement, text, text) IS
'a day''s count, sum, min or max as the float8 a rollup keeps: integers up to 2^53, reals, booleans, dates and timestamps exactly, anything else an error naming the model and signal';

CREATE FUNCTION healthscore_internal.rollup_restore(number float8, type anyelement, model text, signal text)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'healthscore_rollup_restore'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.rollup_restore(float8, anyelement, text, text) IS
'a combined rollup number as a value of the type of type (its value is not read): the type the aggregate call it replaces returns';

CREATE FUNCTION healthscore_internal.rollup_average(sum float8, count float8, type anyelement, model text, signal text)
RETURNS anyelement
AS 'MODULE_PATHNAME', 'healthscore_rollup_average'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.rollup_average(float8, float8, anyelement, text, text) IS
'avg() from a rolled-up sum and count, as avg() computes it: float8 or numeric (the type of type), NULL when the count is 0';

CREATE FUNCTION healthscore_internal.exact_set_same(a healthscore.exact_set, b healthscore.exact_set)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_exact_set_same'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_set_same(healthscore.exact_set, healthscore.exact_set) IS
'whether two exact sets hold the same keys (their bytes differ: a large set is hashed with a key of its own); sets of two kinds are an error';

CREATE FUNCTION healthscore_internal.exact_sets_same(a healthscore.exact_set[], b healthscore.exact_set[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_exact_sets_same'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.exact_sets_same(healthscore.exact_set[], healthscore.exact_set[]) IS
'whether two arrays of exact sets hold the same sets, element by element (a NULL element matches only a NULL one): the sets of two rollup states';

-- A day's exact set, for distinct_count() and stickiness() rolled up: their transition
-- functions without their final functions. Sets of days are united by exact_set_union().
CREATE AGGREGATE healthscore_internal.distinct_count_state(value bigint) (
	SFUNC = healthscore_internal.distinct_count_int8_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(bigint) IS
'the exact set of distinct_count(bigint) without its count: what a rollup keeps per day';

CREATE AGGREGATE healthscore_internal.distinct_count_state(value text) (
	SFUNC = healthscore_internal.distinct_count_text_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(text) IS
'the exact set of distinct_count(text) without its count: what a rollup keeps per day';

CREATE AGGREGATE healthscore_internal.distinct_count_state(value uuid) (
	SFUNC = healthscore_internal.distinct_count_uuid_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 512,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.distinct_count_state(uuid) IS
'the exact set of distinct_count(uuid) without its count: what a rollup keeps per day';

CREATE AGGREGATE healthscore_internal.stickiness_state(user_id bigint, at timestamptz) (
	SFUNC = healthscore_internal.stickiness_accum,
	STYPE = healthscore.exact_set,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.stickiness_state(bigint, timestamptz) IS
'the exact set of (user, day) pairs of stickiness() without its ratio: what a rollup keeps per day';

-- A day's nps() counts (responses, promoters, detractors) without the score.
CREATE AGGREGATE healthscore_internal.nps_state(rating integer) (
	SFUNC = healthscore_internal.nps_accum,
	STYPE = int8[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore_internal.nps_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.nps_state(integer) IS
'the counts of nps() (responses, promoters, detractors) without the score: what a rollup keeps per day';

CREATE AGGREGATE healthscore_internal.exact_set_union(set healthscore.exact_set) (
	SFUNC = healthscore_internal.exact_set_combine,
	STYPE = healthscore.exact_set,
	SSPACE = 1024,
	COMBINEFUNC = healthscore_internal.exact_set_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore_internal.exact_set_union(healthscore.exact_set) IS
'the union of exact sets of one kind (days of a rollup into a window); NULL sets are skipped';

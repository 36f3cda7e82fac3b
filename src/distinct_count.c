/*
 * distinct_count.c
 *		Aggregate distinct_count(value) for bigint, text and uuid: the exact number of distinct
 *		non-NULL values, e.g. active users per account.
 *
 * The state is an exact_set (exact_set.c: small sets flat and sorted, large ones hash sets of
 * distinct_set.c) with a combine function, so unlike count(DISTINCT ...) it runs in parallel,
 * ships between nodes and needs no sort per group.
 * text values are compared byte for byte, which is what a deterministic collation means;
 * a nondeterministic collation (e.g. case-insensitive ICU) is rejected rather than ignored.
 */
#include "postgres.h"

#include "distinct_set.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(healthscore_distinct_count_int8_step);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_text_step);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_uuid_step);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_result);
PG_FUNCTION_INFO_V1(healthscore_distinct_state_count);
PG_FUNCTION_INFO_V1(healthscore_distinct_set_probes);

static Datum
int8_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	int64		value;

	if (PG_ARGISNULL(1))
		return hs_keep_state(fcinfo);
	value = PG_GETARG_INT64(1);
	return hs_exact_set_accum(fcinfo, HS_SET_INT8, &value, sizeof(value), "distinct_count", internal_state);
}

static Datum
text_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	text	   *value;

	if (PG_ARGISNULL(1))
		return hs_keep_state(fcinfo);
	if (PG_ARGISNULL(0))
	{
		Oid			collation = PG_GET_COLLATION();

		if (OidIsValid(collation) && !get_collation_isdeterministic(collation))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("distinct_count(): nondeterministic collations are not supported"),
					 errhint("Normalize the values first, e.g. distinct_count(lower(value)), or use COLLATE \"C\".")));
	}
	value = PG_GETARG_TEXT_PP(1);
	return hs_exact_set_accum(fcinfo, HS_SET_TEXT, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value),
							  "distinct_count", internal_state);
}

static Datum
uuid_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	if (PG_ARGISNULL(1))
		return hs_keep_state(fcinfo);
	return hs_exact_set_accum(fcinfo, HS_SET_UUID, PG_GETARG_UUID_P(1)->data, UUID_LEN, "distinct_count",
							  internal_state);
}

/* Like count(), no rows count 0. */
static Datum
count_final(FunctionCallInfo fcinfo, bool internal_state)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64((int64) hs_exact_set_count(fcinfo, "distinct_count_final", internal_state));
}

Datum
healthscore_distinct_count_int8_step(PG_FUNCTION_ARGS)
{
	return int8_accum(fcinfo, false);
}

Datum
healthscore_distinct_count_text_step(PG_FUNCTION_ARGS)
{
	return text_accum(fcinfo, false);
}

Datum
healthscore_distinct_count_uuid_step(PG_FUNCTION_ARGS)
{
	return uuid_accum(fcinfo, false);
}

Datum
healthscore_distinct_count_result(PG_FUNCTION_ARGS)
{
	return count_final(fcinfo, false);
}

/*
 * distinct_state_count(bytes): the number of values in the binary form of a distinct_count() or
 * stickiness() state (the bytes of an exact_set, as exact_set_send writes them), after the same
 * byte-for-byte validation the type's input and receive functions do.
 */
Datum
healthscore_distinct_state_count(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set = hs_set_deserialize_any(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext,
												"distinct_state_count");

	PG_RETURN_INT64((int64) hs_set_count(set));
}

/*
 * distinct_set_probes(bytes): how many slots beyond the first the set looked at while it was
 * rebuilt from the binary form of an exact_set: about the number of values for keys the hash spreads, their
 * square for keys made to collide. A deterministic measure of hash flooding, for tests.
 */
Datum
healthscore_distinct_set_probes(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set = hs_set_deserialize_any(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext,
												"distinct_set_probes");

	PG_RETURN_INT64((int64) hs_set_probes(set));
}

/* The 0.1.0 interface (internal sets), for installations not yet updated: aggregate_support.c. */
PG_FUNCTION_INFO_V1(healthscore_distinct_count_int8_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_text_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_uuid_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_int8_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_text_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_uuid_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_final);

Datum
healthscore_distinct_count_int8_accum(PG_FUNCTION_ARGS)
{
	return int8_accum(fcinfo, true);
}

Datum
healthscore_distinct_count_text_accum(PG_FUNCTION_ARGS)
{
	return text_accum(fcinfo, true);
}

Datum
healthscore_distinct_count_uuid_accum(PG_FUNCTION_ARGS)
{
	return uuid_accum(fcinfo, true);
}

Datum
healthscore_distinct_count_int8_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &hs_exact_set_family, "distinct_count_deserialize");
}

Datum
healthscore_distinct_count_text_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &hs_exact_set_family, "distinct_count_deserialize");
}

Datum
healthscore_distinct_count_uuid_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &hs_exact_set_family, "distinct_count_deserialize");
}

Datum
healthscore_distinct_count_final(PG_FUNCTION_ARGS)
{
	return count_final(fcinfo, true);
}

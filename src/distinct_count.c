/*
 * distinct_count.c
 *		Aggregate distinct_count(value) for bigint, text and uuid: the exact number of distinct
 *		non-NULL values, e.g. active users per account.
 *
 * The state is an internal hash set (distinct_set.c) with serialize, deserialize and combine
 * functions, so unlike count(DISTINCT ...) it runs in parallel and needs no sort per group.
 * text values are compared byte for byte, which is what a deterministic collation means;
 * a nondeterministic collation (e.g. case-insensitive ICU) is rejected rather than ignored.
 */
#include "postgres.h"

#include "distinct_set.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/lsyscache.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(healthscore_distinct_count_int8_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_text_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_uuid_accum);
PG_FUNCTION_INFO_V1(healthscore_distinct_set_combine);
PG_FUNCTION_INFO_V1(healthscore_distinct_set_serialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_int8_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_text_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_uuid_deserialize);
PG_FUNCTION_INFO_V1(healthscore_distinct_count_final);
PG_FUNCTION_INFO_V1(healthscore_distinct_state_count);
PG_FUNCTION_INFO_V1(healthscore_distinct_set_probes);

/* The set of this group, created on its first non-NULL value. */
static HsDistinctSet *
group_set(FunctionCallInfo fcinfo, HsSetKind kind, const char *func)
{
	MemoryContext context = hs_aggregate_context(fcinfo, func);

	if (!PG_ARGISNULL(0))
		return (HsDistinctSet *) PG_GETARG_POINTER(0);
	return hs_set_create(context, kind);
}

Datum
healthscore_distinct_count_int8_accum(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set;
	int64		value;

	if (PG_ARGISNULL(1))
		return keep_state(fcinfo);
	set = group_set(fcinfo, HS_SET_INT8, "distinct_count");
	value = PG_GETARG_INT64(1);
	hs_set_add(set, &value, sizeof(value));
	PG_RETURN_POINTER(set);
}

Datum
healthscore_distinct_count_text_accum(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set;
	text	   *value;

	if (PG_ARGISNULL(1))
		return keep_state(fcinfo);
	if (PG_ARGISNULL(0))
	{
		Oid			collation = PG_GET_COLLATION();

		if (OidIsValid(collation) && !get_collation_isdeterministic(collation))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("distinct_count(): nondeterministic collations are not supported"),
					 errhint("Normalize the values first, e.g. distinct_count(lower(value)), or use COLLATE \"C\".")));
	}
	set = group_set(fcinfo, HS_SET_TEXT, "distinct_count");
	value = PG_GETARG_TEXT_PP(1);
	hs_set_add(set, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
	PG_RETURN_POINTER(set);
}

Datum
healthscore_distinct_count_uuid_accum(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set;

	if (PG_ARGISNULL(1))
		return keep_state(fcinfo);
	set = group_set(fcinfo, HS_SET_UUID, "distinct_count");
	hs_set_add(set, PG_GETARG_UUID_P(1)->data, UUID_LEN);
	PG_RETURN_POINTER(set);
}

static void *
set_merge(MemoryContext context, void *into, const void *from)
{
	const HsDistinctSet *other = (const HsDistinctSet *) from;
	HsDistinctSet *set = into ? (HsDistinctSet *) into : hs_set_create(context, hs_set_kind(other));

	hs_set_merge(set, other);
	return set;
}

/* Combine (shared with stickiness): union of two sets. */
Datum
healthscore_distinct_set_combine(PG_FUNCTION_ARGS)
{
	return hs_combine_states(fcinfo, "distinct_set_combine", set_merge);
}

Datum
healthscore_distinct_set_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(hs_set_serialize((HsDistinctSet *) PG_GETARG_POINTER(0)));
}

Datum
healthscore_distinct_count_int8_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(hs_set_deserialize(PG_GETARG_BYTEA_PP(0), HS_SET_INT8,
										 CurrentMemoryContext, "distinct_count_deserialize"));
}

Datum
healthscore_distinct_count_text_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(hs_set_deserialize(PG_GETARG_BYTEA_PP(0), HS_SET_TEXT,
										 CurrentMemoryContext, "distinct_count_deserialize"));
}

Datum
healthscore_distinct_count_uuid_deserialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(hs_set_deserialize(PG_GETARG_BYTEA_PP(0), HS_SET_UUID,
										 CurrentMemoryContext, "distinct_count_deserialize"));
}

/* Like count(), no rows count 0. */
Datum
healthscore_distinct_count_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64((int64) hs_set_count((HsDistinctSet *) PG_GETARG_POINTER(0)));
}

/*
 * distinct_state_count(bytes): the number of values in a serialized distinct_count() or
 * stickiness() state, after the same byte-for-byte validation the deserialize functions do.
 * Internal-typed functions cannot be called from SQL, so this is how a person (or a test) checks
 * a state that a parallel worker or another node produced.
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
 * rebuilt from a serialized state: about the number of values for keys the hash spreads, their
 * square for keys made to collide. A deterministic measure of hash flooding, for tests.
 */
Datum
healthscore_distinct_set_probes(PG_FUNCTION_ARGS)
{
	HsDistinctSet *set = hs_set_deserialize_any(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext,
												"distinct_set_probes");

	PG_RETURN_INT64((int64) hs_set_probes(set));
}

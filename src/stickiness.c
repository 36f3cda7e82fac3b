/*
 * stickiness.c
 *		Aggregate stickiness(user_id, at) = average daily active users / distinct users, over
 *		the span from the first to the last event's UTC day inclusive (a day without events
 *		counts as 0 active users). Between 0 and 1; 1 means every user is active every day.
 *
 * The state is the exact_set of distinct (user, UTC day) pairs (exact_set.c): its size is the
 * sum of daily active users, and the distinct users and the span follow from it at the end.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "distinct_set.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(healthscore_stickiness_step);
PG_FUNCTION_INFO_V1(healthscore_stickiness_result);

static Datum
stickiness_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	HsUserDay	key;
	TimestampTz at;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return hs_keep_state(fcinfo);	/* NULL user or time: skipped */

	at = PG_GETARG_TIMESTAMPTZ(2);
	if (unlikely(TIMESTAMP_NOT_FINITE(at)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stickiness(): at must be a finite timestamp"),
				 errhint("Filter out rows at infinity, or turn them into NULL, which is skipped.")));

	key.user_id = PG_GETARG_INT64(1);
	/* timestamptz counts microseconds since 2000-01-01 UTC; floor to whole UTC days */
	key.day = at >= 0 ? at / USECS_PER_DAY : -((-at + USECS_PER_DAY - 1) / USECS_PER_DAY);
	return hs_exact_set_accum(fcinfo, HS_SET_USER_DAY, &key, sizeof(key), "stickiness", internal_state);
}

typedef struct SpanAndUsers
{
	int64		first_day;
	int64		last_day;
	HsDistinctSet *users;
} SpanAndUsers;

static void
span_visitor(const void *key, uint32 keylen, void *arg)
{
	SpanAndUsers *acc = (SpanAndUsers *) arg;
	HsUserDay	pair;

	memcpy(&pair, key, sizeof(pair));
	acc->first_day = Min(acc->first_day, pair.day);
	acc->last_day = Max(acc->last_day, pair.day);
	hs_set_add(acc->users, &pair.user_id, sizeof(pair.user_id));
}

static Datum
stickiness_final(FunctionCallInfo fcinfo, bool internal_state)
{
	const HsDistinctSet *pairs;
	SpanAndUsers acc;
	double		days;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* no events: no stickiness */
	pairs = hs_state_argument(fcinfo, &hs_exact_set_family, "stickiness_final", internal_state);
	hs_check_set_kind("stickiness_final", hs_set_kind(pairs), HS_SET_USER_DAY);

	acc.first_day = PG_INT64_MAX;
	acc.last_day = PG_INT64_MIN;
	acc.users = hs_set_create(CurrentMemoryContext, HS_SET_INT8);
	hs_set_foreach(pairs, span_visitor, &acc);

	days = (double) (acc.last_day - acc.first_day + 1);
	PG_RETURN_FLOAT8((double) hs_set_count(pairs) / (days * (double) hs_set_count(acc.users)));
}

Datum
healthscore_stickiness_step(PG_FUNCTION_ARGS)
{
	return stickiness_accum(fcinfo, false);
}

Datum
healthscore_stickiness_result(PG_FUNCTION_ARGS)
{
	return stickiness_final(fcinfo, false);
}

/* The 0.1.0 interface (internal sets), for installations not yet updated: aggregate_support.c. */
PG_FUNCTION_INFO_V1(healthscore_stickiness_accum);
PG_FUNCTION_INFO_V1(healthscore_stickiness_deserialize);
PG_FUNCTION_INFO_V1(healthscore_stickiness_final);

Datum
healthscore_stickiness_accum(PG_FUNCTION_ARGS)
{
	return stickiness_accum(fcinfo, true);
}

Datum
healthscore_stickiness_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &hs_exact_set_family, "stickiness_deserialize");
}

Datum
healthscore_stickiness_final(PG_FUNCTION_ARGS)
{
	return stickiness_final(fcinfo, true);
}

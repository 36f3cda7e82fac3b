/*
 * auc.c
 *		Aggregate auc(score, churned): ROC AUC, the probability that a retained account scores
 *		higher than a churned one, ties counting one half (the Mann-Whitney U statistic divided
 *		by the number of pairs).
 *
 * Exact, not binned: the state keeps every score of each class (8 bytes a row), and the final
 * function sorts both lists and walks them once, counting pairs in integers (twice the count,
 * so that a tie adds exactly 1). The sort is PostgreSQL's sort template built interruptible, so
 * statement_timeout and cancel work during it. The state is the type healthscore.auc_state
 * (aggregate_support.c: expanded while aggregating, flat and validated byte for byte when it
 * travels), with a combine function that concatenates.
 *
 * NaN scores are an error (they have no order); infinite scores are fine (they sort at the ends).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "healthscore.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(healthscore_auc_step);
PG_FUNCTION_INFO_V1(healthscore_auc_merge);
PG_FUNCTION_INFO_V1(healthscore_auc_result);
PG_FUNCTION_INFO_V1(healthscore_auc_state_in);
PG_FUNCTION_INFO_V1(healthscore_auc_state_out);
PG_FUNCTION_INFO_V1(healthscore_auc_state_recv);
PG_FUNCTION_INFO_V1(healthscore_auc_state_send);

/* Flat form: the shared header (kind and flags 0), two uint64 counts, then the scores as float8. */
#define AUC_HEADER_SIZE 24

static const HsStateFormat auc_format = {
	.magic = 0x48534155,		/* "HSAU" */
	.version = 1,
	.header_size = AUC_HEADER_SIZE,
	.marker = "auc state marker",
	.type_name = "healthscore.auc_state",
	.made_by = "healthscore.auc()",
};

/* The scores of one class, in a growing array. */
typedef struct ScoreList
{
	float8	   *values;
	uint64		count;
	uint64		capacity;
} ScoreList;

typedef struct AucState
{
	ScoreList	retained;
	ScoreList	churned;
} AucState;

/* Interruptible in-place sort of float8 values (no NaN), from PostgreSQL's sort template. */
#define ST_SORT sort_scores
#define ST_ELEMENT_TYPE float8
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

static void
list_reserve(MemoryContext context, ScoreList *list, uint64 needed)
{
	uint64		capacity;

	if (needed <= list->capacity)
		return;
	capacity = Max(list->capacity * 2, Max(needed, 64));
	if (capacity > MaxAllocHugeSize / sizeof(float8))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("auc(): too many scores in one group"),
				 errdetail("A class already holds " UINT64_FORMAT " scores.", list->count),
				 errhint("Compute the AUC over a sample or per segment.")));
	if (list->values == NULL)
		list->values = MemoryContextAllocExtended(context, capacity * sizeof(float8), MCXT_ALLOC_HUGE);
	else
		list->values = repalloc_huge(list->values, capacity * sizeof(float8));
	list->capacity = capacity;
}

static inline void
list_append(MemoryContext context, ScoreList *list, float8 value)
{
	if (unlikely(list->count == list->capacity))
		list_reserve(context, list, list->count + 1);
	list->values[list->count++] = value;
}

static void
list_append_all(MemoryContext context, ScoreList *into, const ScoreList *from)
{
	if (from->count == 0)
		return;
	list_reserve(context, into, into->count + from->count);
	memcpy(into->values + into->count, from->values, from->count * sizeof(float8));
	into->count += from->count;
}

static void
auc_merge(MemoryContext context, void *into_state, const void *from_state, const char *func)
{
	AucState   *into = (AucState *) into_state;
	const AucState *from = (const AucState *) from_state;

	list_append_all(context, &into->retained, &from->retained);
	list_append_all(context, &into->churned, &from->churned);
}

static void *
auc_copy(MemoryContext context, const void *from, int kind)
{
	AucState   *state = MemoryContextAllocZero(context, sizeof(AucState));

	if (from != NULL)
		auc_merge(context, state, from, "auc");
	return state;
}

static bytea *
auc_flatten(const void *state_ptr)
{
	const AucState *state = (const AucState *) state_ptr;
	StringInfoData buf;
	uint64		total = state->retained.count + state->churned.count;

	if (total > (MaxAllocSize - VARHDRSZ - AUC_HEADER_SIZE) / sizeof(float8))	/* a varlena is at most 1 GB */
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("auc(): state of " UINT64_FORMAT " scores is too large to store or pass between processes", total),
				 errhint("Compute the AUC in one process (max_parallel_workers_per_gather = 0), or over a sample.")));
	hs_state_begin(&buf, &auc_format, 0, 0);
	pq_sendint64(&buf, state->retained.count);
	pq_sendint64(&buf, state->churned.count);
	for (uint64 i = 0; i < state->retained.count; i++)
		pq_sendfloat8(&buf, state->retained.values[i]);
	for (uint64 i = 0; i < state->churned.count; i++)
		pq_sendfloat8(&buf, state->churned.values[i]);
	return pq_endtypsend(&buf);
}

static void
read_scores(const char *func, MemoryContext context, ScoreList *list, const unsigned char *p, uint64 count)
{
	list_reserve(context, list, count);
	for (uint64 i = 0; i < count; i++)
	{
		float8		value = hs_read_float8(p + i * sizeof(float8));

		if (isnan(value))
			hs_state_malformed(func, &auc_format, "A score is NaN.");
		list->values[i] = value;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	list->count = count;
}

/* Every byte is checked: marker, version, reserved bytes, counts against the length, no NaN. */
static void *
auc_expand(bytea *flat, MemoryContext context, const char *func)
{
	uint64		length;
	const unsigned char *p = hs_state_header(func, &auc_format, flat, &length);
	uint64		retained,
				churned;
	AucState   *state;

	if (p[5] != 0 || p[6] != 0 || p[7] != 0)
		hs_state_malformed(func, &auc_format, "Its reserved header bytes are not zero.");
	retained = hs_read_uint64(p + 8);
	churned = hs_read_uint64(p + 16);
	/* check the length before allocating anything for the counts */
	if (retained > length / sizeof(float8) || churned > length / sizeof(float8) ||
		length - AUC_HEADER_SIZE != (retained + churned) * sizeof(float8))
		hs_state_malformed(func, &auc_format, "Its length does not match its number of scores.");

	state = auc_copy(context, NULL, 0);
	read_scores(func, context, &state->retained, p + AUC_HEADER_SIZE, retained);
	read_scores(func, context, &state->churned, p + AUC_HEADER_SIZE + retained * sizeof(float8), churned);
	return state;
}

static const HsStateFamily auc_family = {
	.copy = auc_copy,
	.flatten = auc_flatten,
	.expand = auc_expand,
	.merge = auc_merge,
};

static Datum
auc_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	HsStateUpdate update;
	AucState   *state;
	float8		score;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return hs_keep_state(fcinfo);	/* NULL score or outcome: skipped */
	score = PG_GETARG_FLOAT8(1);
	if (unlikely(isnan(score)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("auc(): score must not be NaN"),
				 errhint("Scores must be ordered; use NULL for an account without a score.")));
	hs_state_begin_update(fcinfo, &auc_family, "auc", 0, internal_state, &update);
	state = update.state;
	list_append(update.context, PG_GETARG_BOOL(2) ? &state->churned : &state->retained, score);
	return hs_state_end_update(&update);
}

Datum
healthscore_auc_step(PG_FUNCTION_ARGS)
{
	return auc_accum(fcinfo, false);
}

/* Union of two partial states: the scores of each class, concatenated. */
Datum
healthscore_auc_merge(PG_FUNCTION_ARGS)
{
	return hs_combine_states(fcinfo, &auc_family, "auc_combine");
}

Datum
healthscore_auc_state_in(PG_FUNCTION_ARGS)
{
	return hs_state_in(fcinfo, &auc_family, "auc_state_in");
}

Datum
healthscore_auc_state_out(PG_FUNCTION_ARGS)
{
	return hs_state_out(fcinfo, &auc_family);
}

Datum
healthscore_auc_state_recv(PG_FUNCTION_ARGS)
{
	return hs_state_recv(fcinfo, &auc_family, "auc_state_recv");
}

Datum
healthscore_auc_state_send(PG_FUNCTION_ARGS)
{
	return hs_state_send(fcinfo, &auc_family);
}

/*
 * Twice the Mann-Whitney U of the retained class: for every retained score, 2 for each churned
 * score below it and 1 for each equal one. Both lists are sorted ascending.
 */
static uint64
twice_u(const ScoreList *retained, const ScoreList *churned)
{
	uint64		total = 0;
	uint64		below = 0;		/* churned scores < the current retained score */
	uint64		equal = 0;		/* churned scores == it */

	for (uint64 i = 0; i < retained->count; i++)
	{
		float8		score = retained->values[i];

		if (i == 0 || score != retained->values[i - 1])
		{
			below += equal;
			while (below < churned->count && churned->values[below] < score)
				below++;
			equal = 0;
			while (below + equal < churned->count && churned->values[below + equal] == score)
				equal++;
		}
		total += 2 * below + equal;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return total;
}

static Datum
auc_final(FunctionCallInfo fcinfo, bool internal_state)
{
	AucState   *state;
	long double pairs;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/*
	 * Sorting changes the order of the scores, never which they are, so the aggregate's own
	 * state may be sorted in place (a later row or combine appends, and the order is free).
	 */
	state = (AucState *) hs_state_argument(fcinfo, &auc_family, "auc_final", internal_state);
	if (state->retained.count == 0 || state->churned.count == 0)
		PG_RETURN_NULL();		/* one class empty: no pair to compare */
	/* 2 * U <= 2 * retained * churned must fit in 64 bits */
	if (state->retained.count > PG_UINT64_MAX / 2 / state->churned.count)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("auc(): too many pairs of scores"),
				 errhint("Compute the AUC over a sample.")));

	sort_scores(state->retained.values, state->retained.count);
	sort_scores(state->churned.values, state->churned.count);
	pairs = (long double) state->retained.count * (long double) state->churned.count;
	PG_RETURN_FLOAT8((double) ((long double) twice_u(&state->retained, &state->churned) / (2.0L * pairs)));
}

Datum
healthscore_auc_result(PG_FUNCTION_ARGS)
{
	return auc_final(fcinfo, false);
}

/* The 0.1.0 interface (internal states), for installations not yet updated: aggregate_support.c. */
PG_FUNCTION_INFO_V1(healthscore_auc_accum);
PG_FUNCTION_INFO_V1(healthscore_auc_combine);
PG_FUNCTION_INFO_V1(healthscore_auc_serialize);
PG_FUNCTION_INFO_V1(healthscore_auc_deserialize);
PG_FUNCTION_INFO_V1(healthscore_auc_final);

Datum
healthscore_auc_accum(PG_FUNCTION_ARGS)
{
	return auc_accum(fcinfo, true);
}

Datum
healthscore_auc_combine(PG_FUNCTION_ARGS)
{
	return hs_internal_combine(fcinfo, &auc_family, "auc_combine");
}

Datum
healthscore_auc_serialize(PG_FUNCTION_ARGS)
{
	return hs_internal_serialize(fcinfo, &auc_family);
}

Datum
healthscore_auc_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &auc_family, "auc_deserialize");
}

Datum
healthscore_auc_final(PG_FUNCTION_ARGS)
{
	return auc_final(fcinfo, true);
}

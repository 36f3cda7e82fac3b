/*
 * auc.c
 *		Aggregate auc(score, churned): ROC AUC, the probability that a retained account scores
 *		higher than a churned one, ties counting one half (the Mann-Whitney U statistic divided
 *		by the number of pairs).
 *
 * Exact, not binned: the state keeps every score of each class (8 bytes a row), and the final
 * function sorts both lists and walks them once, counting pairs in integers (twice the count,
 * so that a tie adds exactly 1). The sort is PostgreSQL's sort template built interruptible, so
 * statement_timeout and cancel work during it. The state is internal, with serialize and
 * deserialize functions (every byte validated) and a combine function that concatenates.
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

PG_FUNCTION_INFO_V1(healthscore_auc_accum);
PG_FUNCTION_INFO_V1(healthscore_auc_combine);
PG_FUNCTION_INFO_V1(healthscore_auc_serialize);
PG_FUNCTION_INFO_V1(healthscore_auc_deserialize);
PG_FUNCTION_INFO_V1(healthscore_auc_final);

#define AUC_MAGIC		0x48534155	/* "HSAU" */
#define AUC_VERSION		1
#define AUC_HEADER_SIZE 24			/* magic, version, 3 zero bytes, two uint64 counts */

/* The scores of one class, in a growing array. */
typedef struct ScoreList
{
	float8	   *values;
	uint64		count;
	uint64		capacity;
} ScoreList;

typedef struct AucState
{
	MemoryContext context;
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

static AucState *
auc_state_create(MemoryContext context)
{
	AucState   *state = MemoryContextAllocZero(context, sizeof(AucState));

	state->context = context;
	return state;
}

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

Datum
healthscore_auc_accum(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	AucState   *state;
	float8		score;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "auc() called in non-aggregate context");
	state = PG_ARGISNULL(0) ? auc_state_create(context) : (AucState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);	/* NULL score or outcome: skipped */

	score = PG_GETARG_FLOAT8(1);
	if (unlikely(isnan(score)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("auc(): score must not be NaN"),
				 errhint("Scores must be ordered; use NULL for an account without a score.")));
	list_append(context, PG_GETARG_BOOL(2) ? &state->churned : &state->retained, score);
	PG_RETURN_POINTER(state);
}

/* Union of two partial states; a deserialized state is short-lived, so it is copied, not kept. */
Datum
healthscore_auc_combine(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	AucState   *into = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);
	AucState   *from = PG_ARGISNULL(1) ? NULL : (AucState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "auc_combine() called in non-aggregate context");
	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		into = auc_state_create(context);
	list_append_all(context, &into->retained, &from->retained);
	list_append_all(context, &into->churned, &from->churned);
	PG_RETURN_POINTER(into);
}

Datum
healthscore_auc_serialize(PG_FUNCTION_ARGS)
{
	AucState   *state = (AucState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	uint64		total = state->retained.count + state->churned.count;

	if (total > (MaxAllocSize - VARHDRSZ - AUC_HEADER_SIZE) / sizeof(float8))	/* a bytea is at most 1 GB */
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("auc(): state of " UINT64_FORMAT " scores is too large to pass between processes", total),
				 errhint("Compute the AUC without parallel workers (max_parallel_workers_per_gather = 0).")));
	pq_begintypsend(&buf);
	pq_sendint32(&buf, AUC_MAGIC);
	pq_sendbyte(&buf, AUC_VERSION);
	pq_sendbyte(&buf, 0);
	pq_sendint16(&buf, 0);
	pq_sendint64(&buf, state->retained.count);
	pq_sendint64(&buf, state->churned.count);
	for (uint64 i = 0; i < state->retained.count; i++)
		pq_sendfloat8(&buf, state->retained.values[i]);
	for (uint64 i = 0; i < state->churned.count; i++)
		pq_sendfloat8(&buf, state->churned.values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
malformed(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("auc_deserialize(): malformed serialized state"),
			 errdetail("%s", detail),
			 errhint("Serialized states are made by healthscore_internal.auc_serialize().")));
}

static void
read_scores(MemoryContext context, ScoreList *list, const unsigned char *p, uint64 count)
{
	list_reserve(context, list, count);
	for (uint64 i = 0; i < count; i++)
	{
		float8		value = hs_read_float8(p + i * sizeof(float8));

		if (isnan(value))
			malformed("A score is NaN.");
		list->values[i] = value;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	list->count = count;
}

/* Every byte is checked: marker, version, reserved bytes, counts against the length, no NaN. */
Datum
healthscore_auc_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(bytes);
	uint64		length = VARSIZE_ANY_EXHDR(bytes);
	uint64		retained,
				churned;
	AucState   *state;

	if (length < AUC_HEADER_SIZE)
		malformed("It is shorter than its header.");
	if (hs_read_uint32(p) != AUC_MAGIC)
		malformed("It does not start with the auc state marker.");
	if (p[4] != AUC_VERSION)
		malformed("Its format version is unknown.");
	if (p[5] != 0 || p[6] != 0 || p[7] != 0)
		malformed("Its reserved header bytes are not zero.");
	retained = hs_read_uint64(p + 8);
	churned = hs_read_uint64(p + 16);
	/* check the length before allocating anything for the counts */
	if (retained > length / sizeof(float8) || churned > length / sizeof(float8) ||
		length - AUC_HEADER_SIZE != (retained + churned) * sizeof(float8))
		malformed("Its length does not match its number of scores.");

	state = auc_state_create(CurrentMemoryContext);
	read_scores(CurrentMemoryContext, &state->retained, p + AUC_HEADER_SIZE, retained);
	read_scores(CurrentMemoryContext, &state->churned, p + AUC_HEADER_SIZE + retained * sizeof(float8), churned);
	PG_RETURN_POINTER(state);
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

Datum
healthscore_auc_final(PG_FUNCTION_ARGS)
{
	AucState   *state;
	long double pairs;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (AucState *) PG_GETARG_POINTER(0);
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

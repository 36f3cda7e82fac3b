/*
 * nps.c
 *		Aggregate nps(rating): Net Promoter Score = % promoters (9-10) - % detractors (0-6).
 *
 * The state is an int8[3] { responses, promoters, detractors }: fixed size, exact, and
 * combinable by addition. A rating outside 0..10 is an error, not a silently skewed score.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(healthscore_nps_accum);
PG_FUNCTION_INFO_V1(healthscore_nps_combine);
PG_FUNCTION_INFO_V1(healthscore_nps_final);

#define NPS_STATE_LEN	3
#define NPS_RESPONSES	0
#define NPS_PROMOTERS	1
#define NPS_DETRACTORS	2

#define NPS_MIN_RATING			0
#define NPS_MAX_RATING			10
#define NPS_MIN_PROMOTER		9
#define NPS_MAX_DETRACTOR		6

/*
 * The counts, checked to be what counting responses makes: none negative, and promoters and
 * detractors among the responses.
 */
static int64 *
nps_state(ArrayType *state, const char *func)
{
	int64	   *s = hs_state_values(state, INT8OID, NPS_STATE_LEN, func, "nps");

	if (s[NPS_RESPONSES] < 0 || s[NPS_PROMOTERS] < 0 || s[NPS_DETRACTORS] < 0 ||
		s[NPS_PROMOTERS] > s[NPS_RESPONSES] || s[NPS_DETRACTORS] > s[NPS_RESPONSES] - s[NPS_PROMOTERS])
		hs_invalid_state(func, "nps", "Its counts must be zero or more, with promoters and detractors among the responses.");
	return s;
}

static void
count_one(int64 *count)
{
	if (unlikely(pg_add_s64_overflow(*count, 1, count)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps(): more responses than a bigint can count"),
				 errhint("Compute the NPS over fewer rows, e.g. per account or per period.")));
}

Datum
healthscore_nps_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	int64	   *s = nps_state(state, "nps");
	int32		rating = PG_GETARG_INT32(1);

	if (unlikely(rating < NPS_MIN_RATING || rating > NPS_MAX_RATING))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("nps(): rating %d is out of range", rating),
				 errhint("NPS ratings are whole numbers from 0 to 10.")));

	count_one(&s[NPS_RESPONSES]);
	if (rating >= NPS_MIN_PROMOTER)
		count_one(&s[NPS_PROMOTERS]);
	else if (rating <= NPS_MAX_DETRACTOR)
		count_one(&s[NPS_DETRACTORS]);
	PG_RETURN_ARRAYTYPE_P(state);
}

Datum
healthscore_nps_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	int64	   *s1 = nps_state(state, "nps_combine");
	const int64 *s2 = nps_state(PG_GETARG_ARRAYTYPE_P(1), "nps_combine");

	for (int i = 0; i < NPS_STATE_LEN; i++)
		if (unlikely(pg_add_s64_overflow(s1[i], s2[i], &s1[i])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("nps_combine(): more responses than a bigint can count"),
					 errhint("Compute the NPS over fewer rows, e.g. per account or per period.")));
	PG_RETURN_ARRAYTYPE_P(state);
}

Datum
healthscore_nps_final(PG_FUNCTION_ARGS)
{
	const int64 *s = nps_state(PG_GETARG_ARRAYTYPE_P(0), "nps_final");
	int64		responses = s[NPS_RESPONSES];
	int64		promoters = s[NPS_PROMOTERS];
	int64		detractors = s[NPS_DETRACTORS];

	if (responses == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * (double) (promoters - detractors) / (double) responses);
}

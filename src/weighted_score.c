/*
 * weighted_score.c
 *		Aggregate weighted_score(points, weight) = sum(weight * points) / sum(weight).
 *
 * Rows whose points or weight are NULL are skipped (the transition function is STRICT), so a
 * missing signal's weight is redistributed to the signals that are present. The result is NULL
 * when no row has a positive weight.
 *
 * The state is a fixed-size float8[4] rather than an internal pointer, as float.c does for
 * avg() and regr_*(), so that parallel workers and distributed engines (Citus) can ship and
 * combine it as an ordinary value:
 *		{ sum of weights, its compensation, sum of weight * points, its compensation }
 * Both sums use Neumaier's compensated summation: a long run of small weights next to a large
 * one loses no precision, and the cost is a few flops beside the function call itself.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(healthscore_weighted_score_accum);
PG_FUNCTION_INFO_V1(healthscore_weighted_score_combine);
PG_FUNCTION_INFO_V1(healthscore_weighted_score_final);

#define WS_STATE_LEN	4
#define WS_WEIGHT		0
#define WS_WEIGHT_COMP	1
#define WS_PRODUCT		2
#define WS_PRODUCT_COMP 3

static float8 *
check_state(ArrayType *state, const char *func)
{
	return hs_state_values(state, FLOAT8OID, WS_STATE_LEN, func, "weighted_score");
}

/*
 * What every state the transition and combine functions make satisfies: finite sums, a weight of
 * zero or more, and weighted points between 0 and 100 times the weight (every term's points are
 * 0-100; the tolerance covers rounding of the compensated sums).
 */
static void
check_sums(const float8 *values, const char *func)
{
	double		weight = values[WS_WEIGHT] + values[WS_WEIGHT_COMP];
	double		product = values[WS_PRODUCT] + values[WS_PRODUCT_COMP];

	for (int i = 0; i < WS_STATE_LEN; i++)
		if (!isfinite(values[i]))
			hs_invalid_state(func, "weighted_score", "Its sums must be finite.");
	if (!(weight >= 0.0 && product >= 0.0 && product <= HS_MAX_POINTS * weight * (1.0 + 1e-9)))
		hs_invalid_state(func, "weighted_score",
						 psprintf("Its weighted points (%g) must be between 0 and 100 times its weight (%g).",
								  product, weight));
}

Datum
healthscore_weighted_score_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	double		points = PG_GETARG_FLOAT8(1);
	double		weight = PG_GETARG_FLOAT8(2);
	float8	   *values = check_state(state, "weighted_score");

	hs_check_weighted_term("weighted_score", "weight", "row", points, weight);

	hs_compensated_add(&values[WS_WEIGHT], &values[WS_WEIGHT_COMP], weight);
	hs_compensated_add(&values[WS_PRODUCT], &values[WS_PRODUCT_COMP], weight * points);
	hs_check_weighted_sums("weighted_score", values[WS_WEIGHT], values[WS_PRODUCT]);
	PG_RETURN_ARRAYTYPE_P(state);
}

Datum
healthscore_weighted_score_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	float8	   *values = check_state(state, "weighted_score_combine");
	const float8 *other = check_state(PG_GETARG_ARRAYTYPE_P(1), "weighted_score_combine");

	check_sums(values, "weighted_score_combine");
	check_sums(other, "weighted_score_combine");

	hs_compensated_add(&values[WS_WEIGHT], &values[WS_WEIGHT_COMP], other[WS_WEIGHT]);
	values[WS_WEIGHT_COMP] += other[WS_WEIGHT_COMP];
	hs_compensated_add(&values[WS_PRODUCT], &values[WS_PRODUCT_COMP], other[WS_PRODUCT]);
	values[WS_PRODUCT_COMP] += other[WS_PRODUCT_COMP];
	hs_check_weighted_sums("weighted_score", values[WS_WEIGHT], values[WS_PRODUCT]);
	PG_RETURN_ARRAYTYPE_P(state);
}

Datum
healthscore_weighted_score_final(PG_FUNCTION_ARGS)
{
	const float8 *values = check_state(PG_GETARG_ARRAYTYPE_P(0), "weighted_score_final");
	double		total_weight = values[WS_WEIGHT] + values[WS_WEIGHT_COMP];
	double		total_product = values[WS_PRODUCT] + values[WS_PRODUCT_COMP];

	check_sums(values, "weighted_score_final");

	if (!(total_weight > 0.0))
		PG_RETURN_NULL();
	/* Mathematically within 0-100; the clamp only removes rounding beyond the ends. */
	PG_RETURN_FLOAT8(hs_clamp_points(total_product / total_weight));
}

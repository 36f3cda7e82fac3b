/*
 * revenue.c
 *		Revenue signals: aggregates net_retention(start, end) and gross_retention(start, end)
 *		over a cohort of accounts, and lifetime_value(arpa, churn_rate, gross_margin).
 *
 * Money stays numeric end to end: retention is reported to boards and must add up exactly.
 * The retention state is a numeric[3] { sum of start, sum of end, sum of least(end, start) }:
 * fixed in shape, so it needs no serialization and combines by addition. Rows whose start is
 * NULL or not positive are not in the starting cohort and are skipped; a NULL end is churn (0).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(healthscore_retention_accum);
PG_FUNCTION_INFO_V1(healthscore_retention_combine);
PG_FUNCTION_INFO_V1(healthscore_net_retention_final);
PG_FUNCTION_INFO_V1(healthscore_gross_retention_final);
PG_FUNCTION_INFO_V1(healthscore_lifetime_value);

#define RET_STATE_LEN	3
#define RET_START		0
#define RET_END			1
#define RET_KEPT		2

static Numeric
add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a), NumericGetDatum(b)));
}

static int
compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static int
sign(Numeric value)
{
	return compare(value, int64_to_numeric(0));
}

static void
retention_state(ArrayType *state, const char *func, Numeric *sums)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;

	if (ARR_NDIM(state) != 1 || ARR_ELEMTYPE(state) != NUMERICOID)
		nelems = -1;
	else
		deconstruct_array(state, NUMERICOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	if (nelems != RET_STATE_LEN || ARR_HASNULL(state))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): state must be an array of %d numeric values without NULLs",
						func, RET_STATE_LEN),
				 errhint("The state is made by healthscore.net_retention() or gross_retention(); do not build it by hand.")));
	for (int i = 0; i < RET_STATE_LEN; i++)
	{
		sums[i] = DatumGetNumeric(elems[i]);
		if (numeric_is_nan(sums[i]) || numeric_is_inf(sums[i]))
			hs_invalid_state(func, "net_retention", "Its sums must be finite.");
	}
	/* what adding accounts makes: sums of zero or more, kept revenue within start and end */
	if (sign(sums[RET_START]) < 0 || sign(sums[RET_END]) < 0 || sign(sums[RET_KEPT]) < 0 ||
		compare(sums[RET_KEPT], sums[RET_START]) > 0 || compare(sums[RET_KEPT], sums[RET_END]) > 0)
		hs_invalid_state(func, "net_retention",
						 "Its sums must be zero or more, with the kept revenue at most the start and the end revenue.");
}

static Datum
make_retention_state(Numeric *sums)
{
	Datum		elems[RET_STATE_LEN];

	for (int i = 0; i < RET_STATE_LEN; i++)
		elems[i] = NumericGetDatum(sums[i]);
	return PointerGetDatum(construct_array(elems, RET_STATE_LEN, NUMERICOID, -1, false, TYPALIGN_INT));
}

/* The aggregate that called the shared transition function, for its error messages. */
static const char *
calling_aggregate(FunctionCallInfo fcinfo)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);

	return aggref ? get_func_name(aggref->aggfnoid) : "retention_accum";
}

static void
check_finite_amount(const char *func, const char *arg, Numeric value)
{
	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must be a finite amount", func, arg),
				 errhint("Pass revenue as a finite number; use NULL where it is unknown.")));
}

/* Not strict: a NULL end value still counts (as churn), a NULL start value does not. */
Datum
healthscore_retention_accum(PG_FUNCTION_ARGS)
{
	Numeric		sums[RET_STATE_LEN];
	Numeric		start;
	Numeric		end;

	/* not strict (a NULL end value counts), so a NULL state must be caught here, not dereferenced */
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("retention_accum(): state must not be NULL"),
				 errhint("The state is made by healthscore.net_retention() or gross_retention(); do not build it by hand.")));
	retention_state(PG_GETARG_ARRAYTYPE_P(0), "retention_accum", sums);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	start = PG_GETARG_NUMERIC(1);
	check_finite_amount(calling_aggregate(fcinfo), "start_value", start);
	if (sign(start) <= 0)
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));	/* not in the starting cohort */

	end = PG_ARGISNULL(2) ? int64_to_numeric(0) : PG_GETARG_NUMERIC(2);
	check_finite_amount(calling_aggregate(fcinfo), "end_value", end);
	if (sign(end) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): end_value must not be negative", calling_aggregate(fcinfo)),
				 errhint("Revenue at the end is zero or more; a churned account has 0 or NULL.")));

	sums[RET_START] = add(sums[RET_START], start);
	sums[RET_END] = add(sums[RET_END], end);
	sums[RET_KEPT] = add(sums[RET_KEPT], compare(end, start) < 0 ? end : start);	/* least() */
	return make_retention_state(sums);
}

Datum
healthscore_retention_combine(PG_FUNCTION_ARGS)
{
	Numeric		sums[RET_STATE_LEN];
	Numeric		other[RET_STATE_LEN];

	retention_state(PG_GETARG_ARRAYTYPE_P(0), "retention_combine", sums);
	retention_state(PG_GETARG_ARRAYTYPE_P(1), "retention_combine", other);
	for (int i = 0; i < RET_STATE_LEN; i++)
		sums[i] = add(sums[i], other[i]);
	return make_retention_state(sums);
}

/* A quotient without trailing zeros: 80, not 80.0000000000000000 (what trim_scale() does). */
static Datum
trimmed(Datum quotient)
{
	return DirectFunctionCall1(numeric_trim_scale, quotient);
}

/* 100 * numerator / sum of start values; NULL for an empty cohort. */
static Datum
retention_percent(FunctionCallInfo fcinfo, int numerator, const char *func)
{
	Numeric		sums[RET_STATE_LEN];
	Datum		hundred_times;

	retention_state(PG_GETARG_ARRAYTYPE_P(0), func, sums);
	if (sign(sums[RET_START]) <= 0)
		PG_RETURN_NULL();
	hundred_times = DirectFunctionCall2(numeric_mul, NumericGetDatum(int64_to_numeric(100)),
										NumericGetDatum(sums[numerator]));
	PG_RETURN_DATUM(trimmed(DirectFunctionCall2(numeric_div, hundred_times,
												NumericGetDatum(sums[RET_START]))));
}

Datum
healthscore_net_retention_final(PG_FUNCTION_ARGS)
{
	return retention_percent(fcinfo, RET_END, "net_retention");
}

Datum
healthscore_gross_retention_final(PG_FUNCTION_ARGS)
{
	return retention_percent(fcinfo, RET_KEPT, "gross_retention");
}

static void
check_rate(const char *arg, double rate)
{
	if (isnan(rate) || rate < 0.0 || rate > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lifetime_value(): %s must be between 0 and 1, not %g", arg, rate),
				 errhint("Pass a fraction, e.g. 0.05 for 5%%.")));
}

/* arpa * gross_margin / churn_rate; NULL when churn_rate is 0 (no finite lifetime). */
Datum
healthscore_lifetime_value(PG_FUNCTION_ARGS)
{
	Numeric		arpa = PG_GETARG_NUMERIC(0);
	double		churn_rate = PG_GETARG_FLOAT8(1);
	double		gross_margin = PG_GETARG_FLOAT8(2);
	Datum		value;

	check_finite_amount("lifetime_value", "arpa", arpa);
	check_rate("churn_rate", churn_rate);
	check_rate("gross_margin", gross_margin);
	if (churn_rate == 0.0)
		PG_RETURN_NULL();

	value = DirectFunctionCall2(numeric_mul, NumericGetDatum(arpa),
								DirectFunctionCall1(float8_numeric, Float8GetDatum(gross_margin)));
	PG_RETURN_DATUM(trimmed(DirectFunctionCall2(numeric_div, value,
												DirectFunctionCall1(float8_numeric,
																	Float8GetDatum(churn_rate)))));
}

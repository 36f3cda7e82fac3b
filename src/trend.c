/*
 * trend.c
 *		Aggregates trend(value, at) and relative_trend(value, at): the least-squares slope of a
 *		signal over time, in value units per day and in percent of the mean per 30 days.
 *
 * The accumulation is Youngs-Cramer, as PostgreSQL's float8_regr_accum, so the slope agrees
 * with regr_slope(value, extract(epoch from at) / 86400) while staying stable when the times
 * are large numbers close together. x is the time in days since 2000-01-01 (the slope does not
 * depend on the origin). The state is a float8[7]:
 *		{ N, Sx, Sxx, Sy, Sxy, min x, max x }
 * min and max x decide "fewer than two distinct times" exactly, where Sxx could be a rounding
 * residue instead of zero.
 *
 * NaN and infinite values or times are errors: a slope through them means nothing.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(healthscore_trend_accum);
PG_FUNCTION_INFO_V1(healthscore_trend_combine);
PG_FUNCTION_INFO_V1(healthscore_trend_final);
PG_FUNCTION_INFO_V1(healthscore_relative_trend_final);

#define TR_STATE_LEN 7
#define TR_N	0
#define TR_SX	1
#define TR_SXX	2
#define TR_SY	3
#define TR_SXY	4
#define TR_MINX 5
#define TR_MAXX 6

/* Days in a month for relative_trend(): "per 30 days". */
#define TREND_PERIOD_DAYS 30.0

static float8 *
trend_state(ArrayType *state, const char *func)
{
	return hs_state_values(state, FLOAT8OID, TR_STATE_LEN, func, "trend");
}

/*
 * What every state the transition and combine functions make satisfies: finite sums, a whole
 * number of rows, all zero before the first row, a time range that holds the mean time, and a
 * sum of squares that is never negative (zero for one row).
 */
static const float8 *
checked_trend_state(ArrayType *state, const char *func)
{
	const float8 *s = trend_state(state, func);
	double		n = s[TR_N];
	double		slack;

	for (int i = 0; i < TR_STATE_LEN; i++)
		if (!isfinite(s[i]))
			hs_invalid_state(func, "trend", "Its sums must be finite.");
	if (!(n >= 0.0 && n == floor(n) && n < 9007199254740992.0))
		hs_invalid_state(func, "trend", psprintf("Its row count (%g) must be a whole number of zero or more.", n));
	if (n == 0.0)
	{
		for (int i = 1; i < TR_STATE_LEN; i++)
			if (s[i] != 0.0)
				hs_invalid_state(func, "trend", "A state of no rows must be all zeros.");
		return s;
	}
	/* the mean time, as the sums give it, lies within the range up to rounding */
	slack = 1e-9 * Max(1.0, Max(fabs(s[TR_MINX]), fabs(s[TR_MAXX])));
	if (!(s[TR_MINX] <= s[TR_MAXX] && s[TR_SX] / n >= s[TR_MINX] - slack && s[TR_SX] / n <= s[TR_MAXX] + slack))
		hs_invalid_state(func, "trend", "Its mean time must lie between its first and last time.");
	if (!(s[TR_SXX] >= 0.0) || (n == 1.0 && (s[TR_SXX] != 0.0 || s[TR_SXY] != 0.0 || s[TR_MINX] != s[TR_MAXX])))
		hs_invalid_state(func, "trend", "Its sum of squares must be zero or more, and zero for one row.");
	return s;
}

static void
check_trend_overflow(const float8 *s)
{
	/* not just infinity: inf * 0 in the cross products makes NaN */
	if (unlikely(!isfinite(s[TR_SX]) || !isfinite(s[TR_SXX]) || !isfinite(s[TR_SY]) || !isfinite(s[TR_SXY])))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("trend(): sums of the values are out of range"),
				 errhint("Scale the values down, e.g. to thousands.")));
}

Datum
healthscore_trend_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	float8	   *s = trend_state(state, "trend");
	double		y = PG_GETARG_FLOAT8(1);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(2);
	double		x;
	double		n;

	if (unlikely(!isfinite(y)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trend(): value must be finite, not %g", y),
				 errhint("Filter out NaN and infinite values, or turn them into NULL, which is skipped.")));
	if (unlikely(TIMESTAMP_NOT_FINITE(at)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("trend(): at must be a finite timestamp"),
				 errhint("Filter out rows at infinity, or turn them into NULL, which is skipped.")));

	x = (double) at / (double) USECS_PER_DAY;
	n = s[TR_N] + 1.0;
	if (s[TR_N] > 0.0)
	{
		double		sx = s[TR_SX] + x;
		double		sy = s[TR_SY] + y;
		double		dx = x * n - sx;
		double		dy = y * n - sy;
		double		scale = 1.0 / (n * s[TR_N]);

		s[TR_SXX] += dx * dx * scale;
		s[TR_SXY] += dx * dy * scale;
		s[TR_SX] = sx;
		s[TR_SY] = sy;
		s[TR_MINX] = Min(s[TR_MINX], x);
		s[TR_MAXX] = Max(s[TR_MAXX], x);
		check_trend_overflow(s);
	}
	else
	{
		s[TR_SX] = x;
		s[TR_SY] = y;
		s[TR_SXX] = 0.0;
		s[TR_SXY] = 0.0;
		s[TR_MINX] = x;
		s[TR_MAXX] = x;
	}
	s[TR_N] = n;
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Merge two partial states with the pairwise formulas of float8_regr_combine. */
Datum
healthscore_trend_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state = hs_writable_state(fcinfo, 0);
	float8	   *s1 = (float8 *) checked_trend_state(state, "trend_combine");
	const float8 *s2 = checked_trend_state(PG_GETARG_ARRAYTYPE_P(1), "trend_combine");
	double		n1 = s1[TR_N];
	double		n2 = s2[TR_N];
	double		n;
	double		dx,
				dy;

	if (n2 == 0.0)
		PG_RETURN_ARRAYTYPE_P(state);
	if (n1 == 0.0)
	{
		memcpy(s1, s2, sizeof(float8) * TR_STATE_LEN);
		PG_RETURN_ARRAYTYPE_P(state);
	}

	n = n1 + n2;
	dx = s1[TR_SX] / n1 - s2[TR_SX] / n2;
	dy = s1[TR_SY] / n1 - s2[TR_SY] / n2;
	s1[TR_SXX] += s2[TR_SXX] + n1 * n2 * dx * dx / n;
	s1[TR_SXY] += s2[TR_SXY] + n1 * n2 * dx * dy / n;
	s1[TR_SX] += s2[TR_SX];
	s1[TR_SY] += s2[TR_SY];
	s1[TR_MINX] = Min(s1[TR_MINX], s2[TR_MINX]);
	s1[TR_MAXX] = Max(s1[TR_MAXX], s2[TR_MAXX]);
	s1[TR_N] = n;
	check_trend_overflow(s1);
	PG_RETURN_ARRAYTYPE_P(state);
}

/* Slope in value units per day, or false when there are fewer than two distinct times. */
static bool
trend_slope(const float8 *s, double *slope)
{
	if (s[TR_N] < 2.0 || !(s[TR_MAXX] > s[TR_MINX]) || !(s[TR_SXX] > 0.0))
		return false;
	*slope = s[TR_SXY] / s[TR_SXX];
	return true;
}

Datum
healthscore_trend_final(PG_FUNCTION_ARGS)
{
	const float8 *s = checked_trend_state(PG_GETARG_ARRAYTYPE_P(0), "trend_final");
	double		slope;

	if (!trend_slope(s, &slope))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slope);
}

/* The slope as percent of the mean value per 30 days; NULL when the mean is 0. */
Datum
healthscore_relative_trend_final(PG_FUNCTION_ARGS)
{
	const float8 *s = checked_trend_state(PG_GETARG_ARRAYTYPE_P(0), "relative_trend_final");
	double		slope;
	double		mean;

	if (!trend_slope(s, &slope))
		PG_RETURN_NULL();
	mean = s[TR_SY] / s[TR_N];
	if (mean == 0.0)
		PG_RETURN_NULL();
	/* fabs: a falling series with a negative mean must still read as falling */
	PG_RETURN_FLOAT8(100.0 * slope * TREND_PERIOD_DAYS / fabs(mean));
}

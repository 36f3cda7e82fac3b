/*
 * scoring.c
 *		Scoring functions: turn one raw signal value into points on the 0-100 scale.
 *
 * All are IMMUTABLE STRICT PARALLEL SAFE. Bounds are checked on every call (cheaply, without
 * allocation) because a scoring function is usually called with constants from a model, and a
 * bad model must fail loudly rather than score silently wrong.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(healthscore_linear);
PG_FUNCTION_INFO_V1(healthscore_logarithmic);
PG_FUNCTION_INFO_V1(healthscore_bands);
PG_FUNCTION_INFO_V1(healthscore_decay);
PG_FUNCTION_INFO_V1(healthscore_decay_timestamptz);

/* worst and best must be finite and different; either may be the larger one. */
static void
check_bounds(const char *func, double worst, double best)
{
	hs_check_finite(func, "worst", worst);
	hs_check_finite(func, "best", best);
	if (worst == best)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): worst must differ from best", func),
				 errdetail("Both are %g.", worst),
				 errhint("Set worst below best when higher is better, above best when lower is better.")));
}

/*
 * Points for value on the straight line from worst (0) to best (100), clamped.
 * Scaling before dividing keeps results for whole-number inputs exact (linear(7, 0, 10) = 70);
 * when best - worst overflows we halve everything first, which changes no result otherwise.
 */
static double
points_between(double value, double worst, double best)
{
	double		range = best - worst;
	double		scaled = HS_MAX_POINTS * (value - worst);

	if (likely(!isinf(range) && (!isinf(scaled) || isinf(value))))
		return hs_clamp_points(scaled / range);
	if (!isinf(range))			/* 100 * (value - worst) overflowed: divide first */
		return hs_clamp_points(HS_MAX_POINTS * ((value - worst) / range));
	return hs_clamp_points(HS_MAX_POINTS *
						   ((value * 0.5 - worst * 0.5) / (best * 0.5 - worst * 0.5)));
}

Datum
healthscore_linear(PG_FUNCTION_ARGS)
{
	double		value = PG_GETARG_FLOAT8(0);
	double		worst = PG_GETARG_FLOAT8(1);
	double		best = PG_GETARG_FLOAT8(2);

	hs_check_not_nan("linear", "value", value);
	check_bounds("linear", worst, best);
	PG_RETURN_FLOAT8(points_between(value, worst, best));
}

static void
check_not_negative(const char *func, const char *arg, double value)
{
	if (value < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must not be negative, not %g", func, arg, value),
				 errhint("The logarithmic scale ln(1 + x) is for counts and amounts of zero or more.")));
}

Datum
healthscore_logarithmic(PG_FUNCTION_ARGS)
{
	double		value = PG_GETARG_FLOAT8(0);
	double		worst = PG_GETARG_FLOAT8(1);
	double		best = PG_GETARG_FLOAT8(2);
	double		log_value,
				log_worst,
				log_best;

	hs_check_not_nan("logarithmic", "value", value);
	check_bounds("logarithmic", worst, best);
	check_not_negative("logarithmic", "value", value);
	check_not_negative("logarithmic", "worst", worst);
	check_not_negative("logarithmic", "best", best);

	log_value = log1p(value);	/* log1p(Infinity) = Infinity, which clamps */
	log_worst = log1p(worst);
	log_best = log1p(best);
	if (log_worst == log_best)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logarithmic(): worst and best are too close to tell apart on the logarithmic scale"),
				 errdetail("worst is %g and best is %g.", worst, best),
				 errhint("Use bounds that differ by more than rounding error.")));

	/* The ratio first: it keeps the midpoint exact, logarithmic(9, 0, 99) = 50. */
	PG_RETURN_FLOAT8(hs_clamp_points(HS_MAX_POINTS *
									 ((log_value - log_worst) / (log_best - log_worst))));
}

/*
 * bands(value, breaks, points): step scoring. breaks are strictly ascending; a value below
 * breaks[1] gets points[1], and a value equal to a break goes to the band above it.
 */
Datum
healthscore_bands(PG_FUNCTION_ARGS)
{
	double		value = PG_GETARG_FLOAT8(0);
	ArrayType  *breaks_array = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *points_array = PG_GETARG_ARRAYTYPE_P(2);
	const float8 *breaks;
	const float8 *points;
	int			nbreaks;
	int			npoints;

	hs_check_not_nan("bands", "value", value);
	breaks = hs_float8_array("bands", "breaks", breaks_array, &nbreaks);
	points = hs_float8_array("bands", "points", points_array, &npoints);
	hs_check_ascending("bands", "breaks", breaks, nbreaks);
	hs_check_length("bands", "points", npoints, "breaks", nbreaks);
	for (int i = 0; i < npoints; i++)
	{
		hs_check_not_nan("bands", "points", points[i]);
		if (points[i] < HS_MIN_POINTS || points[i] > HS_MAX_POINTS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bands(): points must be between 0 and 100"),
					 errdetail("Element %d is %g.", i + 1, points[i]),
					 errhint("Points are on a 0-100 scale.")));
	}

	PG_RETURN_FLOAT8(points[hs_band_index(breaks, nbreaks, value)]);
}

/* 100 * 0.5 ^ (age / half-life); a negative age (clock skew) counts as 0 days. */
static double
decay_points(double age_days, double half_life_days)
{
	if (age_days <= 0.0)
		return HS_MAX_POINTS;
	return hs_clamp_points(HS_MAX_POINTS * pow(0.5, age_days / half_life_days));
}

Datum
healthscore_decay(PG_FUNCTION_ARGS)
{
	double		age_days = PG_GETARG_FLOAT8(0);
	double		half_life_days = PG_GETARG_FLOAT8(1);

	hs_check_not_nan("decay", "age_days", age_days);
	hs_check_positive("decay", "half_life_days", half_life_days);
	PG_RETURN_FLOAT8(decay_points(age_days, half_life_days));
}

/* Length of an interval in days, with the month and year lengths extract(epoch ...) uses. */
static double
interval_days(const Interval *span)
{
	double		seconds;

	seconds = span->time / (double) USECS_PER_SEC
		+ (DAYS_PER_YEAR * SECS_PER_DAY) * (span->month / MONTHS_PER_YEAR)
		+ ((double) DAYS_PER_MONTH * SECS_PER_DAY) * (span->month % MONTHS_PER_YEAR)
		+ ((double) SECS_PER_DAY) * span->day;
	return seconds / SECS_PER_DAY;
}

/*
 * decay(last_seen, half_life, as_of): recency of last_seen as of as_of.
 * A last_seen of -infinity (never) scores 0 and +infinity scores 100; as_of must be finite.
 */
Datum
healthscore_decay_timestamptz(PG_FUNCTION_ARGS)
{
	TimestampTz last_seen = PG_GETARG_TIMESTAMPTZ(0);
	Interval   *half_life = PG_GETARG_INTERVAL_P(1);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(2);
	double		half_life_days = interval_days(half_life);
	double		age_days;

	if (half_life_days <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decay(): half_life must be positive"),
				 errhint("Pass a positive interval such as '14 days'.")));
	if (TIMESTAMP_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decay(): as_of must be a finite timestamp"),
				 errhint("Pass the time the score is computed for, such as now().")));

	if (TIMESTAMP_IS_NOBEGIN(last_seen))
		age_days = get_float8_infinity();
	else if (TIMESTAMP_IS_NOEND(last_seen))
		age_days = -get_float8_infinity();
	else
		age_days = ((double) as_of - (double) last_seen) / USECS_PER_DAY;

	PG_RETURN_FLOAT8(decay_points(age_days, half_life_days));
}

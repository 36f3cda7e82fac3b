/*
 * signal_values.c
 *		A signal's raw value as the refresh reads it: checked, with errors that name the model and
 *		the signal (the scoring functions themselves know neither).
 *
 *	signal_value(value, model, signal, scoring)	the value, or an error when it cannot be scored:
 *												NaN for every method (it has no order, and would
 *												rank above every number as a percentile), a
 *												negative value for logarithmic, a value outside
 *												0-100 for points
 *	age_days(last_seen, as_of)					a decay signal's age in days; -infinity (never
 *												seen) is +Infinity days and +infinity -Infinity,
 *												which decay() scores 0 and 100
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(healthscore_signal_value);
PG_FUNCTION_INFO_V1(healthscore_age_days);

static void
unscorable(FunctionCallInfo fcinfo, int sqlstate, double value, const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("refresh(): signal \"%s\" of model \"%s\" yielded %g, %s",
					text_to_cstring(PG_GETARG_TEXT_PP(2)), text_to_cstring(PG_GETARG_TEXT_PP(1)), value, problem),
			 errhint("%s", hint)));
}

Datum
healthscore_signal_value(PG_FUNCTION_ARGS)
{
	double		value = PG_GETARG_FLOAT8(0);
	char	   *scoring = text_to_cstring(PG_GETARG_TEXT_PP(3));

	if (isnan(value))
		unscorable(fcinfo, ERRCODE_INVALID_PARAMETER_VALUE, value, "which cannot be scored",
				   "NaN has no order; make the expression return NULL where there is no value.");
	if (strcmp(scoring, "logarithmic") == 0 && value < 0.0)
		unscorable(fcinfo, ERRCODE_INVALID_PARAMETER_VALUE, value, "below 0, which logarithmic scoring cannot score",
				   "Logarithmic scoring is for counts and amounts of zero or more; use linear scoring otherwise.");
	if (strcmp(scoring, "points") == 0 && !(value >= HS_MIN_POINTS && value <= HS_MAX_POINTS))
		unscorable(fcinfo, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, value, "outside 0-100 points",
				   "A signal scored as points must yield 0-100; use linear or bands scoring for raw values.");
	PG_RETURN_FLOAT8(value);
}

Datum
healthscore_age_days(PG_FUNCTION_ARGS)
{
	TimestampTz last_seen = PG_GETARG_TIMESTAMPTZ(0);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);

	if (TIMESTAMP_IS_NOBEGIN(last_seen) || TIMESTAMP_IS_NOEND(as_of))
		PG_RETURN_FLOAT8(get_float8_infinity());
	if (TIMESTAMP_IS_NOEND(last_seen) || TIMESTAMP_IS_NOBEGIN(as_of))
		PG_RETURN_FLOAT8(-get_float8_infinity());
	/* seconds first, then days: bit for bit what extract(epoch FROM as_of - last_seen) / 86400 gives */
	PG_RETURN_FLOAT8(((double) (as_of - last_seen) / (double) USECS_PER_SEC) / (double) SECS_PER_DAY);
}

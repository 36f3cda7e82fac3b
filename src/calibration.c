/*
 * calibration.c
 *		churn_probability(score, intercept, slope): the probability a model's calibration gives a
 *		score, 1 / (1 + exp(-(intercept + slope * score / 100))), the logistic function of the fit
 *		calibrate() stores. One C function so that the refresh, preview() and calibration() compute
 *		it the same way, bit for bit, and so that it never overflows: exp() is taken of a
 *		non-positive number only.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "healthscore.h"

PG_FUNCTION_INFO_V1(healthscore_churn_probability);

Datum
healthscore_churn_probability(PG_FUNCTION_ARGS)
{
	float8		score = PG_GETARG_FLOAT8(0);
	float8		intercept = PG_GETARG_FLOAT8(1);
	float8		slope = PG_GETARG_FLOAT8(2);
	double		log_odds;
	double		e;

	hs_check_not_nan("churn_probability", "score", score);
	hs_check_finite("churn_probability", "intercept", intercept);
	hs_check_finite("churn_probability", "slope", slope);
	log_odds = intercept + slope * (score / 100.0);
	if (isnan(log_odds))		/* an infinite score times a zero slope */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("churn_probability(): score must be finite, not %g", score),
				 errhint("Scores are 0-100.")));
	/* the same value both ways; this way exp() cannot overflow */
	if (log_odds >= 0.0)
	{
		e = exp(-log_odds);
		PG_RETURN_FLOAT8(1.0 / (1.0 + e));
	}
	e = exp(log_odds);
	PG_RETURN_FLOAT8(e / (1.0 + e));
}

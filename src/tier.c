/*
 * tier.c
 *		tier(score, cutoffs, labels): the segment a score falls in (red / yellow / green by default);
 *		tier_with_hysteresis: the same for an account that was in a tier, which it keeps near a cutoff.
 *
 * A score equal to a cutoff goes to the upper tier, as with bands(): tier(40) = 'yellow'.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(healthscore_tier);

Datum
healthscore_tier(PG_FUNCTION_ARGS)
{
	double		score = PG_GETARG_FLOAT8(0);
	ArrayType  *cutoffs_array = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *labels_array = PG_GETARG_ARRAYTYPE_P(2);
	const float8 *cutoffs;
	int			ncutoffs;
	int			nlabels;
	int			subscript;
	bool		isnull;
	Datum		label;

	hs_check_not_nan("tier", "score", score);
	cutoffs = hs_float8_array("tier", "cutoffs", cutoffs_array, &ncutoffs);
	hs_check_ascending("tier", "cutoffs", cutoffs, ncutoffs);

	nlabels = hs_check_vector("tier", "labels", labels_array, "Pass a list such as '{red,yellow,green}'.");
	hs_check_no_nulls("tier", "labels", array_contains_nulls(labels_array), "Give every tier a name.");
	hs_check_length("tier", "labels", nlabels, "cutoffs", ncutoffs);

	/* array_get_element takes the array's own lower bound into account. */
	subscript = ARR_LBOUND(labels_array)[0] + hs_band_index(cutoffs, ncutoffs, score);
	label = array_get_element(PointerGetDatum(labels_array), 1, &subscript,
							  -1, -1, false, TYPALIGN_INT, &isnull);
	if (isnull)
		elog(ERROR, "tier(): label %d not found", subscript);	/* checked above */
	PG_RETURN_DATUM(label);
}

/* The index (from 0) of a label in a text[] of labels, or -1. */
static int
label_index(ArrayType *labels_array, text *label)
{
	Datum	   *labels;
	bool	   *nulls;
	int			nlabels;

	deconstruct_array(labels_array, TEXTOID, -1, false, TYPALIGN_INT, &labels, &nulls, &nlabels);
	for (int i = 0; i < nlabels; i++)
	{
		text	   *candidate = DatumGetTextPP(labels[i]);

		if (!nulls[i] && VARSIZE_ANY_EXHDR(candidate) == VARSIZE_ANY_EXHDR(label) &&
			memcmp(VARDATA_ANY(candidate), VARDATA_ANY(label), VARSIZE_ANY_EXHDR(label)) == 0)
			return i;
	}
	return -1;
}

/*
 * tier_with_hysteresis(score, previous_tier, hysteresis, cutoffs, labels): the tier of a score for
 * an account that was in previous_tier. It leaves that tier only when the score passes a cutoff
 * by more than hysteresis points, and then goes as far as the score passes cutoffs by more than
 * that: noise around a cutoff does not move it back and forth every run. Without a previous tier
 * (NULL, or not one of the labels, such as 'unknown') or with a hysteresis of 0 it is tier(score).
 * NULL for a NULL score.
 */
PG_FUNCTION_INFO_V1(healthscore_tier_with_hysteresis);

Datum
healthscore_tier_with_hysteresis(PG_FUNCTION_ARGS)
{
	const char *func = "tier_with_hysteresis";
	double		score;
	double		hysteresis;
	ArrayType  *cutoffs_array;
	ArrayType  *labels_array;
	const float8 *cutoffs;
	int			ncutoffs;
	int			nlabels;
	int			plain;
	int			chosen;
	int			previous = -1;
	int			subscript;
	bool		isnull;
	Datum		label;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_NULL();
	score = PG_GETARG_FLOAT8(0);
	hysteresis = PG_GETARG_FLOAT8(2);
	cutoffs_array = PG_GETARG_ARRAYTYPE_P(3);
	labels_array = PG_GETARG_ARRAYTYPE_P(4);
	hs_check_not_nan(func, "score", score);
	hs_check_finite(func, "hysteresis", hysteresis);
	if (hysteresis < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): hysteresis must not be negative, not %g", func, hysteresis),
				 errhint("Pass how many points past a cutoff a score must be to change tier, e.g. 5; 0 for none.")));
	cutoffs = hs_float8_array(func, "cutoffs", cutoffs_array, &ncutoffs);
	hs_check_ascending(func, "cutoffs", cutoffs, ncutoffs);
	nlabels = hs_check_vector(func, "labels", labels_array, "Pass a list such as '{red,yellow,green}'.");
	hs_check_no_nulls(func, "labels", array_contains_nulls(labels_array), "Give every tier a name.");
	hs_check_length(func, "labels", nlabels, "cutoffs", ncutoffs);

	plain = hs_band_index(cutoffs, ncutoffs, score);
	if (!PG_ARGISNULL(1))
		previous = label_index(labels_array, PG_GETARG_TEXT_PP(1));
	chosen = plain;
	if (previous >= 0 && hysteresis > 0 && plain > previous)
	{
		/* up: the highest tier whose lower cutoff the score passes by more than the hysteresis */
		chosen = previous;
		for (int i = plain; i > previous; i--)
			if (score > cutoffs[i - 1] + hysteresis)
			{
				chosen = i;
				break;
			}
	}
	else if (previous >= 0 && hysteresis > 0 && plain < previous)
	{
		/* down: the lowest tier whose upper cutoff the score is below by more than the hysteresis */
		chosen = previous;
		for (int i = plain; i < previous; i++)
			if (score < cutoffs[i] - hysteresis)
			{
				chosen = i;
				break;
			}
	}
	subscript = ARR_LBOUND(labels_array)[0] + chosen;
	label = array_get_element(PointerGetDatum(labels_array), 1, &subscript, -1, -1, false, TYPALIGN_INT, &isnull);
	if (isnull)
		elog(ERROR, "%s(): label %d not found", func, subscript);	/* checked above */
	PG_RETURN_DATUM(label);
}

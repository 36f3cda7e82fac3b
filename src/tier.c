/*
 * tier.c
 *		tier(score, cutoffs, labels): the segment a score falls in (red / yellow / green by default).
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

/*
 * arguments.c
 *		Argument checks shared by the scoring functions and aggregates.
 *
 * NaN/Infinity policy (README.md, "NaN, Infinity and NULL"):
 *	- NaN is never a valid input: it has no order, so it cannot be scored.
 *	- Bounds and parameters (worst, best, breaks, cutoffs, half-lives, weights) must be finite:
 *	  an infinite bound would make the whole scale degenerate.
 *	- An infinite *value* is an extreme observation and clamps to the end of the scale.
 *
 * Every error names the function and the argument and carries a hint saying what is valid.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "healthscore.h"

/* What to pass where an array holds one element per signal of a model. */
#define SIGNAL_ORDER_HINT "Pass one element per signal, in signal order."

void
hs_check_not_nan(const char *func, const char *arg, double value)
{
	if (unlikely(isnan(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must not be NaN", func, arg),
				 errhint("Pass a number; NaN cannot be scored. Use NULL for a missing value.")));
}

void
hs_check_finite(const char *func, const char *arg, double value)
{
	hs_check_not_nan(func, arg, value);
	if (unlikely(isinf(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must be finite, not %s", func, arg,
						value > 0 ? "Infinity" : "-Infinity"),
				 errhint("Bounds and parameters are finite numbers; only the scored value may be infinite (it is clamped).")));
}

void
hs_check_positive(const char *func, const char *arg, double value)
{
	hs_check_finite(func, arg, value);
	if (unlikely(value <= 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must be positive, not %g", func, arg, value),
				 errhint("Pass a finite number greater than zero.")));
}

/*
 * An array argument that lists things (boundaries, labels, one element per signal or feature)
 * must be one-dimensional, or empty; returns its number of elements. hint says what to pass.
 */
int
hs_check_vector(const char *func, const char *arg, ArrayType *array, const char *hint)
{
	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s(): %s must be a one-dimensional array", func, arg),
				 errhint("%s", hint)));
	return ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
}

/*
 * An array argument whose every element is needed must not hold NULLs. has_nulls is
 * array_contains_nulls() of the array, or the NULL flag of the one element about to be used
 * where only the elements actually used must be present. hint says what to do instead.
 */
void
hs_check_no_nulls(const char *func, const char *arg, bool has_nulls, const char *hint)
{
	if (unlikely(has_nulls))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s(): %s must not contain NULL elements", func, arg),
				 errhint("%s", hint)));
}

/* A float8[] argument must be one-dimensional (or empty). */
static int
check_float8_vector(const char *func, const char *arg, ArrayType *array, const char *hint)
{
	if (ARR_ELEMTYPE(array) != FLOAT8OID)
		elog(ERROR, "%s(): %s is not a float8[]", func, arg);	/* the SQL signature prevents it */
	return hs_check_vector(func, arg, array, hint);
}

/*
 * Return the elements of a float8[] argument, which must be one-dimensional (or empty)
 * and free of NULLs, so the caller can read them in place without deconstruct_array.
 */
const float8 *
hs_float8_array(const char *func, const char *arg, ArrayType *array, int *nelems)
{
	*nelems = check_float8_vector(func, arg, array, "Pass a list such as '{40,70}'.");
	hs_check_no_nulls(func, arg, array_contains_nulls(array), "Every element must be a finite number.");
	return (const float8 *) ARR_DATA_PTR(array);
}

/*
 * The elements of a one-dimensional float8[] argument that may hold NULLs (one element per
 * signal: points, raw values), with their NULL flags.
 */
void
hs_float8_array_with_nulls(const char *func, const char *arg, ArrayType *array,
						   Datum **values, bool **nulls, int *nelems)
{
	(void) check_float8_vector(func, arg, array, SIGNAL_ORDER_HINT);
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  values, nulls, nelems);
}

/* Points of a weighted score: within 0-100. */
void
hs_check_points(const char *func, double points)
{
	hs_check_not_nan(func, "points", points);
	if (unlikely(points < HS_MIN_POINTS || points > HS_MAX_POINTS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): points must be between 0 and 100, not %g", func, points),
				 errhint("Turn raw values into points first, e.g. with healthscore.linear().")));
}

/*
 * A weight of a weighted score: finite, zero or more. what_zero_ignores names what a zero weight
 * leaves out (a row, a signal). Checked for every signal, also one whose points are missing: a
 * weight is part of the model whether or not this account has the signal.
 */
void
hs_check_weight(const char *func, const char *weight_arg, const char *what_zero_ignores, double weight)
{
	hs_check_finite(func, weight_arg, weight);
	if (unlikely(weight < 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): %s must not be negative, not %g", func, weight_arg, weight),
				 errhint("Weights are zero or more; a weight of zero ignores the %s.", what_zero_ignores)));
}

/*
 * One term of a weighted score (the weighted_score aggregate, score_from_points): points within
 * 0-100 and a finite weight of zero or more.
 */
void
hs_check_weighted_term(const char *func, const char *weight_arg, const char *what_zero_ignores,
					   double points, double weight)
{
	hs_check_points(func, points);
	hs_check_weight(func, weight_arg, what_zero_ignores, weight);
}

/* The sums of a weighted score must stay finite. */
void
hs_check_weighted_sums(const char *func, double weight_sum, double product_sum)
{
	if (unlikely(isinf(weight_sum) || isinf(product_sum)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s(): sum of weights is out of range", func),
				 errhint("Use weights of ordinary size, such as 1 to 100.")));
}

/* Breaks and cutoffs: finite and strictly ascending, so every value falls in exactly one band. */
void
hs_check_ascending(const char *func, const char *arg, const float8 *values, int nvalues)
{
	for (int i = 0; i < nvalues; i++)
	{
		hs_check_finite(func, arg, values[i]);
		if (i > 0 && !(values[i] > values[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s(): %s must be strictly ascending", func, arg),
					 errdetail("Element %d (%g) is not greater than element %d (%g).",
							   i + 1, values[i], i, values[i - 1]),
					 errhint("List each boundary once, smallest first, e.g. '{40,70}'.")));
	}
}

/*
 * Arrays that must match in length, and do not, are one kind of mistake with one SQLSTATE:
 * 2202E array_subscript_error, as PostgreSQL raises for arrays whose sizes do not fit together
 * (array_fill's dimensions and low bounds, hstore's keys and values) and as logistic_fit does
 * for rows of differing feature counts. 22023 would not tell it apart from a bad value.
 */

/* An array that assigns something to each band must have one element more than the boundaries. */
void
hs_check_length(const char *func, const char *arg, int nelems,
				const char *other_arg, int other_nelems)
{
	if (nelems != other_nelems + 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s(): %s must have one element more than %s", func, arg, other_arg),
				 errdetail("%s has %d elements and %s has %d.", arg, nelems, other_arg, other_nelems),
				 errhint("%d boundaries make %d bands; give one element per band.",
						 other_nelems, other_nelems + 1)));
}

/* Arrays in signal order (names, raw values, points, weights) have one element per signal each. */
void
hs_check_same_length(const char *func, const char *arg, int nelems,
					 const char *other_arg, int other_nelems)
{
	hs_check_same_count(func, arg, nelems, other_arg, other_nelems, SIGNAL_ORDER_HINT);
}

/* The same for arrays that pair other things than signals; hint says what each element is. */
void
hs_check_same_count(const char *func, const char *arg, int nelems,
					const char *other_arg, int other_nelems, const char *hint)
{
	if (nelems != other_nelems)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s(): %s must have as many elements as %s", func, arg, other_arg),
				 errdetail("%s has %d elements and %s has %d.", arg, nelems, other_arg, other_nelems),
				 errhint("%s", hint)));
}

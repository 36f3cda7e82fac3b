/*
 * score_breakdown.c
 *		A score and its explanation from the parts of one account's run, kept as arrays in
 *		signal order: points[i] and weights[i] belong to signals[i].
 *
 * refresh() stores one row per account and run with the raw values and points as arrays (the
 * signal names and weights are stored once per run), rather than one row per signal: that is
 * eight times fewer rows to write and to index. These functions compute, from such a row:
 *
 *	score_from_points(points[], weights[])	the score, exactly as the weighted_score aggregate
 *											computes it over the same values in the same order
 *	score_reasons(signals[], raw[], points[], weights[], n)
 *											the n signals that cost the most points, as text
 *	worst_signal(signals[], points[], weights[])
 *											the one that cost the most
 *
 * A NULL element of points is a skipped signal (missing data under missing = skip): its weight
 * is redistributed to the present signals and it costs nothing. What a signal costs is
 * (100 - points) * weight / (sum of the present weights), summed in signal order as the
 * components view sums it, so that the reasons agree with that view to the last digit.
 * Ties are broken by signal name under the collation of the signals argument.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(healthscore_score_from_points);
PG_FUNCTION_INFO_V1(healthscore_score_reasons);
PG_FUNCTION_INFO_V1(healthscore_worst_signal);

/* A signal of one account's run, as the ranking sees it. */
typedef struct SignalCost
{
	int			index;			/* position in the arrays, from 0 */
	double		points_lost;	/* (100 - points) * weight share; 0 when skipped */
	text	   *name;
} SignalCost;

/* What to pass as the signal names: the run's own list. */
#define SIGNALS_HINT "Pass the signal names in signal order, e.g. healthscore.runs.signals."

/* The compensated sums of the weights and the weighted points of the present signals. */
typedef struct PresentSums
{
	float8		weight;
	float8		weight_comp;
	float8		product;
	float8		product_comp;
} PresentSums;

/*
 * The present signals' sums, exactly as the weighted_score aggregate adds them, after checking
 * every weight (also those of missing signals, which are part of the model all the same) and
 * every present signal's points; sums that overflow are an error here too, so that the score and
 * its explanation fail alike.
 */
static PresentSums
present_sums(const char *func, const Datum *points, const bool *points_null, const float8 *weights, int n)
{
	PresentSums sums = {0.0, 0.0, 0.0, 0.0};

	for (int i = 0; i < n; i++)
	{
		double		p;

		hs_check_weight(func, "weights", "signal", weights[i]);
		if (points_null[i])
			continue;
		p = DatumGetFloat8(points[i]);
		hs_check_points(func, p);
		hs_compensated_add(&sums.weight, &sums.weight_comp, weights[i]);
		hs_compensated_add(&sums.product, &sums.product_comp, weights[i] * p);
	}
	hs_check_weighted_sums(func, sums.weight, sums.product);
	return sums;
}

/*
 * score_from_points(points float8[], weights float8[]): sum(weight * points) / sum(weight) over
 * the elements whose points are not NULL; NULL without a positive present weight.
 */
Datum
healthscore_score_from_points(PG_FUNCTION_ARGS)
{
	const char *func = "score_from_points";
	Datum	   *points;
	bool	   *points_null;
	int			npoints;
	int			nweights;
	const float8 *weights;
	PresentSums sums;
	double		total_weight;

	hs_float8_array_with_nulls(func, "points", PG_GETARG_ARRAYTYPE_P(0), &points, &points_null, &npoints);
	weights = hs_float8_array(func, "weights", PG_GETARG_ARRAYTYPE_P(1), &nweights);
	hs_check_same_length(func, "points", npoints, "weights", nweights);

	sums = present_sums(func, points, points_null, weights, npoints);
	total_weight = sums.weight + sums.weight_comp;
	if (!(total_weight > 0.0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(hs_clamp_points((sums.product + sums.product_comp) / total_weight));
}

/* Costliest first; equal costs by signal name. */
static Oid	ranking_collation;

static int
compare_costs(const void *a, const void *b)
{
	const SignalCost *x = (const SignalCost *) a;
	const SignalCost *y = (const SignalCost *) b;

	if (x->points_lost != y->points_lost)
		return x->points_lost > y->points_lost ? -1 : 1;
	return varstr_cmp(VARDATA_ANY(x->name), VARSIZE_ANY_EXHDR(x->name),
					  VARDATA_ANY(y->name), VARSIZE_ANY_EXHDR(y->name), ranking_collation);
}

/*
 * The signals that lost points (points_lost > 0), costliest first, into *costs; returns how
 * many, and the number of signals through *nsignals.
 */
static int
rank_costs(FunctionCallInfo fcinfo, const char *func, int points_arg, int weights_arg,
		   SignalCost **costs, int *nsignals)
{
	Datum	   *names;
	bool	   *names_null;
	int			nnames;
	Datum	   *points;
	bool	   *points_null;
	int			npoints;
	int			nweights;
	const float8 *weights;
	double		present_weight = 0.0;
	int			nlost = 0;
	ArrayType  *signals = PG_GETARG_ARRAYTYPE_P(0);

	(void) hs_check_vector(func, "signals", signals, SIGNALS_HINT);
	deconstruct_array(signals, TEXTOID, -1, false, TYPALIGN_INT, &names, &names_null, &nnames);
	hs_float8_array_with_nulls(func, "points", PG_GETARG_ARRAYTYPE_P(points_arg), &points, &points_null, &npoints);
	weights = hs_float8_array(func, "weights", PG_GETARG_ARRAYTYPE_P(weights_arg), &nweights);
	hs_check_same_length(func, "points", npoints, "signals", nnames);
	hs_check_same_length(func, "weights", nweights, "signals", nnames);
	*nsignals = nnames;

	/* checked as score_from_points() checks them; the shares below use plain summation in signal
	 * order, as sum() over the components view adds them */
	(void) present_sums(func, points, points_null, weights, npoints);
	for (int i = 0; i < npoints; i++)
		if (!points_null[i])
			present_weight += weights[i];

	*costs = palloc(sizeof(SignalCost) * Max(nnames, 1));
	for (int i = 0; i < npoints; i++)
	{
		double		lost;

		if (points_null[i])
			continue;
		lost = (100.0 - DatumGetFloat8(points[i])) * (weights[i] / present_weight);
		if (!(lost > 0.0))
			continue;
		/* only a signal that lost points is named in the result, so only it needs a name */
		hs_check_no_nulls(func, "signals", names_null[i], SIGNALS_HINT);
		(*costs)[nlost].index = i;
		(*costs)[nlost].points_lost = lost;
		(*costs)[nlost].name = DatumGetTextPP(names[i]);
		nlost++;
	}
	ranking_collation = PG_GET_COLLATION();
	if (nlost > 1)
	{
		if (!OidIsValid(ranking_collation))
			ranking_collation = DEFAULT_COLLATION_OID;
		qsort(*costs, nlost, sizeof(SignalCost), compare_costs);
	}
	return nlost;
}

/*
 * The digits of a finite float8 as numeric takes them (float8_numeric prints DBL_DIG significant
 * digits with %g and parses that), rounded half away from zero to the given decimals, as
 * numeric_round does, trailing zeros cut when trim. False when %g chose an exponent: the caller
 * then goes through numeric. Reasons print numbers for every account a refresh writes, and the
 * numeric route (four conversions, each allocating) cost about 1 us per number.
 */
static bool
rounded_decimal(double value, int digits, bool trim, char *out, size_t outlen)
{
	char		printed[64];
	char		integer[64];
	char		fraction[64];
	int			nint = 0;
	int			nfrac = 0;
	bool		negative;
	bool		nonzero = false;
	const char *p;
	char	   *o = out;

	snprintf(printed, sizeof(printed), "%.*g", DBL_DIG, value);
	if (strchr(printed, 'e') != NULL || strchr(printed, 'E') != NULL)
		return false;
	p = printed;
	negative = (*p == '-');
	if (negative)
		p++;
	while (*p >= '0' && *p <= '9')
		integer[nint++] = *p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9';)
			fraction[nfrac++] = *p++;
	if (*p != '\0' || nint == 0)
		return false;
	while (nfrac < digits)
		fraction[nfrac++] = '0';
	if (nfrac > digits)
	{
		bool		carry = fraction[digits] >= '5';

		nfrac = digits;
		for (int i = nfrac - 1; carry && i >= 0; i--)
		{
			carry = (fraction[i] == '9');
			fraction[i] = carry ? '0' : fraction[i] + 1;
		}
		for (int i = nint - 1; carry && i >= 0; i--)
		{
			carry = (integer[i] == '9');
			integer[i] = carry ? '0' : integer[i] + 1;
		}
		if (carry)
		{
			memmove(integer + 1, integer, nint++);
			integer[0] = '1';
		}
	}
	if (trim)
		while (nfrac > 0 && fraction[nfrac - 1] == '0')
			nfrac--;
	for (int i = 0; i < nint; i++)
		nonzero |= integer[i] != '0';
	for (int i = 0; i < nfrac; i++)
		nonzero |= fraction[i] != '0';
	if ((size_t) (nint + nfrac + 3) > outlen)
		return false;
	if (negative && nonzero)		/* numeric has no negative zero */
		*o++ = '-';
	memcpy(o, integer, nint);
	o += nint;
	if (nfrac > 0)
	{
		*o++ = '.';
		memcpy(o, fraction, nfrac);
		o += nfrac;
	}
	*o = '\0';
	return true;
}

/* A float8 as the reasons print it: numeric rounded to the given digits, trailing zeros cut. */
char *
hs_rounded_text(double value, int digits, bool trim)
{
	Datum		number;
	char		decimal[80];

	if (isfinite(value) && rounded_decimal(value, digits, trim, decimal, sizeof(decimal)))
		return pstrdup(decimal);
	number = DirectFunctionCall1(float8_numeric, Float8GetDatum(value));
	number = DirectFunctionCall2(numeric_round, number, Int32GetDatum(digits));
	if (trim)
		number = DirectFunctionCall1(numeric_trim_scale, number);
	return DatumGetCString(DirectFunctionCall1(numeric_out, number));
}

/*
 * score_reasons(signals text[], raw_values float8[], points float8[], weights float8[],
 * how_many integer): "signal raw (-points lost); ..." for the how_many costliest signals, the
 * raw value rounded to 2 decimals ("no data" when missing) and the points lost to 1 decimal;
 * NULL when no signal cost anything.
 */
Datum
healthscore_score_reasons(PG_FUNCTION_ARGS)
{
	const char *func = "score_reasons";
	int32		how_many = PG_GETARG_INT32(4);
	Datum	   *raw;
	bool	   *raw_null;
	int			nraw;
	SignalCost *costs;
	int			nlost;
	int			nsignals;
	StringInfoData reasons;

	if (how_many < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): how_many must be at least 1, not %d", func, how_many),
				 errhint("Pass how many of the costliest signals to list, e.g. 3.")));
	hs_float8_array_with_nulls(func, "raw_values", PG_GETARG_ARRAYTYPE_P(1), &raw, &raw_null, &nraw);
	nlost = rank_costs(fcinfo, func, 2, 3, &costs, &nsignals);
	hs_check_same_length(func, "raw_values", nraw, "signals", nsignals);
	if (nlost == 0)
		PG_RETURN_NULL();

	initStringInfo(&reasons);
	for (int i = 0; i < Min(nlost, how_many); i++)
	{
		int			k = costs[i].index;

		if (i > 0)
			appendStringInfoString(&reasons, "; ");
		appendBinaryStringInfo(&reasons, VARDATA_ANY(costs[i].name), VARSIZE_ANY_EXHDR(costs[i].name));
		appendStringInfo(&reasons, " %s (-%s)",
						 raw_null[k] ? "no data" : hs_rounded_text(DatumGetFloat8(raw[k]), 2, true),
						 hs_rounded_text(costs[i].points_lost, 1, false));
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(reasons.data, reasons.len));
}

/* worst_signal(signals text[], points float8[], weights float8[]): the costliest signal, or NULL. */
Datum
healthscore_worst_signal(PG_FUNCTION_ARGS)
{
	SignalCost *costs;
	int			nsignals;

	if (rank_costs(fcinfo, "worst_signal", 1, 2, &costs, &nsignals) == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(costs[0].name);
}

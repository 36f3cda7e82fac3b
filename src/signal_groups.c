/*
 * signal_groups.c
 *		Signal groups with their own weights: the weight each signal has in one account's score
 *		once a missing signal's weight is re-spread within its group first.
 *
 * A model's signals are grouped by category. Without group weights the score is the weighted
 * mean of the present signals, and a missing signal's weight goes to all present signals alike.
 * With group weights (set_group_weight) the score is the weighted mean of the group scores by
 * group weight, a group score is the weighted mean of its present signals, and a group without a
 * present signal drops out, so that its weight goes to the other groups. That is the same as a
 * plain weighted mean over the signals with these effective weights:
 *
 *		effective weight of a present signal i of group g = G(g) * w(i) / W(g)
 *
 * where G(g) is the group's weight and W(g) the summed weight of the group's present signals.
 * Everything that reasons about a signal's share of the score (score_from_points, the reasons,
 * worst_signal, the components view, score_changes) takes these weights instead of the
 * signals' own, and gets group scores without knowing about groups. A missing signal gets its
 * share had the whole group been present, G(g) * w(i) / (summed weight of the group); its
 * points are NULL, so it adds nothing.
 *
 *	effective_weights(points[], weights[], categories[], group_weights[])
 *		group_weights holds, per signal, the weight of its group (runs.group_weights); NULL
 *		when the model has no group weights: the weights come back unchanged
 *	weakest_group(points[], weights[], categories[])
 *		the group with the lowest group score
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(healthscore_effective_weights);
PG_FUNCTION_INFO_V1(healthscore_weakest_group);

#define CATEGORIES_HINT "Pass the signals' categories in signal order, e.g. healthscore.runs.categories."
#define GROUP_WEIGHTS_HINT "Pass the weight of each signal's group in signal order, e.g. healthscore.runs.group_weights."

/* One account's run as the group functions read it: arrays in signal order. */
typedef struct GroupedRun
{
	int			n;
	Datum	   *points;
	bool	   *points_null;
	const float8 *weights;
	Datum	   *categories;
	int		   *group;			/* per signal, the index of the first signal of its category */
} GroupedRun;

/* Two text datums with the same bytes: names of one model's signals and groups compare so. */
bool
hs_same_text(Datum a, Datum b)
{
	text	   *x = DatumGetTextPP(a);
	text	   *y = DatumGetTextPP(b);

	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y)
		&& memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

/*
 * Per signal, the index of the first signal of its category: the groups, numbered by their first
 * signal. Categories are compared byte for byte, as the model's signals table tells them apart.
 */
int *
hs_signal_group_index(const Datum *categories, int n)
{
	int		   *group = palloc(sizeof(int) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		group[i] = i;
		for (int j = 0; j < i; j++)
		{
			if (group[j] == j && hs_same_text(categories[i], categories[j]))
			{
				group[i] = j;
				break;
			}
		}
	}
	return group;
}

/*
 * The categories and group weights of a run of n signals (the arguments named categories_arg and
 * group_weights_arg; points_arg names what they must match in length), checked: one category per
 * signal and none NULL; one group weight per signal, each a valid weight, the same for the
 * signals of one category. A NULL group_weights (a run without group weights) gives
 * *group_weights NULL; a NULL categories is an error only with group weights, and gives
 * *categories NULL.
 */
void
hs_read_signal_groups(const char *func, const char *categories_arg, const char *group_weights_arg,
					  const char *points_arg, ArrayType *categories, ArrayType *group_weights,
					  int n, Datum **categories_out, const float8 **group_weights_out)
{
	int			ncategories;
	bool	   *categories_null;

	*categories_out = NULL;
	*group_weights_out = NULL;
	if (categories == NULL)
	{
		if (group_weights != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s(): %s must not be NULL when %s are given", func, categories_arg, group_weights_arg),
					 errhint(CATEGORIES_HINT)));
		return;
	}
	(void) hs_check_vector(func, categories_arg, categories, CATEGORIES_HINT);
	hs_check_no_nulls(func, categories_arg, array_contains_nulls(categories), CATEGORIES_HINT);
	deconstruct_array(categories, TEXTOID, -1, false, TYPALIGN_INT, categories_out, &categories_null, &ncategories);
	hs_check_same_length(func, categories_arg, ncategories, points_arg, n);
	if (group_weights != NULL)
	{
		int			ngroup_weights;
		const float8 *weights = hs_float8_array(func, group_weights_arg, group_weights, &ngroup_weights);
		int		   *group = hs_signal_group_index(*categories_out, n);

		hs_check_same_length(func, group_weights_arg, ngroup_weights, points_arg, n);
		for (int i = 0; i < n; i++)
		{
			hs_check_weight(func, group_weights_arg, "group", weights[i]);
			if (weights[i] != weights[group[i]])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s(): %s of signals %d and %d differ, though their category is the same",
								func, group_weights_arg, group[i] + 1, i + 1),
						 errhint(GROUP_WEIGHTS_HINT)));
		}
		*group_weights_out = weights;
	}
}

/*
 * Reads and checks points, weights and categories (arguments 0, 1 and 2) and, when given, the
 * group weights (argument 3, may be NULL), and numbers the groups.
 */
static void
read_grouped_run(FunctionCallInfo fcinfo, const char *func, bool with_group_weights, GroupedRun *run,
				 const float8 **group_weights)
{
	int			nweights;

	hs_float8_array_with_nulls(func, "points", PG_GETARG_ARRAYTYPE_P(0), &run->points, &run->points_null, &run->n);
	run->weights = hs_float8_array(func, "weights", PG_GETARG_ARRAYTYPE_P(1), &nweights);
	hs_check_same_length(func, "weights", nweights, "points", run->n);
	hs_read_signal_groups(func, "categories", "group_weights", "points", PG_GETARG_ARRAYTYPE_P(2),
						  with_group_weights ? PG_GETARG_ARRAYTYPE_P(3) : NULL, run->n,
						  &run->categories, group_weights);
	run->group = hs_signal_group_index(run->categories, run->n);
	for (int i = 0; i < run->n; i++)
	{
		hs_check_weight(func, "weights", "signal", run->weights[i]);
		if (!run->points_null[i])
			hs_check_points(func, DatumGetFloat8(run->points[i]));
	}
}

/* Per group (at the index of its first signal): the summed weight of its present signals and of all. */
static void
group_weight_sums(const GroupedRun *run, double *present, double *all)
{
	for (int i = 0; i < run->n; i++)
		present[i] = all[i] = 0.0;
	for (int i = 0; i < run->n; i++)
	{
		all[run->group[i]] += run->weights[i];
		if (!run->points_null[i])
			present[run->group[i]] += run->weights[i];
	}
}

/*
 * effective_weights(points float8[], weights float8[], categories text[], group_weights float8[]):
 * each signal's weight in this account's score after re-spreading within groups (see the top
 * of the file). NULL points or weights give NULL; NULL group_weights give the weights unchanged.
 */
Datum
healthscore_effective_weights(PG_FUNCTION_ARGS)
{
	const char *func = "effective_weights";
	GroupedRun	run;
	const float8 *group_weights;
	double	   *present;
	double	   *all;
	Datum	   *result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(3))
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	if (PG_ARGISNULL(2))
		hs_read_signal_groups(func, "categories", "group_weights", "points", NULL, PG_GETARG_ARRAYTYPE_P(3), 0,
							  &run.categories, &group_weights);
	read_grouped_run(fcinfo, func, true, &run, &group_weights);

	present = palloc(sizeof(double) * Max(run.n, 1));
	all = palloc(sizeof(double) * Max(run.n, 1));
	group_weight_sums(&run, present, all);
	result = palloc(sizeof(Datum) * Max(run.n, 1));
	for (int i = 0; i < run.n; i++)
	{
		int			g = run.group[i];
		double		within = run.points_null[i] ? all[g] : present[g];

		result[i] = Float8GetDatum(within > 0.0 ? group_weights[i] * (run.weights[i] / within) : 0.0);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(result, run.n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * weakest_group(points float8[], weights float8[], categories text[]): the category whose present
 * signals have the lowest weighted mean of points (by the signals' weights; a group weight scales
 * a group, not its score); ties by name under the argument's collation; NULL when no signal is
 * present.
 */
Datum
healthscore_weakest_group(PG_FUNCTION_ARGS)
{
	const char *func = "weakest_group";
	GroupedRun	run;
	double	   *present;
	double	   *all;
	double	   *product;
	int			weakest = -1;
	double		weakest_score = 0.0;
	Oid			collation = OidIsValid(PG_GET_COLLATION()) ? PG_GET_COLLATION() : DEFAULT_COLLATION_OID;
	const float8 *no_group_weights;

	read_grouped_run(fcinfo, func, false, &run, &no_group_weights);
	present = palloc(sizeof(double) * Max(run.n, 1));
	all = palloc(sizeof(double) * Max(run.n, 1));
	product = palloc0(sizeof(double) * Max(run.n, 1));
	group_weight_sums(&run, present, all);
	for (int i = 0; i < run.n; i++)
		if (!run.points_null[i])
			product[run.group[i]] += run.weights[i] * DatumGetFloat8(run.points[i]);

	for (int g = 0; g < run.n; g++)
	{
		double		score;

		if (run.group[g] != g || !(present[g] > 0.0))
			continue;
		score = product[g] / present[g];
		if (weakest < 0 || score < weakest_score
			|| (score == weakest_score
				&& varstr_cmp(VARDATA_ANY(DatumGetTextPP(run.categories[g])),
							  VARSIZE_ANY_EXHDR(DatumGetTextPP(run.categories[g])),
							  VARDATA_ANY(DatumGetTextPP(run.categories[weakest])),
							  VARSIZE_ANY_EXHDR(DatumGetTextPP(run.categories[weakest])), collation) < 0))
		{
			weakest = g;
			weakest_score = score;
		}
	}
	if (weakest < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(DatumGetTextPP(run.categories[weakest]));
}

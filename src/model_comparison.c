/*
 * model_comparison.c
 *		paired_auc_bootstrap(runs, accounts, score_a, score_b, churned, samples, seed): the
 *		difference of two models' AUCs on the same rows (the mean over runs of each run's AUC, as
 *		evaluate() computes it) and a 95% percentile interval for it from a paired bootstrap that
 *		resamples accounts, not rows: runs repeat the same accounts, so rows are not independent.
 *		Each resample draws as many accounts as there are, with replacement, and weighs every row
 *		of an account by how often the account was drawn; both models see the same draw.
 *
 * Rows are sorted once per model (by run, then score); a resample then costs one pass over the
 * rows per model: with ties counting half, a run's AUC is the weighted share of (retained,
 * churned) pairs in which the retained account scored higher.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type_d.h"
#include "common/pg_prng.h"
#include "fmgr.h"
#include "healthscore.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(healthscore_paired_auc_bootstrap);

#define BOOTSTRAP_FUNC			"paired_auc_bootstrap"
#define BOOTSTRAP_MIN_SAMPLES	100
#define BOOTSTRAP_MAX_SAMPLES	100000
#define BOOTSTRAP_ROW_HINT		"Pass one element per paired row (run, account)."

typedef struct PairedRows
{
	int			n;
	const int32 *run;			/* 1 .. nruns */
	const int32 *account;		/* 1 .. naccounts */
	const float8 *score[2];
	const bool *churned;
	int			nruns;
	int			naccounts;
} PairedRows;

/* The elements of a one-dimensional array argument of the given type, none NULL. */
static const void *
array_elements(const char *arg, ArrayType *array, Oid elemtype, int *nelems)
{
	if (ARR_ELEMTYPE(array) != elemtype)
		elog(ERROR, "%s(): %s has the wrong element type", BOOTSTRAP_FUNC, arg);
	*nelems = hs_check_vector(BOOTSTRAP_FUNC, arg, array, BOOTSTRAP_ROW_HINT);
	hs_check_no_nulls(BOOTSTRAP_FUNC, arg, array_contains_nulls(array), BOOTSTRAP_ROW_HINT);
	return ARR_DATA_PTR(array);
}

/* An index argument (runs, accounts) counts from 1 with no gap above its largest value. */
static int
check_index(const char *arg, const int32 *index, int n)
{
	int			largest = 0;

	for (int i = 0; i < n; i++)
	{
		if (index[i] < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s(): %s must count from 1, not %d", BOOTSTRAP_FUNC, arg, index[i]),
					 errhint("Number them with dense_rank().")));
		largest = Max(largest, index[i]);
	}
	return largest;
}

/* Order of the rows by run, then score: a model's AUC per run in one pass. */
typedef struct RunScoreOrder
{
	const PairedRows *rows;
	const float8 *score;
} RunScoreOrder;

static int
compare_by_run_score(const void *a, const void *b, void *arg)
{
	const RunScoreOrder *by = arg;
	int			i = *(const int *) a;
	int			j = *(const int *) b;

	if (by->rows->run[i] != by->rows->run[j])
		return by->rows->run[i] < by->rows->run[j] ? -1 : 1;
	if (by->score[i] != by->score[j])
		return by->score[i] < by->score[j] ? -1 : 1;
	return (i > j) - (i < j);
}

/*
 * The mean over runs of each run's weighted AUC, over the runs with churned and retained weight;
 * NaN when no run has both.
 */
static double
mean_run_auc(const PairedRows *rows, const float8 *scores, const int *order, const double *weight)
{
	double		total = 0.0;
	int			runs = 0;
	int			k = 0;

	while (k < rows->n)
	{
		int			run = rows->run[order[k]];
		double		pairs = 0.0;
		double		churned_below = 0.0;
		double		retained_total = 0.0;

		while (k < rows->n && rows->run[order[k]] == run)
		{
			float8		score = scores[order[k]];
			double		churned_here = 0.0;
			double		retained_here = 0.0;

			while (k < rows->n && rows->run[order[k]] == run && scores[order[k]] == score)
			{
				double		w = weight[rows->account[order[k]] - 1];

				if (rows->churned[order[k]])
					churned_here += w;
				else
					retained_here += w;
				k++;
			}
			pairs += retained_here * (churned_below + 0.5 * churned_here);
			churned_below += churned_here;
			retained_total += retained_here;
		}
		if (churned_below > 0.0 && retained_total > 0.0)
		{
			total += pairs / (churned_below * retained_total);
			runs++;
		}
	}
	return runs > 0 ? total / runs : get_float8_nan();
}

static double
auc_difference(const PairedRows *rows, int *const order[2], const double *weight)
{
	double		auc[2];

	for (int m = 0; m < 2; m++)
		auc[m] = mean_run_auc(rows, rows->score[m], order[m], weight);
	return auc[0] - auc[1];
}

static int
compare_float8(const void *a, const void *b)
{
	float8		x = *(const float8 *) a;
	float8		y = *(const float8 *) b;

	return (x > y) - (x < y);
}

/* The p-quantile of sorted values, interpolated between neighbours (R's type 7). */
static double
quantile(const double *sorted, int n, double p)
{
	double		h = (n - 1) * p;
	int			low = (int) floor(h);

	if (low >= n - 1)
		return sorted[n - 1];
	return sorted[low] + (h - low) * (sorted[low + 1] - sorted[low]);
}

Datum
healthscore_paired_auc_bootstrap(PG_FUNCTION_ARGS)
{
	PairedRows	rows;
	int			samples = PG_GETARG_INT32(5);
	int64		seed = PG_GETARG_INT64(6);
	int			n_account,
				n_a,
				n_b,
				n_churned;
	int		   *order[2];
	double	   *weight;
	double	   *differences;
	int			kept = 0;
	pg_prng_state prng;
	Datum		result[3];

	rows.run = array_elements("runs", PG_GETARG_ARRAYTYPE_P(0), INT4OID, &rows.n);
	rows.account = array_elements("accounts", PG_GETARG_ARRAYTYPE_P(1), INT4OID, &n_account);
	rows.score[0] = array_elements("score_a", PG_GETARG_ARRAYTYPE_P(2), FLOAT8OID, &n_a);
	rows.score[1] = array_elements("score_b", PG_GETARG_ARRAYTYPE_P(3), FLOAT8OID, &n_b);
	rows.churned = array_elements("churned", PG_GETARG_ARRAYTYPE_P(4), BOOLOID, &n_churned);
	hs_check_same_count(BOOTSTRAP_FUNC, "accounts", n_account, "runs", rows.n, BOOTSTRAP_ROW_HINT);
	hs_check_same_count(BOOTSTRAP_FUNC, "score_a", n_a, "runs", rows.n, BOOTSTRAP_ROW_HINT);
	hs_check_same_count(BOOTSTRAP_FUNC, "score_b", n_b, "runs", rows.n, BOOTSTRAP_ROW_HINT);
	hs_check_same_count(BOOTSTRAP_FUNC, "churned", n_churned, "runs", rows.n, BOOTSTRAP_ROW_HINT);
	if (samples < BOOTSTRAP_MIN_SAMPLES || samples > BOOTSTRAP_MAX_SAMPLES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): samples must be between %d and %d, not %d", BOOTSTRAP_FUNC,
						BOOTSTRAP_MIN_SAMPLES, BOOTSTRAP_MAX_SAMPLES, samples),
				 errhint("1000 resamples give a stable 95%% interval.")));
	for (int i = 0; i < rows.n; i++)
	{
		hs_check_finite(BOOTSTRAP_FUNC, "score_a", rows.score[0][i]);
		hs_check_finite(BOOTSTRAP_FUNC, "score_b", rows.score[1][i]);
	}
	rows.nruns = check_index("runs", rows.run, rows.n);
	rows.naccounts = check_index("accounts", rows.account, rows.n);
	if (rows.n == 0)
		PG_RETURN_NULL();

	/* sizes are bounded by the arrays, which are at most 1 GB; palloc checks them */
	for (int m = 0; m < 2; m++)
	{
		RunScoreOrder		by = {.rows = &rows,.score = rows.score[m]};

		order[m] = palloc(sizeof(int) * rows.n);
		for (int i = 0; i < rows.n; i++)
			order[m][i] = i;
		qsort_arg(order[m], rows.n, sizeof(int), compare_by_run_score, &by);
	}
	weight = palloc(sizeof(double) * rows.naccounts);
	for (int j = 0; j < rows.naccounts; j++)
		weight[j] = 1.0;
	result[0] = Float8GetDatum(auc_difference(&rows, order, weight));

	differences = palloc(sizeof(double) * samples);
	pg_prng_seed(&prng, (uint64) seed);
	for (int s = 0; s < samples; s++)
	{
		double		d;

		CHECK_FOR_INTERRUPTS();
		memset(weight, 0, sizeof(double) * rows.naccounts);
		for (int j = 0; j < rows.naccounts; j++)
			weight[pg_prng_uint64_range(&prng, 0, rows.naccounts - 1)] += 1.0;
		d = auc_difference(&rows, order, weight);
		if (!isnan(d))
			differences[kept++] = d;
	}
	/* resamples without a churned and a retained account in any run say nothing */
	if (isnan(DatumGetFloat8(result[0])) || kept < samples / 2)
		PG_RETURN_NULL();
	qsort(differences, kept, sizeof(double), compare_float8);
	result[1] = Float8GetDatum(quantile(differences, kept, 0.025));
	result[2] = Float8GetDatum(quantile(differences, kept, 0.975));
	PG_RETURN_ARRAYTYPE_P(construct_array(result, 3, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

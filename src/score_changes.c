/*
 * score_changes.c
 *		What moved a score between two runs of an account, signal by signal.
 *
 * A score is the weighted mean of the points of the signals present (weights redistributed over
 * them), so when a signal appears or goes missing, every other signal's share of the weight
 * changes. Differences of points * share would blame that on signals whose points did not move.
 * Instead the change is taken in four exact steps, each one's part given to the signals that
 * cause it:
 *	1. the signals that went missing leave (old points, old weights): each accounts for
 *	   -(w / W_common) * (p - old score), W_common the old weights of the signals of both runs;
 *	2. the weights of the signals of both runs change to the new ones (only when the model
 *	   changed): each accounts for (new share - old share) * (p - score of step 1);
 *	3. their points change: each accounts for new share * (p' - p);
 *	4. the signals that appeared join: each accounts for (w' / W') * (p' - score of step 3).
 * The parts add up to the score change exactly, a signal whose points and weight did not change
 * accounts for 0, and one that went missing accounts for what it had been pulling the score up or
 * down by. Without a signal present in both runs, the old score leaves and the new one arrives
 * whole.
 *
 *	contributions(out_signals, signals, points, weights)
 *		each out_signal's points * weight share in one run (as the components view has it), NULL
 *		for a signal the run skipped or does not have
 *	contribution_changes(out_signals, signals, points, weights, previous_signals, previous_points,
 *						 previous_weights)
 *		each out_signal's part of the score change, 0 for a signal of neither run; NULL when
 *		either run has no score
 *	change_reasons(signals, raw, points, weights, previous_signals, previous_raw, previous_points,
 *				   previous_weights, how_many)
 *		"nps -20 -> -100 (-6.0); logins_30d 30 -> 12 (-4.5)", the how_many signals with the
 *		largest parts (at least 0.05 points), or NULL
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(healthscore_contributions);
PG_FUNCTION_INFO_V1(healthscore_contribution_changes);
PG_FUNCTION_INFO_V1(healthscore_change_reasons);

#define SIGNALS_HINT "Pass the signal names in signal order, e.g. healthscore.runs.signals."

/* One run's row of an account: names, raw values, points, weights, in signal order. */
typedef struct RunRow
{
	int			n;
	Datum	   *names;
	Datum	   *raw;
	bool	   *raw_null;
	Datum	   *points;
	bool	   *points_null;
	const float8 *weights;
	double		present_weight;
} RunRow;

/* A signal of either run and its part of the score change. */
typedef struct Mover
{
	text	   *name;
	int			now;			/* index in the current run, or -1 */
	int			before;			/* index in the previous run, or -1 */
	double		change;			/* its part of the score change */
} Mover;

/* Text array argument: no NULL elements, at most one dimension. */
static void
read_names(FunctionCallInfo fcinfo, const char *func, int arg, const char *arg_name, Datum **names, int *n)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(arg);
	bool	   *nulls;

	(void) hs_check_vector(func, arg_name, array, SIGNALS_HINT);
	hs_check_no_nulls(func, arg_name, array_contains_nulls(array), SIGNALS_HINT);
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, names, &nulls, n);
}

/*
 * One run's arrays from the arguments starting at first_arg: signals, raw values (when
 * raw_arg_offset > 0), points, weights.
 */
static RunRow
read_run(FunctionCallInfo fcinfo, const char *func, int first_arg, int raw_arg_offset, const char *prefix)
{
	RunRow		row;
	int			npoints;
	int			nweights;
	int			points_arg = first_arg + raw_arg_offset + 1;
	char	   *signals_arg = psprintf("%ssignals", prefix);

	read_names(fcinfo, func, first_arg, signals_arg, &row.names, &row.n);
	row.raw = NULL;
	row.raw_null = NULL;
	if (raw_arg_offset > 0)
	{
		int			nraw;

		hs_float8_array_with_nulls(func, psprintf("%sraw_values", prefix), PG_GETARG_ARRAYTYPE_P(first_arg + 1),
								   &row.raw, &row.raw_null, &nraw);
		hs_check_same_length(func, psprintf("%sraw_values", prefix), nraw, signals_arg, row.n);
	}
	hs_float8_array_with_nulls(func, psprintf("%spoints", prefix), PG_GETARG_ARRAYTYPE_P(points_arg),
							   &row.points, &row.points_null, &npoints);
	row.weights = hs_float8_array(func, psprintf("%sweights", prefix), PG_GETARG_ARRAYTYPE_P(points_arg + 1),
								  &nweights);
	hs_check_same_length(func, psprintf("%spoints", prefix), npoints, signals_arg, row.n);
	hs_check_same_length(func, psprintf("%sweights", prefix), nweights, signals_arg, row.n);
	/* in signal order, as sum() over the components view adds them */
	row.present_weight = 0.0;
	for (int i = 0; i < row.n; i++)
	{
		hs_check_weight(func, psprintf("%sweights", prefix), "signal", row.weights[i]);
		if (!row.points_null[i])
		{
			hs_check_points(func, DatumGetFloat8(row.points[i]));
			row.present_weight += row.weights[i];
		}
	}
	return row;
}

static bool
same_name(Datum a, Datum b)
{
	text	   *x = DatumGetTextPP(a);
	text	   *y = DatumGetTextPP(b);

	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

static int
find_name(const RunRow *row, Datum name)
{
	for (int i = 0; i < row->n; i++)
		if (same_name(row->names[i], name))
			return i;
	return -1;
}

static bool
present(const RunRow *row, int i)
{
	return i >= 0 && !row->points_null[i];
}

static double
points_of(const RunRow *row, int i)
{
	return DatumGetFloat8(row->points[i]);
}

/*
 * Each of n signals' part of the score change from before to now (see the top of the file); the
 * signal is now_index[k] in now and before_index[k] in before, -1 where a run does not have it.
 * False when either run has no score.
 */
static bool
score_change_parts(const RunRow *now, const RunRow *before, int n, const int *now_index,
				   const int *before_index, double *parts)
{
	double		old_score = 0.0;
	double		common_old_weight = 0.0;	/* W_common: old weights of the signals of both runs */
	double		common_old_sum = 0.0;
	double		common_new_weight = 0.0;	/* their new weights */
	double		common_new_sum = 0.0;
	double		step1_score;
	double		step3_score;

	if (!(before->present_weight > 0.0) || !(now->present_weight > 0.0))
		return false;
	for (int j = 0; j < before->n; j++)
		if (present(before, j))
			old_score += points_of(before, j) * before->weights[j];
	old_score /= before->present_weight;
	for (int i = 0; i < now->n; i++)
	{
		int			j = find_name(before, now->names[i]);

		CHECK_FOR_INTERRUPTS();
		if (present(now, i) && present(before, j))
		{
			common_old_weight += before->weights[j];
			common_old_sum += before->weights[j] * points_of(before, j);
			common_new_weight += now->weights[i];
			common_new_sum += now->weights[i] * points_of(now, i);
		}
	}

	if (!(common_old_weight > 0.0) || !(common_new_weight > 0.0))
	{
		/* nothing carries over: the old score leaves and the new one arrives whole */
		for (int k = 0; k < n; k++)
		{
			int			i = now_index[k];
			int			j = before_index[k];

			parts[k] = (present(now, i) ? points_of(now, i) * now->weights[i] / now->present_weight : 0.0) -
				(present(before, j) ? points_of(before, j) * before->weights[j] / before->present_weight : 0.0);
		}
		return true;
	}
	step1_score = common_old_sum / common_old_weight;
	step3_score = common_new_sum / common_new_weight;
	for (int k = 0; k < n; k++)
	{
		int			i = now_index[k];
		int			j = before_index[k];

		if (present(now, i) && present(before, j))
		{
			double		old_share = before->weights[j] / common_old_weight;
			double		new_share = now->weights[i] / common_new_weight;

			parts[k] = (new_share - old_share) * (points_of(before, j) - step1_score) +
				new_share * (points_of(now, i) - points_of(before, j));
		}
		else if (present(before, j))
			parts[k] = -(before->weights[j] / common_old_weight) * (points_of(before, j) - old_score);
		else if (present(now, i))
			parts[k] = (now->weights[i] / now->present_weight) * (points_of(now, i) - step3_score);
		else
			parts[k] = 0.0;
	}
	return true;
}

/* Largest move first; equal moves by name, bytewise (names are identifiers of one model). */
static int
compare_movers(const void *a, const void *b)
{
	const Mover *x = (const Mover *) a;
	const Mover *y = (const Mover *) b;
	int			nx = VARSIZE_ANY_EXHDR(x->name);
	int			ny = VARSIZE_ANY_EXHDR(y->name);
	int			c;

	if (fabs(x->change) != fabs(y->change))
		return fabs(x->change) > fabs(y->change) ? -1 : 1;
	c = memcmp(VARDATA_ANY(x->name), VARDATA_ANY(y->name), Min(nx, ny));
	return c != 0 ? c : nx - ny;
}

static const char *
raw_text(const RunRow *row, int i)
{
	if (i < 0)
		return "absent";
	if (row->raw_null[i])
		return "no data";
	return hs_rounded_text(DatumGetFloat8(row->raw[i]), 2, true);
}

Datum
healthscore_change_reasons(PG_FUNCTION_ARGS)
{
	const char *func = "change_reasons";
	RunRow		now;
	RunRow		before;
	int32		how_many;
	Mover	   *movers;
	int			nmovers = 0;
	int		   *now_index;
	int		   *before_index;
	double	   *parts;
	StringInfoData out;

	for (int i = 0; i < 9; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();	/* no run before: nothing changed from it */
	how_many = PG_GETARG_INT32(8);
	if (how_many < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): how_many must be at least 1, not %d", func, how_many),
				 errhint("Pass how many of the largest movers to list, e.g. 3.")));
	now = read_run(fcinfo, func, 0, 1, "");
	before = read_run(fcinfo, func, 4, 1, "previous_");

	/* the signals of the current run, then those of the run before only */
	movers = palloc(sizeof(Mover) * Max(now.n + before.n, 1));
	for (int i = 0; i < now.n; i++)
		movers[nmovers++] = (Mover) {DatumGetTextPP(now.names[i]), i, find_name(&before, now.names[i]), 0.0};
	for (int j = 0; j < before.n; j++)
	{
		CHECK_FOR_INTERRUPTS();
		if (find_name(&now, before.names[j]) < 0)
			movers[nmovers++] = (Mover) {DatumGetTextPP(before.names[j]), -1, j, 0.0};
	}
	now_index = palloc(sizeof(int) * Max(nmovers, 1));
	before_index = palloc(sizeof(int) * Max(nmovers, 1));
	parts = palloc(sizeof(double) * Max(nmovers, 1));
	for (int m = 0; m < nmovers; m++)
	{
		now_index[m] = movers[m].now;
		before_index[m] = movers[m].before;
	}
	if (!score_change_parts(&now, &before, nmovers, now_index, before_index, parts))
		PG_RETURN_NULL();		/* a run without a score: no change to explain */
	for (int m = 0; m < nmovers; m++)
		movers[m].change = parts[m];
	if (nmovers > 1)
		qsort(movers, nmovers, sizeof(Mover), compare_movers);

	initStringInfo(&out);
	for (int m = 0; m < Min(nmovers, how_many); m++)
	{
		/* what rounds to 0.0 did not move the score */
		if (!(fabs(movers[m].change) >= 0.05))
			break;
		if (m > 0)
			appendStringInfoString(&out, "; ");
		appendBinaryStringInfo(&out, VARDATA_ANY(movers[m].name), VARSIZE_ANY_EXHDR(movers[m].name));
		appendStringInfo(&out, " %s -> %s (%s%s)", raw_text(&before, movers[m].before), raw_text(&now, movers[m].now),
						 movers[m].change > 0 ? "+" : "", hs_rounded_text(movers[m].change, 1, false));
	}
	if (out.len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

Datum
healthscore_contribution_changes(PG_FUNCTION_ARGS)
{
	const char *func = "contribution_changes";
	Datum	   *out_names;
	int			nout;
	RunRow		now;
	RunRow		before;
	int		   *now_index;
	int		   *before_index;
	double	   *parts;
	Datum	   *result;

	for (int i = 0; i < 7; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();	/* no run before: nothing changed from it */
	read_names(fcinfo, func, 0, "out_signals", &out_names, &nout);
	now = read_run(fcinfo, func, 1, 0, "");
	before = read_run(fcinfo, func, 4, 0, "previous_");
	now_index = palloc(sizeof(int) * Max(nout, 1));
	before_index = palloc(sizeof(int) * Max(nout, 1));
	parts = palloc(sizeof(double) * Max(nout, 1));
	for (int k = 0; k < nout; k++)
	{
		CHECK_FOR_INTERRUPTS();
		now_index[k] = find_name(&now, out_names[k]);
		before_index[k] = find_name(&before, out_names[k]);
	}
	if (!score_change_parts(&now, &before, nout, now_index, before_index, parts))
		PG_RETURN_NULL();
	result = palloc(sizeof(Datum) * Max(nout, 1));
	for (int k = 0; k < nout; k++)
		result[k] = Float8GetDatum(parts[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(result, nout, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
healthscore_contributions(PG_FUNCTION_ARGS)
{
	const char *func = "contributions";
	Datum	   *out_names;
	int			nout;
	RunRow		run;
	Datum	   *result;
	bool	   *result_null;
	int			dims[1];
	int			lbs[1] = {1};

	for (int i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();	/* no such run */
	read_names(fcinfo, func, 0, "out_signals", &out_names, &nout);
	run = read_run(fcinfo, func, 1, 0, "");
	result = palloc(sizeof(Datum) * Max(nout, 1));
	result_null = palloc(sizeof(bool) * Max(nout, 1));
	for (int k = 0; k < nout; k++)
	{
		int			i;

		CHECK_FOR_INTERRUPTS();
		i = find_name(&run, out_names[k]);
		result_null[k] = !present(&run, i) || !(run.present_weight > 0.0);
		result[k] = result_null[k] ? (Datum) 0 :
			Float8GetDatum(points_of(&run, i) * (run.weights[i] / run.present_weight));
	}
	dims[0] = nout;
	if (nout == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	PG_RETURN_ARRAYTYPE_P(construct_md_array(result, result_null, 1, dims, lbs, FLOAT8OID, sizeof(float8),
											 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

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
 * With group weights (signal_groups.c) the score is the weighted mean of group scores, so the
 * same four steps are taken twice: over the groups (a group's points are its group score, its
 * weight the group weight), and within each group present in both runs, over its signals (their
 * parts add up to the change of the group score, and are scaled by the group's new share). A
 * group's part for its weight change, or for joining or leaving, goes to its signals by their
 * shares within it. So a signal going missing is blamed for what its group loses, not the other
 * signals of its group, whose share within the group grew. Without group weights each signal is a
 * group of its own, and the parts are those of the four steps over the signals, to the last bit.
 *
 *	contributions(out_signals, signals, points, weights)
 *		each out_signal's points * weight share in one run (as the components view has it), NULL
 *		for a signal the run skipped or does not have
 *	contribution_changes(out_signals, signals, points, weights, categories, group_weights,
 *						 previous_signals, previous_points, previous_weights, previous_categories,
 *						 previous_group_weights)
 *		each out_signal's part of the score change, 0 for a signal of neither run; NULL when
 *		either run has no score
 *	change_reasons(signals, raw, points, weights, categories, group_weights, previous_signals,
 *				   previous_raw, previous_points, previous_weights, previous_categories,
 *				   previous_group_weights, how_many)
 *		"nps -20 -> -100 (-6.0); logins_30d 30 -> 12 (-4.5)", the how_many signals with the
 *		largest parts (at least 0.05 points), or NULL
 *	trend_over_window(score, window_start_score, threshold)
 *		the trend arrow: up or down once the change over the trend window reaches the threshold
 *		(in C because the views compute it for every account they show)
 * categories and group_weights are a run's (runs.categories, runs.group_weights): NULL group
 * weights (and categories) mean a run without group weights.
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
PG_FUNCTION_INFO_V1(healthscore_trend_over_window);

#define SIGNALS_HINT "Pass the signal names in signal order, e.g. healthscore.runs.signals."

/* True when one of the arguments listed is NULL (the others, categories and group weights, may be). */
static bool
any_null(FunctionCallInfo fcinfo, const int *args, int nargs)
{
	for (int k = 0; k < nargs; k++)
		if (PG_ARGISNULL(args[k]))
			return true;
	return false;
}

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
	Datum	   *categories;		/* NULL when not passed */
	const float8 *group_weights;	/* NULL for a run without group weights */
} RunRow;

/* How the steps went: no score to explain, the four steps, or the whole score replaced. */
typedef enum ChangeKind
{
	CHANGE_NO_SCORE,
	CHANGE_STEPS,
	CHANGE_WHOLE
} ChangeKind;

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

/* The argument names of a run (in errors), for the current run and the run before. */
typedef struct RunArgNames
{
	const char *signals;
	const char *raw_values;
	const char *points;
	const char *weights;
	const char *categories;
	const char *group_weights;
} RunArgNames;

static const RunArgNames now_args = {"signals", "raw_values", "points", "weights", "categories", "group_weights"};
static const RunArgNames previous_args = {"previous_signals", "previous_raw_values", "previous_points",
	"previous_weights", "previous_categories", "previous_group_weights"};

/*
 * One run's arrays from the arguments starting at first_arg: signals, raw values (when
 * raw_arg_offset > 0), points, weights, and when with_groups categories and group weights (which
 * may be NULL; categories are read only with group weights, the only case that needs them).
 */
static RunRow
read_run(FunctionCallInfo fcinfo, const char *func, int first_arg, int raw_arg_offset, bool with_groups,
		 const RunArgNames *args)
{
	RunRow		row;
	int			npoints;
	int			nweights;
	int			points_arg = first_arg + raw_arg_offset + 1;

	read_names(fcinfo, func, first_arg, args->signals, &row.names, &row.n);
	row.raw = NULL;
	row.raw_null = NULL;
	if (raw_arg_offset > 0)
	{
		int			nraw;

		hs_float8_array_with_nulls(func, args->raw_values, PG_GETARG_ARRAYTYPE_P(first_arg + 1),
								   &row.raw, &row.raw_null, &nraw);
		hs_check_same_length(func, args->raw_values, nraw, args->signals, row.n);
	}
	hs_float8_array_with_nulls(func, args->points, PG_GETARG_ARRAYTYPE_P(points_arg),
							   &row.points, &row.points_null, &npoints);
	row.weights = hs_float8_array(func, args->weights, PG_GETARG_ARRAYTYPE_P(points_arg + 1), &nweights);
	hs_check_same_length(func, args->points, npoints, args->signals, row.n);
	hs_check_same_length(func, args->weights, nweights, args->signals, row.n);
	/* in signal order, as sum() over the components view adds them */
	row.present_weight = 0.0;
	for (int i = 0; i < row.n; i++)
	{
		hs_check_weight(func, args->weights, "signal", row.weights[i]);
		if (!row.points_null[i])
		{
			hs_check_points(func, DatumGetFloat8(row.points[i]));
			row.present_weight += row.weights[i];
		}
	}
	row.categories = NULL;
	row.group_weights = NULL;
	if (with_groups && !PG_ARGISNULL(points_arg + 3))
		hs_read_signal_groups(func, args->categories, args->group_weights, args->points,
							  PG_ARGISNULL(points_arg + 2) ? NULL : PG_GETARG_ARRAYTYPE_P(points_arg + 2),
							  PG_GETARG_ARRAYTYPE_P(points_arg + 3), row.n, &row.categories, &row.group_weights);
	return row;
}

static int
find_name(const RunRow *row, Datum name)
{
	for (int i = 0; i < row->n; i++)
		if (hs_same_text(row->names[i], name))
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
 * For a signal present in both runs, weight_parts[k] gets the part of step 2 and new_shares[k] its
 * new share (the rest of its part is new share * points change); elsewhere both are 0. Callers that
 * need only the parts pass NULL for both.
 */
static ChangeKind
score_change_parts(const RunRow *now, const RunRow *before, int n, const int *now_index,
				   const int *before_index, double *parts, double *weight_parts, double *new_shares)
{
	double		old_score = 0.0;
	double		common_old_weight = 0.0;	/* W_common: old weights of the signals of both runs */
	double		common_old_sum = 0.0;
	double		common_new_weight = 0.0;	/* their new weights */
	double		common_new_sum = 0.0;
	double		step1_score;
	double		step3_score;

	if (!(before->present_weight > 0.0) || !(now->present_weight > 0.0))
		return CHANGE_NO_SCORE;
	for (int k = 0; weight_parts != NULL && k < n; k++)
		weight_parts[k] = new_shares[k] = 0.0;
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
		return CHANGE_WHOLE;
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

			double		weight_part = (new_share - old_share) * (points_of(before, j) - step1_score);

			if (weight_parts != NULL)
			{
				weight_parts[k] = weight_part;
				new_shares[k] = new_share;
			}
			parts[k] = weight_part + new_share * (points_of(now, i) - points_of(before, j));
		}
		else if (present(before, j))
			parts[k] = -(before->weights[j] / common_old_weight) * (points_of(before, j) - old_score);
		else if (present(now, i))
			parts[k] = (now->weights[i] / now->present_weight) * (points_of(now, i) - step3_score);
		else
			parts[k] = 0.0;
	}
	return CHANGE_STEPS;
}

/*
 * A run's groups as a run of their own: one per category when the run has group weights, else one
 * per signal; a group's points are its group score (the weighted mean of its present signals;
 * exactly the points of a group with one present signal), NULL when none is present, its weight
 * the group weight (a signal's own weight when each signal is a group).
 */
typedef struct RunGroups
{
	RunRow		level;
	int		   *of_signal;		/* each signal's group */
	double	   *present_weight; /* per group, the summed weight of its present signals */
} RunGroups;

static RunGroups
run_groups(const RunRow *run)
{
	RunGroups	groups;
	RunRow	   *level = &groups.level;
	float8	   *weights = palloc(sizeof(float8) * Max(run->n, 1));
	double	   *sums = palloc0(sizeof(double) * Max(run->n, 1));
	int		   *present_count = palloc0(sizeof(int) * Max(run->n, 1));
	int		   *last_present = palloc(sizeof(int) * Max(run->n, 1));
	int		   *first = run->group_weights ? hs_signal_group_index(run->categories, run->n) : NULL;

	memset(level, 0, sizeof(RunRow));
	level->names = palloc(sizeof(Datum) * Max(run->n, 1));
	level->points = palloc(sizeof(Datum) * Max(run->n, 1));
	level->points_null = palloc(sizeof(bool) * Max(run->n, 1));
	groups.of_signal = palloc(sizeof(int) * Max(run->n, 1));
	groups.present_weight = palloc0(sizeof(double) * Max(run->n, 1));
	for (int i = 0; i < run->n; i++)
	{
		int			g;

		if (first == NULL || first[i] == i)
		{
			g = level->n++;
			level->names[g] = first ? run->categories[i] : run->names[i];
			weights[g] = first ? run->group_weights[i] : run->weights[i];
		}
		else
			g = groups.of_signal[first[i]];
		groups.of_signal[i] = g;
		if (present(run, i))
		{
			sums[g] += run->weights[i] * points_of(run, i);
			groups.present_weight[g] += run->weights[i];
			present_count[g]++;
			last_present[g] = i;
		}
	}
	level->weights = weights;
	for (int g = 0; g < level->n; g++)
	{
		level->points_null[g] = !(groups.present_weight[g] > 0.0);
		level->points[g] = level->points_null[g] ? (Datum) 0 :
			Float8GetDatum(present_count[g] == 1 ? points_of(run, last_present[g]) : sums[g] / groups.present_weight[g]);
		if (!level->points_null[g])
			level->present_weight += weights[g];
	}
	return groups;
}

/* The signals of one group as a run of their own; signal_index maps them back to the run's. */
static RunRow
group_members(const RunRow *run, const RunGroups *groups, int g, int **signal_index)
{
	RunRow		members;
	float8	   *weights = palloc(sizeof(float8) * Max(run->n, 1));

	memset(&members, 0, sizeof(RunRow));
	members.names = palloc(sizeof(Datum) * Max(run->n, 1));
	members.points = palloc(sizeof(Datum) * Max(run->n, 1));
	members.points_null = palloc(sizeof(bool) * Max(run->n, 1));
	*signal_index = palloc(sizeof(int) * Max(run->n, 1));
	for (int i = 0; i < run->n; i++)
	{
		if (groups->of_signal[i] != g)
			continue;
		members.names[members.n] = run->names[i];
		members.points[members.n] = run->points[i];
		members.points_null[members.n] = run->points_null[i];
		weights[members.n] = run->weights[i];
		(*signal_index)[members.n] = i;
		if (!run->points_null[i])
			members.present_weight += run->weights[i];
		members.n++;
	}
	members.weights = weights;
	return members;
}

/* The union of two runs' names, the first run's order first: each entry's index in a and in b. */
static int
name_union(const RunRow *a, const RunRow *b, int **a_index, int **b_index)
{
	int			n = 0;

	*a_index = palloc(sizeof(int) * Max(a->n + b->n, 1));
	*b_index = palloc(sizeof(int) * Max(a->n + b->n, 1));
	for (int i = 0; i < a->n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		(*a_index)[n] = i;
		(*b_index)[n++] = find_name(b, a->names[i]);
	}
	for (int j = 0; j < b->n; j++)
	{
		CHECK_FOR_INTERRUPTS();
		if (find_name(a, b->names[j]) < 0)
		{
			(*a_index)[n] = -1;
			(*b_index)[n++] = j;
		}
	}
	return n;
}

/*
 * Gives a group's part to its present signals by their shares within it: into the run's signals'
 * accumulators, acc[i] for signal i.
 */
static void
spread_over_group(const RunRow *run, const RunGroups *groups, int g, double part, double *acc)
{
	for (int i = 0; i < run->n; i++)
		if (groups->of_signal[i] == g && present(run, i))
			acc[i] += part * (run->weights[i] / groups->present_weight[g]);
}

/*
 * Each of n signals' part of the score change, by groups (see the top of the file); the indexes
 * as for score_change_parts(). False when either run has no score.
 */
static bool
grouped_change_parts(const RunRow *now, const RunRow *before, int n, const int *now_index,
					 const int *before_index, double *parts)
{
	RunGroups	now_groups;
	RunGroups	before_groups;
	int		   *now_group;
	int		   *before_group;
	int			ngroups;
	double	   *group_parts;
	double	   *group_weight_parts;
	double	   *group_new_shares;
	double	   *now_acc;
	double	   *before_acc;
	ChangeKind	kind;

	if (now->group_weights == NULL && before->group_weights == NULL)
	{
		/* every signal a group of its own: the steps over the signals are the same, to the bit */
		return score_change_parts(now, before, n, now_index, before_index, parts, NULL, NULL) != CHANGE_NO_SCORE;
	}
	now_groups = run_groups(now);
	before_groups = run_groups(before);
	ngroups = name_union(&now_groups.level, &before_groups.level, &now_group, &before_group);
	group_parts = palloc(sizeof(double) * Max(ngroups, 1));
	group_weight_parts = palloc(sizeof(double) * Max(ngroups, 1));
	group_new_shares = palloc(sizeof(double) * Max(ngroups, 1));
	now_acc = palloc0(sizeof(double) * Max(now->n, 1));
	before_acc = palloc0(sizeof(double) * Max(before->n, 1));

	kind = score_change_parts(&now_groups.level, &before_groups.level, ngroups, now_group, before_group,
							  group_parts, group_weight_parts, group_new_shares);
	if (kind == CHANGE_NO_SCORE)
		return false;
	for (int u = 0; u < ngroups; u++)
	{
		int			a = now_group[u];
		int			b = before_group[u];

		CHECK_FOR_INTERRUPTS();
		if (kind == CHANGE_WHOLE)
		{
			/* every signal's contribution leaves, and arrives, whole */
			for (int i = 0; i < now->n; i++)
				if (now_groups.of_signal[i] == a && present(now, i))
					now_acc[i] += points_of(now, i) * (now_groups.level.weights[a] * (now->weights[i] / now_groups.present_weight[a]))
						/ now_groups.level.present_weight;
			for (int j = 0; j < before->n; j++)
				if (before_groups.of_signal[j] == b && present(before, j))
					before_acc[j] -= points_of(before, j) * (before_groups.level.weights[b] * (before->weights[j] / before_groups.present_weight[b]))
						/ before_groups.level.present_weight;
		}
		else if (present(&now_groups.level, a) && present(&before_groups.level, b))
		{
			/* the group's weight change goes by the old shares within it, its score change by
			 * the steps within it at its new share */
			int		   *now_members_index;
			int		   *before_members_index;
			RunRow		now_members = group_members(now, &now_groups, a, &now_members_index);
			RunRow		before_members = group_members(before, &before_groups, b, &before_members_index);
			int		   *now_member;
			int		   *before_member;
			int			nmembers = name_union(&now_members, &before_members, &now_member, &before_member);
			double	   *member_parts = palloc(sizeof(double) * Max(nmembers, 1));

			spread_over_group(before, &before_groups, b, group_weight_parts[u], before_acc);
			if (score_change_parts(&now_members, &before_members, nmembers, now_member, before_member,
								   member_parts, NULL, NULL) == CHANGE_NO_SCORE)
				elog(ERROR, "%s: a group present in both runs has no score", __func__);
			for (int m = 0; m < nmembers; m++)
			{
				double		part = group_new_shares[u] * member_parts[m];

				if (now_member[m] >= 0)
					now_acc[now_members_index[now_member[m]]] += part;
				else
					before_acc[before_members_index[before_member[m]]] += part;
			}
		}
		else if (present(&before_groups.level, b))
			spread_over_group(before, &before_groups, b, group_parts[u], before_acc);
		else if (present(&now_groups.level, a))
			spread_over_group(now, &now_groups, a, group_parts[u], now_acc);
	}
	for (int k = 0; k < n; k++)
		parts[k] = (now_index[k] >= 0 ? now_acc[now_index[k]] : 0.0) +
			(before_index[k] >= 0 ? before_acc[before_index[k]] : 0.0);
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

	static const int required[] = {0, 1, 2, 3, 6, 7, 8, 9, 12};

	if (any_null(fcinfo, required, lengthof(required)))
		PG_RETURN_NULL();		/* no run before: nothing changed from it */
	how_many = PG_GETARG_INT32(12);
	if (how_many < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): how_many must be at least 1, not %d", func, how_many),
				 errhint("Pass how many of the largest movers to list, e.g. 3.")));
	now = read_run(fcinfo, func, 0, 1, true, &now_args);
	before = read_run(fcinfo, func, 6, 1, true, &previous_args);

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
	if (!grouped_change_parts(&now, &before, nmovers, now_index, before_index, parts))
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

	static const int required[] = {0, 1, 2, 3, 6, 7, 8};

	if (any_null(fcinfo, required, lengthof(required)))
		PG_RETURN_NULL();		/* no run before: nothing changed from it */
	read_names(fcinfo, func, 0, "out_signals", &out_names, &nout);
	now = read_run(fcinfo, func, 1, 0, true, &now_args);
	before = read_run(fcinfo, func, 6, 0, true, &previous_args);
	now_index = palloc(sizeof(int) * Max(nout, 1));
	before_index = palloc(sizeof(int) * Max(nout, 1));
	parts = palloc(sizeof(double) * Max(nout, 1));
	for (int k = 0; k < nout; k++)
	{
		CHECK_FOR_INTERRUPTS();
		now_index[k] = find_name(&now, out_names[k]);
		before_index[k] = find_name(&before, out_names[k]);
	}
	if (!grouped_change_parts(&now, &before, nout, now_index, before_index, parts))
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
	run = read_run(fcinfo, func, 1, 0, false, &now_args);
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

/*
 * trend_over_window(score float8, window_start_score float8, threshold float8): NULL without a
 * score, 'new' without a score at the window's start, 'up' or 'down' when the change reaches the
 * threshold, else 'flat'.
 */
Datum
healthscore_trend_over_window(PG_FUNCTION_ARGS)
{
	double		score;
	double		start;
	double		threshold;
	const char *trend = "flat";

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_TEXT_P(cstring_to_text("new"));
	score = PG_GETARG_FLOAT8(0);
	start = PG_GETARG_FLOAT8(1);
	if (!PG_ARGISNULL(2))
	{
		threshold = PG_GETARG_FLOAT8(2);
		if (score - start >= threshold && score > start)
			trend = "up";
		else if (start - score >= threshold && score < start)
			trend = "down";
	}
	PG_RETURN_TEXT_P(cstring_to_text(trend));
}

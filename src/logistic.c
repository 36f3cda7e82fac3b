/*
 * logistic.c
 *		Aggregate logistic_fit(outcome, features): logistic regression of a boolean outcome on a
 *		float8[] of features, fitted by Newton's method (iteratively reweighted least squares), as
 *		R's glm(..., family = binomial) does. Returns the coefficients (intercept first), their
 *		standard errors, the log-likelihood, the iterations and whether it converged.
 *
 * The state keeps every row ({y, x1..xk} as float8; Newton needs several passes) in the type
 * healthscore.logistic_state (aggregate_support.c: expanded while aggregating, flat and validated
 * byte for byte when it travels), with a concatenating combine function. Problems that
 * make the fit meaningless are errors, never a silently wrong answer:
 *	- an outcome with one class only, and features that are constant or collinear (the Hessian
 *	  is singular; the error names the feature);
 *	- perfect separation (the likelihood approaches its maximum only as coefficients grow
 *	  without bound: the fit reaches a log-likelihood of about 0, stops converging, or its
 *	  weights underflow so that the Hessian turns singular after the first step).
 * Fitted probabilities that are numerically 0 or 1 for some rows of an otherwise good fit (an
 * extreme feature value) give a WARNING, as R's glm does, not an error.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "healthscore.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(healthscore_logistic_step);
PG_FUNCTION_INFO_V1(healthscore_logistic_merge);
PG_FUNCTION_INFO_V1(healthscore_logistic_result);
PG_FUNCTION_INFO_V1(healthscore_logistic_state_in);
PG_FUNCTION_INFO_V1(healthscore_logistic_state_out);
PG_FUNCTION_INFO_V1(healthscore_logistic_state_recv);
PG_FUNCTION_INFO_V1(healthscore_logistic_state_send);

/*
 * Flat form: the shared header (kind 0; flags 0xFFFF before the first row fixes the number of
 * features, else 0), uint32 features, uint32 zero, uint64 rows, then the rows as float8.
 */
#define LOGISTIC_HEADER_SIZE	24
#define LOGISTIC_NO_ROW_YET		0xFFFF
#define LOGISTIC_MAX_FEATURES	1000
#define LOGISTIC_MAX_ITERATIONS 100
/* |eta| beyond this makes a fitted probability 0 or 1 in float8: separation */
#define LOGISTIC_SEPARATION_ETA 36.0

static const HsStateFormat logistic_format = {
	.magic = 0x48534c47,		/* "HSLG" */
	.version = 1,
	.header_size = LOGISTIC_HEADER_SIZE,
	.marker = "logistic_fit state marker",
	.type_name = "healthscore.logistic_state",
	.made_by = "healthscore.logistic_fit()",
};

typedef struct LogisticState
{
	int32		nfeatures;		/* k, fixed by the first row; -1 before it */
	uint64		nrows;
	uint64		capacity;		/* rows */
	float8	   *rows;			/* nrows x (1 + k): y, then the features */
} LogisticState;

static void logistic_merge(MemoryContext context, void *into_state, const void *from_state, const char *func);
static const HsStateFamily logistic_family;

static void *
logistic_copy(MemoryContext context, const void *from, int kind)
{
	LogisticState *state = MemoryContextAllocZero(context, sizeof(LogisticState));

	state->nfeatures = -1;
	if (from != NULL)
		logistic_merge(context, state, from, "logistic_fit");
	return state;
}

static void
reserve_rows(MemoryContext context, LogisticState *state, uint64 needed)
{
	uint64		width = 1 + state->nfeatures;
	uint64		capacity;

	if (needed <= state->capacity)
		return;
	capacity = Max(state->capacity * 2, Max(needed, 256));
	if (capacity > MaxAllocHugeSize / (width * sizeof(float8)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logistic_fit(): too many rows"),
				 errdetail("The fit already holds " UINT64_FORMAT " rows of %d features.",
						   state->nrows, state->nfeatures),
				 errhint("Fit on a sample of the rows.")));
	if (state->rows == NULL)
		state->rows = MemoryContextAllocExtended(context, capacity * width * sizeof(float8), MCXT_ALLOC_HUGE);
	else
		state->rows = repalloc_huge(state->rows, capacity * width * sizeof(float8));
	state->capacity = capacity;
}

static void
set_width(LogisticState *state, int nfeatures)
{
	if (state->nfeatures < 0)
		state->nfeatures = nfeatures;
	else if (state->nfeatures != nfeatures)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("logistic_fit(): every row must have the same number of features"),
				 errdetail("A row has %d features, earlier rows had %d.", nfeatures, state->nfeatures),
				 errhint("Pass the features in one fixed order, e.g. ARRAY[logins, tickets, nps].")));
}

static Datum
logistic_accum(FunctionCallInfo fcinfo, bool internal_state)
{
	HsStateUpdate update;
	LogisticState *state;
	ArrayType  *features;
	float8	   *values;
	int			nfeatures;
	float8	   *row;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return hs_keep_state(fcinfo);	/* NULL outcome or features: the row is skipped */

	features = PG_GETARG_ARRAYTYPE_P(2);
	nfeatures = hs_check_vector("logistic_fit", "features", features,
								"Pass e.g. ARRAY[logins, tickets]::float8[].");
	hs_check_no_nulls("logistic_fit", "features", array_contains_nulls(features),
					  "Leave out rows with missing features, or fill them in (e.g. with coalesce).");
	if (nfeatures > LOGISTIC_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logistic_fit(): at most %d features, not %d", LOGISTIC_MAX_FEATURES, nfeatures),
				 errhint("Select the features that matter first.")));
	values = (float8 *) ARR_DATA_PTR(features);
	for (int j = 0; j < nfeatures; j++)
		if (unlikely(!isfinite(values[j])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("logistic_fit(): feature %d must be finite, not %g", j + 1, values[j]),
					 errhint("Features are finite numbers; leave out or fix rows with NaN or Infinity.")));

	hs_state_begin_update(fcinfo, &logistic_family, "logistic_fit", 0, internal_state, &update);
	state = update.state;
	set_width(state, nfeatures);
	reserve_rows(update.context, state, state->nrows + 1);
	row = state->rows + state->nrows * (1 + nfeatures);
	row[0] = PG_GETARG_BOOL(1) ? 1.0 : 0.0;
	memcpy(row + 1, values, nfeatures * sizeof(float8));
	state->nrows++;
	return hs_state_end_update(&update);
}

Datum
healthscore_logistic_step(PG_FUNCTION_ARGS)
{
	return logistic_accum(fcinfo, false);
}

/* Rows of the same width, appended; an empty state (no first row yet) has no width to agree with. */
static void
logistic_merge(MemoryContext context, void *into_state, const void *from_state, const char *func)
{
	LogisticState *into = (LogisticState *) into_state;
	const LogisticState *from = (const LogisticState *) from_state;

	if (from->nrows == 0)
		return;
	set_width(into, from->nfeatures);
	reserve_rows(context, into, into->nrows + from->nrows);
	memcpy(into->rows + into->nrows * (1 + into->nfeatures), from->rows,
		   from->nrows * (1 + from->nfeatures) * sizeof(float8));
	into->nrows += from->nrows;
}

static bytea *
logistic_flatten(const void *state_ptr)
{
	const LogisticState *state = (const LogisticState *) state_ptr;
	StringInfoData buf;
	int32		nfeatures = Max(state->nfeatures, 0);
	uint64		nvalues = state->nrows * (1 + nfeatures);

	if (nvalues > (MaxAllocSize - VARHDRSZ - LOGISTIC_HEADER_SIZE) / sizeof(float8))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("logistic_fit(): " UINT64_FORMAT " rows of %d features are too many to store or pass between processes",
						state->nrows, nfeatures),
				 errhint("Fit in one process (max_parallel_workers_per_gather = 0), or on a sample.")));
	hs_state_begin(&buf, &logistic_format, 0, state->nfeatures < 0 ? LOGISTIC_NO_ROW_YET : 0);
	pq_sendint32(&buf, nfeatures);
	pq_sendint32(&buf, 0);
	pq_sendint64(&buf, state->nrows);
	for (uint64 i = 0; i < nvalues; i++)
		pq_sendfloat8(&buf, state->rows[i]);
	return pq_endtypsend(&buf);
}

/* Every byte is checked: marker, version, reserved bytes, rows against the length, the values. */
static void *
logistic_expand(bytea *flat, MemoryContext context, const char *func)
{
	uint64		length;
	const unsigned char *p = hs_state_header(func, &logistic_format, flat, &length);
	uint16		flags = (uint16) (p[6] << 8 | p[7]);
	uint32		nfeatures;
	uint64		nrows;
	uint64		width;
	LogisticState *state;

	if (p[5] != 0 || (flags != 0 && flags != LOGISTIC_NO_ROW_YET) || hs_read_uint32(p + 12) != 0)
		hs_state_malformed(func, &logistic_format, "Its reserved header bytes are not valid.");
	nfeatures = hs_read_uint32(p + 8);
	nrows = hs_read_uint64(p + 16);
	if (nfeatures > LOGISTIC_MAX_FEATURES)
		hs_state_malformed(func, &logistic_format, "It has more features than logistic_fit() accepts.");
	if (flags == LOGISTIC_NO_ROW_YET && (nfeatures != 0 || nrows != 0))
		hs_state_malformed(func, &logistic_format, "It says it has no rows yet, but has some.");
	width = 1 + nfeatures;
	length -= LOGISTIC_HEADER_SIZE;
	/* check the length before allocating anything for the rows */
	if (nrows > length / (width * sizeof(float8)) || length != nrows * width * sizeof(float8))
		hs_state_malformed(func, &logistic_format, "Its length does not match its number of rows.");

	state = logistic_copy(context, NULL, 0);
	state->nfeatures = flags == LOGISTIC_NO_ROW_YET ? -1 : (int32) nfeatures;
	if (nrows == 0)
		return state;
	reserve_rows(context, state, nrows);
	p += LOGISTIC_HEADER_SIZE;
	for (uint64 i = 0; i < nrows * width; i++)
	{
		float8		value = hs_read_float8(p + i * sizeof(float8));

		if (i % width == 0 ? (value != 0.0 && value != 1.0) : !isfinite(value))
			hs_state_malformed(func, &logistic_format,
							   i % width == 0 ? "An outcome is neither 0 nor 1." : "A feature is not finite.");
		state->rows[i] = value;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	state->nrows = nrows;
	return state;
}

static const HsStateFamily logistic_family = {
	.copy = logistic_copy,
	.flatten = logistic_flatten,
	.expand = logistic_expand,
	.merge = logistic_merge,
};

Datum
healthscore_logistic_merge(PG_FUNCTION_ARGS)
{
	return hs_combine_states(fcinfo, &logistic_family, "logistic_combine");
}

Datum
healthscore_logistic_state_in(PG_FUNCTION_ARGS)
{
	return hs_state_in(fcinfo, &logistic_family, "logistic_state_in");
}

Datum
healthscore_logistic_state_out(PG_FUNCTION_ARGS)
{
	return hs_state_out(fcinfo, &logistic_family);
}

Datum
healthscore_logistic_state_recv(PG_FUNCTION_ARGS)
{
	return hs_state_recv(fcinfo, &logistic_family, "logistic_state_recv");
}

Datum
healthscore_logistic_state_send(PG_FUNCTION_ARGS)
{
	return hs_state_send(fcinfo, &logistic_family);
}

/* log(1 + exp(x)) without overflow */
static inline double
log1pexp(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/*
 * Cholesky factorization of the p x p symmetric matrix a (lower triangle used) in place.
 * Returns -1 on success, else the index of the column that is (numerically) a linear
 * combination of the columns before it.
 */
static int
cholesky(double *a, int p)
{
	for (int j = 0; j < p; j++)
	{
		double		diagonal = a[j * p + j];
		double		original = diagonal;

		CHECK_FOR_INTERRUPTS();	/* O(p^3) for up to 1001 columns */

		for (int k = 0; k < j; k++)
			diagonal -= a[j * p + k] * a[j * p + k];
		if (!(diagonal > 1e-10 * Max(original, 1e-300)))
			return j;
		diagonal = sqrt(diagonal);
		a[j * p + j] = diagonal;
		for (int i = j + 1; i < p; i++)
		{
			double		sum = a[i * p + j];

			for (int k = 0; k < j; k++)
				sum -= a[i * p + k] * a[j * p + k];
			a[i * p + j] = sum / diagonal;
		}
	}
	return -1;
}

/* Solve L L' x = b for x in place, L from cholesky(). */
static void
cholesky_solve(const double *l, int p, double *b)
{
	for (int i = 0; i < p; i++)
	{
		for (int k = 0; k < i; k++)
			b[i] -= l[i * p + k] * b[k];
		b[i] /= l[i * p + i];
	}
	for (int i = p - 1; i >= 0; i--)
	{
		for (int k = i + 1; k < p; k++)
			b[i] -= l[k * p + i] * b[k];
		b[i] /= l[i * p + i];
	}
}

/*
 * One pass over the rows at coefficients beta: the gradient X'(y - p), the Hessian X'WX (lower
 * triangle), the log-likelihood and the largest |eta|.
 */
static double
newton_pass(const LogisticState *state, const double *beta, double *gradient, double *hessian,
			double *max_abs_eta)
{
	int			p = 1 + state->nfeatures;
	double		loglik = 0.0;
	double		x[LOGISTIC_MAX_FEATURES + 1];

	memset(gradient, 0, p * sizeof(double));
	memset(hessian, 0, (size_t) p * p * sizeof(double));
	*max_abs_eta = 0.0;
	x[0] = 1.0;
	for (uint64 r = 0; r < state->nrows; r++)
	{
		const float8 *row = state->rows + r * p;
		double		y = row[0];
		double		eta = beta[0];
		double		prob,
					weight;

		for (int j = 1; j < p; j++)
		{
			x[j] = row[j];
			eta += beta[j] * x[j];
		}
		prob = 1.0 / (1.0 + exp(-eta));
		weight = prob * (1.0 - prob);
		loglik -= y > 0.5 ? log1pexp(-eta) : log1pexp(eta);
		*max_abs_eta = Max(*max_abs_eta, fabs(eta));
		for (int i = 0; i < p; i++)
		{
			gradient[i] += (y - prob) * x[i];
			for (int j = 0; j <= i; j++)
				hessian[i * p + j] += weight * x[i] * x[j];
		}
		/* a row costs O(p^2): check often enough that cancel works with many features */
		if ((r & (p > 64 ? 0x3F : 0x3FFF)) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return loglik;
}

/*
 * At the start every weight is 1/4, so an infinite entry of the Hessian means that squares of
 * feature values overflow: say which feature, rather than report it as collinear.
 */
static void
check_finite_hessian(const double *hessian, int p)
{
	for (int j = 1; j < p; j++)
		if (!isfinite(hessian[j * p + j]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("logistic_fit(): feature %d is too large to fit: the sum of its squares overflows", j),
					 errhint("Scale the feature down, e.g. to thousands, or to points 0-100.")));
}

static void
separation_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("logistic_fit(): the outcome is perfectly separated by the features"),
			 errdetail("The likelihood grows without bound as the coefficients do, so they are infinite."),
			 errhint("Leave out the feature that predicts the outcome perfectly, or add more data.")));
}

static void
collinear_error(int column)
{
	if (column == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logistic_fit(): the intercept cannot be estimated"),
				 errhint("The fitted probabilities are 0 or 1 everywhere; check the outcome.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("logistic_fit(): feature %d is constant or a linear combination of the features before it", column),
			 errhint("Leave the feature out: its coefficient cannot be estimated.")));
}

static Datum
logistic_final(FunctionCallInfo fcinfo, bool internal_state)
{
	const LogisticState *state;
	TupleDesc	tupdesc;
	int			p;
	double	   *beta,
			   *gradient,
			   *hessian,
			   *step;
	double		loglik = 0.0,
				previous = 0.0,
				max_abs_eta = 0.0;
	uint64		positives = 0;
	int			iterations = 0;
	bool		converged = false;
	int			singular;
	Datum	   *coefficients,
			   *std_errors;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (const LogisticState *) hs_state_argument(fcinfo, &logistic_family, "logistic_final", internal_state);
	if (state->nrows == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "logistic_fit_final() must return a composite type");
	tupdesc = BlessTupleDesc(tupdesc);

	p = 1 + state->nfeatures;
	for (uint64 r = 0; r < state->nrows; r++)
		positives += state->rows[r * p] > 0.5;
	if (positives == 0 || positives == state->nrows)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("logistic_fit(): the outcome has only one class"),
				 errdetail("All " UINT64_FORMAT " rows are %s.", state->nrows, positives ? "true" : "false"),
				 errhint("A fit needs rows of both outcomes.")));

	beta = palloc0(p * sizeof(double));
	gradient = palloc(p * sizeof(double));
	step = palloc(p * sizeof(double));
	hessian = palloc((size_t) p * p * sizeof(double));

	/* Newton's method, stopping when the deviance settles, as glm() does (tighter epsilon) */
	while (iterations < LOGISTIC_MAX_ITERATIONS)
	{
		loglik = newton_pass(state, beta, gradient, hessian, &max_abs_eta);
		if (iterations == 0)
			check_finite_hessian(hessian, p);
		if (iterations > 0 && fabs(loglik - previous) / (fabs(loglik) + 0.1) < 1e-14)
		{
			converged = true;
			break;
		}
		previous = loglik;
		singular = cholesky(hessian, p);
		/* singular at the start (all weights 1/4) is collinearity; later, weights that underflowed */
		if (singular >= 0 && iterations == 0)
			collinear_error(singular);
		if (singular >= 0)
			separation_error();
		memcpy(step, gradient, p * sizeof(double));
		cholesky_solve(hessian, p, step);
		for (int j = 0; j < p; j++)
			beta[j] += step[j];
		iterations++;
	}
	if (!converged)				/* the last pass's Hessian was factored in place: redo it */
		loglik = newton_pass(state, beta, gradient, hessian, &max_abs_eta);
	/* a near-perfect fit, or one still running off to infinity, is separation */
	if (loglik > -1e-6 || (!converged && max_abs_eta > LOGISTIC_SEPARATION_ETA))
		separation_error();
	if (max_abs_eta > LOGISTIC_SEPARATION_ETA)
		ereport(WARNING,
				(errmsg("logistic_fit(): fitted probabilities numerically 0 or 1 occurred"),
				 errhint("Some rows have extreme feature values; their standard errors may be understated.")));

	/* standard errors from the inverse Hessian at the fitted coefficients */
	singular = cholesky(hessian, p);
	if (singular >= 0)
		separation_error();		/* nonsingular at iteration 0, so the weights underflowed */
	coefficients = palloc(p * sizeof(Datum));
	std_errors = palloc(p * sizeof(Datum));
	for (int j = 0; j < p; j++)
	{
		memset(step, 0, p * sizeof(double));
		step[j] = 1.0;
		cholesky_solve(hessian, p, step);	/* column j of the inverse */
		coefficients[j] = Float8GetDatum(beta[j]);
		std_errors[j] = Float8GetDatum(sqrt(step[j]));
	}
	if (!converged)
		ereport(WARNING,
				(errmsg("logistic_fit(): did not converge in %d iterations", LOGISTIC_MAX_ITERATIONS),
				 errhint("The coefficients are the last iterate; check the features for extreme values.")));

	values[0] = PointerGetDatum(construct_array(coefficients, p, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[1] = PointerGetDatum(construct_array(std_errors, p, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = Float8GetDatum(loglik);
	values[3] = Int32GetDatum(iterations);
	values[4] = BoolGetDatum(converged);
	values[5] = Int64GetDatum((int64) state->nrows);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

Datum
healthscore_logistic_result(PG_FUNCTION_ARGS)
{
	return logistic_final(fcinfo, false);
}

/* The 0.1.0 interface (internal states), for installations not yet updated: aggregate_support.c. */
PG_FUNCTION_INFO_V1(healthscore_logistic_accum);
PG_FUNCTION_INFO_V1(healthscore_logistic_combine);
PG_FUNCTION_INFO_V1(healthscore_logistic_serialize);
PG_FUNCTION_INFO_V1(healthscore_logistic_deserialize);
PG_FUNCTION_INFO_V1(healthscore_logistic_final);

Datum
healthscore_logistic_accum(PG_FUNCTION_ARGS)
{
	return logistic_accum(fcinfo, true);
}

Datum
healthscore_logistic_combine(PG_FUNCTION_ARGS)
{
	return hs_internal_combine(fcinfo, &logistic_family, "logistic_combine");
}

Datum
healthscore_logistic_serialize(PG_FUNCTION_ARGS)
{
	return hs_internal_serialize(fcinfo, &logistic_family);
}

Datum
healthscore_logistic_deserialize(PG_FUNCTION_ARGS)
{
	return hs_internal_deserialize(fcinfo, &logistic_family, "logistic_deserialize");
}

Datum
healthscore_logistic_final(PG_FUNCTION_ARGS)
{
	return logistic_final(fcinfo, true);
}

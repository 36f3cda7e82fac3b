/*
 * healthscore.h
 *		Declarations shared by the C files of the healthscore extension.
 *
 * Every C file holds one concern (scoring functions, tiers, one aggregate family);
 * argument checks that several of them need live in arguments.c, and what aggregates with
 * variable-size states need in aggregate_support.c, so that the same mistake gets the same error
 * everywhere.
 */
#ifndef HEALTHSCORE_H
#define HEALTHSCORE_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

/* Points are on a fixed 0-100 scale. */
#define HS_MIN_POINTS	0.0
#define HS_MAX_POINTS	100.0

/* Clamp a computed value to the points scale (it also turns -0 into 0). */
static inline double
hs_clamp_points(double points)
{
	if (points <= HS_MIN_POINTS)
		return HS_MIN_POINTS;
	if (points >= HS_MAX_POINTS)
		return HS_MAX_POINTS;
	return points;
}

/*
 * Index of the band that value falls in, given strictly ascending boundaries: the number of
 * boundaries <= value, so a value equal to a boundary goes to the band above it.
 */
static inline int
hs_band_index(const float8 *boundaries, int nboundaries, double value)
{
	int			low = 0;
	int			high = nboundaries;

	while (low < high)
	{
		int			mid = low + (high - low) / 2;

		if (boundaries[mid] <= value)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/*
 * Neumaier's variant of Kahan summation: *sum + *compensation tracks the exact sum closely.
 * Shared by the weighted_score aggregate and its array form, so both give the same result.
 */
static inline void
hs_compensated_add(float8 *sum, float8 *compensation, double addend)
{
	double		total = *sum + addend;

	if (fabs(*sum) >= fabs(addend))
		*compensation += (*sum - total) + addend;
	else
		*compensation += (addend - total) + *sum;
	*sum = total;
}

/*
 * Readers of serialized aggregate states, which are written in network byte order with
 * pq_sendint32/pq_sendint64/pq_sendfloat8. The callers check lengths before reading.
 */
static inline uint32
hs_read_uint32(const unsigned char *p)
{
	return (uint32) p[0] << 24 | (uint32) p[1] << 16 | (uint32) p[2] << 8 | p[3];
}

static inline uint64
hs_read_uint64(const unsigned char *p)
{
	return (uint64) hs_read_uint32(p) << 32 | hs_read_uint32(p + 4);
}

static inline float8
hs_read_float8(const unsigned char *p)
{
	uint64		bits = hs_read_uint64(p);
	float8		value;

	memcpy(&value, &bits, sizeof(value));
	return value;
}

/* arguments.c: checks that raise an ERROR naming the function and the argument */
extern void hs_check_not_nan(const char *func, const char *arg, double value);
extern void hs_check_finite(const char *func, const char *arg, double value);
extern void hs_check_positive(const char *func, const char *arg, double value);
extern int	hs_check_vector(const char *func, const char *arg, ArrayType *array, const char *hint);
extern void hs_check_no_nulls(const char *func, const char *arg, bool has_nulls, const char *hint);
extern const float8 *hs_float8_array(const char *func, const char *arg,
									 ArrayType *array, int *nelems);
extern void hs_float8_array_with_nulls(const char *func, const char *arg, ArrayType *array,
									   Datum **values, bool **nulls, int *nelems);
extern void hs_check_points(const char *func, double points);
extern void hs_check_weight(const char *func, const char *weight_arg, const char *what_zero_ignores,
							double weight);
extern void hs_check_weighted_term(const char *func, const char *weight_arg,
								   const char *what_zero_ignores, double points, double weight);
extern void hs_check_weighted_sums(const char *func, double weight_sum, double product_sum);
extern void hs_check_ascending(const char *func, const char *arg,
							   const float8 *values, int nvalues);
extern void hs_check_length(const char *func, const char *arg, int nelems,
							const char *other_arg, int other_nelems);
extern void hs_check_same_length(const char *func, const char *arg, int nelems,
								 const char *other_arg, int other_nelems);
extern void hs_check_same_count(const char *func, const char *arg, int nelems,
								const char *other_arg, int other_nelems, const char *hint);

/* signal_groups.c: the groups of a run's signals (categories) and their weights, checked */
extern bool hs_same_text(Datum a, Datum b);
extern int *hs_signal_group_index(const Datum *categories, int n);
extern void hs_read_signal_groups(const char *func, const char *categories_arg,
								  const char *group_weights_arg, const char *points_arg,
								  ArrayType *categories, ArrayType *group_weights, int n,
								  Datum **categories_out, const float8 **group_weights_out);

/* score_breakdown.c: a number as reasons print it (rounded, trailing zeros cut when trim) */
extern char *hs_rounded_text(double value, int digits, bool trim);

/* aggstate.c: fixed-size array states of aggregates */
extern ArrayType *hs_writable_state(FunctionCallInfo fcinfo, int argno);
extern void hs_invalid_state(const char *func, const char *aggregate, const char *detail) pg_attribute_noreturn();
extern void *hs_state_values(ArrayType *state, Oid elemtype, int nelems,
							 const char *func, const char *aggregate);

/*
 * aggregate_support.c: variable-size aggregate states (auc, logistic_fit, distinct_count,
 * stickiness) as real types, expanded while an aggregate works on them.
 */

/* One flat state format: a static const per format, shared by its writer and reader. */
typedef struct HsStateFormat
{
	uint32		magic;			/* the first four bytes, e.g. "HSAU" */
	uint8		version;		/* the fifth: changes whenever the layout does */
	uint32		header_size;	/* bytes before the first value, the format's own fields included */
	const char *marker;			/* what errors call the magic, e.g. "auc state marker" */
	const char *type_name;		/* the SQL type, e.g. "healthscore.auc_state" */
	const char *made_by;		/* what the hint says makes its values */
} HsStateFormat;

/* What the shared machinery needs of one family's in-memory structure. */
typedef struct HsStateFamily
{
	/* a new structure in context: a copy of from, or an empty one holding kind if from is NULL */
	void	   *(*copy) (MemoryContext context, const void *from, int kind);
	/* the flat form, allocated in the current context */
	bytea	   *(*flatten) (const void *state);
	/* the structure of a flat form, every byte validated (malformed: hs_state_malformed) */
	void	   *(*expand) (bytea *flat, MemoryContext context, const char *func);
	/* add everything of from to into */
	void		(*merge) (MemoryContext context, void *into, const void *from, const char *func);
} HsStateFamily;

typedef struct HsExpandedState HsExpandedState;

/*
 * A transition function skipping a NULL input (or a combine function a NULL state) returns the
 * state unchanged, and that state is itself NULL until the first value arrives: say so, rather
 * than return a null pointer as a value.
 */
static inline Datum
hs_keep_state(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

extern bool hs_state_is_expanded(Datum value, const HsStateFamily *family);
extern const void *hs_state_read(Datum value, const HsStateFamily *family, const char *func);
extern HsExpandedState *hs_state_for_update(FunctionCallInfo fcinfo, const HsStateFamily *family,
											const char *func, int kind);
extern void *hs_state_contents(HsExpandedState *expanded);
extern MemoryContext hs_state_context(HsExpandedState *expanded);
extern Datum hs_state_datum(HsExpandedState *expanded);
extern Datum hs_combine_states(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func);
extern bytea *hs_state_flat(Datum value, const HsStateFamily *family);

/* A transition function's state, in the 0.2.0 interface (expanded) or 0.1.0's (internal). */
typedef struct HsStateUpdate
{
	void	   *state;			/* the family's structure */
	MemoryContext context;		/* where it allocates */
	HsExpandedState *expanded;	/* NULL for an internal state */
} HsStateUpdate;

extern void hs_state_begin_update(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func,
								  int kind, bool internal_state, HsStateUpdate *update);
extern Datum hs_state_end_update(HsStateUpdate *update);
extern const void *hs_state_argument(FunctionCallInfo fcinfo, const HsStateFamily *family,
									 const char *func, bool internal_state);
extern MemoryContext hs_aggregate_context(FunctionCallInfo fcinfo, const char *func);
extern Datum hs_internal_combine(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func);
extern Datum hs_internal_serialize(FunctionCallInfo fcinfo, const HsStateFamily *family);
extern Datum hs_internal_deserialize(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func);
extern Datum hs_state_in(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func);
extern Datum hs_state_out(FunctionCallInfo fcinfo, const HsStateFamily *family);
extern Datum hs_state_recv(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func);
extern Datum hs_state_send(FunctionCallInfo fcinfo, const HsStateFamily *family);
extern void hs_state_begin(StringInfo buf, const HsStateFormat *format, uint8 kind, uint16 flags);
extern void hs_state_malformed(const char *func, const HsStateFormat *format,
							   const char *detail) pg_attribute_noreturn();
extern const unsigned char *hs_state_header(const char *func, const HsStateFormat *format,
											bytea *bytes, uint64 *length);

/*
 * Running model text as its author (author.c): the caller's role and settings, saved while the
 * author's text runs in a security-restricted operation.
 */
typedef struct AsAuthor
{
	Oid			saved_user;
	int			saved_context;
	int			nest_level;
} AsAuthor;

extern void hs_become_author(Oid author, AsAuthor *as);
extern void hs_stop_being_author(const AsAuthor *as);

/* Rolled-up values (rollup_values.c): 2^53, beyond which a float8 no longer holds every integer. */
#define HS_ROLLUP_EXACT_LIMIT 9007199254740992.0

#endif							/* HEALTHSCORE_H */

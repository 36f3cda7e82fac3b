/*
 * exact_set.c
 *		The type healthscore.exact_set: the state of distinct_count() and stickiness(), small
 *		sets kept flat and sorted, large ones as expanded hash sets (distinct_set.c).
 *
 * Why two forms: a query grouped by account holds one set per account at once, and most
 * accounts have a few dozen users. An expanded hash set costs its header, its set structure and
 * slack in its table; a flat set of n bigint keys is 20 + 8n bytes. So a set stays
 * in its flat form, keys in ascending byte order and found by bisection, until it would pass
 * HS_SET_SMALL_BYTES; then it becomes a hash set, which nodeAgg keeps as an expanded object and
 * the transition function updates in place. Text keys are not sorted (their lengths vary); a
 * small text set is searched from end to end, which at this size is as fast as hashing.
 *
 * A small set grows by one key at a time into a new value (at most HS_SET_SMALL_BYTES copied),
 * which nodeAgg copies into its context, freeing the old one: a few hundred bytes per new key,
 * none per repeated key, which is most rows.
 *
 * Both forms flatten to the same format (distinct_set.c), which is also the binary send form
 * and, in hex, the text form; input and receive validate every byte.
 */
#include "postgres.h"

#include "distinct_set.h"
#include "fmgr.h"
#include "healthscore.h"
#include "port/pg_bswap.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(healthscore_exact_set_same);
PG_FUNCTION_INFO_V1(healthscore_exact_sets_same);
PG_FUNCTION_INFO_V1(healthscore_exact_set_combine);
PG_FUNCTION_INFO_V1(healthscore_exact_set_in);
PG_FUNCTION_INFO_V1(healthscore_exact_set_out);
PG_FUNCTION_INFO_V1(healthscore_exact_set_recv);
PG_FUNCTION_INFO_V1(healthscore_exact_set_send);

/*
 * A flat set up to this size (varlena header included) stays flat while aggregating: 61 bigint
 * keys. (user, day) pairs of stickiness stop at half that, 15 pairs: most events of an active
 * account are a new pair, so its set grows through the small form one copy per event, and past
 * a few days of a few users a hash set is cheaper.
 */
#define HS_SET_SMALL_BYTES	512
#define HS_SET_SMALL_PAIR_BYTES 256

static inline uint32
small_limit(HsSetKind kind)
{
	return kind == HS_SET_USER_DAY ? HS_SET_SMALL_PAIR_BYTES : HS_SET_SMALL_BYTES;
}

static void *
set_copy(MemoryContext context, const void *from, int kind)
{
	const HsDistinctSet *other = (const HsDistinctSet *) from;
	HsDistinctSet *set = hs_set_create(context, other ? hs_set_kind(other) : (HsSetKind) kind);

	if (other != NULL)
		hs_set_merge(set, other);
	return set;
}

static bytea *
set_flatten(const void *state)
{
	return hs_set_serialize((const HsDistinctSet *) state);
}

static void *
set_expand(bytea *flat, MemoryContext context, const char *func)
{
	return hs_set_deserialize_any(flat, context, func);
}

/* hs_set_merge refuses sets of two kinds */
static void
set_merge(MemoryContext context, void *into, const void *from, const char *func)
{
	hs_set_merge((HsDistinctSet *) into, (const HsDistinctSet *) from);
}

const HsStateFamily hs_exact_set_family = {
	.copy = set_copy,
	.flatten = set_flatten,
	.expand = set_expand,
	.merge = set_merge,
};

/* The key as the flat form stores it: integers in network byte order, uuid and text as they are. */
static const void *
flat_key(HsSetKind kind, const void *key, uint32 keylen, uint64 words[2])
{
	if (kind != HS_SET_INT8 && kind != HS_SET_USER_DAY)
		return key;
	memcpy(words, key, keylen);
	words[0] = pg_hton64(words[0]);
	if (keylen == 16)
		words[1] = pg_hton64(words[1]);
	return words;
}

static uint64
flat_count(const bytea *flat)
{
	return hs_read_uint64((const unsigned char *) VARDATA(flat) + 8);
}

/* A flat set in the small form: sorted fixed-size keys, or any text set, within the size. */
static bool
is_small(const bytea *flat)
{
	const unsigned char *p = (const unsigned char *) VARDATA(flat);

	if (VARSIZE(flat) > small_limit((HsSetKind) p[5]))
		return false;
	return p[5] == HS_SET_TEXT || (p[7] & HS_SET_SORTED) != 0;
}

/* A new flat set: the header for count keys, and key_bytes of room for them. */
static bytea *
flat_alloc(HsSetKind kind, uint64 count, uint32 key_bytes)
{
	bytea	   *flat = palloc(VARHDRSZ + HS_SET_HEADER_SIZE + key_bytes);
	unsigned char *p = (unsigned char *) VARDATA(flat);
	uint32		magic = pg_hton32(hs_set_format.magic);
	uint64		n = pg_hton64(count);

	SET_VARSIZE(flat, VARHDRSZ + HS_SET_HEADER_SIZE + key_bytes);
	memcpy(p, &magic, 4);
	p[4] = hs_set_format.version;
	p[5] = (unsigned char) kind;
	p[6] = 0;
	p[7] = kind == HS_SET_TEXT ? 0 : HS_SET_SORTED;
	memcpy(p + 8, &n, 8);
	return flat;
}

/*
 * flat with key added: flat itself when the key is in it already, NULL when adding it would make
 * the set larger than limit bytes, else a new value in the current context. Fixed-size keys are
 * inserted in order (bisection finds where); text keys are appended after a scan.
 */
static bytea *
flat_insert(bytea *flat, HsSetKind kind, const void *key, uint32 keylen, uint32 limit)
{
	const unsigned char *keys = (const unsigned char *) VARDATA(flat) + HS_SET_HEADER_SIZE;
	uint32		key_bytes = VARSIZE(flat) - VARHDRSZ - HS_SET_HEADER_SIZE;
	uint64		count = flat_count(flat);
	uint32		at;
	bytea	   *bigger;
	unsigned char *out;

	if (kind == HS_SET_TEXT)
	{
		for (uint32 offset = 0; offset < key_bytes;)
		{
			uint32		length = hs_read_uint32(keys + offset);

			if (length == keylen && memcmp(keys + offset + 4, key, keylen) == 0)
				return flat;
			offset += 4 + length;
		}
		if ((uint64) VARSIZE(flat) + 4 + keylen > limit)
			return NULL;
		bigger = flat_alloc(kind, count + 1, key_bytes + 4 + keylen);
		out = (unsigned char *) VARDATA(bigger) + HS_SET_HEADER_SIZE;
		memcpy(out, keys, key_bytes);
		keylen = pg_hton32(keylen);
		memcpy(out + key_bytes, &keylen, 4);
		memcpy(out + key_bytes + 4, key, pg_ntoh32(keylen));
		return bigger;
	}

	{
		uint64		low = 0,
					high = count;

		while (low < high)
		{
			uint64		mid = low + (high - low) / 2;
			int			cmp = memcmp(keys + mid * keylen, key, keylen);

			if (cmp == 0)
				return flat;
			if (cmp < 0)
				low = mid + 1;
			else
				high = mid;
		}
		at = (uint32) low * keylen;
	}
	if ((uint64) VARSIZE(flat) + keylen > limit)
		return NULL;
	bigger = flat_alloc(kind, count + 1, key_bytes + keylen);
	out = (unsigned char *) VARDATA(bigger) + HS_SET_HEADER_SIZE;
	memcpy(out, keys, at);
	memcpy(out + at, key, keylen);
	memcpy(out + at + keylen, keys + at, key_bytes - at);
	return bigger;
}

static Datum exact_set_add(FunctionCallInfo fcinfo, HsSetKind kind, const void *key, uint32 keylen,
							const char *func);

/*
 * The transition step shared by distinct_count() and stickiness(): add one key (in memory
 * order, as the hash set takes it) to the state in argument 0 and return the new state. With
 * internal_state, the state is 0.1.0's: the hash set itself, in the aggregate's context.
 */
Datum
hs_exact_set_accum(FunctionCallInfo fcinfo, HsSetKind kind, const void *key, uint32 keylen, const char *func,
				   bool internal_state)
{
	HsStateUpdate update;

	if (!internal_state)
		return exact_set_add(fcinfo, kind, key, keylen, func);
	hs_state_begin_update(fcinfo, &hs_exact_set_family, func, kind, true, &update);
	hs_set_add(update.state, key, keylen);
	return hs_state_end_update(&update);
}

static Datum
exact_set_add(FunctionCallInfo fcinfo, HsSetKind kind, const void *key, uint32 keylen, const char *func)
{
	uint64		words[2];
	const void *stored = flat_key(kind, key, keylen, words);
	HsExpandedState *expanded;
	HsDistinctSet *set;

	if (PG_ARGISNULL(0))
	{
		bytea	   *first = flat_insert(flat_alloc(kind, 0, 0), kind, stored, keylen, small_limit(kind));

		if (first != NULL)
			return PointerGetDatum(first);
		/* a key too long for the small form goes straight to a hash set */
	}
	else if (!hs_state_is_expanded(PG_GETARG_DATUM(0), &hs_exact_set_family))
	{
		bytea	   *flat = (bytea *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));

		hs_check_set_kind(func, hs_set_flat_kind(flat, func), kind);
		if (is_small(flat))
		{
			bytea	   *added = flat_insert(flat, kind, stored, keylen, small_limit(kind));

			if (added != NULL)
				return PointerGetDatum(added);
		}
	}
	/* a large set, or one that has just outgrown the small form */
	expanded = hs_state_for_update(fcinfo, &hs_exact_set_family, func, kind);
	set = hs_state_contents(expanded);
	hs_check_set_kind(func, hs_set_kind(set), kind);
	hs_set_add(set, key, keylen);
	return hs_state_datum(expanded);
}

/* Adds each key of a set to the state in argument 0 through exact_set_add, as nodeAgg would row by row. */
typedef struct KeyAdder
{
	FunctionCallInfo fcinfo;
	HsSetKind	kind;
	const char *func;
} KeyAdder;

static void
add_key_visitor(const void *key, uint32 keylen, void *arg)
{
	KeyAdder   *adder = (KeyAdder *) arg;
	Datum		state = exact_set_add(adder->fcinfo, adder->kind, key, keylen, adder->func);

	adder->fcinfo->args[0].value = state;
	adder->fcinfo->args[0].isnull = false;
}

/*
 * Combine: union of two sets. Two small sets merge key by key in the small form (it turns into
 * a hash set if the union outgrows it); otherwise the union is built in the hash set.
 */
Datum
healthscore_exact_set_combine(PG_FUNCTION_ARGS)
{
	const char *func = "exact_set_combine";
	bytea	   *from;

	if (PG_ARGISNULL(1))
		return hs_keep_state(fcinfo);
	if (!hs_state_is_expanded(PG_GETARG_DATUM(1), &hs_exact_set_family))
	{
		HsSetKind	kind;

		from = (bytea *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
		kind = hs_set_flat_kind(from, func);
		if (is_small(from))
		{
			/* validated and read in one pass: its keys are added one by one */
			HsDistinctSet *keys = hs_set_deserialize(from, kind, CurrentMemoryContext, func);
			KeyAdder	adder = {fcinfo, kind, func};

			if (PG_ARGISNULL(0))
				PG_RETURN_BYTEA_P(PG_DETOAST_DATUM_COPY(PointerGetDatum(from)));
			hs_set_foreach(keys, add_key_visitor, &adder);
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	}
	return hs_combine_states(fcinfo, &hs_exact_set_family, func);
}

/*
 * The number of keys of a state, without rebuilding a flat one (its header says); with
 * internal_state, of 0.1.0's hash set.
 */
uint64
hs_exact_set_count(FunctionCallInfo fcinfo, const char *func, bool internal_state)
{
	Datum		state = PG_GETARG_DATUM(0);
	bytea	   *flat;

	if (internal_state)
		return hs_set_count((const HsDistinctSet *) PG_GETARG_POINTER(0));
	if (hs_state_is_expanded(state, &hs_exact_set_family))
		return hs_set_count(hs_state_read(state, &hs_exact_set_family, func));
	flat = (bytea *) PG_DETOAST_DATUM(state);
	(void) hs_set_flat_kind(flat, func);
	return flat_count(flat);
}

/* 0.1.0's combine and serialize functions of internal sets (the deserialize ones: their families). */
PG_FUNCTION_INFO_V1(healthscore_distinct_set_combine);
PG_FUNCTION_INFO_V1(healthscore_distinct_set_serialize);

Datum
healthscore_distinct_set_combine(PG_FUNCTION_ARGS)
{
	return hs_internal_combine(fcinfo, &hs_exact_set_family, "distinct_set_combine");
}

Datum
healthscore_distinct_set_serialize(PG_FUNCTION_ARGS)
{
	return hs_internal_serialize(fcinfo, &hs_exact_set_family);
}

Datum
healthscore_exact_set_in(PG_FUNCTION_ARGS)
{
	return hs_state_in(fcinfo, &hs_exact_set_family, "exact_set_in");
}

Datum
healthscore_exact_set_out(PG_FUNCTION_ARGS)
{
	return hs_state_out(fcinfo, &hs_exact_set_family);
}

Datum
healthscore_exact_set_recv(PG_FUNCTION_ARGS)
{
	return hs_state_recv(fcinfo, &hs_exact_set_family, "exact_set_recv");
}

Datum
healthscore_exact_set_send(PG_FUNCTION_ARGS)
{
	return hs_state_send(fcinfo, &hs_exact_set_family);
}

/* Whether every key visited is in another set. */
typedef struct SameKeys
{
	const HsDistinctSet *other;
	bool		same;
} SameKeys;

static void
same_key_visitor(const void *key, uint32 keylen, void *arg)
{
	SameKeys   *check = (SameKeys *) arg;

	if (check->same && !hs_set_contains(check->other, key, keylen))
		check->same = false;
}

static bool
sets_same(Datum a, Datum b, const char *func)
{
	bytea	   *first_flat = hs_state_flat(a, &hs_exact_set_family);
	bytea	   *second_flat = hs_state_flat(b, &hs_exact_set_family);
	HsDistinctSet *first;
	HsDistinctSet *second;
	SameKeys	check;

	hs_check_set_kind(func, hs_set_flat_kind(first_flat, func), hs_set_flat_kind(second_flat, func));
	first = hs_set_deserialize_any(first_flat, CurrentMemoryContext, func);
	second = hs_set_deserialize_any(second_flat, CurrentMemoryContext, func);
	if (hs_set_count(first) != hs_set_count(second))
		return false;
	check.other = second;
	check.same = true;
	hs_set_foreach(first, same_key_visitor, &check);
	return check.same;
}

/*
 * exact_set_same(a, b): whether two sets hold the same keys. Their bytes cannot tell: a large
 * set is hashed with a key of its own, so equal sets differ in their bytes. Sets of two kinds
 * are an error (42804).
 */
Datum
healthscore_exact_set_same(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sets_same(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), "exact_set_same"));
}

/*
 * exact_sets_same(a exact_set[], b exact_set[]): whether two arrays hold the same sets, element
 * by element (a NULL element matching only a NULL one): the sets of two rollup states.
 */
Datum
healthscore_exact_sets_same(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *a_values;
	Datum	   *b_values;
	bool	   *a_nulls;
	bool	   *b_nulls;
	int			a_count;
	int			b_count;

	if (ARR_ELEMTYPE(a) != ARR_ELEMTYPE(b))
		elog(ERROR, "exact_sets_same(): arrays of two types");
	get_typlenbyvalalign(ARR_ELEMTYPE(a), &typlen, &typbyval, &typalign);
	deconstruct_array(a, ARR_ELEMTYPE(a), typlen, typbyval, typalign, &a_values, &a_nulls, &a_count);
	deconstruct_array(b, ARR_ELEMTYPE(b), typlen, typbyval, typalign, &b_values, &b_nulls, &b_count);
	if (a_count != b_count)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < a_count; i++)
	{
		if (a_nulls[i] != b_nulls[i])
			PG_RETURN_BOOL(false);
		if (!a_nulls[i] && !sets_same(a_values[i], b_values[i], "exact_sets_same"))
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

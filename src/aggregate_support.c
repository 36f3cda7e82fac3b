/*
 * aggregate_support.c
 *		What every aggregate with a variable-size state needs: the state as a real type that
 *		can leave the process (and be validated when it comes back), kept as an expanded object
 *		while the aggregate works on it, and the header of its flat form.
 *
 * auc, logistic_fit, distinct_count and stickiness keep lists and hash sets. Their transition
 * types are real types (healthscore.auc_state, logistic_state, exact_set), not internal, so that
 * engines such as Citus, which move states between nodes through a type's input and output
 * functions, can ship and combine them, and parallel workers need no serialize functions.
 *
 * Two forms of one value:
 *  - flat: the varlena stored in tuples and sent between processes, in network byte order. It
 *	  is the same byte string as the type's binary send form, so what is stored, shipped, sent
 *	  and received is one format with one validating reader;
 *  - expanded: while an aggregate works on a state, it is an expanded object (utils/
 *	  expandeddatum.h) holding the family's in-memory structure, so nodeAgg keeps it between rows
 *	  without copying and the transition function updates it in place. PostgreSQL flattens it
 *	  whenever it must leave (a tuple, another process, the type's output function).
 *
 * Where expanded states live: nodeAgg adopts an expanded state whose memory context is a child
 * of the aggregate's. All the groups of one aggregate share one such child (shared_context), not
 * one each: a context costs a kilobyte at least, and a hash aggregate adds up the memory of all
 * the children of its context each time it creates a group, which with a context per group is
 * quadratic (measured: 100,000 groups of stickiness, 87 s against 7 s). nodeAgg would delete an
 * expanded state's context only if a transition function returned a different value for an
 * expanded state it was given; these functions always return the same one, so the shared context
 * goes only when the aggregate's own is reset, and a reset callback forgets it.
 *
 * A flat value always goes through the family's validating reader before use, so a state built
 * by hand, by another program or corrupted on disk is an error, never a wrong result.
 *
 * The 0.1.0 interface is kept as well: there the states were internal (the family's structure
 * itself, in the aggregate's context) with serialize and deserialize functions. 0.1.0's install
 * script names those C functions, and an installation stays at 0.1.0 with this library until
 * ALTER EXTENSION healthscore UPDATE, so they keep working; each family's transition and final
 * functions serve both interfaces through hs_state_begin_update and hs_state_argument.
 *
 * Flat form, network byte order: uint32 magic, uint8 format version, uint8 kind, uint16 flags,
 * then what the format defines. kind and flags are the format's to use (zero where it has
 * nothing to say); the format checks them itself, as only it knows what is valid there.
 */
#include "postgres.h"

#include "fmgr.h"
#include "healthscore.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

/* An expanded state: the family's structure, and its flat form once computed. */
typedef struct HsExpandedState
{
	ExpandedObjectHeader header;
	const HsStateFamily *family;
	void	   *state;			/* lives in header.eoh_context */
	bytea	   *flat;			/* the flat form, until the state changes; NULL if not made */
} HsExpandedState;

static Size state_flat_size(ExpandedObjectHeader *eohptr);
static void state_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods state_methods = {
	state_flat_size,
	state_flatten_into
};

static bytea *
flat_form(HsExpandedState *expanded)
{
	if (expanded->flat == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(expanded->header.eoh_context);

		expanded->flat = expanded->family->flatten(expanded->state);
		MemoryContextSwitchTo(old);
	}
	return expanded->flat;
}

static Size
state_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARSIZE(flat_form((HsExpandedState *) eohptr));
}

/* The flat form goes where PostgreSQL says; the copy made for it is not kept (it would pile up). */
static void
state_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	HsExpandedState *expanded = (HsExpandedState *) eohptr;
	bytea	   *flat = flat_form(expanded);

	Assert(allocated_size == VARSIZE(flat));
	memcpy(result, flat, allocated_size);
	pfree(flat);
	expanded->flat = NULL;
}

static HsExpandedState *our_expanded_state(Datum value, const HsStateFamily *family);
static HsExpandedState *state_new(MemoryContext context, const HsStateFamily *family, const void *copy_of, int kind);

/* The context expanded states of one aggregate call share, cached in its transition function's fn_extra. */
typedef struct SharedContext
{
	MemoryContext aggregate_context;	/* its parent */
	MemoryContext context;				/* NULL until made, and after its parent was reset */
} SharedContext;

/* Lives in the shared context itself: forgets it when it is reset or deleted. */
typedef struct SharedContextReset
{
	MemoryContextCallback callback;
	SharedContext *owner;
	MemoryContext context;
} SharedContextReset;

static void
forget_shared_context(void *arg)
{
	SharedContextReset *reset = (SharedContextReset *) arg;

	if (reset->owner->context == reset->context)
	{
		reset->owner->context = NULL;
		reset->owner->aggregate_context = NULL;
	}
}

static MemoryContext
shared_context(FunctionCallInfo fcinfo, MemoryContext aggregate_context)
{
	SharedContext *shared = (SharedContext *) fcinfo->flinfo->fn_extra;
	SharedContextReset *reset;

	if (shared == NULL)
	{
		shared = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SharedContext));
		fcinfo->flinfo->fn_extra = shared;
	}
	if (shared->context != NULL && shared->aggregate_context == aggregate_context)
		return shared->context;
	shared->context = AllocSetContextCreate(aggregate_context, "healthscore aggregate states",
											ALLOCSET_DEFAULT_SIZES);
	shared->aggregate_context = aggregate_context;
	reset = MemoryContextAlloc(shared->context, sizeof(SharedContextReset));
	reset->owner = shared;
	reset->context = shared->context;
	reset->callback.func = forget_shared_context;
	reset->callback.arg = reset;
	MemoryContextRegisterResetCallback(shared->context, &reset->callback);
	return shared->context;
}

/*
 * Where a new expanded state lives: the aggregate's shared context when an aggregate calls,
 * else a context of its own under the caller's (a direct call from SQL).
 */
static MemoryContext
state_home(FunctionCallInfo fcinfo)
{
	MemoryContext aggregate_context;

	if (AggCheckCallContext(fcinfo, &aggregate_context))
		return shared_context(fcinfo, aggregate_context);
	return AllocSetContextCreate(CurrentMemoryContext, "healthscore aggregate state", ALLOCSET_SMALL_SIZES);
}

static HsExpandedState *
new_expanded(MemoryContext context, const HsStateFamily *family)
{
	HsExpandedState *expanded = MemoryContextAllocZero(context, sizeof(HsExpandedState));

	EOH_init_header(&expanded->header, &state_methods, context);
	expanded->family = family;
	return expanded;
}

/* A new expanded state in context (see state_home): a copy of copy_of, or empty of kind. */
static HsExpandedState *
state_new(MemoryContext context, const HsStateFamily *family, const void *copy_of, int kind)
{
	HsExpandedState *expanded = new_expanded(context, family);

	expanded->state = family->copy(hs_state_context(expanded), copy_of, kind);
	return expanded;
}

/*
 * A new expanded state in context holding what value holds: a flat value is validated and
 * rebuilt right there (not rebuilt and then copied), an expanded one copied.
 */
static HsExpandedState *
state_copy_of(MemoryContext context, const HsStateFamily *family, Datum value, const char *func)
{
	HsExpandedState *source = our_expanded_state(value, family);
	HsExpandedState *expanded;

	if (source != NULL)
		return state_new(context, family, source->state, 0);
	expanded = new_expanded(context, family);
	expanded->state = family->expand((bytea *) PG_DETOAST_DATUM(value), hs_state_context(expanded), func);
	return expanded;
}

static HsExpandedState *
our_expanded_state(Datum value, const HsStateFamily *family)
{
	ExpandedObjectHeader *eohptr;

	if (!VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(value)))
		return NULL;
	eohptr = DatumGetEOHP(value);
	if (eohptr->eoh_methods != &state_methods || ((HsExpandedState *) eohptr)->family != family)
		return NULL;
	return (HsExpandedState *) eohptr;
}

/* Whether a datum is an expanded state of the family (as opposed to its flat form). */
bool
hs_state_is_expanded(Datum value, const HsStateFamily *family)
{
	return our_expanded_state(value, family) != NULL;
}

/*
 * The structure of a state argument, for reading: the expanded object's own, or the flat form
 * validated and rebuilt in the caller's context.
 */
const void *
hs_state_read(Datum value, const HsStateFamily *family, const char *func)
{
	HsExpandedState *expanded = our_expanded_state(value, family);

	if (expanded != NULL)
		return expanded->state;
	return family->expand((bytea *) PG_DETOAST_DATUM(value), CurrentMemoryContext, func);
}

/*
 * The state in argument 0 of a transition or combine function, ready to change: when the
 * aggregate owns it as an expanded object, that object (changed in place: nodeAgg keeps it);
 * otherwise a new expanded copy (of nothing, for a NULL state), which nodeAgg then adopts. kind
 * is what a new empty state holds (families with one kind ignore it).
 */
HsExpandedState *
hs_state_for_update(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func, int kind)
{
	HsExpandedState *expanded;

	if (PG_ARGISNULL(0))
		return state_new(state_home(fcinfo), family, NULL, kind);
	expanded = our_expanded_state(PG_GETARG_DATUM(0), family);
	if (expanded != NULL && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(PG_GETARG_DATUM(0))) &&
		AggCheckCallContext(fcinfo, NULL))
		return expanded;
	return state_copy_of(state_home(fcinfo), family, PG_GETARG_DATUM(0), func);
}

/*
 * The structure inside an expanded state, to change (its flat form, if made, is forgotten), and
 * the datum to return for it.
 */
void *
hs_state_contents(HsExpandedState *expanded)
{
	expanded->flat = NULL;
	return expanded->state;
}

MemoryContext
hs_state_context(HsExpandedState *expanded)
{
	return expanded->header.eoh_context;
}

Datum
hs_state_datum(HsExpandedState *expanded)
{
	return EOHPGetRWDatum(&expanded->header);
}

/*
 * A combine function: merge the state in argument 1 into the one in argument 0, either of
 * which is NULL for a group that had no rows (or only NULL inputs). Argument 1 is only read.
 */
Datum
hs_combine_states(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func)
{
	HsExpandedState *into;
	const void *from;

	if (PG_ARGISNULL(1))
		return hs_keep_state(fcinfo);
	if (PG_ARGISNULL(0))
		return hs_state_datum(state_copy_of(state_home(fcinfo), family, PG_GETARG_DATUM(1), func));
	from = hs_state_read(PG_GETARG_DATUM(1), family, func);
	into = hs_state_for_update(fcinfo, family, func, 0);
	family->merge(hs_state_context(into), hs_state_contents(into), from, func);
	return hs_state_datum(into);
}

/*
 * The state a transition function adds to, in either interface: the expanded state (0.2.0) or
 * the structure itself in the aggregate's context (0.1.0's internal states).
 */
void
hs_state_begin_update(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func, int kind,
					  bool internal_state, HsStateUpdate *update)
{
	if (internal_state)
	{
		update->expanded = NULL;
		update->context = hs_aggregate_context(fcinfo, func);
		update->state = PG_ARGISNULL(0) ? family->copy(update->context, NULL, kind) : PG_GETARG_POINTER(0);
		return;
	}
	update->expanded = hs_state_for_update(fcinfo, family, func, kind);
	update->context = hs_state_context(update->expanded);
	update->state = hs_state_contents(update->expanded);
}

Datum
hs_state_end_update(HsStateUpdate *update)
{
	if (update->expanded != NULL)
		return hs_state_datum(update->expanded);
	return PointerGetDatum(update->state);
}

/* The structure of a final function's state argument, in either interface. */
const void *
hs_state_argument(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func, bool internal_state)
{
	if (internal_state)
		return PG_GETARG_POINTER(0);
	return hs_state_read(PG_GETARG_DATUM(0), family, func);
}

/*
 * 0.1.0: the memory context of the aggregate calling a function with an internal state, which
 * must live there. Only the aggregate machinery can call such functions (their internal
 * arguments keep them out of SQL), so anything else cannot happen.
 */
MemoryContext
hs_aggregate_context(FunctionCallInfo fcinfo, const char *func)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s() called in non-aggregate context", func);
	return context;
}

/* 0.1.0: combine internal states; a group without one gets a copy, in the aggregate's context. */
Datum
hs_internal_combine(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func)
{
	MemoryContext context = hs_aggregate_context(fcinfo, func);
	void	   *into = PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(1))
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		PG_RETURN_POINTER(family->copy(context, PG_GETARG_POINTER(1), 0));
	family->merge(context, into, PG_GETARG_POINTER(1), func);
	PG_RETURN_POINTER(into);
}

/* 0.1.0: serialize and deserialize functions, whose bytes are the flat form. */
Datum
hs_internal_serialize(FunctionCallInfo fcinfo, const HsStateFamily *family)
{
	PG_RETURN_BYTEA_P(family->flatten(PG_GETARG_POINTER(0)));
}

Datum
hs_internal_deserialize(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func)
{
	PG_RETURN_POINTER(family->expand(PG_GETARG_BYTEA_PP(0), CurrentMemoryContext, func));
}

/* The flat form of a state datum, flattening an expanded one. */
bytea *
hs_state_flat(Datum value, const HsStateFamily *family)
{
	HsExpandedState *expanded = our_expanded_state(value, family);

	if (expanded != NULL)
		return flat_form(expanded);
	return (bytea *) PG_DETOAST_DATUM(value);
}

/*
 * The type's input function: the flat form in bytea's text forms (hex, as the output function
 * writes it), validated as every flat value is.
 */
Datum
hs_state_in(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func)
{
	bytea	   *flat = DatumGetByteaPP(DirectFunctionCall1(byteain, PG_GETARG_DATUM(0)));

	(void) family->expand(flat, CurrentMemoryContext, func);
	PG_RETURN_BYTEA_P(PG_DETOAST_DATUM_COPY(PointerGetDatum(flat)));
}

Datum
hs_state_out(FunctionCallInfo fcinfo, const HsStateFamily *family)
{
	return DirectFunctionCall1(byteaout, PointerGetDatum(hs_state_flat(PG_GETARG_DATUM(0), family)));
}

/* The binary forms are the flat form's bytes; receiving validates them. */
Datum
hs_state_recv(FunctionCallInfo fcinfo, const HsStateFamily *family, const char *func)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			length = buf->len - buf->cursor;
	bytea	   *flat = (bytea *) palloc(VARHDRSZ + length);

	SET_VARSIZE(flat, VARHDRSZ + length);
	pq_copymsgbytes(buf, VARDATA(flat), length);
	(void) family->expand(flat, CurrentMemoryContext, func);
	PG_RETURN_BYTEA_P(flat);
}

Datum
hs_state_send(FunctionCallInfo fcinfo, const HsStateFamily *family)
{
	bytea	   *flat = hs_state_flat(PG_GETARG_DATUM(0), family);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(flat), VARSIZE_ANY_EXHDR(flat));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Start a flat state: the header every format shares, kind and flags as the format sets them. */
void
hs_state_begin(StringInfo buf, const HsStateFormat *format, uint8 kind, uint16 flags)
{
	pq_begintypsend(buf);
	pq_sendint32(buf, format->magic);
	pq_sendbyte(buf, format->version);
	pq_sendbyte(buf, kind);
	pq_sendint16(buf, flags);
}

/*
 * A flat state may come from another node or program, or from anyone through the type's input
 * function, so a bad one is an error in the data, not a can't-happen: 22P03, saying which check
 * failed.
 */
void
hs_state_malformed(const char *func, const HsStateFormat *format, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s(): malformed %s", func, format->type_name),
			 errdetail("%s", detail),
			 errhint("Values of %s are made by %s.", format->type_name, format->made_by)));
}

/*
 * The bytes of a flat state after checking what every format shares: a header as long as the
 * format's, its marker and its version. Returns the start of the state (header included, so the
 * format reads its fields at their offsets) and its length through *length.
 */
const unsigned char *
hs_state_header(const char *func, const HsStateFormat *format, bytea *bytes, uint64 *length)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(bytes);

	*length = VARSIZE_ANY_EXHDR(bytes);
	if (*length < format->header_size)
		hs_state_malformed(func, format, "It is shorter than its header.");
	if (hs_read_uint32(p) != format->magic)
		hs_state_malformed(func, format, psprintf("It does not start with the %s.", format->marker));
	if (p[4] != format->version)
		hs_state_malformed(func, format, "Its format version is unknown.");
	return p;
}

/*
 * aggregate_support.c
 *		What every aggregate with an internal state needs: the aggregate's memory context, the
 *		NULL cases of its combine function, and the header of its serialized form.
 *
 * auc, logistic_fit, distinct_count and stickiness keep their states in memory of their own
 * (internal), so PostgreSQL calls serialize, deserialize and combine functions to move them
 * between parallel workers. These pieces live here rather than in each family so that the same
 * mistake gets the same error everywhere, and a new format cannot forget a check.
 *
 * Serialized form, network byte order: uint32 magic, uint8 format version, uint8 kind, uint16
 * flags, then what the format defines. kind and flags are the format's to use (zero where it
 * has nothing to say); the format checks them itself, as only it knows what is valid there.
 */
#include "postgres.h"

#include "fmgr.h"
#include "healthscore.h"
#include "libpq/pqformat.h"

/*
 * The memory context of the aggregate calling a transition or combine function: an internal
 * state must live there, not in the per-row context. Only the aggregate machinery calls these
 * functions (their internal arguments keep them out of SQL), so anything else cannot happen.
 */
MemoryContext
hs_aggregate_context(FunctionCallInfo fcinfo, const char *func)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s() called in non-aggregate context", func);
	return context;
}

/*
 * A combine function of internal states: merge the state in argument 1 into the one in
 * argument 0, either of which is NULL for a group that had no rows (or only NULL inputs).
 *
 * The state in argument 1 is never adopted: after deserialization it lives in a short-lived
 * context, so a group without a state of its own gets a new one from merge, in the aggregate's
 * context, and the other is copied into it.
 */
Datum
hs_combine_states(FunctionCallInfo fcinfo, const char *func, HsStateMerge merge)
{
	MemoryContext context = hs_aggregate_context(fcinfo, func);
	void	   *into = PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(1))
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	PG_RETURN_POINTER(merge(context, into, PG_GETARG_POINTER(1)));
}

/* Start a serialized state: the header every format shares, kind and flags as the format sets them. */
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
 * A serialized state may come from another node or program, or from anyone through
 * distinct_state_count(), so a bad one is an error in the data, not a can't-happen: 22P03,
 * saying which check failed.
 */
void
hs_state_malformed(const char *func, const HsStateFormat *format, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s(): malformed serialized state", func),
			 errdetail("%s", detail),
			 errhint("Serialized states are made by %s.", format->made_by)));
}

/*
 * The bytes of a serialized state after checking what every format shares: a header as long
 * as the format's, its marker and its version. Returns the start of the state (header
 * included, so the format reads its fields at their offsets) and its length through *length.
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

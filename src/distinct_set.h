/*
 * distinct_set.h
 *		An exact set of distinct keys for aggregate states (distinct_count, stickiness).
 */
#ifndef HEALTHSCORE_DISTINCT_SET_H
#define HEALTHSCORE_DISTINCT_SET_H

#include "postgres.h"

#include "fmgr.h"
#include "healthscore.h"

/* What a set holds; also the kind byte of its serialized form. */
typedef enum HsSetKind
{
	HS_SET_INT8 = 1,			/* bigint values, 8-byte keys */
	HS_SET_UUID = 2,			/* uuid values, 16-byte keys */
	HS_SET_TEXT = 3,			/* text values, variable-length keys */
	HS_SET_USER_DAY = 4			/* (user id, UTC day) pairs of stickiness, 16-byte keys */
} HsSetKind;

/* The flat form's header: magic, version, kind, flags (uint16), count (uint64). */
#define HS_SET_HEADER_SIZE	16
/* flag: fixed-size keys in strictly ascending byte order (a small set of exact_set.c) */
#define HS_SET_SORTED		0x0001

typedef struct HsDistinctSet HsDistinctSet;

/* The flat form's format (distinct_set.c), which exact_set.c's small sets write too. */
extern const HsStateFormat hs_set_format;

extern HsDistinctSet *hs_set_create(MemoryContext context, HsSetKind kind);
extern uint64 hs_set_count(const HsDistinctSet *set);
extern HsSetKind hs_set_kind(const HsDistinctSet *set);
extern uint64 hs_set_probes(const HsDistinctSet *set);
extern bool hs_set_add(HsDistinctSet *set, const void *key, uint32 keylen);
extern bool hs_set_contains(const HsDistinctSet *set, const void *key, uint32 keylen);
extern void hs_set_merge(HsDistinctSet *into, const HsDistinctSet *from);
extern bytea *hs_set_serialize(const HsDistinctSet *set);
extern HsDistinctSet *hs_set_deserialize(bytea *bytes, HsSetKind expected,
										 MemoryContext context, const char *func);
extern HsDistinctSet *hs_set_deserialize_any(bytea *bytes, MemoryContext context, const char *func);

extern HsSetKind hs_set_flat_kind(bytea *flat, const char *func);
extern void hs_check_set_kind(const char *func, HsSetKind have, HsSetKind want);

/* exact_set.c: the type healthscore.exact_set, the state of distinct_count() and stickiness() */
extern const HsStateFamily hs_exact_set_family;
extern Datum hs_exact_set_accum(FunctionCallInfo fcinfo, HsSetKind kind, const void *key, uint32 keylen,
								const char *func, bool internal_state);
extern uint64 hs_exact_set_count(FunctionCallInfo fcinfo, const char *func, bool internal_state);

/* Visit every key: for fixed-size kinds keylen is the kind's key size. */
typedef void (*HsSetVisitor) (const void *key, uint32 keylen, void *arg);
extern void hs_set_foreach(const HsDistinctSet *set, HsSetVisitor visit, void *arg);

/* The key of stickiness: who was active on which day. */
typedef struct HsUserDay
{
	int64		user_id;
	int64		day;			/* days since 2000-01-01 UTC */
} HsUserDay;

#endif							/* HEALTHSCORE_DISTINCT_SET_H */

/*
 * distinct_set.c
 *		An exact hash set of keys: the large form of an exact_set (exact_set.c), the state of
 *		distinct_count() and stickiness(), and the reader of its flat form.
 *
 * Why not count(DISTINCT ...): in a query grouped by account, PostgreSQL sorts the values of
 * every group and cannot run such an aggregate in parallel. A hash set per group needs no sort,
 * and with a combine function and a state type that travels it splits across parallel workers
 * and nodes.
 *
 * Layout: open addressing with linear probing over a power-of-two slot array, plus an occupancy
 * bitmap so that every key value (including all-zero bytes) is a valid key. Fixed-size keys are
 * stored in the slots themselves; text keys are stored in an arena and their slots hold
 * { hash, length, arena offset }. Everything lives in the memory context given at creation (the
 * aggregate's), and adding a key allocates only when the table or the arena grows.
 *
 * Keys come from users (user ids, account keys, names), so the hash is keyed: SipHash-1-3 with a
 * 128-bit key of its own for every set, derived from a secret drawn once per backend with
 * pg_strong_random(). Without the secret nobody can choose keys that collide (with an unkeyed,
 * invertible hash, 60,000 chosen keys turn every insert into a walk over all the others).
 * Nothing of the hash leaves the set: the serialized form holds the keys only, and a set read
 * back (from a parallel worker, another node, or bytes anyone wrote) is rebuilt by inserting
 * every key under a key of its own, so sets with different hash keys combine by insertion. Long
 * probe sequences check for interrupts, and the set counts its probes (distinct_set_probes()),
 * which tests read instead of timing.
 *
 * Flat form, the type healthscore.exact_set (network byte order, validated byte for byte on
 * the way back in): the shared header of aggregate_support.c (magic 'HSDS', format version, the
 * set's kind, flags), uint64 count, then count keys: 8 bytes (int8), 16 bytes (uuid, user-day),
 * or uint32 length + bytes (text). Flag HS_SET_SORTED (fixed-size keys only) says the keys are
 * in strictly ascending byte order: the small sets of exact_set.c, searched by bisection.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "distinct_set.h"
#include "healthscore.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#define HS_SET_INITIAL_SLOTS 16
/* Grow when more than 7/10 of the slots are taken: short probe sequences, modest memory. */
#define HS_SET_FULL(nitems, nslots) ((nitems) * 10 > (nslots) * 7)
/* A probe sequence this long checks for interrupts (keyed, it should never be this long). */
#define HS_SET_PROBES_PER_CHECK 1024

const HsStateFormat hs_set_format = {
	.magic = 0x48534453,		/* "HSDS" */
	.version = 1,
	.header_size = HS_SET_HEADER_SIZE,
	.marker = "healthscore set marker",
	.type_name = "healthscore.exact_set",
	.made_by = "healthscore.distinct_count() and healthscore.stickiness()",
};

/* A text key's slot. */
typedef struct TextSlot
{
	uint32		hash;
	uint32		length;
	uint64		offset;			/* into the arena */
} TextSlot;

struct HsDistinctSet
{
	MemoryContext context;
	HsSetKind	kind;
	uint64		hash_key[2];	/* this set's SipHash key */
	uint64		probes;			/* slots looked at beyond the first, over all adds */
	uint32		slot_size;		/* bytes per slot */
	uint64		nslots;			/* a power of two */
	uint64		nitems;
	char	   *slots;
	uint64	   *occupied;		/* one bit per slot */
	char	   *arena;			/* text keys */
	uint64		arena_used;
	uint64		arena_size;
};

static uint32
key_size(HsSetKind kind)
{
	switch (kind)
	{
		case HS_SET_INT8:
			return sizeof(int64);
		case HS_SET_UUID:
		case HS_SET_USER_DAY:
			return 16;
		case HS_SET_TEXT:
			return 0;			/* variable */
	}
	elog(ERROR, "unknown distinct set kind %d", (int) kind);
	return 0;					/* keep compiler quiet */
}

/*
 * SipHash-1-3 (Aumasson and Bernstein): one compression round per 8-byte word, three
 * finalization rounds. A keyed hash: without the key, inputs cannot be chosen to collide.
 */
#define SIP_ROTATE(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3) \
	do { \
		v0 += v1; v1 = SIP_ROTATE(v1, 13); v1 ^= v0; v0 = SIP_ROTATE(v0, 32); \
		v2 += v3; v3 = SIP_ROTATE(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = SIP_ROTATE(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = SIP_ROTATE(v1, 17); v1 ^= v2; v2 = SIP_ROTATE(v2, 32); \
	} while (0)

static uint64
siphash13(const uint64 key[2], const unsigned char *bytes, uint64 length)
{
	uint64		v0 = key[0] ^ UINT64CONST(0x736f6d6570736575);
	uint64		v1 = key[1] ^ UINT64CONST(0x646f72616e646f6d);
	uint64		v2 = key[0] ^ UINT64CONST(0x6c7967656e657261);
	uint64		v3 = key[1] ^ UINT64CONST(0x7465646279746573);
	uint64		last = length << 56;
	uint64		i;

	for (i = 0; i + 8 <= length; i += 8)
	{
		uint64		word;

		memcpy(&word, bytes + i, sizeof(word));
		v3 ^= word;
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= word;
	}
	for (int shift = 0; i < length; i++, shift += 8)
		last |= (uint64) bytes[i] << shift;
	v3 ^= last;
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * A hash key for a new set: this backend's secret, drawn once, hashed with a counter, so that
 * every set has its own key and none can be guessed from another.
 */
static void
new_hash_key(uint64 key[2])
{
	static uint64 secret[2];
	static bool have_secret = false;
	static uint64 sets = 0;
	uint64		counter[2];

	if (!have_secret)
	{
		if (!pg_strong_random(secret, sizeof(secret)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random hash key for a distinct set"),
					 errhint("The operating system's random number source failed.")));
		have_secret = true;
	}
	counter[0] = ++sets;
	counter[1] = 0;
	key[0] = siphash13(secret, (const unsigned char *) counter, sizeof(counter));
	counter[1] = 1;
	key[1] = siphash13(secret, (const unsigned char *) counter, sizeof(counter));
}

static inline uint64
hash_key(const HsDistinctSet *set, const void *key, uint32 keylen)
{
	uint64		hash = siphash13(set->hash_key, (const unsigned char *) key, keylen);

	/* text slots keep 32 bits of the hash, so probing uses the same 32 bits */
	return set->kind == HS_SET_TEXT ? (uint32) hash : hash;
}

static inline bool
slot_used(const HsDistinctSet *set, uint64 i)
{
	return (set->occupied[i >> 6] >> (i & 63)) & 1;
}

static void *
alloc_zero(HsDistinctSet *set, uint64 size)
{
	if (size > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct values in one group"),
				 errdetail("The set already holds " UINT64_FORMAT " values.", set->nitems),
				 errhint("Group by a finer key, or count fewer values per group.")));
	return MemoryContextAllocExtended(set->context, size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

static void
allocate_slots(HsDistinctSet *set, uint64 nslots)
{
	set->nslots = nslots;
	set->slots = alloc_zero(set, nslots * set->slot_size);
	set->occupied = alloc_zero(set, Max(nslots / 64, 1) * sizeof(uint64));
}

HsDistinctSet *
hs_set_create(MemoryContext context, HsSetKind kind)
{
	HsDistinctSet *set = MemoryContextAllocZero(context, sizeof(HsDistinctSet));

	set->context = context;
	set->kind = kind;
	new_hash_key(set->hash_key);
	set->slot_size = kind == HS_SET_TEXT ? sizeof(TextSlot) : key_size(kind);
	allocate_slots(set, HS_SET_INITIAL_SLOTS);
	return set;
}

uint64
hs_set_count(const HsDistinctSet *set)
{
	return set->nitems;
}

HsSetKind
hs_set_kind(const HsDistinctSet *set)
{
	return set->kind;
}

uint64
hs_set_probes(const HsDistinctSet *set)
{
	return set->probes;
}

/* One more slot looked at; a long sequence checks for interrupts now and then. */
static inline void
count_probe(uint64 *probes)
{
	if (unlikely(++(*probes) % HS_SET_PROBES_PER_CHECK == 0))
		CHECK_FOR_INTERRUPTS();
}

/* Fixed-size keys are one or two 64-bit words: compare them as such, not through memcmp(). */
static inline bool
words_match(const char *slot, const void *key, uint32 size)
{
	uint64		a,
				b;

	memcpy(&a, slot, sizeof(a));
	memcpy(&b, key, sizeof(b));
	if (a != b || size == sizeof(uint64))
		return a == b;
	memcpy(&a, slot + sizeof(a), sizeof(a));
	memcpy(&b, (const char *) key + sizeof(b), sizeof(b));
	return a == b;
}

static inline bool
slot_matches(const HsDistinctSet *set, const char *slot, uint64 hash,
			 const void *key, uint32 keylen)
{
	const TextSlot *text;

	if (set->kind != HS_SET_TEXT)
		return words_match(slot, key, set->slot_size);
	text = (const TextSlot *) slot;
	return text->hash == (uint32) hash && text->length == keylen &&
		memcmp(set->arena + text->offset, key, keylen) == 0;
}

/* Place a key known to be absent (used while growing: no comparisons needed). */
static void
place(HsDistinctSet *set, uint64 hash, const char *slot_contents)
{
	uint64		mask = set->nslots - 1;
	uint64		i = hash & mask;

	while (slot_used(set, i))
	{
		i = (i + 1) & mask;
		count_probe(&set->probes);
	}
	memcpy(set->slots + i * set->slot_size, slot_contents, set->slot_size);
	set->occupied[i >> 6] |= UINT64CONST(1) << (i & 63);
}

static uint64
slot_hash(const HsDistinctSet *set, const char *slot)
{
	if (set->kind == HS_SET_TEXT)
		return ((const TextSlot *) slot)->hash;
	return hash_key(set, slot, set->slot_size);
}

static void
grow(HsDistinctSet *set)
{
	char	   *old_slots = set->slots;
	uint64	   *old_occupied = set->occupied;
	uint64		old_nslots = set->nslots;

	allocate_slots(set, old_nslots * 2);
	for (uint64 i = 0; i < old_nslots; i++)
	{
		if ((old_occupied[i >> 6] >> (i & 63)) & 1)
		{
			const char *slot = old_slots + i * set->slot_size;

			place(set, slot_hash(set, slot), slot);
		}
	}
	pfree(old_slots);
	pfree(old_occupied);
}

static uint64
arena_store(HsDistinctSet *set, const void *key, uint32 keylen)
{
	uint64		offset = set->arena_used;

	if (set->arena_used + keylen > set->arena_size)
	{
		uint64		new_size = Max(set->arena_size * 2, 1024);
		char	   *new_arena;

		while (new_size < set->arena_used + keylen)
			new_size *= 2;
		new_arena = alloc_zero(set, new_size);
		if (set->arena)
		{
			memcpy(new_arena, set->arena, set->arena_used);
			pfree(set->arena);
		}
		set->arena = new_arena;
		set->arena_size = new_size;
	}
	memcpy(set->arena + offset, key, keylen);
	set->arena_used += keylen;
	return offset;
}

bool
hs_set_contains(const HsDistinctSet *set, const void *key, uint32 keylen)
{
	uint64		hash = hash_key(set, key, keylen);
	uint64		mask = set->nslots - 1;
	uint64		probes = 0;

	for (uint64 i = hash & mask; slot_used(set, i); i = (i + 1) & mask)
	{
		if (slot_matches(set, set->slots + i * set->slot_size, hash, key, keylen))
			return true;
		count_probe(&probes);
	}
	return false;
}

/* Add a key; true when it was not in the set yet. */
bool
hs_set_add(HsDistinctSet *set, const void *key, uint32 keylen)
{
	uint64		hash = hash_key(set, key, keylen);
	uint64		mask = set->nslots - 1;
	uint64		i = hash & mask;
	char	   *slot;

	for (;;)
	{
		slot = set->slots + i * set->slot_size;
		if (!slot_used(set, i))
			break;
		if (slot_matches(set, slot, hash, key, keylen))
			return false;
		i = (i + 1) & mask;
		count_probe(&set->probes);
	}

	if (HS_SET_FULL(set->nitems + 1, set->nslots))
	{
		grow(set);
		return hs_set_add(set, key, keylen);	/* find the slot in the new table */
	}

	if (set->kind == HS_SET_TEXT)
	{
		TextSlot	text;

		text.hash = (uint32) hash;
		text.length = keylen;
		text.offset = arena_store(set, key, keylen);
		memcpy(slot, &text, sizeof(TextSlot));
	}
	else
		memcpy(slot, key, set->slot_size);
	set->occupied[i >> 6] |= UINT64CONST(1) << (i & 63);
	set->nitems++;
	return true;
}

void
hs_set_foreach(const HsDistinctSet *set, HsSetVisitor visit, void *arg)
{
	for (uint64 i = 0; i < set->nslots; i++)
	{
		const char *slot;

		if (!slot_used(set, i))
			continue;
		slot = set->slots + i * set->slot_size;
		if (set->kind == HS_SET_TEXT)
		{
			const TextSlot *text = (const TextSlot *) slot;

			visit(set->arena + text->offset, text->length, arg);
		}
		else
			visit(slot, set->slot_size, arg);
		if ((i & 0x3FFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

static void
add_visitor(const void *key, uint32 keylen, void *arg)
{
	hs_set_add((HsDistinctSet *) arg, key, keylen);
}

void
hs_set_merge(HsDistinctSet *into, const HsDistinctSet *from)
{
	hs_check_set_kind("exact_set_combine", from->kind, into->kind);
	hs_set_foreach(from, add_visitor, into);
}

/* int8 and user-day keys are int64 words, sent in network byte order */
static void
send_words_visitor(const void *key, uint32 keylen, void *arg)
{
	StringInfo	buf = (StringInfo) arg;
	int64		words[2];

	memcpy(words, key, keylen);
	pq_sendint64(buf, words[0]);
	if (keylen == 16)
		pq_sendint64(buf, words[1]);
}

/* uuid keys are bytes already */
static void
send_bytes_visitor(const void *key, uint32 keylen, void *arg)
{
	pq_sendbytes((StringInfo) arg, key, keylen);
}

static void
send_text_visitor(const void *key, uint32 keylen, void *arg)
{
	StringInfo	buf = (StringInfo) arg;

	pq_sendint32(buf, keylen);
	pq_sendbytes(buf, key, keylen);
}

bytea *
hs_set_serialize(const HsDistinctSet *set)
{
	StringInfoData buf;

	hs_state_begin(&buf, &hs_set_format, (uint8) set->kind, 0);
	pq_sendint64(&buf, set->nitems);
	hs_set_foreach(set,
				   set->kind == HS_SET_TEXT ? send_text_visitor :
				   set->kind == HS_SET_UUID ? send_bytes_visitor : send_words_visitor,
				   &buf);
	return pq_endtypsend(&buf);
}

/* Smallest and largest day a finite timestamptz can fall on, relative to 2000-01-01. */
#define HS_MIN_DAY	(MIN_TIMESTAMP / USECS_PER_DAY - 1)
#define HS_MAX_DAY	(END_TIMESTAMP / USECS_PER_DAY + 1)

/*
 * Rebuild a set from its serialized form. Every byte is checked: header, kind, that the count
 * matches the bytes that follow exactly, text encoding, day ranges, and that no key repeats.
 */
HsDistinctSet *
hs_set_deserialize(bytea *bytes, HsSetKind expected, MemoryContext context, const char *func)
{
	uint64		remaining;
	const unsigned char *p = hs_state_header(func, &hs_set_format, bytes, &remaining);
	uint64		count;
	uint16		flags;
	uint32		size = key_size(expected);
	const unsigned char *previous = NULL;
	HsDistinctSet *set;

	if (p[5] != (unsigned char) expected)
		hs_state_malformed(func, &hs_set_format, "It holds values of another type.");
	flags = (uint16) (p[6] << 8 | p[7]);
	if ((flags & ~HS_SET_SORTED) != 0 || (flags != 0 && size == 0))
		hs_state_malformed(func, &hs_set_format, "Its flags are not valid.");
	count = hs_read_uint64(p + 8);
	p += HS_SET_HEADER_SIZE;
	remaining -= HS_SET_HEADER_SIZE;

	/* Check the size before allocating anything for count keys. */
	if (size > 0 ? remaining / size != count || remaining % size != 0
		: count > remaining / sizeof(uint32))
		hs_state_malformed(func, &hs_set_format, "Its length does not match its number of values.");

	set = hs_set_create(context, expected);
	for (uint64 n = 0; n < count; n++)
	{
		int64		words[2];
		const void *key = words;
		uint32		keylen = size;

		if (size == 0)
		{
			if (remaining < sizeof(uint32))
				hs_state_malformed(func, &hs_set_format, "A value's length is cut off.");
			keylen = hs_read_uint32(p);
			p += sizeof(uint32);
			remaining -= sizeof(uint32);
			if (keylen > remaining)
				hs_state_malformed(func, &hs_set_format, "A value is longer than the bytes that remain.");
			if (!pg_verifymbstr((const char *) p, (int) keylen, true))
				hs_state_malformed(func, &hs_set_format, "A value is not valid in the server encoding.");
			key = p;
		}
		else if (expected == HS_SET_UUID)
			key = p;
		else
		{
			words[0] = (int64) hs_read_uint64(p);
			if (size == 16)
				words[1] = (int64) hs_read_uint64(p + 8);
			if (expected == HS_SET_USER_DAY && (words[1] < HS_MIN_DAY || words[1] > HS_MAX_DAY))
				hs_state_malformed(func, &hs_set_format, "A day is outside the range of timestamps.");
		}
		if ((flags & HS_SET_SORTED) && previous != NULL && memcmp(previous, p, keylen) >= 0)
			hs_state_malformed(func, &hs_set_format, "It says its values are in ascending order, but they are not.");
		previous = p;
		if (!hs_set_add(set, key, keylen))
			hs_state_malformed(func, &hs_set_format, "A value appears twice.");
		p += keylen;
		remaining -= keylen;
		if ((n & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	if (remaining != 0)
		hs_state_malformed(func, &hs_set_format, "Bytes follow the last value.");
	return set;
}

static const char *
kind_name(HsSetKind kind)
{
	switch (kind)
	{
		case HS_SET_INT8:
			return "bigint values";
		case HS_SET_UUID:
			return "uuid values";
		case HS_SET_TEXT:
			return "text values";
		case HS_SET_USER_DAY:
			return "(user, day) pairs of stickiness()";
	}
	return "values of an unknown kind";
}

/*
 * The kind of a flat set after checking its header's marker, version and kind byte: what a
 * function reads before it uses a set of a given kind (a set of text values handed to
 * distinct_count(bigint)'s transition function, say).
 */
HsSetKind
hs_set_flat_kind(bytea *flat, const char *func)
{
	uint64		length;
	const unsigned char *p = hs_state_header(func, &hs_set_format, flat, &length);

	if (p[5] != HS_SET_INT8 && p[5] != HS_SET_UUID && p[5] != HS_SET_TEXT && p[5] != HS_SET_USER_DAY)
		hs_state_malformed(func, &hs_set_format, psprintf("Its kind byte %d is unknown.", (int) p[5]));
	return (HsSetKind) p[5];
}

/* A set of one kind where another is needed: reachable from SQL, so an error, not a can't-happen. */
void
hs_check_set_kind(const char *func, HsSetKind have, HsSetKind want)
{
	if (have != want)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s(): the exact_set holds %s, not %s", func, kind_name(have), kind_name(want)),
				 errhint("Combine only states of the same aggregate and argument type.")));
}

/*
 * A set of whatever kind its serialized form says, for functions that read any state
 * (distinct_state_count, distinct_set_probes). The kind byte is checked first, so that a state
 * of an unknown kind is reported as such rather than as whatever else is wrong with it. Like
 * every set read back, it is rebuilt under a hash key of its own: the bytes may have been made
 * to collide.
 */
HsDistinctSet *
hs_set_deserialize_any(bytea *bytes, MemoryContext context, const char *func)
{
	return hs_set_deserialize(bytes, hs_set_flat_kind(bytes, func), context, func);
}

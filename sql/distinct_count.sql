-- distinct_count(value) for bigint, text and uuid: exact, NULLs skipped, 0 for no rows
\ir sql/include/setup.sql
CREATE TABLE dc_events AS
SELECT i % 17 AS account_id,
       (i * 7919 % 613)::bigint AS user_id,
       'user-' || (i * 7919 % 613) AS user_name,
       md5((i * 7919 % 613)::text)::uuid AS user_uuid
FROM generate_series(1, 30000) AS i;
INSERT INTO dc_events VALUES (1, NULL, NULL, NULL), (99, NULL, NULL, NULL);

SELECT account_id,
       healthscore.distinct_count(user_id) AS users,
       healthscore.distinct_count(user_id) = count(DISTINCT user_id) AS bigint_ok,
       healthscore.distinct_count(user_name) = count(DISTINCT user_name) AS text_ok,
       healthscore.distinct_count(user_uuid) = count(DISTINCT user_uuid) AS uuid_ok
FROM dc_events GROUP BY account_id ORDER BY account_id;
-- growth well past the initial table: 100,000 distinct values in one group
SELECT healthscore.distinct_count(i) AS bigints, healthscore.distinct_count(i::text) AS texts,
       healthscore.distinct_count(md5(i::text)::uuid) AS uuids
FROM generate_series(1, 100000) AS i;
-- edge values: zero, negatives, extremes, the empty string, long and multibyte strings
SELECT healthscore.distinct_count(v) AS edge_bigints
FROM unnest(ARRAY[0, -1, 1, 9223372036854775807, -9223372036854775808, 0, -1]::bigint[]) AS v;
SELECT healthscore.distinct_count(v) AS edge_texts
FROM unnest(ARRAY['', '', 'a', 'A', 'ä', repeat('x', 10000), repeat('x', 10000), repeat('x', 9999)]) AS v;
SELECT healthscore.distinct_count(v) AS edge_uuids
FROM unnest(ARRAY['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000',
                  'ffffffff-ffff-ffff-ffff-ffffffffffff']::uuid[]) AS v;
-- NULLs and empty input
SELECT healthscore.distinct_count(v) AS only_nulls FROM (VALUES (NULL::bigint), (NULL)) AS x(v);
SELECT healthscore.distinct_count(user_id) AS no_rows FROM dc_events WHERE false;
-- a nondeterministic collation would make byte comparison wrong: rejected
CREATE COLLATION case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT * FROM error_of($$SELECT healthscore.distinct_count(v COLLATE case_insensitive) FROM (VALUES ('a'), ('A')) AS x(v)$$);
SELECT healthscore.distinct_count(v COLLATE "C") AS c_collation FROM (VALUES ('a'), ('A')) AS x(v);
DROP COLLATION case_insensitive;

-- serialized states, checked byte for byte by the deserializer (through distinct_state_count,
-- since internal-typed functions cannot be called from SQL)
-- header: magic 'HSDS', version 1, kind (1 bigint, 2 uuid, 3 text, 4 user-day), two zero bytes, count
SELECT healthscore.distinct_state_count('\x48534453010100000000000000000002000000000000000700000000000000ff') AS two_bigints,
       healthscore.distinct_state_count('\x4853445301030000000000000000000200000001610000000362c3a4') AS two_texts,
       healthscore.distinct_state_count('\x485344530102000000000000000000010123456789abcdef0123456789abcdef') AS one_uuid,
       healthscore.distinct_state_count('\x48534453010100000000000000000000') AS empty_set;
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x485344530101000000000000')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x58534453010100000000000000000000')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453020100000000000000000000')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453010900000000000000000000')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453010101000000000000000000')$$);
-- count says 2, one value follows; count says 1, two values follow; count absurdly large; a repeated value
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x485344530101000000000000000000020000000000000007')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453010100000000000000000001000000000000000700000000000000ff')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x485344530101000000ffffffffffffff0000000000000007')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x4853445301010000000000000000000200000000000000070000000000000007')$$);
-- text: a length running past the end, trailing bytes, invalid UTF-8, a length cut off
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x485344530103000000000000000000010000000561')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453010300000000000000000001000000016162')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x4853445301030000000000000000000100000002c328')$$);
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x4853445301030000000000000000000100')$$);
-- uuid: a value cut short
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x485344530102000000000000000000010123456789abcdef0123456789abcd')$$);
DROP TABLE dc_events;

-- Hash flooding. Keys that the unkeyed hash of 0.1.0 (splitmix64's finalizer, invertible) sent to
-- one slot at every table size: key i is the preimage of i << 40 under that finalizer. 0.1.0
-- probed about n^2 / 2 = 1.8 billion slots for these 60,000 keys (6 s against 12 ms for
-- ordinary keys; distinct_state_count() checked for interrupts only every 65,536 keys); a
-- keyed hash spreads them like any others. The count of probes is deterministic, unlike a time.
CREATE FUNCTION pg_temp.unxorshift(y bit(64), k integer) RETURNS bit(64) LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	x bit(64) := y;
BEGIN
	FOR i IN 1 .. 64 / k + 1 LOOP
		x := y # (x >> k);
	END LOOP;
	RETURN x;
END $$;
-- x * factor modulo 2^64, on 64-bit words
CREATE FUNCTION pg_temp.times(x bit(64), factor numeric) RETURNS bit(64) LANGUAGE sql IMMUTABLE AS $$
	SELECT (CASE WHEN p >= 2::numeric ^ 63 THEN p - 2::numeric ^ 64 ELSE p END)::bigint::bit(64)
	FROM (SELECT ((x::bigint::numeric + 2::numeric ^ 64) * factor) % (2::numeric ^ 64) AS p) AS product $$;
-- the inverse of splitmix64's finalizer: xorshifts undone, multipliers by their inverses mod 2^64
CREATE FUNCTION pg_temp.unmix64(h bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT pg_temp.unxorshift(pg_temp.times(pg_temp.unxorshift(pg_temp.times(pg_temp.unxorshift(h::bit(64), 31),
		3573116690164977347), 27), 10871156337175269513), 30)::bigint $$;
CREATE TEMP TABLE flood AS SELECT pg_temp.unmix64(i::bigint << 40) AS k FROM generate_series(1, 60000) AS i;
-- the same keys as a serialized bigint state: header, count, then the keys
CREATE TEMP TABLE flood_state AS
SELECT '\x4853445301010000'::bytea || int8send(count(*)) || string_agg(int8send(k), ''::bytea) AS bytes FROM flood;
SELECT healthscore.distinct_state_count(bytes) AS distinct_keys,
       healthscore_internal.distinct_set_probes(bytes) < 4 * 60000 AS probes_linear_in_keys
FROM flood_state;
SELECT healthscore.distinct_count(k) AS distinct_keys_aggregated FROM flood;
DROP TABLE flood, flood_state;

-- distinct_count(value) for bigint, text and uuid: exact, NULLs skipped, 0 for no rows
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

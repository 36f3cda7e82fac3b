-- The state types of distinct_count, stickiness, auc and logistic_fit (aggregate_support.c,
-- exact_set.c): real types whose input and receive functions validate every byte; small exact
-- sets are kept flat and sorted, large ones as hash sets; a state made, stored, shipped and
-- combined gives the aggregate's own result.
\ir sql/include/setup.sql

-- every aggregate has a combine function, and none keeps an internal state
SELECT p.oid::regprocedure AS aggregate, a.aggtranstype::regtype AS state,
       a.aggcombinefn <> 0 AS combines, a.aggserialfn = 0 AND a.aggdeserialfn = 0 AS ships_as_it_is
FROM pg_aggregate AS a JOIN pg_proc AS p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'healthscore'::regnamespace
ORDER BY p.oid::regprocedure::text;

-- The states themselves, through aggregates a user (or a rollup) can define over the support
-- functions: the state of distinct_count, and the union of stored states.
CREATE AGGREGATE exact_set_of(bigint) (SFUNC = healthscore_internal.distinct_count_int8_accum,
	STYPE = healthscore.exact_set, COMBINEFUNC = healthscore_internal.exact_set_combine, PARALLEL = SAFE);
CREATE AGGREGATE exact_set_of(text) (SFUNC = healthscore_internal.distinct_count_text_accum,
	STYPE = healthscore.exact_set, COMBINEFUNC = healthscore_internal.exact_set_combine, PARALLEL = SAFE);
CREATE AGGREGATE exact_set_of(uuid) (SFUNC = healthscore_internal.distinct_count_uuid_accum,
	STYPE = healthscore.exact_set, COMBINEFUNC = healthscore_internal.exact_set_combine, PARALLEL = SAFE);
CREATE AGGREGATE union_of(healthscore.exact_set) (SFUNC = healthscore_internal.exact_set_combine,
	STYPE = healthscore.exact_set, COMBINEFUNC = healthscore_internal.exact_set_combine, PARALLEL = SAFE);
CREATE AGGREGATE auc_state_of(float8, boolean) (SFUNC = healthscore_internal.auc_accum,
	STYPE = healthscore.auc_state, COMBINEFUNC = healthscore_internal.auc_combine, PARALLEL = SAFE);
CREATE AGGREGATE union_of(healthscore.auc_state) (SFUNC = healthscore_internal.auc_combine,
	STYPE = healthscore.auc_state, COMBINEFUNC = healthscore_internal.auc_combine, PARALLEL = SAFE);
CREATE AGGREGATE logistic_state_of(boolean, float8[]) (SFUNC = healthscore_internal.logistic_accum,
	STYPE = healthscore.logistic_state, COMBINEFUNC = healthscore_internal.logistic_combine, PARALLEL = SAFE);
CREATE AGGREGATE union_of(healthscore.logistic_state) (SFUNC = healthscore_internal.logistic_combine,
	STYPE = healthscore.logistic_state, COMBINEFUNC = healthscore_internal.logistic_combine, PARALLEL = SAFE);

-- Small sets stay flat and sorted (flag 0x0001 in the header; 16 bytes of header and 8 a bigint
-- key) up to 512 bytes with the varlena header; beyond, they are hash sets, flattened unsorted.
-- Keys arrive in a scrambled order.
SELECT n AS keys, healthscore_internal.distinct_count_final(s) AS counted,
       substr(healthscore_internal.exact_set_send(s), 7, 2) AS flags,
       octet_length(healthscore_internal.exact_set_send(s)) = 16 + 8 * n AS exactly_the_keys
FROM (SELECT n, (SELECT exact_set_of(i) FROM (SELECT i FROM generate_series(1, n) AS i ORDER BY hashint4(i)) AS k) AS s
      FROM unnest(ARRAY[1, 2, 30, 61, 62, 100, 5000]) AS n) AS sets
ORDER BY n;
-- the sorted keys of a small set, as its text form shows them (header, count, keys in order)
SELECT exact_set_of(v) AS small_set FROM (VALUES (42::bigint), (-1), (7), (42), (0)) AS x(v);
SELECT exact_set_of(v) AS small_text_set FROM (VALUES ('b'), ('a'), ('b'), ('')) AS x(v);
-- a key too long for the small form goes straight to a hash set (no oversized copy first)
SELECT healthscore_internal.distinct_count_final(s) AS counted, octet_length(healthscore_internal.exact_set_send(s)) AS bytes
FROM (SELECT exact_set_of(v) AS s FROM (VALUES (repeat('x', 600)), ('a'), (repeat('x', 600)), ('a')) AS x(v)) AS y;
-- keys already present leave a small set as it is; a new key gives a new value, the input unchanged
CREATE TABLE stored_sets AS
SELECT 'small' AS name, exact_set_of(i) AS s FROM generate_series(1, 10) AS i
UNION ALL SELECT 'large', exact_set_of(i) FROM generate_series(1, 1000) AS i;
SELECT name, healthscore_internal.distinct_count_final(healthscore_internal.distinct_count_int8_accum(s, 5)) AS with_a_present_key,
       healthscore_internal.distinct_count_final(healthscore_internal.distinct_count_int8_accum(s, -5)) AS with_a_new_key,
       healthscore_internal.distinct_count_final(s) AS stored_unchanged
FROM stored_sets ORDER BY name;

-- A rollup: per-day sets stored in a table, their union per account equals count(DISTINCT) over
-- the events, whatever sizes the day sets have (small with small, small with large, large with
-- large), in one process and in parallel workers, and after the table went out and back in
-- through the binary and the text forms.
CREATE TABLE se_events AS
SELECT 1 + i % 40 AS account_id, (i / 8000) AS day,
       (hashint4(i) % (1 + (i % 40) * 8))::bigint AS user_id,
       'u' || hashint4(i) % (1 + (i % 40) * 8) AS user_name
FROM generate_series(1, 40000) AS i;
CREATE TABLE se_daily AS
SELECT account_id, day, exact_set_of(user_id) AS users, exact_set_of(user_name) AS names
FROM se_events GROUP BY account_id, day;
SELECT count(*) AS day_sets,
       count(*) FILTER (WHERE substr(healthscore_internal.exact_set_send(users), 8, 1) = '\x01') AS small,
       count(*) FILTER (WHERE substr(healthscore_internal.exact_set_send(users), 8, 1) = '\x00') AS large
FROM se_daily;
CREATE VIEW se_compared AS
SELECT r.account_id, r.users, r.names, e.users AS expected_users, e.names AS expected_names
FROM (SELECT account_id, healthscore_internal.distinct_count_final(union_of(users)) AS users,
             healthscore_internal.distinct_count_final(union_of(names)) AS names
      FROM se_daily GROUP BY account_id) AS r
JOIN (SELECT account_id, count(DISTINCT user_id) AS users, count(DISTINCT user_name) AS names
      FROM se_events GROUP BY account_id) AS e USING (account_id);
SELECT count(*) AS accounts, count(*) FILTER (WHERE users = expected_users AND names = expected_names) AS equal
FROM se_compared;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) AS accounts_in_parallel, count(*) FILTER (WHERE users = expected_users AND names = expected_names) AS equal
FROM se_compared;
-- one global union of every day set, combined across workers
EXPLAIN (COSTS OFF) SELECT union_of(users) FROM se_daily;
SELECT healthscore_internal.distinct_count_final(union_of(users)) AS all_users,
       (SELECT count(DISTINCT user_id) FROM se_events) AS expected
FROM se_daily;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
\copy se_daily TO '/tmp/healthscore_state_types.bin' (FORMAT binary)
CREATE TABLE se_daily_back (LIKE se_daily);
\copy se_daily_back FROM '/tmp/healthscore_state_types.bin' (FORMAT binary)
CREATE TABLE se_daily_text AS
SELECT account_id, day, users::text::healthscore.exact_set AS users, names::text::healthscore.exact_set AS names
FROM se_daily;
SELECT count(*) AS rows,
       count(*) FILTER (WHERE healthscore_internal.exact_set_send(a.users) = healthscore_internal.exact_set_send(b.users)
                          AND healthscore_internal.exact_set_send(a.names) = healthscore_internal.exact_set_send(b.names)
                          AND healthscore_internal.exact_set_send(a.users) = healthscore_internal.exact_set_send(t.users)) AS same_bytes
FROM se_daily AS a JOIN se_daily_back AS b USING (account_id, day) JOIN se_daily_text AS t USING (account_id, day);

-- As window aggregates (the state carried from row to row and finalized at each): running
-- distinct counts through the small form into the hash form, equal to a self-join's count
SELECT count(*) AS rows, count(*) FILTER (WHERE w.running = (SELECT count(DISTINCT e2.user_id) FROM se_events AS e2
                                                       WHERE e2.account_id = 7 AND e2.day <= w.day)) AS equal,
       max(w.running) AS largest
FROM (SELECT DISTINCT day, healthscore.distinct_count(user_id) OVER (ORDER BY day) AS running
      FROM se_events WHERE account_id = 7) AS w;
SELECT count(*) AS running_stickiness,
       count(*) FILTER (WHERE w.st = (SELECT healthscore.stickiness(e2.user_id, timestamptz '2026-01-01 00:00+00' + e2.day * interval '1 day')
                                      FROM se_events AS e2
                                      WHERE e2.account_id = w.account_id AND e2.day <= w.day)) AS equal
FROM (SELECT DISTINCT account_id, day,
             healthscore.stickiness(user_id, timestamptz '2026-01-01 00:00+00' + day * interval '1 day')
                 OVER (PARTITION BY account_id ORDER BY day) AS st
      FROM se_events WHERE account_id < 5) AS w;
-- (auc sorts its state in its final function, so it is no window function, like percentile_cont)
SELECT * FROM error_of($$SELECT healthscore.auc(1, true) OVER ()$$);

-- Partitionwise aggregation in one process: each partition's partial states go to the
-- combine function as read-only expanded objects, not flat values.
CREATE TABLE se_parted (account_id integer, user_id bigint, at timestamptz) PARTITION BY HASH (account_id);
CREATE TABLE se_parted_0 PARTITION OF se_parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE se_parted_1 PARTITION OF se_parted FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO se_parted SELECT account_id, user_id, timestamptz '2026-01-01 00:00+00' + day * interval '1 day' FROM se_events;
ANALYZE se_parted;
SET enable_partitionwise_aggregate = on;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT account_id % 3, healthscore.distinct_count(user_id), healthscore.stickiness(user_id, at)
FROM se_parted GROUP BY 1;
SELECT count(*) AS groups, count(*) FILTER (WHERE r.users = e.users AND r.stickiness = e.stickiness) AS equal
FROM (SELECT account_id % 3 AS g, healthscore.distinct_count(user_id) AS users, healthscore.stickiness(user_id, at) AS stickiness
      FROM se_parted GROUP BY 1) AS r
JOIN (SELECT account_id % 3 AS g, count(DISTINCT user_id) AS users,
             count(DISTINCT (user_id, at))::float8 / (count(DISTINCT at) * count(DISTINCT user_id)) AS stickiness
      FROM se_events JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00+00' + day * interval '1 day' AS at) AS d ON true
      GROUP BY 1) AS e USING (g);
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;

-- Memory of a hash aggregate of many large sets: the expanded sets of one aggregate share one
-- memory context. (With a context per group, each group cost a kilobyte more, and the hash
-- aggregate, which adds up the memory of its context's children whenever it makes a group, took
-- quadratic time: 87 s against 7 s for 100,000 groups.) 20,000 accounts of 80 (user, day) pairs,
-- each a hash set of 128 slots of 16 bytes: the peak memory per group, read from EXPLAIN, stays
-- under 3,000 bytes (2,660 now; 6,350 with a context per group, which this test caught).
CREATE TABLE se_pairs AS
SELECT 1 + i / 80 AS account_id, (i % 80 / 4)::bigint AS user_id,
       timestamptz '2026-01-01 00:00+00' + (i % 4) * interval '1 day' AS at
FROM generate_series(0, 20000 * 80 - 1) AS i;
ANALYZE se_pairs;
CREATE FUNCTION pg_temp.peak_bytes_per_group(query text) RETURNS float8 LANGUAGE plpgsql AS $f$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF, COSTS OFF) ' || query INTO plan;
	RETURN (SELECT (a->>'Peak Memory Usage')::float8 * 1024 / (a->>'Actual Rows')::float8
	        FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."HashAgg Batches"))') AS a);
END $f$;
SET work_mem = '256MB';
SET max_parallel_workers_per_gather = 0;
SET enable_sort = off;
SELECT pg_temp.peak_bytes_per_group('SELECT account_id, healthscore.stickiness(user_id, at) FROM se_pairs GROUP BY account_id') < 3000
       AS compact_large_sets;
SELECT count(*) AS accounts, min(s) AS stickiness FROM (SELECT healthscore.stickiness(user_id, at) AS s FROM se_pairs GROUP BY account_id) AS x;
RESET work_mem;
RESET max_parallel_workers_per_gather;
RESET enable_sort;
DROP TABLE se_pairs;

-- auc and logistic_fit: stored per-account states, combined, give the aggregate over all rows
CREATE TABLE se_scored AS
SELECT i % 50 AS account_id, (hashint4(i) % 1000) / 10.0 AS score, hashint4(i * 3) % 4 = 0 AS churned
FROM generate_series(1, 20000) AS i;
CREATE TABLE se_scored_states AS
SELECT account_id, auc_state_of(score, churned) AS auc,
       logistic_state_of(churned, ARRAY[score::float8]) AS fit
FROM se_scored GROUP BY account_id;
SELECT healthscore_internal.auc_final(union_of(s.auc)) = (SELECT healthscore.auc(score, churned) FROM se_scored) AS auc_equal,
       (healthscore_internal.logistic_final(union_of(s.fit))).rows AS fitted_rows,
       abs((healthscore_internal.logistic_final(union_of(s.fit))).coefficients[2]
           - (SELECT (healthscore.logistic_fit(churned, ARRAY[score::float8])).coefficients[2] FROM se_scored)) < 1e-12 AS slope_equal
FROM se_scored_states AS s;
SELECT count(*) AS text_round_trips
FROM se_scored_states
WHERE healthscore_internal.auc_state_send(auc::text::healthscore.auc_state) = healthscore_internal.auc_state_send(auc)
  AND healthscore_internal.logistic_state_send(fit::text::healthscore.logistic_state) = healthscore_internal.logistic_state_send(fit);

-- Input is validated byte for byte (22P03 with what is wrong); a state of the wrong kind is 42804.
-- exact_set: the sorted flag on text keys, an unknown flag, a length that does not match, keys
-- claimed sorted but not, a repeated key, a day out of range, not hex
SELECT * FROM error_detail_of($$SELECT '\x485344530103000100000000000000010000000161'::healthscore.exact_set$$);
SELECT * FROM error_detail_of($$SELECT '\x48534453010100020000000000000000'::healthscore.exact_set$$);
SELECT * FROM error_detail_of($$SELECT '\x485344530101000100000000000000020000000000000007000000000000000300'::healthscore.exact_set$$);
SELECT * FROM error_detail_of($$SELECT '\x4853445301010001000000000000000200000000000000070000000000000003'::healthscore.exact_set$$);
SELECT * FROM error_detail_of($$SELECT '\x4853445301010000000000000000000200000000000000070000000000000007'::healthscore.exact_set$$);
SELECT * FROM error_detail_of($$SELECT '\x48534453010400000000000000000001000000000000002a7fffffffffffffff'::healthscore.exact_set$$);
SELECT * FROM error_of($$SELECT 'not hex'::healthscore.exact_set$$);
-- auc_state: a NaN score, counts that do not match the length; logistic_state: an outcome of 2
SELECT * FROM error_detail_of($$SELECT '\x485341550100000000000000000000010000000000000000fff8000000000000'::healthscore.auc_state$$);
SELECT * FROM error_detail_of($$SELECT '\x485341550100000000000000000000020000000000000000'::healthscore.auc_state$$);
SELECT * FROM error_detail_of($$SELECT '\x48534c47010000000000000100000000000000000000000140000000000000003ff0000000000000'::healthscore.logistic_state$$);
-- Every byte of valid states changed in three ways (to 0x00, to 0xff, its low bit flipped):
-- each changed value is read back (still a valid state) or refused with 22P03, text that is
-- not valid UTF-8 included; nothing else, no internal error, no crash.
CREATE FUNCTION pg_temp.mutation_outcomes(valid bytea, type regtype) RETURNS TABLE (outcome text, mutations bigint)
LANGUAGE plpgsql AS $f$
DECLARE
	changed bytea;
	result text;
	outcomes text[] := '{}';
BEGIN
	FOR i IN 0 .. length(valid) - 1 LOOP
		FOREACH changed IN ARRAY ARRAY[set_byte(valid, i, 0), set_byte(valid, i, 255),
		                               set_byte(valid, i, get_byte(valid, i) # 1)] LOOP
			BEGIN
				EXECUTE format('SELECT %L::text::%s IS NOT NULL', changed, type);
				result := 'read back';
			EXCEPTION WHEN OTHERS THEN
				result := SQLSTATE;
			END;
			outcomes := outcomes || result;
		END LOOP;
	END LOOP;
	RETURN QUERY SELECT o, count(*) FROM unnest(outcomes) AS o GROUP BY o ORDER BY o;
END $f$;
SELECT 'exact_set of bigint' AS state, m.*
FROM pg_temp.mutation_outcomes((SELECT healthscore_internal.exact_set_send(exact_set_of(v))
                                FROM (VALUES (42::bigint), (-1), (7)) AS x(v)), 'healthscore.exact_set') AS m
UNION ALL
SELECT 'exact_set of text', m.*
FROM pg_temp.mutation_outcomes((SELECT healthscore_internal.exact_set_send(exact_set_of(v))
                                FROM (VALUES ('b'), ('ä'), ('')) AS x(v)), 'healthscore.exact_set') AS m
UNION ALL
SELECT 'auc_state', m.*
FROM pg_temp.mutation_outcomes((SELECT healthscore_internal.auc_state_send(auc_state_of(v, v > 1))
                                FROM (VALUES (1.0::float8), (2.5)) AS x(v)), 'healthscore.auc_state') AS m
UNION ALL
SELECT 'logistic_state', m.*
FROM pg_temp.mutation_outcomes((SELECT healthscore_internal.logistic_state_send(logistic_state_of(v > 1, ARRAY[v]))
                                FROM (VALUES (1.0::float8), (2.5)) AS x(v)), 'healthscore.logistic_state') AS m;
-- the valid ones read back
SELECT healthscore_internal.auc_final('\x48534155010000000000000000000001000000000000000140000000000000003ff0000000000000') AS auc_one_pair,
       healthscore_internal.distinct_count_final('\x4853445301010001000000000000000200000000000000030000000000000007') AS two_sorted_keys;
-- kinds: a text set to distinct_count(bigint), a bigint set to stickiness, sets of two kinds combined
SELECT * FROM error_of($$SELECT healthscore_internal.distinct_count_int8_accum(exact_set_of('a'::text), 1)$$);
SELECT * FROM error_of($$SELECT healthscore_internal.stickiness_final(exact_set_of(1::bigint))$$);
SELECT * FROM error_of($$SELECT healthscore_internal.exact_set_combine(exact_set_of(1::bigint), exact_set_of('a'::text))$$);
SELECT * FROM error_of($$SELECT union_of(s) FROM (SELECT exact_set_of(i::bigint) FROM generate_series(1, 100) AS i
                                                 UNION ALL SELECT exact_set_of(md5(i::text)::uuid) FROM generate_series(1, 100) AS i) AS x(s)$$);

DROP TABLE stored_sets, se_events, se_daily, se_daily_back, se_daily_text, se_parted, se_scored, se_scored_states CASCADE;
DROP AGGREGATE exact_set_of(bigint), exact_set_of(text), exact_set_of(uuid), union_of(healthscore.exact_set),
	auc_state_of(float8, boolean), union_of(healthscore.auc_state), logistic_state_of(boolean, float8[]),
	union_of(healthscore.logistic_state);

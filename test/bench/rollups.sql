-- test/bench/rollups.sql: benchmark suite "rollups" (issue 19). A nightly refresh that reads rollup
-- states against the full refresh and against the floor of its scan, a 52-week backfill with and
-- without the rollup, the rollup's size and build time; and on the sparse data set of the
-- "refresh" suite, that a rollup that does not pay is skipped and costs the refresh nothing.
--
--   BENCH_SKIP_BUILD=1 ./test/bench/run.sh /usr/lib/postgresql/15/bin/pg_config 10 rollups
--
-- Dense data (setup_rollups.sql, schema benchd): at SCALE 10, 5,000 accounts and 20 million events
-- over 456 days up to 2026-11-30 00:00 UTC, the as-of time of every run. Two identical models,
-- dense_full and dense_rolled, with 7 usage signals over benchd.events in 4 windows (28, 30 and
-- 90 days, and all time for the last use): counts with FILTER, distinct users and features
-- (healthscore.distinct_count), stickiness, an average duration (float8) and max(ts).
-- dense_rolled's source is rolled up (enable_rollup, timed once).
--
-- Timed, each statement in its own transaction with its commit, :reps rounds after a warm-up,
-- median kept:
--   floor      SELECT account_id, count(*) FROM benchd.events over the longest finite window
--              (90 days) GROUP BY account_id: one grouped scan of the window
--   full       healthscore.refresh('dense_full', as_of): reads every event of its windows
--   nightly    healthscore.refresh('dense_rolled', night) for the 7 nights up to as_of, each after
--              its day was added: the rollup is first set back to end a day before the night
--              (rolled_until), so the refresh rolls up the new day and, again, the day before it
--              (late_window 2 days), rebuilds the week or 4 weeks that end (as_of ends both),
--              then combines states and reads the events of the windows' part days; median of
--              the 7 nights, and the slowest
-- Then, once each: backfill of 52 weekly runs up to as_of with the rollup and without.
-- The scores of the two models must be the same (counts and sets exactly, floats to 1e-12);
-- a difference is a MISMATCH (exit 1).
--
-- Targets (issue 19), recorded in bench.results: nightly >= 10x faster than full and >= 5x
-- faster than the floor; the 52-week backfill with the rollup <= 3x one full refresh; on the
-- sparse data, the refresh of a model with a (skipped) rollup <= 1.10x the refresh without.

\set ON_ERROR_STOP 1
\ir setup_rollups.sql
SET client_min_messages = warning;
SET TimeZone = 'UTC';
\pset footer off
\set as_of '2026-11-30 00:00:00+00'

\echo
\echo == suite rollups: dense data (benchd), :reps repetitions per statement

DROP TABLE IF EXISTS benchd.samples;
CREATE TABLE benchd.samples (label text NOT NULL, rep integer NOT NULL, ms float8 NOT NULL);

DO $$
BEGIN
	PERFORM healthscore.drop_model(m) FROM unnest(ARRAY['dense_full', 'dense_rolled', 'sparse_full', 'sparse_rolled']) AS m
	WHERE EXISTS (SELECT FROM healthscore.models WHERE name = m);
END
$$;

CREATE OR REPLACE FUNCTION benchd.add_usage_signals(model text, source regclass) RETURNS void LANGUAGE sql AS $f$
SELECT healthscore.add_signal(model, 'logins_30d', source => source, key => 'account_id',
       expression => $$count(*) FILTER (WHERE s.feature = 'login')$$, time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 200, weight => 15, missing => 'zero');
SELECT healthscore.add_signal(model, 'events_90d', source => source, key => 'account_id',
       expression => 'count(*)', time_column => 'ts', lookback => '90 days',
       scoring => 'logarithmic', worst => 1, best => 2000, weight => 10, missing => 'zero');
SELECT healthscore.add_signal(model, 'stickiness_28d', source => source, key => 'account_id',
       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '28 days',
       scoring => 'linear', worst => 0, best => 0.25, weight => 10, missing => 'zero');
SELECT healthscore.add_signal(model, 'active_users_30d', source => source, key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 30, weight => 20, missing => 'zero');
SELECT healthscore.add_signal(model, 'features_used_90d', source => source, key => 'account_id',
       expression => 'healthscore.distinct_count(s.feature)', time_column => 'ts', lookback => '90 days',
       scoring => 'linear', worst => 1, best => 6, weight => 10, missing => 'zero');
SELECT healthscore.add_signal(model, 'days_since_last_use', source => source, key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '14 days',
       weight => 10, missing => 'zero');
$f$;

SELECT healthscore.create_model('dense_full', accounts => 'benchd.accounts', key => 'account_id') IS NOT NULL AS created \gset
SELECT healthscore.create_model('dense_rolled', accounts => 'benchd.accounts', key => 'account_id') IS NOT NULL AS created \gset
SELECT benchd.add_usage_signals(m, 'benchd.events') FROM unnest(ARRAY['dense_full', 'dense_rolled']) AS m;
SELECT healthscore.add_signal(m, 'avg_duration_30d', source => 'benchd.events', key => 'account_id',
       expression => 'avg(s.duration_ms)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 5000, best => 100, weight => 5, missing => 'zero')
FROM unnest(ARRAY['dense_full', 'dense_rolled']) AS m;

SELECT pg_catalog.clock_timestamp() AS t0 \gset
SELECT rolled_signals, skipped_signals, day_states, events, in_use FROM healthscore.enable_rollup('dense_rolled', 'benchd.events');
SELECT 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS build_ms \gset
SELECT u.days, pg_catalog.count(*) AS states FROM healthscore.rollup_states AS u GROUP BY u.days ORDER BY u.days;
SELECT (SELECT pg_catalog.count(*) FROM benchd.events) AS dense_events,
	   (SELECT pg_catalog.count(*) FROM healthscore.rollup_states) AS states,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('benchd.events')) AS events_size,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('healthscore.rollup_states')) AS rollup_size,
	   pg_catalog.round((pg_catalog.pg_total_relation_size('benchd.events')::numeric
						 / pg_catalog.pg_total_relation_size('healthscore.rollup_states')), 1) AS times_smaller,
	   pg_catalog.round(:build_ms / 1000.0, 1) AS build_seconds
\gset
\echo rollup: :states states for :dense_events events (:rollup_size against :events_size, :times_smaller times smaller), built in :build_seconds s

-- Time each statement of a round in its own transaction, :reps rounds after a warm-up.
CREATE OR REPLACE PROCEDURE benchd.time_rounds(labels text[], statements text[], repetitions integer)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
BEGIN
	COMMIT;
	FOR rep IN 0 .. repetitions LOOP
		FOR k IN 1 .. pg_catalog.cardinality(statements) LOOP
			t0 := pg_catalog.clock_timestamp();
			EXECUTE statements[k];
			COMMIT;
			INSERT INTO benchd.samples VALUES (labels[k], rep, 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - t0)::float8);
			COMMIT;
		END LOOP;
	END LOOP;
END
$$;

-- The nightly refreshes of the week up to last_night: for each night, the rollup is set back to
-- end the day before (the day just ended is not rolled up yet), then the refresh as of that
-- midnight is timed with its commit. Nights where a week or 4 weeks end rebuild those spans too.
CREATE OR REPLACE PROCEDURE benchd.time_nights(label text, rolled_model text, last_night timestamptz, nights integer)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	night timestamptz;
BEGIN
	COMMIT;
	FOR n IN 0 .. nights LOOP		-- night 0: a warm-up, as of last_night
		night := last_night - (CASE WHEN n = 0 THEN 0 ELSE nights - n END) * interval '1 day';
		UPDATE healthscore.rollups SET rolled_until = night - interval '1 day' WHERE model = rolled_model;
		COMMIT;
		t0 := pg_catalog.clock_timestamp();
		PERFORM healthscore.refresh(rolled_model, night);
		COMMIT;
		INSERT INTO benchd.samples VALUES (label, n, 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - t0)::float8);
		COMMIT;
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION benchd.median_ms(which text) RETURNS float8 LANGUAGE sql AS $$
	SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM benchd.samples WHERE label = which AND rep > 0
$$;

-- The raw values of two runs: accounts whose counts, sets or times (signals 1-6) differ, and the
-- largest relative difference of the float (signal 7, the average duration: a float8 sum, added
-- in another order).
CREATE OR REPLACE FUNCTION benchd.differences(full_run bigint, rolled_run bigint, OUT scored bigint,
											  OUT exact_differ bigint, OUT worst_float float8)
LANGUAGE sql AS $$
	SELECT pg_catalog.count(*),
		   pg_catalog.count(*) FILTER (WHERE a.raw_values[1:6] IS DISTINCT FROM b.raw_values[1:6]),
		   coalesce(pg_catalog.max(abs(a.raw_values[7] - b.raw_values[7]) / GREATEST(abs(a.raw_values[7]), 1e-300)), 0)
	FROM healthscore.scores AS a JOIN healthscore.scores AS b ON b.account_key = a.account_key
	WHERE a.run_id = full_run AND b.run_id = rolled_run
$$;

SELECT healthscore.refresh('dense_full', :'as_of') AS full_run \gset
SELECT healthscore.refresh('dense_rolled', :'as_of') AS rolled_run \gset
SELECT * FROM benchd.differences(:full_run, :rolled_run) \gset
\echo scores: :scored accounts, :exact_differ with a count, set or time that differs, largest float difference :worst_float

\set floor_sql 'SELECT e.account_id, pg_catalog.count(*) FROM benchd.events AS e WHERE e.ts > timestamptz ''2026-11-30 00:00:00+00'' - interval ''90 days'' AND e.ts <= timestamptz ''2026-11-30 00:00:00+00'' GROUP BY e.account_id'
CALL benchd.time_rounds(ARRAY['floor', 'full'],
						ARRAY[:'floor_sql', format('SELECT healthscore.refresh(%L, %L)', 'dense_full', :'as_of')], :reps);
CALL benchd.time_nights('nightly', 'dense_rolled', :'as_of', 7);
SELECT benchd.median_ms('floor') AS floor_ms, benchd.median_ms('full') AS full_ms, benchd.median_ms('nightly') AS nightly_ms,
	   (SELECT pg_catalog.max(ms) FROM benchd.samples WHERE label = 'nightly' AND rep > 0) AS nightly_max_ms \gset
SELECT rep AS night, pg_catalog.round(ms::numeric) AS ms FROM benchd.samples WHERE label = 'nightly' AND rep > 0 ORDER BY rep;

-- backfills: 52 weekly runs up to as_of, once each
SELECT pg_catalog.clock_timestamp() AS t0 \gset
SELECT pg_catalog.count(*) AS runs FROM healthscore.backfill('dense_rolled', timestamptz :'as_of' - interval '51 weeks', :'as_of', '1 week') \gset
SELECT 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS backfill_rolled_ms \gset
SELECT pg_catalog.clock_timestamp() AS t0 \gset
SELECT pg_catalog.count(*) AS runs FROM healthscore.backfill('dense_full', timestamptz :'as_of' - interval '51 weeks', :'as_of', '1 week') \gset
SELECT 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS backfill_full_ms \gset
-- every weekly run of the backfills agrees
SELECT pg_catalog.count(*) AS weeks, pg_catalog.sum(d.exact_differ) AS exact_differ_all, pg_catalog.max(d.worst_float) AS worst_float_all
FROM (SELECT r.as_of, pg_catalog.max(r.run_id) FILTER (WHERE r.model = 'dense_full') AS f,
			 pg_catalog.max(r.run_id) FILTER (WHERE r.model = 'dense_rolled') AS o
	  FROM healthscore.runs AS r WHERE r.model IN ('dense_full', 'dense_rolled') GROUP BY r.as_of) AS w,
	 LATERAL benchd.differences(w.f, w.o) AS d \gset
\echo backfills: :weeks weekly as-of times compared, :exact_differ_all accounts x runs with a count, set or time that differs, largest float difference :worst_float_all

-- the same windows with counts, a sum and max(ts) only: no exact set, whose union costs a key at a
-- time however the keys are grouped
SELECT pg_catalog.count(healthscore.create_model(m, accounts => 'benchd.accounts', key => 'account_id')) AS created
FROM unnest(ARRAY['counts_full', 'counts_rolled']) AS m \gset
SELECT pg_catalog.count(healthscore.add_signal(x.m, x.name, source => 'benchd.events', key => 'account_id',
											   expression => x.expression, time_column => 'ts', lookback => x.lookback,
											   scoring => x.scoring, worst => x.worst, best => x.best, half_life => x.half_life,
											   weight => x.weight, missing => 'zero')) AS added
FROM (SELECT m, s.* FROM unnest(ARRAY['counts_full', 'counts_rolled']) AS m, healthscore.signals AS s
	  WHERE s.model = 'dense_full' AND s.name IN ('logins_30d', 'events_90d', 'days_since_last_use', 'avg_duration_30d')
	  ORDER BY m, s.position OFFSET 0) AS x \gset
SELECT pg_catalog.clock_timestamp() AS t0 \gset
SELECT day_states AS counts_states FROM healthscore.enable_rollup('counts_rolled', 'benchd.events') \gset
SELECT 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS counts_build_ms \gset
CALL benchd.time_rounds(ARRAY['counts full'], ARRAY[format('SELECT healthscore.refresh(%L, %L)', 'counts_full', :'as_of')], :reps);
CALL benchd.time_nights('counts nightly', 'counts_rolled', :'as_of', 7);
SELECT benchd.median_ms('counts full') AS counts_full_ms, benchd.median_ms('counts nightly') AS counts_nightly_ms \gset
-- counts, max(ts) exactly, the average duration (signal 4) to 1e-12
SELECT pg_catalog.count(*) FILTER (WHERE a.raw_values[1:3] IS DISTINCT FROM b.raw_values[1:3]
								   OR abs(a.raw_values[4] - b.raw_values[4]) > 1e-12 * GREATEST(abs(a.raw_values[4]), 1)) AS counts_differ,
	   pg_catalog.count(*) AS counts_scored
FROM healthscore.scores AS a JOIN healthscore.scores AS b ON b.account_key = a.account_key
WHERE a.run_id = (SELECT pg_catalog.max(run_id) FROM healthscore.runs WHERE model = 'counts_full')
  AND b.run_id = (SELECT pg_catalog.max(run_id) FROM healthscore.runs WHERE model = 'counts_rolled' AND as_of = :'as_of') \gset
\echo counts only: :counts_scored accounts compared, :counts_differ differ, rollup built in :counts_build_ms ms

\echo
\echo == sparse data (benchr of the refresh suite): a rollup that does not pay is skipped
\ir setup_refresh.sql
SET client_min_messages = warning;
SELECT healthscore.create_model('sparse_full', accounts => 'benchr.accounts', key => 'account_id') IS NOT NULL AS created \gset
SELECT healthscore.create_model('sparse_rolled', accounts => 'benchr.accounts', key => 'account_id') IS NOT NULL AS created \gset
SELECT benchd.add_usage_signals(m, 'benchr.usage_events') FROM unnest(ARRAY['sparse_full', 'sparse_rolled']) AS m;
SELECT pg_catalog.clock_timestamp() AS t0 \gset
SELECT day_states AS sparse_states, events AS sparse_events, in_use AS sparse_in_use
FROM healthscore.enable_rollup('sparse_rolled', 'benchr.usage_events') \gset
SELECT 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - :'t0'::timestamptz) AS sparse_build_ms \gset
\echo sparse rollup: :sparse_events events in :sparse_states day states (in use: :sparse_in_use), measured in :sparse_build_ms ms
CALL benchd.time_rounds(ARRAY['sparse full', 'sparse rolled'],
						ARRAY[format('SELECT healthscore.refresh(%L, %L)', 'sparse_full', '2026-06-30 00:00:00+00'),
							  format('SELECT healthscore.refresh(%L, %L)', 'sparse_rolled', '2026-06-30 00:00:00+00')], :reps);
SELECT benchd.median_ms('sparse full') AS sparse_full_ms, benchd.median_ms('sparse rolled') AS sparse_rolled_ms \gset

-- record the targets in bench.results (run_suites.sh counts them; a MISMATCH fails the run)
INSERT INTO bench.results (label, ours_ms, baseline_ms, ratio, target, met, status, ours_plan, baseline_plan, repetitions)
VALUES
	('nightly refresh, rolled vs full', :nightly_ms, :full_ms, :nightly_ms / :full_ms, 'speedup >= 10.0',
	 :full_ms / :nightly_ms >= 10,
	 CASE WHEN :exact_differ = 0 AND :worst_float <= 1e-12 THEN 'OK' ELSE 'MISMATCH: scores with and without the rollup differ' END,
	 'rollup states + part days', 'every event of the windows', :reps),
	('nightly refresh, rolled vs floor', :nightly_ms, :floor_ms, :nightly_ms / :floor_ms, 'speedup >= 5.0',
	 :floor_ms / :nightly_ms >= 5, 'OK', 'rollup states + part days', 'count(*) over 90 days', :reps),
	('slowest night of 7, rolled vs full', :nightly_max_ms, :full_ms, :nightly_max_ms / :full_ms, NULL, NULL, 'OK',
	 'a week and 4 weeks rebuilt', 'every event of the windows', 7),
	('backfill 52 weeks, rolled vs one full refresh', :backfill_rolled_ms, :full_ms, :backfill_rolled_ms / :full_ms,
	 'ratio <= 3.00', :backfill_rolled_ms / :full_ms <= 3,
	 CASE WHEN :exact_differ_all = 0 AND :worst_float_all <= 1e-12 THEN 'OK' ELSE 'MISMATCH: backfilled scores differ' END,
	 '52 runs from the rollup', '1 full refresh', 1),
	('backfill 52 weeks, rolled vs full', :backfill_rolled_ms, :backfill_full_ms, :backfill_rolled_ms / :backfill_full_ms,
	 NULL, NULL, 'OK', '52 runs from the rollup', '52 full refreshes', 1),
	('enable_rollup (build) vs one full refresh', :build_ms, :full_ms, :build_ms / :full_ms, NULL, NULL, 'OK',
	 'whole source once', '1 full refresh', 1),
	('nightly refresh, counts/sum/max only, rolled vs full', :counts_nightly_ms, :counts_full_ms,
	 :counts_nightly_ms / :counts_full_ms, 'speedup >= 10.0', :counts_full_ms / :counts_nightly_ms >= 10,
	 CASE WHEN :counts_differ = 0 THEN 'OK' ELSE 'MISMATCH: counts-only scores with and without the rollup differ' END,
	 'rollup states', 'every event of the windows', :reps),
	('nightly refresh, counts/sum/max only, rolled vs floor', :counts_nightly_ms, :floor_ms,
	 :counts_nightly_ms / :floor_ms, 'speedup >= 5.0', :floor_ms / :counts_nightly_ms >= 5, 'OK',
	 'rollup states', 'count(*) over 90 days', :reps),
	('sparse refresh, skipped rollup vs none', :sparse_rolled_ms, :sparse_full_ms, :sparse_rolled_ms / :sparse_full_ms,
	 'ratio <= 1.10', :sparse_rolled_ms / :sparse_full_ms <= 1.10,
	 CASE WHEN :'sparse_in_use' = 'f' THEN 'OK' ELSE 'MISMATCH: the sparse rollup was not skipped' END,
	 'rollup measured, not used', 'no rollup', :reps);

SELECT label, pg_catalog.round(ours_ms::numeric) AS ours_ms, pg_catalog.round(baseline_ms::numeric) AS baseline_ms,
	   pg_catalog.round(ratio::numeric, 3) AS ratio, target, CASE WHEN met THEN 'yes' WHEN NOT met THEN 'NO' END AS "met?", status
FROM bench.results WHERE suite = 'rollups' ORDER BY seq;

-- test/bench/timing.sql: the measuring harness every benchmark suite uses (loaded by run_suites.sh
-- before each suite; idempotent).
--
-- Rules it implements: a benchmark reports the RATIO of our query to a plain-SQL baseline timed
-- in the same session, never an absolute time as pass/fail, because the machines are small (2
-- cores) and noisy.
--
--   bench.time_query(sql, repetitions)  median milliseconds of sql after one warm-up run.
--   bench.compare(label, ours, baseline, repetitions, tolerance, max_ratio, min_speedup, requires)
--       times ours and baseline interleaved, checks that they return the same result, records a
--       row in bench.results and returns it. ours and baseline each return a key first (unique,
--       e.g. the GROUP BY column) and the measured value second; see bench.check_same().
--   bench.report  the results as a readable table (suite, label, ms, ratio, target, met?, plans).
--
-- How a query is run: EXECUTE without INTO in PL/pgSQL. The query runs to completion and its
-- rows are fetched into SPI memory and dropped, so every aggregate is really computed but nothing
-- is sent to the client. (Wrapping it as SELECT count(*) FROM (query) would NOT do: the planner
-- replaces unused subquery outputs by NULL and would skip the aggregates.) SPI plans such a query
-- with CURSOR_OPT_PARALLEL_OK, so parallel query is used exactly as for a client's query.

SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;

CREATE TABLE IF NOT EXISTS bench.results (
	seq           serial PRIMARY KEY,
	suite         text NOT NULL DEFAULT pg_catalog.current_setting('bench.suite', true),
	label         text NOT NULL,
	ours_ms       float8,
	baseline_ms   float8,
	ratio         float8,			-- ours / baseline: below 1 means ours is faster
	target        text,				-- 'ratio <= 1.10', 'speedup >= 3.0' or NULL
	met           boolean,
	status        text NOT NULL,	-- OK, MISMATCH: ..., ERROR: ..., skipped: ...
	ours_plan     text,				-- e.g. 'serial, sorted', see bench.plan_summary()
	baseline_plan text,
	repetitions   integer
);
COMMENT ON TABLE bench.results IS 'one row per bench.compare() call (test/bench/timing.sql)';

-- Milliseconds one execution of sql takes, its rows computed and dropped.
CREATE OR REPLACE FUNCTION bench.run_ms(sql text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz;
BEGIN
	started := pg_catalog.clock_timestamp();
	EXECUTE sql;
	RETURN 1000 * extract(epoch FROM pg_catalog.clock_timestamp() - started)::float8;
END
$$;

CREATE OR REPLACE FUNCTION bench.median(samples float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
RETURN (SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM pg_catalog.unnest(samples) AS s);

-- Median milliseconds of repetitions runs of sql, after one warm-up run that is not counted.
CREATE OR REPLACE FUNCTION bench.time_query(sql text, repetitions integer) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	samples float8[] := '{}';
BEGIN
	IF repetitions < 1 THEN
		RAISE EXCEPTION 'bench.time_query(): repetitions must be at least 1, not %', repetitions;
	END IF;
	PERFORM bench.run_ms(sql);
	FOR i IN 1 .. repetitions LOOP
		samples := samples || bench.run_ms(sql);
	END LOOP;
	RETURN bench.median(samples);
END
$$;

-- How PostgreSQL chose to run sql, in a few words: 'serial, sorted' or
-- 'parallel 2, finalize sorted < partial hashed'. From EXPLAIN (FORMAT JSON): the largest
-- "Workers Planned" anywhere in the plan, and its Aggregate nodes from the top down (strategy
-- hashed, sorted, mixed or plain; partial / finalize for the two halves of parallel aggregation).
CREATE OR REPLACE FUNCTION bench.plan_summary(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
	workers integer;
	strategies text;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) ' || sql INTO plan;
	SELECT pg_catalog.max(w::integer) INTO workers
	FROM pg_catalog.jsonb_path_query(plan, 'strict $.**."Workers Planned"') AS w;
	SELECT pg_catalog.string_agg(CASE WHEN a->>'Partial Mode' IN ('Partial', 'Finalize')
									  THEN pg_catalog.lower(a->>'Partial Mode') || ' ' ELSE '' END
								 || pg_catalog.lower(a->>'Strategy'), ' < ')
	INTO strategies
	FROM pg_catalog.jsonb_path_query(plan, 'strict $.** ? (exists (@."Strategy"))') AS a;
	RETURN CASE WHEN workers > 0 THEN 'parallel ' || workers ELSE 'serial' END
		|| COALESCE(', ' || strategies, '');
END
$$;

-- 'OK' when the tables ours and baseline (each with columns k and v) hold the same keys with the
-- same values, else 'MISMATCH: ...' with the number of differing keys and one example.
-- tolerance = 0: values must be equal (=, NULL equals NULL). tolerance > 0: both are cast to
-- float8 and may differ by tolerance * max(1, |ours|, |baseline|), i.e. relatively for large
-- values and absolutely below 1.
CREATE OR REPLACE FUNCTION bench.check_same(ours regclass, baseline regclass, tolerance float8)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	keys bigint;
	bad bigint;
	example text;
	same text := CASE WHEN tolerance > 0
		THEN 'o.v::float8 = b.v::float8 OR pg_catalog.abs(o.v::float8 - b.v::float8)'
			 ' <= $1 * GREATEST(1.0, pg_catalog.abs(o.v::float8), pg_catalog.abs(b.v::float8))'
		ELSE 'o.v = b.v' END;
BEGIN
	EXECUTE pg_catalog.format(
		$q$SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE NOT same),
				  pg_catalog.min(pg_catalog.format('key %%s: ours %%s, baseline %%s',
					 k, COALESCE(o.v::text, 'NULL'), COALESCE(b.v::text, 'NULL'))) FILTER (WHERE NOT same)
		   FROM %s AS o FULL JOIN %s AS b USING (k)
		   CROSS JOIN LATERAL (SELECT o.k IS NOT NULL AND b.k IS NOT NULL
				AND ((o.v IS NULL AND b.v IS NULL) OR COALESCE(%s, false)) AS same) AS c$q$,
		ours, baseline, same)
	INTO keys, bad, example USING tolerance;
	IF bad = 0 THEN
		RETURN 'OK';
	END IF;
	RETURN pg_catalog.format('MISMATCH: %s of %s keys differ, e.g. %s', bad, keys, example);
END
$$;

-- Store a comparison (its seq and suite are filled in here) and return the stored row.
CREATE OR REPLACE FUNCTION bench.record(r bench.results) RETURNS bench.results
LANGUAGE sql AS $$
INSERT INTO bench.results (label, ours_ms, baseline_ms, ratio, target, met, status,
						   ours_plan, baseline_plan, repetitions)
VALUES (r.label, r.ours_ms, r.baseline_ms, r.ratio, r.target, r.met, r.status,
		r.ours_plan, r.baseline_plan, r.repetitions)
RETURNING *;
$$;

-- Time ours against baseline and record the comparison in bench.results.
--   repetitions  timed runs of each side after one warm-up each; the runs alternate in ABBA
--                order (ours, baseline, baseline, ours, ...) so that drift in the machine's speed
--                and cache state falls on both sides alike; the median of each side is kept.
--   tolerance    see bench.check_same(); the warm-up runs store both results for the check.
--   max_ratio    target ours / baseline <= max_ratio ("within 1.1x": 1.1), or
--   min_speedup  target baseline / ours >= min_speedup ("3x faster": 3).
--   requires     a function name such as 'healthscore.trend': when no function of that name
--                exists yet the comparison is recorded as skipped instead of failing. A function
--                that exists but does not match the call is an ERROR, not skipped.
-- Errors of either query are recorded (status 'ERROR: ...') so the remaining comparisons run.
CREATE OR REPLACE FUNCTION bench.compare(label text, ours text, baseline text,
										 repetitions integer DEFAULT 3,
										 tolerance float8 DEFAULT 0,
										 max_ratio float8 DEFAULT NULL,
										 min_speedup float8 DEFAULT NULL,
										 requires text DEFAULT NULL)
RETURNS bench.results
LANGUAGE plpgsql AS $$
DECLARE
	r bench.results;
	ours_samples float8[] := '{}';
	baseline_samples float8[] := '{}';
	fn text[];
BEGIN
	r.label := label;
	r.repetitions := repetitions;
	r.target := CASE WHEN max_ratio IS NOT NULL THEN pg_catalog.format('ratio <= %s', pg_catalog.to_char(max_ratio, 'FM990.00'))
					 WHEN min_speedup IS NOT NULL THEN pg_catalog.format('speedup >= %s', pg_catalog.to_char(min_speedup, 'FM990.0'))
				END;
	IF repetitions < 1 THEN
		RAISE EXCEPTION 'bench.compare(): repetitions must be at least 1, not %', repetitions;
	END IF;

	IF requires IS NOT NULL THEN
		fn := pg_catalog.parse_ident(requires);
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc AS p
					   WHERE p.proname = fn[pg_catalog.array_upper(fn, 1)]
						 AND (pg_catalog.cardinality(fn) = 1
							  OR p.pronamespace = pg_catalog.to_regnamespace(fn[1]))) THEN
			r.status := 'skipped: function missing (' || requires || ')';
			RAISE NOTICE '%: %', label, r.status;
			r := bench.record(r);
			RETURN r;
		END IF;
	END IF;

	BEGIN
		r.ours_plan := bench.plan_summary(ours);
		r.baseline_plan := bench.plan_summary(baseline);

		-- warm-up, keeping both results for the check (an error rolls the tables back)
		EXECUTE 'CREATE TEMPORARY TABLE bench_ours (k, v) AS ' || ours;
		EXECUTE 'CREATE TEMPORARY TABLE bench_baseline (k, v) AS ' || baseline;
		r.status := bench.check_same('pg_temp.bench_ours', 'pg_temp.bench_baseline', tolerance);
		DROP TABLE pg_temp.bench_ours, pg_temp.bench_baseline;

		FOR i IN 1 .. repetitions LOOP
			IF i % 2 = 1 THEN
				ours_samples := ours_samples || bench.run_ms(ours);
				baseline_samples := baseline_samples || bench.run_ms(baseline);
			ELSE
				baseline_samples := baseline_samples || bench.run_ms(baseline);
				ours_samples := ours_samples || bench.run_ms(ours);
			END IF;
		END LOOP;
	EXCEPTION WHEN OTHERS THEN
		r.status := 'ERROR: ' || SQLERRM;
		RAISE NOTICE '%: %', label, r.status;
		r := bench.record(r);
		RETURN r;
	END;

	r.ours_ms := bench.median(ours_samples);
	r.baseline_ms := bench.median(baseline_samples);
	r.ratio := r.ours_ms / NULLIF(r.baseline_ms, 0);
	r.met := CASE WHEN max_ratio IS NOT NULL THEN r.ratio <= max_ratio
				  WHEN min_speedup IS NOT NULL THEN r.ratio * min_speedup <= 1 END;
	RAISE NOTICE '%: ours % ms, baseline % ms, ratio % (%), %', label,
		pg_catalog.round(r.ours_ms::numeric, 1), pg_catalog.round(r.baseline_ms::numeric, 1),
		pg_catalog.round(r.ratio::numeric, 2), COALESCE(r.target, 'no target'), r.status;
	r := bench.record(r);
	RETURN r;
END
$$;

CREATE OR REPLACE VIEW bench.report AS
SELECT suite,
	   label,
	   pg_catalog.round(ours_ms::numeric, 1) AS "ours ms",
	   pg_catalog.round(baseline_ms::numeric, 1) AS "baseline ms",
	   pg_catalog.round(ratio::numeric, 2) AS ratio,
	   pg_catalog.round((1 / NULLIF(ratio, 0))::numeric, 2) AS speedup,
	   COALESCE(target, '-') AS target,
	   CASE WHEN met THEN 'yes' WHEN NOT met THEN 'NO' ELSE '-' END AS "met?",
	   status AS result,
	   ours_plan AS "ours plan",
	   baseline_plan AS "baseline plan"
FROM bench.results
ORDER BY seq;

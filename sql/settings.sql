-- Scores never depend on session settings: the same model refreshed as of the same time under every
-- combination of DateStyle, TimeZone, IntervalStyle, extra_float_digits and lc_numeric gives the
-- same scores, bit for bit, and the same fingerprint. (0.1.0 wrote values into its generated SQL as
-- the session printed them: with extra_float_digits = -15 a bound of 145 became 1e+02, and with
-- DateStyle 'SQL, MDY' and TimeZone 'Asia/Shanghai' the as-of time came back 14 hours off.)
-- Day boundaries are the model's time zone's. Stands alone: its own schema, removed at the end.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA stg;
CREATE TABLE stg.accounts (account_id integer PRIMARY KEY, seats integer, arr numeric);
INSERT INTO stg.accounts SELECT i, 1 + i % 7, 1000 + 37.5 * i FROM generate_series(1, 400) AS i;
-- events in timestamptz, daily rows in date, and invoices in timestamp (without time zone)
CREATE TABLE stg.events (account_id integer, user_id bigint, ts timestamptz, duration float8);
INSERT INTO stg.events
SELECT a, a * 10 + e % 5, timestamptz '2026-06-30 12:00:00+00' - (e * 13 + a) * interval '37 minutes' - (e % 40) * interval '1 day',
       (e * 7 + a) % 113 / 3.0
FROM generate_series(1, 400) AS a, generate_series(1, 1 + a % 60) AS e;
CREATE TABLE stg.daily (account_id integer, day date, logins integer);
INSERT INTO stg.daily SELECT a, date '2026-06-30' - d, (a * d) % 9 FROM generate_series(1, 400) AS a, generate_series(0, a % 45) AS d;
CREATE TABLE stg.invoices (account_id integer, issued timestamp, late boolean);
INSERT INTO stg.invoices SELECT a, timestamp '2026-06-30 23:00' - i * interval '5 days 7 hours', (a + i) % 4 = 0
FROM generate_series(1, 400) AS a, generate_series(1, a % 12) AS i;

SELECT healthscore.create_model('stg', accounts => 'stg.accounts', key => 'account_id', value => 'arr');
-- bounds and breaks that print differently with fewer float digits; windows over all three types
SELECT healthscore.add_signal('stg', 'minutes', source => 'stg.events', key => 'account_id',
       expression => 'sum(s.duration)', time_column => 'ts', lookback => '30 days', scoring => 'linear',
       worst => 0, best => 145.123456789);
SELECT healthscore.add_signal('stg', 'users_per_seat', source => 'stg.events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats', time_column => 'ts',
       lookback => '14 days', scoring => 'bands', breaks => '{0.333333333333333,0.7,1.41421356237}',
       points => '{0,33.3333333333,66.6666666667,100}');
SELECT healthscore.add_signal('stg', 'last_seen', source => 'stg.events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '3 days 12:00:00');
SELECT healthscore.add_signal('stg', 'logins', source => 'stg.daily', key => 'account_id',
       expression => 'sum(s.logins)', time_column => 'day', lookback => '1 mon 3 days', scoring => 'logarithmic',
       worst => 0, best => 145);
SELECT healthscore.add_signal('stg', 'late_invoices', source => 'stg.invoices', key => 'account_id',
       expression => 'count(*) FILTER (WHERE s.late)', time_column => 'issued', lookback => '45 days',
       scoring => 'linear', worst => 3, best => 0, missing => 'value', missing_value => 87.5);
SELECT healthscore.add_signal('stg', 'stickiness', source => 'stg.events', key => 'account_id',
       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '28 days',
       scoring => 'percentile');

-- the baseline: PostgreSQL's defaults
CREATE TEMP TABLE baseline AS
SELECT healthscore.refresh('stg', '2026-06-30 12:00:00+00') AS run_id, healthscore.fingerprint('stg') AS fingerprint;
SELECT count(*) AS accounts, count(DISTINCT score) > 300 AS scores_vary FROM healthscore.scores
WHERE run_id = (SELECT run_id FROM baseline);

-- every combination, each a refresh as of the same time, compared with the baseline bit for bit
CREATE TEMP TABLE matrix (date_style text, time_zone text, interval_style text, float_digits text, numeric_locale text,
                          accounts_differing bigint, same_fingerprint boolean);
DO $$
DECLARE
	date_style text;
	time_zone text;
	interval_style text;
	float_digits text;
	numeric_locale text;
	run bigint;
	fp text;
BEGIN
	FOREACH date_style IN ARRAY ARRAY['ISO, MDY', 'SQL, MDY', 'German', 'Postgres, DMY'] LOOP
	FOREACH time_zone IN ARRAY ARRAY['UTC', 'Asia/Shanghai', 'Pacific/Chatham'] LOOP
	FOREACH interval_style IN ARRAY ARRAY['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'] LOOP
	FOREACH float_digits IN ARRAY ARRAY['-15', '3'] LOOP
	FOREACH numeric_locale IN ARRAY ARRAY['C', 'C.UTF-8'] LOOP
		PERFORM set_config('DateStyle', date_style, true);
		PERFORM set_config('TimeZone', time_zone, true);
		PERFORM set_config('IntervalStyle', interval_style, true);
		PERFORM set_config('extra_float_digits', float_digits, true);
		PERFORM set_config('lc_numeric', numeric_locale, true);
		run := healthscore.refresh('stg', '2026-06-30 12:00:00+00');
		fp := healthscore.fingerprint('stg');
		INSERT INTO matrix
		SELECT date_style, time_zone, interval_style, float_digits, numeric_locale,
			   (SELECT count(*) FROM healthscore.scores AS now
				FULL JOIN (SELECT * FROM healthscore.scores WHERE run_id = (SELECT b.run_id FROM baseline AS b)) AS base
				  ON base.account_key = now.account_key
				WHERE now.run_id = run
				  AND (base.account_key IS NULL OR now.score IS DISTINCT FROM base.score
					   OR now.raw_values IS DISTINCT FROM base.raw_values OR now.points IS DISTINCT FROM base.points
					   OR now.tier IS DISTINCT FROM base.tier)),
			   fp = (SELECT b.fingerprint FROM baseline AS b);
	END LOOP; END LOOP; END LOOP; END LOOP; END LOOP;
END
$$;
SELECT count(*) AS combinations, sum(accounts_differing) AS accounts_differing,
       count(*) FILTER (WHERE NOT same_fingerprint) AS fingerprints_differing
FROM matrix;
SELECT * FROM matrix WHERE accounts_differing > 0 OR NOT same_fingerprint LIMIT 5;
-- the stored fingerprint of every run is the same too
SELECT count(DISTINCT fingerprint) AS distinct_fingerprints FROM healthscore.runs WHERE model = 'stg';
-- the generated SQL itself reads the same whatever the session prints
SELECT count(DISTINCT q) AS distinct_scoring_queries
FROM (SELECT healthscore.refresh_sql('stg', '2026-06-30 12:00:00+00') AS q
      UNION ALL
      SELECT q FROM (SELECT set_config('extra_float_digits', '-15', true), set_config('DateStyle', 'SQL, DMY', true),
                            set_config('TimeZone', 'Asia/Shanghai', true), set_config('IntervalStyle', 'sql_standard', true),
                            healthscore.refresh_sql('stg', '2026-06-30 12:00:00+00') AS q) AS x) AS written;
RESET extra_float_digits; RESET DateStyle; RESET IntervalStyle; SET TimeZone = 'UTC';

-- day boundaries are the model's time zone's: the same data scored as of the same time, by a model
-- in UTC and a copy in Asia/Shanghai (8 hours ahead), differ where a day-typed row falls on one
-- side of a window's start in one zone and on the other side in the other
SELECT healthscore.create_model('stg_shanghai', accounts => 'stg.accounts', key => 'account_id',
       time_zone => 'Asia/Shanghai');
SELECT healthscore.add_signal('stg_shanghai', 'logins', source => 'stg.daily', key => 'account_id',
       expression => 'sum(s.logins)', time_column => 'day', lookback => '1 mon 3 days', scoring => 'logarithmic',
       worst => 0, best => 145);
SELECT healthscore.create_model('stg_utc', accounts => 'stg.accounts', key => 'account_id');
SELECT healthscore.add_signal('stg_utc', 'logins', source => 'stg.daily', key => 'account_id',
       expression => 'sum(s.logins)', time_column => 'day', lookback => '1 mon 3 days', scoring => 'logarithmic',
       worst => 0, best => 145);
SELECT healthscore.refresh(m, '2026-06-30 20:00:00+00') > 0 FROM unnest('{stg_shanghai,stg_utc}'::text[]) AS m;
-- 20:00 UTC is 04:00 the next day in Shanghai: its window starts a day later
SELECT (SELECT raw_value FROM healthscore.components WHERE model = 'stg_utc' AND account_key = '44') AS utc_logins,
       (SELECT raw_value FROM healthscore.components WHERE model = 'stg_shanghai' AND account_key = '44') AS shanghai_logins,
       (SELECT sum(logins) FROM stg.daily WHERE account_id = 44
          AND day > (timestamptz '2026-06-30 20:00:00+00' AT TIME ZONE 'UTC' - interval '1 mon 3 days')) AS utc_by_hand,
       (SELECT sum(logins) FROM stg.daily WHERE account_id = 44
          AND day > (timestamptz '2026-06-30 20:00:00+00' AT TIME ZONE 'Asia/Shanghai' - interval '1 mon 3 days')) AS shanghai_by_hand;
-- ... and so its fingerprint differs from a UTC model's, whose fingerprint is what 0.1.0 computed
SELECT healthscore.fingerprint('stg_utc') = healthscore.fingerprint('stg_shanghai') AS same_fingerprint;
SELECT * FROM error_of($$SELECT healthscore.create_model('stg_bad', accounts => 'stg.accounts', key => 'account_id', time_zone => 'EST5EDT4')$$);
-- refresh_sql() pins the model's time zone with set_config(), which a parallel operation refuses:
-- it is PARALLEL UNSAFE, so a forced parallel mode does not make it fail (found by sqlsmith)
SET force_parallel_mode = on;
SELECT length(healthscore.refresh_sql('stg_shanghai', '2026-06-30 12:00:00+00')) > 0 AS written_forced_parallel;
RESET force_parallel_mode;
SELECT * FROM error_of($$UPDATE healthscore.models SET time_zone = 'Mars/Olympus' WHERE name = 'stg_utc'$$);

SELECT healthscore.drop_model(m) FROM unnest('{stg,stg_shanghai,stg_utc}'::text[]) AS m;
DROP SCHEMA stg CASCADE;

-- test/bench/setup_rollups.sql: the dense data set of the "rollups" benchmark suite
-- (test/bench/rollups.sql): product analytics of a B2B product, where every account logs events
-- every day, over 15 months.
--
--   benchd.accounts  (account_id integer PRIMARY KEY, name, seats)        :events / 2000 rows
--   benchd.events    (account_id, user_id, feature, ts, duration_ms)     :events x 2 rows
--
-- At SCALE 10 (test/bench/run.sh): 5,000 accounts and 20 million events over the 456 days
-- 2025-08-31 .. 2026-11-29 (UTC), about 9 events per account and day. Accounts log a share of
-- each day's events that grows with their seats; users are a pool of their seats; features are
-- login (half the events), dashboard, report, export, api, admin. Rows are in time order (an
-- append-only table) and ts has an index, as event tables that are read by time have. UNLOGGED,
-- VACUUM ANALYZEd; rebuilt only when :events changes. Deterministic: hashes, no random().

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';

CREATE SCHEMA IF NOT EXISTS benchd;
CREATE TABLE IF NOT EXISTS benchd.dataset (events bigint NOT NULL, accounts bigint NOT NULL, build_seconds float8 NOT NULL);

SELECT pg_catalog.count(*) = 1 AS benchd_have_data FROM benchd.dataset
WHERE events = 2 * :events AND pg_catalog.to_regclass('benchd.events') IS NOT NULL \gset

\if :benchd_have_data
\echo setup_rollups: reusing the benchd tables
\else
SELECT pg_catalog.clock_timestamp() AS benchd_setup_start, GREATEST(10, :events / 2000) AS benchd_accounts,
	   2 * :events AS benchd_events \gset
\echo setup_rollups: building benchd (:benchd_events events, :benchd_accounts accounts) ...
DROP TABLE IF EXISTS benchd.events, benchd.accounts;
TRUNCATE benchd.dataset;

CREATE OR REPLACE FUNCTION benchd.uniform(i bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (pg_catalog.hashint8extended(i, salt) & 9007199254740991)::float8 / 9007199254740992.0;

CREATE UNLOGGED TABLE benchd.accounts AS
SELECT a AS account_id, 'account ' || a AS name,
	   pg_catalog.round(5 * pg_catalog.power(40.0, benchd.uniform(a, 1)))::integer AS seats
FROM pg_catalog.generate_series(1, :benchd_accounts) AS a;
ALTER TABLE benchd.accounts ADD PRIMARY KEY (account_id);

-- each event picks its account by a power of a uniform number (larger accounts, more events),
-- its user among the account's seats, its feature by a skewed draw
CREATE UNLOGGED TABLE benchd.events AS
SELECT 1 + pg_catalog.floor(:benchd_accounts * pg_catalog.power(benchd.uniform(e, 11), 1.3))::integer AS account_id,
	   pg_catalog.floor(40 * benchd.uniform(e, 12))::bigint AS user_id,
	   (ARRAY['login', 'login', 'login', 'dashboard', 'report', 'export', 'api', 'admin'])
		   [1 + pg_catalog.floor(8 * benchd.uniform(e, 13))::integer] AS feature,
	   timestamptz '2025-08-31 00:00:00+00' + d * interval '1 day'
		   + (k::float8 / (:benchd_events / 456)) * interval '1 day' AS ts,
	   pg_catalog.round((50 + 5000 * benchd.uniform(e, 14))::numeric, 1)::float8 AS duration_ms
FROM pg_catalog.generate_series(0, 455) AS d,
	 pg_catalog.generate_series(0, :benchd_events / 456 - 1) AS k,
	 LATERAL (SELECT d::bigint * (:benchd_events / 456) + k AS e) AS n;
CREATE INDEX ON benchd.events (ts);
VACUUM ANALYZE benchd.accounts, benchd.events;
INSERT INTO benchd.dataset	-- the size asked for (the rows are a whole number per day)
SELECT 2 * :events, :benchd_accounts, extract(epoch FROM pg_catalog.clock_timestamp() - :'benchd_setup_start'::timestamptz);
SELECT (SELECT pg_catalog.count(*) FROM benchd.events) AS events, accounts, pg_catalog.round(build_seconds) AS build_seconds,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size('benchd.events')) AS size
FROM benchd.dataset;
\endif

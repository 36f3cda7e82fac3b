-- stickiness(user_id, at) = average daily active users / distinct users over the UTC-day span
\ir sql/include/setup.sql
CREATE TABLE st_events AS
SELECT i % 11 AS account_id, (i % 11) * 1000 + (i * 7919 % (20 + 3 * (i % 11))) AS user_id,
       timestamptz '2026-03-01 00:00+00' + ((i * 104729 % (60 * 24 * (30 + i % 11))) * interval '1 minute') AS at
FROM generate_series(1, 6000) AS i;
INSERT INTO st_events VALUES (3, NULL, now()), (3, 42, NULL);

-- against the plain SQL formula
SELECT account_id, round(healthscore.stickiness(user_id, at)::numeric, 12) AS stickiness,
       healthscore.stickiness(user_id, at) = (
         SELECT count(DISTINCT (e.user_id, (e.at AT TIME ZONE 'UTC')::date))::float8
                / ((max((e.at AT TIME ZONE 'UTC')::date) - min((e.at AT TIME ZONE 'UTC')::date) + 1)
                   * count(DISTINCT e.user_id))
         FROM st_events AS e WHERE e.account_id = s.account_id AND e.user_id IS NOT NULL AND e.at IS NOT NULL)
         AS equals_formula
FROM st_events AS s GROUP BY account_id ORDER BY account_id;
-- exact small cases: one user every day = 1; two users on alternate days over 4 days = 0.5;
-- a day without events counts as 0 active users; UTC days, whatever the session time zone
SELECT healthscore.stickiness(u, t) AS every_day
FROM (VALUES (1, timestamptz '2026-01-01 10:00+00'), (1, '2026-01-02 10:00+00'), (1, '2026-01-03 23:59+00')) AS x(u, t);
SELECT healthscore.stickiness(u, t) AS alternate_days
FROM (VALUES (1, timestamptz '2026-01-01 10:00+00'), (2, '2026-01-02 10:00+00'), (1, '2026-01-03 10:00+00'), (2, '2026-01-04 10:00+00')) AS x(u, t);
SELECT healthscore.stickiness(u, t) AS gap_day
FROM (VALUES (1, timestamptz '2026-01-01 10:00+00'), (1, '2026-01-03 10:00+00')) AS x(u, t);
-- two users an hour apart across UTC midnight: two UTC days with one user each = 0.5
-- (in Los Angeles time both are on one day, which would give 1)
SET timezone = 'America/Los_Angeles';
SELECT healthscore.stickiness(u, t) AS utc_days
FROM (VALUES (1, timestamptz '2026-01-01 23:30+00'), (2, '2026-01-02 00:30+00')) AS x(u, t);
RESET timezone;
SELECT healthscore.stickiness(u, t) AS before_2000
FROM (VALUES (1, timestamptz '1999-12-31 12:00+00'), (1, '2000-01-01 12:00+00')) AS x(u, t);
SELECT healthscore.stickiness(u, t) IS NULL AS no_rows FROM (VALUES (1, now())) AS x(u, t) WHERE false;
SELECT healthscore.stickiness(u, t) IS NULL AS only_nulls FROM (VALUES (NULL::bigint, now()), (1, NULL)) AS x(u, t);
SELECT * FROM error_of($$SELECT healthscore.stickiness(1, 'infinity')$$);
-- serialized (user, day) pairs: a valid one, and a day beyond the range of timestamps
SELECT healthscore.distinct_state_count('\x48534453010400000000000000000001000000000000002a0000000000002710') AS one_pair;
SELECT * FROM error_detail_of($$SELECT healthscore.distinct_state_count('\x48534453010400000000000000000001000000000000002a7fffffffffffffff')$$);
DROP TABLE st_events;

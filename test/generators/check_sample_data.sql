-- test/generators/check_sample_data.sql
--
-- Sanity summary for the schema built by sample_data.sql:
--   psql -f test/generators/check_sample_data.sql
-- Prints row counts, churn rate overall and by the planted drivers, and an
-- md5 fingerprint per table (identical across runs when the generator is
-- deterministic).

\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

\echo '== row counts'
SELECT 'accounts' AS "table", count(*) AS "rows" FROM sample.accounts
UNION ALL SELECT 'usage_events',   count(*) FROM sample.usage_events
UNION ALL SELECT 'tickets',        count(*) FROM sample.tickets
UNION ALL SELECT 'nps_responses',  count(*) FROM sample.nps_responses
UNION ALL SELECT 'churn_outcomes', count(*) FROM sample.churn_outcomes;

\echo '== accounts by segment'
SELECT segment, count(*) AS accounts, round(avg(seats)) AS avg_seats,
       round(avg(arr)) AS avg_arr, min(renewal_date) AS first_renewal,
       max(renewal_date) AS last_renewal
FROM sample.accounts GROUP BY segment ORDER BY avg(arr);

\echo '== churn rate by driver'
WITH f AS (
    SELECT a.account_id, t.latent_health,
           c.account_id IS NOT NULL AS churned,
           coalesce(e.n, 0)::float8 / a.seats AS events_per_seat,
           coalesce(e.users, 0)::float8 / a.seats AS seat_utilisation,
           coalesce(e.n, 0) = 0 AS no_events,
           EXISTS (SELECT 1 FROM sample.tickets AS k WHERE k.account_id = a.account_id
                   AND k.is_open AND k.priority = 'urgent') AS urgent_open,
           (SELECT avg(r.rating) FROM sample.nps_responses AS r
            WHERE r.account_id = a.account_id) AS avg_nps
    FROM sample.accounts AS a
    JOIN sample.truth AS t USING (account_id)
    LEFT JOIN sample.churn_outcomes AS c USING (account_id)
    LEFT JOIN (SELECT account_id, count(*) AS n, count(DISTINCT user_id) AS users
               FROM sample.usage_events GROUP BY account_id) AS e USING (account_id)
), b AS (
    SELECT f.*,
           ntile(5) OVER (ORDER BY latent_health, account_id)    AS q_health,
           ntile(5) OVER (ORDER BY events_per_seat, account_id)  AS q_events,
           ntile(5) OVER (ORDER BY seat_utilisation, account_id) AS q_util
    FROM f
), g AS (
    SELECT 0 AS o, 'overall' AS driver, 'all' AS bucket, churned FROM b
    UNION ALL SELECT 1, 'latent health quintile', q_health::text, churned FROM b
    UNION ALL SELECT 2, 'events/seat quintile', q_events::text, churned FROM b
    UNION ALL SELECT 3, 'seat utilisation quintile', q_util::text, churned FROM b
    UNION ALL SELECT 4, 'zero usage events', no_events::text, churned FROM b
    UNION ALL SELECT 5, 'urgent open ticket', urgent_open::text, churned FROM b
    UNION ALL SELECT 6, 'avg NPS', CASE WHEN avg_nps IS NULL THEN 'no response'
                                        WHEN avg_nps <= 6 THEN 'detractor (<=6)'
                                        WHEN avg_nps < 9 THEN 'passive'
                                        ELSE 'promoter (>=9)' END, churned FROM b
)
SELECT driver, bucket, count(*) AS accounts, count(*) FILTER (WHERE churned) AS churned,
       round(100.0 * count(*) FILTER (WHERE churned) / count(*), 1) AS churn_pct
FROM g GROUP BY o, driver, bucket ORDER BY o, bucket;

\echo '== churn reasons'
SELECT reason, count(*) FROM sample.churn_outcomes GROUP BY reason ORDER BY count(*) DESC, reason;

\echo '== fingerprints (compare across runs)'
SELECT 'accounts' AS "table", md5(string_agg(x::text, '|' ORDER BY account_id)) FROM sample.accounts AS x
UNION ALL SELECT 'truth', md5(string_agg(x::text, '|' ORDER BY account_id)) FROM sample.truth AS x
UNION ALL SELECT 'usage_events', md5(string_agg(x::text, '|' ORDER BY event_id)) FROM sample.usage_events AS x
UNION ALL SELECT 'tickets', md5(string_agg(x::text, '|' ORDER BY ticket_id)) FROM sample.tickets AS x
UNION ALL SELECT 'nps_responses', md5(string_agg(x::text, '|' ORDER BY response_id)) FROM sample.nps_responses AS x
UNION ALL SELECT 'churn_outcomes', md5(string_agg(x::text, '|' ORDER BY account_id)) FROM sample.churn_outcomes AS x;

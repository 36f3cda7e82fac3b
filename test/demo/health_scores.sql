-- make demo: score the sample accounts with healthscore's C functions and print a risk list.
-- Everything is computed as of the sample data's reference date (2026-06-30), so the output is
-- the same on every machine. Churn outcomes lie after that date: they are used only at the end,
-- to show that the score ranks the accounts that later churned into the red tier.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE EXTENSION healthscore;
\pset footer off

-- One row per account and signal: the raw value, its points (0-100) and weight.
-- A signal with no data is NULL and weighted_score() redistributes its weight.
CREATE TEMP TABLE signal_points AS
WITH as_of AS (
	SELECT sample.reference_date()::timestamptz AS at
), usage AS (
	SELECT e.account_id,
	       count(*) FILTER (WHERE e.feature = 'login' AND e.ts >= a.at - interval '30 days') AS logins_30d,
	       healthscore.distinct_count(e.user_id) FILTER (WHERE e.ts >= a.at - interval '30 days') AS active_users_30d,
	       healthscore.distinct_count(e.feature) FILTER (WHERE e.ts >= a.at - interval '30 days') AS features_30d,
	       max(e.ts) AS last_seen
	FROM sample.usage_events AS e, as_of AS a
	GROUP BY e.account_id
), support AS (
	SELECT account_id, count(*) FILTER (WHERE priority = 'urgent' AND is_open) AS urgent_open
	FROM sample.tickets GROUP BY account_id
), sentiment AS (
	SELECT account_id, healthscore.nps(rating) AS nps FROM sample.nps_responses GROUP BY account_id
)
SELECT acc.account_id, s.signal, s.raw_value, s.points, s.weight
FROM sample.accounts AS acc
CROSS JOIN as_of
LEFT JOIN usage AS u USING (account_id)
LEFT JOIN support AS t USING (account_id)
LEFT JOIN sentiment AS n USING (account_id)
CROSS JOIN LATERAL (VALUES
	('logins (30 days)',     coalesce(u.logins_30d, 0)::float8,
	     healthscore.linear(coalesce(u.logins_30d, 0), 0, 15), 20),
	('seat utilization',     coalesce(u.active_users_30d, 0)::float8 / acc.seats,
	     healthscore.linear(coalesce(u.active_users_30d, 0)::float8 / acc.seats, 0, 0.6), 20),
	('features used',        coalesce(u.features_30d, 0)::float8,
	     healthscore.linear(coalesce(u.features_30d, 0), 1, 6), 10),
	('days since last use',  extract(epoch FROM as_of.at - u.last_seen)::float8 / 86400,
	     healthscore.decay(coalesce(u.last_seen, '-infinity'), interval '14 days', as_of.at), 15),
	('urgent open tickets',  coalesce(t.urgent_open, 0)::float8,
	     healthscore.bands(coalesce(t.urgent_open, 0), '{1,3}', '{100,50,0}'), 15),
	('NPS',                  n.nps,
	     healthscore.linear(n.nps, -100, 100), 20)      -- no survey answer: skipped, weight redistributed
) AS s(signal, raw_value, points, weight);

CREATE TEMP TABLE account_scores AS
SELECT p.account_id, healthscore.weighted_score(p.points, p.weight) AS score
FROM signal_points AS p GROUP BY p.account_id;

-- Points lost per signal = its share of the present weight x (100 - points): why the account is red.
CREATE TEMP TABLE weakest_signals AS
SELECT account_id, string_agg(reason, '; ' ORDER BY lost DESC, reason) AS weakest
FROM (
	SELECT p.account_id, p.signal || ' ' ||
	       CASE WHEN p.signal = 'seat utilization' THEN round(100 * p.raw_value::numeric) || '%'
	            ELSE round(p.raw_value::numeric)::text END AS reason,
	       p.weight * (100 - p.points) / sum(p.weight) OVER (PARTITION BY p.account_id) AS lost,
	       row_number() OVER (PARTITION BY p.account_id ORDER BY p.weight * (100 - p.points) DESC, p.signal) AS rank
	FROM signal_points AS p WHERE p.points IS NOT NULL
) AS ranked
WHERE rank <= 3 AND lost > 0
GROUP BY account_id;

\echo
\echo 'Risk list as of 2026-06-30: the 25 worst accounts, lowest score first (larger ARR first on ties)'
SELECT a.name AS account, a.segment, round(s.score::numeric, 1) AS score,
       healthscore.tier(s.score) AS tier, to_char(a.arr, 'FM999,999,990') AS arr, a.csm,
       w.weakest AS "weakest signals (value)"
FROM account_scores AS s
JOIN sample.accounts AS a USING (account_id)
LEFT JOIN weakest_signals AS w USING (account_id)
ORDER BY s.score, a.arr DESC, a.account_id
LIMIT 25;

\echo 'Tiers: accounts, ARR, and the share that churned in the 120 days after (recorded later)'
SELECT healthscore.tier(s.score) AS tier, count(*) AS accounts,
       to_char(sum(a.arr), 'FM999,999,999,990') AS arr,
       round(avg(s.score)::numeric, 1) AS avg_score,
       round(100.0 * count(c.account_id) / count(*), 1) AS "churned %"
FROM account_scores AS s
JOIN sample.accounts AS a USING (account_id)
LEFT JOIN sample.churn_outcomes AS c USING (account_id)
GROUP BY 1 ORDER BY min(s.score);

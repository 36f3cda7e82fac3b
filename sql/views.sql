-- The views over the runs of app_model.sql: current scores, the risk list, components that add up to
-- the score, tier summaries and changes, history, sparklines and score drops of the weekly model.
\ir sql/include/setup.sql
\ir sql/include/app_model.sql

-- the views
SELECT account_key, round(score::numeric, 2) AS score, tier, round(change::numeric, 2) AS change, trend,
       segment, value, owner, renewal_date, days_to_renewal, scored_at, sparkline
FROM healthscore.current_scores WHERE model = 'default' ORDER BY account_key::int;
SELECT model, priority, account_key, round(score::numeric, 1) AS score, tier, round(value_at_risk) AS value_at_risk,
       reasons, action, owner, days_to_renewal
FROM healthscore.risk_list WHERE model = 'default' ORDER BY priority LIMIT 20;
SELECT signal, category, round(raw_value::numeric, 3) AS raw_value, round(points::numeric, 2) AS points, weight,
       round(weight_share::numeric, 4) AS share, round(contribution::numeric, 2) AS contribution,
       round(points_lost::numeric, 2) AS points_lost, action
FROM healthscore.score_components WHERE model = 'default' AND account_key = '1';
-- contributions add up to the score, for every account
SELECT count(*) AS accounts_checked
FROM (SELECT c.account_key, sum(c.contribution) AS total, s.score
      FROM healthscore.score_components AS c JOIN healthscore.current_scores AS s USING (model, account_key)
      GROUP BY c.account_key, s.score HAVING abs(sum(c.contribution) - s.score) < 1e-9) AS ok;
SELECT model, run_id, tier, accounts, total_value, round(average_score::numeric, 2) AS average_score
FROM healthscore.tier_summary ORDER BY run_id, tier;
SELECT model, account_key, from_tier, to_tier, changed_at FROM healthscore.tier_changes ORDER BY account_key::int, changed_at;
SELECT count(*) AS history_rows, count(DISTINCT run_id) AS runs FROM healthscore.score_history;

SELECT account_key, sparkline FROM healthscore.current_scores WHERE model = 'weekly' ORDER BY account_key::int LIMIT 4;
-- alerts: scores at least 10 points (the default) below their high of the last 30 days
SELECT account_key, round(score::numeric, 1) AS score, round(previous_high::numeric, 1) AS previous_high,
       round(drop::numeric, 1) AS drop, high_at, scored_at
FROM healthscore.score_drops WHERE model = 'weekly' ORDER BY drop DESC, account_key::int;
SELECT h.account_key, string_agg(round(h.score)::text, ' ' ORDER BY h.as_of) AS weekly_scores
FROM healthscore.score_history AS h WHERE h.model = 'weekly' AND h.account_key IN ('1', '2', '9')
GROUP BY h.account_key ORDER BY h.account_key::int;
\ir sql/include/app_drop.sql

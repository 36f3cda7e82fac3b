-- Signal groups with group weights: the score is the weighted mean of the group scores, a missing
-- signal's weight is re-spread within its group first, and a group with no present signal drops
-- out. Checked against an independent computation in plain SQL, with missing signals and empty
-- groups; a model without group weights scores as before, bit for bit.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA grp;
CREATE TABLE grp.accounts (account_id integer PRIMARY KEY);
INSERT INTO grp.accounts SELECT generate_series(1, 7);
-- each signal reads its column as points; NULL is missing
CREATE TABLE grp.facts (account_id integer, day date, u1 float8, u2 float8, s1 float8, n1 float8, n2 float8, f1 float8);
INSERT INTO grp.facts VALUES
	(1, '2026-07-01', 80, 20, 50, 90, 30, 70),		-- everything present
	(2, '2026-07-01', 80, NULL, 50, 90, 30, NULL),	-- u2 missing: its weight stays in usage
	(3, '2026-07-01', 60, 60, NULL, 10, 70, NULL),	-- the support group is empty: it drops out
	(4, '2026-07-01', NULL, NULL, NULL, 40, NULL, NULL), -- only sentiment (and f1, missing as 0)
	(5, '2026-07-01', NULL, NULL, NULL, NULL, NULL, NULL),
	(6, '2026-07-01', 100, 0, 0, 100, 100, 100),
	(7, '2026-07-01', 55, 55, 55, 55, 55, 55);
-- the signals: name, category, weight, missing policy
CREATE TABLE grp.signals (name text, category text, weight float8, missing text);
INSERT INTO grp.signals VALUES ('u1', 'usage', 2, 'skip'), ('u2', 'usage', 1, 'skip'), ('s1', 'support', 1, 'skip'),
	('n1', 'voice of customer', 1, 'skip'), ('n2', 'voice of customer', 3, 'skip'), ('f1', 'financial', 1, 'zero');

CREATE FUNCTION grp.define(model text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s grp.signals;
BEGIN
	PERFORM healthscore.create_model(model, accounts => 'grp.accounts', key => 'account_id');
	FOR s IN SELECT * FROM grp.signals ORDER BY name LOOP
		PERFORM healthscore.add_signal(model, s.name, source => 'grp.facts', key => 'account_id',
									   expression => format('max(s.%I)', s.name), scoring => 'points',
									   weight => s.weight, category => s.category, missing => s.missing);
	END LOOP;
END
$$;
SELECT grp.define('grouped'), grp.define('plain');
-- a free category name is a group ('voice of customer' is none of the suggested seven)
SELECT name, category FROM healthscore.signals WHERE model = 'grouped' ORDER BY position;
SELECT healthscore.set_group_weight('grouped', 'usage', 5), healthscore.set_group_weight('grouped', 'support', 2);
-- 'voice of customer' and 'financial' keep the sum of their signals' weights: 4 and 1
SELECT group_weights FROM healthscore.models WHERE name = 'grouped';
SELECT healthscore.fingerprint('grouped') <> healthscore.fingerprint('plain') AS fingerprint_differs;
SELECT healthscore.refresh(m, '2026-07-02') > 0 AS refreshed FROM unnest('{grouped,plain}'::text[]) AS m;

-- The independent computation: group score = weighted mean of the present signals of the group;
-- score = weighted mean of the group scores of the groups with a present signal, by group weight
CREATE VIEW grp.expected AS
WITH points AS (
	SELECT f.account_id::text AS account_key, g.name AS signal, g.category, g.weight,
		   CASE WHEN v.value IS NULL AND g.missing = 'zero' THEN 0 ELSE v.value END AS points
	FROM grp.facts AS f
	CROSS JOIN grp.signals AS g
	CROSS JOIN LATERAL (SELECT (to_jsonb(f) ->> g.name)::float8 AS value) AS v
), group_weights AS (
	SELECT g.category, coalesce(CASE g.category WHEN 'usage' THEN 5 WHEN 'support' THEN 2 END, sum(g.weight)) AS weight
	FROM grp.signals AS g GROUP BY g.category
), groups AS (
	SELECT p.account_key, p.category, sum(p.weight * p.points) / sum(p.weight) FILTER (WHERE p.points IS NOT NULL) AS score
	FROM points AS p GROUP BY p.account_key, p.category
)
SELECT a.account_id::text AS account_key,
	   (SELECT sum(w.weight * g.score) / sum(w.weight) FROM groups AS g JOIN group_weights AS w USING (category)
		WHERE g.account_key = a.account_id::text AND g.score IS NOT NULL) AS score,
	   (SELECT sum(p.weight * p.points) / sum(p.weight) FROM points AS p
		WHERE p.account_key = a.account_id::text AND p.points IS NOT NULL) AS plain_score
FROM grp.accounts AS a;

SELECT e.account_key, round(e.score::numeric, 4) AS expected, round(c.score::numeric, 4) AS grouped,
	   round(e.plain_score::numeric, 4) AS expected_plain, round(p.score::numeric, 4) AS plain,
	   abs(e.score - c.score) < 1e-9 OR (e.score IS NULL AND c.score IS NULL) AS grouped_ok,
	   abs(e.plain_score - p.score) < 1e-9 OR (e.plain_score IS NULL AND p.score IS NULL) AS plain_ok,
	   c.weakest_group
FROM grp.expected AS e
JOIN healthscore.current_scores AS c ON c.model = 'grouped' AND c.account_key = e.account_key
JOIN healthscore.current_scores AS p ON p.model = 'plain' AND p.account_key = e.account_key
ORDER BY e.account_key;

-- Without group weights the score is score_from_points over the signals' own weights, bit for bit
-- (what refresh() computed before groups), and effective_weights() gives the weights unchanged
SELECT count(*) AS accounts,
	   count(*) FILTER (WHERE s.score IS DISTINCT FROM healthscore.score_from_points(s.points, r.weights)) AS differing,
	   bool_and(healthscore.effective_weights(s.points, r.weights, r.categories, r.group_weights) = r.weights) AS same_weights
FROM healthscore.scores AS s JOIN healthscore.runs AS r USING (run_id) WHERE r.model = 'plain';

-- group_scores: one row per account and group; group scores as computed independently; the
-- contributions add up to the score; an empty group has no score and no share
SELECT account_key, category, round(group_score::numeric, 4) AS group_score, group_weight,
	   round(weight_share::numeric, 4) AS weight_share, round(contribution::numeric, 4) AS contribution,
	   signals, present_signals
FROM healthscore.group_scores WHERE model = 'grouped' AND account_key IN ('2', '3') ORDER BY account_key, category;
SELECT g.model, count(DISTINCT g.account_key) AS accounts,
	   count(*) FILTER (WHERE abs(t.total - c.score) > 1e-9) AS not_adding_up
FROM healthscore.group_scores AS g
JOIN (SELECT model, account_key, sum(contribution) AS total FROM healthscore.group_scores GROUP BY 1, 2) AS t USING (model, account_key)
JOIN healthscore.current_scores AS c USING (model, account_key)
GROUP BY g.model ORDER BY g.model;

-- components use the weights after grouping: shares add up to 1, contributions to the score;
-- account 2's u1 carries the whole usage group (5 of 12 with support, voice and financial)
SELECT c.model, count(DISTINCT c.account_key) AS accounts,
	   count(*) FILTER (WHERE abs(t.share - 1) > 1e-12) AS shares_not_one,
	   count(*) FILTER (WHERE abs(t.total - s.score) > 1e-9) AS contributions_not_adding_up
FROM healthscore.score_components AS c
JOIN (SELECT model, account_key, sum(weight_share) AS share, sum(contribution) AS total
	  FROM healthscore.score_components GROUP BY 1, 2) AS t USING (model, account_key)
JOIN healthscore.current_scores AS s USING (model, account_key)
WHERE s.score IS NOT NULL
GROUP BY c.model ORDER BY c.model;
SELECT signal, weight, round(weight_share::numeric, 4) AS weight_share, round(points_lost::numeric, 4) AS points_lost
FROM healthscore.score_components WHERE model = 'grouped' AND account_key = '2' ORDER BY signal;
-- the reasons and the worst signal rank by points lost after grouping
SELECT c.account_key, c.worst_signal,
	   (SELECT sc.signal FROM healthscore.score_components AS sc WHERE sc.model = c.model AND sc.account_key = c.account_key
		AND sc.points_lost > 0 ORDER BY sc.points_lost DESC, sc.signal LIMIT 1) AS costliest, c.reasons
FROM healthscore.current_scores AS c WHERE c.model = 'grouped' ORDER BY c.account_key;

-- The weakest group is the lowest group score, ties by name
SELECT healthscore.weakest_group('{10,90,20}', '{1,1,1}', '{a,b,a}') AS a_lowest,
	   healthscore.weakest_group('{50,NULL,50}', '{1,1,1}', '{b,c,a}') AS tie_by_name,
	   healthscore.weakest_group('{NULL}', '{1}', '{a}') AS none_present;

-- What changed: account 1 loses u2 (usage keeps its weight, on u1 alone) and its n1 falls to 50.
-- The parts add up to the score change, u1 (points unchanged) has none, and the other groups'
-- signals none either: u2 is blamed for what its group lost, n1 for its own fall
UPDATE grp.facts SET u2 = NULL, n1 = 50 WHERE account_id = 1;
SELECT healthscore.refresh(m, '2026-07-03') > 0 AS refreshed FROM unnest('{grouped,plain}'::text[]) AS m;
SELECT model, signal, points, previous_points, round(contribution_change::numeric, 4) AS contribution_change
FROM healthscore.score_changes WHERE account_key = '1' ORDER BY model, signal;
SELECT c.model, count(*) AS accounts,
	   count(*) FILTER (WHERE abs(coalesce(t.total, 0) - coalesce(c.change, 0)) > 1e-9) AS not_adding_up
FROM healthscore.current_scores AS c
JOIN (SELECT model, account_key, sum(contribution_change) AS total FROM healthscore.score_changes GROUP BY 1, 2) AS t
	USING (model, account_key)
GROUP BY c.model ORDER BY c.model;
SELECT model, why_changed FROM healthscore.current_scores WHERE account_key = '1' ORDER BY model;
-- the grouped split by hand: before, usage 5 x (2x80 + 20)/3 = 60, support 2 x 50, voice 4 x
-- (90 + 90)/4 = 45, financial 1 x 70: (300 + 100 + 180 + 70) / 12 = 54.1667. After, usage = 80
-- and voice (50 + 90)/4 = 35. Groups present in both runs: step 3 gives usage 5/12 x 20 = 8.3333
-- (all of it u2's: u1 did not move, u2 left the group: within it, -(1/2)(20 - 60) ... = +20) and
-- voice 4/12 x (35 - 45) = -3.3333, all n1's
SELECT round((5 * 80 + 2 * 50 + 4 * 35 + 70) / 12.0 - (5 * 60 + 2 * 50 + 4 * 45 + 70) / 12.0, 4) AS expected_change,
	   round(5 / 12.0 * 20, 4) AS expected_u2, round(4 / 12.0 * -10, 4) AS expected_n1;

-- a whole group going missing is its signals' doing, by their shares within it
UPDATE grp.facts SET s1 = NULL WHERE account_id = 6;
SELECT healthscore.refresh('grouped', '2026-07-04') > 0 AS refreshed;
SELECT signal, round(contribution_change::numeric, 4) AS contribution_change
FROM healthscore.score_changes WHERE model = 'grouped' AND account_key = '6' ORDER BY signal;
SELECT round(c.change::numeric, 4) AS change, round(sum(x.contribution_change)::numeric, 4) AS parts
FROM healthscore.current_scores AS c JOIN healthscore.score_changes AS x USING (model, account_key)
WHERE c.model = 'grouped' AND c.account_key = '6' GROUP BY c.change;

-- a group weight left without signals (its only signal moved to another category) is reported
SELECT healthscore.alter_signal('grouped', 's1', category => 'service');
SELECT severity, object, problem, hint FROM healthscore.check_model('grouped') WHERE object LIKE 'group%';
-- as the hint says, it can be removed (though no signal has the category), not set
SELECT * FROM error_of($$SELECT healthscore.set_group_weight('grouped', 'support', 3)$$);
BEGIN;
SELECT healthscore.set_group_weight('grouped', 'support', NULL);
SELECT group_weights FROM healthscore.models WHERE name = 'grouped';
ROLLBACK;
SELECT healthscore.alter_signal('grouped', 's1', category => 'support');

-- Setting and removing group weights: the fingerprint follows them; removing every group weight
-- gives the plain model's fingerprint and scores again
SELECT healthscore.set_group_weight('grouped', 'usage', NULL), healthscore.set_group_weight('grouped', 'support', NULL);
SELECT healthscore.fingerprint('grouped') = healthscore.fingerprint('plain') AS same_as_plain;
SELECT healthscore.refresh(m, '2026-07-05') > 0 AS refreshed FROM unnest('{grouped,plain}'::text[]) AS m;
SELECT count(*) AS accounts, count(*) FILTER (WHERE g.score IS DISTINCT FROM p.score) AS differing
FROM healthscore.current_scores AS g
JOIN healthscore.current_scores AS p ON p.model = 'plain' AND p.account_key = g.account_key
WHERE g.model = 'grouped';

-- Bad input
SELECT * FROM error_of($$SELECT healthscore.set_group_weight('grouped', 'nope', 2)$$);
SELECT * FROM error_of($$SELECT healthscore.set_group_weight('grouped', 'usage', 0)$$);
SELECT * FROM error_of($$SELECT healthscore.set_group_weight('grouped', 'usage', 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.set_group_weight('nope', 'usage', 2)$$);
SELECT * FROM error_of($$SELECT healthscore.alter_signal('grouped', 'u1', category => '')$$);
SELECT * FROM error_of($$SELECT healthscore.effective_weights('{1,2}', '{1,1}', '{a,a}', '{1,2}')$$);
SELECT * FROM error_of($$SELECT healthscore.effective_weights('{1,2}', '{1,1}', NULL, '{1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.effective_weights('{1,2}', '{1,1}', '{a}', '{1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.effective_weights('{1,2}', '{1,1}', '{a,NULL}', '{1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.effective_weights('{1,2}', '{1,1}', '{a,b}', '{1,-1}')$$);
SELECT * FROM error_of($$SELECT healthscore.weakest_group('{1,200}', '{1,1}', '{a,b}')$$);
SELECT healthscore.effective_weights('{80,NULL,50}', '{2,1,1}', '{u,u,s}', '{5,5,2}') AS respread,
	   healthscore.effective_weights(NULL, '{1}', '{a}', '{1}') AS no_points,
	   healthscore.effective_weights('{1}', '{3}', NULL, NULL) AS no_groups;

SELECT healthscore.drop_model(m) FROM unnest('{grouped,plain}'::text[]) AS m;
DROP SCHEMA grp CASCADE;

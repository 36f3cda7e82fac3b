-- Account hierarchies: parents rolled up from their children's current scores, whichever model of
-- the group scored each child; value-weighted or minimum; missing parents and cycles skipped and
-- reported, never failing a refresh; row-level security holds for the rollups.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA hier;
-- 10 and 11 are parents; 1, 2 and 3 are children of 10 (1 and 10 in segment a), 4 of 11; 5's
-- parent 99 is no account; 6 and 7 are each other's parent; 8 has none
CREATE TABLE hier.accounts (account_id integer PRIMARY KEY, parent_id integer, segment text, arr numeric, points float8);
INSERT INTO hier.accounts VALUES
	(1, 10, 'a', 1000, 80), (2, 10, 'b', 3000, 40), (3, 10, 'b', NULL, 10), (4, 11, 'b', 500, 55),
	(5, 99, 'b', 100, 70), (6, 7, 'b', 100, 20), (7, 6, 'b', 100, 30), (8, NULL, 'b', 100, 90),
	(10, NULL, 'a', 9000, 65), (11, NULL, 'b', 0, 60);
SELECT healthscore.create_model('hier_a', accounts => 'hier.accounts', key => 'account_id', value => 'arr',
       model_group => 'hier', priority => 10, segment_filter => $$account.segment = 'a'$$);
SELECT healthscore.create_model('hier_b', accounts => 'hier.accounts', key => 'account_id', value => 'arr',
       model_group => 'hier', priority => 0);
SELECT healthscore.add_signal(m, 'points', source => 'hier.accounts', key => 'account_id',
       expression => CASE m WHEN 'hier_a' THEN 'max(s.points)' ELSE 'max(s.points) - 0' END, scoring => 'points')
FROM unnest('{hier_a,hier_b}'::text[]) AS m;
SELECT healthscore.set_parent('hier', 'parent_id');
SELECT count(*) AS runs FROM healthscore.refresh_group('hier', '2026-07-01');

-- each account's parent is in current_scores and risk_list
SELECT model, account_key, parent_key, score FROM healthscore.current_scores WHERE model_group = 'hier'
ORDER BY account_key::integer;
SELECT account_key, parent_key FROM healthscore.risk_list WHERE model LIKE 'hier%' AND parent_key IS NOT NULL
ORDER BY account_key::integer;

-- the rollup, and the same computed independently from the account table: 10's children 1, 2
-- and 3 (scored by two models), weighted by ARR (3 has none: left out of the weights); 11's child
-- 4; 99 is no account and 6 <-> 7 is a cycle: skipped
SELECT hierarchy, parent_key, rollup, round(score::numeric, 4) AS score, tier, tier_rank, children, children_scored,
       total_value, weakest_child, weakest_child_score
FROM healthscore.parent_scores ORDER BY parent_key;
SELECT p.account_id AS parent, round((sum(c.arr * c.points) / sum(c.arr))::numeric, 4) AS expected
FROM hier.accounts AS c JOIN hier.accounts AS p ON p.account_id = c.parent_id
WHERE c.arr > 0 AND c.account_id NOT IN (6, 7)	-- the planted cycle
GROUP BY p.account_id ORDER BY 1;
SELECT abs(ps.score - (SELECT sum(c.arr * c.points) / sum(c.arr) FROM hier.accounts AS c
                       WHERE c.parent_id = ps.parent_key::integer AND c.arr > 0)) < 1e-9 AS matches
FROM healthscore.parent_scores AS ps WHERE ps.parent_key = '10';

-- check_model names the skipped links; the refresh did not fail on them
SELECT severity, problem, hint FROM healthscore.check_model('hier_b') WHERE problem LIKE '%parent link%' ORDER BY problem;

-- the minimum instead
SELECT healthscore.set_parent('hier', 'parent_id', rollup => 'minimum');
SELECT parent_key, rollup, score, weakest_child FROM healthscore.parent_scores ORDER BY parent_key;

-- a reader sees rollups over the children it may see: not account 2
CREATE ROLE hier_reader;
SELECT healthscore.grant_reader('hier_reader');
GRANT USAGE ON SCHEMA hier TO hier_reader;
GRANT SELECT ON hier.accounts TO hier_reader;
ALTER TABLE hier.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_two ON hier.accounts FOR SELECT USING (account_id <> 2);
SELECT healthscore.set_parent('hier', 'parent_id');
SET ROLE hier_reader;
SELECT parent_key, round(score::numeric, 4) AS score, children, total_value FROM healthscore.parent_scores ORDER BY parent_key;
RESET ROLE;
ALTER TABLE hier.accounts DISABLE ROW LEVEL SECURITY;

-- Bad input
SELECT * FROM error_of($$SELECT healthscore.set_parent('hier', 'nope')$$);
SELECT * FROM error_of($$SELECT healthscore.set_parent('hier', 'parent_id', rollup => 'median')$$);
SELECT * FROM error_of($$SELECT healthscore.set_parent('nope', 'parent_id')$$);
SELECT healthscore.alter_model('hier_a', tier_cutoffs => '{30,60}');
SELECT * FROM error_of($$SELECT healthscore.set_parent('hier', 'parent_id')$$);
-- removing the hierarchy
SELECT healthscore.set_parent('hier_b', NULL);
SELECT parent_column FROM healthscore.models WHERE name LIKE 'hier%' ORDER BY name;

DROP OWNED BY hier_reader;
DROP ROLE hier_reader;
SELECT healthscore.drop_model(m) FROM unnest('{hier_a,hier_b}'::text[]) AS m;
DROP SCHEMA hier CASCADE;

-- Account hierarchies: a model (or every model of a group) names the account relation's column
-- holding each account's parent account; a parent's rollup is computed from its children's
-- current scores (view parent_scores). Links to a parent that is not an account, and links on a
-- cycle, are skipped and reported by check_model; they never fail a refresh.

CREATE FUNCTION healthscore.set_parent(name text, parent_column text, rollup text DEFAULT 'value_weighted')
RETURNS text[]
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members text[] := healthscore_internal.run_members(name, 'set_parent');
	member healthscore.models;
BEGIN
	IF rollup IS NULL OR NOT rollup = ANY (ARRAY['value_weighted', 'minimum']) THEN
		RAISE EXCEPTION 'set_parent(): rollup of "%" must be value_weighted or minimum, not %', name, coalesce(rollup, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'value_weighted: the children''s scores weighted by their value (ARR); minimum: the weakest child''s score.';
	END IF;
	PERFORM healthscore_internal.lock_model(m) FROM unnest(members) AS m;
	FOR member IN SELECT * FROM healthscore.models AS m WHERE m.name = ANY (members) ORDER BY m.name LOOP
		IF parent_column IS NOT NULL THEN
			PERFORM healthscore_internal.check_column('set_parent', 'parent', member.accounts::regclass, parent_column);
		END IF;
	END LOOP;
	-- one tier scale for a parent, whichever model scored each child
	IF (SELECT count(DISTINCT (m.tier_cutoffs, m.tier_labels)) FROM healthscore.models AS m WHERE m.name = ANY (members)) > 1 THEN
		RAISE EXCEPTION 'set_parent(): the models of group "%" have different tier cutoffs or labels', name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A parent''s tier needs one scale: give the models the same tier_cutoffs and tier_labels (alter_model).';
	END IF;
	UPDATE healthscore.models AS m SET parent_column = set_parent.parent_column, rollup = set_parent.rollup
	WHERE m.name = ANY (members);
	RETURN members;
END
$$;

COMMENT ON FUNCTION healthscore.set_parent(text, text, text) IS
'names the account relation''s column holding each account''s parent account, for a model or every model of a group (NULL removes it), and how parents roll up: value_weighted (by ARR) or minimum; the next refresh records each account''s parent; returns the models';

-- The parent links of the current runs that the caller may see (row-level security of the scores
-- applies: it runs as the caller), by scope (the model group, or the model on its own), each with
-- its problem: NULL, 'missing parent' (the parent is no account of the scope's current runs) or
-- 'cycle' (following parents leads back to the account, within 32 steps).
CREATE FUNCTION healthscore_internal.hierarchy_links()
RETURNS TABLE (scope text, model text, account_key text, parent_key text, score float8, value numeric,
			   tier_cutoffs float8[], tier_labels text[], rollup text, problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH RECURSIVE linked AS (
		SELECT coalesce(m.model_group, m.name) AS scope, m.name AS model, s.account_key, s.parent_key, s.score,
			   s.value, m.tier_cutoffs, m.tier_labels, m.rollup
		FROM healthscore.models AS m
		CROSS JOIN LATERAL (SELECT r.run_id FROM healthscore.runs AS r WHERE r.model = m.name
							ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1) AS current_run
		JOIN healthscore.scores AS s ON s.run_id = current_run.run_id
		WHERE m.parent_column IS NOT NULL
	), walk AS (
		SELECT l.scope, l.account_key AS start, l.parent_key AS node, 1 AS depth
		FROM linked AS l WHERE l.parent_key IS NOT NULL AND l.parent_key <> l.account_key
		UNION ALL
		SELECT w.scope, w.start, p.parent_key, w.depth + 1
		FROM walk AS w JOIN linked AS p ON p.scope = w.scope AND p.account_key = w.node
		WHERE w.node <> w.start AND w.depth < 32 AND p.parent_key IS NOT NULL
	)
	SELECT l.scope, l.model, l.account_key, l.parent_key, l.score, l.value, l.tier_cutoffs, l.tier_labels, l.rollup,
		   CASE WHEN l.parent_key IS NULL THEN NULL
				WHEN l.parent_key = l.account_key
					 OR EXISTS (SELECT FROM walk AS w WHERE w.scope = l.scope AND w.start = l.account_key
								AND w.node = l.account_key) THEN 'cycle'
				WHEN NOT EXISTS (SELECT FROM linked AS p WHERE p.scope = l.scope AND p.account_key = l.parent_key)
					THEN 'missing parent' END
	FROM linked AS l
$$;

COMMENT ON FUNCTION healthscore_internal.hierarchy_links() IS
'the parent links of every hierarchy''s current runs that the caller may see, with their problem (NULL, missing parent, cycle)';

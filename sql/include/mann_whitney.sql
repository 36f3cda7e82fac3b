-- Included by the auc and validation suites: the AUC by a rank-based reference, Mann-Whitney U with
-- average ranks for ties.
CREATE FUNCTION mann_whitney_auc(score_query text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE result float8;
BEGIN
	EXECUTE format($q$
		WITH ranked AS (SELECT churned, rank() OVER w + (count(*) OVER p - 1) / 2.0 AS mid_rank
		                FROM (%s) AS q(score, churned) WHERE score IS NOT NULL AND churned IS NOT NULL
		                WINDOW w AS (ORDER BY score), p AS (PARTITION BY score))
		SELECT (sum(mid_rank) FILTER (WHERE NOT churned)
		        - count(*) FILTER (WHERE NOT churned) * (count(*) FILTER (WHERE NOT churned) + 1) / 2.0)
		       / (count(*) FILTER (WHERE NOT churned) * count(*) FILTER (WHERE churned))
		FROM ranked$q$, score_query) INTO result;
	RETURN result;
END $$;

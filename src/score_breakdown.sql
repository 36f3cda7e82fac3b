-- A score and its explanation from one account's run kept as arrays in signal order
-- (score_breakdown.c): how refresh() computes and stores scores, and how the components view
-- and analysts take a stored row apart.

CREATE FUNCTION healthscore.score_from_points(points float8[], weights float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_score_from_points'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.score_from_points(float8[], float8[]) IS
'weighted mean of the points whose element is not NULL (a skipped signal''s weight is redistributed), the same as the weighted_score aggregate over the pairs; NULL without a positive present weight';

CREATE FUNCTION healthscore.score_reasons(signals text[], raw_values float8[], points float8[], weights float8[],
										  how_many integer DEFAULT 3)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_score_reasons'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.score_reasons(text[], float8[], float8[], float8[], integer) IS
'the how_many signals that cost the most points, costliest first: "signal raw value (-points lost); ..." (raw value rounded to 2 decimals, no data when missing); NULL when none cost anything';

CREATE FUNCTION healthscore.worst_signal(signals text[], points float8[], weights float8[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_worst_signal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.worst_signal(text[], float8[], float8[]) IS
'the signal that cost the most points ((100 - points) x its share of the present weight; ties by name); NULL when none cost anything';

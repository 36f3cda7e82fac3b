-- Signal groups with group weights (signal_groups.c): the weight each signal has in one
-- account's score once missing signals' weights are re-spread within their group first.

CREATE FUNCTION healthscore.effective_weights(points float8[], weights float8[], categories text[],
											  group_weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_effective_weights'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.effective_weights(float8[], float8[], text[], float8[]) IS
'each signal''s weight in one account''s score with group weights: group weight x signal weight / summed weight of the group''s present signals (a missing signal: of the whole group); the weights unchanged when group_weights is NULL (a model without group weights)';

CREATE FUNCTION healthscore.weakest_group(points float8[], weights float8[], categories text[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_weakest_group'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.weakest_group(float8[], float8[], text[]) IS
'the category whose present signals have the lowest group score (weighted mean of their points); ties by name; NULL when no signal is present';

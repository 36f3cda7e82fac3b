-- Tiers (tier.c): a score -> the segment that tells the team where to spend its time.

CREATE FUNCTION healthscore.tier(score float8,
								 cutoffs float8[] DEFAULT '{40,70}',
								 labels text[] DEFAULT '{red,yellow,green}')
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.tier(float8, float8[], text[]) IS
'tier label of a score: cutoffs strictly ascending, one more label than cutoffs; a score equal to a cutoff goes to the upper tier';

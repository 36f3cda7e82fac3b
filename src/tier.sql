-- Tiers (tier.c): a score -> the segment that tells the team where to spend its time.

CREATE FUNCTION healthscore.tier(score float8,
								 cutoffs float8[] DEFAULT '{40,70}',
								 labels text[] DEFAULT '{red,yellow,green}')
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.tier(float8, float8[], text[]) IS
'tier label of a score: cutoffs strictly ascending, one more label than cutoffs; a score equal to a cutoff goes to the upper tier';

CREATE FUNCTION healthscore_internal.tier_with_hysteresis(score float8, previous_tier text, hysteresis float8,
														  cutoffs float8[], labels text[])
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_tier_with_hysteresis'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.tier_with_hysteresis(float8, text, float8, float8[], text[]) IS
'the tier of a score for an account that was in previous_tier: it leaves that tier only when the score passes a cutoff by more than hysteresis points; without a previous tier, tier(score)';

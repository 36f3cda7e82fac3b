-- Scoring functions (scoring.c): one raw signal value -> points on the 0-100 scale.

CREATE FUNCTION healthscore.linear(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_linear'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.linear(float8, float8, float8) IS
'points 0-100 on a straight line: 0 at or beyond worst, 100 at or beyond best; worst > best means lower is better';

CREATE FUNCTION healthscore.logarithmic(value float8, worst float8, best float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_logarithmic'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.logarithmic(float8, float8, float8) IS
'points 0-100 like linear() but on a ln(1 + x) scale, for heavy-tailed counts; value and bounds must not be negative';

CREATE FUNCTION healthscore.bands(value float8, breaks float8[], points float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_bands'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.bands(float8, float8[], float8[]) IS
'step points: breaks strictly ascending, one more points than breaks; a value equal to a break goes to the upper band';

CREATE FUNCTION healthscore.decay(age_days float8, half_life_days float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.decay(float8, float8) IS
'recency points 100 * 0.5 ^ (age_days / half_life_days); a negative age counts as 0 days';

CREATE FUNCTION healthscore.decay(last_seen timestamptz, half_life interval, as_of timestamptz)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_decay_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.decay(timestamptz, interval, timestamptz) IS
'recency points of last_seen as of as_of: 100 * 0.5 ^ (age / half_life); -infinity scores 0';

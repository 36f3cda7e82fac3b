-- Function churn_probability (calibration.c): a calibration's probability for a score.

CREATE FUNCTION healthscore.churn_probability(score float8, intercept float8, slope float8)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_churn_probability'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.churn_probability(float8, float8, float8) IS
'1 / (1 + exp(-(intercept + slope * score / 100))): the churn probability a calibration (healthscore.calibrations) gives a score';

-- A signal's raw value as the refresh reads it (signal_values.c): checked, with errors naming the
-- model and the signal. Called by the generated scoring query, as the model's author.

CREATE FUNCTION healthscore_internal.signal_value(value float8, model text, signal text, scoring text)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_signal_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.signal_value(float8, text, text, text) IS
'a signal''s raw value, or an error naming the model and signal when it cannot be scored (NaN; negative for logarithmic; outside 0-100 for points)';

CREATE FUNCTION healthscore_internal.age_days(last_seen timestamptz, as_of timestamptz)
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_age_days'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.age_days(timestamptz, timestamptz) IS
'a decay signal''s age in days as of as_of; never seen (-infinity) is Infinity days, +infinity is -Infinity';

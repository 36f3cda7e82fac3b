-- Sparklines (sparkline.c): refresh() stores each account's last 12 scores as digits, one per
-- score's band, which mean the same in every encoding; the views draw them for the client.

CREATE FUNCTION healthscore_internal.spark_code(score float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_spark_code'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.spark_code(float8) IS
'the sparkline code of a score: its band floor(score / 12.5) clamped to 0-7 as a digit, a space for NULL (what refresh() stores)';

CREATE FUNCTION healthscore.sparkline(codes text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_sparkline'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.sparkline(text) IS
'draws stored sparkline codes (digits 0-7, spaces) as the bars U+2581 to U+2588 when the database and the client use UTF-8, else as sparkline_ascii() does';

CREATE FUNCTION healthscore.sparkline_ascii(codes text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_sparkline_ascii'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.sparkline_ascii(text) IS
'draws stored sparkline codes in ASCII, lowest to highest _ . : - = + * #, a space for no score';

CREATE FUNCTION healthscore.spark(score float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_spark'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore.spark(float8) IS
'one score 0-100 drawn as sparkline() draws it (a bar, or ASCII for clients that are not UTF-8); a space for NULL';

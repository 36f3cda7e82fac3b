-- Model text is code (model_text.c): a signal's expression and a segment filter must each be
-- exactly one SQL expression, checked by PostgreSQL's parser before it is stored and again before
-- it is run.

CREATE FUNCTION healthscore_internal.one_expression(written text, func text, model text, signal text, kind text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_one_expression'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.one_expression(text, text, text, text, text) IS
'the text wrapped as "(\n<text>\n)" when it parses as exactly one SQL expression, else an error naming the function, model and signal; kind is expression (a signal''s) or filter (a model''s segment filter)';

-- Row-level security of the account relation, carried to every table with rows about accounts
-- (visibility.c): scores, overrides and assessments have policies (tables.sql) that call
-- account_visible(), which asks the model's account relation, as the reader, once per query.

CREATE FUNCTION healthscore_internal.account_visible(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION healthscore_internal.account_visible(text, text) IS
'whether the current user can see the account in the model''s account relation (privileges and row-level security); the row-level security policy of the score tables';

CREATE FUNCTION healthscore_internal.account_listed(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_listed'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION healthscore_internal.account_listed(text, text) IS
'whether the account is a row of the model''s account relation that the current user can see: account_visible() for rows not keyed by a model (assessments)';

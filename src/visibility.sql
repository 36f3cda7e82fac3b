-- Row-level security of the account relation, carried to every table with rows about accounts
-- (visibility.c): scores, overrides and assessments have policies that call account_visible(),
-- which asks the model's account relation, as the reader, once per query.

-- Reading a relation runs its owner's code (a view's functions, a policy's expressions) as the
-- reader, and the relation was named by a model's author, not chosen by the reader: account
-- relations that are views or have row-level security are read only when their owner is a
-- superuser, the reader, or a role listed here by a superuser (grant_admin does not grant writing
-- this table).
CREATE TABLE healthscore.trusted_owners (
	owner text PRIMARY KEY CHECK (owner OPERATOR(pg_catalog.<>) ''),
	note text,
	trusted_by text NOT NULL DEFAULT CURRENT_USER,
	trusted_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE healthscore.trusted_owners IS 'roles whose account relations (views, tables with row-level security) readers may be made to read: their code runs as the reader; superusers only';
COMMENT ON COLUMN healthscore.trusted_owners.owner IS 'role name of the owner of account relations';
COMMENT ON COLUMN healthscore.trusted_owners.note IS 'why it is trusted';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_by IS 'who added it';
COMMENT ON COLUMN healthscore.trusted_owners.trusted_at IS 'when';

SELECT pg_catalog.pg_extension_config_dump('healthscore.trusted_owners', '');

CREATE FUNCTION healthscore.account_visible(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_visible'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION healthscore.account_visible(text, text) IS
'whether the current user can see the account in the model''s account relation (privileges and row-level security); the row-level security policy of the score tables';

CREATE FUNCTION healthscore.account_listed(model text, account_key text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'healthscore_account_listed'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION healthscore.account_listed(text, text) IS
'whether the account is a row of the model''s account relation that the current user can see: account_visible() for rows not keyed by a model (assessments)';

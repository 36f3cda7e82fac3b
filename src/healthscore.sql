-- healthscore: customer health scoring inside PostgreSQL.
-- This install script is built by concatenating src/<concern>.sql in the order the Makefile lists.
-- Objects live in schema healthscore (created by CREATE EXTENSION, see healthscore.control) and,
-- for what users should not call, healthscore_internal.
--
-- References in this script that run or bind while it runs (view definitions, defaults, checks,
-- DO blocks) name pg_catalog explicitly, operators included; function bodies pin search_path.

\echo Use "CREATE EXTENSION healthscore" to load this file. \quit

-- Refuse a schema someone else prepared. CREATE EXTENSION uses an existing schema healthscore as it
-- is: a role with CREATE on the database could have made it, planted functions and operators in it
-- that this script or its views would bind to, and kept owning it. Accept only a schema owned by a
-- superuser, with nothing in it and CREATE for nobody else: what CREATE EXTENSION makes, and what a
-- reinstall or pg_restore leaves.
DO $$
DECLARE
	schema_oid oid;
	owner_is_superuser boolean;
	holds text;
	creators text;
BEGIN
	SELECT n.oid, r.rolsuper INTO schema_oid, owner_is_superuser
	FROM pg_catalog.pg_namespace AS n JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	WHERE n.nspname OPERATOR(pg_catalog.=) 'healthscore';
	IF NOT owner_is_superuser THEN
		RAISE EXCEPTION 'CREATE EXTENSION healthscore: schema "healthscore" exists and is owned by %, who is not a superuser',
			(SELECT n.nspowner::pg_catalog.regrole FROM pg_catalog.pg_namespace AS n WHERE n.oid OPERATOR(pg_catalog.=) schema_oid)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Its owner could have planted objects that the extension would bind to and run as a superuser.',
				  HINT = 'Drop the schema (after checking what is in it), or have a superuser own it: ALTER SCHEMA healthscore OWNER TO postgres.';
	END IF;
	SELECT pg_catalog.string_agg(o.description, ', ') INTO holds
	FROM (SELECT i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity AS description
		  FROM pg_catalog.pg_depend AS d,
			   LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) AS i
		  WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
			AND d.refobjid OPERATOR(pg_catalog.=) schema_oid AND d.deptype OPERATOR(pg_catalog.=) 'n'
			-- the extension being created depends on its schema itself
			AND d.classid OPERATOR(pg_catalog.<>) 'pg_catalog.pg_extension'::pg_catalog.regclass
		  ORDER BY 1 LIMIT 5) AS o;
	IF holds IS NOT NULL THEN
		RAISE EXCEPTION 'CREATE EXTENSION healthscore: schema "healthscore" exists and is not empty'
			USING ERRCODE = 'object_in_use',
				  DETAIL = pg_catalog.format('It holds %s.', holds),
				  HINT = 'Objects in the schema could capture the extension''s references; move them elsewhere or drop the schema.';
	END IF;
	SELECT pg_catalog.string_agg(DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0::pg_catalog.oid THEN 'PUBLIC'
										  ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END, ', ')
	INTO creators
	FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
	LEFT JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) a.grantee
	WHERE n.oid OPERATOR(pg_catalog.=) schema_oid AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	  AND NOT coalesce(r.rolsuper, false);
	IF creators IS NOT NULL THEN
		RAISE EXCEPTION 'CREATE EXTENSION healthscore: roles that are not superusers may create objects in schema "healthscore": %', creators
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'REVOKE CREATE ON SCHEMA healthscore FROM those roles first.';
	END IF;
	IF pg_catalog.to_regnamespace('healthscore_internal') IS NOT NULL THEN
		RAISE EXCEPTION 'CREATE EXTENSION healthscore: schema "healthscore_internal" exists already'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'The extension creates that schema for its internal functions.',
				  HINT = 'Drop it (after checking what is in it), then create the extension.';
	END IF;
END
$$;

COMMENT ON SCHEMA healthscore IS 'healthscore: customer health scores computed inside PostgreSQL';

-- What users do not call: helpers of the extension's own SQL. No USAGE for PUBLIC; grant_admin()
-- grants what the roles that define and refresh models need.
CREATE SCHEMA healthscore_internal;
COMMENT ON SCHEMA healthscore_internal IS 'healthscore: internal functions, not for direct use';

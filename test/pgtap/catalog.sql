-- Every object of the extension exists with its signature, is documented and is PARALLEL SAFE.
-- The generic checks at the end walk pg_depend, so a function added later without a COMMENT ON
-- or a PARALLEL marking fails here even before anyone adds it to the explicit list.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION healthscore;
SELECT plan(33);

SELECT has_schema('healthscore');
SELECT has_function('healthscore', 'linear', ARRAY['double precision', 'double precision', 'double precision']);
SELECT has_function('healthscore', 'logarithmic', ARRAY['double precision', 'double precision', 'double precision']);
SELECT has_function('healthscore', 'bands', ARRAY['double precision', 'double precision[]', 'double precision[]']);
SELECT has_function('healthscore', 'decay', ARRAY['double precision', 'double precision']);
SELECT has_function('healthscore', 'decay', ARRAY['timestamp with time zone', 'interval', 'timestamp with time zone']);
SELECT has_function('healthscore', 'tier', ARRAY['double precision', 'double precision[]', 'text[]']);
SELECT has_function('healthscore', 'weighted_score', ARRAY['double precision', 'double precision']);
SELECT has_function('healthscore', 'trend', ARRAY['double precision', 'timestamp with time zone']);
SELECT has_function('healthscore', 'relative_trend', ARRAY['double precision', 'timestamp with time zone']);
SELECT has_function('healthscore', 'nps', ARRAY['integer']);
SELECT has_function('healthscore', 'distinct_count', ARRAY['bigint']);
SELECT has_function('healthscore', 'distinct_count', ARRAY['text']);
SELECT has_function('healthscore', 'distinct_count', ARRAY['uuid']);
SELECT has_function('healthscore', 'stickiness', ARRAY['bigint', 'timestamp with time zone']);
SELECT has_function('healthscore', 'net_retention', ARRAY['numeric', 'numeric']);
SELECT has_function('healthscore', 'gross_retention', ARRAY['numeric', 'numeric']);
SELECT has_function('healthscore', 'lifetime_value', ARRAY['numeric', 'double precision', 'double precision']);
SELECT has_function('healthscore', 'distinct_state_count', ARRAY['bytea']);
SELECT function_returns('healthscore', 'distinct_count', ARRAY['uuid'], 'bigint');
SELECT function_returns('healthscore', 'net_retention', ARRAY['numeric', 'numeric'], 'numeric');
SELECT isa_ok(healthscore.tier(50), 'text', 'tier() returns text');
SELECT function_returns('healthscore', 'linear', ARRAY['double precision', 'double precision', 'double precision'], 'double precision');
SELECT is_aggregate('healthscore', 'weighted_score', ARRAY['double precision', 'double precision']);
SELECT volatility_is('healthscore', 'linear', ARRAY['double precision', 'double precision', 'double precision'], 'immutable');
SELECT is_strict('healthscore', 'bands', ARRAY['double precision', 'double precision[]', 'double precision[]']);

-- generic: all functions and aggregates that belong to the extension
CREATE TEMP VIEW extension_functions AS
SELECT p.oid::regprocedure AS signature, p.prokind, p.proparallel, p.provolatile,
       pg_catalog.obj_description(p.oid, 'pg_proc') AS comment
FROM pg_catalog.pg_depend AS d
JOIN pg_catalog.pg_proc AS p ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'healthscore')
  AND d.deptype = 'e';

SELECT cmp_ok((SELECT count(*) FROM extension_functions), '>=', 40::bigint, 'the extension has its functions');
SELECT is_empty($$SELECT signature FROM extension_functions WHERE comment IS NULL$$,
                'every function and aggregate has a COMMENT ON');
SELECT is_empty($$SELECT signature FROM extension_functions WHERE proparallel <> 's'$$,
                'every function and aggregate is PARALLEL SAFE');
SELECT is_empty($$SELECT signature FROM extension_functions WHERE prokind = 'f' AND provolatile <> 'i'
                  AND signature::text NOT LIKE 'healthscore.%refresh%'$$,
                'every scoring and aggregate support function is IMMUTABLE');
SELECT is_empty($$SELECT a.aggfnoid::regprocedure FROM pg_catalog.pg_aggregate AS a
                  JOIN extension_functions AS f ON f.signature = a.aggfnoid::regprocedure
                  WHERE a.aggcombinefn = 0$$,
                'every aggregate has a combine function');
SELECT is_empty($$SELECT a.aggfnoid::regprocedure FROM pg_catalog.pg_aggregate AS a
                  JOIN extension_functions AS f ON f.signature = a.aggfnoid::regprocedure
                  WHERE a.aggtranstype = 'internal'::regtype
                    AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)$$,
                'every aggregate with an internal state has serialize and deserialize functions');
SELECT isnt(pg_catalog.obj_description('healthscore'::regnamespace, 'pg_namespace'), NULL,
            'the schema is documented');

SELECT * FROM finish();
ROLLBACK;

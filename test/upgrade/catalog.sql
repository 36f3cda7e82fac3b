-- Everything the healthscore extension consists of in this database, one line per fact, in a fixed
-- order, so that the description of an updated install can be diffed against a fresh one.
-- Lines read "<object> | <aspect> | <text>"; multi-line texts (function bodies, view definitions)
-- give one line each, numbered. Privileges are compared with defaults expanded and items sorted,
-- so that an ACL written out explicitly equals the same default ACL; columns by name, not position.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
WITH ext AS (
	SELECT e.oid, e.extnamespace FROM pg_catalog.pg_extension AS e WHERE e.extname = 'healthscore'
), members AS (
	SELECT d.classid, d.objid, pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS object
	FROM pg_catalog.pg_depend AS d, ext
	WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), facts(object, aspect, value) AS (
	-- the extension itself: version and the tables pg_dump keeps
	SELECT 'extension healthscore', 'version', e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'healthscore'
	UNION ALL
	SELECT 'extension healthscore', 'config dump', c.rel::pg_catalog.regclass::text || ' ' || coalesce(c.cond, '')
	FROM pg_catalog.pg_extension AS e,
		 ROWS FROM (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) AS c(rel, cond)
	WHERE e.extname = 'healthscore'
	UNION ALL
	SELECT m.object, 'member', '' FROM members AS m
	UNION ALL
	-- schemas: the extension's own and the ones it creates
	SELECT 'schema ' || n.nspname, 'owner and acl',
		   n.nspowner::pg_catalog.regrole::text || ' ' ||
		   (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text)
			FROM pg_catalog.unnest(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS a)
	FROM pg_catalog.pg_namespace AS n
	WHERE n.oid IN (SELECT extnamespace FROM ext)
	   OR n.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass)
	UNION ALL
	SELECT 'schema ' || n.nspname, 'comment', pg_catalog.obj_description(n.oid, 'pg_namespace')
	FROM pg_catalog.pg_namespace AS n
	WHERE n.oid IN (SELECT extnamespace FROM ext)
	   OR n.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass)
	UNION ALL
	-- functions and procedures: the whole definition (arguments, defaults, result, language,
	-- volatility, strictness, parallel safety, security, settings, body)
	SELECT m.object, 'definition', pg_catalog.pg_get_functiondef(p.oid)
	FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.prokind <> 'a'
	UNION ALL
	-- aggregates: their arguments, result and support functions
	SELECT m.object, 'aggregate', pg_catalog.concat_ws(' ',
		   'args=' || pg_catalog.pg_get_function_arguments(p.oid), 'result=' || pg_catalog.pg_get_function_result(p.oid),
		   'kind=' || a.aggkind::text, 'direct=' || a.aggnumdirectargs, 'sfunc=' || a.aggtransfn::pg_catalog.regprocedure::text,
		   'stype=' || a.aggtranstype::pg_catalog.regtype::text, 'sspace=' || a.aggtransspace,
		   'final=' || a.aggfinalfn::pg_catalog.regprocedure::text, 'finalextra=' || a.aggfinalextra,
		   'finalmodify=' || a.aggfinalmodify::text, 'combine=' || a.aggcombinefn::pg_catalog.regprocedure::text,
		   'serial=' || a.aggserialfn::pg_catalog.regprocedure::text,
		   'deserial=' || a.aggdeserialfn::pg_catalog.regprocedure::text,
		   'msfunc=' || a.aggmtransfn::pg_catalog.regprocedure::text, 'sortop=' || a.aggsortop::pg_catalog.regoperator::text,
		   'init=' || coalesce(a.agginitval, '<null>'), 'parallel=' || p.proparallel::text,
		   'strict=' || p.proisstrict, 'volatility=' || p.provolatile::text)
	FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid JOIN pg_catalog.pg_aggregate AS a ON a.aggfnoid = p.oid
	WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'owner and acl',
		   p.proowner::pg_catalog.regrole::text || ' ' ||
		   (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text)
			FROM pg_catalog.unnest(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) AS a)
	FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
	UNION ALL
	-- relations: kind, options, row-level security, owner and privileges
	SELECT m.object, 'relation', pg_catalog.concat_ws(' ', 'kind=' || c.relkind::text, 'persistence=' || c.relpersistence::text,
		   'options=' || coalesce(c.reloptions::text, '{}'), 'rls=' || c.relrowsecurity,
		   'force_rls=' || c.relforcerowsecurity, 'owner=' || c.relowner::pg_catalog.regrole::text)
	FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'acl',
		   (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text)
			FROM pg_catalog.unnest(coalesce(c.relacl,
				 pg_catalog.acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) AS a)
	FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'view definition', pg_catalog.pg_get_viewdef(c.oid)
	FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('v', 'm')
	UNION ALL
	-- columns by name: type, nullability, default, identity, generation, collation, privileges
	SELECT m.object, 'column ' || a.attname, pg_catalog.concat_ws(' ',
		   pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NOT NULL' END,
		   'default=' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), 'identity=' || NULLIF(a.attidentity::text, ''),
		   'generated=' || NULLIF(a.attgenerated::text, ''),
		   'collation=' || CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::pg_catalog.regcollation::text END,
		   'acl=' || a.attacl::text)
	FROM members AS m
	JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
	JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
	LEFT JOIN pg_catalog.pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'column ' || a.attname || ' comment', pg_catalog.col_description(c.oid, a.attnum)
	FROM members AS m
	JOIN pg_catalog.pg_class AS c ON c.oid = m.objid
	JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'constraint ' || k.conname, pg_catalog.pg_get_constraintdef(k.oid)
	FROM members AS m JOIN pg_catalog.pg_constraint AS k ON k.conrelid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'index ' || i.indexrelid::pg_catalog.regclass::text, pg_catalog.pg_get_indexdef(i.indexrelid)
	FROM members AS m JOIN pg_catalog.pg_index AS i ON i.indrelid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'trigger ' || g.tgname, pg_catalog.pg_get_triggerdef(g.oid) || ' enabled=' || g.tgenabled::text
	FROM members AS m JOIN pg_catalog.pg_trigger AS g ON g.tgrelid = m.objid AND NOT g.tgisinternal
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'policy ' || p.polname, pg_catalog.concat_ws(' ', 'cmd=' || p.polcmd::text, 'permissive=' || p.polpermissive,
		   'roles=' || (SELECT pg_catalog.string_agg(CASE r WHEN 0 THEN 'public' ELSE r::pg_catalog.regrole::text END, ',' ORDER BY 1)
						FROM pg_catalog.unnest(p.polroles) AS r),
		   'using=' || pg_catalog.pg_get_expr(p.polqual, p.polrelid),
		   'check=' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
	FROM members AS m JOIN pg_catalog.pg_policy AS p ON p.polrelid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	SELECT m.object, 'sequence', pg_catalog.concat_ws(' ', s.seqtypid::pg_catalog.regtype::text, 'start=' || s.seqstart,
		   'increment=' || s.seqincrement, 'min=' || s.seqmin, 'max=' || s.seqmax, 'cache=' || s.seqcache,
		   'cycle=' || s.seqcycle,
		   'owned by=' || (SELECT d.refobjid::pg_catalog.regclass::text || '.' || a.attname
						   FROM pg_catalog.pg_depend AS d
						   JOIN pg_catalog.pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
						   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.seqrelid
							 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')))
	FROM members AS m JOIN pg_catalog.pg_sequence AS s ON s.seqrelid = m.objid
	WHERE m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	UNION ALL
	-- types: composite attributes, domains, enums
	SELECT m.object, 'type', pg_catalog.concat_ws(' ', 'kind=' || t.typtype::text, 'owner=' || t.typowner::pg_catalog.regrole::text,
		   'attributes=' || (SELECT pg_catalog.string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
							 FROM pg_catalog.pg_attribute AS a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
		   'base=' || NULLIF(t.typbasetype, 0)::pg_catalog.regtype::text,
		   'labels=' || (SELECT pg_catalog.string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum AS e
						 WHERE e.enumtypid = t.oid),
		   'input=' || t.typinput::pg_catalog.regproc::text, 'output=' || t.typoutput::pg_catalog.regproc::text,
		   'receive=' || t.typreceive::pg_catalog.regproc::text, 'send=' || t.typsend::pg_catalog.regproc::text,
		   'length=' || t.typlen, 'align=' || t.typalign::text, 'storage=' || t.typstorage::text)
	FROM members AS m JOIN pg_catalog.pg_type AS t ON t.oid = m.objid
	WHERE m.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
	UNION ALL
	-- comments on every member and on what hangs off members (constraints, triggers, policies)
	SELECT m.object, 'comment', pg_catalog.obj_description(m.objid, c.relname)
	FROM members AS m JOIN pg_catalog.pg_class AS c ON c.oid = m.classid
	UNION ALL
	-- the privileges pg_dump takes as the extension's own (recorded while its scripts ran)
	SELECT pg_catalog.pg_describe_object(i.classoid, i.objoid, i.objsubid), 'initial privileges ' || i.privtype::text,
		   (SELECT pg_catalog.string_agg(a::text, ',' ORDER BY a::text) FROM pg_catalog.unnest(i.initprivs) AS a)
	FROM pg_catalog.pg_init_privs AS i
	WHERE (i.classoid, i.objoid) IN (SELECT classid, objid FROM members)
	   OR (i.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND i.objoid IN (SELECT extnamespace FROM ext))
)
SELECT f.object || ' | ' || f.aspect || ' | ' || coalesce(l.line, '<null>')
FROM facts AS f
LEFT JOIN LATERAL pg_catalog.regexp_split_to_table(f.value, E'\n') WITH ORDINALITY AS l(line, n) ON true
ORDER BY f.object COLLATE "C", f.aspect COLLATE "C", f.value COLLATE "C", l.n;

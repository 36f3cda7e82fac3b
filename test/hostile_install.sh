#!/usr/bin/env bash
# CREATE EXTENSION healthscore against a schema someone else prepared, as TAP: run inside the
# throwaway cluster of test/run_suites.sh (pg_virtualenv sets PGHOST, PGPORT, PGUSER=postgres,
# PGPASSWORD).
#
# CREATE EXTENSION uses an existing schema named by the control file (schema = healthscore) as it
# is. A role with CREATE on the database can make that schema first, plant functions and operators
# in it that the install script would bind to (healthscore.format(text, regprocedure) is a better
# match than pg_catalog.format(text, VARIADIC "any")), and keep owning it. The install script starts
# with a check that refuses such a schema; this runs the attacks, each in a fresh database, and
# checks that they are refused before anything planted runs as the superuser, that the schemas
# pg_restore and a plain CREATE EXTENSION leave are accepted, and that nobody else may create
# objects in the extension's schemas afterwards.
#
# A planted function records every call in public.hs_pwned and takes a number from the sequence
# public.hs_pwned_calls, which a rollback does not give back (CREATE EXTENSION failing rolls back
# the row); it also raises a WARNING, which reaches the client whatever happens to the transaction,
# and, run by a superuser, makes the attacker a superuser.
#
# Usage: test/hostile_install.sh
set -uo pipefail

attacker=hs_attacker
nobody=hs_nobody
prefix=hs_hostile_
dbs="${prefix}owner ${prefix}planted ${prefix}public ${prefix}grantee ${prefix}internal ${prefix}restored ${prefix}plain ${prefix}locked"
work=$(mktemp -d)
. "$(dirname "$0")/tap.sh"

# drop_all: the databases and the roles of this script, also those an earlier run left behind.
# Roles are cluster-wide: DROP OWNED BY wherever they could own something, then DROP ROLE.
drop_all() {
	local db roles
	roles=$(psql -XAtq -d postgres -c "SELECT string_agg(quote_ident(rolname), ', ') FROM pg_roles
	                                    WHERE rolname IN ('$attacker', '$nobody')" 2>/dev/null)
	for db in $dbs; do
		if [ -n "$roles" ] && [ "$(psql -XAtq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null)" = 1 ]; then
			psql -XAtq -d "$db" -c "DROP OWNED BY $roles" >/dev/null 2>&1
		fi
		dropdb --if-exists "$db" >/dev/null 2>&1
	done
	if [ -n "$roles" ]; then
		psql -XAtq -d postgres -c "DROP OWNED BY $roles" >/dev/null 2>&1
		psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $attacker, $nobody" >/dev/null 2>&1
	fi
}
cleanup() {
	drop_all
	rm -rf "$work"
}
trap cleanup EXIT

tap_plan 28
# check CONDITION DESCRIPTION [DIAGNOSTIC FILE...]: ok when the shell condition holds; otherwise
# not ok, with the files as diagnostics.
check() {
	local condition=$1 description=$2
	shift 2
	if eval "$condition"; then
		ok "$description"
	else
		not_ok "$description"
		[ $# -gt 0 ] && cat "$@" 2>/dev/null | diag
	fi
}


# run DB LOG: the SQL on stdin as one psql session of the superuser, output and messages in LOG;
# true when it succeeded.
run() {
	psql -XAtq -v ON_ERROR_STOP=1 -d "$1" >"$2" 2>&1
}

# new_db DB: a fresh database with the recorder of planted calls, the attacker allowed to create
# schemas in it.
new_db() {
	dropdb --if-exists "$1" >/dev/null 2>&1
	createdb "$1" && run "$1" "$work/new_db.log" <<SQL
CREATE SEQUENCE public.hs_pwned_calls;
CREATE TABLE public.hs_pwned (call bigint NOT NULL DEFAULT nextval('public.hs_pwned_calls'),
                              who name NOT NULL, what text NOT NULL);
GRANT SELECT, INSERT ON public.hs_pwned TO PUBLIC;
GRANT USAGE ON SEQUENCE public.hs_pwned_calls TO PUBLIC;
GRANT CREATE ON DATABASE "$1" TO $attacker;
SQL
	local rc=$?
	[ $rc -ne 0 ] && diag <"$work/new_db.log" >&2
	return $rc
}

# record WHAT: the start of a planted function's body: record the call, warn, and escalate when the
# caller is a superuser.
record() {
	cat <<SQL
	INSERT INTO public.hs_pwned (who, what) VALUES (current_user, '$1');
	RAISE WARNING 'hs_pwned: % ran as %', '$1', current_user;
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) current_user) THEN
		EXECUTE 'ALTER ROLE $attacker SUPERUSER';
	END IF;
SQL
}

# plant_format SCHEMA: SQL that plants SCHEMA.format(text, regprocedure), a better match for
# format('...', x::regprocedure) than pg_catalog.format(text, VARIADIC "any").
plant_format() {
	cat <<SQL
CREATE FUNCTION $1.format(text, regprocedure) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS \$f\$
BEGIN
$(record "$1.format(text,regprocedure)")
	RETURN pg_catalog.format(\$1, \$2);
END
\$f\$;
SQL
}

# plant_all SCHEMA: SQL that plants in SCHEMA format(text, regprocedure) and overloads shaped like
# format(text, VARIADIC "any") (exact matches for text, regclass and oid arguments win over "any"),
# unnest(text[]), and operators = (text, text) and = (oid, integer). Every one returns what the
# pg_catalog object would, after recording the call.
plant_all() {
	local s=$1
	plant_format "$s"
	local args
	for args in "text, text" "text, text, text" "text, regclass" "text, oid" "text, VARIADIC text[]"; do
		cat <<SQL
CREATE FUNCTION $s.format($args) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog AS \$f\$
BEGIN
$(record "$s.format($args)")
	RETURN $(case "$args" in
		"text, text, text") echo 'pg_catalog.format($1, $2, $3)' ;;
		*VARIADIC*) echo 'pg_catalog.format($1, VARIADIC $2)' ;;
		*) echo 'pg_catalog.format($1, $2)' ;;
	esac);
END
\$f\$;
SQL
	done
	cat <<SQL
CREATE FUNCTION $s.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql SET search_path = pg_catalog AS \$f\$
BEGIN
$(record "$s.unnest(text[])")
	RETURN QUERY SELECT pg_catalog.unnest(\$1);
END
\$f\$;
CREATE FUNCTION $s.hs_text_eq(text, text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS \$f\$
BEGIN
$(record "$s.=(text,text)")
	RETURN \$1 OPERATOR(pg_catalog.=) \$2;
END
\$f\$;
CREATE OPERATOR $s.= (LEFTARG = text, RIGHTARG = text, FUNCTION = $s.hs_text_eq);
CREATE FUNCTION $s.hs_oid_int_eq(oid, integer) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog AS \$f\$
BEGIN
$(record "$s.=(oid,integer)")
	RETURN \$1 OPERATOR(pg_catalog.=) \$2::oid;
END
\$f\$;
CREATE OPERATOR $s.= (LEFTARG = oid, RIGHTARG = integer, FUNCTION = $s.hs_oid_int_eq);
SQL
}

# create_extension DB: CREATE EXTENSION healthscore as the superuser in DB. Sets ce_rc (psql's exit
# status), ce_state, ce_message, ce_detail, ce_hint (of the first error) and ce_log (all output).
create_extension() {
	ce_log="$work/create_extension.$1.log"
	psql -XAtq -v ON_ERROR_STOP=1 -d "$1" >"$ce_log" 2>&1 <<'SQL'
\set VERBOSITY verbose
CREATE EXTENSION healthscore;
SQL
	ce_rc=$?
	sed -i 's/^psql:<stdin>:[0-9]*: //' "$ce_log"   # the location psql gives to messages of a script
	ce_state=$(sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\): .*/\1/p' "$ce_log" | head -n 1)
	ce_message=$(sed -n 's/^ERROR:  [0-9A-Z]\{5\}: //p' "$ce_log" | head -n 1)
	ce_detail=$(sed -n 's/^DETAIL:  //p' "$ce_log" | head -n 1)
	ce_hint=$(sed -n 's/^HINT:  //p' "$ce_log" | head -n 1)
}

# fails_with STATE DESCRIPTION: check that the last create_extension failed with SQLSTATE STATE.
fails_with() {
	want_state=$1
	check '[ "$ce_rc" -ne 0 ] && [ "$ce_state" = "$want_state" ]' "$2" "$ce_log"
}

# calls DB: the state of the recorder: rows, and the sequence (which rollbacks do not reset).
calls() {
	q "$1" "SELECT (SELECT count(*) FROM public.hs_pwned) || ' rows, sequence at ' ||
	               (SELECT last_value || ' ' || is_called FROM public.hs_pwned_calls)"
}

# nothing_ran DB BEFORE DESCRIPTION: check that no planted function ran as the superuser during the
# last create_extension: the recorder as it was (BEFORE, from calls, with no rows), no warning of a
# plant, and the attacker not a superuser.
nothing_ran() {
	local db=$1 before=$2 description=$3 after super
	after=$(calls "$db")
	super=$(q "$db" "SELECT rolsuper FROM pg_roles WHERE rolname = '$attacker'")
	{
		echo "recorder before CREATE EXTENSION: $before"
		echo "recorder after:                   $after"
		echo "$attacker superuser: $super"
		q "$db" "SELECT call || ' ' || who || ' ' || what FROM public.hs_pwned ORDER BY call"
		grep 'hs_pwned' "$ce_log"
	} >"$work/ran.txt"
	check '[ -n "$after" ] && [ "$after" = "$before" ] && [ "${after%% *}" = 0 ] && [ "$super" = f ] &&
	       ! grep -q "hs_pwned" "$ce_log"' "$description" "$work/ran.txt"
}

# nothing_left DB DESCRIPTION [SCHEMA OWNER]: check that the failed create_extension left no
# extension and no schema healthscore_internal, and (with SCHEMA OWNER) that schema SCHEMA is
# still there, owned by OWNER; without, that there is no schema healthscore either.
nothing_left() {
	local db=$1 description=$2 schema=${3:-} owner=${4:-} got want
	got=$(q "$db" "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'healthscore') || ' extensions; ' ||
	                      coalesce((SELECT string_agg(nspname || ' owned by ' || nspowner::regrole, ', ' ORDER BY nspname)
	                                FROM pg_namespace WHERE nspname IN ('healthscore', 'healthscore_internal')), 'no schemas')")
	if [ -n "$schema" ]; then want="0 extensions; $schema owned by $owner"; else want="0 extensions; no schemas"; fi
	echo "want: $want; got: ${got:-<nothing>}" >"$work/left.txt"
	check '[ "$got" = "$want" ]' "$description" "$work/left.txt"
}

# cannot_create DB SCHEMA: as a role without grants, creating a function and a table in SCHEMA is
# refused with SQLSTATE 42501, permission denied for the schema, and nothing is created.
cannot_create() {
	local db=$1 schema=$2 what log="$work/create.$1.$2.log" denied failed made
	: >"$log"
	for what in "FUNCTION $schema.hs_probe() RETURNS integer LANGUAGE sql AS 'SELECT 1'" "TABLE $schema.hs_probe (i integer)"; do
		psql -XAtq -v ON_ERROR_STOP=1 -d "$db" >>"$log" 2>&1 <<SQL
\set VERBOSITY verbose
SET ROLE $nobody;
CREATE $what;
SQL
		echo "exit status $?" >>"$log"
	done
	sed -i 's/^psql:<stdin>:[0-9]*: //' "$log"
	denied=$(grep -c "^ERROR:  42501: permission denied for schema $schema\$" "$log")
	failed=$(grep -c "^exit status [1-9]" "$log")
	made=$(q "$db" "SELECT (SELECT count(*) FROM pg_proc WHERE proname = 'hs_probe') + (SELECT count(*) FROM pg_class WHERE relname = 'hs_probe')")
	echo "objects created: ${made:-<nothing>}" >>"$log"
	check '[ "$denied" = 2 ] && [ "$failed" = 2 ] && [ "$made" = 0 ]' \
		"case 7: a role without grants cannot create a function or a table in schema $schema (42501, permission denied)" "$log"
}

# Start clean, also after an earlier run that was killed.
drop_all
if ! psql -XAtq -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $attacker; CREATE ROLE $nobody" >"$work/roles.log" 2>&1; then
	echo "# cannot create roles $attacker and $nobody:"
	diag <"$work/roles.log"
	exit 1
fi

# --- 1. A schema healthscore that the attacker made and owns, full of plants.
db=${prefix}owner
if new_db "$db" && run "$db" "$work/plant.log" <<SQL
SET SESSION AUTHORIZATION $attacker;
CREATE SCHEMA healthscore;
$(plant_all healthscore)
SQL
then
	ok "case 1: $attacker creates schema healthscore and plants format(), unnest() and = in it"
else
	not_ok "case 1: $attacker creates schema healthscore and plants format(), unnest() and = in it"
	diag <"$work/plant.log"
fi

# The plants work: they capture unqualified calls (as the attacker, in a transaction rolled back).
captured=$(psql -XAtq -v ON_ERROR_STOP=1 -d "$db" 2>"$work/control.log" <<SQL
SET SESSION AUTHORIZATION $attacker;
BEGIN;
SET LOCAL search_path = healthscore, pg_catalog;
SELECT format('%s', 'lower(text)'::regprocedure), format('%s', 'a'::text), format('%s %s', 'a'::text, 'b'::text),
       format('%s', 'pg_class'::regclass), format('%s', 1::oid), format('%s', VARIADIC '{a}'::text[]),
       (SELECT count(*) FROM unnest('{a,b}'::text[])), 'a'::text = 'a'::text, 1::oid = 1;
SELECT count(DISTINCT what) || ' plants called, ' || count(*) FILTER (WHERE who <> '$attacker') || ' by others'
FROM public.hs_pwned;
ROLLBACK;
SQL
)
echo "$captured" >>"$work/control.log"
check '[ "$(tail -n 1 <<<"$captured")" = "9 plants called, 0 by others" ]' \
	"case 1 control: every plant captures an unqualified call of the attacker, and records it" "$work/control.log"

before=$(calls "$db")
create_extension "$db"
fails_with 42501 "case 1: CREATE EXTENSION in a schema healthscore owned by $attacker fails with SQLSTATE 42501"
check '[[ "$ce_message" == *'"'"'schema "healthscore"'"'"'* ]] && [[ "$ce_message" == *"$attacker"* ]]' \
	"case 1: the error names schema \"healthscore\" and its owner $attacker" "$ce_log"
check '[ -n "$ce_hint" ]' "case 1: the error has a HINT" "$ce_log"
nothing_ran "$db" "$before" "case 1: nothing planted ran as the superuser (hs_pwned empty, no call, no warning, $attacker no superuser)"
nothing_left "$db" "case 1: no extension and no schema healthscore_internal left behind; healthscore still $attacker's" \
	healthscore "$attacker"

# --- 2. A superuser's schema healthscore on which the attacker got CREATE, with a plant in it.
db=${prefix}planted
if new_db "$db" && run "$db" "$work/plant.log" <<SQL
CREATE SCHEMA healthscore;
GRANT USAGE, CREATE ON SCHEMA healthscore TO $attacker;
SET SESSION AUTHORIZATION $attacker;
$(plant_format healthscore)
SQL
then
	ok "case 2: a superuser's schema healthscore, CREATE granted to $attacker, who plants format(text, regprocedure)"
else
	not_ok "case 2: a superuser's schema healthscore, CREATE granted to $attacker, who plants format(text, regprocedure)"
	diag <"$work/plant.log"
fi
before=$(calls "$db")
create_extension "$db"
fails_with 55006 "case 2: CREATE EXTENSION in a schema healthscore that holds an object fails with SQLSTATE 55006"
check '[[ "$ce_detail" == *"function healthscore.format(pg_catalog.text,pg_catalog.regprocedure)"* ]]' \
	"case 2: the DETAIL names the planted function, schema-qualified: healthscore.format(pg_catalog.text,pg_catalog.regprocedure)" "$ce_log"
nothing_ran "$db" "$before" "case 2: nothing planted ran as the superuser"
nothing_left "$db" "case 2: no extension and no schema healthscore_internal left behind" healthscore postgres

# --- 3. A superuser's empty schema healthscore on which PUBLIC (or one role) has CREATE.
db=${prefix}public
if new_db "$db" && q "$db" "CREATE SCHEMA healthscore; GRANT CREATE ON SCHEMA healthscore TO PUBLIC" >/dev/null; then
	create_extension "$db"
	fails_with 42501 "case 3: CREATE EXTENSION in an empty superuser's schema healthscore with CREATE for PUBLIC fails with SQLSTATE 42501"
else
	not_ok "case 3: CREATE EXTENSION in an empty superuser's schema healthscore with CREATE for PUBLIC fails with SQLSTATE 42501"
	echo "setup failed" | diag
fi
check '[[ "$ce_message" == *PUBLIC* ]] && [ -n "$ce_hint" ]' "case 3: the error names PUBLIC and has a HINT" "$ce_log"
nothing_left "$db" "case 3: no extension and no schema healthscore_internal left behind" healthscore postgres

db=${prefix}grantee
if new_db "$db" && q "$db" "CREATE SCHEMA healthscore; GRANT CREATE ON SCHEMA healthscore TO $attacker" >/dev/null; then
	create_extension "$db"
	check '[ "$ce_rc" -ne 0 ] && [ "$ce_state" = 42501 ] && [[ "$ce_message" == *"$attacker"* ]]' \
		"case 3: ... and with CREATE granted to $attacker, fails with SQLSTATE 42501 naming $attacker" "$ce_log"
else
	not_ok "case 3: ... and with CREATE granted to $attacker, fails with SQLSTATE 42501 naming $attacker"
	echo "setup failed" | diag
fi

# --- 4. A schema healthscore_internal that the attacker made, with plants in it.
db=${prefix}internal
if new_db "$db" && run "$db" "$work/plant.log" <<SQL
SET SESSION AUTHORIZATION $attacker;
CREATE SCHEMA healthscore_internal;
$(plant_all healthscore_internal)
SQL
then
	ok "case 4: $attacker creates schema healthscore_internal and plants format(), unnest() and = in it"
else
	not_ok "case 4: $attacker creates schema healthscore_internal and plants format(), unnest() and = in it"
	diag <"$work/plant.log"
fi
before=$(calls "$db")
create_extension "$db"
check '[ "$ce_rc" -ne 0 ] && [ "$ce_state" = 42P06 ] && [[ "$ce_message" == *healthscore_internal* ]]' \
	"case 4: CREATE EXTENSION with a schema healthscore_internal already there fails with SQLSTATE 42P06 naming it" "$ce_log"
nothing_ran "$db" "$before" "case 4: nothing planted ran as the superuser"
nothing_left "$db" "case 4: no extension and no schema healthscore left behind; healthscore_internal still $attacker's" \
	healthscore_internal "$attacker"

# --- 5. A superuser's empty schema healthscore, as pg_restore creates it before CREATE EXTENSION.
db=${prefix}restored
if new_db "$db" && q "$db" "CREATE SCHEMA healthscore" >/dev/null; then
	schema_oid=$(q "$db" "SELECT 'healthscore'::regnamespace::oid")
	create_extension "$db"
	check '[ "$ce_rc" -eq 0 ] && [ ! -s "$ce_log" ]' \
		"case 5: CREATE EXTENSION in a superuser's empty schema healthscore succeeds, without messages" "$ce_log"
else
	schema_oid=
	not_ok "case 5: CREATE EXTENSION in a superuser's empty schema healthscore succeeds, without messages"
	echo "setup failed" | diag
fi
got=$(q "$db" "SELECT healthscore.linear(5, 0, 10)")
check '[ "$got" = 50 ]' "case 5: healthscore.linear(5, 0, 10) = 50" <(echo "got: ${got:-<nothing>}")
got=$(q "$db" "SELECT e.extnamespace = $schema_oid AND 'healthscore.linear(float8, float8, float8)'::regprocedure IN
                      (SELECT d.objid FROM pg_depend AS d WHERE d.refobjid = e.oid AND d.deptype = 'e'
                       AND d.classid = 'pg_proc'::regclass) AND
                      (SELECT pronamespace FROM pg_proc WHERE oid = 'healthscore.linear(float8, float8, float8)'::regprocedure) = $schema_oid
               FROM pg_extension AS e WHERE e.extname = 'healthscore'")
check '[ "$got" = t ]' "case 5: the extension and its objects are in the schema that was there before" \
	<(echo "schema oid before: ${schema_oid:-<nothing>}; check: ${got:-<nothing>}")

# --- 6. A plain CREATE EXTENSION, with no schema healthscore yet.
db=${prefix}plain
if new_db "$db"; then
	create_extension "$db"
	check '[ "$ce_rc" -eq 0 ] && [ ! -s "$ce_log" ]' "case 6: a plain CREATE EXTENSION succeeds, without messages" "$ce_log"
else
	not_ok "case 6: a plain CREATE EXTENSION succeeds, without messages"
	echo "setup failed" | diag
fi
got=$(q "$db" "SELECT string_agg(n.nspname || ' owned by ' || n.nspowner::regrole ||
                                 CASE WHEN r.rolsuper THEN ', a superuser' ELSE ', not a superuser' END, '; ' ORDER BY n.nspname)
               FROM pg_namespace AS n JOIN pg_roles AS r ON r.oid = n.nspowner
               WHERE n.nspname IN ('healthscore', 'healthscore_internal')")
check '[ "$got" = "healthscore owned by postgres, a superuser; healthscore_internal owned by postgres, a superuser" ]' \
	"case 6: schemas healthscore and healthscore_internal are owned by the superuser" <(echo "got: ${got:-<nothing>}")
# What DROP EXTENSION leaves (the schema it did not create as a member) must be accepted again.
left=$(q "$db" "DROP EXTENSION healthscore; SELECT string_agg(nspname, ', ' ORDER BY nspname) FROM pg_namespace
                WHERE nspname IN ('healthscore', 'healthscore_internal')")
create_extension "$db"
got=$(q "$db" "SELECT healthscore.linear(5, 0, 10)")
check '[ "$ce_rc" -eq 0 ] && [ ! -s "$ce_log" ] && [ "$got" = 50 ]' \
	"case 6: after DROP EXTENSION (which leaves: ${left:-nothing}), CREATE EXTENSION succeeds again" "$ce_log"

# --- 7. After an install, a role without grants cannot create objects in the extension's schemas.
db=${prefix}locked
if new_db "$db"; then
	create_extension "$db"
	[ "$ce_rc" -eq 0 ] || { echo "CREATE EXTENSION failed:"; cat "$ce_log"; } | diag
fi
cannot_create "$db" healthscore
cannot_create "$db" healthscore_internal

tap_done

#!/usr/bin/env bash
# Random queries (sqlsmith) against healthscore, as TAP: run inside the throwaway cluster that
# test/run_suites.sh provides (pg_virtualenv sets PGHOST, PGPORT, PGUSER=postgres, PGPASSWORD), like
# test/dump_restore.sh. Try it alone with
#
#   . test/lib.sh && in_throwaway_cluster ./test/sqlsmith.sh
#
# A database with the extension, two models with history, an assessment and an override; then
# sqlsmith (Debian's package, installed when missing) sends a fixed-seed stream of random queries
# as an unprivileged reader. The test fails when a backend crashed (the server log says so), when
# sqlsmith exits abnormally, or when the server no longer answers afterwards. Errors the queries
# raise are expected (sqlsmith writes nonsense on purpose) and only reported, by class.
#
# Steering. sqlsmith 1.4 does not go by the search path: it loads every table the role can see
# from information_schema.tables and every routine in pg_proc (of any schema), and writes every
# name schema-qualified, so a search_path of healthscore first changes nothing, and healthscore's
# 78 routines would be 2% of the 3,400 it draws from. But its loader reads pg_proc, pg_type and
# pg_attribute unqualified, so the fuzzer's search_path starts with a schema that holds
# materialized views of those names (see 3. below): the routines are healthscore's and the core
# ones that make arguments for them, the types are all there (a few pseudo-types under the name of
# a concrete one), and the columns are those the fuzzer may read. The queries it generates name pg_catalog's objects qualified, so nothing else
# changes for them; materialized views are not in information_schema.tables, so it does not query
# them; --exclude-catalog keeps the catalog's relations out, leaving the application's tables and
# healthscore's views and tables as the FROM items. sqlsmith runs each query in a transaction that
# it rolls back, with statement_timeout = 1s.
#
# Errors go to a logging database (--log-to, the three tables of sqlsmith's log.sql, not shipped
# by the Debian package), which keeps the SQLSTATE, message and text of every failed query.
# (--dump-all-queries would print every query on stdout; --dump-all-graphs writes one GraphML
# file of the syntax tree per query into the current directory; --verbose prints a character per
# query and a summary of errors by message. None of them is needed here.) The server logs every
# statement of the fuzzer (log_statement = all for its role in this database), about 4 MB per
# 1,000 queries in the throwaway cluster's log, so the query that crashed a backend is found by the
# crashed process id, also when it is longer than the 1024 bytes of "Failed process was running"
# and when sqlsmith's logging connection died with the crash.
#
# Environment:
#   HS_SQLSMITH_QUERIES   number of queries (default 3000: about a minute on 2 cores, 2 minutes
#                         with HS_SQLSMITH_PARALLEL=1)
#   HS_SQLSMITH_SEED      the random seed (default 1); the same seed and data give the same queries
#   HS_SQLSMITH_PARALLEL  1: the fuzzer's role forces parallel plans (force_parallel_mode, which
#                         PostgreSQL 16 calls debug_parallel_query, and no parallel costs), so
#                         workers run the functions and the aggregates' combine, serialize and
#                         deserialize functions
#   HS_SQLSMITH_TIMEOUT   seconds before sqlsmith counts as hung (default: 600, or 1 per query)
#
# A long run (about an hour and 400 MB of server log):
#
#   HS_SQLSMITH_QUERIES=100000 HS_SQLSMITH_PARALLEL=1 in_throwaway_cluster ./test/sqlsmith.sh
#
# Usage: test/sqlsmith.sh
set -uo pipefail

queries=${HS_SQLSMITH_QUERIES:-3000}
seed=${HS_SQLSMITH_SEED:-1}
parallel=${HS_SQLSMITH_PARALLEL:-0}
limit=${HS_SQLSMITH_TIMEOUT:-$((queries > 600 ? queries : 600))}
db=hs_sqlsmith
logdb=hs_sqlsmith_log
fuzzer=hs_sqlsmith_fuzzer
steer=hs_sqlsmith_steer	# the schema of the pg_proc, pg_type and pg_attribute that sqlsmith's loader reads
work=$(mktemp -d)
. "$(dirname "$0")/tap.sh"
export PGTZ=UTC

cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1
	dropdb --if-exists "$logdb" >/dev/null 2>&1
	psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $fuzzer" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

tap_plan 6

# 1. sqlsmith, from Debian's package (test/bootstrap.sh installs it).
if command -v sqlsmith >/dev/null 2>&1; then
	ok "sqlsmith installed ($(dpkg-query -W -f='${Version}' sqlsmith 2>/dev/null))"
else
	not_ok "sqlsmith installed (test/bootstrap.sh installs Debian's package)"
	echo "# planned $planned checks, ran $n: nothing to fuzz with"
	exit 1
fi

# The server log: pg_lsclusters knows it (in pg_virtualenv, whose PG_CLUSTER_CONF_ROOT makes it
# list the throwaway cluster only, it is <tmpdir>/log/postgresql-15-regress.log; Debian's own
# clusters log to /var/log/postgresql/postgresql-15-<cluster>.log). Without the logging collector,
# pg_current_logfile() is NULL; with it, it names the file, relative to the data directory.
server_log=$(pg_lsclusters -h 2>/dev/null | awk -v port="$PGPORT" '$3 == port { print $7; exit }')
if [ -z "$server_log" ] || [ "$server_log" = "-" ]; then
	server_log=$(q postgres "SELECT CASE WHEN l LIKE '/%' THEN l ELSE current_setting('data_directory') || '/' || l END
	                         FROM pg_current_logfile() AS l WHERE l IS NOT NULL")
fi
# log_size and log_from OFFSET: the log's size, and its text from a byte offset: read directly when
# we may (root, or the postgres user), through the server (pg_read_file, as superuser) otherwise.
log_size() {
	if [ -r "$server_log" ]; then
		stat -c %s "$server_log"
	else
		q postgres "SELECT size FROM pg_stat_file('$server_log')"
	fi
}
log_from() {
	if [ -r "$server_log" ]; then
		tail -c +$(($1 + 1)) "$server_log"
	else
		q postgres "SELECT pg_read_file('$server_log', $1, size - $1) FROM pg_stat_file('$server_log')"
	fi
}

# Start clean, also after an earlier run that was killed.
dropdb --if-exists "$db" >/dev/null 2>&1
dropdb --if-exists "$logdb" >/dev/null 2>&1
psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $fuzzer" >/dev/null 2>&1

# 2. The database: accounts, events, two models with weekly history, an assessment, an override,
# outcomes. csm is the fuzzer for three accounts in four, so row-level security lets it see most
# scores. The password exists only for this run; it goes to sqlsmith in a password file, not on
# its command line.
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
if createdb "$db" >"$work/setup.log" 2>&1 &&
	psql -Xq -v ON_ERROR_STOP=1 -v fuzzer="$fuzzer" -v password="$password" -d "$db" >>"$work/setup.log" 2>&1 <<'SQL'
SET TimeZone = 'UTC';
CREATE EXTENSION healthscore;
CREATE ROLE :"fuzzer" LOGIN PASSWORD :'password';

CREATE SCHEMA app;
CREATE TABLE app.accounts (account_id integer PRIMARY KEY, arr numeric, segment text, csm text);
INSERT INTO app.accounts
SELECT i, 1000 * i + 0.5, (ARRAY['smb', 'mid-market', 'enterprise'])[1 + i % 3],
       CASE WHEN i % 4 = 0 THEN 'someone_else' ELSE :'fuzzer' END
FROM generate_series(1, 40) AS i;
-- account a has 6 * a events over 120 days, by up to 6 users; accounts 37 to 40 have none
CREATE TABLE app.events (account_id integer, user_id bigint, ts timestamptz);
INSERT INTO app.events
SELECT a, a * 100 + e % (1 + a % 6),
       timestamptz '2026-07-01 00:00+00' - ((e * 7 + a) % (30 + 2 * a)) * interval '1 day' - e * interval '37 minutes'
FROM generate_series(1, 36) AS a, generate_series(1, 6 * a) AS e;
-- churned accounts, for model_accuracy, evaluate() and suggest_weights()
CREATE VIEW app.churned AS
SELECT account_id, date '2026-06-20' - account_id AS churned_on, 'low usage' AS reason
FROM app.accounts WHERE account_id % 9 = 0;
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON app.accounts FOR SELECT USING (csm = current_user);

-- usage: every scoring method over the events
SELECT healthscore.create_model('usage', accounts => 'app.accounts', key => 'account_id', value => 'arr',
       segment => 'segment', owner => 'csm', description => 'sqlsmith: usage');
SELECT healthscore.add_signal('usage', 'events_30d', source => 'app.events', key => 'account_id',
       expression => 'count(*)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 40, weight => 3, category => 'usage', missing => 'zero');
SELECT healthscore.add_signal('usage', 'active_users', source => 'app.events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)', time_column => 'ts', lookback => '30 days',
       scoring => 'bands', breaks => '{1,3,5}', points => '{0,40,70,100}', weight => 2,
       category => 'adoption', action => 'Run an adoption workshop');
SELECT healthscore.add_signal('usage', 'recency', source => 'app.events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days',
       weight => 2, category => 'usage', missing => 'zero', action => 'Call the champion');
SELECT healthscore.add_signal('usage', 'volume_90d', source => 'app.events', key => 'account_id',
       expression => 'count(*)', time_column => 'ts', lookback => '90 days', scoring => 'percentile',
       weight => 1, category => 'usage');
SELECT healthscore.add_signal('usage', 'nps', source => 'app.events', key => 'account_id',
       expression => '(healthscore.nps((s.user_id % 11)::integer) + 100) / 2', scoring => 'points',
       weight => 2, category => 'sentiment');
SELECT healthscore.set_outcomes('usage', 'app.churned', key => 'account_id', churned_on => 'churned_on',
       reason => 'reason');

-- value: four tiers, another time zone, a logarithmic signal, stickiness, an assessment
SELECT healthscore.create_model('value', accounts => 'app.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', tier_cutoffs => '{35,65,85}', tier_labels => '{red,orange,yellow,green}',
       time_zone => 'America/New_York', description => 'sqlsmith: value');
SELECT healthscore.add_signal('value', 'events_log', source => 'app.events', key => 'account_id',
       expression => 'count(*)', time_column => 'ts', lookback => '90 days', scoring => 'logarithmic',
       worst => 0, best => 200, weight => 2, missing => 'zero');
SELECT healthscore.add_signal('value', 'stickiness', source => 'app.events', key => 'account_id',
       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 0.5, weight => 1, category => 'usage');
SELECT healthscore.add_signal('value', 'exec_relationship', scoring => 'assessment',
       factor => 'executive relationship', weight => 2, category => 'relationship');

SELECT count(*) FROM healthscore.backfill('usage', '2026-05-06 00:00+00', '2026-06-24 00:00+00', '1 week');
SELECT count(*) FROM healthscore.backfill('value', '2026-05-20 00:00+00', '2026-06-24 00:00+00', '1 week');
SELECT healthscore.assess('3', 'executive relationship', rating => 2, note => 'sponsor on leave',
       assessed_at => '2026-06-01 00:00+00');
SELECT healthscore.set_override('usage', '5', 'red', 'champion left', expires_at => '2026-12-31 00:00+00',
       set_at => '2026-06-25 00:00+00');
SELECT healthscore.refresh('usage', '2026-07-01 00:00+00');
SELECT healthscore.refresh('value', '2026-07-01 00:00+00');

-- The fuzzer reads like an analyst: the views (grant_reader) and the application's tables.
SELECT healthscore.grant_reader(:'fuzzer');
GRANT USAGE ON SCHEMA app TO :"fuzzer";
GRANT SELECT ON ALL TABLES IN SCHEMA app TO :"fuzzer";
SQL
then
	ok "$db: healthscore, 40 accounts, 2 models with $(q "$db" "SELECT count(*) FROM healthscore.runs") runs, an assessment and an override"
else
	not_ok "$db: healthscore, 40 accounts, 2 models with history, an assessment and an override"
	diag <"$work/setup.log"
fi

# 3. The fuzzer's routines (see Steering above): healthscore's that it may execute, and core
# routines that are not volatile, return no set, and take and give only types healthscore's
# routines use, of which only casts and the producers of arrays, byte strings, uuids, times and
# intervals (sqlsmith writes literals only for integers and booleans, and casts NULL for the
# rest), and the aggregates. Its session: the steering schema first, log every statement, and no
# duplicate STATEMENT line after each error. JIT stays as configured: healthscore installs its
# bitcode, so JIT inlines its functions into expensive queries, another way to run them.
settings=(
	"search_path = $steer, healthscore, pg_catalog"
	"log_statement = 'all'"
	"log_min_error_statement = panic"
)
force=""
if [ "$parallel" = 1 ]; then
	# PostgreSQL 16 renamed force_parallel_mode to debug_parallel_query.
	force=$(q postgres "SELECT name FROM pg_settings WHERE name IN ('debug_parallel_query', 'force_parallel_mode')")
	settings+=("$force = on" "parallel_setup_cost = 0" "parallel_tuple_cost = 0"
		"min_parallel_table_scan_size = 0" "min_parallel_index_scan_size = 0")
fi
alter_role=""
for s in "${settings[@]}"; do
	alter_role+="ALTER ROLE $fuzzer IN DATABASE $db SET $s;"$'\n'
done
if psql -Xq -v ON_ERROR_STOP=1 -v fuzzer="$fuzzer" -v steer="$steer" -d "$db" >"$work/steer.log" 2>&1 <<SQL
CREATE SCHEMA :"steer";
GRANT USAGE ON SCHEMA :"steer" TO :"fuzzer";
CREATE MATERIALIZED VIEW :"steer".pg_proc AS
WITH simple(t) AS (
       SELECT unnest('{bool,int4,int8,float8,numeric,text,timestamptz,interval,bytea,uuid,
                       float8[],text[],int8[],numeric[]}'::regtype[])::oid),
     wanted(t) AS (
       SELECT unnest('{bytea,uuid,timestamptz,interval,float8[],text[],int8[],numeric[]}'::regtype[])::oid)
SELECT p.oid, p.proname, p.pronamespace, p.prorettype, p.proretset, p.prokind, p.proargtypes
FROM pg_catalog.pg_proc AS p
WHERE has_function_privilege(:'fuzzer', p.oid, 'EXECUTE')
  AND has_schema_privilege(:'fuzzer', p.pronamespace, 'USAGE')
  AND (p.pronamespace = 'healthscore'::regnamespace
       OR (p.pronamespace = 'pg_catalog'::regnamespace AND p.provolatile <> 'v' AND NOT p.proretset
           AND p.prorettype IN (SELECT t FROM simple)
           AND p.proargtypes::oid[] <@ ARRAY(SELECT t FROM simple)
           -- internal errors (XX000) of core's own: aggregate support functions check their
           -- states so, and length coercions (interval(interval, int4), ...) their typmods
           AND p.oid NOT IN (SELECT unnest(ARRAY[aggtransfn, aggfinalfn, aggcombinefn, aggmtransfn,
                                                 aggminvtransfn, aggmfinalfn])::oid FROM pg_aggregate)
           AND p.oid NOT IN (SELECT castfunc FROM pg_cast WHERE castsource = casttarget)
           AND (p.prokind = 'a'
                OR p.prorettype IN (SELECT t FROM wanted)
                OR p.oid IN (SELECT castfunc FROM pg_cast WHERE castsource <> casttarget))));
-- sqlsmith writes a NULL of a type as cast(null as <type>), also for a pseudo-type it found as an
-- operator's argument: cast(null as anymultirange) is an error, and more than half of the queries
-- failed so, before running anything. Named as a concrete type of the same family, which the same
-- operators accept, the NULL passes; the loader still sees a pseudo-type (typtype) and matches it
-- as one. Core has no enum type, so anyenum gets one of ours (found through the search path).
CREATE TYPE :"steer".some_enum AS ENUM ('low', 'high');
CREATE MATERIALIZED VIEW :"steer".pg_type AS
SELECT oid, CASE typname WHEN 'anyrange' THEN 'int4range' WHEN 'anycompatiblerange' THEN 'int4range'
                         WHEN 'anymultirange' THEN 'int4multirange'
                         WHEN 'anycompatiblemultirange' THEN 'int4multirange'
                         WHEN 'anyenum' THEN 'some_enum'
                         ELSE typname END::name AS typname,
       typnamespace, typdelim, typrelid, typelem, typarray, typtype
FROM pg_catalog.pg_type;
-- The columns it may read: grant_reader gives some of runs' columns only, and a query naming
-- another one fails before it runs (one query in ten did).
CREATE MATERIALIZED VIEW :"steer".pg_attribute AS
SELECT attrelid, attnum, attname, atttypid, attisdropped FROM pg_catalog.pg_attribute
WHERE attnum > 0 AND NOT attisdropped AND has_column_privilege(:'fuzzer', attrelid, attnum, 'SELECT');
GRANT SELECT ON :"steer".pg_proc, :"steer".pg_type, :"steer".pg_attribute TO :"fuzzer";
$alter_role
SQL
then
	ok "$fuzzer: reader, $(q "$db" "SELECT count(*) FILTER (WHERE pronamespace = 'healthscore'::regnamespace) || ' of healthscore''s and ' ||
	                              count(*) FILTER (WHERE pronamespace <> 'healthscore'::regnamespace) || ' core routines'
	                       FROM $steer.pg_proc")${force:+, $force}"
else
	not_ok "$fuzzer: reader with a steering pg_proc"
	diag <"$work/steer.log"
fi

# The logging database: the tables of sqlsmith's log.sql that --log-to writes.
createdb "$logdb" >/dev/null 2>&1
psql -Xq -v ON_ERROR_STOP=1 -d "$logdb" >"$work/logdb.log" 2>&1 <<'SQL'
CREATE TABLE instance (id bigserial PRIMARY KEY, rev text, target text, hostname text, version text, seed text,
                       t timestamptz DEFAULT now());
CREATE TABLE error (id bigint REFERENCES instance, msg text, query text, target text, sqlstate text,
                    t timestamptz DEFAULT now(), errid bigserial PRIMARY KEY);
CREATE TABLE stat (id bigint REFERENCES instance, generated bigint, level float8, nodes float8, retries float8,
                   updated timestamptz, impedance jsonb);
SQL
[ -s "$work/logdb.log" ] && diag <"$work/logdb.log"

# 4. The run. libpq takes host and port from the environment and the passwords from the file
# (PGPASSWORD, the superuser's, would win over the file, so it is left out).
printf '*:*:%s:%s:%s\n' "$db" "$fuzzer" "$password" "$logdb" "$PGUSER" "$PGPASSWORD" >"$work/pgpass"
chmod 600 "$work/pgpass"
log_start=$(log_size)
started=${EPOCHREALTIME/,/.}	# (a comma in some locales)
env -u PGPASSWORD PGPASSFILE="$work/pgpass" timeout -k 10 "$limit" \
	sqlsmith --target="dbname=$db user=$fuzzer" --log-to="dbname=$logdb user=$PGUSER" \
	--seed="$seed" --max-queries="$queries" --exclude-catalog >"$work/sqlsmith.out" 2>"$work/sqlsmith.err"
rc=$?
elapsed=$(awk -v a="$started" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.1f", b - a }')
errors=$(q "$logdb" "SELECT count(*) FROM error")
if [ $rc -eq 0 ]; then
	ok "sqlsmith sent $queries queries (seed $seed) and exited normally"
else
	not_ok "sqlsmith sent $queries queries (seed $seed) and exited normally"
	case $rc in
	124 | 137) echo "still running after $limit seconds (HS_SQLSMITH_TIMEOUT)" | diag ;;
	*) echo "exit status $rc" | diag ;;
	esac
	# its loader's progress goes to stderr too: only the lines that are not progress
	grep -v '^\(Loading\|Generating\) .*done\.$' "$work/sqlsmith.err" | tail -20 | diag
fi
printf 'queries: %s in %s s (%s), %s of them failed with an error\n' "$queries" "$elapsed" \
	"$([ "$parallel" = 1 ] && echo "parallel plans forced" || echo "default plans")" "${errors:-?}" | diag
# After a crash restart its logging connection may fail for a while: those errors are not counted.
lost=$(grep -c '^log failed' "$work/sqlsmith.err")
[ "$lost" -gt 0 ] && echo "$lost errors not recorded (log failed: the logging connection was down)" | diag
# The top 10 error classes: SQLSTATE and the first line of the message, with quoted names and
# numbers blanked out so that one kind of error is one class.
echo "top error classes (count, SQLSTATE, message):" | diag
q "$logdb" "SELECT format('%6s  %s  %s', count(*), sqlstate, class) FROM (
              SELECT sqlstate, left(regexp_replace(regexp_replace(split_part(msg, E'\n', 1),
                                    '\"[^\"]*\"', '\"…\"', 'g'), '[0-9]+', 'N', 'g'), 110) AS class
              FROM error) AS e
            GROUP BY sqlstate, class ORDER BY count(*) DESC, sqlstate, class LIMIT 10" | diag
# healthscore's own errors: raised by its C functions (their messages start "function(): ") or
# inside its SQL and PL/pgSQL functions (CONTEXT names the innermost one). A message without
# the function's name is flagged: a user reading it cannot tell which call was wrong.
echo "healthscore's errors (count, SQLSTATE, message):" | diag
q "$logdb" "SELECT format('%6s  %s  %s%s', count(*), sqlstate, class,
                          CASE WHEN NOT named THEN '  [no function name; raised in ' || fn || ']' ELSE '' END)
            FROM (SELECT sqlstate, left(regexp_replace(regexp_replace(split_part(msg, E'\n', 1),
                                          '\"[^\"]*\"', '\"…\"', 'g'), '[0-9]+', 'N', 'g'), 110) AS class,
                         split_part(msg, E'\n', 1) ~ '^ERROR:  [a-z_]+\(\): ' AS named,
                         coalesce(substring(msg FROM 'function (healthscore[a-z_]*\.[a-z_]+)\('), '?') AS fn
                  FROM error
                  WHERE split_part(msg, E'\n', 1) ~ '^ERROR:  [a-z_]+\(\): '
                     OR msg ~ 'function healthscore(_internal)?\.') AS e
            GROUP BY sqlstate, class, named, fn ORDER BY count(*) DESC, sqlstate, class LIMIT 10" | diag
# Internal errors (XX000: elog, "can't happen") are bugs or missing checks, here or in core: the
# shortest query of each message, to reproduce it by hand.
internal=$(q "$logdb" "SELECT count(*) FROM error WHERE sqlstate LIKE 'XX%'")
if [ "${internal:-0}" -gt 0 ]; then
	echo "$internal internal errors (SQLSTATE XX...); the shortest query of each message:" | diag
	q "$logdb" "SELECT format(E'%s (%s times)\n%s;\n', m, n, query) FROM (
	              SELECT DISTINCT ON (m) m, count(*) OVER (PARTITION BY m) AS n, query
	              FROM (SELECT split_part(msg, E'\n', 1) AS m, query, errid FROM error WHERE sqlstate LIKE 'XX%') AS x
	              ORDER BY m, length(query), errid) AS e
	            ORDER BY n DESC LIMIT 5" | diag
fi

# 5. No backend crashed: the postmaster logs a crashed backend ("server process (PID n) was
# terminated by signal 11: Segmentation fault", with "Failed process was running: <the first 1024
# bytes>", then "terminating any other active server processes" and a restart); an assertion
# failure prints "TRAP:", and a PANIC is one. sqlsmith itself goes on after a crash (it
# reconnects), and records the query whose connection broke with SQLSTATE 08000 when its logging
# connection has come back by then; the server log has it in any case, as the last statement of
# the crashed process.
crash_re='server process \(PID [0-9]+\) (was terminated by|exited with exit code)|terminated by signal|PANIC:|TRAP:'
# (grep -c, not grep -q: an early exit would break the pipe, which pipefail reports as no match)
crashes=$(log_from "${log_start:-0}" | grep -Ec "$crash_re")
if [ -z "$server_log" ] || [ -z "$log_start" ]; then
	not_ok "no backend crashed (no server log found to look at)"
elif [ "$crashes" -eq 0 ]; then
	ok "no backend crashed (server log $server_log, $(log_from "$log_start" | wc -l) lines of this run)"
else
	not_ok "no backend crashed (server log $server_log)"
	log_from "$log_start" | grep -E "$crash_re" | cut -c1-300 | head -20 | diag
	# A record of the log starts with the log_line_prefix '%m [%p] ' (Debian's default) and runs
	# until the next one; mawk has no {n} in regular expressions.
	for pid in $(log_from "$log_start" | grep -Eo 'server process \(PID [0-9]+\)' | grep -Eo '[0-9]+' | sort -u | head -3); do
		echo "the last statement of process $pid:" | diag
		awk -v pid="$pid" '
			/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:.]+ [A-Za-z0-9+-]+ \[[0-9]+\] / {
				inside = 0
				if (index($0, "[" pid "] ") && index($0, " LOG:  statement: ")) { last = ""; inside = 1 }
			}
			inside { last = last $0 "\n" }
			END { printf "%s", last }' <(log_from "$log_start") | sed 's/^.* LOG:  statement: //' | diag
	done
	echo "queries whose connection broke, as sqlsmith recorded them: $(q "$logdb" "SELECT count(*) FROM error WHERE sqlstate LIKE '08%'")" | diag
	# The kernel writes a core into the data directory when core_pattern is a plain name and
	# ulimit -c allows it (pg_virtualenv then prints its backtrace when this test fails).
	datadir=$(q postgres "SHOW data_directory")
	find "$datadir" -maxdepth 1 -name 'core*' -newer "$work/pgpass" 2>/dev/null | sed 's/^/core file: /' | diag
fi

# 6. The server still answers, as the superuser and as the fuzzer.
if [ "$(q postgres "SELECT 1")" = 1 ] &&
	[ "$(env -u PGPASSWORD PGPASSFILE="$work/pgpass" psql -XAtq -d "$db" -U "$fuzzer" -c "SELECT 1" 2>&1)" = 1 ]; then
	ok "the server accepts connections after the run"
else
	not_ok "the server accepts connections after the run"
	q postgres "SELECT 1" 2>&1 | diag
fi

tap_done

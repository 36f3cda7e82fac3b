#!/usr/bin/env bash
# Dump and restore of a database using healthscore, as TAP: run by test/run_suites.sh inside the
# throwaway cluster (pg_virtualenv sets PGHOST, PGPORT, PGUSER=postgres, PGPASSWORD).
#
# healthscore registers models, signals, runs, runs_run_id_seq and scores (among others) with
# pg_extension_config_dump, so pg_dump writes their rows (and the sequence position) after
# CREATE EXTENSION. This checks that a restore brings back every row and the sequence exactly,
# with the extension's row-level security, privileges and views intact, and that the next refresh
# in the restored database gets the run id the source database would have given it.
#
# Usage: test/dump_restore.sh [PG_CONFIG]   (PG_CONFIG picks pg_dump and pg_restore of that version)
set -uo pipefail

if [ -n "${1:-}" ]; then
	PATH="$("$1" --bindir):$PATH"
fi

src=hs_dump_src
dst=hs_dump_dst
par=hs_dump_par	# parallel restore of a directory-format dump
reader=hs_dump_reader
work=$(mktemp -d)
. "$(dirname "$0")/tap.sh"
export PGTZ=UTC PGOPTIONS='-c extra_float_digits=3'

cleanup() {
	for db in "$src" "$dst" "$par"; do
		dropdb --if-exists "$db" >/dev/null 2>&1
	done
	psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $reader" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

tap_plan 18


# logged LOG COMMAND...: run a client program with its messages in LOG; true when it succeeded
# without any message (pg_restore prints errors it skipped, and exits non-zero after them).
logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 && [ ! -s "$log" ]
}

# check_same DESCRIPTION QUERY [DB2]: the query gives the same non-empty answer in the source and
# the restored database (or DB2).
check_same() {
	local description=$1 query=$2 other=${3:-$dst} a b
	a=$(q "$src" "$query")
	b=$(q "$other" "$query")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		ok "$description"
	else
		not_ok "$description"
		{ echo "$src:   ${a:-<nothing>}"; echo "$other: ${b:-<nothing>}"; } | diag
	fi
}

# rows_of RELATION: row count and md5 of all rows in text form, in a fixed order.
rows_of() {
	echo "SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), ''))
	      FROM $1 AS t HAVING count(*) > 0"
}

# Start clean, also after an earlier run that was killed.
for db in "$src" "$dst" "$par"; do
	dropdb --if-exists "$db" >/dev/null 2>&1
done
psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $reader" >/dev/null 2>&1

# 1. The source database: the extension, an application schema whose accounts have row-level
# security (a reader sees the accounts they own), a model of three signals, two refreshes.
if logged "$work/createdb.log" createdb "$src" && psql -Xq -v ON_ERROR_STOP=1 -d "$src" >"$work/setup.log" 2>&1 <<SQL
CREATE ROLE $reader;
CREATE EXTENSION healthscore;
CREATE SCHEMA app;
CREATE TABLE app.accounts (account_id integer PRIMARY KEY, seats integer NOT NULL, arr numeric NOT NULL,
                           csm text NOT NULL);
INSERT INTO app.accounts
SELECT i, 2 + i % 4, 1000 * i, CASE WHEN i % 3 = 0 THEN '$reader' ELSE 'someone_else' END
FROM generate_series(1, 10) AS i;
-- account i has 4 * i events in the weeks before 2026-07-01; accounts 9 and 10 have none
CREATE TABLE app.events (event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         account_id integer NOT NULL REFERENCES app.accounts, user_id bigint NOT NULL,
                         kind text NOT NULL, ts timestamptz NOT NULL);
INSERT INTO app.events (account_id, user_id, kind, ts)
SELECT a, a * 10 + e % 3, CASE WHEN e % 2 = 0 THEN 'login' ELSE 'report' END,
       timestamptz '2026-07-01 00:00+00' - (e * 3 + a) * interval '1 day'
FROM generate_series(1, 8) AS a, generate_series(1, 4 * a) AS e;
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON app.accounts FOR SELECT USING (csm = current_user);
GRANT USAGE ON SCHEMA app TO $reader;
GRANT SELECT ON app.accounts TO $reader;
SELECT healthscore.grant_reader('$reader');

SELECT healthscore.create_model('m', accounts => 'app.accounts', key => 'account_id', value => 'arr',
       owner => 'csm', description => 'dump and restore');
SELECT healthscore.add_signal('m', 'logins_30d', source => 'app.events', key => 'account_id',
       expression => \$\$count(*) FILTER (WHERE kind = 'login')\$\$, time_column => 'ts', lookback => '30 days',
       scoring => 'linear', worst => 0, best => 10, weight => 3, missing => 'zero', category => 'usage');
SELECT healthscore.add_signal('m', 'utilization', source => 'app.events', key => 'account_id',
       expression => 'healthscore.distinct_count(s.user_id)::float8 / account.seats', time_column => 'ts',
       lookback => '30 days', scoring => 'linear', worst => 0, best => 1, weight => 2, category => 'adoption',
       action => 'Run an adoption workshop');
SELECT healthscore.add_signal('m', 'recency', source => 'app.events', key => 'account_id',
       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days',
       weight => 1, missing => 'zero');
SELECT healthscore.refresh('m', '2026-06-23 00:00+00');
SELECT healthscore.refresh('m', '2026-06-30 00:00+00');
SQL
then
	ok "source database: extension, accounts with row-level security, a model of 3 signals, 2 refreshes"
else
	not_ok "source database: extension, accounts with row-level security, a model of 3 signals, 2 refreshes"
	cat "$work/createdb.log" "$work/setup.log" 2>/dev/null | diag
fi

# 2. Dump: custom format for pg_restore, and directory format for the parallel restores.
if logged "$work/dump.log" pg_dump -Fc -f "$work/src.dump" "$src" &&
	logged "$work/dump_dir.log" pg_dump -Fd -f "$work/src.dir" "$src"; then
	ok "pg_dump -Fc and -Fd of $src, no messages"
else
	not_ok "pg_dump -Fc and -Fd of $src, no messages"
	cat "$work/dump.log" "$work/dump_dir.log" 2>/dev/null | diag
fi

# 3. Restore into a new database: no errors, no warnings.
if logged "$work/createdb.log" createdb "$dst" && logged "$work/restore.log" pg_restore -d "$dst" "$work/src.dump"; then
	ok "pg_restore into $dst, no messages"
else
	not_ok "pg_restore into $dst, no messages"
	cat "$work/createdb.log" "$work/restore.log" 2>/dev/null | diag
fi

# The configuration rows and the sequence of a database, in one line.
all_rows="SELECT concat_ws('; ', ($(rows_of healthscore.models)), ($(rows_of healthscore.signals)),
                              ($(rows_of healthscore.runs)), ($(rows_of healthscore.scores)),
                              ($(rows_of healthscore.components)),
                              (SELECT last_value || ' ' || is_called FROM healthscore.runs_run_id_seq))"

# 4. A plain parallel restore. pg_restore -j loads the data of extension configuration tables in
# no particular order (pg_dump gives each TABLE DATA entry only its own table as a dependency), so
# healthscore links its tables with cascade triggers, not foreign keys: this must just work.
if logged "$work/createdb.log" createdb "$par" && logged "$work/restore_par.log" pg_restore -j 4 -d "$par" "$work/src.dir"; then
	check_same "pg_restore -j 4 into $par: same configuration rows and sequence" "$all_rows" "$par"
else
	not_ok "pg_restore -j 4 into $par: same configuration rows and sequence"
	cat "$work/createdb.log" "$work/restore_par.log" 2>/dev/null | diag
fi

# 5-9. The extension's configuration tables, row for row (run ids included), and the components
# view over the scores.
for table in models signals runs scores components; do
	check_same "healthscore.$table rows identical after restore" "$(rows_of "healthscore.$table")"
done

# 10. The run id sequence continues where it was.
check_same "healthscore.runs_run_id_seq position identical after restore" \
	"SELECT last_value || ' ' || is_called FROM healthscore.runs_run_id_seq"

# 11. The application's own tables, for completeness.
check_same "app.accounts and app.events rows identical after restore" \
	"SELECT ($(rows_of app.accounts)) || '; ' || ($(rows_of app.events))"

# 12. The restored extension still registers its configuration tables, so a dump of the restored
# database keeps the rows too.
check_same "extension version, members and configuration tables identical after restore" \
	"SELECT e.extversion || '; ' ||
	        (SELECT count(*) FROM pg_depend AS d WHERE d.refclassid = 'pg_extension'::regclass
	         AND d.refobjid = e.oid AND d.deptype = 'e') || ' members; ' ||
	        array_to_string(ARRAY(SELECT c::regclass::text || ' ' || coalesce(w, '')
	                              FROM unnest(e.extconfig, e.extcondition) AS x(c, w) ORDER BY 1), ', ')
	 FROM pg_extension AS e WHERE e.extname = 'healthscore'"

# 13. Row-level security on the score tables: enabled, with the same policies.
check_same "row-level security and policies of scores identical after restore" \
	"SELECT string_agg(format('%s rls=%s %s', c.relname, c.relrowsecurity,
	                          (SELECT string_agg(format('%s %s %s %s', p.polname, p.polcmd,
	                                                    pg_get_expr(p.polqual, p.polrelid),
	                                                    pg_get_expr(p.polwithcheck, p.polrelid)), '; '
	                                             ORDER BY p.polname)
	                           FROM pg_policy AS p WHERE p.polrelid = c.oid)), ' | ' ORDER BY c.relname)
	 FROM pg_class AS c WHERE c.oid = 'healthscore.scores'::regclass"

# 14. Privileges: grant_reader's grants and the admin functions revoked from PUBLIC.
check_same "privileges on healthscore's tables, views and functions identical after restore" \
	"SELECT md5(string_agg(x, E'\n' ORDER BY x)) || ' ' || count(*) FILTER (WHERE x LIKE '%$reader%') || ' grants to $reader'
	 FROM (SELECT c.oid::regclass::text || ' ' || coalesce(c.relacl::text, '-') FROM pg_class AS c
	       WHERE c.relnamespace = 'healthscore'::regnamespace
	       UNION ALL
	       SELECT p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '-') FROM pg_proc AS p
	       WHERE p.pronamespace = 'healthscore'::regnamespace
	       UNION ALL
	       SELECT 'schema ' || coalesce(n.nspacl::text, '-') FROM pg_namespace AS n WHERE n.nspname = 'healthscore') AS acl(x)"

# 15. The views over the restored rows.
check_same "current_scores identical after restore" \
	"$(rows_of "(SELECT model, account_key, score, tier, previous_score, trend, value, owner, scored_at, sparkline
	             FROM healthscore.current_scores)")"

# 16. A reader sees through row-level security the accounts it owns, and only those, in both.
check_same "a reader sees the same 3 of 10 accounts in risk_list and current_scores after restore" \
	"SET ROLE $reader;
	 SELECT count(*) || ' current, ' || string_agg(account_key, ',' ORDER BY account_key::int) || '; ' ||
	        (SELECT count(*) FROM healthscore.risk_list) || ' at risk'
	 FROM healthscore.current_scores HAVING count(*) = 3"

# 17. A refresh in the restored database works and takes the next run id: no collision with the
# restored runs.
expected_id=$(q "$src" "SELECT last_value + 1 FROM healthscore.runs_run_id_seq")
dst_id=$(q "$dst" "SELECT healthscore.refresh('m', '2026-07-01 00:00+00')")
if [ -n "$dst_id" ] && [ "$dst_id" = "$expected_id" ] &&
	[ "$(q "$dst" "SELECT count(*) FROM healthscore.scores WHERE run_id = $dst_id")" = 10 ]; then
	ok "refresh in $dst takes the next run id and scores all 10 accounts"
else
	not_ok "refresh in $dst takes the next run id and scores all 10 accounts"
	echo "expected run id ${expected_id:-<nothing>}, got ${dst_id:-<nothing>}" | diag
fi

# 18. ... and gives what the same refresh gives in the source database (the query finds the run by
# the source's run id in both, so a different run id fails too).
src_id=$(q "$src" "SELECT healthscore.refresh('m', '2026-07-01 00:00+00')")
check_same "the same refresh in $src gives the same run id, scores and components" \
	"SELECT ($(rows_of "(SELECT run_id, model, account_key, score, tier, value, owner FROM healthscore.scores
	                     WHERE run_id = ${src_id:-0})")) || '; ' ||
	        ($(rows_of "(SELECT * FROM healthscore.components WHERE run_id = ${src_id:-0})"))"

tap_done

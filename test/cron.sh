#!/usr/bin/env bash
# pg_cron end to end, as TAP: Debian's pg_cron 1.4 in throwaway clusters of its own, configured as
# README.md ("Scheduling with pg_cron") says:
#
#   shared_preload_libraries = 'pg_cron'
#   cron.database_name = 'hs_cron'
#   cron.use_background_workers = on
#   max_worker_processes = 20
#
# and one without pg_cron preloaded. In the first, a model is scheduled every minute by a
# superuser and by a role given grant_admin, a broken one too, and one from another database
# through the call schedule()'s error hint gives; the script waits for the jobs (about a minute)
# and checks the runs, cron.job_run_details, the failed attempt, model_status and the NOTIFY a
# listener received. Before that, a schedule made by 0.1.0 is updated to the procedure.
#
# Usage: test/cron.sh (from test/run_suites.sh; it makes its own clusters)
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "" ]; then
	. test/lib.sh
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# the inner runs print "ok - ..." / "not ok - ..." lines; they are numbered here
	run_inner() {
		local mode=$1
		shift
		local port
		port=$(free_port) || return 1
		pg_virtualenv -t -v 15 -c "--locale=C.UTF-8 --port=$port" "$@" ./test/cron.sh "$mode"
	}
	{
		run_inner --configured \
			-o "shared_preload_libraries=pg_cron" -o "cron.database_name=hs_cron" \
			-o "cron.use_background_workers=on" -o "max_worker_processes=20"
		run_inner --not-preloaded
	} >"$work/inner.out" 2>&1
	planned=25
	echo "1..$planned"
	awk '/^(not )?ok - / { n++; sub(/ - /, " " n " - "); print; next } { print "# " $0 }' "$work/inner.out"
	ran=$(grep -cE '^(not )?ok - ' "$work/inner.out")
	if [ "$ran" -ne "$planned" ]; then
		echo "# planned $planned checks, ran $ran"
		exit 1
	fi
	! grep -q '^not ok - ' "$work/inner.out"
	exit
fi

# Inside a throwaway cluster (pg_virtualenv sets PGHOST, PGPORT, PGUSER=postgres, PGPASSWORD).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; }
check() {	# check DESCRIPTION CONDITION [DIAGNOSTIC...]
	local description=$1 condition=$2
	shift 2
	if eval "$condition"; then ok "$description"; else not_ok "$description"; printf '%s\n' "$@"; fi
}
q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1; }
# error_of DB STATEMENT [ROLE]: the SQLSTATE, message and hint of a statement's error, or "no error"
error_of() {
	psql -XAtq -d "$1" -c "SET ROLE ${3:-postgres}" -c "SET client_min_messages = warning;
		DO \$\$ DECLARE s text; m text; h text; BEGIN $2; RAISE WARNING 'error_of:no error';
		EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS s = RETURNED_SQLSTATE, m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
		RAISE WARNING 'error_of:%|%|%', s, m, h; END \$\$" 2>&1 | sed -n 's/^WARNING:  error_of://p'
}

# A small model over app.accounts and app.events, defined by role $2 in database $1.
make_model() {
	psql -XAtq -v ON_ERROR_STOP=1 -d "$1" >/dev/null 2>&1 <<-SQL
		SET ROLE $2;
		SELECT healthscore.create_model('$3', accounts => 'app.accounts', key => 'account_id');
		SELECT healthscore.add_signal('$3', 'events', source => 'app.$4', key => 'account_id', expression => 'count(*)',
		       time_column => 'ts', lookback => '30 days', scoring => 'linear', worst => 0, best => 3);
	SQL
}
app_tables() {
	psql -XAtq -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<-'SQL'
		CREATE SCHEMA app;
		CREATE TABLE app.accounts (account_id integer PRIMARY KEY);
		INSERT INTO app.accounts SELECT generate_series(1, 5);
		CREATE TABLE app.events (account_id integer, ts timestamptz);
		INSERT INTO app.events SELECT a, now() - d * interval '1 day' FROM generate_series(1, 4) AS a, generate_series(1, a) AS d;
		CREATE TABLE app.doomed (LIKE app.events);
		INSERT INTO app.doomed SELECT * FROM app.events;
		DO $$ BEGIN
			-- pg_cron runs a job as the role that scheduled it, which must be able to log in
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hs_cron_admin') THEN CREATE ROLE hs_cron_admin LOGIN; END IF;
		END $$;
		GRANT USAGE ON SCHEMA app TO hs_cron_admin;
		GRANT SELECT ON ALL TABLES IN SCHEMA app TO hs_cron_admin;
	SQL
}

if [ "$1" = "--not-preloaded" ]; then
	db=hs_nocron
	createdb "$db" && q "$db" "CREATE EXTENSION healthscore" >/dev/null && app_tables "$db"
	q "$db" "SELECT healthscore.grant_admin('hs_cron_admin')" >/dev/null
	make_model "$db" postgres m events
	out=$(error_of "$db" "PERFORM healthscore.schedule('m', '0 3 * * *')")
	check "without pg_cron preloaded, schedule() says so (0A000) and names the settings" \
		'[[ "$out" == "0A000|schedule(): pg_cron is not loaded in this server|"*"shared_preload_libraries = '"'"'pg_cron'"'"', cron.database_name = '"'"'hs_nocron'"'"', cron.use_background_workers = on"* ]]' "# $out"
	out=$(error_of "$db" "PERFORM healthscore.schedule('m', '0 3 * * *')" hs_cron_admin)
	expected="0A000|schedule(): pg_cron is not installed in this database|pg_cron must be installed in the database named by cron.database_name; if that is another one, run SELECT cron.schedule_in_database('healthscore refresh m', '0 3 * * *', 'CALL healthscore.run(''m'')', 'hs_nocron') there, then here: SELECT healthscore.set_expected_every('m', '1 day')."
	check "a role that may not read the settings learns that pg_cron is not installed, and what to run where" \
		'[ "$out" = "$expected" ]' "# $out"
	exit 0
fi

# --configured: the README's settings.
db=hs_cron
other=hs_cron_other
createdb "$db" && createdb "$other"
q "$db" "CREATE EXTENSION pg_cron" >/dev/null
app_tables "$db"

# 1. A schedule made by 0.1.0 (SELECT healthscore.refresh(...)) becomes CALL healthscore.run(...),
# with expected_every from its cron.
q "$db" "CREATE EXTENSION healthscore VERSION '0.1.0'" >/dev/null
make_model "$db" postgres old events
q "$db" "SELECT healthscore.schedule('old', '0 3 * * *')" >/dev/null
q "$db" "ALTER EXTENSION healthscore UPDATE" >/dev/null
out=$(q "$db" "SELECT j.command || ' ' || m.expected_every FROM cron.job AS j, healthscore.models AS m
               WHERE j.jobname = 'healthscore refresh old' AND m.name = 'old'")
check "the update turns 0.1.0's scheduled refresh into CALL healthscore.run(), expected every day" \
	'[ "$out" = "CALL healthscore.run('"'"'old'"'"') 1 day" ]' "# $out"
q "$db" "SELECT healthscore.unschedule('old')" >/dev/null

# 2. Scheduling: by a superuser (no warning: background workers), by an admin, a broken model,
# and again (a new job, not pg_cron's update of the old one).
q "$db" "SELECT healthscore.grant_admin('hs_cron_admin')" >/dev/null
make_model "$db" postgres m_super events
make_model "$db" hs_cron_admin m_admin events
make_model "$db" hs_cron_admin m_broken doomed
q "$db" "DROP TABLE app.doomed" >/dev/null
out=$(psql -XAtq -d "$db" -c "SELECT healthscore.schedule('m_super', '* * * * *') > 0" 2>&1)
check "a superuser schedules a refresh every minute, without warnings" '[ "$out" = t ]' "# $out"
first=$(psql -XAtq -d "$db" -c "SET ROLE hs_cron_admin; SELECT healthscore.schedule('m_admin', '* * * * *')" 2>&1)
again=$(psql -XAtq -d "$db" -c "SET ROLE hs_cron_admin; SELECT healthscore.schedule('m_admin', '* * * * *')" 2>&1)
check "a role given grant_admin schedules too (grant_admin granted USAGE on schema cron); scheduling again makes a new job" \
	'[[ "$first" =~ ^[0-9]+$ ]] && [[ "$again" =~ ^[0-9]+$ ]] && [ "$again" -gt "$first" ]' "# $first / $again"
out=$(psql -XAtq -d "$db" -c "SET ROLE hs_cron_admin; SELECT healthscore.schedule('m_broken', '* * * * *') > 0" 2>&1)
check "a model whose source is gone can be scheduled (it fails when it runs)" '[ "$out" = t ]' "# $out"
out=$(q "$db" "SELECT string_agg(format('%s %s %s', jobname, username, command), '; ' ORDER BY jobname) FROM cron.job")
check "the jobs CALL healthscore.run() as the role that scheduled them" \
	'[ "$out" = "healthscore refresh m_admin hs_cron_admin CALL healthscore.run('"'"'m_admin'"'"'); healthscore refresh m_broken hs_cron_admin CALL healthscore.run('"'"'m_broken'"'"'); healthscore refresh m_super postgres CALL healthscore.run('"'"'m_super'"'"')" ]' "# $out"
out=$(q "$db" "SELECT string_agg(name || ' ' || expected_every, ', ' ORDER BY name) FROM healthscore.models WHERE name LIKE 'm\_%'")
check "schedule() sets expected_every from the cron" '[ "$out" = "m_admin 00:01:00, m_broken 00:01:00, m_super 00:01:00" ]' "# $out"

# A report written on a schedule, as README.md ("Reports") shows: COPY ... TO a file by a role with
# pg_write_server_files and grant_reader (the file is the server's: a directory the server may write)
reports=$(mktemp -d)
chmod 1777 "$reports"
trap 'rm -rf "$work" "$reports"' EXIT
out=$(psql -XAtq -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<-SQL
	CREATE ROLE hs_cron_reporter LOGIN IN ROLE pg_write_server_files;
	SELECT healthscore.grant_reader('hs_cron_reporter');
	GRANT USAGE ON SCHEMA app, cron TO hs_cron_reporter;
	GRANT SELECT ON app.accounts TO hs_cron_reporter;
	SELECT healthscore.refresh('m_super') > 0;
	SET ROLE hs_cron_reporter;
	SELECT cron.schedule('portfolio report', '* * * * *',
	       \$\$COPY (SELECT healthscore.portfolio_report('m_super')) TO '$reports/m_super.html'\$\$) > 0;
SQL
)
check "a reader with pg_write_server_files schedules a report with COPY ... TO a file" '[[ "$out" == *t ]]' "# $out"

# 3. From another database: a clear error whose hint is the call to make in the cron database.
q "$other" "CREATE EXTENSION healthscore" >/dev/null
app_tables "$other"
make_model "$other" postgres m_other events
out=$(error_of "$other" "PERFORM healthscore.schedule('m_other', '* * * * *')")
check "schedule() in another database than cron.database_name fails (0A000) naming both" \
	'[[ "$out" == "0A000|schedule(): pg_cron runs jobs from database \"hs_cron\", not from this one (\"hs_cron_other\")|"* ]]' "# $out"
call=$(sed -n 's/.*run \(SELECT cron.schedule_in_database(.*)\); then here: \(.*\)\.$/\1/p' <<<"$out")
expect=$(sed -n 's/.*; then here: \(.*\)\.$/\1/p' <<<"$out")
out=$(q "$db" "$call" && q "$other" "$expect")
check "the hint's calls work: cron.schedule_in_database() there, set_expected_every() here" '[ -n "$call" ] && [[ "$out" =~ ^[0-9]+ ]]' "# $call" "# $out"

# 4. Wait for the jobs (pg_cron starts them at the full minute), listening for notifications.
# (a listener gets notifications between transactions: it waits in one, each statement of which
# sees what has committed, until every job has finished once, at most 150 seconds)
psql -Xq -d "$db" -c "LISTEN healthscore" -c "DO \$\$ BEGIN
	FOR i IN 1 .. 150 LOOP
		EXIT WHEN (SELECT count(DISTINCT j.jobname) FROM cron.job_run_details AS d JOIN cron.job AS j USING (jobid)
		           WHERE d.status IN ('succeeded', 'failed')) = 5;
		PERFORM pg_sleep(1);
	END LOOP;
END \$\$" >"$work/listener" 2>&1
q "$db" "SELECT j.jobname, d.status, d.return_message FROM cron.job_run_details AS d JOIN cron.job AS j USING (jobid)
         ORDER BY d.start_time" | sed 's/^/# /'

for m in m_super m_admin; do
	out=$(q "$db" "SELECT d.status FROM cron.job_run_details AS d JOIN cron.job AS j USING (jobid)
	               WHERE j.jobname = 'healthscore refresh $m' ORDER BY d.start_time LIMIT 1")
	check "the scheduled run of $m succeeded (cron.job_run_details)" '[ "$out" = succeeded ]' "# $out"
	out=$(q "$db" "SELECT count(*) FILTER (WHERE r.status = 'succeeded' AND r.accounts = 5) > 0 FROM healthscore.model_runs AS r
	               WHERE r.model = '$m'")
	check "... and wrote a run of every account, with a succeeded attempt" '[ "$out" = t ]' "# $out"
done
out=$(q "$db" "SELECT d.status || ': ' || d.return_message FROM cron.job_run_details AS d JOIN cron.job AS j USING (jobid)
               WHERE j.jobname = 'healthscore refresh m_broken' ORDER BY d.start_time LIMIT 1")
check "the broken model's job failed with the refresh's error (cron.job_run_details)" \
	'[[ "$out" == "failed: ERROR: refresh(): source app.doomed of signal \"events\" of model \"m_broken\" does not exist"* ]]' "# $out"
out=$(q "$db" "SELECT last_status || ' ' || (last_error LIKE 'refresh(): source app.doomed%') FROM healthscore.model_status WHERE model = 'm_broken'")
check "model_status shows the failure and its error" '[ "$out" = "failed true" ]' "# $out"
out=$(q "$db" "SELECT count(*) FROM healthscore.runs WHERE model = 'm_broken'")
check "the failed run wrote no scores" '[ "$out" = 0 ]' "# $out"
check "a listener received the failure: NOTIFY healthscore with status failed" \
	'grep -q "payload \"{\"model\" : \"m_broken\", \"status\" : \"failed\"" "$work/listener"' "$(sed 's/^/# /' "$work/listener")"
check "... and the successes" \
	'grep -q "payload \"{\"model\" : \"m_super\", \"status\" : \"succeeded\"" "$work/listener"' "$(sed 's/^/# /' "$work/listener")"
out=$(q "$other" "SELECT count(*) > 0 FROM healthscore.model_runs WHERE model = 'm_other' AND status = 'succeeded'")
check "the job scheduled from the cron database ran in the other one" '[ "$out" = t ]' "# $out"

out=$(q "$db" "SELECT d.status FROM cron.job_run_details AS d JOIN cron.job AS j USING (jobid)
               WHERE j.jobname = 'portfolio report' ORDER BY d.start_time LIMIT 1")
check "the scheduled report ran (cron.job_run_details)" '[ "$out" = succeeded ]' "# $out"
check "... and wrote the portfolio report, its 5 accounts as the reader sees them, in one line" \
	'[ -f "$reports/m_super.html" ] && [ "$(head -c 15 "$reports/m_super.html")" = "<!DOCTYPE html>" ] &&
	 grep -q "&#183; 5 accounts (4 scored)" "$reports/m_super.html" && [ "$(wc -l <"$reports/m_super.html")" = 1 ]' \
	"# $(grep -o '&#183; [0-9]* accounts ([0-9]* scored)' "$reports/m_super.html" 2>&1), $(wc -l <"$reports/m_super.html" 2>&1) lines"

# 5. Not overdue while the jobs run; overdue once they stop.
out=$(q "$db" "SELECT string_agg(model || ' ' || overdue, ', ' ORDER BY model) FROM healthscore.model_status WHERE model IN ('m_super', 'm_broken')")
check "model_status: the running schedule is not overdue, the failing one is (no run ever)" '[ "$out" = "m_broken true, m_super false" ]' "# $out"
out=$(q "$db" "SELECT healthscore.unschedule('m_super'); SELECT expected_every IS NULL FROM healthscore.models WHERE name = 'm_super'")
check "unschedule() removes the job and the expectation" '[ "$(echo $out)" = "t t" ]' "# $out"

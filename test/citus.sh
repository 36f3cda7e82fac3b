#!/usr/bin/env bash
# healthscore on Citus 13.2, as TAP: make test-citus CITUS_SRC=/path/to/citus (optional, not in make test).
# Citus is AGPL, so none of it is in this repository: the developer names a Citus source tree (a checkout of
# github.com/citusdata/citus at v13.2.x), which is copied, patched for PostgreSQL 15.20's headers, built and
# installed into Debian's PostgreSQL 15. healthscore itself is used as installed (make install).
#
# A throwaway coordinator and two workers (three clusters on their own ports, run as the postgres user) then
# check what README.md "Running on more than one machine" claims for Citus:
#   - a model over events distributed by account key, with the accounts co-located and with the accounts a
#     reference table, scores every account as the same model over a local copy does (counts and exact sets
#     bit for bit, floating sums, scores to 1e-12 relative), as test/fdw.sh does for postgres_fdw;
#   - EXPLAIN of the refresh (both models) runs the grouped aggregates on the workers;
#   - check_model runs over distributed sources, and a model by a role that is not a superuser refreshes
#     once grant_admin() has run on every node (README);
#   - with citus.coordinator_aggregation_strategy = 'disabled' (no gathering of rows on the coordinator),
#     every healthscore aggregate grouped by something else than the distribution column combines the
#     workers' partial states into what the local copy gives.
#
# Usage: test/citus.sh [PG_CONFIG] CITUS_SRC (or CITUS_SRC in the environment); CITUS_BUILD names the build
# copy (default CITUS_SRC.healthscore-build, reused by the next run: remove it for a clean build);
# CITUS_KEEP=1 leaves the three nodes running afterwards, to look around.
set -uo pipefail
cd "$(dirname "$0")/.."
pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}
citus_src=${2:-${CITUS_SRC:-}}
if [ -z "$citus_src" ]; then
	cat >&2 <<'EOF'
test-citus: no Citus source tree given. Citus is AGPL and not part of this repository; check out
github.com/citusdata/citus at tag v13.2.2 (or another 13.2.x) and run
    make test-citus CITUS_SRC=/path/to/citus
EOF
	exit 2
fi
[ -d "$citus_src" ] || { echo "test-citus: CITUS_SRC=$citus_src is not a directory" >&2; exit 2; }
citus_src=$(cd "$citus_src" && pwd)
if [ ! -x "$citus_src/configure" ] || [ ! -f "$citus_src/src/backend/distributed/citus.control" ]; then
	echo "test-citus: $citus_src is not a Citus source tree (no configure, no src/backend/distributed/citus.control)" >&2
	exit 2
fi
build=${CITUS_BUILD:-$citus_src.healthscore-build}
. test/lib.sh
bindir=$("$pg_config" --bindir)
if [ ! -f "$("$pg_config" --sharedir)/extension/healthscore.control" ]; then
	echo "test-citus: healthscore is not installed in $("$pg_config" --sharedir); run make install PG_CONFIG=$pg_config" >&2
	exit 2
fi

# PostgreSQL refuses to run as root: as root the nodes run as the postgres user, as test/lib.sh's clusters do
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

work=$(mktemp -d)
nodes=(coordinator worker1 worker2)
cleanup() {
	if [ -n "${CITUS_KEEP:-}" ]; then
		echo "# CITUS_KEEP: the nodes stay up in $work (ports ${ports[*]:-}); stop them with pg_ctl -D $work/NODE stop"
		return
	fi
	for node in "${nodes[@]}"; do
		[ -f "$work/$node/postmaster.pid" ] &&
			as_postgres "$bindir/pg_ctl" -D "$work/$node" -m immediate stop >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
. test/tap.sh
. test/scale_out.sh
export PGTZ=UTC
started=$SECONDS

# --- Citus: copy, patch, build, install -------------------------------------------------------------------

# The headers Citus builds against: Debian's PostgreSQL 15 was configured with lz4 and zstd, and so is Citus
# (columnar compression); its libpq-be.h includes gssapi/gssapi.h (libkrb5-dev). libcurl only serves Citus's
# anonymous statistics, which a test must not send: --without-libcurl.
need=()
for p in liblz4-dev libzstd-dev libkrb5-dev libpq-dev postgresql-server-dev-15; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "# installing ${need[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
		{ echo "test-citus: could not install ${need[*]}" >&2; exit 1; }
fi

# A copy, so that the developer's tree stays as checked out: --keep-newer-files leaves the patched files
# (and build products) alone and takes what changed in the source since the last run.
mkdir -p "$build"
tar -C "$citus_src" --exclude=.git -cf - . | tar -C "$build" --keep-newer-files -xf - 2>/dev/null
# PostgreSQL 15.20 exports have_createdb_privilege() (commands/dbcommands.h); Citus 13.2.2 defines a static
# inline function of that name for PostgreSQL < 16, which then no longer compiles. Renaming Citus's copy
# leaves its one caller (which includes dbcommands.h) with PostgreSQL's. Only when the headers export it, and
# only once (grep first: rewriting the header every run would rebuild all of Citus).
compat=$build/src/include/pg_version_compat.h
if grep -q 'extern bool have_createdb_privilege' "$("$pg_config" --includedir-server)/commands/dbcommands.h" &&
	grep -q '^have_createdb_privilege(void)$' "$compat"; then
	sed -i 's/^have_createdb_privilege(void)$/citus_unused_have_createdb_privilege(void)/' "$compat"
fi

# the log stays beside the build, for when it fails
build_log=$build/healthscore-build.log
build_started=$SECONDS
built=true
(
	cd "$build" &&
		{ [ -f config.status ] || ./configure PG_CONFIG="$pg_config" --without-libcurl; } &&
		make -j"$(nproc)" &&
		as_root make install
) >"$build_log" 2>&1 || built=false
build_seconds=$((SECONDS - build_started))
citus_version=$(sed -n "s/^PACKAGE_VERSION='\([^']*\)'/\1/p" "$build/configure")

tap_plan 25
if $built; then
	ok "Citus $citus_version built from $citus_src in $build and installed (${build_seconds}s)"
else
	not_ok "Citus $citus_version built from $citus_src in $build and installed"
	grep -E -m10 'error:|Error [0-9]' "$build_log" | cut -c1-300 | diag
	echo "Bail out! Citus did not build; the log was $build_log"
	exit 1
fi

# --- three clusters: a coordinator and two workers ---------------------------------------------------------

# Each node its own data directory and port, its socket in $work, TCP on 127.0.0.1 only with trust: the
# nodes reach each other as 127.0.0.1:port. fsync off: nothing here outlives the test.
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
ports=()
up=true
for node in "${nodes[@]}"; do
	port=$(free_port) || { up=false; break; }
	ports+=("$port")
	as_postgres "$bindir/initdb" -D "$work/$node" -U postgres -A trust --locale=C.UTF-8 >"$work/$node.initdb.log" 2>&1 &&
		cat >>"$work/$node/postgresql.conf" <<EOF &&
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
shared_preload_libraries = 'citus'
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
		as_postgres "$bindir/pg_ctl" -D "$work/$node" -l "$work/$node.log" -w start >/dev/null ||
		{ up=false; cat "$work/$node.initdb.log" "$work/$node.log" 2>/dev/null | diag; break; }
done
coordinator="host=127.0.0.1 port=${ports[0]:-0} user=postgres dbname=postgres"
worker1="host=127.0.0.1 port=${ports[1]:-0} user=postgres dbname=postgres"
worker2="host=127.0.0.1 port=${ports[2]:-0} user=postgres dbname=postgres"
export PGCONNECT_TIMEOUT=10
if $up; then
	for db in "$coordinator" "$worker1" "$worker2"; do q "$db" "CREATE EXTENSION citus" >/dev/null || up=false; done
	q "$coordinator" "SELECT citus_set_coordinator_host('127.0.0.1', ${ports[0]});
		SELECT citus_add_node('127.0.0.1', ${ports[1]}); SELECT citus_add_node('127.0.0.1', ${ports[2]});" >/dev/null || up=false
fi
active=$($up && q "$coordinator" "SELECT count(*) FROM citus_get_active_worker_nodes()")
if $up && [ "$active" = 2 ]; then
	ok "a Citus coordinator and two workers (ports ${ports[*]}), Citus $(q "$coordinator" "SELECT extversion FROM pg_extension WHERE extname = 'citus'")"
else
	not_ok "a Citus coordinator and two workers"
	echo "Bail out! no cluster"
	exit 1
fi

# CREATE EXTENSION on the coordinator, after the workers are added: Citus creates it on every worker (it
# propagates extensions). The workers need healthscore's aggregates and functions for the shards' queries.
q "$coordinator" "CREATE EXTENSION healthscore" >/dev/null
expected=$(q "$coordinator" "SELECT extversion FROM pg_extension WHERE extname = 'healthscore'")
versions=$(for db in "$coordinator" "$worker1" "$worker2"; do
	q "$db" "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'healthscore'), 'none')"
done | paste -sd' ')
if [ -n "$expected" ] && [ "$versions" = "$expected $expected $expected" ]; then
	ok "CREATE EXTENSION healthscore on the coordinator creates it on both workers too (versions $versions)"
else
	not_ok "CREATE EXTENSION healthscore on the coordinator creates it on both workers too"
	echo "coordinator, worker1, worker2: $versions; creating it on the workers by hand" | diag
	for db in "$worker1" "$worker2"; do q "$db" "CREATE EXTENSION IF NOT EXISTS healthscore" >/dev/null; done
fi

# --- the data: test/fdw.sh's, distributed ------------------------------------------------------------------

# app.events is distributed by account_id; app.accounts is co-located with it, app.accounts_ref is a
# reference table (a copy on every node); app.events_local and app.accounts_local stay on the coordinator.
q "$coordinator" "
	CREATE SCHEMA app;
	CREATE TABLE app.accounts_local (account_id integer PRIMARY KEY, seats integer NOT NULL, arr numeric NOT NULL);
	INSERT INTO app.accounts_local SELECT a, 5 + a % 20, 1000 + a FROM generate_series(1, 1000) AS a;
	CREATE TABLE app.events_local (account_id integer NOT NULL, ts timestamptz NOT NULL, user_id integer NOT NULL,
	                               feature text NOT NULL, amount float8 NOT NULL);
	INSERT INTO app.events_local
	SELECT 1 + (pg_catalog.hashint8extended(e, 1) & 1048575) % 1000,
	       timestamptz '2026-06-30' - ((pg_catalog.hashint8extended(e, 2) & 1048575) % 5184000) * interval '1 second',
	       (pg_catalog.hashint8extended(e, 3) & 1048575) % 40,
	       (ARRAY['login', 'report', 'export', 'share', 'admin'])[1 + (pg_catalog.hashint8extended(e, 4) & 1048575) % 5],
	       ((pg_catalog.hashint8extended(e, 5) & 1048575) / 1048576.0) * 123.456
	FROM generate_series(1, 100000) AS e;
	ANALYZE app.events_local;
	CREATE TABLE app.events (LIKE app.events_local);
	SELECT create_distributed_table('app.events', 'account_id');
	INSERT INTO app.events SELECT * FROM app.events_local;
	CREATE TABLE app.accounts (LIKE app.accounts_local INCLUDING ALL);
	SELECT create_distributed_table('app.accounts', 'account_id', colocate_with => 'app.events');
	INSERT INTO app.accounts SELECT * FROM app.accounts_local;
	CREATE TABLE app.accounts_ref (LIKE app.accounts_local INCLUDING ALL);
	SELECT create_reference_table('app.accounts_ref');
	INSERT INTO app.accounts_ref SELECT * FROM app.accounts_local;" >/dev/null
# each worker's shards and their rows, counted in the shards themselves (run_command_on_shards)
per_node=$(q "$coordinator" "SELECT string_agg(shards || ' shards, ' || rows || ' rows', ' + ' ORDER BY nodeport) FROM (
	SELECT c.nodeport, count(*) AS shards, sum(r.result::bigint) AS rows
	FROM run_command_on_shards('app.events', 'SELECT count(*) FROM %s') AS r JOIN citus_shards AS c USING (shardid)
	GROUP BY c.nodeport) AS n")
counted=$(q "$coordinator" "SELECT count(DISTINCT c.nodeport) || ' ' || sum(r.result::bigint)
	FROM run_command_on_shards('app.events', 'SELECT count(*) FROM %s') AS r JOIN citus_shards AS c USING (shardid)")
if [ "$(q "$coordinator" "SELECT count(*) FROM app.events")" = 100000 ] && [ "$counted" = "2 100000" ]; then
	ok "100000 events distributed by account_id over both workers ($per_node), accounts co-located and a reference table"
else
	not_ok "100000 events distributed by account_id over both workers"
	echo "per worker: $per_node" | diag
fi

# --- equal scores: the model of test/fdw.sh over distributed and local events --------------------------------

# colocated: distributed events, co-located accounts; reference: distributed events, reference accounts;
# local: both on the coordinator only
for model in colocated reference local; do
	case $model in
	colocated) accounts=app.accounts relation=app.events ;;
	reference) accounts=app.accounts_ref relation=app.events ;;
	local) accounts=app.accounts_local relation=app.events_local ;;
	esac
	q "$coordinator" "$(scale_out_model_sql "$model" "$accounts" "$relation")" >/dev/null	# q reports errors as diagnostics
	refresh_started=$SECONDS
	q "$coordinator" "SELECT healthscore.refresh('$model', '2026-06-30')" >/dev/null
	echo "refresh of $model: $((SECONDS - refresh_started))s" | diag
done

# a model's current run against the local one's, account by account (scale_out_compare)
compare_with_local() { scale_out_compare "$coordinator" "$1"; }
for model in colocated reference; do
	compared=$(compare_with_local $model)
	read -r accounts exact sums scores tiers <<<"$compared"
	if [ "${accounts:-0}" = 1000 ] && [ "$exact" = 1000 ] && [ "$sums" = 1000 ]; then
		ok "$model accounts: every account's counts, distinct counts, stickiness, last use and seat use (per_account) are equal, sums to 1e-12 ($accounts accounts)"
	else
		not_ok "$model accounts: raw values over Citus equal the local copy's"
		echo "accounts, exact, sums: ${compared:-none}" | diag
	fi
	if [ "${scores:-0}" = 1000 ] && [ "$tiers" = 1000 ]; then
		ok "$model accounts: scores equal to 1e-12 relative and tiers equal for every account"
	else
		not_ok "$model accounts: scores and tiers over Citus equal the local copy's"
		echo "accounts, exact, sums, scores, tiers: ${compared:-none}" | diag
	fi
done

# --- pushdown: the grouped queries run on the workers ---------------------------------------------------------

# Grouping by the distribution column makes each shard's aggregates complete, so Citus sends each shard a
# query with the GROUP BY (the "Query:" of its task) and the coordinator only collects one row per account: no
# aggregate on the coordinator's side of the plan, no worker_partial_agg/coord_combine_agg. With co-located
# accounts the whole scoring query, join and points included, is one task per shard pair; with reference
# accounts Citus plans each grouped subquery apart (a "Distributed Subplan", still grouped on the workers) and
# joins their results with the accounts in one task on a worker (read_intermediate_result).
for model in colocated reference; do
	q "$coordinator" "SELECT * FROM healthscore.explain_refresh('$model', '2026-06-30', verbose => true)" >"$work/plan.$model"
	grouped=$(grep -c 'Query: SELECT .*healthscore\.distinct_count.*healthscore\.stickiness.*GROUP BY' "$work/plan.$model")
	tasks=$(grep -o 'Task Count: [0-9]*' "$work/plan.$model" | paste -sd, | sed 's/Task Count: //g')
	# the coordinator's own nodes: the lines above the first task or subplan
	coordinator_side=$(awk '/Task Count:|Distributed Subplan/{exit} {print}' "$work/plan.$model")
	if [ "$grouped" -ge 1 ] && ! grep -q 'Aggregate' <<<"$coordinator_side" &&
		! grep -q 'worker_partial_agg\|coord_combine_agg' "$work/plan.$model"; then
		ok "EXPLAIN VERBOSE of the $model refresh: the workers' tasks run the GROUP BY account_id with healthscore's aggregates, nothing aggregated on the coordinator (tasks $tasks$(grep -q 'Distributed Subplan' "$work/plan.$model" && echo ', in distributed subplans'))"
	else
		not_ok "EXPLAIN VERBOSE of the $model refresh: the workers' tasks run the GROUP BY account_id with healthscore's aggregates, nothing aggregated on the coordinator"
		cut -c1-400 "$work/plan.$model" | diag
	fi
done

# --- check_model and a model written by a role that is not a superuser --------------------------------------

# check_model reads the sources (newest row, rows in the window) with a query of its own, as the author
if q "$coordinator" "SELECT * FROM healthscore.check_model('colocated')" >"$work/check_model" 2>"$work/check_model.err"; then
	ok "check_model over distributed sources runs ($(grep -c . "$work/check_model") problems)"
	diag <"$work/check_model"
else
	not_ok "check_model over distributed sources runs"
	cut -c1-400 "$work/check_model.err"	# diagnostics already
fi

# The refresh runs the model's text as its author (author.c), and Citus connects to the workers as the current
# user, so on the workers too the author needs what grant_admin() grants: healthscore_internal's functions
# are in the pushed-down query. Roles and grants on the author's tables are propagated by Citus; grant_admin()
# on the coordinator grants on healthscore's objects, which Citus does not propagate (the extension's objects
# are not distributed objects of their own).
author="host=127.0.0.1 port=${ports[0]} user=hs_citus_author dbname=postgres"
q "$coordinator" "CREATE ROLE hs_citus_author LOGIN;
	GRANT USAGE ON SCHEMA app TO hs_citus_author;
	GRANT SELECT ON app.events, app.accounts TO hs_citus_author;
	SELECT healthscore.grant_admin('hs_citus_author');" >/dev/null
q "$author" "SELECT healthscore.create_model('authored', accounts => 'app.accounts', key => 'account_id', value => 'arr');
	SELECT healthscore.add_signal('authored', 'users_30d', source => 'app.events', key => 'account_id',
	       expression => 'healthscore.distinct_count(s.user_id)', time_column => 'ts', lookback => '30 days',
	       scoring => 'linear', worst => 0, best => 30, weight => 20, missing => 'zero');" >/dev/null
# the author's users_30d against the co-located model's, account by account
authored_equal() {
	q "$coordinator" "SELECT count(*) FILTER (WHERE a.raw_values[1] IS NOT DISTINCT FROM c.raw_values[2])
		FROM healthscore.current_scores AS ac JOIN healthscore.scores AS a USING (run_id, account_key)
		JOIN healthscore.current_scores AS cc ON cc.model = 'colocated' AND cc.account_key = ac.account_key
		JOIN healthscore.scores AS c ON c.run_id = cc.run_id AND c.account_key = cc.account_key
		WHERE ac.model = 'authored'"
}
# README says to run grant_admin() on every node: with the coordinator's grants alone, the workers refuse the
# author the pushed-down query, with an error that names what is missing
if ! q "$author" "SELECT healthscore.refresh('authored', '2026-06-30')" >/dev/null 2>"$work/authored.err" &&
	grep -q 'permission denied for schema healthscore_internal' "$work/authored.err"; then
	ok "with grant_admin() on the coordinator only, the workers refuse the author's refresh, naming healthscore_internal"
else
	not_ok "with grant_admin() on the coordinator only, the workers refuse the author's refresh, naming healthscore_internal"
	grep -m2 'ERROR\|CONTEXT' "$work/authored.err" | cut -c1-300
fi
# grant_admin() on each worker: Citus refuses GRANTs on a worker ("operation is not allowed on this node")
# unless it is told not to propagate them
for db in "$worker1" "$worker2"; do
	q "$db" "SET citus.enable_ddl_propagation = off; SELECT healthscore.grant_admin('hs_citus_author')" >/dev/null
done
if q "$author" "SELECT healthscore.refresh('authored', '2026-06-30')" >/dev/null 2>"$work/authored.err" && [ "$(authored_equal)" = 1000 ]; then
	ok "with grant_admin() run on every worker too (citus.enable_ddl_propagation off) it refreshes, values equal"
else
	not_ok "with grant_admin() run on every worker too (citus.enable_ddl_propagation off) it refreshes, values equal"
	grep -m2 'ERROR\|CONTEXT' "$work/authored.err" | cut -c1-300
fi

# --- every aggregate combined across workers ----------------------------------------------------------------

# Grouped by feature (not the distribution column) and over the whole table, with Citus forbidden to gather
# rows on the coordinator: the workers run worker_partial_agg, the coordinator coord_combine_agg (the
# aggregate's combine function over the states the workers send as text). The same query over the local
# copy gives the reference; exact values must be equal, floats within 1e-12 relative.
#
# same_results A B: every line and field equal, numbers (also inside arrays and composite values) within
# 1e-12 relative
same_results() {
	awk -v tol=1e-12 '
		function num(x) { return x ~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
		function close_to(a, b) {
			if (a == b) return 1
			if (!num(a) || !num(b)) return 0
			d = a - b; if (d < 0) d = -d
			m = b < 0 ? -b : b
			return d <= tol * m
		}
		NR == FNR { want[FNR] = $0; lines = FNR; next }
		{
			got = FNR
			if (!(FNR in want)) { bad = 1; next }
			na = split(want[FNR], a, /[|{}(),]/); nb = split($0, b, /[|{}(),]/)
			if (na != nb) { bad = 1; next }
			for (i = 1; i <= na; i++) if (!close_to(b[i], a[i])) bad = 1
		}
		END { exit (bad || got != lines) }' "$2" "$1"
}
# The trends are of a value that grows by 10 a day: the amounts alone have no trend (correlation with time
# 7e-6), and a slope near 0 is ill-conditioned, so that any other order of the sums moves it by 1e-8
# relative (PostgreSQL's own parallel aggregation and regr_slope() do as much).
# logistic_fit's iterations are left out: its stopping rule (a change of the log-likelihood below 1e-14
# relative) is met one pass sooner or later as the sums' order moves the log-likelihood in its last digits
# (2 or 3 passes here, run to run); the fit itself agrees to 1e-13.
fit='healthscore.logistic_fit(s.user_id % 2 = 0, ARRAY[s.amount / 100, (s.user_id % 7)::float8])'
growing="10 * extract(epoch FROM s.ts - timestamptz '2026-05-01') / 86400"
aggregates=(
	'distinct_count(bigint)|healthscore.distinct_count(s.user_id::bigint)'
	'distinct_count(text)|healthscore.distinct_count(s.feature || '"':'"' || s.user_id)'
	'distinct_count(uuid)|healthscore.distinct_count(md5((s.user_id % 37)::text)::uuid)'
	'stickiness|healthscore.stickiness(s.user_id, s.ts)'
	'auc|healthscore.auc(s.amount, s.user_id % 3 = 0)'
	"logistic_fit|($fit).coefficients, ($fit).std_errors, ($fit).log_likelihood, ($fit).converged, ($fit).rows"
	'weighted_score|healthscore.weighted_score(s.amount * 0.8, 1 + s.user_id % 4)'
	"trend|healthscore.trend(s.amount + $growing, s.ts)"
	"relative_trend|healthscore.relative_trend(s.amount + $growing, s.ts)"
	'nps|healthscore.nps(s.user_id % 11)'
	'net_retention|healthscore.net_retention(round(s.amount::numeric, 2), round((s.amount * (s.user_id % 5) / 3)::numeric, 2))'
	'gross_retention|healthscore.gross_retention(round(s.amount::numeric, 2), round((s.amount * (s.user_id % 5) / 3)::numeric, 2))'
)
unsupported=()
for entry in "${aggregates[@]}"; do
	name=${entry%%|*} expression=${entry#*|}
	for relation in events events_local; do
		q "$coordinator" "SET citus.coordinator_aggregation_strategy = 'disabled';
			SELECT s.feature, $expression FROM app.$relation AS s GROUP BY s.feature ORDER BY s.feature;
			SELECT 'all', $expression FROM app.$relation AS s" >"$work/agg.$relation" 2>"$work/agg.$relation.err"
	done
	explained=$(q "$coordinator" "SET citus.coordinator_aggregation_strategy = 'disabled';
		EXPLAIN (VERBOSE, COSTS OFF) SELECT s.feature, $expression FROM app.events AS s GROUP BY s.feature" 2>/dev/null)
	# five features and the whole table, on both; the plan combines the workers' states
	if [ "$(grep -c . "$work/agg.events")" = 6 ] && [ "$(grep -c . "$work/agg.events_local")" = 6 ] &&
		same_results "$work/agg.events" "$work/agg.events_local" && grep -q 'worker_partial_agg' <<<"$explained"; then
		ok "$name grouped by feature and over all events equals the local copy's, the workers' states combined (worker_partial_agg, coord_combine_agg)"
	else
		not_ok "$name grouped by feature and over all events equals the local copy's, the workers' states combined"
		if [ -s "$work/agg.events.err" ]; then
			cat "$work/agg.events.err"	# q wrote them as diagnostics already
			unsupported+=("$name: $(grep -m1 -o 'ERROR: .*' "$work/agg.events.err")")
		else
			{ echo "distributed:"; cat "$work/agg.events"; echo "local:"; cat "$work/agg.events_local" "$work/agg.events_local.err"
			  echo "plan:"; echo "$explained"; } | cut -c1-300 | diag
		fi
	fi
done
[ ${#unsupported[@]} -gt 0 ] && printf '%s\n' "not combined by Citus:" "${unsupported[@]}" | diag

echo "test-citus: $((SECONDS - started))s in all, of which building Citus ${build_seconds}s" | diag
tap_done

#!/usr/bin/env bash
# healthscore over postgres_fdw, as TAP: run inside the throwaway cluster of test/run_suites.sh.
# Two shards are databases of the cluster, reached through postgres_fdw with
# extensions 'healthscore'; the coordinator's events table is hash-partitioned by account key into
# one foreign partition per shard. A model over it (a signal divided by the account's seats with
# per_account, so that it groups first) and the same model over a local copy of the
# events score every account the same (counts and exact sets bit for bit, floating sums to 1e-12
# relative), and the plan of the refresh ships the grouped aggregates to the shards; what a shard
# cannot aggregate is grouped apart and named by check_model.
#
# Usage: test/fdw.sh (from the repository root, with PGHOST/PGPORT/PGUSER of the cluster)
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
coordinator=hs_fdw_coordinator
shards=(hs_fdw_shard0 hs_fdw_shard1)
cleanup() {
	for db in "$coordinator" "${shards[@]}"; do dropdb --if-exists "$db" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT
. test/tap.sh
. test/scale_out.sh
export PGTZ=UTC

tap_plan 9
cleanup
mkdir -p "$work"
setup_ok=true
for i in 0 1; do
	createdb "${shards[$i]}" &&
		q "${shards[$i]}" "CREATE EXTENSION healthscore;
			CREATE TABLE public.events (account_id integer NOT NULL, ts timestamptz NOT NULL, user_id integer NOT NULL,
			                            feature text NOT NULL, amount float8 NOT NULL);" >/dev/null || setup_ok=false
done
createdb "$coordinator" || setup_ok=false
# the shards' events arrive through the coordinator's partitions (tuple routing to each shard);
# the local copy has the same rows
q "$coordinator" "
	CREATE EXTENSION healthscore;
	CREATE EXTENSION postgres_fdw;
	CREATE SCHEMA app;
	CREATE TABLE app.accounts (account_id integer PRIMARY KEY, seats integer NOT NULL, arr numeric NOT NULL);
	INSERT INTO app.accounts SELECT a, 5 + a % 20, 1000 + a FROM generate_series(1, 1000) AS a;
	CREATE TABLE app.events (account_id integer NOT NULL, ts timestamptz NOT NULL, user_id integer NOT NULL,
	                         feature text NOT NULL, amount float8 NOT NULL) PARTITION BY HASH (account_id);
	$(for i in 0 1; do cat <<SQL
	CREATE SERVER shard$i FOREIGN DATA WRAPPER postgres_fdw
		OPTIONS (dbname '${shards[$i]}', port '${PGPORT:-5432}', host '${PGHOST:-localhost}', extensions 'healthscore');
	CREATE USER MAPPING FOR CURRENT_USER SERVER shard$i OPTIONS (user '${PGUSER:-postgres}', password '${PGPASSWORD:-}');
	CREATE FOREIGN TABLE app.events_$i PARTITION OF app.events FOR VALUES WITH (MODULUS 2, REMAINDER $i)
		SERVER shard$i OPTIONS (schema_name 'public', table_name 'events');
SQL
	done)
	CREATE TABLE app.events_local (LIKE app.events);
	INSERT INTO app.events_local
	SELECT 1 + (pg_catalog.hashint8extended(e, 1) & 1048575) % 1000,
	       timestamptz '2026-06-30' - ((pg_catalog.hashint8extended(e, 2) & 1048575) % 5184000) * interval '1 second',
	       (pg_catalog.hashint8extended(e, 3) & 1048575) % 40,
	       (ARRAY['login', 'report', 'export', 'share', 'admin'])[1 + (pg_catalog.hashint8extended(e, 4) & 1048575) % 5],
	       ((pg_catalog.hashint8extended(e, 5) & 1048575) / 1048576.0) * 123.456
	FROM generate_series(1, 100000) AS e;
	INSERT INTO app.events SELECT * FROM app.events_local;
	ANALYZE app.events_local;" >/dev/null || setup_ok=false
if $setup_ok && [ "$(q "$coordinator" "SELECT (SELECT count(*) FROM app.events_0) || ' ' || (SELECT count(*) FROM app.events_1)")" != "" ]; then
	ok "two shards behind postgres_fdw, events hash-partitioned by account ($(q "$coordinator" "SELECT (SELECT count(*) FROM app.events_0) || ' + ' || (SELECT count(*) FROM app.events_1)") rows)"
else
	not_ok "two shards behind postgres_fdw"
fi

# the same model over the partitioned foreign events and over the local copy
for model in sharded local; do
	relation=$([ $model = sharded ] && echo app.events || echo app.events_local)
	q "$coordinator" "$(scale_out_model_sql "$model" app.accounts "$relation")
		SELECT healthscore.refresh('$model', '2026-06-30');" >/dev/null 2>"$work/$model.err" || cat "$work/$model.err" | diag
done

# every account's raw values: counts, exact sets and times equal, floating sums to 1e-12 relative
# (the sharded model's current run against the local one's, scale_out_compare)
compare_with_local() { scale_out_compare "$coordinator" sharded; }
compared=$(compare_with_local)
read -r accounts exact sums scores tiers <<<"$compared"
if [ "${accounts:-0}" = 1000 ] && [ "$exact" = 1000 ] && [ "$sums" = 1000 ]; then
	ok "every account's counts, distinct counts, stickiness, last use and seat use (per_account) are equal, sums to 1e-12 ($accounts accounts)"
else
	not_ok "raw values over postgres_fdw equal the local copy's"
	echo "accounts, exact, sums: $compared" | diag
fi
if [ "${scores:-0}" = 1000 ] && [ "$tiers" = 1000 ]; then
	ok "scores equal to 1e-12 relative and tiers equal for every account"
else
	not_ok "scores and tiers over postgres_fdw equal the local copy's"
	echo "accounts, exact, sums, scores, tiers: $compared" | diag
fi

# the plan of the refresh: each shard's foreign scan runs the grouped aggregates remotely
q "$coordinator" "SELECT * FROM healthscore.explain_refresh('sharded', '2026-06-30', verbose => true)" >"$work/plan.txt"
remote=$(grep -c 'Remote SQL: SELECT .*GROUP BY' "$work/plan.txt")
shipped=$(grep 'Remote SQL: SELECT .*GROUP BY' "$work/plan.txt" | grep -c 'healthscore.distinct_count.*healthscore.stickiness')
if [ "$remote" -ge 2 ] && [ "$shipped" -ge 2 ]; then
	ok "EXPLAIN VERBOSE shows the grouped query, healthscore's aggregates included, in both shards' remote SQL"
else
	not_ok "the grouped aggregates are pushed to the shards"
	diag <"$work/plan.txt"
fi
scans=$(grep -c 'Foreign Scan' "$work/plan.txt")
if [ "$scans" -ge 2 ] && ! grep -q 'Partial\|HashAggregate\|GroupAggregate' <(grep -B2 'Foreign Scan' "$work/plan.txt" | grep -v 'Foreign Scan'); then
	ok "no aggregation of raw rows on the coordinator above the foreign scans"
else
	not_ok "no aggregation of raw rows on the coordinator above the foreign scans"
	diag <"$work/plan.txt"
fi

# check_model is quiet about what the shards aggregate
warnings=$(q "$coordinator" "SELECT count(*) FROM healthscore.check_model('sharded') WHERE problem LIKE '%aggregated on this server%'")
if [ "$warnings" = 0 ]; then
	ok "check_model reports no signal aggregated on the coordinator"
else
	not_ok "check_model reports no signal aggregated on the coordinator"
	q "$coordinator" "SELECT * FROM healthscore.check_model('sharded')" | diag
fi

# without the extensions option, postgres_fdw ships no healthscore function: the refresh still
# gives the same scores, pulling the rows
q "$coordinator" "ALTER SERVER shard0 OPTIONS (DROP extensions); ALTER SERVER shard1 OPTIONS (DROP extensions);
	SELECT healthscore.refresh('sharded', '2026-06-30');" >/dev/null
q "$coordinator" "SELECT * FROM healthscore.explain_refresh('sharded', '2026-06-30', verbose => true)" >"$work/plan_pulled.txt"
read -r _ same _ <<<"$(compare_with_local)"
if [ "$same" = 1000 ] && ! grep -q 'Remote SQL: SELECT .*healthscore.distinct_count' "$work/plan_pulled.txt"; then
	ok "without extensions 'healthscore' the aggregates run on the coordinator, with the same results"
else
	not_ok "without extensions 'healthscore' the aggregates run on the coordinator, with the same results"
	echo "equal accounts: $same" | diag
	diag <"$work/plan_pulled.txt"
fi
# ... but the signals the shards can aggregate (count, sum) are grouped apart and still shipped
split=$(grep 'Remote SQL: SELECT .*GROUP BY' "$work/plan_pulled.txt" | grep -c 'count(\*) FILTER .*sum(amount)')
if [ "$split" -ge 2 ]; then
	ok "without the extensions option the shippable signals get a grouped query of their own, still run on the shards"
else
	not_ok "without the extensions option the shippable signals get a grouped query of their own, still run on the shards"
	diag <"$work/plan_pulled.txt"
fi
# ... and check_model names the signals whose aggregates stay on the coordinator, and those they drag
named=$(q "$coordinator" "SELECT string_agg(object, ', ' ORDER BY object) FROM healthscore.check_model('sharded')
	WHERE problem LIKE '%aggregated on this server%'")
if [ "$named" = 'signal "seat_use", signal "stickiness_30d", signal "users_30d"' ]; then
	ok "without the extensions option check_model names the signals the coordinator aggregates ($named)"
else
	not_ok "without the extensions option check_model names the signals the coordinator aggregates"
	q "$coordinator" "SELECT * FROM healthscore.check_model('sharded')" | diag
fi
tap_done

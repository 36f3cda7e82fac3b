#!/usr/bin/env bash
# Upgrades from every released version to the current one, as TAP: run by test/run_suites.sh
# inside the throwaway cluster (pg_virtualenv sets PGHOST, PGPORT, PGUSER=postgres, PGPASSWORD).
#
# For each released version V (versions/healthscore--V.sql, frozen when V was released) that has a
# history script test/upgrade/history_V.sql written against V's API:
#  1. install V with the current shared library and build a history with it (models, runs,
#     assessments, overrides, playbooks, outcomes, a reader under row-level security, an admin);
#  2. keep a copy of every table and of what the views show, to the superuser and to the reader;
#  3. ALTER EXTENSION healthscore UPDATE;
#  4. check that every row is still there, that the views show the same, that a refresh works and
#     continues the run sequence;
#  5. check that the updated catalog equals a fresh install of the current version, member by
#     member (test/upgrade/catalog.sql); a difference fails and is printed.
#
# Usage: test/upgrade/run.sh
set -uo pipefail
cd "$(dirname "$0")/../.."

reader=hs_upgrade_reader
admin=hs_upgrade_admin
fresh=hs_upgrade_fresh
work=$(mktemp -d)
. test/tap.sh
export PGTZ=UTC PGOPTIONS='-c extra_float_digits=3'
current=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" healthscore.control)
# Every released version with a history script; each one is a separate upgrade path.
versions=()
for script in versions/healthscore--*.sql; do
	v=${script#versions/healthscore--}
	v=${v%.sql}
	case "$v" in *--*) continue ;; esac
	[ -f "test/upgrade/history_$v.sql" ] && versions+=("$v")
done

# The tables whose rows must survive, and the views compared before and after.
tables=(models signals runs scores assessments overrides playbooks success_factors churn_reasons)
views=(current_scores risk_list score_components score_history tier_changes tier_summary model_runs
	stale_assessments score_drops model_accuracy components)
reader_views=(current_scores risk_list score_history)
# Columns whose meaning the update changes on purpose (compared everywhere else):
# 0.2.0 reads the trend over the model's trend window, not since the run before (issue 15).
# tier_summary.average_score: averaged exactly (in numeric) since 0.2.0, so that it no longer
# depends on the order of the rows; a float average may differ in the last digit
changed_meaning="0.1.0 current_scores.trend,0.1.0 risk_list.trend,0.1.0 tier_summary.average_score"

drop_all() {
	for v in "${versions[@]}"; do dropdb --if-exists "hs_upgrade_$v" >/dev/null 2>&1; done
	dropdb --if-exists "$fresh" >/dev/null 2>&1
	psql -XAtq -d postgres -c "DROP ROLE IF EXISTS $reader; DROP ROLE IF EXISTS $admin" >/dev/null 2>&1
}
cleanup() {
	drop_all
	rm -rf "$work"
}
trap cleanup EXIT
drop_all

per_version=$((13 + ${#tables[@]} + ${#views[@]} + ${#reader_views[@]}))
tap_plan $((1 + ${#versions[@]} * per_version))
# check DESCRIPTION COMMAND...: ok when the command succeeds; its output is shown otherwise.
check() {
	local description=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		ok "$description"
	else
		not_ok "$description"
		head -n 60 "$work/out" | diag
	fi
}
# q DB SQL: one value.
# same_rows DB A B [ROLE]: the two queries give the same rows (duplicates counted), as ROLE if
# given; prints the difference.
same_rows() {
	local db=$1 a=$2 b=$3 as=${4:+SET ROLE $4;} diff
	diff=$(q "$db" "$as SELECT '-' || x::text FROM (($a) EXCEPT ALL ($b)) AS x
	                UNION ALL SELECT '+' || x::text FROM (($b) EXCEPT ALL ($a)) AS x LIMIT 20") || return 1
	[ -z "$diff" ] || { printf 'rows differ (- before, + after):\n%s\n' "$diff"; return 1; }
	[ "$(q "$db" "$as SELECT count(*) FROM ($a) AS x")" -gt 0 ] || { echo "no rows to compare"; return 1; }
}

psql -Xq -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $reader; CREATE ROLE $admin" >/dev/null
# The fresh install of the current version that every updated one must equal, with the same
# grants given to the same roles.
if createdb "$fresh" && q "$fresh" "CREATE EXTENSION healthscore;
	SELECT healthscore.grant_reader('$reader'); SELECT healthscore.grant_admin('$admin')" >"$work/fresh.log" 2>&1 &&
	psql -Xq -d "$fresh" -f test/upgrade/catalog.sql >"$work/fresh.catalog" 2>&1; then
	ok "fresh install of $current described ($(wc -l <"$work/fresh.catalog") catalog facts)"
else
	not_ok "fresh install of $current described"
	cat "$work/fresh.log" "$work/fresh.catalog" 2>/dev/null | diag
fi

for v in "${versions[@]}"; do
	db=hs_upgrade_$v
	check "$v: installed with the current shared library, history built with its API" \
		bash -c "createdb '$db' && psql -Xq -v ON_ERROR_STOP=1 -v reader='$reader' -v admin='$admin' \
		         -d '$db' -f 'test/upgrade/history_$v.sql'"
	# copies of the tables and of what the views show, as the superuser and as the reader
	keep="CREATE SCHEMA hs_before; GRANT USAGE, CREATE ON SCHEMA hs_before TO $reader;"
	for t in "${tables[@]}"; do keep+="CREATE TABLE hs_before.$t AS SELECT * FROM healthscore.$t;"; done
	for w in "${views[@]}"; do keep+="CREATE TABLE hs_before.view_$w AS SELECT * FROM healthscore.$w;"; done
	keep+="CREATE TABLE hs_before.usage_summary AS SELECT * FROM app.usage_summary;"
	keep+="CREATE TABLE hs_before.run_seq AS SELECT last_value, is_called FROM healthscore.runs_run_id_seq;"
	keep+="SET ROLE $reader;"
	for w in "${reader_views[@]}"; do keep+="CREATE TABLE hs_before.reader_$w AS SELECT * FROM healthscore.$w;"; done
	keep+="RESET ROLE;"
	check "$v: tables and views copied before the update" q "$db" "$keep"
	check "$v: ALTER EXTENSION healthscore UPDATE to $current" \
		bash -c "psql -XAtq -v ON_ERROR_STOP=1 -d '$db' -c 'ALTER EXTENSION healthscore UPDATE' &&
		         [ \"\$(psql -XAtq -d '$db' -c \"SELECT extversion FROM pg_extension WHERE extname = 'healthscore'\")\" = '$current' ]"
	# 0.1.0 did not record who wrote model text, which 0.2.0 runs with its author's privileges: such
	# a model refuses to refresh until a role takes it over, as README, Upgrading, says to do
	check "$v: a model whose author is unknown refuses to refresh, and says to adopt it" \
		bash -c "psql -XAtq -d '$db' -c \"SELECT healthscore.refresh('default', '2026-07-09 12:00')\" 2>&1 |
		         grep -q \"adopt_model('default')\""
	check "$v: the superuser adopts every model without a known author" \
		q "$db" "SELECT healthscore.adopt_model(m.name) FROM healthscore.models AS m WHERE m.defined_by IS NULL"

	# the columns a copy has, for comparing a table or view that may have gained columns since;
	# but not those whose meaning a version changed on purpose, each named with its reason in
	# changed_meaning ("version view.column": why)
	columns() { q "$db" "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
	                     WHERE attrelid = 'hs_before.$1'::regclass AND attnum > 0 AND NOT attisdropped
	                       AND NOT '$v ' || regexp_replace('$1', '^(view_|reader_)', '') || '.' || attname
	                           = ANY (string_to_array('$changed_meaning', ','))"; }
	for t in "${tables[@]}"; do
		cols=$(columns "$t")
		check "$v: every row of healthscore.$t kept" \
			same_rows "$db" "SELECT $cols FROM hs_before.$t" "SELECT $cols FROM healthscore.$t"
	done
	for w in "${views[@]}"; do
		cols=$(columns "view_$w")
		check "$v: healthscore.$w shows the same rows to the superuser" \
			same_rows "$db" "SELECT $cols FROM hs_before.view_$w" "SELECT $cols FROM healthscore.$w"
	done
	check "$v: tier_summary's averages equal those of $v to 1e-9 (now averaged exactly)" \
		q "$db" "DO \$\$
		BEGIN
			IF EXISTS (SELECT FROM hs_before.view_tier_summary AS b
					   FULL JOIN healthscore.tier_summary AS a USING (model, run_id, tier)
					   WHERE a.model IS NULL OR b.model IS NULL OR (a.average_score IS NULL) <> (b.average_score IS NULL)
						  OR abs(a.average_score - b.average_score) > 1e-9) THEN
				RAISE EXCEPTION 'the averages differ';
			END IF;
		END \$\$"
	for w in "${reader_views[@]}"; do
		cols=$(columns "reader_$w")
		check "$v: healthscore.$w shows the reader the same rows (row-level security)" \
			same_rows "$db" "SELECT $cols FROM hs_before.reader_$w" "SELECT $cols FROM healthscore.$w" "$reader"
	done
	check "$v: after adopt_model, a refresh continues the run sequence and scores every account" \
		q "$db" "DO \$\$
		BEGIN
			IF healthscore.refresh('default', '2026-07-09 12:00') <>
			   (SELECT last_value + 1 FROM hs_before.run_seq) THEN
				RAISE EXCEPTION 'the run id does not follow the sequence';
			END IF;
			IF (SELECT count(*) FROM healthscore.current_scores WHERE model = 'default') <> 24 THEN
				RAISE EXCEPTION 'not every account was scored';
			END IF;
			PERFORM healthscore.refresh_group('cs', '2026-07-09 12:00');
		END \$\$"
	# a model without group weights scores as the version before did, bit for bit: the latest run
	# of each model whose definition has not changed since (same fingerprint), refreshed again at
	# its as-of time after the update, gives the same scores and computed tiers
	check "$v: a refresh after the update gives the scores and tiers $v gave, bit for bit" \
		q "$db" "DO \$\$
		DECLARE
			old record;
			new_run bigint;
			compared integer := 0;
			differing bigint;
		BEGIN
			FOR old IN
				SELECT DISTINCT ON (r.model) r.model, r.run_id, r.as_of, r.fingerprint
				FROM hs_before.runs AS r ORDER BY r.model, r.as_of DESC, r.run_id DESC
			LOOP
				CONTINUE WHEN old.fingerprint <> healthscore.fingerprint(old.model);
				new_run := healthscore.refresh(old.model, old.as_of);
				SELECT count(*) INTO differing
				FROM hs_before.scores AS o
				LEFT JOIN healthscore.scores AS n ON n.run_id = new_run AND n.account_key = o.account_key
				WHERE o.run_id = old.run_id
				  AND (n.account_key IS NULL OR n.score IS DISTINCT FROM o.score OR n.computed_tier IS DISTINCT FROM o.computed_tier);
				IF differing <> 0 THEN
					RAISE EXCEPTION '% accounts of model % score differently as of %', differing, old.model, old.as_of;
				END IF;
				compared := compared + (SELECT count(*) FROM hs_before.scores WHERE run_id = old.run_id);
			END LOOP;
			IF compared < 48 THEN	-- default (every scoring method) and the segment group's models
				RAISE EXCEPTION 'only % scores compared', compared;
			END IF;
			RAISE NOTICE '% scores compared', compared;
		END \$\$"
	# rollups (issue 19) over a source with history from $v: the same raw values as without
	check "$v: a rollup enabled after the update gives the raw values a refresh without it gives" \
		q "$db" "DO \$\$
		DECLARE
			rolled bigint;
			unrolled bigint;
		BEGIN
			IF NOT (healthscore.enable_rollup('default', 'app.usage_events', min_events_per_row => 0)).in_use THEN
				RAISE EXCEPTION 'the rollup is not in use';
			END IF;
			rolled := healthscore.refresh('default', '2026-07-09 12:00');
			PERFORM healthscore.disable_rollup('default', 'app.usage_events');
			unrolled := healthscore.refresh('default', '2026-07-09 12:00');
			IF EXISTS (SELECT FROM healthscore.scores AS a JOIN healthscore.scores AS b USING (account_key)
					   CROSS JOIN LATERAL unnest(a.raw_values, b.raw_values) AS v(x, y)
					   WHERE a.run_id = rolled AND b.run_id = unrolled
						 AND ((v.x IS NULL) <> (v.y IS NULL) OR abs(v.x - v.y) > 1e-12 * greatest(abs(v.y), 1))) THEN
				RAISE EXCEPTION 'raw values with and without the rollup differ';
			END IF;
		END \$\$"
	if psql -Xq -d "$db" -f test/upgrade/catalog.sql >"$work/$v.catalog" 2>&1 &&
		diff -u "$work/fresh.catalog" "$work/$v.catalog" >"$work/$v.diff"; then
		ok "$v: the updated catalog equals a fresh install of $current, member by member"
	else
		not_ok "$v: the updated catalog equals a fresh install of $current, member by member"
		echo "differences (- fresh install, + updated from $v):" | diag
		head -n 200 "$work/$v.diff" | diag
	fi
	# the aggregates kept their OIDs (the update points them at their new state types in the
	# catalog), so a view of the user's that calls them survives the update
	check "$v: a user's view over distinct_count, stickiness, auc and logistic_fit gives the same rows after the update" \
		same_rows "$db" "SELECT * FROM hs_before.usage_summary" "SELECT * FROM app.usage_summary"
	parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
	          SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;"
	check "$v: the same view in parallel (states shipped between processes as exact_set, auc_state, logistic_state)" \
		bash -c "psql -XAtq -d '$db' -c \"$parallel EXPLAIN SELECT * FROM app.usage_summary\" | grep -q 'Partial GroupAggregate' &&
		         [ \"\$(psql -XAtq -d '$db' -c \"$parallel SELECT count(*) FROM ((TABLE hs_before.usage_summary EXCEPT ALL TABLE app.usage_summary)
		              UNION ALL (TABLE app.usage_summary EXCEPT ALL TABLE hs_before.usage_summary)) AS d\" | tail -1)\" = 0 ]"
	check "$v: the updated extension drops cleanly" q "$db" "DROP VIEW app.usage_summary; DROP EXTENSION healthscore"
done

tap_done

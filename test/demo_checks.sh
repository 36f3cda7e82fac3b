#!/usr/bin/env bash
# What the demo promises, checked on its own data, as TAP: run inside the throwaway cluster of
# test/run_suites.sh. It loads the sample dataset and runs make demo's script (test/demo/), then:
#   - no account reads "flat" while its score moved by the trend threshold over the trend window,
#     against the score at the window's start found in score_history independently;
#   - tier hysteresis at least halves tier changes (computed_tier against tier_without_hysteresis,
#     the tiers by the cutoffs alone, over the same runs), while churn still falls from the worst
#     tier to the best and the worst tier's lift drops by no more than 5% (default model, current
#     run, churn within 120 days after it). The numbers are printed for README.md;
#   - score_changes splits every score change into parts that add up to it (and to window_change)
#     to 1e-9, and a signal whose points did not move, in a run of an unchanged model, has no part;
#   - the default model's calibration by decile (rows, churned, mean predicted, observed rate) and
#     its Brier score, skill and log loss equal an independent computation from scores and outcomes
#     to 1e-12, on the runs held out from the fit;
#   - compare_models' AUC of each model equals the mean of evaluate()'s per-run AUCs over the runs
#     it compares (the latest run at each as-of time), to 1e-12.
#
# Usage: test/demo_checks.sh (from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
db=hs_demo_checks
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$work"' EXIT
. test/tap.sh
export PGTZ=UTC

tap_plan 8
dropdb --if-exists "$db" >/dev/null 2>&1
if createdb "$db" && psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/generators/sample_data.sql >"$work/load.log" 2>&1 &&
	psql -Xq -v ON_ERROR_STOP=1 -d "$db" -f test/demo/health_scores.sql >"$work/demo.log" 2>&1; then
	ok "the demo ran on the sample data ($(q "$db" "SELECT count(*) FROM healthscore.runs") runs)"
else
	not_ok "the demo ran on the sample data"
	tail -n 30 "$work/load.log" "$work/demo.log" | diag
fi

out=$(q "$db" "
	SELECT count(*) FILTER (WHERE c.trend = 'flat' AND abs(c.score - h.score) >= m.trend_threshold) || ' ' || count(*)
	FROM healthscore.current_scores AS c
	JOIN healthscore.models AS m ON m.name = c.model
	CROSS JOIN LATERAL (SELECT x.score FROM healthscore.score_history AS x
	                    WHERE x.model = c.model AND x.account_key = c.account_key
	                      AND x.as_of <= c.scored_at - m.trend_window
	                    ORDER BY x.as_of DESC, x.run_id DESC LIMIT 1) AS h
	WHERE c.score IS NOT NULL AND h.score IS NOT NULL")
check_flat() { [ "${out%% *}" = 0 ] && [ "${out##* }" -gt 0 ]; }
if check_flat; then
	ok "no account reads flat while its score moved by the threshold over the window (${out##* } accounts checked)"
else
	not_ok "no account reads flat while its score moved by the threshold over the window"
	echo "flat but moved, accounts checked: $out" | diag
fi

# tier changes between consecutive runs of every model, with and without hysteresis
changes=$(q "$db" "
	SELECT sum((s.computed_tier <> p.computed_tier)::int) || ' ' || sum((s.tier_without_hysteresis <> p.tier_without_hysteresis)::int)
	       || ' ' || count(DISTINCT s.model || s.account_key) || ' ' || count(DISTINCT s.run_id)
	FROM healthscore.scores AS s
	JOIN healthscore.runs AS r ON r.run_id = s.run_id
	CROSS JOIN LATERAL (SELECT x.run_id FROM healthscore.runs AS x WHERE x.model = r.model AND x.as_of < r.as_of
	                    ORDER BY x.as_of DESC LIMIT 1) AS before
	JOIN healthscore.scores AS p ON p.run_id = before.run_id AND p.account_key = s.account_key
	WHERE s.computed_tier <> 'unknown' AND p.computed_tier <> 'unknown'")
read -r with without accounts runs <<<"$changes"
echo "tier changes over $runs runs of $accounts accounts: $with with hysteresis, $without without" | diag
if [ -n "$with" ] && [ $((2 * with)) -le "$without" ]; then
	ok "hysteresis at least halves tier changes ($with against $without)"
else
	not_ok "hysteresis at least halves tier changes"
	echo "$changes" | diag
fi

# churn by tier in the default model's current run: with hysteresis (computed_tier) and without
by_tier() {
	q "$db" "
	WITH current_run AS (SELECT r.run_id, r.as_of FROM healthscore.runs AS r WHERE r.model = 'default'
	                     ORDER BY r.as_of DESC LIMIT 1),
	population AS (
		SELECT s.$1 AS tier, array_position(m.tier_labels, s.$1) AS rank,
		       (o.churned_on IS NOT NULL AND o.churned_on <= (c.as_of + interval '120 days')::date) AS churned
		FROM current_run AS c
		JOIN healthscore.scores AS s ON s.run_id = c.run_id
		JOIN healthscore.models AS m ON m.name = s.model
		LEFT JOIN sample.churn_outcomes AS o ON o.account_id::text = s.account_key
		WHERE s.$1 <> 'unknown' AND (o.churned_on IS NULL OR o.churned_on > c.as_of::date)),
	per_tier AS (SELECT tier, rank, avg(churned::int) AS rate FROM population GROUP BY tier, rank)
	SELECT string_agg(tier || '=' || round(100 * rate, 1), ' ' ORDER BY rank) || '|'
	       || (SELECT bool_and(a.rate >= b.rate) FROM per_tier AS a JOIN per_tier AS b ON b.rank = a.rank + 1) || '|'
	       || (SELECT rate FROM per_tier ORDER BY rank LIMIT 1) / (SELECT avg(churned::int) FROM population)
	FROM per_tier"
}
IFS='|' read -r with_rates with_falls with_lift <<<"$(by_tier computed_tier)"
IFS='|' read -r plain_rates plain_falls plain_lift <<<"$(by_tier tier_without_hysteresis)"
echo "churn % by tier, worst first: with hysteresis $with_rates (lift $with_lift), without $plain_rates (lift $plain_lift)" | diag
if [ "$with_falls" = true ] && [ "$plain_falls" = true ]; then
	ok "churn falls from the worst tier to the best, with hysteresis and without"
else
	not_ok "churn falls from the worst tier to the best, with hysteresis and without"
	echo "with: $with_rates; without: $plain_rates" | diag
fi
if awk -v w="$with_lift" -v p="$plain_lift" 'BEGIN { exit !(w >= 0.95 * p) }'; then
	ok "the worst tier's lift drops by no more than 5% ($with_lift against $plain_lift)"
else
	not_ok "the worst tier's lift drops by no more than 5%"
	echo "lift with $with_lift, without $plain_lift" | diag
fi
parts=$(q "$db" "
	SELECT count(*) || ' ' || count(*) FILTER (WHERE abs(p.total - (s.score - s.previous_score)) < 1e-9)
	       || ' ' || count(*) FILTER (WHERE abs(p.window_total - s.window_change) < 1e-9)
	       || ' ' || sum(p.unmoved_blamed)
	FROM (SELECT model, account_key, sum(contribution_change) AS total, sum(window_contribution_change) AS window_total,
	             count(*) FILTER (WHERE points = previous_points AND NOT configuration_changed
	                              AND abs(contribution_change) > 1e-9) AS unmoved_blamed
	      FROM healthscore.score_changes GROUP BY model, account_key) AS p
	JOIN healthscore.current_scores AS s USING (model, account_key)
	WHERE s.previous_score IS NOT NULL AND s.window_start_score IS NOT NULL")
read -r accounts add_up window_add_up unmoved <<<"$parts"
if [ -n "$accounts" ] && [ "$accounts" -gt 0 ] && [ "$add_up" = "$accounts" ] && [ "$window_add_up" = "$accounts" ] &&
	[ "$unmoved" = 0 ]; then
	ok "score_changes parts add up to the score change and window_change of all $accounts accounts; unmoved signals have none"
else
	not_ok "score_changes parts add up and unmoved signals have none"
	echo "accounts, adding up, window adding up, unmoved signals with a part: $parts" | diag
fi
# the calibration, recomputed here from the scores, the outcomes and the stored coefficients
calibration=$(q "$db" "
	WITH c AS (SELECT * FROM healthscore.calibrations WHERE model = 'default'),
	held_out AS (
		SELECT r.run_id, s.account_key, 1 / (1 + exp(-(c.intercept + c.slope * s.score / 100))) AS p,
		       (o.churned_on IS NOT NULL AND o.churned_on <= (r.as_of + interval '120 days')::date) AS churned
		FROM c JOIN healthscore.runs AS r ON r.model = c.model AND r.fingerprint = c.fingerprint
		     AND (r.as_of, r.run_id) > (c.fit_until, c.fit_last_run) AND r.as_of + interval '120 days' <= '2026-10-28'
		JOIN healthscore.scores AS s ON s.run_id = r.run_id AND s.score IS NOT NULL
		LEFT JOIN sample.churn_outcomes AS o ON o.account_id::text = s.account_key
		WHERE o.churned_on IS NULL OR o.churned_on > r.as_of::date),
	binned AS (SELECT h.*, ntile(10) OVER (ORDER BY h.p, h.run_id, h.account_key COLLATE \"C\") AS bin FROM held_out AS h),
	mine AS (SELECT bin, count(*) AS n, count(*) FILTER (WHERE churned) AS churned, avg(p) AS predicted,
	                avg(churned::int) AS observed FROM binned GROUP BY bin),
	overall AS (SELECT avg((p - churned::int) ^ 2) AS brier, avg(churned::int) AS base,
	                   -avg(CASE WHEN churned THEN ln(p) ELSE ln(1 - p) END) AS log_loss FROM held_out),
	theirs AS (SELECT * FROM healthscore.calibration('default', known_until => '2026-10-28'))
	SELECT count(*) || ' ' || count(*) FILTER (WHERE m.n = t.rows AND m.churned = t.churned
	                                          AND abs(m.predicted - t.mean_predicted) < 1e-12
	                                          AND abs(m.observed - t.observed_rate) < 1e-12
	                                          AND abs(o.brier - t.brier) < 1e-12
	                                          AND abs(1 - o.brier / (o.base * (1 - o.base)) - t.brier_skill) < 1e-12
	                                          AND abs(o.log_loss - t.log_loss) < 1e-12)
	       || ' ' || round(min(t.brier_skill)::numeric, 4) || ' ' || min(t.test_rows)
	FROM mine AS m JOIN theirs AS t USING (bin), overall AS o")
read -r bins matching skill rows <<<"$calibration"
if [ "$bins" = 10 ] && [ "$matching" = 10 ]; then
	ok "calibration by decile, Brier score, skill ($skill) and log loss equal an independent computation ($rows held-out rows)"
else
	not_ok "calibration equals an independent computation"
	echo "deciles, matching, skill, rows: $calibration" | diag
fi
# compare_models against evaluate(): each run's AUC, averaged over the latest run at each as-of time
aucs=$(q "$db" "
	WITH latest AS (SELECT e.model, e.auc FROM (VALUES ('default'), ('default_suggested')) AS v(model)
	                CROSS JOIN LATERAL (SELECT v.model, x.* FROM healthscore.evaluate(v.model, '120 days', '2026-10-28') AS x) AS e
	                WHERE e.run_id = (SELECT max(r.run_id) FROM healthscore.runs AS r WHERE r.model = e.model AND r.as_of = e.as_of)),
	c AS (SELECT * FROM healthscore.compare_models('default', 'default_suggested', '120 days', '2026-10-28') WHERE measure = 'auc')
	SELECT (abs(c.value_a - (SELECT avg(auc) FROM latest WHERE model = 'default')) < 1e-12
	        AND abs(c.value_b - (SELECT avg(auc) FROM latest WHERE model = 'default_suggested')) < 1e-12)
	       || ' ' || round(c.value_a::numeric, 4) || ' ' || round(c.value_b::numeric, 4) || ' ' || c.runs
	FROM c")
read -r equal auc_default auc_suggested compared_runs <<<"$aucs"
if [ "$equal" = true ]; then
	ok "compare_models' AUCs ($auc_default, $auc_suggested over $compared_runs runs) equal evaluate()'s, run by run averaged"
else
	not_ok "compare_models' AUCs equal evaluate()'s"
	echo "equal, default, suggested, runs: $aucs" | diag
fi
tap_done

# Shared by test/fdw.sh and test/citus.sh (sourced after test/tap.sh): the model both deployments
# score, and the comparison of a deployment's scores with those of the same model over a local
# copy of the events.

# scale_out_model_sql MODEL ACCOUNTS RELATION: the SQL that defines MODEL over the events in
# RELATION: a filtered count, a distinct count, stickiness, a floating sum, last use, and seats in
# use divided by the account's seats after grouping (per_account)
scale_out_model_sql() {
	local model=$1 accounts=$2 relation=$3
	echo "
		SELECT healthscore.create_model('$model', accounts => '$accounts', key => 'account_id', value => 'arr');
		SELECT healthscore.add_signal('$model', 'logins_30d', source => '$relation', key => 'account_id',
		       expression => \$\$count(*) FILTER (WHERE s.feature = 'login')\$\$, time_column => 'ts', lookback => '30 days',
		       scoring => 'linear', worst => 0, best => 20, weight => 20, missing => 'zero');
		SELECT healthscore.add_signal('$model', 'users_30d', source => '$relation', key => 'account_id',
		       expression => 'healthscore.distinct_count(s.user_id)', time_column => 'ts', lookback => '30 days',
		       scoring => 'linear', worst => 0, best => 30, weight => 20, missing => 'zero');
		SELECT healthscore.add_signal('$model', 'stickiness_30d', source => '$relation', key => 'account_id',
		       expression => 'healthscore.stickiness(s.user_id, s.ts)', time_column => 'ts', lookback => '30 days',
		       scoring => 'linear', worst => 0, best => 0.5, weight => 20, missing => 'zero');
		SELECT healthscore.add_signal('$model', 'spend_30d', source => '$relation', key => 'account_id',
		       expression => 'sum(s.amount)', time_column => 'ts', lookback => '30 days',
		       scoring => 'logarithmic', worst => 1, best => 5000, weight => 20, missing => 'zero');
		SELECT healthscore.add_signal('$model', 'last_use', source => '$relation', key => 'account_id',
		       expression => 'max(s.ts)', time_column => 'ts', scoring => 'decay', half_life => '7 days', weight => 20,
		       missing => 'zero');
		SELECT healthscore.add_signal('$model', 'seat_use', source => '$relation', key => 'account_id',
		       expression => 'healthscore.distinct_count(s.user_id)::float8', per_account => 'value / account.seats',
		       time_column => 'ts', lookback => '30 days', scoring => 'linear', worst => 0, best => 1, weight => 20,
		       missing => 'zero');"
}

# scale_out_compare DB MODEL: MODEL's current run against that of the model 'local', account by
# account, as one line: accounts, accounts whose counts, exact sets and times are equal, whose sum
# is within 1e-12 relative, whose score is, whose tier is equal
scale_out_compare() {
	q "$1" "
	SELECT count(*) || ' ' ||
	       count(*) FILTER (WHERE s.raw_values[1:3] IS NOT DISTINCT FROM l.raw_values[1:3]
	                          AND s.raw_values[5:6] IS NOT DISTINCT FROM l.raw_values[5:6]) || ' ' ||
	       count(*) FILTER (WHERE abs(s.raw_values[4] - l.raw_values[4]) <= 1e-12 * abs(l.raw_values[4])
	                          OR s.raw_values[4] IS NOT DISTINCT FROM l.raw_values[4]) || ' ' ||
	       count(*) FILTER (WHERE abs(s.score - l.score) <= 1e-12 * l.score OR s.score IS NOT DISTINCT FROM l.score) || ' ' ||
	       count(*) FILTER (WHERE s.tier = l.tier)
	FROM healthscore.current_scores AS sc
	JOIN healthscore.scores AS s ON s.run_id = sc.run_id AND s.account_key = sc.account_key
	JOIN healthscore.current_scores AS lc ON lc.model = 'local' AND lc.account_key = sc.account_key
	JOIN healthscore.scores AS l ON l.run_id = lc.run_id AND l.account_key = lc.account_key
	WHERE sc.model = '$2'"
}

-- What moved a score between two runs (score_changes.c): refresh() writes the largest movers of
-- each account, the score_changes view lists every signal.

CREATE FUNCTION healthscore_internal.contributions(out_signals text[], signals text[], points float8[],
												   weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_contributions'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.contributions(text[], text[], float8[], float8[]) IS
'each of out_signals'' points * weight share in one run, as the components view has them (they add up to the score), NULL for a signal the run skipped or does not have';

CREATE FUNCTION healthscore_internal.contribution_changes(out_signals text[], signals text[], points float8[],
														  weights float8[], categories text[], group_weights float8[],
														  previous_signals text[], previous_points float8[],
														  previous_weights float8[], previous_categories text[],
														  previous_group_weights float8[])
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_contribution_changes'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.contribution_changes(text[], text[], float8[], float8[], text[], float8[], text[], float8[], float8[], text[], float8[]) IS
'each of out_signals'' part of the score change between two runs (they add up to it; a signal whose points and weight did not move has none, one that appeared or went missing has the effect of its joining or leaving; with group weights, over the groups and then within them), 0 for a signal of neither run, NULL when either run has no score';

CREATE FUNCTION healthscore_internal.change_reasons(signals text[], raw_values float8[], points float8[],
													weights float8[], categories text[], group_weights float8[],
													previous_signals text[], previous_raw_values float8[],
													previous_points float8[], previous_weights float8[],
													previous_categories text[], previous_group_weights float8[],
													how_many integer)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_change_reasons'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.change_reasons(text[], float8[], float8[], float8[], text[], float8[], text[], float8[], float8[], float8[], text[], float8[], integer) IS
'the how_many signals with the largest parts of the score change between two runs (as contribution_changes() splits it): "signal before -> now (+-points)", NULL when none has 0.05 points or more, or without a run before';

CREATE FUNCTION healthscore_internal.trend_over_window(score float8, window_start_score float8, threshold float8)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_trend_over_window'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.trend_over_window(float8, float8, float8) IS
'up, down or flat: the score against the score at the start of the trend window and the trend threshold; new without a start';

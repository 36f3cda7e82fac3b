-- Function paired_auc_bootstrap (model_comparison.c): the AUC difference of two models on the
-- same rows, with a bootstrap interval that resamples accounts.

CREATE FUNCTION healthscore_internal.paired_auc_bootstrap(runs integer[], accounts integer[], score_a float8[],
														  score_b float8[], churned boolean[], samples integer,
														  seed bigint)
RETURNS float8[]
AS 'MODULE_PATHNAME', 'healthscore_paired_auc_bootstrap'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.paired_auc_bootstrap(integer[], integer[], float8[], float8[], boolean[], integer, bigint) IS
'{difference, low, high}: mean per-run AUC of score_a minus that of score_b, and its 95% percentile interval from a paired bootstrap of accounts (samples resamples, seeded); NULL without a run holding churned and retained rows';

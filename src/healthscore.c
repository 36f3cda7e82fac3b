/*
 * healthscore.c
 *		Module entry point of the healthscore extension.
 *
 * The C code is split by concern:
 *	arguments.c			argument checks shared by everything below (the NaN/Infinity policy)
 *	scoring.c			raw value -> points: linear, logarithmic, bands, decay
 *	tier.c				score -> tier label
 *	weighted_score.c	aggregate: points and weights -> one score
 *	score_breakdown.c	one account's run as arrays in signal order -> score, reasons, worst
 *						signal (how refresh() writes history)
 *	sparkline.c			scores as bars: stored as digits, drawn for the client's encoding
 *	score_changes.c		what moved a score between two runs, signal by signal
 *	aggstate.c			fixed-size float8[]/int8[] aggregate states shared by the aggregates
 *	aggregate_support.c	internal aggregate states: aggregate context, combine, serialized headers
 *	trend.c				aggregates trend, relative_trend: slope of a signal over time
 *	nps.c				aggregate nps: Net Promoter Score
 *	distinct_set.c		exact hash set with validated serialization (internal aggregate states)
 *	distinct_count.c	aggregate distinct_count for bigint, text, uuid
 *	stickiness.c		aggregate stickiness: daily active / distinct users
 *	revenue.c			aggregates net_retention, gross_retention; lifetime_value
 *	visibility.c		account_visible(): row-level security of the account relation for the views
 *	auc.c				aggregate auc: exact ROC AUC (Mann-Whitney), interruptible sort
 *	logistic.c			aggregate logistic_fit: logistic regression by Newton's method
 * Health models (models.sql, refresh.sql, views.sql, validation.sql, privileges.sql) are SQL and
 * PL/pgSQL on top.
 * Each has a matching src/<concern>.sql holding its SQL definitions and comments.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

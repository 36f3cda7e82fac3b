/*
 * healthscore.c
 *		Module entry point of the healthscore extension.
 *
 * The C code is split by concern:
 *	arguments.c			argument checks shared by everything below (the NaN/Infinity policy)
 *	scoring.c			raw value -> points: linear, logarithmic, bands, decay
 *	tier.c				score -> tier label
 *	weighted_score.c	aggregate: points and weights -> one score
 * Each has a matching src/<concern>.sql holding its SQL definitions and comments.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

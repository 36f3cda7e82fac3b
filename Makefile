# healthscore: customer health scoring inside PostgreSQL (PGXS build).
#
#   make demo     install what is missing, build, score a sample dataset in a throwaway cluster
#   make test     install what is missing, build with -Werror, run every suite in a throwaway cluster
#   make bench    benchmarks against plain-SQL baselines (SCALE=... to change the size)
#   make install  build and install into the PostgreSQL that $(PG_CONFIG) names
#
# demo, test and bench work before PostgreSQL is installed: they bootstrap first and then
# call make again, so the PGXS include below is optional on the first pass.

EXTENSION  = healthscore
# The version is written once, in the control file; the Makefile reads it.
EXTVERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(dir $(firstword $(MAKEFILE_LIST)))$(EXTENSION).control)
MODULE_big = healthscore

# One C file per concern; see README.md "Architecture".
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

# The install script is the concatenation of one SQL file per concern, in dependency order: the
# C concerns (functions, aggregates, types), the tables, internal helpers and triggers, running
# model text as its author (C functions that SQL generation also plans with), SQL generation, the model API, manual input, refresh, scheduling,
# views, validation, the health check, privileges. Each file uses only what the files before it
# define (test/sql_layers.sh checks).
SQL_PARTS = \
	src/healthscore.sql \
	src/model_text.sql \
	src/scoring.sql \
	src/tier.sql \
	src/weighted_score.sql \
	src/score_breakdown.sql \
	src/signal_groups.sql \
	src/score_changes.sql \
	src/sparkline.sql \
	src/trend.sql \
	src/nps.sql \
	src/state_types.sql \
	src/distinct_count.sql \
	src/stickiness.sql \
	src/revenue.sql \
	src/auc.sql \
	src/logistic.sql \
	src/rollup_calls.sql \
	src/calibration.sql \
	src/model_comparison.sql \
	src/signal_values.sql \
	src/visibility.sql \
	src/tables.sql \
	src/helpers.sql \
	src/integrity.sql \
	src/author.sql \
	src/generation.sql \
	src/model_checks.sql \
	src/models.sql \
	src/manual.sql \
	src/indicators.sql \
	src/rollups.sql \
	src/refresh.sql \
	src/schedule.sql \
	src/hierarchies.sql \
	src/views.sql \
	src/validation.sql \
	src/probability.sql \
	src/comparison.sql \
	src/check_model.sql \
	src/report_charts.sql \
	src/reports.sql \
	src/privileges.sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql

# Released install scripts (frozen: never edited once released) and the update scripts between
# versions, installed beside the current script so that ALTER EXTENSION healthscore UPDATE works
# from every released version. See README.md, "Upgrading" and "Contributing".
DATA = $(sort $(wildcard $(srcdir)/versions/$(EXTENSION)--*.sql))

# pg_regress suites in sql/ with expected output in expected/.
REGRESS = scoring tier weighted_score score_breakdown trend nps distinct_count stickiness revenue auc logistic_fit state_types rollups parallel parallel_signals models refresh views access manual validation calibration schedule security settings bad_input operations changes groups indicators hierarchies reports encoding
REGRESS_OPTS = --inputdir=$(srcdir)

# pg_isolation_regress suites (concurrent sessions) in test/isolation/specs/ with expected output in
# test/isolation/expected/; results go to output_iso/ (PGXS adds --outputdir=output_iso).
ISOLATION = refresh_refresh refresh_reader refresh_two_models refresh_notify
ISOLATION_OPTS = --inputdir=$(srcdir)/test/isolation

PG_CONFIG ?= pg_config
# -isystem: warnings in PostgreSQL's own headers (sign-compare under -Wextra) are not ours to fix.
PG_CPPFLAGS = -I$(srcdir)/src -isystem $(includedir_server)
# WERROR is set by "make test"; a plain "make install" on another compiler should not fail on a new warning.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(WERROR)

EXTRA_CLEAN = $(DATA_built)

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
endif

# The Makefile too: adding a part to SQL_PARTS must rebuild the script.
$(DATA_built): $(SQL_PARTS) Makefile
	cat $(SQL_PARTS) > $@

.PHONY: demo test bench bootstrap sql-parts

# The parts in their order, for test/sql_layers.sh.
sql-parts:
	@echo $(SQL_PARTS)

# Debian's PostgreSQL 15 by default, whatever else is installed.
PG15_CONFIG = /usr/lib/postgresql/15/bin/pg_config

bootstrap:
	@./test/bootstrap.sh

test: bootstrap
	@./test/run_all.sh "$(PG15_CONFIG)"

demo: bootstrap
	@./test/demo/demo.sh "$(PG15_CONFIG)"

bench: bootstrap
	@./test/bench/run.sh "$(PG15_CONFIG)" $(SCALE)

# Optional, not part of make test: healthscore on Citus 13.2 (a coordinator and two workers), Citus built
# from a source tree the developer names (AGPL, not in this repository); uses the healthscore installed.
#   make test-citus CITUS_SRC=/path/to/citus
.PHONY: test-citus
test-citus:
	@./test/citus.sh "$(PG15_CONFIG)" "$(CITUS_SRC)"

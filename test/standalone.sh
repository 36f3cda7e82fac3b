#!/usr/bin/env bash
# Every pg_regress suite runs alone, as TAP: each in a fresh database of its own (make installcheck
# REGRESS=<suite>), in a throwaway cluster without pg_cron preloaded, so that this also checks that
# make installcheck passes against a server without pg_cron (the schedule suite then takes its
# second expected output, expected/schedule_1.out). The combined run of make test checks the
# suites one after the other in one database, with pg_cron.
#
# Usage: test/standalone.sh PG_CONFIG (it makes its own cluster)
set -uo pipefail
cd "$(dirname "$0")/.."
pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}

if [ "${2:-}" != "--inside" ]; then
	. test/lib.sh
	port=$(free_port) || exit 1
	exec pg_virtualenv -t -v 15 -c "--locale=C.UTF-8 --port=$port" "$0" "$pg_config" --inside
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. test/tap.sh
read -r -a suites <<<"$(make -s --no-print-directory -f - PG_CONFIG="$pg_config" <<<'include Makefile
print-regress:
	@echo $(REGRESS)' print-regress)"
tap_plan ${#suites[@]}
for suite in "${suites[@]}"; do
	if make -s PG_CONFIG="$pg_config" installcheck REGRESS="$suite" ISOLATION= \
		REGRESS_OPTS="--inputdir=. --outputdir=$work/$suite --dbname=contrib_regression" >"$work/$suite.log" 2>&1; then
		ok "$suite runs alone, without pg_cron"
	else
		not_ok "$suite runs alone, without pg_cron"
		{ cat "$work/$suite/regression.diffs" 2>/dev/null || cat "$work/$suite.log"; } | head -n 60 | diag
	fi
done
tap_done

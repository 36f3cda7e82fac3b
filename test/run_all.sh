#!/usr/bin/env bash
# make test: build with warnings as errors, install, and run every suite in a throwaway cluster.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh
pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}

if ! build_and_install "$pg_config" -Werror; then
	echo "0 passed, 1 failed"
	exit 1
fi
# The closing line "N passed, N failed" comes last, after pg_virtualenv has dropped the cluster.
export HS_COUNTS
HS_COUNTS=$(mktemp)
trap 'rm -f "$HS_COUNTS"' EXIT
in_throwaway_cluster ./test/run_suites.sh "$pg_config"
rc=$?
read -r passed failed <"$HS_COUNTS" || { passed=0; failed=1; }	# the cluster itself failed
[ $rc -ne 0 ] && [ "${failed:-0}" -eq 0 ] && failed=1
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]

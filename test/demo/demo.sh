#!/usr/bin/env bash
# make demo: build and install, then in a throwaway PostgreSQL 15 cluster load the deterministic
# sample dataset (test/generators/sample_data.sql) and score every account with healthscore.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}

build_and_install "$pg_config"
in_throwaway_cluster bash -c '
	set -euo pipefail
	echo "Loading the sample dataset (2,000 accounts, ~200,000 usage events) ..."
	psql -X -q -v ON_ERROR_STOP=1 -f test/generators/sample_data.sql
	psql -X -q -v ON_ERROR_STOP=1 -f test/demo/health_scores.sql
'

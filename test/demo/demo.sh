#!/usr/bin/env bash
# make demo: build and install, then in a throwaway PostgreSQL 15 cluster load the deterministic
# sample dataset (test/generators/sample_data.sql) and score every account with healthscore.
set -euo pipefail
cd "$(dirname "$0")/../.."
. test/lib.sh
pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config}

# The reports are written here, outside the throwaway cluster, so that they outlive it.
reports=$(pwd)/demo-reports
mkdir -p "$reports"
build_and_install "$pg_config"
REPORTS=$reports in_throwaway_cluster bash -c '
	set -euo pipefail
	echo "Loading the sample dataset (2,000 accounts, ~200,000 usage events) ..."
	psql -X -q -v ON_ERROR_STOP=1 -f test/generators/sample_data.sql
	psql -X -q -v ON_ERROR_STOP=1 -f test/demo/health_scores.sql
	psql -X -q -v reports="$REPORTS" -f test/demo/reports.sql
'
echo
echo "The portfolio report of group cs:           $reports/portfolio_report.html"
echo "The review page of its top enterprise risk: $reports/account_report.html"
echo "(open them in a browser: self-contained HTML, nothing fetched)"

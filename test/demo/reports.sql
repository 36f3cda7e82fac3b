-- make demo: write the reports of the demo's models as files (psql -v reports=DIRECTORY), the way
-- README.md shows: unaligned, tuples only, so that a file holds exactly the page. Churn is known
-- until 2026-10-28; the names come from sample.account_names.
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\set portfolio :reports '/portfolio_report.html'
\set account :reports '/account_report.html'
\o :portfolio
SELECT healthscore.portfolio_report('cs', known_until => '2026-10-28', account_names => 'sample.account_names');
-- the review page of the enterprise account at the top of the risk list, for its QBR
\o :account
SELECT healthscore.account_report(r.model, r.account_key, account_names => 'sample.account_names')
FROM healthscore.risk_list AS r WHERE r.model = 'enterprise' ORDER BY r.priority LIMIT 1;
\o

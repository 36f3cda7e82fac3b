-- The reports: portfolio_report and account_report. User data full of markup and quotes comes out
-- escaped, and the page is ASCII without the characters COPY escapes; every chart's marks carry
-- the numbers of the views they are drawn from; session settings change no byte; a reader sees
-- only its accounts; wrong arguments are errors with a hint; a model without outcomes and an empty
-- risk list read as such. Only booleans, counts and short strings are printed.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
CREATE SCHEMA rep;
-- 60 core accounts (the last two with hostile keys, one owned by a hostile owner) and 6 small
-- ones; h is a latent health: a permutation of 1..60 / 61 for the core ones
CREATE TABLE rep.accounts (account_key text PRIMARY KEY, segment text NOT NULL, arr numeric, csm text, renewal date,
                           h float8 NOT NULL);
INSERT INTO rep.accounts
SELECT CASE i WHEN 59 THEN '<script>alert(1)</script>' WHEN 60 THEN 'O''Brien "x" & <b>' ELSE 'acc' || lpad(i::text, 3, '0') END,
       'core', 1000 * i + 500,
       CASE WHEN i = 60 THEN '"><img src=x onerror=alert(1)>' WHEN i % 2 = 1 AND i <> 59 THEN 'ana' ELSE 'bo' END,
       date '2026-08-01' + 3 * i, CASE WHEN i = 59 THEN 0.3 ELSE ((i * 37) % 61) / 61.0 END
FROM generate_series(1, 60) AS i;
INSERT INTO rep.accounts
SELECT 'sml' || lpad(i::text, 3, '0'), 'small', 100 * i, CASE WHEN i % 2 = 1 THEN 'ana' ELSE 'bo' END, NULL, i / 7.0
FROM generate_series(1, 6) AS i;
-- one row a week per account, the day before each run: usage around 100 h, tickets 0..6
CREATE TABLE rep.metrics (account_key text, day date, usage float8, tickets float8);
INSERT INTO rep.metrics
SELECT a.account_key, date '2026-05-31' + 7 * w,
       greatest(0, least(100, 100 * a.h + ((n * 7 + w * 13) % 21) - 10)), (n * 3 + w) % 7
FROM (SELECT account_key, h, row_number() OVER (ORDER BY segment, account_key) AS n FROM rep.accounts) AS a,
     generate_series(0, 7) AS w;
-- churn on August 15, more often for the less healthy, not perfectly
CREATE TABLE rep.churn (account_key text PRIMARY KEY, churned_on date);
INSERT INTO rep.churn
SELECT account_key, date '2026-08-15'
FROM (SELECT account_key, h, row_number() OVER (ORDER BY account_key) AS n FROM rep.accounts WHERE segment = 'core') AS a
WHERE h + ((n * 11) % 10) / 20.0 - 0.25 < 0.4;
SELECT count(*) AS churned_accounts FROM rep.churn;
-- names: non-ASCII, markup and quotes; a NULL name stays a key
CREATE TABLE rep.names_table (account_key text, name text);
INSERT INTO rep.names_table VALUES ('acc001', 'Café Ωmega'), ('<script>alert(1)</script>', 'Evil "Corp" <script>alert(4)</script>'),
  ('O''Brien "x" & <b>', 'O''Neil''s <b>bold</b> & co'), ('acc003', NULL), ('sml001', 'Small & "first"');
CREATE VIEW rep.names AS SELECT account_key, name FROM rep.names_table;
-- a relation without the columns account_key and name
CREATE TABLE rep.labels (id text, label text);

-- the group rep: rep_main over the core accounts (outcomes, calibration, an assessment signal,
-- indicators, a playbook, an override), rep_small over the small ones, tiers with markup in their labels
SELECT healthscore.create_model('rep_main', accounts => 'rep.accounts', key => 'account_key', value => 'arr',
       owner => 'csm', renewal => 'renewal', description => 'Core accounts <script>alert(3)</script>',
       model_group => 'rep', priority => 10, segment_filter => $$account.segment = 'core'$$);
SELECT healthscore.create_model('rep_small', accounts => 'rep.accounts', key => 'account_key', value => 'arr',
       owner => 'csm', model_group => 'rep', priority => 0, segment_filter => $$account.segment = 'small'$$,
       tier_labels => '{"at <risk>","o''k","good \"g\""}');
SELECT healthscore.add_signal(m, 'usage', source => 'rep.metrics', key => 'account_key', expression => 'max(s.usage)',
       time_column => 'day', lookback => '7 days', scoring => 'linear', worst => 0, best => 100, weight => 3)
FROM unnest('{rep_main,rep_small}'::text[]) AS m;
SELECT healthscore.add_signal('rep_main', 'tickets', source => 'rep.metrics', key => 'account_key', expression => 'max(s.tickets)',
       time_column => 'day', lookback => '7 days', scoring => 'linear', worst => 10, best => 0, weight => 1);
SELECT healthscore.add_signal('rep_main', 'relationship', scoring => 'assessment', factor => 'executive relationship', weight => 1);
SELECT healthscore.add_indicator('rep_main', 'weak_sponsor', 'rating_below', 'relationship', threshold => 3,
       description => 'the sponsor is rated below 3 <b>');
SELECT healthscore.add_indicator('rep_main', 'ticket_storm', 'above', 'tickets', threshold => 5);
SELECT healthscore.add_playbook('rep_main', 'Call <i>now</i> & escalate', tier => 'red', owner_role => 'CSM "lead"') > 0 AS playbook;
SELECT healthscore.assess('O''Brien "x" & <b>', 'executive relationship', rating => 2,
       note => E'</td><script>alert(2)</script>\nsecond line\tC:\\temp', valid_for => '365 days',
       assessed_at => '2026-05-01') > 0 AS rated;
SELECT healthscore.assess('<script>alert(1)</script>', 'executive relationship', rating => 4, note => 'fine',
       valid_for => '365 days', assessed_at => '2026-05-01') > 0 AS rated;
SELECT healthscore.assess('acc001', 'executive relationship', rating => 5, note => 'Café Ωmega champion',
       valid_for => '365 days', assessed_at => '2026-05-01') > 0 AS rated;
SELECT healthscore.set_override('rep_main', 'O''Brien "x" & <b>', 'red', '</td><script>alert(2)</script>',
       expires_at => '2027-01-01', set_at => '2026-05-01') > 0 AS overridden;
SELECT healthscore.set_override('rep_main', '<script>alert(1)</script>', 'yellow', 'kept <yellow>', expires_at => '2030-01-01',
       set_at => '2026-05-01') > 0 AS overridden;
SELECT healthscore.set_outcomes('rep_main', 'rep.churn', key => 'account_key', churned_on => 'churned_on');
-- six weekly runs, a calibration on them, and a seventh run that writes churn probabilities; the
-- small model is refreshed twice at the last time (the chart counts the latest run at each time)
SET client_min_messages = warning;
SELECT count(*) AS runs FROM unnest('{rep_main,rep_small}'::text[]) AS m,
       healthscore.backfill(m, '2026-06-01', '2026-07-06', '1 week');
RESET client_min_messages;
SELECT horizon, fit_runs, fit_rows, fit_churned, slope < 0 AS score_lowers_churn
FROM healthscore.calibrate('rep_main', '90 days', '2026-12-31');
SELECT count(*) AS runs FROM healthscore.refresh_group('rep', '2026-07-13');
SELECT healthscore.refresh('rep_small', '2026-07-13') > 0 AS refreshed_again;
SELECT model, count(*) AS runs, count(DISTINCT as_of) AS as_of_times FROM healthscore.runs WHERE model LIKE 'rep%'
GROUP BY model ORDER BY model;
SELECT model, tier, count(*) AS accounts FROM healthscore.current_scores WHERE model_group = 'rep'
GROUP BY model, tier, tier_rank ORDER BY model, tier_rank;
SELECT count(*) AS risk_list, count(expected_loss) AS with_expected_loss,
       count(*) FILTER (WHERE overridden) AS overridden, count(indicators) AS with_indicators,
       count(*) FILTER (WHERE action LIKE 'Call%') AS with_playbook
FROM healthscore.risk_list WHERE model LIKE 'rep%';

-- helpers that read a page: the charts of a name, their marks, a table's rows, a KPI; and HTML
-- escaping written out here, to find user data in a page
CREATE FUNCTION rep.charts(html text, chart text) RETURNS TABLE (n bigint, body text)
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.n, split_part(t.piece, '</figure>', 1)
	FROM regexp_split_to_table(html, '<figure ') WITH ORDINALITY AS t(piece, n)
	WHERE t.n > 1 AND position(format(' data-chart="%s"', chart) IN split_part(t.piece, '>', 1)) > 0
$$;
CREATE FUNCTION rep.marks(html text, chart text) RETURNS TABLE (chart_n bigint, n bigint, series text, x text, value numeric)
LANGUAGE sql IMMUTABLE AS $$
	SELECT c.n, m.n, m.r[2], m.r[3], m.r[4]::numeric
	FROM rep.charts(html, chart) AS c,
	     regexp_matches(c.body, '<(rect|circle) class="mark"[^>]* data-series="([^"]*)" data-x="([^"]*)" data-value="([^"]*)"', 'g')
	         WITH ORDINALITY AS m(r, n)
$$;
CREATE FUNCTION rep.table_rows(html text, name text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN position(format('data-table="%s"', name) IN html) = 0 THEN NULL
	            ELSE (length(t) - length(replace(t, '<tr>', ''))) / 4 - 1 END
	FROM (SELECT split_part(split_part(html, format('data-table="%s">', name), 2), '</table>', 1) AS t) AS x
$$;
CREATE FUNCTION rep.kpi(html text, name text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT substring(html FROM format('data-kpi="%s"><b>([^<]*)</b>', name))
$$;
CREATE FUNCTION rep.esc(value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(replace(replace(replace(replace(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

-- an onerror attribute: in a tag and outside the quoted values of its attributes
CREATE FUNCTION rep.onerror_attribute(html text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT html ~* '<[a-z]([^<>"]|"[^"]*")*([\s/]|"[^"]*")onerror\s*='
$$;
SELECT rep.onerror_attribute('<img src=x onerror=alert(1)>') AS raw, rep.onerror_attribute('<p><img src="x"onerror="a()"></p>') AS glued,
       rep.onerror_attribute('<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>') AS escaped_text,
       rep.onerror_attribute('<rect data-x="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">') AS escaped_attribute;

-- the pages the checks read
CREATE TEMP TABLE pages (page text PRIMARY KEY, html text);
INSERT INTO pages VALUES
  ('group', healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')),
  ('group plain', healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00')),
  ('main', healthscore.portfolio_report('rep_main', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')),
  ('script key', healthscore.account_report('rep_main', '<script>alert(1)</script>', 'rep.names')),
  ('quotes key', healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')),
  ('quotes key plain', healthscore.account_report('rep_main', 'O''Brien "x" & <b>')),
  ('cafe', healthscore.account_report('rep_main', 'acc001', 'rep.names')),
  ('small', healthscore.account_report('rep_small', 'sml001', 'rep.names'));
SELECT page, html LIKE '<!DOCTYPE html><html lang="en">%</html>' AS whole_page FROM pages ORDER BY page;
SELECT page, string_agg(DISTINCT substring(f FROM 'data-chart="([a-z_]+)"'), ',') AS charts
FROM pages, regexp_split_to_table(html, '<figure ') AS f WHERE f LIKE 'class="chart%'
GROUP BY page ORDER BY page;

-- 1. Escaping: nothing planted is markup, everything planted is there escaped, the page is ASCII
-- without tab, newline, carriage return or backslash
SELECT count(*) AS pages,
       bool_and(position('<script' IN html) = 0) AS no_script,
       bool_and(position('<img' IN html) = 0) AS no_img,
       bool_and(NOT rep.onerror_attribute(html)) AS no_onerror_attribute,
       bool_and(position('<b>bold' IN html) = 0 AND position('& <b>' IN html) = 0 AND position('"x" &' IN html) = 0) AS no_planted_b,
       bool_and(position('<i>now' IN html) = 0) AS no_planted_i,
       bool_and(position('</td><script' IN html) = 0) AS no_planted_cell_end,
       bool_and(html !~ '[^\x20-\x7e]') AS ascii_only,
       bool_and(position(E'\t' IN html) = 0 AND position(E'\n' IN html) = 0 AND position(E'\r' IN html) = 0
                AND position(E'\\' IN html) = 0) AS nothing_copy_escapes
FROM pages;
SELECT position('&lt;script&gt;alert(1)&lt;/script&gt;' IN html) > 0 AS script_key,
       position('O&#39;Brien &quot;x&quot; &amp; &lt;b&gt;' IN html) > 0 AS quotes_key,
       position('Evil &quot;Corp&quot; &lt;script&gt;alert(4)&lt;/script&gt; <small>&lt;script&gt;alert(1)&lt;/script&gt;</small>' IN html) > 0 AS script_name,
       position('O&#39;Neil&#39;s &lt;b&gt;bold&lt;/b&gt; &amp; co <small>O&#39;Brien' IN html) > 0 AS quotes_name,
       position('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' IN html) > 0 AS owner,
       position('override: &lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;' IN html) > 0 AS override_reason,
       position('Core accounts &lt;script&gt;alert(3)&lt;/script&gt;' IN html) > 0 AS description,
       position('Call &lt;i&gt;now&lt;/i&gt; &amp; escalate <small>(CSM &quot;lead&quot;)</small>' IN html) > 0 AS playbook,
       position('at &lt;risk&gt;' IN html) > 0 AND position('o&#39;k' IN html) > 0
         AND position('good &quot;g&quot;' IN html) > 0 AS tier_labels,
       position('Small &amp; &quot;first&quot; <small>sml001</small>' IN html) > 0 AS small_name
FROM pages WHERE page = 'group';
-- the owner (30 characters) is a chart label too, whole and escaped
SELECT count(*) FILTER (WHERE x = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;') AS owner_marks, count(*) AS marks
FROM pages, rep.marks(html, 'value_by_owner') WHERE page = 'group';
-- without names, keys
SELECT position('<title>Portfolio health: rep</title>' IN html) > 0 AS title,
       position('Evil' IN html) = 0 AND position('Neil' IN html) = 0 AS no_names,
       position('<span class="acct">&lt;script&gt;alert(1)&lt;/script&gt;</span>' IN html) > 0 AS script_key,
       position('<span class="acct">O&#39;Brien &quot;x&quot; &amp; &lt;b&gt;</span>' IN html) > 0 AS quotes_key
FROM pages WHERE page = 'group plain';
-- the account pages: name and key in the title and heading, the note with its newline, tab and
-- backslash as references, the override's reason, the indicator's description, the owner
SELECT position('<title>Account review: O&#39;Neil&#39;s &lt;b&gt;bold&lt;/b&gt; &amp; co</title>' IN html) > 0 AS title,
       position('<h1>O&#39;Neil&#39;s &lt;b&gt;bold&lt;/b&gt; &amp; co <small>O&#39;Brien &quot;x&quot; &amp; &lt;b&gt;</small></h1>' IN html) > 0 AS heading,
       position('<td>&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#10;second line&#9;C:&#92;temp</td>' IN html) > 0 AS note,
       position('<td>&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;</td>' IN html) > 0 AS override_reason,
       position('the sponsor is rated below 3 &lt;b&gt;' IN html) > 0 AS indicator,
       position('<b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b>' IN html) > 0 AS owner
FROM pages WHERE page = 'quotes key';
-- without names, the key is the title and the heading
SELECT position('<title>Account review: O&#39;Brien &quot;x&quot; &amp; &lt;b&gt;</title>' IN html) > 0 AS title_is_the_key,
       position('<h1>O&#39;Brien &quot;x&quot; &amp; &lt;b&gt;</h1>' IN html) > 0 AS heading_is_the_key,
       position('Neil' IN html) = 0 AS no_name
FROM pages WHERE page = 'quotes key plain';
-- the other override, its reason and expiry
SELECT position('<title>Account review: Evil &quot;Corp&quot; &lt;script&gt;alert(4)&lt;/script&gt;</title>' IN html) > 0 AS title,
       position('<h1>Evil &quot;Corp&quot; &lt;script&gt;alert(4)&lt;/script&gt; <small>&lt;script&gt;alert(1)&lt;/script&gt;</small></h1>' IN html) > 0 AS heading,
       position('<td>kept &lt;yellow&gt;</td>' IN html) > 0 AS override_reason,
       position('<td>2026-05-01</td><td>2030-01-01</td></tr></table>' IN html) > 0 AS expiry
FROM pages WHERE page = 'script key';
-- a NULL name leaves the key
SELECT position('<h1>acc003</h1>' IN html) > 0 AS heading_is_the_key, position('<title>Account review: acc003</title>' IN html) > 0 AS title
FROM (SELECT healthscore.account_report('rep_main', 'acc003', 'rep.names') AS html) AS p;
-- non-ASCII as numeric character references: the name, and the note of the assessment
SELECT position('<h1>Caf&#233; &#937;mega <small>acc001</small></h1>' IN html) > 0 AS name,
       position('<td>Caf&#233; &#937;mega champion</td>' IN html) > 0 AS note,
       position('<title>Account review: Caf&#233; &#937;mega</title>' IN html) > 0 AS title
FROM pages WHERE page = 'cafe';
SELECT position('<h1>Small &amp; &quot;first&quot; <small>sml001</small></h1>' IN html) > 0 AS name,
       position('at &lt;risk&gt;' IN html) > 0 AND position('good &quot;g&quot;' IN html) > 0 AS tier_bands
FROM pages WHERE page = 'small';

-- 2. The numbers of the charts and tables are the views'
-- the KPIs
SELECT rep.kpi(html, 'accounts')::integer = (SELECT count(score) FROM healthscore.current_scores WHERE model_group = 'rep') AS accounts,
       position(format('%s accounts (%s scored)', (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep'),
                       (SELECT count(score) FROM healthscore.current_scores WHERE model_group = 'rep')) IN html) > 0 AS sub_heading,
       replace(rep.kpi(html, 'total_value'), ',', '')::numeric = (SELECT round(sum(value)) FROM healthscore.current_scores WHERE model_group = 'rep') AS total_value,
       rep.kpi(html, 'worst_tier')::integer = (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep' AND tier_rank = 1) AS worst_tier,
       replace(rep.kpi(html, 'value_at_risk'), ',', '')::numeric = (SELECT round(sum(value_at_risk)::numeric) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS value_at_risk,
       replace(rep.kpi(html, 'expected_loss'), ',', '')::numeric = (SELECT round(sum(expected_loss)::numeric) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS expected_loss
FROM pages WHERE page = 'group';
-- the tier distribution: per as-of time and tier, the accounts of tier_summary of the latest run of
-- each model at that time, summed over the group's models
WITH latest AS (
	SELECT DISTINCT ON (model, as_of) run_id FROM healthscore.runs WHERE model IN ('rep_main', 'rep_small') ORDER BY model, as_of, run_id DESC
), expected AS (
	SELECT to_char(as_of, 'YYYY-MM-DD') AS x, rep.esc(tier) AS series, sum(accounts)::numeric AS value
	FROM healthscore.tier_summary WHERE run_id IN (SELECT run_id FROM latest) GROUP BY as_of, tier
), drawn AS (
	SELECT x, series, value FROM pages, rep.marks(html, 'tier_distribution') WHERE page = 'group'
)
SELECT (SELECT count(*) FROM drawn) AS marks, (SELECT count(*) FROM expected) AS expected,
       (SELECT count(*) FROM (SELECT * FROM drawn EXCEPT SELECT * FROM expected) AS d) AS not_expected,
       (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM drawn) AS d) AS not_drawn,
       (SELECT sum(value) FROM drawn WHERE x = '2026-07-13') AS accounts_at_the_last_time;
-- value at risk and expected loss by tier, and by owner (risk_list)
WITH expected AS (
	SELECT rep.esc(tier) AS x, 'value at risk' AS series, sum(value_at_risk) AS value FROM healthscore.risk_list WHERE model LIKE 'rep%' GROUP BY tier
	UNION ALL
	SELECT rep.esc(tier), 'expected loss', sum(expected_loss) FROM healthscore.risk_list WHERE model LIKE 'rep%' GROUP BY tier
), drawn AS (
	SELECT x, series, value FROM pages, rep.marks(html, 'value_by_tier') WHERE page = 'group'
)
SELECT (SELECT count(*) FROM drawn) AS marks, (SELECT count(value) FROM expected) AS expected,
       (SELECT count(*) FROM drawn AS d JOIN expected AS e USING (x, series) WHERE abs(d.value - e.value::numeric) < 1e-6) AS equal;
WITH expected AS (
	SELECT rep.esc(coalesce(owner, '(no owner)')) AS x, 'value at risk' AS series, sum(value_at_risk) AS value
	FROM healthscore.risk_list WHERE model LIKE 'rep%' GROUP BY owner
	UNION ALL
	SELECT rep.esc(coalesce(owner, '(no owner)')), 'expected loss', sum(expected_loss) FROM healthscore.risk_list WHERE model LIKE 'rep%' GROUP BY owner
), drawn AS (
	SELECT x, series, value FROM pages, rep.marks(html, 'value_by_owner') WHERE page = 'group'
)
SELECT (SELECT count(*) FROM drawn) AS marks, (SELECT count(value) FROM expected) AS expected,
       (SELECT count(*) FROM drawn AS d JOIN expected AS e USING (x, series) WHERE abs(d.value - e.value::numeric) < 1e-6) AS equal;
-- top movers: the ten largest changes of current_scores, largest first, labelled with their names
WITH expected AS (
	SELECT row_number() OVER (ORDER BY abs(c.change) DESC, c.account_key, c.model) AS n,
	       rep.esc(coalesce(nt.name, c.account_key)) AS x, c.change
	FROM healthscore.current_scores AS c LEFT JOIN rep.names_table AS nt USING (account_key)
	WHERE c.model_group = 'rep' AND c.change <> 0
	ORDER BY abs(c.change) DESC, c.account_key, c.model LIMIT 10
), drawn AS (
	SELECT n, x, value, series FROM pages, rep.marks(html, 'top_movers') WHERE page = 'group'
)
SELECT (SELECT count(*) FROM drawn) AS marks,
       (SELECT count(*) FROM drawn AS d JOIN expected AS e USING (n, x)
        WHERE abs(d.value - e.change::numeric) < 1e-6 AND d.series = CASE WHEN e.change > 0 THEN 'score up' ELSE 'score down' END) AS equal,
       rep.table_rows((SELECT html FROM pages WHERE page = 'group'), 'top_movers') AS table_rows;
-- validation: AUC per evaluable run, churn by tier, calibration (the stored one: 90 days)
SELECT (SELECT count(*) FROM pages, rep.marks(html, 'auc') WHERE page = 'group') AS auc_marks,
       (SELECT count(*) FROM pages, rep.marks(html, 'auc') AS m
        JOIN healthscore.evaluate('rep_main', '90 days', '2026-12-31 00:00+00') AS e ON to_char(e.as_of, 'YYYY-MM-DD') = m.x
        WHERE page = 'group' AND abs(m.value - e.auc::numeric) < 1e-6) AS auc_equal,
       (SELECT count(*) FROM pages, rep.marks(html, 'churn_by_tier') WHERE page = 'group') AS churn_by_tier_marks,
       (SELECT count(*) FROM healthscore.evaluate_tiers('rep_main', '90 days', '2026-12-31 00:00+00')) AS evaluate_tiers,
       (SELECT count(*) FROM pages, rep.marks(html, 'churn_by_tier') AS m
        JOIN healthscore.evaluate_tiers('rep_main', '90 days', '2026-12-31 00:00+00') AS e
          ON to_char(e.as_of, 'YYYY-MM-DD') = m.x AND rep.esc(e.tier) = m.series
        WHERE page = 'group' AND abs(m.value - e.churn_rate::numeric) < 1e-6) AS churn_rates_equal,
       (SELECT count(*) FROM pages, rep.marks(html, 'calibration') WHERE page = 'group') AS calibration_marks,
       (SELECT count(*) FROM healthscore.calibration('rep_main', known_until => '2026-12-31 00:00+00')) AS calibration_bins,
       (SELECT count(*) FROM pages, rep.marks(html, 'calibration') AS m
        JOIN healthscore.calibration('rep_main', known_until => '2026-12-31 00:00+00') AS c ON m.x = 'decile ' || c.bin
        WHERE page = 'group' AND abs(m.value - c.observed_rate::numeric) < 1e-6) AS observed_rates_equal;
SELECT position('The stored calibration' IN html) > 0 AS says_stored,
       position('churn within 90 days after each run, known until 2026-12-31' IN html) > 0 AS horizon_of_the_calibration,
       rep.table_rows(html, 'accuracy') AS accuracy_rows,
       position('held-html' IN html) = 0 AND position('some html' IN html) = 0 AS no_garbled_words
FROM pages WHERE page = 'group';
-- the risk list: least(risk_rows, its rows) rows, most value at risk first
SELECT rep.table_rows(html, 'risk_list') AS risk_list_rows, (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS in_the_view,
       position(format('most value at risk first: %s of %s.', (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%'),
                       (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%')) IN html) > 0 AS note
FROM pages WHERE page = 'group';
SELECT r AS risk_rows, rep.table_rows(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', risk_rows => r), 'risk_list') AS table_rows
FROM unnest('{0,1,5,48,1000}'::integer[]) AS r ORDER BY r;
-- its first rows are the accounts of risk_list with the most value at risk
WITH expected AS (
	SELECT row_number() OVER (ORDER BY value_at_risk DESC NULLS LAST, score NULLS FIRST, account_key, model) AS n, account_key
	FROM healthscore.risk_list WHERE model LIKE 'rep%'
), listed AS (
	SELECT n - 2 AS n, substring(r FROM '<span class="acct">(.*)</span></td><td>rep_') AS account
	FROM pages, regexp_split_to_table(split_part(split_part(html, 'data-table="risk_list">', 2), '</table>', 1), '<tr>') WITH ORDINALITY AS t(r, n)
	WHERE page = 'group plain' AND n > 2
)
SELECT count(*) AS rows, count(*) FILTER (WHERE l.account = rep.esc(e.account_key)) AS in_order
FROM listed AS l JOIN expected AS e USING (n);
-- the account page: the health line is account_story's scores, each signal's chart its points
-- in components, the story table a row per run
WITH story AS (
	SELECT to_char(as_of, 'YYYY-MM-DD') AS x, score FROM healthscore.account_story('rep_main', 'O''Brien "x" & <b>')
), drawn AS (
	SELECT x, value FROM pages, rep.marks(html, 'health') WHERE page = 'quotes key'
)
SELECT (SELECT count(*) FROM drawn) AS health_marks, (SELECT count(score) FROM story) AS scores,
       (SELECT count(*) FROM drawn JOIN story USING (x) WHERE abs(drawn.value - story.score::numeric) < 1e-6) AS equal,
       rep.table_rows((SELECT html FROM pages WHERE page = 'quotes key'), 'story') AS story_rows,
       rep.table_rows((SELECT html FROM pages WHERE page = 'quotes key'), 'score_changes') AS score_change_rows,
       rep.table_rows((SELECT html FROM pages WHERE page = 'quotes key'), 'indicators') AS indicator_rows,
       rep.table_rows((SELECT html FROM pages WHERE page = 'quotes key'), 'overrides') AS override_rows,
       rep.table_rows((SELECT html FROM pages WHERE page = 'quotes key'), 'assessments') AS assessment_rows;
WITH points AS (
	SELECT signal, to_char(as_of, 'YYYY-MM-DD') AS x, points FROM healthscore.components
	WHERE model = 'rep_main' AND account_key = 'O''Brien "x" & <b>'
), drawn AS (
	SELECT series, x, value FROM pages, rep.marks(html, 'signal') WHERE page = 'quotes key'
)
SELECT (SELECT count(DISTINCT chart_n) FROM pages, rep.marks(html, 'signal') WHERE page = 'quotes key') AS signal_charts,
       (SELECT count(*) FROM drawn) AS signal_marks, (SELECT count(points) FROM points) AS points,
       (SELECT count(*) FROM drawn JOIN points ON points.signal = drawn.series AND points.x = drawn.x
        WHERE abs(drawn.value - points.points::numeric) < 1e-6) AS equal;
SELECT rep.kpi(html, 'score') = (SELECT round(score::numeric, 1)::text FROM healthscore.current_scores WHERE model = 'rep_main' AND account_key = 'O''Brien "x" & <b>') AS score,
       position('(override; computed: yellow)' IN html) > 0 AS override_shown,
       rep.kpi(html, 'churn_probability') = (SELECT round(100 * churn_probability::numeric, 1) || '%' FROM healthscore.current_scores
                                            WHERE model = 'rep_main' AND account_key = 'O''Brien "x" & <b>') AS churn_probability,
       rep.kpi(html, 'renewal') = '2027-01-28' AS renewal
FROM pages WHERE page = 'quotes key';

-- 3. Session settings change no byte, and are the caller's again after the call
CREATE TEMP TABLE digests AS
SELECT md5(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')) AS portfolio,
       md5(healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')) AS account;
SELECT d.portfolio = md5(html) AS same_as_before FROM digests AS d, pages WHERE page = 'group';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = 3;
SET TimeZone = 'Asia/Kathmandu';
SET lc_numeric = 'C';
SET lc_monetary = 'C';
SELECT md5(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')) = d.portfolio AS portfolio_same,
       md5(healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')) = d.account AS account_same
FROM digests AS d;
SHOW DateStyle;
SHOW IntervalStyle;
SHOW extra_float_digits;
SHOW TimeZone;
SET DateStyle = 'German';
SET IntervalStyle = 'iso_8601';
SET extra_float_digits = -15;
SET TimeZone = 'America/St_Johns';
SELECT md5(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')) = d.portfolio AS portfolio_same,
       md5(healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')) = d.account AS account_same,
       md5(healthscore.account_report('rep_small', 'sml001', 'rep.names')) = md5(p.html) AS small_same
FROM digests AS d, pages AS p WHERE p.page = 'small';
SELECT current_setting('DateStyle') AS datestyle, current_setting('IntervalStyle') AS intervalstyle,
       current_setting('extra_float_digits') AS extra_float_digits, current_setting('TimeZone') AS timezone;
-- string literals read the old way: the page is the same (money keeps its thousands separators)
SET standard_conforming_strings = off;
SET escape_string_warning = off;
SELECT md5(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')) = d.portfolio AS portfolio_same,
       md5(healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')) = d.account AS account_same
FROM digests AS d;
SELECT rep.kpi(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00'), 'total_value') AS total_value,
       current_setting('standard_conforming_strings') AS standard_conforming_strings;
RESET standard_conforming_strings;
RESET escape_string_warning;
SELECT rep.kpi(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00'), 'total_value') AS total_value;
-- in a read-only transaction (a standby), the same pages
BEGIN READ ONLY;
SELECT md5(healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names')) = d.portfolio AS portfolio_same,
       md5(healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')) = d.account AS account_same
FROM digests AS d;
COMMIT;
RESET DateStyle;
RESET IntervalStyle;
RESET extra_float_digits;
RESET lc_numeric;
RESET lc_monetary;
SET TimeZone = 'UTC';

-- 4. Row-level security: a reader's report has its accounts only
CREATE ROLE rep_ana;
CREATE ROLE rep_bo;
CREATE ROLE rep_nobody;
SELECT healthscore.grant_reader('rep_ana'), healthscore.grant_reader('rep_bo');
GRANT USAGE ON SCHEMA rep TO rep_ana, rep_bo, rep_nobody;
GRANT SELECT ON rep.accounts, rep.names TO rep_ana, rep_bo;
-- every key and its owner, for the readers to look for in their pages
CREATE TABLE rep.keys AS SELECT account_key, csm FROM rep.accounts;
GRANT SELECT ON rep.keys TO rep_ana, rep_bo;
ALTER TABLE rep.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_accounts ON rep.accounts FOR SELECT
USING (csm = CASE current_user WHEN 'rep_ana' THEN 'ana' WHEN 'rep_bo' THEN 'bo' END);
SET ROLE rep_ana;
CREATE TEMP TABLE reader_page AS
SELECT current_user AS reader, healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names') AS html;
SELECT reader, (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep') AS visible_accounts,
       rep.kpi(html, 'accounts')::integer = (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep') AS kpi_accounts,
       replace(rep.kpi(html, 'value_at_risk'), ',', '')::numeric = (SELECT round(sum(value_at_risk)::numeric) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS kpi_value_at_risk,
       rep.table_rows(html, 'risk_list') = (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS risk_list_rows,
       (SELECT count(*) FROM rep.keys AS k WHERE k.csm = 'ana' AND k.account_key IN (SELECT account_key FROM healthscore.risk_list WHERE model LIKE 'rep%')
        AND position('>' || rep.esc(k.account_key) || '<' IN html) > 0) = (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS own_risks_listed,
       (SELECT count(*) FROM rep.keys AS k WHERE k.csm IS DISTINCT FROM 'ana' AND position(rep.esc(k.account_key) IN html) > 0) AS hidden_keys_shown,
       position('onerror' IN html) = 0 AS hidden_owner_absent, position('Evil' IN html) = 0 AND position('Neil' IN html) = 0 AS hidden_names_absent,
       (SELECT sum(value) FROM rep.marks(html, 'tier_distribution') WHERE x = '2026-07-13') AS accounts_at_the_last_time,
       (SELECT count(*) FROM rep.marks(html, 'auc') AS m JOIN healthscore.evaluate('rep_main', '90 days', '2026-12-31 00:00+00') AS e
          ON to_char(e.as_of, 'YYYY-MM-DD') = m.x WHERE abs(m.value - e.auc::numeric) < 1e-6) AS auc_equal,
       (SELECT count(*) FROM rep.marks(html, 'top_movers') AS m WHERE m.x NOT IN (SELECT rep.esc(coalesce(n.name, k.account_key)) FROM rep.keys AS k
          LEFT JOIN rep.names AS n USING (account_key) WHERE k.csm = 'ana')) AS movers_not_own
FROM reader_page;
-- its own account's page works; another's is the error of a key that does not exist
SELECT (SELECT count(*) FROM rep.marks(healthscore.account_report('rep_main', 'acc001', 'rep.names'), 'health')) AS own_health_marks;
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc002')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc999')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'O''Brien "x" & <b>', 'rep.names')$$);
SELECT a.state = b.state AND replace(a.message, 'acc002', '?') = replace(b.message, 'acc999', '?') AND a.hint = b.hint AS same_error
FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc002')$$) AS a,
     error_of($$SELECT healthscore.account_report('rep_main', 'acc999')$$) AS b;
RESET ROLE;
SET ROLE rep_bo;
SELECT current_user AS reader, (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep') AS visible_accounts,
       rep.kpi(html, 'accounts')::integer = (SELECT count(*) FROM healthscore.current_scores WHERE model_group = 'rep') AS kpi_accounts,
       rep.table_rows(html, 'risk_list') = (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%') AS risk_list_rows,
       (SELECT count(*) FROM rep.keys AS k WHERE k.csm IS DISTINCT FROM 'bo' AND position(rep.esc(k.account_key) IN html) > 0) AS hidden_keys_shown,
       position('&lt;script&gt;alert(1)&lt;/script&gt;' IN html) > 0 AS own_script_key_escaped,
       position('<script' IN html) = 0 AS no_script
FROM (SELECT healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', account_names => 'rep.names') AS html) AS p;
RESET ROLE;
-- the reader's page is not the owner's
SELECT count(DISTINCT md5(html)) AS distinct_pages
FROM (SELECT html FROM reader_page UNION ALL SELECT html FROM pages WHERE page = 'group') AS p;
-- a role that is no reader gets a permission error, not a page
SET ROLE rep_nobody;
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', known_until => '2026-12-31')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc001')$$);
RESET ROLE;
ALTER TABLE rep.accounts DISABLE ROW LEVEL SECURITY;
DROP POLICY own_accounts ON rep.accounts;

-- 5. Errors, with the SQLSTATE, message and hint
SELECT healthscore.create_model('rep_norun', accounts => 'rep.accounts', key => 'account_key');
SELECT healthscore.add_signal('rep_norun', 'usage', source => 'rep.metrics', key => 'account_key', expression => 'max(s.usage)');
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('nope')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('nope', 'acc001')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report(NULL)$$);
SELECT * FROM error_of($$SELECT healthscore.account_report(NULL, 'acc001')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep_norun')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_norun', 'acc001')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', NULL)$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc999')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_small', 'acc001')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', horizon => '0 days')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', horizon => '-1 day')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', known_until => NULL)$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', risk_rows => -1)$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', risk_rows => NULL)$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', known_until => '2026-12-31', account_names => 'rep.labels')$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc001', 'rep.labels')$$);
-- a name that is both a model and a model group
BEGIN;
UPDATE healthscore.models SET model_group = 'rep_small' WHERE name = 'rep_norun';
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep_small', known_until => '2026-12-31')$$);
ROLLBACK;

-- 6. A model without outcomes says so; risk_rows 0 is an empty risk list
SELECT position('No churn outcomes' IN html) > 0 AS no_outcomes_note, position('data-chart="auc"' IN html) = 0 AS no_auc_chart,
       rep.table_rows(html, 'risk_list') AS risk_list_rows, rep.table_rows(html, 'accuracy') AS accuracy_rows
FROM (SELECT healthscore.portfolio_report('rep_small', known_until => '2026-12-31 00:00+00', risk_rows => 0) AS html) AS p;
SELECT rep.table_rows(html, 'risk_list') AS risk_list_rows,
       position(format('most value at risk first: 0 of %s.', (SELECT count(*) FROM healthscore.risk_list WHERE model LIKE 'rep%')) IN html) > 0 AS note,
       position('<table class="wide" data-table="risk_list"><tr><th>#</th>' IN html) > 0 AS head_only
FROM (SELECT healthscore.portfolio_report('rep', known_until => '2026-12-31 00:00+00', risk_rows => 0) AS html) AS p;
-- no run evaluable yet (known until the last run): the validation section says so
SELECT position('No run is evaluable yet' IN html) > 0 AS not_evaluable_note, position('data-chart="auc"' IN html) = 0 AS no_auc_chart
FROM (SELECT healthscore.portfolio_report('rep_main', known_until => '2026-07-13 00:00+00') AS html) AS p;

-- 7. Outcomes a calibration cannot be fitted on cost the reliability diagram only: the runs are
-- evaluable (evaluate() answers), so AUC and churn by tier are shown. Churn within 35 days: only
-- the last run has churners, none of the fitted ones
SELECT (SELECT count(*) FROM healthscore.evaluate('rep_main', '35 days', '2026-12-31 00:00+00')) AS evaluable_runs,
       (SELECT count(auc) FROM healthscore.evaluate('rep_main', '35 days', '2026-12-31 00:00+00')) AS with_auc;
SELECT * FROM error_of($$SELECT healthscore.calibrate('rep_main', '35 days', '2026-12-31 00:00+00')$$);
SELECT position('data-chart="auc"' IN html) > 0 AS auc_chart, position('data-chart="churn_by_tier"' IN html) > 0 AS churn_by_tier_chart,
       position('data-chart="calibration"' IN html) = 0 AS no_calibration_chart, position('Could not evaluate' IN html) = 0 AS no_failure,
       (SELECT count(*) FROM rep.marks(html, 'auc')) AS auc_marks
FROM (SELECT healthscore.portfolio_report('rep_main', horizon => '35 days', known_until => '2026-12-31 00:00+00') AS html) AS p;
-- a model changed since its calibration, refreshed once: one run of the new definition is too few
-- to fit a calibration on, the eight runs are evaluable
SELECT healthscore.set_weight('rep_main', 'tickets', 2);
DELETE FROM rep.accounts WHERE account_key = 'acc058';
SELECT healthscore.refresh('rep_main', '2026-07-20') > 0 AS refreshed;
SELECT count(*) AS evaluable_runs, count(auc) AS with_auc FROM healthscore.evaluate('rep_main', '90 days', '2026-12-31 00:00+00');
SELECT position('data-chart="auc"' IN html) > 0 AS auc_chart, position('data-chart="churn_by_tier"' IN html) > 0 AS churn_by_tier_chart,
       position('data-chart="calibration"' IN html) = 0 AS no_calibration_chart, position('Could not evaluate' IN html) = 0 AS no_failure,
       (SELECT count(*) FROM rep.marks(html, 'auc')) AS auc_marks
FROM (SELECT healthscore.portfolio_report('rep_main', known_until => '2026-12-31 00:00+00') AS html) AS p;
-- an account no longer in the current run: its history, with a note
SELECT position('not in the model&#39;s current run' IN html) > 0 OR position('not in the model''s current run' IN html) > 0 AS note,
       (SELECT count(*) FROM rep.marks(html, 'health')) = (SELECT count(score) FROM healthscore.account_story('rep_main', 'acc058')) AS health_marks
FROM (SELECT healthscore.account_report('rep_main', 'acc058') AS html) AS p;

-- Found by a review. A time zone that is also an abbreviation (EST) is read through the session's
-- timezone_abbreviations: the page must not change with it
SELECT healthscore.alter_model('rep_small', time_zone => 'EST') IS NOT NULL AS altered;
CREATE TEMP TABLE est_pages AS
SELECT 'default' AS setting, md5(healthscore.portfolio_report('rep_small', known_until => '2026-12-31 00:00+00')) AS digest;
SET timezone_abbreviations = 'Australia';
INSERT INTO est_pages
SELECT 'Australia', md5(healthscore.portfolio_report('rep_small', known_until => '2026-12-31 00:00+00'));
RESET timezone_abbreviations;
SELECT count(DISTINCT digest) = 1 AS same_under_timezone_abbreviations FROM est_pages;
SELECT healthscore.alter_model('rep_small', time_zone => 'UTC') IS NOT NULL AS altered_back;
-- amounts of 10^15 and more (IDR, VND, KRW portfolios) in full, not in float8's exponent notation
SELECT healthscore_internal.html_money(2000000000000000::numeric) AS quadrillion,
       healthscore_internal.html_money(1234567890123456789::numeric) AS exact_digits;
-- an account_names that is no relation, or not one rows can be read from: a clear error
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc001', 0::oid::regclass)$$);
SELECT * FROM error_of($$SELECT healthscore.account_report('rep_main', 'acc001', 'rep.accounts_pkey')$$);
-- known_until and horizon the evaluation cannot work with are errors of portfolio_report itself
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', known_until => 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.portfolio_report('rep', horizon => '300000 years', known_until => '2026-12-31')$$);
-- a SQL_ASCII database stores bytes that are no UTF-8: each reads U+FFFD, the page is still made
SELECT current_database() AS suite_database \gset
CREATE DATABASE hs_reports_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c hs_reports_sql_ascii
SET client_min_messages = warning;
CREATE EXTENSION healthscore;
SELECT healthscore_internal.html_escape(convert_from('\x41ff42e9'::bytea, 'SQL_ASCII')) AS invalid_bytes,
       healthscore_internal.html_escape(convert_from('\x43c3a9'::bytea, 'SQL_ASCII')) AS valid_utf8;
\c :suite_database
DROP DATABASE hs_reports_sql_ascii;
-- a WIN1252 byte without a Unicode character (0x81) reads U+FFFD too
CREATE DATABASE hs_reports_win1252 ENCODING 'WIN1252' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c hs_reports_win1252
SET client_min_messages = warning;
CREATE EXTENSION healthscore;
SELECT healthscore_internal.html_escape(convert_from('\x4181e942'::bytea, 'WIN1252')) AS unmapped_byte;
\c :suite_database
DROP DATABASE hs_reports_win1252;
SET TimeZone = 'UTC';

DROP OWNED BY rep_ana, rep_bo, rep_nobody;
DROP ROLE rep_ana, rep_bo, rep_nobody;
SELECT healthscore.drop_model(m) FROM unnest('{rep_main,rep_small,rep_norun}'::text[]) AS m;
DELETE FROM healthscore.assessments WHERE account_key IN ('O''Brien "x" & <b>', '<script>alert(1)</script>', 'acc001');
-- nothing of the suite's models is left behind
SELECT (SELECT count(*) FROM healthscore.models WHERE name LIKE 'rep%') AS models,
       (SELECT count(*) FROM healthscore.runs WHERE model LIKE 'rep%') AS runs,
       (SELECT count(*) FROM healthscore.overrides WHERE model LIKE 'rep%') AS overrides,
       (SELECT count(*) FROM healthscore.playbooks WHERE model LIKE 'rep%') AS playbooks,
       (SELECT count(*) FROM healthscore.calibrations WHERE model LIKE 'rep%') AS calibrations,
       (SELECT count(*) FROM healthscore.indicators WHERE model LIKE 'rep%') AS indicators,
       (SELECT count(*) FROM healthscore.assessments WHERE account_key IN (SELECT account_key FROM rep.keys)) AS assessments;
DROP SCHEMA rep CASCADE;

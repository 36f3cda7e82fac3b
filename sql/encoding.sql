-- Encodings: what a refresh computes and stores is the same in every database encoding, and every
-- view reads from a client that is not UTF-8 (LATIN1, WIN1252: Excel and Power BI on Windows).
-- Only presentation adapts: sparklines are bars for UTF-8 clients of UTF-8 databases, ASCII
-- otherwise, and sparkline_ascii is ASCII always. Stands alone; it creates a LATIN1 database.
\ir sql/include/setup.sql
SET TimeZone = 'UTC';
\set home :DBNAME
-- the same model in this (UTF-8) database and in a LATIN1 one
\set make_model 'CREATE SCHEMA enc; CREATE TABLE enc.accounts (account_id integer PRIMARY KEY, name text); INSERT INTO enc.accounts SELECT i, ''Account '' || i FROM generate_series(1, 8) AS i; CREATE TABLE enc.events (account_id integer, ts timestamptz); INSERT INTO enc.events SELECT a, timestamptz ''2026-06-30'' - d * interval ''1 day'' FROM generate_series(1, 7) AS a, generate_series(1, 4 * a) AS d; SELECT healthscore.create_model(''enc'', accounts => ''enc.accounts'', key => ''account_id'', segment => ''name'', tier_actions => ''{call,watch,none}''); SELECT healthscore.add_signal(''enc'', ''events'', source => ''enc.events'', key => ''account_id'', expression => ''count(*)'', time_column => ''ts'', lookback => ''28 days'', scoring => ''linear'', worst => 0, best => 28); SELECT count(*) AS runs FROM healthscore.backfill(''enc'', ''2026-06-02'', ''2026-06-30'', ''1 week'');'
-- what the scores are, as one digest: equal digests are equal scores, bit for bit
\set digest 'SELECT md5(string_agg(concat_ws(''|'', s.account_key, float8send(s.score), s.tier, s.sparkline, s.reasons, s.raw_values::text, s.points::text), '';'' ORDER BY r.as_of, s.account_key)) AS scores FROM healthscore.scores AS s JOIN healthscore.runs AS r USING (run_id)'
SET client_min_messages = warning;
:make_model
RESET client_min_messages;
:digest
\gset utf8_
SELECT account_key, score, sparkline, sparkline_ascii FROM healthscore.current_scores ORDER BY account_key;
SELECT healthscore.sparkline('01234567 '), healthscore.sparkline_ascii('01234567 ');
SELECT * FROM error_of($$SELECT healthscore.sparkline('0129')$$);
-- sparklines 0.1.0 stored hold the bars themselves; later runs append codes: both are drawn
SELECT healthscore.sparkline(convert_from('\xe29681e296883520'::bytea, 'UTF8')) AS legacy_and_codes,
       healthscore.sparkline_ascii(convert_from('\xe29681e296883520'::bytea, 'UTF8')) AS legacy_and_codes_ascii;

-- every view, from a LATIN1 client and from a WIN1252 client: ASCII sparklines, no error
SET client_encoding = 'LATIN1';
SELECT account_key, sparkline, sparkline_ascii FROM healthscore.current_scores ORDER BY account_key;
-- (the rows are received and thrown away: an error converting them would show here)
\o /dev/null
SELECT format('SELECT * FROM %s', c.oid::regclass)
FROM pg_class AS c
WHERE c.relnamespace = 'healthscore'::regnamespace AND c.relkind = 'v'
ORDER BY c.relname \gexec
\o
SELECT count(*) AS views_read FROM pg_class AS c WHERE c.relnamespace = 'healthscore'::regnamespace AND c.relkind = 'v';
SET client_encoding = 'WIN1252';
SELECT priority, account_key, sparkline, stale FROM healthscore.risk_list ORDER BY priority;
\o /dev/null
SELECT format('SELECT * FROM %s', c.oid::regclass)
FROM pg_class AS c
WHERE c.relnamespace = 'healthscore'::regnamespace AND c.relkind = 'v'
ORDER BY c.relname \gexec
\o
RESET client_encoding;

-- nothing the extension defines holds a character beyond ASCII: comments, bodies, defaults
SELECT count(*) AS non_ascii_comments FROM pg_description AS d
JOIN pg_depend AS e ON e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e'
WHERE e.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'healthscore') AND d.description ~ '[^\x01-\x7f]';
SELECT count(*) AS non_ascii_bodies FROM pg_proc AS p
WHERE p.pronamespace IN ('healthscore'::regnamespace, 'healthscore_internal'::regnamespace) AND p.prosrc ~ '[^\x01-\x7f]';
SELECT count(*) AS non_ascii_views FROM pg_views AS v
WHERE v.schemaname IN ('healthscore', 'healthscore_internal') AND v.definition ~ '[^\x01-\x7f]';

-- a LATIN1 database: the same scores, bit for bit, with ASCII sparklines
CREATE DATABASE hs_encoding_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c hs_encoding_latin1
SET TimeZone = 'UTC';
SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database();
CREATE EXTENSION healthscore;
SET client_min_messages = warning;
:make_model
RESET client_min_messages;
:digest
\gset latin1_
SELECT :'latin1_scores' = :'utf8_scores' AS same_scores;
SELECT account_key, score, sparkline, sparkline_ascii FROM healthscore.current_scores ORDER BY account_key;
SET client_encoding = 'UTF8';
SELECT account_key, sparkline FROM healthscore.current_scores WHERE account_key = '7';
\c :home
DROP DATABASE hs_encoding_latin1;
SELECT healthscore.drop_model('enc');
DROP SCHEMA enc CASCADE;

\set ECHO none
-- Included by every pg_regress suite (\ir sql/include/setup.sql), so that each runs alone as well
-- as after the others: the extension, the helpers that show an error as a row, and numbering that
-- starts at 1 (a suite removes what it made, so the tables are empty when the next one starts).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS healthscore;

-- an error's SQLSTATE, message and hint as a row, so the expected output pins all three
CREATE OR REPLACE FUNCTION public.error_of(statement text, OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	message := 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
END
$$;

-- the same for errors whose detail tells cases apart (malformed serialized states)
CREATE OR REPLACE FUNCTION public.error_detail_of(statement text, OUT state text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	detail := 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
END
$$;

DO $$
DECLARE
	owner regclass;
BEGIN
	FOREACH owner IN ARRAY ARRAY['healthscore.runs', 'healthscore.attempts', 'healthscore.assessments',
								 'healthscore.overrides', 'healthscore.playbooks']::regclass[] LOOP
		EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), 1, false) WHERE NOT EXISTS (SELECT FROM %s)',
					   owner, (SELECT a.attname FROM pg_attribute AS a WHERE a.attrelid = owner AND a.attnum = 1), owner);
	END LOOP;
END
$$;
RESET client_min_messages;
\set ECHO all

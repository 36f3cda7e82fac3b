-- Shared by every pg_regress suite: the extension and a helper that shows an error's
-- SQLSTATE, message and hint as a row, so the expected output pins all three.
CREATE EXTENSION healthscore;

CREATE FUNCTION error_of(statement text,
						 OUT state text, OUT message text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	message := 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
							message = MESSAGE_TEXT,
							hint = PG_EXCEPTION_HINT;
END
$$;

-- The same for errors whose detail tells cases apart (malformed serialized states).
CREATE FUNCTION error_detail_of(statement text, OUT state text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	detail := 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
							detail = PG_EXCEPTION_DETAIL;
END
$$;

-- healthscore: customer health scoring inside PostgreSQL.
-- This install script is built by concatenating src/<concern>.sql in the order the Makefile lists.
-- Objects live in schema healthscore (created by CREATE EXTENSION, see healthscore.control).

\echo Use "CREATE EXTENSION healthscore" to load this file. \quit

COMMENT ON SCHEMA healthscore IS 'healthscore: customer health scores computed inside PostgreSQL';

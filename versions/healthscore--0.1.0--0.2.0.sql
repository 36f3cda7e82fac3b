-- healthscore 0.1.0 -> 0.2.0 (in development).
--
-- ALTER EXTENSION healthscore UPDATE runs this script on a database that has 0.1.0 installed. It
-- must leave exactly what a fresh CREATE EXTENSION of 0.2.0 creates (test/upgrade checks that,
-- member by member), and keep every row of every table: models, signals, runs, scores,
-- assessments, overrides, playbooks, outcome settings, the run sequence, and the grants that
-- grant_reader() and grant_admin() made. Every change to an SQL object in src/ goes here too.
-- Functions that are already members may be replaced with CREATE OR REPLACE (that keeps their
-- grants); install scripts never do that.

\echo Use "ALTER EXTENSION healthscore UPDATE TO '0.2.0'" to load this file. \quit

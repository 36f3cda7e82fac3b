-- Scheduling with pg_cron where the server preloads it (make test's cluster does, for this database):
-- schedule() registers CALL healthscore.run(), replaces a job, warns without background workers,
-- and unschedules. Where pg_cron is not preloaded (make installcheck against another server), the
-- suite checks the error schedule() gives instead (expected/schedule_1.out). Scheduled runs
-- themselves, in a cluster configured as the README says: test/cron.sh.
\ir sql/include/setup.sql
\ir sql/include/app_model.sql
SELECT EXISTS (SELECT FROM pg_settings WHERE name = 'cron.use_background_workers' AND vartype = 'bool') AS cron_loaded \gset
\if :cron_loaded
-- pg_cron loaded, but not installed in this database: a clear error
SELECT * FROM error_of($$SELECT healthscore.schedule('default', '0 3 * * *')$$);
CREATE EXTENSION pg_cron;
SELECT healthscore.schedule('default', '0 3 * * *') > 0 AS scheduled;
SELECT jobname, schedule, command FROM cron.job;
SELECT healthscore.schedule('default', '30 4 * * *') > 0 AS rescheduled;
SELECT jobname, schedule FROM cron.job;
SELECT healthscore.unschedule('default') AS unscheduled;
SELECT count(*) AS jobs_left FROM cron.job;
SELECT * FROM error_of($$SELECT healthscore.unschedule('default')$$);
SELECT healthscore.unschedule('default', if_exists => true) AS nothing_to_remove;
SELECT * FROM error_of($$SELECT healthscore.schedule('default', 'not a schedule')$$);
SELECT * FROM error_of($$SELECT healthscore.schedule('nope', '0 3 * * *')$$);
DROP EXTENSION pg_cron;
\else
-- pg_cron is not preloaded: schedule() says so, and names the settings to change
SELECT * FROM error_of($$SELECT healthscore.schedule('default', '0 3 * * *')$$);
\endif
\ir sql/include/app_drop.sql

-- Included at the end of the suites that include app_model.sql: what it made goes again.
SELECT healthscore.drop_model(m.name) FROM healthscore.models AS m WHERE m.name IN ('default', 'weekly') ORDER BY m.name;
DROP SCHEMA app CASCADE;

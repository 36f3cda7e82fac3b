-- trend(value, at) and relative_trend(value, at)
\ir sql/include/setup.sql
CREATE TABLE trend_events AS
SELECT i % 5 AS account_id,
       timestamptz '2026-01-01 00:00+00' + (i * interval '37 minutes') AS at,
       ((i % 5) * 3.5 - 4) * (i / 1440.0) + (i * 7919 % 101) / 10.0 + 1000 AS value
FROM generate_series(1, 20000) AS i;

-- agrees with regr_slope(value, extract(epoch from at) / 86400) to 1e-9 relative
SELECT account_id,
       round(healthscore.trend(value, at)::numeric, 6) AS slope_per_day,
       abs(healthscore.trend(value, at) / regr_slope(value, extract(epoch FROM at) / 86400) - 1) < 1e-9 AS agrees
FROM trend_events GROUP BY account_id ORDER BY account_id;
-- relative: percent of the mean per 30 days, against the same formula in SQL
SELECT account_id,
       round(healthscore.relative_trend(value, at)::numeric, 6) AS pct_per_30_days,
       abs(healthscore.relative_trend(value, at)
           / (100 * 30 * regr_slope(value, extract(epoch FROM at) / 86400) / abs(avg(value))) - 1) < 1e-9 AS agrees
FROM trend_events GROUP BY account_id ORDER BY account_id;
-- exact small cases: two points one day apart; falling by a quarter a month
SELECT healthscore.trend(v, t) AS slope FROM (VALUES (10, timestamptz '2026-01-01 00:00+00'), (12, '2026-01-02 00:00+00')) AS x(v, t);
SELECT healthscore.relative_trend(v, t) AS falling_quarter
FROM (VALUES (125.0, timestamptz '2026-01-01 00:00+00'), (75.0, '2026-03-02 00:00+00')) AS x(v, t);
-- NULL rows skipped; fewer than two distinct times; no rows; mean of zero
SELECT healthscore.trend(v, t) AS nulls_skipped
FROM (VALUES (10, timestamptz '2026-01-01 00:00+00'), (NULL, '2026-01-05 00:00+00'), (14, NULL), (12, '2026-01-02 00:00+00')) AS x(v, t);
SELECT healthscore.trend(v, t) IS NULL AS one_time_only
FROM (VALUES (10, timestamptz '2026-01-01 00:00+00'), (20, '2026-01-01 00:00+00')) AS x(v, t);
SELECT healthscore.trend(v, t) IS NULL AS one_row FROM (VALUES (10, timestamptz '2026-01-01')) AS x(v, t);
SELECT healthscore.trend(value, at) IS NULL AS no_rows, healthscore.relative_trend(value, at) IS NULL AS no_rows_relative
FROM trend_events WHERE false;
SELECT healthscore.trend(v, t) AS slope, healthscore.relative_trend(v, t) IS NULL AS zero_mean_is_null
FROM (VALUES (-1, timestamptz '2026-01-01'), (1, '2026-01-02')) AS x(v, t);
-- a negative mean still reads as falling when the values fall
SELECT healthscore.relative_trend(v, t) < 0 AS falling_negative_series
FROM (VALUES (-10, timestamptz '2026-01-01'), (-20, '2026-01-02')) AS x(v, t);
-- bad input: NaN and infinite values or times
SELECT * FROM error_of($$SELECT healthscore.trend(v, now()) FROM (VALUES ('nan'::float8)) AS x(v)$$);
SELECT * FROM error_of($$SELECT healthscore.trend(v, now()) FROM (VALUES ('infinity'::float8)) AS x(v)$$);
SELECT * FROM error_of($$SELECT healthscore.trend(1, t) FROM (VALUES ('infinity'::timestamptz)) AS x(t)$$);
SELECT * FROM error_of($$SELECT healthscore.trend(v, t) FROM (VALUES (1e308, timestamptz '2026-01-01'), (-1e308, '2026-01-02'), (1e308, '2026-01-03')) AS x(v, t)$$);
-- huge values whose cross products make inf * 0 = NaN: an error, not a NaN slope
SELECT * FROM error_of($$SELECT healthscore.trend(v, t) FROM (VALUES (0, timestamptz '2000-01-01'), (0, '2000-01-03'), (1e308, '2000-01-02')) AS x(v, t)$$);
-- the support functions: combine with an empty side, malformed states
SELECT healthscore_internal.trend_final(healthscore_internal.trend_combine(
         healthscore_internal.trend_accum(healthscore_internal.trend_accum('{0,0,0,0,0,0,0}', 10, '2026-01-01 00:00+00'), 12, '2026-01-02 00:00+00'),
         '{0,0,0,0,0,0,0}')) AS combine_empty_right,
       healthscore_internal.trend_final(healthscore_internal.trend_combine('{0,0,0,0,0,0,0}',
         healthscore_internal.trend_accum(healthscore_internal.trend_accum('{0,0,0,0,0,0,0}', 10, '2026-01-01 00:00+00'), 12, '2026-01-02 00:00+00'))) AS combine_empty_left;
SELECT * FROM error_of($$SELECT healthscore_internal.trend_final('{1,2,3}')$$);
SELECT * FROM error_of($$SELECT healthscore_internal.trend_combine('{0,0,0,0,0,0,0}', '{0,0,0,0,0,0,NULL}')$$);
-- states no transition makes: a NaN sum, a fractional row count, rows missing from a non-empty
-- state, a negative sum of squares, one row with a spread of times (0.1.0 returned numbers)
SELECT * FROM error_detail_of($$SELECT healthscore_internal.trend_final('{3,10,2,NaN,1,2,4}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.trend_final('{2.5,10,2,3,1,2,4}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.trend_final('{0,10,2,3,1,2,4}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.trend_final('{3,9,-2,3,1,2,4}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.trend_final('{1,3,0,3,0,2,4}')$$);
SELECT * FROM error_detail_of($$SELECT healthscore_internal.relative_trend_final('{3,30,2,3,1,2,4}')$$);
DROP TABLE trend_events;

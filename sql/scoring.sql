-- Scoring functions: linear, logarithmic, bands, decay.
\ir sql/include/setup.sql

-- linear: the documented example, both directions, clamping, exact boundaries
SELECT healthscore.linear(5, 10, 0) AS lower_is_better_midpoint;
SELECT v, healthscore.linear(v, 0, 60) AS higher_is_better, healthscore.linear(v, 60, 0) AS lower_is_better
FROM unnest('{-5,0,15,30,59.999,60,90}'::float8[]) AS v;
SELECT healthscore.linear(7, 0, 10) AS exact_for_whole_numbers;
-- an infinite value is an extreme observation and clamps; NULL in, NULL out
SELECT healthscore.linear('infinity', 0, 60) AS pos_inf, healthscore.linear('-infinity', 0, 60) AS neg_inf,
       healthscore.linear('infinity', 60, 0) AS pos_inf_lower_better;
SELECT healthscore.linear(NULL, 0, 60) IS NULL AS null_value, healthscore.linear(1, NULL, 60) IS NULL AS null_bound;
-- bounds so far apart that best - worst overflows still score correctly
SELECT healthscore.linear(0, -1e308, 1e308) AS huge_range_midpoint, healthscore.linear(1e308, -1e308, 1e308) AS huge_range_top;
-- 100 * (value - worst) overflows although the range does not: still the midpoint
SELECT healthscore.linear(5e307, 0, 1e308) AS huge_value_midpoint;
-- bad input
SELECT * FROM error_of($$SELECT healthscore.linear('nan', 0, 60)$$);
SELECT * FROM error_of($$SELECT healthscore.linear(1, 'nan', 60)$$);
SELECT * FROM error_of($$SELECT healthscore.linear(1, 0, 'nan')$$);
SELECT * FROM error_of($$SELECT healthscore.linear(1, '-infinity', 60)$$);
SELECT * FROM error_of($$SELECT healthscore.linear(1, 0, 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.linear(1, 5, 5)$$);

-- logarithmic: the documented example, boundaries, direction, clamping
SELECT healthscore.logarithmic(9, 0, 99) AS midpoint;
SELECT v, healthscore.logarithmic(v, 0, 99) AS higher_is_better, healthscore.logarithmic(v, 99, 0) AS lower_is_better
FROM unnest('{0,1,9,50,99,1000}'::float8[]) AS v;
SELECT healthscore.logarithmic('infinity', 0, 99) AS pos_inf, healthscore.logarithmic(2, 3, 1000) AS below_worst;
SELECT * FROM error_of($$SELECT healthscore.logarithmic(-1, 0, 99)$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic('-infinity', 0, 99)$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic(1, -1, 99)$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic(1, 0, -99)$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic('nan', 0, 99)$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic(1, 0, 'infinity')$$);
SELECT * FROM error_of($$SELECT healthscore.logarithmic(1, 7, 7)$$);

-- bands: the documented examples; a value equal to a break goes to the upper band
SELECT healthscore.bands(10, '{1,10}', '{0,50,100}') AS at_break,
       healthscore.bands(5, '{1,10}', '{0,50,100}') AS middle,
       healthscore.bands(0.5, '{1,10}', '{0,50,100}') AS below_first;
SELECT v, healthscore.bands(v, '{1,3}', '{100,50,0}') AS urgent_tickets_points
FROM unnest('{-infinity,0,0.999,1,2,3,1000,infinity}'::float8[]) AS v;
SELECT healthscore.bands(42, '{}', '{70}') AS no_breaks_one_band,
       healthscore.bands(5, '[0:1]={1,10}', '[5:7]={0,50,100}') AS other_lower_bounds;
SELECT healthscore.bands(NULL, '{1}', '{0,100}') IS NULL AS null_value;
SELECT * FROM error_of($$SELECT healthscore.bands('nan', '{1,10}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{10,1}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,1}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,NULL}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{0,NULL,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{0,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{0,50,100,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{0,50,101}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{-1,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,10}', '{0,nan,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{1,nan}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{-infinity,10}', '{0,50,100}')$$);
SELECT * FROM error_of($$SELECT healthscore.bands(1, '{{1,10}}', '{0,50,100}')$$);

-- decay(age_days, half_life_days)
SELECT healthscore.decay(14, 14) AS one_half_life, healthscore.decay(28, 14) AS two_half_lives,
       healthscore.decay(0, 14) AS today, healthscore.decay(-3, 14) AS clock_skew,
       healthscore.decay('infinity', 14) AS never, healthscore.decay('-infinity', 14) AS neg_inf;
SELECT * FROM error_of($$SELECT healthscore.decay('nan', 14)$$);
SELECT * FROM error_of($$SELECT healthscore.decay(1, 0)$$);
SELECT * FROM error_of($$SELECT healthscore.decay(1, -14)$$);
SELECT * FROM error_of($$SELECT healthscore.decay(1, 'nan')$$);
SELECT * FROM error_of($$SELECT healthscore.decay(1, 'infinity')$$);

-- decay(last_seen, half_life, as_of)
SELECT healthscore.decay('2026-01-15 12:00+00', '14 days', '2026-01-29 12:00+00') AS one_half_life,
       healthscore.decay('2026-01-30 12:00+00', '14 days', '2026-01-29 12:00+00') AS in_the_future,
       healthscore.decay('2026-01-01 00:00+00', '1 mon', '2026-01-31 00:00+00') AS month_is_30_days,
       healthscore.decay('-infinity', '14 days', '2026-01-29 12:00+00') AS never_seen,
       healthscore.decay('infinity', '14 days', '2026-01-29 12:00+00') AS pos_inf;
SELECT * FROM error_of($$SELECT healthscore.decay(now(), '0 days', now())$$);
SELECT * FROM error_of($$SELECT healthscore.decay(now(), '-1 day', now())$$);
SELECT * FROM error_of($$SELECT healthscore.decay(now(), '14 days', 'infinity')$$);

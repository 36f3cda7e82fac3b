-- score_from_points, score_reasons, worst_signal: a score and its explanation from one account's
-- run kept as arrays in signal order (how refresh() stores scores).
\ir sql/include/setup.sql
SELECT healthscore.score_from_points('{100,0}', '{1,3}') AS mean,
       healthscore.score_from_points('{100,0,NULL}', '{1,3,5}') AS skipped_redistributed,
       healthscore.score_from_points('{NULL,NULL}', '{1,3}') IS NULL AS all_skipped,
       healthscore.score_from_points('{80,20}', '{0,0}') IS NULL AS zero_weights,
       healthscore.score_from_points('{}', '{}') IS NULL AS no_signals;
-- equal to the weighted_score aggregate over the same pairs in the same order, bit for bit,
-- including the compensated sum of one huge weight beside many small ones
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE healthscore.score_from_points(points, weights) = aggregate_score) AS equal
FROM (SELECT a, array_agg(p ORDER BY i) AS points, array_agg(w ORDER BY i) AS weights,
             healthscore.weighted_score(p, w ORDER BY i) AS aggregate_score
      FROM (SELECT i % 97 AS a, i, CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 37 % 101)::float8 END AS p,
                   (1 + i * 13 % 9)::float8 / 4 AS w
            FROM generate_series(1, 5000) AS i) AS t
      GROUP BY a) AS g;
SELECT healthscore.score_from_points(array_prepend(0::float8, array_fill(100::float8, ARRAY[10000])),
                                     array_prepend(1e16::float8, array_fill(1::float8, ARRAY[10000])))
       = (100.0 * 10000 / (1e16 + 10000))::float8 AS compensated_exact;
-- reasons: the costliest three (points lost = (100 - points) x weight share), raw values rounded
-- to 2 decimals with trailing zeros cut, "no data" for a missing raw value; ties by name
SELECT healthscore.score_reasons('{logins,nps,tickets,seats}', '{3.14159,NULL,2,0.5}', '{20,0,100,50}', '{1,1,1,1}') AS reasons,
       healthscore.worst_signal('{logins,nps,tickets,seats}', '{20,0,100,50}', '{1,1,1,1}') AS worst;
SELECT healthscore.score_reasons('{b,a,c}', '{1,2,3}', '{50,50,50}', '{1,1,1}', 2) AS ties_by_name,
       healthscore.worst_signal('{b,a,c}', '{50,50,50}', '{1,1,1}') AS worst_tie;
-- a skipped signal costs nothing and its weight goes to the others; nobody lost: NULL
SELECT healthscore.score_reasons('{a,b}', '{10,NULL}', '{50,NULL}', '{1,3}') AS skipped_costs_nothing,
       healthscore.score_reasons('{a,b}', '{1,2}', '{100,100}', '{1,1}') IS NULL AS nothing_lost,
       healthscore.worst_signal('{a,b}', '{100,NULL}', '{1,1}') IS NULL AS no_worst;
-- the same text as the SQL that refresh() used before (a window over one row per signal)
SELECT k, healthscore.score_reasons(names, raws, points, weights) = (
         SELECT string_agg(format('%s %s (-%s)', n, coalesce(trim_scale(round(r::numeric, 2))::text, 'no data'),
                                  round(lost::numeric, 1)), '; ' ORDER BY lost DESC, n)
         FROM (SELECT c.*, row_number() OVER (ORDER BY lost DESC, n) AS costliest
               FROM (SELECT u.n, u.r, coalesce((100 - u.p) * (u.w / present.total), 0) AS lost
                     FROM unnest(names, raws, points, weights) AS u(n, r, p, w),
                          (SELECT sum(v.w) AS total FROM unnest(points, weights) AS v(p, w)
                           WHERE v.p IS NOT NULL) AS present) AS c
               WHERE lost > 0) AS ranked
         WHERE costliest <= 3) AS equals_sql
FROM (VALUES (1, '{x,y,z,w}'::text[], '{1.005,-2.5,1e-9,12345.678}'::float8[], '{33.3,NULL,0,99.99}'::float8[], '{15,10,20,5}'::float8[]),
             (2, '{x,y,z,w}', '{7,8,NULL,9}', '{10,20,30,40}', '{1,2,3,4}'),
             (3, '{q,p}', '{1,1}', '{12.5,12.5}', '{3,3}')) AS t(k, names, raws, points, weights)
ORDER BY k;
-- numbers are printed without going through numeric (faster), as numeric prints them: 200,000
-- values (halves at the rounding digit, negatives, tiny and huge ones, exponent forms, infinity)
-- in the raw value (2 decimals, trimmed) and the points lost (1 decimal)
SELECT count(*) AS numbers,
       count(*) FILTER (WHERE healthscore.score_reasons('{s}', ARRAY[r], ARRAY[p], '{1}')
                        IS DISTINCT FROM format('s %s (-%s)', trim_scale(round(r::numeric, 2)), round((100 - p)::numeric, 1)))
         AS printed_differently
FROM (SELECT CASE i % 8 WHEN 0 THEN (i % 2000) / 1000.0 - 1 + 0.005	-- halves at the second decimal
                        WHEN 1 THEN -(i * 0.0125)
                        WHEN 2 THEN 1e-5 * i
                        WHEN 3 THEN 1e14 + i * 0.25
                        WHEN 4 THEN 1e16 * i
                        WHEN 5 THEN (i % 1000) * 0.999
                        WHEN 6 THEN CASE WHEN i % 16 = 6 THEN 'infinity'::float8 ELSE '-infinity'::float8 END
                        ELSE sin(i) * 1000 END::float8 AS r,
             CASE WHEN i % 3 = 0 THEN (i % 1000) / 10.0 + 0.05 ELSE abs(cos(i)) * 99.999 END::float8 AS p
      FROM generate_series(1, 200000) AS i) AS v
WHERE p < 100;
-- spark: a bar per score band of 12.5 points (100 is the full bar), clamped, a space for NULL
SELECT string_agg(healthscore.spark(x), '' ORDER BY i) AS bars
FROM unnest('{0,12.4,12.5,25,37.5,50,62.5,75,87.5,99.9,100,-5,1e9,NULL,infinity}'::float8[]) WITH ORDINALITY AS u(x, i);
-- bad input
SELECT * FROM error_of($$SELECT healthscore.spark('nan')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{50,60}', '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{101}', '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{nan}', '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{50}', '{-1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{50}', '{NULL}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{{50}}', '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{50,50}', '{1e308,1e308}')$$);
-- a missing signal's weight is still checked (0.1.0 accepted NaN and negative weights beside NULL)
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{NULL,50}', '{NaN,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_from_points('{NULL,50}', '{-1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.worst_signal('{a,b}', '{NULL,50}', '{Infinity,1}')$$);
-- the explanation fails where the score fails: weights whose sum overflows (0.1.0: NULL)
SELECT * FROM error_of($$SELECT healthscore.score_reasons('{a,b}', '{1,2}', '{50,50}', '{1e308,1e308}')$$);
SELECT * FROM error_of($$SELECT healthscore.worst_signal('{a,b}', '{50,50}', '{1e308,1e308}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_reasons('{a}', '{1}', '{50}', '{1}', 0)$$);
SELECT * FROM error_of($$SELECT healthscore.score_reasons('{a,b}', '{1}', '{50,50}', '{1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.score_reasons('{a,b}', '{1,2}', '{50,50}', '{1}')$$);
SELECT * FROM error_of($$SELECT healthscore.worst_signal('{a,NULL}', '{50,50}', '{1,1}')$$);
SELECT * FROM error_of($$SELECT healthscore.worst_signal('{{a}}', '{50}', '{1}')$$);

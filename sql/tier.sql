-- tier(): a score equal to a cutoff goes to the upper tier.
\ir sql/include/setup.sql
SELECT healthscore.tier(39.99) AS below_40, healthscore.tier(40) AS at_40,
       healthscore.tier(69.999) AS below_70, healthscore.tier(70) AS at_70;
SELECT s, healthscore.tier(s) FROM unnest('{-infinity,0,100,infinity}'::float8[]) AS s;
SELECT healthscore.tier(55, '{50}', '{poor,good}') AS custom,
       healthscore.tier(10, '{25,50,75}', '{poor,not good,good,great}') AS four_tiers,
       healthscore.tier(10, '{}', '{everyone}') AS one_tier,
       healthscore.tier(60, '[2:3]={40,70}', '[0:2]={r,y,g}') AS other_lower_bounds;
SELECT healthscore.tier(NULL) IS NULL AS null_score;
SELECT * FROM error_of($$SELECT healthscore.tier('nan')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{70,40}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,40}', '{a,b,c}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,NULL}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,infinity}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,70}', '{red,green}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,70}', '{red,NULL,green}')$$);
SELECT * FROM error_of($$SELECT healthscore.tier(50, '{40,70}', '{{red,yellow,green}}')$$);

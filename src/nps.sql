-- Aggregate nps (nps.c): Net Promoter Score from 0-10 ratings. State int8[3] (responses, promoters, detractors).

CREATE FUNCTION healthscore_internal.nps_accum(state int8[], rating integer)
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_accum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.nps_accum(int8[], integer) IS
'transition function of nps(): counts responses, promoters (9-10) and detractors (0-6)';

CREATE FUNCTION healthscore_internal.nps_combine(state int8[], other int8[])
RETURNS int8[]
AS 'MODULE_PATHNAME', 'healthscore_nps_combine'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.nps_combine(int8[], int8[]) IS
'combine function of nps(): adds two partial counts';

CREATE FUNCTION healthscore_internal.nps_final(state int8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'healthscore_nps_final'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.nps_final(int8[]) IS
'final function of nps(): % promoters - % detractors, NULL without responses';

CREATE AGGREGATE healthscore.nps(rating integer) (
	SFUNC = healthscore_internal.nps_accum,
	STYPE = int8[],
	INITCOND = '{0,0,0}',
	COMBINEFUNC = healthscore_internal.nps_combine,
	FINALFUNC = healthscore_internal.nps_final,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE healthscore.nps(integer) IS
'Net Promoter Score: % promoters (9-10) minus % detractors (0-6), from -100 to 100; NULL rows skipped; a rating outside 0..10 is an error';

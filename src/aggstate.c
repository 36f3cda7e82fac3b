/*
 * aggstate.c
 *		Fixed-size aggregate states kept in float8[] or int8[] arrays, as float.c does.
 *
 * A fixed-size, non-internal state needs no serialize/deserialize functions and can be shipped
 * between parallel workers or Citus nodes as an ordinary array value. The transition function
 * updates it in place when called as an aggregate (it then lives in the aggregate's memory
 * context, so this allocates nothing per row) and works on a copy when called directly.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/array.h"

ArrayType *
hs_writable_state(FunctionCallInfo fcinfo, int argno)
{
	if (AggCheckCallContext(fcinfo, NULL))
		return PG_GETARG_ARRAYTYPE_P(argno);
	return PG_GETARG_ARRAYTYPE_P_COPY(argno);
}

/*
 * A state that no transition of the aggregate could have produced (built by hand, or by
 * another program): an error rather than a silently wrong result, as float.c's
 * check_float8_array() refuses arrays of the wrong shape.
 */
void
hs_invalid_state(const char *func, const char *aggregate, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s(): state is not one that healthscore.%s() can produce", func, aggregate),
			 errdetail("%s", detail),
			 errhint("The state is made by healthscore.%s(); do not build it by hand.", aggregate)));
}

/*
 * The state must be exactly what the aggregate's initial condition makes: a one-dimensional
 * array of nelems elements of elemtype without NULLs. Anything else was built by hand.
 */
void *
hs_state_values(ArrayType *state, Oid elemtype, int nelems, const char *func, const char *aggregate)
{
	if (ARR_NDIM(state) != 1 ||
		ARR_DIMS(state)[0] != nelems ||
		ARR_HASNULL(state) ||
		ARR_ELEMTYPE(state) != elemtype)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): state must be an array of %d %s values without NULLs",
						func, nelems, elemtype == FLOAT8OID ? "float8" : "int8"),
				 errhint("The state is made by healthscore.%s(); do not build it by hand.", aggregate)));
	return ARR_DATA_PTR(state);
}

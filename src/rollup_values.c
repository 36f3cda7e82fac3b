/*
 * rollup_values.c
 *		The numbers a rollup keeps per account and day, and their way back to the type the
 *		signal's expression expects.
 *
 * A rollup keeps the result of every count, sum, min and max call of a day as one float8 of an
 * array (rollups.sql), so that one row holds all of them. A float8 holds every integer up to
 * 2^53 and every real, date and timestamp exactly (timestamps as microseconds, infinite ones as
 * infinities, which order the same way); anything it would round is an error, never a rounded
 * number. Sums of days are added as float8 too: exact for integers up to 2^53, to the last bits
 * for float8 sums, whose additions are then done in another order.
 *
 *	rollup_number(value anyelement, model text, signal text) returns float8
 *	rollup_restore(number float8, type anyelement, model text, signal text) returns anyelement
 *	rollup_average(sum float8, count float8, type anyelement, model text, signal text)
 *		returns anyelement: avg() from its rolled-up sum and count, as avg() computes it
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "healthscore.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(healthscore_rollup_number);
PG_FUNCTION_INFO_V1(healthscore_rollup_restore);
PG_FUNCTION_INFO_V1(healthscore_rollup_average);

/* Whose value it is, for the messages. */
static void
beyond_exact(FunctionCallInfo fcinfo, int model_arg, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("rollup of signal \"%s\" of model \"%s\": %s, which a rollup cannot hold exactly",
					PG_ARGISNULL(model_arg + 1) ? "?" : text_to_cstring(PG_GETARG_TEXT_PP(model_arg + 1)),
					PG_ARGISNULL(model_arg) ? "?" : text_to_cstring(PG_GETARG_TEXT_PP(model_arg)), what),
			 errdetail("A rollup keeps numbers as float8, which holds every integer up to 2^53 = 9007199254740992 and every timestamp from 1715 to 2285."),
			 errhint("Disable the rollup of this source with healthscore.disable_rollup(); the refresh then reads its events.")));
}

/* An integer as a float8, when it is one exactly. */
static double
exact_integer(FunctionCallInfo fcinfo, int model_arg, int64 value)
{
	if (value > (int64) HS_ROLLUP_EXACT_LIMIT || value < -(int64) HS_ROLLUP_EXACT_LIMIT)
		beyond_exact(fcinfo, model_arg, psprintf(INT64_FORMAT " is beyond 2^53", value));
	return (double) value;
}

/* A float8 that holds an integer, as that integer. */
static int64
integer_of(FunctionCallInfo fcinfo, int model_arg, double number)
{
	if (!(fabs(number) <= HS_ROLLUP_EXACT_LIMIT) || number != rint(number))
		beyond_exact(fcinfo, model_arg, psprintf("the combined value %.17g is not an integer up to 2^53", number));
	return (int64) number;
}

static double
time_number(FunctionCallInfo fcinfo, int64 microseconds)
{
	if (microseconds == DT_NOBEGIN)
		return -get_float8_infinity();
	if (microseconds == DT_NOEND)
		return get_float8_infinity();
	return exact_integer(fcinfo, 1, microseconds);
}

static int64
number_time(FunctionCallInfo fcinfo, int model_arg, double number)
{
	if (isinf(number))
		return number < 0 ? DT_NOBEGIN : DT_NOEND;
	return integer_of(fcinfo, model_arg, number);
}

static void
unsupported_type(Oid type)
{
	elog(ERROR, "a rollup does not hold values of type %s", format_type_be(type));
}

Datum
healthscore_rollup_number(PG_FUNCTION_ARGS)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Datum		value = PG_GETARG_DATUM(0);

	switch (type)
	{
		case INT2OID:
			PG_RETURN_FLOAT8((double) DatumGetInt16(value));
		case INT4OID:
			PG_RETURN_FLOAT8((double) DatumGetInt32(value));
		case INT8OID:
			PG_RETURN_FLOAT8(exact_integer(fcinfo, 1, DatumGetInt64(value)));
		case NUMERICOID:
			/* sum(bigint): an integer, exactly */
			PG_RETURN_FLOAT8(exact_integer(fcinfo, 1, DatumGetInt64(DirectFunctionCall1(numeric_int8, value))));
		case FLOAT4OID:
			PG_RETURN_FLOAT8((double) DatumGetFloat4(value));
		case FLOAT8OID:
			PG_RETURN_FLOAT8(DatumGetFloat8(value));
		case BOOLOID:
			PG_RETURN_FLOAT8(DatumGetBool(value) ? 1.0 : 0.0);
		case DATEOID:
			PG_RETURN_FLOAT8((double) DatumGetDateADT(value));
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			PG_RETURN_FLOAT8(time_number(fcinfo, DatumGetInt64(value)));
		default:
			unsupported_type(type);
	}
	PG_RETURN_NULL();			/* not reached */
}

/* number (not NULL) as a value of type, for the signal's expression. */
static Datum
restore(FunctionCallInfo fcinfo, int model_arg, Oid type, double number)
{
	int64		integer;

	switch (type)
	{
		case INT2OID:
		case INT4OID:
			/* min and max give back one of the values rolled up */
			integer = integer_of(fcinfo, model_arg, number);
			return type == INT2OID ? Int16GetDatum((int16) integer) : Int32GetDatum((int32) integer);
		case INT8OID:
			return Int64GetDatum(integer_of(fcinfo, model_arg, number));
		case NUMERICOID:
			return NumericGetDatum(int64_to_numeric(integer_of(fcinfo, model_arg, number)));
		case FLOAT4OID:
			return Float4GetDatum((float4) number);
		case FLOAT8OID:
			return Float8GetDatum(number);
		case BOOLOID:
			return BoolGetDatum(number != 0.0);
		case DATEOID:
			return DateADTGetDatum((DateADT) integer_of(fcinfo, model_arg, number));
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return Int64GetDatum(number_time(fcinfo, model_arg, number));
		default:
			unsupported_type(type);
	}
	return (Datum) 0;			/* not reached */
}

Datum
healthscore_rollup_restore(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(restore(fcinfo, 2, get_fn_expr_argtype(fcinfo->flinfo, 1), PG_GETARG_FLOAT8(0)));
}

/* avg() of integers is numeric: their sum divided by their count, in numeric (int8_avg). */
Datum
healthscore_rollup_average(PG_FUNCTION_ARGS)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 2);
	double		sum;
	double		count;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_GETARG_FLOAT8(1) == 0.0)
		PG_RETURN_NULL();
	sum = PG_GETARG_FLOAT8(0);
	count = PG_GETARG_FLOAT8(1);
	if (type == FLOAT8OID)
		PG_RETURN_FLOAT8(sum / count);	/* float8_avg */
	if (type != NUMERICOID)
		unsupported_type(type);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_div,
										NumericGetDatum(int64_to_numeric(integer_of(fcinfo, 3, sum))),
										NumericGetDatum(int64_to_numeric(integer_of(fcinfo, 3, count)))));
}

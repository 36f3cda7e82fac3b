/*
 * author.c
 *		Model text runs with the privileges of the role that wrote it, never of whoever calls.
 *
 * A refresh is usually run by a scheduled job whose role is powerful, and it runs SQL that model
 * authors wrote: signal expressions, segment filters, the relations they named. PostgreSQL runs
 * deferred code of this kind (a materialized view's query at REFRESH) as the owner of that code
 * under SetUserIdAndSecContext(owner, SECURITY_RESTRICTED_OPERATION); healthscore does the same
 * with the model's author. The restricted operation keeps the text from escaping: it cannot SET
 * ROLE, set_config('role', ...) or SET SESSION AUTHORIZATION, and every setting it changes is
 * undone when it ends. Restricted operations cannot create temporary tables, so the table the
 * scoring query fills is created before the switch, and the query's rows are written into it by
 * a DestReceiver, as REFRESH MATERIALIZED VIEW fills its new heap (the plan may be parallel).
 *
 * Which role is the author is decided by the extension's own SQL (healthscore_internal.
 * model_author, signal_author) from the defined_by columns that a trigger keeps; these C
 * functions take no role and no SQL text from their caller, so calling them directly can only
 * make a model's own text run as its own author.
 *
 *	score_as_author(model, as_of)	runs refresh_sql(model, as_of) as the model's author into a new
 *									temporary table pg_temp.healthscore_refresh_scored
 *	explain_as_author(signal, func)	EXPLAIN (FORMAT JSON) of a signal's grouped query as its
 *									author: how add_signal() and alter_signal() compile it
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(healthscore_score_as_author);
PG_FUNCTION_INFO_V1(healthscore_explain_as_author);

/* The temporary table a refresh's scoring query fills: the columns of refresh_sql(), in order. */
#define SCORED_TABLE "healthscore_refresh_scored"
static const char *const scored_table_sql =
"CREATE TEMPORARY TABLE pg_temp." SCORED_TABLE " ("
"account_key pg_catalog.text, segment pg_catalog.text, value pg_catalog.numeric, "
"owner pg_catalog.text, renewal_date pg_catalog.date, raw_values pg_catalog.float8[], "
"points pg_catalog.float8[]) ON COMMIT DROP";

/* Writes the rows of a query into a relation created for them (see transientrel in matview.c). */
typedef struct IntoTable
{
	DestReceiver pub;
	Oid			relid;
	Relation	rel;
	CommandId	cid;
	BulkInsertState bistate;
	uint64		rows;
} IntoTable;

static void
into_table_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	IntoTable  *into = (IntoTable *) self;
	TupleDesc	target;

	into->rel = table_open(into->relid, RowExclusiveLock);
	target = RelationGetDescr(into->rel);
	if (typeinfo->natts != target->natts)
		elog(ERROR, "scoring query returns %d columns, its table has %d", typeinfo->natts, target->natts);
	for (int i = 0; i < target->natts; i++)
		if (TupleDescAttr(typeinfo, i)->atttypid != TupleDescAttr(target, i)->atttypid)
			elog(ERROR, "column %d of the scoring query is of type %s, its table's is %s", i + 1,
				 format_type_be(TupleDescAttr(typeinfo, i)->atttypid),
				 format_type_be(TupleDescAttr(target, i)->atttypid));
	into->cid = GetCurrentCommandId(true);
	into->bistate = GetBulkInsertState();
}

static bool
into_table_receive(TupleTableSlot *slot, DestReceiver *self)
{
	IntoTable  *into = (IntoTable *) self;

	table_tuple_insert(into->rel, slot, into->cid, 0, into->bistate);
	into->rows++;
	return true;
}

static void
into_table_shutdown(DestReceiver *self)
{
	IntoTable  *into = (IntoTable *) self;

	FreeBulkInsertState(into->bistate);
	table_finish_bulk_insert(into->rel, 0);
	table_close(into->rel, NoLock);
	into->rel = NULL;
}

static void
into_table_destroy(DestReceiver *self)
{
	pfree(self);
}

static IntoTable *
into_table(Oid relid)
{
	IntoTable  *into = palloc0(sizeof(IntoTable));

	into->pub.receiveSlot = into_table_receive;
	into->pub.rStartup = into_table_startup;
	into->pub.rShutdown = into_table_shutdown;
	into->pub.rDestroy = into_table_destroy;
	into->pub.mydest = DestNone;
	into->relid = relid;
	return into;
}

/*
 * Run one statement as the author, inside a security-restricted operation, with the settings the
 * text must be read under; results go to dest (NULL: into SPI_tuptable). The caller is connected
 * to SPI. On error, transaction abort restores the user and the settings.
 */
static void
run_as_author(Oid author, const char *sql, DestReceiver *dest)
{
	Oid			saved_user;
	int			saved_context;
	int			nest_level;
	SPIExecuteOptions options;
	int			result;

	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(author, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	nest_level = NewGUCNestLevel();
	/* what the generated SQL was checked and written for; undone, with anything the text sets, below */
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("standard_conforming_strings", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	memset(&options, 0, sizeof(options));
	options.read_only = false;
	options.dest = dest;
	result = SPI_execute_extended(sql, &options);
	if (result < 0)
		elog(ERROR, "running the model's query failed: %s", SPI_result_code_string(result));

	AtEOXact_GUC(false, nest_level);
	SetUserIdAndSecContext(saved_user, saved_context);
}

/* The value of a one-row, one-column query run as the caller, with one or two arguments. */
static Datum
query_value(const char *sql, int nargs, Oid *types, Datum *values, bool *isnull)
{
	if (SPI_execute_with_args(sql, nargs, types, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "\"%s\" returned no row", sql);
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

/*
 * score_as_author(model text, as_of timestamptz) returns bigint: runs the model's scoring query
 * (refresh_sql) as its author into a new temporary table; returns the number of rows.
 */
Datum
healthscore_score_as_author(PG_FUNCTION_ARGS)
{
	Oid			types[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		args[2];
	bool		isnull;
	Oid			author;
	char	   *query;
	Oid			relid;
	IntoTable  *into;
	uint64		rows;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "score_as_author(): model and as_of must not be NULL");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "score_as_author(): SPI_connect failed");

	/* decided and generated as the caller, by the extension's own SQL */
	author = DatumGetObjectId(query_value("SELECT healthscore_internal.model_author($1)", 1, types, args, &isnull));
	if (isnull)
		elog(ERROR, "score_as_author(): model_author() returned NULL");
	query = TextDatumGetCString(query_value("SELECT healthscore.refresh_sql($1, $2)", 2, types, args, &isnull));

	if (SPI_execute(scored_table_sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "score_as_author(): creating the scoring table failed");
	relid = RangeVarGetRelid(makeRangeVar("pg_temp", SCORED_TABLE, -1), NoLock, false);

	into = into_table(relid);
	run_as_author(author, query, (DestReceiver *) into);
	rows = into->rows;
	SPI_finish();
	PG_RETURN_INT64((int64) rows);
}

/*
 * explain_as_author(signal healthscore.signals, func text) returns text: EXPLAIN (FORMAT JSON) of
 * the grouped query that computes the signal, run as the signal's author (signal_author()), so that
 * compiling a signal never runs its text with the privileges of someone who did not write it
 * (planning evaluates immutable functions).
 */
Datum
healthscore_explain_as_author(PG_FUNCTION_ARGS)
{
	Oid			types[2];
	Datum		args[2];
	bool		isnull;
	Oid			author;
	char	   *probe;
	text	   *plan;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext spi_context;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "explain_as_author(): signal and func must not be NULL");
	types[0] = get_fn_expr_argtype(fcinfo->flinfo, 0);
	types[1] = TEXTOID;
	if (!OidIsValid(types[0]))
		elog(ERROR, "explain_as_author(): cannot tell the type of the signal argument");
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "explain_as_author(): SPI_connect failed");

	author = DatumGetObjectId(query_value("SELECT healthscore_internal.signal_author($1, $2)", 2, types, args, &isnull));
	if (isnull)
		elog(ERROR, "explain_as_author(): signal_author() returned NULL");
	probe = TextDatumGetCString(query_value("SELECT healthscore_internal.signal_query($1)", 1, types, args, &isnull));
	if (isnull)
		elog(ERROR, "explain_as_author(): signal_query() returned NULL");

	run_as_author(author, psprintf("EXPLAIN (FORMAT JSON) %s", probe), NULL);
	if (SPI_processed != 1)
		elog(ERROR, "explain_as_author(): EXPLAIN returned " UINT64_FORMAT " rows", SPI_processed);
	/* the plan must outlive SPI's memory */
	spi_context = MemoryContextSwitchTo(caller);
	plan = DatumGetTextPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(spi_context);
	SPI_finish();
	PG_RETURN_TEXT_P(plan);
}

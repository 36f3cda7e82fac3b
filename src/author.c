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
 *	explain_as_author(signal, func)	EXPLAIN (FORMAT JSON) of a signal's grouped query, and the
 *									type its expression yields, as its author: how add_signal()
 *									and alter_signal() compile it
 *	outcomes_as_author(model)		the model's outcome relation (key, churn time), read as its
 *									author, then only the accounts the caller may see
 *	accounts_as_author(group)		the keys of a model group's account relation, read as the
 *									group's author, then only those the caller may see
 *	rollup_as_author(rollup, since, until)
 *									the day states of a rollup's source between two midnights, as
 *									the model's author, into a new temporary table
 *									pg_temp.healthscore_rollup_rolled
 *	source_freshness(model, as_of, every_signal)
 *									per signal, its source's newest row at the as-of time and
 *									whether its window has rows, read as the model's author
 *									(stale sources, check_model)
 *
 * The last two serve readers (model_accuracy, unscored_accounts): a relation a model names is code
 * too (a view can call any function), so it is read as the role that named it; the rows are then
 * filtered by account_visible() as the caller, which is what the caller would see of them.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "healthscore.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(healthscore_score_as_author);
PG_FUNCTION_INFO_V1(healthscore_explain_as_author);
PG_FUNCTION_INFO_V1(healthscore_outcomes_as_author);
PG_FUNCTION_INFO_V1(healthscore_accounts_as_author);
PG_FUNCTION_INFO_V1(healthscore_source_freshness);
PG_FUNCTION_INFO_V1(healthscore_rollup_as_author);

/* The temporary table a refresh's scoring query fills: the columns of refresh_sql(), in order. */
#define SCORED_TABLE "healthscore_refresh_scored"
static const char *const scored_table_sql =
"CREATE TEMPORARY TABLE pg_temp." SCORED_TABLE " ("
"account_key pg_catalog.text, segment pg_catalog.text, value pg_catalog.numeric, "
"owner pg_catalog.text, renewal_date pg_catalog.date, parent_key pg_catalog.text, "
"raw_values pg_catalog.float8[], points pg_catalog.float8[]) ON COMMIT DROP";

/* The temporary table a rollup's day states are written into: the columns of rollup_bucket_query(). */
#define ROLLED_TABLE "healthscore_rollup_rolled"
static const char *const rolled_table_sql =
"CREATE TEMPORARY TABLE pg_temp." ROLLED_TABLE " ("
"bucket pg_catalog.timestamptz, account_key pg_catalog.text, events pg_catalog.int8, "
"numbers pg_catalog.float8[], sets healthscore.exact_set[]) ON COMMIT DROP";

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
		elog(ERROR, "the query returns %d columns, its table has %d", typeinfo->natts, target->natts);
	for (int i = 0; i < target->natts; i++)
		if (TupleDescAttr(typeinfo, i)->atttypid != TupleDescAttr(target, i)->atttypid)
			elog(ERROR, "column %d of the query is of type %s, its table's is %s", i + 1,
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
 * Become the author inside a security-restricted operation, with the settings the text must be
 * read under. On error, transaction abort restores the user and the settings.
 */
void
hs_become_author(Oid author, AsAuthor *as)
{
	GetUserIdAndSecContext(&as->saved_user, &as->saved_context);
	SetUserIdAndSecContext(author, as->saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	as->nest_level = NewGUCNestLevel();
	/* what the generated SQL was checked and written for; undone, with anything the text sets */
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("standard_conforming_strings", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	/*
	 * Sources partitioned by account key (foreign partitions on other servers, local partitions)
	 * are then aggregated partition by partition: on postgres_fdw the grouped query runs on the
	 * shards instead of pulling every row (see README, "Running on more than one machine").
	 */
	(void) set_config_option("enable_partitionwise_aggregate", "on", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

void
hs_stop_being_author(const AsAuthor *as)
{
	AtEOXact_GUC(false, as->nest_level);
	SetUserIdAndSecContext(as->saved_user, as->saved_context);
}

/* Run one statement (as the author); results go to dest, or into SPI_tuptable when it is NULL. */
static void
run_statement(const char *sql, DestReceiver *dest)
{
	SPIExecuteOptions options;
	int			result;

	memset(&options, 0, sizeof(options));
	options.read_only = false;
	options.dest = dest;
	result = SPI_execute_extended(sql, &options);
	if (result < 0)
		elog(ERROR, "running the model's query failed: %s", SPI_result_code_string(result));
}

/* The type of the given column of a query's result, from its parse analysis (nothing runs). */
static Oid
result_column_type(const char *sql, int column)
{
	SPIPlanPtr	plan = SPI_prepare(sql, 0, NULL);
	CachedPlanSource *source;

	if (plan == NULL)
		elog(ERROR, "preparing the model's query failed: %s", SPI_result_code_string(SPI_result));
	source = linitial(SPI_plan_get_plan_sources(plan));
	if (source->resultDesc == NULL || source->resultDesc->natts < column)
		elog(ERROR, "the model's query has no column %d", column);
	return TupleDescAttr(source->resultDesc, column - 1)->atttypid;
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
 * Run query as author into a new temporary table (created by table_sql as the caller: restricted
 * operations cannot create temporary tables); returns its rows. A table of that name left over
 * from an earlier call in this transaction (a backfill) is dropped first: checked, not DROP IF
 * EXISTS, which would print notices into a scheduled job's log. Called inside SPI.
 */
static uint64
run_into_new_table(Oid author, const char *query, const char *table_sql, const char *table_name, const char *func)
{
	RangeVar   *table = makeRangeVar("pg_temp", (char *) table_name, -1);
	Oid			relid;
	IntoTable  *into;
	AsAuthor	as;

	if (OidIsValid(RangeVarGetRelid(table, NoLock, true)) &&
		SPI_execute(psprintf("DROP TABLE pg_temp.%s", table_name), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "%s(): dropping the earlier pg_temp.%s failed", func, table_name);
	if (SPI_execute(table_sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "%s(): creating pg_temp.%s failed", func, table_name);
	relid = RangeVarGetRelid(table, NoLock, false);

	into = into_table(relid);
	hs_become_author(author, &as);
	run_statement(query, (DestReceiver *) into);
	hs_stop_being_author(&as);
	return into->rows;
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
	rows = run_into_new_table(author, query, scored_table_sql, SCORED_TABLE, "score_as_author");
	SPI_finish();
	PG_RETURN_INT64((int64) rows);
}

/*
 * rollup_as_author(rollup integer, since timestamptz, until timestamptz) returns bigint: runs the
 * query of a rollup's day states from since to until (rollup_bucket_query) as the model's author,
 * into a new temporary table; returns the number of rows.
 */
Datum
healthscore_rollup_as_author(PG_FUNCTION_ARGS)
{
	Oid			types[3] = {INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		args[3];
	bool		isnull;
	Oid			author;
	char	   *query;
	uint64		rows;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		elog(ERROR, "rollup_as_author(): rollup, since and until must not be NULL");
	for (int i = 0; i < 3; i++)
		args[i] = PG_GETARG_DATUM(i);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "rollup_as_author(): SPI_connect failed");

	/* decided and generated as the caller, by the extension's own SQL */
	author = DatumGetObjectId(query_value("SELECT healthscore_internal.model_author(u.model) FROM healthscore.rollups AS u"
										  " WHERE u.rollup_id OPERATOR(pg_catalog.=) $1", 1, types, args, &isnull));
	if (isnull)
		elog(ERROR, "rollup_as_author(): model_author() returned NULL");
	query = TextDatumGetCString(query_value("SELECT healthscore_internal.rollup_bucket_query($1, $2, $3)", 3, types, args, &isnull));
	if (isnull)
		elog(ERROR, "rollup_as_author(): rollup_bucket_query() returned NULL");
	rows = run_into_new_table(author, query, rolled_table_sql, ROLLED_TABLE, "rollup_as_author");
	SPI_finish();
	PG_RETURN_INT64((int64) rows);
}

/*
 * explain_as_author(signal healthscore.signals, func text, OUT plan text, OUT value_type regtype):
 * EXPLAIN (FORMAT JSON) of the grouped query that computes the signal, and the type its expression
 * yields before the refresh casts it, both as the signal's author (signal_author()), so that
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
	char	   *untyped_probe;
	text	   *plan;
	Oid			value_type;
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext spi_context;
	AsAuthor	as;
	TupleDesc	result_desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

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
	probe = TextDatumGetCString(query_value("SELECT healthscore_internal.signal_query($1, true)", 1, types, args, &isnull));
	if (isnull)
		elog(ERROR, "explain_as_author(): signal_query() returned NULL");
	untyped_probe = TextDatumGetCString(query_value("SELECT healthscore_internal.signal_query($1, false)", 1, types, args, &isnull));
	if (isnull)
		elog(ERROR, "explain_as_author(): signal_query() returned NULL");
	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "explain_as_author() must return a composite type");

	hs_become_author(author, &as);
	value_type = result_column_type(untyped_probe, 2);	/* account_key, then the signal's value */
	run_statement(psprintf("EXPLAIN (FORMAT JSON) %s", probe), NULL);
	hs_stop_being_author(&as);
	if (SPI_processed != 1)
		elog(ERROR, "explain_as_author(): EXPLAIN returned " UINT64_FORMAT " rows", SPI_processed);
	/* the result must outlive SPI's memory */
	spi_context = MemoryContextSwitchTo(caller);
	plan = DatumGetTextPCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	values[0] = PointerGetDatum(plan);
	values[1] = ObjectIdGetDatum(value_type);
	result_desc = BlessTupleDesc(result_desc);
	MemoryContextSwitchTo(spi_context);
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
}

/*
 * Rows of a query the extension generated for a model (author_sql: a query returning the text
 * that makes the rows' query), run as the author (author_sql's first column), each row's columns
 * as text; then only the rows whose first column is a key the caller may see in the model's
 * account relation, as the caller, into the function's result.
 */
static void
visible_rows_as_author(FunctionCallInfo fcinfo, const char *author_sql, Datum argument, Oid argument_type,
					   int ncolumns)
{
	ReturnSetInfo *result = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[3];
	bool		isnull;
	Oid			author;
	char	   *model;
	char	   *query;
	AsAuthor	as;
	Datum	   *columns[2];
	int			nrows;
	Oid			types[3] = {TEXTARRAYOID, TEXTARRAYOID, TEXTOID};
	char		nulls[3] = {' ', ' ', ' '};

	/* a one-column result is a set of a scalar type: its descriptor is the one the caller expects */
	InitMaterializedSRF(fcinfo, ncolumns == 1 ? MAT_SRF_USE_EXPECTED_DESC : 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "reading a relation as its author: SPI_connect failed");
	if (SPI_execute_with_args(author_sql, 1, &argument_type, &argument, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "\"%s\" returned no row", author_sql);
	author = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	model = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	query = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	if (isnull || model == NULL || query == NULL)
		elog(ERROR, "\"%s\" returned NULL", author_sql);

	hs_become_author(author, &as);
	if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading a relation as its author failed");
	hs_stop_being_author(&as);

	nrows = (int) SPI_processed;
	for (int c = 0; c < ncolumns; c++)
	{
		columns[c] = palloc(sizeof(Datum) * Max(nrows, 1));
		for (int r = 0; r < nrows; r++)
		{
			Datum		value = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1, &isnull);

			if (isnull)
				elog(ERROR, "reading a relation as its author gave a NULL");	/* the query excludes NULLs */
			columns[c][r] = value;
			CHECK_FOR_INTERRUPTS();
		}
	}
	/* as the caller again: the rows of the accounts it may see */
	values[0] = PointerGetDatum(construct_array(columns[0], nrows, TEXTOID, -1, false, TYPALIGN_INT));
	values[1] = ncolumns > 1 ? PointerGetDatum(construct_array(columns[1], nrows, TEXTOID, -1, false, TYPALIGN_INT))
		: values[0];
	values[2] = CStringGetTextDatum(model);
	if (SPI_execute_with_args("SELECT o.k, o.v FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS o(k, v)"
							  " WHERE healthscore_internal.account_visible($3, o.k)",
							  3, types, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "filtering rows by the caller's visibility failed");
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Datum		row[2];
		bool		row_nulls[2] = {false, false};

		for (int c = 0; c < ncolumns; c++)
			row[c] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1, &isnull);
		tuplestore_putvalues(result->setResult, result->setDesc, row, row_nulls);
	}
	SPI_finish();
}

/*
 * outcomes_as_author(model text) returns table (account_key text, churned_at text): the earliest
 * churn time recorded for each account in the model's outcome relation (as text, in the session's
 * settings, which run_outcomes pins), read as the model's author, of the accounts the caller may see.
 */
Datum
healthscore_outcomes_as_author(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		elog(ERROR, "outcomes_as_author(): model must not be NULL");
	visible_rows_as_author(fcinfo, "SELECT a.author, a.model_name, a.query FROM healthscore_internal.outcomes_query($1) AS a",
						   PG_GETARG_DATUM(0), TEXTOID, 2);
	return (Datum) 0;
}

/*
 * accounts_as_author(model_group text) returns table (account_key text): the keys of the group's account
 * relation, read as the group's author, that the caller may see.
 */
Datum
healthscore_accounts_as_author(PG_FUNCTION_ARGS)
{
	/* not strict: unscored_accounts(NULL) is a mistake to name, not an empty group */
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unscored_accounts(): model_group must not be NULL"),
				 errhint("Name a model group; SELECT DISTINCT model_group FROM healthscore.models lists them.")));
	visible_rows_as_author(fcinfo, "SELECT a.author, a.model_name, a.query FROM healthscore_internal.accounts_query($1) AS a",
						   PG_GETARG_DATUM(0), TEXTOID, 1);
	return (Datum) 0;
}

/*
 * explain_refresh(model text, as_of timestamptz) returns setof text: the plan of the model's
 * scoring query, EXPLAINed as its author. Planning runs immutable functions of the model's text,
 * so a plan must be made as the author too; running refresh_sql()'s text oneself runs the
 * authors' text with one's own privileges.
 */
PG_FUNCTION_INFO_V1(healthscore_explain_refresh);

Datum
healthscore_explain_refresh(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *result = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			types[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		args[2];
	bool		isnull;
	Oid			author;
	char	   *query;
	AsAuthor	as;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("explain_refresh(): model, as_of and verbose must not be NULL"),
				 errhint("Pass a model and the time the scores would describe, e.g. now().")));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	/* one text column: the executor describes it, in FROM and in the select list */
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "explain_refresh(): SPI_connect failed");
	author = DatumGetObjectId(query_value("SELECT healthscore_internal.model_author($1, 'explain_refresh')",
										  1, types, args, &isnull));
	query = TextDatumGetCString(query_value("SELECT healthscore.refresh_sql($1, $2)", 2, types, args, &isnull));

	hs_become_author(author, &as);
	/* VERBOSE shows the remote SQL of foreign scans: what postgres_fdw ships to the shards */
	run_statement(psprintf("EXPLAIN %s%s", PG_GETARG_BOOL(2) ? "(VERBOSE) " : "", query), NULL);
	hs_stop_being_author(&as);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Datum		line = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull);
		bool		line_null = isnull;

		tuplestore_putvalues(result->setResult, result->setDesc, &line, &line_null);
	}
	SPI_finish();
	return (Datum) 0;
}

/*
 * source_freshness(model text, as_of timestamptz, every_signal boolean) returns table (signal text,
 * newest timestamptz, rows_in_window boolean): for each signal with a time column (only those with
 * a max_age unless every_signal), the newest row of its source at the as-of time and whether its
 * window has rows, read as the model's author (freshness_query() makes the query). The rows are
 * the caller's as they come: they say nothing about single accounts.
 */
Datum
healthscore_source_freshness(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *result = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			types[3] = {TEXTOID, TIMESTAMPTZOID, BOOLOID};
	Datum		args[3];
	bool		isnull;
	Oid			author;
	char	   *query;
	AsAuthor	as;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		elog(ERROR, "source_freshness(): model, as_of and every_signal must not be NULL");
	for (int i = 0; i < 3; i++)
		args[i] = PG_GETARG_DATUM(i);
	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "source_freshness(): SPI_connect failed");
	if (SPI_execute_with_args("SELECT f.author, f.query FROM healthscore_internal.freshness_query($1, $2, $3) AS f",
							  3, types, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "source_freshness(): freshness_query() returned no row");
	author = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	query = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (query == NULL)
	{
		SPI_finish();			/* no signal to check */
		return (Datum) 0;
	}
	if (isnull)
		elog(ERROR, "source_freshness(): freshness_query() returned no author");

	hs_become_author(author, &as);
	if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "source_freshness(): reading the sources failed");
	hs_stop_being_author(&as);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		Datum		row[3];
		bool		nulls[3];

		for (int c = 0; c < 3; c++)
			row[c] = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		tuplestore_putvalues(result->setResult, result->setDesc, row, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}

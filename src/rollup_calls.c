/*
 * rollup_calls.c
 *		Which aggregate calls of a signal's expression a rollup can hold, and the expression
 *		rewritten over the rolled-up states.
 *
 * A rollup (rollups.sql) keeps, per account and day, the partial result of every aggregate call
 * of the signals over one source, so that a refresh combines days instead of scanning events.
 * This file reads a signal's expression as PostgreSQL's parser does, as the model's author
 * (parse analysis resolves the names the author's text uses), and finds its aggregate calls:
 *
 *	count, sum, min, max, bool_and, bool_or, every	one number per bucket (float8, exactly: an
 *		integer beyond 2^53 is an error, not a rounded value), combined by sum, min or max;
 *	avg											rewritten as sum and count;
 *	healthscore.distinct_count, stickiness		their exact set, combined by union;
 *	healthscore.nps								its three counts, combined by adding them.
 *
 * The bucket calls are the author's text itself, cut out at the call's location in the
 * expression (the scanner finds where the call and its FILTER clause end); the combined
 * expression is the author's text with each call replaced by its combination. Anything else
 * (DISTINCT or ORDER BY inside a call, ordered-set and other aggregates, functions that are not
 * immutable inside a call, columns outside a call, subqueries, window functions) is not rolled
 * up, and the reason says why: check_model() reports it, and the refresh scans events for it.
 *
 *	rollup_expression(model, source, source_key, expression, numbers, ops, sets)
 *		-> (numbers, ops, sets, combined, problem): the bucket calls so far (numbers with their
 *		combining operation, sets) extended with this expression's, and the expression over them.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "healthscore.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(healthscore_rollup_expression);

/* What is known about the expression as it is analysed. */
typedef struct CallSearch
{
	List	   *calls;			/* top-level Aggrefs, in the order found */
	const char *problem;		/* the first thing that cannot be rolled up, or NULL */
} CallSearch;

/* The bucket calls of a source's rollup, as they grow expression by expression. */
typedef struct RolledCalls
{
	List	   *numbers;		/* text of each number call (a float8 per bucket) */
	List	   *ops;			/* sum, min or max: how buckets of it combine */
	List	   *sets;			/* text of each set call (an exact_set per bucket) */
} RolledCalls;

static bool
find_calls(Node *node, CallSearch *search)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))
	{
		search->calls = lappend(search->calls, node);
		return false;			/* what is inside is checked call by call */
	}
	if (search->problem == NULL)
	{
		if (IsA(node, Var))
			search->problem = "it reads a column outside an aggregate call";
		else if (IsA(node, SubLink))
			search->problem = "it has a subquery";
		else if (IsA(node, WindowFunc))
			search->problem = "it has a window function";
		else if (IsA(node, GroupingFunc))
			search->problem = "it has a GROUPING() call";
	}
	return expression_tree_walker(node, find_calls, search);
}

static bool
is_ident_char(char c)
{
	return isalnum((unsigned char) c) || c == '_' || c == '$' || IS_HIGHBIT_SET(c);
}

/*
 * Where the call starting at location ends (just past its closing parenthesis, or its FILTER
 * clause's), and where its argument list opens; by PostgreSQL's own scanner, so that
 * parentheses inside strings, quoted names and comments do not count. False if not found.
 */
static bool
call_extent(const char *query, int location, int *args_start, int *end)
{
	core_yyscan_t scanner;
	core_yy_extra_type extra;
	core_YYSTYPE value;
	YYLTYPE		at;
	int			depth = 0;
	bool		in_filter = false;
	bool		after_args = false;
	bool		found = false;
	bool		conforming = standard_conforming_strings;

	standard_conforming_strings = true;
	scanner = scanner_init(query, &extra, &ScanKeywords, ScanKeywordTokens);
	*args_start = -1;
	for (;;)
	{
		int			token = core_yylex(&value, &at, scanner);

		if (token == 0)
			break;
		if (at < location)
			continue;
		if (after_args)
		{
			/* FILTER (WHERE ...) belongs to the call */
			if (!in_filter && pg_strncasecmp(query + at, "filter", 6) == 0 && !is_ident_char(query[at + 6]))
			{
				in_filter = true;
				continue;
			}
			if (in_filter && token == '(' && depth == 0)
			{
				depth = 1;
				after_args = false;
				continue;
			}
			found = !in_filter;
			break;
		}
		if (token == '(')
		{
			if (depth == 0 && *args_start < 0)
				*args_start = at;
			depth++;
		}
		else if (token == ')')
		{
			if (--depth == 0)
			{
				*end = at + 1;
				if (in_filter)
				{
					found = true;
					break;
				}
				after_args = true;
			}
		}
	}
	if (after_args && !in_filter)
		found = true;			/* the call ends the text */
	scanner_finish(scanner);
	standard_conforming_strings = conforming;
	return found && *args_start > location;
}

/* The position of text in list, appending it (with its op) when new; 1-based. */
static int
slot_of(List **texts, List **ops, const char *text, const char *op)
{
	int			i = 0;
	ListCell   *cell;

	foreach(cell, *texts)
	{
		i++;
		if (strcmp((const char *) lfirst(cell), text) == 0 &&
			(ops == NULL || strcmp((const char *) list_nth(*ops, i - 1), op) == 0))
			return i;
	}
	*texts = lappend(*texts, pstrdup(text));
	if (ops != NULL)
		*ops = lappend(*ops, pstrdup(op));
	return list_length(*texts);
}

static bool
is_integer_type(Oid type)
{
	return type == INT2OID || type == INT4OID || type == INT8OID;
}

/* The types a rollup holds exactly as a float8 per bucket. */
static bool
holds_exactly(Oid type)
{
	return is_integer_type(type) || type == FLOAT4OID || type == FLOAT8OID || type == BOOLOID ||
		type == DATEOID || type == TIMESTAMPOID || type == TIMESTAMPTZOID;
}

/*
 * The bucket calls one aggregate call needs and the text that combines them, or the reason it
 * cannot be rolled up. call is the author's text of the whole call, args its text from the
 * opening parenthesis on (arguments and FILTER clause).
 */
static const char *
roll_call(Aggref *aggref, const char *call, const char *args, const char *labels, const char *in_window,
		  RolledCalls *rolled, StringInfo combined)
{
	const char *name = get_func_name(aggref->aggfnoid);
	const char *schema = get_namespace_name(get_func_namespace(aggref->aggfnoid));
	Oid			argument = aggref->aggargtypes != NIL ? linitial_oid(aggref->aggargtypes) : InvalidOid;
	char	   *result_type = format_type_be_qualified(aggref->aggtype);
	const char *op = NULL;
	int			slot;

	if (aggref->aggkind != AGGKIND_NORMAL)
		return psprintf("%s() is an ordered-set aggregate, whose buckets cannot be combined", name);
	if (aggref->aggdistinct != NIL)
		return psprintf("%s(DISTINCT ...) cannot be combined across days (healthscore.distinct_count() can)", name);
	if (aggref->aggorder != NIL)
		return psprintf("%s(... ORDER BY ...) cannot be combined across days", name);
	if (contain_mutable_functions((Node *) aggref->args) || contain_mutable_functions((Node *) aggref->aggfilter))
		return psprintf("the arguments or FILTER of %s() call a function that is not immutable, whose value could differ between rolling up a day and reading it", name);
	if (checkExprHasSubLink((Node *) aggref->args) || checkExprHasSubLink((Node *) aggref->aggfilter))
		return psprintf("the arguments or FILTER of %s() have a subquery", name);

	if (strcmp(schema, "pg_catalog") == 0)
	{
		if (strcmp(name, "count") == 0 || strcmp(name, "sum") == 0)
			op = "sum";
		else if (strcmp(name, "min") == 0 || strcmp(name, "bool_and") == 0 || strcmp(name, "every") == 0)
			op = "min";
		else if (strcmp(name, "max") == 0 || strcmp(name, "bool_or") == 0)
			op = "max";
		else if (strcmp(name, "avg") != 0)
			return psprintf("%s() is not an aggregate a rollup holds (count, sum, avg, min, max, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness, healthscore.nps)", name);

		if (strcmp(name, "count") != 0 && !holds_exactly(argument))
			return psprintf("%s() of %s is not held exactly by a rollup (integers, float8, real, boolean, date and timestamps are)",
							name, format_type_be(argument));
		if ((strcmp(name, "sum") == 0 || strcmp(name, "avg") == 0) && !is_integer_type(argument) && argument != FLOAT8OID)
			return psprintf("%s() of %s is not held exactly by a rollup (sums of integers and float8 are)",
							name, format_type_be(argument));

		if (op != NULL)
		{
			slot = slot_of(&rolled->numbers, &rolled->ops,
						   psprintf("healthscore_internal.rollup_number(%s, %s)", call, labels), op);
			appendStringInfo(combined, "healthscore_internal.rollup_restore(pg_catalog.%s(r.numbers[%d]) %s, NULL::%s, %s)",
							 op, slot, in_window, result_type, labels);
		}
		else
		{
			/* avg: a sum and a count of the same arguments, under the same FILTER */
			int			sum_slot = slot_of(&rolled->numbers, &rolled->ops,
										   psprintf("healthscore_internal.rollup_number(pg_catalog.sum%s, %s)", args, labels), "sum");
			int			count_slot = slot_of(&rolled->numbers, &rolled->ops,
											 psprintf("healthscore_internal.rollup_number(pg_catalog.count%s, %s)", args, labels), "sum");

			appendStringInfo(combined, "healthscore_internal.rollup_average(pg_catalog.sum(r.numbers[%d]) %s, pg_catalog.sum(r.numbers[%d]) %s, NULL::%s, %s)",
							 sum_slot, in_window, count_slot, in_window, result_type, labels);
		}
		return NULL;
	}
	if (strcmp(schema, "healthscore") == 0 &&
		(strcmp(name, "distinct_count") == 0 || strcmp(name, "stickiness") == 0))
	{
		slot = slot_of(&rolled->sets, NULL, psprintf("healthscore_internal.%s_state%s", name, args), NULL);
		appendStringInfo(combined, "healthscore_internal.%s_final(healthscore_internal.exact_set_union(r.sets[%d]) %s)",
						 name, slot, in_window);
		return NULL;
	}
	if (strcmp(schema, "healthscore") == 0 && strcmp(name, "nps") == 0)
	{
		/* its state is three counts (responses, promoters, detractors), combined by adding them */
		int			slots[3];

		for (int i = 0; i < 3; i++)
			slots[i] = slot_of(&rolled->numbers, &rolled->ops,
							   psprintf("healthscore_internal.rollup_number((healthscore_internal.nps_state%s)[%d], %s)",
										args, i + 1, labels), "sum");
		appendStringInfoString(combined, "healthscore_internal.nps_final(ARRAY[");
		for (int i = 0; i < 3; i++)
			appendStringInfo(combined, "%shealthscore_internal.rollup_restore(pg_catalog.sum(r.numbers[%d]) %s, NULL::bigint, %s)",
							 i > 0 ? ", " : "", slots[i], in_window, labels);
		appendStringInfoString(combined, "])");
		return NULL;
	}
	return psprintf("%s.%s() is not an aggregate a rollup holds (count, sum, avg, min, max, bool_and, bool_or, healthscore.distinct_count, healthscore.stickiness, healthscore.nps)",
					schema, name);
}

static int
by_location(const ListCell *a, const ListCell *b)
{
	return ((Aggref *) lfirst(a))->location - ((Aggref *) lfirst(b))->location;
}

/*
 * Analyse expression as the target of "SELECT ... FROM source AS s GROUP BY s.key" and roll its
 * calls; returns the problem, or NULL with the combined text in combined.
 */
static const char *
roll_expression(const char *source, const char *key, const char *expression, const char *labels,
				const char *in_window, RolledCalls *rolled, StringInfo combined)
{
	static const char prefix[] = "SELECT ";
	char	   *query = psprintf("%s%s\nFROM %s AS s GROUP BY s.%s", prefix, expression, source, key);
	List	   *parsed = raw_parser(query, RAW_PARSE_DEFAULT);
	Query	   *analysed;
	TargetEntry *target;
	CallSearch	search = {NIL, NULL};
	int			copied = 0;
	ListCell   *cell;

	if (list_length(parsed) != 1)
		return "it is not one expression";
	analysed = parse_analyze_fixedparams(linitial_node(RawStmt, parsed), query, NULL, 0, NULL);
	/* the GROUP BY key is a junk entry after it */
	target = linitial_node(TargetEntry, analysed->targetList);
	if (target->resjunk)
		return "it is not one expression";
	(void) find_calls((Node *) target->expr, &search);
	if (search.problem != NULL)
		return search.problem;
	list_sort(search.calls, by_location);
	foreach(cell, search.calls)
	{
		Aggref	   *aggref = lfirst_node(Aggref, cell);
		int			start = aggref->location - (int) strlen(prefix);
		int			args_start = -1;
		int			end = -1;
		const char *problem;

		if (aggref->location < 0 ||
			!call_extent(query, aggref->location, &args_start, &end) ||
			start < copied || end - (int) strlen(prefix) > (int) strlen(expression))
			return "the extent of an aggregate call in its text cannot be told";
		args_start -= strlen(prefix);
		end -= strlen(prefix);
		appendBinaryStringInfo(combined, expression + copied, start - copied);
		appendStringInfoChar(combined, '(');
		problem = roll_call(aggref, pnstrdup(expression + start, end - start),
							pnstrdup(expression + args_start, end - args_start), labels, in_window, rolled, combined);
		if (problem != NULL)
			return problem;
		appendStringInfoChar(combined, ')');
		copied = end;
	}
	appendStringInfoString(combined, expression + copied);
	return NULL;
}

static List *
text_list(ArrayType *array)
{
	Datum	   *values;
	bool	   *nulls;
	int			n;
	List	   *list = NIL;

	if (array == NULL)
		return NIL;
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			elog(ERROR, "rollup_expression(): a bucket call is NULL");
		list = lappend(list, TextDatumGetCString(values[i]));
	}
	return list;
}

static Datum
text_array(List *list)
{
	int			n = list_length(list);
	Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
	int			i = 0;
	ListCell   *cell;

	foreach(cell, list)
		values[i++] = CStringGetTextDatum((const char *) lfirst(cell));
	return PointerGetDatum(construct_array(values, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * rollup_expression(model text, source regclass, source_key text, signal text, expression text,
 *					 window_flag text, numbers text[], ops text[], sets text[],
 *					 OUT numbers text[], OUT ops text[], OUT sets text[], OUT combined text, OUT problem text)
 *
 * window_flag names the boolean column of the rolled rows (alias r) that is true for the rows of
 * the signal's window: each combining aggregate reads only those (FILTER).
 */
Datum
healthscore_rollup_expression(PG_FUNCTION_ARGS)
{
	text	   *model;
	Oid			source;
	char	   *key;
	char	   *signal;
	char	   *expression;
	char	   *in_window;
	RolledCalls rolled;
	RolledCalls before;
	StringInfoData combined;
	const char *problem;
	char	   *labels;
	char	   *relation;
	Oid			author;
	bool		isnull;
	AsAuthor	as;
	TupleDesc	result_desc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};
	MemoryContext caller = CurrentMemoryContext;

	for (int i = 0; i < 6; i++)
		if (PG_ARGISNULL(i))
			elog(ERROR, "rollup_expression(): model, source, source_key, signal, expression and window_flag must not be NULL");
	model = PG_GETARG_TEXT_PP(0);
	source = PG_GETARG_OID(1);
	key = text_to_cstring(PG_GETARG_TEXT_PP(2));
	signal = text_to_cstring(PG_GETARG_TEXT_PP(3));
	expression = text_to_cstring(PG_GETARG_TEXT_PP(4));
	in_window = psprintf("FILTER (WHERE r.%s)", quote_identifier(text_to_cstring(PG_GETARG_TEXT_PP(5))));
	rolled.numbers = text_list(PG_ARGISNULL(6) ? NULL : PG_GETARG_ARRAYTYPE_P(6));
	rolled.ops = text_list(PG_ARGISNULL(7) ? NULL : PG_GETARG_ARRAYTYPE_P(7));
	rolled.sets = text_list(PG_ARGISNULL(8) ? NULL : PG_GETARG_ARRAYTYPE_P(8));
	if (list_length(rolled.numbers) != list_length(rolled.ops))
		elog(ERROR, "rollup_expression(): numbers and ops differ in length");
	before.numbers = list_copy(rolled.numbers);
	before.ops = list_copy(rolled.ops);
	before.sets = list_copy(rolled.sets);
	relation = quote_qualified_identifier(get_namespace_name(get_rel_namespace(source)), get_rel_name(source));
	labels = psprintf("%s, %s", quote_literal_cstr(text_to_cstring(model)), quote_literal_cstr(signal));
	initStringInfo(&combined);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "rollup_expression(): SPI_connect failed");
	{
		Oid			types[1] = {TEXTOID};
		Datum		args[1] = {PointerGetDatum(model)};

		if (SPI_execute_with_args("SELECT healthscore_internal.model_author($1)", 1, types, args, NULL, true, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "rollup_expression(): model_author() returned no row");
		author = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (isnull)
			elog(ERROR, "rollup_expression(): model_author() returned NULL");
	}
	/* parse analysis resolves the author's names, as the author */
	MemoryContextSwitchTo(caller);
	hs_become_author(author, &as);
	problem = roll_expression(relation, quote_identifier(key), expression, labels, in_window, &rolled, &combined);
	hs_stop_being_author(&as);
	SPI_finish();

	if (problem != NULL)
	{
		rolled = before;		/* calls of a signal that is not rolled up are not kept */
		nulls[3] = true;
	}
	if (get_call_result_type(fcinfo, NULL, &result_desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "rollup_expression() must return a composite type");
	values[0] = text_array(rolled.numbers);
	values[1] = text_array(rolled.ops);
	values[2] = text_array(rolled.sets);
	values[3] = problem == NULL ? CStringGetTextDatum(combined.data) : (Datum) 0;
	values[4] = problem != NULL ? CStringGetTextDatum(problem) : (Datum) 0;
	nulls[4] = problem == NULL;
	result_desc = BlessTupleDesc(result_desc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_desc, values, nulls)));
}

/*
 * model_text.c
 *		one_expression(): the SQL text a model author writes (a signal's expression, a segment
 *		filter) is code, and must be exactly one expression.
 *
 * The refresh embeds that text in the queries it generates. Concatenated as it was written, a
 * text such as "true)); DELETE FROM x; SELECT ((true" would close the parentheses around it and
 * append statements of its own. So the text is parsed by PostgreSQL's own parser as the target
 * of "SELECT <text>", and accepted only when that is one SELECT of one unnamed target with no
 * other clause: then, and only then, "(<text>)" is one parenthesized expression wherever it is
 * placed. The text is returned wrapped on lines of its own, so that a trailing "-- comment"
 * cannot swallow what follows it.
 *
 * Strings are scanned with standard_conforming_strings on, here and wherever generated SQL is
 * run (the functions that run it pin the setting), so that the check and the execution read
 * backslashes in literals alike.
 */
#include "postgres.h"

#include "fmgr.h"
#include "healthscore.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(healthscore_one_expression);

/* What the text is, for the messages: the signal's expression or the model's segment filter. */
typedef struct TextRole
{
	const char *func;			/* the function whose argument it is */
	const char *what;			/* "expression of signal "x" of model "m"" */
	const char *hint;
} TextRole;

static void
not_one_expression(const TextRole *role, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SYNTAX_ERROR),
			 errmsg("%s(): %s must be exactly one SQL expression", role->func, role->what),
			 errdetail("%s", detail),
			 errhint("%s", role->hint)));
}

/* Parse sql, turning a syntax error into one that names the model text. */
static List *
parse_as_select(const TextRole *role, const char *sql)
{
	MemoryContext context = CurrentMemoryContext;
	bool		conforming = standard_conforming_strings;
	List	   *statements = NIL;

	PG_TRY();
	{
		standard_conforming_strings = true;
		statements = raw_parser(sql, RAW_PARSE_DEFAULT);
	}
	PG_CATCH();
	{
		ErrorData  *error;

		/* the parser holds no resources; the error is raised again at once */
		standard_conforming_strings = conforming;
		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(error->sqlerrcode),
				 errmsg("%s(): %s does not parse: %s", role->func, role->what, error->message),
				 errhint("%s", role->hint)));
	}
	PG_END_TRY();
	standard_conforming_strings = conforming;
	return statements;
}

/* The clause of a SELECT that makes it more than one expression, or NULL. */
static const char *
extra_clause(const SelectStmt *select)
{
	if (select->op != SETOP_NONE)
		return "It combines queries with UNION, INTERSECT or EXCEPT.";
	if (select->withClause)
		return "It has a WITH clause.";
	if (select->distinctClause)
		return "It has DISTINCT.";
	if (select->intoClause)
		return "It has an INTO clause.";
	if (select->fromClause)
		return "It has a FROM clause.";
	if (select->whereClause)
		return "It has a WHERE clause.";
	if (select->groupClause)
		return "It has a GROUP BY clause.";
	if (select->havingClause)
		return "It has a HAVING clause.";
	if (select->windowClause)
		return "It has a WINDOW clause.";
	if (select->valuesLists)
		return "It is a VALUES list.";
	if (select->sortClause)
		return "It has an ORDER BY clause.";
	if (select->limitOffset || select->limitCount)
		return "It has a LIMIT or OFFSET clause.";
	if (select->lockingClause)
		return "It has a locking clause (FOR UPDATE, FOR SHARE).";
	return NULL;
}

static void
check_one_expression(const TextRole *role, const char *text)
{
	List	   *statements = parse_as_select(role, psprintf("SELECT %s", text));
	List	   *wrapped;
	RawStmt    *raw;
	SelectStmt *select;
	ResTarget  *target;
	const char *extra;

	if (list_length(statements) != 1)
		not_one_expression(role, psprintf("It holds %d statements.", list_length(statements)));
	raw = linitial_node(RawStmt, statements);
	if (!IsA(raw->stmt, SelectStmt))
		not_one_expression(role, "It is not an expression.");
	select = (SelectStmt *) raw->stmt;
	extra = extra_clause(select);
	if (extra)
		not_one_expression(role, extra);
	if (select->targetList == NIL)
		not_one_expression(role, "It is empty.");
	if (list_length(select->targetList) != 1)
		not_one_expression(role, psprintf("It is %d expressions separated by commas.",
										  list_length(select->targetList)));
	target = linitial_node(ResTarget, select->targetList);
	if (target->name)
		not_one_expression(role, psprintf("It names its result (AS %s).", target->name));
	if (IsA(target->val, ColumnRef) && IsA(llast(((ColumnRef *) target->val)->fields), A_Star))
		not_one_expression(role, "It is a list of columns (*), not an expression.");

	/*
	 * And the form it is embedded in must parse too, as one target: this refuses what SELECT accepts
	 * around a target but parentheses do not (a trailing semicolon, a leading ALL).
	 */
	wrapped = parse_as_select(role, psprintf("SELECT (\n%s\n)", text));
	if (list_length(wrapped) != 1 ||
		!IsA(linitial_node(RawStmt, wrapped)->stmt, SelectStmt) ||
		list_length(((SelectStmt *) linitial_node(RawStmt, wrapped)->stmt)->targetList) != 1)
		not_one_expression(role, "It does not stand as one expression in parentheses.");
}

/*
 * one_expression(text, func, model, signal, kind): text wrapped as "(\n<text>\n)" when it is
 * exactly one expression, else an error naming the function, the model and the signal. kind is
 * 'expression' (a signal's aggregate expression), 'per_account' (what a signal applies to that
 * aggregate beside the account row) or 'filter' (a model's segment filter; signal is
 * NULL then).
 */
Datum
healthscore_one_expression(PG_FUNCTION_ARGS)
{
	TextRole	role;
	const char *model;
	const char *kind;
	char	   *written;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		elog(ERROR, "one_expression(): func, model and kind must not be NULL");
	role.func = text_to_cstring(PG_GETARG_TEXT_PP(1));
	model = text_to_cstring(PG_GETARG_TEXT_PP(2));
	kind = text_to_cstring(PG_GETARG_TEXT_PP(4));
	if (strcmp(kind, "filter") == 0)
	{
		role.what = psprintf("segment_filter of model \"%s\"", model);
		role.hint = "Write one condition over the account row (alias account), e.g. account.segment = 'enterprise'.";
	}
	else if (strcmp(kind, "expression") == 0 && !PG_ARGISNULL(3))
	{
		role.what = psprintf("expression of signal \"%s\" of model \"%s\"",
							 text_to_cstring(PG_GETARG_TEXT_PP(3)), model);
		role.hint = "Write one aggregate over the source rows (alias s), e.g. count(*) FILTER (WHERE s.kind = 'login'); use account.<column> for the account row.";
	}
	else if (strcmp(kind, "per_account") == 0 && !PG_ARGISNULL(3))
	{
		role.what = psprintf("per_account of signal \"%s\" of model \"%s\"",
							 text_to_cstring(PG_GETARG_TEXT_PP(3)), model);
		role.hint = "Write one expression over value (the grouped expression's result) and the account row (alias account), e.g. value / account.seats.";
	}
	else
		elog(ERROR, "one_expression(): unknown kind \"%s\"", kind);

	if (PG_ARGISNULL(0))
		not_one_expression(&role, "It is NULL.");
	written = text_to_cstring(PG_GETARG_TEXT_PP(0));
	check_one_expression(&role, written);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("(\n%s\n)", written)));
}

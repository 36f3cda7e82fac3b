/*
 * visibility.c
 *		account_visible(model, account_key): may the current user see this account's scores?
 *
 * healthscore's views are security_invoker, and the score tables carry a row-level security
 * policy calling this function, so that whatever row-level security the user's own account
 * relation has also applies to its scores: a CSM who sees only their accounts in app.accounts
 * sees only those accounts' scores.
 *
 * The answer comes from the account relation itself, asked once per query and model as the
 * current user (the answer is cached in fn_extra for the rest of the query):
 *	- a role that may delete scores (grant_admin) sees them all: it maintains the history, and
 *	  the cascades that delete old runs must not be filtered by the accounts it can see;
 *	- no SELECT privilege on the account relation, or no USAGE on its schema: nothing is visible;
 *	- a table where row-level security does not apply to the user: everything is visible;
 *	- otherwise (row-level security applies, or the relation is a view, which may filter by user
 *	  or read tables with row-level security itself) the keys the user can select there, asked
 *	  once and kept in a hash set (distinct_set.c).
 *
 * The queries run under the user's own search_path, which the user controls: everything in them
 * is qualified (operators too), and the relation's name is built from its OID.
 *
 * Reading the relation as the user runs its owner's code as the user (a view's functions, a
 * policy's expressions), and the relation was named by a model's author, not chosen by the user.
 * So it is read only when its owner is trusted: a superuser, the user itself, or a role a
 * superuser listed in healthscore.trusted_owners. Otherwise the user sees none of its accounts.
 *
 * account_listed() is the same question, but only for keys that the relation holds: rows not
 * keyed by a model (assessments) must not become visible through a model whose relation the
 * user sees entirely.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "distinct_set.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(healthscore_account_visible);
PG_FUNCTION_INFO_V1(healthscore_account_listed);

typedef enum Visibility
{
	VISIBLE_NONE,
	VISIBLE_ALL,
	VISIBLE_SOME
} Visibility;

/* What the current user may see of one model's accounts, for one query. */
typedef struct ModelVisibility
{
	struct ModelVisibility *next;
	char	   *model;
	bool		listed;			/* only keys the relation holds (account_listed) */
	Visibility	visibility;
	HsDistinctSet *keys;		/* VISIBLE_SOME: the visible keys as text */
} ModelVisibility;

/*
 * The account relation named by a model, or InvalidOid when it does not exist or the user may not
 * use its schema: then the user sees none of its accounts (rather than an error from the lookup).
 */
static Oid
usable_relation(const char *name)
{
	RangeVar   *relation = makeRangeVarFromNameList(stringToQualifiedNameList(name));

	if (relation->schemaname)
	{
		Oid			namespace = get_namespace_oid(relation->schemaname, true);

		if (!OidIsValid(namespace) ||
			pg_namespace_aclcheck(namespace, GetUserId(), ACL_USAGE) != ACLCHECK_OK)
			return InvalidOid;
	}
	return RangeVarGetRelid(relation, NoLock, true);
}

/* May the current user read this relation, running its owner's code as itself? */
static bool
owner_trusted(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;
	Oid			types[1] = {TEXTOID};
	Datum		args[1];

	if (!HeapTupleIsValid(tuple))
		return false;
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	if (superuser_arg(owner) || owner == GetUserId())
		return true;
	args[0] = CStringGetTextDatum(GetUserNameFromId(owner, false));
	if (SPI_execute_with_args("SELECT FROM healthscore.trusted_owners AS t WHERE t.owner OPERATOR(pg_catalog.=) $1",
							  1, types, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "account_visible(): reading healthscore.trusted_owners failed");
	return SPI_processed > 0;
}

static ModelVisibility *
load_visibility(const char *model, bool listed, MemoryContext context)
{
	ModelVisibility *result = MemoryContextAllocZero(context, sizeof(ModelVisibility));
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *accounts;
	char	   *key_column;
	Oid			relid;
	Oid			scores;
	bool		plain;

	result->model = MemoryContextStrdup(context, model);
	result->listed = listed;
	result->visibility = VISIBLE_NONE;

	/*
	 * Checked first, before the model is looked up: when drop_model() deletes a model, its runs'
	 * scores are deleted by cascade after the model row is gone, and must still be visible.
	 */
	scores = get_relname_relid("scores", get_namespace_oid("healthscore", false));
	if (OidIsValid(scores) && pg_class_aclcheck(scores, GetUserId(), ACL_DELETE) == ACLCHECK_OK)
	{
		result->visibility = VISIBLE_ALL;
		return result;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "account_visible(): SPI_connect failed");
	args[0] = CStringGetTextDatum(model);
	if (SPI_execute_with_args("SELECT m.accounts, m.key_column FROM healthscore.models AS m"
							  " WHERE m.name OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "account_visible(): reading healthscore.models failed");
	if (SPI_processed == 0)
	{
		SPI_finish();
		return result;			/* no such model (any more): nothing to see */
	}
	accounts = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	key_column = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

	relid = usable_relation(accounts);
	plain = OidIsValid(relid) &&
		(get_rel_relkind(relid) == RELKIND_RELATION || get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE) &&
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
	if (!OidIsValid(relid) || pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		result->visibility = VISIBLE_NONE;
	else if (plain && !listed)
		result->visibility = VISIBLE_ALL;	/* nothing to read */
	else if (!plain && !owner_trusted(relid))
		result->visibility = VISIBLE_NONE;	/* a view or policies: its owner's code would run */
	else
	{
		/* the name is built from the relation itself, not from the stored text */
		char	   *query = psprintf("SELECT a.%s::pg_catalog.text FROM %s AS a WHERE a.%s IS NOT NULL",
									 quote_identifier(key_column),
									 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
																get_rel_name(relid)),
									 quote_identifier(key_column));

		/* row-level security of the account relation applies to this query */
		if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "account_visible(): reading %s failed", accounts);
		result->visibility = VISIBLE_SOME;
		result->keys = hs_set_create(context, HS_SET_TEXT);
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		key = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				text	   *key_text = DatumGetTextPP(key);

				hs_set_add(result->keys, VARDATA_ANY(key_text), VARSIZE_ANY_EXHDR(key_text));
			}
			CHECK_FOR_INTERRUPTS();
		}
	}
	SPI_finish();
	return result;
}

static Datum
visible(FunctionCallInfo fcinfo, bool listed)
{
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *account_key = PG_GETARG_TEXT_PP(1);
	ModelVisibility *cache = (ModelVisibility *) fcinfo->flinfo->fn_extra;
	ModelVisibility *entry;

	for (entry = cache; entry != NULL; entry = entry->next)
		if (strcmp(entry->model, model) == 0 && entry->listed == listed)
			break;
	if (entry == NULL)
	{
		entry = load_visibility(model, listed, fcinfo->flinfo->fn_mcxt);
		entry->next = cache;
		fcinfo->flinfo->fn_extra = entry;
	}

	switch (entry->visibility)
	{
		case VISIBLE_NONE:
			PG_RETURN_BOOL(false);
		case VISIBLE_ALL:
			PG_RETURN_BOOL(true);
		case VISIBLE_SOME:
			break;
	}
	PG_RETURN_BOOL(hs_set_contains(entry->keys, VARDATA_ANY(account_key), VARSIZE_ANY_EXHDR(account_key)));
}

Datum
healthscore_account_visible(PG_FUNCTION_ARGS)
{
	return visible(fcinfo, false);
}

/* account_listed(model, account_key): visible, and a key the model's account relation holds. */
Datum
healthscore_account_listed(PG_FUNCTION_ARGS)
{
	return visible(fcinfo, true);
}

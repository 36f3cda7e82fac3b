/*
 * html.c
 *		Text from user data made safe for the HTML reports (reports.sql).
 *
 * html_escape(text) returns ASCII only: the five characters HTML gives meaning to become entities,
 * every character beyond ASCII becomes a numeric character reference to its Unicode code point,
 * whatever the database encoding is, so a report reads the same in any client encoding and its
 * <meta charset> can never be wrong. Control characters become references too (tab, newline and
 * carriage return keep their meaning; the others, which HTML does not allow, read U+FFFD), and so
 * does the backslash: the report holds none of the characters that COPY's text format escapes, so
 * COPY (SELECT healthscore.portfolio_report(...)) TO 'file' writes the page byte for byte.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(healthscore_html_escape);

#define REPLACEMENT_CHARACTER 0xFFFD

/* Append one ASCII character, escaped where HTML or COPY's text format would read it. */
static void
append_ascii(StringInfo out, unsigned char c)
{
	switch (c)
	{
		case '&':
			appendStringInfoString(out, "&amp;");
			break;
		case '<':
			appendStringInfoString(out, "&lt;");
			break;
		case '>':
			appendStringInfoString(out, "&gt;");
			break;
		case '"':
			appendStringInfoString(out, "&quot;");
			break;
		case '\'':
			appendStringInfoString(out, "&#39;");
			break;
		case '\\':
			appendStringInfoString(out, "&#92;");
			break;
		case '\t':
		case '\n':
		case '\r':
			appendStringInfo(out, "&#%d;", (int) c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				appendStringInfo(out, "&#%d;", REPLACEMENT_CHARACTER);
			else
				appendStringInfoChar(out, (char) c);
			break;
	}
}

/*
 * Append the UTF-8 text utf8, every character beyond ASCII as a reference to its code point (bytes
 * that are no UTF-8 character, which only a SQL_ASCII database holds, as U+FFFD).
 */
static void
append_utf8(StringInfo out, const unsigned char *utf8, int length)
{
	int			i = 0;

	while (i < length)
	{
		int			n = utf8[i] < 0x80 ? 1 : pg_utf_mblen(utf8 + i);

		if (n == 1 && utf8[i] < 0x80)
			append_ascii(out, utf8[i]);
		else if (i + n > length || !pg_utf8_islegal(utf8 + i, n))
		{
			/* only a SQL_ASCII database stores bytes that are no UTF-8 */
			appendStringInfo(out, "&#%d;", REPLACEMENT_CHARACTER);
			n = 1;
		}
		else
		{
			pg_wchar	code = utf8_to_unicode(utf8 + i);

			/* C1 controls are not allowed in HTML either */
			if (code >= 0x80 && code < 0xa0)
				code = REPLACEMENT_CHARACTER;
			appendStringInfo(out, "&#%u;", (unsigned int) code);
		}
		i += n;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/* html_escape(value text) returns text: value as ASCII HTML text (see the top of this file). */
Datum
healthscore_html_escape(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const char *bytes = VARDATA_ANY(value);
	int			length = VARSIZE_ANY_EXHDR(value);
	const unsigned char *utf8;
	StringInfoData out;

	/* in the server encoding; pg_server_to_any returns bytes itself when nothing changes */
	utf8 = (const unsigned char *) pg_server_to_any(bytes, length, PG_UTF8);
	if ((const char *) utf8 != bytes)
		length = strlen((const char *) utf8);

	initStringInfo(&out);
	append_utf8(&out, utf8, length);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

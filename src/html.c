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
 *
 * Bytes that are no character read U+FFFD rather than fail the page: in a SQL_ASCII database any
 * byte sequence may be stored, and a few single-byte encodings have bytes without a Unicode
 * character (0x81 in WIN1252).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(healthscore_html_escape);

#define REPLACEMENT_CHARACTER 0xFFFD

/* Source bytes converted to UTF-8 at a time, in databases that are not UTF-8. */
#define CONVERSION_CHUNK 8192

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
 * Append UTF-8 bytes, every character beyond ASCII as a reference to its code point, and bytes
 * that are no UTF-8 character (which only a SQL_ASCII database holds) as U+FFFD.
 */
static void
append_utf8(StringInfo out, const unsigned char *utf8, int length)
{
	int			i = 0;
	int			since_check = 0;

	while (i < length)
	{
		int			n = utf8[i] < 0x80 ? 1 : pg_utf_mblen(utf8 + i);

		if (n == 1 && utf8[i] < 0x80)
			append_ascii(out, utf8[i]);
		else if (i + n > length || !pg_utf8_islegal(utf8 + i, n))
		{
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
		since_check += n;
		if (since_check >= 65536)
		{
			CHECK_FOR_INTERRUPTS();
			since_check = 0;
		}
	}
}

/*
 * Append text of another server encoding: converted to UTF-8 a chunk at a time, without raising
 * on a character the conversion has none for (it reads U+FFFD).
 */
static void
append_converted(StringInfo out, const unsigned char *bytes, int length, int encoding)
{
	Oid			proc = FindDefaultConversionProc(encoding, PG_UTF8);
	int			utf8_size = CONVERSION_CHUNK * MAX_CONVERSION_GROWTH + 1;
	unsigned char *utf8 = palloc(utf8_size);
	int			i = 0;

	if (!OidIsValid(proc))
		elog(ERROR, "html_escape: no conversion from %s to UTF8", pg_encoding_to_char(encoding));
	while (i < length)
	{
		int			chunk = pg_encoding_mbcliplen(encoding, (const char *) bytes + i, length - i, CONVERSION_CHUNK);
		int			converted;

		if (chunk <= 0)
			chunk = Min(pg_encoding_mblen(encoding, (const char *) bytes + i), length - i);
		converted = pg_do_encoding_conversion_buf(proc, encoding, PG_UTF8, (unsigned char *) bytes + i, chunk,
												  utf8, utf8_size, true);
		append_utf8(out, utf8, strlen((const char *) utf8));
		i += converted;
		if (converted < chunk)
		{
			/* the character at i has no UTF-8 form */
			appendStringInfo(out, "&#%d;", REPLACEMENT_CHARACTER);
			i += Max(1, Min(pg_encoding_mblen(encoding, (const char *) bytes + i), length - i));
		}
		CHECK_FOR_INTERRUPTS();
	}
	pfree(utf8);
}

/* html_escape(value text) returns text: value as ASCII HTML text (see the top of this file). */
Datum
healthscore_html_escape(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const unsigned char *bytes = (const unsigned char *) VARDATA_ANY(value);
	int			length = VARSIZE_ANY_EXHDR(value);
	int			encoding = GetDatabaseEncoding();
	StringInfoData out;

	initStringInfo(&out);
	if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII)
		append_utf8(&out, bytes, length);
	else
		append_converted(&out, bytes, length, encoding);

	/* a text datum holds its header too */
	if ((Size) out.len > MaxAllocSize - VARHDRSZ - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("html_escape(): the escaped text would be %d bytes, more than a text value holds", out.len),
				 errhint("Escape shorter text: every character beyond ASCII takes up to 8 bytes escaped.")));
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

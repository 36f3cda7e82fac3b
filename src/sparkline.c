/*
 * sparkline.c
 *		Sparklines: the last scores of an account as a row of bars.
 *
 * What refresh() stores is independent of the encoding: one digit per score, 0 (below 12.5) to 7
 * (87.5 or more), the band being floor(score / 12.5) clamped to 0-7, and a space for a missing
 * score (spark_code). Sparklines that 0.1.0 stored hold the bars themselves (in UTF-8), and the
 * runs after them append digits to them: both are read, so an update rewrites no history. Drawing them is presentation: the views draw the bars U+2581..U+2588 when
 * the database and the client both use UTF-8, and ASCII characters otherwise, so that a LATIN1
 * database or a WIN1252 client (Excel, Power BI on Windows) reads every view; sparkline_ascii is
 * ASCII always.
 *
 *	spark_code(score)		the digit of one score
 *	sparkline(codes)		digits (or 0.1.0's bars) drawn for this client
 *	sparkline_ascii(codes)	digits drawn in ASCII
 *	spark(score)			one score drawn for this client
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "healthscore.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(healthscore_spark_code);
PG_FUNCTION_INFO_V1(healthscore_sparkline);
PG_FUNCTION_INFO_V1(healthscore_sparkline_ascii);
PG_FUNCTION_INFO_V1(healthscore_spark);

#define SPARK_BANDS 8

/* U+2581 LOWER ONE EIGHTH BLOCK .. U+2588 FULL BLOCK, in UTF-8 */
static const char *const unicode_bars[SPARK_BANDS] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};

/* lowest to highest, as dense as ASCII gets */
static const char ascii_bars[SPARK_BANDS] = {'_', '.', ':', '-', '=', '+', '*', '#'};

/* The band (0-7) of a score. */
static int
spark_band(double score)
{
	double		band;

	hs_check_not_nan("spark", "score", score);
	band = floor(score / 12.5);
	return band <= 0 ? 0 : band >= SPARK_BANDS - 1 ? SPARK_BANDS - 1 : (int) band;
}

/* Whether the bars reach this client: stored in UTF-8 and sent in UTF-8. */
static bool
client_has_bars(void)
{
	return GetDatabaseEncoding() == PG_UTF8 && pg_get_client_encoding() == PG_UTF8;
}

/* Append the drawing of one code (a digit 0-7 or a space) at position (from 1) of codes. */
static void
append_bar(StringInfo out, const char *func, char code, int position, bool unicode)
{
	if (code == ' ')
		appendStringInfoChar(out, ' ');
	else if (code >= '0' && code < '0' + SPARK_BANDS)
	{
		if (unicode)
			appendStringInfoString(out, unicode_bars[code - '0']);
		else
			appendStringInfoChar(out, ascii_bars[code - '0']);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): character %d of codes is not a sparkline code", func, position),
				 errdetail("Codes are the digits 0 to 7 (a score's band) and spaces (no score)."),
				 errhint("Pass the sparkline column of healthscore.scores, which refresh() writes.")));
}

/* The band of a bar 0.1.0 stored (E2 96 81 .. E2 96 88) at bytes[i], or -1. */
static int
legacy_bar(const unsigned char *bytes, int length, int i)
{
	if (i + 2 < length && bytes[i] == 0xe2 && bytes[i + 1] == 0x96 && bytes[i + 2] >= 0x81 && bytes[i + 2] <= 0x88)
		return bytes[i + 2] - 0x81;
	return -1;
}

static text *
draw(const char *func, text *codes, bool unicode)
{
	const unsigned char *bytes = (const unsigned char *) VARDATA_ANY(codes);
	int			length = VARSIZE_ANY_EXHDR(codes);
	StringInfoData out;
	int			position = 0;

	initStringInfo(&out);
	for (int i = 0; i < length; i++)
	{
		int			band = legacy_bar(bytes, length, i);

		position++;
		if (band >= 0)
		{
			append_bar(&out, func, (char) ('0' + band), position, unicode);
			i += 2;
		}
		else
			append_bar(&out, func, (char) bytes[i], position, unicode);
	}
	return cstring_to_text_with_len(out.data, out.len);
}

/* spark_code(score float8) returns text: the score's band as a digit 0-7, a space for NULL. */
Datum
healthscore_spark_code(PG_FUNCTION_ARGS)
{
	char		code[2] = {' ', '\0'};

	if (!PG_ARGISNULL(0))
		code[0] = (char) ('0' + spark_band(PG_GETARG_FLOAT8(0)));
	PG_RETURN_TEXT_P(cstring_to_text(code));
}

/* sparkline(codes text): bars for a UTF-8 database and client, ASCII otherwise. */
Datum
healthscore_sparkline(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(draw("sparkline", PG_GETARG_TEXT_PP(0), client_has_bars()));
}

/* sparkline_ascii(codes text): always ASCII. */
Datum
healthscore_sparkline_ascii(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(draw("sparkline_ascii", PG_GETARG_TEXT_PP(0), false));
}

/*
 * spark(score float8): one score drawn as sparkline() draws it; a space for NULL. (0.1.0's refresh
 * stored its result; this symbol must stay for 0.1.0's SQL until the update.)
 */
Datum
healthscore_spark(PG_FUNCTION_ARGS)
{
	StringInfoData out;

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text(" "));
	initStringInfo(&out);
	append_bar(&out, "spark", (char) ('0' + spark_band(PG_GETARG_FLOAT8(0))), 1, client_has_bars());
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

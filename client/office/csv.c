/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv.c: the RFC 4180 writer of kassa-office (csv.h): quoting, the
 * formula-injection guard and the optional UTF-8 byte-order mark. Each
 * field goes straight to the FILE* (stdio buffers it), so nothing grows
 * with the number of rows; the first failed write makes the writer failed
 * for good, and the caller reports it once at the end (or at once).
 */
#include <string.h>

#include "csv.h"

static const char csv_bom_bytes[] = "\xEF\xBB\xBF";

static bool csv_put(CsvWriter *w, const char *s, size_t n)
{
	if (w->failed)
		return false;
	if (n > 0 && fwrite(s, 1, n, w->out) != n)
		w->failed = true;
	return !w->failed;
}

bool csv_begin(CsvWriter *w, FILE *out, bool bom)
{
	w->out = out;
	w->in_row = false;
	w->failed = false;
	w->records = 0;
	return !bom || csv_put(w, csv_bom_bytes, sizeof(csv_bom_bytes) - 1);
}

/* Text that a spreadsheet would take for a formula (or a control prefix). */
static bool csv_starts_formula(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	       s[0] == '\r';
}

/* An optionally signed decimal number: "-12", "3", "-0.50", "+7". */
static bool csv_is_number(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '-' || s[i] == '+')
		i++;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.') {
		size_t frac = 0;

		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
		if (frac == 0)
			return false;
	}
	return digits > 0 && s[i] == '\0';
}

bool csv_needs_guard(Kassa__V1__ColumnKind kind, const char *s)
{
	if (s == NULL || !csv_starts_formula(s))
		return false;
	if (kind == KASSA__V1__COLUMN_KIND__COL_TEXT)
		return true;
	/* a numeric column: a number is data, never altered (-12 stays -12) */
	return !csv_is_number(s);
}

/* RFC 4180 quoting, plus leading/trailing blanks (spreadsheets trim them otherwise). */
static bool csv_needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
		return true;
	return strpbrk(s, ",\"\r\n") != NULL;
}

static bool csv_field_raw(CsvWriter *w, const char *s, bool apostrophe)
{
	size_t len = strlen(s);
	bool quote = csv_needs_quotes(s, len);

	if (w->in_row && !csv_put(w, ",", 1))
		return false;
	/* a record of one empty field must not be a blank line (readers skip those) */
	if (len == 0 && !w->in_row) {
		w->in_row = true;
		return csv_put(w, "\"\"", 2);
	}
	w->in_row = true;
	if (quote && !csv_put(w, "\"", 1))
		return false;
	if (apostrophe && !csv_put(w, "'", 1))
		return false;
	if (!quote)
		return csv_put(w, s, len);
	/* inside quotes: every '"' doubled, the rest as is (CR and LF included) */
	for (const char *p = s;;) {
		const char *q = strchr(p, '"');

		if (q == NULL) {
			if (!csv_put(w, p, strlen(p)))
				return false;
			break;
		}
		if (!csv_put(w, p, (size_t)(q - p) + 1) || !csv_put(w, "\"", 1))
			return false;
		p = q + 1;
	}
	return csv_put(w, "\"", 1);
}

bool csv_field(CsvWriter *w, const char *s, bool guard)
{
	if (s == NULL)
		s = "";
	return csv_field_raw(w, s, guard && csv_starts_formula(s));
}

bool csv_end_row(CsvWriter *w)
{
	if (!csv_put(w, "\r\n", 2))
		return false;
	w->in_row = false;
	w->records++;
	return true;
}

bool csv_write_header(CsvWriter *w, Kassa__V1__ReportColumn *const *columns, size_t n_columns)
{
	for (size_t i = 0; i < n_columns; i++)
		if (!csv_field(w, columns[i]->key, true))
			return false;
	return csv_end_row(w);
}

bool csv_write_row(CsvWriter *w, Kassa__V1__ReportColumn *const *columns, size_t n_columns,
		   const Kassa__V1__ReportRow *row)
{
	size_t n = row->n_cells > n_columns ? row->n_cells : n_columns;

	for (size_t i = 0; i < n; i++) {
		const char *cell = i < row->n_cells ? row->cells[i] : "";
		Kassa__V1__ColumnKind kind =
			i < n_columns ? columns[i]->kind : KASSA__V1__COLUMN_KIND__COL_TEXT;

		if (cell == NULL)
			cell = "";
		if (!csv_field_raw(w, cell, csv_needs_guard(kind, cell)))
			return false;
	}
	return csv_end_row(w);
}

bool csv_write_table(CsvWriter *w, const Kassa__V1__ReportTable *t)
{
	if (!csv_write_header(w, t->columns, t->n_columns))
		return false;
	for (size_t i = 0; i < t->n_rows; i++)
		if (!csv_write_row(w, t->columns, t->n_columns, t->rows[i]))
			return false;
	return true;
}

bool csv_ok(const CsvWriter *w)
{
	return !w->failed && !ferror(w->out);
}

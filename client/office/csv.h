/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv.h: kassa-office's one CSV writer (RFC 4180), used by the exports
 * (export_cmds.c) and by the reports' --format csv (report_cmds.c). It
 * streams: every call writes straight to the caller's FILE*, nothing is
 * kept per row, so an export of millions of rows does not grow memory.
 *
 * What it writes:
 *   - records end with CRLF; fields are separated by ',';
 *   - a field is quoted ("...") when it contains ',', '"', CR or LF, or
 *     starts or ends with a space or TAB; a '"' inside is doubled;
 *   - text is written as given (UTF-8, never transcoded); csv_begin() can
 *     put a UTF-8 byte-order mark (EF BB BF) first, for spreadsheet users;
 *   - the formula-injection guard: a TEXT cell (and every header key) that
 *     starts with '=', '+', '-', '@', TAB or CR gets a leading apostrophe
 *     ("'=HYPERLINK(...)"), so a spreadsheet shows it as text instead of
 *     running it. A numeric cell (COL_INT, COL_MONEY, COL_PERCENT_BP,
 *     COL_POINTS, COL_HOUR; and COL_DATE) that is a number ("-12",
 *     "-0.5") is never altered; one that is not a number (the server never
 *     sends one) is guarded like text.
 *
 * How to use it (the report command, one table):
 *
 *     CsvWriter w;
 *     csv_begin(&w, out, office_out.bom);
 *     if (!csv_write_table(&w, table)) ... an I/O error (errno) ...
 *
 * or page by page (an export): csv_write_header() once with the first
 * page's columns, then csv_write_row() for each row of each page, or
 * field by field with csv_field() + csv_end_row(). Errors are sticky:
 * after a failed write every call returns false, and csv_ok() says
 * whether everything so far reached the FILE* (call fflush() yourself
 * before trusting it for the last bytes).
 */
#ifndef KASSA_OFFICE_CSV_H
#define KASSA_OFFICE_CSV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kassa.pb-c.h"
#include "util.h"

/* A CSV output in progress; on the caller's stack, nothing to free. */
typedef struct CsvWriter {
	FILE *out;		/* borrowed: where the bytes go */
	bool in_row;		/* a field has been written in the current record */
	bool failed;		/* a write failed: every later call fails */
	uint64_t records;	/* records ended so far (header included) */
} CsvWriter;

/*
 * Start writing CSV to out (borrowed; stays the caller's to close). With
 * bom, write the UTF-8 byte-order mark first. Returns false (and the
 * writer is failed) if that write fails.
 */
MUSTCHECK bool csv_begin(CsvWriter *w, FILE *out, bool bom);

/*
 * Write one field of the current record: s ("" for NULL) quoted as RFC
 * 4180 needs, after a ',' unless it is the record's first. With guard,
 * apply the formula-injection guard (see above) to a text value. False
 * on a write error.
 */
MUSTCHECK bool csv_field(CsvWriter *w, const char *s, bool guard);

/* End the current record with CRLF. False on a write error. */
MUSTCHECK bool csv_end_row(CsvWriter *w);

/*
 * True if a cell of this kind holding s must get the guard's apostrophe:
 * text (COL_TEXT) starting with = + - @ TAB CR; any other kind only when
 * s is not a plain number. Exposed for the JSON writers and the tests.
 */
bool csv_needs_guard(Kassa__V1__ColumnKind kind, const char *s);

/* One record of the columns' keys (guarded as text). False on a write error. */
MUSTCHECK bool csv_write_header(CsvWriter *w, Kassa__V1__ReportColumn *const *columns,
				size_t n_columns);

/*
 * One record of row's cells, each guarded by its column's kind; a row
 * with fewer cells than columns gets empty fields, extra cells are
 * written as text. False on a write error.
 */
MUSTCHECK bool csv_write_row(CsvWriter *w, Kassa__V1__ReportColumn *const *columns,
			     size_t n_columns, const Kassa__V1__ReportRow *row);

/* The header and every row of t. False on a write error. */
MUSTCHECK bool csv_write_table(CsvWriter *w, const Kassa__V1__ReportTable *t);

/* True while no write has failed. */
bool csv_ok(const CsvWriter *w);

#endif

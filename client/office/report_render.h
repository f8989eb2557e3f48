/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_render: how kassa-office writes a ReportTable, whatever the
 * report: for a person (an aligned text table in the user's language)
 * or for a machine (one JSON object; CSV is csv.h's). Pure apart from the
 * FILE* it is given and the gettext catalogue: unit-tested on its own.
 *
 * The table (report_render_table()):
 *
 *	Daily sales by store                      the report's title, _()
 *	2025-03-01 .. 2025-03-31 · CNY            the range and the currency
 *
 *	Store  Day         Sales  ...   Total     headers: _() of each column key
 *	-----  ----------  -----  ...  ------
 *	S001   2025-03-01     12  ...  151.00     money 2 decimals, percent from bp
 *
 *	Refunds: counted on the day of the refund      the notes, _()
 *	data as of 2025-03-31T23:59:00Z (42 s behind)  when lag_seconds > 0
 *
 * Every table line (headers, rule, rows) has the same display width:
 * columns are padded by display width (common/textwidth.h), so CJK text
 * (two cells a character) stays aligned; numbers are right-aligned, text
 * left-aligned; a text cell wider than REPORT_TEXT_MAX_CELLS is cut.
 * A cell the server left empty shows "-".
 *
 * The JSON (report_table_json()): {"report", "from", "to", "currency",
 * "chart", "columns": [{"key", "kind"}], "rows": [{key: value}], "notes":
 * {key: value}, "data_as_of", "lag_seconds"}; values typed by the column's
 * kind: integers (count, money in minor units, basis points, points, hour)
 * as JSON integers, decimals as JSON numbers, text and dates as strings,
 * an empty cell as null. Language-neutral.
 */
#ifndef KASSA_OFFICE_REPORT_RENDER_H
#define KASSA_OFFICE_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "kassa.pb-c.h"
#include "util.h"

#define REPORT_TEXT_MAX_CELLS 40	/* widest text column, in display cells */
#define REPORT_CELL_LEN 256		/* a cell as a person reads it, in bytes */

/* The column key's label in the current language (the key itself if unknown). */
const char *report_label(const char *key);
/* The report's title in the current language (its name if unknown). */
const char *report_title(const char *name);
/* The machine name of a column kind ("text", "int", "money", ...). */
const char *report_kind_name(Kassa__V1__ColumnKind kind);

/*
 * cell (machine form) of a column of kind as a person reads it into buf:
 * money "1234.50", basis points "12.34%", hour "09:00", an empty cell
 * "-", anything else as it is. Returns buf.
 */
char *report_cell_human(Kassa__V1__ColumnKind kind, const char *cell, char *buf, size_t len);

/* Write t as an aligned table (see above). False on a write error. */
MUSTCHECK bool report_render_table(FILE *out, const Kassa__V1__ReportTable *t);

/* t as one JSON object (see above); the caller json_decref()s it. */
json_t *report_table_json(const Kassa__V1__ReportTable *t);

#endif

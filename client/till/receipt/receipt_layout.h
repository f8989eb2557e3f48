/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receipt_layout: the receipt as lines, shared by the two outputs of
 * receipt.h. receipt_text.c lays a ReceiptInfo out into lines of exactly
 * the asked display width (textwidth.h), each with the style a printer
 * gives it; receipt_text() joins them, receipt_escpos.c (receipt_escpos())
 * turns them into printer commands. Internal to client/till/receipt/.
 */
#ifndef KASSA_TILL_RECEIPT_LAYOUT_H
#define KASSA_TILL_RECEIPT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "receipt.h"

/* How a printer shows a line (the text output ignores it). */
typedef enum ReceiptStyle {
	RS_PLAIN = 0,		/* normal */
	RS_BOLD = 1,		/* emphasised */
	RS_BIG = 2,		/* bold and double height (same width: the columns stay) */
} ReceiptStyle;

typedef struct ReceiptLine {
	char *text;		/* owned: UTF-8, no control characters, no newline */
	ReceiptStyle style;
} ReceiptLine;

typedef struct ReceiptLines {
	ReceiptLine *v;		/* owned: n lines */
	size_t n, cap;
	bool oom;		/* an allocation failed: the lines are incomplete */
} ReceiptLines;

/*
 * Lay r out at columns display cells per line (at least 24) into *out
 * (zeroed by the caller). False when out of memory (out is then freed).
 */
MUSTCHECK bool receipt_layout(const ReceiptInfo *r, int columns, ReceiptLines *out);
void receipt_lines_free(ReceiptLines *l);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import_csv.h: the pure part of MemberImport: parse CSV text (UTF-8,
 * RFC 4180 quoting, a BOM tolerated, CRLF or LF) with a header naming the
 * columns, and check every row's values as MemberRegister would, plus
 * duplicates within the file. No I/O, no clock; unit-tested
 * (tests/unit/server/members/test_import_csv.c). import.c sends the good
 * rows to the database and answers.
 */
#ifndef KASSA_IMPORT_CSV_H
#define KASSA_IMPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>

/* The columns a header may name; phone and name are required. */
typedef enum ImportCol {
	IC_PHONE, IC_NAME, IC_CARD_NO, IC_BIRTHDAY, IC_GENDER, IC_EMAIL, IC_ADDRESS,
	IC_CHANNEL, IC_CONSENT, IC_TAGS, IC_NOTES, IC_LANGUAGE, IC_NCOLS
} ImportCol;

#define IMPORT_PROBLEMS_MAX 1000	/* listed; more refuse the whole import */

/* One problem: the line its record starts on (1 = the header), a column name, a code. */
typedef struct ImportIssue {
	unsigned line;
	const char *column;		/* static: a column's name, or "" */
	const char *code;		/* static: "BAD_PHONE", "DUPLICATE_IN_FILE", ... */
} ImportIssue;

/* One data record as read, and its values made ready for the database. */
typedef struct ImportRow {
	unsigned line;
	char **raw;			/* the record's fields as read (owned), n_raw of them */
	size_t n_raw;
	const char *val[IC_NCOLS];	/* normalised values; "" when absent (point into raw,
					 * phone or static text) */
	char *phone;			/* E.164 (owned), NULL before the check */
	int problems;			/* issues about this row */
} ImportRow;

typedef struct ImportFile {
	char **header;			/* the header's names as read (owned) */
	size_t n_header;
	int col_of[IC_NCOLS];		/* header index of each column, -1 = absent */
	ImportRow *rows;
	size_t n_rows;
	ImportIssue *issues;		/* every issue (not only the listed ones) */
	size_t n_issues;
	bool header_bad;		/* no data row was read */
} ImportFile;

/* The header name of a column ("phone", "card_no", ...). */
const char *import_col_name(ImportCol c);
/*
 * Parse and check csv (len bytes). False only when out of memory; every
 * problem of the text is an issue in f. import_free() f afterwards.
 */
bool import_parse(const char *csv, size_t len, ImportFile *f);
void import_free(ImportFile *f);
/* Rows without a problem. */
size_t import_good_rows(const ImportFile *f);
/*
 * Append one record to out (a growing buffer: *out of *cap bytes, *used
 * used), fields quoted as RFC 4180 wants, then CRLF. False when out of memory.
 */
bool import_csv_record(char **out, size_t *used, size_t *cap, char *const *fields, size_t n,
		       const char *extra);

#endif

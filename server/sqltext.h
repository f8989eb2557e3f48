/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqltext: building the text form of statement parameters that are not
 * plain scalars: PostgreSQL array literals ("{1,2,3}", "{\"a\",\"b\"}")
 * and bytea hex ("\\x0a1b"). Parameters travel out of band (never spliced
 * into SQL), so the only escaping needed is the array literal's own.
 */
#ifndef KASSA_SQLTEXT_H
#define KASSA_SQLTEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct SqlText {
	char *buf;	/* owned, NUL-terminated */
	size_t len;
	size_t cap;
} SqlText;

#define SQLTEXT_INIT { NULL, 0, 0 }

/* Append raw text. */
void sqltext_add(SqlText *t, const char *s);
/* Append an array element separator if needed, then v in decimal. */
void sqltext_elem_int(SqlText *t, int64_t v);
/* Append an array element: s double-quoted with " and \ escaped. */
void sqltext_elem_str(SqlText *t, const char *s);
/* Start "{", end "}" an array literal. */
void sqltext_open(SqlText *t);
void sqltext_close(SqlText *t);
/* Append bytes as a bytea hex literal "\x..". */
void sqltext_bytea(SqlText *t, const uint8_t *p, size_t n);
/* The text so far ("" if nothing). */
const char *sqltext_str(SqlText *t);
void sqltext_free(SqlText *t);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqltext: building the text form of statement parameters that are not
 * plain scalars: PostgreSQL array literals ("{1,2,3}", "{\"a\",\"b\"}")
 * and bytea hex ("\\x0a1b"), among them the request hash stored with an
 * idempotency key. Parameters travel out of band (never spliced into SQL),
 * so the only escaping needed is the array literal's own.
 */
#ifndef KASSA_SQLTEXT_H
#define KASSA_SQLTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

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
/*
 * Append the hash (crypto_generichash, 32 bytes) of msg's packed bytes as
 * a bytea literal: a request body's hash, so that the same idempotency key
 * with another body is refused.
 */
void sqltext_hash(SqlText *t, const ProtobufCMessage *msg);
/*
 * Read the next element of a one-dimensional text array in PostgreSQL's
 * output form ("{a,\"b c\"}") at *pos into out (at most outlen bytes with
 * the NUL) and advance *pos. False at the end, on a NULL element, on a
 * malformed literal or an element that does not fit.
 */
bool sqltext_array_next(const char **pos, char *out, size_t outlen);
/* The text so far ("" if nothing). */
const char *sqltext_str(SqlText *t);
void sqltext_free(SqlText *t);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_db.h: what count.c and transfer.c (part "counts" of store
 * operations) share: the caller's parameters of their SQL functions, and
 * reading and checking values.
 */
#ifndef KASSA_COUNT_DB_H
#define KASSA_COUNT_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "db.h"
#include "sqltext.h"

/* $a till's store, $b office?, $c staff: the caller's scope (kassa_counts_scope) */
#define COUNT_SCOPE_SQL(a, b, c) "kassa_counts_scope($" #a ", $" #b "::boolean, $" #c ")"
#define COUNT_CODE_MAX 64		/* product and store codes, bytes */

/* The caller's parameters: till, staff, the till's store, office ("t"/"f"), body hash. */
typedef struct CountParams {
	char till[24], staff[24], store[24];
	const char *office;
	SqlText hash;
} CountParams;

/* Fill p for c; body NULL: no hash (a read). Free with sqltext_free(&p->hash). */
void count_params_init(CountParams *p, const Call *c, const ProtobufCMessage *body);
/*
 * The id a change's SQL function answered (one row, one value), or NULL
 * with c answered (the database's failure, or INTERNAL).
 */
const char *count_changed_id(Call *c, DbStatus st, const PGresult *res);
/* A bigint column (0 if NULL). */
int64_t count_col_int(const PGresult *res, int row, int col);
/* Is s a code a person could have scanned or typed (1-COUNT_CODE_MAX bytes, no spaces)? */
bool count_code_ok(const char *s);

#endif

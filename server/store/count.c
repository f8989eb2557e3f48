/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count.c: stock count sessions (CountOpen, CountScan, CountGet,
 * CountPost), answered as a CountSession with its variance lines.
 *
 * kassad checks the request's shape (a scope to open, a code and a
 * quantity of 1-COUNT_QTY_MAX to scan, 0 allowed for a correction); each
 * change is one call of migrations/functions/counts.sql (the state guard,
 * the idempotency key, the audit row, and at posting the 'count' moves of
 * kassa_stock_moves()), then the session is read back with
 * kassa_count_rows(). The caller's store: the till's, or at the office the
 * staff member's (head office staff: any; kassa_counts_scope()). Rules in
 * docs/store/counts.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "count_db.h"
#include "i18n.h"

#define COUNT_QTY_MAX 1000000
#define COUNT_CODES_MAX 500
#define COUNT_COLS 17			/* kassa_count_rows */

static int st_open, st_scan, st_post, st_rows;

void count_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 store $6 office $7 store asked $8 category
	 * $9 codes $10 uncounted_zero */
	st_open = db_stmt_add("count_open",
		"SELECT kassa_count_open($1, $2, $3, $4::bytea, " COUNT_SCOPE_SQL(5, 6, 2)
		", $7, $8, $9::text[], $10::boolean)", DB_LANE_WORK);
	/* ... $7 count $8 code $9 quantity $10 set */
	st_scan = db_stmt_add("count_scan",
		"SELECT kassa_count_scan($1, $2, $3, $4::bytea, " COUNT_SCOPE_SQL(5, 6, 2)
		", $7, $8, $9, $10::boolean)", DB_LANE_WORK);
	/* ... $7 count $8 cancel */
	st_post = db_stmt_add("count_post",
		"SELECT kassa_count_post($1, $2, $3, $4::bytea, " COUNT_SCOPE_SQL(5, 6, 2)
		", $7, $8::boolean)", DB_LANE_WORK);
	/* $1 store $2 office $3 staff $4 count */
	st_rows = db_stmt_add("count_rows",
		"SELECT * FROM kassa_count_rows(" COUNT_SCOPE_SQL(1, 2, 3) ", $4)", DB_LANE_QUICK);
}

static char *col_str(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

/* The rows of kassa_count_rows() as a CountSession answer. */
static void count_rows_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CountSession s = KASSA__V1__COUNT_SESSION__INIT;
	Kassa__V1__CountSessionLine *lines = NULL, **lp = NULL;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	if (n < 1 || PQnfields(res) != COUNT_COLS) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "COUNT_NOT_FOUND", "%s",
			  _("no such count session"));
		return;
	}
	s.count_id = count_col_int(res, 0, 0);
	s.store_id = count_col_int(res, 0, 1);
	s.store_code = col_str(res, 0, 2);
	s.scope = col_str(res, 0, 3);
	s.category = col_str(res, 0, 4);
	s.uncounted_zero = col_str(res, 0, 5)[0] == 't';
	s.state = col_str(res, 0, 6);
	s.opened_by = count_col_int(res, 0, 7);
	s.opened_at = col_str(res, 0, 8);
	s.closed_at = col_str(res, 0, 9);
	s.moves = count_col_int(res, 0, 10);
	lines = calloc((size_t)n, sizeof(*lines));
	lp = calloc((size_t)n, sizeof(*lp));
	if (lines == NULL || lp == NULL) {
		free(lines);
		free(lp);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	for (int i = 0; i < n; i++) {
		Kassa__V1__CountSessionLine *l = &lines[s.n_lines];

		if (PQgetisnull(res, i, 11))
			continue;	/* a session without lines */
		kassa__v1__count_session_line__init(l);
		l->product_id = count_col_int(res, i, 11);
		l->sku = col_str(res, i, 12);
		l->name = col_str(res, i, 13);
		l->counted = count_col_int(res, i, 14);
		l->expected = count_col_int(res, i, 15);
		l->variance = l->counted - l->expected;
		l->counted_flag = col_str(res, i, 16)[0] == 't';
		lp[s.n_lines++] = l;
	}
	s.lines = lp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUNT_SESSION;
	resp.count_session = &s;
	call_reply(c, &resp);
	free(lines);
	free(lp);
}

/* Read session id back for c (as the caller's scope sees it). */
static void count_reply(Call *c, const char *id)
{
	CountParams p;

	count_params_init(&p, c, NULL);
	const char *params[4] = { p.store, p.office, p.staff, id };
	db_query(st_rows, 4, params, count_rows_cb, c);
	sqltext_free(&p.hash);
}

/* A change answered its session's id: read the session back. */
static void count_changed_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *id = count_changed_id(c, st, res);

	if (id != NULL)
		count_reply(c, id);
}

void handle_count_open(Call *c)
{
	const Kassa__V1__CountOpen *q = c->req->count_open;
	SqlText codes = SQLTEXT_INIT;
	CountParams p;
	char store[24];
	int scopes = (q->all ? 1 : 0) + (q->category[0] != '\0' ? 1 : 0) + (q->n_codes > 0 ? 1 : 0);

	if (scopes != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "NO_SCOPE", "%s",
			  _("count all products, one category or a list of products"));
		return;
	}
	if (q->n_codes > COUNT_CODES_MAX || strlen(q->category) > COUNT_CODE_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SCOPE",
			  _("a count lists at most %d products"), COUNT_CODES_MAX);
		return;
	}
	sqltext_open(&codes);
	for (size_t i = 0; i < q->n_codes; i++) {
		if (!count_code_ok(q->codes[i])) {
			sqltext_free(&codes);
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CODE", "%s",
				  _("a product code is 1-64 characters without spaces"));
			return;
		}
		sqltext_elem_str(&codes, q->codes[i]);
	}
	sqltext_close(&codes);
	count_params_init(&p, c, &q->base);
	snprintf(store, sizeof(store), "%lld", (long long)(q->store_id > 0 ? q->store_id : 0));

	const char *params[10] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.store, p.office,
		store, q->category, sqltext_str(&codes), q->uncounted_zero ? "t" : "f",
	};
	db_query(st_open, 10, params, count_changed_cb, c);
	sqltext_free(&p.hash);
	sqltext_free(&codes);
}

void handle_count_scan(Call *c)
{
	const Kassa__V1__CountScan *q = c->req->count_scan;
	CountParams p;
	char id[24], qty[24];

	if (q->count_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUNT", "%s",
			  _("give the count session's id"));
		return;
	}
	if (!count_code_ok(q->code)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CODE", "%s",
			  _("a product code is 1-64 characters without spaces"));
		return;
	}
	if (q->quantity < (q->set ? 0 : 1) || q->quantity > COUNT_QTY_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
			  _("a counted quantity is 1 to %d (a correction may set 0)"),
			  COUNT_QTY_MAX);
		return;
	}
	count_params_init(&p, c, &q->base);
	snprintf(id, sizeof(id), "%lld", (long long)q->count_id);
	snprintf(qty, sizeof(qty), "%lld", (long long)q->quantity);

	const char *params[10] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.store, p.office,
		id, q->code, qty, q->set ? "t" : "f",
	};
	db_query(st_scan, 10, params, count_changed_cb, c);
	sqltext_free(&p.hash);
}

void handle_count_get(Call *c)
{
	const Kassa__V1__CountGet *q = c->req->count_get;
	char id[24];

	if (q->count_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUNT", "%s",
			  _("give the count session's id"));
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)q->count_id);
	count_reply(c, id);
}

void handle_count_post(Call *c)
{
	const Kassa__V1__CountPost *q = c->req->count_post;
	CountParams p;
	char id[24];

	if (q->count_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUNT", "%s",
			  _("give the count session's id"));
		return;
	}
	count_params_init(&p, c, &q->base);
	snprintf(id, sizeof(id), "%lld", (long long)q->count_id);

	const char *params[8] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.store, p.office,
		id, q->cancel ? "t" : "f",
	};
	db_query(st_post, 8, params, count_changed_cb, c);
	sqltext_free(&p.hash);
}

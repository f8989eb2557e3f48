/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transfer.c: transfers of stock between stores (TransferSend,
 * TransferReceive, TransferGet, TransferList), answered as a Transfer with
 * its lines (sent, received, discrepancy) or a TransferPage.
 *
 * kassad checks the request's shape (a receiving store, 1-TRANSFER_ITEMS_MAX
 * items with a code and a quantity of 1-TRANSFER_QTY_MAX; at receiving 0
 * is allowed: nothing of that line arrived); one call of
 * migrations/functions/transfers.sql guards the stores and the state,
 * moves the stock through kassa_stock_moves() ('transfer_out' at the
 * sender, 'transfer_in' at the receiver), records the idempotency key and
 * audits; then the transfer is read back with kassa_transfer_rows().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "count_db.h"
#include "i18n.h"
#include "transfer.h"

#define TRANSFER_QTY_MAX 1000000
#define TRANSFER_ITEMS_MAX 500
#define TRANSFER_NOTE_MAX 500		/* bytes */
#define TRANSFER_LIST_DEFAULT 50
#define TRANSFER_LIST_MAX 200
#define TRANSFER_COLS 16		/* kassa_transfer_rows */

static int st_send, st_receive, st_rows;

void transfer_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 store $6 office $7 from $8 to $9 codes $10 qtys
	 * $11 note */
	st_send = db_stmt_add("transfer_send",
		"SELECT kassa_transfer_send($1, $2, $3, $4::bytea, " COUNT_SCOPE_SQL(5, 6, 2)
		", $7, $8, $9::text[], $10::bigint[], $11)", DB_LANE_WORK);
	/* ... $7 transfer $8 codes $9 qtys */
	st_receive = db_stmt_add("transfer_receive",
		"SELECT kassa_transfer_receive($1, $2, $3, $4::bytea, " COUNT_SCOPE_SQL(5, 6, 2)
		", $7, $8::text[], $9::bigint[])", DB_LANE_WORK);
	/* $1 store $2 office $3 staff $4 transfer $5 store listed $6 state $7 limit $8 before */
	st_rows = db_stmt_add("transfer_rows",
		"SELECT * FROM kassa_transfer_rows(" COUNT_SCOPE_SQL(1, 2, 3)
		", $4, $5, $6, $7, $8)", DB_LANE_QUICK);
}

/* Transfer t's header from row i. */
static void transfer_head(Kassa__V1__Transfer *t, const PGresult *res, int i)
{
	kassa__v1__transfer__init(t);
	t->transfer_id = count_col_int(res, i, 0);
	t->from_store_id = count_col_int(res, i, 1);
	t->from_store_code = PQgetvalue(res, i, 2);
	t->to_store_id = count_col_int(res, i, 3);
	t->to_store_code = PQgetvalue(res, i, 4);
	t->state = PQgetvalue(res, i, 5);
	t->note = PQgetvalue(res, i, 6);
	t->sent_by = count_col_int(res, i, 7);
	t->sent_at = PQgetvalue(res, i, 8);
	t->received_by = count_col_int(res, i, 9);
	t->received_at = PQgetvalue(res, i, 10);
}

/*
 * The rows of kassa_transfer_rows() as transfers (ts[0..*nt), their lines
 * in ls/lp, all of n rows): one transfer per run of rows of one id.
 */
static void transfer_build(const PGresult *res, int n, Kassa__V1__Transfer *ts,
			   Kassa__V1__Transfer **tp, Kassa__V1__TransferLine *ls,
			   Kassa__V1__TransferLine **lp, size_t *nt)
{
	Kassa__V1__Transfer *t = NULL;

	*nt = 0;
	for (int i = 0; i < n; i++) {
		Kassa__V1__TransferLine *l = &ls[i];

		if (t == NULL || t->transfer_id != count_col_int(res, i, 0)) {
			t = &ts[*nt];
			tp[(*nt)++] = t;
			transfer_head(t, res, i);
			t->lines = &lp[i];
		}
		kassa__v1__transfer_line__init(l);
		l->product_id = count_col_int(res, i, 11);
		l->sku = PQgetvalue(res, i, 12);
		l->name = PQgetvalue(res, i, 13);
		l->sent = count_col_int(res, i, 14);
		l->received = count_col_int(res, i, 15);
		l->discrepancy = strcmp(t->state, "received") == 0 ? l->received - l->sent : 0;
		lp[i] = l;
		t->n_lines++;
	}
}

static void transfer_rows_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__TransferPage page = KASSA__V1__TRANSFER_PAGE__INIT;
	bool list = c->req->body_case == KASSA__V1__REQUEST__BODY_TRANSFER_LIST;
	size_t n, nt = 0;
	Kassa__V1__Transfer *ts;
	Kassa__V1__Transfer **tp;
	Kassa__V1__TransferLine *ls;
	Kassa__V1__TransferLine **lp;

	if (!call_db_ok(c, st, res))
		return;
	n = (size_t)PQntuples(res);
	if ((n == 0 && !list) || PQnfields(res) != TRANSFER_COLS) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSFER_NOT_FOUND", "%s",
			  _("no such transfer"));
		return;
	}
	ts = calloc(n + 1, sizeof(*ts));
	tp = calloc(n + 1, sizeof(*tp));
	ls = calloc(n + 1, sizeof(*ls));
	lp = calloc(n + 1, sizeof(*lp));
	if (ts == NULL || tp == NULL || ls == NULL || lp == NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
	} else {
		transfer_build(res, (int)n, ts, tp, ls, lp, &nt);
		if (list) {
			int32_t lim = c->req->transfer_list->limit;

			page.n_transfers = nt;
			page.transfers = tp;
			if ((int32_t)nt == (lim > 0 ? lim : TRANSFER_LIST_DEFAULT) && nt > 0)
				page.next_before_id = tp[nt - 1]->transfer_id;
			resp.body_case = KASSA__V1__RESPONSE__BODY_TRANSFER_PAGE;
			resp.transfer_page = &page;
		} else {
			resp.body_case = KASSA__V1__RESPONSE__BODY_TRANSFER;
			resp.transfer = tp[0];
		}
		call_reply(c, &resp);
	}
	free(ts);
	free(tp);
	free(ls);
	free(lp);
}

static void transfer_query(Call *c, const char *id, int64_t store, const char *state,
			   int32_t limit, int64_t before)
{
	CountParams p;
	char st[24], lim[16], bef[24];

	count_params_init(&p, c, NULL);
	snprintf(st, sizeof(st), "%lld", (long long)store);
	snprintf(lim, sizeof(lim), "%d", (int)limit);
	snprintf(bef, sizeof(bef), "%lld", (long long)before);

	const char *params[8] = { p.store, p.office, p.staff, id, st, state, lim, bef };
	db_query(st_rows, 8, params, transfer_rows_cb, c);
	sqltext_free(&p.hash);
}

static void transfer_changed_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *id = count_changed_id(c, st, res);

	if (id != NULL)
		transfer_query(c, id, 0, "", 1, 0);
}

/*
 * The items as array literals; false (c answered) if one is malformed:
 * a code, a quantity of min to TRANSFER_QTY_MAX.
 */
static bool transfer_items(Call *c, Kassa__V1__TransferItem **items, size_t n, int64_t min,
			   SqlText *codes, SqlText *qtys)
{
	if (n > TRANSFER_ITEMS_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ITEMS",
			  _("a transfer has at most %d lines"), TRANSFER_ITEMS_MAX);
		return false;
	}
	sqltext_open(codes);
	sqltext_open(qtys);
	for (size_t i = 0; i < n; i++) {
		if (!count_code_ok(items[i]->code)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CODE", "%s",
				  _("a product code is 1-64 characters without spaces"));
			return false;
		}
		if (items[i]->quantity < min || items[i]->quantity > TRANSFER_QTY_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
				  _("a quantity is %lld to %d"), (long long)min, TRANSFER_QTY_MAX);
			return false;
		}
		sqltext_elem_str(codes, items[i]->code);
		sqltext_elem_int(qtys, items[i]->quantity);
	}
	sqltext_close(codes);
	sqltext_close(qtys);
	return true;
}

void handle_transfer_send(Call *c)
{
	const Kassa__V1__TransferSend *q = c->req->transfer_send;
	SqlText codes = SQLTEXT_INIT, qtys = SQLTEXT_INIT;
	CountParams p;

	if (!count_code_ok(q->to_store) ||
	    (q->from_store[0] != '\0' && !count_code_ok(q->from_store))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("name the receiving store by its code or id"));
		return;
	}
	if (q->n_items == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ITEMS", "%s",
			  _("a transfer sends at least one product"));
		return;
	}
	if (strlen(q->note) > TRANSFER_NOTE_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NOTE",
			  _("a note is at most %d bytes"), TRANSFER_NOTE_MAX);
		return;
	}
	if (!transfer_items(c, q->items, q->n_items, 1, &codes, &qtys))
		goto out;
	count_params_init(&p, c, &q->base);

	const char *params[11] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.store, p.office,
		q->from_store, q->to_store, sqltext_str(&codes), sqltext_str(&qtys), q->note,
	};
	db_query(st_send, 11, params, transfer_changed_cb, c);
	sqltext_free(&p.hash);
out:
	sqltext_free(&codes);
	sqltext_free(&qtys);
}

void handle_transfer_receive(Call *c)
{
	const Kassa__V1__TransferReceive *q = c->req->transfer_receive;
	SqlText codes = SQLTEXT_INIT, qtys = SQLTEXT_INIT;
	CountParams p;
	char id[24];

	if (q->transfer_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TRANSFER", "%s",
			  _("give the transfer's id"));
		return;
	}
	if (!transfer_items(c, q->items, q->n_items, 0, &codes, &qtys))
		goto out;
	count_params_init(&p, c, &q->base);
	snprintf(id, sizeof(id), "%lld", (long long)q->transfer_id);

	const char *params[9] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.store, p.office,
		id, sqltext_str(&codes), sqltext_str(&qtys),
	};
	db_query(st_receive, 9, params, transfer_changed_cb, c);
	sqltext_free(&p.hash);
out:
	sqltext_free(&codes);
	sqltext_free(&qtys);
}

void handle_transfer_get(Call *c)
{
	char id[24];

	if (c->req->transfer_get->transfer_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TRANSFER", "%s",
			  _("give the transfer's id"));
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->transfer_get->transfer_id);
	transfer_query(c, id, 0, "", 1, 0);
}

void handle_transfer_list(Call *c)
{
	const Kassa__V1__TransferList *q = c->req->transfer_list;

	if ((q->state[0] != '\0' && strcmp(q->state, "sent") != 0 &&
	     strcmp(q->state, "received") != 0) ||
	    q->limit < 0 || q->limit > TRANSFER_LIST_MAX || q->store_id < 0 || q->before_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LIST",
			  _("list by store, state sent or received, and a limit of 1-%d"),
			  TRANSFER_LIST_MAX);
		return;
	}
	transfer_query(c, "0", q->store_id, q->state, q->limit > 0 ? q->limit : TRANSFER_LIST_DEFAULT,
		       q->before_id);
}

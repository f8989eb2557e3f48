/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txn.c: reading a recorded sale back. Both the checkout answer and
 * TransactionGet come from the JSON that kassa_txn_json() builds in the
 * database, turned into a Transaction message here, so a sale reads the
 * same whichever way it is asked for. Cashiers read their own store's
 * sales; managers, analysts and admins read every store's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "log.h"
#include "server.h"

static int st_txn;

void txn_setup(void)
{
	st_txn = db_stmt_add("txn_json", "SELECT kassa_txn_json($1)", DB_LANE_QUICK);
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return (char *)(s ? s : "");
}

void txn_reply_json(Call *c, const char *text)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Transaction t = KASSA__V1__TRANSACTION__INIT;
	Kassa__V1__TransactionLine *lines = NULL, **lp = NULL;
	Kassa__V1__TenderRecord *tenders = NULL, **tp = NULL;
	json_error_t err;
	json_t *root = json_loads(text, 0, &err);
	json_t *jl, *jt;

	if (root == NULL || !json_is_object(root)) {
		log_error("could not parse a transaction from the database: %s", err.text);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_TRANSACTION_JSON",
			  "internal error");
		json_decref(root);
		return;
	}
	if ((c->role & ROLE_CASHIER) && jint(root, "store_id") != c->sess->store_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "OTHER_STORE",
			  "cashiers see only their own store's sales");
		json_decref(root);
		return;
	}
	t.txn_id = jint(root, "txn_id");
	t.store_id = jint(root, "store_id");
	t.till_id = jint(root, "till_id");
	t.staff_id = jint(root, "staff_id");
	t.member_id = jint(root, "member_id");
	t.currency = jstr(root, "currency");
	t.total_minor = jint(root, "total");
	t.tendered_minor = jint(root, "tendered");
	t.change_minor = jint(root, "change");
	t.points_earned = jint(root, "points_earned");
	t.points_balance = jint(root, "points_balance");
	t.cumulative_spend_minor = jint(root, "cumulative_spend");
	t.created_at = jstr(root, "created_at");

	jl = json_object_get(root, "lines");
	t.n_lines = json_array_size(jl);
	if (t.n_lines) {
		lines = xcalloc(t.n_lines, sizeof(*lines));
		lp = xcalloc(t.n_lines, sizeof(*lp));
		for (size_t i = 0; i < t.n_lines; i++) {
			json_t *o = json_array_get(jl, i);
			Kassa__V1__TransactionLine *l = &lines[i];

			kassa__v1__transaction_line__init(l);
			l->line_no = (int32_t)jint(o, "line_no");
			l->product_id = jint(o, "product_id");
			l->sku = jstr(o, "sku");
			l->name = jstr(o, "name");
			l->quantity = (int32_t)jint(o, "qty");
			l->unit_price_minor = jint(o, "unit");
			l->line_total_minor = jint(o, "total");
			lp[i] = l;
		}
		t.lines = lp;
	}
	jt = json_object_get(root, "tenders");
	t.n_tenders = json_array_size(jt);
	if (t.n_tenders) {
		tenders = xcalloc(t.n_tenders, sizeof(*tenders));
		tp = xcalloc(t.n_tenders, sizeof(*tp));
		for (size_t i = 0; i < t.n_tenders; i++) {
			json_t *o = json_array_get(jt, i);
			Kassa__V1__TenderRecord *d = &tenders[i];

			kassa__v1__tender_record__init(d);
			d->tender_no = (int32_t)jint(o, "tender_no");
			d->kind = (Kassa__V1__TenderKind)jint(o, "kind");
			d->amount_minor = jint(o, "amount");
			d->reference = jstr(o, "ref");
			tp[i] = d;
		}
		t.tenders = tp;
	}
	resp.body_case = KASSA__V1__RESPONSE__BODY_TRANSACTION;
	resp.transaction = &t;
	call_reply(c, &resp);
	free(lines);
	free(lp);
	free(tenders);
	free(tp);
	json_decref(root);
}

static void txn_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQgetisnull(res, 0, 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND",
			  "no transaction %lld", (long long)c->req->transaction_get->txn_id);
		return;
	}
	txn_reply_json(c, PQgetvalue(res, 0, 0));
}

void handle_transaction_get(Call *c)
{
	char id[24];
	const char *p = id;

	if (c->req->transaction_get->txn_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TRANSACTION_ID",
			  "a transaction id is positive");
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->transaction_get->txn_id);
	db_query(st_txn, 1, &p, txn_db_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * txn.c: reading a recorded sale back. Both the checkout answer and
 * TransactionGet come from the JSON that kassa_txn_json() builds in the
 * database, turned into a Transaction message here, so a sale reads the
 * same whichever way it is asked for, by id or by the till's receipt
 * number. Cashiers read their own store's sales; managers, analysts and
 * admins read every store's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coupon_json.h"
#include "db.h"
#include "log.h"
#include "core.h"
#include "loyalty.h"
#include "tender_json.h"

static int st_txn;
static int st_receipt;

void txn_setup(void)
{
	st_txn = db_stmt_add("txn_json", "SELECT kassa_txn_json($1)", DB_LANE_QUICK);
	/* the till's receipt number (unique where not empty: 0010_till_checkout.sql) */
	st_receipt = db_stmt_add("txn_by_receipt",
		"SELECT kassa_txn_json((SELECT txn_id FROM transactions WHERE receipt_no = $1))",
		DB_LANE_QUICK);
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

void txn_pb_from_json(json_t *root, json_t *doc, Kassa__V1__Transaction *t)
{
	Kassa__V1__TransactionLine *lines;
	json_t *jl;

	kassa__v1__transaction__init(t);
	t->txn_id = jint(root, "txn_id");
	t->store_id = jint(root, "store_id");
	t->till_id = jint(root, "till_id");
	t->staff_id = jint(root, "staff_id");
	t->member_id = jint(root, "member_id");
	t->currency = jstr(root, "currency");
	t->total_minor = jint(root, "total");
	t->tendered_minor = jint(root, "tendered");
	t->change_minor = jint(root, "change");
	t->points_earned = jint(root, "points_earned");
	t->points_balance = jint(root, "points_balance");
	t->cumulative_spend_minor = jint(root, "cumulative_spend");
	t->created_at = jstr(root, "created_at");
	t->gross_minor = jint(root, "gross");
	t->tier = jstr(root, "tier");
	t->tier_after = jstr(root, "tier_after");
	t->tier_saving_minor = jint(root, "tier_off");
	t->coupon_off_minor = jint(root, "coupon_off");
	t->points_redeemed = jint(root, "points_redeemed");
	t->points_value_minor = jint(root, "points_value");
	t->gift_points = jint(root, "gift_points");
	t->stored_value_paid_minor = jint(root, "wallet_paid");
	t->stored_value_balance_minor = jint(root, "wallet_balance");
	t->rule_version = (int32_t)jint(root, "rule_version");
	t->receipt_no = jstr(root, "receipt_no");
	t->offline = json_is_true(json_object_get(root, "offline"));
	t->coupon_codes = coupon_codes_from_json(json_object_get(root, "coupon_codes"),
						 &t->n_coupon_codes);
	t->usable_coupons = coupon_pb_from_json(json_object_get(doc, "usable_coupons"),
						&t->n_usable_coupons);

	jl = json_object_get(root, "lines");
	t->n_lines = json_array_size(jl);
	if (t->n_lines) {
		/* one block of lines, and the pointers into it (txn_pb_clear()) */
		lines = xcalloc(t->n_lines, sizeof(*lines));
		t->lines = xcalloc(t->n_lines, sizeof(*t->lines));
		for (size_t i = 0; i < t->n_lines; i++) {
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
			l->tier_off_minor = jint(o, "tier_off");
			l->coupon_off_minor = jint(o, "coupon_off");
			l->points_off_minor = jint(o, "points_off");
			l->net_minor = jint(o, "net");
			l->points_earned = jint(o, "points_earned");
			l->gift_points = jint(o, "gift_points");
			t->lines[i] = l;
		}
	}
	t->tenders = tender_pb_from_json(json_object_get(root, "tenders"), &t->n_tenders);
}

void txn_pb_clear(Kassa__V1__Transaction *t)
{
	if (t->n_lines)
		free(t->lines[0]);
	free(t->lines);
	tender_pb_free(t->tenders);
	free(t->coupon_codes);
	coupon_pb_free(t->usable_coupons);
	kassa__v1__transaction__init(t);
}

void txn_reply_json(Call *c, const char *text)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Transaction t;
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);
	json_t *root = doc;

	/* a checkout answer wraps the sale: {"txn": {...}, "usable_coupons": [...]} */
	if (json_is_object(json_object_get(doc, "txn")))
		root = json_object_get(doc, "txn");

	if (root == NULL || !json_is_object(root)) {
		log_call(c, LOG_LVL_ERROR, "could not parse a transaction from the database: %s",
			 err.text);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_TRANSACTION_JSON",
			  "internal error");
		json_decref(doc);
		return;
	}
	if ((c->role & ROLE_CASHIER) && jint(root, "store_id") != c->sess->store_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "OTHER_STORE",
			  "cashiers see only their own store's sales");
		json_decref(doc);
		return;
	}
	txn_pb_from_json(root, doc, &t);
	resp.body_case = KASSA__V1__RESPONSE__BODY_TRANSACTION;
	resp.transaction = &t;
	call_reply(c, &resp);
	txn_pb_clear(&t);
	json_decref(doc);
}

static void txn_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQgetisnull(res, 0, 0) && c->req->transaction_get->receipt_no[0] != '\0') {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND",
			  "no sale has receipt number %s", c->req->transaction_get->receipt_no);
		return;
	}
	if (PQgetisnull(res, 0, 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND",
			  "no transaction %lld", (long long)c->req->transaction_get->txn_id);
		return;
	}
	txn_reply_json(c, PQgetvalue(res, 0, 0));
}

void handle_transaction_get(Call *c)
{
	const Kassa__V1__TransactionGet *g = c->req->transaction_get;
	char id[24];
	const char *p = id;

	if (g->receipt_no[0] != '\0') {
		if (g->txn_id != 0 || !txn_receipt_no_ok(g->receipt_no)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RECEIPT_NO",
				  "give a transaction id or a receipt number (1-%d of A-Z, a-z, "
				  "0-9, -), not both", TXN_RECEIPT_NO_MAX);
			return;
		}
		p = g->receipt_no;
		db_query(st_receipt, 1, &p, txn_db_cb, c);
		return;
	}
	if (c->req->transaction_get->txn_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TRANSACTION_ID",
			  "a transaction id is positive");
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->transaction_get->txn_id);
	db_query(st_txn, 1, &p, txn_db_cb, c);
}

bool txn_receipt_no_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > TXN_RECEIPT_NO_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

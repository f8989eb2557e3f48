/* SPDX-License-Identifier: Apache-2.0 */
/*
 * purchase.c: purchase orders (store operations, part "supply").
 *
 * PurchaseSuggest: kassa_purchase_suggest_inputs() gathers, per product
 * the supplier supplies, the store's sales over the last 28 days, stock,
 * outstanding orders, safety level and the supplier's terms; the pure
 * supply_suggest_line() turns each into the units to order; the answer is
 * a draft PurchaseOrder (po_id 0, nothing stored) that a client may send
 * back as PurchaseOrderPut create.
 *
 * PurchaseOrderPut: create (a draft with lines at the supplier's costs),
 * send (draft -> sent; expected = sent + lead days), cancel (before
 * anything arrived) or close (short): one call of
 * kassa_purchase_order_create() / kassa_purchase_order_act()
 * (functions/suppliers.sql), exactly once per key, audited 'po.put'.
 * PurchaseOrderGet and PurchaseOrderList read. A manager sees and changes
 * only their own store's orders (supply_store_limit()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "purchase.h"
#include "supplier.h"
#include "supply_db.h"
#include "supply_suggest.h"

#define REVIEW_DAYS_DEFAULT 7
#define REVIEW_DAYS_MAX 90
#define LIST_DEFAULT 50
#define LIST_MAX 200

static int st_suggest, st_create, st_act, st_get, st_list;

void purchase_setup(void)
{
	st_suggest = db_stmt_add("purchase_suggest",
		"SELECT * FROM kassa_purchase_suggest_inputs($1, $2)", DB_LANE_QUICK);
	/* $1 till $2 staff $3 key $4 hash $5 store $6 supplier $7 skus $8 qtys */
	st_create = db_stmt_add("purchase_order_create",
		"SELECT * FROM kassa_purchase_order_create($1, $2, $3, $4, $5, $6, $7::text[],"
		" $8::bigint[])", DB_LANE_WORK);
	/* $1 till $2 staff $3 key $4 hash $5 store limit $6 po $7 action */
	st_act = db_stmt_add("purchase_order_act",
		"SELECT * FROM kassa_purchase_order_act($1, $2, $3, $4, $5, $6, $7)", DB_LANE_WORK);
	st_get = db_stmt_add("purchase_order_get",
		"SELECT * FROM kassa_po_rows(ARRAY[$1::bigint], true, 0)"
		" WHERE $2::bigint = 0 OR store_id = $2::bigint", DB_LANE_QUICK);
	st_list = db_stmt_add("purchase_order_list",
		"SELECT * FROM kassa_po_list($1, $2, $3, $4, $5)", DB_LANE_QUICK);
}

/*
 * The store a request means (0: the session's) if c's caller may use it;
 * 0 after answering c PERMISSION_DENIED STORE_NOT_YOURS.
 */
static int64_t store_for(Call *c, int64_t asked)
{
	int64_t limit = supply_store_limit(c);
	int64_t store = asked > 0 ? asked : c->sess->store_id;

	if (limit != 0 && store != limit) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
			  _("a manager orders for their own store only"));
		return 0;
	}
	return store;
}

/* kassa_purchase_suggest_inputs columns */
enum { SG_SCODE, SG_SNAME, SG_SKU, SG_PNAME, SG_COST, SG_CUR, SG_PACK, SG_MIN, SG_LEAD,
       SG_SOLD, SG_ON_HAND, SG_ON_ORDER, SG_SAFETY, SG_NCOLS };

static int64_t cell(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void suggest_line(Kassa__V1__PurchaseOrderLine *l, const PGresult *res, int i,
			 int32_t review)
{
	SupplyLineIn in = {
		.sold = cell(res, i, SG_SOLD), .lead_days = (int32_t)cell(res, i, SG_LEAD),
		.review_days = review, .on_hand = cell(res, i, SG_ON_HAND),
		.on_order = cell(res, i, SG_ON_ORDER), .safety = cell(res, i, SG_SAFETY),
		.pack_size = cell(res, i, SG_PACK), .min_order = cell(res, i, SG_MIN),
	};
	SupplyLineOut out = supply_suggest_line(&in);

	kassa__v1__purchase_order_line__init(l);
	l->sku = PQgetvalue(res, i, SG_SKU);
	l->name = PQgetvalue(res, i, SG_PNAME);
	l->ordered = out.suggested;
	l->cost_minor = cell(res, i, SG_COST);
	l->forecast = out.forecast;
	l->on_hand = in.on_hand;
	l->on_order = in.on_order;
	l->safety = in.safety;
	l->pack_size = in.pack_size;
	l->sold_28d = in.sold;
}

static void suggest_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__PurchaseSuggest *q = c->req->purchase_suggest;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PurchaseOrder po = KASSA__V1__PURCHASE_ORDER__INIT;
	int n, review = q->review_days > 0 ? q->review_days : REVIEW_DAYS_DEFAULT;
	Kassa__V1__PurchaseOrderLine *lines, **lp;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	if (PQnfields(res) != SG_NCOLS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	lines = xcalloc((size_t)n + 1, sizeof(*lines));
	lp = xcalloc((size_t)n + 1, sizeof(*lp));
	po.store_id = strtoll(c->state ? (const char *)c->state : "0", NULL, 10);
	po.supplier_code = q->supplier_code;
	po.currency = n > 0 ? PQgetvalue(res, 0, SG_CUR) : "";
	po.supplier_name = n > 0 ? PQgetvalue(res, 0, SG_SNAME) : "";
	po.review_days = review;
	for (int i = 0; i < n; i++) {
		suggest_line(&lines[i], res, i, review);
		lp[i] = &lines[i];
		po.total_minor += lines[i].ordered * lines[i].cost_minor;
		if ((int32_t)cell(res, i, SG_LEAD) > po.lead_days)
			po.lead_days = (int32_t)cell(res, i, SG_LEAD);
	}
	po.lines = lp;
	po.n_lines = (size_t)n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_PURCHASE_ORDER;
	resp.purchase_order = &po;
	call_reply(c, &resp);
	free(lines);
	free(lp);
}

void handle_purchase_suggest(Call *c)
{
	const Kassa__V1__PurchaseSuggest *q = c->req->purchase_suggest;
	char store[24];
	int64_t id;

	if (!supplier_code_is_valid(q->supplier_code)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUPPLIER_CODE", "%s",
			  _("give the supplier's code"));
		return;
	}
	if (q->review_days < 0 || q->review_days > REVIEW_DAYS_MAX || q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REVIEW_DAYS",
			  _("the review period is 0 to %d days"), REVIEW_DAYS_MAX);
		return;
	}
	if ((id = store_for(c, q->store_id)) == 0)
		return;
	snprintf(store, sizeof(store), "%lld", (long long)id);
	c->state = xstrdup(store);	/* the store, for the answer */
	c->state_free = free;
	const char *params[2] = { store, q->supplier_code };
	db_query(st_suggest, 2, params, suggest_cb, c);
}

static void order_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	supply_reply_orders(c, res, false, 0);
}

static void order_create(Call *c, const Kassa__V1__PurchaseOrderPut *q)
{
	SqlText skus = SQLTEXT_INIT, qtys = SQLTEXT_INIT;
	char store[24];
	SupplyParams p;
	int64_t id;

	if (!supplier_code_is_valid(q->supplier_code)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUPPLIER_CODE", "%s",
			  _("give the supplier's code"));
		return;
	}
	if (q->store_id < 0 || q->po_id != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ORDER", "%s",
			  _("a new order takes no order id and no negative store id"));
		return;
	}
	if ((id = store_for(c, q->store_id)) == 0)
		return;
	if (!supply_lines(c, q->lines, q->n_lines, &skus, &qtys))
		goto out;
	snprintf(store, sizeof(store), "%lld", (long long)id);
	supply_params_init(&p, c, &q->base);
	const char *params[8] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), store,
		q->supplier_code, sqltext_str(&skus), sqltext_str(&qtys),
	};
	db_query(st_create, 8, params, order_cb, c);
	supply_params_free(&p);
out:
	sqltext_free(&skus);
	sqltext_free(&qtys);
}

void handle_purchase_order_put(Call *c)
{
	const Kassa__V1__PurchaseOrderPut *q = c->req->purchase_order_put;
	const char *action;
	char po[24];
	SupplyParams p;

	switch (q->action) {
	case KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CREATE:
		order_create(c, q);
		return;
	case KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_SEND: action = "send"; break;
	case KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CANCEL: action = "cancel"; break;
	case KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_CLOSE: action = "close"; break;
	default:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ACTION", "%s",
			  _("say what to do with the order: create, send, cancel or close"));
		return;
	}
	if (q->po_id <= 0 || q->n_lines != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ORDER", "%s",
			  _("give the order's id (and no lines)"));
		return;
	}
	snprintf(po, sizeof(po), "%lld", (long long)q->po_id);
	supply_params_init(&p, c, &q->base);
	const char *params[7] = {
		p.till, p.staff, c->req->idempotency_key, sqltext_str(&p.hash), p.limit, po, action,
	};
	db_query(st_act, 7, params, order_cb, c);
	supply_params_free(&p);
}

void handle_purchase_order_get(Call *c)
{
	char po[24], limit[24];

	if (c->req->purchase_order_get->po_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ORDER", "%s",
			  _("give the order's id"));
		return;
	}
	snprintf(po, sizeof(po), "%lld", (long long)c->req->purchase_order_get->po_id);
	snprintf(limit, sizeof(limit), "%lld", (long long)supply_store_limit(c));
	const char *params[2] = { po, limit };
	db_query(st_get, 2, params, order_cb, c);
}

static void page_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	int32_t limit = c->req->purchase_order_list->limit;

	if (!call_db_ok(c, st, res))
		return;
	supply_reply_orders(c, res, true, limit > 0 ? limit : LIST_DEFAULT);
}

static bool state_is_valid(const char *s)
{
	static const char *const states[] = { "", "draft", "sent", "partial", "received",
					       "cancelled", "closed" };

	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (strcmp(s, states[i]) == 0)
			return true;
	return false;
}

void handle_purchase_order_list(Call *c)
{
	const Kassa__V1__PurchaseOrderList *q = c->req->purchase_order_list;
	char store[24], before[24], limit[16];
	int64_t lim = supply_store_limit(c);

	if (!state_is_valid(q->state) || q->limit < 0 || q->limit > LIST_MAX ||
	    q->before_id < 0 || q->store_id < 0 ||
	    (q->supplier_code[0] && !supplier_code_is_valid(q->supplier_code))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LIST",
			  _("a state is draft, sent, partial, received, cancelled or closed;"
			    " a page holds up to %d orders"), LIST_MAX);
		return;
	}
	if (lim != 0 && q->store_id != 0 && q->store_id != lim) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
			  _("a manager orders for their own store only"));
		return;
	}
	snprintf(store, sizeof(store), "%lld", (long long)(lim != 0 ? lim : q->store_id));
	snprintf(before, sizeof(before), "%lld", (long long)q->before_id);
	snprintf(limit, sizeof(limit), "%d", q->limit > 0 ? (int)q->limit : LIST_DEFAULT);
	const char *params[5] = { store, q->state, q->supplier_code, before, limit };
	db_query(st_list, 5, params, page_cb, c);
}

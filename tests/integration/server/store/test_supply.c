/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_supply: suppliers, purchase orders and goods receiving end to end
 * on a real kassad and PostgreSQL. Guards: receiving updates the stock
 * (the ledger equals the level) and the order's state (partial, then
 * received; over-delivery within a tenth accepted, beyond it refused;
 * under-delivery closed short); a retried receipt changes nothing twice;
 * bad input (unknown SKU, quantity <= 0, a SKU not on the order, another
 * store's order, a draft / closed / cancelled order) is refused and
 * changes nothing; the suggestion follows sales, stock, orders and the
 * safety level in whole packs; the "suppliers" report's rates match the
 * hand-computed ones; every change is audited; concurrent receipts of
 * one order take it once.
 *
 * The manager is 2001 at S001-T1; the administrator 9001 at HQ-OFFICE-1.
 * Products, suppliers and SKUs are fresh per run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define ST(x) KASSA__V1__STATUS_CODE__##x
#define ACT(x) KASSA__V1__PURCHASE_ORDER_ACTION__PO_ACTION_##x

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

static const char *why(const Kassa__V1__Response *r, KassaClient *kc)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s %s", r ? kc_status_name(kc_status(r)) : "-",
		 r ? kc_detail(r) : kc_last_error(kc));
	return buf;
}

/* A fresh stocked product at 9.90; its SKU in sku. */
static bool fresh_product(Harness *h, const char *prefix, char sku[64])
{
	it_fresh_name(prefix, sku);
	return it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', '%s', 990)",
		       sku, sku);
}

/* A supplier of code (fresh) supplying the n SKUs at cost, pack, lead each. */
static bool make_supplier(Harness *h, KassaClient *admin, char code[64], const char **skus,
			  const int64_t *cost, const int64_t *pack, const int32_t *lead, size_t n)
{
	Kassa__V1__SupplierPut sp = KASSA__V1__SUPPLIER_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	bool ok;

	(void)h;
	it_fresh_name("SUP", code);
	sp.code = code;
	sp.name = (char *)"华东食品供应";
	sp.phone = (char *)"+86 21 5555 0100";
	sp.email = (char *)"orders@example.com";
	ok = CHECK(kc_supplier_put(admin, &sp, NULL, &r) == KC_OK && is(r, ST(OK), NULL) &&
		   r->supplier && strcmp(r->supplier->code, code) == 0, "supplier put: %s",
		   why(r, admin));
	kc_response_free(r);
	for (size_t i = 0; ok && i < n; i++) {
		Kassa__V1__SupplierProductPut pp = KASSA__V1__SUPPLIER_PRODUCT_PUT__INIT;

		r = NULL;
		pp.supplier_code = code;
		pp.sku = (char *)skus[i];
		pp.cost_minor = cost[i];
		pp.pack_size = pack[i];
		pp.lead_days = lead[i];
		pp.preferred = true;
		ok = CHECK(kc_supplier_product_put(admin, &pp, NULL, &r) == KC_OK &&
			   is(r, ST(OK), NULL) && r->supplier->n_products == i + 1,
			   "supplier product %s: %s", skus[i], why(r, admin));
		kc_response_free(r);
	}
	return ok;
}

/* The n (at most 8) SKU = quantity lines in lv, pointed to by lp; returns lp. */
static Kassa__V1__PurchaseLineQty **fill_lines(Kassa__V1__PurchaseLineQty *lv,
					       Kassa__V1__PurchaseLineQty **lp, const char **skus,
					       const int64_t *qty, size_t n)
{
	for (size_t i = 0; i < n && i < 8; i++) {
		kassa__v1__purchase_line_qty__init(&lv[i]);
		lv[i].sku = (char *)skus[i];
		lv[i].quantity = qty[i];
		lp[i] = &lv[i];
	}
	return lp;
}

/* PurchaseOrderPut: create (store, lines) or an action on po; the answer (caller frees). */
static Kassa__V1__Response *po_put(KassaClient *kc, Kassa__V1__PurchaseOrderAction action,
				   int64_t po, const char *code, int64_t store, const char **skus,
				   const int64_t *qty, size_t n)
{
	Kassa__V1__PurchaseOrderPut q = KASSA__V1__PURCHASE_ORDER_PUT__INIT;
	Kassa__V1__PurchaseLineQty lv[8], *lp[8];
	Kassa__V1__Response *r = NULL;

	q.action = action;
	q.po_id = po;
	q.supplier_code = (char *)(code ? code : "");
	q.store_id = store;
	q.lines = fill_lines(lv, lp, skus, qty, n);
	q.n_lines = n < 8 ? n : 8;
	if (kc_purchase_order_put(kc, &q, NULL, &r) != KC_OK)
		return NULL;
	return r;
}

/* GoodsReceive of n lines (or all outstanding) with key (NULL fresh). */
static Kassa__V1__Response *receive(KassaClient *kc, int64_t po, const char **skus,
				    const int64_t *qty, size_t n, bool all, const char *key)
{
	Kassa__V1__GoodsReceive q = KASSA__V1__GOODS_RECEIVE__INIT;
	Kassa__V1__PurchaseLineQty lv[8], *lp[8];
	Kassa__V1__Response *r = NULL;

	q.po_id = po;
	q.all_outstanding = all;
	q.lines = fill_lines(lv, lp, skus, qty, n);
	q.n_lines = n < 8 ? n : 8;
	if (kc_goods_receive(kc, &q, key, &r) != KC_OK)
		return NULL;
	return r;
}

static int64_t on_hand(Harness *h, const char *store, const char *sku)
{
	return it_sql_int(h, "SELECT coalesce((SELECT on_hand FROM kassa_stock_on_hand l"
			  " JOIN products p USING (product_id) JOIN stores s USING (store_id)"
			  " WHERE p.sku = '%s' AND s.code = '%s'), 0)", sku, store);
}

static int64_t ledger(Harness *h, const char *store, const char *sku)
{
	return it_sql_int(h, "SELECT coalesce(sum(m.quantity), 0)::bigint FROM stock_moves m"
			  " JOIN products p USING (product_id) JOIN stores s USING (store_id)"
			  " WHERE p.sku = '%s' AND s.code = '%s'", sku, store);
}

static const Kassa__V1__PurchaseOrderLine *line_of(const Kassa__V1__PurchaseOrder *o,
						     const char *sku)
{
	for (size_t i = 0; o && i < o->n_lines; i++)
		if (strcmp(o->lines[i]->sku, sku) == 0)
			return o->lines[i];
	return NULL;
}

static bool state_is(const Kassa__V1__Response *r, const char *state)
{
	return is(r, ST(OK), NULL) && r->purchase_order &&
	       strcmp(r->purchase_order->state, state) == 0;
}

/* The first receipt's refusals (po of S001, A received 5 of 12): nothing changes. */
static void check_receive_refusals(Harness *h, KassaClient *mgr, int64_t po,
				   const char **skus, const char *a)
{
	Kassa__V1__Response *r;

	r = receive(mgr, po, (const char *[]){ "NO-SUCH-SKU-42" }, (int64_t[]){ 1 }, 1, false, NULL);
	CHECK(is(r, ST(NOT_FOUND), "UNKNOWN_PRODUCT"), "unknown SKU: %s", why(r, mgr));
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 0 }, 1, false, NULL);
	CHECK(is(r, ST(INVALID_ARGUMENT), "BAD_QUANTITY"), "quantity 0: %s", why(r, mgr));
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ -3 }, 1, false, NULL);
	CHECK(is(r, ST(INVALID_ARGUMENT), "BAD_QUANTITY"), "quantity -3: %s", why(r, mgr));
	kc_response_free(r);
	{
		char c[64];

		r = NULL;
		if (fresh_product(h, "SUPC", c)) {
			r = receive(mgr, po, (const char *[]){ a, c }, (int64_t[]){ 1, 1 }, 2,
				    false, NULL);
			CHECK(is(r, ST(FAILED_PRECONDITION), "NOT_ON_ORDER"), "not on order: %s",
			      why(r, mgr));
		}
	}
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 9 }, 1, false, NULL);	/* 14 > 12 + 1 */
	CHECK(is(r, ST(FAILED_PRECONDITION), "OVER_DELIVERY"), "over a tenth: %s", why(r, mgr));
	kc_response_free(r);
	CHECK(on_hand(h, "S001", a) == 5 && ledger(h, "S001", a) == 5 && on_hand(h, "S001", skus[1]) == 0 &&
	      it_sql_int(h, "SELECT count(*) FROM goods_receipts WHERE po_id = %lld",
			 (long long)po) == 1 &&
	      it_sql_int(h, "SELECT received FROM purchase_order_lines l JOIN products p"
			 " USING (product_id) WHERE po_id = %lld AND sku = '%s'",
			 (long long)po, a) == 5, "the refusals changed nothing");

}

/*
 * An order of A (12, packs of 6) and B (10) from the manager of S001: a
 * draft is not received; sent, received in two deliveries (5 A, then 8 A
 * = 13 of 12: within a tenth, and 10 B), partial then received, the stock
 * following the receipts with the ledger equal to the level; a retried
 * receipt answers the same and moves nothing; the refusals change nothing.
 */
static void test_receiving(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL, *again = NULL;
	char a[64], b[64], code[64], key[64];
	const char *skus[2] = { a, b };
	int64_t cost[2] = { 250, 1000 }, pack[2] = { 6, 1 }, qty[2] = { 12, 10 }, po = 0, rc;
	int32_t lead[2] = { 3, 5 };
	int64_t s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");

	if (!admin || !mgr || !fresh_product(h, "SUPA", a) || !fresh_product(h, "SUPB", b) ||
	    !make_supplier(h, admin, code, skus, cost, pack, lead, 2))
		goto out;
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, qty, 2);
	if (!CHECK(state_is(r, "draft") && r->purchase_order->n_lines == 2 &&
		   r->purchase_order->total_minor == 12 * 250 + 10 * 1000 &&
		   r->purchase_order->lead_days == 5, "create: %s", why(r, mgr)))
		goto out;
	po = r->purchase_order->po_id;
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 5 }, 1, false, NULL);
	CHECK(is(r, ST(FAILED_PRECONDITION), "PO_STATE"), "a draft is not received: %s",
	      why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), po, NULL, 0, NULL, NULL, 0);
	CHECK(state_is(r, "sent") && r->purchase_order->sent_on[0] &&
	      it_sql_int(h, "SELECT expected_on - sent_on FROM purchase_orders WHERE po_id = %lld",
			 (long long)po) == 5, "sent, expected in 5 days: %s", why(r, mgr));
	kc_response_free(r);

	/* the first delivery: 5 of A */
	it_fresh_name("rcv", key);
	r = receive(mgr, po, skus, (int64_t[]){ 5 }, 1, false, key);
	if (!CHECK(state_is(r, "partial") && r->purchase_order->receipt_id > 0 &&
		   line_of(r->purchase_order, a)->received == 5 && r->purchase_order->receipts == 1,
		   "partial: %s", why(r, mgr)))
		goto out;
	rc = r->purchase_order->receipt_id;
	CHECK(on_hand(h, "S001", a) == 5 && ledger(h, "S001", a) == 5, "stock 5 = ledger");
	again = receive(mgr, po, skus, (int64_t[]){ 5 }, 1, false, key);
	CHECK(again && state_is(again, "partial") && again->purchase_order->receipt_id == rc &&
	      on_hand(h, "S001", a) == 5, "a retry answers the same receipt, moves nothing");
	kc_response_free(again);
	again = NULL;

	/* refusals: nothing changes */
	kc_response_free(r);
	r = NULL;
	check_receive_refusals(h, mgr, po, skus, a);

	/* the second delivery: 8 of A (one over, accepted) and all 10 of B */
	r = receive(mgr, po, skus, (int64_t[]){ 8, 10 }, 2, false, NULL);
	CHECK(state_is(r, "received") && line_of(r->purchase_order, a)->received == 13 &&
	      line_of(r->purchase_order, b)->received == 10 && r->purchase_order->receipts == 2,
	      "received: %s", why(r, mgr));
	CHECK(on_hand(h, "S001", a) == 13 && ledger(h, "S001", a) == 13 &&
	      on_hand(h, "S001", b) == 10 && ledger(h, "S001", b) == 10, "stock 13 and 10 = ledger");
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 1 }, 1, false, NULL);
	CHECK(is(r, ST(FAILED_PRECONDITION), "PO_STATE"), "a received order takes no more: %s",
	      why(r, mgr));
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'po.receive'"
			 " AND subject = 'po:%lld'", (long long)po) == 2 &&
	      it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'po.put'"
			 " AND subject = 'po:%lld'", (long long)po) == 2 &&
	      it_sql_int(h, "SELECT count(*) FROM audit_log a JOIN suppliers s"
			 " ON a.subject = 'supplier:' || s.supplier_id"
			 " WHERE a.action = 'supplier.put' AND s.code = '%s'", code) == 3,
	      "audited: 2 receipts, create + send, supplier + 2 products");

	/* another store's order: the S001 manager cannot receive it */
	r = po_put(admin, ACT(CREATE), 0, code, s2, skus, qty, 1);
	if (CHECK(state_is(r, "draft") && r->purchase_order->store_id == s2, "S002's order: %s",
		  why(r, admin))) {
		int64_t other = r->purchase_order->po_id;

		kc_response_free(r);
		r = po_put(admin, ACT(SEND), other, NULL, 0, NULL, NULL, 0);
		kc_response_free(r);
		r = receive(mgr, other, skus, (int64_t[]){ 1 }, 1, false, NULL);
		CHECK(is(r, ST(PERMISSION_DENIED), "PO_OTHER_STORE"), "another store's: %s",
		      why(r, mgr));
		CHECK(on_hand(h, "S002", a) == 0, "S002's stock untouched");
	}
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
}

/* Under-delivery closed short, a cancelled order, "all outstanding". */
static void test_short_and_cancel(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	char a[64], code[64];
	const char *skus[1] = { a };
	int64_t cost[1] = { 100 }, pack[1] = { 1 }, po;
	int32_t lead[1] = { 2 };

	if (!admin || !mgr || !fresh_product(h, "SUPS", a) ||
	    !make_supplier(h, admin, code, skus, cost, pack, lead, 1))
		goto out;
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, (int64_t[]){ 6 }, 1);
	if (!CHECK(state_is(r, "draft"), "create: %s", why(r, mgr)))
		goto out;
	po = r->purchase_order->po_id;
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), po, NULL, 0, NULL, NULL, 0);
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 2 }, 1, false, NULL);
	CHECK(state_is(r, "partial"), "2 of 6: %s", why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(CLOSE), po, NULL, 0, NULL, NULL, 0);
	CHECK(state_is(r, "closed") && line_of(r->purchase_order, a)->received == 2,
	      "closed short: %s", why(r, mgr));
	kc_response_free(r);
	r = receive(mgr, po, NULL, NULL, 0, true, NULL);
	CHECK(is(r, ST(FAILED_PRECONDITION), "PO_STATE"), "a closed order takes none: %s",
	      why(r, mgr));
	CHECK(on_hand(h, "S001", a) == 2 && ledger(h, "S001", a) == 2, "stock 2 = ledger");
	kc_response_free(r);

	/* a sent order cancelled, then nothing more */
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, (int64_t[]){ 3 }, 1);
	po = r && r->purchase_order ? r->purchase_order->po_id : 0;
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), po, NULL, 0, NULL, NULL, 0);
	kc_response_free(r);
	r = po_put(mgr, ACT(CANCEL), po, NULL, 0, NULL, NULL, 0);
	CHECK(state_is(r, "cancelled"), "cancelled: %s", why(r, mgr));
	kc_response_free(r);
	r = receive(mgr, po, skus, (int64_t[]){ 1 }, 1, false, NULL);
	CHECK(is(r, ST(FAILED_PRECONDITION), "PO_STATE"), "a cancelled order takes none: %s",
	      why(r, mgr));
	kc_response_free(r);

	/* everything outstanding in one go */
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, (int64_t[]){ 4 }, 1);
	po = r && r->purchase_order ? r->purchase_order->po_id : 0;
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), po, NULL, 0, NULL, NULL, 0);
	kc_response_free(r);
	r = receive(mgr, po, NULL, NULL, 0, true, NULL);
	CHECK(state_is(r, "received") && line_of(r->purchase_order, a)->received == 4,
	      "all outstanding: %s", why(r, mgr));
	CHECK(on_hand(h, "S001", a) == 6 && ledger(h, "S001", a) == 6, "stock 6 = ledger");
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
}

/* A cash sale of qty x sku (9.90 each) at kc's till; false + failure otherwise. */
static bool sell(KassaClient *kc, const char *sku, int qty)
{
	KcLine line = { 0 };
	KcTender t = { KASSA__V1__TENDER_KIND__TENDER_CASH, 990 * (int64_t)qty, NULL };
	KcSale s = { 0 };
	Kassa__V1__Response *r = NULL;
	char key[64];
	bool ok;

	line.code = sku;
	line.quantity = qty;
	s.lines = &line;
	s.nlines = 1;
	s.tenders = &t;
	s.ntenders = 1;
	it_fresh_name("sale", key);
	ok = CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && is(r, ST(OK), NULL) &&
		   r->transaction, "sale: %s", why(r, kc));
	kc_response_free(r);
	return ok;
}

/*
 * The suggestion: 14 sold over the window (2 sales at S001), lead 7 +
 * review 7 days: forecast ceil(14 x 14 / 28) = 7; safety 10, on hand -14
 * (the sales), 4 on a draft order: 7 + 10 + 14 - 4 = 27, packs of 4: 28.
 * A second product with stock enough: 0. A manager's other store: refused.
 */
static void test_suggest(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	KassaClient *till = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char a[64], b[64], code[64];
	const char *skus[2] = { a, b };
	int64_t cost[2] = { 300, 500 }, pack[2] = { 4, 1 };
	int32_t lead[2] = { 7, 7 };
	int64_t s1 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	int64_t s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	const Kassa__V1__PurchaseOrderLine *la, *lb;

	if (!admin || !mgr || !till || !fresh_product(h, "SUGA", a) || !fresh_product(h, "SUGB", b) ||
	    !make_supplier(h, admin, code, skus, cost, pack, lead, 2) || !sell(till, a, 9) ||
	    !sell(till, a, 5) || !it_stock_folded(h, 10))	/* the sales made A's level row */
		goto out;
	if (!it_sqlf(h, "UPDATE stock_levels SET safety_level = 10 WHERE store_id = %lld"
		     " AND product_id = (SELECT product_id FROM products WHERE sku = '%s')",
		     (long long)s1, a) ||
	    !it_sqlf(h, "INSERT INTO stock_levels (store_id, product_id, on_hand)"
		     " SELECT %lld, product_id, 0 FROM products WHERE sku = '%s'", (long long)s1, b) ||
	    !it_sqlf(h, "SELECT kassa_stock_moves(%lld, 'adjust', 0, 0,"
		     " ARRAY[(SELECT product_id FROM products WHERE sku = '%s')], ARRAY[50::bigint])",
		     (long long)s1, b))
		goto out;
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, (int64_t[]){ 4 }, 1);
	CHECK(state_is(r, "draft"), "a draft of 4: %s", why(r, mgr));
	kc_response_free(r);
	r = NULL;
	if (!CHECK(kc_purchase_suggest(mgr, code, 0, 0, &r) == KC_OK && is(r, ST(OK), NULL) &&
		   r->purchase_order && r->purchase_order->n_lines == 2, "suggest: %s",
		   why(r, mgr)))
		goto out;
	la = line_of(r->purchase_order, a);
	lb = line_of(r->purchase_order, b);
	CHECK(la && la->sold_28d == 14 && la->forecast == 7 && la->on_hand == -14 &&
	      la->on_order == 4 && la->safety == 10 && la->ordered == 28,
	      "A: sold %lld forecast %lld on hand %lld on order %lld safety %lld -> %lld",
	      la ? (long long)la->sold_28d : -1, la ? (long long)la->forecast : -1,
	      la ? (long long)la->on_hand : -1, la ? (long long)la->on_order : -1,
	      la ? (long long)la->safety : -1, la ? (long long)la->ordered : -1);
	CHECK(lb && lb->on_hand == 50 && lb->ordered == 0, "B: enough on hand, none");
	CHECK(r->purchase_order->po_id == 0 && r->purchase_order->store_id == s1 &&
	      r->purchase_order->total_minor == 28 * 300 && r->purchase_order->review_days == 7,
	      "a draft not stored, of S001, 84.00");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_purchase_suggest(mgr, code, s2, 0, &r) == KC_OK &&
	      is(r, ST(PERMISSION_DENIED), "STORE_NOT_YOURS"), "another store: %s", why(r, mgr));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_purchase_suggest(mgr, "NO-SUCH-SUPPLIER", 0, 0, &r) == KC_OK &&
	      is(r, ST(NOT_FOUND), "SUPPLIER_NOT_FOUND"), "unknown supplier: %s", why(r, mgr));
out:
	kc_response_free(r);
	kc_free(till);
	kc_free(mgr);
	kc_free(admin);
}

/* The report row of supplier code in r, or NULL. */
static const Kassa__V1__ReportRow *report_row(const Kassa__V1__Response *r, const char *code)
{
	const Kassa__V1__ReportTable *t = r ? r->report_table : NULL;

	for (size_t i = 0; t && i < t->n_rows; i++)
		if (t->rows[i]->n_cells == 7 && strcmp(t->rows[i]->cells[0], code) == 0)
			return t->rows[i];
	return NULL;
}

/*
 * Three orders of one supplier sent today (one of them moved 10 days back,
 * as if sent then, expected 3 days later): 10 ordered, 11 received (on
 * time, 0 days); 10 ordered, 5 received, closed short; 4 ordered, 4
 * received 10 days after sending (late). A fourth, cancelled, does not
 * count. By hand: 3 orders, 2 received, on time 1/3 = 3333 bp, fill
 * (10 + 5 + 4) / 24 = 7917 bp (the 11th unit is capped), lead (0 + 10) / 2
 * = 5.0 days.
 */
static void test_report(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	char a[64], code[64];
	const char *skus[1] = { a };
	int64_t cost[1] = { 100 }, pack[1] = { 1 }, po[4] = { 0 };
	int32_t lead[1] = { 3 };
	const int64_t want[4] = { 10, 10, 4, 2 }, got[4] = { 11, 5, 4, 0 };
	const Kassa__V1__ReportRow *row;

	if (!admin || !mgr || !fresh_product(h, "REP", a) ||
	    !make_supplier(h, admin, code, skus, cost, pack, lead, 1))
		goto out;
	for (int i = 0; i < 4; i++) {
		r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, &want[i], 1);
		po[i] = r && r->purchase_order ? r->purchase_order->po_id : 0;
		kc_response_free(r);
		r = po_put(mgr, ACT(SEND), po[i], NULL, 0, NULL, NULL, 0);
		if (!CHECK(state_is(r, "sent"), "order %d sent: %s", i, why(r, mgr)))
			goto out;
		kc_response_free(r);
		r = NULL;
	}
	it_sqlf(h, "UPDATE purchase_orders SET sent_on = sent_on - 10, expected_on = sent_on - 7"
		" WHERE po_id = %lld", (long long)po[2]);
	for (int i = 0; i < 3; i++) {
		r = receive(mgr, po[i], skus, &got[i], 1, false, NULL);
		CHECK(is(r, ST(OK), NULL), "order %d received: %s", i, why(r, mgr));
		kc_response_free(r);
	}
	r = po_put(mgr, ACT(CLOSE), po[1], NULL, 0, NULL, NULL, 0);
	kc_response_free(r);
	r = po_put(mgr, ACT(CANCEL), po[3], NULL, 0, NULL, NULL, 0);
	CHECK(state_is(r, "cancelled"), "order 3 cancelled");
	kc_response_free(r);
	r = NULL;
	if (!CHECK(kc_report_run(admin, "suppliers", "", "", 0, "", 0, &r) == KC_OK &&
		   is(r, ST(OK), NULL) && r->report_table, "report: %s", why(r, admin)))
		goto out;
	row = report_row(r, code);
	CHECK(row && strcmp(row->cells[2], "3") == 0 && strcmp(row->cells[3], "2") == 0 &&
	      strcmp(row->cells[4], "3333") == 0 && strcmp(row->cells[5], "7917") == 0 &&
	      strcmp(row->cells[6], "5.0") == 0,
	      "orders %s received %s on time %s fill %s lead %s", row ? row->cells[2] : "-",
	      row ? row->cells[3] : "-", row ? row->cells[4] : "-", row ? row->cells[5] : "-",
	      row ? row->cells[6] : "-");
	kc_response_free(r);
	r = NULL;
	/* the manager's own store sees the same row; S002's figures have none of it */
	CHECK(kc_report_run(mgr, "suppliers", "", "", 0, "", 0, &r) == KC_OK &&
	      report_row(r, code) != NULL, "the manager's report: %s", why(r, mgr));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_report_run(admin, "suppliers", "", "", it_sql_int(h, "SELECT store_id FROM"
			    " stores WHERE code = 'S002'"), "", 0, &r) == KC_OK &&
	      is(r, ST(OK), NULL) && report_row(r, code) == NULL, "S002: none of it");
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
}

/* Bad input to the supplier and order requests: refused, nothing written. */
static void test_refusals(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__SupplierPut sp = KASSA__V1__SUPPLIER_PUT__INIT;
	Kassa__V1__SupplierProductPut pp = KASSA__V1__SUPPLIER_PRODUCT_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t before = it_sql_int(h, "SELECT count(*) FROM suppliers");
	int64_t pos = it_sql_int(h, "SELECT count(*) FROM purchase_orders");
	char code[64], a[64];
	const char *skus[2] = { a, a };

	if (!admin || !mgr)
		goto out;
	sp.code = (char *)"bad code; DROP TABLE suppliers";
	sp.name = (char *)"x";
	CHECK(kc_supplier_put(admin, &sp, NULL, &r) == KC_OK &&
	      is(r, ST(INVALID_ARGUMENT), "BAD_SUPPLIER_CODE"), "bad code: %s", why(r, admin));
	kc_response_free(r);
	it_fresh_name("SUP", code);
	sp.code = code;
	sp.name = (char *)"";
	r = NULL;
	CHECK(kc_supplier_put(admin, &sp, NULL, &r) == KC_OK &&
	      is(r, ST(INVALID_ARGUMENT), "BAD_SUPPLIER"), "no name: %s", why(r, admin));
	kc_response_free(r);
	r = NULL;
	pp.supplier_code = code;
	pp.sku = (char *)"X";
	pp.lead_days = 3;
	CHECK(kc_supplier_product_put(admin, &pp, NULL, &r) == KC_OK &&
	      is(r, ST(NOT_FOUND), "SUPPLIER_NOT_FOUND"), "unknown supplier: %s", why(r, admin));
	kc_response_free(r);
	r = NULL;
	pp.cost_minor = -1;
	CHECK(kc_supplier_product_put(admin, &pp, NULL, &r) == KC_OK &&
	      is(r, ST(INVALID_ARGUMENT), "BAD_TERMS"), "negative cost: %s", why(r, admin));
	kc_response_free(r);
	r = NULL;
	if (!fresh_product(h, "REF", a))
		goto out;
	r = po_put(mgr, ACT(CREATE), 0, "NO-SUCH-SUPPLIER", 0, skus, (int64_t[]){ 1 }, 1);
	CHECK(is(r, ST(NOT_FOUND), "SUPPLIER_NOT_FOUND"), "order, unknown supplier: %s",
	      why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(CREATE), 0, "S", 0, skus, (int64_t[]){ 1, 2 }, 2);
	CHECK(is(r, ST(INVALID_ARGUMENT), "DUPLICATE_SKU"), "a SKU twice: %s", why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(CREATE), 0, "S", 0, skus, NULL, 0);
	CHECK(is(r, ST(INVALID_ARGUMENT), "BAD_LINES"), "no lines: %s", why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), 0, NULL, 0, NULL, NULL, 0);
	CHECK(is(r, ST(INVALID_ARGUMENT), "BAD_ORDER"), "send without id: %s", why(r, mgr));
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), 999999999, NULL, 0, NULL, NULL, 0);
	CHECK(is(r, ST(NOT_FOUND), "PO_NOT_FOUND"), "send unknown: %s", why(r, mgr));
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM suppliers") == before &&
	      it_sql_int(h, "SELECT count(*) FROM purchase_orders") == pos, "nothing written");
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
}

#define RACERS 8

typedef struct Racer {
	Harness *h;
	int64_t po;
	bool ok;			/* this one's receipt was taken */
	bool refused;			/* refused PO_STATE (another took it first) */
} Racer;

static void *race(void *arg)
{
	Racer *x = arg;
	KassaClient *kc = it_login(x->h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = kc ? receive(kc, x->po, NULL, NULL, 0, true, NULL) : NULL;

	x->ok = state_is(r, "received");
	x->refused = is(r, ST(FAILED_PRECONDITION), "PO_STATE");
	kc_response_free(r);
	kc_free(kc);
	return NULL;
}

/*
 * RACERS managers' threads receive "everything outstanding" of one order of
 * 10 at once: exactly one receipt is taken, the others are refused, the
 * stock is 10 (the ledger equal) - never 10 per thread.
 */
static void test_concurrent_receipts(Harness *h)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	char a[64], code[64];
	const char *skus[1] = { a };
	int64_t cost[1] = { 100 }, pack[1] = { 1 }, po;
	int32_t lead[1] = { 1 };
	Racer x[RACERS];
	pthread_t t[RACERS];
	int ok = 0, refused = 0;

	if (!admin || !mgr || !fresh_product(h, "RACE", a) ||
	    !make_supplier(h, admin, code, skus, cost, pack, lead, 1))
		goto out;
	r = po_put(mgr, ACT(CREATE), 0, code, 0, skus, (int64_t[]){ 10 }, 1);
	po = r && r->purchase_order ? r->purchase_order->po_id : 0;
	kc_response_free(r);
	r = po_put(mgr, ACT(SEND), po, NULL, 0, NULL, NULL, 0);
	if (!CHECK(state_is(r, "sent"), "sent: %s", why(r, mgr)))
		goto out;
	for (int i = 0; i < RACERS; i++) {
		x[i] = (Racer){ h, po, false, false };
		if (!CHECK(pthread_create(&t[i], NULL, race, &x[i]) == 0, "thread %d", i))
			x[i].h = NULL;
	}
	for (int i = 0; i < RACERS; i++) {
		if (x[i].h == NULL)
			continue;
		pthread_join(t[i], NULL);
		ok += x[i].ok;
		refused += x[i].refused;
	}
	CHECK(ok == 1 && refused == RACERS - 1, "%d receipts taken, %d refused", ok, refused);
	CHECK(on_hand(h, "S001", a) == 10 && ledger(h, "S001", a) == 10 &&
	      it_sql_int(h, "SELECT count(*) FROM goods_receipts WHERE po_id = %lld",
			 (long long)po) == 1, "one receipt, stock 10 = ledger");
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
}

static const HarnessTest tests[] = {
	{ "receiving", test_receiving },
	{ "short_and_cancel", test_short_and_cancel },
	{ "suggest", test_suggest },
	{ "report", test_report },
	{ "refusals", test_refusals },
	{ "concurrent_receipts", test_concurrent_receipts },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

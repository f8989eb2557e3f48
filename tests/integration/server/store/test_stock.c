/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stock: stock per store as a ledger (docs/store/stock.md), against a
 * real kassad and PostgreSQL over TLS. Guards: concurrent sales from both
 * tills of S001 and refunds leave on_hand = initial - sold + refunded at
 * once, and the sum of the product's moves once kassad has folded the
 * sales into the ledger (stock_pending, [stock] fold_interval_ms); 8 threads selling across a safety level raise
 * exactly one alert (and one stock.low event), and a second crossing only
 * after the level rose again; a store that keeps no negative stock refuses
 * a sale that would go below zero OUT_OF_STOCK and writes nothing of it,
 * while an offline sale replayed later is never refused; StockAdjust is
 * exactly once per key, audited, refuses bad input without writing, and
 * is refused to cashiers; products not stocked stay out of the ledger; a
 * stock.low event reaches a file endpoint subscribed to stock.*.
 *
 * It changes S001's negative_stock for a while: registered RUN_SERIAL.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "kc_req.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define THREADS 8
#define SALES_PER_THREAD 12
#define PRICE 100

static int64_t store_s001(Harness *h)
{
	return it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
}

/* A fresh product (stocked unless not), its SKU into sku; its id or 0. */
static int64_t fresh_product(Harness *h, const char *prefix, bool stocked, char sku[64])
{
	it_fresh_name(prefix, sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor, stocked)"
		     " VALUES ('%s', '%s', %d, %s)", sku, prefix, PRICE, stocked ? "true" : "false"))
		return 0;
	return it_sql_int(h, "SELECT product_id FROM products WHERE sku = '%s'", sku);
}

/* One cash sale of qty x sku by kc: the response (caller frees), NULL on a transport failure. */
static Kassa__V1__Response *sell(KassaClient *kc, const char *sku, int qty, bool offline)
{
	KcLine line = { sku, qty, false };
	KcTender t = { CASH, (int64_t)qty * PRICE, NULL };
	KcSale s = { &line, 1, 0, &t, 1, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	char key[64], at[32];
	time_t past = time(NULL) - 120;
	KcReq rq;

	it_fresh_name("stock-sale", key);
	kc_req_checkout(&rq, &s, key, false);
	if (offline) {
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&past));
		rq.req.checkout->offline = true;
		rq.req.checkout->sold_at = at;
	}
	if (kc_call(kc, &rq.req, &r) != KC_OK) {
		kc_response_free(r);
		r = NULL;
	}
	kc_req_done(&rq);
	return r;
}

/* StockAdjust by kc; the status, and the response's level into *lv (if OK). */
static Kassa__V1__StatusCode adjust(KassaClient *kc, const char *sku, int64_t qty,
				    const char *reason, bool set, int64_t level, const char *key,
				    Kassa__V1__StockLevel *lv)
{
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__UNKNOWN;

	if (kc_stock_adjust(kc, 0, sku, qty, reason, set, level, key, &r) == KC_OK && r != NULL) {
		st = kc_status(r);
		if (st == ST_OK && r->stock_level != NULL && lv != NULL) {
			*lv = *r->stock_level;
			lv->sku = NULL;		/* it dies with r */
		}
		if (st != ST_OK)
			fprintf(stderr, "# adjust %s: %s\n", sku, kc_detail(r));
	}
	kc_response_free(r);
	return st;
}

/* The stock on hand as every reader sees it: the level and the sales not yet folded. */
static int64_t on_hand(Harness *h, int64_t store, int64_t pid)
{
	return it_sql_int(h, "SELECT coalesce((SELECT on_hand FROM kassa_stock_on_hand WHERE store_id = %lld"
			  " AND product_id = %lld), 0)", (long long)store, (long long)pid);
}

/* The level row alone (what the ledger's sum must equal once folded). */
static int64_t level_row(Harness *h, int64_t store, int64_t pid)
{
	return it_sql_int(h, "SELECT coalesce((SELECT on_hand FROM stock_levels WHERE store_id = %lld"
			  " AND product_id = %lld), 0)", (long long)store, (long long)pid);
}

static int64_t moves_sum(Harness *h, int64_t store, int64_t pid)
{
	return it_sql_int(h, "SELECT coalesce(sum(quantity), 0) FROM stock_moves WHERE store_id = %lld"
			  " AND product_id = %lld", (long long)store, (long long)pid);
}

/* ---- concurrent sales and refunds ---------------------------------------- */

typedef struct Seller {
	Harness *h;
	int id;
	const char *sku;
	int qty;			/* units per sale */
	int sales;			/* sales to make */
	bool refund_some;		/* refund every third sale */
	int sold, refunded, failed;	/* units sold, units refunded, unexpected answers */
} Seller;

static void *seller_run(void *arg)
{
	Seller *w = arg;
	KassaClient *kc = it_login(w->h, w->id % 2 ? "S001-T2" : "S001-T1", 1001, "1234");

	if (kc == NULL) {
		w->failed++;
		return NULL;
	}
	for (int i = 0; i < w->sales; i++) {
		Kassa__V1__Response *r = sell(kc, w->sku, w->qty, false), *rf = NULL;
		char key[64];

		if (r == NULL || kc_status(r) != ST_OK || r->transaction == NULL) {
			w->failed++;
			kc_response_free(r);
			continue;
		}
		w->sold += w->qty;
		it_fresh_name("stock-refund", key);
		if (w->refund_some && i % 3 == 0) {
			if (kc_refund(kc, r->transaction->txn_id, NULL, 0, 0, NULL, "test", key, &rf) ==
				    KC_OK && rf != NULL && kc_status(rf) == ST_OK)
				w->refunded += w->qty;
			else
				w->failed++;
			kc_response_free(rf);
		}
		kc_response_free(r);
	}
	kc_free(kc);
	return NULL;
}

/* Run n sellers of sku at once; totals into *sold, *refunded; false if any failed. */
static bool sell_at_once(Harness *h, const char *sku, int n, int sales, int qty, bool refunds,
			 int *sold, int *refunded)
{
	Seller w[THREADS];
	pthread_t t[THREADS];
	int failed = 0;

	*sold = *refunded = 0;
	for (int i = 0; i < n; i++) {
		w[i] = (Seller){ h, i, sku, qty, sales, refunds, 0, 0, 0 };
		if (pthread_create(&t[i], NULL, seller_run, &w[i]) != 0)
			return CHECK(false, "pthread_create");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		*sold += w[i].sold;
		*refunded += w[i].refunded;
		failed += w[i].failed;
	}
	return CHECK(failed == 0, "%d sales or refunds failed", failed);
}

/* Guards: the ledger and the level stay equal under concurrent sales from two tills and refunds. */
static void test_ledger_concurrent(Harness *h)
{
	char sku[64];
	int64_t store = store_s001(h), pid = fresh_product(h, "STK-LEDGER", true, sku);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	int sold, refunded;

	if (!CHECK(pid > 0 && mgr != NULL, "set-up"))
		goto done;
	if (!CHECK(adjust(mgr, sku, 1000, "opening stock", false, 0, NULL, NULL) == ST_OK,
		   "opening stock"))
		goto done;
	sell_at_once(h, sku, THREADS, SALES_PER_THREAD, 2, true, &sold, &refunded);
	CHECK(sold == THREADS * SALES_PER_THREAD * 2 && refunded > 0, "sold %d refunded %d", sold,
	      refunded);
	CHECK(on_hand(h, store, pid) == 1000 - sold + refunded, "on_hand %lld = 1000 - %d + %d",
	      (long long)on_hand(h, store, pid), sold, refunded);
	it_stock_folded(h, 10);
	CHECK(on_hand(h, store, pid) == 1000 - sold + refunded, "folded: still %lld",
	      (long long)on_hand(h, store, pid));
	CHECK(moves_sum(h, store, pid) == on_hand(h, store, pid) &&
		      level_row(h, store, pid) == on_hand(h, store, pid), "sum of moves = on_hand");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_moves WHERE product_id = %lld AND kind = 'sale'",
			 (long long)pid) == THREADS * SALES_PER_THREAD, "one sale move per sale");
	CHECK(it_sql_int(h, "SELECT -coalesce(sum(quantity), 0) FROM stock_moves WHERE product_id = %lld"
			 " AND kind = 'sale'", (long long)pid) ==
		      it_sql_int(h, "SELECT coalesce(sum(l.quantity), 0) FROM transaction_lines l"
				 " WHERE l.product_id = %lld", (long long)pid),
	      "the sale moves are the lines sold");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_moves m WHERE product_id = %lld AND"
			 " on_hand_after <> (SELECT sum(x.quantity) FROM stock_moves x WHERE"
			 " x.store_id = m.store_id AND x.product_id = m.product_id AND"
			 " x.move_id <= m.move_id)", (long long)pid) == 0,
	      "every move's on_hand_after is the running sum of the ledger");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_levels s WHERE on_hand <>"
			 " (SELECT coalesce(sum(quantity), 0) FROM stock_moves m WHERE"
			 " m.store_id = s.store_id AND m.product_id = s.product_id)") == 0,
	      "base-wide: no level differs from its ledger");
done:
	kc_free(mgr);
}

/* One statement on pg; true if it returned a result of status want. */
static bool pg_ok(PGconn *pg, const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(pg, sql);
	bool ok = PQresultStatus(res) == want;

	if (!ok)
		fprintf(stderr, "# %s: %s", sql, PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

/*
 * Guards: a sale does not wait for its product's level row. Another
 * session holds the row locked (as a long goods receipt would); sales of
 * the product still complete, on_hand counts them at once, and the ledger
 * has them once the lock is gone and the fold has run.
 */
static void test_hot_row(Harness *h)
{
	char sku[64], sql[256];
	int64_t store = store_s001(h), pid = fresh_product(h, "STK-HOT", true, sku);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999"), *kc = it_cashier(h);
	PGconn *holder = PQconnectdb(h->conninfo);
	int ok = 0;

	if (!CHECK(pid > 0 && mgr && kc && PQstatus(holder) == CONNECTION_OK, "set-up") ||
	    !CHECK(adjust(mgr, sku, 50, "opening stock", false, 0, NULL, NULL) == ST_OK, "stock 50"))
		goto done;
	snprintf(sql, sizeof(sql), "SELECT 1 FROM stock_levels WHERE store_id = %lld AND"
		 " product_id = %lld FOR UPDATE", (long long)store, (long long)pid);
	if (!CHECK(pg_ok(holder, "BEGIN", PGRES_COMMAND_OK) && pg_ok(holder, sql, PGRES_TUPLES_OK),
		   "the level row locked by another session"))
		goto done;
	for (int i = 0; i < 5; i++) {
		Kassa__V1__Response *r = sell(kc, sku, 2, false);

		ok += r && kc_status(r) == ST_OK;
		kc_response_free(r);
	}
	CHECK(ok == 5, "5 of 5 sales completed while the row was locked: %d", ok);
	CHECK(on_hand(h, store, pid) == 40, "on_hand 40 at once: %lld",
	      (long long)on_hand(h, store, pid));
	CHECK(level_row(h, store, pid) == 50, "the locked level itself not yet moved");
	pg_ok(holder, "ROLLBACK", PGRES_COMMAND_OK);
	it_stock_folded(h, 10);
	CHECK(level_row(h, store, pid) == 40 && moves_sum(h, store, pid) == 40 &&
		      it_sql_int(h, "SELECT count(*) FROM stock_moves WHERE product_id = %lld AND"
				 " kind = 'sale' AND quantity = -2", (long long)pid) == 5,
	      "folded: five sale moves, the level = the ledger = 40");
done:
	PQfinish(holder);
	kc_free(kc);
	kc_free(mgr);
}

/* ---- alerts -------------------------------------------------------------- */

static int64_t alerts_of(Harness *h, int64_t pid, const char *where)
{
	return it_sql_int(h, "SELECT count(*) FROM stock_alerts WHERE product_id = %lld%s",
			  (long long)pid, where);
}

static int64_t events_of(Harness *h, int64_t pid)
{
	return it_sql_int(h, "SELECT count(*) FROM events WHERE type = 'stock.low' AND member_id = 0"
			  " AND (data->>'product_id')::bigint = %lld", (long long)pid);
}

/* Guards: 8 threads selling across the safety level raise exactly one alert; again only after a rise. */
static void test_alert_once(Harness *h)
{
	char sku[64];
	int64_t pid = fresh_product(h, "STK-ALERT", true, sku);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StockLevel lv;
	int sold, refunded;

	if (!CHECK(pid > 0 && mgr != NULL, "set-up"))
		goto done;
	CHECK(adjust(mgr, sku, 100, "opening stock", true, 90, NULL, &lv) == ST_OK &&
		      lv.on_hand == 100 && lv.safety_level == 90 && !lv.below_safety,
	      "opening stock 100, safety 90");
	CHECK(alerts_of(h, pid, "") == 0, "no alert at 100");
	/* 8 x 2 = 16 units: 100 -> 84 crosses 90 once, whichever sale it is */
	sell_at_once(h, sku, THREADS, 1, 2, false, &sold, &refunded);
	CHECK(sold == 16, "sold %d", sold);
	it_stock_folded(h, 10);		/* a sale's alert is raised by the fold */
	CHECK(alerts_of(h, pid, "") == 1, "exactly one alert: %lld", (long long)alerts_of(h, pid, ""));
	CHECK(alerts_of(h, pid, " AND cleared_at IS NULL AND on_hand BETWEEN 84 AND 89"
			" AND safety_level = 90") == 1, "open, with the level that crossed");
	CHECK(events_of(h, pid) == 1, "one stock.low event");
	/* more sales below the level: no new alert */
	sell_at_once(h, sku, 2, 1, 1, false, &sold, &refunded);
	it_stock_folded(h, 10);
	CHECK(alerts_of(h, pid, "") == 1, "still one alert below the level");
	if (CHECK(kc_stock_alerts(mgr, 0, false, 0, &r) == KC_OK && r && kc_status(r) == ST_OK &&
			  r->stock_alert_page, "StockAlertList")) {
		bool seen = false;

		for (size_t i = 0; i < r->stock_alert_page->n_alerts; i++)
			seen = seen || (r->stock_alert_page->alerts[i]->product_id == pid &&
					r->stock_alert_page->alerts[i]->cleared_at[0] == '\0');
		CHECK(seen, "the open alert is listed for the store");
	}
	kc_response_free(r);
	r = NULL;
	/* back above the level clears it; crossing again raises a second one */
	CHECK(adjust(mgr, sku, 30, "delivery counted", false, 0, NULL, &lv) == ST_OK &&
		      lv.on_hand == 112, "back to 112");
	CHECK(alerts_of(h, pid, " AND cleared_at IS NULL") == 0, "the alert cleared");
	sell_at_once(h, sku, THREADS, 1, 3, false, &sold, &refunded);
	it_stock_folded(h, 10);
	CHECK(alerts_of(h, pid, "") == 2 && alerts_of(h, pid, " AND cleared_at IS NULL") == 1,
	      "a second crossing raised a second alert");
	CHECK(events_of(h, pid) == 2, "two stock.low events");
	/* a safety level above the stock raises one at once; 0 clears it */
	CHECK(adjust(mgr, sku, 20, "found in back room", false, 0, NULL, &lv) == ST_OK, "refill");
	CHECK(adjust(mgr, sku, 0, "", true, 500, NULL, &lv) == ST_OK && lv.below_safety,
	      "safety 500 above the stock");
	CHECK(alerts_of(h, pid, " AND cleared_at IS NULL AND safety_level = 500") == 1,
	      "setting the level raised its alert");
	CHECK(adjust(mgr, sku, 0, "", true, 0, NULL, &lv) == ST_OK && !lv.below_safety, "safety 0");
	CHECK(alerts_of(h, pid, " AND cleared_at IS NULL") == 0, "safety 0 cleared it");
done:
	kc_free(mgr);
}

/* ---- negative stock ------------------------------------------------------ */

/* Guards: no negative stock when configured (nothing of the sale written); offline replay passes. */
static void test_negative_refused(Harness *h)
{
	char sku[64];
	int64_t store = store_s001(h), pid = fresh_product(h, "STK-NEG", true, sku);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999"), *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	ItCounts before, after;
	int64_t moves;

	if (!CHECK(pid > 0 && mgr != NULL && kc != NULL, "set-up"))
		goto done;
	CHECK(adjust(mgr, sku, 2, "opening stock", false, 0, NULL, NULL) == ST_OK, "stock 2");
	it_stock_folded(h, 10);		/* earlier tests' sales: the move count below is exact */
	if (!it_sqlf(h, "UPDATE stores SET negative_stock = false WHERE store_id = %lld",
		     (long long)store))
		goto done;
	before = it_counts(h);
	moves = it_sql_int(h, "SELECT count(*) FROM stock_moves");
	r = sell(kc, sku, 3, false);
	CHECK(r && kc_status(r) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
		      strcmp(kc_detail(r), "OUT_OF_STOCK") == 0,
	      "3 of 2 refused OUT_OF_STOCK: %s", r ? kc_detail(r) : "no answer");
	CHECK(r && r->status && r->status->message && r->status->message[0] != '\0',
	      "with a message for the cashier");
	kc_response_free(r);
	after = it_counts(h);
	CHECK(it_same_counts(before, after), "nothing of the sale written");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_moves") == moves && on_hand(h, store, pid) == 2,
	      "no move, the level unchanged");
	CHECK(adjust(mgr, sku, -3, "broken", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__FAILED_PRECONDITION && on_hand(h, store, pid) == 2,
	      "an adjustment below zero refused too");
	r = sell(kc, sku, 2, false);
	CHECK(r && kc_status(r) == ST_OK && on_hand(h, store, pid) == 0, "2 of 2 sold");
	kc_response_free(r);
	/* the shelf had one the system did not know of, sold while offline */
	r = sell(kc, sku, 1, true);
	CHECK(r && kc_status(r) == ST_OK, "the offline sale is recorded: %s",
	      r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	CHECK(on_hand(h, store, pid) == -1 && moves_sum(h, store, pid) == -1,
	      "and its stock went to -1");
done:
	it_sqlf(h, "UPDATE stores SET negative_stock = true WHERE store_id = %lld", (long long)store);
	kc_free(kc);
	kc_free(mgr);
}

/* ---- StockAdjust --------------------------------------------------------- */

/* Guards: StockAdjust is exactly once, audited, checked, manager-only; services stay out. */
static void test_adjust(Harness *h)
{
	char sku[64], svc[64], key[64];
	int64_t store = store_s001(h), pid = fresh_product(h, "STK-ADJ", true, sku);
	int64_t spid = fresh_product(h, "STK-SVC", false, svc);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999"), *kc = it_cashier(h);
	Kassa__V1__StockLevel a, b;
	Kassa__V1__Response *r = NULL;
	int64_t audits;

	if (!CHECK(pid > 0 && spid > 0 && mgr != NULL && kc != NULL, "set-up"))
		goto done;
	audits = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'stock.adjust'");
	it_fresh_name("stock-adj", key);
	CHECK(adjust(mgr, sku, 7, "received without order", false, 0, key, &a) == ST_OK &&
		      a.on_hand == 7 && a.move_id > 0, "adjusted +7");
	CHECK(adjust(mgr, sku, 7, "received without order", false, 0, key, &b) == ST_OK &&
		      b.on_hand == 7 && b.move_id == a.move_id, "a retry answers the same move");
	CHECK(on_hand(h, store, pid) == 7 && moves_sum(h, store, pid) == 7, "applied once");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'stock.adjust'") ==
		      audits + 1, "audited once");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'stock.adjust' AND"
			 " detail->>'reason' = 'received without order' AND"
			 " (detail->>'product_id')::bigint = %lld", (long long)pid) == 1,
	      "with the reason");
	CHECK(adjust(mgr, sku, 5, "", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "no reason refused");
	CHECK(adjust(mgr, sku, 5, "bad\nreason", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "a reason on two lines refused");
	CHECK(adjust(mgr, sku, 2000000, "many", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "too many refused");
	CHECK(adjust(mgr, sku, 0, "", true, -1, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "a negative safety level refused");
	CHECK(adjust(mgr, "NO-SUCH-SKU-X", 1, "x", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__NOT_FOUND, "an unknown product NOT_FOUND");
	CHECK(adjust(mgr, svc, 1, "x", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "a service has no stock");
	CHECK(adjust(kc, sku, 1, "cashier", false, 0, NULL, NULL) ==
		      KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "a cashier may not adjust");
	CHECK(on_hand(h, store, pid) == 7 && moves_sum(h, store, pid) == 7,
	      "the refusals changed nothing");
	/* a service sold: no level, no move */
	r = sell(kc, svc, 1, false);
	CHECK(r && kc_status(r) == ST_OK, "service sold");
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_moves WHERE product_id = %lld",
			 (long long)spid) == 0 &&
		      it_sql_int(h, "SELECT count(*) FROM stock_levels WHERE product_id = %lld",
				 (long long)spid) == 0, "not stocked: out of the ledger");
	/* the ledger and the list as a till sees them */
	r = NULL;
	if (CHECK(kc_stock_moves(mgr, 0, sku, 0, 0, &r) == KC_OK && r && kc_status(r) == ST_OK &&
			  r->stock_move_page, "StockMoves"))
		CHECK(r->stock_move_page->n_moves == 1 &&
			      strcmp(r->stock_move_page->moves[0]->kind, "adjust") == 0 &&
			      r->stock_move_page->moves[0]->quantity == 7, "one adjust move of 7");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_stock_list(kc, 0, false, "", pid - 1, 1, &r) == KC_OK && r &&
			  kc_status(r) == ST_OK && r->stock_page, "StockList"))
		CHECK(r->stock_page->n_items == 1 && r->stock_page->items[0]->product_id == pid &&
			      r->stock_page->items[0]->on_hand == 7 &&
			      strcmp(r->stock_page->items[0]->mover_class, "none") == 0,
		      "listed with on_hand 7, no sales: class none");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_stock_list(kc, 999999, false, "", 0, 0, &r) == KC_OK && r &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "a till sees only its own store");
	kc_response_free(r);
done:
	kc_free(kc);
	kc_free(mgr);
}

/* Guards: mover classes follow the units sold in the last 28 days. */
static void test_movers(Harness *h)
{
	char fast[64], slow[64];
	int64_t pf = fresh_product(h, "STK-FAST", true, fast);
	int64_t ps = fresh_product(h, "STK-SLOW", true, slow);
	KassaClient *kc = it_cashier(h), *admin = NULL;
	Kassa__V1__Response *r = NULL;
	int n_fast = 0;

	if (!CHECK(pf > 0 && ps > 0 && kc != NULL, "set-up"))
		goto done;
	r = sell(kc, fast, 30, false);
	CHECK(r && kc_status(r) == ST_OK, "30 sold");
	kc_response_free(r);
	r = sell(kc, slow, 1, false);
	CHECK(r && kc_status(r) == ST_OK, "1 sold");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_stock_list(kc, 0, false, "fast", pf - 1, 500, &r) == KC_OK && r &&
			  kc_status(r) == ST_OK && r->stock_page, "StockList class=fast")) {
		for (size_t i = 0; i < r->stock_page->n_items; i++) {
			CHECK(strcmp(r->stock_page->items[i]->mover_class, "fast") == 0, "only fast");
			n_fast += r->stock_page->items[i]->product_id == pf;
			CHECK(r->stock_page->items[i]->product_id != ps, "the slow one is not fast");
		}
		CHECK(n_fast == 1, "the fast mover is listed");
	}
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM kassa_stock_list(%lld, false, 'slow', %lld, 1, 28)"
			 " WHERE product_id = %lld AND sold = 1", (long long)store_s001(h),
			 (long long)ps - 1, (long long)ps) == 1, "1 in 28 days is slow");
	/* the "movers" report reads the daily aggregates the analytics job writes */
	admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	r = NULL;
	CHECK(admin && kc_analytics_run(admin, false, false, NULL, &r) == KC_OK && r &&
		      kc_status(r) == ST_OK, "analytics run");
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM kassa_report_movers(current_date - 28,"
			 " current_date + 1, %lld, NULL, 0) WHERE sku = '%s' AND units = 30 AND"
			 " mover_class = 'fast' AND per_day = '1.00'", (long long)store_s001(h),
			 fast) == 1, "the movers report: 30 in 30 days is fast");
	CHECK(it_sql_int(h, "SELECT count(*) FROM kassa_report_movers(current_date - 28,"
			 " current_date + 1, %lld, NULL, 0) WHERE sku = '%s' AND units = 1 AND"
			 " mover_class = 'slow'", (long long)store_s001(h), slow) == 1,
	      "the movers report: 1 in 30 days is slow");
done:
	kc_free(admin);
	kc_free(kc);
}

/* Guards: a stock.low event reaches a file endpoint subscribed to stock.* through the outbox. */
static void test_alert_delivered(Harness *h)
{
	char sku[64], ep[64], path[HARNESS_PATH_LEN + 96], line[4096];
	int64_t pid = fresh_product(h, "STK-OUTBOX", true, sku);
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__StockLevel lv;
	bool found = false;
	FILE *f;

	snprintf(ep, sizeof(ep), "stock%lld", (long long)(time(NULL) % 100000000) * 10 + getpid() % 10);
	if (!CHECK(pid > 0 && mgr != NULL, "set-up") ||
	    !it_sqlf(h, "INSERT INTO endpoints (name, kind, file, events)"
		     " VALUES ('%s', 'file', '%s.jsonl', '{stock.*}')", ep, ep))
		goto done;
	CHECK(adjust(mgr, sku, 10, "opening stock", true, 5, NULL, &lv) == ST_OK, "stock 10, safety 5");
	CHECK(adjust(mgr, sku, -6, "damaged", false, 0, NULL, &lv) == ST_OK && lv.below_safety,
	      "down to 4: below 5");
	/* the feed job runs on kassad's timer, the sender after it: wait for them, bounded */
	for (int i = 0; i < 300 && !found; i++) {
		found = it_sql_int(h, "SELECT count(*) FROM outbox o JOIN events e ON e.seq = o.event_seq"
				   " WHERE o.endpoint = '%s' AND o.state = 'sent' AND"
				   " e.type = 'stock.low' AND (e.data->>'product_id')::bigint = %lld",
				   ep, (long long)pid) == 1;
		if (!found)
			usleep(100 * 1000);
	}
	CHECK(found, "the alert's outbox row was sent");
	snprintf(path, sizeof(path), "%s/outbox/%s.jsonl", h->env, ep);
	found = false;
	if (CHECK((f = fopen(path, "r")) != NULL, "the endpoint's file %s", path)) {
		while (fgets(line, sizeof(line), f) != NULL)
			found = found || (strstr(line, "stock.low") != NULL && strstr(line, sku) != NULL);
		fclose(f);
	}
	CHECK(found, "the file holds the stock.low event of the product");
done:
	it_sqlf(h, "UPDATE endpoints SET active = false WHERE name = '%s'", ep);
	kc_free(mgr);
}

static const HarnessTest tests[] = {
	{ "ledger_concurrent", test_ledger_concurrent },
	{ "hot_row", test_hot_row },
	{ "alert_once", test_alert_once },
	{ "negative_refused", test_negative_refused },
	{ "adjust", test_adjust },
	{ "movers", test_movers },
	{ "alert_delivered", test_alert_delivered },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

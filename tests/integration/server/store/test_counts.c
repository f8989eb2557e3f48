/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_counts: stock count sessions and transfers between stores
 * (docs/store/counts.md), against a real kassad and PostgreSQL over TLS.
 * Guards: a count scanned at S001-T1 while another till sells (a thread
 * selling one product during the scans, and a sale of another right after
 * its scan) posts counted - expected, expected being on_hand at the first
 * scan, so on_hand after = counted - what was sold since, and on_hand =
 * sum of the ledger; uncounted products of a "zero" session go to 0;
 * posting again with the same key answers the same and moves nothing,
 * with another key it is COUNT_CLOSED; bad codes, negative quantities, a
 * product outside the scope and a cashier's post are refused and change
 * nothing; one open session per store and scope. A transfer S001 -> S002
 * takes the stock out at S001 at once, is listed as sent (in transit)
 * with nothing yet at S002, and received short puts what arrived in at
 * S002 with the discrepancy recorded; receiving twice, at the wrong
 * store, to the same store, quantities <= 0 and unknown products are
 * refused without writing. Every change is in the audit log.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_counts.h"
#include "kc_req.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define PRICE 100
#define THREAD_SALES 10
#define STORE_MANAGER 2801		/* a manager of S001, made here */

static int64_t store_id(Harness *h, const char *code)
{
	return it_sql_int(h, "SELECT store_id FROM stores WHERE code = '%s'", code);
}

/* A fresh stocked product with a barcode; on_hand qty at store s (if qty). */
static int64_t fresh_product(Harness *h, const char *prefix, int64_t s, int64_t qty, char sku[64])
{
	int64_t pid;

	it_fresh_name(prefix, sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, barcode, name, category, price_minor)"
		     " VALUES ('%s', 'BC-%s', '盘点 %s', 'counts-test', %d)", sku, sku, prefix, PRICE))
		return 0;
	pid = it_sql_int(h, "SELECT product_id FROM products WHERE sku = '%s'", sku);
	if (qty != 0 && !it_sqlf(h, "SELECT kassa_stock_moves(%lld, 'adjust', 0, 0, ARRAY[%lld]::bigint[],"
				 " ARRAY[%lld]::bigint[])", (long long)s, (long long)pid, (long long)qty))
		return 0;
	return pid;
}

/* The stock on hand: the level and the sales not yet folded into the ledger. */
static int64_t on_hand(Harness *h, int64_t s, int64_t pid)
{
	return it_sql_int(h, "SELECT coalesce((SELECT on_hand FROM kassa_stock_on_hand WHERE store_id = %lld"
			  " AND product_id = %lld), 0)", (long long)s, (long long)pid);
}

static int64_t ledger(Harness *h, int64_t s, int64_t pid)
{
	return it_sql_int(h, "SELECT coalesce(sum(quantity), 0) FROM stock_moves WHERE store_id = %lld"
			  " AND product_id = %lld", (long long)s, (long long)pid);
}

static int64_t moves_of(Harness *h, const char *kind, int64_t ref)
{
	return it_sql_int(h, "SELECT count(*) FROM stock_moves WHERE kind = '%s' AND ref_id = %lld",
			  kind, (long long)ref);
}

static int64_t audits(Harness *h, const char *action, const char *subject, int64_t id)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = '%s' AND subject = '%s:%lld'",
			  action, subject, (long long)id);
}

/* Send r by kc: the response (caller frees; NULL on a transport failure). */
static Kassa__V1__Response *send_req(KassaClient *kc, KcCountReq *r)
{
	Kassa__V1__Response *resp = NULL;

	if (kc_call(kc, &r->req, &resp) != KC_OK) {
		kc_response_free(resp);
		return NULL;
	}
	return resp;
}

/* The status of r by kc (its detail into detail), the response freed. */
static Kassa__V1__StatusCode status_of(KassaClient *kc, KcCountReq *r, char detail[64])
{
	Kassa__V1__Response *resp = send_req(kc, r);
	Kassa__V1__StatusCode st = resp != NULL ? kc_status(resp) : KASSA__V1__STATUS_CODE__UNKNOWN;

	snprintf(detail, 64, "%s", resp != NULL ? kc_detail(resp) : "no answer");
	kc_response_free(resp);
	return st;
}

static Kassa__V1__StatusCode scan(KassaClient *kc, int64_t id, const char *code, int64_t qty,
				  bool set, char detail[64])
{
	KcCountReq r;

	kc_count_req_init(&r);
	kc_count_req_scan(&r, id, code, qty, set, NULL);
	return status_of(kc, &r, detail);
}

/* The session's line of product pid, or NULL. */
static const Kassa__V1__CountSessionLine *line_of(const Kassa__V1__CountSession *s, int64_t pid)
{
	for (size_t i = 0; i < s->n_lines; i++)
		if (s->lines[i]->product_id == pid)
			return s->lines[i];
	return NULL;
}

static bool sell(KassaClient *kc, const char *sku, int qty)
{
	KcLine line = { sku, qty, false };
	KcTender t = { CASH, (int64_t)qty * PRICE, NULL };
	KcSale s = { &line, 1, 0, &t, 1, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	char key[64];
	bool ok;

	it_fresh_name("count-sale", key);
	ok = kc_checkout(kc, &s, key, false, &r) == KC_OK && r != NULL && kc_status(r) == ST_OK;
	kc_response_free(r);
	return ok;
}

typedef struct Seller {
	Harness *h;
	const char *sku;
	int sold, failed;
} Seller;

static void *seller_run(void *arg)
{
	Seller *w = arg;
	KassaClient *kc = it_login(w->h, "S001-T2", 1001, "1234");

	for (int i = 0; kc != NULL && i < THREAD_SALES; i++) {
		if (sell(kc, w->sku, 1))
			w->sold++;
		else
			w->failed++;
	}
	if (kc == NULL)
		w->failed++;
	kc_free(kc);
	return NULL;
}

/* ---- a count with concurrent sales ---------------------------------------- */

/* Bad scans and a cashier's post are refused and change nothing. */
static void count_refusals(Harness *h, KassaClient *kc, int64_t id, const char *a, int64_t pa)
{
	int64_t before;
	KcCountReq r;
	char d[64];

	before = it_sql_int(h, "SELECT count(*) FROM count_lines WHERE count_id = %lld", (long long)id);
	CHECK(scan(kc, id, "NO-SUCH-SKU", 1, false, d) == KASSA__V1__STATUS_CODE__NOT_FOUND,
	      "unknown code: %s", d);
	CHECK(scan(kc, id, a, -2, false, d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
	      "negative quantity: %s", d);
	CHECK(scan(kc, id, a, 0, false, d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
	      "a scan of 0: %s", d);
	CHECK(scan(kc, id, "SKU-APPLE", 1, false, d) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
	      strcmp(d, "NOT_IN_COUNT") == 0, "outside the scope: %s", d);
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_lines WHERE count_id = %lld", (long long)id) ==
	      before && it_sql_int(h, "SELECT counted FROM count_lines WHERE count_id = %lld AND "
				    "product_id = %lld", (long long)id, (long long)pa) == 6,
	      "refused scans changed nothing");
	kc_count_req_init(&r);
	kc_count_req_post(&r, id, false, NULL);
	CHECK(status_of(kc, &r, d) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "cashier post: %s", d);
}

/*
 * The variance shown before posting: A counted 6, B corrected to 9
 * (expected 10); A's expected quantity (-1 on failure).
 */
static int64_t count_expected(KassaClient *kc, int64_t id, int64_t pa, int64_t pb)
{
	const Kassa__V1__CountSessionLine *la, *lb;
	Kassa__V1__Response *resp;
	KcCountReq r;
	int64_t ea;

	kc_count_req_init(&r);
	kc_count_req_get(&r, id);
	resp = send_req(kc, &r);
	if (!CHECK(resp && kc_status(resp) == ST_OK && resp->count_session, "get")) {
		kc_response_free(resp);
		return -1;
	}
	la = line_of(resp->count_session, pa);
	lb = line_of(resp->count_session, pb);
	if (!CHECK(la && lb && la->counted == 6 && lb->counted == 9 && lb->expected == 10,
		   "lines: A %lld/%lld B %lld/%lld", la ? (long long)la->counted : -1,
		   la ? (long long)la->expected : -1, lb ? (long long)lb->counted : -1,
		   lb ? (long long)lb->expected : -1)) {
		kc_response_free(resp);
		return -1;
	}
	ea = la->expected;
	/* A's first scan came after some of the thread's sales, before the others */
	CHECK(ea <= 20 && ea >= 20 - THREAD_SALES && la->variance == 6 - ea, "A expected %lld",
	      (long long)ea);
	kc_response_free(resp);
	return ea;
}

static void test_count_with_sales(Harness *h)
{
	int64_t s1 = store_id(h, "S001"), id, pa, pb, pc, ea;
	char a[64], b[64], c[64], bca[80], d[64], *codes[3];
	KassaClient *kc = it_login(h, "S001-T1", 1001, "1234");
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	KassaClient *other = it_login(h, "S001-T2", 1001, "1234");
	Kassa__V1__Response *resp = NULL, *again = NULL;
	const Kassa__V1__CountSessionLine *lc;
	Seller w = { h, a, 0, 0 };
	pthread_t th;
	KcCountReq r;
	char key[KC_KEY_LEN];

	if (!CHECK(kc && mgr && other, "logins"))
		goto out;
	pa = fresh_product(h, "CNT-A", s1, 20, a);
	pb = fresh_product(h, "CNT-B", s1, 10, b);
	pc = fresh_product(h, "CNT-C", s1, 7, c);
	snprintf(bca, sizeof(bca), "BC-%s", a);
	codes[0] = a, codes[1] = b, codes[2] = c;

	kc_count_req_init(&r);
	kc_count_req_open(&r, false, NULL, NULL, 0, false, 0, NULL);
	CHECK(status_of(kc, &r, d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "no scope: %s", d);
	kc_count_req_init(&r);
	kc_count_req_open(&r, false, NULL, codes, 3, true, 0, NULL);
	resp = send_req(kc, &r);
	if (!CHECK(resp && kc_status(resp) == ST_OK && resp->count_session, "open: %s",
		   resp ? kc_detail(resp) : "-"))
		goto out;
	id = resp->count_session->count_id;
	CHECK(strcmp(resp->count_session->state, "open") == 0, "state %s", resp->count_session->state);
	kc_response_free(resp);
	resp = NULL;
	CHECK(audits(h, "stock.count_open", "count", id) == 1, "open audited");
	kc_count_req_init(&r);
	kc_count_req_open(&r, false, NULL, codes, 3, false, 0, NULL);
	CHECK(status_of(kc, &r, d) == KASSA__V1__STATUS_CODE__ABORTED &&
	      strcmp(d, "COUNT_ALREADY_OPEN") == 0, "second open of the scope: %s", d);

	/* A sells on another till while it is scanned; B sells right after its scan */
	if (!CHECK(pthread_create(&th, NULL, seller_run, &w) == 0, "thread"))
		goto out;
	CHECK(scan(kc, id, a, 3, false, d) == ST_OK, "scan A 3: %s", d);
	CHECK(scan(kc, id, bca, 1, false, d) == ST_OK, "scan A's barcode: %s", d);
	CHECK(scan(kc, id, a, 2, false, d) == ST_OK, "scan A 2: %s", d);
	pthread_join(th, NULL);
	CHECK(w.failed == 0 && w.sold == THREAD_SALES, "thread sold %d, failed %d", w.sold, w.failed);
	CHECK(scan(kc, id, b, 4, false, d) == ST_OK, "scan B: %s", d);
	CHECK(sell(other, b, 2), "sale of B after its scan");
	CHECK(scan(kc, id, b, 9, true, d) == ST_OK, "set B 9: %s", d);

	count_refusals(h, kc, id, a, pa);

	ea = count_expected(kc, id, pa, pb);
	if (ea < 0)
		goto out;

	/* post, then the same key again */
	kc_count_req_init(&r);
	kc_count_req_post(&r, id, false, NULL);
	memcpy(key, r.key, sizeof(key));
	resp = send_req(mgr, &r);
	if (!CHECK(resp && kc_status(resp) == ST_OK && resp->count_session, "post: %s",
		   resp ? kc_detail(resp) : "-"))
		goto out;
	CHECK(strcmp(resp->count_session->state, "posted") == 0 && resp->count_session->moves == 3,
	      "posted with 3 moves: %s %lld", resp->count_session->state,
	      (long long)resp->count_session->moves);
	lc = line_of(resp->count_session, pc);
	CHECK(lc && lc->counted == 0 && lc->expected == 7, "uncounted C counted as 0");
	CHECK(on_hand(h, s1, pa) == 6 - (ea - (20 - THREAD_SALES)), "A: counted minus sold since");
	CHECK(on_hand(h, s1, pb) == 9 - 2, "B after: %lld", (long long)on_hand(h, s1, pb));
	CHECK(on_hand(h, s1, pc) == 0, "C after: %lld", (long long)on_hand(h, s1, pc));
	it_stock_folded(h, 10);
	CHECK(ledger(h, s1, pa) == on_hand(h, s1, pa) && ledger(h, s1, pb) == on_hand(h, s1, pb) &&
	      ledger(h, s1, pc) == on_hand(h, s1, pc), "ledger = level");
	kc_count_req_init(&r);
	kc_count_req_post(&r, id, false, key);
	again = send_req(mgr, &r);
	CHECK(again && kc_status(again) == ST_OK && it_same_response(resp, again),
	      "the same key answers the same");
	CHECK(moves_of(h, "count", id) == 3, "no second move: %lld", (long long)moves_of(h, "count", id));
	CHECK(audits(h, "stock.count", "count", id) == 1, "post audited once");
	CHECK(audits(h, "stock.count_scan", "count", id) == 5, "each scan audited");
	kc_count_req_init(&r);
	kc_count_req_post(&r, id, false, NULL);
	CHECK(status_of(mgr, &r, d) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
	      strcmp(d, "COUNT_CLOSED") == 0, "post again, new key: %s", d);
	CHECK(scan(kc, id, a, 1, false, d) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
	      "scan after post: %s", d);
	CHECK(moves_of(h, "count", id) == 3, "still 3 moves");
out:
	kc_response_free(resp);
	kc_response_free(again);
	kc_free(kc);
	kc_free(mgr);
	kc_free(other);
}

/* ---- transfers ------------------------------------------------------------ */

static Kassa__V1__StatusCode send_transfer(KassaClient *kc, const char *from, const char *to,
					   const char *code, const char *qty, char detail[64])
{
	KcCountReq r;

	kc_count_req_init(&r);
	kc_transfer_item(&r, code, qty);
	kc_transfer_req_send(&r, to, from, NULL, NULL);
	return status_of(kc, &r, detail);
}

static bool listed_sent(KassaClient *kc, int64_t s2, int64_t tid)
{
	Kassa__V1__Response *resp;
	KcCountReq r;
	bool found = false;

	kc_count_req_init(&r);
	kc_transfer_req_list(&r, s2, "sent", 200, 0);
	resp = send_req(kc, &r);
	for (size_t i = 0; resp && resp->transfer_page && i < resp->transfer_page->n_transfers; i++)
		found = found || resp->transfer_page->transfers[i]->transfer_id == tid;
	kc_response_free(resp);
	return found;
}

/* A manager of S001 (staff STORE_MANAGER, 2001's PIN) at S001-T1. */
static KassaClient *store_manager(Harness *h)
{
	if (!it_sqlf(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
		     " SELECT %d, (SELECT store_id FROM stores WHERE code = 'S001'), '店长 Counts',"
		     " 'manager', pin_hash FROM staff WHERE staff_id = 2001 ON CONFLICT DO NOTHING",
		     STORE_MANAGER))
		return NULL;
	return it_login(h, "S001-T1", STORE_MANAGER, "9999");
}

static void test_transfer(Harness *h)
{
	int64_t s1 = store_id(h, "S001"), s2 = store_id(h, "S002"), pp, pq, tid, n0, m0;
	KassaClient *hq = it_login(h, "HQ-OFFICE-1", 2001, "9999"), *sm = store_manager(h);
	Kassa__V1__Response *resp = NULL, *again = NULL;
	char p[64], q[64], d[64], key[KC_KEY_LEN];
	KcCountReq r;

	if (!CHECK(hq && sm, "logins"))
		goto out;
	pp = fresh_product(h, "TRF-P", s1, 20, p);
	pq = fresh_product(h, "TRF-Q", s1, 5, q);
	n0 = it_sql_int(h, "SELECT count(*) FROM transfers");
	m0 = it_sql_int(h, "SELECT count(*) FROM stock_moves");

	/* refusals write nothing */
	CHECK(send_transfer(sm, "", "S001", p, "1", d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(d, "SAME_STORE") == 0, "to the same store: %s", d);
	CHECK(send_transfer(sm, "", "S002", p, "0", d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
	      "quantity 0: %s", d);
	CHECK(send_transfer(sm, "", "S002", p, "-3", d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
	      "negative quantity: %s", d);
	CHECK(send_transfer(sm, "", "S002", "NO-SUCH-SKU", "1", d) == KASSA__V1__STATUS_CODE__NOT_FOUND,
	      "unknown product: %s", d);
	CHECK(send_transfer(hq, "", "S002", p, "1", d) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(d, "FROM_STORE_REQUIRED") == 0, "head office names the sender: %s", d);
	CHECK(send_transfer(sm, "S002", "S001", p, "1", d) ==
	      KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "from another store: %s", d);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transfers") == n0 &&
	      it_sql_int(h, "SELECT count(*) FROM stock_moves") == m0 && on_hand(h, s1, pp) == 20,
	      "refused transfers wrote nothing");

	/* S001's manager sends 8 P and 5 Q: out of S001 at once, in transit */
	kc_count_req_init(&r);
	kc_transfer_item(&r, p, "8");
	kc_transfer_item(&r, q, "5");
	kc_transfer_req_send(&r, "S002", NULL, "补货 restock", NULL);
	resp = send_req(sm, &r);
	if (!CHECK(resp && kc_status(resp) == ST_OK && resp->transfer, "send: %s",
		   resp ? kc_detail(resp) : "-"))
		goto out;
	tid = resp->transfer->transfer_id;
	CHECK(strcmp(resp->transfer->state, "sent") == 0 && resp->transfer->n_lines == 2 &&
	      resp->transfer->from_store_id == s1 && resp->transfer->to_store_id == s2, "sent");
	kc_response_free(resp);
	resp = NULL;
	CHECK(on_hand(h, s1, pp) == 12 && on_hand(h, s1, pq) == 0, "out at S001");
	CHECK(on_hand(h, s2, pp) == 0 && on_hand(h, s2, pq) == 0, "nothing at S002 in transit");
	CHECK(listed_sent(hq, s2, tid), "listed as sent for S002");
	CHECK(moves_of(h, "transfer_out", tid) == 2 && audits(h, "transfer.send", "transfer", tid) == 1,
	      "moved out and audited");

	/* the wrong store cannot receive it; S002 (head office here) receives short */
	kc_count_req_init(&r);
	kc_transfer_req_receive(&r, tid, NULL);
	CHECK(status_of(sm, &r, d) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "received by the sender's manager: %s", d);
	kc_count_req_init(&r);
	kc_transfer_item(&r, p, "6");
	kc_transfer_item(&r, q, "5");
	kc_transfer_req_receive(&r, tid, NULL);
	memcpy(key, r.key, sizeof(key));
	resp = send_req(hq, &r);
	if (!CHECK(resp && kc_status(resp) == ST_OK && resp->transfer, "receive: %s",
		   resp ? kc_detail(resp) : "-"))
		goto out;
	CHECK(strcmp(resp->transfer->state, "received") == 0, "received");
	for (size_t i = 0; i < resp->transfer->n_lines; i++) {
		const Kassa__V1__TransferLine *l = resp->transfer->lines[i];

		CHECK(l->product_id == pp ? l->received == 6 && l->discrepancy == -2
					  : l->received == 5 && l->discrepancy == 0,
		      "line %s: %lld received, %lld off", l->sku, (long long)l->received,
		      (long long)l->discrepancy);
	}
	CHECK(on_hand(h, s2, pp) == 6 && on_hand(h, s2, pq) == 5, "in at S002 as received");
	CHECK(ledger(h, s2, pp) == 6 && ledger(h, s1, pp) == 12, "ledgers = levels");
	kc_count_req_init(&r);
	kc_transfer_item(&r, p, "6");
	kc_transfer_item(&r, q, "5");
	kc_transfer_req_receive(&r, tid, key);
	again = send_req(hq, &r);
	CHECK(again && kc_status(again) == ST_OK && it_same_response(resp, again), "same key, same");
	kc_count_req_init(&r);
	kc_transfer_req_receive(&r, tid, NULL);
	CHECK(status_of(hq, &r, d) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
	      strcmp(d, "ALREADY_RECEIVED") == 0, "received twice: %s", d);
	CHECK(moves_of(h, "transfer_in", tid) == 2 && on_hand(h, s2, pp) == 6, "in once");
	CHECK(audits(h, "transfer.receive", "transfer", tid) == 1, "receive audited");
	CHECK(!listed_sent(hq, s2, tid), "no longer in transit");
out:
	kc_response_free(resp);
	kc_response_free(again);
	kc_free(hq);
	kc_free(sm);
}

static const HarnessTest tests[] = {
	{ "count_with_sales", test_count_with_sales },
	{ "transfer", test_transfer },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

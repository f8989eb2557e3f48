/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_catalog_admin: the catalogue administered through the protocol
 * (docs/store/catalog.md), against a real kassad and PostgreSQL over TLS.
 * Guards: a ProductPut with a wrong check digit (or another product's
 * barcode, or an unknown category) is refused and writes nothing; a
 * changed price is the next sale's price although kassad had cached the
 * old one, and a till's CatalogSync after its last seq brings just the
 * changed product; a store's price list in force is the price of a sale at
 * that store (the highest priority, then the newest), not at another
 * store, not after its last day or before its first, and a late sale is
 * priced on its own day; CatalogSync and ProductLookup show the till's
 * store price; every change is exactly once per key and audited; gift
 * items are put and listed with their bounds; cashiers may not change the
 * catalogue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"
#include "kc_req.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ADMIN 9001
#define ADMIN_PIN "0000"

static KassaClient *admin(Harness *h)
{
	return it_login(h, "HQ-OFFICE-1", ADMIN, ADMIN_PIN);
}

/* ProductPut sku at price (barcode, category may be ""); the status; *seq the product's seq. */
static Kassa__V1__StatusCode put_product(KassaClient *kc, const char *sku, int64_t price,
					 const char *barcode, const char *category,
					 const char *key, int64_t *seq, char detail[64])
{
	Kassa__V1__ProductPut q = KASSA__V1__PRODUCT_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__UNKNOWN;

	q.sku = (char *)sku;
	q.name = (char *)"测试商品 test product";
	q.price_minor = price;
	q.barcode = (char *)barcode;
	q.category = (char *)category;
	q.currency = (char *)"";
	if (kc_product_put(kc, &q, key, &r) == KC_OK && r != NULL) {
		st = kc_status(r);
		if (detail)
			snprintf(detail, 64, "%s", kc_detail(r));
		if (st == ST_OK && seq != NULL)
			*seq = r->product->seq;
	}
	kc_response_free(r);
	return st;
}

/* A cash sale of one sku by kc tendering price (sold_at "" = now); its txn_id or 0. */
static int64_t sell(KassaClient *kc, const char *sku, int64_t price, const char *sold_at)
{
	KcLine line = { sku, 1, false };
	KcTender t = { CASH, price, NULL };
	KcSale s = { &line, 1, 0, &t, 1, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;
	char key[64];
	KcReq rq;

	it_fresh_name("cat-sale", key);
	kc_req_checkout(&rq, &s, key, false);
	if (sold_at[0]) {
		rq.req.checkout->offline = true;
		rq.req.checkout->sold_at = (char *)sold_at;
	}
	if (kc_call(kc, &rq.req, &r) == KC_OK && r != NULL && kc_status(r) == ST_OK &&
	    r->transaction != NULL)
		id = r->transaction->txn_id;
	else
		fprintf(stderr, "# sale of %s at %lld: %s\n", sku, (long long)price,
			r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	kc_req_done(&rq);
	return id;
}

static int64_t unit_price(Harness *h, int64_t txn)
{
	return it_sql_int(h, "SELECT unit_price_minor FROM transaction_lines WHERE txn_id = %lld",
			  (long long)txn);
}

/* The price of sku in kc's CatalogSync after seq (-1: not in the page); *n the page's size. */
static int64_t synced_price(KassaClient *kc, const char *sku, int64_t after, size_t *n)
{
	Kassa__V1__Response *r = NULL;
	int64_t price = -1;

	*n = 0;
	if (kc_catalog_sync(kc, after, 0, &r) == KC_OK && r && kc_status(r) == ST_OK) {
		*n = r->catalog_page->n_products;
		for (size_t i = 0; i < *n; i++)
			if (strcmp(r->catalog_page->products[i]->sku, sku) == 0)
				price = r->catalog_page->products[i]->price->minor;
	}
	kc_response_free(r);
	return price;
}

static int64_t audits(Harness *h, const char *action, const char *sku)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = '%s'"
			  " AND detail->>'sku' = '%s'", action, sku);
}

static void test_barcode_refused(Harness *h)
{
	KassaClient *kc = admin(h), *cashier = it_cashier(h);
	char sku[64], sku2[64], d[64] = "", bar[16];
	int64_t n0 = it_sql_int(h, "SELECT count(*) FROM products"), seq = 0;

	if (!CHECK(kc != NULL && cashier != NULL, "set-up"))
		goto done;
	it_fresh_name("cat-bar", sku);
	/* a fresh valid EAN-13 from the clock, its check digit computed here */
	snprintf(bar, sizeof(bar), "69%010lld", (long long)(time(NULL) % 10000000000LL));
	{
		int sum = 0;

		for (int i = 0; i < 12; i++)
			sum += (bar[i] - '0') * (i % 2 ? 3 : 1);
		bar[12] = (char)('0' + (10 - sum % 10) % 10);
		bar[13] = '\0';
	}
	CHECK(put_product(kc, sku, 100, "4006381333932", "", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT && strcmp(d, "BAD_BARCODE") == 0,
	      "a wrong check digit is BAD_BARCODE: %s", d);
	CHECK(put_product(kc, sku, 100, "40063813339", "", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT && strcmp(d, "BAD_BARCODE") == 0,
	      "a wrong length is BAD_BARCODE: %s", d);
	CHECK(put_product(kc, sku, 100, "", "no such category here", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT && strcmp(d, "UNKNOWN_CATEGORY") == 0,
	      "an unknown category is refused: %s", d);
	CHECK(put_product(kc, sku, -1, "", "", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "a negative price is refused: %s", d);
	CHECK(put_product(cashier, sku, 100, "", "", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "a cashier may not: %s", d);
	CHECK(it_sql_int(h, "SELECT count(*) FROM products") == n0 && audits(h, "product.put", sku) == 0,
	      "nothing written");
	CHECK(put_product(kc, sku, 100, bar, "", NULL, &seq, d) == ST_OK, "a good EAN-13 %s: %s",
	      bar, d);
	CHECK(put_product(kc, sku, 100, "036000291452", "", NULL, &seq, d) == ST_OK,
	      "a UPC-A: %s", d);
	it_fresh_name("cat-bar2", sku2);
	CHECK(put_product(kc, sku2, 100, "036000291452", "", NULL, NULL, d) ==
	      KASSA__V1__STATUS_CODE__FAILED_PRECONDITION && strcmp(d, "BARCODE_TAKEN") == 0,
	      "another product's barcode: %s", d);
	CHECK(it_sql_int(h, "SELECT count(*) FROM products WHERE sku = '%s'", sku2) == 0,
	      "the refused product is not there");
done:
	kc_free(kc);
	kc_free(cashier);
}

static void test_price_change(Harness *h)
{
	KassaClient *kc = admin(h), *till = it_cashier(h);
	char sku[64], key[64], d[64] = "";
	int64_t seq1 = 0, seq2 = 0, txn;
	size_t n = 0;

	if (!CHECK(kc != NULL && till != NULL, "set-up"))
		goto done;
	it_fresh_name("cat-price", sku);
	it_fresh_name("cat-key", key);
	CHECK(put_product(kc, sku, 500, "", "", key, &seq1, d) == ST_OK, "created: %s", d);
	CHECK(put_product(kc, sku, 500, "", "", key, &seq2, d) == ST_OK && seq2 == seq1,
	      "the same key answers the same product (seq %lld, %lld)", (long long)seq1,
	      (long long)seq2);
	CHECK(audits(h, "product.put", sku) == 1, "one audit row for the key");
	txn = sell(till, sku, 500, "");
	CHECK(txn > 0 && unit_price(h, txn) == 500, "sold at 500 (now cached by kassad)");
	CHECK(put_product(kc, sku, 650, "", "", NULL, &seq2, d) == ST_OK && seq2 > seq1,
	      "price changed: %s", d);
	txn = sell(till, sku, 650, "");
	CHECK(txn > 0 && unit_price(h, txn) == 650, "the next sale is at the new price");
	CHECK(synced_price(till, sku, seq2 - 1, &n) == 650 && n == 1,
	      "CatalogSync after the till's last seq brings just the change (%zu)", n);
	CHECK(synced_price(till, sku, seq2, &n) == -1, "and nothing after it");
	CHECK(put_product(kc, sku, 700, "", "", key, NULL, d) ==
	      KASSA__V1__STATUS_CODE__ABORTED && strcmp(d, "IDEMPOTENCY_KEY_REUSED") == 0,
	      "a key reused for another change is refused: %s", d);
	CHECK(audits(h, "product.put", sku) == 2, "two audit rows");
done:
	kc_free(kc);
	kc_free(till);
}

/* PriceListPut name at store for days today+from .. today+to (to 99: open); its status. */
static Kassa__V1__StatusCode put_list(Harness *h, KassaClient *kc, const char *name,
				      int64_t store, int from, int to, int prio,
				      const char *sku, int64_t price, char detail[64])
{
	Kassa__V1__PriceListPut q = KASSA__V1__PRICE_LIST_PUT__INIT;
	Kassa__V1__CatalogPriceItem it = KASSA__V1__CATALOG_PRICE_ITEM__INIT, *ip = &it;
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__UNKNOWN;
	char f[16], t[16];

	/* the store's business day (stores.timezone), as its sales see it; none: UTC's */
	snprintf(f, sizeof(f), "%lld", (long long)it_sql_int(h,
		 "SELECT to_char((now() AT TIME ZONE coalesce((SELECT timezone FROM stores"
		 " WHERE store_id = %lld), 'UTC'))::date + %d, 'YYYYMMDD')::bigint",
		 (long long)store, from));
	snprintf(t, sizeof(t), "%lld", (long long)it_sql_int(h,
		 "SELECT to_char((now() AT TIME ZONE coalesce((SELECT timezone FROM stores"
		 " WHERE store_id = %lld), 'UTC'))::date + %d, 'YYYYMMDD')::bigint",
		 (long long)store, to));
	char fd[16], td[16];

	snprintf(fd, sizeof(fd), "%.4s-%.2s-%.2s", f, f + 4, f + 6);
	snprintf(td, sizeof(td), "%.4s-%.2s-%.2s", t, t + 4, t + 6);
	q.name = (char *)name;
	q.store_id = store;
	q.valid_from = fd;
	q.valid_to = to == 99 ? (char *)"" : td;
	q.priority = prio;
	it.sku = (char *)sku;
	it.price_minor = price;
	q.n_items = 1;
	q.items = &ip;
	if (kc_price_list_put(kc, &q, NULL, &r) == KC_OK && r != NULL) {
		st = kc_status(r);
		snprintf(detail, 64, "%s", kc_detail(r));
	}
	kc_response_free(r);
	return st;
}

static void test_price_lists(Harness *h)
{
	KassaClient *kc = admin(h), *s1 = it_cashier(h), *s2 = it_login(h, "S002-T1", 1002, "2345");
	Kassa__V1__Response *r = NULL;
	int64_t st1 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	int64_t st2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	int64_t seq = 0, txn, n0;
	char sku[64], name[64], d[64] = "", at[32];
	time_t past = time(NULL) - 3 * 86400;
	size_t n = 0;

	if (!CHECK(kc && s1 && s2 && st1 > 0 && st2 > 0, "set-up"))
		goto done;
	it_fresh_name("cat-pl", sku);
	CHECK(put_product(kc, sku, 1000, "", "", NULL, &seq, d) == ST_OK, "product: %s", d);
	it_fresh_name("pl-low", name);
	CHECK(put_list(h, kc, name, st1, -1, 1, 0, sku, 800, d) == ST_OK, "a list: %s", d);
	it_fresh_name("pl-high", name);
	CHECK(put_list(h, kc, name, st1, -1, 99, 5, sku, 700, d) == ST_OK, "a higher one: %s", d);
	it_fresh_name("pl-past", name);
	CHECK(put_list(h, kc, name, st1, -5, -2, 100, sku, 300, d) == ST_OK, "an ended one: %s", d);
	it_fresh_name("pl-future", name);
	CHECK(put_list(h, kc, name, st1, 2, 9, 100, sku, 200, d) == ST_OK, "a future one: %s", d);
	txn = sell(s1, sku, 700, "");
	CHECK(txn > 0 && unit_price(h, txn) == 700, "S001 sells at the highest list in force");
	txn = sell(s2, sku, 1000, "");
	CHECK(txn > 0 && unit_price(h, txn) == 1000, "S002 sells at the base price");
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", gmtime(&past));
	txn = sell(s1, sku, 300, at);
	CHECK(txn > 0 && unit_price(h, txn) == 300, "a sale made 3 days ago: that day's list");
	CHECK(synced_price(s1, sku, seq, &n) == 700, "S001's CatalogSync shows 700");
	CHECK(synced_price(s2, sku, seq, &n) == 1000, "S002's CatalogSync shows 1000");
	if (CHECK(kc_product_lookup(s1, sku, &r) == KC_OK && r && kc_status(r) == ST_OK, "lookup"))
		CHECK(r->product->price->minor == 700, "ProductLookup at S001 shows 700");
	kc_response_free(r);
	r = NULL;
	/* a newer list of the same priority wins; changing it takes effect at once */
	it_fresh_name("pl-newer", name);
	CHECK(put_list(h, kc, name, st1, 0, 0, 5, sku, 650, d) == ST_OK, "a newer one: %s", d);
	txn = sell(s1, sku, 650, "");
	CHECK(txn > 0 && unit_price(h, txn) == 650, "the newer list of equal priority wins");
	CHECK(put_list(h, kc, name, st1, -9, -8, 5, sku, 650, d) == ST_OK, "moved to the past");
	txn = sell(s1, sku, 700, "");
	CHECK(txn > 0 && unit_price(h, txn) == 700, "after its last day: the next list again");
	/* bad input writes nothing */
	n0 = it_sql_int(h, "SELECT count(*) FROM price_lists");
	CHECK(put_list(h, kc, "pl bad", st1, 0, -1, 0, sku, 1, d) ==
	      KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "ends before it starts: %s", d);
	CHECK(put_list(h, kc, "pl bad", st1, 0, 1, 0, "no-such-sku-here", 1, d) ==
	      KASSA__V1__STATUS_CODE__NOT_FOUND, "an unknown SKU: %s", d);
	CHECK(put_list(h, kc, "pl bad", 999999, 0, 1, 0, sku, 1, d) ==
	      KASSA__V1__STATUS_CODE__NOT_FOUND, "an unknown store: %s", d);
	CHECK(put_list(h, s1, "pl bad", st1, 0, 1, 0, sku, 1, d) ==
	      KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "a cashier may not: %s", d);
	CHECK(it_sql_int(h, "SELECT count(*) FROM price_lists") == n0, "no list written");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'price_list.put'"
			 " AND (detail->>'store_id')::bigint = %lld AND detail->>'name' = '%s'",
			 (long long)st1, name) == 2, "audited");
	if (CHECK(kc_price_list_query(kc, st1, &r) == KC_OK && r && kc_status(r) == ST_OK, "query"))
		CHECK(r->price_list_roster->n_lists >= 5, "the lists are listed");
	kc_response_free(r);
done:
	kc_free(kc);
	kc_free(s1);
	kc_free(s2);
}

static void test_categories_gifts(Harness *h)
{
	KassaClient *kc = admin(h);
	Kassa__V1__CategoryPut c = KASSA__V1__CATEGORY_PUT__INIT;
	Kassa__V1__GiftItemPut g = KASSA__V1__GIFT_ITEM_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	char code[64], name[64], sku[64], d[64] = "";

	if (!CHECK(kc != NULL, "set-up"))
		return;
	it_fresh_name("cat", code);
	it_fresh_name("饮料", name);
	c.code = code;
	c.name = name;
	c.parent = (char *)"";
	CHECK(kc_category_put(kc, &c, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK,
	      "category put");
	kc_response_free(r);
	r = NULL;
	c.parent = code;
	CHECK(kc_category_put(kc, &c, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "not below itself");
	kc_response_free(r);
	r = NULL;
	it_fresh_name("cat-gift", sku);
	CHECK(put_product(kc, sku, 900, "", name, NULL, NULL, d) == ST_OK,
	      "a product of the new category: %s", d);
	if (CHECK(kc_category_list(kc, &r) == KC_OK && r && kc_status(r) == ST_OK, "list")) {
		bool seen = false;

		for (size_t i = 0; i < r->category_roster->n_categories; i++)
			seen = seen || strcmp(r->category_roster->categories[i]->code, code) == 0;
		CHECK(seen, "the category is listed");
	}
	kc_response_free(r);
	r = NULL;
	g.sku = sku;
	g.points_cost = 0;
	g.stock = 5;
	CHECK(kc_gift_item_put(kc, &g, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "points 0 refused");
	kc_response_free(r);
	r = NULL;
	g.points_cost = 250;
	CHECK(kc_gift_item_put(kc, &g, NULL, &r) == KC_OK && r && kc_status(r) == ST_OK &&
	      r->gift_item->points_cost == 250 && r->gift_item->stock == 5, "gift put");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT points_cost FROM gift_items g JOIN products p USING (product_id)"
			 " WHERE p.sku = '%s'", sku) == 250, "stored");
	CHECK(audits(h, "gift.put", sku) == 1, "audited");
	if (CHECK(kc_gift_item_list(kc, false, &r) == KC_OK && r && kc_status(r) == ST_OK, "list")) {
		bool seen = false;

		for (size_t i = 0; i < r->gift_catalog->n_items; i++)
			seen = seen || strcmp(r->gift_catalog->items[i]->sku, sku) == 0;
		CHECK(seen, "the gift is listed");
	}
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "barcode_refused", test_barcode_refused },
	{ "price_change", test_price_change },
	{ "price_lists", test_price_lists },
	{ "categories_gifts", test_categories_gifts },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

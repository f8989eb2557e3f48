/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_catalog_sync: CatalogSync, how a till fills its catalogue cache.
 * Guards that pages walk 1,200 new products in change order without a gap
 * or a repeat (500 a page by default, at most 2000), that a price change
 * and a withdrawal made afterwards come back after the last_seq the till
 * holds (the withdrawn product with active false), that nothing new is an
 * empty page that keeps last_seq, that the page names the current
 * exchange-rate version, and that ProductLookup answers the seq too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define SYNC_PRODUCTS 1200
#define ST_OK KASSA__V1__STATUS_CODE__OK

static bool is_ok(const Kassa__V1__Response *r)
{
	return r && kc_status(r) == ST_OK && r->body_case == KASSA__V1__RESPONSE__BODY_CATALOG_PAGE;
}

/* Does sku start with prefix "<prefix>-"? */
static bool ours(const char *sku, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(sku, prefix, n) == 0 && sku[n] == '-';
}

/* Guards: 1,200 products arrive once each, in seq order, over pages of 500. */
static void test_pages(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char prefix[64];
	int64_t after, start, prev;
	int seen = 0, pages = 0;
	bool more = true;

	if (kc == NULL)
		return;
	it_fresh_name("SYNC", prefix);
	start = it_sql_int(h, "SELECT coalesce(max(seq), 0) FROM products");
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor)"
		     " SELECT '%s-' || lpad(i::text, 4, '0'), 'Sync ' || i, 100 + i"
		     " FROM generate_series(1, %d) i ORDER BY i", prefix, SYNC_PRODUCTS))
		goto out;
	after = prev = start;
	while (more && pages < 10) {
		Kassa__V1__Response *r = NULL;

		if (!CHECK(kc_catalog_sync(kc, after, 0, &r) == KC_OK && is_ok(r),
			   "page %d after %lld: %s", pages, (long long)after,
			   r ? kc_detail(r) : kc_last_error(kc))) {
			kc_response_free(r);
			goto out;
		}
		const Kassa__V1__CatalogPage *p = r->catalog_page;

		CHECK(p->n_products <= 500, "a default page holds at most 500, got %zu",
		      p->n_products);
		for (size_t i = 0; i < p->n_products; i++) {
			const Kassa__V1__Product *pr = p->products[i];

			CHECK(pr->seq > prev, "seq %lld after %lld: in order, no repeat",
			      (long long)pr->seq, (long long)prev);
			prev = pr->seq;
			if (ours(pr->sku, prefix)) {
				char want[80];

				seen++;
				snprintf(want, sizeof(want), "%s-%04d", prefix, seen);
				CHECK(strcmp(pr->sku, want) == 0, "product %d is %s, want %s", seen,
				      pr->sku, want);
				CHECK(pr->active && pr->price && pr->price->minor == 100 + seen,
				      "%s active at %lld", pr->sku,
				      pr->price ? (long long)pr->price->minor : -1LL);
			}
		}
		CHECK(p->n_products == 0 || p->last_seq == p->products[p->n_products - 1]->seq,
		      "last_seq is the page's last product's");
		after = p->last_seq;
		more = p->more;
		pages++;
		kc_response_free(r);
	}
	CHECK(seen == SYNC_PRODUCTS, "all %d products came, got %d", SYNC_PRODUCTS, seen);
	CHECK(pages == 3, "1,200 products take 3 pages of 500, took %d", pages);
	CHECK(after == it_sql_int(h, "SELECT max(seq) FROM products"),
	      "the last page ends at the newest change");
out:
	kc_free(kc);
}

/* Guards: a price change and a withdrawal after last_seq come next, in change order. */
static void test_changes(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char a[64], b[64];
	int64_t last, version;

	if (kc == NULL)
		return;
	it_fresh_name("SYA", a);
	it_fresh_name("SYB", b);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES"
		     " ('%s', 'Sync A', 1000), ('%s', 'Sync B', 2000)", a, b))
		goto out;
	last = it_sql_int(h, "SELECT max(seq) FROM products");
	/* nothing changed after last: an empty page that keeps last_seq */
	CHECK(kc_catalog_sync(kc, last, 0, &r) == KC_OK && is_ok(r) &&
	      r->catalog_page->n_products == 0 && r->catalog_page->last_seq == last &&
	      !r->catalog_page->more, "nothing new after %lld", (long long)last);
	version = it_sql_int(h, "SELECT coalesce(max(version), 0) FROM exchange_rate_versions");
	CHECK(r && r->catalog_page && r->catalog_page->rate_version == version,
	      "rate version %d, want %lld", r && r->catalog_page ? r->catalog_page->rate_version : -1,
	      (long long)version);
	kc_response_free(r);
	r = NULL;

	/* B withdrawn first, then A's price changed */
	if (!it_sqlf(h, "UPDATE products SET active = false WHERE sku = '%s'", b) ||
	    !it_sqlf(h, "UPDATE products SET price_minor = 1100 WHERE sku = '%s'", a))
		goto out;
	CHECK(kc_catalog_sync(kc, last, 0, &r) == KC_OK && is_ok(r) &&
	      r->catalog_page->n_products == 2, "two changes after %lld: %zu", (long long)last,
	      r && r->catalog_page ? r->catalog_page->n_products : 0);
	if (r && r->catalog_page && r->catalog_page->n_products == 2) {
		Kassa__V1__Product *p0 = r->catalog_page->products[0];
		Kassa__V1__Product *p1 = r->catalog_page->products[1];

		CHECK(strcmp(p0->sku, b) == 0 && !p0->active, "the withdrawal first, inactive");
		CHECK(strcmp(p1->sku, a) == 0 && p1->active && p1->price->minor == 1100,
		      "then the new price of A");
		CHECK(r->catalog_page->last_seq == p1->seq && !r->catalog_page->more,
		      "last_seq is A's change");
	}
	kc_response_free(r);
	r = NULL;

	/* a lookup shows the same change number */
	CHECK(kc_product_lookup(kc, a, &r) == KC_OK && r && kc_status(r) == ST_OK && r->product &&
	      r->product->active &&
	      r->product->seq == it_sql_int(h, "SELECT seq FROM products WHERE sku = '%s'", a),
	      "ProductLookup answers seq and active");
	kc_response_free(r);
out:
	kc_free(kc);
}

/* Guards: the page size is capped at 2000, and a negative after_seq is refused. */
static void test_limits(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return;
	CHECK(kc_catalog_sync(kc, 0, 100000, &r) == KC_OK && is_ok(r) &&
	      r->catalog_page->n_products <= 2000 &&
	      (int64_t)r->catalog_page->n_products ==
	      (it_sql_int(h, "SELECT count(*) FROM products") < 2000 ?
	       it_sql_int(h, "SELECT count(*) FROM products") : 2000),
	      "a page of at most 2000");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_catalog_sync(kc, -1, 0, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT &&
	      strcmp(kc_detail(r), "BAD_SEQ") == 0, "after_seq -1 refused");
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "pages", test_pages },
	{ "changes", test_changes },
	{ "limits", test_limits },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync.c: CatalogSync, how a till fills and refreshes its own catalogue
 * cache so that it can scan and price while the server is unreachable.
 *
 * Every insert and update of a product stamps it with the next catalogue
 * change number, products.seq (a trigger, migrations/0011_till_store.sql,
 * which hands the numbers out in commit order). A till keeps the highest
 * seq it holds and asks for the products changed after it, oldest change
 * first, a page at a time; withdrawn products come too, with active false,
 * so that the till drops them. The page also names the current exchange-
 * rate version, so the till knows when to fetch the rates again. Prices
 * are the till's store's: its price list in force on the store's business
 * day (stores.timezone, store_day.h; read first if not cached), else the base
 * price (catalog_price_choose()); a price-list change touches its
 * products, so their seq moves on and tills refetch them.
 *
 * One prepared statement, one snapshot: the page and the rate version are
 * read together. It asks for one row more than the page holds to learn
 * whether another page follows. Reads only; no idempotency key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "core.h"
#include "catalog_price.h"
#include "product.h"
#include "store_day.h"

#define SYNC_LIMIT_DEFAULT 500
#define SYNC_LIMIT_MAX 2000

static int st_sync;

/* Columns of the page statement (one row with NULL products when empty). */
enum {
	SYNC_RATE_VERSION = 0,	/* the current exchange-rate version, 0 if none */
	SYNC_PRODUCT_ID,	/* NULL: no product changed after after_seq */
	SYNC_SKU,
	SYNC_BARCODE,
	SYNC_NAME,
	SYNC_CATEGORY,
	SYNC_PRICE,
	SYNC_CURRENCY,
	SYNC_SEQ,
	SYNC_ACTIVE,
	SYNC_STOCKED,
	SYNC_LISTS,		/* the store's price-list items (catalog_price_parse()) */
};

void catalog_sync_setup(void)
{
	store_day_setup();	/* the store's business day prices the page */
	/* $1 after_seq, $2 rows to read (the page's limit + 1), $3 the till's store */
	st_sync = db_stmt_add("catalog_sync",
		"WITH r AS (SELECT coalesce(max(version), 0) AS v FROM exchange_rate_versions),"
		" p AS (SELECT product_id, sku, coalesce(barcode, '') AS barcode, name, category,"
		"  price_minor, currency, seq, active, stocked FROM products WHERE seq > $1::bigint"
		"  ORDER BY seq LIMIT $2::integer)"
		" SELECT r.v, p.product_id, p.sku, p.barcode, p.name, p.category, p.price_minor,"
		"  p.currency, p.seq, p.active, p.stocked,"
		/* the till's store's price-list items not ended: catalog_price_choose() picks; */
		/* the store's day is within two days of kassad's (UTC-12 .. UTC+14) */
		"  coalesce((SELECT string_agg(concat_ws(',', i.store_id, to_char(l.valid_from,"
		"   'YYYYMMDD'), coalesce(to_char(l.valid_to, 'YYYYMMDD'), '0'), l.priority,"
		"   l.list_id, i.price_minor), ';') FROM price_list_items i"
		"   JOIN price_lists l ON l.list_id = i.list_id"
		"   WHERE i.product_id = p.product_id AND i.store_id = $3::bigint"
		"    AND (l.valid_to IS NULL OR l.valid_to >= current_date - 2)), '')"
		" FROM r LEFT JOIN p ON true ORDER BY p.seq",
		DB_LANE_WORK);
}

/* The price row i sells at in c's store on its day: its price list in force, else base. */
static int64_t sync_price(const Call *c, const PGresult *res, int i, int col, int64_t base)
{
	CatalogPriceCand *cands;
	size_t n;
	/* the store's business day: handle_catalog_sync() read it if need be */
	StoreDate d = store_day_of(c->sess->store_id, (int64_t)time(NULL));
	int64_t price;

	if (!catalog_price_parse(PQgetvalue(res, i, col), &cands, &n))
		return base;
	price = catalog_price_choose(cands, n, c->sess->store_id,
				     catalog_price_day(d.year, d.month, d.day), base, NULL);
	free(cands);
	return price;
}

void catalog_product_from_row(Kassa__V1__Product *p, Kassa__V1__Money *price,
			      const PGresult *res, int row, int col)
{
	p->product_id = strtoll(PQgetvalue(res, row, col), NULL, 10);
	p->sku = PQgetvalue(res, row, col + 1);
	p->barcode = PQgetvalue(res, row, col + 2);
	p->name = PQgetvalue(res, row, col + 3);
	p->category = PQgetvalue(res, row, col + 4);
	price->minor = strtoll(PQgetvalue(res, row, col + 5), NULL, 10);
	price->currency = PQgetvalue(res, row, col + 6);
	p->price = price;
	p->seq = strtoll(PQgetvalue(res, row, col + 7), NULL, 10);
	p->active = PQgetvalue(res, row, col + 8)[0] == 't';
	p->stocked = PQgetvalue(res, row, col + 9)[0] == 't';
}

void catalog_page_reply(Call *c, const PGresult *res, int col, int rows, int limit,
			int64_t after_seq, int32_t rate_version, bool store_price)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CatalogPage page = KASSA__V1__CATALOG_PAGE__INIT;
	int n = rows > limit ? limit : rows;
	Kassa__V1__Product *ps = xcalloc((size_t)n + 1, sizeof(*ps));
	Kassa__V1__Product **pp = xcalloc((size_t)n + 1, sizeof(*pp));
	Kassa__V1__Money *prices = xcalloc((size_t)n + 1, sizeof(*prices));

	for (int i = 0; i < n; i++) {
		kassa__v1__product__init(&ps[i]);
		kassa__v1__money__init(&prices[i]);
		catalog_product_from_row(&ps[i], &prices[i], res, i, col);
		if (store_price)
			prices[i].minor = sync_price(c, res, i, col + 10, prices[i].minor);
		pp[i] = &ps[i];
	}
	page.n_products = (size_t)n;
	page.products = pp;
	/* nothing new: the till asks after the same seq next time */
	page.last_seq = n > 0 ? ps[n - 1].seq : after_seq;
	page.more = rows > limit;
	page.rate_version = rate_version;
	resp.body_case = KASSA__V1__RESPONSE__BODY_CATALOG_PAGE;
	resp.catalog_page = &page;
	call_reply(c, &resp);
	free(ps);
	free(pp);
	free(prices);
}

/* 1. The page is read: answer with at most limit (in c->state) products. */
static void sync_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	int rows;

	if (!call_db_ok(c, st, res))
		return;
	rows = PQntuples(res);
	if (rows > 0 && PQgetisnull(res, 0, SYNC_PRODUCT_ID))
		rows = 0;	/* nothing changed: the one row carries the rate version */
	catalog_page_reply(c, res, SYNC_PRODUCT_ID, rows, *(const int *)c->state,
			   c->req->catalog_sync->after_seq, PQntuples(res) > 0 ?
			   (int32_t)strtol(PQgetvalue(res, 0, SYNC_RATE_VERSION), NULL, 10) : 0,
			   true);
}

/* 0b. The page: limit (in c->state) products changed after after_seq, and one more. */
static void sync_query(Call *c)
{
	char after[24], rows[16], store[24];
	const char *params[3] = { after, rows, store };

	snprintf(after, sizeof(after), "%lld", (long long)c->req->catalog_sync->after_seq);
	snprintf(rows, sizeof(rows), "%d", *(const int *)c->state + 1);
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
	db_query(st_sync, 3, params, sync_db_cb, c);
}

static void sync_day_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_db_ok(c, st, res))
		sync_query(c);
}

/* 0a. The request's form; the store's business day (its price lists) unless cached. */
void handle_catalog_sync(Call *c)
{
	const Kassa__V1__CatalogSync *q = c->req->catalog_sync;
	unsigned limit = q->limit ? q->limit : SYNC_LIMIT_DEFAULT;
	int64_t now = (int64_t)time(NULL);
	StoreDate d;

	if (q->after_seq < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEQ",
			  "after_seq is a change number, 0 or more");
		return;
	}
	if (limit > SYNC_LIMIT_MAX)
		limit = SYNC_LIMIT_MAX;
	c->state = xmalloc(sizeof(int));
	*(int *)c->state = (int)limit;
	c->state_free = free;
	if (!store_day_get(c->sess->store_id, now, &d)) {
		store_day_load(c->sess->store_id, now, sync_day_cb, c);
		return;
	}
	sync_query(c);
}

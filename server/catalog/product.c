/* SPDX-License-Identifier: Apache-2.0 */
/*
 * product.c: product lookup by SKU or barcode for a till that scans an
 * item. It always asks the database (one index lookup), so the till shows
 * the current price (the till's store's price list in force on the store's
 * business day, store_day.h, else the base price: catalog_item_price()),
 * and refreshes the checkout's catalogue cache with what it read.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "db.h"
#include "core.h"
#include "product.h"
#include "store_day.h"

#define PRODUCT_CODE_MAX 64
#define PRODUCT_SEQ_COL CATALOG_NCOLUMNS	/* after CATALOG_COLUMNS, then stocked */

static int st_product;

void product_setup(void)
{
	store_day_setup();	/* the store's business day prices the lookup */
	st_product = db_stmt_add("product_by_code",
		"SELECT " CATALOG_COLUMNS ", seq, stocked FROM products"
		" WHERE active AND (sku = $1 OR barcode = $1) ORDER BY sku = $1 DESC LIMIT 1", DB_LANE_QUICK);
}

static void product_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Product p = KASSA__V1__PRODUCT__INIT;
	Kassa__V1__Money price = KASSA__V1__MONEY__INIT;
	const CatalogItem *it;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 0) {
		catalog_forget(c->req->product_lookup->code);
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "UNKNOWN_PRODUCT",
			  "no product has that SKU or barcode");
		return;
	}
	catalog_put_row(res, 0);
	it = catalog_get(PQgetvalue(res, 0, 1));
	p.product_id = it->product_id;
	p.sku = it->sku;
	p.barcode = it->barcode;
	p.name = it->name;
	p.category = it->category;
	price.minor = catalog_item_price_today(it, c->sess->store_id);	/* the store's */
	price.currency = (char *)it->currency;
	p.price = &price;
	p.seq = strtoll(PQgetvalue(res, 0, PRODUCT_SEQ_COL), NULL, 10);
	p.active = true;	/* only active products are looked up */
	p.stocked = PQgetvalue(res, 0, PRODUCT_SEQ_COL + 1)[0] == 't';
	resp.body_case = KASSA__V1__RESPONSE__BODY_PRODUCT;
	resp.product = &p;
	call_reply(c, &resp);
}

/* 2. The product, priced on the store's day (read first when not in memory). */
static void product_query(Call *c)
{
	const char *code = c->req->product_lookup->code;

	db_query(st_product, 1, &code, product_db_cb, c);
}

static void product_day_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_db_ok(c, st, res))
		product_query(c);
}

/* 1. The code's form; the store's business day (its price list) unless cached. */
void handle_product_lookup(Call *c)
{
	StoreDate d;
	int64_t now = (int64_t)time(NULL);

	const char *code = c->req->product_lookup->code;
	size_t n = strlen(code);

	if (n == 0 || n > PRODUCT_CODE_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRODUCT_CODE",
			  "a product code is 1-%d characters", PRODUCT_CODE_MAX);
		return;
	}
	if (!store_day_get(c->sess->store_id, now, &d)) {
		store_day_load(c->sess->store_id, now, product_day_cb, c);
		return;
	}
	product_query(c);
}

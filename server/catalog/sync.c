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
 * rate version, so the till knows when to fetch the rates again.
 *
 * One prepared statement, one snapshot: the page and the rate version are
 * read together. It asks for one row more than the page holds to learn
 * whether another page follows. Reads only; no idempotency key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "core.h"
#include "product.h"

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
};

void catalog_sync_setup(void)
{
	/* $1 after_seq, $2 rows to read (the page's limit + 1) */
	st_sync = db_stmt_add("catalog_sync",
		"WITH r AS (SELECT coalesce(max(version), 0) AS v FROM exchange_rate_versions),"
		" p AS (SELECT product_id, sku, coalesce(barcode, '') AS barcode, name, category,"
		"  price_minor, currency, seq, active FROM products WHERE seq > $1::bigint"
		"  ORDER BY seq LIMIT $2::integer)"
		" SELECT r.v, p.product_id, p.sku, p.barcode, p.name, p.category, p.price_minor,"
		"  p.currency, p.seq, p.active FROM r LEFT JOIN p ON true ORDER BY p.seq",
		DB_LANE_WORK);
}

/* 1. The page is read: answer with at most limit (in c->state) products. */
static void sync_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CatalogPage page = KASSA__V1__CATALOG_PAGE__INIT;
	int limit, rows, n;

	if (!call_db_ok(c, st, res))
		return;
	limit = *(const int *)c->state;
	rows = PQntuples(res);
	if (rows > 0 && PQgetisnull(res, 0, SYNC_PRODUCT_ID))
		rows = 0;	/* nothing changed: the one row carries the rate version */
	n = rows > limit ? limit : rows;

	Kassa__V1__Product *ps = xcalloc((size_t)n + 1, sizeof(*ps));
	Kassa__V1__Product **pp = xcalloc((size_t)n + 1, sizeof(*pp));
	Kassa__V1__Money *prices = xcalloc((size_t)n + 1, sizeof(*prices));

	for (int i = 0; i < n; i++) {
		kassa__v1__product__init(&ps[i]);
		kassa__v1__money__init(&prices[i]);
		ps[i].product_id = strtoll(PQgetvalue(res, i, SYNC_PRODUCT_ID), NULL, 10);
		ps[i].sku = PQgetvalue(res, i, SYNC_SKU);
		ps[i].barcode = PQgetvalue(res, i, SYNC_BARCODE);
		ps[i].name = PQgetvalue(res, i, SYNC_NAME);
		ps[i].category = PQgetvalue(res, i, SYNC_CATEGORY);
		prices[i].minor = strtoll(PQgetvalue(res, i, SYNC_PRICE), NULL, 10);
		prices[i].currency = PQgetvalue(res, i, SYNC_CURRENCY);
		ps[i].price = &prices[i];
		ps[i].seq = strtoll(PQgetvalue(res, i, SYNC_SEQ), NULL, 10);
		ps[i].active = PQgetvalue(res, i, SYNC_ACTIVE)[0] == 't';
		pp[i] = &ps[i];
	}
	page.n_products = (size_t)n;
	page.products = pp;
	/* nothing new: the till asks after the same seq next time */
	page.last_seq = n > 0 ? ps[n - 1].seq : c->req->catalog_sync->after_seq;
	page.more = rows > limit;
	page.rate_version = PQntuples(res) > 0 ?
		(int32_t)strtol(PQgetvalue(res, 0, SYNC_RATE_VERSION), NULL, 10) : 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_CATALOG_PAGE;
	resp.catalog_page = &page;
	call_reply(c, &resp);
	free(ps);
	free(pp);
	free(prices);
}

void handle_catalog_sync(Call *c)
{
	const Kassa__V1__CatalogSync *q = c->req->catalog_sync;
	unsigned limit = q->limit ? q->limit : SYNC_LIMIT_DEFAULT;
	char after[24], rows[16];

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
	snprintf(after, sizeof(after), "%lld", (long long)q->after_seq);
	snprintf(rows, sizeof(rows), "%u", limit + 1);

	const char *params[2] = { after, rows };

	db_query(st_sync, 2, params, sync_db_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gift_admin.c: GiftItemPut puts a product in the gift catalogue (its
 * points cost > 0, its gift stock >= 0, withdrawn or not) with one call of
 * kassa_gift_item_put() (migrations/functions/catalog_admin.sql: the
 * idempotency record and the audit row 'gift.put'); GiftItemList reads
 * it. The checkout reads the gift catalogue with the member's state at
 * every sale (kassa_member_pricing()) and kassa_checkout() takes the gift
 * stock under a guard, so a change holds from the next sale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_admin.h"
#include "db.h"
#include "gift_admin.h"

#define GIFT_POINTS_MAX 100000000
#define GIFT_STOCK_MAX 1000000000

static int st_put;
static int st_list;

void gift_admin_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 sku $6 points $7 stock $8 active */
	st_put = db_stmt_add("gift_item_put",
		"SELECT * FROM kassa_gift_item_put($1, $2, $3, $4::bytea, $5, $6, $7, $8::boolean)",
		DB_LANE_WORK);
	/* $1 withdrawn ones too */
	st_list = db_stmt_add("gift_item_list",
		"SELECT * FROM kassa_gift_rows(0, $1::boolean)", DB_LANE_WORK);
}

/* Fill g from row of res (kassa_gift_rows()'s columns). */
static void gift_from_row(Kassa__V1__GiftItem *g, const PGresult *res, int row)
{
	g->product_id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	g->sku = PQgetvalue(res, row, 1);
	g->name = PQgetvalue(res, row, 2);
	g->points_cost = strtoll(PQgetvalue(res, row, 3), NULL, 10);
	g->stock = (int32_t)strtol(PQgetvalue(res, row, 4), NULL, 10);
	g->active = PQgetvalue(res, row, 5)[0] == 't';
}

static void put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__GiftItem g = KASSA__V1__GIFT_ITEM__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	gift_from_row(&g, res, 0);
	resp.body_case = KASSA__V1__RESPONSE__BODY_GIFT_ITEM;
	resp.gift_item = &g;
	call_reply(c, &resp);
}

void handle_gift_item_put(Call *c)
{
	const Kassa__V1__GiftItemPut *q = c->req->gift_item_put;
	CatalogParams cp;
	char points[24], stock[16];

	if (!catalog_code_ok(q->sku, 64)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SKU",
			  "give the product's SKU");
		return;
	}
	if (q->points_cost <= 0 || q->points_cost > GIFT_POINTS_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_POINTS",
			  "a gift costs 1 to %d points", GIFT_POINTS_MAX);
		return;
	}
	if (q->stock < 0 || q->stock > GIFT_STOCK_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STOCK",
			  "a gift's stock is 0 or more");
		return;
	}
	snprintf(points, sizeof(points), "%lld", (long long)q->points_cost);
	snprintf(stock, sizeof(stock), "%d", (int)q->stock);
	catalog_params_init(&cp, c, &q->base);

	const char *params[8] = {
		cp.till, cp.staff, c->req->idempotency_key, sqltext_str(&cp.hash),
		q->sku, points, stock, q->withdrawn ? "f" : "t",
	};
	db_query(st_put, 8, params, put_cb, c);
	catalog_params_free(&cp);
}

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__GiftCatalog cat = KASSA__V1__GIFT_CATALOG__INIT;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);

	Kassa__V1__GiftItem *gs = xcalloc((size_t)n + 1, sizeof(*gs));
	Kassa__V1__GiftItem **gp = xcalloc((size_t)n + 1, sizeof(*gp));

	for (int i = 0; i < n; i++) {
		kassa__v1__gift_item__init(&gs[i]);
		gift_from_row(&gs[i], res, i);
		gp[i] = &gs[i];
	}
	cat.n_items = (size_t)n;
	cat.items = gp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_GIFT_CATALOG;
	resp.gift_catalog = &cat;
	call_reply(c, &resp);
	free(gs);
	free(gp);
}

void handle_gift_item_list(Call *c)
{
	const char *all = c->req->gift_item_list->include_withdrawn ? "t" : "f";

	db_query(st_list, 1, &all, list_cb, c);
}

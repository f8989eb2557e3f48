/* SPDX-License-Identifier: Apache-2.0 */
/*
 * price_list.c: PriceListPut and PriceListQuery, stores' price lists.
 *
 * A list is named per store and has its business days (valid_from, an
 * inclusive valid_to or an open end), a priority and items (SKU, price).
 * PriceListPut creates or replaces the whole list: kassad checks the
 * values, then one call of kassa_price_list_put()
 * (migrations/functions/price_lists.sql) guards the store and the SKUs,
 * writes the list, its items, the idempotency record and the audit row
 * 'price_list.put', and touches the products whose price may change so
 * that their seq moves on (tills refetch them by CatalogSync). kassad's
 * checkout cache holds each product's price-list items (catalog.h); a copy
 * older than the change makes kassa_checkout() answer PRICE_CHANGED, and
 * the checkout reloads and prices again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_admin.h"
#include "date.h"
#include "db.h"
#include "price_list.h"

#define PRICE_LIST_NAME_MAX 100		/* characters */
#define PRICE_LIST_ITEMS_MAX 5000
#define PRICE_LIST_PRIORITY_MAX 1000000
#define PRICE_LIST_PRICE_MAX 100000000000LL

static int st_put;
static int st_query;

/* Columns of the query statement, one row per item (or a list without any). */
enum {
	PL_LIST_ID = 0,
	PL_NAME,
	PL_STORE,
	PL_FROM,
	PL_TO,
	PL_PRIORITY,
	PL_SKU,		/* NULL: a list without items */
	PL_PRICE,
	PL_PRODUCT,
};

void price_list_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 name $6 store $7 from $8 to ('' open)
	 * $9 priority $10 SKUs $11 prices */
	st_put = db_stmt_add("price_list_put",
		"SELECT r_list_id, array_to_string(r_skus, ' ')"
		" FROM kassa_price_list_put($1, $2, $3, $4::bytea, $5, $6, $7::date,"
		" nullif($8, '')::date, $9, $10::text[], $11::bigint[])", DB_LANE_WORK);
	/* $1 store (0: all) */
	st_query = db_stmt_add("price_list_query",
		"SELECT l.list_id, l.name, l.store_id, l.valid_from::text,"
		" coalesce(l.valid_to::text, ''), l.priority, p.sku, i.price_minor, i.product_id"
		" FROM price_lists l LEFT JOIN price_list_items i ON i.list_id = l.list_id"
		" LEFT JOIN products p ON p.product_id = i.product_id"
		" WHERE $1::bigint = 0 OR l.store_id = $1::bigint"
		" ORDER BY l.store_id, l.valid_from, l.list_id, p.sku", DB_LANE_WORK);
}

/*
 * Forget kassad's cached copies of the products in skus (separated by
 * spaces; a SKU has none): the next sale reads their price lists again
 * rather than pricing, and checking the tender, with the old ones.
 */
static void forget_skus(const char *skus)
{
	char *copy = xstrdup(skus), *save = NULL;

	for (char *s = strtok_r(copy, " ", &save); s != NULL; s = strtok_r(NULL, " ", &save))
		catalog_forget(s);
	free(copy);
}

static void put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__PriceListPut *q = c->req->price_list_put;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PriceList pl = KASSA__V1__PRICE_LIST__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	forget_skus(PQgetvalue(res, 0, 1));
	/* the same key answers the same list: the request is the one stored (its hash) */
	pl.list_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	pl.name = q->name;
	pl.store_id = q->store_id;
	pl.valid_from = q->valid_from;
	pl.valid_to = q->valid_to;
	pl.priority = q->priority;
	pl.n_items = q->n_items;
	pl.items = q->items;
	resp.body_case = KASSA__V1__RESPONSE__BODY_PRICE_LIST;
	resp.price_list = &pl;
	call_reply(c, &resp);
}

/* Check PriceListPut's values; false after answering c. */
static bool put_check(Call *c, const Kassa__V1__PriceListPut *q)
{
	if (!catalog_text_ok(q->name, PRICE_LIST_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  "a price list's name is 1-%d characters on one line", PRICE_LIST_NAME_MAX);
		return false;
	}
	if (q->store_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE",
			  "give the store's id");
		return false;
	}
	if (!date_parse(q->valid_from, NULL, NULL, NULL) ||
	    (q->valid_to[0] && !date_parse(q->valid_to, NULL, NULL, NULL))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATE",
			  "dates are YYYY-MM-DD; a list needs its first day");
		return false;
	}
	/* both are YYYY-MM-DD: text order is date order */
	if (q->valid_to[0] && strcmp(q->valid_to, q->valid_from) < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATE",
			  "a price list cannot end before it starts");
		return false;
	}
	if (q->priority < -PRICE_LIST_PRIORITY_MAX || q->priority > PRICE_LIST_PRIORITY_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRIORITY",
			  "a priority is between -%d and %d", PRICE_LIST_PRIORITY_MAX,
			  PRICE_LIST_PRIORITY_MAX);
		return false;
	}
	if (q->n_items < 1 || q->n_items > PRICE_LIST_ITEMS_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ITEMS",
			  "a price list has 1-%d items", PRICE_LIST_ITEMS_MAX);
		return false;
	}
	for (size_t i = 0; i < q->n_items; i++) {
		if (q->items[i]->sku[0] == '\0' || strlen(q->items[i]->sku) > 64 ||
		    q->items[i]->price_minor < 0 || q->items[i]->price_minor > PRICE_LIST_PRICE_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ITEMS",
				  "item %zu: give a SKU and a price of 0 or more", i + 1);
			return false;
		}
	}
	return true;
}

void handle_price_list_put(Call *c)
{
	const Kassa__V1__PriceListPut *q = c->req->price_list_put;
	CatalogParams cp;
	SqlText skus = SQLTEXT_INIT, prices = SQLTEXT_INIT;
	char store[24], prio[16];

	if (!put_check(c, q))
		return;
	sqltext_open(&skus);
	sqltext_open(&prices);
	for (size_t i = 0; i < q->n_items; i++) {
		sqltext_elem_str(&skus, q->items[i]->sku);
		sqltext_elem_int(&prices, q->items[i]->price_minor);
	}
	sqltext_close(&skus);
	sqltext_close(&prices);
	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);
	snprintf(prio, sizeof(prio), "%d", (int)q->priority);
	catalog_params_init(&cp, c, &q->base);

	const char *params[11] = {
		cp.till, cp.staff, c->req->idempotency_key, sqltext_str(&cp.hash),
		q->name, store, q->valid_from, q->valid_to, prio,
		sqltext_str(&skus), sqltext_str(&prices),
	};
	db_query(st_put, 11, params, put_cb, c);
	catalog_params_free(&cp);
	sqltext_free(&skus);
	sqltext_free(&prices);
}

static void query_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PriceListRoster roster = KASSA__V1__PRICE_LIST_ROSTER__INIT;
	int rows, nl = 0, ni = 0;

	if (!call_db_ok(c, st, res))
		return;
	rows = PQntuples(res);

	Kassa__V1__PriceList *ls = xcalloc((size_t)rows + 1, sizeof(*ls));
	Kassa__V1__PriceList **lp = xcalloc((size_t)rows + 1, sizeof(*lp));
	Kassa__V1__CatalogPriceItem *is = xcalloc((size_t)rows + 1, sizeof(*is));
	Kassa__V1__CatalogPriceItem **ip = xcalloc((size_t)rows + 1, sizeof(*ip));

	for (int r = 0; r < rows; r++) {
		int64_t id = strtoll(PQgetvalue(res, r, PL_LIST_ID), NULL, 10);

		if (nl == 0 || ls[nl - 1].list_id != id) {
			Kassa__V1__PriceList *l = &ls[nl];

			kassa__v1__price_list__init(l);
			l->list_id = id;
			l->name = PQgetvalue(res, r, PL_NAME);
			l->store_id = strtoll(PQgetvalue(res, r, PL_STORE), NULL, 10);
			l->valid_from = PQgetvalue(res, r, PL_FROM);
			l->valid_to = PQgetvalue(res, r, PL_TO);
			l->priority = (int32_t)strtol(PQgetvalue(res, r, PL_PRIORITY), NULL, 10);
			l->items = &ip[ni];	/* the rows of a list are together */
			lp[nl++] = l;
		}
		if (PQgetisnull(res, r, PL_SKU))
			continue;
		kassa__v1__catalog_price_item__init(&is[ni]);
		is[ni].sku = PQgetvalue(res, r, PL_SKU);
		is[ni].price_minor = strtoll(PQgetvalue(res, r, PL_PRICE), NULL, 10);
		is[ni].product_id = strtoll(PQgetvalue(res, r, PL_PRODUCT), NULL, 10);
		ip[ni] = &is[ni];
		ni++;
		ls[nl - 1].n_items++;
	}
	roster.n_lists = (size_t)nl;
	roster.lists = lp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_PRICE_LIST_ROSTER;
	resp.price_list_roster = &roster;
	call_reply(c, &resp);
	free(ls);
	free(lp);
	free(is);
	free(ip);
}

void handle_price_list_query(Call *c)
{
	const Kassa__V1__PriceListQuery *q = c->req->price_list_query;
	char store[24];

	if (q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE",
			  "give the store's id, or 0 for every store");
		return;
	}
	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);

	const char *params[1] = { store };

	db_query(st_query, 1, params, query_cb, c);
}

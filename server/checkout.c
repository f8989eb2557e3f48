/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkout.c: a sale, exactly once, in one database round trip.
 *
 *   1. check the request (lines, quantities, tenders, key);
 *   2. price every line from the catalogue cache; codes not cached are
 *      fetched in one query first;
 *   3. compute the total, the change and the points with rules.c;
 *   4. call kassa_checkout() (migrations/0002_checkout.sql) as one prepared
 *      statement: it re-checks the prices, writes the sale, its lines and
 *      tenders, the member's ledger row and balances and the idempotency
 *      record in one transaction, and returns the sale as JSON;
 *   5. answer with that JSON turned into a Transaction.
 *
 * If a price changed since it was cached, step 4 fails with PRICE_CHANGED
 * and nothing is written; the handler forgets the sale's codes and starts
 * again from step 2 once. A retried request (same idempotency key, same
 * body) is answered by kassa_checkout() from the first sale's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "catalog.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "rules.h"
#include "server.h"
#include "sqltext.h"

#define CHECKOUT_MAX_TENDERS 16
#define CHECKOUT_REF_MAX 64
#define CHECKOUT_CODE_MAX 64
#define CHECKOUT_MAX_ATTEMPTS 2

static int st_products;
static int st_checkout;

void checkout_setup(void)
{
	st_products = db_stmt_add("products_by_codes",
		"SELECT " CATALOG_COLUMNS " FROM products"
		" WHERE active AND (sku = ANY($1::text[]) OR barcode = ANY($1::text[]))"
		/* SKU matches last: put last wins a code that is one's SKU, another's barcode */
		" ORDER BY sku = ANY($1::text[])", DB_LANE_WORK);
	st_checkout = db_stmt_add("checkout",
		"SELECT kassa_checkout($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
		" $13, $14, $15, $16)", DB_LANE_WORK);
}

static void checkout_price(Call *c);

/* Step 1: everything that can be checked without the database. */
static bool checkout_check(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	if (co->n_lines == 0 || co->n_lines > RULES_MAX_LINES) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES",
			  "a sale has 1-%d lines", RULES_MAX_LINES);
		return false;
	}
	for (size_t i = 0; i < co->n_lines; i++) {
		const Kassa__V1__SaleLine *l = co->lines[i];
		size_t n = strlen(l->code);

		if (n == 0 || n > CHECKOUT_CODE_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRODUCT_CODE",
				  "line %zu: a product code is 1-%d characters", i + 1,
				  CHECKOUT_CODE_MAX);
			return false;
		}
		if (l->quantity < 1 || l->quantity > RULES_MAX_QTY) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
				  "line %zu: quantity must be 1-%d, not %d", i + 1, RULES_MAX_QTY,
				  l->quantity);
			return false;
		}
	}
	if (co->n_tenders == 0 || co->n_tenders > CHECKOUT_MAX_TENDERS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDERS",
			  "a sale has 1-%d tenders", CHECKOUT_MAX_TENDERS);
		return false;
	}
	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];
		size_t n = strlen(t->reference);

		if (t->kind != KASSA__V1__TENDER_KIND__TENDER_CASH &&
		    t->kind != KASSA__V1__TENDER_KIND__TENDER_CARD &&
		    t->kind != KASSA__V1__TENDER_KIND__TENDER_EWALLET) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDER_KIND",
				  "tender %zu: unknown kind %d", i + 1, (int)t->kind);
			return false;
		}
		if (t->amount_minor <= 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AMOUNT",
				  "tender %zu: the amount must be positive", i + 1);
			return false;
		}
		if (n > CHECKOUT_REF_MAX ||
		    (t->kind != KASSA__V1__TENDER_KIND__TENDER_CASH && n == 0)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REFERENCE",
				  "tender %zu: card and e-wallet tenders need a reference of "
				  "1-%d characters", i + 1, CHECKOUT_REF_MAX);
			return false;
		}
	}
	if (co->member_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
			  "member id must be positive, or 0 for an anonymous sale");
		return false;
	}
	return true;
}

/* Step 2b: codes the cache did not know have been read. */
static void checkout_products_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__Checkout *co;

	if (!call_db_ok(c, st, res))
		return;
	for (int i = 0; i < PQntuples(res); i++)
		catalog_put_row(res, i);
	co = c->req->checkout;
	for (size_t i = 0; i < co->n_lines; i++) {
		if (catalog_get(co->lines[i]->code) == NULL) {
			call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "UNKNOWN_PRODUCT",
				  "line %zu: no product has code \"%s\"", i + 1,
				  co->lines[i]->code);
			return;
		}
	}
	checkout_price(c);
}

/* Step 4's answer. */
static void checkout_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA412") == 0 &&
	    strcmp(db_errmsg(res), "PRICE_CHANGED") == 0 &&
	    c->attempts < CHECKOUT_MAX_ATTEMPTS) {
		const Kassa__V1__Checkout *co = c->req->checkout;

		log_info("checkout: a price changed since it was cached; reloading");
		for (size_t i = 0; i < co->n_lines; i++)
			catalog_forget(co->lines[i]->code);
		checkout_price(c);
		return;
	}
	if (st != DB_OK) {
		call_fail_db(c, st, res);
		return;
	}
	txn_reply_json(c, PQgetvalue(res, 0, 0));
}

/* The request body's hash: the same key with another body is refused. */
static void checkout_hash(const Kassa__V1__Checkout *co, SqlText *out)
{
	size_t n = kassa__v1__checkout__get_packed_size(co);
	uint8_t *buf = xmalloc(n ? n : 1);
	uint8_t h[32];

	kassa__v1__checkout__pack(co, buf);
	crypto_generichash(h, sizeof(h), buf, n, NULL, 0);
	free(buf);
	sqltext_bytea(out, h, sizeof(h));
}

/* The array and bytea parameters of one kassa_checkout() call. */
typedef struct CheckoutArgs {
	SqlText ids, qtys, prices;		/* per line */
	SqlText kinds, amounts, refs;		/* per tender */
	SqlText hash;				/* of the request body */
	int64_t total, tendered, change, points;
} CheckoutArgs;

static void checkout_args_free(CheckoutArgs *a)
{
	sqltext_free(&a->ids);
	sqltext_free(&a->qtys);
	sqltext_free(&a->prices);
	sqltext_free(&a->kinds);
	sqltext_free(&a->amounts);
	sqltext_free(&a->refs);
	sqltext_free(&a->hash);
}

/* Step 2: start fetching codes the cache does not know; true if it did. */
static bool checkout_fetch_missing(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	SqlText missing = SQLTEXT_INIT;
	bool fetching;

	sqltext_open(&missing);
	for (size_t i = 0; i < co->n_lines; i++)
		if (catalog_get(co->lines[i]->code) == NULL)
			sqltext_elem_str(&missing, co->lines[i]->code);
	sqltext_close(&missing);
	fetching = missing.len > 2;
	if (fetching) {
		const char *p = sqltext_str(&missing);

		db_query(st_products, 1, &p, checkout_products_cb, c);
	}
	sqltext_free(&missing);
	return fetching;
}

/* Step 3a: price every line from the cache; false (c answered) on a bad line. */
static bool checkout_lines(Call *c, CheckoutArgs *a)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	const Session *s = c->sess;

	sqltext_open(&a->ids);
	sqltext_open(&a->qtys);
	sqltext_open(&a->prices);
	for (size_t i = 0; i < co->n_lines; i++) {
		const CatalogItem *it = catalog_get(co->lines[i]->code);
		int64_t line;

		if (strcmp(it->currency, s->currency) != 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CURRENCY_MISMATCH",
				  "line %zu: %s is priced in %s, this store sells in %s", i + 1,
				  it->sku, it->currency, s->currency);
			return false;
		}
		if (!rules_line_total(it->price_minor, co->lines[i]->quantity, &line) ||
		    !money_add(a->total, line, &a->total)) {
			call_fail(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
				  "line %zu: the amount is too large", i + 1);
			return false;
		}
		sqltext_elem_int(&a->ids, it->product_id);
		sqltext_elem_int(&a->qtys, co->lines[i]->quantity);
		sqltext_elem_int(&a->prices, it->price_minor);
	}
	sqltext_close(&a->ids);
	sqltext_close(&a->qtys);
	sqltext_close(&a->prices);
	return true;
}

/* Step 3b: the tenders must cover the total, change only from cash. */
static bool checkout_tenders(Call *c, CheckoutArgs *a)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	int64_t amt[CHECKOUT_MAX_TENDERS], sum = 0;
	bool cash[CHECKOUT_MAX_TENDERS];
	char due[MONEY_FMT_LEN], got[MONEY_FMT_LEN];

	sqltext_open(&a->kinds);
	sqltext_open(&a->amounts);
	sqltext_open(&a->refs);
	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];

		amt[i] = t->amount_minor;
		cash[i] = t->kind == KASSA__V1__TENDER_KIND__TENDER_CASH;
		sqltext_elem_int(&a->kinds, (int64_t)t->kind);
		sqltext_elem_int(&a->amounts, t->amount_minor);
		sqltext_elem_str(&a->refs, t->reference);
	}
	sqltext_close(&a->kinds);
	sqltext_close(&a->amounts);
	sqltext_close(&a->refs);

	switch (rules_settle(a->total, amt, cash, (int)co->n_tenders, &a->tendered, &a->change)) {
	case RULES_TENDER_OK:
		return true;
	case RULES_TENDER_SHORT:
		for (size_t i = 0; i < co->n_tenders; i++)
			sum += amt[i];	/* cannot overflow: SHORT means sum < total */
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "INSUFFICIENT_TENDER",
			  "the tenders (%s) do not cover the total (%s)",
			  money_format(sum, got, sizeof(got)),
			  money_format(a->total, due, sizeof(due)));
		return false;
	case RULES_TENDER_CHANGE_NOT_CASH:
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CHANGE_WITHOUT_CASH",
			  "change can only be given from cash; card and e-wallet tenders must "
			  "not exceed what is due");
		return false;
	case RULES_TENDER_BAD_AMOUNT:
		break;
	}
	call_fail(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
		  "the tender amounts are too large");
	return false;
}

/* Step 4: the one statement that records the sale. */
static void checkout_send(Call *c, CheckoutArgs *a)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	const Session *s = c->sess;
	char p_store[24], p_till[24], p_staff[24], p_member[24];
	char p_total[24], p_tendered[24], p_change[24], p_points[24];

	checkout_hash(co, &a->hash);
	snprintf(p_store, sizeof(p_store), "%lld", (long long)s->store_id);
	snprintf(p_till, sizeof(p_till), "%lld", (long long)s->till_id);
	snprintf(p_staff, sizeof(p_staff), "%lld", (long long)c->staff_id);
	snprintf(p_member, sizeof(p_member), "%lld", (long long)co->member_id);
	snprintf(p_total, sizeof(p_total), "%lld", (long long)a->total);
	snprintf(p_tendered, sizeof(p_tendered), "%lld", (long long)a->tendered);
	snprintf(p_change, sizeof(p_change), "%lld", (long long)a->change);
	snprintf(p_points, sizeof(p_points), "%lld", (long long)a->points);

	const char *params[16] = {
		p_store, p_till, p_staff, c->req->idempotency_key, sqltext_str(&a->hash),
		p_member, sqltext_str(&a->ids), sqltext_str(&a->qtys), sqltext_str(&a->prices),
		sqltext_str(&a->kinds), sqltext_str(&a->amounts), sqltext_str(&a->refs),
		p_total, p_tendered, p_change, p_points,
	};

	c->attempts++;
	db_query(st_checkout, 16, params, checkout_db_cb, c);
}

/* Steps 2-4: price from the cache (fetching what is missing), then send. */
static void checkout_price(Call *c)
{
	CheckoutArgs a = { SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT,
			   SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT, 0, 0, 0, 0 };

	if (checkout_fetch_missing(c))
		return;	/* checkout_products_cb comes back here */
	if (checkout_lines(c, &a) && checkout_tenders(c, &a)) {
		if (c->req->checkout->member_id > 0)
			a.points = rules_earn_points(a.total, RULES_DEFAULT_MINOR_PER_POINT);
		checkout_send(c, &a);
	}
	checkout_args_free(&a);
}

void handle_checkout(Call *c)
{
	if (!checkout_check(c))
		return;
	checkout_price(c);
}

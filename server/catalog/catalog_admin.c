/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_admin.c: products and categories administered by head office.
 *
 * ProductPut creates or replaces the product of a SKU: kassad checks the
 * values (the barcode's GS1 check digit with common/barcode.c, the
 * lengths, the price), then one call of kassa_product_put()
 * (migrations/functions/catalog_admin.sql) guards the category and the
 * barcode's uniqueness and writes the product, its idempotency record and
 * the audit row 'product.put'. The write moves the product's seq on, so a
 * till's CatalogSync after its last seq brings it; kassad's own cache
 * (catalog.c) is forgotten for the SKU, and a checkout priced from an
 * older copy elsewhere gets PRICE_CHANGED and reloads.
 * CategoryPut is the same for categories ('category.put'); ProductList and
 * CategoryList read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "catalog.h"
#include "catalog_admin.h"
#include "db.h"
#include "product.h"

#define PRODUCT_SKU_MAX 64		/* bytes */
#define PRODUCT_NAME_MAX 200		/* characters */
#define CATEGORY_CODE_MAX 32		/* bytes */
#define CATEGORY_NAME_MAX 100		/* characters */
#define PRODUCT_PRICE_MAX 100000000000LL	/* a billion in major units */
#define PRODUCT_LIST_DEFAULT 200
#define PRODUCT_LIST_MAX 1000

static int st_product_put;
static int st_product_list;
static int st_category_put;
static int st_category_list;

void catalog_admin_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 sku $6 barcode $7 name $8 category $9 price
	 * $10 currency $11 active $12 stocked */
	st_product_put = db_stmt_add("product_put",
		"SELECT * FROM kassa_product_put($1, $2, $3, $4::bytea, $5, $6, $7, $8, $9, $10,"
		" $11::boolean, $12::boolean)", DB_LANE_WORK);
	/* $1 category ('' all) $2 name prefix $3 after seq $4 rows (limit + 1) */
	st_product_list = db_stmt_add("product_list",
		"SELECT product_id, sku, coalesce(barcode, ''), name, category, price_minor,"
		" currency, seq, active, stocked FROM products"
		" WHERE seq > $3::bigint AND ($1 = '' OR category = $1)"
		"  AND ($2 = '' OR starts_with(name, $2))"
		" ORDER BY seq LIMIT $4::integer", DB_LANE_WORK);
	/* $1 till $2 staff $3 key $4 hash $5 code $6 name $7 parent $8 active */
	st_category_put = db_stmt_add("category_put",
		"SELECT * FROM kassa_category_put($1, $2, $3, $4::bytea, $5, $6, $7, $8::boolean)",
		DB_LANE_WORK);
	st_category_list = db_stmt_add("category_list",
		"SELECT * FROM kassa_category_rows(0)", DB_LANE_WORK);
}

void catalog_params_init(CatalogParams *p, const Call *c, const ProtobufCMessage *body)
{
	p->hash = (SqlText)SQLTEXT_INIT;
	sqltext_hash(&p->hash, body);
	snprintf(p->till, sizeof(p->till), "%lld", (long long)c->sess->till_id);
	snprintf(p->staff, sizeof(p->staff), "%lld", (long long)c->staff_id);
}

void catalog_params_free(CatalogParams *p)
{
	sqltext_free(&p->hash);
}

bool catalog_text_ok(const char *s, size_t max)
{
	size_t n = 0;
	bool blank = true;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p != ' ')
			blank = false;
		if ((*p & 0xc0) != 0x80)
			n++;	/* every byte but a continuation byte starts a character */
	}
	return n >= 1 && n <= max && !blank;
}

bool catalog_code_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= 'a' && ch <= 'z') || ch == '-' || ch == '_' || ch == '.' || ch == '/'))
			return false;
	}
	return true;
}

static void product_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Product p = KASSA__V1__PRODUCT__INIT;
	Kassa__V1__Money price = KASSA__V1__MONEY__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	catalog_product_from_row(&p, &price, res, 0, 0);
	/* kassad's copy goes: the next sale or lookup reads the new one */
	catalog_forget(p.sku);
	if (p.barcode[0])
		catalog_forget(p.barcode);
	resp.body_case = KASSA__V1__RESPONSE__BODY_PRODUCT;
	resp.product = &p;
	call_reply(c, &resp);
}

/* The barcode refusal for status b (not BARCODE_OK). */
static void barcode_refuse(Call *c, BarcodeStatus b)
{
	switch (b) {
	case BARCODE_BAD_LENGTH:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_BARCODE",
			  "a barcode is an EAN-13 (13 digits), UPC-A (12) or EAN-8 (8)");
		return;
	case BARCODE_NOT_DIGITS:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_BARCODE",
			  "a barcode has digits only");
		return;
	case BARCODE_BAD_CHECK:
	case BARCODE_OK:
		break;
	}
	call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_BARCODE",
		  "the barcode's check digit is wrong: mistyped?");
}

/* Check ProductPut's values; false after answering c. */
static bool product_put_check(Call *c, const Kassa__V1__ProductPut *q)
{
	BarcodeStatus b;

	if (!catalog_code_ok(q->sku, PRODUCT_SKU_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SKU",
			  "a SKU is 1-%d letters, digits or - _ . /", PRODUCT_SKU_MAX);
		return false;
	}
	if (!catalog_text_ok(q->name, PRODUCT_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  "a product's name is 1-%d characters on one line", PRODUCT_NAME_MAX);
		return false;
	}
	if (q->barcode[0] && (b = barcode_check(q->barcode)) != BARCODE_OK) {
		barcode_refuse(c, b);
		return false;
	}
	if (q->category[0] && !catalog_text_ok(q->category, CATEGORY_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_CATEGORY",
			  "no category has that name");
		return false;
	}
	if (q->price_minor < 0 || q->price_minor > PRODUCT_PRICE_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRICE",
			  "a price is 0 or more (at most %lld in minor units)", PRODUCT_PRICE_MAX);
		return false;
	}
	if (q->currency[0] && (strlen(q->currency) != 3 || strspn(q->currency,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURRENCY",
			  "a currency is a code of three capital letters, like CNY");
		return false;
	}
	return true;
}

void handle_product_put(Call *c)
{
	const Kassa__V1__ProductPut *q = c->req->product_put;
	CatalogParams cp;
	char price[24];

	if (!product_put_check(c, q))
		return;
	snprintf(price, sizeof(price), "%lld", (long long)q->price_minor);
	catalog_params_init(&cp, c, &q->base);

	const char *params[12] = {
		cp.till, cp.staff, c->req->idempotency_key, sqltext_str(&cp.hash),
		q->sku, q->barcode, q->name, q->category, price,
		q->currency[0] ? q->currency : "CNY", q->withdrawn ? "f" : "t",
		q->not_stocked ? "f" : "t",
	};
	db_query(st_product_put, 12, params, product_put_cb, c);
	catalog_params_free(&cp);
}

static void product_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	catalog_page_reply(c, res, 0, PQntuples(res), *(const int *)c->state,
			   c->req->product_list->after_seq, 0, false);
}

void handle_product_list(Call *c)
{
	const Kassa__V1__ProductList *q = c->req->product_list;
	unsigned limit = q->limit ? q->limit : PRODUCT_LIST_DEFAULT;
	char after[24], rows[16];

	if (q->after_seq < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SEQ",
			  "after_seq is a change number, 0 or more");
		return;
	}
	if (limit > PRODUCT_LIST_MAX)
		limit = PRODUCT_LIST_MAX;
	c->state = xmalloc(sizeof(int));
	*(int *)c->state = (int)limit;
	c->state_free = free;
	snprintf(after, sizeof(after), "%lld", (long long)q->after_seq);
	snprintf(rows, sizeof(rows), "%u", limit + 1);

	const char *params[4] = { q->category, q->name_prefix, after, rows };

	db_query(st_product_list, 4, params, product_list_cb, c);
}

/* Answer c with the categories of res (kassa_category_rows()'s columns). */
static void category_answer(Call *c, const PGresult *res, bool one)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CategoryRoster roster = KASSA__V1__CATEGORY_ROSTER__INIT;
	int n = PQntuples(res);
	Kassa__V1__Category *cs = xcalloc((size_t)n + 1, sizeof(*cs));
	Kassa__V1__Category **cp = xcalloc((size_t)n + 1, sizeof(*cp));

	for (int i = 0; i < n; i++) {
		kassa__v1__category__init(&cs[i]);
		cs[i].category_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		cs[i].code = PQgetvalue(res, i, 1);
		cs[i].name = PQgetvalue(res, i, 2);
		cs[i].parent = PQgetvalue(res, i, 3);
		cs[i].active = PQgetvalue(res, i, 4)[0] == 't';
		cp[i] = &cs[i];
	}
	if (one) {
		resp.body_case = KASSA__V1__RESPONSE__BODY_CATEGORY;
		resp.category = &cs[0];
	} else {
		roster.n_categories = (size_t)n;
		roster.categories = cp;
		resp.body_case = KASSA__V1__RESPONSE__BODY_CATEGORY_ROSTER;
		resp.category_roster = &roster;
	}
	call_reply(c, &resp);
	free(cs);
	free(cp);
}

static void category_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	category_answer(c, res, true);
}

void handle_category_put(Call *c)
{
	const Kassa__V1__CategoryPut *q = c->req->category_put;
	CatalogParams cp;

	if (!catalog_code_ok(q->code, CATEGORY_CODE_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CATEGORY_CODE",
			  "a category code is 1-%d letters, digits or - _ . /", CATEGORY_CODE_MAX);
		return;
	}
	if (!catalog_text_ok(q->name, CATEGORY_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  "a category's name is 1-%d characters on one line", CATEGORY_NAME_MAX);
		return;
	}
	if (strcmp(q->parent, q->code) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PARENT",
			  "a category cannot be below itself");
		return;
	}
	catalog_params_init(&cp, c, &q->base);

	const char *params[8] = {
		cp.till, cp.staff, c->req->idempotency_key, sqltext_str(&cp.hash),
		q->code, q->name, q->parent, q->withdrawn ? "f" : "t",
	};
	db_query(st_category_put, 8, params, category_put_cb, c);
	catalog_params_free(&cp);
}

static void category_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	category_answer(c, res, false);
}

void handle_category_list(Call *c)
{
	db_query(st_category_list, 0, NULL, category_list_cb, c);
}

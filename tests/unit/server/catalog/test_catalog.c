/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_catalog: kassad's in-memory catalogue cache (server/catalog/catalog.c),
 * which prices a checkout's lines without a database round trip. It guards
 * that an item put from a result row is found under its SKU and under its
 * barcode with every column intact (long and UTF-8 text included, copied
 * out of the PGresult), that an item without a barcode is not found under
 * "", that a new row for a cached code replaces the old item instead of
 * adding a second, that forgetting either code forgets both, that the
 * count is of items (not codes), that the table keeps every item when it
 * grows past its first size, and that clearing empties it for reuse. Rows
 * are real PGresults made with libpq's own PQmakeEmptyPGresult(),
 * PQsetResultAttrs() and PQsetvalue(); no database is involved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "catalog.h"

#define NCOLS 7			/* CATALOG_COLUMNS */
#define GROWTH_ITEMS 5000	/* 10,000 codes: the table doubles three times */

typedef struct Row {
	int64_t id;		/* product_id */
	const char *sku;
	const char *barcode;	/* "" if none, as coalesce() gives it */
	const char *name;
	const char *category;
	int64_t price;		/* price_minor */
	const char *currency;
} Row;

/* A tuples result with CATALOG_COLUMNS' columns and no rows. */
static PGresult *result_new(void)
{
	static const char *names[NCOLS] = { "product_id", "sku", "coalesce", "name",
					    "category", "price_minor", "currency" };
	PGresAttDesc att[NCOLS];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	assert_non_null(res);
	memset(att, 0, sizeof(att));
	for (int i = 0; i < NCOLS; i++) {
		att[i].name = (char *)names[i];
		att[i].typlen = -1;
		att[i].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, NCOLS, att), 1);
	return res;
}

static void set_text(PGresult *res, int row, int col, const char *v)
{
	assert_int_equal(PQsetvalue(res, row, col, (char *)v, (int)strlen(v)), 1);
}

static void result_add(PGresult *res, int row, const Row *r)
{
	char id[24], price[24];

	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(price, sizeof(price), "%lld", (long long)r->price);
	set_text(res, row, 0, id);
	set_text(res, row, 1, r->sku);
	set_text(res, row, 2, r->barcode);
	set_text(res, row, 3, r->name);
	set_text(res, row, 4, r->category);
	set_text(res, row, 5, price);
	set_text(res, row, 6, r->currency);
}

/* Put one row the way product.c and checkout.c do, then drop the result. */
static void put(const Row *r)
{
	PGresult *res = result_new();

	result_add(res, 0, r);
	catalog_put_row(res, 0);
	PQclear(res);
}

static void put_simple(int64_t id, const char *sku, const char *barcode, int64_t price)
{
	Row r = { id, sku, barcode, "Item", "misc", price, "CNY" };

	put(&r);
}

static int64_t id_of(const char *code)
{
	const CatalogItem *it = catalog_get(code);

	return it ? it->product_id : -1;
}

static int teardown(void **state)
{
	(void)state;
	catalog_clear();
	return 0;
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(catalog_size(), 0);
	assert_null(catalog_get("SKU-APPLE"));
	assert_null(catalog_get(""));
	catalog_forget("SKU-APPLE");	/* nothing to forget: no effect */
	assert_int_equal(catalog_size(), 0);
}

static void test_found_by_sku_and_barcode(void **state)
{
	Row r = { 42, "SKU-APPLE", "6901234567892", "Apple", "fruit", 350, "CNY" };
	const CatalogItem *it;

	(void)state;
	put(&r);
	assert_int_equal(catalog_size(), 1);
	it = catalog_get("SKU-APPLE");
	assert_non_null(it);
	assert_ptr_equal(catalog_get("6901234567892"), it);
	assert_int_equal(it->product_id, 42);
	assert_string_equal(it->sku, "SKU-APPLE");
	assert_string_equal(it->barcode, "6901234567892");
	assert_string_equal(it->name, "Apple");
	assert_string_equal(it->category, "fruit");
	assert_int_equal(it->price_minor, 350);
	assert_string_equal(it->currency, "CNY");
	/* codes are exact: no prefix, no case folding */
	assert_null(catalog_get("SKU-APPL"));
	assert_null(catalog_get("sku-apple"));
	assert_null(catalog_get("SKU-APPLE "));
}

static void test_no_barcode(void **state)
{
	(void)state;
	put_simple(7, "SKU-TEA", "", 1200);
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(id_of("SKU-TEA"), 7);
	assert_null(catalog_get(""));	/* "" is "no barcode", not a code */
	put_simple(8, "SKU-RICE", "", 900);
	assert_int_equal(catalog_size(), 2);
	assert_null(catalog_get(""));
	catalog_forget("SKU-TEA");
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(id_of("SKU-RICE"), 8);
}

/* The item owns its text: the PGresult dies right after the callback. */
static void test_copies_out_of_result(void **state)
{
	Row r = { 42, "SKU-APPLE", "6901234567892", "Apple", "fruit", 350, "CNY" };
	PGresult *res = result_new();
	const CatalogItem *it;

	(void)state;
	result_add(res, 0, &r);
	catalog_put_row(res, 0);
	for (int col = 1; col <= 6; col++) {	/* scribble over the result's text */
		char *v = PQgetvalue(res, 0, col);

		memset(v, 'X', strlen(v));
	}
	it = catalog_get("SKU-APPLE");
	assert_non_null(it);
	assert_string_equal(it->sku, "SKU-APPLE");
	assert_string_equal(it->barcode, "6901234567892");
	assert_string_equal(it->name, "Apple");
	assert_string_equal(it->category, "fruit");
	assert_string_equal(it->currency, "CNY");
	PQclear(res);
	assert_ptr_equal(catalog_get("6901234567892"), it);
	assert_string_equal(it->name, "Apple");
}

/* A price change re-read from the database replaces the cached item. */
static void test_put_again_replaces(void **state)
{
	(void)state;
	put_simple(42, "SKU-APPLE", "6901234567892", 350);
	put_simple(42, "SKU-APPLE", "6901234567892", 399);
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(catalog_get("SKU-APPLE")->price_minor, 399);
	assert_int_equal(catalog_get("6901234567892")->price_minor, 399);

	/* a new barcode: the old one no longer finds the item */
	put_simple(42, "SKU-APPLE", "6900000000001", 399);
	assert_int_equal(catalog_size(), 1);
	assert_null(catalog_get("6901234567892"));
	assert_int_equal(id_of("6900000000001"), 42);
	assert_int_equal(id_of("SKU-APPLE"), 42);

	/* the barcode removed */
	put_simple(42, "SKU-APPLE", "", 399);
	assert_int_equal(catalog_size(), 1);
	assert_null(catalog_get("6900000000001"));
	assert_int_equal(id_of("SKU-APPLE"), 42);
}

static void test_forget_by_either_code(void **state)
{
	(void)state;
	put_simple(1, "SKU-A", "BAR-A", 100);
	put_simple(2, "SKU-B", "BAR-B", 200);
	assert_int_equal(catalog_size(), 2);

	catalog_forget("BAR-A");		/* by barcode: the SKU goes too */
	assert_null(catalog_get("BAR-A"));
	assert_null(catalog_get("SKU-A"));
	assert_int_equal(catalog_size(), 1);

	catalog_forget("SKU-B");		/* by SKU: the barcode goes too */
	assert_null(catalog_get("SKU-B"));
	assert_null(catalog_get("BAR-B"));
	assert_int_equal(catalog_size(), 0);

	catalog_forget("SKU-B");		/* twice: no effect */
	assert_int_equal(catalog_size(), 0);
}

/* checkout.c puts every row of one result: each row is its own item. */
static void test_rows_of_one_result(void **state)
{
	static const Row rows[] = {
		{ 10, "SKU-1", "BAR-1", "One", "a", 100, "CNY" },
		{ 11, "SKU-2", "", "Two", "b", 200, "CNY" },
		{ 12, "SKU-3", "BAR-3", "Three", "c", 300, "EUR" },
	};
	PGresult *res = result_new();

	(void)state;
	for (int i = 0; i < 3; i++)
		result_add(res, i, &rows[i]);
	for (int i = 0; i < PQntuples(res); i++)
		catalog_put_row(res, i);
	PQclear(res);
	assert_int_equal(catalog_size(), 3);
	for (int i = 0; i < 3; i++) {
		const CatalogItem *it = catalog_get(rows[i].sku);

		assert_non_null(it);
		assert_int_equal(it->product_id, rows[i].id);
		assert_string_equal(it->name, rows[i].name);
		assert_int_equal(it->price_minor, rows[i].price);
		assert_string_equal(it->currency, rows[i].currency);
	}
	assert_int_equal(id_of("BAR-1"), 10);
	assert_int_equal(id_of("BAR-3"), 12);
}

/* One product may use the same text as its SKU and its barcode. */
static void test_sku_equal_to_own_barcode(void **state)
{
	(void)state;
	put_simple(5, "4006381333931", "4006381333931", 250);
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(id_of("4006381333931"), 5);
	put_simple(5, "4006381333931", "4006381333931", 260);
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(catalog_get("4006381333931")->price_minor, 260);
	catalog_forget("4006381333931");
	assert_int_equal(catalog_size(), 0);
	assert_null(catalog_get("4006381333931"));
}

/*
 * A code that is one product's barcode and another's SKU: the row put last
 * owns it (checkout.c orders its rows so that SKU matches come last).
 */
static void test_contested_code_goes_to_last_put(void **state)
{
	(void)state;
	put_simple(1, "SKU-X1", "C-100", 100);	/* barcode C-100 ... */
	put_simple(2, "C-100", "", 200);		/* ... is product 2's SKU */
	assert_int_equal(id_of("C-100"), 2);
	assert_int_equal(catalog_get("C-100")->price_minor, 200);
	assert_int_equal(catalog_size(), (catalog_get("SKU-X1") != NULL) + 1);
}

/*
 * The database's rule is "a SKU wins over a barcode" (product.c: ORDER BY
 * sku = $1 DESC), whichever row the cache saw last: after a lookup of
 * SKU-X1 (whose barcode C-100 is product 2's SKU) a checkout scanning C-100
 * must still sell product 2, and forgetting product 1 keeps product 2.
 */
static void test_sku_wins_over_barcode(void **state)
{
	(void)state;
	put_simple(2, "C-100", "", 200);
	put_simple(1, "SKU-X1", "C-100", 100);	/* e.g. ProductLookup("SKU-X1") */
	assert_int_equal(id_of("C-100"), 2);
	assert_int_equal(id_of("SKU-X1"), 1);
	catalog_forget("SKU-X1");
	assert_null(catalog_get("SKU-X1"));
	assert_int_equal(id_of("C-100"), 2);
}

/* The table starts at 1024 buckets and doubles past two codes a bucket. */
static void test_growth_keeps_every_item(void **state)
{
	char sku[32], bar[32];

	(void)state;
	for (int i = 0; i < GROWTH_ITEMS; i++) {
		snprintf(sku, sizeof(sku), "SKU-%05d", i);
		snprintf(bar, sizeof(bar), "69%011d", i);
		put_simple(1000 + i, sku, bar, i);
	}
	assert_int_equal(catalog_size(), GROWTH_ITEMS);
	for (int i = 0; i < GROWTH_ITEMS; i++) {
		snprintf(sku, sizeof(sku), "SKU-%05d", i);
		snprintf(bar, sizeof(bar), "69%011d", i);
		assert_int_equal(id_of(sku), 1000 + i);
		assert_int_equal(id_of(bar), 1000 + i);
	}
	for (int i = 0; i < GROWTH_ITEMS; i += 2) {
		snprintf(bar, sizeof(bar), "69%011d", i);
		catalog_forget(bar);
	}
	assert_int_equal(catalog_size(), GROWTH_ITEMS / 2);
	for (int i = 0; i < GROWTH_ITEMS; i++) {
		snprintf(sku, sizeof(sku), "SKU-%05d", i);
		assert_int_equal(id_of(sku), i % 2 ? 1000 + i : -1);
	}
}

static void test_long_and_utf8_text(void **state)
{
	static const char tea[] = "\xe9\xbe\x99\xe4\xba\x95\xe8\x8c\xb6";	/* 龙井茶 */
	size_t n = 3 * 700;
	char *name = malloc(n + 1);
	char *sku = malloc(201);
	Row r = { 9, NULL, "\xe2\x84\x96-0001", NULL, "\xe8\x8c\xb6\xe5\x8f\xb6", 8800, "CNY" };
	const CatalogItem *it;

	(void)state;
	assert_non_null(name);
	assert_non_null(sku);
	for (size_t i = 0; i < n; i += 3)
		memcpy(name + i, tea + (i / 3 % 3) * 3, 3);
	name[n] = '\0';
	memset(sku, 'S', 200);
	sku[200] = '\0';
	r.sku = sku;
	r.name = name;
	put(&r);
	it = catalog_get(sku);
	assert_non_null(it);
	assert_string_equal(it->name, name);
	assert_int_equal(strlen(it->name), n);
	assert_string_equal(it->category, "\xe8\x8c\xb6\xe5\x8f\xb6");
	assert_ptr_equal(catalog_get("\xe2\x84\x96-0001"), it);
	sku[199] = '\0';		/* one byte shorter: another code */
	assert_null(catalog_get(sku));
	free(name);
	free(sku);
}

/* A currency that does not fit three letters is dropped, never cut to one that would. */
static void test_currency_too_long(void **state)
{
	Row r = { 3, "SKU-EURO", "", "Euro thing", "misc", 100, "EURO" };

	(void)state;
	put(&r);
	assert_non_null(catalog_get("SKU-EURO"));
	assert_string_equal(catalog_get("SKU-EURO")->currency, "");
}

static void test_clear_then_reuse(void **state)
{
	(void)state;
	put_simple(1, "SKU-A", "BAR-A", 100);
	put_simple(2, "SKU-B", "", 200);
	catalog_clear();
	assert_int_equal(catalog_size(), 0);
	assert_null(catalog_get("SKU-A"));
	assert_null(catalog_get("BAR-A"));
	assert_null(catalog_get("SKU-B"));
	catalog_clear();		/* twice: no effect */
	put_simple(3, "SKU-A", "BAR-C", 300);
	assert_int_equal(catalog_size(), 1);
	assert_int_equal(id_of("SKU-A"), 3);
	assert_int_equal(id_of("BAR-C"), 3);
	assert_null(catalog_get("BAR-A"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_empty, teardown),
		cmocka_unit_test_teardown(test_found_by_sku_and_barcode, teardown),
		cmocka_unit_test_teardown(test_no_barcode, teardown),
		cmocka_unit_test_teardown(test_copies_out_of_result, teardown),
		cmocka_unit_test_teardown(test_put_again_replaces, teardown),
		cmocka_unit_test_teardown(test_forget_by_either_code, teardown),
		cmocka_unit_test_teardown(test_rows_of_one_result, teardown),
		cmocka_unit_test_teardown(test_sku_equal_to_own_barcode, teardown),
		cmocka_unit_test_teardown(test_contested_code_goes_to_last_put, teardown),
		cmocka_unit_test_teardown(test_sku_wins_over_barcode, teardown),
		cmocka_unit_test_teardown(test_growth_keeps_every_item, teardown),
		cmocka_unit_test_teardown(test_long_and_utf8_text, teardown),
		cmocka_unit_test_teardown(test_currency_too_long, teardown),
		cmocka_unit_test_teardown(test_clear_then_reuse, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

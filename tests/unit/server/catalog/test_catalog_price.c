/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_catalog_price: which price a sale uses (catalog_price_choose()):
 * the base price without a list; a list of the sale's store on its days,
 * both ends inclusive, or from its first day on when open; never another
 * store's list; overlapping lists by priority, then the newest; and the
 * candidates' text as the catalogue statement writes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog_price.h"

#define D(y, m, d) catalog_price_day(y, m, d)

static int64_t choose(const CatalogPriceCand *c, size_t n, int64_t store, int32_t day,
		      int64_t *list)
{
	return catalog_price_choose(c, n, store, day, 1000, list);
}

static void test_base_price(void **state)
{
	int64_t list = -1;

	(void)state;
	assert_int_equal(choose(NULL, 0, 1, D(2026, 12, 2), &list), 1000);
	assert_int_equal(list, 0);
}

static void test_dates(void **state)
{
	const CatalogPriceCand c[] = {
		{ 1, D(2026, 12, 1), D(2026, 12, 31), 0, 7, 800 },	/* December */
	};

	(void)state;
	assert_int_equal(choose(c, 1, 1, D(2026, 11, 30), NULL), 1000);	/* before */
	assert_int_equal(choose(c, 1, 1, D(2026, 12, 1), NULL), 800);	/* first day */
	assert_int_equal(choose(c, 1, 1, D(2026, 12, 15), NULL), 800);
	assert_int_equal(choose(c, 1, 1, D(2026, 12, 31), NULL), 800);	/* last day */
	assert_int_equal(choose(c, 1, 1, D(2027, 1, 1), NULL), 1000);	/* after */
}

static void test_open_end(void **state)
{
	const CatalogPriceCand c[] = { { 1, D(2026, 12, 1), 0, 0, 7, 800 } };

	(void)state;
	assert_int_equal(choose(c, 1, 1, D(2026, 11, 30), NULL), 1000);
	assert_int_equal(choose(c, 1, 1, D(2099, 1, 1), NULL), 800);
}

static void test_other_store(void **state)
{
	const CatalogPriceCand c[] = { { 1, D(2026, 1, 1), 0, 5, 7, 800 } };

	(void)state;
	assert_int_equal(choose(c, 1, 2, D(2026, 12, 2), NULL), 1000);
	assert_int_equal(choose(c, 1, 1, D(2026, 12, 2), NULL), 800);
}

static void test_overlaps(void **state)
{
	const CatalogPriceCand c[] = {
		{ 1, D(2026, 1, 1), 0, 0, 3, 900 },			/* all year, low */
		{ 1, D(2026, 12, 1), D(2026, 12, 31), 10, 4, 700 },	/* December, high */
		{ 1, D(2026, 12, 24), D(2026, 12, 26), 10, 9, 600 },	/* Christmas: newer, same */
		{ 1, D(2026, 12, 25), D(2026, 12, 25), 5, 12, 100 },	/* newest but lower */
		{ 2, D(2026, 12, 25), D(2026, 12, 25), 99, 13, 1 },	/* another store */
	};
	int64_t list;

	(void)state;
	assert_int_equal(choose(c, 5, 1, D(2026, 11, 2), &list), 900);
	assert_int_equal(list, 3);
	assert_int_equal(choose(c, 5, 1, D(2026, 12, 2), &list), 700);
	assert_int_equal(list, 4);
	assert_int_equal(choose(c, 5, 1, D(2026, 12, 25), &list), 600);
	assert_int_equal(list, 9);
	assert_int_equal(choose(c, 5, 1, D(2026, 12, 27), &list), 700);
	/* the order of the candidates does not matter */
	const CatalogPriceCand r[] = { c[4], c[3], c[2], c[1], c[0] };

	assert_int_equal(choose(r, 5, 1, D(2026, 12, 25), &list), 600);
	assert_int_equal(list, 9);
	/* a price of 0 from a list is a price */
	const CatalogPriceCand z[] = { { 1, D(2026, 1, 1), 0, 0, 1, 0 } };

	assert_int_equal(choose(z, 1, 1, D(2026, 6, 1), NULL), 0);
}

static void test_parse(void **state)
{
	CatalogPriceCand *c;
	size_t n;

	(void)state;
	assert_true(catalog_price_parse("", &c, &n));
	assert_null(c);
	assert_int_equal(n, 0);
	assert_true(catalog_price_parse("1,20261201,20261231,10,4,700;2,20260101,0,-3,9,0", &c, &n));
	assert_int_equal(n, 2);
	assert_int_equal(c[0].store_id, 1);
	assert_int_equal(c[0].from, 20261201);
	assert_int_equal(c[0].to, 20261231);
	assert_int_equal(c[0].priority, 10);
	assert_int_equal(c[0].list_id, 4);
	assert_int_equal(c[0].price_minor, 700);
	assert_int_equal(c[1].to, 0);
	assert_int_equal(c[1].priority, -3);
	assert_int_equal(c[1].price_minor, 0);
	free(c);
	assert_false(catalog_price_parse("1,2,3", &c, &n));
	assert_null(c);
	assert_false(catalog_price_parse("1,20261201,0,0,4,700;", &c, &n));
	assert_false(catalog_price_parse("1,20261201,0,0,4,700x", &c, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_price),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_open_end),
		cmocka_unit_test(test_other_store),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

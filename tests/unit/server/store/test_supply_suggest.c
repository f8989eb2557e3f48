/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_supply_suggest: golden cases of a suggested purchase order line
 * (supply_suggest.c): the 28-day forecast over lead time + review, the
 * safety level, on hand and on order taken off, the minimum order, whole
 * packs, nothing to order, negative stock, and absurd inputs clamped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "supply_suggest.h"

typedef struct Golden {
	SupplyLineIn in;
	int64_t forecast, suggested;
} Golden;

/* sold lead review on_hand on_order safety pack min -> forecast suggested */
static const Golden golden[] = {
	/* 56 in 28 days = 2/day; 7 + 7 days = 28; + 10 safety - 5 - 3 = 30 */
	{ { 56, 7, 7, 5, 3, 10, 1, 0 }, 28, 30 },
	/* the same in packs of 12: 30 -> 36 */
	{ { 56, 7, 7, 5, 3, 10, 12, 0 }, 28, 36 },
	/* exactly a pack: stays */
	{ { 56, 7, 7, 5, 3, 10, 6, 0 }, 28, 30 },
	/* enough on hand and on order: nothing */
	{ { 56, 7, 7, 20, 18, 10, 12, 0 }, 28, 0 },
	/* forecast rounds up: 10 in 28 days over 3 days = 1.07 -> 2 */
	{ { 10, 2, 1, 0, 0, 0, 1, 0 }, 2, 2 },
	/* no sales, below safety: refill to the safety level */
	{ { 0, 5, 7, 2, 0, 8, 1, 0 }, 0, 6 },
	/* minimum order 24 lifts 6, then packs of 10 -> 30 */
	{ { 0, 5, 7, 2, 0, 8, 10, 24 }, 0, 30 },
	/* negative stock is owed to the shelf: 28 + 0 - (-4) = 32 */
	{ { 56, 7, 7, -4, 0, 0, 1, 0 }, 28, 32 },
	/* negative on order and safety count as 0 */
	{ { 28, 0, 7, 0, -9, -9, 1, 0 }, 7, 7 },
	/* no lead time nor review: only the safety level */
	{ { 280, 0, 0, 1, 0, 3, 1, 0 }, 0, 2 },
	/* absurd sales are clamped, the packs stay whole */
	{ { INT64_MAX, 90, 90, 0, 0, 0, 7, 0 }, SUPPLY_QTY_MAX, SUPPLY_QTY_MAX / 7 * 7 },
};

static void test_golden(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		SupplyLineOut o = supply_suggest_line(&golden[i].in);

		print_message("case %zu: forecast %lld suggested %lld\n", i,
			      (long long)o.forecast, (long long)o.suggested);
		assert_int_equal(o.forecast, golden[i].forecast);
		assert_int_equal(o.suggested, golden[i].suggested);
	}
}

/* Whatever the inputs, the suggestion is 0 or whole packs, never negative. */
static void test_whole_packs(void **state)
{
	(void)state;
	for (int64_t pack = 0; pack <= 13; pack++)
		for (int64_t on_hand = -30; on_hand <= 60; on_hand += 7) {
			SupplyLineIn in = { 40, 3, 7, on_hand, 2, 5, pack, 9 };
			SupplyLineOut o = supply_suggest_line(&in);

			assert_true(o.suggested >= 0);
			if (pack > 1)
				assert_int_equal(o.suggested % pack, 0);
			if (o.suggested > 0)
				assert_true(o.suggested >= 9);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_whole_packs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

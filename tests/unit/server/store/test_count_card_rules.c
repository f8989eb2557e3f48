/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_count_card_rules: the refund of a count card's unused remainder
 * (count_card_rules.c) with golden cases: a card bought at full price and
 * after discounts, one visit left, none left, all left, rounding down to
 * the minor unit, amounts near INT64_MAX, and impossible numbers refused;
 * and the limits of a service item's definition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "count_card_rules.h"

static int64_t refund(int64_t paid, int32_t visits, int32_t remaining)
{
	int64_t amount = -1;

	assert_true(count_card_refund_amount(paid, visits, remaining, &amount));
	return amount;
}

/* 10 visits for 300.00: 7 left pay 210.00; all left pay all; none left nothing. */
static void test_full_price(void **state)
{
	(void)state;
	assert_int_equal(refund(30000, 10, 7), 21000);
	assert_int_equal(refund(30000, 10, 10), 30000);
	assert_int_equal(refund(30000, 10, 0), 0);
}

/* The line's net amount after discounts is what counts: 10 visits for 270.00 (10% off). */
static void test_discounted(void **state)
{
	(void)state;
	assert_int_equal(refund(27000, 10, 4), 10800);
	/* 12 visits, 299.00 less a 15.50 coupon = 283.50: 5 left = 118.125 -> 118.12 */
	assert_int_equal(refund(28350, 12, 5), 11812);
}

/* One visit left of 3 for 100.00: 33.333.. -> 33.33; of 7 for 0.10: 0.0142 -> 0.01. */
static void test_one_left_rounds_down(void **state)
{
	(void)state;
	assert_int_equal(refund(10000, 3, 1), 3333);
	assert_int_equal(refund(10, 7, 1), 1);
	assert_int_equal(refund(1, 3, 2), 0);	/* 0.0066: nothing */
	assert_int_equal(refund(10000, 3, 2), 6666);	/* never more than the share */
}

/* A free card (paid 0, e.g. a 100% discount) refunds nothing. */
static void test_free_card(void **state)
{
	(void)state;
	assert_int_equal(refund(0, 5, 5), 0);
}

/* Amounts whose product with remaining overflows int64 are still exact. */
static void test_no_overflow(void **state)
{
	(void)state;
	assert_int_equal(refund(INT64_MAX, 100000, 99999),
			 (INT64_MAX / 100000) * 99999 + (INT64_MAX % 100000) * 99999 / 100000);
	assert_int_equal(refund(INT64_MAX, 2, 2), INT64_MAX);
	assert_int_equal(refund(INT64_MAX, 2, 1), INT64_MAX / 2);
}

/* Impossible numbers are refused with 0. */
static void test_refused(void **state)
{
	int64_t amount = 5;

	(void)state;
	assert_false(count_card_refund_amount(-1, 10, 5, &amount));
	assert_int_equal(amount, 0);
	assert_false(count_card_refund_amount(100, 0, 0, &amount));
	assert_false(count_card_refund_amount(100, 10, 11, &amount));
	assert_false(count_card_refund_amount(100, 10, -1, &amount));
}

static void test_service_limits(void **state)
{
	(void)state;
	assert_true(count_card_service_ok(1, 0));
	assert_true(count_card_service_ok(CARD_VISITS_MAX, CARD_DAYS_MAX));
	assert_false(count_card_service_ok(0, 30));
	assert_false(count_card_service_ok(CARD_VISITS_MAX + 1, 30));
	assert_false(count_card_service_ok(10, -1));
	assert_false(count_card_service_ok(10, CARD_DAYS_MAX + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_price),
		cmocka_unit_test(test_discounted),
		cmocka_unit_test(test_one_left_rounds_down),
		cmocka_unit_test(test_free_card),
		cmocka_unit_test(test_no_overflow),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_service_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

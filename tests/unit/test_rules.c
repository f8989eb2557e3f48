/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules: the earn rule's rounding (always down, never negative), line
 * pricing bounds and overflow, and settlement: exact, short, cash change,
 * change refused when only a card overpaid, bad tender amounts and sums
 * that would overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules.h"

#define SENTINEL ((int64_t)-777)
#define MPP RULES_DEFAULT_MINOR_PER_POINT

static void test_earn_rounding(void **state)
{
	(void)state;
	assert_int_equal(MPP, 1000);
	assert_true(rules_earn_points(999, MPP) == 0);
	assert_true(rules_earn_points(1000, MPP) == 1);
	assert_true(rules_earn_points(1001, MPP) == 1);
	assert_true(rules_earn_points(9999, MPP) == 9);
	assert_true(rules_earn_points(10000, MPP) == 10);
	assert_true(rules_earn_points(1, MPP) == 0);
	assert_true(rules_earn_points(0, MPP) == 0);
	assert_true(rules_earn_points(-1, MPP) == 0);
	assert_true(rules_earn_points(-1000, MPP) == 0);	/* refunds do not earn here */
	assert_true(rules_earn_points(INT64_MIN, MPP) == 0);
	assert_true(rules_earn_points(INT64_MAX, MPP) == INT64_MAX / 1000);
	assert_true(rules_earn_points(INT64_MAX, MPP) == 9223372036854775);
	assert_true(rules_earn_points(INT64_MAX, 1) == INT64_MAX);
	assert_true(rules_earn_points(INT64_MAX, INT64_MAX) == 1);
}

static void test_earn_no_rule(void **state)
{
	(void)state;
	assert_true(rules_earn_points(10000, 0) == 0);
	assert_true(rules_earn_points(10000, -1000) == 0);
	assert_true(rules_earn_points(INT64_MIN, -1) == 0);	/* no INT64_MIN / -1 trap */
	assert_true(rules_earn_points(10000, INT64_MIN) == 0);
}

static void test_line_total(void **state)
{
	int64_t t = SENTINEL;

	(void)state;
	assert_true(rules_line_total(1999, 3, &t));
	assert_true(t == 5997);
	assert_true(rules_line_total(100, 1, &t));
	assert_true(t == 100);
	assert_true(rules_line_total(100, RULES_MAX_QTY, &t));
	assert_true(t == 100 * (int64_t)RULES_MAX_QTY);
	assert_true(rules_line_total(0, 5, &t));		/* free item */
	assert_true(t == 0);
	assert_true(rules_line_total(INT64_MAX, 1, &t));
	assert_true(t == INT64_MAX);
	assert_true(rules_line_total(INT64_MAX / RULES_MAX_QTY, RULES_MAX_QTY, &t));
	assert_true(t == INT64_MAX / RULES_MAX_QTY * RULES_MAX_QTY);
}

static void test_line_total_refused(void **state)
{
	int64_t t = SENTINEL;

	(void)state;
	assert_false(rules_line_total(100, 0, &t));
	assert_false(rules_line_total(100, -1, &t));
	assert_false(rules_line_total(100, INT32_MIN, &t));
	assert_false(rules_line_total(100, RULES_MAX_QTY + 1, &t));
	assert_false(rules_line_total(100, INT32_MAX, &t));
	assert_false(rules_line_total(-1, 1, &t));		/* negative price */
	assert_false(rules_line_total(INT64_MIN, 1, &t));
	assert_false(rules_line_total(INT64_MAX, 2, &t));	/* overflow */
	assert_false(rules_line_total(INT64_MAX / RULES_MAX_QTY + 1, RULES_MAX_QTY, &t));
	assert_false(rules_line_total(INT64_MAX / 2 + 1, 2, &t));
	assert_true(t == SENTINEL);				/* untouched on failure */
}

/* Call rules_settle with sentinels in the outputs. */
static RulesTenderStatus settle(int64_t total, const int64_t *amounts, const bool *cash, int n,
				int64_t *tendered, int64_t *change)
{
	*tendered = SENTINEL;
	*change = SENTINEL;
	return rules_settle(total, amounts, cash, n, tendered, change);
}

static void test_settle_ok(void **state)
{
	int64_t tendered, change;

	(void)state;
	/* Exact by card. */
	assert_int_equal(settle(1000, (int64_t[]){ 1000 }, (bool[]){ false }, 1, &tendered,
				&change), RULES_TENDER_OK);
	assert_true(tendered == 1000 && change == 0);
	/* Exact by cash. */
	assert_int_equal(settle(1050, (int64_t[]){ 1050 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_OK);
	assert_true(tendered == 1050 && change == 0);
	/* Cash with change. */
	assert_int_equal(settle(1050, (int64_t[]){ 2000 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_OK);
	assert_true(tendered == 2000 && change == 950);
	/* Card for most of it, cash for the rest with change. */
	assert_int_equal(settle(1050, (int64_t[]){ 1000, 100 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == 1100 && change == 50);
	/* Change equal to all the cash given is still allowed. */
	assert_int_equal(settle(1000, (int64_t[]){ 1000, 200 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == 1200 && change == 200);
	/* A zero total needs no tender. */
	assert_int_equal(settle(0, NULL, NULL, 0, &tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == 0 && change == 0);
	/* Largest representable sum. */
	assert_int_equal(settle(INT64_MAX, (int64_t[]){ INT64_MAX - 1, 1 },
				(bool[]){ false, true }, 2, &tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == INT64_MAX && change == 0);
}

static void test_settle_short(void **state)
{
	int64_t tendered, change;

	(void)state;
	assert_int_equal(settle(1000, (int64_t[]){ 999 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_SHORT);
	assert_int_equal(settle(1000, (int64_t[]){ 500, 499 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_SHORT);
	assert_int_equal(settle(1, NULL, NULL, 0, &tendered, &change), RULES_TENDER_SHORT);
	assert_true(tendered == SENTINEL && change == SENTINEL);
}

static void test_settle_change_not_cash(void **state)
{
	int64_t tendered, change;

	(void)state;
	/* Card overpay: no change can be given from a card. */
	assert_int_equal(settle(1000, (int64_t[]){ 1200 }, (bool[]){ false }, 1, &tendered,
				&change), RULES_TENDER_CHANGE_NOT_CASH);
	/* Overpaid by 600 with only 100 of it in cash. */
	assert_int_equal(settle(1000, (int64_t[]){ 1500, 100 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_CHANGE_NOT_CASH);
	/* Change of exactly the cash is fine; one minor unit more is not. */
	assert_int_equal(settle(1000, (int64_t[]){ 1000, 100 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == 1100 && change == 100);
	assert_int_equal(settle(1000, (int64_t[]){ 1001, 100 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_CHANGE_NOT_CASH);
	assert_true(tendered == SENTINEL && change == SENTINEL);
}

static void test_settle_bad_amount(void **state)
{
	int64_t tendered, change;

	(void)state;
	assert_int_equal(settle(1000, (int64_t[]){ 0 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, (int64_t[]){ 1000, 0 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, (int64_t[]){ -5 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_BAD_AMOUNT);
	/* A negative tender must not cancel out an overpayment. */
	assert_int_equal(settle(1000, (int64_t[]){ 2000, -1000 }, (bool[]){ false, true }, 2,
				&tendered, &change), RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, (int64_t[]){ INT64_MIN }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_BAD_AMOUNT);
	/* Sum overflow. */
	assert_int_equal(settle(1000, (int64_t[]){ INT64_MAX, 1 }, (bool[]){ true, true }, 2,
				&tendered, &change), RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, (int64_t[]){ INT64_MAX / 2 + 1, INT64_MAX / 2 + 1 },
				(bool[]){ false, false }, 2, &tendered, &change),
			 RULES_TENDER_BAD_AMOUNT);
	/* Caller mistakes. */
	assert_int_equal(settle(-1, (int64_t[]){ 100 }, (bool[]){ true }, 1, &tendered,
				&change), RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, NULL, NULL, 1, &tendered, &change),
			 RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle(1000, (int64_t[]){ 1000 }, (bool[]){ true }, -1, &tendered,
				&change), RULES_TENDER_BAD_AMOUNT);
	assert_true(tendered == SENTINEL && change == SENTINEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_earn_rounding),
		cmocka_unit_test(test_earn_no_rule),
		cmocka_unit_test(test_line_total),
		cmocka_unit_test(test_line_total_refused),
		cmocka_unit_test(test_settle_ok),
		cmocka_unit_test(test_settle_short),
		cmocka_unit_test(test_settle_change_not_cash),
		cmocka_unit_test(test_settle_bad_amount),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}

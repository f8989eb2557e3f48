/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_coupons: the coupons and gifts of a sale (rules_coupons.c):
 * stacking, one order coupon, a free item off the first line with a unit
 * left (after that unit's tier discount, never a gift line), the larger
 * minimum spend of an order coupon and a free item, and gifts paid in
 * points before any redemption. Each case then prices the sale with
 * rules_price() and checks the totals a till would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules_coupons.h"

/* Two lines: product 7 at 30.00 x2, product 9 at 10.00 x1; Gold 20% off. */
typedef struct Fixture {
	RulesLine lines[2];
	RulesSale s;
	int64_t product[2];
	bool gift[2];
} Fixture;

static void fixture(Fixture *f, int32_t tier_bp)
{
	memset(f, 0, sizeof(*f));
	f->lines[0].unit_minor = 3000;
	f->lines[0].qty = 2;
	f->lines[1].unit_minor = 1000;
	f->lines[1].qty = 1;
	f->product[0] = 7;
	f->product[1] = 9;
	f->s.lines = f->lines;
	f->s.n = 2;
	rules_sale_defaults(&f->s);
	f->s.tier_bp = tier_bp;
}

static RulesCoupon coupon(int kind, int64_t value, int64_t min_spend, int64_t item, bool stack)
{
	RulesCoupon c = { kind, 0, 0, 0, min_spend, item, stack };

	if (kind == RULES_COUPON_PERCENT)
		c.percent_bp = (int32_t)value;
	else
		c.value = value;
	return c;
}

static void test_free_item_after_tier_discount(void **state)
{
	Fixture f;
	RulesCoupon c = coupon(RULES_COUPON_FREE_ITEM, 0, 0, 7, false);
	int bad;

	(void)state;
	fixture(&f, 2000);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, &c, 1, &bad),
			 RULES_COUPONS_OK);
	assert_int_equal(bad, -1);
	/* one unit of 30.00, after its 20% tier discount: 24.00 off line 1 */
	assert_int_equal(f.lines[0].item_off, 2400);
	assert_int_equal(f.lines[1].item_off, 0);
	assert_int_equal(rules_price(&f.s), RULES_OK);
	/* 70.00 - 14.00 tier - 24.00 free = 32.00 */
	assert_int_equal(f.s.payable, 3200);
	assert_true(rules_coupons_min_met(&f.s));
}

static void test_free_item_skips_gift_and_used_lines(void **state)
{
	Fixture f;
	RulesCoupon c[2] = { coupon(RULES_COUPON_FREE_ITEM, 0, 0, 9, true),
			     coupon(RULES_COUPON_FREE_ITEM, 0, 0, 9, true) };
	int bad;

	(void)state;
	fixture(&f, 0);
	/* the only unit of product 9 is taken by the first coupon */
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, c, 2, &bad),
			 RULES_COUPON_ITEM_MISSING);
	assert_int_equal(bad, 1);
	/* a gift line of the product is never free on top */
	fixture(&f, 0);
	f.gift[1] = true;
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, c, 1, &bad),
			 RULES_COUPON_ITEM_MISSING);
	assert_int_equal(bad, 0);
}

static void test_stacking_and_one_order_coupon(void **state)
{
	Fixture f;
	RulesCoupon nostack[2] = { coupon(RULES_COUPON_FIXED, 500, 0, 0, true),
				   coupon(RULES_COUPON_FREE_ITEM, 0, 0, 7, false) };
	RulesCoupon two_orders[2] = { coupon(RULES_COUPON_FIXED, 500, 0, 0, true),
				      coupon(RULES_COUPON_PERCENT, 1000, 0, 0, true) };
	RulesCoupon ok[2] = { coupon(RULES_COUPON_PERCENT, 1000, 0, 0, true),
			      coupon(RULES_COUPON_FREE_ITEM, 0, 0, 9, true) };
	RulesCoupon bad_kind = coupon(0, 0, 0, 0, true);
	int bad;

	(void)state;
	fixture(&f, 0);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, nostack, 2, &bad),
			 RULES_COUPON_NOT_STACKABLE);
	assert_int_equal(bad, 1);
	fixture(&f, 0);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, two_orders, 2, &bad),
			 RULES_ONE_ORDER_COUPON);
	assert_int_equal(bad, 1);
	fixture(&f, 0);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, &bad_kind, 1, &bad),
			 RULES_COUPON_BAD_KIND);
	/* a percent order coupon stacked with a free item: 10% of what is left */
	fixture(&f, 0);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, ok, 2, &bad),
			 RULES_COUPONS_OK);
	assert_int_equal(f.s.coupon_bp, 1000);
	assert_int_equal(rules_price(&f.s), RULES_OK);
	/* 70.00 - 10.00 free = 60.00, then 10%: 54.00 */
	assert_int_equal(f.s.payable, 5400);
	assert_int_equal(f.s.coupon_total, 1600);
}

static void test_min_spend_the_larger_applies(void **state)
{
	Fixture f;
	RulesCoupon c[2] = { coupon(RULES_COUPON_FIXED, 500, 5000, 0, true),
			     coupon(RULES_COUPON_FREE_ITEM, 0, 6000, 9, true) };
	int bad;

	(void)state;
	/* no tier: 70.00 meets both minimums */
	fixture(&f, 0);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, c, 2, &bad),
			 RULES_COUPONS_OK);
	assert_int_equal(f.s.coupon_min_spend, 6000);
	assert_int_equal(rules_price(&f.s), RULES_OK);
	assert_true(rules_coupons_min_met(&f.s));
	/* Gold 20%: 56.00 after the tier misses the free item's 60.00 */
	fixture(&f, 2000);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, c, 2, &bad),
			 RULES_COUPONS_OK);
	assert_int_equal(rules_price(&f.s), RULES_COUPON_MIN_SPEND);
	/* a free item alone below its minimum: priced, but the minimum is not met */
	fixture(&f, 2000);
	assert_int_equal(rules_coupons_apply(&f.s, f.product, f.gift, &c[1], 1, &bad),
			 RULES_COUPONS_OK);
	assert_int_equal(rules_price(&f.s), RULES_OK);
	assert_false(rules_coupons_min_met(&f.s));
}

static void test_gifts(void **state)
{
	Fixture f;
	int64_t line = -1, total = 0;

	(void)state;
	assert_true(rules_gift_add(300, 2, &line, &total));
	assert_int_equal(line, 600);
	assert_true(rules_gift_add(50, 1, &line, &total));
	assert_int_equal(total, 650);
	assert_false(rules_gift_add(INT64_MAX, 2, &line, &total));
	assert_false(rules_gift_add(-1, 1, &line, &total));
	assert_int_equal(line, 50);	/* unchanged on a refusal */
	assert_int_equal(total, 650);
	total = INT64_MAX;
	assert_false(rules_gift_add(1, 1, &line, &total));

	fixture(&f, 0);
	f.s.points_balance = 600;
	assert_int_equal(rules_gifts_take(&f.s, 650), RULES_INSUFFICIENT_POINTS);
	assert_int_equal(f.s.points_balance, 600);
	assert_int_equal(rules_gifts_take(&f.s, 600), RULES_OK);
	assert_int_equal(f.s.points_balance, 0);
	assert_int_equal(rules_gifts_take(&f.s, 0), RULES_OK);
	/* gifts came first: nothing is left to redeem */
	f.s.points_redeem = 100;
	assert_int_equal(rules_price(&f.s), RULES_INSUFFICIENT_POINTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_item_after_tier_discount),
		cmocka_unit_test(test_free_item_skips_gift_and_used_lines),
		cmocka_unit_test(test_stacking_and_one_order_coupon),
		cmocka_unit_test(test_min_spend_the_larger_applies),
		cmocka_unit_test(test_gifts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

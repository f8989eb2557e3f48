/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_tier: every tier decision of rules_tier.c on a three-tier
 * ladder (0, 2,000.00, 10,000.00): the tier a basis reaches, whether a sale
 * can cross the next threshold from the all-time basis, the upgrade in a
 * sale (one level, several at once, none when the window falls short of
 * what all time reaches), the tier after a refund (down, unchanged, manual,
 * unknown) and the job's one-level downgrade.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules_tier.h"

static RuleSet ladder(void)
{
	RuleSet rs;

	memset(&rs, 0, sizeof(rs));
	rs.n_tiers = 3;
	strcpy(rs.tiers[0].name, "Member");
	strcpy(rs.tiers[1].name, "Silver");
	rs.tiers[1].threshold = 200000;
	strcpy(rs.tiers[2].name, "Gold");
	rs.tiers[2].threshold = 1000000;
	rs.downgrade_window_months = 12;
	return rs;
}

static void test_tier_for(void **state)
{
	RuleSet rs = ladder();

	(void)state;
	assert_int_equal(rules_tier_for(&rs, 0), 0);
	assert_int_equal(rules_tier_for(&rs, 199999), 0);
	assert_int_equal(rules_tier_for(&rs, 200000), 1);
	assert_int_equal(rules_tier_for(&rs, 999999), 1);
	assert_int_equal(rules_tier_for(&rs, INT64_MAX), 2);
	assert_int_equal(rules_tier_next_threshold(&rs, 0), 200000);
	assert_int_equal(rules_tier_next_threshold(&rs, 1), 1000000);
	assert_int_equal(rules_tier_next_threshold(&rs, 2), 0);		/* top */
	assert_int_equal(rules_tier_next_threshold(&rs, -1), 0);	/* unknown */
}

static void test_may_cross(void **state)
{
	RuleSet rs = ladder();

	(void)state;
	assert_false(rules_tier_sale_may_cross(&rs, 0, 150000, 49999));
	assert_true(rules_tier_sale_may_cross(&rs, 0, 150000, 50000));	/* exactly */
	assert_true(rules_tier_sale_may_cross(&rs, 0, 300000, 0));	/* reached before */
	assert_false(rules_tier_sale_may_cross(&rs, 2, INT64_MAX - 1, 1));	/* top tier */
	assert_false(rules_tier_sale_may_cross(&rs, -1, 5000000, 1));	/* unknown tier */
	assert_true(rules_tier_sale_may_cross(&rs, 1, INT64_MAX, 1));	/* no overflow */
}

static void test_after_sale(void **state)
{
	RuleSet rs = ladder();

	(void)state;
	assert_int_equal(rules_tier_after_sale(&rs, 0, 200000), 1);	/* one level */
	assert_int_equal(rules_tier_after_sale(&rs, 0, 1200000), 2);	/* two at once */
	assert_int_equal(rules_tier_after_sale(&rs, 1, 1000000), 2);
	/* all time crossed, the window not: no upgrade */
	assert_int_equal(rules_tier_after_sale(&rs, 0, 199999), 0);
	/* never down in a sale, even when the window is below the tier */
	assert_int_equal(rules_tier_after_sale(&rs, 2, 0), 2);
	assert_int_equal(rules_tier_after_sale(&rs, -1, 5000000), -1);
}

static void test_after_refund(void **state)
{
	RuleSet rs = ladder();

	(void)state;
	assert_int_equal(rules_tier_after_refund(&rs, 1, false, 150000), 0);	/* down */
	assert_int_equal(rules_tier_after_refund(&rs, 2, false, 150000), 0);	/* two down */
	assert_int_equal(rules_tier_after_refund(&rs, 2, false, 500000), 1);
	assert_int_equal(rules_tier_after_refund(&rs, 1, false, 200000), 1);	/* still reached */
	assert_int_equal(rules_tier_after_refund(&rs, 1, true, 0), 1);		/* manual */
	assert_int_equal(rules_tier_after_refund(&rs, -1, false, 0), -1);	/* unknown */
	/* a refund never moves a tier up */
	assert_int_equal(rules_tier_after_refund(&rs, 0, false, 5000000), 0);
}

static void test_downgrade(void **state)
{
	RuleSet rs = ladder();

	(void)state;
	assert_int_equal(rules_tier_downgrade(&rs, 2, false, 0), 1);	/* one level only */
	assert_int_equal(rules_tier_downgrade(&rs, 1, false, 199999), 0);
	assert_int_equal(rules_tier_downgrade(&rs, 1, false, 200000), 1);	/* kept */
	assert_int_equal(rules_tier_downgrade(&rs, 2, true, 0), 2);	/* manual */
	assert_int_equal(rules_tier_downgrade(&rs, 0, false, 0), 0);	/* the first tier */
	assert_int_equal(rules_tier_downgrade(&rs, -1, false, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tier_for),
		cmocka_unit_test(test_may_cross),
		cmocka_unit_test(test_after_sale),
		cmocka_unit_test(test_after_refund),
		cmocka_unit_test(test_downgrade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_earn: rules_earn.c with explicit dates, no clock: weekdays of
 * real days (leap days, century years), multipliers combined by max,
 * multiply and add across tier, member day (weekday and day of month),
 * birthday (the day, the month) and campaigns whose dates straddle a year
 * end or a leap day; lot expiry at the end of next year and N months on
 * (month ends, leap Februaries, year ends); top-up bonus steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules_earn.h"

static RuleDate day(int y, int m, int d)
{
	RuleDate r;

	assert_true(rules_date(y, m, d, &r));
	return r;
}

static RuleSet base(RuleCombine how)
{
	RuleSet rs;

	memset(&rs, 0, sizeof(rs));
	rs.n_tiers = 2;
	rs.tiers[0].multiplier_x100 = 100;
	rs.tiers[1].multiplier_x100 = 150;
	rs.combine = how;
	rs.member_day_x100 = 200;
	rs.member_weekdays = 1u << 3;		/* Wednesdays */
	rs.member_monthdays = 1u << 29;		/* and the 29th */
	rs.birthday = RULE_BIRTHDAY_DAY;
	rs.birthday_x100 = 300;
	rs.n_campaigns = 2;
	rs.campaigns[0] = (RuleCampaign){ 20261230, 20270102, 120 };	/* over new year */
	rs.campaigns[1] = (RuleCampaign){ 20280229, 20280229, 500 };	/* a leap day */
	return rs;
}

static void test_dates(void **state)
{
	RuleDate d;

	(void)state;
	assert_int_equal(day(2026, 11, 25).weekday, 3);	/* a Wednesday */
	assert_int_equal(day(2026, 11, 29).weekday, 7);	/* Sunday */
	assert_int_equal(day(2024, 2, 29).weekday, 4);	/* Thursday */
	assert_int_equal(day(2000, 1, 1).weekday, 6);	/* Saturday */
	assert_int_equal(day(2027, 1, 1).weekday, 5);	/* Friday */
	assert_false(rules_date(2026, 2, 29, &d));
	assert_false(rules_date(2100, 2, 29, &d));	/* not a leap year */
	assert_true(rules_date(2000, 2, 29, &d));	/* a leap year */
	assert_false(rules_date(2026, 13, 1, &d));
	assert_false(rules_date(2026, 4, 31, &d));
}

static void test_multiplier_max(void **state)
{
	RuleSet rs = base(RULE_COMBINE_MAX);
	RuleDate thu = day(2026, 11, 26), wed = day(2026, 11, 25);

	(void)state;
	assert_int_equal(rules_multiplier(&rs, 0, &thu, 0, 0), 100);
	assert_int_equal(rules_multiplier(&rs, -1, &thu, 0, 0), 100);	/* no tier */
	assert_int_equal(rules_multiplier(&rs, 1, &thu, 0, 0), 150);
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 0, 0), 200);	/* member weekday */
	assert_int_equal(rules_multiplier(&rs, 0, &wed, 11, 25), 300);	/* birthday wins */
	assert_int_equal(rules_multiplier(&rs, 0, &wed, 11, 24), 200);	/* not the day */
	RuleDate d29 = day(2026, 10, 29);				/* a Thursday, the 29th */
	assert_int_equal(rules_multiplier(&rs, 0, &d29, 0, 0), 200);	/* member monthday */
}

static void test_multiplier_multiply_add(void **state)
{
	RuleSet rs = base(RULE_COMBINE_MULTIPLY);
	RuleDate wed = day(2026, 11, 25);

	(void)state;
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 25), 900);	/* 1.5 x 2 x 3 */
	rs.combine = RULE_COMBINE_ADD;
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 25), 450);	/* 1 + .5 + 1 + 2 */
	rs.birthday = RULE_BIRTHDAY_MONTH;
	RuleDate nov2 = day(2026, 11, 2);				/* a Monday */
	assert_int_equal(rules_multiplier(&rs, 0, &nov2, 11, 25), 300);	/* the month */
	assert_int_equal(rules_multiplier(&rs, 0, &nov2, 12, 2), 100);
	rs.combine = RULE_COMBINE_MULTIPLY;
	rs.tiers[1].multiplier_x100 = RULESET_MAX_X100;
	assert_int_equal(rules_multiplier(&rs, 1, &wed, 11, 25), RULESET_MAX_X100);	/* capped */
}

static void test_campaign_dates(void **state)
{
	RuleSet rs = base(RULE_COMBINE_MAX);
	RuleDate d;

	(void)state;
	rs.member_weekdays = 0;
	rs.member_monthdays = 0;
	d = day(2026, 12, 29);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 100);
	d = day(2026, 12, 31);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 120);
	d = day(2027, 1, 2);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 120);	/* the last day counts */
	d = day(2027, 1, 3);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 100);
	d = day(2028, 2, 29);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 500);	/* the leap day */
	d = day(2028, 3, 1);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 0, 0), 100);
	/* a 29 February birthday, birthday by day: only on a 29 February */
	rs.birthday_x100 = 300;
	d = day(2028, 2, 29);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 2, 29), 500);
	d = day(2027, 2, 28);
	assert_int_equal(rules_multiplier(&rs, 0, &d, 2, 29), 100);
}

static void test_lot_expiry(void **state)
{
	RuleSet rs;
	RuleDate e, d;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	d = day(2026, 1, 1);
	e = rules_lot_expiry(&rs, &d);			/* end of next year */
	assert_true(e.year == 2027 && e.month == 12 && e.day == 31);
	d = day(2026, 12, 31);
	e = rules_lot_expiry(&rs, &d);
	assert_true(e.year == 2027 && e.month == 12 && e.day == 31);
	d = day(2028, 2, 29);
	e = rules_lot_expiry(&rs, &d);
	assert_true(e.year == 2029 && e.month == 12 && e.day == 31);
	rs.expiry_months = 12;
	d = day(2026, 11, 30);
	e = rules_lot_expiry(&rs, &d);			/* the month's end a year on */
	assert_true(e.year == 2027 && e.month == 11 && e.day == 30);
	rs.expiry_months = 1;
	d = day(2027, 12, 15);
	e = rules_lot_expiry(&rs, &d);			/* over the year end */
	assert_true(e.year == 2028 && e.month == 1 && e.day == 31);
	d = day(2028, 1, 31);
	e = rules_lot_expiry(&rs, &d);			/* a leap February */
	assert_true(e.year == 2028 && e.month == 2 && e.day == 29);
	d = day(2027, 1, 31);
	e = rules_lot_expiry(&rs, &d);
	assert_true(e.year == 2027 && e.month == 2 && e.day == 28);
	rs.expiry_months = 120;
	d = day(2026, 6, 10);
	e = rules_lot_expiry(&rs, &d);
	assert_true(e.year == 2036 && e.month == 6 && e.day == 30);
}

static void test_topup_bonus(void **state)
{
	RuleSet rs;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(rules_topup_bonus(&rs, 100000), 0);	/* no steps */
	rs.n_topup = 2;
	rs.topup[0] = (RuleTopup){ 50000, 2000 };
	rs.topup[1] = (RuleTopup){ 100000, 5000 };
	assert_int_equal(rules_topup_bonus(&rs, 49999), 0);
	assert_int_equal(rules_topup_bonus(&rs, 50000), 2000);
	assert_int_equal(rules_topup_bonus(&rs, 99999), 2000);
	assert_int_equal(rules_topup_bonus(&rs, 100000), 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_multiplier_max),
		cmocka_unit_test(test_multiplier_multiply_add),
		cmocka_unit_test(test_campaign_dates),
		cmocka_unit_test(test_lot_expiry),
		cmocka_unit_test(test_topup_bonus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

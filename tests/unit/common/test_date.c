/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_date: "YYYY-MM-DD" dates as members' birthdays, coupon validity and
 * the loyalty rules read them (common/date.c): leap years of the Gregorian
 * calendar, month lengths, and every malformed or impossible date refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "date.h"

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(date_is_leap(2024));
	assert_true(date_is_leap(2000));	/* divisible by 400 */
	assert_false(date_is_leap(1900));	/* by 100, not 400 */
	assert_false(date_is_leap(2026));
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(2100, 2), 28);
	assert_int_equal(date_days_in_month(2026, 4), 30);
	assert_int_equal(date_days_in_month(2026, 12), 31);
	assert_int_equal(date_days_in_month(2026, 0), 0);
	assert_int_equal(date_days_in_month(2026, 13), 0);
}

static void test_parse_good(void **state)
{
	int y = 0, m = 0, d = 0;

	(void)state;
	assert_true(date_parse("2024-02-29", &y, &m, &d));
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
	assert_true(date_parse("1900-01-01", NULL, NULL, NULL));
	assert_true(date_parse("9999-12-31", NULL, NULL, NULL));
	assert_true(date_parse("2000-02-29", NULL, NULL, NULL));
}

static void test_parse_refused(void **state)
{
	static const char *bad[] = {
		"", "2026-1-01", "2026-01-1", "2026/01/01", "20260101", "2026-01-01 ",
		" 2026-01-01", "2026-00-10", "2026-13-01", "2026-01-00", "2026-01-32",
		"2026-02-29", "1900-02-29", "2100-02-29", "2026-04-31", "1899-12-31",
		"+026-01-01", "2026-0a-01", "2026--1-01", "2026-01-01x",
	};
	int y = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(date_parse(bad[i], &y, NULL, NULL));
	assert_int_equal(y, 7);		/* untouched on a refusal */
	assert_false(date_parse(NULL, NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

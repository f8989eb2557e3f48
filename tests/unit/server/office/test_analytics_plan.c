/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_analytics_plan: the analytics job's pure arithmetic
 * (server/office/analytics_plan.c): day numbers both ways (the epoch, a
 * leap day, the turn of a century and of the year), a run's ranges cut
 * into batches of buckets that skip the chain-wide days and lose or
 * repeat no bucket across range boundaries, the chain-wide days in
 * batches, and the batch size's doubling, halving and bounds; the run's
 * lease length and when it is renewed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "analytics_plan.h"

static int32_t day(const char *s)
{
	int32_t d = -1;

	assert_true(analytics_day_parse(s, &d));
	return d;
}

static void test_days(void **state)
{
	char out[ANALYTICS_DAY_LEN];
	int32_t d;

	(void)state;
	assert_int_equal(day("1970-01-01"), 0);
	assert_int_equal(day("1970-01-02"), 1);
	assert_int_equal(day("1969-12-31"), -1);
	assert_int_equal(day("2000-03-01") - day("2000-02-28"), 2);	/* 2000 is a leap year */
	assert_int_equal(day("1900-03-01") - day("1900-02-28"), 1);	/* 1900 is not */
	assert_int_equal(day("2027-01-01") - day("2026-12-31"), 1);
	assert_int_equal(day("2026-12-01"), 20788);
	assert_false(analytics_day_parse("2026-02-29", &d));
	assert_false(analytics_day_parse("2026-1-01", &d));
	assert_false(analytics_day_parse("", &d));
	analytics_day_format(day("2024-02-29"), out);
	assert_string_equal(out, "2024-02-29");
	analytics_day_format(day("1900-01-01"), out);
	assert_string_equal(out, "1900-01-01");
	analytics_day_format(day("9999-12-31"), out);
	assert_string_equal(out, "9999-12-31");
	/* every day of four years, there and back */
	for (int32_t n = day("2023-01-01"); n < day("2027-01-01"); n++) {
		analytics_day_format(n, out);
		assert_int_equal(day(out), n);
	}
}

static void test_buckets(void **state)
{
	/* store 7: 3 days, the chain: 2 days, store 9: 1 day, store 8: an empty range */
	const AnalyticsRange r[] = {
		{ 7, 100, 102 }, { 0, 100, 101 }, { 9, 50, 50 }, { 8, 10, 9 },
	};
	AnalyticsCursor c = { 0 };
	int64_t stores[4];
	int32_t days[4];
	size_t n;

	(void)state;
	n = analytics_plan_buckets(r, 4, &c, 2, stores, days);
	assert_int_equal(n, 2);
	assert_int_equal(stores[0], 7);
	assert_int_equal(days[0], 100);
	assert_int_equal(stores[1], 7);
	assert_int_equal(days[1], 101);
	/* the next batch goes on across the chain's range into store 9 */
	n = analytics_plan_buckets(r, 4, &c, 4, stores, days);
	assert_int_equal(n, 2);
	assert_int_equal(stores[0], 7);
	assert_int_equal(days[0], 102);
	assert_int_equal(stores[1], 9);
	assert_int_equal(days[1], 50);
	assert_int_equal(analytics_plan_buckets(r, 4, &c, 4, stores, days), 0);
	assert_int_equal(analytics_plan_buckets(r, 4, &c, 4, stores, days), 0);
	assert_int_equal(analytics_plan_buckets(r, 0, &(AnalyticsCursor){ 0 }, 4, stores, days), 0);
}

static void test_chain(void **state)
{
	const AnalyticsRange r[] = { { 7, 1, 5 }, { 0, 100, 104 }, { 0, 200, 200 } };
	AnalyticsCursor c = { 0 };
	int32_t from, to;

	(void)state;
	assert_true(analytics_plan_chain(r, 3, &c, 2, &from, &to));
	assert_int_equal(from, 100);
	assert_int_equal(to, 101);
	assert_true(analytics_plan_chain(r, 3, &c, 2, &from, &to));
	assert_int_equal(from, 102);
	assert_int_equal(to, 103);
	assert_true(analytics_plan_chain(r, 3, &c, 2, &from, &to));
	assert_int_equal(from, 104);
	assert_int_equal(to, 104);
	assert_true(analytics_plan_chain(r, 3, &c, 31, &from, &to));
	assert_int_equal(from, 200);
	assert_int_equal(to, 200);
	assert_false(analytics_plan_chain(r, 3, &c, 31, &from, &to));
	assert_false(analytics_plan_chain(r, 3, &c, 31, &from, &to));
	c = (AnalyticsCursor){ 0 };
	assert_false(analytics_plan_chain(r, 3, &c, 0, &from, &to));
}

static void test_batch_next(void **state)
{
	(void)state;
	assert_int_equal(analytics_batch_next(32, 10, 1000, 1, 1024), 64);	/* quick: double */
	assert_int_equal(analytics_batch_next(32, 500, 1000, 1, 1024), 32);	/* fine: keep */
	assert_int_equal(analytics_batch_next(32, 1001, 1000, 1, 1024), 16);	/* slow: halve */
	assert_int_equal(analytics_batch_next(1000, 0, 1000, 1, 1024), 1024);	/* capped */
	assert_int_equal(analytics_batch_next(1024, 0, 1000, 1, 1024), 1024);
	assert_int_equal(analytics_batch_next(1, 5000, 1000, 1, 1024), 1);	/* floored */
	assert_int_equal(analytics_batch_next(100, 9000, 1000, 50, 500), 50);
}

/* The lease: five times (timeout + grace), rounded up; renewed after half a timeout. */
static void test_lease(void **state)
{
	(void)state;
	assert_int_equal(analytics_lease_seconds(5000, 500), 28);	/* 27.5 s */
	assert_int_equal(analytics_lease_seconds(10, 500), 3);		/* 2.55 s */
	assert_int_equal(analytics_lease_seconds(600000, 500), 3003);
	assert_false(analytics_lease_due(1000000, 3499999, 5000));	/* 2.5 s less 1 us */
	assert_true(analytics_lease_due(1000000, 3500000, 5000));
	assert_true(analytics_lease_due(0, 5000, 10));
	assert_false(analytics_lease_due(0, 4999, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_batch_next),
		cmocka_unit_test(test_lease),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

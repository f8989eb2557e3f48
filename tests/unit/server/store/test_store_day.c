/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_day: the cache of the stores' business days (store_day.c):
 * a day holds for [start, end) and no longer, a 25-hour DST day is one day,
 * each store keeps its last STORE_DAY_PER_STORE days, the least recently
 * used store makes room for a new one, forgetting a store (its zone moved)
 * drops only its days, and a store with no day cached falls back to
 * kassad's own zone. The days are made up here: PostgreSQL computes them
 * in kassad (store_day_db.c, tested in the integration tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "store_day.h"

/* 2026-03-29 in Europe/Berlin (UTC+1, then UTC+2 from 02:00): 23 hours */
#define BERLIN_DST_START 1774738800LL	/* 2026-03-29 00:00 +01 */
#define BERLIN_DST_END 1774821600LL	/* 2026-03-30 00:00 +02 */

static const StoreDate MAR29 = { 2026, 3, 29, 7 };

static int setup(void **state)
{
	(void)state;
	store_day_clear();
	return 0;
}

static void test_half_open(void **state)
{
	StoreDate d;

	(void)state;
	assert_false(store_day_get(1, BERLIN_DST_START, &d));
	store_day_put(1, BERLIN_DST_START, BERLIN_DST_END, &MAR29);
	assert_true(store_day_get(1, BERLIN_DST_START, &d));
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 29);
	assert_int_equal(d.weekday, 7);
	/* 23 hours: the last second is still the 29th, the next is not cached */
	assert_int_equal(BERLIN_DST_END - BERLIN_DST_START, 23 * 3600);
	assert_true(store_day_get(1, BERLIN_DST_END - 1, &d));
	assert_false(store_day_get(1, BERLIN_DST_END, &d));
	assert_false(store_day_get(1, BERLIN_DST_START - 1, &d));
	assert_false(store_day_get(2, BERLIN_DST_START, &d));	/* another store's */
}

static void test_bad_put_ignored(void **state)
{
	StoreDate d;

	(void)state;
	store_day_put(1, 100, 100, &MAR29);
	store_day_put(1, 200, 100, &MAR29);
	store_day_put(0, 100, 200, &MAR29);
	store_day_put(-3, 100, 200, &MAR29);
	assert_false(store_day_get(1, 100, &d));
	assert_false(store_day_get(0, 150, &d));
	assert_false(store_day_get(-3, 150, &d));
}

/* Day k of store 7: [k * 86400, (k + 1) * 86400), dated 2026-01-(k + 1). */
static void put_day(int64_t store, int k)
{
	StoreDate d = { 2026, 1, k + 1, k % 7 + 1 };

	store_day_put(store, (int64_t)k * 86400, (int64_t)(k + 1) * 86400, &d);
}

static void test_days_per_store(void **state)
{
	StoreDate d;

	(void)state;
	for (int k = 0; k <= STORE_DAY_PER_STORE; k++)
		put_day(7, k);
	assert_false(store_day_get(7, 10, &d));		/* the oldest made room */
	for (int k = 1; k <= STORE_DAY_PER_STORE; k++) {
		assert_true(store_day_get(7, (int64_t)k * 86400 + 10, &d));
		assert_int_equal(d.day, k + 1);
	}
	/* the same day again replaces it in place: nothing else goes */
	{
		StoreDate moved = { 2030, 6, 15, 6 };

		store_day_put(7, 2 * 86400, 3 * 86400, &moved);
	}
	assert_true(store_day_get(7, 2 * 86400, &d));
	assert_int_equal(d.year, 2030);
	for (int k = 1; k <= STORE_DAY_PER_STORE; k++)
		assert_true(store_day_get(7, (int64_t)k * 86400, &d));
}

static void test_least_recent_store_goes(void **state)
{
	StoreDate d;

	(void)state;
	for (int s = 1; s <= STORE_DAY_STORES; s++)
		put_day(s, 0);
	assert_true(store_day_get(1, 5, &d));	/* store 1 used: store 2 is the least recent */
	put_day(STORE_DAY_STORES + 1, 0);
	assert_true(store_day_get(1, 5, &d));
	assert_false(store_day_get(2, 5, &d));
	assert_true(store_day_get(STORE_DAY_STORES + 1, 5, &d));
	for (int s = 3; s <= STORE_DAY_STORES; s++)
		assert_true(store_day_get(s, 5, &d));
}

static void test_forget(void **state)
{
	StoreDate d;

	(void)state;
	put_day(1, 0);
	put_day(1, 1);
	put_day(2, 0);
	store_day_forget(1);
	store_day_forget(99);		/* not cached: nothing */
	assert_false(store_day_get(1, 5, &d));
	assert_false(store_day_get(1, 86400 + 5, &d));
	assert_true(store_day_get(2, 5, &d));
	put_day(1, 1);			/* read again after the forget */
	assert_true(store_day_get(1, 86400 + 5, &d));
}

static void test_fallback_kassad_zone(void **state)
{
	StoreDate d;

	(void)state;
	/* 2026-03-28 23:30 UTC: the 29th in Berlin (kassad here), the 28th in UTC */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	d = store_day_of(5, BERLIN_DST_START + 1800);
	assert_int_equal(d.day, 29);
	assert_int_equal(d.weekday, 7);
	store_day_put(5, BERLIN_DST_START - 82800, BERLIN_DST_START + 3600,
		      &(StoreDate){ 2026, 3, 28, 6 });		/* the store is in UTC */
	d = store_day_of(5, BERLIN_DST_START + 1800);
	assert_int_equal(d.day, 28);
	assert_int_equal(d.weekday, 6);
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_half_open, setup),
		cmocka_unit_test_setup(test_bad_put_ignored, setup),
		cmocka_unit_test_setup(test_days_per_store, setup),
		cmocka_unit_test_setup(test_least_recent_store_goes, setup),
		cmocka_unit_test_setup(test_forget, setup),
		cmocka_unit_test_setup(test_fallback_kassad_zone, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

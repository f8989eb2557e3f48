/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ratelimit: the token buckets of server/core/ratelimit.c (compiled
 * into this test on its own, with the four [limits] settings defined here).
 * Time is an argument, so every case runs on a made-up clock: a full bucket
 * lets exactly burst requests through at once; an empty one says how long
 * to wait, and after exactly that long serves one more; refilling is
 * rate tokens a second and never beyond burst, also after a very long idle
 * time (no overflow); a clock going backwards gives nothing; rate 0 is off.
 * The table keeps buckets apart by key, stays bounded when more keys come
 * than it has slots (evicting, never refusing a new key), and the kassad
 * limits round retry_after up to whole milliseconds and key IPv4, mapped
 * IPv4 and IPv6 /64 addresses as one client each.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "ratelimit.h"

/* ---- what ratelimit.c takes from cfg.c ---- */

int cf_till_rate, cf_till_burst, cf_address_rate, cf_address_burst;

#define SEC 1000000		/* one second in microseconds */
#define T0 ((int64_t)1700000000 * SEC)

/* Take n tokens at now; the number that were granted. */
static int take_n(RateBucket *b, int rate, int burst, int64_t now, int n)
{
	int ok = 0;

	for (int i = 0; i < n; i++)
		ok += ratebucket_take(b, rate, burst, now, NULL);
	return ok;
}

static void test_burst_then_refused(void **state)
{
	RateBucket b;
	int64_t wait = 0;

	(void)state;
	ratebucket_fill(&b, 5, T0);
	assert_int_equal(take_n(&b, 10, 5, T0, 5), 5);
	assert_false(ratebucket_take(&b, 10, 5, T0, &wait));
	assert_int_equal(wait, SEC / 10);	/* 10/s: the next token in 100 ms */
	/* 1 us too early: still none, and it says 1 us */
	assert_false(ratebucket_take(&b, 10, 5, T0 + SEC / 10 - 1, &wait));
	assert_int_equal(wait, 1);
	/* exactly when it said: one, and only one */
	assert_true(ratebucket_take(&b, 10, 5, T0 + SEC / 10, &wait));
	assert_false(ratebucket_take(&b, 10, 5, T0 + SEC / 10, &wait));
	assert_int_equal(wait, SEC / 10);
}

static void test_refill_rate_and_cap(void **state)
{
	RateBucket b;

	(void)state;
	ratebucket_fill(&b, 100, T0);
	assert_int_equal(take_n(&b, 50, 100, T0, 100), 100);
	/* half a second at 50/s: 25 tokens */
	assert_int_equal(take_n(&b, 50, 100, T0 + SEC / 2, 1000), 25);
	/* an hour idle: back to the burst, not 180,000 */
	assert_int_equal(take_n(&b, 50, 100, T0 + 3600LL * SEC, 1000), 100);
	/* a century idle at the highest rate: still exactly burst (no overflow) */
	assert_int_equal(take_n(&b, 1000000, 1000000, T0 + 3153600000LL * SEC, 1), 1);
	ratebucket_fill(&b, 3, T0);
	assert_int_equal(take_n(&b, 1000000, 3, T0 + 100LL * 365 * 86400 * SEC, 10), 3);
}

static void test_fractional_rates(void **state)
{
	RateBucket b;
	int64_t wait = 0;

	(void)state;
	/* 3 a second: a token every 333,334 us (rounded up, never early) */
	ratebucket_fill(&b, 1, T0);
	assert_true(ratebucket_take(&b, 3, 1, T0, NULL));
	assert_false(ratebucket_take(&b, 3, 1, T0, &wait));
	assert_int_equal(wait, 333334);
	assert_false(ratebucket_take(&b, 3, 1, T0 + 333333, NULL));
	assert_true(ratebucket_take(&b, 3, 1, T0 + 333334, NULL));
	/* over 10 s at 3/s 30 more (29 if the last step stops short), whatever the steps */
	int got = 0;

	for (int64_t t = T0 + 333334; t <= T0 + 333334 + 10LL * SEC; t += 7919)
		got += ratebucket_take(&b, 3, 1, t, NULL);
	assert_true(got == 29 || got == 30);
}

static void test_clock_backwards(void **state)
{
	RateBucket b;
	int64_t wait = 0;

	(void)state;
	ratebucket_fill(&b, 1, T0);
	assert_true(ratebucket_take(&b, 1, 1, T0, NULL));
	/* the clock steps back 10 s: nothing is added, and the wait says so */
	assert_false(ratebucket_take(&b, 1, 1, T0 - 10LL * SEC, &wait));
	assert_int_equal(wait, 11LL * SEC);
	assert_false(ratebucket_take(&b, 1, 1, T0 + SEC - 1, NULL));
	assert_true(ratebucket_take(&b, 1, 1, T0 + SEC, NULL));
}

static void test_rate_zero_is_off(void **state)
{
	RateBucket b;

	(void)state;
	ratebucket_fill(&b, 1, T0);
	assert_int_equal(take_n(&b, 0, 1, T0, 10000), 10000);
}

static void test_lowered_burst(void **state)
{
	RateBucket b;

	(void)state;
	ratebucket_fill(&b, 100, T0);
	/* a reload lowers the burst to 2: the full bucket holds 2 now */
	assert_int_equal(take_n(&b, 1, 2, T0, 10), 2);
}

static void test_table_keys_apart(void **state)
{
	RateTable *t = ratetable_new(64);
	int64_t a = 1, b = 2, wait = 0;

	(void)state;
	assert_true(ratetable_take(t, &a, sizeof(a), 1, 2, T0, NULL));
	assert_true(ratetable_take(t, &a, sizeof(a), 1, 2, T0, NULL));
	assert_false(ratetable_take(t, &a, sizeof(a), 1, 2, T0, &wait));
	assert_int_equal(wait, SEC);
	/* another key has its own full bucket */
	assert_true(ratetable_take(t, &b, sizeof(b), 1, 2, T0, NULL));
	assert_true(ratetable_take(t, &b, sizeof(b), 1, 2, T0, NULL));
	assert_int_equal(ratetable_count(t), 2);
	assert_int_equal(ratetable_evictions(t), 0);
	ratetable_free(t);
}

static void test_table_bounded(void **state)
{
	RateTable *t = ratetable_new(64);
	int64_t hot = -1;

	(void)state;
	/* the hot key spends its bucket at T0 ... */
	assert_true(ratetable_take(t, &hot, sizeof(hot), 1, 1, T0, NULL));
	assert_false(ratetable_take(t, &hot, sizeof(hot), 1, 1, T0, NULL));
	/* ... then 100,000 other keys come, each new one always let in */
	for (int64_t k = 0; k < 100000; k++)
		assert_true(ratetable_take(t, &k, sizeof(k), 1, 1, T0 + 1 + k, NULL));
	assert_true(ratetable_count(t) <= 64);
	assert_true(ratetable_evictions(t) >= 100000 - 64);
	ratetable_free(t);
}

static void test_request_retry_ms(void **state)
{
	uint32_t ms = 0;

	(void)state;
	cf_till_rate = 3;
	cf_till_burst = 1;
	assert_true(ratelimit_request(7, T0, &ms));
	assert_false(ratelimit_request(7, T0, &ms));
	assert_int_equal(ms, 334);	/* 333,334 us rounded up */
	assert_true(ratelimit_request(8, T0, &ms));	/* another till */
	assert_false(ratelimit_request(7, T0 + 333333, &ms));
	assert_int_equal(ms, 1);	/* 1 us still to wait: 1 ms, never 0 */
	assert_true(ratelimit_request(7, T0 + 334000, &ms));
	cf_till_rate = 0;		/* off */
	for (int i = 0; i < 100; i++)
		assert_true(ratelimit_request(7, T0 + 334000, &ms));
	ratelimit_shutdown();
}

static void test_connection_keys(void **state)
{
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 v6a = { .sin6_family = AF_INET6 }, v6b = v6a, v6c = v6a;

	(void)state;
	cf_address_rate = 1;
	cf_address_burst = 2;
	inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &mapped.sin6_addr);
	inet_pton(AF_INET6, "2001:db8:1:2::1", &v6a.sin6_addr);
	inet_pton(AF_INET6, "2001:db8:1:2:ffff::9", &v6b.sin6_addr);	/* same /64 */
	inet_pton(AF_INET6, "2001:db8:1:3::1", &v6c.sin6_addr);		/* another */
	v4.sin_port = htons(1000);
	assert_true(ratelimit_connection((struct sockaddr *)&v4, T0));
	v4.sin_port = htons(1001);	/* the port does not matter */
	assert_true(ratelimit_connection((struct sockaddr *)&v4, T0));
	/* the third from 192.0.2.7, also spelt IPv4-mapped: refused */
	assert_false(ratelimit_connection((struct sockaddr *)&mapped, T0));
	assert_false(ratelimit_connection((struct sockaddr *)&v4, T0));
	assert_true(ratelimit_connection((struct sockaddr *)&v4, T0 + SEC));
	assert_true(ratelimit_connection((struct sockaddr *)&v6a, T0));
	assert_true(ratelimit_connection((struct sockaddr *)&v6b, T0));
	assert_false(ratelimit_connection((struct sockaddr *)&v6a, T0));
	assert_true(ratelimit_connection((struct sockaddr *)&v6c, T0));
	cf_address_rate = 0;
	assert_true(ratelimit_connection((struct sockaddr *)&v6a, T0));
	ratelimit_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refused),
		cmocka_unit_test(test_refill_rate_and_cap),
		cmocka_unit_test(test_fractional_rates),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_rate_zero_is_off),
		cmocka_unit_test(test_lowered_burst),
		cmocka_unit_test(test_table_keys_apart),
		cmocka_unit_test(test_table_bounded),
		cmocka_unit_test(test_request_retry_ms),
		cmocka_unit_test(test_connection_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules: the earn rule's rounding (always down, never negative), line
 * pricing bounds and overflow, and settlement: exact, short, cash change,
 * change refused when only a card overpaid or when it is more than the
 * configured limit, bad tender amounts and sums that would overflow. Then
 * whole sales: half-up percentages, largest remainder allocation (checked
 * against the original quadratic implementation, kept here as a
 * reference, on random inputs and on 2,000 lines), the loyalty engine's
 * golden cases 1-6, and the points cap a refusal names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
	assert_true(rules_line_total(100, 99999, &t));	/* the till's SALE_MAX_QTY */
	assert_true(t == 9999900);
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
	assert_false(rules_line_total(100, 100000, &t));	/* a barcode, as the till says */
	assert_false(rules_line_total(100, INT32_MAX, &t));
	assert_false(rules_line_total(-1, 1, &t));		/* negative price */
	assert_false(rules_line_total(INT64_MIN, 1, &t));
	assert_false(rules_line_total(INT64_MAX, 2, &t));	/* overflow */
	assert_false(rules_line_total(INT64_MAX / RULES_MAX_QTY + 1, RULES_MAX_QTY, &t));
	assert_false(rules_line_total(INT64_MAX / 2 + 1, 2, &t));
	assert_true(t == SENTINEL);				/* untouched on failure */
}

/* Call rules_settle with sentinels in the outputs, with a change limit. */
static RulesTenderStatus settle_max(int64_t total, const int64_t *amounts, const bool *cash,
				    int n, int64_t max_change, int64_t *tendered,
				    int64_t *change)
{
	*tendered = SENTINEL;
	*change = SENTINEL;
	return rules_settle(total, amounts, cash, n, max_change, tendered, change);
}

/* ... and without one (any change the cash allows). */
static RulesTenderStatus settle(int64_t total, const int64_t *amounts, const bool *cash, int n,
				int64_t *tendered, int64_t *change)
{
	return settle_max(total, amounts, cash, n, INT64_MAX, tendered, change);
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

/* Change above the limit is a mistyped amount: refused, with the change it would be. */
static void test_settle_change_too_large(void **state)
{
	int64_t tendered, change;

	(void)state;
	/* INT64_MAX fen of cash on a 20.00 sale */
	assert_int_equal(settle_max(2000, (int64_t[]){ INT64_MAX }, (bool[]){ true }, 1, 100000,
				    &tendered, &change), RULES_TENDER_CHANGE_TOO_LARGE);
	assert_true(tendered == INT64_MAX && change == INT64_MAX - 2000);
	/* exactly the limit is change; one fen more is not */
	assert_int_equal(settle_max(2000, (int64_t[]){ 102000 }, (bool[]){ true }, 1, 100000,
				    &tendered, &change), RULES_TENDER_OK);
	assert_true(tendered == 102000 && change == 100000);
	assert_int_equal(settle_max(2000, (int64_t[]){ 102001 }, (bool[]){ true }, 1, 100000,
				    &tendered, &change), RULES_TENDER_CHANGE_TOO_LARGE);
	assert_true(change == 100001);
	/* the limit counts all the cash, over several tenders */
	assert_int_equal(settle_max(2000, (int64_t[]){ 1000, 60000, 60000 },
				    (bool[]){ false, true, true }, 3, 100000, &tendered, &change),
			 RULES_TENDER_CHANGE_TOO_LARGE);
	/* a limit of 0: exact money only; a card overpaying is still CHANGE_NOT_CASH */
	assert_int_equal(settle_max(2000, (int64_t[]){ 2000 }, (bool[]){ true }, 1, 0, &tendered,
				    &change), RULES_TENDER_OK);
	assert_int_equal(settle_max(2000, (int64_t[]){ 2001 }, (bool[]){ true }, 1, 0, &tendered,
				    &change), RULES_TENDER_CHANGE_TOO_LARGE);
	assert_int_equal(settle_max(2000, (int64_t[]){ 2001 }, (bool[]){ false }, 1, 0, &tendered,
				    &change), RULES_TENDER_CHANGE_NOT_CASH);
	/* sums that do not fit stay refused as such, whatever the limit */
	assert_int_equal(settle_max(2000, (int64_t[]){ INT64_MAX, INT64_MAX },
				    (bool[]){ true, true }, 2, 100000, &tendered, &change),
			 RULES_TENDER_BAD_AMOUNT);
	assert_int_equal(settle_max(2000, (int64_t[]){ 2000 }, (bool[]){ true }, 1, -1, &tendered,
				    &change), RULES_TENDER_BAD_AMOUNT);
	assert_true(tendered == SENTINEL && change == SENTINEL);
}

/* ---- whole sales: the loyalty engine's golden cases (issue 3) ---- */

#define SILVER_BP 1000	/* 10% off */
#define GOLD_BP 2000	/* 20% off */

static RulesSale sale_of(RulesLine *lines, int n, int32_t tier_bp)
{
	RulesSale s = { .lines = lines, .n = n };

	rules_sale_defaults(&s);
	s.tier_bp = tier_bp;
	return s;
}

static void test_percent_half_up(void **state)
{
	int64_t v;

	(void)state;
	assert_true(rules_percent_half_up(33333, 1000, &v));
	assert_int_equal(v, 3333);		/* 3333.3 -> 3333 */
	assert_true(rules_percent_half_up(5, 1000, &v));
	assert_int_equal(v, 1);			/* 0.5 -> 1: half up */
	assert_true(rules_percent_half_up(4, 1000, &v));
	assert_int_equal(v, 0);			/* 0.4 -> 0 */
	assert_true(rules_percent_half_up(INT64_MAX, 10000, &v));
	assert_true(v == INT64_MAX);		/* no overflow at the top */
	assert_false(rules_percent_half_up(-1, 1000, &v));
	assert_false(rules_percent_half_up(100, 10001, &v));
}

static void test_allocate(void **state)
{
	int64_t w[] = { 2500, 7500 }, out[2];
	int64_t w3[] = { 100, 100, 100 }, out3[3];
	int64_t big[] = { INT64_MAX / 2, INT64_MAX / 2 }, outb[2];

	(void)state;
	/* 10 over 2.5 : 7.5 -> the tie goes to the larger line: 2 and 8 */
	assert_true(rules_allocate(10, w, 2, out));
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 8);
	/* equal weights, equal remainders: earlier lines first */
	assert_true(rules_allocate(2, w3, 3, out3));
	assert_int_equal(out3[0], 1);
	assert_int_equal(out3[1], 1);
	assert_int_equal(out3[2], 0);
	/* always sums to the total, even with huge numbers */
	assert_true(rules_allocate(INT64_MAX, big, 2, outb));
	assert_true(outb[0] + (outb[1] - 1) == INT64_MAX - 1);
	assert_false(rules_allocate(5, (int64_t[]){ 0, 0 }, 2, out));
	assert_false(rules_allocate(-1, w, 2, out));
}

/*
 * The original quadratic allocation, verbatim but for its name: the
 * reference the sorted one must match exactly (results are stored per
 * line, and refunds read them back).
 */
static bool ref_allocate(int64_t total, const int64_t *weights, int n, int64_t *out)
{
	__int128 wsum = 0;
	int64_t given = 0;

	if (total < 0 || n <= 0 || weights == NULL || out == NULL)
		return false;
	for (int i = 0; i < n; i++) {
		if (weights[i] < 0)
			return false;
		wsum += weights[i];
	}
	if (wsum == 0) {
		for (int i = 0; i < n; i++)
			out[i] = 0;
		return total == 0;
	}
	for (int i = 0; i < n; i++) {
		out[i] = (int64_t)((__int128)total * weights[i] / wsum);
		given += out[i];
	}
	for (int64_t left = total - given; left > 0; left--) {
		int best = -1;
		__int128 best_rem = -1;

		for (int i = 0; i < n; i++) {
			__int128 rem = (__int128)total * weights[i] % wsum;

			if (out[i] != (int64_t)((__int128)total * weights[i] / wsum))
				continue;
			if (rem > best_rem || (rem == best_rem && weights[i] > weights[best])) {
				best = i;
				best_rem = rem;
			}
		}
		if (best < 0)
			return false;
		out[best]++;
	}
	return true;
}

/* A fixed pseudo-random sequence (xorshift64*), so that a failure repeats. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545F4914F6CDD1Dull;
}

/* A weight as baskets have them: often equal (ties), sometimes 0 or huge. */
static int64_t rnd_weight(void)
{
	static const int64_t common[] = { 0, 1, 2, 3, 100, 1250, 7500, 9999 };

	switch (rnd() % 4) {
	case 0:
		return common[rnd() % 8];
	case 1:
		return (int64_t)(rnd() % 100000);
	case 2:
		return (int64_t)(rnd() % 1000);
	default:
		return (int64_t)(rnd() >> 1);		/* up to INT64_MAX */
	}
}

/* A total: small ones leave many ties among the remainders, large ones none. */
static int64_t rnd_total(void)
{
	switch (rnd() % 3) {
	case 0:
		return (int64_t)(rnd() % 20);
	case 1:
		return (int64_t)(rnd() % 1000000);
	default:
		return (int64_t)(rnd() >> 1);
	}
}

/*
 * Weights and a total whose remainders take at most k distinct values, so
 * that slots of different weights tie on the remainder: W = k * q and
 * total = t * q make every total * w mod W a multiple of q below k * q.
 * The last slot pads W up to a multiple of k.
 */
static int64_t rnd_tied(int64_t *w, int n)
{
	int64_t k = 2 + (int64_t)(rnd() % 5), sum = 0;

	for (int i = 0; i < n - 1; i++)
		sum += w[i] = (int64_t)(rnd() % 1000);
	w[n - 1] = (k - sum % k) % k + k * (int64_t)(rnd() % 3);
	sum += w[n - 1];
	return sum / k * (1 + (int64_t)(rnd() % 7));
}

/* The sorted allocation gives exactly what the quadratic one gave, ties and all. */
static void test_allocate_matches_reference(void **state)
{
	int64_t w[64], got[64], want[64];

	(void)state;
	for (int round = 0; round < 20000; round++) {
		int n = 1 + (int)(rnd() % 64);
		int64_t total = rnd_total();
		bool ok_got, ok_want;

		for (int i = 0; i < n; i++)
			w[i] = rnd_weight();
		if (round % 3 == 0)
			total = rnd_tied(w, n);
		ok_got = rules_allocate(total, w, n, got);
		ok_want = ref_allocate(total, w, n, want);
		assert_int_equal(ok_got, ok_want);
		if (ok_got && memcmp(got, want, (size_t)n * sizeof(got[0])) != 0)
			fail_msg("round %d: %d slots, total %lld: the allocations differ", round,
				 n, (long long)total);
	}
}

/* 2,000 lines: the parts add up, a second run gives the same, and so does the reference. */
static void test_allocate_many_lines(void **state)
{
	enum { N = 2000 };
	int64_t *w = calloc(N, sizeof(*w)), *a = calloc(N, sizeof(*a));
	int64_t *b = calloc(N, sizeof(*b)), *r = calloc(N, sizeof(*r));
	static const int64_t totals[] = { 1999, 123456789, 1000000007, INT64_MAX };

	(void)state;
	assert_true(w && a && b && r);
	for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
		__int128 sum = 0;

		for (int i = 0; i < N; i++)
			w[i] = i % 7 == 0 ? 1250 : (int64_t)(rnd() % 100000) + 1;
		assert_true(rules_allocate(totals[t], w, N, a));
		assert_true(rules_allocate(totals[t], w, N, b));
		for (int i = 0; i < N; i++)
			sum += a[i];
		assert_true(sum == totals[t]);
		assert_memory_equal(a, b, N * sizeof(*a));
		assert_true(ref_allocate(totals[t], w, N, r));
		assert_memory_equal(a, r, N * sizeof(*a));
	}
	free(w);
	free(a);
	free(b);
	free(r);
}

/*
 * 200,000 equal slots and one unit short of one each: every slot ties, so
 * the units go to the earliest. The quadratic search needed 4 x 10^10
 * steps here (minutes, past this test's timeout); one sort takes
 * milliseconds.
 */
static void test_allocate_not_quadratic(void **state)
{
	enum { N = 200000 };
	int64_t *w = malloc(N * sizeof(*w)), *out = malloc(N * sizeof(*out));

	(void)state;
	assert_true(w && out);
	for (int i = 0; i < N; i++)
		w[i] = 1;
	assert_true(rules_allocate(N - 1, w, N, out));
	for (int i = 0; i < N - 1; i++)
		if (out[i] != 1)
			fail_msg("slot %d got %lld, not 1", i, (long long)out[i]);
	assert_int_equal(out[N - 1], 0);
	free(w);
	free(out);
}

/* Golden 1: Regular, 2 x 12.50 + 75.00, cash 100.00 -> payable 100.00, 10 points. */
static void test_golden_regular(void **state)
{
	RulesLine l[] = { { .unit_minor = 1250, .qty = 2 }, { .unit_minor = 7500, .qty = 1 } };
	RulesSale s = sale_of(l, 2, 0);

	(void)state;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.payable, 10000);
	assert_int_equal(rules_earn(&s, 0, false, 100, MPP), 10);
	/* Golden 5: the 75.00 line carries 8 of the 10 points (2.5 : 7.5, tie to the larger) */
	assert_int_equal(l[0].points_earned, 2);
	assert_int_equal(l[1].points_earned, 8);
}

/* Golden 2: Silver, one line 333.33 -> 33.33 off, payable 300.00, 30 points. */
static void test_golden_silver(void **state)
{
	RulesLine l[] = { { .unit_minor = 33333, .qty = 1 } };
	RulesSale s = sale_of(l, 1, SILVER_BP);

	(void)state;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.tier_off, 3333);
	assert_int_equal(s.payable, 30000);
	assert_int_equal(rules_earn(&s, 0, false, 100, MPP), 30);
}

/* Golden 3: Gold with 250 points, 200.00, redeems 200 -> 160.00 -> 140.00, earns 14. */
static void test_golden_gold_points(void **state)
{
	RulesLine l[] = { { .unit_minor = 12000, .qty = 1 }, { .unit_minor = 8000, .qty = 1 } };
	RulesSale s = sale_of(l, 2, GOLD_BP);

	(void)state;
	s.points_balance = 250;
	s.points_redeem = 200;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.gross - s.tier_off, 16000);
	assert_int_equal(s.points_value, 2000);
	assert_int_equal(s.payable, 14000);
	assert_int_equal(l[0].points_off + l[1].points_off, 2000);
	assert_int_equal(rules_earn(&s, 0, false, 100, MPP), 14);
	assert_int_equal(250 - 200 + 14, 64);	/* the balance the till shows */
}

/* Golden 4: Silver, 120.00, 20.00 off from 100.00 (after tier) -> 108.00 -> 88.00, earns 8. */
static void test_golden_coupon(void **state)
{
	RulesLine l[] = { { .unit_minor = 6000, .qty = 2 } };
	RulesSale s = sale_of(l, 1, SILVER_BP);

	(void)state;
	s.coupon_off = 2000;
	s.coupon_min_spend = 10000;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.gross - s.tier_off, 10800);
	assert_int_equal(s.payable, 8800);
	assert_int_equal(rules_earn(&s, 0, false, 100, MPP), 8);
	/* the same coupon on a basket that is 110.00 before and 99.00 after the tier */
	RulesLine m[] = { { .unit_minor = 11000, .qty = 1 } };
	RulesSale t = sale_of(m, 1, SILVER_BP);
	t.coupon_off = 2000;
	t.coupon_min_spend = 10000;
	assert_int_equal(rules_price(&t), RULES_COUPON_MIN_SPEND);
}

/* Golden 6: 80.00 paid with 50.00 stored value + 30.00 cash earns 3 points. */
static void test_golden_stored_value(void **state)
{
	RulesLine l[] = { { .unit_minor = 8000, .qty = 1 } };
	RulesSale s = sale_of(l, 1, 0);

	(void)state;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(rules_earn(&s, 5000, false, 100, MPP), 3);
	assert_int_equal(rules_earn(&s, 5000, true, 100, MPP), 8);	/* if configured */
	assert_int_equal(rules_earn(&s, 0, false, 200, MPP), 16);	/* a 2x day */
}

/* Points: whole steps, within balance and cap; the offer the till shows. */
static void test_points_refusals(void **state)
{
	RulesLine l[] = { { .unit_minor = 10000, .qty = 1 } };
	RulesSale s = sale_of(l, 1, 0);

	(void)state;
	s.points_balance = 1000;
	s.points_redeem = 150;
	assert_int_equal(rules_price(&s), RULES_POINTS_NOT_STEPS);
	s.points_redeem = 600;				/* 60.00 > 50% of 100.00 */
	assert_int_equal(rules_price(&s), RULES_POINTS_OVER_CAP);
	s.points_balance = 300;
	s.points_redeem = 400;
	assert_int_equal(rules_price(&s), RULES_INSUFFICIENT_POINTS);
	s.points_redeem = 0;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.points_cap, 300);		/* the balance binds */
	s.points_balance = 1000;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.points_cap, 500);		/* the cap binds */
}

/*
 * The cap a POINTS_OVER_CAP refusal names is set on that refusal too (it
 * was 0: the most points were computed from a payable never set).
 */
static void test_points_cap_on_refusal(void **state)
{
	RulesLine l[] = { { .unit_minor = 10000, .qty = 1 } };
	RulesLine g[] = { { .unit_minor = 12000, .qty = 1 }, { .unit_minor = 8000, .qty = 1 } };
	RulesSale s = sale_of(l, 1, 0), t = sale_of(g, 2, GOLD_BP);

	(void)state;
	s.points_balance = 1000;
	s.points_redeem = 600;				/* 60.00 > 50% of 100.00 */
	s.payable = 0;
	assert_int_equal(rules_price(&s), RULES_POINTS_OVER_CAP);
	assert_int_equal(s.points_cap, 500);
	s.points_redeem = 150;
	assert_int_equal(rules_price(&s), RULES_POINTS_NOT_STEPS);
	assert_int_equal(s.points_cap, 500);
	/* Gold: 200.00 -> 160.00 after the tier: at most 80.00, 800 points */
	t.points_balance = 5000;
	t.points_redeem = 900;
	assert_int_equal(rules_price(&t), RULES_POINTS_OVER_CAP);
	assert_int_equal(t.points_cap, 800);
	t.points_redeem = 800;
	assert_int_equal(rules_price(&t), RULES_OK);
	assert_int_equal(t.payable, 8000);
	/* a balance not in whole steps: the cap is whole steps of it */
	t.points_balance = 250;
	t.points_redeem = 0;
	assert_int_equal(rules_price(&t), RULES_OK);
	assert_int_equal(t.points_cap, 200);
}

/* What a balance allows with no sale in view (Member.points_redeemable). */
static void test_points_redeemable(void **state)
{
	(void)state;
	assert_int_equal(rules_points_redeemable(0, 100), 0);
	assert_int_equal(rules_points_redeemable(99, 100), 0);
	assert_int_equal(rules_points_redeemable(100, 100), 100);
	assert_int_equal(rules_points_redeemable(1250, 100), 1200);
	assert_int_equal(rules_points_redeemable(-300, 100), 0);	/* after a clawback */
	assert_int_equal(rules_points_redeemable(1250, 0), 0);
	assert_true(rules_points_redeemable(INT64_MAX, 100) == INT64_MAX / 100 * 100);
}

/* A percent coupon is capped, and discounts never exceed what a line costs. */
static void test_coupon_cap_and_floor(void **state)
{
	RulesLine l[] = { { .unit_minor = 50000, .qty = 1 } };
	RulesLine m[] = { { .unit_minor = 500, .qty = 1, .item_off = 900 } };
	RulesSale s = sale_of(l, 1, 0), t = sale_of(m, 1, 0);

	(void)state;
	s.coupon_bp = 1500;		/* 15% of 500.00 = 75.00, capped at 30.00 */
	s.coupon_cap = 3000;
	assert_int_equal(rules_price(&s), RULES_OK);
	assert_int_equal(s.payable, 47000);
	assert_int_equal(rules_price(&t), RULES_OK);
	assert_int_equal(t.payable, 0);	/* 9.00 off a 5.00 line takes it to 0, not below */
	assert_int_equal(m[0].coupon_off, 500);
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
		cmocka_unit_test(test_settle_change_too_large),
		cmocka_unit_test(test_percent_half_up),
		cmocka_unit_test(test_allocate),
		cmocka_unit_test(test_allocate_matches_reference),
		cmocka_unit_test(test_allocate_many_lines),
		cmocka_unit_test(test_allocate_not_quadratic),
		cmocka_unit_test(test_golden_regular),
		cmocka_unit_test(test_golden_silver),
		cmocka_unit_test(test_golden_gold_points),
		cmocka_unit_test(test_golden_coupon),
		cmocka_unit_test(test_golden_stored_value),
		cmocka_unit_test(test_points_refusals),
		cmocka_unit_test(test_points_cap_on_refusal),
		cmocka_unit_test(test_points_redeemable),
		cmocka_unit_test(test_coupon_cap_and_floor),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_refund: the refund arithmetic of rules_refund.c, the cases
 * migrations/functions/refunds.sql computed before it moved to C: partial
 * and full refunds, several tenders in the documented order (stored value,
 * then card and e-wallet, then cash, each by tender_no), cash never more
 * than the till kept, what earlier refunds sent back, the rounding of the
 * restored points over several partial refunds (floor shares that add up
 * to exactly what the sale redeemed), gift points given back, clawbacks
 * whatever the balance (a debt is the database's to record), the lines a
 * refund may name, the tier basis after it, and the tier after it with the
 * guard the write needs for that decision to hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules_refund.h"

#define CASH 1
#define CARD 2
#define EWALLET 3
#define SV 4

static RulesRefundLine line(int32_t no, int64_t net, int64_t earned, int64_t off, int64_t gift)
{
	RulesRefundLine l = { .line_no = no, .net = net, .points_earned = earned,
			      .points_off = off, .gift_points = gift };

	return l;
}

static RulesRefundTender tender(int32_t no, int kind, int64_t amount)
{
	RulesRefundTender t = { .tender_no = no, .kind = kind, .amount = amount };

	return t;
}

/* After a refund: mark its lines refunded and its tenders' amounts sent back. */
static void commit(RulesRefund *r)
{
	for (int i = 0; i < r->n_lines; i++)
		if (r->lines[i].take)
			r->lines[i].refunded = true;
	for (int i = 0; i < r->n_tenders; i++)
		r->tenders[i].refunded += r->tenders[i].back;
}

static void test_share(void **state)
{
	(void)state;
	assert_int_equal(rules_points_share(100, 1000, 0), 0);
	assert_int_equal(rules_points_share(100, 0, 500), 0);
	assert_int_equal(rules_points_share(100, 1000, 333), 33);	/* floor */
	assert_int_equal(rules_points_share(100, 1000, 1000), 100);
	assert_int_equal(rules_points_share(100, 1000, 5000), 100);	/* never more */
	assert_int_equal(rules_points_share(INT64_MAX / 2, INT64_MAX / 2, INT64_MAX / 4),
			 INT64_MAX / 4);	/* no overflow in the product */
}

/* One line of three, paid by card: its net back to the card, its points. */
static void test_partial_one_tender(void **state)
{
	RulesRefundLine l[3] = { line(1, 5000, 5, 0, 0), line(2, 3000, 3, 0, 0),
				 line(3, 2000, 2, 0, 0) };
	RulesRefundTender t[1] = { tender(1, CARD, 10000) };
	RulesRefund r = { .lines = l, .n_lines = 3, .tenders = t, .n_tenders = 1 };
	int32_t want[] = { 2 };

	(void)state;
	assert_int_equal(rules_refund(&r, want, 1), RULES_REFUND_OK);
	assert_true(r.amount == 3000 && r.clawback == 3 && r.restore == 0 && r.wallet == 0);
	assert_true(t[0].back == 3000 && r.n_taken == 1 && !r.completes);
	assert_true(!l[0].take && l[1].take && !l[2].take);
	commit(&r);
	/* then the rest: no lines named = every line not refunded yet */
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_true(r.amount == 7000 && r.clawback == 7 && r.n_taken == 2 && r.completes);
	assert_true(t[0].back == 7000);
	commit(&r);
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_ALREADY);
}

/*
 * A sale paid 30.00 stored value, 20.00 cash (50.00 tendered, 30.00
 * change), 40.00 e-wallet and 10.00 card, tenders in that order: a full
 * refund goes to stored value first, then card and e-wallet by tender_no,
 * then cash, at most the 20.00 the till kept.
 */
static void test_full_tender_order(void **state)
{
	RulesRefundLine l[2] = { line(1, 6000, 6, 0, 0), line(2, 4000, 4, 0, 0) };
	RulesRefundTender t[4] = { tender(1, SV, 3000), tender(2, CASH, 5000),
				   tender(3, EWALLET, 4000), tender(4, CARD, 1000) };
	RulesRefund r = { .lines = l, .n_lines = 2, .tenders = t, .n_tenders = 4,
			  .change = 3000 };

	(void)state;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_true(r.amount == 10000 && r.completes && r.n_taken == 2);
	assert_true(t[0].back == 3000 && t[2].back == 4000 && t[3].back == 1000);
	assert_true(t[1].back == 2000);		/* cash: what the till kept */
	assert_int_equal(r.wallet, 3000);
}

/* Partial refunds fill stored value first, then the next tenders, then cash. */
static void test_partials_walk_the_order(void **state)
{
	RulesRefundLine l[3] = { line(1, 2500, 0, 0, 0), line(2, 2500, 0, 0, 0),
				 line(3, 5000, 0, 0, 0) };
	RulesRefundTender t[3] = { tender(1, CASH, 6000), tender(2, CARD, 2000),
				   tender(3, SV, 3000) };
	RulesRefund r = { .lines = l, .n_lines = 3, .tenders = t, .n_tenders = 3,
			  .change = 1000 };
	int32_t one[] = { 1 }, two[] = { 2 }, three[] = { 3 };

	(void)state;
	assert_int_equal(rules_refund(&r, one, 1), RULES_REFUND_OK);
	assert_true(t[2].back == 2500 && t[0].back == 0 && t[1].back == 0 && r.wallet == 2500);
	commit(&r);
	assert_int_equal(rules_refund(&r, two, 1), RULES_REFUND_OK);
	assert_true(t[2].back == 500 && t[1].back == 2000 && t[0].back == 0);
	assert_int_equal(r.wallet, 500);
	commit(&r);
	assert_int_equal(rules_refund(&r, three, 1), RULES_REFUND_OK);
	assert_true(t[0].back == 5000 && t[1].back == 0 && t[2].back == 0 && r.completes);
	commit(&r);
	assert_int_equal(rules_refund(&r, three, 1), RULES_REFUND_ALREADY);
}

/* Two cash tenders: the change comes off the kept cash, not one tender. */
static void test_two_cash_tenders(void **state)
{
	RulesRefundLine l[1] = { line(1, 7000, 0, 0, 0) };
	RulesRefundTender t[2] = { tender(1, CASH, 5000), tender(2, CASH, 5000) };
	RulesRefund r = { .lines = l, .n_lines = 1, .tenders = t, .n_tenders = 2,
			  .change = 3000 };

	(void)state;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_true(t[0].back == 5000 && t[1].back == 2000);
}

/* Tenders that cannot take the amount back (a corrupt sale) are refused. */
static void test_over_tenders(void **state)
{
	RulesRefundLine l[1] = { line(1, 7000, 0, 0, 0) };
	RulesRefundTender t[1] = { tender(1, CASH, 8000) };
	RulesRefund r = { .lines = l, .n_lines = 1, .tenders = t, .n_tenders = 1,
			  .change = 2000 };

	(void)state;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OVER_TENDERS);
}

/*
 * 100 points redeemed for 10.00 over three lines (3.33, 3.33, 3.34 off):
 * refunded one at a time they restore 33, 33 and 34 (floor shares of the
 * running total), all at once 100, and lines 3 then 1+2 give 33 and 67.
 */
static void test_restore_rounding(void **state)
{
	RulesRefundLine l[3] = { line(1, 1667, 1, 333, 0), line(2, 1667, 1, 333, 0),
				 line(3, 1666, 1, 334, 0) };
	RulesRefundTender t[1] = { tender(1, CARD, 5000) };
	RulesRefund r = { .lines = l, .n_lines = 3, .tenders = t, .n_tenders = 1,
			  .points_redeemed = 100, .points_value = 1000 };
	int32_t one[] = { 1 }, two[] = { 2 }, three[] = { 3 }, both[] = { 2, 1 };
	int64_t sum = 0;

	(void)state;
	assert_int_equal(rules_refund(&r, one, 1), RULES_REFUND_OK);
	assert_int_equal(r.restore, 33);
	sum += r.restore;
	commit(&r);
	assert_int_equal(rules_refund(&r, two, 1), RULES_REFUND_OK);
	assert_int_equal(r.restore, 33);
	sum += r.restore;
	commit(&r);
	assert_int_equal(rules_refund(&r, three, 1), RULES_REFUND_OK);
	assert_int_equal(r.restore, 34);
	assert_int_equal(sum + r.restore, 100);

	for (int i = 0; i < 3; i++)
		l[i].refunded = false;
	t[0].refunded = 0;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_true(r.restore == 100 && l[0].restore == 33 && l[1].restore == 33 &&
		    l[2].restore == 34);

	for (int i = 0; i < 3; i++)
		l[i].refunded = false;
	assert_int_equal(rules_refund(&r, three, 1), RULES_REFUND_OK);
	assert_int_equal(r.restore, 33);	/* floor(100 * 334 / 1000) */
	commit(&r);
	assert_int_equal(rules_refund(&r, both, 2), RULES_REFUND_OK);
	assert_true(r.restore == 67 && l[0].restore + l[1].restore == 67 && r.completes);
}

/* A gift line given back returns the points it cost, as well as any share. */
static void test_gift_points(void **state)
{
	RulesRefundLine l[2] = { line(1, 5000, 5, 0, 0), line(2, 0, 0, 0, 800) };
	RulesRefundTender t[1] = { tender(1, CASH, 5000) };
	RulesRefund r = { .lines = l, .n_lines = 2, .tenders = t, .n_tenders = 1 };
	int32_t gift[] = { 2 };

	(void)state;
	assert_int_equal(rules_refund(&r, gift, 1), RULES_REFUND_OK);
	assert_true(r.amount == 0 && r.restore == 800 && r.gift_back == 800 &&
		    r.clawback == 0 && t[0].back == 0 && l[1].restore == 800);
}

/*
 * The clawback is what the lines earned, whatever the member holds now:
 * with a balance of 10 the database records the other 90 as a debt.
 */
static void test_clawback_whole(void **state)
{
	RulesRefundLine l[1] = { line(1, 90000, 100, 0, 0) };
	RulesRefundTender t[1] = { tender(1, CARD, 90000) };
	RulesRefund r = { .lines = l, .n_lines = 1, .tenders = t, .n_tenders = 1 };

	(void)state;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_int_equal(r.clawback, 100);
}

/* The lines a refund may name, in the database's order of refusals. */
static void test_lines_named(void **state)
{
	RulesRefundLine l[2] = { line(1, 100, 0, 0, 0), line(2, 100, 0, 0, 0) };
	RulesRefundTender t[1] = { tender(1, CASH, 200) };
	RulesRefund r = { .lines = l, .n_lines = 2, .tenders = t, .n_tenders = 1 };
	int32_t none[] = { 3 }, twice[] = { 1, 1 }, mixed[] = { 1, 3 }, one[] = { 1 };

	(void)state;
	assert_int_equal(rules_refund(&r, none, 1), RULES_REFUND_BAD_LINE);
	assert_int_equal(rules_refund(&r, twice, 2), RULES_REFUND_BAD_LINE);
	l[0].refunded = true;
	assert_int_equal(rules_refund(&r, mixed, 2), RULES_REFUND_BAD_LINE);	/* before ALREADY */
	assert_int_equal(rules_refund(&r, one, 1), RULES_REFUND_ALREADY);
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_OK);
	assert_true(r.n_taken == 1 && l[1].take && r.completes);
	r.n_lines = 0;
	assert_int_equal(rules_refund(&r, NULL, 0), RULES_REFUND_BAD_INPUT);
}

/* The window basis after a refund: only a sale inside it counts, never below 0. */
static void test_window_after(void **state)
{
	RulesRefund r = { .amount = 30000, .clawback = 30 };

	(void)state;
	assert_int_equal(rules_refund_window_after(&r, 250000, true, false), 220000);
	assert_int_equal(rules_refund_window_after(&r, 250000, false, false), 250000);
	assert_int_equal(rules_refund_window_after(&r, 250, true, true), 220);
	assert_int_equal(rules_refund_window_after(&r, 10000, true, false), 0);
}

/* Member 0, Silver 2,000.00, Gold 10,000.00, by spend. */
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
	return rs;
}

/*
 * The tier after a refund and what the write must guard for it to hold:
 * a kept tier may lose no more all-time spend than the window's room above
 * the threshold, a lowered one needs the member's row as read, a manual or
 * unknown tier needs nothing more.
 */
static void test_tier_guard(void **state)
{
	RuleSet rs = ladder();
	RulesRefund r = { .amount = 30000, .clawback = 30 };
	RulesRefundTier t;

	(void)state;
	/* Silver, window 2,500.00 - 300.00 = 2,200.00: kept, 200.00 of room */
	t = rules_refund_tier(&r, &rs, 1, false, 250000, true, 400000);
	assert_int_equal(t.tier, 1);
	assert_int_equal(t.guard, RULES_REFUND_GUARD_FLOOR);
	assert_int_equal(t.floor, 400000 - 20000);
	/* exactly on the threshold: kept, no room at all */
	t = rules_refund_tier(&r, &rs, 1, false, 230000, true, 400000);
	assert_int_equal(t.tier, 1);
	assert_int_equal(t.floor, 400000);
	/* below it: down to Member, on the window as read */
	t = rules_refund_tier(&r, &rs, 1, false, 220000, true, 400000);
	assert_int_equal(t.tier, 0);
	assert_int_equal(t.guard, RULES_REFUND_GUARD_ROW);
	/* Gold down two levels at once */
	t = rules_refund_tier(&r, &rs, 2, false, 1010000, true, 2000000);
	assert_int_equal(t.tier, 1);
	assert_int_equal(t.guard, RULES_REFUND_GUARD_ROW);
	/* a sale before the window: the window keeps its basis */
	t = rules_refund_tier(&r, &rs, 1, false, 220000, false, 400000);
	assert_int_equal(t.tier, 1);
	assert_int_equal(t.floor, 400000 - 20000);
	/* set by hand, or a tier the rule set does not know: stays, tier guard only */
	t = rules_refund_tier(&r, &rs, 2, true, 0, true, 0);
	assert_int_equal(t.tier, 2);
	assert_int_equal(t.guard, RULES_REFUND_GUARD_TIER);
	t = rules_refund_tier(&r, &rs, -1, false, 0, true, 0);
	assert_int_equal(t.tier, -1);
	assert_int_equal(t.guard, RULES_REFUND_GUARD_TIER);
	/* by points: the clawback comes off the window */
	rs.basis_points = true;
	rs.tiers[1].threshold = 200;
	t = rules_refund_tier(&r, &rs, 1, false, 250, true, 900);
	assert_int_equal(t.tier, 1);
	assert_int_equal(t.floor, 900 - 20);
	t = rules_refund_tier(&r, &rs, 1, false, 229, true, 900);
	assert_int_equal(t.tier, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_partial_one_tender),
		cmocka_unit_test(test_full_tender_order),
		cmocka_unit_test(test_partials_walk_the_order),
		cmocka_unit_test(test_two_cash_tenders),
		cmocka_unit_test(test_over_tenders),
		cmocka_unit_test(test_restore_rounding),
		cmocka_unit_test(test_gift_points),
		cmocka_unit_test(test_clawback_whole),
		cmocka_unit_test(test_lines_named),
		cmocka_unit_test(test_window_after),
		cmocka_unit_test(test_tier_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

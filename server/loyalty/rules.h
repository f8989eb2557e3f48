/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules: pricing and loyalty arithmetic, pure C with no I/O and no clock,
 * called by the checkout and top-up handlers. Everything is integer minor
 * units; every operation that could overflow reports it. It prices lines
 * from server-side unit prices, settles tenders (change only from cash,
 * and at most the configured change), prices a whole sale (tier discount,
 * coupons, points within their cap), allocates amounts over lines by
 * largest remainder and computes the points earned.
 *
 * Points a member may redeem, two quantities with two names:
 * rules_points_redeemable() is what the balance allows, in whole steps, with
 * no sale in view (Member.points_redeemable); RulesSale.points_cap is the
 * most one priced sale takes, which the redemption cap may make smaller
 * (Transaction.points_redeemable of a quote, and the POINTS_OVER_CAP
 * message).
 */
#ifndef KASSA_RULES_H
#define KASSA_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

/* Default earn rule: 1 point per 10.00 paid (1000 minor units), floor. */
#define RULES_DEFAULT_MINOR_PER_POINT 1000

/*
 * Largest quantity accepted on one line, and lines on one sale. The till's
 * SALE_MAX_QTY (client/till/sale.h) is the same 99999: a quantity of six
 * digits or more is a barcode scanned into the quantity field, not a
 * count, so kassad refuses it too (a sale replayed from an offline till,
 * or sent by any other client, meets the same limit).
 */
#define RULES_MAX_QTY 99999
#define RULES_MAX_LINES 500

/*
 * Points earned for paid_minor of money actually paid: floor(paid /
 * minor_per_point). Zero for paid <= 0 or minor_per_point <= 0 (no rule).
 */
int64_t rules_earn_points(int64_t paid_minor, int64_t minor_per_point);

/*
 * Price one line: *total = unit_minor * qty. False if qty is outside
 * 1..RULES_MAX_QTY, unit_minor is negative, or the product overflows.
 */
MUSTCHECK bool rules_line_total(int64_t unit_minor, int32_t qty, int64_t *total);

typedef enum RulesTenderStatus {
	RULES_TENDER_OK = 0,		/* tenders cover the total; *change set */
	RULES_TENDER_SHORT = 1,		/* sum of tenders < total */
	RULES_TENDER_BAD_AMOUNT = 2,	/* a tender amount <= 0, or the sum overflows */
	RULES_TENDER_CHANGE_NOT_CASH = 3,	/* overpaid by more than the cash tendered */
	RULES_TENDER_CHANGE_TOO_LARGE = 4,	/* change would exceed max_change */
} RulesTenderStatus;

/*
 * Check that tenders cover total. amounts[i] is tender i's amount and
 * is_cash[i] whether it is cash. Change can only be given from cash: the
 * overpayment must not exceed the sum of cash tenders, nor max_change
 * (>= 0; a mistyped cash amount, not a payment). Every sum is checked: a
 * sum of tenders that does not fit in int64 is BAD_AMOUNT. Sets *tendered
 * and *change on RULES_TENDER_OK, and also on CHANGE_TOO_LARGE so that the
 * caller can say how much it would have been.
 */
RulesTenderStatus rules_settle(int64_t total, const int64_t *amounts, const bool *is_cash,
			       int n, int64_t max_change, int64_t *tendered, int64_t *change);

/* ---- a whole sale: tier, coupons, points, allocation, earn ---- */

/* Percentages are basis points: 1000 = 10%. */
#define RULES_BP_ONE 10000

/*
 * *out = amount * bp / 10000, rounded half up (amount >= 0, 0 <= bp <= 10000).
 * 333.33 at 10% -> 33.33; 0.05 at 10% -> 0.01. False on bad arguments.
 */
MUSTCHECK bool rules_percent_half_up(int64_t amount, int32_t bp, int64_t *out);

/*
 * Split total (>= 0) over n slots in proportion to weights (>= 0, not all
 * zero unless total is 0) by largest remainder: slot i gets
 * floor(total * w_i / W), and the units left over go one each to the slots
 * with the largest remainders; a tie goes to the larger weight, then to the
 * earlier slot. The parts always add up to total exactly. False on bad
 * arguments. O(n log n): one sort of the remainders.
 */
MUSTCHECK bool rules_allocate(int64_t total, const int64_t *weights, int n, int64_t *out);

/* One line of a sale as the rules see it. */
typedef struct RulesLine {
	int64_t unit_minor;	/* in: server-side unit price */
	int32_t qty;		/* in: 1..RULES_MAX_QTY */
	int64_t item_off;	/* in: item coupon discount on this line (>= 0) */
	int64_t gross;		/* out: unit * qty */
	int64_t tier_off;	/* out: tier discount, half up per line */
	int64_t coupon_off;	/* out: item coupon + this line's share of the order coupon */
	int64_t points_off;	/* out: this line's share of the points redemption */
	int64_t net;		/* out: gross - tier_off - coupon_off - points_off */
	int64_t points_earned;	/* out: this line's share of the points earned (refunds) */
} RulesLine;

typedef enum RulesStatus {
	RULES_OK = 0,
	RULES_BAD_INPUT,		/* a line or a parameter out of range */
	RULES_OVERFLOW,			/* an amount does not fit */
	RULES_COUPON_MIN_SPEND,		/* order coupon below its minimum spend */
	RULES_POINTS_NOT_STEPS,		/* redemption not in whole steps */
	RULES_INSUFFICIENT_POINTS,	/* more points asked than the member has */
	RULES_POINTS_OVER_CAP,		/* redemption worth more than the cap allows */
} RulesStatus;

/* A sale to price: parameters in, totals out. Lines are the caller's. */
typedef struct RulesSale {
	RulesLine *lines;		/* borrowed, n of them */
	int n;
	int32_t tier_bp;		/* in: the member's tier discount (0 = none) */
	int64_t coupon_off;		/* in: order coupon, fixed amount off (0 = none) */
	int32_t coupon_bp;		/* in: ... or percent off (0 = none) */
	int64_t coupon_cap;		/* in: largest percent-off amount (0 = no cap) */
	int64_t coupon_min_spend;	/* in: measured after the tier discount */
	int64_t points_balance;		/* in: what the member holds */
	int64_t points_redeem;		/* in: points asked for (0 = none) */
	int64_t points_step;		/* in: points in one step (default 100) */
	int64_t step_value;		/* in: minor units one step is worth (default 1000) */
	int32_t points_cap_bp;		/* in: share of the payable points may cover (5000) */
	int64_t points_cap;		/* out: the most points this sale takes (see below) */
	int64_t gross;			/* out: sum of line gross */
	int64_t tier_off;		/* out */
	int64_t coupon_total;		/* out: item + order coupons */
	int64_t points_value;		/* out: money off from points */
	int64_t payable;		/* out: what tenders must cover */
} RulesSale;

/* Fill the defaults above into s (keeps lines and n). */
void rules_sale_defaults(RulesSale *s);

/*
 * Price a sale in the order tier discount per line -> item coupons -> one
 * order coupon (allocated to lines) -> points (allocated to lines). Fills
 * every out field of s and its lines. On failure the out fields are
 * unspecified, except that points_cap is set whenever pricing got as far
 * as the points (always for RULES_OK, RULES_POINTS_NOT_STEPS,
 * RULES_INSUFFICIENT_POINTS and RULES_POINTS_OVER_CAP): the most points this
 * sale takes, rules_points_redeemable() of the balance limited to whole
 * steps worth at most points_cap_bp of what is due before points.
 */
RulesStatus rules_price(RulesSale *s);

/*
 * The points a balance allows redeeming, with no sale in view: the balance
 * in whole steps of points_step (0 for a balance <= 0 or a step <= 0).
 * This is Member.points_redeemable; a sale may take fewer (points_cap).
 */
int64_t rules_points_redeemable(int64_t balance, int64_t points_step);

/*
 * Points earned on a priced sale: earn_base is the money actually paid
 * (payable minus what stored value paid, unless stored value earns), times
 * multiplier_x100 / 100 (100 = 1x), per minor_per_point, floor. The points
 * are allocated to lines by their net (stored in points_earned) so that a
 * refund takes back exactly what each line earned. Returns the points, or
 * -1 on bad input.
 */
int64_t rules_earn(RulesSale *s, int64_t stored_value_paid, bool stored_value_earns,
		   int32_t multiplier_x100, int64_t minor_per_point);

#endif

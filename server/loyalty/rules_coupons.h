/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_coupons: the coupons and gifts of a sale, before rules_price().
 * Pure C (no I/O, no clock), part of the rules family (rules.h):
 *
 *   - stacking: several coupons only if every one is stackable; at most one
 *     order coupon (fixed or percent) whatever stacking says;
 *   - a free item takes one unit of its product off the first line that has
 *     one left (never a gift line), after the tier discount of that unit;
 *   - the minimum spend of a free item counts like an order coupon's: the
 *     larger one applies, measured after the tier discount;
 *   - gifts are paid in points before any redemption, out of the balance.
 */
#ifndef KASSA_RULES_COUPONS_H
#define KASSA_RULES_COUPONS_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

/* Coupon kinds, as the protocol numbers them (Kassa__V1__CouponKind). */
#define RULES_COUPON_FIXED 1
#define RULES_COUPON_PERCENT 2
#define RULES_COUPON_FREE_ITEM 3

/* One coupon the member presented. */
typedef struct RulesCoupon {
	int kind;			/* RULES_COUPON_* */
	int64_t value;			/* fixed: money off */
	int32_t percent_bp;		/* percent: basis points off */
	int64_t cap;			/* percent: largest amount off (0 = no cap) */
	int64_t min_spend;		/* after the tier discount (0 = none) */
	int64_t item_product_id;	/* free item: its product */
	bool stackable;			/* may be combined with other coupons */
} RulesCoupon;

typedef enum RulesCouponStatus {
	RULES_COUPONS_OK = 0,
	RULES_COUPON_NOT_STACKABLE,	/* several coupons, and this one is not stackable */
	RULES_ONE_ORDER_COUPON,		/* a second order coupon */
	RULES_COUPON_ITEM_MISSING,	/* a free item the sale has no unit of left */
	RULES_COUPON_BAD_KIND,		/* not one of RULES_COUPON_* */
} RulesCouponStatus;

/*
 * Put coupons[0..n) onto s (its lines' unit_minor, qty and tier_bp must be
 * set; product[i] and gift[i] describe line i): sets coupon_off or
 * coupon_bp/coupon_cap, coupon_min_spend and each line's item_off. On a
 * refusal *bad is the index of the coupon refused and s is unspecified.
 */
RulesCouponStatus rules_coupons_apply(RulesSale *s, const int64_t *product, const bool *gift,
				      const RulesCoupon *coupons, int n, int *bad);

/*
 * After rules_price() said RULES_OK: is the minimum spend of the coupons
 * (a free item's included) met after the tier discount?
 */
bool rules_coupons_min_met(const RulesSale *s);

/*
 * A gift line's points: *line = cost per unit x qty, added to *total; false
 * (nothing changed) if it does not fit or cost or qty is negative.
 */
MUSTCHECK bool rules_gift_add(int64_t cost, int32_t qty, int64_t *line, int64_t *total);

/*
 * Gifts come out of the balance before any redemption: take gift_total
 * points from s->points_balance. RULES_INSUFFICIENT_POINTS (nothing taken)
 * when the balance does not cover them.
 */
RulesStatus rules_gifts_take(RulesSale *s, int64_t gift_total);

#endif

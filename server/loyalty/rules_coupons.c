/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_coupons.c: stacking, one order coupon, free items and gifts (see
 * rules_coupons.h). Pure: no I/O, no clock, no allocation.
 */
#include "rules_coupons.h"

/* A free item: one unit off the first line of its product with one left. */
static bool free_item(RulesSale *s, const int64_t *product, const bool *gift, int32_t *used,
		      const RulesCoupon *cp)
{
	for (int i = 0; i < s->n; i++) {
		RulesLine *l = &s->lines[i];
		int64_t unit_tier_off;

		if (product[i] != cp->item_product_id || used[i] >= l->qty || gift[i])
			continue;
		if (!rules_percent_half_up(l->unit_minor, s->tier_bp, &unit_tier_off))
			unit_tier_off = 0;
		l->item_off += l->unit_minor - unit_tier_off;
		used[i]++;
		return true;
	}
	return false;
}

RulesCouponStatus rules_coupons_apply(RulesSale *s, const int64_t *product, const bool *gift,
				      const RulesCoupon *coupons, int n, int *bad)
{
	int32_t used[RULES_MAX_LINES] = { 0 };
	int orders = 0;

	for (int k = 0; k < n; k++) {
		const RulesCoupon *cp = &coupons[k];

		*bad = k;
		if (n > 1 && !cp->stackable)
			return RULES_COUPON_NOT_STACKABLE;
		switch (cp->kind) {
		case RULES_COUPON_FIXED:
		case RULES_COUPON_PERCENT:
			if (++orders > 1)
				return RULES_ONE_ORDER_COUPON;
			if (cp->min_spend > s->coupon_min_spend)
				s->coupon_min_spend = cp->min_spend;
			if (cp->kind == RULES_COUPON_PERCENT) {
				s->coupon_bp = cp->percent_bp;
				s->coupon_cap = cp->cap;
			} else {
				s->coupon_off = cp->value;
			}
			break;
		case RULES_COUPON_FREE_ITEM:
			if (s->n > RULES_MAX_LINES || !free_item(s, product, gift, used, cp))
				return RULES_COUPON_ITEM_MISSING;
			/* its minimum is measured after the tier discount like the others */
			if (cp->min_spend > s->coupon_min_spend)
				s->coupon_min_spend = cp->min_spend;
			break;
		default:
			return RULES_COUPON_BAD_KIND;
		}
	}
	*bad = -1;
	return RULES_COUPONS_OK;
}

bool rules_coupons_min_met(const RulesSale *s)
{
	return s->coupon_min_spend <= 0 || s->gross - s->tier_off >= s->coupon_min_spend;
}

bool rules_gift_add(int64_t cost, int32_t qty, int64_t *line, int64_t *total)
{
	int64_t points, sum;

	if (cost < 0 || qty < 0 || __builtin_mul_overflow(cost, (int64_t)qty, &points) ||
	    __builtin_add_overflow(*total, points, &sum))
		return false;
	*line = points;
	*total = sum;
	return true;
}

RulesStatus rules_gifts_take(RulesSale *s, int64_t gift_total)
{
	if (gift_total <= 0)
		return RULES_OK;
	if (gift_total > s->points_balance)
		return RULES_INSUFFICIENT_POINTS;
	s->points_balance -= gift_total;
	return RULES_OK;
}

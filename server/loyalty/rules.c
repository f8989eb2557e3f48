/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules: pricing and loyalty arithmetic for checkout, in integer minor
 * units with every overflow checked (the compiler's overflow builtins; a
 * signed overflow is never executed). No I/O and no globals, so the unit
 * tests exercise exactly what the checkout handler runs.
 *
 * Entry points: rules_line_total() prices one basket line from the
 * server-side unit price, rules_settle() checks the tenders against the
 * total, rules_price() prices a whole sale (tier, coupons, points) and
 * rules_earn() the points it earns, both spreading amounts over the lines
 * with rules_allocate(); rules_points_redeemable() is what a balance allows
 * redeeming; rules_earn_points() applies the plain earn rule to what was
 * paid.
 */
#include <stddef.h>
#include <stdlib.h>

#include "rules.h"

int64_t rules_earn_points(int64_t paid_minor, int64_t minor_per_point)
{
	if (paid_minor <= 0 || minor_per_point <= 0)
		return 0;
	return paid_minor / minor_per_point;	/* both positive: truncation is floor */
}

bool rules_line_total(int64_t unit_minor, int32_t qty, int64_t *total)
{
	int64_t t;

	if (qty < 1 || qty > RULES_MAX_QTY || unit_minor < 0)
		return false;
	if (__builtin_mul_overflow(unit_minor, (int64_t)qty, &t))
		return false;
	*total = t;
	return true;
}

/*
 * A negative total, a negative n or missing arrays are reported as
 * BAD_AMOUNT too: the caller built them, and none of them can be settled.
 */
RulesTenderStatus rules_settle(int64_t total, const int64_t *amounts, const bool *is_cash,
			       int n, int64_t max_change, int64_t *tendered, int64_t *change)
{
	int64_t sum = 0, cash = 0, over;

	if (total < 0 || n < 0 || max_change < 0 ||
	    (n > 0 && (amounts == NULL || is_cash == NULL)))
		return RULES_TENDER_BAD_AMOUNT;
	for (int i = 0; i < n; i++) {
		if (amounts[i] <= 0)
			return RULES_TENDER_BAD_AMOUNT;
		if (__builtin_add_overflow(sum, amounts[i], &sum))
			return RULES_TENDER_BAD_AMOUNT;
		/* cash <= sum, which fits; checked all the same */
		if (is_cash[i] && __builtin_add_overflow(cash, amounts[i], &cash))
			return RULES_TENDER_BAD_AMOUNT;
	}
	if (sum < total)
		return RULES_TENDER_SHORT;
	over = sum - total;			/* 0 <= over <= sum: no overflow */
	if (over > cash)
		return RULES_TENDER_CHANGE_NOT_CASH;
	*tendered = sum;
	*change = over;
	return over > max_change ? RULES_TENDER_CHANGE_TOO_LARGE : RULES_TENDER_OK;
}

/* ---- a whole sale ---- */

bool rules_percent_half_up(int64_t amount, int32_t bp, int64_t *out)
{
	__int128 v;

	if (amount < 0 || bp < 0 || bp > RULES_BP_ONE)
		return false;
	/* amount * bp fits easily in 128 bits; + 5000 then / 10000 is half up */
	v = ((__int128)amount * bp + RULES_BP_ONE / 2) / RULES_BP_ONE;
	*out = (int64_t)v;	/* <= amount, so it fits */
	return true;
}

/* A slot's claim on one of the units rules_allocate() has left over. */
typedef struct AllocClaim {
	__int128 rem;		/* total * weight mod W: the fraction not given yet */
	int64_t weight;
	int slot;
} AllocClaim;

/* The order the units left over go in: largest remainder, larger weight, earlier slot. */
static int alloc_claim_cmp(const void *pa, const void *pb)
{
	const AllocClaim *a = pa, *b = pb;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return (a->slot > b->slot) - (a->slot < b->slot);
}

bool rules_allocate(int64_t total, const int64_t *weights, int n, int64_t *out)
{
	__int128 wsum = 0;
	int64_t given = 0, left;
	AllocClaim *claims;

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
	/*
	 * Fewer than n units are left (each slot lost less than one). They go
	 * one each to the first slots in alloc_claim_cmp's order: a total
	 * order (slots differ), so the sort's instability cannot show.
	 */
	left = total - given;
	if (left == 0)
		return true;
	if (left < 0 || left >= n)
		return false;	/* cannot happen: the floors lose less than n */
	claims = xmalloc((size_t)n * sizeof(*claims));
	for (int i = 0; i < n; i++) {
		claims[i].rem = (__int128)total * weights[i] % wsum;
		claims[i].weight = weights[i];
		claims[i].slot = i;
	}
	qsort(claims, (size_t)n, sizeof(*claims), alloc_claim_cmp);
	for (int64_t k = 0; k < left; k++)
		out[claims[k].slot]++;
	free(claims);
	return true;
}

void rules_sale_defaults(RulesSale *s)
{
	RulesLine *lines = s->lines;
	int n = s->n;

	*s = (RulesSale){ 0 };
	s->lines = lines;
	s->n = n;
	s->points_step = 100;
	s->step_value = 1000;
	s->points_cap_bp = 5000;
}

/* Allocate amount over the lines' current net, add it to *field of each line. */
static RulesStatus spread(RulesSale *s, int64_t amount, size_t field_offset)
{
	int64_t w[RULES_MAX_LINES] = { 0 }, part[RULES_MAX_LINES] = { 0 };

	if (amount == 0)
		return RULES_OK;
	for (int i = 0; i < s->n; i++)
		w[i] = s->lines[i].net;
	if (!rules_allocate(amount, w, s->n, part))
		return RULES_BAD_INPUT;
	for (int i = 0; i < s->n; i++) {
		int64_t *f = (int64_t *)((char *)&s->lines[i] + field_offset);

		*f += part[i];
		s->lines[i].net -= part[i];	/* part <= net: shares of a sum of nets */
	}
	return RULES_OK;
}

/* Sum of the lines' net: what is left to pay at this point. */
static int64_t sale_net(const RulesSale *s)
{
	int64_t sum = 0;

	for (int i = 0; i < s->n; i++)
		sum += s->lines[i].net;	/* each net <= gross, whose sum was checked */
	return sum;
}

/* Steps 1-2: gross, tier discount per line, item coupons. */
static RulesStatus price_lines(RulesSale *s)
{
	s->gross = s->tier_off = s->coupon_total = 0;
	for (int i = 0; i < s->n; i++) {
		RulesLine *l = &s->lines[i];

		if (!rules_line_total(l->unit_minor, l->qty, &l->gross))
			return l->qty < 1 || l->qty > RULES_MAX_QTY || l->unit_minor < 0 ?
			       RULES_BAD_INPUT : RULES_OVERFLOW;
		if (__builtin_add_overflow(s->gross, l->gross, &s->gross))
			return RULES_OVERFLOW;
		if (!rules_percent_half_up(l->gross, s->tier_bp, &l->tier_off))
			return RULES_BAD_INPUT;
		l->net = l->gross - l->tier_off;
		if (l->item_off < 0)
			return RULES_BAD_INPUT;
		l->coupon_off = l->item_off < l->net ? l->item_off : l->net;
		l->net -= l->coupon_off;
		l->points_off = 0;
		l->points_earned = 0;
		s->tier_off += l->tier_off;
		s->coupon_total += l->coupon_off;
	}
	return RULES_OK;
}

/*
 * Step 4a: what this sale lets points pay, in money (*cap: the
 * points_cap_bp share of what is due before points) and in points
 * (s->points_cap: whole steps worth at most *cap, within the balance).
 */
static RulesStatus points_cap(RulesSale *s, int64_t *cap)
{
	int64_t by_cap, by_balance;

	if (!rules_percent_half_up(sale_net(s), s->points_cap_bp, cap))
		return RULES_BAD_INPUT;
	by_balance = rules_points_redeemable(s->points_balance, s->points_step) / s->points_step;
	/* points worth nothing are never over the cap: only the balance binds */
	by_cap = s->step_value > 0 ? *cap / s->step_value : by_balance;
	/* <= by_balance steps, which fit in the balance */
	s->points_cap = (by_cap < by_balance ? by_cap : by_balance) * s->points_step;
	return RULES_OK;
}

RulesStatus rules_price(RulesSale *s)
{
	RulesStatus st;
	int64_t after_tier, order_off = 0, base, cap;

	if (s->n < 1 || s->n > RULES_MAX_LINES || s->lines == NULL || s->coupon_off < 0 ||
	    s->coupon_bp < 0 || s->coupon_bp > RULES_BP_ONE || s->coupon_cap < 0 ||
	    s->points_redeem < 0 || s->points_step <= 0 || s->step_value < 0 ||
	    s->points_cap_bp < 0 || s->points_cap_bp > RULES_BP_ONE)
		return RULES_BAD_INPUT;
	if ((st = price_lines(s)) != RULES_OK)
		return st;

	/* step 3: one order coupon, its minimum measured after the tier discount */
	after_tier = s->gross - s->tier_off;
	base = sale_net(s);
	if (s->coupon_off > 0 || s->coupon_bp > 0) {
		if (after_tier < s->coupon_min_spend)
			return RULES_COUPON_MIN_SPEND;
		if (s->coupon_bp > 0) {
			if (!rules_percent_half_up(base, s->coupon_bp, &order_off))
				return RULES_BAD_INPUT;
			if (s->coupon_cap > 0 && order_off > s->coupon_cap)
				order_off = s->coupon_cap;
		} else {
			order_off = s->coupon_off;
		}
		if (order_off > base)
			order_off = base;
		if ((st = spread(s, order_off, offsetof(RulesLine, coupon_off))) != RULES_OK)
			return st;
		s->coupon_total += order_off;
	}

	/* step 4: points, whole steps, within the balance and the cap */
	if ((st = points_cap(s, &cap)) != RULES_OK)
		return st;
	s->points_value = 0;
	if (s->points_redeem > 0) {
		int64_t steps, value;

		if (s->points_redeem % s->points_step != 0)
			return RULES_POINTS_NOT_STEPS;
		if (s->points_redeem > s->points_balance)
			return RULES_INSUFFICIENT_POINTS;
		steps = s->points_redeem / s->points_step;
		if (__builtin_mul_overflow(steps, s->step_value, &value))
			return RULES_OVERFLOW;
		if (value > cap)
			return RULES_POINTS_OVER_CAP;
		if ((st = spread(s, value, offsetof(RulesLine, points_off))) != RULES_OK)
			return st;
		s->points_value = value;
	}
	s->payable = sale_net(s);
	return RULES_OK;
}

int64_t rules_points_redeemable(int64_t balance, int64_t points_step)
{
	if (balance <= 0 || points_step <= 0)
		return 0;
	return balance / points_step * points_step;	/* <= balance: fits */
}

int64_t rules_earn(RulesSale *s, int64_t stored_value_paid, bool stored_value_earns,
		   int32_t multiplier_x100, int64_t minor_per_point)
{
	int64_t base = s->payable, points;
	int64_t w[RULES_MAX_LINES] = { 0 }, part[RULES_MAX_LINES] = { 0 };
	__int128 scaled;

	if (stored_value_paid < 0 || stored_value_paid > s->payable || multiplier_x100 < 0 ||
	    s->n < 1 || s->n > RULES_MAX_LINES)
		return -1;
	if (!stored_value_earns)
		base -= stored_value_paid;
	if (base <= 0 || minor_per_point <= 0)
		points = 0;
	else {
		/* multiply first, then floor: 15.00 at 2x earns 3, not 2 */
		scaled = (__int128)base * multiplier_x100 / ((__int128)minor_per_point * 100);
		points = scaled > INT64_MAX ? INT64_MAX : (int64_t)scaled;
	}
	for (int i = 0; i < s->n; i++)
		w[i] = s->lines[i].net;
	if (points > 0 && !rules_allocate(points, w, s->n, part))
		return -1;
	for (int i = 0; i < s->n; i++)
		s->lines[i].points_earned = points > 0 ? part[i] : 0;
	return points;
}

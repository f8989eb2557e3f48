/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_refund.c: a refund's money per line and per tender, its clawback and
 * the points it restores (see rules_refund.h). Pure: no I/O, no clock.
 */
#include "rules_refund.h"
#include "rules_tier.h"

#include <stddef.h>

#define KIND_CASH 1
#define KIND_STORED_VALUE 4

int64_t rules_points_share(int64_t redeemed, int64_t value, int64_t off)
{
	__extension__ __int128 p;

	if (value <= 0 || off <= 0 || redeemed <= 0)
		return 0;
	p = (__int128)redeemed * (off < value ? off : value);
	return (int64_t)(p / value);
}

static bool add(int64_t *acc, int64_t x)
{
	return !__builtin_add_overflow(*acc, x, acc);
}

/* Mark the lines this refund takes. */
static RulesRefundStatus pick_lines(RulesRefund *r, const int32_t *want, int n_want)
{
	for (int i = 0; i < r->n_lines; i++)
		r->lines[i].take = n_want == 0 && !r->lines[i].refunded;
	for (int k = 0; k < n_want; k++) {
		RulesRefundLine *l = NULL;

		for (int i = 0; i < r->n_lines; i++)
			if (r->lines[i].line_no == want[k])
				l = &r->lines[i];
		if (l == NULL || l->take)
			return RULES_REFUND_BAD_LINE;
		l->take = true;
	}
	for (int i = 0; i < r->n_lines; i++)
		if (r->lines[i].take && r->lines[i].refunded)
			return RULES_REFUND_ALREADY;
	return RULES_REFUND_OK;
}

/*
 * The lines' sums and each taken line's restore, in line_no order (the
 * caller's array may be in any order: ranks are found by scanning).
 */
static RulesRefundStatus sum_lines(RulesRefund *r)
{
	int64_t before = 0, now = 0, cum = 0;
	int32_t last = INT32_MIN;

	r->completes = true;
	for (int i = 0; i < r->n_lines; i++) {
		const RulesRefundLine *l = &r->lines[i];

		if (l->refunded && !add(&before, l->points_off))
			return RULES_REFUND_BAD_INPUT;
		if (!l->refunded && !l->take)
			r->completes = false;
	}
	for (int n = 0; n < r->n_taken; n++) {
		RulesRefundLine *l = NULL;

		for (int i = 0; i < r->n_lines; i++)	/* the next taken line by number */
			if (r->lines[i].take && r->lines[i].line_no > last &&
			    (l == NULL || r->lines[i].line_no < l->line_no))
				l = &r->lines[i];
		last = l->line_no;
		if (!add(&r->amount, l->net) || !add(&r->clawback, l->points_earned) ||
		    !add(&r->gift_back, l->gift_points) || !add(&now, l->points_off) ||
		    !add(&cum, l->points_off) || before > INT64_MAX - cum)
			return RULES_REFUND_BAD_INPUT;
		l->restore = rules_points_share(r->points_redeemed, r->points_value, before + cum) -
			     rules_points_share(r->points_redeemed, r->points_value,
						before + cum - l->points_off) + l->gift_points;
	}
	if (before > INT64_MAX - now)
		return RULES_REFUND_BAD_INPUT;
	r->restore = rules_points_share(r->points_redeemed, r->points_value, before + now) -
		     rules_points_share(r->points_redeemed, r->points_value, before) + r->gift_back;
	return RULES_REFUND_OK;
}

static int tender_rank(int kind)
{
	return kind == KIND_STORED_VALUE ? 0 : kind == KIND_CASH ? 2 : 1;
}

/* Send r->amount back through the tenders in the documented order. */
static RulesRefundStatus split_tenders(RulesRefund *r)
{
	int64_t left = r->amount, cash = -r->change;

	for (int i = 0; i < r->n_tenders; i++) {
		r->tenders[i].back = 0;
		if (r->tenders[i].kind == KIND_CASH &&
		    (!add(&cash, r->tenders[i].amount) || !add(&cash, -r->tenders[i].refunded)))
			return RULES_REFUND_BAD_INPUT;
	}
	for (int rank = 0; rank < 3 && left > 0; rank++) {
		int32_t last = INT32_MIN;

		for (;;) {
			RulesRefundTender *t = NULL;
			int64_t take;

			for (int i = 0; i < r->n_tenders; i++)
				if (tender_rank(r->tenders[i].kind) == rank &&
				    r->tenders[i].tender_no > last &&
				    (t == NULL || r->tenders[i].tender_no < t->tender_no))
					t = &r->tenders[i];
			if (t == NULL || left == 0)
				break;
			last = t->tender_no;
			take = t->amount - t->refunded;
			take = left < take ? left : take;
			if (t->kind == KIND_CASH) {
				take = cash < take ? cash : take;
				cash -= take > 0 ? take : 0;
			}
			if (take <= 0)
				continue;
			t->back = take;
			if (t->kind == KIND_STORED_VALUE)
				r->wallet += take;
			left -= take;
		}
	}
	return left == 0 ? RULES_REFUND_OK : RULES_REFUND_OVER_TENDERS;
}

RulesRefundStatus rules_refund(RulesRefund *r, const int32_t *want, int n_want)
{
	RulesRefundStatus st;

	r->amount = r->clawback = r->restore = r->gift_back = r->wallet = 0;
	r->n_taken = 0;
	r->completes = false;
	if (r->n_lines < 1 || r->n_lines > RULES_MAX_LINES || r->n_tenders < 0 ||
	    r->n_tenders > RULES_MAX_TENDERS || n_want < 0 || n_want > RULES_MAX_LINES)
		return RULES_REFUND_BAD_INPUT;
	st = pick_lines(r, want, n_want);
	if (st != RULES_REFUND_OK)
		return st;
	for (int i = 0; i < r->n_lines; i++) {
		r->lines[i].restore = 0;
		r->n_taken += r->lines[i].take;
	}
	if (r->n_taken == 0)
		return RULES_REFUND_ALREADY;
	st = sum_lines(r);
	return st == RULES_REFUND_OK ? split_tenders(r) : st;
}

int64_t rules_refund_window_after(const RulesRefund *r, int64_t window_before,
				  bool sale_in_window, bool basis_points)
{
	int64_t off = basis_points ? r->clawback : r->amount;

	if (!sale_in_window)
		return window_before;
	return window_before > off ? window_before - off : 0;
}

RulesRefundTier rules_refund_tier(const RulesRefund *r, const RuleSet *rs, int tier, bool manual,
				  int64_t window_before, bool sale_in_window, int64_t alltime)
{
	int64_t window = rules_refund_window_after(r, window_before, sale_in_window,
						   rs->basis_points);
	RulesRefundTier t = { rules_tier_after_refund(rs, tier, manual, window),
			      RULES_REFUND_GUARD_TIER, INT64_MIN };

	if (manual || tier < 0 || tier >= rs->n_tiers)
		return t;
	if (t.tier != tier) {
		t.guard = RULES_REFUND_GUARD_ROW;
		return t;
	}
	t.guard = RULES_REFUND_GUARD_FLOOR;
	t.floor = alltime - (window - rs->tiers[tier].threshold);	/* both >= 0 */
	return t;
}

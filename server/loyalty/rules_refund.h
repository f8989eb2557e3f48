/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_refund: what a refund of some lines of a sale gives back, pure C
 * with no I/O and no clock. It takes back exactly what those lines got, from
 * the per-line allocation the sale stored:
 *
 *   money    the lines' net, back through the sale's own tenders in a fixed
 *            order: stored value first, then card and e-wallet, then cash,
 *            each group in tender_no order; each tender at most what it
 *            paid less what earlier refunds sent back through it, and cash
 *            at most what the till kept (cash tendered less change, less
 *            cash refunded before);
 *   points   the lines' points earned are clawed back; the points the lines
 *            redeemed come back: share(off of every line refunded so far,
 *            these included) - share(off of those before), where
 *            share(off) = floor(redeemed * min(off, value) / value), so the
 *            refunds of a sale never restore more than it redeemed and the
 *            one that completes it restores exactly the rest; a gift line
 *            given back returns the points it cost;
 *   coupons  the sale used come back with the refund that completes it
 *            (RulesRefund.completes; the database checks they are valid).
 *
 * The database reads the sale and guards the write (a line is refunded at
 * most once: refund_lines' primary key); see migrations/functions/refunds.sql.
 */
#ifndef KASSA_RULES_REFUND_H
#define KASSA_RULES_REFUND_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"
#include "ruleset.h"

#define RULES_MAX_TENDERS 32

/* A line of the sale as stored, and whether a refund took it already. */
typedef struct RulesRefundLine {
	int32_t line_no;
	int64_t net;			/* what the line paid */
	int64_t points_earned;
	int64_t points_off;		/* money off from points on this line */
	int64_t gift_points;		/* points the line cost as a gift */
	bool refunded;			/* by an earlier refund */
	bool take;			/* out: this refund takes it */
	int64_t restore;		/* out: points it restores (when taken) */
} RulesRefundLine;

/* A tender of the sale, and what earlier refunds sent back through it. */
typedef struct RulesRefundTender {
	int32_t tender_no;
	int kind;			/* Kassa__V1__TenderKind: 1 cash, 4 stored value */
	int64_t amount;
	int64_t refunded;		/* by earlier refunds */
	int64_t back;			/* out: this refund sends back through it */
} RulesRefundTender;

typedef enum RulesRefundStatus {
	RULES_REFUND_OK = 0,
	RULES_REFUND_BAD_LINE,		/* a line the sale does not have, or named twice */
	RULES_REFUND_ALREADY,		/* a line refunded before, or none left */
	RULES_REFUND_OVER_TENDERS,	/* the tenders cannot take the amount back */
	RULES_REFUND_BAD_INPUT,		/* too many lines or tenders, or an overflow */
} RulesRefundStatus;

/* A refund to compute: the sale in, the refund out. Arrays are the caller's. */
typedef struct RulesRefund {
	RulesRefundLine *lines;		/* in: every line of the sale */
	int n_lines;
	RulesRefundTender *tenders;	/* in: every tender of the sale */
	int n_tenders;
	int64_t change;			/* in: the change the sale gave */
	int64_t points_redeemed;	/* in: points the sale redeemed */
	int64_t points_value;		/* in: the money they took off */
	int64_t amount;			/* out: money back */
	int64_t clawback;		/* out: points earned taken back */
	int64_t restore;		/* out: points back (redeemed share + gifts) */
	int64_t gift_back;		/* out: the part of restore that gifts cost */
	int64_t wallet;			/* out: what goes back to the stored-value wallet */
	int n_taken;			/* out: lines taken */
	bool completes;			/* out: no line of the sale is left after it */
} RulesRefund;

/* floor(redeemed * min(off, value) / value); 0 when value or off is <= 0. */
int64_t rules_points_share(int64_t redeemed, int64_t value, int64_t off);

/*
 * Compute refund r of the line numbers want[0..n_want) (n_want 0: every
 * line not refunded yet). Fills every out field of r, its lines (take,
 * restore) and its tenders (back).
 */
RulesRefundStatus rules_refund(RulesRefund *r, const int32_t *want, int n_want);

/*
 * The basis a tier stands on after this refund, from the window's basis
 * before it: the refund's money (spend basis) or clawback (points basis)
 * comes off when the sale is inside the window, never below 0.
 */
int64_t rules_refund_window_after(const RulesRefund *r, int64_t window_before,
				  bool sale_in_window, bool basis_points);

/*
 * What kassa_refund() must guard, under the member's row lock, for a
 * refund's tier decision made on a read to hold at the write.
 */
typedef enum RulesRefundGuard {
	RULES_REFUND_GUARD_TIER = 0,	/* the tier and its manual flag as read, nothing more */
	RULES_REFUND_GUARD_FLOOR = 1,	/* ... and the all-time basis total at least floor */
	RULES_REFUND_GUARD_ROW = 2,	/* ... and the member's row unchanged */
} RulesRefundGuard;

typedef struct RulesRefundTier {
	int tier;			/* the tier index after the refund (tier in: unchanged) */
	RulesRefundGuard guard;
	int64_t floor;			/* RULES_REFUND_GUARD_FLOOR's lowest all-time total */
} RulesRefundTier;

/*
 * The tier after refund r of a member of tier index tier (-1: unknown),
 * set by hand or not, whose window basis before it was window_before and
 * all-time basis total (spend or points earned, as rs says) is alltime:
 * rules_tier_after_refund() on rules_refund_window_after(). And the guard:
 * a tier set by hand or unknown stays whatever happens meanwhile; a tier
 * kept stays as long as the all-time total has not fallen by more than the
 * window's room above the tier's threshold (only refunds lower it, and
 * they lower the window no more than the total; sales raise both alike);
 * a tier lowered was chosen on the window as read, so the row must be too.
 */
RulesRefundTier rules_refund_tier(const RulesRefund *r, const RuleSet *rs, int tier, bool manual,
				  int64_t window_before, bool sale_in_window, int64_t alltime);

#endif

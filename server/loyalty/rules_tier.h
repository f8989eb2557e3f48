/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_tier: every tier decision, pure C with no I/O and no clock. A tier
 * is an index into RuleSet.tiers (-1: a name the rule set does not know,
 * which no rule moves). The basis is what the rule set's tier_basis names:
 * money spent, or points earned, both net of refunds.
 *
 *   in a sale      rules_tier_sale_may_cross() says from the all-time basis
 *                  whether this sale could reach the next tier; only then is
 *                  the rolling window's basis read (kassa_tier_basis), and
 *                  rules_tier_after_sale() takes the highest tier it reaches,
 *                  if above the current one (an upgrade, several levels at
 *                  once if need be; it ends a manual tier);
 *   after a refund rules_tier_after_refund(): down to the tier the window
 *                  still supports, never up, never a manual tier;
 *   the job        rules_tier_downgrade(): one level down when the window
 *                  is below the current tier's threshold (the job picks
 *                  members whose tier is older than the window and not set
 *                  by hand).
 */
#ifndef KASSA_RULES_TIER_H
#define KASSA_RULES_TIER_H

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"

/* The index of the highest tier whose threshold basis reaches (0 at least). */
int rules_tier_for(const RuleSet *rs, int64_t basis);

/*
 * The threshold of the tier above index tier, or 0 when there is none
 * (the top tier, or a tier the rule set does not know).
 */
int64_t rules_tier_next_threshold(const RuleSet *rs, int tier);

/*
 * This sale adds `adds` to a member whose all-time basis is alltime: true
 * when the total reaches the next tier's threshold, the only case in which
 * the window can (the window is part of all time).
 */
bool rules_tier_sale_may_cross(const RuleSet *rs, int tier, int64_t alltime, int64_t adds);

/*
 * The tier after a sale, given the window's basis with the sale in it: the
 * highest tier above `tier` that window reaches, else tier.
 */
int rules_tier_after_sale(const RuleSet *rs, int tier, int64_t window);

/*
 * The tier after a refund, given the window's basis with the refund taken
 * off: tier when it was set by hand, is unknown, or its threshold is still
 * reached; else the highest tier the window reaches.
 */
int rules_tier_after_refund(const RuleSet *rs, int tier, bool manual, int64_t window);

/*
 * The downgrade job's decision for a member of tier index tier whose tier
 * has stood a whole window: tier - 1 when the window's basis is below the
 * tier's threshold, else tier. The first tier, an unknown tier and a
 * manual one never move.
 */
int rules_tier_downgrade(const RuleSet *rs, int tier, bool manual, int64_t window);

#endif

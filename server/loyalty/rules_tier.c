/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_tier.c: the tier decisions of a sale, a refund and the downgrade
 * job (see rules_tier.h). Pure: no I/O, no clock.
 */
#include "rules_tier.h"

static bool known(const RuleSet *rs, int tier)
{
	return tier >= 0 && tier < rs->n_tiers;
}

int rules_tier_for(const RuleSet *rs, int64_t basis)
{
	int i = rs->n_tiers - 1;

	while (i > 0 && rs->tiers[i].threshold > basis)
		i--;
	return i;
}

int64_t rules_tier_next_threshold(const RuleSet *rs, int tier)
{
	return known(rs, tier) && tier + 1 < rs->n_tiers ? rs->tiers[tier + 1].threshold : 0;
}

bool rules_tier_sale_may_cross(const RuleSet *rs, int tier, int64_t alltime, int64_t adds)
{
	int64_t next = rules_tier_next_threshold(rs, tier);

	if (next <= 0)
		return false;
	if (adds > 0 && alltime > INT64_MAX - adds)
		return true;
	return alltime + adds >= next;
}

int rules_tier_after_sale(const RuleSet *rs, int tier, int64_t window)
{
	int to;

	if (!known(rs, tier))
		return tier;
	to = rules_tier_for(rs, window);
	return to > tier ? to : tier;
}

int rules_tier_after_refund(const RuleSet *rs, int tier, bool manual, int64_t window)
{
	if (manual || !known(rs, tier) || window >= rs->tiers[tier].threshold)
		return tier;
	return rules_tier_for(rs, window);
}

int rules_tier_downgrade(const RuleSet *rs, int tier, bool manual, int64_t window)
{
	if (manual || !known(rs, tier) || tier == 0 || window >= rs->tiers[tier].threshold)
		return tier;
	return tier - 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_earn: what a sale's points depend on besides its money, pure C with
 * no I/O and no clock: the points multiplier of a day (tier, member day,
 * birthday, campaigns, combined as the rule set says), the expiry of a lot
 * earned on a day, and the bonus of a stored-value top-up. "Today" is
 * always an argument: the handlers read the clock (loyalty_today() in
 * ruleset_cache.c) and pass the date in the zone kassad runs in.
 */
#ifndef KASSA_RULES_EARN_H
#define KASSA_RULES_EARN_H

#include <stdbool.h>
#include <stdint.h>

#include "ruleset.h"

/*
 * The calendar day y-m-d with its ISO weekday filled in. False when the day
 * does not exist (30 February, 29 February of a common year, month 13 ...).
 */
bool rules_date(int year, int month, int day, RuleDate *out);

/*
 * The points multiplier (x100) for a member of tier index `tier` (-1: none)
 * on day `today`, with birthday month/day (0/0: unknown), combined as the
 * rule set says (max, multiply or add), capped at RULESET_MAX_X100.
 */
int32_t rules_multiplier(const RuleSet *rs, int tier, const RuleDate *today, int bday_month,
			 int bday_day);

/*
 * The last usable day of a lot earned on `today`: 31 December of the next
 * year, or with points_expiry {"months": N} the last day of the month N
 * months after today's.
 */
RuleDate rules_lot_expiry(const RuleSet *rs, const RuleDate *today);

/* The bonus a top-up of amount earns: the highest step it reaches, or 0. */
int64_t rules_topup_bonus(const RuleSet *rs, int64_t amount);

#endif

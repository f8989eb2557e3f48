/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruleset: the loyalty rule set as one validated value. A version is stored
 * as a JSON document in rule_versions (migrations/0003_loyalty.sql);
 * ruleset_parse() checks every field and fills a RuleSet; that is all this
 * module does. What the rules mean lives in the pure rules_*.c family
 * (rules.c sale pricing, rules_earn.c multipliers and lot expiry,
 * rules_tier.c tier decisions, rules_refund.c refunds). No I/O and no
 * globals: ruleset_cache.c holds the version in force.
 */
#ifndef KASSA_RULESET_H
#define KASSA_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RULESET_MAX_TIERS 16
#define RULESET_TIER_NAME_MAX 32	/* bytes, with the NUL */
#define RULESET_MAX_CAMPAIGNS 32
#define RULESET_MAX_TOPUP 16
#define RULESET_MAX_X100 10000		/* a multiplier of at most 100x */

typedef struct RuleTier {
	char name[RULESET_TIER_NAME_MAX];
	int64_t threshold;		/* minor units of spend, or points earned */
	int32_t discount_bp;		/* 1000 = 10% */
	int32_t multiplier_x100;	/* 100 = 1x */
} RuleTier;

/* A campaign multiplies points earned from `from` through `to` (yyyymmdd). */
typedef struct RuleCampaign {
	int32_t from, to;
	int32_t x100;
} RuleCampaign;

typedef struct RuleTopup {
	int64_t min_minor;		/* a top-up of at least this much ... */
	int64_t bonus_minor;		/* ... gets this much more */
} RuleTopup;

typedef enum RuleCombine {
	RULE_COMBINE_MAX = 0,		/* the largest multiplier wins (default) */
	RULE_COMBINE_MULTIPLY,		/* all multiply */
	RULE_COMBINE_ADD,		/* 1x plus the sum of each one's extra */
} RuleCombine;

typedef enum RuleBirthday {
	RULE_BIRTHDAY_OFF = 0,
	RULE_BIRTHDAY_DAY,		/* on the birthday itself */
	RULE_BIRTHDAY_MONTH,		/* all through the birthday month */
} RuleBirthday;

typedef struct RuleSet {
	int32_t version;
	bool basis_points;		/* tiers by points earned, not spend */
	RuleTier tiers[RULESET_MAX_TIERS];	/* thresholds ascending, first 0 */
	int n_tiers;
	int32_t downgrade_window_months;
	int64_t minor_per_point;	/* earn: 1 point per this much paid */
	bool stored_value_earns;
	int64_t points_step;		/* redeem: whole steps of this many points */
	int64_t step_value;		/* ... each worth this many minor units */
	int32_t points_cap_bp;		/* ... covering at most this share */
	RuleCombine combine;
	int32_t member_day_x100;
	uint8_t member_weekdays;	/* bit d set: ISO weekday d (1 Mon .. 7 Sun) */
	uint32_t member_monthdays;	/* bit d set: day d of every month */
	RuleBirthday birthday;
	int32_t birthday_x100;
	RuleCampaign campaigns[RULESET_MAX_CAMPAIGNS];
	int n_campaigns;
	int32_t expiry_months;		/* 0: lots expire at the end of next year */
	RuleTopup topup[RULESET_MAX_TOPUP];	/* min_minor ascending */
	int n_topup;
	int64_t refund_approval_minor;	/* refunds above this need a manager */
} RuleSet;

/* A calendar day. */
typedef struct RuleDate {
	int year, month, day;		/* 2026, 1-12, 1-31 */
	int weekday;			/* ISO: 1 Monday .. 7 Sunday */
} RuleDate;

/*
 * Parse and check a rule-set document. False with a message for people in
 * err (naming the field) if anything is missing, mistyped or out of range.
 */
bool ruleset_parse(const char *json, int32_t version, RuleSet *out, char *err, size_t errlen);

/* The index of the tier called name, or -1. */
int ruleset_tier_index(const RuleSet *rs, const char *name);

#endif

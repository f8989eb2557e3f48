/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_earn.c: multipliers, lot expiry and top-up bonuses from a parsed
 * rule set and a date passed in (see rules_earn.h). Pure: no I/O, no clock.
 */
#include "rules_earn.h"

#include "date.h"

bool rules_date(int year, int month, int day, RuleDate *out)
{
	/* Sakamoto's method: 0 = Sunday */
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int y = year, w;

	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > date_days_in_month(year, month))
		return false;
	if (month < 3)
		y--;
	w = (y + y / 4 - y / 100 + y / 400 + t[month - 1] + day) % 7;
	out->year = year;
	out->month = month;
	out->day = day;
	out->weekday = w == 0 ? 7 : w;
	return true;
}

static int32_t combine(RuleCombine how, int32_t acc, int32_t x)
{
	int64_t r;

	switch (how) {
	case RULE_COMBINE_MULTIPLY:
		r = (int64_t)acc * x / 100;
		break;
	case RULE_COMBINE_ADD:
		r = (int64_t)acc + x - 100;
		break;
	case RULE_COMBINE_MAX:
	default:
		r = x > acc ? x : acc;
		break;
	}
	if (r < 0)
		r = 0;
	return r > RULESET_MAX_X100 ? RULESET_MAX_X100 : (int32_t)r;
}

int32_t rules_multiplier(const RuleSet *rs, int tier, const RuleDate *today, int bday_month,
			 int bday_day)
{
	int32_t x = 100;
	int32_t ymd = today->year * 10000 + today->month * 100 + today->day;

	if (tier >= 0 && tier < rs->n_tiers)
		x = combine(rs->combine, x, rs->tiers[tier].multiplier_x100);
	if ((rs->member_weekdays & (1u << today->weekday)) ||
	    (rs->member_monthdays & (1u << today->day)))
		x = combine(rs->combine, x, rs->member_day_x100);
	if (bday_month == today->month &&
	    ((rs->birthday == RULE_BIRTHDAY_DAY && bday_day == today->day) ||
	     rs->birthday == RULE_BIRTHDAY_MONTH))
		x = combine(rs->combine, x, rs->birthday_x100);
	for (int i = 0; i < rs->n_campaigns; i++)
		if (rs->campaigns[i].from <= ymd && ymd <= rs->campaigns[i].to)
			x = combine(rs->combine, x, rs->campaigns[i].x100);
	return x;
}

RuleDate rules_lot_expiry(const RuleSet *rs, const RuleDate *today)
{
	RuleDate d = { today->year + 1, 12, 31, 0 };

	if (rs->expiry_months > 0) {
		/* the last day of the month expiry_months after this one */
		int m = today->month - 1 + rs->expiry_months;

		d.year = today->year + m / 12;
		d.month = m % 12 + 1;
		d.day = date_days_in_month(d.year, d.month);
	}
	(void)rules_date(d.year, d.month, d.day, &d);
	return d;
}

int64_t rules_topup_bonus(const RuleSet *rs, int64_t amount)
{
	int64_t bonus = 0;

	for (int i = 0; i < rs->n_topup; i++)
		if (amount >= rs->topup[i].min_minor)
			bonus = rs->topup[i].bonus_minor;
	return bonus;
}

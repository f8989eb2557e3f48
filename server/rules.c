/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules: pricing and loyalty arithmetic for checkout, in integer minor
 * units with every overflow checked (the compiler's overflow builtins; a
 * signed overflow is never executed). No I/O and no globals, so the unit
 * tests exercise exactly what the checkout handler runs.
 *
 * Entry points: rules_line_total() prices one basket line from the
 * server-side unit price, rules_settle() checks the tenders against the
 * total, rules_earn_points() applies the earn rule to what was paid.
 */
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
			       int n, int64_t *tendered, int64_t *change)
{
	int64_t sum = 0, cash = 0, over;

	if (total < 0 || n < 0 || (n > 0 && (amounts == NULL || is_cash == NULL)))
		return RULES_TENDER_BAD_AMOUNT;
	for (int i = 0; i < n; i++) {
		if (amounts[i] <= 0)
			return RULES_TENDER_BAD_AMOUNT;
		if (__builtin_add_overflow(sum, amounts[i], &sum))
			return RULES_TENDER_BAD_AMOUNT;
		if (is_cash[i])
			cash += amounts[i];	/* cash <= sum, which did not overflow */
	}
	if (sum < total)
		return RULES_TENDER_SHORT;
	over = sum - total;			/* 0 <= over <= sum: no overflow */
	if (over > cash)
		return RULES_TENDER_CHANGE_NOT_CASH;
	*tendered = sum;
	*change = over;
	return RULES_TENDER_OK;
}

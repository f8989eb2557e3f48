/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules: pricing and loyalty arithmetic, pure C with no I/O, called by the
 * checkout handler. Everything is integer minor units; every operation that
 * could overflow reports it. This is the module the loyalty engine grows
 * into (tier discounts, coupons, allocation); for now it prices a basket
 * from server-side unit prices and applies the default earn rule.
 */
#ifndef KASSA_RULES_H
#define KASSA_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

/* Default earn rule: 1 point per 10.00 paid (1000 minor units), floor. */
#define RULES_DEFAULT_MINOR_PER_POINT 1000

/* Largest quantity accepted on one line, and lines on one sale. */
#define RULES_MAX_QTY 100000
#define RULES_MAX_LINES 500

/*
 * Points earned for paid_minor of money actually paid: floor(paid /
 * minor_per_point). Zero for paid <= 0 or minor_per_point <= 0 (no rule).
 */
int64_t rules_earn_points(int64_t paid_minor, int64_t minor_per_point);

/*
 * Price one line: *total = unit_minor * qty. False if qty is outside
 * 1..RULES_MAX_QTY, unit_minor is negative, or the product overflows.
 */
MUSTCHECK bool rules_line_total(int64_t unit_minor, int32_t qty, int64_t *total);

typedef enum RulesTenderStatus {
	RULES_TENDER_OK = 0,		/* tenders cover the total; *change set */
	RULES_TENDER_SHORT = 1,		/* sum of tenders < total */
	RULES_TENDER_BAD_AMOUNT = 2,	/* a tender amount <= 0, or the sum overflows */
	RULES_TENDER_CHANGE_NOT_CASH = 3,	/* overpaid by more than the cash tendered */
} RulesTenderStatus;

/*
 * Check that tenders cover total. amounts[i] is tender i's amount and
 * is_cash[i] whether it is cash. Change can only be given from cash: the
 * overpayment must not exceed the sum of cash tenders. Sets *tendered and
 * *change on success.
 */
RulesTenderStatus rules_settle(int64_t total, const int64_t *amounts, const bool *is_cash,
			       int n, int64_t *tendered, int64_t *change);

#endif

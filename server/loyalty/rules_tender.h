/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_tender: the pure arithmetic of a till's foreign-currency tenders
 * and of an offline sale's time, for checkout.c. No I/O and no clock: the
 * rate, the exponents and "now" are arguments.
 *
 *   rules_tender_convert()  foreign minor units -> store minor units at a
 *                           rate_micro (store units per foreign unit x 1e6),
 *                           rounded down, overflow-checked;
 *   rules_sold_at_parse()   an RFC 3339 time -> seconds since the epoch;
 *   rules_sold_at_check()   a late sale's time against now and the limit.
 *
 * A rate's text form ("7.2345" <-> 7234500) is money_parse_rate() and
 * money_format_rate() in common/money.h, one parser for office and server.
 */
#ifndef KASSA_RULES_TENDER_H
#define KASSA_RULES_TENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "money.h"
#include "util.h"

#define RULES_RATE_SCALE MONEY_RATE_SCALE	/* rate_micro units per 1.0 */
#define RULES_SOLD_AT_FUTURE_MAX 300	/* seconds a sale may be ahead of kassad's clock */

/*
 * *store_minor = floor(foreign_minor * rate_micro * 10^store_exp /
 * (10^foreign_exp * 1e6)). foreign_minor and rate_micro must be positive
 * and the exponents 0-4. False (out untouched) on bad input or when the
 * result does not fit an int64.
 */
MUSTCHECK bool rules_tender_convert(int64_t foreign_minor, int foreign_exp, int64_t rate_micro,
				    int store_exp, int64_t *store_minor);

/*
 * Parse an RFC 3339 date-time ("2026-11-30T14:05:00Z",
 * "2026-11-30T22:05:00.5+08:00"; 'T' and 'Z' in either case) into seconds
 * since 1970-01-01 UTC, fractions dropped. Years 1970-9999. False on any
 * other form or an impossible date or time.
 */
MUSTCHECK bool rules_sold_at_parse(const char *s, int64_t *epoch);

typedef enum RulesSoldAt {
	RULES_SOLD_AT_OK = 0,		/* within the window */
	RULES_SOLD_AT_FUTURE,		/* more than RULES_SOLD_AT_FUTURE_MAX ahead of now */
	RULES_SOLD_AT_TOO_OLD,		/* more than max_days * 86400 seconds before now */
} RulesSoldAt;

/* Where a sale made at sold lies against now (both epoch seconds) and the limit. */
RulesSoldAt rules_sold_at_check(int64_t sold, int64_t now, int max_days);

#endif

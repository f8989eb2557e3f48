/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money: checked int64 arithmetic on minor units, and the two-decimal text
 * form. The compiler's overflow builtins do the checking, so no operation
 * here ever executes a signed overflow (which would be undefined, and which
 * UBSan in the sanitizer build would turn into an abort). It also holds
 * the ISO 4217 minor-unit exponents of the currencies a till may take
 * (money_currency_exponent()), which foreign-currency conversion needs,
 * and the six-decimal text form of an exchange rate (money_parse_rate(),
 * money_format_rate()), shared by kassa-office, the till and kassad.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "money.h"

bool money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool money_mul(int64_t unit, int64_t qty, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(unit, qty, &r))
		return false;
	*out = r;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The magnitude is collected as uint64 so that INT64_MIN
 * ("-92233720368547758.08") parses: its magnitude is INT64_MAX + 1.
 */
bool money_parse(const char *s, int64_t *out)
{
	const uint64_t pos_limit = (uint64_t)INT64_MAX;
	uint64_t mag = 0;
	bool neg = false;
	int frac = 0;

	if (s == NULL)
		return false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!is_digit(*s))
		return false;			/* "", "-", ".5", " 1", "abc" */
	while (is_digit(*s)) {
		if (__builtin_mul_overflow(mag, 10u, &mag) ||
		    __builtin_add_overflow(mag, (uint64_t)(*s - '0'), &mag))
			return false;
		s++;
	}
	if (*s == '.') {
		s++;
		while (is_digit(*s) && frac < 3) {
			if (__builtin_mul_overflow(mag, 10u, &mag) ||
			    __builtin_add_overflow(mag, (uint64_t)(*s - '0'), &mag))
				return false;
			frac++;
			s++;
		}
		if (frac == 0 || frac > 2)
			return false;		/* "12." or "1.234" */
	}
	if (*s != '\0')
		return false;			/* "1,000", "1e3", trailing junk */
	for (; frac < 2; frac++)
		if (__builtin_mul_overflow(mag, 10u, &mag))
			return false;
	if (neg) {
		if (mag > pos_limit + 1)
			return false;
		*out = mag == pos_limit + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > pos_limit)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

char *money_format(int64_t minor, char *buf, size_t len)
{
	/* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64. */
	uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

	if (len > 0)
		snprintf(buf, len, "%s%" PRIu64 ".%02u", minor < 0 ? "-" : "", mag / 100,
			 (unsigned)(mag % 100));
	return buf;
}

/*
 * The whole part is refused as soon as it passes 10^9, so nothing here
 * gets near the int64 limit: at most 10^9 x 10^6 + 999999 before the last
 * check.
 */
bool money_parse_rate(const char *s, int64_t *rate_micro)
{
	int64_t whole = 0, frac = 0;
	int nwhole = 0, nfrac = 0;

	if (s == NULL)
		return false;
	for (; is_digit(*s); s++, nwhole++) {
		whole = whole * 10 + (*s - '0');
		if (whole > MONEY_RATE_MAX / MONEY_RATE_SCALE)
			return false;		/* above 10^9 whatever the fraction */
	}
	if (nwhole == 0)
		return false;			/* "", ".5", "-1", " 1" */
	if (*s == '.') {
		for (s++; is_digit(*s); s++) {
			if (++nfrac > 6)
				return false;	/* "0.0000001": finer than a micro */
			frac = frac * 10 + (*s - '0');
		}
		if (nfrac == 0)
			return false;		/* "7." */
	}
	if (*s != '\0')
		return false;			/* "7,2345", "7.2e3", trailing junk */
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	whole = whole * MONEY_RATE_SCALE + frac;
	if (whole <= 0 || whole > MONEY_RATE_MAX)
		return false;			/* "0", "0.000", "1000000000.5" */
	*rate_micro = whole;
	return true;
}

char *money_format_rate(int64_t rate_micro, char *buf, size_t len)
{
	uint64_t mag = rate_micro < 0 ? (uint64_t)0 - (uint64_t)rate_micro : (uint64_t)rate_micro;
	unsigned frac = (unsigned)(mag % MONEY_RATE_SCALE);
	int digits = 6;

	if (len == 0)
		return buf;
	for (; digits > 0 && frac % 10 == 0; digits--)
		frac /= 10;			/* 7.234500 -> 7.2345 */
	if (digits == 0)
		snprintf(buf, len, "%s%" PRIu64, rate_micro < 0 ? "-" : "", mag / MONEY_RATE_SCALE);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%0*u", rate_micro < 0 ? "-" : "",
			 mag / MONEY_RATE_SCALE, digits, frac);
	return buf;
}

/* ISO 4217 minor units of the currencies tills meet; any other code is refused. */
static const struct {
	char code[4];
	int exponent;
} currency_exponents[] = {
	{ "AED", 2 }, { "AUD", 2 }, { "BHD", 3 }, { "CAD", 2 }, { "CHF", 2 }, { "CNY", 2 },
	{ "CZK", 2 }, { "DKK", 2 }, { "EUR", 2 }, { "GBP", 2 }, { "HKD", 2 }, { "HUF", 2 },
	{ "IDR", 2 }, { "ILS", 2 }, { "INR", 2 }, { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KHR", 2 }, { "KRW", 0 }, { "KWD", 3 }, { "LAK", 2 }, { "MNT", 2 }, { "MOP", 2 },
	{ "MYR", 2 }, { "NOK", 2 }, { "NZD", 2 }, { "OMR", 3 }, { "PHP", 2 }, { "PLN", 2 },
	{ "QAR", 2 }, { "RUB", 2 }, { "SAR", 2 }, { "SEK", 2 }, { "SGD", 2 }, { "THB", 2 },
	{ "TRY", 2 }, { "TWD", 2 }, { "USD", 2 }, { "VND", 0 }, { "ZAR", 2 },
};

int money_currency_exponent(const char *code)
{
	for (size_t i = 0; i < sizeof(currency_exponents) / sizeof(currency_exponents[0]); i++)
		if (strcmp(currency_exponents[i].code, code) == 0)
			return currency_exponents[i].exponent;
	return -1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money: checked int64 arithmetic on minor units, and the two-decimal text
 * form. The compiler's overflow builtins do the checking, so no operation
 * here ever executes a signed overflow (which would be undefined, and which
 * UBSan in the sanitizer build would turn into an abort).
 */
#include <inttypes.h>
#include <stdio.h>

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

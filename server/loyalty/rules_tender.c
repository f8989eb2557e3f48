/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rules_tender.c: converting a foreign-currency tender to store minor units
 * (128-bit intermediate, rounded down: the store never takes more than the
 * customer handed over), and an offline sale's RFC 3339 time and its
 * window. Pure: see rules_tender.h. (The rate typed at the office is
 * parsed by money_parse_rate() in common/money.c.)
 */
#include "rules_tender.h"

#include <string.h>

static const int64_t pow10_table[] = { 1, 10, 100, 1000, 10000 };

#define RULES_INT128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))

bool rules_tender_convert(int64_t foreign_minor, int foreign_exp, int64_t rate_micro,
			  int store_exp, int64_t *store_minor)
{
	__int128 num, den, q;

	if (foreign_minor <= 0 || rate_micro <= 0 || foreign_exp < 0 || foreign_exp > 4 ||
	    store_exp < 0 || store_exp > 4)
		return false;
	num = (__int128)foreign_minor * rate_micro;	/* < 2^126: fits */
	if (num > RULES_INT128_MAX / pow10_table[store_exp])
		return false;
	num *= pow10_table[store_exp];
	den = (__int128)pow10_table[foreign_exp] * RULES_RATE_SCALE;
	q = num / den;		/* both positive: truncation is floor */
	if (q > INT64_MAX)
		return false;
	*store_minor = (int64_t)q;
	return true;
}

/* n digits at s into *v; false if one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = m <= 2 ? y - 1 : y;
	int64_t era = yy / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The zone at p ("Z", "+08:00", "-05:30") in seconds east of UTC; false if malformed. */
static bool zone_offset(const char *p, int64_t *off)
{
	int hh, mm;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*off = 0;
		return true;
	}
	if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || p[3] != ':' ||
	    !digits(p + 1, 2, &hh) || !digits(p + 4, 2, &mm) || hh > 23 || mm > 59)
		return false;
	*off = (p[0] == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
	return true;
}

bool rules_sold_at_parse(const char *s, int64_t *epoch)
{
	int y, mo, d, h, mi, sec;
	const char *p;
	int64_t off;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return false;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (!zone_offset(p, &off))
		return false;
	*epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return true;
}

RulesSoldAt rules_sold_at_check(int64_t sold, int64_t now, int max_days)
{
	if (sold > now && sold - now > RULES_SOLD_AT_FUTURE_MAX)
		return RULES_SOLD_AT_FUTURE;
	if (now > sold && now - sold > (int64_t)max_days * 86400)
		return RULES_SOLD_AT_TOO_OLD;
	return RULES_SOLD_AT_OK;
}

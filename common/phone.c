/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone: normalise the ways people type a phone number into E.164
 * ("+8613812345678"), and mask a stored number for display at a till.
 *
 * Only the checks we can make without a numbering-plan database are made:
 * Chinese numbers (no prefix, or +86) must be mobiles, 11 digits starting
 * 1[3-9]; other countries just need 8-15 digits in all, not starting with 0.
 * phone_mask() needs to know where the country code ends; ITU country codes
 * are prefix-free, so a small table of the 1- and 2-digit codes settles it
 * (everything else is 3 digits).
 */
#include <string.h>

#include "phone.h"

#define PHONE_E164_MAX_DIGITS 15	/* ITU-T E.164 */
#define PHONE_CN_MOBILE_DIGITS 11	/* 1[3-9]x xxxx xxxx */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* Is d[0..n) a Chinese mobile number (national part, no prefix)? */
static bool phone_is_cn_mobile(const char *d, size_t n)
{
	return n == PHONE_CN_MOBILE_DIGITS && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool phone_normalize(const char *in, char *out, size_t outlen)
{
	char d[PHONE_E164_MAX_DIGITS + 3];	/* digits typed, "00" prefix included */
	size_t n = 0, skip = 0;
	bool plus = false;
	const char *cc;

	if (outlen > 0)
		out[0] = '\0';
	if (in == NULL || outlen < PHONE_MAX)
		return false;

	/* 1. Collect the digits; '+' only before the first digit. */
	for (const char *p = in; *p != '\0'; p++) {
		if (is_separator(*p))
			continue;
		if (*p == '+' && !plus && n == 0) {
			plus = true;
			continue;
		}
		if (!is_digit(*p) || n == sizeof(d))
			return false;		/* letters, a second '+', far too long */
		d[n++] = *p;
	}

	/* 2. Work out the country code: "+CC", "00CC" or none (China). */
	if (!plus && n >= 2 && d[0] == '0' && d[1] == '0')
		skip = 2;
	else if (!plus) {
		if (!phone_is_cn_mobile(d, n))
			return false;
		memcpy(out, "+86", 3);
		memcpy(out + 3, d, n);
		out[3 + n] = '\0';
		return true;
	}
	cc = d + skip;
	n -= skip;

	/* 3. International form: +86 must be a mobile, others 8-15 digits. */
	if (n >= 2 && cc[0] == '8' && cc[1] == '6') {
		if (!phone_is_cn_mobile(cc + 2, n - 2))
			return false;
	} else if (n < 8 || n > PHONE_E164_MAX_DIGITS || cc[0] == '0') {
		return false;
	}
	out[0] = '+';
	memcpy(out + 1, cc, n);
	out[1 + n] = '\0';
	return true;
}

/* Length of the country code at the start of digits d (ITU-T E.164 assignments). */
static size_t phone_cc_len(const char *d)
{
	static const char *const two[] = {
		"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44",
		"45", "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58",
		"60", "61", "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91",
		"92", "93", "94", "95", "98",
	};

	if (d[0] == '1' || d[0] == '7')
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(two); i++)
		if (d[0] == two[i][0] && d[1] == two[i][1])
			return 2;
	return 3;
}

void phone_mask(const char *e164, char *out, size_t outlen)
{
	const char *nat;
	size_t n, cc, keep_head, keep_tail, o = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (e164 == NULL || e164[0] != '+')
		return;			/* not normalised: show nothing rather than leak */
	n = strlen(e164 + 1);
	if (n < 3 || n > PHONE_E164_MAX_DIGITS)
		return;
	for (size_t i = 1; i <= n; i++)
		if (!is_digit(e164[i]))
			return;
	cc = phone_cc_len(e164 + 1);
	nat = e164 + 1 + cc;
	n -= cc;

	/*
	 * Keep 3 + 4 digits when that still hides at least 3 between them
	 * (mainland mobiles, North America); a shorter national part (Hong
	 * Kong's 8 digits) would show almost everything that way, so it keeps
	 * only its last half, at most 4 digits.
	 */
	if (n >= 10) {
		keep_head = 3;
		keep_tail = 4;
	} else {
		keep_head = 0;
		keep_tail = n / 2 < 4 ? n / 2 : 4;
	}
	for (size_t i = 0; i < n && o + 1 < outlen; i++)
		out[o++] = (i < keep_head || i >= n - keep_tail) ? nat[i] : '*';
	out[o] = '\0';
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cardnum.c: the Luhn check and the scan for card numbers in typed text
 * (see cardnum.h for what counts as one and why a long unbroken digit
 * string does not). The scan visits each group start once and, from
 * there, reads forward at most CARDNUM_MAX_DIGITS digits of the run with
 * the separators between them, so the work is linear in the text's length.
 */
#include "cardnum.h"

bool cardnum_is_luhn_valid(const char *digits, size_t n)
{
	unsigned sum = 0;
	bool twice = false;	/* every second digit from the right is doubled */

	if (n == 0)
		return false;
	for (size_t i = n; i-- > 0;) {
		unsigned d;

		if (digits[i] < '0' || digits[i] > '9')
			return false;
		d = (unsigned)(digits[i] - '0');
		if (twice)
			d = d * 2 > 9 ? d * 2 - 9 : d * 2;
		sum += d;
		twice = !twice;
	}
	return sum % 10 == 0;
}

/*
 * The digit at s[i] (0-9: ASCII, or fullwidth U+FF10..U+FF19 = EF BC 90..99
 * in UTF-8) with its byte length in *n; -1 if s[i] starts no digit.
 */
static int digit_at(const unsigned char *s, size_t len, size_t i, size_t *n)
{
	if (i < len && s[i] >= '0' && s[i] <= '9') {
		*n = 1;
		return s[i] - '0';
	}
	if (i + 2 < len && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x90 &&
	    s[i + 2] <= 0x99) {
		*n = 3;
		return s[i + 2] - 0x90;
	}
	return -1;
}

/*
 * The byte length of the separator at s[i]: space, '-', fullwidth
 * hyphen-minus (U+FF0D = EF BC 8D) or ideographic space (U+3000 = E3 80 80);
 * 0 if s[i] starts none.
 */
static size_t sep_at(const unsigned char *s, size_t len, size_t i)
{
	if (i < len && (s[i] == ' ' || s[i] == '-'))
		return 1;
	if (i + 2 < len && ((s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] == 0x8D) ||
			    (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)))
		return 3;
	return 0;
}

/*
 * The candidates that begin with the group starting at byte i: that group,
 * then it and the next group of its run, and so on while they hold at most
 * CARDNUM_MAX_DIGITS digits. True, with *end just past the last digit, at
 * the first that passes the Luhn check.
 */
static bool card_from(const unsigned char *s, size_t len, size_t i, size_t *end)
{
	char digits[CARDNUM_MAX_DIGITS];
	size_t nd = 0, n, j;
	int d;

	for (;;) {
		/* one whole group: a group is never cut, so too long ends the search */
		while ((d = digit_at(s, len, i, &n)) >= 0) {
			if (nd == CARDNUM_MAX_DIGITS)
				return false;
			digits[nd++] = (char)('0' + d);
			i += n;
		}
		if (nd >= CARDNUM_MIN_DIGITS && cardnum_is_luhn_valid(digits, nd)) {
			*end = i;
			return true;
		}
		/* the separators after it, and the run's next group if there is one */
		for (j = i; (n = sep_at(s, len, j)) > 0; j += n)
			;
		if (j == i || digit_at(s, len, j, &n) < 0)
			return false;
		i = j;
	}
}

bool cardnum_has_card_number(const char *text, size_t len, size_t *start, size_t *end)
{
	const unsigned char *s = (const unsigned char *)text;
	bool in_group = false;	/* s[i - 1] ended a digit */
	size_t i = 0, n, e;

	while (i < len) {
		if (digit_at(s, len, i, &n) < 0) {
			in_group = false;
			i++;	/* a UTF-8 continuation byte never starts a digit */
			continue;
		}
		if (!in_group && card_from(s, len, i, &e)) {
			if (start != NULL)
				*start = i;
			if (end != NULL)
				*end = e;
			return true;
		}
		in_group = true;
		i += n;
	}
	return false;
}

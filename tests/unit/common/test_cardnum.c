/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cardnum: the Luhn check, and the scan that keeps card numbers out
 * of tender references: Luhn-valid numbers of 13 to 19 digits are found,
 * alone, grouped with spaces or dashes (also fullwidth), or inside a longer
 * reference; Luhn-invalid numbers, 12-digit numbers and unbroken runs of 20
 * digits or more (e-wallet trade numbers) are not; the offsets point at the
 * number; the scan is linear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cardnum.h"

/* What cardnum_has_card_number() says about a NUL-terminated string. */
static bool has(const char *s)
{
	return cardnum_has_card_number(s, strlen(s), NULL, NULL);
}

/*
 * Make an n-digit Luhn-valid number in out (n + 1 bytes): prefix, then
 * digits i % 10, then the check digit, computed here the textbook way
 * (a table of doubled digits) rather than by the code under test.
 */
static void luhn_number(const char *prefix, size_t n, char *out)
{
	static const int doubled[10] = { 0, 2, 4, 6, 8, 1, 3, 5, 7, 9 };
	size_t p = strlen(prefix);
	int sum = 0;

	memcpy(out, prefix, p);
	for (size_t i = p; i + 1 < n; i++)
		out[i] = (char)('0' + (int)(i * 7 % 10));
	out[n - 1] = '0';
	out[n] = '\0';
	/* from the right: the check digit is position 0, doubled are the odd ones */
	for (size_t k = 1; k < n; k++) {
		int d = out[n - 1 - k] - '0';

		sum += k % 2 == 1 ? doubled[d] : d;
	}
	out[n - 1] = (char)('0' + (10 - sum % 10) % 10);
}

/* The same number with its check digit off by one: Luhn-invalid. */
static void spoil(char *num)
{
	size_t n = strlen(num);

	num[n - 1] = num[n - 1] == '9' ? '0' : (char)(num[n - 1] + 1);
}

static void test_luhn(void **state)
{
	(void)state;
	assert_true(cardnum_is_luhn_valid("79927398713", 11));	/* the textbook example */
	assert_false(cardnum_is_luhn_valid("79927398710", 11));
	assert_true(cardnum_is_luhn_valid("4111111111111111", 16));
	assert_true(cardnum_is_luhn_valid("5555555555554444", 16));
	assert_true(cardnum_is_luhn_valid("378282246310005", 15));
	assert_true(cardnum_is_luhn_valid("30569309025904", 14));
	assert_true(cardnum_is_luhn_valid("4222222222222", 13));
	assert_false(cardnum_is_luhn_valid("4111111111111112", 16));
	assert_false(cardnum_is_luhn_valid("", 0));
	assert_false(cardnum_is_luhn_valid("41111111 1111111", 16));	/* digits only */
	for (size_t n = 2; n <= 40; n++) {
		char num[48];

		luhn_number("4", n, num);
		assert_true(cardnum_is_luhn_valid(num, n));
		spoil(num);
		assert_false(cardnum_is_luhn_valid(num, n));
	}
}

/* Every length 13..19 is a card number; 12 and 20 are not. */
static void test_lengths(void **state)
{
	char num[32];

	(void)state;
	for (size_t n = CARDNUM_MIN_DIGITS; n <= CARDNUM_MAX_DIGITS; n++) {
		luhn_number("4", n, num);
		if (!has(num))
			fail_msg("%zu digits: \"%s\" not found", n, num);
		spoil(num);
		if (has(num))
			fail_msg("%zu digits: Luhn-invalid \"%s\" refused", n, num);
	}
	luhn_number("4", 12, num);
	assert_true(cardnum_is_luhn_valid(num, 12));
	assert_false(has(num));				/* 12 digits: an RRN, say */
	luhn_number("4", 20, num);
	assert_true(cardnum_is_luhn_valid(num, 20));
	assert_false(has(num));				/* 20 digits: no card has so many */
	assert_true(has("4111111111111111"));
	assert_true(has("378282246310005"));
	assert_false(has("4111111111111112"));
	assert_false(has(""));
	assert_false(has("APPROVAL 123456"));
}

/* The ways people type a card number. */
static void test_separators(void **state)
{
	static const char *const typed[] = {
		"4111 1111 1111 1111",
		"4111-1111-1111-1111",
		"4111 - 1111 - 1111 - 1111",
		"4111  1111-1111 1111",
		"3782 822463 10005",
		"4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
		/* fullwidth digits, hyphen and ideographic space, as an IME types them */
		"\xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xe3\x80\x80"
		"\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xef\xbc\x8d"
		"1111 1111",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
		if (!has(typed[i]))
			fail_msg("\"%s\" not found", typed[i]);
	assert_false(has("4111 1111 1111 1112"));		/* Luhn-invalid */
	assert_false(has("4111 1111 x 1111 1111"));		/* a letter ends the run */
	assert_false(has("4111.1111.1111.1111"));		/* dots are not separators */
	assert_false(has("4111 1111 1111"));			/* 12 digits in all */
}

/* A card number inside a longer reference, with other groups around it. */
static void test_inside(void **state)
{
	size_t start = 99, end = 99;
	const char *s;

	(void)state;
	assert_true(has("AUTH4111111111111111X"));
	assert_true(has("ref:4111111111111111"));
	assert_true(has("paid 4111-1111-1111-1111 thanks"));
	s = "card 4111-1111-1111-1111 ok";
	assert_true(cardnum_has_card_number(s, strlen(s), &start, &end));
	assert_int_equal(start, 5);
	assert_int_equal(end, 24);
	/* a group before it that would make the run too long is left out */
	s = "000123 4111111111111111";
	assert_true(cardnum_has_card_number(s, strlen(s), &start, &end));
	assert_int_equal(start, 7);
	assert_int_equal(end, strlen(s));
	/* ... and so is one after it, and a 20-digit group next to it */
	assert_true(has("4111111111111111 000123"));
	assert_true(has("12345678901234567890 4111 1111 1111 1111"));
	/* text after a NUL is still text: the length decides, not the NUL */
	assert_true(cardnum_has_card_number("x\0" "4111111111111111", 18, NULL, NULL));
	assert_false(cardnum_has_card_number("41111111\0" "11111111", 17, NULL, NULL));
}

/*
 * Unbroken runs of 20 digits or more are never cut into windows: they are
 * what e-wallet trade numbers look like (and almost every such run holds a
 * Luhn-valid 13-19 digit window).
 */
static void test_long_runs(void **state)
{
	char num[32], run[64];

	(void)state;
	luhn_number("4", 16, num);
	snprintf(run, sizeof(run), "%s0000", num);		/* a card number + 4 digits */
	assert_false(has(run));
	snprintf(run, sizeof(run), "9%s123", num);
	assert_false(has(run));
	assert_false(has("2024010122001412345678901234"));	/* Alipay-like, 28 digits */
	assert_false(has("4200001234202401011234567890"));	/* WeChat Pay-like */
	snprintf(run, sizeof(run), "TRADE %s0000 %s", num, "12");
	assert_false(has(run));
}

/* Linear: a long text of one-digit groups takes no time (a quadratic scan would). */
static void test_linear(void **state)
{
	size_t len = 1u << 20;
	char *s = malloc(len);

	(void)state;
	assert_non_null(s);
	/* "1 1 1 ...": 13..19 ones never pass the Luhn check */
	for (size_t i = 0; i < len; i++)
		s[i] = i % 2 == 0 ? '1' : ' ';
	assert_false(cardnum_has_card_number(s, len, NULL, NULL));
	memcpy(s + len - 16, "4111111111111111", 16);
	s[len - 17] = 'x';
	assert_true(cardnum_has_card_number(s, len, NULL, NULL));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_luhn),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_inside),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_linear),
	};

	return cmocka_run_group_tests_name("cardnum", tests, NULL, NULL);
}

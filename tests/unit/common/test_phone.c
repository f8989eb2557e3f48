/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_phone: the notations tills type are normalised to one E.164 form
 * (so the unique index on members.phone means one member per phone), junk
 * is refused with an empty output, and masking shows only 3 + 4 digits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "phone.h"

static void test_normalize_cn(void **state)
{
	static const char *const same[] = {
		"13812345678",
		"138 1234 5678",
		"+86 138-1234-5678",
		"0086 13812345678",
		"+86 (138) 1234 5678",
		"+8613812345678",
		"(+86) 138.1234.5678",
		"008613812345678",
		"  138-1234-5678  ",
	};
	char out[PHONE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (!phone_normalize(same[i], out, sizeof(out)))
			fail_msg("phone_normalize(\"%s\") refused", same[i]);
		assert_string_equal(out, "+8613812345678");
	}
	/* Every mobile prefix 13x..19x. */
	assert_true(phone_normalize("19912345678", out, sizeof(out)));
	assert_string_equal(out, "+8619912345678");
}

static void test_normalize_other_countries(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "+1 415 555 2671", "+14155552671" },
		{ "001 415 555 2671", "+14155552671" },
		{ "+44 20 7946 0958", "+442079460958" },
		{ "+852 9123 4567", "+85291234567" },
		{ "+12345678", "+12345678" },		/* 8 digits: shortest allowed */
		{ "+123456789012345", "+123456789012345" },	/* 15 digits: longest */
	};
	char out[PHONE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!phone_normalize(cases[i].in, out, sizeof(out)))
			fail_msg("phone_normalize(\"%s\") refused", cases[i].in);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_normalize_refused(void **state)
{
	static const char *const bad[] = {
		"12345",
		"23812345678",		/* 11 digits but not a mobile */
		"1381234567a",
		"",
		"   ",
		"1381234567",		/* 10 digits */
		"138123456789",		/* 12 digits */
		"12812345678",		/* 12x is not a mobile prefix */
		"+86 23812345678",	/* +86 must be a mobile */
		"+86 1381234567",
		"0086",
		"00",
		"+",
		"++8613812345678",
		"138+12345678",		/* '+' after digits */
		"+1234567",		/* 7 digits */
		"+1234567890123456",	/* 16 digits */
		"+0123456789",		/* country codes do not start with 0 */
		"138/1234/5678",
		"138_1234_5678",
		"1381234567８",		/* fullwidth digit */
		"138\t12345678",
		"13812345678901234567890123",
	};
	char out[PHONE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		if (phone_normalize(bad[i], out, sizeof(out)))
			fail_msg("phone_normalize(\"%s\") accepted as \"%s\"", bad[i], out);
		assert_string_equal(out, "");
	}
	assert_false(phone_normalize(NULL, out, sizeof(out)));
	assert_string_equal(out, "");
}

static void test_normalize_small_buffer(void **state)
{
	char out[PHONE_MAX - 1];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_false(phone_normalize("13812345678", out, sizeof(out)));
	assert_string_equal(out, "");
}

static void test_mask(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "+8613812345678", "138****5678" },
		{ "+14155552671", "415***2671" },
		{ "+442079460958", "207***0958" },
		{ "+85291234567", "****4567" },	/* short national part: last half */
		{ "+12345678", "****678" },
		{ "13812345678", "" },		/* not normalised: nothing shown */
		{ "+86138abc45678", "" },
		{ "", "" },
	};
	char out[PHONE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		phone_mask(cases[i].in, out, sizeof(out));
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("phone_mask(\"%s\") = \"%s\", want \"%s\"", cases[i].in, out,
				 cases[i].want);
	}
	phone_mask(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_mask_small_buffer(void **state)
{
	char out[5];

	(void)state;
	phone_mask("+8613812345678", out, sizeof(out));
	assert_string_equal(out, "138*");
	out[0] = 'q';
	phone_mask("+8613812345678", out, 0);
	assert_int_equal(out[0], 'q');
}

/* The mask of every normalised form of one number is the same. */
static void test_normalize_then_mask(void **state)
{
	char e164[PHONE_MAX], masked[PHONE_MAX];

	(void)state;
	assert_true(phone_normalize("+86 (138) 1234 5678", e164, sizeof(e164)));
	phone_mask(e164, masked, sizeof(masked));
	assert_string_equal(masked, "138****5678");
	assert_null(strstr(masked, "1234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_cn),
		cmocka_unit_test(test_normalize_other_countries),
		cmocka_unit_test(test_normalize_refused),
		cmocka_unit_test(test_normalize_small_buffer),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_small_buffer),
		cmocka_unit_test(test_normalize_then_mask),
	};

	return cmocka_run_group_tests_name("phone", tests, NULL, NULL);
}

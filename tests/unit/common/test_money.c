/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_money: checked arithmetic at the int64 limits, and the text form:
 * what money_parse() accepts and refuses, what money_format() writes
 * (INT64_MIN included), and that the two round-trip; the same for an
 * exchange rate's six-decimal form (money_parse_rate(), money_format_rate():
 * "7.2345" <-> 7234500, zero, seven decimals, signs and overflow refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"

#define SENTINEL ((int64_t)0x5EED)

static void test_add(void **state)
{
	int64_t r = SENTINEL;

	(void)state;
	assert_true(money_add(1234, 66, &r));
	assert_int_equal(r, 1300);
	assert_true(money_add(-50, 20, &r));
	assert_int_equal(r, -30);
	assert_true(money_add(INT64_MAX - 1, 1, &r));
	assert_true(r == INT64_MAX);
	assert_true(money_add(INT64_MIN, INT64_MAX, &r));
	assert_true(r == -1);

	r = SENTINEL;
	assert_false(money_add(INT64_MAX, 1, &r));
	assert_false(money_add(1, INT64_MAX, &r));
	assert_false(money_add(INT64_MIN, -1, &r));
	assert_false(money_add(INT64_MIN, INT64_MIN, &r));
	assert_false(money_add(INT64_MAX, INT64_MAX, &r));
	assert_true(r == SENTINEL);		/* untouched on failure */
}

static void test_sub(void **state)
{
	int64_t r = SENTINEL;

	(void)state;
	assert_true(money_sub(1000, 1234, &r));
	assert_true(r == -234);
	assert_true(money_sub(INT64_MIN + 1, 1, &r));
	assert_true(r == INT64_MIN);
	assert_true(money_sub(-1, INT64_MAX, &r));
	assert_true(r == INT64_MIN);

	r = SENTINEL;
	assert_false(money_sub(INT64_MIN, 1, &r));
	assert_false(money_sub(INT64_MAX, -1, &r));
	assert_false(money_sub(0, INT64_MIN, &r));	/* -INT64_MIN does not fit */
	assert_false(money_sub(-2, INT64_MAX, &r));
	assert_true(r == SENTINEL);
}

static void test_mul(void **state)
{
	int64_t r = SENTINEL;

	(void)state;
	assert_true(money_mul(1999, 3, &r));
	assert_true(r == 5997);
	assert_true(money_mul(INT64_MAX, 1, &r));
	assert_true(r == INT64_MAX);
	assert_true(money_mul(INT64_MIN, 1, &r));
	assert_true(r == INT64_MIN);
	assert_true(money_mul(0, INT64_MAX, &r));
	assert_true(r == 0);
	assert_true(money_mul(-1, INT64_MAX, &r));
	assert_true(r == -INT64_MAX);
	assert_true(money_mul(INT64_MAX / 2, 2, &r));
	assert_true(r == INT64_MAX - 1);

	r = SENTINEL;
	assert_false(money_mul(INT64_MAX, 2, &r));
	assert_false(money_mul(INT64_MAX / 2 + 1, 2, &r));
	assert_false(money_mul(INT64_MIN, -1, &r));	/* -INT64_MIN does not fit */
	assert_false(money_mul(-1, INT64_MIN, &r));
	assert_false(money_mul(INT64_MIN, 2, &r));
	assert_false(money_mul((int64_t)1 << 32, (int64_t)1 << 31, &r));
	assert_true(r == SENTINEL);
}

static void test_parse_ok(void **state)
{
	static const struct {
		const char *in;
		int64_t want;
	} cases[] = {
		{ "12.34", 1234 },
		{ "0.05", 5 },
		{ "-0.50", -50 },
		{ "12", 1200 },
		{ "12.3", 1230 },
		{ "+3.00", 300 },
		{ "0", 0 },
		{ "-0", 0 },
		{ "-0.05", -5 },
		{ "007.10", 710 },
		{ "92233720368547758.07", INT64_MAX },
		{ "-92233720368547758.08", INT64_MIN },
		{ "92233720368547758", 9223372036854775800 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t r = SENTINEL;

		if (!money_parse(cases[i].in, &r))
			fail_msg("money_parse(\"%s\") refused", cases[i].in);
		if (r != cases[i].want)
			fail_msg("money_parse(\"%s\") = %lld, want %lld", cases[i].in,
				 (long long)r, (long long)cases[i].want);
	}
}

static void test_parse_refused(void **state)
{
	static const char *const bad[] = {
		"", "1.234", "abc", "1e3", " 1", "1,000", "-", ".5",
		"92233720368547758.08",			/* INT64_MAX + 1 minor units */
		"-92233720368547758.09",		/* INT64_MIN - 1 */
		"92233720368547759",			/* overflows while scaling by 100 */
		"99999999999999999999999999",		/* overflows while reading digits */
		"12.", "1 ", "1.2.3", "--1", "+-1", "+", "1.x", "0x10", "1.-5",
		"\xef\xbc\x91",				/* fullwidth digit one */
		"1\n", "12.34 ", "-.5", "+.5", "1e", "1..2",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t r = SENTINEL;

		if (money_parse(bad[i], &r))
			fail_msg("money_parse(\"%s\") accepted as %lld", bad[i], (long long)r);
		assert_true(r == SENTINEL);
	}
	assert_false(money_parse(NULL, &(int64_t){ 0 }));
}

static void test_format(void **state)
{
	static const struct {
		int64_t in;
		const char *want;
	} cases[] = {
		{ 1234, "12.34" },
		{ 5, "0.05" },
		{ -50, "-0.50" },
		{ -5, "-0.05" },
		{ 0, "0.00" },
		{ 1200, "12.00" },
		{ 100000, "1000.00" },
		{ INT64_MAX, "92233720368547758.07" },
		{ INT64_MIN, "-92233720368547758.08" },
		{ INT64_MIN + 1, "-92233720368547758.07" },
	};
	char buf[MONEY_FMT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(money_format(cases[i].in, buf, sizeof(buf)), buf);
		assert_string_equal(buf, cases[i].want);
	}
	/* The longest output fits MONEY_FMT_LEN with its NUL. */
	assert_true(strlen(money_format(INT64_MIN, buf, sizeof(buf))) < MONEY_FMT_LEN);
}

static void test_format_short_buffer(void **state)
{
	char buf[6];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	money_format(123456, buf, sizeof(buf));
	assert_string_equal(buf, "1234.");		/* "1234.56" cut, but terminated */
	buf[0] = 'q';
	money_format(1, buf, 0);			/* nothing written */
	assert_int_equal(buf[0], 'q');
}

static void test_round_trip(void **state)
{
	static const int64_t values[] = {
		0, 1, -1, 9, 10, 99, 100, 101, -101, 1234, -1234, 999999, INT64_MAX,
		INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, 4611686018427387904,
	};
	char buf[MONEY_FMT_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int64_t back = SENTINEL;

		money_format(values[i], buf, sizeof(buf));
		if (!money_parse(buf, &back) || back != values[i])
			fail_msg("round trip of %lld via \"%s\" failed", (long long)values[i], buf);
	}
}

static void test_rate_parse(void **state)
{
	int64_t r = SENTINEL;

	(void)state;
	assert_true(money_parse_rate("7.2345", &r));
	assert_int_equal(r, 7234500);
	assert_true(money_parse_rate("0.9123", &r));
	assert_int_equal(r, 912300);
	assert_true(money_parse_rate("110", &r));
	assert_int_equal(r, 110000000);
	assert_true(money_parse_rate("0.000001", &r));
	assert_int_equal(r, 1);
	assert_true(money_parse_rate("007.500000", &r));
	assert_int_equal(r, 7500000);
	assert_true(money_parse_rate("1000000000", &r));
	assert_true(r == MONEY_RATE_MAX);
	assert_true(money_parse_rate("999999999.999999", &r));
	assert_true(r == MONEY_RATE_MAX - 1);
}

static void test_rate_refused(void **state)
{
	static const char *const bad[] = {
		"", "0", "0.0", "0.000000", "0.0000001", "7.2345678", "-7.2", "+7.2", ".5",
		"7.", "7,2345", "7.2e3", " 7.2", "7.2 ", "7..2", "1.2.3", "USD", "0x10",
		"1000000000.000001", "1000000001", "99999999999999999999",
		"9223372036854775808", "18446744073709551617.5",
	};
	int64_t r = SENTINEL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (money_parse_rate(bad[i], &r))
			fail_msg("money_parse_rate(\"%s\") accepted it: %lld", bad[i], (long long)r);
	}
	assert_false(money_parse_rate(NULL, &r));
	assert_true(r == SENTINEL);	/* untouched */
}

static void test_rate_format(void **state)
{
	char buf[MONEY_RATE_FMT_LEN];

	(void)state;
	assert_string_equal(money_format_rate(7234500, buf, sizeof(buf)), "7.2345");
	assert_string_equal(money_format_rate(912300, buf, sizeof(buf)), "0.9123");
	assert_string_equal(money_format_rate(110000000, buf, sizeof(buf)), "110");
	assert_string_equal(money_format_rate(1, buf, sizeof(buf)), "0.000001");
	assert_string_equal(money_format_rate(48123, buf, sizeof(buf)), "0.048123");
	assert_string_equal(money_format_rate(23500000, buf, sizeof(buf)), "23.5");
	assert_string_equal(money_format_rate(0, buf, sizeof(buf)), "0");
	assert_string_equal(money_format_rate(-7234500, buf, sizeof(buf)), "-7.2345");
	assert_string_equal(money_format_rate(MONEY_RATE_MAX, buf, sizeof(buf)), "1000000000");
	assert_string_equal(money_format_rate(INT64_MIN, buf, sizeof(buf)),
			    "-9223372036854.775808");
	assert_string_equal(money_format_rate(INT64_MAX, buf, sizeof(buf)),
			    "9223372036854.775807");
}

/* Every rate the parser takes formats back to a string it reads as the same rate. */
static void test_rate_round_trip(void **state)
{
	static const int64_t rates[] = {
		1, 9, 10, 999999, 1000000, 1000001, 7234500, 912300, 48123, 123456789,
		MONEY_RATE_MAX - 1, MONEY_RATE_MAX,
	};
	char buf[MONEY_RATE_FMT_LEN];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		money_format_rate(rates[i], buf, sizeof(buf));
		back = SENTINEL;
		assert_true(money_parse_rate(buf, &back));
		assert_true(back == rates[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_mul),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_short_buffer),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rate_parse),
		cmocka_unit_test(test_rate_refused),
		cmocka_unit_test(test_rate_format),
		cmocka_unit_test(test_rate_round_trip),
	};

	return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}

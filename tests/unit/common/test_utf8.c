/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_utf8: utf8_is_valid() accepts real text (Chinese names, emoji, the
 * edges of each range) and refuses what RFC 3629 forbids (overlongs,
 * surrogates, code points above U+10FFFF, truncated sequences, stray
 * continuation bytes) and embedded NULs, which PostgreSQL text cannot hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"

typedef struct Case {
	const char *bytes;	/* borrowed */
	size_t len;		/* bytes to check (may include NULs) */
	const char *what;	/* for the failure message */
} Case;

#define C(s, what) { s, sizeof(s) - 1, what }

/* Check from an exact-size heap copy, so ASan catches a read past len. */
static bool check_exact(const char *bytes, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	bool ok;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	ok = utf8_is_valid(copy, len);
	free(copy);
	return ok;
}

static void test_valid(void **state)
{
	static const Case ok[] = {
		C("\xe5\xbc\xa0\xe4\xb8\x89", "张三"),
		C("张三 Zhang San", "mixed"),
		C("", "empty"),
		C("plain ascii ~!@#", "ascii"),
		C("\x7f", "DEL U+007F"),
		C("\xc2\x80", "U+0080, smallest 2-byte"),
		C("\xdf\xbf", "U+07FF, largest 2-byte"),
		C("\xe0\xa0\x80", "U+0800, smallest 3-byte"),
		C("\xed\x9f\xbf", "U+D7FF, just below the surrogates"),
		C("\xee\x80\x80", "U+E000, just above the surrogates"),
		C("\xef\xbf\xbd", "U+FFFD"),
		C("\xf0\x90\x80\x80", "U+10000, smallest 4-byte"),
		C("\xf0\x9f\x98\x80", "emoji U+1F600"),
		C("\xf4\x8f\xbf\xbf", "U+10FFFF, the largest"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!check_exact(ok[i].bytes, ok[i].len))
			fail_msg("valid UTF-8 refused: %s", ok[i].what);
}

static void test_invalid(void **state)
{
	static const Case bad[] = {
		C("\xc0\x80", "overlong NUL C0 80"),
		C("\xc1\xbf", "overlong C1 BF"),
		C("\xe0\x80\x80", "overlong 3-byte E0 80 80"),
		C("\xe0\x9f\xbf", "overlong 3-byte E0 9F BF"),
		C("\xf0\x80\x80\x80", "overlong 4-byte F0 80 80 80"),
		C("\xf0\x8f\xbf\xbf", "overlong 4-byte F0 8F BF BF"),
		C("\xed\xa0\x80", "surrogate U+D800 ED A0 80"),
		C("\xed\xbf\xbf", "surrogate U+DFFF ED BF BF"),
		C("\xed\xa0\xbd\xed\xb8\x80", "CESU-8 surrogate pair"),
		C("\xf4\x90\x80\x80", "U+110000 F4 90 80 80"),
		C("\xf5\x80\x80\x80", "lead byte F5"),
		C("\xff", "byte FF"),
		C("\xfe", "byte FE"),
		C("\x80", "lone continuation byte"),
		C("a\xbf" "b", "continuation byte in ASCII"),
		C("\xe5\xbc", "truncated 3-byte sequence"),
		C("\xe5\xbc\xa0\xe4\xb8", "second character truncated"),
		C("\xf0\x9f\x98", "truncated 4-byte sequence"),
		C("\xc3", "truncated 2-byte sequence"),
		C("\xe5\x41\xa0", "ASCII inside a sequence"),
		C("\xe5\xbc\xc0", "lead byte where continuation belongs"),
		C("a\0b", "embedded NUL"),
		C("\0", "only a NUL"),
		C("\xe5\xbc\xa0\0", "trailing NUL after valid text"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_exact(bad[i].bytes, bad[i].len))
			fail_msg("invalid UTF-8 accepted: %s", bad[i].what);
}

/* len is honoured: a valid prefix is valid, a cut inside a character is not. */
static void test_length_honoured(void **state)
{
	const char *s = "\xe5\xbc\xa0\xe4\xb8\x89";	/* 张三 */

	(void)state;
	assert_true(check_exact(s, 3));
	assert_false(check_exact(s, 4));
	assert_false(check_exact(s, 5));
	assert_true(check_exact(s, 6));
	assert_true(check_exact(s, 0));
	/* Bytes past len are not looked at, even invalid ones. */
	assert_true(utf8_is_valid("ok\xff", 2));
}

static void test_uuid(void **state)
{
	char a[37], b[37];

	(void)state;
	uuid_random(a);
	uuid_random(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(a[i], '-');
		else
			assert_non_null(strchr("0123456789abcdef", a[i]));
	}
	assert_int_equal(a[14], '4');			/* version 4 */
	assert_non_null(strchr("89ab", a[19]));		/* RFC 4122 variant */
}

static void test_safe_strcpy(void **state)
{
	char buf[4];

	(void)state;
	assert_true(safe_strcpy(buf, sizeof(buf), "abc"));
	assert_string_equal(buf, "abc");
	assert_false(safe_strcpy(buf, sizeof(buf), "abcd"));
	assert_string_equal(buf, "abc");
	assert_false(safe_strcpy(buf, 0, "x"));
	assert_string_equal(buf, "abc");
}

static void test_be32(void **state)
{
	uint8_t b[4];

	(void)state;
	store_be32(b, 0xA1B2C3D4u);
	assert_int_equal(b[0], 0xA1);
	assert_int_equal(b[3], 0xD4);
	assert_int_equal(load_be32(b), 0xA1B2C3D4u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_length_honoured),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_safe_strcpy),
		cmocka_unit_test(test_be32),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

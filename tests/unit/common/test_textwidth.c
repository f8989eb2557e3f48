/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_textwidth: display widths of UTF-8 text as a till's screen and its
 * receipts need them: Chinese takes two cells, ASCII one, combining marks
 * none; cutting never splits a character and never leaves a wide one
 * hanging over the edge; padding gives exactly the cells asked for, left,
 * right or centred; invalid bytes count one cell each and never read past
 * the end. Independent of the process locale (run under LANG=C).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "textwidth.h"

static void test_widths(void **state)
{
	(void)state;
	assert_int_equal(textwidth(NULL), 0);
	assert_int_equal(textwidth(""), 0);
	assert_int_equal(textwidth("Total"), 5);
	assert_int_equal(textwidth("合计"), 4);
	assert_int_equal(textwidth("乌龙茶 500g"), 11);
	assert_int_equal(textwidth("（会员）"), 8);		/* fullwidth parentheses */
	assert_int_equal(textwidth("，：。"), 6);		/* CJK punctuation */
	assert_int_equal(textwidth("¥12.50"), 6);		/* yen sign is narrow */
	assert_int_equal(textwidth("e\xcc\x81"), 1);		/* e + combining acute */
	assert_int_equal(textwidth("한국"), 4);			/* Hangul */
	assert_int_equal(textwidth("\xf0\x9f\x98\x80"), 2);	/* emoji U+1F600 */
	assert_int_equal(textwidth("\xf0\xa0\x80\x80"), 2);	/* CJK ext. B U+20000 */
	assert_int_equal(textwidth("a\tb"), 2);			/* control: 0 */
	assert_int_equal(textwidth_n("合计", 3), 2);		/* one character exactly */
}

static void test_invalid_bytes(void **state)
{
	uint32_t cp;
	char *tail = malloc(2);

	(void)state;
	assert_int_equal(textwidth("\xff\xfe"), 2);
	assert_int_equal(textwidth("\xc0\xaf"), 2);		/* overlong '/' */
	assert_int_equal(textwidth("\xed\xa0\x80"), 3);	/* a surrogate */
	/* a truncated sequence at the very end: no read past len (ASan) */
	assert_non_null(tail);
	memcpy(tail, "\xe5\x90", 2);
	assert_int_equal(textwidth_n(tail, 2), 2);
	assert_int_equal(textwidth_decode(tail, 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	free(tail);
	assert_int_equal(textwidth_decode("\xe5\x90\x88", 3, &cp), 3);
	assert_int_equal(cp, 0x5408);				/* 合 */
}

static void test_cut(void **state)
{
	int used = -1;

	(void)state;
	assert_int_equal(textwidth_cut("合计金额", 5, &used), 6);	/* two characters */
	assert_int_equal(used, 4);
	assert_int_equal(textwidth_cut("合计金额", 4, &used), 6);
	assert_int_equal(textwidth_cut("ab合计", 3, &used), 2);	/* 合 would hang over */
	assert_int_equal(used, 2);
	assert_int_equal(textwidth_cut("abc", 10, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(textwidth_cut("合", 1, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(textwidth_cut("e\xcc\x81x", 1, NULL), 3);	/* mark stays */
}

static void test_pad(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "合计", 6, TEXT_LEFT), "合计  ");
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "合计", 6, TEXT_RIGHT), "  合计");
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "ab", 5, TEXT_CENTRE), " ab  ");
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "12.50", 8, TEXT_RIGHT), "   12.50");
	/* too wide: cut, and a space where half a character would be */
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "乌龙茶叶", 5, TEXT_LEFT), "乌龙 ");
	assert_int_equal(textwidth(textwidth_pad(buf, sizeof(buf), "乌龙茶叶", 5, TEXT_RIGHT)), 5);
	assert_string_equal(textwidth_pad(buf, sizeof(buf), NULL, 3, TEXT_LEFT), "   ");
	assert_string_equal(textwidth_pad(buf, sizeof(buf), "abc", 0, TEXT_LEFT), "");
	/* a small buffer: whole characters only, always terminated */
	assert_string_equal(textwidth_pad(buf, 5, "合计金额", 8, TEXT_LEFT), "合");
	assert_string_equal(textwidth_pad(buf, 1, "abc", 3, TEXT_LEFT), "");
}

/* Every padded field has the asked width whatever the mix of text. */
static void test_pad_every_width(void **state)
{
	static const char *const texts[] = { "", "a", "合", "a合b", "会员积分 1234", "e\xcc\x81合",
					     "\xff合" };
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		for (int w = 0; w < 20; w++) {
			for (int a = TEXT_LEFT; a <= TEXT_CENTRE; a++) {
				textwidth_pad(buf, sizeof(buf), texts[i], w, (TextAlign)a);
				assert_int_equal(textwidth(buf), w);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_invalid_bytes),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_pad_every_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_template_render: a message template becomes the text a member reads
 * (template_render.c): placeholders filled in Chinese and English, "{{"
 * and "}}" as literal braces, and every refusal with the offset that lets
 * MessageTemplatePut name the fault: an unknown placeholder, a brace that
 * opens or closes nothing, a result over the limit (counted in bytes, so
 * CJK text counts three a character) and bytes that are not UTF-8, in the
 * template or in a value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "template_render.h"

static const TemplateVar vars[] = {
	{ "name", "张三" },
	{ "coupon", "B0123456789ABCDE" },
	{ "coupon_value", "20.00" },
	{ "valid_to", "2026-12-31" },
	{ "points", "1200" },
	{ "empty", "" },
};
#define NVARS (sizeof(vars) / sizeof(vars[0]))

/* Render and compare; the result must be exactly want. */
static void expect(const char *tmpl, size_t max, const char *want)
{
	const char *err = "unset";
	char *out = template_render(tmpl, vars, NVARS, max, &err);

	assert_non_null(out);
	assert_null(err);
	assert_string_equal(out, want);
	free(out);
}

/* Render must fail with word at byte offset at. */
static void refuse(const char *tmpl, const TemplateVar *v, size_t n, size_t max,
		   const char *word, size_t at)
{
	const char *err = NULL;
	size_t where = 9999;
	char *out = template_render_at(tmpl, v, n, max, &err, &where);

	assert_null(out);
	assert_non_null(err);
	assert_string_equal(err, word);
	assert_int_equal(where, at);
	/* the plain entry point agrees */
	err = NULL;
	assert_null(template_render(tmpl, v, n, max, &err));
	assert_string_equal(err, word);
}

static void test_cjk(void **state)
{
	(void)state;
	expect("{name}，生日快乐！送您一张{coupon_value}元优惠券 {coupon}，{valid_to}前有效。",
	       1000, "张三，生日快乐！送您一张20.00元优惠券 B0123456789ABCDE，2026-12-31前有效。");
	expect("", 10, "");
	expect("无占位符", 100, "无占位符");
}

static void test_placeholders(void **state)
{
	(void)state;
	expect("Happy birthday, {name}! Code {coupon} ({coupon_value}) until {valid_to}.", 1000,
	       "Happy birthday, 张三! Code B0123456789ABCDE (20.00) until 2026-12-31.");
	expect("{name}{name}", 100, "张三张三");
	expect("[{empty}]", 100, "[]");
	expect("{points}", 4, "1200");		/* exactly at the limit */
}

static void test_escapes(void **state)
{
	(void)state;
	expect("{{name}}", 100, "{name}");
	expect("a {{ b }} c", 100, "a { b } c");
	expect("{{{name}}}", 100, "{张三}");
	expect("}}{{", 100, "}{");
}

static void test_unknown(void **state)
{
	(void)state;
	refuse("Hi {nmae}!", vars, NVARS, 100, "UNKNOWN_PLACEHOLDER", 3);
	refuse("你好 {store}", vars, NVARS, 100, "UNKNOWN_PLACEHOLDER", 7);
	refuse("{name}", NULL, 0, 100, "UNKNOWN_PLACEHOLDER", 0);
	/* names are case-sensitive */
	refuse("{Name}", vars, NVARS, 100, "UNKNOWN_PLACEHOLDER", 0);
}

static void test_bad_brace(void **state)
{
	(void)state;
	refuse("Hi {name", vars, NVARS, 100, "BAD_BRACE", 3);
	refuse("Hi name}", vars, NVARS, 100, "BAD_BRACE", 7);
	refuse("{}", vars, NVARS, 100, "BAD_BRACE", 0);
	refuse("{na me}", vars, NVARS, 100, "BAD_BRACE", 0);
	refuse("x {", vars, NVARS, 100, "BAD_BRACE", 2);
	refuse("{{name}", vars, NVARS, 100, "BAD_BRACE", 6);
	refuse("{名字}", vars, NVARS, 100, "BAD_BRACE", 0);
}

static void test_too_long(void **state)
{
	(void)state;
	refuse("abcdef", vars, NVARS, 5, "TOO_LONG", 0);
	/* "张三" is six bytes: the limit counts bytes */
	refuse("ab{name}", vars, NVARS, 7, "TOO_LONG", 2);
	refuse("{points}", vars, NVARS, 3, "TOO_LONG", 0);
	refuse("abc{{", vars, NVARS, 3, "TOO_LONG", 3);
	expect("ab{name}", 8, "ab张三");
}

static void test_bad_utf8(void **state)
{
	static const TemplateVar badval[] = { { "name", "\xff\xfe" } };

	(void)state;
	refuse("ok \xc3\x28", vars, NVARS, 100, "BAD_UTF8", 3);		/* bad continuation */
	refuse("\xe5\xbc", vars, NVARS, 100, "BAD_UTF8", 0);		/* truncated 张 */
	refuse("张\xed\xa0\x80", vars, NVARS, 100, "BAD_UTF8", 3);	/* a surrogate */
	refuse("\xc0\xaf", vars, NVARS, 100, "BAD_UTF8", 0);		/* overlong '/' */
	refuse("Hi {name}", badval, 1, 100, "BAD_UTF8", 3);		/* in a value */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cjk),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_bad_brace),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_i18n: the language choice with the real catalogue built from
 * po/zh_CN.po. Run under LANG=C with LANGUAGE unset (see CMakeLists): the
 * environment alone gives English; --lang zh_CN gives Chinese all the same
 * and keeps LC_CTYPE UTF-8; --lang en goes back; an unknown --lang is
 * refused. kassad's way: the shared zh_CN locale_t installed with
 * uselocale() translates in that thread only. The names a Hello may carry
 * parse as the wire expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <langinfo.h>
#include <cmocka.h>

#include "i18n.h"

/* A label of the receipts, in zh_CN.po. */
#define MSG_EN "Change"
#define MSG_ZH "找零"

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(i18n_lang_parse("zh_CN"), I18N_ZH_CN);
	assert_int_equal(i18n_lang_parse("zh_CN.UTF-8"), I18N_ZH_CN);
	assert_int_equal(i18n_lang_parse("zh_CN.utf8"), I18N_ZH_CN);
	assert_int_equal(i18n_lang_parse("zh-CN"), I18N_ZH_CN);
	assert_int_equal(i18n_lang_parse("zh"), I18N_ZH_CN);
	assert_int_equal(i18n_lang_parse("zh_TW.UTF-8"), I18N_UNKNOWN);
	assert_int_equal(i18n_lang_parse("en"), I18N_EN);
	assert_int_equal(i18n_lang_parse("en_US.UTF-8"), I18N_EN);
	assert_int_equal(i18n_lang_parse("C"), I18N_EN);
	assert_int_equal(i18n_lang_parse("C.UTF-8"), I18N_EN);
	assert_int_equal(i18n_lang_parse(""), I18N_UNKNOWN);
	assert_int_equal(i18n_lang_parse(NULL), I18N_UNKNOWN);
	assert_int_equal(i18n_lang_parse("fr_FR"), I18N_UNKNOWN);
	assert_int_equal(i18n_lang_parse("zhx"), I18N_UNKNOWN);
	assert_string_equal(i18n_lang_code(I18N_ZH_CN), "zh_CN");
	assert_string_equal(i18n_lang_code(I18N_EN), "en");
}

static void test_client_lang(void **state)
{
	(void)state;
	assert_true(i18n_init(NULL));
	assert_int_equal(i18n_current(), I18N_EN);
	assert_string_equal(_(MSG_EN), MSG_EN);

	assert_true(i18n_init("zh_CN"));
	assert_int_equal(i18n_current(), I18N_ZH_CN);
	assert_string_equal(_(MSG_EN), MSG_ZH);
	assert_string_equal(nl_langinfo(CODESET), "UTF-8");

	assert_true(i18n_init("en"));
	assert_int_equal(i18n_current(), I18N_EN);
	assert_string_equal(_(MSG_EN), MSG_EN);

	assert_false(i18n_init("fr"));
	assert_int_equal(i18n_current(), I18N_EN);
}

static void test_server_locale(void **state)
{
	locale_t zh;

	(void)state;
	i18n_server_setup();
	assert_null(getenv("LANGUAGE"));
	assert_true(i18n_locale(I18N_EN) == (locale_t)0);
	zh = i18n_locale(I18N_ZH_CN);
	/* scripts/deps.sh generates zh_CN.UTF-8; without it kassad answers English */
	assert_true(zh != (locale_t)0);
	assert_true(i18n_locale(I18N_ZH_CN) == zh);	/* made once, shared */
	uselocale(zh);
	assert_string_equal(_(MSG_EN), MSG_ZH);
	uselocale(LC_GLOBAL_LOCALE);
	assert_string_equal(_(MSG_EN), MSG_EN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_client_lang),
		cmocka_unit_test(test_server_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

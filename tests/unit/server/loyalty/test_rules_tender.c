/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rules_tender: foreign-currency conversion (USD, JPY and a 3-decimal
 * currency into CNY, rounding down to the fen, the largest amounts and the
 * overflow refusal), the ISO 4217 exponent table, and an offline sale's
 * RFC 3339 time and its window (five minutes ahead, max_days behind). The
 * rate's text form ("7.2345" -> 7234500) is tested with money_parse_rate()
 * in tests/unit/common/test_money.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"
#include "rules_tender.h"

static void test_convert(void **state)
{
	int64_t out = -1;

	(void)state;
	/* USD 20.00 at 7.2345 = CNY 144.69 exactly */
	assert_true(rules_tender_convert(2000, 2, 7234500, 2, &out));
	assert_int_equal(out, 14469);
	/* USD 0.01 at 7.2345 = 0.072345 fen: rounded down to 0.07 */
	assert_true(rules_tender_convert(1, 2, 7234500, 2, &out));
	assert_int_equal(out, 7);
	/* USD 13.37 at 7.2345 = 96.725265: 96.72 */
	assert_true(rules_tender_convert(1337, 2, 7234500, 2, &out));
	assert_int_equal(out, 9672);
	/* JPY 1000 (no minor unit) at 0.048123 = CNY 48.123: 48.12 */
	assert_true(rules_tender_convert(1000, 0, 48123, 2, &out));
	assert_int_equal(out, 4812);
	/* KWD 1.000 (three decimals) at 23.5 = CNY 23.50 */
	assert_true(rules_tender_convert(1000, 3, 23500000, 2, &out));
	assert_int_equal(out, 2350);
	/* a rate of exactly 1 keeps the amount */
	assert_true(rules_tender_convert(INT64_MAX, 2, 1000000, 2, &out));
	assert_int_equal(out, INT64_MAX);
}

static void test_convert_refused(void **state)
{
	int64_t out = 42;

	(void)state;
	assert_false(rules_tender_convert(INT64_MAX, 2, 2000000, 2, &out));	/* 2x too big */
	assert_false(rules_tender_convert(INT64_MAX, 0, INT64_MAX, 4, &out));
	assert_false(rules_tender_convert(0, 2, 7234500, 2, &out));
	assert_false(rules_tender_convert(100, 2, 0, 2, &out));
	assert_false(rules_tender_convert(-100, 2, 7234500, 2, &out));
	assert_false(rules_tender_convert(100, 5, 7234500, 2, &out));
	assert_int_equal(out, 42);	/* untouched */
}

static void test_exponents(void **state)
{
	(void)state;
	assert_int_equal(money_currency_exponent("CNY"), 2);
	assert_int_equal(money_currency_exponent("USD"), 2);
	assert_int_equal(money_currency_exponent("EUR"), 2);
	assert_int_equal(money_currency_exponent("HKD"), 2);
	assert_int_equal(money_currency_exponent("GBP"), 2);
	assert_int_equal(money_currency_exponent("MOP"), 2);
	assert_int_equal(money_currency_exponent("TWD"), 2);
	assert_int_equal(money_currency_exponent("SGD"), 2);
	assert_int_equal(money_currency_exponent("JPY"), 0);
	assert_int_equal(money_currency_exponent("KRW"), 0);
	assert_int_equal(money_currency_exponent("KWD"), 3);
	assert_int_equal(money_currency_exponent("XXX"), -1);
	assert_int_equal(money_currency_exponent("usd"), -1);
	assert_int_equal(money_currency_exponent(""), -1);
}

static void test_sold_at(void **state)
{
	int64_t t = 0;

	(void)state;
	assert_true(rules_sold_at_parse("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	assert_true(rules_sold_at_parse("2026-12-01T19:12:03Z", &t));
	assert_int_equal(t, 1796152323);
	assert_true(rules_sold_at_parse("2026-12-02t03:12:03.123456+08:00", &t));
	assert_int_equal(t, 1796152323);
	assert_true(rules_sold_at_parse("2026-12-01T13:42:03-05:30", &t));
	assert_int_equal(t, 1796152323);
	assert_true(rules_sold_at_parse("2028-02-29T00:00:00z", &t));
	assert_false(rules_sold_at_parse("2027-02-29T00:00:00Z", &t));
	assert_false(rules_sold_at_parse("2026-12-01 19:12:03Z", &t));
	assert_false(rules_sold_at_parse("2026-12-01T19:12:03", &t));
	assert_false(rules_sold_at_parse("2026-12-01T24:00:00Z", &t));
	assert_false(rules_sold_at_parse("2026-13-01T00:00:00Z", &t));
	assert_false(rules_sold_at_parse("2026-12-01T19:12:03.Z", &t));
	assert_false(rules_sold_at_parse("2026-12-01T19:12:03+0800", &t));
	assert_false(rules_sold_at_parse("1969-12-31T23:59:59Z", &t));
	assert_false(rules_sold_at_parse("yesterday", &t));

	assert_int_equal(rules_sold_at_check(1000, 1000, 7), RULES_SOLD_AT_OK);
	assert_int_equal(rules_sold_at_check(1300, 1000, 7), RULES_SOLD_AT_OK);
	assert_int_equal(rules_sold_at_check(1301, 1000, 7), RULES_SOLD_AT_FUTURE);
	assert_int_equal(rules_sold_at_check(1000000 - 7 * 86400, 1000000, 7), RULES_SOLD_AT_OK);
	assert_int_equal(rules_sold_at_check(1000000 - 7 * 86400 - 1, 1000000, 7),
			 RULES_SOLD_AT_TOO_OLD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_convert_refused),
		cmocka_unit_test(test_exponents),
		cmocka_unit_test(test_sold_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_filter: the member filter's check and its SQL parameters
 * (server/members/filter.c), the interface MemberFind, segments and
 * exports share. It guards the published parameter order ($1 phone ..
 * $14 consent, members.h): a filter with every field set gives each value
 * in its place; the empty filter gives fourteen NULLs; a phone in any
 * notation becomes E.164 in $1, digits that are no whole number a suffix
 * in $2; and each bad value is refused with its code: a month 13, a date
 * that does not exist, a range that ends before it starts, spend min above
 * max or negative, a phone suffix of 3 digits, a phone with letters, an
 * unknown class or consent, control characters, a negative store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "members.h"

/* filter.c's member_filter_params() answers through call_fail(); not called here. */
void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	(void)c;
	(void)code;
	(void)detail;
	(void)fmt;
	fail();
}

/* Check f; on success p is filled. The detail of a refusal (or "") into *detail. */
static bool check(const Kassa__V1__MemberFilter *f, MemberFilterParams *p, const char **detail)
{
	const char *msg;
	bool ok = member_filter_check(f, p, detail, &msg);

	if (!ok)
		assert_true(msg[0] != '\0');
	return ok;
}

static void assert_param(const MemberFilterParams *p, int dollar, const char *want)
{
	if (want == NULL)
		assert_null(p->v[dollar - 1]);
	else {
		assert_non_null(p->v[dollar - 1]);
		assert_string_equal(p->v[dollar - 1], want);
	}
}

static void test_empty(void **state)
{
	MemberFilterParams p;
	const char *d;

	(void)state;
	assert_true(check(NULL, &p, &d));
	for (int i = 1; i <= MEMBER_FILTER_NPARAMS; i++)
		assert_param(&p, i, NULL);
}

static void test_order(void **state)
{
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	MemberFilterParams p;
	const char *d;

	(void)state;
	f.phone = "138 1234 5678";
	f.card_no = "K0000000042";
	f.name_prefix = "王";
	f.tag = "vip";
	f.tier = "Gold";
	f.class_ = "at_risk";
	f.birthday_month = 3;
	f.store_id = 7;
	f.last_visit_from = "2026-01-01";
	f.last_visit_to = "2026-01-31";
	f.spend_min_minor = 1234;
	f.spend_max_minor = 99999;
	f.consent = KASSA__V1__CONSENT__CONSENT_NO;
	assert_true(check(&f, &p, &d));
	assert_param(&p, 1, "+8613812345678");
	assert_param(&p, 2, NULL);
	assert_param(&p, 3, "K0000000042");
	assert_param(&p, 4, "王");
	assert_param(&p, 5, "vip");
	assert_param(&p, 6, "Gold");
	assert_param(&p, 7, "at_risk");
	assert_param(&p, 8, "3");
	assert_param(&p, 9, "7");
	assert_param(&p, 10, "2026-01-01");
	assert_param(&p, 11, "2026-01-31");
	assert_param(&p, 12, "1234");
	assert_param(&p, 13, "99999");
	assert_param(&p, 14, "false");
	f.consent = KASSA__V1__CONSENT__CONSENT_YES;
	assert_true(check(&f, &p, &d));
	assert_param(&p, 14, "true");
}

static void test_phone(void **state)
{
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	MemberFilterParams p;
	const char *d;

	(void)state;
	f.phone = "+86-138-1234-5678";
	assert_true(check(&f, &p, &d));
	assert_param(&p, 1, "+8613812345678");
	assert_param(&p, 2, NULL);
	f.phone = "5678";
	assert_true(check(&f, &p, &d));
	assert_param(&p, 1, NULL);
	assert_param(&p, 2, "5678");
	f.phone = "678";
	assert_false(check(&f, &p, &d));
	assert_string_equal(d, "BAD_PHONE_SUFFIX");
	f.phone = "13x12345678";
	assert_false(check(&f, &p, &d));
	assert_string_equal(d, "BAD_PHONE");
}

/* Refuse f with detail want. */
static void refused(const Kassa__V1__MemberFilter *f, const char *want)
{
	MemberFilterParams p;
	const char *d;

	assert_false(check(f, &p, &d));
	assert_string_equal(d, want);
}

static void test_bad(void **state)
{
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT, z = f;

	(void)state;
	f.birthday_month = 13;
	refused(&f, "BAD_BIRTHDAY_MONTH");
	f = z;
	f.last_visit_from = "2026-02-30";
	refused(&f, "BAD_DATE");
	f = z;
	f.last_visit_to = "2026-1-5";
	refused(&f, "BAD_DATE");
	f = z;
	f.last_visit_from = "2026-02-02";
	f.last_visit_to = "2026-02-01";
	refused(&f, "BAD_RANGE");
	f = z;
	f.spend_min_minor = 500;
	f.spend_max_minor = 499;
	refused(&f, "BAD_RANGE");
	f = z;
	f.spend_min_minor = -1;
	refused(&f, "BAD_SPEND");
	f = z;
	f.class_ = "gold";
	refused(&f, "BAD_CLASS");
	f = z;
	f.consent = (Kassa__V1__Consent)3;
	refused(&f, "BAD_CONSENT");
	f = z;
	f.tag = "a\tb";
	refused(&f, "BAD_TAG");
	f = z;
	f.name_prefix = "x\n";
	refused(&f, "BAD_NAME");
	f = z;
	f.store_id = -2;
	refused(&f, "BAD_STORE");
	/* only a spend_max: spend_min 0 is no bound, so no range to refuse */
	f = z;
	f.spend_max_minor = 100;
	{
		MemberFilterParams p;
		const char *d;

		assert_true(check(&f, &p, &d));
		assert_param(&p, 12, NULL);
		assert_param(&p, 13, "100");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

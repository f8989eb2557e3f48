/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_members: registering, finding, searching and updating members
 * through kassad, with duplicate and malformed input refused.
 */
#include <stdio.h>
#include <string.h>

#include "itest.h"

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

/* Guards: one member per phone whatever notation the cashier types. */
static void test_register_and_duplicate(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	char phone[32], other[40];
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "王小明", phone);
	/* same number, national notation with dashes */
	snprintf(other, sizeof(other), "%.3s-%.4s-%.4s", phone + 3, phone + 6, phone + 10);
	reg.name = (char *)"Someone Else";
	reg.phone = other;
	CHECK(kc_member_register(kc, &reg, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "PHONE_TAKEN"),
	      "duplicate phone %s: %s %s", other, r ? kc_status_name(kc_status(r)) : "-",
	      r ? kc_detail(r) : "");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE name = 'Someone Else'") == 0,
	      "the duplicate was not stored");

	/* found by card number and by QR payload, phone masked for a cashier */
	CHECK(kc_member_get_by_id(kc, id, &r) == KC_OK && is(r, KASSA__V1__STATUS_CODE__OK, NULL),
	      "get by id");
	if (r && r->member) {
		char masked[16], card[64], qr[80];

		snprintf(masked, sizeof(masked), "%.3s****%.4s", phone + 3, phone + 10);
		CHECK(strcmp(r->member->phone_masked, masked) == 0, "masked %s, want %s",
		      r->member->phone_masked, masked);
		CHECK(r->member->phone[0] == '\0', "a cashier does not see the whole phone");
		CHECK(strcmp(r->member->name, "王小明") == 0, "UTF-8 name kept");
		snprintf(card, sizeof(card), "%s", r->member->card_no);
		snprintf(qr, sizeof(qr), "%s", r->member->qr_payload);
		kc_response_free(r);
		r = NULL;
		CHECK(kc_member_get_by_card(kc, card, &r) == KC_OK && r->member &&
		      r->member->member_id == id, "get by card %s", card);
		kc_response_free(r);
		r = NULL;
		CHECK(kc_member_get_by_qr(kc, qr, &r) == KC_OK && r->member &&
		      r->member->member_id == id, "get by QR %s", qr);
	}
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: malformed member data gets a clear error and is not stored. */
static void test_register_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	struct {
		const char *name, *phone, *birthday, *email, *detail;
	} cases[] = {
		{ "Bad Phone", "12345", "", "", "BAD_PHONE" },
		{ "Landline", "+86 10 1234 5678", "", "", "BAD_PHONE" },
		{ "", "+86 139 0000 1111", "", "", "BAD_NAME" },
		{ "Future", "+86 139 0000 1112", "2999-01-01", "", "BAD_BIRTHDAY" },
		{ "Feb30", "+86 139 0000 1113", "1990-02-30", "", "BAD_BIRTHDAY" },
		{ "Mail", "+86 139 0000 1114", "", "not-an-address", "BAD_EMAIL" },
		{ "Robert'); DROP TABLE members;--", "+86 139 0000 1115", "1990-02-3'", "",
		  "BAD_BIRTHDAY" },
	};
	int64_t before = it_sql_int(h, "SELECT count(*) FROM members");

	if (kc == NULL)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
		Kassa__V1__Response *r = NULL;

		reg.name = (char *)cases[i].name;
		reg.phone = (char *)cases[i].phone;
		reg.birthday = (char *)cases[i].birthday;
		reg.email = (char *)cases[i].email;
		CHECK(kc_member_register(kc, &reg, NULL, &r) == KC_OK &&
		      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, cases[i].detail),
		      "case %zu (%s): got %s", i, cases[i].detail, r ? kc_detail(r) : "-");
		kc_response_free(r);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM members") == before, "nothing stored");
	kc_free(kc);
}

/* Guards: search by name prefix and phone suffix find the member, LIKE wildcards do not. */
static void test_search(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char phone[32], name[64];
	int64_t id;
	bool found = false;

	if (kc == NULL)
		return;
	it_fresh_phone(phone);
	snprintf(name, sizeof(name), "Zq%s", phone + 6);
	id = it_register(h, kc, name, phone);
	CHECK(kc_member_search_name(kc, "Zq", 200, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__OK, NULL), "search by name prefix");
	for (size_t i = 0; r && r->member_list && i < r->member_list->n_members; i++)
		found = found || r->member_list->members[i]->member_id == id;
	CHECK(found, "the member is among the name matches");
	kc_response_free(r);
	r = NULL;

	found = false;
	CHECK(kc_member_search_phone(kc, phone + strlen(phone) - 6, 0, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__OK, NULL), "search by phone suffix");
	for (size_t i = 0; r && r->member_list && i < r->member_list->n_members; i++)
		found = found || r->member_list->members[i]->member_id == id;
	CHECK(found, "the member is among the phone-suffix matches");
	kc_response_free(r);
	r = NULL;

	CHECK(kc_member_search_name(kc, "%", 5, &r) == KC_OK && is(r, KASSA__V1__STATUS_CODE__OK, NULL) &&
	      (r->member_list == NULL || r->member_list->n_members == 0),
	      "a literal %% matches no name");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_member_search_phone(kc, "12", 0, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PHONE_SUFFIX"),
	      "too short a suffix refused");
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: update replaces only the named fields; a manager sees the whole phone. */
static void test_update(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KassaClient *mgr = it_login(h, "S001-T2", 2001, "9999");
	Kassa__V1__MemberRegister v = KASSA__V1__MEMBER_REGISTER__INIT;
	Kassa__V1__Response *r = NULL;
	const char *fields[] = { "email", "marketing_consent" };
	char phone[32];
	int64_t id;

	if (kc == NULL || mgr == NULL)
		goto out;
	id = it_register(h, kc, "Update Me", phone);
	v.email = (char *)"me@example.com";
	v.marketing_consent = false;
	v.name = (char *)"IGNORED";
	CHECK(kc_member_update(kc, id, &v, fields, 2, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__OK, NULL) && r->member &&
	      strcmp(r->member->email, "me@example.com") == 0 && !r->member->marketing_consent &&
	      strcmp(r->member->name, "Update Me") == 0, "email and consent changed, name kept");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_member_get_by_id(mgr, id, &r) == KC_OK && r->member &&
	      strcmp(r->member->phone, phone) == 0, "a manager sees the whole phone");
	kc_response_free(r);
	r = NULL;
	const char *bad[] = { "points_balance" };
	CHECK(kc_member_update(kc, id, &v, bad, 1, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_FIELD"),
	      "the balance cannot be set through an update");
	kc_response_free(r);
out:
	kc_free(kc);
	kc_free(mgr);
}

/* Guards: an unknown member is NOT_FOUND, not an empty success. */
static void test_not_found(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return;
	CHECK(kc_member_get_by_phone(kc, "+86 139 9999 0000", &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND"), "unknown phone");
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "register_and_duplicate", test_register_and_duplicate },
	{ "register_refusals", test_register_refusals },
	{ "search", test_search },
	{ "update", test_update },
	{ "not_found", test_not_found },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

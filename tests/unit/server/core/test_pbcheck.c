/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_pbcheck: the checks session.c makes on every unpacked Request
 * (server/core/pbcheck.c). pbcheck_utf8() walks the whole message tree by
 * its descriptors: top-level strings, strings of a oneof's body, repeated
 * strings, strings of repeated and nested messages; it never reads a oneof
 * member that is not the one set (they share a union). pbcheck_is_exact()
 * refuses what unpacking loses: a string cut at an embedded NUL (so the
 * keys "K\0A" and "K\0B" cannot pass as "K"), a field sent twice, an
 * overlong varint, an explicit proto3 default; and passes what a till
 * really sends, unknown fields included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kassa.pb-c.h"
#include "pbcheck.h"

#define BAD_UTF8 "Bad \xc3\x28 name"	/* 0xC3 wants a continuation byte */

static const char *walk(const Kassa__V1__Request *req)
{
	return pbcheck_utf8(&req->base);
}

static void test_valid_tree(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	char *tags[] = { (char *)"vip", (char *)"\xe8\x80\x81\xe5\xae\xa2\xe6\x88\xb7" };

	(void)state;
	req.idempotency_key = (char *)"key-0001-abcdef";
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = &reg;
	reg.name = (char *)"\xe6\x9d\x8e\xe5\xa8\x9c Li Na";	/* 李娜 */
	reg.n_tags = 2;
	reg.tags = tags;
	assert_null(walk(&req));
}

static void test_bad_top_level(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;

	(void)state;
	req.idempotency_key = (char *)BAD_UTF8;
	assert_string_equal(walk(&req), "idempotency_key");
}

static void test_bad_in_body(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;

	(void)state;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = &reg;
	reg.phone = (char *)"+8613912345678";
	reg.name = (char *)BAD_UTF8;
	assert_string_equal(walk(&req), "name");
}

static void test_bad_repeated_string(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberRegister reg = KASSA__V1__MEMBER_REGISTER__INIT;
	char *tags[] = { (char *)"ok", (char *)"fine", (char *)BAD_UTF8 };

	(void)state;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_REGISTER;
	req.member_register = &reg;
	reg.n_tags = 3;
	reg.tags = tags;
	assert_string_equal(walk(&req), "tags");
	reg.n_tags = 2;		/* the count bounds the walk */
	assert_null(walk(&req));
}

static void test_bad_in_repeated_message(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine l0 = KASSA__V1__SALE_LINE__INIT, l1 = KASSA__V1__SALE_LINE__INIT;
	Kassa__V1__SaleLine *lines[] = { &l0, &l1 };

	(void)state;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	co.n_lines = 2;
	co.lines = lines;
	l0.code = (char *)"SKU-APPLE";
	l1.code = (char *)BAD_UTF8;
	assert_string_equal(walk(&req), "code");
	l1.code = (char *)"SKU-TEA";
	assert_null(walk(&req));
}

static void test_bad_two_levels_down(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberUpdate mu = KASSA__V1__MEMBER_UPDATE__INIT;
	Kassa__V1__MemberRegister values = KASSA__V1__MEMBER_REGISTER__INIT;

	(void)state;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_UPDATE;
	req.member_update = &mu;
	mu.values = NULL;		/* an absent sub-message is skipped */
	assert_null(walk(&req));
	mu.values = &values;
	values.address = (char *)BAD_UTF8;
	assert_string_equal(walk(&req), "address");
}

/* MemberGet's oneof members share a union: only the one set may be read as itself. */
static void test_oneof_member_not_set(void **state)
{
	static const char bad[] = BAD_UTF8;
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberGet mg = KASSA__V1__MEMBER_GET__INIT;

	(void)state;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_GET;
	req.member_get = &mg;
	mg.by_case = KASSA__V1__MEMBER_GET__BY_MEMBER_ID;
	mg.phone = (char *)bad;		/* the member_id's bits now point at a bad string */
	assert_null(walk(&req));
	mg.by_case = KASSA__V1__MEMBER_GET__BY_PHONE;
	assert_string_equal(walk(&req), "phone");
}

/* Unpack len bytes; the test fails if protobuf-c refuses them. */
static Kassa__V1__Request *unpack(const uint8_t *p, size_t len)
{
	Kassa__V1__Request *req = kassa__v1__request__unpack(NULL, len, p);

	assert_non_null(req);
	return req;
}

static bool exact(const uint8_t *p, size_t len)
{
	Kassa__V1__Request *req = unpack(p, len);
	bool ok = pbcheck_is_exact(&req->base, len);

	kassa__v1__request__free_unpacked(req, NULL);
	return ok;
}

static void test_exact_as_packed(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Refund rf = KASSA__V1__REFUND__INIT;
	int32_t lines[] = { 1, 3, 250 };
	uint8_t buf[256];
	size_t n;

	(void)state;
	req.request_id = 300;
	req.idempotency_key = (char *)"key-0001-abcdef";
	req.body_case = KASSA__V1__REQUEST__BODY_REFUND;
	req.refund = &rf;
	rf.txn_id = -5;			/* a negative varint is 10 bytes, canonically */
	rf.n_line_nos = 3;
	rf.line_nos = lines;
	rf.reason = (char *)"\xe9\x80\x80\xe8\xb4\xa7";	/* 退货 */
	n = kassa__v1__request__get_packed_size(&req);
	assert_true(n <= sizeof(buf));
	kassa__v1__request__pack(&req, buf);
	assert_true(exact(buf, n));
}

/* "KEY-0001\0A" and "KEY-0001\0B" unpack to the same C string: both are refused. */
static void test_nul_in_key(void **state)
{
	uint8_t a[] = { 0x08, 0x01, 0x12, 0x0a, 'K', 'E', 'Y', '-', '0', '0', '0', '1', 0, 'A' };
	uint8_t b[sizeof(a)];
	Kassa__V1__Request *ra, *rb;

	(void)state;
	memcpy(b, a, sizeof(a));
	b[sizeof(b) - 1] = 'B';
	ra = unpack(a, sizeof(a));
	rb = unpack(b, sizeof(b));
	assert_string_equal(ra->idempotency_key, rb->idempotency_key);	/* what went wrong */
	assert_false(pbcheck_is_exact(&ra->base, sizeof(a)));
	assert_false(pbcheck_is_exact(&rb->base, sizeof(b)));
	kassa__v1__request__free_unpacked(ra, NULL);
	kassa__v1__request__free_unpacked(rb, NULL);
}

/* Invalid UTF-8 behind a NUL: the walk cannot see it, the size check refuses it. */
static void test_bad_utf8_after_nul(void **state)
{
	/* Request{member_register(12){name(1) = "Ab\0\xc3\x28"}} */
	uint8_t p[] = { 0x62, 0x07, 0x0a, 0x05, 'A', 'b', 0, 0xc3, 0x28 };
	Kassa__V1__Request *req;

	(void)state;
	req = unpack(p, sizeof(p));
	assert_string_equal(req->member_register->name, "Ab");
	assert_null(pbcheck_utf8(&req->base));
	assert_false(pbcheck_is_exact(&req->base, sizeof(p)));
	kassa__v1__request__free_unpacked(req, NULL);
}

static void test_not_canonical(void **state)
{
	uint8_t overlong[] = { 0x08, 0x81, 0x00 };		/* request_id 1 in two bytes */
	uint8_t twice[] = { 0x08, 0x01, 0x08, 0x02 };		/* request_id sent twice */
	uint8_t zero[] = { 0x08, 0x00 };			/* a proto3 default, explicit */
	uint8_t two_bodies[] = { 0x5a, 0x00, 0x52, 0x00 };	/* login, then hello */

	(void)state;
	assert_false(exact(overlong, sizeof(overlong)));
	assert_false(exact(twice, sizeof(twice)));
	assert_false(exact(zero, sizeof(zero)));
	assert_false(exact(two_bodies, sizeof(two_bodies)));
}

/* A field this build does not know (from a newer till) is kept and packed back. */
static void test_unknown_field_passes(void **state)
{
	uint8_t p[] = { 0x08, 0x07, 0xba, 0x3e, 0x02, 'h', 'i' };	/* field 999 = "hi" */

	(void)state;
	assert_true(exact(p, sizeof(p)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_tree),
		cmocka_unit_test(test_bad_top_level),
		cmocka_unit_test(test_bad_in_body),
		cmocka_unit_test(test_bad_repeated_string),
		cmocka_unit_test(test_bad_in_repeated_message),
		cmocka_unit_test(test_bad_two_levels_down),
		cmocka_unit_test(test_oneof_member_not_set),
		cmocka_unit_test(test_exact_as_packed),
		cmocka_unit_test(test_nul_in_key),
		cmocka_unit_test(test_bad_utf8_after_nul),
		cmocka_unit_test(test_not_canonical),
		cmocka_unit_test(test_unknown_field_passes),
	};

	return cmocka_run_group_tests_name("pbcheck", tests, NULL, NULL);
}

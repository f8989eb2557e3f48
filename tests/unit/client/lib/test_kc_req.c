/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_kc_req: the one builder of each request (client/lib/kc_req.c), as
 * the server would read it: every Request here is packed and unpacked
 * again. What it asserts: a request that changes state gets a fresh UUID
 * key when the caller gives none, and the caller's key as given (two
 * builds with one key pack to the same bytes, so a retry is the same
 * request); an X report and a quote carry no key; a KcSale becomes the
 * Checkout with its lines, tenders (a NULL reference sent as ""), member,
 * points and coupons; a refund without approval sends empty PIN and
 * reason; a member look-up carries exactly the one key asked for; a
 * member history page request carries its member, limit and cursor (NULL
 * sent as "") and no key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kc_req.h"

/* r.req through the wire: packed, then unpacked (free with kassa__v1__request__free_unpacked). */
static Kassa__V1__Request *wire(const KcReq *r)
{
	size_t len = kassa__v1__request__get_packed_size(&r->req);
	uint8_t *buf = malloc(len + 1);
	Kassa__V1__Request *back;

	assert_non_null(buf);
	assert_int_equal(kassa__v1__request__pack(&r->req, buf), len);
	back = kassa__v1__request__unpack(NULL, len, buf);
	free(buf);
	assert_non_null(back);
	return back;
}

/* r.req packed, as a malloc'd buffer of *len bytes. */
static uint8_t *packed(const KcReq *r, size_t *len)
{
	uint8_t *buf;

	*len = kassa__v1__request__get_packed_size(&r->req);
	buf = malloc(*len + 1);
	assert_non_null(buf);
	assert_int_equal(kassa__v1__request__pack(&r->req, buf), *len);
	return buf;
}

static void test_fresh_and_given_keys(void **state)
{
	KcReq a, b;
	Kassa__V1__Request *w;
	uint8_t *pa, *pb;
	size_t la, lb;

	(void)state;
	kc_req_shift_open(&a, 20000, NULL);
	kc_req_shift_open(&b, 20000, NULL);
	assert_int_equal(strlen(a.req.idempotency_key), KC_KEY_LEN - 1);
	assert_ptr_equal(a.req.idempotency_key, a.key);
	assert_string_not_equal(a.key, b.key);	/* a fresh key each time */
	w = wire(&a);
	assert_int_equal(w->body_case, KASSA__V1__REQUEST__BODY_SHIFT_OPEN);
	assert_string_equal(w->idempotency_key, a.key);
	assert_int_equal(w->shift_open->float_minor, 20000);
	kassa__v1__request__free_unpacked(w, NULL);

	/* the caller's key as given: a retry by hand is byte for byte the same request */
	kc_req_refund(&a, 42, NULL, 0, 0, NULL, "broken", "key-1");
	kc_req_refund(&b, 42, NULL, 0, 0, NULL, "broken", "key-1");
	pa = packed(&a, &la);
	pb = packed(&b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(pa, pb, la);
	free(pa);
	free(pb);
	w = wire(&a);
	assert_string_equal(w->idempotency_key, "key-1");
	assert_int_equal(w->refund->txn_id, 42);
	assert_string_equal(w->refund->approver_pin, "");
	assert_string_equal(w->refund->reason, "broken");
	kassa__v1__request__free_unpacked(w, NULL);
}

static void test_reads_carry_no_key(void **state)
{
	KcReq r;
	Kassa__V1__Request *w;
	KcSale sale = { 0 };

	(void)state;
	kc_req_shift_report(&r, false, 0, "ignored");
	w = wire(&r);
	assert_string_equal(w->idempotency_key, "");
	assert_false(w->shift_report->close);
	kassa__v1__request__free_unpacked(w, NULL);

	kc_req_shift_report(&r, true, 51000, NULL);
	w = wire(&r);
	assert_int_equal(strlen(w->idempotency_key), KC_KEY_LEN - 1);
	assert_true(w->shift_report->close);
	assert_int_equal(w->shift_report->counted_minor, 51000);
	kassa__v1__request__free_unpacked(w, NULL);

	kc_req_checkout(&r, &sale, "not-for-a-quote", true);
	w = wire(&r);
	assert_string_equal(w->idempotency_key, "");
	assert_true(w->checkout->quote);
	kassa__v1__request__free_unpacked(w, NULL);
	kc_req_done(&r);
}

static void test_checkout_from_sale(void **state)
{
	static const KcLine lines[] = { { "TEA-1", 2, false }, { "GIFT-9", 1, true } };
	static const KcTender tenders[] = {
		{ KASSA__V1__TENDER_KIND__TENDER_CASH, 1000, NULL },
		{ KASSA__V1__TENDER_KIND__TENDER_CARD, 1500, "VISA-1" },
	};
	static const char *const coupons[] = { "SPRING" };
	KcSale sale = { lines, 2, 77, tenders, 2, 3, coupons, 1 };
	KcReq r;
	Kassa__V1__Request *w;

	(void)state;
	kc_req_checkout(&r, &sale, "sale-key", false);
	w = wire(&r);
	kc_req_done(&r);
	kc_req_done(&r);	/* twice is harmless */
	assert_int_equal(w->body_case, KASSA__V1__REQUEST__BODY_CHECKOUT);
	assert_string_equal(w->idempotency_key, "sale-key");
	assert_false(w->checkout->quote);
	assert_int_equal(w->checkout->n_lines, 2);
	assert_string_equal(w->checkout->lines[0]->code, "TEA-1");
	assert_int_equal(w->checkout->lines[0]->quantity, 2);
	assert_true(w->checkout->lines[1]->gift);
	assert_int_equal(w->checkout->member_id, 77);
	assert_int_equal(w->checkout->n_tenders, 2);
	assert_string_equal(w->checkout->tenders[0]->reference, "");
	assert_int_equal(w->checkout->tenders[1]->amount_minor, 1500);
	assert_string_equal(w->checkout->tenders[1]->reference, "VISA-1");
	assert_int_equal(w->checkout->points_redeem, 3);
	assert_int_equal(w->checkout->n_coupon_codes, 1);
	assert_string_equal(w->checkout->coupon_codes[0], "SPRING");
	kassa__v1__request__free_unpacked(w, NULL);
}

static void test_member_get_one_key(void **state)
{
	KcReq r;
	Kassa__V1__Request *w;

	(void)state;
	kc_req_member_get_by_card(&r, "8800123");
	w = wire(&r);
	assert_int_equal(w->member_get->by_case, KASSA__V1__MEMBER_GET__BY_CARD_NO);
	assert_string_equal(w->member_get->card_no, "8800123");
	assert_string_equal(w->idempotency_key, "");
	kassa__v1__request__free_unpacked(w, NULL);

	/* the same KcReq built again asks by the new key only */
	kc_req_member_get_by_qr(&r, "QR:abc");
	w = wire(&r);
	assert_int_equal(w->member_get->by_case, KASSA__V1__MEMBER_GET__BY_QR_PAYLOAD);
	assert_string_equal(w->member_get->qr_payload, "QR:abc");
	kassa__v1__request__free_unpacked(w, NULL);
}

static void test_member_history(void **state)
{
	KcReq r;
	Kassa__V1__Request *w;

	(void)state;
	kc_req_member_history(&r, 42, 10, "2025-01-02T03:04:05.000006Z/77");
	w = wire(&r);
	assert_int_equal(w->body_case, KASSA__V1__REQUEST__BODY_MEMBER_HISTORY);
	assert_int_equal(w->member_history->member_id, 42);
	assert_int_equal(w->member_history->limit, 10);
	assert_string_equal(w->member_history->before, "2025-01-02T03:04:05.000006Z/77");
	assert_string_equal(w->idempotency_key, "");
	kassa__v1__request__free_unpacked(w, NULL);

	kc_req_member_history(&r, 43, 0, NULL);
	w = wire(&r);
	assert_int_equal(w->member_history->member_id, 43);
	assert_int_equal(w->member_history->limit, 0);
	assert_string_equal(w->member_history->before, "");
	kassa__v1__request__free_unpacked(w, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_and_given_keys),
		cmocka_unit_test(test_reads_carry_no_key),
		cmocka_unit_test(test_checkout_from_sale),
		cmocka_unit_test(test_member_get_one_key),
		cmocka_unit_test(test_member_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sale: the till's basket (client/till/sale.c, sale_store.c): void a
 * line or a tender, change a quantity, refusals that change nothing
 * (quantity 0 and 100000, an overflowing tender, an invalid phone, a bad
 * line number, a repeated coupon code), foreign-currency conversion
 * rounded down to the fen, due and change, the Checkout built from the
 * sale, and suspend/resume through files that a fresh Sale (a restarted
 * till) reads back, with a corrupt file kept and refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sale.h"

static Kassa__V1__Money g_price[3];
static Kassa__V1__Product g_prod[3];

static void products_init(void)
{
	static const char *const sku[] = { "TEA-1", "CUP-2", "PEN-3" };
	static const char *const name[] = { "绿茶 Green tea", "Cup", "Pen" };
	static const int64_t price[] = { 1250, 800, 99 };
	int i;

	for (i = 0; i < 3; i++) {
		kassa__v1__money__init(&g_price[i]);
		g_price[i].minor = price[i];
		kassa__v1__product__init(&g_prod[i]);
		g_prod[i].product_id = i + 1;
		g_prod[i].sku = (char *)sku[i];
		g_prod[i].name = (char *)name[i];
		g_prod[i].price = &g_price[i];
	}
}

static Sale *new_sale(void)
{
	Sale *s = malloc(sizeof(*s));

	assert_non_null(s);
	sale_init(s);
	assert_int_equal(sale_begin(s), SALE_OK);
	return s;
}

static void free_sale(Sale *s)
{
	sale_reset(s);
	free(s);
}

static int64_t total(const Sale *s)
{
	int64_t t = -1;

	assert_true(sale_total(s, &t));
	return t;
}

/* Three lines: 2 x tea 25.00, cup 8.00, 3 x pen 2.97 = 35.97. */
static Sale *three_lines(void)
{
	Sale *s = new_sale();
	size_t no = 0;

	assert_int_equal(sale_add(s, &g_prod[0], "690001", 2, &no), SALE_OK);
	assert_int_equal(no, 1);
	assert_int_equal(sale_add(s, &g_prod[1], "CUP-2", 1, &no), SALE_OK);
	assert_int_equal(sale_add(s, &g_prod[2], "PEN-3", 3, &no), SALE_OK);
	assert_int_equal(no, 3);
	assert_int_equal(total(s), 3597);
	return s;
}

static void test_void_line(void **state)
{
	Sale *s = three_lines();

	(void)state;
	assert_int_equal(sale_void_line(s, 0), SALE_BAD_LINE);
	assert_int_equal(sale_void_line(s, 4), SALE_BAD_LINE);
	assert_int_equal(s->n_items, 3);
	assert_int_equal(sale_void_line(s, 2), SALE_OK);	/* the cup */
	assert_int_equal(s->n_items, 2);
	assert_string_equal(s->items[0].sku, "TEA-1");
	assert_string_equal(s->items[1].sku, "PEN-3");	/* moved up to line 2 */
	assert_int_equal(total(s), 2797);
	assert_int_equal(sale_void_line(s, 1), SALE_OK);
	assert_int_equal(sale_void_line(s, 1), SALE_OK);
	assert_int_equal(s->n_items, 0);
	assert_int_equal(total(s), 0);
	assert_true(s->open);
	free_sale(s);
}

static void test_quantity(void **state)
{
	Sale *s = three_lines();

	(void)state;
	assert_int_equal(sale_set_qty(s, 1, 5), SALE_OK);
	assert_int_equal(s->items[0].quantity, 5);
	assert_int_equal(s->items[0].line_minor, 6250);
	assert_int_equal(total(s), 6250 + 800 + 297);
	/* refused, nothing changed */
	assert_int_equal(sale_set_qty(s, 1, 0), SALE_BAD_QUANTITY);
	assert_int_equal(sale_set_qty(s, 1, 100000), SALE_BAD_QUANTITY);
	assert_int_equal(sale_set_qty(s, 1, -3), SALE_BAD_QUANTITY);
	assert_int_equal(sale_set_qty(s, 4, 2), SALE_BAD_LINE);
	assert_int_equal(sale_add(s, &g_prod[1], "CUP-2", 0, NULL), SALE_BAD_QUANTITY);
	assert_int_equal(sale_add(s, &g_prod[1], "CUP-2", 100000, NULL), SALE_BAD_QUANTITY);
	assert_int_equal(s->n_items, 3);
	assert_int_equal(s->items[0].quantity, 5);
	assert_int_equal(total(s), 7347);
	assert_int_equal(sale_set_qty(s, 3, SALE_MAX_QTY), SALE_OK);
	assert_int_equal(s->items[2].line_minor, 99 * 99999);
	free_sale(s);
	assert_string_equal(sale_error_name(SALE_BAD_QUANTITY), "BAD_QUANTITY");
	assert_true(strlen(sale_error_message(SALE_BAD_QUANTITY)) > 0);
}

static void test_tenders(void **state)
{
	Sale *s = three_lines();
	int64_t tendered = 0;

	(void)state;
	assert_int_equal(sale_due(s), 3597);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CARD, 2000, "REF1"), SALE_OK);
	assert_int_equal(sale_due(s), 1597);
	assert_int_equal(sale_change(s), 0);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CASH, 5000, NULL), SALE_OK);
	assert_int_equal(sale_due(s), 0);
	assert_int_equal(sale_change(s), 3403);
	/* an overflowing tender is refused and changes nothing */
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CASH, INT64_MAX, NULL),
			 SALE_BAD_AMOUNT);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL), SALE_BAD_AMOUNT);
	assert_int_equal(s->n_tenders, 2);
	assert_true(sale_tendered(s, &tendered));
	assert_int_equal(tendered, 7000);
	/* void the card: the cash moves up */
	assert_int_equal(sale_void_tender(s, 3), SALE_BAD_TENDER);
	assert_int_equal(sale_void_tender(s, 0), SALE_BAD_TENDER);
	assert_int_equal(sale_void_tender(s, 1), SALE_OK);
	assert_int_equal(s->n_tenders, 1);
	assert_int_equal(s->tenders[0].kind, KASSA__V1__TENDER_KIND__TENDER_CASH);
	assert_int_equal(s->tenders[0].amount_minor, 5000);
	assert_int_equal(sale_change(s), 1403);
	assert_int_equal(s->n_items, 3);
	free_sale(s);
}

/*
 * A card number typed as the terminal reference is refused at the till: it
 * would be shown on the tender list and, offline, journaled to disk (and
 * kept in the rejected file when kassad refuses it). So is one longer
 * than kassad takes, which would be journaled and rejected after the
 * customer has paid.
 */
static void test_reference(void **state)
{
	Sale *s = three_lines();
	char longref[SALE_REF_MAX + 2];

	(void)state;
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CARD, 1000,
				  "4111 1111 1111 1111"), SALE_BAD_REFERENCE);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CARD, 1000,
				  "AUTH4111111111111111"), SALE_BAD_REFERENCE);
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CARD, "USD", 500, 3,
					  7234500, "4111-1111-1111-1111"), SALE_BAD_REFERENCE);
	memset(longref, 'A', sizeof(longref) - 1);
	longref[sizeof(longref) - 1] = '\0';
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_EWALLET, 1000, longref),
			 SALE_BAD_REFERENCE);
	assert_int_equal(s->n_tenders, 0);
	/* an e-wallet trade number (28 unbroken digits) and a short auth code pass */
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_EWALLET, 1000,
				  "2026120122001412345678901234"), SALE_OK);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CARD, 1000, "AUTH-123456"),
			 SALE_OK);
	assert_int_equal(s->n_tenders, 2);
	assert_string_equal(sale_error_name(SALE_BAD_REFERENCE), "BAD_REFERENCE");
	free_sale(s);
}

static void test_foreign(void **state)
{
	Sale *s = three_lines();
	int64_t v = -1;

	(void)state;
	/* USD 5.00 at 7.2345: 36.1725 CNY, rounded down to 36.17 */
	assert_true(sale_convert("USD", 500, 7234500, &v));
	assert_int_equal(v, 3617);
	/* JPY 1000 (no minor unit) at 0.048123: 48.123 -> 48.12 */
	assert_true(sale_convert("JPY", 1000, 48123, &v));
	assert_int_equal(v, 4812);
	assert_false(sale_convert("USD", 500, 0, &v));
	assert_false(sale_convert("XXX", 500, 1000000, &v));
	assert_false(sale_convert("USD", INT64_MAX, INT64_MAX, &v));
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CASH, "usd", 500, 3,
					  7234500, NULL), SALE_BAD_CURRENCY);
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CASH, "USD", 500, 3, 0,
					  NULL), SALE_BAD_CURRENCY);
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CASH, "USD", 0, 3,
					  7234500, NULL), SALE_BAD_AMOUNT);
	assert_int_equal(s->n_tenders, 0);
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CASH, "USD", 500, 3,
					  7234500, NULL), SALE_OK);
	assert_int_equal(s->tenders[0].amount_minor, 3617);
	assert_string_equal(s->tenders[0].currency, "USD");
	assert_int_equal(s->tenders[0].foreign_minor, 500);
	assert_int_equal(s->tenders[0].rate_version, 3);
	/* 35.97 due, 36.17 given: change in store currency */
	assert_int_equal(sale_change(s), 20);
	free_sale(s);
}

static void test_member_phone_coupons(void **state)
{
	Sale *s = three_lines();

	(void)state;
	assert_int_equal(sale_set_member_phone(s, "12345"), SALE_BAD_PHONE);
	assert_int_equal(sale_set_member_phone(s, "abc"), SALE_BAD_PHONE);
	assert_string_equal(s->member_phone, "");
	assert_int_equal(sale_set_member_phone(s, "138 1234 5678"), SALE_OK);
	assert_string_equal(s->member_phone, "+8613812345678");
	assert_int_equal(sale_coupon(s, "AUDIT20"), SALE_OK);
	assert_int_equal(sale_coupon(s, "AUDIT20"), SALE_BAD_CODE);
	assert_int_equal(sale_coupon(s, ""), SALE_BAD_CODE);
	assert_int_equal(s->n_coupons, 1);
	assert_int_equal(sale_coupon(s, "WELCOME"), SALE_OK);
	assert_int_equal(sale_uncoupon(s, "NOPE"), SALE_BAD_CODE);
	assert_int_equal(sale_uncoupon(s, "AUDIT20"), SALE_OK);
	assert_int_equal(s->n_coupons, 1);
	assert_string_equal(s->coupons[0], "WELCOME");
	assert_int_equal(sale_clear_member(s), SALE_OK);
	assert_string_equal(s->member_phone, "");
	free_sale(s);
}

static void test_request(void **state)
{
	Sale *s = three_lines();
	SaleRequest *r = malloc(sizeof(*r));

	(void)state;
	assert_non_null(r);
	s->member_id = 42;
	assert_int_equal(sale_coupon(s, "AUDIT20"), SALE_OK);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CARD, 1000, "R-9"), SALE_OK);
	assert_int_equal(sale_pay_foreign(s, KASSA__V1__TENDER_KIND__TENDER_CASH, "USD", 500, 3,
					  7234500, NULL), SALE_OK);
	sale_request_build(s, r);
	assert_int_equal(r->co.n_lines, 3);
	assert_string_equal(r->co.lines[0]->code, "690001");
	assert_int_equal(r->co.lines[2]->quantity, 3);
	assert_int_equal(r->co.member_id, 42);
	assert_int_equal(r->co.n_tenders, 2);
	assert_string_equal(r->co.tenders[0]->reference, "R-9");
	assert_string_equal(r->co.tenders[0]->currency, "");
	assert_string_equal(r->co.tenders[1]->currency, "USD");
	assert_int_equal(r->co.tenders[1]->foreign_minor, 500);
	assert_int_equal(r->co.tenders[1]->rate_version, 3);
	assert_int_equal(r->co.tenders[1]->amount_minor, 3617);
	assert_int_equal(r->co.n_coupon_codes, 1);
	assert_string_equal(r->co.coupon_codes[0], "AUDIT20");
	/* packs (every string set) */
	assert_true(kassa__v1__checkout__get_packed_size(&r->co) > 0);
	free(r);
	free_sale(s);
}

static void test_suspend_resume(void **state)
{
	char dir[] = "/tmp/test_sale_XXXXXX", path[256];
	Sale *s = three_lines(), *again;
	SaleSuspended list[SALE_MAX_SUSPENDED];
	int slot = 0, i;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sale_set_member_phone(s, "13812345678"), SALE_OK);
	assert_int_equal(sale_coupon(s, "AUDIT20"), SALE_OK);
	assert_int_equal(sale_pay(s, KASSA__V1__TENDER_KIND__TENDER_CASH, 100, NULL), SALE_OK);
	assert_int_equal(sale_suspend(s, dir, &slot), SALE_HAS_TENDERS);
	assert_true(s->open);
	assert_int_equal(sale_void_tender(s, 1), SALE_OK);
	assert_int_equal(sale_suspend(s, dir, &slot), SALE_OK);
	assert_int_equal(slot, 1);
	assert_false(s->open);
	assert_int_equal(s->n_items, 0);
	assert_int_equal(sale_suspended_list(dir, list, SALE_MAX_SUSPENDED), 1);
	assert_int_equal(list[0].n_items, 3);
	assert_int_equal(list[0].total_minor, 3597);
	/* a second one, then a "restarted till": a fresh Sale resumes the newest */
	assert_int_equal(sale_begin(s), SALE_OK);
	assert_int_equal(sale_add(s, &g_prod[1], "CUP-2", 4, NULL), SALE_OK);
	assert_int_equal(sale_suspend(s, dir, &slot), SALE_OK);
	assert_int_equal(slot, 2);
	free_sale(s);
	again = malloc(sizeof(*again));
	assert_non_null(again);
	sale_init(again);
	assert_int_equal(sale_resume(again, dir, 7), SALE_NO_SUSPENDED);
	assert_int_equal(sale_resume(again, dir, 0), SALE_OK);
	assert_true(again->open);
	assert_int_equal(again->n_items, 1);
	assert_int_equal(again->items[0].quantity, 4);
	assert_int_equal(sale_resume(again, dir, 1), SALE_ALREADY_OPEN);
	sale_reset(again);
	assert_int_equal(sale_resume(again, dir, 1), SALE_OK);
	assert_int_equal(again->n_items, 3);
	assert_string_equal(again->items[0].name, "绿茶 Green tea");
	assert_int_equal(total(again), 3597);
	assert_string_equal(again->member_phone, "+8613812345678");
	assert_int_equal(again->n_coupons, 1);
	assert_int_equal(sale_suspended_list(dir, list, SALE_MAX_SUSPENDED), 0);
	/* bounded */
	for (i = 0; i < SALE_MAX_SUSPENDED; i++) {
		if (!again->open) {
			assert_int_equal(sale_begin(again), SALE_OK);
			assert_int_equal(sale_add(again, &g_prod[2], "PEN-3", 1, NULL), SALE_OK);
		}
		assert_int_equal(sale_suspend(again, dir, &slot), SALE_OK);
	}
	assert_int_equal(sale_begin(again), SALE_OK);
	assert_int_equal(sale_add(again, &g_prod[2], "PEN-3", 1, NULL), SALE_OK);
	assert_int_equal(sale_suspend(again, dir, &slot), SALE_SUSPEND_FULL);
	assert_true(again->open);
	assert_int_equal(again->n_items, 1);
	/* a corrupt file is refused and kept */
	sale_reset(again);
	snprintf(path, sizeof(path), "%s/suspended/3.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"format\":1,\"items\":[{\"code\":", f);
	fclose(f);
	assert_int_equal(sale_resume(again, dir, 3), SALE_STORAGE);
	assert_false(again->open);
	assert_int_equal(access(path, F_OK), 0);
	free_sale(again);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_void_line),
		cmocka_unit_test(test_quantity),
		cmocka_unit_test(test_tenders),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_member_phone_coupons),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_suspend_resume),
	};

	products_init();
	return cmocka_run_group_tests_name("sale", tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_shifts: a till's cash-desk shift end to end. Opened with a float,
 * the till sells for cash (with change) and by card, refunds a sale in
 * cash and takes a stored-value top-up in cash; the X report's figures are
 * then exact to the fen (sales, refunds, tenders by kind, change, cash
 * refunds, cash top-ups, expected cash) and change nothing; the Z report
 * with the cash counted gives the over/short and closes the shift, answers
 * a retry the same, and its stored figures stay as they were when a late
 * sale inside the shift's hours arrives afterwards. Guards SHIFT_OPEN (one
 * open shift per till) and NO_SHIFT (a report without one).
 *
 * The shifts run at till S002-T1 (cashier 1002), which no other test
 * program uses; a shift a failed earlier run left open is closed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define CARD KASSA__V1__TENDER_KIND__TENDER_CARD
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_PRECOND KASSA__V1__STATUS_CODE__FAILED_PRECONDITION
#define TILL "S002-T1"
#define PRICE 1234
#define FLOAT 50000

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

static const Kassa__V1__ShiftSummary *summary(const Kassa__V1__Response *r)
{
	return r && kc_status(r) == ST_OK ? r->shift_summary : NULL;
}

/* A sale of qty x sku paid with one tender; its txn_id, 0 + failure otherwise. */
static int64_t sell(KassaClient *kc, const char *sku, int qty, Kassa__V1__TenderKind kind,
		    int64_t amount)
{
	KcLine line = { 0 };
	KcTender t = { kind, amount, kind == CARD ? "POS-778812" : NULL };
	KcSale s = { 0 };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;
	char key[64];

	line.code = sku;
	line.quantity = qty;
	s.lines = &line;
	s.nlines = 1;
	s.tenders = &t;
	s.ntenders = 1;
	it_fresh_name("sale", key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && is(r, ST_OK, NULL) &&
		  r->transaction, "sale: %s %s body %d", r ? kc_status_name(kc_status(r)) : "-",
		  r ? kc_detail(r) : kc_last_error(kc), r ? (int)r->body_case : -1))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

/* The tender total of kind in the store currency, or NULL. */
static const Kassa__V1__TenderTotal *tender(const Kassa__V1__ShiftSummary *s,
					    Kassa__V1__TenderKind kind)
{
	for (size_t i = 0; i < s->n_tenders; i++)
		if (s->tenders[i]->kind == kind && s->tenders[i]->currency[0] == '\0')
			return s->tenders[i];
	return NULL;
}

/* Guards: no shift -> NO_SHIFT; open; a second open -> SHIFT_OPEN; a retried open is the same. */
static bool shift_start(Harness *h, KassaClient *kc, int64_t *shift_id)
{
	Kassa__V1__Response *r = NULL, *again = NULL;
	char key[64];
	bool ok;

	if (!it_sqlf(h, "UPDATE shifts SET closed_at = now(), counted_minor = 0, report = '{}'"
		     " WHERE till_id = (SELECT till_id FROM tills WHERE code = '" TILL "')"
		     " AND closed_at IS NULL"))
		return false;
	CHECK(kc_shift_report(kc, false, 0, NULL, &r) == KC_OK && is(r, ST_PRECOND, "NO_SHIFT"),
	      "X without a shift: %s", r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_shift_report(kc, true, 100, NULL, &r) == KC_OK && is(r, ST_PRECOND, "NO_SHIFT"),
	      "Z without a shift: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM shifts WHERE till_id = (SELECT till_id FROM tills"
			 " WHERE code = '" TILL "') AND closed_at IS NULL") == 0,
	      "a refused Z opened nothing");

	it_fresh_name("shift", key);
	ok = CHECK(kc_shift_open(kc, FLOAT, key, &r) == KC_OK && summary(r) &&
		   summary(r)->float_minor == FLOAT && summary(r)->expected_cash_minor == FLOAT &&
		   !summary(r)->closed && summary(r)->staff_id == 1002 &&
		   summary(r)->sales_count == 0, "open: %s", r ? kc_detail(r) : "-");
	if (ok)
		*shift_id = summary(r)->shift_id;
	CHECK(kc_shift_open(kc, FLOAT, key, &again) == KC_OK && it_same_response(r, again),
	      "a retried open answers the same");
	kc_response_free(again);
	again = NULL;
	CHECK(kc_shift_open(kc, 100, NULL, &again) == KC_OK && is(again, ST_PRECOND, "SHIFT_OPEN"),
	      "a second open: %s", again ? kc_detail(again) : "-");
	kc_response_free(r);
	kc_response_free(again);
	return ok;
}

/* The X report's figures after the day's business below. */
static void check_x(Harness *h, const Kassa__V1__ShiftSummary *x)
{
	const Kassa__V1__TenderTotal *cash = tender(x, CASH), *card = tender(x, CARD);

	/* sales: 2 x 12.34 paid 30.00 cash (5.32 change) and 12.34 by card */
	CHECK(x->sales_count == 2 && x->sales_minor == 3 * PRICE, "sales %lld / %lld",
	      (long long)x->sales_count, (long long)x->sales_minor);
	CHECK(cash && cash->count == 1 && cash->amount_minor == 3000, "cash tenders");
	CHECK(card && card->count == 1 && card->amount_minor == PRICE, "card tenders");
	CHECK(x->n_tenders == 2, "two kinds of tender, %zu", x->n_tenders);
	CHECK(x->change_minor == 3000 - 2 * PRICE, "change %lld", (long long)x->change_minor);
	/* the cash sale refunded whole, in cash */
	CHECK(x->refunds_count == 1 && x->refunds_minor == 2 * PRICE &&
	      x->cash_refunds_minor == 2 * PRICE, "refunds %lld / %lld, cash %lld",
	      (long long)x->refunds_count, (long long)x->refunds_minor,
	      (long long)x->cash_refunds_minor);
	CHECK(x->topups_cash_minor == 10000, "cash top-ups %lld", (long long)x->topups_cash_minor);
	/* 500.00 + 30.00 - 5.32 + 100.00 - 24.68 = 600.00 */
	CHECK(x->expected_cash_minor == FLOAT + 3000 - (3000 - 2 * PRICE) + 10000 - 2 * PRICE &&
	      x->expected_cash_minor == 60000, "expected cash %lld",
	      (long long)x->expected_cash_minor);
	(void)h;
}

/* Guards: the whole shift, X and Z figures exact, Z stored and final. */
static void test_shift_day(Harness *h)
{
	KassaClient *kc = it_login(h, TILL, 1002, "2345");
	Kassa__V1__Response *r = NULL, *z = NULL, *again = NULL;
	KcTender topup = { CASH, 10000, NULL };
	char sku[64], phone[32], zkey[64];
	int64_t shift = 0, cash_sale, card_sale, late, member;

	if (kc == NULL || !shift_start(h, kc, &shift))
		goto out;
	it_fresh_name("SHF", sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', 'Shift', %d)",
		     sku, PRICE))
		goto out;
	cash_sale = sell(kc, sku, 2, CASH, 3000);
	card_sale = sell(kc, sku, 1, CARD, PRICE);
	member = it_register(h, kc, "Shift Topup", phone);
	if (cash_sale == 0 || card_sale == 0 || member == 0)
		goto out;
	CHECK(kc_refund(kc, cash_sale, NULL, 0, 0, NULL, "shift test", NULL, &r) == KC_OK &&
	      is(r, ST_OK, NULL), "refund: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_top_up(kc, member, 10000, &topup, 1, NULL, &r) == KC_OK && is(r, ST_OK, NULL),
	      "top-up: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;

	/* X report: exact, and twice the same (it changes nothing) */
	if (CHECK(kc_shift_report(kc, false, 0, NULL, &r) == KC_OK && summary(r), "X: %s",
		  r ? kc_detail(r) : "-")) {
		check_x(h, summary(r));
		CHECK(summary(r)->shift_id == shift, "the open shift's report");
		CHECK(!summary(r)->closed && summary(r)->closed_at[0] == '\0' &&
		      summary(r)->over_short_minor == 0, "X leaves it open");
		CHECK(kc_shift_report(kc, false, 0, NULL, &again) == KC_OK &&
		      it_same_response(r, again), "a second X report is the same");
		kc_response_free(again);
		again = NULL;
	}
	/* Z report: 599.00 counted is 1.00 short */
	it_fresh_name("zrep", zkey);
	if (CHECK(kc_shift_report(kc, true, 59900, zkey, &z) == KC_OK && summary(z), "Z: %s",
		  z ? kc_detail(z) : "-")) {
		const Kassa__V1__ShiftSummary *s = summary(z);

		check_x(h, s);	/* the same figures ... */
		CHECK(s->closed && s->closed_at[0] != '\0' && s->counted_minor == 59900 &&
		      s->over_short_minor == -100, "closed, 1.00 short: %lld",
		      (long long)s->over_short_minor);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM shifts WHERE shift_id = %lld AND closed_at IS NOT"
			 " NULL AND counted_minor = 59900 AND (report->>'over_short_minor')::bigint"
			 " = -100 AND closed_by = 1002", (long long)shift) == 1, "stored closed");

	/* a late sale inside the shift's hours changes no figure of the closed shift */
	late = sell(kc, sku, 1, CASH, PRICE);
	if (late != 0 &&
	    it_sqlf(h, "UPDATE transactions SET created_at = (SELECT opened_at + interval '1 ms'"
		    " FROM shifts WHERE shift_id = %lld) WHERE txn_id = %lld", (long long)shift,
		    (long long)late)) {
		CHECK(kc_shift_report(kc, true, 59900, zkey, &again) == KC_OK &&
		      it_same_response(z, again), "a retried Z answers the stored figures");
		CHECK(it_sql_int(h, "SELECT (report->>'sales_count')::bigint FROM shifts"
				 " WHERE shift_id = %lld", (long long)shift) == 2,
		      "the stored Z report still counts 2 sales");
	}
	kc_response_free(r);
	r = NULL;
	CHECK(kc_shift_report(kc, false, 0, NULL, &r) == KC_OK && is(r, ST_PRECOND, "NO_SHIFT"),
	      "closed: no X report");
out:
	kc_response_free(r);
	kc_response_free(z);
	kc_response_free(again);
	kc_free(kc);
}

/* Guards: a negative float or count is refused before anything is written. */
static void test_refusals(Harness *h)
{
	KassaClient *kc = it_login(h, TILL, 1002, "2345");
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return;
	CHECK(kc_shift_open(kc, -1, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FLOAT"), "negative float");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_shift_report(kc, true, -5, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUNT"), "negative count");
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "shift_day", test_shift_day },
	{ "refusals", test_refusals },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

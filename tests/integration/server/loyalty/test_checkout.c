/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_checkout: a till checks a member out through kassad into
 * PostgreSQL, and every way a sale can be wrong is refused with a clear
 * error and writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define CARD KASSA__V1__TENDER_KIND__TENDER_CARD


/* Guards: points and cumulative spend written in the same transaction as the sale. */
static void test_member_checkout(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char phone[32], key[KC_KEY_LEN];
	/* 2 x 12.50 + 75.00 */
	KcLine lines[] = { { "SKU-APPLE", 2, false }, { "SKU-RICE", 1, false } };
	KcTender tenders[] = { { CASH, 10000, NULL } };
	Kassa__V1__Response *r = NULL, *g = NULL, *m = NULL;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Zhang Wei", phone);
	if (id == 0)
		goto out;

	/* find by phone typed another way, as a cashier would */
	char typed[40];
	snprintf(typed, sizeof(typed), "%.3s %.4s %.4s", phone + 3, phone + 6, phone + 10);
	CHECK(kc_member_get_by_phone(kc, typed, &m) == KC_OK &&
	      kc_status(m) == KASSA__V1__STATUS_CODE__OK && m->member->member_id == id,
	      "find by phone \"%s\"", typed);

	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 2, id, tenders, 1, 0, NULL, 0 },
			  key, false, &r) == KC_OK, "checkout sent");
	if (r == NULL)
		goto out;
	CHECK(kc_status(r) == KASSA__V1__STATUS_CODE__OK, "checkout ok: %s", kc_message(r));
	if (kc_status(r) != KASSA__V1__STATUS_CODE__OK)
		goto out;
	Kassa__V1__Transaction *t = r->transaction;
	CHECK(t->total_minor == 10000, "total 100.00, got %lld", (long long)t->total_minor);
	CHECK(t->change_minor == 0, "no change");
	CHECK(t->points_earned == 10, "10 points for 100.00, got %lld", (long long)t->points_earned);
	CHECK(t->points_balance == 10, "balance 10 after the sale");
	CHECK(t->cumulative_spend_minor == 10000, "cumulative spend 100.00");
	CHECK(t->n_lines == 2 && t->lines[0]->unit_price_minor == 1250 &&
	      t->lines[0]->line_total_minor == 2500 && t->lines[1]->line_total_minor == 7500,
	      "lines priced by the server");
	CHECK(strcmp(t->currency, "CNY") == 0, "store currency");

	/* the stored member and ledger agree with what the till was told */
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) == 10, "members.points_balance");
	CHECK(it_sql_int(h, "SELECT sum(points) FROM points_ledger WHERE member_id = %lld",
			 (long long)id) == 10, "ledger sum equals balance");
	CHECK(it_sql_int(h, "SELECT cumulative_spend_minor FROM members WHERE member_id = %lld",
			 (long long)id) == 10000, "members.cumulative_spend_minor");

	/* the transaction reads back the same */
	CHECK(kc_transaction_get(kc, t->txn_id, &g) == KC_OK &&
	      kc_status(g) == KASSA__V1__STATUS_CODE__OK, "transaction readable");
	if (g && kc_status(g) == KASSA__V1__STATUS_CODE__OK)
		CHECK(it_same_response(r, g), "read-back equals the checkout answer");
out:
	kc_response_free(r);
	kc_response_free(g);
	kc_response_free(m);
	kc_free(kc);
}

/* Guards: change from cash, anonymous sales earn nothing, barcodes work. */
static void test_anonymous_cash_change(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char key[KC_KEY_LEN];
	/* 12.50 + 3 x 2.00 */
	KcLine lines[] = { { "6901234567892", 1, false }, { "SKU-WATER", 3, false } };
	KcTender tenders[] = { { CARD, 500, "POS-REF-1" }, { CASH, 2000, NULL } };
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return;
	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 2, 0, tenders, 2, 0, NULL, 0 },
			  key, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK, "anonymous checkout: %s",
	      r ? kc_message(r) : "");
	if (r && kc_status(r) == KASSA__V1__STATUS_CODE__OK) {
		CHECK(r->transaction->total_minor == 1850, "total 18.50");
		CHECK(r->transaction->change_minor == 650, "change 6.50 from 25.00");
		CHECK(r->transaction->points_earned == 0 && r->transaction->member_id == 0,
		      "anonymous: no member, no points");
		CHECK(r->transaction->n_tenders == 2 &&
		      strcmp(r->transaction->tenders[0]->reference, "POS-REF-1") == 0,
		      "card reference kept");
	}
	kc_response_free(r);
	kc_free(kc);
}

/* One refused sale: status and detail as expected, nothing written. */
static void refused(Harness *h, KassaClient *kc, const char *what, const KcLine *lines, size_t nl,
		    int64_t member, const KcTender *tenders, size_t nt,
		    Kassa__V1__StatusCode code, const char *detail)
{
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r = NULL;
	ItCounts before = it_counts(h), after;

	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, nl, member, tenders, nt, 0, NULL, 0 },
			  key, false, &r) == KC_OK, "%s: sent", what);
	CHECK(r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0,
	      "%s: expected %s/%s, got %s/%s (%s)", what, kc_status_name(code), detail,
	      r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
	      r ? kc_message(r) : "");
	after = it_counts(h);
	CHECK(it_same_counts(before, after), "%s: nothing written", what);
	kc_response_free(r);
}

/* Guards: every bad sale gets a clear error and loses or adds nothing. */
static void test_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char phone[32];
	int64_t id;
	KcLine ok_line[] = { { "SKU-TEA", 1, false } };		/* 10.00 */
	KcLine unknown[] = { { "SKU-APPLE", 1, false }, { "NO-SUCH-SKU", 1, false } };
	KcLine zero[] = { { "SKU-TEA", 0, false } };
	KcLine negative[] = { { "SKU-TEA", -2, false } };
	KcLine huge[] = { { "SKU-RICE", 100000, false } };	/* a barcode in the qty field */
	KcTender cash10[] = { { CASH, 1000, NULL } };
	KcTender cash9[] = { { CASH, 999, NULL } };
	KcTender card20[] = { { CARD, 2000, "REF" } };
	KcTender card_noref[] = { { CARD, 1000, NULL } };
	KcTender neg[] = { { CASH, -1000, NULL } };
	KcTender bogus_kind[] = { { (Kassa__V1__TenderKind)9, 1000, NULL } };

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Li Na", phone);
	refused(h, kc, "unknown SKU", unknown, 2, id, cash10, 1,
		KASSA__V1__STATUS_CODE__NOT_FOUND, "UNKNOWN_PRODUCT");
	refused(h, kc, "zero quantity", zero, 1, id, cash10, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY");
	refused(h, kc, "negative quantity", negative, 1, id, cash10, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY");
	refused(h, kc, "quantity over the limit", huge, 1, id, cash10, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY");
	refused(h, kc, "tenders short by 0.01", ok_line, 1, id, cash9, 1,
		KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "INSUFFICIENT_TENDER");
	refused(h, kc, "card overpayment", ok_line, 1, id, card20, 1,
		KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CHANGE_WITHOUT_CASH");
	refused(h, kc, "card without reference", ok_line, 1, id, card_noref, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REFERENCE");
	refused(h, kc, "negative tender", ok_line, 1, id, neg, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AMOUNT");
	refused(h, kc, "unknown tender kind", ok_line, 1, id, bogus_kind, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDER_KIND");
	refused(h, kc, "no tenders", ok_line, 1, id, cash10, 0,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDERS");
	refused(h, kc, "no lines", ok_line, 0, id, cash10, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES");
	refused(h, kc, "unknown member", ok_line, 1, 999999999, cash10, 1,
		KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND");
	refused(h, kc, "negative member id", ok_line, 1, -5, cash10, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER");
	kc_free(kc);
}

/* Guards: a price changed in the database after kassad cached it is honoured. */
static void test_price_change(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char key[KC_KEY_LEN], out[16];
	KcLine lines[] = { { "SKU-MILK", 1, false } };
	KcTender cash[] = { { CASH, 5000, NULL } };
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return;
	/* warm the cache with the old price */
	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, cash, 1, 0, NULL, 0 },
			  key, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK &&
	      r->transaction->total_minor == 1250, "milk at 12.50");
	kc_response_free(r);
	r = NULL;
	CHECK(harness_psql_scalar(h, "UPDATE products SET price_minor = 1390 WHERE sku = 'SKU-MILK'"
				  " RETURNING price_minor", out, sizeof(out)), "reprice milk");
	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, cash, 1, 0, NULL, 0 },
			  key, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK &&
	      r->transaction->total_minor == 1390, "milk now 13.90, got %lld",
	      r && r->transaction ? (long long)r->transaction->total_minor : -1LL);
	kc_response_free(r);
	CHECK(harness_psql_scalar(h, "UPDATE products SET price_minor = 1250 WHERE sku = 'SKU-MILK'"
				  " RETURNING price_minor", out, sizeof(out)), "restore milk");
	kc_free(kc);
}

/*
 * Guards: a till that lost the answer to a recorded cash sale and retries it
 * after the price went up gets the first sale back, not INSUFFICIENT_TENDER
 * (the cashier would charge the customer again).
 */
static void test_retry_after_price_change(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char key[KC_KEY_LEN], out[16];
	KcLine lines[] = { { "SKU-MILK", 1, false } };
	KcTender exact[] = { { CASH, 1250, NULL } };
	Kassa__V1__Response *first = NULL, *again = NULL;

	if (kc == NULL)
		return;
	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, exact, 1, 0, NULL, 0 },
			  key, false, &first) == KC_OK &&
	      kc_status(first) == KASSA__V1__STATUS_CODE__OK, "milk at 12.50, paid exactly");
	CHECK(harness_psql_scalar(h, "UPDATE products SET price_minor = 1390 WHERE sku = 'SKU-MILK'"
				  " RETURNING price_minor", out, sizeof(out)), "reprice milk");
	/* a sale at the new price loads it into kassad's catalogue */
	KcTender more[] = { { CASH, 2000, NULL } };
	char other[KC_KEY_LEN];
	Kassa__V1__Response *r = NULL;

	kc_new_key(other);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, more, 1, 0, NULL, 0 },
			  other, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__OK && r->transaction->total_minor == 1390,
	      "milk now 13.90");
	kc_response_free(r);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, exact, 1, 0, NULL, 0 },
			  key, false, &again) == KC_OK &&
	      kc_status(again) == KASSA__V1__STATUS_CODE__OK && first != NULL &&
	      it_same_response(first, again), "the retry answers the first sale: %s %s",
	      again ? kc_detail(again) : "-", again ? kc_message(again) : "");
	CHECK(harness_psql_scalar(h, "UPDATE products SET price_minor = 1250 WHERE sku = 'SKU-MILK'"
				  " RETURNING price_minor", out, sizeof(out)), "restore milk");
	kc_response_free(first);
	kc_response_free(again);
	kc_free(kc);
}

/* Guards: a sale needs a logged-in cashier; an analyst may not sell. */
static void test_roles(Harness *h)
{
	KassaClient *kc = it_connect(h, "S001-T1");
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	char key[KC_KEY_LEN];
	KcLine lines[] = { { "SKU-TEA", 1, false } };
	KcTender cash[] = { { CASH, 1000, NULL } };
	Kassa__V1__Response *r = NULL;

	if (kc) {
		kc_new_key(key);
		CHECK(kc_checkout(kc, &(KcSale){ lines, 1, 0, cash, 1, 0, NULL, 0 },
				  key, false, &r) == KC_OK &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
		      "checkout before login refused");
		kc_response_free(r);
		r = NULL;
		CHECK(kc_login(kc, 1001, "9999", &r) == KC_OK &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__UNAUTHENTICATED &&
		      strcmp(kc_detail(r), "BAD_CREDENTIALS") == 0, "wrong PIN refused");
		kc_response_free(r);
		r = NULL;
		/* 1002 is a cashier of S002: right PIN, wrong store */
		CHECK(kc_login(kc, 1002, "2345", &r) == KC_OK &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
		      "another store's cashier refused at this till");
		kc_response_free(r);
		r = NULL;
	}
	if (an) {
		kc_new_key(key);
		CHECK(kc_checkout(an, &(KcSale){ lines, 1, 0, cash, 1, 0, NULL, 0 },
				  key, false, &r) == KC_OK &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
		      "analyst may not sell");
		kc_response_free(r);
	}
	kc_free(kc);
	kc_free(an);
}

static const HarnessTest tests[] = {
	{ "retry_after_price_change", test_retry_after_price_change },
	{ "member_checkout", test_member_checkout },
	{ "anonymous_cash_change", test_anonymous_cash_change },
	{ "refusals", test_refusals },
	{ "price_change", test_price_change },
	{ "roles", test_roles },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_feedback: the customer's rating of a sale (Feedback). Guards that a
 * rating is recorded once however often the till retries it with its key,
 * with the sale's store, till, cashier and member; that a second rating of
 * the same sale under another key is ALREADY_EXISTS / FEEDBACK_EXISTS; that
 * ratings outside 1-5 and over-long comments are refused and write
 * nothing; that a sale is found by its receipt number; and that a till
 * cannot rate (nor learn of) another store's sale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST_OK KASSA__V1__STATUS_CODE__OK

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

/* One cash sale of a fresh product at 500; its txn_id, 0 + failure otherwise. */
static int64_t sale(Harness *h, KassaClient *kc, int64_t member_id)
{
	return it_cash_sale(h, kc, "FBK", member_id, 500);
}

static int64_t rows(Harness *h)
{
	return it_sql_int(h, "SELECT count(*) FROM feedback");
}

/* Guards: recorded once under retry, with the sale's people; a second rating refused. */
static void test_once(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL, *again = NULL;
	char phone[32], key[64];
	int64_t member, txn, before;

	if (kc == NULL)
		return;
	member = it_register(h, kc, "Feedback Fan", phone);
	txn = sale(h, kc, member);
	if (txn == 0)
		goto out;
	before = rows(h);
	it_fresh_name("fbkey", key);
	CHECK(kc_feedback(kc, txn, NULL, 4, "很好 good", key, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->feedback_recorded && r->feedback_recorded->txn_id == txn && 
	      r->feedback_recorded->feedback_id > 0, "recorded: %s", r ? kc_detail(r) : "-");
	CHECK(kc_feedback(kc, txn, NULL, 4, "很好 good", key, &again) == KC_OK &&
	      is(again, ST_OK, NULL) && it_same_response(r, again), "a retry answers the same");
	CHECK(rows(h) == before + 1, "one row for two tries");
	CHECK(it_sql_int(h, "SELECT count(*) FROM feedback f JOIN transactions t USING (txn_id)"
			 " WHERE f.txn_id = %lld AND f.rating = 4 AND f.comment = '很好 good'"
			 " AND f.store_id = t.store_id AND f.till_id = t.till_id"
			 " AND f.staff_id = t.staff_id AND f.member_id = %lld AND f.recorded_by = 1001",
			 (long long)txn, (long long)member) == 1, "the row carries the sale's people");
	kc_response_free(again);
	again = NULL;
	CHECK(kc_feedback(kc, txn, NULL, 2, "", NULL, &again) == KC_OK &&
	      is(again, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "FEEDBACK_EXISTS"),
	      "a second rating: %s", again ? kc_detail(again) : "-");
	CHECK(rows(h) == before + 1 &&
	      it_sql_int(h, "SELECT rating FROM feedback WHERE txn_id = %lld", (long long)txn) == 4,
	      "the first rating stands");
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_free(kc);
}

/* Guards: bad ratings and comments are refused and write nothing. */
static void test_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char longc[2048], zh500[2048];
	int64_t txn, before;

	if (kc == NULL)
		return;
	txn = sale(h, kc, 0);
	if (txn == 0)
		goto out;
	before = rows(h);
	for (int rating = 0; rating <= 6; rating += 6) {
		CHECK(kc_feedback(kc, txn, NULL, rating, "", NULL, &r) == KC_OK &&
		      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RATING"),
		      "rating %d refused: %s", rating, r ? kc_detail(r) : "-");
		kc_response_free(r);
		r = NULL;
	}
	memset(longc, 'x', 501);
	longc[501] = '\0';
	CHECK(kc_feedback(kc, txn, NULL, 3, longc, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COMMENT"), "501 characters");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_feedback(kc, 0, NULL, 3, "", NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SALE"), "no sale named");
	kc_response_free(r);
	r = NULL;
	CHECK(rows(h) == before, "nothing written");
	/* 500 Chinese characters (1,500 bytes) are within the limit */
	for (int i = 0; i < 500; i++)
		memcpy(zh500 + 3 * i, "好", 3);
	zh500[1500] = '\0';
	CHECK(kc_feedback(kc, txn, NULL, 5, zh500, NULL, &r) == KC_OK && is(r, ST_OK, NULL),
	      "500 characters of Chinese: %s", r ? kc_detail(r) : "-");
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: a sale found by receipt number; another store's sale is not found. */
static void test_receipt_and_store(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KassaClient *other = it_login(h, "S002-T1", 1002, "2345");
	Kassa__V1__Response *r = NULL;
	char receipt[64];
	int64_t txn, theirs, before;

	if (kc == NULL || other == NULL)
		goto out;
	txn = sale(h, kc, 0);
	theirs = sale(h, other, 0);
	if (txn == 0 || theirs == 0)
		goto out;
	snprintf(receipt, sizeof(receipt), "S001-T1-%lld", (long long)txn);
	if (!it_sqlf(h, "UPDATE transactions SET receipt_no = '%s' WHERE txn_id = %lld", receipt,
		     (long long)txn))
		goto out;
	CHECK(kc_feedback(kc, 0, receipt, 5, "", NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->feedback_recorded->txn_id == txn, "found by receipt %s: %s", receipt,
	      r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	before = rows(h);
	CHECK(kc_feedback(kc, theirs, NULL, 1, "", NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND"),
	      "another store's sale: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_feedback(kc, 0, "NO-SUCH-RECEIPT", 1, "", NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND"), "unknown receipt");
	CHECK(rows(h) == before, "nothing written");
out:
	kc_response_free(r);
	kc_free(kc);
	kc_free(other);
}

static const HarnessTest tests[] = {
	{ "once", test_once },
	{ "refusals", test_refusals },
	{ "receipt_and_store", test_receipt_and_store },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

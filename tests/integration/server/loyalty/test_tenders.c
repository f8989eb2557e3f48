/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tenders: what a till may and may not put in a tender, through
 * kassad into PostgreSQL. A reference holding a card number (Luhn-valid,
 * 13-19 digits, grouped or inside a longer reference) is refused in a sale
 * and in a top-up, and nothing is written; a Luhn-invalid 16-digit
 * reference and an e-wallet trade number go through. Cash far above the
 * total (INT64_MAX fen on a 20.00 sale) is refused CHANGE_TOO_LARGE and
 * writes nothing; change up to [checkout] max_cash_change (default
 * 1000.00) is given. The POINTS_OVER_CAP refusal names the real cap.
 */
#include <stdio.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define CARD KASSA__V1__TENDER_KIND__TENDER_CARD
#define EWALLET KASSA__V1__TENDER_KIND__TENDER_EWALLET
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_INVALID KASSA__V1__STATUS_CODE__INVALID_ARGUMENT

#define MAX_CHANGE_DEFAULT 100000	/* [checkout] max_cash_change: the env keeps the default */


/* A sale of lines (anonymous when member is 0) paid with tenders; NULL on a transport error. */
static Kassa__V1__Response *sale(KassaClient *kc, const KcLine *lines, size_t nl, int64_t member,
				 const KcTender *tenders, size_t nt, int64_t points, bool quote)
{
	KcSale s = { .lines = lines, .nlines = nl, .member_id = member, .tenders = tenders,
		     .ntenders = nt, .points_redeem = points };
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	if (!CHECK(kc_checkout(kc, &s, key, quote, &r) == KC_OK, "checkout answered: %s",
		   kc_last_error(kc)))
		return NULL;
	return r;
}

/* r is the refusal code/detail, and the tables are as they were. */
static void check_refused(Harness *h, const char *what, const Kassa__V1__Response *r,
			  ItCounts before, Kassa__V1__StatusCode code, const char *detail)
{
	CHECK(r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0,
	      "%s: expected %s/%s, got %s/%s (%s)", what, kc_status_name(code), detail,
	      r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
	      r ? kc_message(r) : "");
	CHECK(it_same_counts(before, it_counts(h)), "%s: nothing written", what);
}

/* Guards: card numbers never reach the tenders table, however they are typed. */
static void test_card_number_refused(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcLine tea[] = { { "SKU-TEA", 1, false } };	/* 10.00 */
	static const struct {
		Kassa__V1__TenderKind kind;
		const char *ref;
	} refs[] = {
		{ CARD, "4111111111111111" },
		{ CARD, "4111 1111 1111 1111" },
		{ CARD, "4111-1111-1111-1111" },
		{ CARD, "AUTH4111111111111111" },
		{ CARD, "3782 822463 10005" },		/* 15 digits, Amex grouping */
		{ EWALLET, "wx 5555-5555-5555-4444" },
		{ CASH, "4111111111111111" },		/* any reference that is stored */
		/* fullwidth digits as a Chinese input method types them */
		{ CARD, "\xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91"
			"111111111111" },
	};

	if (kc == NULL)
		return;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		KcTender t[] = { { refs[i].kind, 1000, refs[i].ref } };
		ItCounts before = it_counts(h);
		Kassa__V1__Response *r = sale(kc, tea, 1, 0, t, 1, 0, false);
		char what[96];

		snprintf(what, sizeof(what), "reference \"%s\"", refs[i].ref);
		check_refused(h, what, r, before, ST_INVALID, "CARD_NUMBER_REFUSED");
		if (r != NULL) {
			CHECK(strstr(kc_message(r), "approval code") != NULL &&
			      strstr(kc_message(r), "1111") == NULL &&
			      strstr(kc_message(r), "4444") == NULL &&
			      strstr(kc_message(r), "10005") == NULL,
			      "%s: a clear message that does not echo the number: %s", what,
			      kc_message(r));
		}
		kc_response_free(r);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM tenders WHERE reference LIKE '%%4111%%1111%%'"
			 " OR reference LIKE '%%5555%%4444%%'") == 0,
	      "no card number in the tenders table");
	kc_free(kc);
}

/* Guards: references that only look long are not card numbers. */
static void test_other_references_accepted(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcLine tea[] = { { "SKU-TEA", 1, false } };	/* 10.00 */
	static const struct {
		Kassa__V1__TenderKind kind;
		const char *ref;
	} refs[] = {
		{ CARD, "4111111111111112" },			/* 16 digits, Luhn-invalid */
		{ CARD, "4111 1111 1111 1112" },
		{ CARD, "RRN 411111111117" },			/* 12 digits, Luhn-valid */
		{ EWALLET, "2024010122001412345678901234" },	/* Alipay-like trade number */
	};

	if (kc == NULL)
		return;
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		KcTender t[] = { { refs[i].kind, 1000, refs[i].ref } };
		int64_t txns = it_sql_int(h, "SELECT count(*) FROM transactions");
		Kassa__V1__Response *r = sale(kc, tea, 1, 0, t, 1, 0, false);

		CHECK(r && kc_status(r) == ST_OK, "reference \"%s\" accepted: %s", refs[i].ref,
		      r ? kc_message(r) : "");
		if (r && kc_status(r) == ST_OK) {
			CHECK(r->transaction->n_tenders == 1 &&
			      strcmp(r->transaction->tenders[0]->reference, refs[i].ref) == 0,
			      "reference \"%s\" kept as typed", refs[i].ref);
			CHECK(it_sql_int(h, "SELECT count(*) FROM transactions") == txns + 1,
			      "reference \"%s\": one sale recorded", refs[i].ref);
		}
		kc_response_free(r);
	}
	kc_free(kc);
}

/* Guards: a top-up takes the same tender check as a sale. */
static void test_topup_card_number_refused(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcTender card[] = { { CARD, 10000, "4111 1111 1111 1111" } };
	KcTender fine[] = { { CARD, 10000, "4111 1111 1111 1112" } };
	KcTender huge[] = { { CASH, INT64_MAX, NULL } };
	Kassa__V1__Response *r = NULL;
	char phone[32];
	ItCounts before;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Top Up Card", phone);
	if (id == 0)
		goto out;
	before = it_counts(h);
	CHECK(kc_top_up(kc, id, 10000, card, 1, NULL, &r) == KC_OK, "top-up answered");
	check_refused(h, "top-up with a card number", r, before, ST_INVALID, "CARD_NUMBER_REFUSED");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_top_up(kc, id, 10000, huge, 1, NULL, &r) == KC_OK, "top-up answered");
	check_refused(h, "top-up with INT64_MAX cash", r, before, ST_INVALID, "CHANGE_TOO_LARGE");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_top_up(kc, id, 10000, fine, 1, NULL, &r) == KC_OK &&
	      kc_status(r) == ST_OK, "top-up with a Luhn-invalid reference: %s",
	      r ? kc_message(r) : "");
	CHECK(it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)id) >= 10000, "the accepted top-up is on the wallet");
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: INT64_MAX fen of cash on a 20.00 sale is a typing error, not 9.2e18 of change. */
static void test_change_too_large(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcLine tea2[] = { { "SKU-TEA", 2, false } };	/* 20.00 */
	KcTender huge[] = { { CASH, INT64_MAX, NULL } };
	KcTender over[] = { { CASH, 2000 + MAX_CHANGE_DEFAULT + 1, NULL } };
	KcTender split[] = { { CARD, 1000, "APPROVAL 123456" },
			     { CASH, MAX_CHANGE_DEFAULT, NULL }, { CASH, 1001, NULL } };
	KcTender overflow[] = { { CASH, INT64_MAX, NULL }, { CASH, INT64_MAX, NULL } };
	Kassa__V1__Response *r;
	ItCounts before;

	if (kc == NULL)
		return;
	before = it_counts(h);
	r = sale(kc, tea2, 1, 0, huge, 1, 0, false);
	check_refused(h, "INT64_MAX cash", r, before, ST_INVALID, "CHANGE_TOO_LARGE");
	if (r != NULL)
		CHECK(strstr(kc_message(r), "at most 1000.00") != NULL,
		      "the message says the limit: %s", kc_message(r));
	kc_response_free(r);
	r = sale(kc, tea2, 1, 0, over, 1, 0, false);
	check_refused(h, "change 1000.01", r, before, ST_INVALID, "CHANGE_TOO_LARGE");
	kc_response_free(r);
	r = sale(kc, tea2, 1, 0, split, 3, 0, false);
	check_refused(h, "change 1000.01 over three tenders", r, before, ST_INVALID,
		      "CHANGE_TOO_LARGE");
	kc_response_free(r);
	/* a sum that does not fit in int64 is refused as such, never wrapped */
	r = sale(kc, tea2, 1, 0, overflow, 2, 0, false);
	check_refused(h, "tenders summing past INT64_MAX", r, before,
		      KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW");
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: change up to the limit is still given. */
static void test_change_within_limit(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcLine tea2[] = { { "SKU-TEA", 2, false } };	/* 20.00 */
	KcTender hundred[] = { { CASH, 10000, NULL } };
	KcTender at_limit[] = { { CASH, 2000 + MAX_CHANGE_DEFAULT, NULL } };
	Kassa__V1__Response *r;

	if (kc == NULL)
		return;
	r = sale(kc, tea2, 1, 0, hundred, 1, 0, false);
	CHECK(r && kc_status(r) == ST_OK && r->transaction->change_minor == 8000,
	      "100.00 cash on 20.00: 80.00 change (%s)", r ? kc_message(r) : "");
	kc_response_free(r);
	r = sale(kc, tea2, 1, 0, at_limit, 1, 0, false);
	CHECK(r && kc_status(r) == ST_OK && r->transaction->change_minor == MAX_CHANGE_DEFAULT,
	      "1020.00 cash on 20.00: exactly 1000.00 change (%s)", r ? kc_message(r) : "");
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: POINTS_OVER_CAP says how many points the sale takes, not "0 points at most". */
static void test_points_over_cap_message(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	KcLine tea2[] = { { "SKU-TEA", 2, false } };	/* 20.00 */
	KcTender cash[] = { { CASH, 2000, NULL } };
	Kassa__V1__Response *q = NULL, *r = NULL;
	char want[64], phone[32];
	int64_t id, cap;
	ItCounts before;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Points Cap", phone);
	if (id == 0 || !it_give_points(h, id, 1000, 365))
		goto out;
	/* the quote says what this basket takes; 100 with the default rules (50% of 20.00) */
	q = sale(kc, tea2, 1, id, NULL, 0, 0, true);
	if (!CHECK(q && kc_status(q) == ST_OK, "quote: %s", q ? kc_message(q) : ""))
		goto out;
	cap = q->transaction->points_redeemable;
	CHECK(cap > 0 && cap < 1000, "the cap binds below the balance: %lld", (long long)cap);
	before = it_counts(h);
	r = sale(kc, tea2, 1, id, cash, 1, 1000, false);
	check_refused(h, "1000 points on 20.00", r, before, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		      "POINTS_OVER_CAP");
	snprintf(want, sizeof(want), ": %lld points at most", (long long)cap);
	if (r != NULL)
		CHECK(strstr(kc_message(r), want) != NULL, "the message names the cap (\"%s\"): %s",
		      want, kc_message(r));
out:
	kc_response_free(q);
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "card_number_refused", test_card_number_refused },
	{ "other_references_accepted", test_other_references_accepted },
	{ "topup_card_number_refused", test_topup_card_number_refused },
	{ "change_too_large", test_change_too_large },
	{ "change_within_limit", test_change_within_limit },
	{ "points_over_cap_message", test_points_over_cap_message },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_count_cards: service items and count cards (次卡) through a real
 * kassad, PostgreSQL and TLS: a sale of a service item to a member makes
 * the card in the sale's transaction (and without a member is refused,
 * writing nothing); 32 tills redeeming one 10-visit card at once get
 * exactly 10 visits; the refund of the unused remainder pays the right
 * amount and shows in the till's shift; the sale line's refund voids an
 * unused card and is refused for a used one; an expired card is refused;
 * bad input gets clear errors and changes nothing. Every card's balance
 * equals the sum of its ledger.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define RACERS 32
#define S(name) KASSA__V1__STATUS_CODE__##name

/* A fresh product at price_minor, made a service item of visits per unit by the admin. */
static bool make_service(Harness *h, char sku[64], int64_t price, int32_t visits, int32_t days)
{
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	bool ok = false;

	it_fresh_name("SVC", sku);
	if (admin == NULL || !it_sqlf(h, "INSERT INTO products (sku, name, price_minor)"
				      " VALUES ('%s', '洗车 Car wash', %lld)", sku,
				      (long long)price))
		goto out;
	ok = CHECK(kc_service_item_put(admin, sku, visits, days, true, NULL, &r) == KC_OK &&
		   kc_status(r) == S(OK) && r->service_item != NULL &&
		   r->service_item->visits == visits, "service put: %s",
		   r ? kc_detail(r) : kc_last_error(admin));
out:
	kc_response_free(r);
	kc_free(admin);
	return ok;
}

/* Sell qty of sku to member (0 = none), paid in cash: the response (the caller's). */
static Kassa__V1__Response *sell(KassaClient *kc, const char *sku, int32_t qty, int64_t member,
				 int64_t cash)
{
	KcLine line = { sku, qty, false };
	KcTender t = { CASH, cash, NULL };
	KcSale s = { &line, 1, member, &t, 1, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	if (kc_checkout(kc, &s, key, false, &r) != KC_OK) {
		kc_response_free(r);
		return NULL;
	}
	return r;
}

/* The card of sale txn, 0 if none. */
static int64_t card_of(Harness *h, int64_t txn)
{
	return it_sql_int(h, "SELECT coalesce(max(card_id), 0) FROM count_cards WHERE txn_id = %lld",
			  (long long)txn);
}

/* The SKU of card's product (static storage: one at a time; "" on failure). */
static const char *sku_of(Harness *h, int64_t card)
{
	static char sku[64];
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT p.sku FROM count_cards c JOIN products p"
		 " USING (product_id) WHERE c.card_id = %lld", (long long)card);
	if (!harness_psql_scalar(h, sql, sku, sizeof(sku)))
		sku[0] = '\0';
	return sku;
}

/* Card's remaining is want and equals the sum of its ledger. */
static void check_card(Harness *h, int64_t card, int64_t want)
{
	int64_t rem = it_sql_int(h, "SELECT remaining FROM count_cards WHERE card_id = %lld",
				 (long long)card);
	int64_t sum = it_sql_int(h, "SELECT coalesce(sum(visits), 0) FROM card_ledger"
				 " WHERE card_id = %lld", (long long)card);

	CHECK(rem == want, "card %lld: %lld visits left, want %lld", (long long)card,
	      (long long)rem, (long long)want);
	CHECK(sum == rem, "card %lld: ledger sum %lld = remaining %lld", (long long)card,
	      (long long)sum, (long long)rem);
}

/* A member with a card of visits bought (one unit at price): its id, 0 on failure. */
static int64_t member_card(Harness *h, KassaClient *kc, int32_t visits, int64_t price,
			   int64_t *member)
{
	char sku[64], phone[32];
	Kassa__V1__Response *r;
	int64_t card = 0;

	*member = it_register(h, kc, "Card Member", phone);
	if (*member <= 0 || !make_service(h, sku, price, visits, 0))
		return 0;
	r = sell(kc, sku, 1, *member, price);
	if (CHECK(r != NULL && kc_status(r) == S(OK) && r->transaction, "card sale: %s",
		  r ? kc_detail(r) : "no answer"))
		card = card_of(h, r->transaction->txn_id);
	kc_response_free(r);
	return card;
}

/* Guards: a sale of Q units of a service item makes one card of Q x N visits, paid the
 * line's net, outside the stock ledger; a sale of it without a member writes nothing. */
static void test_sale_makes_card(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	char sku[64], phone[32];
	int64_t member, txn, card, before;

	if (kc == NULL || !make_service(h, sku, 2000, 5, 30))
		goto out;
	member = it_register(h, kc, "Card Buyer", phone);
	r = sell(kc, sku, 2, member, 4000);
	if (!CHECK(r != NULL && kc_status(r) == S(OK) && r->transaction, "sale: %s",
		   r ? kc_detail(r) : "no answer"))
		goto out;
	txn = r->transaction->txn_id;
	card = card_of(h, txn);
	CHECK(card > 0, "the sale made a card");
	check_card(h, card, 10);
	CHECK(it_sql_int(h, "SELECT paid_minor FROM count_cards WHERE card_id = %lld",
			 (long long)card) == it_sql_int(h, "SELECT net_minor FROM transaction_lines"
							" WHERE txn_id = %lld", (long long)txn),
	      "the card records the line's net amount");
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards WHERE card_id = %lld AND member_id"
			 " = %lld AND expires_at::date = (created_at + interval '30 days')::date",
			 (long long)card, (long long)member) == 1, "the member's, 30 days");
	CHECK(it_sql_int(h, "SELECT count(*) FROM stock_moves m JOIN products p USING (product_id)"
			 " WHERE p.sku = '%s'", sku) == 0, "a service is not in the stock ledger");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_card_list(kc, member, false, &r) == KC_OK && kc_status(r) == S(OK) &&
	      r->count_card_list && r->count_card_list->n_cards == 1 &&
	      r->count_card_list->cards[0]->remaining == 10 &&
	      strcmp(r->count_card_list->cards[0]->state, "active") == 0 &&
	      r->count_card_list->cards[0]->n_ledger == 1 &&
	      strcmp(r->count_card_list->cards[0]->ledger[0]->kind, "purchase") == 0,
	      "card list shows the card and its purchase");
	kc_response_free(r);

	before = it_sql_int(h, "SELECT count(*) FROM transactions");
	r = sell(kc, sku, 1, 0, 2000);
	CHECK(r != NULL && kc_status(r) == S(INVALID_ARGUMENT) &&
	      strcmp(kc_detail(r), "MEMBER_REQUIRED") == 0, "no member: %s",
	      r ? kc_detail(r) : "no answer");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions") == before, "nothing written");
out:
	kc_response_free(r);
	kc_free(kc);
}

typedef struct Racer {
	KassaClient *kc;		/* owned */
	int64_t card;
	pthread_barrier_t *start;
	Kassa__V1__Response *resp;	/* owned */
} Racer;

static void *racer_main(void *arg)
{
	Racer *rc = arg;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	pthread_barrier_wait(rc->start);
	if (rc->kc == NULL || kc_card_redeem(rc->kc, rc->card, 0, 1, key, &rc->resp) != KC_OK)
		rc->resp = NULL;
	return NULL;
}

/* Guards: 32 tills redeeming one 10-visit card at once: exactly 10 visits, never below 0. */
static void test_concurrent_redeem(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Racer rc[RACERS];
	pthread_t th[RACERS];
	pthread_barrier_t start;
	int64_t member, card;
	int ok = 0, used_up = 0;

	if (kc == NULL || (card = member_card(h, kc, 10, 3000, &member)) == 0) {
		kc_free(kc);
		return;
	}
	kc_free(kc);
	pthread_barrier_init(&start, NULL, RACERS);
	for (int i = 0; i < RACERS; i++)
		rc[i] = (Racer){ i % 2 ? it_login(h, "S001-T2", 1001, "1234") : it_cashier(h), card,
				 &start, NULL };
	for (int i = 0; i < RACERS; i++)
		pthread_create(&th[i], NULL, racer_main, &rc[i]);
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < RACERS; i++) {
		if (rc[i].resp && kc_status(rc[i].resp) == S(OK))
			ok++;
		else if (rc[i].resp && kc_status(rc[i].resp) == S(FAILED_PRECONDITION) &&
			 strcmp(kc_detail(rc[i].resp), "CARD_USED_UP") == 0)
			used_up++;
		kc_response_free(rc[i].resp);
		kc_free(rc[i].kc);
	}
	pthread_barrier_destroy(&start);
	CHECK(ok == 10, "%d of %d redemptions succeeded, want 10", ok, RACERS);
	CHECK(used_up == RACERS - 10, "%d refused CARD_USED_UP, want %d", used_up, RACERS - 10);
	check_card(h, card, 0);
	CHECK(it_sql_int(h, "SELECT count(*) FROM card_ledger WHERE card_id = %lld AND kind ="
			 " 'redeem' AND till_id > 0 AND staff_id = 1001", (long long)card) == 10,
	      "10 redeem rows with till and staff");
}

/* The open shift's expected cash at kc's till (opened here if need be), -1 on failure. */
static int64_t expected_cash(KassaClient *kc)
{
	Kassa__V1__Response *r = NULL;
	int64_t cash = -1;

	if (kc_shift_open(kc, 50000, NULL, &r) != KC_OK)
		return -1;
	kc_response_free(r);
	r = NULL;
	if (kc_shift_report(kc, false, 0, NULL, &r) == KC_OK && kc_status(r) == S(OK) &&
	    r->shift_summary)
		cash = r->shift_summary->expected_cash_minor;
	kc_response_free(r);
	return cash;
}

/* Guards: the remainder's refund pays paid x remaining / visits rounded down, in the shift's
 * cash, once per key; the card is then closed to refunds and visits. */
static void test_refund_remainder(Harness *h)
{
	KassaClient *kc = it_cashier(h), *mgr = it_login(h, "S001-T2", 2001, "9999");
	Kassa__V1__Response *r = NULL, *again = NULL;
	int64_t member, card, cash0, cash1;
	char key[KC_KEY_LEN];

	if (kc == NULL || mgr == NULL || (card = member_card(h, kc, 3, 10000, &member)) == 0)
		goto out;
	CHECK(kc_card_redeem(kc, card, member, 0, NULL, &r) == KC_OK && kc_status(r) == S(OK) &&
	      r->count_card && r->count_card->remaining == 2 && r->count_card->entry_id > 0,
	      "one visit: %s", r ? kc_detail(r) : "");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_card_refund(kc, card, NULL, &r) == KC_OK &&
	      kc_status(r) == S(PERMISSION_DENIED), "a cashier may not refund a card");
	kc_response_free(r);
	r = NULL;
	cash0 = expected_cash(mgr);
	kc_new_key(key);
	CHECK(kc_card_refund(mgr, card, key, &r) == KC_OK && kc_status(r) == S(OK) &&
	      r->card_refunded && r->card_refunded->amount_minor == 6666 &&
	      r->card_refunded->visits == 2 && r->card_refunded->card &&
	      strcmp(r->card_refunded->card->state, "refunded") == 0,
	      "2 of 3 visits of 100.00 refund 66.66: %s", r ? kc_detail(r) : kc_last_error(mgr));
	cash1 = expected_cash(mgr);
	CHECK(cash0 >= 0 && cash1 == cash0 - 6666, "expected cash %lld -> %lld, want -66.66",
	      (long long)cash0, (long long)cash1);
	CHECK(kc_card_refund(mgr, card, key, &again) == KC_OK && it_same_response(r, again),
	      "a retry answers the same refund");
	kc_response_free(again);
	again = NULL;
	check_card(h, card, 0);
	CHECK(it_sql_int(h, "SELECT count(*) FROM card_refunds WHERE card_id = %lld",
			 (long long)card) == 1, "one refund");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'card.refund' AND"
			 " subject = 'card:%lld'", (long long)card) == 1, "audited once");
	CHECK(kc_card_refund(mgr, card, NULL, &again) == KC_OK &&
	      kc_status(again) == S(FAILED_PRECONDITION) &&
	      strcmp(kc_detail(again), "CARD_CLOSED") == 0, "refunded twice: %s",
	      again ? kc_detail(again) : "");
	kc_response_free(again);
	again = NULL;
	CHECK(kc_card_redeem(kc, card, 0, 0, NULL, &again) == KC_OK &&
	      strcmp(kc_detail(again), "CARD_CLOSED") == 0, "no visit after the refund");
out:
	kc_response_free(again);
	kc_response_free(r);
	kc_free(mgr);
	kc_free(kc);
}

/* Refund line 1 of txn as the manager (approving it): the response. */
static Kassa__V1__Response *refund_line(KassaClient *mgr, int64_t txn)
{
	Kassa__V1__Response *r = NULL;
	const int32_t line = 1;

	if (kc_refund(mgr, txn, &line, 1, 2001, "9999", "unused", NULL, &r) != KC_OK) {
		kc_response_free(r);
		return NULL;
	}
	return r;
}

/* Guards: refunding the sale line voids its unused card, and is refused once it was used. */
static void test_refund_line(Harness *h)
{
	KassaClient *kc = it_cashier(h), *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	int64_t member, card, txn;

	if (kc == NULL || mgr == NULL || (card = member_card(h, kc, 4, 4000, &member)) == 0)
		goto out;
	txn = it_sql_int(h, "SELECT txn_id FROM count_cards WHERE card_id = %lld",
			 (long long)card);
	r = refund_line(mgr, txn);
	CHECK(r != NULL && kc_status(r) == S(OK), "unused: refunded: %s",
	      r ? kc_detail(r) : "no answer");
	kc_response_free(r);
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards WHERE card_id = %lld AND state ="
			 " 'void'", (long long)card) == 1, "the card is void");
	check_card(h, card, 0);

	card = member_card(h, kc, 4, 4000, &member);
	txn = it_sql_int(h, "SELECT txn_id FROM count_cards WHERE card_id = %lld",
			 (long long)card);
	r = NULL;
	CHECK(kc_card_redeem(kc, card, member, 0, NULL, &r) == KC_OK && kc_status(r) == S(OK),
	      "one visit");
	kc_response_free(r);
	r = refund_line(mgr, txn);
	CHECK(r != NULL && kc_status(r) == S(FAILED_PRECONDITION) &&
	      strcmp(kc_detail(r), "CARD_PARTLY_USED") == 0, "used: refused: %s",
	      r ? kc_detail(r) : "no answer");
	CHECK(it_sql_int(h, "SELECT count(*) FROM refunds WHERE txn_id = %lld", (long long)txn) == 0,
	      "no refund written");
	check_card(h, card, 3);
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(kc);
}

/* Guards: an expired card is refused CARD_EXPIRED and keeps its visits. */
static void test_expired(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	int64_t member, card;

	if (kc == NULL || (card = member_card(h, kc, 5, 5000, &member)) == 0)
		goto out;
	if (!it_sqlf(h, "UPDATE count_cards SET expires_at = now() - interval '1 day'"
		     " WHERE card_id = %lld", (long long)card))
		goto out;
	CHECK(kc_card_redeem(kc, card, member, 0, NULL, &r) == KC_OK &&
	      kc_status(r) == S(FAILED_PRECONDITION) && strcmp(kc_detail(r), "CARD_EXPIRED") == 0,
	      "expired: %s", r ? kc_detail(r) : "");
	check_card(h, card, 5);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* One request's status and detail are code and detail. */
static void expect(KcResult kr, Kassa__V1__Response **rp, Kassa__V1__StatusCode code,
		   const char *detail, const char *what)
{
	Kassa__V1__Response *r = *rp;

	CHECK(kr == KC_OK && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0 &&
	      (code == S(OK) || kc_message(r)[0] != '\0'), "%s: %s %s", what,
	      r ? kc_detail(r) : "no answer",
	      r ? kc_message(r) : "");
	kc_response_free(r);
	*rp = NULL;
}

/* Guards: bad input is refused with a clear error and changes nothing. */
static void test_bad_input(Harness *h)
{
	KassaClient *kc = it_cashier(h), *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	int64_t member, card, other, before;
	char phone[32];

	if (kc == NULL || admin == NULL || (card = member_card(h, kc, 5, 5000, &member)) == 0)
		goto out;
	other = it_register(h, kc, "Other Member", phone);
	expect(kc_card_redeem(kc, 0, 0, 0, NULL, &r), &r, S(INVALID_ARGUMENT), "BAD_CARD",
	       "card 0");
	expect(kc_card_redeem(kc, card, other, 0, NULL, &r), &r, S(NOT_FOUND), "CARD_NOT_FOUND",
	       "another member's card");
	expect(kc_card_redeem(kc, 999999999999LL, 0, 0, NULL, &r), &r, S(NOT_FOUND),
	       "CARD_NOT_FOUND", "no such card");
	expect(kc_card_redeem(kc, card, 0, 1000, NULL, &r), &r, S(INVALID_ARGUMENT), "BAD_VISITS",
	       "1000 visits at once");
	expect(kc_card_redeem(kc, card, 0, 6, NULL, &r), &r, S(FAILED_PRECONDITION),
	       "CARD_USED_UP", "more visits than left");
	expect(kc_card_list(kc, 0, false, &r), &r, S(INVALID_ARGUMENT), "BAD_MEMBER", "list 0");
	expect(kc_service_item_put(admin, "SKU-APPLE", 0, 0, true, NULL, &r), &r,
	       S(INVALID_ARGUMENT), "BAD_SERVICE", "0 visits");
	expect(kc_service_item_put(admin, "NO-SUCH-SKU-X", 3, 0, true, NULL, &r), &r, S(NOT_FOUND),
	       "UNKNOWN_PRODUCT", "unknown product");
	CHECK(it_sql_int(h, "SELECT count(*) FROM service_items s JOIN products p"
			 " USING (product_id) WHERE p.sku = 'SKU-APPLE'") == 0,
	      "SKU-APPLE still not a service");
	check_card(h, card, 5);
	expect(kc_service_item_put(admin, sku_of(h, card), 5, 0, false, NULL, &r), &r, S(OK), "",
	       "withdraw the service");
	before = it_sql_int(h, "SELECT count(*) FROM transactions");
	r = sell(kc, sku_of(h, card), 1, member, 5000);
	CHECK(r != NULL && kc_status(r) == S(FAILED_PRECONDITION) &&
	      strcmp(kc_detail(r), "SERVICE_INACTIVE") == 0, "a withdrawn service is not sold: %s",
	      r ? kc_detail(r) : "no answer");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions") == before, "nothing written");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'service_item.put' AND"
			 " subject = 'product:' || (SELECT product_id FROM count_cards"
			 " WHERE card_id = %lld)", (long long)card) == 2, "both puts audited");
out:
	kc_free(admin);
	kc_free(kc);
}

/* Guards: base-wide, every card's balance equals its ledger and none is below zero. */
static void test_ledger_invariant(Harness *h)
{
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards c WHERE remaining <>"
			 " (SELECT coalesce(sum(visits), 0) FROM card_ledger l"
			 "  WHERE l.member_id = c.member_id AND l.card_id = c.card_id)"
			 " OR remaining < 0") == 0, "no card whose balance differs from its ledger");
}

static const HarnessTest tests[] = {
	{ "sale_makes_card", test_sale_makes_card },
	{ "concurrent_redeem", test_concurrent_redeem },
	{ "refund_remainder", test_refund_remainder },
	{ "refund_line", test_refund_line },
	{ "expired", test_expired },
	{ "bad_input", test_bad_input },
	{ "ledger_invariant", test_ledger_invariant },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

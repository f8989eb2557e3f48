/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_count_cards: service items and count cards (次卡) through a real
 * kassad, PostgreSQL and TLS: a sale of a service item to a member makes
 * the card in the sale's transaction (and without a member is refused,
 * writing nothing); 32 tills redeeming one 10-visit card at once get
 * exactly 10 visits; the refund of the unused remainder pays the right
 * amount and shows in the till's shift; the sale line's refund voids an
 * unused card and is refused for a used one; bad input gets clear errors
 * and changes nothing; the expiry job (JobRun "card_expire", also kassad's
 * periodic loyalty jobs) takes an expired card's remaining visits through
 * one 'expire' ledger row, once however often and however many runs at
 * the same time, and leaves cards not yet expired alone. Every card's
 * balance equals the sum of its ledger.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "itest.h"
#include "kc_feed.h"

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

/* A card of visits (one unit at price), valid days (0 = never), sold to member: its id or 0. */
static int64_t card_for(Harness *h, KassaClient *kc, int64_t member, int32_t visits,
			int64_t price, int32_t days)
{
	Kassa__V1__Response *r;
	char sku[64];
	int64_t card = 0;

	if (!make_service(h, sku, price, visits, days))
		return 0;
	r = sell(kc, sku, 1, member, price);
	if (CHECK(r != NULL && kc_status(r) == S(OK) && r->transaction, "card sale: %s",
		  r ? kc_detail(r) : "no answer"))
		card = card_of(h, r->transaction->txn_id);
	kc_response_free(r);
	return card;
}

/* Redeem visits of card at kc's till; expect detail ("" = success). */
static void redeem_expect(KassaClient *kc, int64_t card, int32_t visits, const char *detail,
			  const char *what)
{
	Kassa__V1__Response *r = NULL;

	CHECK(kc_card_redeem(kc, card, 0, visits, NULL, &r) == KC_OK && r &&
	      strcmp(kc_detail(r), detail) == 0 &&
	      kc_status(r) == (detail[0] ? S(FAILED_PRECONDITION) : S(OK)), "%s: %s", what,
	      r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
}

/* Run the card expiry now with key (NULL: a fresh one): the JobDone's response, or NULL. */
static Kassa__V1__Response *expire_run(KassaClient *admin, const char *key)
{
	Kassa__V1__Response *r = NULL;

	if (kc_job_run(admin, "card_expire", key, &r) == KC_OK && r && kc_status(r) == S(OK) &&
	    r->job_done != NULL)
		return r;
	CHECK(false, "job run card_expire: %s %s", r ? kc_detail(r) : kc_last_error(admin),
	      r ? kc_message(r) : "");
	kc_response_free(r);
	return NULL;
}

/* The count of card's ledger rows of kind with visits (0 = any). */
static int64_t rows_of(Harness *h, int64_t card, const char *kind, int visits)
{
	return it_sql_int(h, "SELECT count(*) FROM card_ledger WHERE card_id = %lld AND kind = '%s'"
			  " AND (%d = 0 OR visits = %d)", (long long)card, kind, visits, visits);
}

/* Card's state in the member's card list (all), "" if it is not there. */
static const char *listed_state(KassaClient *kc, int64_t member, int64_t card, char out[16])
{
	Kassa__V1__Response *r = NULL;

	out[0] = '\0';
	if (kc_card_list(kc, member, true, &r) == KC_OK && r && r->count_card_list)
		for (size_t i = 0; i < r->count_card_list->n_cards; i++)
			if (r->count_card_list->cards[i]->card_id == card)
				snprintf(out, 16, "%s", r->count_card_list->cards[i]->state);
	kc_response_free(r);
	return out;
}

/*
 * Guards: the expiry job takes an expired card's remaining visits through its ledger, once:
 * a card of 5 visits with 2 redeemed and its expiry set in the past is refused CARD_EXPIRED;
 * JobRun "card_expire" writes one 'expire' row of -3 (remaining_after 0), remaining 0, state
 * 'expired' (still refused CARD_EXPIRED, its refund too); running it again, or retrying the
 * same key, writes nothing more; a card not yet expired, one that never expires and one used
 * up before its expiry are untouched. Every card's balance is its ledger's sum.
 */
static void test_expiry_job(Harness *h)
{
	KassaClient *kc = it_cashier(h), *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *mgr = it_login(h, "S001-T2", 2001, "9999");
	Kassa__V1__Response *r = NULL, *again = NULL;
	int64_t member, old, later, never, used, run;
	char phone[32], st[16], key[KC_KEY_LEN];

	if (kc == NULL || admin == NULL || mgr == NULL)
		goto out;
	member = it_register(h, kc, "Card Expiry", phone);
	old = card_for(h, kc, member, 5, 5000, 30);
	later = card_for(h, kc, member, 4, 4000, 30);
	never = card_for(h, kc, member, 2, 2000, 0);
	used = card_for(h, kc, member, 2, 2000, 30);
	if (!CHECK(old && later && never && used, "four cards sold"))
		goto out;
	redeem_expect(kc, old, 2, "", "2 visits of 5");
	redeem_expect(kc, used, 2, "", "both visits of the other");
	if (!it_sqlf(h, "UPDATE count_cards SET expires_at = now() - interval '1 day'"
		     " WHERE card_id IN (%lld, %lld)", (long long)old, (long long)used))
		goto out;
	redeem_expect(kc, old, 1, "CARD_EXPIRED", "past its expiry, before the job");
	CHECK(strcmp(listed_state(kc, member, old, st), "expired") == 0, "shown expired: %s", st);

	kc_new_key(key);
	if ((r = expire_run(admin, key)) == NULL)
		goto out;
	run = r->job_done->run_id;
	CHECK(strcmp(r->job_done->job, "card_expire") == 0 && run > 0 &&
	      r->job_done->finished_at[0] != '\0' && r->job_done->changed <= r->job_done->examined,
	      "JobDone of run %lld: %lld of %lld cards", (long long)run,
	      (long long)r->job_done->changed, (long long)r->job_done->examined);
	/* kassad's own timer (10 s after its start) or another test's run may have been first */
	CHECK(r->job_done->changed >= 1 ||
	      it_sql_int(h, "SELECT count(*) FROM job_runs WHERE kind = 'card_expire' AND"
			 " run_id <> %lld AND cards > 0", (long long)run) > 0,
	      "the run expired the card");
	CHECK(it_sql_int(h, "SELECT count(*) FROM job_runs WHERE run_id = %lld AND kind ="
			 " 'card_expire' AND staff_id = 9001 AND finished_at IS NOT NULL AND"
			 " cards = %lld", (long long)run, (long long)r->job_done->changed) == 1,
	      "recorded in job_runs as the admin's, with its count");
	check_card(h, old, 0);
	CHECK(rows_of(h, old, "expire", -3) == 1 && rows_of(h, old, "expire", 0) == 1,
	      "one 'expire' row of -3");
	CHECK(it_sql_int(h, "SELECT count(*) FROM card_ledger WHERE card_id = %lld AND kind ="
			 " 'expire' AND remaining_after = 0 AND till_id = 0 AND staff_id = 0",
			 (long long)old) == 1, "remaining_after 0, written by no till");
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards WHERE card_id = %lld AND state ="
			 " 'expired'", (long long)old) == 1, "the card is closed 'expired'");
	CHECK(strcmp(listed_state(kc, member, old, st), "expired") == 0, "still shown expired: %s",
	      st);
	redeem_expect(kc, old, 1, "CARD_EXPIRED", "after the job");
	CHECK(kc_card_refund(mgr, old, NULL, &again) == KC_OK && again &&
	      strcmp(kc_detail(again), "CARD_EXPIRED") == 0, "no refund of an expired card: %s",
	      again ? kc_detail(again) : "");
	kc_response_free(again);
	again = NULL;

	/* the same key answers the same run; another run finds nothing more to do */
	CHECK(kc_job_run(admin, "card_expire", key, &again) == KC_OK && it_same_response(r, again),
	      "a retry answers the same run");
	kc_response_free(again);
	again = expire_run(admin, NULL);
	CHECK(again && again->job_done->run_id != run, "a second run");
	CHECK(rows_of(h, old, "expire", 0) == 1, "still one 'expire' row");
	check_card(h, old, 0);

	check_card(h, later, 4);
	check_card(h, never, 2);
	check_card(h, used, 0);
	CHECK(rows_of(h, later, "expire", 0) + rows_of(h, never, "expire", 0) +
	      rows_of(h, used, "expire", 0) == 0, "no 'expire' row for the others");
	CHECK(strcmp(listed_state(kc, member, later, st), "active") == 0, "not yet expired: %s",
	      st);
	CHECK(strcmp(listed_state(kc, member, used, st), "used_up") == 0, "used up stays so: %s",
	      st);
	redeem_expect(kc, later, 1, "", "a card not yet expired is redeemed");
	check_card(h, later, 3);
out:
	kc_response_free(again);
	kc_response_free(r);
	kc_free(mgr);
	kc_free(admin);
	kc_free(kc);
}

#define EXPIRY_CARDS 450	/* more than a batch of kassad's (200): three batches */
#define EXPIRY_SQL_BATCH 7	/* the SQL racers' batches: many statements between kassad's */

typedef struct Expirer {
	Harness *h;
	KassaClient *kc;		/* owned: a JobRun through kassad; NULL = straight SQL */
	pthread_barrier_t *start;
	bool ok;			/* its run finished */
	int64_t cards;			/* the cards it says it expired */
} Expirer;

/* A second kassad, as it were: the batch function in a loop on its own connection. */
static void expirer_sql(Expirer *e)
{
	PGconn *pg = PQconnectdb(e->h->conninfo);
	int64_t after = 0;
	bool more = true;

	pthread_barrier_wait(e->start);
	e->ok = PQstatus(pg) == CONNECTION_OK;
	while (e->ok && more) {
		char q[160];
		PGresult *res;

		snprintf(q, sizeof(q), "SELECT out_more, out_last, out_cards FROM"
			 " kassa_card_expire_due(%d, %lld)", EXPIRY_SQL_BATCH, (long long)after);
		res = PQexec(pg, q);
		e->ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
		if (e->ok) {
			more = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
			after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
			e->cards += strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		} else {
			fprintf(stderr, "kassa_card_expire_due: %s", PQerrorMessage(pg));
		}
		PQclear(res);
	}
	PQfinish(pg);
}

static void *expirer_main(void *arg)
{
	Expirer *e = arg;
	Kassa__V1__Response *r = NULL;

	if (e->kc == NULL) {
		expirer_sql(e);
		return NULL;
	}
	pthread_barrier_wait(e->start);
	e->ok = kc_job_run(e->kc, "card_expire", NULL, &r) == KC_OK && r &&
		kc_status(r) == S(OK) && r->job_done;
	if (e->ok)
		e->cards = r->job_done->changed;
	kc_response_free(r);
	return NULL;
}

/*
 * Guards: runs of the expiry at the same time expire each card exactly once: two JobRuns
 * through kassad (batches of 200) and two loops of the batch function on their own
 * connections (batches of 7, as another kassad would) start together on 450 expired cards;
 * afterwards every card has exactly one 'expire' row of its remainder and remaining 0 = its
 * ledger's sum. (The runs' own counts are not compared: kassad's timer, 10 s after its
 * start, and other tests' runs may take some of the cards.)
 */
static void test_expiry_concurrent(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Expirer ex[4];
	pthread_t th[4];
	pthread_barrier_t start;
	int64_t member, base;

	if (kc == NULL || (base = member_card(h, kc, 3, 3000, &member)) == 0) {
		kc_free(kc);
		return;
	}
	kc_free(kc);
	/* the other cards in SQL, as the sale would make them: the same sale, lines 101.. */
	if (!it_sqlf(h, "WITH c AS (INSERT INTO count_cards (member_id, product_id, txn_id, line_no,"
		     " store_id, visits, remaining, paid_minor, currency, expires_at, created_at)"
		     " SELECT member_id, product_id, txn_id, 100 + g, store_id, 3, 3, 0, currency,"
		     " now() - interval '1 hour', created_at FROM count_cards,"
		     " generate_series(1, %d) g WHERE card_id = %lld RETURNING member_id, card_id,"
		     " visits) INSERT INTO card_ledger (member_id, card_id, kind, visits,"
		     " remaining_after) SELECT member_id, card_id, 'purchase', visits, visits FROM c",
		     EXPIRY_CARDS - 1, (long long)base) ||
	    !it_sqlf(h, "UPDATE count_cards SET expires_at = now() - interval '1 hour'"
		     " WHERE card_id = %lld", (long long)base))
		return;
	pthread_barrier_init(&start, NULL, 4);
	for (int i = 0; i < 4; i++)
		ex[i] = (Expirer){ h, i < 2 ? it_login(h, "HQ-OFFICE-1", 9001, "0000") : NULL,
				   &start, false, 0 };
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, expirer_main, &ex[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < 4; i++) {
		CHECK(ex[i].ok, "expirer %d finished (%lld cards)", i, (long long)ex[i].cards);
		kc_free(ex[i].kc);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards WHERE member_id = %lld",
			 (long long)member) == EXPIRY_CARDS, "%d cards", EXPIRY_CARDS);
	CHECK(it_sql_int(h, "SELECT count(*) FROM count_cards c WHERE member_id = %lld AND"
			 " (state <> 'expired' OR remaining <> 0 OR (SELECT count(*) FROM card_ledger l"
			 "  WHERE l.member_id = c.member_id AND l.card_id = c.card_id AND l.kind ="
			 "  'expire' AND l.visits = -3 AND l.remaining_after = 0) <> 1)",
			 (long long)member) == 0, "every card expired once, with one row of -3");
	CHECK(it_sql_int(h, "SELECT count(*) FROM card_ledger WHERE member_id = %lld AND kind ="
			 " 'expire'", (long long)member) == EXPIRY_CARDS, "%d 'expire' rows in all",
	      EXPIRY_CARDS);
	test_ledger_invariant(h);
}

static const HarnessTest tests[] = {
	{ "sale_makes_card", test_sale_makes_card },
	{ "concurrent_redeem", test_concurrent_redeem },
	{ "refund_remainder", test_refund_remainder },
	{ "refund_line", test_refund_line },
	{ "bad_input", test_bad_input },
	{ "expiry_job", test_expiry_job },
	{ "expiry_concurrent", test_expiry_concurrent },
	{ "ledger_invariant", test_ledger_invariant },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

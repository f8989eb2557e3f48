/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_exactly_once: retries and concurrent duplicates of one checkout make
 * one sale, and many tills selling to one member at once lose nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define RETRIES 20
#define AT_ONCE 16
#define TILLS 16
#define SALES_PER_TILL 10

static KcLine basket[] = { { "SKU-APPLE", 2, false }, { "SKU-RICE", 1, false },
			   { "SKU-TEA", 3, false } };
static KcTender pay[] = { { CASH, 20000, NULL } };	/* 130.00 due, 70.00 change */

/* Guards: a retried checkout returns the first answer and writes nothing more. */
static void test_retry_in_a_row(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char phone[32], key[KC_KEY_LEN];
	Kassa__V1__Response *first = NULL;
	int64_t id;
	int same = 0;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Retry Member", phone);
	kc_new_key(key);
	for (int i = 0; i < RETRIES; i++) {
		Kassa__V1__Response *r = NULL;

		if (kc_checkout(kc, &(KcSale){ basket, 3, id, pay, 1, 0, NULL, 0 },
				key, false, &r) != KC_OK ||
		    kc_status(r) != KASSA__V1__STATUS_CODE__OK) {
			CHECK(false, "attempt %d: %s", i, r ? kc_message(r) : kc_last_error(kc));
			kc_response_free(r);
			continue;
		}
		if (first == NULL) {
			first = r;
			same++;
			continue;
		}
		same += it_same_response(first, r);
		kc_response_free(r);
	}
	CHECK(same == RETRIES, "%d of %d answers identical", same, RETRIES);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1, "one transaction");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld",
			 (long long)id) == 1, "one ledger row");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) == 13, "13 points once");

	/* the same key with another body is refused, not replayed */
	Kassa__V1__Response *r = NULL;
	KcLine other[] = { { "SKU-WATER", 1, false } };
	CHECK(kc_checkout(kc, &(KcSale){ other, 1, id, pay, 1, 0, NULL, 0 },
			  key, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__ABORTED &&
	      strcmp(kc_detail(r), "IDEMPOTENCY_KEY_REUSED") == 0, "reused key refused: %s",
	      r ? kc_detail(r) : "");
	kc_response_free(r);
	kc_response_free(first);
	kc_free(kc);
}

typedef struct Racer {
	Harness *h;
	const char *key;
	int64_t member;
	Kassa__V1__Response *resp;	/* owned */
	pthread_barrier_t *start;
	KassaClient *kc;
} Racer;

static void *racer_main(void *arg)
{
	Racer *rc = arg;

	pthread_barrier_wait(rc->start);
	if (rc->kc && kc_checkout(rc->kc, &(KcSale){ basket, 3, rc->member, pay, 1, 0, NULL, 0 },
				  rc->key, false, &rc->resp) != KC_OK)
		rc->resp = NULL;
	return NULL;
}

/* Guards: 16 copies of one checkout arriving at once make one sale. */
static void test_duplicates_at_once(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Racer rc[AT_ONCE];
	pthread_t th[AT_ONCE];
	pthread_barrier_t start;
	char phone[32], key[KC_KEY_LEN];
	int64_t id;
	int ok = 0, same = 0;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Race Member", phone);
	kc_free(kc);
	kc_new_key(key);
	pthread_barrier_init(&start, NULL, AT_ONCE);
	for (int i = 0; i < AT_ONCE; i++) {
		rc[i] = (Racer){ h, key, id, NULL, &start, it_cashier(h) };
		pthread_create(&th[i], NULL, racer_main, &rc[i]);
	}
	for (int i = 0; i < AT_ONCE; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < AT_ONCE; i++) {
		if (rc[i].resp && kc_status(rc[i].resp) == KASSA__V1__STATUS_CODE__OK) {
			ok++;
			same += it_same_response(rc[0].resp, rc[i].resp);
		}
	}
	CHECK(ok == AT_ONCE, "%d of %d duplicates answered OK", ok, AT_ONCE);
	CHECK(same == AT_ONCE, "%d of %d answers identical", same, AT_ONCE);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1, "one transaction");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld",
			 (long long)id) == 1, "one ledger row");
	for (int i = 0; i < AT_ONCE; i++) {
		kc_response_free(rc[i].resp);
		kc_free(rc[i].kc);
	}
	pthread_barrier_destroy(&start);
}

typedef struct Till {
	KassaClient *kc;
	int64_t member;
	int ok;
	int64_t total;		/* sum of the totals the server reported */
	pthread_barrier_t *start;
} Till;

static void *till_main(void *arg)
{
	Till *t = arg;

	pthread_barrier_wait(t->start);
	for (int i = 0; t->kc && i < SALES_PER_TILL; i++) {
		char key[KC_KEY_LEN];
		Kassa__V1__Response *r = NULL;
		KcLine lines[] = { { "SKU-TEA", 1 + i % 4, false }, { "SKU-WATER", 1, false } };
		KcTender cash[] = { { CASH, 10000, NULL } };

		kc_new_key(key);
		if (kc_checkout(t->kc, &(KcSale){ lines, 2, t->member, cash, 1, 0, NULL, 0 },
				key, false, &r) == KC_OK &&
		    kc_status(r) == KASSA__V1__STATUS_CODE__OK) {
			t->ok++;
			t->total += r->transaction->total_minor;
		}
		kc_response_free(r);
	}
	return NULL;
}

/* Guards: concurrent sales to one member lose no points and no spend. */
static void test_one_member_many_tills(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Till t[TILLS];
	pthread_t th[TILLS];
	pthread_barrier_t start;
	char phone[32];
	int64_t id, ok = 0, total = 0;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Busy Member", phone);
	kc_free(kc);
	pthread_barrier_init(&start, NULL, TILLS);
	for (int i = 0; i < TILLS; i++) {
		t[i] = (Till){ it_login(h, i % 2 ? "S001-T2" : "S001-T1", 1001, "1234"), id, 0, 0,
			       &start };
		pthread_create(&th[i], NULL, till_main, &t[i]);
	}
	for (int i = 0; i < TILLS; i++) {
		pthread_join(th[i], NULL);
		ok += t[i].ok;
		total += t[i].total;
		kc_free(t[i].kc);
	}
	pthread_barrier_destroy(&start);
	CHECK(ok == TILLS * SALES_PER_TILL, "%lld of %d sales succeeded", (long long)ok,
	      TILLS * SALES_PER_TILL);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == ok, "every sale recorded");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) ==
	      it_sql_int(h, "SELECT coalesce(sum(points), 0) FROM points_ledger WHERE member_id = %lld",
			 (long long)id), "balance equals ledger sum");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) ==
	      it_sql_int(h, "SELECT coalesce(sum(total_minor / 1000), 0) FROM transactions"
			 " WHERE member_id = %lld", (long long)id), "balance equals earn rule per sale");
	CHECK(it_sql_int(h, "SELECT cumulative_spend_minor FROM members WHERE member_id = %lld",
			 (long long)id) == total, "cumulative spend equals the sum of the sales");
	CHECK(it_sql_int(h, "SELECT coalesce(sum(total_minor), 0) FROM transactions"
			 " WHERE member_id = %lld", (long long)id) == total,
	      "stored totals equal what the tills were told");
}

/* Guards: every member's balances equal their ledger and sales, base-wide. */
static void test_ledger_invariant(Harness *h)
{
	CHECK(it_sql_int(h, "SELECT count(*) FROM members m WHERE points_balance <>"
			 " (SELECT coalesce(sum(points), 0) FROM points_ledger l"
			 "  WHERE l.member_id = m.member_id)") == 0,
	      "no member whose balance differs from the ledger sum");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members m WHERE cumulative_spend_minor <>"
			 " (SELECT coalesce(sum(total_minor), 0) FROM transactions t"
			 "  WHERE t.member_id = m.member_id AND t.kind = 'sale')"
			 " - (SELECT coalesce(sum(r.amount_minor), 0) FROM refunds r"
			 "  JOIN transactions t USING (txn_id) WHERE t.member_id = m.member_id)") == 0,
	      "no member whose spend differs from the sum of their sales");
}

static const HarnessTest tests[] = {
	{ "retry_in_a_row", test_retry_in_a_row },
	{ "duplicates_at_once", test_duplicates_at_once },
	{ "one_member_many_tills", test_one_member_many_tills },
	{ "ledger_invariant", test_ledger_invariant },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

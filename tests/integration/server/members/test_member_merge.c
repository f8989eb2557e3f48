/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_merge: MemberMerge (merge.c, member_merge.sql).
 *
 * under_sales: tills (threads, each its own connection) check out for both
 * members, with points redemptions and stored value, while an
 * administrator merges one into the other. Every answer is a sale or a
 * refusal a cashier can meet (MEMBER_MERGED for the merged record once the
 * merge committed); afterwards every acknowledged sale is on the survivor,
 * the survivor's spend is exactly the sum of those sales, its points
 * balance equals its ledger and its open lots, its wallet its ledger, and
 * the merged record holds nothing.
 * replay_and_refusals: the same key answers the same; a second merge of
 * the pair, the same id, a missing or erased member are refused; the merge
 * is audited with counts and no personal value; a look-up by the merged
 * record's phone answers the survivor.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"
#include "kc_merge.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_FP KASSA__V1__STATUS_CODE__FAILED_PRECONDITION
#define WORKERS 3
#define MAX_SALES 2048
#define AFTER_MERGE 15		/* sales each worker tries once the merge answered */

typedef struct Shared {
	Harness *h;
	int64_t keep, merge;
	volatile int merged;		/* set by the main thread once the merge answered */
	volatile int started;		/* sales acknowledged so far, all workers (approx.) */
} Shared;

typedef struct Worker {
	Shared *s;
	unsigned seed;
	int64_t txns[MAX_SALES];
	int64_t totals;			/* sum of the acknowledged sales' totals */
	int n_txns, refused_merged, unexpected;
	char first_unexpected[256];
} Worker;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

/* Refusals of a race on a member: nothing written, the cashier retries. */
static bool expected(const Kassa__V1__Response *r)
{
	static const char *ok[] = { "INSUFFICIENT_POINTS", "INSUFFICIENT_STORED_VALUE",
				    "POINTS_OVER_CAP", "STALE_PRICING", "MEMBER_MERGED" };

	if (!r || kc_status(r) != ST_FP)
		return false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(kc_detail(r), ok[i]) == 0)
			return true;
	return false;
}

static void one_sale(Worker *w, KassaClient *kc)
{
	KcLine lines[1] = { { "SKU-RICE", 1, false } };
	KcTender pay[2];
	KcSale sale = { lines, 1, 0, pay, 0, 0, NULL, 0 };
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	KcResult kr;

	sale.member_id = rand_r(&w->seed) % 2 ? w->s->keep : w->s->merge;
	if (rand_r(&w->seed) % 2)
		sale.points_redeem = 100;
	if (rand_r(&w->seed) % 3 == 0)
		pay[sale.ntenders++] = (KcTender){ STORED, 500, NULL };
	pay[sale.ntenders++] = (KcTender){ CASH, 100000, NULL };
	kc_new_key(key);
	kr = kc_checkout(kc, &sale, key, false, &r);
	if (kr == KC_OK && is(r, ST_OK, NULL) && r->transaction) {
		if (w->n_txns < MAX_SALES)
			w->txns[w->n_txns++] = r->transaction->txn_id;
		w->totals += r->transaction->total_minor;
		__atomic_add_fetch(&w->s->started, 1, __ATOMIC_RELAXED);
	} else if (kr == KC_OK && expected(r)) {
		if (strcmp(kc_detail(r), "MEMBER_MERGED") == 0)
			w->refused_merged++;
	} else if (w->unexpected++ == 0) {
		snprintf(w->first_unexpected, sizeof(w->first_unexpected), "%s %s",
			 kr == KC_OK ? kc_detail(r) : "transport",
			 kr == KC_OK ? kc_message(r) : kc_last_error(kc));
	}
	kc_response_free(r);
}

static void *worker_main(void *arg)
{
	Worker *w = arg;
	KassaClient *kc = it_login(w->s->h, "BENCH-1", 1901, "1234");
	int64_t deadline = now_ms() + 120000;
	int after = 0;

	if (kc == NULL) {
		w->unexpected++;
		snprintf(w->first_unexpected, sizeof(w->first_unexpected), "no login on BENCH-1");
		return NULL;
	}
	while (after < AFTER_MERGE && now_ms() < deadline) {
		if (__atomic_load_n(&w->s->merged, __ATOMIC_ACQUIRE))
			after++;
		one_sale(w, kc);
	}
	kc_free(kc);
	return NULL;
}

/* Two fresh members with points and stored value each. */
static bool two_members(Harness *h, KassaClient *cashier, int64_t *keep, int64_t *merge,
			char keep_phone[32], char merge_phone[32])
{
	*keep = it_register(h, cashier, "Merge Keep", keep_phone);
	*merge = it_register(h, cashier, "Merge Other", merge_phone);
	return CHECK(*keep > 0 && *merge > 0, "two members") &&
	       it_give_points(h, *keep, 3000, 30) && it_give_points(h, *merge, 5000, 60) &&
	       it_give_wallet(h, *keep, 20000) && it_give_wallet(h, *merge, 30000);
}

static void check_after(Harness *h, const Shared *s, Worker *w)
{
	int64_t sum = 0, n = 0;
	char ids[MAX_SALES * WORKERS * 21 + 8];
	size_t len = 0;

	ids[len++] = '{';
	for (int i = 0; i < WORKERS; i++) {
		sum += w[i].totals;
		for (int j = 0; j < w[i].n_txns; j++, n++)
			len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%lld",
						n ? "," : "", (long long)w[i].txns[j]);
	}
	snprintf(ids + len, sizeof(ids) - len, "}");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = ANY('%s'::bigint[])"
			 " AND member_id = %lld", ids, (long long)s->keep) == n,
	      "all %lld acknowledged sales are the survivor's", (long long)n);
	CHECK(it_sql_int(h, "SELECT cumulative_spend_minor FROM members WHERE member_id = %lld",
			 (long long)s->keep) == sum, "survivor's spend = the sales' sum %lld",
	      (long long)sum);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)s->merge) == 0, "the merged record has no sale");
	CHECK(it_sql_int(h, "SELECT points_balance + cumulative_spend_minor + points_earned_total"
			 " FROM members WHERE member_id = %lld", (long long)s->merge) == 0,
	      "the merged record holds nothing");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld",
			 (long long)s->merge) == 0, "no ledger row left on the merged record");
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallets WHERE member_id = %lld",
			 (long long)s->merge) == 0, "the merged wallet is gone");
	it_check_ledgers(h, s->keep);
	it_check_ledgers(h, s->merge);
	CHECK(it_sql_int(h, "SELECT merged_into FROM members WHERE member_id = %lld",
			 (long long)s->merge) == s->keep, "merged_into names the survivor");
}

static void test_under_sales(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Shared s = { h, 0, 0, 0, 0 };
	Worker *w = calloc(WORKERS, sizeof(*w));
	pthread_t t[WORKERS];
	Kassa__V1__Response *r = NULL;
	char kp[32], mp[32], key[KC_KEY_LEN];
	int64_t deadline, before_sales;
	int refused = 0;

	if (!CHECK(cashier && admin && w, "logins") ||
	    !two_members(h, cashier, &s.keep, &s.merge, kp, mp))
		goto out;
	before_sales = it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id IN"
				  " (%lld, %lld)", (long long)s.keep, (long long)s.merge);
	for (int i = 0; i < WORKERS; i++) {
		w[i].s = &s;
		w[i].seed = (unsigned)(1000 + i * 7919);
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	/* merge while the sales run: once some have been acknowledged */
	deadline = now_ms() + 60000;
	while (__atomic_load_n(&s.started, __ATOMIC_RELAXED) < 20 && now_ms() < deadline)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);	/* a poll */
	kc_new_key(key);
	CHECK(kc_member_merge(admin, s.keep, s.merge, "duplicate card", key, &r) == KC_OK &&
	      is(r, ST_OK, NULL) && r->member_merged, "merge: %s %s",
	      r ? kc_detail(r) : kc_last_error(admin), r ? kc_message(r) : "");
	if (r && r->member_merged)
		CHECK(r->member_merged->points_entries >= before_sales &&
		      r->member_merged->keep_member_id == s.keep, "the merge's counts");
	kc_response_free(r);
	__atomic_store_n(&s.merged, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		refused += w[i].refused_merged;
		CHECK(w[i].unexpected == 0, "worker %d: %d unexpected answers, first: %s", i,
		      w[i].unexpected, w[i].first_unexpected);
	}
	CHECK(refused > 0, "sales naming the merged record after the merge were refused");
	check_after(h, &s, w);
out:
	free(w);
	kc_free(admin);
	kc_free(cashier);
}

static void test_replay_and_refusals(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r1 = NULL, *r2 = NULL, *r3 = NULL;
	Kassa__V1__MemberGet g = KASSA__V1__MEMBER_GET__INIT;
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	int64_t keep, merge, third;
	char kp[32], mp[32], tp[32], key[KC_KEY_LEN], key2[KC_KEY_LEN];

	if (!CHECK(cashier && admin, "logins") || !two_members(h, cashier, &keep, &merge, kp, mp))
		goto out;
	kc_new_key(key);
	CHECK(kc_member_merge(admin, keep, merge, "same person", key, &r1) == KC_OK &&
	      is(r1, ST_OK, NULL), "merge");
	CHECK(kc_member_merge(admin, keep, merge, "same person", key, &r2) == KC_OK &&
	      is(r2, ST_OK, NULL) && it_same_response(r1, r2), "the same key answers the same");
	if (r2 && r2->member_merged)
		CHECK(r2->member_merged->points_balance == 8000 &&
		      r2->member_merged->stored_value_minor == 50000,
		      "balances added: %lld points, %lld stored",
		      (long long)r2->member_merged->points_balance,
		      (long long)r2->member_merged->stored_value_minor);
	kc_new_key(key2);
	CHECK(kc_member_merge(admin, keep, merge, "same person", key2, &r3) == KC_OK &&
	      is(r3, ST_FP, "MEMBER_ALREADY_MERGED"), "a second merge of the pair is refused");
	kc_response_free(r3);
	r3 = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'member.merge'"
			 " AND subject = 'member:%lld' AND (detail->>'keep_member_id')::bigint = %lld"
			 " AND detail ? 'transactions' AND detail::text NOT LIKE '%%%s%%'",
			 (long long)merge, (long long)keep, mp + 1) == 1,
	      "audited once, with counts and no phone");
	it_check_ledgers(h, keep);

	/* a till's look-up by the merged record's phone answers the survivor */
	g.by_case = KASSA__V1__MEMBER_GET__BY_PHONE;
	g.phone = mp;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_GET;
	req.member_get = &g;
	CHECK(kc_call(cashier, &req, &r3) == KC_OK && is(r3, ST_OK, NULL) && r3->member &&
	      r3->member->member_id == keep, "the merged phone finds the survivor");
	kc_response_free(r3);
	r3 = NULL;

	third = it_register(h, cashier, "Merge Third", tp);
	kc_new_key(key2);
	CHECK(kc_member_merge(admin, third, third, "x", key2, &r3) == KC_OK &&
	      is(r3, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "SAME_MEMBER"), "same id refused");
	kc_response_free(r3);
	r3 = NULL;
	kc_new_key(key2);
	CHECK(kc_member_merge(admin, third, 999999999999, "x", key2, &r3) == KC_OK &&
	      is(r3, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND"), "missing refused");
	kc_response_free(r3);
	r3 = NULL;
	kc_new_key(key2);
	CHECK(kc_member_merge(admin, merge, third, "x", key2, &r3) == KC_OK &&
	      is(r3, ST_FP, "MEMBER_ALREADY_MERGED"), "into a merged record refused");
	kc_response_free(r3);
	r3 = NULL;
	it_sqlf(h, "UPDATE members SET erased_at = now() WHERE member_id = %lld", (long long)third);
	kc_new_key(key2);
	CHECK(kc_member_merge(admin, keep, third, "x", key2, &r3) == KC_OK &&
	      is(r3, ST_FP, "MEMBER_ERASED_MERGE"), "an erased member refused");
	kc_new_key(key2);
out:
	kc_response_free(r1);
	kc_response_free(r2);
	kc_response_free(r3);
	kc_free(admin);
	kc_free(cashier);
}

/*
 * The survivor has no wallet (it is made), and the merged record owes
 * points (a clawback debt: balance below zero, no lots): the debt is repaid
 * from the survivor's lots, so the lots hold exactly the summed balance.
 */
static void test_wallet_and_debt(Harness *h)
{
	KassaClient *cashier = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	int64_t keep, merge;
	char kp[32], mp[32], key[KC_KEY_LEN];

	if (!CHECK(cashier && admin, "logins"))
		goto out;
	keep = it_register(h, cashier, "Merge Lots", kp);
	merge = it_register(h, cashier, "Merge Debt", mp);
	if (!CHECK(keep > 0 && merge > 0, "two members") || !it_give_points(h, keep, 1000, 30) ||
	    !it_give_wallet(h, merge, 7000))
		goto out;
	it_sqlf(h, "WITH l AS (INSERT INTO points_ledger (member_id, kind, points)"
		" VALUES (%lld, 'adjust', -300) RETURNING points)"
		" UPDATE members SET points_balance = points_balance + (SELECT points FROM l)"
		" WHERE member_id = %lld", (long long)merge, (long long)merge);
	/* a complaint with its note and a follow-up of the merged record move too */
	it_sqlf(h, "WITH c AS (INSERT INTO complaints (member_id, store_id, category, description,"
		" opened_by, opened_till, source) SELECT %lld, s.store_id, 'other', 'merge test',"
		" 1001, t.till_id, 'office' FROM stores s, tills t LIMIT 1 RETURNING complaint_id)"
		" INSERT INTO complaint_notes (member_id, complaint_id, note_no, staff_id, to_status)"
		" SELECT %lld, complaint_id, 1, 1001, 'open' FROM c", (long long)merge,
		(long long)merge);
	it_sqlf(h, "INSERT INTO followups (member_id, store_id, rule, kind, source, due_on)"
		" SELECT %lld, store_id, 'merge-test', 'lapsed', 'merge-test', current_date"
		" FROM stores LIMIT 1", (long long)merge);
	kc_new_key(key);
	CHECK(kc_member_merge(admin, keep, merge, "debt", key, &r) == KC_OK &&
	      is(r, ST_OK, NULL) && r->member_merged->points_balance == 700 &&
	      r->member_merged->stored_value_minor == 7000, "merged: %s",
	      r ? kc_detail(r) : kc_last_error(admin));
	CHECK(it_sql_int(h, "SELECT sum(remaining) FROM points_lots WHERE member_id = %lld",
			 (long long)keep) == 700, "the lots hold the summed balance");
	CHECK(it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)keep) == 7000, "the survivor's wallet was made");
	it_check_ledgers(h, keep);
	it_check_ledgers(h, merge);
	CHECK(it_sql_int(h, "SELECT (SELECT count(*) FROM complaints WHERE member_id = %lld)"
			 " + (SELECT count(*) FROM complaint_notes WHERE member_id = %lld)"
			 " + (SELECT count(*) FROM followups WHERE member_id = %lld)",
			 (long long)keep, (long long)keep, (long long)keep) == 3,
	      "the complaint, its note and the follow-up are the survivor's");
out:
	kc_response_free(r);
	kc_free(admin);
	kc_free(cashier);
}

static const HarnessTest tests[] = {
	{ "under_sales", test_under_sales },
	{ "replay_and_refusals", test_replay_and_refusals },
	{ "wallet_and_debt", test_wallet_and_debt },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

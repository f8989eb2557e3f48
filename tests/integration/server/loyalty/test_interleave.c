/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_interleave: checkouts (with points, coupons and stored value),
 * refunds, top-ups and expiry runs from many tills at once on a few
 * members, for KASSA_INTERLEAVE_SECONDS (default 60). Every answer must be
 * a success or one of the refusals a cashier can meet; afterwards every
 * balance equals its ledger, no redemption drove a balance below zero, the
 * lots hold exactly the positive balance, every wallet equals its ledger
 * and is never negative, and every refund matches the sale it refunds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define MEMBERS 4
#define WORKERS 6
#define MAX_SALES 4096

typedef struct Sale {
	int64_t txn_id;
	int n_lines;
	unsigned refunded;		/* bit i: line i + 1 refunded */
} Sale;

typedef struct Worker {
	Harness *h;
	int id;
	int64_t *members;
	int64_t deadline_us;
	unsigned seed;
	Sale sales[MAX_SALES];
	int n_sales;
	int ok[4], refused[4];		/* checkout, refund, top-up, expiry */
	int unexpected;
	char first_unexpected[256];
} Worker;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Refusals a cashier can meet when tills race on one member. STALE_PRICING:
 * the member's tier moved (a sale upgraded it, a refund took it down) under
 * every one of kassad's attempts to price the sale; STALE_REFUND: the
 * member's balances moved under every one of its attempts to compute a
 * refund (REFUND_MAX_ATTEMPTS; refunds also wait for the audit chain's
 * lock, which widens that window). Either way nothing was written and the
 * cashier retries.
 */
static bool expected_refusal(const char *detail)
{
	static const char *ok[] = { "INSUFFICIENT_POINTS", "INSUFFICIENT_STORED_VALUE",
				    "POINTS_OVER_CAP", "STALE_PRICING", "STALE_REFUND" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(detail, ok[i]) == 0)
			return true;
	return false;
}

/* Count an answer: 1 ok, 0 an expected refusal, -1 anything else (recorded). */
static int tally(Worker *w, int op, KcResult r, KassaClient *kc, Kassa__V1__Response *resp)
{
	if (r == KC_OK && kc_status(resp) == KASSA__V1__STATUS_CODE__OK) {
		w->ok[op]++;
		return 1;
	}
	if (r == KC_OK && kc_status(resp) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
	    expected_refusal(kc_detail(resp))) {
		w->refused[op]++;
		return 0;
	}
	if (w->unexpected++ == 0)
		snprintf(w->first_unexpected, sizeof(w->first_unexpected), "op %d: %s %s", op,
			 r == KC_OK ? kc_detail(resp) : "transport",
			 r == KC_OK ? kc_message(resp) : kc_last_error(kc));
	return -1;
}

static void do_checkout(Worker *w, KassaClient *kc)
{
	static const char *codes[] = { "SKU-APPLE", "SKU-MILK", "SKU-WATER", "SKU-TEA" };
	KcLine lines[3];
	KcTender pay[2];
	KcSale sale = { lines, 0, 0, pay, 0, 0, NULL, 0 };
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	KcResult r;

	/* SKU-RICE first keeps 100 points (10.00) under the cap even for Gold */
	lines[sale.nlines++] = (KcLine){ "SKU-RICE", 1, false };
	for (int i = rand_r(&w->seed) % 3; i > 0; i--)
		lines[sale.nlines++] = (KcLine){ codes[rand_r(&w->seed) % 4],
						 1 + rand_r(&w->seed) % 2, false };
	sale.member_id = w->members[rand_r(&w->seed) % MEMBERS];
	if (rand_r(&w->seed) % 2)
		sale.points_redeem = 100;
	if (rand_r(&w->seed) % 3 == 0)
		pay[sale.ntenders++] = (KcTender){ STORED, 1000 + rand_r(&w->seed) % 2000, NULL };
	pay[sale.ntenders++] = (KcTender){ CASH, 100000, NULL };	/* change from cash */
	kc_new_key(key);
	r = kc_checkout(kc, &sale, key, false, &resp);
	if (tally(w, 0, r, kc, resp) == 1 && w->n_sales < MAX_SALES) {
		Sale *s = &w->sales[w->n_sales++];

		s->txn_id = resp->transaction->txn_id;
		s->n_lines = (int)resp->transaction->n_lines;
		s->refunded = 0;
	}
	kc_response_free(resp);
}

static void do_refund(Worker *w, KassaClient *kc)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Refund rf = KASSA__V1__REFUND__INIT;
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];
	int32_t line;
	Sale *s = NULL;
	KcResult r;

	for (int tries = 0; tries < 8 && w->n_sales > 0; tries++) {
		Sale *c = &w->sales[rand_r(&w->seed) % w->n_sales];

		if (c->refunded != (1u << c->n_lines) - 1) {
			s = c;
			break;
		}
	}
	if (s == NULL)
		return;
	rf.txn_id = s->txn_id;
	if (rand_r(&w->seed) % 2) {	/* one line not refunded yet */
		do
			line = 1 + rand_r(&w->seed) % s->n_lines;
		while (s->refunded & (1u << (line - 1)));
		rf.n_line_nos = 1;
		rf.line_nos = &line;
	}
	rf.reason = "interleave";
	kc_new_key(key);
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_REFUND;
	req.refund = &rf;
	r = kc_call(kc, &req, &resp);
	if (tally(w, 1, r, kc, resp) == 1)
		s->refunded = rf.n_line_nos ? s->refunded | (1u << (line - 1))
					    : (1u << s->n_lines) - 1;
	kc_response_free(resp);
}

static void do_topup(Worker *w, KassaClient *kc)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TopUp tu = KASSA__V1__TOP_UP__INIT;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];

	tu.member_id = w->members[rand_r(&w->seed) % MEMBERS];
	tu.amount_minor = 1000 + rand_r(&w->seed) % 20000;
	t.kind = CASH;
	t.amount_minor = tu.amount_minor;
	t.reference = "";
	tu.n_tenders = 1;
	tu.tenders = &tp;
	kc_new_key(key);
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_TOP_UP;
	req.top_up = &tu;
	tally(w, 2, kc_call(kc, &req, &resp), kc, resp);
	kc_response_free(resp);
}

static void *worker_main(void *arg)
{
	Worker *w = arg;
	/* every worker is another connection of the bench till (one certificate) */
	KassaClient *kc = it_login(w->h, "BENCH-1", 1901, "1234");

	if (kc == NULL) {
		w->unexpected++;
		snprintf(w->first_unexpected, sizeof(w->first_unexpected), "no login on BENCH-1");
		return NULL;
	}
	while (now_us() < w->deadline_us) {
		int dice = rand_r(&w->seed) % 10;

		if (dice < 6)
			do_checkout(w, kc);
		else if (dice < 8)
			do_refund(w, kc);
		else
			do_topup(w, kc);
	}
	kc_free(kc);
	return NULL;
}

/* One expiry run through the protocol, as an administrator asks for it. */
static void run_expiry(Worker *w, KassaClient *kc)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__PointsExpire pe = KASSA__V1__POINTS_EXPIRE__INIT;
	Kassa__V1__Response *resp = NULL;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_POINTS_EXPIRE;
	req.points_expire = &pe;
	tally(w, 3, kc_call(kc, &req, &resp), kc, resp);
	kc_response_free(resp);
}

/*
 * The expiry runner: gives a member a lot that is already past its day
 * (ledger row and balance with it, under the member's lock, as a manager's
 * adjustment would: see it_give_points) and runs the expiry, again and again.
 */
static void *expirer_main(void *arg)
{
	Worker *w = arg;
	KassaClient *kc = it_login(w->h, "HQ-OFFICE-1", 9001, "0000");

	if (kc == NULL) {
		w->unexpected++;
		snprintf(w->first_unexpected, sizeof(w->first_unexpected), "no admin login");
		return NULL;
	}
	while (now_us() < w->deadline_us) {
		int64_t m = w->members[rand_r(&w->seed) % MEMBERS];

		/* like any earning, the 7 points first repay a clawback debt */
		if (!it_give_points(w->h, m, 7, -1)) {
			w->unexpected++;
			continue;
		}
		run_expiry(w, kc);
	}
	kc_free(kc);
	return NULL;
}

static void check_invariants(Harness *h, const int64_t *members, const char *ids)
{
	char state[1024], sql[512];

	snprintf(sql, sizeof(sql), "SELECT string_agg(member_id || ': balance ' || points_balance"
		 " || ', lots ' || (SELECT coalesce(sum(remaining), 0) FROM points_lots p"
		 " WHERE p.member_id = m.member_id), '; ' ORDER BY member_id) FROM members m"
		 " WHERE member_id IN (%s)", ids);
	if (harness_psql_scalar(h, sql, state, sizeof(state)))
		fprintf(stderr, "members: %s\n", state);
	/* balance = ledger, lots = the positive balance, wallet = its ledger and >= 0 */
	for (int i = 0; i < MEMBERS; i++)
		it_check_ledgers(h, members[i]);
	CHECK(it_sql_int(h, "SELECT count(*) FROM (SELECT kind, sum(points) OVER"
			 " (PARTITION BY member_id ORDER BY entry_id) AS running FROM points_ledger"
			 " WHERE member_id IN (%s)) x WHERE kind = 'redeem' AND running < 0", ids) == 0,
	      "no redemption drove a balance below zero");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_lots WHERE member_id IN (%s)"
			 " AND remaining > 0 AND expires_on < current_date", ids) == 0,
	      "no lot past its day still holds points");
	/* refunds: money back is the refunded lines' net, and per tender it adds up */
	CHECK(it_sql_int(h, "SELECT count(*) FROM refunds r JOIN transactions t USING (txn_id)"
			 " WHERE t.member_id IN (%s) AND r.amount_minor <> (SELECT coalesce(sum(l.net_minor), 0)"
			 " FROM refund_lines rl JOIN transaction_lines l ON l.txn_id = rl.txn_id"
			 " AND l.line_no = rl.line_no WHERE rl.refund_id = r.refund_id)", ids) == 0,
	      "every refund returns exactly its lines' net");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions t WHERE t.member_id IN (%s)"
			 " AND (SELECT coalesce(sum(amount_minor), 0) FROM refunds r"
			 " WHERE r.txn_id = t.txn_id) > t.total_minor", ids) == 0,
	      "no sale refunded for more than it took");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions t WHERE t.member_id IN (%s)"
			 " AND (SELECT coalesce(sum(points), 0) FROM points_ledger p"
			 " WHERE p.txn_id = t.txn_id AND p.kind = 'clawback') + t.points_earned < 0",
			 ids) == 0, "no refund clawed back more points than its sale earned");
}

static void test_interleave(Harness *h)
{
	const char *env = getenv("KASSA_INTERLEAVE_SECONDS");
	int seconds = env ? atoi(env) : 60;
	KassaClient *kc = it_cashier(h);
	static Worker w[WORKERS + 1];
	pthread_t th[WORKERS + 1];
	int64_t members[MEMBERS];
	char phone[32], ids[256] = "";
	int ok = 0, refused = 0, unexpected = 0, expirer_unexpected;

	if (kc == NULL)
		return;
	for (int i = 0; i < MEMBERS; i++) {
		members[i] = it_register(h, kc, "Interleave Member", phone);
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%lld", i ? "," : "",
			 (long long)members[i]);
		CHECK(members[i] > 0 && it_give_points(h, members[i], 2000, 400) &&
		      it_give_wallet(h, members[i], 50000), "member %d set up", i);
	}
	kc_free(kc);

	for (int i = 0; i <= WORKERS; i++) {
		w[i] = (Worker){ .h = h, .id = i, .members = members,
				 .deadline_us = now_us() + (int64_t)seconds * 1000000,
				 .seed = (unsigned)(i * 7919 + 17) };
		pthread_create(&th[i], NULL, i < WORKERS ? worker_main : expirer_main, &w[i]);
	}
	for (int i = 0; i <= WORKERS; i++) {
		pthread_join(th[i], NULL);
		for (int op = 0; op < 4; op++) {
			ok += w[i].ok[op];
			refused += w[i].refused[op];
		}
		unexpected += w[i].unexpected;
		if (w[i].unexpected)
			fprintf(stderr, "worker %d: %d unexpected, first: %s\n", i, w[i].unexpected,
				w[i].first_unexpected);
	}
	expirer_unexpected = w[WORKERS].unexpected;
	fprintf(stderr, "interleave %d s: %d ok, %d expected refusals;"
		" checkouts %d, refunds %d, top-ups %d, expiry runs %d\n", seconds, ok, refused,
		w[0].ok[0] + w[1].ok[0] + w[2].ok[0] + w[3].ok[0] + w[4].ok[0] + w[5].ok[0],
		w[0].ok[1] + w[1].ok[1] + w[2].ok[1] + w[3].ok[1] + w[4].ok[1] + w[5].ok[1],
		w[0].ok[2] + w[1].ok[2] + w[2].ok[2] + w[3].ok[2] + w[4].ok[2] + w[5].ok[2],
		w[WORKERS].ok[3]);
	/*
	 * A run skips members a sale holds at that moment (SKIP LOCKED) and
	 * leaves them to the next run; with the tills quiet, one more run must
	 * find every lot past its day.
	 */
	if ((kc = it_login(h, "HQ-OFFICE-1", 9001, "0000")) != NULL) {
		run_expiry(&w[WORKERS], kc);
		kc_free(kc);
	}
	unexpected += w[WORKERS].unexpected - expirer_unexpected;
	CHECK(unexpected == 0, "%d unexpected answers", unexpected);
	for (int op = 0; op < 4; op++) {
		int n = 0;

		for (int i = 0; i <= WORKERS; i++)
			n += w[i].ok[op];
		CHECK(n > 0, "operation %d succeeded at least once", op);
	}
	check_invariants(h, members, ids);
}

int main(int argc, char **argv)
{
	static const HarnessTest tests[] = {
		{ "interleave", test_interleave },
	};

	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

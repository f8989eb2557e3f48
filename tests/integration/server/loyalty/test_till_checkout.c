/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_till_checkout: the server side of the till's checkout (issue 8),
 * through kassad into PostgreSQL. A USD cash tender at a rate set by a
 * manager gives CNY change exact to the fen, and the rate is on the
 * stored tender (the answer, its replay, TransactionGet and the table);
 * a retired version (RATE_STALE), an unknown one (RATE_UNKNOWN) and a
 * wrong conversion (RATE_MISMATCH) write nothing. A claim code is claimed
 * and applied in one checkout, exactly once (a retry replays); two
 * concurrent checkouts with one max-1-per-member claim code make one sale.
 * A late sale 2 days old is stored with its time and earns points; one 8
 * days old is SALE_TOO_OLD and writes nothing. member_phone finds the
 * member; receipt_no finds the sale, and a second sale cannot take it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST(x) KASSA__V1__STATUS_CODE__##x

/* A till sale as the tests build it (strings borrowed). */
typedef struct Sale {
	const char *sku;
	int32_t qty;
	int64_t member_id;
	const char *member_phone;
	int64_t amount;			/* the tender's store amount (0 with a foreign one) */
	const char *currency;		/* "" = CNY */
	int64_t foreign;
	int32_t rate_version;
	const char *coupon;		/* NULL = none */
	const char *sold_at, *receipt_no;
	bool offline;
	int64_t sold_by;
} Sale;

static Kassa__V1__Response *checkout(Harness *h, KassaClient *kc, const Sale *s, const char *key)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	char *code = (char *)s->coupon;
	Kassa__V1__Response *r = NULL;

	(void)h;
	line.code = (char *)s->sku;
	line.quantity = s->qty;
	t.kind = CASH;
	t.amount_minor = s->amount;
	t.currency = (char *)(s->currency ? s->currency : "");
	t.foreign_minor = s->foreign;
	t.rate_version = s->rate_version;
	co.n_lines = 1;
	co.lines = &lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.member_id = s->member_id;
	co.member_phone = (char *)(s->member_phone ? s->member_phone : "");
	co.n_coupon_codes = code ? 1 : 0;
	co.coupon_codes = &code;
	co.sold_at = (char *)(s->sold_at ? s->sold_at : "");
	co.receipt_no = (char *)(s->receipt_no ? s->receipt_no : "");
	co.offline = s->offline;
	co.sold_by = s->sold_by;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	req.idempotency_key = (char *)key;
	if (!CHECK(kc_call(kc, &req, &r) == KC_OK, "checkout answered: %s", kc_last_error(kc)))
		return NULL;
	return r;
}

/* Set the rates (USD and HKD) as a manager; the new version, 0 on failure. */
static int32_t rates_set(Harness *h, int64_t usd, int64_t hkd)
{
	KassaClient *kc = it_login(h, "S001-T2", 2001, "9999");
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RatesSet rs = KASSA__V1__RATES_SET__INIT;
	Kassa__V1__ExchangeRate a = KASSA__V1__EXCHANGE_RATE__INIT, b = a, *v[2] = { &a, &b };
	Kassa__V1__Response *r = NULL, *again = NULL;
	char key[KC_KEY_LEN];
	int32_t version = 0;

	if (kc == NULL)
		return 0;
	a.currency = "USD";
	a.rate_micro = usd;
	b.currency = "HKD";
	b.rate_micro = hkd;
	rs.n_rates = 2;
	rs.rates = v;
	rs.note = "test";
	req.body_case = KASSA__V1__REQUEST__BODY_RATES_SET;
	req.rates_set = &rs;
	kc_new_key(key);
	req.idempotency_key = key;
	if (CHECK(kc_call(kc, &req, &r) == KC_OK && kc_status(r) == ST(OK) &&
		  r->rate_table != NULL && r->rate_table->n_rates == 2, "rates set: %s",
		  r ? kc_message(r) : kc_last_error(kc))) {
		version = r->rate_table->version;
		/* the same key again: the same version, not a new one */
		CHECK(kc_call(kc, &req, &again) == KC_OK && kc_status(again) == ST(OK) &&
		      again->rate_table->version == version, "RatesSet retried: same version");
		CHECK(strcmp(r->rate_table->store_currency, "CNY") == 0, "store currency CNY");
	}
	kc_response_free(r);
	kc_response_free(again);
	kc_free(kc);
	return version;
}

static bool status_is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *d)
{
	return r != NULL && kc_status(r) == code && strcmp(kc_detail(r), d) == 0;
}

static void refused(Harness *h, KassaClient *kc, const Sale *s, Kassa__V1__StatusCode code,
		    const char *detail)
{
	ItCounts before = it_counts(h);
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r;

	kc_new_key(key);
	r = checkout(h, kc, s, key);
	CHECK(status_is(r, code, detail), "expected %s, got %s (%s)", detail,
	      r ? kc_detail(r) : "-", r ? kc_message(r) : "");
	CHECK(it_same_counts(before, it_counts(h)), "%s: nothing written", detail);
	kc_response_free(r);
}

/* USD 13.37 at 7.2345 = CNY 96.725265: 96.72 paid, 86.72 change on a 10.00 tea. */
static void test_foreign_cash(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	int32_t v = rates_set(h, 7234500, 912300);
	Sale s = { .sku = "SKU-TEA", .qty = 1, .currency = "USD", .foreign = 1337,
		   .rate_version = v };
	Kassa__V1__Response *r, *again, *get;
	Kassa__V1__Request rq = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TransactionGet tg = KASSA__V1__TRANSACTION_GET__INIT;
	char key[KC_KEY_LEN];
	const Kassa__V1__TenderRecord *tr;

	if (kc == NULL || v == 0)
		return;
	kc_new_key(key);
	r = checkout(h, kc, &s, key);
	if (!CHECK(r && kc_status(r) == ST(OK), "USD sale: %s", r ? kc_message(r) : ""))
		goto out;
	tr = r->transaction->tenders[0];
	CHECK(r->transaction->total_minor == 1000 && r->transaction->tendered_minor == 9672 &&
	      r->transaction->change_minor == 8672, "96.72 tendered, 86.72 change: %lld / %lld",
	      (long long)r->transaction->tendered_minor, (long long)r->transaction->change_minor);
	CHECK(strcmp(tr->currency, "USD") == 0 && tr->foreign_minor == 1337 &&
	      tr->rate_micro == 7234500 && tr->rate_version == v && tr->amount_minor == 9672,
	      "the answer's tender carries the rate");
	CHECK(it_sql_int(h, "SELECT count(*) FROM tenders WHERE txn_id = %lld AND currency = 'USD'"
			 " AND foreign_minor = 1337 AND rate_micro = 7234500 AND rate_version = %d"
			 " AND amount_minor = 9672", (long long)r->transaction->txn_id, v) == 1,
	      "the stored tender carries the rate");
	again = checkout(h, kc, &s, key);
	CHECK(again && it_same_response(r, again), "the retry's answer is the same");
	kc_response_free(again);
	tg.txn_id = r->transaction->txn_id;
	rq.body_case = KASSA__V1__REQUEST__BODY_TRANSACTION_GET;
	rq.transaction_get = &tg;
	get = NULL;
	CHECK(kc_call(kc, &rq, &get) == KC_OK && kc_status(get) == ST(OK) &&
	      get->transaction->tenders[0]->rate_micro == 7234500 &&
	      strcmp(get->transaction->tenders[0]->currency, "USD") == 0,
	      "TransactionGet shows the rate");
	kc_response_free(get);
	/* the till's own conversion, when it is right, is taken */
	s.amount = 9672;
	kc_new_key(key);
	kc_response_free(r);
	r = checkout(h, kc, &s, key);
	CHECK(r && kc_status(r) == ST(OK), "USD with the matching amount: %s",
	      r ? kc_message(r) : "");
out:
	kc_response_free(r);
	kc_free(kc);
}

static void test_rate_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	int32_t old = rates_set(h, 7200000, 920000), v = rates_set(h, 7234500, 912300);
	Sale s = { .sku = "SKU-TEA", .qty = 1, .currency = "USD", .foreign = 2000 };
	Kassa__V1__Response *r;
	char key[KC_KEY_LEN];

	if (kc == NULL || v == 0)
		return;
	s.rate_version = old;
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "RATE_STALE");
	s.rate_version = v + 1000;
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "RATE_UNKNOWN");
	s.rate_version = v;
	s.currency = "EUR";	/* a currency the version has no rate for */
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "RATE_UNKNOWN");
	s.currency = "USD";
	s.amount = 14470;	/* 20.00 USD is 144.69 */
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "RATE_MISMATCH");
	/* an offline sale replayed later may use the version it was sold with */
	s.amount = 0;
	s.rate_version = old;
	s.offline = true;
	kc_new_key(key);
	r = checkout(h, kc, &s, key);
	CHECK(r && kc_status(r) == ST(OK) && r->transaction->offline &&
	      r->transaction->tenders[0]->amount_minor == 14400,
	      "offline replay at its old rate: %s", r ? kc_message(r) : "");
	kc_response_free(r);
	kc_free(kc);
}

/* A claim-code definition with max 1 per member; returns its claim code in code. */
static bool define_claim(Harness *h, char code[64])
{
	it_fresh_name("CLM", code);	/* upper case, digits and dashes */
	return it_sqlf(h, "INSERT INTO coupon_defs (name, kind, value_minor, max_uses_per_member,"
		       " issue_on, claim_code) VALUES ('%s', 'fixed', 300, 1, 'code', '%s')",
		       code, code);
}

static void test_claim_code(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char code[64], phone[32], lower[64], key[KC_KEY_LEN];
	int64_t m = kc ? it_register(h, kc, "Claim Tester", phone) : 0;
	Sale s = { .sku = "SKU-TEA", .qty = 1, .amount = 1000 };
	Kassa__V1__Response *q, *r, *again;

	if (kc == NULL || m == 0 || !define_claim(h, code))
		return;
	for (size_t i = 0; i <= strlen(code); i++)
		lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] + 32 : code[i]);
	s.member_id = m;
	s.coupon = lower;	/* typed in lower case */
	/* a quote shows it applied, and claims nothing */
	{
		Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
		Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
		Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
		char *cp = lower;

		line.code = "SKU-TEA";
		line.quantity = 1;
		co.n_lines = 1;
		co.lines = &lp;
		co.member_id = m;
		co.n_coupon_codes = 1;
		co.coupon_codes = &cp;
		co.quote = true;
		req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
		req.checkout = &co;
		q = NULL;
		CHECK(kc_call(kc, &req, &q) == KC_OK && kc_status(q) == ST(OK) &&
		      q->transaction->coupon_off_minor == 300 && q->transaction->total_minor == 700,
		      "the quote applies the claim code: %s", q ? kc_message(q) : "");
		kc_response_free(q);
		CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE member_id = %lld",
				 (long long)m) == 0, "a quote claims nothing");
	}
	s.amount = 700;
	kc_new_key(key);
	r = checkout(h, kc, &s, key);
	if (!CHECK(r && kc_status(r) == ST(OK) && r->transaction->coupon_off_minor == 300,
		   "claimed and applied in one checkout: %s", r ? kc_message(r) : ""))
		goto out;
	again = checkout(h, kc, &s, key);
	CHECK(again && it_same_response(r, again), "the retry replays the same answer");
	kc_response_free(again);
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons c JOIN coupon_defs d USING (def_id)"
			 " WHERE c.member_id = %lld AND d.claim_code = '%s' AND c.state = 'used'"
			 " AND c.used_txn = %lld", (long long)m, code,
			 (long long)r->transaction->txn_id) == 1,
	      "claimed once, used by the sale");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE member_id = %lld",
			 (long long)m) == 1, "one coupon in all");
	/* a second sale with the same code: the member holds its one already */
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "COUPON_ALREADY_CLAIMED");
	it_check_ledgers(h, m);
out:
	kc_response_free(r);
	kc_free(kc);
}

typedef struct Racer {
	Harness *h;
	int64_t member;
	const char *code;
	bool ok;
	char detail[48];
} Racer;

static void *race(void *arg)
{
	Racer *x = arg;
	KassaClient *kc = it_cashier(x->h);
	Sale s = { .sku = "SKU-TEA", .qty = 1, .amount = 700, .member_id = x->member,
		   .coupon = x->code };
	char key[KC_KEY_LEN];
	Kassa__V1__Response *r;

	if (kc == NULL)
		return NULL;
	kc_new_key(key);
	r = checkout(x->h, kc, &s, key);
	x->ok = r && kc_status(r) == ST(OK);
	snprintf(x->detail, sizeof(x->detail), "%s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	kc_free(kc);
	return NULL;
}

static void test_claim_code_race(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char code[64], phone[32];
	int64_t m = kc ? it_register(h, kc, "Claim Racer", phone) : 0;
	Racer x[2];
	pthread_t th[2];

	kc_free(kc);
	if (m == 0 || !define_claim(h, code))
		return;
	for (int i = 0; i < 2; i++) {
		x[i] = (Racer){ .h = h, .member = m, .code = code };
		pthread_create(&th[i], NULL, race, &x[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK(x[0].ok + x[1].ok == 1, "exactly one of two concurrent sales succeeds (%s, %s)",
	      x[0].detail, x[1].detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE member_id = %lld",
			 (long long)m) == 1, "one coupon claimed");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)m) == 1, "one sale");
	it_check_ledgers(h, m);
}

static void rfc3339(int64_t ago, char out[32])
{
	time_t t = time(NULL) - (time_t)ago;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void test_late_sale(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char phone[32], when[32], old[32], future[32], key[KC_KEY_LEN], rno[64];
	int64_t m = kc ? it_register(h, kc, "Late Buyer", phone) : 0;
	Sale s = { .sku = "SKU-TEA", .qty = 2, .amount = 2000, .offline = true, .sold_by = 1001 };
	Kassa__V1__Response *r;

	if (m == 0)
		goto out;
	rfc3339(2 * 86400, when);
	rfc3339(8 * 86400, old);
	rfc3339(-3600, future);
	it_fresh_name("T1", rno);
	s.member_phone = phone;
	s.sold_at = old;
	refused(h, kc, &s, ST(FAILED_PRECONDITION), "SALE_TOO_OLD");
	s.sold_at = future;
	refused(h, kc, &s, ST(INVALID_ARGUMENT), "BAD_SOLD_AT");
	s.sold_at = "yesterday";
	refused(h, kc, &s, ST(INVALID_ARGUMENT), "BAD_SOLD_AT");
	s.sold_at = when;
	s.sold_by = 1002;	/* S002's cashier */
	refused(h, kc, &s, ST(INVALID_ARGUMENT), "STAFF_UNKNOWN");
	s.sold_by = 1001;
	s.member_phone = "+8613700000001";	/* nobody's */
	refused(h, kc, &s, ST(NOT_FOUND), "MEMBER_NOT_FOUND");
	s.member_phone = phone;
	s.member_id = m;
	refused(h, kc, &s, ST(INVALID_ARGUMENT), "BAD_MEMBER");
	s.member_id = 0;
	s.receipt_no = "bad receipt!";
	refused(h, kc, &s, ST(INVALID_ARGUMENT), "BAD_RECEIPT_NO");
	s.receipt_no = rno;
	kc_new_key(key);
	r = checkout(h, kc, &s, key);
	if (!CHECK(r && kc_status(r) == ST(OK), "late sale: %s", r ? kc_message(r) : ""))
		goto out;
	CHECK(r->transaction->member_id == m && r->transaction->points_earned > 0 &&
	      strcmp(r->transaction->receipt_no, rno) == 0 && r->transaction->offline,
	      "the phone's member, points earned, receipt number and offline flag");
	CHECK(strncmp(r->transaction->created_at, when, 19) == 0, "created_at %s is sold_at %s",
	      r->transaction->created_at, when);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld"
			 " AND created_at = '%s'::timestamptz AND offline AND receipt_no = '%s'"
			 " AND staff_id = 1001", (long long)r->transaction->txn_id, when, rno) == 1,
	      "stored with its original time");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_lots WHERE txn_id = %lld AND expires_on ="
			 " (SELECT expires_on FROM points_lots WHERE txn_id = %lld)",
			 (long long)r->transaction->txn_id, (long long)r->transaction->txn_id) == 1,
	      "a points lot for the late sale");
	{
		Kassa__V1__Request rq = KASSA__V1__REQUEST__INIT;
		Kassa__V1__TransactionGet tg = KASSA__V1__TRANSACTION_GET__INIT;
		Kassa__V1__Response *g = NULL;

		tg.receipt_no = rno;
		rq.body_case = KASSA__V1__REQUEST__BODY_TRANSACTION_GET;
		rq.transaction_get = &tg;
		CHECK(kc_call(kc, &rq, &g) == KC_OK && kc_status(g) == ST(OK) &&
		      g->transaction->txn_id == r->transaction->txn_id,
		      "TransactionGet finds the sale by its receipt number");
		kc_response_free(g);
		tg.receipt_no = "NO-SUCH-RECEIPT";
		g = NULL;
		CHECK(kc_call(kc, &rq, &g) == KC_OK && status_is(g, ST(NOT_FOUND),
								 "TRANSACTION_NOT_FOUND"),
		      "an unknown receipt number is not found");
		kc_response_free(g);
	}
	/* another sale cannot take the receipt number */
	s.sold_at = NULL;
	s.offline = false;
	{
		ItCounts before = it_counts(h);
		Kassa__V1__Response *t;

		kc_new_key(key);
		t = checkout(h, kc, &s, key);
		CHECK(status_is(t, ST(ALREADY_EXISTS), "RECEIPT_TAKEN"), "RECEIPT_TAKEN: %s",
		      t ? kc_detail(t) : "-");
		ItCounts after = it_counts(h);
		CHECK(after.txns == before.txns && after.tenders == before.tenders,
		      "RECEIPT_TAKEN writes no sale");
		kc_response_free(t);
	}
	it_check_ledgers(h, m);
	kc_response_free(r);
out:
	kc_free(kc);
}

/*
 * A Checkout sent online whose answer never came back is journaled by the
 * till with the same key plus sold_at, offline and sold_by; its replay is
 * answered with the sale already recorded, not refused as
 * IDEMPOTENCY_KEY_REUSED and set aside, and records nothing more.
 */
static void test_unanswered_then_journaled(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Sale s = { .sku = "SKU-TEA", .qty = 1, .amount = 1000 };
	char key[KC_KEY_LEN], rno[64], when[32];
	Kassa__V1__Response *r = NULL, *again = NULL;
	ItCounts before;

	if (kc == NULL)
		return;
	it_fresh_name("U1", rno);
	s.receipt_no = rno;
	kc_new_key(key);
	r = checkout(h, kc, &s, key);
	if (!CHECK(r && kc_status(r) == ST(OK), "online sale: %s", r ? kc_message(r) : ""))
		goto out;
	before = it_counts(h);
	rfc3339(30, when);
	s.sold_at = when;
	s.offline = true;
	s.sold_by = 1001;
	again = checkout(h, kc, &s, key);
	CHECK(again && kc_status(again) == ST(OK) &&
	      again->transaction->txn_id == r->transaction->txn_id,
	      "the journaled copy is answered with the recorded sale: %s %s",
	      again ? kc_detail(again) : "-", again ? kc_message(again) : "");
	CHECK(it_same_counts(before, it_counts(h)), "the replay records nothing more");
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "unanswered_then_journaled", test_unanswered_then_journaled },
	{ "foreign_cash", test_foreign_cash },
	{ "rate_refusals", test_rate_refusals },
	{ "claim_code", test_claim_code },
	{ "claim_code_race", test_claim_code_race },
	{ "late_sale", test_late_sale },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

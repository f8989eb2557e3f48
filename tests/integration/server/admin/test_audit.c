/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit: what the audit log covers and the idempotency keys' window
 * (issue 10).
 *
 * Coverage: a Login that passes writes 'staff.login'; each wrong PIN that
 * counts writes 'staff.pin_wrong' and the one that locks 'staff.lockout';
 * every row written so is chained by the trigger (seq after the last, the
 * hash of its own fields), also when many transactions append at once.
 * Refunds ('refund', test_refunds), rule sets ('rules.set') and tiers
 * ('tier.set', test_admin), exports ('export.start', test_export) and
 * member rights are asserted by their own tests; the chain check here
 * covers whatever they wrote too.
 *
 * Retention ([checkout] idempotency_keep_days 7, the environment's job
 * every 2 s): a key inside the window still replays (the same answer,
 * nothing written twice); a key past it is deleted by the job, and the
 * same request then is new (a second sale). That is safe because a real
 * till's retry that late carries the sale's own sold_at, older than
 * [checkout] late_sale_max_days, and is refused SALE_TOO_OLD, never
 * recorded twice: keep_days >= late_sale_max_days keeps every retry the
 * server would accept exactly once, and kassad refuses a configuration
 * with less (exit 78).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>

#include "itest.h"

#define LOCKOUT_FAILURES 10		/* kassad's default [staff] lockout_failures */
#define PURGE_WAIT_S 30			/* the job runs every 2 s in the environment */
#define ST(x) KASSA__V1__STATUS_CODE__##x

/* A new active cashier of S001 whose PIN is 1001's ("1234"); 0 on failure. */
static int64_t new_cashier(Harness *h)
{
	int64_t id = it_sql_int(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
		" SELECT (SELECT greatest(max(staff_id), 800000) + 1 FROM staff),"
		" (SELECT store_id FROM stores WHERE code = 'S001'), 'itest audit', 'cashier',"
		" pin_hash FROM staff WHERE staff_id = 1001 RETURNING staff_id");

	CHECK(id > 800000, "a new cashier: %lld", (long long)id);
	return id > 800000 ? id : 0;
}

static int64_t audit_count(Harness *h, const char *action, int64_t staff)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = '%s'"
			  " AND subject = 'staff:%lld'", action, (long long)staff);
}

/* Every row's hash is that of its fields after its predecessor's, seq without gaps. */
static void chain_is_whole(Harness *h)
{
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log a"
			 " WHERE a.hash <> audit_row_hash(a, a.prev_hash)") == 0,
	      "every audit row's hash covers its fields");
	CHECK(it_sql_int(h, "SELECT count(*) FROM (SELECT seq, prev_hash,"
			 " lag(seq) OVER w AS ps, lag(hash) OVER w AS ph FROM audit_log"
			 " WINDOW w AS (ORDER BY seq)) x"
			 " WHERE ps IS NOT NULL AND (seq <> ps + 1 OR prev_hash <> ph)") == 0,
	      "every audit row follows the one before it");
}

static void test_login_and_lockout_audited(Harness *h)
{
	int64_t id = new_cashier(h), a0;
	KassaClient *kc;
	Kassa__V1__Response *r = NULL;
	int tries = 0;
	bool locked = false;

	if (id == 0)
		return;
	a0 = it_sql_int(h, "SELECT max(seq) FROM audit_log");
	kc = it_login(h, "S001-T1", id, "1234");
	CHECK(kc != NULL, "the new cashier logs in");
	CHECK(audit_count(h, "staff.login", id) == 1, "the login is audited once");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.login'"
			 " AND subject = 'staff:%lld' AND staff_id = %lld AND till_id ="
			 " (SELECT till_id FROM tills WHERE code = 'S001-T1')", (long long)id,
			 (long long)id) == 1, "by the staff member, at the till");
	kc_free(kc);
	/* a connection each time: kassad closes one after a few failed logins */
	while (!locked && tries < LOCKOUT_FAILURES + 2) {
		tries++;
		kc = it_connect(h, "S001-T1");
		CHECK(kc != NULL && kc_login(kc, id, "0000", &r) == KC_OK &&
		      kc_status(r) != ST(OK), "a wrong PIN is refused");
		locked = r != NULL && strcmp(kc_detail(r), "STAFF_LOCKED") == 0;
		kc_response_free(r);
		r = NULL;
		kc_free(kc);
		if (!locked)
			locked = audit_count(h, "staff.lockout", id) == 1;
	}
	CHECK(tries == LOCKOUT_FAILURES, "locked after %d wrong PINs, not %d", LOCKOUT_FAILURES,
	      tries);
	CHECK(audit_count(h, "staff.pin_wrong", id) == LOCKOUT_FAILURES - 1,
	      "each wrong PIN before the lock is audited: %lld",
	      (long long)audit_count(h, "staff.pin_wrong", id));
	CHECK(audit_count(h, "staff.lockout", id) == 1, "the lockout is audited once");
	CHECK(audit_count(h, "staff.login", id) == 1, "no login audited while refused");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE seq > %lld", (long long)a0) >=
	      LOCKOUT_FAILURES + 1, "the rows are appended to the chain");
	chain_is_whole(h);
}

#define APPEND_THREADS 8
#define APPEND_TXNS 25			/* per thread, of APPEND_ROWS rows each */
#define APPEND_ROWS 4

/* One thread of test_concurrent_appends: transactions of a few plain INSERTs each. */
static void *append_loop(void *arg)
{
	Harness *h = arg;

	for (int i = 0; i < APPEND_TXNS; i++)
		if (!it_sqlf(h, "BEGIN; INSERT INTO audit_log (action, subject)"
			     " SELECT 'itest.concurrent', 'itest:' || g"
			     " FROM generate_series(1, %d) g; INSERT INTO audit_log"
			     " (action, subject) VALUES ('itest.concurrent', 'x'); COMMIT",
			     APPEND_ROWS - 1))
			break;
	return NULL;
}

/*
 * Appends from many transactions at once, as the functions that write audit
 * rows make them (the trigger's lock, then its fresh read of the last row):
 * every row is chained, no seq is skipped or repeated.
 */
static void test_concurrent_appends(Harness *h)
{
	pthread_t t[APPEND_THREADS];
	int64_t before = it_sql_int(h, "SELECT count(*) FROM audit_log"
				    " WHERE action = 'itest.concurrent'");

	for (int i = 0; i < APPEND_THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, append_loop, h) == 0, "thread %d", i);
	for (int i = 0; i < APPEND_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'itest.concurrent'") ==
	      before + APPEND_THREADS * APPEND_TXNS * APPEND_ROWS, "every row appended");
	CHECK(it_sql_int(h, "SELECT max(seq) - min(seq) + 1 - count(*) FROM audit_log") == 0,
	      "no seq skipped or repeated");
	chain_is_whole(h);
}

/* A one-line cash sale of SKU-TEA; sold_at NULL = now, online. */
static Kassa__V1__Response *sale(KassaClient *kc, const char *key, const char *sold_at)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	Kassa__V1__Response *r = NULL;

	line.code = "SKU-TEA";
	line.quantity = 1;
	t.kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	t.amount_minor = 2000;
	co.n_lines = 1;
	co.lines = &lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.sold_at = (char *)(sold_at ? sold_at : "");
	co.offline = sold_at != NULL;
	co.sold_by = sold_at ? 1001 : 0;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	req.idempotency_key = (char *)key;
	if (!CHECK(kc_call(kc, &req, &r) == KC_OK, "checkout answered: %s", kc_last_error(kc)))
		return NULL;
	return r;
}

static void rfc3339(int64_t ago, char out[32])
{
	time_t t = time(NULL) - (time_t)ago;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool key_exists(Harness *h, const char *key)
{
	return it_sql_int(h, "SELECT count(*) FROM idempotency WHERE key = '%s'", key) == 1;
}

/* Wait (at most PURGE_WAIT_S) until the job has deleted key; false if it never did. */
static bool key_purged(Harness *h, const char *key)
{
	for (int i = 0; i < PURGE_WAIT_S * 10; i++) {
		if (!key_exists(h, key))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static bool answered_ok(const Kassa__V1__Response *r, const char *what)
{
	return CHECK(r != NULL && kc_status(r) == ST(OK) && r->transaction != NULL, "%s: %s",
		     what, r ? kc_message(r) : "no answer");
}

static void test_idempotency_window(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char kin[KC_KEY_LEN], kout[KC_KEY_LEN], klate[KC_KEY_LEN], two_days[32], old[32];
	Kassa__V1__Response *in1 = NULL, *in2 = NULL, *out1 = NULL, *out2 = NULL, *late = NULL;
	ItCounts before;

	if (kc == NULL)
		return;
	kc_new_key(kin);
	kc_new_key(kout);
	kc_new_key(klate);
	rfc3339(2 * 86400, two_days);
	in1 = sale(kc, kin, two_days);		/* an offline sale of two days ago */
	out1 = sale(kc, kout, NULL);
	if (!answered_ok(in1, "the offline sale") || !answered_ok(out1, "the sale"))
		goto out;
	/* as if the first was recorded 6 days ago (inside 7), the second 8 (past them) */
	CHECK(it_sqlf(h, "UPDATE idempotency SET created_at = now() - interval '6 days'"
		      " WHERE key = '%s'", kin), "backdate the key inside the window");
	CHECK(it_sqlf(h, "UPDATE idempotency SET created_at = now() - interval '8 days'"
		      " WHERE key = '%s'", kout), "backdate the key past the window");
	CHECK(key_purged(h, kout), "the job deletes the key past the window within %d s",
	      PURGE_WAIT_S);
	CHECK(key_exists(h, kin), "and keeps the one inside it");

	before = it_counts(h);
	in2 = sale(kc, kin, two_days);
	CHECK(answered_ok(in2, "the replay inside the window") && it_same_response(in1, in2),
	      "a key inside the window still replays the same answer");
	CHECK(it_same_counts(before, it_counts(h)), "and writes nothing twice");

	/*
	 * The key past the window is gone: the same request is a new sale. A
	 * real till cannot get here: its retry of a sale whose key is 8 days
	 * old carries that sale's sold_at, and a sale older than
	 * late_sale_max_days (7) is refused SALE_TOO_OLD (below).
	 */
	out2 = sale(kc, kout, NULL);
	CHECK(answered_ok(out2, "the request after its key is gone") &&
	      out2->transaction->txn_id != out1->transaction->txn_id,
	      "a key past the window is treated as new (txn %lld, first %lld)",
	      out2 && out2->transaction ? (long long)out2->transaction->txn_id : 0LL,
	      (long long)out1->transaction->txn_id);
	rfc3339(8 * 86400, old);
	before = it_counts(h);
	late = sale(kc, klate, old);
	CHECK(late != NULL && kc_status(late) == ST(FAILED_PRECONDITION) &&
	      strcmp(kc_detail(late), "SALE_TOO_OLD") == 0,
	      "a till's retry of a sale that old is refused SALE_TOO_OLD: %s",
	      late ? kc_detail(late) : "-");
	CHECK(it_same_counts(before, it_counts(h)), "and records nothing");
out:
	kc_response_free(in1);
	kc_response_free(in2);
	kc_response_free(out1);
	kc_response_free(out2);
	kc_response_free(late);
	kc_free(kc);
}

/* kassad check-config with --set checkout.idempotency_keep_days=days: exit status, output. */
static int check_config(Harness *h, int days, char *out, size_t len)
{
	char cmd[3 * HARNESS_PATH_LEN];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "'%s' check-config --config '%s'"
		 " --set checkout.idempotency_keep_days=%d 2>&1", h->kassad, h->config, days);
	p = popen(cmd, "r");
	if (!CHECK(p != NULL, "run %s", cmd))
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

/* A window shorter than the till's offline limit is refused at start (EX_CONFIG). */
static void test_keep_days_validated(Harness *h)
{
	static char out[65536];
	int st = check_config(h, 6, out, sizeof(out));

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 78 &&
	      strstr(out, "idempotency_keep_days (6) must be at least late_sale_max_days (7)"),
	      "keep_days 6 < late_sale_max_days 7 is a configuration error: %d", st);
	st = check_config(h, 7, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "keep_days 7 is accepted: %d", st);
}

static const HarnessTest tests[] = {
	{ "keep_days_validated", test_keep_days_validated },
	{ "login_and_lockout_audited", test_login_and_lockout_audited },
	{ "concurrent_appends", test_concurrent_appends },
	{ "idempotency_window", test_idempotency_window },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

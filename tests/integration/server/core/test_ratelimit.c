/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ratelimit: kassad's token buckets ([limits], server/core/ratelimit.c)
 * on a kassad of this test's own (the environment's configuration, a free
 * port, and KASSA_LIMITS_* overrides with tiny limits: 1 request a second
 * per till with a burst of 3; 1 new connection a second per address with a
 * burst of 4).
 *
 *  - connections: with two tills connected, a burst of new connections
 *    from 127.0.0.1 beyond the bucket is closed at once (the TLS handshake
 *    fails; it does not hang), one log line says so, and the two sessions
 *    already open are served as before;
 *  - requests: a till that sends more than its burst in one go is answered
 *    RESOURCE_EXHAUSTED RATE_LIMITED with a retry_after_ms > 0, also for a
 *    checkout, which then wrote nothing (no idempotency row, no sale);
 *    another till is served meanwhile; after waiting retry_after_ms the
 *    same checkout (same key) is served, and sent once more it is replayed:
 *    one sale, one idempotency row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_EXHAUSTED KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED
#define TILL_BURST 3
#define ADDR_BURST 4
#define FLOOD 8			/* new connections tried at once */
#define START_TRIES 300		/* x 100 ms: kassad's start-up */
#define STOP_TIMEOUT_S 30		/* kassad drained on SIGTERM */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* This test's overrides of the environment's configuration: tiny limits. */
static const char *const overrides[] = {
	"KASSA_ADMIN_METRICS_LISTEN=",		/* the environment's kassad has it */
	"KASSA_ADMIN_DASHBOARD_LISTEN=",
	"KASSA_LOYALTY_JOBS_INTERVAL=0",
	"KASSA_ANALYTICS_INTERVAL=0",
	"KASSA_LIMITS_TILL_RATE=1",
	"KASSA_LIMITS_TILL_BURST=3",
	"KASSA_LIMITS_ADDRESS_RATE=1",
	"KASSA_LIMITS_ADDRESS_BURST=4",
	NULL
};

/* Start kassad on the environment's config with tiny limits. */
static bool kassad_start(Harness *h, ItKassad *k)
{
	return it_kassad_spawn(h, k, "/tmp/kassa-ratelimit-XXXXXX", overrides);
}

/* Connect as till code to our kassad; NULL with the reason in err. */
static KassaClient *connect_till(Harness *h, const ItKassad *k, const char *code, char *err,
				 size_t errlen)
{
	return it_kassad_connect(h, k, code, 5000, 10000, err, errlen);
}

/*
 * kc_call(), but a RATE_LIMITED answer is waited out as it says (at most
 * 20 times): for the steps that are not about the limit.
 */
static KcResult call_patiently(KassaClient *kc, Kassa__V1__Request *req,
			       Kassa__V1__Response **resp)
{
	KcResult kr = KC_ERR_IO;

	for (int i = 0; i < 20; i++) {
		req->request_id = 0;
		kr = kc_call(kc, req, resp);
		if (kr != KC_OK || kc_status(*resp) != ST_EXHAUSTED ||
		    strcmp(kc_detail(*resp), "RATE_LIMITED") != 0)
			return kr;
		sleep_ms((*resp)->status->retry_after_ms);
		kc_response_free(*resp);
		*resp = NULL;
	}
	return kr;
}

/* Log the cashier of S001 in through call_patiently(); true if OK. */
static bool login(KassaClient *kc, int64_t staff_id, const char *pin)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Login l = KASSA__V1__LOGIN__INIT;
	Kassa__V1__Response *r = NULL;
	bool ok;

	l.staff_id = staff_id;
	l.pin = (char *)pin;
	req.body_case = KASSA__V1__REQUEST__BODY_LOGIN;
	req.login = &l;
	ok = call_patiently(kc, &req, &r) == KC_OK && kc_status(r) == ST_OK;
	kc_response_free(r);
	return ok;
}

/* Is a product look-up through kc served (waiting out the limit)? */
static bool served(KassaClient *kc)
{
	KcReq q;
	Kassa__V1__Response *r = NULL;
	bool ok;

	kc_req_product_lookup(&q, "SKU-TEA");
	ok = call_patiently(kc, &q.req, &r) == KC_OK && kc_status(r) == ST_OK;
	kc_response_free(r);
	kc_req_done(&q);
	return ok;
}

/* 1. A burst of new connections beyond the address bucket is closed at once. */
static void check_connections(Harness *h, const ItKassad *k, KassaClient *a, KassaClient *b)
{
	KassaClient *extra[FLOOD] = { 0 };
	int refused = 0, hung = 0;
	char err[KC_ERR_LEN];

	for (int i = 0; i < FLOOD; i++) {
		extra[i] = connect_till(h, k, "S001-T2", err, sizeof(err));
		if (extra[i] == NULL) {
			refused++;
			hung += strstr(err, "timed out") != NULL || strstr(err, "timeout") != NULL;
		}
	}
	printf("# %d of %d new connections refused\n", refused, FLOOD);
	/* 2 of the burst of 4 went to a and b; 1 a second comes back */
	CHECK(refused >= FLOOD - (ADDR_BURST - 2) - 2,
	      "new connections beyond the burst are refused: %d of %d", refused, FLOOD);
	CHECK(hung == 0, "refused connections are closed at once, none timed out (%d did)", hung);
	CHECK(it_kassad_log_count(k, "rate limit: closed a new connection from 127.0.0.1") >= 1,
	      "kassad logs the refusals");
	for (int i = 0; i < FLOOD; i++)
		kc_free(extra[i]);
	CHECK(served(a) && served(b), "the sessions already open are served as before");
}

/* Send the sale of one SKU-TEA (paying amount) with key through kc; kc_send()'s result. */
static KcResult send_sale(KassaClient *kc, KcReq *q, const char *key, int64_t amount,
			  uint64_t *id)
{
	static KcLine line = { "SKU-TEA", 1, false };
	static KcTender t = { KASSA__V1__TENDER_KIND__TENDER_CASH, 0, NULL };
	KcSale s = { &line, 1, 0, &t, 1, 0, NULL, 0 };

	t.amount_minor = amount;
	kc_req_checkout(q, &s, key, false);
	return kc_send(kc, &q->req, id);
}

/* The total of a sale of one SKU-TEA, from a quote (0 + failure). */
static int64_t quote(KassaClient *kc)
{
	KcLine line = { "SKU-TEA", 1, false };
	KcSale s = { &line, 1, 0, NULL, 0, 0, NULL, 0 };
	KcReq q;
	Kassa__V1__Response *r = NULL;
	int64_t total = 0;

	kc_req_checkout(&q, &s, NULL, true);
	if (CHECK(call_patiently(kc, &q.req, &r) == KC_OK && kc_status(r) == ST_OK &&
		  r->transaction, "quote: %s", r ? kc_detail(r) : kc_last_error(kc)))
		total = r->transaction->total_minor;
	kc_response_free(r);
	kc_req_done(&q);
	return total;
}

/* 2. Over its burst a till waits as told; the refused sale wrote nothing and is served once. */
static void check_requests(Harness *h, KassaClient *a, KassaClient *b)
{
	Kassa__V1__Response *r = NULL, *sale = NULL;
	KcReq lookups[TILL_BURST + 1], q;
	uint64_t ids[TILL_BURST + 1], sale_id = 0;
	int64_t amount = quote(a), txn = 0;
	char key[KC_KEY_LEN];
	uint32_t retry = 0;

	if (amount == 0)
		return;
	kc_new_key(key);
	/* burst + 1 look-ups and the sale in one go: at most burst of them get a token */
	for (int i = 0; i <= TILL_BURST; i++) {
		kc_req_product_lookup(&lookups[i], "SKU-TEA");
		CHECK(kc_send(a, &lookups[i].req, &ids[i]) == KC_OK, "look-up %d sent", i);
	}
	CHECK(send_sale(a, &q, key, amount, &sale_id) == KC_OK, "sale sent");
	for (int i = 0; i <= TILL_BURST; i++) {
		CHECK(kc_recv_id(a, ids[i], &r) == KC_OK, "look-up %d answered", i);
		kc_response_free(r);
		r = NULL;
	}
	if (!CHECK(kc_recv_id(a, sale_id, &sale) == KC_OK, "sale answered"))
		goto out;
	CHECK(kc_status(sale) == ST_EXHAUSTED && strcmp(kc_detail(sale), "RATE_LIMITED") == 0,
	      "the sale over the burst: RESOURCE_EXHAUSTED RATE_LIMITED, got %s %s",
	      kc_status_name(kc_status(sale)), kc_detail(sale));
	if (kc_status(sale) == ST_EXHAUSTED)
		retry = sale->status->retry_after_ms;
	printf("# retry_after_ms = %u\n", retry);
	CHECK(retry > 0 && retry <= 1000, "retry_after_ms %u: > 0 and at most a token's time at"
	      " 1/s", retry);
	CHECK(it_sql_int(h, "SELECT count(*) FROM idempotency WHERE key = '%s'", key) == 0,
	      "the refused sale wrote nothing");
	CHECK(served(b), "another till is served meanwhile");

	/* wait as told, then the same sale, same key: served */
	sleep_ms(retry);
	q.req.request_id = 0;
	kc_response_free(sale);
	sale = NULL;
	CHECK(kc_call(a, &q.req, &sale) == KC_OK && kc_status(sale) == ST_OK && sale->transaction,
	      "after retry_after_ms the sale is served: %s %s", kc_status_name(kc_status(sale)),
	      kc_detail(sale));
	if (kc_status(sale) == ST_OK && sale->transaction)
		txn = sale->transaction->txn_id;
	kc_response_free(sale);
	sale = NULL;
	/* once more with the same key: the same sale, replayed */
	CHECK(call_patiently(a, &q.req, &sale) == KC_OK && kc_status(sale) == ST_OK &&
	      sale->transaction && sale->transaction->txn_id == txn,
	      "the same key again replays sale %lld", (long long)txn);
	CHECK(it_sql_int(h, "SELECT count(*) FROM idempotency WHERE key = '%s'", key) == 1,
	      "one idempotency row for the key");
out:
	kc_response_free(sale);
	kc_req_done(&q);
	for (int i = 0; i <= TILL_BURST; i++)
		kc_req_done(&lookups[i]);
}

static void test_limits(Harness *h)
{
	ItKassad k = { 0 };
	KassaClient *a = NULL, *b = NULL;
	char err[KC_ERR_LEN] = "";

	if (!CHECK(kassad_start(h, &k), "start kassad"))
		return;
	/* until it listens: a refused TCP connect takes no token, the first one that works does */
	for (int i = 0; i < START_TRIES && a == NULL; i++) {
		a = connect_till(h, &k, "S001-T1", err, sizeof(err));
		if (a == NULL)
			sleep_ms(100);
	}
	if (!CHECK(a != NULL, "our kassad is up: %s", err))
		goto out;
	b = connect_till(h, &k, "S001-T2", err, sizeof(err));
	if (!CHECK(b != NULL, "a second till connects: %s", err))
		goto out;
	if (!CHECK(login(a, 1001, "1234") && login(b, 1001, "1234"), "both log in"))
		goto out;
	check_connections(h, &k, a, b);
	check_requests(h, a, b);
out:
	kc_free(a);
	kc_free(b);
	CHECK(it_kassad_stop(&k, STOP_TIMEOUT_S) == 0, "kassad exits 0 on SIGTERM");
	it_kassad_keep_log(&k);
}

static const HarnessTest tests[] = {
	{ "limits", test_limits },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

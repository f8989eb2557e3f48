/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_db_restart: PostgreSQL restarts while kassad runs. Meanwhile
 * requests are answered UNAVAILABLE (not left hanging); once the database
 * is back the same till connection works again without restarting kassad,
 * and a sale retried with its key is recorded exactly once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define RECOVERY_LIMIT_S 30

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Guards: the pool notices the outage, fails fast, and reconnects by itself. */
static void test_restart(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL;
	KcLine lines[] = { { "SKU-TEA", 2, false } };
	KcTender cash[] = { { CASH, 2000, NULL } };
	char phone[32], key[KC_KEY_LEN];
	int64_t id;
	double t0;
	bool back = false;

	if (kc == NULL)
		return;
	id = it_register(h, kc, "Outage Member", phone);
	CHECK(harness_pg(h, "stop"), "PostgreSQL stopped");

	t0 = now_s();
	CHECK(kc_member_get_by_id(kc, id, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__UNAVAILABLE,
	      "lookup during the outage: %s", r ? kc_status_name(kc_status(r)) : kc_last_error(kc));
	printf("# UNAVAILABLE after %.3f s\n", now_s() - t0);
	kc_response_free(r);
	r = NULL;

	kc_new_key(key);
	CHECK(kc_checkout(kc, &(KcSale){ lines, 1, id, cash, 1, 0, NULL, 0 },
			  key, false, &r) == KC_OK &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__UNAVAILABLE,
	      "checkout during the outage is UNAVAILABLE");
	kc_response_free(r);
	r = NULL;

	CHECK(harness_pg(h, "start"), "PostgreSQL started");
	t0 = now_s();
	while (!back && now_s() - t0 < RECOVERY_LIMIT_S) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };

		if (kc_member_get_by_id(kc, id, &r) == KC_OK &&
		    kc_status(r) == KASSA__V1__STATUS_CODE__OK)
			back = true;
		else
			nanosleep(&pause, NULL);	/* polling for recovery, bounded */
		kc_response_free(r);
		r = NULL;
	}
	CHECK(back, "requests succeed again within %d s", RECOVERY_LIMIT_S);
	printf("# back after %.3f s\n", now_s() - t0);

	/* the till retries its sale with the same key: recorded once */
	for (int i = 0; i < 2; i++) {
		CHECK(kc_checkout(kc, &(KcSale){ lines, 1, id, cash, 1, 0, NULL, 0 },
				  key, false, &r) == KC_OK &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__OK, "retried checkout %d ok: %s", i,
		      r ? kc_message(r) : "");
		kc_response_free(r);
		r = NULL;
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1, "the sale is recorded once");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) == 2, "its 2 points once");
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "restart", test_restart },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

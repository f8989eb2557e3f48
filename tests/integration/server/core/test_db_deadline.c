/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_db_deadline: every query kassad sends has a deadline. A kassad of
 * this test's own (pool of 2, query_timeout_ms = 1000, so a deadline of
 * 1.5 s) has one of its PostgreSQL backends stopped with SIGSTOP, the
 * way a hung server or a lost network looks to kassad. A till's request
 * that lands on that backend is answered UNAVAILABLE "DB_TIMEOUT" within
 * the deadline, while another till is served by the other connection
 * meanwhile; the stuck connection is reset, so the same till is served
 * again at once; after SIGCONT the old backend goes away. Without the
 * deadline the request waits until SIGCONT (here: until the client's
 * 8 s timeout).
 *
 * The pool hands a query to its lowest-numbered idle connection, and each
 * connection names itself kassad/PID/N in application_name, so the test
 * knows which backend a lone till's next query goes to.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define QUERY_TIMEOUT_MS 1000
#define DEADLINE_S 1.5			/* QUERY_TIMEOUT_MS + kassad's 500 ms grace */
#define DEADLINE_SLACK_S 1.0		/* scheduling on a loaded CI machine */
#define CLIENT_TIMEOUT_MS 8000
#define STOP_TIMEOUT_S 30		/* kassad drained on SIGTERM */

static pid_t stopped_backend;		/* SIGCONT it whatever happens */

static void resume_backend(void)
{
	if (stopped_backend > 0)
		kill(stopped_backend, SIGCONT);
	stopped_backend = 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* This test's overrides of the fixture's configuration. */
static const char *const overrides[] = {
	"KASSA_DATABASE_POOL_SIZE=2",
	"KASSA_DATABASE_QUERY_TIMEOUT_MS=1000",
	"KASSA_LOYALTY_JOBS_INTERVAL=0",	/* no queries of its own: */
	"KASSA_STOCK_FOLD_INTERVAL_MS=0",
	"KASSA_SERVER_TILL_CHECK_INTERVAL=0",
	NULL
};

/* Start kassad on the fixture's config with this test's overrides. */
static bool kassad_start(Harness *h, ItKassad *k)
{
	return it_kassad_spawn(h, k, "/tmp/kassa-deadline-XXXXXX", overrides);
}

static void log_dump(const ItKassad *k)
{
	FILE *f = fopen(k->log, "r");
	char line[1024];

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# %s", line);
	fclose(f);
}

/* Connect as till code to our kassad and log in the seeded cashier; NULL on failure. */
static KassaClient *till(Harness *h, const ItKassad *k, const char *code)
{
	char err[KC_ERR_LEN];
	KassaClient *kc = it_kassad_connect(h, k, code, 3000, CLIENT_TIMEOUT_MS, err, sizeof(err));
	Kassa__V1__Response *r = NULL;
	bool ok;

	if (kc == NULL)
		return NULL;
	ok = kc_login(kc, 1001, "1234", &r) == KC_OK && kc_status(r) == KASSA__V1__STATUS_CODE__OK;
	kc_response_free(r);
	if (!ok) {
		kc_free(kc);
		return NULL;
	}
	return kc;
}

/* Is a member lookup through kc answered OK? */
static bool lookup_ok(KassaClient *kc, int64_t member)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_member_get_by_id(kc, member, &r) == KC_OK &&
		  kc_status(r) == KASSA__V1__STATUS_CODE__OK;

	kc_response_free(r);
	return ok;
}

/*
 * Bytes the kernel holds unread for the backend whose client port is
 * client_port (its socket's receive queue), from /proc/net/tcp; -1 if
 * there is no such socket.
 */
static long backend_unread(int pg_port, int client_port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[512];
	long unread = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned la, lp, ra, rp, st;
		unsigned long tx, rx;

		if (sscanf(line, " %*d: %x:%x %x:%x %x %lx:%lx", &la, &lp, &ra, &rp, &st, &tx,
			   &rx) == 7 && (int)lp == pg_port && (int)rp == client_port)
			unread = (long)rx;
	}
	fclose(f);
	return unread;
}

typedef struct Stalled {
	KassaClient *kc;
	int64_t member;
	KcResult res;
	Kassa__V1__StatusCode code;
	char detail[64];
	double seconds;			/* until the answer came */
	atomic_bool done;
} Stalled;

static void *stalled_main(void *arg)
{
	Stalled *st = arg;
	Kassa__V1__Response *r = NULL;
	double t0 = now_s();

	st->res = kc_member_get_by_id(st->kc, st->member, &r);
	st->seconds = now_s() - t0;
	st->code = kc_status(r);
	snprintf(st->detail, sizeof(st->detail), "%s", r ? kc_detail(r) : "");
	kc_response_free(r);
	atomic_store(&st->done, true);
	return NULL;
}

/* Wait (bounded) until both pool connections of kassad pid are in pg_stat_activity. */
static bool pool_up(Harness *h, pid_t pid)
{
	char sql[256], out[32];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity"
		 " WHERE application_name LIKE 'kassad/%ld/%%'", (long)pid);
	for (int i = 0; i < 100; i++) {
		if (harness_psql_scalar(h, sql, out, sizeof(out)) && strcmp(out, "2") == 0)
			return true;
		sleep_ms(100);
	}
	return false;
}

/* The stalled request, a till served meanwhile, then recovery. */
static void stall_and_recover(Harness *h, ItKassad *k, KassaClient *kc1, int64_t member)
{
	char sql[256], out[64];
	int backend = 0, client_port = 0;
	Stalled st = { .kc = kc1, .member = member };
	pthread_t thr;
	KassaClient *kc2;
	bool landed = false, other_served, recovered = false;

	snprintf(sql, sizeof(sql), "SELECT pid || ' ' || client_port FROM pg_stat_activity"
		 " WHERE application_name = 'kassad/%ld/0'", (long)k->pid);
	if (!CHECK(harness_psql_scalar(h, sql, out, sizeof(out)) &&
		   sscanf(out, "%d %d", &backend, &client_port) == 2, "backend of connection 0"))
		return;
	stopped_backend = backend;
	CHECK(kill(backend, SIGSTOP) == 0, "SIGSTOP backend %d", backend);

	atomic_init(&st.done, false);
	if (!CHECK(pthread_create(&thr, NULL, stalled_main, &st) == 0, "thread"))
		return;
	for (int i = 0; i < 200 && !landed; i++) {	/* bounded: 2 s */
		landed = backend_unread(atoi(h->pg_port), client_port) > 0;
		if (!landed)
			sleep_ms(10);
	}
	CHECK(landed, "the request reached the stopped backend");

	kc2 = till(h, k, "S001-T2");
	other_served = kc2 != NULL && lookup_ok(kc2, member);
	CHECK(other_served && !atomic_load(&st.done),
	      "another till is served while the stalled request waits (served %d, waiting %d)",
	      other_served, !atomic_load(&st.done));

	pthread_join(thr, NULL);
	printf("# stalled request answered after %.3f s: %s %s\n", st.seconds,
	       st.res == KC_OK ? kc_status_name(st.code) : "(no answer)", st.detail);
	CHECK(st.res == KC_OK && st.code == KASSA__V1__STATUS_CODE__UNAVAILABLE &&
	      strcmp(st.detail, "DB_TIMEOUT") == 0, "answered UNAVAILABLE DB_TIMEOUT (%s)",
	      st.res == KC_OK ? kc_status_name(st.code) : "no answer: client timeout or error");
	CHECK(st.seconds >= QUERY_TIMEOUT_MS / 1000.0 - 0.05 &&
	      st.seconds <= DEADLINE_S + DEADLINE_SLACK_S,
	      "within the deadline of %.1f s: %.3f s", DEADLINE_S, st.seconds);
	CHECK(it_kassad_log_count(k, "no answer within 1500 ms") == 1,
	      "one log line for the reset");

	for (int i = 0; i < 50 && !recovered; i++) {	/* bounded: 5 s */
		recovered = lookup_ok(kc1, member);
		if (!recovered)
			sleep_ms(100);
	}
	CHECK(recovered, "the same till is served again while the backend is still stopped");

	resume_backend();
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", backend);
	bool gone = false;

	for (int i = 0; i < 100 && !gone; i++) {	/* bounded: 10 s */
		gone = harness_psql_scalar(h, sql, out, sizeof(out)) && strcmp(out, "0") == 0;
		if (!gone)
			sleep_ms(100);
	}
	CHECK(gone, "after SIGCONT the abandoned backend exits");
	CHECK(kc2 != NULL && lookup_ok(kc2, member) && lookup_ok(kc1, member),
	      "both tills are served after SIGCONT");
	kc_free(kc2);
}

static void test_stopped_backend(Harness *h)
{
	ItKassad k = { 0 };
	KassaClient *kc1 = NULL;
	int64_t member = it_sql_int(h, "SELECT min(member_id) FROM members");

	atexit(resume_backend);
	if (!CHECK(kassad_start(h, &k), "start kassad"))
		return;
	for (int i = 0; i < 100 && kc1 == NULL; i++) {	/* bounded: 10 s to come up */
		kc1 = till(h, &k, "S001-T1");
		if (kc1 == NULL)
			sleep_ms(100);
	}
	if (CHECK(kc1 != NULL, "connected and logged in") &&
	    CHECK(pool_up(h, k.pid), "both pool connections are up") &&
	    CHECK(lookup_ok(kc1, member), "served before the stop"))
		stall_and_recover(h, &k, kc1, member);
	resume_backend();
	kc_free(kc1);
	CHECK(it_kassad_stop(&k, STOP_TIMEOUT_S) == 0, "SIGTERM: kassad exits 0");
	if (harness_failures() > 0)
		log_dump(&k);
	it_kassad_keep_log(&k);
	unlink(k.log);
	rmdir(k.dir);
}

static const HarnessTest tests[] = {
	{ "stopped_backend", test_stopped_backend },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

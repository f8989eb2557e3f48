/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_load.c: kassa-till-load, the retrying tills of the crash-safety tests
 * (tests/integration/server/core/test_crash_loop.sh, test_db_outage.sh,
 * test_two_processes.sh). N threads play N tills on the real client
 * library, each on its own mutual-TLS connection to 127.0.0.1:PORT. Each
 * till rings up one sale after another, every one with a fresh idempotency
 * key; on any transport failure (kassad killed, connection reset, no
 * answer) or an UNAVAILABLE / RESOURCE_EXHAUSTED answer it reconnects
 * (bounded, with a short pause) and sends THE SAME sale with THE SAME key
 * again, until the key is answered for good (a sale, or a refusal such as
 * INSUFFICIENT_POINTS) or its deadline passes. What it did goes into OUT,
 * one line each, flushed as it happens:
 *
 *   sent KEY TILL                       before the key's first attempt
 *   ack KEY TXN_ID ATTEMPTS             the sale is recorded, as TXN_ID
 *   refused KEY STATUS/DETAIL ATTEMPTS  answered for good without a sale
 *   gaveup KEY ATTEMPTS                 the key's deadline passed unanswered
 *   attempt KEY START_MS END_MS RESULT  each attempt (--attempts only):
 *                                       wall-clock ms, RESULT a status name
 *                                       (OK, UNAVAILABLE/DB_TIMEOUT, ...) or
 *                                       a transport error (IO_ERROR, ...)
 *
 *   kassa-till-load --port PORT --certs DIR --out FILE --members ID[,ID...]
 *                   [--tills N] [--till CODE[,CODE...]] [--staff ID --pin PIN]
 *                   [--stop-file FILE | --seconds S] [--key-deadline S]
 *                   [--io-timeout-ms MS] [--attempts]
 *
 * Sales: 1-3 of SKU-TEA and 1-2 of SKU-WATER (12.00 .. 34.00 at the seeded
 * prices), paid with 50.00 cash, which covers any such basket; each names
 * a member of --members in turn; every third redeems one step of points
 * (100 points for 10.00, under the default rules' cap of half the sale)
 * and every third puts 3.00 on stored value, so the points and wallet
 * ledgers move under contention. A till stops starting keys when the stop file exists
 * (or after --seconds) and finishes the key it holds. The last line on
 * stdout: "keys=N acked=N refused=N gaveup=N retried=N attempts=N"
 * (retried: keys that needed more than one attempt). Exit status 0, 1 if a
 * key was given up, 2 on bad arguments or if no till could start.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kassa_client.h"

#define LOAD_MAX_TILLS 256
#define LOAD_MAX_MEMBERS 64
#define LOAD_MAX_CODES 8
#define LOAD_PAUSE_MS 50		/* between attempts of one key */
#define LOAD_CONNECT_TIMEOUT_MS 2000
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE

/* Settings: written by main() before the threads start, read-only afterwards. */
static struct {
	const char *port, *certs, *out_path, *stop_file;
	const char *codes[LOAD_MAX_CODES];	/* till certificates, round robin */
	int ncodes;
	int64_t members[LOAD_MAX_MEMBERS];
	int nmembers;
	int tills;
	int64_t staff;
	const char *pin;
	int seconds;			/* 0: until the stop file */
	int key_deadline_s;
	int io_timeout_ms;
	bool attempts;
	char *lists[2];			/* owned: the copies split for --members and --till */
	SSL_CTX *ctx[LOAD_MAX_CODES];
} cfg = { .tills = 8, .staff = 1001, .pin = "1234", .key_deadline_s = 120,
	  .io_timeout_ms = 10000 };

static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool stopping;
static atomic_long n_keys, n_acked, n_refused, n_gaveup, n_retried, n_attempts;

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
	pthread_mutex_unlock(&out_lock);
}

/* A connected, logged-in till of certificate code i % ncodes; NULL once deadline_ms passed. */
static KassaClient *till_open(int i, int64_t deadline_ms)
{
	KcOptions o = { .host = "127.0.0.1", .port = cfg.port, .server_name = "localhost",
			.connect_timeout_ms = LOAD_CONNECT_TIMEOUT_MS,
			.io_timeout_ms = cfg.io_timeout_ms, .client_software = "kassa-till-load" };
	char err[KC_ERR_LEN];

	o.ctx = cfg.ctx[i % cfg.ncodes];
	while (wall_ms() < deadline_ms) {
		KassaClient *kc = kc_connect(&o, err, sizeof(err));
		Kassa__V1__Response *r = NULL;

		if (kc != NULL && kc_login(kc, cfg.staff, cfg.pin, &r) == KC_OK &&
		    kc_status(r) == KASSA__V1__STATUS_CODE__OK) {
			kc_response_free(r);
			return kc;
		}
		kc_response_free(r);
		kc_free(kc);
		sleep_ms(LOAD_PAUSE_MS);
	}
	return NULL;
}

/* Make sure kc is connected (reconnecting if need be); false once deadline_ms passed. */
static bool till_ready(KassaClient *kc, int64_t deadline_ms)
{
	while (!kc_is_connected(kc)) {
		if (wall_ms() >= deadline_ms)
			return false;
		if (kc_reconnect(kc, NULL, 0))
			return true;
		sleep_ms(LOAD_PAUSE_MS);
	}
	return true;
}

/* The n-th sale of till t; lines and tenders are the caller's arrays. */
static void sale_make(int t, long n, KcLine lines[2], KcTender tenders[2], KcSale *s)
{
	int64_t member = cfg.members[(t + n) % cfg.nmembers];

	lines[0] = (KcLine){ "SKU-TEA", (int32_t)(1 + (n + 1) % 3), false };	/* 3 with points */
	lines[1] = (KcLine){ "SKU-WATER", (int32_t)(1 + n % 2), false };
	tenders[0] = (KcTender){ CASH, 5000, NULL };
	tenders[1] = (KcTender){ STORED, 300, NULL };
	*s = (KcSale){ .lines = lines, .nlines = 2, .member_id = member, .tenders = tenders,
		       .ntenders = n % 3 == 2 ? 2 : 1, .points_redeem = n % 3 == 1 ? 100 : 0 };
}

/* Should this answer be retried with the same key? */
static bool retryable(Kassa__V1__StatusCode code)
{
	return code == KASSA__V1__STATUS_CODE__UNAVAILABLE ||
	       code == KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED;
}

/* One key, attempted until answered for good or its deadline. */
static void key_run(KassaClient *kc, int t, long n)
{
	KcLine lines[2];
	KcTender tenders[2];
	KcSale sale;
	char key[KC_KEY_LEN];
	int64_t deadline = wall_ms() + (int64_t)cfg.key_deadline_s * 1000;
	int attempts = 0;

	sale_make(t, n, lines, tenders, &sale);
	kc_new_key(key);
	record("sent %s %d\n", key, t);
	atomic_fetch_add(&n_keys, 1);
	while (till_ready(kc, deadline)) {
		Kassa__V1__Response *r = NULL;
		int64_t start = wall_ms();
		KcResult res = kc_checkout(kc, &sale, key, false, &r);
		Kassa__V1__StatusCode code = res == KC_OK ? kc_status(r) : 0;
		char what[160];

		attempts++;
		atomic_fetch_add(&n_attempts, 1);
		if (res != KC_OK)
			snprintf(what, sizeof(what), "%s", kc_result_name(res));
		else
			snprintf(what, sizeof(what), "%s%s%s", kc_status_name(code),
				 *kc_detail(r) ? "/" : "", kc_detail(r));
		if (cfg.attempts)
			record("attempt %s %lld %lld %s\n", key, (long long)start,
			       (long long)wall_ms(), what);
		if (res == KC_OK && code == KASSA__V1__STATUS_CODE__OK) {
			const Kassa__V1__Transaction *tx = r->transaction;

			record("ack %s %lld %d\n", key, tx ? (long long)tx->txn_id : 0LL, attempts);
			atomic_fetch_add(&n_acked, 1);
			atomic_fetch_add(&n_retried, attempts > 1);
			kc_response_free(r);
			return;
		}
		if (res == KC_OK && !retryable(code)) {
			record("refused %s %s %d\n", key, what, attempts);
			atomic_fetch_add(&n_refused, 1);
			atomic_fetch_add(&n_retried, attempts > 1);
			kc_response_free(r);
			return;
		}
		kc_response_free(r);
		if (wall_ms() >= deadline)
			break;
		sleep_ms(LOAD_PAUSE_MS);
	}
	record("gaveup %s %d\n", key, attempts);
	atomic_fetch_add(&n_gaveup, 1);
	atomic_fetch_add(&n_retried, attempts > 1);
}

static void *till_main(void *arg)
{
	int t = (int)(intptr_t)arg;
	KassaClient *kc = till_open(t, wall_ms() + (int64_t)cfg.key_deadline_s * 1000);

	if (kc == NULL) {
		fprintf(stderr, "kassa-till-load: till %d could not connect and log in\n", t);
		return NULL;
	}
	for (long n = 0; !atomic_load(&stopping); n++)
		key_run(kc, t, n);
	kc_free(kc);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: kassa-till-load --port PORT --certs DIR --out FILE --members ID[,ID...]\n"
			"       [--tills N] [--till CODE[,CODE...]] [--staff ID --pin PIN]\n"
			"       [--stop-file FILE | --seconds S] [--key-deadline S]\n"
			"       [--io-timeout-ms MS] [--attempts]\n");
	exit(2);
}

/* Split a comma-separated list into at most max pieces of copy (which it keeps). */
static int split(char *copy, const char **items, int max)
{
	int n = 0;
	char *save = NULL;

	if (copy == NULL)
		usage();
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n >= max)
			usage();
		items[n++] = tok;
	}
	return n;
}

static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", 1, NULL, 'p' }, { "certs", 1, NULL, 'c' }, { "out", 1, NULL, 'o' },
		{ "members", 1, NULL, 'm' }, { "tills", 1, NULL, 'n' }, { "till", 1, NULL, 't' },
		{ "staff", 1, NULL, 's' }, { "pin", 1, NULL, 'P' }, { "stop-file", 1, NULL, 'f' },
		{ "seconds", 1, NULL, 'S' }, { "key-deadline", 1, NULL, 'd' },
		{ "io-timeout-ms", 1, NULL, 'i' }, { "attempts", 0, NULL, 'a' },
		{ NULL, 0, NULL, 0 } };
	const char *members[LOAD_MAX_MEMBERS];
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': cfg.port = optarg; break;
		case 'c': cfg.certs = optarg; break;
		case 'o': cfg.out_path = optarg; break;
		case 'm':
			free(cfg.lists[0]);
			cfg.lists[0] = strdup(optarg);
			cfg.nmembers = split(cfg.lists[0], members, LOAD_MAX_MEMBERS);
			for (int i = 0; i < cfg.nmembers; i++)
				cfg.members[i] = number(members[i], 1, INT32_MAX);
			break;
		case 'n': cfg.tills = (int)number(optarg, 1, LOAD_MAX_TILLS); break;
		case 't':
			free(cfg.lists[1]);
			cfg.lists[1] = strdup(optarg);
			cfg.ncodes = split(cfg.lists[1], cfg.codes, LOAD_MAX_CODES);
			break;
		case 's': cfg.staff = number(optarg, 1, INT32_MAX); break;
		case 'P': cfg.pin = optarg; break;
		case 'f': cfg.stop_file = optarg; break;
		case 'S': cfg.seconds = (int)number(optarg, 1, 3600); break;
		case 'd': cfg.key_deadline_s = (int)number(optarg, 1, 3600); break;
		case 'i': cfg.io_timeout_ms = (int)number(optarg, 100, 600000); break;
		case 'a': cfg.attempts = true; break;
		default: usage();
		}
	}
	if (optind != argc || !cfg.port || !cfg.certs || !cfg.out_path || cfg.nmembers == 0 ||
	    (cfg.stop_file == NULL) == (cfg.seconds == 0))
		usage();
	if (cfg.ncodes == 0)
		cfg.codes[cfg.ncodes++] = "S001-T1";
}

/* One client TLS context per till certificate; false (said) if one cannot be built. */
static bool contexts(void)
{
	char cert[1024], key[1024], ca[1024], err[KC_ERR_LEN];

	snprintf(ca, sizeof(ca), "%s/ca.crt", cfg.certs);
	for (int i = 0; i < cfg.ncodes; i++) {
		snprintf(cert, sizeof(cert), "%s/%s.crt", cfg.certs, cfg.codes[i]);
		snprintf(key, sizeof(key), "%s/%s.key", cfg.certs, cfg.codes[i]);
		cfg.ctx[i] = kc_ctx_new(cert, key, ca, err, sizeof(err));
		if (cfg.ctx[i] == NULL) {
			fprintf(stderr, "kassa-till-load: %s: %s\n", cfg.codes[i], err);
			return false;
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	pthread_t th[LOAD_MAX_TILLS];
	int64_t end_ms;

	parse(argc, argv);
	out = fopen(cfg.out_path, "a");
	if (out == NULL) {
		fprintf(stderr, "kassa-till-load: could not open %s: %s\n", cfg.out_path,
			strerror(errno));
		return 2;
	}
	if (!contexts())
		return 2;
	for (int i = 0; i < cfg.tills; i++)
		if (pthread_create(&th[i], NULL, till_main, (void *)(intptr_t)i) != 0) {
			fprintf(stderr, "kassa-till-load: could not start till %d\n", i);
			return 2;
		}
	printf("tills %d started\n", cfg.tills);
	fflush(stdout);
	end_ms = wall_ms() + (int64_t)cfg.seconds * 1000;
	while (cfg.stop_file ? access(cfg.stop_file, F_OK) != 0 : wall_ms() < end_ms)
		sleep_ms(LOAD_PAUSE_MS);
	atomic_store(&stopping, true);
	for (int i = 0; i < cfg.tills; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < cfg.ncodes; i++)
		SSL_CTX_free(cfg.ctx[i]);
	fclose(out);
	free(cfg.lists[0]);
	free(cfg.lists[1]);
	printf("keys=%ld acked=%ld refused=%ld gaveup=%ld retried=%ld attempts=%ld\n",
	       atomic_load(&n_keys), atomic_load(&n_acked), atomic_load(&n_refused),
	       atomic_load(&n_gaveup), atomic_load(&n_retried), atomic_load(&n_attempts));
	return atomic_load(&n_gaveup) > 0 ? 1 : 0;
}

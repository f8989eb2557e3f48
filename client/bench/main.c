/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kassa-bench: load generator. N threads play N tills, each on its own
 * mutual-TLS connection (all may share one bench certificate), and measure
 * what a till feels: throughput and latency percentiles of whole requests.
 *
 * Modes:
 *   checkout (default)  each till logs in and rings up sales of 3-8 random
 *                       lines (quantity 1-3) from the catalogue; 70% carry a
 *                       member picked from 1..K; one cash tender covers the
 *                       total (rounded up to a whole unit, so most get change)
 *   --lookups           member look-ups by phone +86139 + 8-digit i, i in 1..K
 *   --idle N            open N connections (Hello only), report, hold them
 *                       --hold seconds, then close; for measuring server memory
 *
 * The catalogue is looked up once at start (pipelined) so that every
 * checkout knows its total before it is sent: SKUs SKU-000001..SKU-<N> for
 * --products N (what scripts/seed.sh creates; --sku-prefix and --sku-digits
 * for other spellings) or the codes in --skus FILE.
 *
 * Every till first does --warmup operations that are not counted; then all
 * start together (a barrier) and the clock runs until the last one is done
 * (--checkouts M each, or --duration S). Runs always end by themselves:
 * every wait on the server is bounded by --timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <jansson.h>

#include "kassa_client.h"
#include "kc_options.h"
#include "stats.h"
#include "util.h"

#define BENCH_SOFTWARE "kassa-bench/" KASSA_VERSION
#define BENCH_EXIT_OK 0
#define BENCH_EXIT_ERRORS 1	/* the run finished but some operations failed */
#define BENCH_EXIT_USAGE 2
#define BENCH_EXIT_CONN 3	/* no till could connect, or the catalogue could not be read */
#define BENCH_MAX_HOLD 3600	/* seconds --hold may be */
#define BENCH_MAX_DURATION 3600	/* seconds --duration may be */
#define BENCH_MAX_THREADS 1024
#define BENCH_MIN_LINES 3
#define BENCH_MAX_LINES 8
#define BENCH_MEMBER_PCT 70
#define BENCH_CATALOG_WINDOW 32	/* look-ups in flight while loading the catalogue */
#define BENCH_BUSY_BACKOFF_MS 50	/* pause after UNAVAILABLE / RESOURCE_EXHAUSTED */
#define BENCH_RECONNECT_TRIES 8	/* about 7 s of reconnect attempts before a till gives up */

typedef enum BenchMode {
	BENCH_CHECKOUT = 0,	/* checkouts */
	BENCH_LOOKUP,		/* member look-ups by phone */
	BENCH_IDLE,		/* idle connections */
} BenchMode;

typedef struct BenchProduct {
	char *code;		/* owned: the SKU */
	int64_t price_minor;	/* as looked up at start */
} BenchProduct;

/* Settings; written by main() before any thread starts, read-only afterwards. */
static struct {
	BenchMode mode;
	KcOptions opt;		/* opt.ctx is the shared context */
	int tills;
	long ops;		/* per till; 0 with duration */
	int duration;		/* seconds; 0 = use ops */
	int warmup;		/* uncounted operations per till */
	long members;		/* K: member ids / phone numbers 1..K; 0 = none */
	int min_lines, max_lines;	/* lines a sale has, picked evenly in between */
	long products;		/* SKUs 1..products: sku_prefix + sku_digits zero-padded digits */
	const char *sku_prefix;	/* "SKU-" */
	int sku_digits;		/* 6, as scripts/seed.sh numbers its SKUs */
	const char *skus_file;
	int64_t staff_id;	/* 0 = no login */
	const char *pin;
	int idle;		/* connections for --idle */
	int hold;		/* seconds to hold them */
	long server_pid;	/* 0 = unknown; else its VmRSS is reported */
	bool json;
	uint64_t seed;
} cfg;

static BenchProduct *catalog;	/* owned; read-only once threads run */
static size_t n_catalog;
static pthread_barrier_t start_barrier;

typedef struct Worker {
	int idx;
	pthread_t thread;
	Stats stats;		/* owned */
	uint64_t rng;		/* xorshift state */
	bool started;		/* connected and logged in */
	char err[KC_ERR_LEN];	/* why it could not start */
	int64_t t_start;	/* µs, after the barrier */
	int64_t t_end;
	int reconnects;		/* after lost connections */
	int resumed;		/* of those, how many resumed the TLS session */
} Worker;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kassa-bench [--host H] [--port P] --cert FILE --key FILE --ca FILE\n"
		"         [--tills N] [--checkouts M | --duration S] [--warmup W]\n"
		"         [--products N | --skus FILE] [--members K] [--lines N[-M]]\n"
		"         [--staff ID --pin PIN]\n"
		"         [--lookups] [--idle N [--hold S] [--pid SERVER_PID]]\n"
		"         [--timeout MS] [--seed X] [--json]\n"
		"  --tills N       concurrent tills (threads, one connection each; default 8)\n"
		"  --checkouts M   operations per till (default 100)\n"
		"  --duration S    run S seconds instead of --checkouts\n"
		"  --warmup W      uncounted operations per till first (default 10)\n"
		"  --products N    catalogue SKU-000001..SKU-<N> (default 100)\n"
		"  --sku-prefix P, --sku-digits D  how those codes are spelt (default SKU- and 6)\n"
		"  --skus FILE     catalogue codes from FILE, one a line\n"
		"  --members K     70%% of sales carry a member id from 1..K (default 0: none)\n"
		"  --lines N[-M]   lines per sale, N or N to M picked evenly (default 3-8, at most 8)\n"
		"  --staff, --pin  staff login of every till (default 1901 / 1234)\n"
		"  --lookups       measure member look-ups by phone +86139<8 digits> instead\n"
		"  --idle N        open N connections (Hello only) and hold them\n"
		"  --hold S        seconds to hold them (default 10, at most 3600)\n"
		"  --pid PID       with --idle: report the server's VmRSS from /proc/PID/status\n"
		"  --json          print one JSON object instead of text\n"
		"environment: KASSA_HOST KASSA_PORT KASSA_CERT KASSA_KEY KASSA_CA\n"
		"exit codes: 0 all operations succeeded, 1 some failed, 2 usage,\n"
		"            3 could not connect\n");
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* xorshift64*: fast, per-thread, good enough to pick products. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in lo..hi (inclusive). */
static long rng_range(uint64_t *s, long lo, long hi)
{
	return lo + (long)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The server's resident memory in kB, -1 if unknown. */
static long server_rss_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	if (cfg.server_pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", cfg.server_pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* ---- the catalogue ---- */

/* The codes to look up: from --skus FILE or SKU-00001..SKU-<products>. */
static char **catalog_codes(size_t *n)
{
	char **codes = NULL, *line = NULL;
	size_t cap = 0, lcap = 0;
	ssize_t len;
	FILE *f;

	*n = 0;
	if (cfg.skus_file == NULL) {
		codes = xcalloc((size_t)cfg.products, sizeof(*codes));
		for (long i = 1; i <= cfg.products; i++) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%.16s%0*ld", cfg.sku_prefix, cfg.sku_digits, i);
			codes[(*n)++] = xstrdup(buf);
		}
		return codes;
	}
	f = fopen(cfg.skus_file, "r");
	if (f == NULL) {
		fprintf(stderr, "kassa-bench: could not open %s: %s\n", cfg.skus_file,
			strerror(errno));
		return NULL;
	}
	while ((len = getline(&line, &lcap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
				   line[len - 1] == ' '))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			codes = xrealloc(codes, cap * sizeof(*codes));
		}
		codes[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return codes;
}

/*
 * Look every code up once, pipelined, and keep the ones found with their
 * price. False if none was found or the connection failed.
 */
static bool catalog_load(KassaClient *kc)
{
	const Kassa__V1__Welcome *w = kc_welcome(kc);
	size_t n, sent = 0, done = 0, missing = 0, i;
	size_t window = BENCH_CATALOG_WINDOW;
	char **codes = catalog_codes(&n);
	bool ok = true;

	if (codes == NULL)
		return false;
	if (w != NULL && w->max_in_flight > 0 && w->max_in_flight < window)
		window = w->max_in_flight;
	catalog = xcalloc(n ? n : 1, sizeof(*catalog));
	while (done < n && ok) {
		Kassa__V1__Response *resp = NULL;

		while (sent < n && sent - done < window) {
			Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
			Kassa__V1__ProductLookup pl = KASSA__V1__PRODUCT_LOOKUP__INIT;

			pl.code = codes[sent];
			/* id = index + 1: the answers may come in any order */
			req.request_id = (uint64_t)sent + 1;
			req.body_case = KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP;
			req.product_lookup = &pl;
			if (kc_send(kc, &req, NULL) != KC_OK) {
				ok = false;
				break;
			}
			sent++;
		}
		if (!ok || kc_recv(kc, &resp) != KC_OK) {
			ok = false;
			break;
		}
		done++;
		i = (size_t)resp->request_id - 1;
		if (kc_status(resp) == KASSA__V1__STATUS_CODE__OK &&
		    resp->body_case == KASSA__V1__RESPONSE__BODY_PRODUCT && i < n &&
		    resp->product->price != NULL) {
			catalog[n_catalog].code = xstrdup(codes[i]);
			catalog[n_catalog].price_minor = resp->product->price->minor;
			n_catalog++;
		} else {
			if (missing == 0)
				fprintf(stderr, "kassa-bench: product %s: %s %s\n",
					i < n ? codes[i] : "?", kc_status_name(kc_status(resp)),
					kc_detail(resp));
			missing++;
		}
		kc_response_free(resp);
	}
	if (!ok)
		fprintf(stderr, "kassa-bench: catalogue look-up failed: %s\n", kc_last_error(kc));
	else if (missing > 0)
		fprintf(stderr, "kassa-bench: %zu of %zu products not found; using the rest\n",
			missing, n);
	for (i = 0; i < n; i++)
		free(codes[i]);
	free(codes);
	return ok && n_catalog > 0;
}

/* ---- one operation ---- */

/* Count a failed answer under CODE/DETAIL. */
static void count_status(Stats *st, const Kassa__V1__Response *resp)
{
	char name[STATS_NAME_LEN];

	snprintf(name, sizeof(name), "%s%s%s", kc_status_name(kc_status(resp)),
		 *kc_detail(resp) ? "/" : "", kc_detail(resp));
	stats_add_error(st, name);
}

/* One realistic sale. */
static KcResult op_checkout(Worker *w, KassaClient *kc, Kassa__V1__Response **resp)
{
	KcLine lines[BENCH_MAX_LINES];
	KcTender tender;
	KcSale sale = { .lines = lines, .tenders = &tender, .ntenders = 1 };
	char key[KC_KEY_LEN];
	int64_t total = 0, member = 0;
	long n = rng_range(&w->rng, cfg.min_lines, cfg.max_lines), i;

	for (i = 0; i < n; i++) {
		const BenchProduct *p = &catalog[rng_range(&w->rng, 0, (long)n_catalog - 1)];

		lines[i].code = p->code;
		lines[i].quantity = (int32_t)rng_range(&w->rng, 1, 3);
		lines[i].gift = false;
		total += p->price_minor * lines[i].quantity;
	}
	if (cfg.members > 0 && rng_range(&w->rng, 1, 100) <= BENCH_MEMBER_PCT)
		member = rng_range(&w->rng, 1, cfg.members);
	tender.kind = KASSA__V1__TENDER_KIND__TENDER_CASH;
	tender.amount_minor = (total + 99) / 100 * 100;	/* a whole unit: change is common */
	if (tender.amount_minor == 0)
		tender.amount_minor = 100;
	tender.reference = NULL;
	kc_new_key(key);
	sale.nlines = (size_t)n;
	sale.member_id = member;
	return kc_checkout(kc, &sale, key, false, resp);
}

static KcResult op_lookup(Worker *w, KassaClient *kc, Kassa__V1__Response **resp)
{
	char phone[32];

	snprintf(phone, sizeof(phone), "+86139%08ld", rng_range(&w->rng, 1, cfg.members));
	return kc_member_get_by_phone(kc, phone, resp);
}

/*
 * Run one operation; record it when counted. False if the connection is
 * gone and could not be re-established (the till stops).
 */
static bool run_op(Worker *w, KassaClient *kc, bool counted)
{
	Kassa__V1__Response *resp = NULL;
	int64_t t0 = now_usec();
	KcResult r = cfg.mode == BENCH_LOOKUP ? op_lookup(w, kc, &resp) : op_checkout(w, kc, &resp);
	int64_t t1 = now_usec();

	int attempt;

	if (r == KC_OK) {
		Kassa__V1__StatusCode code = kc_status(resp);

		if (counted) {
			stats_add_latency(&w->stats, t1 - t0);
			if (code == KASSA__V1__STATUS_CODE__OK) {
				w->stats.ok++;
			} else {
				w->stats.failed++;
				count_status(&w->stats, resp);
			}
		}
		kc_response_free(resp);
		/* a busy or draining server: back off as a till would, do not spin */
		if (code == KASSA__V1__STATUS_CODE__UNAVAILABLE ||
		    code == KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED)
			sleep_ms(BENCH_BUSY_BACKOFF_MS);
		return true;
	}
	if (counted) {
		w->stats.failed++;
		stats_add_error(&w->stats, kc_result_name(r));
	}
	/* the server may be restarting: keep trying for a few seconds */
	for (attempt = 0; attempt < BENCH_RECONNECT_TRIES; attempt++) {
		sleep_ms(attempt == 0 ? 50 : 100L << (attempt < 4 ? attempt : 4));
		if (kc_reconnect(kc, NULL, 0)) {
			w->reconnects++;
			if (kc_session_reused(kc))
				w->resumed++;
			return true;
		}
	}
	if (counted)
		stats_add_error(&w->stats, "RECONNECT_FAILED");
	return false;
}

/* Connect and log in; false + w->err. */
static KassaClient *worker_connect(Worker *w)
{
	Kassa__V1__Response *resp = NULL;
	KassaClient *kc = kc_connect(&cfg.opt, w->err, sizeof(w->err));
	KcResult r;

	if (kc == NULL || cfg.staff_id == 0)
		return kc;
	r = kc_login(kc, cfg.staff_id, cfg.pin, &resp);
	if (r != KC_OK || kc_status(resp) != KASSA__V1__STATUS_CODE__OK) {
		snprintf(w->err, sizeof(w->err), "login: %s %s",
			 r != KC_OK ? kc_result_name(r) : kc_status_name(kc_status(resp)),
			 r != KC_OK ? kc_last_error(kc) : kc_detail(resp));
		kc_response_free(resp);
		kc_free(kc);
		return NULL;
	}
	kc_response_free(resp);
	return kc;
}

static void *worker_main(void *arg)
{
	Worker *w = arg;
	KassaClient *kc = worker_connect(w);
	int64_t deadline = 0;
	bool alive = kc != NULL;
	long i;

	for (i = 0; alive && i < cfg.warmup; i++)
		alive = run_op(w, kc, false);
	w->started = alive;
	/* everyone starts the clock together, also those that failed (they just stop) */
	pthread_barrier_wait(&start_barrier);
	w->t_start = w->t_end = now_usec();
	if (!alive)
		goto out;
	if (cfg.duration > 0)
		deadline = w->t_start + (int64_t)cfg.duration * 1000000;
	for (i = 0; alive; i++) {
		if (cfg.duration > 0 ? now_usec() >= deadline : i >= cfg.ops)
			break;
		alive = run_op(w, kc, true);
	}
	w->t_end = now_usec();
out:
	kc_free(kc);
	return NULL;
}

/* ---- reports ---- */

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

static int report_load(Worker *ws, int n)
{
	Stats all;
	int64_t t0 = INT64_MAX, t1 = 0;
	int started = 0, reconnects = 0, resumed = 0, i;
	double secs, tput;
	const char *what = cfg.mode == BENCH_LOOKUP ? "lookups" : "checkouts";

	stats_init(&all);
	for (i = 0; i < n; i++) {
		if (!ws[i].started) {
			if (ws[i].err[0])
				fprintf(stderr, "kassa-bench: till %d: %s\n", i, ws[i].err);
			continue;
		}
		started++;
		reconnects += ws[i].reconnects;
		resumed += ws[i].resumed;
		stats_merge(&all, &ws[i].stats);
		if (ws[i].t_start < t0)
			t0 = ws[i].t_start;
		if (ws[i].t_end > t1)
			t1 = ws[i].t_end;
	}
	stats_finish(&all);
	secs = started > 0 && t1 > t0 ? (double)(t1 - t0) / 1e6 : 0;
	tput = secs > 0 ? (double)all.ok / secs : 0;
	if (cfg.json) {
		json_t *o = json_object(), *errs = json_object();

		json_object_set_new(o, "mode", json_string(cfg.mode == BENCH_LOOKUP ? "lookup"
									       : "checkout"));
		json_object_set_new(o, "tills", json_integer(n));
		json_object_set_new(o, "tills_started", json_integer(started));
		json_object_set_new(o, "ok", json_integer((json_int_t)all.ok));
		json_object_set_new(o, "failed", json_integer((json_int_t)all.failed));
		json_object_set_new(o, "seconds", json_real(secs));
		json_object_set_new(o, "throughput", json_real(tput));
		json_object_set_new(o, "mean_ms", json_real(stats_mean(&all) / 1000.0));
		json_object_set_new(o, "p50_ms", json_real(ms(stats_percentile(&all, 50))));
		json_object_set_new(o, "p95_ms", json_real(ms(stats_percentile(&all, 95))));
		json_object_set_new(o, "p99_ms", json_real(ms(stats_percentile(&all, 99))));
		json_object_set_new(o, "max_ms", json_real(ms(stats_percentile(&all, 100))));
		json_object_set_new(o, "reconnects", json_integer(reconnects));
		json_object_set_new(o, "resumed", json_integer(resumed));
		for (size_t k = 0; k < all.n_errors; k++)
			json_object_set_new(errs, all.errors[k].name,
					    json_integer((json_int_t)all.errors[k].count));
		json_object_set_new(o, "errors", errs);
		char *s;

		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf("kassa-bench: %s, %d tills (%d started), ", what, n, started);
		if (cfg.duration > 0)
			printf("%d s", cfg.duration);
		else
			printf("%ld each", cfg.ops);
		printf(", warm-up %d each excluded\n", cfg.warmup);
		printf("  completed   %" PRIu64 " ok, %" PRIu64 " failed in %.2f s\n", all.ok,
		       all.failed, secs);
		printf("  throughput  %.1f %s/s\n", tput, what);
		printf("  latency ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  (mean %.2f)\n",
		       ms(stats_percentile(&all, 50)), ms(stats_percentile(&all, 95)),
		       ms(stats_percentile(&all, 99)), ms(stats_percentile(&all, 100)),
		       stats_mean(&all) / 1000.0);
		if (reconnects > 0)
			printf("  reconnects  %d (%d resumed the TLS session)\n", reconnects,
			       resumed);
		for (size_t k = 0; k < all.n_errors; k++)
			printf("  error       %s %" PRIu64 "\n", all.errors[k].name,
			       all.errors[k].count);
	}
	fflush(stdout);
	i = started == 0 ? BENCH_EXIT_CONN : all.failed > 0 ? BENCH_EXIT_ERRORS : BENCH_EXIT_OK;
	stats_free(&all);
	return i;
}

static int run_load(void)
{
	Worker *ws;
	KassaClient *kc;
	int i, rc;

	if (cfg.mode == BENCH_CHECKOUT) {
		/* prices first, on a connection of its own */
		Worker probe = { .idx = -1 };

		kc = worker_connect(&probe);
		if (kc == NULL) {
			fprintf(stderr, "kassa-bench: %s\n", probe.err);
			return BENCH_EXIT_CONN;
		}
		if (!catalog_load(kc)) {
			kc_free(kc);
			fprintf(stderr, "kassa-bench: no products to sell\n");
			return BENCH_EXIT_CONN;
		}
		kc_free(kc);
	} else if (cfg.members <= 0) {
		fprintf(stderr, "kassa-bench: --lookups needs --members K\n");
		return BENCH_EXIT_USAGE;
	}
	ws = xcalloc((size_t)cfg.tills, sizeof(*ws));
	if (pthread_barrier_init(&start_barrier, NULL, (unsigned)cfg.tills) != 0) {
		fprintf(stderr, "kassa-bench: could not create a barrier\n");
		free(ws);
		return BENCH_EXIT_USAGE;
	}
	for (i = 0; i < cfg.tills; i++) {
		ws[i].idx = i;
		stats_init(&ws[i].stats);
		ws[i].rng = cfg.seed + (uint64_t)i * 0x9E3779B97F4A7C15ULL + 1;
		if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
			fprintf(stderr, "kassa-bench: could not start thread %d\n", i);
			exit(BENCH_EXIT_USAGE);	/* the barrier would wait for it forever */
		}
	}
	for (i = 0; i < cfg.tills; i++)
		pthread_join(ws[i].thread, NULL);
	pthread_barrier_destroy(&start_barrier);
	rc = report_load(ws, cfg.tills);
	for (i = 0; i < cfg.tills; i++)
		stats_free(&ws[i].stats);
	free(ws);
	return rc;
}

/* ---- idle connections ---- */

typedef struct Opener {
	pthread_t thread;
	int idx;		/* this opener opens idx, idx + n_openers, ... */
	int n_openers;
	KassaClient **conns;	/* borrowed: the shared array */
	int opened;
	int failed;
	char err[KC_ERR_LEN];	/* first failure */
} Opener;

static void *opener_main(void *arg)
{
	Opener *o = arg;
	char err[KC_ERR_LEN];

	for (int i = o->idx; i < cfg.idle; i += o->n_openers) {
		o->conns[i] = kc_connect(&cfg.opt, err, sizeof(err));
		if (o->conns[i] != NULL) {
			o->opened++;
		} else {
			if (o->failed++ == 0)
				snprintf(o->err, sizeof(o->err), "%s", err);
		}
	}
	return NULL;
}

/* Has the server closed (or written to) this idle connection? */
static bool idle_closed(KassaClient *kc)
{
	struct pollfd p = { .fd = kc_fd(kc), .events = POLLIN };

	if (p.fd < 0)
		return true;
	return poll(&p, 1, 0) != 0;
}

static int run_idle(void)
{
	int n_openers = cfg.tills < cfg.idle ? cfg.tills : cfg.idle;
	KassaClient **conns = xcalloc((size_t)cfg.idle, sizeof(*conns));
	Opener *ops = xcalloc((size_t)n_openers, sizeof(*ops));
	int opened = 0, failed = 0, closed = 0, i;
	long rss_before = server_rss_kb(), rss_open, rss_end;
	int64_t t0 = now_usec(), t1;
	struct rlimit rl;
	double secs;

	/* every connection is a descriptor: take all the process may have */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)cfg.idle + 64 > rl.rlim_cur) {
		fprintf(stderr, "kassa-bench: --idle %d needs more descriptors than %lu\n",
			cfg.idle, (unsigned long)rl.rlim_cur);
		free(conns);
		free(ops);
		return BENCH_EXIT_USAGE;
	}
	for (i = 0; i < n_openers; i++) {
		ops[i].idx = i;
		ops[i].n_openers = n_openers;
		ops[i].conns = conns;
		if (pthread_create(&ops[i].thread, NULL, opener_main, &ops[i]) != 0) {
			fprintf(stderr, "kassa-bench: could not start thread %d\n", i);
			exit(BENCH_EXIT_USAGE);
		}
	}
	for (i = 0; i < n_openers; i++) {
		pthread_join(ops[i].thread, NULL);
		opened += ops[i].opened;
		failed += ops[i].failed;
		if (ops[i].failed > 0 && ops[i].err[0])
			fprintf(stderr, "kassa-bench: connect failed (%d times in opener %d): %s\n",
				ops[i].failed, i, ops[i].err);
	}
	t1 = now_usec();
	secs = (double)(t1 - t0) / 1e6;
	rss_open = server_rss_kb();
	if (!cfg.json) {
		printf("kassa-bench: idle: %d connections open, %d failed, in %.2f s "
		       "(%.0f handshakes/s)\n", opened, failed, secs,
		       secs > 0 ? (double)opened / secs : 0);
		if (rss_open >= 0)
			printf("  server VmRSS %ld kB before, %ld kB with the connections open "
			       "(%.1f kB per connection)\n", rss_before, rss_open,
			       opened > 0 ? (double)(rss_open - rss_before) / opened : 0);
		printf("  holding for %d s\n", cfg.hold);
		fflush(stdout);
	}
	for (i = 0; i < cfg.hold; i++)
		sleep_ms(1000);
	rss_end = server_rss_kb();
	for (i = 0; i < cfg.idle; i++)
		if (conns[i] != NULL && idle_closed(conns[i]))
			closed++;
	if (cfg.json) {
		json_t *o = json_object();
		char *s;

		json_object_set_new(o, "mode", json_string("idle"));
		json_object_set_new(o, "requested", json_integer(cfg.idle));
		json_object_set_new(o, "opened", json_integer(opened));
		json_object_set_new(o, "failed", json_integer(failed));
		json_object_set_new(o, "open_seconds", json_real(secs));
		json_object_set_new(o, "handshakes_per_s",
				    json_real(secs > 0 ? (double)opened / secs : 0));
		json_object_set_new(o, "hold_seconds", json_integer(cfg.hold));
		json_object_set_new(o, "closed_by_server", json_integer(closed));
		if (rss_open >= 0) {
			json_object_set_new(o, "server_rss_kb_before", json_integer(rss_before));
			json_object_set_new(o, "server_rss_kb_open", json_integer(rss_open));
			json_object_set_new(o, "server_rss_kb_end", json_integer(rss_end));
		}
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		if (s != NULL)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		printf("  after %d s: %d of %d closed by the server", cfg.hold, closed, opened);
		if (rss_end >= 0)
			printf(", server VmRSS %ld kB", rss_end);
		printf("\n");
	}
	fflush(stdout);
	for (i = 0; i < cfg.idle; i++)
		kc_free(conns[i]);
	free(conns);
	free(ops);
	return opened == 0 ? BENCH_EXIT_CONN : failed > 0 || closed > 0 ? BENCH_EXIT_ERRORS
									 : BENCH_EXIT_OK;
}

/* ---- main ---- */

static const struct option longopts[] = {
	KC_CONN_LONGOPTS,
	{ "tills", required_argument, NULL, 'T' },
	{ "checkouts", required_argument, NULL, 'M' },
	{ "duration", required_argument, NULL, 'D' },
	{ "warmup", required_argument, NULL, 'W' },
	{ "members", required_argument, NULL, 'K' },
	{ "lines", required_argument, NULL, 'N' },
	{ "products", required_argument, NULL, 'R' },
	{ "skus", required_argument, NULL, 'F' },
	{ "sku-prefix", required_argument, NULL, 'f' },
	{ "sku-digits", required_argument, NULL, 'd' },
	{ "staff", required_argument, NULL, 'S' },
	{ "pin", required_argument, NULL, 'P' },
	{ "lookups", no_argument, NULL, 'L' },
	{ "idle", required_argument, NULL, 'I' },
	{ "hold", required_argument, NULL, 'h' + 256 },
	{ "pid", required_argument, NULL, 'X' },
	{ "seed", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --lines N or N-M (1..BENCH_MAX_LINES): 1 if taken, 0 for a bad value. */
static int parse_lines(const char *arg)
{
	char lo[16], *dash;
	long a, b;

	snprintf(lo, sizeof(lo), "%s", arg);
	dash = strchr(lo, '-');
	if (dash != NULL)
		*dash = '\0';
	if (!parse_long(lo, 1, BENCH_MAX_LINES, &a))
		return 0;
	b = a;
	if (dash != NULL && !parse_long(dash + 1, a, BENCH_MAX_LINES, &b))
		return 0;
	cfg.min_lines = (int)a;
	cfg.max_lines = (int)b;
	return 1;
}

/*
 * Apply one of kassa-bench's own options (not a connection option) to
 * cfg: 1 if taken, 0 for a bad value, -1 if ch is no option of ours.
 */
static int take_option(int ch, const char *arg)
{
	long v;

	switch (ch) {
	case 'T':
		if (!parse_long(arg, 1, BENCH_MAX_THREADS, &v))
			return 0;
		cfg.tills = (int)v;
		break;
	case 'M':
		if (!parse_long(arg, 1, 100000000, &cfg.ops))
			return 0;
		break;
	case 'D':
		if (!parse_long(arg, 1, BENCH_MAX_DURATION, &v))
			return 0;
		cfg.duration = (int)v;
		break;
	case 'W':
		if (!parse_long(arg, 0, 1000000, &v))
			return 0;
		cfg.warmup = (int)v;
		break;
	case 'K':
		if (!parse_long(arg, 0, 99999999, &cfg.members))
			return 0;
		break;
	case 'N':
		return parse_lines(arg);
	case 'R':
		if (!parse_long(arg, 1, 99999, &cfg.products))
			return 0;
		break;
	case 'F':
		cfg.skus_file = arg;
		break;
	case 'f':
		cfg.sku_prefix = arg;
		break;
	case 'd':
		if (!parse_long(arg, 1, 12, &v))
			return 0;
		cfg.sku_digits = (int)v;
		break;
	case 'S':
		if (!parse_long(arg, 0, INT32_MAX, &v))
			return 0;
		cfg.staff_id = v;
		break;
	case 'P':
		cfg.pin = arg;
		break;
	case 'L':
		cfg.mode = BENCH_LOOKUP;
		break;
	case 'I':
		if (!parse_long(arg, 1, 1000000, &v))
			return 0;
		cfg.mode = BENCH_IDLE;
		cfg.idle = (int)v;
		break;
	case 'h' + 256:
		if (!parse_long(arg, 0, BENCH_MAX_HOLD, &v))
			return 0;
		cfg.hold = (int)v;
		break;
	case 'X':
		if (!parse_long(arg, 1, INT32_MAX, &cfg.server_pid))
			return 0;
		break;
	case 's':
		if (!parse_long(arg, 0, INT32_MAX, &v))
			return 0;
		cfg.seed = (uint64_t)v;
		break;
	case 'j':
		cfg.json = true;
		break;
	default:
		return -1;
	}
	return 1;
}

/* Parse argv into cfg; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int taken = kc_options_take(&cfg.opt, ch, optarg, "kassa-bench");

		if (taken < 0)
			return BENCH_EXIT_USAGE;
		if (taken > 0)
			continue;
		if (ch == 'h') {
			usage(stdout);
			return BENCH_EXIT_OK;
		}
		if (ch == 'V') {
			printf("%s\n", BENCH_SOFTWARE);
			return BENCH_EXIT_OK;
		}
		taken = take_option(ch, optarg);
		if (taken == 0) {
			fprintf(stderr, "kassa-bench: bad value for an option: %s\n", optarg);
			return BENCH_EXIT_USAGE;
		}
		if (taken < 0) {
			usage(stderr);
			return BENCH_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return BENCH_EXIT_USAGE;
	}
	if (cfg.opt.cert == NULL || cfg.opt.key == NULL || cfg.opt.ca == NULL) {
		fprintf(stderr, "kassa-bench: --cert, --key and --ca are required\n");
		return BENCH_EXIT_USAGE;
	}
	if (cfg.duration > 0 && cfg.ops > 0) {
		fprintf(stderr, "kassa-bench: give --checkouts or --duration, not both\n");
		return BENCH_EXIT_USAGE;
	}
	return -1;
}

int main(int argc, char **argv)
{
	char err[KC_ERR_LEN];
	int rc;

	cfg.mode = BENCH_CHECKOUT;
	kc_options_from_env(&cfg.opt);
	cfg.opt.client_software = BENCH_SOFTWARE;
	cfg.tills = 8;
	cfg.warmup = 10;
	cfg.min_lines = BENCH_MIN_LINES;
	cfg.max_lines = BENCH_MAX_LINES;
	cfg.products = 100;
	cfg.sku_prefix = "SKU-";
	cfg.sku_digits = 6;
	cfg.staff_id = 1901;
	cfg.pin = "1234";
	cfg.hold = 10;
	cfg.seed = (uint64_t)time(NULL);
	rc = parse_args(argc, argv);
	if (rc >= 0)
		return rc;
	if (cfg.duration == 0 && cfg.ops == 0)
		cfg.ops = 100;
	if (cfg.mode == BENCH_IDLE)
		cfg.staff_id = 0;	/* Hello only */

	cfg.opt.ctx = kc_ctx_new(cfg.opt.cert, cfg.opt.key, cfg.opt.ca, err, sizeof(err));
	if (cfg.opt.ctx == NULL) {
		fprintf(stderr, "kassa-bench: %s\n", err);
		return BENCH_EXIT_USAGE;
	}
	rc = cfg.mode == BENCH_IDLE ? run_idle() : run_load();
	SSL_CTX_free(cfg.opt.ctx);
	for (size_t i = 0; i < n_catalog; i++)
		free(catalog[i].code);
	free(catalog);
	return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: kassad's command line and life cycle.
 *
 *   kassad [--config FILE]                  serve tills (foreground)
 *   kassad migrate [--config FILE] [--migrations DIR]
 *   kassad check-config [--config FILE]
 *   kassad hash-pin PIN                      print an argon2id hash for staff.pin_hash
 *
 * Serving sets things up in this order: configuration, logging, the open
 * file limit (raised to its hard limit; max_sessions kept below it), TLS
 * context, event base and signals, prepared statements, the database pool,
 * worker threads, then the listeners (and the dashboard's HTTPS port,
 * [admin] dashboard_listen). SIGTERM/SIGINT stop the listeners,
 * let running requests finish (at most cf_shutdown_timeout seconds), close
 * the sessions and exit 0. SIGHUP rebuilds the TLS context from the
 * certificate, key, CA and CRL files and swaps it in if that succeeds.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "catalog/catalog.h"
#include "catalog/product.h"
#include "core.h"
#include "db.h"
#include "http/https.h"
#include "log.h"
#include "loyalty/loyalty.h"
#include "loyalty/ruleset_cache.h"
#include "members/members.h"
#include "routes.h"
#include "staff/staff.h"
#include "tls.h"
#include "worker.h"

struct event_base *g_base;
SSL_CTX *g_ssl_ctx;
bool g_shutting_down;

static struct event *drain_ev;
/* After draining, answers already written get this long to reach their tills. */
#define DRAIN_FLUSH_US (2 * 1000000)

static int64_t drain_deadline_us;

/*
 * Descriptors kept for everything but sessions: stdio, epoll, the signal
 * and worker pipes, listeners, resolver sockets, syslog, the files a TLS
 * reload reads. The pool's connections come on top.
 */
#define FD_RESERVE 32
#define FD_LIMIT_UNLIMITED ((rlim_t)1 << 20)	/* what "unlimited" is raised to */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kassad [--config FILE]              serve tills\n"
		"       kassad migrate [--config FILE] [--migrations DIR]\n"
		"       kassad check-config [--config FILE]\n"
		"       kassad hash-pin PIN\n"
		"       kassad --version\n");
}

static SSL_CTX *build_ssl_ctx(void)
{
	char err[512];
	SSL_CTX *ctx = tls_server_ctx_new(cf_tls_cert, cf_tls_key, cf_tls_ca, cf_tls_crl, err,
					  sizeof(err));

	if (ctx == NULL)
		log_error("could not set up TLS: %s", err);
	return ctx;
}

/*
 * Every tick while draining: once nothing runs (or the deadline passed),
 * close each session after its last answers have gone out; exit when all
 * are closed, or DRAIN_FLUSH_US later for tills that do not read.
 */
static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
	static int64_t flush_deadline_us;
	int running = session_calls_running() + db_busy() + worker_busy();

	(void)fd;
	(void)what;
	(void)arg;
	if (flush_deadline_us == 0) {
		if (running > 0 && now_usec() < drain_deadline_us)
			return;
		if (running > 0)
			log_warn("shutdown timeout: abandoning %d running requests", running);
		session_close_all_after_write("server shutting down");
		flush_deadline_us = now_usec() + DRAIN_FLUSH_US;
	}
	if (session_count() > 0 && now_usec() < flush_deadline_us)
		return;
	session_close_all("server shutting down");
	event_base_loopexit(g_base, NULL);
}

static void sigterm_cb(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tick = { 0, 20 * 1000 };

	(void)what;
	(void)arg;
	if (g_shutting_down)
		return;
	log_info("received signal %d: draining (at most %d s)", (int)sig, cf_shutdown_timeout);
	g_shutting_down = true;
	listener_stop();
	https_stop();
	jobs_stop();
	drain_deadline_us = now_usec() + (int64_t)cf_shutdown_timeout * 1000000;
	drain_ev = event_new(g_base, -1, EV_PERSIST, drain_cb, NULL);
	if (drain_ev == NULL || event_add(drain_ev, &tick) != 0) {
		/* no way to wait for running requests: stop now rather than hang */
		log_error("could not start draining; closing every session now");
		session_close_all("server shutting down");
		event_base_loopexit(g_base, NULL);
	}
}

static void sighup_cb(evutil_socket_t sig, short what, void *arg)
{
	SSL_CTX *ctx;

	(void)sig;
	(void)what;
	(void)arg;
	ctx = build_ssl_ctx();
	if (ctx == NULL) {
		log_error("reload failed; keeping the current certificates");
		return;
	}
	/* live connections hold their own references to the old context */
	SSL_CTX_free(g_ssl_ctx);
	g_ssl_ctx = ctx;
	log_info("reloaded TLS certificates and revocation list");
	https_reload();
}

/*
 * Raise RLIMIT_NOFILE's soft limit to the hard one, then keep max_sessions
 * below what is left after FD_RESERVE, the pools and the dashboard's
 * connections: a session over it is refused at once, instead of accept()
 * failing with EMFILE. Before the loop.
 */
static bool fd_limit_setup(void)
{
	struct rlimit rl;
	rlim_t was;
	long room;
	/* both pools' connections: the primary's and report_dsn's */
	int pools = cf_db_pool_size + (*cf_db_report_dsn ? cf_db_report_pool_size : 0);
	/* and the dashboard's, when it listens ([admin] dashboard_listen) */
	int dashboard = *cf_dashboard_listen ? HTTPS_MAX_CONNECTIONS : 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_error("could not read the open file limit: %m");
		return false;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? FD_LIMIT_UNLIMITED : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("could not raise the open file limit from %lu to %lu: %m",
				 (unsigned long)was, (unsigned long)rl.rlim_cur);
			rl.rlim_cur = was;
		} else {
			log_info("raised the open file limit from %lu to %lu", (unsigned long)was,
				 (unsigned long)rl.rlim_cur);
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t)INT32_MAX)
		rl.rlim_cur = (rlim_t)INT32_MAX;
	room = (long)rl.rlim_cur - FD_RESERVE - pools - dashboard;
	if (room < 1) {
		log_error("the open file limit %lu leaves no room for sessions: kassad needs %d"
			  " descriptors and one per session", (unsigned long)rl.rlim_cur,
			  FD_RESERVE + pools + dashboard);
		return false;
	}
	if (cf_max_sessions > room) {
		log_warn("[server] max_sessions lowered from %d to %ld: the open file limit is %lu,"
			 " and %d descriptors are kept for the pool, the dashboard, logs and workers",
			 cf_max_sessions, room, (unsigned long)rl.rlim_cur,
			 FD_RESERVE + pools + dashboard);
		cf_max_sessions = (int)room;
	}
	return true;
}

static int serve(void)
{
	struct event *ev_term, *ev_int, *ev_hup;
	LogLevel lvl;

	if (!cfg_validate(true))
		return 1;
	if (log_level_parse(cf_log_level, &lvl))
		log_set_level(lvl);
	if (*cf_timezone) {
		/* before any thread starts: the business day of coupons, birthdays, lots */
		setenv("TZ", cf_timezone, 1);
		tzset();
		log_info("the business day is %s's", cf_timezone);
	}
	/* prepared statements name SQL functions: refuse a database migrated with other files */
	if (!migrate_check(cf_db_conninfo, cf_db_migrations))
		return 1;
	if (!fd_limit_setup())
		return 1;
	signal(SIGPIPE, SIG_IGN);
	g_ssl_ctx = build_ssl_ctx();
	if (g_ssl_ctx == NULL)
		return 1;
	/*
	 * The changelist folds the enable/disable pairs bufferevents make within
	 * one loop iteration into one epoll_ctl (measured: 6 epoll_ctl calls per
	 * checkout without it).
	 */
	struct event_config *ecfg = event_config_new();

	if (ecfg == NULL || event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) != 0)
		die("could not configure the event base");
	g_base = event_base_new_with_config(ecfg);
	event_config_free(ecfg);
	if (g_base == NULL)
		die("could not create the event base");
	ev_term = evsignal_new(g_base, SIGTERM, sigterm_cb, NULL);
	ev_int = evsignal_new(g_base, SIGINT, sigterm_cb, NULL);
	ev_hup = evsignal_new(g_base, SIGHUP, sighup_cb, NULL);
	if (!ev_term || !ev_int || !ev_hup || event_add(ev_term, NULL) || event_add(ev_int, NULL) ||
	    event_add(ev_hup, NULL))
		die("could not install signal handlers");

	routes_setup();
	hello_setup();
	if (!staff_setup())
		return 1;
	member_setup();
	product_setup();
	checkout_setup();
	txn_setup();
	ruleset_cache_setup();
	refund_setup();
	topup_setup();
	jobs_setup();
	loyalty_config_setup();
	https_setup_statements();
	if (!db_setup())
		die("could not start the database pool");
	if (!worker_setup(cf_workers))
		die("could not start worker threads");
	if (!listener_setup())
		return 1;
	if (!https_setup(cf_dashboard_listen))
		return 1;
	jobs_start();
	log_info("kassad %s ready (pool %d, max %d sessions)", KASSA_VERSION, cf_db_pool_size,
		 cf_max_sessions);

	event_base_dispatch(g_base);

	log_info("stopping");
	db_shutdown();
	https_shutdown();	/* after db_shutdown(): its callbacks answer what waits */
	worker_shutdown();
	session_reap();
	catalog_clear();
	if (drain_ev)
		event_free(drain_ev);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	SSL_CTX_free(g_ssl_ctx);
	event_base_free(g_base);
	log_info("stopped");
	return 0;
}

static int hash_pin(const char *pin)
{
	char out[crypto_pwhash_STRBYTES];
	size_t n = strlen(pin);

	if (n < 4 || n > 12 || strspn(pin, "0123456789") != n) {
		fprintf(stderr, "kassad: a PIN is 4-12 digits\n");
		return 2;
	}
	if (crypto_pwhash_str(out, pin, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "kassad: out of memory hashing the PIN\n");
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "migrations", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *migrations = NULL, *cmd = "run";
	int o;

	if (sodium_init() < 0)
		die("could not initialise libsodium");
	while ((o = getopt_long(argc, argv, "c:m:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 'm':
			migrations = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("kassad %s\n", KASSA_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (strcmp(cmd, "hash-pin") == 0) {
		if (optind != argc - 1) {
			usage(stderr);
			return 2;
		}
		return hash_pin(argv[optind]);
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!cfg_load(config))
		return 1;
	if (strcmp(cmd, "migrate") == 0) {
		if (!cfg_validate(false))
			return 1;
		return migrate_run(cf_db_conninfo, migrations ? migrations : cf_db_migrations) ? 0 : 1;
	}
	if (strcmp(cmd, "check-config") == 0) {
		if (!cfg_validate(true))
			return 1;
		SSL_CTX *ctx = build_ssl_ctx();

		if (ctx == NULL)
			return 1;
		SSL_CTX_free(ctx);
		printf("configuration OK\n");
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return serve();
	usage(stderr);
	return 2;
}

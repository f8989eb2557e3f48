/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: kassad's command line and life cycle.
 *
 *   kassad [--config FILE] [--set S.K=V]... [--pidfile FILE]   serve tills (foreground)
 *   kassad migrate [--config FILE] [--set S.K=V]... [--migrations DIR]
 *   kassad check-config [--config FILE] [--set S.K=V]...  print and check the settings
 *   kassad hash-pin PIN                      print an argon2id hash for staff.pin_hash
 *
 * Exit codes follow sysexits.h (usage() lists them). Under systemd
 * (Type=notify, server/systemd/kassad.service.in) READY=1 follows the
 * listeners and the first working database connection (notify.c).
 *
 * Serving sets things up in this order: configuration, the pid file
 * (--pidfile), logging, the database answering at this kassad's schema, the open
 * file limit (raised to its hard limit; max_sessions kept below it), TLS
 * context, event base and signals, prepared statements, the database pool,
 * worker threads, then the listeners (and the dashboard's HTTPS port,
 * [admin] dashboard_listen). SIGTERM/SIGINT stop the listeners,
 * let running requests finish (at most cf_shutdown_timeout seconds), close
 * the sessions and exit 0. SIGHUP reloads the configuration and the TLS
 * files, all or nothing (reload.c).
 */
#include <getopt.h>
#include <signal.h>
#include <sysexits.h>
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
#include "crm/crm.h"
#include "db.h"
#include "http/https.h"
#include "http/metrics_http.h"
#include "i18n.h"
#include "log.h"
#include "loyalty/loyalty.h"
#include "loyalty/ruleset_cache.h"
#include "members/members.h"
#include "metrics.h"
#include "cfg.h"
#include "notify.h"
#include "pidfile.h"
#include "reload.h"
#include "routes.h"
#include "staff/staff.h"
#include "store/stock_fold.h"
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
	fprintf(f, "%s", _("usage: kassad [OPTION]... [run]     serve tills (foreground)\n"
			   "       kassad [OPTION]... migrate [--migrations DIR]\n"
			   "       kassad [OPTION]... check-config\n"
			   "       kassad hash-pin PIN\n"
			   "       kassad --version | --help\n"
			   "\n"
			   "options:\n"
			   "  -c, --config FILE       the INI file (kassad.conf(5))\n"
			   "  -s, --set SECTION.KEY=VALUE\n"
			   "                          a setting over the file and KASSA_* (repeatable)\n"
			   "  -p, --pidfile FILE      write and lock a pid file while serving\n"
			   "  -m, --migrations DIR    migrate: the migrations folder\n"
			   "\n"
			   "exit status:\n"
			   "  0   success (serving: stopped by SIGTERM or SIGINT after draining)\n"
			   "  64  bad usage\n"
			   "  65  bad data (hash-pin: not a PIN of 4-12 digits; migrate: a migration\n"
			   "      failed)\n"
			   "  69  unavailable: the database does not answer, or a listener cannot bind\n"
			   "  70  internal software error\n"
			   "  71  system error (open file limit)\n"
			   "  73  the pid file cannot be created or written\n"
			   "  75  another kassad holds the pid file\n"
			   "  78  configuration error: unknown key, bad value, unreadable file, bad TLS\n"
			   "      files, a database schema other than this kassad's\n"));
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
	notify_stopping();
	listener_stop();
	https_stop();
	jobs_stop();
	stock_fold_stop();
	idem_retention_stop();
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
	ReloadResult r;

	(void)sig;
	(void)what;
	(void)arg;
	/* reload_run() logs and audits the outcome */
	if (!reload_run(0, &r))
		return;
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

/*
 * Whether PostgreSQL answers at conninfo (within 5 s, unless conninfo says
 * otherwise): EX_OK, EX_UNAVAILABLE when nothing answers or it refuses
 * connections (starting up), EX_CONFIG when conninfo is not a connection
 * string. Answering says nothing of the password: migrate_check() tells.
 */
static int db_answers(void)
{
	static const char *const kw[] = { "connect_timeout", "dbname", NULL };
	const char *const vals[] = { "5", cf_db_conninfo, NULL };

	switch (PQpingParams(kw, vals, 1)) {
	case PQPING_OK:
		return EX_OK;
	case PQPING_NO_ATTEMPT:
		log_error("[database] conninfo is not a valid connection string");
		return EX_CONFIG;
	default:
		log_error("the database does not answer ([database] conninfo)");
		return EX_UNAVAILABLE;
	}
}

/* Before the loop: settings, the database's schema, limits, TLS. EX_OK or why not. */
static int serve_prepare(void)
{
	LogLevel lvl;
	int rc;

	if (!cfg_validate(true))
		return EX_CONFIG;
	if (log_level_parse(cf_log_level, &lvl))
		log_set_level(lvl);
	if (!log_set_format(cf_log_format))	/* [log] format; cfg_validate() checked it */
		return EX_CONFIG;
	if (*cf_timezone) {
		/* before any thread starts: the business day of coupons, birthdays, lots */
		setenv("TZ", cf_timezone, 1);
		tzset();
		log_info("the business day is %s's", cf_timezone);
	}
	/* prepared statements name SQL functions: refuse a database migrated with other files */
	if ((rc = db_answers()) != EX_OK)
		return rc;
	if (!migrate_check(cf_db_conninfo, cf_db_migrations))
		return EX_CONFIG;
	if (!fd_limit_setup())
		return EX_OSERR;
	signal(SIGPIPE, SIG_IGN);
	g_ssl_ctx = build_ssl_ctx();
	if (g_ssl_ctx == NULL)
		return EX_CONFIG;
	return EX_OK;
}

static int serve_loop(void)
{
	struct event *ev_term, *ev_int, *ev_hup;

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
		return EX_SOFTWARE;
	member_setup();
	product_setup();
	checkout_setup();
	txn_setup();
	ruleset_cache_setup();
	refund_setup();
	topup_setup();
	jobs_setup();
	idem_retention_setup();
	loyalty_config_setup();
	https_setup_statements();
	metrics_http_setup_statements();
	metrics_setup(cf_db_migrations);
	reload_setup();
	reload_add_hook(https_reload);
	if (!db_setup())
		die("could not start the database pool");
	if (!worker_setup(cf_workers))
		die("could not start worker threads");
	if (!listener_setup())
		return EX_UNAVAILABLE;
	if (!https_setup(cf_dashboard_listen))
		return EX_UNAVAILABLE;
	if (!metrics_http_setup(cf_metrics_listen))
		return EX_UNAVAILABLE;
	if (!notify_start())
		die("could not start the systemd notifications");
	jobs_start();
	stock_fold_start();
	if (!idem_retention_start())
		return EX_SOFTWARE;
	if (!crm_start())
		return EX_SOFTWARE;
	log_info("kassad %s ready (pool %d, max %d sessions)", KASSA_VERSION, cf_db_pool_size,
		 cf_max_sessions);

	event_base_dispatch(g_base);

	log_info("stopping");
	notify_shutdown();
	crm_shutdown();
	db_shutdown();
	https_shutdown();	/* after db_shutdown(): its callbacks answer what waits */
	metrics_http_shutdown();
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

/* Serve with the pid file (if any) held for the whole run. */
static int serve(const char *pidfile)
{
	int rc;

	if (pidfile) {
		switch (pidfile_take(pidfile)) {
		case PIDFILE_OK:
			break;
		case PIDFILE_HELD:
			return EX_TEMPFAIL;
		default:
			return EX_CANTCREAT;
		}
	}
	rc = serve_prepare();
	if (rc == EX_OK)
		rc = serve_loop();
	pidfile_release();
	return rc;
}

static int hash_pin(const char *pin)
{
	char out[crypto_pwhash_STRBYTES];
	size_t n = strlen(pin);

	if (n < 4 || n > 12 || strspn(pin, "0123456789") != n) {
		fprintf(stderr, "kassad: %s\n", _("a PIN is 4-12 digits"));
		return EX_DATAERR;
	}
	if (crypto_pwhash_str(out, pin, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "kassad: out of memory hashing the PIN\n");
		return EX_OSERR;
	}
	printf("%s\n", out);
	return EX_OK;
}

/* check-config: the effective settings with their origins, then the checks serving makes. */
static int check_config(void)
{
	SSL_CTX *ctx;

	cfg_print(stdout);
	fflush(stdout);
	if (!cfg_validate(true))
		return EX_CONFIG;
	ctx = build_ssl_ctx();
	if (ctx == NULL)
		return EX_CONFIG;
	SSL_CTX_free(ctx);
	printf("# %s\n", _("configuration OK"));
	return EX_OK;
}

static int migrate(const char *migrations)
{
	int rc;

	if (!cfg_validate(false))
		return EX_CONFIG;
	if ((rc = db_answers()) != EX_OK)
		return rc;
	if (!migrate_run(cf_db_conninfo, migrations ? migrations : cf_db_migrations))
		return EX_DATAERR;
	return EX_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "migrations", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *migrations = NULL, *pidfile = NULL, *cmd = "run";
	int o;

	if (sodium_init() < 0)
		die("could not initialise libsodium");
	paths_setup();	/* before cfg_load(): the default migrations folder */
	while ((o = getopt_long(argc, argv, "c:s:p:m:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 's':
			if (!cfg_add_override(optarg)) {
				fprintf(stderr, "kassad: --set %s: %s\n", optarg,
					_("expected SECTION.KEY=VALUE"));
				return EX_USAGE;
			}
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'm':
			migrations = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("kassad %s\n", KASSA_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (strcmp(cmd, "hash-pin") == 0) {
		if (optind != argc - 1) {
			usage(stderr);
			return EX_USAGE;
		}
		return hash_pin(argv[optind]);
	}
	if (optind != argc || (strcmp(cmd, "run") != 0 && strcmp(cmd, "migrate") != 0 &&
			       strcmp(cmd, "check-config") != 0)) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!cfg_load(config))
		return EX_CONFIG;
	if (strcmp(cmd, "migrate") == 0)
		return migrate(migrations);
	if (strcmp(cmd, "check-config") == 0)
		return check_config();
	return serve(pidfile);
}

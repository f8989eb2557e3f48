/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfg.c: kassad's configuration. One table lists every key with its type,
 * default and documentation; the INI file (parsed by inih) and then the
 * environment (KASSA_<SECTION>_<KEY>, for containers) override the
 * defaults, and the command line's --set flags override both. Unknown keys
 * are errors, so a typo never goes unnoticed. It also keeps where each value
 * came from (check-config prints it) and the shadow copy a reload reads,
 * validates and swaps in whole, leaving restart-only settings as they run.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <sys/types.h>

#include <ini.h>

#include "log.h"
#include "metrics.h"
#include "core.h"
#include "cfg.h"

/* The first error since cfg_clear_error(), for a reload's answer; each is also logged. */
static char first_error[256];

/* log_error(), and the first error kept for cfg_first_error() */
static void cfg_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
static void cfg_error(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error("%s", buf);
	if (first_error[0] == '\0') {
		size_t n = strnlen(buf, sizeof(first_error) - 1);

		memcpy(first_error, buf, n);
		first_error[n] = '\0';
	}
}

void cfg_clear_error(void)
{
	first_error[0] = '\0';
}

const char *cfg_first_error(void)
{
	return first_error;
}

char *cf_listen;
int cf_max_frame;
int cf_max_sessions;
int cf_max_in_flight;
int cf_handshake_timeout;
int cf_idle_timeout;
int cf_frame_timeout;
int cf_shutdown_timeout;
char *cf_tls_cert, *cf_tls_key, *cf_tls_ca, *cf_tls_crl;
char *cf_db_conninfo;
int cf_db_pool_size;
int cf_db_query_timeout_ms;
int cf_db_queue_max;
char *cf_db_migrations;
char *cf_db_report_dsn;
int cf_db_report_pool_size;
int cf_db_report_query_timeout_ms;
char *cf_log_level;
int cf_workers;
int cf_worker_queue_max;
int cf_worker_queue_timeout_ms;
int cf_jobs_interval;
int cf_staff_lockout_failures;
int cf_staff_lockout_seconds;
int cf_analytics_interval;
int cf_analytics_full_hour;
int cf_rfm_window_days;
int cf_rfm_new_days;
int cf_rfm_lost_days;
char *cf_timezone;
int cf_max_cash_change;
int cf_late_sale_max_days;
int cf_idempotency_keep_days;
int cf_idempotency_purge_interval;
char *cf_dashboard_listen;
int cf_dashboard_request_timeout;
char *cf_metrics_listen;
char *cf_log_format;
int cf_reuse_port;
int cf_till_rate;
int cf_till_burst;
int cf_address_rate;
int cf_address_burst;
int cf_outbox_interval_ms;
int cf_outbox_batch;
int cf_outbox_concurrency;
int cf_outbox_max_attempts;
int cf_outbox_backoff_base_ms;
int cf_outbox_backoff_max_ms;
int cf_outbox_timeout_ms;
char *cf_outbox_ca_file;
char *cf_outbox_file_dir;
int cf_crm_complaint_rating_max;
int cf_crm_followups_interval;
int cf_crm_feed_interval_ms;
int cf_stock_fold_interval_ms;
int cf_till_check_interval;
int cf_crm_reco_interval;
int cf_crm_reco_window_days;
int cf_crm_reco_min_pair_count;
int cf_crm_reco_per_member;
int cf_crm_reco_recent_days;

typedef enum CfType {
	CF_STR = 0,	/* char ** */
	CF_INT,		/* int *, within [min, max] */
} CfType;

typedef struct CfKey {
	const char *section;
	const char *name;
	CfType type;
	void *var;
	const char *def;	/* default as text; NULL = required / empty */
	int min, max;		/* CF_INT bounds */
} CfKey;

#ifndef KASSA_MIGRATIONS_DIR
#define KASSA_MIGRATIONS_DIR "migrations"
#endif

static const CfKey keys[] = {
	{ "server", "listen", CF_STR, &cf_listen, "127.0.0.1:7443", 0, 0 },
	{ "server", "max_frame", CF_INT, &cf_max_frame, "1048576", 64, 64 << 20 },
	{ "server", "max_sessions", CF_INT, &cf_max_sessions, "20000", 1, 1000000 },
	{ "server", "max_in_flight", CF_INT, &cf_max_in_flight, "32", 1, 1024 },
	{ "server", "handshake_timeout", CF_INT, &cf_handshake_timeout, "10", 1, 3600 },
	{ "server", "idle_timeout", CF_INT, &cf_idle_timeout, "0", 0, 7 * 86400 },
	{ "server", "frame_timeout", CF_INT, &cf_frame_timeout, "30", 1, 3600 },
	{ "server", "shutdown_timeout", CF_INT, &cf_shutdown_timeout, "10", 0, 3600 },
	/* 1: SO_REUSEPORT, so that more kassad processes share one port */
	{ "server", "reuse_port", CF_INT, &cf_reuse_port, "0", 0, 1 },
	{ "server", "workers", CF_INT, &cf_workers, "2", 1, 64 },
	{ "server", "worker_queue_max", CF_INT, &cf_worker_queue_max, "256", 1, 100000 },
	{ "server", "worker_queue_timeout_ms", CF_INT, &cf_worker_queue_timeout_ms, "5000", 10,
	  600000 },
	/* seconds between checks that the open sessions' tills are still active (till_sweep.c) */
	{ "server", "till_check_interval", CF_INT, &cf_till_check_interval, "5", 0, 3600 },
	{ "tls", "cert", CF_STR, &cf_tls_cert, NULL, 0, 0 },
	{ "tls", "key", CF_STR, &cf_tls_key, NULL, 0, 0 },
	{ "tls", "ca", CF_STR, &cf_tls_ca, NULL, 0, 0 },
	{ "tls", "crl", CF_STR, &cf_tls_crl, "", 0, 0 },
	{ "database", "conninfo", CF_STR, &cf_db_conninfo, "dbname=kassa", 0, 0 },
	{ "database", "pool_size", CF_INT, &cf_db_pool_size, "16", 1, 512 },
	{ "database", "query_timeout_ms", CF_INT, &cf_db_query_timeout_ms, "5000", 10, 600000 },
	{ "database", "queue_max", CF_INT, &cf_db_queue_max, "10000", 1, 10000000 },
	{ "database", "migrations", CF_STR, &cf_db_migrations, KASSA_MIGRATIONS_DIR, 0, 0 },
	{ "database", "report_dsn", CF_STR, &cf_db_report_dsn, "", 0, 0 },
	{ "database", "report_pool_size", CF_INT, &cf_db_report_pool_size, "2", 1, 512 },
	{ "database", "report_query_timeout_ms", CF_INT, &cf_db_report_query_timeout_ms, "30000",
	  10, 3600000 },
	{ "log", "level", CF_STR, &cf_log_level, "info", 0, 0 },
	/* "text" (journald priority prefixes under systemd) or "json" (one object per line) */
	{ "log", "format", CF_STR, &cf_log_format, "text", 0, 0 },
	{ "loyalty", "jobs_interval", CF_INT, &cf_jobs_interval, "3600", 0, 7 * 86400 },
	{ "loyalty", "timezone", CF_STR, &cf_timezone, "", 0, 0 },
	{ "checkout", "max_cash_change", CF_INT, &cf_max_cash_change, "100000", 0, 1000000000 },
	/*
	 * A replayed sale is recognised by its idempotency key, so keys must
	 * outlive the oldest sale accepted: idempotency_keep_days must be at
	 * least this (cfg_validate()), and the retention job keeps an hour more
	 * for a till clock that runs ahead (server/core/idem_retention.c).
	 */
	{ "checkout", "late_sale_max_days", CF_INT, &cf_late_sale_max_days, "7", 1, 365 },
	/* days an idempotency key is kept, then deleted by the retention job */
	{ "checkout", "idempotency_keep_days", CF_INT, &cf_idempotency_keep_days, "7", 1, 3650 },
	/* seconds between the retention job's runs, 0 = keys are kept forever */
	{ "checkout", "idempotency_purge_interval", CF_INT, &cf_idempotency_purge_interval, "300",
	  0, 86400 },
	{ "staff", "lockout_failures", CF_INT, &cf_staff_lockout_failures, "10", 1, 1000 },
	{ "staff", "lockout_seconds", CF_INT, &cf_staff_lockout_seconds, "900", 1, 7 * 86400 },
	/* the analytics job (server/office/analytics.c; docs/office.md) */
	{ "analytics", "interval", CF_INT, &cf_analytics_interval, "60", 0, 86400 },
	{ "analytics", "full_hour", CF_INT, &cf_analytics_full_hour, "3", 0, 23 },
	{ "analytics", "rfm_window_days", CF_INT, &cf_rfm_window_days, "365", 7, 3650 },
	{ "analytics", "new_days", CF_INT, &cf_rfm_new_days, "30", 1, 3650 },
	{ "analytics", "lost_days", CF_INT, &cf_rfm_lost_days, "180", 1, 3650 },
	/* the head-office dashboard (server/http/https.c): office certificates only */
	{ "admin", "dashboard_listen", CF_STR, &cf_dashboard_listen, "", 0, 0 },
	/* /metrics, /livez, /readyz over plain HTTP: a loopback "host:port", "" = off */
	{ "admin", "metrics_listen", CF_STR, &cf_metrics_listen, "", 0, 0 },
	{ "admin", "dashboard_request_timeout", CF_INT, &cf_dashboard_request_timeout, "15", 1,
	  3600 },
	/*
	 * Token buckets (server/core/ratelimit.c). Per till certificate, well
	 * above kassa-bench, whose 8-64 threads share the one BENCH-1
	 * certificate at up to ~2,000 checkouts/s; per client address, new
	 * connections (checked before TLS), above 64 tills reconnecting at once.
	 */
	{ "limits", "till_rate", CF_INT, &cf_till_rate, "5000", 0, 1000000 },
	{ "limits", "till_burst", CF_INT, &cf_till_burst, "10000", 1, 1000000 },
	{ "limits", "address_rate", CF_INT, &cf_address_rate, "200", 0, 1000000 },
	{ "limits", "address_burst", CF_INT, &cf_address_burst, "1000", 1, 1000000 },
	/*
	 * The outbox's sender (server/crm/outbox.c): how often it looks for due
	 * rows, how many it takes and has in flight, how it backs off.
	 */
	{ "outbox", "interval_ms", CF_INT, &cf_outbox_interval_ms, "1000", 0, 3600000 },
	{ "outbox", "batch", CF_INT, &cf_outbox_batch, "50", 1, 1000 },
	{ "outbox", "concurrency", CF_INT, &cf_outbox_concurrency, "8", 1, 256 },
	{ "outbox", "max_attempts", CF_INT, &cf_outbox_max_attempts, "8", 1, 100 },
	{ "outbox", "backoff_base_ms", CF_INT, &cf_outbox_backoff_base_ms, "1000", 10, 3600000 },
	{ "outbox", "backoff_max_ms", CF_INT, &cf_outbox_backoff_max_ms, "3600000", 10,
	  86400000 },
	{ "outbox", "timeout_ms", CF_INT, &cf_outbox_timeout_ms, "10000", 100, 600000 },
	{ "outbox", "ca_file", CF_STR, &cf_outbox_ca_file, "", 0, 0 },
	{ "outbox", "file_dir", CF_STR, &cf_outbox_file_dir, "", 0, 0 },
	/* customer care: the low-rating rule and the jobs' timers and sizes */
	{ "crm", "complaint_rating_max", CF_INT, &cf_crm_complaint_rating_max, "2", 0, 5 },
	{ "crm", "followups_interval", CF_INT, &cf_crm_followups_interval, "3600", 0, 7 * 86400 },
	{ "crm", "feed_interval_ms", CF_INT, &cf_crm_feed_interval_ms, "1000", 0, 3600000 },
	{ "crm", "recommendations_interval", CF_INT, &cf_crm_reco_interval, "86400", 0,
	  7 * 86400 },
	{ "crm", "reco_window_days", CF_INT, &cf_crm_reco_window_days, "90", 7, 3650 },
	{ "crm", "reco_min_pair_count", CF_INT, &cf_crm_reco_min_pair_count, "3", 1, 1000000 },
	{ "crm", "reco_per_member", CF_INT, &cf_crm_reco_per_member, "5", 1, 50 },
	{ "crm", "reco_recent_days", CF_INT, &cf_crm_reco_recent_days, "30", 0, 365 },
	/* how soon a sale's stock movement reaches the ledger (server/store/stock_fold.c) */
	{ "stock", "fold_interval_ms", CF_INT, &cf_stock_fold_interval_ms, "1000", 0, 60000 },
};

/*
 * Settings read once at start (sockets, pools, threads, timers armed at
 * start, the process's zone): a reload that finds them changed reports
 * them and keeps the running values. Everything else in keys[] is applied
 * by a reload (the modules read the cf_ variables when they use them).
 */
static const char *const restart_only[] = {
	"server.listen", "server.max_sessions", "server.reuse_port", "server.workers",
	"server.worker_queue_max", "server.worker_queue_timeout_ms",
	"database.conninfo", "database.pool_size", "database.query_timeout_ms",
	"database.migrations", "database.report_dsn", "database.report_pool_size",
	"database.report_query_timeout_ms",
	"loyalty.timezone", "loyalty.jobs_interval", "analytics.interval",
	"checkout.idempotency_purge_interval",
	"admin.dashboard_listen", "admin.metrics_listen",
	"outbox.interval_ms", "crm.followups_interval", "crm.feed_interval_ms",
	"crm.recommendations_interval", "stock.fold_interval_ms", "server.till_check_interval",
};

#define NKEYS ARRAY_SIZE(keys)

/* One value per key as text, with where it came from; ints parsed. */
typedef struct CfgSet {
	char *text[NKEYS];
	char *origin[NKEYS];
	int ival[NKEYS];
} CfgSet;

struct CfgShadow {
	CfgSet set;
};

static CfgSet live;		/* what the cf_ variables hold */
static char *cfg_path;		/* the file cfg_load() read: reloads read it again */

#define CFG_MAX_OVERRIDES 64
static char *overrides[CFG_MAX_OVERRIDES];	/* "section.key=value" from --set */
static int n_overrides;

static bool is_restart_only(size_t i)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.%s", keys[i].section, keys[i].name);
	for (size_t j = 0; j < ARRAY_SIZE(restart_only); j++)
		if (strcmp(restart_only[j], name) == 0)
			return true;
	return false;
}

static bool set_value(CfgSet *s, size_t i, const char *value, const char *origin)
{
	const CfKey *k = &keys[i];

	if (k->type == CF_INT) {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end != '\0' || v < k->min || v > k->max) {
			cfg_error("%s: %s.%s must be an integer from %d to %d, not \"%s\"", origin,
				  k->section, k->name, k->min, k->max, value);
			return false;
		}
		s->ival[i] = (int)v;
	}
	free(s->text[i]);
	s->text[i] = xstrdup(value);
	free(s->origin[i]);
	s->origin[i] = xstrdup(origin);
	return true;
}

static void set_free(CfgSet *s)
{
	for (size_t i = 0; i < NKEYS; i++) {
		free(s->text[i]);
		free(s->origin[i]);
		s->text[i] = s->origin[i] = NULL;
	}
}

/* The live value of key i into its cf_ variable. */
static void publish(size_t i)
{
	if (keys[i].type == CF_STR)
		*(char **)keys[i].var = live.text[i];
	else
		*(int *)keys[i].var = live.ival[i];
}

static ssize_t cfg_find(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcasecmp(keys[i].section, section) == 0 && strcasecmp(keys[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

typedef struct IniCtx {
	const char *path;
	FILE *f;
	int line;		/* of the line the handler is called for */
	int newlines;		/* seen so far */
	CfgSet *set;
	bool ok;
} IniCtx;

/* fgets for inih, counting lines (a long line comes in more than one piece) */
static char *read_line(char *str, int num, void *stream)
{
	IniCtx *ctx = stream;
	char *r = fgets(str, num, ctx->f);

	ctx->line = ctx->newlines + 1;
	if (r && strchr(r, '\n'))
		ctx->newlines++;
	return r;
}

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
	IniCtx *ctx = user;
	ssize_t i = cfg_find(section, name);
	char origin[PATH_MAX + 16];

	snprintf(origin, sizeof(origin), "%s:%d", ctx->path, ctx->line);
	if (i < 0) {
		cfg_error("%s: unknown setting [%s] %s", origin, section, name);
		ctx->ok = false;
		return 1;
	}
	if (!set_value(ctx->set, (size_t)i, value, origin))
		ctx->ok = false;
	return 1;
}

static bool read_file(CfgSet *s, const char *path)
{
	IniCtx ctx = { path, NULL, 0, 0, s, true };
	int r;

	ctx.f = fopen(path, "r");
	if (ctx.f == NULL) {
		cfg_error("could not read config file \"%s\": %m", path);
		return false;
	}
	r = ini_parse_stream(read_line, &ctx, ini_cb, &ctx);
	fclose(ctx.f);
	if (r > 0) {
		cfg_error("%s:%d: syntax error", path, r);
		return false;
	}
	if (r < 0) {
		cfg_error("could not read config file \"%s\": out of memory", path);
		return false;
	}
	return ctx.ok;
}

/* KASSA_<SECTION>_<KEY> over the file */
static bool read_env(CfgSet *s)
{
	bool ok = true;

	for (size_t i = 0; i < NKEYS; i++) {
		char env[96], origin[112];
		size_t j = (size_t)snprintf(env, sizeof(env), "KASSA_%s_%s", keys[i].section,
					    keys[i].name);

		for (size_t m = 0; m < j && m < sizeof(env); m++)
			env[m] = (char)toupper((unsigned char)env[m]);
		const char *v = getenv(env);

		snprintf(origin, sizeof(origin), "env %s", env);
		if (v && !set_value(s, i, v, origin))
			ok = false;
	}
	return ok;
}

/* the command line's --set over the environment */
static bool read_overrides(CfgSet *s)
{
	bool ok = true;

	for (int o = 0; o < n_overrides; o++) {
		char section[64], name[64];
		const char *a = overrides[o], *dot = strchr(a, '.'), *eq = strchr(a, '=');
		ssize_t i;

		snprintf(section, sizeof(section), "%.*s", (int)(dot - a), a);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - dot - 1), dot + 1);
		i = cfg_find(section, name);
		if (i < 0) {
			cfg_error("--set %s: unknown setting [%s] %s", a, section, name);
			ok = false;
		} else if (!set_value(s, (size_t)i, eq + 1, "flag --set")) {
			ok = false;
		}
	}
	return ok;
}

/* defaults < file < environment < --set */
static bool read_set(CfgSet *s, const char *path)
{
	bool ok = true;

	for (size_t i = 0; i < NKEYS; i++)
		if (!set_value(s, i, keys[i].def ? keys[i].def : "", "default"))
			return false;	/* a bad default: caught by the unit test */
	if (path && !read_file(s, path))
		ok = false;
	if (!read_env(s))
		ok = false;
	if (!read_overrides(s))
		ok = false;
	return ok;
}

bool cfg_add_override(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	const char *dot = eq ? memchr(assignment, '.', (size_t)(eq - assignment)) : NULL;

	if (dot == NULL || dot == assignment || dot + 1 == eq || eq - assignment > 120 ||
	    n_overrides == CFG_MAX_OVERRIDES)
		return false;
	overrides[n_overrides++] = xstrdup(assignment);
	return true;
}

void cfg_clear_overrides(void)
{
	for (int o = 0; o < n_overrides; o++)
		free(overrides[o]);
	n_overrides = 0;
}

bool cfg_load(const char *path)
{
	CfgSet s = { 0 };
	bool ok;

	if (path != cfg_path) {
		free(cfg_path);
		cfg_path = path ? xstrdup(path) : NULL;
	}
	ok = read_set(&s, path);
	set_free(&live);
	live = s;
	for (size_t i = 0; i < NKEYS; i++)
		publish(i);
	return ok;
}

CfgShadow *cfg_shadow_read(void)
{
	CfgShadow *s = xcalloc(1, sizeof(*s));

	if (!read_set(&s->set, cfg_path)) {
		cfg_shadow_free(s);
		return NULL;
	}
	return s;
}

void cfg_shadow_free(CfgShadow *s)
{
	if (s == NULL)
		return;
	set_free(&s->set);
	free(s);
}

void cfg_shadow_changes(const CfgShadow *s, CfgChangeFn fn, void *arg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(live.text[i], s->set.text[i]) != 0)
			fn(keys[i].section, keys[i].name, is_restart_only(i), arg);
}

void cfg_shadow_swap(CfgShadow *s, CfgSwap which)
{
	for (size_t i = 0; i < NKEYS; i++) {
		bool r = is_restart_only(i), same = strcmp(live.text[i], s->set.text[i]) == 0;
		char *t;

		if ((which == CFG_SWAP_LIVE && r) || (which == CFG_SWAP_RESTART && !r))
			continue;
		if (keys[i].type == CF_INT)	/* what start-up made of it (max_sessions) */
			live.ival[i] = *(int *)keys[i].var;
		t = live.text[i], live.text[i] = s->set.text[i], s->set.text[i] = t;
		t = live.origin[i], live.origin[i] = s->set.origin[i], s->set.origin[i] = t;
		if (!same) {
			int v = live.ival[i];

			live.ival[i] = s->set.ival[i];
			s->set.ival[i] = v;
		}
		if (keys[i].type == CF_STR || !same)	/* an int read by a thread stays untouched */
			publish(i);
	}
}

static bool is_secret_name(const char *name)
{
	return strcasestr(name, "password") || strcasestr(name, "secret") ||
	       strcasestr(name, "token");
}

/*
 * A libpq connection string with its passwords starred: "password=..."
 * (quoted or not) in key/value form, "user:...@" and "password=" in a URI.
 */
static void redact_conninfo(const char *in, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < n;) {
		const char *at, *colon;

		if (strncasecmp(p, "password", 8) == 0 && p[8 + strspn(p + 8, " ")] == '=') {
			const char *v = p + 8 + strspn(p + 8, " ") + 1;

			v += strspn(v, " ");
			o += (size_t)snprintf(out + o, n - o, "password=***");
			if (*v == '\'') {
				for (v++; *v && *v != '\''; v++)
					if (*v == '\\' && v[1])
						v++;
				p = *v ? v + 1 : v;
			} else {
				p = v + strcspn(v, " &");
			}
			continue;
		}
		if (strncmp(p, "://", 3) == 0 && (at = strchr(p + 3, '@')) != NULL &&
		    (colon = memchr(p + 3, ':', (size_t)(at - p - 3))) != NULL &&
		    memchr(p + 3, '/', (size_t)(at - p - 3)) == NULL) {
			o += (size_t)snprintf(out + o, n - o, "%.*s:***", (int)(colon - p), p);
			p = at;
			continue;
		}
		out[o++] = *p++;
	}
	out[o < n ? o : n - 1] = '\0';
}

void cfg_print(FILE *f)
{
	for (size_t i = 0; i < NKEYS; i++) {
		char buf[2048];
		const char *v = live.text[i];

		if (is_secret_name(keys[i].name) && *v) {
			v = "***";
		} else if (strcmp(keys[i].name, "conninfo") == 0 || strstr(keys[i].name, "dsn")) {
			redact_conninfo(v, buf, sizeof(buf));
			v = buf;
		}
		fprintf(f, "%s.%s = %s  # %s\n", keys[i].section, keys[i].name, v, live.origin[i]);
	}
}

/*
 * "" (the host's zone) or an IANA name the system's tz database has. The
 * name goes into a SET statement, so only its own characters are allowed.
 */
static bool timezone_is_valid(const char *tz)
{
	char path[128];
	size_t n = strlen(tz);

	if (n == 0)
		return true;
	if (n > 64 || tz[0] == '/' || strstr(tz, "..") != NULL ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != n)
		return false;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

bool cfg_validate(bool serving)
{
	bool ok = true;
	LogLevel lvl;
	char bad_metrics[128];

	if (!log_level_parse(cf_log_level, &lvl)) {
		cfg_error("[log] level must be error, warn, info or debug, not \"%s\"", cf_log_level);
		ok = false;
	}
	if (!log_format_parse(cf_log_format, &(LogFormat){ LOG_FMT_TEXT })) {
		cfg_error("[log] format must be text or json, not \"%s\"", cf_log_format);
		ok = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (serving && keys[i].def == NULL && keys[i].type == CF_STR && **(char **)keys[i].var == '\0') {
			cfg_error("[%s] %s must be set", keys[i].section, keys[i].name);
			ok = false;
		}
	}
	if (cf_db_pool_size > cf_db_queue_max) {
		cfg_error("[database] queue_max must be at least pool_size");
		ok = false;
	}
	if (cf_idempotency_keep_days < cf_late_sale_max_days) {
		cfg_error("[checkout] idempotency_keep_days (%d) must be at least"
			  " late_sale_max_days (%d): a till's retried late sale would otherwise"
			  " be recorded twice",
			  cf_idempotency_keep_days, cf_late_sale_max_days);
		ok = false;
	}
	if (!timezone_is_valid(cf_timezone)) {
		cfg_error("[loyalty] timezone \"%s\" is not a time zone of the system's tz database"
			  " (like Asia/Shanghai)", cf_timezone);
		ok = false;
	}
	if (!metrics_listen_is_loopback(cf_metrics_listen, bad_metrics, sizeof(bad_metrics))) {
		/* plain HTTP without authentication: never beyond this machine */
		cfg_error("[admin] metrics_listen \"%s\" is not a loopback address: /metrics,"
			  " /livez and /readyz are plain HTTP without authentication, so they"
			  " listen only on 127.0.0.1, [::1] or localhost (with a port)", bad_metrics);
		ok = false;
	}
	return ok;
}

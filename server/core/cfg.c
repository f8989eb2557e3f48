/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cfg.c: kassad's configuration. One table lists every key with its type,
 * default and documentation; the INI file (parsed by inih) and then the
 * environment (KASSA_<SECTION>_<KEY>, for containers) override the
 * defaults. Unknown keys are errors, so a typo never goes unnoticed.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include <ini.h>

#include "log.h"
#include "core.h"

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
char *cf_dashboard_listen;
int cf_dashboard_request_timeout;
char *cf_metrics_listen;
char *cf_log_format;
int cf_reuse_port;

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
	 * outlive the oldest sale accepted by a day: idempotency rows are never
	 * deleted (migrations/functions/idempotency.sql), which holds for any
	 * value here; a cleanup job must keep late_sale_max_days + 1 days.
	 */
	{ "checkout", "late_sale_max_days", CF_INT, &cf_late_sale_max_days, "7", 1, 365 },
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
};

static bool cfg_set(const CfKey *k, const char *value, const char *origin)
{
	if (k->type == CF_STR) {
		char **p = k->var;

		free(*p);
		*p = xstrdup(value);
		return true;
	}
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < k->min || v > k->max) {
		log_error("%s: %s.%s must be an integer from %d to %d, not \"%s\"", origin,
			  k->section, k->name, k->min, k->max, value);
		return false;
	}
	*(int *)k->var = (int)v;
	return true;
}

static const CfKey *cfg_find(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcasecmp(keys[i].section, section) == 0 && strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

typedef struct IniCtx {
	const char *path;
	bool ok;
} IniCtx;

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
	IniCtx *ctx = user;
	const CfKey *k = cfg_find(section, name);

	if (k == NULL) {
		log_error("%s: unknown setting [%s] %s", ctx->path, section, name);
		ctx->ok = false;
		return 1;
	}
	if (!cfg_set(k, value, ctx->path))
		ctx->ok = false;
	return 1;
}

bool cfg_load(const char *path)
{
	IniCtx ctx = { path, true };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!cfg_set(&keys[i], keys[i].def ? keys[i].def : "", "default"))
			return false;
	if (path) {
		int r = ini_parse(path, ini_cb, &ctx);

		if (r < 0) {
			log_error("could not read config file \"%s\": %m", path);
			return false;
		}
		if (r > 0) {
			log_error("%s:%d: syntax error", path, r);
			return false;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char env[96];
		size_t j = 0;

		j = (size_t)snprintf(env, sizeof(env), "KASSA_%s_%s", keys[i].section, keys[i].name);
		for (size_t m = 0; m < j && m < sizeof(env); m++)
			env[m] = (char)toupper((unsigned char)env[m]);
		const char *v = getenv(env);
		if (v && !cfg_set(&keys[i], v, env))
			ctx.ok = false;
	}
	return ctx.ok;
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

	if (!log_level_parse(cf_log_level, &lvl)) {
		log_error("[log] level must be error, warn, info or debug, not \"%s\"", cf_log_level);
		ok = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (serving && keys[i].def == NULL && keys[i].type == CF_STR && **(char **)keys[i].var == '\0') {
			log_error("[%s] %s must be set", keys[i].section, keys[i].name);
			ok = false;
		}
	}
	if (cf_db_pool_size > cf_db_queue_max) {
		log_error("[database] queue_max must be at least pool_size");
		ok = false;
	}
	if (!timezone_is_valid(cf_timezone)) {
		log_error("[loyalty] timezone \"%s\" is not a time zone of the system's tz database"
			  " (like Asia/Shanghai)", cf_timezone);
		ok = false;
	}
	return ok;
}

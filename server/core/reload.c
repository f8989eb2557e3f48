/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reload.c: one reload of kassad's run-time state (reload.h), for SIGHUP
 * and the operator console's RELOAD. The configuration is read again into
 * a shadow copy (cfg.h), validated and joined by a new TLS context; only
 * when all of that works do the new values replace the running ones, in
 * one step on the loop. Restart-only settings keep their running values and
 * are named in the result and a warn line. Open sessions whose certificate
 * the new CRL revokes are closed (session_close_revoked()): their
 * handshakes were checked against the old one. Every reload, good or bad, gets
 * an audit_log row ('config.reload') naming the keys, never a value.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "cfg.h"
#include "core.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "tls.h"

#define RELOAD_MAX_HOOKS 8

static void (*hooks[RELOAD_MAX_HOOKS])(void);
static int n_hooks;
static int st_audit = -1;

void reload_setup(void)
{
	st_audit = db_stmt_add("reload_audit",
			       "INSERT INTO audit_log (staff_id, action, subject, detail)"
			       " VALUES ($1::bigint, 'config.reload', 'config', $2::jsonb)",
			       DB_LANE_WORK);
}

void reload_add_hook(void (*fn)(void))
{
	if (n_hooks == RELOAD_MAX_HOOKS) {
		log_error("BUG: more than %d reload hooks", RELOAD_MAX_HOOKS);
		return;
	}
	hooks[n_hooks++] = fn;
}

static void note_change(const char *section, const char *name, bool restart_only, void *arg)
{
	ReloadResult *r = arg;
	int *n = restart_only ? &r->n_restart : &r->n_changed;
	char(*list)[RELOAD_KEY_LEN] = restart_only ? r->restart_needed : r->changed;

	if (*n < RELOAD_MAX_KEYS)
		snprintf(list[(*n)++], RELOAD_KEY_LEN, "%s.%s", section, name);
}

/* "a, b, c" into buf */
static const char *join(char buf[], size_t size, char (*list)[RELOAD_KEY_LEN], int n,
			const char *sep, const char *quote)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s%s%s", i ? sep : "", quote, list[i],
				      quote);
	return buf;
}

static void audit_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	if (st != DB_OK)
		log_warn("could not write the audit row of a configuration reload: %s",
			 st == DB_SQL_ERROR ? db_errmsg(res) : "database unavailable");
}

/* Fire and forget: the pool's deadline bounds it, a failure is logged. */
static void audit(long long staff_id, const ReloadResult *r)
{
	char staff[24], detail[RELOAD_MAX_KEYS * (RELOAD_KEY_LEN + 3) * 2 + 64];
	char changed[RELOAD_MAX_KEYS * (RELOAD_KEY_LEN + 3)];
	char restart[RELOAD_MAX_KEYS * (RELOAD_KEY_LEN + 3)];
	ReloadResult copy = *r;
	const char *params[2] = { NULL, detail };

	if (st_audit < 0)
		return;		/* reload_setup() not called: a test of the library */
	if (staff_id > 0) {
		snprintf(staff, sizeof(staff), "%lld", staff_id);
		params[0] = staff;
	}
	snprintf(detail, sizeof(detail), "{\"ok\": %s, \"changed\": [%s], \"restart_needed\": [%s]}",
		 r->ok ? "true" : "false",
		 join(changed, sizeof(changed), copy.changed, copy.n_changed, ", ", "\""),
		 join(restart, sizeof(restart), copy.restart_needed, copy.n_restart, ", ", "\""));
	db_query(st_audit, 2, params, audit_cb, NULL);
}

static bool fail(long long staff_id, ReloadResult *out, const char *why)
{
	out->ok = false;
	out->n_changed = out->n_restart = 0;
	log_error("reload failed, keeping the current configuration and certificates: %s", why);
	snprintf(out->message, sizeof(out->message),
		 _("reload failed, keeping the current configuration and certificates: %s"), why);
	audit(staff_id, out);
	notify_reloaded("serving (the last reload failed)");
	return false;
}

/* The log's level and format now; the rest where the cf_ variables are read. */
static void apply(void)
{
	LogLevel lvl;

	if (log_level_parse(cf_log_level, &lvl))
		log_set_level(lvl);
	if (!log_set_format(cf_log_format))	/* cfg_validate() checked it */
		log_warn("[log] format \"%s\" not applied", cf_log_format);
}

static void report(long long staff_id, ReloadResult *out)
{
	char changed[RELOAD_MAX_KEYS * (RELOAD_KEY_LEN + 2)];
	char restart[RELOAD_MAX_KEYS * (RELOAD_KEY_LEN + 2)];

	join(changed, sizeof(changed), out->changed, out->n_changed, ", ", "");
	join(restart, sizeof(restart), out->restart_needed, out->n_restart, ", ", "");
	log_info("reloaded TLS files and the configuration (%s; changed: %s)",
		 staff_id > 0 ? "the console" : "SIGHUP", out->n_changed ? changed : "none");
	if (out->n_restart > 0)
		log_warn("changed settings that take effect only after a restart: %s", restart);
	if (out->n_restart > 0)
		snprintf(out->message, sizeof(out->message),
			 _("configuration reloaded; changed: %s; these take effect only after a restart: %s"),
			 out->n_changed ? changed : "-", restart);
	else
		snprintf(out->message, sizeof(out->message), _("configuration reloaded; changed: %s"),
			 out->n_changed ? changed : "-");
	audit(staff_id, out);
	notify_reloaded("serving (reloaded)");
}

bool reload_run(long long staff_id, ReloadResult *out)
{
	ReloadResult local;
	CfgShadow *s;
	SSL_CTX *ctx;
	char err[512];
	bool valid;

	if (out == NULL)
		out = &local;
	memset(out, 0, sizeof(*out));
	notify_reloading();
	cfg_clear_error();
	s = cfg_shadow_read();
	if (s == NULL)
		return fail(staff_id, out, *cfg_first_error() ? cfg_first_error() : "bad configuration");
	cfg_shadow_changes(s, note_change, out);
	/* validate everything the file says, then put back what only a restart changes */
	cfg_shadow_swap(s, CFG_SWAP_ALL);
	valid = cfg_validate(true);
	cfg_shadow_swap(s, CFG_SWAP_RESTART);
	if (!valid) {
		cfg_shadow_swap(s, CFG_SWAP_LIVE);
		cfg_shadow_free(s);
		return fail(staff_id, out, *cfg_first_error() ? cfg_first_error() : "bad configuration");
	}
	ctx = tls_server_ctx_new(cf_tls_cert, cf_tls_key, cf_tls_ca, cf_tls_crl, err, sizeof(err));
	if (ctx == NULL) {
		char why[600];

		cfg_shadow_swap(s, CFG_SWAP_LIVE);
		cfg_shadow_free(s);
		snprintf(why, sizeof(why), "could not set up TLS: %s", err);
		return fail(staff_id, out, why);
	}
	/* live connections hold their own references to the old context */
	SSL_CTX_free(g_ssl_ctx);
	g_ssl_ctx = ctx;
	cfg_shadow_free(s);
	/* their handshakes checked the old CRL: cut off what the new one revokes */
	if (cf_tls_crl != NULL && cf_tls_crl[0] != '\0') {
		int n = session_close_revoked(g_ssl_ctx);

		if (n > 0)
			log_info("reload: %d session(s) with a certificate the CRL now revokes "
				 "closed", n);
	}
	out->ok = true;
	apply();
	for (int i = 0; i < n_hooks; i++)
		hooks[i]();
	report(staff_id, out);
	return true;
}

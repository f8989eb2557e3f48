/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core.h: the central header of kassad's core (server/core/): the
 * configuration globals, the per-connection Session, the per-request Call,
 * the route table's row and the entry points the core offers the domains.
 * The core names no business domain: loyalty/, members/, staff/ and
 * catalog/ each have their own header, included only by server/routes.c,
 * server/main.c and the domains above them.
 *
 * The whole daemon runs on one libevent loop (g_base). A till connection is
 * a Session; each request frame read from it becomes a Call that lives until
 * its Response is queued (or, if the till has gone away meanwhile, until the
 * last database or worker callback for it returns). Handlers never block:
 * they send queries through db.c and argon2 work through worker.c, and
 * finish the Call from the callbacks.
 */
#ifndef KASSA_CORE_H
#define KASSA_CORE_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <event2/event.h>
#include <event2/bufferevent.h>
#include <openssl/ssl.h>

#include "i18n.h"
#include "kassa.pb-c.h"
#include "log.h"
#include "util.h"

#define KASSA_PROTOCOL_VERSION 1
#define SESSION_CODE_MAX 64		/* till codes and store codes */
#define IDEM_KEY_MIN 8
#define IDEM_KEY_MAX 128

/* ---- configuration (cfg.c); read-only outside cfg.c and main.c ---- */

extern char *cf_listen;			/* "127.0.0.1:7443[, [::1]:7443]" */
extern int cf_max_frame;		/* bytes */
extern int cf_max_sessions;
extern int cf_max_in_flight;		/* per session */
extern int cf_handshake_timeout;	/* seconds, TLS + Hello */
extern int cf_idle_timeout;		/* seconds, 0 = never */
extern int cf_frame_timeout;		/* seconds a started frame may take to arrive */
extern int cf_shutdown_timeout;		/* seconds to drain on SIGTERM */
extern char *cf_tls_cert, *cf_tls_key, *cf_tls_ca, *cf_tls_crl;
extern char *cf_db_conninfo;
extern int cf_db_pool_size;
extern int cf_db_query_timeout_ms;
extern int cf_db_queue_max;
extern char *cf_db_migrations;
#define PATHS_MAX 4096			/* longest path paths.c keeps */
/* paths.c: the default of [database] migrations, the installed folder when kassad runs
 * from an install (<prefix>/share/kassa/migrations), else the source tree's */
extern char kassa_migrations_default[PATHS_MAX];
/* Find the installed migrations relative to the executable; once, before cfg_load(). */
void paths_setup(void);
extern char *cf_db_report_dsn;		/* "" = reports read the primary */
extern int cf_db_report_pool_size;	/* connections to report_dsn */
extern int cf_db_report_query_timeout_ms; /* a report statement's deadline */
extern char *cf_log_level;
extern int cf_workers;			/* argon2 threads */
extern int cf_worker_queue_max;		/* jobs waiting for a thread; more are refused BUSY */
extern int cf_worker_queue_timeout_ms;	/* a job that waited longer is refused BUSY */
extern char *cf_timezone;		/* the business day's zone, "" = the host's */
extern int cf_max_cash_change;		/* minor units: most change a cash tender may ask */
extern int cf_late_sale_max_days;	/* oldest offline sale accepted (SALE_TOO_OLD beyond) */
extern int cf_idempotency_keep_days;	/* days a key is kept (>= late_sale_max_days) */
extern int cf_idempotency_purge_interval; /* seconds between deletions of old keys, 0 = never */
extern int cf_jobs_interval;		/* seconds between loyalty job runs, 0 = on request only */
extern int cf_staff_lockout_failures;	/* wrong PINs in a row that lock a staff member out */
extern int cf_staff_lockout_seconds;	/* how long the lockout lasts */
extern int cf_analytics_interval;	/* seconds between analytics job runs, 0 = on request only */
extern int cf_analytics_full_hour;	/* the server zone's hour the daily full RFM pass starts */
extern int cf_rfm_window_days;		/* the RFM window: days of sales the scores look at */
extern int cf_rfm_new_days;		/* a member whose first visit is this recent is "new" */
extern int cf_rfm_lost_days;		/* ... whose last visit is this old is "lost" */
extern char *cf_dashboard_listen;	/* [admin] the dashboard's HTTPS "host:port", "" = off */
extern int cf_dashboard_request_timeout;	/* seconds a dashboard connection has for a request */
extern char *cf_metrics_listen;		/* [admin] /metrics, /livez, /readyz "host:port", "" = off */
extern char *cf_log_format;		/* [log] "text" or "json" */
extern int cf_reuse_port;		/* [server] 1 = SO_REUSEPORT on the listeners */
extern int cf_till_rate;			/* [limits] requests a second per till, 0 = off */
extern int cf_till_burst;		/* ... that many at once (the bucket's size) */
extern int cf_address_rate;		/* [limits] new connections a second per address, 0 = off */
extern int cf_address_burst;		/* ... that many at once */
extern int cf_outbox_interval_ms;	/* [outbox] ms between looks for due rows, 0 = no sender */
extern int cf_outbox_batch;		/* ... rows claimed per look */
extern int cf_outbox_concurrency;	/* ... deliveries in flight at most */
extern int cf_outbox_max_attempts;	/* ... failures before a row is dead */
extern int cf_outbox_backoff_base_ms;	/* ... first retry's wait, doubling */
extern int cf_outbox_backoff_max_ms;	/* ... the longest wait */
extern int cf_outbox_timeout_ms;	/* ... one attempt's deadline (connect to answer) */
extern char *cf_outbox_ca_file;		/* ... webhooks' trusted CAs; "" = the system's */
extern char *cf_outbox_file_dir;	/* ... where file endpoints write; "" = none */
extern int cf_crm_complaint_rating_max;	/* [crm] a rating at most this opens a complaint, 0 = off */
extern int cf_crm_followups_interval;	/* ... s between follow-up scheduling runs, 0 = on request */
extern int cf_crm_feed_interval_ms;	/* ... ms between feed sequencing runs, 0 = on request */
extern int cf_crm_reco_interval;	/* ... s between recommendation runs, 0 = on request */
extern int cf_crm_reco_window_days;	/* ... days of sales the pairs are drawn from */
extern int cf_crm_reco_min_pair_count;	/* ... baskets a pair needs to count */
extern int cf_crm_reco_per_member;	/* ... suggestions kept per member */
extern int cf_crm_reco_recent_days;	/* ... products bought this recently are not suggested */
extern int cf_till_check_interval;	/* [server] s between checks of the sessions' tills, 0 = never */
extern int cf_stock_fold_interval_ms;	/* [stock] ms between folds of sales into the ledger, 0 = never */

/*
 * Load path (INI) over the built-in defaults, then KASSA_<SECTION>_<KEY>
 * environment overrides. False (with a logged reason) on an unknown key,
 * a bad value or an unreadable file.
 */
MUSTCHECK bool cfg_load(const char *path);
/*
 * Check that the settings are consistent and, when serving is true, that
 * everything the listener needs (TLS files) is set; log what is wrong.
 */
MUSTCHECK bool cfg_validate(bool serving);

/* ---- the loop ---- */

extern struct event_base *g_base;	/* owned by main.c */
extern SSL_CTX *g_ssl_ctx;		/* owned by main.c; sessions take references */
extern bool g_shutting_down;		/* SIGTERM seen: refuse new work */

/* ---- sessions (session.c) ---- */

typedef enum SessionState {
	SESS_HANDSHAKE = 0,	/* TLS handshake running */
	SESS_HELLO,		/* TLS up, waiting for Hello (or its DB lookup) */
	SESS_READY,		/* Hello done: till known; Login may follow */
	SESS_CLOSING,		/* flushing a final response, then close */
	SESS_DEAD,		/* closed; waiting to be freed by the reaper */
} SessionState;

typedef enum Role {
	ROLE_NONE = 0,
	ROLE_CASHIER = 1 << 0,
	ROLE_MANAGER = 1 << 1,
	ROLE_ANALYST = 1 << 2,
	ROLE_ADMIN = 1 << 3,
} Role;
#define ROLE_ANY (ROLE_CASHIER | ROLE_MANAGER | ROLE_ANALYST | ROLE_ADMIN)
#define ROLE_STORE (ROLE_CASHIER | ROLE_MANAGER | ROLE_ADMIN)

typedef struct Call Call;

typedef struct Session {
	uint64_t id;			/* for log lines */
	SessionState state;
	struct bufferevent *bev;	/* owned; owns the fd and the SSL */
	char peer[64];			/* "ip:port" */
	char till_code[SESSION_CODE_MAX]; /* certificate CN */
	char store_code[SESSION_CODE_MAX];
	char till_kind[16];		/* "till", "office", "bench" */
	char currency[4];
	int64_t till_id;		/* 0 until Hello is answered */
	int64_t store_id;
	int64_t staff_id;		/* 0 until Login succeeds */
	Role role;
	int login_failures;
	locale_t locale;		/* borrowed (i18n_locale, shared): Status.message's
					 * language from Hello; (locale_t)0 = English */
	int in_flight;			/* Calls not yet answered */
	bool hello_pending;		/* Hello's lookup in progress */
	bool read_paused;		/* EV_READ disabled for back-pressure */
	bool mid_frame;			/* part of a frame is buffered; frame timer armed */
	Call *calls;			/* borrowed list of this session's live Calls */
	struct event *timer;		/* owned: handshake / idle timeout */
	int64_t connected_at;		/* Unix seconds of the accept (SHOW SESSIONS) */
	uint64_t requests;		/* requests read from it so far (SHOW SESSIONS) */
	struct Session *next, *prev;	/* all sessions / the dead list */
} Session;

struct Call {
	Session *sess;			/* borrowed; NULL once the session is gone */
	Kassa__V1__Request *req;	/* owned (unpacked) */
	int64_t started_us;
	int64_t staff_id;		/* who was logged in when the request arrived */
	Role role;			/* ... and their role: a later Login changes neither */
	locale_t locale;		/* borrowed: ... and the session's language (Hello) */
	int attempts;			/* handler retries (e.g. PRICE_CHANGED) */
	void *state;			/* owned by the handler; freed by state_free */
	void (*state_free)(void *state);
	Call *next, *prev;		/* the session's list */
};

/* Start accepting on every cf_listen address. */
MUSTCHECK bool listener_setup(void);
/* Stop accepting new connections (shutdown). */
void listener_stop(void);

/* Adopt an accepted fd: create the TLS bufferevent and the Session. */
void session_accept(int fd, const struct sockaddr *addr, int addrlen);
/*
 * Close s with a reason for the log: unlink its events, orphan its Calls
 * and queue it for freeing after the current callback. Safe to call twice.
 */
void session_close(Session *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Queue the final response (already written), then close once flushed. */
void session_close_after_write(Session *s, const char *reason);
/* Number of live sessions, and of Calls still running (drain). */
int session_count(void);
/* The first live session (then ->next), for SHOW SESSIONS; borrowed, NULL if none. */
const Session *session_first(void);
int session_calls_running(void);
/* Hello succeeded: the till is known and requests may follow. */
void session_ready(Session *s);
/* A Call of s finished: resume reading if nothing holds it back. */
void session_resume(Session *s);
/* An orphaned Call (session gone) has been freed. */
void session_orphan_done(void);
/* Free sessions marked dead; called from the loop's reaper. */
void session_reap(void);
/* Close every session (shutdown, after draining). */
void session_close_all(const char *reason);
/* Stop reading every session and close each once its answers are sent. */
void session_close_all_after_write(const char *reason);
/*
 * Close (once its answers are sent, with a log line each) every session
 * past its handshake whose peer certificate a CRL of ctx revokes: after a
 * reload has installed ctx, so that a revoked till is cut off, not only
 * refused at its next handshake. Return how many.
 */
int session_close_revoked(SSL_CTX *ctx);
/*
 * msgid in s's language (Hello.language; English, i.e. msgid itself, for a
 * NULL s or an English session), without changing the thread's locale.
 */
static inline const char *session_text(const Session *s, const char *msgid)
	__attribute__((format_arg(2)));
static inline const char *session_text(const Session *s, const char *msgid)
{
	locale_t prev;
	const char *t;

	if (s == NULL || s->locale == (locale_t)0)
		return msgid;
	prev = uselocale(s->locale);
	t = dgettext(KASSA_TEXT_DOMAIN, msgid);
	uselocale(prev);
	return t;
}
/*
 * Make s's language the calling thread's (English for NULL), so that _()
 * in a handler answers in it; returns the locale to give back to
 * uselocale() afterwards.
 */
static inline locale_t session_locale_enter(const Session *s)
{
	return uselocale(s != NULL && s->locale != (locale_t)0 ? s->locale : LC_GLOBAL_LOCALE);
}

/* ---- calls (call.c) ---- */

/*
 * Send resp as the answer to c (request id filled in), then free c. If the
 * session has gone, only free. resp is borrowed.
 */
void call_reply(Call *c, Kassa__V1__Response *resp);
/*
 * Answer c with an error status and no body, then free c. fmt is a msgid
 * (xgettext keyword call_fail:4): it is translated into the session's
 * language before the arguments are put in.
 */
void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
/* Answer c with the status a failed database call deserves (DbStatus st). */
struct pg_result;
void call_fail_db(Call *c, int st, const struct pg_result *res);
/*
 * The start of every database callback: if c's session has gone, free c;
 * if the query failed, answer as call_fail_db() does. True only when c is
 * live and res holds a successful result to answer from.
 */
bool call_db_ok(Call *c, int st, const struct pg_result *res);
/* Free c without answering (only for a Call whose session is gone). */
void call_free(Call *c);
/* True if c's session is gone: callbacks should just call_free(c). */
static inline bool call_is_orphan(const Call *c)
{
	return c->sess == NULL;
}
/* Fill ctx with what a log line about c names (its till, request id, staff); return ctx. */
static inline const LogCtx *call_log_ctx(LogCtx *ctx, const Call *c)
{
	ctx->till = c->sess != NULL ? c->sess->till_code : NULL;
	ctx->req = c->req != NULL ? c->req->request_id : 0;
	ctx->staff = c->staff_id;
	return ctx;
}
/* Log a line about c at lvl (LOG_LVL_*), carrying "req=S001-T1#42" (log_ctx_msg). */
#define log_call(c, lvl, ...) \
	do { \
		if (log_get_level() >= (lvl)) \
			log_ctx_msg((lvl), call_log_ctx(&(LogCtx){ 0 }, (c)), __VA_ARGS__); \
	} while (0)

/* ---- dispatch (dispatch.c) ---- */

/*
 * One row of the route table (server/routes.c, the only file that names
 * every handler): what a request type needs before its handler may run.
 */
typedef struct Route {
	Kassa__V1__Request__BodyCase body;	/* the Request's oneof case */
	void (*fn)(Call *c);			/* the handler; takes c */
	bool needs_hello;			/* the till must be identified first */
	int roles;				/* Role bits allowed; 0 = no Login needed;
						   ROLE_ADMIN alone = an admin request,
						   refused OFFICE_ONLY but from office tills */
	bool mutating;				/* needs an idempotency key ... */
	bool (*reads_only)(const Kassa__V1__Request *req); /* ... unless this says the
						   request changes nothing (NULL: never) */
} Route;

/* Install the route table (borrowed; static in routes.c); before the loop runs. */
void dispatch_setup(const Route *routes, size_t n);
/* Route a decoded request to its handler after the role checks. Takes c. */
void dispatch_call(Call *c);

/*
 * The convention of every handler: a helper that returns false (or a
 * callback that has called call_reply()/call_fail()/call_free()) has
 * answered or handed off the Call; the caller must not touch it again.
 */

/* ---- Hello (hello.c): the till's identity from its certificate ---- */

/* Register the statement; before db_setup(). */
void hello_setup(void);
void handle_hello(Call *c);

/* ---- idempotency retention (idem_retention.c) ---- */

/* Register the job's statement; before db_setup(). */
void idem_retention_setup(void);
/*
 * Arm the job's timer (a run soon after start, then every
 * idempotency_purge_interval seconds; nothing when that is 0); false
 * (logged) if the timer could not be armed.
 */
MUSTCHECK bool idem_retention_start(void);
/* Disarm it (shutdown); a run in progress ends with its current batch. */
void idem_retention_stop(void);
/*
 * Start a run now: delete the keys older than idempotency_keep_days, a
 * batch per statement, on the loop. False if one is already going.
 */
bool idem_retention_run(void);

/* ---- migrations (migrate.c) ---- */

/*
 * Apply pending migrations from dir using a blocking connection (not on the
 * loop): the numbered schema files in order, then dir/functions/ when its
 * files changed (see migrate.c). False (logged) if anything failed.
 */
MUSTCHECK bool migrate_run(const char *conninfo, const char *dir);
/*
 * Before serving (blocking, at most a few seconds): false (logged) if the
 * database's SQL functions do not match dir/functions/, i.e. `kassad
 * migrate` has not been run with these files. True, with a warning, when it
 * cannot tell (no directory, database unreachable).
 */
MUSTCHECK bool migrate_check(const char *conninfo, const char *dir);

#endif

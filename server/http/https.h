/* SPDX-License-Identifier: Apache-2.0 */
/*
 * https.h: kassad's HTTPS admin port, libevent's evhttp on the daemon's one
 * loop (g_base). Mutual TLS with its own SSL_CTX built from the [tls]
 * files: the handshake fails without a certificate issued by [tls] ca (and
 * not on [tls] crl), and only a certificate whose CN is an active tills row
 * of kind 'office' is served; any other gets 403. What it serves is
 * registered by the domains (office/dashboard.c registers "/"): this
 * module knows connections, requests and who may see them, not pages.
 *
 * A request becomes an HttpsCall handed to its route's handler, which
 * answers it with https_reply() or https_fail() (now or from a database
 * callback). Only GET and HEAD reach a handler (others get 405); headers
 * and bodies are size-limited, idle connections time out, a connection
 * must get each request in within [admin] dashboard_request_timeout
 * seconds (from its accept, then from each answer), at most
 * HTTPS_MAX_CONNECTIONS are open at once (accepting pauses above that)
 * and at most HTTPS_MAX_PER_CLIENT of them with one certificate CN (one
 * more is answered 503), so that one client cannot hold them all.
 */
#ifndef KASSA_HTTPS_H
#define KASSA_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <locale.h>

#include <event2/buffer.h>

#include "i18n.h"
#include "util.h"

#define HTTPS_MAX_CONNECTIONS 64	/* open connections; accepting pauses above */
#define HTTPS_MAX_PER_CLIENT 8		/* open connections of one certificate CN; 503 above */
#define HTTPS_MAX_HEADERS 8192		/* bytes of request line and headers */
#define HTTPS_MAX_BODY 1024		/* bytes of request body (GET and HEAD have none) */
#define HTTPS_TIMEOUT_S 10		/* a read or a write may stall this long */
#define HTTPS_AUTH_TTL_S 60		/* a connection's office check is redone after this */
#define HTTPS_CN_MAX 64			/* a certificate CN (tills.code) */

typedef struct HttpsCall HttpsCall;
typedef void (*HttpsHandler)(HttpsCall *c);

/*
 * Serve path (exact match, e.g. "/") with fn; before https_setup(). False
 * when the table is full or path is taken.
 */
MUSTCHECK bool https_route(const char *path, HttpsHandler fn);

/*
 * Register the office check's statement; before db_setup().
 */
void https_setup_statements(void);

/*
 * Listen on listen ("host:port" or "[v6]:port", comma-separated; "" =
 * off, then nothing happens): build the TLS context, bind. Before the
 * loop runs. False (logged) on a bad address or TLS files.
 */
MUSTCHECK bool https_setup(const char *listen);

/* SIGHUP: rebuild the TLS context from the [tls] files; keep the old one on failure. */
void https_reload(void);

/* SIGTERM: stop accepting (connections being served finish). */
void https_stop(void);

/*
 * After the loop (and after db_shutdown(), whose callbacks answer what
 * still waits): free the server; calls still unanswered become orphans.
 */
void https_shutdown(void);

/* ---- one request ---- */

/* The certificate CN of c's connection (an office till's code). */
const char *https_call_cn(const HttpsCall *c);

/* True once c's connection (or the server) has gone: just answer to free it. */
bool https_call_is_orphan(const HttpsCall *c);

/* The request header name (case-insensitive), or NULL (missing, orphan). */
const char *https_call_header(const HttpsCall *c, const char *name);

/*
 * The decoded value of query parameter key into out (NUL-terminated,
 * cut at outlen). False when it is missing, undecodable or c is an orphan.
 */
bool https_call_query(const HttpsCall *c, const char *key, char *out, size_t outlen);

/*
 * The reader's language: ?lang=zh_CN|en when it names one, else the best
 * of Accept-Language that Kassa has, else English.
 */
I18nLang https_call_lang(const HttpsCall *c);

/*
 * Make lang the calling thread's language, so that _() answers in it (as
 * session_locale_enter()); returns the locale to give back to uselocale().
 */
locale_t https_locale_enter(I18nLang lang);

/* The HTML lang attribute of lang: "zh-CN" or "en". */
const char *https_html_lang(I18nLang lang);

/*
 * Keep state for c's handler (owned by c: free_fn(state) when c is freed,
 * free_fn may be NULL); replaces nothing, call once.
 */
void https_call_set_state(HttpsCall *c, void *state, void (*free_fn)(void *state));
void *https_call_state(const HttpsCall *c);

/*
 * Answer c with code and body (an HTML page, UTF-8; the body is drained;
 * it may be NULL for none), then free c. For a HEAD request only the
 * headers go out. For an orphan, only free.
 */
void https_reply(HttpsCall *c, int code, struct evbuffer *body);

/*
 * Answer c with a short HTML page: title and text (borrowed, already in
 * the reader's language; escaped here), then free c.
 */
void https_fail(HttpsCall *c, int code, const char *title, const char *text);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * https.c: the HTTPS admin port (https.h). evhttp serves HTTP/1.1 on the
 * daemon's loop; evhttp_set_bevcb() makes every accepted connection an
 * OpenSSL bufferevent of this module's own SSL_CTX (tls_server_ctx_new()
 * from the [tls] files, as the till listener's: TLS 1.2+, a client
 * certificate verified against [tls] ca and crl, or the handshake fails).
 *
 * Who may see pages: the certificate CN must be an active tills row of
 * kind 'office'. A connection's answer is looked up with db_query() at its
 * first request and kept in an HttpsConn hung on the connection's SSL (ex
 * data, freed with the SSL) for HTTPS_AUTH_TTL_S; anything else gets 403.
 *
 * A request's walk: gen_cb() 1. refuses what is not TLS or not GET/HEAD
 * (405), 2. makes an HttpsCall with its route, 3. checks the connection
 * (office_cb() when the database must say; 403 for any other certificate),
 * 4. dispatch() hands the call to the route's handler (404 without one),
 * which answers with https_reply()/https_fail().
 * evhttp keeps an unanswered request alive (it stops reading the
 * connection meanwhile), but evhttp_free() would free it: every live call
 * is on a list, and https_shutdown() orphans them first.
 *
 * Bounds: HTTPS_MAX_CONNECTIONS connections (the listeners are paused at
 * the limit and resumed when one closes; evhttp itself has no limit), of
 * which one certificate CN holds at most HTTPS_MAX_PER_CLIENT (counted
 * when its handshake is done, info_cb(); one more gets 503 and is closed),
 * request headers and body sizes, HTTPS_TIMEOUT_S for each read or write,
 * and [admin] dashboard_request_timeout for all of it: from the accept to
 * the end of the first request, and from each answer to the end of the
 * next request on a kept-alive connection, whatever trickles meanwhile
 * (each connection's deadline timer, deadline_cb(), shuts the socket
 * down: evhttp then sees the end of the stream and frees the connection
 * in its own way). Never blocks: the only waits are db_query()'s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/ssl.h>

#include "chart_svg.h"
#include "core.h"
#include "db.h"
#include "https.h"
#include "log.h"
#include "tls.h"

#define HTTPS_LISTEN_MAX 4
#define HTTPS_ROUTES_MAX 8
#define HTTPS_PATH_MAX 64
#define HTTPS_BACKLOG 128
#define HTTPS_PAUSE_MS 1000		/* accept() out of descriptors: retry after this */
#define HTTPS_SESSION_ID_CTX "kassad-admin"
#define HTTPS_REFUSE_GRACE_S 2		/* a client over its limit: time to ask for its 503 */

/* A connection's office check. */
typedef enum HttpsAuth {
	HTTPS_AUTH_UNKNOWN = 0,		/* not looked up yet (or the answer is stale) */
	HTTPS_AUTH_OFFICE,		/* an active office till: may see pages */
	HTTPS_AUTH_REFUSED,		/* anything else: 403 */
} HttpsAuth;

/* Per connection, as the SSL's ex data (owned by the SSL, freed with it). */
typedef struct HttpsConn {
	HttpsAuth auth;
	int64_t checked_us;		/* when auth was decided */
	struct bufferevent *bev;	/* borrowed: the connection's (its SSL owns this) */
	struct event *deadline;		/* owned: ends a connection that sends no request in time */
	char cn[HTTPS_CN_MAX];		/* the certificate's CN, once the handshake is done */
	bool counted;			/* cn counts one connection in clients[] */
	bool over;			/* cn had HTTPS_MAX_PER_CLIENT already: 503, then closed */
} HttpsConn;

/* The connections of one certificate CN (a slot with conns 0 is free). */
typedef struct HttpsClient {
	char cn[HTTPS_CN_MAX];
	int conns;
} HttpsClient;

struct HttpsCall {
	struct evhttp_request *req;	/* borrowed from evhttp; NULL once orphaned */
	HttpsHandler fn;		/* the route's handler; NULL: no such page (404) */
	char cn[HTTPS_CN_MAX];		/* the verified certificate's CN */
	void *state;			/* owned: the handler's */
	void (*state_free)(void *state);
	HttpsCall *next, *prev;		/* all live calls */
};

typedef struct HttpsRoute {
	char path[HTTPS_PATH_MAX];
	HttpsHandler fn;
} HttpsRoute;

static struct evhttp *http;			/* owned; NULL when off */
static SSL_CTX *ctx;				/* owned; connections hold references */
static int conn_idx = -1;			/* SSL ex data index of HttpsConn */
static struct evhttp_bound_socket *bound[HTTPS_LISTEN_MAX]; /* borrowed from http */
static int nbound;
static int nconns;				/* HttpsConns alive */
static bool paused;				/* listeners disabled (limit or accept error) */
static struct event *resume_ev;			/* owned: ends an accept-error pause */
static HttpsRoute routes[HTTPS_ROUTES_MAX];
static int nroutes;
static HttpsCall *calls;			/* owned: the live calls */
static int st_office;
static HttpsClient clients[HTTPS_MAX_CONNECTIONS];	/* CNs with connections open */

/* ---- listeners and the connection limit ---- */

static void listeners_set(bool on)
{
	for (int i = 0; i < nbound; i++) {
		struct evconnlistener *l = evhttp_bound_socket_get_listener(bound[i]);

		if ((on ? evconnlistener_enable(l) : evconnlistener_disable(l)) != 0)
			log_error("admin port: could not %s accepting connections",
				  on ? "resume" : "pause");
	}
	paused = !on;
}

/* ---- one client's connections, and each connection's deadline ---- */

/*
 * Count one more connection of cn; how many it has now (one more than
 * HTTPS_MAX_PER_CLIENT when no slot is left: every slot is another CN's).
 */
static int client_add(const char *cn)
{
	HttpsClient *free_slot = NULL;

	for (int i = 0; i < HTTPS_MAX_CONNECTIONS; i++) {
		if (clients[i].conns > 0 && strcmp(clients[i].cn, cn) == 0)
			return ++clients[i].conns;
		if (clients[i].conns == 0 && free_slot == NULL)
			free_slot = &clients[i];
	}
	if (free_slot == NULL)
		return HTTPS_MAX_PER_CLIENT + 1;
	snprintf(free_slot->cn, sizeof(free_slot->cn), "%s", cn);
	free_slot->conns = 1;
	return 1;
}

static void client_drop(const char *cn)
{
	for (int i = 0; i < HTTPS_MAX_CONNECTIONS; i++)
		if (clients[i].conns > 0 && strcmp(clients[i].cn, cn) == 0) {
			clients[i].conns--;
			return;
		}
}

/* (Re)start hc's deadline: seconds from now for the next request to be in. */
static void deadline_set(HttpsConn *hc, int seconds)
{
	struct timeval tv = { seconds, 0 };

	if (hc->deadline != NULL && evtimer_add(hc->deadline, &tv) != 0)
		log_error("admin port: could not arm a connection's deadline");
}

/*
 * The deadline passed with no request in: shut the socket down (not
 * close: evhttp owns the descriptor, and it frees the connection once the
 * bufferevent reports the end of the stream).
 */
static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	HttpsConn *hc = arg;
	evutil_socket_t s = hc->bev != NULL ? bufferevent_getfd(hc->bev) : -1;

	(void)fd;
	(void)what;
	log_debug("admin port: a connection%s%s%s sent no request within %d s: closed",
		  hc->counted ? " of \"" : "", hc->counted ? hc->cn : "", hc->counted ? "\"" : "",
		  hc->over ? HTTPS_REFUSE_GRACE_S : cf_dashboard_request_timeout);
	if (s >= 0)
		shutdown(s, SHUT_RDWR);
}

/*
 * OpenSSL's info callback: once the handshake is done, count the
 * connection for its certificate's CN; over HTTPS_MAX_PER_CLIENT it is
 * answered 503 (gen_cb) and given HTTPS_REFUSE_GRACE_S to ask.
 */
static void info_cb(const SSL *ssl, int where, int ret)
{
	HttpsConn *hc = (where & SSL_CB_HANDSHAKE_DONE) ? SSL_get_ex_data(ssl, conn_idx) : NULL;
	int n;

	(void)ret;
	/* SSL_get_verify_result and the peer certificate only read the SSL */
	if (hc == NULL || hc->counted || !tls_peer_cn((SSL *)ssl, hc->cn, sizeof(hc->cn)))
		return;
	hc->counted = true;
	n = client_add(hc->cn);
	if (n <= HTTPS_MAX_PER_CLIENT)
		return;
	hc->over = true;
	if (n == HTTPS_MAX_PER_CLIENT + 1)	/* once as it goes over, not for every refusal */
		log_info("admin port: certificate \"%s\" has %d connections open; more are refused"
			 " until it has fewer", hc->cn, HTTPS_MAX_PER_CLIENT);
	deadline_set(hc, HTTPS_REFUSE_GRACE_S);
}

/* Free an HttpsConn with its SSL; resume accepting below the limit. */
static void conn_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
			 void *argp)
{
	HttpsConn *hc = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (hc == NULL)
		return;
	if (hc->deadline != NULL)
		event_free(hc->deadline);
	if (hc->counted)
		client_drop(hc->cn);
	free(hc);
	nconns--;
	if (paused && http != NULL && nconns < HTTPS_MAX_CONNECTIONS &&
	    (resume_ev == NULL || !evtimer_pending(resume_ev, NULL)))
		listeners_set(true);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (http != NULL && nconns < HTTPS_MAX_CONNECTIONS)
		listeners_set(true);
}

/* accept() failed: out of descriptors or memory pauses accepting for a while. */
static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct timeval tv = { HTTPS_PAUSE_MS / 1000, (HTTPS_PAUSE_MS % 1000) * 1000 };
	int err = EVUTIL_SOCKET_ERROR();

	(void)l;
	(void)arg;
	log_warn("admin port: could not accept a connection: %s",
		 evutil_socket_error_to_string(err));
	if (paused)
		return;
	if (resume_ev == NULL)
		resume_ev = evtimer_new(g_base, resume_cb, NULL);
	if (resume_ev != NULL && evtimer_add(resume_ev, &tv) == 0)
		listeners_set(false);
}

/*
 * evhttp's bufferevent for a new connection: TLS, server side. Never NULL
 * to evhttp's plain-text fallback on purpose: if TLS state cannot be made
 * the connection gets a plain bufferevent, which gen_cb() refuses.
 */
static struct bufferevent *bevcb(struct event_base *base, void *arg)
{
	struct bufferevent *bev;
	HttpsConn *hc;
	SSL *ssl;

	(void)arg;
	ssl = SSL_new(ctx);
	if (ssl == NULL)
		goto plain;
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);	/* see session.c */
	SSL_set_info_callback(ssl, info_cb);
	hc = xcalloc(1, sizeof(*hc));
	hc->deadline = evtimer_new(base, deadline_cb, hc);
	if (hc->deadline == NULL || SSL_set_ex_data(ssl, conn_idx, hc) != 1) {
		if (hc->deadline != NULL)
			event_free(hc->deadline);
		free(hc);
		SSL_free(ssl);
		goto plain;
	}
	if (++nconns >= HTTPS_MAX_CONNECTIONS && !paused)
		listeners_set(false);
	/* on failure libevent frees ssl, and with it hc (conn_free_cb) */
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL)
		goto plain;
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	hc->bev = bev;
	deadline_set(hc, cf_dashboard_request_timeout);	/* the handshake and the first request */
	return bev;
plain:
	log_error("admin port: could not create TLS state for a connection");
	return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

/* ---- calls ---- */

static HttpsCall *call_new(struct evhttp_request *req, HttpsHandler fn)
{
	HttpsCall *c = xcalloc(1, sizeof(*c));

	c->req = req;
	c->fn = fn;
	c->next = calls;
	if (calls)
		calls->prev = c;
	calls = c;
	return c;
}

static void https_call_free(HttpsCall *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->state_free && c->state)
		c->state_free(c->state);
	free(c);
}

const char *https_call_cn(const HttpsCall *c)
{
	return c->cn;
}

bool https_call_is_orphan(const HttpsCall *c)
{
	return c->req == NULL || evhttp_request_get_connection(c->req) == NULL;
}

const char *https_call_header(const HttpsCall *c, const char *name)
{
	if (c->req == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(c->req), name);
}

bool https_call_query(const HttpsCall *c, const char *key, char *out, size_t outlen)
{
	const struct evhttp_uri *uri;
	struct evkeyvalq kv;
	const char *q, *v;
	bool ok = false;

	if (outlen > 0)
		out[0] = '\0';
	if (c->req == NULL || outlen == 0)
		return false;
	uri = evhttp_request_get_evhttp_uri(c->req);
	q = uri ? evhttp_uri_get_query(uri) : NULL;
	TAILQ_INIT(&kv);
	if (q == NULL || evhttp_parse_query_str(q, &kv) != 0)
		goto out;
	v = evhttp_find_header(&kv, key);
	if (v != NULL) {
		snprintf(out, outlen, "%s", v);
		ok = true;
	}
out:
	evhttp_clear_headers(&kv);
	return ok;
}

void https_call_set_state(HttpsCall *c, void *state, void (*free_fn)(void *state))
{
	c->state = state;
	c->state_free = free_fn;
}

void *https_call_state(const HttpsCall *c)
{
	return c->state;
}

/* "q=0.8" of an Accept-Language element in thousandths (1000 without one). */
static int accept_q(const char *params)
{
	const char *q = strstr(params, "q=");
	int v = 0, scale = 1000;

	if (q == NULL)
		return 1000;
	q += 2;
	if (*q == '1')
		return 1000;
	if (*q != '0')
		return 0;
	q++;
	if (*q == '.')
		for (q++; *q >= '0' && *q <= '9' && scale > 1; q++) {
			scale /= 10;
			v += (*q - '0') * scale;
		}
	return v;
}

I18nLang https_call_lang(const HttpsCall *c)
{
	char want[16], tag[32];
	const char *al, *p;
	I18nLang best = I18N_EN;
	int best_q = 0;

	if (https_call_query(c, "lang", want, sizeof(want)) &&
	    i18n_lang_parse(want) != I18N_UNKNOWN)
		return i18n_lang_parse(want);
	al = https_call_header(c, "Accept-Language");
	for (p = al; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ","), t;

		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		t = strcspn(p, ";, \t");
		if (t > n)
			t = n;
		if (t < sizeof(tag)) {
			I18nLang l;
			char params[64];
			int q;

			memcpy(tag, p, t);
			tag[t] = '\0';
			snprintf(params, sizeof(params), "%.*s", (int)(n - t), p + t);
			l = i18n_lang_parse(tag);
			q = accept_q(params);
			if (l != I18N_UNKNOWN && q > best_q) {
				best = l;
				best_q = q;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return best;
}

locale_t https_locale_enter(I18nLang lang)
{
	locale_t l = i18n_locale(lang);

	return uselocale(l != (locale_t)0 ? l : LC_GLOBAL_LOCALE);
}

const char *https_html_lang(I18nLang lang)
{
	return lang == I18N_ZH_CN ? "zh-CN" : "en";
}

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static HttpsConn *conn_of(struct evhttp_request *req);

/*
 * Send code (and body) on req with the headers every answer carries; the
 * connection's deadline restarts for its next request (and this answer).
 */
static void send_on(struct evhttp_request *req, int code, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	HttpsConn *hc = conn_of(req);

	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	/* no script, no frame, nothing fetched: the page carries its style and SVG */
	evhttp_add_header(h, "Content-Security-Policy",
			  "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
			  " frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
	if (code == 405)
		evhttp_add_header(h, "Allow", "GET, HEAD");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp gives a HEAD answer no length: the one GET would have */
		char len[24];

		snprintf(len, sizeof(len), "%zu", body ? evbuffer_get_length(body) : (size_t)0);
		evhttp_add_header(h, "Content-Length", len);
	}
	if (hc != NULL)
		deadline_set(hc, hc->over ? HTTPS_REFUSE_GRACE_S : cf_dashboard_request_timeout);
	evhttp_send_reply(req, code, reason(code), body);
}

void https_reply(HttpsCall *c, int code, struct evbuffer *body)
{
	if (c->req != NULL)
		send_on(c->req, code, body);	/* evhttp frees a request whose connection went */
	else if (body != NULL)
		evbuffer_drain(body, evbuffer_get_length(body));
	https_call_free(c);
}

/* A short page: title and text escaped, in body. */
static void short_page(struct evbuffer *body, I18nLang lang, const char *title,
		       const char *text)
{
	char *t = chart_escape(title, 0), *x = chart_escape(text, 0);

	evbuffer_add_printf(body, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			    "<title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n",
			    https_html_lang(lang), t ? t : "", t ? t : "", x ? x : "");
	free(t);
	free(x);
}

void https_fail(HttpsCall *c, int code, const char *title, const char *text)
{
	struct evbuffer *body = evbuffer_new();

	if (body != NULL)
		short_page(body, c->req ? https_call_lang(c) : I18N_EN, title, text);
	https_reply(c, code, body);
	if (body != NULL)
		evbuffer_free(body);
}

/* Answer req with a short page in the reader's language, without a call. */
static void fail_req(struct evhttp_request *req, int code)
{
	HttpsCall tmp = { .req = req };
	I18nLang lang = https_call_lang(&tmp);
	locale_t prev = https_locale_enter(lang);
	struct evbuffer *body = evbuffer_new();

	if (body != NULL) {
		if (code == 405)
			short_page(body, lang, _("Method not allowed"),
				   _("This page is read-only: only GET and HEAD are served."));
		else
			short_page(body, lang, _("Bad request"),
				   _("This port speaks HTTPS with a client certificate only."));
	}
	uselocale(prev);
	send_on(req, code, body);
	if (body != NULL)
		evbuffer_free(body);
}

/* ---- who may see pages ---- */

/* 3b. Refuse c: the certificate is not an active office till's. */
static void refuse(HttpsCall *c, int code)
{
	I18nLang lang = https_call_lang(c);
	locale_t prev = https_locale_enter(lang);
	const char *title, *text;

	if (code == 403) {
		title = _("Forbidden");
		text = _("This port serves head-office certificates only.");
	} else {
		title = _("Service unavailable");
		text = _("Your certificate could not be checked just now; try again shortly.");
	}
	https_fail(c, code, title, text);
	uselocale(prev);
}

/* 3c. Refuse c: its certificate has HTTPS_MAX_PER_CLIENT connections open already. */
static void refuse_busy(HttpsCall *c)
{
	I18nLang lang = https_call_lang(c);
	locale_t prev = https_locale_enter(lang);
	char text[256];

	snprintf(text, sizeof(text), _("This certificate has %d connections to the dashboard open "
				       "already; close some of its pages and try again."),
		 HTTPS_MAX_PER_CLIENT);
	evhttp_add_header(evhttp_request_get_output_headers(c->req), "Connection", "close");
	https_fail(c, 503, _("Too many connections"), text);
	uselocale(prev);
}

static HttpsConn *conn_of(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;

	return ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
}

/* 4. The page of c's path, or 404. */
static void dispatch(HttpsCall *c)
{
	locale_t prev;

	if (c->fn != NULL) {
		c->fn(c);
		return;
	}
	prev = https_locale_enter(https_call_lang(c));
	https_fail(c, 404, _("Not found"), _("There is no such page."));
	uselocale(prev);
}

/* 3a. The database's answer: is the CN an active office till? */
static void office_cb(void *arg, DbStatus st, const PGresult *res)
{
	HttpsCall *c = arg;
	HttpsConn *hc;
	bool office;

	if (https_call_is_orphan(c)) {
		https_reply(c, 500, NULL);	/* frees c (and evhttp's request) */
		return;
	}
	if (st != DB_OK) {
		log_warn("admin port: could not check certificate \"%s\": %s", c->cn,
			 res ? db_errmsg(res) : "database unavailable");
		refuse(c, 503);
		return;
	}
	office = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	hc = conn_of(c->req);
	if (hc != NULL) {
		hc->auth = office ? HTTPS_AUTH_OFFICE : HTTPS_AUTH_REFUSED;
		hc->checked_us = now_usec();
	}
	if (!office) {
		log_info("admin port: certificate \"%s\" is not an active office till: refused", c->cn);
		refuse(c, 403);
		return;
	}
	dispatch(c);
}

/* 1.-4. Every request. */
static void gen_cb(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	HttpsConn *hc = ssl ? SSL_get_ex_data(ssl, conn_idx) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	HttpsHandler fn = NULL;
	HttpsCall *c;
	const char *params[1];

	(void)arg;
	if (hc != NULL)
		evtimer_del(hc->deadline);	/* the request is in: its answer restarts it */
	/* 1. TLS only, GET and HEAD only */
	if (hc == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		fail_req(req, 400);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		fail_req(req, 405);
		return;
	}
	/* 2. the call, with its route (none: 404, once the reader may know that) */
	if (path != NULL) {
		/* an empty path is "/"; i < HTTPS_ROUTES_MAX too, for gcc -O2's bounds check */
		const char *want = path[0] != '\0' ? path : "/";

		for (int i = 0; i < nroutes && i < HTTPS_ROUTES_MAX; i++)
			if (strcmp(routes[i].path, want) == 0)
				fn = routes[i].fn;
	}
	c = call_new(req, fn);
	if (hc->over) {
		refuse_busy(c);
		return;
	}
	if (!tls_peer_cn(ssl, c->cn, sizeof(c->cn))) {
		refuse(c, 403);
		return;
	}
	/* 3. the connection's office check, looked up again once stale */
	if (hc->auth != HTTPS_AUTH_UNKNOWN &&
	    now_usec() - hc->checked_us > (int64_t)HTTPS_AUTH_TTL_S * 1000000)
		hc->auth = HTTPS_AUTH_UNKNOWN;
	if (hc->auth == HTTPS_AUTH_REFUSED) {
		refuse(c, 403);
		return;
	}
	if (hc->auth == HTTPS_AUTH_UNKNOWN) {
		params[0] = c->cn;
		db_query(st_office, 1, params, office_cb, c);
		return;
	}
	dispatch(c);
}

/* ---- set-up and shutdown ---- */

bool https_route(const char *path, HttpsHandler fn)
{
	if (nroutes >= HTTPS_ROUTES_MAX || strlen(path) >= HTTPS_PATH_MAX)
		return false;
	for (int i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0)
			return false;
	snprintf(routes[nroutes].path, HTTPS_PATH_MAX, "%s", path);
	routes[nroutes++].fn = fn;
	return true;
}

void https_setup_statements(void)
{
	st_office = db_stmt_add("https_office_till",
		"SELECT kind = 'office' AND active FROM tills WHERE code = $1", DB_LANE_QUICK);
}

static SSL_CTX *ctx_build(void)
{
	char err[512];
	SSL_CTX *c = tls_server_ctx_new(cf_tls_cert, cf_tls_key, cf_tls_ca, cf_tls_crl, err,
					sizeof(err));

	if (c == NULL) {
		log_error("admin port: could not set up TLS: %s", err);
		return NULL;
	}
	/* sessions of the till port are not resumed here, nor the other way round */
	if (SSL_CTX_set_session_id_context(c, (const unsigned char *)HTTPS_SESSION_ID_CTX,
					   sizeof(HTTPS_SESSION_ID_CTX) - 1) != 1) {
		log_error("admin port: could not set the TLS session id context");
		SSL_CTX_free(c);
		return NULL;
	}
	return c;
}

static bool bind_one(const char *spec)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	struct evconnlistener *l;

	if (nbound >= HTTPS_LISTEN_MAX) {
		log_error("[admin] dashboard_listen: at most %d addresses", HTTPS_LISTEN_MAX);
		return false;
	}
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &sslen) != 0) {
		log_error("could not parse [admin] dashboard_listen address \"%s\"", spec);
		return false;
	}
	l = evconnlistener_new_bind(g_base, NULL, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, HTTPS_BACKLOG,
		(struct sockaddr *)&ss, sslen);
	if (l == NULL) {
		log_error("admin port: could not listen on %s: %s", spec,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return false;
	}
	bound[nbound] = evhttp_bind_listener(http, l);	/* takes l */
	if (bound[nbound] == NULL) {
		evconnlistener_free(l);
		log_error("admin port: could not serve on %s", spec);
		return false;
	}
	evconnlistener_set_error_cb(l, accept_error_cb);
	nbound++;
	log_info("admin port: listening on https://%s/", spec);
	return true;
}

bool https_setup(const char *listen)
{
	char *copy, *save = NULL;
	bool ok = true;

	if (listen == NULL || listen[0] == '\0')
		return true;
	if (conn_idx < 0)
		conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_free_cb);
	ctx = ctx_build();
	http = ctx != NULL && conn_idx >= 0 ? evhttp_new(g_base) : NULL;
	if (http == NULL) {
		log_error("admin port: could not start the HTTPS server");
		https_shutdown();
		return false;
	}
	evhttp_set_bevcb(http, bevcb, NULL);
	evhttp_set_gencb(http, gen_cb, NULL);
	/* every method reaches gen_cb, which answers 405 (evhttp itself would say 501) */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				   EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, HTTPS_MAX_HEADERS);
	evhttp_set_max_body_size(http, HTTPS_MAX_BODY);
	evhttp_set_timeout(http, HTTPS_TIMEOUT_S);
	copy = xstrdup(listen);
	for (char *tok = strtok_r(copy, ", ", &save); tok && ok; tok = strtok_r(NULL, ", ", &save))
		ok = bind_one(tok);
	free(copy);
	if (!ok)
		https_shutdown();
	return ok;
}

void https_reload(void)
{
	SSL_CTX *c;

	if (http == NULL)
		return;
	c = ctx_build();
	if (c == NULL) {
		log_error("admin port: reload failed; keeping the current certificates");
		return;
	}
	SSL_CTX_free(ctx);	/* live connections hold their own references */
	ctx = c;
}

void https_stop(void)
{
	for (int i = 0; i < nbound; i++)
		evhttp_del_accept_socket(http, bound[i]);
	nbound = 0;
	paused = false;
}

void https_shutdown(void)
{
	for (HttpsCall *c = calls; c; c = c->next)
		c->req = NULL;	/* evhttp_free() frees the requests */
	https_stop();
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
	if (resume_ev != NULL)
		event_free(resume_ev);
	resume_ev = NULL;
	SSL_CTX_free(ctx);
	ctx = NULL;
}

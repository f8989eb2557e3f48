/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_webhook.c: one delivery POSTed to a webhook endpoint with
 * libevent's HTTP client over a TLS bufferevent, never blocking the loop:
 * a literal address needs no resolving, a host name is resolved by
 * libevent's own resolver (evdns), never getaddrinfo(). The server's
 * certificate is verified against [outbox] ca_file (the system's store
 * when empty) and must name the URL's host (SNI and
 * X509_VERIFY_PARAM_set1_host, or set1_ip_asc for an address).
 *
 * Headers: Content-Type: application/json, Idempotency-Key (the row's
 * delivery_key, the same on every attempt), X-Kassa-Signature when the
 * endpoint has a secret. A 2xx answer is accepted; any other status is
 * refused; no answer (connection, TLS or protocol failure) failed; and no
 * answer within [outbox] timeout_ms (connect to the end of the answer)
 * timeout. The answer's headers and body are read up to
 * WEBHOOK_HEADERS_MAX / WEBHOOK_BODY_MAX bytes, no more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core.h"
#include "log.h"
#include "outbox.h"

#define WEBHOOK_HEADERS_MAX 16384
#define WEBHOOK_BODY_MAX 65536

typedef struct Webhook {
	struct evhttp_connection *conn;	/* owned; owns the bufferevent and the SSL */
	struct event *deadline;		/* owned: the attempt's timeout_ms */
	struct event *finish;		/* owned: ends the attempt outside libevent's callbacks */
	enum evhttp_request_error err;	/* from the error callback */
	bool has_err;
} Webhook;

static SSL_CTX *ctx;
static struct evdns_base *dns;

bool webhook_setup(void)
{
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		log_error("outbox: could not make the webhooks' TLS context");
		return false;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (cf_outbox_ca_file[0] != '\0' ?
	    SSL_CTX_load_verify_locations(ctx, cf_outbox_ca_file, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(ctx) != 1) {
		log_error("outbox: could not load the webhooks' CAs from %s",
			  cf_outbox_ca_file[0] ? cf_outbox_ca_file : "the system's store");
		return false;
	}
	dns = evdns_base_new(g_base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
			     EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (dns == NULL) {
		/* no resolv.conf: literal addresses still work */
		log_warn("outbox: no name servers: webhooks reach literal addresses only");
		dns = evdns_base_new(g_base, 0);
	}
	return dns != NULL;
}

static void webhook_free(Delivery *d)
{
	Webhook *w = d->sender;

	if (w == NULL)
		return;
	if (w->conn)
		evhttp_connection_free(w->conn);
	if (w->deadline)
		event_free(w->deadline);
	if (w->finish)
		event_free(w->finish);
	free(w);
	d->sender = NULL;
}

static void finish_cb(evutil_socket_t fd, short what, void *arg)
{
	Delivery *d = arg;

	(void)fd;
	(void)what;
	webhook_free(d);
	outbox_delivery_done(d);
}

/* The attempt is over with result (and a short error): finish it from the loop. */
static void over(Delivery *d, const char *result, int status, const char *error)
{
	Webhook *w = d->sender;
	struct timeval zero = { 0, 0 };

	if (d->result != NULL)
		return;
	d->result = result;
	d->http_status = status;
	snprintf(d->error, sizeof(d->error), "%s", error);
	if (w->deadline)
		event_del(w->deadline);
	if (w->finish)
		event_add(w->finish, &zero);
	else
		finish_cb(-1, 0, d);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	Delivery *d = arg;
	Webhook *w = d->sender;

	(void)fd;
	(void)what;
	if (d->result != NULL)
		return;
	d->result = "timeout";
	snprintf(d->error, sizeof(d->error), "no answer within %d ms", cf_outbox_timeout_ms);
	/* freeing the connection drops the request without calling back */
	evhttp_connection_free(w->conn);
	w->conn = NULL;
	finish_cb(-1, 0, d);
}

static void error_cb(enum evhttp_request_error err, void *arg)
{
	Delivery *d = arg;
	Webhook *w = d->sender;

	w->err = err;
	w->has_err = true;
}

/* Why there is no answer, as briefly as possible. */
static void no_answer_reason(Delivery *d, char *out, size_t len)
{
	Webhook *w = d->sender;
	struct bufferevent *bev = w->conn ? evhttp_connection_get_bufferevent(w->conn) : NULL;
	unsigned long e = bev ? bufferevent_get_openssl_error(bev) : 0;
	char tls[120];

	if (e != 0) {
		ERR_error_string_n(e, tls, sizeof(tls));
		snprintf(out, len, "TLS: %s", tls);
	} else if (w->has_err && w->err == EVREQ_HTTP_DATA_TOO_LONG) {
		snprintf(out, len, "answer too long");
	} else if (w->has_err && w->err == EVREQ_HTTP_TIMEOUT) {
		snprintf(out, len, "timeout");
	} else if (w->has_err && w->err == EVREQ_HTTP_EOF) {
		snprintf(out, len, "connection closed before an answer");
	} else {
		snprintf(out, len, "no answer (connect or protocol failure)");
	}
}

static void request_cb(struct evhttp_request *req, void *arg)
{
	Delivery *d = arg;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	char why[OUTBOX_ERROR_MAX];

	if (code >= 200 && code <= 299) {
		over(d, "accepted", code, "");
	} else if (code > 0) {
		snprintf(why, sizeof(why), "HTTP %d", code);
		over(d, "refused", code, why);
	} else {
		no_answer_reason(d, why, sizeof(why));
		over(d, "failed", 0, why);
	}
}

/* The connection for u over TLS checked for u's host; NULL on failure. */
static struct evhttp_connection *connect_to(const OutboxUrl *u)
{
	SSL *ssl = SSL_new(ctx);
	X509_VERIFY_PARAM *param = ssl ? SSL_get0_param(ssl) : NULL;
	struct bufferevent *bev;
	struct evhttp_connection *conn;

	if (ssl == NULL)
		return NULL;
	if (u->host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, u->host) != 1 :
	    (SSL_set_tlsext_host_name(ssl, u->host) != 1 ||
	     X509_VERIFY_PARAM_set1_host(param, u->host, 0) != 1)) {
		SSL_free(ssl);
		return NULL;
	}
	bev = bufferevent_openssl_socket_new(g_base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL)
		return NULL;	/* the SSL went with it */
	conn = evhttp_connection_base_bufferevent_new(g_base, dns, bev, u->host,
						      (unsigned short)u->port);
	if (conn == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	evhttp_connection_set_retries(conn, 0);
	evhttp_connection_set_max_headers_size(conn, WEBHOOK_HEADERS_MAX);
	evhttp_connection_set_max_body_size(conn, WEBHOOK_BODY_MAX);
	evhttp_connection_set_timeout(conn, (cf_outbox_timeout_ms + 999) / 1000);
	return conn;
}

/* The request with d's headers and body; NULL on failure. */
static struct evhttp_request *make_request(Delivery *d, const OutboxUrl *u)
{
	struct evhttp_request *req = evhttp_request_new(request_cb, d);
	struct evkeyvalq *h;
	char host[OUTBOX_HOST_MAX + 16];

	if (req == NULL)
		return NULL;
	evhttp_request_set_error_cb(req, error_cb);
	h = evhttp_request_get_output_headers(req);
	if (u->port == 443)
		snprintf(host, sizeof(host), strchr(u->host, ':') ? "[%s]" : "%s", u->host);
	else
		snprintf(host, sizeof(host), strchr(u->host, ':') ? "[%s]:%d" : "%s:%d", u->host,
			 u->port);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Idempotency-Key", d->key);
	evhttp_add_header(h, "User-Agent", "kassad-outbox/1");
	evhttp_add_header(h, "Connection", "close");
	if (d->sig[0] != '\0')
		evhttp_add_header(h, "X-Kassa-Signature", d->sig);
	evbuffer_add(evhttp_request_get_output_buffer(req), d->body, d->body_len);
	return req;
}

void webhook_send(Delivery *d)
{
	Webhook *w = xcalloc(1, sizeof(*w));
	struct timeval tv = { cf_outbox_timeout_ms / 1000, (cf_outbox_timeout_ms % 1000) * 1000 };
	struct evhttp_request *req;
	const char *why;
	OutboxUrl u;

	d->sender = w;
	w->deadline = evtimer_new(g_base, deadline_cb, d);
	w->finish = evtimer_new(g_base, finish_cb, d);
	if (w->deadline == NULL || w->finish == NULL) {
		over(d, "failed", 0, "out of memory");
		return;
	}
	if (!outbox_url_parse(d->url, &u, &why)) {
		over(d, "failed", 0, why);
		return;
	}
	w->conn = connect_to(&u);
	req = w->conn ? make_request(d, &u) : NULL;
	if (req == NULL) {
		over(d, "failed", 0, "could not start the connection");
		return;
	}
	event_add(w->deadline, &tv);
	/* on failure libevent has freed req */
	if (evhttp_make_request(w->conn, req, EVHTTP_REQ_POST, u.path) != 0)
		over(d, "failed", 0, "could not send the request");
}

void webhook_abort(Delivery *d)
{
	webhook_free(d);
}

void webhook_shutdown(void)
{
	if (dns) {
		evdns_base_free(dns, 0);
		dns = NULL;
	}
	if (ctx) {
		SSL_CTX_free(ctx);
		ctx = NULL;
	}
}

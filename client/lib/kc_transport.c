/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_transport: the connection under every request of the client library
 * (see kc_transport.h for the contract): TCP + mutual TLS, Hello, framing,
 * pipelined send/receive, reconnect with TLS session resumption, retry, and
 * the staff login that a reconnect repeats. The typed request wrappers live
 * beside it, one file per request family (kc_members.c, kc_sales.c,
 * kc_refunds.c, kc_loyalty.c), and only call kc_call().
 *
 * The socket is non-blocking underneath and every wait goes through
 * poll() with a deadline, so a silent server costs a bounded time: the
 * connect timeout covers TCP connect + TLS handshake + Hello, the io
 * timeout covers waiting for one response. Any transport failure marks the
 * connection dead (kc->ssl stays around only to be freed); kc_reconnect()
 * builds a new one offering the previous TLS session.
 *
 * Incoming bytes collect in rbuf (grown as needed up to one response frame
 * of at most KC_MAX_RESPONSE bytes); whole frames are unpacked from it.
 * Responses that arrive while kc_recv_id() waits for another id are kept
 * on a FIFO (stash) for later kc_recv() calls.
 */
#include "kc_transport.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "frame.h"
#include "kc_build.h"
#include "tls.h"

#ifndef KASSA_VERSION
#define KASSA_VERSION "0.0.0"
#endif

#define KC_RBUF_MIN 4096
#define KC_RETRY_BACKOFF_MS 100		/* first back-off; doubles per attempt */
#define KC_RETRY_BACKOFF_MAX_MS 2000

typedef struct KcStash {
	Kassa__V1__Response *resp;	/* owned */
	struct KcStash *next;
} KcStash;

struct KassaClient {
	/* where to connect again: owned copies of the options */
	char *host;			/* owned */
	char *port;			/* owned */
	char *server_name;		/* owned */
	char *client_software;		/* owned */
	char *language;			/* owned: Hello.language, "" = server default */
	int connect_timeout_ms;
	int io_timeout_ms;
	bool want_hello;		/* kc_connect (true) or kc_connect_raw (false) */

	SSL_CTX *ctx;			/* owned reference */
	SSL *ssl;			/* owned; NULL when never connected */
	int fd;				/* owned; -1 when closed */
	bool connected;			/* no transport error since the last connect */
	SSL_SESSION *session;		/* owned: last resumable session, offered on reconnect */
	bool reused;			/* the last handshake resumed a session */

	Kassa__V1__Response *welcome;	/* owned: the Response carrying the Welcome */
	uint64_t next_id;		/* next request_id to hand out */

	uint8_t *rbuf;			/* owned read buffer */
	size_t rcap;			/* its size */
	size_t rpos;			/* start of unconsumed bytes */
	size_t rlen;			/* end of unconsumed bytes */

	KcStash *stash_head;		/* owned FIFO of responses set aside */
	KcStash *stash_tail;		/* borrowed: last element of the FIFO */

	int retry;			/* reconnect-and-resend attempts per call */
	int reconnects;			/* successful reconnects so far */

	bool logged_in;			/* a kc_login() succeeded: repeat it on reconnect */
	int64_t staff_id;
	char *pin;			/* owned; wiped before free */

	char err[KC_ERR_LEN];		/* last transport error */
};

/* ---- small helpers ---- */

void kc_seterr(KassaClient *kc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kc->err, sizeof(kc->err), fmt, ap);
	va_end(ap);
}

static void copy_err(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

static void sigpipe_ignore(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0;
		(void)sigaction(SIGPIPE, &sa, NULL);
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Milliseconds left until deadline (monotonic µs), at least 0. */
static int ms_left(int64_t deadline)
{
	int64_t left = deadline - now_usec();

	if (left <= 0)
		return 0;
	return (int)((left + 999) / 1000);
}

/*
 * Wait until fd is ready for events or deadline passes. True if ready;
 * false with errno = ETIMEDOUT on timeout, or the poll error.
 */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int r = poll(&p, 1, ms_left(deadline));

		if (r > 0)
			return true;
		if (r == 0) {
			errno = ETIMEDOUT;
			return false;
		}
		if (errno != EINTR)
			return false;
	}
}

/* Append the queued OpenSSL errors (or the errno text) to buf. */
static void ssl_reason(char *buf, size_t len, int saved_errno)
{
	buf[0] = '\0';
	tls_errors(buf, len);
	if (buf[0] == '\0')
		snprintf(buf, len, "%s", saved_errno ? strerror(saved_errno) : "connection closed");
}

static bool is_ip_literal(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1;
}

/* ---- connection set-up ---- */

/* Open a TCP connection to kc->host:kc->port (any address family). -1 + kc->err on failure. */
static int tcp_connect(KassaClient *kc, int64_t deadline)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, last_errno = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(kc->host, kc->port, &hints, &res);
	if (rc != 0) {
		kc_seterr(kc, "could not resolve %s:%s: %s", kc->host, kc->port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int one = 1, soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		/* requests are small and latency matters: no Nagle delay */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			break;
		last_errno = soerr ? soerr : errno;
		close(fd);
		fd = -1;
		if (ms_left(deadline) == 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		kc_seterr(kc, "could not connect to %s:%s: %s", kc->host, kc->port,
			  last_errno == ETIMEDOUT ? "timed out" : strerror(last_errno));
	return fd;
}

/* TLS handshake on kc->fd. False + kc->err ("tls: ...") on failure. */
static bool tls_handshake(KassaClient *kc, int64_t deadline)
{
	const char *name = kc->server_name != NULL ? kc->server_name : kc->host;
	char why[200];

	kc->ssl = SSL_new(kc->ctx);
	if (kc->ssl == NULL || !SSL_set_fd(kc->ssl, kc->fd)) {
		ssl_reason(why, sizeof(why), 0);
		kc_seterr(kc, "tls: could not create connection: %s", why);
		return false;
	}
	/* idle tills keep thousands of connections open: drop buffers between records */
	SSL_set_mode(kc->ssl, SSL_MODE_RELEASE_BUFFERS);
	if (is_ip_literal(name)) {
		if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(kc->ssl), name)) {
			kc_seterr(kc, "tls: bad server address %s", name);
			return false;
		}
	} else {
		(void)SSL_set_tlsext_host_name(kc->ssl, name);
		if (!SSL_set1_host(kc->ssl, name)) {
			kc_seterr(kc, "tls: bad server name %s", name);
			return false;
		}
	}
	if (!(SSL_get_verify_mode(kc->ssl) & SSL_VERIFY_PEER))
		SSL_set_verify(kc->ssl, SSL_VERIFY_PEER, SSL_get_verify_callback(kc->ssl));
	if (kc->session != NULL)
		(void)SSL_set_session(kc->ssl, kc->session);

	ERR_clear_error();
	for (;;) {
		int r = SSL_connect(kc->ssl), e;

		if (r == 1)
			break;
		e = SSL_get_error(kc->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(kc->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
				continue;
			kc_seterr(kc, "tls: handshake with %s:%s timed out", kc->host, kc->port);
			return false;
		}
		ssl_reason(why, sizeof(why), errno);
		if (SSL_get_verify_result(kc->ssl) != X509_V_OK)
			kc_seterr(kc, "tls: server certificate refused: %s",
				  X509_verify_cert_error_string(SSL_get_verify_result(kc->ssl)));
		else
			kc_seterr(kc, "tls: handshake with %s:%s failed: %s", kc->host, kc->port,
				  why);
		return false;
	}
	kc->reused = SSL_session_reused(kc->ssl) == 1;
	return true;
}

/* Remember the connection's session if it can be resumed. */
static void session_save(KassaClient *kc)
{
	SSL_SESSION *s;

	if (kc->ssl == NULL)
		return;
	s = SSL_get1_session(kc->ssl);
	if (s == NULL)
		return;
	if (!SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		return;
	}
	/*
	 * Keep a copy: SSL_free() of a connection that ended without
	 * close_notify (a dropped one, exactly when we reconnect) marks its
	 * session object not resumable.
	 */
	SSL_SESSION_free(kc->session);
	kc->session = SSL_SESSION_dup(s);
	SSL_SESSION_free(s);
}

/* Free the SSL object and the socket; keep everything else. */
static void conn_drop(KassaClient *kc, bool polite)
{
	KcStash *st;

	if (kc->ssl != NULL) {
		if (kc->connected)
			session_save(kc);
		if (polite && kc->connected)
			(void)SSL_shutdown(kc->ssl);	/* one close_notify, no wait */
		SSL_free(kc->ssl);
		kc->ssl = NULL;
	}
	if (kc->fd >= 0) {
		close(kc->fd);
		kc->fd = -1;
	}
	kc->connected = false;
	kc->rpos = kc->rlen = 0;
	while ((st = kc->stash_head) != NULL) {
		kc->stash_head = st->next;
		kassa__v1__response__free_unpacked(st->resp, NULL);
		free(st);
	}
	kc->stash_tail = NULL;
	kassa__v1__response__free_unpacked(kc->welcome, NULL);
	kc->welcome = NULL;
	ERR_clear_error();
}

/* A transport error: remember why and mark the connection dead. */
static KcResult conn_fail(KassaClient *kc, KcResult r)
{
	if (kc->connected && kc->ssl != NULL)
		session_save(kc);
	kc->connected = false;
	return r;
}

/*
 * With TLS 1.3 the client finishes its handshake before the server has
 * judged the client certificate; a refusal arrives as an alert just after.
 * If something has arrived already, read it now: once we write, the
 * server's close may turn into a reset that loses the alert, and with it
 * the reason.
 */
static bool check_early_alert(KassaClient *kc)
{
	struct pollfd p = { .fd = kc->fd, .events = POLLIN };
	char why[200], byte;
	int n, e;

	if (poll(&p, 1, 0) <= 0)
		return true;
	ERR_clear_error();
	errno = 0;
	n = SSL_peek(kc->ssl, &byte, 1);
	if (n > 0)
		return true;
	e = SSL_get_error(kc->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return true;	/* only session tickets so far */
	ssl_reason(why, sizeof(why), errno);
	kc_seterr(kc, "%s%s", e == SSL_ERROR_SSL ? "tls: refused: " : "connection closed: ", why);
	conn_fail(kc, KC_ERR_IO);
	return false;
}

/* Send Hello and check the Welcome; keeps it in kc->welcome. */
static bool do_hello(KassaClient *kc, int64_t deadline)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Hello hello = KASSA__V1__HELLO__INIT;
	Kassa__V1__Response *resp = NULL;
	int saved = kc->io_timeout_ms;
	uint64_t id;
	KcResult r;

	if (!check_early_alert(kc))
		return false;
	hello.protocol_version = KC_PROTOCOL_VERSION;
	hello.client_software = kc->client_software;
	hello.language = kc->language;
	req.body_case = KASSA__V1__REQUEST__BODY_HELLO;
	req.hello = &hello;
	/* the Hello's answer counts against the connect timeout, not the io timeout */
	kc->io_timeout_ms = ms_left(deadline);
	if (kc->io_timeout_ms == 0)
		kc->io_timeout_ms = 1;
	r = kc_send(kc, &req, &id);
	if (r == KC_OK)
		r = kc_recv_id(kc, id, &resp);
	kc->io_timeout_ms = saved;
	if (r != KC_OK) {
		/* a refused client certificate shows up here with TLS 1.3 */
		char msg[KC_ERR_LEN];

		if (strncmp(kc->err, "tls:", 4) != 0) {
			snprintf(msg, sizeof(msg), "%s", kc->err);
			kc_seterr(kc, "no welcome: %s", msg);
		}
		return false;
	}
	if (kc_status(resp) != KASSA__V1__STATUS_CODE__OK ||
	    resp->body_case != KASSA__V1__RESPONSE__BODY_WELCOME) {
		kc_seterr(kc, "hello refused: %s %s: %s", kc_status_name(kc_status(resp)),
			  kc_detail(resp), kc_message(resp));
		kassa__v1__response__free_unpacked(resp, NULL);
		conn_fail(kc, KC_ERR_IO);
		return false;
	}
	kc->welcome = resp;
	/* TLS 1.3 tickets came in before the Welcome: this session is resumable now */
	session_save(kc);
	return true;
}

/* Log in again with the remembered staff id and PIN (after a reconnect). */
static bool do_relogin(KassaClient *kc)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Login login = KASSA__V1__LOGIN__INIT;
	Kassa__V1__Response *resp = NULL;
	uint64_t id;
	KcResult r;

	login.staff_id = kc->staff_id;
	login.pin = kc->pin;
	req.body_case = KASSA__V1__REQUEST__BODY_LOGIN;
	req.login = &login;
	r = kc_send(kc, &req, &id);
	if (r == KC_OK)
		r = kc_recv_id(kc, id, &resp);
	if (r != KC_OK) {
		char msg[KC_ERR_LEN];

		snprintf(msg, sizeof(msg), "%s", kc->err);
		kc_seterr(kc, "login after reconnect: %s", msg);
		return false;
	}
	if (kc_status(resp) != KASSA__V1__STATUS_CODE__OK) {
		kc_seterr(kc, "login after reconnect refused: %s %s",
			  kc_status_name(kc_status(resp)), kc_detail(resp));
		kassa__v1__response__free_unpacked(resp, NULL);
		return false;
	}
	kassa__v1__response__free_unpacked(resp, NULL);
	return true;
}

/* TCP + TLS (+ Hello) with kc's settings. False + kc->err on failure. */
static bool conn_open(KassaClient *kc)
{
	int64_t deadline = now_usec() + (int64_t)kc->connect_timeout_ms * 1000;

	conn_drop(kc, true);
	kc->fd = tcp_connect(kc, deadline);
	if (kc->fd < 0)
		return false;
	if (!tls_handshake(kc, deadline)) {
		conn_drop(kc, false);
		return false;
	}
	kc->connected = true;
	if (kc->want_hello && !do_hello(kc, deadline)) {
		conn_drop(kc, false);
		return false;
	}
	return true;
}

SSL_CTX *kc_ctx_new(const char *cert, const char *key, const char *ca, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if (ca == NULL || *ca == '\0') {
		copy_err(err, errlen, "tls: a CA file is required");
		return NULL;
	}
	ctx = tls_client_ctx_new(cert, key, ca, err, errlen);
	if (ctx == NULL)
		return NULL;
	/* keep sessions ourselves (kc->session); the context's cache is not used */
	SSL_CTX_set_session_cache_mode(ctx,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	return ctx;
}

static KassaClient *connect_common(const KcOptions *opt, bool hello, char *err, size_t errlen)
{
	static const char default_sw[] = "kassa-client/" KASSA_VERSION;
	KassaClient *kc;

	sigpipe_ignore();
	kc = xcalloc(1, sizeof(*kc));
	kc->fd = -1;
	kc->next_id = 1;
	kc->want_hello = hello;
	kc->host = xstrdup(opt->host != NULL && *opt->host ? opt->host : "127.0.0.1");
	kc->port = xstrdup(opt->port != NULL && *opt->port ? opt->port : KC_DEFAULT_PORT);
	kc->server_name = opt->server_name != NULL ? xstrdup(opt->server_name) : NULL;
	kc->client_software = xstrdup(opt->client_software != NULL ? opt->client_software
						      : default_sw);
	kc->language = xstrdup(opt->language != NULL ? opt->language : "");
	kc->connect_timeout_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms
							     : KC_DEFAULT_CONNECT_TIMEOUT_MS;
	kc->io_timeout_ms = opt->io_timeout_ms > 0 ? opt->io_timeout_ms
						   : KC_DEFAULT_IO_TIMEOUT_MS;
	if (opt->ctx != NULL) {
		SSL_CTX_up_ref(opt->ctx);
		kc->ctx = opt->ctx;
	} else {
		kc->ctx = kc_ctx_new(opt->cert, opt->key, opt->ca, err, errlen);
		if (kc->ctx == NULL)
			goto fail;
	}
	if (!conn_open(kc)) {
		copy_err(err, errlen, kc->err);
		goto fail;
	}
	return kc;
fail:
	kc_free(kc);
	return NULL;
}

KassaClient *kc_connect(const KcOptions *opt, char *err, size_t errlen)
{
	return connect_common(opt, true, err, errlen);
}

KassaClient *kc_connect_raw(const KcOptions *opt, char *err, size_t errlen)
{
	return connect_common(opt, false, err, errlen);
}

bool kc_reconnect(KassaClient *kc, char *err, size_t errlen)
{
	if (!conn_open(kc))
		goto fail;
	if (kc->logged_in && !do_relogin(kc)) {
		conn_drop(kc, true);
		goto fail;
	}
	kc->reconnects++;
	return true;
fail:
	copy_err(err, errlen, kc->err);
	return false;
}

void kc_disconnect(KassaClient *kc)
{
	if (kc != NULL)
		conn_drop(kc, false);
}

void kc_free(KassaClient *kc)
{
	if (kc == NULL)
		return;
	conn_drop(kc, true);
	free(kc->rbuf);
	SSL_SESSION_free(kc->session);
	SSL_CTX_free(kc->ctx);
	if (kc->pin != NULL) {
		sodium_memzero(kc->pin, strlen(kc->pin));
		free(kc->pin);
	}
	free(kc->host);
	free(kc->port);
	free(kc->server_name);
	free(kc->client_software);
	free(kc->language);
	free(kc);
}

bool kc_is_connected(const KassaClient *kc)
{
	return kc->connected;
}

const Kassa__V1__Welcome *kc_welcome(const KassaClient *kc)
{
	return kc->welcome != NULL ? kc->welcome->welcome : NULL;
}

bool kc_session_reused(const KassaClient *kc)
{
	return kc->reused;
}

int kc_reconnects(const KassaClient *kc)
{
	return kc->reconnects;
}

void kc_set_retry(KassaClient *kc, int attempts)
{
	kc->retry = attempts > 0 ? attempts : 0;
}

const char *kc_last_error(const KassaClient *kc)
{
	return kc->err;
}

/* ---- raw I/O ---- */

SSL *kc_ssl(KassaClient *kc)
{
	return kc->connected ? kc->ssl : NULL;
}

int kc_fd(const KassaClient *kc)
{
	return kc->connected ? kc->fd : -1;
}

/* Write all of buf before deadline. */
static KcResult write_all(KassaClient *kc, const void *buf, size_t len, int64_t deadline)
{
	char why[200];

	if (!kc->connected) {
		kc_seterr(kc, "not connected");
		return KC_ERR_IO;
	}
	if (len == 0)
		return KC_OK;
	ERR_clear_error();
	for (;;) {
		/* the same buffer and length on every retry, as SSL_write requires */
		int n = SSL_write(kc->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len), e;

		if (n > 0) {
			buf = (const uint8_t *)buf + n;
			len -= (size_t)n;
			if (len == 0)
				return KC_OK;
			continue;
		}
		e = SSL_get_error(kc->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(kc->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
				continue;
			kc_seterr(kc, "write timed out");
			return conn_fail(kc, KC_ERR_TIMEOUT);
		}
		ssl_reason(why, sizeof(why), errno);
		kc_seterr(kc, "%swrite failed: %s", e == SSL_ERROR_SSL ? "tls: " : "", why);
		return conn_fail(kc, KC_ERR_IO);
	}
}

/*
 * Read what is there (at least one byte) into buf before deadline.
 * Returns the count, 0 on EOF, or a negative KcResult.
 */
static ssize_t read_some(KassaClient *kc, void *buf, size_t len, int64_t deadline)
{
	char why[200];

	if (!kc->connected) {
		kc_seterr(kc, "not connected");
		return KC_ERR_IO;
	}
	ERR_clear_error();
	for (;;) {
		int n, e;

		errno = 0;	/* SSL_ERROR_SYSCALL with errno 0 means EOF */
		n = SSL_read(kc->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);

		if (n > 0)
			return n;
		e = SSL_get_error(kc->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if (wait_fd(kc->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
				continue;
			kc_seterr(kc, "timed out waiting for the server");
			return conn_fail(kc, KC_ERR_TIMEOUT);
		}
		if (e == SSL_ERROR_ZERO_RETURN ||
		    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
			kc_seterr(kc, "connection closed by the server");
			conn_fail(kc, KC_ERR_IO);
			return 0;
		}
		if (e == SSL_ERROR_SSL &&
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			/* TCP closed without close_notify: an EOF all the same */
			kc_seterr(kc, "connection closed by the server");
			conn_fail(kc, KC_ERR_IO);
			return 0;
		}
		ssl_reason(why, sizeof(why), errno);
		kc_seterr(kc, "%sread failed: %s", e == SSL_ERROR_SSL ? "tls: " : "", why);
		return conn_fail(kc, KC_ERR_IO);
	}
}

bool kc_write_raw(KassaClient *kc, const void *buf, size_t len)
{
	int64_t deadline = now_usec() + (int64_t)kc->io_timeout_ms * 1000;

	return write_all(kc, buf, len, deadline) == KC_OK;
}

ssize_t kc_read_raw(KassaClient *kc, void *buf, size_t len, int timeout_ms)
{
	int64_t deadline;
	ssize_t n;

	if (timeout_ms < 0)
		timeout_ms = kc->io_timeout_ms;
	deadline = now_usec() + (int64_t)timeout_ms * 1000;
	/* bytes already buffered by frame reading come first */
	if (kc->rlen > kc->rpos) {
		size_t have = kc->rlen - kc->rpos;

		if (have > len)
			have = len;
		memcpy(buf, kc->rbuf + kc->rpos, have);
		kc->rpos += have;
		return (ssize_t)have;
	}
	n = read_some(kc, buf, len, deadline);
	return n < 0 ? -1 : n;
}

/* ---- frames ---- */

KcResult kc_send(KassaClient *kc, Kassa__V1__Request *req, uint64_t *id)
{
	int64_t deadline = now_usec() + (int64_t)kc->io_timeout_ms * 1000;
	size_t body;
	uint8_t *buf;
	KcResult r;

	if (req->request_id == 0)
		req->request_id = kc->next_id++;
	if (id != NULL)
		*id = req->request_id;
	body = kassa__v1__request__get_packed_size(req);
	if (body > UINT32_MAX - FRAME_HEADER_LEN) {
		kc_seterr(kc, "request too large (%zu bytes)", body);
		return KC_ERR_ARG;
	}
	/* header and body in one write: one TLS record, one TCP segment for small requests */
	buf = xmalloc(FRAME_HEADER_LEN + body);
	frame_put_header(buf, (uint32_t)body);
	(void)kassa__v1__request__pack(req, buf + FRAME_HEADER_LEN);
	r = write_all(kc, buf, FRAME_HEADER_LEN + body, deadline);
	free(buf);
	return r;
}

/* Make room for want unconsumed bytes in rbuf. */
static void rbuf_reserve(KassaClient *kc, size_t want)
{
	size_t have = kc->rlen - kc->rpos;

	if (kc->rpos > 0 && (kc->rcap - kc->rlen < want - have || have == 0)) {
		memmove(kc->rbuf, kc->rbuf + kc->rpos, have);
		kc->rpos = 0;
		kc->rlen = have;
	}
	if (kc->rcap < want) {
		size_t ncap = kc->rcap ? kc->rcap : KC_RBUF_MIN;

		while (ncap < want)
			ncap *= 2;
		kc->rbuf = xrealloc(kc->rbuf, ncap);
		kc->rcap = ncap;
	}
}

/* Read and unpack one response frame. */
static KcResult read_frame(KassaClient *kc, Kassa__V1__Response **resp, int64_t deadline)
{
	for (;;) {
		size_t avail = kc->rlen - kc->rpos;
		uint32_t len = 0;
		FrameStatus fs = FRAME_NEED_MORE;
		size_t want;
		ssize_t n;

		if (avail >= FRAME_HEADER_LEN)
			fs = frame_decode(kc->rbuf + kc->rpos, avail, KC_MAX_RESPONSE, &len);
		if (fs == FRAME_READY) {
			*resp = kassa__v1__response__unpack(NULL, len,
							    kc->rbuf + kc->rpos + FRAME_HEADER_LEN);
			kc->rpos += FRAME_HEADER_LEN + (size_t)len;
			if (kc->rpos == kc->rlen)
				kc->rpos = kc->rlen = 0;
			if (*resp == NULL) {
				kc_seterr(kc, "could not decode a response of %u bytes", len);
				return conn_fail(kc, KC_ERR_PROTO);
			}
			return KC_OK;
		}
		if (fs == FRAME_TOO_LARGE || fs == FRAME_EMPTY) {
			kc_seterr(kc, "bad response frame length %u", len);
			return conn_fail(kc, KC_ERR_PROTO);
		}
		want = avail < FRAME_HEADER_LEN ? KC_RBUF_MIN : FRAME_HEADER_LEN + (size_t)len;
		if (want < KC_RBUF_MIN)
			want = KC_RBUF_MIN;
		rbuf_reserve(kc, want);
		n = read_some(kc, kc->rbuf + kc->rlen, kc->rcap - kc->rlen, deadline);
		if (n == 0)
			return KC_ERR_IO;
		if (n < 0)
			return (KcResult)n;
		kc->rlen += (size_t)n;
	}
}

KcResult kc_recv(KassaClient *kc, Kassa__V1__Response **resp)
{
	int64_t deadline = now_usec() + (int64_t)kc->io_timeout_ms * 1000;
	KcStash *st = kc->stash_head;

	*resp = NULL;
	if (st != NULL) {
		kc->stash_head = st->next;
		if (kc->stash_head == NULL)
			kc->stash_tail = NULL;
		*resp = st->resp;
		free(st);
		return KC_OK;
	}
	return read_frame(kc, resp, deadline);
}

KcResult kc_recv_id(KassaClient *kc, uint64_t id, Kassa__V1__Response **resp)
{
	int64_t deadline = now_usec() + (int64_t)kc->io_timeout_ms * 1000;
	KcStash **pp, *st;

	*resp = NULL;
	for (pp = &kc->stash_head; (st = *pp) != NULL; pp = &st->next) {
		if (st->resp->request_id != id)
			continue;
		*pp = st->next;
		if (kc->stash_tail == st) {
			kc->stash_tail = NULL;
			for (KcStash *t = kc->stash_head; t != NULL; t = t->next)
				kc->stash_tail = t;
		}
		*resp = st->resp;
		free(st);
		return KC_OK;
	}
	for (;;) {
		Kassa__V1__Response *r = NULL;
		KcResult rc = read_frame(kc, &r, deadline);

		if (rc != KC_OK)
			return rc;
		if (r->request_id == id) {
			*resp = r;
			return KC_OK;
		}
		st = xmalloc(sizeof(*st));
		st->resp = r;
		st->next = NULL;
		if (kc->stash_tail != NULL)
			kc->stash_tail->next = st;
		else
			kc->stash_head = st;
		kc->stash_tail = st;
	}
}

KcResult kc_call(KassaClient *kc, Kassa__V1__Request *req, Kassa__V1__Response **resp)
{
	uint64_t given_id = req->request_id, id;
	int attempt, backoff = KC_RETRY_BACKOFF_MS;
	KcResult r;

	*resp = NULL;
	for (attempt = 0;; attempt++) {
		if (attempt > 0) {
			/* a resend takes a fresh id unless the caller chose one */
			req->request_id = given_id;
			sleep_ms(backoff);
			backoff = backoff * 2 > KC_RETRY_BACKOFF_MAX_MS ? KC_RETRY_BACKOFF_MAX_MS
									: backoff * 2;
		}
		if (!kc->connected) {
			if (attempt == 0 && kc->retry == 0) {
				kc_seterr(kc, "not connected");
				return KC_ERR_IO;
			}
			if (!kc_reconnect(kc, NULL, 0)) {
				r = KC_ERR_IO;
				goto again;
			}
		}
		r = kc_send(kc, req, &id);
		if (r == KC_OK)
			r = kc_recv_id(kc, id, resp);
		if (r == KC_OK && kc_status(*resp) != KASSA__V1__STATUS_CODE__UNAVAILABLE)
			return KC_OK;
		if (r == KC_ERR_ARG || r == KC_ERR_PROTO)
			return r;
again:
		if (attempt >= kc->retry)
			return r;
		if (r == KC_OK) {
			kassa__v1__response__free_unpacked(*resp, NULL);
			*resp = NULL;
		}
	}
}

void kc_response_free(Kassa__V1__Response *resp)
{
	kassa__v1__response__free_unpacked(resp, NULL);
}

Kassa__V1__StatusCode kc_status(const Kassa__V1__Response *resp)
{
	if (resp == NULL || resp->status == NULL)
		return KASSA__V1__STATUS_CODE__OK;
	return resp->status->code;
}

const char *kc_detail(const Kassa__V1__Response *resp)
{
	if (resp == NULL || resp->status == NULL || resp->status->detail == NULL)
		return "";
	return resp->status->detail;
}

const char *kc_message(const Kassa__V1__Response *resp)
{
	if (resp == NULL || resp->status == NULL || resp->status->message == NULL)
		return "";
	return resp->status->message;
}

const char *kc_status_name(Kassa__V1__StatusCode code)
{
	const ProtobufCEnumValue *v;

	v = protobuf_c_enum_descriptor_get_value(&kassa__v1__status_code__descriptor, (int)code);

	return v != NULL ? v->name : "UNKNOWN_STATUS";
}

const char *kc_result_name(KcResult r)
{
	switch (r) {
	case KC_OK:
		return "OK";
	case KC_ERR_IO:
		return "IO_ERROR";
	case KC_ERR_TIMEOUT:
		return "TIMEOUT";
	case KC_ERR_PROTO:
		return "PROTOCOL_ERROR";
	case KC_ERR_ARG:
		return "BAD_REQUEST";
	}
	return "UNKNOWN_ERROR";
}

void kc_new_key(char key[KC_KEY_LEN])
{
	uuid_random(key);
}

/* ---- staff login: part of the connection, repeated after a reconnect ---- */

KcResult kc_login(KassaClient *kc, int64_t staff_id, const char *pin, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Login login = KASSA__V1__LOGIN__INIT;
	KcResult r;

	login.staff_id = staff_id;
	login.pin = (char *)pin;
	req.body_case = KASSA__V1__REQUEST__BODY_LOGIN;
	req.login = &login;
	r = kc_call(kc, &req, resp);
	if (r != KC_OK)
		return r;
	/*
	 * Any answer ends the earlier login (the server logs the connection out
	 * when a Login fails): forget its PIN, so that a reconnect does not log
	 * the earlier staff member in again.
	 */
	if (kc->pin != NULL) {
		sodium_memzero(kc->pin, strlen(kc->pin));
		free(kc->pin);
		kc->pin = NULL;
	}
	kc->staff_id = 0;
	kc->logged_in = false;
	if (kc_status(*resp) == KASSA__V1__STATUS_CODE__OK) {
		kc->pin = xstrdup(pin);
		kc->staff_id = staff_id;
		kc->logged_in = true;
	}
	return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c: one till connection. A Session owns a TLS bufferevent; its read
 * callback cuts the input into frames (frame.c), unpacks each into a
 * Request, checks that it packs back to the frame's length (so that its
 * strings are exactly what the wire carried: protobuf-c cuts them at a NUL)
 * and that every string in it is valid UTF-8, wraps it in a Call and hands
 * it to dispatch. Responses are written by call.c.
 *
 * Back-pressure: reading stops while cf_max_in_flight Calls are running,
 * and while a "barrier" request (Hello, Login) is in flight, because the
 * requests after it depend on its outcome. The input buffer's high
 * watermark is one maximal frame, so a till can never make kassad buffer
 * more than that.
 *
 * Closing is deferred (PgBouncer's justfree, Redis' freeClientAsync):
 * session_close() frees the bufferevent, orphans the Calls still running
 * and puts the Session on a dead list that a zero-delay reaper event frees
 * after the current callback has returned.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "frame.h"
#include "log.h"
#include "metrics.h"
#include "pbcheck.h"
#include "core.h"
#include "ratelimit.h"
#include "tls.h"

/*
 * Output back-pressure: a till that sends requests but does not read the
 * answers would otherwise make kassad buffer them without limit. Reading
 * stops while more than SESSION_OUT_MAX is waiting to go out and starts
 * again once it has drained below half of that.
 */
#define SESSION_OUT_MAX ((size_t)4 * ((size_t)cf_max_frame + FRAME_HEADER_LEN))
#define SESSION_CLOSE_FLUSH_S 5		/* a final answer gets this long to go out */

static Session *live;			/* all sessions not yet closed */
static Session *dead;			/* closed, waiting for the reaper */
static int nlive;
static int ncalls_orphaned;		/* Calls whose session has gone */
static uint64_t next_id = 1;
static struct event *reaper_ev;

static void session_read_cb(struct bufferevent *bev, void *arg);
static void session_write_cb(struct bufferevent *bev, void *arg);
static void session_event_cb(struct bufferevent *bev, short what, void *arg);

const Session *session_first(void)
{
	return live;
}

int session_count(void)
{
	return nlive;
}

int session_calls_running(void)
{
	int n = ncalls_orphaned;

	for (Session *s = live; s; s = s->next)
		n += s->in_flight;
	return n;
}

void session_orphan_done(void)
{
	ncalls_orphaned--;
}

static void reaper_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	session_reap();
}

void session_reap(void)
{
	while (dead) {
		Session *s = dead;

		dead = s->next;
		free(s);
	}
}

static void timer_arm(Session *s, int seconds)
{
	struct timeval tv = { seconds, 0 };

	if (seconds <= 0)
		evtimer_del(s->timer);
	else if (evtimer_add(s->timer, &tv) != 0)
		session_close(s, "could not arm its timer");	/* untimed is unbounded */
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	Session *s = arg;

	(void)fd;
	(void)what;
	if (s->state == SESS_CLOSING)
		session_close(s, "final answer not read within %d s", SESSION_CLOSE_FLUSH_S);
	else if (s->state < SESS_READY) {
		if (s->state == SESS_HANDSHAKE)
			metrics_tls_handshake(METRICS_TLS_TIMEOUT);
		session_close(s, "handshake or Hello not done within %d s", cf_handshake_timeout);
	} else if (s->mid_frame)
		session_close(s, "a frame stalled: not complete within %d s", cf_frame_timeout);
	else if (s->in_flight == 0)
		session_close(s, "idle for %d s", cf_idle_timeout);
	else
		timer_arm(s, cf_idle_timeout);
}

void session_accept(int fd, const struct sockaddr *addr, int addrlen)
{
	SSL *ssl;
	struct bufferevent *bev;
	Session *s;
	int one = 1;

	(void)addrlen;
	if (!ratelimit_connection(addr, now_usec())) {	/* before any TLS work */
		evutil_closesocket(fd);
		return;
	}
	ssl = SSL_new(g_ssl_ctx);
	if (ssl == NULL) {
		log_error("could not create TLS state for a connection");
		evutil_closesocket(fd);
		return;
	}
	/*
	 * OpenSSL 3 reports a peer that drops TCP without close_notify as an
	 * error that libevent 2.1 does not know; tills do that when unplugged,
	 * and it is an ordinary disconnect for us.
	 */
	SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* On failure libevent has already freed ssl (see STYLE.md 11.3). */
	bev = bufferevent_openssl_socket_new(g_base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) {
		log_error("could not create a TLS bufferevent");
		evutil_closesocket(fd);
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
		log_info("could not set TCP_NODELAY on a new connection: %m");
		bufferevent_free(bev);	/* closes fd */
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);

	s = xcalloc(1, sizeof(*s));
	s->id = next_id++;
	s->bev = bev;
	s->state = SESS_HANDSHAKE;
	s->connected_at = (int64_t)time(NULL);
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(s->peer, sizeof(s->peer), "%s:%u", ip, ntohs(in->sin_port));
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(s->peer, sizeof(s->peer), "[%s]:%u", ip, ntohs(in6->sin6_port));
	}
	s->timer = evtimer_new(g_base, timer_cb, s);
	if (reaper_ev == NULL)
		reaper_ev = event_new(g_base, -1, 0, reaper_cb, NULL);
	if (s->timer == NULL || reaper_ev == NULL) {
		log_error("could not allocate session events");
		bufferevent_free(bev);
		if (s->timer)
			event_free(s->timer);
		free(s);
		return;
	}
	s->next = live;
	if (live)
		live->prev = s;
	live = s;
	nlive++;

	bufferevent_setcb(bev, session_read_cb, session_write_cb, session_event_cb, s);
	bufferevent_setwatermark(bev, EV_READ, 0, (size_t)cf_max_frame + FRAME_HEADER_LEN);
	bufferevent_setwatermark(bev, EV_WRITE, SESSION_OUT_MAX / 2, 0);
	if (bufferevent_enable(bev, EV_READ | EV_WRITE) != 0) {
		session_close(s, "could not watch the connection");
		return;
	}
	timer_arm(s, cf_handshake_timeout);
	log_debug("session %" PRIu64 ": connection from %s", s->id, s->peer);
}

void session_close(Session *s, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	if (s->state == SESS_DEAD)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (s->state >= SESS_READY)
		log_info("session %" PRIu64 " (%s %s): closed: %s", s->id, s->till_code, s->peer,
			 reason);
	else
		log_info("session %" PRIu64 " (%s): closed: %s", s->id, s->peer, reason);

	/* orphan running Calls: their callbacks will only free them */
	for (Call *c = s->calls; c; c = c->next) {
		c->sess = NULL;
		ncalls_orphaned++;
	}
	s->calls = NULL;
	s->in_flight = 0;

	bufferevent_free(s->bev);
	s->bev = NULL;
	event_free(s->timer);
	s->timer = NULL;
	s->state = SESS_DEAD;

	if (s->prev)
		s->prev->next = s->next;
	else
		live = s->next;
	if (s->next)
		s->next->prev = s->prev;
	nlive--;
	s->prev = NULL;
	s->next = dead;
	dead = s;
	event_active(reaper_ev, EV_TIMEOUT, 0);
}

void session_close_all(const char *reason)
{
	while (live)
		session_close(live, "%s", reason);
}

void session_close_all_after_write(const char *reason)
{
	Session *s = live, *next;

	for (; s != NULL; s = next) {
		next = s->next;	/* session_close_after_write() may unlink s */
		session_close_after_write(s, reason);
	}
}

int session_close_revoked(SSL_CTX *ctx)
{
	Session *s = live, *next;
	char why[SESSION_CODE_MAX + 64];
	int n = 0;

	for (; s != NULL; s = next) {
		next = s->next;	/* session_close_after_write() may unlink s */
		if (s->state != SESS_HELLO && s->state != SESS_READY)
			continue;	/* handshaking ones are checked when it ends */
		if (!tls_peer_is_revoked(bufferevent_openssl_get_ssl(s->bev), ctx))
			continue;
		snprintf(why, sizeof(why), "the certificate of %s is revoked by the reloaded CRL",
			 s->till_code);
		session_close_after_write(s, why);	/* logs the closing */
		n++;
	}
	return n;
}

static void close_when_flushed_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	session_close(arg, "%s", "closed after final response");
}

void session_close_after_write(Session *s, const char *reason)
{
	if (s->state == SESS_DEAD || s->state == SESS_CLOSING)
		return;
	log_info("session %" PRIu64 " (%s): closing: %s", s->id, s->peer, reason);
	s->state = SESS_CLOSING;
	bufferevent_disable(s->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0) {
		session_close(s, "%s", reason);
		return;
	}
	bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
	bufferevent_setcb(s->bev, NULL, close_when_flushed_cb, session_event_cb, s);
	timer_arm(s, SESSION_CLOSE_FLUSH_S);	/* a till that never reads must not hold on */
}

/*
 * Answer a frame we could not turn into a Call (no request id known).
 * message is a msgid (N_()): the till gets it in the session's language,
 * the log the English.
 */
static void session_refuse(Session *s, uint64_t request_id, Kassa__V1__StatusCode code,
			   const char *detail, const char *message, bool then_close)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Status st = KASSA__V1__STATUS__INIT;
	uint8_t hdr[FRAME_HEADER_LEN];
	uint8_t buf[512];
	size_t n;

	st.code = code;
	st.detail = (char *)detail;
	st.message = (char *)session_text(s, message);
	resp.request_id = request_id;
	resp.status = &st;
	n = kassa__v1__response__get_packed_size(&resp);
	if (n <= sizeof(buf)) {
		kassa__v1__response__pack(&resp, buf);
		frame_put_header(hdr, (uint32_t)n);
		if (bufferevent_write(s->bev, hdr, sizeof(hdr)) != 0 ||
		    bufferevent_write(s->bev, buf, n) != 0) {
			session_close(s, "could not queue an answer");
			return;
		}
	}
	if (then_close)
		session_close_after_write(s, message);
}

static bool session_is_barrier(const Kassa__V1__Request *req)
{
	return req->body_case == KASSA__V1__REQUEST__BODY_HELLO ||
	       req->body_case == KASSA__V1__REQUEST__BODY_LOGIN;
}

static bool session_output_full(Session *s)
{
	return evbuffer_get_length(bufferevent_get_output(s->bev)) > SESSION_OUT_MAX;
}

/* The output drained below the low watermark: answers are being read again. */
static void session_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	session_resume(arg);
}

void session_resume(Session *s)
{
	if (!s->read_paused || s->state == SESS_DEAD || s->state == SESS_CLOSING)
		return;
	for (Call *c = s->calls; c; c = c->next)
		if (session_is_barrier(c->req))
			return;
	if (s->in_flight >= cf_max_in_flight || session_output_full(s))
		return;
	s->read_paused = false;
	if (bufferevent_enable(s->bev, EV_READ) != 0) {
		session_close(s, "could not resume reading");
		return;
	}
	/* frames already buffered would not wake the read callback by themselves */
	bufferevent_trigger(s->bev, EV_READ, BEV_OPT_DEFER_CALLBACKS);
}

static void session_pause(Session *s)
{
	s->read_paused = true;
	bufferevent_disable(s->bev, EV_READ);
}

/* Turn one frame body into a Call and dispatch it. */
static void session_handle_frame(Session *s, const uint8_t *data, uint32_t len)
{
	Kassa__V1__Request *req = kassa__v1__request__unpack(NULL, len, data);
	const char *bad_field;

	if (req == NULL) {
		log_info("session %" PRIu64 ": undecodable request of %u bytes", s->id, len);
		session_refuse(s, 0, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "MALFORMED_MESSAGE",
			       N_("the frame does not hold a valid Request"), false);
		return;
	}
	if (!pbcheck_is_exact(&req->base, len)) {
		/* a NUL inside a string, or an encoding that is not canonical */
		log_ctx_msg(LOG_LVL_INFO, &(LogCtx){ s->till_code, req->request_id, s->staff_id },
			    "session %" PRIu64 ": request of %u bytes packs to %zu: refused", s->id,
			    len, protobuf_c_message_get_packed_size(&req->base));
		session_refuse(s, req->request_id, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
			       "MALFORMED_REQUEST", N_("the request is not what its bytes say: a "
			       "string holds a NUL byte, or a field is repeated or not in "
			       "protobuf's shortest encoding"), false);
		kassa__v1__request__free_unpacked(req, NULL);
		return;
	}
	bad_field = pbcheck_utf8(&req->base);
	if (bad_field) {
		char msg[160];

		snprintf(msg, sizeof(msg), session_text(s, N_("field %s is not valid UTF-8")),
			 bad_field);
		session_refuse(s, req->request_id, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
			       "INVALID_UTF8", msg, false);
		kassa__v1__request__free_unpacked(req, NULL);
		return;
	}

	Call *c = xcalloc(1, sizeof(*c));

	c->sess = s;
	c->req = req;
	c->staff_id = s->staff_id;
	c->role = s->role;
	c->locale = s->locale;
	c->started_us = now_usec();
	s->requests++;
	c->next = s->calls;
	if (s->calls)
		s->calls->prev = c;
	s->calls = c;
	s->in_flight++;
	if (session_is_barrier(req) || s->in_flight >= cf_max_in_flight || session_output_full(s))
		session_pause(s);
	dispatch_call(c);
}

/*
 * After reading: a till that stops halfway through a frame is given
 * cf_frame_timeout to finish it (else it would hold a buffer forever);
 * otherwise the idle timeout (if any) runs from now. A paused session is
 * not timed: the wait is ours, not the till's.
 */
static void session_rearm(Session *s, struct evbuffer *in)
{
	bool partial;

	if (s->state != SESS_READY)
		return;	/* before Hello the handshake timer runs */
	partial = !s->read_paused && evbuffer_get_length(in) > 0;
	if (partial && !s->mid_frame)
		timer_arm(s, cf_frame_timeout);
	else if (!partial)
		timer_arm(s, cf_idle_timeout);
	s->mid_frame = partial;
}

static void session_read_cb(struct bufferevent *bev, void *arg)
{
	Session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (s->state != SESS_DEAD && s->state != SESS_CLOSING && !s->read_paused) {
		uint8_t hdr[FRAME_HEADER_LEN];
		size_t avail = evbuffer_get_length(in);
		uint32_t len = 0;
		FrameStatus fs;

		if (avail < FRAME_HEADER_LEN)
			break;
		if (session_output_full(s)) {
			session_pause(s);	/* the till is not reading its answers */
			break;
		}
		evbuffer_copyout(in, hdr, sizeof(hdr));
		fs = frame_decode(hdr, sizeof(hdr), (uint32_t)cf_max_frame, &len);
		if (fs == FRAME_TOO_LARGE || fs == FRAME_EMPTY) {
			char msg[96];

			snprintf(msg, sizeof(msg), fs == FRAME_EMPTY ? "empty frame" :
				 "frame too large: %u bytes, maximum %d", len, cf_max_frame);
			session_refuse(s, 0, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
				       fs == FRAME_EMPTY ? "EMPTY_FRAME" : "FRAME_TOO_LARGE", msg, true);
			break;
		}
		if (avail < FRAME_HEADER_LEN + (size_t)len)
			break;	/* wait for the rest; the watermark bounds it */
		const uint8_t *data = evbuffer_pullup(in, FRAME_HEADER_LEN + (ev_ssize_t)len);

		if (data == NULL) {
			session_close(s, "could not assemble a frame of %u bytes", len);
			break;
		}
		session_handle_frame(s, data + FRAME_HEADER_LEN, len);
		/* unpack copied everything it keeps, so the bytes can go now */
		if (s->state != SESS_DEAD)
			evbuffer_drain(in, FRAME_HEADER_LEN + (size_t)len);
	}
	session_rearm(s, in);
}

static void session_tls_errors(char *buf, size_t len)
{
	unsigned long e;
	size_t used = 0;

	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0 && used + 2 < len) {
		char one[160];

		ERR_error_string_n(e, one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "; " : "", one);
	}
}

static void session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	Session *s = arg;

	if (what & BEV_EVENT_CONNECTED) {
		if (!tls_peer_cn(bufferevent_openssl_get_ssl(bev), s->till_code,
				 sizeof(s->till_code))) {
			metrics_tls_handshake(METRICS_TLS_FAILED);
			session_close(s, "client certificate without a usable CN");
			return;
		}
		/*
		 * A handshake begun before a reload verified against the old
		 * context's CRL: check the one in use now too.
		 */
		if (SSL_get_SSL_CTX(bufferevent_openssl_get_ssl(bev)) != g_ssl_ctx &&
		    tls_peer_is_revoked(bufferevent_openssl_get_ssl(bev), g_ssl_ctx)) {
			metrics_tls_handshake(METRICS_TLS_FAILED);
			session_close(s, "certificate revoked by the reloaded CRL");
			return;
		}
		metrics_tls_handshake(METRICS_TLS_OK);
		s->state = SESS_HELLO;
		log_debug("session %" PRIu64 ": TLS up for %s", s->id, s->till_code);
		return;
	}
	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) && s->state == SESS_HANDSHAKE)
		metrics_tls_handshake(METRICS_TLS_FAILED);
	if (what & BEV_EVENT_EOF) {
		session_close(s, "client disconnected");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		char errs[512];
		unsigned long e = bufferevent_get_openssl_error(bev);

		if (e) {
			ERR_error_string_n(e, errs, sizeof(errs));
		} else {
			session_tls_errors(errs, sizeof(errs));
			if (errs[0] == '\0')
				snprintf(errs, sizeof(errs), "%s",
					 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		}
		session_close(s, "%s: %s", s->state == SESS_HANDSHAKE ? "TLS handshake failed" :
			      "connection error", errs);
		return;
	}
}

void session_ready(Session *s)
{
	s->state = SESS_READY;
	timer_arm(s, cf_idle_timeout);
}

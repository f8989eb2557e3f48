/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_transport: one blocking connection to kassad, the part of the client
 * library under every request (kassa_client.h is the header programs
 * include; it brings this one and the request families).
 *
 * A KassaClient is one blocking connection: TCP (IPv4 or IPv6, resolved
 * with getaddrinfo) + mutual TLS on a plain socket, with every wait bounded
 * by poll() timeouts. kc_connect() also sends Hello and keeps the Welcome.
 * Requests are framed (4-byte big-endian length + packed Request) and
 * answered by Responses carrying the same request_id; kc_send()/kc_recv()
 * allow pipelining, kc_call() is send-and-wait.
 *
 * Ownership: every Response handed out belongs to the caller, who frees it
 * with kc_response_free() (= kassa__v1__response__free_unpacked). Requests
 * passed in are borrowed. A KassaClient is not thread-safe: use one per
 * thread (several may share one SSL_CTX from kc_ctx_new()).
 *
 * Reconnection: kc_reconnect() opens a fresh connection to the same
 * server, offering the TLS session of the previous one (the server keeps a
 * session cache, and resumption skips the costly certificate handshake),
 * repeats Hello and, if kc_login() succeeded before, the staff Login.
 * kc_set_retry() makes every request reconnect and resend itself (same
 * request, so the same idempotency key) when the connection drops.
 *
 * SIGPIPE: writing to a socket the server closed raises SIGPIPE. The first
 * kc_connect*() sets SIGPIPE to SIG_IGN if it is still SIG_DFL, so a lost
 * connection is an error return, not the death of the process.
 */
#ifndef KASSA_KC_TRANSPORT_H
#define KASSA_KC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "kassa.pb-c.h"
#include "util.h"

#define KC_PROTOCOL_VERSION 1
#define KC_DEFAULT_PORT "7443"
#define KC_DEFAULT_CONNECT_TIMEOUT_MS 10000	/* TCP connect + TLS + Hello */
#define KC_DEFAULT_IO_TIMEOUT_MS 30000		/* waiting for one response */
#define KC_MAX_RESPONSE (16u * 1024u * 1024u)	/* largest response frame accepted */
#define KC_ERR_LEN 256				/* a comfortable err buffer size */
#define KC_KEY_LEN 37				/* idempotency key buffer (UUID + NUL) */

/* How to reach the server. All strings are borrowed for the call only. */
typedef struct KcOptions {
	const char *host;		/* name or address; NULL = "127.0.0.1" */
	const char *port;		/* service or number; NULL = KC_DEFAULT_PORT */
	const char *cert;		/* client certificate (PEM); NULL = none (tests only) */
	const char *key;		/* its private key (PEM) */
	const char *ca;			/* the Kassa CA (PEM) the server must chain to */
	const char *server_name;	/* name to verify in the server certificate; NULL = host */
	SSL_CTX *ctx;			/* borrowed: context from kc_ctx_new(); NULL = build one */
	int connect_timeout_ms;		/* 0 = KC_DEFAULT_CONNECT_TIMEOUT_MS */
	int io_timeout_ms;		/* 0 = KC_DEFAULT_IO_TIMEOUT_MS */
	const char *client_software;	/* Hello.client_software; NULL = "kassa-client/VERSION" */
	const char *language;		/* Hello.language ("zh_CN", "en"); NULL = server default */
} KcOptions;

/* What a transport-level call did. The server's verdict is in the Response. */
typedef enum KcResult {
	KC_OK = 0,		/* a response arrived; look at its status */
	KC_ERR_IO = -1,		/* connection failed or closed (also TLS errors) */
	KC_ERR_TIMEOUT = -2,	/* no response within io_timeout_ms; connection dropped */
	KC_ERR_PROTO = -3,	/* the server sent something undecodable; connection dropped */
	KC_ERR_ARG = -4,	/* the request could not be built or packed (too large) */
} KcResult;

typedef struct KassaClient KassaClient;

/* ---- connections ---- */

/*
 * Build a client TLS context (tls_client_ctx_new()) that several
 * KassaClients may share, e.g. the bench's threads. ca is required; cert
 * and key may be NULL only for tests showing that the server refuses a
 * client without a certificate. Free it with
 * SSL_CTX_free() after the last client using it is freed (clients hold a
 * reference, so earlier is fine too). NULL + reason in err on failure.
 */
SSL_CTX *kc_ctx_new(const char *cert, const char *key, const char *ca, char *err, size_t errlen);

/*
 * Connect, do the TLS handshake, send Hello and check the Welcome (its
 * status must be OK). The Welcome is kept: see kc_welcome(). NULL + reason
 * in err (never NULL) on failure; err says "tls:" for a refused handshake.
 */
KassaClient *kc_connect(const KcOptions *opt, char *err, size_t errlen);

/*
 * Connect and do the TLS handshake only (no Hello). For tests that send
 * garbage or an early request: use kc_write_raw()/kc_read_raw(), or
 * kc_call() to see how the server treats a request before Hello.
 */
KassaClient *kc_connect_raw(const KcOptions *opt, char *err, size_t errlen);

/*
 * Drop the current connection (if any) and connect again with the options
 * kc_connect() got, offering the last TLS session for resumption; send
 * Hello, and Login again if a kc_login() had succeeded (the staff session
 * is bound to the connection). Responses still pending on the old
 * connection are lost. False + reason in err on failure; kc may be retried.
 */
MUSTCHECK bool kc_reconnect(KassaClient *kc, char *err, size_t errlen);

/* Close the connection (TLS close_notify, best effort) and free kc. NULL is a no-op. */
void kc_free(KassaClient *kc);

/* Close the connection abruptly (no close_notify) but keep kc for kc_reconnect(). */
void kc_disconnect(KassaClient *kc);

/* Is kc connected (no I/O error seen since the last (re)connect)? */
bool kc_is_connected(const KassaClient *kc);

/*
 * The Welcome of the current connection (borrowed; valid until the next
 * reconnect or kc_free), NULL after kc_connect_raw().
 */
const Kassa__V1__Welcome *kc_welcome(const KassaClient *kc);

/* Did the last handshake resume a TLS session? */
bool kc_session_reused(const KassaClient *kc);

/* How many successful kc_reconnect()s (explicit or by retry) kc has made. */
int kc_reconnects(const KassaClient *kc);

/*
 * Make each request reconnect and resend itself up to attempts times when
 * the connection drops, times out, or the server answers UNAVAILABLE
 * (after a short back-off). The resent request is the same, with the same
 * idempotency key, so the server applies it at most once. 0 (default) =
 * never retry.
 */
void kc_set_retry(KassaClient *kc, int attempts);

/* The last transport error as text ("" if none); borrowed. */
const char *kc_last_error(const KassaClient *kc);

/* ---- raw access, for tests that misbehave on purpose ---- */

/* The SSL object of the connection (borrowed), NULL if not connected. */
SSL *kc_ssl(KassaClient *kc);
/* The socket, -1 if not connected. */
int kc_fd(const KassaClient *kc);
/* Write all len bytes through TLS. False on error or timeout. */
MUSTCHECK bool kc_write_raw(KassaClient *kc, const void *buf, size_t len);
/*
 * Read up to len bytes through TLS, waiting at most timeout_ms (< 0 = the
 * io timeout). Returns the count, 0 on orderly or unclean close by the
 * peer, -1 on error or timeout (kc_last_error says which).
 */
ssize_t kc_read_raw(KassaClient *kc, void *buf, size_t len, int timeout_ms);

/* ---- requests ---- */

/*
 * Send req without waiting. If req->request_id is 0 it is set to the next
 * id of this connection (req is modified). *id (may be NULL) gets the id.
 */
KcResult kc_send(KassaClient *kc, Kassa__V1__Request *req, uint64_t *id);

/*
 * Wait for the next response, whatever its id (responses set aside by
 * kc_recv_id() come first). *resp is the caller's.
 */
KcResult kc_recv(KassaClient *kc, Kassa__V1__Response **resp);

/* Wait for the response with request id id; others are set aside for kc_recv(). */
KcResult kc_recv_id(KassaClient *kc, uint64_t id, Kassa__V1__Response **resp);

/*
 * Send req and wait for its response, with the retry policy of
 * kc_set_retry(). On KC_OK, *resp is the caller's; otherwise *resp = NULL.
 */
KcResult kc_call(KassaClient *kc, Kassa__V1__Request *req, Kassa__V1__Response **resp);

/* Free a response (NULL is fine). */
void kc_response_free(Kassa__V1__Response *resp);

/* The status code of a response (a missing status means OK). */
Kassa__V1__StatusCode kc_status(const Kassa__V1__Response *resp);
/* Its detail ("" if none) and message ("" if none); borrowed from resp. */
const char *kc_detail(const Kassa__V1__Response *resp);
const char *kc_message(const Kassa__V1__Response *resp);

/* "OK", "NOT_FOUND", ... for a status code; "UNKNOWN_STATUS" for others. */
const char *kc_status_name(Kassa__V1__StatusCode code);
/* "IO_ERROR", "TIMEOUT", "PROTOCOL_ERROR", "BAD_REQUEST" for a KcResult; "OK" for KC_OK. */
const char *kc_result_name(KcResult r);

/* Fill key (KC_KEY_LEN bytes) with a fresh idempotency key (random UUID). */
void kc_new_key(char key[KC_KEY_LEN]);

/*
 * Log staff in on this connection (one kc_call(); *resp as for kc_call()).
 * On an OK answer the id and PIN are remembered (PIN wiped on kc_free) so
 * that kc_reconnect() logs in again.
 */
KcResult kc_login(KassaClient *kc, int64_t staff_id, const char *pin, Kassa__V1__Response **resp);

#endif

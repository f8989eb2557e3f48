/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox_util.h: the outbox's rules and helpers without I/O or clock
 * (unit-tested in tests/unit/server/crm/test_outbox_util.c): the back-off
 * between attempts, when a row is dead, a webhook URL's parts and the
 * X-Kassa-Signature header.
 */
#ifndef KASSA_OUTBOX_UTIL_H
#define KASSA_OUTBOX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUTBOX_HOST_MAX 254		/* a DNS name, or an IP literal, NUL included */
#define OUTBOX_PATH_MAX 400		/* the URL's path and query, NUL included */
#define OUTBOX_URL_MAX 500		/* endpoints.url's check */
#define OUTBOX_SECRET_LEN 32		/* bytes of a new HMAC key */
#define OUTBOX_SIG_MAX 96		/* "t=<10..20 digits>,v1=<64 hex>" and NUL */

/*
 * The wait before the attempt after failure number attempts (1 = the
 * first failure): base_ms * 2^(attempts-1), at most max_ms, then "equal
 * jitter": half of it fixed and the other half scaled by rnd (0..UINT32_MAX,
 * a random number the caller draws), so that rows that failed together do
 * not come back together. Always in [d/2, d] for that d, and >= 1.
 */
int64_t outbox_backoff_ms(int attempts, int base_ms, int max_ms, uint32_t rnd);

/* Attempt number attempts (1 = the first) has failed: is the row dead now? */
bool outbox_is_dead(int attempts, int max_attempts);

/* A webhook URL's parts: https only, a host (name, IPv4 or [IPv6]), port, path. */
typedef struct OutboxUrl {
	char host[OUTBOX_HOST_MAX];	/* without brackets for IPv6 */
	int port;			/* 443 when the URL names none */
	char path[OUTBOX_PATH_MAX];	/* "/" when the URL has none; with the query */
	bool host_is_ip;		/* a literal address: no DNS, checked as an IP */
} OutboxUrl;

/*
 * Parse url ("https://host[:port][/path[?query]]", no user info, no
 * fragment, printable ASCII, at most OUTBOX_URL_MAX bytes) into *u; false
 * with *why a static machine word (BAD_SCHEME, BAD_HOST, BAD_PORT,
 * BAD_PATH, TOO_LONG) otherwise.
 */
bool outbox_url_parse(const char *url, OutboxUrl *u, const char **why);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void outbox_hex(const uint8_t *b, size_t len, char *out);
/* Bytes of hex (even length, at most max bytes) into b; -1 if it is not hex. */
int outbox_unhex(const char *hex, uint8_t *b, size_t max);

/*
 * The X-Kassa-Signature header's value for body at Unix time t:
 * "t=<t>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>" into out
 * (OUTBOX_SIG_MAX bytes). False only if the HMAC cannot be computed.
 */
bool outbox_sign(const uint8_t *key, size_t key_len, int64_t t, const char *body,
		 size_t body_len, char out[OUTBOX_SIG_MAX]);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.h: token buckets, a bounded table of them keyed by a short
 * byte string, and kassad's two limits built on them ([limits] in cfg.c):
 *
 *  - per till: every request on a READY session takes a token of its
 *    till's bucket (keyed by tills.till_id, so all connections of one
 *    certificate share it); dispatch.c answers an empty bucket with
 *    RESOURCE_EXHAUSTED, detail RATE_LIMITED and Status.retry_after_ms.
 *  - per client address: every new TCP connection takes a token of its
 *    address's bucket before any TLS work; session.c closes a connection
 *    refused here at once.
 *
 * Requests are not limited per address as well: every request after Hello
 * comes from a verified till certificate, whose bucket already bounds it,
 * and the tills of a store often share one NAT address; before Hello a
 * connection can only hand-shake, which the address bucket bounds.
 *
 * The bucket arithmetic is pure (time is an argument, in microseconds), so
 * the unit tests drive it with made-up clocks. A rate of 0 turns a limit off.
 */
#ifndef KASSA_RATELIMIT_H
#define KASSA_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RATE_TOKEN 1000000		/* one token, in the bucket's micro-tokens */
#define RATELIMIT_KEY_MAX 16		/* bytes of a key (an IPv6 address) */
#define RATELIMIT_TILL_SLOTS 4096	/* tills remembered at once */
#define RATELIMIT_ADDR_SLOTS 16384	/* client addresses remembered at once */

typedef struct RateBucket {
	int64_t tokens;		/* micro-tokens (RATE_TOKEN = 1 token), 0..burst tokens */
	int64_t at_us;		/* when tokens was last brought up to date */
} RateBucket;

/* Start b full (burst tokens) at now_us. */
void ratebucket_fill(RateBucket *b, int burst, int64_t now_us);
/*
 * Refill b by rate tokens a second since its last use (at most burst
 * tokens in all), then take one token. True if there was one; otherwise
 * false, b keeps what it has and *wait_us (may be NULL) gets how long
 * until a token will be there (at least 1). A clock that went backwards
 * adds nothing. rate <= 0 always allows (the limit is off).
 */
bool ratebucket_take(RateBucket *b, int rate, int burst, int64_t now_us, int64_t *wait_us);

/*
 * A bounded table of buckets. A key not seen before takes a free slot of
 * its probe window (RATETABLE_PROBE slots from its keyed hash), or else
 * the slot there that was used least recently: a bucket so evicted starts
 * full again, which only ever lets more through, and needs more distinct
 * keys than the table holds to happen to an active one.
 */
typedef struct RateTable RateTable;

/* A table of slots buckets (rounded up to a power of two); aborts on OOM. */
RateTable *ratetable_new(size_t slots);
void ratetable_free(RateTable *t);
/* ratebucket_take() on key's bucket (keylen <= RATELIMIT_KEY_MAX; made full if new). */
bool ratetable_take(RateTable *t, const void *key, size_t keylen, int rate, int burst,
		    int64_t now_us, int64_t *wait_us);
/* Keys held now; evictions so far (for tests and logs). */
size_t ratetable_count(const RateTable *t);
uint64_t ratetable_evictions(const RateTable *t);

/*
 * kassad's per-till request limit ([limits] till_rate, till_burst): take a
 * token for one request of till till_id at now_us. False with *retry_ms
 * (>= 1) when the till must wait.
 */
bool ratelimit_request(int64_t till_id, int64_t now_us, uint32_t *retry_ms);
/*
 * kassad's per-address connection limit ([limits] address_rate,
 * address_burst) for a new connection from addr (IPv4 or IPv6; others are
 * not limited). False when it must be closed; refusals are logged at most
 * once a second, with how many there were.
 */
bool ratelimit_connection(const struct sockaddr *addr, int64_t now_us);
/* Free both tables (shutdown; they are made again on first use). */
void ratelimit_shutdown(void);

#endif

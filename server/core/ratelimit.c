/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.c: token buckets and kassad's per-till and per-address limits
 * (see ratelimit.h for the contract). A bucket holds micro-tokens, so rates
 * of a few a second refill smoothly in integer arithmetic; it is refilled
 * lazily, when it is used, from the time passed since its last use.
 *
 * The tables are open-addressed and never grow: a key hashes (with a
 * per-process random seed, so that nobody can aim keys at one window) to
 * a window of RATETABLE_PROBE slots, and a new key that finds the window
 * full evicts its least recently used bucket. Both tables are made on
 * first use and live on the event loop's thread only. The limits are read
 * from cf_* at every use, so a reloaded configuration applies at once.
 */
#include "ratelimit.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "core.h"

#define RATETABLE_PROBE 8		/* slots a key may live in */
#define RATELIMIT_LOG_US 1000000	/* at most one refusal line a second */

void ratebucket_fill(RateBucket *b, int burst, int64_t now_us)
{
	b->tokens = (int64_t)(burst > 0 ? burst : 1) * RATE_TOKEN;
	b->at_us = now_us;
}

bool ratebucket_take(RateBucket *b, int rate, int burst, int64_t now_us, int64_t *wait_us)
{
	int64_t cap = (int64_t)(burst > 0 ? burst : 1) * RATE_TOKEN;

	if (rate <= 0)
		return true;
	if (now_us > b->at_us) {
		int64_t dt = now_us - b->at_us, room = cap - b->tokens;

		/* dt * rate could overflow for a bucket idle for ages: it is full then */
		if (room <= 0 || dt > room / rate)
			b->tokens = cap;
		else
			b->tokens += dt * rate;
		b->at_us = now_us;
	}
	if (b->tokens > cap)
		b->tokens = cap;	/* the burst was lowered by a reload */
	if (b->tokens >= RATE_TOKEN) {
		b->tokens -= RATE_TOKEN;
		return true;
	}
	if (wait_us) {
		int64_t w = (RATE_TOKEN - b->tokens + rate - 1) / rate;

		/* a clock that went backwards has to catch up with at_us first */
		if (now_us < b->at_us)
			w += b->at_us - now_us;
		*wait_us = w > 0 ? w : 1;
	}
	return false;
}

typedef struct RateSlot {
	uint8_t key[RATELIMIT_KEY_MAX];	/* the key's bytes, keylen of them */
	uint8_t keylen;			/* 0 = free slot */
	RateBucket bucket;		/* its at_us is also the slot's last use */
} RateSlot;

struct RateTable {
	RateSlot *slots;		/* owned; n of them */
	size_t n;			/* a power of two */
	size_t count;			/* slots in use */
	uint64_t evictions;		/* buckets dropped to make room */
	uint64_t seed;			/* the hash's per-table random key */
};

RateTable *ratetable_new(size_t slots)
{
	RateTable *t = xcalloc(1, sizeof(*t));

	t->n = RATETABLE_PROBE;
	while (t->n < slots)
		t->n *= 2;
	t->slots = xcalloc(t->n, sizeof(*t->slots));
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
		t->seed = (uint64_t)now_usec() * 0x9E3779B97F4A7C15ull;
	return t;
}

void ratetable_free(RateTable *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

size_t ratetable_count(const RateTable *t)
{
	return t->count;
}

uint64_t ratetable_evictions(const RateTable *t)
{
	return t->evictions;
}

/* FNV-1a over the seed and the key, then splitmix64's finaliser. */
static uint64_t ratetable_hash(const RateTable *t, const uint8_t *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ t->seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

/* key's slot: its own, a free one, or the least recently used of its window. */
static RateSlot *ratetable_slot(RateTable *t, const uint8_t *key, size_t len, int burst,
				int64_t now_us)
{
	size_t at = (size_t)ratetable_hash(t, key, len) & (t->n - 1);
	RateSlot *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < RATETABLE_PROBE; i++) {
		RateSlot *s = &t->slots[(at + i) & (t->n - 1)];

		if (s->keylen == len && memcmp(s->key, key, len) == 0)
			return s;
		if (s->keylen == 0) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (oldest == NULL || s->bucket.at_us < oldest->bucket.at_us) {
			oldest = s;
		}
	}
	if (free_slot == NULL) {
		free_slot = oldest;
		t->evictions++;
	} else {
		t->count++;
	}
	memcpy(free_slot->key, key, len);
	free_slot->keylen = (uint8_t)len;
	ratebucket_fill(&free_slot->bucket, burst, now_us);
	return free_slot;
}

bool ratetable_take(RateTable *t, const void *key, size_t keylen, int rate, int burst,
		    int64_t now_us, int64_t *wait_us)
{
	if (rate <= 0)
		return true;
	if (keylen == 0 || keylen > RATELIMIT_KEY_MAX)
		return true;	/* BUG: no such key is made here; never lock anyone out */
	return ratebucket_take(&ratetable_slot(t, key, keylen, burst, now_us)->bucket, rate, burst,
			       now_us, wait_us);
}

/* ---- kassad's two limits ---- */

static RateTable *till_table;		/* owned; made on first use */
static RateTable *addr_table;		/* owned; made on first use */
static int64_t refused_logged_us;	/* when the last refusal line went out */
static uint64_t refused_unlogged;	/* refusals since then */

bool ratelimit_request(int64_t till_id, int64_t now_us, uint32_t *retry_ms)
{
	int64_t wait_us = 0;

	if (cf_till_rate <= 0)
		return true;
	if (till_table == NULL)
		till_table = ratetable_new(RATELIMIT_TILL_SLOTS);
	if (ratetable_take(till_table, &till_id, sizeof(till_id), cf_till_rate, cf_till_burst,
			   now_us, &wait_us))
		return true;
	wait_us = (wait_us + 999) / 1000;
	*retry_ms = wait_us < 1 ? 1 : wait_us > UINT32_MAX ? UINT32_MAX : (uint32_t)wait_us;
	return false;
}

/*
 * The key of a client address: an IPv4 address (also when IPv4-mapped), or
 * the /64 prefix of an IPv6 one, since one host is routinely given a whole
 * /64. Returns the key's length, 0 for other families; text gets the
 * address for the log.
 */
static size_t addr_key(const struct sockaddr *addr, uint8_t key[RATELIMIT_KEY_MAX],
		       char *text, size_t textlen)
{
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		memcpy(key, &in->sin_addr, 4);
		inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)textlen);
		return 4;
	}
	if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)textlen);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			memcpy(key, &in6->sin6_addr.s6_addr[12], 4);
			return 4;
		}
		memcpy(key, in6->sin6_addr.s6_addr, 8);
		return 8;
	}
	return 0;
}

bool ratelimit_connection(const struct sockaddr *addr, int64_t now_us)
{
	uint8_t key[RATELIMIT_KEY_MAX];
	char text[64] = "";
	size_t len;

	if (cf_address_rate <= 0)
		return true;
	len = addr_key(addr, key, text, sizeof(text));
	if (len == 0)
		return true;
	if (addr_table == NULL)
		addr_table = ratetable_new(RATELIMIT_ADDR_SLOTS);
	if (ratetable_take(addr_table, key, len, cf_address_rate, cf_address_burst, now_us, NULL))
		return true;
	if (refused_logged_us != 0 && now_us - refused_logged_us < RATELIMIT_LOG_US) {
		refused_unlogged++;
		return false;
	}
	log_warn("rate limit: closed a new connection from %s, over [limits] address_rate %d/s"
		 " (and %" PRIu64 " more in the last second)", text, cf_address_rate,
		 refused_unlogged);
	refused_logged_us = now_us;
	refused_unlogged = 0;
	return false;
}

void ratelimit_shutdown(void)
{
	ratetable_free(till_table);
	ratetable_free(addr_table);
	till_table = addr_table = NULL;
}

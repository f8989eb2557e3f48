/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util: allocation that aborts on out-of-memory, bounded string copies, the
 * monotonic clock, the UTF-8 validator used on every text field a till
 * sends, and random UUIDs.
 *
 * The x*alloc() family is for process-wide allocations only (config,
 * tables, per-session structs bounded by max_sessions); anything whose size
 * a peer chooses is capped before it gets here. uuid_random() initialises
 * libsodium itself on first use (sodium_init() is idempotent and
 * thread-safe), so callers need not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "util.h"

/* Log and abort: out of memory for something we cannot run without. */
static void oom(size_t n) __attribute__((noreturn));
static void oom(size_t n)
{
	log_error("out of memory allocating %zu bytes", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);

	if (p == NULL)
		oom(count * n);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

bool safe_strcpy(char *dst, size_t dstlen, const char *src)
{
	size_t n;

	if (dstlen == 0)
		return false;
	n = strlen(src);
	if (n >= dstlen) {
		memcpy(dst, src, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

int64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * RFC 3629 table 4 ("UTF8-octets"): the second byte's range depends on the
 * first byte, which is what rules out overlong forms (E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF).
 */
bool utf8_is_valid(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t need;

		if (c == 0x00)
			return false;		/* NUL: not storable in PostgreSQL text */
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;	/* overlong below U+0800 */
			else if (c == 0xED)
				hi = 0x9F;	/* surrogates U+D800..DFFF */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;	/* overlong below U+10000 */
			else if (c == 0xF4)
				hi = 0x8F;	/* above U+10FFFF */
		} else {
			return false;		/* 80..BF, C0/C1 overlong, F5..FF */
		}
		if (len - i - 1 < need)
			return false;		/* truncated sequence */
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return false;
		i += need + 1;
	}
	return true;
}

void uuid_random(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t o = 0;

	if (sodium_init() < 0) {
		/* Without a random source we must not hand out guessable ids. */
		log_error("could not initialise libsodium");
		abort();
	}
	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);	/* variant 10xx (RFC 4122) */
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0F];
	}
	out[o] = '\0';
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util: small helpers every part of Kassa uses: allocation that aborts on
 * out-of-memory (only for process-wide, not attacker-sized, allocations),
 * big-endian loads and stores for frame headers, bounded string copies, and
 * the MUSTCHECK marker for functions whose failure must be handled.
 */
#ifndef KASSA_UTIL_H
#define KASSA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MUSTCHECK __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocate or abort the process with a log line; never returns NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Copy src into dst of size dstlen, always NUL-terminated; false if cut. */
MUSTCHECK bool safe_strcpy(char *dst, size_t dstlen, const char *src);

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Monotonic clock in microseconds. */
int64_t now_usec(void);

/*
 * Is buf[0..len) well-formed UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF)? NUL bytes are refused too: no text field of ours
 * may contain one, and PostgreSQL text cannot store it.
 */
bool utf8_is_valid(const char *buf, size_t len);

/* Fill out[37] with a random RFC 4122 version 4 UUID string (libsodium). */
void uuid_random(char out[37]);

#endif

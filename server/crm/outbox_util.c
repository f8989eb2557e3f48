/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox_util.c: the outbox's pure rules and helpers (see outbox_util.h).
 */
#include "outbox_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/params.h>

int64_t outbox_backoff_ms(int attempts, int base_ms, int max_ms, uint32_t rnd)
{
	int64_t d = base_ms > 0 ? base_ms : 1;
	int64_t cap = max_ms > 0 ? max_ms : 1;

	if (cap < d)
		cap = d;
	for (int i = 1; i < attempts && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* half fixed, half jitter: [d/2, d] */
	int64_t half = d / 2;

	d = half + (int64_t)(((uint64_t)(d - half) * rnd) / UINT32_MAX);
	return d >= 1 ? d : 1;
}

bool outbox_is_dead(int attempts, int max_attempts)
{
	return attempts >= (max_attempts > 0 ? max_attempts : 1);
}

/* host (no brackets) is a name of labels [A-Za-z0-9-], not starting or ending with '-'. */
static bool host_name_ok(const char *h)
{
	size_t label = 0;

	if (*h == '\0' || *h == '.')
		return false;
	for (const char *p = h; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || (*p == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && h[strlen(h) - 1] != '-';
}

/* The host part from s up to its end e into u; false if it is none. */
static bool parse_host(const char *s, const char *e, OutboxUrl *u)
{
	unsigned char addr[16];
	size_t n = (size_t)(e - s);

	if (n > 0 && s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof(u->host))
			return false;
		memcpy(u->host, s + 1, n - 2);
		u->host[n - 2] = '\0';
		u->host_is_ip = true;
		return inet_pton(AF_INET6, u->host, addr) == 1;
	}
	if (n == 0 || n >= sizeof(u->host))
		return false;
	memcpy(u->host, s, n);
	u->host[n] = '\0';
	u->host_is_ip = inet_pton(AF_INET, u->host, addr) == 1;
	return u->host_is_ip || host_name_ok(u->host);
}

bool outbox_url_parse(const char *url, OutboxUrl *u, const char **why)
{
	static const char scheme[] = "https://";
	const char *h, *he, *p;
	size_t len = strlen(url);

	memset(u, 0, sizeof(*u));
	*why = "TOO_LONG";
	if (len > OUTBOX_URL_MAX)
		return false;
	*why = "BAD_PATH";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7F ||
		    url[i] == '#')
			return false;
	*why = "BAD_SCHEME";
	if (strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return false;
	h = url + sizeof(scheme) - 1;
	p = h + strcspn(h, "/?");
	*why = "BAD_HOST";
	if (memchr(h, '@', (size_t)(p - h)) != NULL)
		return false;
	he = p;
	u->port = 443;
	/* a port: the last ':' after any IPv6 bracket */
	const char *close = memchr(h, ']', (size_t)(p - h));
	const char *colon = NULL;

	for (const char *q = close ? close : h; q < p; q++)
		if (*q == ':')
			colon = q;
	if (colon != NULL) {
		long port = 0;

		*why = "BAD_PORT";
		if (colon + 1 == p || p - colon > 6)
			return false;
		for (const char *q = colon + 1; q < p; q++) {
			if (*q < '0' || *q > '9')
				return false;
			port = port * 10 + (*q - '0');
		}
		if (port < 1 || port > 65535)
			return false;
		u->port = (int)port;
		he = colon;
	}
	*why = "BAD_HOST";
	if (!parse_host(h, he, u))
		return false;
	*why = "BAD_PATH";
	if (*p == '\0')
		p = "/";
	if (*p == '?')
		return false;
	if (strlen(p) >= sizeof(u->path))
		return false;
	snprintf(u->path, sizeof(u->path), "%s", p);
	*why = NULL;
	return true;
}

void outbox_hex(const uint8_t *b, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int outbox_unhex(const char *hex, uint8_t *b, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2 != 0 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

bool outbox_sign(const uint8_t *key, size_t key_len, int64_t t, const char *body,
		 size_t body_len, char out[OUTBOX_SIG_MAX])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char ts[24], hex[2 * EVP_MAX_MD_SIZE + 1];
	int tn = snprintf(ts, sizeof(ts), "%lld.", (long long)t);
	bool ok;

	/* HMAC-SHA256 over "<t>." then the body, without copying the body */
	EVP_MAC *mac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac_alg ? EVP_MAC_CTX_new(mac_alg) : NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;

	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_MAC_init(ctx, key, key_len, params) == 1 &&
	     EVP_MAC_update(ctx, (const unsigned char *)ts, (size_t)tn) == 1 &&
	     EVP_MAC_update(ctx, (const unsigned char *)body, body_len) == 1 &&
	     EVP_MAC_final(ctx, mac, &outl, sizeof(mac)) == 1;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac_alg);
	mac_len = (unsigned int)outl;
	if (!ok)
		return false;
	if (mac_len != 32)
		return false;
	outbox_hex(mac, 32, hex);
	hex[64] = '\0';
	return snprintf(out, OUTBOX_SIG_MAX, "t=%lld,v1=%.64s", (long long)t, hex) <
	       OUTBOX_SIG_MAX;
}

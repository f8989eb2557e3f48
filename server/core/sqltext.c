/* SPDX-License-Identifier: Apache-2.0 */
/* sqltext.c: a growable string with array-literal and bytea helpers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sqltext.h"
#include "util.h"

static void reserve(SqlText *t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return;
	size_t cap = t->cap ? t->cap : 64;

	while (cap < t->len + more + 1)
		cap *= 2;
	t->buf = xrealloc(t->buf, cap);
	t->cap = cap;
}

static void add_char(SqlText *t, char ch)
{
	reserve(t, 1);
	t->buf[t->len++] = ch;
	t->buf[t->len] = '\0';
}

void sqltext_add(SqlText *t, const char *s)
{
	size_t n = strlen(s);

	reserve(t, n);
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

static void separate(SqlText *t)
{
	if (t->len > 0 && t->buf[t->len - 1] != '{')
		add_char(t, ',');
}

void sqltext_elem_int(SqlText *t, int64_t v)
{
	char num[24];

	separate(t);
	snprintf(num, sizeof(num), "%" PRId64, v);
	sqltext_add(t, num);
}

void sqltext_elem_str(SqlText *t, const char *s)
{
	separate(t);
	add_char(t, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			add_char(t, '\\');
		add_char(t, *s);
	}
	add_char(t, '"');
}

void sqltext_open(SqlText *t)
{
	add_char(t, '{');
}

void sqltext_close(SqlText *t)
{
	add_char(t, '}');
}

void sqltext_bytea(SqlText *t, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	sqltext_add(t, "\\x");
	reserve(t, 2 * n);
	for (size_t i = 0; i < n; i++) {
		t->buf[t->len++] = hex[p[i] >> 4];
		t->buf[t->len++] = hex[p[i] & 15];
	}
	t->buf[t->len] = '\0';
}

void sqltext_hash(SqlText *t, const ProtobufCMessage *msg)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = xmalloc(n ? n : 1);
	uint8_t h[32];

	protobuf_c_message_pack(msg, buf);
	crypto_generichash(h, sizeof(h), buf, n, NULL, 0);
	free(buf);
	sqltext_bytea(t, h, sizeof(h));
}

/* One quoted element at p (just past its opening quote); NULL if malformed. */
static const char *array_quoted(const char *p, char *out, size_t outlen, size_t *n)
{
	for (; *p != '"'; p++) {
		if (*p == '\\')
			p++;
		if (*p == '\0' || *n + 1 >= outlen)
			return NULL;
		out[(*n)++] = *p;
	}
	return p + 1;
}

bool sqltext_array_next(const char **pos, char *out, size_t outlen)
{
	const char *p = *pos;
	size_t n = 0;

	if (*p == '{')
		p++;
	if (*p == '}' || *p == '\0' || outlen == 0)
		return false;
	if (*p == '"') {
		p = array_quoted(p + 1, out, outlen, &n);
		if (p == NULL)
			return false;
	} else {
		for (; *p != ',' && *p != '}' && *p != '\0'; p++) {
			if (n + 1 >= outlen)
				return false;
			out[n++] = *p;
		}
		if (n == 4 && strncmp(out, "NULL", 4) == 0)
			return false;
	}
	if (*p != ',' && *p != '}')
		return false;
	out[n] = '\0';
	*pos = *p == ',' ? p + 1 : p;
	return true;
}

const char *sqltext_str(SqlText *t)
{
	return t->buf ? t->buf : "";
}

void sqltext_free(SqlText *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}

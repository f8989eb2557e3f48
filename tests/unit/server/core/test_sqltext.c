/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sqltext: the text form of statement parameters that are not plain
 * scalars (server/core/sqltext.c). It guards the PostgreSQL array literals
 * that carry a checkout's product ids, quantities and codes: elements are
 * comma-separated, strings are always double-quoted with only '"' and '\'
 * escaped (so braces, commas, "NULL", empty strings and UTF-8 arrive as
 * themselves), and the text grows past its first buffer intact, with room
 * for its NUL at every size (an off-by-one there shows under ASan); the bytea
 * hex form; the request hash stored with an idempotency key, which must be
 * the BLAKE2b-256 of the message's packed bytes, the same for the same
 * body and different for another; and that an empty or freed SqlText reads
 * as "" and may be freed twice and reused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "kassa.pb-c.h"
#include "sqltext.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* BLAKE2b-256 of no bytes: what an all-default message hashes to. */
#define HASH_OF_EMPTY "\\x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"

static void test_empty_text(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	assert_non_null(sqltext_str(&t));
	assert_string_equal(sqltext_str(&t), "");
	sqltext_free(&t);
	assert_string_equal(sqltext_str(&t), "");
	sqltext_free(&t);		/* twice: safe */
	assert_null(t.buf);
	assert_int_equal(t.len, 0);
	sqltext_add(&t, "");
	assert_string_equal(sqltext_str(&t), "");
	assert_int_equal(t.len, 0);
	sqltext_free(&t);
}

static void test_add_and_reuse_after_free(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	sqltext_add(&t, "SELECT ");
	sqltext_add(&t, "1");
	assert_string_equal(sqltext_str(&t), "SELECT 1");
	assert_int_equal(t.len, 8);
	sqltext_free(&t);
	assert_string_equal(sqltext_str(&t), "");
	sqltext_add(&t, "again");
	assert_string_equal(sqltext_str(&t), "again");
	sqltext_free(&t);
	sqltext_free(&t);
}

/* Text that ends exactly at a buffer size still has room for its NUL (ASan sees it). */
static void test_buffer_boundaries(void **state)
{
	static const size_t lens[] = { 62, 63, 64, 65, 127, 128, 129, 255, 256 };
	char src[300];

	(void)state;
	memset(src, 'a', sizeof(src));
	for (size_t i = 0; i < ARRAY_LEN(lens); i++) {
		SqlText t = SQLTEXT_INIT;

		src[lens[i]] = '\0';
		sqltext_add(&t, src);
		assert_int_equal(t.len, lens[i]);
		assert_true(t.cap > t.len);
		assert_string_equal(sqltext_str(&t), src);
		sqltext_free(&t);

		sqltext_add(&t, "x");		/* the same, reached in two steps */
		sqltext_add(&t, src + 1);
		assert_int_equal(t.len, lens[i]);
		assert_true(t.cap > t.len);
		assert_int_equal(strlen(sqltext_str(&t)), lens[i]);
		sqltext_free(&t);

		sqltext_bytea(&t, (const uint8_t *)src, (lens[i] - 2) / 2);
		assert_true(t.cap > t.len);
		assert_int_equal(strlen(sqltext_str(&t)), t.len);
		sqltext_free(&t);
		src[lens[i]] = 'a';
	}
}

static void test_empty_array(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	sqltext_open(&t);
	sqltext_close(&t);
	assert_string_equal(sqltext_str(&t), "{}");
	sqltext_free(&t);
}

static void test_int_array(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	sqltext_open(&t);
	sqltext_elem_int(&t, 1);
	sqltext_elem_int(&t, 0);
	sqltext_elem_int(&t, -2);
	sqltext_elem_int(&t, INT64_MIN);
	sqltext_elem_int(&t, INT64_MAX);
	sqltext_close(&t);
	assert_string_equal(sqltext_str(&t),
			    "{1,0,-2,-9223372036854775808,9223372036854775807}");
	assert_int_equal(t.len, strlen(sqltext_str(&t)));
	sqltext_free(&t);

	sqltext_open(&t);
	sqltext_elem_int(&t, 7);
	sqltext_close(&t);
	assert_string_equal(sqltext_str(&t), "{7}");
	sqltext_free(&t);
}

static void test_string_array_escapes(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	sqltext_open(&t);
	sqltext_elem_str(&t, "plain");
	sqltext_elem_str(&t, "say \"hi\"");
	sqltext_elem_str(&t, "C:\\tmp\\");
	sqltext_elem_str(&t, "{x,y}");
	sqltext_elem_str(&t, "p,q");
	sqltext_elem_str(&t, "");
	sqltext_elem_str(&t, "NULL");
	sqltext_elem_str(&t, " padded ");
	sqltext_elem_str(&t, "\\\"");
	sqltext_close(&t);
	assert_string_equal(sqltext_str(&t),
			    "{\"plain\",\"say \\\"hi\\\"\",\"C:\\\\tmp\\\\\",\"{x,y}\",\"p,q\","
			    "\"\",\"NULL\",\" padded \",\"\\\\\\\"\"}");
	sqltext_free(&t);
}

static void test_string_array_utf8(void **state)
{
	SqlText t = SQLTEXT_INIT;

	(void)state;
	sqltext_open(&t);
	sqltext_elem_str(&t, "\xe6\x9d\x8e\xe5\xa8\x9c");	/* 李娜 */
	sqltext_elem_str(&t, "caf\xc3\xa9 \"\xe2\x82\xac\"");	/* café "€" */
	sqltext_close(&t);
	assert_string_equal(sqltext_str(&t),
			    "{\"\xe6\x9d\x8e\xe5\xa8\x9c\",\"caf\xc3\xa9 \\\"\xe2\x82\xac\\\"\"}");
	sqltext_free(&t);
}

/* Far past the first 64-byte buffer: every element arrives, in order. */
static void test_long_array(void **state)
{
	SqlText t = SQLTEXT_INIT;
	char *want = malloc(20 * 2000 + 3);
	size_t n = 0;

	(void)state;
	assert_non_null(want);
	want[n++] = '{';
	sqltext_open(&t);
	for (int i = 0; i < 2000; i++) {
		sqltext_elem_int(&t, (int64_t)i * 1000003);
		n += (size_t)sprintf(want + n, "%s%lld", i ? "," : "", (long long)i * 1000003);
	}
	sqltext_close(&t);
	want[n++] = '}';
	want[n] = '\0';
	assert_int_equal(t.len, n);
	assert_string_equal(sqltext_str(&t), want);
	free(want);
	sqltext_free(&t);
}

static void test_bytea(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x0a, 0xff, 0x1b, 0x80, 0x7f };
	uint8_t big[300];
	SqlText t = SQLTEXT_INIT;
	const char *s;

	(void)state;
	sqltext_bytea(&t, bytes, sizeof(bytes));
	assert_string_equal(sqltext_str(&t), "\\x000aff1b807f");
	sqltext_free(&t);

	sqltext_bytea(&t, bytes, 0);
	assert_string_equal(sqltext_str(&t), "\\x");
	sqltext_free(&t);

	sqltext_add(&t, "k=");	/* appends to what is there */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	sqltext_bytea(&t, big, sizeof(big));
	s = sqltext_str(&t);
	assert_int_equal(t.len, 2 + 2 + 2 * sizeof(big));
	assert_int_equal(strlen(s), t.len);
	assert_memory_equal(s, "k=\\x000102", 10);
	assert_string_equal(s + t.len - 6, "292a2b");	/* bytes 297-299, mod 256 */
	sqltext_free(&t);
}

static char *hash_of(const ProtobufCMessage *msg)
{
	SqlText t = SQLTEXT_INIT;
	char *out;

	sqltext_hash(&t, msg);
	out = strdup(sqltext_str(&t));
	assert_non_null(out);
	sqltext_free(&t);
	return out;
}

static void test_hash_of_empty_message(void **state)
{
	Kassa__V1__ProductLookup pl = KASSA__V1__PRODUCT_LOOKUP__INIT;
	char *h;

	(void)state;
	h = hash_of(&pl.base);		/* packs to no bytes at all */
	assert_string_equal(h, HASH_OF_EMPTY);
	free(h);
}

/* The hash covers the packed body: BLAKE2b-256 of exactly those bytes. */
static void test_hash_is_of_packed_bytes(void **state)
{
	Kassa__V1__TopUp tu = KASSA__V1__TOP_UP__INIT;
	uint8_t packed[64], h[32];
	size_t n;
	SqlText want = SQLTEXT_INIT;
	char *got;

	(void)state;
	tu.member_id = 12345;
	tu.amount_minor = 10000;
	n = kassa__v1__top_up__get_packed_size(&tu);
	assert_true(n > 0 && n <= sizeof(packed));
	assert_int_equal(kassa__v1__top_up__pack(&tu, packed), n);
	assert_int_equal(crypto_generichash(h, sizeof(h), packed, n, NULL, 0), 0);
	sqltext_bytea(&want, h, sizeof(h));
	got = hash_of(&tu.base);
	assert_int_equal(strlen(got), 2 + 64);
	assert_string_equal(got, sqltext_str(&want));
	free(got);
	sqltext_free(&want);
}

static void test_hash_same_and_different(void **state)
{
	Kassa__V1__TopUp a = KASSA__V1__TOP_UP__INIT, b = KASSA__V1__TOP_UP__INIT;
	Kassa__V1__ProductLookup p = KASSA__V1__PRODUCT_LOOKUP__INIT;
	char *ha, *hb, *hc, *hp, *hq;

	(void)state;
	a.member_id = 7;
	a.amount_minor = 5000;
	b = a;				/* another message, same content */
	ha = hash_of(&a.base);
	hb = hash_of(&b.base);
	assert_string_equal(ha, hb);
	hc = hash_of(&a.base);		/* and stable across calls */
	assert_string_equal(ha, hc);
	free(hc);
	b.amount_minor = 5001;		/* same key, another amount: must differ */
	hc = hash_of(&b.base);
	assert_string_not_equal(ha, hc);
	p.code = (char *)"SKU-APPLE";
	hp = hash_of(&p.base);
	p.code = (char *)"SKU-APPLF";
	hq = hash_of(&p.base);
	assert_string_not_equal(hp, hq);
	free(ha);
	free(hb);
	free(hc);
	free(hp);
	free(hq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_add_and_reuse_after_free),
		cmocka_unit_test(test_buffer_boundaries),
		cmocka_unit_test(test_empty_array),
		cmocka_unit_test(test_int_array),
		cmocka_unit_test(test_string_array_escapes),
		cmocka_unit_test(test_string_array_utf8),
		cmocka_unit_test(test_long_array),
		cmocka_unit_test(test_bytea),
		cmocka_unit_test(test_hash_of_empty_message),
		cmocka_unit_test(test_hash_is_of_packed_bytes),
		cmocka_unit_test(test_hash_same_and_different),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_outbox_util: the outbox's pure rules (server/crm/outbox_util.c):
 * the back-off doubles from the base, stops at the cap and keeps its
 * jitter within [d/2, d]; a row is dead at max_attempts; webhook URLs are
 * https with a valid host, port and path; the signature is the HMAC-SHA256
 * of "<t>.<body>" (checked against a known value) and changes with the
 * secret, the time and the body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "outbox_util.h"

static void test_backoff_grows_and_caps(void **state)
{
	(void)state;
	/* no jitter at the top of the range: exactly base * 2^(n-1), capped */
	assert_int_equal(outbox_backoff_ms(1, 200, 2000, UINT32_MAX), 200);
	assert_int_equal(outbox_backoff_ms(2, 200, 2000, UINT32_MAX), 400);
	assert_int_equal(outbox_backoff_ms(3, 200, 2000, UINT32_MAX), 800);
	assert_int_equal(outbox_backoff_ms(4, 200, 2000, UINT32_MAX), 1600);
	assert_int_equal(outbox_backoff_ms(5, 200, 2000, UINT32_MAX), 2000);
	assert_int_equal(outbox_backoff_ms(60, 200, 2000, UINT32_MAX), 2000);
	assert_int_equal(outbox_backoff_ms(1000000, 1000, 3600000, UINT32_MAX), 3600000);
	/* the bottom of the jitter: half */
	assert_int_equal(outbox_backoff_ms(1, 200, 2000, 0), 100);
	assert_int_equal(outbox_backoff_ms(4, 200, 2000, 0), 800);
	/* a cap below the base: the base */
	assert_int_equal(outbox_backoff_ms(3, 500, 100, UINT32_MAX), 500);
	assert_true(outbox_backoff_ms(1, 0, 0, 0) >= 1);
}

static void test_backoff_jitter_range(void **state)
{
	(void)state;
	for (uint32_t r = 0; r < 4000000000U; r += 99991) {
		int64_t d = outbox_backoff_ms(3, 200, 2000, r);

		assert_true(d >= 400 && d <= 800);
	}
	/* jitter spreads: two random numbers far apart give different waits */
	assert_int_not_equal(outbox_backoff_ms(3, 200, 2000, 1), outbox_backoff_ms(3, 200, 2000,
									       3000000000U));
}

static void test_dead(void **state)
{
	(void)state;
	assert_false(outbox_is_dead(1, 3));
	assert_false(outbox_is_dead(2, 3));
	assert_true(outbox_is_dead(3, 3));
	assert_true(outbox_is_dead(4, 3));
	assert_true(outbox_is_dead(1, 0));
}

static void test_url(void **state)
{
	OutboxUrl u;
	const char *why;

	(void)state;
	assert_true(outbox_url_parse("https://sms.example.com/hook?x=1", &u, &why));
	assert_string_equal(u.host, "sms.example.com");
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/hook?x=1");
	assert_false(u.host_is_ip);
	assert_true(outbox_url_parse("https://127.0.0.1:8443", &u, &why));
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 8443);
	assert_string_equal(u.path, "/");
	assert_true(u.host_is_ip);
	assert_true(outbox_url_parse("https://[::1]:9000/a", &u, &why));
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 9000);
	assert_true(u.host_is_ip);

	assert_false(outbox_url_parse("http://example.com/", &u, &why));
	assert_string_equal(why, "BAD_SCHEME");
	assert_false(outbox_url_parse("https://user@example.com/", &u, &why));
	assert_string_equal(why, "BAD_HOST");
	assert_false(outbox_url_parse("https://example.com:0/", &u, &why));
	assert_string_equal(why, "BAD_PORT");
	assert_false(outbox_url_parse("https://example.com:70000/", &u, &why));
	assert_false(outbox_url_parse("https://example.com:/", &u, &why));
	assert_false(outbox_url_parse("https:///path", &u, &why));
	assert_false(outbox_url_parse("https://exa mple.com/", &u, &why));
	assert_false(outbox_url_parse("https://example.com/#frag", &u, &why));
	assert_false(outbox_url_parse("https://-bad.com/", &u, &why));
	assert_false(outbox_url_parse("https://[zz]/", &u, &why));
	assert_false(outbox_url_parse("", &u, &why));
}

static void test_hex(void **state)
{
	uint8_t b[4] = { 0x00, 0x7f, 0xab, 0xff }, back[4];
	char hex[9];

	(void)state;
	outbox_hex(b, 4, hex);
	assert_string_equal(hex, "007fabff");
	assert_int_equal(outbox_unhex(hex, back, sizeof(back)), 4);
	assert_memory_equal(b, back, 4);
	assert_int_equal(outbox_unhex("abc", back, sizeof(back)), -1);
	assert_int_equal(outbox_unhex("zz", back, sizeof(back)), -1);
	assert_int_equal(outbox_unhex("0011223344", back, sizeof(back)), -1);
	assert_int_equal(outbox_unhex("", back, sizeof(back)), 0);
}

static void test_sign(void **state)
{
	/* RFC 4231 case 2's key and data, with the time in front */
	const char *body = "what do ya want for nothing?";
	char sig[OUTBOX_SIG_MAX], other[OUTBOX_SIG_MAX];

	(void)state;
	/* the signed text is "<t>.<body>" */
	assert_true(outbox_sign((const uint8_t *)"Jefe", 4, 1700000000, body, strlen(body), sig));
	assert_int_equal(strncmp(sig, "t=1700000000,v1=", 16), 0);
	assert_int_equal(strlen(sig), 16 + 64);
	/* python3 -c 'import hmac,hashlib;print(hmac.new(b"Jefe",
	 *   b"1700000000.what do ya want for nothing?",hashlib.sha256).hexdigest())' */
	assert_string_equal(sig + 16,
			    "1cdd0650c8be1cb0974b1788d458b1e781206cfef59b85faafc582d2e182c57e");
	assert_true(outbox_sign((const uint8_t *)"Jefx", 4, 1700000000, body, strlen(body), other));
	assert_string_not_equal(sig, other);
	assert_true(outbox_sign((const uint8_t *)"Jefe", 4, 1700000001, body, strlen(body), other));
	assert_string_not_equal(sig + 16, other + 16);
	assert_true(outbox_sign((const uint8_t *)"Jefe", 4, 1700000000, "x", 1, other));
	assert_string_not_equal(sig, other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_grows_and_caps),
		cmocka_unit_test(test_backoff_jitter_range),
		cmocka_unit_test(test_dead),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_sign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

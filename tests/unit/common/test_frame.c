/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_frame: the length-prefix decoder on partial input (a header that
 * arrives one byte at a time, a body that is only partly there), at the
 * size limit, on empty frames, on two frames back to back, and on random
 * bytes (the decoder must never claim more than it was given).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"

#define LEN_SENTINEL 0xDEADBEEFu

/* Write a frame (header + body) at p; return its total size. */
static size_t put_frame(uint8_t *p, const char *body, uint32_t len)
{
	frame_put_header(p, len);
	memcpy(p + FRAME_HEADER_LEN, body, len);
	return FRAME_HEADER_LEN + (size_t)len;
}

static void test_header_byte_order(void **state)
{
	uint8_t hdr[FRAME_HEADER_LEN];

	(void)state;
	frame_put_header(hdr, 0x01020304u);
	assert_int_equal(hdr[0], 0x01);
	assert_int_equal(hdr[1], 0x02);
	assert_int_equal(hdr[2], 0x03);
	assert_int_equal(hdr[3], 0x04);
	frame_put_header(hdr, 0xFFFFFFFFu);
	assert_int_equal(hdr[0] & hdr[1] & hdr[2] & hdr[3], 0xFF);
}

static void test_byte_at_a_time(void **state)
{
	uint8_t buf[64];
	size_t total = put_frame(buf, "hello", 5);
	uint32_t len;

	(void)state;
	assert_int_equal(total, 9);
	/* Header incomplete: need more, length not known yet. */
	for (size_t avail = 0; avail < FRAME_HEADER_LEN; avail++) {
		len = LEN_SENTINEL;
		assert_int_equal(frame_decode(buf, avail, 1024, &len), FRAME_NEED_MORE);
		assert_int_equal(len, 0);
	}
	/* Header complete, body partly present: need more, length known. */
	for (size_t avail = FRAME_HEADER_LEN; avail < total; avail++) {
		len = LEN_SENTINEL;
		assert_int_equal(frame_decode(buf, avail, 1024, &len), FRAME_NEED_MORE);
		assert_int_equal(len, 5);
	}
	len = LEN_SENTINEL;
	assert_int_equal(frame_decode(buf, total, 1024, &len), FRAME_READY);
	assert_int_equal(len, 5);
	assert_memory_equal(buf + FRAME_HEADER_LEN, "hello", 5);
	/* Extra bytes after the frame do not change the answer. */
	assert_int_equal(frame_decode(buf, sizeof(buf), 1024, &len), FRAME_READY);
	assert_int_equal(len, 5);
}

static void test_exactly_max(void **state)
{
	const uint32_t max = 16;
	uint8_t buf[FRAME_HEADER_LEN + 16];
	uint32_t len = LEN_SENTINEL;

	(void)state;
	put_frame(buf, "0123456789abcdef", max);
	assert_int_equal(frame_decode(buf, sizeof(buf) - 1, max, &len), FRAME_NEED_MORE);
	assert_int_equal(len, max);
	assert_int_equal(frame_decode(buf, sizeof(buf), max, &len), FRAME_READY);
	assert_int_equal(len, max);
}

static void test_exactly_default_max(void **state)
{
	size_t total = FRAME_HEADER_LEN + (size_t)FRAME_DEFAULT_MAX;
	uint8_t *buf = calloc(1, total);
	uint32_t len = LEN_SENTINEL;

	(void)state;
	assert_non_null(buf);
	frame_put_header(buf, FRAME_DEFAULT_MAX);
	assert_int_equal(frame_decode(buf, FRAME_HEADER_LEN, FRAME_DEFAULT_MAX, &len),
			 FRAME_NEED_MORE);
	assert_int_equal(len, FRAME_DEFAULT_MAX);
	assert_int_equal(frame_decode(buf, total, FRAME_DEFAULT_MAX, &len), FRAME_READY);
	assert_int_equal(len, FRAME_DEFAULT_MAX);
	free(buf);
}

static void test_too_large(void **state)
{
	uint8_t hdr[FRAME_HEADER_LEN];
	uint32_t len = LEN_SENTINEL;

	(void)state;
	/* Refused from the header alone, before any body byte arrives. */
	frame_put_header(hdr, FRAME_DEFAULT_MAX + 1);
	assert_int_equal(frame_decode(hdr, sizeof(hdr), FRAME_DEFAULT_MAX, &len),
			 FRAME_TOO_LARGE);
	assert_int_equal(len, FRAME_DEFAULT_MAX + 1);

	frame_put_header(hdr, 17);
	assert_int_equal(frame_decode(hdr, sizeof(hdr), 16, &len), FRAME_TOO_LARGE);
	assert_int_equal(len, 17);

	frame_put_header(hdr, 0xFFFFFFFFu);
	assert_int_equal(frame_decode(hdr, sizeof(hdr), FRAME_DEFAULT_MAX, &len),
			 FRAME_TOO_LARGE);
	assert_int_equal(len, 0xFFFFFFFFu);
	/* ... but an incomplete header of a huge frame is still "need more". */
	assert_int_equal(frame_decode(hdr, 3, FRAME_DEFAULT_MAX, &len), FRAME_NEED_MORE);
}

static void test_empty(void **state)
{
	uint8_t buf[8] = { 0, 0, 0, 0, 1, 2, 3, 4 };
	uint32_t len = LEN_SENTINEL;

	(void)state;
	assert_int_equal(frame_decode(buf, FRAME_HEADER_LEN, FRAME_DEFAULT_MAX, &len),
			 FRAME_EMPTY);
	assert_int_equal(len, 0);
	assert_int_equal(frame_decode(buf, sizeof(buf), FRAME_DEFAULT_MAX, &len), FRAME_EMPTY);
	assert_int_equal(frame_decode(buf, 3, FRAME_DEFAULT_MAX, &len), FRAME_NEED_MORE);
}

static void test_back_to_back(void **state)
{
	uint8_t buf[64];
	size_t a = put_frame(buf, "abc", 3);
	size_t b = put_frame(buf + a, "xy", 2);
	size_t off = 0;
	uint32_t len = LEN_SENTINEL;

	(void)state;
	assert_int_equal(frame_decode(buf + off, a + b, 1024, &len), FRAME_READY);
	assert_int_equal(len, 3);
	assert_memory_equal(buf + off + FRAME_HEADER_LEN, "abc", 3);
	off += FRAME_HEADER_LEN + len;
	assert_int_equal(off, a);

	assert_int_equal(frame_decode(buf + off, a + b - off, 1024, &len), FRAME_READY);
	assert_int_equal(len, 2);
	assert_memory_equal(buf + off + FRAME_HEADER_LEN, "xy", 2);
	off += FRAME_HEADER_LEN + len;
	assert_int_equal(off, a + b);

	assert_int_equal(frame_decode(buf + off, a + b - off, 1024, &len), FRAME_NEED_MORE);

	/* Second frame only partly arrived. */
	assert_int_equal(frame_decode(buf + a, b - 1, 1024, &len), FRAME_NEED_MORE);
	assert_int_equal(len, 2);
}

/* Random input: READY only when header + body are really there and in range. */
static void test_random_input(void **state)
{
	uint8_t buf[32];
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 200000; iter++) {
		size_t avail;
		uint32_t max, len = LEN_SENTINEL;
		uint8_t *exact;
		FrameStatus st;

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		/* Small lengths often enough to hit READY. */
		if (iter % 2) {
			memset(buf, 0, 3);
			buf[3] &= 0x1F;
		}
		avail = (seed >> 8) % (sizeof(buf) + 1);
		max = (seed >> 4) % 40;
		/* An exact-size copy, so ASan catches any read past avail. */
		exact = malloc(avail > 0 ? avail : 1);
		assert_non_null(exact);
		memcpy(exact, buf, avail);
		st = frame_decode(exact, avail, max, &len);
		free(exact);
		switch (st) {
		case FRAME_READY:
			assert_true(len > 0 && len <= max);
			assert_true(avail >= FRAME_HEADER_LEN + (size_t)len);
			break;
		case FRAME_NEED_MORE:
			assert_true(avail < FRAME_HEADER_LEN ||
				    avail < FRAME_HEADER_LEN + (size_t)len);
			break;
		case FRAME_TOO_LARGE:
			assert_true(avail >= FRAME_HEADER_LEN && len > max);
			break;
		case FRAME_EMPTY:
			assert_true(avail >= FRAME_HEADER_LEN && len == 0);
			break;
		default:
			fail_msg("unexpected status %d", (int)st);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_byte_order),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_exactly_max),
		cmocka_unit_test(test_exactly_default_max),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}

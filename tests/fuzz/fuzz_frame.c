/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_frame: common/frame.c frame_decode() against a one-line model of the
 * framing rules. The input is a byte stream as a till might send it; every
 * prefix of it (the stream cut after 0, 1, ... n bytes, as reads may cut it)
 * is decoded with several maxima around the announced length, and each
 * answer must be what the rules say:
 *   fewer than 4 bytes    -> NEED_MORE, *len = 0
 *   announced len == 0    -> EMPTY (and only then)
 *   len > max             -> TOO_LARGE (and only then)
 *   len <= max, enough    -> READY (and only then), else NEED_MORE
 * Then the whole input is walked frame by frame, as a session does, and no
 * READY may claim more bytes than were given; frame_put_header() must give
 * back the length it was told.
 */
#include <string.h>

#include "frame.h"
#include "fuzz.h"

/* Short prefixes get their own exact-size copy, so ASan sees an over-read. */
#define FUZZ_FRAME_COPY_MAX 16

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* What frame_decode() must answer for buf[0..avail) with this max. */
static FrameStatus model(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *len)
{
	*len = 0;
	if (avail < FRAME_HEADER_LEN)
		return FRAME_NEED_MORE;
	*len = be32(buf);
	if (*len == 0)
		return FRAME_EMPTY;
	if (*len > max)
		return FRAME_TOO_LARGE;
	return avail - FRAME_HEADER_LEN >= *len ? FRAME_READY : FRAME_NEED_MORE;
}

static void check_prefix(const uint8_t *data, size_t k, uint32_t max)
{
	uint8_t *copy = NULL;
	const uint8_t *buf = data;
	uint32_t len = 0xDEADBEEFu, want_len;
	FrameStatus st, want;

	if (k <= FUZZ_FRAME_COPY_MAX) {
		copy = malloc(k ? k : 1);
		FUZZ_CHECK(copy != NULL);
		if (k)
			memcpy(copy, data, k);
		buf = copy;
	}
	st = frame_decode(buf, k, max, &len);
	want = model(data, k, max, &want_len);
	FUZZ_CHECK(st == want);
	FUZZ_CHECK(len == want_len);
	/* The same rules, spelled as the invariants the brief states. */
	FUZZ_CHECK(st != FRAME_READY || (len <= max && k >= FRAME_HEADER_LEN + (size_t)len));
	FUZZ_CHECK((st == FRAME_TOO_LARGE) == (k >= FRAME_HEADER_LEN && len > max));
	FUZZ_CHECK((st == FRAME_EMPTY) == (k >= FRAME_HEADER_LEN && len == 0));
	free(copy);
}

/* Take frames off the front as a session would; never past the end. */
static void walk_stream(const uint8_t *data, size_t size, uint32_t max)
{
	size_t off = 0;

	for (;;) {
		uint32_t len;
		FrameStatus st = frame_decode(data + off, size - off, max, &len);

		if (st != FRAME_READY)
			break;
		FUZZ_CHECK(len > 0 && len <= max);
		FUZZ_CHECK(size - off >= FRAME_HEADER_LEN + (size_t)len);
		off += FRAME_HEADER_LEN + (size_t)len;
	}
	FUZZ_CHECK(off <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t maxima[8], hdr_len = size >= FRAME_HEADER_LEN ? be32(data) : 0;
	uint8_t hdr[FRAME_HEADER_LEN];
	size_t n_max = 0;

	/* Maxima at and around the announced length, plus the usual ones. */
	maxima[n_max++] = FRAME_DEFAULT_MAX;
	maxima[n_max++] = 0;
	maxima[n_max++] = 1;
	maxima[n_max++] = UINT32_MAX;
	maxima[n_max++] = hdr_len;
	maxima[n_max++] = hdr_len - 1;	/* unsigned: wraps to UINT32_MAX for 0 */
	maxima[n_max++] = hdr_len + 1;
	maxima[n_max++] = (uint32_t)size;

	for (size_t m = 0; m < n_max; m++) {
		for (size_t k = 0; k <= size; k++)
			check_prefix(data, k, maxima[m]);
		walk_stream(data, size, maxima[m]);
	}

	/* The encoder and decoder agree on the header. */
	frame_put_header(hdr, hdr_len);
	FUZZ_CHECK(be32(hdr) == hdr_len);
	return 0;
}

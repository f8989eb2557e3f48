/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame: decode and encode the 4-byte big-endian length header that
 * precedes every protobuf message on the wire. frame_decode() only looks at
 * bytes already received, so a session can call it after every read: it
 * answers "need more" until the header and the whole body are there, and it
 * rejects an oversized or empty frame as soon as the header is complete,
 * before any body byte is buffered for it.
 */
#include "frame.h"
#include "util.h"

FrameStatus frame_decode(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *len)
{
	uint32_t n;

	*len = 0;
	if (avail < FRAME_HEADER_LEN)
		return FRAME_NEED_MORE;
	n = load_be32(buf);
	*len = n;
	if (n == 0)
		return FRAME_EMPTY;
	if (n > max)
		return FRAME_TOO_LARGE;
	if (avail - FRAME_HEADER_LEN < (size_t)n)
		return FRAME_NEED_MORE;
	return FRAME_READY;
}

void frame_put_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len)
{
	store_be32(hdr, len);
}

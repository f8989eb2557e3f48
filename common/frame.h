/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame: the wire framing. A frame is a 4-byte big-endian length followed by
 * that many bytes of one packed protobuf message. The decoder looks at what
 * has arrived so far and says whether a whole frame is there; it never
 * allocates, so the caller controls memory (the length is checked against
 * the maximum before anything is buffered for it).
 */
#ifndef KASSA_FRAME_H
#define KASSA_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_LEN 4
#define FRAME_DEFAULT_MAX (1024u * 1024u)	/* 1 MiB */

typedef enum FrameStatus {
	FRAME_NEED_MORE = 0,	/* not a whole frame yet; read more */
	FRAME_READY = 1,	/* header + *len body bytes are available */
	FRAME_TOO_LARGE = 2,	/* announced length exceeds max: close the peer */
	FRAME_EMPTY = 3,	/* announced length 0: not a valid message */
} FrameStatus;

/*
 * Look at the avail bytes at buf (the start of a frame). Sets *len to the
 * body length as soon as the header is complete (also for TOO_LARGE).
 */
FrameStatus frame_decode(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *len);

/* Write the 4-byte header for a body of len bytes. */
void frame_put_header(uint8_t hdr[FRAME_HEADER_LEN], uint32_t len);

#endif

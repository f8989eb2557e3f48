/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h: the one entry point every fuzz target defines, with the signature
 * libFuzzer expects. The same object is linked either with libFuzzer
 * (-fsanitize=fuzzer, clang only) or with replay_main.c, the standalone
 * driver that the normal build runs as a CTest test. A target reports a
 * broken invariant with FUZZ_CHECK(), which aborts, so both drivers (and
 * libFuzzer's crash minimiser) see it as a crash.
 */
#ifndef KASSA_FUZZ_H
#define KASSA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Run one input. data[0..size) is only valid during the call; the function
 * must not keep it. Returns 0 (libFuzzer reserves other values).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with file:line and the condition when an invariant does not hold. */
#define FUZZ_CHECK(cond)								\
	do {										\
		if (!(cond)) {								\
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,	\
				__LINE__, #cond);					\
			abort();							\
		}									\
	} while (0)

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holdout.c: see holdout.h.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "holdout.h"

bool holdout_is_held_out(uint64_t seed, int64_t member_id, uint32_t holdout_bp)
{
	(void)seed;
	(void)member_id;
	(void)holdout_bp;
	return false;
}

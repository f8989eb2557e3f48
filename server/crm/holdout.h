/* SPDX-License-Identifier: Apache-2.0 */
/*
 * holdout.h: a campaign's control group. Pure: whether a member is held
 * out depends only on the campaign's seed, the member's id and the share
 * held out, so the split is reproducible from what the campaign stores.
 */
#ifndef KASSA_HOLDOUT_H
#define KASSA_HOLDOUT_H

#include <stdbool.h>
#include <stdint.h>

/* Whether member_id is in the holdout of a campaign with this seed holding out holdout_bp / 10000. */
bool holdout_is_held_out(uint64_t seed, int64_t member_id, uint32_t holdout_bp);

#endif

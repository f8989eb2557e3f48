/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_followups.c: follow-ups, points adjustments and coupon definition changes.
 *
 * Placeholder of the groundwork commit: being written.
 */
#include "kc_followups.h"

typedef int kc_followups_placeholder;

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_followups.h: follow-ups, points adjustments and coupon definition changes.
 */
#ifndef KASSA_KC_FOLLOWUPS_H
#define KASSA_KC_FOLLOWUPS_H

#include "kassa_client.h"

#endif

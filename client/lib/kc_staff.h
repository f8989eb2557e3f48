/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_staff: staff administration requests. StaffUnlock: a manager of the
 * staff member's store, or an administrator, lifts the lockout kassad puts
 * on a staff member after too many wrong PINs in a row (Login and refund
 * approvals alike), and sets their count of wrong PINs back to 0. One
 * kc_call() (kc_transport.h); *resp as for kc_call().
 */
#ifndef KASSA_KC_STAFF_H
#define KASSA_KC_STAFF_H

#include <stdint.h>

#include "kc_transport.h"

/*
 * Unlock staff_id. key is the idempotency key; NULL makes a fresh one (a
 * caller that wants to retry passes its own). Answered with a
 * StaffUnlocked (was_locked: whether a lock was in force); a retry with
 * the same key answers the same.
 */
KcResult kc_staff_unlock(KassaClient *kc, int64_t staff_id, const char *key,
			 Kassa__V1__Response **resp);

#endif

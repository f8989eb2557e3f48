/* SPDX-License-Identifier: Apache-2.0 */
/* kc_staff: the staff administration request wrappers (see kc_staff.h). */
#include "kc_staff.h"

#include "kc_build.h"

KcResult kc_staff_unlock(KassaClient *kc, int64_t staff_id, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StaffUnlock su = KASSA__V1__STAFF_UNLOCK__INIT;
	char fresh[KC_KEY_LEN];

	su.staff_id = staff_id;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_STAFF_UNLOCK;
	req.staff_unlock = &su;
	return kc_call(kc, &req, resp);
}

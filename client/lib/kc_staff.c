/* SPDX-License-Identifier: Apache-2.0 */
/* kc_staff: the staff administration request wrappers (see kc_staff.h; builders: kc_req.h). */
#include "kc_staff.h"

#include "kc_req.h"

KcResult kc_staff_unlock(KassaClient *kc, int64_t staff_id, const char *key,
			 Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_staff_unlock(&r, staff_id, key);
	return kc_call(kc, &r.req, resp);
}

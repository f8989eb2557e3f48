/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_rights: a member's data rights request wrappers (see kc_rights.h):
 * one builder of kc_req.h and one kc_call() each.
 */
#include "kc_rights.h"

#include "kc_req.h"

KcResult kc_member_data_export(KassaClient *kc, int64_t member_id, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_data_export(&r, member_id);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_erase(KassaClient *kc, int64_t member_id, const char *reason,
			 const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_erase(&r, member_id, reason, key);
	return kc_call(kc, &r.req, resp);
}

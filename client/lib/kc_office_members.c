/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_office_members: head office's member request wrappers (see
 * kc_office_members.h): one builder of kc_req.h and one kc_call() each.
 */
#include "kc_office_members.h"

#include "kc_req.h"

KcResult kc_member_360(KassaClient *kc, int64_t member_id, uint32_t limit,
		       Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_360(&r, member_id, limit);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_find(KassaClient *kc, Kassa__V1__MemberFilter *filter, const char *segment,
			uint32_t version, uint32_t limit, const char *after, bool count_only,
			Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_find(&r, filter, segment, version, limit, after, count_only);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_segment_save(KassaClient *kc, const char *name, const char *description,
			 Kassa__V1__MemberFilter *filter, const char *key,
			 Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_segment_save(&r, name, description, filter, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_segment_get(KassaClient *kc, const char *name, uint32_t version,
			Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_segment_get(&r, name, version);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_segment_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_segment_list(&r);
	return kc_call(kc, &r.req, resp);
}

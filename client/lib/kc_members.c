/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_members: the member request wrappers (see kc_members.h). Each builds
 * its Request with the one builder of it (kc_req.h) and hands it to
 * kc_call().
 */
#include "kc_members.h"

#include "kc_req.h"

KcResult kc_member_register(KassaClient *kc, const Kassa__V1__MemberRegister *reg,
			    const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_register(&r, reg, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_get_by_id(KassaClient *kc, int64_t member_id, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_get_by_id(&r, member_id);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_get_by_phone(KassaClient *kc, const char *phone, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_get_by_phone(&r, phone);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_get_by_card(KassaClient *kc, const char *card_no, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_get_by_card(&r, card_no);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_get_by_qr(KassaClient *kc, const char *qr_payload, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_get_by_qr(&r, qr_payload);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_search_name(KassaClient *kc, const char *prefix, uint32_t limit,
			       Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_search_name(&r, prefix, limit);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_search_phone(KassaClient *kc, const char *suffix, uint32_t limit,
				Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_search_phone(&r, suffix, limit);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_update(KassaClient *kc, int64_t member_id,
			  const Kassa__V1__MemberRegister *values, const char *const *fields,
			  size_t nfields, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_update(&r, member_id, values, fields, nfields, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_member_history(KassaClient *kc, int64_t member_id, uint32_t limit,
			   const char *before, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_member_history(&r, member_id, limit, before);
	return kc_call(kc, &r.req, resp);
}

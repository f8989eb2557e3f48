/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_loyalty: the loyalty configuration and job request wrappers (see
 * kc_loyalty.h), each one builder of kc_req.h and one kc_call().
 */
#include "kc_loyalty.h"

#include "kc_req.h"

KcResult kc_rule_set_get(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_rule_set_get(&r);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_rule_set_put(KassaClient *kc, const char *json, const char *note, const char *key,
			 Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_rule_set_put(&r, json, note, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_coupon_define(KassaClient *kc, const Kassa__V1__CouponDefine *def, const char *key,
			  Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_coupon_define(&r, def, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_coupon_issue(KassaClient *kc, int64_t member_id, int64_t def_id,
			 const char *claim_code, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_coupon_issue(&r, member_id, def_id, claim_code, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_points_expire(KassaClient *kc, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_points_expire(&r, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_tier_set(KassaClient *kc, int64_t member_id, const char *tier, const char *reason,
		     const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_tier_set(&r, member_id, tier, reason, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_tier_reevaluate(KassaClient *kc, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_tier_reevaluate(&r, key);
	return kc_call(kc, &r.req, resp);
}

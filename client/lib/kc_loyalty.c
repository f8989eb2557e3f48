/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_loyalty: the loyalty configuration and job request wrappers (see
 * kc_loyalty.h).
 */
#include "kc_loyalty.h"

#include "kc_build.h"

KcResult kc_rule_set_get(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RuleSetGet get = KASSA__V1__RULE_SET_GET__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_RULE_SET_GET;
	req.rule_set_get = &get;
	return kc_call(kc, &req, resp);
}

KcResult kc_rule_set_put(KassaClient *kc, const char *json, const char *note, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__RuleSetPut put = KASSA__V1__RULE_SET_PUT__INIT;
	char fresh[KC_KEY_LEN];

	put.config_json = (char *)(json != NULL ? json : "");
	put.note = (char *)(note != NULL ? note : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_RULE_SET_PUT;
	req.rule_set_put = &put;
	return kc_call(kc, &req, resp);
}

KcResult kc_coupon_define(KassaClient *kc, const Kassa__V1__CouponDefine *def, const char *key,
			  Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	char fresh[KC_KEY_LEN];

	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_COUPON_DEFINE;
	req.coupon_define = (Kassa__V1__CouponDefine *)def;
	return kc_call(kc, &req, resp);
}

KcResult kc_coupon_issue(KassaClient *kc, int64_t member_id, int64_t def_id,
			 const char *claim_code, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CouponIssue ci = KASSA__V1__COUPON_ISSUE__INIT;
	char fresh[KC_KEY_LEN];

	ci.member_id = member_id;
	ci.def_id = def_id;
	ci.claim_code = (char *)(claim_code != NULL ? claim_code : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_COUPON_ISSUE;
	req.coupon_issue = &ci;
	return kc_call(kc, &req, resp);
}

KcResult kc_points_expire(KassaClient *kc, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__PointsExpire pe = KASSA__V1__POINTS_EXPIRE__INIT;
	char fresh[KC_KEY_LEN];

	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_POINTS_EXPIRE;
	req.points_expire = &pe;
	return kc_call(kc, &req, resp);
}

KcResult kc_tier_set(KassaClient *kc, int64_t member_id, const char *tier, const char *reason,
		     const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TierSet ts = KASSA__V1__TIER_SET__INIT;
	char fresh[KC_KEY_LEN];

	ts.member_id = member_id;
	ts.tier = (char *)(tier != NULL ? tier : "");
	ts.reason = (char *)(reason != NULL ? reason : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_TIER_SET;
	req.tier_set = &ts;
	return kc_call(kc, &req, resp);
}

KcResult kc_tier_reevaluate(KassaClient *kc, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TierReevaluate tr = KASSA__V1__TIER_REEVALUATE__INIT;
	char fresh[KC_KEY_LEN];

	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_TIER_REEVALUATE;
	req.tier_reevaluate = &tr;
	return kc_call(kc, &req, resp);
}

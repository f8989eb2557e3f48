/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_loyalty: the loyalty configuration and job requests of the client
 * library: the rule set (read, save a new version), coupon definitions
 * and issuing, points expiry, setting and re-evaluating tiers. Most are
 * head office's (kassa-office); a till claims a coupon with the code a
 * member brought. Each wrapper is one kc_call() (kc_transport.h); *resp as
 * for kc_call(); strings and messages are borrowed for the call. key is
 * the idempotency key of a request that changes state, NULL = a fresh one
 * (a caller that wants to report or reuse the key passes its own). The
 * server decides who may do what.
 */
#ifndef KASSA_KC_LOYALTY_H
#define KASSA_KC_LOYALTY_H

#include <stdint.h>

#include "kc_transport.h"

/* The rule set in force (RuleSetInfo). */
KcResult kc_rule_set_get(KassaClient *kc, Kassa__V1__Response **resp);

/* Save json as the next rule-set version (admin); note may be NULL. Answered with a RuleSetInfo. */
KcResult kc_rule_set_put(KassaClient *kc, const char *json, const char *note, const char *key,
			 Kassa__V1__Response **resp);

/* Define a coupon (admin). Answered with CouponDefined. */
KcResult kc_coupon_define(KassaClient *kc, const Kassa__V1__CouponDefine *def, const char *key,
			  Kassa__V1__Response **resp);

/*
 * Give member_id a coupon: by definition def_id (manager or admin), or by
 * the claim_code the member brought (def_id 0; any store staff). Answered
 * with the Coupon.
 */
KcResult kc_coupon_issue(KassaClient *kc, int64_t member_id, int64_t def_id,
			 const char *claim_code, const char *key, Kassa__V1__Response **resp);

/* Run the points expiry now (admin). Answered with PointsExpired. */
KcResult kc_points_expire(KassaClient *kc, const char *key, Kassa__V1__Response **resp);

/* Set member_id's tier by hand (manager or admin; audited). Answered with the Member. */
KcResult kc_tier_set(KassaClient *kc, int64_t member_id, const char *tier, const char *reason,
		     const char *key, Kassa__V1__Response **resp);

/* Re-evaluate every member's tier now (admin). Answered with TierReevaluated. */
KcResult kc_tier_reevaluate(KassaClient *kc, const char *key, Kassa__V1__Response **resp);

#endif

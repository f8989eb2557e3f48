/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_followups.h: follow-ups (回访), points adjustments and coupon
 * definition changes: one builder per request (a KcFupReq, sent by
 * kc_call() or by the till's till_call()) and one wrapper each that builds
 * and sends it (*resp as for kc_call(); key is the idempotency key, NULL =
 * a fresh one). Strings and messages passed in are borrowed for the call.
 */
#ifndef KASSA_KC_FOLLOWUPS_H
#define KASSA_KC_FOLLOWUPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "kassa_client.h"
#include "kc_transport.h"

/* One request of this family and what it points into. */
typedef struct KcFupReq {
	Kassa__V1__Request req;
	union {
		Kassa__V1__FollowupRulesPut rules_put;
		Kassa__V1__FollowupRulesGet rules_get;
		Kassa__V1__FollowupList list;
		Kassa__V1__FollowupRecord record;
		Kassa__V1__PointsAdjust points_adjust;
		Kassa__V1__CouponDefChange coupon_change;
	} body;
	char key[KC_KEY_LEN];
} KcFupReq;

void kc_req_followup_rules_put(KcFupReq *r, Kassa__V1__FollowupRule **rules, size_t n,
			       const char *key);
void kc_req_followup_rules_get(KcFupReq *r);
/* store_id 0 = the till's store (head office: every store); staff_id 0 = anyone's; state "" = due. */
void kc_req_followup_list(KcFupReq *r, int64_t store_id, int64_t staff_id, const char *state,
			  uint32_t limit, const char *after);
/* outcome "" = only hand it to assign_staff_id. */
void kc_req_followup_record(KcFupReq *r, int64_t followup_id, const char *outcome,
			    const char *note, int64_t assign_staff_id, const char *key);
void kc_req_points_adjust(KcFupReq *r, int64_t member_id, int64_t points, const char *reason,
			  const char *key);
/* replacement NULL: deactivate def_id; else replace it by replacement. */
void kc_req_coupon_def_change(KcFupReq *r, int64_t def_id,
			      Kassa__V1__CouponDefine *replacement, const char *key);

KcResult kc_followup_rules_put(KassaClient *kc, Kassa__V1__FollowupRule **rules, size_t n,
			       const char *key, Kassa__V1__Response **resp);
KcResult kc_followup_rules_get(KassaClient *kc, Kassa__V1__Response **resp);
KcResult kc_followup_list(KassaClient *kc, int64_t store_id, int64_t staff_id,
			  const char *state, uint32_t limit, const char *after,
			  Kassa__V1__Response **resp);
KcResult kc_followup_record(KassaClient *kc, int64_t followup_id, const char *outcome,
			    const char *note, int64_t assign_staff_id, const char *key,
			    Kassa__V1__Response **resp);
KcResult kc_points_adjust(KassaClient *kc, int64_t member_id, int64_t points,
			  const char *reason, const char *key, Kassa__V1__Response **resp);
KcResult kc_coupon_def_change(KassaClient *kc, int64_t def_id,
			      Kassa__V1__CouponDefine *replacement, const char *key,
			      Kassa__V1__Response **resp);

/* The words of the commands kassa-office and the till's script share. */
typedef enum KcFupVerb {
	KC_FUP_LIST,		/* followup list [store=ID] [staff=ID] [state=S] [limit=N] [after=C] */
	KC_FUP_RECORD,		/* followup record ID [outcome=O] [note=TEXT] [assign=STAFF] */
	KC_FUP_POINTS,		/* points adjust MEMBER POINTS reason=TEXT | --reason TEXT */
} KcFupVerb;

/*
 * Build r for verb from the n words after it (keys[i] = vals[i], vals[i]
 * NULL for a plain word; borrowed for the call); NULL, or the usage line
 * when they are wrong. POINTS may be negative ("-200").
 */
const char *kc_fup_parse(KcFupReq *r, KcFupVerb verb, char *const *keys, char *const *vals,
			 int n);

/* A follow-up, and a points adjustment's answer, as JSON (new references; machine words). */
json_t *kc_followup_json(const Kassa__V1__Followup *f);
json_t *kc_points_adjusted_json(const Kassa__V1__PointsAdjusted *p);

#endif

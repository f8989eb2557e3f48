/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_json: the JSON shapes the command-line clients print (kassa-till
 * --script, kassa-office), built with jansson from protocol messages, so
 * that a member or a transaction looks the same in every tool.
 *
 * Money appears twice: as an integer of minor units ("total_minor": 10000)
 * and as formatted text ("total": "100.00"). Enumerations appear as short
 * words ("cash", "sms", "f"). Every json_t returned is a new reference the
 * caller owns (json_decref); message arguments are borrowed.
 */
#ifndef KC_JSON_H
#define KC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "kassa.pb-c.h"
#include "kassa_client.h"

/* Set "<name>_minor": minor and "<name>": "12.34" on obj. */
void kcj_money(json_t *obj, const char *name, int64_t minor);

/* A member; full_phone adds "phone" (head office); tills only get "phone_masked". */
json_t *kcj_member(const Kassa__V1__Member *m, bool full_phone);
/*
 * A member's RFM scores and class ("rfm": recency frequency monetary class
 * recency_days visits spend) and portrait ("portrait": avg_basket
 * favourite_categories usual_store_id usual_store usual_hour
 * visit_interval_days visits first_visit last_visit); kcj_member() adds
 * them when the server sent them.
 */
json_t *kcj_rfm(const Kassa__V1__Rfm *r);
json_t *kcj_portrait(const Kassa__V1__Portrait *p);
/* A member's recommendations (Member.recommendations), best first, as a JSON array. */
json_t *kcj_recommendations(Kassa__V1__Recommendation *const *v, size_t n);
/* A member's coupons as a JSON array. */
json_t *kcj_coupons(Kassa__V1__Coupon *const *v, size_t n);
json_t *kcj_product(const Kassa__V1__Product *p);
json_t *kcj_transaction(const Kassa__V1__Transaction *t);

/* One coupon: code name kind value percent_bp cap min_spend item_sku valid_to stackable. */
json_t *kcj_coupon(const Kassa__V1__Coupon *c);
/* A refund: what went back (money per tender, points, stored value) and the balances after. */
json_t *kcj_refund(const Kassa__V1__RefundRecord *r);
/* A top-up: amount, bonus and the wallet after. */
json_t *kcj_topup(const Kassa__V1__TopUpRecord *t);
/*
 * A rule-set version; "config" is the document as a JSON object when it
 * parses (as it always should), else the text as the server sent it.
 */
json_t *kcj_rule_set(const Kassa__V1__RuleSetInfo *r);

/* "fixed", "percent", "free_item" ("" for unspecified). */
const char *kcj_coupon_kind_name(Kassa__V1__CouponKind k);

/* "cash", "card", "ewallet" ("" for unspecified); and back (false if unknown). */
const char *kcj_tender_name(Kassa__V1__TenderKind k);
/* "f", "m", "o", "" and "sms", "email", "wechat", "". */
const char *kcj_gender_name(Kassa__V1__Gender g);
const char *kcj_channel_name(Kassa__V1__Channel c);

/* {"ok":true,"cmd":cmd} to add result fields to. */
json_t *kcj_ok(const char *cmd);
/* {"ok":false,"cmd":cmd,"code":code,"detail":detail,"message":message}. */
json_t *kcj_fail(const char *cmd, const char *code, const char *detail, const char *message);
/* The failure object for a response whose status is not OK. */
json_t *kcj_fail_resp(const char *cmd, const Kassa__V1__Response *resp);
/*
 * The failure object for a transport error: code UNAVAILABLE, detail
 * CONNECTION_LOST, TIMEOUT or PROTOCOL_ERROR.
 */
json_t *kcj_fail_io(const char *cmd, KcResult r, const char *message);

/* Print obj as one compact line on stdout, flush, and drop the reference. */
void kcj_emit(json_t *obj);

#endif

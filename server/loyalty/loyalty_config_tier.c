/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config_tier.c: TierSet. A manager or an administrator puts a member into a
 * tier of the rule set in force, with a reason; kassa_tier_set() checks the
 * tier against the newest version (not kassad's copy, which may be older),
 * marks it manual so that the re-evaluation job leaves it alone, and audits
 * it. The answer is the member as MemberGet shows it to a manager, built
 * from kassa_member_json() (the same columns member.c reads).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "loyalty_config.h"
#include "coupon_json.h"
#include "db.h"
#include "log.h"
#include "phone.h"
#include "ruleset.h"

#define TIER_REASON_MAX 200		/* characters */
#define TIER_QR_PREFIX "KASSA1:"	/* as member.c's MEMBER_QR_PREFIX */

static int st_tier_set;

void loyalty_config_tier_setup(void)
{
	st_tier_set = db_stmt_add("tier_set",
		"SELECT kassa_tier_set($1, $2, $3, $4, $5, $6, $7)", DB_LANE_WORK);
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return (char *)(s ? s : "");
}

/* What a Member borrows besides the JSON document. */
typedef struct TierMember {
	Kassa__V1__Member m;
	Kassa__V1__Money spend;
	char masked[PHONE_MAX];
	char qr[80];
	char **tags;			/* owned array; strings borrowed from the JSON */
	Kassa__V1__Coupon **coupons;	/* owned (coupon_pb_free); strings borrowed */
} TierMember;

/* Fill t from kassa_member_json()'s object o; strings stay borrowed from o. */
static void member_from_json(TierMember *t, json_t *o)
{
	Kassa__V1__Member *m = &t->m;
	json_t *tags = json_object_get(o, "tags"), *loy = json_object_get(o, "loyalty");

	kassa__v1__member__init(m);
	kassa__v1__money__init(&t->spend);
	m->member_id = jint(o, "member_id");
	m->name = jstr(o, "name");
	m->phone = jstr(o, "phone");	/* managers and administrators see it whole */
	phone_mask(m->phone, t->masked, sizeof(t->masked));
	m->phone_masked = t->masked;
	m->card_no = jstr(o, "card_no");
	m->birthday = jstr(o, "birthday");
	m->gender = (Kassa__V1__Gender)jint(o, "gender");
	m->email = jstr(o, "email");
	m->address = jstr(o, "address");
	m->preferred_channel = (Kassa__V1__Channel)jint(o, "preferred_channel");
	m->marketing_consent = json_is_true(json_object_get(o, "marketing_consent"));
	m->n_tags = json_is_array(tags) ? json_array_size(tags) : 0;
	t->tags = xcalloc(m->n_tags + 1, sizeof(char *));
	for (size_t i = 0; i < m->n_tags; i++) {
		const char *s = json_string_value(json_array_get(tags, i));

		t->tags[i] = (char *)(s ? s : "");
	}
	m->tags = t->tags;
	m->notes = jstr(o, "notes");
	m->points_balance = jint(o, "points_balance");
	t->spend.minor = jint(o, "cumulative_spend");
	t->spend.currency = jstr(o, "currency");
	m->cumulative_spend = &t->spend;
	m->tier = jstr(o, "tier");
	m->created_at = jstr(o, "created_at");
	snprintf(t->qr, sizeof(t->qr), TIER_QR_PREFIX "%s", m->card_no);
	m->qr_payload = t->qr;
	m->tier_discount_bp = (int32_t)jint(loy, "tier_discount_bp");
	m->points_redeemable = jint(loy, "points_redeemable");
	m->stored_value_minor = jint(loy, "wallet");
	t->coupons = coupon_pb_from_json(json_object_get(loy, "coupons"), &m->n_coupons);
	m->coupons = t->coupons;
}

static void tier_set_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	TierMember t;
	json_t *o;

	if (!call_db_ok(c, st, res))
		return;
	o = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		log_error("tier set: the database answered no member");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_MEMBER_JSON", "internal error");
		return;
	}
	member_from_json(&t, o);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER;
	resp.member = &t.m;
	call_reply(c, &resp);
	free(t.tags);
	coupon_pb_free(t.coupons);
	json_decref(o);
}

/* A reason someone can read: 1-200 characters, not only spaces, one line. */
static bool reason_is_valid(const char *s)
{
	size_t n = loyalty_config_text_chars(s);

	return n >= 1 && n <= TIER_REASON_MAX && strspn(s, " ") < strlen(s) &&
	       !loyalty_config_has_control(s);
}

void handle_tier_set(Call *c)
{
	const Kassa__V1__TierSet *t = c->req->tier_set;
	char member[24];
	LoyaltyConfigParams ap;

	if (t->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
			  "give the member's id");
		return;
	}
	if (t->tier[0] == '\0' || strlen(t->tier) >= RULESET_TIER_NAME_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_TIER",
			  "the rule set in force has no tier \"%.*s\"", RULESET_TIER_NAME_MAX,
			  t->tier);
		return;
	}
	if (!reason_is_valid(t->reason)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON",
			  "say why, in 1-%d characters on one line", TIER_REASON_MAX);
		return;
	}
	snprintf(member, sizeof(member), "%lld", (long long)t->member_id);
	loyalty_config_params_init(&ap, c, &t->base);

	const char *params[7] = {
		ap.till, ap.staff, c->req->idempotency_key, sqltext_str(&ap.hash),
		member, t->tier, t->reason,
	};
	db_query(st_tier_set, 7, params, tier_set_cb, c);
	loyalty_config_params_free(&ap);
}

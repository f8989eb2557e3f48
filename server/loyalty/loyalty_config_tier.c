/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loyalty_config_tier.c: TierSet. A manager or an administrator puts a member into a
 * tier of the rule set in force, with a reason. kassad reloads the rule set
 * (kassad's copy may be older than the newest version) and checks the tier
 * against it; kassa_tier_set() then takes the version it was checked
 * against and refuses the change if another has come into force meanwhile
 * (the check is then made again), marks the tier manual so that the
 * re-evaluation job leaves it alone, and audits it. The answer is the
 * member as MemberGet shows it to a manager, built from kassa_member_json()
 * (the same columns member.c reads) and, for the tier's discount and the
 * points redeemable, the parsed rule set (SQL never reads its document).
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
#include "rules.h"
#include "ruleset.h"
#include "ruleset_cache.h"

#define TIER_REASON_MAX 200		/* characters */
#define TIER_RULES_ATTEMPTS 3		/* the rule set changed under the request this often */
#define TIER_QR_PREFIX "KASSA1:"	/* as member.c's MEMBER_QR_PREFIX */

static int st_tier_set;

void loyalty_config_tier_setup(void)
{
	st_tier_set = db_stmt_add("tier_set",
		"SELECT kassa_tier_set($1, $2, $3, $4, $5, $6, $7, $8)", DB_LANE_WORK);
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

/*
 * Fill t from kassa_member_json()'s object o and the rule set rs (as
 * member.c does: a tier rs does not know has no discount; the points
 * redeemable are whole steps of the balance); strings stay borrowed from o.
 */
static void member_from_json(TierMember *t, json_t *o, const RuleSet *rs)
{
	int tier;
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
	tier = ruleset_tier_index(rs, m->tier);
	m->tier_discount_bp = tier >= 0 ? rs->tiers[tier].discount_bp : 0;
	m->points_redeemable = rules_points_redeemable(m->points_balance, rs->points_step);
	m->stored_value_minor = jint(loy, "wallet");
	t->coupons = coupon_pb_from_json(json_object_get(loy, "coupons"), &m->n_coupons);
	m->coupons = t->coupons;
}

static void tier_set_rules(Call *c);

/* A rule set newer than the one the request was checked (or built) with: check again. */
static bool tier_set_again(Call *c, bool stale)
{
	if (!stale || c->attempts >= TIER_RULES_ATTEMPTS)
		return false;
	c->attempts++;
	log_call(c, LOG_LVL_INFO,
		 "tier set: the rule set changed under the request; checking it again");
	tier_set_rules(c);	/* the same key: a request already done replays */
	return true;
}

static void tier_set_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	const RuleSet *rs = ruleset_current();
	TierMember t;
	json_t *o;

	if (!call_is_orphan(c) &&
	    tier_set_again(c, st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA409") == 0 &&
			   strcmp(db_errmsg(res), "STALE_RULES") == 0))
		return;
	if (!call_db_ok(c, st, res))
		return;
	o = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	if (!json_is_object(o) || rs == NULL) {
		json_decref(o);
		log_call(c, LOG_LVL_ERROR, "tier set: the database answered no member");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_MEMBER_JSON", "internal error");
		return;
	}
	if (tier_set_again(c, jint(json_object_get(o, "loyalty"), "rule_version") >
			   rs->version)) {
		json_decref(o);		/* a replay built with a newer version */
		return;
	}
	member_from_json(&t, o, rs);
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

/* The rule set in force is loaded: check the tier against it, then send the change. */
static void tier_set_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__TierSet *t = c->req->tier_set;
	const RuleSet *rs;
	char member[24], version[16];
	LoyaltyConfigParams ap;

	if (!ruleset_reload_ok(c, st, res))
		return;
	rs = ruleset_current();
	if (ruleset_tier_index(rs, t->tier) < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_TIER",
			  "the rule set in force has no tier \"%s\"", t->tier);
		return;
	}
	snprintf(member, sizeof(member), "%lld", (long long)t->member_id);
	snprintf(version, sizeof(version), "%d", (int)rs->version);
	loyalty_config_params_init(&ap, c, &t->base);

	const char *params[8] = {
		ap.till, ap.staff, c->req->idempotency_key, sqltext_str(&ap.hash),
		member, t->tier, t->reason, version,
	};
	db_query(st_tier_set, 8, params, tier_set_cb, c);
	loyalty_config_params_free(&ap);
}

/* Read the newest rule set: kassad's copy may be older than the version in force. */
static void tier_set_rules(Call *c)
{
	ruleset_reload(tier_set_rules_cb, c);
}

void handle_tier_set(Call *c)
{
	const Kassa__V1__TierSet *t = c->req->tier_set;

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
	tier_set_rules(c);
}

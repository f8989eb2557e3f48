/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_followups.c: follow-ups, points adjustments and coupon definition
 * changes (see kc_followups.h): the builders and their kc_call() wrappers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kc_build.h"
#include "kc_followups.h"

/* Start r as a request of body case bc; key NULL = none, "" never. */
static void fup_init(KcFupReq *r, Kassa__V1__Request__BodyCase bc)
{
	memset(r, 0, sizeof(*r));
	kassa__v1__request__init(&r->req);
	r->req.body_case = bc;
}

static void fup_key(KcFupReq *r, const char *key)
{
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

static char *str(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

void kc_req_followup_rules_put(KcFupReq *r, Kassa__V1__FollowupRule **rules, size_t n,
			       const char *key)
{
	fup_init(r, KASSA__V1__REQUEST__BODY_FOLLOWUP_RULES_PUT);
	kassa__v1__followup_rules_put__init(&r->body.rules_put);
	r->body.rules_put.rules = rules;
	r->body.rules_put.n_rules = n;
	r->req.followup_rules_put = &r->body.rules_put;
	fup_key(r, key);
}

void kc_req_followup_rules_get(KcFupReq *r)
{
	fup_init(r, KASSA__V1__REQUEST__BODY_FOLLOWUP_RULES_GET);
	kassa__v1__followup_rules_get__init(&r->body.rules_get);
	r->req.followup_rules_get = &r->body.rules_get;
}

void kc_req_followup_list(KcFupReq *r, int64_t store_id, int64_t staff_id, const char *state,
			  uint32_t limit, const char *after)
{
	Kassa__V1__FollowupList *q = &r->body.list;

	fup_init(r, KASSA__V1__REQUEST__BODY_FOLLOWUP_LIST);
	kassa__v1__followup_list__init(q);
	q->store_id = store_id;
	q->staff_id = staff_id;
	q->state = str(state);
	q->limit = limit;
	q->after = str(after);
	r->req.followup_list = q;
}

void kc_req_followup_record(KcFupReq *r, int64_t followup_id, const char *outcome,
			    const char *note, int64_t assign_staff_id, const char *key)
{
	Kassa__V1__FollowupRecord *q = &r->body.record;

	fup_init(r, KASSA__V1__REQUEST__BODY_FOLLOWUP_RECORD);
	kassa__v1__followup_record__init(q);
	q->followup_id = followup_id;
	q->outcome = str(outcome);
	q->note = str(note);
	q->assign_staff_id = assign_staff_id;
	r->req.followup_record = q;
	fup_key(r, key);
}

void kc_req_points_adjust(KcFupReq *r, int64_t member_id, int64_t points, const char *reason,
			  const char *key)
{
	Kassa__V1__PointsAdjust *q = &r->body.points_adjust;

	fup_init(r, KASSA__V1__REQUEST__BODY_POINTS_ADJUST);
	kassa__v1__points_adjust__init(q);
	q->member_id = member_id;
	q->points = points;
	q->reason = str(reason);
	r->req.points_adjust = q;
	fup_key(r, key);
}

void kc_req_coupon_def_change(KcFupReq *r, int64_t def_id,
			      Kassa__V1__CouponDefine *replacement, const char *key)
{
	Kassa__V1__CouponDefChange *q = &r->body.coupon_change;

	fup_init(r, KASSA__V1__REQUEST__BODY_COUPON_DEF_CHANGE);
	kassa__v1__coupon_def_change__init(q);
	q->def_id = def_id;
	q->deactivate = replacement == NULL;
	q->replacement = replacement;
	r->req.coupon_def_change = q;
	fup_key(r, key);
}

KcResult kc_followup_rules_put(KassaClient *kc, Kassa__V1__FollowupRule **rules, size_t n,
			       const char *key, Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_followup_rules_put(&r, rules, n, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_followup_rules_get(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_followup_rules_get(&r);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_followup_list(KassaClient *kc, int64_t store_id, int64_t staff_id,
			  const char *state, uint32_t limit, const char *after,
			  Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_followup_list(&r, store_id, staff_id, state, limit, after);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_followup_record(KassaClient *kc, int64_t followup_id, const char *outcome,
			    const char *note, int64_t assign_staff_id, const char *key,
			    Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_followup_record(&r, followup_id, outcome, note, assign_staff_id, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_points_adjust(KassaClient *kc, int64_t member_id, int64_t points,
			  const char *reason, const char *key, Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_points_adjust(&r, member_id, points, reason, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_coupon_def_change(KassaClient *kc, int64_t def_id,
			      Kassa__V1__CouponDefine *replacement, const char *key,
			      Kassa__V1__Response **resp)
{
	KcFupReq r;

	kc_req_coupon_def_change(&r, def_id, replacement, key);
	return kc_call(kc, &r.req, resp);
}

/* A whole number, with a sign if it has one; false if s is not one. */
static bool parse_signed(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return false;
	*out = v;
	return true;
}

static bool parse_id(const char *s, int64_t *out)
{
	return parse_signed(s, out) && *out > 0 && s[0] != '+';
}

static const char *const fup_usage[] = {
	[KC_FUP_LIST] = "followup list [store=ID] [staff=ID] "
			"[state=due|overdue|open|done|all] [limit=N] [after=CURSOR]",
	[KC_FUP_RECORD] = "followup record ID [outcome=reached|no_answer|declined] "
			  "[note=TEXT] [assign=STAFF]",
	[KC_FUP_POINTS] = "points adjust MEMBER POINTS reason=TEXT (or --reason TEXT)",
};

static const char *fup_list(KcFupReq *r, char *const *keys, char *const *vals, int n)
{
	int64_t store = 0, staff = 0, limit = 0;
	const char *state = "", *after = "";

	for (int i = 0; i < n; i++) {
		bool ok = vals[i] != NULL;

		if (ok && strcmp(keys[i], "store") == 0)
			ok = parse_id(vals[i], &store);
		else if (ok && strcmp(keys[i], "staff") == 0)
			ok = parse_id(vals[i], &staff);
		else if (ok && strcmp(keys[i], "limit") == 0)
			ok = parse_id(vals[i], &limit) && limit <= 500;
		else if (ok && strcmp(keys[i], "state") == 0)
			state = vals[i];
		else if (ok && strcmp(keys[i], "after") == 0)
			after = vals[i];
		else
			ok = false;
		if (!ok)
			return fup_usage[KC_FUP_LIST];
	}
	kc_req_followup_list(r, store, staff, state, (uint32_t)limit, after);
	return NULL;
}

static const char *fup_record(KcFupReq *r, char *const *keys, char *const *vals, int n)
{
	int64_t id, assign = 0;
	const char *outcome = "", *note = "";

	if (n < 1 || vals[0] != NULL || !parse_id(keys[0], &id))
		return fup_usage[KC_FUP_RECORD];
	for (int i = 1; i < n; i++) {
		bool ok = vals[i] != NULL;

		if (ok && strcmp(keys[i], "outcome") == 0)
			outcome = vals[i];
		else if (ok && strcmp(keys[i], "note") == 0)
			note = vals[i];
		else if (ok && strcmp(keys[i], "assign") == 0)
			ok = parse_id(vals[i], &assign);
		else
			ok = false;
		if (!ok)
			return fup_usage[KC_FUP_RECORD];
	}
	if (outcome[0] == '\0' && assign == 0)
		return fup_usage[KC_FUP_RECORD];
	kc_req_followup_record(r, id, outcome, note, assign, NULL);
	return NULL;
}

static const char *fup_points(KcFupReq *r, char *const *keys, char *const *vals, int n)
{
	int64_t member, points;
	const char *reason = NULL;

	if (n < 2 || vals[0] != NULL || vals[1] != NULL || !parse_id(keys[0], &member) ||
	    !parse_signed(keys[1], &points))
		return fup_usage[KC_FUP_POINTS];
	for (int i = 2; i < n; i++) {
		if (reason != NULL)
			return fup_usage[KC_FUP_POINTS];
		if (vals[i] != NULL && strcmp(keys[i], "reason") == 0)
			reason = vals[i];
		else if (vals[i] == NULL && strcmp(keys[i], "--reason") == 0 && i + 1 < n &&
			 vals[i + 1] == NULL)
			reason = keys[++i];
		else
			return fup_usage[KC_FUP_POINTS];
	}
	if (reason == NULL)
		return fup_usage[KC_FUP_POINTS];
	kc_req_points_adjust(r, member, points, reason, NULL);
	return NULL;
}

const char *kc_fup_parse(KcFupReq *r, KcFupVerb verb, char *const *keys, char *const *vals,
			 int n)
{
	switch (verb) {
	case KC_FUP_LIST:
		return fup_list(r, keys, vals, n);
	case KC_FUP_RECORD:
		return fup_record(r, keys, vals, n);
	case KC_FUP_POINTS:
		return fup_points(r, keys, vals, n);
	}
	return fup_usage[KC_FUP_LIST];
}

json_t *kc_followup_json(const Kassa__V1__Followup *f)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:i,s:b}",
			 "followup_id", (json_int_t)f->followup_id,
			 "member_id", (json_int_t)f->member_id,
			 "store_id", (json_int_t)f->store_id,
			 "staff_id", (json_int_t)f->staff_id, "rule", f->rule, "kind", f->kind,
			 "due_on", f->due_on, "state", f->state, "outcome", f->outcome,
			 "note", f->note, "txn_id", (json_int_t)f->txn_id,
			 "complaint_id", (json_int_t)f->complaint_id, "done_at", f->done_at,
			 "done_by", (json_int_t)f->done_by, "attempts", (int)f->attempts,
			 "overdue", f->overdue);
}

json_t *kc_points_adjusted_json(const Kassa__V1__PointsAdjusted *p)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "member_id", (json_int_t)p->member_id,
			 "entry_id", (json_int_t)p->entry_id, "points", (json_int_t)p->points,
			 "points_balance", (json_int_t)p->points_balance);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * profile.c: Member360, head office's view of one member: the member as
 * MemberGet gives it (member.c's builder: loyalty summary, panel, RFM
 * scores and portrait), and the newest entries of every list: refunds,
 * the points and stored-value ledgers with the balance after each entry,
 * coupons with their status, feedback given, complaints and follow-ups
 * (summaries), count cards (balance, state, expiry); and the totals (purchases,
 * refunds, each ledger's sum), erased and merged_into. Purchases page
 * through MemberHistory (history.c).
 *
 * One prepared statement on the report lane reads it all: the member's
 * columns as member.c reads them and kassa_member_360_json()
 * (migrations/functions/member360.sql) for the lists; the answer is built
 * inside the callback from the borrowed result. A rule set newer than
 * kassad's makes member.c reload it and profile_again() read once more.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "i18n.h"
#include "log.h"
#include "core.h"
#include "member_answer.h"
#include "members.h"

#define PROFILE_DEFAULT 20	/* entries per list when limit is 0 */
#define PROFILE_MAX 200
#define PROFILE_JSON_COL (MEMBER_RECO_COL + 1)

static int st_profile;

void member_profile_setup(void)
{
	/* $1 member, $2 $3 the panel's (member_panel_params), $4 entries per list */
	st_profile = db_stmt_add("member_360",
		"SELECT " MEMBER_ONE_COLUMNS MEMBER_PANEL_COLUMNS
		", kassa_member_360_json(member_id, $4::integer) FROM members WHERE member_id = $1",
		DB_LANE_REPORT);
}

static void profile_db_cb(void *arg, DbStatus st, const PGresult *res);

/* 1. Read the member and its lists (again after a rule set reload). */
static void profile_query(Call *c, const char *member_id)
{
	const Kassa__V1__Member360 *q = c->req->member_360;
	unsigned limit = q->limit ? q->limit : PROFILE_DEFAULT;
	char months[16], lim[16];
	const char *params[4] = { member_id, NULL, months, lim };

	if (limit > PROFILE_MAX)
		limit = PROFILE_MAX;
	snprintf(lim, sizeof(lim), "%u", limit);
	member_panel_params(&params[1], months);
	db_query(st_profile, 4, params, profile_db_cb, c);
}

void handle_member_360(Call *c)
{
	char id[24];

	if (c->req->member_360->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER_ID", "%s",
			  _("give a member id"));
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)c->req->member_360->member_id);
	profile_query(c, id);
}

/* ---- 2. the answer ---- */

/* What the lists' messages are built in; strings borrow from the JSON. */
typedef struct ProfileLists {
	Kassa__V1__RefundSummary *refunds, **rp;
	Kassa__V1__LedgerEntry *points, **pp;
	Kassa__V1__LedgerEntry *wallet, **wp;
	Kassa__V1__CouponRecord *coupons, **cp;
	Kassa__V1__FeedbackEntry *feedback, **fp;
	Kassa__V1__ComplaintSummary *complaints, **kp;
	Kassa__V1__FollowupSummary *followups, **up;
	Kassa__V1__CountCard *cards, **dp;
} ProfileLists;

static char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (char *)(s ? s : "");
}

static int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Allocate n elements of size sz and n pointers to them (n may be 0). */
static void *list_alloc(size_t n, size_t sz, void ***ptrs)
{
	char *v = xcalloc(n + 1, sz);

	*ptrs = xcalloc(n + 1, sizeof(void *));
	for (size_t i = 0; i < n; i++)
		(*ptrs)[i] = v + i * sz;
	return v;
}

static void ledger_fill(const json_t *arr, Kassa__V1__LedgerEntry **e,
			Kassa__V1__LedgerEntry ***ep, size_t *n)
{
	*n = json_array_size(arr);
	*e = list_alloc(*n, sizeof(**e), (void ***)ep);
	for (size_t i = 0; i < *n; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__LedgerEntry *l = &(*e)[i];

		kassa__v1__ledger_entry__init(l);
		l->entry_id = jint(o, "entry_id");
		l->kind = jstr(o, "kind");
		l->amount = jint(o, "amount");
		l->txn_id = jint(o, "txn_id");
		l->refund_id = jint(o, "refund_id");
		l->created_at = jstr(o, "created_at");
		l->balance_after = jint(o, "balance_after");
	}
}

static void refunds_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_refunds = json_array_size(arr);
	l->refunds = list_alloc(p->n_refunds, sizeof(*l->refunds), (void ***)&l->rp);
	for (size_t i = 0; i < p->n_refunds; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__RefundSummary *r = &l->refunds[i];

		kassa__v1__refund_summary__init(r);
		r->refund_id = jint(o, "refund_id");
		r->txn_id = jint(o, "txn_id");
		r->receipt_no = jstr(o, "receipt_no");
		r->created_at = jstr(o, "created_at");
		r->amount_minor = jint(o, "amount_minor");
		r->points_clawed = jint(o, "points_clawed");
		r->store_name = jstr(o, "store_name");
	}
	p->refunds = l->rp;
}

static void coupons_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_coupons = json_array_size(arr);
	l->coupons = list_alloc(p->n_coupons, sizeof(*l->coupons), (void ***)&l->cp);
	for (size_t i = 0; i < p->n_coupons; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__CouponRecord *r = &l->coupons[i];

		kassa__v1__coupon_record__init(r);
		r->code = jstr(o, "code");
		r->name = jstr(o, "name");
		r->status = jstr(o, "status");
		r->issued_at = jstr(o, "issued_at");
		r->valid_to = jstr(o, "valid_to");
		r->used_at = jstr(o, "used_at");
		r->txn_id = jint(o, "txn_id");
	}
	p->coupons = l->cp;
}

static void feedback_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_feedback = json_array_size(arr);
	l->feedback = list_alloc(p->n_feedback, sizeof(*l->feedback), (void ***)&l->fp);
	for (size_t i = 0; i < p->n_feedback; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__FeedbackEntry *f = &l->feedback[i];

		kassa__v1__feedback_entry__init(f);
		f->txn_id = jint(o, "txn_id");
		f->rating = (int32_t)jint(o, "rating");
		f->comment = jstr(o, "comment");
		f->created_at = jstr(o, "created_at");
		f->store_name = jstr(o, "store_name");
	}
	p->feedback = l->fp;
}

static void complaints_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_complaints = json_array_size(arr);
	l->complaints = list_alloc(p->n_complaints, sizeof(*l->complaints), (void ***)&l->kp);
	for (size_t i = 0; i < p->n_complaints; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__ComplaintSummary *k = &l->complaints[i];

		kassa__v1__complaint_summary__init(k);
		k->complaint_id = jint(o, "complaint_id");
		k->status = jstr(o, "status");
		k->category = jstr(o, "category");
		k->opened_at = jstr(o, "opened_at");
		k->resolved_at = jstr(o, "resolved_at");
	}
	p->complaints = l->kp;
}

static void followups_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_followups = json_array_size(arr);
	l->followups = list_alloc(p->n_followups, sizeof(*l->followups), (void ***)&l->up);
	for (size_t i = 0; i < p->n_followups; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__FollowupSummary *f = &l->followups[i];

		kassa__v1__followup_summary__init(f);
		f->followup_id = jint(o, "followup_id");
		f->kind = jstr(o, "kind");
		f->due_on = jstr(o, "due_on");
		f->state = jstr(o, "state");
		f->outcome = jstr(o, "outcome");
	}
	p->followups = l->up;
}

static void cards_fill(const json_t *arr, Kassa__V1__MemberProfile *p, ProfileLists *l)
{
	p->n_cards = json_array_size(arr);
	l->cards = list_alloc(p->n_cards, sizeof(*l->cards), (void ***)&l->dp);
	for (size_t i = 0; i < p->n_cards; i++) {
		const json_t *o = json_array_get(arr, i);
		Kassa__V1__CountCard *d = &l->cards[i];

		kassa__v1__count_card__init(d);
		d->card_id = jint(o, "card_id");
		d->member_id = p->member != NULL ? p->member->member_id : 0;
		d->sku = jstr(o, "sku");
		d->name = jstr(o, "name");
		d->visits = (int32_t)jint(o, "visits");
		d->remaining = (int32_t)jint(o, "remaining");
		d->state = jstr(o, "state");
		d->expires_at = jstr(o, "expires_at");
	}
	p->cards = l->dp;
}

void member_reco_fill(Kassa__V1__Member *m, const char *json, MemberReco *r)
{
	size_t n;

	memset(r, 0, sizeof(*r));
	r->doc = json_loads(json, 0, NULL);
	n = json_array_size(r->doc);
	r->recs = list_alloc(n, sizeof(*r->recs), (void ***)&r->rp);
	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_array_get(r->doc, i);
		Kassa__V1__Recommendation *x = &r->recs[i];

		kassa__v1__recommendation__init(x);
		x->product_id = jint(o, "product_id");
		x->sku = jstr(o, "sku");
		x->name = jstr(o, "name");
		x->reason = jstr(o, "reason");
		x->score_milli = (int32_t)jint(o, "score_milli");
		x->because_sku = jstr(o, "because_sku");
	}
	m->n_recommendations = n;
	m->recommendations = r->rp;
}

void member_reco_clear(MemberReco *r)
{
	json_decref(r->doc);
	free(r->recs);
	free(r->rp);
	memset(r, 0, sizeof(*r));
}

static void lists_free(ProfileLists *l)
{
	free(l->refunds);
	free(l->rp);
	free(l->points);
	free(l->pp);
	free(l->wallet);
	free(l->wp);
	free(l->coupons);
	free(l->cp);
	free(l->feedback);
	free(l->fp);
	free(l->complaints);
	free(l->kp);
	free(l->followups);
	free(l->up);
	free(l->cards);
	free(l->dp);
}

/* Fill p's lists and totals from kassa_member_360_json()'s document doc. */
static void profile_fill(Kassa__V1__MemberProfile *p, const json_t *doc, ProfileLists *l)
{
	refunds_fill(json_object_get(doc, "refunds"), p, l);
	ledger_fill(json_object_get(doc, "points"), &l->points, &l->pp, &p->n_points);
	p->points = l->pp;
	ledger_fill(json_object_get(doc, "stored_value"), &l->wallet, &l->wp,
		    &p->n_stored_value);
	p->stored_value = l->wp;
	coupons_fill(json_object_get(doc, "coupons"), p, l);
	feedback_fill(json_object_get(doc, "feedback"), p, l);
	complaints_fill(json_object_get(doc, "complaints"), p, l);
	followups_fill(json_object_get(doc, "followups"), p, l);
	cards_fill(json_object_get(doc, "cards"), p, l);
	p->purchases = jint(doc, "purchases");
	p->refunds_total = jint(doc, "refunds_total");
	p->points_ledger_sum = jint(doc, "points_sum");
	p->stored_value_ledger_sum = jint(doc, "wallet_sum");
	p->erased = json_is_true(json_object_get(doc, "erased"));
	p->merged_into = jint(doc, "merged_into");
}

static void profile_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberProfile p = KASSA__V1__MEMBER_PROFILE__INIT;
	ProfileLists lists = { 0 };
	MemberAnswer a;
	json_error_t err;
	json_t *doc;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND", "%s",
			  _("no such member"));
		return;
	}
	doc = json_loads(PQgetvalue(res, 0, PROFILE_JSON_COL), 0, &err);
	if (!json_is_object(doc)) {
		log_call(c, LOG_LVL_ERROR, "could not parse a member 360 from the database"
			 " (line %d, column %d)", err.line, err.column);
		json_decref(doc);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_PROFILE_JSON", "%s",
			  _("internal error"));
		return;
	}
	if (!member_answer_build(c, res, &a, profile_query)) {
		json_decref(doc);
		return;
	}
	p.member = &a.m;
	profile_fill(&p, doc, &lists);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_PROFILE;
	resp.member_profile = &p;
	call_reply(c, &resp);
	lists_free(&lists);
	member_answer_clear(&a);
	json_decref(doc);
}

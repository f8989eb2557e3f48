/* SPDX-License-Identifier: Apache-2.0 */
/*
 * member_cmds.c: kassa-office's head-office member commands: the member
 * 360, the search of the whole base by filter or saved segment, and saved
 * segments; each prints one JSON object on one line, as the other office
 * commands do:
 *
 *   member 360 ID [limit=N]
 *   member find [FILTER WORDS] [segment=NAME [version=N]] [limit=N] [after=CURSOR] [count]
 *   segment save NAME [description=TEXT] FILTER WORDS
 *   segment show NAME [version=N]
 *   segment list
 *
 * The filter words (office_filter_arg(), shared with the export
 * commands): phone= card= name= tag= tier= class= birthday_month= store=
 * visit_from= visit_to= spend_min= spend_max= (amounts like 12.34)
 * consent=yes|no. The server checks the values (a month 13, a date that
 * does not exist, min above max, a short phone suffix) and says what is
 * wrong; here only what cannot be put into a MemberFilter is refused.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kassa_client.h"
#include "kc_json.h"
#include "money.h"
#include "office.h"

/* A whole number 0..max from s. */
static bool parse_uint(const char *s, int64_t max, int64_t *out)
{
	return kc_parse_i64(s, out) && *out >= 0 && *out <= max;
}

OfficeFilterArg office_filter_arg(Kassa__V1__MemberFilter *f, const char *key, char *val,
				  const char **why)
{
	int64_t v;

	*why = NULL;
	if (strcmp(key, "phone") == 0) {
		f->phone = val;
	} else if (strcmp(key, "card") == 0) {
		f->card_no = val;
	} else if (strcmp(key, "name") == 0) {
		f->name_prefix = val;
	} else if (strcmp(key, "tag") == 0) {
		f->tag = val;
	} else if (strcmp(key, "tier") == 0) {
		f->tier = val;
	} else if (strcmp(key, "class") == 0) {
		f->class_ = val;
	} else if (strcmp(key, "birthday_month") == 0) {
		if (!parse_uint(val, UINT32_MAX, &v))
			*why = _("birthday_month is a month number 1-12");
		else
			f->birthday_month = (uint32_t)v;
	} else if (strcmp(key, "store") == 0) {
		if (!kc_parse_i64(val, &f->store_id) || f->store_id <= 0)
			*why = _("store is a store id");
	} else if (strcmp(key, "visit_from") == 0) {
		f->last_visit_from = val;
	} else if (strcmp(key, "visit_to") == 0) {
		f->last_visit_to = val;
	} else if (strcmp(key, "spend_min") == 0) {
		if (!money_parse(val, &f->spend_min_minor))
			*why = _("spend_min is an amount like 12.34");
	} else if (strcmp(key, "spend_max") == 0) {
		if (!money_parse(val, &f->spend_max_minor))
			*why = _("spend_max is an amount like 12.34");
	} else if (strcmp(key, "consent") == 0) {
		if (strcmp(val, "yes") == 0)
			f->consent = KASSA__V1__CONSENT__CONSENT_YES;
		else if (strcmp(val, "no") == 0)
			f->consent = KASSA__V1__CONSENT__CONSENT_NO;
		else
			*why = _("consent is yes or no");
	} else {
		return OFFICE_FILTER_NONE;
	}
	return *why == NULL ? OFFICE_FILTER_SET : OFFICE_FILTER_BAD;
}

json_t *office_filter_json(const Kassa__V1__MemberFilter *f)
{
	json_t *o = json_object();
	char buf[MONEY_FMT_LEN];

	if (f == NULL)
		return o;
#define SET_STR(k, v) do { if ((v)[0] != '\0') json_object_set_new(o, k, json_string(v)); } while (0)
	SET_STR("phone", f->phone);
	SET_STR("card", f->card_no);
	SET_STR("name", f->name_prefix);
	SET_STR("tag", f->tag);
	SET_STR("tier", f->tier);
	SET_STR("class", f->class_);
	SET_STR("visit_from", f->last_visit_from);
	SET_STR("visit_to", f->last_visit_to);
#undef SET_STR
	if (f->birthday_month)
		json_object_set_new(o, "birthday_month", json_integer(f->birthday_month));
	if (f->store_id)
		json_object_set_new(o, "store", json_integer(f->store_id));
	if (f->spend_min_minor)
		json_object_set_new(o, "spend_min",
				    json_string(money_format(f->spend_min_minor, buf, sizeof(buf))));
	if (f->spend_max_minor)
		json_object_set_new(o, "spend_max",
				    json_string(money_format(f->spend_max_minor, buf, sizeof(buf))));
	if (f->consent == KASSA__V1__CONSENT__CONSENT_YES ||
	    f->consent == KASSA__V1__CONSENT__CONSENT_NO)
		json_object_set_new(o, "consent", json_string(f->consent ==
				    KASSA__V1__CONSENT__CONSENT_YES ? "yes" : "no"));
	return o;
}

/* Print a bad filter word's failure (BAD_FILTER); returns OFFICE_EXIT_USAGE. */
static int bad_filter(const char *cmd, const char *key, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", key, why);
	kcj_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "BAD_FILTER", msg));
	return OFFICE_EXIT_USAGE;
}

/* ---- member 360 ---- */

static json_t *ledger_json(Kassa__V1__LedgerEntry *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "entry_id", json_integer(v[i]->entry_id));
		json_object_set_new(o, "kind", json_string(v[i]->kind));
		json_object_set_new(o, "amount", json_integer(v[i]->amount));
		json_object_set_new(o, "balance_after", json_integer(v[i]->balance_after));
		json_object_set_new(o, "txn_id", json_integer(v[i]->txn_id));
		json_object_set_new(o, "refund_id", json_integer(v[i]->refund_id));
		json_object_set_new(o, "created_at", json_string(v[i]->created_at));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *refunds_json(Kassa__V1__RefundSummary *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "refund_id", json_integer(v[i]->refund_id));
		json_object_set_new(o, "txn_id", json_integer(v[i]->txn_id));
		json_object_set_new(o, "receipt_no", json_string(v[i]->receipt_no));
		json_object_set_new(o, "created_at", json_string(v[i]->created_at));
		kcj_money(o, "amount", v[i]->amount_minor);
		json_object_set_new(o, "points_clawed", json_integer(v[i]->points_clawed));
		json_object_set_new(o, "store", json_string(v[i]->store_name));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *coupons_json(Kassa__V1__CouponRecord *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "code", json_string(v[i]->code));
		json_object_set_new(o, "name", json_string(v[i]->name));
		json_object_set_new(o, "status", json_string(v[i]->status));
		json_object_set_new(o, "issued_at", json_string(v[i]->issued_at));
		json_object_set_new(o, "valid_to", json_string(v[i]->valid_to));
		json_object_set_new(o, "used_at", json_string(v[i]->used_at));
		json_object_set_new(o, "txn_id", json_integer(v[i]->txn_id));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *feedback_json(Kassa__V1__FeedbackEntry *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "txn_id", json_integer(v[i]->txn_id));
		json_object_set_new(o, "rating", json_integer(v[i]->rating));
		json_object_set_new(o, "comment", json_string(v[i]->comment));
		json_object_set_new(o, "created_at", json_string(v[i]->created_at));
		json_object_set_new(o, "store", json_string(v[i]->store_name));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *complaints_json(Kassa__V1__ComplaintSummary *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "complaint_id", json_integer(v[i]->complaint_id));
		json_object_set_new(o, "status", json_string(v[i]->status));
		json_object_set_new(o, "category", json_string(v[i]->category));
		json_object_set_new(o, "opened_at", json_string(v[i]->opened_at));
		json_object_set_new(o, "resolved_at", json_string(v[i]->resolved_at));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *followups_json(Kassa__V1__FollowupSummary *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "followup_id", json_integer(v[i]->followup_id));
		json_object_set_new(o, "kind", json_string(v[i]->kind));
		json_object_set_new(o, "due_on", json_string(v[i]->due_on));
		json_object_set_new(o, "state", json_string(v[i]->state));
		json_object_set_new(o, "outcome", json_string(v[i]->outcome));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The member's count cards: balance of visits, state and expiry (no ledger: card list). */
static json_t *cards_json(Kassa__V1__CountCard *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "card_id", json_integer(v[i]->card_id));
		json_object_set_new(o, "sku", json_string(v[i]->sku));
		json_object_set_new(o, "name", json_string(v[i]->name));
		json_object_set_new(o, "visits", json_integer(v[i]->visits));
		json_object_set_new(o, "remaining", json_integer(v[i]->remaining));
		json_object_set_new(o, "state", json_string(v[i]->state));
		json_object_set_new(o, "expires_at", json_string(v[i]->expires_at));
		json_array_append_new(arr, o);
	}
	return arr;
}

int cmd_member_360(KassaClient *kc, const Args *a)
{
	const char *cmd = "member 360", *lim = arg_get(a, "limit");
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__MemberProfile *p;
	int64_t id, limit = 0;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (a->n != 1 + (lim != NULL) || !arg_id(a, 0, &id) ||
	    (lim != NULL && !parse_uint(lim, UINT32_MAX, &limit)))
		return bad_usage(cmd, _("usage: member 360 ID [limit=N]"));
	if (!office_result(kc, cmd, kc_member_360(kc, id, (uint32_t)limit, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_MEMBER_PROFILE, &code))
		return code;
	p = resp->member_profile;
	o = kcj_ok(cmd);
	if (p->member != NULL)
		json_object_set_new(o, "member", kcj_member(p->member, true));
	json_object_set_new(o, "refunds", refunds_json(p->refunds, p->n_refunds));
	json_object_set_new(o, "points", ledger_json(p->points, p->n_points));
	json_object_set_new(o, "stored_value", ledger_json(p->stored_value, p->n_stored_value));
	json_object_set_new(o, "coupons", coupons_json(p->coupons, p->n_coupons));
	json_object_set_new(o, "feedback", feedback_json(p->feedback, p->n_feedback));
	json_object_set_new(o, "complaints", complaints_json(p->complaints, p->n_complaints));
	json_object_set_new(o, "followups", followups_json(p->followups, p->n_followups));
	json_object_set_new(o, "cards", cards_json(p->cards, p->n_cards));
	json_object_set_new(o, "purchases", json_integer(p->purchases));
	json_object_set_new(o, "refunds_total", json_integer(p->refunds_total));
	json_object_set_new(o, "points_ledger_sum", json_integer(p->points_ledger_sum));
	json_object_set_new(o, "stored_value_ledger_sum", json_integer(p->stored_value_ledger_sum));
	json_object_set_new(o, "erased", json_boolean(p->erased));
	json_object_set_new(o, "merged_into", json_integer(p->merged_into));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- member find ---- */

/* What member find was asked, beyond the filter. */
typedef struct FindArgs {
	const char *segment;	/* borrowed (argv); NULL = the filter */
	int64_t version, limit;
	const char *after;	/* borrowed; NULL = from the start */
	bool count;
} FindArgs;

/* Read a's words into f and fa; 0, or the exit code after printing why not. */
static int find_args(const char *cmd, const Args *a, Kassa__V1__MemberFilter *f, FindArgs *fa)
{
	const char *use = _("usage: member find [FILTER WORDS | segment=NAME [version=N]] "
			    "[limit=N] [after=CURSOR] [count] (the filter words: see the usage text)");
	const char *why;
	bool filtered = false;

	memset(fa, 0, sizeof(*fa));
	for (int i = 0; i < a->n; i++) {
		const char *k = a->keys[i];
		char *v = a->vals[i];

		if (v == NULL && strcmp(k, "count") == 0 && !fa->count)
			fa->count = true;
		else if (v == NULL)
			return bad_usage(cmd, use);
		else if (strcmp(k, "segment") == 0 && fa->segment == NULL)
			fa->segment = v;
		else if (strcmp(k, "version") == 0) {
			if (!parse_uint(v, UINT32_MAX, &fa->version))
				return bad_filter(cmd, k, _("version is a whole number"));
		} else if (strcmp(k, "limit") == 0) {
			if (!parse_uint(v, UINT32_MAX, &fa->limit))
				return bad_filter(cmd, k, _("limit is a whole number"));
		} else if (strcmp(k, "after") == 0 && fa->after == NULL)
			fa->after = v;
		else {
			OfficeFilterArg r = office_filter_arg(f, k, v, &why);

			if (r == OFFICE_FILTER_NONE)
				return bad_usage(cmd, use);
			if (r == OFFICE_FILTER_BAD)
				return bad_filter(cmd, k, why);
			filtered = true;
		}
	}
	if (filtered && fa->segment != NULL)
		return bad_usage(cmd, _("give filter words or segment=NAME, not both"));
	if (fa->version != 0 && fa->segment == NULL)
		return bad_usage(cmd, _("version= needs segment="));
	return 0;
}

int cmd_member_find(KassaClient *kc, const Args *a)
{
	const char *cmd = "member find";
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__MemberFound *found;
	FindArgs fa;
	int code = find_args(cmd, a, &f, &fa);
	json_t *o, *arr;

	if (code != 0)
		return code;
	if (!office_result(kc, cmd, kc_member_find(kc, fa.segment ? NULL : &f, fa.segment,
						   (uint32_t)fa.version, (uint32_t)fa.limit,
						   fa.after, fa.count, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_MEMBER_FOUND, &code))
		return code;
	found = resp->member_found;
	o = kcj_ok(cmd);
	if (fa.segment != NULL) {
		json_object_set_new(o, "segment", json_string(fa.segment));
		json_object_set_new(o, "segment_version", json_integer(found->segment_version));
	}
	if (fa.count) {
		json_object_set_new(o, "count", json_integer(found->count));
	} else {
		arr = json_array();
		for (size_t i = 0; i < found->n_members; i++)
			json_array_append_new(arr, kcj_member(found->members[i], true));
		json_object_set_new(o, "count", json_integer((json_int_t)found->n_members));
		json_object_set_new(o, "members", arr);
		json_object_set_new(o, "next", json_string(found->next));
	}
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

/* ---- segments ---- */

static json_t *segment_json(const Kassa__V1__Segment *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "version", json_integer(s->version));
	json_object_set_new(o, "description", json_string(s->description));
	json_object_set_new(o, "filter", office_filter_json(s->filter));
	json_object_set_new(o, "created_by", json_integer(s->created_by));
	json_object_set_new(o, "created_at", json_string(s->created_at));
	return o;
}

int cmd_segment_save(KassaClient *kc, const Args *a)
{
	const char *cmd = "segment save", *name = arg_word(a, 0), *description = NULL, *why;
	const char *use = _("usage: segment save NAME [description=TEXT] FILTER WORDS");
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	char key[KC_KEY_LEN];
	json_t *o;

	if (name == NULL)
		return bad_usage(cmd, use);
	for (int i = 1; i < a->n; i++) {
		OfficeFilterArg r;

		if (a->vals[i] == NULL)
			return bad_usage(cmd, use);
		if (strcmp(a->keys[i], "description") == 0 && description == NULL) {
			description = a->vals[i];
			continue;
		}
		r = office_filter_arg(&f, a->keys[i], a->vals[i], &why);
		if (r == OFFICE_FILTER_NONE)
			return bad_usage(cmd, use);
		if (r == OFFICE_FILTER_BAD)
			return bad_filter(cmd, a->keys[i], why);
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_segment_save(kc, name, description, &f, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_SEGMENT, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "segment", segment_json(resp->segment));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_segment_show(KassaClient *kc, const Args *a)
{
	const char *cmd = "segment show", *name = arg_word(a, 0), *ver = arg_get(a, "version");
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	int64_t version = 0;
	json_t *o;

	if (name == NULL || a->n != 1 + (ver != NULL) ||
	    (ver != NULL && !parse_uint(ver, UINT32_MAX, &version)))
		return bad_usage(cmd, _("usage: segment show NAME [version=N]"));
	if (!office_result(kc, cmd, kc_segment_get(kc, name, (uint32_t)version, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_SEGMENT, &code))
		return code;
	o = kcj_ok(cmd);
	json_object_set_new(o, "segment", segment_json(resp->segment));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

int cmd_segment_list(KassaClient *kc, const Args *a)
{
	const char *cmd = "segment list";
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__SegmentCatalog *cat;
	int code = OFFICE_EXIT_OK;
	json_t *o, *arr;

	if (a->n != 0)
		return bad_usage(cmd, _("usage: segment list"));
	if (!office_result(kc, cmd, kc_segment_list(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_SEGMENT_CATALOG, &code))
		return code;
	cat = resp->segment_catalog;
	o = kcj_ok(cmd);
	arr = json_array();
	for (size_t i = 0; i < cat->n_segments; i++)
		json_array_append_new(arr, segment_json(cat->segments[i]));
	json_object_set_new(o, "count", json_integer((json_int_t)cat->n_segments));
	json_object_set_new(o, "segments", arr);
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

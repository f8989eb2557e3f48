/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_json: protocol messages as the JSON objects the command-line clients
 * print (see kc_json.h).
 */
#include "kc_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

/* jansson refuses invalid UTF-8; the server only sends valid text, but be safe. */
static json_t *str(const char *s)
{
	json_t *j;

	if (s == NULL)
		s = "";
	j = json_string(s);
	return j != NULL ? j : json_string("");
}

static void set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, str(s));
}

/* obj[key] = the n strings of v as a JSON array. */
static void set_strs(json_t *obj, const char *key, char *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, str(v[i]));
	json_object_set_new(obj, key, arr);
}

static void set_int(json_t *obj, const char *key, int64_t v)
{
	json_object_set_new(obj, key, json_integer((json_int_t)v));
}

void kcj_money(json_t *obj, const char *name, int64_t minor)
{
	char key[64], buf[MONEY_FMT_LEN];

	snprintf(key, sizeof(key), "%s_minor", name);
	set_int(obj, key, minor);
	set_str(obj, name, money_format(minor, buf, sizeof(buf)));
}

const char *kcj_tender_name(Kassa__V1__TenderKind k)
{
	switch (k) {
	case KASSA__V1__TENDER_KIND__TENDER_CASH:
		return "cash";
	case KASSA__V1__TENDER_KIND__TENDER_CARD:
		return "card";
	case KASSA__V1__TENDER_KIND__TENDER_EWALLET:
		return "ewallet";
	case KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE:
		return "stored";
	default:
		return "";
	}
}

const char *kcj_gender_name(Kassa__V1__Gender g)
{
	switch (g) {
	case KASSA__V1__GENDER__GENDER_FEMALE:
		return "f";
	case KASSA__V1__GENDER__GENDER_MALE:
		return "m";
	case KASSA__V1__GENDER__GENDER_OTHER:
		return "o";
	default:
		return "";
	}
}

const char *kcj_channel_name(Kassa__V1__Channel c)
{
	switch (c) {
	case KASSA__V1__CHANNEL__CHANNEL_SMS:
		return "sms";
	case KASSA__V1__CHANNEL__CHANNEL_EMAIL:
		return "email";
	case KASSA__V1__CHANNEL__CHANNEL_WECHAT:
		return "wechat";
	default:
		return "";
	}
}

const char *kcj_coupon_kind_name(Kassa__V1__CouponKind k)
{
	switch (k) {
	case KASSA__V1__COUPON_KIND__COUPON_FIXED:
		return "fixed";
	case KASSA__V1__COUPON_KIND__COUPON_PERCENT:
		return "percent";
	case KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM:
		return "free_item";
	default:
		return "";
	}
}

json_t *kcj_coupon(const Kassa__V1__Coupon *c)
{
	json_t *o = json_object();

	set_str(o, "code", c->code);
	set_str(o, "name", c->name);
	set_str(o, "kind", kcj_coupon_kind_name(c->kind));
	kcj_money(o, "value", c->value_minor);
	set_int(o, "percent_bp", c->percent_bp);
	kcj_money(o, "cap", c->cap_minor);
	kcj_money(o, "min_spend", c->min_spend_minor);
	set_str(o, "item_sku", c->item_sku);
	set_str(o, "valid_to", c->valid_to);
	json_object_set_new(o, "stackable", json_boolean(c->stackable));
	return o;
}

json_t *kcj_coupons(Kassa__V1__Coupon *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, kcj_coupon(v[i]));
	return arr;
}

json_t *kcj_rfm(const Kassa__V1__Rfm *r)
{
	json_t *o = json_object();

	set_int(o, "recency", r->recency);
	set_int(o, "frequency", r->frequency);
	set_int(o, "monetary", r->monetary);
	set_str(o, "class", r->class_);
	set_int(o, "recency_days", r->recency_days);
	set_int(o, "visits", r->visits);
	kcj_money(o, "spend", r->spend_minor);
	set_str(o, "computed_at", r->computed_at);
	return o;
}

json_t *kcj_portrait(const Kassa__V1__Portrait *p)
{
	json_t *o = json_object();

	kcj_money(o, "avg_basket", p->avg_basket_minor);
	set_strs(o, "favourite_categories", p->favourite_categories, p->n_favourite_categories);
	set_int(o, "usual_store_id", p->usual_store_id);
	set_str(o, "usual_store", p->usual_store);
	set_int(o, "usual_hour", p->usual_hour);
	set_int(o, "visit_interval_days", p->visit_interval_days);
	set_int(o, "visits", p->visits);
	set_str(o, "first_visit", p->first_visit);
	set_str(o, "last_visit", p->last_visit);
	return o;
}

json_t *kcj_recommendations(Kassa__V1__Recommendation *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		set_int(o, "product_id", v[i]->product_id);
		set_str(o, "sku", v[i]->sku);
		set_str(o, "name", v[i]->name);
		set_str(o, "reason", v[i]->reason);
		set_int(o, "score_milli", v[i]->score_milli);
		set_str(o, "because_sku", v[i]->because_sku);
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *kcj_member(const Kassa__V1__Member *m, bool full_phone)
{
	json_t *o = json_object();

	set_int(o, "member_id", m->member_id);
	set_str(o, "name", m->name);
	if (full_phone)
		set_str(o, "phone", m->phone);
	set_str(o, "phone_masked", m->phone_masked);
	set_str(o, "card_no", m->card_no);
	set_str(o, "birthday", m->birthday);
	set_str(o, "gender", kcj_gender_name(m->gender));
	set_str(o, "email", m->email);
	set_str(o, "address", m->address);
	set_str(o, "channel", kcj_channel_name(m->preferred_channel));
	json_object_set_new(o, "consent", json_boolean(m->marketing_consent));
	set_str(o, "language", m->language);
	set_strs(o, "tags", m->tags, m->n_tags);
	set_str(o, "notes", m->notes);
	set_int(o, "points_balance", m->points_balance);
	kcj_money(o, "cumulative_spend", m->cumulative_spend ? m->cumulative_spend->minor : 0);
	set_str(o, "currency", m->cumulative_spend ? m->cumulative_spend->currency : "");
	set_str(o, "tier", m->tier);
	set_int(o, "tier_discount_bp", m->tier_discount_bp);
	set_int(o, "points_redeemable", m->points_redeemable);
	kcj_money(o, "stored_value", m->stored_value_minor);
	json_object_set_new(o, "coupons", kcj_coupons(m->coupons, m->n_coupons));
	set_str(o, "qr_payload", m->qr_payload);
	set_str(o, "created_at", m->created_at);
	if (m->rfm != NULL)
		json_object_set_new(o, "rfm", kcj_rfm(m->rfm));
	if (m->portrait != NULL)
		json_object_set_new(o, "portrait", kcj_portrait(m->portrait));
	json_object_set_new(o, "recommendations",
			    kcj_recommendations(m->recommendations, m->n_recommendations));
	return o;
}

json_t *kcj_product(const Kassa__V1__Product *p)
{
	json_t *o = json_object();

	set_int(o, "product_id", p->product_id);
	set_str(o, "sku", p->sku);
	set_str(o, "barcode", p->barcode);
	set_str(o, "name", p->name);
	set_str(o, "category", p->category);
	kcj_money(o, "price", p->price ? p->price->minor : 0);
	set_str(o, "currency", p->price ? p->price->currency : "");
	return o;
}

/* Tender records (a sale's, or how a refund pays back) as a JSON array. */
static json_t *tender_records(Kassa__V1__TenderRecord *const *v, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *to = json_object();

		set_int(to, "tender_no", v[i]->tender_no);
		set_str(to, "kind", kcj_tender_name(v[i]->kind));
		kcj_money(to, "amount", v[i]->amount_minor);
		set_str(to, "reference", v[i]->reference);
		json_array_append_new(arr, to);
	}
	return arr;
}

json_t *kcj_transaction(const Kassa__V1__Transaction *t)
{
	json_t *o = json_object(), *lines = json_array();
	size_t i;

	set_int(o, "txn_id", t->txn_id);
	set_int(o, "store_id", t->store_id);
	set_int(o, "till_id", t->till_id);
	set_int(o, "staff_id", t->staff_id);
	set_int(o, "member_id", t->member_id);
	set_str(o, "currency", t->currency);
	kcj_money(o, "total", t->total_minor);
	kcj_money(o, "tendered", t->tendered_minor);
	kcj_money(o, "change", t->change_minor);
	set_int(o, "points_earned", t->points_earned);
	set_int(o, "points_balance", t->points_balance);
	kcj_money(o, "cumulative_spend", t->cumulative_spend_minor);
	set_str(o, "created_at", t->created_at);
	kcj_money(o, "gross", t->gross_minor);
	set_str(o, "tier", t->tier);
	set_str(o, "tier_after", t->tier_after);
	kcj_money(o, "tier_saving", t->tier_saving_minor);
	kcj_money(o, "coupon_off", t->coupon_off_minor);
	set_strs(o, "coupon_codes", t->coupon_codes, t->n_coupon_codes);
	set_int(o, "points_redeemed", t->points_redeemed);
	kcj_money(o, "points_value", t->points_value_minor);
	set_int(o, "points_redeemable", t->points_redeemable);
	kcj_money(o, "stored_value_paid", t->stored_value_paid_minor);
	kcj_money(o, "stored_value_balance", t->stored_value_balance_minor);
	set_int(o, "gift_points", t->gift_points);
	set_int(o, "rule_version", t->rule_version);
	json_object_set_new(o, "usable_coupons", kcj_coupons(t->usable_coupons,
							     t->n_usable_coupons));
	for (i = 0; i < t->n_lines; i++) {
		const Kassa__V1__TransactionLine *l = t->lines[i];
		json_t *lo = json_object();

		set_int(lo, "line_no", l->line_no);
		set_int(lo, "product_id", l->product_id);
		set_str(lo, "sku", l->sku);
		set_str(lo, "name", l->name);
		set_int(lo, "quantity", l->quantity);
		kcj_money(lo, "unit_price", l->unit_price_minor);
		kcj_money(lo, "line_total", l->line_total_minor);
		kcj_money(lo, "tier_off", l->tier_off_minor);
		kcj_money(lo, "coupon_off", l->coupon_off_minor);
		kcj_money(lo, "points_off", l->points_off_minor);
		kcj_money(lo, "net", l->net_minor);
		set_int(lo, "points_earned", l->points_earned);
		set_int(lo, "gift_points", l->gift_points);
		json_array_append_new(lines, lo);
	}
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "tenders", tender_records(t->tenders, t->n_tenders));
	return o;
}

json_t *kcj_refund(const Kassa__V1__RefundRecord *r)
{
	json_t *o = json_object(), *lines = json_array();
	size_t i;

	set_int(o, "refund_id", r->refund_id);
	set_int(o, "txn_id", r->txn_id);
	set_int(o, "store_id", r->store_id);
	set_int(o, "member_id", r->member_id);
	for (i = 0; i < r->n_line_nos; i++)
		json_array_append_new(lines, json_integer(r->line_nos[i]));
	json_object_set_new(o, "line_nos", lines);
	kcj_money(o, "amount", r->amount_minor);
	json_object_set_new(o, "tenders", tender_records(r->tenders, r->n_tenders));
	set_int(o, "points_clawed_back", r->points_clawed_back);
	set_int(o, "points_restored", r->points_restored);
	kcj_money(o, "stored_value_restored", r->stored_value_restored_minor);
	set_strs(o, "coupons_restored", r->coupons_restored, r->n_coupons_restored);
	set_int(o, "points_balance", r->points_balance);
	kcj_money(o, "stored_value_balance", r->stored_value_balance_minor);
	kcj_money(o, "cumulative_spend", r->cumulative_spend_minor);
	set_str(o, "tier_after", r->tier_after);
	set_int(o, "approved_by", r->approved_by);
	set_str(o, "created_at", r->created_at);
	return o;
}

json_t *kcj_topup(const Kassa__V1__TopUpRecord *t)
{
	json_t *o = json_object();

	set_int(o, "topup_id", t->topup_id);
	set_int(o, "member_id", t->member_id);
	kcj_money(o, "amount", t->amount_minor);
	kcj_money(o, "bonus", t->bonus_minor);
	kcj_money(o, "stored_value_balance", t->stored_value_balance_minor);
	set_str(o, "created_at", t->created_at);
	return o;
}

json_t *kcj_rule_set(const Kassa__V1__RuleSetInfo *r)
{
	json_t *o = json_object(), *config;
	const char *text = r->config_json != NULL ? r->config_json : "";

	set_int(o, "version", r->version);
	config = json_loads(text, 0, NULL);
	json_object_set_new(o, "config", config != NULL ? config : str(text));
	set_str(o, "created_at", r->created_at);
	set_int(o, "staff_id", r->staff_id);
	set_str(o, "note", r->note);
	return o;
}

json_t *kcj_ok(const char *cmd)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_true());
	set_str(o, "cmd", cmd);
	return o;
}

json_t *kcj_fail(const char *cmd, const char *code, const char *detail, const char *message)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_false());
	set_str(o, "cmd", cmd);
	set_str(o, "code", code);
	set_str(o, "detail", detail);
	set_str(o, "message", message);
	return o;
}

json_t *kcj_fail_resp(const char *cmd, const Kassa__V1__Response *resp)
{
	return kcj_fail(cmd, kc_status_name(kc_status(resp)), kc_detail(resp), kc_message(resp));
}

json_t *kcj_fail_io(const char *cmd, KcResult r, const char *message)
{
	return kcj_fail(cmd, "UNAVAILABLE", r == KC_ERR_IO ? "CONNECTION_LOST" : kc_result_name(r),
			message);
}

void kcj_emit(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	fflush(stdout);
	json_decref(obj);
}

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

json_t *kcj_member(const Kassa__V1__Member *m, bool full_phone)
{
	json_t *o = json_object(), *tags = json_array();
	size_t i;

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
	for (i = 0; i < m->n_tags; i++)
		json_array_append_new(tags, str(m->tags[i]));
	json_object_set_new(o, "tags", tags);
	set_str(o, "notes", m->notes);
	set_int(o, "points_balance", m->points_balance);
	kcj_money(o, "cumulative_spend", m->cumulative_spend ? m->cumulative_spend->minor : 0);
	set_str(o, "currency", m->cumulative_spend ? m->cumulative_spend->currency : "");
	set_str(o, "tier", m->tier);
	set_str(o, "qr_payload", m->qr_payload);
	set_str(o, "created_at", m->created_at);
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

json_t *kcj_transaction(const Kassa__V1__Transaction *t)
{
	json_t *o = json_object(), *lines = json_array(), *tenders = json_array();
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
		json_array_append_new(lines, lo);
	}
	json_object_set_new(o, "lines", lines);
	for (i = 0; i < t->n_tenders; i++) {
		const Kassa__V1__TenderRecord *d = t->tenders[i];
		json_t *to = json_object();

		set_int(to, "tender_no", d->tender_no);
		set_str(to, "kind", kcj_tender_name(d->kind));
		kcj_money(to, "amount", d->amount_minor);
		set_str(to, "reference", d->reference);
		json_array_append_new(tenders, to);
	}
	json_object_set_new(o, "tenders", tenders);
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

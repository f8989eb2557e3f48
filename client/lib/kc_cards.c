/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_cards.c: service items and count cards (see kc_cards.h): the
 * builders, their kc_call() wrappers, the command words' parser and the
 * JSON of the answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kc_build.h"
#include "kc_cards.h"

/* Start r as a request of body case bc (no key yet). */
static void card_init(KcCardReq *r, Kassa__V1__Request__BodyCase bc)
{
	memset(r, 0, sizeof(*r));
	kassa__v1__request__init(&r->req);
	r->req.body_case = bc;
}

static void card_key(KcCardReq *r, const char *key)
{
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

void kc_req_service_item_put(KcCardReq *r, const char *sku, int32_t visits, int32_t days,
			     bool active, const char *key)
{
	Kassa__V1__ServiceItemPut *q = &r->body.service_put;

	card_init(r, KASSA__V1__REQUEST__BODY_SERVICE_ITEM_PUT);
	kassa__v1__service_item_put__init(q);
	q->sku = (char *)(sku != NULL ? sku : "");
	q->visits = visits;
	q->valid_days = days;
	q->inactive = !active;
	r->req.service_item_put = q;
	card_key(r, key);
}

void kc_req_card_list(KcCardReq *r, int64_t member_id, bool all)
{
	card_init(r, KASSA__V1__REQUEST__BODY_CARD_LIST);
	kassa__v1__card_list__init(&r->body.list);
	r->body.list.member_id = member_id;
	r->body.list.all = all;
	r->req.card_list = &r->body.list;
}

void kc_req_card_redeem(KcCardReq *r, int64_t card_id, int64_t member_id, int32_t visits,
			const char *key)
{
	card_init(r, KASSA__V1__REQUEST__BODY_CARD_REDEEM);
	kassa__v1__card_redeem__init(&r->body.redeem);
	r->body.redeem.card_id = card_id;
	r->body.redeem.member_id = member_id;
	r->body.redeem.visits = visits;
	r->req.card_redeem = &r->body.redeem;
	card_key(r, key);
}

void kc_req_card_refund(KcCardReq *r, int64_t card_id, const char *key)
{
	card_init(r, KASSA__V1__REQUEST__BODY_CARD_REFUND);
	kassa__v1__card_refund__init(&r->body.refund);
	r->body.refund.card_id = card_id;
	r->req.card_refund = &r->body.refund;
	card_key(r, key);
}

KcResult kc_service_item_put(KassaClient *kc, const char *sku, int32_t visits, int32_t days,
			     bool active, const char *key, Kassa__V1__Response **resp)
{
	KcCardReq r;

	kc_req_service_item_put(&r, sku, visits, days, active, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_card_list(KassaClient *kc, int64_t member_id, bool all, Kassa__V1__Response **resp)
{
	KcCardReq r;

	kc_req_card_list(&r, member_id, all);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_card_redeem(KassaClient *kc, int64_t card_id, int64_t member_id, int32_t visits,
			const char *key, Kassa__V1__Response **resp)
{
	KcCardReq r;

	kc_req_card_redeem(&r, card_id, member_id, visits, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_card_refund(KassaClient *kc, int64_t card_id, const char *key,
			Kassa__V1__Response **resp)
{
	KcCardReq r;

	kc_req_card_refund(&r, card_id, key);
	return kc_call(kc, &r.req, resp);
}

/* ---- the command words ---- */

/* A decimal number in [lo, hi]; false for anything else. */
static bool card_num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The words of "service put SKU visits=N [days=D] [active=yes|no]". */
static const char *parse_service(KcCardReq *r, char *const *keys, char *const *vals, int n)
{
	static const char use[] = "service put SKU visits=N [days=D] [active=yes|no]";
	const char *sku = NULL;
	int64_t visits = 0, days = 0;
	bool active = true;

	for (int i = 0; i < n; i++) {
		if (vals[i] == NULL && sku == NULL)
			sku = keys[i];
		else if (vals[i] != NULL && strcmp(keys[i], "visits") == 0) {
			if (!card_num(vals[i], 1, INT32_MAX, &visits))
				return use;
		} else if (vals[i] != NULL && strcmp(keys[i], "days") == 0) {
			if (!card_num(vals[i], 0, INT32_MAX, &days))
				return use;
		} else if (vals[i] != NULL && strcmp(keys[i], "active") == 0 &&
			   (strcmp(vals[i], "yes") == 0 || strcmp(vals[i], "no") == 0))
			active = strcmp(vals[i], "yes") == 0;
		else
			return use;
	}
	if (sku == NULL || visits == 0)
		return use;
	kc_req_service_item_put(r, sku, (int32_t)visits, (int32_t)days, active, NULL);
	return NULL;
}

/* The words of card list / redeem / refund: one id word, member=, visits=, all. */
static const char *parse_card(KcCardReq *r, KcCardVerb v, char *const *keys,
			      char *const *vals, int n, int64_t member)
{
	const char *use = v == KC_CARD_LIST ? "card list MEMBER|member=ID [all]" :
			  v == KC_CARD_REDEEM ? "card redeem CARD_ID [visits=N] [member=ID]" :
			  "card refund CARD_ID";
	int64_t id = 0, visits = 0;
	bool all = false;

	for (int i = 0; i < n; i++) {
		if (vals[i] == NULL && v == KC_CARD_LIST && strcmp(keys[i], "all") == 0)
			all = true;
		else if (vals[i] == NULL && id == 0) {
			if (!card_num(keys[i], 1, INT64_MAX, &id))
				return use;
		} else if (vals[i] != NULL && v != KC_CARD_REFUND &&
			   strcmp(keys[i], "member") == 0) {
			if (!card_num(vals[i], 1, INT64_MAX, &member))
				return use;
		} else if (vals[i] != NULL && v == KC_CARD_REDEEM &&
			   strcmp(keys[i], "visits") == 0) {
			if (!card_num(vals[i], 1, INT32_MAX, &visits))
				return use;
		} else
			return use;
	}
	if (v == KC_CARD_LIST) {
		if (id == 0)
			id = member;
		if (id == 0)
			return use;
		kc_req_card_list(r, id, all);
	} else if (id == 0)
		return use;
	else if (v == KC_CARD_REDEEM)
		kc_req_card_redeem(r, id, member, (int32_t)visits, NULL);
	else
		kc_req_card_refund(r, id, NULL);
	return NULL;
}

const char *kc_card_parse(KcCardReq *r, KcCardVerb v, char *const *keys, char *const *vals,
			  int n, int64_t default_member)
{
	if (v == KC_CARD_SERVICE_PUT)
		return parse_service(r, keys, vals, n);
	return parse_card(r, v, keys, vals, n, default_member);
}

/* ---- JSON ---- */

json_t *kc_service_item_json(const Kassa__V1__ServiceItem *s)
{
	return json_pack("{s:I,s:s,s:s,s:i,s:i,s:b,s:I,s:s}", "product_id",
			 (json_int_t)s->product_id, "sku", s->sku, "name", s->name, "visits",
			 (int)s->visits, "valid_days", (int)s->valid_days, "active", s->active,
			 "price_minor", (json_int_t)s->price_minor, "currency", s->currency);
}

json_t *kc_count_card_json(const Kassa__V1__CountCard *c)
{
	json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:s,s:i,s:i,s:s,s:s,s:I,s:s,s:I,s:i,s:I,s:s}",
			      "card_id", (json_int_t)c->card_id, "member_id",
			      (json_int_t)c->member_id, "product_id", (json_int_t)c->product_id,
			      "sku", c->sku, "name", c->name, "visits", (int)c->visits,
			      "remaining", (int)c->remaining, "state", c->state, "expires_at",
			      c->expires_at, "paid_minor", (json_int_t)c->paid_minor, "currency",
			      c->currency, "txn_id", (json_int_t)c->txn_id, "line_no",
			      (int)c->line_no, "store_id", (json_int_t)c->store_id, "created_at",
			      c->created_at);
	json_t *ledger;

	if (o == NULL)
		return json_null();
	if (c->entry_id != 0)
		json_object_set_new(o, "entry_id", json_integer((json_int_t)c->entry_id));
	if (c->n_ledger == 0)
		return o;
	ledger = json_array();
	for (size_t i = 0; i < c->n_ledger; i++) {
		const Kassa__V1__CardLedgerEntry *e = c->ledger[i];

		json_array_append_new(ledger,
			json_pack("{s:I,s:s,s:i,s:i,s:I,s:I,s:I,s:s}", "entry_id",
				  (json_int_t)e->entry_id, "kind", e->kind, "visits",
				  (int)e->visits, "remaining_after", (int)e->remaining_after,
				  "store_id", (json_int_t)e->store_id, "till_id",
				  (json_int_t)e->till_id, "staff_id", (json_int_t)e->staff_id,
				  "at", e->at));
	}
	json_object_set_new(o, "ledger", ledger);
	return o;
}

json_t *kc_count_card_list_json(const Kassa__V1__CountCardList *l)
{
	json_t *cards = json_array();

	for (size_t i = 0; i < l->n_cards; i++)
		json_array_append_new(cards, kc_count_card_json(l->cards[i]));
	return json_pack("{s:I,s:o}", "member_id", (json_int_t)l->member_id, "cards", cards);
}

json_t *kc_card_refunded_json(const Kassa__V1__CardRefunded *r)
{
	json_t *o = json_pack("{s:I,s:i,s:I,s:s}", "refund_id", (json_int_t)r->refund_id,
			      "visits", (int)r->visits, "amount_minor",
			      (json_int_t)r->amount_minor, "currency", r->currency);

	if (o != NULL && r->card != NULL)
		json_object_set_new(o, "card", kc_count_card_json(r->card));
	return o;
}

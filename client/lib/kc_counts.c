/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_counts.c: the requests of stock counts and transfers (see
 * kc_counts.h): one builder each, and their JSON forms.
 */
#include "kc_counts.h"

#include <errno.h>
#include <stdlib.h>

#include "kc_build.h"

static char *str(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

void kc_count_req_init(KcCountReq *r)
{
	kassa__v1__request__init(&r->req);
	r->n_items = 0;
	r->key[0] = '\0';
}

static void start(KcCountReq *r, Kassa__V1__Request__BodyCase body)
{
	kassa__v1__request__init(&r->req);
	r->req.body_case = body;
}

static void keyed(KcCountReq *r, const char *key)
{
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

void kc_count_req_open(KcCountReq *r, bool all, const char *category, char **codes, size_t n,
		       bool uncounted_zero, int64_t store_id, const char *key)
{
	Kassa__V1__CountOpen *o = &r->body.open;

	start(r, KASSA__V1__REQUEST__BODY_COUNT_OPEN);
	kassa__v1__count_open__init(o);
	o->all = all;
	o->category = str(category);
	o->codes = codes;
	o->n_codes = n;
	o->uncounted_zero = uncounted_zero;
	o->store_id = store_id;
	r->req.count_open = o;
	keyed(r, key);
}

void kc_count_req_scan(KcCountReq *r, int64_t count_id, const char *code, int64_t qty, bool set,
		       const char *key)
{
	Kassa__V1__CountScan *s = &r->body.scan;

	start(r, KASSA__V1__REQUEST__BODY_COUNT_SCAN);
	kassa__v1__count_scan__init(s);
	s->count_id = count_id;
	s->code = str(code);
	s->quantity = qty;
	s->set = set;
	r->req.count_scan = s;
	keyed(r, key);
}

void kc_count_req_get(KcCountReq *r, int64_t count_id)
{
	start(r, KASSA__V1__REQUEST__BODY_COUNT_GET);
	kassa__v1__count_get__init(&r->body.get);
	r->body.get.count_id = count_id;
	r->req.count_get = &r->body.get;
}

void kc_count_req_post(KcCountReq *r, int64_t count_id, bool cancel, const char *key)
{
	start(r, KASSA__V1__REQUEST__BODY_COUNT_POST);
	kassa__v1__count_post__init(&r->body.post);
	r->body.post.count_id = count_id;
	r->body.post.cancel = cancel;
	r->req.count_post = &r->body.post;
	keyed(r, key);
}

bool kc_transfer_item(KcCountReq *r, const char *code, const char *qty)
{
	Kassa__V1__TransferItem *it;
	char *end;
	long long v;

	if (r->n_items >= KC_TRANSFER_ITEMS_MAX || qty == NULL || *qty == '\0')
		return false;
	errno = 0;
	v = strtoll(qty, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	it = &r->items[r->n_items];
	kassa__v1__transfer_item__init(it);
	it->code = str(code);
	it->quantity = v;
	r->itemp[r->n_items++] = it;
	return true;
}

void kc_transfer_req_send(KcCountReq *r, const char *to, const char *from, const char *note,
			  const char *key)
{
	Kassa__V1__TransferSend *s = &r->body.send;

	start(r, KASSA__V1__REQUEST__BODY_TRANSFER_SEND);
	kassa__v1__transfer_send__init(s);
	s->to_store = str(to);
	s->from_store = str(from);
	s->note = str(note);
	s->n_items = r->n_items;
	s->items = r->itemp;
	r->req.transfer_send = s;
	keyed(r, key);
}

void kc_transfer_req_receive(KcCountReq *r, int64_t transfer_id, const char *key)
{
	Kassa__V1__TransferReceive *v = &r->body.receive;

	start(r, KASSA__V1__REQUEST__BODY_TRANSFER_RECEIVE);
	kassa__v1__transfer_receive__init(v);
	v->transfer_id = transfer_id;
	v->n_items = r->n_items;
	v->items = r->itemp;
	r->req.transfer_receive = v;
	keyed(r, key);
}

void kc_transfer_req_get(KcCountReq *r, int64_t transfer_id)
{
	start(r, KASSA__V1__REQUEST__BODY_TRANSFER_GET);
	kassa__v1__transfer_get__init(&r->body.tget);
	r->body.tget.transfer_id = transfer_id;
	r->req.transfer_get = &r->body.tget;
}

void kc_transfer_req_list(KcCountReq *r, int64_t store_id, const char *state, int32_t limit,
			  int64_t before_id)
{
	Kassa__V1__TransferList *l = &r->body.list;

	start(r, KASSA__V1__REQUEST__BODY_TRANSFER_LIST);
	kassa__v1__transfer_list__init(l);
	l->store_id = store_id;
	l->state = str(state);
	l->limit = limit;
	l->before_id = before_id;
	r->req.transfer_list = l;
}

json_t *kc_count_session_json(const Kassa__V1__CountSession *s)
{
	json_t *lines = json_array();
	long long units = 0;

	for (size_t i = 0; i < s->n_lines; i++) {
		const Kassa__V1__CountSessionLine *l = s->lines[i];

		units += l->counted_flag ? (long long)l->variance : 0;
		json_array_append_new(lines, json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:b}",
			"product_id", (json_int_t)l->product_id, "sku", l->sku, "name", l->name,
			"counted", (json_int_t)l->counted, "expected", (json_int_t)l->expected,
			"variance", (json_int_t)l->variance, "counted_flag", l->counted_flag));
	}
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:b,s:s,s:I,s:s,s:s,s:I,s:I,s:o}",
		"count_id", (json_int_t)s->count_id, "store_id", (json_int_t)s->store_id,
		"store", s->store_code, "scope", s->scope, "category", s->category,
		"uncounted_zero", s->uncounted_zero, "state", s->state,
		"opened_by", (json_int_t)s->opened_by, "opened_at", s->opened_at,
		"closed_at", s->closed_at, "moves", (json_int_t)s->moves,
		"variance_units", (json_int_t)units, "lines", lines);
}

json_t *kc_transfer_json(const Kassa__V1__Transfer *t)
{
	json_t *lines = json_array();

	for (size_t i = 0; i < t->n_lines; i++) {
		const Kassa__V1__TransferLine *l = t->lines[i];

		json_array_append_new(lines, json_pack("{s:I,s:s,s:s,s:I,s:I,s:I}",
			"product_id", (json_int_t)l->product_id, "sku", l->sku, "name", l->name,
			"sent", (json_int_t)l->sent, "received", (json_int_t)l->received,
			"discrepancy", (json_int_t)l->discrepancy));
	}
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:s,s:o}",
		"transfer_id", (json_int_t)t->transfer_id,
		"from_store_id", (json_int_t)t->from_store_id, "from_store", t->from_store_code,
		"to_store_id", (json_int_t)t->to_store_id, "to_store", t->to_store_code,
		"state", t->state, "note", t->note, "sent_by", (json_int_t)t->sent_by,
		"sent_at", t->sent_at, "received_by", (json_int_t)t->received_by,
		"received_at", t->received_at, "lines", lines);
}

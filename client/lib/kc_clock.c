/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_clock.c: the requests of staff time (kc_clock.h) and their JSON
 * (kc_clock_json.h).
 */
#include <stdio.h>

#include "kc_clock.h"

#include "kc_build.h"
#include "kc_clock_json.h"
#include "kc_json.h"

/* q as an empty Request of kind body, with no key and nothing allocated. */
static void clock_start(KcClockReq *q, Kassa__V1__Request__BodyCase body)
{
	kassa__v1__request__init(&q->r.req);
	q->r.req.body_case = body;
	q->r.key[0] = '\0';
	for (size_t i = 0; i < KC_REQ_HEAP; i++)
		q->r.heap[i] = NULL;
}

void kc_req_clock_in(KcClockReq *q, int64_t staff_id, const char *key)
{
	clock_start(q, KASSA__V1__REQUEST__BODY_CLOCK_IN);
	kassa__v1__clock_in__init(&q->body.in);
	q->body.in.staff_id = staff_id;
	q->r.req.clock_in = &q->body.in;
	q->r.req.idempotency_key = (char *)kc_key_or_fresh(key, q->r.key);
}

void kc_req_clock_out(KcClockReq *q, int64_t staff_id, const char *key)
{
	clock_start(q, KASSA__V1__REQUEST__BODY_CLOCK_OUT);
	kassa__v1__clock_out__init(&q->body.out);
	q->body.out.staff_id = staff_id;
	q->r.req.clock_out = &q->body.out;
	q->r.req.idempotency_key = (char *)kc_key_or_fresh(key, q->r.key);
}

void kc_req_clock_list(KcClockReq *q, int64_t staff_id, int64_t store_id, const char *week,
		       int64_t shift_id)
{
	clock_start(q, KASSA__V1__REQUEST__BODY_CLOCK_LIST);
	kassa__v1__clock_list__init(&q->body.list);
	q->body.list.staff_id = staff_id;
	q->body.list.store_id = store_id;
	q->body.list.week = (char *)(week != NULL ? week : "");
	q->body.list.shift_id = shift_id;
	q->r.req.clock_list = &q->body.list;
}

KcResult kc_clock_in(KassaClient *kc, int64_t staff_id, const char *key,
		     Kassa__V1__Response **resp)
{
	KcClockReq q;

	kc_req_clock_in(&q, staff_id, key);
	return kc_call(kc, &q.r.req, resp);
}

KcResult kc_clock_out(KassaClient *kc, int64_t staff_id, const char *key,
		      Kassa__V1__Response **resp)
{
	KcClockReq q;

	kc_req_clock_out(&q, staff_id, key);
	return kc_call(kc, &q.r.req, resp);
}

KcResult kc_clock_list(KassaClient *kc, int64_t staff_id, int64_t store_id, const char *week,
		       int64_t shift_id, Kassa__V1__Response **resp)
{
	KcClockReq q;

	kc_req_clock_list(&q, staff_id, store_id, week, shift_id);
	return kc_call(kc, &q.r.req, resp);
}

/* ---- JSON ---- */

/* "hours": seconds as hours with two decimals ("7.50"), rounded half up. */
static void clock_hours(json_t *o, int64_t seconds)
{
	char buf[32];
	int64_t centi = (seconds * 100 + 1800) / 3600;

	snprintf(buf, sizeof(buf), "%lld.%02lld", (long long)(centi / 100),
		 (long long)(centi % 100));
	json_object_set_new(o, "hours", json_string(buf));
}

json_t *kcj_clock_record(const Kassa__V1__ClockRecord *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "clock_id", json_integer(r->clock_id));
	json_object_set_new(o, "staff_id", json_integer(r->staff_id));
	json_object_set_new(o, "staff_name", json_string(r->staff_name));
	json_object_set_new(o, "store_id", json_integer(r->store_id));
	json_object_set_new(o, "till_id", json_integer(r->till_id));
	json_object_set_new(o, "shift_id", json_integer(r->shift_id));
	json_object_set_new(o, "in_at", json_string(r->in_at));
	json_object_set_new(o, "out_at", json_string(r->out_at));
	json_object_set_new(o, "open", json_boolean(r->open));
	json_object_set_new(o, "auto_closed", json_boolean(r->auto_closed));
	json_object_set_new(o, "seconds", json_integer(r->seconds));
	clock_hours(o, r->seconds);
	if (r->shift_seconds != 0)
		json_object_set_new(o, "shift_seconds", json_integer(r->shift_seconds));
	return o;
}

void kcj_clock_page(json_t *o, const Kassa__V1__ClockPage *p)
{
	json_t *recs = json_array(), *hours = json_array();

	for (size_t i = 0; i < p->n_records; i++)
		json_array_append_new(recs, kcj_clock_record(p->records[i]));
	for (size_t i = 0; i < p->n_hours; i++) {
		const Kassa__V1__StaffWeekHours *h = p->hours[i];
		json_t *e = json_object();

		json_object_set_new(e, "staff_id", json_integer(h->staff_id));
		json_object_set_new(e, "staff_name", json_string(h->staff_name));
		json_object_set_new(e, "store_id", json_integer(h->store_id));
		json_object_set_new(e, "week", json_string(h->week));
		json_object_set_new(e, "seconds", json_integer(h->seconds));
		clock_hours(e, h->seconds);
		json_object_set_new(e, "records", json_integer(h->records));
		json_object_set_new(e, "auto_closed", json_integer(h->auto_closed));
		json_array_append_new(hours, e);
	}
	if (p->shift_id != 0) {
		json_t *s = json_object();

		json_object_set_new(s, "shift_id", json_integer(p->shift_id));
		json_object_set_new(s, "closed", json_boolean(p->shift_closed));
		json_object_set_new(s, "currency", json_string(p->currency));
		kcj_money(s, "expected_cash", p->expected_cash_minor);
		kcj_money(s, "counted", p->counted_minor);
		kcj_money(s, "over_short", p->over_short_minor);
		json_object_set_new(o, "shift", s);
	} else {
		json_object_set_new(o, "week", json_string(p->week));
	}
	json_object_set_new(o, "records", recs);
	json_object_set_new(o, "hours", hours);
}

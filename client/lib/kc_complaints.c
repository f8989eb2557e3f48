/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_complaints.c: the complaint and feedback-list requests (see
 * kc_complaints.h): one builder each, and a kc_call() wrapper.
 */
#include "kc_complaints.h"

#include <string.h>

#include "kc_build.h"
#include "kc_options.h"

static char *str(const char *s)
{
	return (char *)(s != NULL ? s : "");
}

static void start(KcCareReq *r, Kassa__V1__Request__BodyCase body)
{
	kassa__v1__request__init(&r->req);
	r->req.body_case = body;
	r->key[0] = '\0';
}

void kc_care_req_complaint_open(KcCareReq *r, const KcComplaintNew *n, const char *key)
{
	Kassa__V1__ComplaintOpen *o = &r->body.open;

	start(r, KASSA__V1__REQUEST__BODY_COMPLAINT_OPEN);
	kassa__v1__complaint_open__init(o);
	o->member_id = n->member_id;
	o->txn_id = n->txn_id;
	o->receipt_no = str(n->receipt_no);
	o->category = str(n->category);
	o->description = str(n->description);
	o->owner_staff_id = n->owner_staff_id;
	r->req.complaint_open = o;
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

void kc_care_req_complaint_update(KcCareReq *r, int64_t id, const char *status, int64_t owner,
				  const char *note, const char *key)
{
	Kassa__V1__ComplaintUpdate *u = &r->body.update;

	start(r, KASSA__V1__REQUEST__BODY_COMPLAINT_UPDATE);
	kassa__v1__complaint_update__init(u);
	u->complaint_id = id;
	u->status = str(status);
	u->owner_staff_id = owner;
	u->note = str(note);
	r->req.complaint_update = u;
	r->req.idempotency_key = (char *)kc_key_or_fresh(key, r->key);
}

void kc_care_req_complaint_get(KcCareReq *r, int64_t id)
{
	start(r, KASSA__V1__REQUEST__BODY_COMPLAINT_GET);
	kassa__v1__complaint_get__init(&r->body.get);
	r->body.get.complaint_id = id;
	r->req.complaint_get = &r->body.get;
}

void kc_care_req_complaint_list(KcCareReq *r, const Kassa__V1__ComplaintList *q)
{
	start(r, KASSA__V1__REQUEST__BODY_COMPLAINT_LIST);
	r->body.list = *q;
	r->body.list.status = str(q->status);
	r->body.list.after = str(q->after);
	r->req.complaint_list = &r->body.list;
}

void kc_care_req_feedback_list(KcCareReq *r, const Kassa__V1__FeedbackList *q)
{
	start(r, KASSA__V1__REQUEST__BODY_FEEDBACK_LIST);
	r->body.feedback = *q;
	r->body.feedback.from = str(q->from);
	r->body.feedback.to = str(q->to);
	r->body.feedback.after = str(q->after);
	r->req.feedback_list = &r->body.feedback;
}

KcResult kc_complaint_open(KassaClient *kc, const KcComplaintNew *n, const char *key,
			   Kassa__V1__Response **resp)
{
	KcCareReq r;

	kc_care_req_complaint_open(&r, n, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_complaint_update(KassaClient *kc, int64_t id, const char *status, int64_t owner,
			     const char *note, const char *key, Kassa__V1__Response **resp)
{
	KcCareReq r;

	kc_care_req_complaint_update(&r, id, status, owner, note, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_complaint_get(KassaClient *kc, int64_t id, Kassa__V1__Response **resp)
{
	KcCareReq r;

	kc_care_req_complaint_get(&r, id);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_complaint_list(KassaClient *kc, const Kassa__V1__ComplaintList *q,
			   Kassa__V1__Response **resp)
{
	KcCareReq r;

	kc_care_req_complaint_list(&r, q);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_feedback_list(KassaClient *kc, const Kassa__V1__FeedbackList *q,
			  Kassa__V1__Response **resp)
{
	KcCareReq r;

	kc_care_req_feedback_list(&r, q);
	return kc_call(kc, &r.req, resp);
}

/* ---- the command words both clients share ---- */

static const char *const usage[] = {
	[KC_CARE_OPEN] = "complaint open member=ID [txn=ID|receipt=NO] category=C text=TEXT "
			 "[owner=STAFF]",
	[KC_CARE_UPDATE] = "complaint update ID [status=S] [owner=STAFF] [note=TEXT]",
	[KC_CARE_SHOW] = "complaint show ID",
	[KC_CARE_LIST] = "complaint list [store=ID] [status=S|all] [owner=ID] [member=ID] "
			 "[limit=N] [after=CURSOR]",
	[KC_CARE_FEEDBACK] = "feedback list [member=ID] [store=ID] [staff=ID] [from=DATE] "
			     "[to=DATE] [max_rating=N] [limit=N] [after=CURSOR]",
};

/* One key=value into r for verb; false if the key is not the verb's or the value bad. */
static bool care_kv(KcCareReq *r, KcCareVerb verb, KcComplaintNew *n, const char *k,
		    const char *v)
{
	Kassa__V1__ComplaintList *l = &r->body.list;
	Kassa__V1__FeedbackList *f = &r->body.feedback;
	bool num = strcmp(k, "text") != 0 && strcmp(k, "note") != 0 && strcmp(k, "category") != 0 &&
		   strcmp(k, "status") != 0 && strcmp(k, "receipt") != 0 &&
		   strcmp(k, "from") != 0 && strcmp(k, "to") != 0 && strcmp(k, "after") != 0;
	int64_t x = 0;

	if (num && (!kc_parse_i64(v, &x) || x < 0 || x > INT64_MAX / 2))
		return false;
	switch (verb) {
	case KC_CARE_OPEN:
		if (strcmp(k, "member") == 0) n->member_id = x;
		else if (strcmp(k, "txn") == 0) n->txn_id = x;
		else if (strcmp(k, "receipt") == 0) n->receipt_no = v;
		else if (strcmp(k, "category") == 0) n->category = v;
		else if (strcmp(k, "text") == 0) n->description = v;
		else if (strcmp(k, "owner") == 0) n->owner_staff_id = x;
		else return false;
		return true;
	case KC_CARE_UPDATE:
		if (strcmp(k, "status") == 0) r->body.update.status = (char *)v;
		else if (strcmp(k, "owner") == 0) r->body.update.owner_staff_id = x;
		else if (strcmp(k, "note") == 0) r->body.update.note = (char *)v;
		else return false;
		return true;
	case KC_CARE_LIST:
		if (strcmp(k, "store") == 0) l->store_id = x;
		else if (strcmp(k, "status") == 0) l->status = (char *)v;
		else if (strcmp(k, "owner") == 0) l->owner_staff_id = x;
		else if (strcmp(k, "member") == 0) l->member_id = x;
		else if (strcmp(k, "limit") == 0 && x <= UINT32_MAX) l->limit = (uint32_t)x;
		else if (strcmp(k, "after") == 0) l->after = (char *)v;
		else return false;
		return true;
	case KC_CARE_FEEDBACK:
		if (strcmp(k, "member") == 0) f->member_id = x;
		else if (strcmp(k, "store") == 0) f->store_id = x;
		else if (strcmp(k, "staff") == 0) f->staff_id = x;
		else if (strcmp(k, "from") == 0) f->from = (char *)v;
		else if (strcmp(k, "to") == 0) f->to = (char *)v;
		else if (strcmp(k, "max_rating") == 0 && x <= 5) f->max_rating = (int32_t)x;
		else if (strcmp(k, "limit") == 0 && x <= UINT32_MAX) f->limit = (uint32_t)x;
		else if (strcmp(k, "after") == 0) f->after = (char *)v;
		else return false;
		return true;
	case KC_CARE_SHOW:
		break;
	}
	return false;
}

const char *kc_care_parse(KcCareReq *r, KcCareVerb verb, char *const *keys, char *const *vals,
			  int n)
{
	KcComplaintNew nw = { 0 };
	Kassa__V1__ComplaintList l = KASSA__V1__COMPLAINT_LIST__INIT;
	Kassa__V1__FeedbackList f = KASSA__V1__FEEDBACK_LIST__INIT;
	int64_t id = 0;
	int i = 0;

	if (verb == KC_CARE_UPDATE || verb == KC_CARE_SHOW) {
		if (n < 1 || vals[0] != NULL || !kc_parse_i64(keys[0], &id) || id <= 0)
			return usage[verb];
		i = 1;
	}
	if (verb == KC_CARE_UPDATE)
		kc_care_req_complaint_update(r, id, "", 0, "", NULL);
	else if (verb == KC_CARE_SHOW)
		kc_care_req_complaint_get(r, id);
	else if (verb == KC_CARE_LIST)
		kc_care_req_complaint_list(r, &l);
	else if (verb == KC_CARE_FEEDBACK)
		kc_care_req_feedback_list(r, &f);
	for (; i < n; i++)
		if (vals[i] == NULL || !care_kv(r, verb, &nw, keys[i], vals[i]))
			return usage[verb];
	if (verb == KC_CARE_OPEN) {
		if (nw.member_id == 0 || nw.category == NULL || nw.description == NULL ||
		    (nw.txn_id != 0 && nw.receipt_no != NULL))
			return usage[verb];
		kc_care_req_complaint_open(r, &nw, NULL);
	}
	return NULL;
}

json_t *kc_complaint_json(const Kassa__V1__Complaint *k)
{
	json_t *o = json_object(), *notes = json_array();

	json_object_set_new(o, "complaint_id", json_integer(k->complaint_id));
	json_object_set_new(o, "member_id", json_integer(k->member_id));
	json_object_set_new(o, "txn_id", json_integer(k->txn_id));
	json_object_set_new(o, "store_id", json_integer(k->store_id));
	json_object_set_new(o, "status", json_string(k->status));
	json_object_set_new(o, "category", json_string(k->category));
	json_object_set_new(o, "description", json_string(k->description));
	json_object_set_new(o, "owner_staff_id", json_integer(k->owner_staff_id));
	json_object_set_new(o, "opened_by", json_integer(k->opened_by));
	json_object_set_new(o, "source", json_string(k->source));
	json_object_set_new(o, "feedback_id", json_integer(k->feedback_id));
	json_object_set_new(o, "opened_at", json_string(k->opened_at));
	json_object_set_new(o, "updated_at", json_string(k->updated_at));
	json_object_set_new(o, "resolved_at", json_string(k->resolved_at));
	json_object_set_new(o, "resolution_seconds", json_integer(k->resolution_seconds));
	for (size_t i = 0; i < k->n_notes; i++) {
		const Kassa__V1__ComplaintNote *n = k->notes[i];
		json_t *j = json_object();

		json_object_set_new(j, "at", json_string(n->at));
		json_object_set_new(j, "staff_id", json_integer(n->staff_id));
		json_object_set_new(j, "from", json_string(n->from_status));
		json_object_set_new(j, "to", json_string(n->to_status));
		json_object_set_new(j, "owner_staff_id", json_integer(n->owner_staff_id));
		json_object_set_new(j, "text", json_string(n->text));
		json_array_append_new(notes, j);
	}
	json_object_set_new(o, "notes", notes);
	return o;
}

json_t *kc_care_table_json(const Kassa__V1__ReportTable *t)
{
	json_t *o = json_object(), *cols = json_array(), *rows = json_array();

	for (size_t j = 0; j < t->n_columns; j++)
		json_array_append_new(cols, json_string(t->columns[j]->key));
	for (size_t i = 0; i < t->n_rows; i++) {
		json_t *row = json_array();

		for (size_t j = 0; j < t->rows[i]->n_cells; j++)
			json_array_append_new(row, json_string(t->rows[i]->cells[j]));
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "report", json_string(t->report));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "next", json_string(t->next));
	return o;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_complaints.h: complaints (ComplaintOpen, ComplaintUpdate,
 * ComplaintGet, ComplaintList) and the feedback list (FeedbackList). A
 * KcCareReq holds one of these requests and what it points into;
 * kc_care_req_X() fills it, so that kassa-office (kc_call(), through the
 * kc_X() wrappers) and the till's script mode (till_call()) send the very
 * same messages. Strings passed in are borrowed and must outlive the call.
 * A change takes key, its idempotency key: NULL puts a fresh one in
 * r->key. Lists answer ReportTables; a complaint answers a Complaint.
 */
#ifndef KASSA_KC_COMPLAINTS_H
#define KASSA_KC_COMPLAINTS_H

#include <jansson.h>

#include "kassa_client.h"

typedef struct KcCareReq {
	Kassa__V1__Request req;
	union {
		Kassa__V1__ComplaintOpen open;
		Kassa__V1__ComplaintUpdate update;
		Kassa__V1__ComplaintGet get;
		Kassa__V1__ComplaintList list;
		Kassa__V1__FeedbackList feedback;
	} body;
	char key[KC_KEY_LEN];
} KcCareReq;

/* What a complaint is opened with (NULL strings are ""). */
typedef struct KcComplaintNew {
	int64_t member_id;
	int64_t txn_id;			/* 0: none, or by receipt_no */
	const char *receipt_no;
	const char *category;		/* product, service, price, queue, other */
	const char *description;
	int64_t owner_staff_id;		/* 0: unassigned */
} KcComplaintNew;

void kc_care_req_complaint_open(KcCareReq *r, const KcComplaintNew *n, const char *key);
/* status NULL/"" = unchanged, owner 0 = unchanged, note NULL/"" = none */
void kc_care_req_complaint_update(KcCareReq *r, int64_t id, const char *status, int64_t owner,
				  const char *note, const char *key);
void kc_care_req_complaint_get(KcCareReq *r, int64_t id);
/* The filters of ComplaintList (q's strings borrowed). */
void kc_care_req_complaint_list(KcCareReq *r, const Kassa__V1__ComplaintList *q);
void kc_care_req_feedback_list(KcCareReq *r, const Kassa__V1__FeedbackList *q);

KcResult kc_complaint_open(KassaClient *kc, const KcComplaintNew *n, const char *key,
			   Kassa__V1__Response **resp);
KcResult kc_complaint_update(KassaClient *kc, int64_t id, const char *status, int64_t owner,
			     const char *note, const char *key, Kassa__V1__Response **resp);
KcResult kc_complaint_get(KassaClient *kc, int64_t id, Kassa__V1__Response **resp);
KcResult kc_complaint_list(KassaClient *kc, const Kassa__V1__ComplaintList *q,
			   Kassa__V1__Response **resp);
KcResult kc_feedback_list(KassaClient *kc, const Kassa__V1__FeedbackList *q,
			  Kassa__V1__Response **resp);

/*
 * The command words kassa-office and kassa-till's script share, after the
 * verb, as key=value pairs (vals[i] NULL: a plain word):
 *   open    member=ID [txn=ID|receipt=NO] category=C text=TEXT [owner=STAFF]
 *   update  ID [status=S] [owner=STAFF] [note=TEXT]
 *   show    ID
 *   list    [store=ID] [status=S|all] [owner=ID] [member=ID] [limit=N] [after=CURSOR]
 *   feedback list [member=ID] [store=ID] [staff=ID] [from=DATE] [to=DATE] [max_rating=N]
 *           [limit=N] [after=CURSOR]
 * kc_care_parse() builds r from them (strings borrowed from vals/keys) and
 * returns NULL, or the usage line of the verb when they are not so.
 */
typedef enum KcCareVerb {
	KC_CARE_OPEN, KC_CARE_UPDATE, KC_CARE_SHOW, KC_CARE_LIST, KC_CARE_FEEDBACK,
} KcCareVerb;

const char *kc_care_parse(KcCareReq *r, KcCareVerb verb, char *const *keys, char *const *vals,
			  int n);
/* A complaint with its notes as JSON (new reference; machine words, RFC 3339 times). */
json_t *kc_complaint_json(const Kassa__V1__Complaint *k);
/* A ReportTable as {"report","columns":[keys],"rows":[[cells]],"next"} (new reference). */
json_t *kc_care_table_json(const Kassa__V1__ReportTable *t);

#endif

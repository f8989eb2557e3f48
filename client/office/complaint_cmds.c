/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complaint_cmds.c: kassa-office's complaints and feedback:
 *
 *   complaint open member=ID [txn=ID|receipt=NO] category=C text=TEXT [owner=STAFF]
 *   complaint update ID [status=S] [owner=STAFF] [note=TEXT]
 *   complaint show ID
 *   complaint list [store=ID] [status=S|all] [owner=ID] [member=ID] [limit=N] [after=CURSOR]
 *   feedback list [member=ID] [store=ID] [staff=ID] [from=DATE] [to=DATE] [max_rating=N]
 *
 * The words are kc_care_parse()'s (kc_complaints.h, shared with the till's
 * script). open, update and show print one JSON object with the complaint
 * and its notes ({"ok":true,"cmd":..,"idempotency_key":..,"complaint":{..}});
 * the lists are ReportTables written as --format says (a table in the
 * user's language by default, CSV or JSON) with office_write_table().
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "kc_complaints.h"
#include "kc_json.h"
#include "office.h"
#include "report_render.h"

#define CARE_COLS_MAX 16

typedef struct CareLabel {
	const char *key;
	const char *label;	/* N_(): translated at use */
} CareLabel;

static const CareLabel care_labels[] = {
	{ "complaint_id", N_("Complaint") }, { "opened_at", N_("Opened at") },
	{ "store", N_("Store") }, { "member_id", N_("Member") }, { "txn_id", N_("Sale") },
	{ "status", N_("Status") }, { "category", N_("Category") },
	{ "owner_staff_id", N_("Owner") }, { "source", N_("Source") },
	{ "hours_to_resolve", N_("Hours to resolve") }, { "description", N_("Description") },
	{ "feedback_id", N_("Feedback") }, { "created_at", N_("Given at") },
	{ "staff_id", N_("Cashier") }, { "rating", N_("Rating") }, { "comment", N_("Comment") },
	{ "complaints", N_("Complaints") }, { "feedback", N_("Feedback") },
};

static const char *care_label(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(care_labels); i++)
		if (strcmp(care_labels[i].key, key) == 0)
			return _(care_labels[i].label);
	return key;
}

/* t for people: a shallow copy whose column keys and title are the translated labels. */
static bool care_table(FILE *out, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ReportTable h = *t;
	Kassa__V1__ReportColumn cols[CARE_COLS_MAX], *colp[CARE_COLS_MAX];

	if (t->n_columns > CARE_COLS_MAX)
		return report_render_table(out, t);
	for (size_t i = 0; i < t->n_columns; i++) {
		cols[i] = *t->columns[i];
		cols[i].key = (char *)care_label(t->columns[i]->key);
		colp[i] = &cols[i];
	}
	h.columns = colp;
	h.report = (char *)care_label(t->report);
	return report_render_table(out, &h);
}

/* Parse a's words for verb into r; false (usage printed, *code set) if they are wrong. */
static bool care_args(const char *cmd, KcCareVerb verb, const Args *a, KcCareReq *r, int *code)
{
	const char *use = kc_care_parse(r, verb, a->keys, a->vals, a->n);

	if (use == NULL)
		return true;
	*code = bad_usage(cmd, use);
	return false;
}

/* Send r and print the complaint it answers; the exit code. */
static int care_complaint(KassaClient *kc, const char *cmd, KcCareReq *r, bool keyed)
{
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (!office_result(kc, cmd, kc_call(kc, &r->req, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_COMPLAINT, &code))
		return code;
	o = keyed ? ok_keyed(cmd, r->req.idempotency_key) : kcj_ok(cmd);
	json_object_set_new(o, "complaint", kc_complaint_json(resp->complaint));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

/* Send r and write the table it answers; the exit code. */
static int care_list(KassaClient *kc, const char *cmd, KcCareReq *r)
{
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;

	if (!office_result(kc, cmd, kc_call(kc, &r->req, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = office_write_table(cmd, resp->report_table, care_table);
	kc_response_free(resp);
	return code;
}

int cmd_complaint_open(KassaClient *kc, const Args *a)
{
	KcCareReq r;
	int code;

	if (!care_args("complaint open", KC_CARE_OPEN, a, &r, &code))
		return code;
	return care_complaint(kc, "complaint open", &r, true);
}

int cmd_complaint_update(KassaClient *kc, const Args *a)
{
	KcCareReq r;
	int code;

	if (!care_args("complaint update", KC_CARE_UPDATE, a, &r, &code))
		return code;
	return care_complaint(kc, "complaint update", &r, true);
}

int cmd_complaint_show(KassaClient *kc, const Args *a)
{
	KcCareReq r;
	int code;

	if (!care_args("complaint show", KC_CARE_SHOW, a, &r, &code))
		return code;
	return care_complaint(kc, "complaint show", &r, false);
}

int cmd_complaint_list(KassaClient *kc, const Args *a)
{
	KcCareReq r;
	int code;

	if (!care_args("complaint list", KC_CARE_LIST, a, &r, &code))
		return code;
	return care_list(kc, "complaint list", &r);
}

int cmd_feedback_list(KassaClient *kc, const Args *a)
{
	KcCareReq r;
	int code;

	if (!care_args("feedback list", KC_CARE_FEEDBACK, a, &r, &code))
		return code;
	return care_list(kc, "feedback list", &r);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_complaint.c: complaints at the till, in script mode:
 *
 *   complaint open member=ID [txn=ID|receipt=NO] category=C text=TEXT [owner=STAFF]
 *   complaint update ID [status=S] [owner=STAFF] [note=TEXT]
 *   complaint show ID
 *   complaint list [status=S|all] [owner=ID] [member=ID] [limit=N] [after=CURSOR]
 *
 * The words are kc_care_parse()'s (kc_complaints.h, the same as
 * kassa-office's). Any of the store's staff opens a complaint; a manager
 * works, shows and lists the store's. open, update and show answer
 * {"ok":true,"cmd":..,"complaint":{.. "notes":[..]}} (open and update with
 * their idempotency_key); list answers {"ok":true,"cmd":..,"report":..,
 * "columns":[..],"rows":[[..]],"next":".."}. Complaints need the server:
 * offline they fail as every online-only command does.
 */
#include <string.h>

#include "i18n.h"
#include "kc_complaints.h"
#include "kc_json.h"
#include "script_cmds.h"

void cmd_complaint(Till *t, const Cmd *c)
{
	static const struct {
		const char *word;
		KcCareVerb verb;
	} verbs[] = {
		{ "open", KC_CARE_OPEN }, { "update", KC_CARE_UPDATE },
		{ "show", KC_CARE_SHOW }, { "list", KC_CARE_LIST },
	};
	const char *word = arg_word(c, 0), *use;
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	KcCareReq r;
	KcCareVerb verb = KC_CARE_SHOW;
	size_t i;
	json_t *o;

	for (i = 0; word != NULL && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(word, verbs[i].word) == 0)
			break;
	if (word == NULL || i == sizeof(verbs) / sizeof(verbs[0])) {
		script_usage(t, c, "complaint open|update|show|list ...");
		return;
	}
	verb = verbs[i].verb;
	use = kc_care_parse(&r, verb, c->keys + c->first + 1, c->vals + c->first + 1,
			    arg_count(c) - 1);
	if (use != NULL) {
		script_usage(t, c, use);
		return;
	}
	if (!script_answered_ok(t, c, till_call(t->ts, &r.req, &resp), &resp))
		return;
	if (verb == KC_CARE_LIST) {
		if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_REPORT_TABLE))
			return;
		o = kc_care_table_json(resp->report_table);
		json_object_set_new(o, "ok", json_true());
		json_object_set_new(o, "cmd", json_string(c->name));
	} else {
		if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_COMPLAINT))
			return;
		o = verb == KC_CARE_SHOW ? kcj_ok(c->name)
					 : script_ok_keyed(t, c, r.req.idempotency_key, before);
		json_object_set_new(o, "complaint", kc_complaint_json(resp->complaint));
	}
	kcj_emit(o);
	kc_response_free(resp);
}

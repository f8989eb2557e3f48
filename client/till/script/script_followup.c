/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_followup.c: follow-ups and points adjustments at the till, in
 * script mode:
 *
 *   followup list [store=ID] [staff=ID] [state=due|overdue|open|done|all] [limit=N] [after=C]
 *   followup record ID [outcome=reached|no_answer|declined] [note=TEXT] [assign=STAFF]
 *   points adjust MEMBER POINTS reason=TEXT
 *
 * The words are kc_fup_parse()'s (kc_followups.h, the same as
 * kassa-office's). A till sees and records its own store's follow-ups;
 * points adjust is a manager's. list answers {"ok":true,"cmd":..,
 * "report":..,"columns":[..],"rows":[[..]],"next":".."}; record answers
 * {"ok":true,"cmd":..,"idempotency_key":..,"followup":{..}}; points adjust
 * {"ok":true,..,"adjusted":{"member_id","entry_id","points","points_balance"}}.
 * Online only: offline they fail as every online-only command does.
 */
#include <string.h>

#include "i18n.h"
#include "kc_complaints.h"
#include "kc_followups.h"
#include "kc_json.h"
#include "script_cmds.h"

/* Parse the words after the verb for v, send, and print what came back. */
static void fup_run(Till *t, const Cmd *c, KcFupVerb v, int skip)
{
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	const char *use;
	KcFupReq r;
	json_t *o;

	use = kc_fup_parse(&r, v, c->keys + c->first + skip, c->vals + c->first + skip,
			   arg_count(c) - skip);
	if (use != NULL) {
		script_usage(t, c, use);
		return;
	}
	if (!script_answered_ok(t, c, till_call(t->ts, &r.req, &resp), &resp))
		return;
	if (v == KC_FUP_LIST) {
		if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_REPORT_TABLE))
			return;
		o = kc_care_table_json(resp->report_table);
		json_object_set_new(o, "ok", json_true());
		json_object_set_new(o, "cmd", json_string(c->name));
	} else if (v == KC_FUP_RECORD) {
		if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_FOLLOWUP))
			return;
		o = script_ok_keyed(t, c, r.req.idempotency_key, before);
		json_object_set_new(o, "followup", kc_followup_json(resp->followup));
	} else {
		if (!script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_POINTS_ADJUSTED))
			return;
		o = script_ok_keyed(t, c, r.req.idempotency_key, before);
		json_object_set_new(o, "adjusted", kc_points_adjusted_json(resp->points_adjusted));
	}
	kcj_emit(o);
	kc_response_free(resp);
}

void cmd_followup(Till *t, const Cmd *c)
{
	const char *word = arg_word(c, 0);

	if (word != NULL && strcmp(word, "list") == 0)
		fup_run(t, c, KC_FUP_LIST, 1);
	else if (word != NULL && strcmp(word, "record") == 0)
		fup_run(t, c, KC_FUP_RECORD, 1);
	else
		script_usage(t, c, "followup list|record ...");
}

void cmd_points_adjust(Till *t, const Cmd *c)
{
	fup_run(t, c, KC_FUP_POINTS, 0);
}

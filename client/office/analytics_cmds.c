/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_cmds.c: kassa-office's analytics command (an administrator's):
 *
 *   analytics run [full] [rebuild]
 *
 * runs the analytics job now (AnalyticsRun): the aggregates of the recent
 * days and the RFM classes of the members touched since the last run;
 * full redraws the RFM quintiles and reclassifies every member, rebuild
 * recomputes every aggregate and every member from the sales. Answered
 * {"ok":true,"cmd":"analytics run","idempotency_key":..,"full":..,
 * "rebuild":..,"buckets":N,"members":N,"elapsed_ms":N,"finished_at":..}.
 * On a large base a full pass or a rebuild outlasts the default response
 * timeout: pass --timeout MS.
 */
#include <string.h>

#include "kc_json.h"
#include "office.h"

int cmd_analytics_run(KassaClient *kc, const Args *a)
{
	const char *cmd = "analytics run";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	bool full = false, rebuild = false;
	char key[KC_KEY_LEN];
	json_t *o;

	for (int i = 0; i < a->n; i++) {
		const char *w = arg_word(a, i);

		if (w != NULL && strcmp(w, "full") == 0 && !full)
			full = true;
		else if (w != NULL && strcmp(w, "rebuild") == 0 && !rebuild)
			rebuild = true;
		else
			return bad_usage(cmd, "analytics run [full] [rebuild]");
	}
	kc_new_key(key);
	if (!office_result(kc, cmd, kc_analytics_run(kc, full, rebuild, key, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_ANALYTICS_DONE, &code))
		return code;
	o = ok_keyed(cmd, key);
	json_object_set_new(o, "full", json_boolean(full));
	json_object_set_new(o, "rebuild", json_boolean(rebuild));
	json_object_set_new(o, "buckets", json_integer(resp->analytics_done->buckets));
	json_object_set_new(o, "members", json_integer(resp->analytics_done->members));
	json_object_set_new(o, "elapsed_ms", json_integer(resp->analytics_done->elapsed_ms));
	json_object_set_new(o, "finished_at", json_string(resp->analytics_done->finished_at));
	kcj_emit(o);
	kc_response_free(resp);
	return OFFICE_EXIT_OK;
}

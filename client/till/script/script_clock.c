/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_clock.c: kassa-till --script commands of staff time (store
 * operations, part "clock"): the logged-in staff member clocks in and out
 * at this till, and sees this week's records and hours. Each answers one
 * JSON object (kc_clock_json.h's shapes).
 *
 *   clock in      -> {"ok":true,"cmd":"clock in","idempotency_key":..,"record":{..}}
 *   clock out     -> ... "record":{.., "seconds":N, "hours":"7.50"}
 *   clock show    -> {"ok":true,"cmd":"clock show","week":"2026-W49","records":[..],"hours":[..]}
 *   clock show shift=ID -> ... "shift":{"expected_cash":..,"counted":..,"over_short":..}
 */
#include "script_cmds.h"

#include "i18n.h"
#include "kc_clock.h"
#include "kc_clock_json.h"
#include "kc_json.h"

/* Send q for c and print the record answered. */
static void clock_change(Till *t, const Cmd *c, KcClockReq *q)
{
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	json_t *o;

	if (!script_answered_ok(t, c, script_call(t, &q->r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_CLOCK_RECORD))
		return;
	o = script_ok_keyed(t, c, q->r.req.idempotency_key, before);
	json_object_set_new(o, "record", kcj_clock_record(resp->clock_record));
	kcj_emit(o);
	kc_response_free(resp);
}

/* True if c has n arguments and someone is logged in; else printed why. */
static bool clock_ready(Till *t, const Cmd *c, int n, const char *use)
{
	if (arg_count(c) != n) {
		script_usage(t, c, use);
		return false;
	}
	if (t->ts->staff_id == 0) {
		script_fail(t, c, "FAILED_PRECONDITION", "NOT_LOGGED_IN",
			    _("log in first: staff clock in and out for themselves"));
		return false;
	}
	return true;
}

/* clock in */
void cmd_clock_in(Till *t, const Cmd *c)
{
	KcClockReq q;

	if (!clock_ready(t, c, 0, "clock in"))
		return;
	kc_req_clock_in(&q, t->ts->staff_id, NULL);
	clock_change(t, c, &q);
}

/* clock out */
void cmd_clock_out(Till *t, const Cmd *c)
{
	KcClockReq q;

	if (!clock_ready(t, c, 0, "clock out"))
		return;
	kc_req_clock_out(&q, t->ts->staff_id, NULL);
	clock_change(t, c, &q);
}

/*
 * clock show: the logged-in staff member's records and hours this week;
 * clock show shift=ID: who was clocked in at this till during shift ID
 * (the Z report's list), with the shift's expected cash and over/short
 */
void cmd_clock_show(Till *t, const Cmd *c)
{
	static const char use[] = "clock show [shift=ID]";
	const char *sv = arg_get(c, "shift");
	Kassa__V1__Response *resp = NULL;
	int64_t shift = 0;
	KcClockReq q;
	json_t *o;

	if (sv != NULL && arg_count(c) == 1 && (!kc_parse_i64(sv, &shift) || shift <= 0)) {
		script_usage(t, c, use);
		return;
	}
	if (!clock_ready(t, c, sv != NULL ? 1 : 0, use))
		return;
	kc_req_clock_list(&q, shift != 0 ? 0 : t->ts->staff_id, 0, NULL, shift);
	if (!script_answered_ok(t, c, script_call(t, &q.r, &resp), &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_CLOCK_PAGE))
		return;
	o = kcj_ok(c->name);
	kcj_clock_page(o, resp->clock_page);
	kcj_emit(o);
	kc_response_free(resp);
}

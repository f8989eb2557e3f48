/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script_pin.c: kassa-till --script commands of store operations, part
 * "org":
 *
 *   pin change OLD_PIN NEW_PIN
 *
 * The staff member logged in changes their own PIN (StaffPinChange): the
 * server checks the old PIN as a Login does (a wrong one counts towards the
 * lockout) and sets the new one. The PINs come on the script's stdin, never
 * on the command line. Answers {"ok":true,"cmd":"pin",
 * "idempotency_key":..,"staff_id":N}. Online only. The till's offline
 * login verifier is the old PIN's until the next online login.
 */
#include <string.h>

#include <sodium.h>

#include "i18n.h"
#include "kc_json.h"
#include "kc_org.h"
#include "script_cmds.h"

void cmd_pin(Till *t, const Cmd *c)
{
	const char *word = arg_word(c, 0), *old_pin = arg_word(c, 1), *new_pin = arg_word(c, 2);
	Kassa__V1__Response *resp = NULL;
	int before = script_reconnects(t);
	KcOrgReq r;
	KcResult kr;
	json_t *o;

	if (word == NULL || strcmp(word, "change") != 0 || arg_count(c) != 3 || old_pin == NULL ||
	    new_pin == NULL) {
		script_usage(t, c, "pin change OLD_PIN NEW_PIN");
		return;
	}
	if (t->ts->staff_id == 0) {
		script_fail(t, c, "FAILED_PRECONDITION", "NOT_LOGGED_IN", _("log in first"));
		return;
	}
	kc_org_req_pin_change(&r, old_pin, new_pin, NULL);
	kr = till_call(t->ts, &r.req, &resp);
	sodium_memzero(&r.body, sizeof(r.body));
	if (!script_answered_ok(t, c, kr, &resp) ||
	    !script_has_body(t, c, resp, KASSA__V1__RESPONSE__BODY_STAFF_MEMBER))
		return;
	o = script_ok_keyed(t, c, r.key, before);
	json_object_set_new(o, "staff_id", json_integer(resp->staff_member->staff_id));
	kcj_emit(o);
	kc_response_free(resp);
}

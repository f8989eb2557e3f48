/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_cmds.c: kassa-office's audit command (an administrator's, from an
 * office certificate):
 *
 *   audit verify
 *
 * asks kassad to walk the audit log's hash chain (AuditVerify) and says
 * whether it is intact. Intact: exit 0 and {"ok":true,"cmd":"audit
 * verify","rows":N,"head_hash":HEX,"message":..}; keep rows and head_hash
 * somewhere else too, since deleting the newest rows leaves no trace in
 * the chain itself. Not intact: exit 1 and {"ok":false,"cmd":"audit
 * verify","code":"DATA_LOSS","detail":"AUDIT_CHAIN_BROKEN","problem":
 * "edited"|"inserted"|"deleted","first_bad_id":ID,"rows":N,"head_hash":..,
 * "message":..} naming the first bad row (rows: those good before it). A
 * long log outlasts the default response timeout: pass --timeout MS.
 */
#include "kc_json.h"
#include "office.h"

int cmd_audit_verify(KassaClient *kc, const Args *a)
{
	const char *cmd = "audit verify";
	Kassa__V1__Response *resp = NULL;
	const Kassa__V1__AuditVerified *v;
	int code = OFFICE_EXIT_OK;
	json_t *o;

	if (a->n != 0)
		return bad_usage(cmd, "audit verify");
	if (!office_result(kc, cmd, kc_audit_verify(kc, &resp), &resp,
			   KASSA__V1__RESPONSE__BODY_AUDIT_VERIFIED, &code))
		return code;
	v = resp->audit_verified;
	if (v->ok) {
		o = kcj_ok(cmd);
	} else {
		o = kcj_fail(cmd, "DATA_LOSS", "AUDIT_CHAIN_BROKEN", v->message);
		json_object_set_new(o, "problem", json_string(v->problem));
		json_object_set_new(o, "first_bad_id", json_integer(v->first_bad_id));
		code = OFFICE_EXIT_FAILED;
	}
	json_object_set_new(o, "rows", json_integer(v->rows));
	json_object_set_new(o, "head_hash", json_string(v->head_hash));
	if (v->ok)
		json_object_set_new(o, "message", json_string(v->message));
	kcj_emit(o);
	kc_response_free(resp);
	return code;
}

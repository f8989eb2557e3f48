/* SPDX-License-Identifier: Apache-2.0 */
/* kc_refunds: the refund and top-up request wrappers (see kc_refunds.h). */
#include "kc_refunds.h"

#include <stdlib.h>

#include "kc_build.h"

KcResult kc_refund(KassaClient *kc, int64_t txn_id, const int32_t *line_nos, size_t n,
		   int64_t approver_staff_id, const char *approver_pin, const char *reason,
		   const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Refund rf = KASSA__V1__REFUND__INIT;
	char fresh[KC_KEY_LEN];

	rf.txn_id = txn_id;
	rf.n_line_nos = n;
	rf.line_nos = (int32_t *)line_nos;
	rf.approver_staff_id = approver_staff_id;
	rf.approver_pin = (char *)(approver_pin != NULL ? approver_pin : "");
	rf.reason = (char *)(reason != NULL ? reason : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_REFUND;
	req.refund = &rf;
	return kc_call(kc, &req, resp);
}

KcResult kc_top_up(KassaClient *kc, int64_t member_id, int64_t amount_minor,
		   const KcTender *tenders, size_t n, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TopUp tu = KASSA__V1__TOP_UP__INIT;
	Kassa__V1__Tender *tv, **tp;
	char fresh[KC_KEY_LEN];
	KcResult r;

	kc_tenders_build(tenders, n, &tv, &tp);
	tu.member_id = member_id;
	tu.amount_minor = amount_minor;
	tu.n_tenders = n;
	tu.tenders = tp;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_TOP_UP;
	req.top_up = &tu;
	r = kc_call(kc, &req, resp);
	free(tv);
	free(tp);
	return r;
}

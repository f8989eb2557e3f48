/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_refunds: the refund and top-up request wrappers (see kc_refunds.h),
 * each one builder of kc_req.h and one kc_call().
 */
#include "kc_refunds.h"

#include "kc_req.h"

KcResult kc_refund(KassaClient *kc, int64_t txn_id, const int32_t *line_nos, size_t n,
		   int64_t approver_staff_id, const char *approver_pin, const char *reason,
		   const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_refund(&r, txn_id, line_nos, n, approver_staff_id, approver_pin, reason, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_top_up(KassaClient *kc, int64_t member_id, int64_t amount_minor,
		   const KcTender *tenders, size_t n, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;
	KcResult res;

	kc_req_top_up(&r, member_id, amount_minor, tenders, n, key);
	res = kc_call(kc, &r.req, resp);
	kc_req_done(&r);
	return res;
}

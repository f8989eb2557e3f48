/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_store: the catalogue sync, feedback and shift request wrappers (see
 * kc_store.h), each one builder of kc_req.h and one kc_call().
 */
#include "kc_store.h"

#include "kc_req.h"

KcResult kc_catalog_sync(KassaClient *kc, int64_t after_seq, uint32_t limit,
			 Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_catalog_sync(&r, after_seq, limit);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_feedback(KassaClient *kc, int64_t txn_id, const char *receipt_no, int32_t rating,
		     const char *comment, const char *key, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_feedback(&r, txn_id, receipt_no, rating, comment, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_shift_open(KassaClient *kc, int64_t float_minor, const char *key,
		       Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_shift_open(&r, float_minor, key);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_shift_report(KassaClient *kc, bool close, int64_t counted_minor, const char *key,
			 Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_shift_report(&r, close, counted_minor, key);
	return kc_call(kc, &r.req, resp);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_sales: the sale request wrappers (see kc_sales.h), each one builder
 * of kc_req.h and one kc_call(). The Checkout's lines and tenders live
 * in the KcReq until kc_call() returns (a retry inside kc_call() resends
 * the same request).
 */
#include "kc_sales.h"

#include "kc_build.h"
#include "kc_req.h"

KcResult kc_product_lookup(KassaClient *kc, const char *code, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_product_lookup(&r, code);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_checkout(KassaClient *kc, const KcSale *sale, const char *key, bool quote,
		     Kassa__V1__Response **resp)
{
	KcReq r;
	KcResult res;

	*resp = NULL;
	if (!quote && (key == NULL || *key == '\0')) {
		/* the server would refuse it too, but a retry without a key could sell twice */
		kc_seterr(kc, "checkout needs an idempotency key");
		return KC_ERR_ARG;
	}
	kc_req_checkout(&r, sale, key, quote);
	res = kc_call(kc, &r.req, resp);
	kc_req_done(&r);
	return res;
}

KcResult kc_transaction_get(KassaClient *kc, int64_t txn_id, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_transaction_get(&r, txn_id, NULL);
	return kc_call(kc, &r.req, resp);
}

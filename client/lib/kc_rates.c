/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_rates: the RatesGet and RatesSet request wrappers (see kc_rates.h),
 * each one builder of kc_req.h and one kc_call(); the ExchangeRate
 * messages of a RatesSet live in the KcReq for the call.
 */
#include "kc_rates.h"

#include "kc_req.h"

KcResult kc_rates_get(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_rates_get(&r);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_rates_set(KassaClient *kc, const KcRate *rates, size_t n, const char *note,
		      const char *key, Kassa__V1__Response **resp)
{
	KcReq r;
	KcResult res;

	kc_req_rates_set(&r, rates, n, note, key);
	res = kc_call(kc, &r.req, resp);
	kc_req_done(&r);
	return res;
}

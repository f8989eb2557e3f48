/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_analytics: the analytics job's request wrapper (see kc_analytics.h):
 * one builder of kc_req.h and one kc_call().
 */
#include "kc_analytics.h"

#include "kc_req.h"

KcResult kc_analytics_run(KassaClient *kc, bool full, bool rebuild, const char *key,
			  Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_analytics_run(&r, full, rebuild, key);
	return kc_call(kc, &r.req, resp);
}

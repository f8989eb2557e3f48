/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_reports: the ReportRun request wrapper (see kc_reports.h), one
 * builder of kc_req.h and one kc_call().
 */
#include "kc_reports.h"

#include "kc_req.h"

KcResult kc_report_run(KassaClient *kc, const char *report, const char *from, const char *to,
		       int64_t store_id, const char *category, uint32_t limit,
		       Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_report_run(&r, report, from, to, store_id, category, limit);
	return kc_call(kc, &r.req, resp);
}

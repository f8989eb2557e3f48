/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_exports: the ExportPage request wrapper (see kc_exports.h), one
 * builder of kc_req.h and one kc_call().
 */
#include "kc_exports.h"

#include "kc_req.h"

KcResult kc_export_page(KassaClient *kc, const Kassa__V1__ExportPage *page, const char *key,
			Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_export_page(&r, page, key);
	return kc_call(kc, &r.req, resp);
}

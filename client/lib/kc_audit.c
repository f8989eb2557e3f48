/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_audit: the audit log's request wrapper (see kc_audit.h): one builder
 * of kc_req.h and one kc_call().
 */
#include "kc_audit.h"

#include "kc_req.h"

KcResult kc_audit_verify(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_audit_verify(&r);
	return kc_call(kc, &r.req, resp);
}

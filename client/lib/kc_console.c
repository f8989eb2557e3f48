/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_console: the operator console's request wrappers (see kc_console.h):
 * one builder of kc_req.h and one kc_call() each.
 */
#include "kc_console.h"

#include "kc_req.h"

KcResult kc_console_show(KassaClient *kc, const char *what, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_console_show(&r, what);
	return kc_call(kc, &r.req, resp);
}

KcResult kc_console_reload(KassaClient *kc, Kassa__V1__Response **resp)
{
	KcReq r;

	kc_req_console_reload(&r);
	return kc_call(kc, &r.req, resp);
}

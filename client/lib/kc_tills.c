/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_tills.c: the TillPut and TillList request wrappers (see kc_tills.h),
 * each one Request and one kc_call().
 */
#include "kc_tills.h"

#include "kc_build.h"

KcResult kc_till_put(KassaClient *kc, const KcTillPut *t, const char *key,
		     Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TillPut put = KASSA__V1__TILL_PUT__INIT;
	char fresh[KC_KEY_LEN];

	put.code = (char *)(t->code != NULL ? t->code : "");
	put.store_id = t->store_id;
	put.kind = (char *)(t->kind != NULL ? t->kind : "");
	put.active = t->active;
	req.body_case = KASSA__V1__REQUEST__BODY_TILL_PUT;
	req.till_put = &put;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

KcResult kc_till_list(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TillList list = KASSA__V1__TILL_LIST__INIT;

	list.store_id = store_id;
	req.body_case = KASSA__V1__REQUEST__BODY_TILL_LIST;
	req.till_list = &list;
	return kc_call(kc, &req, resp);
}

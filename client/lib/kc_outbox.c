/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_outbox.c: endpoints and the outbox (see kc_outbox.h): each builds its
 * Request on the stack and makes one kc_call().
 */
#include "kc_outbox.h"

#include "kc_build.h"

KcResult kc_endpoint_put(KassaClient *kc, const Kassa__V1__EndpointPut *put, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	char fresh[KC_KEY_LEN];

	req.body_case = KASSA__V1__REQUEST__BODY_ENDPOINT_PUT;
	req.endpoint_put = (Kassa__V1__EndpointPut *)put;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

KcResult kc_endpoint_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__EndpointList l = KASSA__V1__ENDPOINT_LIST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_ENDPOINT_LIST;
	req.endpoint_list = &l;
	return kc_call(kc, &req, resp);
}

KcResult kc_outbox_list(KassaClient *kc, const char *state, const char *endpoint,
			int64_t member_id, int64_t outbox_id, uint32_t limit, const char *after,
			Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__OutboxList l = KASSA__V1__OUTBOX_LIST__INIT;

	l.state = (char *)(state ? state : "");
	l.endpoint = (char *)(endpoint ? endpoint : "");
	l.member_id = member_id;
	l.outbox_id = outbox_id;
	l.limit = limit;
	l.after = (char *)(after ? after : "");
	req.body_case = KASSA__V1__REQUEST__BODY_OUTBOX_LIST;
	req.outbox_list = &l;
	return kc_call(kc, &req, resp);
}

KcResult kc_outbox_retry(KassaClient *kc, int64_t outbox_id, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__OutboxRetry r = KASSA__V1__OUTBOX_RETRY__INIT;
	char fresh[KC_KEY_LEN];

	r.outbox_id = outbox_id;
	req.body_case = KASSA__V1__REQUEST__BODY_OUTBOX_RETRY;
	req.outbox_retry = &r;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

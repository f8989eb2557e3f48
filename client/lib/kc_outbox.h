/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_outbox.h: endpoints and the outbox (an administrator's, from an
 * office certificate): EndpointPut (answered Endpoint, with the new secret
 * in hex once when new_secret), EndpointList and OutboxList (ReportTables),
 * OutboxRetry (OutboxRetried). One kc_call() each (kc_transport.h); *resp
 * as for kc_call(). key NULL: a fresh idempotency key.
 */
#ifndef KASSA_KC_OUTBOX_H
#define KASSA_KC_OUTBOX_H

#include "kassa_client.h"
#include "kc_transport.h"

/* put's strings and arrays are borrowed for the call. */
KcResult kc_endpoint_put(KassaClient *kc, const Kassa__V1__EndpointPut *put, const char *key,
			 Kassa__V1__Response **resp);
KcResult kc_endpoint_list(KassaClient *kc, Kassa__V1__Response **resp);
/* state, endpoint: "" = any; member_id, outbox_id 0 = any; outbox_id > 0: its attempts. */
KcResult kc_outbox_list(KassaClient *kc, const char *state, const char *endpoint,
			int64_t member_id, int64_t outbox_id, uint32_t limit, const char *after,
			Kassa__V1__Response **resp);
KcResult kc_outbox_retry(KassaClient *kc, int64_t outbox_id, const char *key,
			 Kassa__V1__Response **resp);

#endif

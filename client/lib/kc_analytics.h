/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_analytics: the AnalyticsRun request wrapper (an administrator's): run
 * the analytics job now, answered AnalyticsDone with the buckets and
 * members it did and how long it took. One kc_call() (kc_transport.h);
 * *resp as for kc_call(). key is the idempotency key, NULL = a fresh one.
 * A full pass or a rebuild of a large base takes longer than the default
 * response timeout: give the connection a longer io_timeout_ms.
 */
#ifndef KASSA_KC_ANALYTICS_H
#define KASSA_KC_ANALYTICS_H

#include <stdbool.h>

#include "kc_transport.h"

/*
 * full: redraw the RFM quintiles and reclassify every member; rebuild:
 * recompute every aggregate, and every member, from the sales.
 */
KcResult kc_analytics_run(KassaClient *kc, bool full, bool rebuild, const char *key,
			  Kassa__V1__Response **resp);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_feed.h: the event feed for other systems and customer care's jobs,
 * for head office's administrators: FeedExport -> FeedPage (the numbered
 * events after a sequence number, optionally of the types matching
 * patterns such as "member.*") and JobRun -> JobDone ("followups",
 * "recommendations", "feed"). One kc_call() each (kc_transport.h); *resp
 * as for kc_call(); strings are borrowed for the call.
 */
#ifndef KASSA_KC_FEED_H
#define KASSA_KC_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "kc_transport.h"

/* At most limit (0 = the server's 500, at most 5000) events after after_seq, of ntypes patterns. */
KcResult kc_feed_export(KassaClient *kc, int64_t after_seq, uint32_t limit,
			const char *const *types, size_t ntypes, Kassa__V1__Response **resp);
/* Run job now, an exactly-once change: key (NULL = a fresh one). */
KcResult kc_job_run(KassaClient *kc, const char *job, const char *key,
		    Kassa__V1__Response **resp);

#endif

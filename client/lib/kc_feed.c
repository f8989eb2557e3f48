/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_feed.c: the event feed and customer care's jobs (see kc_feed.h): a
 * Request built here and one kc_call() each.
 */
#include "kc_feed.h"

#include "kc_build.h"

KcResult kc_feed_export(KassaClient *kc, int64_t after_seq, uint32_t limit,
			const char *const *types, size_t ntypes, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__FeedExport q = KASSA__V1__FEED_EXPORT__INIT;

	q.after_seq = after_seq;
	q.limit = limit;
	q.types = (char **)types;
	q.n_types = ntypes;
	req.body_case = KASSA__V1__REQUEST__BODY_FEED_EXPORT;
	req.feed_export = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_job_run(KassaClient *kc, const char *job, const char *key,
		    Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__JobRun q = KASSA__V1__JOB_RUN__INIT;
	char fresh[KC_KEY_LEN];

	q.job = (char *)(job != NULL ? job : "");
	req.body_case = KASSA__V1__REQUEST__BODY_JOB_RUN;
	req.job_run = &q;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

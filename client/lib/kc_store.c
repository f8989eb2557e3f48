/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_store: the catalogue sync, feedback and shift request wrappers (see
 * kc_store.h). Each builds its Request on the stack with borrowed fields
 * and hands it to kc_call().
 */
#include "kc_store.h"

#include "kc_build.h"

KcResult kc_catalog_sync(KassaClient *kc, int64_t after_seq, uint32_t limit,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CatalogSync sync = KASSA__V1__CATALOG_SYNC__INIT;

	sync.after_seq = after_seq;
	sync.limit = limit;
	req.body_case = KASSA__V1__REQUEST__BODY_CATALOG_SYNC;
	req.catalog_sync = &sync;
	return kc_call(kc, &req, resp);
}

KcResult kc_feedback(KassaClient *kc, int64_t txn_id, const char *receipt_no, int32_t rating,
		     const char *comment, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Feedback fb = KASSA__V1__FEEDBACK__INIT;
	char fresh[KC_KEY_LEN];

	fb.txn_id = txn_id;
	fb.receipt_no = (char *)(receipt_no ? receipt_no : "");
	fb.rating = rating;
	fb.comment = (char *)(comment ? comment : "");
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_FEEDBACK;
	req.feedback = &fb;
	return kc_call(kc, &req, resp);
}

KcResult kc_shift_open(KassaClient *kc, int64_t float_minor, const char *key,
		       Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ShiftOpen open = KASSA__V1__SHIFT_OPEN__INIT;
	char fresh[KC_KEY_LEN];

	open.float_minor = float_minor;
	req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	req.body_case = KASSA__V1__REQUEST__BODY_SHIFT_OPEN;
	req.shift_open = &open;
	return kc_call(kc, &req, resp);
}

KcResult kc_shift_report(KassaClient *kc, bool close, int64_t counted_minor, const char *key,
			 Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ShiftReport rep = KASSA__V1__SHIFT_REPORT__INIT;
	char fresh[KC_KEY_LEN];

	rep.close = close;
	rep.counted_minor = counted_minor;
	/* an X report changes nothing and carries no key */
	req.idempotency_key = close ? (char *)kc_key_or_fresh(key, fresh) : (char *)"";
	req.body_case = KASSA__V1__REQUEST__BODY_SHIFT_REPORT;
	req.shift_report = &rep;
	return kc_call(kc, &req, resp);
}

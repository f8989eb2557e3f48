/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_merge.c: member merge and import request wrappers (see kc_merge.h):
 * one request each, with borrowed pointers, and one kc_call().
 */
#include "kc_merge.h"

KcResult kc_member_merge(KassaClient *kc, int64_t keep_id, int64_t merge_id, const char *reason,
			 const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberMerge m = KASSA__V1__MEMBER_MERGE__INIT;

	m.keep_member_id = keep_id;
	m.merge_member_id = merge_id;
	m.reason = (char *)(reason ? reason : "");
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_MERGE;
	req.member_merge = &m;
	req.idempotency_key = (char *)(key ? key : "");
	return kc_call(kc, &req, resp);
}

KcResult kc_member_import(KassaClient *kc, const char *csv, bool all_or_nothing, bool dry_run,
			  const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__MemberImport m = KASSA__V1__MEMBER_IMPORT__INIT;

	m.csv = (char *)(csv ? csv : "");
	m.all_or_nothing = all_or_nothing;
	m.dry_run = dry_run;
	req.body_case = KASSA__V1__REQUEST__BODY_MEMBER_IMPORT;
	req.member_import = &m;
	req.idempotency_key = (char *)(key ? key : "");
	return kc_call(kc, &req, resp);
}

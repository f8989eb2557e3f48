/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_merge.h: member merge and import (administrators; docs/care/merge.md).
 * Each call blocks until the answer; the Response is the caller's
 * (kc_response_free()). Both change state: pass a fresh idempotency key
 * (kc_new_key()), and the same key to retry.
 */
#ifndef KASSA_KC_MERGE_H
#define KASSA_KC_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "kassa_client.h"

/* MemberMerge: merge_id's records move to keep_id (answer: MemberMerged). */
KcResult kc_member_merge(KassaClient *kc, int64_t keep_id, int64_t merge_id, const char *reason,
			 const char *key, Kassa__V1__Response **resp);
/* MemberImport: members from CSV text (answer: MemberImported). */
KcResult kc_member_import(KassaClient *kc, const char *csv, bool all_or_nothing, bool dry_run,
			  const char *key, Kassa__V1__Response **resp);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_office_members: head office's member requests: the member 360
 * (Member360 -> MemberProfile), the search of the whole base by filter or
 * saved segment with keyset paging (MemberFind -> MemberFound), and saved,
 * versioned segments (SegmentSave / SegmentGet -> Segment, SegmentList ->
 * SegmentCatalog). One kc_call() each (kc_transport.h); *resp as for
 * kc_call(); strings and the filter are borrowed for the call. The server
 * checks the filter (MemberFilter's comments in proto/kassa.proto).
 */
#ifndef KASSA_KC_OFFICE_MEMBERS_H
#define KASSA_KC_OFFICE_MEMBERS_H

#include <stdbool.h>
#include <stdint.h>

#include "kc_transport.h"

/* member_id's profile and the newest limit entries of each list (0 = the server's 20). */
KcResult kc_member_360(KassaClient *kc, int64_t member_id, uint32_t limit,
		       Kassa__V1__Response **resp);
/*
 * One page of the members filter matches (NULL = every member), or of
 * saved segment (NULL or "" = the filter) at version (0 = latest); limit 0
 * = the server's 50; after = the previous page's next (NULL or "" = from
 * the start); count_only = only MemberFound.count.
 */
KcResult kc_member_find(KassaClient *kc, Kassa__V1__MemberFilter *filter, const char *segment,
			uint32_t version, uint32_t limit, const char *after, bool count_only,
			Kassa__V1__Response **resp);
/* Save filter as the next version of segment name (an exactly-once change: key). */
KcResult kc_segment_save(KassaClient *kc, const char *name, const char *description,
			 Kassa__V1__MemberFilter *filter, const char *key,
			 Kassa__V1__Response **resp);
/* Segment name at version (0 = latest). */
KcResult kc_segment_get(KassaClient *kc, const char *name, uint32_t version,
			Kassa__V1__Response **resp);
/* The latest version of every segment. */
KcResult kc_segment_list(KassaClient *kc, Kassa__V1__Response **resp);

#endif

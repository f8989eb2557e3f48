/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_rights: a member's data rights, for head office's administrators:
 * the export of everything stored about one member (MemberDataExport ->
 * MemberData, one JSON document) and their erasure (MemberErase ->
 * MemberErased: the tombstone id, when, and how many rows were cleared).
 * One kc_call() each (kc_transport.h); *resp as for kc_call(); strings
 * are borrowed for the call.
 */
#ifndef KASSA_KC_RIGHTS_H
#define KASSA_KC_RIGHTS_H

#include <stdint.h>

#include "kc_transport.h"

/* Everything stored about member_id, as one JSON document (audited by the server). */
KcResult kc_member_data_export(KassaClient *kc, int64_t member_id, Kassa__V1__Response **resp);
/*
 * Erase member_id for reason (which may not name them), an exactly-once
 * change: key (NULL = a fresh one). Erasing again answers the same.
 */
KcResult kc_member_erase(KassaClient *kc, int64_t member_id, const char *reason,
			 const char *key, Kassa__V1__Response **resp);

#endif

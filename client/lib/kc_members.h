/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_members: the member requests of the client library: register, look
 * up (by id, phone, card or QR payload), search, update and the purchase
 * history. Each wrapper is one kc_call() (kc_transport.h); *resp as for
 * kc_call(). Strings and
 * messages passed in are borrowed for the call. A request that changes
 * state takes key, its idempotency key: NULL makes a fresh one (a caller
 * that wants to retry by hand or report the key passes its own).
 */
#ifndef KASSA_KC_MEMBERS_H
#define KASSA_KC_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "kc_transport.h"

/* Register a member. Answered with the Member. */
KcResult kc_member_register(KassaClient *kc, const Kassa__V1__MemberRegister *reg,
			    const char *key, Kassa__V1__Response **resp);

/* One member by id, phone (any usual notation), card number or QR payload. */
KcResult kc_member_get_by_id(KassaClient *kc, int64_t member_id, Kassa__V1__Response **resp);
KcResult kc_member_get_by_phone(KassaClient *kc, const char *phone, Kassa__V1__Response **resp);
KcResult kc_member_get_by_card(KassaClient *kc, const char *card_no, Kassa__V1__Response **resp);
KcResult kc_member_get_by_qr(KassaClient *kc, const char *qr_payload, Kassa__V1__Response **resp);

/* Search by name prefix or by the last digits of the phone; limit 0 = server default. */
KcResult kc_member_search_name(KassaClient *kc, const char *prefix, uint32_t limit,
			       Kassa__V1__Response **resp);
KcResult kc_member_search_phone(KassaClient *kc, const char *suffix, uint32_t limit,
				Kassa__V1__Response **resp);

/*
 * One page of member_id's purchases across stores, newest first (a
 * MemberHistoryPage): limit 0 = server default; before = the previous
 * page's next, NULL or "" for the newest.
 */
KcResult kc_member_history(KassaClient *kc, int64_t member_id, uint32_t limit,
			   const char *before, Kassa__V1__Response **resp);

/*
 * Replace the named fields (MemberRegister field names, e.g. "email",
 * "preferred_channel") of member_id with those of values.
 */
KcResult kc_member_update(KassaClient *kc, int64_t member_id,
			  const Kassa__V1__MemberRegister *values, const char *const *fields,
			  size_t nfields, const char *key, Kassa__V1__Response **resp);

#endif

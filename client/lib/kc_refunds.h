/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_refunds: the counter's money requests besides the sale: refunding
 * lines of an earlier sale, and putting money on a member's stored-value
 * wallet (top-up). Each wrapper is one kc_call() (kc_transport.h); *resp
 * as for kc_call(); strings and arrays are borrowed for the call. key is
 * the idempotency key; NULL makes a fresh one (a caller that wants to
 * report or reuse the key passes its own).
 */
#ifndef KASSA_KC_REFUNDS_H
#define KASSA_KC_REFUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "kc_sales.h"

/*
 * Refund lines line_nos[0..n) of sale txn_id (n = 0: every line not yet
 * refunded). approver_staff_id 0 and approver_pin NULL = no approval;
 * reason may be NULL. Answered with a RefundRecord.
 */
KcResult kc_refund(KassaClient *kc, int64_t txn_id, const int32_t *line_nos, size_t n,
		   int64_t approver_staff_id, const char *approver_pin, const char *reason,
		   const char *key, Kassa__V1__Response **resp);

/* Put amount_minor on member_id's wallet, paid with tenders[0..n). Answered with a TopUpRecord. */
KcResult kc_top_up(KassaClient *kc, int64_t member_id, int64_t amount_minor,
		   const KcTender *tenders, size_t n, const char *key, Kassa__V1__Response **resp);

#endif

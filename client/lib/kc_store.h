/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_store: the till's requests around the sale: the catalogue sync that
 * fills its local catalogue cache, the customer's feedback on a sale, and
 * the cash-desk shift (open with a float, X report, Z report). Each
 * wrapper is one kc_call() (kc_transport.h); *resp as for kc_call().
 * Strings passed in are borrowed for the call. A request that changes
 * state takes key, its idempotency key: NULL makes a fresh one (a caller
 * that wants to retry by hand or report the key passes its own).
 */
#ifndef KASSA_KC_STORE_H
#define KASSA_KC_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "kc_transport.h"

/*
 * The products changed after after_seq (0: all), oldest change first, at
 * most limit (0: the server's default). Answered with a CatalogPage: ask
 * again after its last_seq while more is set.
 */
KcResult kc_catalog_sync(KassaClient *kc, int64_t after_seq, uint32_t limit,
			 Kassa__V1__Response **resp);

/*
 * The customer's rating (1-5) and comment ("" for none) of the sale txn_id,
 * or, when txn_id is 0, of the sale with receipt number receipt_no.
 * Answered with FeedbackRecorded.
 */
KcResult kc_feedback(KassaClient *kc, int64_t txn_id, const char *receipt_no, int32_t rating,
		     const char *comment, const char *key, Kassa__V1__Response **resp);

/* Open this till's shift with float_minor in the drawer. Answered with a ShiftSummary. */
KcResult kc_shift_open(KassaClient *kc, int64_t float_minor, const char *key,
		       Kassa__V1__Response **resp);

/*
 * The open shift's X report (close false; key unused), or its Z report
 * (close true, with counted_minor cash counted), which closes the shift.
 * Answered with a ShiftSummary.
 */
KcResult kc_shift_report(KassaClient *kc, bool close, int64_t counted_minor, const char *key,
			 Kassa__V1__Response **resp);

#endif

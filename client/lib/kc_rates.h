/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_rates: the exchange-rate requests of the client library. Any staff
 * member reads the current rate table (a till caches it for foreign cash
 * and card; kassa-office shows it); a manager or admin replaces the whole
 * table, which makes a new version (kassa-office rates set). Each wrapper
 * is one kc_call() (kc_transport.h); *resp as for kc_call(); strings are
 * borrowed for the call. key is the idempotency key, NULL = a fresh one (a
 * caller that wants to report or reuse the key passes its own). The server
 * checks the codes and rates again and decides who may set them; a rate's
 * text form is money_parse_rate() / money_format_rate() (common/money.h).
 */
#ifndef KASSA_KC_RATES_H
#define KASSA_KC_RATES_H

#include <stddef.h>
#include <stdint.h>

#include "kc_transport.h"

/* One currency's rate as a caller gives it to kc_rates_set(). */
typedef struct KcRate {
	const char *currency;		/* ISO 4217 code, upper case; borrowed */
	int64_t rate_micro;		/* store units per unit of currency, x 1e6 */
} KcRate;

/* The current rate table (RateTable; version 0 and no rates if none was ever set). */
KcResult kc_rates_get(KassaClient *kc, Kassa__V1__Response **resp);

/*
 * Replace the rate table with the n rates (n may be 0: no foreign
 * currency taken any more) as a new version; note ("" or NULL for none)
 * goes to the audit trail. Answered with the new RateTable.
 */
KcResult kc_rates_set(KassaClient *kc, const KcRate *rates, size_t n, const char *note,
		      const char *key, Kassa__V1__Response **resp);

#endif

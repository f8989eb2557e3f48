/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_build: what the request builders and wrappers of the client library
 * share: the idempotency key a builder (kc_req.c) sends when its caller
 * gave none, protocol tenders from KcTender, and kc_seterr() (defined in
 * kc_transport.c) for a request a wrapper refuses before it is sent. Internal to the library: programs include
 * kassa_client.h.
 */
#ifndef KASSA_KC_BUILD_H
#define KASSA_KC_BUILD_H

#include <stddef.h>

#include "kc_transport.h"

/* defined in kc_sales.h: kc_transport.c includes this header and needs no sale types */
struct KcTender;

/* Set kc's last error (kc_last_error()) from a printf format. */
void kc_seterr(KassaClient *kc, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* key, or a fresh key written to fresh when key is NULL; the result is borrowed. */
const char *kc_key_or_fresh(const char *key, char fresh[KC_KEY_LEN]);

/*
 * The n tenders as protocol Tenders: (*tv)[i] holds them, (*tp)[i] points
 * at them (Checkout.tenders, TopUp.tenders). Strings are borrowed from
 * tenders (a NULL reference becomes ""). Both arrays are NULL for n = 0;
 * the caller frees both with free().
 */
void kc_tenders_build(const struct KcTender *tenders, size_t n, Kassa__V1__Tender **tv,
		      Kassa__V1__Tender ***tp);

#endif

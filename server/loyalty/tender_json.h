/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tender: what the requests that take money (checkout.c, topup.c) and the
 * answers that show it (txn.c, refund.c) share about tenders: the checks
 * every tender of a request passes, and the TenderRecord messages of a
 * stored sale or refund, built from the JSON arrays the database makes
 * (kassa_txn_json(), kassa_refund_json()).
 */
#ifndef KASSA_TENDER_JSON_H
#define KASSA_TENDER_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "kassa.pb-c.h"
#include "core.h"

#define TENDER_REF_MAX 64		/* a tender's reference, in bytes */

/*
 * Check tender t, the i-th (0-based) of a request: a known kind (cash,
 * card, e-wallet or stored value), a positive amount and a reference of at
 * most TENDER_REF_MAX bytes, which card and e-wallet tenders must have,
 * and which must not hold a card number (cardnum_has_card_number(); for
 * every kind, since every reference is stored and shown on receipts).
 * False after answering c INVALID_ARGUMENT (BAD_TENDER_KIND, BAD_AMOUNT,
 * BAD_REFERENCE, CARD_NUMBER_REFUSED, or FOREIGN_NOT_ACCEPTED for any
 * foreign-currency field set). Whether stored value may pay, and
 * how many tenders a request may have, is the caller's rule. Every request
 * that takes tenders (Checkout in checkout.c, TopUp in topup.c) checks each
 * of them here first.
 */
MUSTCHECK bool tender_check(Call *c, size_t i, const Kassa__V1__Tender *t);

/*
 * Check tender t of a Checkout: as tender_check(), except that cash or card
 * may be in a foreign currency (Tender.currency, not store_currency, one
 * money_currency_exponent() knows) with a positive foreign_minor and
 * rate_version and an amount_minor of 0 or more (the conversion is
 * checkout.c's). tender_check() refuses foreign fields: a top-up takes the
 * store currency only. False after answering c INVALID_ARGUMENT
 * (FOREIGN_NOT_ACCEPTED, BAD_CURRENCY, BAD_AMOUNT, ...).
 */
MUSTCHECK bool tender_check_sale(Call *c, size_t i, const Kassa__V1__Tender *t,
				 const char *store_currency);

/*
 * TenderRecords from a JSON array of {tender_no, kind, amount, ref}
 * objects (NULL or not an array: none). The strings are borrowed from arr,
 * which must outlive the reply. Free with tender_pb_free.
 */
Kassa__V1__TenderRecord **tender_pb_from_json(json_t *arr, size_t *n);
void tender_pb_free(Kassa__V1__TenderRecord **v);

#endif

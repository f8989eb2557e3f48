/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_sales: the sale requests of the client library: product look-up, the
 * one checkout call (a sale, or a quote of it), and reading a recorded
 * transaction. A KcSale describes the whole sale: lines (each may be a gift
 * from the gift catalogue), the member, tenders, points to redeem and
 * coupon codes. Each wrapper is one kc_call() (kc_transport.h); *resp as
 * for kc_call(); everything passed in is borrowed for the call.
 */
#ifndef KASSA_KC_SALES_H
#define KASSA_KC_SALES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kc_transport.h"

/* One basket line of a KcSale. */
typedef struct KcLine {
	const char *code;	/* borrowed: SKU or barcode */
	int32_t quantity;	/* >= 1 */
	bool gift;		/* from the gift catalogue, paid in points (SaleLine.gift) */
} KcLine;

/* One tender of a KcSale or a top-up. */
typedef struct KcTender {
	Kassa__V1__TenderKind kind;	/* KASSA__V1__TENDER_KIND__TENDER_CASH, ... */
	int64_t amount_minor;		/* store currency minor units */
	const char *reference;		/* borrowed: card / e-wallet reference; NULL = "" */
} KcTender;

/* A whole sale for kc_checkout(). */
typedef struct KcSale {
	const KcLine *lines;		/* borrowed, nlines of them */
	size_t nlines;
	int64_t member_id;		/* 0 = anonymous */
	const KcTender *tenders;	/* borrowed; TENDER_STORED_VALUE spends the wallet */
	size_t ntenders;
	int64_t points_redeem;		/* whole steps; 0 = none */
	const char *const *coupon_codes;	/* borrowed, ncoupons of them */
	size_t ncoupons;
} KcSale;

KcResult kc_product_lookup(KassaClient *kc, const char *code, Kassa__V1__Response **resp);

/*
 * Check sale out (quote false): key, its idempotency key, is required (a
 * retry by the caller must reuse it; KC_ERR_ARG without one). The Response
 * carries the Transaction recorded.
 *
 * With quote true, price the sale without recording it (Checkout.quote):
 * the Transaction it would make, txn_id 0, with points_redeemable; tenders
 * may be empty, and key is not used (a quote changes nothing, so it is
 * sent without one).
 */
KcResult kc_checkout(KassaClient *kc, const KcSale *sale, const char *key, bool quote,
		     Kassa__V1__Response **resp);

KcResult kc_transaction_get(KassaClient *kc, int64_t txn_id, Kassa__V1__Response **resp);

#endif

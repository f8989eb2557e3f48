/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_suggest: the pure arithmetic of a suggested purchase order line
 * (no I/O, no clock): from a product's sales over the last 28 days, its
 * supplier's lead time, pack size and minimum order, the review period and
 * the store's stock, the units to order. SQL gathers the inputs
 * (kassa_purchase_suggest_inputs, functions/suppliers.sql); purchase.c
 * calls this per line.
 */
#ifndef KASSA_SUPPLY_SUGGEST_H
#define KASSA_SUPPLY_SUGGEST_H

#include <stdint.h>

#define SUPPLY_HISTORY_DAYS 28		/* the forecast's window */
#define SUPPLY_QTY_MAX 100000000	/* units: more is clamped */

typedef struct SupplyLineIn {
	int64_t sold;			/* units sold over SUPPLY_HISTORY_DAYS days (>= 0) */
	int32_t lead_days;		/* supplier's lead time */
	int32_t review_days;		/* days until the next order */
	int64_t on_hand;		/* may be negative */
	int64_t on_order;		/* outstanding on open orders */
	int64_t safety;			/* the store's safety level */
	int64_t pack_size;		/* <= 1: single units */
	int64_t min_order;		/* 0 = none */
} SupplyLineIn;

typedef struct SupplyLineOut {
	int64_t forecast;		/* units expected over lead + review days */
	int64_t suggested;		/* units to order: 0 or a multiple of the pack */
} SupplyLineOut;

/*
 * The forecast is the average daily sales of the window times (lead_days +
 * review_days), rounded up; suggested = forecast + safety - on_hand -
 * on_order when positive, then at least min_order, rounded up to whole
 * packs. Negative inputs count as 0 (on_hand excepted: a negative level is
 * units owed to the shelf). Results are clamped to SUPPLY_QTY_MAX.
 */
SupplyLineOut supply_suggest_line(const SupplyLineIn *in);

#endif

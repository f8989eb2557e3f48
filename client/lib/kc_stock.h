/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_stock: the requests of stock per store (store operations, part
 * "stock"; docs/store/stock.md): StockList -> StockPage, StockMoves ->
 * StockMovePage, StockAdjust -> StockLevel, StockAlertList ->
 * StockAlertPage. Each wrapper is one kc_call() (kc_transport.h); *resp as
 * for kc_call(); strings are borrowed for the call. store_id 0 is the
 * till's own store.
 */
#ifndef KASSA_KC_STOCK_H
#define KASSA_KC_STOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "kc_transport.h"

/* Levels after product after_id (0: from the first), mover_class "" = any; limit 0 = 100. */
KcResult kc_stock_list(KassaClient *kc, int64_t store_id, bool below_only,
		       const char *mover_class, int64_t after_id, int32_t limit,
		       Kassa__V1__Response **resp);
/* The ledger of sku, newest first, before move before_id (0: the newest); limit 0 = 50. */
KcResult kc_stock_moves(KassaClient *kc, int64_t store_id, const char *sku, int64_t before_id,
			int32_t limit, Kassa__V1__Response **resp);
/*
 * Adjust sku by quantity (0: none) with reason, and set its safety level
 * to safety_level when set_safety; an exactly-once change: key (NULL = a
 * fresh one).
 */
KcResult kc_stock_adjust(KassaClient *kc, int64_t store_id, const char *sku, int64_t quantity,
			 const char *reason, bool set_safety, int64_t safety_level,
			 const char *key, Kassa__V1__Response **resp);
/* The store's open low-stock alerts (all: the cleared ones too); limit 0 = 100. */
KcResult kc_stock_alerts(KassaClient *kc, int64_t store_id, bool all, int32_t limit,
			 Kassa__V1__Response **resp);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_supply: the requests of suppliers, purchase orders and goods
 * receiving (store operations, part "supply"). Each wrapper is one
 * kc_call() (kc_transport.h) of a body the caller built (borrowed);
 * key NULL = a fresh idempotency key for the requests that change state
 * (pass the same key to retry). The Response is the caller's
 * (kc_response_free()).
 */
#ifndef KASSA_KC_SUPPLY_H
#define KASSA_KC_SUPPLY_H

#include "kc_transport.h"

KcResult kc_supplier_put(KassaClient *kc, Kassa__V1__SupplierPut *q, const char *key,
			 Kassa__V1__Response **resp);
KcResult kc_supplier_list(KassaClient *kc, bool include_inactive, Kassa__V1__Response **resp);
KcResult kc_supplier_product_put(KassaClient *kc, Kassa__V1__SupplierProductPut *q,
				 const char *key, Kassa__V1__Response **resp);
KcResult kc_purchase_suggest(KassaClient *kc, const char *supplier_code, int64_t store_id,
			     int32_t review_days, Kassa__V1__Response **resp);
KcResult kc_purchase_order_put(KassaClient *kc, Kassa__V1__PurchaseOrderPut *q,
			       const char *key, Kassa__V1__Response **resp);
KcResult kc_purchase_order_get(KassaClient *kc, int64_t po_id, Kassa__V1__Response **resp);
KcResult kc_purchase_order_list(KassaClient *kc, Kassa__V1__PurchaseOrderList *q,
				Kassa__V1__Response **resp);
KcResult kc_goods_receive(KassaClient *kc, Kassa__V1__GoodsReceive *q, const char *key,
			  Kassa__V1__Response **resp);

#endif

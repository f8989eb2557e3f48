/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_supply.c: the requests of suppliers, purchase orders and goods
 * receiving (see kc_supply.h).
 */
#include <string.h>

#include "kassa_client.h"
#include "kc_build.h"
#include "kc_supply.h"

/* Send body (its case bc) with key (NULL: fresh; mutating requests only) and wait. */
static KcResult supply_call(KassaClient *kc, Kassa__V1__Request__BodyCase bc, void *body,
			    bool keyed, const char *key, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	char fresh[KC_KEY_LEN];

	req.body_case = bc;
	switch (bc) {
	case KASSA__V1__REQUEST__BODY_SUPPLIER_PUT: req.supplier_put = body; break;
	case KASSA__V1__REQUEST__BODY_SUPPLIER_LIST: req.supplier_list = body; break;
	case KASSA__V1__REQUEST__BODY_SUPPLIER_PRODUCT_PUT: req.supplier_product_put = body; break;
	case KASSA__V1__REQUEST__BODY_PURCHASE_SUGGEST: req.purchase_suggest = body; break;
	case KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_PUT: req.purchase_order_put = body; break;
	case KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_GET: req.purchase_order_get = body; break;
	case KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_LIST: req.purchase_order_list = body; break;
	default: req.goods_receive = body; break;
	}
	if (keyed)
		req.idempotency_key = (char *)kc_key_or_fresh(key, fresh);
	return kc_call(kc, &req, resp);
}

KcResult kc_supplier_put(KassaClient *kc, Kassa__V1__SupplierPut *q, const char *key,
			 Kassa__V1__Response **resp)
{
	return supply_call(kc, KASSA__V1__REQUEST__BODY_SUPPLIER_PUT, q, true, key, resp);
}

KcResult kc_supplier_list(KassaClient *kc, bool include_inactive, Kassa__V1__Response **resp)
{
	Kassa__V1__SupplierList q = KASSA__V1__SUPPLIER_LIST__INIT;

	q.include_inactive = include_inactive;
	return supply_call(kc, KASSA__V1__REQUEST__BODY_SUPPLIER_LIST, &q, false, NULL, resp);
}

KcResult kc_supplier_product_put(KassaClient *kc, Kassa__V1__SupplierProductPut *q,
				 const char *key, Kassa__V1__Response **resp)
{
	return supply_call(kc, KASSA__V1__REQUEST__BODY_SUPPLIER_PRODUCT_PUT, q, true, key, resp);
}

KcResult kc_purchase_suggest(KassaClient *kc, const char *supplier_code, int64_t store_id,
			     int32_t review_days, Kassa__V1__Response **resp)
{
	Kassa__V1__PurchaseSuggest q = KASSA__V1__PURCHASE_SUGGEST__INIT;

	q.supplier_code = (char *)supplier_code;
	q.store_id = store_id;
	q.review_days = review_days;
	return supply_call(kc, KASSA__V1__REQUEST__BODY_PURCHASE_SUGGEST, &q, false, NULL, resp);
}

KcResult kc_purchase_order_put(KassaClient *kc, Kassa__V1__PurchaseOrderPut *q,
			       const char *key, Kassa__V1__Response **resp)
{
	return supply_call(kc, KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_PUT, q, true, key, resp);
}

KcResult kc_purchase_order_get(KassaClient *kc, int64_t po_id, Kassa__V1__Response **resp)
{
	Kassa__V1__PurchaseOrderGet q = KASSA__V1__PURCHASE_ORDER_GET__INIT;

	q.po_id = po_id;
	return supply_call(kc, KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_GET, &q, false, NULL, resp);
}

KcResult kc_purchase_order_list(KassaClient *kc, Kassa__V1__PurchaseOrderList *q,
				Kassa__V1__Response **resp)
{
	return supply_call(kc, KASSA__V1__REQUEST__BODY_PURCHASE_ORDER_LIST, q, false, NULL, resp);
}

KcResult kc_goods_receive(KassaClient *kc, Kassa__V1__GoodsReceive *q, const char *key,
			  Kassa__V1__Response **resp)
{
	return supply_call(kc, KASSA__V1__REQUEST__BODY_GOODS_RECEIVE, q, true, key, resp);
}

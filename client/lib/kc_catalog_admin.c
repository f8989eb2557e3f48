/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_catalog_admin.c: the catalogue's administration (see
 * kc_catalog_admin.h): a Request built here and one kc_call() each.
 */
#include "kc_catalog_admin.h"

#include "kc_build.h"

/* A change: q is the request's body (case), with a key. */
#define KC_CHANGE(field, bodycase) do { \
		Kassa__V1__Request req = KASSA__V1__REQUEST__INIT; \
		char fresh[KC_KEY_LEN]; \
		req.body_case = (bodycase); \
		req.field = q; \
		req.idempotency_key = (char *)kc_key_or_fresh(key, fresh); \
		return kc_call(kc, &req, resp); \
	} while (0)

KcResult kc_product_put(KassaClient *kc, Kassa__V1__ProductPut *q, const char *key,
			Kassa__V1__Response **resp)
{
	KC_CHANGE(product_put, KASSA__V1__REQUEST__BODY_PRODUCT_PUT);
}

KcResult kc_product_list(KassaClient *kc, const char *category, const char *name_prefix,
			 int64_t after_seq, uint32_t limit, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__ProductList q = KASSA__V1__PRODUCT_LIST__INIT;

	q.category = (char *)(category != NULL ? category : "");
	q.name_prefix = (char *)(name_prefix != NULL ? name_prefix : "");
	q.after_seq = after_seq;
	q.limit = limit;
	req.body_case = KASSA__V1__REQUEST__BODY_PRODUCT_LIST;
	req.product_list = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_category_put(KassaClient *kc, Kassa__V1__CategoryPut *q, const char *key,
			 Kassa__V1__Response **resp)
{
	KC_CHANGE(category_put, KASSA__V1__REQUEST__BODY_CATEGORY_PUT);
}

KcResult kc_category_list(KassaClient *kc, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__CategoryList q = KASSA__V1__CATEGORY_LIST__INIT;

	req.body_case = KASSA__V1__REQUEST__BODY_CATEGORY_LIST;
	req.category_list = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_price_list_put(KassaClient *kc, Kassa__V1__PriceListPut *q, const char *key,
			   Kassa__V1__Response **resp)
{
	KC_CHANGE(price_list_put, KASSA__V1__REQUEST__BODY_PRICE_LIST_PUT);
}

KcResult kc_price_list_query(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__PriceListQuery q = KASSA__V1__PRICE_LIST_QUERY__INIT;

	q.store_id = store_id;
	req.body_case = KASSA__V1__REQUEST__BODY_PRICE_LIST_QUERY;
	req.price_list_query = &q;
	return kc_call(kc, &req, resp);
}

KcResult kc_gift_item_put(KassaClient *kc, Kassa__V1__GiftItemPut *q, const char *key,
			  Kassa__V1__Response **resp)
{
	KC_CHANGE(gift_item_put, KASSA__V1__REQUEST__BODY_GIFT_ITEM_PUT);
}

KcResult kc_gift_item_list(KassaClient *kc, bool all, Kassa__V1__Response **resp)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__GiftItemList q = KASSA__V1__GIFT_ITEM_LIST__INIT;

	q.include_withdrawn = all;
	req.body_case = KASSA__V1__REQUEST__BODY_GIFT_ITEM_LIST;
	req.gift_item_list = &q;
	return kc_call(kc, &req, resp);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_catalog_admin: the requests of products, categories, price lists and
 * the gift catalogue (store operations, part "catalog";
 * docs/store/catalog.md): ProductPut -> Product, ProductList ->
 * CatalogPage, CategoryPut -> Category, CategoryList -> CategoryRoster,
 * PriceListPut -> PriceList, PriceListQuery -> PriceListRoster,
 * GiftItemPut -> GiftItem, GiftItemList -> GiftCatalog. Each wrapper is
 * one kc_call() (kc_transport.h); *resp as for kc_call(); the request
 * messages are borrowed for the call. Changes are exactly once per key
 * (NULL = a fresh one).
 */
#ifndef KASSA_KC_CATALOG_ADMIN_H
#define KASSA_KC_CATALOG_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "kc_transport.h"

/* Create or replace the product q->sku. */
KcResult kc_product_put(KassaClient *kc, Kassa__V1__ProductPut *q, const char *key,
			Kassa__V1__Response **resp);
/* Products changed after after_seq ("" filters: all); limit 0 = 200. */
KcResult kc_product_list(KassaClient *kc, const char *category, const char *name_prefix,
			 int64_t after_seq, uint32_t limit, Kassa__V1__Response **resp);
/* Create or replace the category q->code. */
KcResult kc_category_put(KassaClient *kc, Kassa__V1__CategoryPut *q, const char *key,
			 Kassa__V1__Response **resp);
/* Every category, by code. */
KcResult kc_category_list(KassaClient *kc, Kassa__V1__Response **resp);
/* Create or replace the price list (q->name, q->store_id) with all its items. */
KcResult kc_price_list_put(KassaClient *kc, Kassa__V1__PriceListPut *q, const char *key,
			   Kassa__V1__Response **resp);
/* The price lists of store_id (0: every store) with their items. */
KcResult kc_price_list_query(KassaClient *kc, int64_t store_id, Kassa__V1__Response **resp);
/* Put q->sku in the gift catalogue. */
KcResult kc_gift_item_put(KassaClient *kc, Kassa__V1__GiftItemPut *q, const char *key,
			  Kassa__V1__Response **resp);
/* The gift catalogue (withdrawn items too if all). */
KcResult kc_gift_item_list(KassaClient *kc, bool all, Kassa__V1__Response **resp);

#endif

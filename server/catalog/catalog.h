/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog: kassad's in-memory copy of the product table, keyed by SKU and
 * by barcode, so a checkout is priced without a database round trip. It
 * is only a cache: kassa_checkout() re-checks every price in the same
 * transaction that records the sale, and a PRICE_CHANGED answer makes the
 * checkout handler forget the sale's codes, reload them and try again.
 */
#ifndef KASSA_CATALOG_H
#define KASSA_CATALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "catalog_price.h"

typedef struct CatalogItem {
	int64_t product_id;
	int64_t price_minor;
	char currency[4];
	char *sku;		/* owned */
	char *barcode;		/* owned; "" if none */
	char *name;		/* owned */
	char *category;		/* owned */
	CatalogPriceCand *cands;	/* owned: the stores' price-list items (catalog_price.h) */
	size_t n_cands;
} CatalogItem;

/* The SELECT list catalog_put_row() expects, for statements to embed. */
/*
 * The last column is the product's price-list items, but for lists ended
 * more than a year ago (a late sale is at most [checkout]
 * late_sale_max_days <= 365 old), as catalog_price_parse() reads them.
 * Statements embedding it read FROM products without an alias.
 */
#define CATALOG_COLUMNS \
	"product_id, sku, coalesce(barcode, ''), name, category, price_minor, currency," \
	" coalesce((SELECT string_agg(concat_ws(',', i.store_id, to_char(l.valid_from, 'YYYYMMDD')," \
	"  coalesce(to_char(l.valid_to, 'YYYYMMDD'), '0'), l.priority, l.list_id, i.price_minor), ';')" \
	"  FROM price_list_items i JOIN price_lists l ON l.list_id = i.list_id" \
	"  WHERE i.product_id = products.product_id" \
	"   AND (l.valid_to IS NULL OR l.valid_to >= current_date - 366)), '')"
#define CATALOG_NCOLUMNS 8

/* Find an item by SKU or barcode; NULL if not cached. Borrowed until the next put/forget. */
const CatalogItem *catalog_get(const char *code);
/* Insert or replace the item in row of res (CATALOG_COLUMNS order). */
void catalog_put_row(const PGresult *res, int row);
/* Forget whatever is cached under code (and its other key). */
void catalog_forget(const char *code);
/*
 * The unit price of it in a sale at store_id on day (YYYYMMDD): its store
 * price-list price in force, else its base price (catalog_price_choose()).
 */
int64_t catalog_item_price(const CatalogItem *it, int64_t store_id, int32_t day);
/*
 * catalog_item_price() for today, the store's business day (store_day_of():
 * the caller has read it with store_day_load() if store_day_get() missed).
 */
int64_t catalog_item_price_today(const CatalogItem *it, int64_t store_id);
/* Number of cached items. */
int catalog_size(void);
/* Free everything (shutdown). */
void catalog_clear(void);

#endif

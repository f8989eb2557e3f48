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

typedef struct CatalogItem {
	int64_t product_id;
	int64_t price_minor;
	char currency[4];
	char *sku;		/* owned */
	char *barcode;		/* owned; "" if none */
	char *name;		/* owned */
	char *category;		/* owned */
} CatalogItem;

/* The SELECT list catalog_put_row() expects, for statements to embed. */
#define CATALOG_COLUMNS \
	"product_id, sku, coalesce(barcode, ''), name, category, price_minor, currency"

/* Find an item by SKU or barcode; NULL if not cached. Borrowed until the next put/forget. */
const CatalogItem *catalog_get(const char *code);
/* Insert or replace the item in row of res (CATALOG_COLUMNS order). */
void catalog_put_row(const PGresult *res, int row);
/* Forget whatever is cached under code (and its other key). */
void catalog_forget(const char *code);
/* Number of cached items. */
int catalog_size(void);
/* Free everything (shutdown). */
void catalog_clear(void);

#endif

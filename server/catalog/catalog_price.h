/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_price: which price a sale at a store uses (pure; no I/O, no
 * clock: the business day is an argument). A product has a base price and
 * may have items in stores' price lists (migrations/0026_catalog_admin.sql);
 * the sale uses the item of a list of the sale's store valid on the day
 * (valid_from <= day <= valid_to, an open end has no valid_to) with the
 * highest priority, then the newest list (the greatest list id), else the
 * base price. kassa_checkout()'s price check (functions/checkout.sql)
 * accepts exactly this price.
 */
#ifndef KASSA_CATALOG_PRICE_H
#define KASSA_CATALOG_PRICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One price-list item of a product. Days are numbers YYYYMMDD. */
typedef struct CatalogPriceCand {
	int64_t store_id;	/* the list's store */
	int32_t from;		/* the first day the list is valid */
	int32_t to;		/* the last day; 0 = open */
	int32_t priority;	/* higher wins */
	int64_t list_id;	/* with equal priority the greater (newer) wins */
	int64_t price_minor;	/* the item's price */
} CatalogPriceCand;

/* The day y-m-d as the number YYYYMMDD. */
int32_t catalog_price_day(int y, int m, int d);

/*
 * The price of a sale at store_id on day (YYYYMMDD) given the product's n
 * candidates (any order) and its base price; *list_id (if not NULL) is the
 * list chosen, 0 for the base price.
 */
int64_t catalog_price_choose(const CatalogPriceCand *cands, size_t n, int64_t store_id,
			     int32_t day, int64_t base, int64_t *list_id);

/*
 * Parse text "store,from,to,priority,list,price;..." (the form
 * CATALOG_COLUMNS reads, catalog.h) into a new array *out of *n candidates
 * (NULL and 0 for ""). Owned by the caller (free()). False on a malformed
 * text (then *out is NULL).
 */
bool catalog_price_parse(const char *text, CatalogPriceCand **out, size_t *n);

#endif

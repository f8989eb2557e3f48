/* SPDX-License-Identifier: Apache-2.0 */
/*
 * product.h: product look-ups for tills (by SKU or barcode), answered from
 * the catalogue cache (catalog.h) and filled from the database on a miss;
 * the till's own catalogue cache is filled page by page by CatalogSync
 * (sync.c), by change number.
 */
#ifndef KASSA_PRODUCT_H
#define KASSA_PRODUCT_H

#include <libpq-fe.h>

#include "core.h"

/* Register the statements; before db_setup(). */
void product_setup(void);
void handle_product_lookup(Call *c);

/* CatalogSync (sync.c): register its statement; before db_setup(). */
void catalog_sync_setup(void);
/* Answer a CatalogSync with the products changed after after_seq (CatalogPage). */
void handle_catalog_sync(Call *c);

/*
 * Fill p (and its price) from row of res, whose columns from col are
 * product_id, sku, barcode, name, category, price_minor, currency, seq,
 * active, stocked (strings borrowed from res).
 */
void catalog_product_from_row(Kassa__V1__Product *p, Kassa__V1__Money *price,
			      const PGresult *res, int row, int col);
/*
 * Answer c with a CatalogPage of the first min(rows, limit) rows of res
 * (columns from col as catalog_product_from_row() reads them; more is set
 * when rows > limit; after_seq is last_seq when none). With store_price,
 * column col + 10 holds the products' price-list items for c's store and
 * the price is the one in force today (catalog_price_choose()).
 */
void catalog_page_reply(Call *c, const PGresult *res, int col, int rows, int limit,
			int64_t after_seq, int32_t rate_version, bool store_price);

#endif

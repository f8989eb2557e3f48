/* SPDX-License-Identifier: Apache-2.0 */
/*
 * product.h: product look-ups for tills (by SKU or barcode), answered from
 * the catalogue cache (catalog.h) and filled from the database on a miss;
 * the till's own catalogue cache is filled page by page by CatalogSync
 * (sync.c), by change number.
 */
#ifndef KASSA_PRODUCT_H
#define KASSA_PRODUCT_H

#include "core.h"

/* Register the statements; before db_setup(). */
void product_setup(void);
void handle_product_lookup(Call *c);

/* CatalogSync (sync.c): register its statement; before db_setup(). */
void catalog_sync_setup(void);
/* Answer a CatalogSync with the products changed after after_seq (CatalogPage). */
void handle_catalog_sync(Call *c);

#endif

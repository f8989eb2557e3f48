/* SPDX-License-Identifier: Apache-2.0 */
/*
 * product.h: product look-ups for tills (by SKU or barcode), answered from
 * the catalogue cache (catalog.h) and filled from the database on a miss.
 */
#ifndef KASSA_PRODUCT_H
#define KASSA_PRODUCT_H

#include "core.h"

/* Register the statements; before db_setup(). */
void product_setup(void);
void handle_product_lookup(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supplier.h: store operations, part "supply" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_SUPPLIER_H
#define KASSA_SUPPLIER_H

#include "core.h"

/* Register supplier.c's statements and setup; before db_setup(). */
void supplier_setup(void);
/* SupplierPut */
void handle_supplier_put(Call *c);
/* SupplierList */
void handle_supplier_list(Call *c);
/* SupplierProductPut */
void handle_supplier_product_put(Call *c);

#endif

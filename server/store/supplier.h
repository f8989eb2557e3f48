/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supplier.h: store operations, part "supply": suppliers and what they
 * supply (supplier.c). Included by server/routes.c and the supply files.
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
/* Is s a supplier code (1-32 letters, digits, - _ .)? */
bool supplier_code_is_valid(const char *s);

#endif

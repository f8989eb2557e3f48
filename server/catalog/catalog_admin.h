/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_admin.h: store operations, part "catalog" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_CATALOG_ADMIN_H
#define KASSA_CATALOG_ADMIN_H

#include "core.h"

/* Register catalog_admin.c's statements and setup; before db_setup(). */
void catalog_admin_setup(void);
/* ProductPut */
void handle_product_put(Call *c);
/* ProductList */
void handle_product_list(Call *c);
/* CategoryPut */
void handle_category_put(Call *c);
/* CategoryList */
void handle_category_list(Call *c);

#endif

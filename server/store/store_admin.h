/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_admin.h: StorePut and StoreList (store operations, part "org";
 * store_admin.c). Included only by server/routes.c.
 */
#ifndef KASSA_STORE_ADMIN_H
#define KASSA_STORE_ADMIN_H

#include "core.h"

/* Register store_admin.c's statements and setup; before db_setup(). */
void store_admin_setup(void);
/* StorePut */
void handle_store_put(Call *c);
/* StoreList */
void handle_store_list(Call *c);

#endif

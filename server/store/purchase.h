/* SPDX-License-Identifier: Apache-2.0 */
/*
 * purchase.h: store operations, part "supply": purchase orders, suggested
 * from the sales forecast and the stock (purchase.c). Included only by
 * server/routes.c.
 */
#ifndef KASSA_PURCHASE_H
#define KASSA_PURCHASE_H

#include "core.h"

/* Register purchase.c's statements and setup; before db_setup(). */
void purchase_setup(void);
/* PurchaseSuggest */
void handle_purchase_suggest(Call *c);
/* PurchaseOrderPut */
void handle_purchase_order_put(Call *c);
/* PurchaseOrderGet */
void handle_purchase_order_get(Call *c);
/* PurchaseOrderList */
void handle_purchase_order_list(Call *c);

#endif

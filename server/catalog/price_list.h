/* SPDX-License-Identifier: Apache-2.0 */
/*
 * price_list: stores' price lists with their validity dates
 * (PriceListPut, PriceListQuery). Which price a sale uses is
 * catalog_price.h's rule. Included only by server/routes.c.
 */
#ifndef KASSA_PRICE_LIST_H
#define KASSA_PRICE_LIST_H

#include "core.h"

/* Register price_list.c's statements and setup; before db_setup(). */
void price_list_setup(void);
/* PriceListPut */
void handle_price_list_put(Call *c);
/* PriceListQuery */
void handle_price_list_query(Call *c);

#endif

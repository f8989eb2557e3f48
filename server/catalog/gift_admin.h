/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gift_admin: the gift catalogue (gift_items: products given for points)
 * administered through the protocol: GiftItemPut, GiftItemList.
 * Included only by server/routes.c.
 */
#ifndef KASSA_GIFT_ADMIN_H
#define KASSA_GIFT_ADMIN_H

#include "core.h"

/* Register gift_admin.c's statements and setup; before db_setup(). */
void gift_admin_setup(void);
/* GiftItemPut */
void handle_gift_item_put(Call *c);
/* GiftItemList */
void handle_gift_item_list(Call *c);

#endif

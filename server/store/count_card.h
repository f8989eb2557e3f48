/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_card.h: store operations, part "cards" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_COUNT_CARD_H
#define KASSA_COUNT_CARD_H

#include "core.h"

/* Register count_card.c's statements and setup; before db_setup(). */
void count_card_setup(void);
/* ServiceItemPut */
void handle_service_item_put(Call *c);
/* CardList */
void handle_card_list(Call *c);
/* CardRedeem */
void handle_card_redeem(Call *c);
/* CardRefund */
void handle_card_refund(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receiving.h: store operations, part "supply": goods receiving against a
 * purchase order (receiving.c).
 * Included only by server/routes.c.
 */
#ifndef KASSA_RECEIVING_H
#define KASSA_RECEIVING_H

#include "core.h"

/* Register receiving.c's statements and setup; before db_setup(). */
void receiving_setup(void);
/* GoodsReceive */
void handle_goods_receive(Call *c);

#endif

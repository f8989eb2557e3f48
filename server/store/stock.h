/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock.h: store operations, part "stock": stock levels, the ledger, low-stock
 * alerts (stock.c; the ledger itself is migrations/functions/stock.sql).
 * Included only by server/routes.c.
 */
#ifndef KASSA_STOCK_H
#define KASSA_STOCK_H

#include "core.h"

/* Register stock.c's statements and setup; before db_setup(). */
void stock_setup(void);
/* StockList */
void handle_stock_list(Call *c);
/* StockMoves */
void handle_stock_moves(Call *c);
/* StockAdjust */
void handle_stock_adjust(Call *c);
/* StockAlertList */
void handle_stock_alert_list(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock_fold.h: the timer that folds sales' stock movements (stock_pending,
 * migrations/0033_stock_pending.sql) into the ledger, the levels and the
 * low-stock alerts (kassa_stock_fold(), migrations/functions/stock.sql).
 */
#ifndef KASSA_STOCK_FOLD_H
#define KASSA_STOCK_FOLD_H

/* Register the statement; before db_setup(). */
void stock_fold_setup(void);
/* Arm the timer ([stock] fold_interval_ms; 0: never), on the loop. */
void stock_fold_start(void);
/* Stop it: at shutdown (the rows wait in the database for the next kassad). */
void stock_fold_stop(void);

#endif

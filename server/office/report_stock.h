/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_stock.h: the stock reports (report_stock.c): "movers".
 */
#ifndef KASSA_REPORT_STOCK_H
#define KASSA_REPORT_STOCK_H

/* Register the "movers" report; from routes.c next to report_setup(), before db_setup(). */
void report_stock_setup(void);

#endif

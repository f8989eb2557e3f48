/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock.c: placeholder of part "stock" of store operations.
 */
#include "stock.h"

void stock_setup(void)
{
}

void handle_stock_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StockList is being written");
}

void handle_stock_moves(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StockMoves is being written");
}

void handle_stock_adjust(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StockAdjust is being written");
}

void handle_stock_alert_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StockAlertList is being written");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * purchase.c: placeholder of part "supply" of store operations.
 */
#include "purchase.h"

void purchase_setup(void)
{
}

void handle_purchase_suggest(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PurchaseSuggest is being written");
}

void handle_purchase_order_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PurchaseOrderPut is being written");
}

void handle_purchase_order_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PurchaseOrderGet is being written");
}

void handle_purchase_order_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PurchaseOrderList is being written");
}

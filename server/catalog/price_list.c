/* SPDX-License-Identifier: Apache-2.0 */
/*
 * price_list.c: placeholder of part "catalog" of store operations.
 */
#include "price_list.h"

void price_list_setup(void)
{
}

void handle_price_list_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PriceListPut is being written");
}

void handle_price_list_query(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "PriceListQuery is being written");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * receiving.c: placeholder of part "supply" of store operations.
 */
#include "receiving.h"

void receiving_setup(void)
{
}

void handle_goods_receive(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "GoodsReceive is being written");
}

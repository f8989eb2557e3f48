/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gift_admin.c: placeholder of part "catalog" of store operations.
 */
#include "gift_admin.h"

void gift_admin_setup(void)
{
}

void handle_gift_item_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "GiftItemPut is being written");
}

void handle_gift_item_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "GiftItemList is being written");
}

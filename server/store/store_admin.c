/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_admin.c: placeholder of part "org" of store operations.
 */
#include "store_admin.h"

void store_admin_setup(void)
{
}

void handle_store_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StorePut is being written");
}

void handle_store_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StoreList is being written");
}

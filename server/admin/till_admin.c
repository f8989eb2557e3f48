/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_admin.c: placeholder of part "tills" of store operations.
 */
#include "till_admin.h"

void till_admin_setup(void)
{
}

void handle_till_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TillPut is being written");
}

void handle_till_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "TillList is being written");
}

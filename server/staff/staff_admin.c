/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_admin.c: placeholder of part "org" of store operations.
 */
#include "staff_admin.h"

void staff_admin_setup(void)
{
}

void handle_staff_put(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StaffPut is being written");
}

void handle_staff_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StaffList is being written");
}

void handle_staff_pin_reset(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StaffPinReset is being written");
}

void handle_staff_pin_change(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "StaffPinChange is being written");
}

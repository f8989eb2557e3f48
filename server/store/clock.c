/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c: placeholder of part "clock" of store operations.
 */
#include "clock.h"

void clock_setup(void)
{
}

void handle_clock_in(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ClockIn is being written");
}

void handle_clock_out(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ClockOut is being written");
}

void handle_clock_list(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "ClockList is being written");
}

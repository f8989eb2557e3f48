/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count.c: placeholder of part "counts" of store operations.
 */
#include "count.h"

void count_setup(void)
{
}

void handle_count_open(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CountOpen is being written");
}

void handle_count_scan(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CountScan is being written");
}

void handle_count_get(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CountGet is being written");
}

void handle_count_post(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET",
		  "CountPost is being written");
}

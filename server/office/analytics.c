/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics.c: the analytics job (first cut: not yet written).
 */
#include "office.h"

void analytics_setup(void)
{
}

void handle_analytics_run(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}

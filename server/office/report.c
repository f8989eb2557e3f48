/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: ReportRun (first cut: not yet written).
 */
#include "office.h"

void report_setup(void)
{
}

void handle_report_run(Call *c)
{
	call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "NOT_YET", "not implemented yet");
}

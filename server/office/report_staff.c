/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_staff.c: the staff hours and cashier performance reports (store operations, part "clock"; being
 * written), in the report registry (report.h).
 */
#include "office.h"
#include "report.h"

void report_staff_setup(void)
{
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_supply.c: the supplier performance reports (store operations, part "supply"; being
 * written), in the report registry (report.h).
 */
#include "office.h"
#include "report.h"

void report_supply_setup(void)
{
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h: staff time (考勤): clock in and out at the till and the records
 * and weekly hours (store operations, part "clock"; clock.c).
 * Included only by server/routes.c.
 */
#ifndef KASSA_CLOCK_H
#define KASSA_CLOCK_H

#include "core.h"

/* Register clock.c's statements; before db_setup(). */
void clock_setup(void);
/* ClockIn: the logged-in staff member clocks in at the till's store. */
void handle_clock_in(Call *c);
/* ClockOut: ... and out, from any till. */
void handle_clock_out(Call *c);
/* ClockList: a week's records and hours, or a shift's staff. */
void handle_clock_list(Call *c);

#endif

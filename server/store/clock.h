/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h: store operations, part "clock" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_CLOCK_H
#define KASSA_CLOCK_H

#include "core.h"

/* Register clock.c's statements and setup; before db_setup(). */
void clock_setup(void);
/* ClockIn */
void handle_clock_in(Call *c);
/* ClockOut */
void handle_clock_out(Call *c);
/* ClockList */
void handle_clock_list(Call *c);

#endif

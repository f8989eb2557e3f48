/* SPDX-License-Identifier: Apache-2.0 */
/*
 * screen: kassa-till's full-screen keyboard UI (ncurses, wide characters).
 */
#ifndef KASSA_TILL_SCREEN_H
#define KASSA_TILL_SCREEN_H

#include "till.h"

/* Run the screen on the terminal until the cashier quits; a TILL_EXIT_* code. */
int screen_run(TillSession *ts);

#endif

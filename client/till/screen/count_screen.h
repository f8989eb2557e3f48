/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_screen.h: the till's stock count mode (count_screen.c).
 */
#ifndef KASSA_TILL_COUNT_SCREEN_H
#define KASSA_TILL_COUNT_SCREEN_H

#include "scr.h"

/* Run the count mode until Esc: the store's open count session, scanning into it. */
void count_screen_run(Screen *sc);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count.h: store operations, part "counts" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_COUNT_H
#define KASSA_COUNT_H

#include "core.h"

/* Register count.c's statements and setup; before db_setup(). */
void count_setup(void);
/* CountOpen */
void handle_count_open(Call *c);
/* CountScan */
void handle_count_scan(Call *c);
/* CountGet */
void handle_count_get(Call *c);
/* CountPost */
void handle_count_post(Call *c);

#endif

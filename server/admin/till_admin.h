/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_admin.h: store operations, part "tills" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_TILL_ADMIN_H
#define KASSA_TILL_ADMIN_H

#include "core.h"

/* Register till_admin.c's statements and setup; before db_setup(). */
void till_admin_setup(void);
/*
 * Register the tills' sweep statement and arm its timer (till_sweep.c):
 * every few seconds this kassad closes its sessions of tills that TillPut,
 * on any kassad, has deactivated, moved or changed. Called by
 * till_admin_setup(), before db_setup(), after the event base exists.
 */
void till_sweep_setup(void);
/* TillPut */
void handle_till_put(Call *c);
/* TillList */
void handle_till_list(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_admin.h: StaffPut, StaffList (staff_admin.c), StaffPinReset and
 * StaffPinChange (staff_admin_pin.c): store operations, part "org".
 * Included only by server/routes.c.
 */
#ifndef KASSA_STAFF_ADMIN_H
#define KASSA_STAFF_ADMIN_H

#include "core.h"

/* Register staff_admin.c's statements and setup; before db_setup(). */
void staff_admin_setup(void);
/* StaffPut */
void handle_staff_put(Call *c);
/* StaffList */
void handle_staff_list(Call *c);
/* StaffPinReset */
void handle_staff_pin_reset(Call *c);
/* StaffPinChange */
void handle_staff_pin_change(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff.h: staff members as kassad sees them: Login with a staff id and a
 * PIN (argon2id, checked on a worker thread), which binds the staff member
 * and their role to the connection.
 */
#ifndef KASSA_STAFF_H
#define KASSA_STAFF_H

#include <stdbool.h>

#include "core.h"

/* Register the statements and check the worker set-up; before db_setup(). */
MUSTCHECK bool login_setup(void);
void handle_login(Call *c);

#endif

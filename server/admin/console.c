/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console.c: placeholder, being written (issue 10).
 */
#include "admin.h"

int admin_console_placeholder(void);
int admin_console_placeholder(void)
{
	return 0;
}

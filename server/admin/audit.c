/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c: placeholder, being written (issue 10).
 */
#include "admin.h"

int admin_audit_placeholder(void);
int admin_audit_placeholder(void)
{
	return 0;
}

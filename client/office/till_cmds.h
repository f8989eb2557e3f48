/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_cmds.h: kassa-office's till commands (till_cmds.c), listed in
 * store_ops.c.
 */
#ifndef KASSA_OFFICE_TILL_CMDS_H
#define KASSA_OFFICE_TILL_CMDS_H

#include "office.h"

/* till put CODE [store=ID] [kind=till|office|bench] [active=yes|no] */
int cmd_till_put(KassaClient *kc, const Args *a);
/* till list [store=ID] */
int cmd_till_list(KassaClient *kc, const Args *a);

#endif

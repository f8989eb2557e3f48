/* SPDX-License-Identifier: Apache-2.0 */
/*
 * org_cmds.h: kassa-office's commands of stores and staff (org_cmds.c),
 * listed in store_ops.c.
 */
#ifndef KASSA_OFFICE_ORG_CMDS_H
#define KASSA_OFFICE_ORG_CMDS_H

#include "office.h"

/* store put|add CODE [name=] [currency=] [timezone=] [negative_stock=yes|no]; store list */
int cmd_store_put(KassaClient *kc, const Args *a);
int cmd_store_add(KassaClient *kc, const Args *a);
int cmd_store_list(KassaClient *kc, const Args *a);
/* staff add|set|disable|enable|list|pin-reset (new PINs from KASSA_NEW_PIN or stdin) */
int cmd_staff_add(KassaClient *kc, const Args *a);
int cmd_staff_set(KassaClient *kc, const Args *a);
int cmd_staff_disable(KassaClient *kc, const Args *a);
int cmd_staff_enable(KassaClient *kc, const Args *a);
int cmd_staff_list(KassaClient *kc, const Args *a);
int cmd_staff_pin_reset(KassaClient *kc, const Args *a);

#endif

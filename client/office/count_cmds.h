/* SPDX-License-Identifier: Apache-2.0 */
/*
 * count_cmds.h: kassa-office's commands of stock counts and transfers
 * (count_cmds.c), listed in store_ops.c.
 */
#ifndef KASSA_OFFICE_COUNT_CMDS_H
#define KASSA_OFFICE_COUNT_CMDS_H

#include "office.h"

/* count show ID */
int cmd_count_show(KassaClient *kc, const Args *a);
/* count post ID [cancel] */
int cmd_count_post(KassaClient *kc, const Args *a);
/* transfer send to=STORE SKU=QTY... [from=STORE] [note=TEXT] */
int cmd_transfer_send(KassaClient *kc, const Args *a);
/* transfer receive ID [SKU=QTY...] */
int cmd_transfer_receive(KassaClient *kc, const Args *a);
/* transfer show ID */
int cmd_transfer_show(KassaClient *kc, const Args *a);
/* transfer list [store=ID] [state=sent|received] [limit=N] [before=ID] */
int cmd_transfer_list(KassaClient *kc, const Args *a);

#endif

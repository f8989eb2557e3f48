/* SPDX-License-Identifier: Apache-2.0 */
/*
 * card_cmds.h: kassa-office's commands of service items and count cards
 * (card_cmds.c), listed in store_ops.c.
 */
#ifndef KASSA_OFFICE_CARD_CMDS_H
#define KASSA_OFFICE_CARD_CMDS_H

#include "office.h"

/* service put SKU visits=N [days=D] [active=yes|no] */
int cmd_service_put(KassaClient *kc, const Args *a);
/* card list MEMBER [all] */
int cmd_card_list(KassaClient *kc, const Args *a);
/* card redeem CARD_ID [visits=N] [member=ID] */
int cmd_card_redeem(KassaClient *kc, const Args *a);
/* card refund CARD_ID */
int cmd_card_refund(KassaClient *kc, const Args *a);

#endif

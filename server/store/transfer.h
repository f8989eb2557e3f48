/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transfer.h: store operations, part "counts" (being written).
 * Included only by server/routes.c.
 */
#ifndef KASSA_TRANSFER_H
#define KASSA_TRANSFER_H

#include "core.h"

/* Register transfer.c's statements and setup; before db_setup(). */
void transfer_setup(void);
/* TransferSend */
void handle_transfer_send(Call *c);
/* TransferReceive */
void handle_transfer_receive(Call *c);
/* TransferGet */
void handle_transfer_get(Call *c);
/* TransferList */
void handle_transfer_list(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supply_cmds.h: kassa-office's commands of suppliers, purchase orders and
 * goods receiving (supply_cmds.c), listed in store_ops.c. Each prints one
 * JSON object and returns the exit code (OFFICE_EXIT_*).
 */
#ifndef KASSA_OFFICE_SUPPLY_CMDS_H
#define KASSA_OFFICE_SUPPLY_CMDS_H

#include "office.h"

/* supplier put CODE name=NAME [contact=..] [phone=..] [email=..] [address=..] [active=yes|no] */
int cmd_supplier_put(KassaClient *kc, const Args *a);
/* supplier list [all] */
int cmd_supplier_list(KassaClient *kc, const Args *a);
/* supplier product SUPPLIER SKU cost=12.34 lead_days=N [pack=N] [min=N] [preferred=yes] */
int cmd_supplier_product(KassaClient *kc, const Args *a);
/* po suggest supplier=CODE [store=ID] [review=DAYS] */
int cmd_po_suggest(KassaClient *kc, const Args *a);
/* po create supplier=CODE [store=ID] SKU=QTY... | from-suggestion */
int cmd_po_create(KassaClient *kc, const Args *a);
/* po send|cancel|close ID */
int cmd_po_send(KassaClient *kc, const Args *a);
int cmd_po_cancel(KassaClient *kc, const Args *a);
int cmd_po_close(KassaClient *kc, const Args *a);
/* po show ID; po list [state=..] [store=ID] [supplier=CODE] [before=ID] [limit=N] */
int cmd_po_show(KassaClient *kc, const Args *a);
int cmd_po_list(KassaClient *kc, const Args *a);
/* po receive ID SKU=QTY... | all */
int cmd_po_receive(KassaClient *kc, const Args *a);

#endif

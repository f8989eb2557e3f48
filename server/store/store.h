/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h: running a store day to day. Today: the cash-desk shifts of a
 * till (shift.c): ShiftOpen with the float, the X report (ShiftReport,
 * close false) and the Z report that closes the shift (close true, with
 * the cash counted). Included only by server/routes.c; store uses the core
 * and no other domain.
 */
#ifndef KASSA_STORE_H
#define KASSA_STORE_H

#include "core.h"

/* Register the statements; before db_setup(). */
void shift_setup(void);
/* ShiftOpen: open this till's shift (ShiftSummary). */
void handle_shift_open(Call *c);
/* ShiftReport: the X report, or the Z report that closes the shift (ShiftSummary). */
void handle_shift_report(Call *c);
/* True for an X report, which changes nothing and needs no idempotency key. */
bool shift_report_is_x(const Kassa__V1__Request *req);

#endif

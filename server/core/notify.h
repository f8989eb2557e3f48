/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.h: telling systemd (Type=notify) how kassad is doing, through
 * libsystemd's sd_notify: READY=1 once the listener is bound and the pool
 * has a working connection to a database at the expected schema, STATUS=
 * lines, RELOADING=1 / READY=1 around a reload, STOPPING=1 when draining
 * starts, and WATCHDOG=1 from a loop timer at half of WATCHDOG_USEC (the
 * loop turning is the liveness systemd checks). Without libsystemd at build
 * time, or without NOTIFY_SOCKET at run time, every call does nothing.
 */
#ifndef KASSA_NOTIFY_H
#define KASSA_NOTIFY_H

#include <stdbool.h>
#include "util.h"

/*
 * On the loop, after the listeners are bound: start the watchdog timer
 * (when systemd asks for one) and send READY=1 as soon as the pool has a
 * usable connection. False when a timer cannot be made.
 */
MUSTCHECK bool notify_start(void);
/* READY=1 has been sent. */
bool notify_is_ready(void);
/* STATUS=text */
void notify_status(const char *text);
/* RELOADING=1 with MONOTONIC_USEC=now; then notify_reloaded() sends READY=1 again. */
void notify_reloading(void);
void notify_reloaded(const char *status);
/* STOPPING=1 (draining has started) */
void notify_stopping(void);
/* Free the timers (after the loop). */
void notify_shutdown(void);

#endif

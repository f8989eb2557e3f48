/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kc_console: the operator console's request wrappers (an administrator's,
 * from an office certificate). SHOW is answered with a ReportTable (report
 * "console_<what>": typed columns, cells in machine form, as a report's),
 * RELOAD with ConsoleReloaded (ok, a message, the keys applied and the
 * keys that need a restart). One kc_call() each (kc_transport.h); *resp
 * as for kc_call(); what is borrowed for the call.
 */
#ifndef KASSA_KC_CONSOLE_H
#define KASSA_KC_CONSOLE_H

#include "kc_transport.h"

/* SHOW what: "pools", "sessions", "queues", "jobs" or "version". */
KcResult kc_console_show(KassaClient *kc, const char *what, Kassa__V1__Response **resp);
/* RELOAD: what SIGHUP does (configuration file, TLS files, CRL). */
KcResult kc_console_reload(KassaClient *kc, Kassa__V1__Response **resp);

#endif

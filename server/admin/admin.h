/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.h: the operators' requests (office admin role, office certificates
 * only): the console's SHOW and RELOAD (console.c) and the audit log's
 * verification (audit.c).
 */
#ifndef KASSA_ADMIN_H
#define KASSA_ADMIN_H

#include "core.h"

/* ---- the operator console (console.c) ---- */

#define CONSOLE_SESSIONS_MAX 500	/* SHOW SESSIONS lists at most this many (a note says so) */

/* Register SHOW VERSION's statement; before db_setup(). */
void console_setup(void);
/*
 * ConsoleShow: what = "pools", "sessions", "queues", "jobs" or "version",
 * answered with a ReportTable (report "console_<what>") from kassad's own
 * state (VERSION also asks the database its schema version); anything
 * else is INVALID_ARGUMENT UNKNOWN_SHOW. Takes c.
 */
void handle_console_show(Call *c);
/* ConsoleReload: reload_run() as SIGHUP does, answered ConsoleReloaded. Takes c. */
void handle_console_reload(Call *c);

/* ---- the audit log's verification (audit.c) ---- */

/* Register AuditVerify's statements; before db_setup(). */
void audit_setup(void);
/*
 * AuditVerify: walk the audit log's hash chain and answer AuditVerified
 * (ok, or the first bad row and what is wrong with it); the verification
 * writes its own 'audit.verify' audit row. Takes c.
 */
void handle_audit_verify(Call *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log: levelled log lines to stderr (or syslog when the daemon detaches),
 * as text or as JSON lines, with journald priority prefixes when stderr is
 * the journal's stream, a request context on the lines about a request,
 * and personal data masked out of every line (log_redact).
 * Messages follow PostgreSQL's style: lower case, no final period,
 * "could not <verb> <object>: <reason>".
 */
#ifndef KASSA_LOG_H
#define KASSA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util.h"

typedef enum LogLevel {
	LOG_LVL_ERROR = 0,	/* something failed and an operator should look */
	LOG_LVL_WARN = 1,	/* unusual but handled; none in normal operation */
	LOG_LVL_INFO = 2,	/* start, stop, reload, connections coming and going */
	LOG_LVL_DEBUG = 3,	/* per-request detail */
} LogLevel;

typedef enum LogFormat {
	LOG_FMT_TEXT = 0,	/* "2026-11-22 10:00:00.123 INFO [req=S001-T1#42] message" */
	LOG_FMT_JSON = 1,	/* one JSON object a line: ts, level, msg, req, till, staff */
} LogFormat;

#define LOG_MSG_MAX 2048	/* bytes of one message; a longer one is cut, ending "..." */

/*
 * What a line is about: the request of a till (log_ctx_msg). Text lines
 * carry it as "[req=S001-T1#42 staff=1001]", JSON lines as the members
 * req, till and staff.
 */
typedef struct LogCtx {
	const char *till;	/* borrowed: the till's code; NULL or "" = unknown ("?") */
	uint64_t req;		/* the Request.request_id the till sent */
	int64_t staff;		/* the staff member logged in; 0 = none (left out) */
} LogCtx;

/* Set the most verbose level printed. */
void log_set_level(LogLevel lvl);
LogLevel log_get_level(void);
/* Parse "error", "warn", "info" or "debug"; false if none of them. */
MUSTCHECK bool log_level_parse(const char *s, LogLevel *out);
/* Parse "text" or "json" (any case) into *out; false (*out untouched) otherwise. */
MUSTCHECK bool log_format_parse(const char *s, LogFormat *out);
/*
 * Write lines in the format named s ("text" or "json") from the next line
 * on; false (the format unchanged) for any other name. For [log] format at
 * start and on reload.
 */
MUSTCHECK bool log_set_format(const char *s);
LogFormat log_get_format(void);
/* Send lines to syslog (ident "kassad") instead of stderr. */
void log_use_syslog(bool on);
/*
 * Look again whether stderr is the journal's stream: JOURNAL_STREAM (set by
 * systemd for a unit whose stderr goes to the journal) names the device and
 * inode of that stream, "<dev>:<ino>", and is believed only if file
 * descriptor 2 is that very file (a child that inherited the variable but
 * writes elsewhere gets no prefixes). When it is, each line starts with its
 * syslog priority ("<3>" for error ... "<7>" for debug, see sd-daemon(3))
 * and carries no timestamp of our own: the journal stamps it. Done once by
 * itself before the first line; call it again after redirecting stderr.
 * Returns whether prefixes are now written.
 */
bool log_detect_journal(void);

void log_msg(LogLevel lvl, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* A line about a request: as log_msg, with ctx (borrowed; NULL = none) in it. */
void log_ctx_msg(LogLevel lvl, const LogCtx *ctx, const char *fmt, ...) PRINTF_LIKE(3, 4);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { \
		if (log_get_level() >= LOG_LVL_DEBUG) \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)

/*
 * Mask the personal data in the NUL-terminated text s, in place and
 * without changing its length: e-mail addresses (every character but the
 * '@' becomes '*'), phone numbers (an unbroken run of 11 to 19 digits,
 * with its '+', or an 11-digit mobile number written in groups: all but
 * the last 4 digits), card numbers (a member card "K" + 10 digits, a
 * payment card number of 13-19 digits that passes the Luhn check: all but
 * the last 4 digits) and the values of password=, pin= and
 * postgresql://user:password@ (every character). Every line log.c writes
 * goes through it; it is exposed for the tests and for text that leaves by
 * another way. Returns how many things it masked.
 */
size_t log_redact(char *s);

/* Log at error level and exit(1). Only before the event loop starts. */
void die(const char *fmt, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));

#endif

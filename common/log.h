/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log: levelled log lines to stderr (or syslog when the daemon detaches).
 * Messages follow PostgreSQL's style: lower case, no final period,
 * "could not <verb> <object>: <reason>".
 */
#ifndef KASSA_LOG_H
#define KASSA_LOG_H

#include <stdbool.h>
#include "util.h"

typedef enum LogLevel {
	LOG_LVL_ERROR = 0,	/* something failed and an operator should look */
	LOG_LVL_WARN = 1,	/* unusual but handled; none in normal operation */
	LOG_LVL_INFO = 2,	/* start, stop, reload, connections coming and going */
	LOG_LVL_DEBUG = 3,	/* per-request detail */
} LogLevel;

/* Set the most verbose level printed. */
void log_set_level(LogLevel lvl);
LogLevel log_get_level(void);
/* Parse "error", "warn", "info" or "debug"; false if none of them. */
MUSTCHECK bool log_level_parse(const char *s, LogLevel *out);
/* Send lines to syslog (ident "kassad") instead of stderr. */
void log_use_syslog(bool on);

void log_msg(LogLevel lvl, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { \
		if (log_get_level() >= LOG_LVL_DEBUG) \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
	} while (0)

/* Log at error level and exit(1). Only before the event loop starts. */
void die(const char *fmt, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));

#endif

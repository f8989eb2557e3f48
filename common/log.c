/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log: levelled log lines. By default each line goes to stderr as
 *
 *	2026-11-22 10:00:00.123 INFO listening on 127.0.0.1:7443
 *
 * (local time, milliseconds, level word, message). log_use_syslog(true)
 * sends lines to syslog instead, ident "kassad", facility LOG_DAEMON, where
 * syslog adds its own timestamp. A line is written under the stdio lock so
 * that lines from different threads (the libpq pool, if it ever gets
 * threads) do not interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static LogLevel log_level = LOG_LVL_INFO;	/* most verbose level printed */
static bool log_syslog;				/* true: syslog, false: stderr */

static const struct {
	const char *word;	/* in log lines and in [log] level */
	int prio;		/* syslog priority */
} log_levels[] = {
	[LOG_LVL_ERROR] = { "ERROR", LOG_ERR },
	[LOG_LVL_WARN] = { "WARN", LOG_WARNING },
	[LOG_LVL_INFO] = { "INFO", LOG_INFO },
	[LOG_LVL_DEBUG] = { "DEBUG", LOG_DEBUG },
};

void log_set_level(LogLevel lvl)
{
	if (lvl >= LOG_LVL_ERROR && lvl <= LOG_LVL_DEBUG)
		log_level = lvl;
}

LogLevel log_get_level(void)
{
	return log_level;
}

bool log_level_parse(const char *s, LogLevel *out)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(log_levels); i++) {
		if (strcasecmp(s, log_levels[i].word) == 0) {
			*out = (LogLevel)i;
			return true;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_LVL_WARN;
		return true;
	}
	return false;
}

void log_use_syslog(bool on)
{
	if (on && !log_syslog)
		openlog("kassad", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

/* Format and emit one line; fmt/ap as for vprintf. */
static void log_vmsg(LogLevel lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void log_vmsg(LogLevel lvl, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (lvl < LOG_LVL_ERROR || lvl > LOG_LVL_DEBUG)
		lvl = LOG_LVL_ERROR;
	if (lvl > log_level)
		return;
	if (log_syslog) {
		vsyslog(log_levels[lvl].prio, fmt, ap);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)ts.tv_sec);

	flockfile(stderr);
	fprintf(stderr, "%s.%03ld %s ", stamp, ts.tv_nsec / 1000000, log_levels[lvl].word);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void log_msg(LogLevel lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

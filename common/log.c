/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log: levelled log lines. By default each line goes to stderr as
 *
 *	2026-11-22 10:00:00.123 INFO listening on 127.0.0.1:7443
 *	2026-11-22 10:00:01.456 WARN [req=S001-T1#42 staff=1001] could not ...
 *
 * (local time, milliseconds, level word, the request the line is about if
 * any, message). With [log] format = json (log_set_format) each line is
 * one JSON object instead:
 *
 *	{"ts":"2026-11-22T02:00:01.456Z","level":"warn","msg":"could not ...",
 *	 "req":"S001-T1#42","till":"S001-T1","staff":1001}
 *
 * (on one line; ts is RFC 3339 in UTC with milliseconds; req, till and
 * staff only on a line about a request, staff only once someone logged in).
 * A line about a request comes through log_ctx_msg() with a LogCtx; in
 * kassad, log_call(c, level, ...) (server/core/core.h) fills it from a Call.
 * When stderr is the journal's stream (log_detect_journal: JOURNAL_STREAM
 * names fd 2's device and inode), each line, text or JSON, starts with its
 * syslog priority "<3>" ... "<7>" (sd-daemon(3)) and a text line has no
 * timestamp: the journal keeps its own. log_use_syslog(true) sends lines to
 * syslog instead (ident "kassad", facility LOG_DAEMON).
 *
 * Every message is formatted into a bounded buffer (LOG_MSG_MAX), its
 * personal data masked (log_redact: e-mail addresses, phone and card
 * numbers, passwords and PINs in key=value form), control characters made
 * spaces in text (no line can forge another) and escaped in JSON (invalid
 * UTF-8 becomes U+FFFD, so every line is valid JSON), and written with one
 * fwrite under the stdio lock so that lines of different threads (argon2
 * workers) never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include "cardnum.h"
#include "log.h"

#define LOG_LINE_MAX (LOG_MSG_MAX * 6 + 512)	/* a message escaped (\u00XX) + the rest */

static LogLevel log_level = LOG_LVL_INFO;	/* most verbose level printed */
static bool log_syslog;				/* true: syslog, false: stderr */
static int log_format = LOG_FMT_TEXT;		/* LogFormat; atomic loads and stores */
static int log_journal = -1;			/* 1: journald prefixes; -1: not looked yet */

static const struct {
	const char *word;	/* in text lines and in [log] level */
	const char *json;	/* in JSON lines */
	int prio;		/* syslog priority, also the journald prefix */
} log_levels[] = {
	[LOG_LVL_ERROR] = { "ERROR", "error", LOG_ERR },
	[LOG_LVL_WARN] = { "WARN", "warn", LOG_WARNING },
	[LOG_LVL_INFO] = { "INFO", "info", LOG_INFO },
	[LOG_LVL_DEBUG] = { "DEBUG", "debug", LOG_DEBUG },
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

bool log_format_parse(const char *s, LogFormat *out)
{
	if (s != NULL && strcasecmp(s, "text") == 0) {
		*out = LOG_FMT_TEXT;
		return true;
	}
	if (s != NULL && strcasecmp(s, "json") == 0) {
		*out = LOG_FMT_JSON;
		return true;
	}
	return false;
}

bool log_set_format(const char *s)
{
	LogFormat f;

	if (!log_format_parse(s, &f))
		return false;
	__atomic_store_n(&log_format, (int)f, __ATOMIC_RELAXED);
	return true;
}

LogFormat log_get_format(void)
{
	return (LogFormat)__atomic_load_n(&log_format, __ATOMIC_RELAXED);
}

void log_use_syslog(bool on)
{
	if (on && !log_syslog)
		openlog("kassad", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

bool log_detect_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;
	int on = 0;

	if (js != NULL && sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) == 2 &&
	    fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		on = 1;
	__atomic_store_n(&log_journal, on, __ATOMIC_RELAXED);
	return on == 1;
}

/* ---- masking (log_redact) ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_email_local(char c)
{
	return is_alnum(c) || (c != '\0' && strchr("._%+-", c) != NULL);
}

static bool is_domain(char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

static void mask(char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		s[i] = '*';
}

/* Mask the ASCII digits of s[from, to) but the last keep, and every fullwidth digit. */
static void mask_digits(char *s, size_t from, size_t to, int keep)
{
	size_t i = to;

	while (i-- > from) {
		unsigned char u = (unsigned char)s[i];

		if (is_digit(s[i])) {
			if (keep > 0)
				keep--;
			else
				s[i] = '*';
		} else if (u >= 0x90 && u <= 0x99 && i >= from + 2 &&
			   (unsigned char)s[i - 1] == 0xBC && (unsigned char)s[i - 2] == 0xEF) {
			mask(s, i - 2, i + 1);
			i -= 2;
		}
	}
}

/* "scheme://user:password@host": the password. */
static size_t redact_uri(char *s)
{
	size_t n = 0;

	for (char *p = strstr(s, "://"); p != NULL; p = strstr(p + 1, "://")) {
		char *q = p + 3, *colon = NULL;

		while (*q != '\0' && *q != '@' && *q != '/' && *q != ' ' && *q != '"' && *q != '\'') {
			if (*q == ':' && colon == NULL)
				colon = q;
			q++;
		}
		if (*q == '@' && colon != NULL && q > colon + 1) {
			mask(s, (size_t)(colon + 1 - s), (size_t)(q - s));
			n++;
		}
	}
	return n;
}

/* key=value and key='quoted value' for the keys that name secrets. */
static size_t redact_keys(char *s)
{
	static const char *const keys[] = { "password=", "passwd=", "pin=", "new_pin=", "pwd=" };
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '_'))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t kl = strlen(keys[k]), j;

			if (strncasecmp(s + i, keys[k], kl) != 0)
				continue;
			j = i + kl;
			if (s[j] == '\'' || s[j] == '"') {
				char quote = s[j++];
				size_t from = j;

				while (s[j] != '\0' && s[j] != quote)
					j++;
				mask(s, from, j);
			} else {
				size_t from = j;

				while (s[j] != '\0' && s[j] != ' ' && s[j] != ',' && s[j] != ';' &&
				       s[j] != ')' && s[j] != '"' && s[j] != '\'' && s[j] != '\t')
					j++;
				mask(s, from, j);
			}
			n++;
			i = j > i ? j - 1 : i;
			break;
		}
	}
	return n;
}

static size_t redact_email(char *s)
{
	size_t n = 0;

	for (char *at = strchr(s, '@'); at != NULL; at = strchr(at + 1, '@')) {
		size_t i = (size_t)(at - s), from = i, to = i + 1;
		bool dot = false;

		while (from > 0 && is_email_local(s[from - 1]))
			from--;
		while (is_domain(s[to]))
			to++;
		while (to > i + 1 && (s[to - 1] == '.' || s[to - 1] == '-'))
			to--;
		for (size_t j = i + 2; j + 1 < to; j++)
			dot = dot || s[j] == '.';
		if (from == i || !dot)
			continue;
		mask(s, from, i);
		mask(s, i + 1, to);
		n++;
	}
	return n;
}

/* A member card: "K" and 10 or more digits. */
static size_t redact_member_cards(char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		size_t j = i + 1;

		if (s[i] != 'K' && s[i] != 'k')
			continue;
		while (is_digit(s[j]))
			j++;
		if (j - i - 1 >= 10) {
			mask_digits(s, i + 1, j, 4);
			n++;
			i = j - 1;
		}
	}
	return n;
}

/* Payment card numbers: 13-19 digits in groups that pass the Luhn check (cardnum.h). */
static size_t redact_pans(char *s)
{
	size_t n = 0, off = 0, len = strlen(s), st, en;

	while (off < len && cardnum_has_card_number(s + off, len - off, &st, &en)) {
		mask_digits(s, off + st, off + en, 4);
		off += en;
		n++;
	}
	return n;
}

/*
 * Runs of digit groups joined by one space, '-' or '.' whose last 11
 * digits are a Chinese mobile number ("139 1234 5678", "+86-139-1234-5678").
 */
static size_t redact_digit_runs(char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		size_t j = i, digits = 0, groups = 0, last = i;
		char first11[2] = { 0, 0 };

		if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1])))
			continue;
		for (;;) {
			size_t g = j;

			while (is_digit(s[j]))
				j++;
			digits += j - g;
			groups++;
			last = j;
			if ((s[j] == ' ' || s[j] == '-' || s[j] == '.') && is_digit(s[j + 1]) &&
			    digits < 20)
				j++;
			else
				break;
		}
		if (groups > 1 && digits >= 11 && digits <= 15) {
			/* the 11th and 10th digits from the end */
			size_t seen = 0;

			for (size_t k = last; k-- > i;) {
				if (!is_digit(s[k]))
					continue;
				seen++;
				if (seen == 10)
					first11[1] = s[k];
				if (seen == 11)
					first11[0] = s[k];
			}
			if (first11[0] == '1' && first11[1] >= '3' && first11[1] <= '9') {
				mask_digits(s, i, last, 4);
				n++;
			}
		}
		i = last > i ? last - 1 : i;
	}
	return n;
}

/* An unbroken run of 11-19 digits: a phone number with its country code, a card. */
static size_t redact_long_numbers(char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		size_t j = i;

		if (!is_digit(s[i]))
			continue;
		while (is_digit(s[j]))
			j++;
		if (j - i >= 11 && j - i <= 19) {
			mask_digits(s, i, j, 4);
			n++;
		}
		i = j - 1;
	}
	return n;
}

size_t log_redact(char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	n += redact_uri(s);
	n += redact_keys(s);
	n += redact_email(s);
	n += redact_member_cards(s);
	n += redact_pans(s);
	n += redact_long_numbers(s);
	n += redact_digit_runs(s);
	return n;
}

/* ---- one line ---- */

/* A bounded output buffer: what does not fit is dropped (a line is cut, never overrun). */
typedef struct LogBuf {
	char *p;	/* borrowed */
	size_t len;	/* bytes in p */
	size_t cap;	/* size of p */
} LogBuf;

static void buf_put(LogBuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void buf_puts(LogBuf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void buf_printf(LogBuf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void buf_printf(LogBuf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/*
 * The length of the valid UTF-8 sequence at s (1-4), or 0 if s starts none
 * (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF).
 */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80 ||
		    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

/* s as a JSON string, quotes included: escaped, invalid UTF-8 as U+FFFD. */
static void buf_json_string(LogBuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	buf_put(b, "\"", 1);
	while (*u != '\0') {
		size_t n = utf8_seq(u);

		if (n == 0) {
			buf_puts(b, "\\ufffd");
			u++;
		} else if (*u == '"' || *u == '\\') {
			buf_put(b, "\\", 1);
			buf_put(b, (const char *)u++, 1);
		} else if (*u == '\n') {
			buf_puts(b, "\\n");
			u++;
		} else if (*u == '\t') {
			buf_puts(b, "\\t");
			u++;
		} else if (*u < 0x20 || *u == 0x7F) {
			buf_printf(b, "\\u%04x", (unsigned)*u++);
		} else {
			buf_put(b, (const char *)u, n);
			u += n;
		}
	}
	buf_put(b, "\"", 1);
}

/* The request id of ctx: "S001-T1#42" ("?#42" for an unknown till). */
static void ctx_req(const LogCtx *ctx, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s#%llu", ctx->till != NULL && *ctx->till ? ctx->till : "?",
		 (unsigned long long)ctx->req);
}

/* The text body: "[req=S001-T1#42 staff=1001] message", control characters as spaces. */
static void line_text(LogBuf *b, const LogCtx *ctx, char *msg)
{
	char req[96];

	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = ' ';
	if (ctx != NULL) {
		ctx_req(ctx, req, sizeof(req));
		for (char *p = req; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7F || *p == ']')
				*p = '?';
		buf_printf(b, "[req=%s", req);
		if (ctx->staff != 0)
			buf_printf(b, " staff=%lld", (long long)ctx->staff);
		buf_puts(b, "] ");
	}
	buf_puts(b, msg);
}

static void line_json(LogBuf *b, LogLevel lvl, const LogCtx *ctx, const char *msg,
		      const struct timespec *ts)
{
	char stamp[40], req[96];
	struct tm tm;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "1970-01-01T00:00:00");
	buf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":", stamp,
		   ts->tv_nsec / 1000000, log_levels[lvl].json);
	buf_json_string(b, msg);
	if (ctx != NULL) {
		ctx_req(ctx, req, sizeof(req));
		buf_puts(b, ",\"req\":");
		buf_json_string(b, req);
		buf_puts(b, ",\"till\":");
		buf_json_string(b, ctx->till != NULL ? ctx->till : "");
		if (ctx->staff != 0)
			buf_printf(b, ",\"staff\":%lld", (long long)ctx->staff);
	}
	buf_puts(b, "}");
}

/* Format and emit one line; fmt/ap as for vprintf (errno as on entry, for %m). */
static void log_vmsg(LogLevel lvl, const LogCtx *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void log_vmsg(LogLevel lvl, const LogCtx *ctx, const char *fmt, va_list ap)
{
	int saved_errno = errno, n;
	char msg[LOG_MSG_MAX], out[LOG_LINE_MAX];
	LogBuf b = { out, 0, sizeof(out) - 1 };	/* room for the newline */
	struct timespec ts;
	bool json = log_get_format() == LOG_FMT_JSON, journal;

	if (lvl < LOG_LVL_ERROR || lvl > LOG_LVL_DEBUG)
		lvl = LOG_LVL_ERROR;
	if (lvl > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	errno = saved_errno;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(could not format a log line)");
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	/* libpq's messages end in a newline */
	for (size_t l = strlen(msg); l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '); l--)
		msg[l - 1] = '\0';
	log_redact(msg);

	if (__atomic_load_n(&log_journal, __ATOMIC_RELAXED) < 0)
		log_detect_journal();
	journal = __atomic_load_n(&log_journal, __ATOMIC_RELAXED) == 1;
	if (journal && !log_syslog)
		buf_printf(&b, "<%d>", log_levels[lvl].prio);
	if (json) {
		line_json(&b, lvl, ctx, msg, &ts);
	} else {
		if (!journal && !log_syslog) {
			char stamp[32];
			struct tm tm;

			if (localtime_r(&ts.tv_sec, &tm) == NULL ||
			    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm) == 0)
				snprintf(stamp, sizeof(stamp), "%lld", (long long)ts.tv_sec);
			buf_printf(&b, "%s.%03ld ", stamp, ts.tv_nsec / 1000000);
		}
		if (!log_syslog)
			buf_printf(&b, "%s ", log_levels[lvl].word);
		line_text(&b, ctx, msg);
	}
	if (log_syslog) {
		out[b.len] = '\0';
		syslog(log_levels[lvl].prio, "%s", out);
	} else {
		out[b.len++] = '\n';
		flockfile(stderr);
		fwrite(out, 1, b.len, stderr);
		fflush(stderr);
		funlockfile(stderr);
	}
	errno = saved_errno;
}

void log_msg(LogLevel lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, NULL, fmt, ap);
	va_end(ap);
}

void log_ctx_msg(LogLevel lvl, const LogCtx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, ctx, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(70);	/* EX_SOFTWARE */
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_log: the lines log.c writes, read back from the file stderr is
 * pointed at. Text lines carry the request as "[req=S001-T1#42 staff=1001]";
 * JSON lines are one object each (parsed back by jansson) with an RFC 3339
 * UTC timestamp, the level, the message escaped (quotes, backslashes,
 * control characters, Chinese text, invalid UTF-8) and req/till/staff on a
 * line about a request; under the journal (JOURNAL_STREAM naming stderr's
 * device and inode) every line starts with its sd-daemon priority and has
 * no timestamp, and a JOURNAL_STREAM naming another file changes nothing;
 * and log_redact() masks phones, cards, e-mail addresses, passwords and
 * PINs while leaving the numbers an operator reads (ids, dates, addresses).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "log.h"

static FILE *capture;	/* what fd 2 writes to during a test */
static int saved_stderr = -1;	/* the real stderr, for cmocka's messages */

/* fail_msg, told on the real stderr (cmocka's own goes into the capture) */
#define fail_loud(...) \
	do { \
		dprintf(saved_stderr, __VA_ARGS__); \
		dprintf(saved_stderr, "\n"); \
		fail_msg(__VA_ARGS__); \
	} while (0)

static int setup(void **state)
{
	(void)state;
	capture = tmpfile();
	if (capture == NULL)
		return -1;
	fflush(stderr);
	saved_stderr = dup(2);
	if (saved_stderr < 0 || dup2(fileno(capture), 2) < 0)
		return -1;
	unsetenv("JOURNAL_STREAM");
	(void)log_detect_journal();
	log_set_level(LOG_LVL_DEBUG);
	if (!log_set_format("text"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	fclose(capture);
	unsetenv("JOURNAL_STREAM");
	(void)log_detect_journal();
	return 0;
}

/* Everything written since the last call (owned by the caller). */
static char *captured(void)
{
	static long seen;
	long end;
	char *s;

	fflush(stderr);
	fseek(capture, 0, SEEK_END);
	end = ftell(capture);
	if (end < seen)
		seen = 0;
	s = calloc(1, (size_t)(end - seen) + 1);
	assert_non_null(s);
	fseek(capture, seen, SEEK_SET);
	assert_int_equal(fread(s, 1, (size_t)(end - seen), capture), (size_t)(end - seen));
	seen = end;
	return s;
}

static void assert_matches(const char *s, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&r, s, 0, NULL, 0) != 0)
		fail_loud("\"%s\" does not match /%s/", s, re);
	regfree(&r);
}

static void test_text_line(void **state)
{
	LogCtx ctx = { "S001-T1", 42, 1001 };
	LogCtx nostaff = { NULL, 7, 0 };
	char *s;

	(void)state;
	free(captured());	/* what came before */
	log_info("listening on %s", "127.0.0.1:7443");
	s = captured();
	assert_matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
			  "INFO listening on 127\\.0\\.0\\.1:7443\n$");
	free(s);
	log_ctx_msg(LOG_LVL_WARN, &ctx, "could not %s", "refund");
	s = captured();
	assert_matches(s, "^[-0-9]+ [0-9:.]+ WARN \\[req=S001-T1#42 staff=1001\\] could not refund\n$");
	free(s);
	/* an orphaned call's till is unknown; nobody logged in: no staff */
	log_ctx_msg(LOG_LVL_INFO, &nostaff, "x");
	s = captured();
	assert_matches(s, " INFO \\[req=\\?#7\\] x\n$");
	free(s);
	/* a newline in a message cannot forge a second line; libpq's final one goes */
	log_error("could not connect: %s", "FATAL: no\nDETAIL: forged line\n");
	s = captured();
	assert_matches(s, "^[^\n]* ERROR could not connect: FATAL: no DETAIL: forged line\n$");
	free(s);
	/* below the level: nothing */
	log_set_level(LOG_LVL_INFO);
	log_debug("hidden");
	log_ctx_msg(LOG_LVL_DEBUG, &ctx, "hidden");
	s = captured();
	assert_string_equal(s, "");
	free(s);
	log_set_level(LOG_LVL_DEBUG);
}

/* The one JSON object of the one line in s (owned by the caller). */
static json_t *one_object(const char *s)
{
	json_error_t err;
	json_t *o;
	size_t n = strlen(s);

	assert_true(n > 0 && s[n - 1] == '\n');
	assert_null(memchr(s, '\n', n - 1));
	o = json_loadb(s, n - 1, 0, &err);
	if (o == NULL)
		fail_loud("not JSON (%s): %s", err.text, s);
	assert_true(json_is_object(o));
	return o;
}

static void test_json_line(void **state)
{
	LogCtx ctx = { "S001-T1", 42, 1001 };
	json_t *o;
	char *s;

	(void)state;
	assert_true(log_set_format("json"));
	assert_int_equal(log_get_format(), LOG_FMT_JSON);
	free(captured());	/* what came before */
	log_info("ready");
	s = captured();
	o = one_object(s);
	assert_matches(json_string_value(json_object_get(o, "ts")),
		       "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
	assert_string_equal(json_string_value(json_object_get(o, "level")), "info");
	assert_string_equal(json_string_value(json_object_get(o, "msg")), "ready");
	assert_null(json_object_get(o, "req"));
	assert_null(json_object_get(o, "staff"));
	assert_int_equal(json_object_size(o), 3);
	json_decref(o);
	free(s);

	log_ctx_msg(LOG_LVL_ERROR, &ctx, "quote \" backslash \\ tab\tnl\nbell\a del\x7f 中文 bad\xff\xc3(");
	s = captured();
	o = one_object(s);
	assert_string_equal(json_string_value(json_object_get(o, "level")), "error");
	assert_string_equal(json_string_value(json_object_get(o, "msg")),
			    "quote \" backslash \\ tab\tnl\nbell\a del\x7f 中文 bad\xef\xbf\xbd\xef\xbf\xbd(");
	assert_string_equal(json_string_value(json_object_get(o, "req")), "S001-T1#42");
	assert_string_equal(json_string_value(json_object_get(o, "till")), "S001-T1");
	assert_int_equal(json_integer_value(json_object_get(o, "staff")), 1001);
	json_decref(o);
	free(s);

	/* each level's word */
	log_warn("w");
	s = captured();
	o = one_object(s);
	assert_string_equal(json_string_value(json_object_get(o, "level")), "warn");
	json_decref(o);
	free(s);
	log_debug("d");
	s = captured();
	o = one_object(s);
	assert_string_equal(json_string_value(json_object_get(o, "level")), "debug");
	json_decref(o);
	free(s);
	assert_true(log_set_format("text"));
}

/* A message longer than LOG_MSG_MAX is cut (ending "...") and stays one valid line. */
static void test_long_message(void **state)
{
	char *big = malloc(3 * LOG_MSG_MAX);
	const char *msg;
	json_t *o;
	char *s;

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i + 3 < 3 * LOG_MSG_MAX; i += 3)
		memcpy(big + i, "\"\x01\\", 3);
	big[3 * LOG_MSG_MAX - 1] = '\0';
	assert_true(log_set_format("JSON"));
	free(captured());	/* what came before */
	log_info("%s", big);
	s = captured();
	o = one_object(s);
	msg = json_string_value(json_object_get(o, "msg"));
	assert_int_equal(strlen(msg), LOG_MSG_MAX - 1);
	assert_string_equal(msg + LOG_MSG_MAX - 4, "...");
	json_decref(o);
	free(s);
	free(big);
	assert_true(log_set_format("text"));
}

static void test_format_names(void **state)
{
	LogFormat f = LOG_FMT_JSON;

	(void)state;
	assert_true(log_format_parse("text", &f));
	assert_int_equal(f, LOG_FMT_TEXT);
	assert_true(log_format_parse("Json", &f));
	assert_int_equal(f, LOG_FMT_JSON);
	assert_false(log_format_parse("xml", &f));
	assert_false(log_format_parse("", &f));
	assert_false(log_format_parse(NULL, &f));
	assert_int_equal(f, LOG_FMT_JSON);
	assert_true(log_set_format("text"));
	assert_false(log_set_format("syslog"));
	assert_int_equal(log_get_format(), LOG_FMT_TEXT);
}

static void test_journal(void **state)
{
	LogCtx ctx = { "S001-T1", 42, 0 };
	struct stat st;
	char js[64];
	json_t *o;
	char *s;

	(void)state;
	assert_int_equal(fstat(2, &st), 0);
	/* another file's stream (a child that inherited the variable): no prefixes */
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", js, 1);
	assert_false(log_detect_journal());
	setenv("JOURNAL_STREAM", "junk", 1);
	assert_false(log_detect_journal());
	free(captured());	/* what came before */
	log_error("e");
	s = captured();
	assert_matches(s, "^[0-9]{4}-[0-9-]+ [0-9:.]+ ERROR e\n$");
	free(s);

	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	assert_true(log_detect_journal());
	log_error("e");
	log_warn("w");
	log_info("i");
	log_ctx_msg(LOG_LVL_DEBUG, &ctx, "d");
	s = captured();
	assert_string_equal(s, "<3>ERROR e\n<4>WARN w\n<6>INFO i\n<7>DEBUG [req=S001-T1#42] d\n");
	free(s);
	/* JSON under the journal: the prefix, then the object */
	assert_true(log_set_format("json"));
	log_warn("w");
	s = captured();
	assert_true(strncmp(s, "<4>{", 4) == 0);
	o = one_object(s + 3);
	assert_string_equal(json_string_value(json_object_get(o, "msg")), "w");
	json_decref(o);
	free(s);
	assert_true(log_set_format("text"));
	unsetenv("JOURNAL_STREAM");
	assert_false(log_detect_journal());
}

static void redacts(const char *in, const char *want)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", in);
	(void)log_redact(buf);
	if (strcmp(buf, want) != 0)
		fail_loud("log_redact(\"%s\") = \"%s\", want \"%s\"", in, buf, want);
}

static void test_redact(void **state)
{
	char buf[128];

	(void)state;
	/* phones: the seeded E.164 form, the national form, typed in groups */
	redacts("member +8613900000042 found", "member +*********0042 found");
	redacts("phone 13900000042.", "phone *******0042.");
	redacts("139 0000 0042", "*** **** 0042");
	redacts("+86-139-0000-0042", "+**-***-****-0042");
	redacts("tel:139.0000.0042", "tel:***.****.0042");
	/* cards: the member card, payment card numbers with and without groups */
	redacts("card K0000000042 unknown", "card K******0042 unknown");
	redacts("AUTHK00000000421", "AUTHK*******0421");
	redacts("pan 4111 1111 1111 1111 refused", "pan **** **** **** 1111 refused");
	redacts("pan 4111111111111111", "pan ************1111");
	/* e-mail */
	redacts("to member3@example.com: sent", "to *******@***********: sent");
	redacts("<a.b+c@mail.example.co.uk>", "<*****@******************>");
	/* secrets in key=value form and in a URI */
	redacts("host=db password=s3cret user=kassa", "host=db password=****** user=kassa");
	redacts("dbname=k password='a b' port=1", "dbname=k password='***' port=1");
	redacts("refused pin=1234, again PIN=0000", "refused pin=****, again PIN=****");
	redacts("postgresql://kassa:hunter2@127.0.0.1:5432/kassa",
		"postgresql://kassa:*******@127.0.0.1:5432/kassa");
	/* what an operator needs stays */
	redacts("staff 1001 (cashier) logged in at S001-T1", "staff 1001 (cashier) logged in at S001-T1");
	redacts("locked out until 2026-12-02 01:00:00+08", "locked out until 2026-12-02 01:00:00+08");
	redacts("listening on 127.0.0.1:7443 and [::1]:7443", "listening on 127.0.0.1:7443 and [::1]:7443");
	redacts("request 18446744073 of 1024 bytes", "request *******4073 of 1024 bytes");
	redacts("sale 123456 refunded: 3 lines, 2 tenders", "sale 123456 refunded: 3 lines, 2 tenders");
	redacts("user@localhost said hi", "user@localhost said hi");
	redacts("spin=3 pinned=4", "spin=3 pinned=4");
	/* an e-wallet trade number (28 digits) is no phone and no card */
	redacts("ref 2026120222001400001234567890", "ref 2026120222001400001234567890");
	/* the count */
	snprintf(buf, sizeof(buf), "13900000042 and a@b.cn and K0000000001");
	assert_int_equal(log_redact(buf), 3);
	assert_int_equal(log_redact(buf), 0);
}

/* Lines are masked before they are written, in both formats. */
static void test_lines_redacted(void **state)
{
	char *s;

	(void)state;
	free(captured());	/* what came before */
	log_info("member %s <%s> card %s", "+8613900000042", "member3@example.com", "K0000000042");
	assert_true(log_set_format("json"));
	log_info("conninfo host=x password=secret");
	assert_true(log_set_format("text"));
	s = captured();
	assert_null(strstr(s, "13900000042"));
	assert_null(strstr(s, "member3"));
	assert_null(strstr(s, "example.com"));
	assert_null(strstr(s, "K0000000042"));
	assert_null(strstr(s, "secret"));
	assert_non_null(strstr(s, "card K******0042"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_journal),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_lines_redacted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

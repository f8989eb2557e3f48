/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_journal: the offline journal (client/till/offline/journal.c). What
 * was appended is there after reopening, in order; a torn last record
 * (the till killed mid-write) is cut off and kept in the rejected file,
 * the records before it intact; a record with one flipped byte is set
 * aside as rejected with its reason while its neighbours survive; a
 * damaged length field costs only that record; compaction keeps exactly
 * the records not done, also across a reopen; a refused record is written
 * aside with the server's detail and its receipt number. A write cut
 * short (the disk full) leaves neither file with half a record: the
 * journal keeps its good records, and the rejected file stays one JSON
 * object per line, the next rejection readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "journal.h"
#include "kassa.pb-c.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_journal.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static Journal *open_ok(void)
{
	char err[256];
	Journal *j = journal_open(dir, err, sizeof(err));

	if (j == NULL)
		fail_msg("journal_open: %s", err);
	return j;
}

static void append_n(Journal *j, int from, int n)
{
	char err[256], buf[64];
	int i;

	for (i = from; i < from + n; i++) {
		int len = snprintf(buf, sizeof(buf), "sale number %d", i);

		assert_true(journal_append(j, buf, (size_t)len, err, sizeof(err)));
	}
}

static void assert_record(const Journal *j, size_t i, int num)
{
	char want[64];
	int len = snprintf(want, sizeof(want), "sale number %d", num);

	assert_int_equal(j->recs[i].len, (size_t)len);
	assert_memory_equal(j->recs[i].data, want, (size_t)len);
}

/* The whole rejected file (owned), "" if none. */
static char *rejected_text(void)
{
	uint8_t *buf;
	size_t len;
	char err[256];

	if (state_read(dir, JOURNAL_REJECTED_FILE, &buf, &len, err, sizeof(err)) != STATE_READ_OK)
		return strdup("");
	return (char *)buf;
}

static long file_size(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Open the journal file raw, at offset off, and write len bytes there. */
static void poke(long off, const void *bytes, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_FILE);
	f = fopen(path, off < 0 ? "ab" : "r+b");
	assert_non_null(f);
	if (off >= 0)
		assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	fclose(f);
}

static void test_append_reopen(void **state)
{
	Journal *j = open_ok();

	(void)state;
	assert_int_equal(j->n, 0);
	append_n(j, 1, 3);
	journal_close(j);
	j = open_ok();
	assert_int_equal(j->n, 3);
	assert_record(j, 0, 1);
	assert_record(j, 1, 2);
	assert_record(j, 2, 3);
	assert_int_equal(j->set_aside, 0);
	append_n(j, 4, 1);
	journal_close(j);
	j = open_ok();
	assert_int_equal(j->n, 4);
	assert_record(j, 3, 4);
	journal_close(j);
	assert_int_equal(file_size(JOURNAL_REJECTED_FILE), -1);
}

static void test_torn_tail(void **state)
{
	uint8_t rec[JOURNAL_HEADER + 20];
	Journal *j = open_ok();
	long good;
	char *rej;

	(void)state;
	append_n(j, 1, 2);
	journal_close(j);
	good = file_size(JOURNAL_FILE);
	/* a record whose write stopped half way: header and 7 of 20 bytes */
	journal_encode(rec, "twenty bytes payload", 20);
	poke(-1, rec, JOURNAL_HEADER + 7);
	j = open_ok();
	assert_int_equal(j->n, 2);
	assert_record(j, 0, 1);
	assert_record(j, 1, 2);
	assert_int_equal(j->set_aside, 1);
	assert_int_equal(j->torn, 1);
	assert_int_equal(j->rejected, 1);
	assert_int_equal(file_size(JOURNAL_FILE), good);
	rej = rejected_text();
	assert_non_null(strstr(rej, "\"detail\":\"JOURNAL_TORN_RECORD\""));
	assert_non_null(strstr(rej, "\"bytes\":47"));
	free(rej);
	/* appending after the cut gives a clean journal */
	append_n(j, 3, 1);
	journal_close(j);
	j = open_ok();
	assert_int_equal(j->n, 3);
	assert_record(j, 2, 3);
	assert_int_equal(j->set_aside, 0);
	journal_close(j);
}

static void test_flipped_byte(void **state)
{
	Journal *j = open_ok();
	long rec1 = JOURNAL_HEADER + 13;	/* "sale number 1" */
	uint8_t x = 'X';
	char *rej;

	(void)state;
	append_n(j, 1, 3);
	journal_close(j);
	poke(rec1 + JOURNAL_HEADER + 3, &x, 1);	/* inside record 2's payload */
	j = open_ok();
	assert_int_equal(j->n, 2);
	assert_record(j, 0, 1);
	assert_record(j, 1, 3);
	assert_int_equal(j->set_aside, 1);
	assert_int_equal(j->torn, 0);
	rej = rejected_text();
	assert_non_null(strstr(rej, "\"detail\":\"JOURNAL_CHECKSUM_MISMATCH\""));
	/* the damaged record is kept whole: base64 of its 53 bytes */
	assert_non_null(strstr(rej, "\"bytes\":53"));
	free(rej);
	journal_close(j);
	/* the journal was rewritten: nothing is set aside twice */
	j = open_ok();
	assert_int_equal(j->n, 2);
	assert_int_equal(j->set_aside, 0);
	assert_int_equal(j->rejected, 1);
	journal_close(j);
}

static void test_flipped_length(void **state)
{
	Journal *j = open_ok();
	long rec1 = JOURNAL_HEADER + 13;
	uint8_t big = 0x01;
	char *rej;

	(void)state;
	append_n(j, 1, 3);
	journal_close(j);
	poke(rec1 + 5, &big, 1);	/* record 2's length becomes ~65 KiB */
	j = open_ok();
	assert_int_equal(j->n, 2);
	assert_record(j, 0, 1);
	assert_record(j, 1, 3);
	rej = rejected_text();
	assert_non_null(strstr(rej, "JOURNAL_"));
	free(rej);
	journal_close(j);
}

static void test_compact(void **state)
{
	bool done[5] = { true, false, true, false, false };
	char err[256];
	Journal *j = open_ok();

	(void)state;
	append_n(j, 1, 5);
	assert_true(journal_compact(j, done, err, sizeof(err)));
	assert_int_equal(j->n, 3);
	assert_record(j, 0, 2);
	assert_record(j, 1, 4);
	assert_record(j, 2, 5);
	/* appends after a compaction go to the new file */
	append_n(j, 6, 1);
	journal_close(j);
	j = open_ok();
	assert_int_equal(j->n, 4);
	assert_record(j, 0, 2);
	assert_record(j, 1, 4);
	assert_record(j, 2, 5);
	assert_record(j, 3, 6);
	assert_int_equal(j->set_aside, 0);
	journal_close(j);
	assert_int_equal(file_size(JOURNAL_REJECTED_FILE), -1);
}

static void test_reject_checkout(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	uint8_t buf[256];
	size_t len;
	char err[256], *rej;
	Journal *j = open_ok();

	(void)state;
	co.receipt_no = "T1-42";
	co.sold_at = "2026-12-01T10:00:00Z";
	co.offline = true;
	req.idempotency_key = "0b0b0b0b-1111-4222-8333-444444444444";
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	len = kassa__v1__request__pack(&req, buf);
	assert_true(journal_reject(j, buf, len, "SALE_TOO_OLD", "older than 7 days", err,
				   sizeof(err)));
	assert_int_equal(j->rejected, 1);
	rej = rejected_text();
	assert_non_null(strstr(rej, "\"detail\":\"SALE_TOO_OLD\""));
	assert_non_null(strstr(rej, "\"receipt_no\":\"T1-42\""));
	assert_non_null(strstr(rej, "\"message\":\"older than 7 days\""));
	assert_non_null(strstr(rej, "0b0b0b0b-1111-4222-8333-444444444444"));
	free(rej);
	journal_close(j);
}

/* A journaled rating set aside says which sale it was for. */
static void test_reject_feedback(void **state)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Feedback fb = KASSA__V1__FEEDBACK__INIT;
	uint8_t buf[256];
	size_t len;
	char err[256], *rej;
	Journal *j = open_ok();

	(void)state;
	fb.receipt_no = "T1-43";
	fb.rating = 2;
	req.idempotency_key = "0c0c0c0c-1111-4222-8333-444444444444";
	req.body_case = KASSA__V1__REQUEST__BODY_FEEDBACK;
	req.feedback = &fb;
	len = kassa__v1__request__pack(&req, buf);
	assert_true(journal_reject(j, buf, len, "TRANSACTION_NOT_FOUND", "no such sale", err,
				   sizeof(err)));
	rej = rejected_text();
	assert_non_null(strstr(rej, "\"kind\":\"feedback\""));
	assert_non_null(strstr(rej, "\"receipt_no\":\"T1-43\""));
	assert_non_null(strstr(rej, "\"rating\":2"));
	assert_non_null(strstr(rej, "0c0c0c0c-1111-4222-8333-444444444444"));
	free(rej);
	journal_close(j);
}

/* Let files grow only to extra bytes past their size now (RLIM_INFINITY: no limit). */
static void limit_file_size(long size, long extra)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = extra < 0 ? rl.rlim_max : (rlim_t)(size + extra);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/* The disk full mid-append: the sale is refused, the good records stay, no torn tail. */
static void test_append_short_write(void **state)
{
	char err[256], big[200];
	Journal *j = open_ok();

	(void)state;
	signal(SIGXFSZ, SIG_IGN);	/* EFBIG from write() instead of the signal */
	append_n(j, 1, 2);
	memset(big, 'x', sizeof(big));
	limit_file_size(file_size(JOURNAL_FILE), 20);
	assert_false(journal_append(j, big, sizeof(big), err, sizeof(err)));
	limit_file_size(0, -1);
	assert_non_null(strstr(err, "could not write the journal"));
	assert_int_equal(j->n, 2);
	append_n(j, 3, 1);
	journal_close(j);
	j = open_ok();
	assert_int_equal(j->n, 3);
	assert_int_equal(j->set_aside, 0);
	assert_record(j, 2, 3);
	journal_close(j);
}

/* The disk full while setting a record aside: no half line glued to the next one. */
static void test_reject_short_write(void **state)
{
	char err[256], *rej, *nl;
	Journal *j = open_ok();
	json_error_t je;
	json_t *o;

	(void)state;
	signal(SIGXFSZ, SIG_IGN);
	assert_true(journal_reject(j, "first", 5, "D1", "one", err, sizeof(err)));
	limit_file_size(file_size(JOURNAL_REJECTED_FILE), 30);
	assert_false(journal_reject(j, "second", 6, "D2", "two", err, sizeof(err)));
	limit_file_size(0, -1);
	assert_int_equal(j->rejected, 1);
	assert_true(journal_reject(j, "third", 5, "D3", "three", err, sizeof(err)));
	rej = rejected_text();
	/* two lines, each a whole JSON object */
	nl = strchr(rej, '\n');
	assert_non_null(nl);
	o = json_loadb(nl + 1, strlen(nl + 1), 0, &je);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "detail")), "D3");
	json_decref(o);
	assert_int_equal(strchr(nl + 1, '\n') - rej, (long)strlen(rej) - 1);
	free(rej);
	journal_close(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_checkout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_feedback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_short_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_short_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

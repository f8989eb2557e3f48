/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ca_index: kassa-ca's record of issued and revoked certificates
 * (client/ca/ca_index.c), the index.txt `openssl ca` writes: lines of
 * gen-certs.sh's revocations read back unchanged, bad lines refused with
 * their number, till codes, CN and OU taken from subjects, serials found
 * whatever their case and leading zeros, and atomic file writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ca_index.h"

static const char *const INDEX =
	"R\t290306124045Z\t261202124053Z,keyCompromise\t72BF8AD1D741982613CE339A2AF1566E\tunknown\t"
	"/O=Kassa/OU=S001/CN=S001-T1\n"
	"V\t290306124045Z\t\t0A98398404B44C72372E5B81C4B237EF\t/tmp/out/S001-T9.crt\t"
	"/O=Kassa/OU=till/CN=S001-T9\n";

static void test_round_trip(void **state)
{
	CaIndex ix = { 0 };
	size_t line;
	char *text;

	(void)state;
	assert_true(ca_index_parse(&ix, INDEX, &line));
	assert_int_equal(ix.n, 2);
	assert_int_equal(ix.v[0].status, 'R');
	assert_string_equal(ix.v[0].revoked, "261202124053Z,keyCompromise");
	assert_string_equal(ix.v[1].revoked, "");
	assert_string_equal(ix.v[1].file, "/tmp/out/S001-T9.crt");
	text = ca_index_format(&ix);
	assert_string_equal(text, INDEX);
	free(text);
	ca_index_add(&ix, 'V', "300101000000Z", "", "ABCD", "unknown", "/CN=X");
	assert_int_equal(ix.n, 3);
	ca_index_free(&ix);
	assert_int_equal(ix.n, 0);
}

static void test_bad_lines(void **state)
{
	CaIndex ix = { 0 };
	size_t line;

	(void)state;
	/* five fields */
	assert_false(ca_index_parse(&ix, "V\t290306124045Z\t\tAB\t/CN=X\n", &line));
	assert_int_equal(line, 1);
	ca_index_free(&ix);
	/* a revoked line without its date, on line 2 */
	assert_false(ca_index_parse(&ix, "V\t29Z\t\tAB\tunknown\t/CN=X\nR\t29Z\t\tAC\tunknown\t/CN=Y\n",
				    &line));
	assert_int_equal(line, 2);
	ca_index_free(&ix);
	/* a serial that is not hexadecimal, an unknown status */
	assert_false(ca_index_parse(&ix, "V\t29Z\t\tXYZ\tunknown\t/CN=X\n", &line));
	ca_index_free(&ix);
	assert_false(ca_index_parse(&ix, "Q\t29Z\t\tAB\tunknown\t/CN=X\n", &line));
	ca_index_free(&ix);
	/* empty text and empty lines are an empty index */
	assert_true(ca_index_parse(&ix, "\n\n", &line));
	assert_int_equal(ix.n, 0);
	ca_index_free(&ix);
}

static void test_codes_and_subjects(void **state)
{
	char cn[CA_CODE_MAX + 1], ou[32];
	char long_code[CA_CODE_MAX + 2];

	(void)state;
	assert_true(ca_code_ok("S001-T1"));
	assert_true(ca_code_ok("hq.office_2"));
	assert_false(ca_code_ok(""));
	assert_false(ca_code_ok("S001 T1"));
	assert_false(ca_code_ok("a/b"));
	assert_false(ca_code_ok("店01"));
	memset(long_code, 'a', sizeof(long_code));
	long_code[CA_CODE_MAX] = '\0';
	assert_true(ca_code_ok(long_code));
	long_code[CA_CODE_MAX] = 'a';
	long_code[CA_CODE_MAX + 1] = '\0';
	assert_false(ca_code_ok(long_code));

	assert_true(ca_subject_cn("/O=Kassa/OU=S001/CN=S001-T1", cn, sizeof(cn)));
	assert_string_equal(cn, "S001-T1");
	assert_true(ca_subject_cn("/CN=T2/O=Kassa", cn, sizeof(cn)));
	assert_string_equal(cn, "T2");
	assert_false(ca_subject_cn("/O=Kassa", cn, sizeof(cn)));
	ca_subject_ou("/O=Kassa/OU=office/CN=HQ-1", ou, sizeof(ou));
	assert_string_equal(ou, "office");
	ca_subject_ou("/O=Kassa/CN=HQ-1", ou, sizeof(ou));
	assert_string_equal(ou, "");
}

static void test_find_serial(void **state)
{
	CaIndex ix = { 0 };
	size_t line;

	(void)state;
	assert_true(ca_index_parse(&ix, INDEX, &line));
	assert_ptr_equal(ca_index_find_serial(&ix, "72bf8ad1d741982613ce339a2af1566e"), &ix.v[0]);
	assert_ptr_equal(ca_index_find_serial(&ix, "A98398404B44C72372E5B81C4B237EF"), &ix.v[1]);
	assert_null(ca_index_find_serial(&ix, "0B98398404B44C72372E5B81C4B237EF"));
	ca_index_free(&ix);
}

static void test_file_write(void **state)
{
	char dir[] = "/tmp/test_ca_index.XXXXXX", path[64];
	struct stat st;
	char *back;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.key", dir);
	assert_true(ca_file_write(path, "secret\n", 7, 0600));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	back = ca_file_read(path);
	assert_string_equal(back, "secret\n");
	free(back);
	/* replaced whole */
	assert_true(ca_file_write(path, "x", 1, 0644));
	back = ca_file_read(path);
	assert_string_equal(back, "x");
	free(back);
	/* a folder that is not there: false, nothing left */
	snprintf(path, sizeof(path), "%s/none/k.key", dir);
	assert_false(ca_file_write(path, "x", 1, 0600));
	assert_null(ca_file_read(path));
	snprintf(path, sizeof(path), "%s/k.key", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);	/* no temporary file was left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_codes_and_subjects),
		cmocka_unit_test(test_find_serial),
		cmocka_unit_test(test_file_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_import_csv: the CSV reader and row checks of MemberImport
 * (server/members/import_csv.c). Guards RFC 4180 quoting (commas, doubled
 * quotes and line breaks inside quotes; CRLF and LF; a BOM), that every
 * bad value is named with its line, column and code (bad phone, missing
 * name, bad date, gender, consent, language, a broken quote, a wrong field
 * count), duplicates within the file on the later row, a header that does
 * not name phone and name or names an unknown column, phones normalised
 * to E.164, and that a rejected row is written back as CSV that reads the
 * same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "import_csv.h"

static ImportFile parse(const char *csv)
{
	ImportFile f;

	assert_true(import_parse(csv, strlen(csv), &f));
	return f;
}

static bool has(const ImportFile *f, unsigned line, const char *col, const char *code)
{
	for (size_t i = 0; i < f->n_issues; i++)
		if (f->issues[i].line == line && strcmp(f->issues[i].column, col) == 0 &&
		    strcmp(f->issues[i].code, code) == 0)
			return true;
	return false;
}

static void test_good(void **state)
{
	ImportFile f = parse("\xEF\xBB\xBFphone,name,birthday,gender,marketing_consent,notes\r\n"
			     "13812345678,\"Li, Wei\",1990-02-28,female,yes,\"say \"\"hi\"\"\r\nthen\"\r\n"
			     "+86 139 1234 5678,王芳,,2,no,\n\n");

	(void)state;
	assert_int_equal(f.n_issues, 0);
	assert_int_equal(f.n_rows, 2);
	assert_int_equal(import_good_rows(&f), 2);
	assert_string_equal(f.rows[0].val[IC_PHONE], "+8613812345678");
	assert_string_equal(f.rows[0].val[IC_NAME], "Li, Wei");
	assert_string_equal(f.rows[0].val[IC_NOTES], "say \"hi\"\r\nthen");
	assert_string_equal(f.rows[0].val[IC_GENDER], "1");
	assert_string_equal(f.rows[0].val[IC_CONSENT], "true");
	assert_int_equal(f.rows[1].line, 4);	/* the quoted line break counts */
	assert_string_equal(f.rows[1].val[IC_PHONE], "+8613912345678");
	assert_string_equal(f.rows[1].val[IC_GENDER], "2");
	assert_string_equal(f.rows[1].val[IC_CONSENT], "false");
	assert_string_equal(f.rows[1].val[IC_LANGUAGE], "");
	import_free(&f);
}

static void test_bad_rows(void **state)
{
	ImportFile f = parse("phone,name,birthday,gender,language,marketing_consent\n"
			     "12,A,,,,\n"			/* 2 bad phone */
			     "13800000001,,,,,\n"		/* 3 missing name */
			     "13800000002,B,1990-02-30,,,\n"	/* 4 bad date */
			     "13800000003,C,,x,fr,maybe\n"	/* 5 gender, language, consent */
			     "13800000002,D,,,,\n"		/* 6 duplicate of line 4 */
			     "13800000004,E\"x,,,,\n"		/* 7 quote in an unquoted field */
			     "13800000005,F\n"			/* 8 field count */
			     "13800000006,\"G\"x,,,,\n"		/* 9 text after a quote */
			     "13800000007,H,,,,\n"		/* 10 good */
			     ",I,,,,\n");			/* 11 missing phone (found by fuzz_csv) */

	(void)state;
	assert_int_equal(f.n_rows, 10);
	assert_true(has(&f, 11, "phone", "PHONE_REQUIRED"));
	assert_true(has(&f, 2, "phone", "BAD_PHONE"));
	assert_true(has(&f, 3, "name", "NAME_REQUIRED"));
	assert_true(has(&f, 4, "birthday", "BAD_DATE"));
	assert_true(has(&f, 5, "gender", "BAD_GENDER"));
	assert_true(has(&f, 5, "language", "BAD_LANGUAGE"));
	assert_true(has(&f, 5, "marketing_consent", "BAD_CONSENT"));
	assert_true(has(&f, 6, "phone", "DUPLICATE_IN_FILE"));
	assert_false(has(&f, 4, "phone", "DUPLICATE_IN_FILE"));
	assert_true(has(&f, 7, "", "BAD_QUOTING"));
	assert_true(has(&f, 8, "", "FIELD_COUNT"));
	assert_true(has(&f, 9, "", "BAD_QUOTING"));
	assert_int_equal(import_good_rows(&f), 1);
	assert_string_equal(f.rows[8].val[IC_NAME], "H");
	for (size_t i = 1; i < f.n_issues; i++)
		assert_true(f.issues[i - 1].line <= f.issues[i].line);
	import_free(&f);
}

static void test_unclosed(void **state)
{
	ImportFile f = parse("phone,name\n13800000001,\"never closed\n13800000002,B\n");

	(void)state;
	assert_int_equal(f.n_rows, 1);
	assert_true(has(&f, 2, "", "BAD_QUOTING"));
	assert_int_equal(import_good_rows(&f), 0);
	import_free(&f);
}

static void test_header(void **state)
{
	ImportFile f = parse("phone,nickname\n13800000001,A\n");

	(void)state;
	assert_true(f.header_bad);
	assert_true(has(&f, 1, "", "UNKNOWN_COLUMN"));
	assert_true(has(&f, 1, "name", "MISSING_COLUMN"));
	assert_int_equal(f.n_rows, 0);
	import_free(&f);
	f = parse("name,phone,phone\n");
	assert_true(f.header_bad);
	assert_true(has(&f, 1, "phone", "DUPLICATE_COLUMN"));
	import_free(&f);
}

static void test_write_back(void **state)
{
	char *fields[3] = { "a,b", "say \"x\"", "line\nbreak" };
	char *out = NULL;
	size_t used = 0, cap = 0;
	ImportFile f;

	(void)state;
	assert_true(import_csv_record(&out, &used, &cap, fields, 3, "phone:BAD_PHONE"));
	assert_string_equal(out, "\"a,b\",\"say \"\"x\"\"\",\"line\nbreak\",phone:BAD_PHONE\r\n");
	assert_true(import_parse(out, used, &f));	/* a header read back: 4 names */
	assert_int_equal(f.n_header, 4);
	assert_string_equal(f.header[1], "say \"x\"");
	assert_string_equal(f.header[2], "line\nbreak");
	import_free(&f);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_unclosed),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_write_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

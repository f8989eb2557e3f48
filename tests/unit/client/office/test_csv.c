/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_csv: kassa-office's CSV writer (client/office/csv.c) as a
 * spreadsheet user meets it: RFC 4180 quoting with CRLF records, the
 * formula-injection guard on text cells only (a negative amount stays a
 * number), the optional UTF-8 byte-order mark, a round trip through a
 * small strict RFC 4180 reader written here, and a write error that
 * sticks instead of being lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"

/* ---- a memory FILE* ---- */

typedef struct Mem {
	char *buf;
	size_t len;
	FILE *f;
} Mem;

static void mem_open(Mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

/* Close the stream; m->buf then holds the bytes (NUL-terminated). */
static void mem_close(Mem *m)
{
	assert_int_equal(fclose(m->f), 0);
}

/* ---- a strict RFC 4180 reader: records of at most 16 fields ---- */

#define RD_FIELDS 16
#define RD_FIELD_LEN 256

typedef struct Record {
	char f[RD_FIELDS][RD_FIELD_LEN];
	int n;
} Record;

/*
 * Read one record at *pos (CRLF-terminated, required); false at the end
 * of input or on anything RFC 4180 does not allow (a bare LF or CR outside
 * quotes, a quote inside an unquoted field, text after a closing quote).
 */
static bool rd_record(const char **pos, Record *r)
{
	const char *p = *pos;

	if (*p == '\0')
		return false;
	r->n = 0;
	for (;;) {
		char *out = r->f[r->n];
		size_t len = 0;

		if (r->n >= RD_FIELDS)
			return false;
		if (*p == '"') {
			for (p++;; p++) {
				if (*p == '\0')
					return false;
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				if (len + 1 >= RD_FIELD_LEN)
					return false;
				out[len++] = *p;
			}
			p++;
		} else {
			for (; *p != ',' && *p != '\r' && *p != '\0'; p++) {
				if (*p == '"' || *p == '\n' || len + 1 >= RD_FIELD_LEN)
					return false;
				out[len++] = *p;
			}
		}
		out[len] = '\0';
		r->n++;
		if (*p == ',') {
			p++;
			continue;
		}
		if (p[0] != '\r' || p[1] != '\n')
			return false;
		*pos = p + 2;
		return true;
	}
}

/* ---- helpers ---- */

/* The bytes csv_field() writes for s alone as a record. */
static char *one_field(const char *s, bool guard)
{
	Mem m;
	CsvWriter w;

	mem_open(&m);
	assert_true(csv_begin(&w, m.f, false));
	assert_true(csv_field(&w, s, guard));
	assert_true(csv_end_row(&w));
	assert_true(csv_ok(&w));
	mem_close(&m);
	return m.buf;
}

static void assert_field(const char *s, bool guard, const char *want)
{
	char *got = one_field(s, guard);

	assert_string_equal(got, want);
	free(got);
}

/* ---- tests ---- */

static void test_quoting(void **state)
{
	(void)state;
	assert_field("plain", false, "plain\r\n");
	assert_field("乌龙茶 500g", false, "乌龙茶 500g\r\n");	/* UTF-8 as is, inner space */
	assert_field("a,b", false, "\"a,b\"\r\n");
	assert_field("say \"hi\"", false, "\"say \"\"hi\"\"\"\r\n");
	assert_field("\"", false, "\"\"\"\"\r\n");
	assert_field("two\nlines", false, "\"two\nlines\"\r\n");
	assert_field("cr\rhere", false, "\"cr\rhere\"\r\n");
	assert_field(" lead", false, "\" lead\"\r\n");
	assert_field("trail ", false, "\"trail \"\r\n");
	assert_field("", false, "\"\"\r\n");		/* one empty field is not a blank line */
	assert_field(NULL, false, "\"\"\r\n");
}

static void test_records(void **state)
{
	Mem m;
	CsvWriter w;

	(void)state;
	mem_open(&m);
	assert_true(csv_begin(&w, m.f, false));
	assert_true(csv_field(&w, "a", false));
	assert_true(csv_field(&w, "", false));
	assert_true(csv_field(&w, "c", false));
	assert_true(csv_end_row(&w));
	assert_true(csv_field(&w, "", false));
	assert_true(csv_field(&w, "x,y", false));
	assert_true(csv_end_row(&w));
	assert_int_equal(w.records, 2);
	mem_close(&m);
	assert_string_equal(m.buf, "a,,c\r\n\"\",\"x,y\"\r\n");
	free(m.buf);
}

static void test_guard_text(void **state)
{
	(void)state;
	assert_field("=HYPERLINK(\"x\")", true, "\"'=HYPERLINK(\"\"x\"\")\"\r\n");
	assert_field("=1+1", true, "'=1+1\r\n");
	assert_field("+86 138", true, "'+86 138\r\n");
	assert_field("-x", true, "'-x\r\n");
	assert_field("-12", true, "'-12\r\n");		/* in a TEXT column it is text */
	assert_field("@SUM(A1)", true, "'@SUM(A1)\r\n");
	assert_field("\tx", true, "\"'\tx\"\r\n");	/* quoted: it starts with a blank */
	assert_field("\rx", true, "\"'\rx\"\r\n");
	assert_field("a=b", true, "a=b\r\n");		/* only the first character counts */
	assert_field(" =x", true, "\" =x\"\r\n");
	assert_field("=x", false, "=x\r\n");		/* guard off: written as is */
}

static void test_guard_kinds(void **state)
{
	(void)state;
	/* numbers in numeric columns are never altered */
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_MONEY, "-12"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_INT, "-1"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, "-250"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_POINTS, "+5"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_INT, "-0.50"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_DATE, "2026-01-31"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_MONEY, ""));
	/* ... but what is not a number is guarded whatever the column says */
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_MONEY, "=1+1"));
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_INT, "-"));
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_INT, "-1."));
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_INT, "-1e5"));
	/* text */
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_TEXT, "-12"));
	assert_true(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_TEXT, "@a"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_TEXT, "12"));
	assert_false(csv_needs_guard(KASSA__V1__COLUMN_KIND__COL_TEXT, NULL));
}

/* A small report table: 3 columns (text, money, int) and 4 rows. */
#define T_ROWS 4
static const char *const t_cells[T_ROWS][3] = {
	{ "=HYPERLINK(\"x\")", "-12", "3" },
	{ "乌龙茶, 500g", "1250", "-1" },
	{ "say \"hi\"\r\nbye", "0", "0" },
	{ " -pad ", "-0", "" },
};

static void test_table_round_trip(void **state)
{
	Kassa__V1__ReportColumn c0 = KASSA__V1__REPORT_COLUMN__INIT, c1 = c0, c2 = c0;
	Kassa__V1__ReportColumn *cols[3] = { &c0, &c1, &c2 };
	Kassa__V1__ReportRow rows[T_ROWS], *rowp[T_ROWS];
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	Record r;
	Mem m;
	CsvWriter w;
	const char *p;

	(void)state;
	c0.key = "name";
	c0.kind = KASSA__V1__COLUMN_KIND__COL_TEXT;
	c1.key = "total_minor";
	c1.kind = KASSA__V1__COLUMN_KIND__COL_MONEY;
	c2.key = "-qty";	/* a key is guarded like text */
	c2.kind = KASSA__V1__COLUMN_KIND__COL_INT;
	for (int i = 0; i < T_ROWS; i++) {
		kassa__v1__report_row__init(&rows[i]);
		rows[i].n_cells = 3;
		rows[i].cells = (char **)t_cells[i];
		rowp[i] = &rows[i];
	}
	t.n_columns = 3;
	t.columns = cols;
	t.n_rows = T_ROWS;
	t.rows = rowp;

	mem_open(&m);
	assert_true(csv_begin(&w, m.f, true));
	assert_true(csv_write_table(&w, &t));
	assert_true(csv_ok(&w));
	assert_int_equal(w.records, 1 + T_ROWS);
	mem_close(&m);

	/* the BOM, then records a strict reader takes back cell for cell */
	assert_memory_equal(m.buf, "\xEF\xBB\xBF", 3);
	p = m.buf + 3;
	assert_true(rd_record(&p, &r));
	assert_int_equal(r.n, 3);
	assert_string_equal(r.f[0], "name");
	assert_string_equal(r.f[1], "total_minor");
	assert_string_equal(r.f[2], "'-qty");
	for (int i = 0; i < T_ROWS; i++) {
		assert_true(rd_record(&p, &r));
		assert_int_equal(r.n, 3);
		for (int j = 0; j < 3; j++) {
			const char *want = t_cells[i][j];

			if (j == 0 && (want[0] == '=' || want[0] == '-')) {
				/* the guard: an apostrophe, then the text unchanged */
				assert_int_equal(r.f[j][0], '\'');
				assert_string_equal(r.f[j] + 1, want);
			} else {
				assert_string_equal(r.f[j], want);
			}
		}
	}
	assert_false(rd_record(&p, &r));
	assert_int_equal(*p, '\0');
	/* the negative amount and count are there as numbers */
	assert_non_null(strstr(m.buf, ",-12,3\r\n"));
	assert_non_null(strstr(m.buf, ",1250,-1\r\n"));
	free(m.buf);
}

static void test_bom_off(void **state)
{
	Mem m;
	CsvWriter w;

	(void)state;
	mem_open(&m);
	assert_true(csv_begin(&w, m.f, false));
	assert_true(csv_field(&w, "会员", false));
	assert_true(csv_end_row(&w));
	mem_close(&m);
	assert_string_equal(m.buf, "会员\r\n");
	free(m.buf);

	mem_open(&m);
	assert_true(csv_begin(&w, m.f, true));
	mem_close(&m);
	assert_int_equal(m.len, 3);
	assert_memory_equal(m.buf, "\xEF\xBB\xBF", 3);
	free(m.buf);
}

/* A row with fewer cells than columns gets empty fields; extra cells are text. */
static void test_ragged_row(void **state)
{
	Kassa__V1__ReportColumn c0 = KASSA__V1__REPORT_COLUMN__INIT, c1 = c0;
	Kassa__V1__ReportColumn *cols[2] = { &c0, &c1 };
	Kassa__V1__ReportRow row = KASSA__V1__REPORT_ROW__INIT;
	char *one[1] = { "x" }, *three[3] = { "1", "2", "-3" };
	Mem m;
	CsvWriter w;

	(void)state;
	c0.kind = c1.kind = KASSA__V1__COLUMN_KIND__COL_INT;
	mem_open(&m);
	assert_true(csv_begin(&w, m.f, false));
	row.n_cells = 1;
	row.cells = one;
	assert_true(csv_write_row(&w, cols, 2, &row));
	row.n_cells = 3;
	row.cells = three;
	assert_true(csv_write_row(&w, cols, 2, &row));
	mem_close(&m);
	assert_string_equal(m.buf, "x,\r\n1,2,'-3\r\n");
	free(m.buf);
}

/* A full disk: the first failure is reported and sticks. */
static void test_write_error_sticks(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	CsvWriter w;
	bool any_failed = false;

	(void)state;
	if (f == NULL)
		skip();
	assert_int_equal(setvbuf(f, NULL, _IONBF, 0), 0);
	assert_true(csv_begin(&w, f, false));
	for (int i = 0; i < 4 && !any_failed; i++)
		any_failed = !csv_field(&w, "data", false);
	assert_true(any_failed);
	assert_false(csv_ok(&w));
	assert_false(csv_field(&w, "more", false));
	assert_false(csv_end_row(&w));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_guard_text),
		cmocka_unit_test(test_guard_kinds),
		cmocka_unit_test(test_table_round_trip),
		cmocka_unit_test(test_bom_off),
		cmocka_unit_test(test_ragged_row),
		cmocka_unit_test(test_write_error_sticks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

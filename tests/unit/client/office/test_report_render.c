/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_report_render: how kassa-office writes a report for a person and
 * for a machine (client/office/report_render.c). A table with Chinese
 * text in a cell and (under --lang zh_CN) in every header: every line of
 * the grid has the same display width and each column starts at the same
 * display cell on every line; money in two decimals, basis points as a
 * percentage, an hour as "09:00", an empty cell as "-"; the notes in
 * words; the freshness footer only when the data lags. And the JSON: one
 * object whose cells are typed by their column's kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "i18n.h"
#include "report_render.h"
#include "textwidth.h"

#define NCOL 5
#define NROW 3

static Kassa__V1__ReportColumn cols[NCOL];
static Kassa__V1__ReportColumn *colp[NCOL];
static Kassa__V1__ReportRow rows[NROW];
static Kassa__V1__ReportRow *rowp[NROW];
static char *cells[NROW][NCOL] = {
	{ "S001", "2025-03-01", "18000", "5000", "9" },
	{ "上海徐汇店", "2025-03-02", "-250", "", "18" },
	{ "Beijing", "2025-03-03", "123456789", "10000", "" },
};
static Kassa__V1__ReportNote note;
static Kassa__V1__ReportNote *notep[1] = { &note };

static void build(Kassa__V1__ReportTable *t, int64_t lag)
{
	static const char *keys[NCOL] = { "store", "day", "total_minor", "member_share_bp",
					  "hour" };
	static const Kassa__V1__ColumnKind kinds[NCOL] = {
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_DATE,
		KASSA__V1__COLUMN_KIND__COL_MONEY, KASSA__V1__COLUMN_KIND__COL_PERCENT_BP,
		KASSA__V1__COLUMN_KIND__COL_HOUR,
	};

	kassa__v1__report_table__init(t);
	for (int j = 0; j < NCOL; j++) {
		kassa__v1__report_column__init(&cols[j]);
		cols[j].key = (char *)keys[j];
		cols[j].kind = kinds[j];
		colp[j] = &cols[j];
	}
	for (int i = 0; i < NROW; i++) {
		kassa__v1__report_row__init(&rows[i]);
		rows[i].n_cells = NCOL;
		rows[i].cells = cells[i];
		rowp[i] = &rows[i];
	}
	kassa__v1__report_note__init(&note);
	note.key = "refunds";
	note.value = "on_their_own_day";
	t->report = "sales_daily";
	t->n_columns = NCOL;
	t->columns = colp;
	t->n_rows = NROW;
	t->rows = rowp;
	t->n_notes = 1;
	t->notes = notep;
	t->currency = "CNY";
	t->chart = "line";
	t->data_as_of = "2025-03-31T23:59:00Z";
	t->lag_seconds = lag;
	t->from = "2025-03-01";
	t->to = "2025-03-31";
}

/* t rendered as a table, NUL-terminated; free() it. */
static char *render(const Kassa__V1__ReportTable *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_true(report_render_table(f, t));
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Lines of text into lines (at most max), modifying text; the count. */
static int split(char *text, char **lines, int max)
{
	int n = 0;

	for (char *p = strtok(text, "\n"); p != NULL && n < max; p = strtok(NULL, "\n"))
		lines[n++] = p;
	return n;
}

/* The display cell each column starts at on line l (columns are 2 spaces apart). */
static void starts(const char *l, const int *w, int *out)
{
	(void)l;
	out[0] = 0;
	for (int j = 1; j < NCOL; j++)
		out[j] = out[j - 1] + w[j - 1] + 2;
}

/* The grid (headers, rule, rows) is lines[g .. g + NROW + 1]; check it is aligned. */
static void check_grid(char **lines, int g)
{
	int width = textwidth(lines[g]), w[NCOL], st[NCOL];
	const char *rule = lines[g + 1], *p = rule;

	/* the rule's dash runs give the column widths */
	for (int j = 0; j < NCOL; j++) {
		w[j] = (int)strspn(p, "-");
		assert_true(w[j] > 0);
		p += w[j];
		if (j < NCOL - 1) {
			assert_int_equal(strspn(p, " "), 2);
			p += 2;
		}
	}
	starts(rule, w, st);
	for (int i = 0; i < NROW + 2; i++) {
		const char *l = lines[g + i];

		assert_int_equal(textwidth(l), width);
		/* the text before each column's start is exactly that many cells wide */
		for (int j = 1; j < NCOL; j++) {
			size_t b = textwidth_cut(l, st[j], NULL);

			assert_int_equal(textwidth_n(l, b), st[j]);
			assert_int_equal(l[b - 1], ' ');
			assert_int_equal(l[b - 2], ' ');
		}
	}
}

static void test_table_english(void **state)
{
	Kassa__V1__ReportTable t;
	char *out, *lines[32];
	int n;

	(void)state;
	assert_true(i18n_init("en"));
	build(&t, 0);
	out = render(&t);
	assert_non_null(strstr(out, "Daily sales by store\n2025-03-01 .. 2025-03-31 · CNY\n"));
	/* money right-aligned in two decimals, bp as a percentage, hours, empty cells */
	assert_non_null(strstr(out, "180.00"));
	assert_non_null(strstr(out, "-2.50"));
	assert_non_null(strstr(out, "1234567.89"));
	assert_non_null(strstr(out, "50.00%"));
	assert_non_null(strstr(out, "100.00%"));
	assert_non_null(strstr(out, "09:00"));
	assert_non_null(strstr(out, "Refunds: counted on the day of the refund\n"));
	assert_null(strstr(out, "data as of"));
	n = split(out, lines, 32);
	assert_true(n >= 2 + NROW + 2);
	assert_string_equal(lines[2], "Store       Day              Total  Member share   Hour");
	check_grid(lines, 2);
	/* "-" for the empty percent and hour cells, right-aligned in their columns */
	assert_non_null(strstr(lines[5], "     -  18:00"));
	assert_non_null(strstr(lines[6], "100.00%      -"));
	free(out);
}

static void test_table_chinese(void **state)
{
	Kassa__V1__ReportTable t;
	char *out, *lines[32];
	int n;

	(void)state;
	if (!i18n_init("zh_CN") || i18n_current() != I18N_ZH_CN ||
	    strcmp(report_label("store"), "store") == 0 ||
	    strcmp(report_label("store"), "Store") == 0)
		fail_msg("the zh_CN catalogue is not found (%s)", i18n_localedir());
	build(&t, 42);
	out = render(&t);
	assert_non_null(strstr(out, "各门店每日销售\n"));
	assert_non_null(strstr(out, "数据截至 2025-03-31T23:59:00Z（延迟 42 秒）"));
	n = split(out, lines, 32);
	assert_true(n >= 2 + NROW + 2);
	/* every header is Chinese, two cells a character: the grid still lines up */
	assert_true(textwidth(lines[2]) > (int)strlen("Store"));
	check_grid(lines, 2);
	free(out);
	assert_true(i18n_init("en"));
}

static void test_json(void **state)
{
	Kassa__V1__ReportTable t;
	json_t *o, *r0, *r1, *r2;

	(void)state;
	build(&t, 7);
	o = report_table_json(&t);
	assert_string_equal(json_string_value(json_object_get(o, "report")), "sales_daily");
	assert_int_equal(json_integer_value(json_object_get(o, "lag_seconds")), 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(o, "columns"), 2), "kind")), "money");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "notes"),
							      "refunds")), "on_their_own_day");
	r0 = json_array_get(json_object_get(o, "rows"), 0);
	r1 = json_array_get(json_object_get(o, "rows"), 1);
	r2 = json_array_get(json_object_get(o, "rows"), 2);
	assert_string_equal(json_string_value(json_object_get(r1, "store")), "上海徐汇店");
	assert_string_equal(json_string_value(json_object_get(r0, "day")), "2025-03-01");
	assert_true(json_is_integer(json_object_get(r0, "total_minor")));
	assert_int_equal(json_integer_value(json_object_get(r0, "total_minor")), 18000);
	assert_int_equal(json_integer_value(json_object_get(r1, "total_minor")), -250);
	assert_int_equal(json_integer_value(json_object_get(r0, "member_share_bp")), 5000);
	assert_int_equal(json_integer_value(json_object_get(r0, "hour")), 9);
	assert_true(json_is_null(json_object_get(r1, "member_share_bp")));
	assert_true(json_is_null(json_object_get(r2, "hour")));
	json_decref(o);
}

static void test_cells(void **state)
{
	char b[REPORT_CELL_LEN];

	(void)state;
	assert_string_equal(report_cell_human(KASSA__V1__COLUMN_KIND__COL_PERCENT_BP, "-5", b,
					      sizeof(b)), "-0.05%");
	assert_string_equal(report_cell_human(KASSA__V1__COLUMN_KIND__COL_MONEY, "5", b,
					      sizeof(b)), "0.05");
	assert_string_equal(report_cell_human(KASSA__V1__COLUMN_KIND__COL_DECIMAL, "4.50", b,
					      sizeof(b)), "4.50");
	assert_string_equal(report_cell_human(KASSA__V1__COLUMN_KIND__COL_INT, "", b, sizeof(b)),
			    "-");
	assert_string_equal(report_cell_human(KASSA__V1__COLUMN_KIND__COL_TEXT, "12", b,
					      sizeof(b)), "12");
	assert_string_equal(report_label("no_such_key"), "no_such_key");
	assert_string_equal(report_title("no_such_report"), "no_such_report");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_english),
		cmocka_unit_test(test_table_chinese),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

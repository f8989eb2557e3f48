/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_chart_svg: the SVG charts of the reports and the dashboard
 * (common/chart_svg.c). What a reader of the chart and its browser rely
 * on: the document is well-formed XML (a small checker here: balanced
 * tags, quoted attributes, only the five entities, valid UTF-8), every
 * caller text is escaped (a label "<b>A&B</b>" is text, not markup),
 * Chinese labels are there as UTF-8 with a CJK font first in the family
 * list, nothing refers outside the document (no href, url(), script; the
 * only "http" is the SVG namespace name, and none at all inline), the
 * value axis has nice ticks, crowded x labels are thinned keeping the
 * first and the last, and the formatters print money and percentages in
 * integer arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chart_svg.h"
#include "util.h"

/* ---- a small XML well-formedness checker ---- */

#define XML_DEPTH 16
#define XML_NAME 32

static bool xml_name(const char **pp, char *out)
{
	const char *p = *pp;
	size_t n = 0;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == ':' ||
	       (n > 0 && *p >= '0' && *p <= '9')) {
		if (n + 1 >= XML_NAME)
			return false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return n > 0;
}

/* An '&' at p starts one of the five entities (or a decimal reference). */
static bool xml_entity(const char *p)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (strncmp(p, ents[i], strlen(ents[i])) == 0)
			return true;
	return false;
}

/* Attributes up to '>' or "/>"; *empty says which. */
static bool xml_attrs(const char **pp, bool *empty)
{
	const char *p = *pp;
	char name[XML_NAME];

	for (;;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (p[0] == '/' && p[1] == '>') {
			*empty = true;
			*pp = p + 2;
			return true;
		}
		if (*p == '>') {
			*empty = false;
			*pp = p + 1;
			return true;
		}
		if (!xml_name(&p, name) || *p++ != '=' || *p++ != '"')
			return false;
		for (; *p != '"'; p++)
			if (*p == '\0' || *p == '<' || (*p == '&' && !xml_entity(p)))
				return false;
		p++;
	}
}

/* True if s is one well-formed element (after an optional declaration). */
static bool xml_well_formed(const char *s)
{
	char stack[XML_DEPTH][XML_NAME], name[XML_NAME];
	int depth = 0, roots = 0;
	const char *p = s;

	if (!utf8_is_valid(s, strlen(s)))
		return false;
	if (strncmp(p, "<?xml ", 6) == 0) {
		p = strstr(p, "?>");
		if (p == NULL)
			return false;
		p += 2;
	}
	while (*p != '\0') {
		if (*p == '<' && p[1] == '/') {
			p += 2;
			if (depth == 0 || !xml_name(&p, name) || *p++ != '>' ||
			    strcmp(name, stack[--depth]) != 0)
				return false;
		} else if (*p == '<') {
			bool empty;

			p++;
			if (!xml_name(&p, name) || !xml_attrs(&p, &empty))
				return false;
			if (depth == 0)
				roots++;
			if (!empty) {
				if (depth == XML_DEPTH)
					return false;
				strcpy(stack[depth++], name);
			}
		} else if (*p == '&') {
			if (!xml_entity(p))
				return false;
			p++;
		} else {
			if (depth == 0 && *p != '\n')
				return false;	/* text outside the root */
			p++;
		}
	}
	return depth == 0 && roots == 1;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

/* No reference to anything outside; the namespace name is the one "http". */
static void assert_self_contained(const char *svg, bool inline_svg)
{
	const char *ns = "xmlns=\"http://www.w3.org/2000/svg\"";

	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "url("));
	assert_null(strstr(svg, "<image"));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "<foreignObject"));
	assert_null(strstr(svg, " on"));	/* no onload= or any event handler */
	if (inline_svg) {
		assert_null(strstr(svg, "http"));
		assert_null(strstr(svg, "<?xml"));
	} else {
		assert_int_equal(count(svg, "http"), 1);
		assert_non_null(strstr(svg, ns));
	}
}

/* ---- tests ---- */

static void test_nice_ticks(void **state)
{
	ChartTicks t;

	(void)state;
	assert_true(chart_nice_ticks(0, 95, 6, &t));
	assert_int_equal(t.step, 20);
	assert_int_equal(t.n, 6);
	assert_int_equal(t.tick[0], 0);
	assert_int_equal(t.tick[5], 100);
	assert_true(chart_nice_ticks(-30, 120, 6, &t));	/* 0 and both ends covered */
	assert_int_equal(t.step, 50);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.tick[0], -50);
	assert_int_equal(t.tick[1], 0);
	assert_int_equal(t.tick[4], 150);
	assert_true(chart_nice_ticks(0, 0, 6, &t));	/* nothing: one step above 0 */
	assert_int_equal(t.n, 2);
	assert_int_equal(t.tick[0], 0);
	assert_int_equal(t.tick[1], 1);
	assert_true(chart_nice_ticks(150000, 180000, 6, &t));	/* from 0, not from 150000 */
	assert_int_equal(t.tick[0], 0);
	assert_int_equal(t.step, 50000);
	assert_int_equal(t.tick[t.n - 1], 200000);
	assert_true(chart_nice_ticks(-7, -3, 6, &t));
	assert_int_equal(t.tick[0], -8);
	assert_int_equal(t.tick[t.n - 1], 0);
	assert_int_equal(t.step, 2);
	assert_true(chart_nice_ticks(0, INT64_MAX / 4, 6, &t));
	assert_true(t.tick[t.n - 1] >= INT64_MAX / 4);
	assert_false(chart_nice_ticks(0, INT64_MAX, 6, &t));	/* the top would overflow */
	assert_false(chart_nice_ticks(5, 3, 6, &t));
	assert_false(chart_nice_ticks(0, 10, 1, &t));
	assert_false(chart_nice_ticks(0, 10, CHART_MAX_TICKS + 1, &t));
}

static void test_formats(void **state)
{
	char b[CHART_FMT_LEN];
	int jpy = 0, kwd = 3;

	(void)state;
	chart_format_int(1234567, NULL, b, sizeof(b));
	assert_string_equal(b, "1,234,567");
	chart_format_int(-12, NULL, b, sizeof(b));
	assert_string_equal(b, "-12");
	chart_format_int(0, NULL, b, sizeof(b));
	assert_string_equal(b, "0");
	chart_format_int(INT64_MIN, NULL, b, sizeof(b));
	assert_string_equal(b, "-9,223,372,036,854,775,808");
	chart_format_money(123456, NULL, b, sizeof(b));
	assert_string_equal(b, "1,234.56");
	chart_format_money(-5, NULL, b, sizeof(b));
	assert_string_equal(b, "-0.05");
	chart_format_money(100000000, NULL, b, sizeof(b));
	assert_string_equal(b, "1,000,000.00");
	chart_format_money(123456, &jpy, b, sizeof(b));
	assert_string_equal(b, "123,456");
	chart_format_money(1234, &kwd, b, sizeof(b));
	assert_string_equal(b, "1.234");
	chart_format_percent_bp(1234, NULL, b, sizeof(b));
	assert_string_equal(b, "12.34%");
	chart_format_percent_bp(-50, NULL, b, sizeof(b));
	assert_string_equal(b, "-0.5%");
	chart_format_percent_bp(10000, NULL, b, sizeof(b));
	assert_string_equal(b, "100%");
	chart_format_percent_bp(5, NULL, b, sizeof(b));
	assert_string_equal(b, "0.05%");
}

static void test_escape(void **state)
{
	char *e;

	(void)state;
	e = chart_escape("<b>A&B</b> \"q\" 'a'", 0);
	assert_string_equal(e, "&lt;b&gt;A&amp;B&lt;/b&gt; &quot;q&quot; &#39;a&#39;");
	free(e);
	e = chart_escape("a\x01" "b\xff" "c\td", 0);	/* control and invalid bytes dropped */
	assert_string_equal(e, "abc\td");
	free(e);
	e = chart_escape("合计", 4);	/* a cut never splits a character */
	assert_string_equal(e, "合");
	free(e);
	e = chart_escape(NULL, 0);
	assert_string_equal(e, "");
	free(e);
}

static const char *const bar_labels[4] = { "<b>A&B</b>", "会员店 上海", "Store \"C\"", "D" };
static const int64_t bar_values[4] = { 123456, 98000, -2500, 0 };

static void test_bar_chart(void **state)
{
	ChartSpec c = {
		.kind = CHART_BAR, .title = "销售额 by store <all>", .y_caption = "CNY",
		.x_caption = "门店", .note = "data as of 2026-03-01T00:00:00Z",
		.labels = bar_labels, .values = bar_values, .n = 4,
		.format = chart_format_money,
	};
	size_t len = 0;
	char *svg = chart_svg(&c, &len);

	(void)state;
	assert_non_null(svg);
	assert_int_equal(len, strlen(svg));
	assert_true(xml_well_formed(svg));
	assert_self_contained(svg, false);
	/* texts escaped, Chinese present, the CJK font first */
	assert_non_null(strstr(svg, "&lt;b&gt;A&amp;B&lt;/b&gt;"));
	assert_null(strstr(svg, "<b>"));
	assert_non_null(strstr(svg, "会员店 上海"));
	assert_non_null(strstr(svg, "销售额 by store &lt;all&gt;"));
	assert_non_null(strstr(svg, "Store &quot;C&quot;"));
	assert_non_null(strstr(svg, "font-family=\"'Noto Sans CJK SC', 'WenQuanYi Zen Hei', "
				    "sans-serif\""));
	/* one bar per point, the negative one in its own colour; values formatted */
	assert_int_equal(count(svg, "<rect "), 1 + 4);
	assert_int_equal(count(svg, "fill=\"#e15759\""), 1);
	assert_non_null(strstr(svg, "1,234.56"));
	assert_non_null(strstr(svg, "-25.00"));
	/* the axis: -500.00 .. 1,500.00 in steps of 500.00 (nice ticks in minor units) */
	assert_non_null(strstr(svg, ">-500.00<"));
	assert_non_null(strstr(svg, ">1,500.00<"));
	assert_non_null(strstr(svg, "门店"));
	assert_non_null(strstr(svg, "data as of"));
	free(svg);
}

static void test_line_chart_thinned(void **state)
{
	enum { N = 365 };
	char names[N][12];
	const char *labels[N];
	int64_t values[N];
	ChartSpec c = { .kind = CHART_LINE, .title = "Sales by day", .n = N, .labels = labels,
			.values = values, .width = 800, .height = 400 };
	char *svg;
	int drawn = 0;

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "d%03d", i);
		labels[i] = names[i];
		values[i] = 1000 + (i % 7) * 100;
	}
	svg = chart_svg(&c, NULL);
	assert_non_null(svg);
	assert_true(xml_well_formed(svg));
	assert_self_contained(svg, false);
	assert_int_equal(count(svg, "<polyline "), 1);
	for (int i = 0; i < N; i++) {
		char t[32];

		snprintf(t, sizeof(t), ">d%03d</text>", i);
		drawn += strstr(svg, t) != NULL;
	}
	/* thinned to what fits, the first and the last kept */
	assert_true(drawn >= 5 && drawn <= 40);
	assert_non_null(strstr(svg, ">d000</text>"));
	assert_non_null(strstr(svg, ">d364</text>"));
	free(svg);
}

/* Three points: the line runs from the axis's 0 to its top. */
static void test_line_geometry(void **state)
{
	const char *labels[3] = { "2026-01-01", "2026-01-02", "2026-01-03" };
	int64_t values[3] = { 0, 50, 100 };
	ChartSpec c = { .kind = CHART_LINE, .labels = labels, .values = values, .n = 3,
			.inline_svg = true };
	char *svg = chart_svg(&c, NULL);
	const char *pts;
	int x0, y0, x1, y1, x2, y2;

	(void)state;
	assert_non_null(svg);
	assert_true(xml_well_formed(svg));
	assert_self_contained(svg, true);
	pts = strstr(svg, "points=\"");
	assert_non_null(pts);
	assert_int_equal(sscanf(pts, "points=\"%d,%d %d,%d %d,%d\"", &x0, &y0, &x1, &y1, &x2,
				&y2), 6);
	assert_true(x0 < x1 && x1 < x2);
	assert_int_equal(x1 - x0, x2 - x1);
	assert_true(y0 > y1 && y1 > y2);		/* up is smaller y */
	assert_true(abs((y0 - y1) - (y1 - y2)) <= 1);
	/* the tick labels 0 .. 100 by 20, plain integers */
	assert_non_null(strstr(svg, ">0</text>"));
	assert_non_null(strstr(svg, ">100</text>"));
	assert_non_null(strstr(svg, ">20</text>"));
	free(svg);
}

static void test_empty_and_invalid(void **state)
{
	const char *labels[1] = { "x" };
	int64_t values[1] = { 1 };
	ChartSpec c = { .kind = CHART_BAR, .title = "会员等级", .empty_text = "暂无数据" };
	char *svg = chart_svg(&c, NULL);

	(void)state;
	assert_non_null(svg);
	assert_true(xml_well_formed(svg));
	assert_non_null(strstr(svg, "暂无数据"));
	assert_null(strstr(svg, "<polyline"));
	free(svg);
	c.n = 1;			/* points but no labels */
	assert_null(chart_svg(&c, NULL));
	c.labels = labels;
	c.values = values;
	c.width = 100;			/* too small */
	assert_null(chart_svg(&c, NULL));
	c.width = 0;
	c.n = CHART_MAX_POINTS + 1;
	assert_null(chart_svg(&c, NULL));
	c.n = 1;
	c.kind = (ChartKind)7;
	assert_null(chart_svg(&c, NULL));
	assert_null(chart_svg(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_ticks),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_bar_chart),
		cmocka_unit_test(test_line_chart_thinned),
		cmocka_unit_test(test_line_geometry),
		cmocka_unit_test(test_empty_and_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

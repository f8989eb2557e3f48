/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_svg: one series of (label, int64 value) drawn as an SVG chart a
 * person reads at a glance: a line chart for a time series (sales by day,
 * by hour), a bar chart for a distribution (sales by store, tiers). Used
 * by kassa-office (report --svg/--html, client/office/chart.c) and by
 * kassad's head-office dashboard.
 *
 * Pure: no I/O, no globals, no protobuf, no locale; the caller gives every
 * text (already translated: title, axis captions, the "no data" text) and
 * the function that formats a value (money, percent, plain integer). The
 * result is a self-contained SVG document: no external resource of any
 * kind (no href, no url(), no image, no font file, no <script>, no style
 * sheet link), every text XML-escaped (a label "<b>&" is drawn as such),
 * the font chosen by a family list that finds a CJK face where one is
 * installed (CHART_FONT_FAMILY), so Chinese labels render in Chromium with
 * Debian's fonts-noto-cjk.
 *
 * The y axis starts at 0 (or below, for negative values) and runs to a
 * "nice" maximum (1, 2 or 5 x 10^k steps: chart_nice_ticks()); when there
 * are more labels than fit under the x axis, every k-th is drawn (the
 * first and last always). Values are integers throughout (no floating
 * point touches a value; only pixel positions are computed in double).
 *
 * Typical use:
 *
 *     ChartSpec c = { .kind = CHART_LINE, .title = _("Sales by day"),
 *                     .labels = days, .values = totals, .n = n,
 *                     .format = chart_format_money, .empty_text = _("No data") };
 *     size_t len;
 *     char *svg = chart_svg(&c, &len);      // NULL: bad spec or no memory
 *     ... fwrite(svg, 1, len, f) / evbuffer_add(buf, svg, len) ...
 *     free(svg);
 */
#ifndef KASSA_CHART_SVG_H
#define KASSA_CHART_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most points one chart takes (chart_svg() refuses more). */
#define CHART_MAX_POINTS 5000
/* The longest text chart_svg() draws per label/title, in bytes (longer is cut at a character). */
#define CHART_MAX_TEXT 256
/* The most y-axis ticks chart_nice_ticks() gives. */
#define CHART_MAX_TICKS 12
/* A formatted value's buffer size (ChartFormat's len). */
#define CHART_FMT_LEN 40
/* The CSS font-family list every text uses (for a page around the chart too). */
#define CHART_FONT_FAMILY "'Noto Sans CJK SC', 'WenQuanYi Zen Hei', sans-serif"

/* How the series is drawn. */
typedef enum ChartKind {
	CHART_LINE = 0,		/* a polyline with a dot per point: a time series */
	CHART_BAR = 1,		/* a vertical bar per point: a distribution */
} ChartKind;

/*
 * Format value (an axis tick, or a point's value in its tooltip) into buf
 * (len bytes, CHART_FMT_LEN) as a person reads it; ctx is ChartSpec's
 * format_ctx. Must write a NUL-terminated string; it is XML-escaped after.
 */
typedef void (*ChartFormat)(int64_t value, const void *ctx, char *buf, size_t len);

/* What to draw. Zero-initialise it and set what you need (designated initialisers). */
typedef struct ChartSpec {
	ChartKind kind;			/* line or bar */
	const char *title;		/* borrowed UTF-8, drawn on top; NULL = none */
	const char *x_caption;		/* borrowed: under the x axis (e.g. "Day"); NULL = none */
	const char *y_caption;		/* borrowed: beside the y axis (e.g. "Sales (CNY)"); NULL = none */
	const char *note;		/* borrowed: a small line under the chart ("data as of ..."); NULL = none */
	const char *empty_text;		/* borrowed: drawn instead of the plot when n == 0; NULL = none */
	const char *const *labels;	/* borrowed: n labels (NULL entries are drawn empty) */
	const int64_t *values;		/* borrowed: n values */
	size_t n;			/* points, 0..CHART_MAX_POINTS */
	int width;			/* pixels; 0 = 800; 200..4000 */
	int height;			/* pixels; 0 = 400; 150..4000 */
	ChartFormat format;		/* NULL = chart_format_int */
	const void *format_ctx;		/* borrowed: passed to format */
	bool inline_svg;		/* no XML declaration: for putting inside an HTML page */
} ChartSpec;

/* The ticks of a value axis: lo = tick[0] < ... < tick[n-1] = hi. */
typedef struct ChartTicks {
	int64_t tick[CHART_MAX_TICKS];	/* tick values, ascending, multiples of step */
	int n;				/* 2..CHART_MAX_TICKS */
	int64_t step;			/* 1, 2 or 5 x 10^k */
} ChartTicks;

/*
 * Draw spec as an SVG document. Returns a NUL-terminated string the caller
 * free()s, its length (without the NUL) in *len when len is not NULL; NULL
 * when spec is invalid (n above CHART_MAX_POINTS, n > 0 without labels or
 * values, width/height out of range) or memory runs out.
 */
char *chart_svg(const ChartSpec *spec, size_t *len);

/*
 * The nice ticks of an axis that shows every value in [min, max] and 0:
 * at most max_ticks (2..CHART_MAX_TICKS) ticks, the step 1, 2 or 5 x 10^k,
 * the first tick <= min(min, 0), the last >= max(max, 0) (at least one
 * step above 0 when both are 0). False when max_ticks is out of range or
 * the axis would overflow int64.
 */
bool chart_nice_ticks(int64_t min, int64_t max, int max_ticks, ChartTicks *out);

/*
 * s with & < > " ' replaced by their XML entities (control characters but
 * TAB/LF/CR and invalid UTF-8 bytes dropped, so the output is always
 * well-formed XML and HTML text), cut to at most max_bytes of input (0 =
 * no cut) at a character boundary. Returns a string the caller free()s;
 * NULL only when memory runs out ("" for s NULL).
 */
char *chart_escape(const char *s, size_t max_bytes);

/* ChartFormat: a plain integer with thousands separators ("1,234,567"; "-12"). */
void chart_format_int(int64_t value, const void *ctx, char *buf, size_t len);
/*
 * ChartFormat: minor units as an amount with ctx's fraction digits (ctx
 * points to an int 0..6, the currency exponent; NULL = 2), thousands
 * separated: 123456 -> "1,234.56", -5 -> "-0.05".
 */
void chart_format_money(int64_t value, const void *ctx, char *buf, size_t len);
/* ChartFormat: basis points as a percentage: 1234 -> "12.34%", -50 -> "-0.5%", 10000 -> "100%". */
void chart_format_percent_bp(int64_t value, const void *ctx, char *buf, size_t len);

#endif

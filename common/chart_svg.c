/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart_svg.c: the SVG line and bar charts of chart_svg.h. The document
 * is built in one growing buffer: first the layout (margins from the
 * widest tick label and the x labels, the value axis from
 * chart_nice_ticks()), then the frame (title, grid, ticks, axes), then the
 * series, then the x labels and captions. Every caller text goes through
 * chart_escape(); numbers are printed with integer conversions only, so
 * the output does not depend on the process's locale (LC_NUMERIC).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_svg.h"
#include "textwidth.h"

#define CHART_W_DEFAULT 800
#define CHART_H_DEFAULT 400
#define CHART_DIM_MIN_W 200
#define CHART_DIM_MIN_H 150
#define CHART_DIM_MAX 4000
#define CHART_Y_TICKS 6			/* ticks asked of chart_nice_ticks() */
#define CHART_CELL_PX 7			/* an estimate of one text cell at 11-12 px */
#define CHART_LABEL_CELLS 16		/* x labels are cut to this many cells (with "…") */
#define CHART_ROTATE_MAX 60		/* bar labels are drawn slanted up to this many points */
#define CHART_DOTS_MAX 400		/* a line chart marks every point up to this many */
#define CHART_SERIES_COLOUR "#4e79a7"
#define CHART_NEGATIVE_COLOUR "#e15759"
#define CHART_GRID_COLOUR "#e3e3e3"
#define CHART_AXIS_COLOUR "#555555"
#define CHART_TEXT_COLOUR "#333333"

/* ---- the output buffer ---- */

typedef struct Buf {
	char *p;	/* owned, NUL-terminated */
	size_t len;
	size_t cap;
	bool oom;	/* an allocation failed: the result is dropped */
} Buf;

static void buf_grow(Buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->oom)
		return;
	while (cap - b->len <= more)
		cap *= 2;
	if (cap == b->cap)
		return;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void buf_add(Buf *b, const char *s)
{
	size_t n = strlen(s);

	buf_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	buf_grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Append s XML-escaped (at most max_bytes of it; 0 = all). */
static void buf_text(Buf *b, const char *s, size_t max_bytes)
{
	char *e = chart_escape(s, max_bytes);

	if (e == NULL) {
		b->oom = true;
		return;
	}
	buf_add(b, e);
	free(e);
}

/* ---- escaping and formatting ---- */

char *chart_escape(const char *s, size_t max_bytes)
{
	size_t len = s ? strlen(s) : 0, i = 0, o = 0;
	char *out;

	if (max_bytes > 0 && len > max_bytes)
		len = max_bytes;
	out = malloc(len * 6 + 1);	/* "&quot;" is the longest replacement */
	if (out == NULL)
		return NULL;
	while (i < len) {
		uint32_t cp;
		size_t n = textwidth_decode(s + i, strlen(s + i), &cp);
		const char *rep = NULL;

		if (i + n > len)
			break;	/* the cut would split this character */
		switch (cp) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep != NULL) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else if ((cp == 0xFFFD && n == 1) || cp == 0xFFFE || cp == 0xFFFF ||
			   (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')) {
			/* not allowed in XML (or not UTF-8): dropped */
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* Digits of magnitude u with a ',' every three, into out (>= 28 bytes). */
static void fmt_grouped(uint64_t u, char *out)
{
	char rev[32];
	int n = 0, o = 0;

	do {
		if (n > 0 && n % 4 == 3)
			rev[n++] = ',';
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (n > 0)
		out[o++] = rev[--n];
	out[o] = '\0';
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

void chart_format_int(int64_t value, const void *ctx, char *buf, size_t len)
{
	char g[32];

	(void)ctx;
	fmt_grouped(magnitude(value), g);
	snprintf(buf, len, "%s%s", value < 0 ? "-" : "", g);
}

/* 10^e for 0 <= e <= 6. */
static uint64_t pow10_u(int e)
{
	uint64_t p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

void chart_format_money(int64_t value, const void *ctx, char *buf, size_t len)
{
	int e = ctx != NULL ? *(const int *)ctx : 2;
	uint64_t u = magnitude(value), scale;
	char g[32];

	if (e < 0 || e > 6)
		e = 2;
	scale = pow10_u(e);
	fmt_grouped(u / scale, g);
	if (e == 0)
		snprintf(buf, len, "%s%s", value < 0 ? "-" : "", g);
	else
		snprintf(buf, len, "%s%s.%0*llu", value < 0 ? "-" : "", g, e,
			 (unsigned long long)(u % scale));
}

void chart_format_percent_bp(int64_t value, const void *ctx, char *buf, size_t len)
{
	uint64_t u = magnitude(value);
	char g[32], frac[3];
	unsigned f = (unsigned)(u % 100);

	(void)ctx;
	fmt_grouped(u / 100, g);
	frac[0] = (char)('0' + f / 10);
	frac[1] = (char)('0' + f % 10);
	frac[2] = '\0';
	if (frac[1] == '0')
		frac[1] = '\0';
	if (f == 0)
		snprintf(buf, len, "%s%s%%", value < 0 ? "-" : "", g);
	else
		snprintf(buf, len, "%s%s.%s%%", value < 0 ? "-" : "", g, frac);
}

/* ---- the value axis ---- */

/* floor(a / s) * s and ceil(a / s) * s for s > 0; false on overflow. */
static bool round_down(int64_t a, int64_t s, int64_t *out)
{
	int64_t q = a / s;

	if (a % s != 0 && a < 0)
		q--;
	return !__builtin_mul_overflow(q, s, out);
}

static bool round_up(int64_t a, int64_t s, int64_t *out)
{
	int64_t q = a / s;

	if (a % s != 0 && a > 0)
		q++;
	return !__builtin_mul_overflow(q, s, out);
}

bool chart_nice_ticks(int64_t min, int64_t max, int max_ticks, ChartTicks *out)
{
	static const int64_t mult[3] = { 1, 2, 5 };
	int64_t lo = min < 0 ? min : 0, hi = max > 0 ? max : 0, decade = 1;

	if (max_ticks < 2 || max_ticks > CHART_MAX_TICKS || min > max)
		return false;
	if (lo == 0 && hi == 0)
		hi = 1;
	for (;;) {
		for (int m = 0; m < 3; m++) {
			int64_t s, t_lo, t_hi, span;

			if (__builtin_mul_overflow(decade, mult[m], &s))
				return false;
			if (!round_down(lo, s, &t_lo) || !round_up(hi, s, &t_hi) ||
			    __builtin_sub_overflow(t_hi, t_lo, &span))
				continue;
			if (span / s + 1 > max_ticks)
				continue;
			out->step = s;
			out->n = (int)(span / s) + 1;
			for (int i = 0; i < out->n; i++)
				out->tick[i] = t_lo + s * i;
			return true;
		}
		if (__builtin_mul_overflow(decade, 10, &decade))
			return false;
	}
}

/* ---- layout ---- */

typedef struct Layout {
	int w, h;			/* the whole picture */
	int left, right, top, bottom;	/* the plot area's edges */
	ChartTicks ticks;
	int label_every;		/* draw every k-th x label */
	bool slanted;			/* x labels drawn at -40 degrees */
	int label_cells;		/* the widest x label (cut), in cells */
	ChartFormat fmt;
} Layout;

/* label i cut to CHART_LABEL_CELLS cells, "…" added when cut; out >= CHART_MAX_TEXT + 4. */
static void label_cut(const char *s, char *out, size_t outlen)
{
	int used;
	size_t n;

	if (s == NULL)
		s = "";
	if (textwidth(s) <= CHART_LABEL_CELLS) {
		snprintf(out, outlen, "%.*s", CHART_MAX_TEXT, s);
		return;
	}
	n = textwidth_cut(s, CHART_LABEL_CELLS - 1, &used);
	snprintf(out, outlen, "%.*s\xE2\x80\xA6", (int)n, s);
}

/* Pixel row of value v on the axis. */
static int y_of(const Layout *l, int64_t v)
{
	double lo = (double)l->ticks.tick[0], hi = (double)l->ticks.tick[l->ticks.n - 1];
	double f = ((double)v - lo) / (hi - lo);

	return l->bottom - (int)((double)(l->bottom - l->top) * f + 0.5);
}

/* Pixel column of point i's centre. */
static int x_of(const Layout *l, const ChartSpec *c, size_t i)
{
	double span = (double)(l->right - l->left);

	if (c->kind == CHART_LINE)
		return c->n == 1 ? (l->left + l->right) / 2
				 : l->left + (int)(span * (double)i / (double)(c->n - 1) + 0.5);
	return l->left + (int)(span * ((double)i + 0.5) / (double)c->n + 0.5);
}

static bool layout_make(const ChartSpec *c, Layout *l)
{
	int64_t vmin = 0, vmax = 0;
	int widest = 0, slot;
	char t[CHART_FMT_LEN], lab[CHART_MAX_TEXT + 8];

	l->w = c->width ? c->width : CHART_W_DEFAULT;
	l->h = c->height ? c->height : CHART_H_DEFAULT;
	if (l->w < CHART_DIM_MIN_W || l->w > CHART_DIM_MAX || l->h < CHART_DIM_MIN_H ||
	    l->h > CHART_DIM_MAX)
		return false;
	l->fmt = c->format ? c->format : chart_format_int;
	for (size_t i = 0; i < c->n; i++) {
		if (i == 0 || c->values[i] < vmin)
			vmin = c->values[i];
		if (i == 0 || c->values[i] > vmax)
			vmax = c->values[i];
	}
	if (!chart_nice_ticks(vmin, vmax, CHART_Y_TICKS, &l->ticks))
		return false;
	for (int i = 0; i < l->ticks.n; i++) {
		t[0] = '\0';
		l->fmt(l->ticks.tick[i], c->format_ctx, t, sizeof(t));
		if (textwidth(t) > widest)
			widest = textwidth(t);
	}
	l->left = 16 + widest * CHART_CELL_PX + (c->y_caption ? 22 : 0);
	l->right = l->w - 24;
	l->top = c->title ? 48 : 20;
	l->label_cells = 0;
	for (size_t i = 0; i < c->n; i++) {
		label_cut(c->labels[i], lab, sizeof(lab));
		if (textwidth(lab) > l->label_cells)
			l->label_cells = textwidth(lab);
	}
	/* a line chart's last label is centred on the right edge: room for its half */
	if (c->kind == CHART_LINE && l->label_cells * CHART_CELL_PX / 2 + 6 > 24)
		l->right = l->w - l->label_cells * CHART_CELL_PX / 2 - 6;
	slot = c->n > 0 ? (l->right - l->left) / (int)c->n : l->right - l->left;
	l->slanted = c->kind == CHART_BAR && c->n <= CHART_ROTATE_MAX &&
		     l->label_cells * CHART_CELL_PX > slot - 4;
	l->label_every = 1;
	if (!l->slanted && slot > 0 && c->n > 0)
		l->label_every = (l->label_cells * CHART_CELL_PX + 12 + slot - 1) / slot;
	else if (!l->slanted)
		l->label_every = (int)c->n;
	if (l->label_every < 1)
		l->label_every = 1;
	l->bottom = l->h - 28 - (c->x_caption ? 20 : 0) - (c->note ? 18 : 0);
	if (l->slanted)
		l->bottom -= l->label_cells * CHART_CELL_PX * 64 / 100;
	if (l->bottom - l->top < 40)
		l->bottom = l->top + 40;
	return l->right - l->left >= 40 && l->bottom <= l->h;
}

/* ---- drawing ---- */

static void draw_head(Buf *b, const ChartSpec *c, const Layout *l)
{
	if (!c->inline_svg)
		buf_add(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* the namespace is a name, not a resource: nothing is fetched */
	buf_printf(b, "<svg%s width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"%s\" font-size=\"12\" role=\"img\" aria-label=\"",
		   c->inline_svg ? "" : " xmlns=\"http://www.w3.org/2000/svg\"", l->w, l->h,
		   l->w, l->h, CHART_FONT_FAMILY);
	buf_text(b, c->title, CHART_MAX_TEXT);
	buf_add(b, "\">\n<title>");
	buf_text(b, c->title, CHART_MAX_TEXT);
	buf_printf(b, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
		   "fill=\"#ffffff\"/>\n", l->w, l->h);
	if (c->title != NULL) {
		buf_printf(b, "<text x=\"%d\" y=\"30\" text-anchor=\"middle\" font-size=\"17\" "
			   "font-weight=\"bold\" fill=\"%s\">", l->w / 2, CHART_TEXT_COLOUR);
		buf_text(b, c->title, CHART_MAX_TEXT);
		buf_add(b, "</text>\n");
	}
}

/* Grid lines, tick labels and the two axes. */
static void draw_axes(Buf *b, const ChartSpec *c, const Layout *l)
{
	char t[CHART_FMT_LEN];
	int y0 = y_of(l, 0);

	buf_printf(b, "<g stroke=\"%s\" stroke-width=\"1\">\n", CHART_GRID_COLOUR);
	for (int i = 0; i < l->ticks.n; i++) {
		int y = y_of(l, l->ticks.tick[i]);

		buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", l->left, y,
			   l->right, y);
	}
	buf_add(b, "</g>\n");
	buf_printf(b, "<g font-size=\"11\" fill=\"%s\" text-anchor=\"end\">\n",
		   CHART_TEXT_COLOUR);
	for (int i = 0; i < l->ticks.n; i++) {
		t[0] = '\0';
		l->fmt(l->ticks.tick[i], c->format_ctx, t, sizeof(t));
		buf_printf(b, "<text x=\"%d\" y=\"%d\">", l->left - 6,
			   y_of(l, l->ticks.tick[i]) + 4);
		buf_text(b, t, sizeof(t));
		buf_add(b, "</text>\n");
	}
	buf_add(b, "</g>\n");
	buf_printf(b, "<g stroke=\"%s\" stroke-width=\"1\">\n"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
		   "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n</g>\n",
		   CHART_AXIS_COLOUR, l->left, l->top, l->left, l->bottom, l->left, y0,
		   l->right, y0);
}

/* A point's tooltip: "label: value". */
static void draw_tip(Buf *b, const ChartSpec *c, const Layout *l, size_t i)
{
	char t[CHART_FMT_LEN];

	t[0] = '\0';
	l->fmt(c->values[i], c->format_ctx, t, sizeof(t));
	buf_add(b, "<title>");
	buf_text(b, c->labels[i], CHART_MAX_TEXT);
	buf_add(b, ": ");
	buf_text(b, t, sizeof(t));
	buf_add(b, "</title>");
}

static void draw_bars(Buf *b, const ChartSpec *c, const Layout *l)
{
	int slot = (l->right - l->left) * 10 / (int)c->n;	/* tenths of a pixel */
	int bw = slot * 7 / 100 > 0 ? slot * 7 / 100 : 1, y0 = y_of(l, 0);

	buf_add(b, "<g stroke=\"none\">\n");
	for (size_t i = 0; i < c->n; i++) {
		int x = x_of(l, c, i), y = y_of(l, c->values[i]);
		int top = y < y0 ? y : y0, h = y < y0 ? y0 - y : y - y0;

		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">",
			   x - bw / 2, top, bw, h,
			   c->values[i] < 0 ? CHART_NEGATIVE_COLOUR : CHART_SERIES_COLOUR);
		draw_tip(b, c, l, i);
		buf_add(b, "</rect>\n");
	}
	buf_add(b, "</g>\n");
}

static void draw_line(Buf *b, const ChartSpec *c, const Layout *l)
{
	buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		   "stroke-linejoin=\"round\" points=\"", CHART_SERIES_COLOUR);
	for (size_t i = 0; i < c->n; i++)
		buf_printf(b, "%s%d,%d", i ? " " : "", x_of(l, c, i), y_of(l, c->values[i]));
	buf_add(b, "\"/>\n");
	if (c->n > CHART_DOTS_MAX)
		return;
	buf_printf(b, "<g fill=\"%s\">\n", CHART_SERIES_COLOUR);
	for (size_t i = 0; i < c->n; i++) {
		buf_printf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"3\">", x_of(l, c, i),
			   y_of(l, c->values[i]));
		draw_tip(b, c, l, i);
		buf_add(b, "</circle>\n");
	}
	buf_add(b, "</g>\n");
}

static void draw_labels(Buf *b, const ChartSpec *c, const Layout *l)
{
	char lab[CHART_MAX_TEXT + 8];
	size_t every = (size_t)l->label_every, last = c->n - 1;

	buf_printf(b, "<g font-size=\"11\" fill=\"%s\" text-anchor=\"%s\">\n",
		   CHART_TEXT_COLOUR, l->slanted ? "end" : "middle");
	for (size_t i = 0; i < c->n; i++) {
		int x = x_of(l, c, i), y = l->bottom + 16;

		/* the first, the last, and every k-th between that does not crowd the last */
		if (!(i == 0 || (i == last && last >= every) ||
		      (i % every == 0 && last - i >= every)))
			continue;
		label_cut(c->labels[i], lab, sizeof(lab));
		if (l->slanted)
			buf_printf(b, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-40 %d %d)\">",
				   x, y - 4, x, y - 4);
		else
			buf_printf(b, "<text x=\"%d\" y=\"%d\">", x, y);
		buf_text(b, lab, 0);
		buf_add(b, "</text>\n");
	}
	buf_add(b, "</g>\n");
}

/* Axis captions, the note, or the empty text. */
static void draw_captions(Buf *b, const ChartSpec *c, const Layout *l)
{
	if (c->n == 0 && c->empty_text != NULL) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"14\" "
			   "fill=\"#777777\">", (l->left + l->right) / 2, (l->top + l->bottom) / 2);
		buf_text(b, c->empty_text, CHART_MAX_TEXT);
		buf_add(b, "</text>\n");
	}
	if (c->x_caption != NULL) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">",
			   (l->left + l->right) / 2, l->h - 10 - (c->note ? 18 : 0),
			   CHART_TEXT_COLOUR);
		buf_text(b, c->x_caption, CHART_MAX_TEXT);
		buf_add(b, "</text>\n");
	}
	if (c->y_caption != NULL) {
		int x = 16, y = (l->top + l->bottom) / 2;

		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" "
			   "transform=\"rotate(-90 %d %d)\">", x, y, CHART_TEXT_COLOUR, x, y);
		buf_text(b, c->y_caption, CHART_MAX_TEXT);
		buf_add(b, "</text>\n");
	}
	if (c->note != NULL) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" "
			   "fill=\"#777777\">", l->w - 8, l->h - 6);
		buf_text(b, c->note, CHART_MAX_TEXT);
		buf_add(b, "</text>\n");
	}
}

char *chart_svg(const ChartSpec *c, size_t *len)
{
	Layout l;
	Buf b = { NULL, 0, 0, false };

	if (c == NULL || c->n > CHART_MAX_POINTS ||
	    (c->n > 0 && (c->labels == NULL || c->values == NULL)) ||
	    (c->kind != CHART_LINE && c->kind != CHART_BAR) || !layout_make(c, &l))
		return NULL;
	draw_head(&b, c, &l);
	if (c->n > 0) {
		draw_axes(&b, c, &l);
		if (c->kind == CHART_BAR)
			draw_bars(&b, c, &l);
		else
			draw_line(&b, c, &l);
		draw_labels(&b, c, &l);
	}
	draw_captions(&b, c, &l);
	buf_add(&b, "</svg>\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (len != NULL)
		*len = b.len;
	return b.p;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart.c: a ReportTable drawn as a chart (chart.h): picking the label
 * and value columns, adding up rows with the same label, then
 * common/chart_svg.c draws it, and this file writes the SVG file or the
 * HTML page around it (the table as report_render.c formats cells for a
 * person). Values stay int64 throughout; nothing is fetched or linked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chart_svg.h"
#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "money.h"
#include "office.h"
#include "report_render.h"

#define K(x) KASSA__V1__COLUMN_KIND__COL_##x
#define CHART_CAPTION_LEN 160

/* The points to draw: labels borrowed from the table, values added up. */
typedef struct ChartData {
	ChartKind kind;
	int label_col, value_col;	/* column indexes */
	const char **labels;		/* owned array; strings borrowed from t */
	int64_t *values;		/* owned */
	size_t n;
	int exponent;			/* money: the currency's decimals */
	char caption_y[CHART_CAPTION_LEN];
	char note[CHART_CAPTION_LEN];
} ChartData;

static void chart_data_free(ChartData *d)
{
	free(d->labels);
	free(d->values);
	d->labels = NULL;
	d->values = NULL;
}

static bool kind_is_number(Kassa__V1__ColumnKind k)
{
	return k == K(INT) || k == K(MONEY) || k == K(POINTS) || k == K(PERCENT_BP);
}

/* The first column of t of kind a or b; -1 if none. */
static int first_col(const Kassa__V1__ReportTable *t, Kassa__V1__ColumnKind a,
		     Kassa__V1__ColumnKind b)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (t->columns[i]->kind == a || t->columns[i]->kind == b)
			return (int)i;
	return -1;
}

/* The label and value columns (see chart.h). */
static ChartStatus pick_columns(const Kassa__V1__ReportTable *t, const char *y_key, ChartData *d)
{
	if (strcmp(t->chart, "line") == 0)
		d->kind = CHART_LINE;
	else if (strcmp(t->chart, "bar") == 0)
		d->kind = CHART_BAR;
	else
		return CHART_NO_CHART;
	if (d->kind == CHART_LINE) {
		d->label_col = first_col(t, K(DATE), K(HOUR));
		if (d->label_col < 0)
			d->label_col = first_col(t, K(TEXT), K(TEXT));
	} else {
		d->label_col = first_col(t, K(TEXT), K(TEXT));
		if (d->label_col < 0)
			d->label_col = first_col(t, K(DATE), K(HOUR));
	}
	d->value_col = -1;
	if (y_key != NULL) {
		for (size_t i = 0; i < t->n_columns; i++)
			if (strcmp(t->columns[i]->key, y_key) == 0 &&
			    kind_is_number(t->columns[i]->kind))
				d->value_col = (int)i;
		if (d->value_col < 0)
			return CHART_BAD_Y;
	} else {
		/* money first: sales in money say more than their count */
		d->value_col = first_col(t, K(MONEY), K(MONEY));
		if (d->value_col < 0)
			d->value_col = first_col(t, K(INT), K(POINTS));
		if (d->value_col < 0)
			d->value_col = first_col(t, K(PERCENT_BP), K(PERCENT_BP));
	}
	return d->label_col < 0 || d->value_col < 0 ? CHART_NO_CHART : CHART_OK;
}

static const char *cell(const Kassa__V1__ReportRow *r, int col)
{
	return (size_t)col < r->n_cells && r->cells[col] != NULL ? r->cells[col] : "";
}

/* Order of two labels of a column of kind k: hours as numbers, the rest as text. */
static int label_cmp(Kassa__V1__ColumnKind k, const char *a, const char *b)
{
	if (k == K(HOUR))
		return atoi(a) - atoi(b);
	return strcmp(a, b);
}

/* Insertion sort of the points by label (a line chart: at most CHART_MAX_POINTS). */
static void sort_points(ChartData *d, Kassa__V1__ColumnKind k)
{
	for (size_t i = 1; i < d->n; i++) {
		const char *l = d->labels[i];
		int64_t v = d->values[i];
		size_t j = i;

		for (; j > 0 && label_cmp(k, d->labels[j - 1], l) > 0; j--) {
			d->labels[j] = d->labels[j - 1];
			d->values[j] = d->values[j - 1];
		}
		d->labels[j] = l;
		d->values[j] = v;
	}
}

/* The points: one per distinct label, values added up. */
static ChartStatus collect_points(const Kassa__V1__ReportTable *t, ChartData *d)
{
	size_t cap = t->n_rows < CHART_MAX_POINTS ? t->n_rows : CHART_MAX_POINTS;

	d->labels = xmalloc((cap + 1) * sizeof(*d->labels));
	d->values = xmalloc((cap + 1) * sizeof(*d->values));
	d->n = 0;
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *l = cell(t->rows[i], d->label_col), *v = cell(t->rows[i], d->value_col);
		int64_t x = 0;
		size_t j;

		if (v[0] != '\0' && !kc_parse_i64(v, &x))
			continue;	/* not a number: not drawn */
		/* a linear search: a chart has few points, and the labels come grouped */
		for (j = d->n; j > 0 && strcmp(d->labels[j - 1], l) != 0; j--)
			;
		if (j > 0) {
			if (__builtin_add_overflow(d->values[j - 1], x, &d->values[j - 1]))
				d->values[j - 1] = x < 0 ? INT64_MIN : INT64_MAX;
			continue;
		}
		if (d->n == cap)
			return CHART_TOO_MANY;
		d->labels[d->n] = l;
		d->values[d->n++] = x;
	}
	if (d->kind == CHART_LINE)
		sort_points(d, t->columns[d->label_col]->kind);
	return CHART_OK;
}

static ChartFormat value_format(const ChartData *d, const Kassa__V1__ReportTable *t)
{
	Kassa__V1__ColumnKind k = t->columns[d->value_col]->kind;

	if (k == K(MONEY))
		return chart_format_money;
	if (k == K(PERCENT_BP))
		return chart_format_percent_bp;
	return chart_format_int;
}

/* Hour labels as a person reads them ("09:00"), in place of the table's "9". */
static char (*hour_labels(ChartData *d, const Kassa__V1__ReportTable *t))[8]
{
	char (*h)[8];

	if (t->columns[d->label_col]->kind != K(HOUR) || d->n == 0)
		return NULL;
	h = xmalloc(d->n * sizeof(*h));
	for (size_t i = 0; i < d->n; i++) {
		snprintf(h[i], sizeof(h[i]), "%02d:00", atoi(d->labels[i]) % 24);
		d->labels[i] = h[i];
	}
	return h;
}

/* The SVG of t (the caller free()s it), or NULL with *st why. */
static char *chart_make(const Kassa__V1__ReportTable *t, const char *y_key, bool inline_svg,
			ChartStatus *st, size_t *len)
{
	ChartData d;
	ChartSpec spec;
	const char *vkey;
	char (*hours)[8] = NULL;
	char *svg = NULL;

	memset(&d, 0, sizeof(d));
	*st = pick_columns(t, y_key, &d);
	if (*st == CHART_OK)
		*st = collect_points(t, &d);
	if (*st != CHART_OK) {
		chart_data_free(&d);
		return NULL;
	}
	hours = hour_labels(&d, t);
	d.exponent = money_currency_exponent(t->currency);
	if (d.exponent < 0)
		d.exponent = 2;
	vkey = t->columns[d.value_col]->key;
	if (t->columns[d.value_col]->kind == K(MONEY) && t->currency[0] != '\0')
		snprintf(d.caption_y, sizeof(d.caption_y), "%s (%s)", report_label(vkey), t->currency);
	else
		snprintf(d.caption_y, sizeof(d.caption_y), "%s", report_label(vkey));
	if (t->data_as_of[0] != '\0')
		snprintf(d.note, sizeof(d.note), "%s %s", _("data as of"), t->data_as_of);
	memset(&spec, 0, sizeof(spec));
	spec.kind = d.kind;
	spec.title = report_title(t->report);
	spec.x_caption = report_label(t->columns[d.label_col]->key);
	spec.y_caption = d.caption_y;
	spec.note = d.note[0] ? d.note : NULL;
	spec.empty_text = _("No data in this range");
	spec.labels = d.labels;
	spec.values = d.values;
	spec.n = d.n;
	spec.format = value_format(&d, t);
	spec.format_ctx = &d.exponent;
	spec.inline_svg = inline_svg;
	svg = chart_svg(&spec, len);
	if (svg == NULL)
		*st = CHART_TOO_MANY;
	free(hours);
	chart_data_free(&d);
	return svg;
}

ChartStatus chart_write_svg(const Kassa__V1__ReportTable *t, const char *y_key, const char *path)
{
	ChartStatus st;
	size_t len = 0;
	char *svg = chart_make(t, y_key, false, &st, &len);
	FILE *f;
	bool ok;

	if (svg == NULL)
		return st;
	f = fopen(path, "w");
	if (f == NULL) {
		free(svg);
		return CHART_WRITE_FAILED;
	}
	ok = fwrite(svg, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	free(svg);
	return ok ? CHART_OK : CHART_WRITE_FAILED;
}

/* ---- the HTML page ---- */

/* s XML/HTML-escaped to f. */
static void put_text(FILE *f, const char *s)
{
	char *e = chart_escape(s, 0);

	if (e != NULL)
		fputs(e, f);
	free(e);
}

static void html_head(FILE *f, const Kassa__V1__ReportTable *t)
{
	const char *lang = i18n_current() == I18N_ZH_CN ? "zh-CN" : "en";

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>", lang);
	put_text(f, report_title(t->report));
	fprintf(f, "</title>\n<style>\n"
		"body { font-family: %s; margin: 24px; color: #222; }\n"
		"table { border-collapse: collapse; margin-top: 16px; }\n"
		"th, td { border: 1px solid #ccc; padding: 3px 8px; }\n"
		"th { background: #f0f0f0; } td.n { text-align: right; }\n"
		".meta, .notes { color: #555; font-size: 90%%; }\n"
		"figure { margin: 0; } figure svg { max-width: 100%%; height: auto; }\n"
		"th, td { white-space: nowrap; }\n"
		"</style>\n</head>\n<body>\n<h1>", CHART_FONT_FAMILY);
	put_text(f, report_title(t->report));
	fputs("</h1>\n<p class=\"meta\">", f);
	put_text(f, t->from);
	if (t->from[0] != '\0' || t->to[0] != '\0')
		fputs(" .. ", f);
	put_text(f, t->to);
	if (t->currency[0] != '\0') {
		fputs(" \xC2\xB7 ", f);
		put_text(f, t->currency);
	}
	fputs("</p>\n", f);
}

static void html_table(FILE *f, const Kassa__V1__ReportTable *t)
{
	char buf[REPORT_CELL_LEN];

	fputs("<table>\n<tr>", f);
	for (size_t j = 0; j < t->n_columns; j++) {
		fputs("<th>", f);
		put_text(f, report_label(t->columns[j]->key));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < t->n_rows; i++) {
		fputs("<tr>", f);
		for (size_t j = 0; j < t->n_columns; j++) {
			Kassa__V1__ColumnKind k = t->columns[j]->kind;

			fputs(kind_is_number(k) || k == K(DECIMAL) ? "<td class=\"n\">" : "<td>", f);
			put_text(f, report_cell_human(k, cell(t->rows[i], (int)j), buf, sizeof(buf)));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_notes(FILE *f, const Kassa__V1__ReportTable *t)
{
	fputs("<div class=\"notes\">\n", f);
	for (size_t i = 0; i < t->n_notes; i++) {
		fputs("<p>", f);
		put_text(f, report_label(t->notes[i]->key));
		fputs(": ", f);
		put_text(f, t->notes[i]->value);
		fputs("</p>\n", f);
	}
	if (t->data_as_of[0] != '\0') {
		fputs("<p>", f);
		put_text(f, _("data as of"));
		fputc(' ', f);
		put_text(f, t->data_as_of);
		if (t->lag_seconds > 0)
			fprintf(f, " (%lld s)", (long long)t->lag_seconds);
		fputs("</p>\n", f);
	}
	fputs("</div>\n</body>\n</html>\n", f);
}

ChartStatus chart_write_html(const Kassa__V1__ReportTable *t, const char *y_key,
			     const char *path)
{
	ChartStatus st = CHART_OK;
	size_t len = 0;
	char *svg = NULL;
	FILE *f;
	bool ok;

	if (t->chart[0] != '\0') {
		svg = chart_make(t, y_key, true, &st, &len);
		if (svg == NULL && st != CHART_NO_CHART)
			return st;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		free(svg);
		return CHART_WRITE_FAILED;
	}
	html_head(f, t);
	if (svg != NULL) {
		fputs("<figure>\n", f);
		fwrite(svg, 1, len, f);
		fputs("</figure>\n", f);
	}
	html_table(f, t);
	html_notes(f, t);
	ok = !ferror(f);
	ok = fclose(f) == 0 && ok;
	free(svg);
	return ok ? CHART_OK : CHART_WRITE_FAILED;
}

/* Print a failure of one output; returns its exit code. */
static int chart_failed(const char *cmd, ChartStatus st, const char *path)
{
	char msg[512];

	switch (st) {
	case CHART_OK:
		return OFFICE_EXIT_OK;
	case CHART_NO_CHART:
		kcj_emit(kcj_fail(cmd, "FAILED_PRECONDITION", "NO_CHART",
				  _("this report is a table only: it has no chart")));
		return OFFICE_EXIT_FAILED;
	case CHART_BAD_Y:
		return bad_usage(cmd, _("y= names no numeric column of this report"));
	case CHART_TOO_MANY:
		snprintf(msg, sizeof(msg), _("too many points for one chart (at most %d)"),
			 CHART_MAX_POINTS);
		kcj_emit(kcj_fail(cmd, "FAILED_PRECONDITION", "CHART_TOO_LARGE", msg));
		return OFFICE_EXIT_FAILED;
	case CHART_WRITE_FAILED:
		break;
	}
	snprintf(msg, sizeof(msg), _("could not write %s: %s"), path, strerror(errno));
	kcj_emit(kcj_fail(cmd, "FAILED_PRECONDITION", "WRITE_FAILED", msg));
	return OFFICE_EXIT_FAILED;
}

int chart_outputs(const char *cmd, const Kassa__V1__ReportTable *t, const char *y_key)
{
	if (office_out.svg != NULL) {
		ChartStatus st = chart_write_svg(t, y_key, office_out.svg);

		if (st != CHART_OK)
			return chart_failed(cmd, st, office_out.svg);
	}
	if (office_out.html != NULL) {
		ChartStatus st = chart_write_html(t, y_key, office_out.html);

		if (st != CHART_OK)
			return chart_failed(cmd, st, office_out.html);
	}
	return OFFICE_EXIT_OK;
}

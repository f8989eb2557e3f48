/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chart.h: a report as a chart (kassa-office report ... --svg FILE
 * --html FILE), drawn by common/chart_svg.h. No network resources in
 * either file: the SVG is self-contained, and the HTML page holds the SVG
 * inline, the table and its own small style sheet (charset utf-8, the CJK
 * font family of the chart), nothing else.
 *
 * What is drawn from a ReportTable:
 *   - the kind: t->chart ("line" for the time series, "bar" for the
 *     distributions); a report with chart "" is not drawn (CHART_NO_CHART);
 *   - the labels: a line chart's first DATE or HOUR column (else its first
 *     TEXT column), a bar chart's first TEXT column (else DATE or HOUR);
 *   - the values: the column named y_key, or (y_key NULL) the first MONEY
 *     column, else the first INT or POINTS one, else the first PERCENT_BP
 *     one; formatted by
 *     kind (money with the currency's decimals, percent from basis points);
 *   - rows with the same label are added up (a daily report by store
 *     becomes one line for the chain), a line chart's points in label
 *     order (days, hours), a bar chart's in the table's order;
 *   - the title, axis captions and notes in the user's language
 *     (report_render.h's report_title()/report_label(), _()), the data's
 *     freshness under the chart.
 *
 * How report_cmds.c calls it, after writing the table:
 *
 *     return chart_outputs(cmd, t, arg_get(a, "y"));
 *
 * which writes --svg and/or --html (office_out) and prints a failure the
 * usual way (one JSON line, exit code 1; a y= that names no numeric column
 * is a usage error, 2). chart_write_svg()/chart_write_html() are the two
 * steps on their own.
 */
#ifndef KASSA_OFFICE_CHART_H
#define KASSA_OFFICE_CHART_H

#include <stdbool.h>

#include "kassa.pb-c.h"
#include "util.h"

typedef enum ChartStatus {
	CHART_OK = 0,		/* written */
	CHART_NO_CHART,		/* the report is a table only (chart ""), or has no
				   label or numeric column to draw */
	CHART_BAD_Y,		/* y_key names no numeric column of the table */
	CHART_TOO_MANY,		/* more distinct labels than a chart takes */
	CHART_WRITE_FAILED,	/* the file could not be written (errno) */
} ChartStatus;

/* Write t's chart as a standalone SVG document to path. */
MUSTCHECK ChartStatus chart_write_svg(const Kassa__V1__ReportTable *t, const char *y_key,
				      const char *path);

/*
 * Write t as a standalone HTML page to path: the title, the range, the
 * chart inline (when the report has one), the table as a person reads it,
 * the notes and the freshness.
 */
MUSTCHECK ChartStatus chart_write_html(const Kassa__V1__ReportTable *t, const char *y_key,
				       const char *path);

/*
 * --svg and --html of office_out for t: write what is asked, print a
 * failure (cmd's JSON line) and return the exit code (0 when nothing is
 * asked).
 */
int chart_outputs(const char *cmd, const Kassa__V1__ReportTable *t, const char *y_key);

#endif

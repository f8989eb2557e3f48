/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report_cmds.c: kassa-office's report command.
 *
 *   report                     the reports this login may run (one row each)
 *   report NAME [from=YYYY-MM-DD] [to=YYYY-MM-DD] [store=ID] [category=CAT] [limit=N]
 *               [y=COLUMN]     (the column --svg/--html draw; default: chart.h's choice)
 *
 * The server runs the report (ReportRun) and answers a typed table, in
 * pages when it is large (kc_report_all joins them: the user sees one
 * table); this file writes it as --format says: an aligned table in the user's
 * language (the default; report_render.c), CSV (csv.h: column keys and
 * machine values) or one JSON object (report_render.c), to stdout or
 * --output FILE. --svg FILE and --html FILE also draw it (chart.h). A
 * refusal (a bad range, an unknown report, a store that is not the
 * manager's) is the usual JSON failure on stdout with exit code 1; a file
 * that cannot be written is one too, and a usage error exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "csv.h"
#include "i18n.h"
#include "kc_json.h"
#include "kc_options.h"
#include "office.h"
#include "report_render.h"

#define REPORT_USAGE \
	"report [NAME] [from=YYYY-MM-DD] [to=YYYY-MM-DD] [store=ID] [category=CAT] [limit=N]" \
	" [y=COLUMN]"

typedef struct ReportArgs {
	const char *name, *from, *to, *category;
	int64_t store_id, limit;
} ReportArgs;

/* a's words into ra; false (printed as a usage failure) on anything unknown. */
static bool report_args(const Args *a, ReportArgs *ra)
{
	const char *s = arg_get(a, "store"), *l = arg_get(a, "limit");

	memset(ra, 0, sizeof(*ra));
	for (int i = 0; i < a->n; i++) {
		if (a->vals[i] == NULL) {
			if (i != 0)
				return false;
			ra->name = a->keys[i];
		} else if (strcmp(a->keys[i], "from") != 0 && strcmp(a->keys[i], "to") != 0 &&
			   strcmp(a->keys[i], "store") != 0 && strcmp(a->keys[i], "category") != 0 &&
			   strcmp(a->keys[i], "limit") != 0 && strcmp(a->keys[i], "y") != 0) {
			return false;
		}
	}
	ra->from = arg_get(a, "from");
	ra->to = arg_get(a, "to");
	ra->category = arg_get(a, "category");
	if (s != NULL && (!kc_parse_i64(s, &ra->store_id) || ra->store_id <= 0))
		return false;
	if (l != NULL && (!kc_parse_i64(l, &ra->limit) || ra->limit <= 0 || ra->limit > 100000))
		return false;
	return true;
}

/* Write t to out as --format says (table: how a table is drawn); false on a write error. */
static bool table_write(FILE *out, const Kassa__V1__ReportTable *t, OfficeTableFn table)
{
	CsvWriter w;
	json_t *o;
	char *s;
	bool ok;

	switch (office_out.format) {
	case OFFICE_FMT_CSV:
		return csv_begin(&w, out, office_out.bom) && csv_write_table(&w, t);
	case OFFICE_FMT_JSON:
		o = report_table_json(t);
		s = json_dumps(o, JSON_COMPACT);
		ok = s != NULL && fprintf(out, "%s\n", s) >= 0;
		free(s);
		json_decref(o);
		return ok;
	default:
		return table(out, t);
	}
}

/* Print that path could not be written (errno); returns the exit code. */
static int write_failed(const char *cmd, const char *path)
{
	char msg[512];

	snprintf(msg, sizeof(msg), _("could not write %s: %s"), path, strerror(errno));
	kcj_emit(kcj_fail(cmd, "FAILED_PRECONDITION", "WRITE_FAILED", msg));
	return OFFICE_EXIT_FAILED;
}

int office_write_table(const char *cmd, const Kassa__V1__ReportTable *t, OfficeTableFn table)
{
	FILE *out = stdout;
	const char *path = office_out.output ? office_out.output : "stdout";

	if (office_out.output != NULL && (out = fopen(office_out.output, "w")) == NULL)
		return write_failed(cmd, path);
	errno = EIO;
	if (!table_write(out, t, table) || fflush(out) != 0) {
		int e = errno;

		if (out != stdout)
			fclose(out);
		errno = e;
		return write_failed(cmd, path);
	}
	if (out != stdout && fclose(out) != 0)
		return write_failed(cmd, path);
	return OFFICE_EXIT_OK;
}

/* The table to stdout or --output, then the charts (y: their value column, or NULL). */
static int report_output(const char *cmd, const Kassa__V1__ReportTable *t, const char *y)
{
	int code = office_write_table(cmd, t, report_render_table);

	return code != OFFICE_EXIT_OK ? code : chart_outputs(cmd, t, y);
}

int cmd_report(KassaClient *kc, const Args *a)
{
	const char *cmd = "report";
	Kassa__V1__Response *resp = NULL;
	int code = OFFICE_EXIT_OK;
	ReportArgs ra;

	if (!report_args(a, &ra))
		return bad_usage(cmd, REPORT_USAGE);
	if (!office_result(kc, cmd,
			   kc_report_all(kc, ra.name, ra.from, ra.to, ra.store_id, ra.category,
					 (uint32_t)ra.limit, &resp),
			   &resp, KASSA__V1__RESPONSE__BODY_REPORT_TABLE, &code))
		return code;
	code = report_output(cmd, resp->report_table, arg_get(a, "y"));
	kc_response_free(resp);
	return code;
}

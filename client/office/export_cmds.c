/* SPDX-License-Identifier: Apache-2.0 */
/*
 * export_cmds.c: kassa-office's exports (office.h: cmd_export_*):
 *
 *   kassa-office [--format csv|json] [--bom] [--output FILE] ... export members
 *       [FILTER WORDS | segment=NAME [version=N]] [limit=ROWS_PER_PAGE]
 *   kassa-office [...] export sales|lines [from=YYYY-MM-DD] [to=YYYY-MM-DD]
 *       [store=ID] [limit=ROWS_PER_PAGE]
 *
 * (the options may come before or after the command words, as for every
 * command).
 *
 * The filter words of members are member find's (office_filter_arg(),
 * member_cmds.c): phone= card= name= tag= tier= class= birthday_month=
 * store= visit_from= visit_to= spend_min= spend_max= consent=yes|no.
 *
 * It asks for the export page by page (ExportPage, kc_exports.h) and
 * writes each page before asking for the next, keeping nothing per row,
 * so memory stays flat however many rows: CSV (the default; csv.h: RFC
 * 4180, the formula guard, --bom) with a header of the column keys, or
 * JSON lines (--format json: one object per row, values typed by the
 * column's kind: numbers as JSON integers, text as strings, an empty cell
 * null). The data goes to stdout or --output FILE; stderr gets one JSON
 * line, the summary {"ok":true,"cmd":"export sales","export_id":N,
 * "rows":N,...} or the failure.
 *
 * With --output FILE the rows are written to FILE.partial and renamed to
 * FILE only once the last page is written and the file closed: a FILE
 * that exists is complete. A failure midway (the connection, a refusal, a
 * full disk) says so on stderr (exit 1 or 3) and leaves FILE.partial with
 * the pages written so far, and FILE as it was; on stdout what was written
 * stays written. An --output that is not a regular file (/dev/null, a
 * FIFO) is written straight, never renamed onto.
 */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "kc_json.h"
#include "office.h"

#define EXPORT_PATH_MAX 4096
#define EXPORT_USAGE_MEMBERS \
	"export members [phone=P] [card=C] [name=PREFIX] [tag=T] [tier=T] [class=C]\n" \
	"  [birthday_month=M] [store=ID] [visit_from=D] [visit_to=D]\n" \
	"  [spend_min=AMOUNT] [spend_max=AMOUNT] [consent=yes|no] | segment=NAME [version=N]\n" \
	"  [limit=N]"
#define EXPORT_USAGE_SALES "export sales|lines [from=YYYY-MM-DD] [to=YYYY-MM-DD] [store=ID] [limit=N]"

/* Where the rows go, and how. */
typedef struct ExportOut {
	FILE *f;			/* owned unless stdout */
	char partial[EXPORT_PATH_MAX];	/* FILE.partial, "" on stdout */
	bool json;			/* JSON lines instead of CSV */
	CsvWriter csv;
	int64_t rows;			/* rows written */
} ExportOut;

/* One JSON line on stderr (the data may be on stdout). */
static void export_emit(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL) {
		fprintf(stderr, "%s\n", s);
		free(s);
	}
	json_decref(o);
}

/* ---- the arguments ---- */

static bool positive_u32(const char *s, uint32_t max, uint32_t *out)
{
	int64_t v;

	if (s == NULL)
		return true;
	if (!kc_parse_i64(s, &v) || v <= 0 || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* sales/lines: from=, to=, store=, limit= into p. */
static bool range_word(Kassa__V1__ExportPage *p, const char *key, char *v)
{
	int64_t n;

	if (strcmp(key, "from") == 0)
		p->from = v;
	else if (strcmp(key, "to") == 0)
		p->to = v;
	else if (strcmp(key, "store") == 0) {
		if (!kc_parse_i64(v, &n) || n <= 0)
			return false;
		p->store_id = n;
	} else {
		return false;
	}
	return true;
}

/*
 * The page's request from the arguments; false on a usage error (*why: a
 * translated reason for a bad filter word, else NULL: the usage text).
 */
static bool export_args(const char *kind, const Args *a, Kassa__V1__ExportPage *p,
			Kassa__V1__MemberFilter *f, const char **why)
{
	bool members = strcmp(kind, "members") == 0, any_filter = false;

	*why = NULL;

	p->kind = (char *)kind;
	for (int i = 0; i < a->n; i++) {
		const char *k = a->keys[i];
		char *v = a->vals[i];

		if (v == NULL)
			return false;
		if (strcmp(k, "limit") == 0) {
			if (!positive_u32(v, 5000, &p->limit))
				return false;
		} else if (members && strcmp(k, "segment") == 0) {
			p->segment = v;
		} else if (members && strcmp(k, "version") == 0) {
			if (!positive_u32(v, INT32_MAX, &p->segment_version))
				return false;
		} else if (members) {
			/* member find's filter words (member_cmds.c) */
			if (office_filter_arg(f, k, v, why) != OFFICE_FILTER_SET)
				return false;
			any_filter = true;
		} else if (!range_word(p, k, v)) {
			return false;
		}
	}
	if (members && p->segment[0] == '\0' && p->segment_version != 0)
		return false;	/* version= belongs to segment= */
	if (members && p->segment[0] != '\0' && any_filter)
		return false;	/* a segment or a filter, not both */
	if (members)
		p->filter = f;
	return true;
}

/* ---- the output ---- */

static bool out_open(ExportOut *o)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->json = office_out.format == OFFICE_FMT_JSON;
	if (office_out.output == NULL) {
		o->f = stdout;
	} else if (stat(office_out.output, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe (/dev/null, a FIFO): written straight, never renamed onto */
		o->f = fopen(office_out.output, "w");
		if (o->f == NULL)
			return false;
	} else {
		if ((size_t)snprintf(o->partial, sizeof(o->partial), "%s.partial",
				     office_out.output) >= sizeof(o->partial)) {
			errno = ENAMETOOLONG;
			return false;
		}
		o->f = fopen(o->partial, "w");
		if (o->f == NULL)
			return false;
	}
	if (o->json)
		return true;
	return csv_begin(&o->csv, o->f, office_out.bom);
}

/*
 * Close the output. With ok (every page written), FILE.partial becomes
 * FILE; false when that fails (errno). Without ok, FILE.partial stays.
 */
static bool out_close(ExportOut *o, bool ok)
{
	bool closed;

	if (o->f == stdout)
		return fflush(stdout) == 0 && ok;
	closed = fclose(o->f) == 0;
	o->f = NULL;
	if (o->partial[0] == '\0')
		return ok && closed;	/* written straight (not a regular file) */
	return ok && closed && rename(o->partial, office_out.output) == 0;
}

/* One row as a JSON object, each value typed by its column's kind. */
static bool out_json_row(ExportOut *o, Kassa__V1__ReportColumn *const *cols, size_t nc,
			 const Kassa__V1__ReportRow *row)
{
	json_t *obj = json_object();
	char *s;
	int rc;

	for (size_t j = 0; j < nc && j < row->n_cells; j++) {
		const char *cell = row->cells[j];
		int64_t v;
		json_t *val;

		if (cell[0] == '\0')
			val = json_null();
		else if (cols[j]->kind != KASSA__V1__COLUMN_KIND__COL_TEXT &&
			 cols[j]->kind != KASSA__V1__COLUMN_KIND__COL_DATE && kc_parse_i64(cell, &v))
			val = json_integer(v);
		else
			val = json_string(cell);
		json_object_set_new(obj, cols[j]->key, val);
	}
	s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (s == NULL)
		return false;
	rc = fprintf(o->f, "%s\n", s);
	free(s);
	return rc > 0;
}

/* One page's rows (and, on the first page, the CSV header). */
static bool out_page(ExportOut *o, const Kassa__V1__ExportChunk *ch, bool first)
{
	if (!o->json && first && !csv_write_header(&o->csv, ch->columns, ch->n_columns))
		return false;
	for (size_t i = 0; i < ch->n_rows; i++) {
		if (o->json ? !out_json_row(o, ch->columns, ch->n_columns, ch->rows[i])
			    : !csv_write_row(&o->csv, ch->columns, ch->n_columns, ch->rows[i]))
			return false;
		o->rows++;
	}
	return !ferror(o->f);
}

/* ---- the command ---- */

/* The page's answer, or false (the failure is on stderr and *code set). */
static bool page_result(KassaClient *kc, const char *cmd, KcResult r,
			Kassa__V1__Response *resp, int *code)
{
	if (r != KC_OK) {
		export_emit(kcj_fail_io(cmd, r, kc_last_error(kc)));
		*code = r == KC_ERR_ARG ? OFFICE_EXIT_FAILED : OFFICE_EXIT_CONN;
		return false;
	}
	if (kc_status(resp) != KASSA__V1__STATUS_CODE__OK) {
		export_emit(kcj_fail_resp(cmd, resp));
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	if (resp->body_case != KASSA__V1__RESPONSE__BODY_EXPORT_CHUNK) {
		export_emit(kcj_fail(cmd, "INTERNAL", "UNEXPECTED_RESPONSE",
				     _("the server answered with another message")));
		*code = OFFICE_EXIT_FAILED;
		return false;
	}
	return true;
}

/* Ask for every page, writing each; true when the last has been written. */
static bool export_pages(KassaClient *kc, const char *cmd, Kassa__V1__ExportPage *p,
			 ExportOut *o, char *key, int *code)
{
	char *after = NULL;
	bool done = false;

	for (bool first = true; !done; first = false) {
		Kassa__V1__Response *resp = NULL;
		KcResult r = kc_export_page(kc, p, key, &resp);
		const Kassa__V1__ExportChunk *ch;

		if (!page_result(kc, cmd, r, resp, code)) {
			kc_response_free(resp);
			break;
		}
		ch = resp->export_chunk;
		p->export_id = ch->export_id;
		if (!out_page(o, ch, first)) {
			export_emit(kcj_fail(cmd, "UNAVAILABLE", "WRITE_FAILED", strerror(errno)));
			*code = OFFICE_EXIT_FAILED;
			kc_response_free(resp);
			break;
		}
		done = ch->next[0] == '\0';
		free(after);
		after = done ? NULL : xstrdup(ch->next);
		p->after = after ? after : (char *)"";
		kc_response_free(resp);
	}
	free(after);
	p->after = (char *)"";
	return done;
}

static int cmd_export(KassaClient *kc, const char *kind, const Args *a)
{
	char cmd[32], key[KC_KEY_LEN];
	const char *why;
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	ExportOut o;
	int code = OFFICE_EXIT_OK;
	bool ok;
	json_t *sum;

	snprintf(cmd, sizeof(cmd), "export %s", kind);
	if (!export_args(kind, a, &p, &f, &why))
		return bad_usage(cmd, why != NULL ? why
				      : strcmp(kind, "members") == 0 ? EXPORT_USAGE_MEMBERS
								     : EXPORT_USAGE_SALES);
	if (office_out.format == OFFICE_FMT_TABLE || office_out.svg || office_out.html)
		return bad_usage(cmd, _("an export is written as csv or json (--format), "
					"to stdout or --output FILE"));
	/* one key for the first page, kept for its retries */
	kc_new_key(key);
	if (!out_open(&o)) {
		export_emit(kcj_fail(cmd, "INVALID_ARGUMENT", "OUTPUT_FAILED", strerror(errno)));
		return OFFICE_EXIT_FAILED;
	}
	ok = export_pages(kc, cmd, &p, &o, key, &code);
	if (!ok) {
		/* the failure is on stderr already: say where the part written is */
		(void)out_close(&o, false);
		if (o.partial[0] != '\0')
			fprintf(stderr, "kassa-office: %s: %s (%lld)\n",
				_("the export is incomplete; the rows written so far are in"),
				o.partial, (long long)o.rows);
		return code == OFFICE_EXIT_OK ? OFFICE_EXIT_FAILED : code;
	}
	if (!out_close(&o, true)) {
		/* the last bytes could not be written (a full disk at fclose) */
		export_emit(kcj_fail(cmd, "UNAVAILABLE", "WRITE_FAILED", strerror(errno)));
		if (o.partial[0] != '\0')
			fprintf(stderr, "kassa-office: %s: %s\n",
				_("the export is incomplete; the rows written so far are in"),
				o.partial);
		return OFFICE_EXIT_FAILED;
	}
	sum = ok_keyed(cmd, key);
	json_object_set_new(sum, "export_id", json_integer(p.export_id));
	json_object_set_new(sum, "rows", json_integer(o.rows));
	json_object_set_new(sum, "format", json_string(o.json ? "json" : "csv"));
	if (office_out.output != NULL)
		json_object_set_new(sum, "output", json_string(office_out.output));
	export_emit(sum);
	return OFFICE_EXIT_OK;
}

int cmd_export_members(KassaClient *kc, const Args *a)
{
	return cmd_export(kc, "members", a);
}

int cmd_export_sales(KassaClient *kc, const Args *a)
{
	return cmd_export(kc, "sales", a);
}

int cmd_export_lines(KassaClient *kc, const Args *a)
{
	return cmd_export(kc, "lines", a);
}

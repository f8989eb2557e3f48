/* SPDX-License-Identifier: Apache-2.0 */
/*
 * template.c: MessageTemplatePut and MessageTemplateList, the message
 * templates per name and language that the outbox's messages are rendered
 * from (the birthday greeting, a campaign's message). Every Put stores a
 * new version; a message is queued with the newest one
 * (kassa_outbox_message(), migrations/functions/messages.sql) and rendered
 * at delivery (common/template_render.h).
 *
 * kassad checks a Put here: the name ([a-z0-9_-]{1,64}), the language
 * (zh_CN or en), the subject (at most TEMPLATE_SUBJECT_MAX characters) and
 * the body (1 to TEMPLATE_BODY_MAX characters), both UTF-8 without control
 * characters but line breaks and tabs; and it renders subject and body
 * once with a sample value for every placeholder a message can fill
 * (template_known[]), so that a template naming an unknown placeholder or
 * with a brace that opens or closes nothing is refused now, naming the
 * fault (INVALID_ARGUMENT BAD_TEMPLATE), rather than failing at every
 * delivery. One prepared call of kassa_template_put() then claims the
 * idempotency key, numbers the version and writes the audit row.
 *
 * MessageTemplateList answers a ReportTable "message_templates": the
 * newest version of every name and language, with a preview of the body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "complaint_state.h"
#include "crm.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"
#include "template_render.h"

#define TEMPLATE_NAME_MAX 64		/* bytes: [a-z0-9_-] */
#define TEMPLATE_SUBJECT_MAX 200	/* characters (code points) */
#define TEMPLATE_BODY_MAX 2000
#define TEMPLATE_RENDER_MAX 65536	/* bytes of a test rendering: the sample values are short */
#define TEMPLATE_LIST_COLS 6

/* Every placeholder a message can fill (the sender's, from the member row and vars). */
static const TemplateVar template_known[] = {
	{ "name", "张三" }, { "coupon", "B0123456789ABCDE" }, { "coupon_value", "\u00a520.00" },
	{ "points", "1200" }, { "tier", "Gold" }, { "store", "S001" },
	{ "campaign", "spring" }, { "valid_to", "2026-12-31" },
};

static int st_put, st_list;

void template_setup(void)
{
	/* $1 till, $2 key, $3 the request's hash, $4 staff, $5 name, $6 language, $7 subject, $8 body */
	st_put = db_stmt_add("template_put",
		"SELECT * FROM kassa_template_put($1, $2, $3::bytea, $4, $5, $6, $7, $8)",
		DB_LANE_WORK);
	st_list = db_stmt_add("template_list", "SELECT * FROM kassa_template_list()",
			      DB_LANE_WORK);
}

/* ---- checks ---- */

static bool name_is_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= TEMPLATE_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/*
 * Render text (the subject or the body, which `what` names) with the
 * sample values; on a fault answer c INVALID_ARGUMENT BAD_TEMPLATE naming
 * it and return false.
 */
static bool template_renders(Call *c, const char *what, const char *text)
{
	const char *err = NULL;
	size_t at = 0, n = 0;
	char *out = template_render_at(text, template_known, ARRAY_SIZE(template_known),
				       TEMPLATE_RENDER_MAX, &err, &at);

	free(out);
	if (out != NULL)
		return true;
	if (strcmp(err, "UNKNOWN_PLACEHOLDER") == 0) {
		while (text[at + 1 + n] != '}')
			n++;
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TEMPLATE",
			  "%s: unknown placeholder {%.*s}; known: {name} {coupon} {coupon_value}"
			  " {points} {tier} {store} {campaign} {valid_to}", what, (int)n,
			  text + at + 1);
	} else if (strcmp(err, "BAD_BRACE") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TEMPLATE",
			  "%s: the brace at byte %zu opens or closes no placeholder"
			  " (write {{ or }} for a brace)", what, at);
	} else {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TEMPLATE",
			  "%s: the text cannot be rendered (%s)", what, err);
	}
	return false;
}

/* ---- put ---- */

static void template_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MessageTemplate t = KASSA__V1__MESSAGE_TEMPLATE__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		/* a replay whose version is gone: templates are never deleted */
		log_call(c, LOG_LVL_ERROR, "template put: no row for a replayed key");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	t.name = PQgetvalue(res, 0, 1);
	t.language = PQgetvalue(res, 0, 2);
	t.version = (uint32_t)strtoul(PQgetvalue(res, 0, 3), NULL, 10);
	t.subject = PQgetvalue(res, 0, 4);
	t.body = PQgetvalue(res, 0, 5);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MESSAGE_TEMPLATE;
	resp.message_template = &t;
	call_reply(c, &resp);
}

void handle_message_template_put(Call *c)
{
	const Kassa__V1__MessageTemplatePut *p = c->req->message_template_put;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24];

	if (!name_is_valid(p->name)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  "a template name is 1-64 lower-case letters, digits, '_' or '-'");
		return;
	}
	if (strcmp(p->language, "zh_CN") != 0 && strcmp(p->language, "en") != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LANGUAGE",
			  "language must be zh_CN or en");
		return;
	}
	/* the rule of a complaint's text: UTF-8, no control characters but line breaks and tabs */
	if (!complaint_text_is_valid(p->subject, TEMPLATE_SUBJECT_MAX, true)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUBJECT",
			  "a subject is at most %d characters of text on one line",
			  TEMPLATE_SUBJECT_MAX);
		return;
	}
	if (!complaint_text_is_valid(p->body, TEMPLATE_BODY_MAX, false)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_BODY",
			  "a body is 1-%d characters of text", TEMPLATE_BODY_MAX);
		return;
	}
	if (strpbrk(p->subject, "\n\t") != NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SUBJECT",
			  "a subject is at most %d characters of text on one line",
			  TEMPLATE_SUBJECT_MAX);
		return;
	}
	if (!template_renders(c, "subject", p->subject) || !template_renders(c, "body", p->body))
		return;
	sqltext_hash(&hash, &p->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[8] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, p->name, p->language,
		p->subject, p->body,
	};
	db_query(st_put, 8, params, template_put_cb, c);
	sqltext_free(&hash);
}

/* ---- list ---- */

static void template_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const struct {
		const char *key;
		Kassa__V1__ColumnKind kind;
	} cols[TEMPLATE_LIST_COLS] = {
		{ "template", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "language", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "version", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "subject", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "body_preview", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "created_at", KASSA__V1__COLUMN_KIND__COL_TEXT },
	};
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	Kassa__V1__ReportColumn col[TEMPLATE_LIST_COLS], *colp[TEMPLATE_LIST_COLS];
	Kassa__V1__ReportRow *rows, **rowp;
	char **cells;
	size_t n;

	if (!call_db_ok(c, st, res))
		return;
	if (PQnfields(res) != TEMPLATE_LIST_COLS) {
		log_call(c, LOG_LVL_ERROR, "template list: %d columns", PQnfields(res));
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return;
	}
	for (int i = 0; i < TEMPLATE_LIST_COLS; i++) {
		kassa__v1__report_column__init(&col[i]);
		col[i].key = (char *)cols[i].key;
		col[i].kind = cols[i].kind;
		colp[i] = &col[i];
	}
	n = (size_t)PQntuples(res);
	rows = xcalloc(n + 1, sizeof(*rows));
	rowp = xcalloc(n + 1, sizeof(*rowp));
	cells = xcalloc((n + 1) * TEMPLATE_LIST_COLS, sizeof(*cells));
	for (size_t r = 0; r < n; r++) {
		kassa__v1__report_row__init(&rows[r]);
		for (int i = 0; i < TEMPLATE_LIST_COLS; i++)
			cells[r * TEMPLATE_LIST_COLS + (size_t)i] = PQgetvalue(res, (int)r, i);
		rows[r].cells = &cells[r * TEMPLATE_LIST_COLS];
		rows[r].n_cells = TEMPLATE_LIST_COLS;
		rowp[r] = &rows[r];
	}
	t.report = (char *)"message_templates";
	t.columns = colp;
	t.n_columns = TEMPLATE_LIST_COLS;
	t.rows = rowp;
	t.n_rows = n;
	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &t;
	call_reply(c, &resp);
	free(cells);
	free(rowp);
	free(rows);
}

void handle_message_template_list(Call *c)
{
	db_query(st_list, 0, NULL, template_list_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * export.c: ExportPage, head office's streamed and audited exports of the
 * member base ("members": a MemberFilter or a saved segment) and of the
 * sales ("sales": one row per sale; "lines": one row per sale line) over a
 * range of business days and optionally one store. An export is read one
 * keyset page at a time (members by member_id, sales by txn_id, lines by
 * (txn_id, line_no)); the client writes each page before asking for the
 * next, so neither side keeps more than a page. The SQL is
 * migrations/functions/exports.sql (members: member_find.sql).
 *
 * The walk of one request (ExportState.first says which):
 *
 *   first page (export_id 0, idempotency key required by the route):
 *     1 check the request        3 horizon (REPORT lane): the range's first
 *     2 resolve the segment        and last key now (the last is upto)
 *       (members by segment)     4 start (WORK): exports + audit_log rows,
 *                                  exactly once per key
 *   later page (export_id N):
 *     1 check the request        2 check (WORK): the export is this staff
 *                                  member's, with the same parameters
 *                                3 resolve the segment at the version the
 *                                  export started with
 *   then, for both:
 *     5 rows (REPORT lane): limit + 1 rows after the cursor, key <= upto
 *     6 progress (WORK): the page counted once; the last sets finished_at
 *     7 reply ExportChunk
 *
 * The parameters as asked are one JSON object (params_json()), stored in
 * exports.params and compared by every later page, so the audit row says
 * exactly what was exported. A page is cut short (next set) before it
 * could outgrow the client's frame. Cursors ("next") are opaque to
 * clients: "MEMBER_ID", "TXN_ID" or "TXN_ID:LINE_NO".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "members.h"
#include "office.h"
#include "sqltext.h"

#define EXPORT_LIMIT_DEFAULT 1000
#define EXPORT_LIMIT_MAX 5000
#define EXPORT_MAX_COLS 12
#define EXPORT_KEY_DIGITS 18		/* digits of a member_id, txn_id */
#define EXPORT_NUM_LEN 24		/* a decimal int64 with the NUL */
#define EXPORT_CURSOR_LEN 48
#define EXPORT_DAY_LEN 11		/* "YYYY-MM-DD" with the NUL */
/*
 * A page's cells take at most three quarters of a frame (the rest is the
 * protobuf framing), the frame being kassad's max_frame but at most 1 MiB:
 * well inside a client's KC_MAX_RESPONSE and the session's output buffer.
 */
#define EXPORT_PAGE_FRAME_MAX ((size_t)1 << 20)
#define EXPORT_PAGE_BYTES(max) \
	(((size_t)(max) < EXPORT_PAGE_FRAME_MAX ? (size_t)(max) : EXPORT_PAGE_FRAME_MAX) / 4 * 3)

typedef enum ExportKind {
	EXP_MEMBERS = 0,	/* kassa_member_export_rows() */
	EXP_SALES = 1,		/* kassa_export_sales() */
	EXP_LINES = 2,		/* kassa_export_lines() */
} ExportKind;

typedef struct ExportColumn {
	const char *key;		/* ReportColumn.key */
	Kassa__V1__ColumnKind kind;	/* ReportColumn.kind */
	bool boolean;			/* PostgreSQL's t/f, sent as true/false */
} ExportColumn;

#define K(x) KASSA__V1__COLUMN_KIND__COL_##x
static const ExportColumn cols_members[] = {
	{ "member_id", K(INT), false }, { "card_no", K(TEXT), false },
	{ "name", K(TEXT), false }, { "phone", K(TEXT), false }, { "tier", K(TEXT), false },
	{ "class", K(TEXT), false }, { "points_balance", K(POINTS), false },
	{ "cumulative_spend_minor", K(MONEY), false }, { "last_visit", K(TEXT), false },
	{ "marketing_consent", K(TEXT), true }, { "tags", K(TEXT), false },
	{ "created_at", K(TEXT), false },
};
static const ExportColumn cols_sales[] = {
	{ "txn_id", K(INT), false }, { "receipt_no", K(TEXT), false },
	{ "store", K(TEXT), false }, { "till", K(TEXT), false }, { "staff_id", K(INT), false },
	{ "member_id", K(INT), false }, { "created_at", K(TEXT), false },
	{ "currency", K(TEXT), false }, { "total_minor", K(MONEY), false },
	{ "items", K(INT), false }, { "tenders", K(TEXT), false },
};
static const ExportColumn cols_lines[] = {
	{ "txn_id", K(INT), false }, { "line_no", K(INT), false }, { "sku", K(TEXT), false },
	{ "name", K(TEXT), false }, { "category", K(TEXT), false },
	{ "quantity", K(INT), false }, { "unit_price_minor", K(MONEY), false },
	{ "net_minor", K(MONEY), false },
};
#undef K

static const struct {
	const char *name;
	const ExportColumn *cols;
	size_t n_cols;
} export_kinds[] = {
	[EXP_MEMBERS] = { "members", cols_members, ARRAY_SIZE(cols_members) },
	[EXP_SALES] = { "sales", cols_sales, ARRAY_SIZE(cols_sales) },
	[EXP_LINES] = { "lines", cols_lines, ARRAY_SIZE(cols_lines) },
};

/* One page's rows, copied out of the result (which dies with its callback). */
typedef struct ExportRows {
	char *blob;			/* owned: every cell, NUL-terminated, one after another */
	char **cells;			/* owned: n_rows * n_cols pointers into blob */
	Kassa__V1__ReportRow *rows;	/* owned: n_rows, cells borrowed from cells */
	Kassa__V1__ReportRow **rowp;	/* owned: n_rows pointers to rows */
	size_t n_rows;
} ExportRows;

typedef struct ExportState {
	ExportKind kind;
	bool first;				/* export_id 0: start it */
	char *params;				/* owned: the parameters as JSON text */
	char from[EXPORT_DAY_LEN], to[EXPORT_DAY_LEN];	/* "" = open */
	char store[EXPORT_NUM_LEN];		/* "0" = every store */
	char after_a[EXPORT_NUM_LEN];		/* the cursor's key ("0" = the start) */
	char after_b[EXPORT_NUM_LEN];		/* lines: its line_no */
	char limit1[EXPORT_NUM_LEN];		/* limit + 1, for the statement */
	uint32_t limit;				/* rows per page */
	int64_t export_id;			/* 0 until started */
	int64_t upto;				/* the export's horizon */
	uint32_t seg_version;			/* members by segment: the version read */
	Kassa__V1__MemberFilter *seg_filter;	/* owned: the segment's filter (a copy) */
	MemberFilterParams mp;			/* members: borrows from the filter */
	ExportRows page;			/* the page read (step 5) */
	char next[EXPORT_CURSOR_LEN];		/* the page's next ("" = the last) */
} ExportState;

static int st_horizon, st_start, st_check, st_progress;
static int st_rows[3];

void export_setup(void)
{
	/* $1 kind, $2 from, $3 to, $4 store */
	st_horizon = db_stmt_add("export_horizon",
		"SELECT * FROM kassa_export_horizon($1, $2::date, $3::date, $4)", DB_LANE_REPORT);
	/* $1 till, $2 key, $3 hash, $4 staff, $5 kind, $6 params, $7 upto */
	st_start = db_stmt_add("export_start",
		"SELECT * FROM kassa_export_start($1, $2, $3::bytea, $4, $5, $6::jsonb, $7)",
		DB_LANE_WORK);
	/* $1 export_id, $2 staff, $3 kind, $4 params */
	st_check = db_stmt_add("export_check",
		"SELECT * FROM kassa_export_check($1, $2, $3, $4::jsonb)", DB_LANE_WORK);
	/* $1 export_id, $2 after, $3 next, $4 rows */
	st_progress = db_stmt_add("export_progress",
		"SELECT kassa_export_progress($1, $2, $3, $4)", DB_LANE_WORK);
	/* the 14 filter parameters, $15 after, $16 limit, $17 upto */
	st_rows[EXP_MEMBERS] = db_stmt_add("export_members",
		"SELECT * FROM kassa_member_export_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
		"$11, $12, $13, $14, $15::bigint, $16::integer) WHERE member_id <= $17::bigint",
		DB_LANE_REPORT);
	/* $1 from, $2 to, $3 store, $4 after, $5 upto, $6 limit */
	st_rows[EXP_SALES] = db_stmt_add("export_sales",
		"SELECT * FROM kassa_export_sales($1::date, $2::date, $3, $4, $5, $6)",
		DB_LANE_REPORT);
	/* $1 from, $2 to, $3 store, $4 after txn, $5 after line, $6 upto, $7 limit */
	st_rows[EXP_LINES] = db_stmt_add("export_lines",
		"SELECT * FROM kassa_export_lines($1::date, $2::date, $3, $4, $5, $6, $7)",
		DB_LANE_REPORT);
}

bool export_is_start(const Kassa__V1__Request *req)
{
	return req->export_page != NULL && req->export_page->export_id == 0;
}

static void export_rows_free(ExportRows *r)
{
	free(r->blob);
	free(r->cells);
	free(r->rows);
	free(r->rowp);
	memset(r, 0, sizeof(*r));
}

static void export_state_free(void *p)
{
	ExportState *s = p;

	if (s == NULL)
		return;
	free(s->params);
	if (s->seg_filter != NULL)
		kassa__v1__member_filter__free_unpacked(s->seg_filter, NULL);
	export_rows_free(&s->page);
	free(s);
}

static void i64_text(char out[EXPORT_NUM_LEN], int64_t v)
{
	snprintf(out, EXPORT_NUM_LEN, "%lld", (long long)v);
}

static void step_horizon(Call *c);
static void step_check(Call *c);
static void step_resolve(Call *c);
static void step_rows(Call *c);

/* ---- 1. the request ---- */

/* 1..EXPORT_KEY_DIGITS digits at s, up to end (or the NUL): into out. */
static bool cursor_part(const char *s, const char *end, char out[EXPORT_NUM_LEN])
{
	size_t n = end ? (size_t)(end - s) : strlen(s);

	if (n == 0 || n > EXPORT_KEY_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* The cursor after ("" = from the start) into the state's after_a/after_b. */
static bool cursor_parse(ExportState *s, const char *after)
{
	const char *colon = strchr(after, ':');

	strcpy(s->after_a, "0");
	strcpy(s->after_b, "0");
	if (after[0] == '\0')
		return true;
	if (s->kind != EXP_LINES)
		return colon == NULL && cursor_part(after, NULL, s->after_a);
	return colon != NULL && cursor_part(after, colon, s->after_a) &&
	       cursor_part(colon + 1, NULL, s->after_b) && strlen(colon + 1) <= 9;
}

static void json_set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_set_new(o, key, json_string(v));
}

static void json_set_int(json_t *o, const char *key, int64_t v)
{
	if (v != 0)
		json_object_set_new(o, key, json_integer(v));
}

/*
 * The parameters as asked, as one JSON object (the fields that narrow
 * only): members {"kind", "filter": {...}} or {"kind", "segment",
 * "segment_version"}; sales and lines {"kind", "from", "to", "store_id"}.
 */
static char *params_json(const Kassa__V1__ExportPage *p, ExportKind kind, uint32_t version)
{
	json_t *o = json_object(), *f;
	const Kassa__V1__MemberFilter *m = p->filter;
	char *text;

	json_object_set_new(o, "kind", json_string(export_kinds[kind].name));
	if (kind != EXP_MEMBERS) {
		json_set_str(o, "from", p->from);
		json_set_str(o, "to", p->to);
		json_set_int(o, "store_id", p->store_id);
	} else if (p->segment[0] != '\0') {
		json_set_str(o, "segment", p->segment);
		json_set_int(o, "segment_version", version);
	} else if (m != NULL) {
		f = json_object();
		json_set_str(f, "phone", m->phone);
		json_set_str(f, "card_no", m->card_no);
		json_set_str(f, "name_prefix", m->name_prefix);
		json_set_str(f, "tag", m->tag);
		json_set_str(f, "tier", m->tier);
		json_set_str(f, "class", m->class_);
		json_set_int(f, "birthday_month", m->birthday_month);
		json_set_int(f, "store_id", m->store_id);
		json_set_str(f, "last_visit_from", m->last_visit_from);
		json_set_str(f, "last_visit_to", m->last_visit_to);
		json_set_int(f, "spend_min_minor", m->spend_min_minor);
		json_set_int(f, "spend_max_minor", m->spend_max_minor);
		if (m->consent != KASSA__V1__CONSENT__CONSENT_ANY)
			json_set_str(f, "consent",
				     m->consent == KASSA__V1__CONSENT__CONSENT_YES ? "yes" : "no");
		json_object_set_new(o, "filter", f);
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		abort();	/* out of memory: as xmalloc does */
	return text;
}

/* A business day of the range ("" = open): into out. */
static bool range_day(const char *s, char out[EXPORT_DAY_LEN])
{
	if (s[0] != '\0' && !date_parse(s, NULL, NULL, NULL))
		return false;
	snprintf(out, EXPORT_DAY_LEN, "%s", s);
	return true;
}

/* Fill the state from the request; false when c has been answered. */
static bool export_request(Call *c, ExportState *s)
{
	const Kassa__V1__ExportPage *p = c->req->export_page;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(export_kinds); k++)
		if (strcmp(p->kind, export_kinds[k].name) == 0)
			break;
	if (k == ARRAY_SIZE(export_kinds)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_EXPORT_KIND",
			  "%s", _("an export is of members, sales or lines"));
		return false;
	}
	s->kind = (ExportKind)k;
	s->first = p->export_id == 0;
	s->export_id = p->export_id;
	if (p->export_id < 0 || !cursor_parse(s, p->after) || (s->first && p->after[0] != '\0')) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("this is not the next page of an export"));
		return false;
	}
	if (s->kind != EXP_MEMBERS &&
	    (!range_day(p->from, s->from) || !range_day(p->to, s->to) ||
	     (s->from[0] != '\0' && s->to[0] != '\0' && strcmp(s->from, s->to) > 0))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RANGE", "%s",
			  _("the range is from one day (YYYY-MM-DD) to a day not before it"));
		return false;
	}
	if (p->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("no such store"));
		return false;
	}
	i64_text(s->store, s->kind == EXP_MEMBERS ? 0 : p->store_id);
	s->limit = p->limit == 0 ? EXPORT_LIMIT_DEFAULT
				 : p->limit > EXPORT_LIMIT_MAX ? EXPORT_LIMIT_MAX : p->limit;
	i64_text(s->limit1, (int64_t)s->limit + 1);
	s->seg_version = p->segment_version;
	/* members by filter: its parameters now (a bad value is answered here) */
	if (s->kind == EXP_MEMBERS && p->segment[0] == '\0' &&
	    !member_filter_params(c, p->filter, &s->mp))
		return false;
	s->params = params_json(p, s->kind, s->seg_version);
	return true;
}

void handle_export_page(Call *c)
{
	ExportState *s = xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	c->state = s;
	c->state_free = export_state_free;
	if (!export_request(c, s))
		return;
	if (!s->first)
		step_check(c);
	else if (s->kind == EXP_MEMBERS && c->req->export_page->segment[0] != '\0')
		step_resolve(c);
	else
		step_horizon(c);
}

/* Our refusals from exports.sql, in the session's language; true if c was answered. */
static bool export_refused(Call *c, DbStatus st, const PGresult *res)
{
	const char *m;

	if (call_is_orphan(c) || st != DB_SQL_ERROR)
		return false;
	m = db_errmsg(res);
	if (strcmp(m, "EXPORT_NOT_FOUND") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, m, "%s", _("no such export"));
	else if (strcmp(m, "EXPORT_NOT_YOURS") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, m, "%s",
			  _("this export was started by another staff member"));
	else if (strcmp(m, "EXPORT_MISMATCH") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, m, "%s",
			  _("a later page must ask for what the export's first page asked"));
	else
		return false;
	return true;
}

/* ---- 2. the segment (members by segment) ---- */

static void resolved_cb(Call *c, const Kassa__V1__MemberFilter *f, uint32_t version, void *arg)
{
	ExportState *s = arg;
	size_t len = kassa__v1__member_filter__get_packed_size(f);
	uint8_t *buf = xmalloc(len ? len : 1);

	/* f dies with the callback: keep an unpacked copy for the statement's parameters */
	kassa__v1__member_filter__pack(f, buf);
	s->seg_filter = kassa__v1__member_filter__unpack(NULL, len, buf);
	free(buf);
	if (s->seg_filter == NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	s->seg_version = version;
	if (!member_filter_params(c, s->seg_filter, &s->mp))
		return;
	if (s->first) {
		/* the audit row names the version read, not "the latest" */
		free(s->params);
		s->params = params_json(c->req->export_page, s->kind, version);
		step_horizon(c);
	} else {
		step_rows(c);
	}
}

static void step_resolve(Call *c)
{
	ExportState *s = c->state;

	segment_resolve(c, c->req->export_page->segment, s->seg_version, resolved_cb, s);
}

/* ---- 2 (later pages). the export is this staff member's ---- */

static void check_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	ExportState *s;

	if (export_refused(c, st, res) || !call_db_ok(c, st, res))
		return;
	s = c->state;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	s->upto = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	s->seg_version = (uint32_t)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
	if (s->kind == EXP_MEMBERS && c->req->export_page->segment[0] != '\0')
		step_resolve(c);
	else
		step_rows(c);
}

static void step_check(Call *c)
{
	ExportState *s = c->state;
	char id[EXPORT_NUM_LEN], staff[EXPORT_NUM_LEN];
	const char *params[4] = { id, staff, export_kinds[s->kind].name, s->params };

	i64_text(id, s->export_id);
	i64_text(staff, c->staff_id);
	db_query(st_check, 4, params, check_cb, c);
}

/* ---- 3. the horizon and 4. the start (first page) ---- */

static void start_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	ExportState *s;

	if (export_refused(c, st, res) || !call_db_ok(c, st, res))
		return;
	s = c->state;
	if (PQntuples(res) != 1) {
		log_call(c, LOG_LVL_ERROR, "export: no exports row for a replayed key of till %lld",
			 (long long)(c->sess ? c->sess->till_id : 0));
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	s->export_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	/* a replay keeps the first start's horizon */
	s->upto = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	step_rows(c);
}

static void horizon_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	ExportState *s;
	SqlText hash = SQLTEXT_INIT;
	char till[EXPORT_NUM_LEN], staff[EXPORT_NUM_LEN], upto[EXPORT_NUM_LEN];

	if (!call_db_ok(c, st, res))
		return;
	s = c->state;
	if (PQntuples(res) == 1) {
		int64_t lo = strtoll(PQgetvalue(res, 0, 0), NULL, 10);

		/* the first page starts just before the range's first key */
		if (lo > 1)
			i64_text(s->after_a, lo - 1);
		s->upto = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	sqltext_hash(&hash, &c->req->export_page->base);
	i64_text(till, c->sess->till_id);
	i64_text(staff, c->staff_id);
	i64_text(upto, s->upto);

	const char *params[7] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff,
		export_kinds[s->kind].name, s->params, upto,
	};
	db_query(st_start, 7, params, start_cb, c);
	sqltext_free(&hash);
}

static void step_horizon(Call *c)
{
	ExportState *s = c->state;
	const char *params[4] = {
		export_kinds[s->kind].name, s->from[0] ? s->from : NULL, s->to[0] ? s->to : NULL,
		s->store,
	};

	db_query(st_horizon, 4, params, horizon_cb, c);
}

/* ---- 5. the rows ---- */

/*
 * Copy at most limit rows of res into s->page, fewer when the cells would
 * outgrow the client's frame; s->next gets the last copied row's key when
 * more rows follow. False when memory runs out.
 */
static bool page_copy(ExportState *s, const PGresult *res)
{
	const ExportColumn *cols = export_kinds[s->kind].cols;
	size_t nc = export_kinds[s->kind].n_cols, nr = (size_t)PQntuples(res), bytes = 0, n;
	size_t budget = EXPORT_PAGE_BYTES(cf_max_frame);
	ExportRows *p = &s->page;
	char *w;

	if ((size_t)PQnfields(res) < nc)
		return false;
	/* 1. how many rows: the limit, the frame */
	for (n = 0; n < nr && n < s->limit; n++) {
		size_t row = 4;

		for (size_t j = 0; j < nc; j++)
			row += (size_t)PQgetlength(res, (int)n, (int)j) + 8;
		if (n > 0 && bytes + row > budget)
			break;
		bytes += row;
	}
	/* 2. the copy */
	p->blob = malloc(bytes + 1);
	p->cells = calloc(n * nc + 1, sizeof(char *));
	p->rows = calloc(n + 1, sizeof(*p->rows));
	p->rowp = calloc(n + 1, sizeof(*p->rowp));
	if (p->blob == NULL || p->cells == NULL || p->rows == NULL || p->rowp == NULL)
		return false;
	w = p->blob;
	for (size_t i = 0; i < n; i++) {
		kassa__v1__report_row__init(&p->rows[i]);
		p->rows[i].n_cells = nc;
		p->rows[i].cells = &p->cells[i * nc];
		p->rowp[i] = &p->rows[i];
		for (size_t j = 0; j < nc; j++) {
			const char *v = PQgetvalue(res, (int)i, (int)j);

			if (cols[j].boolean)
				v = PQgetisnull(res, (int)i, (int)j) ? "" : v[0] == 't' ? "true" : "false";
			p->cells[i * nc + j] = w;
			w = stpcpy(w, v) + 1;
		}
	}
	p->n_rows = n;
	/* 3. the cursor of the next page: the last row's key */
	s->next[0] = '\0';
	if (n > 0 && n < nr) {
		if (s->kind == EXP_LINES)
			snprintf(s->next, sizeof(s->next), "%s:%s", p->cells[(n - 1) * nc],
				 p->cells[(n - 1) * nc + 1]);
		else
			snprintf(s->next, sizeof(s->next), "%s", p->cells[(n - 1) * nc]);
	}
	return true;
}

static void step_progress(Call *c);

static void rows_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (!page_copy(c->state, res)) {
		log_call(c, LOG_LVL_ERROR, "export: could not copy a page of %d rows",
			 PQntuples(res));
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "SERVER_BUSY", "%s",
			  _("too many requests waiting; retry shortly"));
		return;
	}
	step_progress(c);
}

static void step_rows(Call *c)
{
	ExportState *s = c->state;
	char upto[EXPORT_NUM_LEN];

	i64_text(upto, s->upto);
	if (s->kind == EXP_MEMBERS) {
		const char *params[MEMBER_FILTER_NPARAMS + 3];

		memcpy(params, s->mp.v, sizeof(s->mp.v));
		params[MEMBER_FILTER_NPARAMS] = s->after_a;
		params[MEMBER_FILTER_NPARAMS + 1] = s->limit1;
		params[MEMBER_FILTER_NPARAMS + 2] = upto;
		db_query(st_rows[EXP_MEMBERS], MEMBER_FILTER_NPARAMS + 3, params, rows_cb, c);
	} else if (s->kind == EXP_SALES) {
		const char *params[6] = {
			s->from[0] ? s->from : NULL, s->to[0] ? s->to : NULL, s->store,
			s->after_a, upto, s->limit1,
		};
		db_query(st_rows[EXP_SALES], 6, params, rows_cb, c);
	} else {
		const char *params[7] = {
			s->from[0] ? s->from : NULL, s->to[0] ? s->to : NULL, s->store,
			s->after_a, s->after_b, upto, s->limit1,
		};
		db_query(st_rows[EXP_LINES], 7, params, rows_cb, c);
	}
}

/* ---- 6. progress and 7. the reply ---- */

static void progress_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	ExportState *s;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ExportChunk chunk = KASSA__V1__EXPORT_CHUNK__INIT;
	Kassa__V1__ReportColumn cols[EXPORT_MAX_COLS], *colp[EXPORT_MAX_COLS];
	size_t nc;

	if (!call_db_ok(c, st, res))
		return;
	s = c->state;
	nc = export_kinds[s->kind].n_cols;
	for (size_t j = 0; j < nc; j++) {
		kassa__v1__report_column__init(&cols[j]);
		cols[j].key = (char *)export_kinds[s->kind].cols[j].key;
		cols[j].kind = export_kinds[s->kind].cols[j].kind;
		colp[j] = &cols[j];
	}
	chunk.export_id = s->export_id;
	chunk.n_columns = nc;
	chunk.columns = colp;
	chunk.n_rows = s->page.n_rows;
	chunk.rows = s->page.rowp;
	chunk.next = s->next;
	chunk.rows_so_far = PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	resp.body_case = KASSA__V1__RESPONSE__BODY_EXPORT_CHUNK;
	resp.export_chunk = &chunk;
	call_reply(c, &resp);
}

static void step_progress(Call *c)
{
	ExportState *s = c->state;
	char id[EXPORT_NUM_LEN], n[EXPORT_NUM_LEN];
	const char *params[4] = { id, c->req->export_page->after, s->next, n };

	i64_text(id, s->export_id);
	i64_text(n, (int64_t)s->page.n_rows);
	db_query(st_progress, 4, params, progress_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: ReportRun, the one dispatcher of head office's reports. It
 * owns the registry every report family adds its specs to (report.h:
 * report_register), the checks every report shares (the range, the role's
 * store filter, category and limit), running a report's one statement on
 * DB_LANE_REPORT, building the ReportTable from its rows (or the spec's
 * compute hook) and the table's freshness (db_report_freshness()). With
 * report = "" it lists the reports the caller may run, one row per name.
 * A table larger than a page is answered in pages: each runs the report
 * again and answers the rows from the cursor's offset on (after = "r1:N",
 * N rows already given) until the next row would outgrow a page's share of
 * the frame; next is the following page's cursor ("" = the last page).
 * The sales reports' specs are report_sales.c's; their SQL is
 * migrations/functions/reports.sql.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "office.h"
#include "report.h"

/* The rows a report may build in memory (three years of 200 stores' days fit). */
#define REPORT_MAX_ROWS 250000
/* A page's rows take at most three quarters of the frame (at most 1 MiB), as exports'. */
#define REPORT_PAGE_FRAME_MAX ((size_t)1 << 20)
#define REPORT_CURSOR_LEN 24
#define HEAD_OFFICE_ROLES (ROLE_MANAGER | ROLE_ANALYST | ROLE_ADMIN)

typedef struct Registered {
	const ReportSpec *spec;
	int stmt;
} Registered;

static Registered registry[REPORT_MAX_REPORTS];
static size_t n_registry;

struct ReportOut {
	size_t n_cols;
	Kassa__V1__ReportRow *rows;
	size_t n_rows, cap_rows;
	Kassa__V1__ReportNote *notes;
	size_t n_notes, cap_notes;
	bool too_many;
};

/* The per-call state: the query the hooks see. */
typedef struct RunState {
	ReportQuery q;
	size_t after;		/* the rows earlier pages gave */
} RunState;

void report_register(const ReportSpec *specs, size_t n)
{
	char name[96];

	for (size_t i = 0; i < n; i++) {
		const ReportSpec *s = &specs[i];

		if (n_registry >= REPORT_MAX_REPORTS || s->name == NULL || s->name[0] == '\0' ||
		    s->n_cols == 0 || s->n_cols > REPORT_MAX_COLS || s->n_extra < 0 ||
		    s->n_extra > REPORT_EXTRA_MAX || s->sql == NULL) {
			log_error("report %s: bad spec or too many reports",
				  s->name ? s->name : "(null)");
			abort();
		}
		for (size_t j = 0; j < n_registry; j++)
			if (strcmp(registry[j].spec->name, s->name) == 0) {
				log_error("report %s registered twice", s->name);
				abort();
			}
		snprintf(name, sizeof(name), "report_%s", s->name);
		registry[n_registry].spec = s;
		/* db keeps the name's pointer: one allocation per report, for good */
		registry[n_registry].stmt = db_stmt_add(xstrdup(name), s->sql, DB_LANE_REPORT);
		n_registry++;
	}
}

void report_setup(void)
{
	report_register(report_sales_specs, report_sales_count);
}

/* ---- the table being built ---- */

void report_out_row(ReportOut *o, const char *const *cells)
{
	Kassa__V1__ReportRow *r;

	if (o->n_rows >= REPORT_MAX_ROWS) {
		o->too_many = true;
		return;
	}
	if (o->n_rows == o->cap_rows) {
		o->cap_rows = o->cap_rows ? o->cap_rows * 2 : 64;
		o->rows = xrealloc(o->rows, o->cap_rows * sizeof(*o->rows));
	}
	r = &o->rows[o->n_rows++];
	kassa__v1__report_row__init(r);
	r->n_cells = o->n_cols;
	r->cells = xcalloc(o->n_cols, sizeof(*r->cells));
	for (size_t i = 0; i < o->n_cols; i++)
		r->cells[i] = xstrdup(cells[i] ? cells[i] : "");
}

void report_out_note(ReportOut *o, const char *key, const char *value)
{
	Kassa__V1__ReportNote *n;

	if (o->n_notes == o->cap_notes) {
		o->cap_notes = o->cap_notes ? o->cap_notes * 2 : 8;
		o->notes = xrealloc(o->notes, o->cap_notes * sizeof(*o->notes));
	}
	n = &o->notes[o->n_notes++];
	kassa__v1__report_note__init(n);
	n->key = xstrdup(key ? key : "");
	n->value = xstrdup(value ? value : "");
}

static void out_free(ReportOut *o)
{
	for (size_t i = 0; i < o->n_rows; i++) {
		for (size_t j = 0; j < o->rows[i].n_cells; j++)
			free(o->rows[i].cells[j]);
		free(o->rows[i].cells);
	}
	free(o->rows);
	for (size_t i = 0; i < o->n_notes; i++) {
		free(o->notes[i].key);
		free(o->notes[i].value);
	}
	free(o->notes);
}

/* Every row of res, its columns in order, as the table's rows. */
static bool out_copy_rows(ReportOut *o, const PGresult *res)
{
	const char *cells[REPORT_MAX_COLS];
	int nt = PQntuples(res);

	if ((size_t)PQnfields(res) != o->n_cols)
		return false;
	for (int i = 0; i < nt; i++) {
		for (size_t j = 0; j < o->n_cols; j++)
			cells[j] = PQgetisnull(res, i, (int)j) ? "" : PQgetvalue(res, i, (int)j);
		report_out_row(o, cells);
		if (o->too_many)
			break;
	}
	return true;
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, char out[11])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 13u,
		 (unsigned)d % 32u);
}

/* Today, the business day in kassad's zone (TZ is [loyalty] timezone). */
static long today_days(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static bool date_days(const char *s, long *days)
{
	int y, m, d;

	if (!date_parse(s, &y, &m, &d))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/* ---- the request's checks ---- */

static const Registered *find_report(const char *name)
{
	for (size_t i = 0; i < n_registry; i++)
		if (strcmp(registry[i].spec->name, name) == 0)
			return &registry[i];
	return NULL;
}

static bool role_may(const ReportSpec *s, Role role)
{
	return (role & (s->roles ? s->roles : HEAD_OFFICE_ROLES)) != 0;
}

/* The range of q into rq (the spec's default for an empty end); false if answered. */
static bool check_range(Call *c, const ReportSpec *s, const Kassa__V1__ReportRun *q,
			ReportQuery *rq)
{
	long today = today_days(), from, to;

	if (s->no_range) {
		if (q->from[0] != '\0' || q->to[0] != '\0') {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
				  "RANGE_NOT_APPLICABLE",
				  "report %s is as of now: it takes no from or to", s->name);
			return false;
		}
		civil_from_days(today, rq->from);
		civil_from_days(today, rq->to);
		return true;
	}
	from = today + s->default_from;
	to = today + s->default_to;
	if ((q->from[0] != '\0' && !date_days(q->from, &from)) ||
	    (q->to[0] != '\0' && !date_days(q->to, &to))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATE",
			  "from and to are dates YYYY-MM-DD (got from \"%.16s\", to \"%.16s\")",
			  q->from, q->to);
		return false;
	}
	if (from > to) {
		civil_from_days(from, rq->from);
		civil_from_days(to, rq->to);
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RANGE",
			  "from %s is after to %s", rq->from, rq->to);
		return false;
	}
	if (to - from + 1 > REPORT_MAX_DAYS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "RANGE_TOO_LONG",
			  "the range has %ld days; a report covers at most %d (three years)",
			  to - from + 1, REPORT_MAX_DAYS);
		return false;
	}
	civil_from_days(from, rq->from);
	civil_from_days(to, rq->to);
	return true;
}

/* Store, category and limit of q into rq; false if answered. */
static bool check_filters(Call *c, const ReportSpec *s, const Kassa__V1__ReportRun *q,
			  ReportQuery *rq)
{
	bool head_office = (c->role & (ROLE_ANALYST | ROLE_ADMIN)) != 0;

	if (s->chain_wide && q->store_id != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "STORE_NOT_APPLICABLE",
			  "report %s is chain-wide: it takes no store", s->name);
		return false;
	}
	if (q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE",
			  "store_id must be a store's id, or 0 for every store");
		return false;
	}
	rq->store_id = q->store_id;
	if (!head_office && !s->chain_wide) {
		if (q->store_id != 0 && q->store_id != c->sess->store_id) {
			call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS",
				  "a manager sees only their own store's reports");
			return false;
		}
		rq->store_id = c->sess->store_id;
	}
	if (!s->takes_category && q->category[0] != '\0') {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "CATEGORY_NOT_APPLICABLE",
			  "report %s takes no category", s->name);
		return false;
	}
	if (s->default_limit == 0 && q->limit != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "LIMIT_NOT_APPLICABLE",
			  "report %s has no top-N: it takes no limit", s->name);
		return false;
	}
	rq->category = q->category;
	rq->limit = q->limit ? q->limit : s->default_limit;
	if (rq->limit > REPORT_MAX_LIMIT)
		rq->limit = REPORT_MAX_LIMIT;
	return true;
}

/* ---- the reply ---- */

/* The cursor after ("" = the first page, "r1:N") into *offset; false if malformed. */
static bool cursor_parse(const char *after, size_t *offset)
{
	unsigned long long n = 0;
	size_t i;

	*offset = 0;
	if (after[0] == '\0')
		return true;
	if (strncmp(after, "r1:", 3) != 0 || after[3] == '\0')
		return false;
	for (i = 3; after[i] != '\0'; i++) {
		if (after[i] < '0' || after[i] > '9' || i >= 12)
			return false;
		n = n * 10 + (unsigned long long)(after[i] - '0');
	}
	if (n > REPORT_MAX_ROWS)
		return false;
	*offset = (size_t)n;
	return true;
}

/* How many of o's rows from offset fit one page (resp: the answer without its rows). */
static size_t page_rows(const Kassa__V1__Response *resp, const ReportOut *o, size_t offset)
{
	size_t frame = (size_t)cf_max_frame, budget, n = 0;
	size_t bytes = kassa__v1__response__get_packed_size(resp) + 64;

	if (frame > REPORT_PAGE_FRAME_MAX)
		frame = REPORT_PAGE_FRAME_MAX;
	budget = frame / 4 * 3;

	for (size_t i = offset; i < o->n_rows; i++, n++) {
		/* the row, its tag and its length (at most 5 bytes each) */
		size_t row = kassa__v1__report_row__get_packed_size(&o->rows[i]) + 10;

		if (n > 0 && bytes + row > budget)
			break;
		bytes += row;
	}
	return n;
}

/* Answer c with the page from row offset on of s's table in o (from, to as given). */
static void reply_table(Call *c, const ReportSpec *s, ReportOut *o, const char *from,
			const char *to, size_t offset)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	Kassa__V1__ReportColumn cols[REPORT_MAX_COLS], *colp[REPORT_MAX_COLS];
	Kassa__V1__ReportRow **rowp = o->n_rows ? xcalloc(o->n_rows, sizeof(*rowp)) : NULL;
	Kassa__V1__ReportNote **notep;
	char as_of[DB_AS_OF_LEN], next[REPORT_CURSOR_LEN] = "";
	int64_t lag = 0;
	size_t n;

	for (size_t i = 0; i < s->n_notes; i++)
		report_out_note(o, s->notes[i].key, s->notes[i].value);
	notep = o->n_notes ? xcalloc(o->n_notes, sizeof(*notep)) : NULL;
	for (size_t i = 0; i < s->n_cols; i++) {
		kassa__v1__report_column__init(&cols[i]);
		cols[i].key = (char *)s->cols[i].key;
		cols[i].kind = s->cols[i].kind;
		colp[i] = &cols[i];
	}
	for (size_t i = 0; i < o->n_rows; i++)
		rowp[i] = &o->rows[i];
	for (size_t i = 0; i < o->n_notes; i++)
		notep[i] = &o->notes[i];
	db_report_freshness(as_of, &lag);
	t.report = (char *)s->name;
	t.n_columns = s->n_cols;
	t.columns = colp;
	t.n_notes = o->n_notes;
	t.notes = notep;
	t.currency = c->sess ? c->sess->currency : (char *)"";
	t.chart = (char *)(s->chart ? s->chart : "");
	t.data_as_of = as_of;
	t.lag_seconds = lag;
	t.from = (char *)from;
	t.to = (char *)to;
	t.next = next;
	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &t;
	t.n_rows = 0;
	if (offset > o->n_rows)
		offset = o->n_rows;	/* the table shrank since the cursor: the end */
	n = page_rows(&resp, o, offset);
	t.rows = rowp ? rowp + offset : NULL;
	t.n_rows = n;
	if (offset + n < o->n_rows)
		snprintf(next, sizeof(next), "r1:%zu", offset + n);
	if (kassa__v1__response__get_packed_size(&resp) + 64 > (size_t)cf_max_frame) {
		/* only a single row larger than a frame */
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "REPORT_TOO_LARGE",
			  "a row of the report is more than one answer can carry");
	} else {
		call_reply(c, &resp);
	}
	free(rowp);
	free(notep);
}

static void report_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	RunState *rs;
	const ReportSpec *s;
	ReportOut o;
	bool ok;

	if (!call_db_ok(c, st, res))
		return;
	rs = c->state;
	s = rs->q.spec;
	memset(&o, 0, sizeof(o));
	o.n_cols = s->n_cols;
	ok = s->compute ? s->compute(&rs->q, res, &o) : out_copy_rows(&o, res);
	if (!ok) {
		log_call(c, LOG_LVL_ERROR,
			 "report %s: could not build the table from its statement's %d columns",
			 s->name, PQnfields(res));
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "REPORT_FAILED", "internal error");
	} else if (o.too_many) {
		call_fail(c, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED, "REPORT_TOO_LARGE",
			  "the report has more than %d rows; narrow the range or choose a store",
			  REPORT_MAX_ROWS);
	} else {
		reply_table(c, s, &o, s->no_range ? "" : rs->q.from, s->no_range ? "" : rs->q.to,
			    rs->after);
	}
	out_free(&o);
}

void report_query_run(Call *c)
{
	RunState *rs = c->state;
	const ReportQuery *q = &rs->q;
	const Registered *r = find_report(q->spec->name);
	char store[24], lim[16];
	const char *params[5 + REPORT_EXTRA_MAX];

	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);
	snprintf(lim, sizeof(lim), "%u", q->limit);
	params[0] = q->from;
	params[1] = q->to;
	params[2] = q->store_id ? store : NULL;
	params[3] = q->category[0] ? q->category : NULL;
	params[4] = lim;
	for (int i = 0; i < q->spec->n_extra; i++)
		params[5 + i] = q->extra[i];
	db_query(r->stmt, 5 + q->spec->n_extra, params, report_db_cb, c);
}

/* report = "": the reports c may run, with their default ranges (from row offset on). */
static void list_reports(Call *c, size_t offset)
{
	static const ReportCol cols[] = {
		{ "report", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "chart", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "default_from", KASSA__V1__COLUMN_KIND__COL_DATE },
		{ "default_to", KASSA__V1__COLUMN_KIND__COL_DATE },
	};
	static const ReportSpec list = { .name = "", .chart = "", .sql = "", .cols = cols,
					 .n_cols = sizeof(cols) / sizeof(cols[0]) };
	long today = today_days();
	ReportOut o;
	char from[11], to[11];

	memset(&o, 0, sizeof(o));
	o.n_cols = list.n_cols;
	for (size_t i = 0; i < n_registry; i++) {
		const ReportSpec *s = registry[i].spec;
		const char *cells[4] = { s->name, s->chart, from, to };

		if (!role_may(s, c->role))
			continue;
		civil_from_days(today + (s->no_range ? 0 : s->default_from), from);
		civil_from_days(today + (s->no_range ? 0 : s->default_to), to);
		report_out_row(&o, cells);
	}
	reply_table(c, &list, &o, "", "", offset);
	out_free(&o);
}

void handle_report_run(Call *c)
{
	const Kassa__V1__ReportRun *q = c->req->report_run;
	const Registered *r;
	RunState *rs;
	size_t offset;

	if (!cursor_parse(q->after, &offset)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR",
			  "after is the previous page's next (got \"%.24s\")", q->after);
		return;
	}
	if (q->report[0] == '\0') {
		list_reports(c, offset);
		return;
	}
	r = find_report(q->report);
	if (r == NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "REPORT_UNKNOWN",
			  "no report \"%.64s\" (kassa-office report lists them)", q->report);
		return;
	}
	if (!role_may(r->spec, c->role)) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "REPORT_NOT_ALLOWED",
			  "your role may not run report %s", r->spec->name);
		return;
	}
	rs = xcalloc(1, sizeof(*rs));
	c->state = rs;
	c->state_free = free;
	rs->q.spec = r->spec;
	rs->q.currency = c->sess->currency;
	rs->after = offset;
	if (!check_range(c, r->spec, q, &rs->q) || !check_filters(c, r->spec, q, &rs->q))
		return;
	if (r->spec->prepare)
		r->spec->prepare(c, &rs->q);
	else
		report_query_run(c);
}

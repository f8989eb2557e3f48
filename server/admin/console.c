/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console.c: the operator console in the PgBouncer spirit, for an office
 * administrator through kassa-office (routes.c: ROLE_ADMIN):
 *
 *   SHOW POOLS     one row per database pool (primary, report): size,
 *                  busy, idle, connecting, down, queued, queue_max,
 *                  timeout_ms, lost (connections lost since start)
 *   SHOW SESSIONS  one row per open connection (till, store, kind, staff,
 *                  address, connected since, requests, in flight, state),
 *                  at most CONSOLE_SESSIONS_MAX, with a note saying how
 *                  many there are when more
 *   SHOW QUEUES    the database queues, the worker queue and the sessions,
 *                  each with its length and its limit
 *   SHOW JOBS      each job this process knows (metrics.h: the loyalty
 *                  jobs, the analytics job, the idempotency retention):
 *                  interval, runs, failures, last result, run, duration,
 *                  and roughly when the timer runs it next
 *   SHOW VERSION   kassad's version, protocol, the database's schema
 *                  version and the one expected, start time, pid
 *   RELOAD         reload_run() (what SIGHUP does), answered ConsoleReloaded
 *
 * Every SHOW answers a ReportTable (report "console_<what>", columns with
 * machine keys, cells in machine form), so kassa-office prints it as it
 * prints reports. Everything but VERSION's schema version (one quick
 * query) is kassad's own memory, read on the loop; nothing blocks. The
 * table's cells live in one ConsoleTable allocated per request and freed
 * once the answer is packed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "reload.h"
#include "worker.h"

#define CONSOLE_COLS_MAX 12
#define CONSOLE_CELL_LEN 72		/* a cell: a peer address, a till code, a time */

#define COL_TEXT KASSA__V1__COLUMN_KIND__COL_TEXT
#define COL_INT KASSA__V1__COLUMN_KIND__COL_INT

typedef struct ConsoleCol {
	const char *key;			/* machine name of the column */
	Kassa__V1__ColumnKind kind;
} ConsoleCol;

/* One answer being built: the ReportTable and the storage it points into. */
typedef struct ConsoleTable {
	Kassa__V1__ReportTable t;
	Kassa__V1__ReportColumn col[CONSOLE_COLS_MAX];
	Kassa__V1__ReportColumn *colp[CONSOLE_COLS_MAX];
	Kassa__V1__ReportNote note;
	Kassa__V1__ReportNote *notep[1];
	char note_value[64];
	int ncols, max_rows, cur;		/* cur: the next cell of the current row */
	Kassa__V1__ReportRow *row;		/* owned: max_rows */
	Kassa__V1__ReportRow **rowp;		/* owned: max_rows */
	char **cellp;				/* owned: max_rows * ncols, into cell */
	char (*cell)[CONSOLE_CELL_LEN];		/* owned: max_rows * ncols */
	char report[32];
} ConsoleTable;

static int st_schema = -1;

void console_setup(void)
{
	st_schema = db_stmt_add("console_schema_version",
		"SELECT coalesce(max(version), 0) AS schema_version FROM schema_migrations",
		DB_LANE_QUICK);
}

/* ---- the table ---- */

static ConsoleTable *table_new(const char *what, const ConsoleCol *cols, int ncols, int max_rows)
{
	ConsoleTable *ct = xcalloc(1, sizeof(*ct));

	kassa__v1__report_table__init(&ct->t);
	snprintf(ct->report, sizeof(ct->report), "console_%s", what);
	ct->t.report = ct->report;
	ct->ncols = ncols < CONSOLE_COLS_MAX ? ncols : CONSOLE_COLS_MAX;
	for (int i = 0; i < ct->ncols; i++) {
		kassa__v1__report_column__init(&ct->col[i]);
		ct->col[i].key = (char *)cols[i].key;
		ct->col[i].kind = cols[i].kind;
		ct->colp[i] = &ct->col[i];
	}
	ct->t.n_columns = (size_t)ct->ncols;
	ct->t.columns = ct->colp;
	ct->max_rows = max_rows > 0 ? max_rows : 1;
	ct->row = xcalloc((size_t)ct->max_rows, sizeof(*ct->row));
	ct->rowp = xcalloc((size_t)ct->max_rows, sizeof(*ct->rowp));
	ct->cellp = xcalloc((size_t)(ct->max_rows * ct->ncols), sizeof(*ct->cellp));
	ct->cell = xcalloc((size_t)(ct->max_rows * ct->ncols), sizeof(*ct->cell));
	ct->t.rows = ct->rowp;
	return ct;
}

static void table_free(ConsoleTable *ct)
{
	if (ct == NULL)
		return;
	free(ct->row);
	free(ct->rowp);
	free(ct->cellp);
	free(ct->cell);
	free(ct);
}

/* Start a row; false when the table is full. */
static bool table_row(ConsoleTable *ct)
{
	size_t r = ct->t.n_rows;

	if ((int)r >= ct->max_rows)
		return false;
	kassa__v1__report_row__init(&ct->row[r]);
	ct->row[r].cells = &ct->cellp[r * (size_t)ct->ncols];
	ct->row[r].n_cells = (size_t)ct->ncols;
	for (int i = 0; i < ct->ncols; i++) {
		ct->cellp[r * (size_t)ct->ncols + (size_t)i] = ct->cell[r * (size_t)ct->ncols + (size_t)i];
		ct->cell[r * (size_t)ct->ncols + (size_t)i][0] = '\0';
	}
	ct->rowp[r] = &ct->row[r];
	ct->t.n_rows = r + 1;
	ct->cur = 0;
	return true;
}

/* The current row's next cell; one past the last column is dropped. */
static void cell(ConsoleTable *ct, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void cell(ConsoleTable *ct, const char *fmt, ...)
{
	va_list ap;

	if (ct->t.n_rows == 0 || ct->cur >= ct->ncols)
		return;
	va_start(ap, fmt);
	vsnprintf(ct->cellp[(ct->t.n_rows - 1) * (size_t)ct->ncols + (size_t)ct->cur],
		  CONSOLE_CELL_LEN, fmt, ap);
	va_end(ap);
	ct->cur++;
}

/* A Unix time as RFC 3339 UTC, "" for 0. */
static void cell_time(ConsoleTable *ct, int64_t unix_s)
{
	char buf[32] = "";
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (unix_s > 0 && gmtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cell(ct, "%s", buf);
}

static void table_note(ConsoleTable *ct, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void table_note(ConsoleTable *ct, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ct->note_value, sizeof(ct->note_value), fmt, ap);
	va_end(ap);
	kassa__v1__report_note__init(&ct->note);
	ct->note.key = (char *)key;
	ct->note.value = ct->note_value;
	ct->notep[0] = &ct->note;
	ct->t.notes = ct->notep;
	ct->t.n_notes = 1;
}

/* Answer c with ct, then free ct. */
static void table_reply(Call *c, ConsoleTable *ct)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;

	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &ct->t;
	call_reply(c, &resp);
	table_free(ct);
}

/* ---- SHOW ---- */

static void show_pools(Call *c)
{
	static const ConsoleCol cols[] = {
		{ "pool", COL_TEXT }, { "size", COL_INT }, { "busy", COL_INT }, { "idle", COL_INT },
		{ "connecting", COL_INT }, { "down", COL_INT }, { "queued", COL_INT },
		{ "queue_max", COL_INT }, { "timeout_ms", COL_INT }, { "lost", COL_INT },
	};
	ConsoleTable *ct = table_new("pools", cols, (int)ARRAY_SIZE(cols), 2);
	DbPoolStats p;

	for (int i = 0; i < 2; i++) {
		if (!db_pool_stats(i, &p) || !table_row(ct))
			continue;
		cell(ct, "%s", p.name);
		cell(ct, "%d", p.size);
		cell(ct, "%d", p.busy);
		cell(ct, "%d", p.idle);
		cell(ct, "%d", p.connecting);
		cell(ct, "%d", p.down);
		cell(ct, "%d", p.queued);
		cell(ct, "%d", p.queue_max);
		cell(ct, "%d", p.timeout_ms);
		cell(ct, "%" PRId64, p.lost);
	}
	table_reply(c, ct);
}

static const char *session_state_name(SessionState st)
{
	switch (st) {
	case SESS_HANDSHAKE: return "handshake";
	case SESS_HELLO: return "hello";
	case SESS_READY: return "ready";
	case SESS_CLOSING: return "closing";
	default: return "closed";
	}
}

static void show_sessions(Call *c)
{
	static const ConsoleCol cols[] = {
		{ "session", COL_INT }, { "till", COL_TEXT }, { "store", COL_TEXT },
		{ "kind", COL_TEXT }, { "staff_id", COL_INT }, { "address", COL_TEXT },
		{ "connected_since", COL_TEXT }, { "requests", COL_INT },
		{ "in_flight", COL_INT }, { "state", COL_TEXT },
	};
	int total = session_count();
	ConsoleTable *ct = table_new("sessions", cols, (int)ARRAY_SIZE(cols),
				     total < CONSOLE_SESSIONS_MAX ? total : CONSOLE_SESSIONS_MAX);

	for (const Session *s = session_first(); s != NULL && table_row(ct); s = s->next) {
		cell(ct, "%" PRIu64, s->id);
		cell(ct, "%s", s->till_code);
		cell(ct, "%s", s->store_code);
		cell(ct, "%s", s->till_kind);
		if (s->staff_id > 0)
			cell(ct, "%" PRId64, s->staff_id);
		else
			cell(ct, "%s", "");
		cell(ct, "%s", s->peer);
		cell_time(ct, s->connected_at);
		cell(ct, "%" PRIu64, s->requests);
		cell(ct, "%d", s->in_flight);
		cell(ct, "%s", session_state_name(s->state));
	}
	if (total > CONSOLE_SESSIONS_MAX)
		table_note(ct, "sessions_shown", "%d of %d", CONSOLE_SESSIONS_MAX, total);
	table_reply(c, ct);
}

static void queue_row(ConsoleTable *ct, const char *name, int length, int limit)
{
	if (!table_row(ct))
		return;
	cell(ct, "%s", name);
	cell(ct, "%d", length);
	if (limit > 0)
		cell(ct, "%d", limit);
}

static void show_queues(Call *c)
{
	static const ConsoleCol cols[] = {
		{ "queue", COL_TEXT }, { "length", COL_INT }, { "limit", COL_INT },
	};
	ConsoleTable *ct = table_new("queues", cols, (int)ARRAY_SIZE(cols), 6);
	DbPoolStats p;

	if (db_pool_stats(0, &p))
		queue_row(ct, "db_primary", p.queued, p.queue_max);
	if (db_pool_stats(1, &p))
		queue_row(ct, "db_report", p.queued, p.queue_max);
	queue_row(ct, "worker", worker_waiting(), cf_worker_queue_max);
	queue_row(ct, "sessions", session_count(), cf_max_sessions);
	queue_row(ct, "requests_in_flight", session_calls_running(), 0);
	table_reply(c, ct);
}

static void show_jobs(Call *c)
{
	static const ConsoleCol cols[] = {
		{ "job", COL_TEXT }, { "every_s", COL_INT }, { "runs", COL_INT },
		{ "failures", COL_INT }, { "last_result", COL_TEXT }, { "last_run", COL_TEXT },
		{ "last_duration_ms", COL_INT }, { "next_run", COL_TEXT },
	};
	int n = metrics_job_count();
	ConsoleTable *ct = table_new("jobs", cols, (int)ARRAY_SIZE(cols), n);
	int64_t now = (int64_t)time(NULL);

	for (int i = 0; i < n && table_row(ct); i++) {
		const MetricsJob *j = metrics_job(i);
		int64_t next = 0;

		if (j->interval_s > 0) {
			/* the timer ticks every interval from start: the next tick after now */
			int64_t since = now - metrics_started_at();

			next = metrics_started_at() + (since / j->interval_s + 1) * j->interval_s;
		}
		cell(ct, "%s", j->name);
		if (j->interval_s > 0)
			cell(ct, "%d", j->interval_s);
		else
			cell(ct, "%s", "");
		cell(ct, "%" PRIu64, j->runs);
		cell(ct, "%" PRIu64, j->failures);
		cell(ct, "%s", j->runs == 0 ? "" : j->last_ok ? "ok" : "failed");
		cell_time(ct, j->last_end);
		if (j->runs > 0)
			cell(ct, "%" PRId64, j->last_usec / 1000);
		else
			cell(ct, "%s", "");
		cell_time(ct, next);
	}
	table_reply(c, ct);
}

static void version_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const ConsoleCol cols[] = {
		{ "version", COL_TEXT }, { "protocol", COL_INT }, { "schema_version", COL_INT },
		{ "schema_expected", COL_INT }, { "started_at", COL_TEXT }, { "pid", COL_INT },
	};
	Call *c = arg;
	ConsoleTable *ct;

	if (!call_db_ok(c, st, res))
		return;
	ct = table_new("version", cols, (int)ARRAY_SIZE(cols), 1);
	if (table_row(ct)) {
		cell(ct, "%s", KASSA_VERSION);
		cell(ct, "%d", KASSA_PROTOCOL_VERSION);
		cell(ct, "%s", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
		cell(ct, "%d", metrics_schema_expected());
		cell_time(ct, metrics_started_at());
		cell(ct, "%ld", (long)getpid());
	}
	table_reply(c, ct);
}

void handle_console_show(Call *c)
{
	const char *what = c->req->console_show->what;

	if (strcmp(what, "pools") == 0)
		show_pools(c);
	else if (strcmp(what, "sessions") == 0)
		show_sessions(c);
	else if (strcmp(what, "queues") == 0)
		show_queues(c);
	else if (strcmp(what, "jobs") == 0)
		show_jobs(c);
	else if (strcmp(what, "version") == 0)
		db_query(st_schema, 0, NULL, version_cb, c);
	else
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_SHOW",
			  "SHOW knows pools, sessions, queues, jobs and version");
}

/* ---- RELOAD ---- */

void handle_console_reload(Call *c)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ConsoleReloaded cr = KASSA__V1__CONSOLE_RELOADED__INIT;
	char *changed[RELOAD_MAX_KEYS], *restart[RELOAD_MAX_KEYS];
	ReloadResult *r = xcalloc(1, sizeof(*r));	/* 8 KiB: not on the loop's stack */

	cr.ok = reload_run((long long)c->staff_id, r);
	log_call(c, LOG_LVL_INFO, "console: staff %lld asked for a reload: %s",
		 (long long)c->staff_id, cr.ok ? "done" : "refused, the old state is kept");
	for (int i = 0; i < r->n_changed && i < RELOAD_MAX_KEYS; i++)
		changed[i] = r->changed[i];
	for (int i = 0; i < r->n_restart && i < RELOAD_MAX_KEYS; i++)
		restart[i] = r->restart_needed[i];
	cr.message = r->message;
	cr.n_changed = (size_t)(r->n_changed < RELOAD_MAX_KEYS ? r->n_changed : RELOAD_MAX_KEYS);
	cr.changed = changed;
	cr.n_restart_needed = (size_t)(r->n_restart < RELOAD_MAX_KEYS ? r->n_restart :
				       RELOAD_MAX_KEYS);
	cr.restart_needed = restart;
	resp.body_case = KASSA__V1__RESPONSE__BODY_CONSOLE_RELOADED;
	resp.console_reloaded = &cr;
	call_reply(c, &resp);
	free(r);
}

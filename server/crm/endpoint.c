/* SPDX-License-Identifier: Apache-2.0 */
/*
 * endpoint.c: EndpointPut/List, OutboxList, OutboxRetry: the operator's
 * view of where the outbox delivers and how it went (an administrator's).
 *
 * EndpointPut checks everything in C (the name, a webhook's https URL
 * parsed into host, port and path exactly as the sender will parse it, a
 * file endpoint's file name and that [outbox] file_dir is set, the
 * channels and event patterns), makes a new HMAC secret with libsodium
 * when asked (answered once, in hex; stored as bytea; the audit row only
 * says that one was made), then one call of kassa_endpoint_put()
 * (migrations/functions/outbox.sql). The lists answer ReportTables, the
 * secrets never.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "crm.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "outbox_util.h"
#include "sqltext.h"

#define ENDPOINT_NAME_MAX 32
#define ENDPOINT_FILE_MAX 64
#define ENDPOINT_EVENTS_MAX 16
#define ENDPOINT_PATTERN_MAX 64
#define OUTBOX_LIST_DEFAULT 50
#define OUTBOX_LIST_MAX 500
#define ROWS_COLS_MAX 16

static int st_put, st_list, st_outbox_list, st_attempts, st_retry;

void endpoint_setup(void)
{
	/* $1 till, $2 key, $3 hash, $4 staff, $5 name, $6 kind, $7 url, $8 file,
	 * $9 secret (NULL: keep), $10 channels, $11 events, $12 active */
	st_put = db_stmt_add("endpoint_put",
		"SELECT * FROM kassa_endpoint_put($1, $2, $3::bytea, $4, $5, $6, $7, $8, "
		"$9::bytea, $10::smallint[], $11::text[], $12)", DB_LANE_WORK);
	st_list = db_stmt_add("endpoint_list", "SELECT * FROM kassa_endpoint_list()",
			      DB_LANE_WORK);
	st_outbox_list = db_stmt_add("outbox_list",
		"SELECT * FROM kassa_outbox_list($1, $2, $3, $4, $5)", DB_LANE_WORK);
	st_attempts = db_stmt_add("outbox_attempts",
		"SELECT * FROM kassa_outbox_attempts($1)", DB_LANE_WORK);
	st_retry = db_stmt_add("outbox_retry",
		"SELECT * FROM kassa_outbox_retry($1, $2, $3::bytea, $4, $5)", DB_LANE_WORK);
}

/* ---- a result as a ReportTable ---- */

/*
 * Answer c with res's rows as ReportTable report: one column per field
 * (named as in SQL), kinds[i] for field i (COL_TEXT past the array), booleans
 * as "true"/"false", next the following page's cursor ("" = none).
 */
static void reply_rows(Call *c, const char *report, const PGresult *res,
		       const Kassa__V1__ColumnKind *kinds, size_t n_kinds, const char *next)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	Kassa__V1__ReportColumn cols[ROWS_COLS_MAX], *colp[ROWS_COLS_MAX];
	int nf = PQnfields(res), nr = PQntuples(res);
	size_t ncol = nf < ROWS_COLS_MAX ? (size_t)nf : ROWS_COLS_MAX;
	Kassa__V1__ReportRow *rows = xcalloc((size_t)nr + 1, sizeof(*rows));
	Kassa__V1__ReportRow **rowp = xcalloc((size_t)nr + 1, sizeof(*rowp));
	char **cells = xcalloc((size_t)nr * ncol + 1, sizeof(*cells));

	for (size_t i = 0; i < ncol; i++) {
		kassa__v1__report_column__init(&cols[i]);
		cols[i].key = PQfname(res, (int)i);
		cols[i].kind = i < n_kinds ? kinds[i] : KASSA__V1__COLUMN_KIND__COL_TEXT;
		colp[i] = &cols[i];
	}
	for (int r = 0; r < nr; r++) {
		kassa__v1__report_row__init(&rows[r]);
		rows[r].n_cells = ncol;
		rows[r].cells = &cells[(size_t)r * ncol];
		for (size_t i = 0; i < ncol; i++) {
			char *v = PQgetvalue(res, r, (int)i);

			if (PQftype(res, (int)i) == 16)	/* bool */
				v = (char *)(v[0] == 't' ? "true" : "false");
			rows[r].cells[i] = v;
		}
		rowp[r] = &rows[r];
	}
	t.report = (char *)report;
	t.n_columns = ncol;
	t.columns = colp;
	t.n_rows = (size_t)nr;
	t.rows = rowp;
	t.next = (char *)next;
	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &t;
	call_reply(c, &resp);
	free(cells);
	free(rowp);
	free(rows);
}

/* ---- EndpointPut ---- */

static bool name_ok(const char *s, size_t max, bool upper_dot)
{
	size_t n = strlen(s);

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			  ch == '-' || (upper_dot && ((ch >= 'A' && ch <= 'Z') || ch == '.'));

		if (!ok)
			return false;
	}
	return !(upper_dot && (strcmp(s, ".") == 0 || strcmp(s, "..") == 0));
}

/* An event pattern: "*", or dotted words of [a-z_] optionally ending in ".*". */
static bool pattern_ok(const char *p)
{
	size_t n = strlen(p);
	bool word = false;

	if (strcmp(p, "*") == 0)
		return true;
	if (n < 1 || n > ENDPOINT_PATTERN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_') {
			word = true;
		} else if (p[i] == '.' && word) {
			word = false;
		} else if (p[i] == '*' && i == n - 1 && i > 0 && p[i - 1] == '.') {
			return true;
		} else {
			return false;
		}
	}
	return word;
}

/* Check the request's fields; false when c has been answered. */
static bool put_check(Call *c, const Kassa__V1__EndpointPut *e)
{
	const char *why;
	OutboxUrl u;

	if (!name_ok(e->name, ENDPOINT_NAME_MAX, false)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME", "%s",
			  _("an endpoint's name is 1-32 of a-z, 0-9, _ and -"));
		return false;
	}
	if (strcmp(e->kind, "webhook") == 0) {
		if (e->file[0] != '\0' || !outbox_url_parse(e->url, &u, &why)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_URL", "%s",
				  _("a webhook needs an https:// URL with a host, an optional "
				    "port and path, and no file"));
			return false;
		}
	} else if (strcmp(e->kind, "file") == 0) {
		if (e->url[0] != '\0' || !name_ok(e->file, ENDPOINT_FILE_MAX, true)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FILE", "%s",
				  _("a file endpoint needs a file name of 1-64 of A-Z, a-z, 0-9, "
				    ". _ and -, and no URL"));
			return false;
		}
		if (cf_outbox_file_dir[0] == '\0') {
			call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "NO_FILE_DIR",
				  "%s", _("[outbox] file_dir is not set: no file endpoints"));
			return false;
		}
	} else {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_KIND", "%s",
			  _("an endpoint's kind is webhook or file"));
		return false;
	}
	for (size_t i = 0; i < e->n_channels; i++) {
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup = dup || e->channels[j] == e->channels[i];
		if (e->channels[i] < KASSA__V1__CHANNEL__CHANNEL_SMS ||
		    e->channels[i] > KASSA__V1__CHANNEL__CHANNEL_WECHAT || dup) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CHANNEL",
				  "%s", _("channels are sms, email and wechat, each once"));
			return false;
		}
	}
	for (size_t i = 0; i < e->n_events; i++)
		if (e->n_events > ENDPOINT_EVENTS_MAX || !pattern_ok(e->events[i])) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_EVENTS",
				  _("at most %d event patterns like member.* or sale.completed "
				    "or *"), ENDPOINT_EVENTS_MAX);
			return false;
		}
	return true;
}

static void put_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Endpoint ep = KASSA__V1__ENDPOINT__INIT;
	Kassa__V1__Channel ch[8];
	char *ev[ENDPOINT_EVENTS_MAX], evbuf[ENDPOINT_EVENTS_MAX][ENDPOINT_PATTERN_MAX + 1];
	char num[8];
	const char *pos;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	ep.name = PQgetvalue(res, 0, 1);
	ep.kind = PQgetvalue(res, 0, 2);
	ep.url = PQgetvalue(res, 0, 3);
	ep.file = PQgetvalue(res, 0, 4);
	ep.secret = PQgetvalue(res, 0, 5);
	pos = PQgetvalue(res, 0, 6);
	while (ep.n_channels < ARRAY_SIZE(ch) && sqltext_array_next(&pos, num, sizeof(num)))
		ch[ep.n_channels++] = (Kassa__V1__Channel)atoi(num);
	ep.channels = ch;
	pos = PQgetvalue(res, 0, 7);
	while (ep.n_events < ENDPOINT_EVENTS_MAX &&
	       sqltext_array_next(&pos, evbuf[ep.n_events], sizeof(evbuf[0]))) {
		ev[ep.n_events] = evbuf[ep.n_events];
		ep.n_events++;
	}
	ep.events = ev;
	ep.active = PQgetvalue(res, 0, 8)[0] == 't';
	ep.created_at = PQgetvalue(res, 0, 9);
	resp.body_case = KASSA__V1__RESPONSE__BODY_ENDPOINT;
	resp.endpoint = &ep;
	call_reply(c, &resp);
}

void handle_endpoint_put(Call *c)
{
	const Kassa__V1__EndpointPut *e = c->req->endpoint_put;
	SqlText hash = SQLTEXT_INIT, secret = SQLTEXT_INIT, chans = SQLTEXT_INIT,
		evs = SQLTEXT_INIT;
	uint8_t key[OUTBOX_SECRET_LEN];
	char till[24], staff[24];

	if (!put_check(c, e))
		return;
	sqltext_hash(&hash, &e->base);
	if (e->new_secret) {
		randombytes_buf(key, sizeof(key));
		sqltext_bytea(&secret, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
	}
	sqltext_open(&chans);
	for (size_t i = 0; i < e->n_channels; i++)
		sqltext_elem_int(&chans, e->channels[i]);
	sqltext_close(&chans);
	sqltext_open(&evs);
	for (size_t i = 0; i < e->n_events; i++)
		sqltext_elem_str(&evs, e->events[i]);
	sqltext_close(&evs);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[12] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, e->name, e->kind,
		e->url, e->file, e->new_secret ? sqltext_str(&secret) : NULL,
		sqltext_str(&chans), sqltext_str(&evs), e->active ? "true" : "false",
	};
	db_query(st_put, 12, params, put_db_cb, c);
	if (secret.buf != NULL)
		sodium_memzero(secret.buf, secret.len);
	sqltext_free(&secret);
	sqltext_free(&hash);
	sqltext_free(&chans);
	sqltext_free(&evs);
}

/* ---- EndpointList, OutboxList ---- */

static void endpoint_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const Kassa__V1__ColumnKind kinds[] = {
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_INT,
		KASSA__V1__COLUMN_KIND__COL_INT,
	};
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	reply_rows(c, "endpoints", res, kinds, ARRAY_SIZE(kinds), "");
}

void handle_endpoint_list(Call *c)
{
	db_query(st_list, 0, NULL, endpoint_list_cb, c);
}

static void outbox_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const Kassa__V1__ColumnKind kinds[] = {
		KASSA__V1__COLUMN_KIND__COL_INT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_INT,
		KASSA__V1__COLUMN_KIND__COL_INT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_INT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_INT,
	};
	Call *c = arg;
	char next[24] = "";
	uint32_t limit;

	if (!call_db_ok(c, st, res))
		return;
	limit = c->req->outbox_list->limit ? c->req->outbox_list->limit : OUTBOX_LIST_DEFAULT;
	if (PQntuples(res) > 0 && (uint32_t)PQntuples(res) >= limit)
		snprintf(next, sizeof(next), "%s", PQgetvalue(res, PQntuples(res) - 1, 0));
	reply_rows(c, "outbox", res, kinds, ARRAY_SIZE(kinds), next);
}

static void attempts_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const Kassa__V1__ColumnKind kinds[] = {
		KASSA__V1__COLUMN_KIND__COL_INT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_TEXT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_INT, KASSA__V1__COLUMN_KIND__COL_TEXT,
		KASSA__V1__COLUMN_KIND__COL_INT,
	};
	Call *c = arg;

	if (!call_is_orphan(c) && st == DB_SQL_ERROR &&
	    strcmp(db_errmsg(res), "OUTBOX_NOT_FOUND") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "OUTBOX_NOT_FOUND", "%s",
			  _("no such outbox row"));
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	reply_rows(c, "outbox_attempts", res, kinds, ARRAY_SIZE(kinds), "");
}

static bool state_ok(const char *s)
{
	static const char *const states[] = { "", "pending", "sending", "sent", "dead",
					      "cancelled" };

	for (size_t i = 0; i < ARRAY_SIZE(states); i++)
		if (strcmp(s, states[i]) == 0)
			return true;
	return false;
}

void handle_outbox_list(Call *c)
{
	const Kassa__V1__OutboxList *q = c->req->outbox_list;
	char id[24], member[24], after[24], limit[16];
	char *end = NULL;
	long long a = 0;

	if (q->outbox_id < 0 || q->member_id < 0 || !state_ok(q->state) ||
	    (q->endpoint[0] != '\0' && !name_ok(q->endpoint, ENDPOINT_NAME_MAX, false)) ||
	    q->limit > OUTBOX_LIST_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FILTER", "%s",
			  _("filter by state (pending, sending, sent, dead, cancelled), an "
			    "endpoint's name, a member id; at most 500 rows"));
		return;
	}
	if (q->after[0] != '\0' && ((a = strtoll(q->after, &end, 10)) <= 0 || *end != '\0')) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("after is the next cursor of an earlier page"));
		return;
	}
	if (q->outbox_id > 0) {
		snprintf(id, sizeof(id), "%lld", (long long)q->outbox_id);
		const char *p1[1] = { id };

		db_query(st_attempts, 1, p1, attempts_cb, c);
		return;
	}
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(after, sizeof(after), "%lld", a);
	snprintf(limit, sizeof(limit), "%u", q->limit ? q->limit : OUTBOX_LIST_DEFAULT);

	const char *params[5] = { q->state, q->endpoint, member, after, limit };

	db_query(st_outbox_list, 5, params, outbox_list_cb, c);
}

/* ---- OutboxRetry ---- */

static void retry_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__OutboxRetried ok = KASSA__V1__OUTBOX_RETRIED__INIT;
	const char *msg = st == DB_SQL_ERROR ? db_errmsg(res) : "";

	if (!call_is_orphan(c) && strcmp(msg, "OUTBOX_NOT_FOUND") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "OUTBOX_NOT_FOUND", "%s",
			  _("no such outbox row"));
		return;
	}
	if (!call_is_orphan(c) && strcmp(msg, "OUTBOX_NOT_DEAD") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "OUTBOX_NOT_DEAD",
			  "%s", _("only a dead outbox row can be retried"));
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	ok.outbox_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	ok.state = PQgetvalue(res, 0, 2);
	resp.body_case = KASSA__V1__RESPONSE__BODY_OUTBOX_RETRIED;
	resp.outbox_retried = &ok;
	call_reply(c, &resp);
}

void handle_outbox_retry(Call *c)
{
	const Kassa__V1__OutboxRetry *r = c->req->outbox_retry;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], id[24];

	if (r->outbox_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ID", "%s",
			  _("name the outbox row by its id"));
		return;
	}
	sqltext_hash(&hash, &r->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(id, sizeof(id), "%lld", (long long)r->outbox_id);

	const char *params[5] = { till, c->req->idempotency_key, sqltext_str(&hash), staff, id };

	db_query(st_retry, 5, params, retry_cb, c);
	sqltext_free(&hash);
}

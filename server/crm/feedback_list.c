/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feedback_list.c: FeedbackList, the ratings and comments customers gave
 * their sales (feedback.c), per member, store or cashier, newest first, as
 * a keyset-paged ReportTable (kassa_feedback_list, functions/feedback.sql).
 * A store's till and a manager see their own store's only (kassa_care_scope);
 * an analyst or admin at head office every store's. Also what customer care's lists share
 * (crm_table.h): the caller's store scope and the paged table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm.h"
#include "crm_table.h"
#include "date.h"
#include "db.h"
#include "i18n.h"
#include "util.h"

#define FEEDBACK_LIST_DAYS 30		/* from = this many days before to */
#define DAY_SECONDS 86400

static int st_feedback_list;

void feedback_list_setup(void)
{
	st_feedback_list = db_stmt_add("feedback_list",
		"SELECT * FROM kassa_feedback_list(" CRM_SCOPE_SQL(1, 2, 3, 4) ", $5::bigint, "
		"$6::bigint, $7::date, $8::date, $9::integer, $10::integer, $11::bigint)",
		DB_LANE_REPORT);
}

bool crm_sees_all(const Call *c)
{
	return (c->role & (ROLE_ANALYST | ROLE_ADMIN)) != 0 && c->sess != NULL &&
	       strcmp(c->sess->till_kind, "office") == 0;
}

bool crm_scope(Call *c, int64_t store_id, CrmScope *s)
{
	if (store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("name a store by its id, or 0"));
		return false;
	}
	snprintf(s->all, sizeof(s->all), "%s", crm_sees_all(c) ? "t" : "f");
	snprintf(s->staff, sizeof(s->staff), "%lld", (long long)c->staff_id);
	snprintf(s->till_store, sizeof(s->till_store), "%lld", (long long)c->sess->store_id);
	snprintf(s->wanted, sizeof(s->wanted), "%lld", (long long)store_id);
	return true;
}

bool crm_store_scope(Call *c, int64_t store_id, char buf[24], const char **param)
{
	if (store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("name a store by its id, or 0"));
		return false;
	}
	if (crm_sees_all(c)) {
		snprintf(buf, 24, "%lld", (long long)store_id);
		*param = store_id != 0 ? buf : NULL;
		return true;
	}
	if (store_id != 0 && store_id != c->sess->store_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
			  _("you see only your own store's tickets and ratings"));
		return false;
	}
	snprintf(buf, 24, "%lld", (long long)c->sess->store_id);
	*param = buf;
	return true;
}

bool crm_scope_refusal(Call *c, int st, const PGresult *res)
{
	if (call_is_orphan(c) || (DbStatus)st != DB_SQL_ERROR ||
	    strcmp(db_errmsg(res), "STORE_NOT_YOURS") != 0)
		return false;
	call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
		  _("you see only your own store's tickets and ratings"));
	return true;
}

uint32_t crm_list_limit(uint32_t limit, char buf[12])
{
	if (limit == 0)
		limit = CRM_LIST_LIMIT_DEFAULT;
	if (limit > CRM_LIST_LIMIT_MAX)
		limit = CRM_LIST_LIMIT_MAX;
	snprintf(buf, 12, "%u", limit);
	return limit;
}

bool crm_list_after(Call *c, const char *after, char buf[24])
{
	char *end;
	long long v;

	if (after[0] == '\0') {
		snprintf(buf, 24, "0");
		return true;
	}
	v = strtoll(after, &end, 10);
	if (*end != '\0' || v <= 0 || after[0] < '0' || after[0] > '9') {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR", "%s",
			  _("after must be the next of the previous page"));
		return false;
	}
	snprintf(buf, 24, "%lld", v);
	return true;
}

void crm_table_reply(Call *c, const char *report, const CrmCol *cols, size_t n_cols,
		     const PGresult *res, uint32_t limit)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ReportTable t = KASSA__V1__REPORT_TABLE__INIT;
	size_t nt = (size_t)PQntuples(res), n = nt > limit ? limit : nt;
	Kassa__V1__ReportColumn *colv = xcalloc(n_cols, sizeof(*colv));
	Kassa__V1__ReportColumn **colp = xcalloc(n_cols, sizeof(*colp));
	Kassa__V1__ReportRow *rowv = xcalloc(n ? n : 1, sizeof(*rowv));
	Kassa__V1__ReportRow **rowp = xcalloc(n ? n : 1, sizeof(*rowp));
	char **cells = xcalloc(n * n_cols + 1, sizeof(*cells));

	for (size_t j = 0; j < n_cols; j++) {
		kassa__v1__report_column__init(&colv[j]);
		colv[j].key = (char *)cols[j].key;
		colv[j].kind = cols[j].kind;
		colp[j] = &colv[j];
	}
	for (size_t i = 0; i < n; i++) {
		kassa__v1__report_row__init(&rowv[i]);
		rowv[i].n_cells = n_cols;
		rowv[i].cells = &cells[i * n_cols];
		for (size_t j = 0; j < n_cols; j++)
			cells[i * n_cols + j] = (char *)PQgetvalue(res, (int)i, (int)j);
		rowp[i] = &rowv[i];
	}
	t.report = (char *)report;
	t.columns = colp;
	t.n_columns = n_cols;
	t.rows = rowp;
	t.n_rows = n;
	t.next = (char *)(nt > limit && n > 0 ? PQgetvalue(res, (int)n - 1, 0) : "");
	resp.body_case = KASSA__V1__RESPONSE__BODY_REPORT_TABLE;
	resp.report_table = &t;
	call_reply(c, &resp);
	free(cells);
	free(rowp);
	free(rowv);
	free(colp);
	free(colv);
}

static void feedback_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	static const CrmCol cols[] = {
		{ "feedback_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "created_at", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "store", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "staff_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "member_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "txn_id", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "rating", KASSA__V1__COLUMN_KIND__COL_INT },
		{ "comment", KASSA__V1__COLUMN_KIND__COL_TEXT },
		{ "complaint_id", KASSA__V1__COLUMN_KIND__COL_INT },
	};
	Call *c = arg;

	if (crm_scope_refusal(c, st, res) || !call_db_ok(c, st, res))
		return;
	crm_table_reply(c, "feedback", cols, ARRAY_SIZE(cols), res,
			crm_list_limit(c->req->feedback_list->limit, (char[12]){ 0 }));
}

/* A date of the range into out: d, or (d "") the default; false if d is no date. */
static bool list_date(const char *d, time_t dflt, char out[11])
{
	int y, m, day;
	struct tm tm;

	if (d[0] != '\0') {
		if (strlen(d) != 10 || !date_parse(d, &y, &m, &day))
			return false;
		memcpy(out, d, 11);
		return true;
	}
	localtime_r(&dflt, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return true;
}

void handle_feedback_list(Call *c)
{
	const Kassa__V1__FeedbackList *q = c->req->feedback_list;
	char member[24], staff[24], from[11], to[11], maxr[12], limit[12], after[24];
	CrmScope sc;
	time_t now = time(NULL);

	if (q->member_id < 0 || q->staff_id < 0 || q->max_rating < 0 || q->max_rating > 5) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FILTER", "%s",
			  _("member, staff and store are ids; max_rating is 0 to 5"));
		return;
	}
	if (!list_date(q->from, now - (time_t)FEEDBACK_LIST_DAYS * DAY_SECONDS, from) ||
	    !list_date(q->to, now, to)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATE", "%s",
			  _("dates are YYYY-MM-DD"));
		return;
	}
	if (strcmp(from, to) > 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RANGE", "%s",
			  _("from must not be after to"));
		return;
	}
	if (!crm_scope(c, q->store_id, &sc) || !crm_list_after(c, q->after, after))
		return;
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)q->staff_id);
	snprintf(maxr, sizeof(maxr), "%d", (int)q->max_rating);
	crm_list_limit(q->limit, limit);

	const char *params[11] = {
		sc.all, sc.staff, sc.till_store, sc.wanted, member, staff, from, to, maxr, limit,
		after,
	};
	db_query(st_feedback_list, 11, params, feedback_list_cb, c);
}

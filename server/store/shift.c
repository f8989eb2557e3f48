/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shift.c: a till's cash-desk shift. A cashier or manager opens it with
 * the float counted into the drawer (ShiftOpen); anyone at the till may
 * ask for its X report at any time (ShiftReport, close false), which
 * changes nothing; the Z report (close true, with the cash counted) closes
 * it. At most one shift is open per till: opening a second is
 * FAILED_PRECONDITION / SHIFT_OPEN, a report without one NO_SHIFT.
 *
 * The figures are SQL aggregations over the till's sales, refunds and
 * top-ups since the shift opened (kassa_shift_json, migrations/functions/
 * shifts.sql, which defines each one); kassad only carries them. Each
 * request is one prepared call: kassa_shift_open() and kassa_shift_close()
 * claim the idempotency key and make their one guarded write, and the Z
 * report's figures are stored with the closing, so a retry, and any later
 * look, answers the same figures even when late offline sales arrive.
 * Every answer is the ShiftSummary read from the function's JSON text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"
#include "store.h"

#define SHIFT_TENDERS_MAX 64	/* kinds x currencies a report lists */

static int st_open, st_x, st_close;

void shift_setup(void)
{
	/* $1 till, $2 key, $3 the request's hash, $4 store, $5 staff, $6 float */
	st_open = db_stmt_add("shift_open",
		"SELECT kassa_shift_open($1, $2, $3::bytea, $4, $5, $6)", DB_LANE_WORK);
	/* $1 till */
	st_x = db_stmt_add("shift_x", "SELECT kassa_shift_x($1)", DB_LANE_WORK);
	/* $1 till, $2 key, $3 the request's hash, $4 staff, $5 counted cash */
	st_close = db_stmt_add("shift_close",
		"SELECT kassa_shift_close($1, $2, $3::bytea, $4, $5)", DB_LANE_WORK);
}

bool shift_report_is_x(const Kassa__V1__Request *req)
{
	return req->shift_report != NULL && !req->shift_report->close;
}

static int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/*
 * The refusals kassad answers with its own words: SHIFT_OPEN (also the
 * race two opens lose on shifts_one_open) and NO_SHIFT. True when res was
 * one of them and c has been answered.
 */
static bool shift_refused(Call *c, DbStatus st, const PGresult *res)
{
	const char *msg;

	if (call_is_orphan(c) || st != DB_SQL_ERROR)
		return false;
	msg = db_errmsg(res);
	if (strcmp(msg, "SHIFT_OPEN") == 0 || (strcmp(db_sqlstate(res), "23505") == 0 &&
					       strcmp(db_constraint(res), "shifts_one_open") == 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "SHIFT_OPEN", "%s",
			  _("this till has an open shift; close it with a Z report first"));
		return true;
	}
	if (strcmp(msg, "NO_SHIFT") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "NO_SHIFT", "%s",
			  _("this till has no open shift"));
		return true;
	}
	return false;
}

/* Answer c with the ShiftSummary in the JSON text of res's one value. */
static void shift_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ShiftSummary sum = KASSA__V1__SHIFT_SUMMARY__INIT;
	Kassa__V1__TenderTotal tt[SHIFT_TENDERS_MAX];
	Kassa__V1__TenderTotal *tp[SHIFT_TENDERS_MAX];
	json_t *j, *tenders;

	if (shift_refused(c, st, res) || !call_db_ok(c, st, res))
		return;
	j = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;
	if (!json_is_object(j)) {
		log_call(c, LOG_LVL_ERROR, "shift: no report from the database");
		json_decref(j);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	sum.shift_id = jint(j, "shift_id");
	sum.till_id = jint(j, "till_id");
	sum.staff_id = jint(j, "staff_id");
	sum.opened_at = (char *)jstr(j, "opened_at");
	sum.closed_at = (char *)jstr(j, "closed_at");
	sum.float_minor = jint(j, "float_minor");
	sum.sales_count = jint(j, "sales_count");
	sum.sales_minor = jint(j, "sales_minor");
	sum.refunds_count = jint(j, "refunds_count");
	sum.refunds_minor = jint(j, "refunds_minor");
	sum.change_minor = jint(j, "change_minor");
	sum.cash_refunds_minor = jint(j, "cash_refunds_minor");
	sum.topups_cash_minor = jint(j, "topups_cash_minor");
	sum.expected_cash_minor = jint(j, "expected_cash_minor");
	sum.counted_minor = jint(j, "counted_minor");
	sum.over_short_minor = jint(j, "over_short_minor");
	sum.closed = json_is_true(json_object_get(j, "closed"));
	tenders = json_object_get(j, "tenders");
	for (size_t i = 0; i < json_array_size(tenders) && i < SHIFT_TENDERS_MAX; i++) {
		const json_t *t = json_array_get(tenders, i);

		kassa__v1__tender_total__init(&tt[i]);
		tt[i].kind = (Kassa__V1__TenderKind)jint(t, "kind");
		tt[i].currency = (char *)jstr(t, "currency");
		tt[i].count = jint(t, "count");
		tt[i].amount_minor = jint(t, "amount_minor");
		tt[i].foreign_minor = jint(t, "foreign_minor");
		tp[i] = &tt[i];
		sum.n_tenders = i + 1;
	}
	sum.tenders = tp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_SHIFT_SUMMARY;
	resp.shift_summary = &sum;
	call_reply(c, &resp);
	json_decref(j);
}

void handle_shift_open(Call *c)
{
	const Kassa__V1__ShiftOpen *o = c->req->shift_open;
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT;
	char till[24], store[24], staff[24], flt[24];

	if (o->float_minor < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_FLOAT", "%s",
			  _("the float is an amount of 0 or more"));
		return;
	}
	sqltext_hash(&hash, &o->base);
	snprintf(till, sizeof(till), "%lld", (long long)s->till_id);
	snprintf(store, sizeof(store), "%lld", (long long)s->store_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(flt, sizeof(flt), "%lld", (long long)o->float_minor);

	const char *params[6] = {
		till, c->req->idempotency_key, sqltext_str(&hash), store, staff, flt,
	};
	db_query(st_open, 6, params, shift_db_cb, c);
	sqltext_free(&hash);
}

void handle_shift_report(Call *c)
{
	const Kassa__V1__ShiftReport *r = c->req->shift_report;
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], counted[24];

	snprintf(till, sizeof(till), "%lld", (long long)s->till_id);
	if (!r->close) {
		const char *p = till;

		db_query(st_x, 1, &p, shift_db_cb, c);
		return;
	}
	/* the Z report closes the cash desk: its cashier or a manager */
	if ((c->role & (ROLE_CASHIER | ROLE_MANAGER)) == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", "%s",
			  _("only a cashier or a manager closes a shift"));
		return;
	}
	if (r->counted_minor < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUNT", "%s",
			  _("the cash counted is an amount of 0 or more"));
		return;
	}
	sqltext_hash(&hash, &r->base);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(counted, sizeof(counted), "%lld", (long long)r->counted_minor);

	const char *params[5] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, counted,
	};
	db_query(st_close, 5, params, shift_db_cb, c);
	sqltext_free(&hash);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c: staff time (考勤). The logged-in staff member clocks in at the
 * till (ClockIn) and out at any till (ClockOut); ClockList answers the
 * records of an ISO week with each person's hours that week, or the staff
 * who were clocked in at a till during one of its cash-desk shifts, with
 * the shift's cash count (the Z report's over/short).
 *
 * Every rule is SQL (migrations/functions/clock.sql): one prepared call per
 * request; kassa_clock_in() and kassa_clock_out() claim the idempotency
 * key and make the one guarded write with its audit row. Times are the
 * server's. kassad checks the caller: the staff_id in the request must be
 * the logged-in staff member, and a listing is cut to what the role may
 * see (a cashier their own records and their store's shifts, a manager
 * their store, head office any). The answer is read from the function's
 * JSON text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"
#include "util.h"

#define CLOCK_ROWS_MAX 500	/* records a page carries (kassa_clock_week's limit) */

static int st_in, st_out, st_week, st_shift;

void clock_setup(void)
{
	/* $1 till, $2 key, $3 the request's hash, $4 store, $5 staff */
	st_in = db_stmt_add("clock_in",
		"SELECT kassa_clock_in($1, $2, $3::bytea, $4, $5)", DB_LANE_WORK);
	/* $1 till, $2 key, $3 the request's hash, $4 staff */
	st_out = db_stmt_add("clock_out",
		"SELECT kassa_clock_out($1, $2, $3::bytea, $4)", DB_LANE_WORK);
	/* $1 staff or NULL, $2 store or NULL, $3 week or NULL */
	st_week = db_stmt_add("clock_week",
		"SELECT kassa_clock_week($1::bigint, $2::bigint, $3::text)", DB_LANE_WORK);
	/* $1 shift, $2 store or NULL */
	st_shift = db_stmt_add("clock_shift",
		"SELECT kassa_clock_shift($1::bigint, $2::bigint)", DB_LANE_WORK);
}

static int64_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return (char *)(s ? s : "");
}

/* r from the JSON object o (strings borrowed from o). */
static void clock_record_fill(Kassa__V1__ClockRecord *r, const json_t *o)
{
	kassa__v1__clock_record__init(r);
	r->clock_id = jint(o, "clock_id");
	r->staff_id = jint(o, "staff_id");
	r->staff_name = jstr(o, "staff_name");
	r->store_id = jint(o, "store_id");
	r->till_id = jint(o, "till_id");
	r->shift_id = jint(o, "shift_id");
	r->in_at = jstr(o, "in_at");
	r->out_at = jstr(o, "out_at");
	r->seconds = jint(o, "seconds");
	r->open = json_is_true(json_object_get(o, "open"));
	r->auto_closed = json_is_true(json_object_get(o, "auto_closed"));
	r->shift_seconds = jint(o, "shift_seconds");
}

/* The JSON object in res's one value, or NULL after answering c INTERNAL. */
static json_t *clock_json(Call *c, const PGresult *res)
{
	json_t *j = PQntuples(res) == 1 ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;

	if (json_is_object(j))
		return j;
	log_call(c, LOG_LVL_ERROR, "clock: no answer from the database");
	json_decref(j);
	call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s", _("internal error"));
	return NULL;
}

/* Answer c with the ClockRecord in res. */
static void clock_record_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ClockRecord rec;
	json_t *j;

	if (!call_db_ok(c, st, res) || (j = clock_json(c, res)) == NULL)
		return;
	clock_record_fill(&rec, j);
	resp.body_case = KASSA__V1__RESPONSE__BODY_CLOCK_RECORD;
	resp.clock_record = &rec;
	call_reply(c, &resp);
	json_decref(j);
}

/* Fill the page's hours from the JSON array a (h, hp: room for its size). */
static void clock_hours_fill(Kassa__V1__ClockPage *p, const json_t *a,
			     Kassa__V1__StaffWeekHours *h, Kassa__V1__StaffWeekHours **hp)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *o = json_array_get(a, i);

		kassa__v1__staff_week_hours__init(&h[i]);
		h[i].staff_id = jint(o, "staff_id");
		h[i].staff_name = jstr(o, "staff_name");
		h[i].store_id = jint(o, "store_id");
		h[i].week = jstr(o, "week");
		h[i].seconds = jint(o, "seconds");
		h[i].records = jint(o, "records");
		h[i].auto_closed = jint(o, "auto_closed");
		hp[i] = &h[i];
	}
	p->n_hours = json_array_size(a);
	p->hours = hp;
}

/* Answer c with the ClockPage in res. */
static void clock_page_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__ClockPage page = KASSA__V1__CLOCK_PAGE__INIT;
	Kassa__V1__ClockRecord *recs, **rp;
	Kassa__V1__StaffWeekHours *hours, **hp;
	const json_t *rows, *hrs;
	size_t nr, nh;
	json_t *j;

	if (!call_db_ok(c, st, res) || (j = clock_json(c, res)) == NULL)
		return;
	rows = json_object_get(j, "records");
	hrs = json_object_get(j, "hours");
	nr = json_array_size(rows);
	nh = json_array_size(hrs);
	recs = xcalloc(nr + 1, sizeof(*recs));
	rp = xcalloc(nr + 1, sizeof(*rp));
	hours = xcalloc(nh + 1, sizeof(*hours));
	hp = xcalloc(nh + 1, sizeof(*hp));
	for (size_t i = 0; i < nr; i++) {
		clock_record_fill(&recs[i], json_array_get(rows, i));
		rp[i] = &recs[i];
	}
	page.n_records = nr;
	page.records = rp;
	clock_hours_fill(&page, hrs, hours, hp);
	page.week = jstr(j, "week");
	page.shift_id = jint(j, "shift_id");
	page.shift_closed = json_is_true(json_object_get(j, "shift_closed"));
	page.expected_cash_minor = jint(j, "expected_cash_minor");
	page.counted_minor = jint(j, "counted_minor");
	page.over_short_minor = jint(j, "over_short_minor");
	page.currency = jstr(j, "currency");
	resp.body_case = KASSA__V1__RESPONSE__BODY_CLOCK_PAGE;
	resp.clock_page = &page;
	call_reply(c, &resp);
	free(recs);
	free(rp);
	free(hours);
	free(hp);
	json_decref(j);
}

/* True if staff_id is the caller; else c is answered (BAD_STAFF / NOT_YOURSELF). */
static bool clock_is_self(Call *c, int64_t staff_id)
{
	if (staff_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF", "%s",
			  _("say who clocks in or out: the staff id of the one logged in"));
		return false;
	}
	if (staff_id != c->staff_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOURSELF", "%s",
			  _("staff clock in and out only for themselves, logged in at the till"));
		return false;
	}
	return true;
}

/* Send statement stmt with the till, the key, the request's hash, then more. */
static void clock_send(Call *c, int stmt, const ProtobufCMessage *body, const char *more1,
		       const char *more2)
{
	SqlText hash = SQLTEXT_INIT;
	char till[24];
	const char *params[5];
	int n = 3;

	sqltext_hash(&hash, body);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	params[0] = till;
	params[1] = c->req->idempotency_key;
	params[2] = sqltext_str(&hash);
	params[n++] = more1;
	if (more2 != NULL)
		params[n++] = more2;
	db_query(stmt, n, params, clock_record_cb, c);
	sqltext_free(&hash);
}

void handle_clock_in(Call *c)
{
	const Kassa__V1__ClockIn *in = c->req->clock_in;
	char store[24], staff[24];

	if (!clock_is_self(c, in->staff_id))
		return;
	snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)in->staff_id);
	clock_send(c, st_in, &in->base, store, staff);
}

void handle_clock_out(Call *c)
{
	const Kassa__V1__ClockOut *out = c->req->clock_out;
	char staff[24];

	if (!clock_is_self(c, out->staff_id))
		return;
	snprintf(staff, sizeof(staff), "%lld", (long long)out->staff_id);
	clock_send(c, st_out, &out->base, staff, NULL);
}

/* "" or "YYYY-Www" with a week of 01 .. 53 (SQL checks that the week exists). */
static bool clock_week_ok(const char *w)
{
	int week;

	if (w[0] == '\0')
		return true;
	if (strlen(w) != 8 || w[4] != '-' || w[5] != 'W')
		return false;
	for (int i = 0; i < 8; i++)
		if (i != 4 && i != 5 && (w[i] < '0' || w[i] > '9'))
			return false;
	week = (w[6] - '0') * 10 + (w[7] - '0');
	return week >= 1 && week <= 53;
}

/*
 * The store a listing is cut to: a till's staff (cashier, manager) their
 * till's store whatever they asked (another is STORE_NOT_YOURS); head
 * office the one asked, 0 = every store. -1 after answering c.
 */
static int64_t clock_list_store(Call *c, int64_t asked)
{
	if ((c->role & (ROLE_ANALYST | ROLE_ADMIN)) != 0)
		return asked;
	if (asked != 0 && asked != c->sess->store_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS", "%s",
			  _("you see only your own store's clock records"));
		return -1;
	}
	return c->sess->store_id;
}

void handle_clock_list(Call *c)
{
	const Kassa__V1__ClockList *l = c->req->clock_list;
	int64_t store, staff = l->staff_id;
	char sstore[24], sstaff[24], sshift[24];

	if (l->staff_id < 0 || l->store_id < 0 || l->shift_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_ID", "%s",
			  _("ids are positive numbers (0: not given)"));
		return;
	}
	if (!clock_week_ok(l->week)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_WEEK", "%s",
			  _("a week is written YYYY-Www, like 2026-W09"));
		return;
	}
	if ((store = clock_list_store(c, l->store_id)) < 0)
		return;
	snprintf(sstore, sizeof(sstore), "%lld", (long long)store);
	if (l->shift_id != 0) {
		const char *params[2] = { sshift, store != 0 ? sstore : NULL };

		snprintf(sshift, sizeof(sshift), "%lld", (long long)l->shift_id);
		db_query(st_shift, 2, params, clock_page_cb, c);
		return;
	}
	/* a cashier sees only their own records */
	if (c->role == ROLE_CASHIER) {
		if (staff != 0 && staff != c->staff_id) {
			call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOURSELF", "%s",
				  _("a cashier sees only their own clock records"));
			return;
		}
		staff = c->staff_id;
	}
	snprintf(sstaff, sizeof(sstaff), "%lld", (long long)staff);

	const char *params[3] = {
		staff != 0 ? sstaff : NULL, store != 0 ? sstore : NULL,
		l->week[0] != '\0' ? l->week : NULL,
	};
	db_query(st_week, 3, params, clock_page_cb, c);
}

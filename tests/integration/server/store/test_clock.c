/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_clock: staff time (考勤) end to end against the real kassad.
 *
 *  - day: a fresh cashier of S002 clocks in at S002-T1, opens a shift with
 *    a float, sells for cash, signs a member up, gets two ratings, refunds
 *    a sale, clocks out and closes the shift with a Z count: the pair is one
 *    record whose duration is out - in (and within the wall clock's), the
 *    shift's staff list has the cashier with the time inside the shift and
 *    the over/short = counted - expected (both hand-computed); with the
 *    record moved to 7.5 hours, staff_hours and cashier_performance give
 *    the hand-computed hours, sales, basket, sign-ups, rating, refunds and
 *    sales per hour, and shift_staff the shift's row with its over/short and
 *    the cashier in it;
 *  - refusals: clock out without in (NOT_CLOCKED_IN), clock in twice
 *    (ALREADY_CLOCKED_IN), for someone else (NOT_YOURSELF), a bad week, a
 *    cashier listing another's records: none writes anything; a retried
 *    clock-in answers the same;
 *  - race: the same staff member clocks in from two tills at once, 12
 *    rounds on two threads: exactly one wins each time, one open record;
 *  - forgotten: a record open over 16 h is closed at in + 16 h, flagged
 *    auto_closed, by the next clock-in.
 *
 * Each test makes its own staff member (the PIN hash of a seeded one), so
 * no other test's records are touched; the day runs at S002-T1, whose
 * shift a failed earlier run may have left open (closed first).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"
#include "kc_clock.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_PRECOND KASSA__V1__STATUS_CODE__FAILED_PRECONDITION
#define TILL "S002-T1"
#define FLOAT 10000
#define ROUNDS 12

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

/* A new cashier of store `store` with the PIN of seeded staff `like`; its id or 0. */
static int64_t new_staff(Harness *h, const char *store, int like)
{
	int64_t id = it_sql_int(h, "SELECT greatest(coalesce(max(staff_id), 0), 870000000) + 1"
				" FROM staff");

	if (!CHECK(id > 0, "a staff id") ||
	    !it_sqlf(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
		     " SELECT %lld, (SELECT store_id FROM stores WHERE code = '%s'), 'Clock %lld',"
		     " 'cashier', pin_hash FROM staff WHERE staff_id = %d", (long long)id, store,
		     (long long)id, like))
		return 0;
	return id;
}

/* The clock record in r, or NULL. */
static const Kassa__V1__ClockRecord *rec(const Kassa__V1__Response *r)
{
	return r && kc_status(r) == ST_OK && r->body_case == KASSA__V1__RESPONSE__BODY_CLOCK_RECORD
	       ? r->clock_record : NULL;
}

/* The row of report `name` (default range, store) whose column col is staff; NULL if none. */
static const Kassa__V1__ReportRow *report_row(Kassa__V1__Response *r, int64_t staff, int col)
{
	char id[24];

	if (r == NULL || kc_status(r) != ST_OK || r->report_table == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%lld", (long long)staff);
	for (size_t i = 0; i < r->report_table->n_rows; i++)
		if (strcmp(r->report_table->rows[i]->cells[col], id) == 0)
			return r->report_table->rows[i];
	return NULL;
}

/* Print a row's cells joined by ',' into out. */
static const char *row_csv(const Kassa__V1__ReportRow *row, char *out, size_t n)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; row && i < row->n_cells && k < n; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? "," : "", row->cells[i]);
	return out;
}

/* The rest of the day once clocked in: shift, sales, refund; the shift's id or 0. */
static int64_t day_business(Harness *h, KassaClient *kc, int64_t *refunded)
{
	Kassa__V1__Response *r = NULL;
	int64_t shift = 0, sale[3], member;
	char phone[32], key[64];

	it_sqlf(h, "UPDATE shifts SET closed_at = now(), counted_minor = 0, report = '{}'"
		" WHERE till_id = (SELECT till_id FROM tills WHERE code = '" TILL "')"
		" AND closed_at IS NULL");
	it_fresh_name("cshift", key);
	if (CHECK(kc_shift_open(kc, FLOAT, key, &r) == KC_OK && is(r, ST_OK, NULL) &&
		  r->shift_summary, "shift open: %s", r ? kc_detail(r) : "-"))
		shift = r->shift_summary->shift_id;
	kc_response_free(r);
	r = NULL;
	member = it_register(h, kc, "Clock Signup", phone);
	for (int i = 0; i < 3; i++)
		sale[i] = it_cash_sale(h, kc, "CLK", i == 0 ? member : 0, 1000 * (i + 1));
	if (shift == 0 || member == 0 || sale[0] == 0 || sale[1] == 0 || sale[2] == 0)
		return 0;
	for (int i = 1; i <= 2; i++) {
		CHECK(kc_feedback(kc, sale[i], NULL, i == 1 ? 5 : 4, "", NULL, &r) == KC_OK &&
		      is(r, ST_OK, NULL), "feedback: %s", r ? kc_detail(r) : "-");
		kc_response_free(r);
		r = NULL;
	}
	CHECK(kc_refund(kc, sale[0], NULL, 0, 0, NULL, "clock test", NULL, &r) == KC_OK &&
	      is(r, ST_OK, NULL), "refund: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	*refunded = 1000;
	return shift;
}

/* The shift's staff list: the cashier, inside the shift, over/short hand-computed. */
static void check_shift_list(Harness *h, KassaClient *kc, int64_t staff, int64_t shift,
			     int64_t clock_id)
{
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__ClockPage *p;

	if (!CHECK(kc_clock_list(kc, 0, 0, NULL, shift, &r) == KC_OK && is(r, ST_OK, NULL) &&
		   r->clock_page, "list by shift: %s", r ? kc_detail(r) : "-"))
		goto out;
	p = r->clock_page;
	/* 100.00 float + 60.00 cash sales - 10.00 cash refund = 150.00; 149.50 counted */
	CHECK(p->shift_id == shift && p->shift_closed && p->expected_cash_minor == 15000 &&
	      p->counted_minor == 14950 && p->over_short_minor == -50 &&
	      p->over_short_minor == p->counted_minor - p->expected_cash_minor,
	      "shift figures: expected %lld counted %lld over/short %lld",
	      (long long)p->expected_cash_minor, (long long)p->counted_minor,
	      (long long)p->over_short_minor);
	CHECK(p->n_records == 1 && p->records[0]->clock_id == clock_id &&
	      p->records[0]->staff_id == staff && p->records[0]->shift_seconds >= 0 &&
	      p->records[0]->shift_seconds <= p->records[0]->seconds,
	      "who was clocked in: %zu records", p->n_records);
	CHECK(p->n_hours == 1 && p->hours[0]->staff_id == staff, "hours per staff in the shift");
	CHECK(it_sql_int(h, "SELECT count(*) FROM shifts WHERE shift_id = %lld AND"
			 " (report->>'over_short_minor')::bigint = -50", (long long)shift) == 1,
	      "the Z report stored -0.50");
out:
	kc_response_free(r);
}

/* shift_staff: the shift's row, its over/short and the cashier in it (made 7.5 hours). */
static void check_shift_report(KassaClient *an, int64_t store, int64_t staff, int64_t shift)
{
	Kassa__V1__Response *r = NULL;
	char csv[512], want[256];
	const Kassa__V1__ReportRow *row;

	CHECK(kc_report_run(an, "shift_staff", NULL, NULL, store, NULL, 0, &r) == KC_OK,
	      "shift_staff runs");
	row = report_row(r, shift, 0);
	/* shift_id,store,till,opened_at,closed_at,staff,expected,counted,over_short,who,hours */
	if (CHECK(row && row->n_cells == 11, "the shift's row"))
		CHECK(strcmp(row->cells[1], "S002") == 0 && strcmp(row->cells[2], TILL) == 0 &&
		      strcmp(row->cells[6], "15000") == 0 && strcmp(row->cells[7], "14950") == 0 &&
		      strcmp(row->cells[8], "-50") == 0 &&
		      (snprintf(want, sizeof(want), "Clock %lld ", (long long)staff),
		       strncmp(row->cells[9], want, strlen(want)) == 0),
		      "shift_staff row: %s", row_csv(row, csv, sizeof(csv)));
	kc_response_free(r);
}

/* The reports over the default range, with the record made 7.5 hours long. */
static void check_reports(Harness *h, int64_t staff, int64_t clock_id, int64_t shift)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *ad = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	int64_t s002 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	Kassa__V1__Response *r = NULL;
	char csv[512], want[512];

	if (an == NULL || ad == NULL)
		goto out;
	it_sqlf(h, "UPDATE clock_records SET in_at = out_at - interval '7 hours 30 minutes'"
		" WHERE clock_id = %lld", (long long)clock_id);
	CHECK(kc_analytics_run(ad, false, false, NULL, &r) == KC_OK && is(r, ST_OK, NULL),
	      "analytics: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_report_run(an, "staff_hours", NULL, NULL, s002, NULL, 0, &r) == KC_OK,
	      "staff_hours runs");
	/* week,staff_id,staff,store,hours,records,auto_closed,shifts,shifts_closed,over_short */
	row_csv(report_row(r, staff, 1), csv, sizeof(csv));
	snprintf(want, sizeof(want), ",%lld,Clock %lld,S002,7.50,1,0,1,1,-50", (long long)staff,
		 (long long)staff);
	CHECK(strlen(csv) > 8 && strcmp(csv + 8, want) == 0, "staff_hours row: %s", csv);
	kc_response_free(r);
	r = NULL;
	CHECK(kc_report_run(an, "cashier_performance", NULL, NULL, s002, NULL, 0, &r) == KC_OK,
	      "cashier_performance runs");
	/* 3 sales 60.00, basket 20.00, 1 sign-up, ratings 5 and 4, 1 refund of 10.00,
	   7.50 hours: 60.00 / 7.5 = 8.00 an hour */
	row_csv(report_row(r, staff, 0), csv, sizeof(csv));
	snprintf(want, sizeof(want), "%lld,Clock %lld,S002,3,6000,2000,1,4.50,2,1,1000,7.50,800",
		 (long long)staff, (long long)staff);
	CHECK(strcmp(csv, want) == 0, "cashier_performance row: %s (want %s)", csv, want);
	check_shift_report(an, s002, staff, shift);
out:
	kc_response_free(r);
	kc_free(an);
	kc_free(ad);
}

/* Guards: the whole day: one record, the shift's over/short, the reports' figures. */
static void test_day(Harness *h)
{
	int64_t staff = new_staff(h, "S002", 1002), shift = 0, clock_id = 0, refunded = 0;
	KassaClient *kc = staff ? it_login(h, TILL, staff, "2345") : NULL;
	Kassa__V1__Response *in = NULL, *out = NULL, *z = NULL;
	time_t t0 = time(NULL), t1;

	if (kc == NULL)
		goto done;
	if (!CHECK(kc_clock_in(kc, staff, NULL, &in) == KC_OK && rec(in) && rec(in)->open &&
		   rec(in)->staff_id == staff && rec(in)->seconds == 0,
		   "clock in: %s", in ? kc_detail(in) : "-"))
		goto done;
	clock_id = rec(in)->clock_id;
	shift = day_business(h, kc, &refunded);
	CHECK(kc_clock_out(kc, staff, NULL, &out) == KC_OK && rec(out) && !rec(out)->open &&
	      rec(out)->clock_id == clock_id && !rec(out)->auto_closed &&
	      rec(out)->out_at[0] != '\0', "clock out: %s", out ? kc_detail(out) : "-");
	t1 = time(NULL);
	if (rec(out))
		CHECK(rec(out)->seconds >= 0 && rec(out)->seconds <= t1 - t0 + 1 &&
		      rec(out)->seconds == it_sql_int(h, "SELECT extract(epoch FROM out_at - in_at)"
						      "::bigint FROM clock_records WHERE clock_id = %lld",
						      (long long)clock_id),
		      "the duration is out - in: %lld s", (long long)rec(out)->seconds);
	CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records WHERE staff_id = %lld",
			 (long long)staff) == 1, "one record for the pair");
	if (shift == 0 || !CHECK(kc_shift_report(kc, true, 14950, NULL, &z) == KC_OK &&
				 is(z, ST_OK, NULL) && z->shift_summary->over_short_minor == -50,
				 "Z: %s", z ? kc_detail(z) : "-"))
		goto done;
	check_shift_list(h, kc, staff, shift, clock_id);
	CHECK(refunded == 1000, "refunded");
	check_reports(h, staff, clock_id, shift);
done:
	kc_response_free(in);
	kc_response_free(out);
	kc_response_free(z);
	kc_free(kc);
}

/* Guards: refusals change nothing; a retried clock-in is the same answer. */
static void test_refusals(Harness *h)
{
	int64_t staff = new_staff(h, "S001", 1001);
	KassaClient *kc = staff ? it_login(h, "S001-T1", staff, "1234") : NULL;
	Kassa__V1__Response *r = NULL, *a = NULL, *b = NULL;
	char key[KC_KEY_LEN];
	int64_t audits;

	if (kc == NULL)
		return;
	audits = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE staff_id = %lld",
			    (long long)staff);
	CHECK(kc_clock_out(kc, staff, NULL, &r) == KC_OK && is(r, ST_PRECOND, "NOT_CLOCKED_IN"),
	      "clock out without in: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_in(kc, 1001, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOURSELF"), "someone else");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_in(kc, 0, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF"), "nobody");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records WHERE staff_id = %lld",
			 (long long)staff) == 0 &&
	      it_sql_int(h, "SELECT count(*) FROM audit_log WHERE staff_id = %lld",
			 (long long)staff) == audits, "the refusals wrote nothing");
	kc_new_key(key);
	CHECK(kc_clock_in(kc, staff, key, &a) == KC_OK && rec(a), "clock in");
	CHECK(kc_clock_in(kc, staff, key, &b) == KC_OK && it_same_response(a, b),
	      "a retried clock-in answers the same");
	CHECK(kc_clock_in(kc, staff, NULL, &r) == KC_OK && is(r, ST_PRECOND, "ALREADY_CLOCKED_IN"),
	      "clock in twice: %s", r ? kc_detail(r) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records WHERE staff_id = %lld",
			 (long long)staff) == 1 &&
	      it_sql_int(h, "SELECT count(*) FROM audit_log WHERE staff_id = %lld AND"
			 " action = 'clock.in'", (long long)staff) == 1, "one record, one audit row");
	CHECK(kc_clock_list(kc, 0, 0, "2026-W60", 0, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_WEEK"), "week 60");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_list(kc, 1001, 0, NULL, 0, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOURSELF"),
	      "a cashier lists only their own");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_list(kc, 0, 0, NULL, 0, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->clock_page->n_records == 1 && r->clock_page->records[0]->open &&
	      r->clock_page->n_hours == 1 && r->clock_page->hours[0]->records == 1 &&
	      strlen(r->clock_page->week) == 8, "this week: the open record");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_out(kc, staff, NULL, &r) == KC_OK && rec(r), "clock out");
	kc_response_free(r);
	kc_response_free(a);
	kc_response_free(b);
	kc_free(kc);
}

typedef struct Racer {
	Harness *h;
	KassaClient *kc;
	int64_t staff;
	pthread_barrier_t *bar;
	int wins, refused;
} Racer;

static void *racer(void *arg)
{
	Racer *x = arg;

	for (int i = 0; i < ROUNDS; i++) {
		Kassa__V1__Response *r = NULL;

		pthread_barrier_wait(x->bar);
		if (kc_clock_in(x->kc, x->staff, NULL, &r) == KC_OK) {
			x->wins += rec(r) != NULL;
			x->refused += is(r, ST_PRECOND, "ALREADY_CLOCKED_IN");
		}
		kc_response_free(r);
		pthread_barrier_wait(x->bar);	/* both answered: round i is over */
		pthread_barrier_wait(x->bar);	/* ... and the main thread clocked out */
	}
	return NULL;
}

/* Guards: concurrent clock-ins from two tills for one person: exactly one open record. */
static void test_race(Harness *h)
{
	int64_t staff = new_staff(h, "S001", 1001);
	Racer x[2] = { { h, NULL, staff, NULL, 0, 0 }, { h, NULL, staff, NULL, 0, 0 } };
	KassaClient *kc = staff ? it_login(h, "S001-T1", staff, "1234") : NULL;
	pthread_barrier_t bar;
	pthread_t th[2];

	x[0].kc = kc ? it_login(h, "S001-T1", staff, "1234") : NULL;
	x[1].kc = kc ? it_login(h, "S001-T2", staff, "1234") : NULL;
	if (x[0].kc == NULL || x[1].kc == NULL)
		goto out;
	pthread_barrier_init(&bar, NULL, 3);
	x[0].bar = x[1].bar = &bar;
	pthread_create(&th[0], NULL, racer, &x[0]);
	pthread_create(&th[1], NULL, racer, &x[1]);
	for (int i = 0; i < ROUNDS; i++) {
		Kassa__V1__Response *r = NULL;

		pthread_barrier_wait(&bar);
		pthread_barrier_wait(&bar);
		CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records WHERE staff_id = %lld AND"
				 " out_at IS NULL", (long long)staff) == 1, "round %d: one open", i);
		CHECK(kc_clock_out(kc, staff, NULL, &r) == KC_OK && rec(r), "round %d: out", i);
		kc_response_free(r);
		pthread_barrier_wait(&bar);
	}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	pthread_barrier_destroy(&bar);
	CHECK(x[0].wins + x[1].wins == ROUNDS && x[0].refused + x[1].refused == ROUNDS,
	      "one winner a round: %d + %d wins, %d + %d refused", x[0].wins, x[1].wins,
	      x[0].refused, x[1].refused);
	CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records a JOIN clock_records b ON"
			 " a.staff_id = b.staff_id AND a.clock_id < b.clock_id AND"
			 " tstzrange(a.in_at, a.out_at) && tstzrange(b.in_at, b.out_at)"
			 " WHERE a.staff_id = %lld", (long long)staff) == 0, "no overlapping pairs");
out:
	kc_free(x[0].kc);
	kc_free(x[1].kc);
	kc_free(kc);
}

/* Guards: a forgotten clock-out is closed at in + 16 h, flagged, by the next clock-in. */
static void test_forgotten(Harness *h)
{
	int64_t staff = new_staff(h, "S001", 1001), old;
	KassaClient *kc = staff ? it_login(h, "S001-T1", staff, "1234") : NULL;
	Kassa__V1__Response *r = NULL;

	if (kc == NULL || !CHECK(kc_clock_in(kc, staff, NULL, &r) == KC_OK && rec(r), "in"))
		goto out;
	old = rec(r)->clock_id;
	kc_response_free(r);
	r = NULL;
	it_sqlf(h, "UPDATE clock_records SET in_at = now() - interval '20 hours'"
		" WHERE clock_id = %lld", (long long)old);
	CHECK(kc_clock_in(kc, staff, NULL, &r) == KC_OK && rec(r) && rec(r)->clock_id != old,
	      "the next clock-in: %s", r ? kc_detail(r) : "-");
	CHECK(it_sql_int(h, "SELECT count(*) FROM clock_records WHERE clock_id = %lld AND"
			 " auto_closed AND out_at = in_at + interval '16 hours'", (long long)old) == 1,
	      "closed at in + 16 h, flagged");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_clock_out(kc, staff, NULL, &r) == KC_OK && rec(r) && !rec(r)->auto_closed,
	      "the new one closes normally");
out:
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "day", test_day },
	{ "refusals", test_refusals },
	{ "race", test_race },
	{ "forgotten", test_forgotten },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

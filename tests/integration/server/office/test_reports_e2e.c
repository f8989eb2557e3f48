/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reports_e2e: the whole path of head office's figures, from the
 * till to the report: real sales, a refund, a late offline sale, a top-up,
 * ratings and a sign-up (the till protocol, as cashiers), then the
 * analytics job (AnalyticsRun, as the administrator), then ReportRun (as
 * the analyst) of sales_daily, sales_by_store, sales_hourly, items_top,
 * categories, member_share, staff, points and stored_value, every cell
 * against figures worked out by hand below. It runs on a database and a
 * kassad of its own (analytics_env.c: no other test's sales, the job only
 * when asked, the server's business day in Asia/Shanghai), so that the
 * chain-wide figures hold only this day's business.
 *
 * The day of business, D (4 or 5 days ago, so that D and D + 1 share a
 * month), at S001 (Asia/Shanghai, cashier 1001) and S002 (moved to
 * America/New_York, cashier 1002). Products: E-TEA 10.00 (drinks), E-RICE
 * 25.00 (grain), E-SOAP 4.00 (home). Members: X and M signed up at S001 by
 * 1001, W at S002 by 1002, all on D. The rule set is the shipped one: a
 * point per 10.00 paid (stored value earns none), 100 points = 10.00.
 * Times are the store's own; SQL only moves each row to its time.
 *
 *   S001  D 09:00    X tops up 100.00 in cash (no sale)
 *         D 10:00 t1 X: 2 tea + 2 rice = 70.00 cash; earns 7 (tea 2, rice 5)
 *         D 12:30 t2 anonymous: 3 soap = 12.00; rated 5
 *         D 15:00 t5 M: 2 soap = 8.00, offline, replayed after the first
 *                    run with sold_at D 15:00 (earns 0: under 10.00)
 *         D 23:40 t3 X: 1 tea = 10.00 from the wallet (earns 0)
 *       D+1 00:15 t4 anonymous: 1 rice = 25.00
 *       D+1 11:00    refund of t1's rice line: 50.00, the 5 points clawed back
 *   S002  D 23:20 t6 W: 1 rice + 1 soap = 29.00; earns 2 (D+1 12:20 or
 *                    11:20 in Shanghai)
 *       D+1 00:30 t7 anonymous: 3 tea = 30.00; rated 2
 *
 * Then M is merged into X and W erased (SQL, as the member tools would).
 * By bucket (store, business day):
 *   S001 D    t1 t2 t3 t5: 4 sales, 10 units, 100.00; members t1 t3 t5 88.00
 *   S001 D+1  t4: 1 sale, 1 unit, 25.00; the refund 50.00
 *   S002 D    t6: 1 sale, 2 units, 29.00, a member's
 *   S002 D+1  t7: 1 sale, 3 units, 30.00
 * Chain-wide over D..D+1: 7 sales, 184.00.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analytics_env.h"
#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define WALLET KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define TEXT_MAX 1024
#define ROW_MAX 256

static AnalyticsEnv env;
static char day0[16], day1[16];		/* D and D + 1, "YYYY-MM-DD" */
static char month[16];			/* the first day of D's month */
static int64_t s001, s002;		/* the stores */
static int64_t mx, mm, mw;		/* members X, M (merged into X), W (erased) */
static int64_t txn[8];			/* t1..t7 at [1..7] */
static bool business_ok, job_ok;

/* First column of sql (formatted) into out (TEXT_MAX); "" + failure if it fails. */
static const char *sql_text(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *sql_text(char *out, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (!harness_psql_scalar(&env.h, sql, out, TEXT_MAX)) {
		CHECK(false, "query failed: %s", sql);
		out[0] = '\0';
	}
	return out;
}

/* ---- the requests of the day ---- */

/* A sale of lines[0..n) to member (0: anonymous) paid with one tender of kind; its txn_id. */
static int64_t sale(KassaClient *kc, int64_t member, const KcLine *lines, size_t n,
		    Kassa__V1__TenderKind kind, int64_t total)
{
	KcTender t = { kind, total, NULL };
	KcSale s = { .lines = lines, .nlines = n, .member_id = member, .tenders = &t,
		     .ntenders = 1 };
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t id = 0;

	kc_new_key(key);
	if (CHECK(kc_checkout(kc, &s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->transaction, "sale to %lld: %s", (long long)member,
		  r ? kc_message(r) : kc_last_error(kc)) &&
	    CHECK(r->transaction->total_minor == total, "total %lld, want %lld",
		  (long long)r->transaction->total_minor, (long long)total))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

/* An offline sale replayed: 2 soap to member at sold_at (RFC 3339), cash 8.00. */
static int64_t offline_sale(KassaClient *kc, int64_t member, const char *sold_at)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t id = 0;

	line.code = (char *)"E-SOAP";
	line.quantity = 2;
	t.kind = CASH;
	t.amount_minor = 800;
	co.n_lines = 1;
	co.lines = &lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.member_id = member;
	co.sold_at = (char *)sold_at;
	co.offline = true;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	kc_new_key(key);
	req.idempotency_key = key;
	if (CHECK(kc_call(kc, &req, &r) == KC_OK && r && kc_status(r) == ST_OK && r->transaction &&
		  r->transaction->total_minor == 800, "offline sale at %s: %s", sold_at,
		  r ? kc_message(r) : kc_last_error(kc)))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

/* The customer's rating of sale t; true if recorded. */
static bool rate(KassaClient *kc, int64_t t, int rating)
{
	Kassa__V1__Response *r = NULL;
	bool ok = CHECK(kc_feedback(kc, t, NULL, rating, "", NULL, &r) == KC_OK && r &&
			kc_status(r) == ST_OK, "rating of %lld: %s", (long long)t,
			r ? kc_message(r) : kc_last_error(kc));

	kc_response_free(r);
	return ok;
}

/* X's top-up of 100.00 in cash at s1. */
static bool top_up(KassaClient *s1)
{
	KcTender cash = { CASH, 10000, NULL };
	Kassa__V1__Response *r = NULL;
	bool ok = CHECK(kc_top_up(s1, mx, 10000, &cash, 1, NULL, &r) == KC_OK && r &&
			kc_status(r) == ST_OK, "top-up: %s", r ? kc_message(r) : kc_last_error(s1));

	kc_response_free(r);
	return ok;
}

/* Refund line 2 (the rice) of t1 at s1; the refund_id, 0 + failure. */
static int64_t refund_rice(KassaClient *s1)
{
	static const int32_t line_no = 2;
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	if (CHECK(kc_refund(s1, txn[1], &line_no, 1, 0, NULL, "e2e", NULL, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->refund_record &&
		  r->refund_record->amount_minor == 5000, "refund of t1's rice: %s",
		  r ? kc_message(r) : kc_last_error(s1)))
		id = r->refund_record->refund_id;
	kc_response_free(r);
	return id;
}

/* The online sales t1 t2 t3 t4 (S001) and t6 t7 (S002). */
static bool online_sales(KassaClient *s1, KassaClient *s2)
{
	static const KcLine t1[] = { { "E-TEA", 2, false }, { "E-RICE", 2, false } };
	static const KcLine t2[] = { { "E-SOAP", 3, false } };
	static const KcLine t3[] = { { "E-TEA", 1, false } };
	static const KcLine t4[] = { { "E-RICE", 1, false } };
	static const KcLine t6[] = { { "E-RICE", 1, false }, { "E-SOAP", 1, false } };
	static const KcLine t7[] = { { "E-TEA", 3, false } };

	txn[1] = sale(s1, mx, t1, 2, CASH, 7000);
	txn[2] = sale(s1, 0, t2, 1, CASH, 1200);
	txn[3] = sale(s1, mx, t3, 1, WALLET, 1000);
	txn[4] = sale(s1, 0, t4, 1, CASH, 2500);
	txn[6] = sale(s2, mw, t6, 2, CASH, 2900);
	txn[7] = sale(s2, 0, t7, 1, CASH, 3000);
	return txn[1] && txn[2] && txn[3] && txn[4] && txn[6] && txn[7];
}

/* Put txn t at day_offset days after D, hhmm in its store's zone. */
static bool place(int64_t t, int day_offset, const char *hhmm)
{
	return it_sqlf(&env.h, "UPDATE transactions x SET created_at = ('%s'::date + %d + '%s'::time)"
		       " AT TIME ZONE s.timezone FROM stores s WHERE s.store_id = x.store_id"
		       " AND x.txn_id = %lld", day0, day_offset, hhmm, (long long)t);
}

/*
 * Every row at its time: the sales, X's top-up (and its ledger row), the
 * ledger rows of the sales (at their sale's time), the refund and its
 * clawback, the ratings five minutes after their sales, the sign-ups.
 */
static bool place_all(int64_t refund_id)
{
	return place(txn[1], 0, "10:00") && place(txn[2], 0, "12:30") &&
	       place(txn[3], 0, "23:40") && place(txn[4], 1, "00:15") &&
	       place(txn[6], 0, "23:20") && place(txn[7], 1, "00:30") &&
	       it_sqlf(&env.h,
		       "UPDATE transactions SET created_at = ('%s'::date + time '09:00') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE kind = 'topup' AND member_id = %lld;"
		       "UPDATE wallet_ledger SET created_at = ('%s'::date + time '09:00') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE member_id = %lld AND kind = 'topup';"
		       "UPDATE wallet_ledger l SET created_at = t.created_at FROM transactions t"
		       " WHERE l.txn_id = t.txn_id AND l.kind = 'spend';"
		       "UPDATE points_ledger l SET created_at = t.created_at FROM transactions t"
		       " WHERE l.txn_id = t.txn_id AND l.kind = 'earn';"
		       "UPDATE refunds SET created_at = ('%s'::date + time '11:00') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE refund_id = %lld;"
		       "UPDATE points_ledger SET created_at = ('%s'::date + time '11:00') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE refund_id = %lld;"
		       "UPDATE feedback f SET created_at = t.created_at + interval '5 minutes'"
		       " FROM transactions t WHERE t.txn_id = f.txn_id;"
		       "UPDATE members SET created_at = ('%s'::date + time '08:30') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE member_id = %lld;"
		       "UPDATE members SET created_at = ('%s'::date + time '14:00') AT TIME ZONE"
		       " 'Asia/Shanghai' WHERE member_id = %lld;"
		       "UPDATE members SET created_at = ('%s'::date + time '20:00') AT TIME ZONE"
		       " 'America/New_York' WHERE member_id = %lld",
		       day0, (long long)mx, day0, (long long)mx, day1, (long long)refund_id, day1,
		       (long long)refund_id, day0, (long long)mx, day0, (long long)mm, day0,
		       (long long)mw);
}

/* ---- the environment and the day ---- */

static void test_env(Harness *h)
{
	if (!analytics_env_up(&env, h))
		return;
	CHECK(it_sqlf(&env.h, "UPDATE stores SET timezone = 'America/New_York' WHERE code = 'S002';"
		      " INSERT INTO products (sku, name, category, price_minor) VALUES"
		      " ('E-TEA', 'Tea', 'drinks', 1000), ('E-RICE', 'Rice', 'grain', 2500),"
		      " ('E-SOAP', 'Soap', 'home', 400)"), "the test's stores and products");
	/* D: 4 days ago in Shanghai, or 5 when D + 1 would be in the next month */
	sql_text(day0, "SELECT max(d)::text FROM (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date"
		 " - k AS d FROM generate_series(4, 5) k) q"
		 " WHERE date_trunc('month', d) = date_trunc('month', d + 1)");
	sql_text(day1, "SELECT ('%s'::date + 1)::text", day0);
	sql_text(month, "SELECT date_trunc('month', '%s'::date)::date::text", day0);
	s001 = it_sql_int(&env.h, "SELECT store_id FROM stores WHERE code = 'S001'");
	s002 = it_sql_int(&env.h, "SELECT store_id FROM stores WHERE code = 'S002'");
	CHECK(day0[0] != '\0' && day1[0] != '\0' && s001 > 0 && s002 > 0, "day D and the stores");
}

static void test_business(Harness *h)
{
	KassaClient *s1 = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	KassaClient *s2 = env.up ? it_login(&env.h, "S002-T1", 1002, "2345") : NULL;
	char phone[32];
	int64_t rf;

	(void)h;
	if (!CHECK(s1 && s2, "the test's kassad serves"))
		goto out;
	mx = it_register(&env.h, s1, "E2E X", phone);
	mm = it_register(&env.h, s1, "E2E M", phone);
	mw = it_register(&env.h, s2, "E2E W", phone);
	if (!mx || !mm || !mw || !top_up(s1) || !online_sales(s1, s2))
		goto out;
	rf = refund_rice(s1);
	if (rf == 0 || !rate(s1, txn[2], 5) || !rate(s2, txn[7], 2) || !place_all(rf))
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 0, "online sales mark nothing");
	business_ok = true;
out:
	kc_free(s2);
	kc_free(s1);
}

/* ---- the job ---- */

/* Run the job as the administrator; true if it answered OK. */
static bool run_job(bool rebuild)
{
	KassaClient *kc = it_login(&env.h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	bool ok;

	if (kc == NULL)
		return false;
	ok = CHECK(kc_analytics_run(kc, false, rebuild, NULL, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK && r->analytics_done, "analytics run%s: %s",
		   rebuild ? " rebuild" : "", r ? kc_message(r) : kc_last_error(kc));
	kc_response_free(r);
	kc_free(kc);
	return ok;
}

/*
 * A rebuild takes the day as placed; then M's sale made offline at
 * D 15:00 is replayed, which marks (S001, D); then M is merged into X and
 * W erased, and a plain run (today and yesterday, and the marked bucket)
 * puts the late sale into D's figures.
 */
static void test_job(Harness *h)
{
	KassaClient *s1 = NULL;
	char sold_at[48];
	int64_t before;

	(void)h;
	if (!CHECK(business_ok, "the day of business is there") || !run_job(true))
		return;
	before = it_sql_int(&env.h, "SELECT sales FROM agg_sales_day WHERE store_id = %lld"
			    " AND day = '%s'", (long long)s001, day0);
	CHECK(before == 3, "before the late sale S001's D has 3 sales (%lld)", (long long)before);
	snprintf(sold_at, sizeof(sold_at), "%sT15:00:00+08:00", day0);
	s1 = it_login(&env.h, "S001-T1", 1001, "1234");
	if (s1 == NULL || (txn[5] = offline_sale(s1, mm, sold_at)) == 0)
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty WHERE store_id = %lld AND"
			 " day = '%s'", (long long)s001, day0) == 1,
	      "the late sale marked S001's D in its checkout");
	if (!it_sqlf(&env.h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld;"
		     " UPDATE members SET erased_at = now() WHERE member_id = %lld",
		     (long long)mx, (long long)mm, (long long)mw) || !run_job(false))
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 0, "the run took the mark");
	job_ok = true;
out:
	kc_free(s1);
}

/* ---- the reports ---- */

/* ReportRun name as the analyst; the table, NULL + failure unless it answers OK. */
static Kassa__V1__Response *table(const char *name, const char *from, const char *to,
				  int64_t store)
{
	KassaClient *an = it_login(&env.h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r = NULL;

	if (an == NULL)
		return NULL;
	if (!CHECK(kc_report_run(an, name, from, to, store, "", 0, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK && r->report_table, "report %s %s..%s: %s", name, from,
		   to, r ? kc_message(r) : kc_last_error(an))) {
		kc_response_free(r);
		r = NULL;
	}
	kc_free(an);
	return r;
}

/* Check r's column keys (comma-separated) and its rows, then free r. */
static void expect(const char *what, Kassa__V1__Response *r, const char *keys,
		   const char *const *rows, size_t n)
{
	const Kassa__V1__ReportTable *t;
	char buf[TEXT_MAX];
	size_t len;

	if (r == NULL)
		return;
	t = r->report_table;
	buf[0] = '\0';
	for (size_t j = 0; j < t->n_columns; j++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", j ? "," : "",
			 t->columns[j]->key);
	CHECK(strcmp(buf, keys) == 0, "%s: columns %s, want %s", what, buf, keys);
	CHECK(t->n_rows == n, "%s: %zu rows, want %zu", what, t->n_rows, n);
	for (size_t i = 0; i < t->n_rows && i < n; i++) {
		buf[0] = '\0';
		for (size_t j = 0; j < t->rows[i]->n_cells; j++) {
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "%s%s", j ? "," : "",
				 t->rows[i]->cells[j]);
		}
		CHECK(strcmp(buf, rows[i]) == 0, "%s row %zu:\n       got  %s\n       want %s", what,
		      i, buf, rows[i]);
	}
	kc_response_free(r);	/* expect() takes r */
}

/* Check r's notes, "key=value" each, space-separated, in order (r is not freed). */
static void expect_notes(const char *what, const Kassa__V1__Response *r, const char *want)
{
	char buf[TEXT_MAX];

	if (r == NULL)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < r->report_table->n_notes; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s=%s", i ? " " : "",
			 r->report_table->notes[i]->key, r->report_table->notes[i]->value);
	CHECK(strcmp(buf, want) == 0, "%s notes:\n       got  %s\n       want %s", what, buf, want);
}

/*
 * sales_daily, by day then store; basket = total / sales; the member
 * share is of the money; a refund counts on its own day, so S001's D + 1
 * nets 25.00 - 50.00.
 *   S001 D    4 sales, 10 units, 100.00, basket 25.00, members 88.00 = 88.00%
 *   S002 D    1, 2, 29.00, 29.00, W's: 100%
 *   S001 D+1  1, 1, 25.00, 25.00, 0%, refund 1 of 50.00, net -25.00
 *   S002 D+1  1, 3, 30.00, 30.00, 0%
 * sales_by_store over D..D+1, by money:
 *   S001  5 sales, 11 units, 125.00, basket 25.00, members 88.00 / 125.00 =
 *         70.40%, refund 50.00, net 75.00, share 125.00 / 184.00 = 67.93%
 *   S002  2, 5, 59.00, basket 29.50, 29.00 / 59.00 = 49.15%, net 59.00,
 *         share 59.00 / 184.00 = 32.07%
 */
static void test_sales(Harness *h)
{
	char r[4][ROW_MAX];
	const char *want[4] = { r[0], r[1], r[2], r[3] };

	(void)h;
	if (!CHECK(job_ok, "the job ran"))
		return;
	snprintf(r[0], ROW_MAX, "S001,%s,4,10,10000,2500,8800,0,0,10000", day0);
	snprintf(r[1], ROW_MAX, "S002,%s,1,2,2900,2900,10000,0,0,2900", day0);
	snprintf(r[2], ROW_MAX, "S001,%s,1,1,2500,2500,0,1,5000,-2500", day1);
	snprintf(r[3], ROW_MAX, "S002,%s,1,3,3000,3000,0,0,0,3000", day1);
	expect("sales_daily", table("sales_daily", day0, day1, 0), "store,day,sales,items,"
	       "total_minor,basket_minor,member_share_bp,refunds,refund_minor,net_minor", want, 4);
	/* D alone: the sales either side of each store's midnight fall apart */
	expect("sales_daily D", table("sales_daily", day0, day0, 0), "store,day,sales,items,"
	       "total_minor,basket_minor,member_share_bp,refunds,refund_minor,net_minor", want, 2);
	snprintf(r[0], ROW_MAX, "S001,Shanghai Xujiahui,5,11,12500,2500,7040,1,5000,7500,6793");
	snprintf(r[1], ROW_MAX, "S002,Beijing Chaoyang,2,5,5900,2950,4915,0,0,5900,3207");
	expect("sales_by_store", table("sales_by_store", day0, day1, 0), "store,store_name,sales,"
	       "items,total_minor,basket_minor,member_share_bp,refunds,refund_minor,net_minor,"
	       "share_bp", want, 2);
}

/*
 * sales_hourly by the stores' local hours over D..D+1 (share of 184.00):
 *   0   t4 25.00 + t7 30.00: 2 sales, 55.00, basket 27.50, 29.89%
 *   10  t1 70.00, a member's: 38.04%
 *   12  t2 12.00: 6.52%
 *   15  t5 8.00 (the late sale at its own hour), a member's: 4.35%
 *   23  t3 10.00 (S001) + t6 29.00 (S002), both members': 39.00, basket
 *       19.50, 21.20%
 * member_share by day, chain-wide:
 *   D    5 sales, 4 of members (t1 t3 t5 t6: M merged and W erased still
 *        count) = 80.00%; 129.00, members 117.00 = 90.70%
 *   D+1  2 sales, none of members; 55.00
 */
static void test_hours_members(Harness *h)
{
	static const char *const hours[] = {
		"0,2,5500,2750,0,2989", "10,1,7000,7000,1,3804", "12,1,1200,1200,0,652",
		"15,1,800,800,1,435", "23,2,3900,1950,2,2120",
	};
	char r[2][ROW_MAX];
	const char *want[2] = { r[0], r[1] };

	(void)h;
	if (!CHECK(job_ok, "the job ran"))
		return;
	expect("sales_hourly", table("sales_hourly", day0, day1, 0), "hour,sales,total_minor,"
	       "basket_minor,member_sales,share_bp", hours, 5);
	snprintf(r[0], ROW_MAX, "%s,5,4,8000,12900,11700,9070", day0);
	snprintf(r[1], ROW_MAX, "%s,2,0,0,5500,0,0", day1);
	expect("member_share", table("member_share", day0, day1, 0), "day,sales,member_sales,"
	       "sales_share_bp,total_minor,member_total_minor,money_share_bp", want, 2);
}

/*
 * items_top over D..D+1, every store (agg_product_chain_day): by units,
 * then net money; the refunded rice stays sold (a refund counts as money
 * on its own day, not as units back):
 *   tea   t1 2 + t3 1 + t7 3 = 6 units, 60.00 of 184.00 = 32.61%
 *   soap  t2 3 + t5 2 + t6 1 = 6 units, 24.00: 13.04% (fewer money, second)
 *   rice  t1 2 + t4 1 + t6 1 = 4 units, 100.00: 54.35%
 * D alone: soap 6 (24.00 of 129.00 = 18.60%), rice t1 2 + t6 1 = 3
 * (75.00, 58.14%), tea t1 2 + t3 1 = 3 (30.00, 23.26%).
 * S002 alone (agg_product_day): tea 3 (30.00 of 59.00 = 50.85%), rice 1
 * (25.00, 42.37%), soap 1 (4.00, 6.78%).
 * categories over D..D+1 by money, with the sales holding each:
 *   grain 4 units, 100.00, 3 sales (t1 t4 t6); drinks 6, 60.00, 3 (t1 t3
 *   t7); home 6, 24.00, 3 (t2 t5 t6)
 */
static void test_items(Harness *h)
{
	static const char *const top[] = {
		"1,E-TEA,Tea,drinks,6,6000,3261", "2,E-SOAP,Soap,home,6,2400,1304",
		"3,E-RICE,Rice,grain,4,10000,5435",
	};
	static const char *const top_d[] = {
		"1,E-SOAP,Soap,home,6,2400,1860", "2,E-RICE,Rice,grain,3,7500,5814",
		"3,E-TEA,Tea,drinks,3,3000,2326",
	};
	static const char *const top_s002[] = {
		"1,E-TEA,Tea,drinks,3,3000,5085", "2,E-RICE,Rice,grain,1,2500,4237",
		"3,E-SOAP,Soap,home,1,400,678",
	};
	static const char *const cats[] = {
		"grain,4,10000,3,5435", "drinks,6,6000,3,3261", "home,6,2400,3,1304",
	};
	static const char *const keys = "rank,sku,name,category,quantity,net_minor,share_bp";

	(void)h;
	if (!CHECK(job_ok, "the job ran"))
		return;
	expect("items_top", table("items_top", day0, day1, 0), keys, top, 3);
	expect("items_top D", table("items_top", day0, day0, 0), keys, top_d, 3);
	expect("items_top S002", table("items_top", day0, day1, s002), keys, top_s002, 3);
	expect("categories", table("categories", day0, day1, 0),
	       "category,quantity,net_minor,sales,share_bp", cats, 3);
}

/*
 * staff over D..D+1, by money:
 *   1001 (S001)  5 sales, 11 units, 125.00, basket 25.00, 3 with a member
 *                (t1 t3 t5), 1 sign-up (X; M was merged away), the refund
 *                of 50.00, rated 5 once
 *   1002 (S002)  2 sales, 5 units, 59.00, basket 29.50, 1 with a member,
 *                1 sign-up (W: erased, but signed up all the same), rated 2
 */
static void test_staff(Harness *h)
{
	static const char *const want[] = {
		"1001,李娜 Li Na,S001,5,11,12500,2500,3,1,1,5000,5.00,1",
		"1002,王强 Wang Qiang,S002,2,5,5900,2950,1,1,0,0,2.00,1",
	};

	(void)h;
	if (!CHECK(job_ok, "the job ran"))
		return;
	expect("staff", table("staff", day0, day1, 0), "staff_id,staff,store,sales,items,"
	       "total_minor,basket_minor,member_sales,signups,refunds,refund_minor,rating,ratings",
	       want, 2);
}

/*
 * points over D..D+1 (one month row, its first day), by the ledger's day
 * in Shanghai: issued t1 7 (D) + t6 2 (D + 1 in Shanghai), clawed back 5
 * (the rice), net 4. Nothing else earned: t3 was paid from the wallet,
 * t5 is under 10.00. The liability now: X 7 - 5 = 2 and W 2 (an erased
 * member's points are still owed) = 4 points of 2 members, at 10.00 per
 * 100 points = 0.40.
 * stored_value: X's 100.00 topped up (no bonus under 1000.00), 10.00 spent
 * on t3, net 90.00; the liability is X's wallet, 90.00.
 */
static void test_loyalty(Harness *h)
{
	char r[1][ROW_MAX];
	const char *want[1] = { r[0] };
	Kassa__V1__Response *t;

	(void)h;
	if (!CHECK(job_ok, "the job ran"))
		return;
	snprintf(r[0], ROW_MAX, "%s,9,0,0,0,0,5,4", month);
	t = table("points", day0, day1, 0);
	expect_notes("points", t, "liability_points=4 liability_members=2 liability_minor=40"
		     " rule_version=1 step_value_minor=1000 points_step=100");
	expect("points", t, "month,issued,restored,redeemed,expired,adjusted,clawed_back,net",
	       want, 1);
	snprintf(r[0], ROW_MAX, "%s,10000,0,1000,0,0,9000", month);
	t = table("stored_value", day0, day1, 0);
	expect_notes("stored_value", t, "liability_minor=9000 liability_wallets=1");
	expect("stored_value", t, "month,topped_up_minor,bonus_minor,spent_minor,refunded_minor,"
	       "adjusted_minor,net_minor", want, 1);
}

static void test_done(Harness *h)
{
	analytics_env_down(&env, h);
}

static const HarnessTest tests[] = {
	{ "env", test_env },
	{ "business", test_business },
	{ "job", test_job },
	{ "sales", test_sales },
	{ "hours_members", test_hours_members },
	{ "items", test_items },
	{ "staff", test_staff },
	{ "loyalty", test_loyalty },
	{ "done", test_done },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

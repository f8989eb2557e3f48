/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reports_sales: ReportRun's sales reports against figures worked
 * out by hand on a small fixed set. Two stores of this run (A in
 * Asia/Shanghai, B in America/New_York) and S001, March 2019 (a month no
 * other test touches): the day aggregates with a refund at each store,
 * hour, product, category and cashier aggregates, members with their
 * stats (one erased, whose figures stay, one merged into another, who
 * counts no more), tier changes at a sale and in the audit log, sign-ups
 * and ratings a few hours either side of midnight in New York (the store's
 * zone decides the day, not UTC's). Checked: every report's rows cell by
 * cell, a manager's store filter (their store only; another store is
 * refused), the report list, the freshness fields, and the refusals (bad
 * dates, from after to, more than three years, an unknown report, a
 * filter a report does not take, a cashier). Paging: a year (2017) of 60
 * stores' days is more than one page; every page, in turn, carries the
 * columns and notes and the next rows in order, each row exactly once, the
 * last page's next is "", kc_report_all joins them all, and a malformed
 * cursor is refused BAD_CURSOR.
 *
 * Until the analytics job fills the aggregates from real sales, the test
 * writes the aggregate rows itself: it checks the reports, not the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_BAD KASSA__V1__STATUS_CODE__INVALID_ARGUMENT
#define MAR_FROM "2019-03-01"
#define MAR_TO "2019-03-31"

typedef struct Fix {
	char a_code[64], b_code[64], cat[64], other_cat[64], sku[5][80];
	int64_t a, b, s001, till;
	int64_t m[6];		/* m1..m4 (A), m5 (A, never bought), erased (A) */
	int64_t merged;		/* merged into m[1] */
	int64_t x, y;		/* cashiers at B */
} Fix;

static Fix fx;
static bool fx_ok;

/* ---- set-up ---- */

static int64_t new_member(Harness *h, const char *name, const char *tier)
{
	char phone[32];

	it_fresh_phone(phone);
	return it_sql_int(h, "INSERT INTO members (phone, card_no, name, tier) VALUES ('%s', "
			  "'RPT%s', '%s', '%s') RETURNING member_id", phone, phone + 1, name, tier);
}

static bool setup_stores(Harness *h)
{
	it_fresh_name("RPTA", fx.a_code);
	it_fresh_name("RPTB", fx.b_code);
	it_fresh_name("rpt-cat", fx.cat);
	it_fresh_name("rpt-other", fx.other_cat);
	if (!it_sqlf(h, "DELETE FROM agg_sales_day WHERE day BETWEEN '2019-01-01' AND '2019-12-31';"
		     "DELETE FROM agg_sales_hour WHERE day BETWEEN '2019-01-01' AND '2019-12-31';"
		     "INSERT INTO stores (code, name, timezone) VALUES ('%s', '上海徐汇店 A', "
		     "'Asia/Shanghai'), ('%s', 'New York B', 'America/New_York')",
		     fx.a_code, fx.b_code))
		return false;
	fx.a = it_sql_int(h, "SELECT store_id FROM stores WHERE code = '%s'", fx.a_code);
	fx.b = it_sql_int(h, "SELECT store_id FROM stores WHERE code = '%s'", fx.b_code);
	fx.s001 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	fx.till = it_sql_int(h, "SELECT till_id FROM tills WHERE code = 'S001-T1'");
	return fx.a > 0 && fx.b > 0 && fx.s001 > 0 && fx.till > 0;
}

/* The day, hour, product and category aggregates (what the job would write). */
static bool setup_aggregates(Harness *h)
{
	static const char *names[5] = { "红富士苹果 P1", "P2 tea", "P3 never sold",
					"P4 inactive unsold", "P5 inactive sold" };
	long long a = (long long)fx.a, b = (long long)fx.b;
	int64_t p[5];

	for (int i = 0; i < 5; i++) {
		snprintf(fx.sku[i], sizeof(fx.sku[i]), "%s-P%d", fx.cat, i + 1);
		p[i] = it_sql_int(h, "INSERT INTO products (sku, name, category, price_minor, active)"
				  " VALUES ('%s', '%s', '%s', 100, %s) RETURNING product_id",
				  fx.sku[i], names[i], fx.cat, i < 3 ? "true" : "false");
		if (p[i] <= 0)
			return false;
	}
	return it_sqlf(h,
		"INSERT INTO agg_sales_day VALUES "
		"(%lld, '2019-02-28', 100, 100, 100000, 100000, 0, 0, 0, 0),"
		"(%lld, '2019-03-01', 4, 10, 12000, 10000, 2, 6000, 1, 1500),"
		"(%lld, '2019-03-02', 2, 3, 3000, 3000, 0, 0, 0, 0),"
		"(%lld, '2019-03-01', 3, 5, 5000, 4500, 3, 4500, 1, 500),"
		"(%lld, '2019-03-01', 1, 1, 1000, 1000, 0, 0, 0, 0),"
		"(%lld, '2019-04-01', 100, 100, 100000, 100000, 0, 0, 0, 0);"
		"INSERT INTO agg_sales_hour VALUES (%lld, '2019-03-01', 9, 3, 7000, 2),"
		"(%lld, '2019-03-01', 18, 1, 3000, 0), (%lld, '2019-03-02', 9, 2, 3000, 0),"
		"(%lld, '2019-02-28', 9, 50, 50000, 0);"
		"INSERT INTO agg_product_day VALUES (%lld, '2019-03-01', %lld, 5, 5000),"
		"(%lld, '2019-03-02', %lld, 1, 1000), (%lld, '2019-03-01', %lld, 6, 3000),"
		"(%lld, '2019-03-01', %lld, 1, 100), (%lld, '2019-02-28', %lld, 99, 99),"
		"(%lld, '2019-03-01', %lld, 50, 50);"
		"INSERT INTO agg_category_day VALUES (%lld, '2019-03-01', '%s', 12, 8100, 3),"
		"(%lld, '2019-03-02', '%s', 1, 1000, 1), (%lld, '2019-03-01', '%s', 2, 900, 1),"
		"(%lld, '2019-04-01', '%s', 9, 9, 9)",
		a, a, a, b, (long long)fx.s001, a, a, a, a, a,
		a, (long long)p[0], a, (long long)p[0], a, (long long)p[1], a, (long long)p[4],
		a, (long long)p[2], b, (long long)p[2],
		a, fx.cat, a, fx.cat, a, fx.other_cat, a, fx.cat);
}

/* Members, their stats and tier changes (m[0..3] bought at A, m[4] never, m[5] erased). */
static bool setup_members(Harness *h)
{
	static const char *tiers[6] = { "Regular", "Silver", "Silver", "Gold", "Regular", "Gold" };
	long long a = (long long)fx.a;

	for (int i = 0; i < 6; i++)
		if ((fx.m[i] = new_member(h, i == 5 ? "Erased" : "Report member", tiers[i])) <= 0)
			return false;
	fx.merged = new_member(h, "Merged away", "Gold");
	if (fx.merged <= 0)
		return false;
	return it_sqlf(h,
		"UPDATE members SET erased_at = '2019-05-01' WHERE member_id = %lld;"
		"UPDATE members SET merged_into = %lld, registered_store = %lld WHERE member_id = %lld;"
		"UPDATE members SET registered_store = %lld WHERE member_id = %lld;"
		"INSERT INTO member_stats (member_id, window_visits, window_spend_minor, first_visit,"
		" second_visit, usual_store_id) VALUES "
		"(%lld, 1, 1000, '2019-03-05 10:00+08', NULL, %lld),"
		"(%lld, 2, 3000, '2019-03-10 10:00+08', '2019-03-25 10:00+08', %lld),"
		"(%lld, 4, 8000, '2019-03-31 20:00+08', '2019-05-20 10:00+08', %lld),"
		"(%lld, 12, 12000, '2019-02-28 23:30+08', NULL, %lld),"
		"(%lld, 1, 500, '2019-04-01 00:30+08', NULL, %lld),"
		"(%lld, 3, 900, '2019-03-12 10:00+08', '2019-03-13 10:00+08', %lld);"
		/* at a sale: m2 Regular -> Silver, m4 Silver -> Gold (A); one at B on Feb 28 there */
		"INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency,"
		" total_minor, tendered_minor, change_minor, gross_minor, tier, tier_after, created_at)"
		" VALUES (%lld, %lld, 1001, %lld, 'CNY', 0, 0, 0, 0, 'Regular', 'Silver',"
		" '2019-03-10 12:00+08'), (%lld, %lld, 1001, %lld, 'CNY', 0, 0, 0, 0, 'Silver',"
		" 'Gold', '2019-03-15 12:00+08'), (%lld, %lld, 1001, %lld, 'CNY', 0, 0, 0, 0,"
		" 'Regular', 'Regular', '2019-03-16 12:00+08'), (%lld, %lld, 1001, %lld, 'CNY', 0,"
		" 0, 0, 0, 'Regular', 'Silver', '2019-03-01 03:00+00');"
		"INSERT INTO audit_log (staff_id, action, subject, detail, at) VALUES "
		"(9001, 'tier.downgrade', 'member:%lld', '{\"from\":\"Gold\",\"to\":\"Silver\"}',"
		" '2019-03-20 12:00+00'), (2001, 'tier.set', 'member:%lld',"
		" '{\"from\":\"Silver\",\"to\":\"Regular\"}', '2019-03-21 12:00+00')",
		(long long)fx.m[5], (long long)fx.m[1], a, (long long)fx.merged, a,
		(long long)fx.m[4], (long long)fx.m[0], a, (long long)fx.m[1], a,
		(long long)fx.m[2], a, (long long)fx.m[3], a, (long long)fx.m[5], a,
		(long long)fx.merged, a,
		a, (long long)fx.till, (long long)fx.m[1], a, (long long)fx.till,
		(long long)fx.m[3], a, (long long)fx.till, (long long)fx.m[0], (long long)fx.b,
		(long long)fx.till, (long long)fx.m[4], (long long)fx.m[2], (long long)fx.m[0]);
}

/* One rated sale of cashier staff at store B at time at. */
static bool rated_sale(Harness *h, int64_t staff, const char *at, int rating)
{
	int64_t t = it_sql_int(h, "INSERT INTO transactions (store_id, till_id, staff_id, currency,"
			       " total_minor, tendered_minor, change_minor, gross_minor, created_at)"
			       " VALUES (%lld, %lld, %lld, 'CNY', 0, 0, 0, 0, '%s') RETURNING txn_id",
			       (long long)fx.b, (long long)fx.till, (long long)staff, at);

	return t > 0 && it_sqlf(h, "INSERT INTO feedback (txn_id, rating, store_id, till_id,"
				" staff_id, recorded_by, created_at) VALUES (%lld, %d, %lld, %lld,"
				" %lld, %lld, '%s')", (long long)t, rating, (long long)fx.b,
				(long long)fx.till, (long long)staff, (long long)staff, at);
}

/* Cashiers X and Y at B: their aggregates, sign-ups and ratings around New York's midnight. */
static bool setup_staff(Harness *h)
{
	long long b = (long long)fx.b, x, y;
	int64_t base = 700000000 + (int64_t)(getpid() % 100000) * 100 + (int64_t)(time(NULL) % 100);
	char phone[4][32];

	fx.x = base + 1;
	fx.y = base + 2;
	x = (long long)fx.x;
	y = (long long)fx.y;
	for (int i = 0; i < 4; i++)
		it_fresh_phone(phone[i]);
	return it_sqlf(h,
		"INSERT INTO staff (staff_id, store_id, name, role, pin_hash) VALUES "
		"(%lld, %lld, '王芳 Wang Fang', 'cashier', 'x'), (%lld, %lld, 'Yan', 'cashier', 'x');"
		"INSERT INTO agg_staff_day VALUES (%lld, '2019-03-01', %lld, 2, 3, 3000, 2, 1, 500),"
		"(%lld, '2019-03-01', %lld, 1, 2, 1500, 1, 0, 0),"
		"(%lld, '2019-02-28', %lld, 9, 9, 9000, 9, 9, 900);"
		/* X: Feb 28 22:00 in New York (not March), Mar 15, and a merged duplicate */
		"INSERT INTO members (phone, card_no, name, registered_by, registered_store, created_at)"
		" VALUES ('%s', 'RPT%s', 'S1', %lld, %lld, '2019-03-01 03:00+00'),"
		" ('%s', 'RPT%s', 'S2', %lld, %lld, '2019-03-15 12:00+00'),"
		" ('%s', 'RPT%s', 'S3', %lld, %lld, '2019-03-16 12:00+00'),"
		/* Y: Mar 31 22:00 in New York (April 1 in UTC) */
		" ('%s', 'RPT%s', 'S4', %lld, %lld, '2019-04-01 02:00+00');"
		"UPDATE members SET merged_into = %lld WHERE name = 'S3' AND registered_by = %lld",
		x, b, y, b, b, x, b, y, b, x,
		phone[0], phone[0] + 1, x, b, phone[1], phone[1] + 1, x, b, phone[2], phone[2] + 1,
		x, b, phone[3], phone[3] + 1, y, b, (long long)fx.m[0], x) &&
	       rated_sale(h, fx.x, "2019-03-10 12:00+00", 5) &&
	       rated_sale(h, fx.x, "2019-03-01 04:00+00", 1) &&	/* Feb 28 in New York */
	       rated_sale(h, fx.x, "2019-03-20 12:00+00", 2) &&
	       rated_sale(h, fx.y, "2019-03-31 23:00+00", 3);	/* still Mar 31 there */
}

static bool setup(Harness *h)
{
	if (!fx_ok)
		fx_ok = setup_stores(h) && setup_aggregates(h) && setup_members(h) &&
			setup_staff(h);
	return CHECK(fx_ok, "the fixture is set up");
}

/* ---- running reports ---- */

static Kassa__V1__Response *run(KassaClient *kc, const char *name, const char *from,
				const char *to, int64_t store, const char *cat, uint32_t limit)
{
	Kassa__V1__Response *r = NULL;

	if (kc_report_run(kc, name, from, to, store, cat, limit, &r) != KC_OK || r == NULL) {
		CHECK(false, "report %s: %s", name, kc_last_error(kc));
		kc_response_free(r);
		return NULL;
	}
	return r;
}

/* The table of report name; NULL + failure unless it answers OK. */
static Kassa__V1__Response *table(KassaClient *kc, const char *name, const char *from,
				  const char *to, int64_t store, const char *cat, uint32_t limit)
{
	Kassa__V1__Response *r = run(kc, name, from, to, store, cat, limit);

	if (r && CHECK(kc_status(r) == ST_OK && r->report_table, "report %s: %s %s", name,
		       kc_status_name(kc_status(r)), kc_detail(r)))
		return r;
	kc_response_free(r);
	return NULL;
}

/* Check t's column keys (comma-separated) and rows (each a comma-separated line). */
static void expect(const char *what, const Kassa__V1__Response *r, const char *keys,
		   const char *const *rows, size_t n)
{
	const Kassa__V1__ReportTable *t;
	char buf[1024];
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
		CHECK(strcmp(buf, rows[i]) == 0, "%s row %zu: %s, want %s", what, i, buf, rows[i]);
	}
}

static bool refused(KassaClient *kc, const char *name, const char *from, const char *to,
		    int64_t store, const char *cat, uint32_t limit, Kassa__V1__StatusCode code,
		    const char *detail)
{
	Kassa__V1__Response *r = run(kc, name, from, to, store, cat, limit);
	bool ok = r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0 &&
		  kc_message(r)[0] != '\0';

	CHECK(ok, "%s %s..%s: want %s, got %s %s (%s)", name, from, to, detail,
	      r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
	      r ? kc_message(r) : "");
	kc_response_free(r);
	return ok;
}

/* ---- the tests ---- */

static void test_sales(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r;
	char rows[4][256];

	if (an == NULL || !setup(h))
		goto out;
	/* A: the refund of March 1 comes off its net; Feb 28 and Apr 1 are outside */
	{
		const char *want[] = { NULL, NULL };

		snprintf(rows[0], sizeof(rows[0]), "%s,2019-03-01,4,10,10000,2500,6000,1,1500,8500",
			 fx.a_code);
		snprintf(rows[1], sizeof(rows[1]), "%s,2019-03-02,2,3,3000,1500,0,0,0,3000",
			 fx.a_code);
		want[0] = rows[0];
		want[1] = rows[1];
		r = table(an, "sales_daily", MAR_FROM, MAR_TO, fx.a, "", 0);
		expect("sales_daily A", r, "store,day,sales,items,total_minor,basket_minor,"
		       "member_share_bp,refunds,refund_minor,net_minor", want, 2);
		if (r) {
			const Kassa__V1__ReportTable *t = r->report_table;

			CHECK(strcmp(t->chart, "line") == 0 && strcmp(t->currency, "CNY") == 0 &&
			      strcmp(t->from, MAR_FROM) == 0 && strcmp(t->to, MAR_TO) == 0 &&
			      t->data_as_of[0] != '\0' && t->lag_seconds == 0 &&
			      t->columns[4]->kind == KASSA__V1__COLUMN_KIND__COL_MONEY &&
			      t->columns[6]->kind == KASSA__V1__COLUMN_KIND__COL_PERCENT_BP,
			      "sales_daily: chart, currency, range, freshness, kinds");
		}
		kc_response_free(r);
	}
	/* every store: A 13000 of 18500 (70.27%), B 4500 less a 500 refund, S001 1000 */
	{
		const char *want[3];

		snprintf(rows[0], sizeof(rows[0]),
			 "%s,上海徐汇店 A,6,13,13000,2167,4615,1,1500,11500,7027", fx.a_code);
		snprintf(rows[1], sizeof(rows[1]),
			 "%s,New York B,3,5,4500,1500,10000,1,500,4000,2432", fx.b_code);
		snprintf(rows[2], sizeof(rows[2]), "S001,Shanghai Xujiahui,1,1,1000,1000,0,0,0,1000,541");
		for (int i = 0; i < 3; i++)
			want[i] = rows[i];
		r = table(an, "sales_by_store", MAR_FROM, MAR_TO, 0, "", 0);
		expect("sales_by_store", r, "store,store_name,sales,items,total_minor,basket_minor,"
		       "member_share_bp,refunds,refund_minor,net_minor,share_bp", want, 3);
		kc_response_free(r);
	}
	{
		const char *want[] = { "9,5,10000,2000,2,7692", "18,1,3000,3000,0,2308" };

		r = table(an, "sales_hourly", MAR_FROM, MAR_TO, fx.a, "", 0);
		expect("sales_hourly A", r, "hour,sales,total_minor,basket_minor,member_sales,share_bp",
		       want, 2);
		kc_response_free(r);
	}
	{
		const char *want[] = { "2019-03-01,4,2,5000,10000,6000,6000",
				       "2019-03-02,2,0,0,3000,0,0" };

		r = table(an, "member_share", MAR_FROM, MAR_TO, fx.a, "", 0);
		expect("member_share A", r, "day,sales,member_sales,sales_share_bp,total_minor,"
		       "member_total_minor,money_share_bp", want, 2);
		kc_response_free(r);
	}
out:
	kc_free(an);
}

static void test_items(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r;
	char rows[3][256];
	const char *want[3] = { rows[0], rows[1], rows[2] };

	if (an == NULL || !setup(h))
		goto out;
	/* P1 and P2 sold 6 each: P1's higher net ranks first; P5's 1 unit is in the 9100 */
	snprintf(rows[0], sizeof(rows[0]), "1,%s,红富士苹果 P1,%s,6,6000,6593", fx.sku[0], fx.cat);
	snprintf(rows[1], sizeof(rows[1]), "2,%s,P2 tea,%s,6,3000,3297", fx.sku[1], fx.cat);
	r = table(an, "items_top", MAR_FROM, MAR_TO, fx.a, fx.cat, 2);
	expect("items_top A", r, "rank,sku,name,category,quantity,net_minor,share_bp", want, 2);
	kc_response_free(r);
	/* slowest: P3 (active, nothing sold at A), P5 (inactive, 1 sold), then P2; P4 never */
	snprintf(rows[0], sizeof(rows[0]), "1,%s,P3 never sold,%s,0,0", fx.sku[2], fx.cat);
	snprintf(rows[1], sizeof(rows[1]), "2,%s,P5 inactive sold,%s,1,100", fx.sku[4], fx.cat);
	snprintf(rows[2], sizeof(rows[2]), "3,%s,P2 tea,%s,6,3000", fx.sku[1], fx.cat);
	r = table(an, "items_slow", MAR_FROM, MAR_TO, fx.a, fx.cat, 3);
	expect("items_slow A", r, "rank,sku,name,category,quantity,net_minor", want, 3);
	kc_response_free(r);
	snprintf(rows[0], sizeof(rows[0]), "%s,13,9100,4,9100", fx.cat);
	snprintf(rows[1], sizeof(rows[1]), "%s,2,900,1,900", fx.other_cat);
	r = table(an, "categories", MAR_FROM, MAR_TO, fx.a, "", 0);
	expect("categories A", r, "category,quantity,net_minor,sales,share_bp", want, 2);
	kc_response_free(r);
out:
	kc_free(an);
}

static void test_members(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r;

	if (an == NULL || !setup(h))
		goto out;
	/* the erased member's one visit counts; the merged member's three do not */
	{
		const char *want[] = { "1,2,4000,2,1500,750", "2,1,2000,2,3000,1500",
				       "3-5,1,2000,4,8000,2000", "6-10,0,0,0,0,",
				       "11+,1,2000,12,12000,1000", "all,5,10000,20,24500,1225" };

		r = table(an, "visits", "", "", fx.a, "", 0);
		expect("visits A", r, "visits_bucket,members,share_bp,visits,spend_minor,basket_minor",
		       want, 6);
		if (r)
			CHECK(r->report_table->n_notes == 1 &&
			      strcmp(r->report_table->notes[0]->key, "window_days") == 0 &&
			      r->report_table->from[0] == '\0', "visits: the RFM window as a note");
		kc_response_free(r);
	}
	/* first visits by month in Shanghai: 2019-04-01 00:30 there is April's, not March's */
	{
		const char *want[] = { "2019-02-01,1,0,0,0,0", "2019-03-01,3,1,2,3333,6667",
				       "2019-04-01,1,0,0,0,0" };

		r = table(an, "repeat_rate", "2019-02-01", "2019-04-30", fx.a, "", 0);
		expect("repeat_rate A", r, "month,members,returned_30,returned_90,rate_30_bp,"
		       "rate_90_bp", want, 3);
		kc_response_free(r);
	}
	/* today: 2 Regular (m1, m5 who never bought), 2 Silver, 1 Gold; erased, merged out */
	{
		const char *want[] = { "Regular,2,4000,0,0,1", "Silver,2,4000,1,1,0",
				       "Gold,1,2000,1,0,0" };

		r = table(an, "tiers", MAR_FROM, MAR_TO, fx.a, "", 0);
		expect("tiers A", r, "tier,members,share_bp,upgrades,downgrades,manual", want, 3);
		kc_response_free(r);
	}
	/* B's upgrade at 03:00 UTC on March 1 was Feb 28 in New York */
	{
		/* B's members: S1, S2, S4 signed up there (S3 was merged away) */
		const char *mar[] = { "Regular,3,10000,0,0,0" };
		const char *feb[] = { "Regular,3,10000,0,0,0", "Silver,0,0,1,0,0" };

		r = table(an, "tiers", MAR_FROM, MAR_TO, fx.b, "", 0);
		expect("tiers B March", r, "tier,members,share_bp,upgrades,downgrades,manual", mar,
		       1);
		kc_response_free(r);
		r = table(an, "tiers", "2019-02-01", "2019-02-28", fx.b, "", 0);
		expect("tiers B February", r, "tier,members,share_bp,upgrades,downgrades,manual",
		       feb, 2);
		kc_response_free(r);
	}
out:
	kc_free(an);
}

static void test_staff(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r;
	char rows[2][256];
	const char *want[2] = { rows[0], rows[1] };

	if (an == NULL || !setup(h))
		goto out;
	/* in New York's March: X signed up S2 (S1 was Feb 28 there, S3 merged), Y signed up S4 */
	snprintf(rows[0], sizeof(rows[0]), "%lld,王芳 Wang Fang,%s,2,3,3000,1500,2,1,1,500,3.50,2",
		 (long long)fx.x, fx.b_code);
	snprintf(rows[1], sizeof(rows[1]), "%lld,Yan,%s,1,2,1500,1500,1,1,0,0,3.00,1",
		 (long long)fx.y, fx.b_code);
	r = table(an, "staff", MAR_FROM, MAR_TO, fx.b, "", 0);
	expect("staff B", r, "staff_id,staff,store,sales,items,total_minor,basket_minor,"
	       "member_sales,signups,refunds,refund_minor,rating,ratings", want, 2);
	if (r)
		CHECK(r->report_table->columns[11]->kind == KASSA__V1__COLUMN_KIND__COL_DECIMAL,
		      "the rating is a decimal");
	kc_response_free(r);
out:
	kc_free(an);
}

static void test_manager(Harness *h)
{
	KassaClient *mg = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r;
	const char *want[] = { "S001,Shanghai Xujiahui,1,1,1000,1000,0,0,0,1000,10000" };

	if (mg == NULL || !setup(h))
		goto out;
	r = table(mg, "sales_by_store", MAR_FROM, MAR_TO, 0, "", 0);
	expect("a manager at S001: S001 only", r, "store,store_name,sales,items,total_minor,"
	       "basket_minor,member_share_bp,refunds,refund_minor,net_minor,share_bp", want, 1);
	kc_response_free(r);
	r = table(mg, "sales_by_store", MAR_FROM, MAR_TO, fx.s001, "", 0);
	expect("a manager naming S001", r, "store,store_name,sales,items,total_minor,"
	       "basket_minor,member_share_bp,refunds,refund_minor,net_minor,share_bp", want, 1);
	kc_response_free(r);
	refused(mg, "sales_daily", MAR_FROM, MAR_TO, fx.a, "", 0,
		KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS");
out:
	kc_free(mg);
}

static void test_list_and_refusals(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *ca = it_cashier(h);
	static const char *names[] = { "sales_daily", "sales_by_store", "sales_hourly",
				       "items_top", "items_slow", "categories", "member_share",
				       "visits", "repeat_rate", "tiers", "staff" };
	Kassa__V1__Response *r;

	if (an == NULL || ca == NULL)
		goto out;
	if ((r = table(an, "", "", "", 0, "", 0)) != NULL) {
		const Kassa__V1__ReportTable *t = r->report_table;
		size_t found = 0;

		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			for (size_t i = 0; i < t->n_rows; i++)
				found += strcmp(t->rows[i]->cells[0], names[k]) == 0;
		CHECK(t->n_columns == 4 && strcmp(t->columns[0]->key, "report") == 0 &&
		      found == ARRAY_SIZE(names), "the list names every sales report once (%zu)",
		      found);
		kc_response_free(r);
	}
	refused(an, "sales_daily", "2019-02-30", MAR_TO, 0, "", 0, ST_BAD, "BAD_DATE");
	refused(an, "sales_daily", "2019-3-1", MAR_TO, 0, "", 0, ST_BAD, "BAD_DATE");
	refused(an, "sales_daily", MAR_TO, MAR_FROM, 0, "", 0, ST_BAD, "BAD_RANGE");
	refused(an, "sales_daily", "2016-01-01", "2019-01-01", 0, "", 0, ST_BAD, "RANGE_TOO_LONG");
	r = table(an, "sales_daily", "2016-01-02", "2019-01-01", 0, "", 0);
	CHECK(r != NULL, "exactly three years (1096 days) is a range");
	kc_response_free(r);
	refused(an, "no_such_report", "", "", 0, "", 0, KASSA__V1__STATUS_CODE__NOT_FOUND,
		"REPORT_UNKNOWN");
	refused(an, "sales_daily", "", "", 0, "drinks", 0, ST_BAD, "CATEGORY_NOT_APPLICABLE");
	refused(an, "sales_daily", "", "", 0, "", 5, ST_BAD, "LIMIT_NOT_APPLICABLE");
	refused(an, "visits", MAR_FROM, MAR_TO, 0, "", 0, ST_BAD, "RANGE_NOT_APPLICABLE");
	refused(ca, "sales_daily", "", "", 0, "", 0, KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
		"ROLE_NOT_ALLOWED");
out:
	kc_free(ca);
	kc_free(an);
}

/* ---- paging: a year of 60 stores' days, more than one page ---- */

#define PG_STORES 60
#define PG_DAYS 365		/* 2017, a year no other test touches */

/* The date of day doy (1-based) of 2017. */
static void day_of_2017(int doy, char out[16])
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m = 0;

	while (m < 11 && doy > mdays[m])
		doy -= mdays[m++];
	snprintf(out, 16, "2017-%02u-%02u", (unsigned)(m + 1) % 13u, (unsigned)doy % 32u);
}

/* Row i of sales_daily over the year: by day, then store code; false (and said) if not. */
static bool paged_row_ok(const char *prefix, size_t i, const Kassa__V1__ReportRow *row)
{
	int k = (int)(i % PG_STORES) + 1, doy = (int)(i / PG_STORES) + 1;
	char code[80], day[16], sales[16], items[16];

	snprintf(code, sizeof(code), "%s-%02d", prefix, k);
	day_of_2017(doy, day);
	snprintf(sales, sizeof(sales), "%d", k);
	snprintf(items, sizeof(items), "%d", doy);
	return CHECK(row->n_cells == 10 && strcmp(row->cells[0], code) == 0 &&
		     strcmp(row->cells[1], day) == 0 && strcmp(row->cells[2], sales) == 0 &&
		     strcmp(row->cells[3], items) == 0,
		     "row %zu is %s %s %s %s, want %s %s %s %s", i,
		     row->n_cells > 3 ? row->cells[0] : "-", row->n_cells > 3 ? row->cells[1] : "-",
		     row->n_cells > 3 ? row->cells[2] : "-", row->n_cells > 3 ? row->cells[3] : "-",
		     code, day, sales, items);
}

/* Every page of the year in turn: each row once, in order; the last page's next "". */
static void page_through(KassaClient *an, const char *prefix)
{
	char after[64] = "", want[64];
	size_t seen = 0, pages = 0;
	bool ok = true;

	while (ok && pages < 100) {
		Kassa__V1__Response *r = NULL;
		const Kassa__V1__ReportTable *t;

		if (!CHECK(kc_report_page(an, "sales_daily", "2017-01-01", "2017-12-31", 0, "", 0,
					  after, &r) == KC_OK && r && kc_status(r) == ST_OK &&
			   r->report_table, "page %zu: %s", pages, r ? kc_detail(r) : "-")) {
			kc_response_free(r);
			return;
		}
		t = r->report_table;
		pages++;
		ok = CHECK(t->n_columns == 10 && strcmp(t->columns[0]->key, "store") == 0 &&
			   strcmp(t->currency, "CNY") == 0 && t->n_notes > 0 &&
			   strcmp(t->from, "2017-01-01") == 0 && t->n_rows > 0,
			   "page %zu has the columns, currency, notes and range, and rows", pages);
		for (size_t i = 0; ok && i < t->n_rows; i++)
			ok = paged_row_ok(prefix, seen + i, t->rows[i]);
		seen += t->n_rows;
		snprintf(want, sizeof(want), "r1:%zu", seen);
		if (ok && seen < (size_t)PG_STORES * PG_DAYS)
			ok = CHECK(strcmp(t->next, want) == 0, "page %zu: next %s, want %s", pages,
				   t->next, want);
		else if (ok)
			ok = CHECK(t->next[0] == '\0', "the last page's next is \"\" (got %s)",
				   t->next);
		snprintf(after, sizeof(after), "%s", t->next);
		kc_response_free(r);
		if (after[0] == '\0')
			break;
	}
	CHECK(seen == (size_t)PG_STORES * PG_DAYS && pages >= 2,
	      "%zu rows in %zu pages, want %d rows in more than one page", seen, pages,
	      PG_STORES * PG_DAYS);
}

static void test_paging(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	static const char *bad[] = { "x", "r1:", "r1:-1", "r2:10", "r1:12a", "r1:99999999999" };
	Kassa__V1__Response *r = NULL;
	char prefix[64];

	it_fresh_name("RPTP", prefix);
	if (!CHECK(an != NULL, "analyst login") ||
	    !CHECK(it_sqlf(h, "DELETE FROM agg_sales_day WHERE day BETWEEN '2017-01-01' AND "
			   "'2017-12-31';"
			   "INSERT INTO stores (code, name, timezone) SELECT '%s-' || "
			   "lpad(g::text, 2, '0'), 'Paging ' || g, 'Asia/Shanghai' "
			   "FROM generate_series(1, %d) g;"
			   "INSERT INTO agg_sales_day SELECT s.store_id, d::date, "
			   "right(s.code, 2)::int, extract(doy FROM d)::int, 100, 100, 0, 0, 0, 0 "
			   "FROM stores s, generate_series('2017-01-01'::date, '2017-12-31', "
			   "'1 day') d WHERE s.code LIKE '%s-%%'", prefix, PG_STORES, prefix),
		   "a year of %d stores' days", PG_STORES))
		goto out;
	page_through(an, prefix);
	/* the whole table, as kassa-office sees it */
	if (CHECK(kc_report_all(an, "sales_daily", "2017-01-01", "2017-12-31", 0, "", 0, &r) ==
		  KC_OK && r && kc_status(r) == ST_OK && r->report_table, "kc_report_all")) {
		bool ok = CHECK(r->report_table->n_rows == (size_t)PG_STORES * PG_DAYS &&
				r->report_table->next[0] == '\0', "kc_report_all: %zu rows, want %d",
				r->report_table->n_rows, PG_STORES * PG_DAYS);

		for (size_t i = 0; ok && i < r->report_table->n_rows; i++)
			ok = paged_row_ok(prefix, i, r->report_table->rows[i]);
	}
	kc_response_free(r);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = NULL;
		CHECK(kc_report_page(an, "sales_daily", "2017-01-01", "2017-12-31", 0, "", 0,
				     bad[i], &r) == KC_OK && r &&
		      kc_status(r) == ST_BAD && strcmp(kc_detail(r), "BAD_CURSOR") == 0,
		      "after \"%s\" is refused BAD_CURSOR (got %s)", bad[i], r ? kc_detail(r) : "-");
		kc_response_free(r);
	}
out:
	kc_free(an);
}

static const HarnessTest tests[] = {
	{ "sales", test_sales },
	{ "items", test_items },
	{ "members", test_members },
	{ "staff", test_staff },
	{ "manager", test_manager },
	{ "list_and_refusals", test_list_and_refusals },
	{ "paging", test_paging },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

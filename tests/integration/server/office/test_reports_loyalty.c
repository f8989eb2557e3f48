/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reports_loyalty: head office's loyalty reports and the forecast
 * against figures worked out by hand. Real requests make the data: a rule
 * set whose point is worth 333 minor units per 50 points (so the
 * liability needs rounding and can only be right if kassad passes the
 * rule set's value to SQL), checkouts that earn and redeem points and use
 * a coupon, PointsExpire, a refund that claws points back and restores
 * redeemed ones, a top-up with its bonus, a sale paid from stored value
 * and its refund, coupons defined and issued. The rows are then moved to
 * months of a year no other test touches and the daily aggregates of
 * those days rebuilt from them by the analytics job's own SQL. The forecast reads a hand-built 60-week series
 * in agg_category_day (the one tests/unit/server/office/test_forecast.c
 * works through) and a short one at another store.
 *
 * Guards against: points, coupons or stored value counted in the wrong
 * month, kind or sign; a liability priced at a point value other than
 * the rule set's; coupon discounts lost or counted for coupons issued
 * outside the range; the forecast reading a partial week or another
 * category, or its notes disagreeing with forecast.c's arithmetic;
 * a store's manager reading chain-wide loyalty money.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define WALLET KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define TEXT_LEN 2048

/* The rule set of this test: 0003's defaults, a point worth 333 / 50 minor units. */
static const char RULES[] = "{"
	"\"tier_basis\": \"spend\", \"tiers\": ["
	"{\"name\": \"Regular\", \"threshold\": 0, \"discount_bp\": 0, \"multiplier_x100\": 100},"
	"{\"name\": \"Silver\", \"threshold\": 200000, \"discount_bp\": 1000,"
	" \"multiplier_x100\": 100},"
	"{\"name\": \"Gold\", \"threshold\": 1000000, \"discount_bp\": 2000,"
	" \"multiplier_x100\": 100}],"
	"\"downgrade_window_months\": 12,"
	"\"earn\": {\"minor_per_point\": 1000, \"stored_value_earns\": false},"
	"\"redeem\": {\"points_step\": 50, \"step_value_minor\": 333, \"cap_bp\": 5000},"
	"\"multipliers\": {\"combine\": \"max\", \"member_day_x100\": 100,"
	" \"member_weekdays\": [], \"member_monthdays\": [], \"birthday\": \"day\","
	" \"birthday_x100\": 100, \"campaigns\": []},"
	"\"points_expiry\": \"end_of_next_year\","
	"\"topup_bonus\": [{\"min_minor\": 100000, \"bonus_minor\": 10000}],"
	"\"refund_approval_minor\": 50000}";

/* kr and *rp (read after the call that set it) say OK. */
static bool answered_ok(KcResult kr, Kassa__V1__Response *const *rp, const char *what)
{
	const Kassa__V1__Response *r = *rp;

	return CHECK(kr == KC_OK && r && kc_status(r) == ST_OK, "%s: %s %s (%s)", what,
		     r ? kc_status_name(kc_status(r)) : kc_result_name(kr), r ? kc_detail(r) : "",
		     r ? kc_message(r) : "no answer");
}

/*
 * A sale of lines to member, redeeming points and presenting coupon (may
 * be NULL), paid exactly what a quote says is due with one tender of
 * kind; its txn_id, 0 + failure otherwise.
 */
static int64_t sell(KassaClient *kc, int64_t member, const KcLine *lines, size_t n,
		    int64_t redeem, const char *coupon, Kassa__V1__TenderKind kind)
{
	KcTender t = { kind, 0, NULL };
	const char *codes[1] = { coupon };
	KcSale s = { .lines = lines, .nlines = n, .member_id = member, .points_redeem = redeem,
		     .coupon_codes = codes, .ncoupons = coupon ? 1 : 0 };
	Kassa__V1__Response *r = NULL;
	char key[64];
	int64_t id = 0;
	KcResult kr = kc_checkout(kc, &s, NULL, true, &r);

	if (!answered_ok(kr, &r, "quote") || !CHECK(r->transaction, "a quoted transaction")) {
		kc_response_free(r);
		return 0;
	}
	t.amount_minor = r->transaction->total_minor;
	s.tenders = &t;
	s.ntenders = 1;
	kc_response_free(r);
	r = NULL;
	it_fresh_name("rl", key);
	kr = kc_checkout(kc, &s, key, false, &r);
	if (answered_ok(kr, &r, "sale") && CHECK(r->transaction, "a transaction"))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

/* Refund lines of txn (n = 0: all); false + failure unless accepted. */
static bool refund(KassaClient *kc, int64_t txn, const int32_t *lines, size_t n)
{
	Kassa__V1__Response *r = NULL;
	bool ok = answered_ok(kc_refund(kc, txn, lines, n, 0, NULL, "reports test", NULL, &r), &r,
			      "refund");

	kc_response_free(r);
	return ok;
}

/* A fixed coupon of value minor units (valid from today on, if at all); its def_id or 0. */
static int64_t define_coupon(KassaClient *adm, const char *name, int64_t value)
{
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	d.name = (char *)name;
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
	d.value_minor = value;
	d.max_uses_per_member = 1;
	d.issue_on = (char *)"manual";
	if (answered_ok(kc_coupon_define(adm, &d, NULL, &r), &r, "coupon define") &&
	    CHECK(r->coupon_defined, "CouponDefined"))
		id = r->coupon_defined->def_id;
	kc_response_free(r);
	return id;
}

static bool issue(KassaClient *adm, int64_t member, int64_t def)
{
	Kassa__V1__Response *r = NULL;
	bool ok = answered_ok(kc_coupon_issue(adm, member, def, NULL, NULL, &r), &r, "coupon issue");

	kc_response_free(r);
	return ok;
}

/* The report's answer; NULL + failure unless it is a ReportTable. */
static Kassa__V1__Response *report(KassaClient *kc, const char *name, const char *from,
				   const char *to, int64_t store, const char *category)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_report_run(kc, name, from, to, store, category, 0, &r);

	if (answered_ok(kr, &r, name) && CHECK(r->report_table, "%s: a ReportTable", name))
		return r;
	kc_response_free(r);
	return NULL;
}

/* The table's rows as "cell|cell|...\n" lines. */
static void rows_text(const Kassa__V1__ReportTable *t, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->n_rows && at < len; i++)
		for (size_t j = 0; j < t->rows[i]->n_cells && at < len; j++)
			at += (size_t)snprintf(out + at, len - at, "%s%s", t->rows[i]->cells[j],
					       j + 1 < t->rows[i]->n_cells ? "|" : "\n");
}

/* The value of note key, or "(missing)". */
static const char *note(const Kassa__V1__ReportTable *t, const char *key)
{
	for (size_t i = 0; i < t->n_notes; i++)
		if (strcmp(t->notes[i]->key, key) == 0)
			return t->notes[i]->value;
	return "(missing)";
}

static bool note_is(const Kassa__V1__ReportTable *t, const char *key, const char *want)
{
	return CHECK(strcmp(note(t, key), want) == 0, "%s note %s: got \"%s\", want \"%s\"",
		     t->report, key, note(t, key), want);
}

static bool columns_are(const Kassa__V1__ReportTable *t, const char *want)
{
	char got[512] = "";
	size_t at = 0;

	for (size_t j = 0; j < t->n_columns && at < sizeof(got); j++)
		at += (size_t)snprintf(got + at, sizeof(got) - at, "%s%s", j ? "|" : "",
				       t->columns[j]->key);
	return CHECK(strcmp(got, want) == 0, "%s columns: got %s, want %s", t->report, got, want);
}

static bool rows_are(const Kassa__V1__ReportTable *t, const char *want)
{
	char got[TEXT_LEN];

	rows_text(t, got, sizeof(got));
	return CHECK(strcmp(got, want) == 0, "%s rows:\ngot:\n%swant:\n%s", t->report, got, want);
}

/* The first year from 2001 whose March to May no ledger, coupon or aggregate has. */
static int64_t free_year(Harness *h)
{
	return it_sql_int(h, "SELECT min(y) FROM generate_series(2001, 2040) y,"
		" LATERAL (SELECT make_date(y, 3, 1) AS a, make_date(y, 6, 1) AS b) r"
		" WHERE NOT EXISTS (SELECT 1 FROM points_ledger WHERE created_at >= r.a"
		"   AND created_at < r.b)"
		" AND NOT EXISTS (SELECT 1 FROM wallet_ledger WHERE created_at >= r.a"
		"   AND created_at < r.b)"
		" AND NOT EXISTS (SELECT 1 FROM coupons WHERE issued_at >= r.a AND issued_at < r.b)"
		" AND NOT EXISTS (SELECT 1 FROM agg_points_day WHERE day >= r.a AND day < r.b)"
		" AND NOT EXISTS (SELECT 1 FROM agg_wallet_day WHERE day >= r.a AND day < r.b)");
}

/*
 * The points and wallet aggregates of year y's March to May, from the
 * ledgers: the analytics job's own chain-wide pass (analytics.sql), run
 * here by hand because its timer only redoes the last days.
 */
static bool build_aggregates(Harness *h, int64_t y)
{
	return it_sql_int(h, "SELECT kassa_agg_chain_days(make_date(%1$lld, 3, 1),"
			  " make_date(%1$lld, 5, 31), '')", (long long)y) != INT64_MIN;
}

/* Put the rule set json in force (admin); its version, 0 + failure otherwise. */
static int64_t rules_put(Harness *h, KassaClient *adm, const char *json)
{
	Kassa__V1__Response *r = NULL;
	bool ok = answered_ok(kc_rule_set_put(adm, json, "reports test", NULL, &r), &r, "rules put");

	kc_response_free(r);
	return ok ? it_sql_int(h, "SELECT max(version) FROM rule_versions") : 0;
}

/* The data of the loyalty reports; its members and coupon definitions. */
typedef struct Fixture {
	long long year;
	int64_t a, b, c;		/* points and coupons; stored value; a third coupon holder */
	int64_t def_x, def_y;		/* 500 off, used once of 3; 1000 off, expires unused */
	int64_t sale1, sale2, sale_b;
	char x_name[64], y_name[64];
} Fixture;

/*
 * Member a: +300 and +40 (already past due) by a manager's adjustment; sale 1,
 * 1 x P (30000) with coupon X (500 off): pays 29500, earns 29; PointsExpire takes
 * the 40; sale 2, P + Q (30000 each) redeeming 200 points = 4 steps x 333 = 1332
 * (666 off each line): pays 58668, earns 58 (29 a line); refund of Q: clawback
 * 29, restore floor(200 x 666 / 1332) = 100. Balance 300+40+29-40-200+58-29+100 = 258.
 * Member b: tops up 100000 (+10000 bonus), buys P with stored value (-30000) and
 * has it refunded to the wallet (+30000): wallet 110000.
 */
static bool make_loyalty_data(Harness *h, KassaClient *ca, KassaClient *adm, Fixture *f,
			      const char *p, const char *q)
{
	KcLine one[1] = { { p, 1, false } }, two[2] = { { p, 1, false }, { q, 1, false } };
	KcTender cash = { CASH, 100000, NULL };
	Kassa__V1__Response *r = NULL;
	char phone[32], code[80] = "", sql[256];
	const int32_t line_q[1] = { 2 };
	bool ok;

	it_fresh_name("RL-X", f->x_name);
	it_fresh_name("RL-Y", f->y_name);
	f->a = it_register(h, ca, "Reports Points", phone);
	f->b = it_register(h, ca, "Reports Wallet", phone);
	f->c = it_register(h, ca, "Reports Coupon", phone);
	f->def_x = define_coupon(adm, f->x_name, 500);
	f->def_y = define_coupon(adm, f->y_name, 1000);
	if (!f->a || !f->b || !f->c || !f->def_x || !f->def_y || !issue(adm, f->a, f->def_x) ||
	    !issue(adm, f->b, f->def_x) || !issue(adm, f->c, f->def_x) ||
	    !issue(adm, f->a, f->def_y) || !issue(adm, f->b, f->def_y) ||
	    !it_give_points(h, f->a, 300, 400) || !it_give_points(h, f->a, 40, -1))
		return false;
	snprintf(sql, sizeof(sql), "SELECT code FROM coupons WHERE def_id = %lld AND"
		 " member_id = %lld", (long long)f->def_x, (long long)f->a);
	if (!CHECK(harness_psql_scalar(h, sql, code, sizeof(code)), "a's coupon X"))
		return false;
	if ((f->sale1 = sell(ca, f->a, one, 1, 0, code, CASH)) == 0)
		return false;
	ok = answered_ok(kc_points_expire(adm, NULL, &r), &r, "points expire");
	kc_response_free(r);
	r = NULL;
	if (!ok || (f->sale2 = sell(ca, f->a, two, 2, 200, NULL, CASH)) == 0 ||
	    !refund(ca, f->sale2, line_q, 1))
		return false;
	ok = answered_ok(kc_top_up(ca, f->b, 100000, &cash, 1, NULL, &r), &r, "top-up");
	kc_response_free(r);
	if (!ok || (f->sale_b = sell(ca, f->b, one, 1, 0, NULL, WALLET)) == 0 ||
	    !refund(ca, f->sale_b, NULL, 0))
		return false;
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)f->a) == 258, "a's balance is 258");
	CHECK(it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)f->b) == 110000, "b's wallet is 110000");
	it_check_ledgers(h, f->a);
	it_check_ledgers(h, f->b);
	return true;
}

/* Move the fixture's rows to year y: March for the first steps, April for the rest. */
static bool move_to_year(Harness *h, const Fixture *f)
{
	long long y = f->year, a = f->a, b = f->b;

	return it_sqlf(h, "UPDATE points_ledger SET created_at = make_timestamptz(%lld, 3, 10,"
		       " 12, 0, 0, 'UTC') WHERE member_id = %lld AND (kind = 'adjust' OR"
		       " txn_id = %lld)", y, a, (long long)f->sale1) &&
	       it_sqlf(h, "UPDATE points_ledger SET created_at = make_timestamptz(%lld, 4, 20,"
		       " 12, 0, 0, 'UTC') WHERE member_id = %lld AND kind <> 'adjust' AND"
		       " txn_id IS DISTINCT FROM %lld", y, a, (long long)f->sale1) &&
	       it_sqlf(h, "UPDATE wallet_ledger SET created_at = make_timestamptz(%lld, 3, 15,"
		       " 12, 0, 0, 'UTC') WHERE member_id = %lld AND kind IN ('topup', 'bonus');"
		       "UPDATE wallet_ledger SET created_at = make_timestamptz(%lld, 4, 25,"
		       " 12, 0, 0, 'UTC') WHERE member_id = %lld AND kind IN ('spend', 'refund')",
		       y, b, y, b) &&
	       it_sqlf(h, "UPDATE coupons SET issued_at = make_timestamptz(%lld, 3, 5, 12, 0, 0,"
		       " 'UTC') WHERE def_id IN (%lld, %lld);"
		       "UPDATE coupon_defs SET valid_from = NULL, valid_to = make_date(%lld, 4, 1)"
		       " WHERE def_id = %lld", y, (long long)f->def_x, (long long)f->def_y, y,
		       (long long)f->def_y) &&
	       build_aggregates(h, y);
}

static void check_points(Harness *h, KassaClient *an, const Fixture *f)
{
	Kassa__V1__Response *r;
	const Kassa__V1__ReportTable *t;
	char from[16], to[16], want[512], v[32];
	int64_t pos, holders;

	snprintf(from, sizeof(from), "%lld-03-01", f->year);
	snprintf(to, sizeof(to), "%lld-05-31", f->year);
	if ((r = report(an, "points", from, to, 0, NULL)) == NULL)
		return;
	t = r->report_table;
	/* the liability as SQL sees it at the same moment, priced by hand below */
	pos = it_sql_int(h, "SELECT coalesce(sum(points_balance), 0) FROM members"
			 " WHERE points_balance > 0");
	holders = it_sql_int(h, "SELECT count(*) FROM members WHERE points_balance > 0");
	columns_are(t, "month|issued|restored|redeemed|expired|adjusted|clawed_back|net");
	snprintf(want, sizeof(want),
		 "%1$lld-03-01|29|0|0|0|340|0|369\n"
		 "%1$lld-04-01|58|100|200|40|0|29|-111\n"
		 "%1$lld-05-01|0|0|0|0|0|0|0\n", f->year);
	rows_are(t, want);
	CHECK(pos >= 258, "a's 258 points are among the positive balances (%lld)", (long long)pos);
	snprintf(v, sizeof(v), "%lld", (long long)pos);
	note_is(t, "liability_points", v);
	snprintf(v, sizeof(v), "%lld", (long long)holders);
	note_is(t, "liability_members", v);
	/* pos x 333 / 50, half up: the rule set's value of a point, not the default's */
	snprintf(v, sizeof(v), "%lld", (long long)((pos * 333 + 25) / 50));
	note_is(t, "liability_minor", v);
	note_is(t, "step_value_minor", "333");
	note_is(t, "points_step", "50");
	/* the version in force: defining a coupon saved newer ones than the test's own */
	snprintf(v, sizeof(v), "%lld", (long long)it_sql_int(h, "SELECT max(version) FROM"
							     " rule_versions"));
	note_is(t, "rule_version", v);
	CHECK(strcmp(t->from, from) == 0 && strcmp(t->to, to) == 0 && strcmp(t->chart, "bar") == 0,
	      "points: the range and chart (%s .. %s, %s)", t->from, t->to, t->chart);
	kc_response_free(r);
}

static void check_coupons(KassaClient *an, const Fixture *f)
{
	Kassa__V1__Response *r;
	char from[16], to[16], want[512];

	snprintf(from, sizeof(from), "%lld-03-01", f->year);
	snprintf(to, sizeof(to), "%lld-05-31", f->year);
	if ((r = report(an, "coupons", from, to, 0, NULL)) == NULL)
		return;
	columns_are(r->report_table, "coupon_def|coupon|kind|issued|used|expired|voided|open|"
		    "redemption_bp|discount_minor");
	/* X: 3 issued, a's used at sale 1 (500 off), 1/3 = 3333 bp; Y: both expired unused */
	snprintf(want, sizeof(want), "%lld|%s|fixed|3|1|0|0|2|3333|500\n"
		 "%lld|%s|fixed|2|0|2|0|0|0|0\n", (long long)f->def_x, f->x_name,
		 (long long)f->def_y, f->y_name);
	rows_are(r->report_table, want);
	note_is(r->report_table, "cohort", "issued_in_range");
	kc_response_free(r);
	/* the month before: none of them were issued then */
	snprintf(from, sizeof(from), "%lld-02-01", f->year);
	snprintf(to, sizeof(to), "%lld-02-28", f->year);
	if ((r = report(an, "coupons", from, to, 0, NULL)) != NULL) {
		rows_are(r->report_table, "");
		kc_response_free(r);
	}
}

static void check_stored_value(Harness *h, KassaClient *an, const Fixture *f)
{
	Kassa__V1__Response *r;
	char from[16], to[16], want[512], v[32];
	int64_t sum, wallets;

	snprintf(from, sizeof(from), "%lld-03-01", f->year);
	snprintf(to, sizeof(to), "%lld-05-31", f->year);
	if ((r = report(an, "stored_value", from, to, 0, NULL)) == NULL)
		return;
	sum = it_sql_int(h, "SELECT coalesce(sum(balance_minor), 0) FROM wallets");
	wallets = it_sql_int(h, "SELECT count(*) FROM wallets WHERE balance_minor > 0");
	columns_are(r->report_table, "month|topped_up_minor|bonus_minor|spent_minor|"
		    "refunded_minor|adjusted_minor|net_minor");
	snprintf(want, sizeof(want),
		 "%1$lld-03-01|100000|10000|0|0|0|110000\n"
		 "%1$lld-04-01|0|0|30000|30000|0|0\n"
		 "%1$lld-05-01|0|0|0|0|0|0\n", f->year);
	rows_are(r->report_table, want);
	CHECK(sum >= 110000, "b's 110000 is in the wallets' sum (%lld)", (long long)sum);
	snprintf(v, sizeof(v), "%lld", (long long)sum);
	note_is(r->report_table, "liability_minor", v);
	snprintf(v, sizeof(v), "%lld", (long long)wallets);
	note_is(r->report_table, "liability_wallets", v);
	kc_response_free(r);
}

/* Guards: every loyalty figure of a small, hand-worked month set, and the liabilities now. */
static void test_loyalty_reports(Harness *h)
{
	KassaClient *ca = it_cashier(h), *adm = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *mg = it_login(h, "S001-T2", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	Fixture f;
	char p[64], q[64], before[8192] = "";
	int64_t version = 0;

	memset(&f, 0, sizeof(f));
	if (ca == NULL || adm == NULL || an == NULL || mg == NULL)
		goto out;
	if (!CHECK(harness_psql_scalar(h, "SELECT config::text FROM rule_versions"
				       " ORDER BY version DESC LIMIT 1", before, sizeof(before)),
		   "the rule set in force"))
		goto out;
	it_fresh_name("RLP", p);
	it_fresh_name("RLQ", q);
	f.year = (long long)free_year(h);
	if (!CHECK(f.year >= 2001, "a free year (%lld)", f.year) ||
	    !it_sqlf(h, "INSERT INTO products (sku, name, price_minor, category) VALUES"
		     " ('%s', 'Reports P', 30000, 'rl'), ('%s', 'Reports Q', 30000, 'rl')", p, q) ||
	    (version = rules_put(h, adm, RULES)) == 0)
		goto out;
	if (make_loyalty_data(h, ca, adm, &f, p, q) && move_to_year(h, &f)) {
		check_points(h, an, &f);
		check_coupons(an, &f);
		check_stored_value(h, an, &f);
	}
	/* chain-wide loyalty money is head office's, not a store manager's */
	CHECK(kc_report_run(mg, "points", NULL, NULL, 0, NULL, 0, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED &&
	      strcmp(kc_detail(r), "REPORT_NOT_ALLOWED") == 0,
	      "a manager may not run points: %s", r ? kc_detail(r) : "no answer");
out:
	if (version != 0 && before[0] != '\0')
		rules_put(h, adm, before);	/* the rule set the next tests expect */
	kc_response_free(r);
	kc_free(mg);
	kc_free(an);
	kc_free(adm);
	kc_free(ca);
}

/*
 * The 60-week series of test_forecast.c at S001 (each week split over its
 * Monday and Sunday), weeks 57-59 of a short one at S002, a sale in the
 * partial week after the window and one of another category, neither read.
 */
static bool make_series(Harness *h, const char *cat, int64_t s1, int64_t s2)
{
	return it_sqlf(h, "WITH w(v, i) AS (SELECT * FROM unnest('{1000,1000,1000,1000,1000,1000,"
		"1000,1000,2000,3000,4000,1501,500,500,500,500,500,500,500,500,500,500,500,500,"
		"500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,500,"
		"500,500,500,500,500,500,500,500,1000,1100,1200,1300,1400,1500,1600,1200}'::bigint[])"
		" WITH ORDINALITY),"
		" d AS (SELECT date '2024-07-01' - 7 * (61 - i::integer) AS monday, v FROM w)"
		" INSERT INTO agg_category_day (store_id, day, category, quantity, net_minor, sales)"
		" SELECT %1$lld, monday, '%2$s', 1, v - 100, 1 FROM d UNION ALL"
		" SELECT %1$lld, monday + 6, '%2$s', 1, 100, 1 FROM d UNION ALL"
		" SELECT %3$lld, date '2024-07-01' - 7 * k + 2, '%2$s', 1, v, 1"
		"   FROM (VALUES (3, 1000), (2, 2000), (1, 4000)) AS s(k, v) UNION ALL"
		" SELECT %1$lld, date '2024-07-01', '%2$s', 1, 999999, 1 UNION ALL"
		" SELECT %1$lld, date '2024-06-26', '%2$s-other', 1, 777777, 1",
		(long long)s1, cat, (long long)s2);
}

/* Guards: the forecast report's rows and notes are forecast.c's arithmetic on the aggregates. */
static void test_forecast_report(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__ReportTable *t;
	int64_t s1 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	int64_t s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	char cat[64], want[1024];
	const char *const tos[] = { "2024-06-30", "2024-07-03" };	/* a Sunday; the Wednesday after */

	it_fresh_name("fc", cat);
	if (an == NULL || !make_series(h, cat, s1, s2))
		goto out;
	snprintf(want, sizeof(want),
		 "S001|%1$s|2024-07-01|2575\nS001|%1$s|2024-07-08|3863\n"
		 "S001|%1$s|2024-07-15|5150\nS001|%1$s|2024-07-22|1933\n"
		 "S002|%1$s|2024-07-01|2333\nS002|%1$s|2024-07-08|2333\n"
		 "S002|%1$s|2024-07-15|2333\nS002|%1$s|2024-07-22|2333\n", cat);
	/* a Wednesday's to stops at the whole week before it, as a Sunday's does */
	for (size_t i = 0; i < 2; i++) {
		if ((r = report(an, "forecast", "2023-01-02", tos[i], 0, cat)) == NULL)
			goto out;
		t = r->report_table;
		columns_are(t, "store|category|week|forecast_minor");
		rows_are(t, want);
		note_is(t, "method", "seasonal_naive_trend");
		note_is(t, "weeks_of_history", "60");
		note_is(t, "series", "2");
		note_is(t, "series_seasonal", "1");
		note_is(t, "series_mean", "1");
		note_is(t, "backtest_series", "1");	/* S002's 3 weeks: nothing to test on */
		note_is(t, "backtest_wape_bp", "4211");
		note_is(t, "backtest_mape_bp", "4144");
		kc_response_free(r);
		r = NULL;
	}
	/* S002 alone: no back-test at all, so no error to give */
	if ((r = report(an, "forecast", "2023-01-02", "2024-06-30", s2, cat)) != NULL) {
		t = r->report_table;
		snprintf(want, sizeof(want), "S002|%1$s|2024-07-01|2333\nS002|%1$s|2024-07-08|2333\n"
			 "S002|%1$s|2024-07-15|2333\nS002|%1$s|2024-07-22|2333\n", cat);
		rows_are(t, want);
		note_is(t, "backtest_series", "0");
		note_is(t, "backtest_wape_bp", "");
		note_is(t, "backtest_mape_bp", "");
		kc_response_free(r);
		r = NULL;
	}
	/* from 2024-01-01: 26 weeks, short of a year: S001 too is the mean of its last 8,
	 * 10300 / 8 = 1287.5 -> 1288 */
	if ((r = report(an, "forecast", "2024-01-01", "2024-06-30", s1, cat)) != NULL) {
		t = r->report_table;
		snprintf(want, sizeof(want), "S001|%1$s|2024-07-01|1288\nS001|%1$s|2024-07-08|1288\n"
			 "S001|%1$s|2024-07-15|1288\nS001|%1$s|2024-07-22|1288\n", cat);
		rows_are(t, want);
		note_is(t, "weeks_of_history", "26");
		note_is(t, "series_mean", "1");
		note_is(t, "backtest_wape_bp", "4211");	/* 825 against 1400 1500 1600 1200 */
	}
out:
	kc_response_free(r);
	kc_free(an);
}

static const HarnessTest tests[] = {
	{ "loyalty_reports", test_loyalty_reports },
	{ "forecast_report", test_forecast_report },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

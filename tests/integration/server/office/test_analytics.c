/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_analytics: the analytics job (server/office/analytics*.c,
 * migrations/functions/analytics.sql) on a database of its own
 * (analytics_env.c), so that every figure is hand-computed from the sales
 * made here through real checkouts, refunds and top-ups, placed in time by
 * SQL where needed.
 *
 *   aggregates   one business day D (500 days ago) at two stores, S002 in
 *                America/New_York with a sale on each side of its local
 *                midnight; a refund counted on its own day; a member merged
 *                into another after buying; a top-up that is no sale: every
 *                row of the eight agg_* tables equals what the sales give
 *                (agg_product_chain_day: the stores' product rows summed)
 *   twice        running the job again (plain, then a rebuild) rewrites no
 *                row (contents and row versions unchanged); a retried
 *                request answers the first run's counts
 *   moved        two sales moved to other days: the product rows and the
 *                chain-wide rows they leave are updated or deleted, those
 *                they reach made
 *   rfm          twelve members with known visits and spend (one merged, one
 *                refunded sale, one never bought): the quintile cut points,
 *                each member's r, f, m and class, every class, and a
 *                portrait
 *   incremental  a sale to an at-risk member moves them to active at the
 *                next run without a full pass, and updates their figures
 *   late_sale    an offline sale recorded with a time three days old marks
 *                agg_dirty in its checkout; the next run puts it in its old
 *                day's bucket (and its units in the chain-wide row of that
 *                day) and updates its member; its refund, today, leaves
 *                the product rows as they are
 *   late_race    two late sales to one old bucket, the first's mark
 *                committed and the second in flight while a run takes the
 *                day: the run waits for it and the bucket counts both
 *   one_run      two rebuilds at once from two connections: one runs, the
 *                other is refused ANALYTICS_RUNNING (so is a retry of the
 *                running one's key) and leaves no key behind; the lease's
 *                length; once it ends a new run goes and the retried key
 *                answers its counts; a dead kassad's lease holds runs off
 *                until it runs out
 *   refused      AnalyticsRun is an administrator's
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "analytics_env.h"
#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define TEXT_MAX 4096
#define MAX_LINES 4

static AnalyticsEnv env;
static char day_d[16];			/* D: the aggregates' business day, "YYYY-MM-DD" */
static int64_t agg_txn[6];		/* day D's sales (agg_sales), for test_moved */

/* One basket line. */
typedef struct Item {
	const char *sku;
	int qty;
} Item;

/* First column of sql (formatted) into out (TEXT_MAX); "" + failure if it fails. */
static const char *sql_text(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *sql_text(char *out, const char *fmt, ...)
{
	char sql[TEXT_MAX];
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

/*
 * A cash sale of items[0..n) (each product 10.00 unless priced otherwise:
 * want is the total) to member (0: none); sold_at "" = now, else an
 * offline sale made then. Its txn_id, 0 + failure.
 */
static int64_t sell(KassaClient *kc, int64_t member, const Item *items, size_t n, int64_t want,
		    const char *sold_at)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine lines[MAX_LINES], *lp[MAX_LINES];
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t id = 0;

	for (size_t i = 0; i < n && i < MAX_LINES; i++) {
		kassa__v1__sale_line__init(&lines[i]);
		lines[i].code = (char *)items[i].sku;
		lines[i].quantity = items[i].qty;
		lp[i] = &lines[i];
	}
	t.kind = CASH;
	t.amount_minor = want;
	co.n_lines = n;
	co.lines = lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.member_id = member;
	co.sold_at = (char *)sold_at;
	co.offline = sold_at[0] != '\0';
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	kc_new_key(key);
	req.idempotency_key = key;
	if (CHECK(kc_call(kc, &req, &r) == KC_OK && r && kc_status(r) == ST_OK && r->transaction,
		  "sale to %lld: %s", (long long)member, r ? kc_message(r) : kc_last_error(kc)) &&
	    CHECK(r->transaction->total_minor == want, "total %lld, want %lld",
		  (long long)r->transaction->total_minor, (long long)want))
		id = r->transaction->txn_id;
	kc_response_free(r);
	return id;
}

/* Refund lines line_nos[0..n) (n 0: all) of txn; the refund_id, 0 + failure. */
static int64_t refund(KassaClient *kc, int64_t txn, const int32_t *line_nos, size_t n)
{
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	if (CHECK(kc_refund(kc, txn, line_nos, n, 0, NULL, "test", NULL, &r) == KC_OK && r &&
		  kc_status(r) == ST_OK && r->refund_record, "refund of %lld: %s", (long long)txn,
		  r ? kc_message(r) : kc_last_error(kc)))
		id = r->refund_record->refund_id;
	kc_response_free(r);
	return id;
}

/* Run the job as the administrator; the answer (caller frees), NULL + failure. */
static Kassa__V1__Response *run_job(bool full, bool rebuild, const char *key)
{
	KassaClient *kc = it_login(&env.h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;

	if (kc == NULL)
		return NULL;
	if (!CHECK(kc_analytics_run(kc, full, rebuild, key, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK && r->analytics_done, "analytics run%s%s: %s",
		   full ? " full" : "", rebuild ? " rebuild" : "",
		   r ? kc_message(r) : kc_last_error(kc))) {
		kc_response_free(r);
		r = NULL;
	}
	kc_free(kc);
	return r;
}

static bool run_ok(bool full, bool rebuild)
{
	Kassa__V1__Response *r = run_job(full, rebuild, NULL);

	kc_response_free(r);
	return r != NULL;
}

/* Put txn at D + day_offset, local time hhmm ("09:30") of its store. */
static bool place_local(int64_t txn, int day_offset, const char *hhmm)
{
	return it_sqlf(&env.h, "UPDATE transactions t SET created_at = ('%s'::date + %d + '%s'::time)"
		       " AT TIME ZONE s.timezone FROM stores s WHERE s.store_id = t.store_id"
		       " AND t.txn_id = %lld", day_d, day_offset, hhmm, (long long)txn);
}

/* Put txn days days and one hour before now. */
static bool place_ago(int64_t txn, int days)
{
	return it_sqlf(&env.h, "UPDATE transactions SET created_at = now() - make_interval(days => %d)"
		       " - interval '1 hour' WHERE txn_id = %lld", days, (long long)txn);
}

/* ---- the environment ---- */

static void test_env(Harness *h)
{
	if (!analytics_env_up(&env, h))
		return;
	CHECK(it_sqlf(&env.h, "UPDATE stores SET timezone = 'America/New_York' WHERE code = 'S002';"
		      " INSERT INTO products (sku, name, category, price_minor) VALUES"
		      " ('G-TEA', 'Tea', 'drinks', 1000), ('G-RICE', 'Rice', 'grain', 2500),"
		      " ('G-SOAP', 'Soap', 'home', 400), ('R-TEA', 'Tea', 'drinks', 1000),"
		      " ('R-RICE', 'Rice', 'grain', 1000), ('R-SOAP', 'Soap', 'home', 1000)"),
	      "the test's products");
	sql_text(day_d, "SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date - 500)::text");
	CHECK(day_d[0] != '\0', "day D");
}

/* ---- aggregates ---- */

/* The rows of an agg_* table as one line (the format and order are the query's). */
static const char *agg_rows(char *out, const char *select)
{
	return sql_text(out, "SELECT coalesce(string_agg(x, ' ' ORDER BY k), '') FROM (%s) q(k, x)",
			select);
}

#define AGG_DAY "SELECT s.code || a.day::text, format('%s+%s %s/%s/%s/%s/%s/%s/%s/%s', s.code," \
	" a.day - ':D'::date, a.sales, a.items, a.gross_minor, a.total_minor, a.member_sales," \
	" a.member_total_minor, a.refunds, a.refund_minor) FROM agg_sales_day a JOIN stores s" \
	" USING (store_id)"
#define AGG_HOUR "SELECT s.code || a.day::text || lpad(a.hour::text, 2, '0')," \
	" format('%s+%s@%s %s/%s/%s', s.code, a.day - ':D'::date, a.hour, a.sales, a.total_minor," \
	" a.member_sales) FROM agg_sales_hour a JOIN stores s USING (store_id)"
#define AGG_CAT "SELECT s.code || a.day::text || a.category, format('%s+%s:%s %s/%s/%s', s.code," \
	" a.day - ':D'::date, a.category, a.quantity, a.net_minor, a.sales) FROM agg_category_day a" \
	" JOIN stores s USING (store_id)"
#define AGG_PROD "SELECT s.code || a.day::text || p.sku, format('%s+%s:%s %s/%s', s.code," \
	" a.day - ':D'::date, p.sku, a.quantity, a.net_minor) FROM agg_product_day a" \
	" JOIN stores s USING (store_id) JOIN products p USING (product_id)"
#define AGG_CHAIN "SELECT a.day::text || p.sku, format('%s:%s %s/%s', a.day - ':D'::date," \
	" p.sku, a.quantity, a.net_minor) FROM agg_product_chain_day a JOIN products p" \
	" USING (product_id)"
#define AGG_STAFF "SELECT s.code || a.day::text || a.staff_id, format('%s+%s:%s %s/%s/%s/%s/%s/%s'," \
	" s.code, a.day - ':D'::date, a.staff_id, a.sales, a.items, a.total_minor, a.member_sales," \
	" a.refunds, a.refund_minor) FROM agg_staff_day a JOIN stores s USING (store_id)"
#define AGG_POINTS "SELECT a.day::text || a.kind, format('%s:%s %s/%s', a.day - ':D'::date," \
	" a.kind, a.entries, a.points) FROM agg_points_day a"
#define AGG_WALLET "SELECT a.day::text || a.kind, format('%s:%s %s/%s', a.day - ':D'::date," \
	" a.kind, a.entries, a.amount_minor) FROM agg_wallet_day a"

/* The table's rows (":D" in select stands for day D) against want. */
static void agg_expect(const char *table, const char *select, const char *want)
{
	char q[TEXT_MAX], out[TEXT_MAX];
	const char *at = strstr(select, ":D");

	if (!CHECK(at != NULL, "%s: the query names D", table))
		return;
	snprintf(q, sizeof(q), "%.*s%s%s", (int)(at - select), select, day_d, at + 2);
	agg_rows(out, q);
	CHECK(strcmp(out, want) == 0, "%s:\n       got  %s\n       want %s", table, out, want);
}

/* Every agg_product_chain_day row is the sum of its day's agg_product_day rows, and back. */
static void chain_is_sum(const char *when)
{
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_product_chain_day c FULL JOIN"
			 " (SELECT day, product_id, sum(quantity) AS q, sum(net_minor) AS n"
			 " FROM agg_product_day GROUP BY 1, 2) s USING (day, product_id)"
			 " WHERE (c.quantity, c.net_minor) IS DISTINCT FROM (s.q, s.n)") == 0,
	      "%s: agg_product_chain_day is agg_product_day summed over the stores", when);
}

/* Day D's sales: four at S001 (Shanghai), two at S002 (New York) astride its midnight. */
static bool agg_sales(KassaClient *s1, KassaClient *s2, int64_t x, int64_t y, int64_t *txn)
{
	static const Item s1_items[] = { { "G-TEA", 2 }, { "G-RICE", 1 } };
	static const Item s2_items[] = { { "G-SOAP", 1 } };
	static const Item s3_items[] = { { "G-TEA", 3 } };
	static const Item s4_items[] = { { "G-RICE", 1 }, { "G-SOAP", 2 } };
	static const Item s5_items[] = { { "G-TEA", 1 } };
	static const Item s6_items[] = { { "G-SOAP", 2 } };

	txn[0] = sell(s1, x, s1_items, 2, 4500, "");
	txn[1] = sell(s1, 0, s2_items, 1, 400, "");
	txn[2] = sell(s1, y, s3_items, 1, 3000, "");
	txn[3] = sell(s1, 0, s4_items, 2, 3300, "");
	txn[4] = sell(s2, x, s5_items, 1, 1000, "");
	txn[5] = sell(s2, 0, s6_items, 1, 800, "");
	for (int i = 0; i < 6; i++)
		if (txn[i] == 0)
			return false;
	return place_local(txn[0], 0, "09:30") && place_local(txn[1], 0, "09:45") &&
	       place_local(txn[2], 0, "14:10") && place_local(txn[3], 0, "23:50") &&
	       place_local(txn[4], 0, "23:30") && place_local(txn[5], 1, "00:20");
}

/* s2's refund, on D + 1; the top-up on D; the ledgers at their sales' times. */
static bool agg_others(KassaClient *s1, int64_t x, const int64_t *txn)
{
	KcTender cash = { CASH, 10000, NULL };
	Kassa__V1__Response *r = NULL;
	int64_t rf = refund(s1, txn[1], NULL, 0);
	bool ok = CHECK(kc_top_up(s1, x, 10000, &cash, 1, NULL, &r) == KC_OK && r &&
			kc_status(r) == ST_OK, "top-up: %s", r ? kc_message(r) : kc_last_error(s1));

	kc_response_free(r);
	return rf > 0 && ok &&
	       it_sqlf(&env.h, "UPDATE refunds SET created_at = ('%s'::date + 1 + time '11:00')"
		       " AT TIME ZONE 'Asia/Shanghai' WHERE refund_id = %lld", day_d, (long long)rf) &&
	       it_sqlf(&env.h, "UPDATE transactions SET created_at = ('%s'::date + time '12:00')"
		       " AT TIME ZONE 'Asia/Shanghai' WHERE kind = 'topup' AND member_id = %lld;"
		       " UPDATE wallet_ledger SET created_at = ('%s'::date + time '12:00')"
		       " AT TIME ZONE 'Asia/Shanghai' WHERE member_id = %lld;"
		       " UPDATE points_ledger l SET created_at = t.created_at FROM transactions t"
		       " WHERE l.txn_id = t.txn_id AND t.txn_id IN (%lld, %lld, %lld)",
		       day_d, (long long)x, day_d, (long long)x, (long long)txn[0],
		       (long long)txn[2], (long long)txn[4]);
}

static void test_aggregates(Harness *h)
{
	KassaClient *s1 = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	KassaClient *s2 = env.up ? it_login(&env.h, "S002-T1", 1002, "2345") : NULL;
	Kassa__V1__Response *r = NULL;
	char phone[32];
	int64_t x, y, *txn = agg_txn, want;

	(void)h;
	if (!CHECK(s1 && s2, "the test's kassad serves"))
		goto out;
	x = it_register(&env.h, s1, "Agg X", phone);
	y = it_register(&env.h, s1, "Agg Y", phone);
	if (x == 0 || y == 0 || !agg_sales(s1, s2, x, y, txn) || !agg_others(s1, x, txn))
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM members m JOIN stores s ON"
			 " s.store_id = m.registered_store WHERE m.member_id = %lld AND"
			 " m.registered_by = 1001 AND s.code = 'S001'", (long long)x) == 1,
	      "a member remembers who signed them up, and where");
	/* Y is merged into X after buying: their sales stay member sales */
	if (!it_sqlf(&env.h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
		     (long long)x, (long long)y))
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 0, "online sales mark nothing");
	r = run_job(false, true, NULL);
	if (r == NULL)
		goto out;
	want = it_sql_int(&env.h, "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - '%s'::date + 1"
			  " + (now() AT TIME ZONE 'America/New_York')::date - '%s'::date + 1", day_d,
			  day_d);
	CHECK(r->analytics_done->buckets == want && r->analytics_done->members == 1,
	      "a rebuild does every day of both stores since D (%lld buckets, want %lld) and"
	      " classifies the one member left (%lld)", (long long)r->analytics_done->buckets,
	      (long long)want, (long long)r->analytics_done->members);
	agg_expect("agg_sales_day", AGG_DAY,
		   "S001+0 4/10/11200/11200/2/7500/0/0 S001+1 0/0/0/0/0/0/1/400"
		   " S002+0 1/1/1000/1000/1/1000/0/0 S002+1 1/2/800/800/0/0/0/0");
	agg_expect("agg_sales_hour", AGG_HOUR,
		   "S001+0@9 2/4900/1 S001+0@14 1/3000/1 S001+0@23 1/3300/0 S002+0@23 1/1000/1"
		   " S002+1@0 1/800/0");
	agg_expect("agg_category_day", AGG_CAT,
		   "S001+0:drinks 5/5000/2 S001+0:grain 2/5000/2 S001+0:home 3/1200/2"
		   " S002+0:drinks 1/1000/1 S002+1:home 2/800/1");
	agg_expect("agg_product_day", AGG_PROD,
		   "S001+0:G-RICE 2/5000 S001+0:G-SOAP 3/1200 S001+0:G-TEA 5/5000"
		   " S002+0:G-TEA 1/1000 S002+1:G-SOAP 2/800");
	/* the stores' rows summed by (day, product): D's tea is 5 at S001 and 1 at S002;
	 * the soap refunded on D + 1 stays sold on D (a refund moves no product row) */
	agg_expect("agg_product_chain_day", AGG_CHAIN,
		   "0:G-RICE 2/5000 0:G-SOAP 3/1200 0:G-TEA 6/6000 1:G-SOAP 2/800");
	agg_expect("agg_staff_day", AGG_STAFF,
		   "S001+0:1001 4/10/11200/2/0/0 S001+1:1001 0/0/0/0/1/400 S002+0:1002 1/1/1000/1/0/0"
		   " S002+1:1002 1/2/800/0/0/0");
	/* 45.00, 30.00 and 10.00 earn 4, 3 and 1 points; 10.00 at 23:30 New York is D + 1 in Shanghai */
	agg_expect("agg_points_day", AGG_POINTS, "0:earn 2/7 1:earn 1/1");
	agg_expect("agg_wallet_day", AGG_WALLET, "0:topup 1/10000");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM analytics_state"
			 " WHERE kind IN ('aggregates', 'rfm_full', 'rfm_incremental')") == 3,
	      "the run is recorded in analytics_state");
	chain_is_sum("after a rebuild");
out:
	kc_response_free(r);
	kc_free(s2);
	kc_free(s1);
}

/* Every agg_* row with its row version: equal digests mean nothing was rewritten. */
static const char *agg_digest(char *out)
{
	return sql_text(out, "SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM ("
			" SELECT 'd' || a::text || xmin::text FROM agg_sales_day a"
			" UNION ALL SELECT 'h' || a::text || xmin::text FROM agg_sales_hour a"
			" UNION ALL SELECT 'c' || a::text || xmin::text FROM agg_category_day a"
			" UNION ALL SELECT 'p' || a::text || xmin::text FROM agg_product_day a"
			" UNION ALL SELECT 'x' || a::text || xmin::text FROM agg_product_chain_day a"
			" UNION ALL SELECT 's' || a::text || xmin::text FROM agg_staff_day a"
			" UNION ALL SELECT 'o' || a::text || xmin::text FROM agg_points_day a"
			" UNION ALL SELECT 'w' || a::text || xmin::text FROM agg_wallet_day a) q(x)");
}

static void test_twice(Harness *h)
{
	char before[TEXT_MAX], after[TEXT_MAX], key[KC_KEY_LEN];
	Kassa__V1__Response *a = NULL, *b = NULL;
	int64_t runs;

	(void)h;
	if (!CHECK(env.up, "the test's kassad serves"))
		return;
	agg_digest(before);
	CHECK(run_ok(false, false), "a plain run");
	agg_digest(after);
	CHECK(strcmp(before, after) == 0, "a second run rewrites no aggregate row");
	CHECK(run_ok(false, true), "a second rebuild");
	agg_digest(after);
	CHECK(strcmp(before, after) == 0, "a second rebuild rewrites no aggregate row");
	/* the same request twice: one run, the same answer */
	kc_new_key(key);
	a = run_job(false, false, key);
	runs = it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'analytics_run'");
	b = run_job(false, false, key);
	CHECK(a && b && a->analytics_done->buckets == b->analytics_done->buckets &&
	      a->analytics_done->members == b->analytics_done->members &&
	      a->analytics_done->elapsed_ms == b->analytics_done->elapsed_ms &&
	      strcmp(a->analytics_done->finished_at, b->analytics_done->finished_at) == 0 &&
	      a->analytics_done->finished_at[0] != '\0',
	      "a retried AnalyticsRun answers the first run's counts");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'analytics_run'") == runs,
	      "and runs nothing more");
	kc_response_free(a);
	kc_response_free(b);
}

/*
 * Y's sale of 3 tea (S001, D 14:10) moved to D + 1 and the 2 soap of
 * S002's D + 1 00:20 moved to D + 2, then a rebuild: S001's D tea falls to
 * 2 and its D + 1 gets 3; S002's D + 1 soap row is deleted and D + 2 gets
 * it. Chain-wide, D's tea is 2 + 1 = 3, D + 1 has S001's 3 tea and no soap
 * left (deleted), D + 2 the 2 soap.
 */
static void test_moved(Harness *h)
{
	(void)h;
	if (!CHECK(env.up && agg_txn[2] > 0 && agg_txn[5] > 0, "the aggregates' sales are there") ||
	    !place_local(agg_txn[2], 1, "14:10") || !place_local(agg_txn[5], 2, "00:20") ||
	    !CHECK(run_ok(false, true), "a rebuild"))
		return;
	agg_expect("agg_product_day", AGG_PROD,
		   "S001+0:G-RICE 2/5000 S001+0:G-SOAP 3/1200 S001+0:G-TEA 2/2000"
		   " S001+1:G-TEA 3/3000 S002+0:G-TEA 1/1000 S002+2:G-SOAP 2/800");
	agg_expect("agg_product_chain_day", AGG_CHAIN,
		   "0:G-RICE 2/5000 0:G-SOAP 3/1200 0:G-TEA 3/3000 1:G-TEA 3/3000 2:G-SOAP 2/800");
	chain_is_sum("after two sales moved");
}

/* ---- RFM ---- */

/* The hand-built members: visits (days ago) of one basket each, at S001 unless noted. */
typedef struct RfmMember {
	const char *name;
	int visits[8];			/* days ago; 0 ends the list */
	int at_s002[2];			/* visits (days ago) made at S002 instead */
	Item basket;			/* every visit's basket, 10.00 a unit ... */
	Item first;			/* ... but the oldest visit's, when set (A) */
	const char *want;		/* "r/f/m class" after the full pass; NULL: no row */
} RfmMember;

enum { RFM_A, RFM_B, RFM_C, RFM_D, RFM_E, RFM_F, RFM_G, RFM_H, RFM_I, RFM_J, RFM_K, RFM_L, RFM_N,
       RFM_MEMBERS };

/*
 * In the window (365 days): ten members. Sorted, their recency (days)
 * 200 100 60 25 15 10 8 5 3 2, frequency 1 1 2 2 2 3 4 6 7 8 and spend
 * 20 20 60 60 70 90 100 240 360 400, so the 2nd, 4th, 6th and 8th values
 * cut the quintiles: r_bounds {99,24,9,4}, f_bounds {2,3,4,7}, m_bounds
 * {2001,6001,9001,24001}. B's day-30 sale is refunded (spend 240); N is
 * merged into G (G: 4 visits, 90.00); J's day-400 visit and K are out of
 * the window; L never buys.
 */
static const RfmMember rfm_members[RFM_MEMBERS] = {
	[RFM_A] = { "RFM A", { 5, 20, 40, 60, 80, 100, 120, 140 }, { 60, 100 },
		    { "R-TEA", 3 }, { "R-SOAP", 3 }, "4/5/5 high_value" },
	[RFM_B] = { "RFM B", { 3, 30, 70, 110, 150, 190, 230 }, { 0 }, { "R-RICE", 4 }, { 0 },
		    "5/5/4 high_value" },
	[RFM_C] = { "RFM C", { 10, 200 }, { 0 }, { "R-TEA", 3 }, { 0 }, "3/2/2 active" },
	[RFM_D] = { "RFM D", { 100, 110, 120, 130, 140, 150 }, { 0 }, { "R-SOAP", 6 }, { 0 },
		    "1/4/5 at_risk" },
	[RFM_E] = { "RFM E", { 2 }, { 0 }, { "R-TEA", 2 }, { 0 }, "5/1/1 new" },
	[RFM_F] = { "RFM F", { 200, 250 }, { 0 }, { "R-TEA", 3 }, { 0 }, "1/2/2 lost" },
	[RFM_G] = { "RFM G", { 15, 45, 75 }, { 0 }, { "R-TEA", 2 }, { 0 }, "3/4/3 active" },
	[RFM_H] = { "RFM H", { 60 }, { 0 }, { "R-RICE", 10 }, { 0 }, "2/1/4 at_risk" },
	[RFM_I] = { "RFM I", { 25, 300 }, { 0 }, { "R-TEA", 1 }, { 0 }, "2/2/1 active" },
	[RFM_J] = { "RFM J", { 8, 16, 24, 400 }, { 0 }, { "R-SOAP", 2 }, { 0 }, "4/3/3 active" },
	[RFM_K] = { "RFM K", { 500 }, { 0 }, { "R-TEA", 1 }, { 0 }, "0/0/0 lost" },
	[RFM_L] = { "RFM L", { 0 }, { 0 }, { 0 }, { 0 }, NULL },
	[RFM_N] = { "RFM N", { 35 }, { 0 }, { "R-TEA", 3 }, { 0 }, NULL },
};

static int64_t rfm_ids[RFM_MEMBERS];
static int64_t rfm_b_day30;		/* B's sale refunded */

/* "r/f/m class" of member id, "-" without a member_stats row. */
static const char *rfm_of(char *out, int64_t id)
{
	return sql_text(out, "SELECT coalesce((SELECT r || '/' || f || '/' || m || ' ' || class"
			" FROM member_stats WHERE member_id = %lld), '-')", (long long)id);
}

/* True if days is one of m's visits made at S002. */
static bool at_s002(const RfmMember *m, int days)
{
	return days > 0 && (m->at_s002[0] == days || m->at_s002[1] == days);
}

/*
 * m's visits through real checkouts, each then put its days (and an hour)
 * before now. A's oldest visit adds 3 soap to 1 tea and 1 rice; J's third
 * visit (24 days) is 30.00. Every sale is 10.00 a unit.
 */
static bool rfm_visits(KassaClient *s1, KassaClient *s2, int k)
{
	const RfmMember *m = &rfm_members[k];

	for (int v = 0; v < 8 && m->visits[v] > 0; v++) {
		Item items[3] = { m->basket, { 0 }, { 0 } };
		size_t n = 1;
		int64_t total, txn;

		if (k == RFM_A && v == 7) {
			items[0] = (Item){ "R-TEA", 1 };
			items[1] = (Item){ "R-RICE", 1 };
			items[2] = m->first;
			n = 3;
		} else if (k == RFM_A) {
			items[1] = (Item){ "R-RICE", 2 };
			n = 2;
		} else if (k == RFM_J && m->visits[v] == 24) {
			items[0].qty = 3;
		}
		total = 0;
		for (size_t i = 0; i < n; i++)
			total += 1000 * items[i].qty;
		txn = sell(at_s002(m, m->visits[v]) ? s2 : s1, rfm_ids[k], items, n, total, "");
		if (txn == 0 || !place_ago(txn, m->visits[v]))
			return false;
		if (k == RFM_B && m->visits[v] == 30)
			rfm_b_day30 = txn;
	}
	return true;
}

static bool rfm_build(KassaClient *s1, KassaClient *s2)
{
	char phone[32];

	for (int k = 0; k < RFM_MEMBERS; k++) {
		rfm_ids[k] = it_register(&env.h, s1, rfm_members[k].name, phone);
		if (rfm_ids[k] == 0 || !rfm_visits(s1, s2, k))
			return false;
	}
	return refund(s1, rfm_b_day30, NULL, 0) > 0 &&
	       it_sqlf(&env.h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
		       (long long)rfm_ids[RFM_G], (long long)rfm_ids[RFM_N]);
}

/* Every member's scores and class against rfm_members[].want. */
static void rfm_expect(const char *when)
{
	char out[TEXT_MAX];

	for (int k = 0; k < RFM_MEMBERS; k++) {
		const char *want = rfm_members[k].want ? rfm_members[k].want : "-";

		rfm_of(out, rfm_ids[k]);
		CHECK(strcmp(out, want) == 0, "%s: %s is %s, want %s", when, rfm_members[k].name,
		      out, want);
	}
}

/* A's portrait and figures, B's and G's spend. */
static void rfm_portraits(void)
{
	char out[TEXT_MAX];

	sql_text(out, "SELECT format('%%s/%%s/%%s/%%s %%s %%s %%s %%s %%s', visits, spend_minor,"
		 " window_visits, window_spend_minor, avg_basket_minor, fav_categories,"
		 " (SELECT code FROM stores WHERE store_id = usual_store_id),"
		 " usual_hour = extract(hour FROM (now() - interval '1 hour')"
		 " AT TIME ZONE 'Asia/Shanghai'), visit_interval_days)"
		 " FROM member_stats WHERE member_id = %lld", (long long)rfm_ids[RFM_A]);
	CHECK(strcmp(out, "8/40000/8/40000 5000 {drinks,grain,home} S001 t 19") == 0,
	      "A's figures and portrait: %s", out);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_stats WHERE member_id = %lld"
			 " AND now() - first_visit BETWEEN interval '140 days' AND interval '141 days'"
			 " AND now() - second_visit BETWEEN interval '120 days' AND interval '121 days'"
			 " AND now() - last_visit BETWEEN interval '5 days' AND interval '6 days'",
			 (long long)rfm_ids[RFM_A]) == 1, "A's first, second and last visits");
	sql_text(out, "SELECT string_agg(visits || '/' || spend_minor || '/' || window_spend_minor,"
		 " ' ' ORDER BY member_id) FROM member_stats WHERE member_id IN (%lld, %lld)",
		 (long long)rfm_ids[RFM_B], (long long)rfm_ids[RFM_G]);
	CHECK(strcmp(out, "7/24000/24000 4/9000/9000") == 0,
	      "B keeps 7 visits less the refunded 40.00; G has N's sale: %s", out);
}

static void test_rfm(Harness *h)
{
	KassaClient *s1 = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	KassaClient *s2 = env.up ? it_login(&env.h, "S002-T1", 1002, "2345") : NULL;
	Kassa__V1__Response *r = NULL;
	char out[TEXT_MAX], before[TEXT_MAX];

	(void)h;
	if (!CHECK(s1 && s2, "the test's kassad serves") || !rfm_build(s1, s2))
		goto out;
	/* the sales were moved back in time: only a pass from scratch sees them all */
	if (!run_ok(false, true))
		goto out;
	sql_text(out, "SELECT r_bounds::text || ' ' || f_bounds::text || ' ' || m_bounds::text"
		 " || ' ' || window_days FROM rfm_bounds");
	CHECK(strcmp(out, "{99,24,9,4} {2,3,4,7} {2001,6001,9001,24001} 365") == 0,
	      "the quintile cut points: %s", out);
	rfm_expect("from scratch");
	CHECK(it_sql_int(&env.h, "SELECT count(DISTINCT class) FROM member_stats WHERE member_id"
			 " BETWEEN %lld AND %lld", (long long)rfm_ids[0],
			 (long long)rfm_ids[RFM_MEMBERS - 1]) == 5, "five classes, and L has none");
	rfm_portraits();
	/* a full pass on the same sales: the same scores, every member scored */
	sql_text(before, "SELECT md5(string_agg(s::text, '|' ORDER BY member_id)) FROM member_stats s"
		 " WHERE member_id BETWEEN %lld AND %lld", (long long)rfm_ids[0],
		 (long long)rfm_ids[RFM_MEMBERS - 1]);
	r = run_job(true, false, NULL);
	CHECK(r && r->analytics_done->members ==
		   it_sql_int(&env.h, "SELECT count(*) FROM member_stats"),
	      "a full pass scores every member (%lld)", r ? (long long)r->analytics_done->members : -1LL);
	sql_text(out, "SELECT md5(string_agg(s::text, '|' ORDER BY member_id)) FROM member_stats s"
		 " WHERE member_id BETWEEN %lld AND %lld", (long long)rfm_ids[0],
		 (long long)rfm_ids[RFM_MEMBERS - 1]);
	CHECK(strcmp(before, out) == 0, "a full pass over the same sales changes no member");
out:
	kc_response_free(r);
	kc_free(s2);
	kc_free(s1);
}

static void test_incremental(Harness *h)
{
	static const Item tea = { "R-TEA", 1 };
	KassaClient *s1 = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	Kassa__V1__Response *r = NULL;
	char out[TEXT_MAX], bounds[TEXT_MAX], full[TEXT_MAX];

	(void)h;
	if (!CHECK(s1 && rfm_ids[RFM_H] > 0, "the test's kassad serves, with the RFM members"))
		goto out;
	sql_text(bounds, "SELECT computed_at::text FROM rfm_bounds");
	sql_text(full, "SELECT started_at::text FROM analytics_state WHERE kind = 'rfm_full'");
	/* H (at risk: 2/1/4) buys 10.00 now */
	if (sell(s1, rfm_ids[RFM_H], &tea, 1, 1000, "") == 0 || (r = run_job(false, false, NULL)) == NULL)
		goto out;
	/* H, and whoever else bought or was refunded within the run's margin (B) */
	CHECK(r->analytics_done->members >= 1 && r->analytics_done->members <= 2,
	      "the run recomputes the members touched (%lld)", (long long)r->analytics_done->members);
	CHECK(strcmp(rfm_of(out, rfm_ids[RFM_H]), "5/2/4 active") == 0,
	      "H against the stored cut points: 0 days, 2 visits, 110.00: %s", out);
	sql_text(out, "SELECT visits || '/' || spend_minor || '/' || avg_basket_minor || '/' ||"
		 " visit_interval_days FROM member_stats WHERE member_id = %lld",
		 (long long)rfm_ids[RFM_H]);
	CHECK(strcmp(out, "2/11000/5500/60") == 0, "H's visits, spend, basket and interval: %s", out);
	sql_text(out, "SELECT computed_at::text FROM rfm_bounds");
	CHECK(strcmp(out, bounds) == 0, "no new cut points");
	sql_text(out, "SELECT started_at::text FROM analytics_state WHERE kind = 'rfm_full'");
	CHECK(strcmp(out, full) == 0, "and no full pass");
	CHECK(strcmp(rfm_of(out, rfm_ids[RFM_D]), "1/4/5 at_risk") == 0, "D untouched: %s", out);
out:
	kc_response_free(r);
	kc_free(s1);
}

/* ---- the late sale ---- */

/* The R-TEA units and net money of day's row in agg_product_chain_day (0 without one). */
static void chain_tea(const char *day, int64_t *qty, int64_t *net)
{
	*qty = it_sql_int(&env.h, "SELECT coalesce(sum(c.quantity), 0) FROM agg_product_chain_day c"
			  " JOIN products p USING (product_id) WHERE p.sku = 'R-TEA' AND c.day = '%s'",
			  day);
	*net = it_sql_int(&env.h, "SELECT coalesce(sum(c.net_minor), 0) FROM agg_product_chain_day c"
			  " JOIN products p USING (product_id) WHERE p.sku = 'R-TEA' AND c.day = '%s'",
			  day);
}

/* S002's R-TEA row of day in agg_product_day as "units/net"; "-" for none. */
static const char *late_rows(char *out, const char *day)
{
	return sql_text(out, "SELECT coalesce((SELECT a.quantity || '/' || a.net_minor FROM"
			" agg_product_day a JOIN stores s USING (store_id) JOIN products p"
			" USING (product_id) WHERE s.code = 'S002' AND p.sku = 'R-TEA'"
			" AND a.day = '%s'), '-')", day);
}

static void test_late_sale(Harness *h)
{
	static const Item tea = { "R-TEA", 2 };
	KassaClient *s2 = env.up ? it_login(&env.h, "S002-T1", 1002, "2345") : NULL;
	Kassa__V1__Response *r = NULL;
	char phone[32], sold_at[32], day[TEXT_MAX], out[TEXT_MAX];
	time_t t = time(NULL) - 3 * 86400;
	struct tm tm;
	int64_t z, txn, q0, n0, q1, n1;

	(void)h;
	if (!CHECK(s2, "the test's kassad serves"))
		goto out;
	gmtime_r(&t, &tm);
	strftime(sold_at, sizeof(sold_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sql_text(day, "SELECT ('%s'::timestamptz AT TIME ZONE 'America/New_York')::date::text", sold_at);
	/* whatever S001's RFM sales put on that day already (S002 had none then) */
	chain_tea(day, &q0, &n0);
	z = it_register(&env.h, s2, "Late Z", phone);
	if (z == 0 || (txn = sell(s2, z, &tea, 1, 2000, sold_at)) == 0)
		goto out;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty d JOIN stores s USING (store_id)"
			 " WHERE s.code = 'S002' AND d.day = '%s'", day) == 1 &&
	      it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 1,
	      "the late sale marked its store's day %s in its checkout", day);
	r = run_job(false, false, NULL);
	if (r == NULL)
		goto out;
	/* four stores' today and yesterday, and the marked day */
	CHECK(r->analytics_done->buckets == 9, "buckets %lld, want 9",
	      (long long)r->analytics_done->buckets);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 0, "the run took the mark");
	sql_text(out, "SELECT coalesce((SELECT a.sales || '/' || a.items || '/' || a.total_minor"
		 " || '/' || a.member_sales || '/' || a.member_total_minor FROM agg_sales_day a JOIN"
		 " stores s USING (store_id) WHERE s.code = 'S002' AND a.day = '%s'), '-')", day);
	CHECK(strcmp(out, "1/2/2000/1/2000") == 0, "the old day's bucket has the late sale: %s", out);
	/* 2 tea at 10.00 at S002, and the same 2 more in the chain-wide row of the day */
	CHECK(strcmp(late_rows(out, day), "2/2000") == 0, "S002's tea of %s: %s", day, out);
	chain_tea(day, &q1, &n1);
	CHECK(q1 == q0 + 2 && n1 == n0 + 2000, "the chain's tea of %s: %lld/%lld, want %lld/%lld",
	      day, (long long)q1, (long long)n1, (long long)q0 + 2, (long long)n0 + 2000);
	chain_is_sum("after the late sale");
	CHECK(strcmp(rfm_of(out, z), "5/1/1 new") == 0, "and its member is classified: %s", out);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_stats WHERE member_id = %lld AND"
			 " visits = 1 AND last_visit = '%s'::timestamptz", (long long)z, sold_at) == 1,
	      "with the sale's own time as the last visit");
	/* its refund today counts on today's bucket; the units stay sold on the old day */
	kc_response_free(r);
	r = NULL;
	if (refund(s2, txn, NULL, 0) == 0 || !run_ok(false, false))
		goto out;
	CHECK(strcmp(late_rows(out, day), "2/2000") == 0, "after the refund, S002's tea: %s", out);
	chain_tea(day, &q1, &n1);
	CHECK(q1 == q0 + 2 && n1 == n0 + 2000, "after the refund, the chain's tea: %lld/%lld",
	      (long long)q1, (long long)n1);
	CHECK(it_sql_int(&env.h, "SELECT coalesce(sum(a.refunds), 0) FROM agg_sales_day a JOIN"
			 " stores s USING (store_id) WHERE s.code = 'S002' AND a.day ="
			 " (now() AT TIME ZONE 'America/New_York')::date AND a.refund_minor = 2000") == 1,
	      "the refund counts on S002's today");
	chain_is_sum("after the refund");
out:
	kc_response_free(r);
	kc_free(s2);
}

/* ---- one run at a time; a late sale racing a run ---- */

#define ANALYTICS_LOCK "4242012"	/* kassa_analytics_lock()'s advisory lock */
#define POLL_DEADLINE_S 20		/* waiting for kassad or PostgreSQL to get somewhere */
#define RUNNING_TEXT "another analytics run is going"

/* A database connection of the test's own (holding locks, polling); NULL + failure. */
static PGconn *pg_open(void)
{
	PGconn *pg = PQconnectdb(env.h.conninfo);

	if (!CHECK(PQstatus(pg) == CONNECTION_OK, "connect: %s", PQerrorMessage(pg))) {
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Run sql on pg (statements, rows ignored); false + failure. */
static bool pg_run(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	bool ok = CHECK(PQresultStatus(res) == PGRES_COMMAND_OK ||
			PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg));

	PQclear(res);
	return ok;
}

/*
 * Poll sql (one bigint) on pg every 20 ms until it is not 0, for at most
 * POLL_DEADLINE_S; its last value (-1 if the query failed).
 */
static int64_t pg_poll(PGconn *pg, const char *sql)
{
	struct timespec ts = { 0, 20 * 1000000L };
	int64_t v = 0;

	for (int i = 0; i < POLL_DEADLINE_S * 50 && v == 0; i++) {
		PGresult *res = PQexec(pg, sql);

		v = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
			? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
		PQclear(res);
		if (v == 0)
			nanosleep(&ts, NULL);
	}
	return v;
}

/* Send, without waiting, an offline sale of qty R-TEA (10.00 each) sold at sold_at; false + failure. */
static bool late_send(KassaClient *kc, int qty, const char *sold_at, uint64_t *id)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine line = KASSA__V1__SALE_LINE__INIT, *lp = &line;
	Kassa__V1__Tender t = KASSA__V1__TENDER__INIT, *tp = &t;
	char key[KC_KEY_LEN];

	line.code = (char *)"R-TEA";
	line.quantity = qty;
	t.kind = CASH;
	t.amount_minor = 1000 * qty;
	co.n_lines = 1;
	co.lines = &lp;
	co.n_tenders = 1;
	co.tenders = &tp;
	co.sold_at = (char *)sold_at;
	co.offline = true;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	kc_new_key(key);
	req.idempotency_key = key;
	return CHECK(kc_send(kc, &req, id) == KC_OK, "send a late sale: %s", kc_last_error(kc));
}

/*
 * Two offline sales of S001's day five days ago, no member: the first
 * commits with its mark; the second is held in its checkout after its
 * mark (its tenders wait for the test's SHARE lock on the table) while a
 * run takes the day. The run must wait for the second sale (its mark
 * locks the mark already there) and count it: a run that counted the
 * first alone would delete the only mark, and the second would be lost.
 */
static void test_late_race(Harness *h)
{
	static const Item tea = { "R-TEA", 1 };
	KassaClient *s1 = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	KassaClient *s2 = env.up ? it_login(&env.h, "S001-T2", 1001, "1234") : NULL;
	KassaClient *ad = env.up ? it_login(&env.h, "HQ-OFFICE-1", 9001, "0000") : NULL;
	PGconn *hold = NULL, *watch = NULL;
	Kassa__V1__Response *r = NULL;
	KcReq run;
	char sold_at[32], day[TEXT_MAX], out[TEXT_MAX], want[64], sql[TEXT_MAX];
	time_t t = time(NULL) - 5 * 86400;
	struct tm tm;
	uint64_t sale_id = 0, run_id = 0;
	int64_t sales0, total0, runs0;
	bool held = false;
	KcResult rc;

	(void)h;
	if (!CHECK(s1 && s2 && ad, "the test's kassad serves") || (hold = pg_open()) == NULL ||
	    (watch = pg_open()) == NULL)
		goto out;
	gmtime_r(&t, &tm);
	strftime(sold_at, sizeof(sold_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sql_text(day, "SELECT ('%s'::timestamptz AT TIME ZONE s.timezone)::date::text FROM stores s"
		 " WHERE s.code = 'S001'", sold_at);
#define DAY_SALES " FROM transactions t JOIN stores s USING (store_id) WHERE s.code = 'S001'" \
	" AND t.kind = 'sale' AND (t.created_at AT TIME ZONE s.timezone)::date = '%s'"
	/* what the day holds already (the RFM members' visits), from the sales themselves */
	sales0 = it_sql_int(&env.h, "SELECT count(*)" DAY_SALES, day);
	total0 = it_sql_int(&env.h, "SELECT coalesce(sum(t.total_minor), 0)" DAY_SALES, day);
#undef DAY_SALES
	runs0 = it_sql_int(&env.h, "SELECT coalesce(max(run_id), 0) FROM job_runs");
	/* 1. the first late sale, committed with its mark */
	if (sell(s1, 0, &tea, 1, 1000, sold_at) == 0 ||
	    !CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty d JOIN stores s USING (store_id)"
			      " WHERE s.code = 'S001' AND d.day = '%s'", day) == 1,
		   "the first late sale marked S001's %s", day))
		goto out;
	/* 2. the second, of 2 tea, held after its mark */
	if (!pg_run(hold, "BEGIN; LOCK TABLE tenders IN SHARE MODE"))
		goto out;
	held = true;
	if (!late_send(s2, 2, sold_at, &sale_id) ||
	    !CHECK(pg_poll(watch, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation ="
			   " 'tenders'::regclass AND database = (SELECT oid FROM pg_database"
			   " WHERE datname = current_database())") == 1,
		   "the second late sale waits in its checkout, its mark made"))
		goto out;
	/* 3. a run meanwhile: it waits for the sale (or, wrongly, finishes without it) */
	kc_req_analytics_run(&run, false, false, NULL);
	if (!CHECK(kc_send(ad, &run.req, &run_id) == KC_OK, "send a run: %s", kc_last_error(ad)))
		goto out;
	snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname ="
		 " current_database() AND wait_event_type = 'Lock' AND query LIKE"
		 " '%%kassa_agg_buckets%%') + (SELECT count(*) FROM job_runs WHERE run_id > %lld"
		 " AND finished_at IS NOT NULL)", (long long)runs0);
	CHECK(pg_poll(watch, sql) > 0, "the run waits for the second sale, or has finished");
	/* 4. the sale commits; both are answered */
	held = false;
	if (!pg_run(hold, "COMMIT"))
		goto out;
	rc = kc_recv_id(s2, sale_id, &r);
	CHECK(rc == KC_OK && r && kc_status(r) == ST_OK && r->transaction,
	      "the second late sale: %s", r ? kc_message(r) : kc_last_error(s2));
	kc_response_free(r);
	r = NULL;
	rc = kc_recv_id(ad, run_id, &r);
	if (!CHECK(rc == KC_OK && r && kc_status(r) == ST_OK && r->analytics_done, "the run: %s",
		   r ? kc_message(r) : kc_last_error(ad)))
		goto out;
	/* the old day's bucket: both sales, 1 + 2 tea, 30.00 more than the day had */
	sql_text(out, "SELECT coalesce((SELECT a.sales || '/' || a.total_minor FROM agg_sales_day a"
		 " JOIN stores s USING (store_id) WHERE s.code = 'S001' AND a.day = '%s'), '0/0')", day);
	snprintf(want, sizeof(want), "%lld/%lld", (long long)sales0 + 2, (long long)total0 + 3000);
	CHECK(strcmp(out, want) == 0, "S001's bucket of %s counts both late sales: %s, want %s", day,
	      out, want);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM agg_dirty") == 0, "and no mark is left");
out:
	if (held && hold != NULL)
		(void)pg_run(hold, "ROLLBACK");
	PQfinish(watch);
	PQfinish(hold);
	kc_response_free(r);
	kc_free(ad);
	kc_free(s2);
	kc_free(s1);
}

/* rc and r (freed here) answer what: FAILED_PRECONDITION ANALYTICS_RUNNING; false + failure. */
static bool refused_running(KcResult rc, Kassa__V1__Response *r, KassaClient *kc, const char *what)
{
	bool ok = CHECK(rc == KC_OK && r && kc_status(r) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
			strcmp(kc_detail(r), "ANALYTICS_RUNNING") == 0 &&
			strstr(kc_message(r), RUNNING_TEXT) != NULL,
			"%s is refused ANALYTICS_RUNNING: %s %s %s", what,
			r ? kc_status_name(kc_status(r)) : kc_last_error(kc), r ? kc_detail(r) : "",
			r ? kc_message(r) : "");

	kc_response_free(r);
	return ok;
}

/* The lease is free: no holder, no run, expired. */
static bool lease_free(void)
{
	return it_sql_int(&env.h, "SELECT count(*) FROM job_leases WHERE job = 'analytics' AND"
			  " holder = '' AND run_id = 0 AND lease_until = '-infinity'") == 1;
}

/* Two runs at once, a retry of the running one's key, a dead kassad's lease (see the top). */
static void test_one_run(Harness *h)
{
	KassaClient *a = env.up ? it_login(&env.h, "HQ-OFFICE-1", 9001, "0000") : NULL;
	KassaClient *b = env.up ? it_login(&env.h, "HQ-OFFICE-1", 9001, "0000") : NULL;
	KassaClient *c = env.up ? it_login(&env.h, "HQ-OFFICE-1", 9001, "0000") : NULL;
	PGconn *hold = NULL;
	Kassa__V1__Response *r = NULL, *w = NULL;
	KcReq ra, rb;
	char ka[KC_KEY_LEN], kb[KC_KEY_LEN], won[TEXT_MAX];
	uint64_t ida = 0, idb = 0;
	bool a_won, locked = false;
	KcResult rc;

	(void)h;
	if (!CHECK(a && b && c, "the test's kassad serves") || (hold = pg_open()) == NULL ||
	    !(locked = pg_run(hold, "SELECT pg_advisory_lock(" ANALYTICS_LOCK ")")))
		goto out;
	/* 1. two rebuilds at once; the lock holds whichever goes at its first bucket */
	kc_new_key(ka);
	kc_new_key(kb);
	kc_req_analytics_run(&ra, false, true, ka);
	kc_req_analytics_run(&rb, false, true, kb);
	if (!CHECK(kc_send(a, &ra.req, &ida) == KC_OK && kc_send(b, &rb.req, &idb) == KC_OK,
		   "send two rebuilds"))
		goto out;
#define LEASE_KEY " FROM job_leases l JOIN idempotency i ON i.kind = 'analytics_run'" \
	" AND i.result_id = l.run_id WHERE l.job = 'analytics' AND l.lease_until > now()"
	CHECK(pg_poll(hold, "SELECT count(*)" LEASE_KEY) == 1, "a run holds the lease");
	sql_text(won, "SELECT coalesce((SELECT i.key" LEASE_KEY "), '')");
#undef LEASE_KEY
	if (!CHECK(strcmp(won, ka) == 0 || strcmp(won, kb) == 0, "one of the two: '%s'", won))
		goto out;
	a_won = strcmp(won, ka) == 0;
	/* 2. the other is refused at once and leaves nothing behind */
	rc = kc_recv_id(a_won ? b : a, a_won ? idb : ida, &r);
	refused_running(rc, r, a_won ? b : a, "the second of two rebuilds at once");
	r = NULL;
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM idempotency WHERE kind = 'analytics_run'"
			 " AND key = '%s'", a_won ? kb : ka) == 0, "the refused one left no key behind");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'analytics_run'"
			 " AND finished_at IS NULL") == 1, "one run goes");
	/* 5 x ([database] query_timeout_ms 15000 + 500 ms of grace) = 77.5 s, rounded up */
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_leases WHERE holder LIKE '%% pid %% run %%'"
			 " AND lease_until - now() BETWEEN interval '60 s' AND interval '78 s'") == 1,
	      "its lease runs 78 s ahead");
	/* 3. a retry of the running one's key: refused the same way */
	rc = kc_analytics_run(c, false, true, won, &r);
	refused_running(rc, r, c, "a retry of the running run's key");
	r = NULL;
	/* 4. once the lock goes the run finishes and gives the lease back */
	locked = !pg_run(hold, "SELECT pg_advisory_unlock(" ANALYTICS_LOCK ")");
	rc = kc_recv_id(a_won ? a : b, a_won ? ida : idb, &w);
	if (!CHECK(rc == KC_OK && w && kc_status(w) == ST_OK && w->analytics_done &&
		   w->analytics_done->buckets > 0, "the running rebuild finishes: %s",
		   w ? kc_message(w) : "-"))
		goto out;
	CHECK(lease_free(), "its end releases the lease");
	/* 5. then another run goes, and the first one's key answers its counts */
	CHECK(run_ok(false, false), "a run after it");
	r = run_job(false, true, won);
	CHECK(r && r->analytics_done->buckets == w->analytics_done->buckets &&
	      r->analytics_done->members == w->analytics_done->members,
	      "the retried key answers its run's counts");
	kc_response_free(r);
	r = NULL;
	/* 6. a kassad that died holding the lease: refused until the lease runs out */
	if (!it_sqlf(&env.h, "UPDATE job_leases SET holder = 'gone pid 1 run 1', run_id = 0,"
		     " lease_until = now() + interval '1 minute'"))
		goto out;
	rc = kc_analytics_run(c, false, false, NULL, &r);
	refused_running(rc, r, c, "a run while a dead kassad's lease has not run out");
	r = NULL;
	if (!it_sqlf(&env.h, "UPDATE job_leases SET lease_until = now() - interval '1 second'"))
		goto out;
	CHECK(run_ok(false, false), "a run once it has run out");
	CHECK(lease_free(), "and the lease is free after it");
out:
	if (locked)
		(void)pg_run(hold, "SELECT pg_advisory_unlock(" ANALYTICS_LOCK ")");
	PQfinish(hold);
	kc_response_free(r);
	kc_response_free(w);
	kc_free(c);
	kc_free(b);
	kc_free(a);
}

static void test_refused(Harness *h)
{
	KassaClient *an = env.up ? it_login(&env.h, "HQ-OFFICE-1", 3001, "3333") : NULL;
	KassaClient *ca = env.up ? it_login(&env.h, "S001-T1", 1001, "1234") : NULL;
	Kassa__V1__Response *r = NULL;

	(void)h;
	if (!CHECK(an && ca, "the test's kassad serves"))
		goto out;
	CHECK(kc_analytics_run(an, true, false, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "an analyst may not run the job: %s", r ? kc_status_name(kc_status(r)) : "-");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_analytics_run(ca, false, false, NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "nor a cashier: %s", r ? kc_status_name(kc_status(r)) : "-");
out:
	kc_response_free(r);
	kc_free(ca);
	kc_free(an);
}

static void test_done(Harness *h)
{
	analytics_env_down(&env, h);
}

static const HarnessTest tests[] = {
	{ "env", test_env },
	{ "aggregates", test_aggregates },
	{ "twice", test_twice },
	{ "moved", test_moved },
	{ "rfm", test_rfm },
	{ "incremental", test_incremental },
	{ "late_sale", test_late_sale },
	{ "late_race", test_late_race },
	{ "one_run", test_one_run },
	{ "refused", test_refused },
	{ "done", test_done },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

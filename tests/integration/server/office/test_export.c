/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_export: ExportPage, head office's streamed and audited exports.
 *
 *   fixed       six hand-made sales at a store of its own (Asia/Shanghai)
 *               around a range's ends: the sales and lines exports of
 *               2020-03-01..2020-03-03 give exactly the three sales whose
 *               local business day is inside (one at 00:30 local, the day
 *               before in UTC; one at 23:59 local), never the top-up, each
 *               cell as computed by hand (items, the tenders summary, RFC
 *               3339 UTC times, net of the line discount), paged 2 (sales)
 *               and 3 (lines, a cursor inside a sale) at a time;
 *   concurrent  sales and lines of S001 over today while another
 *               connection keeps checking out (two sales between any two
 *               pages): every row of the range the database had before the
 *               export exactly once, none twice, and exactly the range's
 *               rows up to the export's horizon;
 *   audit       the exports row (staff, till, kind, params, rows,
 *               finished_at) and the audit_log row "export.start";
 *               replaying the first page's key answers the same export;
 *   big_page    300 lines of 3000-byte names: a page is cut short before it
 *               outgrows a frame, and every line still comes once;
 *   refused     a later page by another staff member (EXPORT_NOT_YOURS), of
 *               an unknown export (EXPORT_NOT_FOUND), with another range
 *               (EXPORT_MISMATCH), a made-up cursor (BAD_CURSOR), a kind
 *               that does not exist (BAD_EXPORT_KIND), a bad day (BAD_RANGE);
 *   members     a filter (a fresh tag) and a saved segment of it: erased
 *               and merged members are never exported.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define MAX_ROWS 4000
#define MAX_PAGES 2000

/* What an export gave: each row's cells joined by '|', in order. */
typedef struct Got {
	char **rows;		/* owned */
	size_t n;
	int pages;
	int64_t export_id;
	int64_t rows_so_far;	/* the last page's */
	bool ok;
} Got;

static void got_free(Got *g)
{
	for (size_t i = 0; i < g->n && i < MAX_ROWS; i++)
		free(g->rows[i]);
	free(g->rows);
	memset(g, 0, sizeof(*g));
}

/* Row r's cells joined by '|'. */
static char *join_row(const Kassa__V1__ReportRow *r)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < r->n_cells; i++)
		len += strlen(r->cells[i]) + 1;
	s = malloc(len);
	s[0] = '\0';
	for (size_t i = 0; i < r->n_cells; i++) {
		if (i > 0)
			strcat(s, "|");
		strcat(s, r->cells[i]);
	}
	return s;
}

/* One page: the response (any status), or NULL when none came. */
static Kassa__V1__Response *one_page(KassaClient *kc, Kassa__V1__ExportPage *p, const char *key)
{
	Kassa__V1__Response *r = NULL;

	if (kc_export_page(kc, p, key, &r) != KC_OK || r == NULL) {
		kc_response_free(r);
		return NULL;
	}
	return r;
}

/* Called after each page but the last (NULL = none): checkouts between pages. */
static bool (*between_pages)(void);

/* Every page of export p from the start; the rows into g. */
static void export_all(KassaClient *kc, Kassa__V1__ExportPage *p, Got *g)
{
	char key[64], next[128] = "";

	memset(g, 0, sizeof(*g));
	g->rows = calloc(MAX_ROWS, sizeof(char *));
	it_fresh_name("export", key);
	p->export_id = 0;
	p->after = (char *)"";
	do {
		Kassa__V1__Response *r = one_page(kc, p, key);
		const Kassa__V1__ExportChunk *ch;

		if (!CHECK(r && kc_status(r) == ST_OK && r->export_chunk, "page %d: %s %s",
			   g->pages, r ? kc_status_name(kc_status(r)) : "-",
			   r ? kc_message(r) : kc_last_error(kc))) {
			kc_response_free(r);
			return;
		}
		ch = r->export_chunk;
		CHECK(ch->n_rows <= (p->limit ? p->limit : 1000), "a page holds at most the limit");
		CHECK(g->pages == 0 || ch->export_id == g->export_id, "one export id throughout");
		g->export_id = ch->export_id;
		g->rows_so_far = ch->rows_so_far;
		/* every row counts; the first MAX_ROWS are kept to compare */
		for (size_t i = 0; i < ch->n_rows; i++, g->n++)
			if (g->n < MAX_ROWS)
				g->rows[g->n] = join_row(ch->rows[i]);
		snprintf(next, sizeof(next), "%s", ch->next);
		p->export_id = ch->export_id;
		p->after = next;
		g->pages++;
		kc_response_free(r);
		if (next[0] != '\0' && between_pages != NULL)
			CHECK(between_pages(), "between pages %d and %d", g->pages, g->pages + 1);
	} while (next[0] != '\0' && g->pages < MAX_PAGES);
	p->after = (char *)"";
	g->ok = next[0] == '\0';
}

/* The leading integer of a joined row (its first cell). */
static int64_t row_key(const char *row)
{
	return strtoll(row, NULL, 10);
}

/* A row's key: txn_id, or txn_id * 1000 + line_no for a line. */
static int64_t got_key(const char *row, bool lines)
{
	char *end;
	int64_t id = strtoll(row, &end, 10);

	return lines ? id * 1000 + strtoll(end + 1, NULL, 10) : id;
}

/* ---- fixed: hand-made sales around the range's ends ---- */

/*
 * Store TAG (Asia/Shanghai) with six sales: s1 03-01 00:30 local (02-29 in
 * UTC), s2 03-02 (a member's, two tenders, a discounted line), s3 03-03
 * 23:59 local: in the range; s4 03-04 00:00 local and s5 02-29 23:59
 * local: out of it; s6 a top-up on 03-02: not a sale.
 */
static bool fixed_setup(Harness *h, const char *tag, const char *phone)
{
	char sql[6144];

	snprintf(sql, sizeof(sql),
		"INSERT INTO stores (code, name, timezone) VALUES ('%1$s', '导出店', 'Asia/Shanghai');"
		"INSERT INTO tills (store_id, code) SELECT store_id, '%1$s-T' FROM stores "
		" WHERE code = '%1$s';"
		"INSERT INTO products (sku, name, category, price_minor) VALUES "
		" ('%1$s-A', '乌龙茶, 500g', '茶', 500), ('%1$s-B', 'Say \"hi\"', 'misc', 700);"
		"INSERT INTO members (phone, card_no, name) VALUES ('%2$s', '%1$s-C', 'Fixed');"
		"INSERT INTO transactions (store_id, till_id, staff_id, member_id, currency,"
		" total_minor, tendered_minor, change_minor, gross_minor, kind, receipt_no, created_at)"
		" SELECT s.store_id, t.till_id, 1001, CASE WHEN v.n = 2 THEN (SELECT member_id FROM"
		"  members WHERE card_no = '%1$s-C') END, 'CNY', v.total, v.total, 0, v.total, v.kind,"
		"  '%1$s-' || v.n, v.at::timestamptz"
		" FROM stores s JOIN tills t ON t.store_id = s.store_id, (VALUES"
		"  (1, 1000, 'sale', '2020-02-29 16:30:00+00'), (2, 2550, 'sale', '2020-03-02 03:00:00+00'),"
		"  (3, 700, 'sale', '2020-03-03 15:59:00+00'), (4, 300, 'sale', '2020-03-03 16:00:00+00'),"
		"  (5, 400, 'sale', '2020-02-29 15:59:00+00'), (6, 5000, 'topup', '2020-03-02 05:00:00+00'))"
		"  AS v(n, total, kind, at)"
		" WHERE s.code = '%1$s' ORDER BY v.n;"
		/* the member's spend stays the sum of their sales, as everywhere */
		"UPDATE members SET cumulative_spend_minor = 2550 WHERE card_no = '%1$s-C';"
		"INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,"
		" unit_price_minor, line_total_minor, tier_off_minor, net_minor)"
		" SELECT x.txn_id, v.line, p.product_id, p.sku, p.name, v.qty, p.price_minor,"
		"  v.qty * p.price_minor, v.off, v.qty * p.price_minor - v.off"
		" FROM (VALUES (1, 1, 'A', 2, 0), (2, 1, 'A', 1, 0), (2, 2, 'B', 3, 50),"
		"  (3, 1, 'B', 1, 0), (4, 1, 'A', 1, 200), (5, 1, 'A', 1, 100)) AS v(n, line, prod, qty, off)"
		" JOIN transactions x ON x.receipt_no = '%1$s-' || v.n"
		" JOIN products p ON p.sku = '%1$s-' || v.prod;"
		"INSERT INTO tenders (txn_id, tender_no, kind, amount_minor)"
		" SELECT x.txn_id, v.no, v.kind, v.amount FROM (VALUES (1, 1, 1, 1000), (2, 1, 1, 2000),"
		"  (2, 2, 2, 550), (3, 1, 3, 700), (4, 1, 1, 300), (5, 1, 1, 400), (6, 1, 1, 5000))"
		"  AS v(n, no, kind, amount)"
		" JOIN transactions x ON x.receipt_no = '%1$s-' || v.n;",
		tag, phone);
	return CHECK(harness_psql_exec(h, sql), "the fixed sales");
}

static int64_t txn_of(Harness *h, const char *tag, int n)
{
	return it_sql_int(h, "SELECT txn_id FROM transactions WHERE receipt_no = '%s-%d'", tag, n);
}

static void test_fixed(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	char tag[64], phone[32], want[3][256], lwant[4][256];
	int64_t store, member, t1, t2, t3;
	Got g = { 0 };

	it_fresh_name("EXP", tag);
	it_fresh_phone(phone);
	if (an == NULL || !fixed_setup(h, tag, phone))
		goto out;
	store = it_sql_int(h, "SELECT store_id FROM stores WHERE code = '%s'", tag);
	member = it_sql_int(h, "SELECT member_id FROM members WHERE card_no = '%s-C'", tag);
	t1 = txn_of(h, tag, 1);
	t2 = txn_of(h, tag, 2);
	t3 = txn_of(h, tag, 3);
	snprintf(want[0], sizeof(want[0]),
		 "%lld|%s-1|%s|%s-T|1001||2020-02-29T16:30:00Z|CNY|1000|2|cash:1000",
		 (long long)t1, tag, tag, tag);
	snprintf(want[1], sizeof(want[1]),
		 "%lld|%s-2|%s|%s-T|1001|%lld|2020-03-02T03:00:00Z|CNY|2550|4|cash:2000;card:550",
		 (long long)t2, tag, tag, tag, (long long)member);
	snprintf(want[2], sizeof(want[2]),
		 "%lld|%s-3|%s|%s-T|1001||2020-03-03T15:59:00Z|CNY|700|1|ewallet:700",
		 (long long)t3, tag, tag, tag);

	p.kind = (char *)"sales";
	p.from = (char *)"2020-03-01";
	p.to = (char *)"2020-03-03";
	p.store_id = store;
	p.limit = 2;
	export_all(an, &p, &g);
	if (CHECK(g.ok && g.n == 3, "sales 03-01..03-03 of the store: 3 rows, got %zu", g.n)) {
		for (int i = 0; i < 3; i++)
			CHECK(strcmp(g.rows[i], want[i]) == 0, "sale %d:\n  got  %s\n  want %s", i + 1,
			      g.rows[i], want[i]);
		CHECK(g.pages == 2 && g.rows_so_far == 3, "2 pages of at most 2, 3 rows so far; "
		      "got %d pages, %lld", g.pages, (long long)g.rows_so_far);
	}
	got_free(&g);

	snprintf(lwant[0], sizeof(lwant[0]), "%lld|1|%s-A|乌龙茶, 500g|茶|2|500|1000",
		 (long long)t1, tag);
	snprintf(lwant[1], sizeof(lwant[1]), "%lld|1|%s-A|乌龙茶, 500g|茶|1|500|500",
		 (long long)t2, tag);
	snprintf(lwant[2], sizeof(lwant[2]), "%lld|2|%s-B|Say \"hi\"|misc|3|700|2050",
		 (long long)t2, tag);
	snprintf(lwant[3], sizeof(lwant[3]), "%lld|1|%s-B|Say \"hi\"|misc|1|700|700",
		 (long long)t3, tag);
	p.kind = (char *)"lines";
	p.limit = 3;	/* the first page ends inside s2: the cursor is (txn, line) */
	export_all(an, &p, &g);
	if (CHECK(g.ok && g.n == 4, "lines of those sales: 4, got %zu", g.n))
		for (int i = 0; i < 4; i++)
			CHECK(strcmp(g.rows[i], lwant[i]) == 0, "line %d:\n  got  %s\n  want %s", i + 1,
			      g.rows[i], lwant[i]);
	got_free(&g);

	/* one day only: 03-01 local is s1 alone, though it is 02-29 in UTC */
	p.kind = (char *)"sales";
	p.from = p.to = (char *)"2020-03-01";
	p.limit = 0;
	export_all(an, &p, &g);
	CHECK(g.ok && g.n == 1 && row_key(g.rows[0]) == t1 && g.pages == 1,
	      "03-01 at the store: s1 only, got %zu", g.n);
	got_free(&g);
out:
	kc_free(an);
}

/* A page that would outgrow a frame is cut short: 300 lines of 3000-byte names. */
static void test_big_page(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__Response *r = NULL;
	char tag[64], key[64];
	int64_t store, txn;
	Got g = { 0 };
	bool once = true;

	it_fresh_name("EXPB", tag);
	if (an == NULL ||
	    !it_sqlf(h, "INSERT INTO stores (code, name) VALUES ('%s', 'Big')", tag) ||
	    !it_sqlf(h, "INSERT INTO transactions (store_id, till_id, staff_id, currency, total_minor,"
		     " tendered_minor, change_minor, gross_minor, receipt_no, created_at) SELECT"
		     " store_id, 1, 1001, 'CNY', 30000, 30000, 0, 30000, '%s-1', '2020-05-05 04:00+00'"
		     " FROM stores WHERE code = '%s'", tag, tag) ||
	    !it_sqlf(h, "INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name,"
		     " quantity, unit_price_minor, line_total_minor, net_minor) SELECT t.txn_id, g,"
		     " 1, 'BIG', repeat('x', 3000), 1, 100, 100, 100 FROM transactions t,"
		     " generate_series(1, 300) g WHERE t.receipt_no = '%s-1'", tag))
		goto out;
	store = it_sql_int(h, "SELECT store_id FROM stores WHERE code = '%s'", tag);
	txn = it_sql_int(h, "SELECT txn_id FROM transactions WHERE receipt_no = '%s-1'", tag);
	p.kind = (char *)"lines";
	p.from = p.to = (char *)"2020-05-05";
	p.store_id = store;
	p.limit = 5000;
	it_fresh_name("export-big", key);
	r = one_page(an, &p, key);
	if (CHECK(r && kc_status(r) == ST_OK && r->export_chunk, "the first page"))
		CHECK(r->export_chunk->n_rows > 0 && r->export_chunk->n_rows < 300 &&
		      r->export_chunk->next[0] != '\0', "900 KB of lines: the page is cut short "
		      "(%zu rows) with a next", r->export_chunk->n_rows);
	kc_response_free(r);
	r = NULL;
	export_all(an, &p, &g);
	if (CHECK(g.ok && g.n == 300 && g.pages >= 2, "all 300 lines in %d pages, got %zu",
		  g.pages, g.n))
		for (size_t i = 0; i < g.n; i++)
			once = once && got_key(g.rows[i], true) == txn * 1000 + (int64_t)i + 1;
	CHECK(once, "each line once, in order");
out:
	got_free(&g);
	kc_response_free(r);
	kc_free(an);
}

/* ---- concurrent: checkouts while the export pages ---- */

typedef struct Seller {
	Harness *h;
	KassaClient *kc;
	char sku[64];
	atomic_bool stop;
	atomic_int sold;
	atomic_int failed;
	atomic_int quota;		/* sales still asked for: it sells only those */
} Seller;

static void *seller_main(void *arg)
{
	Seller *s = arg;

	while (!atomic_load(&s->stop)) {
		KcLine line = { 0 };
		KcTender t = { CASH, 700, NULL };
		KcSale sale = { 0 };
		Kassa__V1__Response *r = NULL;
		char key[64];

		if (atomic_load(&s->quota) <= 0) {
			struct timespec ts = { 0, 1000 * 1000 };

			nanosleep(&ts, NULL);	/* idle until wait_sold() asks for more */
			continue;
		}
		line.code = s->sku;
		line.quantity = 1;
		sale.lines = &line;
		sale.nlines = 1;
		sale.tenders = &t;
		sale.ntenders = 1;
		it_fresh_name("exp-sell", key);
		if (kc_checkout(s->kc, &sale, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK) {
			atomic_fetch_add(&s->sold, 1);
			atomic_fetch_sub(&s->quota, 1);
		} else
			atomic_fetch_add(&s->failed, 1);
		kc_response_free(r);
	}
	return NULL;
}

static Seller *the_seller;

/*
 * Ask seller for n more sales, made on its own connection while this one
 * pages on, and wait (at most 20 s) until they are sold.
 */
static bool wait_sold(Seller *s, int n)
{
	int target = atomic_load(&s->sold) + n;

	atomic_fetch_add(&s->quota, n);
	for (int i = 0; i < 2000 && atomic_load(&s->sold) < target; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return atomic_load(&s->sold) >= target;
}

/* between_pages: two more sales committed before the next page is asked */
static bool two_more_sales(void)
{
	return wait_sold(the_seller, 2);
}

/* The keys in the range (as SQL sees it now, up to upto), ascending, into *out (*n). */
static bool sql_keys(Harness *h, const char *kind, const char *from, const char *to,
		     int64_t store, int64_t upto, int64_t **out, size_t *n)
{
	bool lines = strcmp(kind, "lines") == 0;
	size_t cap = 1 << 20;
	char sql[1024], *buf = malloc(cap), *p;

	*n = 0;
	*out = NULL;
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(k::text, ',' ORDER BY k), '') FROM (SELECT %s AS k"
		 " FROM transactions t JOIN stores s USING (store_id) %s WHERE t.kind = 'sale' AND"
		 " t.store_id = %lld AND (t.created_at AT TIME ZONE s.timezone)::date BETWEEN '%s'"
		 " AND '%s' AND t.txn_id <= %lld) x",
		 lines ? "t.txn_id * 1000 + l.line_no" : "t.txn_id",
		 lines ? "JOIN transaction_lines l ON l.txn_id = t.txn_id" : "",
		 (long long)store, from, to, (long long)upto);
	if (!CHECK(harness_psql_scalar(h, sql, buf, cap), "the keys of %s", kind)) {
		free(buf);
		return false;
	}
	*out = calloc(strlen(buf) / 2 + 2, sizeof(int64_t));
	for (p = buf; *p != '\0';) {
		(*out)[(*n)++] = strtoll(p, &p, 10);
		if (*p == ',')
			p++;
	}
	free(buf);
	return true;
}

static void concurrent_kind(Harness *h, KassaClient *an, Seller *sl, const char *kind,
			    const char *from, const char *to, int64_t store)
{
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	bool lines = strcmp(kind, "lines") == 0;
	int64_t *before = NULL, *after = NULL, upto;
	size_t nb = 0, na = 0, j = 0;
	Got g = { 0 };
	bool dup = false, all = true;

	/* what the database has before the export starts */
	sql_keys(h, kind, from, to, store, INT64_MAX, &before, &nb);
	p.kind = (char *)kind;
	p.from = (char *)from;
	p.to = (char *)to;
	p.store_id = store;
	p.limit = 7;
	the_seller = sl;
	between_pages = two_more_sales;
	export_all(an, &p, &g);
	between_pages = NULL;
	if (!CHECK(before != NULL && g.ok && g.n > 0 && g.n <= MAX_ROWS, "%s export done", kind))
		goto out;
	upto = it_sql_int(h, "SELECT upto FROM exports WHERE export_id = %lld",
			  (long long)g.export_id);
	sql_keys(h, kind, from, to, store, upto, &after, &na);
	/* strictly ascending keys: none twice */
	for (size_t i = 1; i < g.n; i++)
		dup = dup || got_key(g.rows[i], lines) <= got_key(g.rows[i - 1], lines);
	CHECK(!dup, "%s: every row once, in key order", kind);
	/* every row there before the start */
	for (size_t i = 0; i < nb; i++) {
		while (j < g.n && got_key(g.rows[j], lines) < before[i])
			j++;
		all = all && j < g.n && got_key(g.rows[j], lines) == before[i];
	}
	CHECK(all, "%s: each of the %zu rows there before the export came", kind, nb);
	/* and exactly the range's rows up to the horizon */
	CHECK(na == g.n, "%s: %zu rows up to the horizon, exported %zu", kind, na, g.n);
	for (size_t i = 0; i < na && i < g.n; i++)
		if (!CHECK(got_key(g.rows[i], lines) == after[i], "%s row %zu", kind, i))
			break;
	CHECK(g.rows_so_far == (int64_t)g.n, "%s: rows so far %lld", kind,
	      (long long)g.rows_so_far);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions t WHERE t.store_id = %lld AND"
			 " t.txn_id > %lld AND kind = 'sale'", (long long)store, (long long)upto) >=
	      2 * (g.pages - 1), "%s: sales were made between the %d pages (past the horizon)",
	      kind, g.pages);
out:
	free(before);
	free(after);
	got_free(&g);
}

static void test_concurrent(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Seller sl = { 0 };
	pthread_t th;
	bool started = false;
	char from[16], to[16];
	int64_t store;

	sl.h = h;
	sl.kc = it_cashier(h);
	it_fresh_name("EXPC", sl.sku);
	if (an == NULL || sl.kc == NULL ||
	    !it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', "
		     "'Export tea', 700)", sl.sku))
		goto out;
	store = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	/* the business days of S001 around now */
	if (!CHECK(harness_psql_scalar(h, "SELECT ((now() AT TIME ZONE timezone)::date - 1)::text"
				       " FROM stores WHERE code = 'S001'", from, sizeof(from)) &&
		   harness_psql_scalar(h, "SELECT ((now() AT TIME ZONE timezone)::date + 1)::text"
				       " FROM stores WHERE code = 'S001'", to, sizeof(to)), "range"))
		goto out;
	atomic_store(&sl.stop, false);
	if (!CHECK(pthread_create(&th, NULL, seller_main, &sl) == 0, "seller thread"))
		goto out;
	started = true;
	/* enough sales in the range for many pages */
	if (!CHECK(wait_sold(&sl, 40), "40 sales before the export"))
		goto out;
	concurrent_kind(h, an, &sl, "sales", from, to, store);
	concurrent_kind(h, an, &sl, "lines", from, to, store);
out:
	if (started) {
		atomic_store(&sl.stop, true);
		pthread_join(th, NULL);
		CHECK(atomic_load(&sl.failed) == 0, "%d checkouts failed", atomic_load(&sl.failed));
	}
	kc_free(sl.kc);
	kc_free(an);
}

/* ---- audit: who exported what ---- */

/* True if the page is answered with code (and detail, unless NULL); says what it got if not. */
static bool page_is(KassaClient *kc, Kassa__V1__ExportPage *p, const char *key,
		    Kassa__V1__StatusCode code, const char *detail)
{
	Kassa__V1__Response *r = one_page(kc, p, key);
	bool ok = r != NULL && kc_status(r) == code &&
		  (detail == NULL || strcmp(kc_detail(r), detail) == 0);

	if (!ok)
		fprintf(stderr, "  page: %s %s\n", r ? kc_status_name(kc_status(r)) : "-",
			r ? kc_detail(r) : kc_last_error(kc));
	kc_response_free(r);
	return ok;
}

static void test_audit(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *s1 = it_cashier(h);
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__Response *r = NULL;
	char key[64], sku[64], from[16], params[256], next[64] = "";
	int64_t store, hq, id, id2 = 0, rows2[2] = { 0, 0 };
	Got g = { 0 };

	if (an == NULL || s1 == NULL)
		goto out;
	store = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	hq = it_sql_int(h, "SELECT till_id FROM tills WHERE code = 'HQ-OFFICE-1'");
	it_fresh_name("EXPA", sku);
	if (!it_sqlf(h, "INSERT INTO products (sku, name, price_minor) VALUES ('%s', 'A', 700)",
		     sku) ||
	    !CHECK(harness_psql_scalar(h, "SELECT ((now() AT TIME ZONE timezone)::date)::text FROM"
				       " stores WHERE code = 'S001'", from, sizeof(from)), "today"))
		goto out;
	/* at least 5 sales today at S001 */
	for (int i = 0; i < 5; i++) {
		KcLine line = { .code = sku, .quantity = 1 };
		KcTender t = { CASH, 700, NULL };
		KcSale sale = { .lines = &line, .nlines = 1, .tenders = &t, .ntenders = 1 };

		it_fresh_name("expa-sell", key);
		if (!CHECK(kc_checkout(s1, &sale, key, false, &r) == KC_OK && kc_status(r) == ST_OK,
			   "sale"))
			goto out;
		kc_response_free(r);
		r = NULL;
	}

	/* the whole export: the row says who, from where, what, how many, finished */
	p.kind = (char *)"sales";
	p.from = p.to = from;
	p.store_id = store;
	/* today's S001 sales are every earlier test's too: pages big enough for them all */
	p.limit = 500;
	export_all(an, &p, &g);
	if (!CHECK(g.ok && g.n >= 5, "today's S001 sales: %zu", g.n))
		goto out;
	id = g.export_id;
	snprintf(params, sizeof(params), "{\"to\": \"%s\", \"from\": \"%s\", \"kind\": \"sales\", "
		 "\"store_id\": %lld}", from, from, (long long)store);
	CHECK(it_sql_int(h, "SELECT count(*) FROM exports WHERE export_id = %lld AND staff_id = 3001"
			 " AND till_id = %lld AND kind = 'sales' AND rows = %zu AND finished_at IS NOT"
			 " NULL AND params = '%s'::jsonb", (long long)id, (long long)hq, g.n,
			 params) == 1,
	      "the exports row: analyst 3001 at HQ-OFFICE-1, sales of %s at S001, %zu rows, "
	      "finished", from, g.n);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'export.start' AND "
			 "subject = 'export:%lld' AND staff_id = 3001 AND till_id = %lld AND "
			 "detail->>'kind' = 'sales' AND detail->'params' = '%s'::jsonb",
			 (long long)id, (long long)hq, params) == 1,
	      "one audit_log row export.start for export %lld", (long long)id);
	got_free(&g);

	/* the first page again with its key: the same export, no second row */
	it_fresh_name("export-replay", key);
	p.export_id = 0;
	p.after = (char *)"";
	p.limit = 2;
	for (int i = 0; i < 2; i++) {
		r = one_page(an, &p, key);
		if (!CHECK(r && kc_status(r) == ST_OK && r->export_chunk, "first page %d", i))
			goto out;
		if (i == 0) {
			id2 = r->export_chunk->export_id;
			snprintf(next, sizeof(next), "%s", r->export_chunk->next);
		}
		CHECK(r->export_chunk->export_id == id2 && r->export_chunk->rows_so_far == 2,
		      "replayed: export %lld, 2 rows so far", (long long)id2);
		kc_response_free(r);
		r = NULL;
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE subject = 'export:%lld'",
			 (long long)id2) == 1, "a replay writes no second audit row");
	/* the second page twice (a client's retry): counted once */
	p.export_id = id2;
	p.after = next;
	for (int i = 0; i < 2; i++) {
		r = one_page(an, &p, NULL);
		if (!CHECK(r && kc_status(r) == ST_OK && r->export_chunk, "second page %d", i))
			goto out;
		rows2[i] = r->export_chunk->rows_so_far;
		kc_response_free(r);
		r = NULL;
	}
	CHECK(rows2[0] == 4 && rows2[1] == 4, "page 2 read twice: 4 rows so far both times, got "
	      "%lld, %lld", (long long)rows2[0], (long long)rows2[1]);
	CHECK(it_sql_int(h, "SELECT rows FROM exports WHERE export_id = %lld", (long long)id2) == 4,
	      "the exports row counts page 2 once");
out:
	got_free(&g);
	kc_response_free(r);
	kc_free(s1);
	kc_free(an);
}

/* ---- refused ---- */

static void test_refused(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *ad = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	KassaClient *s1 = it_cashier(h);
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__Response *r = NULL;
	char key[64];
	int64_t id;

	if (an == NULL || ad == NULL || s1 == NULL)
		goto out;
	p.kind = (char *)"sales";
	p.from = (char *)"2019-01-01";
	p.to = (char *)"2019-01-31";
	it_fresh_name("export-refused", key);
	r = one_page(an, &p, key);
	if (!CHECK(r && kc_status(r) == ST_OK && r->export_chunk, "start"))
		goto out;
	id = r->export_chunk->export_id;
	kc_response_free(r);
	r = NULL;

	p.export_id = id;
	p.after = (char *)"1";
	CHECK(page_is(ad, &p, NULL, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "EXPORT_NOT_YOURS"),
	      "admin 9001 may not go on with analyst 3001's export");
	CHECK(page_is(an, &p, NULL, ST_OK, NULL), "its own staff member may");
	p.export_id = id + 1000000;
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__NOT_FOUND, "EXPORT_NOT_FOUND"),
	      "an unknown export");
	p.export_id = id;
	p.to = (char *)"2019-02-28";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "EXPORT_MISMATCH"),
	      "a later page of another range");
	p.to = (char *)"2019-01-31";
	p.kind = (char *)"lines";
	p.after = (char *)"1:1";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "EXPORT_MISMATCH"),
	      "a later page of another kind");
	p.kind = (char *)"sales";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR"),
	      "a lines cursor on sales");
	p.after = (char *)"x";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR"),
	      "a made-up cursor");
	p.export_id = 0;
	p.after = (char *)"5";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR"),
	      "a first page starts at the start");
	p.after = (char *)"";
	p.kind = (char *)"staff";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_EXPORT_KIND"),
	      "no such kind");
	p.kind = (char *)"sales";
	p.from = (char *)"2019-02-30";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RANGE"),
	      "no such day");
	p.from = (char *)"2019-03-01";
	CHECK(page_is(an, &p, NULL, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RANGE"),
	      "from after to");
	p.from = (char *)"2019-01-01";
	CHECK(page_is(s1, &p, NULL, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, NULL),
	      "a cashier exports nothing");
	CHECK(it_sql_int(h, "SELECT count(*) FROM exports WHERE export_id > %lld",
			 (long long)id) == 0, "no refused first page wrote an exports row");
out:
	kc_response_free(r);
	kc_free(s1);
	kc_free(ad);
	kc_free(an);
}

/* ---- members: erased and merged never ---- */

static void test_members(Harness *h)
{
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *s1 = it_cashier(h);
	Kassa__V1__ExportPage p = KASSA__V1__EXPORT_PAGE__INIT;
	Kassa__V1__MemberFilter f = KASSA__V1__MEMBER_FILTER__INIT;
	Kassa__V1__Response *r = NULL;
	char tag[64], phone[32], name[64];
	int64_t m[4];
	Got g = { 0 };
	KcReq req;

	if (an == NULL || s1 == NULL)
		goto out;
	it_fresh_name("exptag", tag);
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "Export Member %d", i + 1);
		if ((m[i] = it_register(h, s1, name, phone)) == 0)
			goto out;
	}
	/* m2 erased, m3 merged into m1 */
	if (!it_sqlf(h, "UPDATE members SET tags = ARRAY['%s'] WHERE member_id IN (%lld, %lld, "
		     "%lld, %lld)", tag, (long long)m[0], (long long)m[1], (long long)m[2],
		     (long long)m[3]) ||
	    !it_sqlf(h, "UPDATE members SET erased_at = now() WHERE member_id = %lld",
		     (long long)m[1]) ||
	    !it_sqlf(h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
		     (long long)m[0], (long long)m[2]))
		goto out;

	f.tag = tag;
	p.kind = (char *)"members";
	p.filter = &f;
	p.limit = 1;
	export_all(an, &p, &g);
	if (CHECK(g.ok && g.n == 2, "tag %s: 2 members (not the erased, not the merged), got %zu",
		  tag, g.n)) {
		CHECK(row_key(g.rows[0]) == m[0] && row_key(g.rows[1]) == m[3],
		      "members %lld and %lld", (long long)m[0], (long long)m[3]);
		CHECK(strstr(g.rows[0], "|Export Member 1|") != NULL && strstr(g.rows[0], tag) &&
		      (strstr(g.rows[0], "|false|") != NULL || strstr(g.rows[0], "|true|") != NULL),
		      "the member's cells: %s", g.rows[0]);
	}
	got_free(&g);

	/* the same as a saved segment */
	kc_req_segment_save(&req, tag, "export test", &f, NULL);
	if (!CHECK(kc_call(an, &req.req, &r) == KC_OK && r && kc_status(r) == ST_OK,
		   "segment save: %s", r ? kc_message(r) : kc_last_error(an)))
		goto out;
	kc_response_free(r);
	r = NULL;
	kc_req_done(&req);
	p.filter = NULL;
	p.segment = tag;
	export_all(an, &p, &g);
	if (CHECK(g.ok && g.n == 2, "segment %s: 2 members, got %zu", tag, g.n))
		CHECK(row_key(g.rows[0]) == m[0] && row_key(g.rows[1]) == m[3], "the same two");
	CHECK(it_sql_int(h, "SELECT count(*) FROM exports WHERE export_id = %lld AND "
			 "params->>'segment' = '%s' AND params->>'segment_version' = '1' AND rows = 2",
			 (long long)g.export_id, tag) == 1,
	      "the exports row names the segment and the version read");
	got_free(&g);
	p.segment = (char *)"no-such-segment-at-all";
	p.export_id = 0;
	p.after = (char *)"";
	CHECK(page_is(an, &p, "export-no-segment-key", KASSA__V1__STATUS_CODE__NOT_FOUND,
		      "SEGMENT_NOT_FOUND"), "an unknown segment");
out:
	got_free(&g);
	kc_response_free(r);
	kc_free(s1);
	kc_free(an);
}

static const HarnessTest tests[] = {
	{ "fixed", test_fixed },
	{ "big_page", test_big_page },
	{ "concurrent", test_concurrent },
	{ "audit", test_audit },
	{ "refused", test_refused },
	{ "members", test_members },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reco.c: the recommendations job (care/reco) on a hand-built basket
 * set, in a database and kassad of its own (analytics_env.c: exact counts
 * need a sales table holding only the test's baskets), with
 * [crm] reco_min_pair_count 2, reco_recent_days 7, reco_per_member 5 and
 * the timer off.
 *
 * Ten baskets (sales) of products P-A, P-B (category x), P-C, P-D (y) and
 * P-E (x, made inactive before the run), three of them members':
 *
 *   1 A B (m1, 20 days ago)   2 A B (m1, 20)   3 A B C (m2, 20)
 *   4 A C (m2, 20)   5 B D (m3, 20)   6 C D   7 A B   8 D   9 A B E
 *   10 C (m3, today)
 *
 * So baskets(A) = 6, (B) = 6, (C) = 4, (D) = 3, of 10; A&B in 5, A&C in 2,
 * every other pair in 1 (below the minimum). By hand:
 *   A->B, B->A  support 0.5, confidence 5/6, lift (5/6)/(6/10) = 1.3889
 *   A->C        support 0.2, confidence 2/6, lift (2/6)/(4/10) = 0.8333
 *   C->A        support 0.2, confidence 2/4, lift (2/4)/(6/10) = 0.8333
 * m3 (bought B, D 20 days ago and C today; no member_stats, so their
 * categories are those they bought: y twice, x once; class 'none' with
 * m1 and m2):
 *   bought_with  A because B (lift 1389; C->A's 833 is lower), C is recent
 *   category     y: C (recent) and D (3 of y's 7 baskets: 428); x: A (kept
 *                as bought_with), B (6 of 13: 461), E inactive
 *   similar      B 1000, A 666, C 666, D 333: all already given
 *   so, interleaved: 1 A bought_with 1389 (P-B), 2 B category 461,
 *   3 D category 428.
 *
 *   env        the database, kassad, the products and baskets
 *   pairs      JobRun "recommendations": JobDone examined 10 and changed
 *              4; the four rows' exact figures
 *   member     m3's rows, as MemberGet (the till's lookup) and its JSON
 *              (kcj_member, what `member find` prints) and Member360 give
 *              them; no recent or inactive product in anyone's; the 360's
 *              complaint and follow-up summaries
 *   rerun      a second run replaces (same rows, the new run's id) and a
 *              retry of the first key answers the first run
 *   report     ReportRun bought_together lists the pairs, lift first
 *   lease      while another holds the lease (a kassad that died in a
 *              run), JobRun is refused RECO_RUNNING and leaves no run
 *   timer      a second kassad on the database with [crm]
 *              recommendations_interval 1 runs the job by itself
 *   refused    a cashier may not run the job
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "analytics_env.h"
#include "itest.h"
#include "kc_feed.h"
#include "kc_json.h"
#include "kc_office_members.h"
#include "kc_reports.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define TEXT_MAX 4096

static AnalyticsEnv env;
static int64_t m1, m2, m3;
static int64_t first_run;
static char first_key[KC_KEY_LEN];

/* First column of sql into out (TEXT_MAX); "" + failure if it fails. */
static const char *sql_text(char *out, const char *sql)
{
	if (!harness_psql_scalar(&env.h, sql, out, TEXT_MAX)) {
		CHECK(false, "query failed: %s", sql);
		out[0] = '\0';
	}
	return out;
}

/* A member of the test's own; its id. */
static int64_t member(int n)
{
	return it_sql_int(&env.h, "INSERT INTO members (phone, card_no, name) VALUES"
			  " ('+861390000%04d', 'RECO-%d', '推荐测试%d') RETURNING member_id", n, n, n);
}

/* A sale of skus (a text array literal) to member (0: none), days ago. */
static bool basket(int64_t mem, int days, const char *skus)
{
	char who[24];

	snprintf(who, sizeof(who), "%lld", (long long)mem);
	return it_sqlf(&env.h,
		"WITH t AS (INSERT INTO transactions (store_id, till_id, staff_id, member_id,"
		" currency, total_minor, tendered_minor, change_minor, gross_minor, created_at)"
		" SELECT (SELECT min(store_id) FROM stores), (SELECT min(till_id) FROM tills),"
		" (SELECT min(staff_id) FROM staff), nullif(%s, 0), 'CNY', 0, 0, 0, 0,"
		" now() - make_interval(days => %d) RETURNING txn_id)"
		" INSERT INTO transaction_lines (txn_id, line_no, product_id, sku, name, quantity,"
		" unit_price_minor, line_total_minor, net_minor)"
		" SELECT t.txn_id, row_number() OVER (ORDER BY p.sku), p.product_id, p.sku, p.name,"
		" 1, 0, 0, 0 FROM t, products p WHERE p.sku = ANY ('%s'::text[])", who, days, skus);
}

static void test_env(Harness *h)
{
	if (!analytics_env_up(&env, h))
		return;
	CHECK(it_sqlf(&env.h, "INSERT INTO products (sku, name, category, price_minor) VALUES"
		      " ('P-A', '绿茶', 'x', 100), ('P-B', 'Biscuits', 'x', 100),"
		      " ('P-C', '大米', 'y', 100), ('P-D', 'Dumplings', 'y', 100),"
		      " ('P-E', 'Eggs', 'x', 100)"), "the products");
	m1 = member(1);
	m2 = member(2);
	m3 = member(3);
	CHECK(m1 > 0 && m2 > 0 && m3 > 0, "the members");
	CHECK(basket(m1, 20, "{P-A,P-B}") && basket(m1, 20, "{P-A,P-B}") &&
	      basket(m2, 20, "{P-A,P-B,P-C}") && basket(m2, 20, "{P-A,P-C}") &&
	      basket(m3, 20, "{P-B,P-D}") && basket(0, 3, "{P-C,P-D}") &&
	      basket(0, 3, "{P-A,P-B}") && basket(0, 3, "{P-D}") &&
	      basket(0, 3, "{P-A,P-B,P-E}") && basket(m3, 0, "{P-C}"), "the baskets");
	/* an old sale, outside the 90-day window, counts for nothing */
	CHECK(basket(m1, 200, "{P-C,P-D}"), "an old basket");
	CHECK(it_sqlf(&env.h, "UPDATE products SET active = false WHERE sku = 'P-E'"), "P-E off");
}

/* JobRun "recommendations" with key (NULL: fresh) as the administrator; the JobDone or NULL. */
static Kassa__V1__Response *job_run(const char *key)
{
	KassaClient *kc = it_login(&env.h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;

	if (!CHECK(kc != NULL, "admin login"))
		return NULL;
	if (!CHECK(kc_job_run(kc, "recommendations", key, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK && r->job_done, "JobRun: %s %s",
		   r ? kc_status_name(kc_status(r)) : "-", r ? r->status->detail : "")) {
		kc_response_free(r);
		r = NULL;
	}
	kc_free(kc);
	return r;
}

static void test_pairs(Harness *h)
{
	Kassa__V1__Response *r;
	char out[TEXT_MAX];

	(void)h;
	kc_new_key(first_key);
	r = job_run(first_key);
	if (r == NULL)
		return;
	first_run = r->job_done->run_id;
	CHECK(strcmp(r->job_done->job, "recommendations") == 0, "job %s", r->job_done->job);
	CHECK(r->job_done->examined == 10, "baskets %lld", (long long)r->job_done->examined);
	CHECK(r->job_done->changed == 4, "pairs %lld", (long long)r->job_done->changed);
	CHECK(r->job_done->finished_at[0] != '\0', "finished");
	kc_response_free(r);
	sql_text(out, "SELECT string_agg(format('%s>%s %s/%s/%s/%s %s %s %s', a.sku, b.sku,"
		 " p.baskets, p.baskets_a, p.baskets_b, p.total_baskets, round(p.support::numeric, 4),"
		 " round(p.confidence::numeric, 4), round(p.lift::numeric, 4)), ' | '"
		 " ORDER BY a.sku, b.sku) FROM reco_pairs p JOIN products a ON a.product_id ="
		 " p.product_id JOIN products b ON b.product_id = p.other_id");
	CHECK(strcmp(out, "P-A>P-B 5/6/6/10 0.5000 0.8333 1.3889 | P-A>P-C 2/6/4/10 0.2000 0.3333"
		     " 0.8333 | P-B>P-A 5/6/6/10 0.5000 0.8333 1.3889 | P-C>P-A 2/4/6/10 0.2000"
		     " 0.5000 0.8333") == 0, "pairs: %s", out);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'recommendations'"
			 " AND finished_at IS NOT NULL") == 1, "one run recorded");
}

#define M3_WANT "1 P-A bought_with 1389 P-B | 2 P-B category 461  | 3 P-D category 428 "

/* A member's stored suggestions as one line. */
static const char *stored(char *out, int64_t mem)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "SELECT coalesce(string_agg(format('%%s %%s %%s %%s %%s', r.rank,"
		 " p.sku, r.reason, r.score_milli, coalesce(b.sku, '')), ' | ' ORDER BY r.rank), '')"
		 " FROM member_recommendations r JOIN products p ON p.product_id = r.product_id"
		 " LEFT JOIN products b ON b.product_id = r.because_id WHERE r.member_id = %lld",
		 (long long)mem);
	return sql_text(out, sql);
}

/* r's recommendations as the stored line's format. */
static void recs_line(Kassa__V1__Recommendation *const *v, size_t n, char *out, size_t len)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%zu %s %s %d %s", i ? " | " : "",
				       i + 1, v[i]->sku, v[i]->reason, (int)v[i]->score_milli,
				       v[i]->because_sku);
}

static void test_member(Harness *h)
{
	KassaClient *ca = it_login(&env.h, "S001-T1", 1001, "1234");
	KassaClient *an = it_login(&env.h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r = NULL;
	char out[TEXT_MAX], line[TEXT_MAX];
	json_t *j;
	char *txt;

	(void)h;
	if (!CHECK(ca && an, "logins"))
		goto out;
	CHECK(strcmp(stored(out, m3), M3_WANT) == 0, "m3 stored: %s", out);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_recommendations r JOIN products p"
			 " USING (product_id) WHERE p.sku = 'P-E' OR (r.member_id = %lld AND"
			 " p.sku = 'P-C')", (long long)m3) == 0, "no inactive or recent product");
	CHECK(it_sql_int(&env.h, "SELECT count(DISTINCT member_id) FROM member_recommendations")
	      == 3, "the three members with sales have suggestions");
	/* the till's lookup */
	if (CHECK(kc_member_get_by_id(ca, m3, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member, "MemberGet")) {
		recs_line(r->member->recommendations, r->member->n_recommendations, line,
			  sizeof(line));
		CHECK(strcmp(line, "1 P-A bought_with 1389 P-B | 2 P-B category 461  | 3 P-D"
			     " category 428 ") == 0, "MemberGet: %s", line);
		CHECK(r->member->n_recommendations == 3 &&
		      strcmp(r->member->recommendations[0]->name, "绿茶") == 0, "names");
		j = kcj_member(r->member, false);
		txt = json_dumps(json_object_get(j, "recommendations"), JSON_COMPACT);
		CHECK(txt && strstr(txt, "{\"product_id\":") && strstr(txt, "\"sku\":\"P-A\","
		      "\"name\":\"绿茶\",\"reason\":\"bought_with\",\"score_milli\":1389,"
		      "\"because_sku\":\"P-B\"}"), "member find's JSON: %s", txt ? txt : "-");
		free(txt);
		json_decref(j);
	}
	kc_response_free(r);
	r = NULL;
	/* the member 360, with a resolved complaint and an open follow-up of m3's */
	CHECK(it_sqlf(&env.h, "INSERT INTO complaints (member_id, store_id, status, category,"
		      " description, opened_by, opened_till, source, opened_at, resolved_at)"
		      " VALUES (%lld, (SELECT min(store_id) FROM stores), 'resolved', 'queue', 'slow',"
		      " 1001, (SELECT min(till_id) FROM tills), 'office', '2026-01-02T03:04:05Z',"
		      " '2026-01-03T03:04:05Z');"
		      " INSERT INTO followups (member_id, store_id, rule, kind, source, due_on)"
		      " VALUES (%lld, (SELECT min(store_id) FROM stores), 'after-complaint',"
		      " 'after_complaint', 'complaint:1', '2026-01-05')", (long long)m3,
		      (long long)m3), "m3's complaint and follow-up");
	if (CHECK(kc_member_360(an, m3, 0, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member_profile && r->member_profile->member, "Member360: %s",
		  r ? kc_status_name(kc_status(r)) : "-")) {
		recs_line(r->member_profile->member->recommendations,
			  r->member_profile->member->n_recommendations, line, sizeof(line));
		CHECK(strcmp(line, "1 P-A bought_with 1389 P-B | 2 P-B category 461  | 3 P-D"
			     " category 428 ") == 0, "Member360: %s", line);
		const Kassa__V1__MemberProfile *p = r->member_profile;

		if (CHECK(p->n_complaints == 1 && p->n_followups == 1, "one complaint, one"
			  " follow-up: %zu %zu", p->n_complaints, p->n_followups)) {
			CHECK(p->complaints[0]->complaint_id > 0 &&
			      strcmp(p->complaints[0]->status, "resolved") == 0 &&
			      strcmp(p->complaints[0]->category, "queue") == 0 &&
			      strcmp(p->complaints[0]->opened_at, "2026-01-02T03:04:05Z") == 0 &&
			      strcmp(p->complaints[0]->resolved_at, "2026-01-03T03:04:05Z") == 0,
			      "the complaint: %s %s %s %s", p->complaints[0]->status,
			      p->complaints[0]->category, p->complaints[0]->opened_at,
			      p->complaints[0]->resolved_at);
			CHECK(p->followups[0]->followup_id > 0 &&
			      strcmp(p->followups[0]->kind, "after_complaint") == 0 &&
			      strcmp(p->followups[0]->due_on, "2026-01-05") == 0 &&
			      strcmp(p->followups[0]->state, "open") == 0 &&
			      strcmp(p->followups[0]->outcome, "") == 0, "the follow-up: %s %s %s",
			      p->followups[0]->kind, p->followups[0]->due_on, p->followups[0]->state);
		}
	}
	/* a product made inactive after the run is not shown */
	CHECK(it_sqlf(&env.h, "UPDATE products SET active = false WHERE sku = 'P-D'"), "P-D off");
	kc_response_free(r);
	r = NULL;
	if (CHECK(kc_member_get_by_id(ca, m3, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member, "MemberGet again"))
		CHECK(r->member->n_recommendations == 2, "P-D left out: %zu",
		      r->member->n_recommendations);
	CHECK(it_sqlf(&env.h, "UPDATE products SET active = true WHERE sku = 'P-D'"), "P-D on");
out:
	kc_response_free(r);
	kc_free(ca);
	kc_free(an);
}

static void test_rerun(Harness *h)
{
	Kassa__V1__Response *r;
	char before[TEXT_MAX], after[TEXT_MAX];
	int64_t rows = it_sql_int(&env.h, "SELECT count(*) FROM member_recommendations");

	(void)h;
	stored(before, m1);
	r = job_run(NULL);
	if (r == NULL)
		return;
	CHECK(r->job_done->run_id != first_run && r->job_done->changed == 4, "a new run");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_recommendations") == rows,
	      "the same rows, not more");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_recommendations WHERE run_id <> %lld",
			 (long long)r->job_done->run_id) == 0, "all of the new run");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM reco_pairs") == 4, "four pairs still");
	CHECK(strcmp(stored(after, m1), before) == 0, "m1 the same: %s / %s", before, after);
	CHECK(strcmp(stored(after, m3), M3_WANT) == 0, "m3 the same: %s", after);
	kc_response_free(r);
	r = job_run(first_key);
	if (r != NULL)
		CHECK(r->job_done->run_id == first_run && r->job_done->examined == 10,
		      "the first key answers its run");
	kc_response_free(r);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM reco_state WHERE holder = ''") == 1,
	      "the lease released");
}

static void test_report(Harness *h)
{
	KassaClient *an = it_login(&env.h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__ReportTable *t;
	char line[TEXT_MAX];
	size_t at = 0;

	(void)h;
	if (!CHECK(an != NULL, "analyst") ||
	    !CHECK(kc_report_run(an, "bought_together", NULL, NULL, 0, NULL, 0, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK && r->report_table, "ReportRun: %s %s",
		   r ? kc_status_name(kc_status(r)) : "-", r ? r->status->detail : ""))
		goto out;
	t = r->report_table;
	CHECK(t->n_columns == 8 && strcmp(t->columns[7]->key, "lift") == 0, "columns");
	line[0] = '\0';
	for (size_t i = 0; i < t->n_rows && at < sizeof(line); i++) {
		const Kassa__V1__ReportRow *row = t->rows[i];

		for (size_t k = 0; k < row->n_cells && at < sizeof(line); k++)
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s",
					       k ? " " : (i ? " | " : ""), row->cells[k]);
	}
	CHECK(strcmp(line, "P-A 绿茶 P-B Biscuits 5 5000 8333 1.39 | P-B Biscuits P-A 绿茶 5 5000"
		     " 8333 1.39 | P-A 绿茶 P-C 大米 2 2000 3333 0.83 | P-C 大米 P-A 绿茶 2 2000"
		     " 5000 0.83") == 0, "report: %s", line);
out:
	kc_response_free(r);
	kc_free(an);
}

static void test_lease(Harness *h)
{
	KassaClient *kc = it_login(&env.h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	int64_t runs = it_sql_int(&env.h, "SELECT count(*) FROM job_runs"
				  " WHERE kind = 'recommendations'");

	(void)h;
	if (!CHECK(kc != NULL, "admin") ||
	    !CHECK(it_sqlf(&env.h, "UPDATE reco_state SET holder = 'dead-kassad:1:1', run_id = 1,"
			   " lease_until = now() + interval '1 hour'"), "a dead run's lease"))
		goto out;
	CHECK(kc_job_run(kc, "recommendations", NULL, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__FAILED_PRECONDITION &&
	      strcmp(r->status->detail, "RECO_RUNNING") == 0, "refused while held: %s %s",
	      r ? kc_status_name(kc_status(r)) : "-", r ? r->status->detail : "");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'recommendations'")
	      == runs, "no run left behind");
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM member_recommendations") > 0,
	      "the stored rows stay");
	CHECK(it_sqlf(&env.h, "UPDATE reco_state SET lease_until = now() - interval '1 second'"),
	      "the lease runs out");
	kc_response_free(r);
	r = job_run(NULL);
	CHECK(r != NULL, "a run goes once it ran out");
out:
	kc_response_free(r);
	kc_free(kc);
}

static void test_timer(Harness *h)
{
	static char conninfo[sizeof(env.h.conninfo) + 32];
	static const char *cfg[] = {
		conninfo, "KASSA_DATABASE_REPORT_DSN=", "KASSA_ADMIN_DASHBOARD_LISTEN=",
		"KASSA_ANALYTICS_INTERVAL=0", "KASSA_LOYALTY_JOBS_INTERVAL=0",
		"KASSA_CRM_RECOMMENDATIONS_INTERVAL=1", NULL
	};
	ItKassad k = { 0 };
	int64_t done = it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind ="
				  " 'recommendations' AND finished_at IS NOT NULL"), now = done;
	time_t until = time(NULL) + 30;

	(void)h;
	snprintf(conninfo, sizeof(conninfo), "KASSA_DATABASE_CONNINFO=%s", env.h.conninfo);
	if (!CHECK(it_kassad_spawn(&env.h, &k, "/tmp/kassa-reco-XXXXXX", cfg), "second kassad"))
		return;
	/* poll (with a deadline) for a run the timer made: a staff_id-less finished row */
	while (now == done && time(NULL) < until) {
		struct timespec ts = { 0, 100 * 1000000L };

		nanosleep(&ts, NULL);
		now = it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind ="
				 " 'recommendations' AND finished_at IS NOT NULL");
	}
	CHECK(now > done, "the timer ran the job within 30 s (log %s)", k.log);
	CHECK(it_sql_int(&env.h, "SELECT count(*) FROM job_runs WHERE kind = 'recommendations'"
			 " AND finished_at IS NOT NULL AND staff_id IS NULL") >= 1, "as the timer");
	CHECK(strcmp(stored((char[TEXT_MAX]){ 0 }, m3), M3_WANT) == 0, "the same suggestions");
	it_kassad_keep_log(&k);
	CHECK(it_kassad_stop(&k, 30) == 0, "second kassad stops cleanly");
}

static void test_refused(Harness *h)
{
	KassaClient *ca = it_login(&env.h, "S001-T1", 1001, "1234");
	Kassa__V1__Response *r = NULL;

	(void)h;
	if (CHECK(ca != NULL, "cashier"))
		CHECK(kc_job_run(ca, "recommendations", NULL, &r) == KC_OK && r &&
		      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
		      "a cashier may not run it: %s", r ? kc_status_name(kc_status(r)) : "-");
	kc_response_free(r);
	kc_free(ca);
}

static void test_done(Harness *h)
{
	analytics_env_down(&env, h);
}

static const HarnessTest tests[] = {
	{ "env", test_env },
	{ "pairs", test_pairs },
	{ "member", test_member },
	{ "rerun", test_rerun },
	{ "report", test_report },
	{ "lease", test_lease },
	{ "timer", test_timer },
	{ "refused", test_refused },
	{ "done", test_done },
};

int main(int argc, char **argv)
{
	static const char *const cfg[] = {
		"KASSA_CRM_RECOMMENDATIONS_INTERVAL=0", "KASSA_CRM_RECO_MIN_PAIR_COUNT=2",
		"KASSA_CRM_RECO_RECENT_DAYS=7", "KASSA_CRM_RECO_PER_MEMBER=5",
		"KASSA_CRM_RECO_WINDOW_DAYS=90", NULL
	};

	it_setenv_each(cfg);
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

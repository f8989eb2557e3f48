/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_followups: follow-ups (回访), a manager's points adjustment and
 * coupon definition changes, against the shared environment (its own new
 * members, products and sales; counts are asserted for those only).
 *
 * Guards: bad rule sets are refused and save nothing; the job makes
 * exactly the follow-ups the rules ask for of hand-made sales, a lapsed
 * high-value member and a resolved complaint, and a second run makes none
 * again; due and overdue lists per store and per staff member; outcomes
 * recorded (no_answer three times closes it), retries idempotent, another
 * store's cashier cannot record; points adjusted up and down with ledger =
 * balance, never below zero, audited with the reason, a retry once; a
 * deactivated coupon definition cannot be claimed while coupons issued
 * stay usable, and an edit makes a new definition that new claims use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_followups.h"
#include "kc_feed.h"
#include "kc_loyalty.h"

#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_INVALID KASSA__V1__STATUS_CODE__INVALID_ARGUMENT
#define BIG 150000		/* the after_sale rule's min_total_minor */

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

static const char *why(const Kassa__V1__Response *r)
{
	return r ? kc_detail(r) : "-";
}

static KassaClient *admin(Harness *h)
{
	return it_login(h, "HQ-OFFICE-1", 9001, "0000");
}

static KassaClient *manager(Harness *h)
{
	return it_login(h, "S001-T1", 2001, "9999");
}

static KassaClient *cashier2(Harness *h)
{
	return it_login(h, "S002-T1", 1002, "2345");
}

static int64_t sale(Harness *h, KassaClient *kc, int64_t member_id, int64_t price)
{
	return it_cash_sale(h, kc, "FUP", member_id, price);
}

static Kassa__V1__FollowupRule rule(const char *name, const char *kind, int days,
				    int64_t min_total, const char *cls)
{
	Kassa__V1__FollowupRule r = KASSA__V1__FOLLOWUP_RULE__INIT;

	r.name = (char *)name;
	r.kind = (char *)kind;
	r.days = days;
	r.min_total_minor = min_total;
	r.member_class = (char *)cls;
	r.active = true;
	return r;
}

/* Put n rules; the response's status is checked against code/detail. */
static bool put(KassaClient *kc, Kassa__V1__FollowupRule *v, size_t n,
		Kassa__V1__StatusCode code, const char *detail, const char *what)
{
	Kassa__V1__FollowupRule *p[8];
	Kassa__V1__Response *r = NULL;
	bool ok;

	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	ok = CHECK(kc_followup_rules_put(kc, p, n, NULL, &r) == KC_OK && is(r, code, detail),
		   "%s: %s", what, why(r));
	kc_response_free(r);
	return ok;
}

static uint32_t rules_version(KassaClient *kc)
{
	Kassa__V1__Response *r = NULL;
	uint32_t v = 0;

	if (kc_followup_rules_get(kc, &r) == KC_OK && is(r, ST_OK, NULL) && r->followup_rules)
		v = r->followup_rules->version;
	kc_response_free(r);
	return v;
}

/* Guards: empty, unknown kinds, days out of range, twins, a negative total: refused. */
static void test_rules_refused(Harness *h)
{
	KassaClient *ad = admin(h), *mg = manager(h);
	Kassa__V1__FollowupRule v[2];
	Kassa__V1__Response *r = NULL;
	uint32_t before;

	if (ad == NULL || mg == NULL)
		goto out;
	before = rules_version(ad);
	put(ad, v, 0, ST_INVALID, "NO_RULES", "no rules");
	v[0] = rule("x", "birthday", 7, 0, "");
	put(ad, v, 1, ST_INVALID, "BAD_RULE_KIND", "an unknown kind");
	v[0] = rule("x", "after_sale", 0, 0, "");
	put(ad, v, 1, ST_INVALID, "BAD_DAYS", "0 days");
	v[0] = rule("x", "after_sale", 366, 0, "");
	put(ad, v, 1, ST_INVALID, "BAD_DAYS", "366 days");
	v[0] = rule("x", "after_sale", 7, -1, "");
	put(ad, v, 1, ST_INVALID, "BAD_MIN_TOTAL", "a negative total");
	v[0] = rule("x", "lapsed", 30, 0, "royalty");
	put(ad, v, 1, ST_INVALID, "BAD_MEMBER_CLASS", "an unknown class");
	v[0] = rule("twin", "after_sale", 7, 0, "");
	v[1] = rule("twin", "lapsed", 30, 0, "high_value");
	put(ad, v, 2, ST_INVALID, "DUPLICATE_RULE", "two rules of one name");
	v[0] = rule("", "after_sale", 7, 0, "");
	put(ad, v, 1, ST_INVALID, "BAD_RULE_NAME", "no name");
	CHECK(rules_version(ad) == before, "nothing refused was saved (version %u)", before);
	v[0] = rule("ok", "after_sale", 7, 0, "");
	CHECK(kc_followup_rules_put(mg, (Kassa__V1__FollowupRule *[]){ &v[0] }, 1, NULL, &r) ==
	      KC_OK && is(r, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, NULL),
	      "a manager may not set the rules: %s", why(r));
out:
	kc_response_free(r);
	kc_free(ad);
	kc_free(mg);
}

/* What the scheduling test made, for the list and record tests. */
static struct {
	char sale_rule[64];
	int64_t a, b, c, d, e;		/* members: big sale S001, small, big S002, lapsed, complaint */
	int64_t fa, fc, fd, fe;		/* their follow-ups */
	int64_t txn_a;
} made;

static int64_t followups_of(Harness *h, int64_t member)
{
	return it_sql_int(h, "SELECT count(*) FROM followups WHERE member_id = %lld",
			  (long long)member);
}

static int64_t followup_id(Harness *h, int64_t member)
{
	return it_sql_int(h, "SELECT coalesce(max(followup_id), 0) FROM followups"
			  " WHERE member_id = %lld", (long long)member);
}

static bool run_job(KassaClient *ad, const char *what)
{
	Kassa__V1__Response *r = NULL;
	bool ok = CHECK(kc_job_run(ad, "followups", NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
			r->job_done && r->job_done->run_id > 0, "%s: %s", what, why(r));

	kc_response_free(r);
	return ok;
}

/* Hand-made members, sales, a lapse and a complaint: one store, staff and day each. */
static bool schedule_setup(Harness *h, KassaClient *ca, KassaClient *c2)
{
	char phone[32];

	made.a = it_register(h, ca, "Fup Big", phone);
	made.b = it_register(h, ca, "Fup Small", phone);
	made.c = it_register(h, c2, "Fup Other Store", phone);
	made.d = it_register(h, ca, "Fup Lapsed", phone);
	made.e = it_register(h, ca, "Fup Complained", phone);
	if (!made.a || !made.b || !made.c || !made.d || !made.e)
		return false;
	made.txn_a = sale(h, ca, made.a, BIG + 1);
	if (!made.txn_a || !sale(h, ca, made.b, BIG - 1) || !sale(h, ca, 0, BIG * 2) ||
	    !sale(h, c2, made.c, BIG))
		return false;
	/* the analytics job would class d so: 40 days without a visit, high value */
	return it_sqlf(h, "INSERT INTO member_stats (member_id, visits, class, last_visit,"
		       " usual_store_id) SELECT %lld, 9, 'high_value', now() - interval '40 days',"
		       " store_id FROM stores WHERE code = 'S001' ON CONFLICT (member_id) DO UPDATE"
		       " SET class = 'high_value', last_visit = excluded.last_visit,"
		       " usual_store_id = excluded.usual_store_id", (long long)made.d) &&
	       it_sqlf(h, "INSERT INTO complaints (member_id, store_id, status, category,"
		       " description, owner_staff_id, opened_by, opened_till, source, resolved_at)"
		       " SELECT %lld, t.store_id, 'resolved', 'service', 'slow', 2001, 2001,"
		       " t.till_id, 'till', now() FROM tills t WHERE t.code = 'S001-T1'",
		       (long long)made.e);
}

/* A retry of a run answers the same run; a lease another run holds refuses a new one. */
static void job_guards(Harness *h, KassaClient *ad)
{
	Kassa__V1__Response *r = NULL, *again = NULL;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	CHECK(kc_job_run(ad, "followups", key, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      kc_job_run(ad, "followups", key, &again) == KC_OK && is(again, ST_OK, NULL) &&
	      again->job_done->run_id == r->job_done->run_id &&
	      again->job_done->changed == r->job_done->changed,
	      "a retried JobRun answers the same run: %s", why(again));
	kc_response_free(r);
	kc_response_free(again);
	r = NULL;
	if (!it_sqlf(h, "UPDATE followup_job_lease SET holder = 'elsewhere:1:1',"
		     " lease_until = now() + interval '5 minutes'"))
		return;
	CHECK(kc_job_run(ad, "followups", NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "FOLLOWUPS_RUNNING"),
	      "another kassad's run holds the lease: %s", why(r));
	kc_response_free(r);
	CHECK(it_sqlf(h, "UPDATE followup_job_lease SET holder = '', lease_until = '-infinity'"),
	      "the lease freed again");
}

/* Guards: exactly the follow-ups the rules ask for, once however often the job runs. */
static void test_schedule(Harness *h)
{
	KassaClient *ad = admin(h), *ca = it_cashier(h), *c2 = cashier2(h);
	Kassa__V1__FollowupRule v[3];
	char lapse[64], comp[64];

	if (ad == NULL || ca == NULL || c2 == NULL || !schedule_setup(h, ca, c2))
		goto out;
	it_fresh_name("big-sale", made.sale_rule);
	it_fresh_name("lapsed-hv", lapse);
	it_fresh_name("complaint", comp);
	v[0] = rule(made.sale_rule, "after_sale", 7, BIG, "");
	v[1] = rule(lapse, "lapsed", 30, 0, "high_value");
	v[2] = rule(comp, "after_complaint", 2, 0, "");
	if (!put(ad, v, 3, ST_OK, NULL, "the rules") || !run_job(ad, "the first run") ||
	    !run_job(ad, "the second run"))
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM followups f JOIN transactions t"
			 " ON t.txn_id = f.txn_id WHERE f.member_id = %lld AND f.rule = '%s'"
			 " AND f.kind = 'after_sale' AND f.due_on = t.created_at::date + 7"
			 " AND f.staff_id = 1001 AND f.store_id = t.store_id AND f.state = 'open'",
			 (long long)made.a, made.sale_rule) == 1 && followups_of(h, made.a) == 1,
	      "one follow-up of the big sale, due 7 days after, the cashier's");
	CHECK(followups_of(h, made.b) == 0, "none for a sale below the amount");
	CHECK(it_sql_int(h, "SELECT count(*) FROM followups f JOIN stores s USING (store_id)"
			 " WHERE f.member_id = %lld AND s.code = 'S002' AND f.staff_id = 1002",
			 (long long)made.c) == 1, "the other store's sale: its store and cashier");
	CHECK(it_sql_int(h, "SELECT count(*) FROM followups WHERE member_id = %lld AND rule = '%s'"
			 " AND kind = 'lapsed' AND due_on = current_date", (long long)made.d,
			 lapse) == 1 && followups_of(h, made.d) == 1,
	      "one follow-up of the lapsed high-value member, due today");
	CHECK(it_sql_int(h, "SELECT count(*) FROM followups WHERE member_id = %lld AND rule = '%s'"
			 " AND kind = 'after_complaint' AND due_on = current_date + 2"
			 " AND staff_id = 2001 AND complaint_id IS NOT NULL", (long long)made.e,
			 comp) == 1 && followups_of(h, made.e) == 1,
	      "one follow-up 2 days after the resolved complaint, its owner's");
	made.fa = followup_id(h, made.a);
	made.fc = followup_id(h, made.c);
	made.fd = followup_id(h, made.d);
	made.fe = followup_id(h, made.e);
	CHECK(it_sql_int(h, "SELECT count(*) FROM job_runs WHERE kind = 'followups'"
			 " AND finished_at IS NOT NULL") >= 2, "the runs are recorded");
	CHECK(it_sql_int(h, "SELECT count(*) FROM followup_job_lease WHERE holder = ''") == 1,
	      "the lease is given back");
	job_guards(h, ad);
out:
	kc_free(ad);
	kc_free(ca);
	kc_free(c2);
}

/* Is follow-up id in the list (every page)? -1 when the list fails. */
static int listed(KassaClient *kc, int64_t store, int64_t staff, const char *state, int64_t id)
{
	char after[32] = "", want[32];
	int found = 0;

	snprintf(want, sizeof(want), "%lld", (long long)id);
	for (int page = 0; page < 200; page++) {
		Kassa__V1__Response *r = NULL;
		Kassa__V1__ReportTable *t;

		if (kc_followup_list(kc, store, staff, state, 500, after, &r) != KC_OK ||
		    !is(r, ST_OK, NULL) || r->report_table == NULL) {
			CHECK(false, "list %s: %s", state, why(r));
			kc_response_free(r);
			return -1;
		}
		t = r->report_table;
		for (size_t i = 0; i < t->n_rows; i++)
			found |= strcmp(t->rows[i]->cells[0], want) == 0;
		snprintf(after, sizeof(after), "%s", t->next);
		kc_response_free(r);
		if (found || after[0] == '\0')
			break;
	}
	return found;
}

/* Guards: due and overdue per store and per staff member; a store sees its own only. */
static void test_lists(Harness *h)
{
	KassaClient *ad = admin(h), *mg = manager(h), *c2 = cashier2(h);
	Kassa__V1__Response *r = NULL;

	if (ad == NULL || mg == NULL || c2 == NULL || !CHECK(made.fa && made.fc, "scheduled"))
		goto out;
	/* a's call is ten days late (overdue after 3), c's is due today */
	if (!it_sqlf(h, "UPDATE followups SET due_on = current_date - 10 WHERE followup_id = %lld;"
		     " UPDATE followups SET due_on = current_date WHERE followup_id = %lld",
		     (long long)made.fa, (long long)made.fc))
		goto out;
	CHECK(listed(mg, 0, 0, "due", made.fa) == 1, "S001's due list has the late call");
	CHECK(listed(mg, 0, 0, "overdue", made.fa) == 1, "... and its overdue list");
	CHECK(listed(mg, 0, 0, "due", made.fc) == 0, "... but not S002's call");
	CHECK(listed(mg, 0, 0, "due", made.fe) == 0, "a call not due yet is not due");
	CHECK(listed(mg, 0, 0, "open", made.fe) == 1, "... but open");
	CHECK(listed(c2, 0, 0, "due", made.fc) == 1 && listed(c2, 0, 0, "overdue", made.fc) == 0,
	      "S002's till: due today, not overdue");
	CHECK(listed(c2, 0, 0, "all", made.fa) == 0, "S002's till never sees S001's calls");
	CHECK(listed(ad, 0, 1002, "due", made.fc) == 1 && listed(ad, 0, 1002, "due", made.fa) == 0,
	      "head office: per staff member");
	CHECK(listed(ad, 0, 0, "overdue", made.fa) == 1, "head office: every store");
	CHECK(kc_followup_list(c2, 1, 0, "due", 0, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS"),
	      "a till asks for another store: %s", why(r));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_followup_list(mg, 0, 0, "late", 0, NULL, &r) == KC_OK &&
	      is(r, ST_INVALID, "BAD_STATE"), "an unknown state: %s", why(r));
out:
	kc_response_free(r);
	kc_free(ad);
	kc_free(mg);
	kc_free(c2);
}

static bool record(KassaClient *kc, int64_t id, const char *outcome, const char *note,
		   int64_t assign, const char *key, Kassa__V1__StatusCode code, const char *detail,
		   Kassa__V1__Followup *out)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_followup_record(kc, id, outcome, note, assign, key, &r) == KC_OK &&
		  is(r, code, detail);

	if (ok && out != NULL && r->followup) {
		out->state = strcmp(r->followup->state, "done") == 0 ? "done" : "open";
		out->attempts = r->followup->attempts;
		out->staff_id = r->followup->staff_id;
		out->outcome = strcmp(r->followup->outcome, "no_answer") == 0 ? "no_answer" :
			       strcmp(r->followup->outcome, "reached") == 0 ? "reached" : "";
	}
	CHECK(ok, "record %lld %s: %s", (long long)id, outcome, why(r));
	kc_response_free(r);
	return ok;
}

/* Guards: outcomes recorded once per key; three no_answers close it; other stores refused. */
static void test_record(Harness *h)
{
	KassaClient *ca = it_cashier(h), *c2 = cashier2(h), *ad = admin(h);
	Kassa__V1__Followup f = KASSA__V1__FOLLOWUP__INIT;
	char key[KC_KEY_LEN];
	int64_t audits;

	if (ca == NULL || c2 == NULL || ad == NULL || !CHECK(made.fa && made.fc, "scheduled"))
		goto out;
	audits = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'followup.record'");
	record(c2, made.fa, "reached", "", 0, NULL, KASSA__V1__STATUS_CODE__NOT_FOUND,
	       "FOLLOWUP_NOT_FOUND", NULL);
	kc_new_key(key);
	record(ca, made.fa, "no_answer", "voicemail", 0, key, ST_OK, NULL, &f);
	CHECK(strcmp(f.state, "open") == 0 && f.attempts == 1, "no answer: open, 1 attempt");
	record(ca, made.fa, "no_answer", "voicemail", 0, key, ST_OK, NULL, &f);
	CHECK(f.attempts == 1, "a retry with the key counts once (%d)", f.attempts);
	record(ca, made.fa, "no_answer", "", 0, NULL, ST_OK, NULL, &f);
	record(ca, made.fa, "no_answer", "", 0, NULL, ST_OK, NULL, &f);
	CHECK(strcmp(f.state, "done") == 0 && f.attempts == 3 &&
	      strcmp(f.outcome, "no_answer") == 0, "the third no_answer closes it");
	record(ca, made.fa, "reached", "", 0, NULL, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
	       "FOLLOWUP_DONE", NULL);
	record(c2, made.fc, "reached", "happy with the tea 很满意", 0, NULL, ST_OK, NULL, &f);
	CHECK(strcmp(f.state, "done") == 0 && strcmp(f.outcome, "reached") == 0, "reached: done");
	CHECK(it_sql_int(h, "SELECT count(*) FROM followups WHERE followup_id = %lld"
			 " AND note = 'happy with the tea 很满意' AND done_by = 1002",
			 (long long)made.fc) == 1, "the note and who did it are kept");
	record(ca, made.fe, "", "", 2001, NULL, ST_OK, NULL, &f);
	CHECK(f.staff_id == 2001 && strcmp(f.state, "open") == 0, "handed to the manager");
	record(ca, made.fe, "", "", 1002, NULL, ST_INVALID, "BAD_ASSIGNEE", NULL);
	record(ca, made.fe, "maybe", "", 0, NULL, ST_INVALID, "BAD_OUTCOME", NULL);
	record(ca, 0, "reached", "", 0, NULL, ST_INVALID, "BAD_FOLLOWUP", NULL);
	CHECK(listed(ad, 0, 0, "done", made.fa) == 1 && listed(ad, 0, 0, "open", made.fa) == 0,
	      "listed done");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'followup.record'") ==
	      audits + 5, "each change audited once (retries and refusals not)");
out:
	kc_free(ca);
	kc_free(c2);
	kc_free(ad);
}

static bool adjust(KassaClient *kc, int64_t m, int64_t points, const char *reason,
		   const char *key, Kassa__V1__StatusCode code, const char *detail,
		   Kassa__V1__PointsAdjusted *out)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_points_adjust(kc, m, points, reason, key, &r) == KC_OK && is(r, code, detail);

	if (ok && out != NULL && r->points_adjusted)
		*out = *r->points_adjusted;
	CHECK(ok, "adjust %lld by %lld: %s", (long long)m, (long long)points, why(r));
	kc_response_free(r);
	return ok;
}

/* Guards: +/- with ledger = balance, never below zero, audited with the reason, once per key. */
static void test_points_adjust(Harness *h)
{
	KassaClient *mg = manager(h), *ca = it_cashier(h);
	Kassa__V1__PointsAdjusted a = KASSA__V1__POINTS_ADJUSTED__INIT, b = a;
	char phone[32], key[KC_KEY_LEN];
	int64_t m;

	if (mg == NULL || ca == NULL || !(m = it_register(h, ca, "Fup Points", phone)))
		goto out;
	kc_new_key(key);
	adjust(mg, m, 500, "goodwill: the coffee machine was broken", key, ST_OK, NULL, &a);
	adjust(mg, m, 500, "goodwill: the coffee machine was broken", key, ST_OK, NULL, &b);
	CHECK(a.points_balance == 500 && b.entry_id == a.entry_id && b.points_balance == 500,
	      "added once (balance %lld, entries %lld %lld)", (long long)b.points_balance,
	      (long long)a.entry_id, (long long)b.entry_id);
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_lots WHERE member_id = %lld"
			 " AND source = 'adjust' AND remaining = 500 AND expires_on > current_date",
			 (long long)m) == 1, "a lot that expires like earned points");
	adjust(mg, m, -200, "entered twice by mistake", NULL, ST_OK, NULL, &a);
	CHECK(a.points_balance == 300 && a.points == -200, "taken away: 300 left");
	adjust(mg, m, -301, "too much", NULL, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
	       "INSUFFICIENT_POINTS", NULL);
	adjust(mg, m, 10, "", NULL, ST_INVALID, "BAD_REASON", NULL);
	adjust(mg, m, 0, "nothing", NULL, ST_INVALID, "BAD_POINTS", NULL);
	adjust(mg, m, 1000001, "a lot", NULL, ST_INVALID, "BAD_POINTS", NULL);
	adjust(ca, m, 10, "a cashier", NULL, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, NULL, NULL);
	CHECK(it_check_ledgers(h, m), "ledger = balance");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)m) == 300, "balance 300");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld"
			 " AND kind = 'adjust'", (long long)m) == 2, "two adjust rows");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'points.adjust'"
			 " AND subject = 'member:%lld' AND staff_id = 2001 AND detail->>'reason' ="
			 " 'entered twice by mistake'", (long long)m) == 1, "audited with the reason");
out:
	kc_free(mg);
	kc_free(ca);
}

static int64_t define(KassaClient *ad, const char *claim, int64_t value)
{
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	d.name = "Fup coupon";
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
	d.value_minor = value;
	d.issue_on = "code";
	d.claim_code = (char *)claim;
	if (CHECK(kc_coupon_define(ad, &d, NULL, &r) == KC_OK && is(r, ST_OK, NULL),
		  "define: %s", why(r)))
		id = r->coupon_defined->def_id;
	kc_response_free(r);
	return id;
}

static bool claim(KassaClient *kc, int64_t m, const char *code, const char *detail,
		  int64_t *value)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_coupon_issue(kc, m, 0, code, NULL, &r) == KC_OK &&
		  (detail ? is(r, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, detail) :
			    is(r, ST_OK, NULL));

	if (ok && value != NULL && r->coupon)
		*value = r->coupon->value_minor;
	CHECK(ok, "claim %s: %s", code, why(r));
	kc_response_free(r);
	return ok;
}

/* Guards: deactivated: no new claims, issued ones usable; an edit is a new definition. */
static void test_coupon_change(Harness *h)
{
	KassaClient *ad = admin(h), *ca = it_cashier(h);
	Kassa__V1__CouponDefine d = KASSA__V1__COUPON_DEFINE__INIT;
	Kassa__V1__Response *r = NULL;
	char c1[64], c2[64], phone[32];
	int64_t m1, m2, def1, def2, value = 0;

	it_fresh_name("FUPA", c1);
	it_fresh_name("FUPB", c2);
	if (ad == NULL || ca == NULL || !(m1 = it_register(h, ca, "Fup Coupon 1", phone)) ||
	    !(m2 = it_register(h, ca, "Fup Coupon 2", phone)) || !(def1 = define(ad, c1, 300)) ||
	    !(def2 = define(ad, c2, 300)) || !claim(ca, m1, c1, NULL, NULL))
		goto out;
	CHECK(kc_coupon_def_change(ad, def1, NULL, NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->coupon_def_changed->def_id == def1 && r->coupon_def_changed->new_def_id == 0,
	      "deactivated: %s", why(r));
	kc_response_free(r);
	r = NULL;
	claim(ca, m2, c1, "COUPON_INACTIVE", NULL);
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons c JOIN coupon_defs d USING (def_id)"
			 " WHERE c.member_id = %lld AND d.def_id = %lld"
			 " AND kassa_coupon_problem(c, d) IS NULL", (long long)m1,
			 (long long)def1) == 1, "the coupon issued before stays usable");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'coupon.deactivate'"
			 " AND subject = 'coupon_def:%lld'", (long long)def1) == 1, "audited");
	d.name = "Fup coupon, more";
	d.kind = KASSA__V1__COUPON_KIND__COUPON_FIXED;
	d.value_minor = 0;
	d.issue_on = "code";
	d.claim_code = c2;
	CHECK(kc_coupon_def_change(ad, def2, &d, NULL, &r) == KC_OK &&
	      is(r, ST_INVALID, "BAD_VALUE"), "a bad replacement refused: %s", why(r));
	kc_response_free(r);
	r = NULL;
	d.value_minor = 700;
	CHECK(kc_coupon_def_change(ad, def2, &d, NULL, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->coupon_def_changed->new_def_id > def2, "edited: %s", why(r));
	if (r && r->coupon_def_changed)
		CHECK(it_sql_int(h, "SELECT count(*) FROM coupon_defs WHERE def_id = %lld"
				 " AND NOT active AND replaced_by = %lld", (long long)def2,
				 (long long)r->coupon_def_changed->new_def_id) == 1,
		      "the old one is inactive and names the new");
	kc_response_free(r);
	r = NULL;
	CHECK(claim(ca, m2, c2, NULL, &value) && value == 700,
	      "a new claim gets the new definition (%lld)", (long long)value);
	CHECK(kc_coupon_def_change(ad, def2, &d, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "COUPON_DEF_INACTIVE"),
	      "the replaced one cannot be edited again: %s", why(r));
out:
	kc_response_free(r);
	kc_free(ad);
	kc_free(ca);
}

static const HarnessTest tests[] = {
	{ "rules_refused", test_rules_refused },
	{ "schedule", test_schedule },
	{ "lists", test_lists },
	{ "record", test_record },
	{ "points_adjust", test_points_adjust },
	{ "coupon_change", test_coupon_change },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

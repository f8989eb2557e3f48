/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_complaints: complaints and the feedback list against the real
 * kassad. Guards that a manager at S001 works a ticket open -> in_progress
 * -> resolved with notes and sees its time to resolution; that the state
 * machine refuses illegal moves (BAD_TRANSITION) and a resolution without a
 * note; that a cashier may open but not update; that another store's
 * manager neither sees nor updates it while head office sees all; that a
 * rating of 1 opens a ticket exactly once (a retry answers the same
 * complaint) and a rating of 4 none ([crm] complaint_rating_max is 2 in the
 * test environment); that retries are idempotent; and that bad input is
 * refused with its machine word and writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_complaints.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define S002_MANAGER 2902		/* made here: PIN 9999, like 2001 */

static bool is(const Kassa__V1__Response *r, Kassa__V1__StatusCode code, const char *detail)
{
	return r && kc_status(r) == code && (detail == NULL || strcmp(kc_detail(r), detail) == 0);
}

static const char *why(const Kassa__V1__Response *r)
{
	return r ? kc_detail(r) : "no answer";
}

/* One cash sale of a fresh product at 500; its txn_id, 0 + failure otherwise. */
static int64_t sale(Harness *h, KassaClient *kc, int64_t member_id)
{
	return it_cash_sale(h, kc, "CPL", member_id, 500);
}

/* Open a complaint; its id, 0 + failure otherwise. */
static int64_t open_one(KassaClient *kc, int64_t member, int64_t txn, const char *key)
{
	KcComplaintNew n = { member, txn, NULL, "product", "盒子破了 the box was broken", 0 };
	Kassa__V1__Response *r = NULL;
	int64_t id = 0;

	if (CHECK(kc_complaint_open(kc, &n, key, &r) == KC_OK && is(r, ST_OK, NULL) &&
		  r->complaint && r->complaint->member_id == member &&
		  strcmp(r->complaint->status, "open") == 0 && r->complaint->n_notes == 1,
		  "open: %s", why(r)))
		id = r->complaint->complaint_id;
	kc_response_free(r);
	return id;
}

/* Update and expect code/detail; true if it was so. */
static bool update_is(KassaClient *kc, int64_t id, const char *status, int64_t owner,
		      const char *note, Kassa__V1__StatusCode code, const char *detail)
{
	Kassa__V1__Response *r = NULL;
	bool ok = kc_complaint_update(kc, id, status, owner, note, NULL, &r) == KC_OK &&
		  is(r, code, detail);

	CHECK(ok, "update %lld to '%s': want %s %s, got %s %s", (long long)id, status,
	      kc_status_name(code), detail ? detail : "", r ? kc_status_name(kc_status(r)) : "-",
	      why(r));
	kc_response_free(r);
	return ok;
}

/* A member with a sale at S001 and a complaint about it (cashier-opened). */
static int64_t setup_ticket(Harness *h, KassaClient *cashier, int64_t *member, int64_t *txn)
{
	char phone[32], key[64];

	*member = it_register(h, cashier, "投诉 Complainer", phone);
	*txn = sale(h, cashier, *member);
	if (*member == 0 || *txn == 0)
		return 0;
	it_fresh_name("cpl", key);
	return open_one(cashier, *member, *txn, key);
}

/* Guards: the manager's workflow, notes, time to resolution, illegal moves, retries. */
static void test_workflow(Harness *h)
{
	KassaClient *cashier = it_cashier(h), *mgr = it_login(h, "S001-T1", 2001, "9999");
	Kassa__V1__Response *r = NULL, *again = NULL;
	int64_t member, txn, id;
	char key[64];

	if (cashier == NULL || mgr == NULL)
		goto out;
	id = setup_ticket(h, cashier, &member, &txn);
	if (id == 0)
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'complaint.open'"
			 " AND subject = 'member:%lld'", (long long)member) == 1, "open is audited");
	/* a cashier may open but not work a ticket */
	update_is(cashier, id, "in_progress", 0, "", KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
		  NULL);
	update_is(mgr, id, "in_progress", 2001, "我来处理 taking it", ST_OK, NULL);
	update_is(mgr, id, "resolved", 0, "", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "NOTE_REQUIRED");
	it_fresh_name("res", key);
	CHECK(kc_complaint_update(mgr, id, "resolved", 0, "换了新的 replaced", key, &r) == KC_OK &&
	      is(r, ST_OK, NULL) && r->complaint && strcmp(r->complaint->status, "resolved") == 0 &&
	      r->complaint->resolved_at[0] != '\0' && r->complaint->resolution_seconds >= 0 &&
	      r->complaint->owner_staff_id == 2001 && r->complaint->n_notes == 3,
	      "resolved: %s", why(r));
	if (r && r->complaint && r->complaint->n_notes == 3) {
		const Kassa__V1__ComplaintNote *n1 = r->complaint->notes[1],
						  *n2 = r->complaint->notes[2];

		CHECK(strcmp(n1->from_status, "open") == 0 &&
		      strcmp(n1->to_status, "in_progress") == 0 && n1->staff_id == 2001 &&
		      n1->owner_staff_id == 2001 && strcmp(n1->text, "我来处理 taking it") == 0,
		      "the first step's note");
		CHECK(strcmp(n2->from_status, "in_progress") == 0 &&
		      strcmp(n2->to_status, "resolved") == 0 && n2->at[0] != '\0',
		      "the resolution's note");
	}
	/* the same key again: the same answer, no second note */
	CHECK(kc_complaint_update(mgr, id, "resolved", 0, "换了新的 replaced", key, &again) ==
		      KC_OK && is(again, ST_OK, NULL) && it_same_response(r, again),
	      "a retry answers the same: %s", why(again));
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaint_notes WHERE complaint_id = %lld",
			 (long long)id) == 3, "three notes after the retry");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'complaint.update'"
			 " AND subject = 'member:%lld'", (long long)member) == 2, "updates audited");
	/* illegal moves */
	update_is(mgr, id, "in_progress", 0, "x", KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		  "BAD_TRANSITION");
	update_is(mgr, id, "rejected", 0, "x", KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
		  "BAD_TRANSITION");
	update_is(mgr, id, "open", 0, "", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "NOTE_REQUIRED");
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaints WHERE complaint_id = %lld"
			 " AND status = 'resolved' AND resolved_at IS NOT NULL", (long long)id) == 1,
	      "refused moves change nothing");
	/* an explicit reopen, then rejected */
	update_is(mgr, id, "open", 0, "又坏了 broke again", ST_OK, NULL);
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaints WHERE complaint_id = %lld"
			 " AND status = 'open' AND resolved_at IS NULL", (long long)id) == 1,
	      "a reopen clears resolved_at");
	update_is(mgr, id, "rejected", 0, "不是我们的 not ours", ST_OK, NULL);
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_free(cashier);
	kc_free(mgr);
}

/* Guards: another store's manager sees and changes nothing; head office sees all. */
static void test_scope(Harness *h)
{
	KassaClient *cashier = it_cashier(h), *other = NULL, *hq = NULL, *hq_mgr = NULL;
	Kassa__V1__ComplaintList q = KASSA__V1__COMPLAINT_LIST__INIT;
	Kassa__V1__Response *r = NULL;
	int64_t member, txn, id, s001;

	if (!it_sqlf(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
		     " SELECT %d, st.store_id, 'S002 经理', 'manager', m.pin_hash"
		     " FROM staff m, stores st WHERE m.staff_id = 2001 AND st.code = 'S002'"
		     " ON CONFLICT (staff_id) DO NOTHING", S002_MANAGER))
		goto out;
	other = it_login(h, "S002-T1", S002_MANAGER, "9999");
	hq = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	hq_mgr = it_login(h, "HQ-OFFICE-1", 2001, "9999");
	if (cashier == NULL || other == NULL || hq == NULL || hq_mgr == NULL)
		goto out;
	id = setup_ticket(h, cashier, &member, &txn);
	if (id == 0)
		goto out;
	s001 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	CHECK(kc_complaint_get(other, id, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "COMPLAINT_NOT_FOUND"),
	      "S002's manager does not see it: %s", why(r));
	kc_response_free(r);
	r = NULL;
	update_is(other, id, "in_progress", 0, "mine now", KASSA__V1__STATUS_CODE__NOT_FOUND,
		  "COMPLAINT_NOT_FOUND");
	q.store_id = s001;
	CHECK(kc_complaint_list(other, &q, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "STORE_NOT_YOURS"),
	      "S002's manager may not list S001: %s", why(r));
	kc_response_free(r);
	r = NULL;
	q.store_id = 0;
	q.member_id = member;
	q.status = "all";
	CHECK(kc_complaint_list(other, &q, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->report_table && r->report_table->n_rows == 0, "S002's list lacks it: %s", why(r));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_complaint_list(hq_mgr, &q, &r) == KC_OK && is(r, ST_OK, NULL) &&
	      r->report_table && r->report_table->n_rows == 0,
	      "a manager at head office sees the office's store only: %s", why(r));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_complaint_list(hq, &q, &r) == KC_OK && is(r, ST_OK, NULL) && r->report_table &&
	      r->report_table->n_rows == 1 &&
	      strtoll(r->report_table->rows[0]->cells[0], NULL, 10) == id &&
	      strcmp(r->report_table->rows[0]->cells[2], "S001") == 0,
	      "head office sees it: %s", why(r));
	kc_response_free(r);
	r = NULL;
	CHECK(kc_complaint_get(hq, id, &r) == KC_OK && is(r, ST_OK, NULL) && r->complaint &&
	      r->complaint->txn_id == txn && strcmp(r->complaint->source, "till") == 0,
	      "head office reads it: %s", why(r));
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaint_notes WHERE complaint_id = %lld",
			 (long long)id) == 1, "nothing changed by S002");
out:
	kc_response_free(r);
	kc_free(cashier);
	kc_free(other);
	kc_free(hq);
	kc_free(hq_mgr);
}

/* Feedback rating r on txn under key; the complaint_id it answered, -1 on failure. */
static int64_t rate(KassaClient *kc, int64_t txn, int rating, const char *key)
{
	Kassa__V1__Response *r = NULL;
	int64_t cid = -1;

	if (CHECK(kc_feedback(kc, txn, NULL, rating, "太慢 slow", key, &r) == KC_OK &&
		  is(r, ST_OK, NULL) && r->feedback_recorded, "rating %d: %s", rating, why(r)))
		cid = r->feedback_recorded->complaint_id;
	kc_response_free(r);
	return cid;
}

/* Guards: a rating of 1 opens one ticket (the same under retry); 4 and no member none. */
static void test_low_rating(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char phone[32], key[64];
	int64_t member, low, high, anon, cid, cid2;

	if (kc == NULL)
		return;
	member = it_register(h, kc, "Low Rater", phone);
	low = sale(h, kc, member);
	high = sale(h, kc, member);
	anon = sale(h, kc, 0);
	if (low == 0 || high == 0 || anon == 0)
		goto out;
	it_fresh_name("fb1", key);
	cid = rate(kc, low, 1, key);
	cid2 = rate(kc, low, 1, key);
	CHECK(cid > 0 && cid2 == cid, "rating 1 opens complaint %lld, the retry %lld",
	      (long long)cid, (long long)cid2);
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaints c JOIN feedback f USING (feedback_id)"
			 " WHERE f.txn_id = %lld AND c.source = 'rating' AND c.member_id = %lld"
			 " AND c.txn_id = %lld AND c.status = 'open'", (long long)low,
			 (long long)member, (long long)low) == 1, "exactly one, the sale's member's");
	CHECK(rate(kc, high, 4, NULL) == 0, "rating 4 opens none");
	CHECK(rate(kc, anon, 1, NULL) == 0, "no member, no complaint");
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaints WHERE member_id = %lld",
			 (long long)member) == 1, "one complaint for the member in all");
out:
	kc_free(kc);
}

/* Guards: bad input is refused with its word and writes nothing; an open retried is one. */
static void test_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h), *other = it_login(h, "S002-T1", 1002, "2345");
	KcComplaintNew n = { 0 };
	Kassa__V1__Response *r = NULL;
	char phone[32], key[64], big[1200];
	int64_t member, stranger, theirs, mine, before, id;
	static const struct {
		int64_t member_off;	/* 0: member, 1: none */
		const char *category, *text, *detail;
		Kassa__V1__StatusCode code;
	} bad[] = {
		{ 0, "product", "", "BAD_DESCRIPTION", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, "rude", "x", "BAD_CATEGORY", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, "", "x", "BAD_CATEGORY", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 1, "product", "x", "MEMBER_REQUIRED", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
	};

	if (kc == NULL || other == NULL)
		goto out;
	member = it_register(h, kc, "Picky 挑剔", phone);
	stranger = it_register(h, kc, "Stranger", phone);
	mine = sale(h, kc, stranger);
	theirs = sale(h, other, member);
	if (member == 0 || mine == 0 || theirs == 0)
		goto out;
	before = it_sql_int(h, "SELECT count(*) FROM complaints");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KcComplaintNew b = { bad[i].member_off ? 0 : member, 0, NULL, bad[i].category,
				     bad[i].text, 0 };

		CHECK(kc_complaint_open(kc, &b, NULL, &r) == KC_OK &&
		      is(r, bad[i].code, bad[i].detail), "bad %zu: %s", i, why(r));
		kc_response_free(r);
		r = NULL;
	}
	memset(big, 'x', 1001);
	big[1001] = '\0';
	n = (KcComplaintNew){ member, 0, NULL, "other", big, 0 };
	CHECK(kc_complaint_open(kc, &n, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DESCRIPTION"), "1001 chars");
	kc_response_free(r);
	r = NULL;
	n = (KcComplaintNew){ member, mine, NULL, "price", "x", 0 };
	CHECK(kc_complaint_open(kc, &n, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "SALE_OF_ANOTHER_MEMBER"),
	      "another member's sale: %s", why(r));
	kc_response_free(r);
	r = NULL;
	n = (KcComplaintNew){ member, theirs, NULL, "price", "x", 0 };
	CHECK(kc_complaint_open(kc, &n, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND"),
	      "another store's sale from a store till: %s", why(r));
	kc_response_free(r);
	r = NULL;
	n = (KcComplaintNew){ member + 10000000, 0, NULL, "queue", "x", 0 };
	CHECK(kc_complaint_open(kc, &n, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND"),
	      "an unknown member: %s", why(r));
	kc_response_free(r);
	r = NULL;
	n = (KcComplaintNew){ member, 0, NULL, "queue", "x", 424242 };
	CHECK(kc_complaint_open(kc, &n, NULL, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "OWNER_NOT_FOUND"),
	      "an unknown owner: %s", why(r));
	kc_response_free(r);
	r = NULL;
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaints") == before, "nothing written");
	/* an open retried with its key is one ticket */
	it_fresh_name("cplk", key);
	id = open_one(kc, member, 0, key);
	CHECK(id > 0 && open_one(kc, member, 0, key) == id &&
	      it_sql_int(h, "SELECT count(*) FROM complaints WHERE member_id = %lld",
			 (long long)member) == 1, "a retried open is one ticket");
	/* bad updates, as a manager */
	kc_free(other);
	other = it_login(h, "S001-T1", 2001, "9999");
	if (other == NULL)
		goto out;
	update_is(other, id, "closed", 0, "x", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_STATUS");
	update_is(other, id, "", 0, "", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "NOTHING_TO_CHANGE");
	update_is(other, 0, "open", 0, "", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "BAD_COMPLAINT");
	update_is(other, id + 1000000, "in_progress", 0, "", KASSA__V1__STATUS_CODE__NOT_FOUND,
		  "COMPLAINT_NOT_FOUND");
	update_is(other, id, "", 424242, "", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		  "OWNER_NOT_FOUND");
	CHECK(it_sql_int(h, "SELECT count(*) FROM complaint_notes WHERE complaint_id = %lld",
			 (long long)id) == 1, "refused updates write no note");
out:
	kc_response_free(r);
	kc_free(kc);
	kc_free(other);
}

/* Guards: the lists page by keyset; the feedback list shows the rating and its ticket. */
static void test_lists(Harness *h)
{
	KassaClient *kc = it_cashier(h), *hq = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	Kassa__V1__ComplaintList q = KASSA__V1__COMPLAINT_LIST__INIT;
	Kassa__V1__FeedbackList f = KASSA__V1__FEEDBACK_LIST__INIT;
	Kassa__V1__Response *r = NULL;
	char phone[32], key[64], next[64] = "";
	int64_t member, txn, a, b, cid;

	if (kc == NULL || hq == NULL)
		goto out;
	member = it_register(h, kc, "Lister", phone);
	txn = sale(h, kc, member);
	it_fresh_name("la", key);
	a = open_one(kc, member, 0, key);
	it_fresh_name("lb", key);
	b = open_one(kc, member, 0, key);
	cid = txn ? rate(kc, txn, 2, NULL) : 0;
	if (a == 0 || b == 0 || cid <= 0)
		goto out;
	q.member_id = member;
	q.limit = 2;
	CHECK(kc_complaint_list(hq, &q, &r) == KC_OK && is(r, ST_OK, NULL) && r->report_table &&
	      r->report_table->n_rows == 2 && r->report_table->next[0] != '\0' &&
	      strtoll(r->report_table->rows[0]->cells[0], NULL, 10) == cid &&
	      strtoll(r->report_table->rows[1]->cells[0], NULL, 10) == b,
	      "the first page, newest first: %s", why(r));
	if (r && r->report_table)
		snprintf(next, sizeof(next), "%s", r->report_table->next);
	kc_response_free(r);
	r = NULL;
	q.after = next;
	CHECK(kc_complaint_list(hq, &q, &r) == KC_OK && is(r, ST_OK, NULL) && r->report_table &&
	      r->report_table->n_rows == 1 && r->report_table->next[0] == '\0' &&
	      strtoll(r->report_table->rows[0]->cells[0], NULL, 10) == a, "the last page");
	kc_response_free(r);
	r = NULL;
	q.after = "nonsense";
	CHECK(kc_complaint_list(hq, &q, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR"), "a bad cursor");
	kc_response_free(r);
	r = NULL;
	f.member_id = member;
	CHECK(kc_feedback_list(hq, &f, &r) == KC_OK && is(r, ST_OK, NULL) && r->report_table &&
	      r->report_table->n_rows == 1 && r->report_table->n_columns == 9 &&
	      strcmp(r->report_table->rows[0]->cells[6], "2") == 0 &&
	      strtoll(r->report_table->rows[0]->cells[8], NULL, 10) == cid &&
	      strcmp(r->report_table->rows[0]->cells[2], "S001") == 0,
	      "the member's rating with its ticket: %s", why(r));
	kc_response_free(r);
	r = NULL;
	f.max_rating = 1;
	CHECK(kc_feedback_list(hq, &f, &r) == KC_OK && is(r, ST_OK, NULL) && r->report_table &&
	      r->report_table->n_rows == 0, "max_rating 1 leaves out a 2");
	kc_response_free(r);
	r = NULL;
	f.max_rating = 0;
	f.from = "2026-13-01";
	CHECK(kc_feedback_list(hq, &f, &r) == KC_OK &&
	      is(r, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DATE"), "a bad date");
out:
	kc_response_free(r);
	kc_free(kc);
	kc_free(hq);
}

static const HarnessTest tests[] = {
	{ "workflow", test_workflow },
	{ "scope", test_scope },
	{ "low_rating", test_low_rating },
	{ "refusals", test_refusals },
	{ "lists", test_lists },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

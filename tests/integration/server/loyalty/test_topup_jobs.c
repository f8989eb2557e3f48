/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_topup_jobs: stored-value top-ups and the loyalty jobs, end to end.
 * Guards that a top-up puts the amount and the rule set's bonus on the
 * wallet with its ledger rows and a 'topup' transaction carrying the
 * tenders, that a retry answers the same and adds nothing, and that every
 * refusal is clear and writes nothing; that PointsExpire (admin only)
 * expires exactly the lots past their day and keeps the ledger invariants;
 * that TierReevaluate moves a member whose window is empty down one level
 * with an audit row and leaves a hand-set tier and a member who spends
 * alone; and that the birthday batch gives a coupon once a year.
 *
 * The timer that runs the jobs without a request is not exercised here:
 * the fixture's kassad runs it hourly and tests do not sleep (see jobs.c,
 * jobs_start()). PointsExpire and TierReevaluate work on the whole shared
 * database, so the checks look at this run's members only. (Should the
 * timer's one early run, 10 s after kassad starts, fall in the moment
 * between a test's set-up and its request, it would take the member first:
 * the administrator logs in before the set-up to keep that moment short.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define CARD KASSA__V1__TENDER_KIND__TENDER_CARD
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK

/* ---- set-up straight into the database ---- */

/* ---- requests ---- */

/* One TopUp; NULL (and a failure) on a transport error. */
static Kassa__V1__Response *topup(KassaClient *kc, int64_t member_id, int64_t amount,
				  const KcTender *tenders, size_t n, const char *key)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__TopUp t = KASSA__V1__TOP_UP__INIT;
	Kassa__V1__Tender td[8], *tp[8];
	Kassa__V1__Response *r = NULL;
	char fresh_key[KC_KEY_LEN];

	for (size_t i = 0; i < n && i < 8; i++) {
		kassa__v1__tender__init(&td[i]);
		td[i].kind = tenders[i].kind;
		td[i].amount_minor = tenders[i].amount_minor;
		td[i].reference = (char *)(tenders[i].reference ? tenders[i].reference : "");
		tp[i] = &td[i];
	}
	t.member_id = member_id;
	t.amount_minor = amount;
	t.n_tenders = n;
	t.tenders = tp;
	if (key == NULL) {
		kc_new_key(fresh_key);
		key = fresh_key;
	}
	req.idempotency_key = (char *)key;
	req.body_case = KASSA__V1__REQUEST__BODY_TOP_UP;
	req.top_up = &t;
	if (kc_call(kc, &req, &r) != KC_OK) {
		CHECK(false, "top-up not answered: %s", kc_last_error(kc));
		return NULL;
	}
	return r;
}

/* PointsExpire or TierReevaluate with key; NULL (and a failure) on a transport error. */
static Kassa__V1__Response *job(KassaClient *kc, Kassa__V1__Request__BodyCase which,
				const char *key)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__PointsExpire pe = KASSA__V1__POINTS_EXPIRE__INIT;
	Kassa__V1__TierReevaluate tr = KASSA__V1__TIER_REEVALUATE__INIT;
	Kassa__V1__Response *r = NULL;

	req.idempotency_key = (char *)key;
	req.body_case = which;
	if (which == KASSA__V1__REQUEST__BODY_POINTS_EXPIRE)
		req.points_expire = &pe;
	else
		req.tier_reevaluate = &tr;
	if (kc_call(kc, &req, &r) != KC_OK) {
		CHECK(false, "job request not answered: %s", kc_last_error(kc));
		return NULL;
	}
	return r;
}

/* An OK answer with the expected body, or a failure saying what came instead. */
static bool answered(const Kassa__V1__Response *r, Kassa__V1__Response__BodyCase body,
		     const char *what)
{
	return r != NULL &&
	       CHECK(kc_status(r) == ST_OK && r->body_case == body,
		     "%s: expected OK, got %s/%s (%s)", what, kc_status_name(kc_status(r)),
		     kc_detail(r), kc_message(r));
}

static KassaClient *admin(Harness *h)
{
	return it_login(h, "HQ-OFFICE-1", 9001, "0000");	/* admin requests: head office only */
}

/* Everything a top-up can write, as one line: equal before and after = nothing written. */
static void snapshot(Harness *h, char out[256])
{
	bool ok = harness_psql_scalar(h, "SELECT concat_ws(' ',"
		" (SELECT count(*) FROM transactions), (SELECT count(*) FROM tenders),"
		" (SELECT count(*) FROM idempotency), (SELECT count(*) FROM wallets),"
		" (SELECT count(*) FROM wallet_ledger),"
		" (SELECT coalesce(sum(balance_minor), 0) FROM wallets))", out, 256);

	CHECK(ok, "snapshot of the top-up tables");
}

/* One refused top-up: status and detail as expected, nothing written. */
static void refused(Harness *h, KassaClient *kc, const char *what, int64_t member_id,
		    int64_t amount, const KcTender *tenders, size_t n,
		    Kassa__V1__StatusCode code, const char *detail)
{
	char before[256], after[256];
	Kassa__V1__Response *r;

	snapshot(h, before);
	r = topup(kc, member_id, amount, tenders, n, NULL);
	CHECK(r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0,
	      "%s: expected %s/%s, got %s/%s (%s)", what, kc_status_name(code), detail,
	      r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
	      r ? kc_message(r) : "");
	snapshot(h, after);
	CHECK(strcmp(before, after) == 0, "%s: nothing written (before %s, after %s)", what, before,
	      after);
	kc_response_free(r);
}

/* ---- top-up ---- */

/* Guards: ¥1,000 in cash earns the ¥100 bonus, all of it on the wallet, ledger and till's record. */
static void test_topup_bonus(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *r = NULL, *again = NULL, *other = NULL, *m = NULL;
	KcTender cash[] = { { CASH, 100000, NULL } };
	char key[KC_KEY_LEN];
	const Kassa__V1__TopUpRecord *t;
	int64_t id;
	long long txn;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Topup Bonus", "Regular");
	if (id == 0)
		goto out;
	kc_new_key(key);
	r = topup(kc, id, 100000, cash, 1, key);
	if (!answered(r, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD, "top-up of 1000.00"))
		goto out;
	t = r->top_up_record;
	txn = (long long)t->topup_id;
	CHECK(t->member_id == id && t->amount_minor == 100000 && t->bonus_minor == 10000 &&
	      t->stored_value_balance_minor == 110000,
	      "1000.00 + 100.00 bonus = 1100.00; got amount %lld bonus %lld balance %lld",
	      (long long)t->amount_minor, (long long)t->bonus_minor,
	      (long long)t->stored_value_balance_minor);
	CHECK(t->topup_id > 0 && strlen(t->created_at) > 10, "the record has an id and a time");
	CHECK(it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)id) == 110000, "wallets holds 1100.00");
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallet_ledger WHERE member_id = %lld AND txn_id = %lld"
			 " AND ((kind = 'topup' AND amount_minor = 100000) OR"
			 "      (kind = 'bonus' AND amount_minor = 10000))", (long long)id, txn) == 2 &&
	      it_sql_int(h, "SELECT count(*) FROM wallet_ledger WHERE member_id = %lld",
			 (long long)id) == 2,
	      "the wallet ledger has exactly 'topup' 100000 and 'bonus' 10000");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld AND kind = 'topup'"
			 " AND member_id = %lld AND total_minor = 100000 AND tendered_minor = 100000"
			 " AND change_minor = 0 AND points_earned = 0 AND wallet_balance_after = 110000",
			 txn, (long long)id) == 1, "a 'topup' transaction records the money taken");
	CHECK(it_sql_int(h, "SELECT count(*) FROM tenders WHERE txn_id = %lld AND kind = 1"
			 " AND amount_minor = 100000", txn) == 1 &&
	      it_sql_int(h, "SELECT count(*) FROM transaction_lines WHERE txn_id = %lld", txn) == 0,
	      "its tender is stored, and it has no lines");
	CHECK(it_sql_int(h, "SELECT points_balance + cumulative_spend_minor FROM members"
			 " WHERE member_id = %lld", (long long)id) == 0,
	      "a top-up earns no points and is no spend");

	/* the till shows the new balance */
	if (kc_member_get_by_id(kc, id, &m) == KC_OK && kc_status(m) == ST_OK &&
	    m->body_case == KASSA__V1__RESPONSE__BODY_MEMBER)
		CHECK(m->member->stored_value_minor == 110000, "MemberGet shows 1100.00, got %lld",
		      (long long)m->member->stored_value_minor);
	else
		CHECK(false, "MemberGet after the top-up");

	/* a retry answers the same and adds nothing */
	again = topup(kc, id, 100000, cash, 1, key);
	CHECK(again && it_same_response(r, again), "the retry answers identically");
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallet_ledger WHERE member_id = %lld",
			 (long long)id) == 2 &&
	      it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1 &&
	      it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)id) == 110000, "the retry wrote nothing");
	/* the same key with another amount is refused */
	other = topup(kc, id, 100001, (KcTender[]){ { CASH, 100001, NULL } }, 1, key);
	CHECK(other && kc_status(other) == KASSA__V1__STATUS_CODE__ABORTED &&
	      strcmp(kc_detail(other), "IDEMPOTENCY_KEY_REUSED") == 0,
	      "another body under the key: ABORTED/IDEMPOTENCY_KEY_REUSED, got %s",
	      other ? kc_detail(other) : "-");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_response_free(other);
	kc_response_free(m);
	kc_free(kc);
}

/* Guards: below the bonus tier there is no bonus; card plus cash with change from the cash. */
static void test_topup_no_bonus(Harness *h)
{
	KassaClient *kc = it_login(h, "S001-T1", 2001, "9999");	/* a manager may too */
	Kassa__V1__Response *r = NULL, *r2 = NULL;
	KcTender mixed[] = { { CARD, 30000, "POS-778812" }, { CASH, 50000, NULL } };
	KcTender exact[] = { { CASH, 99999, NULL } };
	int64_t id;
	long long txn;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Topup Small", "Regular");
	if (id == 0)
		goto out;
	r = topup(kc, id, 50000, mixed, 2, NULL);
	if (!answered(r, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD, "top-up of 500.00"))
		goto out;
	txn = (long long)r->top_up_record->topup_id;
	CHECK(r->top_up_record->bonus_minor == 0 && r->top_up_record->stored_value_balance_minor ==
	      50000, "500.00 gets no bonus; got bonus %lld balance %lld",
	      (long long)r->top_up_record->bonus_minor,
	      (long long)r->top_up_record->stored_value_balance_minor);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld"
			 " AND tendered_minor = 80000 AND change_minor = 30000", txn) == 1,
	      "card 300.00 + cash 500.00 for 500.00: 300.00 change from the cash");
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallet_ledger WHERE member_id = %lld AND kind = 'bonus'",
			 (long long)id) == 0, "no bonus row");
	/* 999.99 is just below the 1000.00 tier */
	r2 = topup(kc, id, 99999, exact, 1, NULL);
	if (answered(r2, KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD, "top-up of 999.99"))
		CHECK(r2->top_up_record->bonus_minor == 0 &&
		      r2->top_up_record->stored_value_balance_minor == 149999,
		      "999.99 gets no bonus; the balance adds up to 1499.99, got %lld",
		      (long long)r2->top_up_record->stored_value_balance_minor);
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_response_free(r2);
	kc_free(kc);
}

/* Guards: every refusal says why and writes nothing. */
static void test_topup_refused(Harness *h)
{
	KassaClient *kc = it_cashier(h), *analyst = NULL;
	Kassa__V1__Response *r = NULL;
	KcTender cash[] = { { CASH, 100000, NULL } };
	KcTender stored[] = { { STORED, 100000, NULL } };
	KcTender short_cash[] = { { CASH, 99999, NULL } };
	KcTender card_over[] = { { CARD, 100001, "POS-1" } };
	KcTender card_noref[] = { { CARD, 100000, NULL } };
	KcTender huge[] = { { CASH, 10000001, NULL } };
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Topup Refused", "Regular");
	if (id == 0)
		goto out;
	refused(h, kc, "zero", id, 0, cash, 1, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		"BAD_AMOUNT");
	refused(h, kc, "negative", id, -100, cash, 1, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		"BAD_AMOUNT");
	refused(h, kc, "over 100,000.00", id, 10000001, huge, 1,
		KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_TOO_LARGE");
	refused(h, kc, "no such member", id + 100000000, 100000, cash, 1,
		KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND");
	refused(h, kc, "no member", 0, 100000, cash, 1, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
		"BAD_MEMBER");
	refused(h, kc, "paid with stored value", id, 100000, stored, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "STORED_VALUE_NOT_ALLOWED");
	refused(h, kc, "tenders short", id, 100000, short_cash, 1,
		KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "INSUFFICIENT_TENDER");
	refused(h, kc, "change from a card", id, 100000, card_over, 1,
		KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CHANGE_WITHOUT_CASH");
	refused(h, kc, "card without reference", id, 100000, card_noref, 1,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REFERENCE");
	refused(h, kc, "no tenders", id, 100000, cash, 0,
		KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDERS");
	analyst = it_login(h, "S001-T1", 3001, "3333");
	if (analyst != NULL)
		refused(h, analyst, "an analyst", id, 100000, cash, 1,
			KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED");
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallets WHERE member_id = %lld", (long long)id) == 0,
	      "the member still has no wallet");
out:
	kc_response_free(r);
	kc_free(analyst);
	kc_free(kc);
}

/* ---- points expiry ---- */

/* Guards: PointsExpire expires the past lot into an 'expire' row, leaves the future one. */
static void test_points_expire(Harness *h)
{
	KassaClient *kc = it_cashier(h), *adm = NULL;
	Kassa__V1__Response *r = NULL, *again = NULL, *denied = NULL;
	char key[KC_KEY_LEN];
	int64_t id, past, future;
	long long m;

	if (kc == NULL)
		return;
	/* logged in first: the set-up below is then a moment before the request */
	adm = admin(h);
	if (adm == NULL)
		goto out;
	id = it_register_tier(h, kc, "Expiry Member", "Regular");
	m = (long long)id;
	if (id == 0 || !it_give_points(h, id, 300, -1) || !it_give_points(h, id, 200, 30))
		goto out;
	past = it_sql_int(h, "SELECT lot_id FROM points_lots WHERE member_id = %lld AND points = 300", m);
	future = it_sql_int(h, "SELECT lot_id FROM points_lots WHERE member_id = %lld AND points = 200",
			    m);
	it_check_ledgers(h, id);

	/* a cashier may not run it */
	kc_new_key(key);
	denied = job(kc, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, key);
	CHECK(denied && kc_status(denied) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED,
	      "a cashier's PointsExpire: PERMISSION_DENIED, got %s",
	      denied ? kc_status_name(kc_status(denied)) : "-");
	CHECK(it_sql_int(h, "SELECT remaining FROM points_lots WHERE member_id = %lld"
			 " AND lot_id = %lld", m, (long long)past) == 300, "nothing expired for it");

	kc_new_key(key);
	r = job(adm, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, key);
	if (!answered(r, KASSA__V1__RESPONSE__BODY_POINTS_EXPIRED, "PointsExpire"))
		goto out;
	CHECK(r->points_expired->members >= 1 && r->points_expired->lots >= 1 &&
	      r->points_expired->points >= 300,
	      "the counts include this member's lot: %lld members, %lld lots, %lld points",
	      (long long)r->points_expired->members, (long long)r->points_expired->lots,
	      (long long)r->points_expired->points);
	CHECK(it_sql_int(h, "SELECT remaining FROM points_lots WHERE member_id = %lld"
			 " AND lot_id = %lld", m, (long long)past) == 0, "the past lot is used up");
	CHECK(it_sql_int(h, "SELECT remaining FROM points_lots WHERE member_id = %lld"
			 " AND lot_id = %lld", m, (long long)future) == 200, "the future lot is untouched");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger l JOIN points_lot_moves v"
			 " USING (member_id, entry_id) WHERE l.member_id = %lld AND l.kind = 'expire'"
			 " AND l.points = -300 AND v.lot_id = %lld AND v.points = 300",
			 m, (long long)past) == 1, "one 'expire' row of -300 names the past lot");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld"
			 " AND kind = 'expire'", m) == 1, "and no other expire row");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld", m) == 200,
	      "the balance is 200");
	it_check_ledgers(h, id);
	CHECK(it_sql_int(h, "SELECT count(*) FROM job_runs j JOIN idempotency i ON i.result_id = j.run_id"
			 " AND i.kind = 'points_expire' WHERE i.key = '%s' AND j.staff_id = 9001"
			 " AND j.finished_at IS NOT NULL AND j.points = %lld", key,
			 (long long)r->points_expired->points) == 1,
	      "the run is recorded as the admin's, finished, with its counts");

	/* a retry answers the same and expires nothing more */
	again = job(adm, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, key);
	CHECK(again && it_same_response(r, again), "the retry answers identically");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld"
			 " AND kind = 'expire'", m) == 1, "the retry wrote nothing");
out:
	kc_response_free(r);
	kc_response_free(again);
	kc_response_free(denied);
	kc_free(adm);
	kc_free(kc);
}

/* ---- tier re-evaluation ---- */

/* Guards: an idle Gold member goes to Silver (one level) with an audit row; others stay. */
static void test_tier_downgrade(Harness *h)
{
	KassaClient *kc = it_cashier(h), *adm = NULL;
	Kassa__V1__Response *r = NULL, *sale = NULL, *r2 = NULL;
	char key[KC_KEY_LEN];
	int64_t idle, manual, spender;
	/* Gold takes 20%: 167 x 75.00 = 12525.00 less 2505.00 = 10020.00, above Gold's 10000.00 */
	KcLine lines[] = { { "SKU-RICE", 167, false } };
	KcTender cash[] = { { CASH, 1002000, NULL } };

	if (kc == NULL)
		return;
	adm = admin(h);
	if (adm == NULL)
		goto out;
	idle = it_register_tier(h, kc, "Tier Idle", "Gold");
	manual = it_register_tier(h, kc, "Tier Manual", "Gold");
	spender = it_register_tier(h, kc, "Tier Spender", "Gold");
	if (idle == 0 || manual == 0 || spender == 0)
		goto out;
	kc_new_key(key);
	if (kc_checkout(kc, &(KcSale){ lines, 1, spender, cash, 1, 0, NULL, 0 },
			key, false, &sale) != KC_OK ||
	    !CHECK(kc_status(sale) == ST_OK, "the spender's sale: %s (%s)", kc_detail(sale),
		   kc_message(sale)))
		goto out;
	if (!it_sqlf(h, "UPDATE members SET tier_since = now() - interval '2 years'"
		     " WHERE member_id IN (%lld, %lld, %lld);"
		     " UPDATE members SET tier_manual = true WHERE member_id = %lld",
		     (long long)idle, (long long)manual, (long long)spender, (long long)manual))
		goto out;

	kc_new_key(key);
	r = job(adm, KASSA__V1__REQUEST__BODY_TIER_REEVALUATE, key);
	if (!answered(r, KASSA__V1__RESPONSE__BODY_TIER_REEVALUATED, "TierReevaluate"))
		goto out;
	CHECK(r->tier_reevaluated->examined >= 2 && r->tier_reevaluated->downgraded >= 1,
	      "idle and spender examined, idle downgraded: %lld examined, %lld downgraded",
	      (long long)r->tier_reevaluated->examined, (long long)r->tier_reevaluated->downgraded);
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND tier = 'Silver'"
			 " AND tier_since > now() - interval '1 hour'", (long long)idle) == 1,
	      "the idle Gold member is Silver now (one level, not Regular), since now");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'tier.downgrade'"
			 " AND subject = 'member:%lld' AND staff_id = 9001 AND detail->>'from' = 'Gold'"
			 " AND detail->>'to' = 'Silver' AND (detail->>'basis')::bigint = 0",
			 (long long)idle) == 1, "one audit row says Gold -> Silver on a basis of 0");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND tier = 'Gold'",
			 (long long)manual) == 1, "a tier set by hand is left alone");
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND tier = 'Gold'",
			 (long long)spender) == 1, "a member who spent 10020.00 this year stays Gold");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE subject IN ('member:%lld',"
			 " 'member:%lld') AND action = 'tier.downgrade'", (long long)manual,
			 (long long)spender) == 0, "no audit rows for them");

	/* again at once: Silver since now, so no second step down */
	kc_new_key(key);
	r2 = job(adm, KASSA__V1__REQUEST__BODY_TIER_REEVALUATE, key);
	if (answered(r2, KASSA__V1__RESPONSE__BODY_TIER_REEVALUATED, "TierReevaluate again"))
		CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld"
				 " AND tier = 'Silver'", (long long)idle) == 1,
		      "one level per window: still Silver");
	it_check_ledgers(h, idle);
	it_check_ledgers(h, spender);
out:
	kc_response_free(r);
	kc_response_free(r2);
	kc_response_free(sale);
	kc_free(adm);
	kc_free(kc);
}

/* ---- birthday coupons ---- */

/* Guards: a member whose birthday is today gets the birthday coupon once, and the till shows it. */
static void test_birthday_coupon(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Kassa__V1__Response *m = NULL;
	char name[64];
	int64_t id, def;
	long long mid;
	bool shown = false;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Birthday Member", "Regular");
	mid = (long long)id;
	it_fresh_name("BDAY", name);
	if (id == 0 ||
	    !it_sqlf(h, "UPDATE members SET birthday = (current_date - interval '30 years')::date"
		     " WHERE member_id = %lld;"
		     " INSERT INTO coupon_defs (name, kind, value_minor, issue_on, valid_to)"
		     " VALUES ('%s', 'fixed', 2000, 'birthday', current_date + 30)", mid, name))
		goto out;
	def = it_sql_int(h, "SELECT def_id FROM coupon_defs WHERE name = '%s'", name);
	/* the batch the timer runs, for this member alone: ids above id - 1, one of them */
	CHECK(it_sql_int(h, "SELECT out_issued FROM kassa_birthday_due(1, %lld)", mid - 1) >= 1,
	      "the first batch issues the birthday coupon");
	CHECK(it_sql_int(h, "SELECT out_issued FROM kassa_birthday_due(1, %lld)", mid - 1) == 0,
	      "a second batch the same day issues none");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE member_id = %lld AND def_id = %lld"
			 " AND state = 'issued' AND code LIKE 'B%%'", mid, (long long)def) == 1,
	      "the member holds exactly one coupon of the definition");
	CHECK(it_sql_int(h, "SELECT count(*) FROM birthday_coupons b JOIN coupons c USING (member_id,"
			 " coupon_id) WHERE b.member_id = %lld AND b.def_id = %lld"
			 " AND b.year = extract(year FROM current_date)", mid, (long long)def) == 1,
	      "the year's guard row names the coupon");
	if (kc_member_get_by_id(kc, id, &m) == KC_OK && kc_status(m) == ST_OK &&
	    m->body_case == KASSA__V1__RESPONSE__BODY_MEMBER) {
		for (size_t i = 0; i < m->member->n_coupons; i++)
			if (m->member->coupons[i]->code[0] == 'B' &&
			    m->member->coupons[i]->value_minor == 2000)
				shown = true;
	}
	CHECK(shown, "MemberGet shows the birthday coupon as usable");
	/* no other run's member should get this definition later */
	(void)it_sqlf(h, "UPDATE coupon_defs SET active = false WHERE def_id = %lld",
		      (long long)def);
out:
	kc_response_free(m);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "topup_bonus", test_topup_bonus },
	{ "topup_no_bonus", test_topup_no_bonus },
	{ "topup_refused", test_topup_refused },
	{ "points_expire", test_points_expire },
	{ "tier_downgrade", test_tier_downgrade },
	{ "birthday_coupon", test_birthday_coupon },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_member_360: Member360, head office's whole view of one member, and
 * the RFM scores and portrait in the till's MemberGet. One member with 300
 * points given, a 200.00 top-up, three sales at two stores (one paid
 * partly with 100 points and 20.00 of stored value, one with a coupon),
 * one refund, a coupon still usable and one expired, and two ratings. The
 * 360 gives every list newest first with the values written: the refund
 * with its sale's receipt number, money and clawed points; the points and
 * stored-value ledgers entry by entry, each balance_after the running sum
 * so that the newest equals the member's balance and the ledger's sum;
 * the coupons as used / usable / expired; the feedback with its store.
 * limit cuts every list to the newest entries (balances still over the
 * whole ledger); the member's class and portrait come from member_stats
 * (set here in SQL, as the analytics job writes it) in the 360 and in the
 * cashier's MemberGet; an erased member says so, a merged one names its
 * survivor; an unknown member is MEMBER_NOT_FOUND; a manager may read it,
 * a cashier may not. Another member's count cards, newest first, with
 * their service, visits, remaining, state and expiry: one with a visit
 * redeemed, one expired by the card expiry job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_feed.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK

/* A checkout of sale; its Transaction's response (NULL + failure when refused). */
static Kassa__V1__Response *sell(KassaClient *kc, const KcSale *s, const char *what)
{
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];

	kc_new_key(key);
	if (CHECK(kc_checkout(kc, s, key, false, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->transaction, "%s: %s %s", what, r ? kc_detail(r) : kc_last_error(kc),
		  r ? kc_message(r) : ""))
		return r;
	kc_response_free(r);
	return NULL;
}

/* The member's profile with limit entries per list (NULL + failure if refused). */
static Kassa__V1__Response *profile(KassaClient *kc, int64_t id, uint32_t limit)
{
	Kassa__V1__Response *r = NULL;

	if (CHECK(kc_member_360(kc, id, limit, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member_profile && r->member_profile->member, "member 360: %s %s",
		  r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : kc_last_error(kc)))
		return r;
	kc_response_free(r);
	return NULL;
}

/* Does each entry's balance_after equal the sum up to it (ledger newest first), ending at total? */
static bool running(Kassa__V1__LedgerEntry *const *v, size_t n, int64_t total)
{
	int64_t bal = total;

	for (size_t i = 0; i < n; i++) {
		if (v[i]->balance_after != bal)
			return false;
		bal -= v[i]->amount;
	}
	return true;
}

/* The member's set-up: points, a top-up, three sales, a refund, coupons, ratings. */
typedef struct World {
	int64_t id, s1, s2;			/* the member, stores S001 and S002 */
	int64_t sale[3], earned[3];		/* the sales and the points each earned */
	int64_t refund_id;
	char receipt[64], p1[64], p2[64], c_used[64], c_usable[64], c_expired[64];
	char s1_name[128], s2_name[128];
} World;

static bool coupon(Harness *h, int64_t member, const char *code, const char *valid_to,
		   const char *issued_at)
{
	return it_sqlf(h, "WITH d AS (INSERT INTO coupon_defs (name, kind, value_minor, valid_to)"
		       " VALUES ('360 %s', 'fixed', 500, %s) RETURNING def_id)"
		       " INSERT INTO coupons (member_id, def_id, code, issued_at)"
		       " SELECT %lld, def_id, '%s', %s FROM d", code, valid_to, (long long)member,
		       code, issued_at);
}

static bool world_build(Harness *h, KassaClient *s1, KassaClient *s2, World *w)
{
	Kassa__V1__Response *r = NULL;
	KcTender topup = { CASH, 20000, NULL };
	char key[KC_KEY_LEN], phone[32], q[160];
	const char *codes[1];

	memset(w, 0, sizeof(*w));
	it_fresh_name("P360A", w->p1);
	it_fresh_name("P360B", w->p2);
	it_fresh_name("C360U", w->c_used);
	it_fresh_name("C360N", w->c_usable);
	it_fresh_name("C360E", w->c_expired);
	w->id = it_register(h, s1, "Member Three Sixty", phone);
	w->s1 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
	w->s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	snprintf(q, sizeof(q), "SELECT name FROM stores WHERE store_id = %lld", (long long)w->s1);
	if (w->id == 0 || !harness_psql_scalar(h, q, w->s1_name, sizeof(w->s1_name)))
		return false;
	snprintf(q, sizeof(q), "SELECT name FROM stores WHERE store_id = %lld", (long long)w->s2);
	if (!harness_psql_scalar(h, q, w->s2_name, sizeof(w->s2_name)) ||
	    !it_sqlf(h, "INSERT INTO products (sku, name, category, price_minor) VALUES"
		     " ('%s', '360 tea', 'tea', 4000), ('%s', '360 cake', 'cake', 6000)",
		     w->p1, w->p2) ||
	    !it_give_points(h, w->id, 300, 365) ||
	    !coupon(h, w->id, w->c_used, "NULL", "now() - interval '3 hours'") ||
	    !coupon(h, w->id, w->c_expired, "current_date - 1", "now() - interval '2 hours'") ||
	    !coupon(h, w->id, w->c_usable, "NULL", "now() - interval '1 hour'"))
		return false;

	/* a 200.00 top-up at S001: below the bonus threshold, so no bonus */
	kc_new_key(key);
	if (!CHECK(kc_top_up(s1, w->id, 20000, &topup, 1, key, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK, "top-up: %s", r ? kc_detail(r) : kc_last_error(s1)))
		goto fail;
	kc_response_free(r);

	/* 1: 40.00 cash at S001, earns 4 */
	KcLine l1 = { w->p1, 1, false }, l2 = { w->p2, 1, false };
	KcTender cash40 = { CASH, 4000, NULL };
	if ((r = sell(s1, &(KcSale){ &l1, 1, w->id, &cash40, 1, 0, NULL, 0 }, "sale 1")) == NULL)
		return false;
	w->sale[0] = r->transaction->txn_id;
	w->earned[0] = r->transaction->points_earned;
	kc_response_free(r);
	/* 2: 60.00 at S002, 100 points (10.00) off, 20.00 stored value and 30.00 cash */
	KcTender mix[2] = { { STORED, 2000, NULL }, { CASH, 3000, NULL } };
	if ((r = sell(s2, &(KcSale){ &l2, 1, w->id, mix, 2, 100, NULL, 0 }, "sale 2")) == NULL)
		return false;
	w->sale[1] = r->transaction->txn_id;
	w->earned[1] = r->transaction->points_earned;
	CHECK(r->transaction->points_redeemed == 100 && r->transaction->total_minor == 5000,
	      "sale 2: 100 points for 10.00, 50.00 paid");
	kc_response_free(r);
	/* 3: 40.00 at S001 with the 5.00 coupon: 35.00 cash */
	KcTender cash35 = { CASH, 3500, NULL };
	codes[0] = w->c_used;
	if ((r = sell(s1, &(KcSale){ &l1, 1, w->id, &cash35, 1, 0, codes, 1 }, "sale 3")) == NULL)
		return false;
	w->sale[2] = r->transaction->txn_id;
	w->earned[2] = r->transaction->points_earned;
	kc_response_free(r);
	r = NULL;

	/* the refund of sale 1 at S001 (its receipt number set as a till would print it) */
	snprintf(w->receipt, sizeof(w->receipt), "R360-%lld", (long long)w->sale[0]);
	if (!it_sqlf(h, "UPDATE transactions SET receipt_no = '%s' WHERE txn_id = %lld",
		     w->receipt, (long long)w->sale[0]))
		return false;
	if (!CHECK(kc_refund(s1, w->sale[0], NULL, 0, 0, NULL, "360 test", NULL, &r) == KC_OK &&
		   r && kc_status(r) == ST_OK, "refund: %s", r ? kc_detail(r) : kc_last_error(s1)))
		goto fail;
	kc_response_free(r);
	r = NULL;
	w->refund_id = it_sql_int(h, "SELECT refund_id FROM refunds WHERE txn_id = %lld",
				  (long long)w->sale[0]);

	/* ratings: sale 1 at S001, then sale 2 at S002 */
	if (!CHECK(kc_feedback(s1, w->sale[0], NULL, 5, "很好", NULL, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK, "feedback 1"))
		goto fail;
	kc_response_free(r);
	r = NULL;
	if (!CHECK(kc_feedback(s2, w->sale[1], NULL, 3, "", NULL, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK, "feedback 2"))
		goto fail;
	kc_response_free(r);
	/* feedback 2 is the newer even on a fast machine */
	return it_sqlf(h, "UPDATE feedback SET created_at = created_at - interval '1 minute'"
		       " WHERE txn_id = %lld", (long long)w->sale[0]);
fail:
	kc_response_free(r);
	return false;
}

/* The lists of the full profile against what the world wrote. */
static void check_lists(Harness *h, const World *w, const Kassa__V1__MemberProfile *p)
{
	const Kassa__V1__Member *m = p->member;
	int64_t points = 300 + w->earned[0] + w->earned[1] + w->earned[2] - 100 - w->earned[0];

	CHECK(m->member_id == w->id && strcmp(m->name, "Member Three Sixty") == 0 &&
	      m->phone[0] == '+', "the member as MemberGet gives it, phone in full");
	CHECK(p->purchases == 3 && p->refunds_total == 1, "3 purchases, 1 refund; got %lld, %lld",
	      (long long)p->purchases, (long long)p->refunds_total);

	/* the refund: sale 1, its receipt, 40.00 back, its 4 points clawed back, at S001 */
	if (CHECK(p->n_refunds == 1, "one refund, got %zu", p->n_refunds))
		CHECK(p->refunds[0]->refund_id == w->refund_id && p->refunds[0]->txn_id == w->sale[0] &&
		      strcmp(p->refunds[0]->receipt_no, w->receipt) == 0 &&
		      p->refunds[0]->amount_minor == 4000 &&
		      p->refunds[0]->points_clawed == w->earned[0] &&
		      strcmp(p->refunds[0]->store_name, w->s1_name) == 0 &&
		      p->refunds[0]->created_at[0] != '\0', "the refund summary");

	/* points: adjust 300, earn 4, redeem -100 and earn at sale 2, earn at 3, clawback -4 */
	CHECK(w->earned[0] == 4, "40.00 earns 4 points, got %lld", (long long)w->earned[0]);
	CHECK(m->points_balance == points && p->points_ledger_sum == points,
	      "balance %lld = ledger sum %lld = %lld", (long long)m->points_balance,
	      (long long)p->points_ledger_sum, (long long)points);
	if (CHECK(p->n_points == (size_t)(4 + (w->earned[1] > 0) + (w->earned[2] > 0)),
		  "points entries: %zu", p->n_points)) {
		Kassa__V1__LedgerEntry *const *e = p->points;
		size_t n = p->n_points;

		CHECK(running(e, n, m->points_balance) && e[0]->balance_after == m->points_balance,
		      "points balance_after is the running sum; the newest is the balance");
		CHECK(strcmp(e[0]->kind, "clawback") == 0 && e[0]->amount == -4 &&
		      e[0]->refund_id == w->refund_id && e[0]->txn_id == w->sale[0],
		      "newest: the refund's clawback of 4 (%s %lld)", e[0]->kind,
		      (long long)e[0]->amount);
		CHECK(strcmp(e[n - 1]->kind, "adjust") == 0 && e[n - 1]->amount == 300 &&
		      e[n - 1]->balance_after == 300, "oldest: the 300 given");
		CHECK(strcmp(e[n - 2]->kind, "earn") == 0 && e[n - 2]->amount == 4 &&
		      e[n - 2]->txn_id == w->sale[0] && e[n - 2]->balance_after == 304,
		      "then sale 1's 4, balance 304");
		bool redeem = false;

		for (size_t i = 0; i < n; i++)
			redeem = redeem || (strcmp(e[i]->kind, "redeem") == 0 && e[i]->amount == -100 &&
					    e[i]->txn_id == w->sale[1]);
		CHECK(redeem, "sale 2's redemption of 100");
	}

	/* stored value: the top-up 200.00, then 20.00 spent at sale 2 */
	CHECK(m->stored_value_minor == 18000 && p->stored_value_ledger_sum == 18000,
	      "stored value 180.00 = ledger sum, got %lld / %lld", (long long)m->stored_value_minor,
	      (long long)p->stored_value_ledger_sum);
	if (CHECK(p->n_stored_value == 2, "two stored-value entries, got %zu", p->n_stored_value)) {
		Kassa__V1__LedgerEntry *const *e = p->stored_value;

		CHECK(strcmp(e[0]->kind, "spend") == 0 && e[0]->amount == -2000 &&
		      e[0]->txn_id == w->sale[1] && e[0]->balance_after == 18000,
		      "newest: 20.00 spent at sale 2, 180.00 after (%s %lld %lld)", e[0]->kind,
		      (long long)e[0]->amount, (long long)e[0]->balance_after);
		CHECK(strcmp(e[1]->kind, "topup") == 0 && e[1]->amount == 20000 &&
		      e[1]->balance_after == 20000, "then the 200.00 top-up");
	}

	/* coupons, newest issued first: usable, expired, used (at sale 3) */
	if (CHECK(p->n_coupons == 3, "three coupons, got %zu", p->n_coupons)) {
		CHECK(strcmp(p->coupons[0]->code, w->c_usable) == 0 &&
		      strcmp(p->coupons[0]->status, "usable") == 0 && p->coupons[0]->txn_id == 0 &&
		      p->coupons[0]->used_at[0] == '\0', "the usable coupon (%s)",
		      p->coupons[0]->status);
		CHECK(strcmp(p->coupons[1]->code, w->c_expired) == 0 &&
		      strcmp(p->coupons[1]->status, "expired") == 0 &&
		      p->coupons[1]->valid_to[0] != '\0', "the expired coupon (%s)",
		      p->coupons[1]->status);
		CHECK(strcmp(p->coupons[2]->code, w->c_used) == 0 &&
		      strcmp(p->coupons[2]->status, "used") == 0 &&
		      p->coupons[2]->txn_id == w->sale[2] && p->coupons[2]->used_at[0] != '\0',
		      "the used coupon, with its sale (%s %lld)", p->coupons[2]->status,
		      (long long)p->coupons[2]->txn_id);
	}

	/* feedback, newest first: 3 at S002, then 5 "很好" at S001 */
	if (CHECK(p->n_feedback == 2, "two ratings, got %zu", p->n_feedback)) {
		CHECK(p->feedback[0]->txn_id == w->sale[1] && p->feedback[0]->rating == 3 &&
		      strcmp(p->feedback[0]->store_name, w->s2_name) == 0, "sale 2's 3 at S002");
		CHECK(p->feedback[1]->txn_id == w->sale[0] && p->feedback[1]->rating == 5 &&
		      strcmp(p->feedback[1]->comment, "很好") == 0 &&
		      strcmp(p->feedback[1]->store_name, w->s1_name) == 0, "sale 1's 5 at S001");
	}
	CHECK(!p->erased && p->merged_into == 0, "neither erased nor merged");
	it_check_ledgers(h, w->id);
}

/* A member merged into survivor names it; erased, it says so. */
static void merged_erased(Harness *h, KassaClient *s1, KassaClient *an, int64_t survivor)
{
	Kassa__V1__Response *r;
	char phone[32];
	int64_t other = it_register(h, s1, "Member Merged Away", phone);

	if (other == 0 || !it_sqlf(h, "UPDATE members SET merged_into = %lld WHERE member_id = %lld",
				   (long long)survivor, (long long)other))
		return;
	if ((r = profile(an, other, 0)) != NULL) {
		CHECK(r->member_profile->merged_into == survivor && !r->member_profile->erased,
		      "a merged member names its survivor");
		kc_response_free(r);
	}
	if (!it_sqlf(h, "UPDATE members SET erased_at = now() WHERE member_id = %lld",
		     (long long)other))
		return;
	if ((r = profile(an, other, 0)) != NULL)
		CHECK(r->member_profile->erased, "an erased member says so");
	kc_response_free(r);
}

static void test_profile(Harness *h)
{
	KassaClient *s1 = it_cashier(h);
	KassaClient *s2 = it_login(h, "S002-T1", 1002, "2345");
	KassaClient *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *mgr = it_login(h, "HQ-OFFICE-1", 2001, "9999");
	Kassa__V1__Response *r = NULL;
	World w;

	if (s1 == NULL || s2 == NULL || an == NULL || mgr == NULL || !world_build(h, s1, s2, &w))
		goto out;
	if ((r = profile(an, w.id, 0)) == NULL)
		goto out;
	check_lists(h, &w, r->member_profile);
	/* no member_stats row yet: class none, no portrait */
	CHECK(r->member_profile->member->rfm &&
	      strcmp(r->member_profile->member->rfm->class_, "none") == 0 &&
	      r->member_profile->member->rfm->recency_days == -1 &&
	      r->member_profile->member->portrait &&
	      r->member_profile->member->portrait->usual_hour == -1, "no scores yet: class none");
	kc_response_free(r);

	/* limit 2: the two newest of each list, balances still over the whole ledger */
	if ((r = profile(an, w.id, 2)) != NULL) {
		const Kassa__V1__MemberProfile *p = r->member_profile;

		CHECK(p->n_points == 2 && p->points[0]->balance_after == p->member->points_balance &&
		      strcmp(p->points[0]->kind, "clawback") == 0 &&
		      p->points[1]->balance_after == p->member->points_balance - p->points[0]->amount,
		      "limit 2: the two newest points entries with their balances");
		CHECK(p->n_coupons == 2 && p->n_stored_value == 2 && p->n_feedback == 2 &&
		      p->n_refunds == 1 && p->purchases == 3, "limit 2 cuts the lists, not the totals");
		kc_response_free(r);
	}

	/* the analytics job's row: class, portrait in the 360 and in the till's MemberGet */
	if (!it_sqlf(h, "INSERT INTO member_stats (member_id, visits, spend_minor, first_visit,"
		     " last_visit, window_visits, window_spend_minor, r, f, m, class,"
		     " avg_basket_minor, fav_categories, usual_store_id, usual_hour,"
		     " visit_interval_days) VALUES (%lld, 3, 8500, now() - interval '20 days',"
		     " now() - interval '2 days', 3, 8500, 5, 3, 2, 'active', 4167,"
		     " ARRAY['tea', 'cake'], %lld, 15, 9)", (long long)w.id, (long long)w.s1))
		goto out;
	if ((r = profile(mgr, w.id, 0)) != NULL) {
		const Kassa__V1__Member *m = r->member_profile->member;

		CHECK(m->rfm && strcmp(m->rfm->class_, "active") == 0 && m->rfm->recency == 5 &&
		      m->rfm->frequency == 3 && m->rfm->monetary == 2 && m->rfm->visits == 3 &&
		      m->rfm->spend_minor == 8500 && m->rfm->recency_days == 2,
		      "a manager reads the 360; RFM 5/3/2 active, 2 days since the last visit");
		CHECK(m->portrait && m->portrait->avg_basket_minor == 4167 &&
		      m->portrait->n_favourite_categories == 2 &&
		      strcmp(m->portrait->favourite_categories[1], "cake") == 0 &&
		      m->portrait->usual_store_id == w.s1 &&
		      strcmp(m->portrait->usual_store, w.s1_name) == 0 &&
		      m->portrait->usual_hour == 15 && m->portrait->visit_interval_days == 9 &&
		      m->portrait->visits == 3 && m->portrait->last_visit[0] != '\0',
		      "the portrait with the usual store's name");
		kc_response_free(r);
	}
	r = NULL;
	if (CHECK(kc_member_get_by_id(s1, w.id, &r) == KC_OK && r && kc_status(r) == ST_OK &&
		  r->member, "the till's lookup"))
		CHECK(r->member->rfm && strcmp(r->member->rfm->class_, "active") == 0 &&
		      r->member->portrait && r->member->portrait->usual_hour == 15 &&
		      strcmp(r->member->portrait->usual_store, w.s1_name) == 0,
		      "MemberGet carries the class and portrait to the till");
	kc_response_free(r);
	r = NULL;

	/* a cashier may not read the 360; an unknown member is not found */
	CHECK(kc_member_360(s1, w.id, 0, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "a cashier may not");
	kc_response_free(r);
	r = NULL;
	CHECK(kc_member_360(an, INT64_C(999999999999), 0, &r) == KC_OK && r &&
	      kc_status(r) == KASSA__V1__STATUS_CODE__NOT_FOUND &&
	      strcmp(kc_detail(r), "MEMBER_NOT_FOUND") == 0, "unknown member: MEMBER_NOT_FOUND");
	kc_response_free(r);
	r = NULL;

	merged_erased(h, s1, an, w.id);
out:
	kc_response_free(r);
	kc_free(mgr);
	kc_free(an);
	kc_free(s2);
	kc_free(s1);
}

/* A service item of visits per unit, valid 30 days, made in SQL as ServiceItemPut would. */
static bool service(Harness *h, const char *sku, const char *name, int visits)
{
	return it_sqlf(h, "WITH p AS (INSERT INTO products (sku, name, price_minor, stocked)"
		       " VALUES ('%s', '%s', 3000, false) RETURNING product_id)"
		       " INSERT INTO service_items (product_id, visits, valid_days)"
		       " SELECT product_id, %d, 30 FROM p", sku, name, visits);
}

/* The card of the member's sale line, 0 if none. */
static int64_t line_card(Harness *h, int64_t txn, int line)
{
	return it_sql_int(h, "SELECT coalesce(max(card_id), 0) FROM count_cards WHERE txn_id = %lld"
			  " AND line_no = %d", (long long)txn, line);
}

/* The card's expiry as the 360 writes it: RFC 3339 UTC (static storage; "" on failure). */
static const char *expiry_of(Harness *h, int64_t card)
{
	static char at[40];
	char q[200];

	snprintf(q, sizeof(q), "SELECT to_char(expires_at AT TIME ZONE 'UTC',"
		 " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM count_cards WHERE card_id = %lld",
		 (long long)card);
	if (!harness_psql_scalar(h, q, at, sizeof(at)))
		at[0] = '\0';
	return at;
}

static bool card_is(const Kassa__V1__CountCard *c, int64_t id, const char *sku, const char *name,
		    int visits, int remaining, const char *state, const char *expires_at)
{
	return c->card_id == id && strcmp(c->sku, sku) == 0 && strcmp(c->name, name) == 0 &&
	       c->visits == visits && c->remaining == remaining &&
	       strcmp(c->state, state) == 0 && strcmp(c->expires_at, expires_at) == 0 &&
	       c->n_ledger == 0;
}

/*
 * Guards: the member 360 lists the member's count cards newest first with their service,
 * visits, remaining, state and expiry: a 5-visit card with one visit redeemed (active, 4
 * left) and a 3-visit card past its expiry after the expiry job (expired, 0 left); limit
 * cuts the list to the newest; a member without cards has none.
 */
static void test_cards(Harness *h)
{
	KassaClient *kc = it_cashier(h), *an = it_login(h, "HQ-OFFICE-1", 3001, "3333");
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	Kassa__V1__Response *r = NULL;
	char sku1[64], sku2[64], phone[32], exp1[40], exp2[40];
	int64_t member, plain, txn, c1, c2;

	it_fresh_name("S360A", sku1);
	it_fresh_name("S360B", sku2);
	if (kc == NULL || an == NULL || admin == NULL || !service(h, sku1, "按摩 Massage", 5) ||
	    !service(h, sku2, "洗车 Wash", 3))
		goto out;
	member = it_register(h, kc, "Member Cards 360", phone);
	plain = it_register(h, kc, "Member No Cards", phone);
	KcLine lines[2] = { { sku1, 1, false }, { sku2, 1, false } };
	KcTender cash = { CASH, 6000, NULL };
	if ((r = sell(kc, &(KcSale){ lines, 2, member, &cash, 1, 0, NULL, 0 }, "card sale")) == NULL)
		goto out;
	txn = r->transaction->txn_id;
	kc_response_free(r);
	r = NULL;
	c1 = line_card(h, txn, 1);
	c2 = line_card(h, txn, 2);
	if (!CHECK(c1 > 0 && c2 > 0, "two cards") ||
	    !CHECK(kc_card_redeem(kc, c1, member, 1, NULL, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK, "a visit of the first"))
		goto out;
	kc_response_free(r);
	r = NULL;
	if (!it_sqlf(h, "UPDATE count_cards SET expires_at = now() - interval '1 minute'"
		     " WHERE card_id = %lld", (long long)c2))
		goto out;
	if (!CHECK(kc_job_run(admin, "card_expire", NULL, &r) == KC_OK && r &&
		   kc_status(r) == ST_OK, "job run card_expire: %s", r ? kc_detail(r) : ""))
		goto out;
	kc_response_free(r);
	snprintf(exp1, sizeof(exp1), "%s", expiry_of(h, c1));
	snprintf(exp2, sizeof(exp2), "%s", expiry_of(h, c2));
	if ((r = profile(an, member, 0)) == NULL)
		goto out;
	{
		const Kassa__V1__MemberProfile *p = r->member_profile;
		const Kassa__V1__CountCard *newer = NULL, *older = NULL;

		if (CHECK(p->n_cards == 2, "two cards in the 360, got %zu", p->n_cards)) {
			newer = p->cards[0];
			older = p->cards[1];
			CHECK(newer->card_id > older->card_id, "newest first");
		}
		if (newer != NULL) {
			const Kassa__V1__CountCard *a = newer->card_id == c1 ? newer : older;
			const Kassa__V1__CountCard *b = newer->card_id == c1 ? older : newer;

			CHECK(exp1[0] != '\0' && card_is(a, c1, sku1, "按摩 Massage", 5, 4, "active", exp1),
			      "the massage card: %lld %s %d/%d %s %s", (long long)a->card_id, a->name,
			      a->remaining, a->visits, a->state, a->expires_at);
			CHECK(exp2[0] != '\0' && card_is(b, c2, sku2, "洗车 Wash", 3, 0, "expired", exp2),
			      "the wash card, expired by the job: %lld %s %d/%d %s %s",
			      (long long)b->card_id, b->name, b->remaining, b->visits, b->state,
			      b->expires_at);
		}
	}
	kc_response_free(r);
	if ((r = profile(an, member, 1)) != NULL)
		CHECK(r->member_profile->n_cards == 1 &&
		      r->member_profile->cards[0]->card_id == (c1 > c2 ? c1 : c2),
		      "limit 1: the newest card only");
	kc_response_free(r);
	if ((r = profile(an, plain, 0)) != NULL)
		CHECK(r->member_profile->n_cards == 0, "no cards, none listed");
out:
	kc_response_free(r);
	kc_free(admin);
	kc_free(an);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "profile", test_profile },
	{ "cards", test_cards },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

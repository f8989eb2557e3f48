/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_loyalty: the loyalty engine at the till, end to end. Guards the
 * golden cases of pricing (tier discount, order coupon, points redemption,
 * stored value, the points earned and their per-line allocation, all as
 * the till is told and as PostgreSQL stores them), that every loyalty
 * refusal is clear and writes nothing, that a tier upgrade applies from the
 * next sale, that a new rule version applies to the next sale, and that
 * points and a single-use coupon cannot be spent twice by tills racing.
 * After each test the members it touched keep the ledger invariants of
 * migrations/0003_loyalty.sql: balance = points ledger sum = open lots,
 * wallet = wallet ledger sum.
 *
 * Set-up goes straight into the database (products, tiers, points, stored
 * value, coupons) with names unique per run, so the suite can run again
 * against the same database.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "itest.h"

#define CASH KASSA__V1__TENDER_KIND__TENDER_CASH
#define STORED KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE
#define ST_OK KASSA__V1__STATUS_CODE__OK
#define ST_BAD KASSA__V1__STATUS_CODE__INVALID_ARGUMENT
#define ST_NOT_FOUND KASSA__V1__STATUS_CODE__NOT_FOUND
#define ST_PRECOND KASSA__V1__STATUS_CODE__FAILED_PRECONDITION

#define POINTS_RACERS 64
#define COUPON_RACERS 32
/* The racing tills' cashier (store BENCH), made by race_cashier(). */
#define RACE_STAFF 7901
#define RACE_PIN "4321"

/* ---- set-up straight into the database ---- */

/* A product at price_minor with a fresh SKU (kassad fetches unknown codes itself). */
static bool product(Harness *h, int64_t price_minor, char sku[64])
{
	it_fresh_name("LOY", sku);
	return it_sqlf(h, "INSERT INTO products (sku, name, price_minor)"
		       " VALUES ('%s', 'Loyalty %s', %lld)", sku, sku, (long long)price_minor);
}

/* A fixed-amount coupon of its own definition, held by member id; valid_to is SQL. */
static bool coupon(Harness *h, int64_t id, int64_t off_minor, int64_t min_spend_minor,
		   const char *valid_to, char code[64])
{
	it_fresh_name("CPN", code);
	return it_sqlf(h, "WITH d AS (INSERT INTO coupon_defs (name, kind, value_minor,"
		       " min_spend_minor, valid_to) VALUES ('itest %s', 'fixed', %lld, %lld, %s)"
		       " RETURNING def_id) INSERT INTO coupons (member_id, def_id, code)"
		       " SELECT %lld, def_id, '%s' FROM d", code, (long long)off_minor,
		       (long long)min_spend_minor, valid_to, (long long)id, code);
}

/* ---- sales ---- */

/* One checkout with the given key; NULL (and a failure) on a transport error. */
static Kassa__V1__Response *sell_key(KassaClient *kc, const KcSale *s, const char *key)
{
	Kassa__V1__Response *r = NULL;

	if (kc_checkout(kc, s, key, false, &r) != KC_OK) {
		CHECK(false, "checkout not answered: %s", kc_last_error(kc));
		kc_response_free(r);
		return NULL;
	}
	return r;
}

static Kassa__V1__Response *sell(KassaClient *kc, const KcSale *s)
{
	char key[KC_KEY_LEN];

	kc_new_key(key);
	return sell_key(kc, s, key);
}

/* The transaction of an OK answer, or NULL with a failure saying why not. */
static const Kassa__V1__Transaction *sold(const Kassa__V1__Response *r, const char *what)
{
	if (r == NULL)
		return NULL;
	if (!CHECK(kc_status(r) == ST_OK && r->body_case == KASSA__V1__RESPONSE__BODY_TRANSACTION,
		   "%s: expected OK, got %s/%s (%s)", what, kc_status_name(kc_status(r)),
		   kc_detail(r), kc_message(r)))
		return NULL;
	return r->transaction;
}

/* Everything a sale can write, as one line of text: equal before and after = nothing written. */
static void snapshot(Harness *h, char out[512])
{
	bool ok = harness_psql_scalar(h, "SELECT concat_ws(' ',"
		" (SELECT count(*) FROM transactions), (SELECT count(*) FROM transaction_lines),"
		" (SELECT count(*) FROM tenders), (SELECT count(*) FROM idempotency),"
		" (SELECT count(*) FROM points_ledger),"
		" (SELECT coalesce(sum(points_balance), 0) FROM members),"
		" (SELECT coalesce(sum(cumulative_spend_minor), 0) FROM members),"
		" (SELECT count(*) FROM members WHERE tier <> 'Regular'),"
		" (SELECT count(*) FROM points_lots), (SELECT coalesce(sum(remaining), 0) FROM points_lots),"
		" (SELECT count(*) FROM points_lot_moves), (SELECT count(*) FROM wallet_ledger),"
		" (SELECT coalesce(sum(balance_minor), 0) FROM wallets),"
		" (SELECT count(*) FROM coupons WHERE state <> 'issued'),"
		" (SELECT coalesce(sum(uses_total), 0) FROM coupon_defs))", out, 512);

	CHECK(ok, "snapshot of the sale tables");
}

/* One refused sale: status and detail as expected, nothing written. */
static void refused(Harness *h, KassaClient *kc, const char *what, const KcSale *s,
		    Kassa__V1__StatusCode code, const char *detail)
{
	char before[512], after[512];
	Kassa__V1__Response *r;

	snapshot(h, before);
	r = sell(kc, s);
	CHECK(r && kc_status(r) == code && strcmp(kc_detail(r), detail) == 0,
	      "%s: expected %s/%s, got %s/%s (%s)", what, kc_status_name(code), detail,
	      r ? kc_status_name(kc_status(r)) : "-", r ? kc_detail(r) : "-",
	      r ? kc_message(r) : "");
	snapshot(h, after);
	CHECK(strcmp(before, after) == 0, "%s: nothing written (before %s, after %s)", what, before,
	      after);
	kc_response_free(r);
}

/* ---- golden cases ---- */

/* Guards: 1 point per 10.00 paid, split over the lines by largest remainder and stored. */
static void test_regular_earn(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char apple[64], rice[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Regular", "Regular");
	if (id == 0 || !product(h, 1250, apple) || !product(h, 7500, rice))
		goto out;
	KcLine lines[] = { { apple, 2, false }, { rice, 1, false } };	/* 2 x 12.50 + 75.00 */
	KcTender cash[] = { { CASH, 10000, NULL } };

	r = sell(kc, &(KcSale){ lines, 2, id, cash, 1, 0, NULL, 0 });
	if ((t = sold(r, "regular sale")) == NULL)
		goto out;
	CHECK(t->total_minor == 10000 && t->gross_minor == 10000, "total 100.00, got %lld",
	      (long long)t->total_minor);
	CHECK(t->points_earned == 10 && t->points_balance == 10, "earns 10, balance 10; got %lld, %lld",
	      (long long)t->points_earned, (long long)t->points_balance);
	CHECK(strcmp(t->tier, "Regular") == 0 && t->tier_saving_minor == 0, "Regular: no discount");
	if (CHECK(t->n_lines == 2, "two lines")) {
		/* 2.5 and 7.5: the tie goes to the larger line */
		CHECK(t->lines[0]->points_earned == 2 && t->lines[1]->points_earned == 8,
		      "line points 2 and 8, got %lld and %lld",
		      (long long)t->lines[0]->points_earned, (long long)t->lines[1]->points_earned);
		CHECK(t->lines[0]->net_minor == 2500 && t->lines[1]->net_minor == 7500, "line nets");
	}
	CHECK(it_sql_int(h, "SELECT points_earned FROM transaction_lines WHERE txn_id = %lld"
			 " AND line_no = 1", (long long)t->txn_id) == 2 &&
	      it_sql_int(h, "SELECT points_earned FROM transaction_lines WHERE txn_id = %lld"
			 " AND line_no = 2", (long long)t->txn_id) == 8,
	      "transaction_lines store the points 2 and 8");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_lots WHERE member_id = %lld AND txn_id = %lld"
			 " AND source = 'earn' AND points = 10 AND remaining = 10",
			 (long long)id, (long long)t->txn_id) == 1, "the 10 points are one lot");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: Silver takes 10% off per line, half up, and earns on what was paid. */
static void test_silver_discount(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char sku[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Silver", "Silver");
	if (id == 0 || !product(h, 33333, sku))
		goto out;
	KcLine lines[] = { { sku, 1, false } };
	KcTender cash[] = { { CASH, 30000, NULL } };

	r = sell(kc, &(KcSale){ lines, 1, id, cash, 1, 0, NULL, 0 });
	if ((t = sold(r, "Silver sale")) == NULL)
		goto out;
	CHECK(t->gross_minor == 33333 && t->tier_saving_minor == 3333 && t->total_minor == 30000,
	      "333.33 less 33.33 is 300.00; got gross %lld, saving %lld, total %lld",
	      (long long)t->gross_minor, (long long)t->tier_saving_minor, (long long)t->total_minor);
	CHECK(strcmp(t->tier, "Silver") == 0 && strcmp(t->tier_after, "Silver") == 0,
	      "priced as Silver, still Silver; got %s -> %s", t->tier, t->tier_after);
	CHECK(t->points_earned == 30, "earns 30 on 300.00, got %lld", (long long)t->points_earned);
	CHECK(t->n_lines == 1 && t->lines[0]->tier_off_minor == 3333 &&
	      t->lines[0]->net_minor == 30000, "the line carries the discount");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld AND tier = 'Silver'"
			 " AND gross_minor = 33333 AND tier_off_minor = 3333 AND total_minor = 30000",
			 (long long)t->txn_id) == 1, "transactions row stores the discount");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transaction_lines WHERE txn_id = %lld"
			 " AND tier_off_minor = 3333 AND net_minor = 30000 AND points_earned = 30",
			 (long long)t->txn_id) == 1, "transaction_lines stores the allocation");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: points pay after the tier discount, drawn from their lot and named in the moves. */
static void test_gold_redeem(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char big[64], small[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id, lot;
	long long txn;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Gold", "Gold");
	if (id == 0 || !it_give_points(h, id, 250, 365) || !product(h, 15000, big) ||
	    !product(h, 5000, small))
		goto out;
	lot = it_sql_int(h, "SELECT lot_id FROM points_lots WHERE member_id = %lld AND source = 'adjust'",
			 (long long)id);
	KcLine lines[] = { { big, 1, false }, { small, 1, false } };	/* 200.00 */
	KcTender cash[] = { { CASH, 14000, NULL } };

	r = sell(kc, &(KcSale){ lines, 2, id, cash, 1, 200, NULL, 0 });
	if ((t = sold(r, "Gold sale with 200 points")) == NULL)
		goto out;
	txn = (long long)t->txn_id;
	CHECK(t->gross_minor == 20000 && t->tier_saving_minor == 4000, "Gold saves 40.00 of 200.00");
	CHECK(t->points_redeemed == 200 && t->points_value_minor == 2000,
	      "200 points are worth 20.00; got %lld worth %lld", (long long)t->points_redeemed,
	      (long long)t->points_value_minor);
	CHECK(t->total_minor == 14000, "160.00 - 20.00 = 140.00, got %lld", (long long)t->total_minor);
	CHECK(t->points_earned == 14 && t->points_balance == 64,
	      "earns 14, balance 250 - 200 + 14 = 64; got %lld, %lld",
	      (long long)t->points_earned, (long long)t->points_balance);
	if (CHECK(t->n_lines == 2, "two lines")) {
		/* nets after tier 120.00 / 40.00: points 15.00 / 5.00, earn 10.5 / 3.5 -> 11 / 3 */
		CHECK(t->lines[0]->tier_off_minor == 3000 && t->lines[1]->tier_off_minor == 1000,
		      "tier discount per line");
		CHECK(t->lines[0]->points_off_minor == 1500 && t->lines[1]->points_off_minor == 500,
		      "points value split 15.00 / 5.00, got %lld / %lld",
		      (long long)t->lines[0]->points_off_minor, (long long)t->lines[1]->points_off_minor);
		CHECK(t->lines[0]->net_minor == 10500 && t->lines[1]->net_minor == 3500, "line nets");
		CHECK(t->lines[0]->points_earned == 11 && t->lines[1]->points_earned == 3,
		      "earned split 11 / 3, got %lld / %lld", (long long)t->lines[0]->points_earned,
		      (long long)t->lines[1]->points_earned);
	}
	CHECK(it_sql_int(h, "SELECT remaining FROM points_lots WHERE member_id = %lld AND lot_id = %lld",
			 (long long)id, (long long)lot) == 50, "the 250 lot has 50 left");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_lots WHERE member_id = %lld AND txn_id = %lld"
			 " AND source = 'earn' AND points = 14 AND remaining = 14", (long long)id,
			 txn) == 1, "a new 14-point lot");
	CHECK(it_sql_int(h, "SELECT coalesce(sum(m.points), 0) FROM points_lot_moves m"
			 " JOIN points_ledger l USING (member_id, entry_id)"
			 " WHERE l.member_id = %lld AND l.txn_id = %lld AND l.kind = 'redeem'"
			 " AND l.points = -200 AND m.lot_id = %lld", (long long)id, txn,
			 (long long)lot) == 200, "points_lot_moves: 200 drawn from the lot");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld"
			 " AND points_redeemed = 200 AND points_value_minor = 2000", txn) == 1,
	      "transactions row stores the redemption");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: an order coupon after the tier discount, used once, its minimum after the discount. */
static void test_coupon(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char a[64], b[64], code[64], spare[64], high[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id;
	long long txn;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Coupon", "Silver");
	if (id == 0 || !product(h, 9000, a) || !product(h, 3000, b) ||
	    !coupon(h, id, 2000, 10000, "NULL", code) || !coupon(h, id, 500, 0, "NULL", spare) ||
	    !coupon(h, id, 2000, 11000, "NULL", high))
		goto out;
	KcLine lines[] = { { a, 1, false }, { b, 1, false } };	/* 120.00 */
	KcTender cash[] = { { CASH, 8800, NULL } };
	const char *use[] = { code };
	const char *use_high[] = { high };

	/* 108.00 after the tier discount does not reach 110.00 */
	refused(h, kc, "coupon minimum 110.00 on 108.00",
		&(KcSale){ lines, 2, id, cash, 1, 0, use_high, 1 }, ST_PRECOND, "COUPON_MIN_SPEND");

	r = sell(kc, &(KcSale){ lines, 2, id, cash, 1, 0, use, 1 });
	if ((t = sold(r, "sale with a 20.00 coupon")) == NULL)
		goto out;
	txn = (long long)t->txn_id;
	CHECK(t->tier_saving_minor == 1200 && t->coupon_off_minor == 2000 && t->total_minor == 8800,
	      "120.00 - 12.00 - 20.00 = 88.00; got saving %lld, coupon %lld, total %lld",
	      (long long)t->tier_saving_minor, (long long)t->coupon_off_minor,
	      (long long)t->total_minor);
	CHECK(t->points_earned == 8, "earns 8 on 88.00, got %lld", (long long)t->points_earned);
	CHECK(t->n_coupon_codes == 1 && strcmp(t->coupon_codes[0], code) == 0, "the coupon is named");
	if (CHECK(t->n_lines == 2, "two lines"))
		CHECK(t->lines[0]->coupon_off_minor == 1500 && t->lines[1]->coupon_off_minor == 500 &&
		      t->lines[0]->net_minor == 6600 && t->lines[1]->net_minor == 2200,
		      "coupon split 15.00 / 5.00 over nets 81.00 / 27.00");
	bool has_spare = false, has_used = false;

	for (size_t i = 0; i < t->n_usable_coupons; i++) {
		has_spare |= strcmp(t->usable_coupons[i]->code, spare) == 0;
		has_used |= strcmp(t->usable_coupons[i]->code, code) == 0;
	}
	CHECK(has_spare && !has_used, "the till is shown the spare coupon, not the used one");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE code = '%s' AND state = 'used'"
			 " AND used_txn = %lld AND used_at IS NOT NULL", code, txn) == 1,
	      "the coupon is used by this sale");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld"
			 " AND coupon_off_minor = 2000 AND coupon_codes = ARRAY['%s']", txn, code) == 1,
	      "transactions row stores the coupon");
	CHECK(it_sql_int(h, "SELECT count(*) FROM coupons WHERE code IN ('%s', '%s')"
			 " AND state = 'issued'", spare, high) == 2, "the other coupons are untouched");

	refused(h, kc, "the same coupon again", &(KcSale){ lines, 2, id, cash, 1, 0, use, 1 },
		ST_PRECOND, "COUPON_USED");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: stored value pays without earning and can never go below zero. */
static void test_stored_value(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char sku[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id, poor;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Wallet", "Regular");
	poor = it_register_tier(h, kc, "Loyalty No Wallet", "Regular");
	if (id == 0 || poor == 0 || !it_give_wallet(h, id, 5000) || !product(h, 8000, sku))
		goto out;
	KcLine lines[] = { { sku, 1, false } };			/* 80.00 */
	KcTender too_much[] = { { STORED, 6000, NULL }, { CASH, 2000, NULL } };
	KcTender split[] = { { STORED, 5000, NULL }, { CASH, 3000, NULL } };
	KcTender a_little[] = { { STORED, 100, NULL }, { CASH, 7900, NULL } };

	refused(h, kc, "60.00 from a 50.00 wallet", &(KcSale){ lines, 1, id, too_much, 2, 0, NULL, 0 },
		ST_PRECOND, "INSUFFICIENT_STORED_VALUE");
	refused(h, kc, "stored value without a wallet",
		&(KcSale){ lines, 1, poor, a_little, 2, 0, NULL, 0 }, ST_PRECOND,
		"INSUFFICIENT_STORED_VALUE");

	r = sell(kc, &(KcSale){ lines, 1, id, split, 2, 0, NULL, 0 });
	if ((t = sold(r, "50.00 stored value + 30.00 cash")) == NULL)
		goto out;
	CHECK(t->total_minor == 8000 && t->change_minor == 0, "total 80.00, no change");
	CHECK(t->points_earned == 3, "earns 3 on the 30.00 cash only, got %lld",
	      (long long)t->points_earned);
	CHECK(t->stored_value_paid_minor == 5000 && t->stored_value_balance_minor == 0,
	      "50.00 from the wallet, 0.00 left; got %lld, %lld",
	      (long long)t->stored_value_paid_minor, (long long)t->stored_value_balance_minor);
	CHECK(it_sql_int(h, "SELECT count(*) FROM wallet_ledger WHERE member_id = %lld AND kind = 'spend'"
			 " AND amount_minor = -5000 AND txn_id = %lld", (long long)id,
			 (long long)t->txn_id) == 1, "wallet_ledger has the -50.00 spend");
	CHECK(it_sql_int(h, "SELECT balance_minor FROM wallets WHERE member_id = %lld",
			 (long long)id) == 0, "the wallet is empty");
	CHECK(it_sql_int(h, "SELECT count(*) FROM tenders WHERE txn_id = %lld AND kind = 4"
			 " AND amount_minor = 5000", (long long)t->txn_id) == 1,
	      "the stored-value tender is recorded");

	refused(h, kc, "stored value from an empty wallet",
		&(KcSale){ lines, 1, id, a_little, 2, 0, NULL, 0 }, ST_PRECOND,
		"INSUFFICIENT_STORED_VALUE");
	it_check_ledgers(h, id);
	it_check_ledgers(h, poor);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* Guards: every loyalty misuse is refused with its own detail and writes nothing. */
static void test_refusals(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char big[64], small[64], expired[64], foreign[64];
	int64_t id, other;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Refused", "Regular");
	other = it_register_tier(h, kc, "Loyalty Other", "Regular");
	if (id == 0 || other == 0 || !it_give_points(h, id, 250, 365) || !product(h, 20000, big) ||
	    !product(h, 2000, small) || !coupon(h, id, 500, 0, "current_date - 1", expired) ||
	    !coupon(h, other, 500, 0, "NULL", foreign))
		goto out;
	KcLine lines_big[] = { { big, 1, false } };		/* 200.00 */
	KcLine lines_small[] = { { small, 1, false } };		/* 20.00 */
	KcTender cash_big[] = { { CASH, 20000, NULL } };
	KcTender cash_small[] = { { CASH, 2000, NULL } };
	KcTender stored[] = { { STORED, 2000, NULL } };
	const char *unknown[] = { "NO-SUCH-COUPON-CODE" };
	const char *use_expired[] = { expired };
	const char *use_foreign[] = { foreign };

	refused(h, kc, "150 points", &(KcSale){ lines_big, 1, id, cash_big, 1, 150, NULL, 0 },
		ST_BAD, "POINTS_NOT_STEPS");
	/* 200 points are 20.00, over half of 20.00 */
	refused(h, kc, "points over half the sale",
		&(KcSale){ lines_small, 1, id, cash_small, 1, 200, NULL, 0 }, ST_PRECOND,
		"POINTS_OVER_CAP");
	refused(h, kc, "300 of 250 points", &(KcSale){ lines_big, 1, id, cash_big, 1, 300, NULL, 0 },
		ST_PRECOND, "INSUFFICIENT_POINTS");
	refused(h, kc, "anonymous points",
		&(KcSale){ lines_big, 1, 0, cash_big, 1, 100, NULL, 0 }, ST_BAD, "MEMBER_REQUIRED");
	refused(h, kc, "anonymous coupon",
		&(KcSale){ lines_big, 1, 0, cash_big, 1, 0, use_expired, 1 }, ST_BAD,
		"MEMBER_REQUIRED");
	refused(h, kc, "anonymous stored value",
		&(KcSale){ lines_small, 1, 0, stored, 1, 0, NULL, 0 }, ST_BAD, "MEMBER_REQUIRED");
	refused(h, kc, "unknown coupon", &(KcSale){ lines_big, 1, id, cash_big, 1, 0, unknown, 1 },
		ST_NOT_FOUND, "COUPON_NOT_FOUND");
	refused(h, kc, "another member's coupon",
		&(KcSale){ lines_big, 1, id, cash_big, 1, 0, use_foreign, 1 }, ST_NOT_FOUND,
		"COUPON_NOT_FOUND");
	refused(h, kc, "expired coupon",
		&(KcSale){ lines_big, 1, id, cash_big, 1, 0, use_expired, 1 }, ST_PRECOND,
		"COUPON_EXPIRED");
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) == 250, "the 250 points are all still there");
	it_check_ledgers(h, id);
	it_check_ledgers(h, other);
out:
	kc_free(kc);
}

/* Guards: crossing 2,000.00 makes a member Silver at once, with the discount from the next sale. */
static void test_tier_upgrade(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char big[64], small[64];
	Kassa__V1__Response *r = NULL, *next = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Upgrade", "Regular");
	if (id == 0 || !product(h, 205000, big) || !product(h, 10000, small))
		goto out;
	KcLine lines_big[] = { { big, 1, false } };		/* 2,050.00 */
	KcLine lines_small[] = { { small, 1, false } };		/* 100.00 */
	KcTender cash_big[] = { { CASH, 205000, NULL } };
	KcTender cash_small[] = { { CASH, 10000, NULL } };

	r = sell(kc, &(KcSale){ lines_big, 1, id, cash_big, 1, 0, NULL, 0 });
	if ((t = sold(r, "the sale that crosses 2,000.00")) == NULL)
		goto out;
	CHECK(strcmp(t->tier, "Regular") == 0 && t->tier_saving_minor == 0 &&
	      t->total_minor == 205000, "priced as Regular, without discount; got %s, %lld off",
	      t->tier, (long long)t->tier_saving_minor);
	CHECK(strcmp(t->tier_after, "Silver") == 0, "the answer says Silver now, got \"%s\"",
	      t->tier_after);
	CHECK(t->points_earned == 205, "earns 205, got %lld", (long long)t->points_earned);
	CHECK(it_sql_int(h, "SELECT count(*) FROM members WHERE member_id = %lld AND tier = 'Silver'",
			 (long long)id) == 1, "members.tier is Silver");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE txn_id = %lld AND tier = 'Regular'"
			 " AND tier_after = 'Silver'", (long long)t->txn_id) == 1,
	      "transactions row stores Regular -> Silver");

	next = sell(kc, &(KcSale){ lines_small, 1, id, cash_small, 1, 0, NULL, 0 });
	if ((t = sold(next, "the next sale")) != NULL)
		CHECK(strcmp(t->tier, "Silver") == 0 && t->tier_saving_minor == 1000 &&
		      t->total_minor == 9000 && t->change_minor == 1000,
		      "the next sale is 10%% off: got %s, %lld off, total %lld", t->tier,
		      (long long)t->tier_saving_minor, (long long)t->total_minor);
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_response_free(next);
	kc_free(kc);
}

/* Guards: a new rule version prices the very next sale, anonymous or member, and is recorded. */
static void test_rule_change(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char sku[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id, v0;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Rules", "Silver");
	v0 = it_sql_int(h, "SELECT max(version) FROM rule_versions");
	if (id == 0 || v0 <= 0 || !product(h, 10000, sku))
		goto out;
	KcLine lines[] = { { sku, 1, false } };			/* 100.00 */
	KcTender cash[] = { { CASH, 10000, NULL } };
	KcSale anon = { lines, 1, 0, cash, 1, 0, NULL, 0 };
	KcSale silver = { lines, 1, id, cash, 1, 0, NULL, 0 };

	/* kassad has v0 loaded: price once with it */
	r = sell(kc, &silver);
	if ((t = sold(r, "Silver sale before the change")) != NULL)
		CHECK(t->rule_version == v0 && t->tier_saving_minor == 1000,
		      "version %lld, 10%% off; got version %d, %lld off", (long long)v0,
		      t->rule_version, (long long)t->tier_saving_minor);
	kc_response_free(r);
	r = NULL;

	if (!it_sqlf(h, "INSERT INTO rule_versions (version, note, config)"
		     " SELECT version + 1, 'itest loyalty: Silver 15%%',"
		     " jsonb_set(config, '{tiers,1,discount_bp}', '1500') FROM rule_versions"
		     " WHERE version = %lld AND config #>> '{tiers,1,name}' = 'Silver'",
		     (long long)v0) ||
	    !CHECK(it_sql_int(h, "SELECT max(version) FROM rule_versions") == v0 + 1,
		   "rule version %lld inserted", (long long)v0 + 1))
		goto out;

	/* an anonymous sale reads no member: kassad learns of it from STALE_PRICING */
	r = sell(kc, &anon);
	if ((t = sold(r, "anonymous sale after the change")) != NULL)
		CHECK(t->rule_version == v0 + 1 && t->total_minor == 10000,
		      "anonymous sale priced with version %lld, got %d", (long long)v0 + 1,
		      t->rule_version);
	kc_response_free(r);
	r = NULL;

	r = sell(kc, &silver);
	if ((t = sold(r, "Silver sale after the change")) != NULL) {
		CHECK(t->rule_version == v0 + 1, "priced with version %lld, got %d",
		      (long long)v0 + 1, t->rule_version);
		CHECK(t->tier_saving_minor == 1500 && t->total_minor == 8500,
		      "Silver is now 15%% off: got %lld off, total %lld",
		      (long long)t->tier_saving_minor, (long long)t->total_minor);
		CHECK(it_sql_int(h, "SELECT rule_version FROM transactions WHERE txn_id = %lld",
				 (long long)t->txn_id) == v0 + 1, "transactions.rule_version stored");
	}
	kc_response_free(r);
	r = NULL;

	/* later tests expect the defaults: a newer version with the old config */
	if (it_sqlf(h, "INSERT INTO rule_versions (version, note, config)"
		    " SELECT %lld, 'itest loyalty: restore version %lld', config FROM rule_versions"
		    " WHERE version = %lld", (long long)v0 + 2, (long long)v0, (long long)v0)) {
		r = sell(kc, &silver);
		if ((t = sold(r, "Silver sale after the restore")) != NULL)
			CHECK(t->rule_version == v0 + 2 && t->tier_saving_minor == 1000,
			      "10%% again under version %lld; got version %d, %lld off",
			      (long long)v0 + 2, t->rule_version, (long long)t->tier_saving_minor);
	}
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

/* ---- races: real connections, all sending at once ---- */

/*
 * The cashier of store BENCH who logs the racers in. Seeded staff have PIN
 * hashes of interactive cost (about 0.4 s of a kassad worker each, with the
 * two workers of the test kassad): 96 logins would take most of a minute.
 * This one's hash has the least cost libsodium allows, so the races measure
 * checkout, not argon2id. Written again on every run (the same row).
 */
static bool race_cashier(Harness *h)
{
	char hash[crypto_pwhash_STRBYTES];

	if (!CHECK(sodium_init() >= 0 &&
		   crypto_pwhash_str(hash, RACE_PIN, strlen(RACE_PIN), crypto_pwhash_OPSLIMIT_MIN,
				     crypto_pwhash_MEMLIMIT_MIN) == 0, "hash the racers' PIN"))
		return false;
	return it_sqlf(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
		       " SELECT %d, store_id, 'Loyalty race cashier', 'cashier', '%s' FROM stores"
		       " WHERE code = 'BENCH'"
		       " ON CONFLICT (staff_id) DO UPDATE SET pin_hash = EXCLUDED.pin_hash,"
		       " active = true",
		       RACE_STAFF, hash);
}

typedef struct Racer {
	Harness h;			/* a copy: harness_cert() is not thread-safe */
	const KcSale *sale;
	pthread_barrier_t *start;
	KassaClient *kc;
	Kassa__V1__Response *resp;	/* owned */
} Racer;

static void *racer_main(void *arg)
{
	Racer *rc = arg;
	char key[KC_KEY_LEN];

	/* the test environment has a certificate for BENCH-1 only: one till, many connections */
	rc->kc = it_login(&rc->h, "BENCH-1", RACE_STAFF, RACE_PIN);
	kc_new_key(key);
	pthread_barrier_wait(rc->start);
	if (rc->kc && kc_checkout(rc->kc, rc->sale, key, false, &rc->resp) != KC_OK)
		rc->resp = NULL;
	return NULL;
}

/* Run n racers of sale; rc[i].resp holds each answer. */
static void race(Harness *h, Racer *rc, int n, const KcSale *sale)
{
	pthread_t th[POINTS_RACERS];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		rc[i] = (Racer){ *h, sale, &start, NULL, NULL };
		pthread_create(&th[i], NULL, racer_main, &rc[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}

static void race_free(Racer *rc, int n)
{
	for (int i = 0; i < n; i++) {
		kc_response_free(rc[i].resp);
		kc_free(rc[i].kc);
	}
}

/* Guards: 64 tills redeeming 100 of 1,000 points at once: exactly 10 get them. */
static void test_race_points(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Racer rc[POINTS_RACERS];
	char sku[64];
	int ok = 0, short_points = 0, other = 0;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Points Race", "Regular");
	kc_free(kc);
	if (id == 0 || !it_give_points(h, id, 1000, 365) || !product(h, 2000, sku) ||
	    !race_cashier(h))
		return;
	KcLine lines[] = { { sku, 1, false } };			/* 20.00 */
	KcTender cash[] = { { CASH, 1000, NULL } };		/* 10.00 of it in points */
	KcSale s = { lines, 1, id, cash, 1, 100, NULL, 0 };

	race(h, rc, POINTS_RACERS, &s);
	for (int i = 0; i < POINTS_RACERS; i++) {
		Kassa__V1__Response *r = rc[i].resp;

		if (r && kc_status(r) == ST_OK) {
			ok++;
			CHECK(r->transaction->points_redeemed == 100 &&
			      r->transaction->points_earned == 1 && r->transaction->total_minor == 1000,
			      "racer %d: 100 points in, 1 point out, 10.00 paid", i);
		} else if (r && kc_status(r) == ST_PRECOND &&
			   strcmp(kc_detail(r), "INSUFFICIENT_POINTS") == 0) {
			short_points++;
		} else {
			other++;
			CHECK(false, "racer %d: expected OK or INSUFFICIENT_POINTS, got %s/%s (%s)", i,
			      r ? kc_status_name(kc_status(r)) : "no answer", r ? kc_detail(r) : "-",
			      r ? kc_message(r) : (rc[i].kc ? kc_last_error(rc[i].kc) : "no login"));
		}
	}
	CHECK(ok == 10 && short_points == POINTS_RACERS - 10,
	      "10 succeed and %d are refused; got %d, %d (%d other)", POINTS_RACERS - 10, ok,
	      short_points, other);
	CHECK(it_sql_int(h, "SELECT points_balance FROM members WHERE member_id = %lld",
			 (long long)id) == 10, "balance 1,000 - 10 x 100 + 10 x 1 = 10");
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 10, "exactly 10 transactions");
	CHECK(it_sql_int(h, "SELECT count(*) FROM points_ledger WHERE member_id = %lld"
			 " AND kind = 'redeem' AND points = -100", (long long)id) == 10,
	      "exactly 10 redemptions in the ledger");
	CHECK(it_sql_int(h, "SELECT coalesce(sum(points), 0) FROM points_lot_moves WHERE member_id = %lld",
			 (long long)id) == 1000, "1,000 points drawn from lots");
	it_check_ledgers(h, id);
	race_free(rc, POINTS_RACERS);
}

/* Guards: one single-use coupon presented by 32 tills at once is used exactly once. */
static void test_race_coupon(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	Racer rc[COUPON_RACERS];
	char sku[64], code[64];
	int ok = 0, used = 0, other = 0;
	int64_t id, txn = 0;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Coupon Race", "Regular");
	kc_free(kc);
	if (id == 0 || !product(h, 2000, sku) || !coupon(h, id, 500, 0, "NULL", code) ||
	    !race_cashier(h))
		return;
	KcLine lines[] = { { sku, 1, false } };			/* 20.00 */
	KcTender cash[] = { { CASH, 1500, NULL } };		/* 5.00 off */
	const char *use[] = { code };
	KcSale s = { lines, 1, id, cash, 1, 0, use, 1 };

	race(h, rc, COUPON_RACERS, &s);
	for (int i = 0; i < COUPON_RACERS; i++) {
		Kassa__V1__Response *r = rc[i].resp;

		if (r && kc_status(r) == ST_OK) {
			ok++;
			txn = r->transaction->txn_id;
			CHECK(r->transaction->coupon_off_minor == 500 && r->transaction->total_minor == 1500,
			      "racer %d: 5.00 off", i);
		} else if (r && kc_status(r) == ST_PRECOND &&
			   strcmp(kc_detail(r), "COUPON_USED") == 0) {
			used++;
		} else {
			other++;
			CHECK(false, "racer %d: expected OK or COUPON_USED, got %s/%s (%s)", i,
			      r ? kc_status_name(kc_status(r)) : "no answer", r ? kc_detail(r) : "-",
			      r ? kc_message(r) : (rc[i].kc ? kc_last_error(rc[i].kc) : "no login"));
		}
	}
	CHECK(ok == 1 && used == COUPON_RACERS - 1, "1 succeeds and %d get COUPON_USED; got %d, %d"
	      " (%d other)", COUPON_RACERS - 1, ok, used, other);
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1, "exactly one transaction");
	CHECK(it_sql_int(h, "SELECT used_txn FROM coupons WHERE code = '%s' AND state = 'used'",
			 code) == txn && txn > 0, "the coupon names the one successful sale");
	it_check_ledgers(h, id);
	race_free(rc, COUPON_RACERS);
}

/* The business day of S001, where it_cashier() sells (stores.timezone). */
#define S001_DAY "(now() AT TIME ZONE (SELECT timezone FROM stores WHERE code = 'S001'))::date"

/*
 * Guards: the day's multipliers. A campaign doubles points today and a
 * birthday triples them; by default the largest wins, and the multiplier is
 * applied before the floor: 15.00 earns 1 point plain, 3 in the campaign
 * (not 2), 4 on the member's birthday.
 */
static void test_multipliers(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char sku[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t plain, bday, v0;

	if (kc == NULL)
		return;
	plain = it_register_tier(h, kc, "Loyalty Campaign", "Regular");
	bday = it_register_tier(h, kc, "Loyalty Birthday", "Regular");
	v0 = it_sql_int(h, "SELECT max(version) FROM rule_versions");
	if (plain == 0 || bday == 0 || v0 <= 0 || !product(h, 1500, sku) ||
	    !it_sqlf(h, "UPDATE members SET birthday = make_date(2000,"
		     " extract(month FROM " S001_DAY ")::integer,"
		     " extract(day FROM " S001_DAY ")::integer)"
		     " WHERE member_id = %lld", (long long)bday))
		goto out;
	KcLine lines[] = { { sku, 1, false } };
	KcTender cash[] = { { CASH, 1500, NULL } };

	r = sell(kc, &(KcSale){ lines, 1, plain, cash, 1, 0, NULL, 0 });
	if ((t = sold(r, "plain sale")) != NULL)
		CHECK(t->points_earned == 1, "15.00 earns 1 point; got %lld",
		      (long long)t->points_earned);
	kc_response_free(r);
	r = NULL;
	if (!it_sqlf(h, "INSERT INTO rule_versions (version, note, config)"
		     " SELECT version + 1, 'itest loyalty: campaign 2x, birthday 3x',"
		     " jsonb_set(jsonb_set(jsonb_set(config, '{multipliers,campaigns}',"
		     " jsonb_build_array(jsonb_build_object("
		     " 'from', to_char(" S001_DAY ", 'YYYY-MM-DD'),"
		     " 'to', to_char(" S001_DAY ", 'YYYY-MM-DD'), 'x100', 200))),"
		     " '{multipliers,birthday}', '\"day\"'), '{multipliers,birthday_x100}', '300')"
		     " FROM rule_versions WHERE version = %lld", (long long)v0))
		goto out;
	r = sell(kc, &(KcSale){ lines, 1, plain, cash, 1, 0, NULL, 0 });
	if ((t = sold(r, "campaign sale")) != NULL)
		CHECK(t->points_earned == 3 && t->rule_version == v0 + 1,
		      "2x before the floor: 3 points; got %lld", (long long)t->points_earned);
	kc_response_free(r);
	r = sell(kc, &(KcSale){ lines, 1, bday, cash, 1, 0, NULL, 0 });
	if ((t = sold(r, "birthday sale")) != NULL)
		CHECK(t->points_earned == 4, "birthday 3x beats the campaign's 2x: 4 points;"
		      " got %lld", (long long)t->points_earned);
	kc_response_free(r);
	r = NULL;
	/* later tests expect the defaults: a newer version with the old config */
	(void)it_sqlf(h, "INSERT INTO rule_versions (version, note, config) SELECT %lld,"
		      " 'itest loyalty: restore version %lld', config FROM rule_versions"
		      " WHERE version = %lld", (long long)v0 + 2, (long long)v0, (long long)v0);
	it_check_ledgers(h, plain);
	it_check_ledgers(h, bday);
out:
	kc_response_free(r);
	kc_free(kc);
}

/*
 * Guards: a till retrying a loyalty sale whose answer it lost (same key, same
 * body) gets the first answer again, although the points, the coupon and the
 * stored value it spent are gone now; nothing is written twice.
 */
static void test_retry_spent(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char sku[64], code[64], key[KC_KEY_LEN], before[512], after[512];
	Kassa__V1__Response *first = NULL, *again = NULL;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Retry", "Gold");
	if (id == 0 || !it_give_points(h, id, 200, 365) || !it_give_wallet(h, id, 5000) ||
	    !product(h, 20000, sku) || !coupon(h, id, 1000, 0, "NULL", code))
		goto out;
	/* 200.00, Gold 160.00, coupon 150.00, points 130.00 */
	KcLine lines[] = { { sku, 1, false } };
	KcTender pay[] = { { STORED, 5000, NULL }, { CASH, 8000, NULL } };
	const char *codes[] = { code };
	KcSale sale = { lines, 1, id, pay, 2, 200, codes, 1 };

	kc_new_key(key);
	first = sell_key(kc, &sale, key);
	if (sold(first, "sale spending points, a coupon and stored value") == NULL)
		goto out;
	CHECK(first->transaction->total_minor == 13000, "200.00 - 40.00 - 10.00 - 20.00 = 130.00,"
	      " got %lld", (long long)first->transaction->total_minor);
	snapshot(h, before);
	again = sell_key(kc, &sale, key);
	CHECK(again != NULL && kc_status(again) == ST_OK && it_same_response(first, again),
	      "the retry answers the first sale: got %s/%s",
	      again ? kc_status_name(kc_status(again)) : "-", again ? kc_detail(again) : "-");
	snapshot(h, after);
	CHECK(strcmp(before, after) == 0, "the retry writes nothing (before %s, after %s)", before,
	      after);
	it_check_ledgers(h, id);
out:
	kc_response_free(first);
	kc_response_free(again);
	kc_free(kc);
}

/*
 * Guards: a gift from the catalogue costs its points, is recorded at price 0,
 * takes one from the stock, and is refused when the stock is gone.
 */
static void test_gift(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	char gift[64], sku[64];
	Kassa__V1__Response *r = NULL;
	const Kassa__V1__Transaction *t;
	int64_t id;

	if (kc == NULL)
		return;
	id = it_register_tier(h, kc, "Loyalty Gift", "Regular");
	if (id == 0 || !it_give_points(h, id, 700, 365) || !product(h, 3000, gift) ||
	    !product(h, 2000, sku) ||
	    !it_sqlf(h, "INSERT INTO gift_items (product_id, points_cost, stock)"
		     " SELECT product_id, 300, 1 FROM products WHERE sku = '%s'", gift))
		goto out;
	/* built by hand: SaleLine.gift set on the wire directly */
	Kassa__V1__SaleLine gl = KASSA__V1__SALE_LINE__INIT;
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;
	Kassa__V1__SaleLine pl = KASSA__V1__SALE_LINE__INIT, *lp[2] = { &gl, &pl };
	Kassa__V1__Tender td = KASSA__V1__TENDER__INIT, *tp = &td;
	char key[KC_KEY_LEN];

	gl.code = gift;
	gl.quantity = 1;
	gl.gift = true;
	pl.code = sku;
	pl.quantity = 1;
	td.kind = CASH;
	td.amount_minor = 2000;
	td.reference = "";
	co.n_lines = 2;
	co.lines = lp;
	co.member_id = id;
	co.n_tenders = 1;
	co.tenders = &tp;
	req.body_case = KASSA__V1__REQUEST__BODY_CHECKOUT;
	req.checkout = &co;
	kc_new_key(key);
	req.idempotency_key = key;
	if (!CHECK(kc_call(kc, &req, &r) == KC_OK, "gift sale answered: %s", kc_last_error(kc)) ||
	    (t = sold(r, "a gift and a paid line")) == NULL)
		goto out;
	CHECK(t->total_minor == 2000 && t->gross_minor == 2000, "the gift costs no money");
	CHECK(t->gift_points == 300 && t->n_lines == 2 && t->lines[0]->unit_price_minor == 0 &&
	      t->lines[0]->gift_points == 300, "the gift line is at price 0 and costs 300 points");
	CHECK(t->points_earned == 2 && t->points_balance == 700 - 300 + 2,
	      "earns 2 on 20.00 paid; balance 402, got %lld", (long long)t->points_balance);
	CHECK(it_sql_int(h, "SELECT stock FROM gift_items g JOIN products p USING (product_id)"
			 " WHERE p.sku = '%s'", gift) == 0, "the stock went from 1 to 0");
	kc_response_free(r);
	r = NULL;
	kc_new_key(key);
	req.idempotency_key = key;
	if (CHECK(kc_call(kc, &req, &r) == KC_OK, "second gift sale answered"))
		CHECK(kc_status(r) == ST_PRECOND && strcmp(kc_detail(r), "GIFT_UNAVAILABLE") == 0,
		      "no stock left: got %s/%s", kc_status_name(kc_status(r)), kc_detail(r));
	CHECK(it_sql_int(h, "SELECT count(*) FROM transactions WHERE member_id = %lld",
			 (long long)id) == 1, "the refused gift sale wrote nothing");
	it_check_ledgers(h, id);
out:
	kc_response_free(r);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "regular_earn", test_regular_earn },
	{ "silver_discount", test_silver_discount },
	{ "gold_redeem", test_gold_redeem },
	{ "coupon", test_coupon },
	{ "stored_value", test_stored_value },
	{ "refusals", test_refusals },
	{ "tier_upgrade", test_tier_upgrade },
	{ "rule_change", test_rule_change },
	{ "multipliers", test_multipliers },
	{ "retry_spent", test_retry_spent },
	{ "gift", test_gift },
	{ "race_points", test_race_points },
	{ "race_coupon", test_race_coupon },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checkout.c: a sale, exactly once, priced by the loyalty rules.
 *
 *   1. check the request (lines, quantities, tenders, points, coupons, key);
 *   2. for a member's sale, read what pricing needs in one quick statement
 *      of plain rows (kassa_member_pricing: tier, points and wallet
 *      balances, birthday, the coupons presented or usable today, the gift
 *      entries asked for, the rule version in force, what the key names);
 *      load the rule set if kassad's copy is older;
 *   3. price every line from the catalogue cache (codes not cached are
 *      fetched in one query first; a gift line is priced 0 and costs its
 *      gift-catalogue points), then apply rules.c: tier discount per
 *      line, item coupons, the order coupon, points; settle the tenders
 *      (change only from cash, at most [checkout] max_cash_change) and
 *      compute the points earned with the multiplier of the day;
 *   4. call kassa_checkout() (migrations/functions/checkout.sql) as one
 *      prepared statement: under the member's row lock it re-checks the
 *      prices, the rule version, the tier, the points balance, each coupon
 *      and the wallet, then writes the sale with its per-line allocation,
 *      the ledgers, lots, coupon uses and a tier upgrade in one transaction,
 *      and returns one row of what only it knows (ids, balances after, the
 *      coupons usable now);
 *   5. answer with the Transaction built from the sale as priced plus that
 *      row (checkout_answer(), which also answers quotes). No JSON is built
 *      or parsed on this path.
 *
 * The day is the store's (checkout_till.c). A failed guard writes nothing.
 * PRICE_CHANGED (a cached price is stale), STORE_DAY_CHANGED (that day)
 * and STALE_PRICING (the rule set or the member's tier moved since step 2)
 * price it again, at most CHECKOUT_MAX_ATTEMPTS times in all;
 * INSUFFICIENT_POINTS, COUPON_USED and the like go to the till. A
 * retried request (same idempotency key, same body) is answered from the
 * first sale's rows (kassa_checkout_answer(), the same values, so the
 * answer is byte-identical): a cold path, taken only by retries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "checkout_till.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "rates.h"
#include "rules.h"
#include "rules_coupons.h"
#include "rules_earn.h"
#include "rules_tier.h"
#include "ruleset_cache.h"
#include "core.h"
#include "loyalty.h"
#include "sqltext.h"
#include "tender_json.h"

#define CHECKOUT_MAX_TENDERS 16
#define CHECKOUT_CODE_MAX 64
#define CHECKOUT_MAX_COUPONS 8
#define CHECKOUT_MAX_ATTEMPTS 5
#define CHECKOUT_MAX_POINTS 1000000000000LL
#define CHECKOUT_MAX_GIFTS 32		/* distinct gift products on one sale */

_Static_assert(RULES_COUPON_FIXED == KASSA__V1__COUPON_KIND__COUPON_FIXED &&
	       RULES_COUPON_PERCENT == KASSA__V1__COUPON_KIND__COUPON_PERCENT &&
	       RULES_COUPON_FREE_ITEM == KASSA__V1__COUPON_KIND__COUPON_FREE_ITEM,
	       "rules_coupons.h numbers coupon kinds as the protocol does");

static int st_products;
static int st_pricing;
static int st_key;
static int st_answer;
static int st_checkout;
static int st_window;

void checkout_setup(void)
{
	rates_setup();		/* the rate versions foreign tenders convert with */
	store_day_setup();	/* the stores' business days */
	st_products = db_stmt_add("products_by_codes",
		"SELECT " CATALOG_COLUMNS " FROM products"
		" WHERE active AND (sku = ANY($1::text[]) OR barcode = ANY($1::text[]))"
		/* SKU matches last: put last wins a code that is one's SKU, another's barcode */
		" ORDER BY sku = ANY($1::text[])", DB_LANE_WORK);
	/* plain rows, no JSON: see kassa_member_pricing() in migrations/functions/checkout.sql */
	st_pricing = db_stmt_add("member_pricing",
		"SELECT * FROM kassa_member_pricing($1, $2, $3::text[], $4::text[], $5, $6, $7::bytea)",
		DB_LANE_QUICK);
	/* what an idempotency key names: 1 this sale (replay), 2 another request */
	st_key = db_stmt_add("checkout_key",
		"SELECT CASE WHEN kind = 'checkout' AND request_hash = $3::bytea THEN 1 ELSE 2 END,"
		" result_id FROM idempotency WHERE till_id = $1 AND key = $2", DB_LANE_QUICK);
	/* a retry's answer, from the first sale's rows (rare: not the hot path) */
	st_answer = db_stmt_add("checkout_answer", "SELECT kassa_checkout_answer($1, $2)",
				DB_LANE_QUICK);
	st_checkout = db_stmt_add("checkout",
		"SELECT * FROM kassa_checkout($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
		" $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,"
		" $27, $28, $29, $30, $31, $32)",
		DB_LANE_WORK);
	/* the rolling window's tier basis, read only when a sale may reach the next tier */
	st_window = db_stmt_add("tier_window", "SELECT kassa_tier_basis($1, $2, $3)",
				DB_LANE_QUICK);
}

#define CHECKOUT_MAX_KNOWN 32	/* coupons of a member step 2 keeps for the answer */
#define COUPON_NAME_BYTES 404	/* 100 characters of UTF-8, and the NUL */

/* A coupon of the member, as step 2 read it. */
typedef struct CheckoutCoupon {
	char code[CHECKOUT_CODE_MAX + 1];
	char name[COUPON_NAME_BYTES];
	char item_sku[CHECKOUT_CODE_MAX + 1];	/* a free item's product */
	char valid_to[16];			/* "YYYY-MM-DD" or "" */
	int kind;			/* Kassa__V1__CouponKind */
	int64_t value, cap, min_spend, item_product_id;
	int32_t percent_bp;
	bool stackable;
	bool claim;			/* a claim code: claimed for the member by this sale */
} CheckoutCoupon;

/* A gift-catalogue entry of a product the sale asks for as a gift. */
typedef struct CheckoutGift {
	int64_t product_id;
	int64_t points_cost;		/* per unit */
} CheckoutGift;

/* What step 2 read about the member (Call.state). */
typedef struct CheckoutMember {
	char tier[RULESET_TIER_NAME_MAX];
	int64_t points_balance, wallet;
	int64_t cumulative_spend, points_earned;	/* all time: the tier's bases */
	int bday_month, bday_day;
	int32_t rule_version;		/* in force when read */
	CheckoutCoupon coupons[CHECKOUT_MAX_COUPONS];	/* presented, in request order */
	int n_coupons;
	CheckoutCoupon known[CHECKOUT_MAX_KNOWN];	/* every one usable today: the answer */
	int n_known;
	bool known_all;			/* known[] holds all of them */
	CheckoutGift gifts[CHECKOUT_MAX_GIFTS];
	int n_gifts;
} CheckoutMember;

/*
 * The handler's state (Call.state). A refusal that depends on what the
 * database holds now (a price, a balance) is held back until the
 * idempotency key has been looked up: the same sale may already have been
 * recorded by an attempt whose answer the till lost, and then that first
 * answer is owed, not a refusal. A member's sale looks the key up in step 2;
 * an anonymous one only when it is about to be refused.
 */
typedef struct CheckoutState {
	bool member_read;		/* m holds step 2's answer */
	bool key_checked;		/* no recorded sale has this key (or it was replayed) */
	CheckoutMember m;
	struct CheckoutArgs *args;	/* owned: the sale as last sent, for its answer */
	struct CheckoutArgs *pending;	/* owned: priced, waiting for the tier window */
	Kassa__V1__StatusCode refuse_code;	/* the refusal waiting for the key check */
	char refuse_detail[48];
	char refuse_msg[256];
	CheckoutTill till;		/* the till's fields, checked in step 1 */
	int64_t member_id;		/* the sale's member: member_id, or found by phone */
	int32_t rates_tried[CHECKOUT_MAX_TENDERS];	/* rate versions read this request */
	int n_rates_tried;
} CheckoutState;

typedef struct CheckoutArgs CheckoutArgs;

static void checkout_rules(Call *c);
static void checkout_replay(Call *c, int64_t txn_id);
static void checkout_price(Call *c);
static void checkout_hash(const Kassa__V1__Checkout *co, SqlText *out);
static void checkout_refuse(Call *c, Kassa__V1__StatusCode code, const char *detail,
			    const char *fmt, ...) PRINTF_LIKE(4, 5);

/* What step 2 read about the member, or NULL for an anonymous sale. */
static const CheckoutMember *member_of(const Call *c)
{
	const CheckoutState *st = c->state;

	return st->member_read ? &st->m : NULL;
}

static bool is_member_sale(const Call *c)
{
	return c->req->checkout->member_id > 0 || c->req->checkout->member_phone[0] != '\0';
}

/* The sale's member id: the request's, or (once step 2 read it) the phone's member; 0: none. */
static int64_t sale_member(const Call *c)
{
	return ((const CheckoutState *)c->state)->member_id;
}

static bool has_gift(const Kassa__V1__Checkout *co)
{
	for (size_t i = 0; i < co->n_lines; i++)
		if (co->lines[i]->gift)
			return true;
	return false;
}

static bool check_tenders(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	/* a sale of gifts only may cost no money at all: checked once priced */
	if ((co->n_tenders == 0 && !co->quote && !has_gift(co)) ||
	    co->n_tenders > CHECKOUT_MAX_TENDERS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDERS",
			  "a sale has 1-%d tenders", CHECKOUT_MAX_TENDERS);
		return false;
	}
	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];

		if (!tender_check_sale(c, i, t, c->sess->currency))
			return false;
		/* stored value pays only a member's sale */
		if (t->kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE && !is_member_sale(c)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "MEMBER_REQUIRED",
				  "tender %zu: stored value belongs to a member", i + 1);
			return false;
		}
	}
	return true;
}

static bool check_loyalty(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	if (co->member_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
			  "member id must be positive, or 0 for an anonymous sale");
		return false;
	}
	if (co->points_redeem < 0 || co->points_redeem > CHECKOUT_MAX_POINTS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_POINTS",
			  "points to redeem must be 0-%lld", CHECKOUT_MAX_POINTS);
		return false;
	}
	if (co->n_coupon_codes > CHECKOUT_MAX_COUPONS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUPONS",
			  "a sale takes at most %d coupons", CHECKOUT_MAX_COUPONS);
		return false;
	}
	for (size_t i = 0; i < co->n_coupon_codes; i++) {
		size_t n = strlen(co->coupon_codes[i]);

		if (n == 0 || n > CHECKOUT_CODE_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_COUPONS",
				  "coupon %zu: a code is 1-%d characters", i + 1,
				  CHECKOUT_CODE_MAX);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(co->coupon_codes[i], co->coupon_codes[j]) == 0) {
				call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
					  "BAD_COUPONS", "coupon %s is presented twice",
					  co->coupon_codes[i]);
				return false;
			}
		}
	}
	if (!is_member_sale(c) && (co->points_redeem > 0 || co->n_coupon_codes > 0 ||
				   has_gift(co))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "MEMBER_REQUIRED",
			  "points, coupons and gifts belong to a member; the sale has none");
		return false;
	}
	return true;
}

/* Step 1: everything that can be checked without the database. */
static bool checkout_check(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	if (co->n_lines == 0 || co->n_lines > RULES_MAX_LINES) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES",
			  "a sale has 1-%d lines", RULES_MAX_LINES);
		return false;
	}
	for (size_t i = 0; i < co->n_lines; i++) {
		const Kassa__V1__SaleLine *l = co->lines[i];
		size_t n = strlen(l->code);

		if (n == 0 || n > CHECKOUT_CODE_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PRODUCT_CODE",
				  "line %zu: a product code is 1-%d characters", i + 1,
				  CHECKOUT_CODE_MAX);
			return false;
		}
		if (l->quantity < 1 || l->quantity > RULES_MAX_QTY) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_QUANTITY",
				  "line %zu: quantity must be 1-%d, not %d", i + 1, RULES_MAX_QTY,
				  l->quantity);
			return false;
		}
	}
	return check_tenders(c) && check_loyalty(c);
}

/* Step 2's columns (kassa_member_pricing): kind 0, texts 1-5, numbers 6-11, the flag 12. */
static const char *row_text(const PGresult *res, int r, int col)
{
	return PQgetvalue(res, r, col);
}

static int64_t row_int(const PGresult *res, int r, int col)
{
	return strtoll(PQgetvalue(res, r, col), NULL, 10);
}

static bool row_flag(const PGresult *res, int r, int col)
{
	return PQgetvalue(res, r, col)[0] == 't';
}

/* A 'c' row into cp. */
static void coupon_from_row(CheckoutCoupon *cp, const PGresult *res, int r)
{
	snprintf(cp->code, sizeof(cp->code), "%s", row_text(res, r, 1));
	snprintf(cp->name, sizeof(cp->name), "%s", row_text(res, r, 2));
	snprintf(cp->item_sku, sizeof(cp->item_sku), "%s", row_text(res, r, 3));
	snprintf(cp->valid_to, sizeof(cp->valid_to), "%s", row_text(res, r, 4));
	cp->kind = (int)row_int(res, r, 6);
	cp->value = row_int(res, r, 7);
	cp->percent_bp = (int32_t)row_int(res, r, 8);
	cp->cap = row_int(res, r, 9);
	cp->min_spend = row_int(res, r, 10);
	cp->item_product_id = row_int(res, r, 11);
	cp->stackable = row_flag(res, r, 12);
}

/* The 'm' row: false if it has answered c (a retry, a reused key, no member). */
static bool member_row(Call *c, const PGresult *res, int r, int64_t *replay_of)
{
	CheckoutState *cs = c->state;
	CheckoutMember *m = &cs->m;
	const char *bday = row_text(res, r, 2);
	char masked[PHONE_MAX];

	if (*row_text(res, r, 3))
		cs->member_id = row_int(res, r, 3);	/* the phone's member */
	switch (row_int(res, r, 9)) {
	case 1:		/* a retry of a recorded sale: its first answer, whatever the balances say */
		*replay_of = row_int(res, r, 10);
		return true;
	case 2:
		call_fail(c, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED",
			  "this idempotency key was used for another request");
		return false;
	}
	if (!row_flag(res, r, 12) && cs->till.phone[0] != '\0') {
		phone_mask(cs->till.phone, masked, sizeof(masked));
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND",
			  "no member has phone %s", masked);
		return false;
	}
	if (!row_flag(res, r, 12)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND",
			  "no member %lld", (long long)c->req->checkout->member_id);
		return false;
	}
	snprintf(m->tier, sizeof(m->tier), "%s", row_text(res, r, 1));
	m->points_balance = row_int(res, r, 6);
	m->wallet = row_int(res, r, 7);
	m->rule_version = (int32_t)row_int(res, r, 8);
	m->cumulative_spend = row_int(res, r, 11);
	m->points_earned = row_int(res, r, 13);
	m->bday_month = m->bday_day = 0;
	if (sscanf(bday, "%2d-%2d", &m->bday_month, &m->bday_day) != 2)
		m->bday_month = m->bday_day = 0;
	return true;
}

/* The presented coupons, in request order: false if one is missing or unusable. */
static bool member_presented(Call *c, const PGresult *res)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	CheckoutMember *m = &((CheckoutState *)c->state)->m;

	m->n_coupons = 0;
	for (size_t i = 0; i < co->n_coupon_codes; i++) {
		int found = -1;
		bool claim = false;

		for (int r = 0; r < PQntuples(res); r++)
			if (row_text(res, r, 0)[0] == 'c' &&
			    strcmp(row_text(res, r, 1), co->coupon_codes[i]) == 0)
				found = r;
		/* not the member's coupon: a claim code, claimed by this sale ('d' rows) */
		for (int r = 0; found < 0 && r < PQntuples(res); r++)
			if (row_text(res, r, 0)[0] == 'd' &&
			    strcmp(row_text(res, r, 1), co->coupon_codes[i]) == 0) {
				found = r;
				claim = true;
			}
		if (found < 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "COUPON_NOT_FOUND",
				  "member %lld holds no coupon %s, nor is it a claim code",
				  (long long)sale_member(c), co->coupon_codes[i]);
			return false;
		}
		if (*row_text(res, found, 5)) {
			call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				  row_text(res, found, 5), "coupon %s cannot be used: %s",
				  co->coupon_codes[i], row_text(res, found, 5));
			return false;
		}
		coupon_from_row(&m->coupons[m->n_coupons], res, found);
		m->coupons[m->n_coupons++].claim = claim;
	}
	return true;
}

/*
 * Step 2's rows into CheckoutState.m. False if c has been answered (a
 * refusal); *replay_of is set to the first sale's id for a retry.
 */
static bool member_rows(Call *c, const PGresult *res, int64_t *replay_of)
{
	CheckoutState *st = c->state;
	CheckoutMember *m = &st->m;

	*replay_of = 0;
	m->n_known = m->n_gifts = 0;
	m->known_all = true;
	for (int r = 0; r < PQntuples(res); r++) {
		char kind = row_text(res, r, 0)[0];

		if (kind == 'm' && (!member_row(c, res, r, replay_of) || *replay_of))
			return *replay_of != 0;
		if (kind == 'c' && *row_text(res, r, 5) == '\0') {
			if (m->n_known == CHECKOUT_MAX_KNOWN)
				m->known_all = false;
			else
				coupon_from_row(&m->known[m->n_known++], res, r);
		}
		if (kind == 'g') {
			if (m->n_gifts == CHECKOUT_MAX_GIFTS) {
				call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINES",
					  "a sale takes at most %d gift products",
					  CHECKOUT_MAX_GIFTS);
				return false;
			}
			m->gifts[m->n_gifts].product_id = row_int(res, r, 6);
			m->gifts[m->n_gifts].points_cost = row_int(res, r, 7);
			m->n_gifts++;
		}
	}
	if (!member_presented(c, res))
		return false;
	st->member_read = true;
	st->key_checked = true;
	return true;
}

static void checkout_member_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	int64_t replay_of;

	if (!call_db_ok(c, st, res) || !member_rows(c, res, &replay_of))
		return;
	if (replay_of > 0)
		checkout_replay(c, replay_of);
	else
		checkout_rules(c);
}

/* Step 2: read the member, or go straight to the rules for an anonymous sale. */
static void checkout_start(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	SqlText codes = SQLTEXT_INIT, gifts = SQLTEXT_INIT, hash = SQLTEXT_INIT;
	char id[24], till[24];
	const char *params[7];

	if (!is_member_sale(c)) {
		checkout_rules(c);
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)co->member_id);	/* 0: by phone */
	sqltext_open(&codes);
	for (size_t i = 0; i < co->n_coupon_codes; i++)
		sqltext_elem_str(&codes, co->coupon_codes[i]);
	sqltext_close(&codes);
	sqltext_open(&gifts);
	for (size_t i = 0; i < co->n_lines; i++)
		if (co->lines[i]->gift)
			sqltext_elem_str(&gifts, co->lines[i]->code);
	sqltext_close(&gifts);
	checkout_hash(co, &hash);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	params[0] = id;
	params[1] = ((CheckoutState *)c->state)->till.phone;
	params[2] = sqltext_str(&codes);
	params[3] = sqltext_str(&gifts);
	params[4] = till;
	params[5] = c->req->idempotency_key;
	params[6] = sqltext_str(&hash);
	db_query(st_pricing, 7, params, checkout_member_cb, c);
	sqltext_free(&codes);
	sqltext_free(&gifts);
	sqltext_free(&hash);
}

static void checkout_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (ruleset_reload_ok(c, st, res))
		checkout_price(c);
}

/* Step 2b: make sure kassad prices with the rule set the member read saw. */
static void checkout_rules(Call *c)
{
	const RuleSet *rs = ruleset_current();
	const CheckoutMember *m = member_of(c);

	if (rs == NULL || (m != NULL && rs->version < m->rule_version))
		ruleset_reload(checkout_rules_cb, c);
	else
		checkout_price(c);
}

/* Step 3b: codes the cache did not know have been read. */
static void checkout_products_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__Checkout *co;

	if (!call_db_ok(c, st, res))
		return;
	for (int i = 0; i < PQntuples(res); i++)
		catalog_put_row(res, i);
	co = c->req->checkout;
	for (size_t i = 0; i < co->n_lines; i++) {
		if (catalog_get(co->lines[i]->code) == NULL) {
			checkout_refuse(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "UNKNOWN_PRODUCT",
					"line %zu: no product has code \"%s\"", i + 1,
					co->lines[i]->code);
			return;
		}
	}
	checkout_price(c);
}

/* What kassa_checkout() returns of a recorded sale: what kassad cannot know. */
typedef struct CheckoutWritten {
	int64_t txn_id;
	const char *created_at;		/* borrowed from the result */
	int64_t points_balance, cumulative_spend, wallet_balance;
	const char *tier_after;		/* borrowed from the result */
	const char *usable_codes;	/* borrowed: a text[] literal, soonest to expire first */
} CheckoutWritten;

static void checkout_answer(Call *c, const CheckoutArgs *a, const CheckoutWritten *w);

/* Step 5: answer from the priced sale and what the write returned (or a retry's rows). */
static void checkout_written(Call *c, const PGresult *res)
{
	CheckoutState *cs = c->state;
	CheckoutWritten w;

	if (PQntuples(res) != 1 || PQnfields(res) != 8) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_CHECKOUT_RESULT",
			  "internal error");
		return;
	}
	if (!PQgetisnull(res, 0, 7)) {	/* the key names a sale recorded before */
		checkout_replay(c, strtoll(PQgetvalue(res, 0, 7), NULL, 10));
		return;
	}
	w.txn_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	w.created_at = PQgetvalue(res, 0, 1);
	w.points_balance = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	w.cumulative_spend = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	w.tier_after = PQgetvalue(res, 0, 4);
	w.wallet_balance = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	w.usable_codes = PQgetvalue(res, 0, 6);
	checkout_answer(c, cs->args, &w);
}

/* Step 4's answer. */
static void checkout_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *why;

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	why = st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA412") == 0 ? db_errmsg(res) : "";
	if (c->attempts < CHECKOUT_MAX_ATTEMPTS && strcmp(why, "PRICE_CHANGED") == 0) {
		log_call(c, LOG_LVL_INFO, "checkout: a price changed since it was cached; again");
		for (size_t i = 0; i < c->req->checkout->n_lines; i++)
			catalog_forget(c->req->checkout->lines[i]->code);
		checkout_price(c);
		return;
	}
	if (c->attempts < CHECKOUT_MAX_ATTEMPTS && strcmp(why, "STALE_PRICING") == 0) {
		log_call(c, LOG_LVL_INFO, "checkout: the rules or the tier changed; pricing again");
		if (is_member_sale(c))
			checkout_start(c);	/* reads the version in force too */
		else
			ruleset_reload(checkout_rules_cb, c);
		return;
	}
	if (checkout_till_day_again(c, &((CheckoutState *)c->state)->till, why, checkout_price))
		return;	/* the store's zone moved, or midnight passed: its day again */
	if (st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "23505") == 0 &&
	    strcmp(db_constraint(res), "transactions_receipt_no") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__ALREADY_EXISTS, "RECEIPT_TAKEN",
			  "receipt number %s is another sale's", c->req->checkout->receipt_no);
		return;
	}
	if (st != DB_OK) {
		call_fail_db(c, st, res);
		return;
	}
	checkout_written(c, res);
}
/* A line's product as priced (copied: the cache may drop it before the answer). */
typedef struct CheckoutItem {
	int64_t product_id;
	char *sku;			/* owned */
	char *name;			/* owned */
	int64_t gift_points;		/* a gift line: the points it costs */
} CheckoutItem;

/* The parameters of one kassa_checkout() call. */
typedef struct CheckoutArgs {
	RulesLine lines[RULES_MAX_LINES];
	RulesSale sale;
	SqlText ids, qtys, prices;		/* per line */
	SqlText tier_offs, coupon_offs, points_offs, earned;	/* per line: the allocation */
	SqlText gift_points;			/* per line: points a gift line costs */
	int64_t gift_total;
	/* per tender: kind, amount, foreign amount, rate, version; reference, currency */
	SqlText tnums, ttexts;
	SqlText till;				/* {sold_at epoch, receipt_no, offline, sold_by} */
	int64_t tender_amt[CHECKOUT_MAX_TENDERS];	/* per tender, in store units */
	int64_t tender_rate[CHECKOUT_MAX_TENDERS];	/* the rate a foreign one used */
	SqlText coupons;			/* codes used */
	SqlText claims;				/* ... of which claim codes */
	SqlText hash;				/* of the request body */
	int64_t tendered, change, points, wallet;
	int64_t next_threshold;
	int64_t tier_adds;			/* what this sale adds to the tier basis */
	int64_t basis_seen;			/* the all-time basis priced with */
	bool may_cross;				/* ... reaches next_threshold: read the window */
	const char *tier_after;			/* rules_tier_after_sale(), or tier */
	char expires_on[16];
	const char *tier;
	int tier_index;
	int32_t rule_version;			/* the rule set it was priced with */
	CheckoutItem *items;			/* owned, per line: what the answer names */
	size_t n_items;
} CheckoutArgs;

static void checkout_args_free(CheckoutArgs *a)
{
	SqlText *all[] = { &a->ids, &a->qtys, &a->prices, &a->tier_offs, &a->coupon_offs,
			   &a->points_offs, &a->earned, &a->tnums, &a->ttexts, &a->till,
			   &a->coupons, &a->hash, &a->gift_points, &a->claims };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqltext_free(all[i]);
	for (size_t i = 0; i < a->n_items; i++) {
		free(a->items[i].sku);
		free(a->items[i].name);
	}
	free(a->items);
}

static void checkout_state_free(void *p)
{
	CheckoutState *cs = p;

	if (cs->args != NULL) {
		checkout_args_free(cs->args);
		free(cs->args);
	}
	if (cs->pending != NULL) {
		checkout_args_free(cs->pending);
		free(cs->pending);
	}
	free(cs);
}

/* Step 3: start fetching codes the cache does not know; true if it did. */
static bool checkout_fetch_missing(Call *c)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	SqlText missing = SQLTEXT_INIT;
	bool fetching;

	sqltext_open(&missing);
	for (size_t i = 0; i < co->n_lines; i++)
		if (catalog_get(co->lines[i]->code) == NULL)
			sqltext_elem_str(&missing, co->lines[i]->code);
	sqltext_close(&missing);
	fetching = missing.len > 2;
	if (fetching) {
		const char *p = sqltext_str(&missing);

		db_query(st_products, 1, &p, checkout_products_cb, c);
	}
	sqltext_free(&missing);
	return fetching;
}

/* A gift line: the points it costs from the catalogue entry step 2 read. */
static bool checkout_gift(Call *c, CheckoutArgs *a, size_t i, const CatalogItem *it,
			  int64_t *points)
{
	const CheckoutMember *m = member_of(c);

	for (int g = 0; m != NULL && g < m->n_gifts; g++) {
		if (m->gifts[g].product_id != it->product_id)
			continue;
		if (!rules_gift_add(m->gifts[g].points_cost, c->req->checkout->lines[i]->quantity,
				    points, &a->gift_total)) {
			checkout_refuse(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
					"line %zu: too many points", i + 1);
			return false;
		}
		return true;
	}
	checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "GIFT_UNAVAILABLE",
			"line %zu: %s is not in the gift catalogue now", i + 1, it->sku);
	return false;
}

/* Step 3a: every line's unit price from the cache; false (c answered) on a bad line. */
static bool checkout_lines(Call *c, CheckoutArgs *a)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	const Session *s = c->sess;

	sqltext_open(&a->ids);
	sqltext_open(&a->qtys);
	sqltext_open(&a->prices);
	sqltext_open(&a->gift_points);
	a->items = xcalloc(co->n_lines, sizeof(*a->items));
	for (size_t i = 0; i < co->n_lines; i++) {
		const CatalogItem *it = catalog_get(co->lines[i]->code);
		int64_t gift = 0;

		if (co->lines[i]->gift && !checkout_gift(c, a, i, it, &gift))
			return false;
		if (strcmp(it->currency, s->currency) != 0) {
			checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
					"CURRENCY_MISMATCH",
					"line %zu: %s is priced in %s, this store sells in %s",
					i + 1, it->sku, it->currency, s->currency);
			return false;
		}
		a->items[i].product_id = it->product_id;
		a->items[i].sku = xstrdup(it->sku);
		a->items[i].name = xstrdup(it->name);
		a->items[i].gift_points = gift;
		a->n_items = i + 1;
		a->lines[i].unit_minor = co->lines[i]->gift ? 0 : checkout_till_price(c, it);
		a->lines[i].qty = co->lines[i]->quantity;
		sqltext_elem_int(&a->ids, it->product_id);
		sqltext_elem_int(&a->qtys, co->lines[i]->quantity);
		sqltext_elem_int(&a->prices, a->lines[i].unit_minor);
		sqltext_elem_int(&a->gift_points, gift);
	}
	sqltext_close(&a->ids);
	sqltext_close(&a->qtys);
	sqltext_close(&a->prices);
	sqltext_close(&a->gift_points);
	a->sale.lines = a->lines;
	a->sale.n = (int)co->n_lines;
	return true;
}

/*
 * Step 3b: the member's coupons onto the sale. At most one order coupon;
 * several coupons only if each is stackable; a free item takes one unit of
 * its product off the first line that has one left, after the tier discount.
 */
static bool checkout_coupons(Call *c, CheckoutArgs *a, const CheckoutMember *m)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	RulesCoupon rc[CHECKOUT_MAX_COUPONS];
	int64_t product[RULES_MAX_LINES];
	bool gift[RULES_MAX_LINES];
	int n = m != NULL ? m->n_coupons : 0, bad;
	const char *code;

	sqltext_open(&a->coupons);
	sqltext_open(&a->claims);
	for (int k = 0; k < n; k++) {
		const CheckoutCoupon *cp = &m->coupons[k];

		sqltext_elem_str(&a->coupons, cp->code);
		if (cp->claim)
			sqltext_elem_str(&a->claims, cp->code);
		rc[k] = (RulesCoupon){ cp->kind, cp->value, cp->percent_bp, cp->cap,
				       cp->min_spend, cp->item_product_id, cp->stackable };
	}
	sqltext_close(&a->coupons);
	sqltext_close(&a->claims);
	for (size_t i = 0; i < co->n_lines; i++) {
		product[i] = a->items[i].product_id;
		gift[i] = co->lines[i]->gift;
	}
	switch (rules_coupons_apply(&a->sale, product, gift, rc, n, &bad)) {
	case RULES_COUPONS_OK:
		return true;
	case RULES_COUPON_NOT_STACKABLE:
		code = m->coupons[bad].code;
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"COUPON_NOT_STACKABLE",
				"coupon %s cannot be combined with other coupons", code);
		return false;
	case RULES_ONE_ORDER_COUPON:
		code = m->coupons[bad].code;
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"ONE_ORDER_COUPON", "a sale takes one order coupon; %s is a second",
				code);
		return false;
	case RULES_COUPON_ITEM_MISSING:
		code = m->coupons[bad].code;
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"COUPON_ITEM_MISSING",
				"coupon %s is for an item the sale does not have", code);
		return false;
	case RULES_COUPON_BAD_KIND:
	default:
		break;
	}
	checkout_refuse(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_COUPON", "internal error");
	return false;
}

/* Step 3c: rules_price() and what its refusals tell the till. */
static bool checkout_rules_price(Call *c, CheckoutArgs *a, const CheckoutMember *m)
{
	char have[32], want[32];

	(void)m;
	/* gifts come out of the balance first; redemption gets the rest */
	if (rules_gifts_take(&a->sale, a->gift_total) != RULES_OK) {
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"INSUFFICIENT_POINTS", "the gifts cost %lld points; the member holds %lld",
				(long long)a->gift_total, (long long)a->sale.points_balance);
		return false;
	}
	switch (rules_price(&a->sale)) {
	case RULES_OK:
		if (!rules_coupons_min_met(&a->sale))
			break;	/* a free item below its minimum: below */
		return true;
	case RULES_COUPON_MIN_SPEND:
		break;
	case RULES_POINTS_NOT_STEPS:
		checkout_refuse(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "POINTS_NOT_STEPS",
				"points are redeemed in steps of %lld",
				(long long)a->sale.points_step);
		return false;
	case RULES_INSUFFICIENT_POINTS:
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"INSUFFICIENT_POINTS", "the member holds %lld points, not %lld",
				(long long)a->sale.points_balance,
				(long long)a->sale.points_redeem);
		return false;
	case RULES_POINTS_OVER_CAP:
		/* points_cap: set by rules_price() for this refusal too */
		checkout_refuse(
			c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "POINTS_OVER_CAP",
			"points may pay at most %d.%02d%% of this sale: %lld points at most",
			a->sale.points_cap_bp / 100, a->sale.points_cap_bp % 100,
			(long long)a->sale.points_cap);
		return false;
	case RULES_OVERFLOW:
		checkout_refuse(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
				"the amounts of this sale are too large");
		return false;
	case RULES_BAD_INPUT:
	default:
		checkout_refuse(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SALE",
				"the sale could not be priced");
		return false;
	}
	checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "COUPON_MIN_SPEND",
			"the coupon needs a spend of %s after the tier discount; the sale has %s",
			money_format(a->sale.coupon_min_spend, want, sizeof(want)),
			money_format(a->sale.gross - a->sale.tier_off, have, sizeof(have)));
	return false;
}

/*
 * Step 3 first: every rate version a foreign tender names in memory. True
 * if one is being read (checkout_price runs again when it is).
 */
static bool checkout_rates_fetch(Call *c)
{
	CheckoutState *cs = c->state;
	int64_t amt[CHECKOUT_MAX_TENDERS], rate[CHECKOUT_MAX_TENDERS];
	size_t bad;
	int32_t version;

	if (checkout_till_convert(c->req->checkout, c->sess->currency, cs->rates_tried,
				  cs->n_rates_tried, amt, rate, &bad, &version) !=
	    CHECKOUT_FX_UNCACHED)
		return false;
	if (cs->n_rates_tried < CHECKOUT_MAX_TENDERS)
		cs->rates_tried[cs->n_rates_tried++] = version;
	rates_load(c, version, checkout_price);
	return true;
}

/* Step 3d first: each tender in store units (foreign ones converted); false if refused. */
static bool checkout_convert(Call *c, CheckoutArgs *a)
{
	const CheckoutState *cs = c->state;
	CheckoutRefusal r;

	if (checkout_till_tenders(c->req->checkout, c->sess->currency, cs->rates_tried,
				  cs->n_rates_tried, a->tender_amt, a->tender_rate, &r))
		return true;
	checkout_refuse(c, r.code, r.detail, "%s", r.msg);
	return false;
}

/* Step 3d: the tenders must cover what is payable, change only from cash. */
static bool checkout_tenders(Call *c, CheckoutArgs *a, const CheckoutMember *m)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	int64_t *amt = a->tender_amt, sum = 0, total = a->sale.payable;
	bool cash[CHECKOUT_MAX_TENDERS];
	char due[MONEY_FMT_LEN], got[MONEY_FMT_LEN];
	SqlText *per[] = { &a->tnums, &a->ttexts };

	if (!checkout_convert(c, a))
		return false;
	for (size_t k = 0; k < sizeof(per) / sizeof(per[0]); k++)
		sqltext_open(per[k]);
	a->wallet = 0;
	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];
		bool fx = t->currency[0] != '\0';

		cash[i] = t->kind == KASSA__V1__TENDER_KIND__TENDER_CASH;
		if (t->kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE &&
		    !money_add(a->wallet, t->amount_minor, &a->wallet))
			a->wallet = INT64_MAX;
		sqltext_elem_int(&a->tnums, (int64_t)t->kind);
		sqltext_elem_int(&a->tnums, amt[i]);
		sqltext_elem_int(&a->tnums, fx ? t->foreign_minor : 0);
		sqltext_elem_int(&a->tnums, a->tender_rate[i]);
		sqltext_elem_int(&a->tnums, fx ? t->rate_version : 0);
		sqltext_elem_str(&a->ttexts, t->reference);
		sqltext_elem_str(&a->ttexts, t->currency);
	}
	for (size_t k = 0; k < sizeof(per) / sizeof(per[0]); k++)
		sqltext_close(per[k]);

	if (co->quote)
		return true;	/* a quote shows what is due; nothing is paid yet */
	if (a->wallet > 0 && m != NULL && a->wallet > m->wallet) {
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION,
				"INSUFFICIENT_STORED_VALUE",
				"the member's stored value is %s, not %s",
				money_format(m->wallet, got, sizeof(got)),
				money_format(a->wallet, due, sizeof(due)));
		return false;
	}
	switch (rules_settle(total, amt, cash, (int)co->n_tenders, cf_max_cash_change,
			     &a->tendered, &a->change)) {
	case RULES_TENDER_OK:
		return true;
	case RULES_TENDER_CHANGE_TOO_LARGE:
		checkout_refuse(
			c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "CHANGE_TOO_LARGE",
			"the cash is %s more than the total; change is at most %s: check the "
			"amount typed", money_format(a->change, got, sizeof(got)),
			money_format(cf_max_cash_change, due, sizeof(due)));
		return false;
	case RULES_TENDER_SHORT:
		for (size_t i = 0; i < co->n_tenders; i++)
			if (!money_add(sum, amt[i], &sum))	/* SHORT: sum < total */
				sum = INT64_MAX;
		checkout_refuse(
			c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "INSUFFICIENT_TENDER",
			"the tenders (%s) do not cover the total (%s)",
			money_format(sum, got, sizeof(got)), money_format(total, due, sizeof(due)));
		return false;
	case RULES_TENDER_CHANGE_NOT_CASH:
		checkout_refuse(
			c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CHANGE_WITHOUT_CASH",
			"change can only be given from cash; card, e-wallet and stored-value "
			"tenders must not exceed what is due");
		return false;
	case RULES_TENDER_BAD_AMOUNT:
		break;
	}
	checkout_refuse(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
			"the tender amounts are too large");
	return false;
}

/* Step 3e: the points earned, the new lot's expiry, the next tier's threshold. */
static bool checkout_earn(Call *c, CheckoutArgs *a, const RuleSet *rs, const CheckoutMember *m)
{
	/* a late sale counts on the day it was made: its lot expires from then */
	RuleDate today = checkout_till_day(&((const CheckoutState *)c->state)->till);
	RuleDate exp = rules_lot_expiry(rs, &today);
	int32_t x100;

	snprintf(a->expires_on, sizeof(a->expires_on), "%04d-%02d-%02d", exp.year, exp.month,
		 exp.day);
	a->points = 0;
	if (m != NULL) {
		x100 = rules_multiplier(rs, a->tier_index, &today, m->bday_month, m->bday_day);
		a->points = rules_earn(&a->sale,
				       a->wallet < a->sale.payable ? a->wallet : a->sale.payable,
				       rs->stored_value_earns, x100, rs->minor_per_point);
		if (a->points < 0) {
			checkout_refuse(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_SALE",
					"the points of this sale could not be computed");
			return false;
		}
		a->next_threshold = rules_tier_next_threshold(rs, a->tier_index);
		a->tier_adds = rs->basis_points ? a->points : a->sale.payable;
		a->basis_seen = rs->basis_points ? m->points_earned : m->cumulative_spend;
		a->may_cross = rules_tier_sale_may_cross(rs, a->tier_index, a->basis_seen,
							 a->tier_adds);
	}
	sqltext_open(&a->tier_offs);
	sqltext_open(&a->coupon_offs);
	sqltext_open(&a->points_offs);
	sqltext_open(&a->earned);
	for (int i = 0; i < a->sale.n; i++) {
		sqltext_elem_int(&a->tier_offs, a->lines[i].tier_off);
		sqltext_elem_int(&a->coupon_offs, a->lines[i].coupon_off);
		sqltext_elem_int(&a->points_offs, a->lines[i].points_off);
		sqltext_elem_int(&a->earned, a->lines[i].points_earned);
	}
	sqltext_close(&a->tier_offs);
	sqltext_close(&a->coupon_offs);
	sqltext_close(&a->points_offs);
	sqltext_close(&a->earned);
	return true;
}

/* The lines of the answer; free *lines and *lp after replying. */
static void answer_lines(Call *c, const CheckoutArgs *a, Kassa__V1__Transaction *t,
			 Kassa__V1__TransactionLine **lines, Kassa__V1__TransactionLine ***lp)
{
	const Kassa__V1__Checkout *co = c->req->checkout;

	*lines = xcalloc(co->n_lines, sizeof(**lines));
	*lp = xcalloc(co->n_lines, sizeof(**lp));
	for (size_t i = 0; i < co->n_lines; i++) {
		const RulesLine *l = &a->lines[i];
		Kassa__V1__TransactionLine *tl = &(*lines)[i];

		kassa__v1__transaction_line__init(tl);
		tl->line_no = (int32_t)i + 1;
		tl->product_id = a->items[i].product_id;
		tl->sku = a->items[i].sku;
		tl->name = a->items[i].name;
		tl->quantity = l->qty;
		tl->unit_price_minor = l->unit_minor;
		tl->line_total_minor = l->gross;
		tl->tier_off_minor = l->tier_off;
		tl->coupon_off_minor = l->coupon_off;
		tl->points_off_minor = l->points_off;
		tl->net_minor = l->net;
		tl->points_earned = l->points_earned;
		tl->gift_points = a->items[i].gift_points;
		(*lp)[i] = tl;
	}
	t->n_lines = co->n_lines;
	t->lines = *lp;
}

/* The tenders as recorded: numbered from 1 in request order, in store units. */
static Kassa__V1__TenderRecord **answer_tenders(const Kassa__V1__Checkout *co,
						const CheckoutArgs *a,
						Kassa__V1__TenderRecord *recs)
{
	Kassa__V1__TenderRecord **v = xcalloc(co->n_tenders + 1, sizeof(*v));

	for (size_t i = 0; i < co->n_tenders; i++) {
		const Kassa__V1__Tender *t = co->tenders[i];
		bool fx = t->currency[0] != '\0';

		kassa__v1__tender_record__init(&recs[i]);
		recs[i].tender_no = (int32_t)i + 1;
		recs[i].kind = t->kind;
		recs[i].amount_minor = a->tender_amt[i];
		recs[i].reference = t->reference;
		recs[i].currency = t->currency;
		recs[i].foreign_minor = fx ? t->foreign_minor : 0;
		recs[i].rate_micro = a->tender_rate[i];
		recs[i].rate_version = fx ? t->rate_version : 0;
		v[i] = &recs[i];
	}
	return v;
}

static const CheckoutCoupon *known_coupon(const CheckoutMember *m, const char *code)
{
	for (int k = 0; m != NULL && k < m->n_known; k++)
		if (strcmp(m->known[k].code, code) == 0)
			return &m->known[k];
	return NULL;
}

/*
 * The member's coupons usable after the sale, in the order w names them,
 * from what step 2 read. False if w names one step 2 did not see (issued
 * meanwhile): then the answer must come from the stored rows.
 */
static bool answer_coupons(const CheckoutMember *m, const char *codes, Kassa__V1__Coupon *out,
			   Kassa__V1__Coupon **ptrs, size_t *n)
{
	char code[CHECKOUT_CODE_MAX + 1];
	const char *pos = codes;

	*n = 0;
	while (sqltext_array_next(&pos, code, sizeof(code))) {
		const CheckoutCoupon *cp = known_coupon(m, code);

		if (cp == NULL || *n == CHECKOUT_MAX_KNOWN)
			return false;
		kassa__v1__coupon__init(&out[*n]);
		out[*n].code = (char *)cp->code;
		out[*n].name = (char *)cp->name;
		out[*n].kind = (Kassa__V1__CouponKind)cp->kind;
		out[*n].value_minor = cp->value;
		out[*n].percent_bp = cp->percent_bp;
		out[*n].cap_minor = cp->cap;
		out[*n].min_spend_minor = cp->min_spend;
		out[*n].item_sku = (char *)cp->item_sku;
		out[*n].valid_to = (char *)cp->valid_to;
		out[*n].stackable = cp->stackable;
		ptrs[*n] = &out[*n];
		(*n)++;
	}
	return strcmp(pos, "}") == 0 || strcmp(codes, "{}") == 0;
}

/* The parts of the answer that only the write knows; false: answer from the rows. */
static bool answer_written(Call *c, const CheckoutWritten *w, Kassa__V1__Transaction *t,
			   Kassa__V1__Coupon *coupons, Kassa__V1__Coupon **cptrs)
{
	const CheckoutMember *m = member_of(c);

	t->txn_id = w->txn_id;
	t->created_at = (char *)w->created_at;
	t->points_balance = w->points_balance;
	t->cumulative_spend_minor = w->cumulative_spend;
	t->tier_after = (char *)w->tier_after;
	t->stored_value_balance_minor = w->wallet_balance;
	if (m == NULL)
		return strcmp(w->usable_codes, "{}") == 0;
	if (!m->known_all ||
	    !answer_coupons(m, w->usable_codes, coupons, cptrs, &t->n_usable_coupons))
		return false;
	t->usable_coupons = cptrs;
	return true;
}

/*
 * The sale as the till sees it, built once from the priced args: a quote
 * (w == NULL: nothing written) or a recorded sale (w: what the write
 * returned). A replay reads the same values from the stored rows
 * (kassa_checkout_answer), so both are byte-identical.
 */
static void checkout_answer(Call *c, const CheckoutArgs *a, const CheckoutWritten *w)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Transaction t = KASSA__V1__TRANSACTION__INIT;
	Kassa__V1__TransactionLine *lines, **lp;
	Kassa__V1__TenderRecord *recs = xcalloc(co->n_tenders + 1, sizeof(*recs)), **rp = NULL;
	Kassa__V1__Coupon coupons[CHECKOUT_MAX_KNOWN], *cptrs[CHECKOUT_MAX_KNOWN];
	const CheckoutMember *m = member_of(c);

	answer_lines(c, a, &t, &lines, &lp);
	t.store_id = c->sess->store_id;
	t.till_id = c->sess->till_id;
	t.staff_id = co->sold_by > 0 ? co->sold_by : c->staff_id;
	t.member_id = sale_member(c);
	t.receipt_no = co->receipt_no;
	t.offline = co->offline;
	t.currency = c->sess->currency;
	t.total_minor = a->sale.payable;
	t.points_earned = a->points;
	t.gift_points = a->gift_total;
	t.created_at = "";
	t.gross_minor = a->sale.gross;
	t.tier = (char *)a->tier;
	t.tier_after = (char *)a->tier;
	t.tier_saving_minor = a->sale.tier_off;
	t.coupon_off_minor = a->sale.coupon_total;
	t.n_coupon_codes = co->n_coupon_codes;
	t.coupon_codes = co->coupon_codes;
	t.points_redeemed = a->sale.points_redeem;
	t.points_value_minor = a->sale.points_value;
	t.rule_version = a->rule_version;
	if (w != NULL) {
		t.tendered_minor = a->tendered;
		t.change_minor = a->change;
		t.stored_value_paid_minor = a->wallet;
		rp = answer_tenders(co, a, recs);
		t.n_tenders = co->n_tenders;
		t.tenders = rp;
		if (!answer_written(c, w, &t, coupons, cptrs)) {
			checkout_replay(c, w->txn_id);
			goto out;
		}
	} else {
		t.points_balance = a->sale.points_balance - a->sale.points_redeem + a->points;
		if (m != NULL) {
			t.stored_value_paid_minor = a->wallet;
			t.stored_value_balance_minor = m->wallet - a->wallet;
		}
		/*
		 * A quote's points_redeemable is this sale's cap (RulesSale.points_cap):
		 * the most points this basket takes, which may be fewer than the
		 * member's points_redeemable (whole steps of the balance).
		 */
		t.points_redeemable = sale_member(c) > 0 ? a->sale.points_cap : 0;
	}
	resp.body_case = KASSA__V1__RESPONSE__BODY_TRANSACTION;
	resp.transaction = &t;
	call_reply(c, &resp);
out:
	free(lines);
	free(lp);
	free(recs);
	free(rp);
}

/* The body's hash (same key, other body: refused) without sold_at, offline and sold_by: a
 * till adds them to an unanswered Checkout it journals, whose replay gets the sale made. */
static void checkout_hash(const Kassa__V1__Checkout *co, SqlText *out)
{
	Kassa__V1__Checkout body = *co;	/* shallow: packed, never freed */

	body.sold_at = (char *)"";
	body.offline = false;
	body.sold_by = 0;
	sqltext_hash(out, &body.base);
}

/* Step 4: the one statement that records the sale. */
static void checkout_send(Call *c, CheckoutArgs *a, const RuleSet *rs)
{
	const Kassa__V1__Checkout *co = c->req->checkout;
	const Session *s = c->sess;
	char p_store[24], p_till[24], p_staff[24], p_member[24];
	char p_total[24], p_tendered[24], p_change[24], p_points[24];
	char p_version[16], p_redeem[24], p_value[24], p_next[24], p_seen[24];
	CheckoutState *cs = c->state;

	checkout_hash(co, &a->hash);
	snprintf(p_store, sizeof(p_store), "%lld", (long long)s->store_id);
	snprintf(p_till, sizeof(p_till), "%lld", (long long)s->till_id);
	snprintf(p_staff, sizeof(p_staff), "%lld", (long long)c->staff_id);
	snprintf(p_member, sizeof(p_member), "%lld", (long long)sale_member(c));
	/* the till's fields in one text[]: sold_at to the second ('' = now) */
	sqltext_free(&a->till);
	sqltext_open(&a->till);
	if (cs->till.sold_epoch > 0)
		sqltext_elem_int(&a->till, cs->till.sold_epoch);
	else
		sqltext_elem_str(&a->till, "");
	sqltext_elem_str(&a->till, co->receipt_no);
	sqltext_elem_str(&a->till, co->offline ? "t" : "f");
	checkout_till_tail(&a->till, co, &cs->till);	/* sold_by, the store's business day */
	sqltext_close(&a->till);
	snprintf(p_total, sizeof(p_total), "%lld", (long long)a->sale.payable);
	snprintf(p_tendered, sizeof(p_tendered), "%lld", (long long)a->tendered);
	snprintf(p_change, sizeof(p_change), "%lld", (long long)a->change);
	snprintf(p_points, sizeof(p_points), "%lld", (long long)a->points);
	snprintf(p_version, sizeof(p_version), "%d", (int)a->rule_version);
	snprintf(p_redeem, sizeof(p_redeem), "%lld", (long long)a->sale.points_redeem);
	snprintf(p_value, sizeof(p_value), "%lld", (long long)a->sale.points_value);
	snprintf(p_next, sizeof(p_next), "%lld", (long long)a->next_threshold);
	snprintf(p_seen, sizeof(p_seen), "%lld", (long long)a->basis_seen);

	const char *params[32] = {
		p_store, p_till, p_staff, c->req->idempotency_key, sqltext_str(&a->hash),
		p_member, sqltext_str(&a->ids), sqltext_str(&a->qtys), sqltext_str(&a->prices),
		sqltext_str(&a->tier_offs), sqltext_str(&a->coupon_offs),
		sqltext_str(&a->points_offs), sqltext_str(&a->earned),
		sqltext_str(&a->tnums), sqltext_str(&a->ttexts), p_total, p_tendered, p_change, p_points,
		p_version, a->tier, p_redeem, p_value, sqltext_str(&a->coupons), a->expires_on,
		rs->basis_points ? "points_earned" : "spend", p_next, sqltext_str(&a->gift_points),
		a->tier_after, p_seen, sqltext_str(&a->claims), sqltext_str(&a->till),
	};

	if (cs->args != NULL) {		/* an earlier attempt's */
		checkout_args_free(cs->args);
		free(cs->args);
	}
	cs->args = a;
	c->attempts++;
	db_query(st_checkout, 32, params, checkout_db_cb, c);
}

/* The window's basis: the tier after this sale, then send. */
static void checkout_window_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	CheckoutState *cs = c->state;
	CheckoutArgs *a = cs->pending;
	const RuleSet *rs = ruleset_current();
	int64_t window;
	int to;

	cs->pending = NULL;
	if (!call_db_ok(c, st, res)) {		/* answered (or c freed): a is ours */
		checkout_args_free(a);
		free(a);
		return;
	}
	/* a rule set newer than the one priced with: kassa_checkout says STALE_PRICING */
	if (rs->version == a->rule_version) {
		window = row_int(res, 0, 0);
		window = window > INT64_MAX - a->tier_adds ? INT64_MAX : window + a->tier_adds;
		to = rules_tier_after_sale(rs, a->tier_index, window);
		if (to >= 0)
			a->tier_after = rs->tiers[to].name;
	}
	checkout_send(c, a, rs);
}

/*
 * Step 4a: a sale that may reach the next tier (rare) first reads the
 * rolling window's basis; the others send straight away, their tier after
 * being the tier they were priced with. kassa_checkout() refuses with
 * STALE_PRICING if the member's all-time basis moved since it was read.
 */
static void checkout_tier(Call *c, CheckoutArgs *a, const RuleSet *rs)
{
	CheckoutState *cs = c->state;
	char id[24], months[16];
	const char *params[3] = { id, rs->basis_points ? "t" : "f", months };

	a->tier_after = a->tier;
	if (!a->may_cross) {
		checkout_send(c, a, rs);
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)sale_member(c));
	snprintf(months, sizeof(months), "%d", (int)rs->downgrade_window_months);
	cs->pending = a;
	db_query(st_window, 3, params, checkout_window_cb, c);
}

/* Step 3: price from the cache (fetching what is missing) and the rules, then send. */
static void checkout_price(Call *c)
{
	const RuleSet *rs = ruleset_current();
	const CheckoutMember *m = member_of(c);
	CheckoutArgs *a;

	if (checkout_till_day_fetch(c, &((CheckoutState *)c->state)->till, checkout_price))
		return;	/* the store's business day (store_day.c): back here once read */
	if (checkout_rates_fetch(c))
		return;	/* rates_load() comes back here */
	if (checkout_fetch_missing(c))
		return;	/* checkout_products_cb comes back here */
	a = xcalloc(1, sizeof(*a));	/* 500 lines: too big for the stack */
	rules_sale_defaults(&a->sale);
	a->sale.points_step = rs->points_step;
	a->sale.step_value = rs->step_value;
	a->sale.points_cap_bp = rs->points_cap_bp;
	a->tier = "";
	a->tier_index = -1;
	if (m != NULL) {
		a->tier = m->tier;
		a->tier_index = ruleset_tier_index(rs, m->tier);
		if (a->tier_index >= 0)
			a->sale.tier_bp = rs->tiers[a->tier_index].discount_bp;
		a->sale.points_balance = m->points_balance;
		a->sale.points_redeem = c->req->checkout->points_redeem;
	}
	a->rule_version = rs->version;
	if (checkout_lines(c, a) && checkout_coupons(c, a, m) &&
	    checkout_rules_price(c, a, m) && checkout_tenders(c, a, m) &&
	    checkout_earn(c, a, rs, m)) {
		if (!c->req->checkout->quote) {
			checkout_tier(c, a, rs);	/* keeps a for the answer */
			return;
		}
		checkout_answer(c, a, NULL);
	}
	checkout_args_free(a);
	free(a);
}

/* A retry's answer: the first sale as its rows hold it. */
static void checkout_answer_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_db_ok(c, st, res))
		txn_reply_json(c, PQgetvalue(res, 0, 0));
}

/* Answer a retry of the recorded sale txn_id (cold: the hot path builds its answer). */
static void checkout_replay(Call *c, int64_t txn_id)
{
	char id[24], member[24];
	const char *params[2] = { id, member };

	snprintf(id, sizeof(id), "%lld", (long long)txn_id);
	snprintf(member, sizeof(member), "%lld", (long long)sale_member(c));
	db_query(st_answer, 2, params, checkout_answer_cb, c);
}

/* The key check's answer: the first sale's answer, or the refusal held back. */
static void checkout_key_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	CheckoutState *cs;

	if (!call_db_ok(c, st, res))
		return;
	cs = c->state;
	if (PQntuples(res) == 0)
		call_fail(c, cs->refuse_code, cs->refuse_detail, "%s", cs->refuse_msg);
	else if (row_int(res, 0, 0) == 1)
		checkout_replay(c, row_int(res, 0, 1));
	else
		call_fail(c, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED",
			  "this idempotency key was used for another request");
}

/* Refuse the sale, once the key is known not to name a recorded one (see CheckoutState). */
static void checkout_refuse(Call *c, Kassa__V1__StatusCode code, const char *detail,
			    const char *fmt, ...)
{
	CheckoutState *cs = c->state;
	SqlText hash = SQLTEXT_INIT;
	char till[24];
	const char *params[3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cs->refuse_msg, sizeof(cs->refuse_msg), fmt, ap);
	va_end(ap);
	if (cs->key_checked) {
		call_fail(c, code, detail, "%s", cs->refuse_msg);
		return;
	}
	cs->refuse_code = code;
	snprintf(cs->refuse_detail, sizeof(cs->refuse_detail), "%s", detail);
	cs->key_checked = true;
	checkout_hash(c->req->checkout, &hash);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	params[0] = till;
	params[1] = c->req->idempotency_key;
	params[2] = sqltext_str(&hash);
	db_query(st_key, 3, params, checkout_key_cb, c);
	sqltext_free(&hash);
}

void handle_checkout(Call *c)
{
	CheckoutState *cs;

	if (!checkout_check(c))
		return;
	cs = xcalloc(1, sizeof(*cs));
	cs->key_checked = c->req->checkout->quote;	/* a quote records nothing: no key */
	cs->member_id = c->req->checkout->member_id;
	c->state = cs;
	c->state_free = checkout_state_free;
	if (!checkout_till_check(c, &cs->till))
		return;
	if (cs->till.too_old) {		/* unless the key names this sale, recorded in time */
		checkout_refuse(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "SALE_TOO_OLD",
				"the sale was made more than %d days ago (%s): it needs a manual "
				"review at head office", cf_late_sale_max_days,
				c->req->checkout->sold_at);
		return;
	}
	checkout_start(c);
}

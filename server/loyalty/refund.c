/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refund.c: refunding lines of a sale, exactly once.
 *
 *   1. check the request (sale id, line numbers, approver fields, reason);
 *   2. if it names an approver, check their PIN with staff's one PIN check
 *      (server/staff/pin.c: argon2id on a worker thread, wrong PINs counted
 *      towards the same lockout as Logins); an approver must be an active
 *      manager or admin of this store (or of head office). Every failure
 *      (unknown approver, wrong PIN, not a manager here, locked out) gets
 *      the same APPROVAL_DENIED, after the same steps;
 *   3. read the refunding store's business day unless kassad holds it
 *      (store_day.h: points given back expire from that day); make sure
 *      the rule set is loaded (its refund_approval_minor is the
 *      limit above which a refund needs that approval; its tiers), then read
 *      the sale in one statement of plain rows, kassa_refund_read()
 *      (migrations/functions/refunds.sql): what the idempotency key names
 *      already, the sale, its lines with their stored allocation, its
 *      tenders, what earlier refunds took, the member's tier and totals and
 *      the tier window's basis. A key recorded for this very refund is
 *      answered from the first refund's rows, before any check;
 *   4. refuse another store's sale (OTHER_STORE), a bad or refunded line,
 *      and an unapproved refund over the limit (APPROVAL_REQUIRED); compute
 *      the money per line and per tender, the clawback, the points restored
 *      (rules_refund(), server/loyalty/rules_refund.c) and the tier after it
 *      (rules_tier_after_refund());
 *   5. write it with kassa_refund(), one guarded statement: it claims the
 *      key and, under the member's and the sale's row locks, refuses with
 *      STALE_REFUND if the sale's refunds, the member's tier or what the
 *      tier decision stands on moved since step 3 (kassad then reads and
 *      computes again, a bounded number of times, as after STALE_RULES),
 *      records the numbers, gives back coupons, wallet and gift stock, and
 *      returns the refund as JSON, which becomes the RefundRecord.
 *
 * The PIN is checked whenever approver fields are present (the amount is
 * known only after the read); the approver is recorded only when the
 * refund needed one. The approver's PIN is not part of the request hash
 * stored with the idempotency key: a hash of a few digits and known fields
 * would give the PIN away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "checkout_till.h"
#include "coupon_json.h"
#include "db.h"
#include "log.h"
#include "rules.h"
#include "rules_earn.h"
#include "rules_refund.h"
#include "rules_tier.h"
#include "ruleset_cache.h"
#include "core.h"
#include "loyalty.h"
#include "sqltext.h"
#include "staff.h"
#include "tender_json.h"

#define REFUND_REASON_MAX 200		/* characters a till may note */
#define REFUND_MAX_ATTEMPTS 8		/* reads: STALE_RULES / STALE_REFUND read again */

/* What a refund carries between its steps (Call.state). */
typedef struct RefundState {
	int64_t approved_by;		/* verified approver, 0 = none */
	int32_t read_version;		/* the rule set the last read was sent with */
	bool day_read;			/* the store's business day was read (store_day.h) */
} RefundState;

static int st_read;
static int st_answer;
static int st_refund;

void refund_setup(void)
{
	store_day_setup();	/* the lot expiry of points given back: the store's day */
	st_read = db_stmt_add("refund_read",
		"SELECT * FROM kassa_refund_read($1, $2, $3, $4, $5, $6, $7)", DB_LANE_QUICK);
	/* a retry's answer, from the first refund's rows (rare: not the hot path) */
	st_answer = db_stmt_add("refund_answer", "SELECT kassa_refund_json($1)", DB_LANE_QUICK);
	st_refund = db_stmt_add("refund",
		"SELECT kassa_refund($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
		" $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)",
		DB_LANE_WORK);
}

static RefundState *refund_state(Call *c)
{
	if (c->state == NULL) {
		c->state = xcalloc(1, sizeof(RefundState));
		c->state_free = free;
	}
	return c->state;
}

/* Step 1: line numbers positive, each once. */
static bool check_lines(Call *c)
{
	const Kassa__V1__Refund *rf = c->req->refund;

	if (rf->n_line_nos > RULES_MAX_LINES) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINE",
			  "a sale has at most %d lines", RULES_MAX_LINES);
		return false;
	}
	for (size_t i = 0; i < rf->n_line_nos; i++) {
		if (rf->line_nos[i] < 1 || rf->line_nos[i] > RULES_MAX_LINES) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINE",
				  "line %d: line numbers are 1-%d", (int)rf->line_nos[i],
				  RULES_MAX_LINES);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (rf->line_nos[i] == rf->line_nos[j]) {
				call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINE",
					  "line %d is named twice", (int)rf->line_nos[i]);
				return false;
			}
		}
	}
	return true;
}

/* Step 1: everything that can be checked without the database. */
static bool refund_check(Call *c)
{
	const Kassa__V1__Refund *rf = c->req->refund;
	size_t pin = strlen(rf->approver_pin);

	if (rf->txn_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TRANSACTION_ID",
			  "a transaction id is positive");
		return false;
	}
	if (!check_lines(c))
		return false;
	if (rf->approver_staff_id < 0 || (rf->approver_staff_id == 0) != (pin == 0) ||
	    (pin > 0 && (pin < STAFF_PIN_MIN || pin > STAFF_PIN_MAX ||
			 strspn(rf->approver_pin, "0123456789") != pin))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_APPROVER",
			  "an approval is a manager's staff id with a PIN of %d-%d digits, "
			  "or neither", STAFF_PIN_MIN, STAFF_PIN_MAX);
		return false;
	}
	if (strlen(rf->reason) > REFUND_REASON_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON",
			  "a refund reason is at most %d bytes", REFUND_REASON_MAX);
		return false;
	}
	return true;
}

/* ---- the answer ---- */

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return (char *)(s ? s : "");
}

/* Step 5: kassa_refund_json() as a RefundRecord. */
static void refund_reply_json(Call *c, const char *text)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__RefundRecord r = KASSA__V1__REFUND_RECORD__INIT;
	Kassa__V1__TenderRecord **tenders = NULL;
	int32_t *lines = NULL;
	char **codes = NULL;
	json_error_t err;
	json_t *root = json_loads(text, 0, &err), *jl;

	if (!json_is_object(root)) {
		log_call(c, LOG_LVL_ERROR, "could not parse a refund from the database: %s",
			 err.text);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_REFUND_JSON", "internal error");
		json_decref(root);
		return;
	}
	r.refund_id = jint(root, "refund_id");
	r.txn_id = jint(root, "txn_id");
	r.store_id = jint(root, "store_id");
	r.member_id = jint(root, "member_id");
	r.amount_minor = jint(root, "amount");
	r.points_clawed_back = jint(root, "points_clawed_back");
	r.points_restored = jint(root, "points_restored");
	r.stored_value_restored_minor = jint(root, "wallet_restored");
	r.points_balance = jint(root, "points_balance");
	r.stored_value_balance_minor = jint(root, "wallet_balance");
	r.cumulative_spend_minor = jint(root, "cumulative_spend");
	r.tier_after = jstr(root, "tier_after");
	r.approved_by = jint(root, "approved_by");
	r.created_at = jstr(root, "created_at");

	jl = json_object_get(root, "line_nos");
	r.n_line_nos = json_array_size(jl);
	if (r.n_line_nos) {
		lines = xcalloc(r.n_line_nos, sizeof(*lines));
		for (size_t i = 0; i < r.n_line_nos; i++)
			lines[i] = (int32_t)json_integer_value(json_array_get(jl, i));
		r.line_nos = lines;
	}
	tenders = tender_pb_from_json(json_object_get(root, "tenders"), &r.n_tenders);
	r.tenders = tenders;
	codes = coupon_codes_from_json(json_object_get(root, "coupons_restored"),
				       &r.n_coupons_restored);
	r.coupons_restored = codes;
	resp.body_case = KASSA__V1__RESPONSE__BODY_REFUND_RECORD;
	resp.refund_record = &r;
	call_reply(c, &resp);
	free(lines);
	tender_pb_free(tenders);
	free(codes);
	json_decref(root);
}

/* ---- steps 3 to 5: the rule set, the read, the refund in C, the write ---- */

static void refund_read(Call *c);
static void refund_rules(Call *c);

static void refund_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (ruleset_reload_ok(c, st, res))
		refund_read(c);
}

static void refund_day_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_db_ok(c, st, res))
		refund_rules(c);
}

/*
 * Step 3: the approval limit and the tiers come from the rule set; load it
 * if need be. First the refunding store's business day (the expiry of the
 * points given back), once, unless it is in memory.
 */
static void refund_rules(Call *c)
{
	int64_t now = (int64_t)time(NULL);
	StoreDate d;

	if (!refund_state(c)->day_read && !store_day_get(c->sess->store_id, now, &d)) {
		refund_state(c)->day_read = true;
		store_day_load(c->sess->store_id, now, refund_day_cb, c);
		return;
	}
	if (ruleset_current() == NULL)
		ruleset_reload(refund_rules_cb, c);
	else
		refund_read(c);
}

/* The refusals that are about who asks, not about the sale. */
static void refund_denied(Call *c, const char *why)
{
	const RuleSet *rs = ruleset_current();

	if (strcmp(why, "APPROVAL_REQUIRED") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, why,
			  "a refund of more than %lld.%02lld needs a manager's staff id and PIN",
			  (long long)(rs->refund_approval_minor / 100),
			  (long long)(rs->refund_approval_minor % 100));
	else
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, why,
			  "this sale was made at another store; refund it there");
}

/* The request body's hash, without the approver's PIN (see the top of the file). */
static void refund_hash(const Kassa__V1__Refund *rf, SqlText *out)
{
	Kassa__V1__Refund copy = *rf;

	copy.approver_pin = (char *)"";
	sqltext_hash(out, &copy.base);
}

/* kassa_refund_read()'s columns: kind 0, texts 1-3, numbers n1-n12 4-15, flags f1-f4 16-19. */
#define COL_T(i) (i)
#define COL_N(i) (3 + (i))
#define COL_F(i) (15 + (i))

static int64_t row_n(const PGresult *res, int r, int i)
{
	return strtoll(PQgetvalue(res, r, COL_N(i)), NULL, 10);
}

static bool row_f(const PGresult *res, int r, int i)
{
	return PQgetvalue(res, r, COL_F(i))[0] == 't';
}

/* The sale as read, and the refund computed from it (step 4). */
typedef struct RefundCalc {
	const PGresult *res;		/* the read; its 's' row is row s */
	int s;
	RulesRefund r;
	const char *tier_after;		/* the member's tier as read, or a RuleSet name */
	int guard;			/* kassa_refund()'s p_guard: what the tier decision needs */
	int64_t spend_floor, earned_floor;	/* p_guard 1: the totals may not fall below */
} RefundCalc;

/* The lines and tenders of the read into k->r (arrays of PQntuples() each, the caller's). */
static bool calc_rows(Call *c, RefundCalc *k)
{
	const PGresult *res = k->res;

	for (int i = 0; i < PQntuples(res); i++) {
		char kind = PQgetvalue(res, i, 0)[0];

		if (kind == 'l') {
			RulesRefundLine *l = &k->r.lines[k->r.n_lines++];

			l->line_no = (int32_t)row_n(res, i, 1);
			l->net = row_n(res, i, 2);
			l->points_earned = row_n(res, i, 3);
			l->points_off = row_n(res, i, 4);
			l->gift_points = row_n(res, i, 5);
			l->refunded = row_f(res, i, 1);
		} else if (kind == 'd') {
			RulesRefundTender *t = &k->r.tenders[k->r.n_tenders++];

			t->tender_no = (int32_t)row_n(res, i, 1);
			t->kind = (int)row_n(res, i, 2);
			t->amount = row_n(res, i, 3);
			t->refunded = row_n(res, i, 4);
		}
	}
	if (k->r.n_lines > RULES_MAX_LINES || k->r.n_tenders > RULES_MAX_TENDERS) {
		log_call(c, LOG_LVL_ERROR, "could not refund sale %lld: %d lines, %d tenders",
			 (long long)c->req->refund->txn_id, k->r.n_lines, k->r.n_tenders);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
		return false;
	}
	return true;
}

/* rules_refund()'s refusals, as kassa_refund() used to raise them. */
static bool calc_status(Call *c, RulesRefundStatus st)
{
	switch (st) {
	case RULES_REFUND_OK:
		return true;
	case RULES_REFUND_BAD_LINE:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LINE",
			  "the sale has no such line");
		return false;
	case RULES_REFUND_ALREADY:
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "LINE_ALREADY_REFUNDED",
			  "that line has been refunded already");
		return false;
	case RULES_REFUND_OVER_TENDERS:
	case RULES_REFUND_BAD_INPUT:
		break;
	}
	log_call(c, LOG_LVL_ERROR,
		 "could not refund sale %lld: its lines and tenders do not add up",
		 (long long)c->req->refund->txn_id);
	call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "internal error");
	return false;
}

/* The tier after the refund, and the guard its decision needs (rules_refund_tier()). */
static void calc_tier(RefundCalc *k, const RuleSet *rs)
{
	const PGresult *res = k->res;
	const char *name = PQgetvalue(res, k->s, COL_T(2));
	int tier = ruleset_tier_index(rs, name);
	RulesRefundTier t = rules_refund_tier(&k->r, rs, tier, row_f(res, k->s, 3),
					      row_n(res, k->s, 12), row_f(res, k->s, 2),
					      row_n(res, k->s, rs->basis_points ? 11 : 10));

	k->tier_after = t.tier == tier ? name : rs->tiers[t.tier].name;
	k->guard = (int)t.guard;
	if (t.guard == RULES_REFUND_GUARD_FLOOR) {
		if (rs->basis_points)
			k->earned_floor = t.floor;
		else
			k->spend_floor = t.floor;
	}
}

/*
 * Step 4: refuse what the sale does not allow (as kassa_refund() did, in
 * the same order), then compute the refund. False if c has been answered.
 */
static bool refund_calc(Call *c, RefundCalc *k, const RuleSet *rs)
{
	const Kassa__V1__Refund *rf = c->req->refund;
	const PGresult *res = k->res;
	const RefundState *st = c->state;
	int32_t want[RULES_MAX_LINES];

	if (!row_f(res, k->s, 1)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "TRANSACTION_NOT_FOUND",
			  "no such transaction");
		return false;
	}
	if (strcmp(PQgetvalue(res, k->s, COL_T(1)), "sale") != 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "NOT_A_SALE",
			  "that transaction is not a sale (a stored-value top-up is not refunded)");
		return false;
	}
	if (row_n(res, k->s, 4) != c->sess->store_id && !row_f(res, k->s, 4)) {
		refund_denied(c, "OTHER_STORE");
		return false;
	}
	if (!calc_rows(c, k))
		return false;
	k->r.change = row_n(res, k->s, 5);
	k->r.points_redeemed = row_n(res, k->s, 6);
	k->r.points_value = row_n(res, k->s, 7);
	for (size_t i = 0; i < rf->n_line_nos; i++)
		want[i] = rf->line_nos[i];
	if (k->r.n_lines == 0) {	/* cannot happen: a sale has lines */
		return calc_status(c, rf->n_line_nos ? RULES_REFUND_BAD_LINE
						      : RULES_REFUND_ALREADY);
	}
	if (!calc_status(c, rules_refund(&k->r, want, (int)rf->n_line_nos)))
		return false;
	if (k->r.amount > rs->refund_approval_minor && (st == NULL || st->approved_by <= 0)) {
		refund_denied(c, "APPROVAL_REQUIRED");
		return false;
	}
	k->tier_after = PQgetvalue(res, k->s, COL_T(2));
	if (row_n(res, k->s, 8) > 0)
		calc_tier(k, rs);
	return true;
}

/* A number parameter. */
typedef struct Num {
	char s[24];
} Num;

static const char *num(Num *n, int64_t v)
{
	snprintf(n->s, sizeof(n->s), "%lld", (long long)v);
	return n->s;
}

/* The per-line and per-tender arrays of step 5. */
typedef struct RefundArrays {
	SqlText lines, amounts, clawbacks, restores, tender_nos, tender_amounts;
} RefundArrays;

static void arrays_build(RefundArrays *a, const RulesRefund *r)
{
	RefundArrays z = { SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT, SQLTEXT_INIT,
			   SQLTEXT_INIT };
	int32_t last = INT32_MIN;

	*a = z;
	sqltext_open(&a->lines);
	sqltext_open(&a->amounts);
	sqltext_open(&a->clawbacks);
	sqltext_open(&a->restores);
	for (int n = 0; n < r->n_taken; n++) {
		const RulesRefundLine *l = NULL;

		for (int i = 0; i < r->n_lines; i++)	/* the next taken line by number */
			if (r->lines[i].take && r->lines[i].line_no > last &&
			    (l == NULL || r->lines[i].line_no < l->line_no))
				l = &r->lines[i];
		last = l->line_no;
		sqltext_elem_int(&a->lines, l->line_no);
		sqltext_elem_int(&a->amounts, l->net);
		sqltext_elem_int(&a->clawbacks, l->points_earned);
		sqltext_elem_int(&a->restores, l->restore);
	}
	sqltext_close(&a->lines);
	sqltext_close(&a->amounts);
	sqltext_close(&a->clawbacks);
	sqltext_close(&a->restores);
	sqltext_open(&a->tender_nos);
	sqltext_open(&a->tender_amounts);
	for (int i = 0; i < r->n_tenders; i++)
		if (r->tenders[i].back > 0) {
			sqltext_elem_int(&a->tender_nos, r->tenders[i].tender_no);
			sqltext_elem_int(&a->tender_amounts, r->tenders[i].back);
		}
	sqltext_close(&a->tender_nos);
	sqltext_close(&a->tender_amounts);
}

static void arrays_free(RefundArrays *a)
{
	sqltext_free(&a->lines);
	sqltext_free(&a->amounts);
	sqltext_free(&a->clawbacks);
	sqltext_free(&a->restores);
	sqltext_free(&a->tender_nos);
	sqltext_free(&a->tender_amounts);
}

static void refund_db_cb(void *arg, DbStatus st, const PGresult *res);

/*
 * Step 5: kassa_refund() with the numbers, the guards (what the read saw)
 * and the approver, recorded only when the refund needed one.
 */
static void refund_send(Call *c, const RefundCalc *k, const RuleSet *rs)
{
	const Kassa__V1__Refund *rf = c->req->refund;
	const RefundState *st = c->state;
	const PGresult *res = k->res;
	/* points given back at this store expire from its business day */
	RuleDate today = checkout_till_store_day(c->sess->store_id, (int64_t)time(NULL));
	RuleDate exp = rules_lot_expiry(rs, &today);
	SqlText hash = SQLTEXT_INIT;
	RefundArrays a;
	Num n[16];
	char p_expires[16];
	int64_t approver = k->r.amount > rs->refund_approval_minor && st != NULL ?
			   st->approved_by : 0;

	refund_hash(rf, &hash);
	arrays_build(&a, &k->r);
	snprintf(p_expires, sizeof(p_expires), "%04d-%02d-%02d", exp.year, exp.month, exp.day);

	const char *params[30] = {
		num(&n[0], c->sess->store_id), num(&n[1], c->sess->till_id),
		num(&n[2], c->staff_id), c->req->idempotency_key, sqltext_str(&hash),
		num(&n[3], rf->txn_id), num(&n[4], rs->version),
		sqltext_str(&a.lines), sqltext_str(&a.amounts), sqltext_str(&a.clawbacks),
		sqltext_str(&a.restores), sqltext_str(&a.tender_nos),
		sqltext_str(&a.tender_amounts),
		num(&n[5], k->r.amount), num(&n[6], k->r.clawback), num(&n[7], k->r.restore),
		num(&n[8], k->r.wallet), num(&n[9], k->r.gift_back), k->r.completes ? "t" : "f",
		num(&n[10], approver), rf->reason, p_expires,
		PQgetvalue(res, k->s, COL_N(9)), PQgetvalue(res, k->s, COL_T(2)),
		row_f(res, k->s, 3) ? "t" : "f", num(&n[12], k->spend_floor),
		num(&n[13], k->earned_floor), num(&n[11], k->guard),
		PQgetvalue(res, k->s, COL_T(3)), k->tier_after,
	};

	db_query(st_refund, 30, params, refund_db_cb, c);
	sqltext_free(&hash);
	arrays_free(&a);
}

/* Step 4 on the read: compute and send, or refuse. */
static void refund_compute(Call *c, const PGresult *res, int s, const RuleSet *rs)
{
	int n = PQntuples(res);
	RefundCalc k = { .res = res, .s = s, .spend_floor = INT64_MIN, .earned_floor = INT64_MIN };

	k.r.lines = xcalloc((size_t)n, sizeof(*k.r.lines));
	k.r.tenders = xcalloc((size_t)n, sizeof(*k.r.tenders));
	if (refund_calc(c, &k, rs))
		refund_send(c, &k, rs);
	free(k.r.lines);
	free(k.r.tenders);
}

static void refund_json_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_db_ok(c, st, res))
		refund_reply_json(c, PQgetvalue(res, 0, 0));
}

/* Step 3's answer: a retry's first answer, a reused key, or the refund to compute. */
static void refund_read_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const RuleSet *rs = ruleset_current();
	int s = -1;
	char id[24];

	if (!call_db_ok(c, st, res))
		return;
	for (int r = 0; r < PQntuples(res) && s < 0; r++)
		if (PQgetvalue(res, r, 0)[0] == 's')
			s = r;
	if (s < 0 || PQnfields(res) != COL_F(4) + 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_REFUND_READ", "internal error");
		return;
	}
	switch (row_n(res, s, 1)) {
	case 1: {	/* a retry of a recorded refund: its first answer, before any check */
		const char *params[1] = { id };

		snprintf(id, sizeof(id), "%lld", (long long)row_n(res, s, 2));
		db_query(st_answer, 1, params, refund_json_cb, c);
		return;
	}
	case 2:
		call_fail(c, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED",
			  "this idempotency key was used for another request");
		return;
	}
	if ((row_n(res, s, 3) != rs->version ||
	     ((RefundState *)c->state)->read_version != rs->version) &&
	    c->attempts < REFUND_MAX_ATTEMPTS) {
		log_call(c, LOG_LVL_INFO,
			 "refund: the rule set changed since it was loaded; reloading");
		ruleset_reload(refund_rules_cb, c);
		return;
	}
	refund_compute(c, res, s, rs);
}

/* Step 3: kassa_refund_read(), one statement of plain rows. */
static void refund_read(Call *c)
{
	const Kassa__V1__Refund *rf = c->req->refund;
	const RuleSet *rs = ruleset_current();
	SqlText hash = SQLTEXT_INIT;
	Num n[4];
	char months[16];

	refund_hash(rf, &hash);
	snprintf(months, sizeof(months), "%d", (int)rs->downgrade_window_months);

	const char *params[7] = {
		num(&n[0], rf->txn_id), num(&n[1], c->sess->till_id), c->req->idempotency_key,
		sqltext_str(&hash), num(&n[2], c->staff_id), rs->basis_points ? "t" : "f", months,
	};

	refund_state(c)->read_version = rs->version;
	c->attempts++;
	db_query(st_read, 7, params, refund_read_cb, c);
	sqltext_free(&hash);
}

/* Step 5's answer. */
static void refund_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *why = st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA412") == 0 ?
			  db_errmsg(res) : "";

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (strcmp(why, "STALE_RULES") == 0 && c->attempts < REFUND_MAX_ATTEMPTS) {
		/* the limit or the tiers may have moved: the newest rule set, then again */
		log_call(c, LOG_LVL_INFO,
			 "refund: the rule set changed since it was loaded; reloading");
		ruleset_reload(refund_rules_cb, c);
		return;
	}
	if (strcmp(why, "STALE_REFUND") == 0) {
		if (c->attempts < REFUND_MAX_ATTEMPTS) {
			log_call(c, LOG_LVL_INFO,
				 "refund: the sale or its member changed since the read; again");
			refund_read(c);
		} else {
			call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "STALE_REFUND",
				  "the sale or its member changed while the refund was computed;"
				  " try again");
		}
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	refund_reply_json(c, PQgetvalue(res, 0, 0));
}

/* ---- step 2: the approver ---- */

/*
 * Step 2's answer. Locked, wrong PIN, unknown or not a manager here: one
 * answer for all, so that a cashier trying approver PINs learns nothing
 * but "not this one" (and the tries count towards the approver's lockout).
 */
static void approver_pin_done(Call *c, const PinResult *r)
{
	if (r->verdict != PIN_ACCEPTED) {
		log_call(c, LOG_LVL_INFO, "refund: approval by staff %lld refused at %s%s",
			 (long long)r->staff_id, c->sess->till_code,
			 r->verdict == PIN_LOCKED ? " (locked out)" : "");
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "APPROVAL_DENIED",
			  "approval refused: not a manager here, a wrong PIN, or locked out after"
			  " too many wrong PINs");
		return;
	}
	refund_state(c)->approved_by = r->staff_id;
	refund_rules(c);
}

void handle_refund(Call *c)
{
	Kassa__V1__Refund *rf = c->req->refund;

	if (!refund_check(c))
		return;
	if (rf->approver_staff_id == 0) {
		refund_rules(c);
		return;
	}
	/* wipes rf->approver_pin; refund_hash() leaves the PIN out anyway */
	pin_check(c, rf->approver_staff_id, rf->approver_pin, PIN_FOR_APPROVAL, approver_pin_done);
}

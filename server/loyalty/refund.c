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
 *   3. make sure the rule set is loaded: its refund_approval_minor is the
 *      limit above which a refund needs that approval;
 *   4. call kassa_refund() (migrations/0005_refunds.sql) as one prepared
 *      statement: under the member's and the sale's row locks it picks the
 *      lines, refuses another store's sale (OTHER_STORE), a line refunded
 *      before (LINE_ALREADY_REFUNDED) and an unapproved refund over the
 *      limit (APPROVAL_REQUIRED), then sends the money back per tender,
 *      claws back and restores points, restores coupons when the whole sale
 *      is refunded, lowers spend and tier, and returns the refund as JSON;
 *   5. answer with that JSON turned into a RefundRecord.
 *
 * The amount is known only in the database, so the PIN is checked whenever
 * approver fields are present and kassa_refund() decides whether the
 * approval was needed. A retry with the same key and body is answered from
 * the first refund's rows. The approver's PIN is not part of the request
 * hash stored with the idempotency key: a hash of a few digits and known
 * fields would give the PIN away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coupon_json.h"
#include "db.h"
#include "log.h"
#include "rules.h"
#include "rules_earn.h"
#include "ruleset_cache.h"
#include "core.h"
#include "loyalty.h"
#include "sqltext.h"
#include "staff.h"
#include "tender_json.h"

#define REFUND_REASON_MAX 200		/* characters a till may note */
#define REFUND_MAX_ATTEMPTS 3		/* STALE_RULES: reload and send again */

/* What a refund carries between its steps (Call.state). */
typedef struct RefundState {
	int64_t approved_by;		/* verified approver, 0 = none */
} RefundState;

static int st_refund;

void refund_setup(void)
{
	st_refund = db_stmt_add("refund",
		"SELECT kassa_refund($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
		log_error("could not parse a refund from the database: %s", err.text);
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

/* ---- steps 3 and 4: the rule set, then the one statement ---- */

static void refund_send(Call *c);

static void refund_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (ruleset_reload_ok(c, st, res))
		refund_send(c);
}

/* Step 3: the approval limit comes from the rule set; load it if need be. */
static void refund_rules(Call *c)
{
	if (ruleset_current() == NULL)
		ruleset_reload(refund_rules_cb, c);
	else
		refund_send(c);
}

/* kassa_refund()'s refusals that are about who asks, not about the sale. */
static void refund_denied(Call *c, const char *why)
{
	const RuleSet *rs = ruleset_current();

	if (strcmp(why, "APPROVAL_REQUIRED") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, why,
			  "a refund of more than %lld.%02lld needs a manager's staff id and PIN",
			  (long long)(rs->refund_approval_minor / 100),
			  (long long)(rs->refund_approval_minor % 100));
	else if (strcmp(why, "OTHER_STORE") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, why,
			  "this sale was made at another store; refund it there");
	else
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, why, "%s", why);
}

/* Step 4's answer. */
static void refund_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const char *state = st == DB_SQL_ERROR ? db_sqlstate(res) : "";

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (strcmp(state, "KA403") == 0) {
		refund_denied(c, db_errmsg(res));
		return;
	}
	if (strcmp(state, "KA412") == 0 && strcmp(db_errmsg(res), "STALE_RULES") == 0 &&
	    c->attempts < REFUND_MAX_ATTEMPTS) {
		/* the limit may have moved: read the newest rule set, then send again */
		log_info("refund: the rule set changed since it was loaded; reloading");
		ruleset_reload(refund_rules_cb, c);
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	refund_reply_json(c, PQgetvalue(res, 0, 0));
}

/* The request body's hash, without the approver's PIN (see the top of the file). */
static void refund_hash(const Kassa__V1__Refund *rf, SqlText *out)
{
	Kassa__V1__Refund copy = *rf;

	copy.approver_pin = (char *)"";
	sqltext_hash(out, &copy.base);
}

/* Step 4: kassa_refund() with the rule set's limit and the verified approver. */
static void refund_send(Call *c)
{
	const Kassa__V1__Refund *rf = c->req->refund;
	const RuleSet *rs = ruleset_current();
	const RefundState *st = c->state;
	const Session *s = c->sess;
	RuleDate today = loyalty_today(), exp = rules_lot_expiry(rs, &today);
	SqlText hash = SQLTEXT_INIT, lines = SQLTEXT_INIT;
	char p_store[24], p_till[24], p_staff[24], p_txn[24], p_approved[24], p_limit[24];
	char p_version[16], p_expires[16];

	refund_hash(rf, &hash);
	sqltext_open(&lines);
	for (size_t i = 0; i < rf->n_line_nos; i++)
		sqltext_elem_int(&lines, rf->line_nos[i]);
	sqltext_close(&lines);
	snprintf(p_store, sizeof(p_store), "%lld", (long long)s->store_id);
	snprintf(p_till, sizeof(p_till), "%lld", (long long)s->till_id);
	snprintf(p_staff, sizeof(p_staff), "%lld", (long long)c->staff_id);
	snprintf(p_txn, sizeof(p_txn), "%lld", (long long)rf->txn_id);
	snprintf(p_approved, sizeof(p_approved), "%lld",
		 (long long)(st != NULL ? st->approved_by : 0));
	snprintf(p_limit, sizeof(p_limit), "%lld", (long long)rs->refund_approval_minor);
	snprintf(p_version, sizeof(p_version), "%d", (int)rs->version);
	snprintf(p_expires, sizeof(p_expires), "%04d-%02d-%02d", exp.year, exp.month, exp.day);

	const char *params[12] = {
		p_store, p_till, p_staff, c->req->idempotency_key, sqltext_str(&hash), p_txn,
		sqltext_str(&lines), p_approved, p_limit, p_version, rf->reason, p_expires,
	};

	c->attempts++;
	db_query(st_refund, 12, params, refund_db_cb, c);
	sqltext_free(&hash);
	sqltext_free(&lines);
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
		log_info("refund: approval by staff %lld refused at %s%s", (long long)r->staff_id,
			 c->sess->till_code, r->verdict == PIN_LOCKED ? " (locked out)" : "");
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

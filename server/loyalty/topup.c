/* SPDX-License-Identifier: Apache-2.0 */
/*
 * topup.c: putting money on a member's stored-value wallet (储值), exactly
 * once per idempotency key.
 *
 *   1. check the request: a member, an amount of 0.01 .. TOPUP_MAX_MINOR,
 *      1-16 tenders of cash, card or e-wallet (stored value cannot pay for
 *      stored value; no card number in a reference) that cover the amount,
 *      change only from cash and at most [checkout] max_cash_change;
 *   2. the bonus from the rule set's topup_bonus tiers (the highest tier
 *      the amount reaches), with the rule set loaded if kassad has none;
 *   3. call kassa_topup() (migrations/functions/topup.sql) as one prepared
 *      statement: under the member's row lock it creates the wallet if
 *      needed, adds amount + bonus, writes the wallet ledger rows 'topup'
 *      and 'bonus' and records the top-up as a transaction of kind 'topup'
 *      with its tenders, so the drawer counts the money like a sale's;
 *   4. answer TopUpRecord from the JSON kassa_topup_answer() builds from
 *      the stored rows: a retry with the same key gets the same answer.
 *
 * The bonus depends on the rule version: kassa_topup() refuses a top-up
 * priced with an older version than the newest (STALE_PRICING) and this
 * file reloads the rule set and sends again, at most TOPUP_MAX_ATTEMPTS
 * times in all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "log.h"
#include "money.h"
#include "rules.h"
#include "rules_earn.h"
#include "ruleset_cache.h"
#include "core.h"
#include "loyalty.h"
#include "sqltext.h"
#include "tender_json.h"

#define TOPUP_MAX_TENDERS 16
#define TOPUP_MAX_MINOR 10000000LL	/* 100,000.00 in one top-up */
#define TOPUP_MAX_ATTEMPTS 3

static int st_topup;

void topup_setup(void)
{
	st_topup = db_stmt_add("topup",
		"SELECT kassa_topup($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
		DB_LANE_WORK);
}

static bool topup_check_tenders(Call *c)
{
	const Kassa__V1__TopUp *t = c->req->top_up;

	if (t->n_tenders == 0 || t->n_tenders > TOPUP_MAX_TENDERS) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TENDERS",
			  "a top-up has 1-%d tenders", TOPUP_MAX_TENDERS);
		return false;
	}
	for (size_t i = 0; i < t->n_tenders; i++) {
		const Kassa__V1__Tender *d = t->tenders[i];

		/* checked first: a sale's tender kind, but never a top-up's */
		if (d->kind == KASSA__V1__TENDER_KIND__TENDER_STORED_VALUE) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT,
				  "STORED_VALUE_NOT_ALLOWED",
				  "tender %zu: stored value cannot pay for a top-up", i + 1);
			return false;
		}
		if (!tender_check(c, i, d))
			return false;
	}
	return true;
}

/* Step 1: everything that can be checked without the database. */
static bool topup_check(Call *c)
{
	const Kassa__V1__TopUp *t = c->req->top_up;
	char max[MONEY_FMT_LEN];

	if (t->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER",
			  "a top-up needs a member id");
		return false;
	}
	if (t->amount_minor <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AMOUNT",
			  "the amount to top up must be positive");
		return false;
	}
	if (t->amount_minor > TOPUP_MAX_MINOR) {
		call_fail(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_TOO_LARGE",
			  "one top-up is at most %s",
			  money_format(TOPUP_MAX_MINOR, max, sizeof(max)));
		return false;
	}
	return topup_check_tenders(c);
}

/* Step 1b: the tenders cover the amount, change only from cash. */
static bool topup_settle(Call *c, int64_t *tendered, int64_t *change)
{
	const Kassa__V1__TopUp *t = c->req->top_up;
	int64_t amt[TOPUP_MAX_TENDERS], sum = 0;
	bool cash[TOPUP_MAX_TENDERS];
	char due[MONEY_FMT_LEN], got[MONEY_FMT_LEN];

	for (size_t i = 0; i < t->n_tenders; i++) {
		amt[i] = t->tenders[i]->amount_minor;
		cash[i] = t->tenders[i]->kind == KASSA__V1__TENDER_KIND__TENDER_CASH;
	}
	switch (rules_settle(t->amount_minor, amt, cash, (int)t->n_tenders, cf_max_cash_change,
			     tendered, change)) {
	case RULES_TENDER_OK:
		return true;
	case RULES_TENDER_CHANGE_TOO_LARGE:
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "CHANGE_TOO_LARGE",
			  "the cash is %s more than the top-up; change is at most %s: check "
			  "the amount typed", money_format(*change, got, sizeof(got)),
			  money_format(cf_max_cash_change, due, sizeof(due)));
		return false;
	case RULES_TENDER_SHORT:
		for (size_t i = 0; i < t->n_tenders; i++)
			if (!money_add(sum, amt[i], &sum))	/* SHORT: sum < amount */
				sum = INT64_MAX;
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "INSUFFICIENT_TENDER",
			  "the tenders (%s) do not cover the top-up (%s)",
			  money_format(sum, got, sizeof(got)),
			  money_format(t->amount_minor, due, sizeof(due)));
		return false;
	case RULES_TENDER_CHANGE_NOT_CASH:
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "CHANGE_WITHOUT_CASH",
			  "change can only be given from cash; card and e-wallet tenders "
			  "must not exceed the amount");
		return false;
	case RULES_TENDER_BAD_AMOUNT:
		break;
	}
	call_fail(c, KASSA__V1__STATUS_CODE__OUT_OF_RANGE, "AMOUNT_OVERFLOW",
		  "the tender amounts are too large");
	return false;
}

/* Step 4: the stored top-up as a TopUpRecord. */
static void topup_reply_json(Call *c, const char *text)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__TopUpRecord rec = KASSA__V1__TOP_UP_RECORD__INIT;
	json_t *root = json_loads(text, 0, NULL);
	const char *at;

	if (!json_is_object(root)) {
		log_call(c, LOG_LVL_ERROR, "could not parse a top-up from the database");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_TOPUP_JSON", "internal error");
		json_decref(root);
		return;
	}
	rec.topup_id = json_integer_value(json_object_get(root, "topup_id"));
	rec.member_id = json_integer_value(json_object_get(root, "member_id"));
	rec.amount_minor = json_integer_value(json_object_get(root, "amount"));
	rec.bonus_minor = json_integer_value(json_object_get(root, "bonus"));
	rec.stored_value_balance_minor = json_integer_value(json_object_get(root, "balance"));
	at = json_string_value(json_object_get(root, "created_at"));
	rec.created_at = (char *)(at ? at : "");
	resp.body_case = KASSA__V1__RESPONSE__BODY_TOP_UP_RECORD;
	resp.top_up_record = &rec;
	call_reply(c, &resp);
	json_decref(root);
}

static void topup_send(Call *c);

static void topup_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (ruleset_reload_ok(c, st, res))
		topup_send(c);
}

/* Step 3's answer; a stale rule set is reloaded and the top-up sent again. */
static void topup_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (st == DB_SQL_ERROR && c->attempts < TOPUP_MAX_ATTEMPTS &&
	    strcmp(db_sqlstate(res), "KA412") == 0 &&
	    strcmp(db_errmsg(res), "STALE_PRICING") == 0) {
		log_call(c, LOG_LVL_INFO, "top-up: the rule set changed; reloading");
		ruleset_reload(topup_rules_cb, c);
		return;
	}
	if (st != DB_OK) {
		call_fail_db(c, st, res);
		return;
	}
	topup_reply_json(c, PQgetvalue(res, 0, 0));
}

/* Steps 2 and 3: the bonus, then the one statement that records the top-up. */
static void topup_send(Call *c)
{
	const Kassa__V1__TopUp *t = c->req->top_up;
	const RuleSet *rs = ruleset_current();
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT, kinds = SQLTEXT_INIT, amounts = SQLTEXT_INIT;
	SqlText refs = SQLTEXT_INIT;
	char p_store[24], p_till[24], p_staff[24], p_member[24], p_amount[24], p_bonus[24];
	char p_version[16], p_tendered[24], p_change[24];
	int64_t tendered, change;

	if (rs == NULL) {
		ruleset_reload(topup_rules_cb, c);
		return;
	}
	if (!topup_settle(c, &tendered, &change))
		return;	/* cannot happen: handle_top_up() settled the same tenders */
	sqltext_hash(&hash, &t->base);
	sqltext_open(&kinds);
	sqltext_open(&amounts);
	sqltext_open(&refs);
	for (size_t i = 0; i < t->n_tenders; i++) {
		sqltext_elem_int(&kinds, (int64_t)t->tenders[i]->kind);
		sqltext_elem_int(&amounts, t->tenders[i]->amount_minor);
		sqltext_elem_str(&refs, t->tenders[i]->reference);
	}
	sqltext_close(&kinds);
	sqltext_close(&amounts);
	sqltext_close(&refs);
	snprintf(p_store, sizeof(p_store), "%lld", (long long)s->store_id);
	snprintf(p_till, sizeof(p_till), "%lld", (long long)s->till_id);
	snprintf(p_staff, sizeof(p_staff), "%lld", (long long)c->staff_id);
	snprintf(p_member, sizeof(p_member), "%lld", (long long)t->member_id);
	snprintf(p_amount, sizeof(p_amount), "%lld", (long long)t->amount_minor);
	snprintf(p_bonus, sizeof(p_bonus), "%lld",
		 (long long)rules_topup_bonus(rs, t->amount_minor));
	snprintf(p_version, sizeof(p_version), "%d", (int)rs->version);
	snprintf(p_tendered, sizeof(p_tendered), "%lld", (long long)tendered);
	snprintf(p_change, sizeof(p_change), "%lld", (long long)change);

	const char *params[14] = {
		p_store, p_till, p_staff, c->req->idempotency_key, sqltext_str(&hash), p_member,
		p_amount, p_bonus, p_version, sqltext_str(&kinds), sqltext_str(&amounts),
		sqltext_str(&refs), p_tendered, p_change,
	};

	c->attempts++;
	db_query(st_topup, 14, params, topup_db_cb, c);
	sqltext_free(&hash);
	sqltext_free(&kinds);
	sqltext_free(&amounts);
	sqltext_free(&refs);
}

void handle_top_up(Call *c)
{
	int64_t tendered, change;

	if (!topup_check(c) || !topup_settle(c, &tendered, &change))
		return;
	topup_send(c);
}

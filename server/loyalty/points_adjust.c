/* SPDX-License-Identifier: Apache-2.0 */
/*
 * points_adjust.c: PointsAdjust: a manager's (or an administrator's)
 * correction of a member's points, with a reason people can read.
 *
 * kassad checks the request (points not 0, at most POINTS_ADJUST_MAX either
 * way, a reason of 1-200 characters on one line), reads the rule set in
 * force and computes the expiry day added points get exactly as earned
 * points do (rules_lot_expiry(), the pure rules_earn.c, with today in
 * kassad's zone); then one call of kassa_points_adjust()
 * (migrations/functions/points_adjust.sql) writes the 'adjust' ledger row,
 * the new lot or the draw from the lots that expire first, the balance
 * and the audit row 'points.adjust' with the reason, in one transaction,
 * exactly once per idempotency key. Taking more points than the member
 * has is FAILED_PRECONDITION INSUFFICIENT_POINTS: a balance never goes
 * below zero by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "loyalty_config.h"
#include "rules_earn.h"
#include "ruleset_cache.h"

#define POINTS_ADJUST_MAX 1000000
#define POINTS_REASON_MAX 200		/* characters */

static int st_adjust;

void points_adjust_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 member $6 points $7 reason $8 expires_on */
	st_adjust = db_stmt_add("points_adjust",
		"SELECT r_entry_id, r_points, r_balance"
		" FROM kassa_points_adjust($1, $2, $3, $4, $5, $6, $7, $8::date)", DB_LANE_WORK);
}

static void adjusted_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PointsAdjusted ok = KASSA__V1__POINTS_ADJUSTED__INIT;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	ok.member_id = c->req->points_adjust->member_id;
	ok.entry_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	ok.points = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	ok.points_balance = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	resp.body_case = KASSA__V1__RESPONSE__BODY_POINTS_ADJUSTED;
	resp.points_adjusted = &ok;
	call_reply(c, &resp);
}

/* The rule set in force is loaded: the expiry of added points, then the change. */
static void adjust_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__PointsAdjust *q = c->req->points_adjust;
	RuleDate today, exp;
	char member[24], points[24], expires[16];
	LoyaltyConfigParams ap;

	if (!ruleset_reload_ok(c, st, res))
		return;
	today = loyalty_today();
	exp = rules_lot_expiry(ruleset_current(), &today);
	snprintf(expires, sizeof(expires), "%04d-%02d-%02d", exp.year, exp.month, exp.day);
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(points, sizeof(points), "%lld", (long long)q->points);
	loyalty_config_params_init(&ap, c, &q->base);

	const char *params[8] = {
		ap.till, ap.staff, c->req->idempotency_key, sqltext_str(&ap.hash),
		member, points, q->reason, expires,
	};
	db_query(st_adjust, 8, params, adjusted_cb, c);
	loyalty_config_params_free(&ap);
}

void handle_points_adjust(Call *c)
{
	const Kassa__V1__PointsAdjust *q = c->req->points_adjust;
	size_t reason = loyalty_config_text_chars(q->reason);

	if (q->member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER", "%s",
			  _("give the member's id"));
		return;
	}
	if (q->points == 0 || q->points > POINTS_ADJUST_MAX || q->points < -POINTS_ADJUST_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_POINTS",
			  _("an adjustment is 1 to %d points, added or taken away"),
			  POINTS_ADJUST_MAX);
		return;
	}
	if (reason < 1 || reason > POINTS_REASON_MAX || strspn(q->reason, " ") == strlen(q->reason) ||
	    loyalty_config_has_control(q->reason)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON",
			  _("give a reason of 1 to %d characters on one line"), POINTS_REASON_MAX);
		return;
	}
	/* kassad's copy may be older than the rule set in force */
	ruleset_reload(adjust_rules_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c: MemberMerge: one customer's two records become one. An
 * administrator names the record to keep, the one to merge into it and a
 * reason; kassad checks the ids and the reason's length, then one prepared
 * call of kassa_member_merge() (migrations/functions/member_merge.sql)
 * locks both member rows in member_id order and moves sales, refunds,
 * points ledger and lots, coupons, the wallet and its ledger, feedback,
 * birthday-coupon records and the care rows to the survivor, adds the
 * balances and spend, recomputes both members' analytics rows, leaves the
 * merged record a tombstone (merged_into) and audits 'member.merge' with
 * the counts, exactly once per idempotency key. After it commits, a sale
 * naming the merged record is refused MEMBER_MERGED (triggers), and a
 * till's look-up by its phone or card answers the survivor (member.c).
 * The survivor keeps its tier; the next checkout re-evaluates it from the
 * summed spend (rules_tier.c), see docs/care/merge.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "members.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"

#define MERGE_REASON_MAX 500		/* characters, as kassa_member_merge checks */

static int st_merge;

void member_merge_setup(void)
{
	/*
	 * $1 till, $2 key, $3 hash, $4 staff, $5 keep, $6 merge, $7 reason,
	 * $8..$10 the [analytics] rfm_window_days, new_days, lost_days.
	 */
	st_merge = db_stmt_add("member_merge",
		"SELECT keep_member_id, merged_member_id, transactions, points_entries,"
		" wallet_entries, coupons, feedback, points_balance, stored_value_minor"
		" FROM kassa_member_merge($1, $2, $3::bytea, $4, $5, $6, $7, $8, $9, $10)",
		DB_LANE_WORK);
}

/* The merge's own refusals, in words; false if res is not one of them. */
static bool merge_refused(Call *c, DbStatus st, const PGresult *res)
{
	const char *m;

	if (st != DB_SQL_ERROR)
		return false;
	m = db_errmsg(res);
	if (strcmp(m, "MEMBER_ERASED_MERGE") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, m, "%s",
			  _("an erased member cannot be merged"));
	else if (strcmp(m, "MEMBER_ALREADY_MERGED") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, m, "%s",
			  _("one of the two members has been merged already"));
	else if (strcmp(m, "CURRENCY_MISMATCH") == 0)
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, m, "%s",
			  _("the two members keep their money in different currencies"));
	else
		return false;
	return true;
}

static void merge_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberMerged ok = KASSA__V1__MEMBER_MERGED__INIT;
	int64_t *f[9] = {
		&ok.keep_member_id, &ok.merged_member_id, &ok.transactions, &ok.points_entries,
		&ok.wallet_entries, &ok.coupons, &ok.feedback, &ok.points_balance,
		&ok.stored_value_minor,
	};

	if (!call_is_orphan(c) && merge_refused(c, st, res))
		return;
	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		log_call(c, LOG_LVL_ERROR, "member merge: no row for a replayed key");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	for (int i = 0; i < 9; i++)
		*f[i] = strtoll(PQgetvalue(res, 0, i), NULL, 10);
	log_call(c, LOG_LVL_INFO, "member %lld merged into %lld (%lld sales moved)",
		 (long long)ok.merged_member_id, (long long)ok.keep_member_id,
		 (long long)ok.transactions);
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_MERGED;
	resp.member_merged = &ok;
	call_reply(c, &resp);
}

void handle_member_merge(Call *c)
{
	const Kassa__V1__MemberMerge *q = c->req->member_merge;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], keep[24], merge[24], win[16], nd[16], ld[16];
	size_t rlen = strlen(q->reason);

	if (q->keep_member_id <= 0 || q->merge_member_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_MEMBER_ID", "%s",
			  _("name the member to keep and the member to merge by their ids"));
		return;
	}
	if (q->keep_member_id == q->merge_member_id) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "SAME_MEMBER", "%s",
			  _("a member cannot be merged into themselves"));
		return;
	}
	if (rlen == 0 || !utf8_is_valid(q->reason, rlen) || rlen > 4 * MERGE_REASON_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_REASON", "%s",
			  _("give a reason of 1-500 characters without control characters"));
		return;
	}
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(keep, sizeof(keep), "%lld", (long long)q->keep_member_id);
	snprintf(merge, sizeof(merge), "%lld", (long long)q->merge_member_id);
	snprintf(win, sizeof(win), "%d", cf_rfm_window_days);
	snprintf(nd, sizeof(nd), "%d", cf_rfm_new_days);
	snprintf(ld, sizeof(ld), "%d", cf_rfm_lost_days);

	const char *params[10] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, keep, merge, q->reason,
		win, nd, ld,
	};
	db_query(st_merge, 10, params, merge_db_cb, c);
	sqltext_free(&hash);
}

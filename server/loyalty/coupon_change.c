/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coupon_change.c: CouponDefChange (administrators): deactivate a coupon
 * definition, or edit it.
 *
 * Deactivating stops new issues of it (no claim by code, no issue by hand,
 * no registration or birthday coupon); the coupons already issued stay
 * usable until their own validity ends, since a member who holds a coupon
 * expects it to work. An edit is a new definition, checked exactly as
 * CouponDefine checks one (coupon_define_params(), loyalty_config_coupons.c),
 * that replaces the old: the old is deactivated and names the new in
 * replaced_by, and new issues use the new one (a claim code kept the same
 * moves to it); coupons already issued keep the definition they were
 * issued under. Both are one call of kassa_coupon_def_change()
 * (migrations/functions/coupon_change.sql) in one transaction, exactly
 * once per idempotency key, audited, and marked by a new rule version, so
 * the rule set kassad has cached is seen to be stale at the next sale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "loyalty_config.h"

static int st_change;

void coupon_change_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 def_id $6 edit, then the definition's 14 */
	st_change = db_stmt_add("coupon_def_change",
		"SELECT r_def_id, r_new_def_id FROM kassa_coupon_def_change($1, $2, $3, $4, $5, $6,"
		" $7, $8, $9, $10, $11, $12, $13, nullif($14, '')::date, nullif($15, '')::date,"
		" $16, $17, $18, $19, $20)", DB_LANE_WORK);
}

static void coupon_changed_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__CouponDefChanged ok = KASSA__V1__COUPON_DEF_CHANGED__INIT;

	if (coupon_claim_taken(c, st, res) || !call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	ok.def_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	ok.new_def_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	resp.body_case = KASSA__V1__RESPONSE__BODY_COUPON_DEF_CHANGED;
	resp.coupon_def_changed = &ok;
	call_reply(c, &resp);
}

void handle_coupon_def_change(Call *c)
{
	const Kassa__V1__CouponDefChange *q = c->req->coupon_def_change;
	static const char *const none[COUPON_DEF_NPARAMS] = {
		"", "fixed", "0", "0", "0", "", "0", "", "", "0", "0", "false", "manual", "",
	};
	const char *params[6 + COUPON_DEF_NPARAMS];
	CouponDefParams dp;
	LoyaltyConfigParams ap;
	char def[24];

	if (q->def_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_DEF_ID", "%s",
			  _("name the coupon definition by its id"));
		return;
	}
	if (q->deactivate == (q->replacement != NULL)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CHANGE", "%s",
			  _("either deactivate the coupon definition or give its replacement"));
		return;
	}
	if (q->replacement != NULL && !coupon_define_params(c, q->replacement, &dp))
		return;
	snprintf(def, sizeof(def), "%lld", (long long)q->def_id);
	loyalty_config_params_init(&ap, c, &q->base);
	params[0] = ap.till;
	params[1] = ap.staff;
	params[2] = c->req->idempotency_key;
	params[3] = sqltext_str(&ap.hash);
	params[4] = def;
	params[5] = q->replacement != NULL ? "true" : "false";
	memcpy(params + 6, q->replacement != NULL ? dp.p : none, sizeof(none));
	db_query(st_change, 6 + COUPON_DEF_NPARAMS, params, coupon_changed_cb, c);
	loyalty_config_params_free(&ap);
}

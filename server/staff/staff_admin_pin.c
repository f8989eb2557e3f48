/* SPDX-License-Identifier: Apache-2.0 */
/*
 * staff_admin_pin.c: StaffPinReset and StaffPinChange (store operations,
 * part "org").
 *
 * StaffPinReset: a manager of the staff member's store (the till's), or an
 * administrator, sets a new PIN; the lockout (pin.c) is lifted with it.
 *   1. the form (a staff id, a new PIN of 4-12 digits);
 *   2. the new PIN is hashed on a worker thread (staff_admin_hash_pin());
 *   3. kassa_staff_pin_set() (functions/staff_admin.sql) guards, writes
 *      the hash and the 'staff.pin_reset' audit row, exactly once.
 *
 * StaffPinChange: the staff member logged in changes their own PIN.
 *   1. the form of both PINs, before anything else: an empty request is
 *      INVALID_ARGUMENT and no PIN attempt;
 *   2. has this idempotency key been used for a PIN change? Then the old
 *      PIN is not checked again (it is no longer the PIN) and step 5
 *      answers from the first request;
 *   3. the old PIN goes through the tree's one PIN check (pin_check(), as
 *      a Login: a wrong one counts towards the lockout);
 *   4. the new PIN is hashed on a worker thread;
 *   5. kassa_staff_pin_set() writes it and 'staff.pin_change', exactly once.
 *
 * Neither PIN is logged, audited or kept in the request hash of the key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "i18n.h"
#include "staff.h"
#include "staff_admin.h"
#include "staff_admin_job.h"

static int st_set, st_seen;

void staff_admin_pin_setup(void)
{
	/* $1 till $2 caller $3 admin? $4 till's store $5 key $6 hash $7 staff $8 PIN hash $9 self */
	st_set = db_stmt_add("staff_pin_set",
		"SELECT * FROM kassa_staff_pin_set($1, $2, $3::boolean, $4, $5, $6::bytea, $7, $8,"
		" $9::boolean)", DB_LANE_WORK);
	st_seen = db_stmt_add("staff_pin_change_seen",
		"SELECT 1 FROM idempotency WHERE till_id = $1::bigint AND key = $2"
		" AND kind = 'staff_pin_change'", DB_LANE_QUICK);
}

static void pin_set_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) == 1)
		log_call(c, LOG_LVL_INFO, "PIN of staff %s %s by staff %lld%s", PQgetvalue(res, 0, 0),
			 c->req->body_case == KASSA__V1__REQUEST__BODY_STAFF_PIN_CHANGE ? "changed" :
			 "reset", (long long)c->staff_id,
			 strcmp(PQgetvalue(res, 0, 7), "t") == 0 ? " (was locked out)" : "");
	staff_admin_reply_member(c, res, false);
}

/* The last step of both: one call of kassa_staff_pin_set(). */
static void pin_set_send(Call *c, int64_t staff_id, const char *pin_hash, bool self)
{
	StaffAdminParams p;
	char staff[24];

	if (self) {
		Kassa__V1__StaffPinChange blank = *c->req->staff_pin_change;

		blank.old_pin = blank.new_pin = (char *)"";
		staff_admin_params(&p, c, &blank.base);
	} else {
		Kassa__V1__StaffPinReset blank = *c->req->staff_pin_reset;

		blank.new_pin = (char *)"";
		staff_admin_params(&p, c, &blank.base);
	}
	snprintf(staff, sizeof(staff), "%lld", (long long)staff_id);

	const char *params[9] = {
		p.till, p.caller, p.admin, p.store, c->req->idempotency_key, sqltext_str(&p.hash),
		staff, pin_hash, self ? "t" : "f",
	};
	db_query(st_set, 9, params, pin_set_cb, c);
	staff_admin_params_free(&p);
}

/* ---- StaffPinReset ---- */

/* 3. */
static void reset_hashed(Call *c, const char *hash)
{
	pin_set_send(c, c->req->staff_pin_reset->staff_id, hash, false);
}

/* 1, 2. */
void handle_staff_pin_reset(Call *c)
{
	Kassa__V1__StaffPinReset *q = c->req->staff_pin_reset;

	if (q->staff_id <= 0) {
		sodium_memzero(q->new_pin, strlen(q->new_pin));
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF_ID", "%s",
			  _("give the staff id whose PIN to reset"));
		return;
	}
	if (!staff_admin_pin_form(q->new_pin)) {
		sodium_memzero(q->new_pin, strlen(q->new_pin));
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PIN", "%s",
			  _("a PIN is 4-12 digits"));
		return;
	}
	staff_admin_hash_pin(c, q->new_pin, reset_hashed);
}

/* ---- StaffPinChange ---- */

/* 5. */
static void change_hashed(Call *c, const char *hash)
{
	pin_set_send(c, c->staff_id, hash, true);
}

/* 3 done: a right old PIN goes on to hash the new one. */
static void change_checked(Call *c, const PinResult *r)
{
	Kassa__V1__StaffPinChange *q = c->req->staff_pin_change;

	if (r->verdict == PIN_ACCEPTED) {
		staff_admin_hash_pin(c, q->new_pin, change_hashed);
		return;
	}
	sodium_memzero(q->new_pin, strlen(q->new_pin));
	if (r->verdict == PIN_LOCKED)
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED",
			  "staff %lld is locked until %s after too many wrong PINs; a manager can"
			  " unlock", (long long)r->staff_id, r->locked_until);
	else
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "WRONG_PIN", "%s",
			  _("the old PIN is wrong"));
}

/* 2 done: a retry of a change that went through is answered without a PIN check. */
static void change_seen_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__StaffPinChange *q;

	if (!call_db_ok(c, st, res))
		return;
	q = c->req->staff_pin_change;
	if (PQntuples(res) > 0) {
		sodium_memzero(q->old_pin, strlen(q->old_pin));
		sodium_memzero(q->new_pin, strlen(q->new_pin));
		pin_set_send(c, c->staff_id, NULL, true);
		return;
	}
	pin_check(c, c->staff_id, q->old_pin, PIN_FOR_LOGIN, change_checked);
}

/* 1. */
void handle_staff_pin_change(Call *c)
{
	Kassa__V1__StaffPinChange *q = c->req->staff_pin_change;
	char till[24];
	const char *why = NULL;

	if (!staff_admin_pin_form(q->old_pin))
		why = "BAD_OLD_PIN";
	else if (!staff_admin_pin_form(q->new_pin))
		why = "BAD_PIN";
	else if (strcmp(q->old_pin, q->new_pin) == 0)
		why = "SAME_PIN";
	if (why != NULL || c->staff_id <= 0) {
		sodium_memzero(q->old_pin, strlen(q->old_pin));
		sodium_memzero(q->new_pin, strlen(q->new_pin));
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, why ? why : "LOGIN_REQUIRED",
			  "%s", why && strcmp(why, "SAME_PIN") == 0 ?
			  _("the new PIN must differ from the old one") :
			  _("give the old PIN and a new one of 4-12 digits"));
		return;
	}
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);

	const char *params[2] = { till, c->req->idempotency_key };
	db_query(st_seen, 2, params, change_seen_cb, c);
}

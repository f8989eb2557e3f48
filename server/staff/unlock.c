/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unlock.c: StaffUnlock. A manager lifts the lockout (pin.c) of a staff
 * member of the till's store; an administrator, of anyone. The count of
 * wrong PINs starts again from 0 whether or not the member was locked.
 *
 * One prepared call of kassa_staff_unlock() (migrations/functions/
 * staff.sql) does it all, exactly once: it claims the idempotency key
 * (kassa_idem_claim), locks the staff row, resets it and writes the
 * 'staff.unlock' audit row, from which a retry is answered the same. The
 * same key with another body is refused (KA409).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "core.h"
#include "sqltext.h"
#include "staff.h"

static int st_unlock;

void unlock_setup(void)
{
	/*
	 * $1 till, $2 key, $3 the request's hash, $4 staff to unlock, $5 the
	 * caller is an admin, $6 the till's store, $7 the caller.
	 */
	st_unlock = db_stmt_add("staff_unlock",
		"SELECT * FROM kassa_staff_unlock($1, $2, $3::bytea, $4, $5, $6, $7)",
		DB_LANE_WORK);
}

static void unlock_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StaffUnlock *u = c->req->staff_unlock;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StaffUnlocked ok = KASSA__V1__STAFF_UNLOCKED__INIT;
	bool replay;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "STAFF_NOT_FOUND",
			  "no staff member %lld at this store", (long long)u->staff_id);
		return;
	}
	replay = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	ok.staff_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	ok.was_locked = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (!replay)
		log_call(c, LOG_LVL_INFO, "staff %lld unlocked by staff %lld at %s%s",
			 (long long)ok.staff_id, (long long)c->staff_id, c->sess->till_code,
			 ok.was_locked ? "" : " (was not locked)");
	resp.body_case = KASSA__V1__RESPONSE__BODY_STAFF_UNLOCKED;
	resp.staff_unlocked = &ok;
	call_reply(c, &resp);
}

void handle_staff_unlock(Call *c)
{
	const Kassa__V1__StaffUnlock *u = c->req->staff_unlock;
	const Session *s = c->sess;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24], store[24], caller[24];

	if (u->staff_id <= 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STAFF_ID",
			  "give the staff id to unlock");
		return;
	}
	sqltext_hash(&hash, &u->base);
	snprintf(till, sizeof(till), "%lld", (long long)s->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)u->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)s->store_id);
	snprintf(caller, sizeof(caller), "%lld", (long long)c->staff_id);

	const char *params[7] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff,
		(c->role & ROLE_ADMIN) ? "t" : "f", store, caller,
	};
	db_query(st_unlock, 7, params, unlock_db_cb, c);
	sqltext_free(&hash);
}

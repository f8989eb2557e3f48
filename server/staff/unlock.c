/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unlock.c: StaffUnlock. A manager lifts the lockout (pin.c) of a staff
 * member of the till's store; an administrator, of anyone. The count of
 * wrong PINs starts again from 0 whether or not the member was locked.
 *
 * One prepared statement does it all, exactly once: it looks the
 * idempotency key up, and if the key is new, locks the staff row
 * (FOR UPDATE, so that a lockout being written at the same moment is seen),
 * resets it with one guarded UPDATE, writes the 'staff.unlock' audit row
 * and records the key with that row's audit_id, from which a retry is
 * answered the same. The same key with another body is refused.
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
	 * $1 till, $2 key, $3 staff to unlock, $4 the caller is an admin,
	 * $5 the till's store, $6 the caller, $7 the request's hash. The
	 * answer is one row: ('done' | 'replay' | 'reused', staff_id,
	 * was_locked), or none when there is no such staff member here.
	 */
	st_unlock = db_stmt_add("staff_unlock",
		"WITH prev AS (SELECT kind, request_hash, result_id FROM idempotency"
		"  WHERE till_id = $1::bigint AND key = $2::text),"
		" old AS (SELECT staff_id, coalesce(locked_until > now(), false) AS was_locked,"
		"   failed_pins, locked_until FROM staff"
		"  WHERE staff_id = $3::bigint AND ($4::boolean OR store_id = $5::bigint)"
		"   AND NOT EXISTS (SELECT 1 FROM prev) FOR UPDATE),"
		" u AS (UPDATE staff s SET failed_pins = 0, locked_until = NULL FROM old"
		"  WHERE s.staff_id = old.staff_id RETURNING s.staff_id),"
		" a AS (INSERT INTO audit_log (staff_id, till_id, action, subject, detail)"
		"  SELECT $6::bigint, $1::bigint, 'staff.unlock', 'staff:' || staff_id,"
		"   jsonb_build_object('was_locked', was_locked, 'failures', failed_pins,"
		"    'locked_until', locked_until)"
		"  FROM old RETURNING audit_id),"
		" i AS (INSERT INTO idempotency (till_id, key, kind, request_hash, result_id)"
		"  SELECT $1::bigint, $2::text, 'staff_unlock', $7::bytea, audit_id FROM a"
		"  RETURNING 1)"
		" SELECT 'done', staff_id, was_locked FROM old"
		" UNION ALL"
		" SELECT CASE WHEN p.kind = 'staff_unlock' AND p.request_hash = $7::bytea"
		"   AND al.audit_id IS NOT NULL THEN 'replay' ELSE 'reused' END,"
		"  coalesce(split_part(al.subject, ':', 2)::bigint, 0),"
		"  coalesce((al.detail->>'was_locked')::boolean, false)"
		" FROM prev p LEFT JOIN audit_log al ON al.audit_id = p.result_id"
		"  AND al.action = 'staff.unlock'",
		DB_LANE_QUICK);
}

static void unlock_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	const Kassa__V1__StaffUnlock *u = c->req->staff_unlock;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StaffUnlocked ok = KASSA__V1__STAFF_UNLOCKED__INIT;
	const char *outcome;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "STAFF_NOT_FOUND",
			  "no staff member %lld at this store", (long long)u->staff_id);
		return;
	}
	outcome = PQgetvalue(res, 0, 0);
	if (strcmp(outcome, "reused") == 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED",
			  "this idempotency key was used for another request");
		return;
	}
	ok.staff_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	ok.was_locked = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (strcmp(outcome, "done") == 0)
		log_info("staff %lld unlocked by staff %lld at %s%s", (long long)ok.staff_id,
			 (long long)c->staff_id, c->sess->till_code,
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
		till, c->req->idempotency_key, staff, (c->role & ROLE_ADMIN) ? "t" : "f", store,
		caller, sqltext_str(&hash),
	};
	db_query(st_unlock, 7, params, unlock_db_cb, c);
	sqltext_free(&hash);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin.c: the one PIN check of kassad, for a Login (login.c) and for a
 * manager's approval (server/loyalty/refund.c) alike, and the lockout
 * that ends guessing: after [staff] lockout_failures wrong PINs in a row,
 * whichever way they were tried, a staff member is locked out for
 * lockout_seconds, during which even the right PIN is refused. A right
 * PIN sets the count back to 0; a manager unlocks (unlock.c). The count
 * and the lock are columns of staff (migrations/0008_staff_lockout.sql),
 * so they hold across connections, tills and kassad processes.
 *
 * Every attempt walks the same steps, so that neither its answer nor its
 * time tells an unknown staff id, a wrong PIN, a staff member who may not
 * do this here and a locked one apart (a Login does say "locked", which
 * tells nothing of the PIN):
 *
 *   1. read the staff row (pin_staff);
 *   2. verify the PIN on a worker thread (argon2id is slow on purpose)
 *      against the row's hash, or a dummy hash when there is no usable
 *      row; the worker wipes its copy of the PIN when done;
 *   3. one guarded UPDATE: a right PIN resets the count (pin_reset, only
 *      while not locked, so a lock that a concurrent attempt has just set
 *      wins); a wrong PIN (or an unknown id, which matches no row) adds to
 *      it (pin_fail, only while not locked), locking at the limit; the
 *      same statement writes the audit row ('staff.login' for a Login
 *      that passes, 'staff.pin_wrong' for a wrong PIN that counted,
 *      'staff.lockout' for the one that locks);
 *   4. hand the verdict to the caller's callback.
 *
 * While the check runs its PinCheck is the Call's state (c->state, freed
 * with the Call if the database fails, the worker queue is full or the
 * till goes away); it is taken back just before the caller's callback,
 * which gets a Call with no state and may give it its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "core.h"
#include "staff.h"
#include "worker.h"

typedef struct PinCheck {
	Call *call;			/* borrowed: the request this check is for (its state) */
	PinDoneFn done;			/* the caller's callback */
	PinPurpose purpose;
	int64_t staff_id;
	char id[24];			/* staff_id as a statement parameter */
	char pin[STAFF_PIN_MAX + 1];	/* wiped by the worker once hashed */
	char hash[crypto_pwhash_STRBYTES]; /* the row's argon2id hash, or the dummy */
	char name[128];
	char locked_until[8];		/* "HH:MM" read in step 1, or "" */
	Role role;
	bool exists;			/* a staff row has this id */
	bool allowed;			/* active, of this store or head office, role fits */
	bool real_hash;			/* hash is the row's, not the dummy */
	bool right;			/* set by the worker: the PIN matches the row's hash */
} PinCheck;

static int st_staff, st_reset, st_fail;
static char dummy_hash[crypto_pwhash_STRBYTES];

bool staff_setup(void)
{
	unlock_setup();
	st_staff = db_stmt_add("pin_staff",
		"SELECT name, role, pin_hash, active, store_id, locked_until > now(),"
		" coalesce(to_char(locked_until, 'HH24:MI'), '')"
		" FROM staff WHERE staff_id = $1::bigint",
		DB_LANE_QUICK);
	/* A Login that passes ($2 its till; NULL for an approval) is audited by this statement. */
	st_reset = db_stmt_add("pin_reset",
		"WITH u AS (UPDATE staff SET failed_pins = 0, locked_until = NULL"
		" WHERE staff_id = $1::bigint AND (locked_until IS NULL OR locked_until <= now())"
		" RETURNING staff_id),"
		" a AS (INSERT INTO audit_log (staff_id, till_id, action, subject)"
		"  SELECT staff_id, $2::bigint, 'staff.login', 'staff:' || staff_id"
		"  FROM u WHERE $2::bigint IS NOT NULL RETURNING audit_id)"
		" SELECT staff_id FROM u",
		DB_LANE_QUICK);
	/*
	 * A lock that has run out starts the count again at 1. The same
	 * statement writes the attempt's audit row: 'staff.lockout' when it
	 * locks, else 'staff.pin_wrong' (with the count so far).
	 */
	st_fail = db_stmt_add("pin_fail",
		"WITH u AS (UPDATE staff SET"
		"  failed_pins = CASE WHEN locked_until IS NULL THEN failed_pins + 1 ELSE 1 END,"
		"  locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_pins + 1"
		"   ELSE 1 END) >= $2::integer THEN now() + make_interval(secs => $3::integer) END"
		" WHERE staff_id = $1::bigint AND (locked_until IS NULL OR locked_until <= now())"
		" RETURNING staff_id, failed_pins, locked_until),"
		" a AS (INSERT INTO audit_log (staff_id, till_id, action, subject, detail)"
		"  SELECT $4::bigint, $5::bigint, CASE WHEN locked_until IS NOT NULL"
		"   THEN 'staff.lockout' ELSE 'staff.pin_wrong' END, 'staff:' || staff_id,"
		"   jsonb_build_object('failures', failed_pins, 'locked_until', locked_until,"
		"    'via', $6::text)"
		"  FROM u RETURNING audit_id)"
		" SELECT failed_pins, locked_until IS NOT NULL,"
		"  coalesce(to_char(locked_until, 'HH24:MI'), '') FROM u",
		DB_LANE_QUICK);
	if (crypto_pwhash_str(dummy_hash, "not-a-pin", 9, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_error("could not compute the dummy PIN hash");
		return false;
	}
	return true;
}

static Role role_parse(const char *s)
{
	if (strcmp(s, "cashier") == 0)
		return ROLE_CASHIER;
	if (strcmp(s, "manager") == 0)
		return ROLE_MANAGER;
	if (strcmp(s, "analyst") == 0)
		return ROLE_ANALYST;
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	return ROLE_NONE;
}

static const char *pin_via(PinPurpose p)
{
	return p == PIN_FOR_APPROVAL ? "approval" : "login";
}

/* The Call's state_free while the check runs. */
static void pin_free(void *p)
{
	PinCheck *pc = p;

	sodium_memzero(pc, sizeof(*pc));
	free(pc);
}

/*
 * Step 4: the verdict; an attempt is LOCKED only for someone who could pass
 * here. until may point into pc or into a result: both outlive the callback.
 */
static void pin_finish(PinCheck *pc, bool accepted, bool locked, const char *until)
{
	PinResult r = { PIN_REFUSED, pc->staff_id, ROLE_NONE, "", "" };
	Call *c = pc->call;

	c->state = NULL;		/* the callback may answer c or give it its own state */
	c->state_free = NULL;
	if (accepted && pc->allowed) {
		r.verdict = PIN_ACCEPTED;
		r.role = pc->role;
		r.name = pc->name;
	} else if (locked && pc->allowed) {
		r.verdict = PIN_LOCKED;
		r.locked_until = until;
	}
	pc->done(c, &r);
	pin_free(pc);
}

/* Step 3, right PIN: a row back means it was not locked, and the count is 0 again. */
static void pin_reset_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	PinCheck *pc;

	if (!call_db_ok(c, st, res))
		return;		/* c is answered or freed, and pc with it */
	pc = c->state;
	if (PQntuples(res) == 1)
		pin_finish(pc, true, false, "");
	else	/* locked, before step 1 or since */
		pin_finish(pc, false, pc->exists, pc->locked_until);
}

/* Step 3, wrong PIN: a row back means it counted, and says whether it locked. */
static void pin_fail_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	PinCheck *pc;

	if (!call_db_ok(c, st, res))
		return;		/* c is answered or freed, and pc with it */
	pc = c->state;
	if (PQntuples(res) == 1) {
		bool locked = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		const Session *s = c->sess;

		if (locked) {
			metrics_staff_lockout();
			log_call(c, LOG_LVL_INFO,
				 "staff %lld locked out until %s after %s wrong PINs in a row"
				 " (the last by %s at %s)", (long long)pc->staff_id,
				 PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 0),
				 pin_via(pc->purpose), s->till_code);
		}
		pin_finish(pc, false, locked, PQgetvalue(res, 0, 2));
	} else {	/* no such staff, or locked already: not counted */
		pin_finish(pc, false, pc->exists, pc->locked_until);
	}
}

/* Step 2, on a worker thread: touches only pc. */
static void pin_verify_work(void *arg)
{
	PinCheck *pc = arg;

	pc->right = crypto_pwhash_str_verify(pc->hash, pc->pin, strlen(pc->pin)) == 0 &&
		    pc->real_hash;
	sodium_memzero(pc->pin, sizeof(pc->pin));
}

/* Step 2 done, on the loop: record the attempt with one guarded UPDATE. */
static void pin_verify_done(void *arg)
{
	PinCheck *pc = arg;
	Call *c = pc->call;
	char failures[16], seconds[16], actor[24], till[24];

	if (call_is_orphan(c)) {
		call_free(c);	/* frees pc */
		return;
	}
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	if (pc->right) {
		/* a Login that will pass is audited; an approval is, by what it approves */
		const char *params[2] = {
			pc->id, pc->purpose == PIN_FOR_LOGIN && pc->allowed ? till : NULL,
		};

		db_query(st_reset, 2, params, pin_reset_cb, c);
		return;
	}
	snprintf(failures, sizeof(failures), "%d", cf_staff_lockout_failures);
	snprintf(seconds, sizeof(seconds), "%d", cf_staff_lockout_seconds);
	/* who was logged in when an approval was tried; nobody for a Login */
	snprintf(actor, sizeof(actor), "%lld", (long long)c->staff_id);

	const char *params[6] = {
		pc->id, failures, seconds,
		pc->purpose == PIN_FOR_APPROVAL && c->staff_id > 0 ? actor : NULL, till,
		pin_via(pc->purpose),
	};
	db_query(st_fail, 6, params, pin_fail_cb, c);
}

/* Step 1 done: what the row allows, and the hash to verify against. */
static void pin_staff_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	PinCheck *pc;
	int roles;

	if (!call_db_ok(c, st, res))
		return;		/* c is answered or freed, and pc with it */
	pc = c->state;
	roles = pc->purpose == PIN_FOR_APPROVAL ? (ROLE_MANAGER | ROLE_ADMIN) : ROLE_ANY;
	snprintf(pc->hash, sizeof(pc->hash), "%s", dummy_hash);
	if (PQntuples(res) == 1) {
		pc->exists = true;
		pc->role = role_parse(PQgetvalue(res, 0, 1));
		/* staff of one store pass only at its tills; NULL = head office, any */
		pc->allowed = (pc->role & roles) != 0 && strcmp(PQgetvalue(res, 0, 3), "t") == 0 &&
			      (PQgetisnull(res, 0, 4) ||
			       strtoll(PQgetvalue(res, 0, 4), NULL, 10) == c->sess->store_id);
		if (strlen(PQgetvalue(res, 0, 2)) < sizeof(pc->hash)) {
			snprintf(pc->hash, sizeof(pc->hash), "%s", PQgetvalue(res, 0, 2));
			pc->real_hash = true;
		}
		snprintf(pc->name, sizeof(pc->name), "%s", PQgetvalue(res, 0, 0));
		if (strcmp(PQgetvalue(res, 0, 5), "t") == 0)
			snprintf(pc->locked_until, sizeof(pc->locked_until), "%s",
				 PQgetvalue(res, 0, 6));
	}
	/* locked or not, the PIN is verified: the time must not tell */
	worker_submit_call(c, pin_verify_work, pin_verify_done, pc);
}

void pin_check(Call *c, int64_t staff_id, char *pin, PinPurpose purpose, PinDoneFn done)
{
	PinCheck *pc;
	const char *params[1];

	if (c->state != NULL) {
		sodium_memzero(pin, strlen(pin));
		log_call(c, LOG_LVL_ERROR, "BUG: pin_check() for a request with a state already");
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL", "internal error");
		return;
	}
	pc = xcalloc(1, sizeof(*pc));
	c->state = pc;
	c->state_free = pin_free;
	params[0] = pc->id;
	pc->call = c;
	pc->done = done;
	pc->purpose = purpose;
	pc->staff_id = staff_id;
	snprintf(pc->id, sizeof(pc->id), "%lld", (long long)staff_id);
	snprintf(pc->pin, sizeof(pc->pin), "%s", pin);
	/* the unpacked Request's copy is not needed any more */
	sodium_memzero(pin, strlen(pin));
	db_query(st_staff, 1, params, pin_staff_cb, c);
}

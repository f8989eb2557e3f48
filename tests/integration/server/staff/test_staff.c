/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_staff: the one PIN check and its lockout (server/staff/pin.c).
 * After 10 wrong PINs in a row ([staff] lockout_failures, default) a staff
 * member is locked out, audited, and even the right PIN is refused with
 * STAFF_LOCKED; wrong approver PINs of a refund count towards the same
 * lockout, and every failed approval (unknown approver, wrong PIN, not a
 * manager, locked out) gets the same answer; a manager of the store (or an
 * administrator) unlocks, audited and exactly once; a lock runs out; a
 * right PIN sets the count back; a failed Login ends the earlier login of
 * the connection.
 *
 * Each test makes its own staff members (ids above 800000, PIN hashes
 * copied from the seeded 1001 "1234" and 2001 "9999"), so that locking
 * them out disturbs no other test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_staff.h"

#define LOCKOUT_FAILURES 10		/* kassad's default [staff] lockout_failures */
#define LOCKOUT_SECONDS 900		/* ... and lockout_seconds */
#define NO_SUCH_SALE 999999999999LL

/*
 * A new active staff member of store (a code, or NULL for head office) with
 * role, whose PIN is that of seeded staff member like (1001: "1234", 2001:
 * "9999"); their id, or 0 with a failure.
 */
static int64_t new_staff(Harness *h, const char *store, const char *role, int64_t like)
{
	char store_sql[64];
	int64_t id;

	if (store)
		snprintf(store_sql, sizeof(store_sql),
			 "(SELECT store_id FROM stores WHERE code = '%s')", store);
	else
		snprintf(store_sql, sizeof(store_sql), "NULL");
	id = it_sql_int(h, "INSERT INTO staff (staff_id, store_id, name, role, pin_hash)"
			" SELECT (SELECT greatest(max(staff_id), 800000) + 1 FROM staff), %s,"
			" 'itest staff', '%s', pin_hash FROM staff WHERE staff_id = %lld"
			" RETURNING staff_id", store_sql, role, (long long)like);
	CHECK(id > 800000, "new %s at %s: %lld", role, store ? store : "head office",
	      (long long)id);
	return id > 800000 ? id : 0;
}

/* What an answer said, copied out of it. */
typedef struct Answer {
	Kassa__V1__StatusCode code;
	char detail[64];
	char message[256];
	bool ok;			/* an answer arrived */
} Answer;

/* kr and *rp from one call: answer_of(kc_call(kc, &req, &r), &r) (rp read after the call). */
static Answer answer_of(KcResult kr, Kassa__V1__Response *const *rp)
{
	const Kassa__V1__Response *r = *rp;
	Answer a = { 0 };

	if (kr != KC_OK || r == NULL)
		return a;
	a.ok = true;
	a.code = kc_status(r);
	snprintf(a.detail, sizeof(a.detail), "%s", kc_detail(r));
	snprintf(a.message, sizeof(a.message), "%s", kc_message(r));
	return a;
}

/* One Login attempt at till S001-T1 on a connection of its own. */
static Answer login_once(Harness *h, int64_t staff_id, const char *pin)
{
	KassaClient *kc = it_connect(h, "S001-T1");
	Kassa__V1__Response *r = NULL;
	Answer a = { 0 };

	if (kc == NULL)
		return a;
	a = answer_of(kc_login(kc, staff_id, pin, &r), &r);
	kc_response_free(r);
	kc_free(kc);
	return a;
}

/* A refund of line 1 of sale txn approved by approver with pin, on kc. */
static Answer refund_approved_by(KassaClient *kc, int64_t txn, int64_t approver, const char *pin)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Refund rf = KASSA__V1__REFUND__INIT;
	Kassa__V1__Response *r = NULL;
	int32_t line = 1;
	char key[KC_KEY_LEN];
	Answer a;

	kc_new_key(key);
	rf.txn_id = txn;
	rf.n_line_nos = 1;
	rf.line_nos = &line;
	rf.approver_staff_id = approver;
	rf.approver_pin = (char *)pin;
	rf.reason = (char *)"itest: approval";
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_REFUND;
	req.refund = &rf;
	a = answer_of(kc_call(kc, &req, &r), &r);
	kc_response_free(r);
	return a;
}

static bool is(const Answer *a, Kassa__V1__StatusCode code, const char *detail)
{
	return a->ok && a->code == code && strcmp(a->detail, detail) == 0;
}

static bool same(const Answer *a, const Answer *b)
{
	return a->ok && b->ok && a->code == b->code && strcmp(a->detail, b->detail) == 0 &&
	       strcmp(a->message, b->message) == 0;
}

static int64_t audit_rows(Harness *h, const char *action, int64_t staff_id)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = '%s' AND subject ="
			  " 'staff:%lld'", action, (long long)staff_id);
}

/*
 * Guards: 10 wrong PINs in a row lock a staff member out for
 * lockout_seconds, audited once; the 11th attempt, with the right PIN, is
 * refused STAFF_LOCKED with a message that says until when and who can help.
 */
static void test_ten_wrong_pins_lock(Harness *h)
{
	int64_t id = new_staff(h, "S001", "cashier", 1001);
	char sql[128], until[16], want[160];
	Answer a = { 0 };

	if (id == 0)
		return;
	for (int i = 1; i < LOCKOUT_FAILURES; i++) {
		a = login_once(h, id, "0000");
		CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "BAD_CREDENTIALS"),
		      "wrong PIN %d: BAD_CREDENTIALS, got %s %s", i, a.detail, a.message);
	}
	CHECK(audit_rows(h, "staff.lockout", id) == 0, "not locked after %d wrong PINs",
	      LOCKOUT_FAILURES - 1);
	a = login_once(h, id, "0000");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED"),
	      "wrong PIN %d locks: got %s %s", LOCKOUT_FAILURES, a.detail, a.message);

	a = login_once(h, id, "1234");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED"),
	      "the right PIN is refused while locked: got %s %s", a.detail, a.message);
	snprintf(sql, sizeof(sql), "SELECT to_char(locked_until, 'HH24:MI') FROM staff"
		 " WHERE staff_id = %lld", (long long)id);
	if (CHECK(harness_psql_scalar(h, sql, until, sizeof(until)), "lock time read")) {
		snprintf(want, sizeof(want), "staff %lld is locked until %s after too many wrong"
			 " PINs; a manager can unlock", (long long)id, until);
		CHECK(strcmp(a.message, want) == 0, "message \"%s\", wanted \"%s\"", a.message,
		      want);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND failed_pins = %d"
			 " AND locked_until BETWEEN now() + interval '%d seconds' AND now() +"
			 " interval '%d seconds'", (long long)id, LOCKOUT_FAILURES,
			 LOCKOUT_SECONDS - 60, LOCKOUT_SECONDS) == 1,
	      "locked for lockout_seconds (%d s) after %d failures", LOCKOUT_SECONDS,
	      LOCKOUT_FAILURES);
	CHECK(audit_rows(h, "staff.lockout", id) == 1, "the lockout is audited once");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.lockout' AND"
			 " subject = 'staff:%lld' AND detail->>'via' = 'login' AND"
			 " (detail->>'failures')::int = %d", (long long)id, LOCKOUT_FAILURES) == 1,
	      "the audit row says how and after how many");
}

/* Guards: a right PIN sets the count of wrong PINs back to 0. */
static void test_right_pin_resets(Harness *h)
{
	int64_t id = new_staff(h, "S001", "cashier", 1001);
	Answer a;

	if (id == 0)
		return;
	for (int round = 0; round < 2; round++) {
		for (int i = 1; i < LOCKOUT_FAILURES; i++)
			login_once(h, id, "5555");
		CHECK(it_sql_int(h, "SELECT failed_pins FROM staff WHERE staff_id = %lld",
				 (long long)id) == LOCKOUT_FAILURES - 1, "%d wrong PINs counted",
		      LOCKOUT_FAILURES - 1);
		a = login_once(h, id, "1234");
		CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "round %d: the right PIN logs in: %s %s",
		      round, a.detail, a.message);
		CHECK(it_sql_int(h, "SELECT failed_pins FROM staff WHERE staff_id = %lld",
				 (long long)id) == 0, "the count is 0 again");
	}
	CHECK(audit_rows(h, "staff.lockout", id) == 0, "never locked");
}

/*
 * Guards: a cashier trying a manager's PIN as a refund's approver gets one
 * answer for every failure (unknown approver, wrong PIN, a cashier's right
 * PIN, a locked manager's right PIN), those tries count towards the same
 * lockout as Logins, and a locked manager's right PIN approves nothing:
 * before, a right PIN on a sale that does not exist answered
 * TRANSACTION_NOT_FOUND and so told the PIN apart, at ~30 tries a second.
 */
static void test_approvals_count_and_look_alike(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	int64_t mgr = new_staff(h, "S001", "manager", 2001);
	int64_t cashier = new_staff(h, "S001", "cashier", 1001);
	Answer unknown, wrong, not_mgr, locked, a;

	if (kc == NULL || mgr == 0 || cashier == 0)
		goto out;
	unknown = refund_approved_by(kc, NO_SUCH_SALE, 799999, "9999");
	not_mgr = refund_approved_by(kc, NO_SUCH_SALE, cashier, "1234");
	wrong = refund_approved_by(kc, NO_SUCH_SALE, mgr, "1111");
	for (int i = 2; i < LOCKOUT_FAILURES; i++) {
		a = refund_approved_by(kc, NO_SUCH_SALE, mgr, "1111");
		CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "APPROVAL_DENIED"),
		      "wrong approver PIN %d: %s %s", i, a.detail, a.message);
	}
	CHECK(it_sql_int(h, "SELECT failed_pins FROM staff WHERE staff_id = %lld", (long long)mgr) ==
	      LOCKOUT_FAILURES - 1, "wrong approver PINs are counted like Login's");
	/* the 10th wrong PIN, at Login this time: the same count */
	a = login_once(h, mgr, "1111");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED"),
	      "approvals and Logins lock together: %s %s", a.detail, a.message);
	locked = refund_approved_by(kc, NO_SUCH_SALE, mgr, "9999");

	CHECK(is(&unknown, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "APPROVAL_DENIED"),
	      "unknown approver: %s %s", unknown.detail, unknown.message);
	CHECK(is(&locked, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "APPROVAL_DENIED"),
	      "a locked manager's right PIN: %s %s (not TRANSACTION_NOT_FOUND)", locked.detail,
	      locked.message);
	CHECK(same(&unknown, &wrong) && same(&unknown, &not_mgr) && same(&unknown, &locked),
	      "one answer for all failures: \"%s %s\", \"%s %s\", \"%s %s\", \"%s %s\"",
	      unknown.detail, unknown.message, wrong.detail, wrong.message, not_mgr.detail,
	      not_mgr.message, locked.detail, locked.message);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.lockout' AND"
			 " subject = 'staff:%lld' AND detail->>'via' = 'login'", (long long)mgr) == 1,
	      "the lockout is audited");
	a = login_once(h, mgr, "9999");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED"),
	      "the locked manager cannot log in either: %s", a.detail);
out:
	kc_free(kc);
}

/* Guards: a lockout through approvals alone is audited as one, with the cashier who tried. */
static void test_approvals_alone_lock(Harness *h)
{
	KassaClient *kc = it_cashier(h);
	int64_t mgr = new_staff(h, "S001", "manager", 2001);
	Answer a;

	if (kc == NULL || mgr == 0)
		goto out;
	for (int i = 0; i < LOCKOUT_FAILURES; i++)
		refund_approved_by(kc, NO_SUCH_SALE, mgr, "2222");
	a = refund_approved_by(kc, NO_SUCH_SALE, mgr, "9999");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "APPROVAL_DENIED"),
	      "locked by approvals: the right PIN approves nothing: %s %s", a.detail, a.message);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.lockout' AND"
			 " subject = 'staff:%lld' AND detail->>'via' = 'approval' AND staff_id = 1001",
			 (long long)mgr) == 1, "audited as an approval lockout, by cashier 1001");
	a = login_once(h, mgr, "9999");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED"),
	      "and Login refuses the manager too: %s", a.detail);
out:
	kc_free(kc);
}

/* Lock id straight in the database, as 10 wrong PINs would. */
static bool lock(Harness *h, int64_t id, const char *until)
{
	return it_sqlf(h, "UPDATE staff SET failed_pins = %d, locked_until = %s WHERE staff_id = %lld",
		       LOCKOUT_FAILURES, until, (long long)id);
}

static Answer unlock(KassaClient *kc, int64_t id, const char *key, Kassa__V1__Response **keep)
{
	Kassa__V1__Response *r = NULL;
	Answer a = answer_of(kc_staff_unlock(kc, id, key, &r), &r);

	if (keep)
		*keep = r;
	else
		kc_response_free(r);
	return a;
}

/*
 * Guards: a manager of the store unlocks a locked cashier, who can then
 * log in; the unlock is audited once and a retry answers the same; the key
 * reused for another staff member is refused; a cashier may not unlock; a
 * manager cannot unlock staff of another store, an administrator can.
 */
static void test_manager_unlocks(Harness *h)
{
	KassaClient *mgr = it_login(h, "S001-T1", 2001, "9999");
	KassaClient *cash = it_cashier(h);
	KassaClient *admin = it_login(h, "HQ-OFFICE-1", 9001, "0000");
	int64_t id = new_staff(h, "S001", "cashier", 1001);
	int64_t other = new_staff(h, "S002", "cashier", 1001);
	Kassa__V1__Response *first = NULL, *again = NULL;
	char key[KC_KEY_LEN];
	Answer a;

	if (mgr == NULL || cash == NULL || admin == NULL || id == 0 || other == 0 ||
	    !lock(h, id, "now() + interval '15 minutes'") ||
	    !lock(h, other, "now() + interval '15 minutes'"))
		goto out;
	a = unlock(cash, id, NULL, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED"),
	      "a cashier may not unlock: %s", a.detail);

	kc_new_key(key);
	a = unlock(mgr, id, key, &first);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && first &&
	      first->body_case == KASSA__V1__RESPONSE__BODY_STAFF_UNLOCKED &&
	      first->staff_unlocked->staff_id == id && first->staff_unlocked->was_locked,
	      "the manager unlocks: %s %s", a.detail, a.message);
	a = login_once(h, id, "1234");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "the unlocked cashier logs in: %s %s",
	      a.detail, a.message);
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.unlock' AND"
			 " subject = 'staff:%lld' AND staff_id = 2001 AND"
			 " (detail->>'was_locked')::boolean", (long long)id) == 1,
	      "the unlock is audited, by 2001");

	a = unlock(mgr, id, key, &again);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && first && again &&
	      it_same_response(first, again), "the retry answers the same");
	CHECK(audit_rows(h, "staff.unlock", id) == 1, "and is not audited again");
	a = unlock(mgr, other, key, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__ABORTED, "IDEMPOTENCY_KEY_REUSED"),
	      "the key for another staff member: %s", a.detail);

	a = unlock(mgr, other, NULL, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__NOT_FOUND, "STAFF_NOT_FOUND"),
	      "a manager of S001 cannot unlock staff of S002: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND locked_until >"
			 " now()", (long long)other) == 1, "who stays locked");
	a = unlock(admin, other, NULL, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "an administrator can: %s %s", a.detail,
	      a.message);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND failed_pins = 0"
			 " AND locked_until IS NULL", (long long)other) == 1, "and the count is 0");
out:
	kc_response_free(first);
	kc_response_free(again);
	kc_free(mgr);
	kc_free(cash);
	kc_free(admin);
}

/*
 * Guards: a lockout runs out: once locked_until has passed the right PIN
 * logs in, and a wrong one starts the count again at 1 instead of locking
 * at once.
 */
static void test_lockout_expires(Harness *h)
{
	int64_t id = new_staff(h, "S001", "cashier", 1001);
	int64_t id2 = new_staff(h, "S001", "cashier", 1001);
	Answer a;

	if (id == 0 || id2 == 0 || !lock(h, id, "now() - interval '1 second'") ||
	    !lock(h, id2, "now() - interval '1 second'"))
		return;
	a = login_once(h, id, "1234");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "after the lock ran out the right PIN logs in:"
	      " %s %s", a.detail, a.message);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND failed_pins = 0"
			 " AND locked_until IS NULL", (long long)id) == 1, "count and lock cleared");

	a = login_once(h, id2, "0000");
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "BAD_CREDENTIALS"),
	      "a wrong PIN after the lock ran out does not lock again at once: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT failed_pins FROM staff WHERE staff_id = %lld", (long long)id2) ==
	      1, "the count starts again at 1");
}

/*
 * Guards: a failed second Login on a connection ends the first: the next
 * request is LOGIN_REQUIRED, not served as the earlier staff member.
 */
static void test_failed_login_logs_out(Harness *h)
{
	int64_t id = new_staff(h, "S001", "cashier", 1001);
	KassaClient *kc = id ? it_login(h, "S001-T1", id, "1234") : NULL;
	Kassa__V1__Response *r = NULL;
	Answer a;

	if (kc == NULL)
		return;
	a = answer_of(kc_product_lookup(kc, "SKU-APPLE", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "logged in: served");
	a = answer_of(kc_login(kc, id, "0000", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "BAD_CREDENTIALS"),
	      "second Login with a wrong PIN: %s", a.detail);
	a = answer_of(kc_product_lookup(kc, "SKU-APPLE", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED"),
	      "after a failed Login nobody is logged in: %s %s", a.detail, a.message);
	/* nor after a reconnect: the client library must not log the first one in again */
	kc_disconnect(kc);
	CHECK(kc_reconnect(kc, NULL, 0), "reconnected");
	a = answer_of(kc_product_lookup(kc, "SKU-APPLE", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED"),
	      "after a failed Login and a reconnect nobody is logged in: %s", a.detail);

	/* a Login refused for its form ends the earlier login too */
	a = answer_of(kc_login(kc, id, "1234", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, ""), "logged in again: %s", a.detail);
	a = answer_of(kc_login(kc, id, "12", &r), &r);
	kc_response_free(r);
	r = NULL;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CREDENTIALS_FORMAT"),
	      "a two-digit PIN: %s", a.detail);
	a = answer_of(kc_product_lookup(kc, "SKU-APPLE", &r), &r);
	kc_response_free(r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED"),
	      "nobody is logged in: %s", a.detail);
	kc_free(kc);
}

static const HarnessTest tests[] = {
	{ "ten_wrong_pins_lock", test_ten_wrong_pins_lock },
	{ "right_pin_resets", test_right_pin_resets },
	{ "approvals_count_and_look_alike", test_approvals_count_and_look_alike },
	{ "approvals_alone_lock", test_approvals_alone_lock },
	{ "manager_unlocks", test_manager_unlocks },
	{ "lockout_expires", test_lockout_expires },
	{ "failed_login_logs_out", test_failed_login_logs_out },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

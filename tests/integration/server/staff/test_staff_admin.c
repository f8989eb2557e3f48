/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_staff_admin: staff administered through the protocol (StaffPut,
 * StaffList, StaffPinReset, StaffPinChange; server/staff/staff_admin*.c,
 * functions/staff_admin.sql) against the real kassad and PostgreSQL. Every
 * change is audited (without the PIN) and exactly once; a disabled staff
 * member cannot log in; a reset PIN works and the old one does not; a PIN
 * change checks the old PIN as a login does (a wrong one counts towards
 * the lockout, an empty request does not); a manager cannot create an
 * admin, touch another store's staff or change their own role; the last
 * active admin stays, also when two admins disable each other at once;
 * bad input is refused and changes nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "kc_org.h"

#define ADMIN 9001
#define ADMIN_PIN "0000"
#define OFFICE "HQ-OFFICE-1"
#define TILL "S001-T1"

typedef struct Answer {
	Kassa__V1__StatusCode code;
	char detail[64];
	bool ok;
	int64_t staff_id;
	bool created, active;
	char role[16];
} Answer;

static Answer answer(KcResult kr, Kassa__V1__Response *r)
{
	Answer a = { 0 };

	if (kr == KC_OK && r != NULL) {
		a.ok = true;
		a.code = kc_status(r);
		snprintf(a.detail, sizeof(a.detail), "%s", kc_detail(r));
		if (r->body_case == KASSA__V1__RESPONSE__BODY_STAFF_MEMBER) {
			a.staff_id = r->staff_member->staff_id;
			a.created = r->staff_member->created;
			a.active = r->staff_member->active;
			snprintf(a.role, sizeof(a.role), "%s", r->staff_member->role);
		}
	}
	kc_response_free(r);
	return a;
}

static Answer put(KassaClient *kc, const Kassa__V1__StaffPut *p, const char *key)
{
	Kassa__V1__Response *r = NULL;
	KcResult kr = kc_staff_put(kc, p, key, &r);

	return answer(kr, r);
}

static bool is(const Answer *a, Kassa__V1__StatusCode code, const char *detail)
{
	return a->ok && a->code == code && strcmp(a->detail, detail) == 0;
}

/* A Login at till on a connection of its own: its status. */
static Kassa__V1__StatusCode login(Harness *h, const char *till, int64_t id, const char *pin)
{
	KassaClient *kc = it_connect(h, till);
	Kassa__V1__Response *r = NULL;
	Kassa__V1__StatusCode st = KASSA__V1__STATUS_CODE__INTERNAL;

	if (kc == NULL)
		return st;
	if (kc_login(kc, id, pin, &r) == KC_OK && r)
		st = kc_status(r);
	kc_response_free(r);
	kc_free(kc);
	return st;
}

static int64_t audits(Harness *h, const char *action, int64_t id)
{
	return it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = '%s'"
			  " AND subject = 'staff:%lld'", action, (long long)id);
}

static int64_t s001(Harness *h)
{
	return it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S001'");
}

/* A new staff member of S001 made by the admin with role and pin; its id or 0. */
static int64_t admin_creates(Harness *h, KassaClient *adm, const char *role, const char *pin)
{
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	Answer a;

	p.create = true;
	p.name = (char *)"测试 Itest Staff";
	p.role = (char *)role;
	p.set_store = true;
	p.store_id = s001(h);
	p.pin = (char *)pin;
	a = put(adm, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.created && a.staff_id > 0,
	      "admin creates a %s: %s", role, a.detail);
	return a.staff_id;
}

/* Guards: create (id assigned), login with the initial PIN, retry, disable, enable. */
static void test_create_disable_enable(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN);
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	Answer a, b;
	bool listed = false;

	if (adm == NULL)
		return;
	p.create = true;
	p.name = (char *)"王小明 Wang";
	p.role = (char *)"cashier";
	p.set_store = true;
	p.store_id = s001(h);
	p.pin = (char *)"4711";
	kc_new_key(key);
	a = put(adm, &p, key);
	if (!CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.created && a.staff_id > 0,
		   "created: %s", a.detail))
		goto out;
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND role = 'cashier'"
			 " AND pin_hash LIKE '$argon2id$%%' AND active", (long long)a.staff_id) == 1,
	      "stored with an argon2id hash");
	CHECK(audits(h, "staff.put", a.staff_id) == 1, "one staff.put audit row");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.put' AND subject ="
			 " 'staff:%lld' AND (detail::text LIKE '%%4711%%' OR detail::text LIKE"
			 " '%%argon%%')", (long long)a.staff_id) == 0, "no PIN in the audit");
	CHECK(it_sql_int(h, "SELECT count(*) FROM idempotency WHERE key = '%s'", key) == 1,
	      "the key is kept");
	b = put(adm, &p, key);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, "") && b.staff_id == a.staff_id && b.created,
	      "a retry answers the same: %s", b.detail);
	CHECK(audits(h, "staff.put", a.staff_id) == 1, "a retry audits nothing more");
	CHECK(login(h, TILL, a.staff_id, "4711") == KASSA__V1__STATUS_CODE__OK,
	      "the new cashier logs in with the initial PIN");
	CHECK(login(h, OFFICE, a.staff_id, "4711") != KASSA__V1__STATUS_CODE__OK,
	      "... only at their store");
	if (CHECK(kc_staff_list(adm, s001(h), &r) == KC_OK && r && r->staff_roster, "list")) {
		for (size_t i = 0; i < r->staff_roster->n_staff; i++)
			listed = listed || r->staff_roster->staff[i]->staff_id == a.staff_id;
		CHECK(listed, "the list of S001 has them");
	}
	kc_response_free(r);

	kassa__v1__staff_put__init(&p);
	p.staff_id = a.staff_id;
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	b = put(adm, &p, NULL);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, "") && !b.active, "disabled: %s", b.detail);
	CHECK(login(h, TILL, a.staff_id, "4711") == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
	      "a disabled staff member cannot log in");
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON;
	b = put(adm, &p, NULL);
	CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, "") && b.active, "enabled: %s", b.detail);
	CHECK(login(h, TILL, a.staff_id, "4711") == KASSA__V1__STATUS_CODE__OK,
	      "enabled again: logs in");
	CHECK(audits(h, "staff.put", a.staff_id) == 3, "create, disable, enable: 3 audit rows");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.put' AND subject ="
			 " 'staff:%lld' AND detail->>'active' = 'false' AND staff_id = %d",
			 (long long)a.staff_id, ADMIN) == 1, "the disabling is audited with who");
out:
	kc_free(adm);
}

/* Guards: a manager manages only cashiers and managers of the till's store. */
static void test_manager_limits(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN), *mgr = NULL;
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	int64_t mid, staff0, audit0, s2;
	Answer a;

	if (adm == NULL)
		return;
	mid = admin_creates(h, adm, "manager", "8642");
	mgr = it_login(h, TILL, mid, "8642");
	if (mgr == NULL)
		goto out;
	/* allowed: a cashier of their store */
	p.create = true;
	p.name = (char *)"Manager's cashier";
	p.role = (char *)"cashier";
	p.pin = (char *)"1357";
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.created, "manager creates a cashier: %s",
	      a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND store_id = %lld",
			 (long long)a.staff_id, (long long)s001(h)) == 1, "... of the till's store");
	staff0 = it_sql_int(h, "SELECT count(*) FROM staff");
	audit0 = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.put'");
	s2 = it_sql_int(h, "SELECT store_id FROM stores WHERE code = 'S002'");
	p.role = (char *)"admin";
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_TOO_HIGH"),
	      "manager creates an admin: %s", a.detail);
	p.role = (char *)"analyst";
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_TOO_HIGH"),
	      "manager creates an analyst: %s", a.detail);
	p.role = (char *)"cashier";
	p.set_store = true;
	p.store_id = s2;
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOUR_STAFF"),
	      "manager creates a cashier of S002: %s", a.detail);
	kassa__v1__staff_put__init(&p);
	p.staff_id = 1002;		/* S002's cashier */
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOUR_STAFF"),
	      "manager disables S002's cashier: %s", a.detail);
	p.staff_id = ADMIN;
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOUR_STAFF"),
	      "manager disables the admin: %s", a.detail);
	p.staff_id = mid;
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_KEEP;
	p.role = (char *)"cashier";
	a = put(mgr, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "SELF_CHANGE"),
	      "manager changes their own role: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff") == staff0, "no staff made");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.put'") == audit0,
	      "nothing audited");
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id IN (1002, %d, %lld) AND active"
			 " AND role IN ('cashier', 'admin', 'manager')", ADMIN, (long long)mid) == 3,
	      "nobody changed");
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %lld AND role = 'manager'",
			 (long long)mid) == 1, "the manager is still a manager");
out:
	kc_free(mgr);
	kc_free(adm);
}

/* Guards: a reset PIN works, the old does not, the lockout is lifted, audited without it. */
static void test_pin_reset(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN), *mgr = NULL;
	Kassa__V1__Response *r = NULL;
	int64_t id, mid;
	KcResult kr;
	Answer a;

	if (adm == NULL)
		return;
	id = admin_creates(h, adm, "cashier", "2222");
	mid = admin_creates(h, adm, "manager", "8642");
	mgr = it_login(h, TILL, mid, "8642");
	if (mgr == NULL || id == 0)
		goto out;
	it_sqlf(h, "UPDATE staff SET failed_pins = 10, locked_until = now() + interval '1 hour'"
		" WHERE staff_id = %lld", (long long)id);
	CHECK(login(h, TILL, id, "2222") == KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "locked out");
	kr = kc_staff_pin_reset(mgr, id, "12", NULL, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PIN"), "a short PIN: %s",
	      a.detail);
	r = NULL;
	kr = kc_staff_pin_reset(mgr, 1002, "3333", NULL, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "NOT_YOUR_STAFF"),
	      "another store's cashier: %s", a.detail);
	r = NULL;
	kr = kc_staff_pin_reset(mgr, id, "5678", NULL, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.staff_id == id, "reset: %s", a.detail);
	CHECK(login(h, TILL, id, "2222") == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
	      "the old PIN no longer works");
	CHECK(login(h, TILL, id, "5678") == KASSA__V1__STATUS_CODE__OK, "the new PIN works");
	CHECK(audits(h, "staff.pin_reset", id) == 1, "one staff.pin_reset audit row");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.pin_reset' AND"
			 " subject = 'staff:%lld' AND detail->>'was_locked' = 'true' AND staff_id = %lld"
			 " AND detail::text NOT LIKE '%%5678%%'", (long long)id, (long long)mid) == 1,
	      "it says it was locked and who, not the PIN");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action = 'staff.pin_reset'"
			 " AND subject = 'staff:1002'") == 0, "the refused reset wrote nothing");
out:
	kc_free(mgr);
	kc_free(adm);
}

static int64_t failures(Harness *h, int64_t id)
{
	return it_sql_int(h, "SELECT failed_pins FROM staff WHERE staff_id = %lld", (long long)id);
}

/* Guards: a PIN change by the member; empty and wrong old PINs; exactly once. */
static void test_pin_change(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN), *me = NULL;
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__StaffPinChange empty = KASSA__V1__STAFF_PIN_CHANGE__INIT;
	Kassa__V1__Response *r = NULL;
	char key[KC_KEY_LEN];
	int64_t id;
	KcResult kr;
	Answer a;

	if (adm == NULL)
		return;
	id = admin_creates(h, adm, "cashier", "1111");
	me = it_login(h, TILL, id, "1111");
	if (me == NULL)
		goto out;
	/* an empty request is refused before any PIN check */
	kc_new_key(key);
	req.idempotency_key = key;
	req.body_case = KASSA__V1__REQUEST__BODY_STAFF_PIN_CHANGE;
	req.staff_pin_change = &empty;
	kr = kc_call(me, &req, &r);
	a = answer(kr, r);
	CHECK(a.ok && a.code == KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "empty: %s", a.detail);
	CHECK(failures(h, id) == 0, "an empty request is no PIN attempt");
	r = NULL;
	kr = kc_staff_pin_change(me, "1111", "12", NULL, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_PIN"), "short new PIN: %s",
	      a.detail);
	r = NULL;
	kr = kc_staff_pin_change(me, "9876", "2468", NULL, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "WRONG_PIN"), "wrong old PIN: %s",
	      a.detail);
	CHECK(failures(h, id) == 1, "a wrong old PIN counts as a failed login");
	CHECK(login(h, TILL, id, "2468") == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
	      "nothing changed");
	r = NULL;
	kc_new_key(key);
	kr = kc_staff_pin_change(me, "1111", "2468", key, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.staff_id == id, "changed: %s", a.detail);
	r = NULL;
	kr = kc_staff_pin_change(me, "1111", "2468", key, &r);
	a = answer(kr, r);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && a.staff_id == id,
	      "a retry answers the same, without checking the old PIN again: %s", a.detail);
	CHECK(failures(h, id) == 0, "... and counts no failure");
	CHECK(audits(h, "staff.pin_change", id) == 1, "one staff.pin_change audit row");
	CHECK(login(h, TILL, id, "1111") == KASSA__V1__STATUS_CODE__UNAUTHENTICATED,
	      "the old PIN no longer works");
	CHECK(login(h, TILL, id, "2468") == KASSA__V1__STATUS_CODE__OK, "the new PIN works");
out:
	kc_free(me);
	kc_free(adm);
}

/* Guards: bad input is refused with its detail and changes nothing. */
static void test_bad_input(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN);
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	int64_t staff0, audit0;
	Answer a;
	static const struct {
		int64_t id, store;
		bool create;
		const char *name, *role, *pin, *detail;
		Kassa__V1__StatusCode st;
	} bad[] = {
		{ 0, 0, false, "", "", "", "BAD_STAFF_ID", KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "X", "cashier", "12", "BAD_PIN",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "X", "cashier", "12ab", "BAD_PIN",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "X", "cashier", "1234567890123", "BAD_PIN",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "X", "boss", "1234", "BAD_ROLE",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "", "cashier", "1234", "NAME_REQUIRED",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 0, 0, true, "a\tb", "cashier", "1234", "BAD_NAME",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
		{ 1001, 0, true, "X", "cashier", "1234", "STAFF_EXISTS",
		  KASSA__V1__STATUS_CODE__FAILED_PRECONDITION },
		{ 0, 999999, true, "X", "cashier", "1234", "STORE_NOT_FOUND",
		  KASSA__V1__STATUS_CODE__NOT_FOUND },
		{ 99999999, 0, false, "X", "", "", "STAFF_NOT_FOUND",
		  KASSA__V1__STATUS_CODE__NOT_FOUND },
		{ 1001, 0, false, "X", "", "1234", "BAD_PIN",
		  KASSA__V1__STATUS_CODE__INVALID_ARGUMENT },
	};

	if (adm == NULL)
		return;
	staff0 = it_sql_int(h, "SELECT count(*) FROM staff");
	audit0 = it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action LIKE 'staff.p%%'");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		kassa__v1__staff_put__init(&p);
		p.staff_id = bad[i].id;
		p.create = bad[i].create;
		p.name = (char *)bad[i].name;
		p.role = (char *)bad[i].role;
		p.pin = (char *)bad[i].pin;
		p.set_store = bad[i].store != 0;
		p.store_id = bad[i].store;
		a = put(adm, &p, NULL);
		CHECK(is(&a, bad[i].st, bad[i].detail), "case %zu: expected %s, got %d %s", i,
		      bad[i].detail, a.code, a.detail);
	}
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff") == staff0, "no staff made");
	CHECK(it_sql_int(h, "SELECT count(*) FROM audit_log WHERE action LIKE 'staff.p%%'") ==
	      audit0, "nothing audited");
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = 1001 AND name = '李娜 Li Na'")
	      == 1, "1001 unchanged");
	kc_free(adm);
}

/* Guards: the last active admin can be neither disabled nor demoted. */
static void test_last_admin(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN);
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
	int64_t other;
	Answer a;

	if (adm == NULL)
		return;
	/* admins other tests made for themselves are disabled: 9001 is the last */
	it_sqlf(h, "UPDATE staff SET active = false WHERE role = 'admin' AND staff_id <> %d", ADMIN);
	if (!CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE role = 'admin' AND active AND"
			      " staff_id <> %d", ADMIN) == 0, "9001 is the only active admin"))
		goto out;
	p.staff_id = ADMIN;
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	a = put(adm, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "LAST_ADMIN"),
	      "disabling the last admin: %s", a.detail);
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_KEEP;
	p.role = (char *)"manager";
	a = put(adm, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "LAST_ADMIN"),
	      "demoting the last admin: %s", a.detail);
	CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE staff_id = %d AND role = 'admin'"
			 " AND active", ADMIN) == 1, "9001 is still an active admin");
	/* with a second admin, that one can be disabled again (9001 stays) */
	kassa__v1__staff_put__init(&p);
	p.create = true;
	p.name = (char *)"Second admin";
	p.role = (char *)"admin";
	p.set_store = true;
	p.pin = (char *)"24680";
	a = put(adm, &p, NULL);
	other = a.staff_id;
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && other > 0, "second admin: %s", a.detail);
	kassa__v1__staff_put__init(&p);
	p.staff_id = other;
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	a = put(adm, &p, NULL);
	CHECK(is(&a, KASSA__V1__STATUS_CODE__OK, "") && !a.active, "second admin disabled: %s",
	      a.detail);
out:
	kc_free(adm);
}

/* One side of the race: kc disables staff id; its answer. */
typedef struct Racer {
	KassaClient *kc;
	int64_t target;
	pthread_barrier_t *start;
	Answer a;
} Racer;

static void *racer_run(void *arg)
{
	Racer *r = arg;
	Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;

	p.staff_id = r->target;
	p.active = KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF;
	pthread_barrier_wait(r->start);
	r->a = put(r->kc, &p, NULL);
	return NULL;
}

/*
 * Guards: two admins, each disabling the other at the same moment, from two
 * threads on two connections: exactly one wins, the other is LAST_ADMIN
 * (never a deadlock, never both), and one active admin is left. 9001 is
 * put back as the only active admin after each round.
 */
static void test_last_admin_race(Harness *h)
{
	KassaClient *adm = it_login(h, OFFICE, ADMIN, ADMIN_PIN);

	if (adm == NULL)
		return;
	it_sqlf(h, "UPDATE staff SET active = false WHERE role = 'admin' AND staff_id <> %d", ADMIN);
	for (int round = 0; round < 4; round++) {
		Kassa__V1__StaffPut p = KASSA__V1__STAFF_PUT__INIT;
		pthread_barrier_t start;
		pthread_t th[2];
		Racer rc[2];
		Answer b;
		int wins = 0, last = 0;

		p.create = true;
		p.name = (char *)"Racing admin";
		p.role = (char *)"admin";
		p.set_store = true;
		p.pin = (char *)"97531";
		b = put(adm, &p, NULL);
		if (!CHECK(is(&b, KASSA__V1__STATUS_CODE__OK, ""), "round %d: admin B: %s", round,
			   b.detail))
			break;
		rc[0] = (Racer){ adm, b.staff_id, &start, { 0 } };
		rc[1] = (Racer){ it_login(h, OFFICE, b.staff_id, "97531"), ADMIN, &start, { 0 } };
		if (rc[1].kc == NULL)
			break;
		pthread_barrier_init(&start, NULL, 2);
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, racer_run, &rc[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&start);
		for (int i = 0; i < 2; i++) {
			wins += is(&rc[i].a, KASSA__V1__STATUS_CODE__OK, "");
			last += is(&rc[i].a, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "LAST_ADMIN");
		}
		CHECK(wins == 1 && last == 1, "round %d: one wins (%d), one is LAST_ADMIN (%d): %s / %s",
		      round, wins, last, rc[0].a.detail, rc[1].a.detail);
		CHECK(it_sql_int(h, "SELECT count(*) FROM staff WHERE role = 'admin' AND active") == 1,
		      "round %d: one active admin left", round);
		kc_free(rc[1].kc);
		it_sqlf(h, "UPDATE staff SET active = (staff_id = %d) WHERE role = 'admin'", ADMIN);
	}
	kc_free(adm);
}

static const HarnessTest tests[] = {
	{ "create_disable_enable", test_create_disable_enable },
	{ "manager_limits", test_manager_limits },
	{ "pin_reset", test_pin_reset },
	{ "pin_change", test_pin_change },
	{ "bad_input", test_bad_input },
	{ "last_admin", test_last_admin },
	{ "last_admin_race", test_last_admin_race },
};

int main(int argc, char **argv)
{
	return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * login.c: staff log in with their staff id and PIN, checked by the one
 * PIN check (pin.c: argon2id on a worker thread, the same path for an
 * unknown id, a wrong PIN and a staff member of another store, and the
 * lockout after too many wrong PINs in a row). A Login ends whatever login
 * the connection had before it, so a failed one leaves nobody logged in.
 * After LOGIN_MAX_FAILURES failed attempts the connection is closed; the
 * lockout, counted per staff member in the database, is what stops a till
 * that reconnects to guess on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "core.h"
#include "staff.h"

#define LOGIN_MAX_FAILURES 5

static const char *role_name(Role r)
{
	switch (r) {
	case ROLE_CASHIER: return "cashier";
	case ROLE_MANAGER: return "manager";
	case ROLE_ANALYST: return "analyst";
	case ROLE_ADMIN: return "admin";
	default: return "";
	}
}

/* A failed attempt: count it against the connection, which closes after a few. */
static void login_failed(Call *c, const PinResult *r)
{
	Session *s = c->sess;

	s->login_failures++;
	log_call(c, LOG_LVL_INFO, "session %llu: failed login for staff %lld (%d)%s",
		 (unsigned long long)s->id, (long long)r->staff_id, s->login_failures,
		 r->verdict == PIN_LOCKED ? ": locked out" : "");
	if (r->verdict == PIN_LOCKED && r->locked_until[0] != '\0')
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED",
			  "staff %lld is locked until %s after too many wrong PINs; a manager can"
			  " unlock", (long long)r->staff_id, r->locked_until);
	else if (r->verdict == PIN_LOCKED)
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "STAFF_LOCKED",
			  "staff %lld is locked after too many wrong PINs; a manager can unlock",
			  (long long)r->staff_id);
	else
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "BAD_CREDENTIALS",
			  "unknown staff id or wrong PIN");
	if (s->login_failures >= LOGIN_MAX_FAILURES)
		session_close_after_write(s, "too many failed logins");
}

static void login_pin_done(Call *c, const PinResult *r)
{
	Session *s = c->sess;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__LoginOk ok = KASSA__V1__LOGIN_OK__INIT;

	if (r->verdict != PIN_ACCEPTED) {
		login_failed(c, r);
		return;
	}
	s->staff_id = r->staff_id;
	s->role = r->role;
	s->login_failures = 0;
	log_call(c, LOG_LVL_INFO, "session %llu: staff %lld (%s) logged in at %s",
		 (unsigned long long)s->id, (long long)s->staff_id, role_name(s->role),
		 s->till_code);
	ok.staff_id = s->staff_id;
	ok.name = (char *)r->name;
	ok.role = (char *)role_name(s->role);
	resp.body_case = KASSA__V1__RESPONSE__BODY_LOGIN_OK;
	resp.login_ok = &ok;
	call_reply(c, &resp);
}

void handle_login(Call *c)
{
	Kassa__V1__Login *l = c->req->login;
	Session *s = c->sess;
	size_t n = strlen(l->pin);

	/*
	 * A Login replaces whoever was logged in on this connection: until it
	 * succeeds, nobody is. Login is a barrier (session.c), so no request
	 * after it runs under the earlier login; those before it keep theirs.
	 */
	if (s->staff_id != 0)
		log_call(c, LOG_LVL_INFO, "session %llu: staff %lld logged out by a new Login",
			 (unsigned long long)s->id, (long long)s->staff_id);
	s->staff_id = 0;
	s->role = ROLE_NONE;
	if (l->staff_id <= 0 || n < STAFF_PIN_MIN || n > STAFF_PIN_MAX ||
	    strspn(l->pin, "0123456789") != n) {
		sodium_memzero(l->pin, n);
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CREDENTIALS_FORMAT",
			  "staff id must be positive and the PIN %d-%d digits", STAFF_PIN_MIN,
			  STAFF_PIN_MAX);
		return;
	}
	pin_check(c, l->staff_id, l->pin, PIN_FOR_LOGIN, login_pin_done);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * login.c: staff log in with their staff id and PIN. The PIN hash
 * (argon2id, libsodium's crypto_pwhash_str format) is read from the staff
 * table and verified on a worker thread, because argon2id is deliberately
 * slow and must not stall the loop. An unknown staff id is verified
 * against a dummy hash so that it takes as long as a wrong PIN; so is a
 * staff member of another store (staff.store_id NULL: any store). After
 * LOGIN_MAX_FAILURES wrong attempts the connection is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "log.h"
#include "core.h"
#include "staff.h"
#include "worker.h"

#define LOGIN_MAX_FAILURES 5
#define PIN_MIN 4
#define PIN_MAX 12

typedef struct LoginState {
	char hash[crypto_pwhash_STRBYTES];	/* from the staff row or the dummy */
	char pin[PIN_MAX + 1];
	char name[128];
	Role role;
	bool found;				/* staff row exists and is active */
	bool ok;				/* set by the worker */
	Call *call;				/* borrowed */
} LoginState;

static int st_staff;
static char dummy_hash[crypto_pwhash_STRBYTES];

bool login_setup(void)
{
	st_staff = db_stmt_add("staff_by_id",
		"SELECT name, role, pin_hash, active, store_id FROM staff WHERE staff_id = $1",
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

static void login_state_free(void *p)
{
	LoginState *ls = p;

	sodium_memzero(ls->pin, sizeof(ls->pin));
	free(ls);
}

/* On a worker thread: touches only ls. */
static void login_verify_work(void *arg)
{
	LoginState *ls = arg;

	ls->ok = crypto_pwhash_str_verify(ls->hash, ls->pin, strlen(ls->pin)) == 0 && ls->found;
}

static void login_verify_done(void *arg)
{
	LoginState *ls = arg;
	Call *c = ls->call;
	Session *s = c->sess;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__LoginOk ok = KASSA__V1__LOGIN_OK__INIT;

	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	if (!ls->ok) {
		s->login_failures++;
		log_info("session %llu: failed login for staff %lld (%d)", (unsigned long long)s->id,
			 (long long)c->req->login->staff_id, s->login_failures);
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "BAD_CREDENTIALS",
			  "unknown staff id or wrong PIN");
		if (s->login_failures >= LOGIN_MAX_FAILURES)
			session_close_after_write(s, "too many failed logins");
		return;
	}
	s->staff_id = c->req->login->staff_id;
	s->role = ls->role;
	s->login_failures = 0;
	log_info("session %llu: staff %lld (%s) logged in at %s", (unsigned long long)s->id,
		 (long long)s->staff_id, role_name(s->role), s->till_code);
	ok.staff_id = s->staff_id;
	ok.name = ls->name;
	ok.role = (char *)role_name(s->role);
	resp.body_case = KASSA__V1__RESPONSE__BODY_LOGIN_OK;
	resp.login_ok = &ok;
	call_reply(c, &resp);
}

static void login_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	LoginState *ls = c->state;

	if (!call_db_ok(c, st, res))
		return;
	snprintf(ls->hash, sizeof(ls->hash), "%s", dummy_hash);
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
		ls->role = role_parse(PQgetvalue(res, 0, 1));
		/* staff of one store log in only at its tills; NULL = head office, any */
		ls->found = ls->role != ROLE_NONE &&
			    strlen(PQgetvalue(res, 0, 2)) < sizeof(ls->hash) &&
			    (PQgetisnull(res, 0, 4) ||
			     strtoll(PQgetvalue(res, 0, 4), NULL, 10) == c->sess->store_id);
		if (ls->found)
			snprintf(ls->hash, sizeof(ls->hash), "%s", PQgetvalue(res, 0, 2));
		snprintf(ls->name, sizeof(ls->name), "%s", PQgetvalue(res, 0, 0));
	}
	worker_submit(login_verify_work, login_verify_done, ls);
}

void handle_login(Call *c)
{
	const Kassa__V1__Login *l = c->req->login;
	size_t n = strlen(l->pin);
	char id[24];
	const char *params[1] = { id };
	LoginState *ls;

	if (l->staff_id <= 0 || n < PIN_MIN || n > PIN_MAX || strspn(l->pin, "0123456789") != n) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CREDENTIALS_FORMAT",
			  "staff id must be positive and the PIN %d-%d digits", PIN_MIN, PIN_MAX);
		return;
	}
	ls = xcalloc(1, sizeof(*ls));
	memcpy(ls->pin, l->pin, n + 1);
	ls->call = c;
	c->state = ls;
	c->state_free = login_state_free;
	snprintf(id, sizeof(id), "%lld", (long long)l->staff_id);
	db_query(st_staff, 1, params, login_db_cb, c);
}

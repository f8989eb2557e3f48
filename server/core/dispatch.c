/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c: looks a Request's body case up in the route table (given by
 * server/routes.c, so the core names no handler) and checks what the
 * route needs before its handler may run: a finished Hello, a staff Login with
 * one of the allowed roles, and an idempotency key for requests that
 * change state. A request that fails these checks is answered here and
 * never reaches its handler. The handler runs in the session's language
 * (the thread's locale is the session's while it runs), so _() in it
 * answers in the language the till's Hello asked for.
 */
#include <string.h>

#include "log.h"
#include "core.h"

static const Route *routes;	/* borrowed: routes.c's table */
static size_t routes_n;

void dispatch_setup(const Route *table, size_t n)
{
	routes = table;
	routes_n = n;
}

static bool key_is_valid(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (n < IDEM_KEY_MIN || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] > '~')
			return false;
	return true;
}

void dispatch_call(Call *c)
{
	Session *s = c->sess;
	const Route *r = NULL;
	locale_t prev;

	for (size_t i = 0; i < routes_n; i++)
		if (routes[i].body == c->req->body_case)
			r = &routes[i];
	if (r == NULL) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "UNKNOWN_REQUEST",
			  "this server does not know request type %d", (int)c->req->body_case);
		return;
	}
	if (g_shutting_down) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN",
			  "the server is shutting down; retry on reconnect");
		return;
	}
	if (r->needs_hello && s->state != SESS_READY) {
		call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "HELLO_REQUIRED",
			  "send Hello first");
		return;
	}
	if (!r->needs_hello && s->state == SESS_READY) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "HELLO_REPEATED",
			  "Hello was already exchanged on this connection");
		return;
	}
	if (r->roles) {
		if (c->staff_id == 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED",
				  "log in with a staff id and PIN first");
			return;
		}
		if ((c->role & r->roles) == 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED",
				  "this staff role may not do that");
			return;
		}
	}
	if (r->mutating && !key_is_valid(c->req->idempotency_key) &&
	    !(r->reads_only != NULL && r->reads_only(c->req))) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED",
			  "a request that changes state needs an idempotency key of %d-%d "
			  "printable characters", IDEM_KEY_MIN, IDEM_KEY_MAX);
		return;
	}
	prev = session_locale_enter(s);
	r->fn(c);		/* may free c and even s: only prev is used after */
	uselocale(prev);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c: looks a Request's body case up in the route table (given by
 * server/routes.c, so the core names no handler) and checks what the
 * route needs before its handler may run: a finished Hello, a token of the
 * till's rate limit (ratelimit.c; RESOURCE_EXHAUSTED RATE_LIMITED with
 * Status.retry_after_ms), a staff Login with one of the allowed roles, an
 * office certificate for the admin requests (routes whose roles are
 * ROLE_ADMIN alone: PERMISSION_DENIED OFFICE_ONLY from any other till
 * kind), and an idempotency key for requests that change state. A request
 * that fails these checks is answered here and never reaches its handler.
 * The handler runs in the session's language (the thread's locale is the
 * session's while it runs), so _() in it answers in the language the
 * till's Hello asked for.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "core.h"
#include "ratelimit.h"

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

/*
 * Answer c RESOURCE_EXHAUSTED RATE_LIMITED: its till is over [limits]
 * till_rate and may try again in retry_ms. Written out here, not with
 * call_fail(), because the Status carries retry_after_ms.
 */
static void fail_rate_limited(Call *c, uint32_t retry_ms)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Status st = KASSA__V1__STATUS__INIT;
	char msg[160];

	snprintf(msg, sizeof(msg), session_text(c->sess, N_("this till is sending too many "
		 "requests; retry in %u ms")), retry_ms);
	st.code = KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED;
	st.detail = (char *)"RATE_LIMITED";
	st.message = msg;
	st.retry_after_ms = retry_ms;
	resp.status = &st;
	call_reply(c, &resp);
}

/* An admin request: one only an admin may make, hence only from head office. */
static bool route_is_admin_only(const Route *r)
{
	return r->roles == ROLE_ADMIN;
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
	if (r->needs_hello) {
		uint32_t retry_ms = 0;

		if (!ratelimit_request(s->till_id, now_usec(), &retry_ms)) {
			fail_rate_limited(c, retry_ms);
			return;
		}
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
		if (route_is_admin_only(r) && strcmp(s->till_kind, "office") != 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "OFFICE_ONLY",
				  "only a head-office terminal may do that");
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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dispatch.c: the table from a Request's body case to its handler, with
 * what each needs before it may run: a finished Hello, a staff Login with
 * one of the allowed roles, and an idempotency key for requests that
 * change state. A request that fails these checks is answered here and
 * never reaches its handler.
 */
#include <string.h>

#include "log.h"
#include "server.h"

typedef struct Route {
	Kassa__V1__Request__BodyCase body;
	void (*fn)(Call *c);
	bool needs_hello;	/* the till must be identified first */
	int roles;		/* Role bits allowed; 0 = no Login needed */
	bool mutating;		/* needs an idempotency key */
} Route;

static const Route routes[] = {
	{ KASSA__V1__REQUEST__BODY_HELLO, handle_hello, false, 0, false },
	{ KASSA__V1__REQUEST__BODY_LOGIN, handle_login, true, 0, false },
	{ KASSA__V1__REQUEST__BODY_MEMBER_REGISTER, handle_member_register, true, ROLE_STORE, true },
	{ KASSA__V1__REQUEST__BODY_MEMBER_GET, handle_member_get, true, ROLE_ANY, false },
	{ KASSA__V1__REQUEST__BODY_MEMBER_SEARCH, handle_member_search, true, ROLE_ANY, false },
	{ KASSA__V1__REQUEST__BODY_MEMBER_UPDATE, handle_member_update, true, ROLE_STORE, false },
	{ KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP, handle_product_lookup, true, ROLE_ANY, false },
	{ KASSA__V1__REQUEST__BODY_CHECKOUT, handle_checkout, true,
	  ROLE_CASHIER | ROLE_MANAGER, true },
	{ KASSA__V1__REQUEST__BODY_TRANSACTION_GET, handle_transaction_get, true, ROLE_ANY, false },
	{ KASSA__V1__REQUEST__BODY_REFUND, handle_refund, true, ROLE_CASHIER | ROLE_MANAGER, true },
	{ KASSA__V1__REQUEST__BODY_TOP_UP, handle_top_up, true, ROLE_CASHIER | ROLE_MANAGER, true },
	{ KASSA__V1__REQUEST__BODY_RULE_SET_GET, handle_rule_set_get, true, ROLE_ANY, false },
	{ KASSA__V1__REQUEST__BODY_RULE_SET_PUT, handle_rule_set_put, true, ROLE_ADMIN, true },
	{ KASSA__V1__REQUEST__BODY_COUPON_DEFINE, handle_coupon_define, true, ROLE_ADMIN, true },
	{ KASSA__V1__REQUEST__BODY_COUPON_ISSUE, handle_coupon_issue, true, ROLE_STORE, true },
	{ KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, handle_points_expire, true, ROLE_ADMIN, true },
	{ KASSA__V1__REQUEST__BODY_TIER_SET, handle_tier_set, true, ROLE_MANAGER | ROLE_ADMIN, true },
	{ KASSA__V1__REQUEST__BODY_TIER_REEVALUATE, handle_tier_reevaluate, true, ROLE_ADMIN,
	  true },
};

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

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++)
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
	    !(c->req->body_case == KASSA__V1__REQUEST__BODY_CHECKOUT && c->req->checkout->quote)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED",
			  "a request that changes state needs an idempotency key of %d-%d "
			  "printable characters", IDEM_KEY_MIN, IDEM_KEY_MAX);
		return;
	}
	r->fn(c);
}

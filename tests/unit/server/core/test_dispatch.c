/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dispatch: the gate every decoded Request passes before its handler
 * runs (server/core/dispatch.c, compiled into this test on its own). It
 * guards that a request type with no route is UNIMPLEMENTED; that nothing
 * new starts while the server shuts down; that only Hello may come before
 * Hello, and Hello only once; that a route with roles needs a staff Login
 * (the one the Call arrived with, not the session's later one) with an
 * allowed role; that a route that changes state needs an idempotency key
 * of 8-128 printable ASCII characters unless its reads_only predicate says
 * this request changes nothing; that an admin-only route (roles ROLE_ADMIN
 * alone) is refused OFFICE_ONLY unless the session's till is an office
 * one; that a till over [limits] till_rate is answered RESOURCE_EXHAUSTED
 * RATE_LIMITED with a retry_after_ms (ratelimit.c is compiled in; the
 * limit is per till and off at rate 0); that the checks come in that order; and
 * that a request that passes reaches its own handler exactly once while
 * one that fails never reaches any. call_fail(), call_reply(), the [limits]
 * settings and g_shutting_down, which dispatch.c takes from call.c, cfg.c
 * and main.c, are defined here and record what the till would have been
 * answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"
#include "ratelimit.h"

#define KEY_OK "key-0001-abcdef"	/* a valid idempotency key */

/* ---- what dispatch.c links against ---- */

bool g_shutting_down;
int cf_till_rate, cf_till_burst, cf_address_rate, cf_address_burst;

static struct {
	int fails;			/* call_fail() calls */
	Kassa__V1__StatusCode code;	/* the last one's code ... */
	char detail[64];		/* ... machine detail ... */
	char message[256];		/* ... and human text */
	const Call *failed;		/* ... and the Call it answered */
} got;

void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	va_list ap;

	got.fails++;
	got.code = code;
	got.failed = c;
	snprintf(got.detail, sizeof(got.detail), "%s", detail);
	va_start(ap, fmt);
	vsnprintf(got.message, sizeof(got.message), fmt, ap);
	va_end(ap);
}

/* dispatch.c answers a rate-limited request itself, with call_reply() */
static struct {
	int replies;			/* call_reply() calls */
	Kassa__V1__StatusCode code;	/* the last one's status ... */
	char detail[64];
	uint32_t retry_after_ms;
	const Call *replied;		/* ... and the Call it answered */
} rep;

void call_reply(Call *c, Kassa__V1__Response *resp)
{
	rep.replies++;
	rep.replied = c;
	rep.code = resp->status ? resp->status->code : KASSA__V1__STATUS_CODE__OK;
	snprintf(rep.detail, sizeof(rep.detail), "%s",
		 resp->status && resp->status->detail ? resp->status->detail : "");
	rep.retry_after_ms = resp->status ? resp->status->retry_after_ms : 0;
}

/* ---- a route table of our own ---- */

enum { H_HELLO, H_LOGIN, H_MEMBER_GET, H_TIER_SET, H_CHECKOUT, H_POINTS_EXPIRE, H_COUNT };

static int hits[H_COUNT];		/* handler calls, by handler */
static const Call *handled;		/* the Call the last handler got */

static void hit(int h, Call *c)
{
	hits[h]++;
	handled = c;
}

static void on_hello(Call *c)
{
	hit(H_HELLO, c);
}

static void on_login(Call *c)
{
	hit(H_LOGIN, c);
}

static void on_member_get(Call *c)
{
	hit(H_MEMBER_GET, c);
}

static void on_tier_set(Call *c)
{
	hit(H_TIER_SET, c);
}

static void on_checkout(Call *c)
{
	hit(H_CHECKOUT, c);
}

static void on_points_expire(Call *c)
{
	hit(H_POINTS_EXPIRE, c);
}

static bool checkout_is_quote(const Kassa__V1__Request *req)
{
	return req->checkout != NULL && req->checkout->quote;
}

static const Route table[] = {
	{ KASSA__V1__REQUEST__BODY_HELLO, on_hello, false, 0, false, NULL },
	{ KASSA__V1__REQUEST__BODY_LOGIN, on_login, true, 0, false, NULL },
	{ KASSA__V1__REQUEST__BODY_MEMBER_GET, on_member_get, true, ROLE_ANY, false, NULL },
	{ KASSA__V1__REQUEST__BODY_TIER_SET, on_tier_set, true, ROLE_MANAGER | ROLE_ADMIN, true,
	  NULL },
	{ KASSA__V1__REQUEST__BODY_CHECKOUT, on_checkout, true, ROLE_CASHIER | ROLE_MANAGER, true,
	  checkout_is_quote },
	{ KASSA__V1__REQUEST__BODY_POINTS_EXPIRE, on_points_expire, true, ROLE_ADMIN, true, NULL },
};

/* ---- one request on one session ---- */

typedef struct Fixture {
	Session sess;
	Call call;
	Kassa__V1__Request req;
	Kassa__V1__Checkout checkout;
} Fixture;

/* A READY session whose Call comes from a logged-in manager, body b, key KEY_OK. */
static void fixture_init(Fixture *f, Kassa__V1__Request__BodyCase b)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	Kassa__V1__Checkout co = KASSA__V1__CHECKOUT__INIT;

	memset(f, 0, sizeof(*f));
	f->req = req;
	f->checkout = co;
	f->req.body_case = b;
	f->req.idempotency_key = (char *)KEY_OK;
	if (b == KASSA__V1__REQUEST__BODY_CHECKOUT)
		f->req.checkout = &f->checkout;
	f->sess.state = SESS_READY;
	f->sess.till_id = 1;
	f->sess.staff_id = 9;
	f->sess.role = ROLE_MANAGER;
	f->call.sess = &f->sess;
	f->call.req = &f->req;
	f->call.staff_id = 9;
	f->call.role = ROLE_MANAGER;
}

static int total_hits(void)
{
	int n = 0;

	for (int i = 0; i < H_COUNT; i++)
		n += hits[i];
	return n;
}

static void run(Fixture *f)
{
	memset(&got, 0, sizeof(got));
	memset(&rep, 0, sizeof(rep));
	memset(hits, 0, sizeof(hits));
	handled = NULL;
	dispatch_call(&f->call);
}

/* The request was refused with code and detail, and no handler ran. */
static void assert_refused(Kassa__V1__StatusCode code, const char *detail, const Fixture *f)
{
	assert_int_equal(got.fails, 1);
	assert_int_equal(got.code, code);
	assert_string_equal(got.detail, detail);
	assert_ptr_equal(got.failed, &f->call);
	assert_true(got.message[0] != '\0');
	assert_int_equal(total_hits(), 0);
}

/* The request reached handler h once, with its own Call, and was not refused. */
static void assert_handled(int h, const Fixture *f)
{
	assert_int_equal(got.fails, 0);
	assert_int_equal(hits[h], 1);
	assert_int_equal(total_hits(), 1);
	assert_ptr_equal(handled, &f->call);
}

static int setup(void **state)
{
	(void)state;
	g_shutting_down = false;
	cf_till_rate = 0;	/* off, but for test_rate_limited */
	ratelimit_shutdown();
	dispatch_setup(table, ARRAY_SIZE(table));
	return 0;
}

/* ---- the tests ---- */

static void test_good_requests_reach_their_handler(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	run(&f);
	assert_handled(H_MEMBER_GET, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	run(&f);
	assert_handled(H_TIER_SET, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);
	f.call.role = ROLE_CASHIER;
	run(&f);
	assert_handled(H_CHECKOUT, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_LOGIN);	/* Login needs no login */
	f.call.staff_id = 0;
	f.call.role = ROLE_NONE;
	f.req.idempotency_key = (char *)"";
	run(&f);
	assert_handled(H_LOGIN, &f);
}

static void test_unknown_request_type(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_PRODUCT_LOOKUP);	/* not in our table */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "UNKNOWN_REQUEST", &f);
	assert_non_null(strstr(got.message, "16"));	/* names the type */

	fixture_init(&f, KASSA__V1__REQUEST__BODY__NOT_SET);	/* no body at all */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "UNKNOWN_REQUEST", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	dispatch_setup(table, 0);		/* an empty table knows nothing */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNIMPLEMENTED, "UNKNOWN_REQUEST", &f);
}

static void test_shutting_down(void **state)
{
	Fixture f;

	(void)state;
	g_shutting_down = true;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_HELLO);
	f.sess.state = SESS_HELLO;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN", &f);

	g_shutting_down = false;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	run(&f);
	assert_handled(H_MEMBER_GET, &f);
}

static void test_hello_required(void **state)
{
	static const SessionState before[] = { SESS_HANDSHAKE, SESS_HELLO };
	Fixture f;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(before); i++) {
		fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
		f.sess.state = before[i];
		run(&f);
		assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "HELLO_REQUIRED", &f);

		fixture_init(&f, KASSA__V1__REQUEST__BODY_LOGIN);
		f.sess.state = before[i];
		run(&f);
		assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "HELLO_REQUIRED", &f);
	}
	fixture_init(&f, KASSA__V1__REQUEST__BODY_HELLO);
	f.sess.state = SESS_HELLO;
	f.req.idempotency_key = (char *)"";
	run(&f);
	assert_handled(H_HELLO, &f);
}

static void test_hello_repeated(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_HELLO);
	f.sess.state = SESS_READY;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "HELLO_REPEATED", &f);
}

static void test_login_required(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.call.staff_id = 0;
	f.call.role = ROLE_NONE;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED", &f);

	/* a role without a staff id is no login either */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.call.staff_id = 0;
	f.call.role = ROLE_ADMIN;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED", &f);

	/* a Login that finished after this request arrived does not count for it */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.call.staff_id = 0;
	f.call.role = ROLE_NONE;
	f.sess.staff_id = 9;
	f.sess.role = ROLE_ADMIN;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED", &f);
}

static void test_role_not_allowed(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);	/* managers and admins */
	f.call.role = ROLE_CASHIER;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.call.role = ROLE_NONE;	/* logged in, but with no role */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);

	/* the Call's role counts, not the session's current one */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.call.role = ROLE_ANALYST;
	f.sess.role = ROLE_ADMIN;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.call.role = ROLE_ADMIN;
	f.sess.role = ROLE_CASHIER;
	run(&f);
	assert_handled(H_TIER_SET, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);	/* cashiers and managers */
	f.call.role = ROLE_ANALYST;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);	/* any role */
	f.call.role = ROLE_ANALYST;
	run(&f);
	assert_handled(H_MEMBER_GET, &f);
}

static void assert_key_refused(const char *key)
{
	Fixture f;

	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.req.idempotency_key = (char *)key;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED", &f);
}

static void assert_key_accepted(const char *key)
{
	Fixture f;

	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.req.idempotency_key = (char *)key;
	run(&f);
	assert_handled(H_TIER_SET, &f);
}

static void test_idempotency_key(void **state)
{
	char key[IDEM_KEY_MAX + 2];
	char printable['~' - '!' + 2];

	(void)state;
	assert_key_refused(NULL);
	assert_key_refused("");
	assert_key_refused("1234567");			/* 7: too short */
	assert_key_accepted("12345678");		/* 8: the shortest */
	memset(key, 'k', IDEM_KEY_MAX);
	key[IDEM_KEY_MAX] = '\0';
	assert_key_accepted(key);			/* 128: the longest */
	key[IDEM_KEY_MAX] = 'k';
	key[IDEM_KEY_MAX + 1] = '\0';
	assert_key_refused(key);			/* 129: too long */
	assert_non_null(strstr(got.message, "8-128"));

	assert_key_refused("key 0001-abcdef");		/* space */
	assert_key_refused("key-0001-abcdef\t");	/* tab */
	assert_key_refused("key-0001-abcdef\n");
	assert_key_refused("key-0001-\x7f" "abcdef");	/* DEL */
	assert_key_refused("key-0001-\x1b[0m-x");	/* escape sequence */
	assert_key_refused("key-0001-caf\xc3\xa9");	/* UTF-8 is not printable ASCII */
	assert_key_refused("\xe6\x9d\x8e\xe5\xa8\x9c\xe6\x9d\x8e\xe5\xa8\x9c");

	for (int ch = '!'; ch <= '~'; ch++)		/* every printable character */
		printable[ch - '!'] = (char)ch;
	printable[sizeof(printable) - 1] = '\0';
	assert_key_accepted(printable);
}

/* A route that changes nothing needs no key, even if the till sends a bad one. */
static void test_key_not_needed_when_not_mutating(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.req.idempotency_key = (char *)"";
	run(&f);
	assert_handled(H_MEMBER_GET, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.req.idempotency_key = (char *)"bad key";
	run(&f);
	assert_handled(H_MEMBER_GET, &f);
}

static void test_reads_only_exempts(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);
	f.req.idempotency_key = (char *)"";
	f.checkout.quote = true;		/* a quote writes nothing */
	run(&f);
	assert_handled(H_CHECKOUT, &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);
	f.req.idempotency_key = (char *)"";
	f.checkout.quote = false;		/* a sale does */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED", &f);

	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);
	f.req.idempotency_key = (char *)"short";
	f.req.checkout = NULL;			/* the predicate sees no body */
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED", &f);

	/* the exemption is for the key only: the role is still checked */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_CHECKOUT);
	f.req.idempotency_key = (char *)"";
	f.checkout.quote = true;
	f.call.role = ROLE_ANALYST;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);
}

static void test_office_only(void **state)
{
	static const char *const not_office[] = { "till", "bench", "" };
	Fixture f;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(not_office); i++) {
		fixture_init(&f, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE);
		f.call.role = ROLE_ADMIN;
		snprintf(f.sess.till_kind, sizeof(f.sess.till_kind), "%s", not_office[i]);
		run(&f);
		assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "OFFICE_ONLY", &f);
	}
	fixture_init(&f, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE);
	f.call.role = ROLE_ADMIN;
	snprintf(f.sess.till_kind, sizeof(f.sess.till_kind), "office");
	run(&f);
	assert_handled(H_POINTS_EXPIRE, &f);
	/* the role is checked first: a manager at head office is still refused for it */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_POINTS_EXPIRE);
	snprintf(f.sess.till_kind, sizeof(f.sess.till_kind), "office");
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);
	/* a route an admin shares with others is not an admin request: any till */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);
	f.call.role = ROLE_ADMIN;
	snprintf(f.sess.till_kind, sizeof(f.sess.till_kind), "till");
	run(&f);
	assert_handled(H_TIER_SET, &f);
}

static void test_rate_limited(void **state)
{
	Fixture f;

	(void)state;
	cf_till_rate = 1;
	cf_till_burst = 2;
	for (int i = 0; i < 2; i++) {
		fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
		run(&f);
		assert_handled(H_MEMBER_GET, &f);
	}
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	run(&f);
	assert_int_equal(rep.replies, 1);
	assert_ptr_equal(rep.replied, &f.call);
	assert_int_equal(rep.code, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED);
	assert_string_equal(rep.detail, "RATE_LIMITED");
	assert_true(rep.retry_after_ms >= 1 && rep.retry_after_ms <= 1000);
	assert_int_equal(total_hits(), 0);
	assert_int_equal(got.fails, 0);
	/* Login counts too (it comes after Hello) */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_LOGIN);
	run(&f);
	assert_int_equal(rep.code, KASSA__V1__STATUS_CODE__RESOURCE_EXHAUSTED);
	/* another till has its own bucket */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	f.sess.till_id = 2;
	run(&f);
	assert_handled(H_MEMBER_GET, &f);
	/* Hello has no till yet: not limited here (connections are, per address) */
	fixture_init(&f, KASSA__V1__REQUEST__BODY_HELLO);
	f.sess.state = SESS_HELLO;
	f.sess.till_id = 0;
	run(&f);
	assert_handled(H_HELLO, &f);
	cf_till_rate = 0;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_MEMBER_GET);
	run(&f);
	assert_handled(H_MEMBER_GET, &f);
}

/* A request failing several checks gets the first one's answer. */
static void test_checks_in_order(void **state)
{
	Fixture f;

	(void)state;
	fixture_init(&f, KASSA__V1__REQUEST__BODY_TIER_SET);	/* fails everything */
	f.sess.state = SESS_HELLO;
	f.call.staff_id = 0;
	f.call.role = ROLE_NONE;
	f.req.idempotency_key = (char *)"";
	g_shutting_down = true;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN", &f);
	g_shutting_down = false;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "HELLO_REQUIRED", &f);
	f.sess.state = SESS_READY;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__UNAUTHENTICATED, "LOGIN_REQUIRED", &f);
	f.call.staff_id = 9;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "ROLE_NOT_ALLOWED", &f);
	f.call.role = ROLE_MANAGER;
	run(&f);
	assert_refused(KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "IDEMPOTENCY_KEY_REQUIRED", &f);
	f.req.idempotency_key = (char *)KEY_OK;
	run(&f);
	assert_handled(H_TIER_SET, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_requests_reach_their_handler, setup),
		cmocka_unit_test_setup(test_unknown_request_type, setup),
		cmocka_unit_test_setup(test_shutting_down, setup),
		cmocka_unit_test_setup(test_hello_required, setup),
		cmocka_unit_test_setup(test_hello_repeated, setup),
		cmocka_unit_test_setup(test_login_required, setup),
		cmocka_unit_test_setup(test_role_not_allowed, setup),
		cmocka_unit_test_setup(test_idempotency_key, setup),
		cmocka_unit_test_setup(test_key_not_needed_when_not_mutating, setup),
		cmocka_unit_test_setup(test_reads_only_exempts, setup),
		cmocka_unit_test_setup(test_checks_in_order, setup),
		cmocka_unit_test_setup(test_office_only, setup),
		cmocka_unit_test_setup(test_rate_limited, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

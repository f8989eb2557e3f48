/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_call: what call_fail_db() sends a till. A unique violation is
 * answered ALREADY_EXISTS with a fixed detail and message: neither the
 * constraint's name nor anything from the error text (which carries the
 * values, e.g. a phone number) reaches the till. A query whose answer did
 * not come by its deadline is UNAVAILABLE "DB_TIMEOUT" (retry with the
 * same key). A report pool's query (report_dsn) that cannot run names
 * the report database instead, with its own detail. call.c is compiled in; the session is a bufferevent without a
 * socket whose output buffer the test reads back, and db.c's error
 * accessors are replaced by ones returning the test's strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "core.h"
#include "db.h"
#include "frame.h"

/* ---- what call.c needs from the rest of kassad ---- */

static const char *err_state, *err_msg, *err_constraint;
static bool in_report;		/* what db_callback_is_report() answers */

bool db_callback_is_report(void)
{
	return in_report;
}

const char *db_sqlstate(const PGresult *res)
{
	(void)res;
	return err_state;
}

const char *db_errmsg(const PGresult *res)
{
	(void)res;
	return err_msg;
}

const char *db_constraint(const PGresult *res)
{
	(void)res;
	return err_constraint;
}

void session_close(Session *s, const char *fmt, ...)
{
	(void)s;
	fail_msg("session_close(%s) not expected", fmt);
}

void session_resume(Session *s)
{
	(void)s;
}

void session_orphan_done(void)
{
}

/* ---- helpers ---- */

static struct event_base *base;

/* A live session holding one Call for request id 7. */
static Call *call_new(Session *s)
{
	Kassa__V1__Request req = KASSA__V1__REQUEST__INIT;
	uint8_t buf[64];
	size_t n;
	Call *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	req.request_id = 7;
	n = kassa__v1__request__pack(&req, buf);
	c->req = kassa__v1__request__unpack(NULL, n, buf);
	assert_non_null(c->req);
	c->sess = s;
	s->calls = c;
	s->in_flight = 1;
	return c;
}

/* Unpack the one response frame in s's output (caller frees it). */
static Kassa__V1__Response *answer(Session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	size_t len = evbuffer_get_length(out);
	uint8_t *p;
	Kassa__V1__Response *r;

	assert_true(len > FRAME_HEADER_LEN);
	p = evbuffer_pullup(out, (ev_ssize_t)len);
	assert_non_null(p);
	assert_int_equal(load_be32(p), len - FRAME_HEADER_LEN);
	r = kassa__v1__response__unpack(NULL, len - FRAME_HEADER_LEN, p + FRAME_HEADER_LEN);
	assert_non_null(r);
	evbuffer_drain(out, len);
	return r;
}

static void session_init(Session *s)
{
	memset(s, 0, sizeof(*s));
	s->state = SESS_READY;
	s->bev = bufferevent_socket_new(base, -1, 0);
	assert_non_null(s->bev);
}

static void test_unique_violation_is_fixed(void **state)
{
	Session s;
	Kassa__V1__Response *r;

	(void)state;
	session_init(&s);
	err_state = "23505";
	err_constraint = "members_phone_key";
	err_msg = "duplicate key value violates unique constraint \"members_phone_key\"";
	call_fail_db(call_new(&s), DB_SQL_ERROR, (const PGresult *)&s);
	r = answer(&s);
	assert_int_equal(r->request_id, 7);
	assert_int_equal(r->status->code, KASSA__V1__STATUS_CODE__ALREADY_EXISTS);
	assert_string_equal(r->status->detail, "ALREADY_EXISTS");
	assert_null(strstr(r->status->message, "members"));
	assert_null(strstr(r->status->message, "phone"));
	assert_null(strstr(r->status->message, "constraint"));
	kassa__v1__response__free_unpacked(r, NULL);
	assert_int_equal(s.in_flight, 0);
	bufferevent_free(s.bev);
}

static void test_no_answer_is_unavailable(void **state)
{
	Session s;
	Kassa__V1__Response *r;

	(void)state;
	session_init(&s);
	err_state = err_msg = err_constraint = "";
	call_fail_db(call_new(&s), DB_NO_ANSWER, NULL);
	r = answer(&s);
	assert_int_equal(r->status->code, KASSA__V1__STATUS_CODE__UNAVAILABLE);
	assert_string_equal(r->status->detail, "DB_TIMEOUT");
	assert_non_null(strstr(r->status->message, "same key"));
	kassa__v1__response__free_unpacked(r, NULL);
	bufferevent_free(s.bev);
}

static void test_other_sql_errors_keep_values_out(void **state)
{
	Session s;
	Kassa__V1__Response *r;

	(void)state;
	session_init(&s);
	err_state = "23514";
	err_constraint = "members_phone_check";
	err_msg = "new row for relation \"members\" violates check constraint \"members_phone_check\"";
	call_fail_db(call_new(&s), DB_SQL_ERROR, (const PGresult *)&s);
	r = answer(&s);
	assert_int_equal(r->status->code, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT);
	assert_string_equal(r->status->detail, "INVALID_VALUE");
	assert_null(strstr(r->status->message, "members"));
	kassa__v1__response__free_unpacked(r, NULL);
	bufferevent_free(s.bev);
}

static void test_report_pool_down_names_the_report_database(void **state)
{
	Session s;
	Kassa__V1__Response *r;

	(void)state;
	session_init(&s);
	err_state = err_msg = err_constraint = "";
	in_report = true;
	call_fail_db(call_new(&s), DB_UNAVAILABLE, NULL);
	r = answer(&s);
	assert_int_equal(r->status->code, KASSA__V1__STATUS_CODE__UNAVAILABLE);
	assert_string_equal(r->status->detail, "REPORT_DATABASE_UNAVAILABLE");
	assert_non_null(strstr(r->status->message, "report database is unavailable"));
	kassa__v1__response__free_unpacked(r, NULL);
	bufferevent_free(s.bev);
	/* the same failure on the primary stays the member database's */
	session_init(&s);
	in_report = false;
	call_fail_db(call_new(&s), DB_UNAVAILABLE, NULL);
	r = answer(&s);
	assert_string_equal(r->status->detail, "DATABASE_UNAVAILABLE");
	assert_null(strstr(r->status->message, "report"));
	kassa__v1__response__free_unpacked(r, NULL);
	bufferevent_free(s.bev);
}

static int group_setup(void **state)
{
	(void)state;
	base = event_base_new();
	return base ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	event_base_free(base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_violation_is_fixed),
		cmocka_unit_test(test_no_answer_is_unavailable),
		cmocka_unit_test(test_other_sql_errors_keep_values_out),
		cmocka_unit_test(test_report_pool_down_names_the_report_database),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hello.c: the first exchange on a connection. The till's identity comes
 * from its verified client certificate (CN = tills.code), never from what
 * it says; Hello only negotiates the protocol version. A certificate whose
 * till is unknown or deactivated is answered PERMISSION_DENIED and the
 * connection is closed.
 *
 * Hello.language picks the language of every Status.message on the
 * session ("zh_CN", "zh_CN.UTF-8", "en"; "" or unknown = English): the
 * session borrows the shared locale_t of i18n_locale(), set before
 * anything is answered, so even a refused Hello is in that language.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "frame.h"
#include "log.h"
#include "core.h"

static int st_till;

void hello_setup(void)
{
	/* before the worker threads start: i18n_server_setup() clears LANGUAGE */
	i18n_server_setup();
	st_till = db_stmt_add("till_by_code",
		"SELECT t.till_id, t.kind, t.active, s.store_id, s.code, s.name, s.currency"
		" FROM tills t JOIN stores s USING (store_id) WHERE t.code = $1", DB_LANE_QUICK);
}

static void hello_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Session *s = c->sess;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__Welcome w = KASSA__V1__WELCOME__INIT;

	if (s)
		s->hello_pending = false;
	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
		log_call(c, LOG_LVL_WARN,
			 "session %llu: certificate CN \"%s\" is not an active till",
			 (unsigned long long)s->id, s->till_code);
		call_fail(c, KASSA__V1__STATUS_CODE__PERMISSION_DENIED, "TILL_UNKNOWN",
			  "this till's certificate is not registered or not active");
		session_close_after_write(s, "unknown till");
		return;
	}
	s->till_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	s->store_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	snprintf(s->till_kind, sizeof(s->till_kind), "%s", PQgetvalue(res, 0, 1));
	snprintf(s->store_code, sizeof(s->store_code), "%s", PQgetvalue(res, 0, 4));
	snprintf(s->currency, sizeof(s->currency), "%s", PQgetvalue(res, 0, 6));
	session_ready(s);
	log_call(c, LOG_LVL_INFO, "session %llu: till %s of store %s (%s) from %s",
		 (unsigned long long)s->id, s->till_code, s->store_code, s->till_kind, s->peer);

	w.protocol_version = KASSA_PROTOCOL_VERSION;
	w.server_version = (char *)"kassad/" KASSA_VERSION;
	w.store_id = s->store_id;
	w.store_code = s->store_code;
	w.store_name = PQgetvalue(res, 0, 5);
	w.till_id = s->till_id;
	w.till_code = s->till_code;
	w.till_kind = s->till_kind;
	w.currency = s->currency;
	w.max_frame = (uint32_t)cf_max_frame;
	w.max_in_flight = (uint32_t)cf_max_in_flight;
	resp.body_case = KASSA__V1__RESPONSE__BODY_WELCOME;
	resp.welcome = &w;
	call_reply(c, &resp);
}

void handle_hello(Call *c)
{
	Session *s = c->sess;
	const Kassa__V1__Hello *h = c->req->hello;
	const char *params[1];

	s->locale = i18n_locale(i18n_lang_parse(h->language));
	if (h->protocol_version != KASSA_PROTOCOL_VERSION) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "PROTOCOL_VERSION",
			  "this server speaks protocol version %d, not %u", KASSA_PROTOCOL_VERSION,
			  h->protocol_version);
		session_close_after_write(s, "protocol version mismatch");
		return;
	}
	if (s->hello_pending) {
		call_fail(c, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "HELLO_REPEATED",
			  "Hello is already being answered");
		return;
	}
	s->hello_pending = true;
	params[0] = s->till_code;
	db_query(st_till, 1, params, hello_db_cb, c);
}

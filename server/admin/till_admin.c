/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_admin.c: TillPut and TillList, head office's register of tills (and
 * office workstations and bench clients), part "tills" of store operations.
 *
 * A till is known by the CN of its client certificate (kassa-ca issues it,
 * client/ca/), which is tills.code. kassad checks the code (1-64 characters
 * of [A-Za-z0-9._-]) and the kind; one call of kassa_till_put()
 * (migrations/functions/tills.sql) registers or changes the row and writes
 * the audit row 'till.put', exactly once per idempotency key. Hello refuses
 * a till that is not active (server/core/hello.c); when TillPut deactivates
 * a till, moves it to another store or changes its kind, this kassad also
 * closes the till's open sessions once the answer is written, so that its
 * next request is refused (it must say Hello again); every other kassad
 * closes its own within a few seconds (till_sweep.c). TillList is a read; a
 * manager who belongs to a store sees that store's tills only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "sqltext.h"
#include "till_admin.h"

#define TILL_CODE_MAX 64

static int st_put, st_list;

void till_admin_setup(void)
{
	/* $1 till $2 staff $3 key $4 hash $5 code $6 store $7 kind $8 active */
	st_put = db_stmt_add("till_put",
		"SELECT r_till_id, r_code, r_store_id, r_store_code, r_kind, r_active, r_created_at,"
		" r_created, r_cut FROM kassa_till_put($1, $2, $3, $4::bytea, $5, $6, $7, $8)",
		DB_LANE_WORK);
	/* $1 staff $2 manager $3 store */
	st_list = db_stmt_add("till_list",
		"SELECT r_till_id, r_code, r_store_id, r_store_code, r_kind, r_active, r_created_at"
		" FROM kassa_till_list($1, $2, $3)", DB_LANE_WORK);
	till_sweep_setup();
}

/* 1-64 characters of [A-Za-z0-9._-]: what kassa-ca accepts as a CN too. */
static bool till_code_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= TILL_CODE_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static bool till_kind_ok(const char *s)
{
	return s[0] == '\0' || strcmp(s, "till") == 0 || strcmp(s, "office") == 0 ||
	       strcmp(s, "bench") == 0;
}

/* Row i of a kassa_till_list() result into t (strings borrowed from res). */
static void till_info_row(Kassa__V1__TillInfo *t, const PGresult *res, int i)
{
	t->till_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	t->code = PQgetvalue(res, i, 1);
	t->store_id = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	t->store_code = PQgetvalue(res, i, 3);
	t->kind = PQgetvalue(res, i, 4);
	t->active = strcmp(PQgetvalue(res, i, 5), "t") == 0;
	t->created_at = PQgetvalue(res, i, 6);
}

/* Close this kassad's sessions of till_id: they must say Hello again. */
static void till_sessions_close(int64_t till_id)
{
	Session *s = (Session *)session_first(), *next;
	int n = 0;

	for (; s != NULL; s = next) {
		next = s->next;	/* session_close_after_write() may unlink s */
		if (s->till_id == till_id) {
			session_close_after_write(s, "till deactivated or changed by TillPut");
			n++;
		}
	}
	if (n > 0)
		log_info("till %lld: %d session(s) closed after TillPut", (long long)till_id, n);
}

static void put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__TillInfo ti = KASSA__V1__TILL_INFO__INIT;
	int64_t till_id;
	bool cut;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	till_info_row(&ti, res, 0);
	ti.created = strcmp(PQgetvalue(res, 0, 7), "t") == 0;
	cut = strcmp(PQgetvalue(res, 0, 8), "t") == 0;
	till_id = ti.till_id;
	resp.body_case = KASSA__V1__RESPONSE__BODY_TILL_INFO;
	resp.till_info = &ti;
	call_reply(c, &resp);	/* frees c: nothing of it after this */
	if (cut)
		till_sessions_close(till_id);
}

void handle_till_put(Call *c)
{
	const Kassa__V1__TillPut *q = c->req->till_put;
	char till[24], staff[24], store[24], active[8];
	SqlText hash = SQLTEXT_INIT;

	if (!till_code_ok(q->code)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TILL_CODE",
			  _("a till's code is 1 to %d letters, digits, '.', '_' or '-'"),
			  TILL_CODE_MAX);
		return;
	}
	if (!till_kind_ok(q->kind)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TILL_KIND", "%s",
			  _("a till's kind is till, office or bench"));
		return;
	}
	if (q->store_id < 0 || (q->active != KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_KEEP &&
				q->active != KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_YES &&
				q->active != KASSA__V1__TILL_ACTIVE__TILL_ACTIVE_NO)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TILL", "%s",
			  _("give a store id and active yes or no"));
		return;
	}
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);
	snprintf(active, sizeof(active), "%d", (int)q->active);
	sqltext_hash(&hash, &q->base);

	const char *params[8] = {
		till, staff, c->req->idempotency_key, sqltext_str(&hash),
		q->code, store, q->kind, active,
	};
	db_query(st_put, 8, params, put_cb, c);
	sqltext_free(&hash);
}

static void list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__TillRoster ro = KASSA__V1__TILL_ROSTER__INIT;
	Kassa__V1__TillInfo *tv = NULL, **tp = NULL;
	int n, i;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	if (n > 0) {
		tv = calloc((size_t)n, sizeof(*tv));
		tp = calloc((size_t)n, sizeof(*tp));
		if (tv == NULL || tp == NULL) {
			free(tv);
			free(tp);
			call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
				  _("internal error"));
			return;
		}
	}
	for (i = 0; i < n; i++) {
		kassa__v1__till_info__init(&tv[i]);
		till_info_row(&tv[i], res, i);
		tp[i] = &tv[i];
	}
	ro.n_tills = (size_t)n;
	ro.tills = tp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_TILL_ROSTER;
	resp.till_roster = &ro;
	call_reply(c, &resp);
	free(tv);
	free(tp);
}

void handle_till_list(Call *c)
{
	const Kassa__V1__TillList *q = c->req->till_list;
	char staff[24], store[24];

	if (q->store_id < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE", "%s",
			  _("give a store id"));
		return;
	}
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	snprintf(store, sizeof(store), "%lld", (long long)q->store_id);

	const char *params[3] = { staff, c->role == ROLE_MANAGER ? "t" : "f", store };

	db_query(st_list, 3, params, list_cb, c);
}

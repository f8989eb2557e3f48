/* SPDX-License-Identifier: Apache-2.0 */
/*
 * history.c: MemberHistory, a member's purchases across stores, newest
 * first, one page at a time: the first step of head office's member 360.
 *
 * One prepared call of kassa_member_history_json() (migrations/functions/
 * transactions.sql) reads the page: keyset paging on (created_at, txn_id)
 * descending over the transactions_member index, each sale as
 * kassa_txn_json() builds it (lines, tenders, discounts, points), so a sale
 * reads here exactly as TransactionGet gives it (loyalty's
 * txn_pb_from_json()). It reads limit + 1 rows to know whether another
 * page follows; the cursor of that page ("next", opaque to clients) is the
 * last sale's time (UTC, microseconds, as kassa_txn_json() prints it) and
 * id: "YYYY-MM-DDTHH:MM:SS.ffffffZ/TXN_ID". A cursor not of that shape is
 * INVALID_ARGUMENT BAD_CURSOR. Cashiers get only their own store's sales,
 * as with TransactionGet. Refunds of the sales are not in the page yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "core.h"
#include "loyalty.h"
#include "members.h"

#define HISTORY_DEFAULT 20
#define HISTORY_MAX 100
#define CURSOR_AT_LEN 27	/* YYYY-MM-DDTHH:MM:SS.ffffffZ */
#define CURSOR_ID_MAX 18	/* digits of a txn_id */
#define CURSOR_LEN (CURSOR_AT_LEN + 1 + CURSOR_ID_MAX + 1)

static int st_history;

void member_history_setup(void)
{
	st_history = db_stmt_add("member_history",
		"SELECT kassa_member_history_json($1, $2, $3, $4, $5)", DB_LANE_QUICK);
}

/* n digits at s into *v; false if any is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * Split cursor s ("YYYY-MM-DDTHH:MM:SS.ffffffZ/TXN_ID", a real time and a
 * positive id) into at and id (NUL-terminated text for the statement).
 */
static bool cursor_parse(const char *s, char at[CURSOR_AT_LEN + 1], char id[CURSOR_ID_MAX + 1])
{
	size_t n = strlen(s), idlen;
	int y, mo, d, h, mi, sec, frac;
	char day[11];

	if (n < CURSOR_AT_LEN + 2 || n > CURSOR_LEN - 1 || s[CURSOR_AT_LEN] != '/')
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (!date_parse(day, &y, &mo, &d) || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != '.' || s[26] != 'Z' || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &sec) || !digits(s + 20, 6, &frac) || h > 23 || mi > 59 ||
	    sec > 59)
		return false;
	idlen = n - CURSOR_AT_LEN - 1;
	for (size_t i = 0; i < idlen; i++)
		if (s[CURSOR_AT_LEN + 1 + i] < '0' || s[CURSOR_AT_LEN + 1 + i] > '9')
			return false;
	if (s[CURSOR_AT_LEN + 1] == '0')
		return false;	/* no leading zeros, and 0 is no txn_id */
	memcpy(at, s, CURSOR_AT_LEN);
	at[CURSOR_AT_LEN] = '\0';
	memcpy(id, s + CURSOR_AT_LEN + 1, idlen);
	id[idlen] = '\0';
	return true;
}

/* Reply with the page in doc ({"txns": [...], "more": bool}). */
static void history_reply(Call *c, json_t *doc)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__MemberHistoryPage page = KASSA__V1__MEMBER_HISTORY_PAGE__INIT;
	json_t *arr = json_object_get(doc, "txns");
	size_t n = json_array_size(arr);
	Kassa__V1__Transaction *t = n ? xcalloc(n, sizeof(*t)) : NULL;
	Kassa__V1__Transaction **tp = n ? xcalloc(n, sizeof(*tp)) : NULL;
	char next[CURSOR_LEN + 8] = "";

	for (size_t i = 0; i < n; i++) {
		txn_pb_from_json(json_array_get(arr, i), NULL, &t[i]);
		tp[i] = &t[i];
	}
	if (n > 0 && json_is_true(json_object_get(doc, "more")))
		snprintf(next, sizeof(next), "%s/%lld", t[n - 1].created_at,
			 (long long)t[n - 1].txn_id);
	page.n_transactions = n;
	page.transactions = tp;
	page.next = next;
	resp.body_case = KASSA__V1__RESPONSE__BODY_MEMBER_HISTORY_PAGE;
	resp.member_history_page = &page;
	call_reply(c, &resp);
	for (size_t i = 0; i < n; i++)
		txn_pb_clear(&t[i]);
	free(tp);
	free(t);
}

static void history_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	json_error_t err;
	json_t *doc;

	if (!call_db_ok(c, st, res))
		return;
	if (PQgetisnull(res, 0, 0)) {
		call_fail(c, KASSA__V1__STATUS_CODE__NOT_FOUND, "MEMBER_NOT_FOUND", "no member %lld",
			  (long long)c->req->member_history->member_id);
		return;
	}
	doc = json_loads(PQgetvalue(res, 0, 0), 0, &err);
	if (!json_is_array(json_object_get(doc, "txns"))) {
		log_call(c, LOG_LVL_ERROR, "could not parse a member's history from the database"
			 " (line %d, column %d)", err.line, err.column);
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "BAD_TRANSACTION_JSON",
			  "internal error");
		json_decref(doc);
		return;
	}
	history_reply(c, doc);
	json_decref(doc);
}

void handle_member_history(Call *c)
{
	const Kassa__V1__MemberHistory *q = c->req->member_history;
	unsigned limit = q->limit ? q->limit : HISTORY_DEFAULT;
	char member[24], lim[16], store[24], at[CURSOR_AT_LEN + 1], id[CURSOR_ID_MAX + 1];
	const char *params[5] = { member, NULL, NULL, lim, NULL };

	if (q->before[0] != '\0') {
		if (!cursor_parse(q->before, at, id)) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURSOR",
				  "before is not a cursor this history gave (its \"next\")");
			return;
		}
		params[1] = at;
		params[2] = id;
	}
	if (limit > HISTORY_MAX)
		limit = HISTORY_MAX;
	snprintf(member, sizeof(member), "%lld", (long long)q->member_id);
	snprintf(lim, sizeof(lim), "%u", limit);
	if (c->role & ROLE_CASHIER) {
		snprintf(store, sizeof(store), "%lld", (long long)c->sess->store_id);
		params[4] = store;
	}
	db_query(st_history, 5, params, history_db_cb, c);
}

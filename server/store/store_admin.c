/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_admin.c: StorePut and StoreList, the stores administered through
 * the protocol (store operations, part "org").
 *
 * StorePut (an administrator at head office) creates or updates the store
 * with a code: name, currency (ISO 4217), time zone (an IANA name that
 * PostgreSQL knows: stores.timezone is each store's business day in the
 * reports, the dashboard and the analytics) and whether its stock may go
 * below zero. kassad checks the form of what it can (code, name, currency,
 * the zone's characters); one call of kassa_store_put()
 * (migrations/functions/store_admin.sql) checks the zone against
 * pg_timezone_names, refuses a new currency for a store that has sales
 * (CURRENCY_IN_USE), writes the row and the 'store.put' audit row, exactly
 * once per idempotency key; this kassad then forgets the store's cached
 * business days (store_day.h). StoreList answers every store, by code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "i18n.h"
#include "sqltext.h"
#include "store_admin.h"
#include "store_day.h"

#define STORE_CODE_MAX 32
#define STORE_NAME_MAX 200		/* bytes of UTF-8 */
#define STORE_ZONE_MAX 64

static int st_put, st_list;

/* The columns both statements answer, in StoreInfo's order. */
#define STORE_COLS "r_store_id, r_code, r_name, r_currency, r_timezone, r_negative_stock"

void store_admin_setup(void)
{
	store_day_setup();	/* a StorePut forgets the store's cached days */
	/* $1 till $2 staff $3 key $4 hash $5 code $6 name $7 currency $8 zone $9 negative $10 create */
	st_put = db_stmt_add("store_put",
		"SELECT " STORE_COLS ", r_created FROM kassa_store_put($1, $2, $3, $4::bytea,"
		" $5, $6, $7, $8, $9::boolean, $10::boolean)", DB_LANE_WORK);
	st_list = db_stmt_add("store_list",
		"SELECT store_id, code, name, currency, timezone, negative_stock FROM stores"
		" ORDER BY code", DB_LANE_QUICK);
}

/* True if s is 1..max bytes, each of A-Z a-z 0-9 and extra. */
static bool plain_word(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr(extra, *p) != NULL))
			return false;
	return true;
}

/* A name for people: at most max bytes, no control characters ("" allowed: keep). */
static bool name_ok(const char *s, size_t max)
{
	if (strlen(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return s[0] == '\0' || strspn(s, " ") < strlen(s);
}

static bool currency_ok(const char *s)
{
	return s[0] == '\0' || (strlen(s) == 3 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3);
}

/* One StoreInfo from row i of res (columns as STORE_COLS); strings borrow res. */
static void store_info_of(Kassa__V1__StoreInfo *si, const PGresult *res, int i)
{
	kassa__v1__store_info__init(si);
	si->store_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	si->code = PQgetvalue(res, i, 1);
	si->name = PQgetvalue(res, i, 2);
	si->currency = PQgetvalue(res, i, 3);
	si->timezone = PQgetvalue(res, i, 4);
	si->negative_stock = strcmp(PQgetvalue(res, i, 5), "t") == 0;
}

/* 2. Written (or replayed): answer the store as it is now. */
static void store_put_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StoreInfo si;

	if (!call_db_ok(c, st, res))
		return;
	if (PQntuples(res) != 1) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	store_info_of(&si, res, 0);
	si.created = strcmp(PQgetvalue(res, 0, 6), "t") == 0;
	store_day_forget(si.store_id);	/* its zone may have moved: the next sale reads it */
	log_call(c, LOG_LVL_INFO, "store %s (%lld) %s by staff %lld", si.code,
		 (long long)si.store_id, si.created ? "created" : "updated", (long long)c->staff_id);
	resp.body_case = KASSA__V1__RESPONSE__BODY_STORE_INFO;
	resp.store_info = &si;
	call_reply(c, &resp);
}

/* 1. The form of the request, then one call of kassa_store_put(). */
void handle_store_put(Call *c)
{
	const Kassa__V1__StorePut *q = c->req->store_put;
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24];

	if (!plain_word(q->code, STORE_CODE_MAX, "-_")) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_STORE_CODE",
			  _("a store code is 1 to %d letters, digits, '-' or '_'"), STORE_CODE_MAX);
		return;
	}
	if (!name_ok(q->name, STORE_NAME_MAX)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NAME",
			  _("a name is 1 to %d bytes on one line"), STORE_NAME_MAX);
		return;
	}
	if (!currency_ok(q->currency)) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURRENCY", "%s",
			  _("a currency is an ISO 4217 code of three capital letters, like CNY"));
		return;
	}
	if (q->timezone[0] != '\0' && !plain_word(q->timezone, STORE_ZONE_MAX, "/_+-")) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "UNKNOWN_TIMEZONE", "%s",
			  _("unknown time zone: give an IANA name like Asia/Shanghai"));
		return;
	}
	sqltext_hash(&hash, &q->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[10] = {
		till, staff, c->req->idempotency_key, sqltext_str(&hash), q->code, q->name,
		q->currency, q->timezone,
		q->negative_stock == KASSA__V1__ORG_SWITCH__ORG_SWITCH_ON ? "t" :
		q->negative_stock == KASSA__V1__ORG_SWITCH__ORG_SWITCH_OFF ? "f" : NULL,
		q->create ? "t" : "f",
	};
	db_query(st_put, 10, params, store_put_cb, c);
	sqltext_free(&hash);
}

static void store_list_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__StoreRoster roster = KASSA__V1__STORE_ROSTER__INIT;
	Kassa__V1__StoreInfo *infos, **ptrs;
	int n;

	if (!call_db_ok(c, st, res))
		return;
	n = PQntuples(res);
	infos = xcalloc((size_t)n + 1, sizeof(*infos));
	ptrs = xcalloc((size_t)n + 1, sizeof(*ptrs));
	for (int i = 0; i < n; i++) {
		store_info_of(&infos[i], res, i);
		ptrs[i] = &infos[i];
	}
	roster.n_stores = (size_t)n;
	roster.stores = ptrs;
	resp.body_case = KASSA__V1__RESPONSE__BODY_STORE_ROSTER;
	resp.store_roster = &roster;
	call_reply(c, &resp);
	free(ptrs);
	free(infos);
}

void handle_store_list(Call *c)
{
	db_query(st_list, 0, NULL, store_list_cb, c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rates.c: exchange rates. RatesGet (any role) answers the current
 * version; RatesSet (manager or admin) replaces the whole table with a new
 * version, exactly once, through one call of kassa_rates_set()
 * (migrations/functions/rates.sql: the idempotency claim, the version and
 * its rows, the audit row). Both answer a RateTable in the session's store
 * currency. The versions checkouts convert with are cached here (rates.h):
 * versions are immutable, so a cached one is never stale, and an unknown
 * one is simply read again next time (it may have been created since).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "money.h"
#include "rates.h"
#include "sqltext.h"

#define RATES_NOTE_MAX 200		/* bytes */

static int st_get;
static int st_set;
static RateVersion cache[RATES_CACHE];
static int cache_next;			/* the slot the next version takes */

void rates_setup(void)
{
	st_get = db_stmt_add("rates_get", "SELECT * FROM kassa_rates_get($1)", DB_LANE_QUICK);
	st_set = db_stmt_add("rates_set",
		"SELECT * FROM kassa_rates_set($1, $2, $3::bytea, $4, $5::text[], $6::bigint[], $7)",
		DB_LANE_WORK);
}

const RateVersion *rates_cached(int32_t version)
{
	for (int i = 0; version > 0 && i < RATES_CACHE; i++)
		if (cache[i].version == version)
			return &cache[i];
	return NULL;
}

int64_t rates_find(const RateVersion *v, const char *currency)
{
	for (int i = 0; v != NULL && i < v->n; i++)
		if (strcmp(v->rates[i].currency, currency) == 0)
			return v->rates[i].rate_micro;
	return 0;
}

/* kassa_rates_get()'s rows into *v; false if there are none (no such version). */
static bool version_from_rows(const PGresult *res, RateVersion *v)
{
	int rows = PQntuples(res);

	memset(v, 0, sizeof(*v));
	if (rows == 0 || PQnfields(res) != 4)
		return false;
	v->version = (int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(v->created_at, sizeof(v->created_at), "%s", PQgetvalue(res, 0, 1));
	for (int r = 0; r < rows && v->n < RATES_MAX; r++) {
		if (PQgetisnull(res, r, 2))
			continue;	/* a version without rates */
		snprintf(v->rates[v->n].currency, sizeof(v->rates[v->n].currency), "%s",
			 PQgetvalue(res, r, 2));
		v->rates[v->n].rate_micro = strtoll(PQgetvalue(res, r, 3), NULL, 10);
		v->n++;
	}
	return v->version > 0;
}

static void cache_put(const RateVersion *v)
{
	if (rates_cached(v->version) != NULL)
		return;
	cache[cache_next] = *v;
	cache_next = (cache_next + 1) % RATES_CACHE;
}

typedef struct RatesLoad {
	Call *c;			/* borrowed */
	void (*done)(Call *c);
} RatesLoad;

static void load_cb(void *arg, DbStatus st, const PGresult *res)
{
	RatesLoad *l = arg;
	Call *c = l->c;
	void (*done)(Call *c) = l->done;
	RateVersion v;

	free(l);
	if (!call_db_ok(c, st, res))
		return;
	if (version_from_rows(res, &v))
		cache_put(&v);
	done(c);
}

void rates_load(Call *c, int32_t version, void (*done)(Call *c))
{
	RatesLoad *l = xcalloc(1, sizeof(*l));
	char p_version[16];
	const char *p = p_version;

	l->c = c;
	l->done = done;
	snprintf(p_version, sizeof(p_version), "%d", (int)(version > 0 ? version : 1));
	db_query(st_get, 1, &p, load_cb, l);
}

/* Answer c with the RateTable of v (version 0 and no rates when none was ever set). */
static void rates_reply(Call *c, const RateVersion *v)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__RateTable t = KASSA__V1__RATE_TABLE__INIT;
	Kassa__V1__ExchangeRate rates[RATES_MAX], *rp[RATES_MAX];

	t.version = v->version;
	t.store_currency = c->sess->currency;
	t.created_at = (char *)v->created_at;
	for (int i = 0; i < v->n; i++) {
		kassa__v1__exchange_rate__init(&rates[i]);
		rates[i].currency = (char *)v->rates[i].currency;
		rates[i].rate_micro = v->rates[i].rate_micro;
		rp[i] = &rates[i];
	}
	t.n_rates = (size_t)v->n;
	t.rates = rp;
	resp.body_case = KASSA__V1__RESPONSE__BODY_RATE_TABLE;
	resp.rate_table = &t;
	call_reply(c, &resp);
}

static void rates_db_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	RateVersion v;

	if (!call_db_ok(c, st, res))
		return;
	if (version_from_rows(res, &v))
		cache_put(&v);		/* a set version is what the next sales convert with */
	rates_reply(c, &v);
}

void handle_rates_get(Call *c)
{
	const char *p = "0";

	db_query(st_get, 1, &p, rates_db_cb, c);
}

/* RatesSet's checks: false after answering c INVALID_ARGUMENT. */
static bool rates_check(Call *c, const Kassa__V1__RatesSet *rs)
{
	if (rs->n_rates > RATES_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RATES",
			  "a rate table holds at most %d currencies", RATES_MAX);
		return false;
	}
	if (strlen(rs->note) > RATES_NOTE_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_NOTE",
			  "a note is at most %d bytes", RATES_NOTE_MAX);
		return false;
	}
	for (size_t i = 0; i < rs->n_rates; i++) {
		const Kassa__V1__ExchangeRate *r = rs->rates[i];

		if (money_currency_exponent(r->currency) < 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURRENCY",
				  "rate %zu: \"%.8s\" is not a currency kassad knows (ISO 4217, "
				  "upper case)", i + 1, r->currency);
			return false;
		}
		if (strcmp(r->currency, c->sess->currency) == 0) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_CURRENCY",
				  "rate %zu: %s is the store currency", i + 1, r->currency);
			return false;
		}
		if (r->rate_micro <= 0 || r->rate_micro > MONEY_RATE_MAX) {
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RATE",
				  "rate %zu: %s needs a rate above 0 and at most 1000000000", i + 1,
				  r->currency);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(rs->rates[j]->currency, r->currency) == 0) {
				call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_RATES",
					  "%s is given twice", r->currency);
				return false;
			}
		}
	}
	return true;
}

void handle_rates_set(Call *c)
{
	const Kassa__V1__RatesSet *rs = c->req->rates_set;
	SqlText hash = SQLTEXT_INIT, codes = SQLTEXT_INIT, rates = SQLTEXT_INIT;
	char till[24], staff[24];

	if (!rates_check(c, rs))
		return;
	sqltext_hash(&hash, &rs->base);
	sqltext_open(&codes);
	sqltext_open(&rates);
	for (size_t i = 0; i < rs->n_rates; i++) {
		sqltext_elem_str(&codes, rs->rates[i]->currency);
		sqltext_elem_int(&rates, rs->rates[i]->rate_micro);
	}
	sqltext_close(&codes);
	sqltext_close(&rates);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);

	const char *params[7] = {
		till, c->req->idempotency_key, sqltext_str(&hash), staff, sqltext_str(&codes),
		sqltext_str(&rates), rs->note,
	};
	db_query(st_set, 7, params, rates_db_cb, c);
	sqltext_free(&hash);
	sqltext_free(&codes);
	sqltext_free(&rates);
}

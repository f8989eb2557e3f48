/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_day_db.c: reading a store's business day from PostgreSQL into
 * store_day.c's cache (store_day.h): one quick prepared statement that
 * gives the date of an instant in stores.timezone, the day's first instant
 * and the next day's (so a DST day is 23 or 25 hours long) and the ISO
 * weekday. Apart from store_day.c so that the cache links without the
 * database pool (the catalogue's unit tests).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "store_day.h"

static int st_day = -1;

void store_day_setup(void)
{
	if (st_day >= 0)
		return;
	/* $1 store, $2 epoch: the store's date then, its first instant and the next day's */
	st_day = db_stmt_add("store_day",
		"SELECT to_char(x.d, 'YYYY-MM-DD'),"
		" extract(epoch FROM x.d::timestamp AT TIME ZONE s.timezone)::bigint,"
		" extract(epoch FROM (x.d + 1)::timestamp AT TIME ZONE s.timezone)::bigint,"
		" extract(isodow FROM x.d)::integer"
		" FROM stores s, LATERAL (SELECT (to_timestamp($2::bigint) AT TIME ZONE"
		"  s.timezone)::date AS d) x WHERE s.store_id = $1::bigint", DB_LANE_QUICK);
}

/* A store_day_load() in flight. */
typedef struct DayLoad {
	int64_t store_id;
	DbCallback cb;
	void *arg;		/* borrowed: the caller's */
} DayLoad;

/* The statement's row into the cache; false if it is not one well-formed day. */
static bool put_row(int64_t store_id, const PGresult *res)
{
	StoreDate d;
	int64_t start, end;

	if (PQntuples(res) != 1 || PQnfields(res) != 4 || PQgetisnull(res, 0, 0) ||
	    sscanf(PQgetvalue(res, 0, 0), "%d-%d-%d", &d.year, &d.month, &d.day) != 3)
		return false;
	start = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	end = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	d.weekday = (int)strtol(PQgetvalue(res, 0, 3), NULL, 10);
	if (d.weekday < 1 || d.weekday > 7 || start >= end)
		return false;
	store_day_put(store_id, start, end, &d);
	return true;
}

static void load_cb(void *arg, DbStatus st, const PGresult *res)
{
	DayLoad *l = arg;
	DbCallback cb = l->cb;
	void *cb_arg = l->arg;

	if (st == DB_OK && !put_row(l->store_id, res) && PQntuples(res) > 0)
		log_warn("store %lld: could not read its business day", (long long)l->store_id);
	free(l);
	cb(cb_arg, st, res);
}

void store_day_load(int64_t store_id, int64_t epoch, DbCallback cb, void *arg)
{
	DayLoad *l = xcalloc(1, sizeof(*l));
	char p_store[24], p_epoch[24];
	const char *params[2] = { p_store, p_epoch };

	l->store_id = store_id;
	l->cb = cb;
	l->arg = arg;
	snprintf(p_store, sizeof(p_store), "%lld", (long long)store_id);
	snprintf(p_epoch, sizeof(p_epoch), "%lld", (long long)epoch);
	db_query(st_day, 2, params, load_cb, l);
}

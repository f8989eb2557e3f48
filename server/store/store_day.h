/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_day: the business day of a store, in the store's own time zone
 * (stores.timezone), as PostgreSQL computes it (the tz data the SQL
 * guards and the reports use; kassad never switches TZ: it has worker
 * threads). A small bounded cache of day intervals: for store S, the day
 * D holds for the epochs in [start, end), exact across DST (a 23- or
 * 25-hour day). store_day_get() answers from memory only; on a miss the
 * handler calls store_day_load() (one quick prepared statement) and goes
 * on from its callback. Sits below catalog and loyalty (a CMake library of
 * its own, kassa_store_day, on the core only), so both can use it.
 */
#ifndef KASSA_STORE_DAY_H
#define KASSA_STORE_DAY_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define STORE_DAY_STORES 64	/* stores cached; the least recently used one goes */
#define STORE_DAY_PER_STORE 4	/* days kept per store: today, late sales' days */

/* A store's business day. */
typedef struct StoreDate {
	int year, month, day;	/* 2026, 1-12, 1-31 */
	int weekday;		/* ISO: 1 Monday .. 7 Sunday */
} StoreDate;

/* Register the statement; before db_setup(). Each user calls it: twice is once. */
void store_day_setup(void);

/* The day of store_id at epoch (seconds) into *out, if cached; no I/O. */
MUSTCHECK bool store_day_get(int64_t store_id, int64_t epoch, StoreDate *out);

/*
 * Read store_id's day at epoch from PostgreSQL into the cache, then call
 * cb(arg, status, result) exactly once (as db_query() does: the caller's
 * callback checks the status, e.g. call_db_ok()). An unknown store
 * caches nothing: store_day_get() still misses.
 */
void store_day_load(int64_t store_id, int64_t epoch, DbCallback cb, void *arg);

/*
 * store_day_get(), else the day in kassad's own zone (localtime): for a
 * store PostgreSQL does not know, or a day not loaded.
 */
StoreDate store_day_of(int64_t store_id, int64_t epoch);

/* Drop store_id's days (its zone may have changed). */
void store_day_forget(int64_t store_id);

/*
 * Cache date as store_id's day for [start, end) (store_day_load()'s
 * answer; the unit tests'). Ignored unless start < end and store_id > 0.
 * Replaces a cached day with the same start; else takes the oldest slot.
 */
void store_day_put(int64_t store_id, int64_t start, int64_t end, const StoreDate *date);

/* Forget every store (tests). */
void store_day_clear(void);

#endif

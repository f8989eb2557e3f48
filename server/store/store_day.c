/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_day.c: the stores' business days (store_day.h). A fixed table of
 * STORE_DAY_STORES stores, each with up to STORE_DAY_PER_STORE day
 * intervals [start, end) as PostgreSQL computed them from stores.timezone;
 * a store is found by a linear scan (the table is small), the least
 * recently used store gives its row to a new one, and a store's oldest
 * interval gives its slot to a new day. Everything runs on the loop
 * thread. No I/O here: store_day_db.c reads a day from PostgreSQL. A zone
 * changed by StorePut is dropped here by store_admin.c on this kassad; on
 * another kassad kassa_checkout() refuses the sale whose day is not the
 * store's (STORE_DAY_CHANGED) and the checkout forgets the store and reads
 * its day again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_day.h"

/* One day of a store. */
typedef struct DaySpan {
	int64_t start, end;	/* epochs: the day holds in [start, end); end 0 = free slot */
	StoreDate date;
} DaySpan;

/* One store's days. */
typedef struct StoreDays {
	int64_t store_id;	/* 0: a free row */
	uint64_t used;		/* the tick of its last use: the least recent goes first */
	int next;		/* the slot the next new day takes (round robin: the oldest) */
	DaySpan days[STORE_DAY_PER_STORE];
} StoreDays;

static StoreDays table[STORE_DAY_STORES];
static uint64_t ticks;

static StoreDays *find(int64_t store_id)
{
	for (int i = 0; store_id > 0 && i < STORE_DAY_STORES; i++)
		if (table[i].store_id == store_id)
			return &table[i];
	return NULL;
}

bool store_day_get(int64_t store_id, int64_t epoch, StoreDate *out)
{
	StoreDays *s = find(store_id);

	for (int i = 0; s != NULL && i < STORE_DAY_PER_STORE; i++) {
		const DaySpan *d = &s->days[i];

		if (d->end != 0 && d->start <= epoch && epoch < d->end) {
			s->used = ++ticks;
			*out = d->date;
			return true;
		}
	}
	return false;
}

/* store_id's row: its own, a free one, else the least recently used store's. */
static StoreDays *row_for(int64_t store_id)
{
	StoreDays *s = find(store_id), *oldest = &table[0];

	if (s != NULL)
		return s;
	for (int i = 0; i < STORE_DAY_STORES; i++) {
		if (table[i].store_id == 0) {
			oldest = &table[i];
			break;
		}
		if (table[i].used < oldest->used)
			oldest = &table[i];
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->store_id = store_id;
	return oldest;
}

void store_day_put(int64_t store_id, int64_t start, int64_t end, const StoreDate *date)
{
	StoreDays *s;
	DaySpan *slot = NULL;

	if (store_id <= 0 || start >= end || end == 0)
		return;
	s = row_for(store_id);
	s->used = ++ticks;
	for (int i = 0; i < STORE_DAY_PER_STORE && slot == NULL; i++)
		if (s->days[i].end != 0 && s->days[i].start == start)
			slot = &s->days[i];
	if (slot == NULL) {
		slot = &s->days[s->next];
		s->next = (s->next + 1) % STORE_DAY_PER_STORE;
	}
	slot->start = start;
	slot->end = end;
	slot->date = *date;
}

void store_day_forget(int64_t store_id)
{
	StoreDays *s = find(store_id);

	if (s != NULL)
		memset(s, 0, sizeof(*s));
}

void store_day_clear(void)
{
	memset(table, 0, sizeof(table));
	ticks = 0;
}

StoreDate store_day_of(int64_t store_id, int64_t epoch)
{
	time_t when = (time_t)epoch;
	StoreDate d;
	struct tm tm;

	if (store_day_get(store_id, epoch, &d))
		return d;
	localtime_r(&when, &tm);	/* a store PostgreSQL does not know: kassad's zone */
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	d.weekday = tm.tm_wday == 0 ? 7 : tm.tm_wday;
	return d;
}

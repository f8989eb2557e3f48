/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_plan.h: the analytics job's arithmetic, pure (no clock, no
 * database): business days as day numbers, cutting the day ranges a run
 * picked (kassa_agg_pick) into the batches of buckets and of chain-wide
 * days its statements take, and sizing the next batch from how long the
 * last one took, so that no statement comes near [database]
 * query_timeout_ms whatever the data. analytics.c and analytics_rfm.c use
 * it; tests/unit/server/office/test_analytics_plan.c checks it.
 */
#ifndef KASSA_ANALYTICS_PLAN_H
#define KASSA_ANALYTICS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANALYTICS_DAY_LEN 11		/* "YYYY-MM-DD" and its NUL */

/* One row of a run's pick: a store's days from .. to, or the chain's. */
typedef struct AnalyticsRange {
	int64_t store_id;		/* 0: the chain-wide days (points, stored value) */
	int32_t from, to;		/* day numbers (analytics_day_parse), inclusive */
} AnalyticsRange;

/* Where the next batch starts: a range, and a day in it. */
typedef struct AnalyticsCursor {
	size_t range;			/* index into the ranges */
	int32_t day;			/* the next day of that range to take */
	bool started;			/* day is set for range */
} AnalyticsCursor;

/*
 * "YYYY-MM-DD" (a real date, years 1900-9999) as days since 1970-01-01
 * in *day; false if s is not one.
 */
bool analytics_day_parse(const char *s, int32_t *day);
/* Day number day as "YYYY-MM-DD" into out. */
void analytics_day_format(int32_t day, char out[ANALYTICS_DAY_LEN]);

/*
 * The next batch of at most max store buckets from the ranges r[0..n)
 * (chain-wide ranges are skipped), starting at *c and moving it on: the
 * i-th bucket is (stores[i], days[i]). Returns how many (0: none left).
 */
size_t analytics_plan_buckets(const AnalyticsRange *r, size_t n, AnalyticsCursor *c, size_t max,
			      int64_t *stores, int32_t *days);
/*
 * The next run of at most max_days chain-wide days (store_id 0) from the
 * ranges r[0..n), starting at *c and moving it on, as *from .. *to. False
 * when none is left.
 */
bool analytics_plan_chain(const AnalyticsRange *r, size_t n, AnalyticsCursor *c, int32_t max_days,
			  int32_t *from, int32_t *to);

/*
 * The size of the next batch after one of size n took elapsed_ms: twice
 * as big below a quarter of target_ms, half above target_ms, else the
 * same; always within [lo, hi].
 */
int analytics_batch_next(int n, int64_t elapsed_ms, int64_t target_ms, int lo, int hi);

/*
 * The lease a run holds (job_leases, so that one run goes at a time), in
 * whole seconds: ANALYTICS_LEASE_DEADLINES of a statement's worst case,
 * the wait for a connection and the statement itself (query_timeout_ms
 * each) plus grace_ms. A run renews it once it is half a timeout old
 * (analytics_lease_due), so that even with the statement before the
 * renewal and the renewal both at their worst the lease has not run out.
 */
#define ANALYTICS_LEASE_DEADLINES 5
int analytics_lease_seconds(int query_timeout_ms, int grace_ms);
/* True when a lease claimed or renewed at renewed_us wants renewing at now_us. */
bool analytics_lease_due(int64_t renewed_us, int64_t now_us, int query_timeout_ms);

#endif

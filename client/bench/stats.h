/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats: what kassa-bench measures. Each bench thread records into its own
 * Stats (no locking); the main thread merges them after the run and asks
 * for percentiles. Latencies are kept exactly (one int64 per operation,
 * sorted at the end): a bench run is at most a few million operations.
 */
#ifndef KASSA_BENCH_STATS_H
#define KASSA_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_MAX_KINDS 32	/* distinct error names kept; more go to "OTHER" */
#define STATS_NAME_LEN 64

typedef struct StatsError {
	char name[STATS_NAME_LEN];	/* "NOT_FOUND/MEMBER_NOT_FOUND", "IO_ERROR", ... */
	uint64_t count;
} StatsError;

typedef struct Stats {
	int64_t *lat_us;		/* owned: latency of each completed operation */
	size_t n_lat;
	size_t cap_lat;
	uint64_t ok;			/* operations the server answered OK */
	uint64_t failed;		/* answered with another status, or lost */
	StatsError errors[STATS_MAX_KINDS];
	size_t n_errors;
} Stats;

void stats_init(Stats *s);
void stats_free(Stats *s);
/* Record one operation's latency (microseconds). */
void stats_add_latency(Stats *s, int64_t us);
/* Count one failure under name (cut to STATS_NAME_LEN - 1 bytes). */
void stats_add_error(Stats *s, const char *name);
/* Add everything in from to into. */
void stats_merge(Stats *into, const Stats *from);
/* Sort the latencies; call once before stats_percentile(). */
void stats_finish(Stats *s);
/* The p-th percentile (0..100, nearest rank) in microseconds; 0 if none. */
int64_t stats_percentile(const Stats *s, double p);
/* Mean latency in microseconds; 0 if none. */
double stats_mean(const Stats *s);

#endif

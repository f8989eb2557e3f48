/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics.h: what the analytics job's two halves share (server/office
 * only): one run's state, carried from callback to callback. analytics.c
 * owns a run (begin, the aggregates, the end, the timer and the request);
 * analytics_rfm.c does its members' part between the aggregates and the
 * end. See analytics.c for the whole walk.
 */
#ifndef KASSA_ANALYTICS_H
#define KASSA_ANALYTICS_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "analytics_plan.h"
#include "core.h"
#include "db.h"

#define ANALYTICS_TS_LEN 40		/* an RFC 3339 time from SQL, with microseconds */
#define ANALYTICS_DIRTY_MAX 2048	/* late-sale marks a run keeps for its members */
#define ANALYTICS_HOLDER_LEN 128	/* a run's lease token: "host pid N run M" */

/* How a run does its members (analytics_rfm.c). */
typedef enum AnalyticsMode {
	AN_INCREMENTAL = 0,	/* the members touched since the last run */
	AN_FULL,		/* ... and those whose sales left the window; new bounds; all rescored */
	AN_SCRATCH,		/* every member from their sales; new bounds; all rescored */
} AnalyticsMode;

/* One run in progress. */
typedef struct AnalyticsRun {
	Call *call;			/* borrowed: the AnalyticsRun request; NULL = the timer's */
	bool full, rebuild;		/* what the request asked for */
	AnalyticsMode mode;
	int64_t run_id;			/* job_runs row; 0 = not recorded */
	int64_t started_us;		/* now_usec() at the start */
	int64_t sent_us;		/* when the statement in flight was sent */
	char now[ANALYTICS_TS_LEN];	/* the run's clock (SQL's now() at its start) */
	char agg_since[ANALYTICS_TS_LEN]; /* "" = never ran */
	char rfm_since[ANALYTICS_TS_LEN];
	char left_from[ANALYTICS_TS_LEN], left_to[ANALYTICS_TS_LEN];	/* full pass */
	char offline_since[ANALYTICS_TS_LEN];
	AnalyticsRange *ranges;		/* owned: the pick, n_ranges of them */
	size_t n_ranges;
	AnalyticsCursor cursor;		/* the next bucket to do */
	AnalyticsCursor chain;		/* the next chain-wide day to do, once the buckets are done */
	int batch_buckets;		/* buckets in the next statement */
	int batch_days;			/* chain-wide days in the next statement */
	int batch_members;		/* members in the next statement */
	int batch_scores;		/* member_stats rows in the next scoring statement */
	int64_t *dirty_stores;		/* owned: late-sale marks taken, ANALYTICS_DIRTY_MAX */
	char (*dirty_days)[ANALYTICS_DAY_LEN];	/* owned: ... and their days */
	size_t n_dirty;
	bool dirty_lost;		/* more marks than kept: the members look at offline sales */
	int64_t after;			/* the last member id a batch took */
	int64_t buckets;		/* store buckets recomputed */
	int64_t members;		/* members recomputed (incremental) or scored (full) */
	int rfm_step;			/* analytics_rfm.c's step */
	char holder[ANALYTICS_HOLDER_LEN];	/* the run's token in job_leases */
	bool leased;			/* r holds the lease (released when r is freed) */
	int64_t lease_us;		/* when the lease was last claimed or renewed (sent) */
	void (*again)(struct AnalyticsRun *r);	/* the step to go on with after a renewal */
} AnalyticsRun;

/* The deadline each statement of a run is sized to stay well inside (ms). */
int64_t analytics_target_ms(void);
/*
 * The start of every callback of a run: true when res holds rows to go
 * on with. Otherwise the run has ended (its request answered, or the
 * timer's failure logged, and r freed).
 */
bool analytics_db_ok(AnalyticsRun *r, DbStatus st, const PGresult *res);
/* True (and the run ended) when kassad is shutting down: send nothing more. */
bool analytics_stopped(AnalyticsRun *r);
/*
 * Before each statement of a run: true to send it. False when the run
 * has ended (analytics_stopped()) or its lease is due for renewal: the
 * renewal is sent instead and calls again(r) once it is back (or ends the
 * run, answered ANALYTICS_RUNNING, when another run has taken the lease).
 */
bool analytics_go_on(AnalyticsRun *r, void (*again)(AnalyticsRun *r));
/* The members' part is done: record the run and answer (analytics.c). */
void analytics_finish(AnalyticsRun *r);

/* Register the members' statements (analytics_rfm.c); from analytics_setup(). */
void analytics_rfm_setup(void);
/* Do the run's members in r->mode, then analytics_finish(). */
void analytics_rfm_start(AnalyticsRun *r);

#endif

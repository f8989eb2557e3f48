/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_rfm.c: the members' part of an analytics run (step 6 of
 * analytics.c): member_stats, the RFM scores, classes and portraits. The
 * rules themselves are SQL (migrations/functions/analytics.sql; the class
 * rules are kassa_rfm_class, docs/office.md "Classes"); kassad passes the
 * [analytics] numbers and chains the batches:
 *
 *   incremental  kassa_rfm_incremental over the members touched since the
 *                last run (sales and refunds since, the offline sales of
 *                the late-sale marks the aggregates took), scored against
 *                the stored bounds; then analytics_state 'rfm_incremental'
 *   full         the same with the members whose sales left the window
 *                since the last full pass and those of the last days'
 *                offline sales; then kassa_rfm_bounds_draw, every member
 *                rescored (kassa_rfm_score_batch) and analytics_state
 *                'rfm_full' and 'rfm_incremental'
 *   scratch      as full, but every member recomputed from their sales
 *                (kassa_rfm_full_batch in id order): the first run, a
 *                rebuild, a new [analytics] rfm_window_days
 *
 * Each batch is one statement of at most batch_members members (or
 * batch_scores rows), sized from the last one's time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics.h"
#include "log.h"
#include "sqltext.h"

#define AN_MEMBERS_FIRST 1000	/* members in the first statement */
#define AN_MEMBERS_MIN 50
#define AN_MEMBERS_MAX 50000
#define AN_SCORES_FIRST 20000	/* member_stats rows in the first scoring statement */
#define AN_SCORES_MIN 1000
#define AN_SCORES_MAX 200000

/* The steps after the members' batches, in order. */
typedef enum RfmStep {
	RFM_MEMBERS = 0,	/* recomputing members */
	RFM_BOUNDS,		/* drawing the quintile cut points (full, scratch) */
	RFM_SCORES,		/* rescoring every member (full, scratch) */
	RFM_STATE_FULL,		/* analytics_state 'rfm_full' (full, scratch) */
	RFM_STATE_INCR,		/* analytics_state 'rfm_incremental' */
	RFM_DONE,		/* analytics_finish() */
} RfmStep;

static int st_touched, st_scratch, st_bounds, st_score, st_state;

void analytics_rfm_setup(void)
{
	st_touched = db_stmt_add("analytics_rfm_touched",
		"SELECT out_members, out_last, out_more FROM kassa_rfm_incremental($1, $2, $3, $4,"
		" $5, $6, $7, $8, $9, $10, $11, $12)", DB_LANE_WORK);
	st_scratch = db_stmt_add("analytics_rfm_scratch",
		"SELECT out_members, out_last, out_more FROM kassa_rfm_full_batch($1, $2, $3, $4,"
		" $5, $6)", DB_LANE_WORK);
	st_bounds = db_stmt_add("analytics_rfm_bounds",
		"SELECT kassa_rfm_bounds_draw($1, $2)", DB_LANE_WORK);
	st_score = db_stmt_add("analytics_rfm_score",
		"SELECT out_members, out_last, out_more FROM kassa_rfm_score_batch($1, $2, $3, $4, $5)",
		DB_LANE_WORK);
	st_state = db_stmt_add("analytics_rfm_state",
		"SELECT kassa_analytics_state_set($1, $2, $3, $4)", DB_LANE_WORK);
}

static void rfm_next(AnalyticsRun *r);

/* A batch's (members, last id, more) row: count, move on, resize; true if more. */
static bool batch_row(AnalyticsRun *r, const PGresult *res, int *batch, int lo, int hi)
{
	int64_t ms = (now_usec() - r->sent_us) / 1000;

	r->after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	*batch = analytics_batch_next(*batch, ms, analytics_target_ms(), lo, hi);
	return strcmp(PQgetvalue(res, 0, 2), "t") == 0;
}

static void members_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;

	if (!analytics_db_ok(r, st, res))
		return;
	if (r->mode == AN_INCREMENTAL)
		r->members += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (!batch_row(r, res, &r->batch_members, AN_MEMBERS_MIN, AN_MEMBERS_MAX))
		r->rfm_step = r->mode == AN_INCREMENTAL ? RFM_STATE_INCR : RFM_BOUNDS;
	rfm_next(r);
}

static void scores_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;

	if (!analytics_db_ok(r, st, res))
		return;
	r->members += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (!batch_row(r, res, &r->batch_scores, AN_SCORES_MIN, AN_SCORES_MAX))
		r->rfm_step = RFM_STATE_FULL;
	rfm_next(r);
}

/* Bounds drawn, a state row written: go on to the next step. */
static void step_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;

	if (!analytics_db_ok(r, st, res))
		return;
	r->after = 0;
	r->rfm_step++;
	rfm_next(r);
}

/* One batch from scratch: the next members in id order. */
static void send_scratch(AnalyticsRun *r, const char *after, const char *limit,
			 const char *window, const char *new_days, const char *lost_days)
{
	const char *params[6] = { r->now, after, limit, window, new_days, lost_days };

	db_query(st_scratch, 6, params, members_cb, r);
}

/* One batch of the members touched (with the full pass's sets unless incremental). */
static void send_touched(AnalyticsRun *r, const char *after, const char *limit,
			 const char *window, const char *new_days, const char *lost_days)
{
	SqlText stores = SQLTEXT_INIT, days = SQLTEXT_INIT;
	bool full = r->mode != AN_INCREMENTAL;
	const char *params[12];

	sqltext_open(&stores);
	sqltext_open(&days);
	for (size_t i = 0; i < r->n_dirty; i++) {
		sqltext_elem_int(&stores, r->dirty_stores[i]);
		sqltext_elem_str(&days, r->dirty_days[i]);
	}
	sqltext_close(&stores);
	sqltext_close(&days);
	params[0] = r->now;
	params[1] = r->rfm_since;
	params[2] = sqltext_str(&stores);
	params[3] = sqltext_str(&days);
	params[4] = full && r->left_from[0] != '\0' ? r->left_from : NULL;
	params[5] = r->left_to;
	/* marks beyond what a run keeps: every recent offline sale's member instead */
	params[6] = full || r->dirty_lost ? r->offline_since : NULL;
	params[7] = after;
	params[8] = limit;
	params[9] = window;
	params[10] = new_days;
	params[11] = lost_days;
	db_query(st_touched, 12, params, members_cb, r);
	sqltext_free(&stores);
	sqltext_free(&days);
}

/* Send the statement of the run's current step. */
static void rfm_next(AnalyticsRun *r)
{
	char after[24], limit[16], window[16], new_days[16], lost_days[16], rows[24];
	const char *state[4] = { NULL, r->now, r->now, rows };

	if (!analytics_go_on(r, rfm_next))
		return;
	snprintf(after, sizeof(after), "%lld", (long long)r->after);
	snprintf(window, sizeof(window), "%d", cf_rfm_window_days);
	snprintf(new_days, sizeof(new_days), "%d", cf_rfm_new_days);
	snprintf(lost_days, sizeof(lost_days), "%d", cf_rfm_lost_days);
	snprintf(rows, sizeof(rows), "%lld", (long long)r->members);
	r->sent_us = now_usec();
	switch ((RfmStep)r->rfm_step) {
	case RFM_MEMBERS:
		snprintf(limit, sizeof(limit), "%d", r->batch_members);
		if (r->mode == AN_SCRATCH)
			send_scratch(r, after, limit, window, new_days, lost_days);
		else
			send_touched(r, after, limit, window, new_days, lost_days);
		return;
	case RFM_BOUNDS: {
		const char *params[2] = { r->now, window };

		db_query(st_bounds, 2, params, step_cb, r);
		return;
	}
	case RFM_SCORES: {
		const char *params[5] = { r->now, after, limit, new_days, lost_days };

		snprintf(limit, sizeof(limit), "%d", r->batch_scores);
		db_query(st_score, 5, params, scores_cb, r);
		return;
	}
	case RFM_STATE_FULL:
	case RFM_STATE_INCR:
		state[0] = r->rfm_step == RFM_STATE_FULL ? "rfm_full" : "rfm_incremental";
		db_query(st_state, 4, state, step_cb, r);
		return;
	case RFM_DONE:
		break;
	}
	analytics_finish(r);
}

void analytics_rfm_start(AnalyticsRun *r)
{
	r->rfm_step = RFM_MEMBERS;
	r->after = 0;
	r->batch_members = AN_MEMBERS_FIRST;
	r->batch_scores = AN_SCORES_FIRST;
	rfm_next(r);
}

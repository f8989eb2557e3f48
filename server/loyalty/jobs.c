/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobs.c: the periodic loyalty jobs. Three kinds, each a run of short
 * batches (migrations/0006_topup_jobs.sql):
 *
 *   points_expire     lots past their day become 'expire' ledger rows
 *   tier_reevaluate   members whose spend (or points earned) in the rule
 *                     set's window is below their tier go down one level
 *   birthday_coupons  members whose birthday is today get the active
 *                     birthday coupons, once a year each
 *
 * kassad runs all three, one after the other, on a timer: first
 * JOBS_FIRST_DELAY seconds after start, then every [loyalty] jobs_interval
 * seconds (0: never; a run still going when the next tick comes makes the
 * tick a no-op). An administrator runs the first two on demand
 * (PointsExpire, TierReevaluate) and gets the counts.
 *
 * A run is: kassa_job_begin() (a job_runs row; for a request also the
 * idempotency row, so a retry answers the same run), then one statement
 * per batch of at most JOBS_BATCH members, each its own transaction on the
 * WORK lane with the members locked SKIP LOCKED, sent from the previous
 * batch's callback while the last says there is more, then kassa_job_finish().
 * So the loop never waits, a sale waits at most for one batch's members,
 * and no transaction grows with the size of the job. Once SIGTERM has been
 * seen no further batch is sent: the run stays unfinished in job_runs (a
 * request's retry with the same key carries it on) and kassad drains only
 * the statement in flight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "db.h"
#include "log.h"
#include "core.h"
#include "loyalty.h"
#include "sqltext.h"

#define JOBS_BATCH 200		/* members per statement: a sale waits for at most these */
#define JOBS_FIRST_DELAY 10	/* seconds from start to the timer's first run */

typedef enum JobKind {
	JOB_EXPIRE = 0,		/* points expiry */
	JOB_TIERS,		/* tier downgrades */
	JOB_BIRTHDAYS,		/* birthday coupons */
	JOB_KINDS,
} JobKind;

/* Per kind: job_runs.kind (also the idempotency kind), the batch function, a name for logs. */
static const struct {
	const char *kind;
	const char *batch_sql;
	const char *name;
} job_info[JOB_KINDS] = {
	[JOB_EXPIRE] = { "points_expire",
		"SELECT out_more, out_last FROM kassa_expire_due($1, $2, $3)", "points expiry" },
	[JOB_TIERS] = { "tier_reevaluate",
		"SELECT out_more, out_last FROM kassa_tier_downgrade_due($1, $2, $3)",
		"tier re-evaluation" },
	[JOB_BIRTHDAYS] = { "birthday_coupons",
		"SELECT out_more, out_last FROM kassa_birthday_due($1, $2, $3)",
		"birthday coupons" },
};

/* One run in progress. */
typedef struct JobRun {
	JobKind kind;
	int64_t run_id;		/* job_runs row */
	int64_t after;		/* the last member id a batch took; the next starts above */
	int batches;		/* sent so far */
	Call *call;		/* borrowed: the request owning this run; NULL = the timer's */
} JobRun;

/* A job_runs row as kassa_job_begin() and kassa_job_finish() return it. */
typedef struct JobCounts {
	int64_t run_id;
	bool finished;
	int64_t members, lots, points;	/* points_expire */
	int64_t examined, downgraded;	/* tier_reevaluate; examined also birthday_coupons */
	int64_t issued;			/* birthday_coupons */
} JobCounts;

#define JOB_ROW_COLUMNS "out_run_id, out_finished, out_members, out_lots, out_points," \
	" out_examined, out_downgraded, out_issued"

static int st_begin, st_finish, st_batch[JOB_KINDS];
static struct event *first_ev;		/* owned: the timer's first run */
static struct event *tick_ev;		/* owned: every cf_jobs_interval seconds */
static JobRun timer_run;		/* the timer's run, while timer_busy */
static bool timer_busy;

static void job_begin(JobRun *r, const char *key, const char *hash);

void jobs_setup(void)
{
	st_begin = db_stmt_add("job_begin",
		"SELECT " JOB_ROW_COLUMNS " FROM kassa_job_begin($1, $2, $3, $4, $5)",
		DB_LANE_WORK);
	st_finish = db_stmt_add("job_finish",
		"SELECT " JOB_ROW_COLUMNS " FROM kassa_job_finish($1)", DB_LANE_WORK);
	st_batch[JOB_EXPIRE] = db_stmt_add("job_expire", job_info[JOB_EXPIRE].batch_sql,
					   DB_LANE_WORK);
	st_batch[JOB_TIERS] = db_stmt_add("job_tiers", job_info[JOB_TIERS].batch_sql,
					  DB_LANE_WORK);
	st_batch[JOB_BIRTHDAYS] = db_stmt_add("job_birthdays", job_info[JOB_BIRTHDAYS].batch_sql,
					      DB_LANE_WORK);
}

static int64_t col_int(const PGresult *res, int col)
{
	return strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

static void job_counts(const PGresult *res, JobCounts *n)
{
	n->run_id = col_int(res, 0);
	n->finished = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	n->members = col_int(res, 2);
	n->lots = col_int(res, 3);
	n->points = col_int(res, 4);
	n->examined = col_int(res, 5);
	n->downgraded = col_int(res, 6);
	n->issued = col_int(res, 7);
}

/* The timer's run of one kind is over: start the next kind, or be done. */
static void job_next(JobRun *r)
{
	JobKind next = r->kind + 1;

	if (next < JOB_KINDS && !g_shutting_down) {
		memset(r, 0, sizeof(*r));
		r->kind = next;
		job_begin(r, NULL, NULL);
		return;
	}
	timer_busy = false;
}

/*
 * The start of every job callback: true when res holds rows to go on
 * with. Otherwise the run is over: its request answered (or freed, if the
 * till has gone), or for the timer's run the failure logged. A statement
 * that fails does not keep the timer's other kinds from running; a
 * database that is away ends the whole run (the next tick tries again).
 */
static bool job_db_ok(JobRun *r, DbStatus st, const PGresult *res)
{
	if (r->call != NULL)
		return call_db_ok(r->call, st, res);	/* frees r with the Call */
	if (st == DB_OK)
		return true;
	if (g_shutting_down) {
		log_info("%s: stopped by the shutdown", job_info[r->kind].name);
	} else if (st == DB_SQL_ERROR) {
		log_error("could not run the %s: %s %s", job_info[r->kind].name,
			  db_sqlstate(res), db_errmsg(res));
		job_next(r);
		return false;
	} else {
		log_warn("could not run the %s: the database is unavailable or busy; "
			 "the next run catches up", job_info[r->kind].name);
	}
	timer_busy = false;
	return false;
}

/* What a run of the timer did: a line when something changed. */
static void job_log(JobKind kind, const JobCounts *n)
{
	long long run = (long long)n->run_id;

	if (kind == JOB_EXPIRE && n->points > 0)
		log_info("points expiry (run %lld): %lld points in %lld lots of %lld members "
			 "expired", run, (long long)n->points, (long long)n->lots,
			 (long long)n->members);
	else if (kind == JOB_TIERS && n->downgraded > 0)
		log_info("tier re-evaluation (run %lld): %lld of %lld members examined moved "
			 "down one tier", run, (long long)n->downgraded, (long long)n->examined);
	else if (kind == JOB_BIRTHDAYS && n->issued > 0)
		log_info("birthday coupons (run %lld): %lld coupons for %lld members", run,
			 (long long)n->issued, (long long)n->examined);
	else
		log_debug("%s (run %lld): nothing to do", job_info[kind].name, run);
}

/* The run is over: answer the request, or log and go on to the timer's next kind. */
static void job_done(JobRun *r, const JobCounts *n)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PointsExpired pe = KASSA__V1__POINTS_EXPIRED__INIT;
	Kassa__V1__TierReevaluated tr = KASSA__V1__TIER_REEVALUATED__INIT;

	if (r->call != NULL) {
		if (r->kind == JOB_EXPIRE) {
			pe.members = n->members;
			pe.lots = n->lots;
			pe.points = n->points;
			resp.body_case = KASSA__V1__RESPONSE__BODY_POINTS_EXPIRED;
			resp.points_expired = &pe;
		} else {
			tr.examined = n->examined;
			tr.downgraded = n->downgraded;
			resp.body_case = KASSA__V1__RESPONSE__BODY_TIER_REEVALUATED;
			resp.tier_reevaluated = &tr;
		}
		call_reply(r->call, &resp);	/* frees r */
		return;
	}
	job_log(r->kind, n);
	job_next(r);
}

static void job_finish_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;
	JobCounts n;

	if (!job_db_ok(r, st, res))
		return;
	job_counts(res, &n);
	job_done(r, &n);
}

static void job_batch(JobRun *r);

/* A batch is done: another while it says there is more, then finish. */
static void job_batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;
	char p_run[24];
	const char *p = p_run;

	if (!job_db_ok(r, st, res))
		return;
	r->after = col_int(res, 1);
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		job_batch(r);
		return;
	}
	snprintf(p_run, sizeof(p_run), "%lld", (long long)r->run_id);
	db_query(st_finish, 1, &p, job_finish_cb, r);
}

/* Send the next batch, unless kassad is shutting down. */
static void job_batch(JobRun *r)
{
	char p_limit[16], p_after[24], p_run[24];
	const char *params[3] = { p_limit, p_after, p_run };

	if (g_shutting_down) {
		if (r->call != NULL) {
			call_fail(r->call, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN",
				  "the server is shutting down part-way through the run; "
				  "retry with the same key to finish it");
			return;
		}
		log_info("%s (run %lld): stopped part-way by the shutdown after %d batches",
			 job_info[r->kind].name, (long long)r->run_id, r->batches);
		timer_busy = false;
		return;
	}
	snprintf(p_limit, sizeof(p_limit), "%d", JOBS_BATCH);
	snprintf(p_after, sizeof(p_after), "%lld", (long long)r->after);
	snprintf(p_run, sizeof(p_run), "%lld", (long long)r->run_id);
	r->batches++;
	db_query(st_batch[r->kind], 3, params, job_batch_cb, r);
}

static void job_begin_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;
	JobCounts n;

	if (!job_db_ok(r, st, res))
		return;
	job_counts(res, &n);
	r->run_id = n.run_id;
	if (n.finished)
		job_done(r, &n);	/* a retry of a request whose run is over */
	else
		job_batch(r);		/* a new run, or one a shutdown cut short */
}

/* Start (or, for a retried request, look up) a run; key and hash NULL for the timer. */
static void job_begin(JobRun *r, const char *key, const char *hash)
{
	char p_till[24], p_staff[24];
	const char *params[5] = { job_info[r->kind].kind, NULL, NULL, key, hash };

	if (r->call != NULL) {
		snprintf(p_till, sizeof(p_till), "%lld", (long long)r->call->sess->till_id);
		snprintf(p_staff, sizeof(p_staff), "%lld", (long long)r->call->staff_id);
		params[1] = p_till;
		params[2] = p_staff;
	}
	db_query(st_begin, 5, params, job_begin_cb, r);
}

/* ---- the timer ---- */

static void jobs_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down)
		return;
	if (timer_busy) {
		log_info("loyalty jobs: the previous run is still going; skipping this one");
		return;
	}
	timer_busy = true;
	memset(&timer_run, 0, sizeof(timer_run));
	timer_run.kind = JOB_EXPIRE;
	job_begin(&timer_run, NULL, NULL);
}

void jobs_start(void)
{
	struct timeval first = { JOBS_FIRST_DELAY, 0 }, every = { cf_jobs_interval, 0 };

	if (cf_jobs_interval == 0) {
		log_info("loyalty jobs run on request only ([loyalty] jobs_interval = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, jobs_tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the loyalty jobs timer");
	if (first.tv_sec >= every.tv_sec)
		return;		/* the first tick comes as soon */
	first_ev = evtimer_new(g_base, jobs_tick_cb, NULL);
	if (first_ev == NULL || evtimer_add(first_ev, &first) != 0)
		die("could not arm the loyalty jobs timer");
}

void jobs_stop(void)
{
	if (first_ev != NULL)
		event_free(first_ev);
	if (tick_ev != NULL)
		event_free(tick_ev);
	first_ev = tick_ev = NULL;
}

/* ---- on request ---- */

static void job_request(Call *c, JobKind kind, const ProtobufCMessage *body)
{
	JobRun *r = xcalloc(1, sizeof(*r));
	SqlText hash = SQLTEXT_INIT;

	sqltext_hash(&hash, body);
	r->kind = kind;
	r->call = c;
	c->state = r;
	c->state_free = free;
	job_begin(r, c->req->idempotency_key, sqltext_str(&hash));
	sqltext_free(&hash);
}

void handle_points_expire(Call *c)
{
	job_request(c, JOB_EXPIRE, &c->req->points_expire->base);
}

void handle_tier_reevaluate(Call *c)
{
	job_request(c, JOB_TIERS, &c->req->tier_reevaluate->base);
}

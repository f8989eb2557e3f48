/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reco_job.c: the recommendations job: bought-together pairs and members'
 * suggestions (migrations/functions/recommendations.sql says what each
 * statement computes; docs/care/reco.md the rules).
 *
 * kassad runs it every [crm] recommendations_interval seconds (0: only on
 * request); an administrator runs it with JobRun "recommendations" and
 * gets a JobDone (examined: baskets, changed: pairs stored, both
 * directions). A run is kassa_reco_begin() (the lease, the job_runs row,
 * the pairs and the aggregates the batches share), then one
 * kassa_reco_members() per RECO_BATCH members, each its own short
 * transaction sent from the previous one's callback, then
 * kassa_reco_finish(). Every statement is on the WORK lane, so the loop
 * never waits and a till's look-up (which reads the stored rows) is never
 * held up by the job.
 *
 * One run at a time, chain-wide: begin claims reco_state's lease for
 * lease_seconds() (a few statement deadlines), each batch renews it, the
 * finish releases it; another run (a request, the timer, another kassad)
 * meanwhile is refused FAILED_PRECONDITION RECO_RUNNING (the timer's tick
 * is skipped). A run that ends otherwise releases it when it is freed; a
 * kassad that dies leaves it to run out. A request's retry with the same
 * idempotency key answers the finished run, or does a cut-short one again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "crm.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "metrics.h"
#include "sqltext.h"

#define RECO_BATCH 200		/* members per statement */
#define RECO_JOB "recommendations"
#define RECO_ROW "out_run_id, out_finished, out_examined, out_changed, out_members," \
	" out_elapsed_ms, out_finished_at"

typedef struct RecoRun {
	Call *call;		/* borrowed: the request owning this run; NULL = the timer's */
	int64_t run_id;
	int64_t after;		/* the last member id a batch took */
	int batches;
	bool leased;		/* holder holds reco_state's lease */
	char holder[128];	/* the lease's token: host, pid, a counter */
	int64_t started_us;
} RecoRun;

static int st_begin, st_members, st_finish, st_release;
static struct event *tick_ev;		/* owned: every cf_crm_reco_interval seconds */
static bool timer_busy;
static char host[64];
static unsigned long runs;		/* for the lease tokens */

void reco_job_setup(void)
{
	/* $1 till, $2 staff, $3 key, $4 hash, $5 holder, $6 lease s, $7 window days, $8 min pairs */
	st_begin = db_stmt_add("reco_begin", "SELECT " RECO_ROW
		" FROM kassa_reco_begin($1, $2, $3, $4::bytea, $5, $6, $7, $8)", DB_LANE_WORK);
	/* $1 run, $2 holder, $3 lease s, $4 after, $5 batch, $6 per member, $7 recent days */
	st_members = db_stmt_add("reco_members", "SELECT out_picked, out_last, out_more"
		" FROM kassa_reco_members($1, $2, $3, $4, $5, $6, $7)", DB_LANE_WORK);
	st_finish = db_stmt_add("reco_finish", "SELECT " RECO_ROW
		" FROM kassa_reco_finish($1, $2)", DB_LANE_WORK);
	st_release = db_stmt_add("reco_release", "SELECT kassa_reco_release($1)", DB_LANE_WORK);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "kassad");
	host[sizeof(host) - 1] = '\0';
}

/* A few statement deadlines: a batch renews it well before it runs out. */
static int lease_seconds(void)
{
	return (int)((3 * ((int64_t)cf_db_query_timeout_ms + DB_DEADLINE_GRACE_MS)) / 1000 + 1);
}

static void release_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	if (st != DB_OK)
		log_warn("could not release the recommendations job's lease: %s; it runs out "
			 "within %d s", st == DB_SQL_ERROR ? db_errmsg(res) :
			 "the database is unavailable or busy", lease_seconds());
}

/* Every run's end: the Call's state_free, or the timer's run_end(). */
static void run_free(void *p)
{
	RecoRun *r = p;
	const char *holder;

	if (r == NULL)
		return;
	if (r->leased) {
		holder = r->holder;
		db_query(st_release, 1, &holder, release_cb, NULL);
	}
	free(r);
}

static void run_end(RecoRun *r)
{
	run_free(r);
	timer_busy = false;
}

/* True when res holds rows to go on with; otherwise the run is answered or ended. */
static bool run_db_ok(RecoRun *r, DbStatus st, const PGresult *res)
{
	bool busy = st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA412") == 0 &&
		    strcmp(db_errmsg(res), "RECO_RUNNING") == 0;

	if (busy && r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "RECO_RUNNING",
			  "%s", _("another recommendations run is going; try again once it has "
				  "finished"));
		return false;
	}
	if (st != DB_OK && !busy && !g_shutting_down)
		metrics_job_done(RECO_JOB, false, now_usec() - r->started_us);
	if (r->call != NULL)
		return call_db_ok(r->call, st, res);	/* frees r with the Call */
	if (st == DB_OK)
		return true;
	if (busy)
		log_debug("recommendations: another run holds the lease; skipping this tick");
	else if (st == DB_SQL_ERROR)
		log_error("could not run the recommendations job: %s %s", db_sqlstate(res),
			  db_errmsg(res));
	else
		log_warn("could not run the recommendations job: the database is unavailable or "
			 "busy; the next run catches up");
	run_end(r);
	return false;
}

/* The run's row (RECO_ROW) is in res: answer the request, or log the timer's run. */
static void run_done(RecoRun *r, const PGresult *res)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__JobDone done = KASSA__V1__JOB_DONE__INIT;

	done.job = (char *)RECO_JOB;
	done.run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	done.examined = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	done.changed = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	done.elapsed_ms = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	done.finished_at = PQgetvalue(res, 0, 6);
	metrics_job_done(RECO_JOB, true, now_usec() - r->started_us);
	if (r->call != NULL) {
		resp.body_case = KASSA__V1__RESPONSE__BODY_JOB_DONE;
		resp.job_done = &done;
		call_reply(r->call, &resp);	/* frees r */
		return;
	}
	log_info("recommendations (run %lld): %lld baskets, %lld pairs, %s members with "
		 "suggestions, %lld ms", (long long)done.run_id, (long long)done.examined,
		 (long long)done.changed, PQgetvalue(res, 0, 4), (long long)done.elapsed_ms);
	run_end(r);
}

static void finish_cb(void *arg, DbStatus st, const PGresult *res)
{
	RecoRun *r = arg;

	if (st == DB_OK)
		r->leased = false;	/* released in the same transaction */
	if (!run_db_ok(r, st, res))
		return;
	run_done(r, res);
}

/* Kassad is stopping: the run stops here, unfinished (its lease is released). */
static bool run_stopped(RecoRun *r)
{
	if (!g_shutting_down)
		return false;
	if (r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN", "%s",
			  _("the server is shutting down part-way through the run; retry with "
			    "the same key to do it again"));
		return true;
	}
	log_info("recommendations (run %lld): stopped part-way by the shutdown after %d "
		 "batches", (long long)r->run_id, r->batches);
	run_end(r);
	return true;
}

static void members_cb(void *arg, DbStatus st, const PGresult *res);

/* The next batch of members, or the finish after the last. */
static void run_next(RecoRun *r, bool more)
{
	char run[24], after[24], lease[16], batch[16], per[16], recent[16];

	if (run_stopped(r))
		return;
	snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
	if (!more) {
		const char *fp[2] = { run, r->holder };

		db_query(st_finish, 2, fp, finish_cb, r);
		return;
	}
	snprintf(after, sizeof(after), "%lld", (long long)r->after);
	snprintf(lease, sizeof(lease), "%d", lease_seconds());
	snprintf(batch, sizeof(batch), "%d", RECO_BATCH);
	snprintf(per, sizeof(per), "%d", cf_crm_reco_per_member);
	snprintf(recent, sizeof(recent), "%d", cf_crm_reco_recent_days);

	const char *params[7] = { run, r->holder, lease, after, batch, per, recent };

	r->batches++;
	db_query(st_members, 7, params, members_cb, r);
}

static void members_cb(void *arg, DbStatus st, const PGresult *res)
{
	RecoRun *r = arg;

	if (!run_db_ok(r, st, res))
		return;
	r->after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	run_next(r, strcmp(PQgetvalue(res, 0, 2), "t") == 0);
}

static void begin_cb(void *arg, DbStatus st, const PGresult *res)
{
	RecoRun *r = arg;

	if (!run_db_ok(r, st, res))
		return;
	r->run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
		run_done(r, res);	/* a retry of a finished run: its counts */
		return;
	}
	r->leased = true;
	run_next(r, true);
}

/* Start run r: key and hash NULL for the timer's. */
static void run_begin(RecoRun *r, const char *till, const char *staff, const char *key,
		      const char *hash)
{
	char lease[16], days[16], pairs[16];

	r->started_us = now_usec();
	snprintf(r->holder, sizeof(r->holder), "%s:%ld:%lu", host, (long)getpid(), ++runs);
	snprintf(lease, sizeof(lease), "%d", lease_seconds());
	snprintf(days, sizeof(days), "%d", cf_crm_reco_window_days);
	snprintf(pairs, sizeof(pairs), "%d", cf_crm_reco_min_pair_count);

	const char *params[8] = { till, staff, key, hash, r->holder, lease, days, pairs };

	db_query(st_begin, 8, params, begin_cb, r);
}

void reco_job_run(Call *c)
{
	RecoRun *r = xcalloc(1, sizeof(*r));
	SqlText hash = SQLTEXT_INIT;
	char till[24], staff[24];

	r->call = c;
	c->state = r;
	c->state_free = run_free;
	sqltext_hash(&hash, &c->req->job_run->base);
	snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
	snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	run_begin(r, till, staff, c->req->idempotency_key, sqltext_str(&hash));
	sqltext_free(&hash);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down)
		return;
	if (timer_busy) {
		log_debug("recommendations: the previous run is still going; skipping this tick");
		return;
	}
	timer_busy = true;
	run_begin(xcalloc(1, sizeof(RecoRun)), NULL, NULL, NULL, NULL);
}

void reco_job_start(void)
{
	struct timeval every = { cf_crm_reco_interval, 0 };

	if (cf_crm_reco_interval <= 0) {
		log_info("the recommendations job runs on request only "
			 "([crm] recommendations_interval = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the recommendations timer");
	metrics_job_schedule(RECO_JOB, cf_crm_reco_interval);
}

/* Free the timer (at shutdown, after the loop ended). */
void reco_job_stop(void)
{
	if (tick_ev != NULL) {
		event_free(tick_ev);
		tick_ev = NULL;
	}
}

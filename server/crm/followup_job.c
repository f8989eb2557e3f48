/* SPDX-License-Identifier: Apache-2.0 */
/*
 * followup_job.c: the job that schedules follow-ups by the rules in force
 * (followup.c saves them): JobRun "followups" on an administrator's
 * request, and kassad's timer every [crm] followups_interval seconds when
 * that is above 0.
 *
 * A run is: kassa_followup_job_begin() (a job_runs row of kind
 * 'followups', for a request named by its idempotency row so a retry
 * answers the finished run's counts or carries on one cut short; the lease;
 * the active rules), then per active rule one statement per batch of at
 * most FOLLOWUP_BATCH candidates (kassa_followup_batch(), each its own
 * transaction, sent from the previous batch's callback while it says there
 * is more), then kassa_followup_job_finish() (the counts; the lease given
 * back). So the loop never waits and no transaction grows with the job.
 *
 * Every follow-up has a unique key (member, rule, what it is about: the
 * sale, the complaint, the lapse's last visit), so a run made twice, or by
 * two kassad processes, makes each follow-up once. The lease
 * (followup_job_lease) still keeps a second run from doing the work again
 * at the same time: a run claims it for FOLLOWUP_LEASE_S seconds and each
 * batch renews it; a request that finds it held is answered
 * FAILED_PRECONDITION FOLLOWUPS_RUNNING, a tick of the timer is skipped, and
 * a run that ends early gives it back when it is freed (a kassad that dies
 * leaves it to expire).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "crm.h"
#include "db.h"
#include "followup_job.h"
#include "i18n.h"
#include "log.h"
#include "sqltext.h"
#include "util.h"

#define FOLLOWUP_BATCH 500	/* candidates per statement */
#define FOLLOWUP_LEASE_S 120	/* seconds; renewed by every batch */
#define FOLLOWUP_MAX_RULES 64

typedef struct FupRun {
	Call *call;			/* borrowed: the request; NULL = the timer's run */
	int64_t run_id;
	char holder[96];		/* the lease's token: host, pid, a counter */
	bool leased;			/* holder may hold the lease: give it back at the end */
	int32_t version;
	int rules[FOLLOWUP_MAX_RULES];	/* the active rules' numbers */
	int n_rules, rule;		/* how many; the one going */
	int64_t after;			/* the last candidate id of the rule's last batch */
} FupRun;

#define RUN_COLUMNS "out_run_id, out_finished, out_examined, out_made, out_elapsed_ms," \
	" out_finished_at"

static int st_begin, st_batch, st_finish, st_release;
static struct event *tick_ev;		/* owned: the timer */
static bool timer_busy;
static uint64_t runs;			/* for the lease tokens */

static void run_batch(FupRun *r);

static void run_setup(void)
{
	st_begin = db_stmt_add("followup_job_begin",
		"SELECT " RUN_COLUMNS ", out_version, out_rules"
		" FROM kassa_followup_job_begin($1, $2, $3, $4::bytea, $5, $6)", DB_LANE_WORK);
	st_batch = db_stmt_add("followup_job_batch",
		"SELECT out_more, out_last FROM kassa_followup_batch($1, $2, $3, $4, $5, $6, $7)",
		DB_LANE_WORK);
	st_finish = db_stmt_add("followup_job_finish",
		"SELECT " RUN_COLUMNS " FROM kassa_followup_job_finish($1, $2)", DB_LANE_WORK);
	st_release = db_stmt_add("followup_job_release", "SELECT kassa_followup_lease($1, 0)",
				 DB_LANE_WORK);
}

static void release_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	(void)res;
	if (st != DB_OK)
		log_warn("could not give back the follow-up job's lease; it runs out within %d s",
			 FOLLOWUP_LEASE_S);
}

/* The run is over, however it ended: its lease given back if it may hold it, r freed. */
static void run_free(void *arg)
{
	FupRun *r = arg;
	const char *p = r->holder;

	if (r->leased && !g_shutting_down)
		db_query(st_release, 1, &p, release_cb, NULL);
	if (r->call == NULL)
		timer_busy = false;
	free(r);
}

/* True to go on; otherwise the run is over (answered, or logged and freed). */
static bool run_db_ok(FupRun *r, DbStatus st, const PGresult *res)
{
	if (r->call != NULL)
		return call_db_ok(r->call, st, res);	/* frees r with the Call */
	if (st == DB_OK)
		return true;
	if (st == DB_SQL_ERROR && strcmp(db_errmsg(res), "FOLLOWUPS_RUNNING") == 0) {
		log_debug("follow-ups: another run holds the lease; skipping this tick");
		r->leased = false;
	} else if (st == DB_SQL_ERROR) {
		log_error("could not run the follow-up job: %s %s", db_sqlstate(res),
			  db_errmsg(res));
	} else {
		log_warn("could not run the follow-up job: the database is unavailable or busy; "
			 "the next run catches up");
	}
	run_free(r);
	return false;
}

static void finish_cb(void *arg, DbStatus st, const PGresult *res)
{
	FupRun *r = arg;
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__JobDone done = KASSA__V1__JOB_DONE__INIT;

	if (!run_db_ok(r, st, res))
		return;
	r->leased = false;	/* kassa_followup_job_finish gave it back */
	done.job = "followups";
	done.run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	done.examined = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	done.changed = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	done.elapsed_ms = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	done.finished_at = PQgetvalue(res, 0, 5);
	if (r->call == NULL) {
		if (done.changed > 0)
			log_info("follow-ups (run %lld): %lld made of %lld candidates",
				 (long long)done.run_id, (long long)done.changed,
				 (long long)done.examined);
		run_free(r);
		return;
	}
	resp.body_case = KASSA__V1__RESPONSE__BODY_JOB_DONE;
	resp.job_done = &done;
	call_reply(r->call, &resp);	/* frees r */
}

static void run_finish(FupRun *r)
{
	char run[24];
	const char *params[2] = { run, r->holder };

	snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
	db_query(st_finish, 2, params, finish_cb, r);
}

static void batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	FupRun *r = arg;

	if (!run_db_ok(r, st, res))
		return;
	r->after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		r->rule++;
		r->after = 0;
	}
	run_batch(r);
}

/* The next batch of the rule going, or the next rule's first, or the end. */
static void run_batch(FupRun *r)
{
	char run[24], lease[12], version[12], rule[12], after[24], limit[12];
	const char *params[7] = { run, r->holder, lease, version, rule, after, limit };

	if (g_shutting_down) {
		if (r->call != NULL)
			call_fail(r->call, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN",
				  "%s", _("the server is shutting down part-way through the run; "
					  "retry with the same key to finish it"));
		else
			run_free(r);
		return;
	}
	if (r->rule >= r->n_rules) {
		run_finish(r);
		return;
	}
	snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
	snprintf(lease, sizeof(lease), "%d", FOLLOWUP_LEASE_S);
	snprintf(version, sizeof(version), "%d", (int)r->version);
	snprintf(rule, sizeof(rule), "%d", r->rules[r->rule]);
	snprintf(after, sizeof(after), "%lld", (long long)r->after);
	snprintf(limit, sizeof(limit), "%d", FOLLOWUP_BATCH);
	db_query(st_batch, 7, params, batch_cb, r);
}

static void begin_cb(void *arg, DbStatus st, const PGresult *res)
{
	FupRun *r = arg;
	const char *pos;
	char num[16];

	if (!run_db_ok(r, st, res))
		return;
	r->run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
		r->leased = false;	/* a finished run's replay took no lease */
		run_finish(r);		/* answers its counts; finishes nothing again */
		return;
	}
	r->version = (int32_t)strtol(PQgetvalue(res, 0, 6), NULL, 10);
	pos = PQgetvalue(res, 0, 7);
	while (r->n_rules < FOLLOWUP_MAX_RULES && sqltext_array_next(&pos, num, sizeof(num)))
		r->rules[r->n_rules++] = (int)strtol(num, NULL, 10);
	run_batch(r);
}

/* Start a run: for c (key and hash set), or for the timer (c NULL). */
static void run_begin(Call *c, const char *key, const char *hash)
{
	FupRun *r = xcalloc(1, sizeof(*r));
	char host[48] = "", till[24] = "0", staff[24] = "0", lease[12];
	const char *params[6] = { till, staff, key, hash, r->holder, lease };

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "kassad");
	snprintf(r->holder, sizeof(r->holder), "%s:%ld:%llu", host, (long)getpid(),
		 (unsigned long long)++runs);
	snprintf(lease, sizeof(lease), "%d", FOLLOWUP_LEASE_S);
	r->leased = true;
	r->call = c;
	if (c != NULL) {
		c->state = r;
		c->state_free = run_free;
		snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
		snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
	}
	db_query(st_begin, 6, params, begin_cb, r);
}

void followup_job_run(Call *c)
{
	SqlText hash = SQLTEXT_INIT;

	sqltext_hash(&hash, &c->req->job_run->base);
	run_begin(c, c->req->idempotency_key, sqltext_str(&hash));
	sqltext_free(&hash);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down || timer_busy)
		return;
	timer_busy = true;
	run_begin(NULL, NULL, NULL);
}

void followup_job_start(void)
{
	struct timeval every = { cf_crm_followups_interval, 0 };

	if (cf_crm_followups_interval <= 0) {
		log_info("the follow-up job runs on request only ([crm] followups_interval = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the follow-up job's timer");
}

void followup_job_setup(void)
{
	run_setup();
}

/* Free the timer (at shutdown, after the loop ended). */
void followup_job_stop(void)
{
	if (tick_ev != NULL) {
		event_free(tick_ev);
		tick_ev = NULL;
	}
}

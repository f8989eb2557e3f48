/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jobs.c: the periodic loyalty jobs. Four kinds, each a run of short
 * batches (migrations/functions/jobs.sql, count_cards.sql):
 *
 *   points_expire     lots past their day become 'expire' ledger rows
 *   tier_reevaluate   members whose spend (or points earned) in the rule
 *                     set's window is below their tier go down one level
 *   birthday_coupons  members whose birthday is today get the active
 *                     birthday coupons, once a year each
 *   card_expire       count cards past their expiry with visits left get
 *                     one 'expire' ledger row of their remainder and close
 *                     'expired' (batches of cards, not members)
 *
 * kassad runs all four, one after the other, on a timer: first
 * JOBS_FIRST_DELAY seconds after start, then every [loyalty] jobs_interval
 * seconds (0: never; a run still going when the next tick comes makes the
 * tick a no-op). An administrator runs the first two on demand
 * (PointsExpire, TierReevaluate) and the last with JobRun "card_expire"
 * (crm.c's table of jobs: jobs_card_expire_run()), and gets the counts.
 *
 * A run is: kassa_job_begin() (a job_runs row; for a request also the
 * idempotency row, so a retry answers the same run), then one statement
 * per batch of at most JOBS_BATCH members, each its own transaction on the
 * WORK lane with the members locked SKIP LOCKED, sent from the previous
 * batch's callback while the last says there is more, then kassa_job_finish().
 * So the loop never waits, a sale waits at most for one batch's members,
 * and no transaction grows with the size of the job.
 *
 * A tier batch is three statements, because the decision is kassad's
 * (rules_tier_downgrade(), the pure rules_tier.c) and SQL never reads the
 * rule-set document: the version in force (its document only when newer
 * than kassad's copy, then installed), kassa_tier_downgrade_pick() (the
 * candidates, locked SKIP LOCKED, with their window's basis), and
 * kassa_tier_downgrade_write() (the downgrades decided, each guarded by
 * the facts it stands on, and the batch's counts). A rule set that changes
 * under a batch makes the write refuse it (stale); the batch is then done
 * again with the new one, at most JOBS_MAX_STALE times. Once SIGTERM has been
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
#include "metrics.h"
#include "core.h"
#include "loyalty.h"
#include "rules_tier.h"
#include "ruleset_cache.h"
#include "sqltext.h"

#define JOBS_BATCH 200		/* members per statement: a sale waits for at most these */
#define JOBS_FIRST_DELAY 10	/* seconds from start to the timer's first run */
#define JOBS_SPAN 50		/* a tier batch looks at ids up to after + JOBS_SPAN * JOBS_BATCH */
#define JOBS_MAX_STALE 3	/* a tier batch redone this often for a new rule set, then failed */

typedef enum JobKind {
	JOB_EXPIRE = 0,		/* points expiry */
	JOB_TIERS,		/* tier downgrades */
	JOB_BIRTHDAYS,		/* birthday coupons */
	JOB_CARDS,		/* count-card expiry */
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
	[JOB_TIERS] = { "tier_reevaluate", NULL, "tier re-evaluation" },	/* jobs_tier_* */
	[JOB_BIRTHDAYS] = { "birthday_coupons",
		"SELECT out_more, out_last FROM kassa_birthday_due($1, $2, $3)",
		"birthday coupons" },
	[JOB_CARDS] = { "card_expire",
		"SELECT out_more, out_last FROM kassa_card_expire_due($1, $2, $3)",
		"count-card expiry" },
};

/* One run in progress. */
typedef struct JobRun {
	JobKind kind;
	int64_t run_id;		/* job_runs row */
	int64_t after;		/* the last member (card) id a batch took; the next starts above */
	int batches;		/* sent so far */
	Call *call;		/* borrowed: the request owning this run; NULL = the timer's */
	int stale;		/* tier batch: redone for a newer rule set, this batch */
	int32_t version;	/* tier batch: the rule set its candidates were picked with */
	bool by_points;		/* ... its tier_basis is points earned */
	int32_t months;		/* ... its downgrade window */
	int64_t last;		/* tier batch: where the next starts, once its write is done */
	int64_t started_us;	/* job_begin(): the run's duration for metrics_job_done() */
} JobRun;

/* A job_runs row as kassa_job_begin() and kassa_job_finish() return it. */
typedef struct JobCounts {
	int64_t run_id;
	bool finished;
	int64_t members, lots, points;	/* points_expire */
	int64_t examined, downgraded;	/* tier_reevaluate; examined also birthday_coupons */
	int64_t issued;			/* birthday_coupons */
	int64_t cards, visits;		/* card_expire (examined: the cards it took) */
	int64_t elapsed_ms;		/* from start to finish; 0 while it runs */
	const char *finished_at;	/* borrowed from the result: RFC 3339, "" while it runs */
} JobCounts;

#define JOB_ROW_COLUMNS "out_run_id, out_finished, out_members, out_lots, out_points," \
	" out_examined, out_downgraded, out_issued, out_cards, out_visits, out_elapsed_ms," \
	" out_finished_at"

static int st_begin, st_finish, st_batch[JOB_KINDS];
static int st_tier_rules, st_tier_pick, st_tier_write;
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
	/* the tier batch: on the WORK lane too, as ruleset_cache.c's reload is not */
	st_tier_rules = db_stmt_add("job_tier_rules",
		"SELECT version, CASE WHEN version > $1 THEN config::text END"
		" FROM rule_versions ORDER BY version DESC LIMIT 1", DB_LANE_WORK);
	st_tier_pick = db_stmt_add("job_tier_pick",
		"SELECT out_member_id, out_tier, out_basis"
		" FROM kassa_tier_downgrade_pick($1, $2, $3, $4, $5)", DB_LANE_WORK);
	st_tier_write = db_stmt_add("job_tier_write",
		"SELECT out_stale, out_more FROM kassa_tier_downgrade_write($1, $2, $3, $4, $5,"
		" $6, $7, $8, $9, $10, $11)", DB_LANE_WORK);
	st_batch[JOB_BIRTHDAYS] = db_stmt_add("job_birthdays", job_info[JOB_BIRTHDAYS].batch_sql,
					      DB_LANE_WORK);
	st_batch[JOB_CARDS] = db_stmt_add("job_card_expire", job_info[JOB_CARDS].batch_sql,
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
	n->cards = col_int(res, 8);
	n->visits = col_int(res, 9);
	n->elapsed_ms = col_int(res, 10);
	n->finished_at = PQgetvalue(res, 0, 11);
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
	if (st != DB_OK && !g_shutting_down)
		metrics_job_done(job_info[r->kind].kind, false, now_usec() - r->started_us);
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
	else if (kind == JOB_CARDS && n->cards > 0)
		log_info("count-card expiry (run %lld): %lld visits on %lld cards expired", run,
			 (long long)n->visits, (long long)n->cards);
	else
		log_debug("%s (run %lld): nothing to do", job_info[kind].name, run);
}

/* The run is over: answer the request, or log and go on to the timer's next kind. */
static void job_done(JobRun *r, const JobCounts *n)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__PointsExpired pe = KASSA__V1__POINTS_EXPIRED__INIT;
	Kassa__V1__TierReevaluated tr = KASSA__V1__TIER_REEVALUATED__INIT;
	Kassa__V1__JobDone jd = KASSA__V1__JOB_DONE__INIT;

	metrics_job_done(job_info[r->kind].kind, true, now_usec() - r->started_us);
	if (r->call != NULL) {
		if (r->kind == JOB_CARDS) {	/* JobRun's answer, as crm's jobs give it */
			jd.job = (char *)job_info[r->kind].kind;
			jd.run_id = n->run_id;
			jd.examined = n->examined;
			jd.changed = n->cards;
			jd.elapsed_ms = n->elapsed_ms;
			jd.finished_at = (char *)n->finished_at;
			resp.body_case = KASSA__V1__RESPONSE__BODY_JOB_DONE;
			resp.job_done = &jd;
		} else if (r->kind == JOB_EXPIRE) {
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

/* A batch is done: another while it said there is more, then finish. */
static void job_after_batch(JobRun *r, bool more)
{
	char p_run[24];
	const char *p = p_run;

	if (more) {
		job_batch(r);
		return;
	}
	snprintf(p_run, sizeof(p_run), "%lld", (long long)r->run_id);
	db_query(st_finish, 1, &p, job_finish_cb, r);
}

static void job_batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;

	if (!job_db_ok(r, st, res))
		return;
	r->after = col_int(res, 1);
	job_after_batch(r, strcmp(PQgetvalue(res, 0, 0), "t") == 0);
}

/*
 * True when kassad is shutting down: then the run stops here, unfinished
 * (a request is answered UNAVAILABLE; its retry with the same key carries
 * the run on), and nothing more is sent.
 */
static bool job_stopped(JobRun *r)
{
	if (!g_shutting_down)
		return false;
	if (r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN",
			  "the server is shutting down part-way through the run; "
			  "retry with the same key to finish it");
		return true;
	}
	log_info("%s (run %lld): stopped part-way by the shutdown after %d batches",
		 job_info[r->kind].name, (long long)r->run_id, r->batches);
	timer_busy = false;
	return true;
}

/* The run cannot go on (not a database error): answer or log it, and end it. */
static void job_fail(JobRun *r, const char *detail, const char *why)
{
	metrics_job_done(job_info[r->kind].kind, false, now_usec() - r->started_us);
	if (r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__INTERNAL, detail, "%s", why);
		return;
	}
	log_error("could not run the %s (run %lld): %s", job_info[r->kind].name,
		  (long long)r->run_id, why);
	job_next(r);
}

/* ---- the tier batch: rule set, pick, decide, write ---- */

/* The rule set changed under a tier batch: do it again with the new one, a few times. */
static void jobs_tier_again(JobRun *r)
{
	if (++r->stale > JOBS_MAX_STALE) {
		job_fail(r, "RULES_CHANGING", "the rule set kept changing during a batch");
		return;
	}
	log_info("%s (run %lld): the rule set changed during a batch; doing it again",
		 job_info[r->kind].name, (long long)r->run_id);
	job_batch(r);
}

/* The write is done: go on, or do the batch again when the rule set changed under it. */
static void jobs_tier_write_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;

	if (!job_db_ok(r, st, res))
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		jobs_tier_again(r);
		return;
	}
	r->stale = 0;
	r->after = r->last;
	job_after_batch(r, strcmp(PQgetvalue(res, 0, 1), "t") == 0);
}

/*
 * Decide each candidate with rules_tier_downgrade() (none is manual: the
 * pick left those out) and send the downgrades with the batch's counts.
 */
static void jobs_tier_pick_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;
	const RuleSet *rs = ruleset_current();
	SqlText ids = SQLTEXT_INIT, from = SQLTEXT_INIT, to = SQLTEXT_INIT;
	SqlText basis = SQLTEXT_INIT, threshold = SQLTEXT_INIT;
	char p_run[24], p_version[16], p_months[16], p_picked[16], p_last[24];
	int n;
	int64_t last;

	if (!job_db_ok(r, st, res))
		return;
	if (rs == NULL || rs->version != r->version) {
		jobs_tier_again(r);	/* another handler loaded a newer one meanwhile */
		return;
	}
	if (job_stopped(r))
		return;
	n = PQntuples(res);
	last = n < JOBS_BATCH ? r->after + (int64_t)JOBS_SPAN * JOBS_BATCH :
	       strtoll(PQgetvalue(res, n - 1, 0), NULL, 10);	/* < JOBS_BATCH: the span is done */
	sqltext_open(&ids);
	sqltext_open(&from);
	sqltext_open(&to);
	sqltext_open(&basis);
	sqltext_open(&threshold);
	for (int i = 0; i < n; i++) {
		int tier = ruleset_tier_index(rs, PQgetvalue(res, i, 1));
		int64_t b = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		int down = rules_tier_downgrade(rs, tier, false, b);

		if (down == tier)
			continue;
		sqltext_elem_int(&ids, strtoll(PQgetvalue(res, i, 0), NULL, 10));
		sqltext_elem_str(&from, rs->tiers[tier].name);
		sqltext_elem_str(&to, rs->tiers[down].name);
		sqltext_elem_int(&basis, b);
		sqltext_elem_int(&threshold, rs->tiers[tier].threshold);
	}
	sqltext_close(&ids);
	sqltext_close(&from);
	sqltext_close(&to);
	sqltext_close(&basis);
	sqltext_close(&threshold);
	snprintf(p_run, sizeof(p_run), "%lld", (long long)r->run_id);
	snprintf(p_version, sizeof(p_version), "%d", (int)r->version);
	snprintf(p_months, sizeof(p_months), "%d", (int)r->months);
	snprintf(p_picked, sizeof(p_picked), "%d", n);
	snprintf(p_last, sizeof(p_last), "%lld", (long long)last);
	r->last = last;		/* r->after moves on only when the write is not stale */

	const char *params[11] = {
		p_run, p_version, r->by_points ? "true" : "false", p_months, p_picked, p_last,
		sqltext_str(&ids), sqltext_str(&from), sqltext_str(&to), sqltext_str(&basis),
		sqltext_str(&threshold),
	};
	db_query(st_tier_write, 11, params, jobs_tier_write_cb, r);
	sqltext_free(&ids);
	sqltext_free(&from);
	sqltext_free(&to);
	sqltext_free(&basis);
	sqltext_free(&threshold);
}

/* Pick the candidates with the rule set in force: the tiers above the first. */
static void jobs_tier_pick(JobRun *r)
{
	const RuleSet *rs = ruleset_current();
	SqlText tiers = SQLTEXT_INIT;
	char p_limit[16], p_after[24], p_months[16];

	r->version = rs->version;
	r->by_points = rs->basis_points;
	r->months = rs->downgrade_window_months;
	sqltext_open(&tiers);
	for (int i = 1; i < rs->n_tiers; i++)
		sqltext_elem_str(&tiers, rs->tiers[i].name);
	sqltext_close(&tiers);
	snprintf(p_limit, sizeof(p_limit), "%d", JOBS_BATCH);
	snprintf(p_after, sizeof(p_after), "%lld", (long long)r->after);
	snprintf(p_months, sizeof(p_months), "%d", (int)r->months);

	const char *params[5] = {
		p_limit, p_after, sqltext_str(&tiers), r->by_points ? "true" : "false", p_months,
	};
	db_query(st_tier_pick, 5, params, jobs_tier_pick_cb, r);
	sqltext_free(&tiers);
}

/* The version in force, with its document when kassad's copy is older: install it. */
static void jobs_tier_rules_cb(void *arg, DbStatus st, const PGresult *res)
{
	JobRun *r = arg;
	const RuleSet *rs;
	int32_t version;

	if (!job_db_ok(r, st, res))
		return;
	if (PQntuples(res) != 1) {
		job_fail(r, "RULES_INVALID", "there is no rule set");
		return;
	}
	version = (int32_t)strtol(PQgetvalue(res, 0, 0), NULL, 10);
	if (!PQgetisnull(res, 0, 1) && !ruleset_install(version, PQgetvalue(res, 0, 1)))
		log_warn("the %s goes on with rule set version %d", job_info[r->kind].name,
			 ruleset_current() ? (int)ruleset_current()->version : 0);
	rs = ruleset_current();
	if (rs == NULL || rs->version < version) {
		job_fail(r, "RULES_INVALID", "the rule set in force could not be loaded");
		return;
	}
	if (job_stopped(r))
		return;
	jobs_tier_pick(r);
}

/* A tier batch starts by making sure kassad decides with the rule set in force. */
static void jobs_tier_batch(JobRun *r)
{
	const RuleSet *rs = ruleset_current();
	char p_have[16];
	const char *p = p_have;

	snprintf(p_have, sizeof(p_have), "%d", rs != NULL ? (int)rs->version : -1);
	db_query(st_tier_rules, 1, &p, jobs_tier_rules_cb, r);
}

/* Send the next batch, unless kassad is shutting down. */
static void job_batch(JobRun *r)
{
	char p_limit[16], p_after[24], p_run[24];
	const char *params[3] = { p_limit, p_after, p_run };

	if (job_stopped(r))
		return;
	if (r->kind == JOB_TIERS) {
		r->batches++;
		jobs_tier_batch(r);
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
	r->started_us = now_usec();
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
	for (int k = 0; k < JOB_KINDS; k++)
		metrics_job_schedule(job_info[k].kind, cf_jobs_interval);
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

void jobs_card_expire_run(Call *c)
{
	job_request(c, JOB_CARDS, &c->req->job_run->base);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics.c: the analytics job, which keeps the pre-aggregated tables
 * every report reads and the members' RFM scores, classes and portraits
 * (migrations/functions/analytics.sql says what each statement computes;
 * docs/office.md, "Aggregates and the analytics job" and "Classes").
 *
 * kassad runs it on a timer, every [analytics] interval seconds (0: only
 * on request; a tick while a run is going does nothing), and an
 * administrator runs it with AnalyticsRun (full: a full RFM pass; rebuild:
 * every bucket that has sales, and every member from scratch), answered
 * AnalyticsDone. A run walks these steps, each one statement sent from the
 * previous one's callback, so the loop never waits and no statement runs
 * longer than a fraction of [database] query_timeout_ms (batches are sized
 * from how long the last one took, analytics_plan.c):
 *
 *   1. begin      kassa_analytics_begin: the run's clock and starting
 *                 points; a request's idempotency row and job_runs row (a
 *                 retry of a finished run is answered from it, here); the
 *                 lease (below)
 *   2. pick       kassa_agg_pick: each store's last two business days (or
 *                 all its days, for a rebuild), the late-sale marks, the
 *                 chain-wide days
 *   3. buckets    kassa_agg_buckets, a batch of (store, day) buckets at a
 *                 time; each takes the buckets' marks, kept for step 6
 *   4. chain      kassa_agg_chain_days, a batch of days at a time
 *   5. state      analytics_state 'aggregates'
 *   6. members    analytics_rfm.c: incremental, full or from scratch
 *   7. finish     kassa_analytics_finish and the lease's release, then the
 *                 answer (or a log line)
 *
 * The daily full pass is the timer's run that finds it due (from
 * [analytics] full_hour o'clock, the server's zone); the first run ever
 * does every member from scratch. Once SIGTERM has been seen no further
 * statement is sent: a request is answered UNAVAILABLE (its retry with
 * the same key does the run again: every step replaces what it computes).
 *
 * One run at a time, chain-wide: step 1 claims the lease (job_leases
 * 'analytics') for analytics_lease_seconds(), a few statement deadlines,
 * unless another run holds it, whichever request, timer or kassad process
 * that is. Then the timer's tick is skipped (a debug line) and a request
 * is answered FAILED_PRECONDITION ANALYTICS_RUNNING, also a retry of the
 * same key while its own run still goes (it does not wait: the run may
 * take minutes; the retry once it has finished gets its counts). Each
 * step renews the lease once it is half a statement timeout old
 * (analytics_go_on), step 7 releases it in its own statement, and a run
 * that ends otherwise releases it when it is freed; a kassad that dies
 * leaves it to expire. (Not a session advisory lock: the pool's
 * connections are shared, and a lock must not outlive its statement.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "analytics.h"
#include "log.h"
#include "metrics.h"
#include "office.h"
#include "sqltext.h"

#define AN_FIRST_DELAY 15	/* seconds from start to the timer's first run */
#define AN_BUCKETS_FIRST 32	/* buckets in the first statement of a run */
#define AN_BUCKETS_MAX 1024
#define AN_DAYS_FIRST 31	/* chain-wide days in the first statement */
#define AN_DAYS_MAX 366
#define AN_RANGES_MAX 100000	/* rows of a pick kept (stores + marks + 1) */

static int st_begin, st_pick, st_buckets, st_chain, st_state, st_finish, st_lease;
static struct event *first_ev;		/* owned: the timer's first run */
static struct event *tick_ev;		/* owned: every cf_analytics_interval seconds */
static bool timer_busy;			/* the timer's run is going */
static char host[64];			/* this machine's name, for the lease tokens */
static unsigned run_seq;		/* runs started by this process */

static void timer_start(void);

/* Register the statements and arm the timer (the loop exists; the pool starts after). */
void analytics_setup(void)
{
	st_begin = db_stmt_add("analytics_begin",
		"SELECT out_run_id, out_finished, out_buckets, out_members, out_elapsed_ms,"
		" out_finished_at, out_now, out_agg_since, out_rfm_since, out_left_from, out_left_to,"
		" out_offline_since, out_scratch, out_full_due"
		" FROM kassa_analytics_begin($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		DB_LANE_WORK);
	st_pick = db_stmt_add("analytics_pick",
		"SELECT coalesce(store_id, 0), to_char(from_day, 'YYYY-MM-DD'),"
		" to_char(to_day, 'YYYY-MM-DD') FROM kassa_agg_pick($1, $2, $3, $4, $5)",
		DB_LANE_WORK);
	st_buckets = db_stmt_add("analytics_buckets",
		"SELECT out_buckets, out_sales, out_dirty_stores, out_dirty_days"
		" FROM kassa_agg_buckets($1, $2)", DB_LANE_WORK);
	st_chain = db_stmt_add("analytics_chain",
		"SELECT kassa_agg_chain_days($1, $2, $3)", DB_LANE_WORK);
	st_state = db_stmt_add("analytics_state",
		"SELECT kassa_analytics_state_set($1, $2, $3, $4)", DB_LANE_WORK);
	/* the end of the run and the release of its lease commit together */
	st_finish = db_stmt_add("analytics_finish",
		"SELECT out_buckets, out_members, out_elapsed_ms, out_finished_at,"
		" kassa_analytics_lease($4, 0) FROM kassa_analytics_finish($1, $2, $3)",
		DB_LANE_WORK);
	st_lease = db_stmt_add("analytics_lease", "SELECT kassa_analytics_lease($1, $2)",
			       DB_LANE_WORK);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "kassad");
	host[sizeof(host) - 1] = '\0';
	analytics_rfm_setup();
	timer_start();
}

/* ---- a run's life ---- */

/* The lease in seconds (a few statement deadlines, analytics_plan.c). */
static int lease_seconds(void)
{
	return analytics_lease_seconds(cf_db_query_timeout_ms, DB_DEADLINE_GRACE_MS);
}

static void release_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	if (st != DB_OK)
		log_warn("could not release the analytics job's lease: %s; it runs out within %d s",
			 st == DB_SQL_ERROR ? db_errmsg(res) : "the database is unavailable or busy",
			 lease_seconds());
}

/* Give the lease back, if r holds it (nothing waits for the answer). */
static void lease_release(AnalyticsRun *r)
{
	const char *params[2] = { r->holder, "0" };

	if (!r->leased)
		return;
	r->leased = false;
	db_query(st_lease, 2, params, release_cb, NULL);
}

/* Every run's end, whatever it was: the Call's state_free, or the timer's run_end_timer(). */
static void run_free(void *p)
{
	AnalyticsRun *r = p;

	if (r == NULL)
		return;
	lease_release(r);
	free(r->ranges);
	free(r->dirty_stores);
	free(r->dirty_days);
	free(r);
}

/* The timer's run is over (whatever the outcome). */
static void run_end_timer(AnalyticsRun *r)
{
	run_free(r);
	timer_busy = false;
}

int64_t analytics_target_ms(void)
{
	int64_t t = cf_db_query_timeout_ms / 5;

	return t > 1000 ? 1000 : t < 10 ? 10 : t;
}

/* Another run holds the lease: a request is refused, the timer's tick skipped. Ends r. */
static void run_busy(AnalyticsRun *r)
{
	if (r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__FAILED_PRECONDITION, "ANALYTICS_RUNNING",
			  "another analytics run is going (started by a request, the timer or another "
			  "kassad); try again once it has finished");
		return;
	}
	log_debug("analytics: another run holds the lease; skipping this tick");
	run_end_timer(r);
}

bool analytics_db_ok(AnalyticsRun *r, DbStatus st, const PGresult *res)
{
	if (st == DB_SQL_ERROR && strcmp(db_sqlstate(res), "KA412") == 0 &&
	    strcmp(db_errmsg(res), "ANALYTICS_RUNNING") == 0) {
		run_busy(r);
		return false;
	}
	if (st != DB_OK && !g_shutting_down)
		metrics_job_done("analytics", false, now_usec() - r->started_us);
	if (r->call != NULL)
		return call_db_ok(r->call, st, res);	/* frees r with the Call */
	if (st == DB_OK)
		return true;
	if (g_shutting_down)
		log_info("analytics: stopped by the shutdown");
	else if (st == DB_SQL_ERROR)
		log_error("could not run the analytics job: %s %s", db_sqlstate(res), db_errmsg(res));
	else
		log_warn("could not run the analytics job: the database is unavailable or busy; "
			 "the next run catches up");
	run_end_timer(r);
	return false;
}

bool analytics_stopped(AnalyticsRun *r)
{
	if (!g_shutting_down)
		return false;
	if (r->call != NULL) {
		call_fail(r->call, KASSA__V1__STATUS_CODE__UNAVAILABLE, "SHUTTING_DOWN",
			  "the server is shutting down part-way through the run; "
			  "retry with the same key to finish it");
		return true;
	}
	log_info("analytics: stopped part-way by the shutdown");
	run_end_timer(r);
	return true;
}

static void renew_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;

	if (!analytics_db_ok(r, st, res))
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		r->leased = false;
		log_warn("analytics: the run's lease ran out (a statement or kassad stalled for %d s) "
			 "and another run holds it; stopping this one", lease_seconds());
		run_busy(r);
		return;
	}
	r->again(r);
}

bool analytics_go_on(AnalyticsRun *r, void (*again)(AnalyticsRun *r))
{
	char p_lease[16];
	const char *params[2] = { r->holder, p_lease };

	if (analytics_stopped(r))
		return false;
	if (!r->leased || !analytics_lease_due(r->lease_us, now_usec(), cf_db_query_timeout_ms))
		return true;
	r->again = again;
	r->lease_us = now_usec();
	snprintf(p_lease, sizeof(p_lease), "%d", lease_seconds());
	db_query(st_lease, 2, params, renew_cb, r);
	return false;
}

/* Answer the request with the run's counts, or log the timer's run; ends r. */
static void run_done(AnalyticsRun *r, int64_t buckets, int64_t members, int64_t elapsed_ms,
		     const char *finished_at)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__AnalyticsDone d = KASSA__V1__ANALYTICS_DONE__INIT;

	metrics_job_done("analytics", true, now_usec() - r->started_us);
	if (r->call != NULL) {
		d.buckets = buckets;
		d.members = members;
		d.elapsed_ms = elapsed_ms;
		d.finished_at = (char *)finished_at;
		resp.body_case = KASSA__V1__RESPONSE__BODY_ANALYTICS_DONE;
		resp.analytics_done = &d;
		call_reply(r->call, &resp);	/* frees r */
		return;
	}
	if (r->mode != AN_INCREMENTAL)
		log_info("analytics (run %lld): %s pass: %lld buckets, %lld members scored in "
			 "%lld ms", (long long)r->run_id,
			 r->mode == AN_SCRATCH ? "a from-scratch" : "the full",
			 (long long)buckets, (long long)members, (long long)elapsed_ms);
	else
		log_debug("analytics: %lld buckets, %lld members in %lld ms", (long long)buckets,
			  (long long)members, (long long)elapsed_ms);
	run_end_timer(r);
}

static void finish_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;
	int64_t elapsed = (now_usec() - r->started_us) / 1000;

	if (!analytics_db_ok(r, st, res))
		return;
	r->leased = false;	/* released by the same statement */
	if (!PQgetisnull(res, 0, 2))
		elapsed = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	run_done(r, strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		 strtoll(PQgetvalue(res, 0, 1), NULL, 10), elapsed, PQgetvalue(res, 0, 3));
}

void analytics_finish(AnalyticsRun *r)
{
	char p_run[24], p_buckets[24], p_members[24];
	const char *params[4] = { p_run, p_buckets, p_members, r->holder };

	if (analytics_stopped(r))
		return;
	snprintf(p_run, sizeof(p_run), "%lld", (long long)r->run_id);
	snprintf(p_buckets, sizeof(p_buckets), "%lld", (long long)r->buckets);
	snprintf(p_members, sizeof(p_members), "%lld", (long long)r->members);
	db_query(st_finish, 4, params, finish_cb, r);
}

/* ---- 5. the aggregates' state ---- */

static void agg_state_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;

	if (!analytics_db_ok(r, st, res))
		return;
	analytics_rfm_start(r);
}

static void agg_state(AnalyticsRun *r)
{
	char p_rows[24];
	const char *params[4] = { "aggregates", r->now, r->now, p_rows };

	snprintf(p_rows, sizeof(p_rows), "%lld", (long long)r->buckets);
	db_query(st_state, 4, params, agg_state_cb, r);
}

/* ---- 3 and 4: buckets, then chain-wide days ---- */

static void agg_next(AnalyticsRun *r);

/* Keep the late-sale marks a batch took (bounded; beyond, dirty_lost). */
static void keep_marks(AnalyticsRun *r, const char *stores, const char *days)
{
	char s[24], d[ANALYTICS_DAY_LEN];

	while (sqltext_array_next(&stores, s, sizeof(s)) && sqltext_array_next(&days, d, sizeof(d))) {
		if (r->n_dirty >= ANALYTICS_DIRTY_MAX) {
			r->dirty_lost = true;
			return;
		}
		if (r->dirty_stores == NULL) {
			r->dirty_stores = xcalloc(ANALYTICS_DIRTY_MAX, sizeof(*r->dirty_stores));
			r->dirty_days = xcalloc(ANALYTICS_DIRTY_MAX, sizeof(*r->dirty_days));
		}
		r->dirty_stores[r->n_dirty] = strtoll(s, NULL, 10);
		memcpy(r->dirty_days[r->n_dirty++], d, sizeof(d));
	}
}

static void buckets_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;
	int64_t ms = (now_usec() - r->sent_us) / 1000;

	if (!analytics_db_ok(r, st, res))
		return;
	r->buckets += strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	keep_marks(r, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	r->batch_buckets = analytics_batch_next(r->batch_buckets, ms, analytics_target_ms(), 1,
						AN_BUCKETS_MAX);
	agg_next(r);
}

static void chain_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;
	int64_t ms = (now_usec() - r->sent_us) / 1000;

	if (!analytics_db_ok(r, st, res))
		return;
	r->batch_days = analytics_batch_next(r->batch_days, ms, analytics_target_ms(), 1,
					     AN_DAYS_MAX);
	agg_next(r);
}

/* Send the next batch of buckets; false when there are none left. */
static bool agg_send_buckets(AnalyticsRun *r)
{
	int64_t stores[AN_BUCKETS_MAX];
	int32_t days[AN_BUCKETS_MAX];
	char day[ANALYTICS_DAY_LEN];
	SqlText ps = SQLTEXT_INIT, pd = SQLTEXT_INIT;
	size_t n = analytics_plan_buckets(r->ranges, r->n_ranges, &r->cursor,
					  (size_t)r->batch_buckets, stores, days);
	const char *params[2];

	if (n == 0)
		return false;
	sqltext_open(&ps);
	sqltext_open(&pd);
	for (size_t i = 0; i < n; i++) {
		sqltext_elem_int(&ps, stores[i]);
		analytics_day_format(days[i], day);
		sqltext_elem_str(&pd, day);
	}
	sqltext_close(&ps);
	sqltext_close(&pd);
	params[0] = sqltext_str(&ps);
	params[1] = sqltext_str(&pd);
	r->sent_us = now_usec();
	db_query(st_buckets, 2, params, buckets_cb, r);
	sqltext_free(&ps);
	sqltext_free(&pd);
	return true;
}

/* The next statement of steps 3-4, or step 5 once they are done. */
static void agg_next(AnalyticsRun *r)
{
	char from[ANALYTICS_DAY_LEN], to[ANALYTICS_DAY_LEN];
	int32_t f, t;
	const char *params[3] = { from, to, cf_timezone };

	if (!analytics_go_on(r, agg_next))
		return;
	if (agg_send_buckets(r))
		return;
	if (analytics_plan_chain(r->ranges, r->n_ranges, &r->chain, r->batch_days, &f, &t)) {
		analytics_day_format(f, from);
		analytics_day_format(t, to);
		r->sent_us = now_usec();
		db_query(st_chain, 3, params, chain_cb, r);
		return;
	}
	agg_state(r);
}

/* ---- 2. pick ---- */

static void pick_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;
	size_t n;

	if (!analytics_db_ok(r, st, res))
		return;
	n = (size_t)PQntuples(res);
	if (n > AN_RANGES_MAX) {
		log_warn("analytics: the run picked %zu day ranges; doing the first %d", n,
			 AN_RANGES_MAX);
		n = AN_RANGES_MAX;
	}
	r->ranges = xcalloc(n > 0 ? n : 1, sizeof(*r->ranges));
	for (size_t i = 0; i < n; i++) {
		AnalyticsRange *x = &r->ranges[r->n_ranges];

		x->store_id = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
		if (analytics_day_parse(PQgetvalue(res, (int)i, 1), &x->from) &&
		    analytics_day_parse(PQgetvalue(res, (int)i, 2), &x->to))
			r->n_ranges++;
	}
	agg_next(r);
}

static void pick(AnalyticsRun *r)
{
	char p_limit[16];
	const char *params[5] = {
		r->now, r->agg_since[0] != '\0' ? r->agg_since : NULL, r->rebuild ? "t" : "f",
		cf_timezone, p_limit,
	};

	snprintf(p_limit, sizeof(p_limit), "%d", ANALYTICS_DIRTY_MAX);
	db_query(st_pick, 5, params, pick_cb, r);
}

/* ---- 1. begin ---- */

/* Copy a time column of the begin row ("" for NULL). */
static void begin_ts(const PGresult *res, int col, char out[ANALYTICS_TS_LEN])
{
	snprintf(out, ANALYTICS_TS_LEN, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

static void begin_cb(void *arg, DbStatus st, const PGresult *res)
{
	AnalyticsRun *r = arg;
	bool scratch, due;

	if (!analytics_db_ok(r, st, res))
		return;
	r->run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {	/* a retry of a finished run */
		run_done(r, strtoll(PQgetvalue(res, 0, 2), NULL, 10),
			 strtoll(PQgetvalue(res, 0, 3), NULL, 10),
			 strtoll(PQgetvalue(res, 0, 4), NULL, 10), PQgetvalue(res, 0, 5));
		return;
	}
	r->leased = true;	/* claimed by this statement */
	begin_ts(res, 6, r->now);
	begin_ts(res, 7, r->agg_since);
	begin_ts(res, 8, r->rfm_since);
	begin_ts(res, 9, r->left_from);
	begin_ts(res, 10, r->left_to);
	begin_ts(res, 11, r->offline_since);
	scratch = strcmp(PQgetvalue(res, 0, 12), "t") == 0;
	due = strcmp(PQgetvalue(res, 0, 13), "t") == 0;
	if (r->rebuild || scratch)
		r->mode = AN_SCRATCH;
	else if (r->full || (r->call == NULL && due))
		r->mode = AN_FULL;
	else
		r->mode = AN_INCREMENTAL;
	if (analytics_stopped(r))
		return;
	pick(r);
}

/*
 * Start run r (its request's key and body hash, or NULL for the timer's).
 * The margin: a sale's time is its transaction's start, at most a
 * statement timeout before it commits, and a replayed sale up to five
 * minutes older is not marked late (kassa_checkout), so each part starts
 * that much before the previous run's clock.
 */
static void begin(AnalyticsRun *r, const char *key, const char *hash)
{
	char p_till[24], p_staff[24], p_margin[16], p_hour[8], p_window[16], p_late[16], p_lease[16];
	const char *params[12] = {
		NULL, NULL, key, hash, r->call == NULL ? "t" : "f", p_margin, cf_timezone, p_hour,
		p_window, p_late, r->holder, p_lease,
	};

	r->started_us = now_usec();
	r->lease_us = r->started_us;
	snprintf(r->holder, sizeof(r->holder), "%s pid %ld run %u", host, (long)getpid(), ++run_seq);
	snprintf(p_lease, sizeof(p_lease), "%d", lease_seconds());
	r->batch_buckets = AN_BUCKETS_FIRST;
	r->batch_days = AN_DAYS_FIRST;
	if (r->call != NULL) {
		snprintf(p_till, sizeof(p_till), "%lld", (long long)r->call->sess->till_id);
		snprintf(p_staff, sizeof(p_staff), "%lld", (long long)r->call->staff_id);
		params[0] = p_till;
		params[1] = p_staff;
	}
	snprintf(p_margin, sizeof(p_margin), "%d", 300 + 2 * (cf_db_query_timeout_ms / 1000 + 1));
	snprintf(p_hour, sizeof(p_hour), "%d", cf_analytics_full_hour);
	snprintf(p_window, sizeof(p_window), "%d", cf_rfm_window_days);
	snprintf(p_late, sizeof(p_late), "%d", cf_late_sale_max_days);
	db_query(st_begin, 12, params, begin_cb, r);
}

/* ---- the timer ---- */

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	AnalyticsRun *r;

	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down)
		return;		/* the events go with the loop */
	if (timer_busy) {
		log_debug("analytics: the previous run is still going; skipping this tick");
		return;
	}
	timer_busy = true;
	r = xcalloc(1, sizeof(*r));
	begin(r, NULL, NULL);
}

/* Arm the timer: the first run AN_FIRST_DELAY s after start, then every interval. */
static void timer_start(void)
{
	struct timeval first = { AN_FIRST_DELAY, 0 }, every = { cf_analytics_interval, 0 };

	if (cf_analytics_interval == 0) {
		log_info("the analytics job runs on request only ([analytics] interval = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the analytics timer");
	metrics_job_schedule("analytics", cf_analytics_interval);
	if (first.tv_sec >= every.tv_sec)
		return;		/* the first tick comes as soon */
	first_ev = evtimer_new(g_base, tick_cb, NULL);
	if (first_ev == NULL || evtimer_add(first_ev, &first) != 0)
		die("could not arm the analytics timer");
}

/* ---- on request ---- */

void handle_analytics_run(Call *c)
{
	AnalyticsRun *r = xcalloc(1, sizeof(*r));
	SqlText hash = SQLTEXT_INIT;

	r->call = c;
	r->full = c->req->analytics_run->full;
	r->rebuild = c->req->analytics_run->rebuild;
	c->state = r;
	c->state_free = run_free;
	sqltext_hash(&hash, &c->req->analytics_run->base);
	begin(r, c->req->idempotency_key, sqltext_str(&hash));
	sqltext_free(&hash);
}

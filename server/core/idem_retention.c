/* SPDX-License-Identifier: Apache-2.0 */
/*
 * idem_retention.c: the job that keeps the idempotency table to a window.
 * Every mutation stores its key with its outcome (table idempotency,
 * migrations/functions/idempotency.sql), so a retried request is answered
 * from the first one; without this job the table grows by one row per
 * sale forever. A key is kept [checkout] idempotency_keep_days days (plus
 * IDEM_MARGIN_S) after it was first used, then deleted.
 *
 * Why that is safe: a till retries a sale with its original key, and a
 * sale older than [checkout] late_sale_max_days is refused SALE_TOO_OLD
 * (server/loyalty/checkout.c) unless its key is still known, so with
 * keep_days >= late_sale_max_days (cfg_validate() insists) every retry
 * the server would accept finds its key: exactly once holds. A retry
 * after that is refused, never recorded twice. IDEM_MARGIN_S covers a
 * till whose clock runs ahead (a sale may be stamped up to 5 minutes in
 * the future, so its key can be a little older than the sale). Nothing
 * else reads old keys: exports, shifts and reports read their own tables;
 * a key only names the result its request created.
 *
 * A run deletes IDEM_BATCH keys per statement, oldest first, each batch's
 * callback sending the next until a batch comes back short (or
 * IDEM_MAX_BATCHES, the rest waiting for the next run), so no statement
 * holds many row locks or runs long and the loop never waits. Runs come
 * IDEM_FIRST_DELAY_S after start, then every [checkout]
 * idempotency_purge_interval seconds (0: never), one at a time; each is
 * logged when it deleted something and counted by metrics_job_done().
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "db.h"
#include "log.h"
#include "metrics.h"

#define IDEM_BATCH "5000"		/* keys one statement deletes at most */
#define IDEM_BATCH_N 5000
#define IDEM_MAX_BATCHES 200		/* per run: 1,000,000 keys, the rest next time */
#define IDEM_MARGIN_S "3600"		/* seconds kept beyond keep_days */
#define IDEM_FIRST_DELAY_S 5		/* after start, once the pool is up */
#define IDEM_JOB "idempotency_purge"	/* the job's name in logs and metrics */

/* The one run in progress (runs never overlap). */
typedef struct IdemRun {
	bool busy;			/* a run is going */
	int64_t started_us;
	int64_t deleted;		/* keys deleted by this run so far */
	int batches;			/* statements sent */
	int keep_days;			/* cf_idempotency_keep_days when the run began */
} IdemRun;

static int st_purge;
static IdemRun run;
static struct event *tick_ev;		/* owned: every cf_idempotency_purge_interval s */
static struct event *first_ev;		/* owned: the run at start */

void idem_retention_setup(void)
{
	/* $1 days kept, $2 keys per statement; oldest first (idempotency_created_at) */
	st_purge = db_stmt_add("idem_purge",
		"WITH old AS (SELECT till_id, key FROM idempotency"
		"  WHERE created_at < now() - make_interval(days => $1::integer)"
		"   - make_interval(secs => " IDEM_MARGIN_S ")"
		"  ORDER BY created_at LIMIT $2::integer),"
		" gone AS (DELETE FROM idempotency i USING old"
		"  WHERE i.till_id = old.till_id AND i.key = old.key RETURNING 1)"
		" SELECT count(*) FROM gone",
		DB_LANE_WORK);
}

static void idem_send(void);

/* The end of a run: log it and count it. */
static void idem_done(bool ok)
{
	int64_t usec = now_usec() - run.started_us;

	if (!ok && run.deleted > 0)
		log_info("idempotency retention: stopped after deleting %lld keys; the next"
			 " run goes on", (long long)run.deleted);
	else if (ok && run.deleted > 0)
		log_info("idempotency retention: deleted %lld keys older than %d days in %d"
			 " statements (%lld ms)", (long long)run.deleted, run.keep_days,
			 run.batches, (long long)(usec / 1000));
	metrics_job_done(IDEM_JOB, ok, usec);
	run.busy = false;
}

static void idem_batch_cb(void *arg, DbStatus st, const PGresult *res)
{
	long n;

	(void)arg;
	if (st != DB_OK) {
		/* the pool reports an outage itself; a run cut short by a stop is no news */
		if (st == DB_SQL_ERROR)
			log_warn("idempotency retention: could not delete old keys: %s",
				 db_errmsg(res));
		else if (!g_shutting_down)
			log_info("idempotency retention: no database (status %d); the next run"
				 " tries again", (int)st);
		idem_done(false);
		return;
	}
	n = PQntuples(res) == 1 ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	run.deleted += n;
	if (n < IDEM_BATCH_N || run.batches >= IDEM_MAX_BATCHES || g_shutting_down) {
		idem_done(true);
		return;
	}
	idem_send();
}

static void idem_send(void)
{
	char days[16];
	const char *params[2] = { days, IDEM_BATCH };

	snprintf(days, sizeof(days), "%d", run.keep_days);
	run.batches++;
	db_query(st_purge, 2, params, idem_batch_cb, NULL);
}

bool idem_retention_run(void)
{
	if (run.busy || g_shutting_down)
		return false;
	run.busy = true;
	run.started_us = now_usec();
	run.deleted = 0;
	run.batches = 0;
	run.keep_days = cf_idempotency_keep_days;
	idem_send();
	return true;
}

static void idem_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!idem_retention_run() && !g_shutting_down)
		log_info("idempotency retention: the previous run is still going;"
			 " skipping this one");
}

bool idem_retention_start(void)
{
	struct timeval first = { IDEM_FIRST_DELAY_S, 0 };
	struct timeval every = { cf_idempotency_purge_interval, 0 };

	if (cf_idempotency_purge_interval == 0) {
		log_info("idempotency keys are kept forever ([checkout] idempotency_purge_interval"
			 " = 0)");
		return true;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, idem_tick_cb, NULL);
	first_ev = evtimer_new(g_base, idem_tick_cb, NULL);
	if (tick_ev == NULL || first_ev == NULL || event_add(tick_ev, &every) != 0 ||
	    (cf_idempotency_purge_interval > IDEM_FIRST_DELAY_S &&
	     evtimer_add(first_ev, &first) != 0)) {
		log_error("could not arm the idempotency retention timer");
		return false;
	}
	metrics_job_schedule(IDEM_JOB, cf_idempotency_purge_interval);
	return true;
}

void idem_retention_stop(void)
{
	if (first_ev != NULL)
		event_free(first_ev);
	if (tick_ev != NULL)
		event_free(tick_ev);
	first_ev = tick_ev = NULL;
}

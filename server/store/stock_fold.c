/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stock_fold.c: the fold of sales into the stock ledger (stock_fold.h;
 * docs/store/stock.md, "Hot rows"). A sale at a store that keeps negative
 * stock appends its movement to stock_pending instead of locking the
 * product's level; every [stock] fold_interval_ms this timer asks
 * kassa_stock_fold() to make at most STOCK_FOLD_BATCH of them ledger rows,
 * levels and alerts, and a full batch is followed by the next at once.
 * One run at a time per kassad (and one across kassads: the function's
 * advisory lock). A failed run is logged and retried by the next tick.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "stock_fold.h"
#include "util.h"

#define STOCK_FOLD_BATCH 5000	/* pending rows folded per run */

static int st_fold;
static struct event *tick_ev, *again_ev;
static bool busy;
static int64_t started_us;

void stock_fold_setup(void)
{
	st_fold = db_stmt_add("stock_fold", "SELECT kassa_stock_fold($1)", DB_LANE_WORK);
}

static void fold_run(void);

static void fold_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (!g_shutting_down && !busy)
		fold_run();
}

/* A full batch: the next one now (on the loop, not nested in the callback). */
static void fold_again(void)
{
	struct timeval now = { 0, 0 };

	if (g_shutting_down)
		return;
	if (again_ev == NULL)
		again_ev = evtimer_new(g_base, fold_tick_cb, NULL);
	if (again_ev == NULL || evtimer_add(again_ev, &now) != 0)
		log_warn("stock fold: could not schedule the next batch; the timer will");
}

static void fold_cb(void *arg, DbStatus st, const PGresult *res)
{
	bool ok = st == DB_OK && PQntuples(res) == 1;
	long long n = ok ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;

	(void)arg;
	busy = false;
	metrics_job_done("stock_fold", ok, now_usec() - started_us);
	if (!ok) {
		log_warn("stock fold: the run failed: %s", st == DB_OK ? "no row" : db_errmsg(res));
		return;
	}
	if (n >= STOCK_FOLD_BATCH)
		fold_again();
}

static void fold_run(void)
{
	char batch[16];
	const char *params[1] = { batch };

	snprintf(batch, sizeof(batch), "%d", STOCK_FOLD_BATCH);
	busy = true;
	started_us = now_usec();
	db_query(st_fold, 1, params, fold_cb, NULL);
}

void stock_fold_start(void)
{
	struct timeval every = { cf_stock_fold_interval_ms / 1000,
				 (cf_stock_fold_interval_ms % 1000) * 1000 };

	if (cf_stock_fold_interval_ms <= 0) {
		log_warn("sales' stock movements are never folded into the ledger "
			 "([stock] fold_interval_ms = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, fold_tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the stock fold's timer");
	metrics_job_schedule("stock_fold", cf_stock_fold_interval_ms >= 1000 ?
			     cf_stock_fold_interval_ms / 1000 : 1);
}

void stock_fold_stop(void)
{
	if (tick_ev != NULL) {
		event_free(tick_ev);
		tick_ev = NULL;
	}
	if (again_ev != NULL) {
		event_free(again_ev);
		again_ev = NULL;
	}
}

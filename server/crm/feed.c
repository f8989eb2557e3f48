/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed.c: the event feed for other CRMs and systems (docs/care/feed.md):
 * the job that numbers new events and fans them out to the endpoints, and
 * FeedExport, the resumable change export.
 *
 * Events are written by triggers in the transaction that decides them
 * (migrations/functions/feed.sql), unnumbered. The job (kassa_feed_run:
 * one transaction, one advisory lock, so never two runs at once across
 * kassad processes) numbers at most FEED_BATCH committed ones in the order
 * they were written, seq 1.. without gaps and member_seq 1.. per member,
 * and queues an outbox row (kind 'event') for every active endpoint whose
 * patterns match; the outbox's sender delivers them. It runs every [crm]
 * feed_interval_ms (0: on request only) and on JobRun "feed"; a run that
 * leaves events unnumbered is followed by the next batch at once.
 *
 * FeedExport answers the numbered events after after_seq (optionally of
 * the types matching patterns), at most limit, with last_seq (ask again
 * from there) and head_seq (the newest number), so a receiver that was
 * down resumes from the last seq it processed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm.h"
#include "db.h"
#include "i18n.h"
#include "log.h"
#include "metrics.h"
#include "sqltext.h"
#include "util.h"

#define FEED_BATCH 5000		/* events numbered per run */
#define FEED_EXPORT_DEFAULT 500
#define FEED_EXPORT_MAX 5000
#define FEED_TYPES_MAX 20	/* patterns in one FeedExport */
#define FEED_TYPE_LEN 48	/* bytes of one pattern */

static int st_run, st_export;
static struct event *tick_ev, *again_ev;
static bool timer_busy;

void feed_setup(void)
{
	/* $1 till, $2 staff, $3 key (NULL: the timer), $4 the request's hash, $5 batch */
	st_run = db_stmt_add("feed_run",
		"SELECT * FROM kassa_feed_run($1, $2, $3, $4::bytea, $5)", DB_LANE_WORK);
	/* $1 after_seq, $2 limit, $3 type patterns (a text[] literal) */
	st_export = db_stmt_add("feed_export",
		"SELECT * FROM kassa_feed_export($1, $2, $3::text[])", DB_LANE_WORK);
}

/* ---- patterns ---- */

/* A pattern is "*", "name.*" or "name.word": lower-case letters, '_' after the dot. */
static bool feed_pattern_ok(const char *p)
{
	size_t len = strlen(p), i = 0;

	if (strcmp(p, "*") == 0)
		return true;
	if (len == 0 || len >= FEED_TYPE_LEN)
		return false;
	while (p[i] >= 'a' && p[i] <= 'z')
		i++;
	if (i == 0 || p[i] != '.')
		return false;
	i++;
	if (strcmp(p + i, "*") == 0)
		return true;
	if (p[i] == '\0')
		return false;
	for (; p[i] != '\0'; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
			return false;
	return true;
}

/* ---- the job ---- */

typedef struct FeedRun {
	Call *call;		/* NULL: the timer's run */
	int64_t started_us;
} FeedRun;

static void feed_arm_again(void);

static void feed_run_cb(void *arg, DbStatus st, const PGresult *res)
{
	FeedRun *r = arg;
	Call *c = r->call;
	bool ok = st == DB_OK && PQntuples(res) == 1;
	int64_t left = ok ? strtoll(PQgetvalue(res, 0, 3), NULL, 10) : 0;

	metrics_job_done("feed", ok, now_usec() - r->started_us);
	free(r);
	if (c == NULL) {
		timer_busy = false;
		if (!ok)
			log_warn("feed: the numbering run failed: %s",
				 st == DB_OK ? "no row" : db_errmsg(res));
		else if (left > 0)
			feed_arm_again();
		return;
	}
	if (!call_db_ok(c, st, res))
		return;
	if (!ok) {
		call_fail(c, KASSA__V1__STATUS_CODE__INTERNAL, "INTERNAL_ERROR", "%s",
			  _("internal error"));
		return;
	}
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__JobDone done = KASSA__V1__JOB_DONE__INIT;

	done.job = "feed";
	done.run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	done.changed = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	done.examined = done.changed + left;
	done.elapsed_ms = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	done.finished_at = PQgetvalue(res, 0, 5);
	resp.body_case = KASSA__V1__RESPONSE__BODY_JOB_DONE;
	resp.job_done = &done;
	call_reply(c, &resp);
}

/* One run: for c (a JobRun, with its key) or for the timer (c NULL). */
static void feed_run(Call *c)
{
	FeedRun *r = xcalloc(1, sizeof(*r));
	SqlText hash = SQLTEXT_INIT;
	char till[24] = "0", staff[24] = "0", batch[16];
	const char *params[5] = { till, staff, NULL, NULL, batch };

	r->call = c;
	r->started_us = now_usec();
	snprintf(batch, sizeof(batch), "%d", FEED_BATCH);
	if (c != NULL) {
		snprintf(till, sizeof(till), "%lld", (long long)c->sess->till_id);
		snprintf(staff, sizeof(staff), "%lld", (long long)c->staff_id);
		sqltext_hash(&hash, &c->req->job_run->base);
		params[2] = c->req->idempotency_key;
		params[3] = sqltext_str(&hash);
	}
	db_query(st_run, 5, params, feed_run_cb, r);
	sqltext_free(&hash);
}

void feed_job_run(Call *c)
{
	feed_run(c);
}

static void feed_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down || timer_busy)
		return;		/* the run going on carries on with the next batch itself */
	timer_busy = true;
	feed_run(NULL);
}

/* The previous run left events: the next batch now (on the loop, not nested). */
static void feed_arm_again(void)
{
	struct timeval now = { 0, 0 };

	if (g_shutting_down)
		return;
	if (again_ev == NULL)
		again_ev = evtimer_new(g_base, feed_tick_cb, NULL);
	if (again_ev == NULL || evtimer_add(again_ev, &now) != 0)
		log_warn("feed: could not schedule the next batch; the timer will");
}

void feed_job_start(void)
{
	struct timeval every = { cf_crm_feed_interval_ms / 1000,
				 (cf_crm_feed_interval_ms % 1000) * 1000 };

	if (cf_crm_feed_interval_ms <= 0) {
		log_info("the event feed is numbered on request only ([crm] feed_interval_ms = 0)");
		return;
	}
	tick_ev = event_new(g_base, -1, EV_PERSIST, feed_tick_cb, NULL);
	if (tick_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the event feed's timer");
	metrics_job_schedule("feed", cf_crm_feed_interval_ms >= 1000 ?
			     cf_crm_feed_interval_ms / 1000 : 1);
}

/* ---- FeedExport ---- */

/* The page's rows (the last a row of NULLs when there is no event) as FeedEvents. */
static void feed_export_reply(Call *c, const PGresult *res, int64_t after, uint32_t limit)
{
	Kassa__V1__Response resp = KASSA__V1__RESPONSE__INIT;
	Kassa__V1__FeedPage page = KASSA__V1__FEED_PAGE__INIT;
	int rows = PQntuples(res), n = 0;
	Kassa__V1__FeedEvent *ev = xcalloc((size_t)rows + 1, sizeof(*ev));
	Kassa__V1__FeedEvent **evp = xcalloc((size_t)rows + 1, sizeof(*evp));

	for (int i = 0; i < rows; i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		kassa__v1__feed_event__init(&ev[n]);
		ev[n].seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		ev[n].event_id = PQgetvalue(res, i, 1);
		ev[n].type = PQgetvalue(res, i, 2);
		ev[n].member_id = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		ev[n].member_seq = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		ev[n].schema_version = (uint32_t)strtoul(PQgetvalue(res, i, 5), NULL, 10);
		ev[n].occurred_at = PQgetvalue(res, i, 6);
		ev[n].data_json = PQgetvalue(res, i, 7);
		evp[n] = &ev[n];
		n++;
	}
	page.head_seq = rows > 0 ? strtoll(PQgetvalue(res, 0, 8), NULL, 10) : 0;
	page.events = evp;
	page.n_events = (size_t)n;
	/* a full page ends at its last event; a short one saw everything up to the head */
	if ((uint32_t)n == limit)
		page.last_seq = ev[n - 1].seq;
	else
		page.last_seq = page.head_seq > after ? page.head_seq : after;
	resp.body_case = KASSA__V1__RESPONSE__BODY_FEED_PAGE;
	resp.feed_page = &page;
	call_reply(c, &resp);
	free(evp);
	free(ev);
}

typedef struct FeedExportState {
	int64_t after;
	uint32_t limit;
} FeedExportState;

static void feed_export_cb(void *arg, DbStatus st, const PGresult *res)
{
	Call *c = arg;
	FeedExportState s = *(FeedExportState *)c->state;

	if (!call_db_ok(c, st, res))
		return;
	feed_export_reply(c, res, s.after, s.limit);
}

void handle_feed_export(Call *c)
{
	const Kassa__V1__FeedExport *q = c->req->feed_export;
	FeedExportState *s;
	SqlText types = SQLTEXT_INIT;
	char after[24], limit[16];

	if (q->after_seq < 0) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_AFTER_SEQ", "%s",
			  _("after_seq is a sequence number, 0 or more"));
		return;
	}
	if (q->limit > FEED_EXPORT_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_LIMIT",
			  _("a page is at most %d events"), FEED_EXPORT_MAX);
		return;
	}
	if (q->n_types > FEED_TYPES_MAX) {
		call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TYPES",
			  _("at most %d event type patterns"), FEED_TYPES_MAX);
		return;
	}
	sqltext_open(&types);
	for (size_t i = 0; i < q->n_types; i++) {
		if (!feed_pattern_ok(q->types[i])) {
			sqltext_free(&types);
			call_fail(c, KASSA__V1__STATUS_CODE__INVALID_ARGUMENT, "BAD_TYPES",
				  _("\"%s\" is not an event type pattern (\"*\", \"member.*\", "
				    "\"sale.completed\")"), q->types[i]);
			return;
		}
		sqltext_elem_str(&types, q->types[i]);
	}
	sqltext_close(&types);
	s = xcalloc(1, sizeof(*s));
	s->after = q->after_seq;
	s->limit = q->limit == 0 ? FEED_EXPORT_DEFAULT : q->limit;
	c->state = s;
	c->state_free = free;
	snprintf(after, sizeof(after), "%lld", (long long)s->after);
	snprintf(limit, sizeof(limit), "%u", s->limit);

	const char *params[3] = { after, limit, sqltext_str(&types) };
	db_query(st_export, 3, params, feed_export_cb, c);
	sqltext_free(&types);
}

/* Free the timers (at shutdown, after the loop ended). */
void feed_job_stop(void)
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

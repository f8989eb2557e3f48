/* SPDX-License-Identifier: Apache-2.0 */
/*
 * till_sweep.c: every kassad cuts off a till that TillPut deactivated,
 * moved to another store or gave another kind, also when another kassad
 * answered the TillPut (till_admin.c closes the answering kassad's sessions
 * at once; Hello refuses the till everywhere, but a session that said Hello
 * before would go on working on the other kassads until it disconnects).
 *
 * Every [server] till_check_interval seconds (0: never) a sweep sends the READY sessions'
 * (till id, store id, kind), as Hello cached them, to PostgreSQL in one
 * prepared quick statement, TILL_SWEEP_CHUNK sessions at a time, and gets
 * back the ones the tills table no longer agrees with (inactive, another
 * store, another kind, gone). Their sessions are closed once their answers
 * are written, as till_sessions_close() does; the till must say Hello again,
 * which refuses an inactive till and tells a moved one its new store.
 *
 * Bounds: one statement in flight at a time, and one sweep at a time (a
 * tick that finds one going does nothing). A sweep walks the sessions from
 * the newest down by session id: each chunk takes the next
 * TILL_SWEEP_CHUNK READY sessions below the last id sent, and its answer
 * sends the next chunk from a zero-delay event (on the loop, not nested),
 * so every session is checked once per sweep however many there are, and
 * sessions that connect during a sweep (which just said Hello) wait for
 * the next one. A failed statement ends the sweep (logged); the next tick
 * starts over.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "sqltext.h"
#include "till_admin.h"

#define TILL_SWEEP_CHUNK 500	/* sessions per statement */

/* A (till, store, kind) the tills table no longer has: from the answer. */
typedef struct TillStale {
	int64_t till_id;
	int64_t store_id;
	char kind[16];		/* Session.till_kind's size */
	int closed;		/* sessions closed for it */
} TillStale;

static int st_sweep = -1;
static struct event *tick_ev;	/* owned: the persistent timer */
static struct event *next_ev;	/* owned: the next chunk of a sweep */
static bool sweeping;		/* a sweep is going on (a statement in flight or next_ev) */
static uint64_t below;		/* the sweep's next chunk: sessions with ids below this */
static bool last_chunk;		/* the chunk in flight is the sweep's last */

static void till_sweep_tick_cb(evutil_socket_t fd, short what, void *arg);
static void till_sweep_next_cb(evutil_socket_t fd, short what, void *arg);

void till_sweep_setup(void)
{
	struct timeval every = { cf_till_check_interval, 0 };

	/* $1 till ids, $2 store ids, $3 kinds: the sessions' Hello, one element each */
	st_sweep = db_stmt_add("till_sweep",
		"SELECT s.till_id, s.store_id, s.kind"
		" FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS s(till_id, store_id, kind)"
		" WHERE NOT EXISTS (SELECT 1 FROM tills t WHERE t.till_id = s.till_id"
		" AND t.active AND t.store_id = s.store_id AND t.kind = s.kind)", DB_LANE_QUICK);
	if (cf_till_check_interval <= 0)
		return;		/* only the kassad answering TillPut closes the till's sessions */
	tick_ev = event_new(g_base, -1, EV_PERSIST, till_sweep_tick_cb, NULL);
	next_ev = evtimer_new(g_base, till_sweep_next_cb, NULL);
	if (tick_ev == NULL || next_ev == NULL || event_add(tick_ev, &every) != 0)
		die("could not arm the tills' sweep timer");
}

static bool till_sweep_is_candidate(const Session *s)
{
	return s->state == SESS_READY && s->till_id > 0;
}

static int till_stale_cmp(const void *a, const void *b)
{
	const TillStale *x = a, *y = b;

	if (x->till_id != y->till_id)
		return x->till_id < y->till_id ? -1 : 1;
	if (x->store_id != y->store_id)
		return x->store_id < y->store_id ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* Close the READY sessions whose Hello matches one of the n (sorted) stale rows. */
static void till_sweep_close(TillStale *stale, int n)
{
	Session *s = (Session *)session_first(), *next;
	TillStale key, *hit;

	for (; s != NULL; s = next) {
		next = s->next;	/* session_close_after_write() may unlink s */
		if (!till_sweep_is_candidate(s))
			continue;
		memset(&key, 0, sizeof(key));
		key.till_id = s->till_id;
		key.store_id = s->store_id;
		snprintf(key.kind, sizeof(key.kind), "%s", s->till_kind);
		hit = bsearch(&key, stale, (size_t)n, sizeof(*stale), till_stale_cmp);
		if (hit == NULL)
			continue;
		session_close_after_write(s, "till deactivated, moved or changed (seen by the "
					  "tills' sweep)");
		hit->closed++;
	}
	for (int i = 0; i < n; i++)
		if (stale[i].closed > 0)
			log_info("till %lld: %d session(s) closed: no longer active in store %lld "
				 "as a %s (TillPut, seen by the tills' sweep)",
				 (long long)stale[i].till_id, stale[i].closed,
				 (long long)stale[i].store_id, stale[i].kind);
}

/* The chunk's stale rows, sorted and without repeats; NULL (n 0) for none. */
static TillStale *till_sweep_rows(const PGresult *res, int *n)
{
	int rows = PQntuples(res), k = 0;
	TillStale *v;

	*n = 0;
	if (rows == 0)
		return NULL;
	v = xcalloc((size_t)rows, sizeof(*v));
	for (int i = 0; i < rows; i++) {
		v[i].till_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		v[i].store_id = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		snprintf(v[i].kind, sizeof(v[i].kind), "%s", PQgetvalue(res, i, 2));
	}
	qsort(v, (size_t)rows, sizeof(*v), till_stale_cmp);
	for (int i = 0; i < rows; i++)
		if (k == 0 || till_stale_cmp(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	*n = k;
	return v;
}

static void till_sweep_end(void)
{
	sweeping = false;
}

static void till_sweep_cb(void *arg, DbStatus st, const PGresult *res)
{
	struct timeval now = { 0, 0 };
	TillStale *stale;
	int n;

	(void)arg;
	if (st != DB_OK) {
		if (st == DB_SQL_ERROR)
			log_warn("tills' sweep: could not check the sessions' tills: %s",
				 db_errmsg(res));
		else
			log_debug("tills' sweep: database unavailable; next tick");
		till_sweep_end();
		return;
	}
	stale = till_sweep_rows(res, &n);
	if (n > 0)
		till_sweep_close(stale, n);
	free(stale);
	if (last_chunk || g_shutting_down) {
		till_sweep_end();
		return;
	}
	if (evtimer_add(next_ev, &now) != 0) {
		log_warn("tills' sweep: could not schedule its next chunk; next tick");
		till_sweep_end();
	}
}

/*
 * Send the next chunk: up to TILL_SWEEP_CHUNK READY sessions with ids
 * below `below` (the list runs from the newest session down). False if
 * there was none left to send.
 */
static bool till_sweep_send(void)
{
	SqlText tills = SQLTEXT_INIT, stores = SQLTEXT_INIT, kinds = SQLTEXT_INIT;
	const Session *s;
	int n = 0;

	sqltext_open(&tills);
	sqltext_open(&stores);
	sqltext_open(&kinds);
	for (s = session_first(); s != NULL && n < TILL_SWEEP_CHUNK; s = s->next) {
		if (s->id >= below || !till_sweep_is_candidate(s))
			continue;
		sqltext_elem_int(&tills, s->till_id);
		sqltext_elem_int(&stores, s->store_id);
		sqltext_elem_str(&kinds, s->till_kind);
		below = s->id;
		n++;
	}
	sqltext_close(&tills);
	sqltext_close(&stores);
	sqltext_close(&kinds);
	if (n > 0) {
		const char *params[3] = { sqltext_str(&tills), sqltext_str(&stores),
					  sqltext_str(&kinds) };

		last_chunk = n < TILL_SWEEP_CHUNK;
		db_query(st_sweep, 3, params, till_sweep_cb, NULL);
	}
	sqltext_free(&tills);
	sqltext_free(&stores);
	sqltext_free(&kinds);
	return n > 0;
}

static void till_sweep_next_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down || !till_sweep_send())
		till_sweep_end();
}

static void till_sweep_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (g_shutting_down || sweeping)
		return;		/* the sweep going on goes on to its end by itself */
	below = UINT64_MAX;
	sweeping = till_sweep_send();
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * db.c: the asynchronous libpq pool (see db.h for the contract).
 *
 * Each DbConn walks DC_DOWN -> DC_CONNECTING -> DC_SETUP -> DC_IDLE <->
 * DC_BUSY. Its socket is watched with one event that is re-assigned on every
 * wait, because libpq may change the socket while connecting. Idle
 * connections are watched for reading too, so a server that goes away is
 * noticed at once instead of on the next query. Queries wait in one FIFO;
 * a query is handed to a connection only when it is idle, so there is never
 * more than one in flight per connection.
 *
 * Callbacks that must fire "later" (failures detected inside db_query) go
 * through a done list drained by one deferred event, so a caller never sees
 * its callback before db_query has returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "db.h"
#include "log.h"
#include "core.h"

#define DB_MAX_STMTS 64
#define DB_BACKOFF_MIN_MS 100
#define DB_BACKOFF_MAX_MS 5000
#define DB_CONNECT_TIMEOUT_S 10

typedef enum DbConnState {
	DC_DOWN = 0,	/* no connection; a back-off timer will start one */
	DC_CONNECTING,	/* PQconnectPoll in progress */
	DC_SETUP,	/* running session settings and PREPAREs */
	DC_IDLE,	/* ready for a query */
	DC_BUSY,	/* one query in flight */
} DbConnState;

typedef struct DbQuery {
	int stmt;			/* registered statement id */
	int n;				/* parameter count */
	const char *values[DB_MAX_PARAMS]; /* point into buf, or NULL */
	char *buf;			/* owned: all parameter strings */
	DbCallback cb;
	void *arg;			/* borrowed, handed back to cb */
	DbStatus fail;			/* for the done list: status to report */
	int64_t enq_us;			/* when it was queued */
	struct DbQuery *next;
} DbQuery;

typedef struct DbConn {
	int idx;			/* for log lines */
	DbConnState state;
	PGconn *pg;			/* owned */
	struct event *ev;		/* owned: socket readiness */
	struct event *timer;		/* owned: reconnect back-off */
	int backoff_ms;
	int setup_step;			/* 0 = settings, 1.. = PREPARE stmt step-1 */
	DbQuery *q;			/* owned: the query in flight */
	PGresult *res;			/* owned: the result to report */
	bool res_is_error;
	event_callback_fn wait_fn;	/* what ev was last assigned: see conn_wait() */
	short wait_what;
	evutil_socket_t wait_fd;
} DbConn;

typedef struct DbStmt {
	const char *name;		/* borrowed (static strings) */
	const char *sql;
	DbLane lane;
} DbStmt;

typedef struct DbQueue {
	DbQuery *head, *tail;		/* owned queries, oldest first */
} DbQueue;

static DbStmt stmts[DB_MAX_STMTS];
static int nstmts;
static DbConn *conns;			/* owned array of cf_db_pool_size */
static int nconns;
static DbQueue queues[2];		/* by DbLane */
static int queue_len;			/* in both queues */
static int in_flight;
static int work_in_flight;		/* DB_LANE_WORK queries on connections */
static int work_max;			/* ... at most this many */
static DbQuery *done_head, *done_tail;	/* failures waiting for their callback */
static struct event *done_ev;		/* owned */
static struct event *janitor_ev;	/* owned: queue deadlines */
static bool db_down;			/* last attempt failed and nothing is ready */
static bool db_closing;

static void conn_start(DbConn *c);
static void conn_wait(DbConn *c, short what, event_callback_fn fn);
static void conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void pump(void);

int db_stmt_add(const char *name, const char *sql, DbLane lane)
{
	if (nstmts >= DB_MAX_STMTS)
		die("too many prepared statements");
	stmts[nstmts].name = name;
	stmts[nstmts].sql = sql;
	stmts[nstmts].lane = lane;
	return nstmts++;
}

static void queue_push(DbQueue *qu, DbQuery *q)
{
	q->next = NULL;
	if (qu->tail)
		qu->tail->next = q;
	else
		qu->head = q;
	qu->tail = q;
	queue_len++;
}

static DbQuery *queue_pop(DbQueue *qu)
{
	DbQuery *q = qu->head;

	if (q == NULL)
		return NULL;
	qu->head = q->next;
	if (qu->head == NULL)
		qu->tail = NULL;
	q->next = NULL;
	queue_len--;
	return q;
}

static bool is_work(const DbQuery *q)
{
	return stmts[q->stmt].lane == DB_LANE_WORK;
}

const char *db_sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return s ? s : "";
}

const char *db_errmsg(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	return s ? s : "";
}

const char *db_constraint(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	return s ? s : "";
}

int db_busy(void)
{
	return queue_len + in_flight;
}

int db_ready_count(void)
{
	int n = 0;

	for (int i = 0; i < nconns; i++)
		if (conns[i].state == DC_IDLE || conns[i].state == DC_BUSY)
			n++;
	return n;
}

static void query_free(DbQuery *q)
{
	if (q == NULL)
		return;
	free(q->buf);
	free(q);
}

/* Report a failure to q's owner from the done event, never inline. */
static void fail_later(DbQuery *q, DbStatus st)
{
	q->fail = st;
	q->next = NULL;
	if (done_tail)
		done_tail->next = q;
	else
		done_head = q;
	done_tail = q;
	event_active(done_ev, EV_TIMEOUT, 0);
}

static void done_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	while (done_head) {
		DbQuery *q = done_head;

		done_head = q->next;
		if (done_head == NULL)
			done_tail = NULL;
		q->cb(q->arg, q->fail, NULL);
		query_free(q);
	}
}

static void queue_fail_all(DbStatus st)
{
	DbQuery *q;

	for (int lane = 0; lane < 2; lane++)
		while ((q = queue_pop(&queues[lane])) != NULL)
			fail_later(q, st);
}

/* Drop the connection, fail its query, and schedule a reconnect. */
static void conn_broken(DbConn *c, const char *why)
{
	DbQuery *q = c->q;

	if (!db_closing && (c->state == DC_IDLE || c->state == DC_BUSY || c->state == DC_SETUP))
		log_warn("database connection %d lost: %s", c->idx, why);
	else if (!db_closing)
		log_debug("database connection %d could not connect: %s", c->idx, why);
	event_del(c->ev);
	c->wait_fn = NULL;
	if (c->res) {
		PQclear(c->res);
		c->res = NULL;
	}
	if (c->pg) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->q = NULL;
	c->state = DC_DOWN;
	if (q) {
		/* deferred: we may be inside db_query() (a send that failed at once) */
		in_flight--;
		work_in_flight -= is_work(q);
		fail_later(q, DB_UNAVAILABLE);
	}
	if (db_ready_count() == 0) {
		db_down = true;
		queue_fail_all(DB_UNAVAILABLE);
	}
	if (db_closing)
		return;
	struct timeval tv = { c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000 };
	evtimer_del(c->timer);
	evtimer_add(c->timer, &tv);
	c->backoff_ms = c->backoff_ms * 2 > DB_BACKOFF_MAX_MS ? DB_BACKOFF_MAX_MS : c->backoff_ms * 2;
	/* a lost work query freed a work slot: queued work may go to the others */
	pump();
}

static void notice_cb(void *arg, const PGresult *res)
{
	(void)arg;
	log_debug("database notice: %s", PQresultErrorMessage(res));
}

static void flush_then_read(DbConn *c);

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *c = arg;

	(void)fd;
	if ((what & EV_READ) && !PQconsumeInput(c->pg)) {
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	flush_then_read(c);
}

/* After a send: flush as the libpq docs describe for non-blocking mode. */
static void flush_then_read(DbConn *c)
{
	int r = PQflush(c->pg);

	if (r == 0)
		conn_wait(c, EV_READ, conn_read_cb);
	else if (r == 1)
		conn_wait(c, EV_READ | EV_WRITE, flush_cb);
	else
		conn_broken(c, PQerrorMessage(c->pg));
}

/*
 * Wait for what on the connection's current socket. Re-registering costs two
 * epoll_ctl calls, and most waits repeat the last one (read, same callback),
 * so an identical pending wait is left alone.
 */
static void conn_wait(DbConn *c, short what, event_callback_fn fn)
{
	evutil_socket_t fd = PQsocket(c->pg);

	/*
	 * Only an established connection keeps its socket: while connecting,
	 * libpq may close it and open another that gets the same number (a host
	 * list, an SSL fallback), which epoll has forgotten; re-register always.
	 */
	if (c->state >= DC_SETUP && c->wait_fn == fn && c->wait_what == what &&
	    c->wait_fd == fd && event_pending(c->ev, EV_READ | EV_WRITE, NULL))
		return;
	event_del(c->ev);
	/* persistent: every callback re-reads libpq's state, so extra wake-ups are harmless */
	event_assign(c->ev, g_base, fd, what | EV_PERSIST, fn, c);
	event_add(c->ev, NULL);
	c->wait_fn = fn;
	c->wait_what = what;
	c->wait_fd = fd;
}

/* Send the next setup step: session settings, then one PREPARE each. */
static void setup_next(DbConn *c)
{
	int ok;

	if (c->setup_step == 0) {
		char sql[256];

		/* current_date in SQL is the business day kassad also prices with */
		snprintf(sql, sizeof(sql),
			 "SET statement_timeout = %d; SET application_name = 'kassad'%s%s%s",
			 cf_db_query_timeout_ms, *cf_timezone ? "; SET TimeZone = '" : "",
			 cf_timezone, *cf_timezone ? "'" : "");
		ok = PQsendQuery(c->pg, sql);
	} else if (c->setup_step <= nstmts) {
		DbStmt *st = &stmts[c->setup_step - 1];

		ok = PQsendPrepare(c->pg, st->name, st->sql, 0, NULL);
	} else {
		bool was_down = db_down;

		c->state = DC_IDLE;
		evtimer_del(c->timer);
		c->backoff_ms = DB_BACKOFF_MIN_MS;
		db_down = false;
		if (was_down)
			log_info("database connection %d is back", c->idx);
		else
			log_debug("database connection %d ready", c->idx);
		conn_wait(c, EV_READ, conn_read_cb);
		pump();
		return;
	}
	if (!ok) {
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	flush_then_read(c);
}

static void connect_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *c = arg;

	(void)fd;
	(void)what;
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		conn_wait(c, EV_READ, connect_cb);
		break;
	case PGRES_POLLING_WRITING:
		conn_wait(c, EV_WRITE, connect_cb);
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(c->pg, 1) != 0) {
			conn_broken(c, "could not set non-blocking mode");
			return;
		}
		PQsetNoticeReceiver(c->pg, notice_cb, NULL);
		c->state = DC_SETUP;
		c->setup_step = 0;
		setup_next(c);
		break;
	default:
		conn_broken(c, PQerrorMessage(c->pg));
		break;
	}
}

static void conn_start(DbConn *c)
{
	if (db_closing)
		return;
	c->pg = PQconnectStart(cf_db_conninfo);
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
		c->state = DC_CONNECTING;	/* so conn_broken logs once */
		conn_broken(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	c->state = DC_CONNECTING;
	conn_wait(c, EV_WRITE, connect_cb);
	/* the async API ignores connect_timeout: bound connect and setup ourselves */
	struct timeval tv = { DB_CONNECT_TIMEOUT_S, 0 };
	evtimer_add(c->timer, &tv);
}

/* The connection's timer: back-off over (start again) or connecting took too long. */
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == DC_DOWN)
		conn_start(c);
	else if (c->state == DC_CONNECTING || c->state == DC_SETUP)
		conn_broken(c, "connecting took too long");
}

/* A result set is complete: finish a setup step or report the query. */
static void conn_complete(DbConn *c)
{
	PGresult *res = c->res;
	bool is_err = c->res_is_error;

	c->res = NULL;
	c->res_is_error = false;
	if (c->state == DC_SETUP) {
		if (is_err || res == NULL) {
			log_error("could not prepare database connection %d: %s", c->idx,
				  res ? PQresultErrorMessage(res) : "no result");
			PQclear(res);
			conn_broken(c, "setup failed");
			return;
		}
		PQclear(res);
		c->setup_step++;
		setup_next(c);
		return;
	}

	DbQuery *q = c->q;

	c->q = NULL;
	c->state = DC_IDLE;
	in_flight--;
	work_in_flight -= q && is_work(q);
	conn_wait(c, EV_READ, conn_read_cb);
	if (q) {
		q->cb(q->arg, is_err ? DB_SQL_ERROR : DB_OK, res);
		query_free(q);
	}
	PQclear(res);
	pump();
}

/*
 * Readable: consume input and collect results until libpq says the command
 * is finished (PQgetResult returns NULL). The result we report is the first
 * error, else the last result.
 */
static void conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *c = arg;

	(void)fd;
	(void)what;
	if (!PQconsumeInput(c->pg)) {
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	for (PGnotify *n; (n = PQnotifies(c->pg)) != NULL;)
		PQfreemem(n);
	if (c->state == DC_IDLE) {
		/* nothing was asked: EOF or an error report means the server left */
		if (PQstatus(c->pg) == CONNECTION_BAD) {
			conn_broken(c, "server closed the connection");
			return;
		}
		PGresult *stray;
		while (!PQisBusy(c->pg) && (stray = PQgetResult(c->pg)) != NULL) {
			PQclear(stray);
			if (PQstatus(c->pg) == CONNECTION_BAD)
				break;
		}
		if (PQstatus(c->pg) == CONNECTION_BAD)
			conn_broken(c, "server closed the connection");
		return;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *res = PQgetResult(c->pg);

		if (res == NULL) {
			if (PQstatus(c->pg) == CONNECTION_BAD) {
				conn_broken(c, PQerrorMessage(c->pg));
				return;
			}
			conn_complete(c);
			return;
		}
		ExecStatusType st = PQresultStatus(res);
		bool is_err = !(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);

		if (c->res == NULL || (is_err && !c->res_is_error)) {
			PQclear(c->res);
			c->res = res;
			c->res_is_error = is_err;
		} else if (!c->res_is_error) {
			PQclear(c->res);
			c->res = res;
		} else {
			PQclear(res);
		}
		/* A FATAL from the server (shutdown) is followed by EOF. */
		if (is_err && PQstatus(c->pg) == CONNECTION_BAD) {
			conn_broken(c, PQerrorMessage(c->pg));
			return;
		}
	}
	conn_wait(c, EV_READ, conn_read_cb);
}

static void conn_send(DbConn *c, DbQuery *q)
{
	DbStmt *st = &stmts[q->stmt];

	c->q = q;
	c->state = DC_BUSY;
	in_flight++;
	work_in_flight += is_work(q);
	if (!PQsendQueryPrepared(c->pg, st->name, q->n, q->values, NULL, NULL, 0)) {
		/* nothing reached the server: safe to report unavailable */
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	flush_then_read(c);
}

/* Hand queued queries to idle connections: quick ones first. */
static void pump(void)
{
	for (int i = 0; i < nconns && queue_len > 0; i++) {
		DbConn *c = &conns[i];
		DbQuery *q;

		if (c->state != DC_IDLE)
			continue;
		q = queue_pop(&queues[DB_LANE_QUICK]);
		if (q == NULL && work_in_flight < work_max)
			q = queue_pop(&queues[DB_LANE_WORK]);
		if (q == NULL)
			return;
		conn_send(c, q);
	}
}

void db_query(int stmt, int n, const char *const *values, DbCallback cb, void *arg)
{
	DbQuery *q = xcalloc(1, sizeof(*q));
	size_t total = 0;

	if (n > DB_MAX_PARAMS || stmt < 0 || stmt >= nstmts)
		die("db_query: bad statement %d or %d parameters", stmt, n);
	q->stmt = stmt;
	q->n = n;
	q->cb = cb;
	q->arg = arg;
	q->enq_us = now_usec();
	for (int i = 0; i < n; i++)
		if (values[i])
			total += strlen(values[i]) + 1;
	q->buf = xmalloc(total ? total : 1);
	char *p = q->buf;
	for (int i = 0; i < n; i++) {
		if (values[i] == NULL)
			continue;
		size_t len = strlen(values[i]) + 1;

		memcpy(p, values[i], len);
		q->values[i] = p;
		p += len;
	}

	if (db_closing || (db_down && db_ready_count() == 0)) {
		fail_later(q, DB_UNAVAILABLE);
		return;
	}
	if (queue_len >= cf_db_queue_max) {
		fail_later(q, DB_OVERLOADED);
		return;
	}
	queue_push(&queues[stmts[stmt].lane], q);
	pump();
}

/* Fail queued queries that waited longer than the query timeout. */
static void janitor_cb(evutil_socket_t fd, short what, void *arg)
{
	int64_t limit = now_usec() - (int64_t)cf_db_query_timeout_ms * 1000;

	(void)fd;
	(void)what;
	(void)arg;
	for (int lane = 0; lane < 2; lane++)
		while (queues[lane].head && queues[lane].head->enq_us < limit)
			fail_later(queue_pop(&queues[lane]), DB_TIMEOUT);
}

bool db_setup(void)
{
	struct timeval tick = { 0, 100 * 1000 };

	nconns = cf_db_pool_size;
	work_max = nconns > 1 ? nconns - (nconns / 4 > 0 ? nconns / 4 : 1) : 1;
	conns = xcalloc((size_t)nconns, sizeof(*conns));
	done_ev = event_new(g_base, -1, 0, done_cb, NULL);
	janitor_ev = event_new(g_base, -1, EV_PERSIST, janitor_cb, NULL);
	if (done_ev == NULL || janitor_ev == NULL)
		return false;
	event_add(janitor_ev, &tick);
	for (int i = 0; i < nconns; i++) {
		DbConn *c = &conns[i];

		c->idx = i;
		c->backoff_ms = DB_BACKOFF_MIN_MS;
		c->ev = event_new(g_base, -1, 0, conn_read_cb, c);
		c->timer = evtimer_new(g_base, conn_timer_cb, c);
		if (c->ev == NULL || c->timer == NULL)
			return false;
		conn_start(c);
	}
	return true;
}

void db_shutdown(void)
{
	db_closing = true;
	for (int i = 0; i < nconns; i++) {
		DbConn *c = &conns[i];

		evtimer_del(c->timer);
		conn_broken(c, "shutdown");
		event_free(c->ev);
		event_free(c->timer);
	}
	queue_fail_all(DB_UNAVAILABLE);
	done_cb(-1, 0, NULL);
	free(conns);
	conns = NULL;
	nconns = 0;
	if (janitor_ev)
		event_free(janitor_ev);
	if (done_ev)
		event_free(done_ev);
	janitor_ev = done_ev = NULL;
}

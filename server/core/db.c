/* SPDX-License-Identifier: Apache-2.0 */
/*
 * db.c: the asynchronous libpq pool (see db.h for the contract).
 *
 * Each DbConn walks DC_DOWN -> [DC_RESOLVING ->] DC_CONNECTING -> DC_SETUP
 * -> DC_IDLE <-> DC_BUSY, and back to DC_DOWN from any state when it
 * breaks. One timer per connection bounds every state but DC_IDLE: the
 * back-off in DC_DOWN, DB_CONNECT_TIMEOUT_S for resolving, connecting and
 * preparing together, and the query deadline in DC_BUSY (statement timeout
 * plus DB_DEADLINE_GRACE_MS). A deadline resets the connection: PQfinish on
 * a non-blocking connection does not wait, while PQcancel would block the
 * loop on a connect to the server; the stuck backend finds its client gone
 * when it runs again (a sale it commits meanwhile is found by the till's
 * retry through the idempotency key).
 *
 * DC_RESOLVING exists only when the conninfo names a host (host=db): libpq
 * would resolve it with a blocking getaddrinfo(), so the names are looked
 * up with evdns_getaddrinfo() (resolv.conf and /etc/hosts) and handed to
 * libpq as hostaddr= next to host= (dbhost.c builds the parameters).
 *
 * Its socket is watched with one event that is re-assigned on every
 * wait, because libpq may change the socket while connecting. Idle
 * connections are watched for reading too, so a server that goes away is
 * noticed at once instead of on the next query. Queries wait in one FIFO;
 * a query is handed to a connection only when it is idle, so there is never
 * more than one in flight per connection.
 *
 * A hung server (its processes stopped, a machine frozen) still has its
 * kernel acknowledge every byte, so only silence tells: the janitor calls a
 * pool stalled when the server has owed an answer for DB_LIVENESS_MS (a
 * query in flight, or a connection being set up) and nothing at
 * all has come back from it in that time; if an idle connection is left,
 * it first sends a probe (SELECT 1) there and waits DB_PROBE_MS for it, so
 * that one slow statement on a live server never counts. A stalled pool
 * fails its queue and every new query with DB_UNAVAILABLE at once, resets
 * its connections in flight (DB_NO_ANSWER: the till retries with the same
 * key), reports no ready connection (db_ready_count, so /readyz says 503)
 * and is live again with the first answer that comes, without a restart.
 * Reports (DB_LANE_REPORT statements on the work lane) may rightly run
 * long: they neither count as owed nor are reset, and keep their deadline.
 * TCP keepalives and tcp_user_timeout (DB_TCP_KEYS, before the conninfo's
 * own keys, which win) notice a lost network or a dead host.
 *
 * Callbacks that must fire "later" (failures detected inside db_query) go
 * through a done list drained by one deferred event, so a caller never sees
 * its callback before db_query has returned.
 *
 * Two pools: the primary's (conninfo, pool_size) runs every statement
 * unless [database] report_dsn is set; then a second pool of
 * report_pool_size connections to report_dsn (a streaming replica) runs
 * the statements registered with DB_LANE_REPORT and nothing else, with the
 * same machinery (states, deadlines, back-off, queue bound, off-loop name
 * resolution) and report_query_timeout_ms as its deadline. Each pool
 * prepares only its own statements, and the report pool's sessions are
 * read-only (default_transaction_read_only), so a report that tries to
 * write fails there as it would on a replica. A report statement never
 * falls back to the primary: when the report pool is down it fails with
 * DB_UNAVAILABLE, and db_callback_is_report() lets call_fail_db() say
 * that it is the report database that is missing. That is what keeps a
 * heavy report from ever taking the checkout's connections or CPU.
 *
 * db_report_freshness() answers from a cache that a timer refreshes every
 * DB_FRESH_INTERVAL_MS through the report pool (one small query, quick
 * lane): whether it is a replica, its last replayed commit and whether WAL
 * it received is still waiting to be replayed.
 *
 * Languages: db_query() notes the calling thread's locale, which is the
 * sending Call's (dispatch and call_db_ok install it), and query_report()
 * runs the callback in that locale and then gives the thread back the
 * locale it had, so that _() in a callback answers in its own Call's
 * language, and a callback that sends another query or switches locale
 * (call_db_ok) leaves nothing behind for the next callback on the loop.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "db.h"
#include "dbhost.h"
#include "log.h"
#include "core.h"

#define DB_MAX_STMTS 256	/* every statement of every domain, reports included */
#define DB_BACKOFF_MIN_MS 100
#define DB_BACKOFF_MAX_MS 5000
#define DB_CONNECT_TIMEOUT_S 10	/* resolve + connect + prepare */
#define DB_DNS_TIMEOUT "2"		/* evdns: seconds per try ... */
#define DB_DNS_ATTEMPTS "2"		/* ... and tries, within DB_CONNECT_TIMEOUT_S */
#define DB_FRESH_INTERVAL_MS 2000	/* how often db_report_freshness()'s cache is refreshed */
#define DB_LIVENESS_MS 800	/* owed an answer this long, none at all came: suspect a hang */
#define DB_PROBE_MS 300		/* ... and a probe on an idle connection unanswered: stalled */
/* TCP liveness for every connection; keys the conninfo sets itself take precedence */
#define DB_TCP_KEYS { "keepalives", "keepalives_idle", "keepalives_interval", \
		      "keepalives_count", "tcp_user_timeout" }
#define DB_TCP_VALS { "1", "5", "2", "3", "10000" }
#define DB_TCP_NKEYS 5

typedef enum DbConnState {
	DC_DOWN = 0,	/* no connection; a back-off timer will start one */
	DC_RESOLVING,	/* looking up the conninfo's host names (evdns) */
	DC_CONNECTING,	/* PQconnectPoll in progress */
	DC_SETUP,	/* running session settings and PREPAREs */
	DC_IDLE,	/* ready for a query */
	DC_BUSY,	/* one query in flight */
} DbConnState;

struct DbPool;

typedef struct DbQuery {
	struct DbPool *pool;		/* borrowed: the pool it runs on */
	int stmt;			/* registered statement id */
	int n;				/* parameter count */
	const char *values[DB_MAX_PARAMS]; /* point into buf, or NULL */
	char *buf;			/* owned: all parameter strings */
	DbCallback cb;
	void *arg;			/* borrowed, handed back to cb */
	locale_t locale;		/* borrowed: the sender's (uselocale), cb runs in it */
	DbStatus fail;			/* for the done list: status to report */
	int64_t enq_us;			/* when it was queued */
	struct DbQuery *next;
} DbQuery;

struct DbConn;

/* One name being looked up for a connection (see conn_resolve). */
typedef struct DbLookup {
	struct DbConn *conn;		/* borrowed; NULL once abandoned: the answer is dropped */
	int host;			/* index in the host list */
	struct evdns_getaddrinfo_request *req; /* libevent's; NULL once answered */
} DbLookup;

typedef struct DbConn {
	struct DbPool *pool;		/* borrowed: the pool it belongs to */
	int idx;			/* for log lines */
	DbConnState state;
	PGconn *pg;			/* owned */
	struct event *ev;		/* owned: socket readiness */
	struct event *timer;		/* owned: reconnect back-off */
	int backoff_ms;
	int setup_step;			/* 0 = settings, 1.. = PREPARE stmt step-1 */
	DbQuery *q;			/* owned: the query in flight */
	int64_t owed_us;		/* since when the server owes an answer; 0 = it does not */
	PGresult *res;			/* owned: the result to report */
	bool res_is_error;
	event_callback_fn wait_fn;	/* what ev was last assigned: see conn_wait() */
	short wait_what;
	evutil_socket_t wait_fd;
	DbLookup *lookups[DBHOST_MAX_HOSTS]; /* owned until answered (the answer frees) */
	int lookups_pending;		/* names not answered yet */
	bool lookups_issuing;		/* still sending them: an answer must not connect */
	DbAddrs addrs[DBHOST_MAX_HOSTS]; /* what each name resolved to */
} DbConn;

typedef struct DbStmt {
	const char *name;		/* borrowed (static strings) */
	const char *sql;
	DbLane lane;			/* QUICK or WORK: the lane on its pool */
	bool report;			/* registered as DB_LANE_REPORT */
} DbStmt;

typedef struct DbQueue {
	DbQuery *head, *tail;		/* owned queries, oldest first */
} DbQueue;

/* One pool of connections to one server (the primary, or report_dsn's). */
typedef struct DbPool {
	const char *name;		/* "database" or "report database", for log lines */
	const char *conninfo;		/* borrowed: cf_db_conninfo or cf_db_report_dsn */
	const char *conninfo_key;	/* its [database] key, for log lines */
	bool is_report;			/* runs the DB_LANE_REPORT statements, read-only */
	int timeout_ms;			/* statement_timeout, and the longest wait in the queue */
	DbConn *conns;			/* owned array of nconns */
	int nconns;
	DbQueue queues[2];		/* by DbLane (QUICK, WORK) */
	int queue_len;			/* in both queues */
	int in_flight;
	int work_in_flight;		/* DB_LANE_WORK queries on connections */
	int work_max;			/* ... at most this many */
	bool down;			/* last attempt failed and nothing is ready */
	bool said_down;			/* "could not connect" logged (once until one is back) */
	int64_t lost;			/* connections lost once up (each reconnects): metrics */
	DbHosts *hosts;			/* owned: the conninfo's host list */
	struct evdns_base *dns;		/* owned; only when hosts->any_name */
	bool dns_failing[DBHOST_MAX_HOSTS]; /* a name's last lookup failed (log once) */
	int64_t answer_us;		/* when the server last answered anything (now_usec) */
	bool stalled;			/* hung: owed answers, none came (see pool_liveness) */
	bool probing;			/* a liveness probe is in flight ... */
	int64_t probe_us;		/* ... sent then */
	int probe_stmt;			/* the probe's statement (SELECT 1) on this pool */
} DbPool;

/* What db_report_freshness() answers from (see fresh_cb). */
typedef struct DbFreshness {
	bool known;			/* one answer has come */
	bool in_recovery;		/* the report server is a replica */
	bool behind;			/* WAL received but not replayed, or not streaming */
	bool has_replay;		/* replay_us is set (a commit was replayed) */
	int64_t replay_us;		/* last replayed commit, Unix microseconds */
	int64_t now_us;			/* the report server's clock when asked, Unix us */
	int64_t at_us;			/* when the answer came (now_usec, monotonic) */
	bool asking;			/* a refresh is in flight */
	bool refused;			/* the query failed with an error (logged once) */
} DbFreshness;

static DbStmt stmts[DB_MAX_STMTS];
static int nstmts;
static DbPool primary = { .name = "database", .conninfo_key = "conninfo" };
static DbPool report = { .name = "report database", .conninfo_key = "report_dsn",
			 .is_report = true };
static bool report_on;			/* report_dsn is set: the report pool runs */
static bool in_report_cb;		/* a report pool query's callback is running */
static DbQuery *done_head, *done_tail;	/* failures waiting for their callback */
static struct event *done_ev;		/* owned */
static struct event *janitor_ev;	/* owned: queue deadlines */
static bool db_closing;
static int lookups_abandoned;		/* cancelled lookups whose answer is still due */
static int fresh_stmt = -1;		/* the freshness query (report pool only) */
static struct event *fresh_ev;		/* owned: its timer */
static DbFreshness fresh;

static void conn_start(DbConn *c);
static MUSTCHECK bool conn_wait(DbConn *c, short what, event_callback_fn fn);
static void conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void pump(DbPool *p);

int db_stmt_add(const char *name, const char *sql, DbLane lane)
{
	/* only the *_setup() functions call this, before the loop: die() is for start-up */
	if (nstmts >= DB_MAX_STMTS)
		die("too many prepared statements");
	stmts[nstmts].name = name;
	stmts[nstmts].sql = sql;
	/* a report statement is work: on the report pool, or on the primary without one */
	stmts[nstmts].lane = lane == DB_LANE_REPORT ? DB_LANE_WORK : lane;
	stmts[nstmts].report = lane == DB_LANE_REPORT;
	return nstmts++;
}

/* The pool statement i runs on (and is prepared on). */
static DbPool *stmt_pool(int i)
{
	return stmts[i].report && report_on ? &report : &primary;
}

static void queue_push(DbPool *p, DbQueue *qu, DbQuery *q)
{
	q->next = NULL;
	if (qu->tail)
		qu->tail->next = q;
	else
		qu->head = q;
	qu->tail = q;
	p->queue_len++;
}

static DbQuery *queue_pop(DbPool *p, DbQueue *qu)
{
	DbQuery *q = qu->head;

	if (q == NULL)
		return NULL;
	qu->head = q->next;
	if (qu->head == NULL)
		qu->tail = NULL;
	q->next = NULL;
	p->queue_len--;
	return q;
}

static bool is_work(const DbQuery *q)
{
	return stmts[q->stmt].lane == DB_LANE_WORK;
}

/* A report may run for long on a live server: liveness looks past it. */
static bool is_long_report(const DbQuery *q)
{
	return stmts[q->stmt].report && stmts[q->stmt].lane == DB_LANE_WORK;
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
	return primary.queue_len + primary.in_flight + report.queue_len + report.in_flight;
}

static int pool_ready_count(const DbPool *p)
{
	int n = 0;

	for (int i = 0; i < p->nconns; i++)
		if (p->conns[i].state == DC_IDLE || p->conns[i].state == DC_BUSY)
			n++;
	return n;
}

int db_ready_count(void)
{
	/* a stalled pool's connections are up but nothing answers on them */
	return primary.stalled ? 0 : pool_ready_count(&primary);
}

bool db_callback_is_report(void)
{
	return in_report_cb;
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

/*
 * Hand q's outcome to its callback in the locale q was sent in, then give
 * the thread back its own locale whatever the callback installed. While
 * it runs, db_callback_is_report() says whether q went to the report pool.
 */
static void query_report(DbQuery *q, DbStatus st, const PGresult *res)
{
	locale_t prev = uselocale(q->locale);
	bool was_report = in_report_cb;

	in_report_cb = q->pool != NULL && q->pool->is_report;
	q->cb(q->arg, st, res);
	in_report_cb = was_report;
	uselocale(prev);
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
		query_report(q, q->fail, NULL);
		query_free(q);
	}
}

static void queue_fail_all(DbPool *p, DbStatus st)
{
	DbQuery *q;

	for (int lane = 0; lane < 2; lane++)
		while ((q = queue_pop(p, &p->queues[lane])) != NULL)
			fail_later(q, st);
}

/*
 * Drop the lookups still running for c: their answers will only be freed.
 * evdns may run the callback inside evdns_getaddrinfo_cancel() or later,
 * so each DbLookup is let go before the cancel and never touched after.
 */
static void conn_abandon_lookups(DbConn *c)
{
	for (int i = 0; i < DBHOST_MAX_HOSTS; i++) {
		DbLookup *lk = c->lookups[i];

		if (lk == NULL)
			continue;
		c->lookups[i] = NULL;
		lk->conn = NULL;
		if (lk->req == NULL) {	/* cannot happen: an answered lookup has left the list */
			free(lk);
			continue;
		}
		lookups_abandoned++;
		evdns_getaddrinfo_cancel(lk->req);
	}
	c->lookups_pending = 0;
}

/* Arm c's timer for ms milliseconds; false (logged) if libevent refuses. */
static MUSTCHECK bool conn_timer_arm(DbConn *c, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_del(c->timer);
	if (evtimer_add(c->timer, &tv) != 0) {
		log_error("could not arm the timer of %s connection %d", c->pool->name, c->idx);
		return false;
	}
	return true;
}

/*
 * Drop the connection, fail its query with qst, and schedule a reconnect.
 * qst is DB_UNAVAILABLE when the server went away (or nothing was sent)
 * and DB_NO_ANSWER when kassad gave up waiting for an answer.
 */
static void conn_reset(DbConn *c, const char *why, DbStatus qst)
{
	DbPool *p = c->pool;
	DbQuery *q = c->q;

	if (!db_closing && (c->state == DC_IDLE || c->state == DC_BUSY || c->state == DC_SETUP)) {
		log_warn("%s connection %d lost: %s", p->name, c->idx, why);
		p->lost++;
	} else if (!db_closing && !p->said_down) {
		/* once per outage, at warn: the operator must see a dead report_dsn */
		log_warn("%s connection %d could not connect (%s): %s; retrying with back-off, "
			 "its requests fail meanwhile", p->name, c->idx, p->conninfo_key, why);
		p->said_down = true;
	} else if (!db_closing)
		log_debug("%s connection %d could not connect: %s", p->name, c->idx, why);
	conn_abandon_lookups(c);
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
	c->owed_us = 0;
	c->state = DC_DOWN;
	if (q) {
		/* deferred: we may be inside db_query() (a send that failed at once) */
		p->in_flight--;
		p->work_in_flight -= is_work(q);
		fail_later(q, qst);
	}
	if (pool_ready_count(p) == 0) {
		p->down = true;
		queue_fail_all(p, DB_UNAVAILABLE);
	}
	if (db_closing)
		return;
	if (!conn_timer_arm(c, c->backoff_ms))
		log_error("%s connection %d stays down", p->name, c->idx);
	c->backoff_ms = c->backoff_ms * 2 > DB_BACKOFF_MAX_MS ? DB_BACKOFF_MAX_MS : c->backoff_ms * 2;
	/* a lost work query freed a work slot: queued work may go to the others */
	pump(p);
}

static void conn_broken(DbConn *c, const char *why)
{
	conn_reset(c, why, DB_UNAVAILABLE);
}

/* The server answered something on one of p's connections: it is not hung. */
static void pool_answered(DbPool *p)
{
	p->answer_us = now_usec();
	if (!p->stalled)
		return;
	p->stalled = false;
	log_info("%s answers again; serving requests", p->name);
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
	bool more = r == 1;	/* libpq has more to send: wait for writable too */

	if (r < 0) {
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	/* on failure conn_wait() has broken the connection, so there is nothing left to do */
	if (!conn_wait(c, more ? EV_READ | EV_WRITE : EV_READ, more ? flush_cb : conn_read_cb))
		return;
}

/*
 * Wait for what on the connection's current socket. Re-registering costs two
 * epoll_ctl calls, and most waits repeat the last one (read, same callback),
 * so an identical pending wait is left alone. If libevent refuses the wait,
 * the connection is broken (its query failed) and false returned: the
 * caller must not use c's connection any more.
 */
static MUSTCHECK bool conn_wait(DbConn *c, short what, event_callback_fn fn)
{
	evutil_socket_t fd = PQsocket(c->pg);

	/*
	 * Only an established connection keeps its socket: while connecting,
	 * libpq may close it and open another that gets the same number (a host
	 * list, an SSL fallback), which epoll has forgotten; re-register always.
	 */
	if (c->state >= DC_SETUP && c->wait_fn == fn && c->wait_what == what &&
	    c->wait_fd == fd && event_pending(c->ev, EV_READ | EV_WRITE, NULL))
		return true;
	event_del(c->ev);
	c->wait_fn = NULL;
	/* persistent: every callback re-reads libpq's state, so extra wake-ups are harmless */
	if (fd < 0 || event_assign(c->ev, g_base, fd, what | EV_PERSIST, fn, c) != 0 ||
	    event_add(c->ev, NULL) != 0) {
		conn_broken(c, fd < 0 ? "the connection has no socket" : "could not watch its socket");
		return false;
	}
	c->wait_fn = fn;
	c->wait_what = what;
	c->wait_fd = fd;
	return true;
}

/* Send the next setup step: session settings, then one PREPARE each. */
static void setup_next(DbConn *c)
{
	DbPool *p = c->pool;
	int ok;

	/* each pool prepares only the statements that run on it */
	while (c->setup_step >= 1 && c->setup_step <= nstmts && stmt_pool(c->setup_step - 1) != p)
		c->setup_step++;
	if (c->setup_step == 0) {
		char sql[320];

		/* current_date in SQL is the business day kassad also prices with */
		/* application_name kassad/PID/CONNECTION tells an operator whose backend it is */
		/* a report session is read-only: a report that writes is a bug, refused here */
		snprintf(sql, sizeof(sql),
			 "SET statement_timeout = %d; SET application_name = 'kassad/%ld/%s%d'%s%s%s%s",
			 p->timeout_ms, (long)getpid(), p->is_report ? "report-" : "", c->idx,
			 p->is_report ? "; SET default_transaction_read_only = on" : "",
			 *cf_timezone ? "; SET TimeZone = '" : "", cf_timezone,
			 *cf_timezone ? "'" : "");
		ok = PQsendQuery(c->pg, sql);
	} else if (c->setup_step <= nstmts) {
		DbStmt *st = &stmts[c->setup_step - 1];

		ok = PQsendPrepare(c->pg, st->name, st->sql, 0, NULL);
	} else {
		bool was_down = p->down;

		c->state = DC_IDLE;
		c->owed_us = 0;
		evtimer_del(c->timer);
		c->backoff_ms = DB_BACKOFF_MIN_MS;
		p->down = false;
		if (was_down || p->said_down)
			log_info("%s connection %d is back", p->name, c->idx);
		else
			log_debug("%s connection %d ready", p->name, c->idx);
		p->said_down = false;
		if (conn_wait(c, EV_READ, conn_read_cb))
			pump(p);
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
		if (!conn_wait(c, EV_READ, connect_cb))
			return;
		break;
	case PGRES_POLLING_WRITING:
		if (!conn_wait(c, EV_WRITE, connect_cb))
			return;
		break;
	case PGRES_POLLING_OK:
		if (PQsetnonblocking(c->pg, 1) != 0) {
			conn_broken(c, "could not set non-blocking mode");
			return;
		}
		PQsetNoticeReceiver(c->pg, notice_cb, NULL);
		pool_answered(c->pool);
		c->state = DC_SETUP;
		c->setup_step = 0;
		setup_next(c);
		break;
	default:
		conn_broken(c, PQerrorMessage(c->pg));
		break;
	}
}

/*
 * Start libpq's connect: with p (resolved names) or the conninfo as it is
 * (expanded as dbname), after DB_TCP_KEYS so that the conninfo's own win.
 */
static void conn_connect(DbConn *c, const DbParams *p)
{
	static const char *const tcp_keys[] = DB_TCP_KEYS, *const tcp_vals[] = DB_TCP_VALS;
	size_t n = 0, k = 0;
	const char **keys, **vals;

	while (p && p->keys[n])
		n++;
	keys = xcalloc(n + DB_TCP_NKEYS + 2, sizeof(*keys));
	vals = xcalloc(n + DB_TCP_NKEYS + 2, sizeof(*vals));
	for (; k < DB_TCP_NKEYS; k++) {
		keys[k] = tcp_keys[k];
		vals[k] = tcp_vals[k];
	}
	for (size_t i = 0; i < n; i++, k++) {
		keys[k] = p->keys[i];
		vals[k] = p->vals[i];
	}
	if (p == NULL) {
		keys[k] = "dbname";
		vals[k] = c->pool->conninfo;
	}
	c->pg = PQconnectStartParams(keys, vals, p == NULL);
	free(keys);
	free(vals);
	c->state = DC_CONNECTING;	/* so conn_broken logs a failure once, at debug */
	c->owed_us = now_usec();	/* from now on the server owes the connection */
	if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
		conn_broken(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
		return;
	}
	if (!conn_wait(c, EV_WRITE, connect_cb))
		return;
}

/* Every name has answered: connect to what they resolved to. */
static void conn_resolved(DbConn *c)
{
	DbParams p;

	if (!dbhost_params(c->pool->hosts, c->addrs, &p)) {
		conn_broken(c, "no database host name could be resolved");
		return;
	}
	conn_connect(c, &p);
	dbhost_params_free(&p);
}

/* Keep the addresses res holds for host entry i of c (or log why none). */
static void lookup_store(DbConn *c, int i, int result, const struct evutil_addrinfo *res)
{
	DbPool *p = c->pool;
	DbAddrs *a = &c->addrs[i];
	const char *name = p->hosts->hosts[i];

	a->n = 0;
	for (; result == 0 && res && a->n < DBHOST_MAX_ADDRS; res = res->ai_next) {
		char buf[DBHOST_ADDR_LEN];
		const void *ip = res->ai_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)res->ai_addr)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
		bool seen = false;

		if ((res->ai_family != AF_INET && res->ai_family != AF_INET6) ||
		    evutil_inet_ntop(res->ai_family, ip, buf, sizeof(buf)) == NULL)
			continue;
		for (int j = 0; j < a->n; j++)
			seen |= strcmp(a->addr[j], buf) == 0;
		if (!seen)
			memcpy(a->addr[a->n++], buf, sizeof(buf));
	}
	if (a->n == 0) {
		if (!p->dns_failing[i])
			log_warn("could not resolve %s host \"%s\": %s", p->name, name,
				 result ? evutil_gai_strerror(result) : "no address");
		p->dns_failing[i] = true;
		return;
	}
	if (p->dns_failing[i])
		log_info("%s host \"%s\" resolves again", p->name, name);
	p->dns_failing[i] = false;
	log_debug("%s connection %d: host %s resolved to %s%s (hostaddr)", p->name, c->idx, name,
		  a->addr[0], a->n > 1 ? " and more" : "");
}

/* evdns answered one name (inside evdns_getaddrinfo(), cancel, or later). */
static void lookup_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	DbLookup *lk = arg;
	DbConn *c = lk->conn;

	if (c != NULL) {
		c->lookups[lk->host] = NULL;
		c->lookups_pending--;
		lookup_store(c, lk->host, result, res);
	} else {
		lookups_abandoned--;
	}
	if (res)
		evutil_freeaddrinfo(res);
	free(lk);
	if (c && c->state == DC_RESOLVING && !c->lookups_issuing && c->lookups_pending == 0)
		conn_resolved(c);
}

/* Look up every name of the host list; the last answer connects. */
static void conn_resolve(DbConn *c)
{
	const DbHosts *hosts = c->pool->hosts;
	struct evutil_addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	c->state = DC_RESOLVING;
	c->lookups_pending = 0;
	for (int i = 0; i < hosts->nhosts; i++) {
		c->addrs[i].n = 0;
		c->lookups_pending += hosts->is_name[i];
	}
	/* an answer may come inside evdns_getaddrinfo(): it must not connect yet */
	c->lookups_issuing = true;
	for (int i = 0; i < hosts->nhosts && c->state == DC_RESOLVING; i++) {
		DbLookup *lk;
		struct evdns_getaddrinfo_request *r;

		if (!hosts->is_name[i])
			continue;
		lk = xcalloc(1, sizeof(*lk));
		lk->conn = c;
		lk->host = i;
		c->lookups[i] = lk;
		r = evdns_getaddrinfo(c->pool->dns, hosts->hosts[i], NULL, &hints, lookup_cb, lk);
		if (r != NULL)
			lk->req = r;	/* not answered yet, so lk is still ours */
	}
	c->lookups_issuing = false;
	if (c->state == DC_RESOLVING && c->lookups_pending == 0)
		conn_resolved(c);
}

static void conn_start(DbConn *c)
{
	if (db_closing)
		return;
	/* the async API ignores connect_timeout: bound resolve, connect and setup ourselves */
	if (!conn_timer_arm(c, DB_CONNECT_TIMEOUT_S * 1000)) {
		c->state = DC_CONNECTING;
		conn_broken(c, "no deadline for connecting");
		return;
	}
	if (c->pool->hosts != NULL && c->pool->hosts->any_name)
		conn_resolve(c);
	else
		conn_connect(c, NULL);
}

/*
 * The connection's timer: back-off over (start again), resolving or
 * connecting took too long, or a query's answer is overdue (reset).
 */
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	DbConn *c = arg;
	char why[96];

	(void)fd;
	(void)what;
	switch (c->state) {
	case DC_DOWN:
		conn_start(c);
		break;
	case DC_RESOLVING:
	case DC_CONNECTING:
	case DC_SETUP:
		conn_broken(c, "connecting took too long");
		break;
	case DC_BUSY:
		snprintf(why, sizeof(why), "no answer within %d ms of sending a query; reset",
			 c->pool->timeout_ms + DB_DEADLINE_GRACE_MS);
		conn_reset(c, why, DB_NO_ANSWER);
		break;
	case DC_IDLE:
		break;
	}
}

/* A result set is complete: finish a setup step or report the query. */
static void conn_complete(DbConn *c)
{
	PGresult *res = c->res;
	bool is_err = c->res_is_error;

	c->res = NULL;
	c->res_is_error = false;
	pool_answered(c->pool);
	if (c->state == DC_SETUP) {
		if (is_err || res == NULL) {
			log_error("could not prepare %s connection %d: %s", c->pool->name, c->idx,
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

	DbPool *p = c->pool;

	c->q = NULL;
	c->owed_us = 0;
	c->state = DC_IDLE;
	evtimer_del(c->timer);	/* the query's deadline */
	p->in_flight--;
	p->work_in_flight -= q && is_work(q);
	/* if this fails the connection is reset (and the pool pumped), but res is good */
	bool watching = conn_wait(c, EV_READ, conn_read_cb);

	if (q) {
		query_report(q, is_err ? DB_SQL_ERROR : DB_OK, res);
		query_free(q);
	}
	PQclear(res);
	if (watching)
		pump(p);
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
	if (!conn_wait(c, EV_READ, conn_read_cb))
		return;	/* broken: the query has failed */
}

static void conn_send(DbConn *c, DbQuery *q)
{
	DbPool *p = c->pool;
	DbStmt *st = &stmts[q->stmt];

	c->q = q;
	c->state = DC_BUSY;
	c->owed_us = now_usec();
	p->in_flight++;
	p->work_in_flight += is_work(q);
	/* the server's statement_timeout should answer first; this is for a silent server */
	if (!conn_timer_arm(c, p->timeout_ms + DB_DEADLINE_GRACE_MS)) {
		conn_broken(c, "no deadline for a query");
		return;
	}
	if (!PQsendQueryPrepared(c->pg, st->name, q->n, q->values, NULL, NULL, 0)) {
		/* nothing reached the server: safe to report unavailable */
		conn_broken(c, PQerrorMessage(c->pg));
		return;
	}
	flush_then_read(c);
}

/* Hand p's queued queries to its idle connections: quick ones first. */
static void pump(DbPool *p)
{
	if (p->stalled)
		return;		/* it would wait on a server that does not answer */
	for (int i = 0; i < p->nconns && p->queue_len > 0; i++) {
		DbConn *c = &p->conns[i];
		DbQuery *q;

		if (c->state != DC_IDLE)
			continue;
		q = queue_pop(p, &p->queues[DB_LANE_QUICK]);
		if (q == NULL && p->work_in_flight < p->work_max)
			q = queue_pop(p, &p->queues[DB_LANE_WORK]);
		if (q == NULL)
			return;
		conn_send(c, q);
	}
}

void db_query(int stmt, int n, const char *const *values, DbCallback cb, void *arg)
{
	DbQuery *q = xcalloc(1, sizeof(*q));
	DbPool *pool;
	size_t total = 0;

	q->cb = cb;
	q->arg = arg;
	q->locale = uselocale((locale_t)0);	/* the current one; LC_GLOBAL_LOCALE if none */
	if (n < 0 || n > DB_MAX_PARAMS || stmt < 0 || stmt >= nstmts) {
		/* a programming error: fail this query (and its Call), keep serving */
		log_error("BUG: db_query: bad statement %d or %d parameters", stmt, n);
		fail_later(q, DB_INTERNAL);
		return;
	}
	pool = stmt_pool(stmt);
	q->pool = pool;
	q->stmt = stmt;
	q->n = n;
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

	/* a report never falls back to the primary: its pool down means unavailable */
	if (db_closing || pool->stalled || (pool->down && pool_ready_count(pool) == 0)) {
		fail_later(q, DB_UNAVAILABLE);
		return;
	}
	if (pool->queue_len >= cf_db_queue_max) {
		fail_later(q, DB_OVERLOADED);
		return;
	}
	queue_push(pool, &pool->queues[stmts[stmt].lane], q);
	pump(pool);
}

/* ---- liveness: a server that holds its connections but answers nothing ---- */

/* Since when p's server has owed an answer that matters (0 = nothing owed). */
static int64_t pool_owed_since(const DbPool *p)
{
	int64_t oldest = 0;

	for (int i = 0; i < p->nconns; i++) {
		const DbConn *c = &p->conns[i];
		/* a report may rightly run long; a name lookup is not the server's */
		bool owes = (c->state == DC_BUSY && c->q != NULL && !is_long_report(c->q)) ||
			    c->state == DC_CONNECTING || c->state == DC_SETUP;

		if (owes && c->owed_us != 0 && (oldest == 0 || c->owed_us < oldest))
			oldest = c->owed_us;
	}
	return oldest;
}

static void probe_cb(void *arg, DbStatus st, const PGresult *res)
{
	DbPool *p = arg;

	(void)st;
	(void)res;
	p->probing = false;	/* its answer, if any, was noted by conn_complete */
}

/* Send the liveness probe on p's idle connection c. */
static void probe_send(DbPool *p, DbConn *c)
{
	DbQuery *q = xcalloc(1, sizeof(*q));

	q->pool = p;
	q->stmt = p->probe_stmt;
	q->buf = xmalloc(1);
	q->cb = probe_cb;
	q->arg = p;
	q->locale = uselocale((locale_t)0);
	q->enq_us = now_usec();
	p->probing = true;
	p->probe_us = q->enq_us;
	conn_send(c, q);
}

/* p's server is hung: fail what waits and what is in flight, but for reports. */
static void pool_stall(DbPool *p)
{
	p->stalled = true;
	log_warn("%s is not answering (nothing for over %d ms while it owes answers): "
		 "its requests fail at once until it answers again", p->name, DB_LIVENESS_MS);
	queue_fail_all(p, DB_UNAVAILABLE);
	for (int i = 0; i < p->nconns; i++) {
		DbConn *c = &p->conns[i];

		if (c->state == DC_BUSY && c->q != NULL && !is_long_report(c->q))
			conn_reset(c, "no answer while the server is not answering", DB_NO_ANSWER);
	}
}

/*
 * Called by the janitor: is p's server owing answers for DB_LIVENESS_MS
 * with none at all in that time? Then probe an idle connection (a live
 * server answers SELECT 1 at once, whatever one slow statement does), or,
 * with none idle or the probe unanswered after DB_PROBE_MS, stall p.
 */
static void pool_liveness(DbPool *p)
{
	int64_t now = now_usec(), bound = now - (int64_t)DB_LIVENESS_MS * 1000;
	int64_t owed;

	if (p->stalled || p->nconns == 0 || db_closing || p->probe_stmt < 0)
		return;
	owed = pool_owed_since(p);
	if (owed == 0 || owed > bound || p->answer_us > bound)
		return;		/* nothing owed for long, or the server spoke lately */
	if (p->probing) {
		if (now - p->probe_us > (int64_t)DB_PROBE_MS * 1000)
			pool_stall(p);
		return;
	}
	for (int i = 0; i < p->nconns; i++)
		if (p->conns[i].state == DC_IDLE) {
			probe_send(p, &p->conns[i]);
			return;
		}
	pool_stall(p);
}

/*
 * Fail queued queries that waited longer than their pool's query timeout;
 * check each pool's liveness.
 */
static void janitor_cb(evutil_socket_t fd, short what, void *arg)
{
	DbPool *pools[2] = { &primary, &report };

	(void)fd;
	(void)what;
	(void)arg;
	for (int k = 0; k < 2; k++) {
		DbPool *p = pools[k];
		int64_t limit = now_usec() - (int64_t)p->timeout_ms * 1000;

		for (int lane = 0; lane < 2; lane++)
			while (p->queues[lane].head && p->queues[lane].head->enq_us < limit)
				fail_later(queue_pop(p, &p->queues[lane]), DB_TIMEOUT);
		pool_liveness(p);
	}
}

/*
 * Parse p's conninfo's host list; if it names a host, start libevent's
 * resolver (reads /etc/resolv.conf and /etc/hosts now, before the loop).
 */
static bool db_hosts_setup(DbPool *p)
{
	char err[256];

	p->hosts = dbhost_parse(p->conninfo, getenv("PGHOST"), getenv("PGPORT"),
				getenv("PGHOSTADDR"), err, sizeof(err));
	if (p->hosts == NULL) {
		log_error("could not use [database] %s: %s", p->conninfo_key, err);
		return false;
	}
	if (!p->hosts->any_name)
		return true;
	p->dns = evdns_base_new(g_base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
					EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (p->dns == NULL) {
		log_error("could not start the resolver for the %s host names", p->name);
		return false;
	}
	if (evdns_base_set_option(p->dns, "timeout:", DB_DNS_TIMEOUT) != 0 ||
	    evdns_base_set_option(p->dns, "attempts:", DB_DNS_ATTEMPTS) != 0)
		log_warn("could not set the resolver's timeout; using its defaults");
	return true;
}

/*
 * Start pool p: size connections to conninfo with timeout_ms as their
 * deadline; work may hold at most work_max of them.
 */
static MUSTCHECK bool pool_start(DbPool *p, const char *conninfo, int size, int work_max,
				 int timeout_ms)
{
	p->conninfo = conninfo;
	p->nconns = size;
	p->work_max = work_max;
	p->timeout_ms = timeout_ms;
	p->conns = xcalloc((size_t)size, sizeof(*p->conns));
	if (!db_hosts_setup(p))
		return false;
	for (int i = 0; i < size; i++) {
		DbConn *c = &p->conns[i];

		c->pool = p;
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

/* Close p's connections, fail what waits, free what p owns. */
static void pool_stop(DbPool *p)
{
	for (int i = 0; i < p->nconns; i++) {
		DbConn *c = &p->conns[i];

		if (c->timer)
			evtimer_del(c->timer);
		conn_broken(c, "shutdown");
		if (c->ev)
			event_free(c->ev);
		if (c->timer)
			event_free(c->timer);
	}
	queue_fail_all(p, DB_UNAVAILABLE);
}

/* After pool_stop() and the abandoned lookups' answers: free the resolver. */
static void pool_free(DbPool *p)
{
	if (p->dns)
		evdns_base_free(p->dns, 0);
	p->dns = NULL;
	dbhost_free(p->hosts);
	p->hosts = NULL;
	free(p->conns);
	p->conns = NULL;
	p->nconns = 0;
}

/* ---- how old the report pool's data is ---- */

/*
 * One row: is it a replica, its last replayed commit and its clock (Unix
 * microseconds), and whether it is behind: WAL received but not replayed,
 * or no WAL receiver running (cut off: nothing newer reaches it). Any role
 * may ask: pg_stat_wal_receiver shows others only its row, not its status.
 */
static const char fresh_sql[] =
	"SELECT pg_is_in_recovery(),"
	" (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000000)::int8,"
	" (extract(epoch FROM now()) * 1000000)::int8,"
	" coalesce(pg_last_wal_receive_lsn() <> pg_last_wal_replay_lsn(), false)"
	" OR (pg_is_in_recovery() AND NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver))";

static void fresh_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	fresh.asking = false;
	if (st != DB_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 2)) {
		/* down is said elsewhere; a refusal (permissions) is worth saying once */
		if (st == DB_SQL_ERROR && !fresh.refused)
			log_warn("could not ask the report database how fresh its data is: %s",
				 db_errmsg(res));
		fresh.refused |= st == DB_SQL_ERROR;
		return;
	}
	fresh.in_recovery = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	fresh.has_replay = !PQgetisnull(res, 0, 1);
	fresh.replay_us = fresh.has_replay ? strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
	fresh.now_us = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	fresh.behind = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	fresh.at_us = now_usec();
	if (!fresh.known && fresh.in_recovery)
		log_info("the report database is a replica");
	else if (!fresh.known)
		log_warn("[database] report_dsn is not a replica: reports read a primary there");
	fresh.known = true;
}

/* The timer: ask again, unless the last question is still unanswered. */
static void fresh_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (fresh.asking || g_shutting_down || db_closing)
		return;
	fresh.asking = true;
	db_query(fresh_stmt, 0, NULL, fresh_cb, NULL);
}

/* Format Unix microseconds us as RFC 3339 UTC into as_of. */
static void format_as_of(char as_of[DB_AS_OF_LEN], int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(as_of, DB_AS_OF_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void db_report_freshness(char as_of[DB_AS_OF_LEN], int64_t *lag_seconds)
{
	int64_t wall_us = (int64_t)time(NULL) * 1000000;

	*lag_seconds = 0;
	if (!report_on || (fresh.known && !fresh.in_recovery)) {
		/* the primary (or a report server that is one): its data is as of now */
		format_as_of(as_of, wall_us);
		return;
	}
	if (!fresh.known) {
		as_of[0] = '\0';	/* not known yet: the first answer is due within moments */
		return;
	}
	/* the replica's clock, moved on by the time since it answered */
	int64_t now_us = fresh.now_us + (now_usec() - fresh.at_us);
	int64_t replay_us = fresh.has_replay ? fresh.replay_us : fresh.now_us;

	format_as_of(as_of, replay_us);
	/* behind: at least a second, however recent the last replayed commit */
	if (fresh.behind)
		*lag_seconds = now_us > replay_us ? (now_us - replay_us + 999999) / 1000000 : 1;
}

/* With a report pool: register the freshness query, ask now and every interval. */
static MUSTCHECK bool fresh_setup(void)
{
	struct timeval every = { DB_FRESH_INTERVAL_MS / 1000, (DB_FRESH_INTERVAL_MS % 1000) * 1000 };

	fresh_stmt = db_stmt_add("db_report_freshness", fresh_sql, DB_LANE_REPORT);
	stmts[fresh_stmt].lane = DB_LANE_QUICK;	/* never behind a long report */
	fresh_ev = event_new(g_base, -1, EV_PERSIST, fresh_timer_cb, NULL);
	if (fresh_ev == NULL || event_add(fresh_ev, &every) != 0)
		return false;
	fresh_timer_cb(-1, 0, NULL);
	return true;
}

bool db_setup(void)
{
	struct timeval tick = { 0, 100 * 1000 };
	int n = cf_db_pool_size;

	report_on = cf_db_report_dsn != NULL && *cf_db_report_dsn != '\0';
	done_ev = event_new(g_base, -1, 0, done_cb, NULL);
	janitor_ev = event_new(g_base, -1, EV_PERSIST, janitor_cb, NULL);
	if (done_ev == NULL || janitor_ev == NULL || event_add(janitor_ev, &tick) != 0)
		return false;
	if (report_on && !fresh_setup())
		return false;
	/* the liveness probes: quick on their pools (see pool_liveness) */
	primary.probe_stmt = db_stmt_add("db_probe", "SELECT 1", DB_LANE_QUICK);
	report.probe_stmt = -1;
	if (report_on) {
		report.probe_stmt = db_stmt_add("db_report_probe", "SELECT 1", DB_LANE_REPORT);
		stmts[report.probe_stmt].lane = DB_LANE_QUICK;
	}
	if (!pool_start(&primary, cf_db_conninfo, n, n > 1 ? n - (n / 4 > 0 ? n / 4 : 1) : 1,
			cf_db_query_timeout_ms))
		return false;
	/* reports only: no quick statement of a till to keep room for */
	if (report_on && !pool_start(&report, cf_db_report_dsn, cf_db_report_pool_size,
				     cf_db_report_pool_size, cf_db_report_query_timeout_ms))
		return false;
	if (report_on)
		log_info("reports read the report database ([database] report_dsn, pool %d)",
			 cf_db_report_pool_size);
	return true;
}

void db_shutdown(void)
{
	db_closing = true;
	if (fresh_ev)
		event_free(fresh_ev);
	fresh_ev = NULL;
	pool_stop(&primary);
	pool_stop(&report);
	done_cb(-1, 0, NULL);
	/* cancelled lookups answer from a deferred callback: let them, so each is freed */
	for (int i = 0; i < 10 && lookups_abandoned > 0; i++)
		event_base_loop(g_base, EVLOOP_NONBLOCK);
	pool_free(&primary);
	pool_free(&report);
	if (janitor_ev)
		event_free(janitor_ev);
	if (done_ev)
		event_free(done_ev);
	janitor_ev = done_ev = NULL;
}

/* ---- statistics, for /metrics and the console's SHOW POOLS (read only) ---- */

bool db_pool_stats(int which, DbPoolStats *out)
{
	const DbPool *p = which == 0 ? &primary : which == 1 && report_on ? &report : NULL;

	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return false;
	out->name = which == 0 ? "primary" : "report";
	out->size = p->nconns;
	for (int i = 0; i < p->nconns; i++) {
		if (p->conns[i].state == DC_BUSY)
			out->busy++;
		else if (p->conns[i].state == DC_IDLE)
			out->idle++;
		else if (p->conns[i].state == DC_DOWN)
			out->down++;
		else
			out->connecting++;
	}
	out->queued = p->queue_len;
	out->queue_max = cf_db_queue_max;
	out->timeout_ms = p->timeout_ms;
	out->lost = p->lost;
	return true;
}

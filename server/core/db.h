/* SPDX-License-Identifier: Apache-2.0 */
/*
 * db: the asynchronous PostgreSQL pool. A fixed set of non-blocking libpq
 * connections, each with at most one query in flight, and a FIFO of
 * queries waiting for a free connection. Every statement kassad runs is
 * registered once (db_stmt_add) and prepared on each connection when it
 * connects, so a request costs one round trip with a cached plan.
 *
 * When PostgreSQL goes away, queries in flight fail with DB_UNAVAILABLE,
 * queued ones too, and new ones fail at once while no connection is up;
 * each connection reconnects with exponential back-off (100 ms .. 5 s).
 * statement_timeout bounds a query on the server side; a query waiting in
 * the queue longer than the timeout fails with DB_TIMEOUT. A query sent
 * whose answer has not come DB_DEADLINE_GRACE_MS after its statement
 * timeout (a stopped backend, a lost network) fails with DB_NO_ANSWER and
 * its connection is reset (closed, then reconnected with the back-off).
 * Resolving, connecting and preparing a connection are bounded too, and a
 * host name is resolved off the loop (libevent's resolver), never by libpq.
 * A hung server (stopped processes: the kernel still accepts every byte)
 * is found by silence: owed answers for 800 ms and none at all, nor to a
 * SELECT 1 probe on an idle connection within 300 ms, stall the pool:
 * queued, new and in-flight queries (not reports) fail at once
 * (DB_UNAVAILABLE, in flight DB_NO_ANSWER) until the server answers again.
 *
 * With [database] report_dsn set, a second pool (report_pool_size
 * connections, report_query_timeout_ms) to that server, a streaming
 * replica, runs the DB_LANE_REPORT statements with the same guarantees;
 * they are never sent to the primary then, not even when the replica is
 * down (they fail with DB_UNAVAILABLE), so reports cannot slow a checkout.
 */
#ifndef KASSA_DB_H
#define KASSA_DB_H

#include <stdbool.h>
#include <libpq-fe.h>
#include "util.h"

#define DB_MAX_PARAMS 32

typedef enum DbStatus {
	DB_OK = 0,		/* the statement succeeded; res holds its rows */
	DB_SQL_ERROR,		/* the statement failed; res has the SQLSTATE */
	DB_UNAVAILABLE,		/* no usable connection, or it broke; res NULL */
	DB_TIMEOUT,		/* waited too long for a connection; res NULL */
	DB_OVERLOADED,		/* the queue is full; res NULL */
	DB_NO_ANSWER,		/* sent, but no answer by its deadline: outcome unknown,
				   the connection was reset; res NULL */
	DB_INTERNAL,		/* kassad could not run it (a bug, logged); res NULL */
} DbStatus;

/* A sent query's deadline: its statement timeout plus this. */
#define DB_DEADLINE_GRACE_MS 500

/*
 * Result callback. res is borrowed: db.c clears it after the callback
 * returns, so copy what you need (or build the reply) inside.
 */
typedef void (*DbCallback)(void *arg, DbStatus st, const PGresult *res);

/*
 * Lanes: a quick statement (a single-row index lookup a cashier waits for:
 * member by phone, product by code) never queues behind work (a checkout,
 * a search). Work may occupy at most three quarters of the pool, so a quick
 * statement finds a free connection even while every till is checking out.
 */
typedef enum DbLane {
	DB_LANE_QUICK = 0,	/* served first, may use every connection */
	DB_LANE_WORK = 1,	/* FIFO, limited to pool_size - pool_size / 4 at once */
	/*
	 * A head-office read (report, export, dashboard, search): runs on the
	 * report pool when [database] report_dsn is set (a streaming replica,
	 * in read-only sessions: a report statement never writes), otherwise
	 * as DB_LANE_WORK on the primary.
	 */
	DB_LANE_REPORT = 2,
} DbLane;

/* Register a statement before db_setup(); returns its id. */
int db_stmt_add(const char *name, const char *sql, DbLane lane);

/*
 * Start the pool: connect cf_db_pool_size connections in the background,
 * and cf_db_report_pool_size to cf_db_report_dsn when it is set.
 */
MUSTCHECK bool db_setup(void);

/*
 * Run registered statement stmt with n text parameters (NULL = SQL NULL).
 * The values are copied. cb fires exactly once, always from the loop and
 * never before db_query returns.
 */
void db_query(int stmt, int n, const char *const *values, DbCallback cb, void *arg);

/* Queries queued or in flight, on both pools (for draining on shutdown). */
int db_busy(void);
/* Connections to the primary currently usable (0 while it is stalled, see above). */
int db_ready_count(void);
/*
 * True while a DbCallback runs for a query of the report pool (report_dsn
 * set and a DB_LANE_REPORT statement), so that call_fail_db() can tell a
 * person it is the report database that failed, not the checkout's.
 */
bool db_callback_is_report(void);
/* Close every connection; queued queries fail with DB_UNAVAILABLE. */
void db_shutdown(void);

/* SQLSTATE of an error result, or "" */
const char *db_sqlstate(const PGresult *res);
/* Primary message of an error result, or "" */
const char *db_errmsg(const PGresult *res);

/*
 * How old the data DB_LANE_REPORT statements read is: as_of gets the time
 * (RFC 3339, UTC) of the newest data they see (a replica's last replayed
 * commit; the primary's clock without report_dsn, or when report_dsn is not
 * a replica) and *lag_seconds how far that is behind the primary: 0 when
 * the replica has replayed all it received, else (WAL waiting for replay,
 * or no WAL streaming to it) its clock less that commit, at least 1. From
 * a cache refreshed every 2 s; as_of is "" until the replica first
 * answers (moments after start).
 */
#define DB_AS_OF_LEN 40
void db_report_freshness(char as_of[DB_AS_OF_LEN], int64_t *lag_seconds);
/* Constraint name of an error result, or "" */
const char *db_constraint(const PGresult *res);

/* One pool's state right now, for /metrics and the console's SHOW POOLS. */
typedef struct DbPoolStats {
	const char *name;		/* "primary" or "report" (static) */
	int size;			/* connections configured */
	int busy;			/* with a query in flight */
	int idle;			/* ready for one */
	int connecting;			/* resolving, connecting or preparing */
	int down;			/* waiting for their back-off to reconnect */
	int queued;			/* queries waiting for a connection */
	int queue_max;			/* more than this are refused (DB_OVERLOADED) */
	int timeout_ms;			/* statement timeout, and the longest wait queued */
	int64_t lost;			/* connections lost after they were up, since start */
} DbPoolStats;

/*
 * Pool which (0 the primary's, 1 report_dsn's) into *out; false (out
 * zeroed) when there is no such pool (report_dsn unset).
 */
bool db_pool_stats(int which, DbPoolStats *out);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_http.h: kassad's loopback plain-HTTP port ([admin]
 * metrics_listen): /metrics (Prometheus text format 0.0.4), /livez and
 * /readyz, served by evhttp on the daemon's one loop (g_base). No TLS and
 * no authentication, so cfg_validate() refuses any address that is not a
 * loopback one. GET and HEAD only (others 405), small header and body
 * limits, each connection answered once and closed, reads and writes
 * timed out after METRICS_HTTP_TIMEOUT_S.
 *
 *   /livez    200 "ok" whenever the loop answers at all
 *   /readyz   200 "ready", or 503 with a one-line reason: draining
 *             (SIGTERM), the database unreachable (no pool connection up,
 *             or the last check failed or has not been answered for
 *             METRICS_READY_STALL_MS), the schema behind what this
 *             kassad's migrations expect, or not checked yet
 *   /metrics  the registry (metrics.h) and the gauges of the pools,
 *             queues and sessions, read from their owners now
 *
 * The readiness check is a query every METRICS_READY_CHECK_MS on the
 * loop (db_query, never blocking): the latest schema_migrations version.
 * The bodies are for probes and operators' scripts: fixed English words,
 * like the metrics' names.
 */
#ifndef KASSA_METRICS_HTTP_H
#define KASSA_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define METRICS_HTTP_TIMEOUT_S 5	/* a read or a write may stall this long */
#define METRICS_HTTP_MAX_HEADERS 4096	/* bytes of request line and headers */
#define METRICS_HTTP_MAX_BODY 256	/* bytes of body (GET and HEAD have none) */
#define METRICS_READY_CHECK_MS 2000	/* how often the schema and database are checked */
#define METRICS_READY_STALL_MS 3000	/* a check unanswered this long: not ready */

/* Register the readiness check's statement; before db_setup(). */
void metrics_http_setup_statements(void);

/*
 * Listen on listen ("host:port", comma-separated, loopback only; "" =
 * off, then nothing happens) and start the readiness check. Before the
 * loop runs, after db_setup(). False (logged) on a bad address.
 */
MUSTCHECK bool metrics_http_setup(const char *listen);

/*
 * Whether kassad is ready to serve (what /readyz answers): true, or false
 * with a one-line reason in why.
 */
bool metrics_http_ready(char *why, size_t whylen);

/* After the loop: stop the check and free the server. */
void metrics_http_shutdown(void);

#endif

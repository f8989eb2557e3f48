/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_http.c: the loopback HTTP port of /metrics, /livez and /readyz
 * (metrics_http.h). evhttp on g_base with a plain bufferevent per
 * connection; gen_cb() refuses what is not GET or HEAD (405) and answers
 * one of the three paths (404 otherwise), always with "Connection: close"
 * so a scraper holds no connection between scrapes.
 *
 * Readiness: check_cb() runs every METRICS_READY_CHECK_MS and sends one
 * quick-lane query (the newest schema_migrations version) unless the last
 * is still out; its answer (check_done_cb) says whether the database
 * answers and the schema is at the version metrics_schema_expected()
 * names. metrics_http_ready() combines that with the pool (a connection
 * up), the check's age and g_shutting_down. Transitions are logged once.
 *
 * /metrics: metrics_render() (the registry), then the gauges read from
 * their owners: db_pool_stats(), worker_waiting(), session_count(), and
 * readiness. Nothing here blocks; the only wait is the check's db_query.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "core.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "worker.h"

#define METRICS_LISTEN_MAX 4
#define METRICS_BACKLOG 16

static struct evhttp *http;			/* owned; NULL when off */
static struct event *check_ev;			/* owned: the readiness timer */
static int st_schema = -1;
static bool checking;				/* a check is in flight */
static bool check_failed;			/* the last check's query failed */
static bool check_answered;			/* one check has been answered */
static int64_t check_sent_us;
static int schema_seen;				/* the database's newest migration */
static bool was_ready;				/* for logging transitions */
static char last_why[128];

/* ---- readiness ---- */

void metrics_http_setup_statements(void)
{
	st_schema = db_stmt_add("metrics_ready_schema",
		"SELECT coalesce(max(version), 0) FROM schema_migrations", DB_LANE_QUICK);
}

bool metrics_http_ready(char *why, size_t whylen)
{
	int expected = metrics_schema_expected();

	if (g_shutting_down)
		snprintf(why, whylen, "draining: shutting down");
	else if (!check_answered)
		snprintf(why, whylen, "starting: the database has not been checked yet");
	else if (db_ready_count() == 0)
		snprintf(why, whylen, "database unreachable: no pool connection is up");
	else if (checking && now_usec() - check_sent_us > (int64_t)METRICS_READY_STALL_MS * 1000)
		snprintf(why, whylen, "database unreachable: no answer for %d ms",
			 METRICS_READY_STALL_MS);
	else if (check_failed)
		snprintf(why, whylen, "database unreachable: the last check failed");
	else if (schema_seen < expected)
		snprintf(why, whylen, "schema behind: the database is at migration %d, this kassad"
			 " expects %d (run kassad migrate)", schema_seen, expected);
	else
		return true;
	return false;
}

/* Log a change of readiness once. */
static void ready_note(void)
{
	char why[128];
	bool ready = metrics_http_ready(why, sizeof(why));

	if (ready && !was_ready)
		log_info("ready: database answers, schema at migration %d", schema_seen);
	else if (!ready && (was_ready || strcmp(why, last_why) != 0) && check_answered)
		log_warn("not ready: %s", why);
	was_ready = ready;
	snprintf(last_why, sizeof(last_why), "%s", ready ? "" : why);
}

static void check_done_cb(void *arg, DbStatus st, const PGresult *res)
{
	(void)arg;
	checking = false;
	check_answered = true;
	check_failed = st != DB_OK || PQntuples(res) != 1;
	if (!check_failed)
		schema_seen = atoi(PQgetvalue(res, 0, 0));
	ready_note();
}

static void check_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (checking) {
		ready_note();	/* a stalled check shows as not ready */
		return;
	}
	checking = true;
	check_sent_us = now_usec();
	db_query(st_schema, 0, NULL, check_done_cb, NULL);
}

/* ---- the scrape's gauges ---- */

static void gauge(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_pools(struct evbuffer *out)
{
	DbPoolStats p[2];
	int n = 0;

	for (int i = 0; i < 2; i++)
		if (db_pool_stats(i, &p[n]))
			n++;
	gauge(out, "kassa_db_pool_size", "gauge", "Database connections configured, per pool.");
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "kassa_db_pool_size{pool=\"%s\"} %d\n", p[i].name, p[i].size);
	gauge(out, "kassa_db_connections", "gauge", "Database connections by pool and state.");
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out,
			"kassa_db_connections{pool=\"%s\",state=\"busy\"} %d\n"
			"kassa_db_connections{pool=\"%s\",state=\"idle\"} %d\n"
			"kassa_db_connections{pool=\"%s\",state=\"connecting\"} %d\n"
			"kassa_db_connections{pool=\"%s\",state=\"down\"} %d\n",
			p[i].name, p[i].busy, p[i].name, p[i].idle, p[i].name, p[i].connecting,
			p[i].name, p[i].down);
	gauge(out, "kassa_db_queue_length", "gauge", "Queries waiting for a connection, per pool.");
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "kassa_db_queue_length{pool=\"%s\"} %d\n", p[i].name,
				    p[i].queued);
	gauge(out, "kassa_db_queue_limit", "gauge",
	      "Queries that may wait for a connection before more are refused, per pool.");
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "kassa_db_queue_limit{pool=\"%s\"} %d\n", p[i].name,
				    p[i].queue_max);
	gauge(out, "kassa_db_connections_lost_total", "counter",
	      "Database connections lost after they were up (each reconnects), per pool.");
	for (int i = 0; i < n; i++)
		evbuffer_add_printf(out, "kassa_db_connections_lost_total{pool=\"%s\"} %" PRId64 "\n",
				    p[i].name, p[i].lost);
}

static void render_gauges(struct evbuffer *out)
{
	char why[128];
	bool ready = metrics_http_ready(why, sizeof(why));

	render_pools(out);
	gauge(out, "kassa_worker_queue_length", "gauge", "PIN checks waiting for a worker thread.");
	evbuffer_add_printf(out, "kassa_worker_queue_length %d\n", worker_waiting());
	gauge(out, "kassa_worker_queue_limit", "gauge",
	      "PIN checks that may wait before more are refused.");
	evbuffer_add_printf(out, "kassa_worker_queue_limit %d\n", cf_worker_queue_max);
	gauge(out, "kassa_worker_threads", "gauge", "Worker threads.");
	evbuffer_add_printf(out, "kassa_worker_threads %d\n", worker_threads());
	gauge(out, "kassa_sessions_open", "gauge", "Till and office connections open.");
	evbuffer_add_printf(out, "kassa_sessions_open %d\n", session_count());
	gauge(out, "kassa_sessions_limit", "gauge", "Connections accepted at most ([server] max_sessions).");
	evbuffer_add_printf(out, "kassa_sessions_limit %d\n", cf_max_sessions);
	gauge(out, "kassa_requests_in_flight", "gauge", "Requests being worked on now.");
	evbuffer_add_printf(out, "kassa_requests_in_flight %d\n", session_calls_running());
	gauge(out, "kassa_ready", "gauge", "1 while /readyz answers 200.");
	evbuffer_add_printf(out, "kassa_ready %d\n", ready ? 1 : 0);
	gauge(out, "kassa_schema_version", "gauge",
	      "The database's newest migration, as the readiness check last saw it.");
	evbuffer_add_printf(out, "kassa_schema_version %d\n", schema_seen);
	gauge(out, "kassa_schema_version_expected", "gauge",
	      "The newest migration this kassad's migrations directory holds.");
	evbuffer_add_printf(out, "kassa_schema_version_expected %d\n", metrics_schema_expected());
}

/* ---- requests ---- */

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* Answer req with code and body (drained), as text of content type ctype. */
static void send_reply(struct evhttp_request *req, int code, const char *ctype,
		       struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Connection", "close");
	if (code == 405)
		evhttp_add_header(h, "Allow", "GET, HEAD");
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp gives a HEAD answer no length: the one GET would have */
		char len[24];

		snprintf(len, sizeof(len), "%zu", evbuffer_get_length(body));
		evhttp_add_header(h, "Content-Length", len);
	}
	evhttp_send_reply(req, code, reason(code), body);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
	const char *text = "text/plain; charset=utf-8";
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct evbuffer *body = evbuffer_new();
	char why[128];
	int code = 200;

	(void)arg;
	if (body == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		code = 405;
		evbuffer_add_printf(body, "only GET and HEAD\n");
	} else if (path != NULL && strcmp(path, "/livez") == 0) {
		evbuffer_add_printf(body, "ok\n");
	} else if (path != NULL && strcmp(path, "/readyz") == 0) {
		if (metrics_http_ready(why, sizeof(why))) {
			evbuffer_add_printf(body, "ready\n");
		} else {
			code = 503;
			evbuffer_add_printf(body, "%s\n", why);
		}
	} else if (path != NULL && strcmp(path, "/metrics") == 0) {
		metrics_render(body);
		render_gauges(body);
		text = "text/plain; version=0.0.4; charset=utf-8";
	} else {
		code = 404;
		evbuffer_add_printf(body, "not found: /metrics, /livez and /readyz are served\n");
	}
	send_reply(req, code, text, body);
	evbuffer_free(body);
}

/* ---- set-up and shutdown ---- */

static bool bind_one(const char *spec, int *nbound)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	struct evconnlistener *l;

	if (*nbound >= METRICS_LISTEN_MAX) {
		log_error("[admin] metrics_listen: at most %d addresses", METRICS_LISTEN_MAX);
		return false;
	}
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &sslen) != 0) {
		log_error("could not parse [admin] metrics_listen address \"%s\"", spec);
		return false;
	}
	l = evconnlistener_new_bind(g_base, NULL, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, METRICS_BACKLOG,
		(struct sockaddr *)&ss, sslen);
	if (l == NULL) {
		log_error("metrics port: could not listen on %s: %s", spec,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return false;
	}
	if (evhttp_bind_listener(http, l) == NULL) {	/* takes l */
		evconnlistener_free(l);
		log_error("metrics port: could not serve on %s", spec);
		return false;
	}
	(*nbound)++;
	log_info("metrics port: listening on http://%s/ (/metrics, /livez, /readyz)", spec);
	return true;
}

bool metrics_http_setup(const char *listen)
{
	struct timeval every = { METRICS_READY_CHECK_MS / 1000, (METRICS_READY_CHECK_MS % 1000) * 1000 };
	char *copy, *save = NULL;
	bool ok = true;
	int nbound = 0;

	if (listen == NULL || listen[0] == '\0')
		return true;
	http = evhttp_new(g_base);
	check_ev = event_new(g_base, -1, EV_PERSIST, check_cb, NULL);
	if (http == NULL || check_ev == NULL || st_schema < 0 || event_add(check_ev, &every) != 0) {
		log_error("metrics port: could not start the HTTP server");
		metrics_http_shutdown();
		return false;
	}
	evhttp_set_gencb(http, gen_cb, NULL);
	/* every method reaches gen_cb, which answers 405 (evhttp itself would say 501) */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
				   EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
				   EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, METRICS_HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(http, METRICS_HTTP_MAX_BODY);
	evhttp_set_timeout(http, METRICS_HTTP_TIMEOUT_S);
	copy = xstrdup(listen);
	for (char *tok = strtok_r(copy, ", ", &save); tok && ok; tok = strtok_r(NULL, ", ", &save))
		ok = bind_one(tok, &nbound);
	free(copy);
	if (!ok) {
		metrics_http_shutdown();
		return false;
	}
	check_cb(-1, 0, NULL);	/* the first check now: ready within one round trip */
	return true;
}

void metrics_http_shutdown(void)
{
	if (check_ev != NULL)
		event_free(check_ev);
	check_ev = NULL;
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
}

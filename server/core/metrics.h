/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h: kassad's counters, for /metrics (server/http/metrics_http.c,
 * Prometheus text format 0.0.4) and the operator console's SHOW JOBS and
 * SHOW VERSION (server/admin/console.c). A registry of fixed-size arrays
 * filled by small hooks where things happen: call.c (every answer: its
 * request type, status and latency), session.c (TLS handshakes), staff/
 * (lockouts) and the jobs (metrics_job_done()). Nothing here allocates
 * after start or blocks: every hook is a few additions on the loop thread.
 *
 * The gauges that are state elsewhere (pools, queues, sessions) are read
 * from their owners when /metrics is scraped, not copied here.
 */
#ifndef KASSA_METRICS_H
#define KASSA_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define METRICS_REQ_TYPES 64		/* Request body cases 0..63 are counted */
#define METRICS_STATUSES 17		/* StatusCode 0..16 */
#define METRICS_BUCKETS 14		/* latency histogram buckets before +Inf */
#define METRICS_JOBS_MAX 16		/* distinct job names */
#define METRICS_JOB_NAME_LEN 40		/* a job's name, NUL included */

/* The outcome of a till connection's TLS handshake. */
typedef enum MetricsTls {
	METRICS_TLS_OK = 0,		/* done, with a usable client certificate */
	METRICS_TLS_FAILED,		/* refused: bad or no certificate, protocol error, EOF */
	METRICS_TLS_TIMEOUT,		/* not done within [server] handshake_timeout */
	METRICS_TLS_RESULTS,		/* how many results there are */
} MetricsTls;

/* One job's runs as this process saw them (SHOW JOBS, kassa_job_*). */
typedef struct MetricsJob {
	char name[METRICS_JOB_NAME_LEN];	/* "points_expire", "analytics", ... */
	uint64_t runs;			/* finished runs, failed ones included */
	uint64_t failures;		/* runs that failed */
	int64_t last_usec;		/* how long the last run took */
	int64_t last_end;		/* Unix seconds the last run ended; 0 = none yet */
	bool last_ok;			/* the last run succeeded */
	int interval_s;			/* runs on a timer this often; 0 = on request only */
} MetricsJob;

/*
 * Note the process's start time and the schema version the migrations in
 * migrations_dir lead to (the highest NNNN of its NNNN_name.sql files;
 * 0 when it cannot be read). Before the loop; blocking reads of one
 * directory.
 */
void metrics_setup(const char *migrations_dir);

/* A Call was answered: body_case (Request's oneof case), status (StatusCode), its latency. */
void metrics_request_done(int body_case, int status, int64_t usec);
/* A till connection's TLS handshake ended so. */
void metrics_tls_handshake(MetricsTls result);
/* A staff member was locked out after too many wrong PINs. */
void metrics_staff_lockout(void);
/*
 * A run of job name (a static or copied string, at most
 * METRICS_JOB_NAME_LEN - 1 bytes) ended: ok or failed, after usec.
 */
void metrics_job_done(const char *name, bool ok, int64_t usec);
/* Job name runs on a timer every interval_s seconds (SHOW JOBS' next run). */
void metrics_job_schedule(const char *name, int interval_s);

/* The jobs known so far: n of them, i in 0..n-1; NULL past the end. */
int metrics_job_count(void);
const MetricsJob *metrics_job(int i);
/* Unix seconds kassad started (metrics_setup()). */
int64_t metrics_started_at(void);
/* The schema version this kassad's migrations expect (metrics_setup()). */
int metrics_schema_expected(void);
/* How often (type, status) was answered; 0 for anything out of range. */
uint64_t metrics_requests(int body_case, int status);
/* The snake_case name of a Request body case ("checkout"), or NULL. */
const char *metrics_type_name(int body_case);
/* The name of a StatusCode ("OK", "PERMISSION_DENIED"), or NULL. */
const char *metrics_status_name(int status);

/*
 * Append the registry's metrics in Prometheus text format 0.0.4 (HELP and
 * TYPE before each family): requests, latency histograms, TLS handshakes,
 * lockouts, jobs, process start time and build info.
 */
void metrics_render(struct evbuffer *out);

/*
 * True when every address of listen ("host:port", comma-separated) is a
 * loopback one (127.0.0.0/8, ::1, localhost); otherwise false with the
 * first other one in bad (for the operator's message).
 */
bool metrics_listen_is_loopback(const char *listen, char *bad, size_t badlen);

#endif

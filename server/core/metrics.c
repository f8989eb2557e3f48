/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c: the registry of metrics.h. Counters live in static arrays
 * indexed by what they count (a Request's body case, a StatusCode, a
 * histogram bucket), so a hook is an index check and a few additions and
 * a scrape walks the arrays; jobs are a small table looked up by name.
 * Everything runs on the loop thread: no locks.
 *
 * metrics_render() writes only what the registry holds; the gauges owned
 * elsewhere (pools, queues, sessions, readiness) are added by
 * metrics_http.c. Request types and statuses are named from the protobuf
 * descriptors, so a new request needs no edit here: type is the Request
 * oneof field's name (snake_case, "checkout"), status the StatusCode's.
 * Families with no sample yet are left out (HELP/TYPE included), which
 * `promtool check metrics` accepts.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/util.h>

#include "core.h"
#include "metrics.h"

/* Upper bounds of the latency buckets, in microseconds (then +Inf). */
static const int64_t bucket_us[METRICS_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};

static uint64_t req_count[METRICS_REQ_TYPES][METRICS_STATUSES];
static uint64_t req_bucket[METRICS_REQ_TYPES][METRICS_BUCKETS + 1];	/* not cumulative */
static uint64_t req_total[METRICS_REQ_TYPES];
static int64_t req_sum_us[METRICS_REQ_TYPES];
static uint64_t tls[METRICS_TLS_RESULTS];
static uint64_t lockouts;
static MetricsJob jobs[METRICS_JOBS_MAX];
static int njobs;
static int64_t started_at;		/* Unix seconds */
static int schema_expected;

static const char *const tls_names[METRICS_TLS_RESULTS] = { "ok", "failed", "timeout" };

/* ---- set-up ---- */

/* The highest NNNN of dir's NNNN_name.sql files, 0 if none or unreadable. */
static int migrations_latest(const char *dir)
{
	DIR *d = dir != NULL && dir[0] != '\0' ? opendir(dir) : NULL;
	struct dirent *e;
	int best = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		size_t len = strlen(n);

		if (len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
		    strcmp(n + len - 4, ".sql") == 0) {
			int v = atoi(n);

			if (v > best)
				best = v;
		}
	}
	closedir(d);
	return best;
}

void metrics_setup(const char *migrations_dir)
{
	started_at = (int64_t)time(NULL);
	schema_expected = migrations_latest(migrations_dir);
}

int64_t metrics_started_at(void)
{
	return started_at;
}

int metrics_schema_expected(void)
{
	return schema_expected;
}

/* ---- hooks ---- */

void metrics_request_done(int body_case, int status, int64_t usec)
{
	int b = 0;

	if (body_case < 0 || body_case >= METRICS_REQ_TYPES || status < 0 ||
	    status >= METRICS_STATUSES)
		return;
	if (usec < 0)
		usec = 0;
	while (b < METRICS_BUCKETS && usec > bucket_us[b])
		b++;
	req_count[body_case][status]++;
	req_bucket[body_case][b]++;
	req_total[body_case]++;
	req_sum_us[body_case] += usec;
}

void metrics_tls_handshake(MetricsTls result)
{
	if (result >= 0 && result < METRICS_TLS_RESULTS)
		tls[result]++;
}

void metrics_staff_lockout(void)
{
	lockouts++;
}

/* Job name's entry, made on first use; NULL when the table is full. */
static MetricsJob *job_get(const char *name)
{
	for (int i = 0; i < njobs; i++)
		if (strcmp(jobs[i].name, name) == 0)
			return &jobs[i];
	if (njobs >= METRICS_JOBS_MAX || strlen(name) >= METRICS_JOB_NAME_LEN)
		return NULL;
	snprintf(jobs[njobs].name, METRICS_JOB_NAME_LEN, "%s", name);
	return &jobs[njobs++];
}

void metrics_job_done(const char *name, bool ok, int64_t usec)
{
	MetricsJob *j = job_get(name);

	if (j == NULL)
		return;
	j->runs++;
	j->failures += !ok;
	j->last_usec = usec > 0 ? usec : 0;
	j->last_end = (int64_t)time(NULL);
	j->last_ok = ok;
}

void metrics_job_schedule(const char *name, int interval_s)
{
	MetricsJob *j = job_get(name);

	if (j != NULL)
		j->interval_s = interval_s;
}

int metrics_job_count(void)
{
	return njobs;
}

const MetricsJob *metrics_job(int i)
{
	return i >= 0 && i < njobs ? &jobs[i] : NULL;
}

uint64_t metrics_requests(int body_case, int status)
{
	if (body_case < 0 || body_case >= METRICS_REQ_TYPES || status < 0 ||
	    status >= METRICS_STATUSES)
		return 0;
	return req_count[body_case][status];
}

const char *metrics_type_name(int body_case)
{
	const ProtobufCFieldDescriptor *f;

	if (body_case <= 0)
		return NULL;
	f = protobuf_c_message_descriptor_get_field(&kassa__v1__request__descriptor,
						    (unsigned)body_case);
	/* request_id and idempotency_key are fields too, not bodies */
	return f != NULL && f->id == (uint32_t)body_case && f->type == PROTOBUF_C_TYPE_MESSAGE ?
	       f->name : NULL;
}

const char *metrics_status_name(int status)
{
	const ProtobufCEnumValue *v =
		protobuf_c_enum_descriptor_get_value(&kassa__v1__status_code__descriptor, status);

	return v != NULL ? v->name : NULL;
}

/* ---- the scrape ---- */

static void family(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_requests(struct evbuffer *out)
{
	family(out, "kassa_requests_total", "counter",
	       "Requests answered, by request type and status code.");
	for (int t = 0; t < METRICS_REQ_TYPES; t++) {
		const char *tn = metrics_type_name(t);

		for (int s = 0; tn != NULL && s < METRICS_STATUSES; s++)
			if (req_count[t][s] > 0 && metrics_status_name(s) != NULL)
				evbuffer_add_printf(out,
					"kassa_requests_total{type=\"%s\",status=\"%s\"} %" PRIu64 "\n",
					tn, metrics_status_name(s), req_count[t][s]);
	}
}

static void render_durations(struct evbuffer *out)
{
	family(out, "kassa_request_duration_seconds", "histogram",
	       "Time from a request's frame read to its answer queued, by request type.");
	for (int t = 0; t < METRICS_REQ_TYPES; t++) {
		const char *tn = metrics_type_name(t);
		uint64_t cum = 0;

		if (tn == NULL || req_total[t] == 0)
			continue;
		for (int b = 0; b < METRICS_BUCKETS; b++) {
			cum += req_bucket[t][b];
			evbuffer_add_printf(out,
				"kassa_request_duration_seconds_bucket{type=\"%s\",le=\"%g\"} %" PRIu64
				"\n", tn, (double)bucket_us[b] / 1e6, cum);
		}
		evbuffer_add_printf(out,
			"kassa_request_duration_seconds_bucket{type=\"%s\",le=\"+Inf\"} %" PRIu64 "\n"
			"kassa_request_duration_seconds_sum{type=\"%s\"} %.6f\n"
			"kassa_request_duration_seconds_count{type=\"%s\"} %" PRIu64 "\n",
			tn, req_total[t], tn, (double)req_sum_us[t] / 1e6, tn, req_total[t]);
	}
}

static void render_jobs(struct evbuffer *out)
{
	family(out, "kassa_job_runs_total", "counter", "Finished runs of each job, failed ones included.");
	for (int i = 0; i < njobs; i++)
		evbuffer_add_printf(out, "kassa_job_runs_total{job=\"%s\"} %" PRIu64 "\n",
				    jobs[i].name, jobs[i].runs);
	family(out, "kassa_job_failures_total", "counter", "Runs of each job that failed.");
	for (int i = 0; i < njobs; i++)
		evbuffer_add_printf(out, "kassa_job_failures_total{job=\"%s\"} %" PRIu64 "\n",
				    jobs[i].name, jobs[i].failures);
	family(out, "kassa_job_last_duration_seconds", "gauge", "How long each job's last run took.");
	for (int i = 0; i < njobs; i++)
		if (jobs[i].runs > 0)
			evbuffer_add_printf(out, "kassa_job_last_duration_seconds{job=\"%s\"} %.6f\n",
					    jobs[i].name, (double)jobs[i].last_usec / 1e6);
	family(out, "kassa_job_last_run_timestamp_seconds", "gauge",
	       "When each job's last run ended, Unix time.");
	for (int i = 0; i < njobs; i++)
		if (jobs[i].runs > 0)
			evbuffer_add_printf(out,
				"kassa_job_last_run_timestamp_seconds{job=\"%s\"} %" PRId64 "\n",
				jobs[i].name, jobs[i].last_end);
}

void metrics_render(struct evbuffer *out)
{
	render_requests(out);
	render_durations(out);
	family(out, "kassa_tls_handshakes_total", "counter",
	       "TLS handshakes of till connections, by result.");
	for (int r = 0; r < METRICS_TLS_RESULTS; r++)
		evbuffer_add_printf(out, "kassa_tls_handshakes_total{result=\"%s\"} %" PRIu64 "\n",
				    tls_names[r], tls[r]);
	family(out, "kassa_staff_lockouts_total", "counter",
	       "Staff members locked out after too many wrong PINs.");
	evbuffer_add_printf(out, "kassa_staff_lockouts_total %" PRIu64 "\n", lockouts);
	render_jobs(out);
	family(out, "kassa_process_start_time_seconds", "gauge", "When kassad started, Unix time.");
	evbuffer_add_printf(out, "kassa_process_start_time_seconds %" PRId64 "\n", started_at);
	family(out, "kassa_build_info", "gauge", "Always 1: kassad's version and protocol.");
	evbuffer_add_printf(out, "kassa_build_info{version=\"%s\",protocol=\"%d\"} 1\n",
			    KASSA_VERSION, KASSA_PROTOCOL_VERSION);
}

/* ---- configuration check ---- */

/* True when host (no brackets, no port) names the loopback interface. */
static bool host_is_loopback(const char *host)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char spec[96];		/* host is at most 79 bytes: "[" host "]:1" fits */

	if (strcmp(host, "localhost") == 0)
		return true;
	if (strchr(host, ':') != NULL)
		snprintf(spec, sizeof(spec), "[%s]:1", host);
	else
		snprintf(spec, sizeof(spec), "%s:1", host);
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if (ss.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	return false;
}

bool metrics_listen_is_loopback(const char *listen, char *bad, size_t badlen)
{
	char copy[512], *save = NULL;

	if (badlen > 0)
		bad[0] = '\0';
	if (listen == NULL || listen[0] == '\0')
		return true;
	snprintf(copy, sizeof(copy), "%s", listen);
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char host[80];
		const char *whole = tok, *colon = strrchr(tok, ':');
		size_t n = colon != NULL ? (size_t)(colon - tok) : strlen(tok);

		if (n > 0 && tok[0] == '[' && tok[n - 1] == ']') {
			tok++;
			n -= 2;
		}
		snprintf(host, sizeof(host), "%.*s", (int)n, tok);
		if (colon == NULL || !host_is_loopback(host)) {
			snprintf(bad, badlen, "%s", whole);
			return false;
		}
	}
	return true;
}

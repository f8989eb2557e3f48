/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_metrics: the metrics registry (server/core/metrics.c compiled in).
 * A request's answer counts once under its type and status and in exactly
 * one latency bucket (bounds inclusive), the histogram is written
 * cumulative with +Inf equal to the count and the sum in seconds; what is
 * out of range is dropped, not written past an array; type and status
 * names come from the protobuf descriptors; jobs are counted by name in a
 * bounded table; the schema version expected is the highest NNNN_*.sql;
 * and metrics_listen is accepted only on loopback addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/buffer.h>

#include "core.h"
#include "metrics.h"

/* The registry's scrape as a NUL-terminated string (caller frees). */
static char *scrape(void)
{
	struct evbuffer *b = evbuffer_new();
	size_t n;
	char *s;

	assert_non_null(b);
	metrics_render(b);
	n = evbuffer_get_length(b);
	s = malloc(n + 1);
	assert_non_null(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

/* True when line (without its newline) is one of text's lines. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(metrics_type_name(KASSA__V1__REQUEST__BODY_CHECKOUT), "checkout");
	assert_string_equal(metrics_type_name(KASSA__V1__REQUEST__BODY_CONSOLE_SHOW), "console_show");
	assert_string_equal(metrics_type_name(KASSA__V1__REQUEST__BODY_MEMBER_REGISTER),
			    "member_register");
	assert_null(metrics_type_name(1));	/* request_id: a field, not a body */
	assert_null(metrics_type_name(0));
	assert_null(metrics_type_name(-3));
	assert_string_equal(metrics_status_name(KASSA__V1__STATUS_CODE__OK), "OK");
	assert_string_equal(metrics_status_name(KASSA__V1__STATUS_CODE__PERMISSION_DENIED),
			    "PERMISSION_DENIED");
	assert_null(metrics_status_name(99));
}

static void test_requests(void **state)
{
	const int co = KASSA__V1__REQUEST__BODY_CHECKOUT;
	char *s;

	(void)state;
	metrics_request_done(co, KASSA__V1__STATUS_CODE__OK, 500);		/* le 0.0005 */
	metrics_request_done(co, KASSA__V1__STATUS_CODE__OK, 501);		/* le 0.001 */
	metrics_request_done(co, KASSA__V1__STATUS_CODE__OK, 20 * 1000000);	/* +Inf only */
	metrics_request_done(co, KASSA__V1__STATUS_CODE__UNAVAILABLE, 1000);
	/* out of range: dropped */
	metrics_request_done(-1, 0, 10);
	metrics_request_done(METRICS_REQ_TYPES, 0, 10);
	metrics_request_done(co, METRICS_STATUSES, 10);
	metrics_request_done(co, -1, 10);
	assert_int_equal(metrics_requests(co, KASSA__V1__STATUS_CODE__OK), 3);
	assert_int_equal(metrics_requests(co, KASSA__V1__STATUS_CODE__UNAVAILABLE), 1);
	assert_int_equal(metrics_requests(co, METRICS_STATUSES), 0);

	s = scrape();
	assert_true(has_line(s, "# TYPE kassa_requests_total counter"));
	assert_true(has_line(s, "kassa_requests_total{type=\"checkout\",status=\"OK\"} 3"));
	assert_true(has_line(s, "kassa_requests_total{type=\"checkout\",status=\"UNAVAILABLE\"} 1"));
	assert_false(has_line(s, "kassa_requests_total{type=\"checkout\",status=\"CANCELLED\"} 0"));
	assert_true(has_line(s, "# TYPE kassa_request_duration_seconds histogram"));
	assert_true(has_line(s, "kassa_request_duration_seconds_bucket{type=\"checkout\",le=\"0.0005\"} 1"));
	assert_true(has_line(s, "kassa_request_duration_seconds_bucket{type=\"checkout\",le=\"0.001\"} 3"));
	assert_true(has_line(s, "kassa_request_duration_seconds_bucket{type=\"checkout\",le=\"10\"} 3"));
	assert_true(has_line(s, "kassa_request_duration_seconds_bucket{type=\"checkout\",le=\"+Inf\"} 4"));
	assert_true(has_line(s, "kassa_request_duration_seconds_count{type=\"checkout\"} 4"));
	assert_true(has_line(s, "kassa_request_duration_seconds_sum{type=\"checkout\"} 20.002001"));
	/* a type never answered has no histogram */
	assert_null(strstr(s, "kassa_request_duration_seconds_count{type=\"refund\"}"));
	free(s);
}

static void test_tls_lockouts(void **state)
{
	char *s;

	(void)state;
	metrics_tls_handshake(METRICS_TLS_OK);
	metrics_tls_handshake(METRICS_TLS_OK);
	metrics_tls_handshake(METRICS_TLS_TIMEOUT);
	metrics_tls_handshake(METRICS_TLS_RESULTS);	/* out of range: dropped */
	metrics_staff_lockout();
	s = scrape();
	assert_true(has_line(s, "kassa_tls_handshakes_total{result=\"ok\"} 2"));
	assert_true(has_line(s, "kassa_tls_handshakes_total{result=\"failed\"} 0"));
	assert_true(has_line(s, "kassa_tls_handshakes_total{result=\"timeout\"} 1"));
	assert_true(has_line(s, "kassa_staff_lockouts_total 1"));
	assert_true(has_line(s, "# HELP kassa_build_info Always 1: kassad's version and protocol."));
	free(s);
}

static void test_jobs(void **state)
{
	char name[METRICS_JOB_NAME_LEN + 8];
	const MetricsJob *j;
	char *s;

	(void)state;
	metrics_job_schedule("points_expire", 3600);
	metrics_job_done("points_expire", true, 1500000);
	metrics_job_done("points_expire", false, 2000);
	j = metrics_job(0);
	assert_non_null(j);
	assert_string_equal(j->name, "points_expire");
	assert_int_equal(j->runs, 2);
	assert_int_equal(j->failures, 1);
	assert_false(j->last_ok);
	assert_int_equal(j->last_usec, 2000);
	assert_int_equal(j->interval_s, 3600);
	assert_true(j->last_end > 0);
	/* a name too long is dropped; the table holds METRICS_JOBS_MAX names at most */
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	metrics_job_done(name, true, 1);
	assert_int_equal(metrics_job_count(), 1);
	for (int i = 0; i < METRICS_JOBS_MAX + 4; i++) {
		snprintf(name, sizeof(name), "job_%d", i);
		metrics_job_done(name, true, 1);
	}
	assert_int_equal(metrics_job_count(), METRICS_JOBS_MAX);
	assert_null(metrics_job(METRICS_JOBS_MAX));
	s = scrape();
	assert_true(has_line(s, "kassa_job_runs_total{job=\"points_expire\"} 2"));
	assert_true(has_line(s, "kassa_job_failures_total{job=\"points_expire\"} 1"));
	assert_true(has_line(s, "kassa_job_last_duration_seconds{job=\"points_expire\"} 0.002000"));
	assert_null(strstr(s, "job_15\""));	/* the 17th name */
	free(s);
}

static void test_schema_expected(void **state)
{
	char dir[] = "/tmp/test_metrics_XXXXXX", path[128];
	const char *files[] = { "0001_schema.sql", "0042_more.sql", "9999x.sql", "0100_notsql.txt",
				"superseded.txt" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/functions", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	metrics_setup(dir);
	assert_int_equal(metrics_schema_expected(), 42);
	assert_true(metrics_started_at() > 0);
	metrics_setup("/nonexistent/migrations");
	assert_int_equal(metrics_schema_expected(), 0);
	rmdir(path);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_loopback(void **state)
{
	char bad[64];

	(void)state;
	assert_true(metrics_listen_is_loopback("", bad, sizeof(bad)));
	assert_true(metrics_listen_is_loopback("127.0.0.1:9100", bad, sizeof(bad)));
	assert_true(metrics_listen_is_loopback("127.1.2.3:9100", bad, sizeof(bad)));
	assert_true(metrics_listen_is_loopback("[::1]:9100", bad, sizeof(bad)));
	assert_true(metrics_listen_is_loopback("localhost:9100", bad, sizeof(bad)));
	assert_true(metrics_listen_is_loopback("127.0.0.1:9100, [::1]:9100", bad, sizeof(bad)));
	assert_false(metrics_listen_is_loopback("0.0.0.0:9100", bad, sizeof(bad)));
	assert_string_equal(bad, "0.0.0.0:9100");
	assert_false(metrics_listen_is_loopback("127.0.0.1:9100,10.1.2.3:9100", bad, sizeof(bad)));
	assert_string_equal(bad, "10.1.2.3:9100");
	assert_false(metrics_listen_is_loopback("[::]:9100", bad, sizeof(bad)));
	assert_string_equal(bad, "[::]:9100");
	assert_false(metrics_listen_is_loopback("db.example.com:9100", bad, sizeof(bad)));
	assert_false(metrics_listen_is_loopback("127.0.0.1", bad, sizeof(bad)));	/* no port */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_tls_lockouts),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_schema_expected),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

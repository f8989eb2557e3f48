/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness.c: see harness.h. The environment file is the one
 * scripts/test-env.sh writes: KEY='value' lines, shell-sourceable.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <libpq-fe.h>

#include "harness.h"

extern char **environ;

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static int total_failures;
static const char *current_test = "?";

bool harness_check(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	pthread_mutex_lock(&check_lock);
	total_failures++;
	fprintf(stderr, "  FAIL %s (%s:%d): ", current_test, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n       check: %s\n", expr);
	fflush(stderr);
	pthread_mutex_unlock(&check_lock);
	return false;
}

int harness_failures(void)
{
	int n;

	pthread_mutex_lock(&check_lock);
	n = total_failures;
	pthread_mutex_unlock(&check_lock);
	return n;
}

/* Copy src into dst[len], false if it does not fit. */
static bool copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* One KEY='value' line: strip the newline and one pair of matching quotes. */
static bool parse_line(char *line, char **key, char **value)
{
	char *eq, *v;
	size_t n;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return false;
	if (strncmp(line, "export ", 7) == 0)
		line += 7;
	eq = strchr(line, '=');
	if (eq == NULL)
		return false;
	*eq = '\0';
	v = eq + 1;
	n = strlen(v);
	if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	*key = line;
	*value = v;
	return true;
}

bool harness_init(Harness *h)
{
	static const struct {
		const char *key;
		size_t off, len;
	} fields[] = {
#define F(k, m) { k, offsetof(Harness, m), sizeof(((Harness *)0)->m) }
		F("KASSA_HOST", host),
		F("KASSA_PORT", port),
		F("KASSA_PG_PORT", pg_port),
		F("KASSA_CERTS", certs),
		F("KASSA_CONNINFO", conninfo),
		F("KASSA_ENV", env),
		F("KASSA_CONFIG", config),
		F("KASSA_PID_FILE", pid_file),
		F("KASSA_KASSAD", kassad),
		F("KASSA_ROOT", root),
#undef F
	};
	const char *dir = getenv("KASSA_TEST_ENV");
	char path[HARNESS_PATH_LEN + 8], line[2048], *key, *value;
	FILE *f;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (dir == NULL || dir[0] == '\0') {
		fprintf(stderr, "harness: KASSA_TEST_ENV is not set: run the tests through ctest, "
				"or scripts/test-env.sh up DIR and KASSA_TEST_ENV=DIR\n");
		return false;
	}
	snprintf(path, sizeof(path), "%s/env", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "harness: cannot open %s: %s (is the test environment up?)\n",
			path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!parse_line(line, &key, &value))
			continue;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (strcmp(key, fields[i].key) != 0)
				continue;
			if (!copy((char *)h + fields[i].off, fields[i].len, value)) {
				fprintf(stderr, "harness: %s too long in %s\n", key, path);
				fclose(f);
				return false;
			}
		}
	}
	fclose(f);
	if (h->host[0] == '\0' || h->port[0] == '\0' || h->certs[0] == '\0' ||
	    h->conninfo[0] == '\0') {
		fprintf(stderr, "harness: %s lacks KASSA_HOST, KASSA_PORT, KASSA_CERTS or "
				"KASSA_CONNINFO\n", path);
		return false;
	}
	if (h->env[0] == '\0' && !copy(h->env, sizeof(h->env), dir))
		return false;
	return true;
}

const char *harness_cert(Harness *h, const char *name, const char *ext)
{
	char *p;

	pthread_mutex_lock(&check_lock);
	p = h->paths[h->next_path++ % 4];
	pthread_mutex_unlock(&check_lock);
	if (snprintf(p, HARNESS_PATH_LEN, "%s/%s%s", h->certs, name, ext) >= HARNESS_PATH_LEN)
		fprintf(stderr, "harness: certificate path too long: %s/%s%s\n", h->certs, name,
			ext);
	return p;
}

static PGconn *pg_connect(Harness *h)
{
	PGconn *c = PQconnectdb(h->conninfo);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "harness: cannot connect to the test database (%s): %s",
			h->conninfo, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

bool harness_psql_scalar(Harness *h, const char *sql, char *out, size_t len)
{
	PGconn *c;
	PGresult *r;
	bool ok = false;

	if (len > 0)
		out[0] = '\0';
	c = pg_connect(h);
	if (c == NULL)
		return false;
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "harness: %s\n  query: %s\n", PQerrorMessage(c), sql);
	} else if (PQntuples(r) < 1 || PQnfields(r) < 1) {
		fprintf(stderr, "harness: no row from: %s\n", sql);
	} else if (len > 0) {
		snprintf(out, len, "%s", PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
		ok = true;
	}
	PQclear(r);
	PQfinish(c);
	return ok;
}

bool harness_psql_exec(Harness *h, const char *sql)
{
	PGconn *c = pg_connect(h);
	PGresult *r;
	ExecStatusType st;
	bool ok;

	if (c == NULL)
		return false;
	r = PQexec(c, sql);
	st = PQresultStatus(r);
	ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "harness: %s\n  statement: %s\n", PQerrorMessage(c), sql);
	PQclear(r);
	PQfinish(c);
	return ok;
}

bool harness_pg(Harness *h, const char *action)
{
	char script[HARNESS_PATH_LEN + 32], cmd[32];
	char bash[] = "bash", *argv[5];
	pid_t pid;
	int status, err;

	if (strcmp(action, "stop") != 0 && strcmp(action, "start") != 0 &&
	    strcmp(action, "restart") != 0) {
		fprintf(stderr, "harness: harness_pg: unknown action '%s'\n", action);
		return false;
	}
	snprintf(script, sizeof(script), "%s/scripts/test-env.sh", h->root);
	snprintf(cmd, sizeof(cmd), "pg-%s", action);
	argv[0] = bash;
	argv[1] = script;
	argv[2] = cmd;
	argv[3] = h->env;
	argv[4] = NULL;
	fflush(stdout);
	fflush(stderr);
	err = posix_spawnp(&pid, "bash", NULL, NULL, argv, environ);
	if (err != 0) {
		fprintf(stderr, "harness: cannot run %s: %s\n", script, strerror(err));
		return false;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "harness: waitpid: %s\n", strerror(errno));
			return false;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "harness: %s %s %s failed (status %d)\n", script, cmd, h->env,
			status);
		return false;
	}
	return true;
}

pid_t harness_kassad_pid(Harness *h)
{
	FILE *f = fopen(h->pid_file, "r");
	long pid = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid > 0 ? (pid_t)pid : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Is test name selected by the command line (no names = all)? */
static bool selected(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int harness_main(int argc, char **argv, const HarnessTest *tests, size_t n)
{
	Harness h;
	size_t i;
	int passed = 0, failed = 0, before;
	double t0;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!harness_init(&h))
		return 1;
	for (i = 0; i < n; i++) {
		if (!selected(argc, argv, tests[i].name))
			continue;
		pthread_mutex_lock(&check_lock);
		current_test = tests[i].name;
		pthread_mutex_unlock(&check_lock);
		h.test = tests[i].name;
		printf("[ RUN  ] %s\n", tests[i].name);
		before = harness_failures();
		t0 = now_s();
		tests[i].fn(&h);
		if (harness_failures() == before) {
			passed++;
			printf("[   OK ] %s (%.2f s)\n", tests[i].name, now_s() - t0);
		} else {
			failed++;
			printf("[ FAIL ] %s (%.2f s, %d failed checks)\n", tests[i].name,
			       now_s() - t0, harness_failures() - before);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	if (passed + failed == 0) {
		fprintf(stderr, "harness: no test matched the names given\n");
		return 1;
	}
	return failed == 0 ? 0 : 1;
}

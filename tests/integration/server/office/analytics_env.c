/* SPDX-License-Identifier: Apache-2.0 */
/*
 * analytics_env.c: test_analytics's own database and kassad (see
 * analytics_env.h). Children are run with fork/exec and waited for with
 * a deadline (kassad itself through itest.h's it_kassad_spawn/stop);
 * kassad's readiness is polled (a TCP connect) with one.
 */
#include "analytics_env.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define ENV_CHILD_TIMEOUT_S 180		/* migrate, seed */
#define ENV_LISTEN_TIMEOUT_S 30		/* kassad up */
#define ENV_STOP_TIMEOUT_S 30		/* kassad drained */

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The environment overrides every child gets (NAME=VALUE): this database,
 * no timers; child_env() and it_kassad_spawn() add this port.
 */
static const char *const *overrides(const AnalyticsEnv *e)
{
	static char conninfo[sizeof(e->h.conninfo) + 32];
	static const char *env[] = {
		conninfo,
		"KASSA_DATABASE_REPORT_DSN=",
		"KASSA_ADMIN_DASHBOARD_LISTEN=",
		"KASSA_ANALYTICS_INTERVAL=0",
		"KASSA_LOYALTY_JOBS_INTERVAL=0",
		"KASSA_LOYALTY_TIMEZONE=Asia/Shanghai",
		/* room for the statements test_analytics holds on a lock on purpose (late_race) */
		"KASSA_DATABASE_QUERY_TIMEOUT_MS=15000",
		NULL
	};

	snprintf(conninfo, sizeof(conninfo), "KASSA_DATABASE_CONNINFO=%s", e->h.conninfo);
	return env;
}

static void child_env(const AnalyticsEnv *e)
{
	char listen[64];

	snprintf(listen, sizeof(listen), "127.0.0.1:%s", e->h.port);
	setenv("KASSA_SERVER_LISTEN", listen, 1);
	it_setenv_each(overrides(e));
}

/* Start argv[0] with the overrides, output into log (appended); its pid, -1 on failure. */
static pid_t spawn(const AnalyticsEnv *e, char *const argv[], const char *log)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		child_env(e);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Wait at most timeout_s for pid; its exit status, -1 (killed) on a timeout or a signal. */
static int wait_for(pid_t pid, int timeout_s)
{
	int status;

	for (int i = 0; i < timeout_s * 20; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/* Run a child to its end (bounded); true if it exited 0. */
static bool run(const AnalyticsEnv *e, char *const argv[], const char *what, const char *log)
{
	pid_t pid = spawn(e, argv, log);
	int rc = pid > 0 ? wait_for(pid, ENV_CHILD_TIMEOUT_S) : -1;

	return CHECK(rc == 0, "%s exited %d (log %s)", what, rc, log);
}

/* True once something accepts on 127.0.0.1:port. */
static bool listening(const char *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)atoi(port));
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The database: created, migrated by kassad, seeded without members. */
static bool env_database(AnalyticsEnv *e, const Harness *fixture, const char *log)
{
	char sql[256], seed[HARNESS_PATH_LEN + 32];
	char *migrate[] = { e->h.kassad, "migrate", "--config", e->h.config, NULL };
	char *seeding[] = { "/bin/bash", seed, e->h.conninfo, e->h.kassad, "--members", "0",
			    "--products", "20", NULL };
	Harness main_db = *fixture;

	snprintf(e->db, sizeof(e->db), "kassa_analytics_%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", e->db);
	if (!CHECK(harness_psql_exec(&main_db, sql), "drop an old %s", e->db))
		return false;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", e->db);
	if (!CHECK(harness_psql_exec(&main_db, sql), "create %s", e->db))
		return false;
	/* a repeated keyword: libpq takes the last one */
	if (!CHECK(strlen(fixture->conninfo) + strlen(e->db) + 10 < sizeof(e->h.conninfo),
		   "conninfo fits"))
		return false;
	snprintf(e->h.conninfo, sizeof(e->h.conninfo), "%s dbname=%s", fixture->conninfo, e->db);
	snprintf(seed, sizeof(seed), "%s/scripts/seed.sh", fixture->root);
	return run(e, migrate, "kassad migrate", log) && run(e, seeding, "seed.sh", log);
}

bool analytics_env_up(AnalyticsEnv *e, const Harness *fixture)
{
	char log[128];
	ItKassad k = { 0 };

	memset(e, 0, sizeof(*e));
	e->h = *fixture;
	snprintf(e->dir, sizeof(e->dir), "/tmp/kassa-analytics-XXXXXX");
	if (!CHECK(mkdtemp(e->dir) != NULL, "temporary directory") ||
	    !CHECK(it_free_port(e->h.port), "a free port"))
		return false;
	snprintf(log, sizeof(log), "%s/setup.log", e->dir);
	if (!env_database(e, fixture, log))
		return false;
	snprintf(k.dir, sizeof(k.dir), "%s", e->dir);
	snprintf(k.port, sizeof(k.port), "%s", e->h.port);
	if (!CHECK(it_kassad_spawn(&e->h, &k, NULL, overrides(e)), "start kassad"))
		return false;
	e->pid = k.pid;
	snprintf(log, sizeof(log), "%s", k.log);
	for (int i = 0; i < ENV_LISTEN_TIMEOUT_S * 20; i++) {
		int status;

		if (listening(e->h.port)) {
			e->up = true;
			return true;
		}
		if (waitpid(e->pid, &status, WNOHANG) == e->pid) {
			e->pid = 0;
			return CHECK(false, "kassad exited at start (log %s)", log);
		}
		sleep_ms(50);
	}
	return CHECK(false, "kassad did not listen on %s within %d s (log %s)", e->h.port,
		     ENV_LISTEN_TIMEOUT_S, log);
}

void analytics_env_down(AnalyticsEnv *e, Harness *fixture)
{
	char sql[256];

	if (e->pid > 0) {
		ItKassad k = { .pid = e->pid };
		int rc = it_kassad_stop(&k, ENV_STOP_TIMEOUT_S);

		CHECK(rc == 0, "the analytics test's kassad exited %d on SIGTERM (log %s/kassad.log)",
		      rc, e->dir);
		e->pid = 0;
	}
	if (e->db[0] != '\0') {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", e->db);
		CHECK(harness_psql_exec(fixture, sql), "drop %s", e->db);
	}
	if (e->dir[0] != '\0' && harness_failures() == 0) {	/* the logs stay after a failure */
		char path[128], keep[512];
		const char *env = getenv("KASSA_TEST_ENV");

		snprintf(path, sizeof(path), "%s/setup.log", e->dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/kassad.log", e->dir);
		/* kept for the suite's log privacy scan (server/test_log_privacy.sh) */
		snprintf(keep, sizeof(keep), "%s/kassad-analytics.%d.log", env ? env : ".", (int)getpid());
		if (rename(path, keep) != 0)
			unlink(path);
		rmdir(e->dir);
	}
	e->up = false;
}

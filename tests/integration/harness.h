/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harness: what every C integration test links. It reads the environment
 * scripts/test-env.sh wrote (KASSA_TEST_ENV/env: kassad's address, the
 * certificate directory, the PostgreSQL port and conninfo), answers paths
 * of certificates, runs SQL straight against the test database, stops and
 * starts that database, and runs a table of tests:
 *
 *	static void test_something(Harness *h) { CHECK(1 + 1 == 2, "sum %d", 2); }
 *	static const HarnessTest tests[] = { { "something", test_something } };
 *	int main(int argc, char **argv)
 *	{
 *		return harness_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
 *	}
 *
 * A test program given test names on its command line runs only those.
 * Blocking calls are fine here: this is test code, not the server.
 */
#ifndef KASSA_HARNESS_H
#define KASSA_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HARNESS_PATH_LEN 1024

typedef struct Harness {
	char host[64];			/* KASSA_HOST: kassad's address, "127.0.0.1" */
	char port[16];			/* KASSA_PORT: kassad's TLS port, as text */
	char pg_port[16];		/* KASSA_PG_PORT */
	char certs[HARNESS_PATH_LEN];	/* KASSA_CERTS: ca.crt, <till>.crt/.key, rogue.* */
	char conninfo[512];		/* KASSA_CONNINFO: libpq string for the test database */
	char env[HARNESS_PATH_LEN];	/* KASSA_ENV: the environment directory */
	char config[HARNESS_PATH_LEN];	/* KASSA_CONFIG: kassad.ini */
	char pid_file[HARNESS_PATH_LEN]; /* KASSA_PID_FILE */
	char kassad[HARNESS_PATH_LEN];	/* KASSA_KASSAD: the binary under test */
	char root[HARNESS_PATH_LEN];	/* KASSA_ROOT: the source tree (scripts/, migrations/) */
	const char *test;		/* name of the test running now */
	/* harness_cert() results: a few rotating buffers, so two calls in one
	 * expression do not overwrite each other. */
	char paths[4][HARNESS_PATH_LEN];
	unsigned next_path;
} Harness;

typedef struct HarnessTest {
	const char *name;
	void (*fn)(Harness *h);
} HarnessTest;

/*
 * CHECK(cond, fmt, ...): record a failure of the running test (with file,
 * line and the printf-style message) when cond is false; the test goes on.
 * Evaluates to cond, so `if (!CHECK(x, "...")) return;` stops early.
 * Safe to use from several threads at once.
 */
#define CHECK(cond, ...) harness_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

bool harness_check(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Failures CHECK has recorded so far, over all tests of this program. */
int harness_failures(void);

/* Load KASSA_TEST_ENV/env into h; false (with a message on stderr) if it is missing. */
bool harness_init(Harness *h) __attribute__((warn_unused_result));

/* "<certs>/<name><ext>", e.g. harness_cert(h, "S001-T1", ".key"); "ca", "rogue" work too. */
const char *harness_cert(Harness *h, const char *name, const char *ext);

/*
 * Run sql against the test database and copy the first column of the first
 * row into out (a NULL value gives ""). False, with the error on stderr, if
 * the query fails or returns no row. Opens its own connection each call.
 */
bool harness_psql_scalar(Harness *h, const char *sql, char *out, size_t len)
	__attribute__((warn_unused_result));

/* Run sql (any statements, no result wanted); false with the error on stderr. */
bool harness_psql_exec(Harness *h, const char *sql) __attribute__((warn_unused_result));

/* Stop, start or restart the test PostgreSQL: action is "stop", "start" or "restart". */
bool harness_pg(Harness *h, const char *action) __attribute__((warn_unused_result));

/* The pid of the kassad under test (from its pid file), or -1. */
pid_t harness_kassad_pid(Harness *h);

/*
 * Run every test in the table (or only those named in argv[1..]), print
 * one line per test and "N passed, N failed"; returns the process exit
 * status: 0 when all passed. Ignores SIGPIPE for the whole program.
 */
int harness_main(int argc, char **argv, const HarnessTest *tests, size_t n);

#endif

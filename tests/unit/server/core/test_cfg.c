/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cfg: kassad's configuration (server/core/cfg.c). It guards that a
 * good INI file sets what it says (sections and keys in any case, values
 * with spaces and '=' kept whole) over the built-in defaults, and that a
 * second load starts from the defaults again; that a mistake stops the
 * start with a log line naming it: an unknown key or section (every one of
 * them, not only the first), a value that is not an integer, one out of
 * its range, a syntax error, a file that cannot be read; that the
 * environment (KASSA_<SECTION>_<KEY>) overrides the file and is checked as
 * strictly; and that cfg_validate() refuses settings that cannot work
 * together: a missing TLS file when serving, a pool larger than its queue,
 * an unknown log level, a time zone that is not a plain tz database name.
 * Also that --set beats the environment which beats the file, with each
 * value's origin (file:line, env, flag) printed and passwords starred; and
 * that a reload's shadow copy applies only what may change while running,
 * keeps start-up's own values, undoes itself, and is refused whole when bad.
 * Log lines are read back from stderr, redirected to a temporary file
 * around each call. Other keys come and go in cfg.c's table: these tests
 * use only a few and never assume the whole list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"
#include "core.h"

extern char **environ;

static char tmpdir[] = "/tmp/kassa-test-cfg-XXXXXX";
static char ini_path[64];
static char logged[16384];	/* what the last call logged */

/* ---- capturing log lines (they go to stderr) ---- */

static FILE *capture_file;
static int saved_stderr = -1;

static void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture_file), STDERR_FILENO) >= 0);
}

static void capture_end(void)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(capture_file);
	n = fread(logged, 1, sizeof(logged) - 1, capture_file);
	logged[n] = '\0';
	fclose(capture_file);
	capture_file = NULL;
}

#define assert_logged(s) \
	do { \
		if (strstr(logged, (s)) == NULL) \
			fail_msg("log lacks \"%s\"; it has:\n%s", (s), logged); \
	} while (0)

/* ---- loading ---- */

static void write_ini(const char *text)
{
	FILE *f = fopen(ini_path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* cfg_load() of text (NULL: no file), with its log in logged[]. */
static bool load(const char *text)
{
	bool ok;

	if (text)
		write_ini(text);
	capture_start();
	ok = cfg_load(text ? ini_path : NULL);
	capture_end();
	return ok;
}

static bool validate(bool serving)
{
	bool ok;

	capture_start();
	ok = cfg_validate(serving);
	capture_end();
	return ok;
}

/* Remove every KASSA_* variable, so that only what a test sets counts. */
static void clear_kassa_env(void)
{
	char name[256];

	for (;;) {
		char **e = environ;

		while (*e && strncmp(*e, "KASSA_", 6) != 0)
			e++;
		if (*e == NULL)
			return;
		size_t n = strcspn(*e, "=");

		assert_true(n < sizeof(name));
		memcpy(name, *e, n);
		name[n] = '\0';
		assert_int_equal(unsetenv(name), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	clear_kassa_env();
	logged[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_kassa_env();
	unlink(ini_path);
	return 0;
}

/* ---- the tests ---- */

static void test_defaults_without_file(void **state)
{
	(void)state;
	assert_true(load(NULL));
	assert_string_equal(logged, "");
	assert_string_equal(cf_listen, "127.0.0.1:7443");
	assert_int_equal(cf_max_frame, 1048576);
	assert_string_equal(cf_db_conninfo, "dbname=kassa");
	assert_string_equal(cf_log_level, "info");
	assert_string_equal(cf_tls_cert, "");	/* required ones start empty, not NULL */
	assert_true(validate(false));
}

static void test_good_file(void **state)
{
	(void)state;
	assert_true(load("; a comment\n"
			 "# another\n"
			 "[server]\n"
			 "listen = 127.0.0.1:9443, [::1]:9443\n"
			 "max_frame = 2048\n"
			 "max_in_flight = 1\n"
			 "\n"
			 "[database]\n"
			 "conninfo = host=/tmp port=5433 dbname=kassa_test\n"
			 "pool_size = 4\n"
			 "[LOG]\n"
			 "Level = debug\n"
			 "[tls]\n"
			 "cert = /etc/kassa/server.crt\n"));
	assert_string_equal(logged, "");
	assert_string_equal(cf_listen, "127.0.0.1:9443, [::1]:9443");
	assert_int_equal(cf_max_frame, 2048);
	assert_int_equal(cf_max_in_flight, 1);
	assert_string_equal(cf_db_conninfo, "host=/tmp port=5433 dbname=kassa_test");
	assert_int_equal(cf_db_pool_size, 4);
	assert_string_equal(cf_log_level, "debug");
	assert_string_equal(cf_tls_cert, "/etc/kassa/server.crt");
}

/* A second load (a reload, or the next test) starts from the defaults. */
static void test_reload_starts_from_defaults(void **state)
{
	(void)state;
	assert_true(load("[server]\nmax_frame = 2048\n[tls]\ncert = a.crt\n"));
	assert_int_equal(cf_max_frame, 2048);
	assert_true(load("[server]\nmax_sessions = 10\n"));
	assert_int_equal(cf_max_frame, 1048576);
	assert_string_equal(cf_tls_cert, "");
	assert_int_equal(cf_max_sessions, 10);
}

static void test_unknown_key(void **state)
{
	(void)state;
	assert_false(load("[server]\nmax_frames = 2048\n"));
	assert_logged("unknown setting [server] max_frames");
	assert_logged(ini_path);

	/* every typo is named, not only the first; a good line between is no excuse */
	assert_false(load("[server]\nlisten_on = x\nmax_frame = 4096\n"
			  "[databse]\npool_size = 4\n"));
	assert_logged("[server] listen_on");
	assert_logged("[databse] pool_size");
	assert_null(strstr(logged, "syntax error"));	/* a typo is not called one */

	/* a key before any section belongs to none */
	assert_false(load("max_frame = 4096\n[server]\n"));
	assert_logged("unknown setting [] max_frame");
}

static void test_bad_integer(void **state)
{
	static const char *bad[] = { "12abc", "1.5", "0x10", "ten", "4096 bytes", "--1" };
	char text[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "[server]\nmax_frame = %s\n", bad[i]);
		assert_false(load(text));
		assert_logged("server.max_frame must be an integer");
		assert_logged(bad[i]);
	}
	assert_false(load("[server]\nmax_frame =\n"));		/* empty */
	assert_logged("server.max_frame must be an integer");
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_false(load("[server]\nmax_in_flight = 0\n"));
	assert_logged("server.max_in_flight must be an integer from 1 to 1024, not \"0\"");
	assert_false(load("[server]\nmax_in_flight = 1025\n"));
	assert_logged("not \"1025\"");
	assert_false(load("[server]\nidle_timeout = -1\n"));
	assert_logged("server.idle_timeout");
	/* beyond long: strtol's ERANGE, not a wrapped value */
	assert_false(load("[server]\nmax_in_flight = 99999999999999999999\n"));
	assert_logged("server.max_in_flight");
	/* beyond int but within long: must not wrap into range */
	assert_false(load("[server]\nmax_in_flight = 4294967297\n"));
	assert_logged("server.max_in_flight");

	/* the bounds themselves are allowed */
	assert_true(load("[server]\nmax_in_flight = 1\nidle_timeout = 0\n"));
	assert_int_equal(cf_max_in_flight, 1);
	assert_int_equal(cf_idle_timeout, 0);
	assert_true(load("[server]\nmax_in_flight = 1024\n"));
	assert_int_equal(cf_max_in_flight, 1024);
}

static void test_unreadable_file(void **state)
{
	char missing[96];
	bool ok;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such.ini", tmpdir);
	capture_start();
	ok = cfg_load(missing);
	capture_end();
	assert_false(ok);
	assert_logged("could not read config file");
	assert_logged(missing);
}

static void test_syntax_error(void **state)
{
	(void)state;
	assert_false(load("[server]\nmax_frame = 2048\nthis line has no equals sign\n"));
	assert_logged(":3: syntax error");
	assert_false(load("[server\nmax_frame = 2048\n"));
	assert_logged(":1: syntax error");
}

static void test_environment_overrides(void **state)
{
	(void)state;
	assert_int_equal(setenv("KASSA_SERVER_MAX_FRAME", "4096", 1), 0);
	assert_int_equal(setenv("KASSA_DATABASE_CONNINFO", "host=db dbname=shop", 1), 0);
	assert_true(load("[server]\nmax_frame = 2048\nmax_sessions = 50\n"));
	assert_int_equal(cf_max_frame, 4096);		/* the environment wins */
	assert_int_equal(cf_max_sessions, 50);		/* the file still counts */
	assert_string_equal(cf_db_conninfo, "host=db dbname=shop");

	assert_true(load(NULL));			/* and without a file */
	assert_int_equal(cf_max_frame, 4096);

	/* the name is upper case: a lower-case one is not ours */
	assert_int_equal(unsetenv("KASSA_SERVER_MAX_FRAME"), 0);
	assert_int_equal(setenv("kassa_server_max_frame", "4096", 1), 0);
	assert_true(load(NULL));
	assert_int_equal(cf_max_frame, 1048576);
	assert_int_equal(unsetenv("kassa_server_max_frame"), 0);
}

static void test_environment_checked(void **state)
{
	(void)state;
	assert_int_equal(setenv("KASSA_SERVER_MAX_IN_FLIGHT", "5000", 1), 0);
	assert_false(load(NULL));
	assert_logged("KASSA_SERVER_MAX_IN_FLIGHT");
	assert_logged("server.max_in_flight must be an integer from 1 to 1024");

	assert_int_equal(setenv("KASSA_SERVER_MAX_IN_FLIGHT", "8k", 1), 0);
	assert_false(load("[server]\nmax_in_flight = 8\n"));
	assert_logged("not \"8k\"");
}

static void test_validate_serving_needs_tls(void **state)
{
	(void)state;
	assert_true(load(NULL));
	assert_true(validate(false));		/* `kassad migrate` needs no TLS */
	assert_false(validate(true));
	assert_logged("[tls] cert must be set");
	assert_logged("[tls] key must be set");
	assert_logged("[tls] ca must be set");

	assert_true(load("[tls]\ncert = s.crt\nkey = s.key\n"));
	assert_false(validate(true));
	assert_logged("[tls] ca must be set");
	assert_null(strstr(logged, "[tls] cert"));

	assert_true(load("[tls]\ncert = s.crt\nkey = s.key\nca = ca.crt\n"));
	assert_true(validate(true));		/* crl is optional */
	assert_string_equal(logged, "");
}

static void test_validate_pool_and_queue(void **state)
{
	(void)state;
	assert_true(load("[database]\npool_size = 8\nqueue_max = 4\n"));	/* each in range */
	assert_false(validate(false));
	assert_logged("queue_max must be at least pool_size");
	assert_true(load("[database]\npool_size = 9\nqueue_max = 8\n"));
	assert_false(validate(false));
	assert_logged("queue_max must be at least pool_size");
	assert_true(load("[database]\npool_size = 8\nqueue_max = 8\n"));
	assert_true(validate(false));
}

static void test_validate_log_level(void **state)
{
	(void)state;
	assert_true(load("[log]\nlevel = verbose\n"));	/* any string loads ... */
	assert_false(validate(false));			/* ... but does not validate */
	assert_logged("[log] level must be");
	assert_logged("verbose");
	assert_true(load("[log]\nlevel = WARN\n"));
	assert_true(validate(false));
}

static void assert_timezone(const char *tz, bool ok)
{
	char text[160];

	snprintf(text, sizeof(text), "[loyalty]\ntimezone = %s\n", tz);
	assert_true(load(text));
	if (validate(false) != ok)
		fail_msg("timezone \"%s\" should be %s", tz, ok ? "accepted" : "refused");
	if (!ok)
		assert_logged("[loyalty] timezone");
}

static void test_validate_timezone(void **state)
{
	(void)state;
	assert_timezone("", true);			/* the host's */
	/* names that could leave the zone directory or a SET statement */
	assert_timezone("../../etc/passwd", false);
	assert_timezone("/etc/localtime", false);
	assert_timezone("Asia/Shanghai';DROP", false);
	assert_timezone("Asia/Shang hai", false);
	assert_timezone("Nowhere/Atlantis", false);	/* well-formed but not a zone */
	if (access("/usr/share/zoneinfo/Asia/Shanghai", R_OK) == 0) {
		assert_timezone("Asia/Shanghai", true);
		assert_timezone("UTC", true);
		/* existing files, reached by a path that is not a zone name */
		assert_timezone("/UTC", false);
		assert_timezone("Asia/../UTC", false);
	}
}

/* ---- --set, origins, the reload's shadow copy (cfg.h) ---- */

/* cfg_print() into printed[] */
static char printed[16384];
static void print_config(void)
{
	FILE *f = tmpfile();
	size_t n;

	assert_non_null(f);
	cfg_print(f);
	rewind(f);
	n = fread(printed, 1, sizeof(printed) - 1, f);
	printed[n] = '\0';
	fclose(f);
}

#define assert_printed(s) \
	do { \
		if (strstr(printed, (s)) == NULL) \
			fail_msg("check-config lacks \"%s\"; it has:\n%s", (s), printed); \
	} while (0)

static void test_set_beats_env_beats_file(void **state)
{
	char line[160];

	(void)state;
	assert_false(cfg_add_override("server.max_frame"));	/* no value */
	assert_false(cfg_add_override("=4096"));
	assert_false(cfg_add_override("max_frame=4096"));	/* no section */
	assert_false(cfg_add_override(".max_frame=4096"));
	assert_false(cfg_add_override("server.=4096"));
	assert_true(load("[server]\nmax_frame = 2048\nmax_in_flight = 7\n"));
	print_config();
	snprintf(line, sizeof(line), "server.max_frame = 2048  # %s:2\n", ini_path);
	assert_printed(line);
	assert_printed("server.max_sessions = 20000  # default\n");
	assert_int_equal(setenv("KASSA_SERVER_MAX_FRAME", "4096", 1), 0);
	assert_true(load("[server]\nmax_frame = 2048\n"));
	assert_int_equal(cf_max_frame, 4096);
	print_config();
	assert_printed("server.max_frame = 4096  # env KASSA_SERVER_MAX_FRAME\n");
	assert_true(cfg_add_override("server.max_frame=8192"));
	assert_true(cfg_add_override("Database.conninfo=host=db password=s3cret dbname=k"));
	assert_true(load("[server]\nmax_frame = 2048\n"));
	assert_int_equal(cf_max_frame, 8192);
	assert_string_equal(cf_db_conninfo, "host=db password=s3cret dbname=k");
	print_config();
	assert_printed("server.max_frame = 8192  # flag --set\n");
	assert_printed("database.conninfo = host=db password=*** dbname=k  # flag --set\n");
	assert_null(strstr(printed, "s3cret"));
	assert_true(cfg_add_override("server.no_such=1"));
	assert_false(load(NULL));
	assert_logged("--set server.no_such=1: unknown setting [server] no_such");
	cfg_clear_overrides();
}

static void test_shadow_keeps_restart_only(void **state)
{
	CfgShadow *s;

	(void)state;
	assert_true(load("[server]\nlisten = 127.0.0.1:1000\nmax_frame = 2048\n"));
	cf_max_sessions = 10;	/* what start-up lowered it to (the descriptor limit) */
	write_ini("[server]\nlisten = 127.0.0.1:2000\nmax_frame = 4096\n");
	s = cfg_shadow_read();
	assert_non_null(s);
	assert_int_equal(cf_max_frame, 2048);		/* read, not applied */
	cfg_shadow_swap(s, CFG_SWAP_ALL);
	assert_string_equal(cf_listen, "127.0.0.1:2000");	/* what the file says, to validate */
	cfg_shadow_swap(s, CFG_SWAP_RESTART);
	assert_string_equal(cf_listen, "127.0.0.1:1000");	/* restart-only: as it runs */
	assert_int_equal(cf_max_sessions, 10);		/* start-up's value survives */
	assert_int_equal(cf_max_frame, 4096);		/* applied */
	cfg_shadow_swap(s, CFG_SWAP_LIVE);		/* and undone, as a failed reload does */
	assert_int_equal(cf_max_frame, 2048);
	assert_int_equal(cf_max_sessions, 10);
	cfg_shadow_free(s);
	write_ini("[server]\nmax_frame = lots\n");
	cfg_clear_error();
	capture_start();
	s = cfg_shadow_read();
	capture_end();
	assert_null(s);
	assert_non_null(strstr(cfg_first_error(), "server.max_frame must be an integer"));
	assert_int_equal(cf_max_frame, 2048);		/* a bad file changes nothing */
	assert_string_equal(cf_listen, "127.0.0.1:1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults_without_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_starts_from_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_integer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_serving_needs_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_pool_and_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_log_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_timezone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_beats_env_beats_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shadow_keeps_restart_only, setup, teardown),
	};
	int failed;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(ini_path, sizeof(ini_path), "%s/kassad.ini", tmpdir);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(ini_path);
	rmdir(tmpdir);
	return failed;
}

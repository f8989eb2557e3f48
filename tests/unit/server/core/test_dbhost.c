/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_dbhost: which conninfo hosts are names that kassad must resolve
 * itself, and the libpq parameters built from what they resolved to: the
 * name stays in host= (TLS verification), each address goes to hostaddr=,
 * ports follow their host; numeric addresses and socket directories pass
 * through; a name that resolved to nothing is skipped; lists of the wrong
 * length are refused like libpq refuses them; PGHOST counts when the
 * conninfo has no host.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dbhost.h"

static char err[256];

static DbHosts *parse(const char *conninfo)
{
	return dbhost_parse(conninfo, NULL, NULL, NULL, err, sizeof(err));
}

/* The value of key in p, or NULL. */
static const char *param(const DbParams *p, const char *key)
{
	for (int i = 0; p->keys[i]; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->vals[i];
	return NULL;
}

static void addrs_set(DbAddrs *a, int n, const char *const *list)
{
	memset(a, 0, sizeof(*a));
	a->n = n;
	for (int i = 0; i < n; i++)
		snprintf(a->addr[i], sizeof(a->addr[i]), "%s", list[i]);
}

static void test_name_becomes_hostaddr(void **state)
{
	DbHosts *h = parse("host=db port=5432 dbname=kassa user=kassa sslmode=verify-full");
	const char *ips[] = { "10.0.0.1", "fd00::1" };
	DbAddrs a[1];
	DbParams p;

	(void)state;
	assert_non_null(h);
	assert_true(h->any_name);
	assert_int_equal(h->nhosts, 1);
	addrs_set(&a[0], 2, ips);
	assert_true(dbhost_params(h, a, &p));
	assert_string_equal(param(&p, "host"), "db,db");
	assert_string_equal(param(&p, "hostaddr"), "10.0.0.1,fd00::1");
	assert_string_equal(param(&p, "port"), "5432,5432");
	assert_string_equal(param(&p, "dbname"), "kassa");
	assert_string_equal(param(&p, "sslmode"), "verify-full");
	dbhost_params_free(&p);
	dbhost_free(h);
}

static void test_mixed_list(void **state)
{
	DbHosts *h = parse("host=127.0.0.1,db,/run/postgresql port=1,5432,5433 dbname=kassa");
	const char *ips[] = { "10.0.0.9" };
	DbAddrs a[3] = { { 0 } };
	DbParams p;

	(void)state;
	assert_non_null(h);
	assert_int_equal(h->nhosts, 3);
	assert_false(h->is_name[0]);
	assert_true(h->is_name[1]);
	assert_false(h->is_name[2]);
	addrs_set(&a[1], 1, ips);
	assert_true(dbhost_params(h, a, &p));
	assert_string_equal(param(&p, "host"), "127.0.0.1,db,/run/postgresql");
	assert_string_equal(param(&p, "hostaddr"), ",10.0.0.9,");
	assert_string_equal(param(&p, "port"), "1,5432,5433");
	dbhost_params_free(&p);
	dbhost_free(h);
}

static void test_unresolved_name_skipped(void **state)
{
	DbHosts *h = parse("host=bad.invalid,localhost port=5432");
	const char *ips[] = { "127.0.0.1" };
	DbAddrs a[2] = { { 0 } };
	DbParams p;

	(void)state;
	assert_non_null(h);
	addrs_set(&a[1], 1, ips);
	assert_true(dbhost_params(h, a, &p));
	assert_string_equal(param(&p, "host"), "localhost");
	assert_string_equal(param(&p, "hostaddr"), "127.0.0.1");
	dbhost_params_free(&p);
	a[1].n = 0;
	assert_false(dbhost_params(h, a, &p));	/* nothing left to connect to */
	dbhost_free(h);
}

static void test_no_names(void **state)
{
	const char *cases[] = {
		"host=127.0.0.1 port=5432 dbname=kassa",
		"host=::1 dbname=kassa",
		"host=/run/postgresql dbname=kassa",
		"dbname=kassa",
		"host=db hostaddr=10.1.1.1 dbname=kassa",	/* the operator resolved it */
		"hostaddr=10.1.1.1 dbname=kassa",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		DbHosts *h = parse(cases[i]);

		assert_non_null(h);
		if (h->any_name)
			fail_msg("\"%s\" needs no lookup", cases[i]);
		dbhost_free(h);
	}
}

static void test_uri_and_environment(void **state)
{
	DbHosts *h = parse("postgresql://kassa@db.example:6543/kassa");
	const char *ips[] = { "192.0.2.7" };
	DbAddrs a[1];
	DbParams p;

	(void)state;
	assert_non_null(h);
	assert_true(h->any_name);
	addrs_set(&a[0], 1, ips);
	assert_true(dbhost_params(h, a, &p));
	assert_string_equal(param(&p, "host"), "db.example");
	assert_string_equal(param(&p, "port"), "6543");
	assert_string_equal(param(&p, "user"), "kassa");
	dbhost_params_free(&p);
	dbhost_free(h);

	h = dbhost_parse("dbname=kassa", "pg.example", "5439", NULL, err, sizeof(err));
	assert_non_null(h);
	assert_true(h->any_name);
	assert_string_equal(h->hosts[0], "pg.example");
	assert_string_equal(h->ports[0], "5439");
	dbhost_free(h);
	h = dbhost_parse("host=127.0.0.1", "pg.example", NULL, NULL, err, sizeof(err));
	assert_non_null(h);
	assert_false(h->any_name);		/* the conninfo wins over PGHOST */
	dbhost_free(h);
}

static void test_refused(void **state)
{
	(void)state;
	assert_null(parse("host=a,b,c port=1,2"));
	assert_non_null(strstr(err, "3 hosts"));
	assert_null(parse("host=a,b hostaddr=10.0.0.1,10.0.0.2,10.0.0.3"));
	assert_null(parse("host=a,b,c,d,e,f,g,h,i"));	/* names: at most 8 */
	assert_null(parse("host=db port"));		/* libpq's own syntax error */
}

static void test_numeric(void **state)
{
	(void)state;
	assert_true(dbhost_is_numeric("127.0.0.1"));
	assert_true(dbhost_is_numeric("::1"));
	assert_true(dbhost_is_numeric("fd00::5"));
	assert_false(dbhost_is_numeric("localhost"));
	assert_false(dbhost_is_numeric("10.0.0"));
	assert_false(dbhost_is_numeric(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_becomes_hostaddr),
		cmocka_unit_test(test_mixed_list),
		cmocka_unit_test(test_unresolved_name_skipped),
		cmocka_unit_test(test_no_names),
		cmocka_unit_test(test_uri_and_environment),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_numeric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

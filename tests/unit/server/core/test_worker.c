/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_worker: the argon2 worker queue is bounded. With one thread held
 * busy, cf_worker_queue_max jobs may wait and the next is answered
 * UNAVAILABLE "BUSY" at once; a job that waited longer than
 * cf_worker_queue_timeout_ms is answered the same way instead of being run;
 * a refused job of a Call whose till has gone is only freed; and jobs that
 * fit run and their done functions fire on the loop. worker.c is compiled
 * in, with call_fail/call_free replaced by recorders (no sessions, no
 * database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <event2/event.h>

#include "core.h"
#include "worker.h"

/* ---- what worker.c needs from the rest of kassad ---- */

struct event_base *g_base;
int cf_worker_queue_max = 3;
int cf_worker_queue_timeout_ms = 5000;

static int refused;			/* call_fail(UNAVAILABLE, "BUSY") seen */
static int freed;			/* call_free() seen */
static char last_detail[32];

void call_fail(Call *c, Kassa__V1__StatusCode code, const char *detail, const char *fmt, ...)
{
	(void)fmt;
	assert_int_equal(code, KASSA__V1__STATUS_CODE__UNAVAILABLE);
	snprintf(last_detail, sizeof(last_detail), "%s", detail);
	refused++;
	free(c);
}

void call_free(Call *c)
{
	freed++;
	free(c);
}

/* ---- jobs ---- */

static atomic_int ran;			/* work functions run */
static int done;			/* done functions fired (loop thread) */
static atomic_bool hold;		/* the blocker waits while this is set */
static atomic_bool blocker_running;

static void work_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ran, 1);
}

static void work_block(void *arg)
{
	(void)arg;
	atomic_store(&blocker_running, true);
	while (atomic_load(&hold)) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	atomic_fetch_add(&ran, 1);
}

static void done_count(void *arg)
{
	Call *c = arg;

	done++;
	free(c);
}

static Call *new_call(bool orphan)
{
	Call *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->sess = orphan ? NULL : (Session *)(uintptr_t)1;	/* never dereferenced */
	return c;
}

/* Occupy the only thread until release_and_drain() */
static void block_thread(void)
{
	Call *c = new_call(false);

	atomic_store(&hold, true);
	atomic_store(&blocker_running, false);
	worker_submit_call(c, work_block, done_count, c);
	for (int i = 0; i < 5000 && !atomic_load(&blocker_running); i++) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&blocker_running));
}

/* Let the blocker finish and run the loop until expected done+refused+freed (bounded). */
static void release_and_drain(int expected)
{
	atomic_store(&hold, false);
	for (int i = 0; i < 2000 && done + refused + freed < expected; i++) {
		struct timeval tv = { 0, 5000 };

		event_base_loopexit(g_base, &tv);
		event_base_dispatch(g_base);
	}
	assert_int_equal(done + refused + freed, expected);
	assert_int_equal(worker_busy(), 0);
}

static void reset(void)
{
	atomic_store(&ran, 0);
	done = refused = freed = 0;
	last_detail[0] = '\0';
}

static void test_full_queue_refuses(void **state)
{
	(void)state;
	reset();
	cf_worker_queue_timeout_ms = 5000;
	block_thread();
	for (int i = 0; i < cf_worker_queue_max; i++) {
		Call *c = new_call(false);

		worker_submit_call(c, work_count, done_count, c);
	}
	assert_int_equal(refused, 0);
	Call *extra = new_call(false);

	worker_submit_call(extra, work_count, done_count, extra);
	assert_int_equal(refused, 1);		/* answered at once, not queued */
	assert_string_equal(last_detail, "BUSY");
	release_and_drain(1 + cf_worker_queue_max + 1);
	assert_int_equal(done, 1 + cf_worker_queue_max);
	assert_int_equal(atomic_load(&ran), 1 + cf_worker_queue_max);
}

static void test_orphan_refused_is_freed(void **state)
{
	(void)state;
	reset();
	cf_worker_queue_timeout_ms = 5000;
	block_thread();
	for (int i = 0; i < cf_worker_queue_max; i++) {
		Call *c = new_call(false);

		worker_submit_call(c, work_count, done_count, c);
	}
	Call *gone = new_call(true);

	worker_submit_call(gone, work_count, done_count, gone);
	assert_int_equal(freed, 1);
	assert_int_equal(refused, 0);
	release_and_drain(1 + cf_worker_queue_max + 1);
}

static void test_waited_too_long(void **state)
{
	struct timespec ts = { 0, 150 * 1000000L };

	(void)state;
	reset();
	cf_worker_queue_timeout_ms = 50;
	block_thread();
	for (int i = 0; i < 2; i++) {
		Call *c = new_call(false);

		worker_submit_call(c, work_count, done_count, c);
	}
	nanosleep(&ts, NULL);	/* the queued jobs age past their 50 ms deadline */
	release_and_drain(1 + 2);
	assert_int_equal(refused, 2);
	assert_string_equal(last_detail, "BUSY");
	assert_int_equal(done, 1);			/* only the blocker's */
	assert_int_equal(atomic_load(&ran), 1);	/* the stale jobs never ran */
	cf_worker_queue_timeout_ms = 5000;
}

static void test_jobs_that_fit_run(void **state)
{
	(void)state;
	reset();
	for (int i = 0; i < cf_worker_queue_max; i++) {
		Call *c = new_call(false);

		worker_submit_call(c, work_count, done_count, c);
	}
	release_and_drain(cf_worker_queue_max);
	assert_int_equal(done, cf_worker_queue_max);
	assert_int_equal(refused, 0);
}

static int group_setup(void **state)
{
	(void)state;
	g_base = event_base_new();
	return g_base != NULL && worker_setup(1) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	worker_shutdown();
	event_base_free(g_base);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_queue_refuses),
		cmocka_unit_test(test_orphan_refused_is_freed),
		cmocka_unit_test(test_waited_too_long),
		cmocka_unit_test(test_jobs_that_fit_run),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker.c: a mutex + condition variable job queue feeding a few threads;
 * finished jobs go onto a done list and a pipe wakes the loop, whose read
 * callback runs their done functions. The loop thread never waits on the
 * mutex for long: it is held only to move list heads.
 *
 * Bounds: at most cf_worker_queue_max jobs wait (worker_submit_call refuses
 * more), and a thread that picks up a job older than
 * cf_worker_queue_timeout_ms does not run it but marks it expired; the loop
 * then answers its Call UNAVAILABLE "BUSY". Refusals are logged at most
 * once a second.
 *
 * A job runs in its session's language: the Call's locale is taken when it
 * is queued (the session may be gone when it runs), and the worker thread,
 * and the loop thread for the done function, take it with uselocale().
 */
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "core.h"
#include "worker.h"

#define WORKER_REFUSE_LOG_US 1000000

typedef struct Job {
	WorkFn work;
	WorkDoneFn done;
	void *arg;		/* borrowed: the submitter's */
	Call *call;		/* borrowed: answered instead if the job is refused */
	int64_t enq_us;		/* when it was queued */
	bool expired;		/* waited past the deadline: not run, done not called */
	locale_t locale;	/* borrowed (shared): the session's language; 0 = English */
	struct Job *next;
} Job;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static Job *todo_head, *todo_tail;	/* guarded by mu */
static Job *done_head, *done_tail;	/* guarded by mu */
static bool stopping;			/* guarded by mu */
static int waiting;			/* guarded by mu: jobs in the todo list */
static int busy;			/* loop thread only */
static int64_t refuse_logged_us;	/* loop thread only: last "refusing" line */
static uint64_t refused_unlogged;	/* loop thread only: refusals since */
static pthread_t *threads;
static int nthreads;
static int wake_fd[2] = { -1, -1 };
static struct event *wake_ev;

static void *worker_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (todo_head == NULL && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (todo_head == NULL)
			break;
		Job *j = todo_head;

		todo_head = j->next;
		if (todo_head == NULL)
			todo_tail = NULL;
		waiting--;
		pthread_mutex_unlock(&mu);

		/* a job for a till that waited this long is answered, not run */
		j->expired = j->call != NULL &&
			     now_usec() - j->enq_us > (int64_t)cf_worker_queue_timeout_ms * 1000;
		if (!j->expired) {
			uselocale(j->locale ? j->locale : LC_GLOBAL_LOCALE);
			j->work(j->arg);
			uselocale(LC_GLOBAL_LOCALE);
		}

		pthread_mutex_lock(&mu);
		j->next = NULL;
		if (done_tail)
			done_tail->next = j;
		else
			done_head = j;
		done_tail = j;
		/* a full pipe already means "wake up": EAGAIN is fine */
		if (write(wake_fd[1], "x", 1) < 0 && errno != EAGAIN)
			log_error("could not wake the event loop: %m");
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* Answer c of a job that is not run: the server is too busy. */
static void worker_refuse(Call *c, const char *why)
{
	int64_t now = now_usec();

	if (now - refuse_logged_us >= WORKER_REFUSE_LOG_US) {
		if (refused_unlogged > 0)
			log_warn("refusing PIN check: %s (and %" PRIu64 " more in the last second)",
				 why, refused_unlogged);
		else
			log_warn("refusing PIN check: %s", why);
		refuse_logged_us = now;
		refused_unlogged = 0;
	} else {
		refused_unlogged++;
	}
	if (call_is_orphan(c)) {
		call_free(c);
		return;
	}
	call_fail(c, KASSA__V1__STATUS_CODE__UNAVAILABLE, "BUSY",
		  "the server is too busy to check PINs now; retry shortly");
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[64];
	Job *list;

	(void)what;
	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&mu);
	list = done_head;
	done_head = done_tail = NULL;
	pthread_mutex_unlock(&mu);
	while (list) {
		Job *j = list;

		list = j->next;
		busy--;
		if (j->expired) {
			worker_refuse(j->call, "it waited too long for a worker thread");
		} else {
			uselocale(j->locale ? j->locale : LC_GLOBAL_LOCALE);
			j->done(j->arg);
			uselocale(LC_GLOBAL_LOCALE);
		}
		free(j);
	}
}

bool worker_setup(int n)
{
	if (pipe2(wake_fd, O_NONBLOCK | O_CLOEXEC) != 0) {
		log_error("could not create worker pipe: %m");
		return false;
	}
	wake_ev = event_new(g_base, wake_fd[0], EV_READ | EV_PERSIST, wake_cb, NULL);
	if (wake_ev == NULL || event_add(wake_ev, NULL) != 0)
		return false;
	threads = xcalloc((size_t)n, sizeof(*threads));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, worker_main, NULL) != 0) {
			log_error("could not start worker thread");
			return false;
		}
		nthreads++;
	}
	return true;
}

/* Queue j unless the queue is full; false = not queued. */
static bool job_push(Job *j)
{
	bool full;

	j->enq_us = now_usec();
	pthread_mutex_lock(&mu);
	full = waiting >= cf_worker_queue_max;
	if (!full) {
		if (todo_tail)
			todo_tail->next = j;
		else
			todo_head = j;
		todo_tail = j;
		waiting++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	if (!full)
		busy++;
	return !full;
}

void worker_submit_call(Call *c, WorkFn work, WorkDoneFn done, void *arg)
{
	Job *j = xcalloc(1, sizeof(*j));

	j->work = work;
	j->done = done;
	j->arg = arg;
	j->call = c;
	j->locale = c->locale;
	if (job_push(j))
		return;
	free(j);
	worker_refuse(c, "the worker queue is full");
}

bool worker_submit(WorkFn work, WorkDoneFn done, void *arg)
{
	Job *j = xcalloc(1, sizeof(*j));

	j->work = work;
	j->done = done;
	j->arg = arg;
	if (job_push(j))
		return true;
	free(j);
	return false;
}

int worker_busy(void)
{
	return busy;
}

void worker_shutdown(void)
{
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	wake_cb(wake_fd[0], 0, NULL);
	free(threads);
	threads = NULL;
	nthreads = 0;
	if (wake_ev)
		event_free(wake_ev);
	wake_ev = NULL;
	for (int i = 0; i < 2; i++)
		if (wake_fd[i] >= 0)
			close(wake_fd[i]);
}

int worker_waiting(void)
{
	int n;

	pthread_mutex_lock(&mu);	/* held only to move a job: never long */
	n = waiting;
	pthread_mutex_unlock(&mu);
	return n;
}

int worker_threads(void)
{
	return nthreads;
}

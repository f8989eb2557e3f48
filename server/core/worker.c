/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker.c: a mutex + condition variable job queue feeding a few threads;
 * finished jobs go onto a done list and a pipe wakes the loop, whose read
 * callback runs their done functions. The loop thread never waits on the
 * mutex for long: it is held only to move list heads.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "core.h"
#include "worker.h"

typedef struct Job {
	WorkFn work;
	WorkDoneFn done;
	void *arg;		/* borrowed: the submitter's */
	struct Job *next;
} Job;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static Job *todo_head, *todo_tail;	/* guarded by mu */
static Job *done_head, *done_tail;	/* guarded by mu */
static bool stopping;			/* guarded by mu */
static int busy;			/* loop thread only */
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
		pthread_mutex_unlock(&mu);

		j->work(j->arg);

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
		j->done(j->arg);
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

void worker_submit(WorkFn work, WorkDoneFn done, void *arg)
{
	Job *j = xcalloc(1, sizeof(*j));

	j->work = work;
	j->done = done;
	j->arg = arg;
	busy++;
	pthread_mutex_lock(&mu);
	if (todo_tail)
		todo_tail->next = j;
	else
		todo_head = j;
	todo_tail = j;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
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

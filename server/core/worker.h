/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker: a few threads for CPU-heavy work that must not run on the event
 * loop (argon2id PIN verification is deliberately slow). A job's work
 * function runs on a worker thread and must touch nothing but its own arg;
 * its done function runs afterwards on the loop thread.
 */
#ifndef KASSA_WORKER_H
#define KASSA_WORKER_H

#include <stdbool.h>
#include "util.h"

typedef void (*WorkFn)(void *arg);	/* on a worker thread */
typedef void (*WorkDoneFn)(void *arg);	/* on the loop thread */

/* Start n worker threads and the loop-side completion event. */
MUSTCHECK bool worker_setup(int n);
/* Queue a job; done always fires later on the loop thread. */
void worker_submit(WorkFn work, WorkDoneFn done, void *arg);
/* Jobs queued or running. */
int worker_busy(void);
/* Stop the threads after the queued jobs (called after the loop ends). */
void worker_shutdown(void);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker: a few threads for CPU-heavy work that must not run on the event
 * loop (argon2id PIN verification is deliberately slow). A job's work
 * function runs on a worker thread and must touch nothing but its own arg;
 * its done function runs afterwards on the loop thread.
 *
 * The queue is bounded: worker_submit_call() answers its Call UNAVAILABLE
 * "BUSY" instead of queueing when cf_worker_queue_max jobs already wait,
 * and a job that waited more than cf_worker_queue_timeout_ms for a thread
 * is not run but answered the same way (the till has likely given up).
 */
#ifndef KASSA_WORKER_H
#define KASSA_WORKER_H

#include <stdbool.h>
#include "util.h"

struct Call;

typedef void (*WorkFn)(void *arg);	/* on a worker thread */
typedef void (*WorkDoneFn)(void *arg);	/* on the loop thread */

/* Start n worker threads and the loop-side completion event. */
MUSTCHECK bool worker_setup(int n);
/*
 * Queue a job for Call c. Either done fires later on the loop thread, or
 * (queue full, or the job waited past its deadline) done never fires and c
 * is answered UNAVAILABLE "BUSY" (or freed if its session has gone), which
 * frees c->state: so arg must be c->state or owned by it. Takes c.
 */
void worker_submit_call(struct Call *c, WorkFn work, WorkDoneFn done, void *arg);
/*
 * Queue a job that answers no Call (the outbox's file writes): false, and
 * done never fires, when the queue is full; otherwise done fires later on
 * the loop thread (such a job is never expired). arg is the caller's.
 */
bool worker_submit(WorkFn work, WorkDoneFn done, void *arg);
/* Jobs queued or running. */
int worker_busy(void);
/* Jobs waiting for a thread (at most cf_worker_queue_max), and the threads: metrics. */
int worker_waiting(void);
int worker_threads(void);
/* Stop the threads after the queued jobs (called after the loop ends). */
void worker_shutdown(void);

#endif

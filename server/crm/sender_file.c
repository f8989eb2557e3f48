/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_file.c: one delivery appended as one JSON line to
 * [outbox] file_dir/<the endpoint's file>:
 *
 *   {"idempotency_key":"<delivery_key>","signature":"t=..,v1=..","body":"<the body>"}
 *
 * body is the exact JSON text a webhook would have been POSTed (a string,
 * so that its signature can be checked over the same bytes; "signature" is
 * "" for an endpoint without a secret). The line is written with one
 * write() on an O_APPEND descriptor (lines of several writers do not
 * interleave), then fsync(), and only then is the row sent; a failure is a
 * failed attempt (retried with the back-off; a reader de-duplicates by
 * idempotency_key should a line be written twice after a crash between the
 * fsync and the record). The blocking open/write/fsync run on a worker
 * thread (server/core/worker.h), never on the loop; when the worker queue
 * is full the attempt fails at once and is retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "core.h"
#include "outbox.h"
#include "worker.h"

typedef struct FileJob {
	Delivery *d;			/* borrowed: read on the loop only */
	char *line;			/* owned */
	size_t len;
	char path[PATHS_MAX];
	char error[OUTBOX_ERROR_MAX];	/* set by the worker; "" = written */
} FileJob;

/* On a worker thread: touches only j. */
static void file_work(void *arg)
{
	FileJob *j = arg;
	int fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	ssize_t n;

	if (fd < 0) {
		snprintf(j->error, sizeof(j->error), "open: %s", strerror(errno));
		return;
	}
	n = write(fd, j->line, j->len);
	if (n < 0)
		snprintf(j->error, sizeof(j->error), "write: %s", strerror(errno));
	else if ((size_t)n != j->len)
		snprintf(j->error, sizeof(j->error), "write: short (%zd of %zu bytes)", n,
			 j->len);
	else if (fsync(fd) != 0)
		snprintf(j->error, sizeof(j->error), "fsync: %s", strerror(errno));
	if (close(fd) != 0 && j->error[0] == '\0')
		snprintf(j->error, sizeof(j->error), "close: %s", strerror(errno));
}

/* On the loop. */
static void file_done(void *arg)
{
	FileJob *j = arg;
	Delivery *d = j->d;

	d->result = j->error[0] == '\0' ? "accepted" : "failed";
	snprintf(d->error, sizeof(d->error), "%s", j->error);
	free(j->line);
	free(j);
	outbox_delivery_done(d);
}

void file_send(Delivery *d)
{
	FileJob *j = xcalloc(1, sizeof(*j));
	json_t *o = json_object();
	char *s;

	j->d = d;
	json_object_set_new(o, "idempotency_key", json_string(d->key));
	json_object_set_new(o, "signature", json_string(d->sig));
	json_object_set_new(o, "body", json_stringn(d->body, d->body_len));
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (cf_outbox_file_dir[0] == '\0' || s == NULL ||
	    snprintf(j->path, sizeof(j->path), "%s/%s", cf_outbox_file_dir, d->file) >=
		    (int)sizeof(j->path)) {
		snprintf(j->error, sizeof(j->error), "%s",
			 cf_outbox_file_dir[0] == '\0' ? "[outbox] file_dir is not set" :
			 "the file's path is too long");
		free(s);
		file_done(j);
		return;
	}
	j->len = strlen(s);
	j->line = xmalloc(j->len + 2);
	memcpy(j->line, s, j->len);
	j->line[j->len++] = '\n';
	j->line[j->len] = '\0';
	free(s);
	if (!worker_submit(file_work, file_done, j)) {
		snprintf(j->error, sizeof(j->error), "the worker queue is full");
		file_done(j);
	}
}

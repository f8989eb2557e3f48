/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidfile.h: kassad's optional --pidfile. The file is created if missing,
 * locked (an fcntl write lock held for the process's lifetime) and given the
 * pid; a second kassad finds the lock taken and refuses to start. A file left
 * by a kassad that died holds no lock and is taken over. Removed at a clean
 * exit.
 */
#ifndef KASSA_PIDFILE_H
#define KASSA_PIDFILE_H

#include <stdbool.h>
#include "util.h"

typedef enum PidfileStatus {
	PIDFILE_OK = 0,
	PIDFILE_HELD,		/* another live process holds the lock */
	PIDFILE_ERROR,		/* could not create, lock or write it (logged) */
} PidfileStatus;

/* Take path for this process. */
MUSTCHECK PidfileStatus pidfile_take(const char *path);
/* Remove and unlock the file pidfile_take() took, if any. */
void pidfile_release(void);

#endif

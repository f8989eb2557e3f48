/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pidfile.c: kassad's --pidfile (see pidfile.h). The lock is an fcntl
 * F_SETLK write lock on the whole file, released by the kernel whenever
 * the process ends (kill -9 included), so a stale file is recognised by
 * its missing lock, never by guessing from the pid it holds. The descriptor
 * is close-on-exec and stays open until exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"

static int pid_fd = -1;
static char *pid_path;

static bool lock_fd(int fd, bool *held)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	*held = false;
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return true;
	if (errno == EACCES || errno == EAGAIN)
		*held = true;
	return false;
}

/* The pid written in a held file, for the log line; 0 if unreadable. */
static long held_by(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

PidfileStatus pidfile_take(const char *path)
{
	char buf[32];
	bool held;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int n;

	if (fd < 0) {
		log_error("could not open pid file \"%s\": %m", path);
		return PIDFILE_ERROR;
	}
	if (!lock_fd(fd, &held)) {
		if (held)
			log_error("another kassad (pid %ld) holds the pid file \"%s\"", held_by(fd),
				  path);
		else
			log_error("could not lock pid file \"%s\": %m", path);
		close(fd);
		return held ? PIDFILE_HELD : PIDFILE_ERROR;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != (ssize_t)n) {
		log_error("could not write pid file \"%s\": %m", path);
		close(fd);
		return PIDFILE_ERROR;
	}
	pid_fd = fd;
	pid_path = xstrdup(path);
	return PIDFILE_OK;
}

void pidfile_release(void)
{
	if (pid_fd < 0)
		return;
	/* unlink while still locked: a new kassad never sees our file unlocked */
	if (unlink(pid_path) != 0)
		log_warn("could not remove pid file \"%s\": %m", pid_path);
	close(pid_fd);
	pid_fd = -1;
	free(pid_path);
	pid_path = NULL;
}

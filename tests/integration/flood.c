/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flood.c: kassa-flood, the connection flood of test_accept_flood.sh. It
 * opens COUNT plain TCP connections to 127.0.0.1:PORT (never anywhere
 * else), sends nothing, holds them for SECONDS and counts how many the
 * server closed meanwhile; then closes the rest and exits.
 *
 *   kassa-flood PORT COUNT SECONDS
 *
 * Prints "holding N" (flushed) once every connect has been issued, and at
 * the end one line:
 *   opened=N connected=N failed=N closed_by_server=N open_at_end=N
 * COUNT is capped at 20000 and by the descriptor limit (raised to the hard
 * limit first); SECONDS at 60. Exit status 0, or 2 on bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX 20000
#define FLOOD_MAX_SECONDS 60
#define FLOOD_SPARE_FDS 16

typedef enum ConnState {
	CS_CLOSED = 0,		/* no socket (never opened, failed or closed) */
	CS_CONNECTING,		/* non-blocking connect in progress */
	CS_OPEN,		/* connected, waiting to see whether the server closes */
} ConnState;

typedef struct Counts {
	int opened, connected, failed, closed_by_server;
} Counts;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The most descriptors we may use: raise the soft limit, keep some spare. */
static int fd_budget(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > FLOOD_MAX + FLOOD_SPARE_FDS)
		return FLOOD_MAX;
	return (int)rl.rlim_cur - FLOOD_SPARE_FDS;
}

/* Start one non-blocking connect to 127.0.0.1:port; -1 if no socket. */
static int flood_connect(int port, ConnState *st)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		*st = CS_OPEN;
	else if (errno == EINPROGRESS)
		*st = CS_CONNECTING;
	else {
		close(fd);
		return -1;
	}
	return fd;
}

/* One poll result for connection i: advance its state and the counts. */
static void flood_event(struct pollfd *p, ConnState *st, Counts *n)
{
	char buf[256];
	int err = 0;
	socklen_t len = sizeof(err);

	if (*st == CS_CONNECTING) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			n->failed++;
			goto drop;
		}
		n->connected++;
		*st = CS_OPEN;
		p->events = POLLIN;
		if (!(p->revents & (POLLIN | POLLHUP | POLLERR)))
			return;
	}
	ssize_t r = recv(p->fd, buf, sizeof(buf), 0);

	if (r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR)))
		return;		/* the server said something: keep holding */
	n->closed_by_server++;
drop:
	close(p->fd);
	p->fd = -1;
	*st = CS_CLOSED;
}

int main(int argc, char **argv)
{
	int port, count, seconds, held = 0;
	struct pollfd *fds;
	ConnState *st;
	Counts n = { 0 };
	double end;

	if (argc != 4 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
	    (count = atoi(argv[2])) <= 0 || (seconds = atoi(argv[3])) <= 0) {
		fprintf(stderr, "usage: kassa-flood PORT COUNT SECONDS\n");
		return 2;
	}
	if (count > fd_budget())
		count = fd_budget();
	if (seconds > FLOOD_MAX_SECONDS)
		seconds = FLOOD_MAX_SECONDS;
	fds = calloc((size_t)count, sizeof(*fds));
	st = calloc((size_t)count, sizeof(*st));
	if (fds == NULL || st == NULL)
		return 1;
	end = now_s() + seconds;
	for (int i = 0; i < count; i++) {
		fds[i].fd = flood_connect(port, &st[i]);
		fds[i].events = st[i] == CS_CONNECTING ? POLLOUT : POLLIN;
		if (fds[i].fd < 0) {
			n.failed++;
			continue;
		}
		n.opened++;
		n.connected += st[i] == CS_OPEN;
	}
	printf("holding %d\n", n.opened);
	fflush(stdout);
	while (now_s() < end) {
		int ms = (int)((end - now_s()) * 1000) + 1;

		if (poll(fds, (nfds_t)count, ms > 200 ? 200 : ms) <= 0)
			continue;
		for (int i = 0; i < count; i++)
			if (fds[i].fd >= 0 && fds[i].revents)
				flood_event(&fds[i], &st[i], &n);
	}
	for (int i = 0; i < count; i++) {
		if (fds[i].fd < 0)
			continue;
		held++;
		close(fds[i].fd);
	}
	printf("opened=%d connected=%d failed=%d closed_by_server=%d open_at_end=%d\n", n.opened,
	       n.connected, n.failed, n.closed_by_server, held);
	free(fds);
	free(st);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_listener: accept() failing with EMFILE must not spin the loop. The
 * test listens (listener.c compiled in, session_accept() replaced by a
 * stub that keeps every fd), lowers its own descriptor limit to a few
 * above what it has open, and lets a child process queue 30 connections.
 * Over one second the loop may wake only a few times (the listeners are
 * paused and resumed by a timer), one log line per pause; once
 * descriptors are free again the next connection is accepted.
 *
 * [server] reuse_port: with it, a second listener (as a second kassad
 * would open) binds the same address while the first listens, and every
 * connection is accepted; without it that bind is refused (that the kernel
 * spreads connections over two processes, test_two_processes.sh shows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "core.h"

#define CHILD_CONNECTIONS 30
#define HELD_MAX 256

/* ---- what listener.c needs from the rest of kassad ---- */

struct event_base *g_base;
bool g_shutting_down;
char *cf_listen;
int cf_max_sessions = 1000000;
int cf_reuse_port;

static int held[HELD_MAX];		/* accepted fds, kept open like sessions */
static int nheld;

void session_accept(int fd, const struct sockaddr *addr, int addrlen)
{
	(void)addr;
	(void)addrlen;
	if (nheld < HELD_MAX)
		held[nheld++] = fd;
	else
		close(fd);
}

int session_count(void)
{
	return nheld;
}

/* ---- helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* The lowest free descriptor number: the next socket accept() makes gets it. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* A slow tick, so that the loop below never blocks for ever (4 wake-ups a second). */
static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/* A child that opens n connections to port and holds them until killed. */
static pid_t connect_child(int port, int n)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	for (int i = 0; i < n; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
			_exit(1);
	}
	sleep(20);	/* killed long before */
	_exit(0);
}

/* Lines of file path containing text. */
static int count_lines(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, text) != NULL;
	fclose(f);
	return n;
}

static void test_emfile_pauses_accepting(void **state)
{
	char listen[32], logpath[] = "/tmp/kassa-test-listener-XXXXXX";
	struct rlimit saved, low;
	int logfd = mkstemp(logpath), saved_err = dup(2), wakeups = 0, pauses;
	struct timeval quarter = { 0, 250 * 1000 };
	struct event *tick;
	pid_t child;
	double t0;

	(void)state;
	assert_true(logfd >= 0 && saved_err >= 0);
	g_base = event_base_new();
	assert_non_null(g_base);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", free_port());
	cf_listen = listen;
	assert_true(listener_setup());
	tick = event_new(g_base, -1, EV_PERSIST, tick_cb, NULL);
	assert_non_null(tick);
	assert_int_equal(event_add(tick, &quarter), 0);
	child = connect_child(atoi(strchr(listen, ':') + 1), CHILD_CONNECTIONS);

	/* room for about four sessions, then accept() fails with EMFILE */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low = saved;
	low.rlim_cur = (rlim_t)lowest_free_fd() + 4;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	dup2(logfd, 2);

	t0 = now_s();
	while (now_s() - t0 < 1.0) {
		event_base_loop(g_base, EVLOOP_ONCE);
		wakeups++;
	}
	/* free the descriptors: the paused listener must come back by itself */
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	nheld = 0;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	t0 = now_s();
	while (nheld == 0 && now_s() - t0 < 3.0)
		event_base_loop(g_base, EVLOOP_ONCE);

	dup2(saved_err, 2);
	pauses = count_lines(logpath, "pausing accepts");
	printf("# %d wake-ups in 1 s, %d pauses logged, %d accepted after\n", wakeups, pauses,
	       nheld);
	assert_true(wakeups < 50);		/* ticks and resumes; a spinning listener: millions */
	assert_true(pauses >= 1 && pauses <= 6);	/* 100, 200, 400, 800 ms ... */
	assert_int_equal(count_lines(logpath, "could not accept"), pauses);
	assert_true(nheld > 0);			/* resumed: accepting again */

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	nheld = 0;
	listener_stop();
	event_free(tick);
	event_base_free(g_base);
	close(logfd);
	close(saved_err);
	unlink(logpath);
}

/*
 * Two listeners on one address, as two kassad processes would hold it.
 * listener_setup() twice in one process is what a second process does:
 * its own socket, its own bind().
 */
static void test_reuse_port(void **state)
{
	char listen[32], logpath[] = "/tmp/kassa-test-listener-XXXXXX";
	int logfd = mkstemp(logpath), saved_err = dup(2), port;
	pid_t child;
	double t0;

	(void)state;
	assert_true(logfd >= 0 && saved_err >= 0);
	g_base = event_base_new();
	assert_non_null(g_base);
	port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	cf_listen = listen;
	dup2(logfd, 2);

	/* without reuse_port the second bind is refused, and says why */
	cf_reuse_port = 0;
	assert_true(listener_setup());
	assert_false(listener_setup());
	listener_stop();

	/* with it both listen, and every connection is accepted */
	cf_reuse_port = 1;
	assert_true(listener_setup());
	assert_true(listener_setup());
	child = connect_child(port, 64);
	t0 = now_s();
	while (nheld < 64 && now_s() - t0 < 5.0)
		event_base_loop(g_base, EVLOOP_ONCE);
	dup2(saved_err, 2);
	printf("# %d of 64 connections accepted over two reuse_port listeners\n", nheld);
	assert_int_equal(nheld, 64);
	assert_int_equal(count_lines(logpath, "(reuse_port)"), 2);
	assert_true(count_lines(logpath, "could not listen") == 1);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	nheld = 0;
	listener_stop();
	cf_reuse_port = 0;
	event_base_free(g_base);
	close(logfd);
	close(saved_err);
	unlink(logpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emfile_pauses_accepting),
		cmocka_unit_test(test_reuse_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

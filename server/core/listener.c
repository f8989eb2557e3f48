/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listener.c: the TCP listeners for tills. cf_listen holds one or more
 * comma-separated "host:port" or "[v6]:port" addresses; each gets an
 * evconnlistener whose accept callback hands the fd to session_accept().
 * When the session limit is reached the new connection is closed at once
 * (one log line a second says how many were refused).
 *
 * When accept() itself fails for want of descriptors or memory (EMFILE,
 * ENFILE, ENOBUFS, ENOMEM), the connection stays in the kernel's queue and
 * a level-triggered listener would fire again at once, for ever: so every
 * listener is paused, one line is logged, and a timer resumes them after
 * LISTENER_PAUSE_MIN_MS, doubling up to LISTENER_PAUSE_MAX_MS while the
 * failures go on; a connection accepted again resets the pause. main.c
 * keeps max_sessions below the descriptor limit, so this is the fallback.
 *
 * With [server] reuse_port = 1 every listener sets SO_REUSEPORT before it
 * binds, so that several kassad processes (each one event loop) can listen
 * on the same address and the kernel spreads new connections over them:
 * the way to use more cores before threads. Every process sharing the port
 * must set it (the kernel refuses the bind of one that does not, and of a
 * process of another user). A kassad killed or stopped leaves the others
 * serving; its own half-open connections are reset by the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "log.h"
#include "core.h"

#define LISTENER_MAX 8
#define LISTENER_PAUSE_MIN_MS 100
#define LISTENER_PAUSE_MAX_MS 1000
#define LISTENER_REFUSE_LOG_US 1000000	/* at most one "refusing" line a second */

static struct evconnlistener *listeners[LISTENER_MAX];
static int nlisteners;
static struct event *resume_ev;		/* owned: ends a pause */
static bool paused;			/* listeners disabled after an accept error */
static int pause_ms = LISTENER_PAUSE_MIN_MS; /* the next pause */
static int64_t refuse_logged_us;	/* when the last "refusing" line went out */
static uint64_t refused_unlogged;	/* refusals since then */

/* Log a refused connection, at most once a second with the count since. */
static void refuse_log(const char *why)
{
	int64_t now = now_usec();

	if (refuse_logged_us != 0 && now - refuse_logged_us < LISTENER_REFUSE_LOG_US) {
		refused_unlogged++;
		return;
	}
	if (refused_unlogged > 0)
		log_warn("refusing connection: %s (and %" PRIu64 " more in the last second)", why,
			 refused_unlogged);
	else
		log_warn("refusing connection: %s", why);
	refuse_logged_us = now;
	refused_unlogged = 0;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
		      int addrlen, void *arg)
{
	(void)l;
	(void)arg;
	pause_ms = LISTENER_PAUSE_MIN_MS;	/* accept() works again */
	if (g_shutting_down || session_count() >= cf_max_sessions) {
		refuse_log(g_shutting_down ? "shutting down" : "max_sessions reached");
		evutil_closesocket(fd);
		return;
	}
	session_accept(fd, addr, addrlen);
}

/* Enable or disable every listener; false if libevent refused one. */
static MUSTCHECK bool listeners_set(bool on)
{
	bool ok = true;

	for (int i = 0; i < nlisteners; i++)
		if ((on ? evconnlistener_enable(listeners[i]) :
			  evconnlistener_disable(listeners[i])) != 0)
			ok = false;
	return ok;
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	paused = false;
	if (g_shutting_down || nlisteners == 0)
		return;
	if (!listeners_set(true))
		log_error("could not resume accepting connections");
}

/* Pause every listener for pause_ms (doubling the next pause); true if paused. */
static bool listeners_pause(void)
{
	struct timeval tv = { pause_ms / 1000, (pause_ms % 1000) * 1000 };

	if (resume_ev == NULL)
		resume_ev = evtimer_new(g_base, resume_cb, NULL);
	if (resume_ev == NULL || evtimer_add(resume_ev, &tv) != 0)
		return false;
	if (!listeners_set(false)) {
		evtimer_del(resume_ev);
		if (!listeners_set(true))
			log_error("could not resume accepting connections");
		return false;
	}
	paused = true;
	pause_ms = pause_ms * 2 > LISTENER_PAUSE_MAX_MS ? LISTENER_PAUSE_MAX_MS : pause_ms * 2;
	return true;
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	int ms = pause_ms;

	(void)l;
	(void)arg;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
		/* ECONNABORTED and the like concern one connection: the next may work */
		log_info("could not accept connection: %s", evutil_socket_error_to_string(err));
		return;
	}
	if (paused)
		return;		/* another listener of the same pause */
	if (listeners_pause())
		log_error("could not accept connection: %s; pausing accepts for %d ms",
			  evutil_socket_error_to_string(err), ms);
	else
		log_error("could not accept connection: %s; could not pause accepting",
			  evutil_socket_error_to_string(err));
}

static bool listen_one(const char *spec)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);

	if (nlisteners >= LISTENER_MAX) {
		log_error("too many listen addresses");
		return false;
	}
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(spec, (struct sockaddr *)&ss, &sslen) != 0) {
		log_error("could not parse listen address \"%s\"", spec);
		return false;
	}
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;

	if (cf_reuse_port)
		flags |= LEV_OPT_REUSEABLE_PORT;	/* SO_REUSEPORT, set before bind() */
	struct evconnlistener *l = evconnlistener_new_bind(g_base, accept_cb, NULL, flags, 1024,
		(struct sockaddr *)&ss, sslen);
	if (l == NULL) {
		log_error("could not listen on %s: %s%s", spec,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()),
			  cf_reuse_port ? " (reuse_port is on: every process on this port must"
					  " set it too)" : "");
		return false;
	}
	evconnlistener_set_error_cb(l, accept_error_cb);
	listeners[nlisteners++] = l;
	log_info("listening on %s%s", spec, cf_reuse_port ? " (reuse_port)" : "");
	return true;
}

bool listener_setup(void)
{
	char *copy = xstrdup(cf_listen), *save = NULL;
	bool ok = true;

	for (char *tok = strtok_r(copy, ", ", &save); tok && ok; tok = strtok_r(NULL, ", ", &save))
		ok = listen_one(tok);
	free(copy);
	if (ok && nlisteners == 0) {
		log_error("[server] listen names no address");
		ok = false;
	}
	return ok;
}

void listener_stop(void)
{
	for (int i = 0; i < nlisteners; i++)
		evconnlistener_free(listeners[i]);
	nlisteners = 0;
	if (resume_ev)
		event_free(resume_ev);
	resume_ev = NULL;
	paused = false;
}

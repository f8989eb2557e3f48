/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listener.c: the TCP listeners for tills. cf_listen holds one or more
 * comma-separated "host:port" or "[v6]:port" addresses; each gets an
 * evconnlistener whose accept callback hands the fd to session_accept().
 * When the session limit is reached the new connection is closed at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "log.h"
#include "core.h"

#define LISTENER_MAX 8

static struct evconnlistener *listeners[LISTENER_MAX];
static int nlisteners;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
		      int addrlen, void *arg)
{
	(void)l;
	(void)arg;
	if (g_shutting_down || session_count() >= cf_max_sessions) {
		log_warn("refusing connection: %s", g_shutting_down ? "shutting down" :
			 "max_sessions reached");
		close(fd);
		return;
	}
	session_accept(fd, addr, addrlen);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	/* EMFILE and friends: log and keep listening; the janitor frees fds */
	log_error("could not accept connection: %s",
		  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
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
	struct evconnlistener *l = evconnlistener_new_bind(g_base, accept_cb, NULL,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
		(struct sockaddr *)&ss, sslen);
	if (l == NULL) {
		log_error("could not listen on %s: %s", spec,
			  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		return false;
	}
	evconnlistener_set_error_cb(l, accept_error_cb);
	listeners[nlisteners++] = l;
	log_info("listening on %s", spec);
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
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c: kassad's messages to systemd (see notify.h). READY=1 waits on a
 * 50 ms loop timer for db_ready_count() > 0: a connection of the pool is
 * up and has prepared every statement, and migrate_check() has already
 * refused a database at another schema before the loop started. The
 * watchdog timer runs at half of WATCHDOG_USEC, so a loop stuck for longer
 * than the interval lets systemd restart kassad.
 */
#include <stdio.h>
#include <time.h>

#include <event2/event.h>
#ifdef KASSA_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "core.h"
#include "db.h"
#include "log.h"
#include "notify.h"

#define READY_POLL_US (50 * 1000)

static struct event *ready_ev;		/* owned: polls the pool until READY=1 */
static struct event *watchdog_ev;	/* owned: WATCHDOG=1 */
static bool ready_sent;

static void sd_send(const char *msg)
{
#ifdef KASSA_HAVE_SYSTEMD
	int r = sd_notify(0, msg);

	if (r < 0)
		log_warn("could not notify systemd (%s): error %d", msg, -r);
#else
	(void)msg;
#endif
}

static void ready_cb(evutil_socket_t fd, short what, void *arg)
{
	char msg[160];

	(void)fd;
	(void)what;
	(void)arg;
	if (ready_sent || db_ready_count() == 0)
		return;
	ready_sent = true;
	event_del(ready_ev);
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving on %s (pool %d, max %d sessions)",
		 cf_listen, cf_db_pool_size, cf_max_sessions);
	sd_send(msg);
	log_info("ready: listening, and the database answers");
}

#ifdef KASSA_HAVE_SYSTEMD
static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_send("WATCHDOG=1");
}
#endif

static bool watchdog_start(void)
{
#ifdef KASSA_HAVE_SYSTEMD
	uint64_t usec = 0;
	struct timeval every;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return true;
	usec /= 2;
	every.tv_sec = (time_t)(usec / 1000000);
	every.tv_usec = (suseconds_t)(usec % 1000000);
	watchdog_ev = event_new(g_base, -1, EV_PERSIST, watchdog_cb, NULL);
	if (watchdog_ev == NULL || event_add(watchdog_ev, &every) != 0)
		return false;
	log_info("systemd watchdog: a keep-alive every %llu ms", (unsigned long long)(usec / 1000));
	sd_send("WATCHDOG=1");
#endif
	return true;
}

bool notify_start(void)
{
	struct timeval tick = { 0, READY_POLL_US };

	sd_send("STATUS=waiting for the database");
	ready_ev = event_new(g_base, -1, EV_PERSIST, ready_cb, NULL);
	if (ready_ev == NULL || event_add(ready_ev, &tick) != 0)
		return false;
	return watchdog_start();
}

bool notify_is_ready(void)
{
	return ready_sent;
}

void notify_status(const char *text)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	sd_send(msg);
}

void notify_reloading(void)
{
	char msg[96];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
	sd_send(msg);
}

void notify_reloaded(const char *status)
{
	char msg[300];

	/* before the first READY=1 the poll still sends it, when the pool is up */
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", ready_sent ? "READY=1\n" : "", status);
	sd_send(msg);
}

void notify_stopping(void)
{
	sd_send("STOPPING=1\nSTATUS=draining");
}

void notify_shutdown(void)
{
	if (ready_ev)
		event_free(ready_ev);
	if (watchdog_ev)
		event_free(watchdog_ev);
	ready_ev = watchdog_ev = NULL;
}
